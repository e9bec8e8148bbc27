//! The DRM / i915 / sync_file / dma-buf user-space ABI.
//!
//! PLACEHOLDER: the full ABI replaces this file; names are the C names, exactly.
#![allow(non_camel_case_types)]

use bytemuck::{Pod, Zeroable};

/// `struct drm_version` (drm.h).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_version {
    pub version_major: i32,
    pub version_minor: i32,
    pub version_patchlevel: i32,
    pub _pad0: u32,
    pub name_len: u64,
    pub name: u64,
    pub date_len: u64,
    pub date: u64,
    pub desc_len: u64,
    pub desc: u64,
}

/// `DRM_IOCTL_VERSION`.
pub const DRM_IOCTL_VERSION: u32 = 0xc040_6400;
