//! `gemu bench`: gemu's ioctl costs against the floors they are built on, measured in
//! the same run.
//!
//! The run sets up everything it measures, in a private mount namespace (so nothing
//! leaks to the host, even if the run is killed): gemu's device as `gemu serve` serves it,
//! and the floor ([`floor`]), a trivial FUSE file system served with the same settings.
//! Every benchmark then calls from this process, as a client would.
//!
//! Besides the benchmarks, the table holds the pieces they are made of, so a
//! ratio can be explained from the same run: `vm_write4`, `vm_read_1m`, `vm_write_1m`
//! (the `process_vm_*` copies alone), `floor_write4` (the floor plus GETPARAM's 4-byte
//! write-back) and `model_*` (gemu's model called in-process, without FUSE).
//!
//! Every FUSE round trip is two wake-ups of threads that the scheduler may put on
//! different CPUs; on a small machine shared with other work they then wait for a CPU
//! and the times swing by several times. `--cpu N` runs everything on one CPU: the
//! numbers are then steady (and lower), though they no longer include cross-CPU
//! wake-ups that real, unpinned clients pay.
//!
//! Adding a benchmark is one [`Entry`] in [`ENTRIES`]: a name, the operation (a
//! function that sets it up and returns the closure to time), its unit, its floor (a
//! multiple of another entry's median) and the target its issue sets. Floors are listed
//! before the entries that use them; `--filter` keeps the floors it needs.

mod baseline;
mod floor;
mod gem;
mod harness;
mod model;

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use nix::sched::{sched_setaffinity, CpuSet};
use nix::sys::signal::SigSet;
use nix::unistd::Pid;

use crate::cli::BenchArgs;
use crate::daemon::{Daemon, SESSION_ENDED};
use crate::{namespace, Fallible};
use floor::FloorMount;
use harness::{Conditions, Entry, Floor, FloorValue, Op, Outcome, Plan, Target, Unit};

/// What every benchmark may use: the nodes it calls, open for the whole run.
pub struct Rig {
    /// gemu's card0.
    card: File,
    /// The floor's files (see [`floor`]).
    echo: File,
    echo_write: File,
    /// A model device called without FUSE (see [`model`]).
    model: model::Model,
}

/// The file systems the run serves, and the directory they are mounted in.
struct Mounts {
    floor: FloorMount,
    device: Daemon,
    dir: RunDir,
}

const BW_1M: Unit = Unit::GigabytesPerSecond {
    bytes: gem::RW_BYTES as u64,
};

/// The benchmarks, floors first.
const ENTRIES: &[Entry<Rig>] = &[
    Entry {
        name: "floor",
        what: "bare FUSE ioctl round trip (GETPARAM's _IOWR 16-byte struct echoed back)",
        unit: Unit::MicrosPerOp,
        floor: None,
        target: None,
        op: floor::echo_op,
    },
    Entry {
        name: "vm_write4",
        what: "4-byte process_vm_writev to this thread, alone",
        unit: Unit::MicrosPerOp,
        floor: None,
        target: None,
        op: baseline::vm_write4_op,
    },
    Entry {
        name: "floor_write4",
        what: "floor ioctl that also writes 4 bytes through the struct's pointer",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "floor",
            times: 1.0,
        }),
        target: None,
        op: gem::floor_write_op,
    },
    Entry {
        name: "model_getparam",
        what: "GETPARAM(CHIPSET_ID) on the model in this process: no FUSE, same process_vm_writev",
        unit: Unit::MicrosPerOp,
        floor: None,
        target: None,
        op: model::getparam_op,
    },
    Entry {
        name: "getparam",
        what: "I915_GETPARAM(CHIPSET_ID) on gemu's card0",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "floor",
            times: 1.0,
        }),
        target: Some(Target::AtMost(1.15)),
        op: gem::getparam_op,
    },
    Entry {
        name: "model_create_close",
        what: "GEM_CREATE (4 KiB) + GEM_CLOSE on the model in this process, no FUSE",
        unit: Unit::MicrosPerOp,
        floor: None,
        target: None,
        op: model::create_close_op,
    },
    Entry {
        name: "create_close",
        what: "GEM_CREATE (4 KiB) + GEM_CLOSE",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "floor",
            times: 2.0,
        }),
        target: None,
        op: gem::create_close_op,
    },
    Entry {
        name: "memcpy_1m",
        what: "1 MiB memcpy between two heap buffers",
        unit: BW_1M,
        floor: None,
        target: None,
        op: baseline::memcpy_op,
    },
    Entry {
        name: "vm_read_1m",
        what: "1 MiB process_vm_readv from this thread to the heap: PWRITE's copy alone",
        unit: BW_1M,
        floor: Some(Floor {
            entry: "memcpy_1m",
            times: 1.0,
        }),
        target: None,
        op: baseline::vm_read_1m_op,
    },
    Entry {
        name: "pwrite_1m",
        what: "GEM_PWRITE of 1 MiB into a 1 MiB object",
        unit: BW_1M,
        floor: Some(Floor {
            entry: "memcpy_1m",
            times: 1.0,
        }),
        target: Some(Target::AtLeast(0.60)),
        op: gem::pwrite_op,
    },
    Entry {
        name: "vm_write_1m",
        what: "1 MiB process_vm_writev from the heap to this thread: PREAD's copy alone",
        unit: BW_1M,
        floor: Some(Floor {
            entry: "memcpy_1m",
            times: 1.0,
        }),
        target: None,
        op: baseline::vm_write_1m_op,
    },
    Entry {
        name: "pread_1m",
        what: "GEM_PREAD of 1 MiB from a 1 MiB object",
        unit: BW_1M,
        floor: Some(Floor {
            entry: "memcpy_1m",
            times: 1.0,
        }),
        target: Some(Target::AtLeast(0.60)),
        op: gem::pread_op,
    },
];

/// Returns 0 once every selected benchmark ran (whatever its numbers), 1 when one failed.
pub fn bench(args: &BenchArgs) -> Fallible<u8> {
    let selected = select(ENTRIES, args.filter.as_deref())?;
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    if let Some(cpu) = args.cpu {
        // Before any thread exists: threads inherit the affinity.
        let mut set = CpuSet::new();
        set.set(cpu).map_err(|e| format!("CPU {cpu}: {e}"))?;
        sched_setaffinity(Pid::from_raw(0), &set)
            .map_err(|e| format!("running on CPU {cpu} only: {e}"))?;
    }
    let mut conditions = Conditions {
        quick: args.quick,
        cpus,
        cpu: args.cpu,
        load_before: load_average(),
        ..Default::default()
    };
    // The device's session thread raises SESSION_ENDED when the run unmounts it: blocked
    // here, before any thread exists, so that every thread inherits the mask.
    let mut ended = SigSet::empty();
    ended.add(SESSION_ENDED);
    ended
        .thread_block()
        .map_err(|e| format!("blocking {SESSION_ENDED}: {e}"))?;
    // The directory is made in the host's namespace (where `--json` also writes); the
    // mounts in it are private and vanish with the process however it ends.
    let dir = RunDir::create()?;
    namespace::enter_private()?;
    let mounts = Mounts::start(dir)?;
    let rig = Rig::open(&mounts)?;

    let plan = if args.quick { Plan::QUICK } else { Plan::FULL };
    let (outcomes, failed) = run(&selected, &rig, &plan);
    drop(rig);
    // close() returns before FUSE has its RELEASE answered (the kernel sends it in the
    // background); an unmount right now would abort the connection under the reply,
    // which fuser reports as an error. A moment lets the workers answer first.
    std::thread::sleep(std::time::Duration::from_millis(20));
    mounts.stop();

    conditions.load_after = load_average();
    println!(
        "gemu bench{}: {} samples each, in rounds (p90: the slow end); ratio: median of the \
         per-round ratios; {cpus} CPUs{}; load average {} before, {} after",
        if args.quick { " --quick" } else { "" },
        plan.samples,
        match args.cpu {
            Some(n) => format!(", run on CPU {n} only"),
            None => String::new(),
        },
        conditions.load_before,
        conditions.load_after,
    );
    print!("{}", harness::table(&outcomes));
    let busy = |load: &str| load.parse::<f64>().is_ok_and(|l| l >= 0.5 * cpus as f64);
    if args.cpu.is_none() && (busy(&conditions.load_before) || busy(&conditions.load_after)) {
        // Measured here: with other work on the CPUs, each FUSE server's workers settle
        // either on a free CPU (~5 µs round trips) or behind the other work (~50 µs), at
        // random per server and run, which no pairing of samples can correct.
        eprintln!(
            "note: the machine is busy; unpinned FUSE times then swing several-fold. \
             `--cpu N` gives steady numbers."
        );
    }
    if let Some(path) = &args.json {
        std::fs::write(path, harness::json(&outcomes, &conditions))
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(u8::from(failed))
}

/// A benchmark being measured.
struct Running<'r> {
    entry: &'r Entry<Rig>,
    op: Op<'r>,
    ops_per_sample: u64,
    ns_per_op: Vec<f64>,
}

/// Set up and warm up every entry, sample them all in rounds, and compare each with its
/// floor. A benchmark that fails is reported on stderr and left out (`true` is returned
/// with the results then).
fn run<'r>(entries: &[&'r Entry<Rig>], rig: &'r Rig, plan: &Plan) -> (Vec<Outcome>, bool) {
    let mut failed = false;
    let mut fail = |entry: &Entry<Rig>, e: String| {
        eprintln!("gemu bench: {}: {e}", entry.name);
        failed = true;
    };
    let mut running: Vec<Running<'r>> = Vec::new();
    for &entry in entries {
        let started = (entry.op)(rig).and_then(|mut op| {
            let ops_per_sample = harness::warm_up(&mut op, plan)?;
            Ok(Running {
                entry,
                op,
                ops_per_sample,
                ns_per_op: Vec::with_capacity(plan.samples),
            })
        });
        match started {
            Ok(r) => running.push(r),
            Err(e) => fail(entry, e),
        }
    }
    for _ in 0..plan.samples {
        let mut i = 0;
        while i < running.len() {
            let r = &mut running[i];
            match harness::sample(&mut r.op, r.ops_per_sample) {
                Ok(ns) => {
                    r.ns_per_op.push(ns);
                    i += 1;
                }
                Err(e) => {
                    let r = running.remove(i);
                    fail(r.entry, e);
                }
            }
        }
    }
    let outcomes = running
        .iter()
        .map(|r| {
            let mut o = Outcome::new(r.entry, &r.ns_per_op, r.ops_per_sample);
            let floor = r.entry.floor.and_then(|f| {
                let of = running.iter().find(|x| x.entry.name == f.entry)?;
                Some((f, of))
            });
            if let Some((f, of)) = floor {
                let of_outcome = Outcome::new(of.entry, &of.ns_per_op, of.ops_per_sample);
                o.floor = Some(FloorValue {
                    of: f,
                    value: of_outcome.median * f.times,
                });
                o.ratio = Some(harness::paired_ratio(
                    r.entry.unit,
                    &r.ns_per_op,
                    of.entry.unit,
                    &of.ns_per_op,
                    f.times,
                ));
            }
            o
        })
        .collect();
    (outcomes, failed)
}

/// The entries whose name contains `filter`, with the floors they need, in list order.
fn select<'e>(entries: &'e [Entry<Rig>], filter: Option<&str>) -> Fallible<Vec<&'e Entry<Rig>>> {
    let Some(filter) = filter else {
        return Ok(entries.iter().collect());
    };
    let mut wanted: Vec<&str> = entries
        .iter()
        .filter(|e| e.name.contains(filter))
        .map(|e| e.name)
        .collect();
    if wanted.is_empty() {
        let names: Vec<&str> = entries.iter().map(|e| e.name).collect();
        return Err(format!(
            "no benchmark matches {filter:?} (there are: {})",
            names.join(", ")
        ));
    }
    // Floors precede their users, so one pass from the end collects floors of floors.
    for e in entries.iter().rev() {
        if wanted.contains(&e.name) {
            if let Some(f) = e.floor {
                wanted.push(f.entry);
            }
        }
    }
    Ok(entries
        .iter()
        .filter(|e| wanted.contains(&e.name))
        .collect())
}

impl Mounts {
    fn start(dir: RunDir) -> Fallible<Mounts> {
        let device = Daemon::start(&dir.make("device")?, emu::DeviceConfig::default())
            .map_err(|e| format!("starting gemu's device: {e}"))?;
        let floor = FloorMount::start(&dir.make("floor")?)
            .map_err(|e| format!("starting the floor: {e}"))?;
        Ok(Mounts { floor, device, dir })
    }

    /// Unmount both, then remove their directory. (On an error path, dropping does the
    /// same, quietly.)
    fn stop(self) {
        drop(self.floor);
        if let Err(e) = self.device.stop() {
            log::warn!("{e}");
        }
        drop(self.dir);
    }
}

impl Rig {
    fn open(mounts: &Mounts) -> Fallible<Rig> {
        let dir = &mounts.dir.0;
        Ok(Rig {
            card: open(&dir.join("device/card0"))?,
            echo: open(&dir.join("floor/echo"))?,
            echo_write: open(&dir.join("floor/echo_write"))?,
            model: model::Model::new()?,
        })
    }
}

/// The 1-minute load average.
fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().next().unwrap_or("?").to_string()
}

fn open(path: &Path) -> Fallible<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| format!("opening {}: {e}", path.display()))
}

/// A fresh directory for this run's mount points, removed at the end. If the run is
/// killed, its mounts go with its namespace and only this (empty) directory is left.
struct RunDir(PathBuf);

impl RunDir {
    fn create() -> Fallible<RunDir> {
        let path = std::env::temp_dir().join(format!("gemu-bench-{}", std::process::id()));
        std::fs::create_dir(&path).map_err(|e| format!("creating {}: {e}", path.display()))?;
        Ok(RunDir(path))
    }

    fn make(&self, name: &str) -> Fallible<PathBuf> {
        let p = self.0.join(name);
        std::fs::create_dir(&p).map_err(|e| format!("creating {}: {e}", p.display()))?;
        Ok(p)
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        // Runs after the mounts are gone (Rig's field order); a mount point still busy
        // makes this fail, which is only worth a note.
        if let Err(e) = std::fs::remove_dir_all(&self.0) {
            log::warn!("removing {}: {e}", self.0.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_come_first_and_filters_keep_them() {
        for (i, e) in ENTRIES.iter().enumerate() {
            if let Some(f) = e.floor {
                let at = ENTRIES.iter().position(|x| x.name == f.entry);
                assert!(at.is_some_and(|at| at < i), "{}: floor {}", e.name, f.entry);
            }
        }
        let names = |f| -> Vec<&str> {
            select(ENTRIES, Some(f))
                .unwrap()
                .iter()
                .map(|e| e.name)
                .collect()
        };
        assert_eq!(names("getparam"), ["floor", "model_getparam", "getparam"]);
        assert_eq!(names("pread"), ["memcpy_1m", "pread_1m"]);
        assert!(select(ENTRIES, Some("nothing")).is_err());
        assert_eq!(select(ENTRIES, None).unwrap().len(), ENTRIES.len());
    }
}
