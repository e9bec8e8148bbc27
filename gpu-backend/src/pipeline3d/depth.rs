//! The depth test and the depth buffer operations (3DSTATE_DEPTH_BUFFER,
//! 3DSTATE_WM_DEPTH_STENCIL, 3DSTATE_WM_HZ_OP).
//!
//! Depth buffers are Y-tiled (Tiger Lake's depth layout) in D32_FLOAT, D24_UNORM_X8 or
//! D16_UNORM. The test runs before the pixel shader (the model has no shader-computed
//! depth), so a pixel that fails is never shaded and a passing one writes its depth when
//! both 3DSTATE_DEPTH_BUFFER and 3DSTATE_WM_DEPTH_STENCIL enable writes. As for colour,
//! surfaces are kept resolved: the hierarchical depth buffer and depth compression are
//! not modelled, a HiZ depth clear writes the clear value into the depth buffer itself, and
//! HiZ and depth resolves have nothing to do. Stencil tests and clears hang naming them.

use super::state::State3d;
use crate::eu::EuError;
use crate::mem::{read_mem, write_mem, AddressSpace, GPU_ADDR_MASK};
use crate::tiling::Tiling;

/// The depth buffer 3DSTATE_DEPTH_BUFFER describes.
#[derive(Clone, Copy, Debug)]
struct DepthBuffer {
    base: u64,
    pitch: u64,
    width: u32,
    height: u32,
    /// Bytes per pixel: 4 (D32_FLOAT, D24_UNORM_X8) or 2 (D16_UNORM).
    bpp: u64,
    /// The format's number (1 D32_FLOAT, 3 D24_UNORM_X8_UINT, 5 D16_UNORM).
    format: u32,
    /// Rows from one array slice to the next, and the slice drawn to.
    row0: u64,
    write: bool,
}

impl DepthBuffer {
    /// The bound depth buffer, or `None` for a null one.
    fn new(s: &State3d<'_>) -> Result<Option<DepthBuffer>, EuError> {
        let db = s.cmd("3DSTATE_DEPTH_BUFFER");
        match db.bits(1, 31, 29) {
            7 => return Ok(None),
            1 => {}
            t => return Err(EuError::new(format!("depth buffer of surface type {t}"))),
        }
        let format = db.bits(1, 26, 24);
        let bpp = match format {
            1 | 3 => 4,
            5 => 2,
            f => return Err(EuError::new(format!("depth buffer format {f}"))),
        };
        if db.bits(7, 19, 16) != 0 {
            return Err(EuError::new(
                "rendering to a depth mip level is not modelled",
            ));
        }
        Ok(Some(DepthBuffer {
            base: (u64::from(db.dw(3)) << 32 | u64::from(db.dw(2))) & GPU_ADDR_MASK,
            pitch: u64::from(db.bits(1, 17, 0)) + 1,
            width: db.bits(4, 14, 1) + 1,
            height: db.bits(4, 30, 17) + 1,
            bpp,
            format,
            row0: u64::from(db.bits(5, 18, 8)) * u64::from(db.bits(7, 14, 0)),
            write: db.bit(1, 28),
        }))
    }

    fn addr(&self, x: u32, y: u32) -> Option<u64> {
        (x < self.width && y < self.height).then(|| {
            self.base
                + Tiling::Y.offset(
                    self.pitch,
                    u64::from(x) * self.bpp,
                    self.row0 + u64::from(y),
                )
        })
    }

    /// The stored depth as a value in [0, 1] (or the float itself).
    fn decode(&self, b: [u8; 4]) -> f32 {
        let v = u32::from_le_bytes(b);
        match self.format {
            1 => f32::from_bits(v),
            3 => (v & 0xff_ffff) as f32 / 0xff_ffff as f32,
            _ => (v & 0xffff) as f32 / 0xffff as f32,
        }
    }

    fn encode(&self, z: f32) -> [u8; 4] {
        let unorm = |max: f32| (z.clamp(0.0, 1.0) * max).round() as u32;
        match self.format {
            1 => z.to_bits(),
            3 => unorm(0xff_ffff as f32),
            _ => unorm(0xffff as f32),
        }
        .to_le_bytes()
    }

    fn read(&self, space: &dyn AddressSpace, a: u64) -> Result<f32, EuError> {
        let mut b = [0u8; 4];
        read_mem(space, a, &mut b[..self.bpp as usize])
            .map_err(|f| EuError::new(format!("depth buffer fault at {:#x}", f.addr)))?;
        Ok(self.decode(b))
    }

    fn store(&self, space: &dyn AddressSpace, a: u64, z: f32) -> Result<(), EuError> {
        write_mem(space, a, &self.encode(z)[..self.bpp as usize])
            .map_err(|f| EuError::new(format!("depth buffer fault at {:#x}", f.addr)))
    }
}

/// The depth test of a draw.
pub(crate) struct DepthTest {
    buffer: DepthBuffer,
    /// 3D_Compare_Function.
    func: u32,
    write: bool,
}

impl DepthTest {
    /// The draw's depth test, or `None` when neither test nor write is enabled (or the
    /// depth buffer is null).
    pub fn new(s: &State3d<'_>) -> Result<Option<DepthTest>, EuError> {
        let ds = s.cmd("3DSTATE_WM_DEPTH_STENCIL");
        if ds.bit(1, 2) || ds.bit(1, 3) {
            return Err(EuError::new(format!(
                "stencil test or write (3DSTATE_WM_DEPTH_STENCIL {:#x}) is not modelled yet",
                ds.dw(1)
            )));
        }
        let (write, test) = (ds.bit(1, 0), ds.bit(1, 1));
        if !write && !test {
            return Ok(None);
        }
        let Some(buffer) = DepthBuffer::new(s)? else {
            return Ok(None);
        };
        if s.cmd("3DSTATE_PS_EXTRA").bit(1, 28) && write && buffer.write {
            return Err(EuError::new(
                "depth writes from a pixel shader that kills pixels are not modelled",
            ));
        }
        Ok(Some(DepthTest {
            buffer,
            // Without the test enabled every pixel passes (writes still happen).
            func: if test { ds.bits(1, 7, 5) } else { 0 },
            write: write && buffer.write,
        }))
    }

    /// Tests pixel (x, y) at depth `z`; a passing pixel writes its depth.
    pub fn test(&self, space: &dyn AddressSpace, x: u32, y: u32, z: f32) -> Result<bool, EuError> {
        let Some(a) = self.buffer.addr(x, y) else {
            return Ok(false);
        };
        // The stored format's precision applies to the incoming depth too.
        let z = self.buffer.decode(self.buffer.encode(z));
        let d = self.buffer.read(space, a)?;
        let pass = match self.func {
            0 => true,
            1 => false,
            2 => z < d,
            3 => z == d,
            4 => z <= d,
            5 => z > d,
            6 => z != d,
            _ => z >= d,
        };
        if pass && self.write {
            self.buffer.store(space, a, z)?;
        }
        Ok(pass)
    }
}

/// 3DSTATE_WM_HZ_OP: a depth clear writes 3DSTATE_CLEAR_PARAMS's value into the clear
/// rectangle of the depth buffer; resolves do nothing (the buffer is always resolved).
pub(crate) fn hz_op(
    s: &State3d<'_>,
    dw: &[u32],
    space: &dyn AddressSpace,
    tick: &mut dyn FnMut(bool) -> Result<(), EuError>,
) -> Result<(), EuError> {
    if dw.len() < 5 {
        return Err(EuError::new(format!(
            "3DSTATE_WM_HZ_OP with {} dwords",
            dw.len()
        )));
    }
    if dw[1] >> 31 != 0 {
        return Err(EuError::new(
            "3DSTATE_WM_HZ_OP stencil clear is not modelled yet",
        ));
    }
    if dw[1] >> 30 & 1 == 0 {
        return Ok(());
    }
    let Some(b) = DepthBuffer::new(s)? else {
        return Ok(());
    };
    let cp = s.cmd("3DSTATE_CLEAR_PARAMS");
    if !cp.bit(2, 0) {
        return Err(EuError::new("depth clear without a valid clear value"));
    }
    let z = f32::from_bits(cp.dw(1));
    let (x0, y0) = (dw[2] & 0xffff, dw[2] >> 16);
    let (x1, y1) = ((dw[3] & 0xffff).min(b.width), (dw[3] >> 16).min(b.height));
    for y in y0..y1 {
        // A row at a time is progress, and a reset may stop a huge clear.
        tick(true)?;
        for x in x0..x1 {
            if let Some(a) = b.addr(x, y) {
                b.store(space, a, z)?;
            }
        }
    }
    Ok(())
}
