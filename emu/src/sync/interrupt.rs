//! Interrupting a blocked wait: the model's stand-in for a pending signal.
//!
//! The kernel's interruptible sleeps return `-EINTR` (or `-ERESTARTSYS`) when a
//! signal is pending; the signal also wakes the sleeping task. [`Interrupt`] is that
//! pair: a flag a waiter checks, and wakers a raiser calls, so an interruptible wait
//! sleeps without polling and still ends promptly.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

type Waker = Arc<dyn Fn() + Send + Sync>;

/// A pending-signal flag shared between a waiter and whoever may interrupt it.
#[derive(Default)]
pub struct Interrupt {
    raised: AtomicBool,
    next_id: AtomicU64,
    wakers: Mutex<Vec<(u64, Waker)>>,
}

impl std::fmt::Debug for Interrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interrupt")
            .field("raised", &self.is_raised())
            .finish()
    }
}

impl Interrupt {
    /// A new, not raised, interrupt.
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the interrupt and wakes every wait currently registered on it.
    pub fn raise(&self) {
        self.raised.store(true, Ordering::SeqCst);
        let wakers: Vec<Waker> = self
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(_, w)| w.clone())
            .collect();
        for w in wakers {
            w();
        }
    }

    /// Clears the flag (the signal was delivered).
    pub fn clear(&self) {
        self.raised.store(false, Ordering::SeqCst);
    }

    /// Whether the interrupt is raised.
    pub fn is_raised(&self) -> bool {
        self.raised.load(Ordering::SeqCst)
    }

    /// Registers `waker` to be called by [`raise`](Self::raise) until the returned
    /// registration is dropped. Register before the last check of the flag.
    pub(crate) fn register(&self, waker: Waker) -> Registration<'_> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((id, waker));
        Registration { intr: self, id }
    }
}

/// A waker registered on an [`Interrupt`]; unregisters on drop.
pub(crate) struct Registration<'a> {
    intr: &'a Interrupt,
    id: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.intr
            .wakers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|(id, _)| *id != self.id);
    }
}
