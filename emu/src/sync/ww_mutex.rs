//! Wound/wait mutexes: deadlock-free locking of any set of objects, in any order.
//!
//! The model of the kernel's `ww_mutex` (kernel/locking/ww_mutex.h). A
//! [`WwClass`] picks the algorithm that breaks cycles:
//!
//! - **wait-die**: a context that wants a lock held by an *older* context (or
//!   queued behind an older waiter) dies: `lock` returns `EDEADLK`. An older
//!   context waits for a younger holder. Waiters are queued oldest first.
//! - **wound-wait**: a context that wants a lock held by a *younger* context
//!   wounds it and waits. The wound is lazy: the wounded context learns of it
//!   (`EDEADLK`) at its next lock of a contended lock, or while it waits.
//!
//! Either way a context that holds nothing never gets `EDEADLK`: it simply
//! waits. A [`WwAcquireCtx`] takes its stamp (lower = older) once and keeps it
//! across back-offs, so a context only gets older relative to newcomers and
//! eventually wins.
//!
//! The protocol after `EDEADLK`: release every lock of the context, take the
//! contended lock with [`WwMutex::lock_slow`] (which cannot fail), then lock the
//! rest again. [`Transaction`](super::Transaction) runs that loop for you.
//!
//! Misuse panics with a message naming the broken rule: locking after
//! [`WwAcquireCtx::done`], locking another lock after `EDEADLK` before
//! `lock_slow`, `lock_slow` without a prior `EDEADLK` (or while still holding
//! locks), two contexts of one class in one thread (debug builds), unlocking a
//! lock the caller does not own, dropping a context that still holds locks.
//!
//! [`WwClass::inject_deadlocks`] makes `lock` return `EDEADLK` at a chosen rate
//! (only when the context holds something), to exercise every back-off path.

use super::interrupt::Interrupt;
use super::lockdep::{self, LockClass};
use super::sys::{StdSys, Sys};
use crate::Errno;
use std::cell::{Cell, UnsafeCell};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

type Waker = Arc<dyn Fn() + Send + Sync>;

/// Makes a context `!Send` (it belongs to one thread) and ties it to its `Sys`.
type NotSend<S> = PhantomData<(*const (), fn() -> S)>;

/// How a [`WwClass`] resolves contention between contexts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WwAlgorithm {
    /// The younger context backs off when it meets an older one.
    WaitDie,
    /// The older context wounds the younger holder, which backs off lazily.
    WoundWait,
}

/// A class of ww_mutexes: the algorithm, the stamp counter of its contexts,
/// the lock-order class, and the deadlock injector.
#[derive(Debug)]
pub struct WwClass {
    algorithm: WwAlgorithm,
    pub(crate) lock_class: LockClass,
    next_stamp: AtomicU64,
    injecting: AtomicBool,
    injector: Mutex<Injector>,
}

/// The injector's state: a rate out of 2^32 and an xorshift generator.
#[derive(Debug)]
struct Injector {
    threshold: u64,
    state: u64,
}

impl WwClass {
    /// A class named `name` using `algorithm`.
    pub const fn new(name: &'static str, algorithm: WwAlgorithm) -> Self {
        Self {
            algorithm,
            lock_class: LockClass::new(name),
            next_stamp: AtomicU64::new(1),
            injecting: AtomicBool::new(false),
            injector: Mutex::new(Injector {
                threshold: 0,
                state: 1,
            }),
        }
    }

    /// A class that lives for the rest of the program (for classes made at run
    /// time, e.g. one per test).
    pub fn leak(name: &'static str, algorithm: WwAlgorithm) -> &'static Self {
        Box::leak(Box::new(Self::new(name, algorithm)))
    }

    /// The class's algorithm.
    pub fn algorithm(&self) -> WwAlgorithm {
        self.algorithm
    }

    /// The class's name.
    pub fn name(&self) -> &'static str {
        self.lock_class.name()
    }

    /// The lock-order class of this class's mutexes.
    pub fn lock_class(&self) -> &LockClass {
        &self.lock_class
    }

    /// Makes `lock` on this class return `EDEADLK` with probability `rate`
    /// (0.0–1.0) whenever the context already holds a lock; deterministic for a
    /// given `seed` and call sequence. A rate of 0 turns injection off.
    pub fn inject_deadlocks(&self, rate: f64, seed: u64) {
        let mut inj = self.injector.lock().unwrap_or_else(PoisonError::into_inner);
        inj.threshold = (rate.clamp(0.0, 1.0) * (1u64 << 32) as f64) as u64;
        inj.state = seed | 1;
        self.injecting.store(inj.threshold > 0, Ordering::SeqCst);
    }

    fn inject(&self) -> bool {
        if !self.injecting.load(Ordering::Relaxed) {
            return false;
        }
        let mut inj = self.injector.lock().unwrap_or_else(PoisonError::into_inner);
        let mut x = inj.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        inj.state = x;
        (x >> 32) < inj.threshold
    }
}

/// The part of an acquire context that other threads touch: its stamp, the
/// wound flag, and how to wake it while it sleeps on a lock.
struct CtxShared {
    stamp: u64,
    wounded: AtomicBool,
    /// Wakes the lock this context currently sleeps on (wound-wait).
    sleeping_on: Mutex<Option<Waker>>,
}

impl CtxShared {
    fn wake(&self) -> Option<Waker> {
        self.sleeping_on
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

thread_local! {
    static LIVE_CTX: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An acquire context (`ww_acquire_ctx`): one transaction's identity across all
/// the ww_mutexes of a class it locks, and across its retries.
pub struct WwAcquireCtx<S: Sys = StdSys> {
    class: &'static WwClass,
    shared: Arc<CtxShared>,
    acquired: Cell<usize>,
    done: Cell<bool>,
    /// The lock that returned `EDEADLK`, until it is taken again.
    contending: Cell<Option<usize>>,
    _not_send: NotSend<S>,
}

impl<S: Sys> std::fmt::Debug for WwAcquireCtx<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WwAcquireCtx")
            .field("class", &self.class.name())
            .field("stamp", &self.shared.stamp)
            .field("acquired", &self.acquired.get())
            .finish()
    }
}

impl WwAcquireCtx {
    /// Starts a transaction on `class` (`ww_acquire_init`): takes the stamp.
    ///
    /// Panics in debug builds if this thread already has a live context of
    /// `class`.
    pub fn new(class: &'static WwClass) -> Self {
        Self::new_in(class)
    }
}

impl<S: Sys> WwAcquireCtx<S> {
    /// [`new`](WwAcquireCtx::new) on another [`Sys`] (model checking).
    pub fn new_in(class: &'static WwClass) -> Self {
        if cfg!(debug_assertions) && S::OS_THREADS {
            let key = class as *const WwClass as usize;
            LIVE_CTX.with(|l| {
                let mut l = l.borrow_mut();
                assert!(
                    !l.contains(&key),
                    "ww_mutex: two acquire contexts of class \"{}\" in one thread",
                    class.name()
                );
                l.push(key);
            });
        }
        let stamp = class.next_stamp.fetch_add(1, Ordering::Relaxed);
        Self {
            class,
            shared: Arc::new(CtxShared {
                stamp,
                wounded: AtomicBool::new(false),
                sleeping_on: Mutex::new(None),
            }),
            acquired: Cell::new(0),
            done: Cell::new(false),
            contending: Cell::new(None),
            _not_send: PhantomData,
        }
    }

    /// Marks the end of the acquire phase (`ww_acquire_done`): any further lock
    /// with this context panics.
    pub fn done(&self) {
        self.done.set(true);
    }

    /// The stamp: lower is older.
    pub fn stamp(&self) -> u64 {
        self.shared.stamp
    }

    /// How many locks this context holds.
    pub fn acquired(&self) -> usize {
        self.acquired.get()
    }

    /// Whether an older context wounded this one (wound-wait).
    pub fn is_wounded(&self) -> bool {
        self.shared.wounded.load(Ordering::SeqCst)
    }

    /// The context's class.
    pub fn class(&self) -> &'static WwClass {
        self.class
    }
}

impl<S: Sys> Drop for WwAcquireCtx<S> {
    fn drop(&mut self) {
        if cfg!(debug_assertions) && S::OS_THREADS {
            let key = self.class as *const WwClass as usize;
            LIVE_CTX.with(|l| l.borrow_mut().retain(|k| *k != key));
        }
        if !std::thread::panicking() {
            assert!(
                self.acquired.get() == 0,
                "ww_mutex: acquire context of class \"{}\" finished while it still holds {} lock(s)",
                self.class.name(),
                self.acquired.get()
            );
        }
    }
}

enum Holder {
    Ctx(Arc<CtxShared>),
    Plain,
}

struct Waiter {
    ticket: u64,
    stamp: Option<u64>,
}

#[derive(Default)]
struct LockState {
    holder: Option<Holder>,
    /// Context waiters ordered by stamp (oldest first); context-less waiters
    /// queue at the tail. Only the head may take a free lock.
    waiters: Vec<Waiter>,
    next_ticket: u64,
}

impl LockState {
    fn held_by(&self, stamp: u64) -> bool {
        matches!(&self.holder, Some(Holder::Ctx(c)) if c.stamp == stamp)
    }

    fn holder_stamp(&self) -> Option<u64> {
        match &self.holder {
            Some(Holder::Ctx(c)) => Some(c.stamp),
            _ => None,
        }
    }

    /// Queues a waiter the way `__ww_mutex_add_waiter` does. Returns the ticket,
    /// and whether an older context waits ahead.
    fn enqueue(&mut self, stamp: Option<u64>) -> (u64, bool, bool) {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        let mut pos = self.waiters.len();
        let mut older_ahead = false;
        if let Some(me) = stamp {
            for i in (0..self.waiters.len()).rev() {
                match self.waiters[i].stamp {
                    None => continue,
                    Some(s) if s < me => {
                        older_ahead = true;
                        break;
                    }
                    Some(_) => pos = i,
                }
            }
        }
        let not_last = pos < self.waiters.len();
        self.waiters.insert(pos, Waiter { ticket, stamp });
        (ticket, older_ahead, not_last)
    }

    fn remove(&mut self, ticket: u64) -> usize {
        let pos = self
            .waiters
            .iter()
            .position(|w| w.ticket == ticket)
            .expect("waiter queued");
        self.waiters.remove(pos);
        pos
    }
}

/// A ww_mutex guarding a `T`: the lock of one object.
pub struct WwMutex<T, S: Sys = StdSys> {
    class: &'static WwClass,
    state: Arc<S::Monitor<LockState>>,
    /// Run on the data just before each unlock (e.g. dma_resv drops its
    /// reserved fence slots: a reservation is only valid while locked).
    on_unlock: Option<fn(&mut T)>,
    data: UnsafeCell<T>,
}

// SAFETY: the data is only reached through a guard or a transaction that holds
// the lock (exclusive access), so sharing the mutex only ever moves `T`
// between threads, which `T: Send` allows.
unsafe impl<T: Send, S: Sys> Sync for WwMutex<T, S> {}

impl<T: std::fmt::Debug, S: Sys> std::fmt::Debug for WwMutex<T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WwMutex")
            .field("class", &self.class.name())
            .field("locked", &self.is_locked())
            .finish_non_exhaustive()
    }
}

/// Exclusive access to the data of a locked [`WwMutex`]; unlocks on drop.
pub struct WwGuard<'a, T, S: Sys = StdSys> {
    mutex: &'a WwMutex<T, S>,
    ctx: Option<&'a WwAcquireCtx<S>>,
}

impl<T> WwMutex<T> {
    /// A new, unlocked mutex of `class` around `data` (`ww_mutex_init`).
    pub fn new(class: &'static WwClass, data: T) -> Self {
        Self::new_in(class, data)
    }
}

impl<T, S: Sys> WwMutex<T, S> {
    /// [`new`](WwMutex::new) on another [`Sys`] (model checking).
    pub fn new_in(class: &'static WwClass, data: T) -> Self {
        Self {
            class,
            state: Arc::new(S::monitor(LockState::default())),
            on_unlock: None,
            data: UnsafeCell::new(data),
        }
    }

    /// Sets a function run on the data just before every unlock.
    pub(crate) fn with_unlock_hook(mut self, hook: fn(&mut T)) -> Self {
        self.on_unlock = Some(hook);
        self
    }

    /// The mutex's class.
    pub fn class(&self) -> &'static WwClass {
        self.class
    }

    /// Whether anyone holds the lock.
    pub fn is_locked(&self) -> bool {
        S::with(&self.state, |st| st.holder.is_some())
    }

    /// Whether `ctx` holds the lock.
    pub fn is_locked_by(&self, ctx: &WwAcquireCtx<S>) -> bool {
        S::with(&self.state, |st| st.held_by(ctx.stamp()))
    }

    /// The data, through exclusive access to the mutex itself.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// The data, consuming the mutex.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }

    fn id(&self) -> usize {
        Arc::as_ptr(&self.state) as *const () as usize
    }

    fn waker(&self) -> Waker {
        let state = self.state.clone();
        Arc::new(move || S::with_notify(&state, |_| ()))
    }

    /// Locks under `ctx` (`ww_mutex_lock`): `Ok`, `EDEADLK` (back off: release
    /// everything, then [`lock_slow`](Self::lock_slow) this lock), or `EALREADY`
    /// (`ctx` already holds it).
    #[track_caller]
    pub fn lock<'a>(&'a self, ctx: &'a WwAcquireCtx<S>) -> Result<WwGuard<'a, T, S>, Errno> {
        self.lock_raw(Some(ctx), None)?;
        Ok(WwGuard {
            mutex: self,
            ctx: Some(ctx),
        })
    }

    /// [`lock`](Self::lock) that also ends with `EINTR` when `intr` is raised
    /// while waiting (`ww_mutex_lock_interruptible`).
    #[track_caller]
    pub fn lock_interruptible<'a>(
        &'a self,
        ctx: &'a WwAcquireCtx<S>,
        intr: &Interrupt,
    ) -> Result<WwGuard<'a, T, S>, Errno> {
        self.lock_raw(Some(ctx), Some(intr))?;
        Ok(WwGuard {
            mutex: self,
            ctx: Some(ctx),
        })
    }

    /// Takes the lock that returned `EDEADLK`, with nothing else held: sleeps
    /// until it is free and cannot fail (`ww_mutex_lock_slow`).
    #[track_caller]
    pub fn lock_slow<'a>(&'a self, ctx: &'a WwAcquireCtx<S>) -> WwGuard<'a, T, S> {
        self.lock_slow_raw(ctx, None)
            .expect("lock_slow without an interrupt cannot fail");
        WwGuard {
            mutex: self,
            ctx: Some(ctx),
        }
    }

    /// [`lock_slow`](Self::lock_slow) that ends with `EINTR` when `intr` is raised.
    #[track_caller]
    pub fn lock_slow_interruptible<'a>(
        &'a self,
        ctx: &'a WwAcquireCtx<S>,
        intr: &Interrupt,
    ) -> Result<WwGuard<'a, T, S>, Errno> {
        self.lock_slow_raw(ctx, Some(intr))?;
        Ok(WwGuard {
            mutex: self,
            ctx: Some(ctx),
        })
    }

    /// Locks without an acquire context (`ww_mutex_lock(lock, NULL)`): a plain
    /// mutex lock that queues behind context waiters. Never `EDEADLK`.
    #[track_caller]
    pub fn lock_single(&self) -> WwGuard<'_, T, S> {
        self.lock_raw(None, None)
            .expect("a lock without a context cannot fail");
        WwGuard {
            mutex: self,
            ctx: None,
        }
    }

    /// Takes the lock if it is free and nobody waits (`ww_mutex_trylock`).
    #[track_caller]
    pub fn try_lock<'a>(&'a self, ctx: Option<&'a WwAcquireCtx<S>>) -> Option<WwGuard<'a, T, S>> {
        self.try_lock_raw(ctx).then(|| WwGuard { mutex: self, ctx })
    }

    /// [`try_lock`](Self::try_lock) without a guard: the caller unlocks with
    /// [`unlock_raw`](Self::unlock_raw).
    #[track_caller]
    pub fn try_lock_raw(&self, ctx: Option<&WwAcquireCtx<S>>) -> bool {
        if let Some(c) = ctx {
            self.check_may_lock(c, false);
        }
        let holder = || ctx.map_or(Holder::Plain, |c| Holder::Ctx(c.shared.clone()));
        let took = S::with(&self.state, |st| {
            if st.holder.is_none() && st.waiters.is_empty() {
                st.holder = Some(holder());
                true
            } else {
                false
            }
        });
        if took {
            self.acquired(ctx);
            if S::OS_THREADS {
                lockdep::acquire_try(&self.class.lock_class, Location::caller());
            }
        }
        took
    }

    fn check_may_lock(&self, ctx: &WwAcquireCtx<S>, slow: bool) {
        assert!(
            std::ptr::eq(ctx.class, self.class),
            "ww_mutex: lock of class \"{}\" with a context of class \"{}\"",
            self.class.name(),
            ctx.class.name()
        );
        assert!(
            !ctx.done.get(),
            "ww_mutex: lock after ww_acquire_done on a context of class \"{}\"",
            self.class.name()
        );
        match ctx.contending.get() {
            Some(id) if id != self.id() => panic!(
                "ww_mutex: after -EDEADLK the context must lock_slow the contended lock \
                 before any other lock (class \"{}\")",
                self.class.name()
            ),
            Some(_) => assert!(
                ctx.acquired.get() == 0,
                "ww_mutex: after -EDEADLK release every lock ({} still held) before \
                 retaking the contended one",
                ctx.acquired.get()
            ),
            None if slow => panic!(
                "ww_mutex: lock_slow without a prior -EDEADLK on this lock (class \"{}\")",
                self.class.name()
            ),
            None => {}
        }
    }

    #[track_caller]
    fn acquired(&self, ctx: Option<&WwAcquireCtx<S>>) {
        if let Some(c) = ctx {
            c.acquired.set(c.acquired.get() + 1);
            c.contending.set(None);
        }
    }

    /// Tells the lock-order validator, before blocking, that this lock is taken.
    #[track_caller]
    fn lockdep_acquire(&self, ctx: bool) {
        if S::OS_THREADS {
            lockdep::acquire(&self.class.lock_class, Location::caller(), ctx);
        }
    }

    fn lockdep_release(&self) {
        if S::OS_THREADS {
            lockdep::release(&self.class.lock_class);
        }
    }

    /// How many lockers wait for this lock (for tests and statistics).
    pub fn waiter_count(&self) -> usize {
        S::with(&self.state, |st| st.waiters.len())
    }

    /// `lock_slow` without a guard (for [`Transaction`](super::Transaction)).
    #[track_caller]
    pub fn lock_slow_raw(
        &self,
        ctx: &WwAcquireCtx<S>,
        intr: Option<&Interrupt>,
    ) -> Result<(), Errno> {
        assert!(
            ctx.acquired.get() == 0,
            "ww_mutex: lock_slow while the context still holds {} lock(s)",
            ctx.acquired.get()
        );
        self.check_may_lock(ctx, true);
        self.lock_raw(Some(ctx), intr)
    }

    /// `lock` without a guard: the caller unlocks with
    /// [`unlock_raw`](Self::unlock_raw). `ctx == None` locks without a context.
    #[track_caller]
    pub fn lock_raw(
        &self,
        ctx: Option<&WwAcquireCtx<S>>,
        intr: Option<&Interrupt>,
    ) -> Result<(), Errno> {
        let Some(c) = ctx else {
            self.lockdep_acquire(false);
            self.wait_for(None, None, 0)?;
            return Ok(());
        };
        self.check_may_lock(c, false);
        let acquired = c.acquired.get();
        if acquired > 0 && self.class.inject() {
            c.contending.set(Some(self.id()));
            return Err(Errno::EDEADLK);
        }
        if acquired == 0 {
            c.shared.wounded.store(false, Ordering::SeqCst);
        }
        self.lockdep_acquire(true);
        match self.wait_for(Some(c), intr, acquired) {
            Ok(()) => {
                self.acquired(ctx);
                Ok(())
            }
            Err(e) => {
                self.lockdep_release();
                if e == Errno::EDEADLK {
                    c.contending.set(Some(self.id()));
                }
                Err(e)
            }
        }
    }

    /// The lock algorithm proper: queue, then sleep until the lock is ours, the
    /// context must back off, or `intr` is raised.
    fn wait_for(
        &self,
        ctx: Option<&WwAcquireCtx<S>>,
        intr: Option<&Interrupt>,
        acquired: usize,
    ) -> Result<(), Errno> {
        let algo = self.class.algorithm;
        let me = ctx.map(|c| c.shared.stamp);
        let holder = || ctx.map_or(Holder::Plain, |c| Holder::Ctx(c.shared.clone()));
        let mut wake = None;
        let mut notify = false;
        let first = S::with(&self.state, |st| {
            if let Some(me) = me {
                if st.held_by(me) {
                    return Err(Errno::EALREADY);
                }
            }
            if st.holder.is_none() && st.waiters.is_empty() {
                st.holder = Some(holder());
                return Ok(None);
            }
            // Contended.
            if let Some(c) = ctx {
                if acquired > 0
                    && algo == WwAlgorithm::WoundWait
                    && c.shared.wounded.load(Ordering::SeqCst)
                {
                    return Err(Errno::EDEADLK);
                }
            }
            let (ticket, older_ahead, not_last) = st.enqueue(me);
            if older_ahead && acquired > 0 && algo == WwAlgorithm::WaitDie {
                // No point queueing behind an older context: we would die the
                // moment it took the lock.
                st.remove(ticket);
                return Err(Errno::EDEADLK);
            }
            // Younger waiters behind us that hold locks must re-check (and die).
            notify = not_last && algo == WwAlgorithm::WaitDie;
            if let (WwAlgorithm::WoundWait, Some(me), Some(Holder::Ctx(h))) = (algo, me, &st.holder)
            {
                if acquired > 0 && h.stamp > me {
                    h.wounded.store(true, Ordering::SeqCst);
                    wake = h.wake();
                }
            }
            Ok(Some(ticket))
        });
        if notify {
            S::with_notify(&self.state, |_| ());
        }
        if let Some(w) = wake {
            w();
        }
        let Some(ticket) = first? else { return Ok(()) };

        if let Some(c) = ctx {
            *c.shared
                .sleeping_on
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(self.waker());
        }
        let _reg = intr.map(|i| i.register(self.waker()));
        let mut others_waiting = false;
        let result = S::wait_until(&self.state, |st| {
            let pos = st
                .waiters
                .iter()
                .position(|w| w.ticket == ticket)
                .expect("waiter queued");
            if st.holder.is_none() && pos == 0 {
                st.waiters.remove(0);
                st.holder = Some(holder());
                others_waiting = !st.waiters.is_empty();
                return Some(Ok(()));
            }
            if let (Some(c), Some(me)) = (ctx, me) {
                if acquired > 0 {
                    let kill = match algo {
                        WwAlgorithm::WaitDie => {
                            st.holder_stamp().is_some_and(|h| h < me)
                                || st.waiters[..pos].iter().any(|w| w.stamp.is_some())
                        }
                        WwAlgorithm::WoundWait => c.shared.wounded.load(Ordering::SeqCst),
                    };
                    if kill {
                        st.remove(ticket);
                        others_waiting = true;
                        return Some(Err(Errno::EDEADLK));
                    }
                }
            }
            if intr.is_some_and(Interrupt::is_raised) {
                st.remove(ticket);
                others_waiting = true;
                return Some(Err(Errno::EINTR));
            }
            None
        });
        if let Some(c) = ctx {
            *c.shared
                .sleeping_on
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = None;
        }
        if others_waiting {
            // The queue changed under the other waiters: a new holder (younger
            // waiters may have to die) or a departed waiter (a new head).
            S::with_notify(&self.state, |_| ());
        }
        result
    }

    /// Unlocks (`ww_mutex_unlock`). `ctx` must be the context that locked it
    /// (`None` for a lock taken without a context); anything else panics.
    ///
    /// # Safety
    ///
    /// No guard of this lock and no borrow of its data obtained under this
    /// lock may be used after the call: the lock is for the caller to release
    /// only when it no longer reaches the data (guards and transactions do this).
    pub unsafe fn unlock_raw(&self, ctx: Option<&WwAcquireCtx<S>>) {
        let wake = S::with(&self.state, |st| {
            let ok = match (&st.holder, ctx) {
                (Some(Holder::Ctx(h)), Some(c)) => h.stamp == c.shared.stamp,
                (Some(Holder::Plain), None) => true,
                _ => false,
            };
            if !ok {
                return None;
            }
            if let Some(hook) = self.on_unlock {
                // SAFETY: the caller owns the lock (checked above) and, by this
                // function's contract, holds no other borrow of the data.
                hook(unsafe { &mut *self.data.get() });
            }
            st.holder = None;
            Some(!st.waiters.is_empty())
        });
        let Some(wake) = wake else {
            // Already unwinding (a guard dropped after a failed check): do not
            // turn one panic into an abort.
            assert!(
                std::thread::panicking(),
                "ww_mutex: unlock of a \"{}\" lock by a non-owner",
                self.class.name()
            );
            return;
        };
        if wake {
            S::with_notify(&self.state, |_| ());
        }
        if let Some(c) = ctx {
            c.acquired.set(c.acquired.get() - 1);
        }
        self.lockdep_release();
    }

    /// The data, for a caller that holds the lock under `ctx`.
    ///
    /// Panics if `ctx` does not hold the lock.
    pub(crate) fn data_locked(&self, ctx: &WwAcquireCtx<S>) -> *mut T {
        assert!(
            self.is_locked_by(ctx),
            "ww_mutex: data access without holding the lock"
        );
        self.data.get()
    }
}

impl<T, S: Sys> WwGuard<'_, T, S> {
    /// The mutex this guard holds.
    pub fn mutex(&self) -> &WwMutex<T, S> {
        self.mutex
    }
}

impl<T, S: Sys> Deref for WwGuard<'_, T, S> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while its owner holds the lock, so no
        // other reference to the data exists.
        unsafe { &*self.mutex.data.get() }
    }
}

impl<T, S: Sys> DerefMut for WwGuard<'_, T, S> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this borrow unique.
        unsafe { &mut *self.mutex.data.get() }
    }
}

impl<T, S: Sys> Drop for WwGuard<'_, T, S> {
    fn drop(&mut self) {
        // SAFETY: the guard is the only way to the data and it is going away.
        unsafe { self.mutex.unlock_raw(self.ctx) };
    }
}

/// Model checking of the ww algorithms with shuttle: every schedule shuttle
/// tries must end with each transaction done (no deadlock, no lost wake-up: a
/// lost wake-up leaves a thread blocked forever, which shuttle reports), every
/// lock free, and the oldest context never told to back off.
#[cfg(test)]
mod model {
    use super::*;
    use crate::sync::transaction::Transaction;
    use shuttle::sync::{Condvar as SCondvar, Mutex as SMutex};

    struct ShuttleSys;
    struct ShuttleMonitor<S> {
        state: SMutex<S>,
        cond: SCondvar,
    }

    impl Sys for ShuttleSys {
        type Monitor<S: Send + 'static> = ShuttleMonitor<S>;
        const OS_THREADS: bool = false;
        fn monitor<S: Send + 'static>(state: S) -> ShuttleMonitor<S> {
            ShuttleMonitor {
                state: SMutex::new(state),
                cond: SCondvar::new(),
            }
        }
        fn with<S: Send + 'static, R>(m: &ShuttleMonitor<S>, f: impl FnOnce(&mut S) -> R) -> R {
            f(&mut m.state.lock().unwrap())
        }
        fn with_notify<S: Send + 'static, R>(
            m: &ShuttleMonitor<S>,
            f: impl FnOnce(&mut S) -> R,
        ) -> R {
            let mut g = m.state.lock().unwrap();
            let r = f(&mut g);
            m.cond.notify_all();
            r
        }
        fn wait_until<S: Send + 'static, R>(
            m: &ShuttleMonitor<S>,
            mut f: impl FnMut(&mut S) -> Option<R>,
        ) -> R {
            let mut g = m.state.lock().unwrap();
            loop {
                if let Some(r) = f(&mut g) {
                    return r;
                }
                g = m.cond.wait(g).unwrap();
            }
        }
    }

    type M = WwMutex<u32, ShuttleSys>;

    /// `threads` transactions; thread `t` locks every lock, starting at lock
    /// `t` (so each pair of threads disagrees on the order), by hand: lock,
    /// on EDEADLK release all, lock_slow the contended one, retry.
    fn by_hand(class: &'static WwClass, threads: usize, locks: usize) {
        let locks: Arc<Vec<M>> = Arc::new((0..locks).map(|_| WwMutex::new_in(class, 0)).collect());
        let oldest = Arc::new(std::sync::atomic::AtomicU64::new(u64::MAX));
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let locks = locks.clone();
                let oldest = oldest.clone();
                shuttle::thread::spawn(move || {
                    let ctx = WwAcquireCtx::<ShuttleSys>::new_in(class);
                    oldest.fetch_min(ctx.stamp(), Ordering::SeqCst);
                    let n = locks.len();
                    let order: Vec<usize> = (0..n).map(|i| (t + i) % n).collect();
                    let mut held: Vec<usize> = Vec::new();
                    let mut backoffs = 0;
                    let mut i = 0;
                    while i < order.len() {
                        let l = order[i];
                        if held.contains(&l) {
                            i += 1;
                            continue;
                        }
                        match locks[l].lock_raw(Some(&ctx), None) {
                            Ok(()) => {
                                held.push(l);
                                i += 1;
                            }
                            Err(e) => {
                                assert_eq!(e, Errno::EDEADLK);
                                assert!(!held.is_empty(), "EDEADLK with nothing held");
                                backoffs += 1;
                                for h in held.drain(..).rev() {
                                    // SAFETY: no borrow of the data is held.
                                    unsafe { locks[h].unlock_raw(Some(&ctx)) };
                                }
                                locks[l].lock_slow_raw(&ctx, None).unwrap();
                                held.push(l);
                                i = 0;
                            }
                        }
                    }
                    ctx.done();
                    for &h in &held {
                        let p = locks[h].data_locked(&ctx);
                        // SAFETY: `ctx` holds lock `h` (checked by `data_locked`).
                        unsafe { *p += 1 };
                    }
                    for h in held.drain(..).rev() {
                        // SAFETY: the increments above are done.
                        unsafe { locks[h].unlock_raw(Some(&ctx)) };
                    }
                    (ctx.stamp(), backoffs)
                })
            })
            .collect();
        let results: Vec<(u64, u32)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let oldest = oldest.load(Ordering::SeqCst);
        for (stamp, backoffs) in results {
            if stamp == oldest {
                assert_eq!(backoffs, 0, "the oldest context was made to back off");
            }
        }
        for l in locks.iter() {
            assert!(!l.is_locked());
            assert_eq!(l.waiter_count(), 0);
            assert_eq!(S_with(l), threads as u32);
        }
    }

    #[allow(non_snake_case)]
    fn S_with(l: &M) -> u32 {
        let ctx = WwAcquireCtx::<ShuttleSys>::new_in(l.class());
        let g = l.lock(&ctx).unwrap();
        let v = *g;
        drop(g);
        v
    }

    /// The same workload through `Transaction`.
    fn transactions(class: &'static WwClass, threads: usize, locks: usize) {
        let locks: Arc<Vec<Arc<M>>> = Arc::new(
            (0..locks)
                .map(|_| Arc::new(WwMutex::new_in(class, 0)))
                .collect(),
        );
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let locks = locks.clone();
                shuttle::thread::spawn(move || {
                    let mut txn = Transaction::<M, ShuttleSys>::new_in(class);
                    let n = locks.len();
                    txn.run(|x| {
                        for i in 0..n {
                            x.lock(&locks[(n - 1 - i + t) % n])?;
                        }
                        Ok(())
                    })
                    .unwrap();
                    for l in locks.iter() {
                        *txn.get_mut(l) += 1;
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        for l in locks.iter() {
            assert!(!l.is_locked());
            assert_eq!(S_with(l), threads as u32);
        }
    }

    /// An interrupt raised at any point ends a blocked lock with EINTR (or the
    /// lock is taken first): never a waiter left asleep, never a lock left held.
    fn interrupted(class: &'static WwClass) {
        let lock: Arc<M> = Arc::new(WwMutex::new_in(class, 0));
        let intr = Arc::new(Interrupt::new());
        let holder = {
            let lock = lock.clone();
            shuttle::thread::spawn(move || {
                let ctx = WwAcquireCtx::<ShuttleSys>::new_in(class);
                lock.lock_raw(Some(&ctx), None).unwrap();
                shuttle::thread::yield_now();
                // SAFETY: the data was never borrowed.
                unsafe { lock.unlock_raw(Some(&ctx)) };
            })
        };
        let waiter = {
            let (lock, intr) = (lock.clone(), intr.clone());
            shuttle::thread::spawn(move || {
                let ctx = WwAcquireCtx::<ShuttleSys>::new_in(class);
                match lock.lock_raw(Some(&ctx), Some(&intr)) {
                    // SAFETY: the data was never borrowed.
                    Ok(()) => unsafe { lock.unlock_raw(Some(&ctx)) },
                    Err(e) => assert_eq!(e, Errno::EINTR),
                }
            })
        };
        intr.raise();
        holder.join().unwrap();
        waiter.join().unwrap();
        assert!(!lock.is_locked());
        assert_eq!(lock.waiter_count(), 0);
    }

    #[test]
    fn interrupt_wakes_waiters() {
        for algo in [WwAlgorithm::WaitDie, WwAlgorithm::WoundWait] {
            let c = WwClass::leak("model_intr", algo);
            shuttle::check_random(move || interrupted(c), ITER);
            shuttle::check_pct(move || interrupted(c), ITER, 3);
        }
    }

    const ITER: usize = 1500;

    #[test]
    fn wait_die_random() {
        let c = WwClass::leak("model_wd_random", WwAlgorithm::WaitDie);
        shuttle::check_random(move || by_hand(c, 3, 3), ITER);
        shuttle::check_random(move || by_hand(c, 2, 2), ITER);
    }

    #[test]
    fn wait_die_pct() {
        let c = WwClass::leak("model_wd_pct", WwAlgorithm::WaitDie);
        shuttle::check_pct(move || by_hand(c, 3, 3), ITER, 3);
        shuttle::check_pct(move || transactions(c, 3, 2), ITER, 3);
    }

    #[test]
    fn wound_wait_random() {
        let c = WwClass::leak("model_ww_random", WwAlgorithm::WoundWait);
        shuttle::check_random(move || by_hand(c, 3, 3), ITER);
        shuttle::check_random(move || by_hand(c, 2, 2), ITER);
    }

    #[test]
    fn wound_wait_pct() {
        let c = WwClass::leak("model_ww_pct", WwAlgorithm::WoundWait);
        shuttle::check_pct(move || by_hand(c, 3, 3), ITER, 3);
        shuttle::check_pct(move || transactions(c, 3, 2), ITER, 3);
    }
}
