//! sw_sync's ioctls (`drivers/dma-buf/sw_sync.c`, private to the kernel: no system
//! header has them): the debugfs file `sync/sw_sync`, each open a timeline.

use crate::ioc::*;
use bytemuck::{Pod, Zeroable};
use core::mem::size_of;

/// `struct sw_sync_create_fence_data`: SW_SYNC_IOC_CREATE_FENCE's argument.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct sw_sync_create_fence_data {
    /// The point on the timeline that the fence stands for.
    pub value: u32,
    /// A name (the kernel ignores it).
    pub name: [u8; 32],
    /// Out: the new sync_file's fd.
    pub fence: i32,
}

// The kernel's layout: no padding.
const _: () = assert!(size_of::<sw_sync_create_fence_data>() == 40);

/// The ioctl type of sw_sync.
pub const SW_SYNC_IOC_MAGIC: u32 = b'W' as u32;
/// A sync_file for a point of the timeline.
pub const SW_SYNC_IOC_CREATE_FENCE: u32 =
    _IOWR(SW_SYNC_IOC_MAGIC, 0, size_of::<sw_sync_create_fence_data>());
/// Advance the timeline by a `u32`.
pub const SW_SYNC_IOC_INC: u32 = _IOW(SW_SYNC_IOC_MAGIC, 1, size_of::<u32>());
