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
    /// Whether the call may sleep until work completes (execbuf's ring throttle, any
    /// wait for an object to idle). A front-end thread that serves many clients says
    /// no: the model then answers EWOULDBLOCK before changing anything, and the call is
    /// made again where it may block (see [`crate::ioctl::may_wait_for_gpu`]).
    fn may_sleep(&self) -> bool {
        true
    }
    /// Whether the calling thread holds CAP_SYS_ADMIN right now (the kernel's
    /// `capable()`, checked per call, not at open).
    fn has_cap_sys_admin(&self) -> bool {
        false
    }
    /// Whether the calling thread holds CAP_SYS_NICE (a context priority above the
    /// default needs it).
    fn has_cap_sys_nice(&self) -> bool {
        false
    }
    /// The calling thread's id, 0 when unknown.
    fn tid(&self) -> u32 {
        0
    }
    /// The calling thread's process id (thread group id), 0 when unknown.
    fn tgid(&self) -> u32 {
        0
    }
    /// A handle on the caller's *process* memory that stays usable later and from any
    /// thread (a userptr object's pages are reached through it at each use). `None`
    /// when the front-end cannot give one.
    fn process(&self) -> Option<std::sync::Arc<dyn ClientMemory + Send + Sync>> {
        None
    }
    /// [`ClientMemory::probe`] of each `(addr, len)`: `EFAULT` if any fails. A front-end
    /// that reads a memory map to probe reads it once here.
    fn probe_ranges(&self, ranges: &[(u64, u64)]) -> Result<()> {
        ranges.iter().try_for_each(|&(a, l)| self.probe(a, l))
    }
    /// `probe_range`: the range is wholly covered by mappings of ordinary memory (no
    /// holes, no device mappings); `EFAULT` otherwise. It says nothing about access
    /// rights, as in i915.
    fn probe(&self, addr: u64, len: u64) -> Result<()> {
        let mut b = [0u8; 1];
        let mut a = addr;
        while a < addr + len {
            self.read(a, &mut b)?;
            a = (a | 4095) + 1;
        }
        Ok(())
    }
}

/// Highest user address plus one on x86-64 with 4-level paging (`TASK_SIZE_MAX`).
pub const TASK_SIZE_MAX: u64 = (1 << 47) - 4096;

/// `access_ok`: the range lies below the top of user space. It says nothing about
/// whether it is mapped; a copy still gives `EFAULT` for that.
pub fn access_ok(addr: u64, size: u64) -> bool {
    size <= TASK_SIZE_MAX && addr <= TASK_SIZE_MAX - size
}

/// Read a plain struct from client memory.
pub fn read_struct<T: bytemuck::Pod>(caller: &dyn ClientMemory, addr: u64) -> Result<T> {
    let mut v = T::zeroed();
    caller.read(addr, bytemuck::bytes_of_mut(&mut v))?;
    Ok(v)
}

/// Write a plain struct to client memory.
pub fn write_struct<T: bytemuck::Pod>(caller: &dyn ClientMemory, addr: u64, v: &T) -> Result<()> {
    caller.write(addr, bytemuck::bytes_of(v))
}
