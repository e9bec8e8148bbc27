//! `mmap` of gemu's files. A dma-buf fd maps its object (offset 0 = the object's first
//! byte). A node's mapping is checked with the daemon first: the kernel would refuse a
//! file that was never given the offset (`EACCES`) or a range that is no object's
//! (`EINVAL`), but a passthrough mmap never reaches the daemon, so the shim asks.
//!
//! A purged object's mapping must raise SIGBUS (i915's fault handler cannot get its
//! pages). A passthrough mapping would read zeros, so such a mapping is made of an empty
//! memfd instead, where every access is past the end of the file: SIGBUS. The shim
//! remembers this process's node mappings, and when MADVISE says an object's pages are
//! gone it remaps the ones that show it the same way.
//!
//! Where the kernel cannot map a node at all (no FUSE passthrough), the shim maps the
//! aperture memfd itself, at the same offset (`aperture`).

use std::ffi::{c_int, c_ulong, c_void};
use std::sync::Mutex;

use uapi::gemu::{gemu_mmap_check, DRM_IOCTL_GEMU_MMAP_CHECK};

use crate::ioctl::raw_ioctl;
use crate::nodes::{fail, node_of_fd};

/// One mapping of a node made through this shim.
#[derive(Clone, Copy)]
struct NodeMap {
    addr: usize,
    len: usize,
    prot: c_int,
    fd: c_int,
    offset: i64,
}

static NODE_MAPS: Mutex<Vec<NodeMap>> = Mutex::new(Vec::new());

fn node_maps() -> std::sync::MutexGuard<'static, Vec<NodeMap>> {
    NODE_MAPS.lock().unwrap_or_else(|e| e.into_inner())
}

/// The daemon's answer for a mapping of `len` bytes at `offset` of node `fd`: whether
/// its object was purged, or `Err(errno)` when it may not be made.
fn check(fd: c_int, offset: i64, len: usize) -> Result<bool, c_int> {
    let mut c = gemu_mmap_check {
        offset: offset as u64,
        len: len as u64,
        ..Default::default()
    };
    // SAFETY: the daemon reads and writes the struct through this pointer.
    let r = unsafe {
        raw_ioctl(
            fd,
            DRM_IOCTL_GEMU_MMAP_CHECK as c_ulong,
            (&raw mut c).cast(),
        )
    };
    if r < 0 {
        return Err(crate::nodes::errno());
    }
    Ok(c.purged != 0)
}

/// Map `len` bytes of an empty memfd at `addr` (with the caller's flags): every access
/// faults with SIGBUS.
///
/// # Safety
/// As `mmap(2)` with these arguments.
unsafe fn map_sigbus(addr: *mut c_void, len: usize, prot: c_int, flags: c_int) -> *mut c_void {
    // SAFETY: a valid C string; the new fd is closed once the mapping holds the file.
    let memfd = unsafe { libc::memfd_create(c"gemu-purged".as_ptr(), libc::MFD_CLOEXEC) };
    if memfd < 0 {
        return libc::MAP_FAILED;
    }
    let flags = (flags & !libc::MAP_PRIVATE) | libc::MAP_SHARED;
    // SAFETY: the caller's address and length, the memfd at offset 0.
    let r = unsafe { libc::syscall(libc::SYS_mmap, addr, len, prot, flags, memfd, 0) };
    // SAFETY: our own fd.
    unsafe { libc::close(memfd) };
    r as *mut c_void
}

/// MADVISE on `fd` answered that an object's pages are gone: remap every mapping of
/// this process that shows a purged object, so touching it raises SIGBUS.
pub(crate) fn purged(fd: c_int) {
    let maps: Vec<NodeMap> = node_maps().iter().filter(|m| m.fd == fd).copied().collect();
    for m in maps {
        if check(m.fd, m.offset, m.len) == Ok(true) {
            // SAFETY: replaces this shim's own record of a mapping of the node, same
            // place, same size: the program's pointer into it stays valid address space.
            unsafe {
                map_sigbus(
                    m.addr as *mut c_void,
                    m.len,
                    m.prot,
                    libc::MAP_SHARED | libc::MAP_FIXED,
                )
            };
        }
    }
}

/// This process's node mappings made through the shim, as (address, length).
pub(crate) fn node_ranges() -> Vec<(u64, u64)> {
    node_maps()
        .iter()
        .map(|m| (m.addr as u64, m.len as u64))
        .collect()
}

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
    let mut node = false;
    let mut device_file = false;
    if flags & libc::MAP_ANONYMOUS == 0 {
        if let Some(r) = crate::dma_buf::map_offset(fd, offset, len) {
            match r {
                Ok(at) => {
                    offset = at;
                    device_file = true;
                }
                Err(e) => {
                    fail(e);
                    return libc::MAP_FAILED;
                }
            }
        } else if node_of_fd(fd).is_some() {
            match check(fd, offset, len) {
                Err(e) => {
                    fail(e);
                    return libc::MAP_FAILED;
                }
                // SAFETY: the caller's arguments but the file.
                Ok(true) => return unsafe { map_sigbus(addr, len, prot, flags) },
                Ok(false) => {
                    node = true;
                    device_file = true;
                }
            }
        }
    }
    let mut r = if device_file && crate::aperture::in_use() {
        // SAFETY: the caller's arguments, the memfd for the device's file.
        unsafe { crate::aperture::map(fd, addr, len, prot, flags, offset) as i64 }
    } else {
        // SAFETY: the caller's arguments, as libc's mmap would pass them.
        unsafe { libc::syscall(libc::SYS_mmap, addr, len, prot, flags, fd, offset) }
    };
    if r == -1 && !device_file && crate::nodes::errno() == libc::ENODEV {
        // A CUSE node: the kernel never maps one. Its daemon's socket gives the memfd.
        if let Some(socket) = crate::aperture::cuse_socket(fd) {
            match check(fd, offset, len) {
                Err(e) => {
                    fail(e);
                    return libc::MAP_FAILED;
                }
                // SAFETY: the caller's arguments but the file.
                Ok(true) => return unsafe { map_sigbus(addr, len, prot, flags) },
                Ok(false) => {
                    node = true;
                    // SAFETY: the caller's arguments, the memfd for the node.
                    r = unsafe {
                        crate::aperture::map_from(&socket, fd, addr, len, prot, flags, offset)
                    } as i64;
                }
            }
        }
    }
    if node && r != -1 {
        let at = r as usize;
        let mut maps = node_maps();
        maps.retain(|m| m.addr + m.len <= at || at + len <= m.addr);
        maps.push(NodeMap {
            addr: at,
            len,
            prot,
            fd,
            offset,
        });
    }
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

/// `munmap(2)`: forgets the node mappings it ends (any part of one ends the record).
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn munmap(addr: *mut c_void, len: usize) -> c_int {
    // SAFETY: the caller's arguments.
    let r = unsafe { libc::syscall(libc::SYS_munmap, addr, len) } as c_int;
    if r == 0 {
        let (at, end) = (addr as usize, addr as usize + len);
        let mut maps = node_maps();
        if !maps.is_empty() {
            maps.retain(|m| m.addr + m.len <= at || end <= m.addr);
        }
    }
    r
}

/// `mremap(2)`: a node mapping that moves or grows is remembered where it is now too (the
/// old record may stay: a record too many only costs a userptr execbuf its shortcut).
///
/// C declares it variadic; on x86-64 the optional fifth argument arrives in a register
/// like a fixed one (as `ioctl`'s third does), and it is read only with the flags that
/// say the caller passed it.
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn mremap(
    old: *mut c_void,
    old_len: usize,
    new_len: usize,
    flags: c_int,
    new_address: *mut c_void,
) -> *mut c_void {
    let target = if flags & (libc::MREMAP_FIXED | libc::MREMAP_DONTUNMAP) != 0 {
        new_address
    } else {
        std::ptr::null_mut()
    };
    // SAFETY: the caller's arguments.
    let r = unsafe { libc::syscall(libc::SYS_mremap, old, old_len, new_len, flags, target) };
    if r != -1 {
        let (at, end) = (old as usize, old as usize + old_len.max(1));
        let mut maps = node_maps();
        let moved: Vec<NodeMap> = maps
            .iter()
            .filter(|m| m.addr < end && at < m.addr + m.len)
            .copied()
            .collect();
        for m in moved {
            maps.push(NodeMap {
                addr: r as usize,
                len: new_len,
                ..m
            });
        }
    }
    r as *mut c_void
}
