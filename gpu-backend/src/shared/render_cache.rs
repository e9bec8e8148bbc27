//! The render cache data port (SFID 5) as pixel shaders reach it: render target writes,
//! through the colour blender, into the render target surfaces of the binding table.
//!
//! A render target write carries no pixel coordinates: the pixel backend knows which pixel
//! each channel of the dispatched thread stands for. [`PixelThread`] holds that, with the
//! output-merger state the draw bound (BLEND_STATE, the blend constant).
//!
//! Modelled: single-source SIMD8 and SIMD16 writes and SIMD16 replicated-data writes, an
//! optional two-register header, slot groups of SIMD32 threads; BLEND_STATE's per-channel
//! write disables and colour blending (factors other than the dual-source ones, every
//! function) on UNORM and FLOAT targets. Anything else (dual source, source 0 alpha, oMask,
//! computed depth or stencil in the payload, logic ops, blending on integer targets, a
//! format the model cannot store) is an error naming it.

use super::dataport::surface;
use super::{Dataport, Payload};
use crate::eu::isa::Inst;
use crate::eu::EuError;
use crate::surface::{ChannelKind, TexelFormat};

/// Render cache message type of a render target write (descriptor bits 17:14).
const RT_WRITE: u32 = 12;

/// The pixel backend's view of the running pixel shader thread.
#[derive(Clone, Debug, Default)]
pub struct PixelThread {
    /// The pixel (x, y) each channel of the thread stands for.
    pub xy: Vec<(u32, u32)>,
    /// The channels whose pixels the primitive covers (the others are helpers).
    pub covered: u32,
    /// The render target array index of the primitive (from its VUE header).
    pub layer: u32,
    /// BLEND_STATE entries (two dwords each) by render target index; none: no blending.
    pub blend: Vec<[u32; 2]>,
    /// BLEND_STATE dword 0 (alpha test, alpha to coverage, independent alpha blend).
    pub blend_header: u32,
    /// The blend constant colour (COLOR_CALC_STATE).
    pub blend_constant: [f32; 4],
}

/// Performs a render cache message.
pub(super) fn message(
    dp: &mut Dataport<'_>,
    inst: &Inst,
    desc: u32,
    mask: u32,
    p: &Payload,
) -> Result<(), EuError> {
    let ty = desc >> 14 & 0xf;
    if ty != RT_WRITE {
        return Err(EuError::new(format!(
            "render cache message type {ty} (descriptor {desc:#010x})"
        )));
    }
    let Some(px) = dp.pixel.take() else {
        return Err(EuError::new(
            "render target write from a thread the pixel backend did not dispatch",
        ));
    };
    let r = rt_write(dp, &px, inst, desc, mask, p);
    dp.pixel = Some(px);
    r
}

/// A render target write: the colour of each enabled channel into its pixel.
fn rt_write(
    dp: &mut Dataport<'_>,
    px: &PixelThread,
    inst: &Inst,
    desc: u32,
    mask: u32,
    p: &Payload,
) -> Result<(), EuError> {
    let control = desc >> 8 & 7;
    let (width, replicated) = match control {
        0 => (16, false),
        1 => (16, true),
        4 => (8, false),
        c => {
            return Err(EuError::new(format!(
                "render target write message control {c} (dual source or SIMD8 high half)"
            )))
        }
    };
    let header_regs = if desc >> 19 & 1 != 0 { 2 } else { 0 };
    let mlen = p.src0.len() / 32 + p.src1.len() / 32;
    let color_regs = if replicated { 1 } else { 4 * width / 8 };
    if mlen != header_regs + color_regs {
        return Err(EuError::new(format!(
            "render target write of {mlen} registers (source 0 alpha, oMask, depth or stencil in the payload)"
        )));
    }
    let bti = desc & 0xff;
    let s = surface(dp, bti)?;
    let fmt = TexelFormat::of(s.format).ok_or_else(|| {
        EuError::new(format!(
            "render target format {:#x} is not modelled",
            s.format
        ))
    })?;
    if s.samples_log2 != 0 {
        return Err(EuError::new(format!(
            "render target of {} samples",
            1 << s.samples_log2
        )));
    }
    let blend = px.blend.get(bti as usize).copied();
    let first = header_regs * 8;
    // Bit 11 selects the upper 16 channels of a SIMD32 thread.
    let lane0 = usize::from(inst.chan_off) + if desc >> 11 & 1 != 0 { 16 } else { 0 };
    let texel_bytes = fmt.bytes();
    for ch in 0..width {
        if mask >> ch & 1 == 0 || px.covered >> (lane0 + ch) & 1 == 0 {
            continue;
        }
        let Some(&(x, y)) = px.xy.get(lane0 + ch) else {
            continue;
        };
        let color: [u32; 4] = std::array::from_fn(|c| {
            if replicated {
                p.ud(first + c)
            } else {
                p.ud(first + c * width + ch)
            }
        });
        let Some(addr) = s.element_addr(x, y, s.min_array_element + px.layer, s.rt_lod) else {
            continue;
        };
        let mut texel = [0u8; 16];
        let texel = &mut texel[..texel_bytes];
        let (write, value) = match blend {
            Some(e) => {
                // Bits 3:0 disable blue, green, red, alpha.
                let write = [2, 1, 0, 3].iter().enumerate().fold(0u32, |m, (c, &bit)| {
                    m | (u32::from(e[0] >> bit & 1 == 0) << c)
                });
                if e[1] >> 31 != 0 {
                    return Err(EuError::new("render target logic op is not modelled"));
                }
                if e[0] >> 31 != 0 {
                    dp.read(addr, texel).map_err(|f| {
                        EuError::new(format!("render target fault at {:#x}", f.addr))
                    })?;
                    (write, blend_color(px, &fmt, e, color, fmt.unpack(texel))?)
                } else {
                    (write, color)
                }
            }
            None => (0xf, color),
        };
        if write == 0 {
            continue;
        }
        if write != 0xf {
            dp.read(addr, texel)
                .map_err(|f| EuError::new(format!("render target fault at {:#x}", f.addr)))?;
        }
        fmt.pack(value, write, texel);
        dp.write(addr, texel)
            .map_err(|f| EuError::new(format!("render target fault at {:#x}", f.addr)))?;
    }
    Ok(())
}

/// The blend factor `f` (3D_Color_Buffer_Blend_Factor) for channel `c`.
fn factor(f: u32, c: usize, src: &[f32; 4], dst: &[f32; 4], k: &[f32; 4]) -> Result<f32, EuError> {
    Ok(match f {
        0x01 => 1.0,
        0x02 => src[c],
        0x03 => src[3],
        0x04 => dst[3],
        0x05 => dst[c],
        0x06 => {
            if c == 3 {
                1.0
            } else {
                src[3].min(1.0 - dst[3])
            }
        }
        0x07 => k[c],
        0x08 => k[3],
        0x11 => 0.0,
        0x12 => 1.0 - src[c],
        0x13 => 1.0 - src[3],
        0x14 => 1.0 - dst[3],
        0x15 => 1.0 - dst[c],
        0x17 => 1.0 - k[c],
        0x18 => 1.0 - k[3],
        f => {
            return Err(EuError::new(format!(
                "blend factor {f:#x} (dual source) is not modelled"
            )))
        }
    })
}

/// Colour blending of the shader's colour `src` with the stored `dst` (both as the
/// registers hold them: floats for UNORM and FLOAT targets).
fn blend_color(
    px: &PixelThread,
    fmt: &TexelFormat,
    e: [u32; 2],
    src: [u32; 4],
    dst: [u32; 4],
) -> Result<[u32; 4], EuError> {
    if !matches!(fmt.kind, ChannelKind::Unorm | ChannelKind::Float) {
        return Err(EuError::new(format!(
            "blending on a {:?} render target",
            fmt.kind
        )));
    }
    let unorm = fmt.kind == ChannelKind::Unorm;
    // UNORM targets clamp the source before blending (pre-blend clamp to the format).
    let s: [f32; 4] = std::array::from_fn(|c| {
        let v = f32::from_bits(src[c]);
        if unorm {
            v.clamp(0.0, 1.0)
        } else {
            v
        }
    });
    let d: [f32; 4] = std::array::from_fn(|c| f32::from_bits(dst[c]));
    let k = px.blend_constant;
    let independent = px.blend_header >> 30 & 1 != 0;
    let (cf, csf, cdf) = (e[0] >> 18 & 7, e[0] >> 26 & 0x1f, e[0] >> 21 & 0x1f);
    let (af, asf, adf) = if independent {
        (e[0] >> 5 & 7, e[0] >> 13 & 0x1f, e[0] >> 8 & 0x1f)
    } else {
        (cf, csf, cdf)
    };
    let mut out = [0u32; 4];
    for c in 0..4 {
        let (func, sf, df) = if c == 3 {
            (af, asf, adf)
        } else {
            (cf, csf, cdf)
        };
        let v = match func {
            0 => s[c] * factor(sf, c, &s, &d, &k)? + d[c] * factor(df, c, &s, &d, &k)?,
            1 => s[c] * factor(sf, c, &s, &d, &k)? - d[c] * factor(df, c, &s, &d, &k)?,
            2 => d[c] * factor(df, c, &s, &d, &k)? - s[c] * factor(sf, c, &s, &d, &k)?,
            3 => s[c].min(d[c]),
            4 => s[c].max(d[c]),
            f => return Err(EuError::new(format!("blend function {f}"))),
        };
        out[c] = v.to_bits();
    }
    Ok(out)
}
