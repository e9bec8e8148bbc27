//! vgem, the virtual GEM driver, as a second DRM device beside i915 (`card1`): dumb
//! buffers in system memory that export as dma-bufs, and fences a client attaches to
//! a buffer's reservation and signals by hand. IGT uses it to hold i915 work back
//! (`igt_cork`): a request that reads a vgem buffer waits for its fence.
//!
//! vgem's objects live in the same memory as i915's and its dma-bufs in the same
//! export table, so an import into i915 shares the object and its reservation: the
//! implicit fencing across the two drivers is the kernel's. (The kernel makes a second
//! GEM object around a foreign dma-buf; nothing a client can observe through these
//! ioctls depends on that.)
//!
//! Kernel reference: drivers/gpu/drm/vgem/vgem_drv.c and vgem_fence.c,
//! drm_dumb_buffers.c.

use std::sync::{Arc, Weak};
use std::time::Duration;

use uapi::*;

use crate::client::ClientMemory;
use crate::file::{File, IdTable};
use crate::sync::{DmaFence, DmaResvUsage, FenceTimeline};
use crate::{Errno, Result};

/// An unsignalled vgem fence signals by itself after this long (`VGEM_FENCE_TIMEOUT`),
/// so a client that dies with one attached cannot block others forever.
pub const FENCE_TIMEOUT: Duration = Duration::from_secs(10);

/// `VGEM_FENCE_WRITE`: the fence is a write (exclusive) fence.
const VGEM_FENCE_WRITE: u32 = 0x1;

/// The vgem fences of one file (`vfile->fence_idr`) and the timeline they come from.
#[derive(Default)]
pub(crate) struct VgemFences {
    timeline: Option<FenceTimeline>,
    ids: IdTable<DmaFence>,
}

impl File {
    /// IOCTL: mode_create_dumb (`drm_mode_create_dumb`, `vgem_gem_dumb_create`): a
    /// linear buffer of `height` rows of `width * ceil(bpp / 8)` bytes.
    pub(crate) fn vgem_create_dumb(
        &self,
        a: &mut drm_mode_create_dumb,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        if a.width == 0 || a.height == 0 || a.bpp == 0 {
            return Err(Errno::EINVAL);
        }
        let cpp = a.bpp.div_ceil(8);
        let pitch = cpp.checked_mul(a.width).ok_or(Errno::EINVAL)?;
        let size = u64::from(pitch) * u64::from(a.height);
        if size > u64::from(u32::MAX) {
            return Err(Errno::EINVAL);
        }
        let (handle, size) = self.create_object(size)?;
        a.handle = handle;
        a.pitch = pitch;
        a.size = size;
        Ok(())
    }

    /// IOCTL: mode_map_dumb (`drm_gem_dumb_map_offset`): the offset at which `mmap()`
    /// of this file maps the buffer.
    pub(crate) fn vgem_map_dumb(
        &self,
        a: &mut drm_mode_map_dumb,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        if a.pad != 0 {
            return Err(Errno::EINVAL);
        }
        a.offset = self.lookup(a.handle)?.expose_to_mmap(self.id);
        Ok(())
    }

    /// IOCTL: mode_destroy_dumb: drops the handle, as GEM_CLOSE does.
    pub(crate) fn vgem_destroy_dumb(
        &self,
        a: &mut drm_mode_destroy_dumb,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let mut close = drm_gem_close {
            handle: a.handle,
            pad: 0,
        };
        self.gem_close(&mut close, caller)
    }

    /// IOCTL: vgem_fence_attach: a new fence on the buffer's reservation, as a write
    /// fence with VGEM_FENCE_WRITE, else a read fence. EBUSY when an unsignalled
    /// fence there already conflicts with it (a write conflicts with any fence, a read
    /// with a write).
    pub(crate) fn vgem_fence_attach(
        &self,
        a: &mut drm_vgem_fence_attach,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags & !VGEM_FENCE_WRITE != 0 || a.pad != 0 {
            return Err(Errno::EINVAL);
        }
        let obj = self.lookup(a.handle)?;
        let write = a.flags & VGEM_FENCE_WRITE != 0;
        let mut st = obj.lock();
        // dma_resv_usage_rw: a write conflicts with reads and writes, a read with writes.
        if !obj.resv.test_signaled(DmaResvUsage::for_access(write)) {
            return Err(Errno::EBUSY);
        }
        st.reserve_fences(1)?;
        let mut fences = self.vgem_fences.lock().unwrap();
        let fence = fences
            .timeline
            .get_or_insert_with(FenceTimeline::new)
            .next_fence();
        let usage = if write {
            DmaResvUsage::Write
        } else {
            DmaResvUsage::Read
        };
        st.add_fence(fence.clone(), usage);
        a.out_fence = fences.ids.insert(fence.clone());
        drop((fences, st));
        arm_timeout(Arc::downgrade(&fence));
        Ok(())
    }

    /// IOCTL: vgem_fence_signal: signal a fence this file attached and forget it;
    /// ETIMEDOUT when it had already signalled (its timeout passed).
    pub(crate) fn vgem_fence_signal(
        &self,
        a: &mut drm_vgem_fence_signal,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags != 0 {
            return Err(Errno::EINVAL);
        }
        let fence = self
            .vgem_fences
            .lock()
            .unwrap()
            .ids
            .remove(a.fence)
            .ok_or(Errno::ENOENT)?;
        if fence.is_signaled() {
            return Err(Errno::ETIMEDOUT);
        }
        let _ = fence.signal();
        Ok(())
    }

    /// Closing the file signals its outstanding fences (`vgem_fence_close`).
    pub(crate) fn vgem_close(&self) {
        let fences = self.vgem_fences.lock().unwrap().ids.drain();
        for f in fences {
            let _ = f.signal();
        }
    }
}

/// Signal `fence` after [`FENCE_TIMEOUT`] unless it is gone or signalled by then.
fn arm_timeout(fence: Weak<DmaFence>) {
    let spawned = std::thread::Builder::new()
        .name("gemu-vgem-fence".into())
        .spawn(move || {
            std::thread::sleep(FENCE_TIMEOUT);
            if let Some(f) = fence.upgrade() {
                if !f.is_signaled() {
                    log::info!("vgem: a fence timed out after {FENCE_TIMEOUT:?}");
                    let _ = f.signal();
                }
            }
        });
    if let Err(e) = spawned {
        log::error!("vgem: no thread for a fence timeout: {e}");
    }
}
