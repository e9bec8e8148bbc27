//! GPU virtual memory as the command streamer sees it: the [`AddressSpace`] trait that
//! `emu` implements for each context's ppGTT, the [`Fault`] an unmapped address gives,
//! and [`DirectRange`], the fast path to host memory behind one binding.
//!
//! Memory model: object memory is shared with CPU clients (their mmaps) and may be written
//! by them at any time, as on real hardware. The executor therefore never keeps batch
//! contents: it re-reads every command each time it executes it. All small accesses
//! through a [`DirectRange`] are relaxed atomic loads and stores; bulk blits copy with
//! `copy_nonoverlapping`, which on racing CPU writes yields unspecified bytes, exactly
//! what a DMA engine gives.

use std::fmt;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering};

/// Addresses the command streamer hands to an [`AddressSpace`] are always below this
/// (48-bit ppGTT); the executor strips canonical sign extension and ignores bits 63:48.
pub const GPU_ADDR_MASK: u64 = (1 << 48) - 1;

/// A GPU page fault: `addr` is not mapped in the address space. In this model a fault
/// hangs the batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The first GPU address (48-bit, non-canonical form) that could not be accessed.
    pub addr: u64,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GPU page fault at {:#x}", self.addr)
    }
}

impl std::error::Error for Fault {}

/// One context's GPU virtual address space, as `emu` provides it (a VM's bindings).
///
/// Contract for implementors:
/// - Addresses are 48-bit, already stripped of canonical sign extension (< 2^48).
/// - `read`/`write` either access all of `[gpu_addr, gpu_addr + len)` or return
///   `Err(Fault)` naming the first unmapped address; a range may span several bindings.
///   A partially performed write before the fault is allowed (hardware does the same).
/// - They must not block for long (no waiting on fences, no locks a fence waiter holds):
///   they run on the engine thread, on the fence-signalling path.
/// - `direct` is optional (the default says "no"); see [`DirectRange::new`] for what a
///   returned range promises.
pub trait AddressSpace: Send + Sync {
    /// Copies `buf.len()` bytes at `gpu_addr` into `buf`.
    fn read(&self, gpu_addr: u64, buf: &mut [u8]) -> Result<(), Fault>;

    /// Copies `data` to `gpu_addr`.
    fn write(&self, gpu_addr: u64, data: &[u8]) -> Result<(), Fault>;

    /// Direct host access to `[gpu_addr, gpu_addr + len)` when that range lies inside one
    /// binding of host memory. The returned range starts at `gpu_addr` and covers at least
    /// `len` bytes (it may cover more, up to the end of the binding, which lets the executor
    /// fetch many commands through one lookup). `None` when the range is unmapped, crosses
    /// bindings, or is not directly accessible (userptr); the executor then falls back to
    /// `read`/`write`.
    fn direct(&self, gpu_addr: u64, len: u64) -> Option<DirectRange> {
        let _ = (gpu_addr, len);
        None
    }
}

/// A window of host memory that backs a GPU address range, handed out by
/// [`AddressSpace::direct`]. Cheap to copy; it carries a raw pointer and is valid only as
/// long as the constructor's contract holds (for the duration of one request).
#[derive(Clone, Copy, Debug)]
pub struct DirectRange {
    gpu_addr: u64,
    ptr: NonNull<u8>,
    len: usize,
}

impl DirectRange {
    /// Wraps `len` bytes of host memory at `ptr` that back GPU addresses starting at
    /// `gpu_addr`.
    ///
    /// # Safety
    /// The caller (the `AddressSpace` implementation) promises that:
    /// - `ptr..ptr + len` is mapped, readable and writable host memory, and stays so until
    ///   the request during which `direct` was called has completed (its completion callback
    ///   has run). Its *contents* may change at any time (CPU clients write through their
    ///   mmaps); nobody holds a Rust reference (`&`/`&mut`) to it.
    /// - `ptr` has the same alignment modulo 8 as `gpu_addr` (bindings are page aligned on
    ///   both sides), so dword and qword GPU accesses are aligned host accesses.
    pub unsafe fn new(gpu_addr: u64, ptr: *mut u8, len: usize) -> DirectRange {
        debug_assert_eq!(ptr as usize % 8, gpu_addr as usize % 8);
        DirectRange {
            gpu_addr,
            ptr: NonNull::new(ptr).expect("DirectRange of a null pointer"),
            len,
        }
    }

    /// The GPU address of the first byte.
    pub fn gpu_addr(&self) -> u64 {
        self.gpu_addr
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the range is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `[addr, addr + len)` lies inside this range.
    pub fn covers(&self, addr: u64, len: u64) -> bool {
        addr >= self.gpu_addr
            && addr
                .checked_add(len)
                .is_some_and(|end| end <= self.gpu_addr + self.len as u64)
    }

    /// The host pointer of the first byte, for bulk copies (see the constructor's
    /// contract for what may be done with it).
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    fn at(&self, off: usize, n: usize) -> *mut u8 {
        assert!(
            off.checked_add(n).is_some_and(|e| e <= self.len),
            "DirectRange access out of bounds"
        );
        // SAFETY: off + n <= len, so the result stays inside the allocation given to `new`.
        unsafe { self.ptr.as_ptr().add(off) }
    }

    /// Loads the little-endian dword at byte offset `off` (relaxed atomic when aligned).
    pub fn load_u32(&self, off: usize) -> u32 {
        let p = self.at(off, 4);
        if (p as usize).is_multiple_of(4) {
            // SAFETY: aligned, in bounds and valid memory per `new`; all concurrent accesses
            // from this crate are atomic, CPU clients are outside this process's model.
            unsafe { AtomicU32::from_ptr(p as *mut u32) }.load(Ordering::Relaxed)
        } else {
            let mut b = [0u8; 4];
            self.read(off, &mut b);
            u32::from_le_bytes(b)
        }
    }

    /// Stores a little-endian dword at byte offset `off`.
    pub fn store_u32(&self, off: usize, v: u32) {
        let p = self.at(off, 4);
        if (p as usize).is_multiple_of(4) {
            // SAFETY: as in `load_u32`.
            unsafe { AtomicU32::from_ptr(p as *mut u32) }.store(v.to_le(), Ordering::Relaxed)
        } else {
            self.write(off, &v.to_le_bytes());
        }
    }

    /// Copies bytes at offset `off` into `buf` (relaxed atomic loads, qword at a time where
    /// aligned).
    pub fn read(&self, off: usize, buf: &mut [u8]) {
        let base = self.at(off, buf.len());
        let mut i = 0;
        if (base as usize).is_multiple_of(8) {
            // Aligned (the usual message block): whole qwords without per-byte checks.
            let whole = buf.len() / 8 * 8;
            for (k, d) in buf[..whole].chunks_exact_mut(8).enumerate() {
                // SAFETY: aligned, and in bounds (checked by `at` for the whole span).
                let v = unsafe { AtomicU64::from_ptr(base.add(8 * k) as *mut u64) }
                    .load(Ordering::Relaxed);
                d.copy_from_slice(&v.to_ne_bytes());
            }
            i = whole;
        }
        while i < buf.len() {
            // SAFETY: base + i is in bounds (checked by `at` for the whole span).
            let p = unsafe { base.add(i) };
            if (p as usize).is_multiple_of(8) && buf.len() - i >= 8 {
                // SAFETY: aligned and in bounds, valid per `new`.
                let v = unsafe { AtomicU64::from_ptr(p as *mut u64) }.load(Ordering::Relaxed);
                buf[i..i + 8].copy_from_slice(&v.to_ne_bytes());
                i += 8;
            } else {
                // SAFETY: in bounds, valid per `new`.
                buf[i] = unsafe { AtomicU8::from_ptr(p) }.load(Ordering::Relaxed);
                i += 1;
            }
        }
    }

    /// Copies `data` to offset `off` (relaxed atomic stores).
    pub fn write(&self, off: usize, data: &[u8]) {
        let base = self.at(off, data.len());
        let mut i = 0;
        if (base as usize).is_multiple_of(8) {
            // As in `read`.
            let whole = data.len() / 8 * 8;
            for (k, d) in data[..whole].chunks_exact(8).enumerate() {
                let v = u64::from_ne_bytes(d.try_into().unwrap());
                // SAFETY: aligned, and in bounds (checked by `at` for the whole span).
                unsafe { AtomicU64::from_ptr(base.add(8 * k) as *mut u64) }
                    .store(v, Ordering::Relaxed);
            }
            i = whole;
        }
        while i < data.len() {
            // SAFETY: base + i is in bounds (checked by `at` for the whole span).
            let p = unsafe { base.add(i) };
            if (p as usize).is_multiple_of(8) && data.len() - i >= 8 {
                let v = u64::from_ne_bytes(data[i..i + 8].try_into().unwrap());
                // SAFETY: aligned and in bounds, valid per `new`.
                unsafe { AtomicU64::from_ptr(p as *mut u64) }.store(v, Ordering::Relaxed);
                i += 8;
            } else {
                // SAFETY: in bounds, valid per `new`.
                unsafe { AtomicU8::from_ptr(p) }.store(data[i], Ordering::Relaxed);
                i += 1;
            }
        }
    }
}

/// Reads `buf.len()` bytes at `addr`, through a direct range when one exists.
pub(crate) fn read_mem(space: &dyn AddressSpace, addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
    match space.direct(addr, buf.len() as u64) {
        Some(d) if d.covers(addr, buf.len() as u64) => {
            d.read((addr - d.gpu_addr()) as usize, buf);
            Ok(())
        }
        _ => space.read(addr, buf),
    }
}

/// Writes `data` at `addr`, through a direct range when one exists.
pub(crate) fn write_mem(space: &dyn AddressSpace, addr: u64, data: &[u8]) -> Result<(), Fault> {
    match space.direct(addr, data.len() as u64) {
        Some(d) if d.covers(addr, data.len() as u64) => {
            d.write((addr - d.gpu_addr()) as usize, data);
            Ok(())
        }
        _ => space.write(addr, data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;

    /// Random spans at every alignment and length: reads and writes through a direct
    /// range (qwords where aligned, bytes elsewhere) move exactly the bytes a plain copy
    /// moves.
    #[test]
    fn direct_copies_match_plain_copies() {
        let mut r = Rng(0xd1ec_7c09_1e55_0001);
        let mut backing = vec![0u64; 64];
        let len = backing.len() * 8;
        for _ in 0..2000 {
            let init: Vec<u8> = (0..len).map(|_| r.next_u32() as u8).collect();
            let off = r.below(len as u32) as usize;
            let n = r.below((len - off) as u32 + 1) as usize;
            let data: Vec<u8> = (0..n).map(|_| r.next_u32() as u8).collect();
            let ptr = backing.as_mut_ptr() as *mut u8;
            // SAFETY: the backing vector outlives the range and nothing else refers to it
            // while the range is used.
            let d = unsafe { DirectRange::new(0x1000, ptr, len) };
            d.write(0, &init);
            let mut got = vec![0u8; n];
            d.read(off, &mut got);
            assert_eq!(got, init[off..off + n], "read of {n} bytes at {off}");
            d.write(off, &data);
            let mut all = vec![0u8; len];
            d.read(0, &mut all);
            let mut want = init.clone();
            want[off..off + n].copy_from_slice(&data);
            assert_eq!(all, want, "write of {n} bytes at {off}");
        }
    }
}
