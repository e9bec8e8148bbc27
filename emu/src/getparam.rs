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
        // With the `reset` parameter 0 there is no reset method (intel_has_gpu_reset).
        if a.param == I915_PARAM_HAS_GPU_RESET
            && !(self.device.enable_hangcheck() && self.device.engines.reset_enabled())
        {
            v = 0;
        }
        caller.write(a.value, &v.to_ne_bytes())
    }

    /// IOCTL: gemu_params: the GETPARAM answers fixed for the device's lifetime (see
    /// [`uapi::DRM_IOCTL_GEMU_PARAMS`]): every parameter of the platform's table but
    /// those [`File::getparam`] adjusts to live settings.
    pub(crate) fn gemu_params(&self, a: &mut gemu_params, caller: &dyn ClientMemory) -> Result<()> {
        if a.pad != 0 {
            return Err(crate::Errno::EINVAL);
        }
        let platform = self.device.platform();
        let fixed: Vec<gemu_param> = platform
            .params
            .iter()
            .filter(|(p, _)| *p != I915_PARAM_HAS_GPU_RESET)
            .map(|&(param, _)| {
                let (error, value) = match platform.param(param) {
                    Ok(v) => (0, v),
                    Err(e) => (e as i32, 0),
                };
                gemu_param {
                    param,
                    error,
                    value,
                    pad: 0,
                }
            })
            .collect();
        let room = a.count as usize;
        a.count = fixed.len() as u32;
        if room < fixed.len() {
            return Ok(());
        }
        caller.write(a.entries_ptr, bytemuck::cast_slice(&fixed))
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
