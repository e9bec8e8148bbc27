//! `gemu fuzz`: a fuzz campaign against a device of its own.
//!
//! The run serves a device in a private mount namespace (as `gemu bench` does) and
//! starts client processes (`gemu fuzz --client`) that open card0 and renderD128 again
//! and again and make random ioctls: every DRM and i915 number, well-formed commands
//! and random sizes, arguments of random words, small handles and pointers into a
//! scratch area fenced by inaccessible pages, plus random batches on every engine. A
//! timer interrupts each client every 20 ms (no SA_RESTART), so any wait a signal can
//! end does end. The server kills a random client now and then and starts another.
//!
//! It reports ioctls per second, kills, hangs (a client whose count has not moved for
//! `--hang-secs`: some call neither returned nor was interrupted), crashes (a client
//! that ended other than by the server's kill or its own clean exit, e.g. when the
//! daemon died), whether the device still answers, and the daemon's RSS and the
//! model's bookkeeping ([`emu::Device::bookkeeping`]) before and after. It exits 1 when
//! anything went wrong.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};

use crate::cli::FuzzArgs;
use crate::daemon::{Daemon, SESSION_ENDED};
use crate::{bench, namespace, Fallible};

/// How often a client reports its count.
const REPORT: Duration = Duration::from_millis(100);
/// The interval of the clients' interrupting timer.
const ALARM_US: i64 = 20_000;
/// The scratch area nested pointers point into.
const SCRATCH: usize = 64 << 10;
/// Object memory of the fuzzed device: small, so budget paths are hit too.
const MEMORY: u64 = 256 << 20;

/// A client as the server follows it.
struct Slot {
    child: Child,
    /// The client's count (last reported) and when it last moved.
    progress: Arc<Mutex<(u64, Instant)>>,
    /// Killed by the server on purpose.
    killed: bool,
    done: bool,
}

/// What a run found.
#[derive(Default)]
struct Tally {
    ioctls: u64,
    kills: u64,
    hangs: u64,
    crashes: u64,
}

/// Run a campaign (or, with `--client`, be one of its clients). 0 when nothing went
/// wrong, 1 otherwise.
pub fn fuzz(args: &FuzzArgs) -> Fallible<u8> {
    if args.client {
        return client(args);
    }
    let mut signals = SigSet::empty();
    for s in [
        SESSION_ENDED,
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
    ] {
        signals.add(s);
    }
    signals
        .thread_block()
        .map_err(|e| format!("blocking signals: {e}"))?;
    namespace::enter_private()?;
    let dir = bench::scratch()?;
    let config = emu::DeviceConfig {
        memory: MEMORY,
        ..Default::default()
    };
    let daemon = Daemon::start(&bench::make_dir(&dir, "device")?, config)
        .map_err(|e| format!("starting the device: {e}"))?;
    let device = daemon.device().clone();
    let (rss_before, idle) = (rss_kib(), device.bookkeeping());

    let start = Instant::now();
    let duration = Duration::from_secs_f64(args.seconds);
    let hang = Duration::from_secs(args.hang_secs);
    let mut tally = Tally::default();
    let mut rng = Rng(args.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut next_seed = args.seed.wrapping_mul(1000);
    let spawn = |rng_seed: &mut u64| -> Fallible<Slot> {
        *rng_seed += 1;
        start_client(
            *rng_seed,
            duration.saturating_sub(start.elapsed()),
            args.batch_every,
        )
    };
    let mut slots = Vec::new();
    for _ in 0..args.clients {
        slots.push(spawn(&mut next_seed)?);
    }
    let mut last_kill = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let now = Instant::now();
        for s in slots.iter_mut().filter(|s| !s.done) {
            if let Ok(Some(status)) = s.child.try_wait() {
                s.done = true;
                tally.ioctls += s.progress.lock().unwrap().0;
                let clean = status.code() == Some(0);
                let ours = s.killed && status.signal() == Some(libc::SIGKILL);
                if !clean && !ours {
                    eprintln!("gemu fuzz: client {} ended: {status}", s.child.id());
                    tally.crashes += 1;
                }
                continue;
            }
            let last = s.progress.lock().unwrap().1;
            if now.duration_since(last) > hang {
                eprintln!(
                    "gemu fuzz: HANG: client {} made no call for {:?}",
                    s.child.id(),
                    now.duration_since(last)
                );
                tally.hangs += 1;
                s.killed = true;
                let _ = s.child.kill();
            }
        }
        let running = now.duration_since(start) < duration;
        if running
            && args.kill_ms > 0
            && now.duration_since(last_kill) >= Duration::from_millis(args.kill_ms)
        {
            last_kill = now;
            let alive: Vec<usize> = (0..slots.len()).filter(|&i| !slots[i].done).collect();
            if !alive.is_empty() {
                let s = &mut slots[alive[rng.below(alive.len() as u64) as usize]];
                s.killed = true;
                let _ = s.child.kill();
                tally.kills += 1;
                slots.push(spawn(&mut next_seed)?);
            }
        }
        if !running && slots.iter().all(|s| s.done) {
            break;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();

    // Every client is gone: its files are released once the kernel has sent the last
    // RELEASE (a moment after the process ends).
    let settle = Instant::now();
    while !device.files().is_empty() && settle.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    while device.engines.busy() && settle.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let alive = answers(&dir.join("device/card0"));
    let (rss_after, after) = (rss_kib(), device.bookkeeping());
    let (objects, bytes) = device.object_summary();
    let tables: Vec<String> = device
        .bookkeeping_by_table()
        .iter()
        .filter(|(_, n)| *n != 0)
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    if !tables.is_empty() {
        eprintln!(
            "gemu fuzz: left in the model: {}; engines busy: {}",
            tables.join(", "),
            device.engines.busy()
        );
    }
    println!(
        "gemu fuzz: {} clients, {elapsed:.1} s, seed {}: {} ioctls ({:.0}/s), {} kills, \
         {} hangs, {} crashes; device answers: {}; daemon RSS {rss_before} KiB before, \
         {rss_after} KiB after; model bookkeeping {idle} idle, {after} after; {objects} \
         objects, {bytes} bytes left",
        args.clients,
        args.seed,
        tally.ioctls,
        tally.ioctls as f64 / elapsed,
        tally.kills,
        tally.hangs,
        tally.crashes,
        if alive { "yes" } else { "NO" },
    );
    // As in `gemu bench`: the mount goes with the process, after its workers.
    std::mem::forget(daemon);
    Ok(u8::from(tally.hangs > 0 || tally.crashes > 0 || !alive))
}

/// Start one client for `left` of the run; a thread follows its reports.
fn start_client(seed: u64, left: Duration, batch_every: u32) -> Fallible<Slot> {
    let mut child = Command::new("/proc/self/exe")
        .arg0("gemu")
        .args(["fuzz", "--client", "--seed"])
        .arg(seed.to_string())
        .arg("--seconds")
        .arg(left.as_secs_f64().to_string())
        .arg("--batch-every")
        .arg(batch_every.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting a fuzz client: {e}"))?;
    let progress = Arc::new(Mutex::new((0, Instant::now())));
    let out = child.stdout.take().ok_or("no client stdout")?;
    let p = progress.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(n) = line.map(|l| l.trim().parse::<u64>()) else {
                break;
            };
            let Ok(n) = n else { continue };
            let mut p = p.lock().unwrap();
            if n != p.0 {
                *p = (n, Instant::now());
            }
        }
    });
    Ok(Slot {
        child,
        progress,
        killed: false,
        done: false,
    })
}

/// Whether the device at `card` still answers DRM_IOCTL_VERSION.
fn answers(card: &Path) -> bool {
    let Ok(f) = OpenOptions::new().read(true).write(true).open(card) else {
        return false;
    };
    let mut v = uapi::drm_version::default();
    // SAFETY: a VERSION with no buffers: nothing is written through pointers.
    unsafe { crate::probe::drm_ioctl(&f, uapi::DRM_IOCTL_VERSION, &mut v) }.is_ok()
}

/// This process's resident set, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// xorshift64*: deterministic from the seed, good enough to pick calls.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

extern "C" fn on_alarm(_: libc::c_int) {}

/// One client: random calls until the run's end, its count on stdout every
/// [`REPORT`].
fn client(args: &FuzzArgs) -> Fallible<u8> {
    let count = Arc::new(AtomicU64::new(0));
    // The reporter must not take the timer's signal: block it around the spawn.
    let mut alarm = SigSet::empty();
    alarm.add(Signal::SIGALRM);
    alarm.thread_block().map_err(|e| e.to_string())?;
    let c = count.clone();
    std::thread::spawn(move || {
        let mut out = std::io::stdout();
        loop {
            std::thread::sleep(REPORT);
            if writeln!(out, "{}", c.load(Ordering::Relaxed)).is_err() || out.flush().is_err() {
                return;
            }
        }
    });
    alarm.thread_unblock().map_err(|e| e.to_string())?;
    // No SA_RESTART: a blocked call comes back with EINTR.
    let action = SigAction::new(
        SigHandler::Handler(on_alarm),
        SaFlags::empty(),
        SigSet::empty(),
    );
    // SAFETY: the handler does nothing.
    unsafe { signal::sigaction(Signal::SIGALRM, &action) }.map_err(|e| e.to_string())?;
    let it = libc::itimerval {
        it_interval: libc::timeval {
            tv_sec: 0,
            tv_usec: ALARM_US,
        },
        it_value: libc::timeval {
            tv_sec: 0,
            tv_usec: ALARM_US,
        },
    };
    // SAFETY: a valid itimerval, no old value asked for.
    unsafe { libc::setitimer(libc::ITIMER_REAL, &it, std::ptr::null_mut()) };

    let mut rng = Rng(args.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut scratch = Scratch::new()?;
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let nodes = [
        Path::new(bench::SCRATCH_DIR).join("device/card0"),
        Path::new(bench::SCRATCH_DIR).join("device/renderD128"),
    ];
    let mut arg = vec![0u8; 1 << 14];
    while Instant::now() < deadline {
        let node = &nodes[rng.below(2) as usize];
        let file = match OpenOptions::new().read(true).write(true).open(node) {
            Ok(f) => f,
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
            Err(e) => {
                eprintln!("gemu fuzz client: opening {}: {e}", node.display());
                return Ok(2);
            }
        };
        for _ in 0..1 + rng.below(500) {
            if rng.below(1000) == 0 {
                scratch.fill(&mut rng);
            }
            if args.batch_every > 0 && rng.below(u64::from(args.batch_every)) == 0 {
                random_batch(&file, &mut rng, &scratch);
            } else {
                random_call(&file, &mut rng, &scratch, &mut arg);
            }
            count.fetch_add(1, Ordering::Relaxed);
            if Instant::now() >= deadline {
                break;
            }
        }
    }
    println!("{}", count.load(Ordering::Relaxed));
    Ok(0)
}

/// A writable area with an inaccessible page on either side, for nested pointers.
struct Scratch {
    base: *mut u8,
}

impl Scratch {
    fn new() -> Fallible<Scratch> {
        // SAFETY: a fresh anonymous mapping; only its middle is made accessible.
        let base = unsafe {
            let p = libc::mmap(
                std::ptr::null_mut(),
                SCRATCH + 2 * 4096,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if p == libc::MAP_FAILED {
                return Err("mapping the scratch area".into());
            }
            let inner = p.cast::<u8>().add(4096);
            if libc::mprotect(inner.cast(), SCRATCH, libc::PROT_READ | libc::PROT_WRITE) != 0 {
                return Err("mprotect of the scratch area".into());
            }
            inner
        };
        Ok(Scratch { base })
    }

    fn addr(&self, rng: &mut Rng) -> u64 {
        self.base as u64 + (rng.below(SCRATCH as u64 / 8) * 8)
    }

    /// Random words, many of them small (handles, counts) or pointers into itself.
    fn fill(&mut self, rng: &mut Rng) {
        for i in 0..SCRATCH / 8 {
            let w = word(rng, self);
            // SAFETY: inside the accessible part of the mapping.
            unsafe { self.base.cast::<u64>().add(i).write(w) };
        }
    }
}

/// One random argument word.
fn word(rng: &mut Rng, scratch: &Scratch) -> u64 {
    match rng.below(10) {
        0..=2 => rng.below(8),
        3 | 4 => scratch.addr(rng),
        5 => 0,
        6 => u64::MAX,
        7 => 1 << rng.below(64),
        _ => rng.next(),
    }
}

/// One ioctl at a random number: the table's own command most of the time, else random
/// direction and size; the argument random words.
fn random_call(file: &File, rng: &mut Rng, scratch: &Scratch, arg: &mut [u8]) {
    let nr = match rng.below(10) {
        0..=5 => 0x40 + rng.below(0x40) as u32,
        6..=8 => rng.below(0x40) as u32,
        _ => 0x80 + rng.below(0x80) as u32,
    };
    let cmd = match emu::ioctl::command_of(nr) {
        Some(c) if rng.below(10) != 0 => c,
        _ => {
            let dir = (rng.below(4) as u32) << 30;
            let limit = if rng.below(20) == 0 { 1 << 14 } else { 256 };
            let size = rng.below(limit) as u32;
            dir | (size << 16) | (uapi::DRM_IOCTL_BASE << 8) | nr
        }
    };
    let size = emu::ioctl::ioc_size(cmd).max(8);
    for chunk in arg[..size].chunks_mut(8) {
        let w = word(rng, scratch).to_ne_bytes();
        chunk.copy_from_slice(&w[..chunk.len()]);
    }
    // SAFETY: `arg` has room for the command's whole size; what the device writes
    // through nested pointers lands in the scratch area or faults in the device.
    unsafe { libc::ioctl(file.as_raw_fd(), cmd as libc::c_ulong, arg.as_mut_ptr()) };
}

/// A batch of random commands (stores, jumps, ends, garbage) on a random engine,
/// softpinned or relocated, sometimes with another of the file's objects.
fn random_batch(file: &File, rng: &mut Rng, scratch: &Scratch) {
    let mut c = uapi::drm_i915_gem_create {
        size: 4096,
        ..Default::default()
    };
    // SAFETY: no pointers.
    if unsafe { crate::probe::drm_ioctl(file, uapi::DRM_IOCTL_I915_GEM_CREATE, &mut c) }.is_err() {
        return;
    }
    let at = 0x10_0000 * (1 + rng.below(16));
    let mut cmds = Vec::new();
    for _ in 0..4 + rng.below(60) {
        match rng.below(8) {
            0 => cmds.extend([0x20 << 23 | 2, (at + rng.below(4096)) as u32 & !3, 0, 7]),
            1 => cmds.extend([0x31 << 23 | 1 << 8 | 1, at as u32 + 64, 0]),
            2 => cmds.push(0x0A << 23),
            3 => cmds.push(0x05 << 23),
            4 => cmds.push(rng.next() as u32),
            _ => cmds.push(0),
        }
    }
    if rng.below(4) != 0 {
        cmds.push(0x0A << 23);
    }
    let mut p = uapi::drm_i915_gem_pwrite {
        handle: c.handle,
        size: (cmds.len() * 4).min(4096) as u64,
        data_ptr: cmds.as_ptr() as u64,
        ..Default::default()
    };
    // SAFETY: `data_ptr` covers `size` bytes of `cmds`.
    let _ = unsafe { crate::probe::drm_ioctl(file, uapi::DRM_IOCTL_I915_GEM_PWRITE, &mut p) };
    let mut objs = [uapi::drm_i915_gem_exec_object2::default(); 2];
    let n = 1 + rng.below(2) as usize;
    objs[0].handle = if n == 2 {
        1 + rng.below(8) as u32
    } else {
        c.handle
    };
    objs[n - 1].handle = c.handle;
    for o in &mut objs[..n] {
        if rng.below(2) == 0 {
            o.flags = uapi::EXEC_OBJECT_PINNED | (rng.below(2) * uapi::EXEC_OBJECT_WRITE);
            o.offset = at + 0x1000 * rng.below(4);
        }
    }
    let mut eb = uapi::drm_i915_gem_execbuffer2 {
        buffers_ptr: objs.as_ptr() as u64,
        buffer_count: n as u32,
        flags: rng.below(5) | (rng.below(2) * uapi::I915_EXEC_NO_RELOC),
        rsvd1: rng.below(3),
        ..Default::default()
    };
    if rng.below(10) == 0 {
        eb.buffers_ptr = scratch.addr(rng);
    }
    // SAFETY: the exec list is `objs` (or the scratch area), no relocations.
    let _ =
        unsafe { crate::probe::drm_ioctl(file, uapi::DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &mut eb) };
    if rng.below(2) == 0 {
        let mut cl = uapi::drm_gem_close {
            handle: c.handle,
            ..Default::default()
        };
        // SAFETY: no pointers.
        let _ = unsafe { crate::probe::drm_ioctl(file, uapi::DRM_IOCTL_GEM_CLOSE, &mut cl) };
    }
}
