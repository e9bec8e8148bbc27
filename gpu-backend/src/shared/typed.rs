//! Typed surface messages on DC1: read, write and atomics on buffers, 1D, 2D and 3D
//! surfaces (and 2D arrays), with the format conversion of the surface's format. SIMD8:
//! one register per coordinate (U, V, R, LOD) and per channel. Out of bounds, reads return
//! (0, 0, 0, 1), writes and atomics do nothing, as the hardware does.

use super::dataport::{atomic_op, header, put_dword, surface};
use super::{Dataport, Payload};
use crate::eu::EuError;
use crate::surface::{Surface, SurfaceType, TexelFormat};

/// Where a typed message's parts sit in its payload.
struct Layout {
    /// First dword of the coordinates (after the header, if any).
    first: usize,
    /// Coordinate registers (U, V, R, LOD; trailing ones may be left out).
    coords: usize,
    /// First dword of the data (operands or channel values).
    data: usize,
}

/// Splits the payload: with a split send the data is the second part; in a single payload
/// it is the last `data_regs` registers.
fn layout(desc: u32, p: &Payload, data_regs: usize) -> Result<(Layout, Option<[u32; 8]>), EuError> {
    let h = header(desc, p);
    let hr = usize::from(h.is_some());
    let mlen = p.src0.len() / 32;
    let coords = if p.src1.is_empty() {
        mlen.checked_sub(hr + data_regs)
    } else {
        mlen.checked_sub(hr)
    }
    .filter(|&c| (1..=4).contains(&c))
    .ok_or_else(|| EuError::new(format!("typed message of {mlen} registers")))?;
    let data = if p.src1.is_empty() {
        (hr + coords) * 8
    } else {
        mlen * 8
    };
    Ok((
        Layout {
            first: hr * 8,
            coords,
            data,
        },
        h,
    ))
}

/// The channels the message acts on: the instruction's, narrowed by the header's sample
/// mask when it has one (its low or high 8 bits by the slot group in bits 13:12).
fn channels(desc: u32, mask: u32, h: Option<&[u32; 8]>) -> u32 {
    let mut m = mask & 0xff;
    if let Some(h) = h {
        let shift = if desc >> 12 & 3 == 2 { 8 } else { 0 };
        m &= h[7] >> shift & 0xff;
    }
    m
}

/// The GPU address of the texel at (u, v, r) of mip `lod` (from the view's first level)
/// of `s`, or `None` out of bounds.
fn texel_addr(s: &Surface, u: u32, v: u32, r: u32, lod: u32) -> Result<Option<u64>, EuError> {
    let bpp = u64::from(s.bpp);
    if s.samples_log2 != 0 {
        return Err(EuError::new(format!(
            "typed message on a surface of {} samples",
            1 << s.samples_log2
        )));
    }
    if s.min_array_element != 0 {
        return Err(EuError::new(format!(
            "typed message on a view from array element {}",
            s.min_array_element
        )));
    }
    let level = s.min_lod + lod;
    if level != 0 && !matches!(s.ty, SurfaceType::D2 | SurfaceType::D3) {
        return Err(EuError::new(format!(
            "typed message on mip level {level} of a {:?} surface",
            s.ty
        )));
    }
    if level > 14 {
        return Err(EuError::new(format!("typed message on mip level {level}")));
    }
    Ok(match s.ty {
        SurfaceType::Null => None,
        SurfaceType::Buffer => (u < s.width).then(|| s.base + u64::from(u) * bpp),
        SurfaceType::D1 => {
            if s.depth > 1 {
                return Err(EuError::new("typed message on a 1D array"));
            }
            (u < s.width && v == 0).then(|| s.addr(u64::from(u) * bpp, 0))
        }
        SurfaceType::D2 | SurfaceType::D3 => {
            let (w, h, d) = s.level_size(level);
            if u >= w || v >= h || r >= d {
                None
            } else {
                // Slices (array layers or 3D depth) are QPitch rows apart, each holding
                // every mip level.
                let (x0, y0) = s.level_origin(level);
                let row = u64::from(r) * u64::from(s.qpitch) + y0 + u64::from(v);
                Some(s.addr((x0 + u64::from(u)) * bpp, row))
            }
        }
        SurfaceType::Cube => return Err(EuError::new("typed message on a cube surface")),
    })
}

fn fault(what: &str, addr: u64) -> EuError {
    EuError::new(format!("typed {what} fault at {addr:#x}"))
}

/// The coordinates of channel `ch`: U, V, R, LOD (zero when left out).
fn coords(p: &Payload, l: &Layout, ch: usize) -> [u32; 4] {
    std::array::from_fn(|i| {
        if i < l.coords {
            p.ud(l.first + 8 * i + ch)
        } else {
            0
        }
    })
}

/// Typed surface read/write: the channels enabled in bits 11:8 (a set bit disables its
/// channel), one register each, converted from/to the surface format.
pub(super) fn read_write(
    dp: &mut Dataport<'_>,
    desc: u32,
    mask: u32,
    write: bool,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    if desc >> 12 & 3 == 0 {
        return Err(EuError::new("SIMD4x2 typed message"));
    }
    let comps: Vec<usize> = (0..4).filter(|c| desc >> (8 + c) & 1 == 0).collect();
    let (l, h) = layout(desc, p, if write { comps.len() } else { 0 })?;
    let s = surface(dp, desc & 0xff)?;
    let fmt = if s.ty == SurfaceType::Null {
        TexelFormat::of(0xd7).expect("R32_UINT")
    } else {
        // Typed messages do no sRGB conversion: the sRGB formats are not theirs.
        TexelFormat::of(s.format)
            .filter(|f| !f.srgb)
            .ok_or_else(|| {
                EuError::new(format!("typed message on surface format {:#x}", s.format))
            })?
    };
    let n = fmt.bytes();
    let enabled = channels(desc, mask, h.as_ref());
    for ch in (0..8).filter(|c| enabled >> c & 1 != 0) {
        let [u, v, r, lod] = coords(p, &l, ch);
        let at = texel_addr(&s, u, v, r, lod)?;
        let mut texel = [0u8; 16];
        if let Some(a) = at {
            dp.read(a, &mut texel[..n])
                .map_err(|f| fault("read", f.addr))?;
        }
        if write {
            let Some(a) = at else { continue };
            let mut vals = [0u32; 4];
            let mut wmask = 0;
            for (k, &c) in comps.iter().enumerate() {
                vals[c] = p.ud(l.data + 8 * k + ch);
                wmask |= 1 << c;
            }
            fmt.pack(vals, wmask, &mut texel[..n]);
            dp.write(a, &texel[..n])
                .map_err(|f| fault("write", f.addr))?;
        } else {
            let vals = match at {
                Some(_) => fmt.unpack(&texel[..n]),
                None => [0, 0, 0, fmt.default_channel(3)],
            };
            for (k, &c) in comps.iter().enumerate() {
                put_dword(response, 8 * k + ch, vals[c]);
            }
        }
    }
    Ok(())
}

/// Typed atomic: the operation in bits 11:8 on the 32-bit integer texel of each enabled
/// channel; the old value comes back when bit 13 asks for it.
pub(super) fn atomic(
    dp: &mut Dataport<'_>,
    desc: u32,
    mask: u32,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let op = desc >> 8 & 0xf;
    atomic_op(op, 0, 0, 0)?;
    let returns = desc >> 13 & 1 != 0;
    let operands = super::dataport::atomic_operands(op, false);
    let (l, h) = layout(desc, p, operands)?;
    let s = surface(dp, desc & 0xff)?;
    if s.ty != SurfaceType::Null && !matches!(s.format, 0xd6 | 0xd7) {
        return Err(EuError::new(format!(
            "typed atomic on surface format {:#x}",
            s.format
        )));
    }
    // Mask control bit 4 names the high eight channels of the sample mask, not the slot.
    let enabled = channels(desc & !(3 << 12), mask, None)
        & h.map_or(0xff, |h| {
            h[7] >> (if desc >> 12 & 1 != 0 { 8 } else { 0 }) & 0xff
        });
    for ch in (0..8).filter(|c| enabled >> c & 1 != 0) {
        let [u, v, r, lod] = coords(p, &l, ch);
        let Some(a) = texel_addr(&s, u, v, r, lod)? else {
            if returns {
                put_dword(response, ch, 0);
            }
            continue;
        };
        let mut b = [0u8; 4];
        dp.read(a, &mut b).map_err(|f| fault("atomic", f.addr))?;
        let old = u32::from_le_bytes(b);
        let x = if operands > 0 { p.ud(l.data + ch) } else { 0 };
        let y = if operands > 1 {
            p.ud(l.data + 8 + ch)
        } else {
            0
        };
        let new = atomic_op(op, old, x, y)?;
        dp.write(a, &new.to_le_bytes())
            .map_err(|f| fault("atomic", f.addr))?;
        if returns {
            put_dword(response, ch, old);
        }
    }
    Ok(())
}
