//! gemu's model of the i915 GEM driver.
//!
//! `emu` answers DRM ioctls as i915 on Tiger Lake does, on typed arguments, and does
//! no I/O of its own: the front-end (`device/`) hands it the ioctl bytes and a
//! [`ClientMemory`] through which nested user pointers are read and written, and an
//! [`Aperture`] — the memory that backs every object and that clients mmap.
//!
//! Entry points: [`Device::new`], [`Device::open`] (one [`File`] per open of a node),
//! [`File::ioctl`] (the DRM core's `drm_ioctl`), [`File::close`].
#![warn(missing_docs)]

pub mod aperture;
mod auth;
pub mod client;
pub mod context;
pub mod debug_info;
pub mod device;
mod drm_core;
pub mod engine_props;
pub mod engines;
mod execbuf;
mod export_table;
pub mod file;
mod gem_create;
mod gem_domain;
mod gem_handle;
mod gem_madvise;
mod gem_mmap;
mod gem_rw;
mod gem_tiling;
mod gem_userptr;
mod gem_wait;
mod getparam;
pub mod gpu_error;
pub mod gtt_view;
pub mod ioctl;
mod kalloc;
pub mod object;
pub mod platform;
pub mod prime;
mod query;
pub mod recorder;
pub mod reg_read;
pub mod rps;
pub mod shrinker;
pub mod sw_sync;
pub mod sync;
pub mod sync_file;
pub mod syncobj;
mod syncobj_fd;
pub mod testing;
pub mod user_ext;
pub mod vgem;
pub mod vm;
mod wait;
mod weak_list;

pub use aperture::Aperture;
pub use client::ClientMemory;
pub use device::{Credentials, Device, DeviceConfig, NodeKind};
pub use file::File;
pub use ioctl::ioctl_may_block;
pub use nix::errno::Errno;

/// What every model call returns: a value, or the errno i915 gives.
pub type Result<T> = core::result::Result<T, Errno>;
