//! GEM object calls through the ioctl entry, success and error paths, in i915's order.

use emu::testing::{self, ioctl, MockMemory};
use emu::{Errno, File, NodeKind};
use std::sync::Arc;
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

fn pwrite(f: &File, mem: &MockMemory, handle: u32, offset: u64, data: &[u8]) -> Result<(), Errno> {
    let ptr = mem.put_bytes(data);
    let mut a = drm_i915_gem_pwrite {
        handle,
        offset,
        size: data.len() as u64,
        data_ptr: ptr,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_PWRITE, &mut a, mem)
}

fn pread(
    f: &File,
    mem: &MockMemory,
    handle: u32,
    offset: u64,
    len: usize,
) -> Result<Vec<u8>, Errno> {
    let ptr = mem.alloc(len.max(1));
    let mut a = drm_i915_gem_pread {
        handle,
        offset,
        size: len as u64,
        data_ptr: ptr,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_PREAD, &mut a, mem)?;
    Ok(mem.get_bytes(ptr, len))
}

#[test]
fn create_rounds_up_and_refuses_bad_sizes() {
    let (dev, f, mem) = setup();
    let mut c = drm_i915_gem_create {
        size: 1,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_CREATE, &mut c, &mem).unwrap();
    assert_eq!((c.size, c.handle), (4096, 1));
    assert_eq!(dev.allocated(), 4096);
    for (size, err) in [
        (0, Errno::EINVAL),
        (u64::MAX, Errno::EINVAL),
        (u64::MAX - 4095, Errno::E2BIG),
        (1 << 63, Errno::E2BIG),
        ((1 << 63) - 4095, Errno::E2BIG),
    ] {
        let mut c = drm_i915_gem_create {
            size,
            ..Default::default()
        };
        assert_eq!(
            ioctl(&f, DRM_IOCTL_I915_GEM_CREATE, &mut c, &mem),
            Err(err),
            "size {size:#x}"
        );
    }
    // Below MAX_LFS_FILESIZE i915 creates lazily; the 1 TiB test aperture cannot hold
    // 8 TiB, which the model refuses with ENOMEM.
    let mut c = drm_i915_gem_create {
        size: 1 << 43,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_CREATE, &mut c, &mem),
        Err(Errno::ENOMEM)
    );
}

#[test]
fn handles_are_reused_lowest_first_and_close_checks_them() {
    let (_dev, f, mem) = setup();
    let h: Vec<u32> = (0..3).map(|_| create(&f, &mem, 4096)).collect();
    assert_eq!(h, [1, 2, 3]);
    let mut cl = drm_gem_close { handle: 2, pad: 0 };
    ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut cl, &mem).unwrap();
    assert_eq!(
        ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut cl, &mem),
        Err(Errno::EINVAL)
    );
    cl.handle = 0;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut cl, &mem),
        Err(Errno::EINVAL)
    );
    assert_eq!(create(&f, &mem, 4096), 2);
}

#[test]
fn freeing_returns_memory() {
    let (dev, f, mem) = setup();
    let h = create(&f, &mem, 1 << 20);
    pwrite(&f, &mem, h, 0, &[1; 4096]).unwrap();
    assert_eq!(dev.allocated(), 1 << 20);
    let mut cl = drm_gem_close { handle: h, pad: 0 };
    ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut cl, &mem).unwrap();
    assert_eq!(dev.allocated(), 0);
    // The same range comes back zeroed.
    let h = create(&f, &mem, 1 << 20);
    assert_eq!(pread(&f, &mem, h, 0, 16).unwrap(), vec![0; 16]);
    // Closing the file frees everything it held.
    create(&f, &mem, 8192);
    f.close();
    assert_eq!(dev.allocated(), 0);
}

#[test]
fn create_ext_regions_and_extension_chain() {
    let (_dev, f, mem) = setup();
    let call = |flags: u32, ext: u64| {
        let mut c = drm_i915_gem_create_ext {
            size: 4096,
            flags,
            extensions: ext,
            ..Default::default()
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_CREATE_EXT, &mut c, &mem).map(|_| c)
    };
    assert_eq!(call(0, 0).unwrap().size, 4096);
    assert_eq!(call(2, 0).unwrap_err(), Errno::EINVAL, "unknown flag");
    assert_eq!(
        call(I915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS, 0).unwrap_err(),
        Errno::EINVAL
    );
    let regions = |list: &[(u16, u16)], pad: u32| {
        let arr: Vec<u8> = list
            .iter()
            .flat_map(|&(c, i)| {
                bytemuck::bytes_of(&drm_i915_gem_memory_class_instance {
                    memory_class: c,
                    memory_instance: i,
                })
                .to_vec()
            })
            .collect();
        let arr = if arr.is_empty() {
            0
        } else {
            mem.put_bytes(&arr)
        };
        drm_i915_gem_create_ext_memory_regions {
            base: i915_user_extension {
                name: I915_GEM_CREATE_EXT_MEMORY_REGIONS,
                ..Default::default()
            },
            pad,
            num_regions: list.len() as u32,
            regions: arr,
        }
    };
    let sys = regions(&[(0, 0)], 0);
    call(0, mem.put(&sys)).unwrap();
    for (ext, err) in [
        (regions(&[(1, 0)], 0), Errno::EINVAL), // no device memory
        (regions(&[(0, 1)], 0), Errno::EINVAL), // no second system region
        (regions(&[(0, 0), (0, 0)], 0), Errno::EINVAL), // duplicate
        (regions(&[], 0), Errno::EINVAL),       // none
        (regions(&[(0, 0)], 1), Errno::EINVAL), // pad
    ] {
        assert_eq!(call(0, mem.put(&ext)).unwrap_err(), err);
    }
    let mut many = regions(&[(0, 0)], 0);
    many.num_regions = 8;
    assert_eq!(call(0, mem.put(&many)).unwrap_err(), Errno::EINVAL);
    let mut unmapped = sys;
    unmapped.regions = 0x40;
    assert_eq!(call(0, mem.put(&unmapped)).unwrap_err(), Errno::EFAULT);
    // The same extension twice in a chain.
    let second = mem.put(&sys);
    let mut first = sys;
    first.base.next_extension = second;
    assert_eq!(call(0, mem.put(&first)).unwrap_err(), Errno::EINVAL);
    // PAT indices are Xe_LPG-only and there is no PXP: both refused.
    let pat = i915_user_extension {
        name: I915_GEM_CREATE_EXT_SET_PAT,
        ..Default::default()
    };
    assert_eq!(
        call(
            0,
            mem.put(&drm_i915_gem_create_ext_set_pat {
                base: pat,
                ..Default::default()
            })
        )
        .unwrap_err(),
        Errno::ENODEV
    );
    let mut pxp = drm_i915_gem_create_ext_protected_content::default();
    pxp.base.name = I915_GEM_CREATE_EXT_PROTECTED_CONTENT;
    assert_eq!(call(0, mem.put(&pxp)).unwrap_err(), Errno::ENODEV);
    pxp.flags = 1;
    assert_eq!(call(0, mem.put(&pxp)).unwrap_err(), Errno::EINVAL);
    // Header checks: unknown name, non-zero flags or reserved words, bad pointer.
    let unknown = i915_user_extension {
        name: 99,
        ..Default::default()
    };
    assert_eq!(call(0, mem.put(&unknown)).unwrap_err(), Errno::EINVAL);
    let mut flagged = sys;
    flagged.base.flags = 1;
    assert_eq!(call(0, mem.put(&flagged)).unwrap_err(), Errno::EINVAL);
    let mut rsvd = sys;
    rsvd.base.rsvd[3] = 1;
    assert_eq!(call(0, mem.put(&rsvd)).unwrap_err(), Errno::EINVAL);
    assert_eq!(call(0, 0x30).unwrap_err(), Errno::EFAULT);
    // Only the two good calls made objects.
    assert_eq!(f.handle_count(), 2);
}

#[test]
fn extension_depth_limit() {
    let mem = MockMemory::new();
    // A chain of 600 headers, every one accepted by the callback.
    let mut next = 0;
    for _ in 0..600 {
        next = mem.put(&i915_user_extension {
            next_extension: next,
            ..Default::default()
        });
    }
    let mut seen = 0;
    let r = emu::user_ext::walk(&mem, next, |_, _| {
        seen += 1;
        Some(Ok(()))
    });
    assert_eq!(r, Err(Errno::E2BIG));
    assert_eq!(seen, 512);
}

#[test]
fn pread_pwrite_checks_in_order() {
    let (_dev, f, mem) = setup();
    let h = create(&f, &mem, 8192);
    pwrite(&f, &mem, h, 4090, b"across a page").unwrap();
    assert_eq!(pread(&f, &mem, h, 4090, 13).unwrap(), b"across a page");
    // Zero size succeeds before anything is looked at, even a bad handle.
    let mut z = drm_i915_gem_pwrite {
        handle: 999,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut z, &mem).unwrap();
    // A pointer beyond user space faults before the handle is checked.
    let mut k = drm_i915_gem_pread {
        handle: 999,
        size: 8,
        data_ptr: 0xffff_8000_0000_0000,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_PREAD, &mut k, &mem),
        Err(Errno::EFAULT)
    );
    assert_eq!(pread(&f, &mem, 999, 0, 8), Err(Errno::ENOENT));
    assert_eq!(pwrite(&f, &mem, 999, 0, b"x"), Err(Errno::ENOENT));
    // Out of range, including offset+size overflow.
    assert_eq!(pread(&f, &mem, h, 8192, 1), Err(Errno::EINVAL));
    assert_eq!(pwrite(&f, &mem, h, 8190, b"abc"), Err(Errno::EINVAL));
    let mut o = drm_i915_gem_pwrite {
        handle: h,
        offset: u64::MAX,
        size: 2,
        data_ptr: mem.alloc(2),
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut o, &mem),
        Err(Errno::EINVAL)
    );
    // Unmapped or read-only user memory.
    let mut u = drm_i915_gem_pwrite {
        handle: h,
        size: 8,
        data_ptr: 0x1000,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut u, &mem),
        Err(Errno::EFAULT)
    );
    let ro = mem.alloc_readonly(8);
    let mut r = drm_i915_gem_pread {
        handle: h,
        size: 8,
        data_ptr: ro,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_PREAD, &mut r, &mem),
        Err(Errno::EFAULT)
    );
}

#[test]
fn mmap_offset_types() {
    let (_dev, f, mem) = setup();
    let h = create(&f, &mem, 4096);
    let call = |handle: u32, flags: u64, ext: u64| {
        let mut m = drm_i915_gem_mmap_offset {
            handle,
            flags,
            extensions: ext,
            pad: 0xdead, // never checked
            ..Default::default()
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mut m, &mem).map(|_| m.offset)
    };
    let wb = call(h, I915_MMAP_OFFSET_WB, 0).unwrap();
    assert_eq!(wb % 4096, 0);
    assert_eq!(call(h, I915_MMAP_OFFSET_WC, 0).unwrap(), wb);
    assert_eq!(call(h, I915_MMAP_OFFSET_UC, 0).unwrap(), wb);
    // An untiled object's GTT mapping is its pages.
    assert_eq!(call(h, I915_MMAP_OFFSET_GTT, 0).unwrap(), wb);
    assert_eq!(call(h, I915_MMAP_OFFSET_FIXED, 0), Err(Errno::ENODEV));
    assert_eq!(call(h, 5, 0), Err(Errno::EINVAL));
    // Type checks come before the handle lookup; the lookup before FIXED's refusal.
    assert_eq!(call(99, 5, 0), Err(Errno::EINVAL));
    assert_eq!(call(99, I915_MMAP_OFFSET_GTT, 0), Err(Errno::ENOENT));
    assert_eq!(call(99, I915_MMAP_OFFSET_WB, 0), Err(Errno::ENOENT));
    assert_eq!(call(99, I915_MMAP_OFFSET_FIXED, 0), Err(Errno::ENOENT));
    // No extension is known.
    let ext = mem.put(&i915_user_extension::default());
    assert_eq!(call(h, I915_MMAP_OFFSET_WB, ext), Err(Errno::EINVAL));
    assert_eq!(call(h, I915_MMAP_OFFSET_WB, 8), Err(Errno::EFAULT));
    // The old MMAP_GTT number, 16-byte struct: a GTT mapping, here the pages.
    let mut g = drm_i915_gem_mmap_gtt {
        handle: h,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_MMAP_GTT, &mut g, &mem).unwrap();
    assert_eq!(g.offset, wb);
    // The legacy CPU mmap call cannot be done by a daemon.
    let mut l = drm_i915_gem_mmap {
        handle: h,
        size: 4096,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_MMAP, &mut l, &mem),
        Err(Errno::EOPNOTSUPP)
    );
}

#[test]
fn set_domain_rules() {
    let (_dev, f, mem) = setup();
    let h = create(&f, &mem, 4096);
    let call = |handle: u32, read: u32, write: u32| {
        let mut a = drm_i915_gem_set_domain {
            handle,
            read_domains: read,
            write_domain: write,
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_SET_DOMAIN, &mut a, &mem)
    };
    call(h, I915_GEM_DOMAIN_CPU, I915_GEM_DOMAIN_CPU).unwrap();
    call(h, I915_GEM_DOMAIN_GTT, 0).unwrap();
    call(h, I915_GEM_DOMAIN_WC, I915_GEM_DOMAIN_WC).unwrap();
    assert_eq!(call(h, I915_GEM_DOMAIN_RENDER, 0), Err(Errno::EINVAL));
    assert_eq!(
        call(h, I915_GEM_DOMAIN_CPU, I915_GEM_DOMAIN_RENDER),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        call(
            h,
            I915_GEM_DOMAIN_CPU | I915_GEM_DOMAIN_GTT,
            I915_GEM_DOMAIN_CPU
        ),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        call(h, I915_GEM_DOMAIN_CPU, I915_GEM_DOMAIN_GTT),
        Err(Errno::EINVAL)
    );
    // No read domain: nothing to do, not even a lookup.
    call(999, 0, 0).unwrap();
    assert_eq!(call(999, I915_GEM_DOMAIN_CPU, 0), Err(Errno::ENOENT));
}

#[test]
fn caching_and_tiling() {
    let (_dev, f, mem) = setup();
    let h = create(&f, &mem, 4096);
    let get = |handle| {
        let mut a = drm_i915_gem_caching {
            handle,
            caching: 77,
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_GET_CACHING, &mut a, &mem).map(|_| a.caching)
    };
    let set = |handle, caching| {
        let mut a = drm_i915_gem_caching { handle, caching };
        ioctl(&f, DRM_IOCTL_I915_GEM_SET_CACHING, &mut a, &mem)
    };
    assert_eq!(get(h), Ok(I915_CACHING_CACHED), "LLC: objects start cached");
    set(h, I915_CACHING_NONE).unwrap();
    assert_eq!(get(h), Ok(I915_CACHING_NONE));
    set(h, I915_CACHING_DISPLAY).unwrap();
    assert_eq!(
        get(h),
        Ok(I915_CACHING_NONE),
        "no write-through: display is uncached"
    );
    set(h, I915_CACHING_CACHED).unwrap();
    assert_eq!(get(h), Ok(I915_CACHING_CACHED));
    assert_eq!(set(h, 3), Err(Errno::EINVAL));
    assert_eq!(
        set(999, 3),
        Err(Errno::EINVAL),
        "mode checked before the handle"
    );
    assert_eq!(set(999, 0), Err(Errno::ENOENT));
    assert_eq!(get(999), Err(Errno::ENOENT));
    let mut st = drm_i915_gem_set_tiling {
        handle: h,
        tiling_mode: I915_TILING_X,
        stride: 512,
        ..Default::default()
    };
    // Tiling is independent of caching (its rules: tiling_calls_check_in_i915_order).
    ioctl(&f, DRM_IOCTL_I915_GEM_SET_TILING, &mut st, &mem).unwrap();
    let mut gt = drm_i915_gem_get_tiling {
        handle: h,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_GET_TILING, &mut gt, &mem).unwrap();
    assert_eq!(gt.tiling_mode, I915_TILING_X);
    assert_eq!(get(h), Ok(I915_CACHING_CACHED));
}

#[test]
fn madvise_purges_objects_without_pages() {
    let (dev, f, mem) = setup();
    let call = |handle, madv| {
        let mut a = drm_i915_gem_madvise {
            handle,
            madv,
            retained: 9,
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_MADVISE, &mut a, &mem).map(|_| a.retained)
    };
    // Never touched: DONTNEED drops it at once, for good.
    let fresh = create(&f, &mem, 4096);
    assert_eq!(call(fresh, I915_MADV_DONTNEED), Ok(0));
    assert_eq!(call(fresh, I915_MADV_WILLNEED), Ok(0));
    assert_eq!(pwrite(&f, &mem, fresh, 0, b"x"), Err(Errno::EFAULT));
    assert_eq!(pread(&f, &mem, fresh, 0, 1), Err(Errno::EFAULT));
    // Only pwritten: i915 writes the store without giving the object pages, so
    // DONTNEED still purges it (gem_madvise@dontneed-before-exec).
    let written = create(&f, &mem, 4096);
    pwrite(&f, &mem, written, 0, b"lost").unwrap();
    assert_eq!(call(written, I915_MADV_DONTNEED), Ok(0));
    assert_eq!(pread(&f, &mem, written, 0, 4), Err(Errno::EFAULT));
    // With pages (a pread gets them): kept, and usable again after WILLNEED.
    let used = create(&f, &mem, 4096);
    pwrite(&f, &mem, used, 0, b"keep").unwrap();
    assert_eq!(pread(&f, &mem, used, 0, 4).unwrap(), b"keep");
    assert_eq!(call(used, I915_MADV_DONTNEED), Ok(1));
    assert_eq!(pread(&f, &mem, used, 0, 4).unwrap(), b"keep");
    assert_eq!(call(used, I915_MADV_WILLNEED), Ok(1));
    assert_eq!(call(used, 2), Err(Errno::EINVAL));
    assert_eq!(
        call(999, 2),
        Err(Errno::EINVAL),
        "madv checked before the handle"
    );
    assert_eq!(call(999, 0), Err(Errno::ENOENT));
    // A DONTNEED object without pages refuses to get them.
    let lazy = create(&f, &mem, 4096);
    let mut m = drm_i915_gem_mmap_offset {
        handle: lazy,
        flags: I915_MMAP_OFFSET_WB,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mut m, &mem).unwrap();
    // Mapped but never touched: no pages, so DONTNEED purges it, and a mapping must
    // now fault (gem_madvise@dontneed-after-mmap).
    assert_eq!(call(lazy, I915_MADV_DONTNEED), Ok(0));
    let mut chk = uapi::gemu::gemu_mmap_check {
        offset: m.offset,
        len: 4096,
        ..Default::default()
    };
    ioctl(&f, uapi::gemu::DRM_IOCTL_GEMU_MMAP_CHECK, &mut chk, &mem).unwrap();
    assert_eq!(chk.purged, 1);
    // Mapped and written through the mapping: the pages are there, DONTNEED keeps them.
    let touched = create(&f, &mem, 4096);
    m.handle = touched;
    ioctl(&f, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mut m, &mem).unwrap();
    dev.aperture().write(m.offset + 8, b"client");
    assert_eq!(call(touched, I915_MADV_DONTNEED), Ok(1));
    chk.offset = m.offset;
    ioctl(&f, uapi::gemu::DRM_IOCTL_GEMU_MMAP_CHECK, &mut chk, &mem).unwrap();
    assert_eq!(chk.purged, 0);
}

#[test]
fn busy_wait_throttle_finish_aperture() {
    let (_dev, f, mem) = setup();
    let h = create(&f, &mem, 4096);
    let mut b = drm_i915_gem_busy { handle: h, busy: 7 };
    ioctl(&f, DRM_IOCTL_I915_GEM_BUSY, &mut b, &mem).unwrap();
    assert_eq!(b.busy, 0);
    b.handle = 99;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_BUSY, &mut b, &mem),
        Err(Errno::ENOENT)
    );
    let mut w = drm_i915_gem_wait {
        bo_handle: h,
        flags: 0,
        timeout_ns: 1_000_000_000,
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_WAIT, &mut w, &mem).unwrap();
    assert!(w.timeout_ns > 0 && w.timeout_ns <= 1_000_000_000);
    w.timeout_ns = -1;
    ioctl(&f, DRM_IOCTL_I915_GEM_WAIT, &mut w, &mem).unwrap();
    assert_eq!(w.timeout_ns, -1, "an infinite wait stays infinite");
    w.flags = 1;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_WAIT, &mut w, &mem),
        Err(Errno::EINVAL)
    );
    w.flags = 0;
    w.bo_handle = 99;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_WAIT, &mut w, &mem),
        Err(Errno::ENOENT)
    );
    let mut b = [0u8; 0];
    f.ioctl(DRM_IOCTL_I915_GEM_THROTTLE, &mut b, &mem).unwrap();
    let mut s = drm_i915_gem_sw_finish { handle: h };
    ioctl(&f, DRM_IOCTL_I915_GEM_SW_FINISH, &mut s, &mem).unwrap();
    s.handle = 99;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_SW_FINISH, &mut s, &mem),
        Err(Errno::ENOENT)
    );
    let mut ap = drm_i915_gem_get_aperture::default();
    ioctl(&f, DRM_IOCTL_I915_GEM_GET_APERTURE, &mut ap, &mem).unwrap();
    assert_eq!(ap.aper_size, 4 << 30);
    assert!(ap.aper_available_size <= ap.aper_size);
}

#[test]
fn getparam_values_and_errors() {
    let (_dev, f, mem) = setup();
    let gp = |param: i32| {
        let ptr = mem.alloc(4);
        let mut a = drm_i915_getparam {
            param,
            value: ptr,
            ..Default::default()
        };
        ioctl(&f, DRM_IOCTL_I915_GETPARAM, &mut a, &mem).map(|_| mem.get::<i32>(ptr))
    };
    assert_eq!(gp(I915_PARAM_CHIPSET_ID), Ok(0x9A49));
    assert_eq!(gp(I915_PARAM_MMAP_GTT_VERSION), Ok(4));
    assert_eq!(gp(I915_PARAM_MMAP_VERSION), Ok(1));
    assert_eq!(gp(I915_PARAM_CS_TIMESTAMP_FREQUENCY), Ok(19_200_000));
    assert_eq!(gp(I915_PARAM_HAS_ALIASING_PPGTT), Ok(3));
    assert_eq!(gp(I915_PARAM_NUM_FENCES_AVAIL), Ok(32));
    assert_eq!(gp(I915_PARAM_HAS_EXECBUF2), Ok(1));
    assert_eq!(gp(I915_PARAM_HAS_EXEC_SOFTPIN), Ok(1));
    assert_eq!(gp(I915_PARAM_HAS_USERPTR_PROBE), Ok(1));
    assert_eq!(gp(I915_PARAM_HAS_EXEC_FENCE), Ok(0), "no fence fds yet");
    assert_eq!(gp(-1), Err(Errno::EINVAL));
    assert_eq!(gp(10_000), Err(Errno::EINVAL));
    assert_eq!(gp(I915_PARAM_LAST_DISPATCH), Err(Errno::ENODEV));
    let mut a = drm_i915_getparam {
        param: I915_PARAM_CHIPSET_ID,
        value: 0x8,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GETPARAM, &mut a, &mem),
        Err(Errno::EFAULT)
    );
}

#[test]
fn flink_and_open_across_files() {
    let dev = testing::device();
    let mem = MockMemory::new();
    let a = testing::open(&dev, NodeKind::Primary);
    let b = testing::open(&dev, NodeKind::Primary);
    let h = create(&a, &mem, 8192);
    pwrite(&a, &mem, h, 0, b"shared").unwrap();
    let mut fl = drm_gem_flink { handle: h, name: 0 };
    ioctl(&a, DRM_IOCTL_GEM_FLINK, &mut fl, &mem).unwrap();
    let name = fl.name;
    assert_ne!(name, 0);
    ioctl(&a, DRM_IOCTL_GEM_FLINK, &mut fl, &mem).unwrap();
    assert_eq!(fl.name, name, "one name per object");
    fl.handle = 77;
    assert_eq!(
        ioctl(&a, DRM_IOCTL_GEM_FLINK, &mut fl, &mem),
        Err(Errno::ENOENT)
    );
    let mut op = drm_gem_open {
        name,
        ..Default::default()
    };
    ioctl(&b, DRM_IOCTL_GEM_OPEN, &mut op, &mem).unwrap();
    assert_eq!(op.size, 8192);
    assert_eq!(pread(&b, &mem, op.handle, 0, 6).unwrap(), b"shared");
    // Opening twice gives two handles to one object.
    let mut op2 = drm_gem_open {
        name,
        ..Default::default()
    };
    ioctl(&b, DRM_IOCTL_GEM_OPEN, &mut op2, &mem).unwrap();
    assert_ne!(op2.handle, op.handle);
    // The name lives while any handle does.
    a.close();
    let mut op3 = drm_gem_open {
        name,
        ..Default::default()
    };
    ioctl(&b, DRM_IOCTL_GEM_OPEN, &mut op3, &mem).unwrap();
    for hh in [op.handle, op2.handle, op3.handle] {
        let mut cl = drm_gem_close { handle: hh, pad: 0 };
        ioctl(&b, DRM_IOCTL_GEM_CLOSE, &mut cl, &mem).unwrap();
    }
    assert_eq!(
        ioctl(&b, DRM_IOCTL_GEM_OPEN, &mut op3, &mem),
        Err(Errno::ENOENT)
    );
    let mut none = drm_gem_open::default();
    assert_eq!(
        ioctl(&b, DRM_IOCTL_GEM_OPEN, &mut none, &mem),
        Err(Errno::ENOENT)
    );
    assert_eq!(dev.allocated(), 0);
}

/// A probe whose answer the test sets.
struct Mapped(std::sync::Arc<std::sync::Mutex<Vec<(u64, u64)>>>);
impl emu::aperture::MappingProbe for Mapped {
    fn mapped_ranges(&self) -> Vec<(u64, u64)> {
        self.0.lock().unwrap().clone()
    }
}

#[test]
fn a_mapping_keeps_freed_pages_until_unmapped() {
    let (dev, f, mem) = setup();
    let maps = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    dev.set_mapping_probe(Box::new(Mapped(maps.clone())));
    let h = create(&f, &mem, 8192);
    pwrite(&f, &mem, h, 0, b"still here").unwrap();
    let mut m = drm_i915_gem_mmap_offset {
        handle: h,
        flags: I915_MMAP_OFFSET_WB,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mut m, &mem).unwrap();
    maps.lock().unwrap().push((m.offset, 8192));
    let mut cl = drm_gem_close { handle: h, pad: 0 };
    ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut cl, &mem).unwrap();
    assert_eq!(dev.parked_bytes(), 8192);
    // The next object does not get the mapped pages.
    let h2 = create(&f, &mem, 8192);
    let mut m2 = drm_i915_gem_mmap_offset {
        handle: h2,
        flags: I915_MMAP_OFFSET_WB,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mut m2, &mem).unwrap();
    assert_ne!(m2.offset, m.offset);
    // Still mapped: nothing to reap; unmapped: released.
    assert_eq!(dev.reap_unmapped(), 0);
    maps.lock().unwrap().clear();
    assert_eq!(dev.reap_unmapped(), 8192);
    assert_eq!(dev.parked_bytes(), 0);
    // An object never given an mmap offset is released at once.
    let h3 = create(&f, &mem, 4096);
    let mut cl = drm_gem_close { handle: h3, pad: 0 };
    ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut cl, &mem).unwrap();
    assert_eq!(dev.parked_bytes(), 0);
}

#[test]
fn wait_and_busy_follow_the_objects_fences() {
    let (_dev, f, mem) = setup();
    let h = create(&f, &mem, 4096);
    let obj = f.lookup(h).unwrap();
    let fence = emu::testing::gate(&obj);
    let busy = || {
        let mut b = drm_i915_gem_busy { handle: h, busy: 0 };
        ioctl(&f, DRM_IOCTL_I915_GEM_BUSY, &mut b, &mem).map(|_| b.busy)
    };
    // BUSY reports engines: a fence that no engine produced does not count (i915
    // looks only at its own requests); WAIT waits for it all the same.
    assert_eq!(busy(), Ok(0));
    let wait = |timeout_ns: i64, mem: &MockMemory| {
        let mut w = drm_i915_gem_wait {
            bo_handle: h,
            flags: 0,
            timeout_ns,
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_WAIT, &mut w, mem)
            .map(|_| w.timeout_ns)
            .map_err(|e| (e, w.timeout_ns))
    };
    assert_eq!(wait(0, &mem), Err((Errno::ETIME, 0)));
    assert_eq!(wait(10_000_000, &mem), Err((Errno::ETIME, 0)));
    let sig = MockMemory::new();
    sig.signal.store(true, std::sync::atomic::Ordering::Relaxed);
    let (e, left) = wait(5_000_000_000, &sig).unwrap_err();
    assert_eq!(e, Errno::EINTR);
    assert!(
        left > 4_000_000_000,
        "an interrupted wait reports the time left"
    );
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        fence.signal().unwrap();
    });
    let left = wait(5_000_000_000, &mem).unwrap();
    assert!(left > 0 && left < 5_000_000_000);
    t.join().unwrap();
    assert_eq!(busy(), Ok(0));
}

/// A restarted GEM_WAIT resumes the interrupted one's deadline (i915 writes the time
/// left back even on EINTR); another thread's wait or another timeout starts afresh.
#[test]
fn a_restarted_wait_waits_only_for_the_rest() {
    use std::sync::atomic::Ordering::Relaxed;
    let (_dev, f, mem) = setup();
    let h = create(&f, &mem, 4096);
    let obj = f.lookup(h).unwrap();
    let fence = emu::testing::gate(&obj);
    let wait = |timeout_ns: i64, mem: &MockMemory| {
        let mut w = drm_i915_gem_wait {
            bo_handle: h,
            flags: 0,
            timeout_ns,
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_WAIT, &mut w, mem).map_err(|e| (e, w.timeout_ns))
    };
    const T: i64 = 400_000_000;
    let sig = MockMemory::new();
    sig.signal.store(true, Relaxed);
    sig.tid.store(7, Relaxed);
    assert_eq!(wait(T, &sig).unwrap_err().0, Errno::EINTR);
    std::thread::sleep(std::time::Duration::from_millis(300));
    // The restart by the same thread: at most 100 ms were left.
    let (e, left) = wait(T, &sig).unwrap_err();
    assert_eq!(e, Errno::EINTR);
    assert!(left <= 100_000_000, "resumed, {left} ns left");
    // Once more: still the same deadline, not a fresh one.
    std::thread::sleep(std::time::Duration::from_millis(150));
    sig.signal.store(false, Relaxed);
    assert_eq!(wait(T, &sig), Err((Errno::ETIME, 0)));
    // Another thread's wait with the same arguments starts afresh.
    sig.signal.store(true, Relaxed);
    assert_eq!(wait(T, &sig).unwrap_err().0, Errno::EINTR);
    sig.tid.store(8, Relaxed);
    let (_, left) = wait(T, &sig).unwrap_err();
    assert!(left > T / 2, "a fresh wait, {left} ns left");
    fence.signal().unwrap();
}

fn set_tiling(
    f: &File,
    mem: &MockMemory,
    handle: u32,
    mode: u32,
    stride: u32,
) -> Result<drm_i915_gem_set_tiling, Errno> {
    let mut a = drm_i915_gem_set_tiling {
        handle,
        tiling_mode: mode,
        stride,
        swizzle_mode: 0xdead,
    };
    ioctl(f, DRM_IOCTL_I915_GEM_SET_TILING, &mut a, mem).map(|_| a)
}

fn get_tiling(f: &File, mem: &MockMemory, handle: u32) -> Result<u32, Errno> {
    let mut a = drm_i915_gem_get_tiling {
        handle,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_GET_TILING, &mut a, mem)?;
    assert_eq!(
        (a.swizzle_mode, a.phys_swizzle_mode),
        (I915_BIT_6_SWIZZLE_NONE, I915_BIT_6_SWIZZLE_NONE)
    );
    Ok(a.tiling_mode)
}

fn mmap_gtt(f: &File, mem: &MockMemory, handle: u32) -> Result<u64, Errno> {
    let mut a = drm_i915_gem_mmap_gtt {
        handle,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_MMAP_GTT, &mut a, mem).map(|_| a.offset)
}

fn mmap_offset(f: &File, mem: &MockMemory, handle: u32, flags: u64) -> u64 {
    let mut m = drm_i915_gem_mmap_offset {
        handle,
        flags,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mut m, mem).unwrap();
    m.offset
}

fn set_domain(f: &File, mem: &MockMemory, handle: u32, domain: u32) {
    let mut a = drm_i915_gem_set_domain {
        handle,
        read_domains: domain,
        write_domain: domain,
    };
    ioctl(f, DRM_IOCTL_I915_GEM_SET_DOMAIN, &mut a, mem).unwrap();
}

#[test]
fn tiling_calls_check_in_i915_order() {
    let (_d, f, mem) = setup();
    let h = create(&f, &mem, 16384);
    assert_eq!(get_tiling(&f, &mem, h), Ok(I915_TILING_NONE));
    assert_eq!(get_tiling(&f, &mem, 99), Err(Errno::ENOENT));
    // The handle is looked up before the mode is checked.
    assert_eq!(set_tiling(&f, &mem, 99, 7, 0).err(), Some(Errno::ENOENT));
    // i915_tiling_ok: unknown mode, a stride that is no whole number of tile widths,
    // zero, or wider than the fence's pitch field.
    for (mode, stride) in [
        (3, 512),
        (7, 512),
        (I915_TILING_X, 0),
        (I915_TILING_X, 128),
        (I915_TILING_Y, 64),
        (I915_TILING_X, 512 * 513),
    ] {
        assert_eq!(
            set_tiling(&f, &mem, h, mode, stride).err(),
            Some(Errno::EINVAL),
            "{mode}/{stride}"
        );
    }
    assert_eq!(get_tiling(&f, &mem, h), Ok(I915_TILING_NONE));
    let a = set_tiling(&f, &mem, h, I915_TILING_X, 1024).unwrap();
    assert_eq!(
        (a.tiling_mode, a.stride, a.swizzle_mode),
        (I915_TILING_X, 1024, I915_BIT_6_SWIZZLE_NONE)
    );
    assert_eq!(get_tiling(&f, &mem, h), Ok(I915_TILING_X));
    let a = set_tiling(&f, &mem, h, I915_TILING_Y, 128).unwrap();
    assert_eq!((a.tiling_mode, a.stride), (I915_TILING_Y, 128));
    // Linear answers stride 0 whatever was asked.
    let a = set_tiling(&f, &mem, h, I915_TILING_NONE, 4096).unwrap();
    assert_eq!((a.tiling_mode, a.stride), (I915_TILING_NONE, 0));
}

#[test]
fn client_memory_has_no_tiling_and_no_gtt_mapping() {
    let (_d, f, mem) = setup();
    let ptr = mem.alloc_pages(4096);
    let mut u = drm_i915_gem_userptr {
        user_ptr: ptr,
        user_size: 4096,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_USERPTR, &mut u, &mem).unwrap();
    assert_eq!(
        set_tiling(&f, &mem, u.handle, I915_TILING_X, 512).err(),
        Some(Errno::ENXIO)
    );
    assert_eq!(mmap_gtt(&f, &mem, u.handle), Err(Errno::ENODEV));
}

/// Byte `x` of row `y` of an X-tiled surface of pitch `stride`.
fn x_tiled(stride: u64, x: u64, y: u64) -> u64 {
    (y / 8) * stride * 8 + (x / 512) * 4096 + (y % 8) * 512 + x % 512
}

#[test]
fn a_gtt_mapping_of_a_tiled_object_is_detiled_both_ways() {
    let (dev, f, mem) = setup();
    let (stride, size) = (1024u64, 32768u64);
    let h = create(&f, &mem, size);
    let raw: Vec<u8> = (0..size).map(|i| (i * 13 % 251) as u8).collect();
    pwrite(&f, &mem, h, 0, &raw).unwrap();
    let wb = mmap_offset(&f, &mem, h, I915_MMAP_OFFSET_WB);
    set_tiling(&f, &mem, h, I915_TILING_X, stride as u32).unwrap();
    let gtt = mmap_gtt(&f, &mem, h).unwrap();
    assert_ne!(gtt, wb, "a tiled object's GTT view is not its pages");
    assert_eq!(mmap_gtt(&f, &mem, h), Ok(gtt));
    let ap = dev.aperture();
    let mut view = vec![0; size as usize];
    ap.read(gtt, &mut view);
    for (x, y) in [(0, 0), (600, 0), (5, 3), (1023, 7), (0, 8), (700, 31)] {
        assert_eq!(
            view[(y * stride + x) as usize],
            raw[x_tiled(stride, x, y) as usize],
            "({x},{y})"
        );
    }
    // A write through the view reaches the pages at the next sync point...
    ap.write(gtt + 3 * stride + 520, &[0xee]);
    set_domain(&f, &mem, h, I915_GEM_DOMAIN_CPU);
    assert_eq!(
        pread(&f, &mem, h, x_tiled(stride, 520, 3), 1).unwrap(),
        [0xee]
    );
    // ...and a pwrite reaches the view, without undoing the earlier GTT write.
    pwrite(&f, &mem, h, x_tiled(stride, 9, 9), &[0x77]).unwrap();
    let mut b = [0u8; 1];
    ap.read(gtt + 9 * stride + 9, &mut b);
    assert_eq!(b, [0x77]);
    ap.read(gtt + 3 * stride + 520, &mut b);
    assert_eq!(b, [0xee]);
    // Untiling shows the pages as they are, through the same mapping.
    set_tiling(&f, &mem, h, I915_TILING_NONE, 0).unwrap();
    ap.read(gtt, &mut view);
    assert_eq!(view, pread(&f, &mem, h, 0, size as usize).unwrap());
}

fn mmap_check(f: &File, mem: &MockMemory, offset: u64, len: u64) -> Result<(), Errno> {
    let mut a = uapi::gemu::gemu_mmap_check {
        offset,
        len,
        ..Default::default()
    };
    ioctl(f, uapi::gemu::DRM_IOCTL_GEMU_MMAP_CHECK, &mut a, mem)
}

#[test]
fn only_a_file_given_the_offset_may_map_it() {
    let (dev, a, mem) = setup();
    let b = testing::open(&dev, NodeKind::Render);
    let h = create(&a, &mem, 8192);
    set_tiling(&a, &mem, h, I915_TILING_X, 512).unwrap();
    let wc = mmap_offset(&a, &mem, h, I915_MMAP_OFFSET_WC);
    let gtt = mmap_gtt(&a, &mem, h).unwrap();
    assert_eq!(mmap_check(&a, &mem, wc, 8192), Ok(()));
    assert_eq!(mmap_check(&a, &mem, wc + 4096, 4096), Ok(()));
    assert_eq!(mmap_check(&a, &mem, gtt, 8192), Ok(()));
    // Past the object's end, or where no object is: EINVAL.
    assert_eq!(mmap_check(&a, &mem, wc + 4096, 8192), Err(Errno::EINVAL));
    assert_eq!(mmap_check(&a, &mem, 1 << 44, 4096), Err(Errno::EINVAL));
    // Another file: EACCES, until it holds a handle and asks for the offset itself.
    assert_eq!(mmap_check(&b, &mem, wc, 4096), Err(Errno::EACCES));
    let mut p = drm_prime_handle {
        handle: h,
        flags: DRM_CLOEXEC,
        fd: -1,
    };
    ioctl(&a, uapi::gemu::DRM_IOCTL_GEMU_PRIME_EXPORT, &mut p, &mem).unwrap();
    p.handle = 0;
    ioctl(&b, uapi::gemu::DRM_IOCTL_GEMU_PRIME_IMPORT, &mut p, &mem).unwrap();
    assert_eq!(mmap_check(&b, &mem, gtt, 4096), Err(Errno::EACCES));
    assert_eq!(mmap_gtt(&b, &mem, p.handle), Ok(gtt));
    assert_eq!(mmap_check(&b, &mem, gtt, 4096), Ok(()));
    // Closing the handle takes the right away.
    let mut c = drm_gem_close {
        handle: h,
        ..Default::default()
    };
    ioctl(&a, DRM_IOCTL_GEM_CLOSE, &mut c, &mem).unwrap();
    assert_eq!(mmap_check(&a, &mem, wc, 4096), Err(Errno::EACCES));
    assert_eq!(mmap_check(&b, &mem, wc, 4096), Ok(()));
}

/// pread, pwrite, SET_DOMAIN and SET_CACHING wait for the GPU as i915 does, with
/// I915_WAIT_INTERRUPTIBLE: a caller with a signal pending gets EINTR instead of
/// sleeping behind work that may never end (a spinner).
#[test]
fn cpu_access_waits_are_interruptible() {
    let (_dev, f, mem) = setup();
    let h = create(&f, &mem, 4096);
    let fence = emu::testing::gate(&f.lookup(h).unwrap());
    let sig = MockMemory::new();
    sig.signal.store(true, std::sync::atomic::Ordering::Relaxed);
    let buf = sig.alloc(8);
    let mut r = drm_i915_gem_pread {
        handle: h,
        size: 8,
        data_ptr: buf,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_PREAD, &mut r, &sig),
        Err(Errno::EINTR)
    );
    let mut w = drm_i915_gem_pwrite {
        handle: h,
        size: 8,
        data_ptr: buf,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut w, &sig),
        Err(Errno::EINTR)
    );
    let mut d = drm_i915_gem_set_domain {
        handle: h,
        read_domains: I915_GEM_DOMAIN_CPU,
        write_domain: 0,
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_SET_DOMAIN, &mut d, &sig),
        Err(Errno::EINTR)
    );
    let mut c = drm_i915_gem_caching {
        handle: h,
        caching: I915_CACHING_NONE,
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_SET_CACHING, &mut c, &sig),
        Err(Errno::EINTR)
    );
    // Once the GPU is done, the same calls go through.
    fence.signal().unwrap();
    let out = mem.alloc(8);
    r.data_ptr = out;
    ioctl(&f, DRM_IOCTL_I915_GEM_PREAD, &mut r, &mem).unwrap();
    ioctl(&f, DRM_IOCTL_I915_GEM_SET_CACHING, &mut c, &mem).unwrap();
}

/// Calls that wait for their object to idle never sleep on a front-end thread that
/// serves every client (EWOULDBLOCK: the call is made again elsewhere); where they
/// may sleep, a signal ends the wait (EINTR).
#[test]
fn waits_for_a_busy_object_never_hold_a_shared_thread() {
    use std::sync::atomic::Ordering;
    let dev = emu::testing::device();
    let f = emu::testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    let mut c = drm_i915_gem_create {
        size: 4096,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_CREATE, &mut c, &mem).unwrap();
    let gate = emu::testing::gate(&f.lookup(c.handle).unwrap());
    let buf = mem.alloc(4);
    type Call = Box<dyn Fn() -> Result<(), Errno>>;
    let calls: [(u32, Call); 4] = [
        (DRM_IOCTL_I915_GEM_SET_DOMAIN, {
            let (f, mem) = (f.clone(), mem.clone());
            Box::new(move || {
                let mut d = drm_i915_gem_set_domain {
                    handle: c.handle,
                    read_domains: I915_GEM_DOMAIN_CPU,
                    ..Default::default()
                };
                ioctl(&f, DRM_IOCTL_I915_GEM_SET_DOMAIN, &mut d, &mem)
            })
        }),
        (DRM_IOCTL_I915_GEM_SET_CACHING, {
            let (f, mem) = (f.clone(), mem.clone());
            Box::new(move || {
                let mut a = drm_i915_gem_caching {
                    handle: c.handle,
                    caching: I915_CACHING_NONE,
                };
                ioctl(&f, DRM_IOCTL_I915_GEM_SET_CACHING, &mut a, &mem)
            })
        }),
        (DRM_IOCTL_I915_GEM_PREAD, {
            let (f, mem) = (f.clone(), mem.clone());
            Box::new(move || {
                let mut p = drm_i915_gem_pread {
                    handle: c.handle,
                    size: 4,
                    data_ptr: buf,
                    ..Default::default()
                };
                ioctl(&f, DRM_IOCTL_I915_GEM_PREAD, &mut p, &mem)
            })
        }),
        (DRM_IOCTL_I915_GEM_PWRITE, {
            let (f, mem) = (f.clone(), mem.clone());
            Box::new(move || {
                let mut p = drm_i915_gem_pwrite {
                    handle: c.handle,
                    size: 4,
                    data_ptr: buf,
                    ..Default::default()
                };
                ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut p, &mem)
            })
        }),
    ];
    for (cmd, call) in &calls {
        assert!(emu::ioctl::may_wait_for_gpu(*cmd));
        mem.no_sleep.store(true, Ordering::Relaxed);
        assert_eq!(call(), Err(Errno::EWOULDBLOCK), "{cmd:#x}");
        mem.no_sleep.store(false, Ordering::Relaxed);
        mem.signal.store(true, Ordering::Relaxed);
        assert_eq!(call(), Err(Errno::EINTR), "{cmd:#x}");
        mem.signal.store(false, Ordering::Relaxed);
    }
    gate.signal().unwrap();
    for (cmd, call) in &calls {
        mem.no_sleep.store(true, Ordering::Relaxed);
        assert_eq!(call(), Ok(()), "{cmd:#x} once idle");
    }
}

/// GEMU_RW (the shim's PREAD/PWRITE): i915's checks in i915's order, the aperture
/// offset of the bytes, and the object held until the thread's next call.
#[test]
fn gemu_rw_checks_as_pread_and_pwrite_and_holds_the_object() {
    let (dev, f, mem) = setup();
    let h = create(&f, &mem, 8192);
    let rw = |handle: u32, flags: u32, offset: u64, size: u64, data_ptr: u64| {
        let mut a = gemu_rw {
            handle,
            flags,
            offset,
            size,
            data_ptr,
            aperture_offset: 0xdead,
        };
        ioctl(&f, DRM_IOCTL_GEMU_RW, &mut a, &mem).map(|_| a.aperture_offset)
    };
    let buf = mem.alloc(16);
    let mut m = drm_i915_gem_mmap_offset {
        handle: h,
        flags: I915_MMAP_OFFSET_WB,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mut m, &mem).unwrap();
    // A caller whose thread is unknown makes the ordinary call.
    assert_eq!(rw(h, 0, 4, 16, buf), Ok(0));
    mem.tid.store(5, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(rw(h, 0, 4, 16, buf), Ok(m.offset + 4));
    assert_eq!(rw(h, GEMU_RW_WRITE, 4096, 16, buf), Ok(m.offset + 4096));
    // Zero size: nothing to copy, whatever the handle.
    assert_eq!(rw(999, 0, 0, 0, 0), Ok(0));
    assert_eq!(rw(h, 2, 0, 8, buf), Err(Errno::EINVAL));
    assert_eq!(rw(999, 0, 0, 8, 0xffff_8000_0000_0000), Err(Errno::EFAULT));
    assert_eq!(rw(999, 0, 0, 8, buf), Err(Errno::ENOENT));
    assert_eq!(rw(h, GEMU_RW_WRITE, 8190, 3, buf), Err(Errno::EINVAL));
    assert_eq!(rw(h, 0, u64::MAX, 2, buf), Err(Errno::EINVAL));
    // A purged object has no pages to read or write.
    let purged = create(&f, &mem, 4096);
    let mut madv = drm_i915_gem_madvise {
        handle: purged,
        madv: I915_MADV_DONTNEED,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_MADVISE, &mut madv, &mem).unwrap();
    assert_eq!(madv.retained, 0);
    assert_eq!(rw(purged, 0, 0, 8, buf), Err(Errno::EFAULT));
    assert_eq!(rw(purged, GEMU_RW_WRITE, 0, 8, buf), Err(Errno::EFAULT));
    // A userptr object is the client's memory: EINVAL as for pread.
    let pages = mem.alloc_pages(4096);
    let mut u = drm_i915_gem_userptr {
        user_ptr: pages,
        user_size: 4096,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_USERPTR, &mut u, &mem).unwrap();
    assert_eq!(rw(u.handle, 0, 0, 8, buf), Err(Errno::EINVAL));

    // Thread 7 copies from an object that thread 8 closes meanwhile: the object (and its
    // aperture range) stays until thread 7's next call.
    let held = create(&f, &mem, 1 << 20);
    mem.tid.store(7, std::sync::atomic::Ordering::Relaxed);
    assert!(rw(held, GEMU_RW_WRITE, 0, 16, buf).unwrap() != 0);
    let before = dev.allocated();
    mem.tid.store(8, std::sync::atomic::Ordering::Relaxed);
    let mut c = drm_gem_close {
        handle: held,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut c, &mem).unwrap();
    assert_eq!(dev.allocated(), before, "freed under thread 7's copy");
    mem.tid.store(7, std::sync::atomic::Ordering::Relaxed);
    let mut gp = drm_i915_getparam {
        param: I915_PARAM_CHIPSET_ID,
        value: mem.alloc(4),
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GETPARAM, &mut gp, &mem).unwrap();
    assert_eq!(dev.allocated(), before - (1 << 20));
}
