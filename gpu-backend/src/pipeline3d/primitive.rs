//! Primitive assembly, the clipper's perspective divide and the strips-and-fans setup:
//! vertices to screen-space primitives.
//!
//! Topologies: RECTLIST (an axis-aligned rectangle from three corners, as BLORP draws),
//! TRILIST, TRISTRIP, TRIFAN, POINTLIST (squares of the point width, see [`points`]) and
//! LINELIST/LINESTRIP: thin (up to one pixel wide), non-antialiased lines lit by the
//! diamond-exit rule without the last pixel, cut by the clip planes like triangles;
//! wider, antialiased or last-pixel lines hang naming themselves. Positions are divided by w unless 3DSTATE_CLIP disables the
//! divide, then mapped by SF_CLIP_VIEWPORT 0 when 3DSTATE_SF enables the viewport
//! transform. Triangles are culled by 3DSTATE_RASTER's cull mode and front winding. A
//! primitive with a NaN or infinite position, or wholly at or behind w = 0, outside the
//! near or far plane (when 3DSTATE_CLIP and 3DSTATE_RASTER enable those tests) or outside
//! the guard band (SF_CLIP_VIEWPORT 0, when 3DSTATE_CLIP enables its test), is discarded.
//! A triangle crossing them is cut (Sutherland–Hodgman in clip space) and the convex
//! polygon left is drawn as a fan; its new vertices get attributes interpolated linearly
//! in clip space, which is perspective-correct, and keep the original provoking vertex
//! for flat attributes. Cutting rectangles, cutting without the divide, user clip
//! distances and clip modes other than normal and reject-all hang naming themselves.
//! The XY cut at the viewport is the windower's (see [`super::raster`]).

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
    /// Front-facing (by 3DSTATE_RASTER's front winding; rectangles, points and lines are).
    pub front: bool,
    /// A line from vertex 0 to vertex 1, lit by the diamond-exit rule; vertex 2 is vertex
    /// 0 moved perpendicular to it (with vertex 0's attributes), so that the triangle's
    /// barycentrics interpolate along the line.
    pub line: bool,
}

/// Topology numbers (3D_Prim_Topo_Type).
mod topo {
    pub const POINTLIST: u32 = 1;
    pub const LINELIST: u32 = 2;
    pub const LINESTRIP: u32 = 3;
    pub const TRILIST: u32 = 4;
    pub const TRISTRIP: u32 = 5;
    pub const TRIFAN: u32 = 6;
    pub const RECTLIST: u32 = 0xf;
}

fn topology_name(t: u32) -> String {
    match t {
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

/// The clipper's planes, as signed distances of a clip-space position (inside when >= 0).
struct Planes {
    /// Near (bit 1), far (bit 2) and guard-band (bits 3..6) tests enabled.
    near: bool,
    far: bool,
    /// D3D's near plane z = 0 (Vulkan) instead of OpenGL's z = -w.
    d3d: bool,
    /// The guard band in NDC: x min, x max, y min, y max (when its test is enabled).
    guard: Option<[f32; 4]>,
    /// The perspective divide is on, so w must stay positive.
    divide: bool,
}

/// Smallest w a clipped vertex keeps, so the divide stays finite.
const W_EPSILON: f32 = 1e-7;

impl Planes {
    /// The distance of `p` from plane `i` (0 w, 1 near, 2 far, 3..6 guard band), or None
    /// when that plane is not tested.
    fn distance(&self, i: usize, p: [f32; 4]) -> Option<f32> {
        let [x, y, z, w] = p;
        match i {
            0 if self.divide => Some(w - W_EPSILON),
            1 if self.near => Some(if self.d3d { z } else { z + w }),
            2 if self.far => Some(w - z),
            3..=6 => {
                let g = self.guard?;
                Some(match i {
                    3 => x - g[0] * w,
                    4 => g[1] * w - x,
                    5 => y - g[2] * w,
                    _ => g[3] * w - y,
                })
            }
            _ => None,
        }
    }

    /// The vertex's outcode: a bit per plane it is outside of.
    fn outcode(&self, p: [f32; 4]) -> u8 {
        (0..7).fold(0, |o, i| {
            o | u8::from(self.distance(i, p).is_some_and(|d| d < 0.0)) << i
        })
    }
}

/// A vertex of a polygon being clipped: its clip-space position and its weights over the
/// triangle's three original vertices (attributes are interpolated with them).
#[derive(Clone, Copy)]
struct ClipVertex {
    pos: [f32; 4],
    weights: [f32; 3],
}

/// Sutherland–Hodgman: the part of triangle `tri` inside every plane tested, as a convex
/// polygon (empty when nothing is left).
fn clip_polygon(planes: &Planes, tri: [[f32; 4]; 3]) -> Vec<ClipVertex> {
    let mut poly: Vec<ClipVertex> = (0..3)
        .map(|i| ClipVertex {
            pos: tri[i],
            weights: std::array::from_fn(|j| f32::from(u8::from(i == j))),
        })
        .collect();
    for plane in 0..7 {
        if planes.distance(plane, [0.0; 4]).is_none() || poly.is_empty() {
            continue;
        }
        let d = |v: &ClipVertex| planes.distance(plane, v.pos).unwrap_or(0.0);
        let mut next = Vec::with_capacity(poly.len() + 1);
        for i in 0..poly.len() {
            let (a, b) = (poly[i], poly[(i + 1) % poly.len()]);
            let (da, db) = (d(&a), d(&b));
            if da >= 0.0 {
                next.push(a);
            }
            if (da >= 0.0) != (db >= 0.0) {
                // The crossing point, interpolated linearly in clip space (which is
                // perspective-correct once divided).
                let t = da / (da - db);
                let lerp = |p: f32, q: f32| p + t * (q - p);
                next.push(ClipVertex {
                    pos: std::array::from_fn(|k| lerp(a.pos[k], b.pos[k])),
                    weights: std::array::from_fn(|k| lerp(a.weights[k], b.weights[k])),
                });
            }
        }
        poly = next;
    }
    poly
}

/// A new VUE at `weights` over VUEs `src`: every slot interpolated as floats but the
/// header (slot 0), which is the provoking vertex's; integer and flat attributes are
/// read from the provoking vertex only, so their blend is never used.
fn blend_vue(vues: &[Vue], src: [usize; 3], provoking: usize, v: &ClipVertex) -> Vue {
    let n = src.iter().map(|&i| vues[i].len()).min().unwrap_or(0);
    (0..n)
        .map(|slot| match slot {
            0 => vues[provoking][0],
            1 => v.pos.map(f32::to_bits),
            _ => std::array::from_fn(|c| {
                src.iter()
                    .zip(v.weights)
                    .map(|(&i, w)| w * f32::from_bits(vues[i][slot][c]))
                    .sum::<f32>()
                    .to_bits()
            }),
        })
        .collect()
}

/// POINTLIST: each vertex inside the clip volume becomes a square of the point width
/// around it (3DSTATE_SF's, or dword 3 of the VUE header when the width comes from the
/// vertex), rasterized as a rectangle with the top-left rule; every corner is the same
/// VUE, so attributes are constant. A vertex outside any clip plane drops its point.
fn points(s: &State3d<'_>, vues: &[Vue], screen: &[ScreenVertex], outcodes: &[u8]) -> Vec<Prim> {
    let sf = s.cmd("3DSTATE_SF");
    let from_state = sf.bit(3, 11);
    let state_width = sf.bits(3, 10, 0) as f32 / 8.0;
    let mut out = Vec::new();
    for (i, v) in screen.iter().enumerate() {
        if outcodes[i] != 0 {
            continue;
        }
        let width = if from_state {
            state_width
        } else {
            // The VUE header's dword 3 is the point width the shader wrote.
            f32::from_bits(vues[i].first().map_or(0, |h| h[3]))
        };
        let h = width / 2.0;
        if !(h > 0.0 && h.is_finite()) {
            continue;
        }
        let corner = |dx: f32, dy: f32| ScreenVertex {
            x: v.x + dx,
            y: v.y + dy,
            ..*v
        };
        out.push(Prim {
            v: [corner(-h, -h), corner(h, -h), corner(-h, h)],
            vue: [i; 3],
            provoking: i,
            rect: true,
            front: true,
            line: false,
        });
    }
    out
}

/// Assembles the primitives of one instance's vertices. Triangles the clipper cuts add
/// their new vertices to `vues`.
pub(crate) fn assemble(
    s: &State3d<'_>,
    space: &dyn crate::mem::AddressSpace,
    topology: u32,
    vues: &mut Vec<Vue>,
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
    if clipping {
        match clip.bits(2, 15, 13) {
            0 => {}
            // REJECT_ALL: nothing reaches the rasterizer.
            3 => return Ok(Vec::new()),
            m => {
                return Err(EuError::new(format!(
                    "3DSTATE_CLIP clip mode {m} is not modelled"
                )))
            }
        }
        if clip.bits(2, 23, 16) != 0 {
            return Err(EuError::new(
                "3DSTATE_CLIP user clip distance tests are not modelled",
            ));
        }
    }
    let guard = if clipping && clip.bit(2, 26) {
        let off = s.cmd("3DSTATE_VIEWPORT_STATE_POINTERS_SF_CLIP").dw(1) & !0x3f;
        let v = s.dynamic(space, off, 12, "SF_CLIP_VIEWPORT")?;
        Some(std::array::from_fn(|i| f32::from_bits(v[8 + i])))
    } else {
        None
    };
    let planes = Planes {
        near: clipping && raster.bit(1, 0),
        far: clipping && raster.bit(1, 26),
        // Near plane: z >= 0 in D3D's clip space (Vulkan), z >= -w in OpenGL's.
        d3d: clip.bit(2, 30),
        guard,
        divide,
    };
    let to_screen = |pos: [f32; 4]| {
        let [x, y, z, w] = pos;
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
        match vp {
            Some(m) => ScreenVertex {
                x: m[0] * v.x + m[3],
                y: m[1] * v.y + m[4],
                z: m[2] * v.z + m[5],
                ..v
            },
            None => v,
        }
    };
    let mut positions = Vec::with_capacity(vues.len());
    let mut screen = Vec::with_capacity(vues.len());
    let mut outcodes = Vec::with_capacity(vues.len());
    for vue in vues.iter() {
        let pos = vue.get(1).copied().unwrap_or([0; 4]).map(f32::from_bits);
        positions.push(pos);
        outcodes.push(planes.outcode(pos));
        screen.push(to_screen(pos));
    }
    if topology == topo::POINTLIST {
        return Ok(points(s, vues, &screen, &outcodes));
    }
    if topology == topo::LINELIST || topology == topo::LINESTRIP {
        let ends: Vec<[usize; 2]> = if topology == topo::LINELIST {
            (0..vues.len() / 2).map(|i| [2 * i, 2 * i + 1]).collect()
        } else {
            (0..vues.len().saturating_sub(1))
                .map(|i| [i, i + 1])
                .collect()
        };
        // Line width (dword 1 bits 29:12, 7 fraction bits): up to one pixel is the thin
        // line the diamond rule draws; wider lines are not modelled.
        let width = sf.bits(1, 29, 12) as f32 / 128.0;
        if width > 1.0 {
            return Err(EuError::new(format!(
                "3DPRIMITIVE: lines {width} pixels wide (3DSTATE_SF) are not modelled"
            )));
        }
        if raster.bit(1, 2) {
            return Err(EuError::new(
                "3DPRIMITIVE: antialiased lines (3DSTATE_RASTER) are not modelled",
            ));
        }
        if sf.bit(3, 31) {
            return Err(EuError::new(
                "3DPRIMITIVE: lines with the last pixel enabled (3DSTATE_SF) are not modelled",
            ));
        }
        // Line provoking vertex select: 3DSTATE_SF dword 3 bits 28:27.
        let pv_line = sf.bits(3, 28, 27).min(1) as usize;
        let mut out = Vec::new();
        for [a, b] in ends {
            let provoking = [a, b][pv_line];
            if outcodes[a] & outcodes[b] != 0 {
                continue;
            }
            let (mut ia, mut ib) = (a, b);
            if outcodes[a] | outcodes[b] != 0 {
                if !divide {
                    return Err(EuError::new(
                        "3DPRIMITIVE: clipping with the perspective divide disabled is not modelled",
                    ));
                }
                if clip.bit(2, 8) {
                    return Err(EuError::new(
                        "3DPRIMITIVE: clipping with non-perspective barycentrics (3DSTATE_CLIP) is not modelled",
                    ));
                }
                // Parametric cut of the segment to every plane tested.
                let (pa, pb) = (positions[a], positions[b]);
                let (mut t0, mut t1) = (0.0f32, 1.0f32);
                for plane in 0..7 {
                    let (Some(da), Some(db)) =
                        (planes.distance(plane, pa), planes.distance(plane, pb))
                    else {
                        continue;
                    };
                    if da < 0.0 && db < 0.0 {
                        t1 = -1.0;
                        break;
                    }
                    if da < 0.0 {
                        t0 = t0.max(da / (da - db));
                    } else if db < 0.0 {
                        t1 = t1.min(da / (da - db));
                    }
                }
                if t0 >= t1 {
                    continue;
                }
                let at = |t: f32| ClipVertex {
                    pos: std::array::from_fn(|k| pa[k] + t * (pb[k] - pa[k])),
                    weights: [1.0 - t, t, 0.0],
                };
                if t0 > 0.0 {
                    let v = blend_vue(vues, [a, b, b], provoking, &at(t0));
                    vues.push(v);
                    positions.push(at(t0).pos);
                    ia = vues.len() - 1;
                }
                if t1 < 1.0 {
                    let v = blend_vue(vues, [a, b, b], provoking, &at(t1));
                    vues.push(v);
                    positions.push(at(t1).pos);
                    ib = vues.len() - 1;
                }
            }
            let (sa, sb) = (to_screen(positions[ia]), to_screen(positions[ib]));
            let (dx, dy) = (sb.x - sa.x, sb.y - sa.y);
            if !(dx != 0.0 || dy != 0.0)
                || ![sa, sb].iter().all(|v| {
                    v.x.is_finite() && v.y.is_finite() && v.z.is_finite() && v.inv_w.is_finite()
                })
            {
                continue;
            }
            let sc = ScreenVertex {
                x: sa.x - dy,
                y: sa.y + dx,
                ..sa
            };
            out.push(Prim {
                v: [sa, sb, sc],
                vue: [ia, ib, ia],
                provoking,
                rect: false,
                front: true,
                line: true,
            });
        }
        return Ok(out);
    }
    // The triangles in drawing order: vertices, provoking vertex, rectangle.
    let mut tris: Vec<([usize; 3], usize, bool)> = Vec::new();
    let n = vues.len();
    // Provoking vertex selects: strips and lists bits 30:29, fans bits 26:25.
    let pv = sf.bits(3, 30, 29) as usize;
    let pv_fan = sf.bits(3, 26, 25) as usize;
    match topology {
        topo::RECTLIST => {
            for i in (0..n / 3 * 3).step_by(3) {
                tris.push(([i, i + 1, i + 2], i, true));
            }
        }
        topo::TRILIST => {
            for i in (0..n / 3 * 3).step_by(3) {
                tris.push(([i, i + 1, i + 2], i + pv.min(2), false));
            }
        }
        topo::TRISTRIP => {
            for i in 0..n.saturating_sub(2) {
                let provoking = i + pv.min(2);
                // Odd triangles swap their first two vertices to keep the winding.
                if i % 2 == 0 {
                    tris.push(([i, i + 1, i + 2], provoking, false));
                } else {
                    tris.push(([i + 1, i, i + 2], provoking, false));
                }
            }
        }
        topo::TRIFAN => {
            for i in 1..n.saturating_sub(1) {
                let provoking = [0, i, i + 1][pv_fan.min(2)];
                tris.push(([0, i, i + 1], provoking, false));
            }
        }
        t => {
            return Err(EuError::new(format!(
                "3DPRIMITIVE topology {} is not modelled",
                topology_name(t)
            )))
        }
    }
    let mut out = Vec::new();
    let mut emit = |v: [ScreenVertex; 3], vue: [usize; 3], provoking: usize, rect: bool| {
        let finite = |v: &ScreenVertex| {
            v.x.is_finite() && v.y.is_finite() && v.z.is_finite() && v.inv_w.is_finite()
        };
        if !v.iter().all(finite) {
            return;
        }
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
            vue,
            provoking,
            rect,
            front,
            line: false,
        });
    };
    for ([a, b, c], provoking, rect) in tris {
        let (all, any) = (
            outcodes[a] & outcodes[b] & outcodes[c],
            outcodes[a] | outcodes[b] | outcodes[c],
        );
        // Wholly outside one plane: the clipper rejects it.
        if all != 0 {
            continue;
        }
        if any == 0 {
            emit(
                [screen[a], screen[b], screen[c]],
                [a, b, c],
                provoking,
                rect,
            );
            continue;
        }
        // Partly outside: cut it to the planes and draw the polygon left as a fan.
        if rect {
            return Err(EuError::new(
                "3DPRIMITIVE: a RECTLIST rectangle needs clipping, which is not modelled",
            ));
        }
        if !divide {
            return Err(EuError::new(
                "3DPRIMITIVE: clipping with the perspective divide disabled is not modelled",
            ));
        }
        if clip.bit(2, 8) {
            return Err(EuError::new(
                "3DPRIMITIVE: clipping with non-perspective barycentrics (3DSTATE_CLIP) is not modelled",
            ));
        }
        let poly = clip_polygon(&planes, [positions[a], positions[b], positions[c]]);
        if poly.len() < 3 {
            continue;
        }
        let first = vues.len();
        for v in &poly {
            let vue = blend_vue(vues, [a, b, c], provoking, v);
            vues.push(vue);
        }
        let sv: Vec<ScreenVertex> = poly.iter().map(|v| to_screen(v.pos)).collect();
        for i in 1..poly.len() - 1 {
            emit(
                [sv[0], sv[i], sv[i + 1]],
                [first, first + i, first + i + 1],
                provoking,
                false,
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planes(near: bool) -> Planes {
        Planes {
            near,
            far: near,
            d3d: true,
            guard: None,
            divide: true,
        }
    }

    #[test]
    fn a_triangle_crossing_the_near_plane_loses_its_tip() {
        // One vertex in front of z = 0: the cut makes a quad whose new corners lie on the
        // plane, halfway along the edges (depths -1 and 1).
        let tri = [
            [0.0, 0.0, -1.0, 2.0],
            [1.0, 0.0, 1.0, 2.0],
            [0.0, 1.0, 1.0, 2.0],
        ];
        let poly = clip_polygon(&planes(true), tri);
        assert_eq!(poly.len(), 4);
        let on_plane: Vec<_> = poly.iter().filter(|v| v.pos[2] == 0.0).collect();
        assert_eq!(on_plane.len(), 2);
        for v in on_plane {
            assert_eq!(v.weights[0], 0.5);
            assert!((v.weights.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        }
        // Wholly inside: untouched; wholly outside: nothing left.
        let inside = [
            [0.0, 0.0, 0.5, 1.0],
            [1.0, 0.0, 0.5, 1.0],
            [0.0, 1.0, 0.5, 1.0],
        ];
        assert_eq!(clip_polygon(&planes(true), inside).len(), 3);
        let beyond = inside.map(|[x, y, _, w]| [x, y, 2.0, w]);
        assert!(clip_polygon(&planes(true), beyond).is_empty());
    }

    #[test]
    fn without_near_and_far_the_cut_keeps_w_positive() {
        let tri = [
            [0.0, 0.0, 0.0, -1.0],
            [1.0, 0.0, 0.0, 1.0],
            [0.0, 1.0, 0.0, 1.0],
        ];
        let poly = clip_polygon(&planes(false), tri);
        assert_eq!(poly.len(), 4);
        assert!(poly.iter().all(|v| v.pos[3] >= W_EPSILON * 0.99));
        assert_eq!(planes(false).outcode(tri[0]), 1);
        assert_eq!(planes(true).outcode([0.0, 0.0, 2.0, 1.0]), 4);
    }
}
