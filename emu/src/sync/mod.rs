//! Reservation locking and fences: a faithful, checked model of the kernel's
//! ww_mutex, drm_exec, dma_resv and dma_fence, plus a lock-order validator.
//!
//! - [`ww_mutex`]: wound/wait mutexes, acquire contexts, the deadlock injector.
//! - [`transaction`]: the drm_exec-style loop that locks a set of objects.
//! - [`dma_resv`]: an object's reservation: its ww lock, fences by usage, and
//!   the state the lock guards.
//! - [`dma_fence`]: fences, callbacks, waits, timeline chains.
//! - [`lockdep`] and [`lock_order`]: the validator and the declared order;
//!   [`tracked`]: mutexes and rwlocks the validator sees.
//! - [`interrupt`]: what ends an interruptible wait with `EINTR`; [`sys`]: the
//!   blocking primitives under the ww_mutex, swappable for a model checker.
//!
//! # Using it from GEM
//!
//! - **An object embeds its reservation.** A GEM object is a struct with a
//!   `resv: DmaResv<ObjectState>` field, held as `Arc<GemObject>`, and implements
//!   [`WwObject`] (`type Data = ResvLocked<ObjectState>`, `fn ww_mutex(&self)`
//!   returns `self.resv.ww_mutex()`) so transactions can lock it. `ObjectState` —
//!   backing store, domains, madvise, bindings — lives *inside* the reservation,
//!   so the reservation lock is the object's one lock (DESIGN §7 rule 1) and the
//!   type system refuses access without it. Only immutable facts (size, id) sit
//!   next to `resv`. (`Arc<DmaResv<T>>` itself is also a [`WwObject`].)
//! - **Several objects: a [`Transaction`].** Build the full list first (user
//!   objects and every auxiliary one), then
//!   `txn.run(|t| { for o in &list { t.lock(o)?; t.get_mut(o).reserve_fences(1)?; } Ok(()) })`;
//!   the closure may run several times and must only lock and prepare (it must
//!   not publish anything). After `run` succeeds, do the work through
//!   `txn.get_mut(o)`, publish fences with `add_fence` (cannot fail), then drop or
//!   [`Transaction::fini`]. Eviction victims: `t.lock_for_eviction(v)?` or
//!   `t.try_lock_for_eviction(v)` inside the same closure.
//! - **One object: [`DmaResv::lock_single`].** pread, pwrite, set_domain,
//!   fault-in, madvise. Never call it while a transaction on this thread holds
//!   a reservation (the validator reports that as recursive locking).
//! - **Waiting for an object = waiting for its fences**, without its lock:
//!   [`DmaResv::wait`] with `DmaResvUsage::for_access(write)`.
//! - **Ordinary locks are [`TrackedMutex`]es** of a class declared in
//!   [`lock_order`] (add yours to `ORDER` at its place). Never hold one while
//!   taking a reservation lock: reservation is the outermost class.
//! - **Blocking ioctls** pass an [`Interrupt`] (raised by the front-end on a
//!   signal) to [`Transaction::interruptible`], `wait_interruptible` and
//!   [`dma_fence::wait_any`] to end with `EINTR`.
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

pub use dma_fence::{DmaFence, FenceNames, FenceTimeline};
pub use dma_resv::{DmaResv, DmaResvUsage, ResvLocked};
pub use interrupt::Interrupt;
pub use lockdep::LockClass;
pub use tracked::{TrackedMutex, TrackedRwLock};
pub use transaction::{Transaction, WwObject};
pub use ww_mutex::{WwAcquireCtx, WwAlgorithm, WwClass, WwGuard, WwMutex};
