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
        let tiling = match dw[0] >> 12 & 3 {
            0 => Tiling::Linear,
            2 => Tiling::X,
            3 => Tiling::Y,
            _ => return Err(EuError::new("W-tiled surface")),
        };
        let bpp = if ty == SurfaceType::Null {
            1
        } else {
            format_bytes(format)
                .ok_or_else(|| EuError::new(format!("surface format {format:#x}")))?
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
        })
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

    /// Width of a row in bytes.
    pub fn row_bytes(&self) -> u64 {
        u64::from(self.width) * u64::from(self.bpp)
    }

    /// GPU address of byte `x` of row `y` (inside the surface).
    pub fn addr(&self, x: u64, y: u64) -> u64 {
        self.base + self.tiling.offset(u64::from(self.pitch), x, y)
    }
}
