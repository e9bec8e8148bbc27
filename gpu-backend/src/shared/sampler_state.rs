//! SAMPLER_STATE and the filtering it asks for: nearest and bilinear minification and
//! magnification, mip selection (none, nearest, linear between levels), the texture
//! coordinate modes (wrap, mirror, clamp, clamp to border, mirror once) and the border
//! colour, on 1D and 2D surfaces and 2D arrays.
//!
//! Filtering happens in single precision on the texels as the format converts them (floats
//! for UNORM/SNORM/FLOAT formats); integer formats may only be sampled with nearest
//! filtering. Anything else (anisotropy, shadow comparison, cube maps, 3D surfaces) is an
//! error naming it.

use crate::eu::EuError;
use crate::mem::{read_mem, AddressSpace, GPU_ADDR_MASK};
use crate::surface::{ChannelKind, Surface, SurfaceType, TexelFormat};

/// Bytes of one SAMPLER_STATE.
const SAMPLER_STATE_BYTES: u64 = 16;

/// A decoded SAMPLER_STATE.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SamplerState {
    /// Minification and magnification: bilinear (else nearest).
    min_linear: bool,
    mag_linear: bool,
    /// Mip mode: 0 none (level 0 of the view), 1 nearest, 3 linear.
    mip: u32,
    lod_bias: f32,
    min_lod: f32,
    max_lod: f32,
    /// Coordinate modes for U, V, R (3D_Texture_Coordinate_Mode).
    wrap: [u32; 3],
    /// Coordinates are texel units (non-normalized).
    unnormalized: bool,
    /// The border colour (SAMPLER_BORDER_COLOR_STATE's float red, green, blue, alpha).
    border: [f32; 4],
}

impl SamplerState {
    /// Reads sampler `index` of the table at `table` (a GPU address); its border colour
    /// lives at an offset from `dynamic_base`.
    pub fn load(
        space: &dyn AddressSpace,
        table: u64,
        index: u32,
        dynamic_base: u64,
    ) -> Result<SamplerState, EuError> {
        if table == 0 {
            return Err(EuError::new("sampling without sampler states"));
        }
        let mut b = [0u8; 16];
        let at = (table + u64::from(index) * SAMPLER_STATE_BYTES) & GPU_ADDR_MASK;
        read_mem(space, at, &mut b)
            .map_err(|f| EuError::new(format!("sampler state fault at {:#x}", f.addr)))?;
        let dw: [u32; 4] =
            std::array::from_fn(|i| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap()));
        if dw[0] >> 31 != 0 {
            return Err(EuError::new("sampling with a disabled sampler"));
        }
        let filter = |f: u32, what: &str| match f {
            0 => Ok(false),
            1 => Ok(true),
            f => Err(EuError::new(format!(
                "{what} filter {f} (anisotropic or mono) is not modelled"
            ))),
        };
        // Shadow function (dword 1 bits 3:1) only matters for the _c messages.
        let u4_8 = |v: u32| (v & 0xfff) as f32 / 256.0;
        // Texture LOD Bias: dword 0 bits 13:1, signed 4.8.
        let bias = ((dw[0] >> 1 & 0x1fff) << 19) as i32 >> 19;
        let mut border = [0f32; 4];
        let border_at = (dynamic_base + u64::from(dw[2] & !0x3f)) & GPU_ADDR_MASK;
        let wrap = [dw[3] >> 6 & 7, dw[3] >> 3 & 7, dw[3] & 7];
        if wrap.contains(&4) {
            let mut c = [0u8; 16];
            read_mem(space, border_at, &mut c)
                .map_err(|f| EuError::new(format!("border colour fault at {:#x}", f.addr)))?;
            border = std::array::from_fn(|i| {
                f32::from_le_bytes(c[4 * i..4 * i + 4].try_into().unwrap())
            });
        }
        Ok(SamplerState {
            min_linear: filter(dw[0] >> 14 & 7, "min")?,
            mag_linear: filter(dw[0] >> 17 & 7, "mag")?,
            mip: match dw[0] >> 20 & 3 {
                m @ (0 | 1 | 3) => m,
                m => return Err(EuError::new(format!("mip filter mode {m}"))),
            },
            lod_bias: bias as f32 / 256.0,
            min_lod: u4_8(dw[1] >> 20),
            max_lod: u4_8(dw[1] >> 8),
            wrap,
            unnormalized: dw[3] >> 10 & 1 != 0,
            border,
        })
    }
}

impl SamplerState {
    /// Coordinates are in texels rather than normalized.
    pub fn unnormalized(&self) -> bool {
        self.unnormalized
    }
}

/// Maps texel coordinate `i` into [0, n) by mode `m`, or `None` for the border.
fn wrap_coord(i: i64, n: i64, m: u32) -> Result<Option<i64>, EuError> {
    Ok(match m {
        // WRAP
        0 => Some(i.rem_euclid(n)),
        // MIRROR
        1 => {
            let p = i.rem_euclid(2 * n);
            Some(if p < n { p } else { 2 * n - 1 - p })
        }
        // CLAMP
        2 => Some(i.clamp(0, n - 1)),
        // CLAMP_BORDER
        4 => (0..n).contains(&i).then_some(i),
        // MIRROR_ONCE
        5 => {
            let a = if i < 0 { -1 - i } else { i };
            Some(a.min(n - 1))
        }
        m => {
            return Err(EuError::new(format!(
                "texture coordinate mode {m} is not modelled"
            )))
        }
    })
}

/// Reads texel bytes at a GPU address (the data port's memory path).
pub(crate) type TexelRead<'a> = dyn FnMut(u64, &mut [u8]) -> Result<(), EuError> + 'a;

/// What a sample needs from the surface.
pub(crate) struct Texture<'a> {
    pub surface: &'a Surface,
    pub format: &'a TexelFormat,
}

impl Texture<'_> {
    /// The texel (as register values) at (x, y) of `slice` and `level`, through the wrap
    /// modes; the border colour outside a clamp-to-border edge.
    fn texel(
        &self,
        read: &mut TexelRead<'_>,
        st: &SamplerState,
        x: i64,
        y: i64,
        slice: u32,
        level: u32,
    ) -> Result<[f32; 4], EuError> {
        let s = self.surface;
        let (w, h, _) = s.level_size(level);
        let h = if s.ty == SurfaceType::D1 { 1 } else { h };
        let (Some(x), Some(y)) = (
            wrap_coord(x, i64::from(w), st.wrap[0])?,
            wrap_coord(y, i64::from(h), st.wrap[1])?,
        ) else {
            return Ok(st.border);
        };
        let Some(addr) = s.element_addr(x as u32, y as u32, slice, level) else {
            return Ok([0.0; 4]);
        };
        let mut t = [0u8; 16];
        let t = &mut t[..self.format.bytes()];
        read(addr, t)?;
        Ok(self.format.unpack(t).map(f32::from_bits))
    }

    /// The bilinear or nearest sample at normalized (u, v) of one level.
    fn level_sample(
        &self,
        read: &mut TexelRead<'_>,
        st: &SamplerState,
        uv: (f32, f32),
        slice: u32,
        level: u32,
        linear: bool,
    ) -> Result<[f32; 4], EuError> {
        let (w, h, _) = self.surface.level_size(level);
        let (x, y) = if st.unnormalized {
            uv
        } else {
            (uv.0 * w as f32, uv.1 * h as f32)
        };
        let y = if self.surface.ty == SurfaceType::D1 {
            0.5
        } else {
            y
        };
        if !linear {
            return self.texel(read, st, x.floor() as i64, y.floor() as i64, slice, level);
        }
        let (fx, fy) = (x - 0.5, y - 0.5);
        let (x0, y0) = (fx.floor(), fy.floor());
        let (ax, ay) = (fx - x0, fy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let t00 = self.texel(read, st, x0, y0, slice, level)?;
        let t10 = self.texel(read, st, x0 + 1, y0, slice, level)?;
        let t01 = self.texel(read, st, x0, y0 + 1, slice, level)?;
        let t11 = self.texel(read, st, x0 + 1, y0 + 1, slice, level)?;
        Ok(std::array::from_fn(|c| {
            let top = t00[c] + (t10[c] - t00[c]) * ax;
            let bottom = t01[c] + (t11[c] - t01[c]) * ax;
            top + (bottom - top) * ay
        }))
    }

    /// gather4: channel `c` of the four texels a bilinear sample at (u, v) of the view's
    /// first level would weigh, in the order (x0, y1), (x1, y1), (x1, y0), (x0, y0).
    pub fn gather(
        &self,
        read: &mut TexelRead<'_>,
        st: &SamplerState,
        uv: (f32, f32),
        slice: u32,
        c: usize,
    ) -> Result<[f32; 4], EuError> {
        if self.surface.ty != SurfaceType::D2 {
            return Err(EuError::new(format!(
                "gather4 on a {:?} surface is not modelled",
                self.surface.ty
            )));
        }
        let level = self.surface.min_lod;
        let slice = slice + self.surface.min_array_element;
        let (w, h, _) = self.surface.level_size(level);
        let (x, y) = if st.unnormalized {
            uv
        } else {
            (uv.0 * w as f32, uv.1 * h as f32)
        };
        let (x0, y0) = ((x - 0.5).floor() as i64, (y - 0.5).floor() as i64);
        let mut t =
            |x, y| -> Result<f32, EuError> { Ok(self.texel(read, st, x, y, slice, level)?[c]) };
        Ok([
            t(x0, y0 + 1)?,
            t(x0 + 1, y0 + 1)?,
            t(x0 + 1, y0)?,
            t(x0, y0)?,
        ])
    }

    /// A filtered sample at (u, v) of array `slice` with level of detail `lod` (before
    /// the sampler's bias and clamps).
    pub fn sample(
        &self,
        read: &mut TexelRead<'_>,
        st: &SamplerState,
        uv: (f32, f32),
        slice: u32,
        lod: f32,
    ) -> Result<[f32; 4], EuError> {
        if !matches!(self.surface.ty, SurfaceType::D1 | SurfaceType::D2) {
            return Err(EuError::new(format!(
                "sampling a {:?} surface is not modelled",
                self.surface.ty
            )));
        }
        let integer = matches!(self.format.kind, ChannelKind::Uint | ChannelKind::Sint);
        if integer && (st.min_linear || st.mag_linear || st.mip == 3) {
            return Err(EuError::new("linear filtering of an integer format"));
        }
        let lod = (lod + st.lod_bias).clamp(st.min_lod, st.max_lod.max(st.min_lod));
        let linear = if lod > 0.0 {
            st.min_linear
        } else {
            st.mag_linear
        };
        let base = self.surface.min_lod;
        // For sampling, the MIP Count field holds the levels of the view minus one.
        let last = base + self.surface.rt_lod;
        let level = |l: u32| (base + l).min(last);
        let slice = slice + self.surface.min_array_element;
        match st.mip {
            0 => self.level_sample(read, st, uv, slice, base, linear),
            1 => {
                let l = if lod <= 0.0 {
                    0
                } else {
                    (lod + 0.5).floor() as u32
                };
                self.level_sample(read, st, uv, slice, level(l), linear)
            }
            _ => {
                let lod = lod.max(0.0);
                let l0 = lod.floor() as u32;
                let a = self.level_sample(read, st, uv, slice, level(l0), linear)?;
                let b = self.level_sample(read, st, uv, slice, level(l0 + 1), linear)?;
                let t = lod - lod.floor();
                Ok(std::array::from_fn(|c| a[c] + (b[c] - a[c]) * t))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinate_modes_follow_the_prm() {
        let w = |i, m| wrap_coord(i, 4, m).unwrap();
        assert_eq!((w(-1, 0), w(4, 0), w(9, 0)), (Some(3), Some(0), Some(1)));
        assert_eq!((w(-1, 1), w(4, 1), w(8, 1)), (Some(0), Some(3), Some(0)));
        assert_eq!((w(-5, 2), w(7, 2)), (Some(0), Some(3)));
        assert_eq!((w(-1, 4), w(4, 4), w(2, 4)), (None, None, Some(2)));
        assert_eq!((w(-2, 5), w(6, 5)), (Some(1), Some(3)));
        assert!(wrap_coord(0, 4, 3).is_err());
    }
}
