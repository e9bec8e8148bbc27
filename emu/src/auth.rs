//! DRM master and authentication (`drm_auth.c`): who may act as master on the
//! primary node, and how other clients get authenticated by magic.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::client::ClientMemory;
use crate::device::{Master, MasterState};
use crate::file::{File, FileMaster};
use crate::sync::{lock_order, TrackedMutex};
use crate::{Errno, Result};

fn new_master() -> Arc<TrackedMutex<Master>> {
    Arc::new(TrackedMutex::new(
        &lock_order::MASTER_MAGIC,
        Master {
            unique: None,
            magics: BTreeMap::new(),
        },
    ))
}

fn is_current(dev: &MasterState, fm: &FileMaster) -> bool {
    fm.is_master
        && match (&dev.current, &fm.master) {
            (Some(cur), Some(mine)) => Arc::ptr_eq(cur, mine),
            _ => false,
        }
}

impl File {
    /// `drm_new_set_master`: a fresh master object, current, owned by this file.
    fn new_set_master(&self, dev: &mut MasterState, fm: &mut FileMaster) {
        let m = new_master();
        fm.master = Some(m.clone());
        fm.is_master = true;
        fm.was_master = true;
        self.authenticated.store(true, Ordering::Release);
        dev.current = Some(m);
    }

    /// `drm_master_open`: the first opener of the primary node becomes master; later
    /// ones join the current master's authentication domain.
    pub(crate) fn master_open(&self) {
        let mut dev = self.device.master_lock();
        let mut fm = self.master_state();
        match &dev.current {
            None => self.new_set_master(&mut dev, &mut fm),
            Some(m) => fm.master = Some(m.clone()),
        }
    }

    /// `drm_master_release`: forget the file's magic; a current master stops being one.
    pub(crate) fn master_release(&self) {
        let mut dev = self.device.master_lock();
        let mut fm = self.master_state();
        if fm.magic != 0 {
            if let Some(m) = &fm.master {
                m.lock().magics.remove(&fm.magic);
            }
            fm.magic = 0;
        }
        if is_current(&dev, &fm) {
            dev.current = None;
        }
        fm.master = None;
    }

    /// Is this file the current master (`drm_is_current_master`)?
    pub fn is_current_master(&self) -> bool {
        let dev = self.device.master_lock();
        let fm = self.master_state();
        is_current(&dev, &fm)
    }

    /// `drm_master_check_perm`: a file that was master may take it back from the
    /// process that opened it; anyone else needs CAP_SYS_ADMIN.
    fn master_check_perm(&self, fm: &FileMaster, caller: &dyn ClientMemory) -> Result<()> {
        if (fm.was_master && caller.tgid() == self.cred.pid) || caller.has_cap_sys_admin() {
            Ok(())
        } else {
            log::debug!("file {}: master change needs CAP_SYS_ADMIN", self.id);
            Err(Errno::EACCES)
        }
    }

    /// IOCTL: set_master: become the current master (EBUSY while another file is).
    pub(crate) fn set_master(&self, caller: &dyn ClientMemory) -> Result<()> {
        let mut dev = self.device.master_lock();
        let mut fm = self.master_state();
        self.master_check_perm(&fm, caller)?;
        if is_current(&dev, &fm) {
            return Ok(());
        }
        if dev.current.is_some() {
            return Err(Errno::EBUSY);
        }
        let Some(m) = fm.master.clone() else {
            return Err(Errno::EINVAL);
        };
        if !fm.is_master {
            self.new_set_master(&mut dev, &mut fm);
            return Ok(());
        }
        fm.was_master = true;
        dev.current = Some(m);
        Ok(())
    }

    /// IOCTL: drop_master: stop being the current master (EINVAL when not master).
    pub(crate) fn drop_master(&self, caller: &dyn ClientMemory) -> Result<()> {
        let mut dev = self.device.master_lock();
        let fm = self.master_state();
        self.master_check_perm(&fm, caller)?;
        if !is_current(&dev, &fm) {
            return Err(Errno::EINVAL);
        }
        dev.current = None;
        Ok(())
    }

    /// IOCTL: get_magic: this file's authentication token (allocated once).
    pub(crate) fn get_magic(&self, auth: &mut uapi::drm_auth) -> Result<()> {
        let _dev = self.device.master_lock();
        let mut fm = self.master_state();
        if fm.magic == 0 {
            let m = fm.master.clone().ok_or(Errno::EINVAL)?;
            let mut m = m.lock();
            // Lowest free number ≥ 1, as idr_alloc gives.
            let mut magic = 1;
            for &k in m.magics.keys() {
                if k != magic {
                    break;
                }
                magic += 1;
            }
            m.magics.insert(magic, Some(self.id));
            fm.magic = magic;
        }
        auth.magic = fm.magic;
        Ok(())
    }

    /// IOCTL: auth_magic: the master authenticates the file that holds `magic`.
    pub(crate) fn auth_magic(&self, auth: &mut uapi::drm_auth) -> Result<()> {
        let _dev = self.device.master_lock();
        let fm = self.master_state();
        let m = fm.master.clone().ok_or(Errno::EINVAL)?;
        let target = m.lock().magics.get_mut(&auth.magic).and_then(Option::take);
        let Some(id) = target else {
            log::debug!("auth_magic: unknown magic {}", auth.magic);
            return Err(Errno::EINVAL);
        };
        if let Some(f) = self.device.file_by_id(id) {
            f.authenticated.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// SET_VERSION 1.1's side effect (`drm_set_busid`): the master learns its bus id.
    pub(crate) fn set_busid(&self) {
        let _dev = self.device.master_lock();
        let fm = self.master_state();
        if let Some(m) = &fm.master {
            m.lock().unique = Some(format!("pci:{}", self.device.platform().pci_slot));
        }
    }

    /// The bus id of the file's master (`master->unique`), empty before SET_VERSION.
    pub(crate) fn master_unique(&self) -> String {
        let _dev = self.device.master_lock();
        let fm = self.master_state();
        fm.master
            .as_ref()
            .and_then(|m| m.lock().unique.clone())
            .unwrap_or_default()
    }
}
