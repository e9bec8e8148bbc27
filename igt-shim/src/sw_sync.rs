//! sw_sync timelines (the daemon's `sw_sync` file, at `/sys/kernel/debug/sync/sw_sync`
//! under `gemu run`): SW_SYNC_IOC_CREATE_FENCE answers a new sync_file fd, which the
//! daemon cannot make, so it becomes gemu's own CREATE_FENCE (answering the sync_file's
//! id) plus an `open` here. SW_SYNC_IOC_INC goes to the daemon as it is.

use std::ffi::{c_int, c_ulong, c_void};

use uapi::*;

use crate::fd_files::Kind;
use crate::ioctl::{raw_ioctl, read_own};
use crate::nodes::{self, fail, raw_fstat};

/// Whether `fd` is an open of gemu's sw_sync file.
fn is_timeline(fd: c_int) -> bool {
    if nodes::table().is_empty() {
        return false;
    }
    raw_fstat(fd).is_ok_and(|st| nodes::is_gemu_dev(st.st_dev) && st.st_ino == GEMU_SW_SYNC_INO)
}

/// SW_SYNC_IOC_CREATE_FENCE on `fd`; any file but gemu's timelines goes to the kernel.
///
/// # Safety
/// `arg` is the caller's pointer (not null).
pub unsafe fn create_fence(fd: c_int, request: c_ulong, arg: *mut c_void) -> c_int {
    if !is_timeline(fd) {
        // SAFETY: forwarded untouched.
        return unsafe { raw_ioctl(fd, request, arg) };
    }
    let mut d = sw_sync_create_fence_data::default();
    if !read_own(arg, &mut d) {
        return fail(libc::EFAULT);
    }
    // SAFETY: `d` is a valid struct for the call.
    let r = unsafe {
        raw_ioctl(
            fd,
            GEMU_SW_SYNC_IOC_CREATE_FENCE as c_ulong,
            (&mut d as *mut sw_sync_create_fence_data).cast(),
        )
    };
    if r < 0 {
        return r;
    }
    // sw_sync's fds are close-on-exec.
    crate::fences::hand_over(Kind::SyncFile, d.fence as u64, arg, &mut d, |d, fd| {
        d.fence = fd
    })
}
