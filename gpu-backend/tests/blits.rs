//! Blits against a CPU reference, for every layout, bit depth and odd geometry.

mod common;
use common::*;
use gpu_backend::decode::blt;
use gpu_backend::regs::{BCS_DST_Y, BCS_SRC_Y, BCS_SWCTRL};
use gpu_backend::{AddressSpace, HangReason, Outcome, Tiling};

const SRC: u64 = DATA;
const DST: u64 = DATA + 0x8_0000;
const PITCH: u64 = 1024;
const ROWS: u64 = 96;
const SIZE: u64 = PITCH * ROWS;

/// Tile4 subtile order (16 B x 4 row blocks inside a 4 KiB tile), from the hardware docs.
const TILE4_MAP: [u64; 64] = [
    0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19, 24, 25, 26, 27, 20, 21,
    22, 23, 28, 29, 30, 31, 32, 33, 34, 35, 40, 41, 42, 43, 36, 37, 38, 39, 44, 45, 46, 47, 48, 49,
    50, 51, 56, 57, 58, 59, 52, 53, 54, 55, 60, 61, 62, 63,
];

/// The reference address of byte `x` of row `y`, written independently of the crate.
fn ref_offset(t: Tiling, pitch: u64, x: u64, y: u64) -> u64 {
    match t {
        Tiling::Linear => y * pitch + x,
        Tiling::X => ((y / 8) * (pitch / 512) + x / 512) * 4096 + (y % 8) * 512 + x % 512,
        Tiling::Y => {
            ((y / 32) * (pitch / 128) + x / 128) * 4096
                + (x % 128 / 16) * 512
                + (y % 32) * 16
                + x % 16
        }
        Tiling::Tile4 => {
            let (tx, ty) = (x % 128, y % 32);
            ((y / 32) * (pitch / 128) + x / 128) * 4096
                + TILE4_MAP[(ty / 4 * 8 + tx / 16) as usize] * 64
                + (ty % 4) * 16
                + tx % 16
        }
        Tiling::Yf(log2) => {
            // Which of the 12 offset bits inside the 4 KiB tile take the row's bits (the
            // rest take the byte's), lowest first, per element size.
            let y_bits: u64 = match log2 {
                0 => 0b0101_1111_0000,
                1 | 2 => 0b0101_0111_0000,
                _ => 0b0101_0011_0000,
            };
            let (tw, th) = (
                1u64 << (12 - y_bits.count_ones()),
                1u64 << y_bits.count_ones(),
            );
            let deposit = |mut v: u64, mask: u64| {
                let mut out = 0;
                for bit in (0..12).filter(|b| mask >> b & 1 != 0) {
                    out |= (v & 1) << bit;
                    v >>= 1;
                }
                out
            };
            ((y / th) * (pitch / tw) + x / tw) * 4096
                + deposit(x % tw, 0xfff & !y_bits)
                + deposit(y % th, y_bits)
        }
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn read(g: &Gpu, addr: u64, n: u64) -> Vec<u8> {
    let mut v = vec![0u8; n as usize];
    g.space.read(addr, &mut v).unwrap();
    v
}

struct Case {
    src_t: Tiling,
    dst_t: Tiling,
    cpp: u64,
    dst_rect: (u64, u64, u64, u64),
    src_xy: (u64, u64),
}

/// The expected destination after copying `case` from `src` into `dst` (whole buffers).
fn reference_copy(c: &Case, src: &[u8], dst: &[u8]) -> Vec<u8> {
    let mut out = dst.to_vec();
    let (x1, y1, x2, y2) = c.dst_rect;
    for y in 0..y2 - y1 {
        for x in 0..(x2 - x1) * c.cpp {
            let s = ref_offset(c.src_t, PITCH, c.src_xy.0 * c.cpp + x, c.src_xy.1 + y);
            let d = ref_offset(c.dst_t, PITCH, x1 * c.cpp + x, y1 + y);
            out[d as usize] = src[s as usize];
        }
    }
    out
}

fn legacy_depth(cpp: u64) -> u32 {
    match cpp {
        1 => 0,
        2 => 1,
        _ => 3,
    }
}

fn fast_depth(cpp: u64) -> u32 {
    match cpp {
        1 => 0,
        2 => 1,
        4 => 3,
        8 => 4,
        _ => 5,
    }
}

fn legacy_pitch(t: Tiling) -> u32 {
    if t == Tiling::Linear {
        PITCH as u32
    } else {
        PITCH as u32 / 4
    }
}

fn src_copy_batch(c: &Case, rop: u32) -> Vec<u32> {
    let tiled = |t: Tiling| t != Tiling::Linear;
    let swctrl = (BCS_SRC_Y | BCS_DST_Y) << 16
        | if c.src_t == Tiling::Y { BCS_SRC_Y } else { 0 }
        | if c.dst_t == Tiling::Y { BCS_DST_Y } else { 0 };
    let mut b = lri(&[(BCS_SWCTRL, swctrl)]);
    let flags = 3 << 20 | (tiled(c.src_t) as u32) << 15 | (tiled(c.dst_t) as u32) << 11;
    let (x1, y1, x2, y2) = c.dst_rect;
    b.extend(xy_src_copy(
        flags,
        legacy_depth(c.cpp) << 24 | rop << 16 | legacy_pitch(c.dst_t),
        (x1 as u32, y1 as u32, x2 as u32, y2 as u32),
        DST,
        (c.src_xy.0 as u32, c.src_xy.1 as u32),
        legacy_pitch(c.src_t),
        SRC,
    ));
    b.push(BB_END);
    b
}

fn fast_copy_batch(c: &Case) -> Vec<u32> {
    let mode = |t: Tiling| match t {
        Tiling::Linear => 0,
        Tiling::X => 1,
        _ => 2,
    };
    let pitch = |t: Tiling| {
        if t == Tiling::Linear {
            PITCH as u32
        } else {
            PITCH as u32 / 4
        }
    };
    let (x1, y1, x2, y2) = c.dst_rect;
    vec![
        blt::instr(
            blt::XY_FAST_COPY,
            mode(c.src_t) << 20 | mode(c.dst_t) << 13 | 8,
        ),
        (matches!(c.src_t, Tiling::Yf(_)) as u32) << 31
            | (matches!(c.dst_t, Tiling::Yf(_)) as u32) << 30
            | fast_depth(c.cpp) << 24
            | pitch(c.dst_t),
        (y1 << 16 | x1) as u32,
        (y2 << 16 | x2) as u32,
        lo(DST),
        hi(DST),
        (c.src_xy.1 << 16 | c.src_xy.0) as u32,
        pitch(c.src_t),
        lo(SRC),
        hi(SRC),
        BB_END,
    ]
}

fn run_case(g: &Gpu, rng: &mut Rng, c: &Case, batch: &[u32], name: &str) {
    let src = rng.bytes(SIZE as usize);
    let dst = rng.bytes(SIZE as usize);
    g.space.write(SRC, &src).unwrap();
    g.space.write(DST, &dst).unwrap();
    assert_eq!(g.run(batch), Outcome::Completed, "{name}");
    let want = reference_copy(c, &src, &dst);
    let got = read(g, DST, SIZE);
    if let Some(i) = (0..want.len()).find(|&i| want[i] != got[i]) {
        panic!(
            "{name}: first difference at byte {i:#x}: want {:#x} got {:#x}",
            want[i], got[i]
        );
    }
}

const LEGACY: [Tiling; 3] = [Tiling::Linear, Tiling::X, Tiling::Y];
/// Fast-copy layouts on Tiger Lake; Yf's element size is set from the case's depth.
const ALL: [Tiling; 4] = [Tiling::Linear, Tiling::X, Tiling::Y, Tiling::Yf(2)];

/// `t` with a Yf shape matching `cpp` bytes per element.
fn for_cpp(t: Tiling, cpp: u64) -> Tiling {
    match t {
        Tiling::Yf(_) => Tiling::Yf(cpp.trailing_zeros() as u8),
        t => t,
    }
}

#[test]
fn xy_src_copy_every_layout_and_depth() {
    let g = Gpu::bcs();
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for src_t in LEGACY {
        for dst_t in LEGACY {
            for cpp in [1, 2, 4] {
                let w = 200 / cpp + 3; // odd, crosses tile columns
                let c = Case {
                    src_t,
                    dst_t,
                    cpp,
                    dst_rect: (13, 5, 13 + w, 5 + 37),
                    src_xy: (7, 11),
                };
                run_case(
                    &g,
                    &mut rng,
                    &c,
                    &src_copy_batch(&c, 0xcc),
                    &format!("src copy {src_t:?}->{dst_t:?} {cpp}B"),
                );
            }
        }
    }
}

#[test]
fn xy_fast_copy_every_layout_and_depth() {
    let g = Gpu::bcs();
    let mut rng = Rng(0x0bad_cafe_1234_5678);
    for src_t in ALL {
        for dst_t in ALL {
            for cpp in [1, 2, 4, 8, 16] {
                let w = 160 / cpp + 1;
                let c = Case {
                    src_t: for_cpp(src_t, cpp),
                    dst_t: for_cpp(dst_t, cpp),
                    cpp,
                    dst_rect: (3, 9, 3 + w, 9 + 41),
                    src_xy: (1, 2),
                };
                run_case(
                    &g,
                    &mut rng,
                    &c,
                    &fast_copy_batch(&c),
                    &format!("fast copy {src_t:?}->{dst_t:?} {cpp}B"),
                );
            }
        }
    }
}

#[test]
fn tile_aligned_copies_take_whole_tile_rows() {
    let g = Gpu::bcs();
    let mut rng = Rng(77);
    for t in ALL {
        let (tw, th) = t.tile().unwrap_or((4, 1));
        let c = Case {
            src_t: t,
            dst_t: t,
            cpp: 4,
            dst_rect: (tw / 4, th, 2 * tw / 4, 3 * th),
            src_xy: (0, 0),
        };
        run_case(
            &g,
            &mut rng,
            &c,
            &fast_copy_batch(&c),
            &format!("aligned {t:?}"),
        );
    }
    // Whole surfaces (full pitch): one contiguous copy.
    for t in ALL {
        let c = Case {
            src_t: t,
            dst_t: t,
            cpp: 4,
            dst_rect: (0, 0, PITCH / 4, ROWS),
            src_xy: (0, 0),
        };
        run_case(
            &g,
            &mut rng,
            &c,
            &fast_copy_batch(&c),
            &format!("full surface {t:?}"),
        );
        let c = Case {
            src_t: t,
            dst_t: t,
            cpp: 4,
            dst_rect: (0, 32, PITCH / 4, 64),
            src_xy: (0, 0),
        };
        run_case(
            &g,
            &mut rng,
            &c,
            &fast_copy_batch(&c),
            &format!("full-pitch band {t:?}"),
        );
    }
    // Linear to and from whole Y / Yf tiles (the per-tile path), linear side unaligned.
    for t in [Tiling::Y, Tiling::Yf(2)] {
        let c = Case {
            src_t: Tiling::Linear,
            dst_t: t,
            cpp: 4,
            dst_rect: (32, 32, 96, 96),
            src_xy: (3, 5),
        };
        run_case(
            &g,
            &mut rng,
            &c,
            &fast_copy_batch(&c),
            &format!("linear -> whole {t:?} tiles"),
        );
        let c = Case {
            src_t: t,
            dst_t: Tiling::Linear,
            cpp: 4,
            dst_rect: (1, 2, 65, 66),
            src_xy: (32, 0),
        };
        run_case(
            &g,
            &mut rng,
            &c,
            &fast_copy_batch(&c),
            &format!("whole {t:?} tiles -> linear"),
        );
    }
}

#[test]
fn color_fill_every_layout_and_depth() {
    let g = Gpu::bcs();
    let mut rng = Rng(99);
    for t in LEGACY {
        for cpp in [1u64, 2, 4] {
            let dst = rng.bytes(SIZE as usize);
            g.space.write(DST, &dst).unwrap();
            let (x1, y1, x2, y2) = (5u64, 3u64, 5 + 150 / cpp, 3 + 45);
            let color = 0x8765_4321u32;
            let swctrl = BCS_DST_Y << 16 | if t == Tiling::Y { BCS_DST_Y } else { 0 };
            let mut b = lri(&[(BCS_SWCTRL, swctrl)]);
            b.extend([
                blt::instr(
                    blt::XY_COLOR,
                    3 << 20 | ((t != Tiling::Linear) as u32) << 11 | 5,
                ),
                legacy_depth(cpp) << 24 | 0xf0 << 16 | legacy_pitch(t),
                (y1 << 16 | x1) as u32,
                (y2 << 16 | x2) as u32,
                lo(DST),
                hi(DST),
                color,
                BB_END,
            ]);
            assert_eq!(g.run(&b), Outcome::Completed);
            let mut want = dst.clone();
            for y in y1..y2 {
                for x in x1 * cpp..x2 * cpp {
                    want[ref_offset(t, PITCH, x, y) as usize] =
                        color.to_le_bytes()[(x % cpp) as usize];
                }
            }
            assert!(read(&g, DST, SIZE) == want, "fill {t:?} {cpp}B");
        }
    }
}

#[test]
fn rops_and_write_masks() {
    let g = Gpu::bcs();
    let mut rng = Rng(5);
    let c = Case {
        src_t: Tiling::Linear,
        dst_t: Tiling::Y,
        cpp: 4,
        dst_rect: (1, 1, 20, 9),
        src_xy: (2, 3),
    };
    for rop in [0x66u32, 0x88, 0xee, 0x33, 0x00, 0xff] {
        let src = rng.bytes(SIZE as usize);
        let dst = rng.bytes(SIZE as usize);
        g.space.write(SRC, &src).unwrap();
        g.space.write(DST, &dst).unwrap();
        assert_eq!(g.run(&src_copy_batch(&c, rop)), Outcome::Completed);
        let mut want = dst.clone();
        let (x1, y1, x2, y2) = c.dst_rect;
        for y in 0..y2 - y1 {
            for x in 0..(x2 - x1) * 4 {
                let s =
                    src[ref_offset(c.src_t, PITCH, c.src_xy.0 * 4 + x, c.src_xy.1 + y) as usize];
                let d = ref_offset(c.dst_t, PITCH, x1 * 4 + x, y1 + y) as usize;
                // ROP3 index is P<<2 | S<<1 | D; these ROPs do not depend on P.
                let mut r = 0u8;
                for bit in 0..8 {
                    let (sb, db) = ((s >> bit & 1) as u32, (want[d] >> bit & 1) as u32);
                    r |= ((rop >> (sb << 1 | db) & 1) as u8) << bit;
                }
                want[d] = r;
            }
        }
        assert!(read(&g, DST, SIZE) == want, "rop {rop:#x}");
    }
    // 32 bpp with only the RGB write enable keeps the destination alpha.
    let src = rng.bytes(SIZE as usize);
    let dst = rng.bytes(SIZE as usize);
    g.space.write(SRC, &src).unwrap();
    g.space.write(DST, &dst).unwrap();
    let mut b = src_copy_batch(&c, 0xcc);
    b[3] = (b[3] & !(3 << 20)) | 1 << 20;
    assert_eq!(g.run(&b), Outcome::Completed);
    let mut want = reference_copy(&c, &src, &dst);
    let (x1, y1, x2, y2) = c.dst_rect;
    for y in y1..y2 {
        for x in x1..x2 {
            let a = ref_offset(c.dst_t, PITCH, x * 4 + 3, y) as usize;
            want[a] = dst[a];
        }
    }
    assert!(read(&g, DST, SIZE) == want, "RGB-only mask");
    // A ROP that reads the pattern is refused by XY_SRC_COPY.
    assert!(
        matches!(g.run(&src_copy_batch(&c, 0xf0)), Outcome::Hung(h) if matches!(h.reason, HangReason::Unsupported { .. }))
    );
}

#[test]
fn overlapping_copy_reads_the_source_first() {
    let g = Gpu::bcs();
    let mut rng = Rng(11);
    for t in [Tiling::Linear, Tiling::Y] {
        let data = rng.bytes(SIZE as usize);
        g.space.write(SRC, &data).unwrap();
        let c = Case {
            src_t: t,
            dst_t: t,
            cpp: 4,
            dst_rect: (3, 4, 60, 50),
            src_xy: (1, 1),
        };
        let mut b = src_copy_batch(&c, 0xcc);
        // Same surface for source and destination.
        b[7] = lo(SRC);
        b[8] = hi(SRC);
        assert_eq!(g.run(&b), Outcome::Completed);
        let want = reference_copy(&c, &data, &data);
        assert!(read(&g, SRC, SIZE) == want, "overlap {t:?}");
    }
}

#[test]
fn indirect_surfaces_use_the_bounce_path() {
    let g = Gpu::bcs();
    let (src, dst) = (0x80_0000u64, 0x90_0000u64);
    g.space.bind_indirect(src, SIZE);
    g.space.bind_indirect(dst, SIZE);
    let mut rng = Rng(3);
    for (st, dt) in [
        (Tiling::Y, Tiling::Linear),
        (Tiling::Linear, Tiling::Yf(1)),
        (Tiling::X, Tiling::X),
    ] {
        let c = Case {
            src_t: st,
            dst_t: dt,
            cpp: 2,
            dst_rect: (7, 3, 99, 40),
            src_xy: (5, 6),
        };
        let s = rng.bytes(SIZE as usize);
        let d = rng.bytes(SIZE as usize);
        g.space.write(src, &s).unwrap();
        g.space.write(dst, &d).unwrap();
        let mut b = fast_copy_batch(&c);
        b[4] = lo(dst);
        b[5] = hi(dst);
        b[8] = lo(src);
        b[9] = hi(src);
        assert_eq!(g.run(&b), Outcome::Completed);
        assert!(
            read(&g, dst, SIZE) == reference_copy(&c, &s, &d),
            "bounce {st:?}->{dt:?}"
        );
    }
}

#[test]
fn invalid_blits_hang() {
    let g = Gpu::bcs();
    let c = Case {
        src_t: Tiling::Linear,
        dst_t: Tiling::X,
        cpp: 4,
        dst_rect: (0, 0, 4, 4),
        src_xy: (0, 0),
    };
    // Tiled pitch that is not a whole number of X tiles.
    let mut b = src_copy_batch(&c, 0xcc);
    b[4] = (b[4] & !0xffff) | 100;
    assert!(matches!(g.run(&b), Outcome::Hung(_)));
    // Destination beyond the mapping faults.
    let mut b = src_copy_batch(&c, 0xcc);
    b[7] = lo(0x7000_0000);
    assert!(matches!(g.run(&b), Outcome::Hung(h) if matches!(h.reason, HangReason::Fault { .. })));
    // Tiling mode 3 in XY_FAST_COPY is TileYs on Tiger Lake: a hang naming it.
    let mut b = fast_copy_batch(&c);
    b[0] |= 3 << 13;
    b[1] |= 1 << 30;
    assert!(matches!(g.run(&b), Outcome::Hung(h)
        if matches!(h.reason, HangReason::Unsupported { what, .. } if what.contains("Ys"))));
    // Empty rectangles are no-ops.
    let c = Case {
        src_t: Tiling::Linear,
        dst_t: Tiling::Linear,
        cpp: 4,
        dst_rect: (5, 5, 5, 9),
        src_xy: (0, 0),
    };
    assert_eq!(g.run(&fast_copy_batch(&c)), Outcome::Completed);
}

#[test]
fn clipped_src_copy_shifts_the_source() {
    let g = Gpu::bcs();
    let mut rng = Rng(21);
    let src = rng.bytes(SIZE as usize);
    let dst = rng.bytes(SIZE as usize);
    g.space.write(SRC, &src).unwrap();
    g.space.write(DST, &dst).unwrap();
    // Clip (10,4)-(30,20); blit (5,2)-(40,30) from source (1,1): the visible part is
    // (10,4)-(30,20) taken from source (6,3).
    let c = Case {
        src_t: Tiling::Linear,
        dst_t: Tiling::X,
        cpp: 4,
        dst_rect: (5, 2, 40, 30),
        src_xy: (1, 1),
    };
    let mut b = vec![
        blt::instr(blt::XY_SETUP_CLIP, 1),
        4 << 16 | 10,
        20 << 16 | 30,
    ];
    let mut copy = src_copy_batch(&c, 0xcc);
    copy[4] |= 1 << 30; // BR13 clipping enable (after the 3-dword LRI)
    b.extend(copy);
    assert_eq!(g.run(&b), Outcome::Completed);
    let clipped = Case {
        src_t: Tiling::Linear,
        dst_t: Tiling::X,
        cpp: 4,
        dst_rect: (10, 4, 30, 20),
        src_xy: (6, 3),
    };
    assert!(read(&g, DST, SIZE) == reference_copy(&clipped, &src, &dst));
}

/// A linear copy between direct memory and client memory (an indirect binding) goes row
/// by row through the space, or as one block when rows follow each other: the same
/// bytes as the reference, both ways, and a fault where the client memory ends.
#[test]
fn linear_copies_to_and_from_indirect_memory() {
    let g = Gpu::bcs();
    let user = 0x80_0000u64;
    g.space.bind_indirect(user, SIZE);
    let mut rng = Rng(17);
    let cases = [
        // Rows narrower than the pitch: row by row.
        ((7, 3, 99, 40), (5, 6), 2),
        // Whole rows at the same pitch: one block.
        ((0, 2, (PITCH / 4), 30), (0, 9), 4),
    ];
    for (rect, src_xy, cpp) in cases {
        let c = Case {
            src_t: Tiling::Linear,
            dst_t: Tiling::Linear,
            cpp,
            dst_rect: rect,
            src_xy,
        };
        for (src, dst) in [(user, DST), (SRC, user)] {
            let s = rng.bytes(SIZE as usize);
            let d = rng.bytes(SIZE as usize);
            g.space.write(src, &s).unwrap();
            g.space.write(dst, &d).unwrap();
            let mut b = src_copy_batch(&c, 0xcc);
            let at = b.len() - 1 - 10;
            // xy_src_copy's destination and source addresses.
            b[at + 4] = lo(dst);
            b[at + 5] = hi(dst);
            b[at + 8] = lo(src);
            b[at + 9] = hi(src);
            assert_eq!(g.run(&b), Outcome::Completed);
            assert!(
                read(&g, dst, SIZE) == reference_copy(&c, &s, &d),
                "{rect:?} from {src:#x} to {dst:#x}"
            );
        }
    }
    // A source running off the end of the client memory faults.
    let c = Case {
        src_t: Tiling::Linear,
        dst_t: Tiling::Linear,
        cpp: 4,
        dst_rect: (0, 0, 16, ROWS),
        src_xy: (0, 10),
    };
    let mut b = src_copy_batch(&c, 0xcc);
    let at = b.len() - 1 - 10;
    b[at + 8] = lo(user);
    b[at + 9] = hi(user);
    assert!(matches!(g.run(&b), Outcome::Hung(h) if matches!(h.reason, HangReason::Fault { .. })));
}

/// The crate's TileYf addressing agrees with the reference over two tiles each way, for
/// every element size.
#[test]
fn tile_yf_offsets_match_the_reference() {
    for log2 in 0..5 {
        let t = Tiling::Yf(log2);
        let (tw, th) = t.tile().unwrap();
        let pitch = 4 * tw;
        for y in 0..2 * th {
            for x in 0..2 * tw {
                assert_eq!(
                    t.offset(pitch, x, y),
                    ref_offset(t, pitch, x, y),
                    "{t:?} byte {x} row {y}"
                );
            }
        }
    }
}

fn block_copy_batch(c: &Case) -> Vec<u32> {
    let mode = |t: Tiling| match t {
        Tiling::Linear => 0u32,
        Tiling::Y => 1,
        _ => 2,
    };
    let depth = match c.cpp {
        1 => 0,
        2 => 1,
        4 => 2,
        8 => 3,
        _ => 5,
    };
    // Bytes when linear, dwords when tiled; minus one.
    let pitch = |t: Tiling| {
        if t == Tiling::Linear {
            PITCH as u32 - 1
        } else {
            PITCH as u32 / 4 - 1
        }
    };
    let (x1, y1, x2, y2) = c.dst_rect;
    vec![
        blt::instr(blt::XY_BLOCK_COPY, depth << 19 | 10),
        mode(c.dst_t) << 30 | pitch(c.dst_t),
        (y1 << 16 | x1) as u32,
        (y2 << 16 | x2) as u32,
        lo(DST),
        hi(DST),
        0,
        (c.src_xy.1 << 16 | c.src_xy.0) as u32,
        mode(c.src_t) << 30 | pitch(c.src_t),
        lo(SRC),
        hi(SRC),
        0,
        BB_END,
    ]
}

/// Tiger Lake's XY_BLOCK_COPY_BLT: linear, legacy Y and Yf, every depth it has.
#[test]
fn xy_block_copy_every_layout_and_depth() {
    let g = Gpu::bcs();
    let mut rng = Rng(0x5eed_b10c_c0b1_0001);
    for cpp in [1u64, 2, 4, 8, 16] {
        let log2 = cpp.trailing_zeros() as u8;
        for src_t in [Tiling::Linear, Tiling::Y, Tiling::Yf(log2)] {
            for dst_t in [Tiling::Linear, Tiling::Y, Tiling::Yf(log2)] {
                let w = 160 / cpp + 1;
                let c = Case {
                    src_t,
                    dst_t,
                    cpp,
                    dst_rect: (5, 3, 5 + w, 3 + 43),
                    src_xy: (2, 7),
                };
                run_case(
                    &g,
                    &mut rng,
                    &c,
                    &block_copy_batch(&c),
                    &format!("block copy {src_t:?}->{dst_t:?} {cpp}B"),
                );
            }
        }
    }
}

/// What the model does not do in XY_BLOCK_COPY_BLT is a hang naming it.
#[test]
fn unmodelled_block_copies_hang_by_name() {
    let g = Gpu::bcs();
    let c = Case {
        src_t: Tiling::Linear,
        dst_t: Tiling::Linear,
        cpp: 4,
        dst_rect: (0, 0, 4, 4),
        src_xy: (0, 0),
    };
    let named = |b: &[u32], what: &str| match g.run(b) {
        Outcome::Hung(h) => assert!(
            matches!(h.reason, HangReason::Unsupported { what: w, .. } if w.contains(what)),
            "{h}"
        ),
        o => panic!("{what}: {o:?}"),
    };
    let mut b = block_copy_batch(&c);
    b[0] |= 1 << 12;
    named(&b, "special mode");
    let mut b = block_copy_batch(&c);
    b[0] |= 2 << 9;
    named(&b, "multisampled");
    let mut b = block_copy_batch(&c);
    b[0] = (b[0] & !(7 << 19)) | 4 << 19;
    named(&b, "colour depth");
    let mut b = block_copy_batch(&c);
    b[1] |= 3 << 30;
    named(&b, "Tile64");
    let mut b = block_copy_batch(&c);
    b[11] = 8;
    named(&b, "offset");
    // The extended (22-dword) form is DG2's.
    let mut b = block_copy_batch(&c);
    b[0] += 10;
    b.splice(12..12, [0u32; 10]);
    named(&b, "extended");
    // The copy itself works with the same batch untouched.
    assert_eq!(g.run(&block_copy_batch(&c)), Outcome::Completed);
}
