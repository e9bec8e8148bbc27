//! Handles and global names: GEM_CLOSE, GEM_FLINK, GEM_OPEN (`drm_gem.c`).

use std::sync::atomic::Ordering;

use crate::client::ClientMemory;
use crate::file::File;
use crate::{Errno, Result};
use uapi::*;

impl File {
    /// IOCTL: gem_close: drop a handle (EINVAL when it names nothing).
    pub(crate) fn gem_close(&self, a: &mut drm_gem_close, _: &dyn ClientMemory) -> Result<()> {
        self.handle_delete(a.handle)
    }

    /// IOCTL: gem_flink: give the object a global name (the same one every time), which
    /// lives as long as some handle names the object.
    pub(crate) fn gem_flink(&self, a: &mut drm_gem_flink, _: &dyn ClientMemory) -> Result<()> {
        let obj = self.lookup(a.handle)?;
        let mut names = self.device.names.lock();
        // A concurrent close may have dropped the last handle meanwhile.
        if obj.handle_count() == 0 {
            return Err(Errno::ENOENT);
        }
        let mut name = obj.name();
        if name == 0 {
            // Lowest free name ≥ 1, as idr_alloc gives.
            name = names.insert(obj.clone());
            obj.name.store(name, Ordering::Release);
        }
        a.name = name;
        Ok(())
    }

    /// IOCTL: gem_open: a new handle for the object behind a global name.
    pub(crate) fn gem_open(&self, a: &mut drm_gem_open, _: &dyn ClientMemory) -> Result<()> {
        let names = self.device.names.lock();
        // The kernel looks the name up as an int: names above INT_MAX never exist.
        let obj = names.get(a.name).cloned().ok_or(Errno::ENOENT)?;
        // Hold the name lock across handle creation so a racing last close cannot
        // drop the name in between (as drm_gem_handle_create_tail does).
        let handle = self.handle_create(obj.clone());
        drop(names);
        a.handle = handle;
        a.size = obj.size;
        Ok(())
    }
}
