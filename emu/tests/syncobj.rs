//! Syncobj ioctls: creation, errors in the kernel's order, waits (all/any, absolute
//! timeouts, WAIT_FOR_SUBMIT, signals), timelines, query and transfer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use emu::sync::{DmaFence, FenceTimeline};
use emu::testing::{self, ioctl, MockMemory};
use emu::{Errno, File, NodeKind};
use uapi::*;

fn setup() -> (Arc<emu::Device>, Arc<File>, MockMemory) {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    (dev, f, MockMemory::new())
}

fn create(f: &File, mem: &MockMemory, flags: u32) -> u32 {
    let mut c = drm_syncobj_create { handle: 0, flags };
    ioctl(f, DRM_IOCTL_SYNCOBJ_CREATE, &mut c, mem).unwrap();
    c.handle
}

fn handles(mem: &MockMemory, h: &[u32]) -> u64 {
    mem.put_bytes(&h.iter().flat_map(|x| x.to_ne_bytes()).collect::<Vec<_>>())
}

fn points(mem: &MockMemory, p: &[u64]) -> u64 {
    mem.put_bytes(&p.iter().flat_map(|x| x.to_ne_bytes()).collect::<Vec<_>>())
}

fn monotonic_ns() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec * 1_000_000_000 + ts.tv_nsec
}

fn wait(
    f: &File,
    mem: &MockMemory,
    h: &[u32],
    flags: u32,
    timeout_nsec: i64,
) -> Result<u32, Errno> {
    let mut w = drm_syncobj_wait {
        handles: handles(mem, h),
        timeout_nsec,
        count_handles: h.len() as u32,
        flags,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_SYNCOBJ_WAIT, &mut w, mem).map(|_| w.first_signaled)
}

#[test]
fn create_destroy_errors() {
    let (_d, f, mem) = setup();
    let mut c = drm_syncobj_create {
        handle: 0,
        flags: 2,
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_CREATE, &mut c, &mem),
        Err(Errno::EINVAL)
    );
    let h = create(&f, &mem, 0);
    assert_eq!(h, 1);
    let mut d = drm_syncobj_destroy { handle: h, pad: 1 };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_DESTROY, &mut d, &mem),
        Err(Errno::EINVAL)
    );
    d.pad = 0;
    ioctl(&f, DRM_IOCTL_SYNCOBJ_DESTROY, &mut d, &mem).unwrap();
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_DESTROY, &mut d, &mem),
        Err(Errno::EINVAL)
    );
    d.handle = 0xdeadbeef;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_DESTROY, &mut d, &mem),
        Err(Errno::EINVAL)
    );
    // fd conversions: checked in the kernel's order.
    let mut hd = drm_syncobj_handle {
        handle: 0xdeadbeef,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &mut hd, &mem),
        Err(Errno::EINVAL)
    );
    hd.flags = 0xdeadbeef;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &mut hd, &mem),
        Err(Errno::EINVAL)
    );
    let mut pad = drm_syncobj_handle {
        pad: 0xdeadbeef,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &mut pad, &mem),
        Err(Errno::EINVAL)
    );
    let mut bad_fd = drm_syncobj_handle {
        fd: -1,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &mut bad_fd, &mem),
        Err(Errno::EINVAL)
    );
}

#[test]
fn wait_errors_and_signalled_objects() {
    let (_d, f, mem) = setup();
    let s = create(&f, &mem, DRM_SYNCOBJ_CREATE_SIGNALED);
    let empty = create(&f, &mem, 0);
    assert_eq!(wait(&f, &mem, &[s], 0, 0), Ok(0));
    assert_eq!(
        wait(&f, &mem, &[], 0, 0),
        Ok(0),
        "zero handles: a wait that is over"
    );
    assert_eq!(wait(&f, &mem, &[s], 0xdeadbeef, 0), Err(Errno::EINVAL));
    assert_eq!(wait(&f, &mem, &[s, 99], 0, 0), Err(Errno::ENOENT));
    // No fence and no WAIT_FOR_SUBMIT: EINVAL, even if another one is signalled.
    assert_eq!(wait(&f, &mem, &[empty, s], 0, 0), Err(Errno::EINVAL));
    // With WAIT_FOR_SUBMIT: any -> the signalled one; all -> times out.
    assert_eq!(
        wait(
            &f,
            &mem,
            &[empty, s],
            DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
            0
        ),
        Ok(1)
    );
    assert_eq!(
        wait(
            &f,
            &mem,
            &[empty, s],
            DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT | DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
            0
        ),
        Err(Errno::ETIME)
    );
    let mut w = drm_syncobj_wait {
        handles: 0x10,
        count_handles: 1,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_WAIT, &mut w, &mem),
        Err(Errno::EFAULT)
    );
    // Reset, then signal.
    let mut arr = drm_syncobj_array {
        handles: handles(&mem, &[s]),
        count_handles: 1,
        pad: 0,
    };
    ioctl(&f, DRM_IOCTL_SYNCOBJ_RESET, &mut arr, &mem).unwrap();
    assert_eq!(wait(&f, &mem, &[s], 0, 0), Err(Errno::EINVAL));
    ioctl(&f, DRM_IOCTL_SYNCOBJ_SIGNAL, &mut arr, &mem).unwrap();
    assert_eq!(wait(&f, &mem, &[s], 0, 0), Ok(0));
    arr.pad = 1;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_SIGNAL, &mut arr, &mem),
        Err(Errno::EINVAL)
    );
    arr.pad = 0;
    arr.count_handles = 0;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_RESET, &mut arr, &mem),
        Err(Errno::EINVAL)
    );
}

/// Put an unsignalled fence in syncobj `h` of `f`, as execbuf will.
fn arm(f: &File, h: u32) -> Arc<DmaFence> {
    let fence = FenceTimeline::new().next_fence();
    emu::syncobj::replace_for_test(f, h, Some(fence.clone()));
    fence
}

#[test]
fn waits_block_until_signalled_or_timeout() {
    let (_d, f, mem) = setup();
    let a = create(&f, &mem, 0);
    let b = create(&f, &mem, 0);
    let fa = arm(&f, a);
    let fb = arm(&f, b);
    // Absolute deadline 30 ms ahead: ETIME, and not before the deadline.
    let start = Instant::now();
    let r = wait(&f, &mem, &[a, b], 0, monotonic_ns() + 30_000_000);
    assert_eq!(r, Err(Errno::ETIME));
    assert!(start.elapsed() >= Duration::from_millis(25));
    // A deadline in the past polls.
    assert_eq!(wait(&f, &mem, &[a], 0, 1), Err(Errno::ETIME));
    // Any: the one that signals; all: both.
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        fb.signal().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        fa.signal().unwrap();
    });
    assert_eq!(wait(&f, &mem, &[a, b], 0, i64::MAX), Ok(1));
    assert_eq!(
        wait(&f, &mem, &[a, b], DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, i64::MAX),
        Ok(0)
    );
    t.join().unwrap();
}

#[test]
fn wait_for_submit_sees_a_later_fence() {
    let (_d, f, mem) = setup();
    let a = create(&f, &mem, 0);
    let f2 = f.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        let fence = arm(&f2, a);
        std::thread::sleep(Duration::from_millis(20));
        fence.signal().unwrap();
    });
    assert_eq!(
        wait(
            &f,
            &mem,
            &[a],
            DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
            i64::MAX
        ),
        Ok(0)
    );
    t.join().unwrap();
}

#[test]
fn a_signal_interrupts_a_wait() {
    let (_d, f, mem) = setup();
    let a = create(&f, &mem, 0);
    let _fence = arm(&f, a);
    mem.signal.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(wait(&f, &mem, &[a], 0, i64::MAX), Err(Errno::EINTR));
}

#[test]
fn timelines_signal_query_transfer() {
    let (_d, f, mem) = setup();
    let t = create(&f, &mem, 0);
    let tl = |flags: u32, h: &[u32], p: &[u64]| drm_syncobj_timeline_array {
        handles: handles(&mem, h),
        points: points(&mem, p),
        count_handles: h.len() as u32,
        flags,
    };
    let query = |flags: u32| {
        let mut q = tl(flags, &[t], &[0]);
        ioctl(&f, DRM_IOCTL_SYNCOBJ_QUERY, &mut q, &mem).map(|_| mem.get::<u64>(q.points))
    };
    assert_eq!(query(0), Ok(0));
    let mut s = tl(0, &[t], &[3]);
    ioctl(&f, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &mut s, &mem).unwrap();
    assert_eq!(query(0), Ok(3));
    assert_eq!(query(DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), Ok(3));
    assert_eq!(query(2), Err(Errno::EINVAL));
    let mut bad = tl(1, &[t], &[4]);
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &mut bad, &mem),
        Err(Errno::EINVAL)
    );
    let mut none = tl(0, &[], &[]);
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &mut none, &mem),
        Err(Errno::EINVAL)
    );
    // Timeline wait: point 3 is there and signalled; point 5 is not submitted.
    let tw = |p: u64, flags: u32| {
        let mut w = drm_syncobj_timeline_wait {
            handles: handles(&mem, &[t]),
            points: points(&mem, &[p]),
            timeout_nsec: 0,
            count_handles: 1,
            flags,
            ..Default::default()
        };
        ioctl(&f, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &mut w, &mem)
    };
    tw(3, 0).unwrap();
    tw(2, 0).unwrap();
    assert_eq!(tw(5, 0), Err(Errno::EINVAL));
    assert_eq!(
        tw(5, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT),
        Err(Errno::ETIME)
    );
    assert_eq!(tw(5, 0xf0), Err(Errno::EINVAL));
    // Transfer point 3 to a binary syncobj, and to point 7 of another timeline.
    let bin = create(&f, &mem, 0);
    let mut x = drm_syncobj_transfer {
        src_handle: t,
        dst_handle: bin,
        src_point: 3,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_SYNCOBJ_TRANSFER, &mut x, &mem).unwrap();
    assert_eq!(wait(&f, &mem, &[bin], 0, 0), Ok(0));
    let t2 = create(&f, &mem, 0);
    x.dst_handle = t2;
    x.dst_point = 7;
    ioctl(&f, DRM_IOCTL_SYNCOBJ_TRANSFER, &mut x, &mem).unwrap();
    let mut q = tl(DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, &[t2], &[0]);
    ioctl(&f, DRM_IOCTL_SYNCOBJ_QUERY, &mut q, &mem).unwrap();
    assert_eq!(mem.get::<u64>(q.points), 7);
    // Errors: pad, missing source point, bad handles.
    x.pad = 1;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_TRANSFER, &mut x, &mem),
        Err(Errno::EINVAL)
    );
    x.pad = 0;
    x.src_point = 9;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_TRANSFER, &mut x, &mem),
        Err(Errno::EINVAL)
    );
    x.src_handle = 99;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SYNCOBJ_TRANSFER, &mut x, &mem),
        Err(Errno::ENOENT)
    );
}

#[test]
fn closing_the_file_frees_its_syncobjs() {
    let (_d, f, mem) = setup();
    let a = create(&f, &mem, 0);
    let fence = arm(&f, a);
    f.close();
    // The fence lives on for whoever signals it; the file's table is empty.
    fence.signal().unwrap();
    assert_eq!(wait(&f, &mem, &[a], 0, 0), Err(Errno::ENOENT));
}
