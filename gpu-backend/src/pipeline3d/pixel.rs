//! Pixel shader dispatch and the pixel backend's own operations.
//!
//! The covered pixels of a primitive, in 2×2 subspans, are packed into threads of the
//! dispatch width 3DSTATE_PS enables (SIMD16 preferred, then SIMD8, then SIMD32: they are
//! compiled from one shader and give the same pixels). A thread's payload, as Mesa's
//! compiler expects it for Gen12:
//!
//! - r0: the thread header (r0.5: the scratch space pointer);
//! - r1 (and r2 for SIMD32): dwords 2-5 each subspan's upper-left pixel, X in the low
//!   word and Y in the high word; dword 7 the pixel mask of those 16 channels (whole
//!   subspans are dispatched: uncovered pixels run as helpers for derivatives, and the
//!   render target write leaves them out);
//! - per 16 channels: the barycentric coordinates of each mode 3DSTATE_WM enables
//!   (perspective pixel/centroid/sample, then linear pixel/centroid/sample; per 8
//!   channels a register of b1 then one of b2), then the source depth and source W when
//!   3DSTATE_PS_EXTRA asks for them (a register per 8 channels);
//! - from the Dispatch GRF Start Register: the push constants when 3DSTATE_PS enables
//!   them, then the attribute setup data (see [`super::attributes`]).
//!
//! Single-sampled rendering: centroid and sample positions are the pixel centre.
//!
//! A fast clear (3DSTATE_PS Render Target Fast Clear Enable) writes the render target's
//! clear colour (its Clear Value Address) into every pixel of the level, because gemu keeps
//! every surface resolved (see docs/ARCHITECTURE.md); a resolve draw then has nothing to do.

use super::attributes::{Sbe, REGS_PER_ATTRIBUTE};
use super::depth::DepthTest;
use super::primitive::Prim;
use super::raster::{cover, Window};
use super::state::{Cmd, State3d};
use super::vertex_fetch::Vue;
use crate::eu::thread::Thread;
use crate::eu::{run_group, EuError, Kernel};
use crate::mem::{read_mem, AddressSpace, GPU_ADDR_MASK};
use crate::render::Env;
use crate::shared::render_cache::PixelThread;
use crate::shared::Dataport;
use crate::surface::{Surface, TexelFormat};

/// The pixel shader of a draw as 3DSTATE_PS, 3DSTATE_PS_EXTRA and 3DSTATE_WM set it up.
struct Shader {
    kernel: u64,
    width: usize,
    /// First register of the setup data.
    setup_reg: usize,
    /// Barycentric modes (bit 0 perspective pixel .. bit 5 linear sample).
    bary: u32,
    source_depth: bool,
    source_w: bool,
    scratch: u32,
    /// Push constants, loaded at the Dispatch GRF Start Register before the setup data.
    push: Vec<u8>,
}

/// A 2×2 subspan: its upper-left pixel and the mask of its covered pixels.
type Subspan = ((u32, u32), u32);

/// What the pixel backend does for each primitive of the draw.
enum Mode {
    /// Nothing: no pixel shader, or a resolve of surfaces that are always resolved.
    Nothing,
    /// Pixel shader threads.
    Shade(Shader),
    /// A fast clear of render target 0 to its clear colour.
    FastClear,
}

/// The pixel pipeline of one draw.
pub(crate) struct Backend<'a> {
    mode: Mode,
    sbe: Sbe,
    window: Window,
    dp: Dataport<'a>,
    kernel: Option<Kernel<'a>>,
    thread: Thread,
    blend: PixelThread,
    depth: Option<DepthTest>,
}

fn addr64(lo: u32, hi: u32) -> u64 {
    (u64::from(hi) << 32 | u64::from(lo & !0x3f)) & GPU_ADDR_MASK
}

fn shader(s: &State3d<'_>, space: &dyn AddressSpace, ps: Cmd<'_>) -> Result<Mode, EuError> {
    let extra = s.cmd("3DSTATE_PS_EXTRA");
    if !extra.bit(1, 31) {
        return Ok(Mode::Nothing);
    }
    let unmodelled = [
        (1, 0, "input coverage mask"),
        (2, 2, "pixel shader UAV"),
        (3, 3, "pulled barycentrics"),
        (4, 4, "coarse pixel shading"),
        (5, 5, "computed stencil"),
        (6, 6, "per-sample dispatch"),
        (10, 10, "subpixel sample offsets"),
        (27, 25, "computed depth"),
        (29, 29, "oMask"),
    ];
    for (hi, lo, what) in unmodelled {
        if extra.bits(1, hi, lo) != 0 {
            return Err(EuError::new(format!(
                "pixel shader with {what} (3DSTATE_PS_EXTRA {:#x}) is not modelled",
                extra.dw(1)
            )));
        }
    }
    if ps.bits(6, 4, 3) != 0 {
        return Err(EuError::new(
            "3DSTATE_PS position XY offset is not modelled",
        ));
    }
    let (e8, e16, e32) = (ps.bit(6, 0), ps.bit(6, 1), ps.bit(6, 2));
    // Kernel Start Pointer and Dispatch GRF Start Register slots: SIMD8 is always slot 0;
    // SIMD16 is slot 2 and SIMD32 slot 1 when another width is enabled too, else slot 0.
    let (width, slot) = if e16 {
        (16, if e8 || e32 { 2 } else { 0 })
    } else if e8 {
        (8, 0)
    } else if e32 {
        (32, if e8 || e16 { 1 } else { 0 })
    } else {
        return Err(EuError::new("3DSTATE_PS enables no dispatch width"));
    };
    let ksp = match slot {
        0 => addr64(ps.dw(1), ps.dw(2)),
        1 => addr64(ps.dw(8), ps.dw(9)),
        _ => addr64(ps.dw(10), ps.dw(11)),
    };
    let setup_reg = match slot {
        0 => ps.bits(7, 22, 16),
        1 => ps.bits(7, 14, 8),
        _ => ps.bits(7, 6, 0),
    } as usize;
    Ok(Mode::Shade(Shader {
        kernel: (s.r.instruction_base + ksp) & GPU_ADDR_MASK,
        width,
        setup_reg,
        bary: s.cmd("3DSTATE_WM").bits(1, 16, 11),
        source_depth: extra.bit(1, 24),
        source_w: extra.bit(1, 23),
        scratch: ps.dw(4) & !0x3ff,
        // 3DSTATE_PS Push Constant Enable.
        push: if ps.bit(6, 11) {
            s.push_constants(space, 4)?
        } else {
            Vec::new()
        },
    }))
}

impl<'a> Backend<'a> {
    /// Sets up the pixel pipeline of a draw.
    pub fn new(s: &State3d<'_>, env: &Env<'a>) -> Result<Backend<'a>, EuError> {
        let space: &'a dyn AddressSpace = env.space;
        let ps = s.cmd("3DSTATE_PS");
        let mode = if ps.bit(6, 8) {
            Mode::FastClear
        } else if ps.bits(6, 7, 6) != 0 {
            Mode::Nothing
        } else {
            shader(s, space, ps)?
        };
        let dp = super::stage_dataport(
            s,
            env,
            "3DSTATE_BINDING_TABLE_POINTERS_PS",
            "3DSTATE_SAMPLER_STATE_POINTERS_PS",
        );
        let kernel = match &mode {
            Mode::Shade(sh) => Some(Kernel::new(space, sh.kernel)),
            _ => None,
        };
        Ok(Backend {
            sbe: Sbe::new(s)?,
            window: Window::new(s, space)?,
            blend: blend_state(s, space)?,
            depth: DepthTest::new(s)?,
            mode,
            dp,
            kernel,
            thread: Thread::new(0),
        })
    }

    /// Renders primitive `p`, whose vertices are `vues`.
    pub fn draw(&mut self, p: &Prim, vues: &[Vue], env: &mut Env<'_>) -> Result<(), EuError> {
        match self.mode {
            // Without a pixel shader the depth test still runs and writes.
            Mode::Nothing if self.depth.is_some() => self.covered(p).map(drop),
            Mode::Nothing => Ok(()),
            Mode::FastClear => self.fast_clear(p, layer(p, vues), env),
            Mode::Shade(_) => self.shade(p, vues, env),
        }
    }

    /// Adds the memory writes to the streamer's progress accounting.
    pub fn finish(self, env: &mut Env<'_>) {
        env.writes += self.dp.writes;
    }

    /// A fast clear: the whole level of render target 0 takes the clear colour. Clients
    /// fast-clear whole levels only (the rectangle is then scaled down from the origin);
    /// another rectangle hangs naming it.
    fn fast_clear(&mut self, p: &Prim, layer: u32, env: &mut Env<'_>) -> Result<(), EuError> {
        let x0 = p.v.iter().map(|v| v.x).fold(f32::INFINITY, f32::min);
        let y0 = p.v.iter().map(|v| v.y).fold(f32::INFINITY, f32::min);
        if x0 != 0.0 || y0 != 0.0 || self.window.origin != (0, 0) {
            return Err(EuError::new(format!(
                "fast clear of a rectangle from ({x0}, {y0}): only whole levels are modelled"
            )));
        }
        let s: Surface = crate::shared::render_target(&mut self.dp, 0)?;
        let fmt = TexelFormat::of(s.format)
            .ok_or_else(|| EuError::new(format!("fast clear of format {:#x}", s.format)))?;
        let at = s
            .clear_value
            .ok_or_else(|| EuError::new("fast clear of a surface without a Clear Value Address"))?;
        let mut raw = [0u8; 16];
        read_mem(self.dp.space, at & GPU_ADDR_MASK, &mut raw)
            .map_err(|f| EuError::new(format!("clear colour fault at {:#x}", f.addr)))?;
        let color: [u32; 4] =
            std::array::from_fn(|i| u32::from_le_bytes(raw[4 * i..4 * i + 4].try_into().unwrap()));
        let mut texel = [0u8; 16];
        let texel = &mut texel[..fmt.bytes()];
        fmt.pack(color, 0xf, texel);
        let (w, h, _) = s.level_size(s.rt_lod);
        for y in 0..h {
            // A row at a time is progress, and a reset may stop a huge clear.
            (env.tick)(true)?;
            for x in 0..w {
                if let Some(a) = s.element_addr(x, y, s.min_array_element + layer, s.rt_lod) {
                    self.dp
                        .write(a, texel)
                        .map_err(|f| EuError::new(format!("fast clear fault at {:#x}", f.addr)))?;
                }
            }
        }
        Ok(())
    }

    /// The pixels `p` covers that pass the depth test (which writes their depth), in 2×2
    /// subspans in raster order, each with its 4-bit mask.
    fn covered(&mut self, p: &Prim) -> Result<Vec<Subspan>, EuError> {
        let mut pixels = Vec::new();
        cover(p, &self.window, &mut |x, y| pixels.push((x, y)));
        if let Some(d) = &self.depth {
            let bary = Barycentrics::new(p);
            let mut kept = Vec::with_capacity(pixels.len());
            for (x, y) in pixels {
                if d.test(self.dp.space, x, y, bary.depth_w(x, y).0, p.front)? {
                    kept.push((x, y));
                }
            }
            pixels = kept;
        }
        // Keyed (y, x) so that they come out in raster order.
        let mut subspans: std::collections::BTreeMap<(u32, u32), u32> = Default::default();
        for (x, y) in pixels {
            *subspans.entry((y & !1, x & !1)).or_default() |= 1 << ((x & 1) | (y & 1) << 1);
        }
        Ok(subspans
            .into_iter()
            .map(|((y, x), m)| ((x, y), m))
            .collect())
    }

    /// Dispatches pixel shader threads over the pixels `p` covers.
    fn shade(&mut self, p: &Prim, vues: &[Vue], env: &mut Env<'_>) -> Result<(), EuError> {
        let subspans = self.covered(p)?;
        if subspans.is_empty() {
            return Ok(());
        }
        let Mode::Shade(sh) = &self.mode else {
            unreachable!()
        };
        let setup = self.sbe.setup(p, vues);
        let per_thread = sh.width / 4;
        let layer = layer(p, vues);
        let bary = Barycentrics::new(p);
        for group in subspans.chunks(per_thread) {
            // Whole subspans run (the uncovered pixels as helpers, for derivatives); the
            // pixel mask keeps their writes out.
            let mut mask = 0u32;
            let mut covered = 0u32;
            let mut xy = vec![(0u32, 0u32); sh.width];
            for (i, &((x, y), m)) in group.iter().enumerate() {
                mask |= 0xf << (4 * i);
                covered |= m << (4 * i);
                for c in 0..4u32 {
                    xy[4 * i + c as usize] = (x + (c & 1), y + (c >> 1));
                }
            }
            let t = &mut self.thread;
            t.reset(mask);
            t.set_grf_ud(0, 5, sh.scratch);
            let halves = sh.width.div_ceil(16);
            let mut reg = 1;
            for h in 0..halves {
                for i in 0..4 {
                    if let Some(&((x, y), _)) = group.get(4 * h + i) {
                        t.set_grf_ud(reg, 2 + i, x | y << 16);
                    }
                }
                t.set_grf_ud(reg, 7, covered >> (16 * h) & 0xffff);
                reg += 1;
            }
            for h in 0..halves {
                let lanes = (sh.width - 16 * h).min(16);
                let lane = |l: usize| xy[16 * h + l];
                for mode in 0..6 {
                    if sh.bary >> mode & 1 == 0 {
                        continue;
                    }
                    let perspective = mode < 3;
                    for q in 0..lanes / 8 {
                        for l in 0..8 {
                            let (x, y) = lane(8 * q + l);
                            let (b1, b2) = bary.at(x, y, perspective);
                            t.set_grf_ud(reg + 2 * q, l, b1.to_bits());
                            t.set_grf_ud(reg + 2 * q + 1, l, b2.to_bits());
                        }
                    }
                    reg += lanes / 4;
                }
                for (on, w) in [(sh.source_depth, false), (sh.source_w, true)] {
                    if !on {
                        continue;
                    }
                    for l in 0..lanes {
                        let (x, y) = lane(l);
                        let (z, ww) = bary.depth_w(x, y);
                        t.set_grf_ud(reg + l / 8, l % 8, if w { ww } else { z }.to_bits());
                    }
                    reg += lanes / 8;
                }
            }
            if reg > sh.setup_reg {
                return Err(EuError::new(format!(
                    "pixel shader payload of {reg} registers overlaps its setup data at r{}",
                    sh.setup_reg
                )));
            }
            let push_regs = sh.push.len() / 32;
            let setup_reg = sh.setup_reg + push_regs;
            let end = setup_reg + REGS_PER_ATTRIBUTE * setup.len();
            if end > 128 {
                return Err(EuError::new(format!(
                    "{} attributes do not fit the register file",
                    setup.len()
                )));
            }
            let at = sh.setup_reg * 32;
            t.grf_mut(at..at + sh.push.len()).copy_from_slice(&sh.push);
            for (a, d) in setup.iter().enumerate() {
                for (i, &v) in d.iter().enumerate() {
                    t.set_grf_ud(setup_reg + REGS_PER_ATTRIBUTE * a + i / 8, i % 8, v);
                }
            }
            self.dp.pixel = Some(PixelThread {
                xy,
                covered,
                layer,
                ..self.blend.clone()
            });
            let kernel = self.kernel.as_mut().expect("a pixel shader kernel");
            run_group(
                std::slice::from_mut(&mut self.thread),
                kernel,
                &mut self.dp,
                &mut || (env.tick)(false),
            )?;
            // A finished pixel shader thread is progress (one big primitive may take
            // longer than the hang timeout); it also lets a reset stop the draw.
            (env.tick)(true)?;
        }
        Ok(())
    }
}

/// The render target array index of primitive `p`: dword 1 of its provoking vertex's VUE
/// header.
fn layer(p: &Prim, vues: &[Vue]) -> u32 {
    vues.get(p.provoking)
        .and_then(|v| v.first())
        .map_or(0, |h| h[1])
}

/// BLEND_STATE and COLOR_CALC_STATE of the draw.
fn blend_state(s: &State3d<'_>, space: &dyn AddressSpace) -> Result<PixelThread, EuError> {
    let mut px = PixelThread::default();
    let bp = s.cmd("3DSTATE_BLEND_STATE_POINTERS").dw(1);
    if bp & 1 != 0 {
        let d = s.dynamic(space, bp & !0x3f, 1 + 2 * 8, "BLEND_STATE")?;
        px.blend_header = d[0];
        // Alpha to coverage (bit 31), alpha test (bit 27).
        if d[0] >> 31 != 0 || d[0] >> 27 & 1 != 0 {
            return Err(EuError::new(format!(
                "BLEND_STATE alpha test or alpha to coverage ({:#x}) is not modelled",
                d[0]
            )));
        }
        px.blend = d[1..].chunks_exact(2).map(|c| [c[0], c[1]]).collect();
    }
    let cc = s.cmd("3DSTATE_CC_STATE_POINTERS").dw(1);
    if cc & 1 != 0 {
        let d = s.dynamic(space, cc & !0x3f, 6, "COLOR_CALC_STATE")?;
        px.blend_constant = std::array::from_fn(|i| f32::from_bits(d[2 + i]));
    }
    Ok(px)
}

/// Barycentric coordinates over a primitive's plane (for a rectangle, the plane of its
/// three corners, which extends over the whole rectangle).
struct Barycentrics {
    v: [(f64, f64, f64, f64); 3],
    /// Twice the signed area; zero for a degenerate primitive.
    area: f64,
}

impl Barycentrics {
    fn new(p: &Prim) -> Barycentrics {
        let v = p.v.map(|v| {
            (
                f64::from(v.x),
                f64::from(v.y),
                f64::from(v.z),
                f64::from(v.inv_w),
            )
        });
        let area = (v[1].0 - v[0].0) * (v[2].1 - v[0].1) - (v[2].0 - v[0].0) * (v[1].1 - v[0].1);
        Barycentrics { v, area }
    }

    /// Screen-linear weights of the three vertices at pixel (x, y)'s centre.
    fn linear(&self, x: u32, y: u32) -> [f64; 3] {
        if self.area == 0.0 {
            return [1.0, 0.0, 0.0];
        }
        let (px, py) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        let e = |a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)| {
            (b.0 - a.0) * (py - a.1) - (b.1 - a.1) * (px - a.0)
        };
        let l1 = e(self.v[2], self.v[0]) / self.area;
        let l2 = e(self.v[0], self.v[1]) / self.area;
        [1.0 - l1 - l2, l1, l2]
    }

    /// (b1, b2) at pixel (x, y): perspective-correct or screen-linear.
    fn at(&self, x: u32, y: u32, perspective: bool) -> (f32, f32) {
        let l = self.linear(x, y);
        if !perspective {
            return (l[1] as f32, l[2] as f32);
        }
        let q: [f64; 3] = std::array::from_fn(|i| l[i] * self.v[i].3);
        let sum = q[0] + q[1] + q[2];
        if sum == 0.0 {
            return (l[1] as f32, l[2] as f32);
        }
        ((q[1] / sum) as f32, (q[2] / sum) as f32)
    }

    /// Interpolated depth (screen-linear) and W at pixel (x, y).
    fn depth_w(&self, x: u32, y: u32) -> (f32, f32) {
        let l = self.linear(x, y);
        let z = l[0] * self.v[0].2 + l[1] * self.v[1].2 + l[2] * self.v[2].2;
        let inv_w = l[0] * self.v[0].3 + l[1] * self.v[1].3 + l[2] * self.v[2].3;
        (z as f32, (1.0 / inv_w) as f32)
    }
}
