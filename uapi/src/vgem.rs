//! The vgem driver's uAPI (`include/uapi/drm/vgem_drm.h`). libdrm ships no vgem header,
//! so the layouts here are checked by their sizes only.

use core::mem::size_of;

use bytemuck::{Pod, Zeroable};

use crate::drm::DRM_COMMAND_BASE;
use crate::drm::{DRM_IOW, DRM_IOWR};

/// `DRM_VGEM_FENCE_ATTACH`.
pub const DRM_VGEM_FENCE_ATTACH: u32 = 0x1;
/// `DRM_VGEM_FENCE_SIGNAL`.
pub const DRM_VGEM_FENCE_SIGNAL: u32 = 0x2;

/// `struct drm_vgem_fence_attach`: attach a new fence to a buffer's reservation.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_vgem_fence_attach {
    pub handle: u32,
    pub flags: u32,
    pub out_fence: u32,
    pub pad: u32,
}

/// `struct drm_vgem_fence_signal`: signal a fence attached by this file.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_vgem_fence_signal {
    pub fence: u32,
    pub flags: u32,
}

/// `DRM_IOCTL_VGEM_FENCE_ATTACH`.
pub const DRM_IOCTL_VGEM_FENCE_ATTACH: u32 = DRM_IOWR(
    DRM_COMMAND_BASE + DRM_VGEM_FENCE_ATTACH,
    size_of::<drm_vgem_fence_attach>(),
);
/// `DRM_IOCTL_VGEM_FENCE_SIGNAL`.
pub const DRM_IOCTL_VGEM_FENCE_SIGNAL: u32 = DRM_IOW(
    DRM_COMMAND_BASE + DRM_VGEM_FENCE_SIGNAL,
    size_of::<drm_vgem_fence_signal>(),
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_the_headers() {
        assert_eq!(size_of::<drm_vgem_fence_attach>(), 16);
        assert_eq!(size_of::<drm_vgem_fence_signal>(), 8);
        assert_eq!(DRM_IOCTL_VGEM_FENCE_ATTACH, 0xc010_6441);
        assert_eq!(DRM_IOCTL_VGEM_FENCE_SIGNAL, 0x4008_6442);
    }
}
