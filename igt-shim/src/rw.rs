//! GEM_PREAD and GEM_PWRITE copied in the program's own process. The daemon makes every
//! check of the call, waits for the GPU and flushes domains (`DRM_IOCTL_GEMU_RW`), then
//! answers where the bytes lie in the aperture memfd, and the shim copies.
//!
//! The fast copy is a `memcpy` through the shim's window on the memfd: one shared
//! mapping of the whole file at offset 0, made at the first copy (the daemon's mapping
//! probe knows a mapping at offset 0 for this window: no object lives there, so it keeps
//! no freed range alive). The program's buffer is first checked by populating its page
//! tables (`MADV_POPULATE_READ`/`WRITE`), which fails where an access would fault. When
//! the check fails, or the window cannot be made, the copy is `pread`/`pwrite` on the
//! memfd: a copy that meets an unmapped page stops there with the bytes before it
//! copied and the call fails with EFAULT, as i915's `copy_to_user`/`copy_from_user`
//! loops do. Where the memfd cannot be had, or the daemon asks for it, the ordinary
//! call is made and the daemon copies. (A buffer unmapped by another thread between the
//! check and the copy faults as the program's own access would.)

use std::ffi::{c_int, c_ulong, c_void, CString};
use std::sync::{Mutex, OnceLock};

use uapi::gemu::{gemu_rw, DRM_IOCTL_GEMU_RW, GEMU_RW_SOCKET_ENV, GEMU_RW_WRITE};
use uapi::*;

use crate::ioctl::{raw_ioctl, read_own};
use crate::nodes::{errno, fail, node_of_fd, raw_fstat};

/// The socket `gemu run` named for copies, read once.
fn socket_path() -> Option<&'static CString> {
    static PATH: OnceLock<Option<CString>> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::var_os(GEMU_RW_SOCKET_ENV)
            .filter(|p| !p.is_empty())
            .and_then(|p| CString::new(p.into_encoded_bytes()).ok())
    })
    .as_ref()
}

/// PREAD (`write` false) or PWRITE on `fd` copied here; `None` when the ordinary call
/// must be made instead (not gemu's node, no memfd, a zero-size call, or the daemon's
/// say).
///
/// # Safety
/// `arg` is the caller's pointer, as given to `ioctl`.
pub(crate) unsafe fn copy(fd: c_int, arg: *mut c_void, write: bool) -> Option<c_int> {
    // PREAD's and PWRITE's structs have the same layout.
    const _: () = assert!(size_of::<drm_i915_gem_pread>() == size_of::<drm_i915_gem_pwrite>());
    let path = match node_of_fd(fd) {
        Some(_) => socket_path()?.clone(),
        None => crate::aperture::cuse_socket(fd)?,
    };
    let mut a = drm_i915_gem_pwrite::default();
    // A bad struct pointer: the kernel's own EFAULT, from the ordinary call.
    if !read_own(arg, &mut a) || a.size == 0 {
        return None;
    }
    let memfd = crate::aperture::memfd(&path, fd).ok()?;
    let mut rw = gemu_rw {
        handle: a.handle,
        flags: if write { GEMU_RW_WRITE } else { 0 },
        offset: a.offset,
        size: a.size,
        data_ptr: a.data_ptr,
        aperture_offset: 0,
    };
    // SAFETY: `rw` is a valid struct for the call, copied in and out by the kernel.
    let r = unsafe { raw_ioctl(fd, DRM_IOCTL_GEMU_RW as c_ulong, (&raw mut rw).cast()) };
    if r < 0 {
        return Some(r);
    }
    if rw.aperture_offset == 0 {
        return None;
    }
    if let Some(r) = copy_in_window(memfd, write, a.data_ptr, a.size, rw.aperture_offset) {
        return Some(r);
    }
    Some(copy_through(
        memfd,
        write,
        a.data_ptr,
        a.size,
        rw.aperture_offset,
    ))
}

/// A window on a memfd: (st_dev, st_ino, address, length).
type Window = (u64, u64, usize, u64);

/// The windows this process made, one per memfd (a CUSE daemon's differs from `gemu
/// run`'s); a window is never unmapped.
static WINDOWS: Mutex<Vec<Window>> = Mutex::new(Vec::new());

/// The address and length of this process's window on `memfd`, made at first use.
fn window(memfd: c_int) -> Option<(usize, u64)> {
    let st = raw_fstat(memfd).ok()?;
    let mut windows = WINDOWS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(w) = windows
        .iter()
        .find(|w| w.0 == st.st_dev && w.1 == st.st_ino)
    {
        return Some((w.2, w.3));
    }
    let len = u64::try_from(st.st_size).ok()?;
    // SAFETY: a new shared mapping of the memfd (address space only until touched); no
    // existing memory is affected.
    let addr = unsafe {
        libc::syscall(
            libc::SYS_mmap,
            std::ptr::null_mut::<c_void>(),
            len as usize,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_NORESERVE,
            memfd,
            0,
        )
    };
    if addr == -1 {
        return None;
    }
    // A core dump of the program must not walk 32 TiB of window.
    // SAFETY: advice on the mapping just made.
    unsafe { libc::syscall(libc::SYS_madvise, addr, len as usize, libc::MADV_DONTDUMP) };
    windows.push((st.st_dev, st.st_ino, addr as usize, len));
    Some((addr as usize, len))
}

/// The copy as a `memcpy` through the window, once the program's buffer is known to be
/// accessible; `None` when it cannot be made that way.
fn copy_in_window(memfd: c_int, write: bool, ptr: u64, size: u64, at: u64) -> Option<c_int> {
    let (base, len) = window(memfd)?;
    if at.checked_add(size).is_none_or(|end| end > len) {
        return None;
    }
    let page = 4096u64;
    let start = ptr & !(page - 1);
    let end = ptr.checked_add(size)?.checked_next_multiple_of(page)?;
    // Reading the buffer (PWRITE) needs it readable, writing it (PREAD) writable.
    let advice = if write {
        libc::MADV_POPULATE_READ
    } else {
        libc::MADV_POPULATE_WRITE
    };
    // SAFETY: advice only: page tables are filled where the program could fault them in.
    let r = unsafe { libc::syscall(libc::SYS_madvise, start, end - start, advice) };
    if r != 0 {
        return None;
    }
    let object = (base as u64 + at) as *mut u8;
    let buffer = ptr as *mut u8;
    // SAFETY: the object's range lies inside the window; the buffer was just found
    // accessible for this access. The two may overlap only if the program passed a
    // mapping of the same object, which i915's copy would not mind either: `copy` (a
    // memmove) is used.
    unsafe {
        if write {
            std::ptr::copy(buffer, object, size as usize);
        } else {
            std::ptr::copy(object, buffer, size as usize);
        }
    }
    Some(0)
}

/// Copy `size` bytes between the program's buffer at `ptr` and the memfd at `at`: 0, or
/// -1 with EFAULT where the buffer stops being accessible.
fn copy_through(memfd: c_int, write: bool, ptr: u64, size: u64, at: u64) -> c_int {
    let call = if write {
        libc::SYS_pwrite64
    } else {
        libc::SYS_pread64
    };
    let mut done = 0u64;
    while done < size {
        // SAFETY: the kernel checks the program's buffer (EFAULT, or a short count at
        // the first page it cannot reach); the memfd range is the object's.
        let n = unsafe {
            libc::syscall(
                call,
                memfd,
                (ptr + done) as *mut c_void,
                (size - done) as usize,
                (at + done) as i64,
            )
        };
        if n > 0 {
            done += n as u64;
        } else if n < 0 && errno() == libc::EINTR {
            continue;
        } else {
            return fail(libc::EFAULT);
        }
    }
    0
}
