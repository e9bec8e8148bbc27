//! The sampler (SFID 2), as far as the model goes, in SIMD8 and SIMD16: texel fetches
//! (`ld`, `ld_lz`), which BLORP's copies and shaders' `texelFetch` use, and filtered
//! samples (`sample` with the level of detail from each 2×2 subspan's derivatives,
//! `sample_b` adding a bias to it, `sample_l` at a given level, `sample_lz` at level 0)
//! through SAMPLER_STATE ([`super::sampler_state`]), gathers of one channel's four
//! bilinear texels (`gather4`), and size queries (`resinfo`). Results are
//! the texel converted from the surface format (floats for UNORM/SNORM/FLOAT, integers
//! for UINT/SINT), through the surface's shader channel selects; a fetch out of bounds
//! returns zeros. Other messages (comparisons, gathers with offsets, gradients) are errors
//! naming the message type.

use super::dataport::{put_dword, surface};
use super::sampler_state::{SamplerState, Texture};
use super::{Dataport, Payload};
use crate::eu::EuError;
use crate::surface::{Surface, SurfaceType, TexelFormat};

/// Sampler message types (descriptor bits 16:12).
mod msg {
    pub const SAMPLE: u32 = 0x00;
    pub const SAMPLE_B: u32 = 0x01;
    pub const SAMPLE_L: u32 = 0x02;
    pub const GATHER4: u32 = 0x08;
    pub const LD: u32 = 0x07;
    pub const RESINFO: u32 = 0x0a;
    pub const SAMPLE_LZ: u32 = 0x18;
    pub const LD_LZ: u32 = 0x1a;
}

/// Names of the message types a compiler may send, for the error of an unmodelled one.
fn name(ty: u32) -> &'static str {
    match ty {
        0x00 => "sample",
        0x01 => "sample_b",
        0x02 => "sample_l",
        0x03 => "sample_c",
        0x04 => "sample_d",
        0x05 => "sample_b_c",
        0x06 => "sample_l_c",
        0x08 => "gather4",
        0x0a => "resinfo",
        0x0b => "sampleinfo",
        0x0c => "gather4_c",
        0x0d => "gather4_po",
        0x0e => "gather4_po_c",
        0x10 => "gather4_po_c / sample_d_c",
        0x14 => "lod",
        0x18 => "sample_lz",
        0x19 => "sample_c_lz",
        0x1c => "ld2dms_w",
        0x1d => "ld_mcs",
        _ => "an unknown sampler message",
    }
}

/// Performs a sampler message; the response registers get the four channels.
pub(super) fn message(
    dp: &mut Dataport<'_>,
    desc: u32,
    mask: u32,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let ty = desc >> 12 & 0x1f;
    let width = match desc >> 17 & 3 {
        1 => 8,
        2 => 16,
        m => return Err(EuError::new(format!("sampler SIMD mode {m}"))),
    };
    if matches!(
        ty,
        msg::SAMPLE | msg::SAMPLE_B | msg::SAMPLE_L | msg::SAMPLE_LZ
    ) {
        return filtered(dp, desc, width, mask, p, response);
    }
    if ty == msg::GATHER4 {
        return gather(dp, desc, width, mask, p, response);
    }
    if ty == msg::RESINFO {
        return resinfo(dp, desc, width, mask, p, response);
    }
    if !matches!(ty, msg::LD | msg::LD_LZ) {
        return Err(EuError::new(format!(
            "sampler message {} (type {ty:#x}) is not modelled",
            name(ty)
        )));
    }
    let mut first = 0;
    if desc >> 19 & 1 != 0 {
        // A header may offset the coordinates or mask returned channels.
        if p.ud(2) != 0 {
            return Err(EuError::new(format!(
                "sampler message header with offsets or channel mask {:#x}",
                p.ud(2)
            )));
        }
        first = 8;
    }
    let params = (p.src0.len() + p.src1.len()) / 4;
    let nparams = (params - first) / width;
    // ld: u, v, lod, r; ld_lz: u, v, r.
    let param = |i: usize, ch: usize| -> u32 {
        if i < nparams {
            p.ud(first + i * width + ch)
        } else {
            0
        }
    };
    let s = surface(dp, desc & 0xff)?;
    let fmt = TexelFormat::of(s.format)
        .ok_or_else(|| EuError::new(format!("sampler fetch from format {:#x}", s.format)))?;
    if s.samples_log2 != 0 {
        return Err(EuError::new("sampler fetch from a multisampled surface"));
    }
    let mut texel = [0u8; 16];
    let texel = &mut texel[..fmt.bytes()];
    for ch in 0..width {
        if mask >> ch & 1 == 0 {
            continue;
        }
        let (u, v, lod, r) = if ty == msg::LD {
            (param(0, ch), param(1, ch), param(2, ch), param(3, ch))
        } else {
            (param(0, ch), param(1, ch), 0, param(2, ch))
        };
        let (v, r) = match s.ty {
            SurfaceType::Buffer => (0, 0),
            SurfaceType::D1 => (0, v),
            _ => (v, r),
        };
        let level = s.min_lod + lod;
        let slice = if s.ty == SurfaceType::D3 {
            r
        } else {
            r + s.min_array_element
        };
        let raw = match s.element_addr(u, v, slice, level) {
            Some(addr) => {
                dp.read(addr, texel)
                    .map_err(|f| EuError::new(format!("sampler fault at {:#x}", f.addr)))?;
                fmt.unpack(texel)
            }
            None => [0; 4],
        };
        respond(&s, &fmt, raw, width, ch, response)?;
    }
    Ok(())
}

/// Writes the four channels of channel `ch`, through the surface's channel selects, into
/// the response (one register per channel per 8 lanes, as far as the response goes).
fn respond(
    s: &Surface,
    fmt: &TexelFormat,
    raw: [u32; 4],
    width: usize,
    ch: usize,
    response: &mut [u8],
) -> Result<(), EuError> {
    let one = fmt.default_channel(3);
    for c in 0..4 {
        let v = match s.channel_select[c] {
            0 => 0,
            1 => one,
            sel @ 4..=7 => raw[(sel - 4) as usize],
            sel => return Err(EuError::new(format!("shader channel select {sel}"))),
        };
        put_channel(response, width, c, ch, v);
    }
    Ok(())
}

/// Writes channel `c` (0 = red) of lane `ch` into a response of `width` lanes per
/// channel: channel after channel, each over `width / 8` registers; channels past the
/// response's length are not returned.
fn put_channel(response: &mut [u8], width: usize, c: usize, ch: usize, v: u32) {
    let reg = c * width / 8 + ch / 8;
    if reg < response.len() / 32 {
        put_dword(response, reg * 8 + ch % 8, v);
    }
}

/// `resinfo`: for the level in parameter 0 (an integer), the width, height, depth (or
/// array length) and the number of levels, as integers; zeros past the last level.
fn resinfo(
    dp: &mut Dataport<'_>,
    desc: u32,
    width: usize,
    mask: u32,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    if desc >> 19 & 1 != 0 {
        return Err(EuError::new("resinfo with a header is not modelled"));
    }
    let s = surface(dp, desc & 0xff)?;
    let levels = s.rt_lod + 1;
    for ch in 0..width {
        if mask >> ch & 1 == 0 {
            continue;
        }
        let lod = p.ud(ch);
        let v: [u32; 4] = if lod >= levels {
            [0; 4]
        } else {
            let (w, h, d) = s.level_size(s.min_lod + lod);
            match s.ty {
                SurfaceType::Buffer => [s.width, 0, 0, 0],
                SurfaceType::D1 => [w, d, 0, levels],
                _ => [w, h, d, levels],
            }
        };
        for (c, &x) in v.iter().enumerate() {
            put_channel(response, width, c, ch, x);
        }
    }
    Ok(())
}

/// `gather4`: parameters u, v and r as floats; the header, when there is one, may select
/// the channel gathered (dword 2 bits 17:16) and nothing else.
fn gather(
    dp: &mut Dataport<'_>,
    desc: u32,
    width: usize,
    mask: u32,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let (first, channel) = if desc >> 19 & 1 != 0 {
        let h = p.ud(2);
        if h & !(3 << 16) != 0 {
            return Err(EuError::new(format!(
                "gather4 header with offsets or a channel mask {h:#x}"
            )));
        }
        (8, (h >> 16 & 3) as usize)
    } else {
        (0, 0)
    };
    let nparams = ((p.src0.len() + p.src1.len()) / 4 - first) / width;
    let param = |i: usize, ch: usize| -> f32 {
        if i < nparams {
            f32::from_bits(p.ud(first + i * width + ch))
        } else {
            0.0
        }
    };
    let s = surface(dp, desc & 0xff)?;
    let fmt = TexelFormat::of(s.format)
        .ok_or_else(|| EuError::new(format!("gather4 from format {:#x}", s.format)))?;
    let st = SamplerState::load(
        dp.space,
        dp.sampler_state,
        desc >> 8 & 0xf,
        dp.dynamic_state_base,
    )?;
    // The channel the shader's swizzle picks for the gathered component.
    let source = match s.channel_select[channel] {
        sel @ 4..=7 => (sel - 4) as usize,
        sel => {
            return Err(EuError::new(format!(
                "gather4 of a constant channel select {sel}"
            )))
        }
    };
    let tex = Texture {
        surface: &s,
        format: &fmt,
    };
    let mut read = |addr: u64, buf: &mut [u8]| {
        dp.read(addr, buf)
            .map_err(|f| EuError::new(format!("sampler fault at {:#x}", f.addr)))
    };
    for ch in 0..width {
        if mask >> ch & 1 == 0 {
            continue;
        }
        let slice = if s.depth > 1 {
            param(2, ch).round().clamp(0.0, (s.depth - 1) as f32) as u32
        } else {
            0
        };
        let texels = tex.gather(&mut read, &st, (param(0, ch), param(1, ch)), slice, source)?;
        for (c, v) in texels.iter().enumerate() {
            put_channel(response, width, c, ch, v.to_bits());
        }
    }
    Ok(())
}

/// `sample`, `sample_b`, `sample_l` and `sample_lz`: parameters (the bias or level first
/// for `sample_b` and `sample_l`) u, v and r (the array slice), as floats.
fn filtered(
    dp: &mut Dataport<'_>,
    desc: u32,
    width: usize,
    mask: u32,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let ty = desc >> 12 & 0x1f;
    if desc >> 19 & 1 != 0 {
        return Err(EuError::new("sample message with a header is not modelled"));
    }
    let nparams = (p.src0.len() + p.src1.len()) / 4 / width;
    let raw_param = |i: usize, ch: usize| -> f32 {
        if i < nparams {
            f32::from_bits(p.ud(i * width + ch))
        } else {
            0.0
        }
    };
    // The coordinates follow the bias or level.
    let first = usize::from(matches!(ty, msg::SAMPLE_B | msg::SAMPLE_L));
    let param = |i: usize, ch: usize| raw_param(first + i, ch);
    let s = surface(dp, desc & 0xff)?;
    let fmt = TexelFormat::of(s.format)
        .ok_or_else(|| EuError::new(format!("sampling format {:#x}", s.format)))?;
    if s.samples_log2 != 0 {
        return Err(EuError::new("sampling a multisampled surface"));
    }
    let st = SamplerState::load(
        dp.space,
        dp.sampler_state,
        desc >> 8 & 0xf,
        dp.dynamic_state_base,
    )?;
    let tex = Texture {
        surface: &s,
        format: &fmt,
    };
    let (w0, h0, _) = s.level_size(s.min_lod);
    let mut read = |addr: u64, buf: &mut [u8]| {
        dp.read(addr, buf)
            .map_err(|f| EuError::new(format!("sampler fault at {:#x}", f.addr)))
    };
    for ch in 0..width {
        if mask >> ch & 1 == 0 {
            continue;
        }
        let (u, v) = (param(0, ch), param(1, ch));
        let slice = if s.ty == SurfaceType::D1 {
            param(1, ch)
        } else {
            param(2, ch)
        };
        let slice = if s.depth > 1 {
            slice.round().clamp(0.0, (s.depth - 1) as f32) as u32
        } else {
            0
        };
        // The level of detail from the subspan's derivatives (channels 0-3 of each
        // group of four are its upper-left, upper-right, lower-left, lower-right pixels).
        let lod = if ty == msg::SAMPLE_L {
            raw_param(0, ch)
        } else if matches!(ty, msg::SAMPLE | msg::SAMPLE_B) {
            let q = ch & !3;
            let (sx, sy) = if st.unnormalized() {
                (1.0, 1.0)
            } else {
                (w0 as f32, h0 as f32)
            };
            let d = |a: usize, b: usize| {
                let du = (param(0, q + b) - param(0, q + a)) * sx;
                let dv = (param(1, q + b) - param(1, q + a)) * sy;
                (du * du + dv * dv).sqrt()
            };
            let rho = d(0, 1).max(d(0, 2));
            if rho > 0.0 {
                rho.log2()
            } else {
                f32::NEG_INFINITY
            }
        } else {
            0.0
        };
        let texel = tex.sample(&mut read, &st, (u, v), slice, lod)?;
        respond(&s, &fmt, texel.map(f32::to_bits), width, ch, response)?;
    }
    Ok(())
}
