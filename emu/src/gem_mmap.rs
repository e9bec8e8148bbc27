//! Mapping objects: GEM_MMAP_OFFSET (and MMAP_GTT, which shares its number), and the
//! legacy GEM_MMAP.

use crate::client::ClientMemory;
use crate::file::File;
use crate::{user_ext, Errno, Result};
use uapi::*;

impl File {
    /// IOCTL: gem_mmap_offset: the offset at which `mmap()` on this fd maps the object.
    ///
    /// Every CPU caching type maps the same pages through the aperture memfd, so they
    /// share the object's one offset. A GTT map of an untiled object is those pages too;
    /// of a tiled one, its detiled view ([`crate::gtt_view`]). FIXED is only for
    /// discrete parts (`ENODEV`).
    pub(crate) fn gem_mmap_offset(
        &self,
        a: &mut drm_i915_gem_mmap_offset,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        // pad and offset were never checked, so they cannot be now.
        user_ext::walk(caller, a.extensions, |_, _| None)?;
        match a.flags {
            I915_MMAP_OFFSET_GTT
            | I915_MMAP_OFFSET_WC
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
        a.offset = match a.flags {
            I915_MMAP_OFFSET_FIXED => return Err(Errno::ENODEV),
            I915_MMAP_OFFSET_GTT => obj.expose_gtt(self.id)?,
            _ => obj.expose_to_mmap(self.id),
        };
        Ok(())
    }

    /// IOCTL: gemu_mmap_check: may this file map `len` bytes of the node at `offset`?
    /// As `i915_gem_mmap`: the whole range must lie in one object's mapping (its pages
    /// or its GTT view), else `EINVAL`; the file must have been given that offset and
    /// still hold a handle, else `EACCES`.
    pub(crate) fn gemu_mmap_check(
        &self,
        a: &mut uapi::gemu::gemu_mmap_check,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        let objs: Vec<_> = self.handles().objects();
        for obj in objs {
            let Some(start) = obj.mmap_range_of(a.offset) else {
                continue;
            };
            if !obj.mmap_allowed(self.id) {
                return Err(Errno::EACCES);
            }
            if a.len == 0 || a.offset - start + a.len > obj.size {
                return Err(Errno::EINVAL);
            }
            a.purged = obj.is_purged() as u32;
            return Ok(());
        }
        // Someone else's object (or one freed while still mapped): not this file's.
        if self.device.aperture.is_allocated(a.offset) {
            Err(Errno::EACCES)
        } else {
            Err(Errno::EINVAL)
        }
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
        a.addr_ptr = obj.expose_to_mmap(self.id) + a.offset;
        Ok(())
    }
}
