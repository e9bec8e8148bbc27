//! What the device keeps for the fds the shim makes (`uapi::gemu`): dma-buf exports and
//! imports (one handle per object per file, the export keeping its object), syncobj
//! fds, sync_files (merge, status, info), and their lifetime by opens.

use std::sync::Arc;

use emu::sync::DmaFence;
use emu::testing::{self, ioctl, MockMemory};
use emu::{Errno, File, NodeKind};
use uapi::*;

fn setup() -> (Arc<emu::Device>, Arc<File>, MockMemory) {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    (dev, f, MockMemory::new())
}

fn create(f: &File, mem: &MockMemory, size: u64) -> u32 {
    let mut c = drm_i915_gem_create {
        size,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_CREATE, &mut c, mem).unwrap();
    c.handle
}

fn export(f: &File, mem: &MockMemory, handle: u32) -> Result<i32, Errno> {
    let mut p = drm_prime_handle {
        handle,
        flags: DRM_CLOEXEC,
        fd: -1,
    };
    ioctl(f, DRM_IOCTL_GEMU_PRIME_EXPORT, &mut p, mem).map(|()| p.fd)
}

fn import(f: &File, mem: &MockMemory, id: i32) -> Result<u32, Errno> {
    let mut p = drm_prime_handle {
        fd: id,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_GEMU_PRIME_IMPORT, &mut p, mem).map(|()| p.handle)
}

#[test]
fn a_handle_imported_twice_is_one_handle() {
    let (dev, f, mem) = setup();
    let other = testing::open(&dev, NodeKind::Render);
    let h = create(&f, &mem, 8192);
    let id = export(&f, &mem, h).unwrap();
    assert_eq!(export(&f, &mem, h), Ok(id), "one dma-buf per object");
    assert_eq!(import(&f, &mem, id), Ok(h), "the exporter's own handle");
    let h2 = import(&other, &mem, id).unwrap();
    assert_eq!(import(&other, &mem, id), Ok(h2));
    assert_eq!(dev.dma_buf_size(id as u64), Some(8192));
    assert_eq!(import(&f, &mem, id + 1000), Err(Errno::EINVAL));
}

#[test]
fn export_checks_as_the_kernel() {
    let (_dev, f, mem) = setup();
    let h = create(&f, &mem, 4096);
    assert_eq!(export(&f, &mem, h + 1), Err(Errno::ENOENT));
    let mut p = drm_prime_handle {
        handle: h,
        flags: 1,
        fd: -1,
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_GEMU_PRIME_EXPORT, &mut p, &mem),
        Err(Errno::EINVAL)
    );
    // The standard call cannot make an fd from the device.
    assert_eq!(
        ioctl(&f, DRM_IOCTL_PRIME_HANDLE_TO_FD, &mut p, &mem),
        Err(Errno::EOPNOTSUPP)
    );
}

#[test]
fn an_export_lives_while_its_file_is_open() {
    let (dev, f, mem) = setup();
    let h = create(&f, &mem, 4096);
    let id = export(&f, &mem, h).unwrap() as u64;
    // Opened (the shim's open), the handle closed: the dma-buf keeps the object.
    assert!(dev.dma_buf_open(id));
    let mut c = drm_gem_close {
        handle: h,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut c, &mem).unwrap();
    assert_eq!(dev.dma_buf_size(id), Some(4096));
    // A dup is one more open; the last release ends the export.
    assert!(dev.dma_buf_open(id));
    dev.dma_buf_release(id);
    assert!(dev.dma_buf_size(id).is_some());
    dev.dma_buf_release(id);
    assert_eq!(dev.dma_buf_size(id), None);
    assert!(!dev.dma_buf_open(id));
}

#[test]
fn syncobj_fds_name_the_syncobj_and_sync_files_its_fence() {
    let (dev, f, mem) = setup();
    let mut c = drm_syncobj_create {
        handle: 0,
        flags: DRM_SYNCOBJ_CREATE_SIGNALED,
    };
    ioctl(&f, DRM_IOCTL_SYNCOBJ_CREATE, &mut c, &mem).unwrap();
    let mut h = drm_syncobj_handle {
        handle: c.handle,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_GEMU_SYNCOBJ_EXPORT, &mut h, &mem).unwrap();
    assert!(dev.syncobj_file_exists(h.fd as u64));
    let mut back = drm_syncobj_handle {
        fd: h.fd,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_GEMU_SYNCOBJ_IMPORT, &mut back, &mem).unwrap();
    assert_ne!(back.handle, c.handle, "a new handle for the same syncobj");

    h.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
    ioctl(&f, DRM_IOCTL_GEMU_SYNCOBJ_EXPORT, &mut h, &mem).unwrap();
    let file = dev.sync_file(h.fd as u64).unwrap();
    assert_eq!(file.status(), 1);
}

#[test]
fn sync_file_merge_status_and_info() {
    let (dev, f, mem) = setup();
    let a = DmaFence::new(emu::sync::dma_fence::context_alloc(1), 1);
    let b = DmaFence::new(emu::sync::dma_fence::context_alloc(1), 1);
    let mut c = drm_syncobj_create::default();
    // Two sync_files through syncobjs holding the fences.
    let mut ids = Vec::new();
    for fence in [&a, &b] {
        ioctl(&f, DRM_IOCTL_SYNCOBJ_CREATE, &mut c, &mem).unwrap();
        emu::syncobj::replace_for_test(&f, c.handle, Some(fence.clone()));
        let mut h = drm_syncobj_handle {
            handle: c.handle,
            flags: DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
            ..Default::default()
        };
        ioctl(&f, DRM_IOCTL_GEMU_SYNCOBJ_EXPORT, &mut h, &mem).unwrap();
        ids.push(h.fd as u64);
    }
    let mut name = [0u8; 32];
    name[..6].copy_from_slice(b"merged");
    let m = dev.sync_file_merge(ids[0], ids[1], &name).unwrap();
    let merged = dev.sync_file(m).unwrap();
    assert_eq!(merged.fences().len(), 2);
    assert_eq!(merged.status(), 0);
    let whole = merged.fence();
    a.signal().unwrap();
    assert!(!whole.is_signaled());
    b.set_error(Errno::EIO);
    b.signal().unwrap();
    assert!(whole.is_signaled(), "the merged fence signals after both");
    assert_eq!(merged.status(), -(Errno::EIO as i32));

    let arr = mem.alloc(2 * std::mem::size_of::<sync_fence_info>());
    let mut info = sync_file_info {
        num_fences: 2,
        sync_fence_info: arr,
        ..Default::default()
    };
    dev.sync_file_info(m, &mut info, &mem).unwrap();
    assert_eq!(info.num_fences, 2);
    assert_eq!(&info.name[..7], b"merged\0");
    let first: sync_fence_info = mem.get(arr);
    assert_eq!(&first.driver_name[..5], b"i915\0");
    assert_eq!(first.status, 1);
    info.num_fences = 1;
    assert_eq!(dev.sync_file_info(m, &mut info, &mem), Err(Errno::EINVAL));
}

#[test]
fn client_memory_is_never_exported() {
    let (_dev, a, mem) = setup();
    let ptr = mem.alloc_pages(8192);
    let mut u = drm_i915_gem_userptr {
        user_ptr: ptr,
        user_size: 8192,
        ..Default::default()
    };
    ioctl(&a, DRM_IOCTL_I915_GEM_USERPTR, &mut u, &mem).unwrap();
    // i915_gem_userptr_dmabuf_export, also for pages that are all there.
    assert_eq!(export(&a, &mem, u.handle), Err(Errno::EINVAL));
    // Flags are checked first, the handle next.
    let mut bad = drm_prime_handle {
        handle: u.handle,
        flags: 1 << 4,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&a, DRM_IOCTL_GEMU_PRIME_EXPORT, &mut bad, &mem),
        Err(Errno::EINVAL)
    );
    assert_eq!(export(&a, &mem, u.handle + 1), Err(Errno::ENOENT));
}

/// Exports whose fds the program never got (no shim, or a client killed between the
/// ioctl and the open) go when the exporting file closes; an opened one lives on.
#[test]
fn exports_never_opened_go_with_their_files() {
    let (dev, f, mem) = setup();
    let kept = testing::open(&dev, NodeKind::Render);
    for _ in 0..100 {
        let h = create(&f, &mem, 1 << 20);
        export(&f, &mem, h).unwrap();
        export(&f, &mem, h).unwrap();
        let mut c = drm_gem_close {
            handle: h,
            ..Default::default()
        };
        ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut c, &mem).unwrap();
    }
    // One export opened, then its exporter gone: it stays while open.
    let h = create(&f, &mem, 4096);
    let opened = export(&f, &mem, h).unwrap() as u64;
    assert!(dev.dma_buf_open(opened));
    let mut s = drm_syncobj_create {
        handle: 0,
        flags: DRM_SYNCOBJ_CREATE_SIGNALED,
    };
    ioctl(&f, DRM_IOCTL_SYNCOBJ_CREATE, &mut s, &mem).unwrap();
    for flags in [0, DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE] {
        let mut e = drm_syncobj_handle {
            handle: s.handle,
            flags,
            ..Default::default()
        };
        ioctl(&f, DRM_IOCTL_GEMU_SYNCOBJ_EXPORT, &mut e, &mem).unwrap();
    }
    // Another file's export is not this file's to withdraw.
    let other = create(&kept, &mem, 4096);
    let theirs = export(&kept, &mem, other).unwrap() as u64;
    assert!(
        dev.allocated() >= 100 << 20,
        "the exports keep their objects"
    );

    f.close();
    assert_eq!(dev.dma_buf_size(opened), Some(4096));
    assert_eq!(dev.dma_buf_size(theirs), Some(4096));
    assert_eq!(
        dev.allocated(),
        2 * 4096,
        "the unopened exports' objects are freed"
    );
    dev.dma_buf_release(opened);
    kept.close();
    assert_eq!(dev.allocated(), 0);
    assert_eq!(dev.export_bookkeeping(), 0);
}

#[test]
fn dma_buf_sync_start_waits_for_the_fences_of_its_access_and_poll_reports_them() {
    let (dev, f, mem) = setup();
    let h = create(&f, &mem, 4096);
    let id = export(&f, &mem, h).unwrap() as u64;
    let (pollin, pollout) = (libc::POLLIN as u32, libc::POLLOUT as u32);
    let sync = |flags: u64| {
        let s = dma_buf_sync { flags };
        dev.dma_buf_ioctl(id, DMA_BUF_IOCTL_SYNC, bytemuck::bytes_of(&s), &mem)
    };
    assert_eq!(
        dev.dma_buf_poll(id, pollin | pollout).unwrap().0,
        pollin | pollout
    );
    assert_eq!(sync(DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW), Ok(vec![]));
    assert_eq!(
        sync(DMA_BUF_SYNC_START),
        Err(Errno::EINVAL),
        "neither read nor write"
    );
    assert_eq!(
        sync(DMA_BUF_SYNC_RW | 8),
        Err(Errno::EINVAL),
        "unknown flag"
    );

    let write = testing::gate(&f.lookup(h).unwrap());
    let (ready, pending) = dev.dma_buf_poll(id, pollin | pollout).unwrap();
    assert_eq!(
        (ready, pending.len()),
        (0, 2),
        "a pending write: neither event"
    );
    // SYNC_END does not wait; SYNC_START waits until the write is done.
    assert_eq!(sync(DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), Ok(vec![]));
    let started = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let t = s.spawn(|| {
            let r = sync(DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
            started.store(true, std::sync::atomic::Ordering::SeqCst);
            r
        });
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!started.load(std::sync::atomic::Ordering::SeqCst));
        write.signal().unwrap();
        assert_eq!(t.join().unwrap(), Ok(vec![]));
    });
    assert_eq!(dev.dma_buf_poll(id, pollin).unwrap().0, pollin);
    assert!(dev.dma_buf_poll(id + 1, pollin).is_none());
}

#[test]
fn dma_buf_sync_file_export_and_import() {
    let (dev, f, mem) = setup();
    let h = create(&f, &mem, 4096);
    let id = export(&f, &mem, h).unwrap() as u64;
    let export_sf = |flags: u32| {
        let a = dma_buf_export_sync_file { flags, fd: -1 };
        let out = dev.dma_buf_ioctl(
            id,
            GEMU_DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
            bytemuck::bytes_of(&a),
            &mem,
        )?;
        let a: dma_buf_export_sync_file = bytemuck::pod_read_unaligned(&out);
        Ok::<_, Errno>(dev.sync_file(a.fd as u64).unwrap())
    };
    let import_sf = |flags: u32, sync_file: u64| {
        let a = dma_buf_import_sync_file {
            flags,
            fd: sync_file as i32,
        };
        let cmd = GEMU_DMA_BUF_IOCTL_IMPORT_SYNC_FILE;
        dev.dma_buf_ioctl(id, cmd, bytemuck::bytes_of(&a), &mem)
    };
    let rw = DMA_BUF_SYNC_RW as u32;
    assert_eq!(export_sf(0).err(), Some(Errno::EINVAL));
    assert_eq!(export_sf(rw | 4).err(), Some(Errno::EINVAL));
    assert_eq!(export_sf(rw).unwrap().status(), 1, "idle: a signalled stub");

    // A pending sw_sync point imported as a write: reads and writes must wait for it.
    let tl = dev.sw_sync_open("test");
    let sf = dev.sw_sync_create_fence(tl, 1).unwrap();
    assert_eq!(import_sf(rw, sf), Ok(vec![]));
    assert_eq!(import_sf(0, sf), Err(Errno::EINVAL));
    assert_eq!(
        import_sf(rw, 99_999),
        Err(Errno::EINVAL),
        "no such sync_file"
    );
    let exported = export_sf(DMA_BUF_SYNC_READ as u32).unwrap();
    assert_eq!(exported.status(), 0);
    assert_eq!(dev.dma_buf_poll(id, libc::POLLIN as u32).unwrap().0, 0);
    dev.sw_sync_inc(tl, 1).unwrap();
    assert_eq!(exported.status(), 1);
    assert_eq!(
        dev.dma_buf_poll(id, libc::POLLIN as u32).unwrap().0,
        libc::POLLIN as u32
    );
}
