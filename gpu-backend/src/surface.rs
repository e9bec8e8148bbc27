//! RENDER_SURFACE_STATE as the data port reads it: where a surface lives and how it is laid
//! out. Only what the modelled messages use is decoded; a layout the model cannot address
//! (a tile mode it lacks, an unknown format) is an error that names it.

use crate::eu::EuError;
use crate::mem::{read_mem, AddressSpace};
use crate::tiling::Tiling;

/// Size of RENDER_SURFACE_STATE in bytes (Gen12).
pub const SURFACE_STATE_BYTES: usize = 64;

/// Surface type field values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SurfaceType {
    /// SURFTYPE_1D
    D1,
    /// SURFTYPE_2D
    D2,
    /// SURFTYPE_3D
    D3,
    /// SURFTYPE_CUBE
    Cube,
    /// SURFTYPE_BUFFER
    Buffer,
    /// SURFTYPE_NULL
    Null,
}

/// A decoded surface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Surface {
    /// Surface type.
    pub ty: SurfaceType,
    /// Surface format (the hardware's number).
    pub format: u32,
    /// Bytes per element of the format.
    pub bpp: u32,
    /// GPU address of the first byte.
    pub base: u64,
    /// Width in elements (for buffers: the size in elements).
    pub width: u32,
    /// Height in rows.
    pub height: u32,
    /// Row pitch in bytes.
    pub pitch: u32,
    /// Memory layout.
    pub tiling: Tiling,
    /// Depth of a 3D surface or array length of a 1D/2D array (1 when neither).
    pub depth: u32,
    /// Rows from one array slice (or 3D depth slice) to the next (Surface QPitch).
    pub qpitch: u32,
    /// First array slice of the view (Minimum Array Element).
    pub min_array_element: u32,
    /// First mip level of the view (Surface Min LOD).
    pub min_lod: u32,
    /// Horizontal and vertical alignment of mip levels, in elements.
    pub align: (u32, u32),
    /// log2 of the samples per pixel (Number of Multisamples).
    pub samples_log2: u32,
    /// The mip level a render target view writes (MIP Count / LOD, which means the level
    /// for render targets and the level count for sampling).
    pub rt_lod: u32,
    /// Where the surface's clear colour lives (Clear Value Address), when enabled.
    pub clear_value: Option<u64>,
    /// Shader channel selects for red, green, blue, alpha (4..7 pick R..A, 0 zero, 1 one).
    pub channel_select: [u32; 4],
}

/// The RAW surface format (buffers addressed in bytes).
pub const FORMAT_RAW: u32 = 0x1ff;

/// Bytes per element of a surface format (formats of 1×1 blocks).
pub fn format_bytes(format: u32) -> Option<u32> {
    Some(match format {
        0x140..=0x14f | 0x152..=0x155 => 1,
        0x100..=0x11f | 0x122..=0x127 | 0x182..=0x183 | 0x18f..=0x190 => 2,
        0x193..=0x196 | 0x1a8 | 0x1c8..=0x1c9 => 3,
        0x0c0..=0x0c5
        | 0x0c7..=0x0d3
        | 0x0d5..=0x0da
        | 0x0dd..=0x0ee
        | 0x0f0..=0x0f9
        | 0x1b2..=0x1bb => 4,
        0x19b..=0x19f | 0x1b0..=0x1b1 => 6,
        0x080..=0x097 | 0x0a0..=0x0a1 => 8,
        0x040..=0x046 | 0x050 => 12,
        0x000..=0x008 | 0x020..=0x021 => 16,
        0x1bd => 24,
        0x197 | 0x1bc => 32,
        FORMAT_RAW => 1,
        _ => return None,
    })
}

impl Surface {
    /// Decodes the 16 dwords of a RENDER_SURFACE_STATE.
    pub fn decode(dw: &[u32; 16]) -> Result<Surface, EuError> {
        let ty = match dw[0] >> 29 {
            0 => SurfaceType::D1,
            1 => SurfaceType::D2,
            2 => SurfaceType::D3,
            3 => SurfaceType::Cube,
            4 => SurfaceType::Buffer,
            7 => SurfaceType::Null,
            t => return Err(EuError::new(format!("surface type {t}"))),
        };
        let format = dw[0] >> 18 & 0x1ff;
        let bpp = if ty == SurfaceType::Null {
            1
        } else {
            format_bytes(format)
                .ok_or_else(|| EuError::new(format!("surface format {format:#x}")))?
        };
        // Tiled Resource Mode (dword 5 bits 19:18) turns a Y-major surface into the
        // standard 4 KB (Yf) or 64 KB (Ys) tiling.
        let tiling = match (dw[0] >> 12 & 3, dw[5] >> 18 & 3) {
            (0, 0) => Tiling::Linear,
            (2, 0) => Tiling::X,
            (3, 0) => Tiling::Y,
            (3, 1) => Self::yf_tiling(ty, bpp, dw)?,
            (3, 2) => return Err(EuError::new("TileYs surface (64 KB tiled resource mode)")),
            (1, _) => return Err(EuError::new("W-tiled surface")),
            (t, m) => {
                return Err(EuError::new(format!(
                    "tiled resource mode {m} with tile mode {t}"
                )))
            }
        };
        let (w, h, depth) = (dw[2] & 0x3fff, dw[2] >> 16 & 0x3fff, dw[3] >> 21);
        let (width, height) = if ty == SurfaceType::Buffer {
            // A buffer's element count minus one is split over width, height and depth.
            let n = (w & 0x7f) | (h & 0x3fff) << 7 | (depth & 0x3ff) << 21;
            (n + 1, 1)
        } else {
            (w + 1, h + 1)
        };
        Ok(Surface {
            ty,
            format,
            bpp,
            base: (u64::from(dw[9]) << 32 | u64::from(dw[8])) & crate::mem::GPU_ADDR_MASK,
            width,
            height,
            pitch: (dw[3] & 0x3ffff) + 1,
            tiling,
            depth: if ty == SurfaceType::Buffer {
                1
            } else {
                depth + 1
            },
            // The field holds QPitch in units of four rows.
            qpitch: (dw[1] & 0x7fff) << 2,
            min_array_element: dw[4] >> 18 & 0x7ff,
            min_lod: dw[5] >> 4 & 0xf,
            // HALIGN/VALIGN 4, 8, 16 (encodings 1..3; 0 is reserved and read as 4).
            align: (2 << (dw[0] >> 14 & 3).max(1), 2 << (dw[0] >> 16 & 3).max(1)),
            samples_log2: dw[4] >> 3 & 7,
            rt_lod: dw[5] & 0xf,
            // Dword 10 bit 10 enables it; the address is 64-byte aligned in dwords 12-13.
            clear_value: (dw[10] >> 10 & 1 != 0)
                .then(|| u64::from(dw[13] & 0xffff) << 32 | u64::from(dw[12] & !0x3f)),
            channel_select: [
                dw[7] >> 25 & 7,
                dw[7] >> 22 & 7,
                dw[7] >> 19 & 7,
                dw[7] >> 16 & 7,
            ],
        })
    }

    /// The TileYf layout of a surface whose Tiled Resource Mode says 4 KB, when it is one
    /// this model lays out: a single-sampled 2D surface of power-of-two elements whose
    /// views reach only mip level 0 (levels from Mip Tail Start LOD on would share a tail
    /// tile, which is not modelled; 3D and multisampled Yf swizzle differently).
    fn yf_tiling(ty: SurfaceType, bpp: u32, dw: &[u32; 16]) -> Result<Tiling, EuError> {
        let why = if ty != SurfaceType::D2 {
            Some(format!("a {ty:?} surface"))
        } else if !bpp.is_power_of_two() || bpp > 16 {
            Some(format!("{bpp}-byte elements"))
        } else if dw[4] >> 3 & 7 != 0 {
            Some("multisampling".to_string())
        } else if dw[5] & 0xff != 0 {
            Some("mip levels past 0".to_string())
        } else {
            None
        };
        match why {
            Some(w) => Err(EuError::new(format!("TileYf surface with {w}"))),
            None => Ok(Tiling::Yf(bpp.trailing_zeros() as u8)),
        }
    }

    /// Reads and decodes the surface state at GPU address `addr`.
    pub fn load(space: &dyn AddressSpace, addr: u64) -> Result<Surface, EuError> {
        let mut b = [0u8; SURFACE_STATE_BYTES];
        read_mem(space, addr, &mut b)
            .map_err(|f| EuError::new(format!("surface state fault at {:#x}", f.addr)))?;
        let dw: [u32; 16] =
            std::array::from_fn(|i| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap()));
        Surface::decode(&dw)
    }

    /// Width, height and depth (3D) or array length of mip `level`.
    pub fn level_size(&self, level: u32) -> (u32, u32, u32) {
        let m = |v: u32| (v >> level.min(31)).max(1);
        let d = if self.ty == SurfaceType::D3 {
            m(self.depth)
        } else {
            self.depth
        };
        (m(self.width), m(self.height), d)
    }

    /// Where mip `level` starts, in elements across and rows down, in the Gen9+ 2D layout:
    /// level 1 below level 0, each later level below the one before, right of level 1.
    pub fn level_origin(&self, level: u32) -> (u64, u64) {
        let align = |v: u32, a: u32| u64::from(v.div_ceil(a) * a);
        let (mut x, mut y) = (0, 0);
        for l in 0..level {
            let (w, h, _) = self.level_size(l);
            if l == 1 {
                x += align(w, self.align.0);
            } else {
                y += align(h, self.align.1);
            }
        }
        (x, y)
    }

    /// The GPU address of element (u, v) of array slice (or 3D depth slice) `slice` of
    /// mip `level`, counted from the start of the surface (the view's Minimum Array
    /// Element and first level are the caller's to add; the view covers Depth + 1 slices
    /// from its Minimum Array Element), or `None` out of bounds.
    pub fn element_addr(&self, u: u32, v: u32, slice: u32, level: u32) -> Option<u64> {
        let bpp = u64::from(self.bpp);
        match self.ty {
            SurfaceType::Null | SurfaceType::Cube => None,
            SurfaceType::Buffer => (v == 0 && slice == 0 && level == 0 && u < self.width)
                .then(|| self.base + u64::from(u) * bpp),
            SurfaceType::D1 | SurfaceType::D2 | SurfaceType::D3 => {
                if level > 14 {
                    return None;
                }
                let (w, h, d) = self.level_size(level);
                let h = if self.ty == SurfaceType::D1 { 1 } else { h };
                // Depth counts the view's slices from its Minimum Array Element (a view
                // of one layer of an array may say Depth 0 and start at layer 2).
                if u >= w || v >= h || slice >= d + self.min_array_element {
                    return None;
                }
                // Slices are QPitch rows apart, each holding every mip level.
                let (x0, y0) = self.level_origin(level);
                let row = u64::from(slice) * u64::from(self.qpitch) + y0 + u64::from(v);
                Some(self.addr((x0 + u64::from(u)) * bpp, row))
            }
        }
    }

    /// Width of a row in bytes.
    pub fn row_bytes(&self) -> u64 {
        u64::from(self.width) * u64::from(self.bpp)
    }

    /// GPU address of byte `x` of row `y` (inside the surface).
    pub fn addr(&self, x: u64, y: u64) -> u64 {
        self.base + self.tiling.offset(u64::from(self.pitch), x, y)
    }
}

/// How a format's channels are stored and what the registers of typed messages hold for
/// them: integers as dwords, UNORM/SNORM/FLOAT as 32-bit floats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// Unsigned normalized.
    Unorm,
    /// Signed normalized.
    Snorm,
    /// Unsigned integer.
    Uint,
    /// Signed integer.
    Sint,
    /// IEEE float (16 or 32 bits).
    Float,
}

/// A format of equal-width channels stored R, G, B, A from the lowest bit (B and R swapped
/// for the BGRA formats; 10-10-10-2 formats pack three 10-bit channels and a 2-bit alpha),
/// as typed surface messages convert it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TexelFormat {
    /// Channels stored (1 to 4).
    pub channels: u32,
    /// Bits per channel (8, 16 or 32; 10 for the 10-10-10-2 formats, whose alpha has 2).
    pub bits: u32,
    /// Channel encoding.
    pub kind: ChannelKind,
    /// Stored as B, G, R, A.
    pub bgra: bool,
    /// Red, green and blue are sRGB-encoded (UNORM_SRGB formats; alpha is linear).
    pub srgb: bool,
}

/// The sRGB transfer function: a linear value in [0, 1] to its encoded value.
fn srgb_encode(l: f32) -> f32 {
    if l.is_nan() || l <= 0.0 {
        0.0
    } else if l < 0.003_130_8 {
        l * 12.92
    } else if l < 1.0 {
        1.055 * l.powf(1.0 / 2.4) - 0.055
    } else {
        1.0
    }
}

/// The inverse sRGB transfer function: an encoded value in [0, 1] to linear.
fn srgb_decode(e: f32) -> f32 {
    if e <= 0.040_45 {
        e / 12.92
    } else {
        ((e + 0.055) / 1.055).powf(2.4)
    }
}

impl TexelFormat {
    /// The format behind a surface format number, for the formats typed messages convert
    /// here (others are an error naming the number at the caller).
    pub fn of(format: u32) -> Option<TexelFormat> {
        use ChannelKind::*;
        let f = |channels, bits, kind| TexelFormat {
            channels,
            bits,
            kind,
            bgra: false,
            srgb: false,
        };
        Some(match format {
            0x000 => f(4, 32, Float),
            0x001 => f(4, 32, Sint),
            0x002 => f(4, 32, Uint),
            0x080 => f(4, 16, Unorm),
            0x081 => f(4, 16, Snorm),
            0x082 => f(4, 16, Sint),
            0x083 => f(4, 16, Uint),
            0x084 => f(4, 16, Float),
            0x085 => f(2, 32, Float),
            0x086 => f(2, 32, Sint),
            0x087 => f(2, 32, Uint),
            0x0c0 => TexelFormat {
                bgra: true,
                ..f(4, 8, Unorm)
            },
            0x0c1 => TexelFormat {
                bgra: true,
                srgb: true,
                ..f(4, 8, Unorm)
            },
            0x0c8 => TexelFormat {
                srgb: true,
                ..f(4, 8, Unorm)
            },
            0x0c2 => f(4, 10, Unorm),
            0x0c4 => f(4, 10, Uint),
            0x1b3 => f(4, 10, Snorm),
            0x1b6 => f(4, 10, Sint),
            0x0c7 => f(4, 8, Unorm),
            0x0c9 => f(4, 8, Snorm),
            0x0ca => f(4, 8, Sint),
            0x0cb => f(4, 8, Uint),
            0x0cc => f(2, 16, Unorm),
            0x0cd => f(2, 16, Snorm),
            0x0ce => f(2, 16, Sint),
            0x0cf => f(2, 16, Uint),
            0x0d0 => f(2, 16, Float),
            0x0d6 => f(1, 32, Sint),
            0x0d7 => f(1, 32, Uint),
            0x0d8 => f(1, 32, Float),
            0x106 => f(2, 8, Unorm),
            0x107 => f(2, 8, Snorm),
            0x108 => f(2, 8, Sint),
            0x109 => f(2, 8, Uint),
            0x10a => f(1, 16, Unorm),
            0x10b => f(1, 16, Snorm),
            0x10c => f(1, 16, Sint),
            0x10d => f(1, 16, Uint),
            0x10e => f(1, 16, Float),
            0x140 => f(1, 8, Unorm),
            0x141 => f(1, 8, Snorm),
            0x142 => f(1, 8, Sint),
            0x143 => f(1, 8, Uint),
            _ => return None,
        })
    }

    /// Bytes of one texel.
    pub fn bytes(&self) -> usize {
        if self.bits == 10 {
            4
        } else {
            (self.channels * self.bits / 8) as usize
        }
    }

    /// The register value of a channel the format lacks: 0 for R, G, B; one for alpha.
    pub fn default_channel(&self, c: usize) -> u32 {
        match (c, self.kind) {
            (3, ChannelKind::Uint | ChannelKind::Sint) => 1,
            (3, _) => 1f32.to_bits(),
            _ => 0,
        }
    }

    /// Where register channel `c` (0 = R) is stored: its first bit and its width.
    fn field(&self, c: usize) -> (u32, u32) {
        let slot = if self.bgra && c != 3 { 2 - c } else { c } as u32;
        match (self.bits, c) {
            (10, 3) => (30, 2),
            (b, _) => (slot * b, b),
        }
    }

    /// The four register values (R, G, B, A) a typed read returns for a stored texel.
    pub fn unpack(&self, texel: &[u8]) -> [u32; 4] {
        let mut b = [0u8; 16];
        b[..texel.len().min(16)].copy_from_slice(&texel[..texel.len().min(16)]);
        let all = u128::from_le_bytes(b);
        std::array::from_fn(|c| {
            if c >= self.channels as usize {
                return self.default_channel(c);
            }
            let (at, w) = self.field(c);
            let raw = (all >> at) as u32 & (u64::from(u32::MAX) >> (32 - w)) as u32;
            let max = ((1u64 << w) - 1) as f32;
            let smax = ((1u64 << (w - 1)) - 1) as f32;
            let signed = (raw << (32 - w)) as i32 >> (32 - w);
            match (self.kind, w) {
                (ChannelKind::Uint, _) | (ChannelKind::Float, 32) => raw,
                (ChannelKind::Sint, _) => signed as u32,
                (ChannelKind::Float, _) => half::f16::from_bits(raw as u16).to_f32().to_bits(),
                (ChannelKind::Unorm, _) if self.srgb && c < 3 => {
                    srgb_decode(raw as f32 / max).to_bits()
                }
                (ChannelKind::Unorm, _) => (raw as f32 / max).to_bits(),
                (ChannelKind::Snorm, _) => (signed as f32 / smax).max(-1.0).to_bits(),
            }
        })
    }

    /// Stores register values into `texel`: only the channels in `write` (bit 0 = R); the
    /// conversion clamps to the channel's range (NaN stores as zero in normalized and
    /// integer channels) and rounds to nearest.
    pub fn pack(&self, v: [u32; 4], write: u32, texel: &mut [u8]) {
        let n = texel.len().min(16);
        let mut b = [0u8; 16];
        b[..n].copy_from_slice(&texel[..n]);
        let mut all = u128::from_le_bytes(b);
        for (c, &x) in v.iter().enumerate().take(self.channels as usize) {
            if write >> c & 1 == 0 {
                continue;
            }
            let (at, w) = self.field(c);
            let f = if self.srgb && c < 3 {
                srgb_encode(f32::from_bits(x))
            } else {
                f32::from_bits(x)
            };
            let max = ((1u64 << w) - 1) as f32;
            let smax = ((1u64 << (w - 1)) - 1) as f32;
            let norm = |lo: f32, scale: f32| -> i64 {
                if f.is_nan() {
                    0
                } else {
                    (f.clamp(lo, 1.0) * scale).round_ties_even() as i64
                }
            };
            let raw: u32 = match (self.kind, w) {
                (ChannelKind::Uint | ChannelKind::Sint | ChannelKind::Float, 32) => x,
                (ChannelKind::Uint, b) => x.min((1u32 << b) - 1),
                (ChannelKind::Sint, b) => {
                    let lim = 1i32 << (b - 1);
                    (x as i32).clamp(-lim, lim - 1) as u32
                }
                (ChannelKind::Float, _) => u32::from(half::f16::from_f32(f).to_bits()),
                (ChannelKind::Unorm, _) => norm(0.0, max) as u32,
                (ChannelKind::Snorm, _) => norm(-1.0, smax) as i32 as u32,
            };
            let m = (u128::from(u32::MAX) >> (32 - w)) << at;
            all = all & !m | (u128::from(raw) << at) & m;
        }
        texel[..n].copy_from_slice(&all.to_le_bytes()[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 64×64 B8G8R8A8 2D surface at 0x10000, pitch 256, in tile mode `tile` with
    /// Tiled Resource Mode `trmode`.
    fn state(tile: u32, trmode: u32) -> [u32; 16] {
        let mut dw = [0u32; 16];
        dw[0] = 1 << 29 | 0x0c0 << 18 | tile << 12;
        dw[2] = 63 << 16 | 63;
        dw[3] = 255;
        dw[5] = trmode << 18 | 1 << 8; // Mip Tail Start LOD 1, as IGT sets it
        dw[8] = 0x10000;
        dw
    }

    /// Tiled Resource Mode 4 KB over Y-major is TileYf: element (4, 0) is the second
    /// 16-byte column of the first 256-byte block, 128 bytes in (legacy Y puts it 512 in).
    #[test]
    fn tiled_resource_mode_4k_is_tile_yf() {
        let s = Surface::decode(&state(3, 1)).unwrap();
        assert_eq!(s.tiling, Tiling::Yf(2));
        assert_eq!(s.element_addr(4, 0, 0, 0), Some(0x10000 + 128));
        assert_eq!(s.element_addr(0, 4, 0, 0), Some(0x10000 + 64));
        let y = Surface::decode(&state(3, 0)).unwrap();
        assert_eq!(y.element_addr(4, 0, 0, 0), Some(0x10000 + 512));
    }

    /// Layouts the model does not have are errors that name them.
    #[test]
    fn unmodelled_tiled_resource_modes_are_refused() {
        let e = |dw: [u32; 16]| Surface::decode(&dw).unwrap_err().to_string();
        assert!(e(state(3, 2)).contains("TileYs"));
        assert!(e(state(0, 1)).contains("tiled resource mode 1 with tile mode 0"));
        let mut mips = state(3, 1);
        mips[5] |= 2; // MIP Count 2
        assert!(e(mips).contains("TileYf surface with mip levels"));
        let mut msaa = state(3, 1);
        msaa[4] |= 2 << 3;
        assert!(e(msaa).contains("TileYf surface with multisampling"));
    }

    #[test]
    fn unorm_and_snorm_round_trip_and_clamp() {
        let f = TexelFormat::of(0x0c7).unwrap();
        let mut t = [0u8; 4];
        let v = [0.5f32, 2.0, -1.0, 1.0].map(f32::to_bits);
        f.pack(v, 0xf, &mut t);
        assert_eq!(t, [128, 255, 0, 255]);
        assert_eq!(f32::from_bits(f.unpack(&t)[0]), 128.0 / 255.0);
        let s = TexelFormat::of(0x0c9).unwrap();
        s.pack(
            [-2.0f32, -1.0, 0.5, f32::NAN].map(f32::to_bits),
            0xf,
            &mut t,
        );
        assert_eq!(t, [0x81, 0x81, 64, 0]);
        assert_eq!(f32::from_bits(s.unpack(&[0x80, 0, 0, 0])[0]), -1.0);
    }

    #[test]
    fn narrow_integers_clamp_and_sign_extend() {
        let u = TexelFormat::of(0x10d).unwrap();
        let mut t = [0u8; 2];
        u.pack([70000, 0, 0, 0], 1, &mut t);
        assert_eq!(u16::from_le_bytes(t), 0xffff);
        let s = TexelFormat::of(0x142).unwrap();
        let mut b = [0u8; 1];
        s.pack([(-300i32) as u32, 0, 0, 0], 1, &mut b);
        assert_eq!(s.unpack(&b), [(-128i32) as u32, 0, 0, 1]);
    }

    #[test]
    fn rgb10a2_packs_three_10_bit_channels_and_a_2_bit_alpha() {
        let f = TexelFormat::of(0x0c2).unwrap();
        let mut t = [0u8; 4];
        f.pack([1.0f32, 0.5, 0.0, 1.0 / 3.0].map(f32::to_bits), 0xf, &mut t);
        assert_eq!(u32::from_le_bytes(t), 1023 | 512 << 10 | 1 << 30);
        assert_eq!(f.unpack(&t)[3], (1.0f32 / 3.0).to_bits());
        let u = TexelFormat::of(0x0c4).unwrap();
        u.pack([5000, 7, 1, 9], 0b1011, &mut t);
        assert_eq!(u.unpack(&t), [1023, 7, 0, 3]);
    }

    #[test]
    fn bgra_swaps_red_and_blue_and_partial_writes_keep_channels() {
        let f = TexelFormat::of(0x0c0).unwrap();
        let mut t = [9u8; 4];
        f.pack([1.0f32, 0.0, 0.0, 0.0].map(f32::to_bits), 0b1001, &mut t);
        assert_eq!(t, [9, 9, 255, 0]);
        let h = TexelFormat::of(0x10e).unwrap();
        let mut t = [0u8; 2];
        h.pack([1.5f32.to_bits(), 0, 0, 0], 1, &mut t);
        assert_eq!(h.unpack(&t), [1.5f32.to_bits(), 0, 0, 1f32.to_bits()]);
    }
}
