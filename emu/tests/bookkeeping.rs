//! Nothing is kept per call: after any mix of clients has come and gone, the device's
//! own tables (`Device::bookkeeping`) are back to an idle device's size, within the
//! slack of its lazily pruned registries; waits leave no callbacks on fences.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use emu::testing::{self, ioctl, MockMemory};
use emu::{Errno, File, NodeKind};
use uapi::*;

/// What the registries may still hold once every client has gone: the last file
/// closed (alive while its close prunes them) and contexts and VMs its last request's
/// completion let go of just after.
const SLACK: usize = 8;

fn create(f: &File, mem: &MockMemory) -> u32 {
    let mut c = drm_i915_gem_create {
        size: 4096,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_CREATE, &mut c, mem).unwrap();
    c.handle
}

fn syncobj(f: &File, mem: &MockMemory, flags: u32) -> u32 {
    let mut c = drm_syncobj_create { handle: 0, flags };
    ioctl(f, DRM_IOCTL_SYNCOBJ_CREATE, &mut c, mem).unwrap();
    c.handle
}

/// One client's life: contexts, syncobj waits that time out, resets, signals,
/// timeline waits, a submission, a flink, an export never opened, purgeable memory.
fn client(dev: &Arc<emu::Device>, mem: &MockMemory) {
    let f = testing::open(dev, NodeKind::Primary);
    let mut ctx = drm_i915_gem_context_create::default();
    ioctl(&f, DRM_IOCTL_I915_GEM_CONTEXT_CREATE, &mut ctx, mem).unwrap();
    let unsignalled = syncobj(&f, mem, 0);
    let signalled = syncobj(&f, mem, DRM_SYNCOBJ_CREATE_SIGNALED);
    let handles = mem.put(&[unsignalled, signalled]);
    let mut w = drm_syncobj_wait {
        handles,
        count_handles: 1,
        flags: DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_WAIT, &mut w, mem),
        Err(Errno::ETIME)
    );
    let mut tw = drm_syncobj_timeline_wait {
        handles,
        points: mem.put(&[5u64, 0]),
        count_handles: 1,
        flags: DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &mut tw, mem),
        Err(Errno::ETIME)
    );
    for cmd in [DRM_IOCTL_SYNCOBJ_RESET, DRM_IOCTL_SYNCOBJ_SIGNAL] {
        let mut a = drm_syncobj_array {
            handles,
            count_handles: 2,
            ..Default::default()
        };
        ioctl(&f, cmd, &mut a, mem).unwrap();
    }

    let batch = create(&f, mem);
    let mut p = drm_i915_gem_pwrite {
        handle: batch,
        size: 4,
        data_ptr: mem.put(&(0x0Au32 << 23)),
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_PWRITE, &mut p, mem).unwrap();
    let fence = drm_i915_gem_exec_fence {
        handle: signalled,
        flags: I915_EXEC_FENCE_WAIT | I915_EXEC_FENCE_SIGNAL,
    };
    let obj = drm_i915_gem_exec_object2 {
        handle: batch,
        ..Default::default()
    };
    let mut eb = drm_i915_gem_execbuffer2 {
        buffers_ptr: mem.put(&obj),
        buffer_count: 1,
        flags: I915_EXEC_FENCE_ARRAY,
        cliprects_ptr: mem.put(&fence),
        num_cliprects: 1,
        rsvd1: ctx.ctx_id as u64,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &mut eb, mem).unwrap();
    let mut gw = drm_i915_gem_wait {
        bo_handle: batch,
        timeout_ns: 5_000_000_000,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_WAIT, &mut gw, mem).unwrap();

    let mut fl = drm_gem_flink {
        handle: batch,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_GEM_FLINK, &mut fl, mem).unwrap();
    let mut ex = drm_prime_handle {
        handle: batch,
        flags: DRM_CLOEXEC,
        fd: -1,
    };
    ioctl(&f, DRM_IOCTL_GEMU_PRIME_EXPORT, &mut ex, mem).unwrap();
    let mut m = drm_i915_gem_madvise {
        handle: batch,
        madv: I915_MADV_DONTNEED,
        ..Default::default()
    };
    for _ in 0..3 {
        ioctl(&f, DRM_IOCTL_I915_GEM_MADVISE, &mut m, mem).unwrap();
    }
    f.close();
}

#[test]
fn clients_that_come_and_go_leave_the_device_idle() {
    let dev = testing::device();
    let mem = MockMemory::new();
    let idle = dev.bookkeeping();
    for round in 0..300 {
        client(&dev, &mem);
        if round == 0 {
            // The model really did keep things while the client lived.
            let f = testing::open(&dev, NodeKind::Render);
            assert!(dev.bookkeeping() > idle);
            f.close();
        }
    }
    // The last requests' completions let go of their contexts.
    while dev.engines.busy() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let after = dev.bookkeeping();
    assert!(
        after <= idle + SLACK,
        "{after} entries after 300 clients, {idle} idle"
    );
    assert_eq!(dev.allocated(), 0);
}

/// Waits that time out or are interrupted take their callbacks off the fence.
#[test]
fn waits_leave_no_callbacks_behind() {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    let h = create(&f, &mem);
    let gate = testing::gate(&f.lookup(h).unwrap());
    for i in 0..100 {
        let mut w = drm_i915_gem_wait {
            bo_handle: h,
            timeout_ns: 1000,
            ..Default::default()
        };
        mem.signal.store(i % 2 == 1, Ordering::Relaxed);
        let want = if i % 2 == 1 {
            Errno::EINTR
        } else {
            Errno::ETIME
        };
        let mut d = drm_i915_gem_set_domain {
            handle: h,
            read_domains: I915_GEM_DOMAIN_CPU,
            ..Default::default()
        };
        if i % 2 == 1 {
            assert_eq!(
                ioctl(&f, DRM_IOCTL_I915_GEM_SET_DOMAIN, &mut d, &mem),
                Err(want)
            );
        } else {
            assert_eq!(ioctl(&f, DRM_IOCTL_I915_GEM_WAIT, &mut w, &mem), Err(want));
        }
        assert_eq!(gate.callback_count(), 0, "round {i}");
    }
    gate.signal().unwrap();
}
