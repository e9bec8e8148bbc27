use crate::ioc::*;
use bytemuck::{Pod, Zeroable};
use core::mem::size_of;

/// `struct sync_merge_data` (sync_file.h).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct sync_merge_data {
    pub name: [u8; 32],
    pub fd2: i32,
    pub fence: i32,
    pub flags: u32,
    pub pad: u32,
}

/// `struct sync_fence_info` (sync_file.h).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct sync_fence_info {
    pub obj_name: [u8; 32],
    pub driver_name: [u8; 32],
    pub status: i32,
    pub flags: u32,
    pub timestamp_ns: u64,
}

/// `struct sync_file_info` (sync_file.h).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct sync_file_info {
    pub name: [u8; 32],
    pub status: i32,
    pub flags: u32,
    pub num_fences: u32,
    pub pad: u32,
    pub sync_fence_info: u64,
}

pub const SYNC_IOC_MAGIC: u32 = b'>' as u32;
pub const SYNC_IOC_MERGE: u32 = _IOWR(SYNC_IOC_MAGIC, 3, size_of::<sync_merge_data>());
pub const SYNC_IOC_FILE_INFO: u32 = _IOWR(SYNC_IOC_MAGIC, 4, size_of::<sync_file_info>());
