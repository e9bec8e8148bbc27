//! The project's lock order, written down once.
//!
//! [`ORDER`] lists gemu's lock classes from outermost to innermost: a thread that
//! holds a lock of one class may take a lock of any class *after* it in the list,
//! never one before it. The lock-order validator ([`super::lockdep`]) is seeded
//! with this list, so a reverse acquisition is reported the first time it is
//! attempted, in any test.
//!
//! To add a lock: declare its class here (a `static` [`LockClass`], or a
//! [`WwClass`] for per-object ww locks) with a comment saying what it guards,
//! insert it in [`ORDER`] at its place, and build the lock with it
//! (`TrackedMutex::new(&lock_order::X, …)`).

use super::lockdep::LockClass;
use super::ww_mutex::{WwAlgorithm, WwClass};

/// `reservation_ww_class`: every GEM object's dma_resv lock. One lock per object;
/// it guards the object's fences *and* its backing store (DESIGN §7 rule 1).
/// Wait-die, as in the kernel. Taken only in a [`Transaction`](super::Transaction)
/// (several objects) or one at a time (single-object ioctls). Outermost: no other
/// lock of this list is held while a reservation lock is taken.
pub static RESERVATION: WwClass = WwClass::new("reservation_ww_class", WwAlgorithm::WaitDie);

/// `drm_device.object_name_lock`: the device's flink name table.
pub static DEVICE_NAMES: LockClass = LockClass::new("drm_device.object_name_lock");

/// `drm_file.table_lock`: one client's handle → object table. Lookups take it
/// briefly and drop it before any reservation lock is taken.
pub static FILE_HANDLES: LockClass = LockClass::new("drm_file.table_lock");

/// `drm_syncobj.lock`: a syncobj's fence pointer (and its wait list).
pub static SYNCOBJ: LockClass = LockClass::new("drm_syncobj.lock");

/// `dma_resv.fences`: the published snapshot of an object's fence list that
/// lock-free readers (waits, busy queries) load — the model's stand-in for RCU.
/// A leaf: written only with the object's reservation lock held.
pub static RESV_FENCES: LockClass = LockClass::new("dma_resv.fences(rcu)");

/// `dma_fence.lock`: one fence's state and callback list. Innermost: callbacks
/// run after it is dropped, so nothing is ever taken under it.
pub static FENCE: LockClass = LockClass::new("dma_fence.lock");

/// The lock order, outermost first.
pub static ORDER: &[&LockClass] = &[
    &RESERVATION.lock_class,
    &DEVICE_NAMES,
    &FILE_HANDLES,
    &SYNCOBJ,
    &RESV_FENCES,
    &FENCE,
];
