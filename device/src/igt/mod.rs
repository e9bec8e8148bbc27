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
//! group and counted as a timeout.

use std::ffi::OsString;
use std::fmt::Write as _;
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

/// Bytes of each stream kept in the JSON results (the end, where the failure is).
const KEPT_OUTPUT: usize = 64 << 10;

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
}

/// `name` in one of the directories of PATH.
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// One thing to run: a whole binary, a subtest, or a dynamic subtest of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub binary: String,
    pub subtest: Option<String>,
    pub dynamic: Option<String>,
}

impl Entry {
    /// `binary`, `binary@subtest` or `binary@subtest@dynamic`, as IGT's runner names them.
    pub fn parse(s: &str) -> Fallible<Entry> {
        let mut parts = s.split('@');
        let binary = parts.next().unwrap_or_default();
        let subtest = parts.next().map(str::to_owned);
        let dynamic = parts.next().map(str::to_owned);
        let bad = |why: &str| Err(format!("{s:?}: {why}"));
        if binary.is_empty() || binary.contains('/') || binary.starts_with('.') {
            return bad("the binary must be a plain name under <build>/tests");
        }
        if parts.next().is_some()
            || subtest.as_deref() == Some("")
            || dynamic.as_deref() == Some("")
        {
            return bad("expected binary, binary@subtest or binary@subtest@dynamic");
        }
        Ok(Entry {
            binary: binary.to_owned(),
            subtest,
            dynamic,
        })
    }

    pub fn name(&self) -> String {
        let mut s = self.binary.clone();
        for part in [&self.subtest, &self.dynamic].into_iter().flatten() {
            s.push('@');
            s.push_str(part);
        }
        s
    }

    /// The arguments IGT takes to run just this entry.
    fn igt_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(s) = &self.subtest {
            args.extend(["--run-subtest".to_owned(), s.clone()]);
        }
        if let Some(d) = &self.dynamic {
            args.extend(["--dynamic-subtest".to_owned(), d.clone()]);
        }
        args
    }
}

/// The entries of a list file: one per line, blank lines and `#` comments ignored.
pub fn parse_list(text: &str) -> Fallible<Vec<Entry>> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.split('#').next().unwrap_or_default().trim();
            (!line.is_empty())
                .then(|| Entry::parse(line).map_err(|e| format!("line {}: {e}", i + 1)))
        })
        .collect()
}

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
    command: String,
    stdout: String,
    stderr: String,
}

/// Set by SIGINT/SIGTERM: the tests run in process groups of their own, away from the
/// terminal's ^C, so gemu stops the current one itself and writes what it has.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Run the entries; returns 0 when nothing failed, crashed or timed out, else 1
/// (130 when interrupted).
pub fn run(opts: Options) -> Fallible<u8> {
    let tests_dir = opts.build.join("tests");
    if !tests_dir.is_dir() {
        return Err(format!(
            "{} is not an IGT build directory (no tests/ in it)",
            opts.build.display()
        ));
    }
    let mut requested = Vec::new();
    if let Some(list) = &opts.list {
        let text = std::fs::read_to_string(list)
            .map_err(|e| format!("reading {}: {e}", list.display()))?;
        requested.extend(parse_list(&text).map_err(|e| format!("{}: {e}", list.display()))?);
    }
    for t in &opts.tests {
        requested.push(Entry::parse(t)?);
    }
    if requested.is_empty() {
        return Err("nothing to run: give --list FILE or test names".into());
    }
    let entries = expand(&tests_dir, requested)?;
    become_subreaper()?;
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
    let mut results = Vec::new();
    for entry in entries {
        let Some(r) = run_one(&gemu, &tests_dir, &opts, entry) else {
            break;
        };
        println!("{}", row(&r, width));
        results.push(r);
    }
    let interrupted = INTERRUPTED.load(Ordering::SeqCst);
    if interrupted {
        println!("(interrupted)");
    }
    println!("{}", totals_line(&results));

    let json = results_json(&opts.build, &results, interrupted);
    std::fs::write(&opts.results, json)
        .map_err(|e| format!("writing {}: {e}", opts.results.display()))?;
    println!("results: {}", opts.results.display());

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
    // A process group of its own: at the deadline, the test, its forked children and
    // its `gemu run` (with the daemon) go together.
    cmd.process_group(0)
        .stdin(Stdio::null())
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
                command,
                stdout: String::new(),
                stderr: String::new(),
            })
        }
    };
    let group = Pid::from_raw(child.id() as i32);
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
            stop(&mut child, group);
            return None;
        }
        if Instant::now() >= deadline {
            break (stop(&mut child, group), true);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let seconds = started.elapsed().as_secs_f64();
    // Whatever the test forked and left behind dies now; that also closes the pipes
    // the captures wait on.
    let _ = killpg(group, Signal::SIGKILL);
    kill_leftovers();
    let stdout = stdout.finish();
    let stderr = stderr.finish();

    let code = status.and_then(status_code);
    let outcome = if timed_out {
        Outcome::Timeout
    } else {
        classify(code)
    };
    let reason = (outcome != Outcome::Pass).then(|| {
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
        command,
        stdout,
        stderr,
    })
}

/// SIGTERM to the test (`gemu run` passes it on and unmounts), SIGKILL after a grace.
fn stop(child: &mut Child, group: Pid) -> Option<ExitStatus> {
    let _ = killpg(group, Signal::SIGTERM);
    signal_descendants(Signal::SIGTERM);
    let until = Instant::now() + TERM_GRACE;
    while Instant::now() < until {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = killpg(group, Signal::SIGKILL);
    signal_descendants(Signal::SIGKILL);
    child.wait().ok()
}

/// Make orphans of the tests come to gemu rather than to init, so that they can be
/// found (as descendants) and killed: IGT's helpers may outlive a test that failed.
fn become_subreaper() -> Fallible<()> {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes an integer and touches no memory.
    let r = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    nix::errno::Errno::result(r)
        .map(drop)
        .map_err(|e| format!("prctl(PR_SET_CHILD_SUBREAPER): {e}"))
}

/// Every process below this one: the test's `gemu run`, the test and all it forked,
/// including those that left the process group — IGT's signal helper calls
/// setpgid(0, 0) for the test and for itself — and orphans reparented to gemu.
fn descendants() -> Vec<Pid> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let parents: Vec<(i32, i32)> = dir
        .filter_map(|e| {
            let pid: i32 = e.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
            let rest = &stat[stat.rfind(')')? + 1..];
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut found = vec![std::process::id() as i32];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|&&(_, pp)| pp == parent)
                .map(|&(p, _)| p),
        );
        i += 1;
    }
    found[1..].iter().map(|&p| Pid::from_raw(p)).collect()
}

fn signal_descendants(signal: Signal) {
    for p in descendants() {
        let _ = nix::sys::signal::kill(p, signal);
    }
}

/// Kill and reap whatever the finished test left running, so that it cannot disturb
/// the next test (or hold its output pipes open).
fn kill_leftovers() {
    use nix::sys::wait::{waitpid, WaitPidFlag};
    for _ in 0..250 {
        let left = descendants();
        if left.is_empty() {
            return;
        }
        for &p in &left {
            let _ = nix::sys::signal::kill(p, Signal::SIGKILL);
        }
        // Orphans reparented to gemu are its children now: reap them.
        while let Ok(s) = waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            if s == nix::sys::wait::WaitStatus::StillAlive {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    log::warn!(
        "processes of a finished test are still there: {:?}",
        descendants()
    );
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

/// A log line without IGT's `(prog:pid) [thread:N] domain-LEVEL: ` prefix and without
/// terminal colour codes.
fn clean(line: &str) -> String {
    let mut s = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ params final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            s.push(c);
        }
    }
    let mut rest = s.trim_end();
    if rest.starts_with('(') {
        if let Some(i) = rest.find(") ") {
            rest = &rest[i + 2..];
        }
        if rest.starts_with("[thread:") {
            if let Some(i) = rest.find("] ") {
                rest = &rest[i + 2..];
            }
        }
        if let Some(i) = rest.find(": ") {
            let tag = &rest[..i];
            if !tag.contains(' ')
                && ["DEBUG", "INFO", "WARNING", "CRITICAL"]
                    .iter()
                    .any(|l| tag.ends_with(l))
            {
                rest = &rest[i + 2..];
            }
        }
    }
    rest.to_owned()
}

/// IGT prints a source path relative to its build directory (`../tests/x.c`).
fn source(path: &str) -> &str {
    path.trim_start_matches("../")
}

/// The most useful line about why a test did not pass, from what IGT printed:
/// a failed assertion (stderr), an unmet requirement (stdout), an abort, a fatal
/// signal, an explicit skip message; otherwise the last thing it said.
pub fn reason(stdout: &str, stderr: &str) -> Option<String> {
    let err: Vec<String> = stderr.lines().map(clean).collect();
    let out: Vec<String> = stdout.lines().map(clean).collect();

    // "Test assertion failure function F, file FILE:LINE:" / "Failed assertion: X" /
    // "Last errno: N, S" / the test's own message; the same for aborts.
    for (head, kind) in [
        ("Test assertion failure function ", "Failed assertion: "),
        ("Test abort in function ", "abort condition: "),
    ] {
        if let Some(i) = err.iter().position(|l| l.starts_with(head)) {
            return Some(explain(&err[i..], head, kind));
        }
    }
    // IGT runs every fixture, also those of other subtest groups, so an unmet
    // requirement printed before the subtest started may not be what skipped it: the
    // subtest's own comes first.
    let started = out
        .iter()
        .rposition(|l| l.starts_with("Starting subtest: "))
        .unwrap_or(0);
    for lines in [&out[started..], &out[..], &err[..]] {
        let head = "Test requirement not met in function ";
        if let Some(i) = lines.iter().position(|l| l.starts_with(head)) {
            return Some(explain(&lines[i..], head, "Test requirement: "));
        }
    }
    // A C assert() in IGT's library: "prog: file:line: func: Assertion `x' failed."
    if let Some(l) = err.iter().find(|l| l.contains(": Assertion `")) {
        return Some(l.clone());
    }
    if let Some(i) = err.iter().position(|l| l.starts_with("Received signal ")) {
        let signal = err[i]
            .trim_start_matches("Received signal ")
            .trim_end_matches('.');
        // The first frame outside the signal delivery and IGT's own crash handling
        // says where it happened.
        const HANDLING: [&str; 10] = [
            "fatal_sig_handler",
            "igt_core.c",
            "__sigaction",
            "pthread_key_delete",
            "pthread_kill",
            "gsignal",
            "raise",
            "abort",
            "__assert_fail",
            "<unknown>",
        ];
        let frame = err[i + 1..]
            .iter()
            .take_while(|l| !l.starts_with("Subtest "))
            .map(|l| l.trim())
            .find(|l| l.starts_with('#') && !HANDLING.iter().any(|h| l.contains(h)));
        return Some(match frame {
            Some(f) => format!("{signal} at {f}"),
            None => signal.to_owned(),
        });
    }
    // igt_skip("message") prints the message just before "Subtest X: SKIP".
    if let Some(i) = out
        .iter()
        .position(|l| l.starts_with("Subtest ") && l.contains(": SKIP"))
    {
        if let Some(msg) = out[..i]
            .iter()
            .rev()
            .find(|l| !l.is_empty() && !l.starts_with("Starting subtest"))
        {
            if !msg.starts_with("IGT-Version") && !msg.starts_with("Using IGT_SRANDOM") {
                return Some(msg.clone());
            }
        }
    }
    let noise = |l: &&String| {
        !l.is_empty()
            && !l.starts_with("Subtest ")
            && !l.starts_with("Starting subtest")
            && !l.starts_with("IGT-Version")
            && !l.starts_with("Using IGT_SRANDOM")
            && !l.starts_with("Stack trace")
            && !l.starts_with('#')
            && !l.starts_with("****")
            && !is_gemu_log(l)
    };
    err.iter()
        .rev()
        .find(noise)
        .or_else(|| out.iter().rev().find(noise))
        .cloned()
}

/// One line from an IGT failure block: `<kind> X (FILE:LINE F()); message; errno N (S)`.
fn explain(block: &[String], head: &str, kind: &str) -> String {
    // "... function F, file FILE:LINE:"
    let place = block[0][head.len()..].trim_end_matches(':');
    let (func, file) = place.split_once(", file ").unwrap_or((place, ""));
    let mut what = String::new();
    let mut extra = Vec::new();
    for l in &block[1..] {
        if let Some(x) = l.strip_prefix(kind) {
            what = x.to_owned();
        } else if let Some(e) = l.strip_prefix("Last errno: ") {
            extra.push(format!("errno {e}"));
        } else if l.is_empty()
            || is_result(l)
            || l.starts_with("Stack trace")
            || l.starts_with("Subtest ")
            || l.starts_with("Test ")
            || l.starts_with("****")
            || l.starts_with('#')
        {
            break;
        } else if extra.len() < 2 {
            extra.push(l.clone());
        }
    }
    let mut s = format!("{kind}{what} ({} {func}())", source(file));
    for e in extra {
        let _ = write!(s, "; {e}");
    }
    s
}

/// A line of gemu's own log (env_logger: `[2026-01-01T00:00:00Z ERROR target] ...`),
/// which shares the test's stderr: the daemon's complaints when a killed test leaves
/// replies undeliverable say nothing about the test.
fn is_gemu_log(line: &str) -> bool {
    line.starts_with('[')
        && line
            .get(1..5)
            .is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()))
        && line.contains("Z ")
}

/// IGT's closing line of a test without subtests: `SKIP (0.000s)`, `FAIL (1.2s)`.
fn is_result(line: &str) -> bool {
    ["SUCCESS (", "SKIP (", "FAIL (", "CRASH (", "TIMEOUT ("]
        .iter()
        .any(|r| line.starts_with(r))
}

fn row(r: &TestResult, width: usize) -> String {
    format!(
        "{:<width$}  {:<7}  {:>6.1}s  {}",
        r.entry.name(),
        r.outcome.as_str(),
        r.seconds,
        r.reason.as_deref().unwrap_or("")
    )
}

fn count(results: &[TestResult], o: Outcome) -> usize {
    results.iter().filter(|r| r.outcome == o).count()
}

fn totals_line(results: &[TestResult]) -> String {
    let mut s = format!("total {}:", results.len());
    for o in Outcome::ALL {
        let _ = write!(s, " {} {}", o.as_str(), count(results, o));
    }
    s
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

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_opt(s: Option<&str>) -> String {
    s.map(json_str).unwrap_or_else(|| "null".into())
}

/// The end of a stream, cut at a character boundary.
fn tail(s: &str) -> &str {
    if s.len() <= KEPT_OUTPUT {
        return s;
    }
    let mut start = s.len() - KEPT_OUTPUT;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// The results file: one object per test (on one line each, so that a grep finds a
/// test with its result), the totals, and the IGT version the tests printed.
fn results_json(build: &Path, results: &[TestResult], interrupted: bool) -> String {
    let version = results.iter().find_map(|r| {
        r.stdout
            .lines()
            .find_map(|l| l.strip_prefix("IGT-Version: "))
            .map(str::to_owned)
    });
    let mut s = String::from("{\n");
    let _ = writeln!(
        s,
        "  \"igt_build\": {},",
        json_str(&build.display().to_string())
    );
    let _ = writeln!(s, "  \"igt_version\": {},", json_opt(version.as_deref()));
    let _ = writeln!(s, "  \"interrupted\": {interrupted},");
    s.push_str("  \"totals\": {");
    let _ = write!(s, "\"total\": {}", results.len());
    for o in Outcome::ALL {
        let _ = write!(s, ", \"{}\": {}", o.as_str(), count(results, o));
    }
    s.push_str("},\n  \"results\": [\n");
    for (i, r) in results.iter().enumerate() {
        let _ = write!(
            s,
            "    {{\"test\": {}, \"binary\": {}, \"subtest\": {}, \"dynamic\": {}, \
             \"result\": \"{}\", \"exit\": {}, \"seconds\": {:.3}, \"reason\": {}, \
             \"command\": {}, \"stdout\": {}, \"stderr\": {}}}",
            json_str(&r.entry.name()),
            json_str(&r.entry.binary),
            json_opt(r.entry.subtest.as_deref()),
            json_opt(r.entry.dynamic.as_deref()),
            r.outcome.as_str(),
            r.code
                .map(|c| c.to_string())
                .unwrap_or_else(|| "null".into()),
            r.seconds,
            json_opt(r.reason.as_deref()),
            json_str(&r.command),
            json_str(tail(&r.stdout)),
            json_str(tail(&r.stderr)),
        );
        s.push_str(if i + 1 < results.len() { ",\n" } else { "\n" });
    }
    s.push_str("  ]\n}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries() {
        let e = Entry::parse("gem_basic@bad-close").unwrap();
        assert_eq!(e.binary, "gem_basic");
        assert_eq!(e.subtest.as_deref(), Some("bad-close"));
        assert_eq!(e.igt_args(), ["--run-subtest", "bad-close"]);
        assert_eq!(Entry::parse("i915_pciid").unwrap().name(), "i915_pciid");
        let d = Entry::parse("gem_exec_basic@basic@rcs0").unwrap();
        assert_eq!(d.name(), "gem_exec_basic@basic@rcs0");
        assert_eq!(
            d.igt_args(),
            ["--run-subtest", "basic", "--dynamic-subtest", "rcs0"]
        );
        for bad in ["", "@x", "a@", "a@b@", "a@b@c@d", "../x", "dir/x"] {
            assert!(Entry::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn list_files() {
        let list = parse_list("# BAT\n\ngem_basic@bad-close  # why\n  gem_create\n").unwrap();
        assert_eq!(
            list.iter().map(Entry::name).collect::<Vec<_>>(),
            ["gem_basic@bad-close", "gem_create"]
        );
        let err = parse_list("ok\nbad@\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }

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
    fn reason_of_a_failed_assertion() {
        let stderr = "\
(gem_basic:77) igt_core-CRITICAL: Test assertion failure function test_bad_close, file ../tests/intel/gem_basic.c:95:
(gem_basic:77) igt_core-CRITICAL: Failed assertion: __gem_close(fd, 0x7fffffff) == -EINVAL
(gem_basic:77) igt_core-CRITICAL: Last errno: 2, No such file or directory
(gem_basic:77) igt_core-CRITICAL: error: -2 != -22
(gem_basic:77) igt_core-INFO: Stack trace:
Subtest bad-close: FAIL (0.001s)
";
        assert_eq!(
            reason("", stderr).unwrap(),
            "Failed assertion: __gem_close(fd, 0x7fffffff) == -EINVAL \
             (tests/intel/gem_basic.c:95 test_bad_close()); \
             errno 2, No such file or directory; error: -2 != -22"
        );
    }

    #[test]
    fn reason_of_an_unmet_requirement() {
        let stdout = "\
IGT-Version: 2.2-gb3d809d53 (x86_64) (Linux: 6.18.0 x86_64)
Test requirement not met in function drm_open_driver, file ../lib/drmtest.c:800:
Test requirement: !(fd<0)
No known gpu found for chipset flags 0x1 (intel)
Last errno: 2, No such file or directory
Subtest basic: SKIP
";
        assert_eq!(
            reason(stdout, "").unwrap(),
            "Test requirement: !(fd<0) (lib/drmtest.c:800 drm_open_driver()); \
             No known gpu found for chipset flags 0x1 (intel); \
             errno 2, No such file or directory"
        );
    }

    #[test]
    fn reason_of_a_signal_and_of_a_plain_skip() {
        let stderr = "Received signal SIGSEGV.\nStack trace: \n #0 [fatal_sig_handler+0x17b]\n \
                      #1 [__sigaction+0x40]\n #2 [intel_engine_list_for_ctx_cfg+0x22]\n\
                      Subtest x: CRASH (0.1s)\n";
        assert_eq!(
            reason("", stderr).unwrap(),
            "SIGSEGV at #2 [intel_engine_list_for_ctx_cfg+0x22]"
        );
        let stderr = "gem_wait: ../lib/igt_core.c:2584: igt_stop_helper: Assertion `x' failed.\n\
                      Received signal SIGABRT.\n";
        assert_eq!(
            reason("", stderr).unwrap(),
            "gem_wait: ../lib/igt_core.c:2584: igt_stop_helper: Assertion `x' failed."
        );
        let simple = "Test requirement not met in function main, file ../tests/x.c:1:\n\
                      Test requirement: fences > 0\nSKIP (0.000s)\n";
        let other_group = "Test requirement not met in function main, file ../t.c:9:\n\
                           Test requirement: has_userptr(fd)\n\
                           Starting subtest: coherency-sync\n\
                           Test requirement not met in function igt_require_memory, \
                           file ../lib/igt_os.c:452:\n\
                           Test requirement: sufficient_memory\n\
                           Subtest coherency-sync: SKIP (0.021s)\n";
        assert_eq!(
            reason(other_group, "").unwrap(),
            "Test requirement: sufficient_memory (lib/igt_os.c:452 igt_require_memory())"
        );
        assert_eq!(
            reason(simple, "").unwrap(),
            "Test requirement: fences > 0 (tests/x.c:1 main())"
        );
        let stdout = "Starting subtest: x\nNo engines to test\nSubtest x: SKIP (0.0s)\n";
        assert_eq!(reason(stdout, "").unwrap(), "No engines to test");
        assert_eq!(
            reason("", "gemu: cannot mount\n").unwrap(),
            "gemu: cannot mount"
        );
        let stderr = "Starting dynamic subtest: basic\n\
                      [2026-11-21T12:17:44Z ERROR fuser::reply] Failed to send FUSE reply\n";
        assert_eq!(
            reason("", stderr).unwrap(),
            "Starting dynamic subtest: basic"
        );
    }

    #[test]
    fn json_strings() {
        assert_eq!(json_str("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
    }
}
