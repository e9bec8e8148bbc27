//! Benchmarks `gemu bench` can call: run a [`Scenario`] N times on a given address space
//! through a real engine thread and get timings back; [`memcpy_baseline`] measures the
//! host's memcpy in the same run for comparison.

use crate::decode::{blt, mi};
use crate::engine::{Engine, EngineConfig, Request};
use crate::mem::AddressSpace;
use crate::regs::{ContextRegs, BCS_DST_Y, BCS_SRC_Y, BCS_SWCTRL};
use crate::tiling::Tiling;
use crate::Outcome;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What to measure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// An empty batch (MI_BATCH_BUFFER_END) on rcs0: the engine round trip.
    Empty,
    /// `count` MI_STORE_DWORD_IMM then MI_BATCH_BUFFER_END on rcs0.
    StoreDwords {
        /// Number of stores in the batch.
        count: u32,
    },
    /// XY_SRC_COPY_BLT of a `width`×`height` 32-bpp surface (linear, X or Y layouts).
    SrcCopy {
        /// Source layout.
        src: Tiling,
        /// Destination layout.
        dst: Tiling,
        /// Width in pixels (≤ 8191 for a linear pitch).
        width: u32,
        /// Height in rows.
        height: u32,
    },
    /// XY_FAST_COPY_BLT of a `width`×`height` 32-bpp surface (any layout).
    FastCopy {
        /// Source layout.
        src: Tiling,
        /// Destination layout.
        dst: Tiling,
        /// Width in pixels.
        width: u32,
        /// Height in rows.
        height: u32,
    },
    /// XY_COLOR_BLT fill of a `width`×`height` 32-bpp surface (linear, X or Y).
    ColorFill {
        /// Destination layout.
        dst: Tiling,
        /// Width in pixels.
        width: u32,
        /// Height in rows.
        height: u32,
    },
}

/// Room reserved at the start of the benchmark area for the batch and store targets.
const BATCH_AREA: u64 = 1 << 20;

impl Scenario {
    /// A short name for tables.
    pub fn name(&self) -> String {
        match self {
            Scenario::Empty => "empty batch".into(),
            Scenario::StoreDwords { count } => format!("{count} x MI_STORE_DWORD_IMM"),
            Scenario::SrcCopy {
                src,
                dst,
                width,
                height,
            } => {
                format!("XY_SRC_COPY {src:?}->{dst:?} {}", mib(*width, *height))
            }
            Scenario::FastCopy {
                src,
                dst,
                width,
                height,
            } => {
                format!("XY_FAST_COPY {src:?}->{dst:?} {}", mib(*width, *height))
            }
            Scenario::ColorFill { dst, width, height } => {
                format!("XY_COLOR_BLT {dst:?} {}", mib(*width, *height))
            }
        }
    }

    /// Bytes of one surface of a blit scenario (0 for the MI scenarios).
    pub fn surface_bytes(&self) -> u64 {
        match *self {
            Scenario::SrcCopy { width, height, .. }
            | Scenario::FastCopy { width, height, .. }
            | Scenario::ColorFill { width, height, .. } => {
                (width as u64 * 4).next_multiple_of(512) * (height as u64).next_multiple_of(32)
            }
            _ => 0,
        }
    }

    /// Bytes of memory the caller must bind at `base` for [`run`].
    pub fn memory_needed(&self) -> u64 {
        BATCH_AREA + 2 * self.surface_bytes().next_multiple_of(1 << 20)
    }

    /// Bytes a blit writes per iteration (0 for the MI scenarios).
    pub fn bytes_per_iteration(&self) -> u64 {
        match *self {
            Scenario::SrcCopy { width, height, .. }
            | Scenario::FastCopy { width, height, .. }
            | Scenario::ColorFill { width, height, .. } => width as u64 * 4 * height as u64,
            _ => 0,
        }
    }

    /// Whether the scenario runs on the blitter (else the render engine).
    pub fn on_blitter(&self) -> bool {
        self.engine().class == crate::EngineClass::Copy
    }

    /// GPU addresses of the source and destination surfaces for a run at `base`.
    pub fn surfaces(&self, base: u64) -> (u64, u64) {
        let src = base + BATCH_AREA;
        (src, src + self.surface_bytes().next_multiple_of(1 << 20))
    }

    fn engine(&self) -> EngineConfig {
        match self {
            Scenario::Empty | Scenario::StoreDwords { .. } => EngineConfig::rcs0(),
            _ => EngineConfig::bcs0(),
        }
    }

    /// The batch for a run at `base` (it sits at `base`, within the first MiB), or an
    /// error for a layout the command cannot express.
    pub fn batch(&self, base: u64) -> Result<Vec<u32>, String> {
        let src = base + BATCH_AREA;
        let dst = src + self.surface_bytes().next_multiple_of(1 << 20);
        let pitch_bytes = |w: u32| (w as u64 * 4).next_multiple_of(512) as u32;
        let lo = |a: u64| a as u32;
        let hi = |a: u64| (a >> 32) as u32;
        let mut b = Vec::new();
        match *self {
            Scenario::Empty => {}
            Scenario::StoreDwords { count } => {
                let target = base + BATCH_AREA / 2;
                for i in 0..count as u64 {
                    let a = target + 4 * (i % 4096);
                    b.extend([mi::instr(mi::STORE_DATA_IMM, 2), lo(a), hi(a), i as u32]);
                }
            }
            _ => {}
        }
        let legacy = |t: Tiling, w: u32| -> Result<(u32, u32), String> {
            match t {
                Tiling::Linear => Ok((0, pitch_bytes(w))),
                Tiling::X => Ok((1, pitch_bytes(w) / 4)),
                Tiling::Y => Ok((1, pitch_bytes(w) / 4)),
                Tiling::Tile4 => Err("Tile4 needs XY_FAST_COPY_BLT".into()),
                Tiling::Yf(_) => Err("TileYf is a render surface layout".into()),
            }
        };
        let swctrl = |s: Tiling, d: Tiling| {
            (BCS_SRC_Y | BCS_DST_Y) << 16
                | if s == Tiling::Y { BCS_SRC_Y } else { 0 }
                | if d == Tiling::Y { BCS_DST_Y } else { 0 }
        };
        match *self {
            Scenario::SrcCopy {
                src: st,
                dst: dt,
                width,
                height,
            } => {
                let ((s_tiled, s_pitch), (d_tiled, d_pitch)) =
                    (legacy(st, width)?, legacy(dt, width)?);
                b.extend([
                    mi::instr(mi::LOAD_REGISTER_IMM, 1),
                    BCS_SWCTRL,
                    swctrl(st, dt),
                ]);
                b.extend([
                    blt::instr(
                        blt::XY_SRC_COPY,
                        3 << 20 | s_tiled << 15 | d_tiled << 11 | 8,
                    ),
                    3 << 24 | 0xcc << 16 | d_pitch,
                    0,
                    height << 16 | width,
                    lo(dst),
                    hi(dst),
                    0,
                    s_pitch,
                    lo(src),
                    hi(src),
                ]);
            }
            Scenario::ColorFill {
                dst: dt,
                width,
                height,
            } => {
                let (d_tiled, d_pitch) = legacy(dt, width)?;
                b.extend([
                    mi::instr(mi::LOAD_REGISTER_IMM, 1),
                    BCS_SWCTRL,
                    swctrl(Tiling::Linear, dt),
                ]);
                b.extend([
                    blt::instr(blt::XY_COLOR, 3 << 20 | d_tiled << 11 | 5),
                    3 << 24 | 0xf0 << 16 | d_pitch,
                    0,
                    height << 16 | width,
                    lo(dst),
                    hi(dst),
                    0x00c0_ffee,
                ]);
            }
            Scenario::FastCopy {
                src: st,
                dst: dt,
                width,
                height,
            } => {
                let mode = |t: Tiling| match t {
                    Tiling::Linear => Ok(0),
                    Tiling::X => Ok(1),
                    Tiling::Y | Tiling::Tile4 => Ok(2),
                    Tiling::Yf(_) => Err("TileYf is a render surface layout".to_string()),
                };
                let (sm, dm) = (mode(st)?, mode(dt)?);
                let pitch = |t: Tiling| {
                    if t == Tiling::Linear {
                        pitch_bytes(width)
                    } else {
                        pitch_bytes(width) / 4
                    }
                };
                b.extend([
                    blt::instr(blt::XY_FAST_COPY, sm << 20 | dm << 13 | 8),
                    ((st == Tiling::Tile4) as u32) << 31
                        | ((dt == Tiling::Tile4) as u32) << 30
                        | 3 << 24
                        | pitch(dt),
                    0,
                    height << 16 | width,
                    lo(dst),
                    hi(dst),
                    0,
                    pitch(st),
                    lo(src),
                    hi(src),
                ]);
            }
            _ => {}
        }
        b.push(mi::instr(mi::BATCH_BUFFER_END, 0));
        Ok(b)
    }
}

fn mib(w: u32, h: u32) -> String {
    format!("{} MiB", (w as u64 * h as u64 * 4) >> 20)
}

/// Timings of one benchmark.
#[derive(Clone, Debug)]
pub struct BenchResult {
    /// The scenario's name.
    pub name: String,
    /// Measured iterations (after one warm-up).
    pub iterations: u32,
    /// Total time of the measured iterations (submit to completion callback).
    pub total: Duration,
    /// The fastest iteration (robust against other load on the machine).
    pub best: Duration,
    /// Bytes written per iteration (0 when not a bandwidth benchmark).
    pub bytes_per_iteration: u64,
}

impl BenchResult {
    /// Mean time per iteration.
    pub fn per_iteration(&self) -> Duration {
        self.total / self.iterations.max(1)
    }

    /// Mean bandwidth in GB/s (10^9 bytes written per second), for blits and memcpy.
    pub fn gb_per_s(&self) -> Option<f64> {
        (self.bytes_per_iteration > 0).then(|| {
            self.bytes_per_iteration as f64 * self.iterations as f64
                / self.total.as_secs_f64()
                / 1e9
        })
    }

    /// Bandwidth of the fastest iteration in GB/s.
    pub fn best_gb_per_s(&self) -> Option<f64> {
        (self.bytes_per_iteration > 0)
            .then(|| self.bytes_per_iteration as f64 / self.best.as_secs_f64() / 1e9)
    }
}

/// Runs `scenario` `iterations` times (plus one warm-up) on a fresh engine, one request
/// at a time. The caller binds [`Scenario::memory_needed`] bytes of memory at `base`
/// (directly accessible for meaningful blit numbers); the batch and surfaces are written
/// there. Fails if the scenario cannot be encoded or a request does not complete.
pub fn run(
    space: Arc<dyn AddressSpace>,
    base: u64,
    scenario: &Scenario,
    iterations: u32,
) -> Result<BenchResult, String> {
    let batch = scenario.batch(base)?;
    let bytes: Vec<u8> = batch.iter().flat_map(|d| d.to_le_bytes()).collect();
    space.write(base, &bytes).map_err(|f| f.to_string())?;
    let surface = scenario.surface_bytes();
    if surface > 0 {
        let chunk: Vec<u8> = (0..1u32 << 20).map(|i| (i * 7 + (i >> 9)) as u8).collect();
        let src = base + BATCH_AREA;
        let mut off = 0;
        while off < surface {
            let n = chunk.len().min((surface - off) as usize);
            space
                .write(src + off, &chunk[..n])
                .map_err(|f| f.to_string())?;
            off += n as u64;
        }
    }
    let engine = Engine::start(scenario.engine()).map_err(|e| e.to_string())?;
    let context = Arc::new(Mutex::new(ContextRegs::default()));
    let once = || -> Result<Duration, String> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let t = Instant::now();
        engine.submit(Request {
            space: space.clone(),
            batch: base,
            context: context.clone(),
            on_start: None,
            on_complete: Box::new(move |o| {
                let _ = tx.send(o);
            }),
        });
        match rx.recv() {
            Ok(Outcome::Completed) => Ok(t.elapsed()),
            Ok(o) => Err(format!("{}: {o:?}", scenario.name())),
            Err(e) => Err(e.to_string()),
        }
    };
    once()?;
    let (mut total, mut best) = (Duration::ZERO, Duration::MAX);
    for _ in 0..iterations {
        let t = once()?;
        total += t;
        best = best.min(t);
    }
    Ok(BenchResult {
        name: scenario.name(),
        iterations,
        total,
        best,
        bytes_per_iteration: scenario.bytes_per_iteration(),
    })
}

/// The host's memcpy of `bytes` between two heap buffers, `iterations` times.
pub fn memcpy_baseline(bytes: usize, iterations: u32) -> BenchResult {
    let src: Vec<u8> = (0..bytes).map(|i| i as u8).collect();
    let mut dst = vec![1u8; bytes];
    dst.copy_from_slice(&src);
    let (mut total, mut best) = (Duration::ZERO, Duration::MAX);
    for _ in 0..iterations {
        let t = Instant::now();
        dst.copy_from_slice(std::hint::black_box(&src));
        std::hint::black_box(&mut dst);
        let t = t.elapsed();
        total += t;
        best = best.min(t);
    }
    BenchResult {
        name: format!("memcpy {} MiB", bytes >> 20),
        iterations,
        total,
        best,
        bytes_per_iteration: bytes as u64,
    }
}
