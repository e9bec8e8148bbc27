//! The IGT spinner, polling back-off, hang detection, cancel and reset.

mod common;
use common::*;
use gpu_backend::{EngineConfig, HangReason, Outcome};
use std::time::{Duration, Instant};

fn wait(rx: &crossbeam_channel::Receiver<Outcome>) -> Outcome {
    rx.recv_timeout(Duration::from_secs(10))
        .expect("no outcome")
}

/// User + system CPU time, in clock ticks (USER_HZ), of this process's thread named `name`.
fn thread_cpu_ticks(name: &str) -> Option<u64> {
    for entry in std::fs::read_dir("/proc/thread-self/..").ok()? {
        let path = entry.ok()?.path();
        if std::fs::read_to_string(path.join("comm")).ok()?.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(path.join("stat")).ok()?;
        // Fields after "(comm) ": state is field 3, utime 14, stime 15.
        let f: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
        return Some(f[11].parse::<u64>().ok()? + f[12].parse::<u64>().ok()?);
    }
    None
}

#[test]
fn spinner_polls_cheaply_and_ends_on_condition_write() {
    let g = Gpu::new(EngineConfig::new(
        "spincpu",
        gpu_backend::EngineClass::Render,
        0,
        0x2000,
    ));
    g.put(BATCH, &spinner(BATCH));
    let (h, rx) = g.submit_at(BATCH);
    g.wait_running(h.seqno());
    std::thread::sleep(Duration::from_millis(50));
    assert!(g.engine.busy());
    assert_eq!(g.engine.stats().running, Some(h.seqno()));
    // The context is not locked while the request runs.
    assert_eq!(g.ctx.lock().unwrap().gpr[0], 0);
    let p0 = g.engine.stats().polls;
    let cpu0 = thread_cpu_ticks("gemu-spincpu");
    std::thread::sleep(Duration::from_millis(200));
    let p1 = g.engine.stats().polls;
    let cpu1 = thread_cpu_ticks("gemu-spincpu");
    if let (Some(a), Some(b)) = (cpu0, cpu1) {
        // 200 ms is 20 ticks at USER_HZ 100; a busy-polling thread would use all of them.
        eprintln!("engine thread CPU over 200 ms: {} ticks", b - a);
        assert!(b - a <= 4, "spinner used {} ticks of CPU in 200 ms", b - a);
    }
    // Backed off to ~1 ms sleeps: a few hundred polls at most, not millions.
    assert!(p1 - p0 < 1000, "{} polls in 200 ms", p1 - p0);
    assert!(p1 - p0 > 20, "still polling: {}", p1 - p0);
    assert!(rx.try_recv().is_err());
    // IGT ends the spinner by writing MI_BATCH_BUFFER_END into the condition dword.
    let t = Instant::now();
    g.put(BATCH + 4088, &[BB_END]);
    assert_eq!(wait(&rx), Outcome::Completed);
    let latency = t.elapsed();
    eprintln!(
        "spinner end latency {latency:?}, {} polls in 200 ms",
        p1 - p0
    );
    // About a millisecond when the machine is quiet; the bound leaves room for a loaded CI.
    assert!(latency < Duration::from_millis(200), "{latency:?}");
    assert!(h.is_complete());
    g.wait_idle();
}

#[test]
fn spinner_ends_on_bb_end_written_into_its_loop() {
    let g = Gpu::bcs();
    g.put(BATCH, &spinner(BATCH));
    let (h, rx) = g.submit_at(BATCH);
    g.wait_running(h.seqno());
    std::thread::sleep(Duration::from_millis(30));
    let t = Instant::now();
    g.put(BATCH + 64, &[BB_END]);
    assert_eq!(wait(&rx), Outcome::Completed);
    assert!(
        t.elapsed() < Duration::from_millis(200),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn preemptible_spinner_is_not_a_hang_but_a_non_preemptible_one_is() {
    let g = Gpu::new(EngineConfig::rcs0().with_hang_timeout(Duration::from_millis(300)));
    g.put(BATCH, &spinner(BATCH));
    let (_h, rx) = g.submit_at(BATCH);
    assert!(
        rx.recv_timeout(Duration::from_millis(1000)).is_err(),
        "3x the hang timeout and still running"
    );
    g.put(BATCH + 4088, &[BB_END]);
    assert_eq!(wait(&rx), Outcome::Completed);

    // IGT_SPIN_NO_PREEMPTION: no MI_ARB_CHECK in the loop.
    let mut s = spinner(BATCH);
    s[16] = 0;
    g.put(BATCH, &s);
    let t = Instant::now();
    let (_h, rx) = g.submit_at(BATCH);
    match wait(&rx) {
        Outcome::Hung(h) => {
            assert!(matches!(h.reason, HangReason::NoProgress { .. }), "{h}");
            assert!((BATCH + 64..BATCH + 4096).contains(&h.addr));
        }
        o => panic!("{o:?}"),
    }
    assert!(t.elapsed() >= Duration::from_millis(300));
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
}

#[test]
fn storing_loop_without_arbitration_hangs_after_the_timeout() {
    let g = Gpu::new(EngineConfig::bcs0().with_hang_timeout(Duration::from_millis(100)));
    let mut b = store(DATA, 1).to_vec();
    b.extend(bb_start(BATCH));
    g.put(BATCH, &b);
    let (_h, rx) = g.submit_at(BATCH);
    assert!(
        matches!(wait(&rx), Outcome::Hung(h) if matches!(h.reason, HangReason::NoProgress { .. }))
    );
    assert_eq!(
        g.engine.stats().polls,
        0,
        "a loop that stores never backs off"
    );
}

#[test]
fn counting_loop_runs_at_full_speed() {
    // r2 = N; loop: ARB_CHECK; r2 -= r1; SRM r2 -> DATA; COND_END(0, DATA); BB_START loop.
    let g = Gpu::rcs();
    let n = 20_000u64;
    {
        let mut c = g.ctx.lock().unwrap();
        c.gpr[1] = 1;
        c.gpr[2] = n;
    }
    let mut b = vec![ARB_CHECK];
    b.extend(math(&[
        alu(0x080, 0x20, 2),
        alu(0x080, 0x21, 1),
        alu(0x101, 0, 0),
        alu(0x180, 2, 0x31),
    ]));
    b.extend(srm(0x2610, DATA));
    b.extend(cond_end(0, DATA));
    b.extend(bb_start(BATCH));
    let t = Instant::now();
    assert_eq!(g.run(&b), Outcome::Completed);
    eprintln!("{n} loop iterations in {:?}", t.elapsed());
    assert_eq!(g.ctx.lock().unwrap().gpr[2], 0);
    assert_eq!(g.engine.stats().polls, 0, "never treated as polling");
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[test]
fn cancel_queued_and_running_requests() {
    let g = Gpu::rcs();
    g.put(BATCH, &spinner(BATCH));
    g.put(BATCH + 0x1000, &[store(DATA, 9)[0], lo(DATA), 0, 9, BB_END]);
    let (run, rx1) = g.submit_at(BATCH);
    let (queued, rx2) = g.submit_at(BATCH + 0x1000);
    let (third, rx3) = g.submit_at(BATCH + 0x1000);
    assert_eq!((run.seqno(), queued.seqno(), third.seqno()), (1, 2, 3));
    std::thread::sleep(Duration::from_millis(20));
    queued.cancel();
    assert!(rx2.try_recv().is_err(), "queued requests complete in order");
    run.cancel();
    assert_eq!(wait(&rx1), Outcome::Cancelled);
    assert_eq!(wait(&rx2), Outcome::Cancelled);
    assert_eq!(wait(&rx3), Outcome::Completed);
    assert_eq!(g.get(DATA), 9);
    // Cancel after completion has no effect.
    third.cancel();
    assert!(third.is_complete());
}

#[test]
fn reset_stops_a_spinner_as_a_hang() {
    let g = Gpu::rcs();
    g.put(BATCH, &spinner(BATCH));
    let (h, rx) = g.submit_at(BATCH);
    let running = g.wait_running(h.seqno());
    std::thread::sleep(Duration::from_millis(30));
    let t = Instant::now();
    assert_eq!(running.seqno(), h.seqno());
    running.reset("heartbeat: non-persistent context closed");
    match wait(&rx) {
        Outcome::Hung(hang) => {
            assert_eq!(
                hang.reason,
                HangReason::Reset("heartbeat: non-persistent context closed".into())
            );
            assert!(
                (BATCH + 64..BATCH + 4096).contains(&hang.addr),
                "{:#x}",
                hang.addr
            );
        }
        o => panic!("{o:?}"),
    }
    assert!(
        t.elapsed() < Duration::from_millis(200),
        "{:?}",
        t.elapsed()
    );
    assert!(g.engine.running().is_none());
    assert_eq!(g.engine.stats().hangs, 1);
    // Reset of a queued request: it never runs.
    g.put(BATCH + 4088, &[0xffff_ffff]);
    let (a, rxa) = g.submit_at(BATCH);
    let (b, rxb) = g.submit_at(BATCH);
    b.reset("banned");
    a.cancel();
    assert_eq!(wait(&rxa), Outcome::Cancelled);
    assert!(
        matches!(wait(&rxb), Outcome::Hung(h) if h.addr == BATCH && h.reason == HangReason::Reset("banned".into()))
    );
}

#[test]
fn semaphore_wait_is_cancellable_and_not_a_hang() {
    let g = Gpu::new(EngineConfig::rcs0().with_hang_timeout(Duration::from_millis(50)));
    let mut b = sem_wait(4, 1, DATA).to_vec();
    b.push(BB_END);
    g.put(BATCH, &b);
    let (h, rx) = g.submit_at(BATCH);
    assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
    let polls = g.engine.stats().polls;
    assert!(polls < 1000, "{polls}");
    h.cancel();
    assert_eq!(wait(&rx), Outcome::Cancelled);
}

#[test]
fn dropping_the_engine_cancels_everything() {
    let g = Gpu::rcs();
    g.put(BATCH, &spinner(BATCH));
    let (a, rx1) = g.submit_at(BATCH);
    let (_b, rx2) = g.submit_at(BATCH);
    g.wait_running(a.seqno());
    let t = Instant::now();
    drop(g);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(wait(&rx1), Outcome::Cancelled);
    assert_eq!(wait(&rx2), Outcome::Cancelled);
}

#[test]
fn two_engines_run_concurrently() {
    let r = Gpu::rcs();
    r.put(BATCH, &spinner(BATCH));
    let (_h, rx) = r.submit_at(BATCH);
    let b = Gpu::bcs();
    assert_eq!(
        b.run(&[store(DATA, 3)[0], lo(DATA), 0, 3, BB_END]),
        Outcome::Completed
    );
    r.put(BATCH + 4088, &[BB_END]);
    assert_eq!(wait(&rx), Outcome::Completed);
}

#[test]
fn a_panicking_callback_does_not_stop_the_engine() {
    let g = Gpu::rcs();
    g.put(BATCH, &[BB_END]);
    g.engine.submit(gpu_backend::Request {
        space: g.space.clone(),
        batch: BATCH,
        context: g.ctx.clone(),
        on_start: None,
        on_complete: Box::new(|_| panic!("callback bug")),
    });
    assert_eq!(g.run(&[BB_END]), Outcome::Completed);
    g.wait_idle();
    assert_eq!(g.engine.stats().retired, 2);
}

#[test]
fn handles_and_engines_are_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<gpu_backend::Engine>();
    assert_send_sync::<gpu_backend::RequestHandle>();
    fn assert_send<T: Send>() {}
    assert_send::<gpu_backend::Request>();
}

#[test]
fn spinner_end_latency_distribution() {
    let g = Gpu::rcs();
    let mut lat = vec![];
    for i in 0..10u64 {
        g.put(BATCH, &spinner(BATCH));
        let (h, rx) = g.submit_at(BATCH);
        g.wait_running(h.seqno());
        // Let it back off to its longest sleeps (and vary the phase).
        std::thread::sleep(Duration::from_millis(30 + 3 * i));
        let t = Instant::now();
        g.put(BATCH + 4088, &[BB_END]);
        assert_eq!(wait(&rx), Outcome::Completed);
        lat.push(t.elapsed());
    }
    lat.sort();
    eprintln!("spinner end latency: median {:?}, max {:?}", lat[5], lat[9]);
    // Quiet machine: median ~0.9 ms, max ~1.1 ms. Bounds leave room for a loaded CI.
    assert!(lat[5] < Duration::from_millis(10), "median {:?}", lat[5]);
    assert!(lat[9] < Duration::from_millis(200), "max {:?}", lat[9]);
}
