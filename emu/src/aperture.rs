//! The aperture: one large, sparse memory range that backs every GEM object.
//!
//! Each object owns a page-aligned range of it; the range's start is also the object's
//! mmap offset, so a client's `mmap(fd, offset)` on the device node (FUSE passthrough to
//! the memfd behind the aperture) maps exactly the object's pages, coherent with the
//! model's own view. Freeing an object gives its pages back to the system.

use std::collections::BTreeMap;

use memmap2::{MmapOptions, MmapRaw, UncheckedAdvice};

use crate::sync::{lock_order, TrackedMutex};
use crate::{Errno, Result};

/// Page size of the emulated GPU and of the host.
pub const PAGE_SIZE: u64 = 4096;

/// Where object ranges start: i915's mmap offsets start above 4 GiB
/// (`DRM_FILE_PAGE_OFFSET_START`), and a non-zero start keeps 0 from ever being an offset.
pub const FIRST_OFFSET: u64 = 1 << 32;

/// Tells which aperture ranges some process still maps.
///
/// A client's mmap of an object keeps the object's pages alive after its last handle
/// is closed (i915 holds a reference from the VMA). Passthrough mmaps never reach the
/// daemon, so the front-end answers this question by looking at the processes' mappings;
/// the model asks only about objects that were given an mmap offset.
pub trait MappingProbe: Send + Sync {
    /// The `(start, len)` ranges of the aperture mapped by any client right now.
    fn mapped_ranges(&self) -> Vec<(u64, u64)>;
}

/// The memory behind all objects, and the allocator of its ranges.
pub struct Aperture {
    map: MmapRaw,
    /// Shared mappings (a memfd) give pages back with `MADV_REMOVE`, private ones with
    /// `MADV_DONTNEED`.
    shared: bool,
    /// Free ranges, start → length, coalesced.
    free: TrackedMutex<BTreeMap<u64, u64>>,
}

impl Aperture {
    /// An aperture over a shared mapping of the file that clients mmap (the front-end's
    /// memfd). The mapping's length bounds the offsets handed out.
    pub fn from_shared_mapping(map: MmapRaw) -> Self {
        Self::with_map(map, true)
    }

    /// A private anonymous aperture of `len` bytes (reserved, not committed): for tests
    /// and for front-ends whose clients never mmap.
    pub fn anonymous(len: u64) -> std::io::Result<Self> {
        let map = MmapOptions::new()
            .len(len as usize)
            .no_reserve_swap()
            .map_anon()?;
        Ok(Self::with_map(MmapRaw::from(map), false))
    }

    fn with_map(map: MmapRaw, shared: bool) -> Self {
        let len = map.len() as u64;
        let mut free = BTreeMap::new();
        if len > FIRST_OFFSET {
            free.insert(FIRST_OFFSET, len - FIRST_OFFSET);
        }
        Aperture {
            map,
            shared,
            free: TrackedMutex::new(&lock_order::APERTURE, free),
        }
    }

    /// Total bytes of object space.
    pub fn capacity(&self) -> u64 {
        (self.map.len() as u64).saturating_sub(FIRST_OFFSET)
    }

    /// Reserve a page-aligned range of `len` bytes (a multiple of the page size).
    /// `ENOMEM` when no free range is large enough.
    pub fn alloc(&self, len: u64) -> Result<u64> {
        debug_assert!(len > 0 && len.is_multiple_of(PAGE_SIZE));
        let mut free = self.free.lock();
        let (&start, &flen) = free.iter().find(|(_, &l)| l >= len).ok_or(Errno::ENOMEM)?;
        free.remove(&start);
        if flen > len {
            free.insert(start + len, flen - len);
        }
        Ok(start)
    }

    /// Whether `offset` lies in a range handed out (an object's, a GTT view's, or one
    /// parked for a client's mapping).
    pub fn is_allocated(&self, offset: u64) -> bool {
        if offset < FIRST_OFFSET || offset >= self.map.len() as u64 {
            return false;
        }
        let free = self.free.lock();
        free.range(..=offset)
            .next_back()
            .is_none_or(|(&start, &len)| offset >= start + len)
    }

    /// Whether any page of `[start, start + len)` holds memory (was written or faulted
    /// in through any mapping of the file): `mincore` sees the shared file's pages
    /// whoever touched them.
    pub fn any_resident(&self, start: u64, len: u64) -> bool {
        self.check(start, len as usize);
        let pages = len.div_ceil(PAGE_SIZE) as usize;
        let mut vec = vec![0u8; pages];
        // SAFETY: the range is inside the mapping (checked); mincore writes one byte per
        // page into `vec`, which has room for all of them.
        let r = unsafe {
            libc::mincore(
                self.map.as_mut_ptr().add(start as usize).cast(),
                len as usize,
                vec.as_mut_ptr(),
            )
        };
        // If the kernel cannot say, assume there are pages: nothing is purged by mistake.
        r != 0 || vec.iter().any(|&b| b & 1 != 0)
    }

    /// Give a range back: its pages return to the system and read as zero next time.
    pub fn release(&self, start: u64, len: u64) {
        self.discard(start, len);
        self.release_clean(start, len);
    }

    /// Give back a range whose pages were never written (nothing to discard: punching a
    /// hole costs a system call and a page-cache walk for nothing).
    pub fn release_clean(&self, start: u64, len: u64) {
        let mut free = self.free.lock();
        let (mut start, mut len) = (start, len);
        if let Some((&prev, &plen)) = free.range(..start).next_back() {
            if prev + plen == start {
                free.remove(&prev);
                start = prev;
                len += plen;
            }
        }
        if let Some(&nlen) = free.get(&(start + len)) {
            free.remove(&(start + len));
            len += nlen;
        }
        free.insert(start, len);
    }

    /// Drop the contents of a range (purge): the pages go back to the system and the
    /// range reads as zero afterwards.
    pub fn discard(&self, start: u64, len: u64) {
        let advice = if self.shared {
            UncheckedAdvice::Remove
        } else {
            UncheckedAdvice::DontNeed
        };
        // SAFETY: the range belongs to an object that is being freed or purged; nothing
        // in the model holds a reference into it, and zero-fill is the intended result.
        let r = unsafe {
            self.map
                .unchecked_advise_range(advice, start as usize, len as usize)
        };
        if let Err(e) = r {
            log::warn!("aperture: discarding {start:#x}+{len:#x} failed: {e}");
        }
    }

    fn check(&self, start: u64, len: usize) {
        assert!(
            start
                .checked_add(len as u64)
                .is_some_and(|end| end <= self.map.len() as u64),
            "aperture access out of range"
        );
    }

    /// The host address of aperture offset `start`, for the command streamer's direct
    /// access to a bound object's pages. The mapping lives as long as the aperture, so
    /// the pointer stays valid memory for that long (its contents may change at any time).
    pub fn host_ptr(&self, start: u64, len: usize) -> *mut u8 {
        self.check(start, len);
        // SAFETY: the range is inside the mapping (checked).
        unsafe { self.map.as_mut_ptr().add(start as usize) }
    }

    /// Copy `buf.len()` bytes out of the aperture at `start`.
    pub fn read(&self, start: u64, buf: &mut [u8]) {
        self.check(start, buf.len());
        // SAFETY: the range is inside the mapping (checked). Clients may write the same
        // pages concurrently through their mmap, as they may on a real GPU's memory; the
        // copy then sees some mix of old and new bytes, never leaves the range.
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.map.as_ptr().add(start as usize),
                buf.as_mut_ptr(),
                buf.len(),
            )
        }
    }

    /// Copy `data` into the aperture at `start`.
    pub fn write(&self, start: u64, data: &[u8]) {
        self.check(start, data.len());
        // SAFETY: as in `read`; the destination is inside the mapping.
        unsafe {
            std::ptr::copy_nonoverlapping(
                data.as_ptr(),
                self.map.as_mut_ptr().add(start as usize),
                data.len(),
            )
        }
    }

    /// A mutable view of a range, for filling it straight from client memory (one copy
    /// on pwrite) or handing it to client memory (pread).
    ///
    /// # Safety
    /// The caller must not keep two overlapping views alive at once; clients may still
    /// write the pages through their mmap, as with `read`.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn slice_mut(&self, start: u64, len: usize) -> &mut [u8] {
        self.check(start, len);
        std::slice::from_raw_parts_mut(self.map.as_mut_ptr().add(start as usize), len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_release_coalesces_and_zeroes() {
        let ap = Aperture::anonymous(FIRST_OFFSET + 64 * PAGE_SIZE).unwrap();
        let a = ap.alloc(PAGE_SIZE).unwrap();
        let b = ap.alloc(2 * PAGE_SIZE).unwrap();
        assert_eq!(a, FIRST_OFFSET);
        assert_eq!(b, FIRST_OFFSET + PAGE_SIZE);
        ap.write(a, &[7; 16]);
        let mut buf = [0u8; 16];
        ap.read(a, &mut buf);
        assert_eq!(buf, [7; 16]);
        ap.release(a, PAGE_SIZE);
        ap.release(b, 2 * PAGE_SIZE);
        assert_eq!(ap.free.lock().len(), 1);
        let c = ap.alloc(PAGE_SIZE).unwrap();
        assert_eq!(c, a);
        ap.read(c, &mut buf);
        assert_eq!(buf, [0; 16], "released pages read back as zero");
        assert_eq!(ap.alloc(64 * PAGE_SIZE), Err(Errno::ENOMEM));
    }
}
