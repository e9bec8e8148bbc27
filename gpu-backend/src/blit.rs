//! The 2D blitter: XY_SRC_COPY_BLT, XY_COLOR_BLT, XY_FAST_COPY_BLT and XY_BLOCK_COPY_BLT
//! (XY_SETUP_CLIP_BLT only sets the context's clip rectangle, see the executor).
//!
//! - XY_SRC_COPY_BLT (10 dwords): 8/16/32 bpp, any ROP3 that does not use the pattern
//!   (0xCC copy on the fast path), 32-bpp RGB/alpha write masks, clipping. A tiled surface
//!   is X-major unless `BCS_SWCTRL` selects Y-major (bit 0 source, bit 1 destination).
//!   Pitches: bytes when linear (a negative pitch is refused), dwords when tiled.
//! - XY_COLOR_BLT (7 dwords): fills with the colour; any ROP3 that does not use the source
//!   (0xF0 pattern copy on the fast path); destination tiling as for XY_SRC_COPY.
//! - XY_FAST_COPY_BLT (10 dwords): a plain copy of 8..128 bpp between linear, X, Y and TileYf
//!   surfaces. On Gen9 to Gen12.0 the D1 "Tile Y type" bits (31 source, 30 destination)
//!   turn tiling mode 2 from legacy Y into TileYf, whose shape follows the colour depth;
//!   they mean Tile4 only from Gen12.5, which Tiger Lake is not. Mode 3 (TileYs, 64 KB)
//!   hangs naming it.
//! - XY_BLOCK_COPY_BLT (12 dwords, Gen12): a plain copy of 8..128 bpp between linear, Y
//!   and Yf surfaces (see `block_copy` for what it refuses).
//!
//! Overlapping source and destination ranges behave as if the source were read completely
//! before the destination is written. Surfaces that are not directly accessible (userptr)
//! go through a bounce buffer: the extent is read, the rectangle computed on the host, and
//! only the rectangle's spans are written back.

use crate::decode::blt;
use crate::mem::{AddressSpace, DirectRange, Fault, GPU_ADDR_MASK};
use crate::regs::{ClipRect, BCS_DST_Y, BCS_SRC_Y};
use crate::tiling::{copy_rect, fill_rect, rop_rect, spans, Tiling, View};
use crate::HangReason;

/// What a blit does per pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// ROP 0xCC with every byte written: a copy.
    Copy,
    /// ROP 0xF0 with every byte written: a fill with `color`.
    Fill,
    /// Any other ROP3 or a partial write mask: the per-pixel path.
    Rop(u8),
}

#[derive(Clone, Copy, Debug)]
struct Surface {
    base: u64,
    pitch: u64,
    tiling: Tiling,
}

struct Blit {
    op: Op,
    cpp: u64,
    byte_mask: u32,
    dst: Surface,
    /// Destination rectangle in pixels: x1, y1, x2, y2 (exclusive).
    rect: (i32, i32, i32, i32),
    clip: bool,
    src: Option<(Surface, i32, i32)>,
    color: u32,
}

/// Whether `byte_mask` writes every byte of a `cpp`-byte pixel.
fn full(cpp: u64, byte_mask: u32) -> bool {
    let all = (1u32 << cpp) - 1;
    byte_mask & all == all
}

fn xy(dw: u32) -> (i32, i32) {
    (dw as u16 as i16 as i32, (dw >> 16) as u16 as i16 as i32)
}

/// A blit pitch field in bytes: every 2D command gives it in bytes for a linear surface
/// and in dwords for a tiled one.
fn pitch_bytes(field: u64, tiling: Tiling) -> u64 {
    if tiling == Tiling::Linear {
        field
    } else {
        field * 4
    }
}

fn addr(lo: u32, hi: u32) -> u64 {
    ((hi as u64) << 32 | lo as u64) & GPU_ADDR_MASK
}

/// Decodes one blit command. `swctrl` is the context's BCS_SWCTRL.
fn parse(op: u32, dw: &[u32], swctrl: u32) -> Result<Blit, HangReason> {
    let h = dw[0];
    let bad = |what| HangReason::Unsupported { header: h, what };
    let legacy_tiling = |tiled: bool, y_bit: u32| match (tiled, swctrl & y_bit != 0) {
        (false, _) => Tiling::Linear,
        (true, false) => Tiling::X,
        (true, true) => Tiling::Y,
    };
    let legacy_pitch = |raw: u32, tiling: Tiling| -> Result<u64, HangReason> {
        let p = raw as u16 as i16;
        if p < 0 {
            return Err(bad("negative blit pitch"));
        }
        Ok(pitch_bytes(p as u64, tiling))
    };
    let legacy_depth = |br13: u32| [1, 2, 2, 4][(br13 >> 24 & 3) as usize];
    let legacy_mask = |cpp: u64| match (cpp, h >> 20 & 3) {
        (4, 3) => 0xf,
        (4, 1) => 0x7,
        (4, 2) => 0x8,
        (4, _) => 0,
        _ => 0xffff,
    };
    match op {
        blt::XY_SRC_COPY => {
            if dw.len() != 10 {
                return Err(bad("XY_SRC_COPY_BLT length"));
            }
            let br13 = dw[1];
            let cpp = legacy_depth(br13);
            let rop = (br13 >> 16) as u8;
            if (rop >> 4 ^ rop) & 0xf != 0 {
                return Err(bad("XY_SRC_COPY_BLT ROP uses the pattern"));
            }
            let dst_tiling = legacy_tiling(h & 1 << 11 != 0, BCS_DST_Y);
            let src_tiling = legacy_tiling(h & 1 << 15 != 0, BCS_SRC_Y);
            let (sx, sy) = xy(dw[6]);
            let (x1, y1) = xy(dw[2]);
            let (x2, y2) = xy(dw[3]);
            let byte_mask = legacy_mask(cpp);
            Ok(Blit {
                op: if rop == 0xcc && full(cpp, byte_mask) {
                    Op::Copy
                } else {
                    Op::Rop(rop)
                },
                cpp,
                byte_mask,
                dst: Surface {
                    base: addr(dw[4], dw[5]),
                    pitch: legacy_pitch(br13, dst_tiling)?,
                    tiling: dst_tiling,
                },
                rect: (x1, y1, x2, y2),
                clip: br13 & 1 << 30 != 0,
                src: Some((
                    Surface {
                        base: addr(dw[8], dw[9]),
                        pitch: legacy_pitch(dw[7], src_tiling)?,
                        tiling: src_tiling,
                    },
                    sx,
                    sy,
                )),
                color: 0,
            })
        }
        blt::XY_COLOR => {
            if dw.len() != 7 {
                return Err(bad("XY_COLOR_BLT length"));
            }
            let br13 = dw[1];
            let cpp = legacy_depth(br13);
            let rop = (br13 >> 16) as u8;
            if (rop >> 2 ^ rop) & 0x33 != 0 {
                return Err(bad("XY_COLOR_BLT ROP uses the source"));
            }
            let tiling = legacy_tiling(h & 1 << 11 != 0, BCS_DST_Y);
            let (x1, y1) = xy(dw[2]);
            let (x2, y2) = xy(dw[3]);
            let byte_mask = legacy_mask(cpp);
            Ok(Blit {
                op: if rop == 0xf0 && full(cpp, byte_mask) {
                    Op::Fill
                } else {
                    Op::Rop(rop)
                },
                cpp,
                byte_mask,
                dst: Surface {
                    base: addr(dw[4], dw[5]),
                    pitch: legacy_pitch(br13, tiling)?,
                    tiling,
                },
                rect: (x1, y1, x2, y2),
                clip: br13 & 1 << 30 != 0,
                src: None,
                color: dw[6],
            })
        }
        blt::XY_FAST_COPY => {
            if dw.len() != 10 {
                return Err(bad("XY_FAST_COPY_BLT length"));
            }
            let cpp: u64 = match dw[1] >> 24 & 7 {
                0 => 1,
                1 => 2,
                3 => 4,
                4 => 8,
                5 => 16,
                _ => return Err(bad("XY_FAST_COPY_BLT colour depth")),
            };
            // Yf's tile shape depends on the element size, which is the colour depth.
            let yf = Tiling::Yf(cpp.trailing_zeros() as u8);
            let tiling = |mode: u32, new_y: bool| match (mode, new_y) {
                (0, _) => Ok(Tiling::Linear),
                (1, _) => Ok(Tiling::X),
                (2, false) => Ok(Tiling::Y),
                (2, true) => Ok(yf),
                _ => Err(bad("XY_FAST_COPY_BLT TileYs (64 KB tiled resource)")),
            };
            let dst_tiling = tiling(h >> 13 & 3, dw[1] & 1 << 30 != 0)?;
            let src_tiling = tiling(h >> 20 & 3, dw[1] & 1 << 31 != 0)?;
            let pitch = |raw: u32, t: Tiling| pitch_bytes((raw & 0xffff) as u64, t);
            let (x1, y1) = xy(dw[2]);
            let (x2, y2) = xy(dw[3]);
            let (sx, sy) = xy(dw[6]);
            Ok(Blit {
                op: Op::Copy,
                cpp,
                byte_mask: 0xffff,
                dst: Surface {
                    base: addr(dw[4], dw[5]),
                    pitch: pitch(dw[1], dst_tiling),
                    tiling: dst_tiling,
                },
                rect: (x1, y1, x2, y2),
                clip: false,
                src: Some((
                    Surface {
                        base: addr(dw[8], dw[9]),
                        pitch: pitch(dw[7], src_tiling),
                        tiling: src_tiling,
                    },
                    sx,
                    sy,
                )),
                color: 0,
            })
        }
        blt::XY_BLOCK_COPY => block_copy(h, dw),
        _ => Err(HangReason::UnknownCommand { header: h }),
    }
}

/// XY_BLOCK_COPY_BLT as Tiger Lake has it: 12 dwords, a copy of 8..128 bpp between
/// linear, legacy Y and Yf surfaces. Pitches are minus one, in bytes when linear and
/// in dwords when tiled.
/// Every surface is kept resolved (see docs/ARCHITECTURE.md), so the compression and
/// aux-mode fields change nothing: the main surface already holds the pixels. What
/// the model does not do is refused by name: the 22-dword extended form (DG2 and
/// later), resolves and other special modes, multisampled surfaces, surface origin
/// offsets, 96 bpp, Tile64.
fn block_copy(h: u32, dw: &[u32]) -> Result<Blit, HangReason> {
    let bad = |what| HangReason::Unsupported { header: h, what };
    match dw.len() {
        12 => {}
        22 => return Err(bad("XY_BLOCK_COPY_BLT extended form (DG2 and later)")),
        _ => return Err(bad("XY_BLOCK_COPY_BLT length")),
    }
    if h >> 12 & 3 != 0 {
        return Err(bad("XY_BLOCK_COPY_BLT special mode (resolve)"));
    }
    if h >> 9 & 7 != 0 {
        return Err(bad("XY_BLOCK_COPY_BLT multisampled surface"));
    }
    let (cpp, log2) = match h >> 19 & 7 {
        0 => (1, 0),
        1 => (2, 1),
        2 => (4, 2),
        3 => (8, 3),
        5 => (16, 4),
        _ => return Err(bad("XY_BLOCK_COPY_BLT colour depth")),
    };
    let surface = |control: u32, lo: u32, hi: u32, offsets: u32| {
        let tiling = match control >> 30 {
            0 => Tiling::Linear,
            1 => Tiling::Y,
            2 => Tiling::Yf(log2),
            _ => return Err(bad("XY_BLOCK_COPY_BLT Tile64")),
        };
        if offsets & 0x3fff_3fff != 0 {
            return Err(bad("XY_BLOCK_COPY_BLT surface x/y offset"));
        }
        Ok(Surface {
            base: addr(lo, hi),
            pitch: pitch_bytes((control & 0x3_ffff) as u64 + 1, tiling),
            tiling,
        })
    };
    let (x1, y1) = xy(dw[2]);
    let (x2, y2) = xy(dw[3]);
    let (sx, sy) = xy(dw[7]);
    Ok(Blit {
        op: Op::Copy,
        cpp,
        byte_mask: 0xffff,
        dst: surface(dw[1], dw[4], dw[5], dw[6])?,
        rect: (x1, y1, x2, y2),
        clip: false,
        src: Some((surface(dw[8], dw[9], dw[10], dw[11])?, sx, sy)),
        color: 0,
    })
}

/// Host memory for one surface extent.
enum Mem {
    Direct(DirectRange),
    Bounce(Vec<u8>),
}

impl Mem {
    fn acquire(
        space: &dyn AddressSpace,
        header: u32,
        addr: u64,
        len: u64,
    ) -> Result<Mem, HangReason> {
        if let Some(d) = space.direct(addr, len).filter(|d| d.covers(addr, len)) {
            return Ok(Mem::Direct(d));
        }
        Ok(Mem::Bounce(bounce(space, header, addr, len)?))
    }

    fn view(&mut self, origin: u64, s: &Surface) -> View<'_> {
        match self {
            // SAFETY: a DirectRange is valid host memory for the whole request (its
            // constructor's contract), and this view does not outlive the blit.
            Mem::Direct(d) => unsafe { View::new(d.as_ptr(), d.len(), origin, s.tiling, s.pitch) },
            Mem::Bounce(b) => View::of_vec(b, origin, s.tiling, s.pitch),
        }
    }
}

/// Largest surface extent copied through a bounce buffer (surfaces without a direct range).
const MAX_BOUNCE: u64 = 256 << 20;

/// Reads `[addr, addr + len)` into a host buffer. Probes both ends first so a bogus
/// rectangle faults before anything large is allocated.
fn bounce(
    space: &dyn AddressSpace,
    header: u32,
    addr: u64,
    len: u64,
) -> Result<Vec<u8>, HangReason> {
    let fault = |f: Fault| HangReason::Fault { addr: f.addr };
    let mut probe = [0u8];
    space.read(addr, &mut probe).map_err(fault)?;
    space.read(addr + len - 1, &mut probe).map_err(fault)?;
    if len > MAX_BOUNCE {
        return Err(HangReason::Unsupported {
            header,
            what: "blit extent too large for a bounce buffer",
        });
    }
    let mut buf = vec![0u8; len as usize];
    space.read(addr, &mut buf).map_err(fault)?;
    Ok(buf)
}

/// A plain copy between linear surfaces of which exactly one has a direct range (the
/// other, client memory, is reached only through the space): each row goes once,
/// straight between the direct side and the space, instead of through a bounce buffer
/// that is filled, copied and (for a destination) written back. `Ok(false)` when the
/// blit is not of that kind (the general path then runs). `shift` is what clipping
/// moved the destination's origin by, which moves the source's too.
fn copy_through_space(
    space: &dyn AddressSpace,
    b: &Blit,
    (dx, dy): (u64, u64),
    shift: (i32, i32),
    (w, hgt): (u64, u64),
) -> Result<bool, HangReason> {
    let (Op::Copy, Some((s, sx, sy))) = (b.op, b.src) else {
        return Ok(false);
    };
    if b.dst.tiling != Tiling::Linear || s.tiling != Tiling::Linear {
        return Ok(false);
    }
    let (Ok(sx), Ok(sy)) = (u64::try_from(sx + shift.0), u64::try_from(sy + shift.1)) else {
        return Ok(false);
    };
    let wb = w * b.cpp;
    let d_ext = Tiling::Linear.extent(b.dst.pitch, dx * b.cpp, dx * b.cpp + wb, dy, dy + hgt);
    let s_ext = Tiling::Linear.extent(s.pitch, sx * b.cpp, sx * b.cpp + wb, sy, sy + hgt);
    let d_addr = (b.dst.base + d_ext.0) & GPU_ADDR_MASK;
    let s_addr = (s.base + s_ext.0) & GPU_ADDR_MASK;
    let (d_len, s_len) = (d_ext.1 - d_ext.0, s_ext.1 - s_ext.0);
    // Row by row, an overlapping copy would read rows it already wrote.
    if s_addr < d_addr + d_len && d_addr < s_addr + s_len {
        return Ok(false);
    }
    let direct = |addr, len| space.direct(addr, len).filter(|d| d.covers(addr, len));
    let (dd, sd) = (direct(d_addr, d_len), direct(s_addr, s_len));
    if dd.is_some() == sd.is_some() {
        return Ok(false);
    }
    // Rows that follow each other on both sides are one block.
    let (rows, len) = if wb == b.dst.pitch && wb == s.pitch {
        (1, wb * hgt)
    } else {
        (hgt, wb)
    };
    let fault = |f: Fault| HangReason::Fault { addr: f.addr };
    for r in 0..rows {
        // Offsets from each extent's first byte.
        let d_off = (dy + r) * b.dst.pitch + dx * b.cpp - d_ext.0;
        let s_off = (sy + r) * s.pitch + sx * b.cpp - s_ext.0;
        match (dd, sd) {
            (Some(d), None) => {
                // SAFETY: the row lies inside the direct range (it covers the extent),
                // which is valid host memory for the request; the slice lives for this
                // one copy, which, as a DMA engine's, may race CPU writes.
                let row = unsafe {
                    std::slice::from_raw_parts_mut(d.as_ptr().add(d_off as usize), len as usize)
                };
                space
                    .read((s_addr + s_off) & GPU_ADDR_MASK, row)
                    .map_err(fault)?;
            }
            (None, Some(sr)) => {
                // SAFETY: as above, for the source row.
                let row = unsafe {
                    std::slice::from_raw_parts(sr.as_ptr().add(s_off as usize), len as usize)
                };
                space
                    .write((d_addr + d_off) & GPU_ADDR_MASK, row)
                    .map_err(fault)?;
            }
            _ => unreachable!("exactly one side is direct"),
        }
    }
    Ok(true)
}

/// Executes one blit command against `space`.
pub(crate) fn execute(
    space: &dyn AddressSpace,
    op: u32,
    dw: &[u32],
    swctrl: u32,
    clip: ClipRect,
) -> Result<(), HangReason> {
    let b = parse(op, dw, swctrl)?;
    let h = dw[0];
    let bad = |what| HangReason::Unsupported { header: h, what };
    if b.byte_mask == 0 {
        return Ok(());
    }
    let (mut x1, mut y1, mut x2, mut y2) = b.rect;
    let (ox, oy) = (x1, y1);
    if b.clip {
        x1 = x1.max(clip.x1);
        y1 = y1.max(clip.y1);
        x2 = x2.min(clip.x2);
        y2 = y2.min(clip.y2);
    }
    if x2 <= x1 || y2 <= y1 {
        return Ok(());
    }
    if x1 < 0 || y1 < 0 {
        return Err(bad("negative blit coordinates"));
    }
    let cpp = b.cpp;
    let (w, hgt) = ((x2 - x1) as u64, (y2 - y1) as u64);
    let check = |s: &Surface, x: u64, y: u64| -> Result<(u64, u64), HangReason> {
        if let Some((tw, _)) = s.tiling.tile() {
            if s.pitch == 0 || !s.pitch.is_multiple_of(tw) {
                return Err(bad("tiled pitch is not a whole number of tiles"));
            }
            if (x + w) * cpp > s.pitch {
                return Err(bad("tiled blit wider than its pitch"));
            }
        }
        Ok(s.tiling.extent(s.pitch, x * cpp, (x + w) * cpp, y, y + hgt))
    };
    let (dx, dy) = (x1 as u64, y1 as u64);
    let d_ext = check(&b.dst, dx, dy)?;
    let fault = |f: Fault| HangReason::Fault { addr: f.addr };
    let d_addr = (b.dst.base + d_ext.0) & GPU_ADDR_MASK;
    let d_len = d_ext.1 - d_ext.0;
    if copy_through_space(space, &b, (dx, dy), (x1 - ox, y1 - oy), (w, hgt))? {
        return Ok(());
    }
    let mut dmem = Mem::acquire(space, h, d_addr, d_len)?;

    let mut smem = None;
    let mut src_at = (0, 0);
    if let Some((s, sx, sy)) = b.src {
        let (sx, sy) = (sx + (x1 - ox), sy + (y1 - oy));
        if sx < 0 || sy < 0 {
            return Err(bad("negative blit source coordinates"));
        }
        src_at = (sx as u64, sy as u64);
        let s_ext = check(&s, src_at.0, src_at.1)?;
        let s_addr = (s.base + s_ext.0) & GPU_ADDR_MASK;
        let s_len = s_ext.1 - s_ext.0;
        let overlap = s_addr < d_addr + d_len && d_addr < s_addr + s_len;
        let mem = if overlap && matches!(dmem, Mem::Direct(_)) {
            Mem::Bounce(bounce(space, h, s_addr, s_len)?)
        } else {
            Mem::acquire(space, h, s_addr, s_len)?
        };
        smem = Some((mem, s_ext.0, s));
    }

    let dst = dmem.view(d_ext.0, &b.dst);
    let (wb, (sx, sy)) = (w * cpp, src_at);
    let color = b.color.to_le_bytes();
    let pixel = &color[..cpp.min(4) as usize];
    let src = smem.as_mut().map(|(mem, origin, s)| mem.view(*origin, s));
    match (b.op, &src) {
        (Op::Copy, Some(sv)) => copy_rect(&dst, dx * cpp, dy, sv, sx * cpp, sy, wb, hgt),
        (Op::Fill, None) => fill_rect(&dst, dx * cpp, dy, wb, hgt, pixel),
        (op, src) => {
            let rop = match op {
                Op::Copy => 0xcc,
                Op::Fill => 0xf0,
                Op::Rop(r) => r,
            };
            rop_rect(
                &dst,
                (dx, dy),
                src.as_ref().map(|v| (v, sx, sy)),
                (w, hgt),
                cpp,
                rop,
                pixel,
                b.byte_mask,
            );
        }
    }
    if let Mem::Bounce(buf) = &dmem {
        let mut result = Ok(());
        spans(
            b.dst.tiling,
            b.dst.pitch,
            dx * cpp,
            dy,
            wb,
            hgt,
            |off, n| {
                let rel = (off - d_ext.0) as usize;
                if result.is_ok() {
                    result = space.write(d_addr + rel as u64, &buf[rel..rel + n as usize]);
                }
            },
        );
        result.map_err(fault)?;
    }
    Ok(())
}
