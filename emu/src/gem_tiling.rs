//! GET/SET_TILING: fence-register tiling, which needs a mappable aperture.

use crate::client::ClientMemory;
use crate::file::File;
use crate::{Errno, Result};
use uapi::*;

impl File {
    /// IOCTL: gem_set_tiling: without a mappable aperture there are no fence
    /// registers (NUM_FENCES_AVAIL is 0), and i915 refuses tiling outright.
    pub(crate) fn gem_set_tiling(
        &self,
        _: &mut drm_i915_gem_set_tiling,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        log::debug!("set_tiling: no fence registers");
        Err(Errno::EOPNOTSUPP)
    }

    /// IOCTL: gem_get_tiling: refused for the same reason as SET_TILING.
    pub(crate) fn gem_get_tiling(
        &self,
        _: &mut drm_i915_gem_get_tiling,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        Err(Errno::EOPNOTSUPP)
    }
}
