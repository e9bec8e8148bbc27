//! sw_sync (`drivers/dma-buf/sw_sync.c`): timelines of fences that a program signals
//! itself, which tests use to hold GPU work back. Each open of debugfs
//! `sync/sw_sync` is one timeline with a 32-bit counter starting at 0.
//!
//! - CREATE_FENCE(value) gives a sync_file with the timeline's point `value`: already
//!   signalled when the counter has reached it, else pending; a second request for a
//!   pending value gets the same fence.
//! - INC(n) adds `n` to the counter and signals, in order, every point it reached.
//!   Points compare as the kernel's 32-bit seqnos do (`(int)(point - value) <= 0`), so
//!   the counter may wrap.
//! - Closing the timeline signals its pending points with `ENOENT`; points that
//!   signalled already keep their status.
//!
//! The fences are plain [`DmaFence`]s named `sw_sync` / the opener's command name, so
//! they go wherever i915's fences go: execbuf FENCE_IN, syncobjs, merges, polls.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::device::Device;
use crate::export_table::NO_OWNER;
use crate::sync::dma_fence::context_alloc;
use crate::sync::{lock_order, DmaFence, FenceNames, TrackedMutex};
use crate::sync_file::SyncFile;
use crate::{Errno, Result};

/// One sw_sync timeline (`struct sync_timeline`).
pub struct SwSyncTimeline {
    context: u64,
    names: Arc<FenceNames>,
    points: TrackedMutex<Points>,
}

#[derive(Default)]
struct Points {
    /// The counter: every point at or before it has signalled.
    value: u32,
    /// Points not reached yet, by seqno (`pt_list`).
    pending: Vec<(u32, Arc<DmaFence>)>,
}

/// Whether point `seqno` is reached when the counter is `value`, with the kernel's
/// wrapping 32-bit comparison.
fn reached(seqno: u32, value: u32) -> bool {
    seqno.wrapping_sub(value) as i32 <= 0
}

impl SwSyncTimeline {
    /// A timeline at 0 on a context of its own, named `name` (the opener's command).
    pub fn new(name: &str) -> Arc<SwSyncTimeline> {
        Arc::new(SwSyncTimeline {
            context: context_alloc(1),
            names: Arc::new(FenceNames {
                driver: "sw_sync".into(),
                timeline: name.into(),
            }),
            points: TrackedMutex::new(&lock_order::SW_SYNC_TIMELINE, Points::default()),
        })
    }

    /// The timeline's fence context.
    pub fn context(&self) -> u64 {
        self.context
    }

    /// The counter's value.
    pub fn value(&self) -> u32 {
        self.points.lock().value
    }

    /// The fence of point `seqno` (`sync_pt_create`).
    pub fn point(&self, seqno: u32) -> Arc<DmaFence> {
        let fence = {
            let mut points = self.points.lock();
            if !reached(seqno, points.value) {
                if let Some((_, f)) = points.pending.iter().find(|(s, _)| *s == seqno) {
                    return f.clone();
                }
                let f = DmaFence::with_names(self.context, seqno.into(), self.names.clone());
                points.pending.push((seqno, f.clone()));
                return f;
            }
            DmaFence::with_names(self.context, seqno.into(), self.names.clone())
        };
        // Reached already: signalled now, outside the timeline's lock.
        let _ = fence.signal();
        fence
    }

    /// SW_SYNC_IOC_INC: advance the counter by `n` and signal what it reached. The
    /// kernel steps by at most `i32::MAX`, so that each step compares correctly.
    pub fn inc(&self, mut n: u32) {
        loop {
            let step = n.min(i32::MAX as u32);
            self.advance(step);
            n -= step;
            if n == 0 {
                break;
            }
        }
    }

    fn advance(&self, step: u32) {
        let ready = {
            let mut points = self.points.lock();
            let before = points.value;
            points.value = before.wrapping_add(step);
            let value = points.value;
            let (mut ready, left): (Vec<_>, Vec<_>) = std::mem::take(&mut points.pending)
                .into_iter()
                .partition(|(s, _)| reached(*s, value));
            points.pending = left;
            // In timeline order: the earliest point first.
            ready.sort_by_key(|(s, _)| s.wrapping_sub(before));
            ready
        };
        for (_, f) in ready {
            let _ = f.signal();
        }
    }

    /// The timeline's file was closed (`sw_sync_debugfs_release`): its pending points
    /// signal with `ENOENT`.
    pub fn close(&self) {
        let pending = std::mem::take(&mut self.points.lock().pending);
        for (_, f) in pending {
            f.set_error(Errno::ENOENT);
            let _ = f.signal();
        }
    }
}

/// The device's open timelines, by id.
pub(crate) struct SwSyncTimelines {
    table: TrackedMutex<HashMap<u64, Arc<SwSyncTimeline>>>,
    next: AtomicU64,
}

impl Default for SwSyncTimelines {
    fn default() -> Self {
        SwSyncTimelines {
            table: TrackedMutex::new(&lock_order::DEVICE_SW_SYNC, HashMap::new()),
            next: AtomicU64::new(1),
        }
    }
}

impl Device {
    /// An open of the sw_sync file by a program whose command name is `name`: a new
    /// timeline; its id.
    pub fn sw_sync_open(&self, name: &str) -> u64 {
        let id = self.sw_sync.next.fetch_add(1, Ordering::Relaxed);
        self.sw_sync
            .table
            .lock()
            .insert(id, SwSyncTimeline::new(name));
        id
    }

    /// Timeline `id`, while its file is open.
    pub fn sw_sync_timeline(&self, id: u64) -> Option<Arc<SwSyncTimeline>> {
        self.sw_sync.table.lock().get(&id).cloned()
    }

    /// The open of timeline `id` was released: its pending points signal with `ENOENT`.
    pub fn sw_sync_release(&self, id: u64) {
        let timeline = self.sw_sync.table.lock().remove(&id);
        if let Some(t) = timeline {
            t.close();
        }
    }

    /// SW_SYNC_IOC_INC on timeline `id`.
    pub fn sw_sync_inc(&self, id: u64, n: u32) -> Result<()> {
        self.sw_sync_timeline(id).ok_or(Errno::EBADF)?.inc(n);
        Ok(())
    }

    /// SW_SYNC_IOC_CREATE_FENCE's half in the device: a sync_file with point `value` of
    /// timeline `id`; its id (the program's side opens it as the new fd).
    pub fn sw_sync_create_fence(&self, id: u64, value: u32) -> Result<u64> {
        let fence = self.sw_sync_timeline(id).ok_or(Errno::EBADF)?.point(value);
        Ok(self.sync_file_export(SyncFile::new(&fence), NO_OWNER))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_signal_in_order_as_the_counter_reaches_them() {
        let t = SwSyncTimeline::new("test");
        let (p3, p1, p2) = (t.point(3), t.point(1), t.point(2));
        t.inc(1);
        assert!(p1.is_signaled() && !p2.is_signaled() && !p3.is_signaled());
        t.inc(2);
        assert!(p2.is_signaled() && p3.is_signaled());
        assert_eq!(p3.error(), None);
        assert!(p2.timestamp().unwrap() <= p3.timestamp().unwrap());
    }

    #[test]
    fn a_reached_point_is_born_signalled_and_a_pending_one_is_shared() {
        let t = SwSyncTimeline::new("test");
        assert!(t.point(0).is_signaled());
        let a = t.point(5);
        let b = t.point(5);
        assert!(Arc::ptr_eq(&a, &b));
        t.inc(5);
        assert!(t.point(4).is_signaled() && t.point(5).is_signaled());
        assert!(!Arc::ptr_eq(&a, &t.point(5)));
    }

    #[test]
    fn the_counter_wraps_as_32_bit_seqnos_do() {
        let t = SwSyncTimeline::new("test");
        t.inc(u32::MAX);
        assert_eq!(t.value(), u32::MAX);
        let after_wrap = t.point(1);
        assert!(!after_wrap.is_signaled());
        assert!(t.point(u32::MAX - 1).is_signaled());
        t.inc(2);
        assert!(after_wrap.is_signaled());
    }

    #[test]
    fn closing_signals_only_pending_points_with_enoent() {
        let t = SwSyncTimeline::new("test");
        let (done, pending) = (t.point(1), t.point(2));
        t.inc(1);
        t.close();
        assert_eq!(done.error(), None);
        assert!(pending.is_signaled());
        assert_eq!(pending.error(), Some(Errno::ENOENT));
    }

    #[test]
    fn fences_carry_the_timeline_names() {
        let t = SwSyncTimeline::new("prog");
        let f = t.point(1);
        let names = f.names().unwrap();
        assert_eq!(
            (names.driver.as_str(), names.timeline.as_str()),
            ("sw_sync", "prog")
        );
        assert_eq!(f.context(), t.context());
    }
}
