//! Device information: I915_GETPARAM and GEM_GET_APERTURE.

use crate::client::ClientMemory;
use crate::file::File;
use crate::Result;
use uapi::*;

impl File {
    /// IOCTL: getparam: one value of the platform table, written to `*value`.
    pub(crate) fn getparam(
        &self,
        a: &mut drm_i915_getparam,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let mut v = self.device.platform().param(a.param).inspect_err(|e| {
            log::debug!("getparam {}: {e}", a.param);
        })?;
        // i915_getparam_ioctl: resets are offered only with hangcheck on.
        if a.param == I915_PARAM_HAS_GPU_RESET && !self.device.enable_hangcheck() {
            v = 0;
        }
        caller.write(a.value, &v.to_ne_bytes())
    }

    /// IOCTL: gem_get_aperture: the global GTT's size and how much is not pinned.
    pub(crate) fn gem_get_aperture(
        &self,
        a: &mut drm_i915_gem_get_aperture,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        a.aper_size = self.device.platform().ggtt_size;
        // Nothing stays pinned in the global GTT: no scanout, and a GTT mmap's pin
        // lasts only for a fault.
        a.aper_available_size = a.aper_size;
        Ok(())
    }
}
