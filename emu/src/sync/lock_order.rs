//! The project's lock order, written down once.
//!
//! [`ORDER`] lists gemu's lock classes from outermost to innermost: a thread that
//! holds a lock of one class may take a lock of any class *after* it in the list,
//! never one before it. The lock-order validator ([`super::lockdep`]) is seeded
//! with this list, so a reverse acquisition is reported the first time it is
//! attempted, in any test.
//!
//! To add a lock: declare its class here (a `static` [`LockClass`], or a
//! [`WwClass`] for per-object ww locks) with a comment saying what it guards,
//! insert it in [`ORDER`] at its place, and build the lock with it
//! (`TrackedMutex::new(&lock_order::X, …)`).

use super::lockdep::LockClass;
use super::ww_mutex::{WwAlgorithm, WwClass};

/// `reservation_ww_class`: every GEM object's dma_resv lock. One lock per object;
/// it guards the object's fences *and* its backing store (DESIGN §7 rule 1).
/// Wait-die, as in the kernel. Taken only in a [`Transaction`](super::Transaction)
/// (several objects) or one at a time (single-object ioctls). Outermost: no other
/// lock of this list is held while a reservation lock is taken.
pub static RESERVATION: WwClass = WwClass::new("reservation_ww_class", WwAlgorithm::WaitDie);

/// One context's state (flags, engine map, timelines).
pub static CONTEXT: LockClass = LockClass::new("i915_gem_context.mutex");

/// `i915_address_space.mutex`: a VM's bindings (what is bound where). Taken with
/// reservations held (execbuf binds), and read by the command streamer while a batch
/// runs: never held while waiting for a fence.
pub static VM_BINDINGS: LockClass = LockClass::new("i915_address_space.mutex");

/// A client's contexts and VMs (`i915_file_private.context_xa`, `vm_xa`).
pub static FILE_CONTEXTS: LockClass = LockClass::new("i915_file_private.proto_context_lock");

/// A (context, engine) timeline: its queue of requests waiting for their fences
/// (`intel_timeline.mutex`). Pumped from fence callbacks, so after the signalling
/// annotation.
pub static TIMELINE: LockClass = LockClass::new("intel_timeline.mutex");

/// `drm_device.master_mutex`: which master is current.
pub static DEVICE_MASTER: LockClass = LockClass::new("drm_device.master_mutex");

/// A file's master state (`drm_file.master`, `is_master`, `was_master`, `magic`),
/// taken under the device's master mutex.
pub static FILE_MASTER: LockClass = LockClass::new("drm_file.master_lookup_lock");

/// `drm_master`: a master's bus id and magic table.
pub static MASTER_MAGIC: LockClass = LockClass::new("drm_master.magic_map");

/// `drm_device.filelist_mutex`: the list of open files.
pub static DEVICE_FILES: LockClass = LockClass::new("drm_device.filelist_mutex");

/// The device's list of DONTNEED objects (the shrinker's list). Added to under an
/// object's reservation; the shrinker only trylocks objects.
pub static PURGEABLE: LockClass = LockClass::new("i915.mm.obj_lock");

/// The device's lists of VMs and contexts (for drop-caches and resets).
pub static DEVICE_VMS: LockClass = LockClass::new("gemu.device_vms");

/// `drm_device.object_name_lock`: the device's flink name table.
pub static DEVICE_NAMES: LockClass = LockClass::new("drm_device.object_name_lock");

/// `dma_buf` exports of the device (`drm_prime` lookups): id → object.
pub static DEVICE_DMA_BUFS: LockClass = LockClass::new("gemu.dma_bufs");

/// sync_file exports of the device: id → sync_file.
pub static DEVICE_SYNC_FILES: LockClass = LockClass::new("gemu.sync_files");

/// Opaque syncobj fds of the device: id → syncobj.
pub static DEVICE_SYNCOBJ_FILES: LockClass = LockClass::new("gemu.syncobj_files");

/// The device's sw_sync timelines (one per open of the sw_sync file): id → timeline.
pub static DEVICE_SW_SYNC: LockClass = LockClass::new("gemu.sw_sync_timelines");

/// `drm_file.table_lock`: one client's handle → object table. Lookups take it
/// briefly and drop it before any reservation lock is taken.
pub static FILE_HANDLES: LockClass = LockClass::new("drm_file.table_lock");

/// `dma_fence_map`: not a lock but the fence-signalling annotation, as in the
/// kernel. A *signalling section* (an engine completing work and signalling
/// its fences, every fence callback) holds it; every fence *wait* takes and drops
/// it. So a lock taken on a signalling path, then held by someone who waits for
/// a fence, is reported as an inversion — the deadlock where the signaller needs
/// a lock the waiter holds. Waiting with a reservation held is allowed (it is
/// before this in the order); signalling paths may take the locks after it.
pub static FENCE_SIGNALLING: LockClass = LockClass::new("dma_fence_map");

/// `drm_file.syncobj_table_lock`: one client's syncobj handle table.
pub static FILE_SYNCOBJS: LockClass = LockClass::new("drm_file.syncobj_table_lock");

/// `drm_syncobj.lock`: a syncobj's fence pointer (and its wait list).
pub static SYNCOBJ: LockClass = LockClass::new("drm_syncobj.lock");

/// A client's last hang time, updated on the hang path after the context's.
pub static CLIENT_SCORE: LockClass = LockClass::new("i915_file_private.hang_timestamp");

/// A context's timelines by engine: found by execbuf, walked to stop a context's work
/// (also from the hang path).
pub static CONTEXT_TIMELINES: LockClass = LockClass::new("i915_gem_context.engines_mutex");

/// A context's recent hang times, updated on the hang path.
pub static CONTEXT_HANGS: LockClass = LockClass::new("i915_gem_context.hang_timestamp");

/// Which fence timeline belongs to which engine (BUSY reports engine classes). A leaf.
pub static ENGINE_CLASSES: LockClass = LockClass::new("gemu.engine_classes");

/// A timeline's "reached the engine" fences that FENCE_SUBMIT awaits. A leaf: taken with
/// no timeline lock held, the fences signalled after it is dropped.
pub static ENGINE_UNSUBMITTED: LockClass = LockClass::new("gemu.engine_unsubmitted");

/// `sync_timeline.lock`: a sw_sync timeline's value and its unsignalled points. A
/// leaf: the points it releases are signalled after it is dropped.
pub static SW_SYNC_TIMELINE: LockClass = LockClass::new("sync_timeline.lock");

/// A sleeping waiter's wake-up flag (the task a `wake_up` reaches): woken from
/// fence callbacks and syncobj updates, so it comes after both.
pub static WAIT_QUEUE: LockClass = LockClass::new("gemu.wait_queue");

/// An object's fence tiling and GTT view (`GttState`). Synced on the fence-signalling
/// path (a request's completion) and under reservation locks (execbuf); it allocates and
/// parks aperture ranges, so it comes before those.
pub static GTT_VIEW: LockClass = LockClass::new("gemu.gtt_view");

/// The files an object's mmap offset was granted to (`drm_vma_offset_node.vm_files`).
/// A leaf.
pub static MMAP_GRANTS: LockClass = LockClass::new("drm_vma_offset_node.vm_lock");

/// The device's list of freed ranges that clients may still map. Freeing an object
/// can happen on any path that drops the last reference, a signalling one included.
pub static PARKED_RANGES: LockClass = LockClass::new("gemu.parked_ranges");

/// The aperture's free-range allocator. A leaf but for fences.
pub static APERTURE: LockClass = LockClass::new("gemu.aperture_free");

/// `dma_resv.fences`: the published snapshot of an object's fence list that
/// lock-free readers (waits, busy queries) load — the model's stand-in for RCU.
/// A leaf: written only with the object's reservation lock held.
pub static RESV_FENCES: LockClass = LockClass::new("dma_resv.fences(rcu)");

/// `dma_fence.lock`: one fence's state and callback list. Innermost: callbacks
/// run after it is dropped, so nothing is ever taken under it.
pub static FENCE: LockClass = LockClass::new("dma_fence.lock");

/// The lock order, outermost first.
pub static ORDER: &[&LockClass] = &[
    &RESERVATION.lock_class,
    &FILE_CONTEXTS,
    &CONTEXT,
    &VM_BINDINGS,
    &DEVICE_MASTER,
    &FILE_MASTER,
    &MASTER_MAGIC,
    &DEVICE_FILES,
    &PURGEABLE,
    &DEVICE_VMS,
    &DEVICE_NAMES,
    &DEVICE_DMA_BUFS,
    &DEVICE_SYNC_FILES,
    &DEVICE_SYNCOBJ_FILES,
    &DEVICE_SW_SYNC,
    &FILE_HANDLES,
    &FILE_SYNCOBJS,
    &FENCE_SIGNALLING,
    &CONTEXT_HANGS,
    &CLIENT_SCORE,
    &CONTEXT_TIMELINES,
    &TIMELINE,
    &SYNCOBJ,
    &SW_SYNC_TIMELINE,
    &WAIT_QUEUE,
    &ENGINE_CLASSES,
    &ENGINE_UNSUBMITTED,
    &GTT_VIEW,
    &MMAP_GRANTS,
    &PARKED_RANGES,
    &APERTURE,
    &RESV_FENCES,
    &FENCE,
];
