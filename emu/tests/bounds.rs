//! Counts and sizes from user space are checked against what i915 and the DRM core
//! can allocate, with their errnos, before the model allocates anything: a hostile
//! count is an errno for its caller, never an abort of the daemon.

use std::sync::Arc;

use emu::testing::{self, ioctl, MockMemory};
use emu::{Errno, File, NodeKind};
use uapi::*;

fn setup() -> (Arc<emu::Device>, Arc<File>, MockMemory) {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    (dev, f, MockMemory::new())
}

fn create(f: &File, mem: &MockMemory) -> u32 {
    let mut c = drm_i915_gem_create {
        size: 4096,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_CREATE, &mut c, mem).unwrap();
    c.handle
}

fn execbuf(f: &File, mem: &MockMemory, eb: &mut drm_i915_gem_execbuffer2) -> Result<(), Errno> {
    ioctl(f, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, eb, mem)
}

fn syncobj(f: &File, mem: &MockMemory) -> u32 {
    let mut c = drm_syncobj_create {
        flags: DRM_SYNCOBJ_CREATE_SIGNALED,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_SYNCOBJ_CREATE, &mut c, mem).unwrap();
    c.handle
}

/// `buffer_count` past what i915's exec list can hold: ENOMEM before the list is
/// read; out of range: EINVAL; a list that is not mapped: EFAULT.
#[test]
fn execbuf_buffer_count_is_bounded() {
    let (_d, f, mem) = setup();
    let list = mem.alloc(56);
    for (count, want) in [
        (0x7fff_ffff, Errno::ENOMEM),
        // (count + 2) x 136 bytes just over INT_MAX.
        (15_790_319, Errno::ENOMEM),
        (0x8000_0000, Errno::EINVAL),
        (u32::MAX, Errno::EINVAL),
        (0, Errno::EINVAL),
        // An allocation i915 makes, over a list that is mostly not mapped.
        (1_000_000, Errno::EFAULT),
    ] {
        let mut eb = drm_i915_gem_execbuffer2 {
            buffers_ptr: list,
            buffer_count: count,
            ..Default::default()
        };
        assert_eq!(
            execbuf(&f, &mem, &mut eb),
            Err(want),
            "buffer_count {count}"
        );
    }
    // The device still works.
    let batch = create(&f, &mem);
    let mut p = drm_i915_gem_pwrite {
        handle: batch,
        size: 4,
        data_ptr: mem.put(&(0x0Au32 << 23)),
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut p, &mem).unwrap();
    let obj = drm_i915_gem_exec_object2 {
        handle: batch,
        ..Default::default()
    };
    let mut eb = drm_i915_gem_execbuffer2 {
        buffers_ptr: mem.put(&obj),
        buffer_count: 1,
        ..Default::default()
    };
    execbuf(&f, &mem, &mut eb).unwrap();
}

/// I915_EXEC_FENCE_ARRAY and the timeline-fences extension: i915 grows its fence
/// array with krealloc (32 bytes a fence): ENOMEM past 4 MiB, after access_ok.
#[test]
fn execbuf_fence_counts_are_bounded() {
    let (_d, f, mem) = setup();
    let batch = create(&f, &mem);
    let obj = mem.put(&drm_i915_gem_exec_object2 {
        handle: batch,
        ..Default::default()
    });
    let fences = mem.alloc(8);
    for (n, want) in [(1u32 << 20, Errno::ENOMEM), (u32::MAX, Errno::ENOMEM)] {
        let mut eb = drm_i915_gem_execbuffer2 {
            buffers_ptr: obj,
            buffer_count: 1,
            flags: I915_EXEC_FENCE_ARRAY,
            cliprects_ptr: fences,
            num_cliprects: n,
            ..Default::default()
        };
        assert_eq!(execbuf(&f, &mem, &mut eb), Err(want), "num_cliprects {n}");
    }
    // Past the top of user space: EFAULT first.
    let mut eb = drm_i915_gem_execbuffer2 {
        buffers_ptr: obj,
        buffer_count: 1,
        flags: I915_EXEC_FENCE_ARRAY,
        cliprects_ptr: (1 << 47) - 8,
        num_cliprects: 1 << 20,
        ..Default::default()
    };
    assert_eq!(execbuf(&f, &mem, &mut eb), Err(Errno::EFAULT));

    for (n, want) in [
        (1u64 << 20, Errno::ENOMEM),
        (u64::MAX / 8 + 1, Errno::EINVAL),
        (1 << 44, Errno::EFAULT),
    ] {
        let ext = drm_i915_gem_execbuffer_ext_timeline_fences {
            base: i915_user_extension {
                name: DRM_I915_GEM_EXECBUFFER_EXT_TIMELINE_FENCES,
                ..Default::default()
            },
            fence_count: n,
            handles_ptr: fences,
            values_ptr: fences,
        };
        let mut eb = drm_i915_gem_execbuffer2 {
            buffers_ptr: obj,
            buffer_count: 1,
            flags: I915_EXEC_USE_EXTENSIONS,
            cliprects_ptr: mem.put(&ext),
            ..Default::default()
        };
        assert_eq!(execbuf(&f, &mem, &mut eb), Err(want), "fence_count {n}");
    }
}

/// A relocation count past i915's limit is EINVAL; a long list whose entries are not
/// mapped is EFAULT, and nothing is read (or held) beyond a chunk at a time.
#[test]
fn relocation_counts_are_bounded() {
    let (_d, f, mem) = setup();
    let batch = create(&f, &mem);
    let relocs = mem.alloc(32);
    for (n, want) in [(u32::MAX, Errno::EINVAL), (1 << 25, Errno::EFAULT)] {
        let obj = drm_i915_gem_exec_object2 {
            handle: batch,
            relocation_count: n,
            relocs_ptr: relocs,
            ..Default::default()
        };
        let mut eb = drm_i915_gem_execbuffer2 {
            buffers_ptr: mem.put(&obj),
            buffer_count: 1,
            ..Default::default()
        };
        assert_eq!(
            execbuf(&f, &mem, &mut eb),
            Err(want),
            "relocation_count {n}"
        );
    }
}

/// The DRM core's syncobj arrays are kmalloc'd: 4 bytes a handle, then 8 a syncobj
/// pointer (ENOMEM past 4 MiB each, EFAULT from the handles' copy in between); a
/// wait's entries are 64 bytes each.
#[test]
fn syncobj_counts_are_bounded() {
    let (_d, f, mem) = setup();
    let s = syncobj(&f, &mem);
    let few = mem.put(&[s; 4]);
    // 100,000 valid handles: found, then too many wait entries.
    let many = mem.put_bytes(
        &vec![s; 100_000]
            .iter()
            .flat_map(|h| h.to_ne_bytes())
            .collect::<Vec<u8>>(),
    );
    let points = mem.alloc(8 * 100_000);
    for (count, ptr, want) in [
        (u32::MAX, few, Errno::ENOMEM),
        ((1 << 20) + 1, few, Errno::ENOMEM),
        // Handles fit, their copy faults.
        (600_000, few, Errno::EFAULT),
        (100_000, many, Errno::ENOMEM),
    ] {
        let mut w = drm_syncobj_wait {
            handles: ptr,
            count_handles: count,
            ..Default::default()
        };
        assert_eq!(
            ioctl(&f, DRM_IOCTL_SYNCOBJ_WAIT, &mut w, &mem),
            Err(want),
            "wait {count}"
        );
        let mut tw = drm_syncobj_timeline_wait {
            handles: ptr,
            points,
            count_handles: count,
            ..Default::default()
        };
        assert_eq!(
            ioctl(&f, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &mut tw, &mem),
            Err(want),
            "timeline wait {count}"
        );
    }
    for cmd in [DRM_IOCTL_SYNCOBJ_RESET, DRM_IOCTL_SYNCOBJ_SIGNAL] {
        for (count, want) in [(u32::MAX, Errno::ENOMEM), (600_000, Errno::EFAULT)] {
            let mut a = drm_syncobj_array {
                handles: few,
                count_handles: count,
                ..Default::default()
            };
            assert_eq!(ioctl(&f, cmd, &mut a, &mem), Err(want), "{cmd:#x} {count}");
        }
        let mut a = drm_syncobj_array {
            handles: many,
            count_handles: 100_000,
            ..Default::default()
        };
        ioctl(&f, cmd, &mut a, &mem).unwrap();
    }
    for cmd in [DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, DRM_IOCTL_SYNCOBJ_QUERY] {
        let mut a = drm_syncobj_timeline_array {
            handles: few,
            points,
            count_handles: u32::MAX,
            ..Default::default()
        };
        assert_eq!(ioctl(&f, cmd, &mut a, &mem), Err(Errno::ENOMEM), "{cmd:#x}");
    }
}
