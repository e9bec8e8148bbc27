//! Memory pressure: the budget, purging DONTNEED objects, drop-caches, eviction.

use std::sync::Arc;

use emu::shrinker::*;
use emu::testing::{self, ioctl, MockMemory};
use emu::{DeviceConfig, Errno, File, NodeKind};
use uapi::*;

fn create(f: &File, mem: &MockMemory, size: u64) -> Result<u32, Errno> {
    let mut c = drm_i915_gem_create {
        size,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_CREATE, &mut c, mem).map(|_| c.handle)
}

fn madvise(f: &File, mem: &MockMemory, h: u32, madv: u32) -> u32 {
    let mut m = drm_i915_gem_madvise {
        handle: h,
        madv,
        retained: 0,
    };
    ioctl(f, DRM_IOCTL_I915_GEM_MADVISE, &mut m, mem).unwrap();
    m.retained
}

fn touch(f: &File, mem: &MockMemory, h: u32) {
    let mut w = drm_i915_gem_pwrite {
        handle: h,
        size: 4,
        data_ptr: mem.put_bytes(b"used"),
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_PWRITE, &mut w, mem).unwrap();
    // A pwrite alone leaves an object without pages (i915 writes the store); a pread
    // gives it pages.
    let mut r = drm_i915_gem_pread {
        handle: h,
        size: 4,
        data_ptr: mem.alloc(4),
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_PREAD, &mut r, mem).unwrap();
}

fn small_device() -> (Arc<emu::Device>, Arc<File>, MockMemory) {
    let dev = testing::device_with(DeviceConfig {
        memory: 1 << 20,
        ..Default::default()
    });
    let f = testing::open(&dev, NodeKind::Render);
    (dev, f, MockMemory::new())
}

#[test]
fn the_budget_purges_dontneed_objects_first_then_refuses() {
    let (dev, f, mem) = small_device();
    let keep = create(&f, &mem, 512 << 10).unwrap();
    touch(&f, &mem, keep);
    let spare = create(&f, &mem, 256 << 10).unwrap();
    touch(&f, &mem, spare);
    assert_eq!(madvise(&f, &mem, spare, I915_MADV_DONTNEED), 1);
    assert_eq!(dev.resident(), 768 << 10);
    // 512 KiB more do not fit: the DONTNEED object goes, the needed one stays.
    let fresh = create(&f, &mem, 512 << 10).unwrap();
    assert_eq!(madvise(&f, &mem, spare, I915_MADV_WILLNEED), 0, "purged");
    assert_eq!(
        madvise(&f, &mem, keep, I915_MADV_WILLNEED),
        1,
        "still retained"
    );
    assert_eq!(
        create(&f, &mem, 4096),
        Err(Errno::ENOMEM),
        "nothing left to purge"
    );
    // A purged object's pages are gone for good: EFAULT on use.
    let mut w = drm_i915_gem_pwrite {
        handle: spare,
        size: 4,
        data_ptr: mem.put_bytes(b"late"),
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut w, &mem),
        Err(Errno::EFAULT)
    );
    // Freeing gives the budget back.
    let mut cl = drm_gem_close {
        handle: fresh,
        pad: 0,
    };
    ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut cl, &mem).unwrap();
    create(&f, &mem, 4096).unwrap();
}

#[test]
fn drop_caches_purges_and_unbinds() {
    let (dev, f, mem) = small_device();
    let h = create(&f, &mem, 64 << 10).unwrap();
    touch(&f, &mem, h);
    assert_eq!(madvise(&f, &mem, h, I915_MADV_DONTNEED), 1);
    dev.drop_caches_for(DROP_RETIRE | DROP_IDLE, &mem).unwrap();
    assert_eq!(
        madvise(&f, &mem, h, I915_MADV_DONTNEED),
        1,
        "idling does not purge"
    );
    dev.drop_caches_for(
        DROP_SHRINK_ALL | DROP_BOUND | DROP_UNBOUND | DROP_FREED,
        &mem,
    )
    .unwrap();
    assert_eq!(madvise(&f, &mem, h, I915_MADV_WILLNEED), 0);
    dev.drop_caches_for(DROP_ALL, &mem).unwrap();
}

fn exec_alone(f: &File, mem: &MockMemory, objs: &[drm_i915_gem_exec_object2]) -> Result<(), Errno> {
    let bytes: Vec<u8> = objs
        .iter()
        .flat_map(|o| bytemuck::bytes_of(o).to_vec())
        .collect();
    let mut eb = drm_i915_gem_execbuffer2 {
        buffers_ptr: mem.put_bytes(&bytes),
        buffer_count: objs.len() as u32,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_EXECBUFFER2, &mut eb, mem)?;
    let mut w = drm_i915_gem_wait {
        bo_handle: objs[objs.len() - 1].handle,
        flags: 0,
        timeout_ns: 5_000_000_000,
    };
    ioctl(f, DRM_IOCTL_I915_GEM_WAIT, &mut w, mem)
}

#[test]
fn the_4g_zone_evicts_idle_bindings_or_reports_enospc() {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    let batch = create(&f, &mem, 4096).unwrap();
    let bbe = mem.put_bytes(&(0x0Au32 << 23).to_ne_bytes());
    let mut w = drm_i915_gem_pwrite {
        handle: batch,
        size: 4,
        data_ptr: bbe,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut w, &mem).unwrap();
    let big = |size| create(&f, &mem, size).unwrap();
    let eo = |handle, flags| drm_i915_gem_exec_object2 {
        handle,
        flags,
        ..Default::default()
    };
    let bb = eo(batch, EXEC_OBJECT_SUPPORTS_48B_ADDRESS);
    let a = big(3 << 30);
    let b = big(3 << 30);
    // Both below 4 GiB at once cannot be.
    assert_eq!(
        exec_alone(&f, &mem, &[eo(a, 0), eo(b, 0), bb]),
        Err(Errno::ENOSPC)
    );
    // One after the other: the second evicts the first, which is idle.
    exec_alone(&f, &mem, &[eo(a, 0), bb]).unwrap();
    exec_alone(&f, &mem, &[eo(b, 0), bb]).unwrap();
    // With the 48-bit flag both fit.
    exec_alone(
        &f,
        &mem,
        &[
            eo(a, EXEC_OBJECT_SUPPORTS_48B_ADDRESS),
            eo(b, EXEC_OBJECT_SUPPORTS_48B_ADDRESS),
            bb,
        ],
    )
    .unwrap();
}

#[test]
fn an_allocation_waits_for_closed_objects_still_on_the_gpu() {
    const MI_ARB_CHECK: u32 = 0x05 << 23;
    const MI_BATCH_BUFFER_START: u32 = (0x31 << 23) | (1 << 8) | 1;
    const MI_BATCH_BUFFER_END: u32 = 0x0A << 23;
    let (dev, f, mem) = small_device();
    let big = create(&f, &mem, 768 << 10).unwrap();
    let batch = create(&f, &mem, 4096).unwrap();
    // A spinner at 0x10000 keeps `big` in use until the CPU ends it.
    let spin: Vec<u8> = [MI_ARB_CHECK, MI_BATCH_BUFFER_START, 0x10000, 0]
        .iter()
        .flat_map(|d| d.to_ne_bytes())
        .collect();
    let mut w = drm_i915_gem_pwrite {
        handle: batch,
        size: spin.len() as u64,
        data_ptr: mem.put_bytes(&spin),
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut w, &mem).unwrap();
    let mut m = drm_i915_gem_mmap_offset {
        handle: batch,
        flags: I915_MMAP_OFFSET_WB,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mut m, &mem).unwrap();
    let objs = [
        drm_i915_gem_exec_object2 {
            handle: big,
            offset: 0x100000,
            flags: EXEC_OBJECT_PINNED,
            ..Default::default()
        },
        drm_i915_gem_exec_object2 {
            handle: batch,
            offset: 0x10000,
            flags: EXEC_OBJECT_PINNED,
            ..Default::default()
        },
    ];
    let bytes: Vec<u8> = objs
        .iter()
        .flat_map(|o| bytemuck::bytes_of(o).to_vec())
        .collect();
    let mut eb = drm_i915_gem_execbuffer2 {
        buffers_ptr: mem.put_bytes(&bytes),
        buffer_count: 2,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2, &mut eb, &mem).unwrap();
    let mut c = drm_gem_close {
        handle: big,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut c, &mem).unwrap();
    // Closed, but the GPU still uses it: the allocation waits for the request.
    let end = {
        let dev = dev.clone();
        let at = m.offset;
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            dev.aperture().write(at, &MI_BATCH_BUFFER_END.to_ne_bytes());
        })
    };
    let t0 = std::time::Instant::now();
    create(&f, &mem, 512 << 10).unwrap();
    assert!(t0.elapsed() >= std::time::Duration::from_millis(50));
    end.join().unwrap();
    // With the GPU idle there is nothing to wait for: over the budget fails at once.
    assert_eq!(create(&f, &mem, 768 << 10), Err(Errno::ENOMEM));
}

/// DROP_IDLE waits for the engines; a signal ends that wait (EINTR), as i915's
/// `intel_gt_wait_for_idle` is interruptible.
#[test]
fn drop_caches_waiting_for_idle_is_interruptible() {
    use std::sync::atomic::Ordering;
    let (dev, f, mem) = small_device();
    let batch = create(&f, &mem, 4096).unwrap();
    // A spinner: MI_ARB_CHECK, then MI_BATCH_BUFFER_START back to itself.
    let spin: [u32; 4] = [0x05 << 23, (0x31 << 23) | (1 << 8) | 1, 0x10000, 0];
    let mut p = drm_i915_gem_pwrite {
        handle: batch,
        size: 16,
        data_ptr: mem.put(&spin),
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut p, &mem).unwrap();
    let obj = drm_i915_gem_exec_object2 {
        handle: batch,
        offset: 0x10000,
        flags: EXEC_OBJECT_PINNED,
        ..Default::default()
    };
    let mut eb = drm_i915_gem_execbuffer2 {
        buffers_ptr: mem.put(&obj),
        buffer_count: 1,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &mut eb, &mem).unwrap();
    while !dev.engines.busy() {
        std::thread::yield_now();
    }
    mem.signal.store(true, Ordering::Relaxed);
    assert_eq!(dev.drop_caches_for(DROP_IDLE, &mem), Err(Errno::EINTR));
    mem.signal.store(false, Ordering::Relaxed);
    // A reset ends the spinner; then the wait for idle returns.
    dev.drop_caches_for(DROP_RESET_ACTIVE | DROP_IDLE, &mem)
        .unwrap();
    assert!(!dev.engines.busy());
}
