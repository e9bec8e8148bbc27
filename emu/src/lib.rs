//! gemu's model of the i915 GEM driver.
//!
//! `emu` answers DRM ioctls as i915 on Tiger Lake does, on typed arguments, and does
//! no I/O of its own: the front-end (`device/`) hands it the ioctl bytes and a
//! [`ClientMemory`] through which nested user pointers are read and written, and an
//! [`Aperture`] — the memory that backs every object and that clients mmap.
//!
//! Entry points: [`Device::new`], [`Device::open`] (one [`File`] per open of a node),
//! [`File::ioctl`] (the DRM core's `drm_ioctl`), [`File::close`].

pub mod aperture;
pub mod client;
pub mod device;
pub mod file;
pub mod ioctl;
pub mod sync;

pub use aperture::Aperture;
pub use client::ClientMemory;
pub use device::{Credentials, Device, DeviceConfig, NodeKind};
pub use file::File;
pub use ioctl::ioctl_may_block;
pub use nix::errno::Errno;

/// What every model call returns: a value, or the errno i915 gives.
pub type Result<T> = core::result::Result<T, Errno>;
