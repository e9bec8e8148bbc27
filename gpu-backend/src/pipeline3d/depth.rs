//! The stencil and depth tests and the depth/stencil buffer operations
//! (3DSTATE_DEPTH_BUFFER, 3DSTATE_STENCIL_BUFFER, 3DSTATE_WM_DEPTH_STENCIL,
//! 3DSTATE_WM_HZ_OP).
//!
//! Depth buffers are Y-tiled (Tiger Lake's depth layout) in D32_FLOAT, D24_UNORM_X8 or
//! D16_UNORM; stencil buffers are Y-tiled bytes. The tests run before the pixel shader (the
//! model has no shader-computed depth or stencil): the stencil test, then the depth test;
//! the stencil operation for the outcome (front or back face) updates the stencil buffer
//! through its write mask, and a passing pixel writes its depth when both
//! 3DSTATE_DEPTH_BUFFER and 3DSTATE_WM_DEPTH_STENCIL enable writes; a failing pixel is
//! never shaded. As for colour, surfaces are kept resolved: the hierarchical depth
//! buffer and depth/stencil compression are not modelled, a HiZ depth or stencil clear
//! writes the clear value into the buffer itself, and resolves have nothing to do.

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

/// The stencil buffer 3DSTATE_STENCIL_BUFFER describes (Y-tiled bytes).
#[derive(Clone, Copy, Debug)]
struct StencilBuffer {
    base: u64,
    pitch: u64,
    width: u32,
    height: u32,
    row0: u64,
    write: bool,
}

impl StencilBuffer {
    /// The bound stencil buffer, or `None` for a null one.
    fn new(s: &State3d<'_>) -> Result<Option<StencilBuffer>, EuError> {
        let sb = s.cmd("3DSTATE_STENCIL_BUFFER");
        match sb.bits(1, 31, 29) {
            7 => return Ok(None),
            1 => {}
            t => return Err(EuError::new(format!("stencil buffer of surface type {t}"))),
        }
        if sb.bits(7, 19, 16) != 0 {
            return Err(EuError::new(
                "rendering to a stencil mip level is not modelled",
            ));
        }
        Ok(Some(StencilBuffer {
            base: (u64::from(sb.dw(3)) << 32 | u64::from(sb.dw(2))) & GPU_ADDR_MASK,
            pitch: u64::from(sb.bits(1, 16, 0)) + 1,
            width: sb.bits(4, 14, 1) + 1,
            height: sb.bits(4, 30, 17) + 1,
            row0: u64::from(sb.bits(5, 18, 8)) * u64::from(sb.bits(7, 14, 0)),
            write: sb.bit(1, 28),
        }))
    }

    fn addr(&self, x: u32, y: u32) -> Option<u64> {
        (x < self.width && y < self.height).then(|| {
            self.base + Tiling::Y.offset(self.pitch, u64::from(x), self.row0 + u64::from(y))
        })
    }

    fn read(&self, space: &dyn AddressSpace, a: u64) -> Result<u8, EuError> {
        let mut b = [0u8; 1];
        read_mem(space, a, &mut b)
            .map_err(|f| EuError::new(format!("stencil buffer fault at {:#x}", f.addr)))?;
        Ok(b[0])
    }

    fn store(&self, space: &dyn AddressSpace, a: u64, v: u8) -> Result<(), EuError> {
        write_mem(space, a, &[v])
            .map_err(|f| EuError::new(format!("stencil buffer fault at {:#x}", f.addr)))
    }
}

/// One face's stencil state: function, operations (fail, depth fail, pass), reference,
/// test and write masks.
#[derive(Clone, Copy, Debug)]
struct StencilFace {
    func: u32,
    ops: [u32; 3],
    reference: u8,
    test_mask: u8,
    write_mask: u8,
}

/// The stencil test of a draw.
#[derive(Clone, Copy, Debug)]
struct StencilTest {
    buffer: StencilBuffer,
    front: StencilFace,
    back: StencilFace,
}

/// `a FUNC b` for a 3D_Compare_Function.
fn compare<T: PartialOrd>(func: u32, a: T, b: T) -> bool {
    match func {
        0 => true,
        1 => false,
        2 => a < b,
        3 => a == b,
        4 => a <= b,
        5 => a > b,
        6 => a != b,
        _ => a >= b,
    }
}

/// A 3D_Stencil_Operation on value `v`.
fn stencil_op(op: u32, v: u8, reference: u8) -> u8 {
    match op {
        1 => 0,
        2 => reference,
        3 => v.saturating_add(1),
        4 => v.saturating_sub(1),
        5 => v.wrapping_add(1),
        6 => v.wrapping_sub(1),
        7 => !v,
        _ => v,
    }
}

/// The depth and stencil tests of a draw.
pub(crate) struct DepthTest {
    buffer: Option<DepthBuffer>,
    /// 3D_Compare_Function.
    func: u32,
    write: bool,
    stencil: Option<StencilTest>,
}

impl DepthTest {
    /// The draw's depth and stencil tests, or `None` when none is enabled (or their
    /// buffers are null).
    pub fn new(s: &State3d<'_>) -> Result<Option<DepthTest>, EuError> {
        let ds = s.cmd("3DSTATE_WM_DEPTH_STENCIL");
        let (write, test) = (ds.bit(1, 0), ds.bit(1, 1));
        let buffer = if write || test {
            DepthBuffer::new(s)?
        } else {
            None
        };
        let stencil = if ds.bit(1, 2) || ds.bit(1, 3) {
            StencilBuffer::new(s)?.map(|buffer| {
                let face = |func_lo: u32, ops_lo: u32, mask_lo: u32, ref_lo: u32| StencilFace {
                    func: if ds.bit(1, 3) {
                        ds.bits(1, func_lo + 2, func_lo)
                    } else {
                        0
                    },
                    ops: [
                        ds.bits(1, ops_lo + 8, ops_lo + 6),
                        ds.bits(1, ops_lo + 5, ops_lo + 3),
                        ds.bits(1, ops_lo + 2, ops_lo),
                    ],
                    reference: ds.bits(3, ref_lo + 7, ref_lo) as u8,
                    test_mask: ds.bits(2, mask_lo + 15, mask_lo + 8) as u8,
                    write_mask: if ds.bit(1, 2) && buffer.write {
                        ds.bits(2, mask_lo + 7, mask_lo) as u8
                    } else {
                        0
                    },
                };
                // Front: function 10:8, ops 31:23, masks 31:16, reference 15:8. Back:
                // function 22:20, ops 19:11, masks 15:0, reference 7:0.
                let front = face(8, 23, 16, 8);
                let back = if ds.bit(1, 4) {
                    face(20, 11, 0, 0)
                } else {
                    front
                };
                StencilTest {
                    buffer,
                    front,
                    back,
                }
            })
        } else {
            None
        };
        if buffer.is_none() && stencil.is_none() {
            return Ok(None);
        }
        if s.cmd("3DSTATE_PS_EXTRA").bit(1, 28) && (write || stencil.is_some()) {
            return Err(EuError::new(
                "depth or stencil writes from a pixel shader that kills pixels are not modelled",
            ));
        }
        Ok(Some(DepthTest {
            buffer,
            // Without the test enabled every pixel passes (writes still happen).
            func: if test { ds.bits(1, 7, 5) } else { 0 },
            write: write && buffer.is_some_and(|b| b.write),
            stencil,
        }))
    }

    /// Tests pixel (x, y) of a `front`-facing primitive at depth `z`: the stencil test,
    /// then the depth test; the stencil buffer takes the outcome's operation and a
    /// passing pixel writes its depth.
    pub fn test(
        &self,
        space: &dyn AddressSpace,
        x: u32,
        y: u32,
        z: f32,
        front: bool,
    ) -> Result<bool, EuError> {
        let mut stencil = None;
        let mut pass = true;
        if let Some(st) = &self.stencil {
            if let Some(a) = st.buffer.addr(x, y) {
                let face = if front { st.front } else { st.back };
                let v = st.buffer.read(space, a)?;
                let m = face.test_mask;
                pass = compare(face.func, face.reference & m, v & m);
                stencil = Some((a, v, face));
            } else {
                return Ok(false);
            }
        }
        let mut depth_at = None;
        if pass {
            if let Some(b) = &self.buffer {
                let Some(a) = b.addr(x, y) else {
                    return Ok(false);
                };
                // The stored format's precision applies to the incoming depth too.
                let z = b.decode(b.encode(z));
                pass = compare(self.func, z, b.read(space, a)?);
                depth_at = Some((a, z));
                if let Some((sa, v, face)) = stencil {
                    let op = if pass { face.ops[2] } else { face.ops[1] };
                    stencil = Some((
                        sa,
                        v,
                        StencilFace {
                            ops: [op; 3],
                            ..face
                        },
                    ));
                }
            } else if let Some((sa, v, face)) = stencil {
                stencil = Some((
                    sa,
                    v,
                    StencilFace {
                        ops: [face.ops[2]; 3],
                        ..face
                    },
                ));
            }
        } else if let Some((sa, v, face)) = stencil {
            stencil = Some((
                sa,
                v,
                StencilFace {
                    ops: [face.ops[0]; 3],
                    ..face
                },
            ));
        }
        if let (Some((a, v, face)), Some(st)) = (stencil, &self.stencil) {
            let new = stencil_op(face.ops[0], v, face.reference);
            let w = face.write_mask;
            let out = v & !w | new & w;
            if out != v {
                st.buffer.store(space, a, out)?;
            }
        }
        if let (true, true, Some((a, z)), Some(b)) = (pass, self.write, depth_at, &self.buffer) {
            b.store(space, a, z)?;
        }
        Ok(pass)
    }
}

/// 3DSTATE_WM_HZ_OP: a stencil clear writes its value into the clear rectangle of the
/// stencil buffer, a depth clear 3DSTATE_CLEAR_PARAMS's value into the depth buffer's;
/// resolves do nothing (the buffers are always resolved).
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
    let (x0, y0) = (dw[2] & 0xffff, dw[2] >> 16);
    let (x1, y1) = (dw[3] & 0xffff, dw[3] >> 16);
    // Bit 31: stencil clear, with the value in bits 23:16.
    if dw[1] >> 31 != 0 {
        if let Some(sb) = StencilBuffer::new(s)? {
            let v = (dw[1] >> 16) as u8;
            for y in y0..y1.min(sb.height) {
                tick(true)?;
                for x in x0..x1.min(sb.width) {
                    if let Some(a) = sb.addr(x, y) {
                        sb.store(space, a, v)?;
                    }
                }
            }
        }
    }
    // Bit 30: depth clear.
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
    let (x1, y1) = (x1.min(b.width), y1.min(b.height));
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
