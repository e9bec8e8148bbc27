//! `mmap` of gemu's files. A dma-buf fd maps its object (offset 0 = the object's first
//! byte). A node's mapping is checked with the daemon first: the kernel would refuse a
//! file that was never given the offset (`EACCES`) or a range that is no object's
//! (`EINVAL`), but a passthrough mmap never reaches the daemon, so the shim asks.

use std::ffi::{c_int, c_ulong, c_void};

use uapi::gemu::{gemu_mmap_check, DRM_IOCTL_GEMU_MMAP_CHECK};

use crate::ioctl::raw_ioctl;
use crate::nodes::{fail, node_of_fd};

/// `mmap(2)`.
///
/// # Safety
/// As libc's: mapping over `addr` with MAP_FIXED is the caller's business.
#[no_mangle]
pub unsafe extern "C" fn mmap(
    addr: *mut c_void,
    len: usize,
    prot: c_int,
    flags: c_int,
    fd: c_int,
    offset: i64,
) -> *mut c_void {
    let mut offset = offset;
    if flags & libc::MAP_ANONYMOUS == 0 {
        if let Some(r) = crate::dma_buf::map_offset(fd, offset, len) {
            match r {
                Ok(at) => offset = at,
                Err(e) => {
                    fail(e);
                    return libc::MAP_FAILED;
                }
            }
        } else if node_of_fd(fd).is_some() {
            let mut check = gemu_mmap_check {
                offset: offset as u64,
                len: len as u64,
            };
            // SAFETY: the daemon reads the struct through this pointer and writes nothing.
            let r = unsafe {
                raw_ioctl(
                    fd,
                    DRM_IOCTL_GEMU_MMAP_CHECK as c_ulong,
                    (&raw mut check).cast(),
                )
            };
            if r < 0 {
                return libc::MAP_FAILED;
            }
        }
    }
    // SAFETY: the caller's arguments, as libc's mmap would pass them.
    let r = unsafe { libc::syscall(libc::SYS_mmap, addr, len, prot, flags, fd, offset) };
    r as *mut c_void
}

/// `mmap64(2)`.
///
/// # Safety
/// As [`mmap`].
#[no_mangle]
pub unsafe extern "C" fn mmap64(
    addr: *mut c_void,
    len: usize,
    prot: c_int,
    flags: c_int,
    fd: c_int,
    offset: i64,
) -> *mut c_void {
    // SAFETY: forwarded.
    unsafe { mmap(addr, len, prot, flags, fd, offset) }
}
