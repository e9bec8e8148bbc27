//! CPU access through the driver: GEM_PREAD and GEM_PWRITE.

use crate::client::{access_ok, ClientMemory};
use crate::file::File;
use crate::object::{GemObject, Madvise};
use crate::{Errno, Result};
use uapi::*;

const READ: bool = false;
const WRITE: bool = true;

impl File {
    /// Common checks of pread/pwrite, in i915's order; `None` for a zero-size call,
    /// which succeeds before the handle is even looked up.
    fn rw_target(
        &self,
        handle: u32,
        offset: u64,
        size: u64,
        ptr: u64,
        write: bool,
        caller: &dyn ClientMemory,
    ) -> Result<Option<std::sync::Arc<GemObject>>> {
        if size == 0 {
            return Ok(None);
        }
        if !access_ok(ptr, size) {
            return Err(Errno::EFAULT);
        }
        let obj = self.lookup(handle)?;
        if offset.checked_add(size).is_none_or(|end| end > obj.size) {
            log::debug!(
                "rw: {offset:#x}+{size:#x} outside object of {:#x}",
                obj.size
            );
            return Err(Errno::EINVAL);
        }
        // i915_gem_userptr_pread / _pwrite: client memory is the client's to copy.
        if obj.is_userptr() {
            log::debug!("rw: a userptr object");
            return Err(Errno::EINVAL);
        }
        // Wait for the GPU, then make sure the pages exist; the lock is not held
        // while client memory is touched.
        obj.wait_idle_interruptible(caller)?;
        let mut st = obj.lock();
        if write && !st.has_pages {
            // shmem_pwrite: an object without pages is written through the store
            // and still has none afterwards (so DONTNEED purges it at once).
            if st.madv != Madvise::WillNeed {
                return Err(Errno::EFAULT);
            }
            st.store_written = true;
        } else {
            GemObject::pin_pages(&mut st)?;
        }
        drop(st);
        Ok(Some(obj))
    }

    /// IOCTL: gem_pread: Copy object contents into the caller's memory.
    pub(crate) fn gem_pread(
        &self,
        a: &mut drm_i915_gem_pread,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let Some(obj) = self.rw_target(a.handle, a.offset, a.size, a.data_ptr, READ, caller)?
        else {
            return Ok(());
        };
        // pread flushes the GTT write domain first.
        obj.sync_gtt_view();
        // SAFETY: the view is used for this one copy and dropped before returning.
        let pages = unsafe { obj.pages_mut(a.offset, a.size as usize) };
        caller.write(a.data_ptr, pages)
    }

    /// IOCTL: gem_pwrite: Copy the caller's memory into an object.
    pub(crate) fn gem_pwrite(
        &self,
        a: &mut drm_i915_gem_pwrite,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let Some(obj) = self.rw_target(a.handle, a.offset, a.size, a.data_ptr, WRITE, caller)?
        else {
            return Ok(());
        };
        // Earlier GTT writes land first, so they cannot later overwrite these bytes;
        // afterwards the view shows what was written.
        obj.sync_gtt_view();
        // SAFETY: as in pread; the client's own bytes land straight in the pages.
        let pages = unsafe { obj.pages_mut(a.offset, a.size as usize) };
        let r = caller.read(a.data_ptr, pages);
        obj.sync_gtt_view();
        r
    }
}
