//! One DRM client: the state behind one open of a node.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
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
/// `idr_alloc(…, 1, 0, …)` does. Insert, look-up, removal and "which id names this
/// thing" are O(log n): a client holding a million handles closes each as fast as it
/// made it.
pub(crate) struct IdTable<T> {
    map: BTreeMap<u32, Arc<T>>,
    ids: IdAlloc,
    /// The ids naming each thing (keyed by its address, kept alive by `map`).
    by_thing: HashMap<usize, Ids>,
}

/// The ids naming one thing: nearly always one.
enum Ids {
    One(u32),
    Many(BTreeSet<u32>),
}

/// Lowest-free-first ids ≥ 1 (`idr_alloc(…, 1, 0, …)`).
#[derive(Default)]
pub(crate) struct IdAlloc {
    /// Ids below `next` that are free again.
    free: BTreeSet<u32>,
    next: u32,
}

impl IdAlloc {
    /// The lowest free id.
    pub fn alloc(&mut self) -> u32 {
        match self.free.pop_first() {
            Some(id) => id,
            None => {
                self.next = self.next.max(1);
                let id = self.next;
                self.next += 1;
                id
            }
        }
    }

    /// Give `id` back. Freed ids at the top shrink the range instead, so the free
    /// set holds only holes.
    pub fn free(&mut self, id: u32) {
        if id + 1 == self.next {
            self.next = id;
            while self.next > 1 && self.free.remove(&(self.next - 1)) {
                self.next -= 1;
            }
        } else {
            self.free.insert(id);
        }
    }

    /// Every id free again.
    pub fn clear(&mut self) {
        *self = IdAlloc::default();
    }
}

impl<T> Default for IdTable<T> {
    fn default() -> Self {
        IdTable {
            map: BTreeMap::new(),
            ids: IdAlloc::default(),
            by_thing: HashMap::new(),
        }
    }
}

/// A file's GEM handles.
pub(crate) type HandleTable = IdTable<GemObject>;

fn key<T>(thing: &Arc<T>) -> usize {
    Arc::as_ptr(thing) as *const () as usize
}

impl<T> IdTable<T> {
    pub fn insert(&mut self, obj: Arc<T>) -> u32 {
        let id = self.ids.alloc();
        match self.by_thing.entry(key(&obj)) {
            Entry::Vacant(v) => {
                v.insert(Ids::One(id));
            }
            Entry::Occupied(mut o) => {
                let ids = o.get_mut();
                if let Ids::One(first) = *ids {
                    *ids = Ids::Many(BTreeSet::from([first]));
                }
                if let Ids::Many(set) = ids {
                    set.insert(id);
                }
            }
        }
        self.map.insert(id, obj);
        id
    }

    pub fn get(&self, handle: u32) -> Option<&Arc<T>> {
        self.map.get(&handle)
    }

    pub fn remove(&mut self, handle: u32) -> Option<Arc<T>> {
        let obj = self.map.remove(&handle)?;
        self.ids.free(handle);
        if let Entry::Occupied(mut o) = self.by_thing.entry(key(&obj)) {
            let gone = match o.get_mut() {
                Ids::One(_) => true,
                Ids::Many(set) => {
                    set.remove(&handle);
                    set.is_empty()
                }
            };
            if gone {
                o.remove();
            }
        }
        Some(obj)
    }

    pub fn drain(&mut self) -> Vec<Arc<T>> {
        self.ids.clear();
        self.by_thing = HashMap::new();
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
        match self.by_thing.get(&key(obj))? {
            Ids::One(id) => Some(*id),
            Ids::Many(set) => set.first().copied(),
        }
    }

    /// Entries of the table's own bookkeeping (handles, names of things, free ids):
    /// what a test compares with its idle size.
    pub fn bookkeeping(&self) -> usize {
        self.map.len() + self.by_thing.len() + self.ids.free.len()
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
    /// Objects the shim is copying through the aperture (GEMU_RW).
    pub(crate) rw_leases: crate::gem_rw::RwLeases,
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
            rw_leases: Default::default(),
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
                names.remove(name);
            }
        }
    }

    /// Answer one ioctl as the DRM core's `drm_ioctl` does.
    ///
    /// `arg` holds `_IOC_SIZE(cmd)` bytes: the caller's struct when the command copies
    /// in (`_IOC_WRITE`), zeroes otherwise. On success it holds the bytes to copy back
    /// when the command copies out (`_IOC_READ`). Nested pointers go through `caller`.
    pub fn ioctl(&self, cmd: u32, arg: &mut [u8], caller: &dyn ClientMemory) -> Result<()> {
        // The thread's copy through the aperture (if any) ended before this call.
        self.rw_leases.release(caller.tid());
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
        // The table goes too: what no request still holds is freed now, before the
        // device's registries are pruned below.
        let (contexts, vms) = self.contexts.lock().drain();
        for c in &contexts {
            c.kill();
        }
        drop((contexts, vms));
        let objs = self.handles().drain();
        for obj in objs {
            obj.revoke_mmap(self.id);
            self.release_handle(obj);
        }
        let syncobjs = self.syncobjs.lock().drain();
        drop(syncobjs);
        self.rw_leases.release_all();
        // Fds this file's exports would have become, if the program never got them.
        self.device.dma_bufs.0.forget_owner(self.id);
        self.device.syncobj_files.0.forget_owner(self.id);
        self.device.sync_files.0.forget_owner(self.id);
        self.vgem_close();
        if self.node == NodeKind::Primary {
            self.master_release();
        }
        self.device.file_closed();
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

    #[test]
    fn handle_table_finds_the_lowest_handle_of_an_object_and_forgets_freed_ids() {
        let dev = crate::testing::device();
        let f = crate::testing::open(&dev, NodeKind::Render);
        let mut t = HandleTable::default();
        let a = Arc::new(crate::testing::object(&f, 4096));
        let b = Arc::new(crate::testing::object(&f, 4096));
        assert_eq!(t.insert(a.clone()), 1);
        assert_eq!(t.insert(b.clone()), 2);
        assert_eq!(t.insert(a.clone()), 3);
        assert_eq!(t.find(&a), Some(1));
        t.remove(1).unwrap();
        assert_eq!(t.find(&a), Some(3));
        t.remove(3).unwrap();
        assert_eq!(t.find(&a), None);
        assert_eq!(t.find(&b), Some(2));
        // Freed ids at the top are not kept as holes.
        t.remove(2).unwrap();
        assert_eq!(t.bookkeeping(), 0);
        assert_eq!(t.insert(b), 1);
    }
}
