//! EXECBUFFER2: run a batch. An acquire phase (DESIGN §1, §7): validate everything,
//! build the full object list, lock it in one ww transaction (with eviction victims),
//! place every object in the context's VM, relocate, collect the fences to await,
//! publish the request's fence in every object's reservation, unlock, queue.
//!
//! Checks come in i915's order (`i915_gem_execbuffer2_ioctl`, `i915_gem_do_execbuffer`),
//! so the first thing wrong is the errno user space sees.

use std::collections::HashMap;
use std::mem::size_of;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::client::{access_ok, read_struct, ClientMemory};
use crate::context::GemContext;
use crate::engines::{completion, RequestOwner, Timeline};
use crate::file::File;
use crate::object::GemObject;
use crate::platform::EngineId;
use crate::sync::{lock_order, DmaFence, DmaResvUsage, Transaction};
use crate::syncobj::Syncobj;
use crate::vm::{canonical, noncanonical, Member, PlaceError, Placement, Vm};
use crate::{kalloc, user_ext, Errno, Result};
use gpu_backend::aub::{ObjectMeta, SubmissionMeta};
use uapi::*;

const ILLEGAL_FLAGS: u64 =
    __I915_EXEC_UNKNOWN_FLAGS | I915_EXEC_CONSTANTS_MASK | I915_EXEC_RESOURCE_STREAMER;
const GPU_DOMAINS: u32 = I915_GEM_DOMAIN_RENDER
    | I915_GEM_DOMAIN_SAMPLER
    | I915_GEM_DOMAIN_COMMAND
    | I915_GEM_DOMAIN_INSTRUCTION
    | I915_GEM_DOMAIN_VERTEX;
const EXEC_OBJECT_SIZE: u64 = size_of::<drm_i915_gem_exec_object2>() as u64;
const RELOC_SIZE: u64 = size_of::<drm_i915_gem_relocation_entry>() as u64;
/// The kernel's bytes per exec object (`eb_element_size`: the exec object and a
/// 64-bit `struct eb_vma` of 80 bytes), which sizes its exec list.
const EB_ELEMENT_SIZE: u64 = EXEC_OBJECT_SIZE + 80;
/// The kernel's `struct eb_fence` (a syncobj, a fence, a point, a chain): the unit of
/// its fence array.
const EB_FENCE_SIZE: u64 = 32;
/// Relocation entries read at a time (i915 copies them through a small stack buffer).
const RELOC_CHUNK: u64 = 64;
/// Offset of `offset` in `drm_i915_gem_exec_object2`: what is written back.
const EXEC_OFFSET_AT: u64 = 24;

/// One syncobj the submission waits on or signals.
struct EbFence {
    syncobj: Arc<Syncobj>,
    flags: u32,
    /// The fence to await (timeline entries await even for SIGNAL, as i915 does).
    wait: Option<Arc<DmaFence>>,
    point: u64,
}

/// How the submission reached the model, beyond i915's own arguments.
#[derive(Clone, Copy, Default)]
struct Via {
    /// Fence "fds" are sync_file ids (the shim's call).
    sync_files: bool,
}

/// The recorder's hook at a submission's completion.
type RecordFinish = Box<dyn FnOnce(&gpu_backend::Outcome) + Send>;

/// One object of the submission.
struct EbObject {
    obj: Arc<GemObject>,
    flags: u64,
    offset: u64,
    /// The offset changed: write it back.
    update: bool,
}

/// The context and engine a submission runs on.
struct Target {
    ctx: Arc<GemContext>,
    vm: Arc<Vm>,
    engine: usize,
}

impl File {
    /// IOCTL: gem_execbuffer2: Submit a batch. Fence fds (FENCE_IN, FENCE_OUT) need
    /// the shim, which sends [`File::gemu_execbuffer2`]: here they are refused.
    pub(crate) fn gem_execbuffer2(
        &self,
        a: &mut drm_i915_gem_execbuffer2,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        self.execbuffer2(a, caller, Via::default())
    }

    /// IOCTL: gemu_execbuffer2: EXECBUFFER2_WR from the shim, whose fence fds are
    /// sync_file ids: FENCE_IN's in the low half of `rsvd2`, FENCE_OUT's answered in the
    /// high half (`uapi::gemu`).
    pub(crate) fn gemu_execbuffer2(
        &self,
        a: &mut drm_i915_gem_execbuffer2,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        self.execbuffer2(a, caller, Via { sync_files: true })
    }

    fn execbuffer2(
        &self,
        a: &mut drm_i915_gem_execbuffer2,
        caller: &dyn ClientMemory,
        via: Via,
    ) -> Result<()> {
        let count = a.buffer_count as u64;
        if count == 0 || count > i32::MAX as u64 {
            return Err(Errno::EINVAL);
        }
        check_execbuffer(a)?;
        // i915 allocates its list (two spare slots for the command parser) before it
        // copies: a count past what it can allocate is ENOMEM, then an unmapped list
        // EFAULT. The model's own list grows only as the caller's memory is read.
        kalloc::check_kvmalloc_array(count + 2, EB_ELEMENT_SIZE)?;
        let mut exec: Vec<drm_i915_gem_exec_object2> = Vec::new();
        read_array(caller, a.buffers_ptr, count, &mut exec)?;
        loop {
            let mut objs = Vec::new();
            let mut blocker = None;
            let r = self.do_execbuffer(a, &mut exec, &mut objs, caller, via, &mut blocker);
            // New offsets go back to user space, also after an error past placement —
            // but not when the call is to be made again after a wait (here or by the
            // front-end): with the new offsets in its list, the next try would find
            // nothing moved and, under NO_RELOC, skip the relocations this try did not
            // get to (IGT's gem_exec_parallel saw its stores land in the previous
            // target).
            for (i, o) in objs.iter().enumerate() {
                if o.update && blocker.is_none() {
                    let at = a.buffers_ptr + i as u64 * EXEC_OBJECT_SIZE + EXEC_OFFSET_AT;
                    let _ = caller.write(at, &canonical(o.offset).to_ne_bytes());
                }
            }
            drop(objs);
            let (Err(_), Some(busy)) = (r, blocker) else {
                return r;
            };
            // The submission needs `busy` idle first: wait with nothing locked (a
            // spinner may hold it for ever, and other clients may need those locks),
            // then start again, as a new call would.
            if !caller.may_sleep() {
                // A thread that serves every client: the front-end makes the call
                // again from a thread of its own.
                return Err(Errno::EWOULDBLOCK);
            }
            busy.wait_idle_interruptible(caller)?;
        }
    }

    fn do_execbuffer(
        &self,
        a: &mut drm_i915_gem_execbuffer2,
        exec: &mut [drm_i915_gem_exec_object2],
        objs: &mut Vec<EbObject>,
        caller: &dyn ClientMemory,
        via: Via,
        blocker: &mut Option<Arc<GemObject>>,
    ) -> Result<()> {
        if a.flags & I915_EXEC_SECURE != 0 {
            // Gen11+ has no secure batches.
            return Err(Errno::ENODEV);
        }
        let mut fences = Vec::new();
        self.parse_extensions(a, &mut fences, caller)?;
        self.add_fence_array(a, &mut fences, caller)?;
        const IN_FENCES: u64 = I915_EXEC_FENCE_IN | I915_EXEC_FENCE_SUBMIT;
        let mut in_fences = Vec::new();
        if a.flags & IN_FENCES != 0 {
            if a.flags & IN_FENCES == IN_FENCES {
                return Err(Errno::EINVAL);
            }
            // Without the shim no fd can be a sync_file of this device.
            if !via.sync_files {
                log::debug!("execbuf: in-fence {:#x} without sync_files", a.flags);
                return Err(Errno::EINVAL);
            }
            let id = u64::from(a.rsvd2 as u32);
            let file = self.device.sync_file(id).ok_or(Errno::EINVAL)?;
            if a.flags & I915_EXEC_FENCE_SUBMIT != 0 {
                // i915_request_await_execution: start once that work has started.
                let engines = &self.device.engines;
                in_fences.extend(file.fences().iter().filter_map(|f| engines.execution_of(f)));
            } else {
                in_fences.extend(file.fences().iter().cloned());
            }
        }
        let out_fence = a.flags & I915_EXEC_FENCE_OUT != 0;
        if out_fence && !via.sync_files {
            // Without fence fds (HAS_EXEC_FENCE is 0) the flag is unknown, as on a
            // kernel that predates it.
            log::debug!("execbuf: FENCE_OUT needs the shim to make the fd");
            return Err(Errno::EINVAL);
        }
        let target = self.select_context_engine(a)?;
        let batch_index = if a.flags & I915_EXEC_BATCH_FIRST != 0 {
            0
        } else {
            exec.len() - 1
        };
        self.lookup_objects(a, exec, objs, batch_index, caller)?;
        if target.ctx.is_banned() {
            return Err(Errno::EIO);
        }
        self.device.engines.check_wedged()?;
        let timeline = target.ctx.timeline(&self.device.engines, target.engine);
        throttle(&timeline, caller)?;
        let lut: Option<HashMap<u32, usize>> = (a.flags & I915_EXEC_HANDLE_LUT == 0).then(|| {
            exec.iter()
                .enumerate()
                .map(|(i, e)| (e.handle, i))
                .collect()
        });
        let has_relocs = exec.iter().any(|e| e.relocation_count != 0);

        // The acquire phase: every object, and every eviction victim, locked in one
        // transaction; placement happens inside it, so a back-off redoes it.
        let mut txn = Transaction::new(&lock_order::RESERVATION).allow_duplicates();
        let mut moved = false;
        txn.run(|t| {
            for o in objs.iter() {
                t.lock(&o.obj)?;
                let st = t.get_mut(&o.obj);
                st.reserve_fences(1)?;
                // A purgeable object without pages cannot be used (EFAULT).
                GemObject::pin_pages(st)?;
            }
            // Pinned objects first, so they get their slots; others go where there is
            // room afterwards (i915's eb_reserve ordering).
            let pinned_of = |x: &Arc<GemObject>| {
                objs.iter()
                    .find(|o| Arc::ptr_eq(&o.obj, x))
                    .map(|o| o.flags & EXEC_OBJECT_PINNED != 0)
            };
            let member = |x: &Arc<GemObject>| match pinned_of(x) {
                None => Member::Other,
                Some(true) => Member::Pinned,
                Some(false) => Member::Movable,
            };
            // Softpinned objects not where they are asked to be move: unbind them
            // first, so only two pins of this submission can collide.
            for o in objs.iter() {
                if o.flags & EXEC_OBJECT_PINNED != 0
                    && target.vm.offset_of(&o.obj).is_some_and(|at| at != o.offset)
                {
                    target.vm.unbind(&o.obj);
                }
            }
            let mut order: Vec<usize> = (0..objs.len()).collect();
            order.sort_by_key(|&i| objs[i].flags & EXEC_OBJECT_PINNED == 0);
            let mut placed = Vec::with_capacity(objs.len());
            for &i in &order {
                let (o, e) = (&objs[i], &exec[i]);
                let p = Placement {
                    pinned: (o.flags & EXEC_OBJECT_PINNED != 0).then_some(o.offset),
                    presumed: o.offset,
                    alignment: e.alignment,
                    pad_to_size: e.pad_to_size,
                    zone_4g: o.flags & EXEC_OBJECT_SUPPORTS_48B_ADDRESS == 0,
                    bias: i == batch_index
                        && e.relocation_count != 0
                        && o.flags & EXEC_OBJECT_PINNED == 0,
                };
                // A busy object that moves keeps its old binding for the requests
                // that use it (asynchronous unbind); what sits where a softpin goes
                // must finish first (outside the VM's lock).
                if let Some(at) = p.pinned {
                    let size = o.obj.size.max(p.pad_to_size);
                    if let Some(busy) = target.vm.busy_in(&o.obj, at, size).into_iter().next() {
                        return Err(must_wait(blocker, busy));
                    }
                }
                // Victims must be idle and locked in this same transaction (rule 4).
                let mut evictable = |v: &Arc<GemObject>| !v.is_busy() && t.try_lock_for_eviction(v);
                let at = target
                    .vm
                    .place(&o.obj, &p, &member, &mut evictable)
                    .map_err(|e| match e {
                        PlaceError::Invalid => Errno::EINVAL,
                        PlaceError::NoSpace => Errno::ENOSPC,
                    })?;
                placed.push((i, at));
            }
            for (i, at) in placed {
                let o = &mut objs[i];
                if at != o.offset {
                    o.offset = at;
                    o.update = true;
                    moved = true;
                }
            }
            Ok(())
        })?;

        // Relocations, when user space asked for them or something moved; a softpinned
        // submission without relocation entries never gets here.
        if has_relocs && (a.flags & I915_EXEC_NO_RELOC == 0 || moved) {
            for (i, e) in exec.iter().enumerate() {
                if e.relocation_count != 0 {
                    self.relocate(i, e, objs, lut.as_ref(), caller, blocker)?;
                }
            }
        }
        if a.flags & I915_EXEC_GEN7_SOL_RESET != 0 {
            // Gen7 render only.
            return Err(Errno::EINVAL);
        }

        // Fences to await: explicit ones, then each object's implicit ones.
        let mut deps: Vec<Arc<DmaFence>> = fences.iter().filter_map(|f| f.wait.clone()).collect();
        deps.extend(in_fences);
        for o in objs.iter() {
            if o.flags & EXEC_OBJECT_ASYNC == 0 {
                deps.extend(
                    o.obj
                        .resv
                        .fences(DmaResvUsage::for_access(o.flags & EXEC_OBJECT_WRITE != 0)),
                );
            }
        }
        // Execbuf flushes the GTT write domain: what the client wrote through a
        // detiled view is in the pages before the GPU reads them.
        for o in objs.iter() {
            o.obj.sync_gtt_view();
        }
        let single_timeline = target.ctx.state.lock().single_timeline;
        let batch = &objs[batch_index];
        let batch_addr = batch.offset + a.batch_start_offset as u64;
        let keep: Vec<Arc<GemObject>> = objs.iter().map(|o| o.obj.clone()).collect();
        let owner: Arc<dyn RequestOwner> = target.ctx.clone();
        let engines = self.device.engines.clone();
        // Queued while the objects are still locked (i915 adds its requests before
        // the ww context ends): a submission that finds this fence in a reservation
        // is then behind this one in every queue.
        let priority = target.ctx.priority();
        let hooks = self.record_hooks(a, exec, objs, &target, batch_addr);
        let fence = timeline.push(deps, single_timeline, priority, |fence| {
            let done = completion(fence.clone(), owner, engines, keep);
            let (on_start, on_complete) = match hooks {
                Some((start, finish)) => (
                    Some(start),
                    Box::new(move |o: gpu_backend::Outcome| {
                        finish(&o);
                        done(o)
                    }) as gpu_backend::Completion,
                ),
                None => (None, done),
            };
            gpu_backend::Request {
                space: target.vm.clone(),
                batch: batch_addr,
                context: timeline.regs.clone(),
                on_complete,
                on_start,
            }
        });
        if out_fence {
            let id = self
                .device
                .sync_file_export(crate::sync_file::SyncFile::new(&fence), self.id);
            a.rsvd2 = (a.rsvd2 & 0xffff_ffff) | (id << 32);
        }
        for o in objs.iter() {
            let usage = if o.flags & EXEC_OBJECT_WRITE != 0 {
                DmaResvUsage::Write
            } else {
                DmaResvUsage::Read
            };
            txn.get_mut(&o.obj).add_fence(fence.clone(), usage);
        }
        txn.fini();

        for f in &fences {
            if f.flags & I915_EXEC_FENCE_SIGNAL != 0 {
                if f.point != 0 {
                    // Cannot fail for a request's fence (it is never a chain), and
                    // the request is queued already: i915 does not fail here either.
                    if let Err(e) = f.syncobj.add_point(fence.clone(), f.point) {
                        log::warn!("execbuf: timeline point {}: {e}", f.point);
                    }
                } else {
                    f.syncobj.replace_fence(Some(fence.clone()));
                }
            }
        }
        timeline.pump();
        Ok(())
    }

    /// With a recorder installed: the hooks that describe this submission to it when
    /// the batch starts (the objects' contents are read then, not now) and, once it
    /// completed, before its fence signals.
    fn record_hooks(
        &self,
        a: &drm_i915_gem_execbuffer2,
        exec: &[drm_i915_gem_exec_object2],
        objs: &[EbObject],
        target: &Target,
        batch_addr: u64,
    ) -> Option<(gpu_backend::StartHook, RecordFinish)> {
        let recorder = self.device.config.recorder.clone()?;
        let engine = self.device.engines.engines[target.engine].1.config();
        let class = engine.class;
        let meta = Arc::new(SubmissionMeta {
            engine: engine.name.clone(),
            ctx: a.rsvd1 as u32,
            // The VM's address tells VMs apart while they live, which is as long as
            // a trace needs: a VM made later at the same address reuses its tables.
            vm: Arc::as_ptr(&target.vm) as usize as u64,
            batch: batch_addr,
            objects: exec
                .iter()
                .zip(objs)
                .map(|(e, o)| ObjectMeta {
                    handle: e.handle,
                    addr: o.offset,
                    size: o.obj.size,
                    write: o.flags & EXEC_OBJECT_WRITE != 0,
                })
                .collect(),
        });
        // 0 until the batch started and was recorded.
        let seq = Arc::new(AtomicU64::new(0));
        let start = {
            let (recorder, meta, seq) = (recorder.clone(), meta.clone(), seq.clone());
            let space = target.vm.clone();
            Box::new(move || seq.store(recorder.record(class, &meta, &*space), Ordering::Release))
                as gpu_backend::StartHook
        };
        let space = target.vm.clone();
        let finish = Box::new(move |o: &gpu_backend::Outcome| {
            let n = seq.load(Ordering::Acquire);
            if n != 0 && matches!(o, gpu_backend::Outcome::Completed) {
                recorder.finished(n, &meta, &*space);
            }
        });
        Some((start, finish))
    }

    /// `parse_execbuf2_extensions`: the timeline-fences extension.
    fn parse_extensions(
        &self,
        a: &drm_i915_gem_execbuffer2,
        fences: &mut Vec<EbFence>,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags & I915_EXEC_USE_EXTENSIONS == 0 {
            return Ok(());
        }
        // The extension chain reuses cliprects_ptr.
        if a.flags & I915_EXEC_FENCE_ARRAY != 0 || a.num_cliprects != 0 {
            return Err(Errno::EINVAL);
        }
        user_ext::walk(caller, a.cliprects_ptr, |name, addr| {
            (name == DRM_I915_GEM_EXECBUFFER_EXT_TIMELINE_FENCES).then(|| {
                let ext: drm_i915_gem_execbuffer_ext_timeline_fences = read_struct(caller, addr)?;
                self.add_timeline_fences(&ext, fences, caller)
            })
        })
    }

    /// `add_timeline_fence_array`.
    fn add_timeline_fences(
        &self,
        ext: &drm_i915_gem_execbuffer_ext_timeline_fences,
        fences: &mut Vec<EbFence>,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let n = ext.fence_count;
        if n == 0 {
            return Ok(());
        }
        if n > (u64::MAX / 8) {
            return Err(Errno::EINVAL);
        }
        if !access_ok(ext.handles_ptr, n * 8) || !access_ok(ext.values_ptr, n * 8) {
            return Err(Errno::EFAULT);
        }
        kalloc::krealloc_array(fences, n, EB_FENCE_SIZE)?;
        for i in 0..n {
            let uf: drm_i915_gem_exec_fence = read_struct(caller, ext.handles_ptr + 8 * i)?;
            if uf.flags & __I915_EXEC_FENCE_UNKNOWN_FLAGS != 0 {
                return Err(Errno::EINVAL);
            }
            let point: u64 = read_struct(caller, ext.values_ptr + 8 * i)?;
            let syncobj = self.syncobj_lookup(uf.handle).ok_or(Errno::ENOENT)?;
            let signal = uf.flags & I915_EXEC_FENCE_SIGNAL != 0;
            let fence = syncobj.fence();
            if fence.is_none() && uf.flags != 0 && !signal {
                return Err(Errno::EINVAL);
            }
            let fence = match fence {
                Some(f) if point != 0 => match f.find_seqno(point) {
                    Ok(found) => found,
                    Err(e) if !signal => return Err(e),
                    Err(_) => None,
                },
                f => f,
            };
            if fence.is_none() && !signal {
                // A point signalled and gone: nothing to wait for.
                continue;
            }
            if point != 0 && signal && uf.flags & I915_EXEC_FENCE_WAIT != 0 {
                return Err(Errno::EINVAL);
            }
            fences.push(EbFence {
                syncobj,
                flags: uf.flags,
                wait: fence,
                point,
            });
        }
        Ok(())
    }

    /// `add_fence_array`: I915_EXEC_FENCE_ARRAY in cliprects_ptr/num_cliprects.
    fn add_fence_array(
        &self,
        a: &drm_i915_gem_execbuffer2,
        fences: &mut Vec<EbFence>,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags & I915_EXEC_FENCE_ARRAY == 0 || a.num_cliprects == 0 {
            return Ok(());
        }
        let n = a.num_cliprects as u64;
        if !access_ok(a.cliprects_ptr, n * 8) {
            return Err(Errno::EFAULT);
        }
        kalloc::krealloc_array(fences, n, EB_FENCE_SIZE)?;
        for i in 0..n {
            let uf: drm_i915_gem_exec_fence = read_struct(caller, a.cliprects_ptr + 8 * i)?;
            if uf.flags & __I915_EXEC_FENCE_UNKNOWN_FLAGS != 0 {
                return Err(Errno::EINVAL);
            }
            let syncobj = self.syncobj_lookup(uf.handle).ok_or(Errno::ENOENT)?;
            let wait = if uf.flags & I915_EXEC_FENCE_WAIT != 0 {
                Some(syncobj.fence().ok_or(Errno::EINVAL)?)
            } else {
                None
            };
            fences.push(EbFence {
                syncobj,
                flags: uf.flags,
                wait,
                point: 0,
            });
        }
        Ok(())
    }

    /// `eb_select_context` + `eb_select_engine`.
    fn select_context_engine(&self, a: &drm_i915_gem_execbuffer2) -> Result<Target> {
        let (ctx, vm) = self.context((a.rsvd1 & I915_EXEC_CONTEXT_ID_MASK) as u32)?;
        let ring = a.flags & I915_EXEC_RING_MASK;
        let user = ctx.state.lock().user_engines.clone();
        let id = match user {
            Some(map) => map.get(ring as usize).copied().flatten(),
            None => {
                if ring != I915_EXEC_BSD && a.flags & I915_EXEC_BSD_MASK != 0 {
                    None
                } else {
                    let class = match ring {
                        I915_EXEC_DEFAULT | I915_EXEC_RENDER => Some(I915_ENGINE_CLASS_RENDER),
                        I915_EXEC_BLT => Some(I915_ENGINE_CLASS_COPY),
                        I915_EXEC_BSD => Some(I915_ENGINE_CLASS_VIDEO),
                        I915_EXEC_VEBOX => Some(I915_ENGINE_CLASS_VIDEO_ENHANCE),
                        _ => None,
                    };
                    class.map(|class| EngineId { class, instance: 0 })
                }
            }
        };
        let engine = id
            .and_then(|id| self.device.engines.index_of(id))
            .ok_or_else(|| {
                log::debug!("execbuf: no engine for ring selector {ring}");
                Errno::EINVAL
            })?;
        Ok(Target { ctx, vm, engine })
    }

    /// `eb_lookup_vmas`: handles, per-object flags, the batch, and each userptr
    /// object's pages (`userptr_submit_init`), in list order: the first object that
    /// fails decides the errno.
    fn lookup_objects(
        &self,
        a: &drm_i915_gem_execbuffer2,
        exec: &mut [drm_i915_gem_exec_object2],
        objs: &mut Vec<EbObject>,
        batch_index: usize,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let mut failed = Ok(());
        for (i, e) in exec.iter_mut().enumerate() {
            let checked = self
                .lookup(e.handle)
                .and_then(|obj| check_exec_object(a, e, &obj, i == batch_index).map(|_| obj));
            match checked {
                Ok(obj) => objs.push(EbObject {
                    flags: e.flags,
                    offset: noncanonical(e.offset),
                    update: false,
                    obj,
                }),
                Err(err) => {
                    failed = Err(err);
                    break;
                }
            }
        }
        // The userptr objects before the first bad one were pinned on the way, so a
        // userptr fault there comes first. Pages are pinned in the submitter's own
        // memory: another process's object (a forked child's use of its parent's) is
        // EFAULT. One look at the memory map covers all the objects (a list of
        // thousands of userptr objects is IGT's eviction tests' normal case).
        let mut owners: Vec<(&crate::object::Userptr, Vec<(u64, u64)>)> = Vec::new();
        // The caller's process is looked up once (it reads /proc), and only if needed.
        let mut submitter = None;
        for o in objs.iter() {
            let Some(u) = &o.obj.userptr else { continue };
            if !u.pinnable_by(*submitter.get_or_insert_with(|| caller.tgid())) {
                log::debug!("execbuf: process {}'s userptr object", u.owner);
                return Err(Errno::EFAULT);
            }
            // One owner unless the front-end cannot tell processes apart.
            match owners.iter_mut().find(|(w, _)| Arc::ptr_eq(&w.mem, &u.mem)) {
                Some((_, ranges)) => ranges.push((u.addr, o.obj.size)),
                None => owners.push((u, vec![(u.addr, o.obj.size)])),
            }
        }
        for (owner, ranges) in owners {
            owner.mem.probe_ranges(&ranges)?;
        }
        failed
    }

    /// `eb_relocate_vma`: patch object `i`'s relocation entries.
    fn relocate(
        &self,
        i: usize,
        e: &drm_i915_gem_exec_object2,
        objs: &mut [EbObject],
        lut: Option<&HashMap<u32, usize>>,
        caller: &dyn ClientMemory,
        blocker: &mut Option<Arc<GemObject>>,
    ) -> Result<()> {
        let n = e.relocation_count as u64;
        if n > i32::MAX as u64 / RELOC_SIZE {
            return Err(Errno::EINVAL);
        }
        if !access_ok(e.relocs_ptr, n * RELOC_SIZE) {
            return Err(Errno::EFAULT);
        }
        let size = objs[i].obj.size;
        let mut idle = false;
        // A chunk at a time: the model holds no more of the list than i915 does. The new
        // presumed offsets go back to the client a chunk at a time too (i915 writes each
        // with __put_user, which costs nothing; here every write is a copy into another
        // process), and before an error returns, so what the client sees is the same.
        let mut chunk = Vec::with_capacity(RELOC_CHUNK as usize);
        for first in (0..n).step_by(RELOC_CHUNK as usize) {
            chunk.clear();
            let at = e.relocs_ptr + first * RELOC_SIZE;
            read_array(caller, at, RELOC_CHUNK.min(n - first), &mut chunk)?;
            let mut changed: Option<(usize, usize)> = None;
            let r = self.relocate_chunk(
                i,
                &mut chunk,
                &mut changed,
                objs,
                lut,
                size,
                &mut idle,
                blocker,
            );
            if let Some((lo, hi)) = changed {
                // Errors are ignored, as i915 ignores __put_user's.
                let _ = caller.write(
                    at + lo as u64 * RELOC_SIZE,
                    bytemuck::cast_slice(&chunk[lo..=hi]),
                );
            }
            r?;
        }
        Ok(())
    }

    /// Applies the relocations of `chunk`, updating each entry's presumed offset in
    /// place; `changed` grows to cover the entries whose presumed offset changed.
    #[allow(clippy::too_many_arguments)]
    fn relocate_chunk(
        &self,
        i: usize,
        chunk: &mut [drm_i915_gem_relocation_entry],
        changed: &mut Option<(usize, usize)>,
        objs: &mut [EbObject],
        lut: Option<&HashMap<u32, usize>>,
        size: u64,
        idle: &mut bool,
        blocker: &mut Option<Arc<GemObject>>,
    ) -> Result<()> {
        for (k, r) in chunk.iter_mut().enumerate() {
            let target = match lut {
                None => (r.target_handle as usize) < objs.len(),
                Some(l) => l.contains_key(&r.target_handle),
            };
            if !target {
                return Err(Errno::ENOENT);
            }
            let t = match lut {
                None => r.target_handle as usize,
                Some(l) => l[&r.target_handle],
            };
            if r.write_domain & r.write_domain.wrapping_sub(1) != 0 {
                return Err(Errno::EINVAL);
            }
            if (r.write_domain | r.read_domains) & !GPU_DOMAINS != 0 {
                return Err(Errno::EINVAL);
            }
            if r.write_domain != 0 {
                objs[t].flags |= EXEC_OBJECT_WRITE;
            }
            let target_addr = objs[t].offset;
            if canonical(target_addr) == r.presumed_offset {
                continue;
            }
            if r.offset > size - 8 || r.offset & 3 != 0 {
                return Err(Errno::EINVAL);
            }
            // Writing into the object forces ordering after its users.
            objs[i].flags &= !EXEC_OBJECT_ASYNC;
            if !*idle {
                // The CPU writes it: earlier requests that read it must be done
                // first (i915_gem_object_prepare_write waits for all).
                if objs[i].obj.is_busy() {
                    return Err(must_wait(blocker, objs[i].obj.clone()));
                }
                *idle = true;
            }
            let value = canonical((r.delta as i32 as i64).wrapping_add(target_addr as i64) as u64);
            // The object is locked by the transaction and its pages pinned there.
            objs[i].obj.write(r.offset, &value.to_ne_bytes())?;
            r.presumed_offset = canonical(target_addr);
            *changed = Some(changed.map_or((k, k), |(lo, _)| (lo, k)));
        }
        Ok(())
    }
}

/// `eb_pin_engine`'s throttle: with the context's ring nearly full, wait
/// (interruptibly: EINTR) until a request frees half of it. A caller that may not
/// sleep gets EWOULDBLOCK, as i915 answers an O_NONBLOCK file; nothing has changed
/// yet, so the call can be made again.
fn throttle(timeline: &Timeline, caller: &dyn ClientMemory) -> Result<()> {
    let Some(fence) = timeline.throttle() else {
        return Ok(());
    };
    if !caller.may_sleep() {
        return Err(Errno::EWOULDBLOCK);
    }
    crate::wait::wait_all(caller, &[fence], None)
}

/// The submission cannot go on until the GPU is done with `busy` (what sits where a
/// softpin goes, a batch that earlier requests read and a relocation writes): i915
/// waits there, interruptibly, under its locks. The model unwinds instead, and
/// [`File::execbuffer2`] waits with nothing locked, then starts over.
fn must_wait(blocker: &mut Option<Arc<GemObject>>, busy: Arc<GemObject>) -> Errno {
    *blocker = Some(busy);
    Errno::EAGAIN
}

/// `i915_gem_check_execbuffer`: flags and DRI1 leftovers.
fn check_execbuffer(a: &mut drm_i915_gem_execbuffer2) -> Result<()> {
    if a.flags & ILLEGAL_FLAGS != 0 {
        return Err(Errno::EINVAL);
    }
    if a.flags & (I915_EXEC_FENCE_ARRAY | I915_EXEC_USE_EXTENSIONS) == 0
        && (a.num_cliprects != 0 || a.cliprects_ptr != 0)
    {
        return Err(Errno::EINVAL);
    }
    if a.DR4 == 0xffff_ffff {
        a.DR4 = 0;
    }
    if a.DR1 != 0 || a.DR4 != 0 {
        return Err(Errno::EINVAL);
    }
    if (a.batch_start_offset | a.batch_len) & 7 != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

impl std::fmt::Debug for EbObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}@{:#x}", self.obj, self.offset)
    }
}

/// `eb_validate_vma` and the batch checks of `eb_add_vma` for one exec object.
fn check_exec_object(
    a: &drm_i915_gem_execbuffer2,
    e: &mut drm_i915_gem_exec_object2,
    obj: &GemObject,
    is_batch: bool,
) -> Result<()> {
    // Full ppGTT: the global GTT cannot be asked for.
    let invalid = __EXEC_OBJECT_UNKNOWN_FLAGS | EXEC_OBJECT_NEEDS_GTT;
    if e.flags & invalid != 0 {
        return Err(Errno::EINVAL);
    }
    if e.alignment != 0 && !e.alignment.is_power_of_two() {
        return Err(Errno::EINVAL);
    }
    if e.flags & EXEC_OBJECT_PINNED != 0 && e.offset != canonical(e.offset & !0xfff) {
        return Err(Errno::EINVAL);
    }
    if e.flags & EXEC_OBJECT_PAD_TO_SIZE != 0 {
        if !e.pad_to_size.is_multiple_of(4096) {
            return Err(Errno::EINVAL);
        }
    } else {
        e.pad_to_size = 0;
    }
    // No fence registers after Gen3.
    e.flags &= !EXEC_OBJECT_NEEDS_FENCE;
    if is_batch {
        if e.flags & EXEC_OBJECT_WRITE != 0 {
            log::debug!("execbuf: self-modifying batch");
            return Err(Errno::EINVAL);
        }
        let start = a.batch_start_offset as u64;
        if start
            .checked_add(a.batch_len as u64)
            .is_none_or(|end| end > obj.size)
        {
            return Err(Errno::EINVAL);
        }
        if a.batch_len == 0 && obj.size == start {
            return Err(Errno::EINVAL);
        }
    }
    Ok(())
}

/// Read `n` plain structs at `ptr` into `out`, a page's worth at a time, so memory
/// grows only with what the caller really has mapped; `EFAULT` on the first hole.
fn read_array<T: bytemuck::Pod>(
    caller: &dyn ClientMemory,
    ptr: u64,
    n: u64,
    out: &mut Vec<T>,
) -> Result<()> {
    let size = size_of::<T>() as u64;
    let per_chunk = (4096 / size).max(1);
    let mut chunk = vec![T::zeroed(); per_chunk as usize];
    let mut done = 0;
    while done < n {
        let k = per_chunk.min(n - done) as usize;
        let at = ptr.checked_add(done * size).ok_or(Errno::EFAULT)?;
        caller.read(at, bytemuck::cast_slice_mut(&mut chunk[..k]))?;
        out.extend_from_slice(&chunk[..k]);
        done += k as u64;
    }
    Ok(())
}
