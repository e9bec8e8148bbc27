//! The sampler (SFID 2), as far as the model goes: texel fetches (`ld`, `ld_lz`) in SIMD8
//! and SIMD16, which BLORP's copies and shaders' `texelFetch` use. A fetch returns the
//! texel converted from the surface format (floats for UNORM/SNORM/FLOAT, integers for
//! UINT/SINT), through the surface's shader channel selects; out of bounds it returns
//! zeros. Filtered sampling, gathers and size queries are errors naming the message type.

use super::dataport::surface;
use super::{Dataport, Payload};
use crate::eu::EuError;
use crate::surface::{SurfaceType, TexelFormat};

/// Sampler message types (descriptor bits 16:12).
mod msg {
    pub const LD: u32 = 0x07;
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
    let rlen = response.len() / 32;
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
        let one = fmt.default_channel(3);
        for c in 0..4 {
            let v = match s.channel_select[c] {
                0 => 0,
                1 => one,
                sel @ 4..=7 => raw[(sel - 4) as usize],
                sel => {
                    return Err(EuError::new(format!("shader channel select {sel}")));
                }
            };
            let reg = c * width / 8 + ch / 8;
            if reg < rlen {
                super::dataport::put_dword(response, reg * 8 + ch % 8, v);
            }
        }
    }
    Ok(())
}
