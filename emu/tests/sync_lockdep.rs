//! The lock-order validator: it reports a constructed inversion naming both
//! chains, and stays silent on legal nesting. (Every other test of the suite runs
//! with the validator on in panic mode, so its silence there is tested too.)

use emu::sync::lockdep::{self, collect_reports, ReportKind};
use emu::sync::{lock_order, LockClass, TrackedMutex, Transaction, WwAlgorithm, WwClass, WwMutex};
use std::thread;

/// The i915 userptr seed thread: `mn->sem` (the MMU-notifier semaphore) is held
/// while taking `mmap_sem`; `mmap_sem` is held while allocating, which can enter
/// `reclaim`; reclaim invalidates userptr ranges, taking `mn->sem`. Each pair is
/// taken on its own thread, in an order that is fine alone; the third closes the
/// cycle and is reported before anything blocks.
#[test]
fn userptr_inversion_is_reported_with_both_chains() {
    static MN_SEM: LockClass = LockClass::new("i915_mmu_notifier.sem");
    static MMAP_SEM: LockClass = LockClass::new("mm.mmap_sem");
    static RECLAIM: LockClass = LockClass::new("fs_reclaim");
    static MN: TrackedMutex<()> = TrackedMutex::new(&MN_SEM, ());
    static MMAP: TrackedMutex<()> = TrackedMutex::new(&MMAP_SEM, ());
    static FS_RECLAIM: TrackedMutex<()> = TrackedMutex::new(&RECLAIM, ());

    // A -> B: get_pages worker holds mn->sem, then mmap_sem.
    thread::Builder::new()
        .name("userptr-worker".into())
        .spawn(|| {
            let _a = MN.lock();
            let _b = MMAP.lock();
        })
        .unwrap()
        .join()
        .unwrap();
    // B -> C: a page fault under mmap_sem allocates and enters reclaim.
    thread::Builder::new()
        .name("fault".into())
        .spawn(|| {
            let _b = MMAP.lock();
            let _c = FS_RECLAIM.lock();
        })
        .unwrap()
        .join()
        .unwrap();
    // C -> A: reclaim invalidates a userptr range and takes mn->sem.
    let ((), reports) = collect_reports(|| {
        let _c = FS_RECLAIM.lock();
        let _a = MN.lock();
    });
    assert_eq!(reports.len(), 1, "{reports:#?}");
    let r = &reports[0];
    println!("{}", r.text); // shown with --nocapture
    assert_eq!(r.kind, ReportKind::Inversion);
    assert_eq!(
        (r.held, r.acquiring),
        ("fs_reclaim", "i915_mmu_notifier.sem")
    );
    let chain: Vec<_> = r.existing_chain.iter().map(|l| (l.from, l.to)).collect();
    assert_eq!(
        chain,
        vec![
            ("i915_mmu_notifier.sem", "mm.mmap_sem"),
            ("mm.mmap_sem", "fs_reclaim")
        ]
    );
    assert_eq!(r.existing_chain[0].thread, "userptr-worker");
    assert_eq!(r.existing_chain[1].thread, "fault");
    assert!(r.text.contains("possible circular locking dependency"));
    assert!(
        r.text.contains("sync_lockdep.rs"),
        "edges name where they were first seen:\n{}",
        r.text
    );
    // Reported once: the same inversion again is silent.
    let ((), again) = collect_reports(|| {
        let _c = FS_RECLAIM.lock();
        let _a = MN.lock();
    });
    assert!(again.is_empty());
    assert!(lockdep::held_classes().is_empty());
}

#[test]
fn the_declared_order_is_enforced() {
    static FENCE_LOCK: TrackedMutex<()> = TrackedMutex::new(&lock_order::FENCE, ());
    static HANDLES: TrackedMutex<()> = TrackedMutex::new(&lock_order::FILE_HANDLES, ());
    // Forward (declared) order: silent.
    {
        let _h = HANDLES.lock();
        let _f = FENCE_LOCK.lock();
    }
    // Reverse of a declared pair that never ran forward: reported anyway.
    static NAMES: TrackedMutex<()> = TrackedMutex::new(&lock_order::DEVICE_NAMES, ());
    let ((), reports) = collect_reports(|| {
        let _f = FENCE_LOCK.lock();
        let _n = NAMES.lock();
    });
    assert_eq!(reports.len(), 1);
    assert!(
        reports[0].text.contains("lock_order.rs"),
        "{}",
        reports[0].text
    );
}

#[test]
fn recursive_plain_lock_is_reported() {
    static K: LockClass = LockClass::new("test.recursive");
    let (a, b) = (TrackedMutex::new(&K, ()), TrackedMutex::new(&K, ()));
    let ((), reports) = collect_reports(|| {
        let _a = a.lock();
        let _b = b.lock();
    });
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].kind, ReportKind::Recursive);
}

/// ww_mutexes of one class nest under an acquire context; a ww class under a
/// later class of the declared order would be an inversion.
#[test]
fn ww_nesting_is_legal_and_ww_after_inner_locks_is_not() {
    let c = WwClass::leak("lockdep_ww", WwAlgorithm::WaitDie);
    let objs: Vec<_> = (0..3)
        .map(|_| std::sync::Arc::new(WwMutex::new(c, ())))
        .collect();
    let ((), reports) = collect_reports(|| {
        let mut txn = Transaction::new(c);
        txn.run(|t| objs.iter().try_for_each(|o| t.lock(o)))
            .unwrap();
    });
    assert!(reports.is_empty(), "{reports:#?}");

    static SYNCOBJ: TrackedMutex<()> = TrackedMutex::new(&lock_order::SYNCOBJ, ());
    let resv = emu::sync::DmaResv::new(());
    let ((), reports) = collect_reports(|| {
        let _s = SYNCOBJ.lock();
        let _r = resv.lock_single(); // reservation is outermost: an inversion
    });
    assert_eq!(reports.len(), 1, "{reports:#?}");
    assert_eq!(reports[0].acquiring, "reservation_ww_class");
}

/// A trylock never blocks, so taking it against the order is not a deadlock.
#[test]
fn trylock_against_the_order_is_silent() {
    static OUTER: LockClass = LockClass::new("test.try.outer");
    static INNER: LockClass = LockClass::new("test.try.inner");
    let (o, i) = (TrackedMutex::new(&OUTER, ()), TrackedMutex::new(&INNER, ()));
    {
        let _o = o.lock();
        let _i = i.lock();
    }
    let ((), reports) = collect_reports(|| {
        let _i = i.lock();
        let _o = o.try_lock().expect("free");
    });
    assert!(reports.is_empty(), "{reports:#?}");
}

/// The fence-signalling annotation: an engine that takes a lock while it
/// signals, and a thread that waits for a fence while holding that lock, are an
/// inversion — the engine could block on the waiter, which waits for the engine.
#[test]
fn lock_shared_by_signaller_and_waiter_is_reported() {
    use emu::sync::dma_fence::FenceTimeline;
    static ENGINE_STATE: LockClass = LockClass::new("test.engine_state");
    static STATE: TrackedMutex<()> = TrackedMutex::new(&ENGINE_STATE, ());
    let fence = FenceTimeline::new().next_fence();
    let f = fence.clone();
    thread::Builder::new()
        .name("engine".into())
        .spawn(move || {
            let _section = lockdep::begin_signalling();
            let _s = STATE.lock(); // the completion path takes the engine's lock
            f.signal().unwrap();
        })
        .unwrap()
        .join()
        .unwrap();
    let (_, reports) = collect_reports(|| {
        let _s = STATE.lock();
        let _ = fence.wait_timeout(Some(std::time::Duration::ZERO));
    });
    assert_eq!(reports.len(), 1, "{reports:#?}");
    assert_eq!(
        (reports[0].held, reports[0].acquiring),
        ("test.engine_state", "dma_fence_map")
    );
    assert_eq!(reports[0].existing_chain[0].thread, "engine");
}

/// A fence callback runs on the signalling path: waiting there is reported.
#[test]
fn waiting_in_a_fence_callback_is_reported() {
    use emu::sync::dma_fence::FenceTimeline;
    let (a, b) = (
        FenceTimeline::new().next_fence(),
        FenceTimeline::new().next_fence(),
    );
    let b2 = b.clone();
    a.add_callback(Box::new(move |_| {
        let _ = b2.wait_timeout(Some(std::time::Duration::ZERO));
    }))
    .unwrap();
    let (_, reports) = collect_reports(|| a.signal().unwrap());
    assert_eq!(reports.len(), 1, "{reports:#?}");
    assert_eq!(reports[0].kind, ReportKind::Recursive);
    assert_eq!(reports[0].acquiring, "dma_fence_map");
    // Waiting while holding a reservation is fine (it comes first in the order).
    let resv = emu::sync::DmaResv::new(());
    let (_, reports) = collect_reports(|| {
        let _r = resv.lock_single();
        let _ = b.wait_timeout(Some(std::time::Duration::ZERO));
    });
    assert!(reports.is_empty(), "{reports:#?}");
}

#[test]
fn rwlock_reads_count_as_acquisitions() {
    use emu::sync::TrackedRwLock;
    static TABLE: LockClass = LockClass::new("test.rw.table");
    static ENTRY: LockClass = LockClass::new("test.rw.entry");
    let (t, e) = (TrackedRwLock::new(&TABLE, 1), TrackedMutex::new(&ENTRY, ()));
    {
        let r = t.read();
        let _e = e.lock();
        assert_eq!(*r, 1);
    }
    *t.write() += 1;
    let ((), reports) = collect_reports(|| {
        let _e = e.lock();
        let _r = t.read();
    });
    assert_eq!(reports.len(), 1);
}
