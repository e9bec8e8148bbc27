//! The files that stand for dma-bufs (`dmabuf/<id>` in the FUSE mount, see
//! `uapi::gemu`): a program's dma-buf fd is an open of one. Their inode numbers carry
//! the id, their size is the object's, their opens pass `mmap` through to the aperture
//! (the shim adds the object's offset), and their ioctls are dma-buf's.

use emu::{Device, Errno};
use uapi::{dma_buf_sync, DMA_BUF_SYNC_RW, DMA_BUF_SYNC_VALID_FLAGS_MASK, GEMU_DMABUF_INO_BASE};

/// The folder of the dma-buf files.
pub const DIR_INO: u64 = 15;
pub const DIR_NAME: &str = "dmabuf";

/// The dma-buf id behind inode `ino`, if it is a dma-buf file's.
pub fn id_of(ino: u64) -> Option<u64> {
    ino.checked_sub(GEMU_DMABUF_INO_BASE)
}

/// The inode of dma-buf `id`'s file.
pub fn ino_of(id: u64) -> u64 {
    GEMU_DMABUF_INO_BASE + id
}

/// The dma-buf a file name in the folder names, if it is exported (with its size).
pub fn lookup(device: &Device, name: &[u8]) -> Option<(u64, u64)> {
    let id: u64 = std::str::from_utf8(name).ok()?.parse().ok()?;
    device.dma_buf_size(id).map(|size| (id, size))
}

/// `ioctl(2)` on a dma-buf fd (`dma_buf_ioctl`). CPU access needs no bracketing here:
/// the program's mapping is the object's memory itself, coherent with the engines.
pub fn ioctl(cmd: u32, data: &[u8]) -> Result<Vec<u8>, Errno> {
    match cmd {
        uapi::DMA_BUF_IOCTL_SYNC => {
            let sync: dma_buf_sync =
                bytemuck::pod_read_unaligned(data.get(..8).ok_or(Errno::EFAULT)?);
            if sync.flags & !DMA_BUF_SYNC_VALID_FLAGS_MASK != 0 || sync.flags & DMA_BUF_SYNC_RW == 0
            {
                return Err(Errno::EINVAL);
            }
            Ok(Vec::new())
        }
        _ => Err(Errno::ENOTTY),
    }
}
