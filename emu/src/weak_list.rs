//! Registries of things the device reaches but does not own (its files, VMs,
//! contexts, purgeable objects): weak references that forget the dead ones as the
//! list grows, so a device that sees a million opens or contexts come and go holds no
//! more than the live ones (a dead `Weak` keeps its whole allocation).

use std::sync::{Arc, Weak};

/// The smallest length at which a list looks for dead entries.
const MIN_PRUNE: usize = 16;

/// Weak references, pruned when the list has doubled since it was last pruned
/// (amortised O(1) a push).
pub(crate) struct WeakList<T> {
    items: Vec<Weak<T>>,
    prune_at: usize,
}

impl<T> Default for WeakList<T> {
    fn default() -> Self {
        WeakList {
            items: Vec::new(),
            prune_at: MIN_PRUNE,
        }
    }
}

impl<T> WeakList<T> {
    /// Remember `item`.
    pub fn push(&mut self, item: &Arc<T>) {
        if self.items.len() >= self.prune_at {
            self.prune();
        }
        self.items.push(Arc::downgrade(item));
    }

    /// Forget the dead entries now.
    pub fn prune(&mut self) {
        self.items.retain(|w| w.strong_count() > 0);
        if self.items.capacity() > 2 * self.items.len().max(MIN_PRUNE) {
            self.items.shrink_to(self.items.len().max(MIN_PRUNE));
        }
        self.prune_at = (2 * self.items.len()).max(MIN_PRUNE);
    }

    /// The entries still alive, oldest first.
    pub fn live(&self) -> Vec<Arc<T>> {
        self.items.iter().filter_map(Weak::upgrade).collect()
    }

    /// Take every entry out (to be put back with [`WeakList::extend`]).
    pub fn take(&mut self) -> Vec<Weak<T>> {
        self.prune_at = MIN_PRUNE;
        std::mem::take(&mut self.items)
    }

    /// Put entries back.
    pub fn extend(&mut self, items: impl IntoIterator<Item = Weak<T>>) {
        self.items.extend(items);
        if self.items.len() >= self.prune_at {
            self.prune();
        }
    }

    /// Entries held, dead ones included: the list's bookkeeping.
    pub fn len(&self) -> usize {
        self.items.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dead_entries_do_not_accumulate() {
        let mut l = WeakList::default();
        let keep: Vec<Arc<u32>> = (0..5).map(Arc::new).collect();
        for k in &keep {
            l.push(k);
        }
        for i in 0..100_000 {
            let gone = Arc::new(i);
            l.push(&gone);
        }
        assert!(l.len() <= 2 * MIN_PRUNE, "{} entries", l.len());
        assert_eq!(l.live().len(), 5);
    }
}
