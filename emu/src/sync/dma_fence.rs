//! dma_fence: a one-shot completion event with an identity, and timeline chains.
//!
//! A [`DmaFence`] is identified by (context, seqno); contexts come from one
//! global allocator ([`context_alloc`]) and a [`FenceTimeline`] hands out
//! increasing seqnos on its context. A fence signals exactly once; an error may be
//! set before that; the signal time is recorded. Callbacks added before the signal
//! run once, after the fence's own lock is dropped; adding one to a signalled
//! fence returns `ENOENT` and does not call it. Waits take a timeout (`ETIME` when
//! it expires) and optionally an [`Interrupt`] (`EINTR`); [`wait_any`] waits for
//! the first of several fences.
//!
//! A *chain* node ([`DmaFence::chain`], the kernel's dma_fence_chain) is one point
//! of a timeline: it wraps the point's fence and links to the previous point, and
//! signals once its fence and every earlier point have signalled.
//! [`DmaFence::find_seqno`] finds the node covering a point. Containers do not
//! nest: a chain node's fence is never itself a chain (`EINVAL`).

use super::interrupt::Interrupt;
use super::lock_order;
use super::lockdep;
use crate::Errno;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

static NEXT_CONTEXT: AtomicU64 = AtomicU64::new(1);

/// Allocates `n` consecutive fence contexts and returns the first
/// (`dma_fence_context_alloc`).
pub fn context_alloc(n: u64) -> u64 {
    NEXT_CONTEXT.fetch_add(n, Ordering::Relaxed)
}

/// A callback run once when its fence signals.
pub type FenceCallback = Box<dyn FnOnce(&DmaFence) + Send>;

/// Identifies a callback added with [`DmaFence::add_callback`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackId(u64);

#[derive(Default)]
struct FenceState {
    signaled: bool,
    error: Option<Errno>,
    timestamp: Option<Instant>,
    callbacks: Vec<(u64, FenceCallback)>,
    next_callback: u64,
}

struct Chain {
    /// The previous point; dropped once this node signals.
    prev: Mutex<Option<Arc<DmaFence>>>,
    prev_seqno: u64,
    fence: Arc<DmaFence>,
    pending: AtomicUsize,
}

enum Kind {
    Plain,
    Chain(Chain),
}

/// A fence: signals once, with an optional error, waking waiters and callbacks.
pub struct DmaFence {
    context: u64,
    seqno: u64,
    /// `dma_fence.lock` (see `lock_order::FENCE`): a leaf, held only inside this
    /// module, never while a callback runs.
    state: Mutex<FenceState>,
    kind: Kind,
    /// Who made it, for sync_file's descriptions; `None` for i915's own fences.
    names: Option<Arc<FenceNames>>,
}

/// The names a fence's maker gives it (`dma_fence_ops.get_driver_name`,
/// `get_timeline_name`), as SYNC_IOC_FILE_INFO reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceNames {
    /// The driver, e.g. `sw_sync`.
    pub driver: String,
    /// The timeline within the driver.
    pub timeline: String,
}

impl std::fmt::Debug for DmaFence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DmaFence")
            .field("context", &self.context)
            .field("seqno", &self.seqno)
            .field("chain", &self.is_chain())
            .field("signaled", &self.is_signaled())
            .finish()
    }
}

thread_local! {
    /// Chain nodes ready to signal, while a signal is running on this thread:
    /// signalling a long chain is a loop, not a recursion.
    static CASCADE: RefCell<Option<Vec<Arc<DmaFence>>>> = const { RefCell::new(None) };
}

impl DmaFence {
    /// A new unsignalled fence with identity (`context`, `seqno`).
    pub fn new(context: u64, seqno: u64) -> Arc<Self> {
        Self::build(context, seqno, None)
    }

    /// A new unsignalled fence made by another driver than i915, which names it.
    pub fn with_names(context: u64, seqno: u64, names: Arc<FenceNames>) -> Arc<Self> {
        Self::build(context, seqno, Some(names))
    }

    fn build(context: u64, seqno: u64, names: Option<Arc<FenceNames>>) -> Arc<Self> {
        Arc::new(Self {
            context,
            seqno,
            state: Mutex::default(),
            kind: Kind::Plain,
            names,
        })
    }

    /// The names its maker gave it; `None` for i915's own fences.
    pub fn names(&self) -> Option<&FenceNames> {
        self.names.as_deref()
    }

    /// A fence that is already signalled (a "stub").
    pub fn signaled_stub() -> Arc<Self> {
        let f = Self::new(context_alloc(1), 0);
        let _ = f.signal();
        f
    }

    fn state(&self) -> MutexGuard<'_, FenceState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The fence's context.
    pub fn context(&self) -> u64 {
        self.context
    }

    /// The fence's sequence number within its context.
    pub fn seqno(&self) -> u64 {
        self.seqno
    }

    /// Whether `self` is later than `other` on the same context.
    pub fn is_later(&self, other: &DmaFence) -> bool {
        self.context == other.context && self.seqno > other.seqno
    }

    /// Whether the fence has signalled.
    pub fn is_signaled(&self) -> bool {
        self.state().signaled
    }

    /// The error the fence signalled (or will signal) with.
    pub fn error(&self) -> Option<Errno> {
        self.state().error
    }

    /// When the fence signalled.
    pub fn timestamp(&self) -> Option<Instant> {
        self.state().timestamp
    }

    /// Records an error to report when the fence signals. Panics if the fence has
    /// already signalled (the error must come first).
    pub fn set_error(&self, error: Errno) {
        let mut st = self.state();
        assert!(
            !st.signaled,
            "dma_fence: set_error after the fence signalled"
        );
        st.error = Some(error);
    }

    /// Signals the fence: records the time, wakes waiters, runs the callbacks
    /// (without the fence's lock). `EINVAL` if it had already signalled.
    ///
    /// The callbacks run in a fence-signalling section (see
    /// [`lockdep::begin_signalling`]); an engine should open its own section
    /// around the whole completion path.
    #[track_caller]
    pub fn signal(&self) -> Result<(), Errno> {
        let _section = lockdep::begin_signalling();
        let callbacks = {
            let mut st = self.state();
            if st.signaled {
                return Err(Errno::EINVAL);
            }
            st.signaled = true;
            st.timestamp = Some(Instant::now());
            std::mem::take(&mut st.callbacks)
        };
        let top = CASCADE.with(|c| {
            let mut c = c.borrow_mut();
            c.is_none().then(|| *c = Some(Vec::new())).is_some()
        });
        /// Ends the cascade even if a callback panics.
        struct EndCascade;
        impl Drop for EndCascade {
            fn drop(&mut self) {
                CASCADE.with(|c| *c.borrow_mut() = None);
            }
        }
        let _end = top.then(|| EndCascade);
        for (_, cb) in callbacks {
            cb(self);
        }
        if top {
            while let Some(node) = CASCADE.with(|c| c.borrow_mut().as_mut().and_then(Vec::pop)) {
                node.finish_chain();
            }
        }
        Ok(())
    }

    /// Adds `callback`, to run once when the fence signals. `ENOENT` (and the
    /// callback is not called) if the fence has already signalled.
    pub fn add_callback(&self, callback: FenceCallback) -> Result<CallbackId, Errno> {
        let mut st = self.state();
        if st.signaled {
            return Err(Errno::ENOENT);
        }
        let id = st.next_callback;
        st.next_callback += 1;
        st.callbacks.push((id, callback));
        Ok(CallbackId(id))
    }

    /// Callbacks waiting for the fence to signal.
    pub fn callback_count(&self) -> usize {
        self.state().callbacks.len()
    }

    /// Removes a callback that has not run; `false` if it ran or was removed.
    pub fn remove_callback(&self, id: CallbackId) -> bool {
        let mut st = self.state();
        let before = st.callbacks.len();
        st.callbacks.retain(|(i, _)| *i != id.0);
        st.callbacks.len() != before
    }

    /// Waits until the fence signals, without a timeout.
    #[track_caller]
    pub fn wait(&self) {
        let _ = wait_fences(&[self], None, None);
    }

    /// Waits at most `timeout` (`None`: forever). Returns the time left, or
    /// `ETIME`. A zero timeout only tests the fence.
    #[track_caller]
    pub fn wait_timeout(&self, timeout: Option<Duration>) -> Result<Duration, Errno> {
        wait_fences(&[self], timeout, None).map(|(_, left)| left)
    }

    /// [`wait_timeout`](Self::wait_timeout) that ends with `EINTR` when `intr` is
    /// raised.
    #[track_caller]
    pub fn wait_interruptible(
        &self,
        timeout: Option<Duration>,
        intr: &Interrupt,
    ) -> Result<Duration, Errno> {
        wait_fences(&[self], timeout, Some(intr)).map(|(_, left)| left)
    }

    /// A chain node for point `seqno` of a timeline (`dma_fence_chain_init`):
    /// wraps `fence` and follows `prev` (the previous point, if any). It signals
    /// once `fence` and `prev` have, with the first error of either. If `prev` is
    /// a chain on which `seqno` is later, the node joins its context; otherwise it
    /// starts a new context (and takes `max(seqno, prev.seqno)`). `EINVAL` if
    /// `fence` is itself a chain: containers do not nest.
    pub fn chain(
        prev: Option<Arc<DmaFence>>,
        fence: Arc<DmaFence>,
        seqno: u64,
    ) -> Result<Arc<Self>, Errno> {
        if fence.is_chain() {
            return Err(Errno::EINVAL);
        }
        let (context, seqno, prev_seqno) = match &prev {
            Some(p) if p.is_chain() && seqno > p.seqno => (p.context, seqno, p.seqno),
            Some(p) => (context_alloc(1), seqno.max(p.seqno), p.seqno),
            None => (context_alloc(1), seqno, 0),
        };
        let pending = 1 + usize::from(prev.is_some());
        let deps: Vec<Arc<DmaFence>> = prev.iter().cloned().chain([fence.clone()]).collect();
        let node = Arc::new(Self {
            context,
            seqno,
            state: Mutex::default(),
            kind: Kind::Chain(Chain {
                prev: Mutex::new(prev),
                prev_seqno,
                fence,
                pending: AtomicUsize::new(pending),
            }),
            names: None,
        });
        for dep in deps {
            let weak: Weak<DmaFence> = Arc::downgrade(&node);
            let cb: FenceCallback = Box::new(move |_| {
                if let Some(n) = weak.upgrade() {
                    n.dependency_signaled();
                }
            });
            if dep.add_callback(cb).is_err() {
                node.clone().dependency_signaled();
            }
        }
        Ok(node)
    }

    fn dependency_signaled(self: Arc<Self>) {
        let Kind::Chain(c) = &self.kind else { return };
        if c.pending.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let queued = CASCADE.with(|q| match q.borrow_mut().as_mut() {
            Some(q) => {
                q.push(self.clone());
                true
            }
            None => false,
        });
        if !queued {
            self.finish_chain();
        }
    }

    fn finish_chain(&self) {
        let Kind::Chain(c) = &self.kind else { return };
        let prev = c.prev.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(e) = c
            .fence
            .error()
            .or_else(|| prev.as_ref().and_then(|p| p.error()))
        {
            self.set_error(e);
        }
        let _ = self.signal();
        drop(prev);
    }

    /// Whether this fence is a chain node.
    pub fn is_chain(&self) -> bool {
        matches!(self.kind, Kind::Chain(_))
    }

    /// A chain node's own fence.
    pub fn chain_fence(&self) -> Option<&Arc<DmaFence>> {
        match &self.kind {
            Kind::Chain(c) => Some(&c.fence),
            Kind::Plain => None,
        }
    }

    /// A chain node's previous point (`None` once this node has signalled).
    pub fn chain_prev(&self) -> Option<Arc<DmaFence>> {
        match &self.kind {
            Kind::Chain(c) => c
                .prev
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
            Kind::Plain => None,
        }
    }

    /// The node of this timeline that covers point `seqno`
    /// (`dma_fence_chain_find_seqno`): the earliest node whose seqno is at least
    /// `seqno`. `Ok(None)` when that point has signalled (or `seqno` is 0);
    /// `EINVAL` if `self` is not a chain or `seqno` is beyond its last point.
    pub fn find_seqno(self: &Arc<Self>, seqno: u64) -> Result<Option<Arc<DmaFence>>, Errno> {
        if seqno == 0 {
            return Ok(None);
        }
        if !self.is_chain() || self.seqno < seqno {
            return Err(Errno::EINVAL);
        }
        let mut cur = self.clone();
        loop {
            if cur.is_signaled() {
                return Ok(None);
            }
            let Kind::Chain(c) = &cur.kind else {
                return Ok(Some(cur));
            };
            if c.prev_seqno < seqno {
                return Ok(Some(cur));
            }
            match cur.chain_prev() {
                Some(p) if p.is_chain() && p.context == cur.context => cur = p,
                _ => return Ok(Some(cur)),
            }
        }
    }
}

impl Drop for DmaFence {
    fn drop(&mut self) {
        // Unlink a chain iteratively: dropping a long timeline must not recurse.
        let Kind::Chain(c) = &mut self.kind else {
            return;
        };
        let mut next = c
            .prev
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        while let Some(p) = next {
            next = Arc::into_inner(p).and_then(|mut f| match &mut f.kind {
                Kind::Chain(c) => c
                    .prev
                    .get_mut()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take(),
                Kind::Plain => None,
            });
        }
    }
}

/// Hands out fences with increasing seqnos on one context (a timeline).
#[derive(Debug)]
pub struct FenceTimeline {
    context: u64,
    last_seqno: AtomicU64,
}

impl Default for FenceTimeline {
    fn default() -> Self {
        Self::new()
    }
}

impl FenceTimeline {
    /// A timeline on a freshly allocated context.
    pub fn new() -> Self {
        Self {
            context: context_alloc(1),
            last_seqno: AtomicU64::new(0),
        }
    }

    /// The timeline's context.
    pub fn context(&self) -> u64 {
        self.context
    }

    /// A new fence, later than every fence made before on this timeline.
    pub fn next_fence(&self) -> Arc<DmaFence> {
        DmaFence::new(
            self.context,
            self.last_seqno.fetch_add(1, Ordering::Relaxed) + 1,
        )
    }
}

/// The plain fences behind `fence` (`dma_fence_unwrap`): for a chain, the
/// unsignalled point fences of every unsignalled node, latest first; for a plain
/// fence, itself. What a container built from other fences must hold instead of
/// the containers themselves, so containers never nest.
pub fn unwrap_fences(fence: &Arc<DmaFence>) -> Vec<Arc<DmaFence>> {
    if !fence.is_chain() {
        return vec![fence.clone()];
    }
    let mut out = Vec::new();
    let mut cur = Some(fence.clone());
    while let Some(node) = cur {
        if node.is_signaled() {
            break;
        }
        match node.chain_fence() {
            Some(f) if !f.is_signaled() => out.push(f.clone()),
            Some(_) => {}
            None => {
                out.push(node.clone());
                break;
            }
        }
        cur = node.chain_prev();
    }
    out
}

/// A sleeping waiter, woken by fence callbacks and interrupts.
#[derive(Default)]
struct Parker {
    woken: Mutex<bool>,
    cond: Condvar,
}

impl Parker {
    fn unpark(&self) {
        *self.woken.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.cond.notify_all();
    }
}

/// Waits until any fence of `fences` signals (`dma_fence_wait_any_timeout`).
/// Returns the index of the first signalled fence (lowest index among those
/// signalled when the waiter looks) and the time left; `ETIME` on timeout,
/// `EINTR` if `intr` is raised, `EINVAL` for an empty slice.
#[track_caller]
pub fn wait_any(
    fences: &[Arc<DmaFence>],
    timeout: Option<Duration>,
    intr: Option<&Interrupt>,
) -> Result<(usize, Duration), Errno> {
    let refs: Vec<&DmaFence> = fences.iter().map(|f| &**f).collect();
    wait_fences(&refs, timeout, intr)
}

/// Waits until every fence of `fences` has signalled, within one overall
/// `timeout`. Returns the time left.
#[track_caller]
pub fn wait_all(
    fences: &[Arc<DmaFence>],
    timeout: Option<Duration>,
    intr: Option<&Interrupt>,
) -> Result<Duration, Errno> {
    let deadline = timeout.map(|t| Instant::now() + t);
    for f in fences {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        wait_fences(&[f], left, intr)?;
    }
    Ok(deadline.map_or(Duration::MAX, |d| {
        d.saturating_duration_since(Instant::now())
    }))
}

#[track_caller]
fn wait_fences(
    fences: &[&DmaFence],
    timeout: Option<Duration>,
    intr: Option<&Interrupt>,
) -> Result<(usize, Duration), Errno> {
    lockdep::might_wait(
        &lock_order::FENCE_SIGNALLING,
        std::panic::Location::caller(),
    );
    if fences.is_empty() {
        return Err(Errno::EINVAL);
    }
    let start = Instant::now();
    let left = |now: Instant| timeout.map_or(Duration::MAX, |t| t.saturating_sub(now - start));
    let signaled = || fences.iter().position(|f| f.is_signaled());
    if let Some(i) = signaled() {
        return Ok((i, left(start)));
    }
    if timeout == Some(Duration::ZERO) {
        return Err(Errno::ETIME);
    }
    let parker = Arc::new(Parker::default());
    let mut ids = Vec::with_capacity(fences.len());
    for f in fences {
        let p = parker.clone();
        match f.add_callback(Box::new(move |_| p.unpark())) {
            Ok(id) => ids.push(Some(id)),
            Err(_) => {
                ids.push(None);
                parker.unpark();
            }
        }
    }
    let reg = intr.map(|i| {
        let p = parker.clone();
        i.register(Arc::new(move || p.unpark()))
    });
    let result = loop {
        if let Some(i) = signaled() {
            break Ok((i, left(Instant::now())));
        }
        if intr.is_some_and(Interrupt::is_raised) {
            break Err(Errno::EINTR);
        }
        let mut woken = parker.woken.lock().unwrap_or_else(PoisonError::into_inner);
        if !*woken {
            match timeout {
                None => {
                    woken = parker
                        .cond
                        .wait(woken)
                        .unwrap_or_else(PoisonError::into_inner)
                }
                Some(_) => {
                    let l = left(Instant::now());
                    if l.is_zero() {
                        drop(woken);
                        break signaled().map(|i| (i, Duration::ZERO)).ok_or(Errno::ETIME);
                    }
                    woken = parker
                        .cond
                        .wait_timeout(woken, l)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
        *woken = false;
    };
    drop(reg);
    for (f, id) in fences.iter().zip(ids) {
        if let Some(id) = id {
            f.remove_callback(id);
        }
    }
    result
}
