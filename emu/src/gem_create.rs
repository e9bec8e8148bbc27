//! Object creation: GEM_CREATE and GEM_CREATE_EXT (with its memory-region,
//! protected-content and PAT extensions).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::aperture::PAGE_SIZE;
use crate::client::{read_struct, ClientMemory};
use crate::file::File;
use crate::object::{CacheLevel, GemObject};
use crate::{user_ext, Errno, Result};
use uapi::*;

/// Memory regions of the device in `intel_region_id` order; only system memory is
/// visible to user space on an integrated part (stolen memory is private).
const REGION_SLOTS: u32 = 7;

/// The largest object i915 will make: shmem files stop at `MAX_LFS_FILESIZE`.
const MAX_OBJECT_SIZE: u64 = i64::MAX as u64;

impl File {
    /// Make an object of at least `size` bytes and give it a handle; the size actually
    /// used (page-rounded) is returned with the handle (`i915_gem_publish`).
    pub(crate) fn create_object(&self, size: u64) -> Result<(u32, u64)> {
        let size = size.checked_next_multiple_of(PAGE_SIZE).unwrap_or(0);
        if size == 0 {
            log::debug!("gem_create: size 0 (or wrapped when rounded up)");
            return Err(Errno::EINVAL);
        }
        if size > MAX_OBJECT_SIZE {
            return Err(Errno::E2BIG);
        }
        let dev = &self.device;
        // The budget: purge DONTNEED objects first, then refuse.
        dev.charge(size)?;
        // i915 makes any smaller object lazily; gemu needs aperture space for it up
        // front, so one larger than the aperture (tens of TiB) is refused here, where
        // i915 would fail at first use.
        let offset = dev
            .aperture
            .alloc(size)
            .or_else(|_| {
                // Freed ranges that were mapped may be free by now.
                dev.reap_unmapped();
                dev.aperture.alloc(size)
            })
            .map_err(|_| {
                log::debug!("gem_create: no aperture space for {size:#x} bytes");
                dev.uncharge(size);
                Errno::ENOMEM
            })?;
        dev.note_object_created(size);
        // LLC platforms create objects cached (I915_CACHE_LLC).
        let obj = Arc::new(GemObject::new(dev.clone(), size, offset, CacheLevel::Llc));
        self.created.fetch_add(1, Ordering::Relaxed);
        Ok((self.handle_create(obj), size))
    }

    /// IOCTL: gem_create: Create a new GEM object in system memory.
    pub(crate) fn gem_create(
        &self,
        a: &mut drm_i915_gem_create,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        let (handle, size) = self.create_object(a.size)?;
        a.handle = handle;
        a.size = size;
        Ok(())
    }

    /// IOCTL: gem_create_ext: Create a new GEM object with placement extensions.
    pub(crate) fn gem_create_ext(
        &self,
        a: &mut drm_i915_gem_create_ext,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags & !I915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS != 0 {
            return Err(Errno::EINVAL);
        }
        let mut n_placements = 0u32;
        user_ext::walk(caller, a.extensions, |name, addr| {
            Some(match name {
                I915_GEM_CREATE_EXT_MEMORY_REGIONS => {
                    self.ext_placements(caller, addr, &mut n_placements)
                }
                I915_GEM_CREATE_EXT_PROTECTED_CONTENT => {
                    read_struct::<drm_i915_gem_create_ext_protected_content>(caller, addr).and_then(
                        |e| {
                            if e.flags != 0 {
                                Err(Errno::EINVAL)
                            } else {
                                // No PXP on this model.
                                Err(Errno::ENODEV)
                            }
                        },
                    )
                }
                // Only Xe_LPG (12.70) and later take a PAT index.
                I915_GEM_CREATE_EXT_SET_PAT => Err(Errno::ENODEV),
                _ => return None,
            })
        })?;
        // Asking for CPU access only means something with several placements, one of
        // them system memory; with one region there is no valid way to ask.
        if a.flags & I915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS != 0 && n_placements <= 1 {
            return Err(Errno::EINVAL);
        }
        let (handle, size) = self.create_object(a.size)?;
        a.handle = handle;
        a.size = size;
        Ok(())
    }

    /// `I915_GEM_CREATE_EXT_MEMORY_REGIONS` (`set_placements`).
    fn ext_placements(
        &self,
        caller: &dyn ClientMemory,
        addr: u64,
        n_placements: &mut u32,
    ) -> Result<()> {
        let ext: drm_i915_gem_create_ext_memory_regions = read_struct(caller, addr)?;
        if ext.pad != 0 || ext.num_regions == 0 || ext.num_regions > REGION_SLOTS {
            log::debug!(
                "memory regions: pad {} num_regions {}",
                ext.pad,
                ext.num_regions
            );
            return Err(Errno::EINVAL);
        }
        let mut mask = 0u32;
        for i in 0..ext.num_regions as u64 {
            let r: drm_i915_gem_memory_class_instance = read_struct(caller, ext.regions + 4 * i)?;
            // Only { SYSTEM, 0 } exists and is public here; it is region id 0.
            if r.memory_class != I915_MEMORY_CLASS_SYSTEM || r.memory_instance != 0 {
                log::debug!(
                    "no memory region {{ class {}, inst {} }}",
                    r.memory_class,
                    r.memory_instance
                );
                return Err(Errno::EINVAL);
            }
            if mask & 1 != 0 {
                log::debug!("duplicate placement at index {i}");
                return Err(Errno::EINVAL);
            }
            mask |= 1;
        }
        if *n_placements != 0 {
            log::debug!("memory regions extension given twice");
            return Err(Errno::EINVAL);
        }
        *n_placements = ext.num_regions;
        Ok(())
    }
}
