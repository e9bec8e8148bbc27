//! `gemu bench`: gemu's ioctl costs against the floors they are built on, measured in
//! the same run.
//!
//! The run sets up everything it measures in a private mount namespace, on a tmpfs over
//! its own view of `/tmp` (so nothing leaks to the host, even if the run is killed):
//! gemu's device as `gemu serve` serves it, and the floor ([`floor`]), a trivial FUSE
//! file system served with the same settings. Both stay mounted until the process exits.
//! A child process then opens the nodes and runs every benchmark, as a client would.
//!
//! Besides the benchmarks, the table holds the pieces they are made of, so a
//! ratio can be explained from the same run: `vm_write4`, `vm_write4_child`,
//! `vm_read_1m`, `vm_write_1m` (the `process_vm_*` copies alone), `floor_write4` (the floor plus GETPARAM's 4-byte
//! write-back) and `model_*` (gemu's model called in-process, without FUSE).
//!
//! The client runs with the shim preloaded, as under `gemu run`. Entries ending in
//! `_shim` call `ioctl` through it; every other entry makes the system call itself
//! ([`sys_ioctl`]): what a program without the shim pays.
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
mod eu;
mod exec;
mod exec_scale;
mod floor;
mod gem;
mod harness;
mod model;

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::mount::{mount, MsFlags};

use nix::sched::{sched_setaffinity, CpuSet};
use nix::sys::signal::{SigSet, Signal};
use nix::unistd::Pid;

use crate::aperture_socket::ApertureSocket;
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
    /// Where card0 is, for benchmarks that need a second client.
    card_path: PathBuf,
    /// A `--quick` run: a smoke test, so the long benchmarks run at a small size.
    quick: bool,
}

/// The file systems the run serves. Dropping it (on an error path) unmounts them.
struct Mounts {
    _floor: FloorMount,
    _device: Daemon,
    /// Where the client's shim gets the aperture memfd (as under `gemu run`).
    _aperture: ApertureSocket,
}

/// The aperture socket of the run's device, on its scratch tmpfs.
const APERTURE_SOCKET: &str = "/tmp/aperture";

/// `ioctl(2)` as a program without the shim makes it: straight to the kernel, also when
/// the shim is preloaded into the client (the `_shim` entries go through it).
///
/// # Safety
/// As [`crate::probe::drm_ioctl`].
pub(crate) unsafe fn sys_ioctl<T>(file: &File, cmd: u32, arg: &mut T) -> nix::Result<()> {
    assert_eq!(emu::ioctl::ioc_size(cmd), std::mem::size_of::<T>());
    // SAFETY: as the caller promises.
    let r = unsafe { libc::syscall(libc::SYS_ioctl, file.as_raw_fd(), cmd as libc::c_ulong, arg) };
    nix::errno::Errno::result(r).map(drop)
}

/// Whether the client runs with the shim preloaded (what the `_shim` entries measure).
fn shim_loaded() -> bool {
    std::env::var_os(uapi::GEMU_RW_SOCKET_ENV).is_some()
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
        name: "vm_write4_child",
        what: "4-byte process_vm_writev to another process (a forked idle child), alone",
        unit: Unit::MicrosPerOp,
        floor: None,
        target: None,
        op: baseline::vm_write4_child_op,
    },
    Entry {
        name: "shm_round_trip",
        what: "a request and its answer through a shared page and futexes with a forked child: a shim-daemon channel's floor",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "floor",
            times: 1.0,
        }),
        target: None,
        op: baseline::shm_round_trip_op,
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
        name: "getparam_shim",
        what: "I915_GETPARAM(CHIPSET_ID) through the shim, answered from its copy of the fixed answers",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "floor",
            times: 1.0,
        }),
        target: None,
        op: gem::getparam_shim_op,
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
        name: "native_vector_add_16m",
        what: "c[i] = a[i] + b[i] over 16M floats, a plain Rust loop",
        unit: Unit::MicrosPerOp,
        floor: None,
        target: None,
        op: eu::native_vector_add_op::<{ eu::LARGE }>,
    },
    Entry {
        name: "eu_vector_add_16m",
        what: "the same vector add as a GPGPU_WALKER dispatch of SIMD16 EU threads (interpreter only, no ioctls)",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "native_vector_add_16m",
            times: 1.0,
        }),
        target: Some(Target::AtMost(20.0)),
        op: eu::eu_vector_add_op::<{ eu::LARGE }>,
    },
    Entry {
        name: "native_reduce_16m",
        what: "one sum per 64 floats over 16M floats, a plain Rust loop",
        unit: Unit::MicrosPerOp,
        floor: None,
        target: None,
        op: eu::native_reduce_op::<{ eu::LARGE }>,
    },
    Entry {
        name: "eu_reduce_16m",
        what: "the same sums as GPGPU_WALKER groups of four SIMD16 threads, through SLM and a barrier",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "native_reduce_16m",
            times: 1.0,
        }),
        target: Some(Target::AtMost(20.0)),
        op: eu::eu_reduce_op::<{ eu::LARGE }>,
    },
    Entry {
        name: "native_vector_add_64k",
        what: "c[i] = a[i] + b[i] over 64K (cache-resident) floats, a plain Rust loop",
        unit: Unit::MicrosPerOp,
        floor: None,
        target: None,
        op: eu::native_vector_add_op::<{ eu::SMALL }>,
    },
    Entry {
        name: "eu_vector_add_64k",
        what: "the same vector add as a GPGPU_WALKER dispatch of SIMD16 EU threads (interpreter only, no ioctls)",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "native_vector_add_64k",
            times: 1.0,
        }),
        target: None,
        op: eu::eu_vector_add_op::<{ eu::SMALL }>,
    },
    Entry {
        name: "native_reduce_64k",
        what: "one sum per 64 floats over 64K (cache-resident) floats, a plain Rust loop",
        unit: Unit::MicrosPerOp,
        floor: None,
        target: None,
        op: eu::native_reduce_op::<{ eu::SMALL }>,
    },
    Entry {
        name: "eu_reduce_64k",
        what: "the same sums as GPGPU_WALKER groups of four SIMD16 threads, through SLM and a barrier",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "native_reduce_64k",
            times: 1.0,
        }),
        target: None,
        op: eu::eu_reduce_op::<{ eu::SMALL }>,
    },
    Entry {
        name: "create_close_1k",
        what: "GEM_CREATE (4 KiB) + GEM_CLOSE by a client holding 1,000 other objects",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "create_close",
            times: 1.0,
        }),
        target: None,
        op: gem::create_close_1k_op,
    },
    Entry {
        name: "create_close_10k",
        what: "the same holding 10,000 objects (a handle table scan would show here)",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "create_close",
            times: 1.0,
        }),
        target: Some(Target::AtMost(1.5)),
        op: gem::create_close_10k_op,
    },
    Entry {
        name: "model_create_close_1k",
        what: "model_create_close on a model device whose client holds 1,000 objects",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "model_create_close",
            times: 1.0,
        }),
        target: None,
        op: model::create_close_1k_op,
    },
    Entry {
        name: "model_create_close_100k",
        what: "the same holding 100,000 objects",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "model_create_close",
            times: 1.0,
        }),
        target: None,
        op: model::create_close_100k_op,
    },
    Entry {
        name: "model_create_close_1m",
        what: "the same holding 1,000,000 objects",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "model_create_close",
            times: 1.0,
        }),
        target: Some(Target::AtMost(2.0)),
        op: model::create_close_1m_op,
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
    Entry {
        name: "memfd_pwrite_1m",
        what: "1 MiB pwrite(2) from the heap into the aperture memfd: PWRITE_shim's copy alone",
        unit: BW_1M,
        floor: Some(Floor {
            entry: "memcpy_1m",
            times: 1.0,
        }),
        target: None,
        op: gem::memfd_pwrite_op,
    },
    Entry {
        name: "window_pwrite_1m",
        what: "MADV_POPULATE_READ of 1 MiB, then a memcpy into a memfd mapping: PWRITE_shim's copy alone",
        unit: BW_1M,
        floor: Some(Floor {
            entry: "memcpy_1m",
            times: 1.0,
        }),
        target: None,
        op: gem::window_pwrite_op,
    },
    Entry {
        name: "pwrite_1m_shim",
        what: "GEM_PWRITE of 1 MiB through the shim: the daemon checks, the shim copies through the memfd",
        unit: BW_1M,
        floor: Some(Floor {
            entry: "memcpy_1m",
            times: 1.0,
        }),
        target: Some(Target::AtLeast(0.60)),
        op: gem::pwrite_shim_op,
    },
    Entry {
        name: "memfd_pread_1m",
        what: "1 MiB pread(2) from the aperture memfd into the heap: PREAD_shim's copy alone",
        unit: BW_1M,
        floor: Some(Floor {
            entry: "memcpy_1m",
            times: 1.0,
        }),
        target: None,
        op: gem::memfd_pread_op,
    },
    Entry {
        name: "pread_1m_shim",
        what: "GEM_PREAD of 1 MiB through the shim",
        unit: BW_1M,
        floor: Some(Floor {
            entry: "memcpy_1m",
            times: 1.0,
        }),
        target: Some(Target::AtLeast(0.60)),
        op: gem::pread_shim_op,
    },
    Entry {
        name: "exec_empty",
        what: "EXECBUFFER2 of an empty batch (MI_BATCH_BUFFER_END) on rcs0, softpinned",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "floor",
            times: 1.0,
        }),
        target: Some(Target::AtMost(2.5)),
        op: exec::exec_empty_op,
    },
    Entry {
        name: "exec_objects_64",
        what: "the same with 63 more softpinned objects (the report gives the cost per object)",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "exec_empty",
            times: 1.0,
        }),
        target: None,
        op: exec_scale::exec_objects_64_op,
    },
    Entry {
        name: "exec_objects_4096",
        what: "the same with 4095 more softpinned objects",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "exec_empty",
            times: 1.0,
        }),
        target: None,
        op: exec_scale::exec_objects_4096_op,
    },
    Entry {
        name: "exec_relocs_4096",
        what: "an empty batch with 4096 relocations applied and written back (cost per relocation in the report)",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "exec_empty",
            times: 1.0,
        }),
        target: None,
        op: exec_scale::exec_relocs_op,
    },
    Entry {
        name: "exec_empty_2",
        what: "the same while a second client submits empty batches as fast as it can",
        unit: Unit::MicrosPerOp,
        floor: Some(Floor {
            entry: "floor",
            times: 1.0,
        }),
        target: None,
        op: exec::exec_empty_two_op,
    },
    Entry {
        name: "exec_store1000",
        what: "a batch of 1000 MI_STORE_DWORD_IMM, submitted and waited for",
        unit: Unit::MicrosPerOp,
        floor: None,
        target: None,
        op: exec::exec_store1000_op,
    },
    Entry {
        name: "memcpy_64m",
        what: "64 MiB memcpy between two heap buffers",
        unit: BW_64M,
        floor: None,
        target: None,
        op: exec::memcpy_64m_op,
    },
    Entry {
        name: "src_copy_linear",
        what: "XY_SRC_COPY_BLT of 64 MiB (4096x4096 32 bpp) linear to linear, waited for",
        unit: BW_64M,
        floor: Some(Floor {
            entry: "memcpy_64m",
            times: 1.0,
        }),
        target: Some(Target::AtLeast(0.70)),
        op: exec::src_copy_linear_op,
    },
    Entry {
        name: "fast_copy_linear",
        what: "XY_FAST_COPY_BLT of 64 MiB linear to linear",
        unit: BW_64M,
        floor: Some(Floor {
            entry: "memcpy_64m",
            times: 1.0,
        }),
        target: Some(Target::AtLeast(0.70)),
        op: exec::fast_copy_linear_op,
    },
    Entry {
        name: "src_copy_tiled",
        what: "XY_SRC_COPY_BLT of 64 MiB Y-tiled to Y-tiled",
        unit: BW_64M,
        floor: Some(Floor {
            entry: "memcpy_64m",
            times: 1.0,
        }),
        target: Some(Target::AtLeast(0.40)),
        op: exec::src_copy_tiled_op,
    },
    Entry {
        name: "fast_copy_tiled",
        what: "XY_FAST_COPY_BLT of 64 MiB Y-tiled to Y-tiled",
        unit: BW_64M,
        floor: Some(Floor {
            entry: "memcpy_64m",
            times: 1.0,
        }),
        target: Some(Target::AtLeast(0.40)),
        op: exec::fast_copy_tiled_op,
    },
    Entry {
        name: "userptr_to_gem",
        what: "XY_SRC_COPY_BLT of 64 MiB from a userptr object (client memory) into a GEM object",
        unit: BW_64M,
        floor: Some(Floor {
            entry: "memcpy_64m",
            times: 1.0,
        }),
        target: Some(Target::AtLeast(0.50)),
        op: exec::userptr_to_gem_op,
    },
    Entry {
        name: "gem_to_userptr",
        what: "XY_SRC_COPY_BLT of 64 MiB from a GEM object into a userptr object",
        unit: BW_64M,
        floor: Some(Floor {
            entry: "memcpy_64m",
            times: 1.0,
        }),
        target: Some(Target::AtLeast(0.50)),
        op: exec::gem_to_userptr_op,
    },
    Entry {
        name: "purgeable",
        what: "create 1 MiB, write, read, MADVISE(DONTNEED), keep 512 (the 1 GiB budget purges)",
        unit: Unit::MicrosPerOp,
        floor: None,
        target: None,
        op: exec::purgeable_op,
    },
];

const BW_64M: Unit = Unit::GigabytesPerSecond {
    bytes: exec::BLIT_BYTES as u64,
};

/// Where the run mounts the device and the floor, in its own mount namespace.
const SCRATCH: &str = "/tmp";
/// The same, for `gemu fuzz`, which mounts its device the same way.
pub(crate) const SCRATCH_DIR: &str = SCRATCH;

/// Returns 0 once every selected benchmark ran (whatever its numbers), 1 when one failed.
///
/// Two processes: this one serves the file systems; a child (`gemu bench --client`,
/// in the same mount namespace) opens the nodes and runs the benchmarks. A process that
/// is both the client and the server of a FUSE node cannot die safely with the node
/// open (an error, ^C, SIGKILL): the kernel's close of the node sends a FLUSH and waits
/// for workers that are already gone, while the connection lives on in its own
/// not-yet-closed /dev/fuse descriptors; the process then never finishes exiting.
/// Split, either side can die at any time. The client is also a real separate process,
/// as gemu's clients are.
pub fn bench(args: &BenchArgs) -> Fallible<u8> {
    select(ENTRIES, args.filter.as_deref())?;
    if args.client {
        return client(args);
    }
    if let Some(cpu) = args.cpu {
        pin(cpu)?;
    }
    // Before any thread exists, so that every thread inherits the mask: the device's
    // session thread raises SESSION_ENDED when its mount goes, and ^C or a SIGTERM is
    // for the client (which gets the terminal's ^C itself): this process waits for it.
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
    // Resolved before the run covers /tmp (see `scratch`): FILE may well be there.
    let json = args.json.as_deref().map(JsonTarget::resolve).transpose()?;
    namespace::enter_private()?;
    let scratch_dir = scratch()?;
    let mounts = Mounts::start(&scratch_dir)?;

    let mut client = Command::new("/proc/self/exe");
    client.arg0("gemu").args(["bench", "--client"]);
    if args.quick {
        client.arg("--quick");
    }
    if let Some(f) = &args.filter {
        client.arg("--filter").arg(f);
    }
    if let Some(cpu) = args.cpu {
        client.arg("--cpu").arg(cpu.to_string());
    }
    if let Some(json) = &json {
        client.arg("--json").arg(json.for_child());
    }
    // The client runs with the shim, as under `gemu run`: the `_shim` entries go through
    // it, every other entry calls the kernel directly.
    match crate::shim::library() {
        Ok(library) => {
            crate::shim::preload(&mut client, &library, &scratch_dir.join("device"))?;
            client.env(uapi::GEMU_RW_SOCKET_ENV, APERTURE_SOCKET);
        }
        Err(e) => eprintln!("gemu bench: the _shim entries cannot run: {e}"),
    }
    let status = client
        .status()
        .map_err(|e| format!("starting the benchmark client: {e}"))?;
    // The file systems stay mounted until this process exits: its exit ends the FUSE
    // connections (workers first) and drops the namespace with the mounts. Unmounting
    // now could race the workers still answering the RELEASE of the client's nodes;
    // fuser reports a reply aborted under it as an error.
    std::mem::forget(mounts);
    drop(json);
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        (None, Some(signal)) => 128u8.wrapping_add(signal as u8),
        (None, None) => 1,
    })
}

/// The client side of a run: open the nodes, run the benchmarks, report.
fn client(args: &BenchArgs) -> Fallible<u8> {
    let selected = select(ENTRIES, args.filter.as_deref())?;
    // The server blocked these before starting us, and a spawned process inherits the
    // mask: ^C must end the client.
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
        .thread_unblock()
        .map_err(|e| format!("unblocking signals: {e}"))?;
    // Every CPU the machine has, whatever this process may run on.
    let cpus = nix::unistd::sysconf(nix::unistd::SysconfVar::_NPROCESSORS_ONLN)
        .ok()
        .flatten()
        .unwrap_or(0) as usize;
    if let Some(cpu) = args.cpu {
        pin(cpu)?;
    }
    let mut conditions = Conditions {
        quick: args.quick,
        cpus,
        cpu: args.cpu,
        load_before: load_average(),
        ..Default::default()
    };
    let rig = Rig::open(Path::new(SCRATCH), args.quick)?;
    let plan = if args.quick { Plan::QUICK } else { Plan::FULL };
    let (outcomes, failed) = run(&selected, &rig, &plan);
    drop(rig);

    conditions.load_after = load_average();
    println!(
        "gemu bench{}: {} samples each (at least {} once {} s of sampling ran out), in rounds \
         (p90: the slow end); ratio: median of the per-round ratios; {cpus} CPUs{}; load \
         average {} before, {} after",
        if args.quick { " --quick" } else { "" },
        plan.samples,
        harness::MIN_ROUNDS,
        plan.budget.as_secs(),
        match args.cpu {
            Some(n) => format!(", run on CPU {n} only"),
            None => String::new(),
        },
        conditions.load_before,
        conditions.load_after,
    );
    print!("{}", harness::table(&outcomes));
    for line in exec_scale::derived(&outcomes) {
        println!("{line}");
    }
    for o in &outcomes {
        if let Some(lanes) = eu::lane_instructions(o.name, args.quick) {
            // The median is in µs per operation.
            println!(
                "{}: {:.0} M lane-instructions/s ({lanes} per dispatch)",
                o.name,
                lanes as f64 / o.median
            );
        }
    }
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
            .map_err(|e| format!("writing the JSON results: {e}"))?;
    }
    Ok(u8::from(failed))
}

/// Run this process (and the threads and processes it starts later) on CPU `cpu` only.
fn pin(cpu: usize) -> Fallible<()> {
    let mut set = CpuSet::new();
    set.set(cpu).map_err(|e| format!("CPU {cpu}: {e}"))?;
    sched_setaffinity(Pid::from_raw(0), &set).map_err(|e| format!("running on CPU {cpu} only: {e}"))
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
    let sampling = std::time::Instant::now();
    for round in 0..plan.samples {
        if round >= harness::MIN_ROUNDS && sampling.elapsed() > plan.budget {
            break;
        }
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
    fn start(dir: &Path) -> Fallible<Mounts> {
        // A 1 GiB budget: the blits' objects fit, the purgeable benchmark's do not.
        let config = emu::DeviceConfig {
            memory: 1 << 30,
            ..Default::default()
        };
        let device = Daemon::start(&make_dir(dir, "device")?, config)
            .map_err(|e| format!("starting gemu's device: {e}"))?;
        let floor = FloorMount::start(&make_dir(dir, "floor")?)
            .map_err(|e| format!("starting the floor: {e}"))?;
        let memfd = device
            .memfd()
            .map_err(|e| format!("the aperture memfd: {e}"))?;
        let aperture =
            ApertureSocket::listen(Path::new(APERTURE_SOCKET), memfd, device.is_device_file())
                .map_err(|e| format!("the aperture socket: {e}"))?;
        Ok(Mounts {
            _floor: floor,
            _device: device,
            _aperture: aperture,
        })
    }
}

impl Rig {
    /// A second open of card0: another DRM client.
    fn reopen(&self) -> Fallible<File> {
        open(&self.card_path)
    }

    /// Open the nodes mounted under `dir` (see [`Mounts`]).
    fn open(dir: &Path, quick: bool) -> Fallible<Rig> {
        Ok(Rig {
            quick,
            card_path: dir.join("device/card0"),
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

/// The run's scratch directory for its mount points: a tmpfs over `/tmp`, in the run's
/// private mount namespace. Nothing of it is seen outside, and it vanishes with the
/// process however that ends.
pub(crate) fn scratch() -> Fallible<PathBuf> {
    let dir = PathBuf::from(SCRATCH);
    mount(
        Some(crate::fuse_mount::SOURCE),
        &dir,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some("mode=755"),
    )
    .map_err(|e| format!("mounting a private tmpfs on {}: {e}", dir.display()))?;
    Ok(dir)
}

pub(crate) fn make_dir(parent: &Path, name: &str) -> Fallible<PathBuf> {
    let p = parent.join(name);
    std::fs::create_dir(&p).map_err(|e| format!("creating {}: {e}", p.display()))?;
    Ok(p)
}

/// Where `--json` writes: its directory, held open from before the run covered `/tmp`.
struct JsonTarget {
    dir: File,
    name: OsString,
}

impl JsonTarget {
    fn resolve(path: &Path) -> Fallible<JsonTarget> {
        let name = path
            .file_name()
            .ok_or_else(|| format!("--json {}: not a file name", path.display()))?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let dir = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_PATH | libc::O_DIRECTORY)
            .open(dir)
            .map_err(|e| format!("--json: {}: {e}", dir.display()))?;
        Ok(JsonTarget {
            dir,
            name: name.to_os_string(),
        })
    }

    /// FILE as the client reaches it: through this process's descriptor of its
    /// directory, which `/tmp` covered in the namespace cannot hide.
    fn for_child(&self) -> PathBuf {
        PathBuf::from(format!(
            "/proc/{}/fd/{}",
            std::process::id(),
            self.dir.as_raw_fd()
        ))
        .join(&self.name)
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
        assert_eq!(
            names("getparam"),
            ["floor", "model_getparam", "getparam", "getparam_shim"]
        );
        assert_eq!(
            names("pread"),
            ["memcpy_1m", "pread_1m", "memfd_pread_1m", "pread_1m_shim"]
        );
        assert!(select(ENTRIES, Some("nothing")).is_err());
        assert_eq!(select(ENTRIES, None).unwrap().len(), ENTRIES.len());
    }
}
