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
        // The client can now fault pages in without telling us: treat them as present,
        // and keep them for its mapping even after the object's last handle goes.
        obj.lock().has_pages = true;
        obj.mmapped
            .store(true, std::sync::atomic::Ordering::Release);
        a.offset = obj.offset;
        Ok(())
    }

    /// IOCTL: gem_mmap: the legacy call maps into the caller's address space from
    /// inside the kernel, which a daemon cannot do for it: refused as on platforms
    /// without it, so callers fall back to MMAP_OFFSET.
    pub(crate) fn gem_mmap(&self, _: &mut drm_i915_gem_mmap, _: &dyn ClientMemory) -> Result<()> {
        Err(Errno::EOPNOTSUPP)
    }
}
