//! GEM buffer objects.
//!
//! An object is a page-aligned range of the [`Aperture`](crate::Aperture). Its mutable
//! state sits behind one lock, the object's reservation lock (DESIGN §7 rule 1): there
//! is no second per-object mutex that could invert against it, and single-object ioctls
//! take it through [`GemObject::lock`] only (rule 3).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::client::ClientMemory;
use crate::device::Device;
use crate::gtt_view::GttState;
use crate::sync::{
    lock_order, DmaResv, DmaResvUsage, ResvLocked, TrackedMutex, WwGuard, WwMutex, WwObject,
};

/// `I915_MADV_*` state of an object's backing store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Madvise {
    /// The client needs the contents (`I915_MADV_WILLNEED`).
    WillNeed,
    /// The contents may be dropped under pressure (`I915_MADV_DONTNEED`).
    DontNeed,
    /// The contents were dropped; the object can never get them back (`__I915_MADV_PURGED`).
    Purged,
}

/// Cache level of an object, as `GET_CACHING` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheLevel {
    /// Uncached (`I915_CACHING_NONE`).
    None,
    /// Snooped / LLC-cached (`I915_CACHING_CACHED`).
    Llc,
}

/// The pages of a userptr object: a range of one client process's memory, reached
/// at the moment of use (DESIGN §7 rule 6), never copied.
pub struct Userptr {
    /// The memory of the process that created the object (`obj->userptr.mm`).
    pub mem: Arc<dyn ClientMemory + Send + Sync>,
    /// Start of the range in that process.
    pub addr: u64,
    /// That process's id (thread group id), 0 when the front-end did not say.
    pub owner: u32,
}

impl Userptr {
    /// Whether process `submitter` ([`ClientMemory::tgid`] of the caller) may pin the
    /// pages: i915 pins them in the calling process's memory, which must be the
    /// creator's (`notifier.mm == current->mm`), so a forked child cannot use its
    /// parent's object. An id the front-end did not give passes.
    pub fn pinnable_by(&self, submitter: u32) -> bool {
        submitter == 0 || self.owner == 0 || submitter == self.owner
    }
}

/// The state guarded by the object's reservation lock.
#[derive(Debug)]
pub struct ObjectState {
    /// Backing-store advice.
    pub madv: Madvise,
    /// Whether the object has pages (they were touched through an ioctl or could have
    /// been through a mapping): `MADVISE(DONTNEED)` purges an object without pages at once.
    pub has_pages: bool,
    /// Whether the backing store may hold data without the object having pages: a
    /// pwrite into an object without pages writes the store directly, as i915's
    /// shmem_pwrite does through the page cache.
    pub store_written: bool,
    /// Cache level.
    pub cache_level: CacheLevel,
    /// CPU read domains (`I915_GEM_DOMAIN_*`).
    pub read_domains: u32,
    /// CPU write domain.
    pub write_domain: u32,
    /// On the device's list of purge candidates (once, however often it is marked).
    pub(crate) purge_listed: bool,
}

/// A GEM buffer object.
pub struct GemObject {
    device: Arc<Device>,
    /// Size in bytes, a multiple of the page size.
    pub size: u64,
    /// Start of the object's pages in the aperture; also its mmap offset. Meaningless
    /// for a userptr object.
    pub offset: u64,
    /// For a userptr object: whose memory it is.
    pub userptr: Option<Userptr>,
    /// How many handles (in any file) name this object (`drm_gem_object.handle_count`);
    /// the flink name lives while this is non-zero.
    pub(crate) handle_count: AtomicU32,
    /// Global flink name, 0 for none. Guarded by the device's name table lock.
    pub(crate) name: AtomicU32,
    /// The object was given an mmap offset: a client may map its pages, and the
    /// mapping outlives the object's handles.
    pub(crate) mmapped: std::sync::atomic::AtomicBool,
    /// The object's reservation: its one lock, its fences, and the state it guards.
    pub resv: DmaResv<ObjectState>,
    /// Fence tiling and the detiled GTT view. Its own lock, because the view is synced
    /// when a request completes, where the reservation lock must not be taken.
    pub(crate) gtt: TrackedMutex<GttState>,
    /// Ids of the files that may mmap the object: those that asked for its offset and
    /// still hold a handle (`drm_vma_node_allow` / `revoke`).
    mmap_grants: TrackedMutex<Vec<u64>>,
}

impl WwObject for GemObject {
    type Data = ResvLocked<ObjectState>;
    fn ww_mutex(&self) -> &WwMutex<ResvLocked<ObjectState>> {
        self.resv.ww_mutex()
    }
}

impl GemObject {
    /// The object is about to be mapped by a client (MMAP_OFFSET, legacy GEM_MMAP,
    /// vgem's MAP_DUMB) of file `file`: the client can fault pages in without telling
    /// us (so [`GemObject::has_pages`] asks the memory), and its mapping keeps the pages
    /// after the last handle goes. The file may now mmap the object. Returns the
    /// object's offset in the aperture, which the mapping uses.
    pub(crate) fn expose_to_mmap(&self, file: u64) -> u64 {
        self.mmapped
            .store(true, std::sync::atomic::Ordering::Release);
        let mut grants = self.mmap_grants.lock();
        if !grants.contains(&file) {
            grants.push(file);
        }
        self.offset
    }

    /// Whether the object has pages: got through an ioctl, or faulted in through a
    /// client's mapping (which the memory itself tells: a passthrough fault never
    /// reaches the daemon).
    pub fn has_pages(&self, st: &ObjectState) -> bool {
        st.has_pages
            || (self.userptr.is_none()
                && self.mmapped.load(Ordering::Acquire)
                && st.madv != Madvise::Purged
                && self.device.aperture.any_resident(self.offset, self.size))
    }

    /// Whether a client's mapping of the object must fault (SIGBUS): its pages were
    /// purged.
    pub fn is_purged(&self) -> bool {
        self.lock().madv == Madvise::Purged
    }

    /// The file closed its handle to the object: its right to mmap it goes too
    /// (`i915_gem_close_object` revokes it).
    pub(crate) fn revoke_mmap(&self, file: u64) {
        self.mmap_grants.lock().retain(|&f| f != file);
    }

    /// Whether file `file` may mmap the object: it asked for an offset and still holds
    /// a handle.
    pub(crate) fn mmap_allowed(&self, file: u64) -> bool {
        self.mmap_grants.lock().contains(&file)
    }

    /// Where `offset` falls in this object's mappable ranges: `Some(start)` of the range
    /// (its pages or its GTT view) that holds it.
    pub(crate) fn mmap_range_of(&self, offset: u64) -> Option<u64> {
        let inside = |start: u64| (start..start + self.size).contains(&offset);
        if self.userptr.is_none() && inside(self.offset) {
            return Some(self.offset);
        }
        self.gtt.lock().view_offset().filter(|&v| inside(v))
    }

    /// The offset a GTT mapping of the object uses (MMAP_GTT): its pages when it is
    /// untiled, else its detiled view, made on first use and synced on every call.
    pub(crate) fn expose_gtt(&self, file: u64) -> crate::Result<u64> {
        let pages = self.expose_to_mmap(file);
        let mut g = self.gtt.lock();
        if let Some(view) = g.view_offset() {
            g.sync(&self.device.aperture);
            return Ok(view);
        }
        if !g.is_tiled() {
            return Ok(pages);
        }
        let view = self.device.aperture.alloc(self.size)?;
        if let Err(e) = g.attach_view(&self.device.aperture, self.offset, self.size, view) {
            self.device.aperture.release_clean(view, self.size);
            return Err(e);
        }
        Ok(view)
    }

    /// Whether the object has a GTT view (a tiled object mapped through MMAP_GTT).
    pub fn has_gtt_view(&self) -> bool {
        self.gtt.lock().view_offset().is_some()
    }

    /// Bring the GTT view (if any) and the pages in step; see [`crate::gtt_view`].
    pub fn sync_gtt_view(&self) {
        self.gtt.lock().sync(&self.device.aperture);
    }

    /// The object's fence tiling: `(I915_TILING_*, stride)`.
    pub fn tiling(&self) -> (u32, u32) {
        let g = self.gtt.lock();
        (g.tiling, g.stride)
    }

    /// Set the fence tiling; a GTT view changes layout with it.
    pub(crate) fn set_tiling(&self, tiling: u32, stride: u32) {
        self.gtt
            .lock()
            .set_tiling(&self.device.aperture, tiling, stride);
    }

    pub(crate) fn new(
        device: Arc<Device>,
        size: u64,
        offset: u64,
        cache_level: CacheLevel,
    ) -> Self {
        GemObject {
            device,
            size,
            offset,
            handle_count: AtomicU32::new(0),
            name: AtomicU32::new(0),
            userptr: None,
            mmapped: std::sync::atomic::AtomicBool::new(false),
            resv: DmaResv::with_class(
                &lock_order::RESERVATION,
                ObjectState {
                    madv: Madvise::WillNeed,
                    has_pages: false,
                    store_written: false,
                    cache_level,
                    read_domains: uapi::I915_GEM_DOMAIN_CPU,
                    write_domain: uapi::I915_GEM_DOMAIN_CPU,
                    purge_listed: false,
                },
            ),
            gtt: TrackedMutex::new(&lock_order::GTT_VIEW, GttState::default()),
            mmap_grants: TrackedMutex::new(&lock_order::MMAP_GRANTS, Vec::new()),
        }
    }

    /// A userptr object of `size` bytes over `userptr` (no aperture space).
    pub(crate) fn new_userptr(device: Arc<Device>, size: u64, userptr: Userptr) -> Self {
        let mut o = Self::new(device, size, 0, CacheLevel::Llc);
        o.userptr = Some(userptr);
        o.lock().has_pages = true;
        o
    }

    /// Whether the object wraps client memory.
    pub fn is_userptr(&self) -> bool {
        self.userptr.is_some()
    }

    /// Take the object's reservation lock: the one lock of a single-object operation.
    #[track_caller]
    pub fn lock(&self) -> WwGuard<'_, ResvLocked<ObjectState>> {
        self.resv.lock_single()
    }

    /// The object's flink name, 0 when it has none.
    pub fn name(&self) -> u32 {
        self.name.load(Ordering::Acquire)
    }

    /// Number of handles naming the object.
    pub fn handle_count(&self) -> u32 {
        self.handle_count.load(Ordering::Acquire)
    }

    /// Make sure the object has pages for a CPU access: `EFAULT` for a purged or
    /// purgeable object without pages (i915's `__i915_gem_object_get_pages`).
    pub fn pin_pages(state: &mut ObjectState) -> crate::Result<()> {
        if !state.has_pages && state.madv != Madvise::WillNeed {
            log::debug!("attempting to obtain a purgeable object");
            return Err(crate::Errno::EFAULT);
        }
        state.has_pages = true;
        Ok(())
    }

    /// Whether the GPU still reads or writes the object: any unsignalled fence.
    pub fn is_busy(&self) -> bool {
        !self.resv.test_signaled(DmaResvUsage::Bookkeep)
    }

    /// Wait, without the object's lock, until every fence on it has signalled.
    pub fn wait_idle(&self) {
        let _ = self.resv.wait(DmaResvUsage::Bookkeep, None, None);
    }

    /// [`GemObject::wait_idle`] as `i915_gem_object_wait(I915_WAIT_INTERRUPTIBLE)`:
    /// `EINTR` when the caller has a signal pending (its ioctl is then restarted, or it
    /// dies without leaving the daemon waiting on a GPU that may spin for ever).
    pub fn wait_idle_interruptible(&self, caller: &dyn ClientMemory) -> crate::Result<()> {
        crate::wait::wait_all(caller, &self.resv.fences(DmaResvUsage::Bookkeep), None)
    }

    /// Drop the object's pages for good (`i915_gem_object_truncate`): they read as zero.
    pub fn truncate(&self, state: &mut ObjectState) {
        // A userptr object's pages are the client's: only the object lets go of them.
        if self.userptr.is_none() && state.madv != Madvise::Purged {
            self.device.aperture.discard(self.offset, self.size);
            self.device.uncharge(self.size);
        }
        state.madv = Madvise::Purged;
        state.has_pages = false;
        state.store_written = false;
    }

    /// Copy out of the object: `EFAULT` when a userptr object's memory is gone.
    pub fn read(&self, offset: u64, buf: &mut [u8]) -> crate::Result<()> {
        debug_assert!(offset + buf.len() as u64 <= self.size);
        match &self.userptr {
            None => {
                self.device.aperture.read(self.offset + offset, buf);
                Ok(())
            }
            Some(u) => u.mem.read(u.addr + offset, buf),
        }
    }

    /// Copy into the object: `EFAULT` when a userptr object's memory is gone (or
    /// not writable).
    pub fn write(&self, offset: u64, data: &[u8]) -> crate::Result<()> {
        debug_assert!(offset + data.len() as u64 <= self.size);
        match &self.userptr {
            None => {
                self.device.aperture.write(self.offset + offset, data);
                Ok(())
            }
            Some(u) => u.mem.write(u.addr + offset, data),
        }
    }

    /// The device the object belongs to.
    pub fn device(&self) -> &Arc<Device> {
        &self.device
    }

    /// A mutable view of part of the object's pages, for filling it straight from (or
    /// copying it straight to) client memory with one copy.
    ///
    /// # Safety
    /// No other view of the same bytes may be alive; clients may still write the pages
    /// through their mmap at any time, as they may on real hardware.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn pages_mut(&self, offset: u64, len: usize) -> &mut [u8] {
        debug_assert!(offset + len as u64 <= self.size);
        debug_assert!(
            self.userptr.is_none(),
            "a userptr object has no aperture pages"
        );
        self.device.aperture.slice_mut(self.offset + offset, len)
    }
}

impl Drop for GemObject {
    fn drop(&mut self) {
        // Freeing an object gives its pages back to the system (punches the hole) —
        // unless a client may still map them.
        if self.userptr.is_some() {
            return;
        }
        let mapped = self.mmapped.load(Ordering::Acquire);
        // No lock: the last reference may go on the fence-signalling path (a request's
        // completion), where taking a reservation lock could deadlock with a waiter.
        let st = self.resv.get_mut();
        if st.madv != Madvise::Purged {
            self.device.uncharge(self.size);
        }
        // Never written through the model nor mapped: its pages were never populated.
        let populated = st.has_pages || st.store_written || mapped;
        self.device
            .free_range(self.offset, self.size, mapped, populated);
        // A GTT view is only ever made for a mapping.
        if let Some(view) = self.gtt.get_mut().detach_view() {
            self.device.free_range(view, self.size, true, true);
        }
        self.device.note_object_freed(self.size);
    }
}

impl std::fmt::Debug for GemObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GemObject")
            .field("size", &self.size)
            .field("offset", &format_args!("{:#x}", self.offset))
            .finish()
    }
}
