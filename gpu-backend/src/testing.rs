//! An in-memory [`AddressSpace`] for tests and benchmarks: a sparse map of bindings
//! (page-aligned, zero-filled host buffers) at GPU addresses. `emu`'s own tests may use it
//! too. Bindings made with [`SparseSpace::bind_indirect`] behave like userptr objects: no
//! [`DirectRange`], every access goes through `read`/`write`.

use crate::mem::{AddressSpace, DirectRange, Fault};
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::collections::BTreeMap;
use std::ptr::NonNull;
use std::sync::{Mutex, RwLock};

const PAGE: u64 = 4096;

/// A zeroed, page-aligned host allocation.
struct HostBuf {
    ptr: NonNull<u8>,
    layout: Layout,
}

// SAFETY: HostBuf owns its allocation; all access goes through DirectRange (atomics or the
// documented racy bulk-copy model), never through references.
unsafe impl Send for HostBuf {}
// SAFETY: as above.
unsafe impl Sync for HostBuf {}

impl HostBuf {
    fn new(len: usize) -> HostBuf {
        let layout = Layout::from_size_align(len.max(1), PAGE as usize).expect("binding size");
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { alloc_zeroed(layout) };
        HostBuf {
            ptr: NonNull::new(ptr).unwrap_or_else(|| std::alloc::handle_alloc_error(layout)),
            layout,
        }
    }
}

impl Drop for HostBuf {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout, freed once.
        unsafe { dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

struct Binding {
    len: u64,
    mem: HostBuf,
    direct: bool,
}

impl Binding {
    fn range(&self, start: u64) -> DirectRange {
        // SAFETY: the buffer is `len` bytes, page aligned like `start`, and lives until the
        // SparseSpace is dropped (unbind parks it in `retired`), which outlives any request
        // holding the space.
        unsafe { DirectRange::new(start, self.mem.ptr.as_ptr(), self.len as usize) }
    }
}

/// The test double: bindings of host memory at GPU addresses.
#[derive(Default)]
pub struct SparseSpace {
    bindings: RwLock<BTreeMap<u64, Binding>>,
    retired: Mutex<Vec<Binding>>,
}

impl SparseSpace {
    /// An empty address space.
    pub fn new() -> SparseSpace {
        SparseSpace::default()
    }

    /// Binds `len` bytes (rounded up to pages) of zeroed host memory at page-aligned
    /// `gpu_addr`, directly accessible. Panics on misalignment or overlap.
    pub fn bind(&self, gpu_addr: u64, len: u64) {
        self.insert(gpu_addr, len, true)
    }

    /// Like [`bind`](Self::bind), but the binding never yields a [`DirectRange`] (as userptr).
    pub fn bind_indirect(&self, gpu_addr: u64, len: u64) {
        self.insert(gpu_addr, len, false)
    }

    /// Removes the binding that starts at `gpu_addr` (its memory is kept until the space is
    /// dropped, so ranges handed out earlier stay valid). Returns whether one existed.
    pub fn unbind(&self, gpu_addr: u64) -> bool {
        let b = self.bindings.write().unwrap().remove(&gpu_addr);
        let found = b.is_some();
        if let Some(b) = b {
            self.retired.lock().unwrap().push(b);
        }
        found
    }

    fn insert(&self, gpu_addr: u64, len: u64, direct: bool) {
        assert_eq!(gpu_addr % PAGE, 0, "binding must be page aligned");
        let len = len.div_ceil(PAGE).max(1) * PAGE;
        let mut map = self.bindings.write().unwrap();
        if let Some((s, b)) = map.range(..gpu_addr + len).next_back() {
            assert!(s + b.len <= gpu_addr, "binding overlaps {s:#x}");
        }
        map.insert(
            gpu_addr,
            Binding {
                len,
                mem: HostBuf::new(len as usize),
                direct,
            },
        );
    }

    /// The binding containing `addr`: (start, range, directly accessible).
    fn lookup(&self, addr: u64) -> Option<(DirectRange, bool)> {
        let map = self.bindings.read().unwrap();
        let (s, b) = map.range(..=addr).next_back()?;
        (addr < s + b.len).then(|| (b.range(*s), b.direct))
    }

    /// Walks `[addr, addr + len)` binding by binding: `f(range, offset in range, bytes
    /// done so far, bytes in this range)`.
    fn each(
        &self,
        addr: u64,
        len: usize,
        mut f: impl FnMut(&DirectRange, usize, usize, usize),
    ) -> Result<(), Fault> {
        let mut done = 0usize;
        while done < len {
            let a = addr + done as u64;
            let (r, _) = self.lookup(a).ok_or(Fault { addr: a })?;
            let off = (a - r.gpu_addr()) as usize;
            let n = (r.len() - off).min(len - done);
            f(&r, off, done, n);
            done += n;
        }
        Ok(())
    }
}

impl AddressSpace for SparseSpace {
    fn read(&self, gpu_addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        self.each(gpu_addr, buf.len(), |r, off, done, n| {
            r.read(off, &mut buf[done..done + n])
        })
    }

    fn write(&self, gpu_addr: u64, data: &[u8]) -> Result<(), Fault> {
        self.each(gpu_addr, data.len(), |r, off, done, n| {
            r.write(off, &data[done..done + n])
        })
    }

    fn direct(&self, gpu_addr: u64, len: u64) -> Option<DirectRange> {
        let (r, direct) = self.lookup(gpu_addr)?;
        if !direct || !r.covers(gpu_addr, len) {
            return None;
        }
        let off = (gpu_addr - r.gpu_addr()) as usize;
        // SAFETY: a suffix of a valid range keeps the contract (same buffer, same lifetime,
        // alignment preserved because both sides advance by `off`).
        Some(unsafe { DirectRange::new(gpu_addr, r.as_ptr().add(off), r.len() - off) })
    }
}

/// A small seeded xorshift generator for the randomized tests (no dependency, same
/// sequence on every machine).
pub struct Rng(pub u64);

impl Rng {
    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as u32
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u32) -> u32 {
        self.next_u32() % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_write_across_bindings_and_faults() {
        let s = SparseSpace::new();
        s.bind(0x10000, 4096);
        s.bind_indirect(0x11000, 4096);
        s.write(0x10ffe, &[1, 2, 3, 4]).unwrap();
        let mut b = [0u8; 4];
        s.read(0x10ffe, &mut b).unwrap();
        assert_eq!(b, [1, 2, 3, 4]);
        assert!(s.direct(0x10ffe, 4).is_none(), "crosses bindings");
        assert!(s.direct(0x11000, 4).is_none(), "indirect binding");
        assert_eq!(s.direct(0x10000, 8).unwrap().len(), 4096);
        assert_eq!(s.read(0x11ffe, &mut b), Err(Fault { addr: 0x12000 }));
        assert!(s.unbind(0x10000));
        assert_eq!(s.write(0x10000, &[0]), Err(Fault { addr: 0x10000 }));
    }
}
