//! Fence fds through the shim: SYNCOBJ_HANDLE_TO_FD / FD_TO_HANDLE (opaque and
//! sync_file), execbuf FENCE_IN / FENCE_OUT, SYNC_IOC_MERGE; each becomes gemu's own
//! call with ids where the kernel takes or gives fds, plus an `open` of the daemon's
//! file here (`uapi::gemu`). GETPARAM HAS_EXEC_FENCE (and PRIME's HAS_PRIME_VMAP_FLUSH)
//! say yes: with the shim, they work. GETPARAM's fixed answers come from the shim's
//! copy of them (`params`).

use std::ffi::{c_int, c_ulong, c_void};

use uapi::*;

use crate::fd_files::{self, Kind};
use crate::ioctl::{raw_ioctl, read_own, write_own};
use crate::nodes::fail;

/// The node ioctls this module answers.
pub fn is_fence_call(cmd: u32) -> bool {
    matches!(
        cmd,
        DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD
            | DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE
            | DRM_IOCTL_I915_GEM_EXECBUFFER2
            | DRM_IOCTL_I915_GEM_EXECBUFFER2_WR
    )
}

/// One of [`is_fence_call`]'s commands on node `fd`.
///
/// # Safety
/// `arg` is the caller's pointer (not null).
pub unsafe fn ioctl(fd: c_int, request: c_ulong, arg: *mut c_void) -> c_int {
    // SAFETY: each reads the struct with `read_own` (EFAULT, not a crash).
    unsafe {
        match request as u32 {
            DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD => syncobj_handle_to_fd(fd, arg),
            DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE => syncobj_fd_to_handle(fd, arg),
            _ => execbuffer2(fd, request, arg),
        }
    }
}

unsafe fn syncobj_handle_to_fd(fd: c_int, arg: *mut c_void) -> c_int {
    let mut a = drm_syncobj_handle::default();
    if !read_own(arg, &mut a) {
        return fail(libc::EFAULT);
    }
    // SAFETY: `a` is a valid struct for the call.
    let r = unsafe {
        raw_ioctl(
            fd,
            DRM_IOCTL_GEMU_SYNCOBJ_EXPORT as c_ulong,
            (&mut a as *mut drm_syncobj_handle).cast(),
        )
    };
    if r < 0 {
        return r;
    }
    let kind = if a.flags & DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE != 0 {
        Kind::SyncFile
    } else {
        Kind::Syncobj
    };
    // drm_syncobj_handle_to_fd / sync_file export: always close-on-exec.
    hand_over(kind, a.fd as u64, arg, &mut a, |a, fd| a.fd = fd)
}

/// Opens object `id`, which the daemon has just made (a sync_file or a syncobj), as a
/// close-on-exec fd of this process, stores the fd in `out` with `set` and copies `out`
/// back to the caller's `arg`. When that copy faults the fd is closed again (the
/// kernel's put_unused_fd) and the call says EFAULT.
pub(crate) fn hand_over<T: bytemuck::Pod>(
    kind: Kind,
    id: u64,
    arg: *mut c_void,
    out: &mut T,
    set: impl FnOnce(&mut T, c_int),
) -> c_int {
    let new_fd = fd_files::open(kind, id, libc::O_RDONLY | libc::O_CLOEXEC);
    if new_fd < 0 {
        return -1;
    }
    set(out, new_fd);
    if !write_own(arg, out) {
        // SAFETY: our own fd, not handed out.
        unsafe { libc::syscall(libc::SYS_close, new_fd) };
        return fail(libc::EFAULT);
    }
    0
}

unsafe fn syncobj_fd_to_handle(fd: c_int, arg: *mut c_void) -> c_int {
    let mut a = drm_syncobj_handle::default();
    if !read_own(arg, &mut a) {
        return fail(libc::EFAULT);
    }
    let kind = if a.flags & DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE != 0 {
        Kind::SyncFile
    } else {
        Kind::Syncobj
    };
    // The device checks pad and flags first, as the kernel does.
    if a.pad != 0 || a.flags & !DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE != 0 {
        return fail(libc::EINVAL);
    }
    let id = match fd_files::id_of(a.fd, kind) {
        Ok(Some(id)) => id,
        // A file of another kind, or no file: drm_syncobj_fd_to_handle's EINVAL.
        _ => return fail(libc::EINVAL),
    };
    let user_fd = a.fd;
    a.fd = id as i32;
    // SAFETY: `a` is a valid struct for the call.
    let r = unsafe {
        raw_ioctl(
            fd,
            DRM_IOCTL_GEMU_SYNCOBJ_IMPORT as c_ulong,
            (&mut a as *mut drm_syncobj_handle).cast(),
        )
    };
    if r < 0 {
        return r;
    }
    a.fd = user_fd;
    if !write_own(arg, &a) {
        return fail(libc::EFAULT);
    }
    0
}

/// The GETPARAMs whose feature the shim makes work (the device alone says 0): exec
/// fence fds (FENCE_IN / FENCE_OUT, and FENCE_SUBMIT), and PRIME (HAS_PRIME_VMAP_FLUSH
/// goes with DRM_CAP_PRIME).
const SHIM_PARAMS: [(i32, i32); 3] = [
    (I915_PARAM_HAS_EXEC_FENCE, 1),
    (I915_PARAM_HAS_EXEC_SUBMIT_FENCE, 1),
    (I915_PARAM_HAS_PRIME_VMAP_FLUSH, 1),
];

/// GETPARAM on node `fd` (whose `fstat` is `st`).
///
/// # Safety
/// `arg` is the caller's pointer (not null).
pub unsafe fn getparam(fd: c_int, st: &libc::stat, request: c_ulong, arg: *mut c_void) -> c_int {
    let mut a = drm_i915_getparam::default();
    if !read_own(arg, &mut a) {
        return fail(libc::EFAULT);
    }
    let shim_value = SHIM_PARAMS.iter().find(|(p, _)| *p == a.param).map(|p| p.1);
    let value = match crate::params::fixed(fd, st, a.param) {
        Some(Err(e)) => return fail(e),
        Some(Ok(v)) => shim_value.unwrap_or(v),
        None => {
            // SAFETY: forwarded: the device answers (and checks) it first.
            let r = unsafe { raw_ioctl(fd, request, arg) };
            match shim_value {
                Some(v) if r == 0 => v,
                _ => return r,
            }
        }
    };
    if !write_own(a.value as *mut c_void, &value) {
        return fail(libc::EFAULT);
    }
    0
}

unsafe fn execbuffer2(fd: c_int, request: c_ulong, arg: *mut c_void) -> c_int {
    const FENCES: u64 = I915_EXEC_FENCE_IN | I915_EXEC_FENCE_SUBMIT | I915_EXEC_FENCE_OUT;
    let mut a = drm_i915_gem_execbuffer2::default();
    if !read_own(arg, &mut a) || a.flags & FENCES == 0 {
        // SAFETY: forwarded: no fence fds, nothing to translate.
        return unsafe { raw_ioctl(fd, request, arg) };
    }
    let user_rsvd2 = a.rsvd2;
    if a.flags & (I915_EXEC_FENCE_IN | I915_EXEC_FENCE_SUBMIT) != 0 {
        match fd_files::id_of(a.rsvd2 as u32 as i32, Kind::SyncFile) {
            Ok(Some(id)) => a.rsvd2 = (a.rsvd2 & !0xffff_ffff) | id,
            // sync_file_get_fence: not a sync_file (or no file at all).
            _ => return fail(libc::EINVAL),
        }
    }
    // SAFETY: `a` is a valid struct; its pointers are the caller's, read by the device.
    let r = unsafe {
        raw_ioctl(
            fd,
            DRM_IOCTL_GEMU_EXECBUFFER2 as c_ulong,
            (&mut a as *mut drm_i915_gem_execbuffer2).cast(),
        )
    };
    if r < 0 {
        return r;
    }
    let out_id = a.rsvd2 >> 32;
    a.rsvd2 = user_rsvd2;
    if a.flags & I915_EXEC_FENCE_OUT != 0 {
        let new_fd = fd_files::open(Kind::SyncFile, out_id, libc::O_RDONLY | libc::O_CLOEXEC);
        if new_fd < 0 {
            return -1;
        }
        a.rsvd2 = (user_rsvd2 & 0xffff_ffff) | ((new_fd as u64) << 32);
    }
    // The kernel copies the struct back for the _WR form only.
    if request as u32 == DRM_IOCTL_I915_GEM_EXECBUFFER2_WR && !write_own(arg, &a) {
        return fail(libc::EFAULT);
    }
    0
}

/// SYNC_IOC_MERGE on `fd`: if it is one of gemu's sync_files, the device merges (by
/// ids) and the new sync_file is opened here; any other file goes to the kernel.
///
/// # Safety
/// `arg` is the caller's pointer (not null).
pub unsafe fn sync_merge(fd: c_int, request: c_ulong, arg: *mut c_void) -> c_int {
    let first = match fd_files::id_of(fd, Kind::SyncFile) {
        Ok(Some(_)) => fd,
        // SAFETY: forwarded untouched.
        _ => return unsafe { raw_ioctl(fd, request, arg) },
    };
    let mut m = sync_merge_data::default();
    if !read_own(arg, &mut m) {
        return fail(libc::EFAULT);
    }
    let user_fd2 = m.fd2;
    match fd_files::id_of(m.fd2, Kind::SyncFile) {
        Ok(Some(id)) => m.fd2 = id as i32,
        // sync_file_fdget: not a sync_file.
        _ => return fail(libc::ENOENT),
    }
    // SAFETY: `m` is a valid struct for the call, on the first sync_file's fd.
    let r = unsafe {
        raw_ioctl(
            first,
            GEMU_SYNC_IOC_MERGE as c_ulong,
            (&mut m as *mut sync_merge_data).cast(),
        )
    };
    if r < 0 {
        return r;
    }
    m.fd2 = user_fd2;
    hand_over(Kind::SyncFile, m.fence as u64, arg, &mut m, |m, fd| {
        m.fence = fd
    })
}
