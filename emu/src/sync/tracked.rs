//! [`TrackedMutex`] and [`TrackedRwLock`]: ordinary locks whose acquisitions
//! the lock-order validator sees.

use super::lockdep::{self, LockClass};
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::{
    Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError,
};

/// A `std::sync::Mutex` that belongs to a [`LockClass`]; in debug builds every
/// acquisition is checked against the recorded lock order before it blocks.
#[derive(Debug)]
pub struct TrackedMutex<T> {
    class: &'static LockClass,
    inner: Mutex<T>,
}

/// Holds a [`TrackedMutex`]; unlocks on drop.
#[derive(Debug)]
pub struct TrackedGuard<'a, T> {
    class: &'static LockClass,
    guard: MutexGuard<'a, T>,
}

impl<T> TrackedMutex<T> {
    /// A mutex of `class` around `value`.
    pub const fn new(class: &'static LockClass, value: T) -> Self {
        Self {
            class,
            inner: Mutex::new(value),
        }
    }

    /// The lock's class.
    pub fn class(&self) -> &'static LockClass {
        self.class
    }

    /// Takes the lock (a poisoned lock is taken anyway: the model's state stays
    /// usable after a test's panic).
    #[track_caller]
    pub fn lock(&self) -> TrackedGuard<'_, T> {
        lockdep::acquire(self.class, Location::caller(), false);
        let guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        TrackedGuard {
            class: self.class,
            guard,
        }
    }

    /// Takes the lock if it is free.
    #[track_caller]
    pub fn try_lock(&self) -> Option<TrackedGuard<'_, T>> {
        let guard = match self.inner.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        lockdep::acquire_try(self.class, Location::caller());
        Some(TrackedGuard {
            class: self.class,
            guard,
        })
    }

    /// The value, through exclusive access (no locking).
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T> Deref for TrackedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for TrackedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T> Drop for TrackedGuard<'_, T> {
    fn drop(&mut self) {
        lockdep::release(self.class);
    }
}

/// A `std::sync::RwLock` that belongs to a [`LockClass`]. The validator treats
/// a read like a write (a reader queued behind a writer blocks just the same).
#[derive(Debug)]
pub struct TrackedRwLock<T> {
    class: &'static LockClass,
    inner: RwLock<T>,
}

/// Shared access to a [`TrackedRwLock`]; unlocks on drop.
#[derive(Debug)]
pub struct TrackedReadGuard<'a, T> {
    class: &'static LockClass,
    guard: RwLockReadGuard<'a, T>,
}

/// Exclusive access to a [`TrackedRwLock`]; unlocks on drop.
#[derive(Debug)]
pub struct TrackedWriteGuard<'a, T> {
    class: &'static LockClass,
    guard: RwLockWriteGuard<'a, T>,
}

impl<T> TrackedRwLock<T> {
    /// A lock of `class` around `value`.
    pub const fn new(class: &'static LockClass, value: T) -> Self {
        Self {
            class,
            inner: RwLock::new(value),
        }
    }

    /// Takes the lock shared.
    #[track_caller]
    pub fn read(&self) -> TrackedReadGuard<'_, T> {
        lockdep::acquire(self.class, Location::caller(), false);
        let guard = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        TrackedReadGuard {
            class: self.class,
            guard,
        }
    }

    /// Takes the lock exclusive.
    #[track_caller]
    pub fn write(&self) -> TrackedWriteGuard<'_, T> {
        lockdep::acquire(self.class, Location::caller(), false);
        let guard = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        TrackedWriteGuard {
            class: self.class,
            guard,
        }
    }

    /// The value, through exclusive access (no locking).
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<T> Deref for TrackedReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> Drop for TrackedReadGuard<'_, T> {
    fn drop(&mut self) {
        lockdep::release(self.class);
    }
}

impl<T> Deref for TrackedWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for TrackedWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T> Drop for TrackedWriteGuard<'_, T> {
    fn drop(&mut self) {
        lockdep::release(self.class);
    }
}
