//! sync_file (`drivers/dma-buf/sync_file.c`): fences handed to the program as fds, made
//! by execbuf's FENCE_OUT and SYNCOBJ_HANDLE_TO_FD(EXPORT_SYNC_FILE), consumed by
//! FENCE_IN and SYNCOBJ_FD_TO_HANDLE(IMPORT_SYNC_FILE), merged, polled, described.
//!
//! A sync_file holds a flat list of plain fences (containers never nest); it is
//! signalled when all are. Its fds are opens of the front-end's file for its id
//! ([`ExportTable`]).

use std::sync::{Arc, Mutex};

use uapi::*;

use crate::client::ClientMemory;
use crate::device::Device;
use crate::export_table::{ExportTable, Owner, NO_OWNER};
use crate::sync::dma_fence::{context_alloc, unwrap_fences};
use crate::sync::{lock_order, DmaFence};
use crate::{Errno, Result};

/// One sync_file.
pub struct SyncFile {
    /// The plain fences, at most one per fence context (the latest).
    fences: Vec<Arc<DmaFence>>,
    /// The name SYNC_IOC_MERGE gave it, if any.
    name: Option<String>,
}

/// The device's sync_files, by id.
pub(crate) struct SyncFiles(pub(crate) ExportTable<Arc<SyncFile>>);

impl Default for SyncFiles {
    fn default() -> Self {
        SyncFiles(ExportTable::new(&lock_order::DEVICE_SYNC_FILES))
    }
}

impl SyncFile {
    /// A sync_file for `fence` (`sync_file_create`).
    pub fn new(fence: &Arc<DmaFence>) -> Arc<SyncFile> {
        Arc::new(SyncFile {
            fences: unwrap_fences(fence),
            name: None,
        })
    }

    /// The fences of both, one per context, the later of two on one context
    /// (`sync_file_merge`).
    pub fn merge(a: &SyncFile, b: &SyncFile, name: String) -> Arc<SyncFile> {
        Arc::new(SyncFile {
            fences: latest_per_context(a.fences.iter().chain(&b.fences)),
            name: Some(name),
        })
    }

    /// A sync_file for all of `fences` (a `dma_resv_get_singleton`): one per context,
    /// the latest; a signalled stub for none.
    pub fn of_fences(fences: &[Arc<DmaFence>]) -> Arc<SyncFile> {
        if fences.is_empty() {
            return SyncFile::new(&DmaFence::signaled_stub());
        }
        let plain: Vec<Arc<DmaFence>> = fences.iter().flat_map(unwrap_fences).collect();
        Arc::new(SyncFile {
            fences: latest_per_context(plain.iter()),
            name: None,
        })
    }

    /// The fences it holds.
    pub fn fences(&self) -> &[Arc<DmaFence>] {
        &self.fences
    }

    /// `dma_fence_get_status`: 1 signalled, 0 pending, a negative errno for a fence
    /// that completed with an error.
    pub fn status(&self) -> i32 {
        // Like a dma_fence_array's: pending until every fence has signalled, even
        // when one has signalled with an error already.
        if !self.fences.iter().all(|f| f.is_signaled()) {
            return 0;
        }
        self.fences
            .iter()
            .find_map(|f| f.error())
            .map_or(1, |e| -(e as i32))
    }

    /// One fence that signals when all of them have (`sync_file_get_fence`): the fence
    /// itself when there is one, a signalled stub for none, else a new fence that
    /// signals (with the first error) after the last of them (`dma_fence_array`).
    pub fn fence(&self) -> Arc<DmaFence> {
        match self.fences.as_slice() {
            [] => DmaFence::signaled_stub(),
            [f] => f.clone(),
            many => {
                let array = DmaFence::new(context_alloc(1), 1);
                let left = Mutex::new(many.len());
                let done = {
                    let array = array.clone();
                    Arc::new(move |f: &DmaFence| {
                        if let Some(e) = f.error() {
                            array.set_error(e);
                        }
                        let mut n = left.lock().unwrap();
                        *n -= 1;
                        if *n == 0 {
                            let _ = array.signal();
                        }
                    })
                };
                for f in many {
                    let d = done.clone();
                    // A fence that signalled already takes no callback: count it here.
                    if f.add_callback(Box::new(move |f| d(f))).is_err() {
                        done(f);
                    }
                }
                array
            }
        }
    }

    /// Run `notify` once every fence has signalled (now, if they have).
    pub fn on_signaled(&self, notify: Box<dyn FnOnce() + Send>) {
        let fence = self.fence();
        let slot = Arc::new(Mutex::new(Some(notify)));
        let slot2 = slot.clone();
        let added = fence.add_callback(Box::new(move |_| {
            if let Some(n) = slot2.lock().unwrap().take() {
                n()
            }
        }));
        if added.is_err() {
            if let Some(n) = slot.lock().unwrap().take() {
                n()
            }
        }
    }

    /// The sync_file's name (`sync_file_get_name`): the merge's, else the fence's
    /// driver, timeline and identity.
    fn name(&self) -> String {
        match (&self.name, self.fences.as_slice()) {
            (Some(n), _) => n.clone(),
            (None, [f]) => match f.names() {
                Some(n) => format!("{}-{}{}-{}", n.driver, n.timeline, f.context(), f.seqno()),
                None => format!("i915-gemu{}-{}", f.context(), f.seqno()),
            },
            (None, _) => "dma-fence-array".into(),
        }
    }
}

/// `fences`, one per context: the later of two on one context.
fn latest_per_context<'a>(fences: impl Iterator<Item = &'a Arc<DmaFence>>) -> Vec<Arc<DmaFence>> {
    let mut out: Vec<Arc<DmaFence>> = Vec::new();
    for f in fences {
        match out.iter_mut().find(|g| g.context() == f.context()) {
            Some(g) => {
                if f.is_later(g) {
                    *g = f.clone();
                }
            }
            None => out.push(f.clone()),
        }
    }
    out
}

/// A fence's driver and timeline names: its maker's, or i915's for its own.
fn fence_names(f: &DmaFence) -> (String, String) {
    match f.names() {
        Some(n) => (n.driver.clone(), n.timeline.clone()),
        None => ("i915".into(), format!("gemu-timeline-{}", f.context())),
    }
}

/// Copy `s` into a NUL-terminated fixed-size name field.
fn name_field(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    let n = s.len().min(31);
    out[..n].copy_from_slice(&s.as_bytes()[..n]);
    out
}

impl Device {
    /// Export a sync_file made by DRM file `owner` (or [`NO_OWNER`]): its id.
    pub(crate) fn sync_file_export(&self, file: Arc<SyncFile>, owner: Owner) -> u64 {
        self.sync_files.0.export_new(file, owner)
    }

    /// The sync_file with id `id`.
    pub fn sync_file(&self, id: u64) -> Option<Arc<SyncFile>> {
        self.sync_files.0.get(id)
    }

    /// The program opened sync_file `id`'s file; false if there is none.
    pub fn sync_file_open(&self, id: u64) -> bool {
        self.sync_files.0.open(id)
    }

    /// An open of sync_file `id`'s file was released.
    pub fn sync_file_release(&self, id: u64) {
        self.sync_files.0.release(id)
    }

    /// SYNC_IOC_MERGE's half in the device: a new sync_file with the fences of `a` and
    /// `b`, named `name`; its id.
    pub fn sync_file_merge(&self, a: u64, b: u64, name: &[u8; 32]) -> Result<u64> {
        let (a, b) = (
            self.sync_file(a).ok_or(Errno::EINVAL)?,
            self.sync_file(b).ok_or(Errno::ENOENT)?,
        );
        let end = name.iter().position(|&c| c == 0).unwrap_or(32);
        let name = String::from_utf8_lossy(&name[..end]).into_owned();
        Ok(self.sync_file_export(SyncFile::merge(&a, &b, name), NO_OWNER))
    }

    /// SYNC_IOC_FILE_INFO (`sync_file_ioctl_fence_info`): the status and, when
    /// `num_fences` leaves room, one `sync_fence_info` per fence written at
    /// `sync_fence_info` in the caller's memory.
    pub fn sync_file_info(
        &self,
        id: u64,
        info: &mut sync_file_info,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let file = self.sync_file(id).ok_or(Errno::EINVAL)?;
        if info.flags != 0 || info.pad != 0 {
            return Err(Errno::EINVAL);
        }
        let n = file.fences.len() as u32;
        if info.num_fences != 0 {
            if info.num_fences < n {
                return Err(Errno::EINVAL);
            }
            for (i, f) in file.fences.iter().enumerate() {
                let status = if !f.is_signaled() {
                    0
                } else {
                    f.error().map_or(1, |e| -(e as i32))
                };
                // The timestamp is the signal's, in CLOCK_MONOTONIC nanoseconds.
                let timestamp_ns = f.timestamp().map_or(0, monotonic_ns);
                let (driver, timeline) = fence_names(f);
                let fi = sync_fence_info {
                    obj_name: name_field(&timeline),
                    driver_name: name_field(&driver),
                    status,
                    flags: 0,
                    timestamp_ns,
                };
                let at = info.sync_fence_info + (i * std::mem::size_of::<sync_fence_info>()) as u64;
                caller.write(at, bytemuck::bytes_of(&fi))?;
            }
        }
        info.name = name_field(&file.name());
        info.status = file.status();
        info.num_fences = n;
        Ok(())
    }
}

/// An `Instant` as CLOCK_MONOTONIC nanoseconds (what `Instant` is on Linux).
fn monotonic_ns(t: std::time::Instant) -> u64 {
    let now = std::time::Instant::now();
    let mut ts = libc_timespec();
    // SAFETY: `ts` is a valid timespec for clock_gettime to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    let now_ns = ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64;
    now_ns.saturating_sub(now.saturating_duration_since(t).as_nanos() as u64)
}

fn libc_timespec() -> libc::timespec {
    libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_until_every_fence_signalled_even_after_an_error() {
        let (a, b) = (
            DmaFence::new(context_alloc(1), 1),
            DmaFence::new(context_alloc(1), 1),
        );
        let m = SyncFile::merge(&SyncFile::new(&a), &SyncFile::new(&b), "m".into());
        a.set_error(Errno::EIO);
        a.signal().unwrap();
        assert_eq!(m.status(), 0);
        b.signal().unwrap();
        assert_eq!(m.status(), -(Errno::EIO as i32));
    }
}
