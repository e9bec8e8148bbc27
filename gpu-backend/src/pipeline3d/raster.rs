//! The windower's coverage: which pixels a primitive covers, inside the drawing rectangle
//! (3DSTATE_DRAWING_RECTANGLE, whose origin offsets every primitive), when 3DSTATE_RASTER
//! enables it the scissor rectangle (SCISSOR_RECT 0), and when 3DSTATE_CLIP enables the
//! viewport XY clip test, viewport 0 (SF_CLIP_VIEWPORT's extents, its first and last
//! pixels): the clipper's cut at the viewport edges keeps exactly the pixels inside it.
//!
//! Vertices snap to 1/256 pixel (8 subpixel bits) and a pixel is covered when its centre
//! is inside (a line's pixels: by the diamond-exit rule, see [`cover`]). A centre exactly on an edge belongs to the primitive when the edge is a top
//! edge (horizontal, the inside below it) or a left edge (the inside to its right): two
//! triangles sharing an edge never both cover a pixel and a rectangle covers
//! [x0, x1) × [y0, y1). Covered pixels come out in 2×2 subspans (bit 0 the upper left,
//! bit 1 upper right, bit 2 lower left, bit 3 lower right), as the pixel shader takes them.

use super::primitive::Prim;
use super::state::State3d;
use crate::eu::EuError;

/// Subpixel bits of the snapped vertex coordinates.
const SUBPIXEL_BITS: u32 = 8;
const ONE: i64 = 1 << SUBPIXEL_BITS;

/// An inclusive pixel rectangle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Clip {
    pub x0: i64,
    pub y0: i64,
    pub x1: i64,
    pub y1: i64,
}

impl Clip {
    fn intersect(self, o: Clip) -> Clip {
        Clip {
            x0: self.x0.max(o.x0),
            y0: self.y0.max(o.y0),
            x1: self.x1.min(o.x1),
            y1: self.y1.min(o.y1),
        }
    }
}

/// The window of a draw: where pixels may land and the origin added to positions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    pub clip: Clip,
    /// Drawing Rectangle Origin, added to screen positions.
    pub origin: (i64, i64),
}

impl Window {
    /// The drawing rectangle, narrowed by the scissor when enabled.
    pub fn new(s: &State3d<'_>, space: &dyn crate::mem::AddressSpace) -> Result<Window, EuError> {
        let dr = s.cmd("3DSTATE_DRAWING_RECTANGLE");
        let mut clip = Clip {
            x0: i64::from(dr.bits(1, 15, 0)),
            y0: i64::from(dr.bits(1, 31, 16)),
            x1: i64::from(dr.bits(2, 15, 0)),
            y1: i64::from(dr.bits(2, 31, 16)),
        };
        let origin = (
            i64::from(dr.bits(3, 15, 0) as u16 as i16),
            i64::from(dr.bits(3, 31, 16) as u16 as i16),
        );
        if s.cmd("3DSTATE_RASTER").bit(1, 1) {
            let off = s.cmd("3DSTATE_SCISSOR_STATE_POINTERS").dw(1) & !0x1f;
            let r = s.dynamic(space, off, 2, "SCISSOR_RECT")?;
            clip = clip.intersect(Clip {
                x0: i64::from(r[0] & 0xffff),
                y0: i64::from(r[0] >> 16),
                x1: i64::from(r[1] & 0xffff),
                y1: i64::from(r[1] >> 16),
            });
        }
        let clip_state = s.cmd("3DSTATE_CLIP");
        // Clip Enable and Viewport XY Clip Test Enable: nothing lands outside viewport 0,
        // whose extents (dwords 12-15) are its first and last pixels.
        if clip_state.bit(2, 31) && clip_state.bit(2, 28) {
            let off = s.cmd("3DSTATE_VIEWPORT_STATE_POINTERS_SF_CLIP").dw(1) & !0x3f;
            let v = s.dynamic(space, off, 16, "SF_CLIP_VIEWPORT")?;
            let e = |i: usize| f64::from(f32::from_bits(v[i])).clamp(-1.0, 65536.0);
            clip = clip.intersect(Clip {
                x0: e(12).ceil() as i64,
                x1: e(13).floor() as i64,
                y0: e(14).ceil() as i64,
                y1: e(15).floor() as i64,
            });
        }
        Ok(Window { clip, origin })
    }
}

/// Snaps a coordinate to the subpixel grid (round to nearest).
fn snap(v: f32) -> Option<i64> {
    let f = (f64::from(v) * ONE as f64).round();
    // Past ±2^31 pixels the hardware's guard band has long discarded the primitive.
    (f.abs() < (1u64 << (31 + SUBPIXEL_BITS)) as f64).then_some(f as i64)
}

/// Calls `pixel(x, y)` for every pixel `p` covers inside `w`.
pub(crate) fn cover(p: &Prim, w: &Window, pixel: &mut dyn FnMut(u32, u32)) {
    let mut pts = [(0i64, 0i64); 3];
    for (i, v) in p.v.iter().enumerate() {
        match (snap(v.x), snap(v.y)) {
            (Some(x), Some(y)) => pts[i] = (x + w.origin.0 * ONE, y + w.origin.1 * ONE),
            _ => return,
        }
    }
    let minx = pts.iter().map(|p| p.0).min().unwrap();
    let maxx = pts.iter().map(|p| p.0).max().unwrap();
    let miny = pts.iter().map(|p| p.1).min().unwrap();
    let maxy = pts.iter().map(|p| p.1).max().unwrap();
    // Pixels whose centre (x + 1/2) may fall in [min, max].
    let bbox = Clip {
        x0: (minx - ONE / 2).div_euclid(ONE),
        y0: (miny - ONE / 2).div_euclid(ONE),
        x1: (maxx - ONE / 2).div_euclid(ONE) + 1,
        y1: (maxy - ONE / 2).div_euclid(ONE) + 1,
    };
    let c = bbox.intersect(w.clip).intersect(Clip {
        x0: 0,
        y0: 0,
        x1: i64::from(u16::MAX),
        y1: i64::from(u16::MAX),
    });
    if c.x0 > c.x1 || c.y0 > c.y1 {
        return;
    }
    let centre = |v: i64| v * ONE + ONE / 2;
    if p.line {
        // Diamond exit: a pixel is lit when the segment from vertex 0 to vertex 1 meets
        // the open diamond |x - cx| + |y - cy| < 1/2 around its centre and does not end
        // inside it. Widen the box by a pixel, as the diamond reaches half a pixel out.
        let f = |v: i64| v as f64 / ONE as f64;
        let (ax, ay, bx, by) = (f(pts[0].0), f(pts[0].1), f(pts[1].0), f(pts[1].1));
        let (dx, dy) = (bx - ax, by - ay);
        let around = Clip {
            x0: c.x0 - 1,
            y0: c.y0 - 1,
            x1: c.x1 + 1,
            y1: c.y1 + 1,
        }
        .intersect(w.clip)
        .intersect(Clip {
            x0: 0,
            y0: 0,
            x1: i64::from(u16::MAX),
            y1: i64::from(u16::MAX),
        });
        for y in around.y0..=around.y1 {
            let cy = y as f64 + 0.5;
            for x in around.x0..=around.x1 {
                let cx = x as f64 + 0.5;
                let dist = |t: f64| (ax + t * dx - cx).abs() + (ay + t * dy - cy).abs();
                // The distance is convex and piecewise linear in t: its minimum is at an
                // end or where the segment crosses the centre's row or column.
                let mut ts = vec![0.0, 1.0];
                if dx != 0.0 {
                    ts.push(((cx - ax) / dx).clamp(0.0, 1.0));
                }
                if dy != 0.0 {
                    ts.push(((cy - ay) / dy).clamp(0.0, 1.0));
                }
                let meets = ts.into_iter().any(|t| dist(t) < 0.5);
                if meets && dist(1.0) >= 0.5 {
                    pixel(x as u32, y as u32);
                }
            }
        }
        return;
    }
    if p.rect {
        for y in c.y0..=c.y1 {
            let cy = centre(y);
            if cy < miny || cy >= maxy {
                continue;
            }
            for x in c.x0..=c.x1 {
                let cx = centre(x);
                if cx >= minx && cx < maxx {
                    pixel(x as u32, y as u32);
                }
            }
        }
        return;
    }
    // Orient the triangle clockwise on screen (y down), so the inside of every edge is
    // where its edge function is positive.
    let (a, mut b, mut cc) = (pts[0], pts[1], pts[2]);
    // Products of coordinates up to 2^39 need 128 bits.
    let w = i128::from;
    let area = w(b.0 - a.0) * w(cc.1 - a.1) - w(cc.0 - a.0) * w(b.1 - a.1);
    if area == 0 {
        return;
    }
    if area < 0 {
        std::mem::swap(&mut b, &mut cc);
    }
    let edges = [(a, b), (b, cc), (cc, a)];
    for y in c.y0..=c.y1 {
        let py = centre(y);
        for x in c.x0..=c.x1 {
            let px = centre(x);
            let inside = edges.iter().all(|&((ax, ay), (bx, by))| {
                let e = w(bx - ax) * w(py - ay) - w(by - ay) * w(px - ax);
                let (dx, dy) = (bx - ax, by - ay);
                // Top edge: horizontal going right; left edge: going up.
                e > 0 || (e == 0 && ((dy == 0 && dx > 0) || dy < 0))
            });
            if inside {
                pixel(x as u32, y as u32);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::primitive::{Prim, ScreenVertex};
    use super::*;

    fn v(x: f32, y: f32) -> ScreenVertex {
        ScreenVertex {
            x,
            y,
            z: 0.0,
            inv_w: 1.0,
        }
    }

    fn window() -> Window {
        Window {
            clip: Clip {
                x0: 0,
                y0: 0,
                x1: 1000,
                y1: 1000,
            },
            origin: (0, 0),
        }
    }

    fn pixels(p: &Prim, w: &Window) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        cover(p, w, &mut |x, y| out.push((x, y)));
        out.sort();
        out
    }

    fn tri(a: (f32, f32), b: (f32, f32), c: (f32, f32)) -> Prim {
        Prim {
            v: [v(a.0, a.1), v(b.0, b.1), v(c.0, c.1)],
            vue: [0, 1, 2],
            provoking: 0,
            rect: false,
            line: false,
            front: true,
        }
    }

    #[test]
    fn a_rectangle_covers_its_half_open_box() {
        // BLORP's corners: (x1, y1), (x0, y1), (x0, y0).
        let p = Prim {
            rect: true,
            line: false,
            ..tri((3.0, 2.0), (1.0, 2.0), (1.0, 0.0))
        };
        assert_eq!(pixels(&p, &window()), vec![(1, 0), (1, 1), (2, 0), (2, 1)]);
    }

    /// A line from `a` to `b` (its third vertex perpendicular, as the assembler makes it).
    fn line(a: (f32, f32), b: (f32, f32)) -> Prim {
        Prim {
            line: true,
            ..tri(a, b, (a.0 - (b.1 - a.1), a.1 + (b.0 - a.0)))
        }
    }

    #[test]
    fn a_line_lights_the_diamonds_it_leaves() {
        // Row 2: the line is 0.2 above the centres; the start lies outside pixel 1's
        // diamond, which the line crosses, and the end inside pixel 6's: 1 to 5 lit.
        let want: Vec<(u32, u32)> = (1..6).map(|x| (x, 2)).collect();
        assert_eq!(pixels(&line((1.2, 2.3), (6.7, 2.3)), &window()), want);
        // Backwards, the line leaves pixel 6's diamond, where it starts, and ends just
        // outside pixel 1's (|0.3| + |0.2| is not below 1/2), which it crosses: 1 to 6.
        let want: Vec<(u32, u32)> = (1..7).map(|x| (x, 2)).collect();
        assert_eq!(pixels(&line((6.7, 2.3), (1.2, 2.3)), &window()), want);
        // A steep line lights one pixel per row it leaves: rows 0 (its start is inside
        // that diamond) to 8 (its end only touches row 9's).
        let p = pixels(&line((3.5, 0.9), (4.4, 9.1)), &window());
        let rows: Vec<u32> = p.iter().map(|&(_, y)| y).collect();
        let mut sorted = rows.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!((rows.len(), sorted), (9, (0..9).collect::<Vec<u32>>()));
    }

    #[test]
    fn two_triangles_of_a_square_cover_each_pixel_once() {
        // The diagonal passes through pixel centres: the top-left rule gives each to one.
        let a = tri((0.0, 0.0), (4.0, 0.0), (4.0, 4.0));
        let b = tri((0.0, 0.0), (4.0, 4.0), (0.0, 4.0));
        let mut all = pixels(&a, &window());
        all.extend(pixels(&b, &window()));
        all.sort();
        let want: Vec<(u32, u32)> = (0..4).flat_map(|x| (0..4).map(move |y| (x, y))).collect();
        assert_eq!(all, want);
    }

    #[test]
    fn winding_does_not_change_coverage() {
        let cw = tri((0.5, 0.5), (7.5, 1.5), (2.5, 6.0));
        let ccw = tri((0.5, 0.5), (2.5, 6.0), (7.5, 1.5));
        assert_eq!(pixels(&cw, &window()), pixels(&ccw, &window()));
        assert!(!pixels(&cw, &window()).is_empty());
    }

    #[test]
    fn the_window_clips_and_offsets() {
        let p = Prim {
            rect: true,
            line: false,
            ..tri((10.0, 10.0), (0.0, 10.0), (0.0, 0.0))
        };
        let w = Window {
            clip: Clip {
                x0: 2,
                y0: 3,
                x1: 4,
                y1: 3,
            },
            origin: (1, 0),
        };
        assert_eq!(pixels(&p, &w), vec![(2, 3), (3, 3), (4, 3)]);
    }

    #[test]
    fn degenerate_and_huge_primitives_are_safe() {
        assert!(pixels(&tri((1.0, 1.0), (5.0, 5.0), (9.0, 9.0)), &window()).is_empty());
        let nan = tri((f32::NAN, 1.0), (5.0, 5.0), (9.0, 1.0));
        assert!(pixels(&nan, &window()).is_empty());
        let huge = tri((-1e30, -1e30), (1e30, -1e30), (0.0, 1e30));
        assert!(pixels(&huge, &window()).is_empty());
        // Near the largest coordinates snapped: the edge products need 128 bits.
        let far = tri((-2e9, -2e9), (2e9, -2e9), (0.0, 2e9));
        assert_eq!(pixels(&far, &window()).len(), 1001 * 1001);
        let big = tri((-1e6, -1e6), (1e6, -1e6), (0.0, 1e6));
        let small_window = Window {
            clip: Clip {
                x0: 0,
                y0: 0,
                x1: 3,
                y1: 3,
            },
            origin: (0, 0),
        };
        assert_eq!(pixels(&big, &small_window).len(), 16);
    }
}
