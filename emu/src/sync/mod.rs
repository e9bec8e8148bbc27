//! Reservation locking and fences: a faithful, checked model of the kernel's
//! ww_mutex, drm_exec, dma_resv and dma_fence, plus a lock-order validator.
//!
//! - [`ww_mutex`]: wound/wait mutexes, acquire contexts, the deadlock injector.
//! - [`transaction`]: the drm_exec-style loop that locks a set of objects.
//! - [`dma_resv`]: an object's reservation: its ww lock, fences by usage, and
//!   the state the lock guards.
//! - [`dma_fence`]: fences, callbacks, waits, timeline chains.
//! - [`lockdep`] and [`lock_order`]: the validator and the declared order.
#![deny(missing_docs)]

pub mod dma_fence;
pub mod dma_resv;
pub mod interrupt;
pub mod lock_order;
pub mod lockdep;
pub mod sys;
pub mod tracked;
pub mod transaction;
pub mod ww_mutex;

pub use dma_fence::{DmaFence, FenceTimeline};
pub use dma_resv::{DmaResv, DmaResvUsage, ResvLocked};
pub use interrupt::Interrupt;
pub use lockdep::LockClass;
pub use tracked::TrackedMutex;
pub use transaction::Transaction;
pub use ww_mutex::{WwAcquireCtx, WwAlgorithm, WwClass, WwGuard, WwMutex};
