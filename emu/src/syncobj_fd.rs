//! Syncobjs as fds (`drm_syncobj_handle_to_fd_ioctl` / `fd_to_handle`): an opaque fd
//! names the syncobj itself; with the SYNC_FILE flags the fd is a sync_file of its
//! current fence. The standard ioctls cannot make fds from the daemon (they fail, see
//! `syncobj.rs`); the shim sends these gemu-private ones and opens the daemon's file
//! for the id answered in `fd` (`uapi::gemu`).

use std::sync::Arc;

use uapi::*;

use crate::client::ClientMemory;
use crate::device::Device;
use crate::export_table::ExportTable;
use crate::file::File;
use crate::sync::lock_order;
use crate::sync_file::SyncFile;
use crate::syncobj::Syncobj;
use crate::{Errno, Result};

/// The device's syncobj fds, by id.
pub(crate) struct SyncobjFiles(pub(crate) ExportTable<Arc<Syncobj>>);

impl Default for SyncobjFiles {
    fn default() -> Self {
        SyncobjFiles(ExportTable::new(&lock_order::DEVICE_SYNCOBJ_FILES))
    }
}

impl File {
    /// IOCTL: gemu_syncobj_export: SYNCOBJ_HANDLE_TO_FD's half in the device: `fd`
    /// answers the id of a new syncobj fd, or with EXPORT_SYNC_FILE of a new sync_file
    /// of the syncobj's fence.
    pub(crate) fn gemu_syncobj_export(
        &self,
        a: &mut drm_syncobj_handle,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        let s = self.syncobj_export_checks(a)?;
        let id = if a.flags != 0 {
            let fence = s.fence().ok_or(Errno::EINVAL)?;
            self.device.sync_file_export(SyncFile::new(&fence), self.id)
        } else {
            self.device.syncobj_files.0.export_new(s, self.id)
        };
        a.fd = i32::try_from(id).map_err(|_| Errno::EMFILE)?;
        Ok(())
    }

    /// IOCTL: gemu_syncobj_import: SYNCOBJ_FD_TO_HANDLE's half: `fd` is the id of a
    /// syncobj fd (a new handle for that syncobj), or with IMPORT_SYNC_FILE of a
    /// sync_file whose fence replaces the fence of syncobj `handle`.
    pub(crate) fn gemu_syncobj_import(
        &self,
        a: &mut drm_syncobj_handle,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        crate::syncobj::syncobj_import_checks(a)?;
        let id = u64::try_from(a.fd).map_err(|_| Errno::EINVAL)?;
        if a.flags != 0 {
            let file = self.device.sync_file(id).ok_or(Errno::EINVAL)?;
            let s = self.syncobj_lookup(a.handle).ok_or(Errno::ENOENT)?;
            s.replace_fence(Some(file.fence()));
        } else {
            let s = self.device.syncobj_files.0.get(id).ok_or(Errno::EINVAL)?;
            a.handle = self.syncobjs.lock().insert(s);
        }
        Ok(())
    }
}

impl Device {
    /// The program opened syncobj fd `id`'s file; false if there is none.
    pub fn syncobj_file_open(&self, id: u64) -> bool {
        self.syncobj_files.0.open(id)
    }

    /// Whether syncobj fd `id` exists.
    pub fn syncobj_file_exists(&self, id: u64) -> bool {
        self.syncobj_files.0.get(id).is_some()
    }

    /// An open of syncobj fd `id`'s file was released.
    pub fn syncobj_file_release(&self, id: u64) {
        self.syncobj_files.0.release(id)
    }
}
