//! A drm_exec-style transaction: lock any set of objects, with the back-off and
//! retry loop owned here.
//!
//! ```
//! use std::sync::Arc;
//! use emu::sync::{lock_order, DmaFence, DmaResv, DmaResvUsage, Transaction};
//!
//! # fn main() -> emu::Result<()> {
//! let objects: Vec<Arc<DmaResv<Vec<u8>>>> =
//!     (0..3).map(|_| Arc::new(DmaResv::new(vec![0; 4096]))).collect();
//! let fence = DmaFence::new(emu::sync::dma_fence::context_alloc(1), 1);
//!
//! let mut txn = Transaction::new(&lock_order::RESERVATION);
//! // The closure is the `drm_exec_until_all_locked` body: it may run several
//! // times; `?` hands contention back to the loop, which backs off and retries.
//! txn.run(|t| {
//!     for obj in &objects {
//!         t.lock(obj)?;
//!         t.get_mut(obj).reserve_fences(1)?;
//!     }
//!     Ok(())
//! })?;
//! // Every object is locked and referenced: do the work, publish the fence.
//! for obj in &objects {
//!     let locked = txn.get_mut(obj);
//!     locked[0] = 0xff;
//!     locked.add_fence(fence.clone(), DmaResvUsage::Write);
//! }
//! txn.fini(); // unlock in reverse order, drop the references
//! fence.signal()?;
//! assert!(objects[0].test_signaled(DmaResvUsage::Bookkeep));
//! # Ok(())
//! # }
//! ```
//!
//! On `EDEADLK` from any lock, the transaction releases every lock it holds
//! (eviction victims included), returns the error through the closure, takes the
//! contended object with `lock_slow` and runs the closure again; on that pass
//! locking the pre-locked object again is a no-op. The acquire context (and so the
//! stamp) is kept across passes. Other errors leave the closure and `run` as they
//! are, with the locks held until [`Transaction::fini`] (or drop).

use super::dma_resv::{DmaResv, ResvLocked};
use super::interrupt::Interrupt;
use super::sys::{StdSys, Sys};
use super::ww_mutex::{WwAcquireCtx, WwClass, WwMutex};
use crate::Errno;
use std::sync::Arc;

/// An object a [`Transaction`] can lock: something that embeds a [`WwMutex`].
pub trait WwObject<S: Sys = StdSys>: Send + Sync + 'static {
    /// The data behind the lock.
    type Data;
    /// The object's lock.
    fn ww_mutex(&self) -> &WwMutex<Self::Data, S>;
}

impl<T: Send + 'static, S: Sys> WwObject<S> for WwMutex<T, S> {
    type Data = T;
    fn ww_mutex(&self) -> &Self {
        self
    }
}

impl<T: Send + 'static> WwObject for DmaResv<T> {
    type Data = ResvLocked<T>;
    fn ww_mutex(&self) -> &WwMutex<ResvLocked<T>> {
        DmaResv::ww_mutex(self)
    }
}

struct Entry<O> {
    obj: Arc<O>,
    evict: bool,
}

/// A set of objects locked under one acquire context (`struct drm_exec`).
pub struct Transaction<O: WwObject<S>, S: Sys = StdSys> {
    ctx: WwAcquireCtx<S>,
    /// Locked objects, in locking order; `evict` marks eviction victims.
    locked: Vec<Entry<O>>,
    /// The object that returned `EDEADLK`, to `lock_slow` on the next pass.
    contended: Option<Entry<O>>,
    /// The object `lock_slow` took at the start of this pass.
    prelocked: Option<Arc<O>>,
    allow_duplicates: bool,
    interrupt: Option<Arc<Interrupt>>,
    backoffs: u64,
}

impl<O: WwObject> Transaction<O> {
    /// A transaction on `class` (`drm_exec_init`); takes the stamp now.
    pub fn new(class: &'static WwClass) -> Self {
        Self::new_in(class)
    }
}

impl<O: WwObject<S>, S: Sys> Transaction<O, S> {
    /// [`new`](Transaction::new) on another [`Sys`] (model checking).
    pub fn new_in(class: &'static WwClass) -> Self {
        Self {
            ctx: WwAcquireCtx::new_in(class),
            locked: Vec::new(),
            contended: None,
            prelocked: None,
            allow_duplicates: false,
            interrupt: None,
            backoffs: 0,
        }
    }

    /// Locking an object twice is not an error (`DRM_EXEC_IGNORE_DUPLICATES`).
    pub fn allow_duplicates(mut self) -> Self {
        self.allow_duplicates = true;
        self
    }

    /// Waits end with `EINTR` when `intr` is raised
    /// (`DRM_EXEC_INTERRUPTIBLE_WAIT`).
    pub fn interruptible(mut self, intr: Arc<Interrupt>) -> Self {
        self.interrupt = Some(intr);
        self
    }

    /// Runs `body` until it completes without contention
    /// (`drm_exec_until_all_locked` + `drm_exec_retry_on_contention`). `body`
    /// locks objects with [`lock`](Self::lock) and passes errors on with `?`.
    pub fn run<R>(
        &mut self,
        mut body: impl FnMut(&mut Self) -> Result<R, Errno>,
    ) -> Result<R, Errno> {
        loop {
            if let Some(entry) = self.contended.take() {
                let intr = self.interrupt.clone();
                if let Err(e) = entry
                    .obj
                    .ww_mutex()
                    .lock_slow_raw(&self.ctx, intr.as_deref())
                {
                    self.contended = Some(entry);
                    return Err(e);
                }
                self.prelocked = Some(entry.obj.clone());
                self.locked.push(entry);
            }
            match body(self) {
                Err(Errno::EDEADLK) if self.contended.is_some() => self.backoffs += 1,
                Ok(_) if self.contended.is_some() => {
                    panic!("transaction: the run body swallowed -EDEADLK (pass errors on with `?`)")
                }
                other => {
                    self.prelocked = None;
                    return other;
                }
            }
        }
    }

    /// Locks `obj` and keeps a reference to it (`drm_exec_lock_obj`). `EDEADLK`
    /// means every lock was dropped: return it from the `run` body with `?`.
    #[track_caller]
    pub fn lock(&mut self, obj: &Arc<O>) -> Result<(), Errno> {
        self.lock_entry(obj, false)
    }

    /// Locks `obj` as an eviction victim (DESIGN §7 rule 4): it stays locked, on
    /// the [`evicted`](Self::evicted) list, until `fini` or a back-off.
    #[track_caller]
    pub fn lock_for_eviction(&mut self, obj: &Arc<O>) -> Result<(), Errno> {
        self.lock_entry(obj, true)
    }

    /// Takes `obj` as an eviction victim only if it is free; `false` otherwise.
    #[track_caller]
    pub fn try_lock_for_eviction(&mut self, obj: &Arc<O>) -> bool {
        if self.contended.is_some() {
            return false;
        }
        let took = obj.ww_mutex().try_lock_raw(Some(&self.ctx));
        if took {
            self.locked.push(Entry {
                obj: obj.clone(),
                evict: true,
            });
        }
        took
    }

    #[track_caller]
    fn lock_entry(&mut self, obj: &Arc<O>, evict: bool) -> Result<(), Errno> {
        if self.prelocked.as_ref().is_some_and(|p| Arc::ptr_eq(p, obj)) {
            self.prelocked = None;
            if let Some(e) = self
                .locked
                .iter_mut()
                .rev()
                .find(|e| Arc::ptr_eq(&e.obj, obj))
            {
                e.evict = evict;
            }
            return Ok(());
        }
        match obj
            .ww_mutex()
            .lock_raw(Some(&self.ctx), self.interrupt.as_deref())
        {
            Ok(()) => {
                self.locked.push(Entry {
                    obj: obj.clone(),
                    evict,
                });
                Ok(())
            }
            Err(Errno::EALREADY) if self.allow_duplicates => Ok(()),
            Err(Errno::EDEADLK) => {
                self.unlock_all();
                self.contended = Some(Entry {
                    obj: obj.clone(),
                    evict,
                });
                Err(Errno::EDEADLK)
            }
            Err(e) => Err(e),
        }
    }

    /// Unlocks one object early and drops its reference (`drm_exec_unlock_obj`).
    /// `false` if the transaction does not hold it.
    pub fn unlock(&mut self, obj: &Arc<O>) -> bool {
        let Some(i) = self.locked.iter().rposition(|e| Arc::ptr_eq(&e.obj, obj)) else {
            return false;
        };
        let e = self.locked.remove(i);
        // SAFETY: data borrows come from `get`/`get_mut`, which borrow `self`;
        // `&mut self` here means none is alive.
        unsafe { e.obj.ww_mutex().unlock_raw(Some(&self.ctx)) };
        true
    }

    fn unlock_all(&mut self) {
        while let Some(e) = self.locked.pop() {
            // SAFETY: as in `unlock`: `&mut self` excludes live data borrows.
            unsafe { e.obj.ww_mutex().unlock_raw(Some(&self.ctx)) };
        }
        self.prelocked = None;
    }

    /// The data of a locked object. Panics if the transaction does not hold it.
    pub fn get(&self, obj: &O) -> &O::Data {
        // SAFETY: `data_locked` checked that our context holds the lock, so no
        // other thread reaches the data; `&self` keeps the transaction (and so
        // the lock) alive and excludes `get_mut` for the borrow's duration.
        unsafe { &*obj.ww_mutex().data_locked(&self.ctx) }
    }

    /// The data of a locked object, mutably. Panics if the transaction does not
    /// hold it.
    pub fn get_mut(&mut self, obj: &O) -> &mut O::Data {
        // SAFETY: our context holds the lock (checked); `&mut self` makes this
        // the only borrow of any locked data until it ends, and the lock cannot
        // be released while it lives.
        unsafe { &mut *obj.ww_mutex().data_locked(&self.ctx) }
    }

    /// The locked objects (eviction victims excluded), in locking order.
    pub fn objects(&self) -> impl Iterator<Item = &Arc<O>> {
        self.locked.iter().filter(|e| !e.evict).map(|e| &e.obj)
    }

    /// The objects locked for eviction, in locking order.
    pub fn evicted(&self) -> impl Iterator<Item = &Arc<O>> {
        self.locked.iter().filter(|e| e.evict).map(|e| &e.obj)
    }

    /// How many times the transaction backed off.
    pub fn backoffs(&self) -> u64 {
        self.backoffs
    }

    /// The acquire context (its stamp, whether it was wounded).
    pub fn ctx(&self) -> &WwAcquireCtx<S> {
        &self.ctx
    }

    /// Ends the transaction (`drm_exec_fini`): unlocks every object in reverse
    /// order and drops the references. Dropping the transaction does the same.
    pub fn fini(self) {}
}

impl<O: WwObject<S>, S: Sys> Drop for Transaction<O, S> {
    fn drop(&mut self) {
        self.unlock_all();
    }
}
