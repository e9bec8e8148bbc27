//! Benchmarks of execution (issues 4 and 5): execbuf round trips, a store-heavy batch,
//! 64 MiB blits (linear and tiled) and blits from and to userptr memory, against the
//! floor and memcpy; the create/destroy rate of purgeable objects under the bench
//! device's budget.
//!
//! Every batch is built by `gpu_backend::bench::Scenario`, the same builder the
//! streamer's own benchmark uses, and submitted through card0 as a client would.

use std::fs::File;
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use gpu_backend::bench::Scenario;
use gpu_backend::Tiling;

use super::harness::Op;
use super::sys_ioctl as drm_ioctl;
use super::Rig;
use crate::Fallible;

/// Bytes of the blit benchmarks' surfaces: 4096 × 4096 pixels at 32 bpp.
pub const BLIT_BYTES: usize = 64 << 20;
const BLIT_W: u32 = 4096;
const BLIT_H: u32 = 4096;
/// Where the benchmarks' objects are softpinned.
pub(super) const BASE: u64 = 1 << 32;

fn ioctl<T>(card: &File, cmd: u32, arg: &mut T, what: &str) -> Fallible<()> {
    // SAFETY: every struct passed here carries pointers only to live buffers of the
    // sizes the command gives them (see each caller).
    unsafe { drm_ioctl(card, cmd, arg) }.map_err(|e| format!("{what}: {e}"))
}

pub(super) fn create(card: &File, size: u64) -> Fallible<u32> {
    let mut c = uapi::drm_i915_gem_create {
        size,
        ..Default::default()
    };
    ioctl(card, uapi::DRM_IOCTL_I915_GEM_CREATE, &mut c, "GEM_CREATE")?;
    Ok(c.handle)
}

pub(super) fn close(card: &File, handle: u32) {
    let mut c = uapi::drm_gem_close {
        handle,
        ..Default::default()
    };
    let _ = ioctl(card, uapi::DRM_IOCTL_GEM_CLOSE, &mut c, "GEM_CLOSE");
}

pub(super) fn pwrite(card: &File, handle: u32, data: &[u8]) -> Fallible<()> {
    let mut p = uapi::drm_i915_gem_pwrite {
        handle,
        size: data.len() as u64,
        data_ptr: data.as_ptr() as u64,
        ..Default::default()
    };
    ioctl(card, uapi::DRM_IOCTL_I915_GEM_PWRITE, &mut p, "PWRITE")
}

fn pread(card: &File, handle: u32, data: &mut [u8]) -> Fallible<()> {
    let mut p = uapi::drm_i915_gem_pread {
        handle,
        size: data.len() as u64,
        data_ptr: data.as_mut_ptr() as u64,
        ..Default::default()
    };
    ioctl(card, uapi::DRM_IOCTL_I915_GEM_PREAD, &mut p, "PREAD")
}

pub(super) fn wait(card: &File, handle: u32) -> Fallible<()> {
    let mut w = uapi::drm_i915_gem_wait {
        bo_handle: handle,
        flags: 0,
        timeout_ns: 10_000_000_000,
    };
    ioctl(card, uapi::DRM_IOCTL_I915_GEM_WAIT, &mut w, "GEM_WAIT")
}

/// A softpinned submission: `objs` are `(handle, address, write)`, the last one the batch.
struct Submission {
    objs: Vec<uapi::drm_i915_gem_exec_object2>,
    flags: u64,
}

impl Submission {
    fn new(objs: &[(u32, u64, bool)], blitter: bool) -> Submission {
        let objs = objs
            .iter()
            .map(|&(handle, offset, write)| uapi::drm_i915_gem_exec_object2 {
                handle,
                offset,
                flags: uapi::EXEC_OBJECT_PINNED
                    | uapi::EXEC_OBJECT_SUPPORTS_48B_ADDRESS
                    | if write { uapi::EXEC_OBJECT_WRITE } else { 0 },
                ..Default::default()
            })
            .collect();
        let flags = if blitter {
            uapi::I915_EXEC_BLT
        } else {
            uapi::I915_EXEC_RENDER
        };
        Submission { objs, flags }
    }

    fn submit(&mut self, card: &File) -> Fallible<()> {
        let mut eb = uapi::drm_i915_gem_execbuffer2 {
            buffers_ptr: self.objs.as_mut_ptr() as u64,
            buffer_count: self.objs.len() as u32,
            flags: self.flags | uapi::I915_EXEC_NO_RELOC,
            ..Default::default()
        };
        ioctl(
            card,
            uapi::DRM_IOCTL_I915_GEM_EXECBUFFER2,
            &mut eb,
            "EXECBUFFER2",
        )
    }
}

fn batch_bytes(cmds: &[u32]) -> Vec<u8> {
    cmds.iter().flat_map(|d| d.to_ne_bytes()).collect()
}

/// An empty batch (MI_BATCH_BUFFER_END) per operation; requests are waited for only
/// every so often, so the figure is the submission cost.
fn empty_loop(card: &File) -> Fallible<impl FnMut() -> Fallible<()> + '_> {
    let batch = create(card, 4096)?;
    pwrite(card, batch, &batch_bytes(&Scenario::Empty.batch(BASE)?))?;
    let mut sub = Submission::new(&[(batch, BASE, false)], false);
    let mut n = 0u32;
    Ok(move || {
        sub.submit(card)?;
        n += 1;
        if n.is_multiple_of(256) {
            wait(card, batch)?;
        }
        Ok(())
    })
}

pub fn exec_empty_op(rig: &Rig) -> Fallible<Op<'_>> {
    Ok(Box::new(empty_loop(&rig.card)?))
}

/// The same with a second client (its own open of card0) submitting empty batches as
/// fast as it can on another thread for the whole benchmark.
pub fn exec_empty_two_op(rig: &Rig) -> Fallible<Op<'_>> {
    let stop = Arc::new(AtomicBool::new(false));
    let other = rig.reopen()?;
    let s = stop.clone();
    let thread = std::thread::spawn(move || -> Fallible<()> {
        let mut op = empty_loop(&other)?;
        while !s.load(Ordering::Relaxed) {
            op()?;
        }
        Ok(())
    });
    let guard = StopOnDrop(stop, Some(thread));
    let mut op = empty_loop(&rig.card)?;
    Ok(Box::new(move || {
        let _ = &guard;
        op()
    }))
}

struct StopOnDrop(
    Arc<AtomicBool>,
    Option<std::thread::JoinHandle<Fallible<()>>>,
);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
        if let Some(t) = self.1.take() {
            let _ = t.join();
        }
    }
}

/// A batch of 1000 MI_STORE_DWORD_IMM, submitted and waited for.
pub fn exec_store1000_op(rig: &Rig) -> Fallible<Op<'_>> {
    let card = &rig.card;
    let scenario = Scenario::StoreDwords { count: 1000 };
    let batch = create(card, 1 << 20)?;
    pwrite(card, batch, &batch_bytes(&scenario.batch(BASE)?))?;
    let mut sub = Submission::new(&[(batch, BASE, false)], false);
    Ok(Box::new(move || {
        sub.submit(card)?;
        wait(card, batch)
    }))
}

/// A 64 MiB memcpy between two heap buffers: what the blits are held to.
pub fn memcpy_64m_op(_: &Rig) -> Fallible<Op<'_>> {
    let src = vec![0x5au8; BLIT_BYTES];
    let mut dst = vec![0xa5u8; BLIT_BYTES];
    Ok(Box::new(move || {
        dst.copy_from_slice(black_box(&src));
        black_box(&mut dst);
        Ok(())
    }))
}

/// Client memory for a userptr surface, page aligned, touched.
struct Mapping(*mut u8, usize);

impl Mapping {
    fn new(len: usize) -> Fallible<Mapping> {
        // SAFETY: a fresh private anonymous mapping; unmapped only in drop.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_POPULATE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err("mmap for a userptr surface failed".into());
        }
        Ok(Mapping(p.cast(), len))
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `new`, no longer used by any object (closed first).
        unsafe { libc::munmap(self.0.cast(), self.1) };
    }
}

/// Where a blit's source and destination come from.
#[derive(Clone, Copy)]
enum Side {
    Gem,
    Userptr,
}

fn blit_op(rig: &Rig, scenario: Scenario, src: Side, dst: Side) -> Fallible<Op<'_>> {
    let card = &rig.card;
    let batch = create(card, 1 << 20)?;
    pwrite(card, batch, &batch_bytes(&scenario.batch(BASE)?))?;
    let (src_at, dst_at) = scenario.surfaces(BASE);
    let size = scenario.surface_bytes();
    let mut maps = Vec::new();
    let mut surface = |side: Side| -> Fallible<u32> {
        match side {
            Side::Gem => create(card, size),
            Side::Userptr => {
                let m = Mapping::new(size as usize)?;
                let mut u = uapi::drm_i915_gem_userptr {
                    user_ptr: m.0 as u64,
                    user_size: size,
                    ..Default::default()
                };
                ioctl(
                    card,
                    uapi::DRM_IOCTL_I915_GEM_USERPTR,
                    &mut u,
                    "GEM_USERPTR",
                )?;
                maps.push(m);
                Ok(u.handle)
            }
        }
    };
    let s = surface(src)?;
    let d = surface(dst)?;
    let mut sub = Submission::new(
        &[(s, src_at, false), (d, dst_at, true), (batch, BASE, false)],
        scenario.on_blitter(),
    );
    // One run to fault every page in before timing.
    sub.submit(card)?;
    wait(card, d)?;
    Ok(Box::new(move || {
        let _ = &maps;
        sub.submit(card)?;
        wait(card, d)
    }))
}

const fn src_copy(src: Tiling, dst: Tiling) -> Scenario {
    Scenario::SrcCopy {
        src,
        dst,
        width: BLIT_W,
        height: BLIT_H,
    }
}

const fn fast_copy(src: Tiling, dst: Tiling) -> Scenario {
    Scenario::FastCopy {
        src,
        dst,
        width: BLIT_W,
        height: BLIT_H,
    }
}

pub fn src_copy_linear_op(rig: &Rig) -> Fallible<Op<'_>> {
    blit_op(
        rig,
        src_copy(Tiling::Linear, Tiling::Linear),
        Side::Gem,
        Side::Gem,
    )
}

pub fn src_copy_tiled_op(rig: &Rig) -> Fallible<Op<'_>> {
    blit_op(rig, src_copy(Tiling::Y, Tiling::Y), Side::Gem, Side::Gem)
}

pub fn fast_copy_linear_op(rig: &Rig) -> Fallible<Op<'_>> {
    blit_op(
        rig,
        fast_copy(Tiling::Linear, Tiling::Linear),
        Side::Gem,
        Side::Gem,
    )
}

pub fn fast_copy_tiled_op(rig: &Rig) -> Fallible<Op<'_>> {
    blit_op(rig, fast_copy(Tiling::Y, Tiling::Y), Side::Gem, Side::Gem)
}

pub fn userptr_to_gem_op(rig: &Rig) -> Fallible<Op<'_>> {
    blit_op(
        rig,
        src_copy(Tiling::Linear, Tiling::Linear),
        Side::Userptr,
        Side::Gem,
    )
}

pub fn gem_to_userptr_op(rig: &Rig) -> Fallible<Op<'_>> {
    blit_op(
        rig,
        src_copy(Tiling::Linear, Tiling::Linear),
        Side::Gem,
        Side::Userptr,
    )
}

/// Create a 1 MiB object, write it, read it back (a pwrite alone leaves it without
/// pages, and DONTNEED would purge it at once), mark it DONTNEED; keep the last 512
/// (512 MiB) alive, so that the bench device's budget makes the shrinker purge as it
/// goes.
pub fn purgeable_op(rig: &Rig) -> Fallible<Op<'_>> {
    let card = &rig.card;
    let data = vec![0x42u8; 4096];
    let mut back = vec![0u8; 4096];
    let mut ring = std::collections::VecDeque::new();
    Ok(Box::new(move || {
        let h = create(card, 1 << 20)?;
        pwrite(card, h, &data)?;
        pread(card, h, &mut back)?;
        let mut m = uapi::drm_i915_gem_madvise {
            handle: h,
            madv: uapi::I915_MADV_DONTNEED,
            retained: 0,
        };
        ioctl(card, uapi::DRM_IOCTL_I915_GEM_MADVISE, &mut m, "MADVISE")?;
        ring.push_back(h);
        if ring.len() > 512 {
            close(card, ring.pop_front().unwrap());
        }
        Ok(())
    }))
}
