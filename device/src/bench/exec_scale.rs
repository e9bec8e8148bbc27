//! How execbuf scales (issue: IGT's whole suite): an empty batch submitted with 64 and
//! 4096 other objects, and with 4096 relocations, against the empty execbuf of one
//! object. The report derives the cost per object and per relocation from the medians.

use std::fs::File;

use super::exec::{close, create, pwrite, wait, BASE};
use super::harness::{Op, Outcome};
use super::Rig;
use crate::probe::drm_ioctl;
use crate::Fallible;

/// Relocations of the relocation benchmark.
pub const RELOCS: u32 = 4096;

const BB_END: [u8; 4] = (0x0A_u32 << 23).to_ne_bytes();

fn execbuf(card: &File, objs: &mut [uapi::drm_i915_gem_exec_object2], flags: u64) -> Fallible<()> {
    let mut eb = uapi::drm_i915_gem_execbuffer2 {
        buffers_ptr: objs.as_mut_ptr() as u64,
        buffer_count: objs.len() as u32,
        flags: uapi::I915_EXEC_RENDER | flags,
        ..Default::default()
    };
    // SAFETY: `objs` (and the relocation lists they point to) outlive the call.
    unsafe { drm_ioctl(card, uapi::DRM_IOCTL_I915_GEM_EXECBUFFER2, &mut eb) }
        .map_err(|e| format!("EXECBUFFER2: {e}"))
}

fn pinned(handle: u32, offset: u64) -> uapi::drm_i915_gem_exec_object2 {
    uapi::drm_i915_gem_exec_object2 {
        handle,
        offset,
        flags: uapi::EXEC_OBJECT_PINNED | uapi::EXEC_OBJECT_SUPPORTS_48B_ADDRESS,
        ..Default::default()
    }
}

/// Closes the benchmark's objects when the operation is dropped.
struct Objects<'c>(&'c File, Vec<u32>);

impl Drop for Objects<'_> {
    fn drop(&mut self) {
        for &h in &self.1 {
            close(self.0, h);
        }
    }
}

/// An empty batch with `others` more softpinned 4 KiB objects; requests are waited for
/// every 64 submissions, so the figure is the submission cost.
fn with_objects(rig: &Rig, others: usize) -> Fallible<Op<'_>> {
    let card = &rig.card;
    let mut held = Objects(card, Vec::new());
    let mut objs = Vec::with_capacity(others + 1);
    for i in 0..others {
        let h = create(card, 4096)?;
        held.1.push(h);
        objs.push(pinned(h, BASE + 4096 * (i as u64 + 1)));
    }
    let batch = create(card, 4096)?;
    held.1.push(batch);
    pwrite(card, batch, &BB_END)?;
    objs.push(pinned(batch, BASE));
    let mut n = 0u32;
    Ok(Box::new(move || {
        let _ = &held;
        execbuf(card, &mut objs, uapi::I915_EXEC_NO_RELOC)?;
        n += 1;
        if n.is_multiple_of(64) {
            wait(card, batch)?;
        }
        Ok(())
    }))
}

pub fn exec_objects_64_op(rig: &Rig) -> Fallible<Op<'_>> {
    with_objects(rig, 63)
}

pub fn exec_objects_4096_op(rig: &Rig) -> Fallible<Op<'_>> {
    with_objects(rig, 4095)
}

/// An empty batch whose [`RELOCS`] relocations all point at one target object with a
/// stale presumed offset, so that every one is applied and written back each time.
pub fn exec_relocs_op(rig: &Rig) -> Fallible<Op<'_>> {
    let card = &rig.card;
    let target = create(card, 4096)?;
    let batch = create(card, 64 * 1024)?;
    let held = Objects(card, vec![target, batch]);
    pwrite(card, batch, &BB_END)?;
    let fresh: Vec<uapi::drm_i915_gem_relocation_entry> = (0..RELOCS)
        .map(|k| uapi::drm_i915_gem_relocation_entry {
            target_handle: target,
            delta: k,
            offset: 16 + 8 * u64::from(k),
            presumed_offset: u64::MAX,
            read_domains: uapi::I915_GEM_DOMAIN_RENDER,
            write_domain: 0,
        })
        .collect();
    let mut relocs = fresh.clone();
    let mut objs = [pinned(target, BASE + (1 << 20)), pinned(batch, BASE)];
    Ok(Box::new(move || {
        let _ = &held;
        relocs.copy_from_slice(&fresh);
        objs[1].relocation_count = RELOCS;
        objs[1].relocs_ptr = relocs.as_mut_ptr() as u64;
        // A relocation writes the batch, so each submission waits for the last one.
        execbuf(card, &mut objs, 0)?;
        Ok(())
    }))
}

/// The per-object and per-relocation costs the medians imply, with the targets
/// (≤ 300 ns per object, ≤ 100 ns per relocation on top of the empty execbuf).
pub fn derived(outcomes: &[Outcome]) -> Vec<String> {
    let median = |name: &str| outcomes.iter().find(|o| o.name == name).map(|o| o.median);
    let Some(empty) = median("exec_empty") else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    let mut line = |name: &str, what: &str, count: f64, target_ns: f64| {
        if let Some(m) = median(name) {
            let ns = (m - empty) * 1000.0 / count;
            let verdict = if ns <= target_ns { "" } else { "  MISS" };
            lines.push(format!(
                "{name}: {ns:.0} ns per {what} beyond exec_empty (target ≤ {target_ns:.0} ns){verdict}"
            ));
        }
    };
    line("exec_objects_64", "object", 63.0, 300.0);
    line("exec_objects_4096", "object", 4095.0, 300.0);
    line("exec_relocs_4096", "relocation", f64::from(RELOCS), 100.0);
    lines
}
