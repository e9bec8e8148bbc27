//! GPU virtual address spaces (ppGTT): what is bound where, placement of objects for
//! execbuf (softpin, presumed offsets, the 4 GiB zone, alignment), and the
//! [`AddressSpace`] the command streamer reads and writes through.
//!
//! A binding refers to its object weakly: a binding does not keep an object alive
//! (requests do, while they run). A binding whose object is gone is free space.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Weak};

use gpu_backend::{AddressSpace, DirectRange, Fault};

use crate::object::GemObject;
use crate::sync::{lock_order, TrackedRwLock};

/// Size of a full 48-bit ppGTT.
pub const VM_TOTAL: u64 = 1 << 48;
/// Objects without `EXEC_OBJECT_SUPPORTS_48B_ADDRESS` must end at or below this
/// (`PIN_ZONE_4G`: the last page below 4 GiB is kept out).
pub const ZONE_4G: u64 = (1 << 32) - GTT_PAGE;
/// Batches with relocations are kept above this (`BATCH_OFFSET_BIAS`).
pub const BATCH_OFFSET_BIAS: u64 = 256 * 1024;
const GTT_PAGE: u64 = 4096;

/// The sign-extended form of a 48-bit GPU address (`gen8_canonical_addr`).
pub fn canonical(addr: u64) -> u64 {
    (((addr << 16) as i64) >> 16) as u64
}

/// The 48-bit form of a canonical address (`gen8_noncanonical_addr`).
pub fn noncanonical(addr: u64) -> u64 {
    addr & (VM_TOTAL - 1)
}

#[derive(Clone)]
struct Binding {
    obj: Weak<GemObject>,
    /// Bytes of address space the node takes (object size, or pad_to_size).
    node_size: u64,
    /// Unbound while the GPU still used it (i915's asynchronous unbind): requests
    /// already queued reach the object here until it goes idle; new ones use its new
    /// binding. The range stays taken meanwhile.
    detached: bool,
}

impl Binding {
    /// Whether the binding still holds its range.
    fn live(&self) -> bool {
        match self.obj.upgrade() {
            None => false,
            Some(o) => !self.detached || o.is_busy(),
        }
    }
}

#[derive(Default)]
struct Bindings {
    by_start: BTreeMap<u64, Binding>,
    /// Object (by address) → start of its binding.
    by_obj: HashMap<usize, u64>,
}

impl Bindings {
    fn remove_at(&mut self, start: u64) {
        if let Some(b) = self.by_start.remove(&start) {
            if !b.detached {
                self.by_obj.remove(&(b.obj.as_ptr() as usize));
            }
        }
    }

    /// Unbind the object bound at `start`: at once if idle, else detached until idle.
    fn unbind_at(&mut self, start: u64) {
        let busy = self
            .by_start
            .get(&start)
            .and_then(|b| b.obj.upgrade())
            .is_some_and(|o| o.is_busy());
        if !busy {
            return self.remove_at(start);
        }
        if let Some(b) = self.by_start.get_mut(&start) {
            if !b.detached {
                b.detached = true;
                let key = b.obj.as_ptr() as usize;
                self.by_obj.remove(&key);
            }
        }
    }

    /// Bindings overlapping `[start, start + len)`, as `(start, binding)`.
    fn overlapping(&self, start: u64, len: u64) -> Vec<(u64, Binding)> {
        let mut out = Vec::new();
        if let Some((&s, b)) = self.by_start.range(..start).next_back() {
            if s + b.node_size > start {
                out.push((s, b.clone()));
            }
        }
        for (&s, b) in self.by_start.range(start..start.saturating_add(len)) {
            out.push((s, b.clone()));
        }
        out
    }

    /// The binding containing `addr` and its object, if alive.
    fn lookup(&self, addr: u64) -> Option<(u64, Arc<GemObject>)> {
        let (&s, b) = self.by_start.range(..=addr).next_back()?;
        if !b.live() {
            return None;
        }
        let obj = b.obj.upgrade()?;
        (addr < s + obj.size).then_some((s, obj))
    }
}

/// Where an execbuf wants an object.
#[derive(Clone, Copy, Debug)]
pub struct Placement {
    /// `EXEC_OBJECT_PINNED`: exactly here (48-bit form).
    pub pinned: Option<u64>,
    /// Where user space believes it is (try it first).
    pub presumed: u64,
    /// Power of two, or 0.
    pub alignment: u64,
    /// Node size at least this (`pad_to_size`).
    pub pad_to_size: u64,
    /// Must end below 4 GiB.
    pub zone_4g: bool,
    /// Must start at or above [`BATCH_OFFSET_BIAS`].
    pub bias: bool,
}

/// How an object already bound in the way relates to the submission being placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// Not part of it: may be evicted if idle and locked.
    Other,
    /// Part of it and softpinned: a collision is the user's overlap (`EINVAL`).
    Pinned,
    /// Part of it, placed freely: it moves (it is placed after the pinned ones).
    Movable,
}

/// Why an object could not be placed.
#[derive(Debug, PartialEq, Eq)]
pub enum PlaceError {
    /// A softpin that can never be: misaligned, or past the end of its range
    /// (`i915_vma_insert`: `EINVAL`).
    Invalid,
    /// No room, even after evicting what may be evicted, including a softpin onto
    /// another softpinned object of the same submission (`ENOSPC`).
    NoSpace,
}

/// A GPU virtual address space.
pub struct Vm {
    bindings: TrackedRwLock<Bindings>,
}

impl Default for Vm {
    fn default() -> Self {
        Self::new()
    }
}

impl Vm {
    /// An empty 48-bit address space.
    pub fn new() -> Self {
        Vm {
            bindings: TrackedRwLock::new(&lock_order::VM_BINDINGS, Bindings::default()),
        }
    }

    /// Total size (`I915_CONTEXT_PARAM_GTT_SIZE`).
    pub fn total(&self) -> u64 {
        VM_TOTAL
    }

    /// Where `obj` is bound in this VM (48-bit form), if it is.
    pub fn offset_of(&self, obj: &Arc<GemObject>) -> Option<u64> {
        self.bindings
            .read()
            .by_obj
            .get(&(Arc::as_ptr(obj) as usize))
            .copied()
    }

    /// Number of live bindings.
    pub fn binding_count(&self) -> usize {
        self.bindings
            .read()
            .by_start
            .values()
            .filter(|b| b.obj.strong_count() > 0)
            .count()
    }

    fn fits(p: &Placement, start: u64, node: u64) -> bool {
        (p.alignment == 0 || start.is_multiple_of(p.alignment))
            && (!p.zone_4g || start + node <= ZONE_4G)
            && (!p.bias || start >= BATCH_OFFSET_BIAS)
            && start.checked_add(node).is_some_and(|e| e <= VM_TOTAL)
    }

    /// Bind `obj` as `p` asks, keeping its current binding when it suits. `member` says
    /// how an object in the way belongs to this submission (see [`Member`]),
    /// `evictable` which bindings of others may be dropped (idle ones whose objects the
    /// caller has locked). Returns the 48-bit offset.
    pub fn place(
        &self,
        obj: &Arc<GemObject>,
        p: &Placement,
        member: &dyn Fn(&Arc<GemObject>) -> Member,
        evictable: &mut dyn FnMut(&Arc<GemObject>) -> bool,
    ) -> Result<u64, PlaceError> {
        let node = obj.size.max(p.pad_to_size);
        let end = if p.zone_4g { ZONE_4G } else { VM_TOTAL };
        if node > end {
            return Err(PlaceError::NoSpace);
        }
        if let Some(at) = p.pinned {
            let misaligned = p.alignment != 0 && !at.is_multiple_of(p.alignment);
            if misaligned || at.checked_add(node).is_none_or(|e| e > end) {
                return Err(PlaceError::Invalid);
            }
        }
        let key = Arc::as_ptr(obj) as usize;
        let mut b = self.bindings.write();
        if let Some(&cur) = b.by_obj.get(&key) {
            let cur_node = b.by_start[&cur].node_size;
            let ok = match p.pinned {
                Some(at) => at == cur,
                None => Self::fits(p, cur, node),
            };
            if ok && cur_node >= node {
                return Ok(cur);
            }
            b.unbind_at(cur);
        }
        let mut try_at = |b: &mut Bindings, start: u64, evict: bool| -> Result<bool, PlaceError> {
            if !Self::fits(p, start, node) {
                return Ok(false);
            }
            // Bindings of freed objects, and detached ones now idle, are free space.
            let over: Vec<_> = b.overlapping(start, node);
            let (over, dead): (Vec<_>, Vec<_>) = over.into_iter().partition(|(_, x)| x.live());
            for (s, _) in dead {
                b.remove_at(s);
            }
            for (_, x) in &over {
                let Some(o) = x.obj.upgrade() else { continue };
                if x.detached {
                    // Still in use by queued requests: the range is not free yet.
                    return Ok(false);
                }
                match member(&o) {
                    Member::Pinned => return Err(PlaceError::NoSpace),
                    // Only a softpin pushes a member aside; it is placed again later.
                    Member::Movable if p.pinned.is_some() => {}
                    Member::Movable => return Ok(false),
                    Member::Other if evict && evictable(&o) => {}
                    Member::Other => return Ok(false),
                }
            }
            for (s, _) in over {
                b.unbind_at(s);
            }
            b.by_start.insert(
                start,
                Binding {
                    obj: Arc::downgrade(obj),
                    node_size: node,
                    detached: false,
                },
            );
            b.by_obj.insert(key, start);
            Ok(true)
        };
        if let Some(at) = p.pinned {
            return match try_at(&mut b, at, true) {
                Ok(true) => Ok(at),
                Ok(false) => Err(PlaceError::NoSpace),
                Err(e) => Err(e),
            };
        }
        // Where user space expects it, if that is free.
        let presumed = p.presumed & !(GTT_PAGE - 1);
        if matches!(try_at(&mut b, presumed, false), Ok(true)) {
            return Ok(presumed);
        }
        // First fit, then again allowing eviction.
        for evict in [false, true] {
            let mut start = if p.bias { BATCH_OFFSET_BIAS } else { 0 };
            let align = p.alignment.max(GTT_PAGE);
            loop {
                start = start.next_multiple_of(align);
                if start.checked_add(node).is_none_or(|e| e > VM_TOTAL)
                    || (p.zone_4g && start + node > ZONE_4G)
                {
                    break;
                }
                match try_at(&mut b, start, evict) {
                    Ok(true) => return Ok(start),
                    // Skip past what is in the way.
                    _ => {
                        let over = b.overlapping(start, node);
                        let next = over
                            .iter()
                            .map(|(s, x)| s + x.node_size)
                            .max()
                            .unwrap_or(start + align);
                        start = next.max(start + align);
                    }
                }
            }
        }
        Err(PlaceError::NoSpace)
    }

    /// Whether `obj` is bound here somewhere other than `p` allows (it would move).
    pub fn misplaced(&self, obj: &Arc<GemObject>, p: &Placement) -> bool {
        let b = self.bindings.read();
        let Some(&cur) = b.by_obj.get(&(Arc::as_ptr(obj) as usize)) else {
            return false;
        };
        let node = obj.size.max(p.pad_to_size);
        match p.pinned {
            Some(at) => at != cur || b.by_start[&cur].node_size < node,
            None => !Self::fits(p, cur, node) || b.by_start[&cur].node_size < node,
        }
    }

    /// The objects other than `me` bound over `[start, start + len)` that the GPU is
    /// still using.
    pub fn busy_in(&self, me: &Arc<GemObject>, start: u64, len: u64) -> Vec<Arc<GemObject>> {
        self.bindings
            .read()
            .overlapping(start, len)
            .into_iter()
            .filter_map(|(_, b)| b.obj.upgrade())
            .filter(|o| !Arc::ptr_eq(o, me) && o.is_busy())
            .collect()
    }

    /// Remove `obj`'s binding, if any (detached while the GPU still uses it).
    pub fn unbind(&self, obj: &Arc<GemObject>) {
        let mut b = self.bindings.write();
        if let Some(s) = b.by_obj.get(&(Arc::as_ptr(obj) as usize)).copied() {
            b.unbind_at(s);
        }
    }

    /// Objects bound in this VM (alive).
    pub fn bound_objects(&self) -> Vec<Arc<GemObject>> {
        self.bindings
            .read()
            .by_start
            .values()
            .filter_map(|b| b.obj.upgrade())
            .collect()
    }
}

impl Bindings {
    /// Bytes from `addr` to the next binding (or the end of the space): an unbound
    /// stretch, which the ppGTT maps to the scratch page.
    fn unbound_run(&self, addr: u64) -> u64 {
        let next = self
            .by_start
            .range(addr..)
            .find(|(_, b)| b.live())
            .map(|(&s, _)| s);
        next.unwrap_or(VM_TOTAL).saturating_sub(addr).max(1)
    }
}

// Unused ppGTT entries point at a scratch page (`gen8_init_scratch`): reads there give
// zeros, writes vanish, nothing faults.
impl AddressSpace for Vm {
    fn read(&self, gpu_addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        let b = self.bindings.read();
        let mut done = 0;
        while done < buf.len() {
            let addr = gpu_addr + done as u64;
            let Some((s, obj)) = b.lookup(addr) else {
                let n = (b.unbound_run(addr) as usize).min(buf.len() - done);
                buf[done..done + n].fill(0);
                done += n;
                continue;
            };
            let n = ((s + obj.size - addr) as usize).min(buf.len() - done);
            obj.read(addr - s, &mut buf[done..done + n])
                .map_err(|_| Fault { addr })?;
            done += n;
        }
        Ok(())
    }

    fn write(&self, gpu_addr: u64, data: &[u8]) -> Result<(), Fault> {
        let b = self.bindings.read();
        let mut done = 0;
        while done < data.len() {
            let addr = gpu_addr + done as u64;
            let Some((s, obj)) = b.lookup(addr) else {
                done += (b.unbound_run(addr) as usize).min(data.len() - done);
                continue;
            };
            let n = ((s + obj.size - addr) as usize).min(data.len() - done);
            obj.write(addr - s, &data[done..done + n])
                .map_err(|_| Fault { addr })?;
            done += n;
        }
        Ok(())
    }

    fn direct(&self, gpu_addr: u64, len: u64) -> Option<DirectRange> {
        let b = self.bindings.read();
        let (s, obj) = b.lookup(gpu_addr)?;
        // Client memory is reached through its process, never directly.
        if obj.is_userptr() {
            return None;
        }
        let avail = s + obj.size - gpu_addr;
        if avail < len {
            return None;
        }
        let ptr = obj
            .device()
            .aperture
            .host_ptr(obj.offset + (gpu_addr - s), avail as usize);
        // SAFETY: the pointer is inside the device's aperture mapping, which stays mapped
        // while the device exists (longer than any request); object ranges are page
        // aligned in both spaces, so alignment mod 8 matches. Contents may change under
        // CPU clients, which the streamer expects.
        Some(unsafe { DirectRange::new(gpu_addr, ptr, avail as usize) })
    }
}
