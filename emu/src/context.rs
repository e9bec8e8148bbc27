//! GEM contexts and VM handles (`i915_gem_context.c`): CONTEXT_CREATE(_EXT),
//! CONTEXT_DESTROY, CONTEXT_GET/SETPARAM, VM_CREATE/DESTROY, GET_RESET_STATS.
//!
//! On Gen12 a new context is a *proto-context* until its first use (execbuf, getparam,
//! reset stats): until then its VM and engine map may still be set; afterwards they
//! are fixed (`EINVAL`).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::{read_struct, write_struct, ClientMemory};
use crate::engines::{RequestOwner, Timeline};
use crate::file::File;
use crate::platform::EngineId;
use crate::sync::{lock_order, TrackedMutex};
use crate::vm::Vm;
use crate::{user_ext, Errno, Result};
use uapi::*;

/// What the model's scheduler can do (`I915_PARAM_HAS_SCHEDULER`): waiting requests run
/// by priority (a context's own in order), and a running one can be stopped between
/// commands (what persistence and bans need). Not modelled: handing the engine to a
/// higher-priority request mid-batch, and timeslicing, which PREEMPTION implies to IGT's
/// scheduler tests.
pub const SCHEDULER_CAPS: i32 =
    I915_SCHEDULER_CAP_ENABLED | I915_SCHEDULER_CAP_PRIORITY | I915_SCHEDULER_CAP_PREEMPTION;

/// Three hangs of a bannable context within this long ban it (`CONTEXT_FAST_HANG_JIFFIES`).
const FAST_HANG: Duration = Duration::from_secs(120);

/// A client hanging within this long of its previous hang scores (`I915_CLIENT_FAST_HANG_JIFFIES`).
const CLIENT_FAST_HANG: Duration = Duration::from_secs(60);
/// Score of a hang that comes fast, of a context ban, and the score that bans a client.
const SCORE_HANG_FAST: u32 = 1;
const SCORE_CONTEXT_BAN: u32 = 3;
const SCORE_BANNED: u32 = 9;

/// A client's hang record (`i915_file_private.ban_score`, `hang_timestamp`): a client
/// that keeps hanging the GPU may create no more contexts.
pub(crate) struct ClientScore {
    score: AtomicU32,
    last_hang: TrackedMutex<Option<Instant>>,
}

impl ClientScore {
    pub(crate) fn new() -> Arc<ClientScore> {
        Arc::new(ClientScore {
            score: AtomicU32::new(0),
            last_hang: TrackedMutex::new(&lock_order::CLIENT_SCORE, None),
        })
    }

    /// `client_mark_guilty`.
    fn mark_guilty(&self, banned: bool) {
        let mut score = if banned { SCORE_CONTEXT_BAN } else { 0 };
        let now = Instant::now();
        let prev = self.last_hang.lock().replace(now);
        if prev.is_some_and(|p| now.duration_since(p) < CLIENT_FAST_HANG) {
            score += SCORE_HANG_FAST;
        }
        self.score.fetch_add(score, Ordering::Relaxed);
    }

    fn banned(&self) -> bool {
        self.score.load(Ordering::Relaxed) >= SCORE_BANNED
    }
}

/// The mutable state of a context.
pub(crate) struct CtxState {
    /// Set at first use; VM and engines are fixed from then on.
    finalized: bool,
    vm: Option<Arc<Vm>>,
    /// `I915_CONTEXT_PARAM_ENGINES`: the engine map (`None`: the legacy ring selectors).
    pub(crate) user_engines: Option<Vec<Option<EngineId>>>,
    persistent: bool,
    /// One timeline for every engine (`I915_CONTEXT_CREATE_FLAGS_SINGLE_TIMELINE`).
    pub(crate) single_timeline: bool,
}

/// A GEM context.
pub struct GemContext {
    pub(crate) state: TrackedMutex<CtxState>,
    // What the hang path (fence signalling) touches lives apart from `state`, whose
    // lock waiters may hold.
    bannable: AtomicBool,
    recoverable: AtomicBool,
    /// `I915_CONTEXT_PARAM_NO_ERROR_CAPTURE`.
    no_error_capture: AtomicBool,
    /// Times of the last two hangs.
    hangs: TrackedMutex<[Option<Instant>; 2]>,
    timelines: TrackedMutex<HashMap<usize, Arc<Timeline>>>,
    /// Hangs this context caused (`batch_active`).
    guilty: AtomicU32,
    /// Requests of this context lost to others' hangs (`batch_pending`).
    active: AtomicU32,
    banned: AtomicBool,
    /// I915_CONTEXT_PARAM_PRIORITY: its requests' priority on the engines.
    priority: std::sync::atomic::AtomicI32,
    /// The hang record of the file that created the context.
    client: Arc<ClientScore>,
}

impl GemContext {
    /// The priority its requests get (I915_CONTEXT_PARAM_PRIORITY).
    pub(crate) fn priority(&self) -> i32 {
        self.priority.load(Ordering::Acquire)
    }

    /// A proto-context; `persistent` is its default (`enable_hangcheck`).
    fn proto(single_timeline: bool, persistent: bool, client: Arc<ClientScore>) -> Arc<GemContext> {
        Arc::new(GemContext {
            state: TrackedMutex::new(
                &lock_order::CONTEXT,
                CtxState {
                    finalized: false,
                    vm: None,
                    user_engines: None,
                    persistent,
                    single_timeline,
                },
            ),
            bannable: AtomicBool::new(true),
            recoverable: AtomicBool::new(true),
            no_error_capture: AtomicBool::new(false),
            hangs: TrackedMutex::new(&lock_order::CONTEXT_HANGS, [None; 2]),
            timelines: TrackedMutex::new(&lock_order::CONTEXT_TIMELINES, HashMap::new()),
            guilty: AtomicU32::new(0),
            active: AtomicU32::new(0),
            banned: AtomicBool::new(false),
            priority: std::sync::atomic::AtomicI32::new(I915_CONTEXT_DEFAULT_PRIORITY as i32),
            client,
        })
    }

    /// Finalize a proto-context (first use): it gets its own VM unless one was set.
    /// Also says whether that VM was made just now.
    pub(crate) fn finalize(&self) -> (Arc<Vm>, bool) {
        let mut st = self.state.lock();
        st.finalized = true;
        let fresh = st.vm.is_none();
        (
            st.vm.get_or_insert_with(|| Arc::new(Vm::new())).clone(),
            fresh,
        )
    }

    /// Reset this context's work (device reset) without closing it.
    pub(crate) fn reset_work(&self) {
        let timelines: Vec<_> = self.timelines.lock().values().cloned().collect();
        for t in timelines {
            t.reset();
        }
    }

    /// Whether the context was banned for hanging.
    pub fn is_banned(&self) -> bool {
        self.banned.load(Ordering::Acquire)
    }

    /// The timeline of engine index `engine` (or the single shared one).
    pub(crate) fn timeline(
        &self,
        engines: &Arc<crate::engines::Engines>,
        engine: usize,
    ) -> Arc<Timeline> {
        let key = if self.state.lock().single_timeline {
            usize::MAX
        } else {
            engine
        };
        self.timelines
            .lock()
            .entry(key)
            .or_insert_with(|| Timeline::new(engines, engine))
            .clone()
    }

    /// Stop all of this context's work (close of a non-persistent context, a ban, the
    /// close of its file).
    pub(crate) fn kill(&self) {
        let timelines: Vec<_> = self.timelines.lock().values().cloned().collect();
        for t in timelines {
            t.kill();
        }
    }
}

impl RequestOwner for GemContext {
    /// `mark_guilty`: count the hang; a bannable context that is not recoverable, or
    /// that hangs three times within two minutes, is banned.
    fn hung(&self) {
        self.guilty.fetch_add(1, Ordering::Relaxed);
        let ban = if !self.bannable.load(Ordering::Acquire) {
            false
        } else {
            let mut hangs = self.hangs.lock();
            let now = Instant::now();
            let prev = hangs[0];
            *hangs = [hangs[1], Some(now)];
            !self.recoverable.load(Ordering::Acquire)
                || prev.is_some_and(|p| now.duration_since(p) < FAST_HANG)
        };
        if ban {
            log::info!("context banned after repeated hangs");
            self.banned.store(true, Ordering::Release);
            self.kill();
        }
        self.client.mark_guilty(ban);
    }

    fn expects_hangs(&self) -> bool {
        !self.bannable.load(Ordering::Acquire) || self.no_error_capture.load(Ordering::Acquire)
    }
}

/// A file's contexts and VMs.
pub(crate) struct Contexts {
    ctx: BTreeMap<u32, Arc<GemContext>>,
    vms: BTreeMap<u32, Arc<Vm>>,
    /// Persistent contexts destroyed while the file is open: their work runs on (as in
    /// i915) until the file closes, which stops it too.
    destroyed: crate::weak_list::WeakList<GemContext>,
}

impl Contexts {
    /// A new table holding the default context, id 0, already finalized.
    pub(crate) fn new(device: &crate::device::Device, client: &Arc<ClientScore>) -> Contexts {
        let default = GemContext::proto(false, device.enable_hangcheck(), client.clone());
        let (vm, _) = default.finalize();
        device.vms.lock().push(&vm);
        device.contexts.lock().push(&default);
        Contexts {
            ctx: BTreeMap::from([(0, default)]),
            vms: BTreeMap::new(),
            destroyed: Default::default(),
        }
    }

    fn lowest_free<T>(map: &BTreeMap<u32, T>, from: u32) -> u32 {
        let mut id = from;
        for &k in map.range(from..).map(|(k, _)| k) {
            if k != id {
                break;
            }
            id += 1;
        }
        id
    }

    /// Empty the table (the file is closing): its contexts, with the destroyed ones
    /// that are still alive, and its VMs.
    pub(crate) fn drain(&mut self) -> (Vec<Arc<GemContext>>, Vec<Arc<Vm>>) {
        let mut ctx: Vec<_> = std::mem::take(&mut self.ctx).into_values().collect();
        ctx.extend(std::mem::take(&mut self.destroyed).live());
        let vms = std::mem::take(&mut self.vms).into_values().collect();
        (ctx, vms)
    }
}

/// Copy a context parameter's `value` as a bool.
fn flag(p: &drm_i915_gem_context_param) -> Result<bool> {
    if p.size != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(p.value != 0)
}

impl File {
    /// `i915_gem_context_lookup`: find a context and finalize it (first use).
    pub(crate) fn context(&self, id: u32) -> Result<(Arc<GemContext>, Arc<Vm>)> {
        let ctx = self
            .contexts
            .lock()
            .ctx
            .get(&id)
            .cloned()
            .ok_or(Errno::ENOENT)?;
        let (vm, fresh) = ctx.finalize();
        if fresh {
            self.device.vms.lock().push(&vm);
        }
        Ok((ctx, vm))
    }

    fn vm_lookup(&self, id: u64) -> Result<Arc<Vm>> {
        if id >> 32 != 0 {
            return Err(Errno::ENOENT);
        }
        self.contexts
            .lock()
            .vms
            .get(&(id as u32))
            .cloned()
            .ok_or(Errno::ENOENT)
    }

    /// IOCTL: gem_context_create_ext: Create a context, with setparam extensions.
    pub(crate) fn gem_context_create(
        &self,
        a: &mut drm_i915_gem_context_create_ext,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags & I915_CONTEXT_CREATE_FLAGS_UNKNOWN != 0 {
            return Err(Errno::EINVAL);
        }
        self.device.engines.check_wedged()?;
        if self.client.banned() {
            log::debug!("client banned from creating contexts");
            return Err(Errno::EIO);
        }
        let ctx = GemContext::proto(
            a.flags & I915_CONTEXT_CREATE_FLAGS_SINGLE_TIMELINE != 0,
            self.device.enable_hangcheck(),
            self.client.clone(),
        );
        if a.flags & I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS != 0 {
            user_ext::walk(caller, a.extensions, |name, addr| {
                Some(match name {
                    I915_CONTEXT_CREATE_EXT_SETPARAM => {
                        read_struct::<drm_i915_gem_context_create_ext_setparam>(caller, addr)
                            .and_then(|mut e| {
                                if e.param.ctx_id != 0 {
                                    return Err(Errno::EINVAL);
                                }
                                self.set_proto_param(&ctx, &mut e.param, caller)
                            })
                    }
                    I915_CONTEXT_CREATE_EXT_CLONE => Err(Errno::EINVAL),
                    _ => return None,
                })
            })?;
        }
        self.device.contexts.lock().push(&ctx);
        let mut t = self.contexts.lock();
        let id = Contexts::lowest_free(&t.ctx, 1);
        t.ctx.insert(id, ctx);
        a.ctx_id = id;
        Ok(())
    }

    /// IOCTL: gem_context_destroy: Drop a context; a non-persistent one's work stops.
    pub(crate) fn gem_context_destroy(
        &self,
        a: &mut drm_i915_gem_context_destroy,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        if a.pad != 0 {
            return Err(Errno::EINVAL);
        }
        if a.ctx_id == 0 {
            return Err(Errno::ENOENT);
        }
        let ctx = self
            .contexts
            .lock()
            .ctx
            .remove(&a.ctx_id)
            .ok_or(Errno::ENOENT)?;
        // kill_engines: without hangcheck even a persistent context's work stops.
        if !ctx.state.lock().persistent || !self.device.enable_hangcheck() {
            ctx.kill();
        } else {
            // Its work runs on, but not past the file (see `File::close`).
            self.contexts.lock().destroyed.push(&ctx);
        }
        Ok(())
    }

    /// Parameters settable while the context is a proto-context (`set_proto_ctx_param`).
    fn set_proto_param(
        &self,
        ctx: &GemContext,
        p: &mut drm_i915_gem_context_param,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        match p.param {
            I915_CONTEXT_PARAM_VM => {
                if p.size != 0 {
                    return Err(Errno::EINVAL);
                }
                let vm = self.vm_lookup(p.value)?;
                ctx.state.lock().vm = Some(vm);
                Ok(())
            }
            I915_CONTEXT_PARAM_ENGINES => self.set_engines(ctx, p, caller),
            _ => self.set_common_param(ctx, p, caller),
        }
    }

    /// Parameters that may be set at any time (shared by proto and final contexts).
    fn set_common_param(
        &self,
        ctx: &GemContext,
        p: &mut drm_i915_gem_context_param,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        match p.param {
            I915_CONTEXT_PARAM_NO_ERROR_CAPTURE => {
                ctx.no_error_capture.store(flag(p)?, Ordering::Release);
                Ok(())
            }
            I915_CONTEXT_PARAM_BANNABLE => {
                let on = flag(p)?;
                if !on && !caller.has_cap_sys_admin() {
                    return Err(Errno::EPERM);
                }
                ctx.bannable.store(on, Ordering::Release);
                Ok(())
            }
            I915_CONTEXT_PARAM_RECOVERABLE => {
                ctx.recoverable.store(flag(p)?, Ordering::Release);
                Ok(())
            }
            I915_CONTEXT_PARAM_PRIORITY => {
                // validate_priority
                if p.size != 0 {
                    return Err(Errno::EINVAL);
                }
                let prio = p.value as i64;
                let range = I915_CONTEXT_MIN_USER_PRIORITY..=I915_CONTEXT_MAX_USER_PRIORITY;
                if !range.contains(&prio) {
                    return Err(Errno::EINVAL);
                }
                if prio > I915_CONTEXT_DEFAULT_PRIORITY && !caller.has_cap_sys_nice() {
                    return Err(Errno::EPERM);
                }
                ctx.priority.store(prio as i32, Ordering::Release);
                Ok(())
            }
            I915_CONTEXT_PARAM_SSEU => {
                if (p.size as usize) < std::mem::size_of::<drm_i915_gem_context_param_sseu>() {
                    return Err(Errno::EINVAL);
                }
                // Only Gen11 lets user space reconfigure slices.
                Err(Errno::ENODEV)
            }
            I915_CONTEXT_PARAM_PERSISTENCE => {
                // Persistence can be dropped: the model can stop a context's work. It
                // can be asked for only while hangcheck would catch a runaway.
                let persist = flag(p)?;
                if persist && !self.device.enable_hangcheck() {
                    return Err(Errno::EINVAL);
                }
                ctx.state.lock().persistent = persist;
                Ok(())
            }
            I915_CONTEXT_PARAM_PROTECTED_CONTENT if !ctx.state.lock().finalized => {
                if p.value != 0 {
                    Err(Errno::ENODEV)
                } else {
                    Ok(())
                }
            }
            _ => Err(Errno::EINVAL),
        }
    }

    /// `set_proto_ctx_engines`: the engine map.
    fn set_engines(
        &self,
        ctx: &GemContext,
        p: &drm_i915_gem_context_param,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        if ctx.state.lock().user_engines.is_some() {
            return Err(Errno::EINVAL);
        }
        let hdr = std::mem::size_of::<i915_context_param_engines>() as u32;
        if p.size < hdr || !(p.size - hdr).is_multiple_of(4) {
            return Err(Errno::EINVAL);
        }
        let n = ((p.size - hdr) / 4) as usize;
        if n > I915_EXEC_RING_MASK as usize + 1 {
            return Err(Errno::EINVAL);
        }
        let platform = self.device.platform();
        let mut engines = Vec::with_capacity(n);
        for i in 0..n {
            let ci: i915_engine_class_instance =
                read_struct(caller, p.value + hdr as u64 + 4 * i as u64)?;
            if ci.engine_class == I915_ENGINE_CLASS_INVALID
                && ci.engine_instance == I915_ENGINE_CLASS_INVALID_NONE
            {
                engines.push(None);
                continue;
            }
            if !platform.has_engine(ci.engine_class, ci.engine_instance) {
                return Err(Errno::ENOENT);
            }
            engines.push(Some(EngineId {
                class: ci.engine_class,
                instance: ci.engine_instance,
            }));
        }
        let extensions: u64 = read_struct(caller, p.value)?;
        // Load balancing over one sibling places that engine in an empty slot (what the
        // media driver asks for on one-VDBOX parts). Bonding and parallel submission need
        // virtual engines, which the model does not have.
        user_ext::walk(caller, extensions, |name, addr| match name {
            I915_CONTEXT_ENGINES_EXT_LOAD_BALANCE => {
                Some(self.engines_load_balance(&mut engines, addr, caller))
            }
            _ => None,
        })?;
        ctx.state.lock().user_engines = Some(engines);
        Ok(())
    }

    /// `set_proto_ctx_engines_balance`: the extension at `addr` for the engine map
    /// `engines`, checked in i915's order.
    fn engines_load_balance(
        &self,
        engines: &mut [Option<EngineId>],
        addr: u64,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let ext: i915_context_engines_load_balance = read_struct(caller, addr)?;
        let idx = ext.engine_index as usize;
        if idx >= engines.len() {
            log::debug!("load balance: invalid placement {idx}");
            return Err(Errno::EINVAL);
        }
        if engines[idx].is_some() {
            log::debug!("load balance: placement {idx} already occupied");
            return Err(Errno::EEXIST);
        }
        let (flags, mbz64) = (ext.flags, ext.mbz64);
        if flags != 0 || mbz64 != 0 {
            return Err(Errno::EINVAL);
        }
        let n = ext.num_siblings as u64;
        if n == 0 {
            return Ok(());
        }
        let base = addr + std::mem::size_of::<i915_context_engines_load_balance>() as u64;
        let platform = self.device.platform();
        let mut siblings = Vec::new();
        for i in 0..n {
            let ci: i915_engine_class_instance = read_struct(caller, base + 4 * i)?;
            if !platform.has_engine(ci.engine_class, ci.engine_instance) {
                log::debug!("load balance: invalid sibling {i}");
                return Err(Errno::EINVAL);
            }
            siblings.push(EngineId {
                class: ci.engine_class,
                instance: ci.engine_instance,
            });
        }
        match siblings[..] {
            [one] => {
                engines[idx] = Some(one);
                Ok(())
            }
            // With one engine of each class, two or more siblings are either mixed
            // classes or duplicates, which i915 refuses when it builds the virtual
            // engine.
            _ => {
                log::debug!("load balance: {n} siblings need a virtual engine");
                Err(Errno::EINVAL)
            }
        }
    }

    /// IOCTL: gem_context_setparam: Set a context parameter.
    pub(crate) fn gem_context_setparam(
        &self,
        p: &mut drm_i915_gem_context_param,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let ctx = self
            .contexts
            .lock()
            .ctx
            .get(&p.ctx_id)
            .cloned()
            .ok_or(Errno::ENOENT)?;
        if ctx.state.lock().finalized {
            self.set_common_param(&ctx, p, caller)
        } else {
            self.set_proto_param(&ctx, p, caller)
        }
    }

    /// IOCTL: gem_context_getparam: Read a context parameter (finalizes the context).
    pub(crate) fn gem_context_getparam(
        &self,
        p: &mut drm_i915_gem_context_param,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let (ctx, vm) = self.context(p.ctx_id)?;
        let st = ctx.state.lock();
        let (size, value) = match p.param {
            I915_CONTEXT_PARAM_GTT_SIZE => (0, vm.total()),
            I915_CONTEXT_PARAM_NO_ERROR_CAPTURE => {
                (0, ctx.no_error_capture.load(Ordering::Acquire) as u64)
            }
            I915_CONTEXT_PARAM_BANNABLE => (0, ctx.bannable.load(Ordering::Acquire) as u64),
            I915_CONTEXT_PARAM_RECOVERABLE => (0, ctx.recoverable.load(Ordering::Acquire) as u64),
            I915_CONTEXT_PARAM_PRIORITY => (0, ctx.priority() as i64 as u64),
            I915_CONTEXT_PARAM_PERSISTENCE => (0, st.persistent as u64),
            I915_CONTEXT_PARAM_PROTECTED_CONTENT => (0, 0),
            I915_CONTEXT_PARAM_SSEU => {
                drop(st);
                return self.get_sseu(&ctx, p, caller);
            }
            I915_CONTEXT_PARAM_VM => {
                drop(st);
                // A new handle on the context's VM.
                let mut t = self.contexts.lock();
                let id = Contexts::lowest_free(&t.vms, 1);
                t.vms.insert(id, vm);
                (0, id as u64)
            }
            _ => return Err(Errno::EINVAL),
        };
        p.size = size;
        p.value = value;
        Ok(())
    }

    /// `get_sseu`: the slice configuration of one engine of the context.
    fn get_sseu(
        &self,
        ctx: &GemContext,
        p: &mut drm_i915_gem_context_param,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let size = std::mem::size_of::<drm_i915_gem_context_param_sseu>() as u32;
        if p.size != 0 {
            if p.size < size {
                return Err(Errno::EINVAL);
            }
            let mut s: drm_i915_gem_context_param_sseu = read_struct(caller, p.value)?;
            if s.rsvd != 0 || s.flags & !I915_CONTEXT_SSEU_FLAG_ENGINE_INDEX != 0 {
                return Err(Errno::EINVAL);
            }
            let by_index = s.flags & I915_CONTEXT_SSEU_FLAG_ENGINE_INDEX != 0;
            // lookup_user_engine: an engine map is addressed by index, and only then.
            if by_index != ctx.state.lock().user_engines.is_some() {
                return Err(Errno::EINVAL);
            }
            let engine = if by_index {
                let st = ctx.state.lock();
                let map = st.user_engines.as_ref().ok_or(Errno::EINVAL)?;
                map.get(s.engine.engine_instance as usize)
                    .copied()
                    .flatten()
                    .ok_or(Errno::EINVAL)?
            } else {
                EngineId {
                    class: s.engine.engine_class,
                    instance: s.engine.engine_instance,
                }
            };
            let platform = self.device.platform();
            if !platform.has_engine(engine.class, engine.instance) {
                return Err(Errno::EINVAL);
            }
            let t = &platform.topology;
            if engine.class == I915_ENGINE_CLASS_RENDER {
                s.slice_mask = t.slice_mask as u64;
                s.subslice_mask = t.subslice_mask as u64;
                s.min_eus_per_subslice = t.eu_mask.count_ones() as u16;
                s.max_eus_per_subslice = t.eu_mask.count_ones() as u16;
            } else {
                s.slice_mask = 0;
                s.subslice_mask = 0;
                s.min_eus_per_subslice = 0;
                s.max_eus_per_subslice = 0;
            }
            write_struct(caller, p.value, &s)?;
        }
        p.size = size;
        Ok(())
    }

    /// IOCTL: gem_vm_create: Create a ppGTT address space.
    pub(crate) fn gem_vm_create(
        &self,
        a: &mut drm_i915_gem_vm_control,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags != 0 {
            return Err(Errno::EINVAL);
        }
        user_ext::walk(caller, a.extensions, |_, _| None)?;
        let vm = Arc::new(Vm::new());
        self.device.vms.lock().push(&vm);
        let mut t = self.contexts.lock();
        let id = Contexts::lowest_free(&t.vms, 1);
        t.vms.insert(id, vm);
        a.vm_id = id;
        Ok(())
    }

    /// IOCTL: gem_vm_destroy: Drop a VM handle (contexts using it keep it).
    pub(crate) fn gem_vm_destroy(
        &self,
        a: &mut drm_i915_gem_vm_control,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags != 0 || a.extensions != 0 {
            return Err(Errno::EINVAL);
        }
        self.contexts
            .lock()
            .vms
            .remove(&a.vm_id)
            .map(drop)
            .ok_or(Errno::ENOENT)
    }

    /// IOCTL: get_reset_stats: Hangs this context caused and suffered.
    pub(crate) fn get_reset_stats(
        &self,
        a: &mut drm_i915_reset_stats,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags != 0 || a.pad != 0 {
            return Err(Errno::EINVAL);
        }
        let (ctx, _) = self.context(a.ctx_id)?;
        a.reset_count = if caller.has_cap_sys_admin() {
            self.device.engines.resets.load(Ordering::Relaxed)
        } else {
            0
        };
        a.batch_active = ctx.guilty.load(Ordering::Relaxed);
        a.batch_pending = ctx.active.load(Ordering::Relaxed);
        Ok(())
    }
}
