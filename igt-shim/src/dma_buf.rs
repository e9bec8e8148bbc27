//! dma-buf fds in the program: opens of the daemon's `dmabuf/<id>` files. The shim
//! makes them (PRIME_HANDLE_TO_FD), recognises them (PRIME_FD_TO_HANDLE, by inode),
//! and gives `lseek` and `mmap` on them dma-buf's meaning: `lseek` answers the size
//! (`dma_buf_llseek`), `mmap` at offset 0 maps the object's first page.

use std::ffi::{c_int, c_ulong, c_void};

use uapi::*;

use crate::fd_files::{self, FdFile, Kind};
use crate::ioctl::{raw_ioctl, read_own};
use crate::nodes::fail;

/// The dma-buf `fd` is, if it is one of gemu's.
fn of_fd(fd: c_int) -> Option<FdFile> {
    fd_files::of_fd(fd)
        .ok()
        .flatten()
        .filter(|f| f.kind == Kind::DmaBuf)
}

/// `dma_buf_llseek`: only offset 0 from the start (0) or the end (the size).
fn llseek(buf: FdFile, offset: i64, whence: c_int) -> i64 {
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
        Some(buf) => llseek(buf, offset, whence),
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

/// Where a mapping of `len` bytes at `offset` of a dma-buf fd lies in the daemon's file
/// (which shows every object at its aperture offset): `None` when `fd` is no dma-buf of
/// gemu's, `Err(EINVAL)` when the range leaves the buffer (`dma_buf_mmap_internal`).
pub(crate) fn map_offset(fd: c_int, offset: i64, len: usize) -> Option<Result<i64, c_int>> {
    let buf = of_fd(fd)?;
    let pages = |n: u64| n.div_ceil(4096);
    if offset < 0 || pages(offset as u64 + len as u64) > pages(buf.size) {
        return Some(Err(libc::EINVAL));
    }
    Some(Ok(offset + (buf.id << GEMU_DMABUF_ID_SHIFT) as i64))
}

/// DMA_BUF_IOCTL_EXPORT_SYNC_FILE or IMPORT_SYNC_FILE on `fd`: on one of gemu's
/// dma-bufs, gemu's own halves with sync_file ids where the kernel has fds (the export
/// opens the new sync_file here); any other file goes to the kernel.
///
/// # Safety
/// `arg` is the caller's pointer (not null).
pub unsafe fn sync_file_ioctl(fd: c_int, request: c_ulong, arg: *mut c_void) -> c_int {
    if of_fd(fd).is_none() {
        // SAFETY: forwarded untouched.
        return unsafe { raw_ioctl(fd, request, arg) };
    }
    if request as u32 == DMA_BUF_IOCTL_EXPORT_SYNC_FILE {
        let mut a = dma_buf_export_sync_file::default();
        if !read_own(arg, &mut a) {
            return fail(libc::EFAULT);
        }
        // SAFETY: `a` is a valid struct for the call.
        let r = unsafe {
            raw_ioctl(
                fd,
                GEMU_DMA_BUF_IOCTL_EXPORT_SYNC_FILE as c_ulong,
                (&mut a as *mut dma_buf_export_sync_file).cast(),
            )
        };
        if r < 0 {
            return r;
        }
        // dma_buf_export_sync_file: a close-on-exec fd.
        return crate::fences::hand_over(Kind::SyncFile, a.fd as u64, arg, &mut a, |a, fd| {
            a.fd = fd
        });
    }
    let mut a = dma_buf_import_sync_file::default();
    if !read_own(arg, &mut a) {
        return fail(libc::EFAULT);
    }
    match fd_files::id_of(a.fd, Kind::SyncFile) {
        Ok(Some(id)) => a.fd = id as i32,
        // sync_file_get_fence: not a sync_file (or no file at all).
        _ => return fail(libc::EINVAL),
    }
    // SAFETY: `a` is a valid struct for the call.
    unsafe {
        raw_ioctl(
            fd,
            GEMU_DMA_BUF_IOCTL_IMPORT_SYNC_FILE as c_ulong,
            (&mut a as *mut dma_buf_import_sync_file).cast(),
        )
    }
}
