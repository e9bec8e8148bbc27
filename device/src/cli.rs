//! The command line of `gemu`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};

/// gemu: an Intel i915 GPU emulated in user space, served as DRM device nodes.
#[derive(Parser, Debug)]
#[command(name = "gemu", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve `card0` and `renderD128` until SIGINT or SIGTERM: as files in a FUSE mount
    /// (--mount DIR) or as character devices through CUSE (--cuse).
    ///
    /// With --mount, DIR becomes a FUSE mount (type fuse.gemu) open to every user; it is
    /// unmounted on exit. With --cuse, /dev/dri/card0 (226:0) and /dev/dri/renderD128
    /// (226:128) are real character devices for every process on the host; they
    /// disappear on exit. CUSE nodes cannot be mmapped (the kernel refuses).
    #[command(group(ArgGroup::new("front_end").required(true).args(["mount", "cuse"])))]
    Serve {
        /// The directory to mount the nodes in (created if missing).
        #[arg(long, value_name = "DIR")]
        mount: Option<PathBuf>,
        #[command(flatten)]
        cuse: CuseArgs,
        #[command(flatten)]
        device: DeviceArgs,
    },
    /// Run PROGRAM with gemu's nodes as /dev/dri/card0 and /dev/dri/renderD128.
    ///
    /// PROGRAM runs in a private mount namespace: the host's /dev and mount table are not
    /// touched. Without PROGRAM, the built-in probe runs. Exits with PROGRAM's status
    /// (128+N when signal N killed it). Needs root (CAP_SYS_ADMIN).
    Run {
        #[command(flatten)]
        device: DeviceArgs,
        /// Do not preload gemu's shim (libgemu_shim.so) into PROGRAM: the nodes then stat
        /// as regular files and ioctls that return file descriptors fail.
        #[arg(long)]
        no_shim: bool,
        /// Give PROGRAM a private SysV IPC namespace whose message queues may hold
        /// `msgmnb` bytes (IGT's allocator raises its queue's limit, which needs
        /// CAP_SYS_RESOURCE in the host's namespace). `gemu igt` sets it.
        /// A value must be attached (`--private-ipc=BYTES`): the word after a bare
        /// `--private-ipc` is the program.
        /// Without it, gemu makes one by itself when it lacks CAP_SYS_RESOURCE (Docker's
        /// default set), so IGT runs there as with it.
        #[arg(
            long,
            value_name = "BYTES",
            num_args = 0..=1,
            require_equals = true,
            default_missing_value = "1048576"
        )]
        private_ipc: Option<u64>,
        /// Keep the host's SysV IPC namespace even without CAP_SYS_RESOURCE.
        #[arg(long, conflicts_with = "private_ipc")]
        host_ipc: bool,
        /// The program and its arguments. Options of gemu come first; after the program's
        /// name (or `--`) every word is the program's.
        #[arg(trailing_var_arg = true, value_name = "PROGRAM")]
        program: Vec<OsString>,
    },
    /// Run IGT tests from an IGT build, each under a fresh `gemu run`, and print a table.
    ///
    /// Each entry is `binary`, `binary@subtest` or `binary@subtest@dynamic`; a whole
    /// binary runs each of its subtests (`--list-subtests`) separately. Results: pass
    /// (exit 0), skip (77), fail (98 or another status), crash (a signal), timeout.
    /// Exits 0 when nothing failed, crashed or timed out, else 1.
    Igt {
        /// The IGT build directory (the one holding tests/<binary>).
        #[arg(long, value_name = "DIR")]
        igt_build: PathBuf,
        /// A file of entries, one per line; `#` starts a comment.
        #[arg(long, value_name = "FILE")]
        list: Option<PathBuf>,
        /// Where to write the results as JSON.
        #[arg(long, value_name = "FILE", default_value = "igt-results.json")]
        results: PathBuf,
        /// Seconds each test may run before its process group is killed.
        #[arg(long, value_name = "SECS", default_value_t = 120)]
        timeout: u64,
        /// A library to put in each test's LD_PRELOAD (not in gemu's).
        #[arg(long, value_name = "PATH")]
        preload: Option<PathBuf>,
        /// Run every binary of a suite found in the build (`i915`: gem_*, i915_*,
        /// prime_*, syncobj_*, core_*, drm_*, sw_sync, dmabuf*, perf_pmu).
        #[arg(long, value_name = "NAME")]
        suite: Option<String>,
        /// How many tests run side by side, each under its own daemon.
        #[arg(long, short = 'j', value_name = "N", default_value_t = 1)]
        jobs: usize,
        /// The reviewed exceptions (`PATTERN CLASS REASON` per line) that class the
        /// non-passes in the --markdown summary.
        #[arg(long, value_name = "FILE")]
        exceptions: Option<PathBuf>,
        /// Write a Markdown summary: per binary counts and times, every non-pass with
        /// its class (tests/igt/RESULTS.md is one).
        #[arg(long, value_name = "FILE")]
        markdown: Option<PathBuf>,
        /// IGT's CI blocklist (tests/intel-ci/i915.blocklist.txt in IGT's source): the
        /// entries its expressions match are not run.
        #[arg(long, value_name = "FILE")]
        blocklist: Option<PathBuf>,
        /// Run nothing: write the --markdown summary again from a results file of an
        /// earlier run (after the exceptions were reviewed, say).
        #[arg(long, value_name = "FILE")]
        from_results: Option<PathBuf>,
        #[command(flatten)]
        device: DeviceArgs,
        /// Entries to run, after those of --list.
        #[arg(value_name = "TESTS")]
        tests: Vec<String>,
    },
    /// Open a DRM node, ask it what it is and print a short report.
    ///
    /// This is what `gemu run` runs when it is given no program.
    Probe {
        /// The node to probe.
        #[arg(long, default_value = "/dev/dri/card0")]
        device: PathBuf,
    },
    /// Time gemu's ioctl round trips against the bare FUSE floor and memcpy.
    ///
    /// Mounts its own device and a trivial FUSE file (with gemu's worker settings) in a
    /// private mount namespace, calls both from this process and prints one table: each
    /// benchmark's median, p90 and floor, the ratio to the floor and the target.
    /// A missed target is reported, never an error. Needs root (CAP_SYS_ADMIN).
    Bench(BenchArgs),
    /// Print a batch as the command streamer reads it: each command's offset, name and
    /// dwords, up to MI_BATCH_BUFFER_END or the first command the engine would hang on.
    Decode {
        /// A file holding the batch as little-endian dwords (e.g. a dumped object).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The engine whose command set applies.
        #[arg(long, value_name = "ENGINE", default_value = "rcs0")]
        engine: String,
    },
    /// Run an AUB trace (from `--record`) on gemu's software GPU.
    ///
    /// Rebuilds the memory the trace describes and executes each submission in trace
    /// order, printing how each ended. With --dump, writes each submission's objects as
    /// the batch left them to DIR, as `NNNN-ENGINE-hHANDLE-ADDRESS.bin` (a trace not
    /// recorded by gemu: each run of mapped pages, `NNNN-ENGINE-ADDRESS.bin`). Each
    /// object is compared with what the recorded run left in it (gemu notes a hash).
    /// Exits 1 when a batch did not complete or an object differs; a corrupt trace is
    /// an error naming its byte offset.
    Replay {
        /// The trace.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Where to write the objects after each submission (created if missing).
        #[arg(long, value_name = "DIR")]
        dump: Option<PathBuf>,
    },
    /// Fuzz a device of its own: clients making random ioctls and random batches,
    /// killed and restarted at random.
    ///
    /// Reports ioctls per second, kills, hangs (a call that neither returns nor is
    /// interrupted for --hang-secs), crashes, whether the device still answers, and the
    /// daemon's RSS and the model's bookkeeping before and after. Exits 1 when anything
    /// went wrong. Needs root (CAP_SYS_ADMIN).
    Fuzz(FuzzArgs),
}

/// Options of `gemu fuzz`.
#[derive(Args, Debug, Clone)]
pub struct FuzzArgs {
    /// How long to run.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Client processes at a time.
    #[arg(long, default_value_t = 4)]
    pub clients: usize,
    /// The campaign's seed (each client's is derived from it).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Kill a random client this often, in ms (0: never).
    #[arg(long, default_value_t = 500)]
    pub kill_ms: u64,
    /// A client whose count has not moved for this long is a hang.
    #[arg(long, default_value_t = 5)]
    pub hang_secs: u64,
    /// One call in N is a random batch instead of an ioctl (0: no batches, for long
    /// campaigns of ioctls alone).
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub batch_every: u32,
    /// One client of a run, started by `gemu fuzz` itself inside its namespace.
    #[arg(long, hide = true)]
    pub client: bool,
}

/// Options of `gemu bench`.
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// A few short samples only: a smoke run for CI, not a measurement (the EU dispatches
    /// over 16M floats then run over 64K).
    #[arg(long)]
    pub quick: bool,
    /// Run only the benchmarks whose name contains NAME (and the floors they need).
    #[arg(long, value_name = "NAME")]
    pub filter: Option<String>,
    /// Also write the results to FILE as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Run every thread (clients, daemon workers) on CPU N only. On a busy machine this
    /// keeps other programs' load on the other CPUs out of the wake-ups being timed.
    #[arg(long, value_name = "N")]
    pub cpu: Option<usize>,
    /// The client half of a run, started by `gemu bench` itself inside its namespace.
    #[arg(long, hide = true)]
    pub client: bool,
}

/// The CUSE front-end's options.
#[derive(Args, Debug, Clone)]
pub struct CuseArgs {
    /// Serve character devices through /dev/cuse (needs the `cuse` module and root).
    #[arg(long, conflicts_with = "mount")]
    pub cuse: bool,
    /// The primary node's path under /dev. The render node is `renderD<128+MINOR>` in
    /// the same folder, with minor 128+MINOR.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "dri/card0",
        conflicts_with = "mount"
    )]
    pub name: String,
    /// The render node's path under /dev (default: `renderD<128+MINOR>` next to NAME).
    #[arg(long, value_name = "NAME", conflicts_with = "mount")]
    pub render_name: Option<String>,
    /// The primary node's major number (226 is DRM's; free when DRM is not loaded).
    #[arg(long, default_value_t = 226, conflicts_with = "mount")]
    pub major: u32,
    /// The primary node's minor number.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..128), conflicts_with = "mount")]
    pub minor: u32,
    /// When the kernel refuses MAJOR:MINOR (taken), let it pick a free major instead of
    /// failing.
    #[arg(long, conflicts_with = "mount")]
    pub dynamic_major_fallback: bool,
    /// The nodes' permissions, in octal (e.g. 0666); the kernel makes them 0600.
    #[arg(long, value_name = "MODE", value_parser = parse_mode, conflicts_with = "mount")]
    pub mode: Option<u32>,
    /// The nodes' group (a name or a number), e.g. `render` or `video`.
    #[arg(long, value_name = "GROUP", conflicts_with = "mount")]
    pub group: Option<String>,
}

/// An octal permission mode: `666`, `0660`.
fn parse_mode(s: &str) -> Result<u32, String> {
    match u32::from_str_radix(s.trim_start_matches("0o"), 8) {
        Ok(m) if m <= 0o7777 => Ok(m),
        _ => Err(format!("{s:?} is not an octal mode (e.g. 0660)")),
    }
}

/// Settings of the emulated device.
#[derive(Args, Debug, Clone)]
pub struct DeviceArgs {
    /// System memory the GPU reports and may use for objects, e.g. 512M, 8G (suffixes
    /// K, M, G, T: powers of 1024). Default: the host's total RAM, as i915 reports it.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory: Option<u64>,
    /// Write every submission (its batch, the objects it uses with their contents at
    /// submission time, their GPU addresses, its engine and context) to FILE as an AUB
    /// trace, which `gemu replay` runs again and Mesa's aubinator decodes.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

impl DeviceArgs {
    /// The same settings as `gemu run` arguments, for the runs that `gemu igt` starts.
    pub fn to_args(&self) -> Vec<OsString> {
        let mut args = Vec::new();
        if let Some(m) = self.memory {
            args.extend([OsString::from("--memory"), m.to_string().into()]);
        }
        args
    }

    /// The device's settings; with --record, the trace file is created here, so a
    /// path that cannot be written fails before anything runs.
    pub fn config(&self) -> Result<emu::DeviceConfig, String> {
        let mut config = emu::DeviceConfig {
            memory: self.memory.unwrap_or_else(host_memory),
            ..Default::default()
        };
        if let Some(path) = &self.record {
            let rec = crate::record::AubRecorder::create(path, config.platform.device_id)
                .map_err(|e| format!("--record {}: {e}", path.display()))?;
            config.recorder = Some(std::sync::Arc::new(rec));
        }
        Ok(config)
    }
}

/// The host's total RAM (`MemTotal` of /proc/meminfo): what i915 reports as the size of
/// the system memory region.
fn host_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map(|kib| kib * 1024)
        .unwrap_or(8 << 30)
}

/// A byte count with an optional binary suffix: `4096`, `64K`, `512M`, `8G`, `1T`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, shift) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(format!("unknown size suffix {c:?} (use K, M, G or T)")),
            };
            (&s[..i], shift)
        }
        _ => (s, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a size (e.g. 512M, 8G)"))?;
    let bytes = n
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("{s:?} is too large"))?;
    if bytes == 0 {
        return Err("the size must not be zero".into());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("1T"), Ok(1 << 40));
        assert!(parse_size("0").is_err());
        assert!(parse_size("8X").is_err());
        assert!(parse_size("G").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn modes() {
        assert_eq!(parse_mode("0666"), Ok(0o666));
        assert_eq!(parse_mode("660"), Ok(0o660));
        assert!(parse_mode("0999").is_err());
        assert!(parse_mode("77777").is_err());
    }

    fn run_args(args: &[&str]) -> Result<(Option<u64>, Vec<String>), clap::Error> {
        let cli = Cli::try_parse_from(["gemu", "run"].iter().chain(args))?;
        let Command::Run {
            private_ipc,
            program,
            ..
        } = cli.command
        else {
            panic!("not run")
        };
        let program = program
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        Ok((private_ipc, program))
    }

    #[test]
    fn run_refuses_an_unknown_option() {
        let e = run_args(&["--frobnicate"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::UnknownArgument);
        assert!(e.to_string().contains("--frobnicate"), "{e}");
        // After `--` it is the program's name.
        assert_eq!(
            run_args(&["--", "--frobnicate"]).unwrap(),
            (None, vec!["--frobnicate".into()])
        );
    }

    #[test]
    fn run_passes_the_programs_own_options() {
        assert_eq!(
            run_args(&["sh", "-c", "exit 3"]).unwrap(),
            (None, vec!["sh".into(), "-c".into(), "exit 3".into()])
        );
        assert_eq!(
            run_args(&["--no-shim", "ls", "--no-shim", "-l"]).unwrap().1,
            ["ls", "--no-shim", "-l"]
        );
        assert_eq!(run_args(&[]).unwrap(), (None, vec![]));
    }

    #[test]
    fn host_ipc_conflicts_with_private_ipc() {
        assert!(run_args(&["--host-ipc", "--private-ipc", "ls"]).is_err());
        let cli = Cli::try_parse_from(["gemu", "run", "--host-ipc", "ls"]).unwrap();
        assert!(matches!(cli.command, Command::Run { host_ipc: true, .. }));
    }

    #[test]
    fn private_ipc_takes_a_value_only_with_equals() {
        assert_eq!(
            run_args(&["--private-ipc", "ls"]).unwrap(),
            (Some(1048576), vec!["ls".into()])
        );
        assert_eq!(
            run_args(&["--private-ipc=4096", "ls"]).unwrap(),
            (Some(4096), vec!["ls".into()])
        );
        assert_eq!(
            run_args(&["--private-ipc"]).unwrap(),
            (Some(1048576), vec![])
        );
        assert!(run_args(&["--private-ipc=lots", "ls"]).is_err());
        // A number after it is the program too, not a size.
        assert_eq!(
            run_args(&["--private-ipc", "4096"]).unwrap(),
            (Some(1048576), vec!["4096".into()])
        );
    }

    #[test]
    fn serve_alone_names_both_front_ends() {
        let e = Cli::try_parse_from(["gemu", "serve"]).unwrap_err();
        assert_eq!(
            e.kind(),
            clap::error::ErrorKind::MissingRequiredArgument,
            "{e}"
        );
        let text = e.to_string();
        assert!(
            text.contains("--mount <DIR>") && text.contains("--cuse"),
            "{text}"
        );
    }

    #[test]
    fn serve_takes_a_mount_or_cuse() {
        assert!(Cli::try_parse_from(["gemu", "serve"]).is_err());
        assert!(Cli::try_parse_from(["gemu", "serve", "--mount", "/x", "--cuse"]).is_err());
        assert!(Cli::try_parse_from(["gemu", "serve", "--mount", "/x", "--major", "1"]).is_err());
        assert!(Cli::try_parse_from(["gemu", "serve", "--major", "1"]).is_err());
        assert!(Cli::try_parse_from(["gemu", "serve", "--mount", "/x"]).is_ok());
        let cli = Cli::try_parse_from(["gemu", "serve", "--cuse", "--mode", "0666"]).unwrap();
        let Command::Serve { cuse, mount, .. } = cli.command else {
            panic!("not serve")
        };
        assert!(cuse.cuse && mount.is_none());
        assert_eq!(
            (cuse.name.as_str(), cuse.major, cuse.minor),
            ("dri/card0", 226, 0)
        );
        assert_eq!(cuse.mode, Some(0o666));
    }
}
