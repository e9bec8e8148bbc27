//! Userptr pages are pinned at execbuf, from the submitting thread. i915's
//! `userptr_submit_init` pins every page of each userptr object in the list; a page not
//! there yet is faulted in, and a userfaultfd that watches it sees the fault and holds the
//! execbuf until it is served (IGT's gem_userptr_blits@userfault). The daemon reads the
//! pages from outside the process, where such faults are not delivered (the read just
//! fails), so the shim faults them in here first, with `MADV_POPULATE_WRITE`: a real access
//! in this process's context that fails with an error, never a signal, when the range is
//! gone.

use std::collections::HashMap;
use std::ffi::{c_int, c_void};
use std::sync::{LazyLock, Mutex};

use uapi::{drm_i915_gem_exec_object2, drm_i915_gem_execbuffer2, drm_i915_gem_userptr};

use crate::ioctl::{read_own, read_own_slice};

/// A userptr object the program made: its range. (Gen12 refuses READ_ONLY userptr, so
/// every range is pinned for writing.)
#[derive(Clone, Copy)]
struct Range {
    addr: u64,
    len: u64,
    /// The process that made it: only it may use the pages (a forked child that
    /// inherited this table gets EFAULT from the daemon, with nothing faulted in).
    pid: libc::pid_t,
}

/// The program's userptr objects, by (fd, handle).
static OBJECTS: LazyLock<Mutex<HashMap<(c_int, u32), Range>>> = LazyLock::new(Default::default);

fn objects() -> std::sync::MutexGuard<'static, HashMap<(c_int, u32), Range>> {
    OBJECTS.lock().unwrap_or_else(|e| e.into_inner())
}

/// GEM_USERPTR succeeded on `fd` with `args`.
pub(crate) fn created(fd: c_int, args: &drm_i915_gem_userptr) {
    let range = Range {
        addr: args.user_ptr,
        len: args.user_size,
        // SAFETY: no arguments.
        pid: unsafe { libc::getpid() },
    };
    objects().insert((fd, args.handle), range);
}

/// GEM_CLOSE of `handle` on `fd` succeeded.
pub(crate) fn closed(fd: c_int, handle: u32) {
    objects().remove(&(fd, handle));
}

/// Before EXECBUFFER2 on `fd` with the struct at `arg`: fault in the pages of every
/// userptr object in its list. Errors are left to the execbuf itself (a range that is
/// gone fails it with EFAULT there).
pub(crate) fn pin_for_execbuf(fd: c_int, arg: *const c_void) {
    if objects().is_empty() {
        return;
    }
    let mut eb = drm_i915_gem_execbuffer2::default();
    if !read_own(arg, &mut eb) {
        return;
    }
    // A count no execbuf accepts is left to the daemon to refuse (check_buffer_count).
    if eb.buffer_count == 0 || eb.buffer_count > 1 << 20 {
        return;
    }
    // The list is the caller's: read it without trusting the pointer.
    let Some(list) = read_own_slice::<drm_i915_gem_exec_object2>(
        eb.buffers_ptr as *const c_void,
        eb.buffer_count as usize,
    ) else {
        return;
    };
    // SAFETY: no arguments.
    let me = unsafe { libc::getpid() };
    let ours: Vec<Range> = {
        let objs = objects();
        list.iter()
            .filter_map(|o| objs.get(&(fd, o.handle)).copied())
            .filter(|r| r.pid == me)
            .collect()
    };
    for r in ours {
        // SAFETY: populating page tables changes no memory contents; a range that is
        // not mapped (any more) only makes the call fail.
        unsafe {
            libc::madvise(
                r.addr as *mut c_void,
                r.len as usize,
                libc::MADV_POPULATE_WRITE,
            )
        };
    }
}
