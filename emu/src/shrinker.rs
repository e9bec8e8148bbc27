//! Memory pressure: the device's memory budget, the shrinker that purges objects user
//! space marked DONTNEED, and `drop_caches` — the one entry point for i915's `DROP_*`
//! flags (debugfs `i915_gem_drop_caches` calls it).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::client::ClientMemory;
use crate::device::Device;
use crate::object::{GemObject, Madvise};
use crate::{Errno, Result};

/// `DROP_UNBOUND`: shrink objects not bound anywhere.
pub const DROP_UNBOUND: u64 = 1 << 0;
/// `DROP_BOUND`: shrink bound objects too (unbinding idle ones).
pub const DROP_BOUND: u64 = 1 << 1;
/// `DROP_RETIRE`: retire completed requests.
pub const DROP_RETIRE: u64 = 1 << 2;
/// `DROP_ACTIVE`: wait for the GPU to finish.
pub const DROP_ACTIVE: u64 = 1 << 3;
/// `DROP_FREED`: release what freed objects still hold.
pub const DROP_FREED: u64 = 1 << 4;
/// `DROP_SHRINK_ALL`: shrink everything that can be shrunk.
pub const DROP_SHRINK_ALL: u64 = 1 << 5;
/// `DROP_IDLE`: wait until idle.
pub const DROP_IDLE: u64 = 1 << 6;
/// `DROP_RESET_ACTIVE`: reset whatever is still running after a short grace.
pub const DROP_RESET_ACTIVE: u64 = 1 << 7;
/// `DROP_RESET_SEQNO`: (no effect on this platform).
pub const DROP_RESET_SEQNO: u64 = 1 << 8;
/// `DROP_RCU`: (no deferred frees in this model).
pub const DROP_RCU: u64 = 1 << 9;
/// Every flag (`DROP_ALL`).
pub const DROP_ALL: u64 = (1 << 10) - 1;

impl Device {
    /// Bytes of object memory in use: what the budget counts (purged objects no
    /// longer do).
    pub fn resident(&self) -> u64 {
        self.resident.load(Ordering::Relaxed)
    }

    /// Make room for `size` more bytes within the budget: purge DONTNEED objects if
    /// needed; while the GPU is busy, give its requests a moment to retire, since
    /// objects closed by their clients live until the requests that use them are done
    /// (the shrinker's wait for the GPU, `I915_SHRINK_ACTIVE`). `ENOMEM` when even that
    /// is not enough.
    pub(crate) fn charge(&self, size: u64) -> Result<()> {
        /// How long an allocation waits for requests to retire before it fails.
        const RETIRE_WAIT: std::time::Duration = std::time::Duration::from_millis(500);
        let budget = self.config.memory;
        let start = std::time::Instant::now();
        loop {
            if self.resident() + size > budget {
                self.shrink(self.resident() + size - budget);
            }
            if self.resident() + size <= budget
                || !self.engines.busy()
                || start.elapsed() >= RETIRE_WAIT
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        if self.resident() + size > budget {
            log::debug!(
                "out of memory: {} + {size} > budget {budget} ({} bytes of live objects)",
                self.resident(),
                self.allocated()
            );
            return Err(crate::Errno::ENOMEM);
        }
        self.resident.fetch_add(size, Ordering::Relaxed);
        Ok(())
    }

    /// An object's pages went back (freed or purged).
    pub(crate) fn uncharge(&self, size: u64) {
        self.resident.fetch_sub(size, Ordering::Relaxed);
    }

    /// Remember `obj` as a candidate for purging (it was marked DONTNEED).
    pub(crate) fn add_purgeable(&self, obj: &Arc<GemObject>) {
        self.purgeable.lock().push(obj);
    }

    /// Purge idle DONTNEED objects until `want` bytes came back (or none is left);
    /// returns the bytes purged. Objects locked by someone else are skipped, as the
    /// kernel's shrinker skips contended objects.
    pub fn shrink(&self, want: u64) -> u64 {
        let candidates: Vec<Weak<GemObject>> = self.purgeable.lock().take();
        let mut got = 0;
        let mut keep = Vec::new();
        for w in candidates {
            let Some(obj) = w.upgrade() else { continue };
            if got >= want {
                keep.push(w);
                continue;
            }
            let Some(mut st) = obj.resv.ww_mutex().try_lock(None) else {
                keep.push(w);
                continue;
            };
            match st.madv {
                Madvise::DontNeed if obj.has_pages(&st) && !obj.is_busy() => {
                    obj.truncate(&mut st);
                    st.purge_listed = false;
                    got += obj.size;
                }
                Madvise::DontNeed => keep.push(w),
                // Back to WILLNEED, or purged already: no longer a candidate.
                _ => st.purge_listed = false,
            }
        }
        self.purgeable.lock().extend(keep);
        got
    }

    /// Unbind idle objects from every VM (`I915_SHRINK_BOUND` / eviction).
    fn unbind_idle(&self) {
        let vms = self.vms.lock().live();
        for vm in vms {
            for obj in vm.bound_objects() {
                if !obj.is_busy() {
                    vm.unbind(&obj);
                }
            }
        }
        self.vms.lock().prune();
    }

    /// `i915_drop_caches_set`: act on i915's `DROP_*` flags, in i915's order, for
    /// `caller`: waiting for the engines to idle (DROP_IDLE, DROP_ACTIVE) ends with EINTR when the caller has a signal pending, as i915's
    /// `intel_gt_wait_for_idle` does (a spinner would otherwise hold it for ever).
    pub fn drop_caches_for(&self, flags: u64, caller: &dyn ClientMemory) -> Result<()> {
        if flags & DROP_RESET_ACTIVE != 0 {
            // A short grace, then whatever still runs is reset.
            let deadline = std::time::Instant::now() + Duration::from_millis(200);
            while self.engines.busy() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if self.engines.busy() {
                self.reset_all();
            }
        }
        if flags & (DROP_IDLE | DROP_ACTIVE) != 0 {
            while self.engines.busy() {
                if caller.signal_pending() {
                    return Err(Errno::EINTR);
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        if flags & DROP_BOUND != 0 {
            self.unbind_idle();
        }
        if flags & (DROP_BOUND | DROP_UNBOUND | DROP_SHRINK_ALL) != 0 {
            self.shrink(u64::MAX);
        }
        if flags & DROP_SHRINK_ALL != 0 {
            self.unbind_idle();
        }
        if flags & DROP_FREED != 0 {
            self.reap_unmapped();
        }
        Ok(())
    }
}
