//! The device: state shared by every open file (global names, the DRM master, the
//! aperture, the platform).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use crate::aperture::{Aperture, MappingProbe};
use crate::file::File;
use crate::object::GemObject;
use crate::platform::{Platform, TIGERLAKE_GT2};
use crate::sync::tracked::TrackedGuard;
use crate::sync::{lock_order, TrackedMutex};
use crate::weak_list::WeakList;

/// Which node a file was opened through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// `/dev/dri/card0`: the primary node (master, authentication, flink).
    Primary,
    /// `/dev/dri/renderD128`: the render node (no master, no flink).
    Render,
    /// `/dev/dri/card1`: the primary node of the vgem device beside i915
    /// ([`crate::vgem`]).
    Vgem,
}

impl NodeKind {
    /// The DRM minor number of the node (226:minor).
    pub fn minor(self) -> u32 {
        match self {
            NodeKind::Primary => 0,
            NodeKind::Render => 128,
            NodeKind::Vgem => 1,
        }
    }
}

/// Who opened a file: the front-end reads it from the open request.
#[derive(Clone, Copy, Debug)]
pub struct Credentials {
    /// Process id of the opener (in the daemon's pid namespace).
    pub pid: u32,
    /// Effective user id of the opener.
    pub uid: u32,
    /// The opener holds CAP_SYS_ADMIN: authenticated at open, may use ROOT_ONLY ioctls.
    pub privileged: bool,
}

/// Settings of one emulated device.
#[derive(Clone, Debug)]
pub struct DeviceConfig {
    /// Bytes of system memory the device reports and may use for objects.
    pub memory: u64,
    /// How long a batch may run without reaching an arbitration point before it is
    /// declared hung and reset.
    pub hang_timeout: std::time::Duration,
    /// The platform to emulate.
    pub platform: &'static Platform,
    /// Told about every submission as it starts (`--record`); none by default.
    pub recorder: Option<std::sync::Arc<dyn crate::recorder::SubmitRecorder>>,
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig {
            memory: 8 << 30,
            platform: &TIGERLAKE_GT2,
            hang_timeout: std::time::Duration::from_secs(2),
            recorder: None,
        }
    }
}

/// A DRM master (`struct drm_master`): the authentication domain that files opened
/// while it was current belong to.
pub(crate) struct Master {
    /// Bus id set by SET_VERSION 1.1 (`master->unique`).
    pub unique: Option<String>,
    /// Magic → file id; `None` once the magic was used (the number stays taken until
    /// its file closes, as an idr slot replaced by NULL does).
    pub magics: BTreeMap<u32, Option<u64>>,
}

/// Master state of the device and its files (`dev->master_mutex`).
pub(crate) struct MasterState {
    /// `dev->master`: the current master, if any.
    pub current: Option<Arc<TrackedMutex<Master>>>,
}

/// One emulated i915 device.
pub struct Device {
    pub(crate) config: DeviceConfig,
    pub(crate) aperture: Aperture,
    next_file_id: AtomicU64,
    /// Files opened and not yet closed.
    open_files: AtomicU64,
    /// Open files, for authentication by magic and for reports.
    files: TrackedMutex<WeakList<File>>,
    /// Lock order: `master` before any file's state.
    pub(crate) master: TrackedMutex<MasterState>,
    /// Global flink names (`dev->object_name_idr`, under `object_name_lock`).
    pub(crate) names: TrackedMutex<crate::file::IdTable<GemObject>>,
    /// Objects exported as dma-bufs, by dma-buf id.
    pub(crate) dma_bufs: crate::prime::DmaBufs,
    /// sync_files handed out as fds, by id.
    pub(crate) sync_files: crate::sync_file::SyncFiles,
    /// Syncobjs handed out as (opaque) fds, by id.
    pub(crate) syncobj_files: crate::syncobj_fd::SyncobjFiles,
    /// sw_sync timelines, one per open of the sw_sync file, by id.
    pub(crate) sw_sync: crate::sw_sync::SwSyncTimelines,
    /// Bytes of object memory allocated.
    allocated: AtomicU64,
    /// The engines that run batches.
    pub engines: Arc<crate::engines::Engines>,
    /// Bytes of object memory charged against the budget (`config.memory`).
    pub(crate) resident: AtomicU64,
    /// The `enable_hangcheck` module parameter.
    hangcheck: std::sync::atomic::AtomicBool,
    /// Objects marked DONTNEED: what the shrinker may purge.
    pub(crate) purgeable: TrackedMutex<WeakList<GemObject>>,
    /// Every VM (for unbinding under pressure and drop-caches).
    pub(crate) vms: TrackedMutex<WeakList<crate::vm::Vm>>,
    /// Every context, to reset running work (drop-caches' RESET_ACTIVE).
    pub(crate) contexts: TrackedMutex<WeakList<crate::context::GemContext>>,
    /// Who tells which freed ranges clients still map (set by the front-end).
    probe: OnceLock<Box<dyn MappingProbe>>,
    /// Ranges of freed objects that a client may still map: kept intact and out of
    /// the allocator until no mapping covers them.
    parked: TrackedMutex<Vec<(u64, u64)>>,
}

/// Park this many freed ranges before looking for mappings again.
const PARK_BATCH: usize = 32;

impl Device {
    /// The `enable_hangcheck` module parameter (debugfs `i915_params/enable_hangcheck`).
    /// Without it no context may outlive its closing (contexts start, and can only be
    /// made, non-persistent; a closed one's work is cancelled) and GETPARAM
    /// HAS_GPU_RESET says 0. The engines' own hang detection (the heartbeat's
    /// stand-in) keeps running: it is what resets a cancelled non-preemptible batch.
    pub fn set_enable_hangcheck(&self, on: bool) {
        self.hangcheck
            .store(on, std::sync::atomic::Ordering::Release);
    }

    /// Whether `enable_hangcheck` is set.
    pub fn enable_hangcheck(&self) -> bool {
        self.hangcheck.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The memory behind every object (and GTT view): what a client's mmap of an
    /// offset shows.
    pub fn aperture(&self) -> &Aperture {
        &self.aperture
    }

    /// A device whose objects live in `aperture`.
    pub fn new(config: DeviceConfig, aperture: Aperture) -> Arc<Device> {
        let engines = crate::engines::Engines::start(config.platform.engines, config.hang_timeout)
            .expect("starting the engine threads");
        Arc::new(Device {
            engines: Arc::new(engines),
            config,
            aperture,
            next_file_id: AtomicU64::new(1),
            open_files: AtomicU64::new(0),
            files: TrackedMutex::new(&lock_order::DEVICE_FILES, Default::default()),
            master: TrackedMutex::new(&lock_order::DEVICE_MASTER, MasterState { current: None }),
            names: TrackedMutex::new(&lock_order::DEVICE_NAMES, Default::default()),
            allocated: AtomicU64::new(0),
            dma_bufs: crate::prime::DmaBufs::default(),
            sync_files: Default::default(),
            syncobj_files: Default::default(),
            sw_sync: Default::default(),
            probe: OnceLock::new(),
            resident: AtomicU64::new(0),
            hangcheck: std::sync::atomic::AtomicBool::new(true),
            purgeable: TrackedMutex::new(&lock_order::PURGEABLE, Default::default()),
            vms: TrackedMutex::new(&lock_order::DEVICE_VMS, Default::default()),
            contexts: TrackedMutex::new(&lock_order::DEVICE_VMS, Default::default()),
            parked: TrackedMutex::new(&lock_order::PARKED_RANGES, Vec::new()),
        })
    }

    /// The device's settings.
    pub fn config(&self) -> &DeviceConfig {
        &self.config
    }

    /// The emulated platform.
    pub fn platform(&self) -> &'static Platform {
        self.config.platform
    }

    /// Bytes of object memory currently allocated.
    pub fn allocated(&self) -> u64 {
        self.allocated.load(Ordering::Relaxed)
    }

    pub(crate) fn note_object_created(&self, size: u64) {
        self.allocated.fetch_add(size, Ordering::Relaxed);
    }

    pub(crate) fn note_object_freed(&self, size: u64) {
        self.allocated.fetch_sub(size, Ordering::Relaxed);
    }

    /// Entries in the device's own tables: registries of files, VMs, contexts and
    /// purge candidates (dead entries included), flink names, exports, engine
    /// timelines. Once every client has gone it returns to what an idle device holds,
    /// whatever they did: what leak tests compare.
    pub fn bookkeeping(&self) -> usize {
        self.bookkeeping_by_table().iter().map(|(_, n)| n).sum()
    }

    /// [`Device::bookkeeping`] table by table, for reports.
    pub fn bookkeeping_by_table(&self) -> [(&'static str, usize); 7] {
        // One lock at a time (VMs and contexts share a lock class).
        let files = self.files.lock().len();
        let vms = self.vms.lock().len();
        let contexts = self.contexts.lock().len();
        let purgeable = self.purgeable.lock().len();
        let names = self.names.lock().bookkeeping();
        [
            ("files", files),
            ("vms", vms),
            ("contexts", contexts),
            ("purgeable", purgeable),
            ("names", names),
            ("exports", self.export_bookkeeping()),
            ("timelines", self.engines.timeline_count()),
        ]
    }

    /// Open the device through `node`: a new DRM file (`drm_open`).
    pub fn open(self: &Arc<Self>, node: NodeKind, cred: Credentials) -> Arc<File> {
        let id = self.next_file_id.fetch_add(1, Ordering::Relaxed);
        let file = Arc::new(File::new(self.clone(), id, node, cred));
        self.open_files.fetch_add(1, Ordering::AcqRel);
        if node == NodeKind::Primary {
            file.master_open();
        }
        self.files.lock().push(&file);
        file
    }

    /// A file was closed. With the last one gone, the registries forget every dead
    /// entry now (while files come and go they are pruned as they grow): the device
    /// is back to its idle size.
    pub(crate) fn file_closed(&self) {
        if self.open_files.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        // One lock at a time (VMs and contexts share a lock class).
        self.files.lock().prune();
        self.vms.lock().prune();
        self.contexts.lock().prune();
        self.purgeable.lock().prune();
    }

    /// The open file with id `id`, if it is still open.
    pub(crate) fn file_by_id(&self, id: u64) -> Option<Arc<File>> {
        self.files.lock().live().into_iter().find(|f| f.id == id)
    }

    /// Files currently open, oldest first.
    pub fn files(&self) -> Vec<Arc<File>> {
        self.files.lock().live()
    }

    /// Install the front-end's view of client mappings. Without one, freed objects'
    /// pages are released at once (as when no client can map).
    pub fn set_mapping_probe(&self, probe: Box<dyn MappingProbe>) {
        if self.probe.set(probe).is_err() {
            log::warn!("mapping probe set twice; keeping the first");
        }
    }

    /// Give a freed object's range back, or park it while a client may map it.
    pub(crate) fn free_range(&self, offset: u64, len: u64, maybe_mapped: bool, populated: bool) {
        if !populated {
            return self.aperture.release_clean(offset, len);
        }
        if !maybe_mapped || self.probe.get().is_none() {
            return self.aperture.release(offset, len);
        }
        let n = {
            let mut parked = self.parked.lock();
            parked.push((offset, len));
            parked.len()
        };
        if n >= PARK_BATCH {
            self.reap_unmapped();
        }
    }

    /// Release every parked range that no client maps any more; returns the bytes
    /// released. Called in batches, when the aperture is short, and by drop-caches.
    pub fn reap_unmapped(&self) -> u64 {
        let Some(probe) = self.probe.get() else {
            return 0;
        };
        let candidates = std::mem::take(&mut *self.parked.lock());
        if candidates.is_empty() {
            return 0;
        }
        let mapped = probe.mapped_ranges();
        let overlaps =
            |(o, l): (u64, u64)| mapped.iter().any(|&(mo, ml)| o < mo + ml && mo < o + l);
        let mut still = Vec::new();
        let mut released = 0;
        for r in candidates {
            if overlaps(r) {
                still.push(r);
            } else {
                self.aperture.release(r.0, r.1);
                released += r.1;
            }
        }
        self.parked.lock().extend(still);
        released
    }

    /// Bytes of freed objects kept because a client may still map them.
    pub fn parked_bytes(&self) -> u64 {
        self.parked.lock().iter().map(|r| r.1).sum()
    }

    /// Stop every context's work (a device reset): what runs is reset, what waits is
    /// cancelled; fences complete with -EIO.
    pub fn reset_all(&self) {
        let ctxs = self.contexts.lock().live();
        for c in ctxs {
            c.reset_work();
        }
        self.contexts.lock().prune();
    }

    pub(crate) fn master_lock(&self) -> TrackedGuard<'_, MasterState> {
        self.master.lock()
    }
}
