//! DRM syncobjs (`drm_syncobj.c`): a nullable fence pointer per object, binary or a
//! timeline of chain points, and the ioctls that create, wait on, signal, reset,
//! query and transfer them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::ClientMemory;
use crate::file::File;
use crate::sync::{lock_order, DmaFence, TrackedMutex};
use crate::wait::Waker;
use crate::weak_list::WeakList;
use crate::{kalloc, Errno, Result};
use uapi::*;

/// The kernel's `struct syncobj_wait_entry`, one per handle of a wait.
const WAIT_ENTRY_SIZE: u64 = 64;

struct Inner {
    fence: Option<Arc<DmaFence>>,
    /// Waiters for WAIT_FOR_SUBMIT / WAIT_AVAILABLE, told when the fence changes.
    waiters: WeakList<Waker>,
}

/// A DRM syncobj.
pub struct Syncobj {
    inner: TrackedMutex<Inner>,
}

impl Syncobj {
    fn new(fence: Option<Arc<DmaFence>>) -> Arc<Self> {
        Arc::new(Syncobj {
            inner: TrackedMutex::new(
                &lock_order::SYNCOBJ,
                Inner {
                    fence,
                    waiters: WeakList::default(),
                },
            ),
        })
    }

    /// The current fence (`drm_syncobj_fence_get`).
    pub fn fence(&self) -> Option<Arc<DmaFence>> {
        self.inner.lock().fence.clone()
    }

    fn notify(inner: &mut Inner) {
        for w in inner.waiters.live() {
            w.wake();
        }
        inner.waiters.prune();
    }

    /// Replace the fence (`drm_syncobj_replace_fence`); `None` resets.
    pub fn replace_fence(&self, fence: Option<Arc<DmaFence>>) {
        let old = {
            let mut inner = self.inner.lock();
            let old = std::mem::replace(&mut inner.fence, fence);
            Self::notify(&mut inner);
            old
        };
        drop(old);
    }

    /// Add timeline point `point` carrying `fence` (`drm_syncobj_add_point`).
    ///
    /// The chain node is built outside the syncobj's lock: over already signalled
    /// fences it signals at once (our chains are eager), and signalling must not
    /// happen under a lock that waiters take. If the fence changed meanwhile, build
    /// again on the new one.
    pub fn add_point(&self, fence: Arc<DmaFence>, point: u64) -> Result<()> {
        loop {
            let prev = self.fence();
            if prev.as_ref().is_some_and(|p| p.seqno() >= point) {
                log::debug!("syncobj: adding an unordered point {point} to a timeline");
            }
            let chain = DmaFence::chain(prev.clone(), fence.clone(), point)?;
            let mut inner = self.inner.lock();
            let unchanged = match (&inner.fence, &prev) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            };
            if unchanged {
                inner.fence = Some(chain);
                Self::notify(&mut inner);
                return Ok(());
            }
        }
    }

    fn watch(&self, w: &Arc<Waker>) {
        let mut inner = self.inner.lock();
        // Waits that ended (timed out, interrupted) leave dead entries, which the list
        // forgets as it grows: a syncobj nobody signals does not collect one per wait.
        inner.waiters.push(w);
    }

    /// The fence for `point` (`drm_syncobj_find_fence` without waiting): `Ok(None)`
    /// when nothing is there yet, `Err` when the point cannot be found.
    fn fence_for(&self, point: u64) -> Result<Option<Arc<DmaFence>>> {
        let Some(fence) = self.fence() else {
            return Ok(None);
        };
        if point == 0 {
            return Ok(Some(fence));
        }
        match fence.find_seqno(point) {
            // Signalled (or garbage-collected) points read as a signalled stub.
            Ok(None) => Ok(Some(DmaFence::signaled_stub())),
            Ok(Some(f)) => Ok(Some(f)),
            // Not submitted yet.
            Err(_) => Ok(None),
        }
    }
}

/// A timeout given as an absolute CLOCK_MONOTONIC time in ns (0: just poll), as
/// `drm_timeout_abs_to_jiffies` reads it.
fn deadline_from_abs(timeout_nsec: i64) -> Option<Instant> {
    if timeout_nsec <= 0 {
        return Some(Instant::now());
    }
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec to a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    let now = ts.tv_sec as i128 * 1_000_000_000 + ts.tv_nsec as i128;
    let left = timeout_nsec as i128 - now;
    if left <= 0 {
        return Some(Instant::now());
    }
    // Far-future timeouts are as good as infinite.
    Instant::now().checked_add(Duration::from_nanos(left.min(u64::MAX as i128) as u64))
}

impl File {
    pub(crate) fn syncobj_lookup(&self, handle: u32) -> Option<Arc<Syncobj>> {
        self.syncobj(handle)
    }

    fn syncobj(&self, handle: u32) -> Option<Arc<Syncobj>> {
        self.syncobjs.lock().get(handle).cloned()
    }

    /// `drm_syncobj_array_find`: read `count` handles and look each up.
    fn syncobj_array(
        &self,
        caller: &dyn ClientMemory,
        ptr: u64,
        count: u32,
    ) -> Result<Vec<Arc<Syncobj>>> {
        // The kernel's two kmalloc'd arrays (handles, then syncobj pointers) bound the
        // count: ENOMEM past 4 MiB each, the handles' copy faulting in between.
        let mut handles: Vec<u32> = kalloc::kmalloc_array(count.into(), 4)?;
        handles.resize(count as usize, 0);
        caller.read(ptr, bytemuck::cast_slice_mut(&mut handles))?;
        let mut objs = kalloc::kmalloc_array(count.into(), 8)?;
        for h in handles {
            objs.push(self.syncobj(h).ok_or(Errno::ENOENT)?);
        }
        Ok(objs)
    }

    /// The points array of TIMELINE_WAIT and TIMELINE_SIGNAL (a kmalloc'd copy).
    /// A null pointer reads as all zeros, as in the kernel.
    fn read_points(caller: &dyn ClientMemory, ptr: u64, count: u32) -> Result<Vec<u64>> {
        let mut points: Vec<u64> = kalloc::kmalloc_array(count.into(), 8)?;
        points.resize(count as usize, 0);
        if ptr != 0 {
            caller.read(ptr, bytemuck::cast_slice_mut(&mut points))?;
        }
        Ok(points)
    }

    /// Create a syncobj in this file, optionally already signalled.
    pub(crate) fn syncobj_create_handle(&self, fence: Option<Arc<DmaFence>>) -> u32 {
        self.syncobjs.lock().insert(Syncobj::new(fence))
    }

    /// IOCTL: syncobj_create: Create a syncobj, optionally already signalled.
    pub(crate) fn syncobj_create(
        &self,
        a: &mut drm_syncobj_create,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags & !DRM_SYNCOBJ_CREATE_SIGNALED != 0 {
            return Err(Errno::EINVAL);
        }
        let fence = (a.flags & DRM_SYNCOBJ_CREATE_SIGNALED != 0).then(DmaFence::signaled_stub);
        a.handle = self.syncobj_create_handle(fence);
        Ok(())
    }

    /// IOCTL: syncobj_destroy: Drop a syncobj handle.
    pub(crate) fn syncobj_destroy(
        &self,
        a: &mut drm_syncobj_destroy,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        if a.pad != 0 {
            return Err(Errno::EINVAL);
        }
        self.syncobjs
            .lock()
            .remove(a.handle)
            .map(drop)
            .ok_or(Errno::EINVAL)
    }

    /// SYNCOBJ_HANDLE_TO_FD's checks, in the kernel's order: the syncobj to export
    /// (with EXPORT_SYNC_FILE it must hold a fence).
    pub(crate) fn syncobj_export_checks(&self, a: &drm_syncobj_handle) -> Result<Arc<Syncobj>> {
        if a.pad != 0 {
            return Err(Errno::EINVAL);
        }
        if a.flags != 0 && a.flags != DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE {
            return Err(Errno::EINVAL);
        }
        // drm_syncobj_handle_to_fd says EINVAL for a missing handle; the sync_file
        // export looks the fence up (drm_syncobj_find_fence), which says ENOENT.
        let missing = if a.flags != 0 {
            Errno::ENOENT
        } else {
            Errno::EINVAL
        };
        let s = self.syncobj(a.handle).ok_or(missing)?;
        if a.flags != 0 && s.fence().is_none() {
            return Err(Errno::EINVAL);
        }
        Ok(s)
    }

    /// IOCTL: syncobj_handle_to_fd: a syncobj (or its fence as a sync_file) as an fd.
    /// Checked as the kernel does; the daemon cannot put an fd into the caller, so the
    /// call itself fails: the shim sends `gemu_syncobj_export` (`syncobj_fd.rs`) and
    /// opens the fd in the caller.
    pub(crate) fn syncobj_handle_to_fd(
        &self,
        a: &mut drm_syncobj_handle,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        self.syncobj_export_checks(a)?;
        log::debug!("syncobj_handle_to_fd: fds are made by gemu's shim, not loaded here");
        Err(Errno::EOPNOTSUPP)
    }

    /// IOCTL: syncobj_fd_to_handle: without the shim no fd can be a syncobj or sync_file
    /// fd of this device, so every fd is refused as i915 refuses a foreign one (the
    /// shim sends `gemu_syncobj_import` with the id instead).
    pub(crate) fn syncobj_fd_to_handle(
        &self,
        a: &mut drm_syncobj_handle,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        syncobj_import_checks(a)?;
        Err(Errno::EINVAL)
    }

    /// The heart of WAIT and TIMELINE_WAIT (`drm_syncobj_array_wait_timeout`): the
    /// index of the first signalled entry, `ETIME` at the deadline, `EINTR` on a
    /// signal, `EINVAL` for a missing fence without WAIT_FOR_SUBMIT.
    fn syncobj_array_wait(
        &self,
        caller: &dyn ClientMemory,
        objs: &[Arc<Syncobj>],
        points: &[u64],
        flags: u32,
        deadline: Option<Instant>,
    ) -> Result<u32> {
        let available = flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE != 0;
        let submit = flags
            & (DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE)
            != 0;
        let all = flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL != 0;
        let waker = Arc::new(Waker::default());
        // The kernel's kcalloc'd wait entries (64 bytes each) bound the count.
        let mut fences: Vec<Option<Arc<DmaFence>>> =
            kalloc::kmalloc_array(objs.len() as u64, WAIT_ENTRY_SIZE)?;
        for (s, &p) in objs.iter().zip(points) {
            let f = s.fence_for(p)?;
            if f.is_none() && !submit {
                return Err(Errno::EINVAL);
            }
            fences.push(f);
        }
        if submit {
            for s in objs {
                s.watch(&waker);
            }
        }
        let mut hooks = crate::wait::Hooks::default();
        let mut hooked = vec![false; objs.len()];
        loop {
            let mut done = 0;
            let mut first = None;
            for (i, (s, &p)) in objs.iter().zip(points).enumerate() {
                if fences[i].is_none() {
                    // Not submitted yet: look again (the waker fires when it is).
                    fences[i] = s.fence_for(p)?;
                }
                let Some(f) = &fences[i] else { continue };
                let ready = available || f.is_signaled() || {
                    if !hooked[i] {
                        hooked[i] = true;
                        !hooks.hook(f, &waker)
                    } else {
                        false
                    }
                };
                if ready {
                    done += 1;
                    first.get_or_insert(i as u32);
                }
            }
            if (all && done == objs.len()) || (!all && done > 0) {
                return Ok(first.unwrap_or(0));
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(Errno::ETIME);
            }
            if caller.signal_pending() {
                return Err(Errno::EINTR);
            }
            waker.sleep(deadline);
        }
    }

    /// IOCTL: syncobj_wait: Wait for all or any of binary syncobjs.
    pub(crate) fn syncobj_wait(
        &self,
        a: &mut drm_syncobj_wait,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let allowed = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL
            | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT
            | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE;
        if a.flags & !allowed != 0 {
            return Err(Errno::EINVAL);
        }
        // An empty list is a wait that is over: current kernels answer 0 (older ones
        // EINVAL), which IGT's syncobj_wait@wait-zero-handles expects.
        if a.count_handles == 0 {
            return Ok(());
        }
        let objs = self.syncobj_array(caller, a.handles, a.count_handles)?;
        let points = vec![0; objs.len()];
        let deadline = deadline_from_abs(a.timeout_nsec);
        a.first_signaled = self.syncobj_array_wait(caller, &objs, &points, a.flags, deadline)?;
        Ok(())
    }

    /// IOCTL: syncobj_timeline_wait: Wait for points of timeline syncobjs.
    pub(crate) fn syncobj_timeline_wait(
        &self,
        a: &mut drm_syncobj_timeline_wait,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let allowed = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL
            | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT
            | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE
            | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE;
        if a.flags & !allowed != 0 {
            return Err(Errno::EINVAL);
        }
        // As WAIT: an empty list is a wait that is over.
        if a.count_handles == 0 {
            return Ok(());
        }
        let objs = self.syncobj_array(caller, a.handles, a.count_handles)?;
        let points = Self::read_points(caller, a.points, a.count_handles)?;
        let deadline = deadline_from_abs(a.timeout_nsec);
        a.first_signaled = self.syncobj_array_wait(caller, &objs, &points, a.flags, deadline)?;
        Ok(())
    }

    fn syncobj_array_args(
        &self,
        a: &drm_syncobj_array,
        caller: &dyn ClientMemory,
    ) -> Result<Vec<Arc<Syncobj>>> {
        if a.pad != 0 || a.count_handles == 0 {
            return Err(Errno::EINVAL);
        }
        self.syncobj_array(caller, a.handles, a.count_handles)
    }

    /// IOCTL: syncobj_reset: Drop the fences of syncobjs.
    pub(crate) fn syncobj_reset(
        &self,
        a: &mut drm_syncobj_array,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        for s in self.syncobj_array_args(a, caller)? {
            s.replace_fence(None);
        }
        Ok(())
    }

    /// IOCTL: syncobj_signal: Give syncobjs an already signalled fence.
    pub(crate) fn syncobj_signal(
        &self,
        a: &mut drm_syncobj_array,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        for s in self.syncobj_array_args(a, caller)? {
            s.replace_fence(Some(DmaFence::signaled_stub()));
        }
        Ok(())
    }

    fn timeline_array_args(
        &self,
        a: &drm_syncobj_timeline_array,
        caller: &dyn ClientMemory,
        allowed_flags: u32,
    ) -> Result<(Vec<Arc<Syncobj>>, Vec<u64>)> {
        if a.flags & !allowed_flags != 0 || a.count_handles == 0 {
            return Err(Errno::EINVAL);
        }
        let objs = self.syncobj_array(caller, a.handles, a.count_handles)?;
        let points = Self::read_points(caller, a.points, a.count_handles)?;
        Ok((objs, points))
    }

    /// IOCTL: syncobj_timeline_signal: Signal points of timeline syncobjs.
    pub(crate) fn syncobj_timeline_signal(
        &self,
        a: &mut drm_syncobj_timeline_array,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let (objs, points) = self.timeline_array_args(a, caller, 0)?;
        for (s, p) in objs.iter().zip(points) {
            let stub = DmaFence::signaled_stub();
            if p == 0 {
                s.replace_fence(Some(stub));
            } else {
                s.add_point(stub, p)?;
            }
        }
        Ok(())
    }

    /// IOCTL: syncobj_query: the last signalled point of each timeline (or, with
    /// LAST_SUBMITTED, the last submitted one).
    pub(crate) fn syncobj_query(
        &self,
        a: &mut drm_syncobj_timeline_array,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let (objs, _) =
            self.timeline_array_args(a, caller, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED)?;
        let mut out = Vec::with_capacity(objs.len() * 8);
        for s in &objs {
            let point = match s.fence() {
                Some(f) if f.is_chain() => {
                    if a.flags & DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED != 0 {
                        f.seqno()
                    } else {
                        last_signaled_point(&f)
                    }
                }
                _ => 0,
            };
            out.extend_from_slice(&point.to_ne_bytes());
        }
        caller.write(a.points, &out)
    }

    /// IOCTL: syncobj_transfer: Copy the fence of one point to another syncobj or point.
    pub(crate) fn syncobj_transfer(
        &self,
        a: &mut drm_syncobj_transfer,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        if a.pad != 0 {
            return Err(Errno::EINVAL);
        }
        let src = self.syncobj(a.src_handle).ok_or(Errno::ENOENT)?;
        if a.flags & !DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT != 0 {
            return Err(Errno::EINVAL);
        }
        let fence = src.fence_for(a.src_point)?.ok_or(Errno::EINVAL)?;
        let dst = self.syncobj(a.dst_handle).ok_or(Errno::ENOENT)?;
        if a.dst_point != 0 {
            // A chain cannot hold a chain: take the point's own fence.
            let inner = match fence.chain_fence() {
                Some(f) => f.clone(),
                None => fence,
            };
            dst.add_point(inner, a.dst_point)
        } else {
            dst.replace_fence(Some(fence));
            Ok(())
        }
    }
}

/// The highest point of a timeline that has signalled: walk back from the newest
/// point to the first signalled one.
fn last_signaled_point(head: &Arc<DmaFence>) -> u64 {
    let mut cur = head.clone();
    loop {
        if cur.is_signaled() {
            return cur.seqno();
        }
        match cur.chain_prev() {
            Some(p) if p.is_chain() && p.context() == head.context() => cur = p,
            Some(p) if p.is_signaled() => return p.seqno(),
            _ => return 0,
        }
    }
}

/// Put `fence` into syncobj `handle` of `file` as a submission would (tests and
/// benchmarks: execbuf is the real producer).
pub fn replace_for_test(file: &File, handle: u32, fence: Option<Arc<DmaFence>>) {
    if let Some(s) = file.syncobj(handle) {
        s.replace_fence(fence);
    }
}

/// SYNCOBJ_FD_TO_HANDLE's argument checks (before the fd is looked at).
pub(crate) fn syncobj_import_checks(a: &drm_syncobj_handle) -> Result<()> {
    if a.pad != 0 {
        return Err(Errno::EINVAL);
    }
    if a.flags != 0 && a.flags != DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE {
        return Err(Errno::EINVAL);
    }
    Ok(())
}
