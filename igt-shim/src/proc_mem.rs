//! `/proc/self/mem` over gemu's mappings. i915 maps objects VM_IO | VM_PFNMAP with a
//! `vm_access` hook, so the kernel's `access_remote_vm` (behind `/proc/<pid>/mem` and
//! ptrace) hands such a mapping the whole rest of each page-sized chunk at once, and
//! `vm_access` refuses a range that runs past the object: a read that starts in an
//! object and crosses its end copies nothing (EIO) rather than the bytes up to the end
//! (IGT's gem_mmap_offset@oob-read). gemu's mappings are ordinary passthrough file
//! mappings, which the kernel walks page by page, so the shim plays the i915 part for
//! reads and writes of this process's own memory file that meet a node mapping. Every
//! other access goes to the kernel untouched.
//!
//! The object's end is taken to be its mapping's end (gemu maps objects whole; a
//! partial mapping is bounded by itself here, by the object in i915).

use std::ffi::{c_char, c_int, c_uint, c_void, CStr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// The fds this process opened on its own memory file (`/proc/self/mem` and aliases).
static MEM_FDS: Mutex<Vec<c_int>> = Mutex::new(Vec::new());
/// Whether [`MEM_FDS`] was ever non-empty: the one load `read` and `write` pay.
static ANY: AtomicBool = AtomicBool::new(false);

const PAGE: u64 = 4096;

fn mem_fds() -> std::sync::MutexGuard<'static, Vec<c_int>> {
    MEM_FDS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether `path` names this process's own memory file.
fn is_own_mem(path: &[u8]) -> bool {
    let Some(rest) = path.strip_prefix(b"/proc/") else {
        return false;
    };
    let Some(who) = rest.strip_suffix(b"/mem") else {
        return false;
    };
    // SAFETY: no arguments.
    let pid = unsafe { libc::getpid() };
    who == b"self" || who == b"thread-self" || who == pid.to_string().as_bytes()
}

/// After a successful open of `path` as `fd`: remember it if it is our memory file. A
/// stale entry (the fd closed and reused) is harmless: the fd is checked again before
/// the shim acts on it.
fn opened(path: *const c_char, fd: c_int) {
    if fd < 0 || path.is_null() {
        return;
    }
    // SAFETY: the caller's path, which the kernel just accepted as a C string.
    let p = unsafe { CStr::from_ptr(path) }.to_bytes();
    if is_own_mem(p) {
        let mut fds = mem_fds();
        if !fds.contains(&fd) {
            fds.push(fd);
        }
        ANY.store(true, Ordering::Release);
    }
}

/// Whether `fd` is (still) our memory file: remembered at open, and its link says so.
fn is_mem_fd(fd: c_int) -> bool {
    if !ANY.load(Ordering::Acquire) || !mem_fds().contains(&fd) {
        return false;
    }
    let link = format!("/proc/self/fd/{fd}\0");
    let mut buf = [0u8; 64];
    // SAFETY: a C string and a buffer of the length given.
    let n = unsafe {
        libc::syscall(
            libc::SYS_readlink,
            link.as_ptr(),
            buf.as_mut_ptr(),
            buf.len(),
        )
    };
    let still = n > 0 && is_own_mem(&buf[..n as usize]);
    if !still {
        mem_fds().retain(|&f| f != fd);
    }
    still
}

/// One raw positioned transfer through the memory file.
///
/// # Safety
/// `buf` holds `len` bytes.
unsafe fn raw_rw(fd: c_int, buf: *mut u8, len: u64, at: u64, write: bool) -> i64 {
    let nr = if write {
        libc::SYS_pwrite64
    } else {
        libc::SYS_pread64
    };
    // SAFETY: the caller's buffer; the kernel checks the address in our memory.
    unsafe { libc::syscall(nr, fd, buf, len, at) }
}

/// `__access_remote_vm` for `len` bytes at `addr`: page by page through ordinary
/// memory, the whole rest at once inside a node mapping (`vm_access`, refused when it
/// runs past the mapping). Bytes done.
///
/// # Safety
/// `buf` holds `len` bytes.
unsafe fn access(
    fd: c_int,
    maps: &[(u64, u64)],
    addr: u64,
    buf: *mut u8,
    len: u64,
    write: bool,
) -> u64 {
    let mut done = 0;
    while done < len {
        let (at, rest) = (addr + done, len - done);
        let step = match maps.iter().find(|&&(s, l)| s <= at && at < s + l) {
            Some(&(s, l)) if at - s + rest > l => break,
            Some(_) => rest,
            None => rest.min(PAGE - at % PAGE),
        };
        // SAFETY: `done + step <= len` bytes of the caller's buffer.
        let n = unsafe { raw_rw(fd, buf.add(done as usize), step, at, write) };
        if n > 0 {
            done += n as u64;
        }
        if n != step as i64 {
            break;
        }
    }
    done
}

/// `mem_rw` for `count` bytes at `pos`, when the range meets a node mapping: chunks of
/// at most a page, EIO when the first copies nothing. `None`: not ours to play.
///
/// # Safety
/// `buf` holds `count` bytes.
unsafe fn mem_rw(fd: c_int, buf: *mut u8, count: usize, pos: u64, write: bool) -> Option<i64> {
    let end = pos.checked_add(count as u64)?;
    let maps = crate::mmap::node_ranges();
    if !maps.iter().any(|&(s, l)| s < end && pos < s + l) || !is_mem_fd(fd) {
        return None;
    }
    let mut copied = 0u64;
    while copied < count as u64 {
        let this = (count as u64 - copied).min(PAGE);
        // SAFETY: within the caller's `count` bytes.
        let n = unsafe {
            access(
                fd,
                &maps,
                pos + copied,
                buf.add(copied as usize),
                this,
                write,
            )
        };
        if n == 0 {
            if copied == 0 {
                return Some(crate::nodes::fail(libc::EIO).into());
            }
            break;
        }
        copied += n;
    }
    Some(copied as i64)
}

/// `read`/`write` at the file position, which moves by what was copied; any other fd or
/// range goes to the kernel.
///
/// # Safety
/// `buf` holds `count` bytes.
unsafe fn sequential(fd: c_int, buf: *mut u8, count: usize, write: bool) -> isize {
    // SAFETY: plain values.
    let pos = || unsafe { libc::syscall(libc::SYS_lseek, fd, 0i64, libc::SEEK_CUR) };
    if ANY.load(Ordering::Acquire) {
        let pos = pos();
        // SAFETY: the caller's buffer.
        let ours = (pos >= 0)
            .then(|| unsafe { mem_rw(fd, buf, count, pos as u64, write) })
            .flatten();
        if let Some(r) = ours {
            if r > 0 {
                // SAFETY: plain values.
                unsafe { libc::syscall(libc::SYS_lseek, fd, pos + r, libc::SEEK_SET) };
            }
            return r as isize;
        }
    }
    let nr = if write {
        libc::SYS_write
    } else {
        libc::SYS_read
    };
    // SAFETY: the caller's arguments.
    unsafe { libc::syscall(nr, fd, buf, count) as isize }
}

/// `pread`/`pwrite` at `off`: ours when the range meets a node mapping, else the kernel's.
///
/// # Safety
/// `buf` holds `count` bytes.
unsafe fn positioned(fd: c_int, buf: *mut u8, count: usize, off: i64, write: bool) -> isize {
    if ANY.load(Ordering::Acquire) && off >= 0 {
        // SAFETY: the caller's buffer of `count` bytes.
        if let Some(r) = unsafe { mem_rw(fd, buf, count, off as u64, write) } {
            return r as isize;
        }
    }
    // SAFETY: the caller's arguments (a negative offset is the kernel's to refuse).
    unsafe { raw_rw(fd, buf, count as u64, off as u64, write) as isize }
}

/// `read(2)`.
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn read(fd: c_int, buf: *mut c_void, count: usize) -> isize {
    // An i915 PMU event of gemu's (perf_event_open through the shim).
    if let Some(r) = crate::pmu::read(fd, buf.cast(), count) {
        return r;
    }
    // SAFETY: the caller's buffer of `count` bytes.
    unsafe { sequential(fd, buf.cast(), count, false) }
}

/// `write(2)`.
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn write(fd: c_int, buf: *const c_void, count: usize) -> isize {
    // SAFETY: the caller's buffer; a write only reads it.
    unsafe { sequential(fd, buf as *mut u8, count, true) }
}

/// `pread64(2)` (and `pread`, the same call on 64-bit Linux).
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn pread64(fd: c_int, buf: *mut c_void, count: usize, off: i64) -> isize {
    // SAFETY: the caller's buffer of `count` bytes.
    unsafe { positioned(fd, buf.cast(), count, off, false) }
}

/// `pread(2)`.
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn pread(fd: c_int, buf: *mut c_void, count: usize, off: i64) -> isize {
    // SAFETY: the caller's buffer of `count` bytes.
    unsafe { positioned(fd, buf.cast(), count, off, false) }
}

/// `pwrite64(2)`.
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn pwrite64(fd: c_int, buf: *const c_void, count: usize, off: i64) -> isize {
    // SAFETY: the caller's buffer; a write only reads it.
    unsafe { positioned(fd, buf as *mut u8, count, off, true) }
}

/// `pwrite(2)`.
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn pwrite(fd: c_int, buf: *const c_void, count: usize, off: i64) -> isize {
    // SAFETY: the caller's buffer; a write only reads it.
    unsafe { positioned(fd, buf as *mut u8, count, off, true) }
}

/// `openat` as the system call, then [`opened`].
///
/// # Safety
/// As `openat(2)`.
unsafe fn open_at(dirfd: c_int, path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
    // SAFETY: the caller's arguments.
    let fd = unsafe { libc::syscall(libc::SYS_openat, dirfd, path, flags, mode) } as c_int;
    opened(path, fd);
    fd
}

/// `open(2)`. C declares it variadic; the mode travels in a register like a fixed
/// argument on x86-64 and is only used by the kernel with O_CREAT / O_TMPFILE.
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn open(path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
    // SAFETY: forwarded.
    unsafe { open_at(libc::AT_FDCWD, path, flags, mode) }
}

/// `open64(2)`.
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn open64(path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
    // SAFETY: forwarded.
    unsafe { open_at(libc::AT_FDCWD, path, flags, mode) }
}

/// `openat(2)`.
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn openat(
    dirfd: c_int,
    path: *const c_char,
    flags: c_int,
    mode: c_uint,
) -> c_int {
    // SAFETY: forwarded.
    unsafe { open_at(dirfd, path, flags, mode) }
}

/// `openat64(2)`.
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn openat64(
    dirfd: c_int,
    path: *const c_char,
    flags: c_int,
    mode: c_uint,
) -> c_int {
    // SAFETY: forwarded.
    unsafe { open_at(dirfd, path, flags, mode) }
}
