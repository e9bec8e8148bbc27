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

    /// IOCTL: gemu_rw: GEM_PREAD or GEM_PWRITE up to its copy, which the shim makes in
    /// the caller's process through the aperture memfd (see [`uapi::DRM_IOCTL_GEMU_RW`]).
    /// Every check, the wait for the GPU and the domain flush are the ordinary call's;
    /// `aperture_offset` is 0 when the ordinary call must be made instead.
    pub(crate) fn gemu_rw(&self, a: &mut gemu_rw, caller: &dyn ClientMemory) -> Result<()> {
        if a.flags & !GEMU_RW_WRITE != 0 {
            return Err(Errno::EINVAL);
        }
        let write = a.flags & GEMU_RW_WRITE != 0;
        a.aperture_offset = 0;
        let Some(obj) = self.rw_target(a.handle, a.offset, a.size, a.data_ptr, write, caller)?
        else {
            return Ok(());
        };
        // A write into a tiled object's GTT view must be synced after the copy: that
        // takes the daemon, so the ordinary call does it. So does a caller whose thread
        // is unknown: its copy could not be told from another's.
        if write && obj.has_gtt_view() || caller.tid() == 0 {
            return Ok(());
        }
        obj.sync_gtt_view();
        a.aperture_offset = obj.offset + a.offset;
        self.rw_leases.hold(caller.tid(), obj);
        Ok(())
    }
}

/// Objects whose bytes a shim is copying ([`File::gemu_rw`]), one per calling thread:
/// each stays referenced until its thread's next ioctl on the file (or the file's
/// close), so its aperture range is not reused under the copy, as i915 holds a
/// reference on the object across its own copy.
#[derive(Default)]
pub(crate) struct RwLeases {
    /// Whether any lease is held: the check every ioctl makes without a lock.
    any: std::sync::atomic::AtomicBool,
    /// (thread id, object); a leaf lock.
    held: std::sync::Mutex<Vec<(u32, std::sync::Arc<GemObject>)>>,
}

impl RwLeases {
    fn held(&self) -> std::sync::MutexGuard<'_, Vec<(u32, std::sync::Arc<GemObject>)>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn hold(&self, tid: u32, obj: std::sync::Arc<GemObject>) {
        let old = {
            let mut held = self.held();
            let old = match held.iter_mut().find(|(t, _)| *t == tid) {
                Some(slot) => Some(std::mem::replace(&mut slot.1, obj)),
                None => {
                    held.push((tid, obj));
                    None
                }
            };
            self.any.store(true, std::sync::atomic::Ordering::Release);
            old
        };
        // The last reference may free the object: never under the leaf lock.
        drop(old);
    }

    /// Thread `tid` makes another call: its copy is over.
    pub(crate) fn release(&self, tid: u32) {
        if !self.any.load(std::sync::atomic::Ordering::Acquire) {
            return;
        }
        let old = {
            let mut held = self.held();
            let old = held
                .iter()
                .position(|(t, _)| *t == tid)
                .map(|i| held.swap_remove(i));
            if held.is_empty() {
                self.any.store(false, std::sync::atomic::Ordering::Release);
            }
            old
        };
        drop(old);
    }

    /// The file is closed: every lease goes.
    pub(crate) fn release_all(&self) {
        let all = std::mem::take(&mut *self.held());
        self.any.store(false, std::sync::atomic::Ordering::Release);
        drop(all);
    }
}
