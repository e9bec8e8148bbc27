//! `gemu igt --igt-build DIR [--list FILE | TESTS…]`: run IGT test binaries from a
//! build the user made, each under its own `gemu run`, and report one row per subtest.
//!
//! IGT is not part of this repository: the user builds it from its public source and
//! points this command at the build directory. Each entry runs in a fresh `gemu run`
//! (a new daemon, a new mount namespace) so that one test's wreckage — a hung engine, a
//! leaked object, a dead daemon — cannot fail the next. IGT's own runner is not used:
//! it expects the kernel's /dev/kmsg, debugfs and a driver it can reload, and it would
//! run every test against a single device instance.
//!
//! Results follow IGT's exit codes (lib/igt_core.h): 0 pass, 77 skip, 98 fail; a test
//! killed by a signal, or one that caught a fatal signal (IGT then exits with 128+N),
//! is a crash; a test still running at the deadline is killed with its whole process
//! group and counted as a timeout. A test that passed although gemu's GPU hung in a
//! way the test did not ask for (see `emu::engines::UNEXPECTED_HANG_TARGET`) counts as
//! failed: IGT does not always notice a hang.
//!
//! `--jobs N` runs N tests side by side, each with its own daemon; `--suite i915` takes
//! every binary of the suite; `--markdown FILE` writes the per-binary summary, with the
//! non-passes classed by the reviewed exceptions file (`suite`).

mod entry;
mod procs;
mod reason;
mod report;
mod suite;

pub use entry::{parse_list, Entry};
pub use reason::reason;
pub use suite::{Blocklist, Exceptions};

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::unistd::Pid;

use crate::Fallible;

/// IGT's exit codes (lib/igt_core.h).
const EXIT_SUCCESS: i32 = 0;
const EXIT_SKIP: i32 = 77;
const EXIT_INVALID: i32 = 79;
const EXIT_FAILURE: i32 = 98;
const EXIT_ABORT: i32 = 112;

/// How long a test has between SIGTERM and SIGKILL once its time is up: enough for
/// `gemu run` to pass the signal on and unmount, short enough not to stall the list.
const TERM_GRACE: Duration = Duration::from_secs(5);

/// How long to wait for a finished test's output pipes to close. A process that left
/// the test's process group (setsid) may hold them open forever; its output is then cut.
const DRAIN_GRACE: Duration = Duration::from_secs(5);

/// What gemu's log says of a GPU hang no client asked for (emu's completion path).
const UNEXPECTED_HANG: &str = emu::engines::UNEXPECTED_HANG_MESSAGE;

/// What to run: the command line of `gemu igt`.
pub struct Options {
    /// The IGT build directory (holds `tests/<binary>`).
    pub build: PathBuf,
    /// A list file: one entry per line, `#` starts a comment.
    pub list: Option<PathBuf>,
    /// Entries given on the command line.
    pub tests: Vec<String>,
    /// Where to write the JSON results.
    pub results: PathBuf,
    /// Seconds each test may run.
    pub timeout: u64,
    /// A library to add to the test's LD_PRELOAD (not to gemu's own).
    pub preload: Option<PathBuf>,
    /// Arguments passed on to every `gemu run` (device settings).
    pub run_args: Vec<OsString>,
    /// coreutils' stdbuf, when the host has it (see `run_one`).
    pub stdbuf: Option<PathBuf>,
    /// A named suite whose binaries to run (`i915`).
    pub suite: Option<String>,
    /// How many tests run side by side.
    pub jobs: usize,
    /// The reviewed exceptions file, for the Markdown summary.
    pub exceptions: Option<PathBuf>,
    /// Where to write the Markdown summary.
    pub markdown: Option<PathBuf>,
    /// IGT's CI blocklist: entries it names are not run.
    pub blocklist: Option<PathBuf>,
    /// Run nothing: write the --markdown summary again from this results file.
    pub from_results: Option<PathBuf>,
}

/// `name` in one of the directories of PATH.
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// How a test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Skip,
    Fail,
    Crash,
    Timeout,
}

impl Outcome {
    const ALL: [Outcome; 5] = [
        Outcome::Pass,
        Outcome::Skip,
        Outcome::Fail,
        Outcome::Crash,
        Outcome::Timeout,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Skip => "skip",
            Outcome::Fail => "fail",
            Outcome::Crash => "crash",
            Outcome::Timeout => "timeout",
        }
    }
}

/// What one entry did.
struct TestResult {
    entry: Entry,
    outcome: Outcome,
    /// The exit code of `gemu run`: the test's own, or 128+N for signal N.
    code: Option<i32>,
    seconds: f64,
    reason: Option<String>,
    /// The first hang gemu logged that the test did not ask for.
    unexpected_hang: Option<String>,
    command: String,
    stdout: String,
    stderr: String,
}

/// Set by SIGINT/SIGTERM: the tests run in sessions of their own, away from the
/// terminal's ^C, so gemu stops the current ones itself and writes what it has.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Run the entries; returns 0 when nothing failed, crashed or timed out, else 1
/// (130 when interrupted).
pub fn run(opts: Options) -> Fallible<u8> {
    if let Some(from) = &opts.from_results {
        return summarise_again(&opts, from);
    }
    let tests_dir = opts.build.join("tests");
    if !tests_dir.is_dir() {
        return Err(format!(
            "{} is not an IGT build directory (no tests/ in it)",
            opts.build.display()
        ));
    }
    let mut requested = Vec::new();
    if let Some(name) = &opts.suite {
        requested.extend(suite::suite(&tests_dir, name)?);
    }
    if let Some(list) = &opts.list {
        let text = std::fs::read_to_string(list)
            .map_err(|e| format!("reading {}: {e}", list.display()))?;
        requested.extend(parse_list(&text).map_err(|e| format!("{}: {e}", list.display()))?);
    }
    for t in &opts.tests {
        requested.push(Entry::parse(t)?);
    }
    if requested.is_empty() {
        return Err("nothing to run: give --suite NAME, --list FILE or test names".into());
    }
    let exceptions = read_exceptions(&opts)?;
    let blocklist = match &opts.blocklist {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
            Blocklist::parse(&text).map_err(|e| format!("{}: {e}", p.display()))?
        }
        None => Blocklist::default(),
    };
    let mut entries = expand(&tests_dir, requested)?;
    let listed = entries.len();
    entries.retain(|e| !blocklist.blocks(&e.name()));
    if entries.len() < listed {
        println!(
            "{} of {listed} entries left out by the blocklist",
            listed - entries.len()
        );
    }
    procs::become_subreaper()?;
    let gemu = std::env::current_exe().map_err(|e| format!("finding gemu's own binary: {e}"))?;

    let action = SigAction::new(
        SigHandler::Handler(on_interrupt),
        // Restart the capture threads' reads rather than cut the output short.
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for s in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe { nix::sys::signal::sigaction(s, &action) }
            .map_err(|e| format!("installing the {s} handler: {e}"))?;
    }

    let width = entries
        .iter()
        .map(|e| e.name().len())
        .max()
        .unwrap_or(0)
        .max("test".len());
    println!("{:<width$}  {:<7}  {:>7}  reason", "test", "result", "time");
    let started = Instant::now();
    let jobs = opts.jobs.max(1);
    let count = entries.len();
    let queue = Mutex::new(entries.into_iter().enumerate().collect::<VecDeque<_>>());
    let done = Mutex::new(Vec::with_capacity(count));
    std::thread::scope(|s| {
        for _ in 0..jobs.min(count) {
            s.spawn(|| loop {
                let Some((i, entry)) = queue.lock().unwrap().pop_front() else {
                    return;
                };
                let Some(r) = run_one(&gemu, &tests_dir, &opts, entry) else {
                    return;
                };
                // Rows come as tests finish; the files keep the list's order.
                println!("{}", report::row(&r, width));
                done.lock().unwrap().push((i, r));
            });
        }
    });
    let mut results = done.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let results: Vec<TestResult> = results.into_iter().map(|(_, r)| r).collect();
    let interrupted = INTERRUPTED.load(Ordering::SeqCst);
    if interrupted {
        println!("(interrupted)");
    }
    println!("{}", report::totals_line(&results));

    let info = report::RunInfo {
        build: &opts.build,
        interrupted,
        jobs,
        seconds: started.elapsed().as_secs_f64(),
        timeout: opts.timeout,
    };
    let json = report::results_json(&info, &results);
    std::fs::write(&opts.results, json)
        .map_err(|e| format!("writing {}: {e}", opts.results.display()))?;
    println!("results: {}", opts.results.display());
    if let Some(md) = &opts.markdown {
        let date = today();
        std::fs::write(md, report::markdown(&info, &results, &exceptions, &date))
            .map_err(|e| format!("writing {}: {e}", md.display()))?;
        println!("summary: {}", md.display());
    }

    Ok(if interrupted {
        130
    } else if results
        .iter()
        .all(|r| matches!(r.outcome, Outcome::Pass | Outcome::Skip))
    {
        0
    } else {
        1
    })
}

/// `--from-results`: the Markdown summary of an earlier run, classed by today's
/// exceptions, without running anything.
fn summarise_again(opts: &Options, from: &Path) -> Fallible<u8> {
    let md = opts
        .markdown
        .as_ref()
        .ok_or("--from-results writes a summary: give --markdown FILE")?;
    let text =
        std::fs::read_to_string(from).map_err(|e| format!("reading {}: {e}", from.display()))?;
    let (results, interrupted, jobs, seconds, timeout) =
        report::from_json(&text, opts.timeout).map_err(|e| format!("{}: {e}", from.display()))?;
    let exceptions = read_exceptions(opts)?;
    let info = report::RunInfo {
        build: &opts.build,
        interrupted,
        jobs,
        seconds,
        timeout,
    };
    let date = std::fs::metadata(from)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(today);
    std::fs::write(md, report::markdown(&info, &results, &exceptions, &date))
        .map_err(|e| format!("writing {}: {e}", md.display()))?;
    println!("{}", report::totals_line(&results));
    println!("summary: {}", md.display());
    Ok(0)
}

/// The reviewed exceptions named by --exceptions (none without it).
fn read_exceptions(opts: &Options) -> Fallible<Exceptions> {
    match &opts.exceptions {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
            Exceptions::parse(&text).map_err(|e| format!("{}: {e}", p.display()))
        }
        None => Ok(Exceptions::default()),
    }
}

/// Today's date (UTC) as YYYY-MM-DD.
fn today() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%d").to_string()
}

/// Whole binaries become their subtests (`--list-subtests`); a binary without
/// subtests (igt_simple_main: IGT answers the listing with "invalid") runs as is.
fn expand(tests_dir: &Path, requested: Vec<Entry>) -> Fallible<Vec<Entry>> {
    let mut out = Vec::new();
    for e in requested {
        let path = tests_dir.join(&e.binary);
        if !path.is_file() {
            return Err(format!(
                "{}: no such test binary (build it: ninja -C <build> tests/{})",
                path.display(),
                e.binary
            ));
        }
        if e.subtest.is_some() {
            out.push(e);
            continue;
        }
        // Listing opens no device (IGT skips its fixtures), so it runs here directly.
        let listing = Command::new(&path)
            .arg("--list-subtests")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let names: Vec<&str> = std::str::from_utf8(&listing.stdout)
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        match listing.status.code() {
            Some(EXIT_SUCCESS) if !names.is_empty() => {
                out.extend(names.into_iter().map(|s| Entry {
                    binary: e.binary.clone(),
                    subtest: Some(s.to_owned()),
                    dynamic: None,
                }))
            }
            Some(EXIT_SUCCESS) | Some(EXIT_INVALID) => out.push(e),
            _ => {
                return Err(format!(
                    "{} --list-subtests: {}",
                    path.display(),
                    listing.status
                ))
            }
        }
    }
    Ok(out)
}

/// Run one entry under a fresh `gemu run`; `None` when interrupted before it finished.
fn run_one(gemu: &Path, tests_dir: &Path, opts: &Options, entry: Entry) -> Option<TestResult> {
    let binary = tests_dir.join(&entry.binary);
    let mut cmd = Command::new(gemu);
    cmd.arg("run").args(&opts.run_args).arg("--");
    if let Some(lib) = &opts.preload {
        // Through env(1) inside the namespace, so the library loads into the test only
        // and never into gemu's own daemon.
        let mut preload = lib.as_os_str().to_owned();
        if let Some(old) = std::env::var_os("LD_PRELOAD").filter(|v| !v.is_empty()) {
            preload.push(":");
            preload.push(old);
        }
        let mut assignment = OsString::from("LD_PRELOAD=");
        assignment.push(preload);
        cmd.arg("env").arg(assignment);
    }
    if let Some(stdbuf) = &opts.stdbuf {
        // IGT writes its skip and requirement messages to stdout, which is a pipe here
        // and so fully buffered: a test that then crashes would lose them. Line
        // buffering (as on a terminal) keeps them.
        cmd.arg(stdbuf).arg("-oL");
    }
    cmd.arg(&binary).args(entry.igt_args());
    let command = shell_words(&cmd);
    // A session of its own (so also a process group): at the deadline, the test, its
    // forked children and its `gemu run` (with the daemon) go together, and whatever
    // left the group is still found by its session (`procs`).
    // SAFETY: setsid is async-signal-safe and touches no memory.
    unsafe {
        cmd.pre_exec(|| nix::unistd::setsid().map(drop).map_err(Into::into));
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());

    let started = Instant::now();
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Some(TestResult {
                entry,
                outcome: Outcome::Fail,
                code: None,
                seconds: 0.0,
                reason: Some(format!("starting {}: {e}", gemu.display())),
                unexpected_hang: None,
                command,
                stdout: String::new(),
                stderr: String::new(),
            })
        }
    };
    let session = Pid::from_raw(child.id() as i32);
    procs::running(session, true);
    let stdout = Capture::start(child.stdout.take());
    let stderr = Capture::start(child.stderr.take());

    let deadline = started + Duration::from_secs(opts.timeout);
    let (status, timed_out) = loop {
        match child.try_wait() {
            Ok(Some(status)) => break (Some(status), false),
            Ok(None) => {}
            Err(_) => break (None, false),
        }
        if INTERRUPTED.load(Ordering::SeqCst) {
            stop(&mut child, session);
            procs::running(session, false);
            procs::kill_session(session);
            return None;
        }
        if Instant::now() >= deadline {
            break (stop(&mut child, session), true);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let seconds = started.elapsed().as_secs_f64();
    // Whatever the test forked and left behind dies now; that also closes the pipes
    // the captures wait on.
    procs::running(session, false);
    procs::kill_session(session);
    let stdout = stdout.finish();
    let stderr = stderr.finish();

    let code = status.and_then(status_code);
    let unexpected_hang = unexpected_hang(&stderr);
    let outcome = match (timed_out, classify(code)) {
        (true, _) => Outcome::Timeout,
        (false, Outcome::Pass) if unexpected_hang.is_some() => Outcome::Fail,
        (false, o) => o,
    };
    let reason = (outcome != Outcome::Pass).then(|| {
        if let (Some(hang), Some(EXIT_SUCCESS)) = (&unexpected_hang, code) {
            return format!("passed, but the GPU hung and the test did not ask for it: {hang}");
        }
        let mut r = reason(&stdout, &stderr).unwrap_or_else(|| match code {
            Some(c) => format!("exit status {c}"),
            None => "no exit status".into(),
        });
        match (outcome, code) {
            (Outcome::Timeout, _) => r = format!("timed out after {}s; last: {r}", opts.timeout),
            (Outcome::Crash, Some(c)) => {
                let signal = Signal::try_from(c - 128).map(|s| s.as_str()).unwrap_or("?");
                if !r.contains(signal) {
                    r = format!("{signal}; {r}");
                }
            }
            (_, Some(EXIT_ABORT)) => r = format!("IGT abort; {r}"),
            (_, Some(EXIT_INVALID)) => r = format!("IGT: invalid option or subtest; {r}"),
            _ => {}
        }
        r
    });
    Some(TestResult {
        entry,
        outcome,
        code,
        seconds,
        reason,
        unexpected_hang,
        command,
        stdout,
        stderr,
    })
}

/// The first hang gemu logged that no client asked for, from the daemon's log in the
/// test's stderr.
fn unexpected_hang(stderr: &str) -> Option<String> {
    stderr.lines().find_map(|l| {
        l.split_once(UNEXPECTED_HANG)
            .map(|(_, h)| h.trim().to_owned())
    })
}

/// SIGTERM to the test's session (`gemu run` passes it on and unmounts), SIGKILL after
/// a grace.
fn stop(child: &mut Child, session: Pid) -> Option<ExitStatus> {
    let _ = killpg(session, Signal::SIGTERM);
    procs::signal_session(session, Signal::SIGTERM);
    let until = Instant::now() + TERM_GRACE;
    while Instant::now() < until {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    procs::signal_session(session, Signal::SIGKILL);
    // A `gemu run` stuck in the kernel (an unkillable FUSE teardown) must not stop the
    // whole run: after a grace it is left behind, and the test counts as timed out.
    let until = Instant::now() + TERM_GRACE;
    while Instant::now() < until {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    log::warn!("gemu run {} does not end after SIGKILL", child.id());
    None
}

/// `gemu run` reports a program killed by signal N as 128+N; a direct signal on
/// `gemu run` itself is folded in the same way.
fn status_code(status: ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.code().or_else(|| status.signal().map(|s| 128 + s))
}

fn classify(code: Option<i32>) -> Outcome {
    match code {
        Some(EXIT_SUCCESS) => Outcome::Pass,
        Some(EXIT_SKIP) => Outcome::Skip,
        Some(EXIT_FAILURE) => Outcome::Fail,
        Some(c) if (129..=128 + 64).contains(&c) => Outcome::Crash,
        // 79 (invalid), 112 (abort) and anything else: the test did not do what it
        // should; the reason says which.
        _ => Outcome::Fail,
    }
}

/// A stream read to its end by a thread of its own, so that neither pipe fills up and
/// blocks the test while gemu waits on the other.
struct Capture {
    data: Arc<Mutex<Vec<u8>>>,
    done: crossbeam_channel::Receiver<()>,
}

impl Capture {
    fn start(stream: Option<impl Read + Send + 'static>) -> Capture {
        let data = Arc::new(Mutex::new(Vec::new()));
        let (tx, done) = crossbeam_channel::bounded(1);
        let sink = data.clone();
        std::thread::spawn(move || {
            if let Some(mut s) = stream {
                let mut buf = [0u8; 8192];
                while let Ok(n @ 1..) = s.read(&mut buf) {
                    sink.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            }
            let _ = tx.send(());
        });
        Capture { data, done }
    }

    fn finish(self) -> String {
        let _ = self.done.recv_timeout(DRAIN_GRACE);
        let data = self.data.lock().unwrap();
        String::from_utf8_lossy(&data).into_owned()
    }
}

/// The command as one could paste it into a shell to run the test again.
fn shell_words(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| {
            let a = a.to_string_lossy();
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=@:+,".contains(c))
            {
                a.into_owned()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify(Some(0)), Outcome::Pass);
        assert_eq!(classify(Some(77)), Outcome::Skip);
        assert_eq!(classify(Some(98)), Outcome::Fail);
        assert_eq!(classify(Some(112)), Outcome::Fail);
        assert_eq!(classify(Some(128 + 11)), Outcome::Crash);
        assert_eq!(classify(None), Outcome::Fail);
    }

    #[test]
    fn hangs_nobody_asked_for() {
        let log = "Starting subtest: x\n\
                   [2026-12-07T01:00:00Z WARN  gemu::unexpected_hang] GPU hang the client \
                   did not ask for: unknown command 0x69041310 at 0x1000\n";
        assert_eq!(
            unexpected_hang(log).as_deref(),
            Some("unknown command 0x69041310 at 0x1000")
        );
        assert_eq!(
            unexpected_hang("[x INFO gpu] rcs0: request 1 hung: no progress"),
            None
        );
    }
}
