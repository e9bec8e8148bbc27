//! dma_resv: an object's reservation — its one ww lock, its fences by usage, and
//! the state that lock guards.
//!
//! DESIGN §7 rule 1: one lock per object. [`DmaResv<T>`] *is* the object's lock:
//! a [`WwMutex`] of the reservation class around [`ResvLocked<T>`], which holds
//! the fence list and the object's own state `T` (its backing store, domains…).
//! Everything in `T` is reached only with the reservation lock held — through a
//! [`Transaction`](super::Transaction) or [`DmaResv::lock_single`].
//!
//! Fences carry a [`DmaResvUsage`], ordered KERNEL < WRITE < READ < BOOKKEEP; a
//! query for usage U returns every fence of usage ≤ U. Adding a fence takes two
//! steps under the lock: [`ResvLocked::reserve_fences`] (may fail with `ENOMEM`),
//! then [`ResvLocked::add_fence`] (cannot fail). A newer fence of the same context
//! replaces an older one of the same or a weaker usage; signalled fences are
//! pruned. Readers ([`DmaResv::fences`], [`DmaResv::wait`],
//! [`DmaResv::test_signaled`]) take no reservation lock: they load the snapshot the
//! last writer published (the kernel uses RCU there).

use super::dma_fence::{self, DmaFence};
use super::interrupt::Interrupt;
use super::lock_order;
use super::ww_mutex::{WwAcquireCtx, WwClass, WwGuard, WwMutex};
use crate::Errno;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// What a fence in a reservation stands for; the order matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DmaResvUsage {
    /// Kernel-internal work (moves, clears) everyone must wait for.
    Kernel,
    /// An implicit-sync write.
    Write,
    /// An implicit-sync read.
    Read,
    /// Tracked only for bookkeeping (e.g. explicit sync); waited on by eviction.
    Bookkeep,
}

impl DmaResvUsage {
    /// The usage an access must wait for (`dma_resv_usage_rw`): a write waits for
    /// every READ-and-lower fence, a read for every WRITE-and-lower fence.
    pub fn for_access(write: bool) -> Self {
        if write {
            Self::Read
        } else {
            Self::Write
        }
    }
}

type Snapshot = Arc<[(Arc<DmaFence>, DmaResvUsage)]>;

/// The state behind the reservation lock: the fence list and the object's data.
/// Dereferences to the data.
pub struct ResvLocked<T> {
    fences: Vec<(Arc<DmaFence>, DmaResvUsage)>,
    reserved: usize,
    /// Where readers find the fence list (`lock_order::RESV_FENCES`, a leaf).
    published: Arc<RwLock<Snapshot>>,
    data: T,
}

/// An object's reservation: its ww lock (guarding fences and `T`) and the
/// lock-free view of its fences.
pub struct DmaResv<T> {
    lock: WwMutex<ResvLocked<T>>,
    published: Arc<RwLock<Snapshot>>,
}

impl<T> std::fmt::Debug for DmaResv<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DmaResv")
            .field("fences", &self.snapshot().len())
            .finish_non_exhaustive()
    }
}

impl<T> DmaResv<T> {
    /// A reservation of the reservation class ([`lock_order::RESERVATION`])
    /// guarding `data`.
    pub fn new(data: T) -> Self {
        Self::with_class(&lock_order::RESERVATION, data)
    }

    /// A reservation of another ww class (tests, other object kinds).
    pub fn with_class(class: &'static WwClass, data: T) -> Self {
        let published: Arc<RwLock<Snapshot>> = Arc::new(RwLock::new(Arc::from(Vec::new())));
        let locked = ResvLocked {
            fences: Vec::new(),
            reserved: 0,
            published: published.clone(),
            data,
        };
        Self {
            lock: WwMutex::new(class, locked).with_unlock_hook(|l| l.reserved = 0),
            published,
        }
    }

    /// The locked state, reached without locking through exclusive access (e.g. while
    /// the object is being dropped).
    pub fn get_mut(&mut self) -> &mut ResvLocked<T> {
        self.lock.get_mut()
    }

    /// The object's ww lock.
    pub fn ww_mutex(&self) -> &WwMutex<ResvLocked<T>> {
        &self.lock
    }

    /// Locks under `ctx` (`dma_resv_lock`); see [`WwMutex::lock`].
    #[track_caller]
    pub fn lock<'a>(&'a self, ctx: &'a WwAcquireCtx) -> Result<WwGuard<'a, ResvLocked<T>>, Errno> {
        self.lock.lock(ctx)
    }

    /// Locks this one object without a context: the single-object path
    /// (pread, pwrite, set_domain, fault-in, madvise; DESIGN §7 rule 3).
    #[track_caller]
    pub fn lock_single(&self) -> WwGuard<'_, ResvLocked<T>> {
        self.lock.lock_single()
    }

    fn snapshot(&self) -> Snapshot {
        self.published
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The unsignalled fences of usage ≤ `usage` (`dma_resv_iter` with
    /// `dma_resv_usage`), without the reservation lock.
    pub fn fences(&self, usage: DmaResvUsage) -> Vec<Arc<DmaFence>> {
        self.snapshot()
            .iter()
            .filter(|(f, u)| *u <= usage && !f.is_signaled())
            .map(|(f, _)| f.clone())
            .collect()
    }

    /// Whether every fence of usage ≤ `usage` has signalled
    /// (`dma_resv_test_signaled`).
    pub fn test_signaled(&self, usage: DmaResvUsage) -> bool {
        self.snapshot()
            .iter()
            .all(|(f, u)| *u > usage || f.is_signaled())
    }

    /// Waits for every fence of usage ≤ `usage` (`dma_resv_wait_timeout`), within
    /// `timeout` overall (`None`: forever). Returns the time left, `ETIME`, or
    /// `EINTR` when `intr` is raised. Never call it with the reservation held.
    #[track_caller]
    pub fn wait(
        &self,
        usage: DmaResvUsage,
        timeout: Option<Duration>,
        intr: Option<&Interrupt>,
    ) -> Result<Duration, Errno> {
        dma_fence::wait_all(&self.fences(usage), timeout, intr)
    }
}

impl<T> ResvLocked<T> {
    /// Reserves room for `n` more fences (`dma_resv_reserve_fences`); the only
    /// step that may fail (`ENOMEM`). Reserved slots last until the lock is
    /// released, as in the kernel's debug builds.
    pub fn reserve_fences(&mut self, n: usize) -> Result<(), Errno> {
        self.fences
            .try_reserve(self.reserved + n)
            .map_err(|_| Errno::ENOMEM)?;
        self.reserved += n;
        Ok(())
    }

    /// Adds `fence` with `usage` (`dma_resv_add_fence`), using a reserved slot;
    /// cannot fail. It replaces a fence of the same context that it is not
    /// earlier than, when the old usage is the same or weaker (≥); signalled
    /// fences are pruned. Panics without a reserved slot.
    pub fn add_fence(&mut self, fence: Arc<DmaFence>, usage: DmaResvUsage) {
        assert!(
            self.reserved > 0,
            "dma_resv: add_fence without a reserved slot (call reserve_fences first)"
        );
        self.fences.retain(|(f, _)| !f.is_signaled());
        let replace = self.fences.iter().position(|(old, old_usage)| {
            old.context() == fence.context() && *old_usage >= usage && fence.seqno() >= old.seqno()
        });
        match replace {
            Some(i) => self.fences[i] = (fence, usage),
            None => {
                self.fences.push((fence, usage));
                self.reserved -= 1;
            }
        }
        self.publish();
    }

    /// Replaces every fence of `context` by `fence` with `usage`
    /// (`dma_resv_replace_fences`), e.g. when a preempted job's fence changes.
    pub fn replace_fences(&mut self, context: u64, fence: Arc<DmaFence>, usage: DmaResvUsage) {
        for entry in self
            .fences
            .iter_mut()
            .filter(|(f, _)| f.context() == context)
        {
            *entry = (fence.clone(), usage);
        }
        self.publish();
    }

    fn publish(&mut self) {
        let snapshot: Snapshot = Arc::from(self.fences.clone());
        *self
            .published
            .write()
            .unwrap_or_else(PoisonError::into_inner) = snapshot;
    }

    /// The unsignalled fences of usage ≤ `usage`, with their usages.
    pub fn fences(
        &self,
        usage: DmaResvUsage,
    ) -> impl Iterator<Item = (&Arc<DmaFence>, DmaResvUsage)> {
        self.fences
            .iter()
            .filter(move |(f, u)| *u <= usage && !f.is_signaled())
            .map(|(f, u)| (f, *u))
    }

    /// How many fence slots are reserved and not used yet.
    pub fn reserved_slots(&self) -> usize {
        self.reserved
    }
}

impl<T> Deref for ResvLocked<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> DerefMut for ResvLocked<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.data
    }
}
