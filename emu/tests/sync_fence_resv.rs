//! dma_fence, fence chains and dma_resv: one test per contract line.

use emu::sync::dma_fence::{self, context_alloc, FenceTimeline};
use emu::sync::{DmaFence, DmaResv, DmaResvUsage, Interrupt};
use emu::Errno;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

#[test]
fn identity_and_timeline_seqnos() {
    let (a, b) = (context_alloc(1), context_alloc(2));
    assert!(b > a && context_alloc(1) >= b + 2, "contexts are unique");
    let tl = FenceTimeline::new();
    let f1 = tl.next_fence();
    let f2 = tl.next_fence();
    assert_eq!(f1.context(), tl.context());
    assert_eq!((f1.seqno(), f2.seqno()), (1, 2));
    assert!(f2.is_later(&f1) && !f1.is_later(&f2));
    assert!(
        !f2.is_later(&FenceTimeline::new().next_fence()),
        "different contexts are unordered"
    );
}

#[test]
fn signals_exactly_once_with_timestamp() {
    let f = DmaFence::new(context_alloc(1), 1);
    assert!(!f.is_signaled() && f.timestamp().is_none());
    let before = Instant::now();
    f.signal().unwrap();
    assert!(f.is_signaled());
    assert!(f.timestamp().unwrap() >= before);
    assert_eq!(f.signal(), Err(Errno::EINVAL));
}

#[test]
fn error_is_set_before_signal() {
    let f = DmaFence::new(context_alloc(1), 1);
    f.set_error(Errno::EIO);
    f.signal().unwrap();
    assert_eq!(f.error(), Some(Errno::EIO));
    let r = std::panic::catch_unwind(|| f.set_error(Errno::EINVAL));
    assert!(r.is_err(), "set_error after signal must panic");
}

#[test]
fn callbacks_run_once_without_the_fence_lock() {
    let f = DmaFence::new(context_alloc(1), 1);
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    // The callback queries the fence: it would deadlock if the fence lock were held.
    f.add_callback(Box::new(move |f| {
        assert!(f.is_signaled());
        n2.fetch_add(1, Ordering::SeqCst);
    }))
    .unwrap();
    let removed = f
        .add_callback(Box::new(|_| panic!("removed callback ran")))
        .unwrap();
    assert!(f.remove_callback(removed));
    f.signal().unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 1);
    // On a signalled fence: ENOENT, and the callback is not called.
    let r = f.add_callback(Box::new(|_| panic!("called on a signalled fence")));
    assert_eq!(r.err(), Some(Errno::ENOENT));
}

#[test]
fn wait_with_timeout() {
    let f = DmaFence::new(context_alloc(1), 1);
    assert_eq!(f.wait_timeout(Some(Duration::ZERO)), Err(Errno::ETIME));
    assert_eq!(
        f.wait_timeout(Some(Duration::from_millis(10))),
        Err(Errno::ETIME)
    );
    let f2 = f.clone();
    let t = thread::spawn(move || {
        thread::sleep(Duration::from_millis(10));
        f2.signal().unwrap();
    });
    let left = f.wait_timeout(Some(Duration::from_secs(10))).unwrap();
    assert!(left > Duration::from_secs(5) && left < Duration::from_secs(10));
    t.join().unwrap();
    assert!(f.wait_timeout(Some(Duration::ZERO)).is_ok());
}

#[test]
fn interruptible_wait() {
    let f = DmaFence::new(context_alloc(1), 1);
    let intr = Arc::new(Interrupt::new());
    let i2 = intr.clone();
    let t = thread::spawn(move || {
        thread::sleep(Duration::from_millis(10));
        i2.raise();
    });
    assert_eq!(f.wait_interruptible(None, &intr), Err(Errno::EINTR));
    t.join().unwrap();
}

#[test]
fn wait_any_returns_the_first_signalled() {
    let fences: Vec<_> = (1..=3)
        .map(|s| DmaFence::new(context_alloc(1), s))
        .collect();
    assert_eq!(
        dma_fence::wait_any(&fences, Some(Duration::from_millis(5)), None),
        Err(Errno::ETIME)
    );
    let f = fences[2].clone();
    let t = thread::spawn(move || {
        thread::sleep(Duration::from_millis(10));
        f.signal().unwrap();
    });
    let (i, _) = dma_fence::wait_any(&fences, None, None).unwrap();
    assert_eq!(i, 2);
    t.join().unwrap();
    assert_eq!(dma_fence::wait_any(&[], None, None), Err(Errno::EINVAL));
    assert_eq!(
        dma_fence::wait_all(&fences, Some(Duration::from_millis(5)), None),
        Err(Errno::ETIME)
    );
    fences[0].signal().unwrap();
    fences[1].signal().unwrap();
    assert!(dma_fence::wait_all(&fences, Some(Duration::ZERO), None).is_ok());
}

/// A chain point signals only when its fence and every earlier point have.
#[test]
fn chain_signals_in_timeline_order() {
    let fences: Vec<_> = (0..4).map(|_| DmaFence::new(context_alloc(1), 1)).collect();
    let mut head: Option<Arc<DmaFence>> = None;
    let mut points = Vec::new();
    for (i, f) in fences.iter().enumerate() {
        let node = DmaFence::chain(head.take(), f.clone(), (i as u64 + 1) * 10).unwrap();
        points.push(node.clone());
        head = Some(node);
    }
    let head = head.unwrap();
    assert_eq!(head.seqno(), 40);
    assert!(points.iter().all(|p| p.context() == points[0].context()));
    // Signal out of order: point 3 first, then 1: only point 1 completes.
    fences[2].signal().unwrap();
    fences[0].set_error(Errno::EIO);
    fences[0].signal().unwrap();
    assert!(points[0].is_signaled() && !points[1].is_signaled() && !points[2].is_signaled());
    assert_eq!(points[0].error(), Some(Errno::EIO));
    // find_seqno: the earliest node covering the point; None once signalled.
    assert!(
        head.find_seqno(5).unwrap().is_none(),
        "point 10 covers 5 and has signalled"
    );
    assert!(Arc::ptr_eq(
        &head.find_seqno(15).unwrap().unwrap(),
        &points[1]
    ));
    assert!(Arc::ptr_eq(
        &head.find_seqno(30).unwrap().unwrap(),
        &points[2]
    ));
    assert_eq!(head.find_seqno(41).err(), Some(Errno::EINVAL));
    assert!(head.find_seqno(0).unwrap().is_none());
    // Point 2 releases 2 and 3 at once (a cascade), with the error carried along.
    fences[1].signal().unwrap();
    assert!(points[1].is_signaled() && points[2].is_signaled() && !head.is_signaled());
    assert_eq!(points[2].error(), Some(Errno::EIO));
    fences[3].signal().unwrap();
    assert!(head.is_signaled());
    assert!(
        head.chain_prev().is_none(),
        "signalled points drop their link"
    );
}

#[test]
fn chains_do_not_nest() {
    let f = DmaFence::new(context_alloc(1), 1);
    let c = DmaFence::chain(None, f.clone(), 1).unwrap();
    assert_eq!(
        DmaFence::chain(None, c.clone(), 2).err(),
        Some(Errno::EINVAL)
    );
    // Flatten instead: the plain fences behind the chain.
    let g = DmaFence::new(context_alloc(1), 1);
    let c2 = DmaFence::chain(Some(c), g.clone(), 2).unwrap();
    let flat = dma_fence::unwrap_fences(&c2);
    assert_eq!(flat.len(), 2);
    assert!(Arc::ptr_eq(&flat[0], &g) && Arc::ptr_eq(&flat[1], &f));
    assert!(flat.iter().all(|x| !x.is_chain()));
    f.signal().unwrap();
    assert_eq!(dma_fence::unwrap_fences(&c2).len(), 1);
}

#[test]
fn long_chain_signals_and_drops_without_recursion() {
    let fences: Vec<_> = (0..100_000)
        .map(|_| DmaFence::new(context_alloc(1), 1))
        .collect();
    let mut head = None;
    for (i, f) in fences.iter().enumerate() {
        head = Some(DmaFence::chain(head.take(), f.clone(), i as u64 + 1).unwrap());
    }
    let head = head.unwrap();
    for f in fences.iter().skip(1) {
        f.signal().unwrap();
    }
    assert!(!head.is_signaled());
    fences[0].signal().unwrap(); // releases 100k points in one cascade
    assert!(head.is_signaled());
    // And an unsignalled long chain drops iteratively.
    let mut head = None;
    for i in 0..100_000u64 {
        head =
            Some(DmaFence::chain(head.take(), DmaFence::new(context_alloc(1), 1), i + 1).unwrap());
    }
    drop(head);
}

#[test]
fn resv_usage_order_and_queries() {
    use DmaResvUsage::*;
    assert!(Kernel < Write && Write < Read && Read < Bookkeep);
    assert_eq!(
        DmaResvUsage::for_access(true),
        Read,
        "a write waits for READ and lower"
    );
    assert_eq!(
        DmaResvUsage::for_access(false),
        Write,
        "a read waits for WRITE and lower"
    );
    let resv = DmaResv::new(());
    let f: Vec<_> = (0..4).map(|_| FenceTimeline::new().next_fence()).collect();
    {
        let mut l = resv.lock_single();
        l.reserve_fences(4).unwrap();
        for (fence, usage) in f.iter().zip([Kernel, Write, Read, Bookkeep]) {
            l.add_fence(fence.clone(), usage);
        }
    }
    assert_eq!(resv.fences(Kernel).len(), 1);
    assert_eq!(resv.fences(Write).len(), 2);
    assert_eq!(resv.fences(Read).len(), 3);
    assert_eq!(resv.fences(Bookkeep).len(), 4);
    f[0].signal().unwrap();
    f[1].signal().unwrap();
    assert!(resv.test_signaled(Write) && !resv.test_signaled(Read));
    assert_eq!(
        resv.wait(Read, Some(Duration::from_millis(5)), None),
        Err(Errno::ETIME)
    );
    let f2 = f[2].clone();
    let t = thread::spawn(move || {
        thread::sleep(Duration::from_millis(5));
        f2.signal().unwrap();
    });
    assert!(resv.wait(Read, Some(Duration::from_secs(10)), None).is_ok());
    t.join().unwrap();
    assert!(!resv.test_signaled(Bookkeep));
    let intr = Interrupt::new();
    intr.raise();
    assert_eq!(resv.wait(Bookkeep, None, Some(&intr)), Err(Errno::EINTR));
}

#[test]
fn resv_same_context_replaces_and_signalled_are_pruned() {
    let resv = DmaResv::new(());
    let tl = FenceTimeline::new();
    let (f1, f2) = (tl.next_fence(), tl.next_fence());
    let mut l = resv.lock_single();
    l.reserve_fences(1).unwrap();
    l.add_fence(f1.clone(), DmaResvUsage::Read);
    l.reserve_fences(1).unwrap();
    l.add_fence(f2.clone(), DmaResvUsage::Write); // later, stronger: replaces f1
    assert_eq!(l.fences(DmaResvUsage::Bookkeep).count(), 1);
    assert_eq!(l.reserved_slots(), 1, "a replacement does not use its slot");
    let other = FenceTimeline::new().next_fence();
    l.add_fence(other.clone(), DmaResvUsage::Read);
    other.signal().unwrap();
    l.reserve_fences(1).unwrap();
    l.add_fence(FenceTimeline::new().next_fence(), DmaResvUsage::Read);
    drop(l);
    assert_eq!(resv.fences(DmaResvUsage::Bookkeep).len(), 2);
}

#[test]
#[should_panic(expected = "add_fence without a reserved slot")]
fn resv_add_needs_a_reserved_slot() {
    let resv = DmaResv::new(());
    resv.lock_single()
        .add_fence(FenceTimeline::new().next_fence(), DmaResvUsage::Write);
}

/// Fences signalled from several threads, waited from several others.
#[test]
fn many_waiters_many_signallers() {
    let fences: Vec<_> = (0..64).map(|_| FenceTimeline::new().next_fence()).collect();
    let woke = Arc::new(Mutex::new(0));
    let waiters: Vec<_> = fences
        .chunks(8)
        .map(|c| {
            let c = c.to_vec();
            let woke = woke.clone();
            thread::spawn(move || {
                dma_fence::wait_all(&c, Some(Duration::from_secs(20)), None).unwrap();
                *woke.lock().unwrap() += 1;
            })
        })
        .collect();
    let signallers: Vec<_> = (0..2)
        .map(|k| {
            let fs: Vec<_> = fences.iter().skip(k).step_by(2).cloned().collect();
            thread::spawn(move || fs.iter().for_each(|f| f.signal().unwrap()))
        })
        .collect();
    signallers.into_iter().for_each(|s| s.join().unwrap());
    waiters.into_iter().for_each(|w| w.join().unwrap());
    assert_eq!(*woke.lock().unwrap(), 8);
}

#[test]
fn reserved_slots_last_only_while_locked() {
    let resv = DmaResv::new(());
    resv.lock_single().reserve_fences(2).unwrap();
    let l = resv.lock_single();
    assert_eq!(l.reserved_slots(), 0, "unlocking drops the reservation");
}
