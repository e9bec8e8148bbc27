//! Data port messages run by EU kernels and checked against CPU models: typed surface
//! read/write/atomics with format conversion and the hardware's bounds checks, OWord block
//! reads and writes, scratch block messages on the per-thread scratch space of
//! MEDIA_VFE_STATE, DWord scattered reads and writes, stateless messages with a header;
//! and the hangs that name what the model does not do.

mod common;

use common::eu::{self, dst, imm, scalar, ty, vec8, Ctl};
use common::gpgpu::*;
use common::*;
use gpu_backend::{HangReason, Outcome, Tiling};

const C: Ctl = Ctl {
    no_mask: false,
    pred: 0,
    pred_inv: false,
    cond: 0,
    sat: false,
    flag: 0,
};
const NM: Ctl = Ctl { no_mask: true, ..C };

/// Where the second and third surfaces live (binding table entries 1 and 2).
const IMAGE: u64 = DATA + 0x1_0000;
const OUT: u64 = DATA + 0x2_0000;

/// SURFACE_FORMAT numbers.
const R32G32B32A32_FLOAT: u32 = 0x000;
const R8G8B8A8_UNORM: u32 = 0x0c7;
const R32_UINT: u32 = 0x0d7;
const R32_FLOAT: u32 = 0x0d8;
const R16_UINT: u32 = 0x10d;

/// A 2D surface (`depth` array slices `qpitch` rows apart).
fn image(
    base: u64,
    format: u32,
    (w, h, depth): (u32, u32, u32),
    pitch: u32,
    tile: u32,
) -> [u32; 16] {
    let mut s = [0u32; 16];
    s[0] = 1 << 29 | format << 18 | tile << 12;
    s[1] = h.div_ceil(4);
    s[2] = (h - 1) << 16 | (w - 1);
    s[3] = (depth - 1) << 21 | (pitch - 1);
    s[8] = base as u32;
    s[9] = (base >> 32) as u32;
    s
}

/// A buffer of `n` elements of `format`.
fn buffer(base: u64, format: u32, n: u32) -> [u32; 16] {
    let m = n - 1;
    let mut s = [0u32; 16];
    s[0] = 4 << 29 | format << 18;
    s[2] = (m >> 7 & 0x3fff) << 16 | (m & 0x7f);
    s[3] = (m >> 21) << 21;
    s[8] = base as u32;
    s[9] = (base >> 32) as u32;
    s
}

/// Binding table entries 1 and 2 (entry 0 is `setup`'s surface).
fn more_surfaces(gpu: &Gpu, s1: [u32; 16], s2: Option<[u32; 16]>) {
    gpu.put(
        BASE + BINDING_TABLE as u64 + 4,
        &[SURFACE_STATE + 0x40, SURFACE_STATE + 0x80],
    );
    gpu.put(BASE + SURFACE_STATE as u64 + 0x40, &s1);
    if let Some(s2) = s2 {
        gpu.put(BASE + SURFACE_STATE as u64 + 0x80, &s2);
    }
}

/// Runs `kernel` as one SIMD8 thread group of `threads` threads with surface 0 `s0`.
fn run(
    gpu: &Gpu,
    kernel: &[[u32; 4]],
    s0: [u32; 16],
    threads: u32,
    vfe: Option<[u32; 2]>,
) -> Outcome {
    let mut b = setup(
        gpu,
        PIPELINE_SELECT_GPGPU,
        kernel,
        s0,
        &[0; 8],
        idd(0, threads),
    );
    if let Some([dw1, dw2]) = vfe {
        // MEDIA_VFE_STATE again, with the scratch space.
        b.extend([
            0x7000_0007,
            dw1,
            dw2,
            1 << 16 | 2 << 8,
            0,
            2 << 16 | 2,
            0,
            0,
            0,
        ]);
    }
    let mut w = walker((0, 1), (0, 1), false, 0xff);
    w[4] |= threads - 1;
    b.extend(w);
    b.push(BB_END);
    gpu.run(&b)
}

fn hang_reason(o: Outcome) -> String {
    match o {
        Outcome::Hung(h) => match h.reason {
            HangReason::Render(why) => why,
            r => panic!("unexpected hang reason {r}"),
        },
        o => panic!("expected a hang, got {o:?}"),
    }
}

/// r{reg} = the lane number (SIMD8, dwords).
fn lanes(reg: u32) -> Vec<[u32; 4]> {
    vec![
        eu::mov(8, dst(10, 0, ty::UW), imm(ty::V, 0x7654_3210), C),
        eu::mov(8, dst(reg, 0, ty::UD), vec8(10, 0, ty::UW), C),
    ]
}

fn op2(opcode: u32, d: u32, a: u32, b: eu::S) -> [u32; 4] {
    eu::alu(opcode, 8, dst(d, 0, ty::UD), vec8(a, 0, ty::UD), Some(b), C)
}

fn mov(d: u32, s: eu::S) -> [u32; 4] {
    eu::mov(8, dst(d, 0, ty::UD), s, C)
}

fn ud(v: u32) -> eu::S {
    imm(ty::UD, v)
}

/// Typed read/write descriptors (SIMD8, low slot group): `cmask` disables channels.
fn typed_write(mlen: u32, cmask: u32, bti: u32) -> u32 {
    mlen << 25 | 0xd << 14 | 1 << 12 | cmask << 8 | bti
}
fn typed_read(mlen: u32, rlen: u32, cmask: u32, bti: u32) -> u32 {
    mlen << 25 | rlen << 20 | 0x5 << 14 | 1 << 12 | cmask << 8 | bti
}
/// Untyped SIMD8 write of the red channel (addresses, then data).
fn untyped_write8(bti: u32) -> u32 {
    2 << 25 | 0x9 << 14 | 2 << 12 | 0xe << 8 | bti
}

/// Writes r{reg} (8 dwords) to OUT + 32 × `row` through binding table entry 2.
fn dump(reg: u32, row: u32) -> Vec<[u32; 4]> {
    vec![
        op2(eu::op::SHL, 44, 11, ud(2)),
        op2(eu::op::ADD, 44, 44, ud(32 * row)),
        mov(45, vec8(reg, 0, ty::UD)),
        eu::send(8, 12, None, 44, untyped_write8(2), false, C),
    ]
}

#[test]
fn typed_r32_uint_on_a_y_tiled_image_matches_a_cpu_model() {
    let gpu = Gpu::rcs();
    let (w, h) = (6u32, 4u32);
    let mut k = lanes(11);
    // Row 2 gets lane × 100 + 7 at x = lane (lanes 6, 7 fall outside).
    k.extend([
        mov(40, vec8(11, 0, ty::UD)),
        mov(41, ud(2)),
        op2(eu::op::MUL, 42, 11, ud(100)),
        op2(eu::op::ADD, 42, 42, ud(7)),
        eu::send(8, 12, None, 40, typed_write(3, 0xe, 1), false, C),
        // Column 5 gets 1000 + lane at y = lane (lanes 4..7 fall outside).
        mov(40, ud(5)),
        mov(41, vec8(11, 0, ty::UD)),
        op2(eu::op::ADD, 42, 11, ud(1000)),
        eu::send(8, 12, None, 40, typed_write(3, 0xe, 1), false, C),
        // Read (lane, lane / 2).
        mov(40, vec8(11, 0, ty::UD)),
        op2(eu::op::SHR, 41, 11, ud(1)),
        eu::send(8, 12, Some(50), 40, typed_read(2, 1, 0xe, 1), false, C),
    ]);
    k.extend(dump(50, 0));
    k.extend(eu::eot());
    more_surfaces(
        &gpu,
        image(IMAGE, R32_UINT, (w, h, 1), 128, 3),
        Some(buffer(OUT, 0x1ff, 4096)),
    );
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 1, None), Outcome::Completed);

    let mut img = vec![0u32; (w * h) as usize];
    for l in 0..w {
        img[(2 * w + l) as usize] = l * 100 + 7;
    }
    for l in 0..8 {
        if l < h {
            img[(l * w + 5) as usize] = 1000 + l;
        }
    }
    for y in 0..h {
        for x in 0..w {
            let at = IMAGE + Tiling::Y.offset(128, 4 * u64::from(x), u64::from(y));
            assert_eq!(gpu.get(at), img[(y * w + x) as usize], "texel ({x}, {y})");
        }
    }
    for l in 0..8u32 {
        let want = if l < w {
            img[(l / 2 * w + l) as usize]
        } else {
            0
        };
        assert_eq!(gpu.get(OUT + 4 * u64::from(l)), want, "read of lane {l}");
    }
}

#[test]
fn typed_unorm8_and_float_formats_convert_and_clamp() {
    let gpu = Gpu::rcs();
    // 2D R8G8B8A8_UNORM 4×2, linear: texel (lane % 4, lane / 4) = (lane / 4, 2.0, -1.0,
    // 0.5) written, then read back as floats; an RGBA32_FLOAT buffer of 5 texels gets
    // (lane, lane + 0.5, -lane, 1) at lane (lanes 5..7 outside) and is read back.
    let mut k = lanes(11);
    let f = |v: f32| imm(ty::F, v.to_bits());
    k.extend([
        op2(eu::op::AND, 40, 11, ud(3)),
        op2(eu::op::SHR, 41, 11, ud(2)),
        eu::mov(8, dst(42, 0, ty::F), vec8(41, 0, ty::UD), C),
        eu::mov(8, dst(43, 0, ty::F), f(2.0), C),
        eu::mov(8, dst(44, 0, ty::F), f(-1.0), C),
        eu::mov(8, dst(45, 0, ty::F), f(0.5), C),
        eu::send(8, 12, None, 40, typed_write(6, 0, 1), false, C),
        eu::send(8, 12, Some(50), 40, typed_read(2, 4, 0, 1), false, C),
        // The buffer: U only.
        mov(30, vec8(11, 0, ty::UD)),
        eu::mov(8, dst(31, 0, ty::F), vec8(11, 0, ty::UD), C),
        eu::alu(
            eu::op::ADD,
            8,
            dst(32, 0, ty::F),
            vec8(31, 0, ty::F),
            Some(f(0.5)),
            C,
        ),
        eu::alu(
            eu::op::MUL,
            8,
            dst(33, 0, ty::F),
            vec8(31, 0, ty::F),
            Some(f(-1.0)),
            C,
        ),
        eu::mov(8, dst(34, 0, ty::F), f(1.0), C),
        eu::send(8, 12, None, 30, typed_write(5, 0, 0), false, C),
        // Read back only G and A of lane + 1 (lane 4 reads texel 5: outside).
        op2(eu::op::ADD, 30, 11, ud(1)),
        eu::send(8, 12, Some(60), 30, typed_read(1, 2, 0b0101, 0), false, C),
    ]);
    for (row, reg) in [50u32, 51, 52, 53, 60, 61].iter().enumerate() {
        k.extend(dump(*reg, row as u32));
    }
    k.extend(eu::eot());
    more_surfaces(
        &gpu,
        image(IMAGE, R8G8B8A8_UNORM, (4, 2, 1), 16, 0),
        Some(buffer(OUT, 0x1ff, 4096)),
    );
    let s0 = buffer(TARGET, R32G32B32A32_FLOAT, 5);
    gpu.put(TARGET, &[0xdead_beef; 32]);
    assert_eq!(run(&gpu, &k, s0, 1, None), Outcome::Completed);

    for l in 0..8u32 {
        let texel = gpu.get(IMAGE + 4 * u64::from(l));
        let r = (l / 4) as u8 * 255;
        assert_eq!(texel.to_le_bytes(), [r, 255, 0, 128], "unorm texel {l}");
        let back = |c: u32| f32::from_bits(gpu.get(OUT + 32 * u64::from(c) + 4 * u64::from(l)));
        assert_eq!(back(0), f32::from(r) / 255.0);
        assert_eq!(back(1), 1.0);
        assert_eq!(back(2), 0.0);
        assert_eq!(back(3), 128.0 / 255.0);
    }
    for l in 0..8u32 {
        let at = TARGET + 16 * u64::from(l);
        let got: Vec<u32> = (0..4).map(|c| gpu.get(at + 4 * c)).collect();
        let want = if l < 5 {
            let x = l as f32;
            [x, x + 0.5, -x, 1.0].map(f32::to_bits).to_vec()
        } else {
            vec![0xdead_beef; 4]
        };
        assert_eq!(got, want, "buffer texel {l}");
        let (g, a) = (
            f32::from_bits(gpu.get(OUT + 4 * 32 + 4 * u64::from(l))),
            f32::from_bits(gpu.get(OUT + 5 * 32 + 4 * u64::from(l))),
        );
        if l + 1 < 5 {
            assert_eq!((g, a), ((l + 1) as f32 + 0.5, 1.0), "lane {l}");
        } else {
            // Out of bounds: zeros, and one in alpha.
            assert_eq!((g, a), (0.0, 1.0), "lane {l}");
        }
    }
}

#[test]
fn typed_atomics_add_and_compare_exchange_with_returns() {
    let gpu = Gpu::rcs();
    // A 2D R32_UINT 4×4 image of 10s. Two threads add 1 + lane at (lane % 4, lane / 4 + 2)
    // (rows 2, 3 in range, lanes 0..7 land on 8 texels) and get the old values; then lane 0
    // of each thread swaps texel (0, 0) from 10 to 77 (only the first succeeds).
    let mut k = lanes(11);
    let atomic = |op: u32, mlen: u32| mlen << 25 | 1 << 20 | 0x6 << 14 | 1 << 13 | op << 8 | 1;
    k.extend([
        op2(eu::op::AND, 40, 11, ud(3)),
        op2(eu::op::SHR, 41, 11, ud(2)),
        op2(eu::op::ADD, 41, 41, ud(2)),
        op2(eu::op::ADD, 42, 11, ud(1)),
        eu::send(8, 12, Some(50), 40, atomic(7, 3), false, C),
        mov(40, ud(0)),
        mov(41, ud(0)),
        mov(42, ud(10)),
        mov(43, ud(77)),
        eu::send(1, 12, Some(51), 40, atomic(14, 4), false, C),
        // Outside: (9, 9) adds nothing and returns 0.
        mov(40, ud(9)),
        mov(41, ud(9)),
        eu::send(8, 12, Some(52), 40, atomic(5, 2), false, C),
    ]);
    // Each thread dumps to its own rows: row = 3 × thread index.
    k.extend([
        op2(eu::op::SHL, 44, 11, ud(2)),
        eu::alu(
            eu::op::MUL,
            8,
            dst(46, 0, ty::UD),
            scalar(0, 2, ty::UD),
            Some(ud(96)),
            C,
        ),
        op2(eu::op::ADD, 44, 44, vec8(46, 0, ty::UD)),
    ]);
    for (n, reg) in [50u32, 51, 52].iter().enumerate() {
        k.extend([
            op2(eu::op::ADD, 47, 44, ud(32 * n as u32)),
            mov(48, vec8(*reg, 0, ty::UD)),
            eu::send(8, 12, None, 47, untyped_write8(2), false, C),
        ]);
    }
    k.extend(eu::eot());
    more_surfaces(
        &gpu,
        image(IMAGE, R32_UINT, (4, 4, 1), 16, 0),
        Some(buffer(OUT, 0x1ff, 4096)),
    );
    gpu.put(IMAGE, &[10; 16]);
    gpu.put(OUT, &[0xffff_ffff; 48]);
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 2, None), Outcome::Completed);

    for i in 0..16u32 {
        let want = match i {
            0 => 77,
            8..=15 => 10 + 2 * (i - 8 + 1),
            _ => 10,
        };
        assert_eq!(gpu.get(IMAGE + 4 * u64::from(i)), want, "texel {i}");
    }
    for t in 0..2u64 {
        let row = |n: u64, l: u64| gpu.get(OUT + 96 * t + 32 * n + 4 * l);
        for l in 0..8u64 {
            let old = 10 + t as u32 * (l as u32 + 1);
            assert_eq!(row(0, l), old, "add return, thread {t} lane {l}");
            assert_eq!(row(2, l), 0, "outside return, thread {t} lane {l}");
        }
        // Only lane 0 ran the compare-exchange: the first thread saw 10, the second 77.
        assert_eq!(
            row(1, 0),
            if t == 0 { 10 } else { 77 },
            "cmpxchg, thread {t}"
        );
    }
}

#[test]
fn oword_block_reads_and_writes_move_whole_blocks() {
    let gpu = Gpu::rcs();
    // A constant buffer of 64 dwords (i × 3) at binding table entry 1; reads: 2 OWords at
    // OWord 3, 1 OWord high at OWord 1, 4 OWords unaligned at byte 20, 1 OWord at OWord 15
    // (half past the end: zeros); each result written with an OWord block write into the
    // RAW buffer at entry 2, and a stateless read of 1 OWord at OUT + 0x400 (via General
    // State Base 0 and a header base of 0).
    let block = |bs: u32, ty_: u32, rlen: u32, mlen: u32, bti: u32| {
        mlen << 25 | rlen << 20 | 1 << 19 | ty_ << 14 | bs << 8 | bti
    };
    let hdr = |off: u32| {
        vec![
            eu::mov(8, dst(40, 0, ty::UD), ud(0), NM),
            eu::mov(1, dst(40, 2, ty::UD), ud(off), NM),
        ]
    };
    let mut k = lanes(11);
    // (OWord offset in the header, response register, descriptor) of each read.
    let reads = [
        (3, 50, block(2, 0, 1, 1, 1)),
        (1, 51, block(1, 0, 1, 1, 1)),
        (20, 52, block(3, 1, 2, 1, 1)),
        (15, 54, block(2, 0, 1, 1, 1)),
        ((OUT as u32 + 0x400) / 16, 55, block(0, 0, 1, 1, 0xff)),
    ];
    for (off, to, desc) in reads {
        k.extend(hdr(off));
        k.push(eu::send(8, 10, Some(to), 40, desc, false, NM));
    }
    // Write r50..r55 (6 registers, 12 OWords) at OWord 0 of entry 2: header r60, data r61..
    k.push(eu::mov(8, dst(60, 0, ty::UD), ud(0), NM));
    for r in 0..6 {
        k.push(eu::mov(
            8,
            dst(61 + r, 0, ty::UD),
            vec8(50 + r, 0, ty::UD),
            NM,
        ));
    }
    k.push(eu::send(8, 10, None, 60, block(4, 8, 0, 5, 2), false, NM));
    k.push(eu::mov(1, dst(60, 2, ty::UD), ud(8), NM));
    k.push(eu::mov(8, dst(61, 0, ty::UD), vec8(65, 0, ty::UD), NM));
    k.push(eu::mov(8, dst(62, 0, ty::UD), vec8(66, 0, ty::UD), NM));
    k.push(eu::send(8, 10, None, 60, block(3, 8, 0, 3, 2), false, NM));
    k.extend(eu::eot());
    let cb: Vec<u32> = (0..64).map(|i| i * 3).collect();
    gpu.put(IMAGE, &cb);
    gpu.put(OUT + 0x400, &[0x11, 0x22, 0x33, 0x44]);
    // Registers start as zero; the OWord-high read leaves r51's low half as it was.
    more_surfaces(
        &gpu,
        buffer(IMAGE, 0x1ff, 256),
        Some(buffer(OUT, 0x1ff, 1024)),
    );
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 1, None), Outcome::Completed);

    let cbd = |i: u32| if i < 64 { i * 3 } else { 0 };
    // Per result dword: the constant buffer dword it holds (None: zero).
    let src = |i: u32| -> Option<u32> {
        match i {
            0..=7 => Some(12 + i),
            12..=15 => Some(4 + i - 12),
            16..=31 => Some(5 + i - 16),
            32..=39 => Some(60 + i - 32),
            _ => None,
        }
    };
    let mut want: Vec<u32> = (0..48).map(|i| src(i).map_or(0, cbd)).collect();
    want[40..44].copy_from_slice(&[0x11, 0x22, 0x33, 0x44]);
    for (i, &w) in want.iter().enumerate() {
        assert_eq!(gpu.get(OUT + 4 * i as u64), w, "dword {i}");
    }
}

#[test]
fn scratch_block_messages_use_each_threads_scratch_space() {
    // Two SIMD8 threads spill 2 registers (lane + 100 × thread, and its square) at
    // HWord offset 3 of their scratch space, clobber them, read them back, and write
    // them out. Scratch: 1 KiB per thread at General State Base + SCRATCH.
    const SCRATCH: u32 = 0x14_0000;
    let gpu = Gpu::rcs();
    let scratch = |write: bool, regs_log2: u32, off: u32, mlen: u32, rlen: u32| {
        mlen << 25 | rlen << 20 | 1 << 19 | 1 << 18 | u32::from(write) << 17 | regs_log2 << 12 | off
    };
    let mut k = lanes(11);
    k.extend([
        eu::alu(
            eu::op::MUL,
            8,
            dst(12, 0, ty::UD),
            scalar(0, 2, ty::UD),
            Some(ud(100)),
            C,
        ),
        op2(eu::op::ADD, 21, 11, vec8(12, 0, ty::UD)),
        op2(eu::op::MUL, 22, 21, vec8(21, 0, ty::UD)),
        eu::mov(8, dst(20, 0, ty::UD), vec8(0, 0, ty::UD), NM),
        eu::send(16, 10, None, 20, scratch(true, 1, 3, 3, 0), false, NM),
        mov(21, ud(0)),
        mov(22, ud(0)),
        eu::send(16, 10, Some(30), 20, scratch(false, 1, 3, 1, 2), false, NM),
    ]);
    k.extend([
        op2(eu::op::SHL, 44, 11, ud(2)),
        eu::alu(
            eu::op::MUL,
            8,
            dst(46, 0, ty::UD),
            scalar(0, 2, ty::UD),
            Some(ud(64)),
            C,
        ),
        op2(eu::op::ADD, 44, 44, vec8(46, 0, ty::UD)),
        mov(45, vec8(30, 0, ty::UD)),
        eu::send(8, 12, None, 44, untyped_write8(2), false, C),
        op2(eu::op::ADD, 44, 44, ud(32)),
        mov(45, vec8(31, 0, ty::UD)),
        eu::send(8, 12, None, 44, untyped_write8(2), false, C),
    ]);
    k.extend(eu::eot());
    more_surfaces(
        &gpu,
        buffer(IMAGE, 0x1ff, 64),
        Some(buffer(OUT, 0x1ff, 1024)),
    );
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 2, Some([SCRATCH, 0])), Outcome::Completed);
    for t in 0..2u64 {
        for l in 0..8u64 {
            let v = (l + 100 * t) as u32;
            let at = u64::from(SCRATCH) + 1024 * t + 3 * 32 + 4 * l;
            assert_eq!(gpu.get(at), v, "scratch, thread {t} lane {l}");
            assert_eq!(gpu.get(at + 32), v * v, "scratch, thread {t} lane {l}");
            assert_eq!(gpu.get(OUT + 64 * t + 4 * l), v, "read back");
            assert_eq!(gpu.get(OUT + 64 * t + 32 + 4 * l), v * v, "read back");
        }
    }
}

#[test]
fn scratch_writes_keep_the_dwords_of_disabled_channels() {
    // A predicated SIMD8 spill of one register: lanes where lane is odd only.
    const SCRATCH: u32 = 0x14_0000;
    let gpu = Gpu::rcs();
    let mut k = lanes(11);
    k.extend([
        op2(eu::op::AND, 13, 11, ud(1)),
        eu::alu(
            eu::op::CMP,
            8,
            eu::null_dst(ty::UD),
            vec8(13, 0, ty::UD),
            Some(ud(1)),
            Ctl { cond: 1, ..C },
        ),
        eu::mov(8, dst(20, 0, ty::UD), vec8(0, 0, ty::UD), NM),
        op2(eu::op::ADD, 21, 11, ud(500)),
        eu::send(
            8,
            10,
            None,
            20,
            2 << 25 | 1 << 19 | 1 << 18 | 1 << 17,
            false,
            Ctl { pred: 1, ..C },
        ),
    ]);
    k.extend(eu::eot());
    gpu.put(u64::from(SCRATCH), &[7; 8]);
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 1, Some([SCRATCH, 0])), Outcome::Completed);
    for l in 0..8u32 {
        let want = if l % 2 == 1 { 500 + l } else { 7 };
        assert_eq!(
            gpu.get(u64::from(SCRATCH) + 4 * u64::from(l)),
            want,
            "lane {l}"
        );
    }
}

#[test]
fn dword_scattered_and_stateless_headers_match_a_cpu_model() {
    let gpu = Gpu::rcs();
    // DWord scattered write of 1000 + lane at dword offset 3 × lane of a 16-dword buffer
    // (lanes 6, 7 outside), a read of dword (lane × 5) % 19 (some outside), and a stateless
    // untyped write with a header whose base (r0.5-style, bits 31:10) is OUT + 0x800.
    let scattered = |write: bool, mlen: u32, rlen: u32, bti: u32| {
        let t = if write { 0xb } else { 0x3 };
        mlen << 25 | rlen << 20 | t << 14 | 1 << 9 | bti
    };
    let mut k = lanes(11);
    k.extend([
        op2(eu::op::MUL, 40, 11, ud(3)),
        op2(eu::op::ADD, 41, 11, ud(1000)),
        eu::send(8, 10, None, 40, scattered(true, 2, 0, 1), false, C),
        op2(eu::op::MUL, 40, 11, ud(5)),
        eu::send(8, 10, Some(50), 40, scattered(false, 1, 1, 1), false, C),
        eu::mov(8, dst(42, 0, ty::UD), ud(0), NM),
        eu::mov(1, dst(42, 5, ty::UD), ud(OUT as u32 + 0x800), NM),
        op2(eu::op::SHL, 43, 11, ud(2)),
        mov(44, vec8(50, 0, ty::UD)),
        eu::send(
            8,
            12,
            None,
            42,
            3 << 25 | 1 << 19 | 0x9 << 14 | 2 << 12 | 0xe << 8 | 0xff,
            false,
            C,
        ),
    ]);
    k.extend(eu::eot());
    let init: Vec<u32> = (0..16).map(|i| i * 11).collect();
    gpu.put(IMAGE, &init);
    more_surfaces(
        &gpu,
        buffer(IMAGE, 0x1ff, 64),
        Some(buffer(OUT, 0x1ff, 1024)),
    );
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 1, None), Outcome::Completed);
    let mut buf = init.clone();
    for l in 0..8u32 {
        if 3 * l < 16 {
            buf[(3 * l) as usize] = 1000 + l;
        }
    }
    for (i, &v) in buf.iter().enumerate() {
        assert_eq!(gpu.get(IMAGE + 4 * i as u64), v, "dword {i}");
    }
    // The buffer is 64 bytes: dword 16 and past read zero.
    for l in 0..8u32 {
        let i = (5 * l) as usize;
        let want = if i < 16 { buf[i] } else { 0 };
        assert_eq!(gpu.get(OUT + 0x800 + 4 * u64::from(l)), want, "lane {l}");
    }
}

#[test]
fn typed_r16_uint_clamps_and_typed_reads_of_float_images_convert() {
    let gpu = Gpu::rcs();
    // R16_UINT buffer of 8: lane × 20000 (clamped at 65535); R32_FLOAT 2D array 2×1×2:
    // slice 1 read through R.
    let mut k = lanes(11);
    k.extend([
        mov(40, vec8(11, 0, ty::UD)),
        op2(eu::op::MUL, 41, 11, ud(20000)),
        eu::send(8, 12, None, 40, typed_write(2, 0xe, 0), false, C),
        op2(eu::op::AND, 30, 11, ud(1)),
        mov(31, ud(0)),
        op2(eu::op::SHR, 32, 11, ud(1)),
        eu::send(8, 12, Some(50), 30, typed_read(3, 1, 0xe, 1), false, C),
    ]);
    k.extend(dump(50, 0));
    k.extend(eu::eot());
    let mut img = image(IMAGE, R32_FLOAT, (2, 1, 2), 8, 0);
    img[1] = 1; // QPitch: 4 rows
    gpu.put(IMAGE, &[1.5f32.to_bits(), 2.5f32.to_bits()]);
    gpu.put(IMAGE + 32, &[3.5f32.to_bits(), 4.5f32.to_bits()]);
    more_surfaces(&gpu, img, Some(buffer(OUT, 0x1ff, 1024)));
    assert_eq!(
        run(&gpu, &k, buffer(TARGET, R16_UINT, 8), 1, None),
        Outcome::Completed
    );
    for l in 0..8u32 {
        let v = gpu.get(TARGET + 2 * u64::from(l & !1)) >> (16 * (l % 2)) & 0xffff;
        assert_eq!(v, (l * 20000).min(65535), "lane {l}");
        let want = match l {
            0 => 1.5,
            1 => 2.5,
            2 => 3.5,
            3 => 4.5,
            _ => 0.0,
        };
        assert_eq!(
            f32::from_bits(gpu.get(OUT + 4 * u64::from(l))),
            want,
            "lane {l}"
        );
    }
}

#[test]
fn data_port_messages_the_model_lacks_hang_naming_them() {
    // (surface 1, the message, what the hang names)
    let cases: Vec<([u32; 16], [u32; 4], &str)> = vec![
        (
            image(IMAGE, 0x0c8, (4, 4, 1), 16, 0),
            eu::send(8, 12, None, 40, typed_write(3, 0xe, 1), false, C),
            "typed message on surface format 0xc8",
        ),
        (
            image(IMAGE, R32_FLOAT, (4, 4, 1), 16, 0),
            eu::send(8, 12, None, 40, 3 << 25 | 0x6 << 14 | 7 << 8 | 1, false, C),
            "typed atomic on surface format 0xd8",
        ),
        (
            image(IMAGE, R32_UINT, (4, 4, 1), 16, 0),
            eu::send(8, 12, None, 40, typed_write(6, 0xe, 1), false, C),
            "typed message of 6 registers",
        ),
        (
            buffer(IMAGE, R32_UINT, 16),
            eu::send(8, 12, None, 40, typed_write(5, 0xe, 1), false, C),
            "mip level 7 of a Buffer surface",
        ),
        (
            {
                let mut s = image(IMAGE, R32_UINT, (4, 4, 2), 16, 0);
                s[4] = 1 << 18;
                s
            },
            eu::send(8, 12, None, 40, typed_write(3, 0xe, 1), false, C),
            "from array element 1",
        ),
        (
            {
                let mut s = image(IMAGE, R32_UINT, (4, 1, 2), 16, 0);
                s[0] &= !(7 << 29);
                s
            },
            eu::send(8, 12, None, 40, typed_write(3, 0xe, 1), false, C),
            "1D array",
        ),
        (
            {
                let mut s = image(IMAGE, R32_UINT, (4, 4, 1), 16, 0);
                s[0] |= 3 << 29;
                s
            },
            eu::send(8, 12, None, 40, typed_write(3, 0xe, 1), false, C),
            "cube",
        ),
        (
            {
                let mut s = image(IMAGE, R32_UINT, (4, 4, 1), 16, 0);
                s[4] = 2 << 3;
                s
            },
            eu::send(8, 12, None, 40, typed_write(3, 0xe, 1), false, C),
            "surface of 4 samples",
        ),
        (
            image(IMAGE, R32_UINT, (4, 4, 1), 16, 0),
            eu::send(
                8,
                12,
                None,
                40,
                typed_write(3, 0xe, 1) & !(3 << 12),
                false,
                C,
            ),
            "SIMD4x2 typed message",
        ),
        (
            buffer(IMAGE, 0x1ff, 64),
            eu::send(
                8,
                10,
                Some(50),
                40,
                1 << 25 | 1 << 20 | 5 << 8 | 1,
                false,
                NM,
            ),
            "OWord block message without a header",
        ),
        (
            buffer(IMAGE, 0x1ff, 64),
            eu::send(
                8,
                12,
                Some(50),
                40,
                1 << 25 | 1 << 20 | 0x14 << 14 | 2 << 8 | 0xff,
                false,
                NM,
            ),
            "A64 OWord block message without a header",
        ),
        (
            buffer(IMAGE, 0x1ff, 64),
            eu::send(
                8,
                12,
                None,
                40,
                2 << 25 | 1 << 19 | 0x15 << 14 | 3 << 8 | 0xff,
                false,
                NM,
            ),
            "A64 OWord block write with a payload of 2 registers (needs 3)",
        ),
        (
            buffer(IMAGE, 0x1ff, 64),
            eu::send(
                8,
                10,
                None,
                40,
                2 << 25 | 1 << 19 | 1 << 18 | 1 << 17 | 1 << 12,
                false,
                NM,
            ),
            "scratch block write with a payload of 2 registers (needs 3)",
        ),
        (
            buffer(IMAGE, 0x1ff, 64),
            eu::send(
                8,
                10,
                None,
                40,
                2 << 25 | 1 << 19 | 8 << 14 | 3 << 8 | 1,
                false,
                NM,
            ),
            "OWord block write with a payload of 2 registers (needs 3)",
        ),
        (
            buffer(IMAGE, 0x1ff, 64),
            eu::send(16, 10, None, 40, 2 << 25 | 0xb << 14 | 1 << 8 | 1, false, C),
            "scattered message with a payload of 2 registers (needs 4)",
        ),
        (
            buffer(IMAGE, 0x1ff, 64),
            eu::send(
                8,
                10,
                Some(50),
                40,
                1 << 25 | 1 << 20 | 1 << 19 | 5 << 8 | 1,
                false,
                NM,
            ),
            "OWord block size 5",
        ),
        (
            buffer(IMAGE, 0x1ff, 64),
            eu::send(8, 10, Some(50), 40, 1 << 25 | 1 << 20 | 1 << 18, false, NM),
            "scratch block message without a header",
        ),
        (
            buffer(IMAGE, 0x1ff, 64),
            eu::send(
                8,
                10,
                Some(50),
                40,
                2 << 25 | 1 << 20 | 1 << 19 | 3 << 14 | 1,
                false,
                C,
            ),
            "global offset 0x7",
        ),
        (
            buffer(IMAGE, 0x1ff, 64),
            eu::send(
                8,
                10,
                Some(50),
                40,
                2 << 25 | 1 << 20 | 2 << 14 | 1,
                false,
                C,
            ),
            "DC0 message type 0x2",
        ),
    ];
    for (surf, send, what) in cases {
        let gpu = Gpu::rcs();
        // Coordinates / header: r40 = 1 (and dword 2 = 7), r41..r45 = 7.
        let mut k = vec![mov(40, ud(1)), eu::mov(1, dst(40, 2, ty::UD), ud(7), NM)];
        for r in 41..46 {
            k.push(mov(r, ud(7)));
        }
        k.push(send);
        k.extend(eu::eot());
        more_surfaces(&gpu, surf, None);
        let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
        let why = hang_reason(run(&gpu, &k, s0, 1, None));
        assert!(why.contains(what), "{what}: {why}");
    }
}

/// `r{nr}.{sub}<2>` of dwords: the low (sub 0) or high (sub 1) halves of 8 qwords.
fn qword_half(nr: u32, sub: u32) -> eu::D {
    eu::D {
        hs: 2,
        ..dst(nr, sub, ty::UD)
    }
}

#[test]
fn a64_64_bit_atomics_add_and_compare_exchange_qwords() {
    let gpu = Gpu::rcs();
    // Qword l at OUT: 0xffff_ffff + l. Add (1 << 32) + 1 to each (a carry into the high
    // half), returning the old qwords; then compare 0x2_0000_0003 and write
    // 0x5555_0000_0001 (only qword 3 matches).
    let atomic64 =
        |op: u32, mlen: u32| mlen << 25 | 2 << 20 | 0x12 << 14 | 1 << 13 | 1 << 12 | op << 8 | 0xff;
    let mut k = lanes(11);
    k.extend([
        op2(eu::op::SHL, 12, 11, ud(3)),
        eu::alu(
            eu::op::ADD,
            8,
            qword_half(40, 0),
            vec8(12, 0, ty::UD),
            Some(ud(OUT as u32)),
            C,
        ),
        eu::mov(8, qword_half(40, 1), ud(0), C),
        eu::mov(8, qword_half(42, 0), ud(1), C),
        eu::mov(8, qword_half(42, 1), ud(1), C),
        eu::send(8, 12, Some(50), 40, atomic64(7, 4), false, C),
        eu::mov(8, qword_half(42, 0), ud(3), C),
        eu::mov(8, qword_half(42, 1), ud(2), C),
        eu::mov(8, qword_half(44, 0), ud(1), C),
        eu::mov(8, qword_half(44, 1), ud(0x5555), C),
        eu::send(8, 12, Some(52), 40, atomic64(14, 6), false, C),
    ]);
    for (row, reg) in [50u32, 51, 52, 53].iter().enumerate() {
        k.extend([
            op2(eu::op::SHL, 44, 11, ud(2)),
            op2(eu::op::ADD, 44, 44, ud(0x400 + 32 * row as u32)),
            mov(45, vec8(*reg, 0, ty::UD)),
            eu::send(8, 12, None, 44, untyped_write8(2), false, C),
        ]);
    }
    k.extend(eu::eot());
    for l in 0..8u64 {
        let v = 0xffff_ffff + l;
        gpu.put(OUT + 8 * l, &[v as u32, (v >> 32) as u32]);
    }
    more_surfaces(
        &gpu,
        buffer(IMAGE, 0x1ff, 64),
        Some(buffer(OUT, 0x1ff, 4096)),
    );
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 1, None), Outcome::Completed);
    for l in 0..8u64 {
        let old = 0xffff_ffff + l;
        let added = old + (1 << 32) + 1;
        let want = if added == 0x2_0000_0003 {
            0x5555_0000_0001
        } else {
            added
        };
        assert_eq!(gpu.get64(OUT + 8 * l), want, "qword {l}");
        let ret = |i: u64| gpu.get(OUT + 0x400 + 4 * i) as u64;
        assert_eq!(ret(2 * l) | ret(2 * l + 1) << 32, old, "add return {l}");
        let ret2 = |i: u64| gpu.get(OUT + 0x440 + 4 * i) as u64;
        assert_eq!(
            ret2(2 * l) | ret2(2 * l + 1) << 32,
            added,
            "cmpxchg return {l}"
        );
    }
}

/// The CPU model of the float atomics: NaN loses to a number, -0 < +0.
fn fminmax(max: bool, old: f32, a: f32) -> f32 {
    if old.is_nan() {
        return a;
    }
    if a.is_nan() {
        return old;
    }
    let key = |x: f32| (x, x.is_sign_positive());
    let (ko, ka) = (key(old), key(a));
    let a_wins = if max { ka > ko } else { ka < ko };
    if a_wins {
        a
    } else {
        old
    }
}

#[test]
fn float_atomics_order_nans_and_signed_zeros() {
    let gpu = Gpu::rcs();
    let old = [1.0f32, -2.0, f32::NAN, -0.0, 5.0, 0.0, 3.0, 7.0];
    let a = [0.5f32, -1.0, 4.0, 0.0, f32::NAN, -0.0, 3.0, 8.0];
    let b = [9.0f32; 8];
    // Buffer at entry 1: old values three times (FMAX, FMIN, FCMPWR), then the
    // operands a at 0x100 and b at 0x120; the A64 float FMAX works on OUT + 0x200.
    let float_atomic =
        |op: u32, mlen: u32| mlen << 25 | 1 << 20 | 0x1b << 14 | 1 << 13 | 1 << 12 | op << 8 | 1;
    let read8 = |bti: u32| 1 << 25 | 1 << 20 | 0x1 << 14 | 2 << 12 | 0xe << 8 | bti;
    let mut k = lanes(11);
    k.extend([
        op2(eu::op::SHL, 12, 11, ud(2)),
        op2(eu::op::ADD, 13, 12, ud(0x100)),
        eu::send(8, 12, Some(41), 13, read8(1), false, C),
        op2(eu::op::ADD, 13, 12, ud(0x120)),
        eu::send(8, 12, Some(42), 13, read8(1), false, C),
        mov(40, vec8(12, 0, ty::UD)),
        eu::send(8, 12, Some(50), 40, float_atomic(1, 2), false, C),
        op2(eu::op::ADD, 40, 12, ud(32)),
        eu::send(8, 12, Some(51), 40, float_atomic(2, 2), false, C),
        op2(eu::op::ADD, 40, 12, ud(64)),
        eu::send(8, 12, Some(52), 40, float_atomic(3, 3), false, C),
        // A64 FMAX: addresses OUT + 0x200 + 4 × lane as qwords, then a.
        eu::alu(
            eu::op::ADD,
            8,
            qword_half(60, 0),
            vec8(12, 0, ty::UD),
            Some(ud(OUT as u32 + 0x200)),
            C,
        ),
        eu::mov(8, qword_half(60, 1), ud(0), C),
        mov(62, vec8(41, 0, ty::UD)),
        eu::send(
            8,
            12,
            None,
            60,
            3 << 25 | 0x1d << 14 | 1 << 8 | 0xff,
            false,
            C,
        ),
    ]);
    for (row, reg) in [50u32, 51, 52].iter().enumerate() {
        k.extend(dump(*reg, row as u32));
    }
    k.extend(eu::eot());
    let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<u32>>();
    for i in 0..3 {
        gpu.put(IMAGE + 32 * i, &bits(&old));
    }
    gpu.put(IMAGE + 0x100, &bits(&a));
    gpu.put(IMAGE + 0x120, &bits(&b));
    gpu.put(OUT + 0x200, &bits(&old));
    more_surfaces(
        &gpu,
        buffer(IMAGE, 0x1ff, 0x200),
        Some(buffer(OUT, 0x1ff, 4096)),
    );
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 1, None), Outcome::Completed);
    let got = |at: u64| f32::from_bits(gpu.get(at));
    for l in 0..8usize {
        let o = 4 * l as u64;
        let max = fminmax(true, old[l], a[l]);
        let min = fminmax(false, old[l], a[l]);
        assert_eq!(got(IMAGE + o).to_bits(), max.to_bits(), "fmax {l}");
        assert_eq!(got(IMAGE + 32 + o).to_bits(), min.to_bits(), "fmin {l}");
        assert_eq!(
            got(OUT + 0x200 + o).to_bits(),
            max.to_bits(),
            "a64 fmax {l}"
        );
        let cmp = if old[l] == a[l] { b[l] } else { old[l] };
        assert_eq!(got(IMAGE + 64 + o).to_bits(), cmp.to_bits(), "fcmpwr {l}");
        for row in 0..3u64 {
            assert_eq!(
                gpu.get(OUT + 32 * row + o),
                old[l].to_bits(),
                "return {row} {l}"
            );
        }
    }
}

#[test]
fn bindless_surfaces_come_from_the_extended_descriptor() {
    // An untyped write through binding table index 252 with the extended descriptor in
    // a0.2: bits 31:12 are the surface state's offset from the bindless base (0 here)
    // in 64-byte units. The surface is a 32-byte buffer at OUT: lanes past it drop.
    let gpu = Gpu::rcs();
    let state = BASE + SURFACE_STATE as u64 + 0x80;
    let mut to_a0 = eu::mov(1, dst(0, 2, ty::UD), ud(((state >> 6) << 12) as u32), NM);
    to_a0[1] = (to_a0[1] & !(0xff << 24) & !(1 << 18)) | 0x10 << 24;
    let mut send = eu::send(8, 12, None, 40, untyped_write8(252), false, C);
    send[1] |= 1 << (49 - 32);
    send[1] = send[1] & !(7 << (40 - 32)) | 2 << (40 - 32);
    let mut k = lanes(11);
    k.extend([
        op2(eu::op::SHL, 40, 11, ud(3)),
        op2(eu::op::ADD, 41, 11, ud(900)),
        to_a0,
        send,
    ]);
    k.extend(eu::eot());
    more_surfaces(&gpu, buffer(IMAGE, 0x1ff, 64), Some(buffer(OUT, 0x1ff, 32)));
    gpu.put(OUT, &[1; 16]);
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 1, None), Outcome::Completed);
    for i in 0..16u32 {
        let want = if i % 2 == 0 && i < 8 { 900 + i / 2 } else { 1 };
        assert_eq!(gpu.get(OUT + 4 * u64::from(i)), want, "dword {i}");
    }
}

#[test]
fn atomic_operations_that_do_not_exist_hang() {
    for (desc, what) in [
        (
            4 << 25 | 2 << 20 | 0x12 << 14 | 1 << 12 | 0xff,
            "64-bit atomic operation 0",
        ),
        (
            2 << 25 | 0x1b << 14 | 1 << 12 | 1,
            "float atomic operation 0",
        ),
    ] {
        let gpu = Gpu::rcs();
        let mut k = vec![mov(40, ud(0)), mov(41, ud(0))];
        k.push(eu::send(8, 12, Some(50), 40, desc, false, C));
        k.extend(eu::eot());
        more_surfaces(&gpu, buffer(IMAGE, 0x1ff, 64), None);
        let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
        let why = hang_reason(run(&gpu, &k, s0, 1, None));
        assert!(why.contains(what), "{what}: {why}");
    }
}

#[test]
fn typed_messages_reach_mip_levels_from_the_views_first_level() {
    // A 2D R32_UINT 6×5 image with 3 levels, HALIGN/VALIGN 4, pitch 64, linear: level 1
    // (3×2) starts at row 8, level 2 (1×1) at element 4 of row 8. The view starts at
    // level 1 (Surface Min LOD); lanes write 50 + lane at (lane % 4, lane / 4) of LOD 0
    // (view level 1) and 70 + lane at (lane, 0) of LOD 1 (level 2).
    let gpu = Gpu::rcs();
    let mut k = lanes(11);
    k.extend([
        op2(eu::op::AND, 40, 11, ud(3)),
        op2(eu::op::SHR, 41, 11, ud(2)),
        mov(42, ud(0)),
        mov(43, ud(0)),
        op2(eu::op::ADD, 44, 11, ud(50)),
        eu::send(8, 12, None, 40, typed_write(5, 0xe, 1), false, C),
        mov(40, vec8(11, 0, ty::UD)),
        mov(41, ud(0)),
        mov(43, ud(1)),
        op2(eu::op::ADD, 44, 11, ud(70)),
        eu::send(8, 12, None, 40, typed_write(5, 0xe, 1), false, C),
    ]);
    k.extend(eu::eot());
    let mut img = image(IMAGE, R32_UINT, (6, 5, 1), 64, 0);
    img[0] |= 1 << 16 | 1 << 14;
    img[5] = 1 << 4 | 2;
    more_surfaces(&gpu, img, None);
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 1, None), Outcome::Completed);
    let mut want = vec![0u32; 16 * 10];
    for l in 0..8u32 {
        let (x, y) = (l % 4, l / 4);
        if x < 3 && y < 2 {
            want[((8 + y) * 16 + x) as usize] = 50 + l;
        }
    }
    want[(8 * 16 + 4) as usize] = 70;
    for (i, &w) in want.iter().enumerate() {
        assert_eq!(
            gpu.get(IMAGE + 4 * i as u64),
            w,
            "element {} of row {}",
            i % 16,
            i / 16
        );
    }
}

/// `send` made a split send: its second payload part is `ex_mlen` registers at r{src1}.
fn split(mut w: [u32; 4], src1: u32, ex_mlen: u32) -> [u32; 4] {
    w[3] |= 1 << 2 | src1 << 8 | ex_mlen << 3;
    w
}

#[test]
fn split_sends_carry_typed_data_and_stateless_addresses_in_the_second_part() {
    // As Mesa emits them on Gen12: a typed write of R, G (coordinates U, V in r40-41, data
    // in r60-61) to an R16G16_UINT 4×2 image; a stateless untyped read with its header in
    // the first part and the addresses in the second.
    let gpu = Gpu::rcs();
    let mut k = lanes(11);
    k.extend([
        op2(eu::op::AND, 40, 11, ud(3)),
        op2(eu::op::SHR, 41, 11, ud(2)),
        op2(eu::op::ADD, 60, 11, ud(10)),
        op2(eu::op::ADD, 61, 11, ud(20)),
        split(
            eu::send(
                8,
                12,
                None,
                40,
                2 << 25 | 0xd << 14 | 1 << 12 | 0xc << 8 | 1,
                false,
                C,
            ),
            60,
            2,
        ),
        eu::mov(8, dst(42, 0, ty::UD), ud(0), NM),
        eu::mov(1, dst(42, 5, ty::UD), ud(IMAGE as u32), NM),
        op2(eu::op::SHL, 62, 11, ud(2)),
        split(
            eu::send(
                8,
                12,
                Some(50),
                42,
                1 << 25 | 1 << 20 | 1 << 19 | 0x1 << 14 | 2 << 12 | 0xe << 8 | 0xfd,
                false,
                C,
            ),
            62,
            1,
        ),
    ]);
    k.extend(dump(50, 0));
    k.extend(eu::eot());
    more_surfaces(
        &gpu,
        image(IMAGE, 0x0cf, (4, 2, 1), 16, 0),
        Some(buffer(OUT, 0x1ff, 1024)),
    );
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 1, None), Outcome::Completed);
    for l in 0..8u32 {
        let texel = gpu.get(IMAGE + 4 * u64::from(l));
        assert_eq!(texel, (10 + l) | (20 + l) << 16, "texel {l}");
        assert_eq!(gpu.get(OUT + 4 * u64::from(l)), texel, "stateless read {l}");
    }
}

#[test]
fn a64_oword_blocks_read_and_write_at_flat_addresses() {
    // Read 4 OWords at IMAGE + 0x40 (aligned), 2 OWords unaligned at IMAGE + 0x14, then
    // write the first register of each read (4 OWords) at OUT + 0x100.
    let gpu = Gpu::rcs();
    let a64 = |ty_: u32, bs: u32, unaligned: bool, mlen: u32, rlen: u32| {
        mlen << 25 | rlen << 20 | 1 << 19 | ty_ << 14 | u32::from(unaligned) << 11 | bs << 8 | 0xff
    };
    let hdr = |addr: u64| {
        vec![
            eu::mov(8, dst(40, 0, ty::UD), ud(0), NM),
            eu::mov(1, dst(40, 0, ty::UD), ud(addr as u32), NM),
            eu::mov(1, dst(40, 1, ty::UD), ud((addr >> 32) as u32), NM),
        ]
    };
    let mut k = hdr(IMAGE + 0x40);
    k.push(eu::send(
        8,
        12,
        Some(50),
        40,
        a64(0x14, 3, false, 1, 2),
        false,
        NM,
    ));
    k.extend(hdr(IMAGE + 0x14));
    k.push(eu::send(
        8,
        12,
        Some(52),
        40,
        a64(0x14, 2, true, 1, 1),
        false,
        NM,
    ));
    k.extend(hdr(OUT + 0x100));
    k.extend([
        eu::mov(8, dst(41, 0, ty::UD), vec8(50, 0, ty::UD), NM),
        eu::mov(8, dst(42, 0, ty::UD), vec8(52, 0, ty::UD), NM),
        eu::send(8, 12, None, 40, a64(0x15, 3, false, 3, 0), false, NM),
    ]);
    k.extend(eu::eot());
    let data: Vec<u32> = (0..64).map(|i| 0x100 + i).collect();
    gpu.put(IMAGE, &data);
    let s0 = surface_state(TARGET, 64, 1, 64, 0, true);
    assert_eq!(run(&gpu, &k, s0, 1, None), Outcome::Completed);
    for i in 0..8u32 {
        assert_eq!(
            gpu.get(OUT + 0x100 + 4 * u64::from(i)),
            0x100 + 16 + i,
            "dword {i}"
        );
        assert_eq!(
            gpu.get(OUT + 0x120 + 4 * u64::from(i)),
            0x100 + 5 + i,
            "dword {}",
            8 + i
        );
    }
}
