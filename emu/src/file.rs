//! One DRM client: the state behind one open of a node.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use crate::client::ClientMemory;
use crate::device::{Credentials, Device, Master, NodeKind};
use crate::object::GemObject;
use crate::sync::tracked::TrackedGuard;
use crate::sync::{lock_order, TrackedMutex};
use crate::{Errno, Result};

/// A file's handles to one kind of thing (`drm_file.object_idr`,
/// `drm_file.syncobj_idr`): the lowest free id ≥ 1 is handed out next, as
/// `idr_alloc(…, 1, 0, …)` does.
pub(crate) struct IdTable<T> {
    map: BTreeMap<u32, Arc<T>>,
    /// Ids below `next` that are free again.
    free: BTreeSet<u32>,
    next: u32,
}

impl<T> Default for IdTable<T> {
    fn default() -> Self {
        IdTable {
            map: BTreeMap::new(),
            free: BTreeSet::new(),
            next: 1,
        }
    }
}

/// A file's GEM handles.
pub(crate) type HandleTable = IdTable<GemObject>;

impl<T> IdTable<T> {
    pub fn insert(&mut self, obj: Arc<T>) -> u32 {
        let id = match self.free.pop_first() {
            Some(id) => id,
            None => {
                self.next = self.next.max(1);
                let id = self.next;
                self.next += 1;
                id
            }
        };
        self.map.insert(id, obj);
        id
    }

    pub fn get(&self, handle: u32) -> Option<&Arc<T>> {
        self.map.get(&handle)
    }

    pub fn remove(&mut self, handle: u32) -> Option<Arc<T>> {
        let obj = self.map.remove(&handle)?;
        self.free.insert(handle);
        Some(obj)
    }

    pub fn drain(&mut self) -> Vec<Arc<T>> {
        self.free.clear();
        self.next = 1;
        std::mem::take(&mut self.map).into_values().collect()
    }

    pub fn objects(&self) -> Vec<Arc<T>> {
        self.map.values().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// The lowest id naming `obj`, if any.
    pub fn find(&self, obj: &Arc<T>) -> Option<u32> {
        self.map
            .iter()
            .find(|(_, o)| Arc::ptr_eq(o, obj))
            .map(|(id, _)| *id)
    }
}

/// Master-related state of a file, guarded by the device's master lock.
#[derive(Default)]
pub(crate) struct FileMaster {
    /// `file_priv->master`: the master this file authenticates against.
    pub master: Option<Arc<TrackedMutex<Master>>>,
    /// `file_priv->is_master`.
    pub is_master: bool,
    /// `file_priv->was_master`: may re-take master without CAP_SYS_ADMIN.
    pub was_master: bool,
    /// `file_priv->magic`, 0 for none.
    pub magic: u32,
}

/// A DRM file (`struct drm_file`): what one `open()` of a node holds.
pub struct File {
    pub(crate) device: Arc<Device>,
    pub(crate) id: u64,
    pub(crate) node: NodeKind,
    pub(crate) cred: Credentials,
    /// `file_priv->authenticated`.
    pub(crate) authenticated: AtomicBool,
    /// Guarded by `device.master` (taken first).
    pub(crate) master: TrackedMutex<FileMaster>,
    handles: TrackedMutex<HandleTable>,
    /// The file's hang record (the client ban).
    pub(crate) client: Arc<crate::context::ClientScore>,
    /// The file's contexts and VMs.
    pub(crate) contexts: TrackedMutex<crate::context::Contexts>,
    /// The file's syncobjs (`drm_file.syncobj_idr`).
    pub(crate) syncobjs: TrackedMutex<IdTable<crate::syncobj::Syncobj>>,
    closed: AtomicBool,
    /// Objects created by this file (for reports).
    pub(crate) created: AtomicU32,
    /// Name set with SET_CLIENT_NAME.
    pub(crate) client_name: Mutex<Option<String>>,
    /// GEM_WAITs that ended with EINTR, for their restart (a leaf lock).
    pub(crate) wait_restarts: Mutex<Vec<crate::gem_wait::WaitRestart>>,
    /// A vgem file's fences (a leaf lock).
    pub(crate) vgem_fences: Mutex<crate::vgem::VgemFences>,
}

impl File {
    pub(crate) fn new(device: Arc<Device>, id: u64, node: NodeKind, cred: Credentials) -> File {
        let client = crate::context::ClientScore::new();
        let contexts = crate::context::Contexts::new(&device, &client);
        File {
            device,
            id,
            node,
            cred,
            // drm_file_alloc: a CAP_SYS_ADMIN opener is authenticated from the start.
            // vgem is a device of its own whose master is not modelled: its files are
            // treated as its master's, which is authenticated.
            authenticated: AtomicBool::new(cred.privileged || node == NodeKind::Vgem),
            master: TrackedMutex::new(&lock_order::FILE_MASTER, FileMaster::default()),
            handles: TrackedMutex::new(&lock_order::FILE_HANDLES, HandleTable::default()),
            syncobjs: TrackedMutex::new(&lock_order::FILE_SYNCOBJS, IdTable::default()),
            contexts: TrackedMutex::new(&lock_order::FILE_CONTEXTS, contexts),
            client,
            closed: AtomicBool::new(false),
            created: AtomicU32::new(0),
            wait_restarts: Mutex::new(Vec::new()),
            vgem_fences: Mutex::new(Default::default()),
            client_name: Mutex::new(None),
        }
    }

    /// The device this file was opened on.
    pub fn device(&self) -> &Arc<Device> {
        &self.device
    }

    /// The node this file was opened through.
    pub fn node(&self) -> NodeKind {
        self.node
    }

    /// A number unique among the device's files.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Who opened the file.
    pub fn credentials(&self) -> Credentials {
        self.cred
    }

    /// Whether this is a render-node client.
    pub fn is_render_client(&self) -> bool {
        self.node == NodeKind::Render
    }

    /// Whether the file is authenticated.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated.load(Ordering::Acquire)
    }

    /// Number of GEM handles the file holds.
    pub fn handle_count(&self) -> usize {
        self.handles().len()
    }

    pub(crate) fn handles(&self) -> TrackedGuard<'_, HandleTable> {
        self.handles.lock()
    }

    pub(crate) fn master_state(&self) -> TrackedGuard<'_, FileMaster> {
        self.master.lock()
    }

    /// Look a handle up (`i915_gem_object_lookup`): `ENOENT` when it names nothing.
    pub fn lookup(&self, handle: u32) -> Result<Arc<GemObject>> {
        self.handles().get(handle).cloned().ok_or_else(|| {
            log::debug!("file {}: no object with handle {handle}", self.id);
            Errno::ENOENT
        })
    }

    /// Give `obj` a new handle in this file (`drm_gem_handle_create_tail`).
    pub(crate) fn handle_create(&self, obj: Arc<GemObject>) -> u32 {
        obj.handle_count.fetch_add(1, Ordering::AcqRel);
        self.handles().insert(obj)
    }

    /// Drop a handle (`drm_gem_handle_delete`): `EINVAL` when it names nothing.
    pub(crate) fn handle_delete(&self, handle: u32) -> Result<()> {
        let (obj, another) = {
            let mut handles = self.handles();
            let obj = handles.remove(handle).ok_or(Errno::EINVAL)?;
            let another = handles.find(&obj).is_some();
            (obj, another)
        };
        if !another {
            obj.revoke_mmap(self.id);
        }
        self.release_handle(obj);
        Ok(())
    }

    /// The object lost one handle; the last handle takes its flink name with it.
    fn release_handle(&self, obj: Arc<GemObject>) {
        let mut names = self.device.names.lock();
        if obj.handle_count.fetch_sub(1, Ordering::AcqRel) == 1 {
            let name = obj.name.swap(0, Ordering::AcqRel);
            if name != 0 {
                names.remove(&name);
            }
        }
    }

    /// Answer one ioctl as the DRM core's `drm_ioctl` does.
    ///
    /// `arg` holds `_IOC_SIZE(cmd)` bytes: the caller's struct when the command copies
    /// in (`_IOC_WRITE`), zeroes otherwise. On success it holds the bytes to copy back
    /// when the command copies out (`_IOC_READ`). Nested pointers go through `caller`.
    pub fn ioctl(&self, cmd: u32, arg: &mut [u8], caller: &dyn ClientMemory) -> Result<()> {
        crate::ioctl::dispatch(self, cmd, arg, caller)
    }

    /// The last close of this file (`drm_release`): its handles and the master role it
    /// held are dropped. Calling it twice is harmless.
    pub fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        // A closed file's work stops (i915 lets persistent contexts run on; a daemon
        // whose clients die must not keep their spinners forever).
        let contexts = self.contexts.lock().all();
        for c in contexts {
            c.kill();
        }
        let objs = self.handles().drain();
        for obj in objs {
            obj.revoke_mmap(self.id);
            self.release_handle(obj);
        }
        let syncobjs = self.syncobjs.lock().drain();
        drop(syncobjs);
        self.vgem_close();
        if self.node == NodeKind::Primary {
            self.master_release();
        }
    }
}

impl Drop for File {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_table_hands_out_the_lowest_free_id() {
        let dev = crate::testing::device();
        let f = crate::testing::open(&dev, NodeKind::Render);
        let mut t = HandleTable::default();
        let o = || Arc::new(crate::testing::object(&f, 4096));
        assert_eq!(t.insert(o()), 1);
        assert_eq!(t.insert(o()), 2);
        assert_eq!(t.insert(o()), 3);
        t.remove(2).unwrap();
        t.remove(1).unwrap();
        assert_eq!(t.insert(o()), 1);
        assert_eq!(t.insert(o()), 2);
        assert_eq!(t.insert(o()), 4);
        assert!(t.remove(7).is_none());
    }
}
