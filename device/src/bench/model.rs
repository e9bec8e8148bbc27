//! gemu's model alone: the same ioctls called straight on an [`emu::File`] in this
//! process, with no FUSE in between. The caller's memory is still reached through
//! `process_vm_writev`/`readv` on this thread ([`CallerMemory`]), as the daemon would.
//!
//! Subtracting these from the FUSE benchmarks splits each ioctl's time into transport
//! (the floor), the model, and the front-end glue between them.

use std::sync::Arc;

use bytemuck::Pod;

use emu::{Credentials, NodeKind};

use super::harness::Op;
use super::Rig;
use crate::aperture_memfd;
use crate::client_memory::CallerMemory;
use crate::Fallible;

/// A device of its own (64 MiB), opened once as the card node by a privileged client.
pub struct Model {
    // Keeps the aperture memfd alive as long as the device maps it.
    _memfd: std::fs::File,
    file: Arc<emu::File>,
}

impl Model {
    pub fn new() -> Fallible<Model> {
        Model::with_memory(64 << 20)
    }

    fn with_memory(memory: u64) -> Fallible<Model> {
        let (memfd, aperture) = aperture_memfd::create(emu::aperture::FIRST_OFFSET + memory)
            .map_err(|e| format!("creating the model's aperture: {e}"))?;
        let config = emu::DeviceConfig {
            memory,
            ..Default::default()
        };
        let device = emu::Device::new(config, aperture);
        let file = device.open(
            NodeKind::Primary,
            Credentials {
                pid: std::process::id(),
                uid: nix::unistd::geteuid().as_raw(),
                privileged: true,
            },
        );
        Ok(Model {
            _memfd: memfd,
            file,
        })
    }

    /// One ioctl as the daemon runs it, `arg` being the struct FUSE would hand over.
    fn ioctl<T: Pod>(&self, cmd: u32, arg: &mut T, me: &CallerMemory) -> Fallible<()> {
        self.file
            .ioctl(cmd, bytemuck::bytes_of_mut(arg), me)
            .map_err(|e| format!("ioctl {cmd:#x}: {e}"))
    }
}

fn me() -> CallerMemory {
    CallerMemory::new(nix::unistd::gettid().as_raw() as u32)
}

pub fn getparam_op(rig: &Rig) -> Fallible<Op<'_>> {
    let me = me();
    let mut value = Box::new(0i32);
    Ok(Box::new(move || {
        let mut gp = uapi::drm_i915_getparam {
            param: uapi::I915_PARAM_CHIPSET_ID,
            value: &mut *value as *mut i32 as u64,
            ..Default::default()
        };
        rig.model.ioctl(uapi::DRM_IOCTL_I915_GETPARAM, &mut gp, &me)
    }))
}

pub fn create_close_op(rig: &Rig) -> Fallible<Op<'_>> {
    let me = me();
    Ok(Box::new(move || {
        let mut c = uapi::drm_i915_gem_create {
            size: 4096,
            ..Default::default()
        };
        rig.model
            .ioctl(uapi::DRM_IOCTL_I915_GEM_CREATE, &mut c, &me)?;
        let mut cl = uapi::drm_gem_close {
            handle: c.handle,
            ..Default::default()
        };
        rig.model.ioctl(uapi::DRM_IOCTL_GEM_CLOSE, &mut cl, &me)
    }))
}

/// GEM_CREATE + GEM_CLOSE on a model device of its own whose client holds `held`
/// other objects (no FUSE: the model's own cost as the handle table grows).
fn create_close_holding(held: usize) -> Fallible<Op<'static>> {
    let model = Model::with_memory((held as u64 + 16) * 4096)?;
    let me = me();
    let create = move |model: &Model| -> Fallible<u32> {
        let mut c = uapi::drm_i915_gem_create {
            size: 4096,
            ..Default::default()
        };
        model.ioctl(uapi::DRM_IOCTL_I915_GEM_CREATE, &mut c, &me)?;
        Ok(c.handle)
    };
    for _ in 0..held {
        create(&model)?;
    }
    let me = self::me();
    Ok(Box::new(move || {
        let mut cl = uapi::drm_gem_close {
            handle: create(&model)?,
            ..Default::default()
        };
        model.ioctl(uapi::DRM_IOCTL_GEM_CLOSE, &mut cl, &me)
    }))
}

pub fn create_close_1k_op(_: &Rig) -> Fallible<Op<'_>> {
    create_close_holding(1_000)
}

pub fn create_close_100k_op(_: &Rig) -> Fallible<Op<'_>> {
    create_close_holding(100_000)
}

pub fn create_close_1m_op(_: &Rig) -> Fallible<Op<'_>> {
    create_close_holding(1_000_000)
}
