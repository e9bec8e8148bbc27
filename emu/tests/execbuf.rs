//! execbuf through the model: batches run on the software command streamer.

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

fn create(f: &File, mem: &MockMemory, size: u64) -> u32 {
    let mut c = drm_i915_gem_create {
        size,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_CREATE, &mut c, mem).unwrap();
    c.handle
}

fn write(f: &File, mem: &MockMemory, h: u32, dwords: &[u32]) {
    let bytes: Vec<u8> = dwords.iter().flat_map(|d| d.to_ne_bytes()).collect();
    let mut p = drm_i915_gem_pwrite {
        handle: h,
        size: bytes.len() as u64,
        data_ptr: mem.put_bytes(&bytes),
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_PWRITE, &mut p, mem).unwrap();
}

fn read_u32(f: &File, mem: &MockMemory, h: u32, offset: u64) -> u32 {
    let ptr = mem.alloc(4);
    let mut p = drm_i915_gem_pread {
        handle: h,
        offset,
        size: 4,
        data_ptr: ptr,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_PREAD, &mut p, mem).unwrap();
    mem.get(ptr)
}

fn wait(f: &File, mem: &MockMemory, h: u32) -> Result<(), Errno> {
    let mut w = drm_i915_gem_wait {
        bo_handle: h,
        flags: 0,
        timeout_ns: 5_000_000_000,
    };
    ioctl(f, DRM_IOCTL_I915_GEM_WAIT, &mut w, mem)
}

fn exec(
    f: &File,
    mem: &MockMemory,
    objs: &[drm_i915_gem_exec_object2],
    flags: u64,
) -> Result<Vec<drm_i915_gem_exec_object2>, Errno> {
    let bytes: Vec<u8> = objs
        .iter()
        .flat_map(|o| bytemuck::bytes_of(o).to_vec())
        .collect();
    let ptr = mem.put_bytes(&bytes);
    let mut eb = drm_i915_gem_execbuffer2 {
        buffers_ptr: ptr,
        buffer_count: objs.len() as u32,
        flags,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &mut eb, mem)?;
    Ok(mem
        .get_bytes(ptr, bytes.len())
        .chunks(std::mem::size_of::<drm_i915_gem_exec_object2>())
        .map(bytemuck::pod_read_unaligned)
        .collect())
}

/// A batch softpinned at 0x30000 that never ends by itself: MI_ARB_CHECK, then
/// MI_BATCH_BUFFER_START back to it (preemptible). Its handle and exec entry.
fn spinner(f: &File, mem: &MockMemory) -> (u32, drm_i915_gem_exec_object2) {
    let spin = create(f, mem, 4096);
    write(
        f,
        mem,
        spin,
        &[0x05 << 23, (0x31 << 23) | (1 << 8) | 1, 0x30000, 0],
    );
    let obj = drm_i915_gem_exec_object2 {
        handle: spin,
        offset: 0x30000,
        flags: EXEC_OBJECT_PINNED,
        ..Default::default()
    };
    (spin, obj)
}

#[test]
fn a_softpinned_store_lands_in_memory() {
    let (_d, f, mem) = setup();
    let target = create(&f, &mem, 4096);
    let batch = create(&f, &mem, 4096);
    write(
        &f,
        &mem,
        batch,
        &[
            MI_STORE_DWORD_IMM,
            0x10004,
            0,
            0xdeadbeef,
            MI_BATCH_BUFFER_END,
        ],
    );
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
    exec(&f, &mem, &objs, I915_EXEC_RENDER).unwrap();
    wait(&f, &mem, target).unwrap();
    assert_eq!(read_u32(&f, &mem, target, 4), 0xdeadbeef);
}

#[test]
fn a_relocated_store_lands_and_offsets_come_back() {
    let (_d, f, mem) = setup();
    let target = create(&f, &mem, 4096);
    let batch = create(&f, &mem, 4096);
    write(
        &f,
        &mem,
        batch,
        &[MI_STORE_DWORD_IMM, 0, 0, 0x12345678, MI_BATCH_BUFFER_END],
    );
    let reloc = drm_i915_gem_relocation_entry {
        target_handle: target,
        delta: 8,
        offset: 4,
        presumed_offset: u64::MAX,
        read_domains: I915_GEM_DOMAIN_RENDER,
        write_domain: I915_GEM_DOMAIN_RENDER,
    };
    let rptr = mem.put(&reloc);
    let objs = [
        drm_i915_gem_exec_object2 {
            handle: target,
            ..Default::default()
        },
        drm_i915_gem_exec_object2 {
            handle: batch,
            relocation_count: 1,
            relocs_ptr: rptr,
            ..Default::default()
        },
    ];
    let back = exec(&f, &mem, &objs, I915_EXEC_BLT).unwrap();
    wait(&f, &mem, target).unwrap();
    assert_eq!(read_u32(&f, &mem, target, 8), 0x12345678);
    let r: drm_i915_gem_relocation_entry = mem.get(rptr);
    assert_eq!(
        r.presumed_offset, back[0].offset,
        "relocation's presumed offset written back"
    );
    assert!(
        back[1].offset >= 256 * 1024,
        "a relocated batch sits above the bias"
    );
}

#[test]
fn a_bad_command_hangs_the_request_not_the_device() {
    let (_d, f, mem) = setup();
    let batch = create(&f, &mem, 4096);
    write(&f, &mem, batch, &[0xffff_ffff, MI_BATCH_BUFFER_END]);
    let objs = [drm_i915_gem_exec_object2 {
        handle: batch,
        ..Default::default()
    }];
    exec(&f, &mem, &objs, 0).unwrap();
    wait(&f, &mem, batch).unwrap();
    let mut rs = drm_i915_reset_stats::default();
    ioctl(&f, DRM_IOCTL_I915_GET_RESET_STATS, &mut rs, &mem).unwrap();
    assert_eq!(rs.batch_active, 1);
    // The device still runs good batches.
    write(&f, &mem, batch, &[MI_BATCH_BUFFER_END]);
    exec(&f, &mem, &objs, 0).unwrap();
    wait(&f, &mem, batch).unwrap();
}

#[test]
fn softpinned_objects_may_swap_places_but_not_overlap() {
    let (_d, f, mem) = setup();
    let a = create(&f, &mem, 8192);
    let b = create(&f, &mem, 8192);
    let batch = create(&f, &mem, 4096);
    write(&f, &mem, batch, &[MI_BATCH_BUFFER_END]);
    let pin = |handle, offset| drm_i915_gem_exec_object2 {
        handle,
        offset,
        flags: EXEC_OBJECT_PINNED,
        ..Default::default()
    };
    exec(
        &f,
        &mem,
        &[pin(a, 0x100000), pin(b, 0x200000), pin(batch, 0x300000)],
        0,
    )
    .unwrap();
    exec(
        &f,
        &mem,
        &[pin(a, 0x200000), pin(b, 0x100000), pin(batch, 0x300000)],
        0,
    )
    .unwrap();
    // i915_gem_evict_for_node: two pins of one submission overlapping; the held one
    // cannot be evicted (ENOSPC in 6.x; the old EINVAL path is gone).
    assert_eq!(
        exec(
            &f,
            &mem,
            &[pin(a, 0x100000), pin(b, 0x101000), pin(batch, 0x300000)],
            0
        )
        .unwrap_err(),
        Errno::ENOSPC
    );
    // Non-canonical and misaligned softpins.
    assert_eq!(
        exec(&f, &mem, &[pin(a, 1 << 47), pin(batch, 0x300000)], 0).unwrap_err(),
        Errno::EINVAL
    );
    assert_eq!(
        exec(&f, &mem, &[pin(a, 0x100010), pin(batch, 0x300000)], 0).unwrap_err(),
        Errno::EINVAL
    );
}

/// Many threads writing one object on two engines of one context: each submission
/// awaits the previous writer's fence. A request must never sit in a queue behind one
/// that waits for it (gem_exec_parallel's pattern), so everything completes.
#[test]
fn concurrent_writers_on_two_engines_all_complete() {
    let (_d, f, mem) = setup();
    let target = create(&f, &mem, 4096);
    let batch = create(&f, &mem, 4096);
    write(
        &f,
        &mem,
        batch,
        &[MI_STORE_DWORD_IMM, 0x10000, 0, 1, MI_BATCH_BUFFER_END],
    );
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
    std::thread::scope(|s| {
        for t in 0..8 {
            let (f, mem) = (&f, &mem);
            s.spawn(move || {
                let ring = if t % 2 == 0 {
                    I915_EXEC_RENDER
                } else {
                    I915_EXEC_BLT
                };
                for _ in 0..300 {
                    exec(f, mem, &objs, ring).unwrap();
                }
            });
        }
    });
    // Generous: a loaded machine runs the 2400 requests slowly; a lost request
    // never completes at all.
    let t0 = std::time::Instant::now();
    let mut w = drm_i915_gem_wait {
        bo_handle: target,
        flags: 0,
        timeout_ns: 120_000_000_000,
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_WAIT, &mut w, &mem).expect("every request completes");
    eprintln!("drained in {:?}", t0.elapsed());
    assert_eq!(read_u32(&f, &mem, target, 0), 1);
}

/// A relocation rewrites the batch on the CPU: it waits for the requests that still
/// read it (i915_gem_object_prepare_write), so a queued request runs the batch it was
/// given (gem_exec_parallel reuses one relocated batch per thread).
#[test]
fn relocating_a_queued_batch_waits_for_it() {
    let (_d, f, mem) = setup();
    let (t1, t2, gate, batch) = (
        create(&f, &mem, 4096),
        create(&f, &mem, 4096),
        create(&f, &mem, 4096),
        create(&f, &mem, 4096),
    );
    write(
        &f,
        &mem,
        batch,
        &[MI_STORE_DWORD_IMM, 0, 0, 0x600d, MI_BATCH_BUFFER_END],
    );
    // The first request waits behind `gate`'s fence, which nothing signals yet.
    let fence = emu::testing::gate(&f.lookup(gate).unwrap());
    let submit = |target: u32, extra: Option<u32>| {
        let reloc = drm_i915_gem_relocation_entry {
            target_handle: target,
            offset: 4,
            presumed_offset: u64::MAX,
            read_domains: I915_GEM_DOMAIN_RENDER,
            write_domain: I915_GEM_DOMAIN_RENDER,
            ..Default::default()
        };
        let mut objs = vec![drm_i915_gem_exec_object2 {
            handle: target,
            ..Default::default()
        }];
        if let Some(g) = extra {
            objs.push(drm_i915_gem_exec_object2 {
                handle: g,
                ..Default::default()
            });
        }
        objs.push(drm_i915_gem_exec_object2 {
            handle: batch,
            relocation_count: 1,
            relocs_ptr: mem.put_bytes(bytemuck::bytes_of(&reloc)),
            ..Default::default()
        });
        exec(&f, &mem, &objs, I915_EXEC_RENDER).unwrap();
    };
    submit(t1, Some(gate));
    let signaller = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        fence.signal().unwrap();
    });
    // Rewrites the batch for t2: must wait until the first request has run.
    submit(t2, None);
    signaller.join().unwrap();
    wait(&f, &mem, t1).unwrap();
    wait(&f, &mem, t2).unwrap();
    assert_eq!(
        read_u32(&f, &mem, t1, 0),
        0x600d,
        "the first request's target"
    );
    assert_eq!(read_u32(&f, &mem, t2, 0), 0x600d);
}

/// `eb_throttle`: requests that cannot run fill the context's 16 KiB ring; then
/// execbuf waits for space: EINTR when a signal comes, EWOULDBLOCK for a caller that
/// may not sleep (nothing queued by either), and it goes through once work retires.
#[test]
fn a_full_ring_throttles_execbuf() {
    use std::sync::atomic::Ordering;
    let (_d, f, mem) = setup();
    let (gate, batch) = (create(&f, &mem, 4096), create(&f, &mem, 4096));
    write(&f, &mem, batch, &[MI_BATCH_BUFFER_END]);
    let fence = emu::testing::gate(&f.lookup(gate).unwrap());
    let objs = [
        drm_i915_gem_exec_object2 {
            handle: gate,
            ..Default::default()
        },
        drm_i915_gem_exec_object2 {
            handle: batch,
            ..Default::default()
        },
    ];
    mem.no_sleep.store(true, Ordering::Relaxed);
    let mut queued = 0;
    let err = loop {
        match exec(&f, &mem, &objs, I915_EXEC_RENDER) {
            Ok(_) => queued += 1,
            Err(e) => break e,
        }
        assert!(queued < 1000, "the ring never filled");
    };
    assert_eq!(err, Errno::EWOULDBLOCK);
    // 192 bytes a render request: throttled once less than a page is left.
    assert_eq!(queued, (16384 - 4096) / 192 + 1);
    mem.no_sleep.store(false, Ordering::Relaxed);
    mem.signal.store(true, Ordering::Relaxed);
    assert_eq!(
        exec(&f, &mem, &objs, I915_EXEC_RENDER).err(),
        Some(Errno::EINTR)
    );
    mem.signal.store(false, Ordering::Relaxed);
    let signaller = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        fence.signal().unwrap();
    });
    exec(&f, &mem, &objs, I915_EXEC_RENDER).unwrap();
    signaller.join().unwrap();
    wait(&f, &mem, batch).unwrap();
}

#[test]
fn the_gpu_and_a_tiled_objects_gtt_view_see_each_others_writes() {
    const MI_COPY_MEM_MEM: u32 = (0x2e << 23) | 3;
    let (dev, f, mem) = setup();
    let stride = 512u64;
    let target = create(&f, &mem, 8192);
    let batch = create(&f, &mem, 4096);
    let mut t = drm_i915_gem_set_tiling {
        handle: target,
        tiling_mode: I915_TILING_X,
        stride: stride as u32,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_SET_TILING, &mut t, &mem).unwrap();
    let mut g = drm_i915_gem_mmap_gtt {
        handle: target,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_MMAP_GTT, &mut g, &mem).unwrap();
    let view = g.offset;
    // With a one-tile stride, rows 0..8 sit at the same place in both layouts, so the
    // addresses are easy; the layout itself is tested in gem_objects. What is tested
    // here is when the two meet. A write through the view, with no call in between:
    // execbuf flushes it, and the GPU copies it from the pages.
    dev.aperture()
        .write(view + stride + 4, &0xfeedf00du32.to_ne_bytes());
    // Copy dword 1 of row 1 to dword 2 of row 2, then store at dword 3 of row 3.
    write(
        &f,
        &mem,
        batch,
        &[
            MI_COPY_MEM_MEM,
            0x10000 + 2 * 512 + 8,
            0,
            0x10000 + 512 + 4,
            0,
            MI_STORE_DWORD_IMM,
            0x10000 + 3 * 512 + 12,
            0,
            0xc0ffee,
            MI_BATCH_BUFFER_END,
        ],
    );
    let objs = [
        drm_i915_gem_exec_object2 {
            handle: target,
            offset: 0x10000,
            flags: EXEC_OBJECT_PINNED | EXEC_OBJECT_WRITE | EXEC_OBJECT_NEEDS_FENCE,
            ..Default::default()
        },
        drm_i915_gem_exec_object2 {
            handle: batch,
            offset: 0x20000,
            flags: EXEC_OBJECT_PINNED,
            ..Default::default()
        },
    ];
    exec(&f, &mem, &objs, I915_EXEC_BLT).unwrap();
    wait(&f, &mem, target).unwrap();
    // Only waited: the view already shows the GPU's writes.
    let at = |off: u64| {
        let mut b = [0u8; 4];
        dev.aperture().read(view + off, &mut b);
        u32::from_ne_bytes(b)
    };
    assert_eq!(at(2 * stride + 8), 0xfeedf00d);
    assert_eq!(at(3 * stride + 12), 0xc0ffee);
}

/// I915_CONTEXT_PARAM_PRIORITY as `validate_priority`: size 0, -1023..=1023, above the
/// default only with CAP_SYS_NICE; a new context starts at 0; HAS_SCHEDULER offers it.
#[test]
fn context_priority_is_validated_and_kept() {
    let (_dev, f, mem) = setup();
    let mut c = drm_i915_gem_context_create::default();
    ioctl(&f, DRM_IOCTL_I915_GEM_CONTEXT_CREATE, &mut c, &mem).unwrap();
    let set = |value: i64, size: u32, mem: &MockMemory| {
        let mut p = drm_i915_gem_context_param {
            ctx_id: c.ctx_id,
            param: I915_CONTEXT_PARAM_PRIORITY,
            size,
            value: value as u64,
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM, &mut p, mem)
    };
    let get = || {
        let mut p = drm_i915_gem_context_param {
            ctx_id: c.ctx_id,
            param: I915_CONTEXT_PARAM_PRIORITY,
            ..Default::default()
        };
        ioctl(&f, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &mut p, &mem).map(|_| p.value as i64)
    };
    assert_eq!(get(), Ok(0));
    assert_eq!(set(1, 4, &mem), Err(Errno::EINVAL), "size must be 0");
    assert_eq!(set(1024, 0, &mem), Err(Errno::EINVAL));
    assert_eq!(set(-1024, 0, &mem), Err(Errno::EINVAL));
    let user = MockMemory::new();
    user.privileged
        .store(false, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        set(1, 0, &user),
        Err(Errno::EPERM),
        "raising needs CAP_SYS_NICE"
    );
    assert_eq!(set(-1023, 0, &user), Ok(()));
    assert_eq!(get(), Ok(-1023));
    assert_eq!(set(1023, 0, &mem), Ok(()));
    assert_eq!(get(), Ok(1023));
    let v = mem.alloc(4);
    let mut g = drm_i915_getparam {
        param: I915_PARAM_HAS_SCHEDULER,
        value: v,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GETPARAM, &mut g, &mem).unwrap();
    assert_ne!(mem.get::<i32>(v) & I915_SCHEDULER_CAP_PRIORITY, 0);
}

/// A softpin where a closed object's binding still waits for the GPU (the object
/// queued behind a spinner, here a gate nothing signals yet): execbuf waits for it as
/// i915 does, but interruptibly (EINTR), never on a thread that serves every client
/// (EWOULDBLOCK), and goes through once that work is done. The same for a relocation
/// that must wait until earlier readers of its batch are done.
#[test]
fn waits_in_execbuf_are_interruptible() {
    use std::sync::atomic::Ordering;
    let (_d, f, mem) = setup();
    let gate = create(&f, &mem, 4096);
    let fence = emu::testing::gate(&f.lookup(gate).unwrap());
    let end = |h: u32| write(&f, &mem, h, &[MI_BATCH_BUFFER_END]);
    let pinned = |h: u32| drm_i915_gem_exec_object2 {
        handle: h,
        offset: 0x40000,
        flags: EXEC_OBJECT_PINNED,
        ..Default::default()
    };
    let first = create(&f, &mem, 4096);
    end(first);
    let behind_gate = drm_i915_gem_exec_object2 {
        handle: gate,
        flags: EXEC_OBJECT_WRITE,
        ..Default::default()
    };
    exec(&f, &mem, &[behind_gate, pinned(first)], I915_EXEC_RENDER).unwrap();
    let mut c = drm_gem_close {
        handle: first,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_GEM_CLOSE, &mut c, &mem).unwrap();

    let second = create(&f, &mem, 4096);
    end(second);
    mem.no_sleep.store(true, Ordering::Relaxed);
    assert_eq!(
        exec(&f, &mem, &[pinned(second)], I915_EXEC_BLT).unwrap_err(),
        Errno::EWOULDBLOCK
    );
    mem.no_sleep.store(false, Ordering::Relaxed);
    mem.signal.store(true, Ordering::Relaxed);
    assert_eq!(
        exec(&f, &mem, &[pinned(second)], I915_EXEC_BLT).unwrap_err(),
        Errno::EINTR
    );

    // A relocation into a batch that a request behind the gate still reads.
    let target = create(&f, &mem, 4096);
    let batch = create(&f, &mem, 4096);
    end(batch);
    let with_reloc = |presumed: u64| {
        let reloc = drm_i915_gem_relocation_entry {
            target_handle: target,
            offset: 8,
            presumed_offset: presumed,
            read_domains: I915_GEM_DOMAIN_RENDER,
            ..Default::default()
        };
        drm_i915_gem_exec_object2 {
            handle: batch,
            relocation_count: 1,
            relocs_ptr: mem.put(&reloc),
            ..Default::default()
        }
    };
    let target_obj = drm_i915_gem_exec_object2 {
        handle: target,
        ..Default::default()
    };
    mem.signal.store(false, Ordering::Relaxed);
    exec(
        &f,
        &mem,
        &[behind_gate, target_obj, with_reloc(u64::MAX)],
        0,
    )
    .unwrap();
    mem.signal.store(true, Ordering::Relaxed);
    assert_eq!(
        exec(&f, &mem, &[target_obj, with_reloc(u64::MAX - 4096)], 0).unwrap_err(),
        Errno::EINTR
    );
    mem.signal.store(false, Ordering::Relaxed);

    fence.signal().unwrap();
    exec(&f, &mem, &[pinned(second)], I915_EXEC_BLT).unwrap();
    exec(&f, &mem, &[target_obj, with_reloc(u64::MAX - 4096)], 0).unwrap();
    wait(&f, &mem, second).unwrap();
}

/// A persistent context destroyed with work on the GPU keeps running it (as in
/// i915) while its file is open; the file's close stops it, as it stops the file's
/// other contexts: a dead client's spinner does not hold an engine for ever.
#[test]
fn a_destroyed_persistent_contexts_spinner_stops_with_its_file() {
    let (dev, f, mem) = setup();
    let mut c = drm_i915_gem_context_create::default();
    ioctl(&f, DRM_IOCTL_I915_GEM_CONTEXT_CREATE, &mut c, &mem).unwrap();
    let (_, obj) = spinner(&f, &mem);
    let mut eb = drm_i915_gem_execbuffer2 {
        buffers_ptr: mem.put(&obj),
        buffer_count: 1,
        rsvd1: c.ctx_id as u64,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &mut eb, &mem).unwrap();
    let mut d = drm_i915_gem_context_destroy {
        ctx_id: c.ctx_id,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GEM_CONTEXT_DESTROY, &mut d, &mem).unwrap();
    while !dev.engines.busy() {
        std::thread::yield_now();
    }
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert!(
        dev.engines.busy(),
        "persistent work runs on after CONTEXT_DESTROY"
    );
    f.close();
    while dev.engines.busy() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// Relocations in several chunks: every presumed offset comes back; when one entry is
/// bad, the ones before it were applied and written back, the ones after it were not.
#[test]
fn presumed_offsets_come_back_across_chunks_and_up_to_an_error() {
    let (_d, f, mem) = setup();
    let target = create(&f, &mem, 4096);
    let batch = create(&f, &mem, 4096);
    write(&f, &mem, batch, &[MI_BATCH_BUFFER_END]);
    let relocs = |bad: Option<usize>| -> Vec<drm_i915_gem_relocation_entry> {
        (0..200)
            .map(|k| drm_i915_gem_relocation_entry {
                target_handle: if Some(k) == bad { 999 } else { target },
                delta: k as u32,
                offset: 16 + 8 * k as u64,
                presumed_offset: u64::MAX,
                read_domains: I915_GEM_DOMAIN_RENDER,
                write_domain: 0,
            })
            .collect()
    };
    let size = std::mem::size_of::<drm_i915_gem_relocation_entry>();
    let run = |list: &[drm_i915_gem_relocation_entry]| {
        let bytes: Vec<u8> = list
            .iter()
            .flat_map(|r| bytemuck::bytes_of(r).to_vec())
            .collect();
        let rptr = mem.put_bytes(&bytes);
        let objs = [
            drm_i915_gem_exec_object2 {
                handle: target,
                ..Default::default()
            },
            drm_i915_gem_exec_object2 {
                handle: batch,
                relocation_count: list.len() as u32,
                relocs_ptr: rptr,
                ..Default::default()
            },
        ];
        let r = exec(&f, &mem, &objs, I915_EXEC_BLT);
        let back: Vec<drm_i915_gem_relocation_entry> = mem
            .get_bytes(rptr, bytes.len())
            .chunks(size)
            .map(bytemuck::pod_read_unaligned)
            .collect();
        (r, back)
    };
    let (r, back) = run(&relocs(None));
    let target_at = r.unwrap()[0].offset;
    wait(&f, &mem, batch).unwrap();
    assert!(back.iter().all(|e| e.presumed_offset == target_at));
    assert_eq!(
        read_u32(&f, &mem, batch, 16 + 8 * 199),
        target_at as u32 + 199
    );
    // The target's place is known now; an entry that presumes it is not rewritten.
    let (r, back) = run(&relocs(Some(150)));
    assert_eq!(r.unwrap_err(), Errno::ENOENT);
    for (k, e) in back.iter().enumerate() {
        let want = if k < 150 { target_at } else { u64::MAX };
        assert_eq!(e.presumed_offset, want, "entry {k}");
    }
}

/// A submission that must wait (its batch still read by a request behind a gate) is
/// made again as if never made: the offsets it found go back to user space only when
/// it goes through. Otherwise the retried call, under NO_RELOC, would find nothing
/// moved and skip the relocation it never applied, and the GPU would write into the
/// previous target (IGT's gem_exec_parallel, whose threads retarget one batch).
#[test]
fn a_retried_no_reloc_submission_still_relocates() {
    use std::sync::atomic::Ordering;
    let (_d, f, mem) = setup();
    let gate = create(&f, &mem, 4096);
    let fence = emu::testing::gate(&f.lookup(gate).unwrap());
    let (a, b) = (create(&f, &mem, 4096), create(&f, &mem, 4096));
    let batch = create(&f, &mem, 4096);
    write(&f, &mem, batch, &[MI_BATCH_BUFFER_END]);
    let reloc = |target: u32, presumed: u64| drm_i915_gem_relocation_entry {
        target_handle: target,
        offset: 8,
        presumed_offset: presumed,
        read_domains: I915_GEM_DOMAIN_RENDER,
        ..Default::default()
    };
    let batch_obj = |r: drm_i915_gem_relocation_entry| drm_i915_gem_exec_object2 {
        handle: batch,
        relocation_count: 1,
        relocs_ptr: mem.put(&r),
        ..Default::default()
    };
    let behind_gate = drm_i915_gem_exec_object2 {
        handle: gate,
        flags: EXEC_OBJECT_WRITE,
        ..Default::default()
    };
    let plain = |h: u32| drm_i915_gem_exec_object2 {
        handle: h,
        ..Default::default()
    };
    // The batch, relocated to `a`, is read by a request that waits for the gate.
    let first = exec(
        &f,
        &mem,
        &[behind_gate, plain(a), batch_obj(reloc(a, u64::MAX))],
        0,
    )
    .unwrap();
    let a_addr = first[1].offset;

    // The client retargets it at `b`, its list still saying `a`'s offset (stale).
    let list = [
        drm_i915_gem_exec_object2 {
            offset: a_addr,
            ..plain(b)
        },
        batch_obj(reloc(b, a_addr)),
    ];
    let bytes: Vec<u8> = list
        .iter()
        .flat_map(|o| bytemuck::bytes_of(o).to_vec())
        .collect();
    let ptr = mem.put_bytes(&bytes);
    let mut eb = drm_i915_gem_execbuffer2 {
        buffers_ptr: ptr,
        buffer_count: 2,
        flags: I915_EXEC_NO_RELOC,
        ..Default::default()
    };
    mem.no_sleep.store(true, Ordering::Relaxed);
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &mut eb, &mem).unwrap_err(),
        Errno::EWOULDBLOCK
    );
    mem.no_sleep.store(false, Ordering::Relaxed);
    fence.signal().unwrap();
    // The front-end makes the same call again.
    ioctl(&f, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &mut eb, &mem).unwrap();
    let back: drm_i915_gem_exec_object2 = bytemuck::pod_read_unaligned(
        &mem.get_bytes(ptr, std::mem::size_of::<drm_i915_gem_exec_object2>()),
    );
    assert_ne!(back.offset, a_addr);
    wait(&f, &mem, batch).unwrap();
    assert_eq!(
        read_u32(&f, &mem, batch, 8) as u64,
        back.offset & 0xffff_ffff
    );
}

/// With the `reset` module parameter 0 there is no reset: a manual reset (debugfs
/// i915_wedged) wedges the GT. The spinner ends with -EIO, and execbuf, context
/// creation and throttle say EIO, until a reset with resets enabled recovers it
/// (gem_eio's model of i915).
#[test]
fn without_resets_the_gt_wedges_and_a_reset_recovers_it() {
    let (dev, f, mem) = setup();
    let (spin, pinned) = spinner(&f, &mem);
    exec(&f, &mem, &[pinned], I915_EXEC_RENDER).unwrap();
    let mut g = drm_i915_getparam {
        param: I915_PARAM_HAS_GPU_RESET,
        value: mem.alloc(4),
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_I915_GETPARAM, &mut g, &mem).unwrap();
    assert_ne!(mem.get::<i32>(g.value), 0);

    dev.engines.set_reset_param(0);
    ioctl(&f, DRM_IOCTL_I915_GETPARAM, &mut g, &mem).unwrap();
    assert_eq!(mem.get::<i32>(g.value), 0, "no reset offered");
    dev.engines.handle_error(!0);
    assert!(dev.engines.is_wedged());
    // The spinner ended (with -EIO): the object is idle.
    wait(&f, &mem, spin).unwrap();
    let end = create(&f, &mem, 4096);
    write(&f, &mem, end, &[MI_BATCH_BUFFER_END]);
    let plain = drm_i915_gem_exec_object2 {
        handle: end,
        ..Default::default()
    };
    assert_eq!(exec(&f, &mem, &[plain], 0).unwrap_err(), Errno::EIO);
    let mut c = drm_i915_gem_context_create_ext::default();
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_CONTEXT_CREATE_EXT, &mut c, &mem).unwrap_err(),
        Errno::EIO
    );
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_GEM_THROTTLE, &mut (), &mem).unwrap_err(),
        Errno::EIO
    );

    // Still no reset method: another manual reset leaves it wedged.
    dev.engines.handle_error(!0);
    assert!(dev.engines.is_wedged());
    dev.engines.set_reset_param(3);
    dev.engines.handle_error(!0);
    assert!(!dev.engines.is_wedged());
    exec(&f, &mem, &[plain], 0).unwrap();
    wait(&f, &mem, end).unwrap();
    ioctl(&f, DRM_IOCTL_I915_GEM_CONTEXT_CREATE_EXT, &mut c, &mem).unwrap();
    ioctl(&f, DRM_IOCTL_I915_GEM_THROTTLE, &mut (), &mem).unwrap();
}
