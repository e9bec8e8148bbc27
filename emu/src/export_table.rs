//! What a file descriptor the device handed out stands for: a table from id to the
//! exported thing (a GEM object, a syncobj, a fence), kept while the program holds an
//! fd for it.
//!
//! The front-end serves one file per id; the program's fds are opens of it. An entry
//! lives from the export until the last open of its file is released, counting exports
//! not yet opened (`pending`) so the window between the export and the open (which the
//! program's side makes) cannot end it. A pending export belongs to the DRM file that
//! made it: when that file closes, its exports that were never opened go (the kernel
//! releases an fd whose process died before it got it, or that nobody ever installed).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::sync::lockdep::LockClass;
use crate::sync::TrackedMutex;

/// The DRM file that made an export; [`NO_OWNER`] when none did (a sync_file merge,
/// made through a sync_file fd that the program holds already).
pub(crate) type Owner = u64;
/// An export made by no DRM file.
pub(crate) const NO_OWNER: Owner = 0;

struct Entry<T> {
    value: T,
    /// Exports not yet opened: how many each owner made.
    pending: Vec<(Owner, u32)>,
    opens: u32,
}

impl<T> Entry<T> {
    fn dead(&self) -> bool {
        self.opens == 0 && self.pending.is_empty()
    }
}

struct Table<T> {
    entries: HashMap<u64, Entry<T>>,
    /// Each owner's pending exports: id → count.
    by_owner: HashMap<Owner, HashMap<u64, u32>>,
}

impl<T> Table<T> {
    fn add_pending(&mut self, id: u64, owner: Owner) {
        let Some(e) = self.entries.get_mut(&id) else {
            return;
        };
        match e.pending.iter_mut().find(|(o, _)| *o == owner) {
            Some((_, n)) => *n += 1,
            None => e.pending.push((owner, 1)),
        }
        if owner != NO_OWNER {
            *self
                .by_owner
                .entry(owner)
                .or_default()
                .entry(id)
                .or_default() += 1;
        }
    }
}

/// Exports by id.
pub(crate) struct ExportTable<T> {
    table: TrackedMutex<Table<T>>,
    next: AtomicU64,
}

impl<T: Clone> ExportTable<T> {
    pub(crate) fn new(class: &'static LockClass) -> Self {
        ExportTable {
            table: TrackedMutex::new(
                class,
                Table {
                    entries: HashMap::new(),
                    by_owner: HashMap::new(),
                },
            ),
            next: AtomicU64::new(1),
        }
    }

    /// A new export of `value` by `owner`: its id.
    pub(crate) fn export_new(&self, value: T, owner: Owner) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let mut t = self.table.lock();
        t.entries.insert(
            id,
            Entry {
                value,
                pending: Vec::new(),
                opens: 0,
            },
        );
        t.add_pending(id, owner);
        id
    }

    /// Export under a chosen id: the existing entry if there is one (the same export
    /// again), else `make()`'s value.
    pub(crate) fn export_at(&self, id: u64, owner: Owner, make: impl FnOnce() -> T) {
        let mut t = self.table.lock();
        t.entries.entry(id).or_insert_with(|| Entry {
            value: make(),
            pending: Vec::new(),
            opens: 0,
        });
        t.add_pending(id, owner);
    }

    /// The value exported as `id`.
    pub(crate) fn get(&self, id: u64) -> Option<T> {
        self.table.lock().entries.get(&id).map(|e| e.value.clone())
    }

    /// The file of `id` was opened; false if there is no such export.
    pub(crate) fn open(&self, id: u64) -> bool {
        let mut guard = self.table.lock();
        let t = &mut *guard;
        let Some(e) = t.entries.get_mut(&id) else {
            return false;
        };
        e.opens += 1;
        // The open takes one pending export (any owner's: the opener cannot say whose).
        if let Some((owner, n)) = e.pending.last_mut() {
            let owner = *owner;
            *n -= 1;
            if *n == 0 {
                e.pending.pop();
            }
            if let Some(ids) = t.by_owner.get_mut(&owner) {
                if let Some(k) = ids.get_mut(&id) {
                    *k -= 1;
                    if *k == 0 {
                        ids.remove(&id);
                    }
                }
                if ids.is_empty() {
                    t.by_owner.remove(&owner);
                }
            }
        }
        true
    }

    /// An open of `id`'s file was released; the last ends the export.
    pub(crate) fn release(&self, id: u64) {
        let gone = {
            let mut t = self.table.lock();
            match t.entries.get_mut(&id) {
                Some(e) => {
                    e.opens = e.opens.saturating_sub(1);
                    if e.dead() {
                        t.entries.remove(&id)
                    } else {
                        None
                    }
                }
                None => None,
            }
        };
        // The value's last reference may go here, outside the table's lock: freeing an
        // object takes the aperture's.
        drop(gone);
    }

    /// DRM file `owner` closed: its exports that were never opened are withdrawn, and
    /// entries left with neither opens nor pending exports end.
    pub(crate) fn forget_owner(&self, owner: Owner) {
        let mut gone = Vec::new();
        {
            let mut t = self.table.lock();
            let Some(ids) = t.by_owner.remove(&owner) else {
                return;
            };
            for id in ids.into_keys() {
                let Some(e) = t.entries.get_mut(&id) else {
                    continue;
                };
                e.pending.retain(|(o, _)| *o != owner);
                if e.dead() {
                    gone.extend(t.entries.remove(&id));
                }
            }
        }
        // Outside the table's lock, as in `release`.
        drop(gone);
    }

    /// Entries, and owners with pending exports: the table's bookkeeping.
    pub(crate) fn bookkeeping(&self) -> usize {
        let t = self.table.lock();
        t.entries.len() + t.by_owner.len()
    }
}
