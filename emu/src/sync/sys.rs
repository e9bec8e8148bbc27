//! The blocking primitives under the ww_mutex, swappable for a model checker.
//!
//! The ww_mutex algorithm only needs a *monitor*: some state behind a mutex, with a
//! condition variable to sleep on until a predicate over that state holds. [`Sys`]
//! names that one capability; [`StdSys`] implements it with `std::sync`, and the
//! crate's tests implement it with shuttle's primitives to explore interleavings.

use std::sync::{Condvar, Mutex, PoisonError};

/// A provider of monitors (mutex + condition variable) and of per-thread facts.
pub trait Sys: Send + Sync + 'static {
    /// State `S` behind a mutex, with a condition variable.
    type Monitor<S: Send + 'static>: Send + Sync + 'static;
    /// Whether real OS threads back this provider: per-thread debug checks
    /// (two acquire contexts in one thread, the lock-order validator) use
    /// thread-locals and are only meaningful then.
    const OS_THREADS: bool;
    /// A new monitor around `state`.
    fn monitor<S: Send + 'static>(state: S) -> Self::Monitor<S>;
    /// Runs `f` on the state with the mutex held.
    fn with<S: Send + 'static, R>(m: &Self::Monitor<S>, f: impl FnOnce(&mut S) -> R) -> R;
    /// Runs `f` with the mutex held, then wakes every sleeper of the monitor.
    fn with_notify<S: Send + 'static, R>(m: &Self::Monitor<S>, f: impl FnOnce(&mut S) -> R) -> R;
    /// Holds the mutex and calls `f` until it returns `Some`, sleeping on the
    /// condition variable (mutex released) between calls. No spinning: `f` runs
    /// again only after a wake-up of this monitor.
    fn wait_until<S: Send + 'static, R>(
        m: &Self::Monitor<S>,
        f: impl FnMut(&mut S) -> Option<R>,
    ) -> R;
}

/// [`Sys`] on `std::sync::{Mutex, Condvar}`.
#[derive(Debug)]
pub struct StdSys;

/// The monitor of [`StdSys`].
#[derive(Debug, Default)]
pub struct StdMonitor<S> {
    state: Mutex<S>,
    cond: Condvar,
}

impl Sys for StdSys {
    type Monitor<S: Send + 'static> = StdMonitor<S>;
    const OS_THREADS: bool = true;

    fn monitor<S: Send + 'static>(state: S) -> StdMonitor<S> {
        StdMonitor {
            state: Mutex::new(state),
            cond: Condvar::new(),
        }
    }

    fn with<S: Send + 'static, R>(m: &StdMonitor<S>, f: impl FnOnce(&mut S) -> R) -> R {
        f(&mut m.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn with_notify<S: Send + 'static, R>(m: &StdMonitor<S>, f: impl FnOnce(&mut S) -> R) -> R {
        let mut g = m.state.lock().unwrap_or_else(PoisonError::into_inner);
        let r = f(&mut g);
        m.cond.notify_all();
        r
    }

    fn wait_until<S: Send + 'static, R>(
        m: &StdMonitor<S>,
        mut f: impl FnMut(&mut S) -> Option<R>,
    ) -> R {
        let mut g = m.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(r) = f(&mut g) {
                return r;
            }
            g = m.cond.wait(g).unwrap_or_else(PoisonError::into_inner);
        }
    }
}
