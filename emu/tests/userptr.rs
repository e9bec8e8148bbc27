//! GEM_USERPTR: client memory as an object's pages, in place.

use std::sync::Arc;

use emu::testing::{self, ioctl, MockMemory};
use emu::{Errno, File, NodeKind};
use uapi::*;

const MI_BATCH_BUFFER_END: u32 = 0x0A << 23;
const MI_STORE_DWORD_IMM: u32 = (0x20 << 23) | 2;

fn setup() -> (Arc<emu::Device>, Arc<File>, MockMemory) {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    (dev, f, MockMemory::new())
}

fn userptr(f: &File, mem: &MockMemory, ptr: u64, size: u64, flags: u32) -> Result<u32, Errno> {
    let mut u = drm_i915_gem_userptr {
        user_ptr: ptr,
        user_size: size,
        flags,
        handle: 0,
    };
    ioctl(f, DRM_IOCTL_I915_GEM_USERPTR, &mut u, mem).map(|_| u.handle)
}

#[test]
fn creation_checks_in_i915_order() {
    let (_d, f, mem) = setup();
    let p = mem.alloc_pages(8192);
    assert_eq!(
        userptr(&f, &mem, p, 8192, 0x4),
        Err(Errno::EINVAL),
        "unknown flag"
    );
    assert_eq!(userptr(&f, &mem, p, 0, 0), Err(Errno::EINVAL), "no size");
    assert_eq!(
        userptr(&f, &mem, p + 8, 4096, 0),
        Err(Errno::EINVAL),
        "misaligned"
    );
    assert_eq!(
        userptr(&f, &mem, p, 4000, 0),
        Err(Errno::EINVAL),
        "partial page"
    );
    assert_eq!(
        userptr(&f, &mem, 0xffff_8000_0000_0000, 4096, 0),
        Err(Errno::EFAULT),
        "kernel address"
    );
    assert_eq!(
        userptr(&f, &mem, p, 4096, I915_USERPTR_UNSYNCHRONIZED),
        Err(Errno::ENODEV)
    );
    assert_eq!(
        userptr(&f, &mem, p, 4096, I915_USERPTR_READ_ONLY),
        Err(Errno::ENODEV),
        "gen12: no read-only PTEs"
    );
    assert_eq!(
        userptr(&f, &mem, p, 4 * 8192, I915_USERPTR_PROBE),
        Err(Errno::EFAULT),
        "probe finds the hole"
    );
    userptr(&f, &mem, p, 8192, I915_USERPTR_PROBE).unwrap();
    // Without PROBE, an unmapped range is only found at first use.
    let h = userptr(&f, &mem, 0x7000_0000_0000, 4096, 0).unwrap();
    assert_eq!(set_domain(&f, &mem, h), Err(Errno::EFAULT));
}

fn set_domain(f: &File, mem: &MockMemory, handle: u32) -> Result<(), Errno> {
    let mut d = drm_i915_gem_set_domain {
        handle,
        read_domains: I915_GEM_DOMAIN_CPU,
        write_domain: 0,
    };
    ioctl(f, DRM_IOCTL_I915_GEM_SET_DOMAIN, &mut d, mem)
}

#[test]
fn only_the_gpu_reaches_client_memory() {
    let (_d, f, mem) = setup();
    let p = mem.alloc_pages(4096);
    let h = userptr(&f, &mem, p, 4096, 0).unwrap();
    let buf = mem.alloc(16);
    let pread = |handle, offset, size| {
        let mut r = drm_i915_gem_pread {
            handle,
            offset,
            size,
            data_ptr: buf,
            ..Default::default()
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_PREAD, &mut r, &mem)
    };
    let pwrite = |handle, offset, size| {
        let mut w = drm_i915_gem_pwrite {
            handle,
            offset,
            size,
            data_ptr: buf,
            ..Default::default()
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut w, &mem)
    };
    // i915_gem_userptr_pread / _pwrite refuse, after the generic checks.
    assert_eq!(pread(h, 100, 16), Err(Errno::EINVAL));
    assert_eq!(pwrite(h, 8, 8), Err(Errno::EINVAL));
    assert_eq!(pread(h, 0, 0), Ok(()), "zero size succeeds first");
    assert_eq!(pwrite(h + 1, 0, 8), Err(Errno::ENOENT));
    assert_eq!(mem.get_bytes(p, 16), vec![0; 16], "nothing was copied");
    // No mmap through the device.
    let mut m = drm_i915_gem_mmap_offset {
        handle: h,
        flags: I915_MMAP_OFFSET_WB,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mut m, &mem),
        Err(Errno::ENODEV)
    );
    // SET_DOMAIN validates the pages (iris asks this way): gone memory is EFAULT.
    assert_eq!(set_domain(&f, &mem, h), Ok(()));
    mem.unmap(p);
    assert_eq!(set_domain(&f, &mem, h), Err(Errno::EFAULT));
}

/// A submission storing 0xcafef00d at offset 0x10 of `target`, its arguments made in
/// `mem` (the caller's memory).
fn store_into(f: &File, mem: &MockMemory, target: u32) -> drm_i915_gem_execbuffer2 {
    let mut c = drm_i915_gem_create {
        size: 4096,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_CREATE, &mut c, mem).unwrap();
    let batch = c.handle;
    let cmds: Vec<u8> = [
        MI_STORE_DWORD_IMM,
        0x10010,
        0,
        0xcafef00d,
        MI_BATCH_BUFFER_END,
    ]
    .iter()
    .flat_map(|d: &u32| d.to_ne_bytes())
    .collect();
    let mut w = drm_i915_gem_pwrite {
        handle: batch,
        size: cmds.len() as u64,
        data_ptr: mem.put_bytes(&cmds),
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_PWRITE, &mut w, mem).unwrap();
    let objs = [
        drm_i915_gem_exec_object2 {
            handle: target,
            offset: 0x10000,
            flags: EXEC_OBJECT_PINNED | EXEC_OBJECT_WRITE,
            ..Default::default()
        },
        drm_i915_gem_exec_object2 {
            handle: batch,
            offset: 0x20000,
            flags: EXEC_OBJECT_PINNED,
            ..Default::default()
        },
    ];
    let bytes: Vec<u8> = objs
        .iter()
        .flat_map(|o| bytemuck::bytes_of(o).to_vec())
        .collect();
    drm_i915_gem_execbuffer2 {
        buffers_ptr: mem.put_bytes(&bytes),
        buffer_count: 2,
        ..Default::default()
    }
}

fn wait(f: &File, mem: &MockMemory, handle: u32) {
    let mut wt = drm_i915_gem_wait {
        bo_handle: handle,
        flags: 0,
        timeout_ns: 5_000_000_000,
    };
    ioctl(f, DRM_IOCTL_I915_GEM_WAIT, &mut wt, mem).unwrap();
}

#[test]
fn the_gpu_writes_into_client_memory_and_unmapped_memory_is_efault() {
    let (_d, f, mem) = setup();
    let p = mem.alloc_pages(4096);
    let target = userptr(&f, &mem, p, 4096, 0).unwrap();
    let mut eb = store_into(&f, &mem, target);
    ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2, &mut eb, &mem).unwrap();
    wait(&f, &mem, target);
    assert_eq!(
        mem.get::<u32>(p + 0x10),
        0xcafef00d,
        "the store landed in the client's own memory"
    );
    mem.unmap(p);
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2, &mut eb, &mem),
        Err(Errno::EFAULT)
    );
}

#[test]
fn another_process_cannot_use_the_object() {
    // i915 pins the pages in the calling process's memory, which must be the
    // creator's: a forked child submitting its parent's object gets EFAULT (IGT's
    // forked_userptr() asks exactly this).
    let (_d, f, parent) = setup();
    let p = parent.alloc_pages(4096);
    let target = userptr(&f, &parent, p, 4096, 0).unwrap();
    let child = MockMemory::new();
    child
        .tgid
        .store(testing::ROOT.pid + 1, std::sync::atomic::Ordering::Relaxed);
    let mut eb = store_into(&f, &child, target);
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2, &mut eb, &child),
        Err(Errno::EFAULT)
    );
    assert_eq!(set_domain(&f, &child, target), Err(Errno::EFAULT));
    assert_eq!(parent.get::<u32>(p + 0x10), 0, "nothing ran");
    // The parent itself still may.
    let mut eb = store_into(&f, &parent, target);
    ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2, &mut eb, &parent).unwrap();
    wait(&f, &parent, target);
    assert_eq!(parent.get::<u32>(p + 0x10), 0xcafef00d);
}

#[test]
fn the_first_bad_object_in_the_list_decides() {
    // eb_lookup_vmas pins each userptr object as it adds it: a gone range before an
    // object with bad flags is EFAULT, after it EINVAL.
    let (_d, f, mem) = setup();
    let p = mem.alloc_pages(4096);
    let gone = userptr(&f, &mem, p, 4096, 0).unwrap();
    mem.unmap(p);
    let eb = store_into(&f, &mem, gone);
    let mut list: [drm_i915_gem_exec_object2; 2] = mem.get(eb.buffers_ptr);
    list[1].flags |= 1 << 40;
    let submit = |list: &[drm_i915_gem_exec_object2], flags| {
        let bytes: Vec<u8> = list
            .iter()
            .flat_map(|o| bytemuck::bytes_of(o).to_vec())
            .collect();
        let mut eb = drm_i915_gem_execbuffer2 {
            buffers_ptr: mem.put_bytes(&bytes),
            buffer_count: 2,
            flags,
            ..Default::default()
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2, &mut eb, &mem)
    };
    assert_eq!(submit(&list, 0), Err(Errno::EFAULT));
    list.swap(0, 1);
    assert_eq!(submit(&list, I915_EXEC_BATCH_FIRST), Err(Errno::EINVAL));
}
