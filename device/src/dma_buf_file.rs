//! What a dma-buf fd (an open of `dmabuf/<id>`, see `fd_files`) does besides mapping
//! (which passes through to the aperture; the shim adds the object's offset): its
//! ioctls.

use emu::Errno;
use uapi::{dma_buf_sync, DMA_BUF_SYNC_RW, DMA_BUF_SYNC_VALID_FLAGS_MASK};

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
