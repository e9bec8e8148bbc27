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
/// Objects without `EXEC_OBJECT_SUPPORTS_48B_ADDRESS` must end below this.
pub const ZONE_4G: u64 = 1 << 32;
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
            self.by_obj.remove(&(b.obj.as_ptr() as usize));
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
    /// The range is taken by something this execbuf also needs (`EINVAL` for a softpin
    /// overlap).
    Overlap,
    /// No room, even after evicting what may be evicted (`ENOSPC`).
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
        let key = Arc::as_ptr(obj) as usize;
        let mut b = self.bindings.write();
        // Drop bindings of objects that are gone.
        let dead: Vec<u64> = b
            .by_start
            .iter()
            .filter(|(_, x)| x.obj.strong_count() == 0)
            .map(|(&s, _)| s)
            .collect();
        for s in dead {
            b.remove_at(s);
        }
        if let Some(&cur) = b.by_obj.get(&key) {
            let cur_node = b.by_start[&cur].node_size;
            let ok = match p.pinned {
                Some(at) => at == cur,
                None => Self::fits(p, cur, node),
            };
            if ok && cur_node >= node {
                return Ok(cur);
            }
            b.remove_at(cur);
        }
        let mut try_at = |b: &mut Bindings, start: u64, evict: bool| -> Result<bool, PlaceError> {
            if !Self::fits(p, start, node) {
                return Ok(false);
            }
            let over = b.overlapping(start, node);
            for (_, x) in &over {
                let Some(o) = x.obj.upgrade() else { continue };
                match member(&o) {
                    Member::Pinned => return Err(PlaceError::Overlap),
                    // Only a softpin pushes a member aside; it is placed again later.
                    Member::Movable if p.pinned.is_some() => {}
                    Member::Movable => return Ok(false),
                    Member::Other if evict && evictable(&o) => {}
                    Member::Other => return Ok(false),
                }
            }
            for (s, _) in over {
                b.remove_at(s);
            }
            b.by_start.insert(
                start,
                Binding {
                    obj: Arc::downgrade(obj),
                    node_size: node,
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

    /// Remove `obj`'s binding, if any.
    pub fn unbind(&self, obj: &Arc<GemObject>) {
        let mut b = self.bindings.write();
        if let Some(s) = b.by_obj.get(&(Arc::as_ptr(obj) as usize)).copied() {
            b.remove_at(s);
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

impl AddressSpace for Vm {
    fn read(&self, gpu_addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        let b = self.bindings.read();
        let mut done = 0;
        while done < buf.len() {
            let addr = gpu_addr + done as u64;
            let (s, obj) = b.lookup(addr).ok_or(Fault { addr })?;
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
            let (s, obj) = b.lookup(addr).ok_or(Fault { addr })?;
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
