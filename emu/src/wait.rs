//! Sleeping in an ioctl: a waiter woken by fence callbacks, that also notices the
//! caller's signals (FUSE does not forward them: a wait has to ask).

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::client::ClientMemory;
use crate::sync::dma_fence::CallbackId;
use crate::sync::DmaFence;
use crate::{Errno, Result};

/// How often a sleeping wait looks at the caller's pending signals: FUSE does not
/// forward a signal to the daemon, so a wait has to ask.
const SIGNAL_POLL: Duration = Duration::from_millis(10);

/// A sleeping waiter: woken by fence callbacks and by syncobjs getting a new fence.
#[derive(Default)]
pub(crate) struct Waker {
    woken: Mutex<bool>,
    cv: Condvar,
}

impl Waker {
    pub(crate) fn wake(&self) {
        *self.woken.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.cv.notify_all();
    }

    /// Sleep until woken or `until`, at most one signal-poll interval.
    pub(crate) fn sleep(&self, until: Option<Instant>) {
        let mut slice = SIGNAL_POLL;
        if let Some(t) = until {
            slice = slice.min(t.saturating_duration_since(Instant::now()));
        }
        let woken = self.woken.lock().unwrap_or_else(|p| p.into_inner());
        let (mut woken, _) = self
            .cv
            .wait_timeout_while(woken, slice, |w| !*w)
            .unwrap_or_else(|p| p.into_inner());
        *woken = false;
    }
}

/// The callbacks a wait hung on fences, taken off when the wait ends however it ends:
/// a wait that times out or is interrupted on a fence that never signals leaves nothing
/// behind on it (`dma_fence_remove_callback`).
#[derive(Default)]
pub(crate) struct Hooks(Vec<(Arc<DmaFence>, CallbackId)>);

impl Hooks {
    /// Wake `waker` when `fence` signals; false if it has signalled already.
    pub(crate) fn hook(&mut self, fence: &Arc<DmaFence>, waker: &Arc<Waker>) -> bool {
        let w = Arc::downgrade(waker);
        let cb = Box::new(move |_: &DmaFence| {
            if let Some(w) = w.upgrade() {
                w.wake()
            }
        });
        match fence.add_callback(cb) {
            Ok(id) => {
                self.0.push((fence.clone(), id));
                true
            }
            Err(_) => false,
        }
    }
}

impl Drop for Hooks {
    fn drop(&mut self) {
        for (fence, id) in self.0.drain(..) {
            fence.remove_callback(id);
        }
    }
}

/// Wait until every fence has signalled: `ETIME` at `deadline` (`None`: never),
/// `EINTR` when the caller has a signal pending.
pub(crate) fn wait_all(
    caller: &dyn ClientMemory,
    fences: &[Arc<DmaFence>],
    deadline: Option<Instant>,
) -> Result<()> {
    let waker = Arc::new(Waker::default());
    let mut hooks = Hooks::default();
    let mut hooked = vec![false; fences.len()];
    loop {
        let mut pending = 0;
        for (f, hooked) in fences.iter().zip(hooked.iter_mut()) {
            if f.is_signaled() {
                continue;
            }
            if !*hooked {
                *hooked = true;
                if !hooks.hook(f, &waker) {
                    continue;
                }
            }
            pending += 1;
        }
        if pending == 0 {
            return Ok(());
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(Errno::ETIME);
        }
        if caller.signal_pending() {
            return Err(Errno::EINTR);
        }
        if !caller.may_sleep() {
            // A thread that serves every client: the call is made again elsewhere.
            return Err(Errno::EWOULDBLOCK);
        }
        waker.sleep(deadline);
    }
}

/// The deadline of a relative timeout in ns: negative waits forever, 0 polls.
pub(crate) fn deadline_from_rel(timeout_ns: i64) -> Option<Instant> {
    match timeout_ns {
        t if t < 0 => None,
        t => Instant::now().checked_add(Duration::from_nanos(t as u64)),
    }
}
