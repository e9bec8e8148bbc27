//! The aperture memfd: the one file behind every object's pages.
//!
//! The daemon maps it once (shared) and hands that mapping to the model as its
//! [`emu::Aperture`]; every open of a node passes `mmap` through to the same file (FUSE
//! passthrough), so a client's `mmap(fd, offset)` sees exactly the pages the model
//! reads and writes, with no copies and no msync (DESIGN §3).

use std::fs::File;
use std::io;

use memmap2::MmapOptions;
use nix::fcntl::{fcntl, FcntlArg, SealFlag};
use nix::sys::memfd::{memfd_create, MFdFlags};

/// Length of the aperture: 32 TiB of sparse address space (a quarter of x86-64's user
/// address space), so huge objects that i915 would create lazily fit too. Pages cost
/// memory only once written; the device's `--memory` bounds what objects may use.
pub const APERTURE_LEN: u64 = emu::aperture::FIRST_OFFSET + (32 << 40);

/// Create the memfd of `len` bytes (sparse) and the model's aperture over it.
///
/// The returned file is what FUSE opens pass through to; it must outlive every open.
pub fn create(len: u64) -> io::Result<(File, emu::Aperture)> {
    // CLOEXEC: a program started by `gemu run` must reach the memory only through the
    // node, never through an inherited descriptor.
    let file = File::from(memfd_create(
        c"gemu-aperture",
        MFdFlags::MFD_CLOEXEC | MFdFlags::MFD_ALLOW_SEALING,
    )?);
    file.set_len(len)?;
    // Clients without FUSE passthrough get this file itself (`aperture_socket`): its
    // size is sealed, so none can truncate the daemon's mapping away under it.
    fcntl(
        &file,
        FcntlArg::F_ADD_SEALS(
            SealFlag::F_SEAL_SHRINK | SealFlag::F_SEAL_GROW | SealFlag::F_SEAL_SEAL,
        ),
    )?;
    let map = MmapOptions::new().len(len as usize).map_raw(&file)?;
    Ok((file, emu::Aperture::from_shared_mapping(map)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_writes_are_visible_in_a_second_mapping() {
        let (file, aperture) = create(emu::aperture::FIRST_OFFSET + (1 << 20)).unwrap();
        let start = aperture.alloc(emu::aperture::PAGE_SIZE).unwrap();
        aperture.write(start, b"coherent");
        // SAFETY: the memfd is this test's own; nothing truncates it while it is mapped.
        let other = unsafe { MmapOptions::new().offset(start).len(8).map(&file) }.unwrap();
        assert_eq!(&other[..], b"coherent");
    }

    #[test]
    fn its_size_is_sealed() {
        let len = emu::aperture::FIRST_OFFSET + (1 << 20);
        let (file, _aperture) = create(len).unwrap();
        assert!(file.set_len(4096).is_err());
        assert!(file.set_len(len * 2).is_err());
        assert_eq!(file.metadata().unwrap().len(), len);
    }
}
