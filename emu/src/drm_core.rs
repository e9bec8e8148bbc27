//! The DRM core's own calls (`drm_ioctl.c`, `drm_auth.c` entry points): identity,
//! capabilities, client information.

use std::sync::atomic::Ordering;

use crate::client::ClientMemory;
use crate::file::File;
use crate::platform::{implemented, Feature};
use crate::{Errno, Result};
use uapi::*;

/// i915's driver version (`DRIVER_MAJOR/MINOR/PATCHLEVEL`).
pub const DRIVER_VERSION: (i32, i32, i32) = (1, 6, 0);
/// Interface version SET_VERSION reports (`DRM_IF_MAJOR/MINOR`).
const DRM_IF_VERSION: (i32, i32) = (1, 4);
/// `overflowuid`: what GET_CLIENT reports as the uid.
const OVERFLOW_UID: u64 = 65534;
/// `DRM_CLIENT_NAME_MAX_LEN`.
const CLIENT_NAME_MAX_LEN: u64 = 64;

/// `drm_copy_field`: always report the full length; copy at most what fits, and
/// nothing to a NULL buffer.
fn copy_field(caller: &dyn ClientMemory, value: &str, len: &mut u64, buf: u64) -> Result<()> {
    let n = (*len).min(value.len() as u64) as usize;
    *len = value.len() as u64;
    if n > 0 && buf != 0 {
        caller.write(buf, &value.as_bytes()[..n])?;
    }
    Ok(())
}

impl File {
    /// IOCTL: version: driver name, date and description, with the two-call length
    /// protocol (lengths always set; strings copied up to the lengths given).
    pub(crate) fn version(&self, v: &mut drm_version, caller: &dyn ClientMemory) -> Result<()> {
        // vgem_drv.c: DRIVER_MAJOR 1, DRIVER_MINOR 0.
        let (version, name, desc) = if self.node == crate::NodeKind::Vgem {
            ((1, 0, 0), "vgem", "Virtual GEM provider")
        } else {
            (DRIVER_VERSION, "i915", "Intel Graphics")
        };
        (v.version_major, v.version_minor, v.version_patchlevel) = version;
        copy_field(caller, name, &mut v.name_len, v.name)?;
        // The driver date is deprecated; the kernel reports "0".
        copy_field(caller, "0", &mut v.date_len, v.date)?;
        copy_field(caller, desc, &mut v.desc_len, v.desc)
    }

    /// IOCTL: get_unique: the master's bus id, empty until SET_VERSION 1.1 set it.
    pub(crate) fn get_unique(&self, u: &mut drm_unique, caller: &dyn ClientMemory) -> Result<()> {
        let unique = self.master_unique();
        if u.unique_len >= unique.len() as u64 && !unique.is_empty() {
            caller.write(u.unique, unique.as_bytes())?;
        }
        u.unique_len = unique.len() as u64;
        Ok(())
    }

    /// IOCTL: get_client: only index 0 answers, with the caller's authentication.
    pub(crate) fn get_client(&self, c: &mut drm_client, _: &dyn ClientMemory) -> Result<()> {
        if c.idx != 0 {
            return Err(Errno::EINVAL);
        }
        c.auth = self.is_authenticated() as i32;
        c.pid = self.cred.pid as u64;
        c.uid = OVERFLOW_UID;
        c.magic = 0;
        c.iocs = 0;
        Ok(())
    }

    /// IOCTL: get_stats: always empty.
    pub(crate) fn get_stats(&self, s: &mut drm_stats, _: &dyn ClientMemory) -> Result<()> {
        *s = bytemuck::Zeroable::zeroed();
        Ok(())
    }

    /// IOCTL: set_version: negotiate the interface version; 1.1 or later ties the
    /// master to its bus id. The versions in effect are written back even on error.
    pub(crate) fn set_version(&self, sv: &mut drm_set_version, _: &dyn ClientMemory) -> Result<()> {
        let r = (|| {
            if sv.drm_di_major != -1 {
                if sv.drm_di_major != DRM_IF_VERSION.0
                    || sv.drm_di_minor < 0
                    || sv.drm_di_minor > DRM_IF_VERSION.1
                {
                    return Err(Errno::EINVAL);
                }
                if sv.drm_di_minor >= 1 {
                    self.set_busid();
                }
            }
            if sv.drm_dd_major != -1
                && (sv.drm_dd_major != DRIVER_VERSION.0
                    || sv.drm_dd_minor < 0
                    || sv.drm_dd_minor > DRIVER_VERSION.1)
            {
                return Err(Errno::EINVAL);
            }
            Ok(())
        })();
        (sv.drm_di_major, sv.drm_di_minor) = DRM_IF_VERSION;
        (sv.drm_dd_major, sv.drm_dd_minor) = (DRIVER_VERSION.0, DRIVER_VERSION.1);
        r
    }

    /// IOCTL: get_cap: the few render-side caps; everything else needs KMS, which a
    /// display-less i915 does not have.
    pub(crate) fn get_cap(&self, c: &mut drm_get_cap, _: &dyn ClientMemory) -> Result<()> {
        c.value = 0;
        match c.capability {
            DRM_CAP_TIMESTAMP_MONOTONIC => c.value = 1,
            DRM_CAP_PRIME => {
                if implemented(Feature::Prime) {
                    c.value = DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT;
                }
            }
            DRM_CAP_SYNCOBJ | DRM_CAP_SYNCOBJ_TIMELINE => {
                c.value = implemented(Feature::Syncobj) as u64
            }
            _ => return Err(Errno::EOPNOTSUPP),
        }
        Ok(())
    }

    /// IOCTL: set_client_cap: every client cap is a KMS one.
    pub(crate) fn set_client_cap(
        &self,
        _: &mut drm_set_client_cap,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        Err(Errno::EOPNOTSUPP)
    }

    /// IOCTL: set_client_name: a printable name for debugfs' client list.
    pub(crate) fn set_client_name(
        &self,
        n: &mut drm_set_client_name,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        if n.name_len > CLIENT_NAME_MAX_LEN {
            return Err(Errno::EINVAL);
        }
        let name = if n.name_len == 0 {
            None
        } else {
            let mut buf = vec![0u8; n.name_len as usize];
            caller.read(n.name, &mut buf)?;
            if !buf.iter().all(|b| b.is_ascii_graphic()) {
                return Err(Errno::EINVAL);
            }
            Some(String::from_utf8(buf).map_err(|_| Errno::EINVAL)?)
        };
        *self.client_name.lock().unwrap_or_else(|p| p.into_inner()) = name;
        Ok(())
    }

    /// IOCTL: get_magic.
    pub(crate) fn get_magic_ioctl(&self, a: &mut drm_auth, _: &dyn ClientMemory) -> Result<()> {
        self.get_magic(a)
    }

    /// IOCTL: auth_magic.
    pub(crate) fn auth_magic_ioctl(&self, a: &mut drm_auth, _: &dyn ClientMemory) -> Result<()> {
        self.auth_magic(a)
    }

    /// IOCTL: set_master.
    pub(crate) fn set_master_ioctl(&self, _: &mut (), caller: &dyn ClientMemory) -> Result<()> {
        self.set_master(caller)
    }

    /// IOCTL: drop_master.
    pub(crate) fn drop_master_ioctl(&self, _: &mut (), caller: &dyn ClientMemory) -> Result<()> {
        self.drop_master(caller)
    }

    /// Objects this file created, for reports.
    pub fn objects_created(&self) -> u32 {
        self.created.load(Ordering::Relaxed)
    }
}
