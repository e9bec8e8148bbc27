//! Mapping objects: GEM_MMAP_OFFSET (and MMAP_GTT, which shares its number), and the
//! legacy GEM_MMAP.

use crate::client::ClientMemory;
use crate::file::File;
use crate::{user_ext, Errno, Result};
use uapi::*;

impl File {
    /// IOCTL: gem_mmap_offset: the offset at which `mmap()` on this fd maps the object.
    ///
    /// Every caching type maps the same pages through the aperture memfd, so all types
    /// return the object's one offset. There is no mappable aperture, so GTT maps are
    /// `ENODEV`, and FIXED is only for discrete parts (`ENODEV` too).
    pub(crate) fn gem_mmap_offset(
        &self,
        a: &mut drm_i915_gem_mmap_offset,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        // pad and offset were never checked, so they cannot be now.
        user_ext::walk(caller, a.extensions, |_, _| None)?;
        match a.flags {
            I915_MMAP_OFFSET_GTT => {
                log::debug!("mmap_offset: no mappable aperture");
                return Err(Errno::ENODEV);
            }
            I915_MMAP_OFFSET_WC
            | I915_MMAP_OFFSET_WB
            | I915_MMAP_OFFSET_UC
            | I915_MMAP_OFFSET_FIXED => {}
            _ => return Err(Errno::EINVAL),
        }
        let obj = self.lookup(a.handle)?;
        // Client memory cannot be mapped through the device (I915_GEM_OBJECT_NO_MMAP).
        if obj.is_userptr() {
            return Err(Errno::ENODEV);
        }
        if a.flags == I915_MMAP_OFFSET_FIXED {
            return Err(Errno::ENODEV);
        }
        a.offset = obj.expose_to_mmap();
        Ok(())
    }

    /// IOCTL: gem_mmap: the legacy call maps into the caller's address space from
    /// inside the kernel, which a daemon cannot do for it: refused as on platforms
    /// without it, so callers fall back to MMAP_OFFSET. (The shim, in the caller,
    /// sends [`File::gemu_gem_mmap`] instead and maps.)
    pub(crate) fn gem_mmap(&self, _: &mut drm_i915_gem_mmap, _: &dyn ClientMemory) -> Result<()> {
        Err(Errno::EOPNOTSUPP)
    }

    /// IOCTL: gemu_gem_mmap: the device's half of legacy GEM_MMAP (`i915_gem_mmap_ioctl`
    /// up to its `vm_mmap`): validates, and answers in `addr_ptr` the node offset that
    /// maps the requested range; the shim maps it in the caller.
    pub(crate) fn gemu_gem_mmap(
        &self,
        a: &mut drm_i915_gem_mmap,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags & !I915_MMAP_WC != 0 {
            return Err(Errno::EINVAL);
        }
        let obj = self.lookup(a.handle)?;
        // No shmem file behind client memory.
        if obj.is_userptr() {
            return Err(Errno::ENXIO);
        }
        if a.offset
            .checked_add(a.size)
            .is_none_or(|end| end > obj.size)
        {
            log::debug!(
                "gem_mmap: {:#x}+{:#x} outside {:#x}",
                a.offset,
                a.size,
                obj.size
            );
            return Err(Errno::EINVAL);
        }
        a.addr_ptr = obj.expose_to_mmap() + a.offset;
        Ok(())
    }
}
