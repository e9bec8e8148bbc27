//! Helpers for the end-to-end tests (see `tests/` in this crate).
//!
//! The suite drives a mounted gemu device from the outside, the way real
//! programs do: C clients under `c/` are compiled against the system's
//! libdrm headers and run under `gemu run -- ./client`. This module finds
//! (and builds) the `gemu` binary, compiles the clients, and runs a program
//! under gemu with a deadline.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// What to install when the C toolchain or libdrm headers are missing.
pub const INSTALL_HINT: &str = "apt-get install libdrm-dev pkg-config gcc";

/// How long one client may run under `gemu run` before it is killed.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);

/// The workspace root (this crate lives in `<root>/tests`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests crate has a parent directory")
        .to_path_buf()
}

/// The cargo target directory: `CARGO_TARGET_DIR`, else `<root>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

/// The folder holding the C clients and `gemu_test.h`.
pub fn c_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("c")
}

/// Names (file stems) of every `c/*.c` client, sorted.
pub fn c_client_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(c_dir())
        .expect("read tests/c")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension() == Some(OsStr::new("c")))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

/// The `gemu` binary, built once per test process.
///
/// `GEMU_BIN` names a prebuilt binary; otherwise this runs
/// `cargo build -p device --bin gemu -p igt-shim` in the workspace (the shim
/// `gemu run` preloads sits beside the binary) and takes `<target>/debug/gemu`.
pub fn gemu_binary() -> Result<PathBuf, String> {
    static GEMU: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    GEMU.get_or_init(build_gemu).clone()
}

fn build_gemu() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("GEMU_BIN") {
        let bin = PathBuf::from(bin);
        return if bin.is_file() {
            Ok(bin)
        } else {
            Err(format!("GEMU_BIN={} is not a file", bin.display()))
        };
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(&cargo)
        .current_dir(workspace_root())
        // Every target of both: `--bin gemu` would filter igt-shim's cdylib away and
        // leave a stale libgemu_shim.so beside gemu.
        .args(["build", "-p", "device", "-p", "igt-shim"])
        .output()
        .map_err(|e| format!("cannot run {cargo:?} build: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo build -p device -p igt-shim` failed ({}):\n{}",
            out.status,
            tail(&String::from_utf8_lossy(&out.stderr), 60)
        ));
    }
    let bin = target_dir().join("debug").join("gemu");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "cargo built device, but {} does not exist",
            bin.display()
        ))
    }
}

/// `pkg-config --cflags --libs libdrm`, split into words.
pub fn libdrm_flags() -> Result<Vec<String>, String> {
    static FLAGS: OnceLock<Result<Vec<String>, String>> = OnceLock::new();
    FLAGS
        .get_or_init(|| {
            let out = Command::new("pkg-config")
                .args(["--cflags", "--libs", "libdrm"])
                .output()
                .map_err(|e| format!("cannot run pkg-config ({e}); install: {INSTALL_HINT}"))?;
            if !out.status.success() {
                return Err(format!(
                    "pkg-config does not know libdrm ({}); install: {INSTALL_HINT}\n{}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            Ok(String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .map(str::to_owned)
                .collect())
        })
        .clone()
}

/// Compile `c/<name>.c` into `<out_dir>/<name>` with `cc -std=gnu11 -Wall
/// -Werror` against libdrm. Returns the executable's path.
pub fn compile_client(name: &str, out_dir: &Path) -> Result<PathBuf, String> {
    let src = c_dir().join(format!("{name}.c"));
    if !src.is_file() {
        return Err(format!("no C client {}", src.display()));
    }
    let flags = libdrm_flags()?;
    fs::create_dir_all(out_dir).map_err(|e| format!("create {}: {e}", out_dir.display()))?;
    let exe = out_dir.join(name);
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let out = Command::new(&cc)
        .args(["-std=gnu11", "-Wall", "-Werror", "-O1", "-g", "-pthread"])
        .arg("-I")
        .arg(c_dir())
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .args(&flags)
        .output()
        .map_err(|e| format!("cannot run {cc:?} ({e}); install: {INSTALL_HINT}"))?;
    if !out.status.success() {
        return Err(format!(
            "compiling {} failed ({}):\n{}{}",
            src.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(exe)
}

/// How a program run under gemu ended.
#[derive(Debug)]
pub struct RunOutcome {
    /// Exit status of `gemu run`; `None` when it was killed at the deadline.
    pub status: Option<ExitStatus>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl RunOutcome {
    pub fn timed_out(&self) -> bool {
        self.status.is_none()
    }

    /// Everything the run printed, for a failure message.
    pub fn transcript(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout, self.stderr
        )
    }
}

/// Run `gemu run -- <program> <args>` in `work_dir`, killing the whole
/// process group at `timeout`.
/// Options a client asks `gemu run` for, in a source line `gemu-run: OPTIONS` (e.g.
/// a small memory budget).
pub fn client_gemu_args(name: &str) -> Vec<String> {
    let src = fs::read_to_string(c_dir().join(format!("{name}.c"))).unwrap_or_default();
    src.lines()
        .find_map(|l| l.split_once("gemu-run:").map(|(_, rest)| rest))
        .map(|rest| {
            rest.trim()
                .trim_end_matches("*/")
                .split_whitespace()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

pub fn run_under_gemu(
    gemu: &Path,
    program: &Path,
    args: &[&str],
    work_dir: &Path,
    timeout: Duration,
) -> Result<RunOutcome, String> {
    run_under_gemu_with(gemu, &[], program, args, work_dir, timeout)
}

/// [`run_under_gemu`] with options for `gemu run` itself.
pub fn run_under_gemu_with(
    gemu: &Path,
    gemu_args: &[String],
    program: &Path,
    args: &[&str],
    work_dir: &Path,
    timeout: Duration,
) -> Result<RunOutcome, String> {
    run_under_gemu_env(gemu, gemu_args, &[], program, args, work_dir, timeout)
}

/// [`run_under_gemu_with`] with extra environment variables (for gemu and the program).
pub fn run_under_gemu_env(
    gemu: &Path,
    gemu_args: &[String],
    envs: &[(&str, &str)],
    program: &Path,
    args: &[&str],
    work_dir: &Path,
    timeout: Duration,
) -> Result<RunOutcome, String> {
    use std::os::unix::process::CommandExt;

    fs::create_dir_all(work_dir).map_err(|e| format!("create {}: {e}", work_dir.display()))?;
    let stem = program
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "program".into());
    let out_path = work_dir.join(format!("{stem}.stdout"));
    let err_path = work_dir.join(format!("{stem}.stderr"));
    let out = File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
    let err = File::create(&err_path).map_err(|e| format!("{}: {e}", err_path.display()))?;

    let start = Instant::now();
    let mut child = Command::new(gemu)
        .arg("run")
        .args(gemu_args)
        .arg("--")
        .arg(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(work_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", gemu.display()))?;

    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() >= timeout => {
                kill_group(child.id());
                let _ = child.wait();
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                kill_group(child.id());
                let _ = child.wait();
                return Err(format!("waiting for gemu: {e}"));
            }
        }
    };
    // `gemu run` is gone; make sure nothing it started outlives it.
    kill_group(child.id());

    Ok(RunOutcome {
        status,
        stdout: read_lossy(&out_path),
        stderr: read_lossy(&err_path),
        elapsed: start.elapsed(),
    })
}

fn kill_group(pid: u32) {
    // SAFETY: kill(2) with a negative pid signals the process group the
    // child leads (it was started with process_group(0)); no memory is
    // involved, and a group that no longer exists gives ESRCH.
    unsafe {
        libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
    }
}

fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn tail(s: &str, lines: usize) -> String {
    let all: Vec<&str> = s.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The `N passed, M failed` summary a client prints last, if any.
pub fn client_summary(stdout: &str) -> Option<(u64, u64)> {
    stdout.lines().rev().find_map(|line| {
        let (passed, failed) = line.trim().split_once(" passed, ")?;
        let failed = failed.strip_suffix(" failed")?;
        Some((passed.parse().ok()?, failed.parse().ok()?))
    })
}

/// Compile `c/<name>.c` and run it under `gemu run`; panics with the
/// client's output unless it exits 0 with a clean summary.
pub fn run_c_client(name: &str, scratch: &Path) {
    let gemu = match gemu_binary() {
        Ok(g) => g,
        Err(e) => panic!("no gemu binary to run {name} under: {e}"),
    };
    run_c_client_with(name, scratch, &gemu);
}

/// [`run_c_client`] with `gemu` as the program that takes `run ... -- CLIENT` (a
/// wrapper that starts gemu another way, say as another user).
pub fn run_c_client_with(name: &str, scratch: &Path, gemu: &Path) {
    let dir = scratch.join("gemu-e2e").join(name);
    let exe = match compile_client(name, &dir) {
        Ok(exe) => exe,
        Err(e) => panic!("{e}"),
    };
    let run = match run_under_gemu_with(
        gemu,
        &client_gemu_args(name),
        &exe,
        &[],
        &dir,
        CLIENT_TIMEOUT,
    ) {
        Ok(run) => run,
        Err(e) => panic!("{name}: {e}"),
    };
    let summary = client_summary(&run.stdout);
    eprintln!(
        "{name}: {} in {:.1}s, summary {:?}",
        match run.status {
            Some(s) => s.to_string(),
            None => "killed at the deadline".into(),
        },
        run.elapsed.as_secs_f64(),
        summary
    );
    if run.timed_out() {
        panic!(
            "{name} did not finish within {}s under gemu run (killed)\n{}",
            CLIENT_TIMEOUT.as_secs(),
            run.transcript()
        );
    }
    let status = run.status.expect("not timed out");
    match (status.code(), summary) {
        (Some(0), Some((passed, 0))) if passed > 0 => {}
        (Some(77), _) => panic!("{name} skipped every case (exit 77)\n{}", run.transcript()),
        (Some(0), None) => panic!(
            "gemu run exited 0 but {name} printed no summary line: did it run?\n{}",
            run.transcript()
        ),
        _ => panic!(
            "{name} failed under gemu run ({status}, summary {summary:?})\n{}",
            run.transcript()
        ),
    }
}

/// Comparing the buffers two runs of one compute program printed (`b<binding> <index>
/// <hex word>` lines), as the Vulkan and OpenCL programs of this suite do.
pub mod buffers {
    use std::path::Path;

    /// The `b<binding> <index> <word>` lines of a run, in order.
    pub fn words(stdout: &str) -> Vec<(String, u32, u32)> {
        stdout
            .lines()
            .filter_map(|l| {
                let mut f = l.split_whitespace();
                let b = f.next()?;
                if !b.starts_with('b') {
                    return None;
                }
                let i = f.next()?.parse().ok()?;
                let v = u32::from_str_radix(f.next()?, 16).ok()?;
                Some((b.to_string(), i, v))
            })
            .collect()
    }

    /// Distance in units in the last place between two f32 bit patterns.
    pub fn ulps(a: u32, b: u32) -> u32 {
        let key = |x: u32| -> i64 {
            if x & 0x8000_0000 != 0 {
                -((x & 0x7fff_ffff) as i64)
            } else {
                x as i64
            }
        };
        (key(a) - key(b)).unsigned_abs() as u32
    }

    /// The float tolerance a program's source declares for buffer 2 with a line
    /// `// compare: b2 ulp N` (0: exact).
    pub fn tolerance(source: &str) -> u32 {
        source
            .lines()
            .find_map(|l| l.strip_prefix("// compare: b2 ulp "))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }

    /// Panics unless `got` printed the same `count` words as `want`: integers exactly,
    /// buffer 2 within the tolerance the program at `source` declares.
    pub fn assert_same(name: &str, want: &str, got: &str, count: u32, source: &Path) {
        let (want, got) = (words(want), words(got));
        assert_eq!(want.len(), got.len(), "{name}: different buffer sizes");
        assert_eq!(
            want.len() as u32,
            count,
            "{name}: unexpected number of words"
        );
        let tol = tolerance(&std::fs::read_to_string(source).unwrap_or_default());
        let bad: Vec<String> = want
            .iter()
            .zip(&got)
            .filter(|((b, _, x), (_, _, y))| {
                if b == "b2" && tol > 0 {
                    ulps(*x, *y) > tol
                } else {
                    x != y
                }
            })
            .map(|((b, i, x), (_, _, y))| format!("{b}[{i}]: reference {x:08x}, gemu {y:08x}"))
            .collect();
        assert!(
            bad.is_empty(),
            "{name}: {} words differ, first: {:?}",
            bad.len(),
            &bad[..bad.len().min(8)]
        );
    }
}

/// Compile C source `text` as `dir/<name>` with libdrm's headers but not its library, so
/// the program needs nothing beyond libc (it can run in the bare gemu image).
pub fn compile_with_drm_headers(text: &str, dir: &Path, name: &str) -> Result<PathBuf, String> {
    fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let src = dir.join(format!("{name}.c"));
    fs::write(&src, text).map_err(|e| format!("{}: {e}", src.display()))?;
    let exe = dir.join(name);
    let cflags: Vec<String> = libdrm_flags()?
        .into_iter()
        .filter(|f| !f.starts_with("-l") && !f.starts_with("-L"))
        .collect();
    let cc = Command::new(std::env::var_os("CC").unwrap_or_else(|| "cc".into()))
        .args(["-std=gnu11", "-Wall", "-Werror"])
        .args(&cflags)
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .map_err(|e| format!("cannot run cc: {e}"))?;
    if !cc.status.success() {
        return Err(format!(
            "cc {}:\n{}",
            src.display(),
            String::from_utf8_lossy(&cc.stderr)
        ));
    }
    Ok(exe)
}

/// One `#[test]` per C client of `tests/c/` that every server configuration runs (all
/// but `hostile`, which only the plain configuration runs), each calling `$run(name)`;
/// also `const CLIENTS`, the names it defined. The list lives here once so the
/// configurations (plain, without passthrough, rootless) cannot drift apart.
#[macro_export]
macro_rules! every_c_client {
    ($run:expr) => {
        $crate::c_client_tests!($run;
            core_version, core_auth, i915_getparam, i915_query, gem_create, gem_flink,
            gem_rw, gem_mmap, gem_gtt, gem_state, signals, fuzz, syncobj, userptr, pressure,
            exec_params, exec_basic, exec_softpin, exec_ctx, exec_fence, exec_spin_hang,
            exec_blits, exec_lifetime, shim_stat, shim_off, drm_devices, igt_fixture, prime,
            legacy_mmap, fence_fds, sysfs_live, vgem, pmu, sw_sync,
        );
    };
}

/// `#[test] fn name()` calling `$run("name")` for each name, and `const CLIENTS` listing them.
#[macro_export]
macro_rules! c_client_tests {
    ($run:expr; $($name:ident),* $(,)?) => {
        /// The clients this file defines a test for.
        #[allow(dead_code)]
        const CLIENTS: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                let run: &dyn Fn(&str) = &$run;
                run(stringify!($name));
            }
        )*
    };
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn summary_line_is_parsed() {
        assert_eq!(
            client_summary("x\n3 cases\n12 passed, 1 failed\n"),
            Some((12, 1))
        );
        assert_eq!(client_summary("nothing here\n"), None);
        assert_eq!(client_summary("0 passed, 0 failed"), Some((0, 0)));
    }

    #[test]
    fn buffer_comparison_helpers() {
        assert_eq!(buffers::ulps(0x3f80_0000, 0x3f80_0001), 1);
        assert_eq!(buffers::ulps(0x8000_0001, 0x0000_0001), 2);
        assert_eq!(buffers::tolerance("x\n// compare: b2 ulp 4 (why)\n"), 4);
        assert_eq!(buffers::tolerance("nothing"), 0);
        assert_eq!(
            buffers::words("b1 3 0000000a\ndevice x\n"),
            vec![("b1".to_string(), 3, 10)]
        );
    }

    #[test]
    fn every_client_is_found() {
        let names = c_client_names();
        assert!(names.contains(&"fuzz".to_string()), "{names:?}");
    }
}
