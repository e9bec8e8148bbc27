//! `<linux/dma-buf.h>`: dma-buf fds (CPU access sync, name, fence export/import).

use crate::ioc::*;
use bytemuck::{Pod, Zeroable};
use core::mem::size_of;

/// `struct dma_buf_sync` (dma-buf.h): DMA_BUF_IOCTL_SYNC: bracket CPU access to a dma-buf
/// mapping.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct dma_buf_sync {
    pub flags: u64,
}

/// `struct dma_buf_export_sync_file` (dma-buf.h): DMA_BUF_IOCTL_EXPORT_SYNC_FILE: the
/// dma-buf's current fences as a sync_file.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct dma_buf_export_sync_file {
    pub flags: u32,
    pub fd: i32,
}

/// `struct dma_buf_import_sync_file` (dma-buf.h): DMA_BUF_IOCTL_IMPORT_SYNC_FILE: add a
/// sync_file's fence to a dma-buf.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct dma_buf_import_sync_file {
    pub flags: u32,
    pub fd: i32,
}

/// `DMA_BUF_SYNC_*` are `u64`, the type of `dma_buf_sync.flags`; the `flags` of
/// `dma_buf_export_sync_file` / `dma_buf_import_sync_file` take the READ/WRITE bits as
/// `u32`.
pub const DMA_BUF_SYNC_READ: u64 = 1 << 0;
pub const DMA_BUF_SYNC_WRITE: u64 = 2;
pub const DMA_BUF_SYNC_RW: u64 = DMA_BUF_SYNC_READ | DMA_BUF_SYNC_WRITE;
pub const DMA_BUF_SYNC_START: u64 = 0 << 2;
pub const DMA_BUF_SYNC_END: u64 = 1 << 2;
pub const DMA_BUF_SYNC_VALID_FLAGS_MASK: u64 = DMA_BUF_SYNC_RW | DMA_BUF_SYNC_END;
pub const DMA_BUF_NAME_LEN: u32 = 32;
pub const DMA_BUF_BASE: u32 = b'b' as u32;
pub const DMA_BUF_IOCTL_SYNC: u32 = _IOW(DMA_BUF_BASE, 0, size_of::<dma_buf_sync>());
pub const DMA_BUF_SET_NAME: u32 = _IOW(DMA_BUF_BASE, 1, size_of::<u64>());
pub const DMA_BUF_SET_NAME_A: u32 = _IOW(DMA_BUF_BASE, 1, size_of::<u32>());
pub const DMA_BUF_SET_NAME_B: u32 = _IOW(DMA_BUF_BASE, 1, size_of::<u64>());
pub const DMA_BUF_IOCTL_EXPORT_SYNC_FILE: u32 =
    _IOWR(DMA_BUF_BASE, 2, size_of::<dma_buf_export_sync_file>());
pub const DMA_BUF_IOCTL_IMPORT_SYNC_FILE: u32 =
    _IOW(DMA_BUF_BASE, 3, size_of::<dma_buf_import_sync_file>());
