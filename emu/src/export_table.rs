//! What a file descriptor the device handed out stands for: a table from id to the
//! exported thing (a GEM object, a syncobj, a fence), kept while the program holds an
//! fd for it.
//!
//! The front-end serves one file per id; the program's fds are opens of it. An entry
//! lives from the export until the last open of its file is released, counting exports
//! not yet opened (`pending`) so the window between the export and the open (which the
//! program's side makes) cannot end it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::sync::lockdep::LockClass;
use crate::sync::TrackedMutex;

struct Entry<T> {
    value: T,
    pending: u32,
    opens: u32,
}

/// Exports by id.
pub(crate) struct ExportTable<T> {
    table: TrackedMutex<HashMap<u64, Entry<T>>>,
    next: AtomicU64,
}

impl<T: Clone> ExportTable<T> {
    pub(crate) fn new(class: &'static LockClass) -> Self {
        ExportTable {
            table: TrackedMutex::new(class, HashMap::new()),
            next: AtomicU64::new(1),
        }
    }

    /// A new export of `value`: its id.
    pub(crate) fn export_new(&self, value: T) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.table.lock().insert(
            id,
            Entry {
                value,
                pending: 1,
                opens: 0,
            },
        );
        id
    }

    /// Export under a chosen id: the existing entry if there is one (the same export
    /// again), else `make()`'s value.
    pub(crate) fn export_at(&self, id: u64, make: impl FnOnce() -> T) {
        self.table
            .lock()
            .entry(id)
            .or_insert_with(|| Entry {
                value: make(),
                pending: 0,
                opens: 0,
            })
            .pending += 1;
    }

    /// The value exported as `id`.
    pub(crate) fn get(&self, id: u64) -> Option<T> {
        self.table.lock().get(&id).map(|e| e.value.clone())
    }

    /// The file of `id` was opened; false if there is no such export.
    pub(crate) fn open(&self, id: u64) -> bool {
        let mut table = self.table.lock();
        let Some(e) = table.get_mut(&id) else {
            return false;
        };
        e.pending = e.pending.saturating_sub(1);
        e.opens += 1;
        true
    }

    /// An open of `id`'s file was released; the last ends the export.
    pub(crate) fn release(&self, id: u64) {
        let gone = {
            let mut table = self.table.lock();
            match table.get_mut(&id) {
                Some(e) => {
                    e.opens = e.opens.saturating_sub(1);
                    if e.opens == 0 && e.pending == 0 {
                        table.remove(&id)
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
}
