//! Test support: an in-memory [`ClientMemory`] and ready-made devices and files, so
//! GEM semantics are tested in-process with no mount.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bytemuck::Pod;

use crate::aperture::{Aperture, FIRST_OFFSET};
use crate::client::ClientMemory;
use crate::device::{Credentials, Device, DeviceConfig, NodeKind};
use crate::file::File;
use crate::object::{CacheLevel, GemObject};
use crate::sync::{DmaFence, DmaResvUsage, FenceTimeline};
use crate::{Errno, Result};

/// Client memory made of separate mapped regions; everything else faults (`EFAULT`).
/// Clones share the same memory (like threads of one process).
#[derive(Clone)]
pub struct MockMemory(Arc<MockProcess>);

/// The state behind a [`MockMemory`].
#[derive(Default)]
pub struct MockProcess {
    regions: Mutex<Vec<(u64, Vec<u8>, bool)>>,
    next: Mutex<u64>,
    /// Set to make waits see a pending signal.
    pub signal: AtomicBool,
    /// Set to play a caller that may not sleep (a front-end's shared thread).
    pub no_sleep: AtomicBool,
    /// Clear to make the caller lack CAP_SYS_ADMIN.
    pub privileged: AtomicBool,
    /// The caller's process id (matches [`ROOT`]'s by default).
    pub tgid: std::sync::atomic::AtomicU32,
    /// The calling thread's id (0, unknown, by default).
    pub tid: std::sync::atomic::AtomicU32,
}

impl std::ops::Deref for MockMemory {
    type Target = MockProcess;
    fn deref(&self) -> &MockProcess {
        &self.0
    }
}

impl Default for MockMemory {
    fn default() -> Self {
        Self::new()
    }
}

impl MockMemory {
    /// An empty address space.
    pub fn new() -> Self {
        MockMemory(Arc::new(MockProcess {
            next: Mutex::new(0x10_0000),
            privileged: AtomicBool::new(true),
            tgid: std::sync::atomic::AtomicU32::new(ROOT.pid),
            ..Default::default()
        }))
    }

    /// Map `len` zeroed, writable bytes at a page-aligned address (for userptr).
    pub fn alloc_pages(&self, len: usize) -> u64 {
        let mut next = self.next.lock().unwrap();
        *next = next.next_multiple_of(4096);
        drop(next);
        self.map(len, true)
    }

    /// Map `len` zeroed, writable bytes; returns their address.
    pub fn alloc(&self, len: usize) -> u64 {
        self.map(len, true)
    }

    /// Map `len` zeroed bytes that the model may read but not write.
    pub fn alloc_readonly(&self, len: usize) -> u64 {
        self.map(len, false)
    }

    fn map(&self, len: usize, writable: bool) -> u64 {
        let mut next = self.next.lock().unwrap();
        let addr = *next;
        // Leave an unmapped gap after each region so overruns fault.
        *next += (len as u64).next_multiple_of(4096) + 4096;
        self.regions
            .lock()
            .unwrap()
            .push((addr, vec![0; len], writable));
        addr
    }

    /// Map a copy of `v` and return its address.
    pub fn put<T: Pod>(&self, v: &T) -> u64 {
        let a = self.alloc(std::mem::size_of::<T>());
        self.write(a, bytemuck::bytes_of(v)).unwrap();
        a
    }

    /// Map a copy of `bytes` and return its address.
    pub fn put_bytes(&self, bytes: &[u8]) -> u64 {
        let a = self.alloc(bytes.len());
        self.write(a, bytes).unwrap();
        a
    }

    /// Read a `T` back.
    pub fn get<T: Pod>(&self, addr: u64) -> T {
        let mut v = T::zeroed();
        self.read(addr, bytemuck::bytes_of_mut(&mut v)).unwrap();
        v
    }

    /// Read `len` bytes back.
    pub fn get_bytes(&self, addr: u64, len: usize) -> Vec<u8> {
        let mut v = vec![0; len];
        self.read(addr, &mut v).unwrap();
        v
    }

    /// Unmap the region that starts at `addr`.
    pub fn unmap(&self, addr: u64) {
        self.regions.lock().unwrap().retain(|r| r.0 != addr);
    }

    fn with<R>(
        &self,
        addr: u64,
        len: usize,
        write: bool,
        f: impl FnOnce(&mut [u8]) -> R,
    ) -> Result<R> {
        let mut regions = self.regions.lock().unwrap();
        let end = addr.checked_add(len as u64).ok_or(Errno::EFAULT)?;
        for (base, buf, writable) in regions.iter_mut() {
            if addr >= *base && end <= *base + buf.len() as u64 {
                if write && !*writable {
                    return Err(Errno::EFAULT);
                }
                let at = (addr - *base) as usize;
                return Ok(f(&mut buf[at..at + len]));
            }
        }
        Err(Errno::EFAULT)
    }
}

impl ClientMemory for MockMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<()> {
        self.with(addr, buf.len(), false, |src| buf.copy_from_slice(src))
    }
    fn write(&self, addr: u64, data: &[u8]) -> Result<()> {
        self.with(addr, data.len(), true, |dst| dst.copy_from_slice(data))
    }
    fn signal_pending(&self) -> bool {
        self.signal.load(Ordering::Relaxed)
    }
    fn may_sleep(&self) -> bool {
        !self.no_sleep.load(Ordering::Relaxed)
    }
    fn has_cap_sys_admin(&self) -> bool {
        self.privileged.load(Ordering::Relaxed)
    }
    fn has_cap_sys_nice(&self) -> bool {
        self.privileged.load(Ordering::Relaxed)
    }
    fn tgid(&self) -> u32 {
        self.tgid.load(Ordering::Relaxed)
    }
    fn tid(&self) -> u32 {
        self.tid.load(Ordering::Relaxed)
    }
    fn process(&self) -> Option<Arc<dyn ClientMemory + Send + Sync>> {
        Some(Arc::new(self.clone()))
    }
    fn probe(&self, addr: u64, len: u64) -> Result<()> {
        // Covered by regions with no hole.
        let regions = self.regions.lock().unwrap();
        let mut a = addr;
        while a < addr + len {
            let r = regions
                .iter()
                .find(|(b, v, _)| a >= *b && a < *b + v.len() as u64)
                .ok_or(Errno::EFAULT)?;
            a = r.0 + r.1.len() as u64;
        }
        Ok(())
    }
}

/// A Tiger Lake device over a 1 TiB anonymous aperture.
pub fn device() -> Arc<Device> {
    device_with(DeviceConfig::default())
}

/// A device with the given settings over a 1 TiB anonymous aperture.
pub fn device_with(config: DeviceConfig) -> Arc<Device> {
    let ap = Aperture::anonymous(FIRST_OFFSET + (1 << 40)).expect("anonymous aperture");
    Device::new(config, ap)
}

/// Credentials of a root client.
pub const ROOT: Credentials = Credentials {
    pid: 1,
    uid: 0,
    privileged: true,
};

/// Credentials of an unprivileged client.
pub const USER: Credentials = Credentials {
    pid: 2,
    uid: 1000,
    privileged: false,
};

/// Open `node` as root.
pub fn open(dev: &Arc<Device>, node: NodeKind) -> Arc<File> {
    dev.open(node, ROOT)
}

/// A bare object of `size` bytes (no handle), for unit tests of handle tables.
pub fn object(file: &File, size: u64) -> GemObject {
    let dev = file.device().clone();
    let off = dev.aperture.alloc(size).unwrap();
    dev.charge(size).unwrap();
    dev.note_object_created(size);
    GemObject::new(dev, size, off, CacheLevel::Llc)
}

/// Run one ioctl through the DRM core entry exactly as a front-end does, on a typed
/// argument: the struct is copied in and, on success or failure, back out.
pub fn ioctl<T: Pod>(file: &File, cmd: u32, arg: &mut T, mem: &dyn ClientMemory) -> Result<()> {
    let mut bytes = bytemuck::bytes_of(arg).to_vec();
    bytes.resize(crate::ioctl::ioc_size(cmd).max(bytes.len()), 0);
    let r = file.ioctl(cmd, &mut bytes, mem);
    let n = std::mem::size_of::<T>();
    *arg = bytemuck::pod_read_unaligned(&bytes[..n]);
    r
}

/// Put a new, unsignalled write fence on `obj`'s reservation (as another driver's
/// pending write would): work that touches the object waits until the test signals it.
pub fn gate(obj: &GemObject) -> Arc<DmaFence> {
    let fence = FenceTimeline::new().next_fence();
    let mut st = obj.lock();
    st.reserve_fences(1).unwrap();
    st.add_fence(fence.clone(), DmaResvUsage::Write);
    fence
}
