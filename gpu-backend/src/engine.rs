//! Engines: one worker thread per engine, fed by a channel of [`Request`]s. Among the
//! requests waiting, the one of highest priority runs next (submission order among
//! equals), but never before an earlier request of its own context (same register
//! state). See the crate documentation for how `emu` drives them.

use crate::exec::{self, Control};
use crate::mem::AddressSpace;
use crate::regs::ContextRegs;
use crate::watchdog::DEFAULT_HANG_TIMEOUT;
use crate::{Hang, HangReason, Outcome};
use crossbeam_channel::{unbounded, Receiver, Sender};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// An engine class as i915 numbers them (`I915_ENGINE_CLASS_*`); it decides which
/// commands the engine accepts besides the MI set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EngineClass {
    /// The render engine (rcs): MI commands and PIPE_CONTROL.
    Render,
    /// The blitter/copy engine (bcs): MI commands, MI_FLUSH_DW and the 2D blitter.
    Copy,
    /// Video decode (vcs): MI commands and MI_FLUSH_DW.
    Video,
    /// Video enhancement (vecs): MI commands and MI_FLUSH_DW.
    VideoEnhance,
    /// Compute (ccs): MI commands and PIPE_CONTROL.
    Compute,
}

impl EngineClass {
    /// The uapi class number (`I915_ENGINE_CLASS_*`).
    pub fn uapi_class(self) -> u16 {
        match self {
            EngineClass::Render => uapi::I915_ENGINE_CLASS_RENDER,
            EngineClass::Copy => uapi::I915_ENGINE_CLASS_COPY,
            EngineClass::Video => uapi::I915_ENGINE_CLASS_VIDEO,
            EngineClass::VideoEnhance => uapi::I915_ENGINE_CLASS_VIDEO_ENHANCE,
            EngineClass::Compute => uapi::I915_ENGINE_CLASS_COMPUTE,
        }
    }

    /// Whether the class executes PIPE_CONTROL (and not MI_FLUSH_DW).
    pub fn is_render(self) -> bool {
        matches!(self, EngineClass::Render | EngineClass::Compute)
    }

    /// Whether the class has the 2D blitter (XY_* commands).
    pub fn runs_blits(self) -> bool {
        self == EngineClass::Copy
    }
}

/// Static description of one engine.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Name, e.g. "rcs0" (also the worker thread's name).
    pub name: String,
    /// Class.
    pub class: EngineClass,
    /// Instance within the class.
    pub instance: u16,
    /// MMIO base of the engine's register block (GPRs at `+0x600`, timestamp at `+0x358`).
    pub mmio_base: u32,
    /// Time without an arbitration point after which a request is reported hung.
    pub hang_timeout: Duration,
}

impl EngineConfig {
    /// An engine description with the default hang timeout.
    pub fn new(name: &str, class: EngineClass, instance: u16, mmio_base: u32) -> EngineConfig {
        EngineConfig {
            name: name.to_owned(),
            class,
            instance,
            mmio_base,
            hang_timeout: DEFAULT_HANG_TIMEOUT,
        }
    }

    /// Tiger Lake's render engine.
    pub fn rcs0() -> EngineConfig {
        EngineConfig::new("rcs0", EngineClass::Render, 0, 0x2000)
    }

    /// Tiger Lake's blitter.
    pub fn bcs0() -> EngineConfig {
        EngineConfig::new("bcs0", EngineClass::Copy, 0, 0x22000)
    }

    /// The first video engine (Gen11+ MMIO base).
    pub fn vcs0() -> EngineConfig {
        EngineConfig::new("vcs0", EngineClass::Video, 0, 0x1c0000)
    }

    /// The first video enhancement engine (Gen11+ MMIO base).
    pub fn vecs0() -> EngineConfig {
        EngineConfig::new("vecs0", EngineClass::VideoEnhance, 0, 0x1c8000)
    }

    /// The same engine with another hang timeout (tests use short ones).
    pub fn with_hang_timeout(mut self, timeout: Duration) -> EngineConfig {
        self.hang_timeout = timeout;
        self
    }
}

/// The callback a request completes through: called exactly once, on the engine thread.
/// It runs on the fence-signalling path: it must not block on anything a fence waiter may
/// hold (DESIGN §6).
pub type Completion = Box<dyn FnOnce(Outcome) + Send>;

/// One batch to run.
pub struct Request {
    /// The context's GPU address space.
    pub space: Arc<dyn AddressSpace>,
    /// GPU address of the first command (canonical or not; bits 63:48 are ignored).
    pub batch: u64,
    /// The (context, engine) register state, shared by all requests of that pair. It is
    /// copied when the request starts and written back when it ends (context restore and
    /// save): changes `emu` makes in between are overwritten.
    pub context: Arc<Mutex<ContextRegs>>,
    /// Called once with the outcome.
    pub on_complete: Completion,
    /// Called on the engine thread just before the batch starts (after every request
    /// ahead of it has completed), never for a request that does not run: what a
    /// recorder needs to see the memory the batch starts from.
    pub on_start: Option<StartHook>,
}

/// See [`Request::on_start`]. Like the completion it runs on the engine thread, so it
/// must not block on anything a fence waiter may hold.
pub type StartHook = Box<dyn FnOnce() + Send>;

const RUN: u8 = 0;
const CANCEL: u8 = 1;
const RESET: u8 = 2;

/// Per-request stop state shared between the engine thread and [`RequestHandle`]s.
struct Ticket {
    seqno: u64,
    stop: AtomicU8,
    reset_reason: Mutex<String>,
    done: AtomicBool,
}

impl Ticket {
    fn stop_outcome(&self) -> Option<Outcome> {
        match self.stop.load(Ordering::Acquire) {
            RUN => None,
            CANCEL => Some(Outcome::Cancelled),
            _ => {
                let why = self.reset_reason.lock().unwrap().clone();
                Some(Outcome::Hung(Hang {
                    reason: HangReason::Reset(why),
                    addr: 0,
                }))
            }
        }
    }
}

/// A handle on a submitted request: stop it, or ask whether it finished.
#[derive(Clone)]
pub struct RequestHandle {
    ticket: Arc<Ticket>,
}

impl RequestHandle {
    /// The engine-local sequence number (1, 2, … in submission order).
    pub fn seqno(&self) -> u64 {
        self.ticket.seqno
    }

    /// Cancels the request (closed or banned context): a queued request completes as
    /// [`Outcome::Cancelled`] without running; a running one stops at its next command
    /// boundary (or poll) with the same outcome. No effect once it completed.
    pub fn cancel(&self) {
        let _ = self
            .ticket
            .stop
            .compare_exchange(RUN, CANCEL, Ordering::AcqRel, Ordering::Acquire);
    }

    /// Resets the request as a hang (heartbeat failure, non-persistent context closed):
    /// it completes as `Outcome::Hung` with [`HangReason::Reset`]`(reason)`, whether it was
    /// queued or running. No effect once it completed or was cancelled.
    pub fn reset(&self, reason: &str) {
        *self.ticket.reset_reason.lock().unwrap() = reason.to_owned();
        let _ = self
            .ticket
            .stop
            .compare_exchange(RUN, RESET, Ordering::AcqRel, Ordering::Acquire);
    }

    /// Whether the completion callback has run.
    pub fn is_complete(&self) -> bool {
        self.ticket.done.load(Ordering::Acquire)
    }
}

/// A snapshot of an engine's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Requests submitted so far.
    pub submitted: u64,
    /// Requests completed so far (callback returned).
    pub retired: u64,
    /// Seqno of the request running now, if any.
    pub running: Option<u64>,
    /// Polling iterations executed (backward jumps without stores, semaphore re-checks).
    pub polls: u64,
    /// Requests that ended as [`Outcome::Hung`].
    pub hangs: u64,
    /// Time spent executing requests so far, the running one's time included (the
    /// i915 PMU's engine busy counter).
    pub busy: Duration,
}

struct Shared {
    submitted: AtomicU64,
    retired: AtomicU64,
    running: AtomicU64,
    /// The running request's ticket (for [`Engine::running`]).
    current: Mutex<Option<Arc<Ticket>>>,
    polls: AtomicU64,
    hangs: AtomicU64,
    shutdown: AtomicBool,
    /// Current hang timeout in nanoseconds (`u64::MAX`: never); changeable while running.
    hang_timeout_ns: AtomicU64,
    /// Time spent on finished requests, and when the running one started.
    busy: Mutex<(Duration, Option<Instant>)>,
}

struct Queued {
    req: Request,
    ticket: Arc<Ticket>,
    priority: i32,
}

/// One engine: a worker thread executing requests in submission order.
pub struct Engine {
    config: EngineConfig,
    shared: Arc<Shared>,
    tx: Option<Sender<Queued>>,
    thread: Option<JoinHandle<()>>,
}

impl Engine {
    /// Starts the engine's worker thread.
    pub fn start(config: EngineConfig) -> std::io::Result<Engine> {
        let shared = Arc::new(Shared {
            submitted: AtomicU64::new(0),
            retired: AtomicU64::new(0),
            running: AtomicU64::new(0),
            current: Mutex::new(None),
            polls: AtomicU64::new(0),
            hangs: AtomicU64::new(0),
            shutdown: AtomicBool::new(false),
            hang_timeout_ns: AtomicU64::new(duration_ns(config.hang_timeout)),
            busy: Mutex::new((Duration::ZERO, None)),
        });
        let (tx, rx) = unbounded();
        let worker = {
            let (config, shared) = (config.clone(), shared.clone());
            std::thread::Builder::new()
                .name(format!("gemu-{}", config.name))
                .spawn(move || worker(config, shared, rx))?
        };
        Ok(Engine {
            config,
            shared,
            tx: Some(tx),
            thread: Some(worker),
        })
    }

    /// The engine's description.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Change the hang timeout (`None`: never declare a hang); requests that start
    /// after the call use it.
    pub fn set_hang_timeout(&self, timeout: Option<Duration>) {
        let ns = timeout.map_or(u64::MAX, duration_ns);
        self.shared.hang_timeout_ns.store(ns, Ordering::Relaxed);
    }

    /// The hang timeout in force (`None`: hangs are never declared).
    pub fn hang_timeout(&self) -> Option<Duration> {
        match self.shared.hang_timeout_ns.load(Ordering::Relaxed) {
            u64::MAX => None,
            ns => Some(Duration::from_nanos(ns)),
        }
    }

    /// Queues a request at the default priority (0); it runs after every request
    /// submitted before it at that priority or above.
    pub fn submit(&self, req: Request) -> RequestHandle {
        self.submit_with_priority(req, 0)
    }

    /// Queues a request at `priority`: waiting requests of higher priority run first,
    /// except that requests sharing a register state (one context) keep their order.
    pub fn submit_with_priority(&self, req: Request, priority: i32) -> RequestHandle {
        let seqno = self.shared.submitted.fetch_add(1, Ordering::AcqRel) + 1;
        let ticket = Arc::new(Ticket {
            seqno,
            stop: AtomicU8::new(RUN),
            reset_reason: Mutex::new(String::new()),
            done: AtomicBool::new(false),
        });
        let handle = RequestHandle {
            ticket: ticket.clone(),
        };
        let tx = self.tx.as_ref().expect("engine is running until dropped");
        if let Err(e) = tx.send(Queued {
            req,
            ticket,
            priority,
        }) {
            // The worker is gone (it cannot exit before drop, but never lose a callback).
            let q = e.into_inner();
            q.ticket.done.store(true, Ordering::Release);
            (q.req.on_complete)(Outcome::Cancelled);
        }
        handle
    }

    /// Whether any request is queued or running.
    pub fn busy(&self) -> bool {
        self.shared.retired.load(Ordering::Acquire) < self.shared.submitted.load(Ordering::Acquire)
    }

    /// The engine's counters.
    pub fn stats(&self) -> EngineStats {
        let running = self.shared.running.load(Ordering::Acquire);
        EngineStats {
            submitted: self.shared.submitted.load(Ordering::Acquire),
            retired: self.shared.retired.load(Ordering::Acquire),
            running: (running != 0).then_some(running),
            polls: self.shared.polls.load(Ordering::Relaxed),
            hangs: self.shared.hangs.load(Ordering::Relaxed),
            busy: {
                let (done, since) = *self.shared.busy.lock().unwrap();
                done + since.map_or(Duration::ZERO, |t| t.elapsed())
            },
        }
    }

    /// A handle on the request running now, if any: lets `emu` reset whatever occupies the
    /// engine (heartbeat failure, a debugfs-triggered reset) without tracking requests.
    pub fn running(&self) -> Option<RequestHandle> {
        let current = self.shared.current.lock().unwrap();
        current
            .as_ref()
            .map(|t| RequestHandle { ticket: t.clone() })
    }
}

impl Drop for Engine {
    /// Stops the engine: the running request stops at its next command boundary and it
    /// and every queued request complete as [`Outcome::Cancelled`]; then the thread exits
    /// and is joined (so a completion callback that blocks forever blocks the drop).
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::Release);
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The index in `waiting` (in submission order) of the request to run next: the highest
/// priority, the earliest among equals, and never one whose context has an earlier
/// request still waiting.
fn pick(waiting: &[Queued]) -> usize {
    if waiting.len() == 1 {
        return 0;
    }
    // One pass: only each context's first waiting request is a candidate.
    let mut seen = std::collections::HashSet::new();
    let mut best: Option<usize> = None;
    for (i, q) in waiting.iter().enumerate() {
        if !seen.insert(Arc::as_ptr(&q.req.context)) {
            continue;
        }
        if best.is_none_or(|b| q.priority > waiting[b].priority) {
            best = Some(i);
        }
    }
    best.unwrap_or(0)
}

fn worker(config: EngineConfig, shared: Arc<Shared>, rx: Receiver<Queued>) {
    let mut waiting: Vec<Queued> = Vec::new();
    loop {
        if waiting.is_empty() {
            match rx.recv() {
                Ok(q) => waiting.push(q),
                Err(_) => break,
            }
        }
        waiting.extend(rx.try_iter());
        let Queued { req, ticket, .. } = waiting.remove(pick(&waiting));
        let Request {
            space,
            batch,
            context,
            on_complete,
            on_start,
        } = req;
        let req = Running {
            space,
            batch,
            context,
        };
        let stop = || {
            if shared.shutdown.load(Ordering::Acquire) {
                return Some(Outcome::Cancelled);
            }
            ticket.stop_outcome()
        };
        let outcome = match stop() {
            Some(Outcome::Hung(h)) => Outcome::Hung(Hang {
                addr: req.batch,
                ..h
            }),
            Some(o) => o,
            None => {
                if let Some(hook) = on_start {
                    if catch_unwind(AssertUnwindSafe(hook)).is_err() {
                        log::error!(
                            "{}: start hook of request {} panicked",
                            config.name,
                            ticket.seqno
                        );
                    }
                }
                shared.running.store(ticket.seqno, Ordering::Release);
                *shared.current.lock().unwrap() = Some(ticket.clone());
                shared.busy.lock().unwrap().1 = Some(Instant::now());
                let o = run_one(&config, &shared, &req, &stop);
                {
                    let mut busy = shared.busy.lock().unwrap();
                    if let Some(t) = busy.1.take() {
                        busy.0 += t.elapsed();
                    }
                }
                *shared.current.lock().unwrap() = None;
                shared.running.store(0, Ordering::Release);
                o
            }
        };
        match &outcome {
            Outcome::Hung(h) => {
                shared.hangs.fetch_add(1, Ordering::Relaxed);
                log::info!("{}: request {} hung: {h}", config.name, ticket.seqno)
            }
            o => log::debug!("{}: request {} {o:?}", config.name, ticket.seqno),
        }
        ticket.done.store(true, Ordering::Release);
        let callback = on_complete;
        if catch_unwind(AssertUnwindSafe(move || callback(outcome))).is_err() {
            log::error!(
                "{}: completion callback of request {} panicked",
                config.name,
                ticket.seqno
            );
        }
        shared.retired.fetch_add(1, Ordering::AcqRel);
    }
}

/// A duration in nanoseconds, saturating below `u64::MAX` (which means "never").
fn duration_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX - 1)
}

/// A request without its callback, while it runs.
struct Running {
    space: Arc<dyn AddressSpace>,
    batch: u64,
    context: Arc<Mutex<ContextRegs>>,
}

fn run_one(
    config: &EngineConfig,
    shared: &Shared,
    req: &Running,
    stop: &dyn Fn() -> Option<Outcome>,
) -> Outcome {
    // Context restore: work on a copy so emu can lock the context while this runs.
    let mut regs = req.context.lock().unwrap().clone();
    let ctl = Control {
        stop,
        polls: &shared.polls,
        hang_timeout: Duration::from_nanos(shared.hang_timeout_ns.load(Ordering::Relaxed)),
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        exec::run(
            &*req.space,
            config.class,
            config.mmio_base,
            &mut regs,
            req.batch,
            ctl,
        )
    }));
    // Context save.
    *req.context.lock().unwrap() = regs;
    result.unwrap_or_else(|panic| {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        log::error!("{}: command streamer panicked: {msg}", config.name);
        Outcome::Hung(Hang {
            reason: HangReason::Internal(msg),
            addr: req.batch,
        })
    })
}
