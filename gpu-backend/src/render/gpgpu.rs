//! Thread dispatch of the media/GPGPU front end: GPGPU_WALKER walks thread groups and
//! starts each group's threads; MEDIA_OBJECT starts one thread with inline data.
//!
//! A thread's payload: r0 is the header (thread group ids in r0.1, r0.6, r0.7), then the
//! CURBE: the cross-thread constants, then this thread's own block of per-thread constants
//! (GPGPU), or the constants followed by the inline data (media).

use super::{Env, RenderState};
use crate::eu::thread::Thread;
use crate::eu::{run_group, EuError, Kernel};
use crate::mem::{AddressSpace, GPU_ADDR_MASK};
use crate::shared::Dataport;

/// Thread groups run between two progress ticks of a walker.
const GROUPS_PER_TICK: u64 = 32;

/// Most threads one thread group may have (Gen12: 64 per dual subslice).
const MAX_GROUP_THREADS: u32 = 64;

/// The fields of an interface descriptor this model uses.
struct Descriptor {
    kernel: u64,
    binding_table: u64,
    /// Per-thread constant registers (Constant URB Entry Read Length).
    per_thread_regs: usize,
    /// Offset of the constants in the CURBE, in registers.
    read_offset: usize,
    /// Cross-thread constant registers.
    cross_thread_regs: usize,
    /// Shared local memory bytes.
    slm_bytes: usize,
    /// Sampler State Pointer (from Dynamic State Base).
    sampler_state: u32,
}

fn descriptor(state: &RenderState, index: u32, bt_18_8: bool) -> Result<Descriptor, EuError> {
    let d = state
        .descriptors
        .get(index as usize)
        .ok_or_else(|| EuError::new(format!("interface descriptor {index} was never loaded")))?;
    let slm_enc = d[6] >> 16 & 0x1f;
    let slm_bytes = match slm_enc {
        0 => 0,
        1..=7 => 1024 << (slm_enc - 1),
        e => {
            return Err(EuError::new(format!(
                "shared local memory size encoding {e}"
            )))
        }
    };
    Ok(Descriptor {
        kernel: (state.instruction_base
            + (u64::from(d[1] & 0xffff) << 32 | u64::from(d[0] & !0x3f)))
            & GPU_ADDR_MASK,
        binding_table: if bt_18_8 {
            u64::from(d[4] >> 5 & 0x7ff) << 8
        } else {
            u64::from(d[4] & 0xffe0)
        },
        per_thread_regs: (d[5] >> 16) as usize,
        read_offset: (d[5] & 0xffff) as usize,
        cross_thread_regs: (d[7] & 0xff) as usize,
        slm_bytes,
        sampler_state: d[3] & !0x1f,
    })
}

/// Copies `regs` registers of CURBE data starting at register `from` into the thread's
/// registers starting at `to`; data past the loaded CURBE reads as zero.
fn load_constants(
    t: &mut Thread,
    curbe: &[u8],
    from: usize,
    regs: usize,
    to: usize,
) -> Result<(), EuError> {
    if to + regs > 128 {
        return Err(EuError::new("thread payload larger than the register file"));
    }
    let dst = t.grf_mut(to * 32..(to + regs) * 32);
    let src = curbe.get(from * 32..).unwrap_or(&[]);
    let have = src.len().min(dst.len());
    dst[..have].copy_from_slice(&src[..have]);
    dst[have..].fill(0);
    Ok(())
}

fn dataport<'a>(state: &RenderState, d: &Descriptor, space: &'a dyn AddressSpace) -> Dataport<'a> {
    Dataport {
        space,
        surface_state_base: state.surface_state_base,
        // With a binding table pool, binding table pointers are relative to the pool.
        binding_table: state.binding_table_pool.unwrap_or(state.surface_state_base)
            + d.binding_table,
        general_state_base: state.general_state_base,
        bindless_surface_base: state.bindless_surface_base,
        ex_desc: 0,
        // The whole SLM of a subslice backs every group: an access past the group's
        // allocation reads what the hardware would (memory nobody else uses here).
        slm: vec![0; crate::shared::SLM_BYTES.max(d.slm_bytes)],
        writes: 0,
        window: None,
        surfaces: Vec::new(),
        pixel: None,
        urb: None,
        sampler_state: (state.dynamic_state_base + u64::from(d.sampler_state)) & GPU_ADDR_MASK,
        dynamic_state_base: state.dynamic_state_base,
    }
}

/// r0.5 of thread `slot`: its scratch space (bits 31:10, an offset from General State
/// Base: MEDIA_VFE_STATE's Scratch Space Base Pointer plus `slot` times Per Thread Scratch
/// Space, 1 KiB << the field) and its slot (bits 9:0). Groups run one at a time, so a
/// thread's index in its group is a slot no running thread shares.
fn scratch_pointer(state: &RenderState, slot: u32) -> u32 {
    let Some(v) = state.vfe.as_deref() else {
        return slot & 0x3ff;
    };
    let base = v.first().map_or(0, |d| d & !0x3ff);
    let per_thread = 1024u32 << v.first().map_or(0, |d| d & 0xf).min(11);
    base.wrapping_add(slot.wrapping_mul(per_thread)) & !0x3ff | slot & 0x3ff
}

/// GPGPU_WALKER: runs every thread group of the walk, one group at a time.
pub(super) fn walker(state: &RenderState, dw: &[u32], env: &mut Env<'_>) -> Result<(), EuError> {
    if dw.len() < 15 {
        return Err(EuError::new(format!(
            "GPGPU_WALKER with {} dwords",
            dw.len()
        )));
    }
    if dw[0] & (1 << 8) != 0 {
        return Err(EuError::new("predicated GPGPU_WALKER"));
    }
    if dw[0] & (1 << 10) != 0 {
        return Err(EuError::new("GPGPU_WALKER with indirect parameters"));
    }
    let d = descriptor(state, dw[1] & 0x3f, env.bt_pointer_18_8)?;
    // The constants come from the indirect data when the walker names some (laid out as
    // the CURBE is: cross-thread data, then each thread's block), else from the CURBE.
    let indirect_len = (dw[2] & 0x1ffff) as usize;
    let indirect;
    let constants: &[u8] = if indirect_len > 0 {
        let at = state.indirect_object_base + u64::from(dw[3] & !0x3f);
        indirect = super::read_bytes(env.space, at, indirect_len)?;
        &indirect
    } else {
        &state.curbe
    };
    let (tw, th, td) = (
        (dw[4] & 0x3f) + 1,
        (dw[4] >> 8 & 0x3f) + 1,
        (dw[4] >> 16 & 0x3f) + 1,
    );
    let simd_mask: u32 = match dw[4] >> 30 {
        0 => 0xff,
        1 => 0xffff,
        2 => u32::MAX,
        _ => return Err(EuError::new("GPGPU_WALKER SIMD size")),
    };
    let threads = tw * th * td;
    if threads > MAX_GROUP_THREADS {
        return Err(EuError::new(format!(
            "{threads} threads in one thread group"
        )));
    }
    let span = |lo: u32, hi: u32| u64::from(hi.saturating_sub(lo));
    let walk = Walk {
        state,
        d,
        constants,
        indirect: indirect_len > 0,
        size: (tw, th),
        threads,
        simd_mask,
        edges: (dw[13], dw[14]),
        origin: (dw[5], dw[8], dw[11]),
        extent: (
            span(dw[5], dw[7]),
            span(dw[8], dw[10]),
            span(dw[11], dw[12]),
        ),
    };
    let total = walk.extent.0 * walk.extent.1 * walk.extent.2;
    let workers = host_workers().min(total.div_ceil(PARALLEL_GROUPS) as usize);
    if workers <= 1 || !walk.slots_for(workers) {
        let mut left = Some(0..total);
        env.writes += walk.run(env.space, 0, &mut || left.take(), env.tick)?;
        return (env.tick)(true);
    }
    walk.run_parallel(env, total, workers)
}

/// Groups a walker must have per host thread before it is split across host threads
/// (below it, starting threads costs more than it saves).
const PARALLEL_GROUPS: u64 = 64;

/// Groups a host thread takes at a time from a parallel walk.
const CHUNK: u64 = 16;

/// How many host threads a walk may use: the machine's CPUs, at most 8.
fn host_workers() -> usize {
    static N: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *N.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(8)))
}

/// The error a host thread of a parallel walk stops with when another one failed.
const STOPPED: &str = "stopped: another host thread of the walk failed";

/// One GPGPU_WALKER's dispatch, shared by the host threads that run its groups.
struct Walk<'w> {
    state: &'w RenderState,
    d: Descriptor,
    constants: &'w [u8],
    /// The constants are the walker's indirect data (else the CURBE).
    indirect: bool,
    /// Threads of a group along X and Y.
    size: (u32, u32),
    threads: u32,
    simd_mask: u32,
    /// Right and bottom execution masks.
    edges: (u32, u32),
    /// First group id along X, Y, Z.
    origin: (u32, u32, u32),
    /// Groups along X, Y, Z.
    extent: (u64, u64, u64),
}

impl Walk<'_> {
    /// Whether `workers` host threads, each running one group at a time, can be given
    /// scratch slots of their own: always when the kernel has no scratch space, else
    /// when MEDIA_VFE_STATE's thread count covers 64 slots per host thread.
    fn slots_for(&self, workers: usize) -> bool {
        let Some(v) = self.state.vfe.as_deref() else {
            return true;
        };
        let scratch = v.first().is_some_and(|d| d & !0x3ff != 0);
        let max_threads = v.get(2).map_or(0, |d| (d >> 16) as usize + 1);
        !scratch || max_threads >= workers * MAX_GROUP_THREADS as usize
    }

    /// Runs the groups that `next` hands out, one at a time, on this host thread; thread
    /// `t` of a group uses scratch slot `slot_base + t`. Returns the memory writes done.
    fn run(
        &self,
        space: &dyn AddressSpace,
        slot_base: u32,
        next: &mut dyn FnMut() -> Option<std::ops::Range<u64>>,
        tick: &mut dyn FnMut(bool) -> Result<(), EuError>,
    ) -> Result<u64, EuError> {
        let d = &self.d;
        let (tw, th) = self.size;
        let mut kernel = Kernel::new(space, d.kernel);
        let mut dp = dataport(self.state, d, space);
        // One register file per thread of a group, reused group after group.
        let mut group: Vec<Thread> = (0..self.threads).map(|_| Thread::new(0)).collect();
        let mut groups = 0u64;
        while let Some(range) = next() {
            for g in range {
                let (nx, ny, _) = self.extent;
                let x = self.origin.0 + (g % nx) as u32;
                let y = self.origin.1 + (g / nx % ny) as u32;
                let z = self.origin.2 + (g / (nx * ny)) as u32;
                for t in 0..self.threads {
                    let (lx, ly) = (t % tw, t / tw % th);
                    let mut mask = self.simd_mask;
                    if lx == tw - 1 {
                        mask &= self.edges.0;
                    }
                    if ly == th - 1 {
                        mask &= self.edges.1;
                    }
                    let th_ = &mut group[t as usize];
                    th_.reset(mask);
                    th_.set_grf_ud(0, 1, x);
                    th_.set_grf_ud(0, 6, y);
                    th_.set_grf_ud(0, 7, z);
                    // r0.2 bits 7:0: the thread's index in its group (barrier bookkeeping).
                    th_.set_grf_ud(0, 2, t);
                    th_.set_grf_ud(0, 5, scratch_pointer(self.state, slot_base + t));
                    // In memory the cross-thread data comes first, then one block per
                    // thread. In the registers, CURBE constants keep that order (Mesa's
                    // push constants, then its per-thread subgroup id), while a walker's
                    // indirect data puts the thread's own block first (IGC's local ids in
                    // r1.., its cross-thread arguments after them).
                    let per_from =
                        d.read_offset + d.cross_thread_regs + t as usize * d.per_thread_regs;
                    let (cross_to, per_to) = if self.indirect {
                        (1 + d.per_thread_regs, 1)
                    } else {
                        (1, 1 + d.cross_thread_regs)
                    };
                    let c = self.constants;
                    load_constants(th_, c, d.read_offset, d.cross_thread_regs, cross_to)?;
                    load_constants(th_, c, per_from, d.per_thread_regs, per_to)?;
                }
                // Each group starts with its own allocation zeroed (what lies past it
                // keeps what earlier groups left, as on the hardware).
                dp.slm[..d.slm_bytes].fill(0);
                run_group(&mut group, &mut kernel, &mut dp, &mut || tick(false))?;
                groups += 1;
                // Progress (and the stop and watchdog checks, which read the clock) once
                // every few groups: tiny groups would otherwise spend their time there.
                if groups.is_multiple_of(GROUPS_PER_TICK) {
                    tick(true)?;
                }
            }
        }
        Ok(dp.writes)
    }

    /// Runs the walk's `total` groups on `workers` host threads, as the hardware runs
    /// groups on several subslices at once: each takes [`CHUNK`] groups at a time. This
    /// thread works too and alone calls the command streamer's tick (stop requests, the
    /// watchdog), counting every thread's finished groups as progress.
    fn run_parallel(&self, env: &mut Env<'_>, total: u64, workers: usize) -> Result<(), EuError> {
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
        let cursor = AtomicU64::new(0);
        let stop = AtomicBool::new(false);
        let finished = AtomicU64::new(0);
        let take = || {
            let at = cursor.fetch_add(CHUNK, Relaxed);
            (at < total).then(|| at..(at + CHUNK).min(total))
        };
        let space = env.space;
        std::thread::scope(|s| {
            let helpers: Vec<_> = (1..workers)
                .map(|w| {
                    let (stop, finished, take) = (&stop, &finished, &take);
                    s.spawn(move || {
                        let mut tick = |group_done: bool| {
                            if group_done {
                                finished.fetch_add(1, Relaxed);
                            }
                            if stop.load(Relaxed) {
                                return Err(EuError::new(STOPPED));
                            }
                            Ok(())
                        };
                        let slot = w as u32 * MAX_GROUP_THREADS;
                        let r = self.run(space, slot, &mut { take }, &mut tick);
                        if r.is_err() {
                            stop.store(true, Relaxed);
                        }
                        r
                    })
                })
                .collect();
            let mut mine = {
                let tick = &mut *env.tick;
                let mut main_tick = |group_done: bool| {
                    if stop.load(Relaxed) {
                        return Err(EuError::new(STOPPED));
                    }
                    tick(group_done)
                };
                self.run(space, 0, &mut { take }, &mut main_tick)
            };
            if mine.is_err() {
                stop.store(true, Relaxed);
            }
            // Keep ticking for the others until they are done.
            let mut seen = finished.load(Relaxed);
            while !helpers.iter().all(|h| h.is_finished()) {
                std::thread::sleep(std::time::Duration::from_micros(200));
                let now = finished.load(Relaxed);
                if mine.is_ok() {
                    if let Err(e) = (env.tick)(now != seen) {
                        stop.store(true, Relaxed);
                        mine = Err(e);
                    }
                }
                seen = now;
            }
            let mut first_error = None;
            let mut writes = *mine.as_ref().unwrap_or(&0);
            for h in helpers {
                match h.join() {
                    Ok(Ok(w)) => writes += w,
                    Ok(Err(e)) if e.0 != STOPPED => {
                        first_error.get_or_insert(e);
                    }
                    Ok(Err(_)) => {}
                    Err(_) => {
                        first_error
                            .get_or_insert(EuError::new("a host thread of the walk panicked"));
                    }
                }
            }
            env.writes += writes;
            // A real failure of any thread names its instruction; the command streamer's
            // own stop or watchdog (this thread's tick) comes through `mine`.
            match (mine, first_error) {
                (Err(e), _) if e.0 != STOPPED => Err(e),
                (_, Some(e)) => Err(e),
                (Err(e), None) => Err(e),
                (Ok(_), None) => (env.tick)(true),
            }
        })
    }
}

/// MEDIA_OBJECT: one SIMD16 thread with the CURBE constants and the inline data.
pub(super) fn media_object(
    state: &RenderState,
    dw: &[u32],
    env: &mut Env<'_>,
) -> Result<(), EuError> {
    if dw.len() < 6 {
        return Err(EuError::new(format!(
            "MEDIA_OBJECT with {} dwords",
            dw.len()
        )));
    }
    if dw[2] & 0x1ffff != 0 {
        return Err(EuError::new("MEDIA_OBJECT with indirect data"));
    }
    if dw[2] >> 31 != 0 {
        return Err(EuError::new("MEDIA_OBJECT with child threads"));
    }
    let d = descriptor(state, dw[1] & 0x3f, env.bt_pointer_18_8)?;
    let mut t = Thread::new(0xffff);
    t.set_grf_ud(0, 5, scratch_pointer(state, 0));
    let consts = d.cross_thread_regs + d.per_thread_regs;
    load_constants(&mut t, &state.curbe, d.read_offset, consts, 1)?;
    let inline = &dw[6..];
    let first = 1 + consts;
    if first + inline.len().div_ceil(8) > 128 {
        return Err(EuError::new(
            "MEDIA_OBJECT inline data past the register file",
        ));
    }
    for (i, &v) in inline.iter().enumerate() {
        t.set_grf_ud(first + i / 8, i % 8, v);
    }
    let mut kernel = Kernel::new(env.space, d.kernel);
    let mut dp = dataport(state, &d, env.space);
    run_group(
        std::slice::from_mut(&mut t),
        &mut kernel,
        &mut dp,
        &mut || (env.tick)(false),
    )?;
    (env.tick)(true)?;
    env.writes += dp.writes;
    Ok(())
}
