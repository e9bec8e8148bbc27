//! Waiting for the GPU: GEM_BUSY, GEM_WAIT, GEM_THROTTLE.

use std::time::{Duration, Instant};

use crate::client::ClientMemory;
use crate::file::File;
use crate::sync::DmaResvUsage;
use crate::wait;
use crate::{Errno, Result};
use uapi::*;

/// How long after an interrupted GEM_WAIT its restart still resumes it: drmIoctl
/// restarts at once, after the signal handler.
const RESTART_WINDOW: Duration = Duration::from_secs(1);

/// A GEM_WAIT that a signal interrupted: its thread, handle and timeout as passed in,
/// and the deadline it was waiting for.
pub(crate) struct WaitRestart {
    key: (u32, u32, i64),
    deadline: Instant,
    at: Instant,
}

impl File {
    /// IOCTL: gem_busy: which engines still read or write the object.
    pub(crate) fn gem_busy(&self, a: &mut drm_i915_gem_busy, _: &dyn ClientMemory) -> Result<()> {
        let obj = self.lookup(a.handle)?;
        // Write fences mark their engine as writer (class + 1) and reader; read fences
        // as reader (bit 16 + class); fences not from an engine do not count.
        let engines = &self.device.engines;
        let mut busy = 0;
        for usage in [DmaResvUsage::Write, DmaResvUsage::Read] {
            for f in obj.resv.fences(usage) {
                if f.is_signaled() {
                    continue;
                }
                let Some(class) = engines.class_of(&f) else {
                    continue;
                };
                let read = 0x10000u32 << class;
                busy |= if usage == DmaResvUsage::Write {
                    (class as u32 + 1) | read
                } else {
                    read
                };
            }
        }
        a.busy = busy;
        Ok(())
    }

    /// IOCTL: gem_wait: wait up to `timeout_ns` (negative: forever) for the object to
    /// go idle; the time left is written back.
    ///
    /// i915 also writes the time left back when a signal interrupts the wait, so the
    /// restarted call waits only for the rest. An error reply carries no data through
    /// FUSE, so the model remembers the deadline of an interrupted bounded wait and a
    /// restart (same thread, handle and timeout, soon after) resumes it; without that,
    /// a client signalled more often than its timeout would never finish waiting.
    pub(crate) fn gem_wait(
        &self,
        a: &mut drm_i915_gem_wait,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags != 0 {
            return Err(Errno::EINVAL);
        }
        let obj = self.lookup(a.bo_handle)?;
        let start = Instant::now();
        let key = (caller.tid(), a.bo_handle, a.timeout_ns);
        let resumed = if a.timeout_ns > 0 && key.0 != 0 {
            self.take_wait_restart(key, start)
        } else {
            None
        };
        let deadline = match resumed {
            Some(d) => Some(d),
            None => wait::deadline_from_rel(a.timeout_ns),
        };
        let fences = obj.resv.fences(DmaResvUsage::Bookkeep);
        let r = wait::wait_all(caller, &fences, deadline);
        if a.timeout_ns > 0 {
            let left = deadline.map_or(Duration::ZERO, |d| {
                d.saturating_duration_since(Instant::now())
            });
            a.timeout_ns = left.as_nanos().min(i64::MAX as u128) as i64;
            if r == Err(Errno::EINTR) && key.0 != 0 {
                if let Some(deadline) = deadline {
                    self.keep_wait_restart(WaitRestart {
                        key,
                        deadline,
                        at: Instant::now(),
                    });
                }
            }
        }
        r
    }

    fn take_wait_restart(&self, key: (u32, u32, i64), now: Instant) -> Option<Instant> {
        let mut all = self.wait_restarts.lock().unwrap_or_else(|p| p.into_inner());
        all.retain(|w| now.duration_since(w.at) < RESTART_WINDOW);
        let i = all.iter().position(|w| w.key == key)?;
        Some(all.swap_remove(i).deadline)
    }

    fn keep_wait_restart(&self, w: WaitRestart) {
        let mut all = self.wait_restarts.lock().unwrap_or_else(|p| p.into_inner());
        all.retain(|o| o.key.0 != w.key.0 && w.at.duration_since(o.at) < RESTART_WINDOW);
        all.push(w);
    }

    /// IOCTL: gem_throttle: wait for this file's requests older than 20 ms; EIO when
    /// the GT is wedged (its ABI).
    pub(crate) fn gem_throttle(&self, _: &mut (), _: &dyn ClientMemory) -> Result<()> {
        self.device.engines.check_wedged()
    }
}
