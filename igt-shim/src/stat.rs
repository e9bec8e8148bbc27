//! The `stat` family: gemu's nodes report a DRM character device.
//!
//! Every symbol a program may bind is here: `stat`/`lstat`/`fstat`/`fstatat` and their
//! `64` twins (one struct on 64-bit Linux), `statx`, and the `__xstat` family that
//! binaries built against glibc < 2.33 call. Each makes the system call itself and then
//! rewrites the answer only if its `(st_dev, st_ino)` is one of gemu's nodes.

use std::ffi::{c_char, c_int, c_uint};

use crate::nodes::{self, DRM_MAJOR};

/// What a DRM node's mode is: a character device anyone may open (i915's nodes are
/// 0666 under udev's default rules as gemu's FUSE files are).
const NODE_MODE: u32 = libc::S_IFCHR | 0o666;

/// Rewrite `st` if it describes one of gemu's nodes.
fn patch_stat(st: &mut libc::stat) {
    if let Some(node) = nodes::find(st.st_dev, st.st_ino) {
        st.st_mode = NODE_MODE;
        st.st_rdev = libc::makedev(DRM_MAJOR, node.minor);
        st.st_size = 0;
    }
}

/// Rewrite `stx` if it describes one of gemu's nodes (and says who it is).
fn patch_statx(stx: &mut libc::statx) {
    if stx.stx_mask & libc::STATX_INO == 0 {
        return;
    }
    let dev = libc::makedev(stx.stx_dev_major, stx.stx_dev_minor);
    if let Some(node) = nodes::find(dev, stx.stx_ino) {
        stx.stx_mode = NODE_MODE as u16;
        stx.stx_rdev_major = DRM_MAJOR;
        stx.stx_rdev_minor = node.minor;
        stx.stx_size = 0;
    }
}

/// `newfstatat(2)` and the patch; the result as libc's wrappers give it (-1 and errno).
///
/// # Safety
/// `path` is a C string (or null with `AT_EMPTY_PATH`), `buf` points to a `struct stat`.
unsafe fn fstatat_raw(
    dirfd: c_int,
    path: *const c_char,
    buf: *mut libc::stat,
    flags: c_int,
) -> c_int {
    // SAFETY: the caller's pointers go to the kernel as they came; it checks them (EFAULT).
    let r = unsafe { libc::syscall(libc::SYS_newfstatat, dirfd, path, buf, flags) } as c_int;
    if r == 0 {
        // SAFETY: the kernel filled `*buf` (it would have failed with EFAULT otherwise).
        patch_stat(unsafe { &mut *buf });
    }
    r
}

/// `fstat(2)` and the patch.
///
/// # Safety
/// `buf` points to a `struct stat`.
unsafe fn fstat_raw(fd: c_int, buf: *mut libc::stat) -> c_int {
    // SAFETY: as in `fstatat_raw`.
    let r = unsafe { libc::syscall(libc::SYS_fstat, fd, buf) } as c_int;
    if r == 0 {
        // SAFETY: the kernel filled `*buf`.
        patch_stat(unsafe { &mut *buf });
    }
    r
}

/// `stat(2)`.
///
/// # Safety
/// As libc's: `path` is a C string, `buf` points to a `struct stat`.
#[no_mangle]
pub unsafe extern "C" fn stat(path: *const c_char, buf: *mut libc::stat) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(libc::AT_FDCWD, path, buf, 0) }
}

/// `stat64(2)`: the same struct on 64-bit Linux.
///
/// # Safety
/// As [`stat`].
#[no_mangle]
pub unsafe extern "C" fn stat64(path: *const c_char, buf: *mut libc::stat) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(libc::AT_FDCWD, path, buf, 0) }
}

/// `lstat(2)`.
///
/// # Safety
/// As [`stat`].
#[no_mangle]
pub unsafe extern "C" fn lstat(path: *const c_char, buf: *mut libc::stat) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(libc::AT_FDCWD, path, buf, libc::AT_SYMLINK_NOFOLLOW) }
}

/// `lstat64(2)`.
///
/// # Safety
/// As [`stat`].
#[no_mangle]
pub unsafe extern "C" fn lstat64(path: *const c_char, buf: *mut libc::stat) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(libc::AT_FDCWD, path, buf, libc::AT_SYMLINK_NOFOLLOW) }
}

/// `fstat(2)`.
///
/// # Safety
/// As libc's: `buf` points to a `struct stat`.
#[no_mangle]
pub unsafe extern "C" fn fstat(fd: c_int, buf: *mut libc::stat) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstat_raw(fd, buf) }
}

/// `fstat64(2)`.
///
/// # Safety
/// As [`fstat`].
#[no_mangle]
pub unsafe extern "C" fn fstat64(fd: c_int, buf: *mut libc::stat) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstat_raw(fd, buf) }
}

/// `fstatat(2)`.
///
/// # Safety
/// As libc's: `path` is a C string (empty with `AT_EMPTY_PATH`), `buf` a `struct stat`.
#[no_mangle]
pub unsafe extern "C" fn fstatat(
    dirfd: c_int,
    path: *const c_char,
    buf: *mut libc::stat,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(dirfd, path, buf, flags) }
}

/// `fstatat64(2)`.
///
/// # Safety
/// As [`fstatat`].
#[no_mangle]
pub unsafe extern "C" fn fstatat64(
    dirfd: c_int,
    path: *const c_char,
    buf: *mut libc::stat,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(dirfd, path, buf, flags) }
}

/// `statx(2)`.
///
/// # Safety
/// As libc's: `path` is a C string, `buf` points to a `struct statx`.
#[no_mangle]
pub unsafe extern "C" fn statx(
    dirfd: c_int,
    path: *const c_char,
    flags: c_int,
    mask: c_uint,
    buf: *mut libc::statx,
) -> c_int {
    // SAFETY: the caller's pointers go to the kernel, which checks them.
    let r = unsafe { libc::syscall(libc::SYS_statx, dirfd, path, flags, mask, buf) } as c_int;
    if r == 0 {
        // SAFETY: the kernel filled `*buf`.
        patch_statx(unsafe { &mut *buf });
    }
    r
}

// glibc < 2.33 compiled `stat(p, b)` into `__xstat(_STAT_VER, p, b)`; glibc 2.36 still
// exports these for old binaries. `_STAT_VER` names the struct layout, which is the
// kernel's on x86-64 and aarch64: the version is not needed.

/// `__xstat`: old binaries' `stat`.
///
/// # Safety
/// As [`stat`].
#[no_mangle]
pub unsafe extern "C" fn __xstat(_ver: c_int, path: *const c_char, buf: *mut libc::stat) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(libc::AT_FDCWD, path, buf, 0) }
}

/// `__xstat64`.
///
/// # Safety
/// As [`stat`].
#[no_mangle]
pub unsafe extern "C" fn __xstat64(
    _ver: c_int,
    path: *const c_char,
    buf: *mut libc::stat,
) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(libc::AT_FDCWD, path, buf, 0) }
}

/// `__lxstat`: old binaries' `lstat`.
///
/// # Safety
/// As [`stat`].
#[no_mangle]
pub unsafe extern "C" fn __lxstat(_ver: c_int, path: *const c_char, buf: *mut libc::stat) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(libc::AT_FDCWD, path, buf, libc::AT_SYMLINK_NOFOLLOW) }
}

/// `__lxstat64`.
///
/// # Safety
/// As [`stat`].
#[no_mangle]
pub unsafe extern "C" fn __lxstat64(
    _ver: c_int,
    path: *const c_char,
    buf: *mut libc::stat,
) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(libc::AT_FDCWD, path, buf, libc::AT_SYMLINK_NOFOLLOW) }
}

/// `__fxstat`: old binaries' `fstat`.
///
/// # Safety
/// As [`fstat`].
#[no_mangle]
pub unsafe extern "C" fn __fxstat(_ver: c_int, fd: c_int, buf: *mut libc::stat) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstat_raw(fd, buf) }
}

/// `__fxstat64`.
///
/// # Safety
/// As [`fstat`].
#[no_mangle]
pub unsafe extern "C" fn __fxstat64(_ver: c_int, fd: c_int, buf: *mut libc::stat) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstat_raw(fd, buf) }
}

/// `__fxstatat`: old binaries' `fstatat`.
///
/// # Safety
/// As [`fstatat`].
#[no_mangle]
pub unsafe extern "C" fn __fxstatat(
    _ver: c_int,
    dirfd: c_int,
    path: *const c_char,
    buf: *mut libc::stat,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(dirfd, path, buf, flags) }
}

/// `__fxstatat64`.
///
/// # Safety
/// As [`fstatat`].
#[no_mangle]
pub unsafe extern "C" fn __fxstatat64(
    _ver: c_int,
    dirfd: c_int,
    path: *const c_char,
    buf: *mut libc::stat,
    flags: c_int,
) -> c_int {
    // SAFETY: forwarded from the caller's contract.
    unsafe { fstatat_raw(dirfd, path, buf, flags) }
}
