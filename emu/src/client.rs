//! The calling thread, as the model sees it: its memory and its pending signals.

use crate::Result;

/// Access to the memory of the thread that made the current ioctl, and whether it has
/// a signal waiting.
///
/// The FUSE/CUSE front-end implements it with `process_vm_readv`/`writev`; tests use
/// an in-memory implementation. An address range that is not (fully) mapped, or not
/// writable for a write, gives `EFAULT`.
pub trait ClientMemory {
    /// Read `buf.len()` bytes at the caller's address `addr`.
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<()>;
    /// Write `data` at the caller's address `addr`.
    fn write(&self, addr: u64, data: &[u8]) -> Result<()>;
    /// True when the caller has an unblocked signal pending: a blocking wait then
    /// returns `EINTR` so the caller's ioctl wrapper (libdrm's `drmIoctl`) restarts it.
    fn signal_pending(&self) -> bool {
        false
    }
}
