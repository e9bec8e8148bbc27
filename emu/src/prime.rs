//! PRIME: GEM objects shared between files and processes as dma-bufs
//! (`drm_prime.c`, `i915_gem_dmabuf.c`).
//!
//! A dma-buf here is an id naming an exported object; the front-end serves one file
//! per id and the program's dma-buf fds are opens of that file (see `uapi::gemu`). The
//! id is the object's page index in the aperture, so a mapping of the dma-buf at
//! offset `id << 12` shows the object. A userptr object is never exported (i915 has
//! refused since its userptr rework). An export keeps its object alive, as a dma-buf
//! holds a reference on its GEM object, until the last open of its file is released.

use std::sync::Arc;

use uapi::*;

use crate::client::ClientMemory;
use crate::device::Device;
use crate::export_table::{ExportTable, NO_OWNER};
use crate::file::File;
use crate::object::GemObject;
use crate::sync::{lock_order, DmaFence, DmaResvUsage};
use crate::sync_file::SyncFile;
use crate::{Errno, Result};

/// The device's dma-bufs, by id.
pub(crate) struct DmaBufs(pub(crate) ExportTable<Arc<GemObject>>);

impl Default for DmaBufs {
    fn default() -> Self {
        DmaBufs(ExportTable::new(&lock_order::DEVICE_DMA_BUFS))
    }
}

impl File {
    /// IOCTL: gemu_prime_export: PRIME_HANDLE_TO_FD's half in the device: the dma-buf
    /// id of the object behind `handle` (the same id for every export of one object).
    pub(crate) fn gemu_prime_export(
        &self,
        a: &mut drm_prime_handle,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        // drm_prime_handle_to_fd_ioctl: only CLOEXEC and RDWR.
        if a.flags & !(DRM_CLOEXEC | DRM_RDWR) != 0 {
            log::debug!("prime export: flags {:#x}", a.flags);
            return Err(Errno::EINVAL);
        }
        let obj = self.lookup(a.handle)?;
        // i915_gem_userptr_dmabuf_export: exporting client memory is no longer allowed.
        if obj.is_userptr() {
            log::debug!("prime export: a userptr object");
            return Err(Errno::EINVAL);
        }
        // The importer may map it: keep its pages for mappings, as MMAP_OFFSET does.
        obj.lock().has_pages = true;
        obj.mmapped
            .store(true, std::sync::atomic::Ordering::Release);
        let id = obj.offset >> GEMU_DMABUF_ID_SHIFT;
        self.device
            .dma_bufs
            .0
            .export_at(id, self.id, || obj.clone());
        a.fd = i32::try_from(id).map_err(|_| Errno::EOVERFLOW)?;
        Ok(())
    }

    /// IOCTL: gemu_prime_import: PRIME_FD_TO_HANDLE's half in the device: a handle for
    /// dma-buf `fd` (an id); this file's existing handle for the object if it has one
    /// (`drm_prime_lookup_buf_handle`), so importing twice gives one handle.
    pub(crate) fn gemu_prime_import(
        &self,
        a: &mut drm_prime_handle,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        let id = u64::try_from(a.fd).map_err(|_| Errno::EBADF)?;
        let obj = self.device.dma_bufs.0.get(id).ok_or_else(|| {
            log::debug!("prime import: no dma-buf {id}");
            Errno::EINVAL
        })?;
        let existing = self.handles().find(&obj);
        a.handle = match existing {
            Some(h) => h,
            None => self.handle_create(obj),
        };
        Ok(())
    }
}

impl Device {
    /// The size of dma-buf `id`'s object, if it is exported.
    pub fn dma_buf_size(&self, id: u64) -> Option<u64> {
        self.dma_bufs.0.get(id).map(|o| o.size)
    }

    /// Entries of the device's export tables (dma-bufs, syncobj fds, sync_files) and
    /// of their per-file records: with no fd open and no file alive, 0.
    pub fn export_bookkeeping(&self) -> usize {
        self.dma_bufs.0.bookkeeping()
            + self.syncobj_files.0.bookkeeping()
            + self.sync_files.0.bookkeeping()
    }

    /// `poll(2)` on dma-buf `id` (`dma_buf_poll`) for `events` (`POLLIN`, `POLLOUT`;
    /// others are never reported): `POLLIN` once the object's write fences have
    /// signalled (reading is safe), `POLLOUT` once all its read and write fences have
    /// (writing is safe). Returns the ready events and the fences the others still
    /// wait for; `None` when there is no such dma-buf.
    pub fn dma_buf_poll(&self, id: u64, events: u32) -> Option<(u32, Vec<Arc<DmaFence>>)> {
        let obj = self.dma_bufs.0.get(id)?;
        let mut ready = 0;
        let mut pending = Vec::new();
        for (event, write) in [(libc::POLLIN as u32, false), (libc::POLLOUT as u32, true)] {
            if events & event == 0 {
                continue;
            }
            let busy = obj.resv.fences(DmaResvUsage::for_access(write));
            if busy.is_empty() {
                ready |= event;
            } else {
                pending.extend(busy);
            }
        }
        Some((ready, pending))
    }

    /// The program opened dma-buf `id`'s file (the shim, after an export, or a reopen
    /// through `/proc/self/fd`). False when no such dma-buf exists.
    pub fn dma_buf_open(&self, id: u64) -> bool {
        self.dma_bufs.0.open(id)
    }

    /// An open of dma-buf `id`'s file was released; the last one ends the export (and
    /// drops its reference on the object) unless an export is still on its way.
    pub fn dma_buf_release(&self, id: u64) {
        self.dma_bufs.0.release(id)
    }
}

impl Device {
    /// `dma_buf_ioctl`: an ioctl on dma-buf `id`'s fd, `data` its argument as copied
    /// in; the bytes to copy out.
    ///
    /// DMA_BUF_IOCTL_SYNC with SYNC_START is `dma_buf_begin_cpu_access`: it waits,
    /// interruptibly, for the fences a CPU access of that kind must follow (the
    /// object's write fences for a read, all its fences for a write), as i915's
    /// `set_to_cpu_domain` does. The mapping is the object's memory itself (LLC,
    /// coherent with the engines), so that wait is all a START needs, and SYNC_END
    /// only checks its flags.
    pub fn dma_buf_ioctl(
        &self,
        id: u64,
        cmd: u32,
        data: &[u8],
        caller: &dyn ClientMemory,
    ) -> Result<Vec<u8>> {
        match cmd {
            DMA_BUF_IOCTL_SYNC => {
                let sync: dma_buf_sync =
                    bytemuck::pod_read_unaligned(data.get(..8).ok_or(Errno::EFAULT)?);
                if sync.flags & !DMA_BUF_SYNC_VALID_FLAGS_MASK != 0
                    || sync.flags & DMA_BUF_SYNC_RW == 0
                {
                    return Err(Errno::EINVAL);
                }
                if sync.flags & DMA_BUF_SYNC_END == 0 {
                    let obj = self.dma_bufs.0.get(id).ok_or(Errno::EBADF)?;
                    let write = sync.flags & DMA_BUF_SYNC_WRITE != 0;
                    let busy = obj.resv.fences(DmaResvUsage::for_access(write));
                    crate::wait::wait_all(caller, &busy, None)?;
                }
                Ok(Vec::new())
            }
            GEMU_DMA_BUF_IOCTL_EXPORT_SYNC_FILE => {
                let mut a: dma_buf_export_sync_file = read_arg(data)?;
                let write = sync_file_flags(a.flags)? & DMA_BUF_SYNC_WRITE != 0;
                let obj = self.dma_bufs.0.get(id).ok_or(Errno::EBADF)?;
                let fences = obj.resv.fences(DmaResvUsage::for_access(write));
                let file = self.sync_file_export(SyncFile::of_fences(&fences), NO_OWNER);
                a.fd = i32::try_from(file).map_err(|_| Errno::EMFILE)?;
                Ok(bytemuck::bytes_of(&a).to_vec())
            }
            GEMU_DMA_BUF_IOCTL_IMPORT_SYNC_FILE => {
                let a: dma_buf_import_sync_file = read_arg(data)?;
                let usage = if sync_file_flags(a.flags)? & DMA_BUF_SYNC_WRITE != 0 {
                    DmaResvUsage::Write
                } else {
                    DmaResvUsage::Read
                };
                let file = u64::try_from(a.fd)
                    .ok()
                    .and_then(|f| self.sync_file(f))
                    .ok_or(Errno::EINVAL)?;
                let obj = self.dma_bufs.0.get(id).ok_or(Errno::EBADF)?;
                let mut st = obj.lock();
                st.reserve_fences(file.fences().len())?;
                for f in file.fences() {
                    st.add_fence(f.clone(), usage);
                }
                Ok(Vec::new())
            }
            // EXPORT_SYNC_FILE answers an fd and IMPORT_SYNC_FILE takes one: only
            // through the shim's halves above.
            _ => Err(Errno::ENOTTY),
        }
    }
}

/// The ioctl argument `T` at the start of `data`.
fn read_arg<T: bytemuck::Pod>(data: &[u8]) -> Result<T> {
    let n = std::mem::size_of::<T>();
    Ok(bytemuck::pod_read_unaligned(
        data.get(..n).ok_or(Errno::EFAULT)?,
    ))
}

/// The READ/WRITE flags of EXPORT_SYNC_FILE and IMPORT_SYNC_FILE: one of them at least
/// and nothing else (`EINVAL`).
fn sync_file_flags(flags: u32) -> Result<u64> {
    let flags = u64::from(flags);
    if flags & !DMA_BUF_SYNC_RW != 0 || flags & DMA_BUF_SYNC_RW == 0 {
        return Err(Errno::EINVAL);
    }
    Ok(flags)
}

/// Whether `cmd` on a dma-buf fd may wait for the GPU: its answer then comes from a
/// thread of its own.
pub fn dma_buf_ioctl_may_block(cmd: u32) -> bool {
    // IMPORT_SYNC_FILE takes the object's reservation lock, which execbuf holds
    // briefly: it does not wait for the GPU.
    cmd == DMA_BUF_IOCTL_SYNC
}
