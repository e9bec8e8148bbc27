//! The recorder hook (`--record`): told about a submission with its objects as the
//! batch starts, and again once it completed; never "finished" for a hung batch.

use std::sync::{Arc, Mutex};

use emu::recorder::SubmitRecorder;
use emu::testing::{self, ioctl, MockMemory};
use emu::{DeviceConfig, File, NodeKind};
use gpu_backend::aub::SubmissionMeta;
use gpu_backend::{AddressSpace, EngineClass};
use uapi::*;

const MI_BATCH_BUFFER_END: u32 = 0x0A << 23;
const MI_STORE_DWORD_IMM: u32 = (0x20 << 23) | 2;

/// What the recorder saw: (started?, meta, the first object's dword 1).
#[derive(Debug, Default)]
struct Log(Mutex<Vec<(bool, SubmissionMeta, u32)>>);

impl Log {
    fn note(&self, start: bool, meta: &SubmissionMeta, space: &dyn AddressSpace) {
        let mut b = [0u8; 4];
        space.read(meta.objects[0].addr + 4, &mut b).unwrap();
        self.0
            .lock()
            .unwrap()
            .push((start, meta.clone(), u32::from_le_bytes(b)));
    }
}

impl SubmitRecorder for Log {
    fn record(&self, class: EngineClass, meta: &SubmissionMeta, space: &dyn AddressSpace) -> u64 {
        assert_eq!(class, EngineClass::Render);
        self.note(true, meta, space);
        self.0.lock().unwrap().len() as u64
    }

    fn finished(&self, _seq: u64, meta: &SubmissionMeta, space: &dyn AddressSpace) {
        self.note(false, meta, space);
    }
}

fn create(f: &File, mem: &MockMemory, dwords: &[u32]) -> u32 {
    let mut c = drm_i915_gem_create {
        size: 4096,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_CREATE, &mut c, mem).unwrap();
    let bytes: Vec<u8> = dwords.iter().flat_map(|d| d.to_ne_bytes()).collect();
    let mut p = drm_i915_gem_pwrite {
        handle: c.handle,
        size: bytes.len() as u64,
        data_ptr: mem.put_bytes(&bytes),
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_PWRITE, &mut p, mem).unwrap();
    c.handle
}

/// Submits `batch` (pinned at 0x20000) with `target` (pinned at 0x10000) and waits.
fn run(f: &File, mem: &MockMemory, target: u32, batch: u32) {
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
        flags: I915_EXEC_RENDER,
        ..Default::default()
    };
    ioctl(f, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &mut eb, mem).unwrap();
    let mut w = drm_i915_gem_wait {
        bo_handle: target,
        flags: 0,
        timeout_ns: 5_000_000_000,
    };
    // A hung batch's wait still returns (its fence signals with an error).
    let _ = ioctl(f, DRM_IOCTL_I915_GEM_WAIT, &mut w, mem);
}

#[test]
fn the_recorder_sees_objects_before_and_after_the_batch() {
    let log = Arc::new(Log::default());
    let dev = testing::device_with(DeviceConfig {
        recorder: Some(log.clone()),
        ..Default::default()
    });
    let f = testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    let target = create(&f, &mem, &[0, 0x1111]);
    let store = create(
        &f,
        &mem,
        &[
            MI_STORE_DWORD_IMM,
            0x10004,
            0,
            0xdeadbeef,
            MI_BATCH_BUFFER_END,
        ],
    );
    run(&f, &mem, target, store);
    // An opcode no engine knows: the batch hangs, so it never "finished".
    let hang = create(&f, &mem, &[0x3f << 23, MI_BATCH_BUFFER_END]);
    run(&f, &mem, target, hang);

    let seen = log.0.lock().unwrap();
    let kinds: Vec<(bool, u32)> = seen.iter().map(|(s, _, v)| (*s, *v)).collect();
    // Started with what the client wrote, finished with the store's value; the
    // hanging batch only started.
    assert_eq!(
        kinds,
        [(true, 0x1111), (false, 0xdeadbeef), (true, 0xdeadbeef)]
    );
    let meta = &seen[0].1;
    assert_eq!(meta.engine, "rcs0");
    assert_eq!(meta.batch, 0x20000);
    let objs: Vec<(u32, u64, u64, bool)> = meta
        .objects
        .iter()
        .map(|o| (o.handle, o.addr, o.size, o.write))
        .collect();
    assert_eq!(
        objs,
        [(target, 0x10000, 4096, true), (store, 0x20000, 4096, false)]
    );
}
