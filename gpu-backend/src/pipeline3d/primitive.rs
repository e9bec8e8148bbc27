//! Primitive assembly, the clipper's perspective divide and the strips-and-fans setup:
//! vertices to screen-space primitives.
//!
//! Topologies: RECTLIST (an axis-aligned rectangle from three corners, as BLORP draws),
//! TRILIST, TRISTRIP, TRIFAN. Positions are divided by w unless 3DSTATE_CLIP disables the
//! divide, then mapped by SF_CLIP_VIEWPORT 0 when 3DSTATE_SF enables the viewport
//! transform. Triangles are culled by 3DSTATE_RASTER's cull mode and front winding. A
//! primitive with a NaN or infinite position, or wholly at or behind w = 0 or outside the
//! near or far plane (when 3DSTATE_CLIP and 3DSTATE_RASTER enable those tests), is
//! discarded; one crossing them needs the clipper's cut, which the model lacks: it hangs
//! naming the plane. The XY cut at the viewport is the windower's (see [`super::raster`]).

use super::state::State3d;
use super::vertex_fetch::Vue;
use crate::eu::EuError;

/// A vertex in screen space.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ScreenVertex {
    /// Pixel coordinates and depth.
    pub x: f32,
    pub y: f32,
    pub z: f32,
    /// 1/w (1 when the divide is disabled), for perspective-correct barycentrics.
    pub inv_w: f32,
}

/// A primitive ready for the rasterizer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Prim {
    /// Its vertices in the order the setup uses (attribute deltas are from vertex 0).
    pub v: [ScreenVertex; 3],
    /// The VUE index of each vertex.
    pub vue: [usize; 3],
    /// The VUE whose attributes flat shading uses.
    pub provoking: usize,
    /// An axis-aligned rectangle (RECTLIST): covered is the bounding box of the vertices.
    pub rect: bool,
    /// Front-facing (by 3DSTATE_RASTER's front winding; rectangles are).
    pub front: bool,
}

/// Topology numbers (3D_Prim_Topo_Type).
mod topo {
    pub const TRILIST: u32 = 4;
    pub const TRISTRIP: u32 = 5;
    pub const TRIFAN: u32 = 6;
    pub const RECTLIST: u32 = 0xf;
}

fn topology_name(t: u32) -> String {
    match t {
        1 => "POINTLIST".into(),
        2 => "LINELIST".into(),
        3 => "LINESTRIP".into(),
        7 => "QUADLIST".into(),
        8 => "QUADSTRIP".into(),
        9..=12 => "an adjacency topology".into(),
        13 => "TRISTRIP_REVERSE".into(),
        14 => "POLYGON".into(),
        16 => "LINELOOP".into(),
        32..=63 => format!("PATCHLIST_{}", t - 31),
        t => format!("topology {t}"),
    }
}

/// The viewport mapping of SF_CLIP_VIEWPORT 0: (m00, m11, m22, m30, m31, m32).
fn viewport(s: &State3d<'_>, space: &dyn crate::mem::AddressSpace) -> Result<[f32; 6], EuError> {
    let off = s.cmd("3DSTATE_VIEWPORT_STATE_POINTERS_SF_CLIP").dw(1) & !0x3f;
    let v = s.dynamic(space, off, 6, "SF_CLIP_VIEWPORT")?;
    Ok(std::array::from_fn(|i| f32::from_bits(v[i])))
}

/// Assembles the primitives of one instance's vertices.
pub(crate) fn assemble(
    s: &State3d<'_>,
    space: &dyn crate::mem::AddressSpace,
    topology: u32,
    vues: &[Vue],
) -> Result<Vec<Prim>, EuError> {
    let divide = !s.cmd("3DSTATE_CLIP").bit(2, 9);
    let vp = if s.cmd("3DSTATE_SF").bit(1, 1) {
        Some(viewport(s, space)?)
    } else {
        None
    };
    let sf = s.cmd("3DSTATE_SF");
    let raster = s.cmd("3DSTATE_RASTER");
    // Cull mode: 0 both, 1 none, 2 front, 3 back; front winding: 0 clockwise.
    let cull = raster.bits(1, 17, 16);
    let front_ccw = raster.bit(1, 21);
    let clip = s.cmd("3DSTATE_CLIP");
    let clipping = clip.bit(2, 31);
    // Near plane: z >= 0 in D3D's clip space (Vulkan), z >= -w in OpenGL's.
    let d3d = clip.bit(2, 30);
    let (near, far) = (clipping && raster.bit(1, 0), clipping && raster.bit(1, 26));
    let mut screen = Vec::with_capacity(vues.len());
    // Each vertex's outcode: bit 0 at or behind the eye (w <= 0, when the divide is on),
    // bit 1 before the near plane, bit 2 past the far plane.
    let mut outcodes = Vec::with_capacity(vues.len());
    for vue in vues {
        let pos = vue.get(1).copied().unwrap_or([0; 4]).map(f32::from_bits);
        let (x, y, z, w) = (pos[0], pos[1], pos[2], pos[3]);
        let near_z = if d3d { 0.0 } else { -w };
        outcodes.push(
            u8::from(divide && w <= 0.0)
                | u8::from(near && z < near_z) << 1
                | u8::from(far && z > w) << 2,
        );
        let v = if divide {
            ScreenVertex {
                x: x / w,
                y: y / w,
                z: z / w,
                inv_w: 1.0 / w,
            }
        } else {
            ScreenVertex {
                x,
                y,
                z,
                inv_w: 1.0,
            }
        };
        let v = match vp {
            Some(m) => ScreenVertex {
                x: m[0] * v.x + m[3],
                y: m[1] * v.y + m[4],
                z: m[2] * v.z + m[5],
                ..v
            },
            None => v,
        };
        screen.push(v);
    }
    let finite = |i: usize| {
        let v = screen[i];
        v.x.is_finite() && v.y.is_finite() && v.z.is_finite() && v.inv_w.is_finite()
    };
    let mut out = Vec::new();
    let mut straddles = 0u8;
    let mut tri = |a: usize, b: usize, c: usize, provoking: usize, rect: bool| {
        // Wholly outside one plane: the clipper rejects it. Partly: it would cut it.
        let (all, any) = (
            outcodes[a] & outcodes[b] & outcodes[c],
            outcodes[a] | outcodes[b] | outcodes[c],
        );
        if all != 0 {
            return;
        }
        if any != 0 {
            straddles |= any;
            return;
        }
        if !(finite(a) && finite(b) && finite(c)) {
            return;
        }
        let v = [screen[a], screen[b], screen[c]];
        let mut front = true;
        if !rect {
            // Twice the signed area with y down: positive is clockwise on screen.
            let area =
                (v[1].x - v[0].x) * (v[2].y - v[0].y) - (v[2].x - v[0].x) * (v[1].y - v[0].y);
            if area == 0.0 || area.is_nan() {
                return;
            }
            front = (area > 0.0) != front_ccw;
            let culled = match cull {
                0 => true,
                2 => front,
                3 => !front,
                _ => false,
            };
            if culled {
                return;
            }
        }
        out.push(Prim {
            v,
            vue: [a, b, c],
            provoking,
            rect,
            front,
        });
    };
    let n = vues.len();
    // Provoking vertex selects: strips and lists bits 30:29, fans bits 26:25.
    let pv = sf.bits(3, 30, 29) as usize;
    let pv_fan = sf.bits(3, 26, 25) as usize;
    match topology {
        topo::RECTLIST => {
            for i in (0..n / 3 * 3).step_by(3) {
                tri(i, i + 1, i + 2, i, true);
            }
        }
        topo::TRILIST => {
            for i in (0..n / 3 * 3).step_by(3) {
                tri(i, i + 1, i + 2, i + pv.min(2), false);
            }
        }
        topo::TRISTRIP => {
            for i in 0..n.saturating_sub(2) {
                let provoking = i + pv.min(2);
                // Odd triangles swap their first two vertices to keep the winding.
                if i % 2 == 0 {
                    tri(i, i + 1, i + 2, provoking, false);
                } else {
                    tri(i + 1, i, i + 2, provoking, false);
                }
            }
        }
        topo::TRIFAN => {
            for i in 1..n.saturating_sub(1) {
                let provoking = [0, i, i + 1][pv_fan.min(2)];
                tri(0, i, i + 1, provoking, false);
            }
        }
        t => {
            return Err(EuError::new(format!(
                "3DPRIMITIVE topology {} is not modelled",
                topology_name(t)
            )))
        }
    }
    if straddles != 0 {
        let plane = if straddles & 1 != 0 {
            "w = 0"
        } else if straddles & 2 != 0 {
            "the near plane"
        } else {
            "the far plane"
        };
        return Err(EuError::new(format!(
            "3DPRIMITIVE: a primitive crossing {plane} needs clipping, which is not modelled"
        )));
    }
    Ok(out)
}
