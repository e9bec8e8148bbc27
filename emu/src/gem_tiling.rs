//! GET/SET_TILING: the fence tiling of an object, which a GTT mapping detiles through
//! (see [`crate::gtt_view`]). Gen12 has no bit-6 swizzling, so every answer's swizzle is
//! `I915_BIT_6_SWIZZLE_NONE`.

use crate::client::ClientMemory;
use crate::file::File;
use crate::gtt_view::tiling_ok;
use crate::{Errno, Result};
use uapi::*;

impl File {
    /// IOCTL: gem_set_tiling: set the layout a GTT mapping of the object detiles.
    /// `ENOENT` for an unknown handle, `ENXIO` for client memory (a proxy object,
    /// whose layout is not the caller's to set), `EINVAL` for a bad mode or stride.
    /// Answers the mode and stride in force, as i915 does ("we have to maintain this
    /// existing ABI").
    pub(crate) fn gem_set_tiling(
        &self,
        a: &mut drm_i915_gem_set_tiling,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        let obj = self.lookup(a.handle)?;
        if obj.is_userptr() {
            return Err(Errno::ENXIO);
        }
        if !tiling_ok(a.tiling_mode, a.stride) {
            log::debug!("set_tiling: mode {} stride {}", a.tiling_mode, a.stride);
            return Err(Errno::EINVAL);
        }
        if a.tiling_mode == I915_TILING_NONE {
            a.stride = 0;
        }
        a.swizzle_mode = I915_BIT_6_SWIZZLE_NONE;
        obj.set_tiling(a.tiling_mode, a.stride);
        (a.tiling_mode, a.stride) = obj.tiling();
        Ok(())
    }

    /// IOCTL: gem_get_tiling: the object's tiling mode and (no) swizzling.
    pub(crate) fn gem_get_tiling(
        &self,
        a: &mut drm_i915_gem_get_tiling,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        let obj = self.lookup(a.handle)?;
        a.tiling_mode = obj.tiling().0;
        a.swizzle_mode = I915_BIT_6_SWIZZLE_NONE;
        a.phys_swizzle_mode = I915_BIT_6_SWIZZLE_NONE;
        Ok(())
    }
}
