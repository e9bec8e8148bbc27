//! `ioctl(2)`: the calls on gemu's nodes that return or take file descriptors, which
//! the daemon cannot do by itself (DESIGN §3), become gemu's own calls plus an
//! `open` in this process (see `uapi::gemu`). Every other ioctl goes to the kernel
//! untouched, with no extra system call.

use std::ffi::{c_int, c_ulong, c_void};

use uapi::*;

use crate::fd_files::{self, Kind};
use crate::fences;
use crate::nodes::{self, fail};

/// One ioctl, straight to the kernel.
///
/// # Safety
/// `arg` is what the command expects (the kernel checks user pointers).
pub(crate) unsafe fn raw_ioctl(fd: c_int, request: c_ulong, arg: *mut c_void) -> c_int {
    // SAFETY: the caller's arguments go to the kernel as they came.
    unsafe { libc::syscall(libc::SYS_ioctl, fd, request, arg) as c_int }
}

/// `ioctl(2)`. Declared with the third argument a pointer: on the 64-bit ABIs the
/// variadic argument travels in the same register.
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn ioctl(fd: c_int, request: c_ulong, arg: *mut c_void) -> c_int {
    let cmd = request as u32;
    if cmd == SYNC_IOC_MERGE && !arg.is_null() {
        // SAFETY: forwarded; `merge` reads the struct without faulting.
        return unsafe { fences::sync_merge(fd, request, arg.cast()) };
    }
    if matches!(
        cmd,
        DMA_BUF_IOCTL_EXPORT_SYNC_FILE | DMA_BUF_IOCTL_IMPORT_SYNC_FILE
    ) && !arg.is_null()
    {
        // SAFETY: forwarded; the struct is read without faulting.
        return unsafe { crate::dma_buf::sync_file_ioctl(fd, request, arg) };
    }
    if cmd == SW_SYNC_IOC_CREATE_FENCE && !arg.is_null() {
        // SAFETY: forwarded; `create_fence` reads the struct without faulting.
        return unsafe { crate::sw_sync::create_fence(fd, request, arg) };
    }
    if !arg.is_null() {
        // The shim's bookkeeping (userptr ranges, node mappings) looks at the answers.
        match cmd {
            DRM_IOCTL_I915_GEM_USERPTR => {
                // SAFETY: forwarded as it came.
                return unsafe {
                    answered(fd, request, arg, |a: &drm_i915_gem_userptr| {
                        if nodes::is_gemu_device(fd) {
                            crate::userptr::created(fd, a);
                        }
                    })
                };
            }
            DRM_IOCTL_GEM_CLOSE => {
                // SAFETY: forwarded as it came.
                return unsafe {
                    answered(fd, request, arg, |a: &drm_gem_close| {
                        crate::userptr::closed(fd, a.handle)
                    })
                };
            }
            DRM_IOCTL_I915_GEM_MADVISE => {
                // SAFETY: forwarded as it came.
                return unsafe {
                    answered(fd, request, arg, |a: &drm_i915_gem_madvise| {
                        if a.retained == 0 {
                            crate::mmap::purged(fd);
                        }
                    })
                };
            }
            DRM_IOCTL_I915_GEM_PREAD | DRM_IOCTL_I915_GEM_PWRITE => {
                let write = cmd == DRM_IOCTL_I915_GEM_PWRITE;
                // SAFETY: the caller's pointer, read without faulting.
                if let Some(r) = unsafe { crate::rw::copy(fd, arg, write) } {
                    return r;
                }
            }
            DRM_IOCTL_I915_GETPARAM if !nodes::table().is_empty() => {
                // One fstat tells the node and its identity for the fixed answers.
                return match nodes::raw_fstat(fd) {
                    Ok(st) if nodes::find(st.st_dev, st.st_ino).is_some() => {
                        // SAFETY: the caller's pointer, read without faulting.
                        unsafe { fences::getparam(fd, &st, request, arg) }
                    }
                    // SAFETY: forwarded.
                    _ => unsafe { raw_ioctl(fd, request, arg) },
                };
            }
            // SAFETY: forwarded; only the struct's own field is written afterwards.
            DRM_IOCTL_I915_GEM_WAIT => return unsafe { gem_wait(fd, request, arg) },
            DRM_IOCTL_I915_GEM_EXECBUFFER2 | DRM_IOCTL_I915_GEM_EXECBUFFER2_WR => {
                crate::userptr::pin_for_execbuf(fd, arg);
            }
            _ => {}
        }
    }
    let ours = fences::is_fence_call(cmd)
        || matches!(
            cmd,
            DRM_IOCTL_PRIME_HANDLE_TO_FD
                | DRM_IOCTL_PRIME_FD_TO_HANDLE
                | DRM_IOCTL_GET_CAP
                | DRM_IOCTL_I915_GEM_MMAP
        );
    if !ours || arg.is_null() || nodes::node_of_fd(fd).is_none() {
        // SAFETY: forwarded.
        return unsafe { raw_ioctl(fd, request, arg) };
    }
    // SAFETY: for these commands `arg` is the caller's struct, which the first ioctl
    // below has the kernel copy in and out: a bad pointer fails there with EFAULT
    // before the struct is touched here.
    unsafe {
        match cmd {
            DRM_IOCTL_PRIME_HANDLE_TO_FD => prime_handle_to_fd(fd, arg.cast()),
            DRM_IOCTL_PRIME_FD_TO_HANDLE => prime_fd_to_handle(fd, arg.cast()),
            DRM_IOCTL_I915_GEM_MMAP => gem_mmap(fd, arg.cast()),
            DRM_IOCTL_GET_CAP => get_cap(fd, request, arg.cast()),
            _ => fences::ioctl(fd, request, arg),
        }
    }
}

/// One ioctl straight to the kernel; when it succeeds, `then` sees the struct as the
/// kernel left it (bookkeeping of the shim's own: userptr ranges, node mappings).
///
/// # Safety
/// As [`raw_ioctl`].
unsafe fn answered<T: bytemuck::Pod>(
    fd: c_int,
    request: c_ulong,
    arg: *mut c_void,
    then: impl FnOnce(&T),
) -> c_int {
    // SAFETY: forwarded.
    let r = unsafe { raw_ioctl(fd, request, arg) };
    let mut a = T::zeroed();
    if r == 0 && read_own(arg, &mut a) {
        then(&a);
    }
    r
}

/// GEM_WAIT: i915 writes the time left back also when the wait fails (drm_ioctl
/// copies the struct out whatever the result), so a timed-out wait reads 0. A FUSE
/// error reply carries no data, so the shim writes that 0. (An interrupted wait's
/// restart is resumed by the daemon itself.)
///
/// # Safety
/// `arg` is the caller's pointer.
unsafe fn gem_wait(fd: c_int, request: c_ulong, arg: *mut c_void) -> c_int {
    // SAFETY: forwarded as it came.
    let r = unsafe { raw_ioctl(fd, request, arg) };
    if r < 0 && nodes::errno() == libc::ETIME && nodes::is_gemu_device(fd) {
        let at = std::mem::offset_of!(drm_i915_gem_wait, timeout_ns);
        // SAFETY: the kernel read the struct at `arg`; `at` lies inside it.
        let field = unsafe { arg.cast::<u8>().add(at) }.cast::<c_void>();
        write_own(field, &0i64);
        return fail(libc::ETIME);
    }
    r
}

/// PRIME_HANDLE_TO_FD: the daemon names the dma-buf, this process opens it.
///
/// # Safety
/// `arg` is the caller's pointer.
unsafe fn prime_handle_to_fd(fd: c_int, arg: *mut drm_prime_handle) -> c_int {
    // SAFETY: the kernel copies the struct through `arg` (EFAULT if it cannot).
    let r = unsafe { raw_ioctl(fd, DRM_IOCTL_GEMU_PRIME_EXPORT as c_ulong, arg.cast()) };
    if r < 0 {
        return r;
    }
    // SAFETY: the kernel just wrote the struct there: it is valid, writable memory.
    let args = unsafe { &mut *arg };
    let mut flags = if args.flags & DRM_RDWR != 0 {
        libc::O_RDWR
    } else {
        libc::O_RDONLY
    };
    if args.flags & DRM_CLOEXEC != 0 {
        flags |= libc::O_CLOEXEC;
    }
    let new_fd = fd_files::open(Kind::DmaBuf, args.fd as u64, flags);
    if new_fd < 0 {
        args.fd = -1;
        return -1;
    }
    args.fd = new_fd;
    0
}

/// PRIME_FD_TO_HANDLE: the fd names a dma-buf by its inode; the daemon gives the handle.
///
/// # Safety
/// `arg` is the caller's pointer.
unsafe fn prime_fd_to_handle(fd: c_int, arg: *mut drm_prime_handle) -> c_int {
    let mut local = drm_prime_handle::default();
    // A bad pointer must give EFAULT, as from the kernel, not a crash here.
    if !read_own(arg.cast(), &mut local) {
        return fail(libc::EFAULT);
    }
    let id = match fd_files::id_of(local.fd, Kind::DmaBuf) {
        Ok(Some(id)) => id,
        // dma_buf_get: a file that is not a dma-buf.
        Ok(None) => return fail(libc::EINVAL),
        Err(e) => return fail(e),
    };
    let Ok(id) = i32::try_from(id) else {
        return fail(libc::EINVAL);
    };
    local.fd = id;
    // SAFETY: `local` is a valid struct for the call.
    let r = unsafe {
        raw_ioctl(
            fd,
            DRM_IOCTL_GEMU_PRIME_IMPORT as c_ulong,
            (&mut local as *mut drm_prime_handle).cast(),
        )
    };
    if r < 0 {
        return r;
    }
    // SAFETY: read above, so mapped; the kernel writes this struct on success too.
    unsafe { (*arg).handle = local.handle };
    0
}

/// Legacy GEM_MMAP: the daemon validates and names the node offset of the range; the
/// mapping is made here, in the caller, as `i915_gem_mmap_ioctl`'s `vm_mmap` does.
///
/// # Safety
/// `arg` is the caller's pointer.
unsafe fn gem_mmap(fd: c_int, arg: *mut drm_i915_gem_mmap) -> c_int {
    // SAFETY: the kernel copies the struct in and out through `arg`.
    let r = unsafe { raw_ioctl(fd, DRM_IOCTL_GEMU_GEM_MMAP as c_ulong, arg.cast()) };
    if r < 0 {
        return r;
    }
    // SAFETY: the kernel just wrote the struct there.
    let args = unsafe { &mut *arg };
    let (size, prot, flags) = (
        args.size as usize,
        libc::PROT_READ | libc::PROT_WRITE,
        libc::MAP_SHARED,
    );
    let null = std::ptr::null_mut::<c_void>();
    // SAFETY: a new shared mapping of the node (or of the aperture memfd at the same
    // offset, where the kernel cannot map the node); no existing memory is touched.
    let addr = unsafe {
        if crate::aperture::in_use() {
            crate::aperture::map(fd, null, size, prot, flags, args.addr_ptr as i64) as i64
        } else {
            libc::syscall(libc::SYS_mmap, null, size, prot, flags, fd, args.addr_ptr)
        }
    };
    if addr == -1 {
        return -1;
    }
    args.addr_ptr = addr as u64;
    0
}

/// GET_CAP: with the shim, PRIME works (the daemon alone cannot make dma-buf fds and
/// says so).
///
/// # Safety
/// `arg` is the caller's pointer.
unsafe fn get_cap(fd: c_int, request: c_ulong, arg: *mut drm_get_cap) -> c_int {
    // SAFETY: the kernel copies the struct in and out through `arg`.
    let r = unsafe { raw_ioctl(fd, request, arg.cast()) };
    if r == 0 {
        // SAFETY: the kernel just wrote the struct there.
        let cap = unsafe { &mut *arg };
        if cap.capability == DRM_CAP_PRIME {
            cap.value |= DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT;
        }
    }
    r
}

/// Read `*out` from this process's own memory at `from`, failing (false) instead of
/// faulting when it is not mapped.
pub(crate) fn read_own<T: bytemuck::Pod>(from: *const c_void, out: &mut T) -> bool {
    let len = std::mem::size_of::<T>();
    copy_own(
        libc::SYS_process_vm_readv,
        (out as *mut T).cast(),
        from.cast_mut(),
        len,
    )
}

/// Read `n` values of `T` from this process's memory at `from`, without faulting;
/// `None` if they are not all readable.
pub(crate) fn read_own_slice<T: bytemuck::Pod>(from: *const c_void, n: usize) -> Option<Vec<T>> {
    let mut out = vec![T::zeroed(); n];
    let len = std::mem::size_of_val(out.as_slice());
    copy_own(
        libc::SYS_process_vm_readv,
        out.as_mut_ptr().cast(),
        from.cast_mut(),
        len,
    )
    .then_some(out)
}

/// Write `value` to this process's memory at `to`; false if it is not writable there.
pub(crate) fn write_own<T: bytemuck::Pod>(to: *mut c_void, value: &T) -> bool {
    let len = std::mem::size_of::<T>();
    copy_own(
        libc::SYS_process_vm_writev,
        (value as *const T).cast_mut().cast(),
        to,
        len,
    )
}

/// `process_vm_readv`/`writev` (`call`) on this process: `len` bytes between the
/// buffer at `local` and `remote`, which the kernel checks instead of faulting.
fn copy_own(call: libc::c_long, local: *mut c_void, remote: *mut c_void, len: usize) -> bool {
    let local = libc::iovec {
        iov_base: local,
        iov_len: len,
    };
    let remote = libc::iovec {
        iov_base: remote,
        iov_len: len,
    };
    // SAFETY: `local` covers the caller's own buffer; the kernel checks `remote`.
    let n = unsafe {
        libc::syscall(
            call,
            libc::getpid() as libc::c_long,
            &local as *const libc::iovec,
            // Variadic: every argument a full long, or the kernel reads stray bits.
            1 as libc::c_ulong,
            &remote as *const libc::iovec,
            1 as libc::c_ulong,
            0 as libc::c_ulong,
        )
    };
    n == len as i64
}
