//! The drm_exec-style transaction: retry loop, duplicates, references, eviction list.

use emu::sync::{DmaResv, Interrupt, Transaction, WwAcquireCtx, WwAlgorithm, WwClass, WwMutex};
use emu::Errno;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

fn class(algo: WwAlgorithm) -> &'static WwClass {
    WwClass::leak("txn_test", algo)
}

fn objs(c: &'static WwClass, n: usize) -> Vec<Arc<DmaResv<u32>>> {
    (0..n)
        .map(|i| Arc::new(DmaResv::with_class(c, i as u32)))
        .collect()
}

#[test]
fn locks_everything_and_fini_unlocks() {
    let c = class(WwAlgorithm::WaitDie);
    let o = objs(c, 4);
    let mut txn = Transaction::new(c);
    txn.run(|t| o.iter().try_for_each(|x| t.lock(x))).unwrap();
    assert!(o.iter().all(|x| x.ww_mutex().is_locked()));
    assert_eq!(txn.objects().count(), 4);
    assert!(
        o.iter().all(|x| Arc::strong_count(x) == 2),
        "the transaction holds a reference"
    );
    **txn.get_mut(&o[2]) += 10;
    assert_eq!(**txn.get(&o[2]), 12);
    txn.fini();
    assert!(o
        .iter()
        .all(|x| !x.ww_mutex().is_locked() && Arc::strong_count(x) == 1));
}

#[test]
fn duplicates_only_when_allowed() {
    let c = class(WwAlgorithm::WoundWait);
    let o = objs(c, 2);
    let mut txn = Transaction::new(c);
    let r = txn.run(|t| {
        t.lock(&o[0])?;
        t.lock(&o[0])
    });
    assert_eq!(r, Err(Errno::EALREADY));
    drop(txn);
    let mut txn = Transaction::new(c).allow_duplicates();
    txn.run(|t| {
        t.lock(&o[0])?;
        t.lock(&o[1])?;
        t.lock(&o[0])
    })
    .unwrap();
    assert_eq!(txn.objects().count(), 2);
}

/// Under injection every pass may back off; the body is rerun, the contended
/// object is locked first, and the stamp stays the same.
#[test]
fn backs_off_and_retries_under_injection() {
    for algo in [WwAlgorithm::WaitDie, WwAlgorithm::WoundWait] {
        let c = class(algo);
        c.inject_deadlocks(0.3, 99);
        let o = objs(c, 8);
        let mut txn = Transaction::new(c);
        let stamp = txn.ctx().stamp();
        let mut passes = 0;
        txn.run(|t| {
            passes += 1;
            o.iter().try_for_each(|x| t.lock(x))
        })
        .unwrap();
        assert!(txn.backoffs() > 0 && passes == txn.backoffs() + 1);
        assert_eq!(txn.ctx().stamp(), stamp);
        assert_eq!(txn.objects().count(), 8);
        c.inject_deadlocks(0.0, 0);
    }
}

/// Eviction victims are held on their own list until fini, and are dropped
/// with everything else on a back-off.
#[test]
fn eviction_list() {
    let c = class(WwAlgorithm::WaitDie);
    let o = objs(c, 4);
    let mut txn = Transaction::new(c);
    txn.run(|t| {
        t.lock(&o[0])?;
        t.lock_for_eviction(&o[1])?;
        assert!(t.try_lock_for_eviction(&o[2]));
        Ok(())
    })
    .unwrap();
    assert_eq!(txn.objects().count(), 1);
    assert_eq!(txn.evicted().count(), 2);
    assert!(!txn.try_lock_for_eviction(&o[2]), "already ours");
    assert!(txn.unlock(&o[2]));
    assert!(!o[2].ww_mutex().is_locked());
    drop(txn);
    assert!(o.iter().all(|x| !x.ww_mutex().is_locked()));

    // A back-off while evicting drops the victims too.
    c.inject_deadlocks(1.0, 5);
    let mut txn = Transaction::new(c);
    let mut pass = 0;
    txn.run(|t| {
        pass += 1;
        t.lock(&o[0])?;
        if pass == 1 {
            assert_eq!(t.lock_for_eviction(&o[1]), Err(Errno::EDEADLK));
            assert!(!o[0].ww_mutex().is_locked(), "back-off released everything");
            c.inject_deadlocks(0.0, 0);
            return Err(Errno::EDEADLK);
        }
        Ok(())
    })
    .unwrap();
    assert_eq!(
        txn.evicted().count(),
        1,
        "the contended victim was relocked first"
    );
    assert_eq!(txn.objects().count(), 1);
}

/// Two transactions in opposite orders on the same objects both complete.
#[test]
fn opposite_orders_complete() {
    for algo in [WwAlgorithm::WaitDie, WwAlgorithm::WoundWait] {
        let c = class(algo);
        let o = Arc::new(objs(c, 6));
        let barrier = Arc::new(Barrier::new(2));
        let ts: Vec<_> = [false, true]
            .into_iter()
            .map(|rev| {
                let (o, barrier) = (o.clone(), barrier.clone());
                thread::spawn(move || {
                    let mut order: Vec<_> = o.iter().cloned().collect();
                    if rev {
                        order.reverse();
                    }
                    barrier.wait();
                    for _ in 0..50 {
                        let mut txn = Transaction::new(c);
                        txn.run(|t| order.iter().try_for_each(|x| t.lock(x)))
                            .unwrap();
                        for x in &order {
                            **txn.get_mut(x) += 1;
                        }
                    }
                })
            })
            .collect();
        ts.into_iter().for_each(|t| t.join().unwrap());
        let total: u32 = o.iter().map(|x| **x.lock_single()).sum();
        assert_eq!(total, (0..6).sum::<u32>() + 6 * 100);
    }
}

#[test]
fn interruptible_transaction() {
    let c = class(WwAlgorithm::WaitDie);
    let o = Arc::new(WwMutex::new(c, ()));
    let o2 = o.clone();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
    let holder = thread::spawn(move || {
        let ctx = WwAcquireCtx::new(c);
        let _g = o2.lock(&ctx).unwrap();
        held_tx.send(()).unwrap();
        rx.recv().unwrap();
    });
    held_rx.recv().unwrap();
    let intr = Arc::new(Interrupt::new());
    let i2 = intr.clone();
    let raiser = thread::spawn(move || {
        thread::sleep(Duration::from_millis(10));
        i2.raise();
    });
    let mut txn = Transaction::new(c).interruptible(intr);
    assert_eq!(txn.run(|t| t.lock(&o)), Err(Errno::EINTR));
    raiser.join().unwrap();
    tx.send(()).unwrap();
    holder.join().unwrap();
}

#[test]
#[should_panic(expected = "data access without holding the lock")]
fn data_of_an_unlocked_object_panics() {
    let c = class(WwAlgorithm::WaitDie);
    let o = objs(c, 1);
    let txn: Transaction<DmaResv<u32>> = Transaction::new(c);
    let _ = txn.get(&o[0]);
}

/// The shape GEM uses: an object struct embedding its reservation next to
/// immutable facts, locked through `WwObject`.
#[test]
fn an_object_embedding_its_resv() {
    use emu::sync::{ResvLocked, WwObject};
    struct Backing {
        pages: Vec<u8>,
    }
    struct GemObject {
        size: usize,
        resv: DmaResv<Backing>,
    }
    impl WwObject for GemObject {
        type Data = ResvLocked<Backing>;
        fn ww_mutex(&self) -> &WwMutex<ResvLocked<Backing>> {
            self.resv.ww_mutex()
        }
    }
    let c = class(WwAlgorithm::WaitDie);
    let objs: Vec<Arc<GemObject>> = (1..=3)
        .map(|i| {
            Arc::new(GemObject {
                size: i * 4096,
                resv: DmaResv::with_class(c, Backing { pages: Vec::new() }),
            })
        })
        .collect();
    let mut txn = Transaction::new(c);
    txn.run(|t| objs.iter().try_for_each(|o| t.lock(o)))
        .unwrap();
    for o in &objs {
        let size = o.size;
        txn.get_mut(o).pages.resize(size, 0);
    }
    drop(txn);
    assert_eq!(objs[2].resv.lock_single().pages.len(), 3 * 4096);
}
