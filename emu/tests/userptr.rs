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
    let buf = mem.alloc(4);
    let mut r = drm_i915_gem_pread {
        handle: h,
        size: 4,
        data_ptr: buf,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_PREAD, &mut r, &mem),
        Err(Errno::EFAULT)
    );
}

#[test]
fn pread_pwrite_reach_the_clients_memory_in_place() {
    let (_d, f, mem) = setup();
    let p = mem.alloc_pages(4096);
    let h = userptr(&f, &mem, p, 4096, 0).unwrap();
    emu::ClientMemory::write(&mem, p + 100, b"from the client").unwrap();
    let buf = mem.alloc(15);
    let mut r = drm_i915_gem_pread {
        handle: h,
        offset: 100,
        size: 15,
        data_ptr: buf,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_PREAD, &mut r, &mem).unwrap();
    assert_eq!(mem.get_bytes(buf, 15), b"from the client");
    let src = mem.put_bytes(b"from gem");
    let mut w = drm_i915_gem_pwrite {
        handle: h,
        offset: 8,
        size: 8,
        data_ptr: src,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut w, &mem).unwrap();
    assert_eq!(mem.get_bytes(p + 8, 8), b"from gem");
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
    // Gone memory: EFAULT at the next use, here SET_DOMAIN.
    mem.unmap(p);
    let mut d = drm_i915_gem_set_domain {
        handle: h,
        read_domains: I915_GEM_DOMAIN_CPU,
        write_domain: 0,
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_SET_DOMAIN, &mut d, &mem),
        Err(Errno::EFAULT)
    );
}

#[test]
fn the_gpu_writes_into_client_memory_and_unmapped_memory_is_efault() {
    let (_d, f, mem) = setup();
    let p = mem.alloc_pages(4096);
    let target = userptr(&f, &mem, p, 4096, 0).unwrap();
    let mut c = drm_i915_gem_create {
        size: 4096,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_CREATE, &mut c, &mem).unwrap();
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
    ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut w, &mem).unwrap();
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
    let mut eb = drm_i915_gem_execbuffer2 {
        buffers_ptr: mem.put_bytes(&bytes),
        buffer_count: 2,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2, &mut eb, &mem).unwrap();
    let mut wt = drm_i915_gem_wait {
        bo_handle: target,
        flags: 0,
        timeout_ns: 5_000_000_000,
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_WAIT, &mut wt, &mem).unwrap();
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
