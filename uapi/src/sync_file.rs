//! `<linux/sync_file.h>`: sync_file fds (merge, fence info).

use crate::ioc::*;
use bytemuck::{Pod, Zeroable};
use core::mem::size_of;

/// `struct sync_merge_data` (sync_file.h): SYNC_IOC_MERGE: a new sync_file signalled when
/// two others are.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct sync_merge_data {
    pub name: [u8; 32],
    pub fd2: i32,
    pub fence: i32,
    pub flags: u32,
    pub pad: u32,
}

/// `struct sync_fence_info` (sync_file.h): one fence of a sync_file, as in
/// SYNC_IOC_FILE_INFO.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct sync_fence_info {
    pub obj_name: [u8; 32],
    pub driver_name: [u8; 32],
    pub status: i32,
    pub flags: u32,
    pub timestamp_ns: u64,
}

/// `struct sync_file_info` (sync_file.h): SYNC_IOC_FILE_INFO: a sync_file's name, status
/// and fences.
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
