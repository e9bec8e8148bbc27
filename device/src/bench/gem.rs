//! Benchmarks of gemu's own ioctls, called on its card0 from this process as any client
//! calls them: `ioctl(2)` with the `uapi` structs.

use std::fs::File;

use super::harness::Op;
use super::sys_ioctl as drm_ioctl;
use super::Rig;
use crate::Fallible;

/// The size of the PWRITE/PREAD transfers.
pub const RW_BYTES: usize = 1 << 20;

/// A GEM object of this client, closed when dropped.
struct Object<'a> {
    card: &'a File,
    handle: u32,
}

impl<'a> Object<'a> {
    fn create(card: &'a File, size: u64) -> Fallible<Object<'a>> {
        Ok(Object {
            card,
            handle: create(card, size)?,
        })
    }
}

impl Drop for Object<'_> {
    fn drop(&mut self) {
        if let Err(e) = close(self.card, self.handle) {
            log::warn!("GEM_CLOSE {}: {e}", self.handle);
        }
    }
}

fn create(card: &File, size: u64) -> Fallible<u32> {
    let mut c = uapi::drm_i915_gem_create {
        size,
        ..Default::default()
    };
    // SAFETY: no pointers.
    unsafe { drm_ioctl(card, uapi::DRM_IOCTL_I915_GEM_CREATE, &mut c) }
        .map_err(|e| format!("GEM_CREATE: {e}"))?;
    Ok(c.handle)
}

fn close(card: &File, handle: u32) -> Fallible<()> {
    let mut c = uapi::drm_gem_close {
        handle,
        ..Default::default()
    };
    // SAFETY: no pointers.
    unsafe { drm_ioctl(card, uapi::DRM_IOCTL_GEM_CLOSE, &mut c) }
        .map_err(|e| format!("GEM_CLOSE {handle}: {e}"))
}

/// GETPARAM(CHIPSET_ID) on `node`; also the op of the `floor+write4` benchmark, whose
/// file answers the same struct the same way.
fn getparam(node: &File) -> Fallible<i32> {
    let mut value = 0i32;
    let mut gp = uapi::drm_i915_getparam {
        param: uapi::I915_PARAM_CHIPSET_ID,
        value: &mut value as *mut i32 as u64,
        ..Default::default()
    };
    // SAFETY: `value` is a live int the driver writes.
    unsafe { drm_ioctl(node, uapi::DRM_IOCTL_I915_GETPARAM, &mut gp) }
        .map_err(|e| format!("GETPARAM: {e}"))?;
    Ok(value)
}

pub fn getparam_op(rig: &Rig) -> Fallible<Op<'_>> {
    // Measure what we claim to: the answer must be the platform's.
    let id = getparam(&rig.card)?;
    if id != 0x9a49 {
        return Err(format!("GETPARAM(CHIPSET_ID) answered {id:#x}, not 0x9a49"));
    }
    Ok(Box::new(|| getparam(&rig.card).map(drop)))
}

pub fn floor_write_op(rig: &Rig) -> Fallible<Op<'_>> {
    if getparam(&rig.echo_write)? != 0x9a49 {
        return Err("the floor's echo_write did not write through the pointer".into());
    }
    Ok(Box::new(|| getparam(&rig.echo_write).map(drop)))
}

pub fn create_close_op(rig: &Rig) -> Fallible<Op<'_>> {
    Ok(Box::new(|| close(&rig.card, create(&rig.card, 4096)?)))
}

/// GEM_CREATE + GEM_CLOSE in a client (a second open of card0) that holds `held`
/// other objects: what a create and a close cost as the handle table grows.
fn create_close_holding(rig: &Rig, held: usize) -> Fallible<Op<'_>> {
    let card = rig.reopen()?;
    for _ in 0..held {
        create(&card, 4096)?;
    }
    // The client's file (and its objects) goes when the closure does.
    Ok(Box::new(move || close(&card, create(&card, 4096)?)))
}

pub fn create_close_1k_op(rig: &Rig) -> Fallible<Op<'_>> {
    create_close_holding(rig, 1_000)
}

/// 10,000 objects of 4 KiB: what the run's 1 GiB budget leaves room for beside the
/// other benchmarks' objects (the model benchmarks go to a million).
pub fn create_close_10k_op(rig: &Rig) -> Fallible<Op<'_>> {
    create_close_holding(rig, 10_000)
}

pub fn pwrite_op(rig: &Rig) -> Fallible<Op<'_>> {
    let obj = Object::create(&rig.card, RW_BYTES as u64)?;
    // Written once so that its pages exist: the benchmark measures copies, not faults.
    let data = vec![0x5au8; RW_BYTES];
    Ok(Box::new(move || {
        // The whole object, not just its (Copy) fields: the closure must own it, or it
        // would be closed as soon as this function returns.
        let obj = &obj;
        let mut pw = uapi::drm_i915_gem_pwrite {
            handle: obj.handle,
            size: RW_BYTES as u64,
            data_ptr: data.as_ptr() as u64,
            ..Default::default()
        };
        // SAFETY: `data` is RW_BYTES readable bytes.
        unsafe { drm_ioctl(obj.card, uapi::DRM_IOCTL_I915_GEM_PWRITE, &mut pw) }
            .map_err(|e| format!("PWRITE: {e}"))
    }))
}

pub fn pread_op(rig: &Rig) -> Fallible<Op<'_>> {
    let obj = Object::create(&rig.card, RW_BYTES as u64)?;
    let mut data = vec![0x5au8; RW_BYTES];
    Ok(Box::new(move || {
        let obj = &obj;
        let mut pr = uapi::drm_i915_gem_pread {
            handle: obj.handle,
            size: RW_BYTES as u64,
            data_ptr: data.as_mut_ptr() as u64,
            ..Default::default()
        };
        // SAFETY: `data` is RW_BYTES writable bytes.
        unsafe { drm_ioctl(obj.card, uapi::DRM_IOCTL_I915_GEM_PREAD, &mut pr) }
            .map_err(|e| format!("PREAD: {e}"))
    }))
}

/// `ioctl(2)` through libc, which the preloaded shim answers.
///
/// # Safety
/// As [`drm_ioctl`].
unsafe fn shim_ioctl<T>(file: &File, cmd: u32, arg: &mut T) -> Fallible<()> {
    use std::os::fd::AsRawFd;
    if !super::shim_loaded() {
        return Err("the client runs without the shim".into());
    }
    // SAFETY: as the caller promises.
    let r = unsafe { libc::ioctl(file.as_raw_fd(), cmd as libc::c_ulong, arg as *mut T) };
    nix::errno::Errno::result(r)
        .map(drop)
        .map_err(|e| format!("ioctl {cmd:#x}: {e}"))
}

fn pwrite_shim(obj: &Object, data: &[u8]) -> Fallible<()> {
    let mut pw = uapi::drm_i915_gem_pwrite {
        handle: obj.handle,
        size: data.len() as u64,
        data_ptr: data.as_ptr() as u64,
        ..Default::default()
    };
    // SAFETY: `data` is readable for its length.
    unsafe { shim_ioctl(obj.card, uapi::DRM_IOCTL_I915_GEM_PWRITE, &mut pw) }
}

fn pread_shim(obj: &Object, data: &mut [u8]) -> Fallible<()> {
    let mut pr = uapi::drm_i915_gem_pread {
        handle: obj.handle,
        size: data.len() as u64,
        data_ptr: data.as_mut_ptr() as u64,
        ..Default::default()
    };
    // SAFETY: `data` is writable for its length.
    unsafe { shim_ioctl(obj.card, uapi::DRM_IOCTL_I915_GEM_PREAD, &mut pr) }
}

/// Check that the shim's copies land where the daemon's do, before timing them.
fn shim_round_trip(obj: &Object) -> Fallible<()> {
    let data: Vec<u8> = (0..RW_BYTES).map(|i| (i * 7 % 251) as u8).collect();
    pwrite_shim(obj, &data)?;
    let mut back = vec![0u8; RW_BYTES];
    let mut pr = uapi::drm_i915_gem_pread {
        handle: obj.handle,
        size: RW_BYTES as u64,
        data_ptr: back.as_mut_ptr() as u64,
        ..Default::default()
    };
    // SAFETY: `back` is RW_BYTES writable bytes.
    unsafe { drm_ioctl(obj.card, uapi::DRM_IOCTL_I915_GEM_PREAD, &mut pr) }
        .map_err(|e| format!("PREAD: {e}"))?;
    let mut through_shim = vec![0u8; RW_BYTES];
    pread_shim(obj, &mut through_shim)?;
    if back != data || through_shim != data {
        return Err("the shim's PWRITE/PREAD do not match the daemon's".into());
    }
    Ok(())
}

pub fn pwrite_shim_op(rig: &Rig) -> Fallible<Op<'_>> {
    let obj = Object::create(&rig.card, RW_BYTES as u64)?;
    shim_round_trip(&obj)?;
    let data = vec![0x5au8; RW_BYTES];
    Ok(Box::new(move || pwrite_shim(&obj, &data)))
}

pub fn pread_shim_op(rig: &Rig) -> Fallible<Op<'_>> {
    let obj = Object::create(&rig.card, RW_BYTES as u64)?;
    shim_round_trip(&obj)?;
    let mut data = vec![0x5au8; RW_BYTES];
    Ok(Box::new(move || pread_shim(&obj, &mut data)))
}

/// A memfd of RW_BYTES, written once so its pages exist (as the aperture's are).
fn filled_memfd() -> Fallible<File> {
    use std::os::unix::fs::FileExt;
    let fd = nix::sys::memfd::memfd_create(c"gemu-bench", nix::sys::memfd::MFdFlags::MFD_CLOEXEC)
        .map_err(|e| format!("memfd_create: {e}"))?;
    let file = File::from(fd);
    file.write_all_at(&vec![0x5au8; RW_BYTES], 0)
        .map_err(|e| format!("filling the memfd: {e}"))?;
    Ok(file)
}

pub fn memfd_pwrite_op(_: &Rig) -> Fallible<Op<'_>> {
    use std::os::unix::fs::FileExt;
    let file = filled_memfd()?;
    let data = vec![0xa5u8; RW_BYTES];
    Ok(Box::new(move || {
        file.write_all_at(&data, 0)
            .map_err(|e| format!("pwrite: {e}"))
    }))
}

pub fn memfd_pread_op(_: &Rig) -> Fallible<Op<'_>> {
    use std::os::unix::fs::FileExt;
    let file = filled_memfd()?;
    let mut data = vec![0xa5u8; RW_BYTES];
    Ok(Box::new(move || {
        file.read_exact_at(&mut data, 0)
            .map_err(|e| format!("pread: {e}"))
    }))
}

fn getparam_shim(card: &File) -> Fallible<i32> {
    let mut value = 0i32;
    let mut gp = uapi::drm_i915_getparam {
        param: uapi::I915_PARAM_CHIPSET_ID,
        value: &mut value as *mut i32 as u64,
        ..Default::default()
    };
    // SAFETY: `value` is a live int the shim writes.
    unsafe { shim_ioctl(card, uapi::DRM_IOCTL_I915_GETPARAM, &mut gp) }?;
    Ok(value)
}

pub fn getparam_shim_op(rig: &Rig) -> Fallible<Op<'_>> {
    let id = getparam_shim(&rig.card)?;
    if id != 0x9a49 {
        return Err(format!("GETPARAM(CHIPSET_ID) answered {id:#x}, not 0x9a49"));
    }
    Ok(Box::new(|| getparam_shim(&rig.card).map(drop)))
}

/// PWRITE_shim's copy alone: the source buffer checked with `MADV_POPULATE_READ`, then
/// a memcpy into a shared mapping of a memfd (the shim's window).
pub fn window_pwrite_op(_: &Rig) -> Fallible<Op<'_>> {
    let file = filled_memfd()?;
    // SAFETY: a new shared mapping of our own memfd, which nothing else truncates.
    let mut map = unsafe { memmap2::MmapMut::map_mut(&file) }.map_err(|e| format!("mmap: {e}"))?;
    let data = vec![0xa5u8; RW_BYTES];
    Ok(Box::new(move || {
        let start = data.as_ptr() as usize & !4095;
        let len = (data.as_ptr() as usize + RW_BYTES).next_multiple_of(4096) - start;
        // SAFETY: advice on our own live buffer.
        if unsafe { libc::madvise(start as *mut libc::c_void, len, libc::MADV_POPULATE_READ) } != 0
        {
            return Err(format!(
                "MADV_POPULATE_READ: {}",
                std::io::Error::last_os_error()
            ));
        }
        map.copy_from_slice(std::hint::black_box(&data));
        Ok(())
    }))
}
