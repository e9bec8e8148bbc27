//! The kernel's ww_mutex self-test (kernel/locking/test-ww_mutex.c) rebuilt for
//! gemu: AA, ABBA, a cycle of N contexts, and the in-order / re-order / one-lock
//! stress runs, for both algorithms. The stress runs work on reservation objects
//! ([`DmaResv`]) and publish a fence per transaction, run under random `EDEADLK`
//! injection, and end with every lock released and every fence signalled.

use emu::sync::dma_fence::FenceTimeline;
use emu::sync::{
    DmaFence, DmaResv, DmaResvUsage, ResvLocked, Transaction, WwAcquireCtx, WwAlgorithm, WwClass,
    WwGuard, WwMutex,
};
use emu::Errno;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

const ALGOS: [WwAlgorithm; 2] = [WwAlgorithm::WaitDie, WwAlgorithm::WoundWait];

fn class(algo: WwAlgorithm) -> &'static WwClass {
    WwClass::leak(
        if algo == WwAlgorithm::WaitDie {
            "selftest_wd"
        } else {
            "selftest_ww"
        },
        algo,
    )
}

type Obj = DmaResv<u64>;
type Guard<'a> = WwGuard<'a, ResvLocked<u64>>;

/// Locks `order` (indices into `objs`) under `ctx`, on top of `guards`, backing
/// off on EDEADLK the kernel's way: drop everything, lock_slow the contended one,
/// start over. Returns the guards and the number of back-offs.
fn lock_in_order<'a>(
    ctx: &'a WwAcquireCtx,
    objs: &'a [Arc<Obj>],
    order: &[usize],
    mut guards: Vec<(usize, Guard<'a>)>,
) -> (Vec<(usize, Guard<'a>)>, u64) {
    let mut backoffs = 0;
    'retry: loop {
        for &n in order {
            if guards.iter().any(|(i, _)| *i == n) {
                continue;
            }
            match objs[n].lock(ctx) {
                Ok(g) => guards.push((n, g)),
                Err(Errno::EDEADLK) => {
                    assert!(!guards.is_empty(), "EDEADLK with nothing held");
                    while guards.pop().is_some() {}
                    guards.push((n, objs[n].ww_mutex().lock_slow(ctx)));
                    backoffs += 1;
                    continue 'retry;
                }
                Err(e) => panic!("unexpected {e}"),
            }
        }
        return (guards, backoffs);
    }
}

fn objects(class: &'static WwClass, n: usize) -> Arc<Vec<Arc<Obj>>> {
    Arc::new(
        (0..n)
            .map(|_| Arc::new(DmaResv::with_class(class, 0)))
            .collect(),
    )
}

/// test_mutex: a plain (context-less) lock hands over between threads.
#[test]
fn mutex_handoff() {
    for algo in ALGOS {
        let c = class(algo);
        let m = Arc::new(WwMutex::new(c, 0u32));
        let g = m.lock_single();
        let m2 = m.clone();
        let t = thread::spawn(move || *m2.lock_single() += 1);
        thread::sleep(Duration::from_millis(5));
        assert!(!t.is_finished(), "the second locker must wait");
        drop(g);
        t.join().unwrap();
        assert_eq!(*m.lock_single(), 1);
    }
}

/// test_aa: a context relocking what it holds gets EALREADY; trylocks fail.
#[test]
fn aa() {
    for algo in ALGOS {
        let c = class(algo);
        let m = WwMutex::new(c, ());
        let ctx = WwAcquireCtx::new(c);
        let g = m.lock(&ctx).unwrap();
        assert!(m.try_lock(None).is_none());
        assert!(m.try_lock(Some(&ctx)).is_none());
        assert_eq!(m.lock(&ctx).err(), Some(Errno::EALREADY));
        drop(g);
    }
}

/// test_abba: two contexts take A,B and B,A. Without back-off at least one
/// gets EDEADLK; with back-off (lock_slow) both complete.
#[test]
fn abba() {
    for algo in ALGOS {
        for resolve in [false, true] {
            let c = class(algo);
            let objs = objects(c, 2);
            let barrier = Arc::new(Barrier::new(2));
            let run = |first: usize, objs: Arc<Vec<Arc<Obj>>>, barrier: Arc<Barrier>| {
                thread::spawn(move || {
                    let ctx = WwAcquireCtx::new(c);
                    let second = 1 - first;
                    let a = objs[first].lock(&ctx).unwrap();
                    barrier.wait();
                    if resolve {
                        let (gs, _) =
                            lock_in_order(&ctx, &objs, &[first, second], vec![(first, a)]);
                        drop(gs);
                        Ok(())
                    } else {
                        let r = objs[second].lock(&ctx).map(drop);
                        drop(a);
                        r
                    }
                })
            };
            let t1 = run(0, objs.clone(), barrier.clone());
            let t2 = run(1, objs.clone(), barrier.clone());
            let (r1, r2) = (t1.join().unwrap(), t2.join().unwrap());
            if resolve {
                assert_eq!((r1, r2), (Ok(()), Ok(())));
            } else {
                assert!(
                    r1 == Err(Errno::EDEADLK) || r2 == Err(Errno::EDEADLK),
                    "{algo:?}: missed the ABBA deadlock: {r1:?} {r2:?}"
                );
            }
            assert!(objs.iter().all(|o| !o.ww_mutex().is_locked()));
        }
    }
}

/// test_cycle: N contexts each hold lock i, then all take lock i+1 at once.
#[test]
fn cycle() {
    for algo in ALGOS {
        for n in [2, 3, 5, 8] {
            let c = class(algo);
            let objs = objects(c, n);
            let barrier = Arc::new(Barrier::new(n));
            let workers: Vec<_> = (0..n)
                .map(|i| {
                    let (objs, barrier) = (objs.clone(), barrier.clone());
                    thread::spawn(move || {
                        let ctx = WwAcquireCtx::new(c);
                        let a = objs[i].lock(&ctx).unwrap();
                        barrier.wait();
                        let (gs, backoffs) =
                            lock_in_order(&ctx, &objs, &[i, (i + 1) % n], vec![(i, a)]);
                        assert_eq!(gs.len(), 2);
                        backoffs
                    })
                })
                .collect();
            let backoffs: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
            assert!(
                backoffs >= 1,
                "{algo:?}: a cycle of {n} must break somewhere"
            );
            assert!(objs.iter().all(|o| !o.ww_mutex().is_locked()));
        }
    }
}

struct Xorshift(u64);
impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            v.swap(i, self.below(i + 1));
        }
        v
    }
}

const THREADS: usize = 4;
const LOCKS: usize = 16;
const ITERS: usize = 400;
const TIME_BUDGET: Duration = Duration::from_millis(1500);

/// What every stress run shares: the objects, an "engine" thread that signals
/// each transaction's fence later, and the end-of-run checks.
struct Stress {
    objs: Arc<Vec<Arc<Obj>>>,
    engine: mpsc::Sender<Arc<DmaFence>>,
    engine_thread: thread::JoinHandle<u64>,
    made: Arc<AtomicU64>,
}

impl Stress {
    fn new(c: &'static WwClass) -> Self {
        let (engine, rx) = mpsc::channel::<Arc<DmaFence>>();
        let engine_thread = thread::spawn(move || {
            let mut n = 0;
            for f in rx {
                f.signal().unwrap();
                n += 1;
            }
            n
        });
        Self {
            objs: objects(c, LOCKS),
            engine,
            engine_thread,
            made: Arc::new(AtomicU64::new(0)),
        }
    }

    fn finish(self, expected_increments: u64) {
        drop(self.engine);
        let signalled = self.engine_thread.join().unwrap();
        assert_eq!(
            signalled,
            self.made.load(Ordering::SeqCst),
            "every fence signalled"
        );
        let mut total = 0;
        for o in self.objs.iter() {
            assert!(!o.ww_mutex().is_locked(), "a lock was left held");
            assert!(
                o.test_signaled(DmaResvUsage::Bookkeep),
                "an unsignalled fence remains"
            );
            total += **o.lock_single();
        }
        assert_eq!(total, expected_increments);
    }
}

/// stress_inorder: each thread locks every object in its own fixed random order,
/// backing off by hand.
#[test]
fn stress_inorder() {
    for algo in ALGOS {
        let c = class(algo);
        c.inject_deadlocks(0.05, 0x1234 + algo as u64);
        let stress = Arc::new(Stress::new(c));
        let start = Instant::now();
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let stress = stress.clone();
                thread::spawn(move || {
                    let mut rng = Xorshift(0x9e3779b97f4a7c15 ^ (t as u64 + 1));
                    let order = rng.permutation(LOCKS);
                    let timeline = FenceTimeline::new();
                    let (mut incs, mut backoffs) = (0, 0);
                    for _ in 0..ITERS {
                        if start.elapsed() > TIME_BUDGET {
                            break;
                        }
                        let ctx = WwAcquireCtx::new(c);
                        let (mut gs, b) = lock_in_order(&ctx, &stress.objs, &order, Vec::new());
                        backoffs += b;
                        incs += publish_all(&mut gs, &timeline, &stress);
                        while gs.pop().is_some() {}
                    }
                    (incs, backoffs)
                })
            })
            .collect();
        let (incs, backoffs) = workers
            .into_iter()
            .map(|w| w.join().unwrap())
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        assert!(
            backoffs > 0,
            "injection and contention must cause back-offs"
        );
        c.inject_deadlocks(0.0, 0);
        Arc::into_inner(stress).unwrap().finish(incs);
    }
}

/// Publishes a new fence on every locked object, as execbuf does, and hands the
/// fence to the engine.
fn publish_all(gs: &mut [(usize, Guard<'_>)], timeline: &FenceTimeline, stress: &Stress) -> u64 {
    let fence = timeline.next_fence();
    for (_, g) in gs.iter_mut() {
        g.reserve_fences(1).unwrap();
        g.add_fence(fence.clone(), DmaResvUsage::Write);
        ***g += 1;
    }
    stress.made.fetch_add(1, Ordering::SeqCst);
    stress.engine.send(fence).unwrap();
    gs.len() as u64
}

/// stress_reorder: each iteration locks a random subset in random order through a
/// [`Transaction`], which moves the contended object to the front on back-off.
#[test]
fn stress_reorder() {
    for algo in ALGOS {
        let c = class(algo);
        c.inject_deadlocks(0.05, 0x5678 + algo as u64);
        let stress = Arc::new(Stress::new(c));
        let start = Instant::now();
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let stress = stress.clone();
                thread::spawn(move || {
                    let mut rng = Xorshift(0xdeadbeef ^ ((t as u64 + 1) << 8));
                    let timeline = FenceTimeline::new();
                    let (mut incs, mut backoffs) = (0, 0);
                    for _ in 0..ITERS {
                        if start.elapsed() > TIME_BUDGET {
                            break;
                        }
                        let mut set = rng.permutation(LOCKS);
                        set.truncate(1 + rng.below(LOCKS));
                        let mut txn = Transaction::new(c);
                        txn.run(|x| {
                            for &i in &set {
                                x.lock(&stress.objs[i])?;
                                x.get_mut(&stress.objs[i]).reserve_fences(1)?;
                            }
                            Ok(())
                        })
                        .unwrap();
                        backoffs += txn.backoffs();
                        let fence = timeline.next_fence();
                        for &i in &set {
                            let l = txn.get_mut(&stress.objs[i]);
                            l.add_fence(fence.clone(), DmaResvUsage::Read);
                            **l += 1;
                        }
                        txn.fini();
                        incs += set.len() as u64;
                        stress.made.fetch_add(1, Ordering::SeqCst);
                        stress.engine.send(fence).unwrap();
                    }
                    (incs, backoffs)
                })
            })
            .collect();
        let (incs, backoffs) = workers
            .into_iter()
            .map(|w| w.join().unwrap())
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        assert!(backoffs > 0);
        c.inject_deadlocks(0.0, 0);
        Arc::into_inner(stress).unwrap().finish(incs);
    }
}

/// stress_one: threads lock one random object at a time, without a context.
#[test]
fn stress_one() {
    for algo in ALGOS {
        let c = class(algo);
        c.inject_deadlocks(0.05, 9);
        let stress = Arc::new(Stress::new(c));
        let start = Instant::now();
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let stress = stress.clone();
                thread::spawn(move || {
                    let mut rng = Xorshift(77 + t as u64);
                    let timeline = FenceTimeline::new();
                    let mut incs = 0;
                    for _ in 0..ITERS * 4 {
                        if start.elapsed() > TIME_BUDGET {
                            break;
                        }
                        let g = stress.objs[rng.below(LOCKS)].lock_single();
                        let mut gs = [(0, g)];
                        incs += publish_all(&mut gs, &timeline, &stress);
                    }
                    incs
                })
            })
            .collect();
        let incs: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
        c.inject_deadlocks(0.0, 0);
        Arc::into_inner(stress).unwrap().finish(incs);
    }
}
