//! The device's engines and the request path: per (context, engine) timelines that
//! hand requests to the command streamer in submission order once the fences they
//! await have signalled, and completion (fence signalled, with -EIO for a hang).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use gpu_backend::{ContextRegs, Engine, EngineConfig, Outcome, RequestHandle};

use crate::gpu_error::EngineSnapshot;
use crate::platform::EngineId;
use crate::sync::{lock_order, lockdep, DmaFence, FenceTimeline, TrackedMutex};
use crate::Errno;

/// The engines of one device, and which fence timeline belongs to which engine.
pub struct Engines {
    pub(crate) engines: Vec<(EngineId, Engine)>,
    /// Fence context → engine class (BUSY's engine bits) and the timeline (FENCE_SUBMIT).
    classes: TrackedMutex<HashMap<u64, (u16, Weak<Timeline>)>>,
    /// Requests reset for hanging (GET_RESET_STATS' `reset_count`).
    pub(crate) resets: AtomicU32,
    /// Each engine's scheduling properties (sysfs `engine/<name>/`).
    pub(crate) props: crate::engine_props::EngineProps,
    /// The GPU error state (sysfs `error`).
    pub errors: crate::gpu_error::GpuErrors,
    /// The GT's frequency limits (sysfs `gt_*_freq_mhz`).
    pub rps: crate::rps::Rps,
    /// The i915 `reset` module parameter is not 0: a hang or a manual reset resets the
    /// engines; with it 0, either wedges the GT instead (`intel_gt_reset`'s error path).
    reset_enabled: AtomicBool,
    /// The GT is wedged: every request ended with -EIO, and execbuf, context creation
    /// and throttle say EIO until a reset (with resets enabled) recovers it.
    wedged: AtomicBool,
}

impl Engines {
    /// Start one command-streamer worker per engine of the platform.
    pub(crate) fn start(ids: &[EngineId], hang_timeout: Duration) -> std::io::Result<Engines> {
        let mut engines = Vec::new();
        for id in ids {
            let cfg = match (id.class, id.instance) {
                (uapi::I915_ENGINE_CLASS_RENDER, 0) => EngineConfig::rcs0(),
                (uapi::I915_ENGINE_CLASS_COPY, 0) => EngineConfig::bcs0(),
                (uapi::I915_ENGINE_CLASS_VIDEO, 0) => EngineConfig::vcs0(),
                (uapi::I915_ENGINE_CLASS_VIDEO_ENHANCE, 0) => EngineConfig::vecs0(),
                _ => continue,
            };
            engines.push((*id, Engine::start(cfg.with_hang_timeout(hang_timeout))?));
        }
        Ok(Engines {
            props: crate::engine_props::EngineProps::new(engines.len()),
            engines,
            classes: TrackedMutex::new(&lock_order::ENGINE_CLASSES, HashMap::new()),
            resets: AtomicU32::new(0),
            errors: Default::default(),
            rps: Default::default(),
            reset_enabled: AtomicBool::new(true),
            wedged: AtomicBool::new(false),
        })
    }

    /// The i915 `reset` module parameter was set: 0 disables resets.
    pub fn set_reset_param(&self, level: i64) {
        self.reset_enabled.store(level != 0, Ordering::Release);
    }

    /// Whether a hang or a manual reset may reset the engines (else it wedges the GT).
    pub fn reset_enabled(&self) -> bool {
        self.reset_enabled.load(Ordering::Acquire)
    }

    /// Whether the GT is wedged (`intel_gt_is_wedged`).
    pub fn is_wedged(&self) -> bool {
        self.wedged.load(Ordering::Acquire)
    }

    /// `EIO` when the GT is wedged (`intel_gt_terminally_wedged`), as execbuf, context
    /// creation and throttle answer.
    pub(crate) fn check_wedged(&self) -> crate::Result<()> {
        if self.is_wedged() {
            return Err(crate::Errno::EIO);
        }
        Ok(())
    }

    /// `intel_gt_set_wedged`: every request, running or waiting, ends with -EIO, and
    /// new work is refused until a reset recovers the GT.
    pub fn set_wedged(&self) {
        if self.wedged.swap(true, Ordering::AcqRel) {
            return;
        }
        log::info!("GT wedged: every request ends with -EIO");
        let timelines: Vec<Arc<Timeline>> = self
            .classes
            .lock()
            .values()
            .filter_map(|(_, t)| t.upgrade())
            .collect();
        // Nobody is guilty (nop_submit_request): the requests are cancelled, not reset
        // as hangs, so no context or client counts one against itself.
        for t in timelines {
            t.cancel_all();
        }
        // What runs for a context whose timeline is already gone (a destroyed
        // persistent context) is in no timeline's list: stop it at its engine.
        for (_, e) in &self.engines {
            if let Some(running) = e.running() {
                running.cancel();
            }
        }
    }

    /// The index of engine `id`, if the device has it.
    pub(crate) fn index_of(&self, id: EngineId) -> Option<usize> {
        self.engines.iter().position(|(e, _)| *e == id)
    }

    /// The engine class of the timeline a fence came from, if it is one of ours.
    pub fn class_of(&self, fence: &DmaFence) -> Option<u16> {
        self.classes.lock().get(&fence.context()).map(|(c, _)| *c)
    }

    /// `i915_request_await_execution`: what a request that may start once the work
    /// behind `fence` has started awaits. A request of ours still queued: the fence
    /// that signals when it reaches its engine; one already there (or done): nothing.
    /// Any other fence: its completion, as i915 does for a foreign fence.
    pub(crate) fn execution_of(&self, fence: &Arc<DmaFence>) -> Option<Arc<DmaFence>> {
        let timeline = self
            .classes
            .lock()
            .get(&fence.context())
            .map(|(_, t)| t.clone());
        let Some(timeline) = timeline else {
            return Some(fence.clone());
        };
        // A timeline that is gone has nothing left to start.
        timeline.upgrade()?.start_fence(fence.seqno())
    }

    /// Timelines known by fence context: the engines' bookkeeping (one per live
    /// context and engine it used).
    pub fn timeline_count(&self) -> usize {
        self.classes.lock().len()
    }

    /// Whether any engine is executing or has queued work.
    pub fn busy(&self) -> bool {
        self.engines.iter().any(|(_, e)| e.busy())
    }

    /// Record the engines' state as the GPU error state, unless one is held.
    pub(crate) fn capture_error(&self, message: String) {
        let snapshots = self
            .engines
            .iter()
            .map(|(_, e)| {
                let st = e.stats();
                EngineSnapshot {
                    name: e.config().name.clone(),
                    running: st.running,
                    submitted: st.submitted,
                    retired: st.retired,
                }
            })
            .collect();
        self.errors
            .capture(message, self.resets.load(Ordering::Relaxed), snapshots);
    }

    /// `intel_gt_handle_error` with `I915_ERROR_CAPTURE`, as a write of `mask` to
    /// debugfs `i915_wedged` asks: capture the error state, then reset each engine in
    /// `mask` (bits of i915's `intel_engine_id`): the request it is running, if any,
    /// is reset (it completes with -EIO and its context is marked guilty); what waits
    /// behind it runs as usual.
    pub fn handle_error(&self, mask: u64) {
        self.capture_error(format!("Manually reset engine mask to {mask:x}"));
        if !self.reset_enabled() {
            // intel_gt_reset without a reset method: the GT is wedged instead.
            return self.set_wedged();
        }
        // A reset recovers a wedged GT (intel_gt_unset_wedged).
        if self.wedged.swap(false, Ordering::AcqRel) {
            log::info!("GT unwedged by a reset");
        }
        for (id, e) in &self.engines {
            if mask & (1u64 << engine_id_bit(*id)) == 0 {
                continue;
            }
            if let Some(running) = e.running() {
                running.reset("manual engine reset");
            }
        }
    }

    fn submit(&self, index: usize, req: gpu_backend::Request, priority: i32) -> RequestHandle {
        self.engines[index].1.submit_with_priority(req, priority)
    }
}

/// The bit of engine `id` in i915's engine masks (`enum intel_engine_id`: RCS0, then
/// BCS0-8, VCS0-7, VECS0-3).
fn engine_id_bit(id: EngineId) -> u32 {
    let i = u32::from(id.instance);
    match id.class {
        uapi::I915_ENGINE_CLASS_RENDER => i,
        uapi::I915_ENGINE_CLASS_COPY => 1 + i,
        uapi::I915_ENGINE_CLASS_VIDEO => 10 + i,
        uapi::I915_ENGINE_CLASS_VIDEO_ENHANCE => 18 + i,
        _ => 63,
    }
}

/// Why a request was stopped by the model rather than by the engine.
pub(crate) const EIO: Errno = Errno::EIO;

/// What a finished request reports back to its context.
pub(crate) trait RequestOwner: Send + Sync {
    /// The request hung (it was reset).
    fn hung(&self);
    /// Whether the owner said it expects hangs (IGT's `igt_allow_hang` makes its context
    /// unbannable or turns off error capture before it injects one).
    fn expects_hangs(&self) -> bool;
}

/// The log target of hangs a client did not ask for: `gemu igt` counts a test that
/// passed with one of these in its log as failed.
pub const UNEXPECTED_HANG_TARGET: &str = "gemu::unexpected_hang";

/// What such a log line says before the hang itself (`gemu igt` looks for it).
pub const UNEXPECTED_HANG_MESSAGE: &str = "GPU hang the client did not ask for: ";

/// One request waiting in its timeline for the fences it awaits.
struct Pending {
    deps: Vec<Arc<DmaFence>>,
    req: gpu_backend::Request,
    fence: Arc<DmaFence>,
    /// Its context's priority when it was submitted.
    priority: i32,
}

#[derive(Default)]
struct Queue {
    pending: VecDeque<Pending>,
    /// Requests handed to the engine that may still run, for cancellation.
    inflight: Vec<(RequestHandle, Arc<DmaFence>)>,
    /// The context was closed or banned: new requests are cancelled at once.
    dead: bool,
    /// Fences of the requests that may still occupy the context's ring, oldest first.
    ring: VecDeque<Arc<DmaFence>>,
}

/// A user context's ring (`intel_context_set_gem`: 16 KiB outside the compute class).
pub(crate) const RING_SIZE: usize = 16 * 1024;

/// Ring bytes one request takes: its batch start, the breadcrumb writes and the flushes
/// around them (gen12's `emit_bb_start` and `emit_fini_breadcrumb` with the request's
/// preamble). The render engine's breadcrumb adds PIPE_CONTROL flushes.
fn request_bytes(class: u16) -> usize {
    if class == uapi::I915_ENGINE_CLASS_RENDER {
        192
    } else {
        128
    }
}

/// A (context, engine) timeline: its fences, its register state, and its queue.
pub(crate) struct Timeline {
    engines: Arc<Engines>,
    engine: usize,
    fences: FenceTimeline,
    pub(crate) regs: Arc<Mutex<ContextRegs>>,
    queue: TrackedMutex<Queue>,
    /// The fence of the newest request (single-timeline contexts order after it).
    last: Mutex<Option<Arc<DmaFence>>>,
    /// The fence context of the "reached the engine" fences of this timeline's requests.
    started_context: u64,
    /// The last request handed to the engine (or cancelled before it got there).
    submitted: AtomicU64,
    /// "Reached the engine" fences that FENCE_SUBMIT awaits, by request seqno; made
    /// only when asked for, so a plain submission pays nothing for them.
    starts: TrackedMutex<Vec<(u64, Arc<DmaFence>)>>,
}

impl Drop for Timeline {
    fn drop(&mut self) {
        // Its requests are all done (each holds its context, which holds this): its
        // fences need no class nor start fence any more.
        self.engines.classes.lock().remove(&self.fences.context());
    }
}

impl Timeline {
    pub(crate) fn new(engines: &Arc<Engines>, engine: usize) -> Arc<Timeline> {
        let fences = FenceTimeline::new();
        let class = engines.engines[engine].0.class;
        Arc::new_cyclic(|me| {
            engines
                .classes
                .lock()
                .insert(fences.context(), (class, me.clone()));
            Timeline {
                engines: engines.clone(),
                engine,
                fences,
                regs: Arc::new(Mutex::new(ContextRegs::default())),
                queue: TrackedMutex::new(&lock_order::TIMELINE, Queue::default()),
                last: Mutex::new(None),
                started_context: crate::sync::dma_fence::context_alloc(1),
                submitted: AtomicU64::new(0),
                starts: TrackedMutex::new(&lock_order::ENGINE_UNSUBMITTED, Vec::new()),
            }
        })
    }

    /// A fence that signals when request `seqno` reaches the engine; `None` once it has.
    fn start_fence(&self, seqno: u64) -> Option<Arc<DmaFence>> {
        let mut starts = self.starts.lock();
        // Checked under the lock `submitted_upto` drains under: no fence is missed.
        if self.submitted.load(Ordering::Acquire) >= seqno {
            return None;
        }
        let f = DmaFence::new(self.started_context, seqno);
        starts.push((seqno, f.clone()));
        Some(f)
    }

    /// Requests up to `seqno` reached the engine, or never will. Called with no timeline
    /// lock held: the fences' callbacks pump other timelines.
    fn submitted_upto(&self, seqno: u64) {
        self.submitted.fetch_max(seqno, Ordering::AcqRel);
        let ready: Vec<Arc<DmaFence>> = {
            let mut starts = self.starts.lock();
            if starts.is_empty() {
                return;
            }
            let (ready, waiting) = std::mem::take(&mut *starts)
                .into_iter()
                .partition(|(n, _)| *n <= seqno);
            *starts = waiting;
            ready.into_iter().map(|(_, f)| f).collect()
        };
        for f in ready {
            let _ = f.signal();
        }
    }

    /// Put a request in this timeline's queue and return the fence it will signal.
    /// The fence is made and the request queued under the queue's lock, so queue order
    /// is fence order; with `after_last` (a single-timeline context) it also awaits the
    /// previous request. Call it before the objects' reservations are unlocked: any
    /// request that can see the new fence is then queued after this one, so no queue
    /// holds a request behind one that waits for it. Nothing runs until [`pump`].
    ///
    /// [`pump`]: Self::pump
    pub(crate) fn push(
        &self,
        mut deps: Vec<Arc<DmaFence>>,
        after_last: bool,
        priority: i32,
        make: impl FnOnce(&Arc<DmaFence>) -> gpu_backend::Request,
    ) -> Arc<DmaFence> {
        let mut q = self.queue.lock();
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if after_last {
            deps.extend(last.clone());
        }
        let fence = self.fences.next_fence();
        *last = Some(fence.clone());
        drop(last);
        let req = make(&fence);
        q.ring.push_back(fence.clone());
        q.pending.push_back(Pending {
            deps,
            req,
            fence: fence.clone(),
            priority,
        });
        fence
    }

    /// `eb_throttle`: when less than a page of the ring is free, the request after
    /// whose completion more than half the ring is free again, for the caller to wait
    /// on before it adds another; `None` when there is room.
    pub(crate) fn throttle(&self) -> Option<Arc<DmaFence>> {
        let per = request_bytes(self.engines.engines[self.engine].0.class);
        let mut q = self.queue.lock();
        q.ring.retain(|f| !f.is_signaled());
        let used = q.ring.len() * per;
        if RING_SIZE.saturating_sub(used) >= 4096 {
            return None;
        }
        let mut freed = 0;
        for f in &q.ring {
            freed += per;
            if RING_SIZE - used + freed > RING_SIZE / 2 {
                return Some(f.clone());
            }
        }
        q.ring.back().cloned()
    }

    /// Hand every request whose fences have signalled to the engine, in order; arm a
    /// callback on the first fence the head still waits for.
    pub(crate) fn pump(self: &Arc<Self>) {
        let mut q = self.queue.lock();
        q.inflight.retain(|(h, _)| !h.is_complete());
        while !q.pending.is_empty() {
            // A wedged GT runs nothing more (nop_submit_request): the request ends -EIO.
            if q.dead || self.engines.is_wedged() {
                let p = q.pending.pop_front().unwrap();
                drop(q);
                self.submitted_upto(p.fence.seqno());
                cancel_unrun(p.req);
                q = self.queue.lock();
                continue;
            }
            let head = q.pending.front_mut().unwrap();
            head.deps.retain(|f| !f.is_signaled());
            if let Some(dep) = head.deps.first().cloned() {
                drop(q);
                let me = Arc::downgrade(self);
                let armed = dep.add_callback(Box::new(move |_| {
                    if let Some(t) = me.upgrade() {
                        t.pump();
                    }
                }));
                if armed.is_err() {
                    // Signalled meanwhile: look again.
                    q = self.queue.lock();
                    continue;
                }
                return;
            }
            let p = q.pending.pop_front().unwrap();
            let handle = self.engines.submit(self.engine, p.req, p.priority);
            q.inflight.push((handle, p.fence.clone()));
            drop(q);
            self.submitted_upto(p.fence.seqno());
            q = self.queue.lock();
        }
    }

    /// Reset this timeline's work (a device reset): what runs is reset, what waits is
    /// cancelled; later requests run normally.
    pub(crate) fn reset(self: &Arc<Self>) {
        for (h, _) in self.take_queued(false) {
            h.reset("device reset");
        }
    }

    /// Cancel this timeline's work (the GT wedged): queued and running requests end
    /// with -EIO; later requests are refused by execbuf while the GT stays wedged.
    pub(crate) fn cancel_all(self: &Arc<Self>) {
        for (h, _) in self.take_queued(false) {
            h.cancel();
        }
    }

    /// Stop everything of this timeline: queued requests complete as cancelled, a
    /// running one is reset at its next command. Later requests are cancelled too.
    pub(crate) fn kill(self: &Arc<Self>) {
        for (h, _) in self.take_queued(true) {
            h.cancel();
        }
    }

    /// Cancel every request still waiting for its dependencies and hand back those
    /// already given to the engine; `dead` also refuses every later one.
    fn take_queued(self: &Arc<Self>, dead: bool) -> Vec<(RequestHandle, Arc<DmaFence>)> {
        let (pending, inflight) = {
            let mut q = self.queue.lock();
            q.dead |= dead;
            (
                std::mem::take(&mut q.pending),
                std::mem::take(&mut q.inflight),
            )
        };
        if let Some(p) = pending.back() {
            self.submitted_upto(p.fence.seqno());
        }
        for p in pending {
            cancel_unrun(p.req);
        }
        inflight
    }
}

/// A request that never reached the engine completes as cancelled.
fn cancel_unrun(req: gpu_backend::Request) {
    (req.on_complete)(Outcome::Cancelled);
}

/// The completion of a request: on the engine thread, on the fence-signalling path.
/// `keep` holds the objects, which must live until the batch is done; their GTT views
/// are refreshed before the fence signals, so a waiter reads the GPU's writes there.
pub(crate) fn completion(
    fence: Arc<DmaFence>,
    owner: Arc<dyn RequestOwner>,
    engines: Arc<Engines>,
    keep: Vec<Arc<crate::object::GemObject>>,
) -> gpu_backend::Completion {
    Box::new(move |outcome| {
        let _signalling = lockdep::begin_signalling();
        match outcome {
            Outcome::Completed => {}
            Outcome::Hung(h) => {
                if !engines.reset_enabled() {
                    // The hang cannot be reset: the GT wedges. Off the signalling path,
                    // which must not take the timelines' locks.
                    let engines = engines.clone();
                    std::thread::spawn(move || engines.set_wedged());
                }
                if h.reason.may_be_model_gap() && !owner.expects_hangs() {
                    log::warn!(target: UNEXPECTED_HANG_TARGET, "{UNEXPECTED_HANG_MESSAGE}{h}");
                } else {
                    log::info!("GPU hang: {h:?}; request reset");
                }
                engines.resets.fetch_add(1, Ordering::Relaxed);
                engines.capture_error(format!("GPU HANG: {h:?}"));
                fence.set_error(EIO);
                owner.hung();
            }
            Outcome::Cancelled => fence.set_error(EIO),
        }
        for obj in &keep {
            obj.sync_gtt_view();
        }
        let _ = fence.signal();
        drop(keep);
    })
}
