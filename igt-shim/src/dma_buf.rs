//! dma-buf fds in the program: opens of the daemon's `dmabuf/<id>` files. The shim
//! makes them (PRIME_HANDLE_TO_FD), recognises them (PRIME_FD_TO_HANDLE, by inode),
//! and gives `lseek` and `mmap` on them dma-buf's meaning: `lseek` answers the size
//! (`dma_buf_llseek`), `mmap` at offset 0 maps the object's first page.

use std::ffi::{c_int, c_void, CString};
use std::sync::OnceLock;

use uapi::{GEMU_DMABUF_DIR_ENV, GEMU_DMABUF_ID_SHIFT, GEMU_DMABUF_INO_BASE};

use crate::nodes::{self, fail, raw_fstat};

/// A dma-buf fd's id and the size of its object.
#[derive(Clone, Copy, Debug)]
pub struct DmaBuf {
    pub id: u64,
    pub size: u64,
}

/// The dma-buf `fd` is, if it is one of gemu's; `Err(errno)` when `fd` is no open file.
pub fn of_fd(fd: c_int) -> Result<Option<DmaBuf>, i32> {
    if nodes::table().is_empty() {
        return Ok(None);
    }
    let st = raw_fstat(fd)?;
    if !nodes::is_gemu_dev(st.st_dev) || st.st_ino < GEMU_DMABUF_INO_BASE {
        return Ok(None);
    }
    Ok(Some(DmaBuf {
        id: st.st_ino - GEMU_DMABUF_INO_BASE,
        size: st.st_size as u64,
    }))
}

/// Open dma-buf `id` as a new fd with `flags` (`O_RDWR`, `O_CLOEXEC`…).
pub fn open(id: u64, flags: c_int) -> c_int {
    static DIR: OnceLock<Option<String>> = OnceLock::new();
    let Some(dir) = DIR.get_or_init(|| std::env::var(GEMU_DMABUF_DIR_ENV).ok()) else {
        return fail(libc::ENODEV);
    };
    let Ok(path) = CString::new(format!("{dir}/{id}")) else {
        return fail(libc::EINVAL);
    };
    // SAFETY: `path` is a valid C string for the call.
    unsafe { libc::syscall(libc::SYS_openat, libc::AT_FDCWD, path.as_ptr(), flags, 0) as c_int }
}

/// `dma_buf_llseek`: only offset 0 from the start (0) or the end (the size).
fn llseek(buf: DmaBuf, offset: i64, whence: c_int) -> i64 {
    let base = match whence {
        libc::SEEK_END => buf.size as i64,
        libc::SEEK_SET => 0,
        _ => return fail(libc::EINVAL).into(),
    };
    if offset != 0 {
        return fail(libc::EINVAL).into();
    }
    base
}

/// `lseek(2)`.
///
/// # Safety
/// None beyond libc's: any fd may be passed.
#[no_mangle]
pub unsafe extern "C" fn lseek(fd: c_int, offset: i64, whence: c_int) -> i64 {
    match of_fd(fd) {
        Ok(Some(buf)) => llseek(buf, offset, whence),
        // SAFETY: plain values to the kernel.
        _ => unsafe { libc::syscall(libc::SYS_lseek, fd, offset, whence) },
    }
}

/// `lseek64(2)`: the same call on 64-bit Linux.
///
/// # Safety
/// As [`lseek`].
#[no_mangle]
pub unsafe extern "C" fn lseek64(fd: c_int, offset: i64, whence: c_int) -> i64 {
    // SAFETY: forwarded.
    unsafe { lseek(fd, offset, whence) }
}

/// `mmap(2)`: a dma-buf fd maps its object (offset 0 = the object's first byte).
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
        if let Ok(Some(buf)) = of_fd(fd) {
            // dma_buf_mmap_internal: the range must lie within the buffer.
            let pages = |n: u64| n.div_ceil(4096);
            if offset < 0 || pages(offset as u64 + len as u64) > pages(buf.size) {
                fail(libc::EINVAL);
                return libc::MAP_FAILED;
            }
            offset += (buf.id << GEMU_DMABUF_ID_SHIFT) as i64;
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
