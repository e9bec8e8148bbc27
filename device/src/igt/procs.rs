//! The processes of one test: each test's `gemu run` leads a session of its own, and
//! what it starts stays in that session (IGT's helpers leave the process group with
//! setpgid, never the session). So the session id finds a test's leftovers even after
//! they were orphaned, and tests that run side by side never touch each other's. A
//! process that also left the session and was orphaned comes to gemu (the subreaper):
//! whatever below gemu is not under a test that still runs is a leftover too.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag};
use nix::unistd::Pid;

use crate::Fallible;

/// Make orphans of the tests come to gemu rather than to init, so that they can be
/// reaped here: IGT's helpers may outlive a test that failed.
pub(super) fn become_subreaper() -> Fallible<()> {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes an integer and touches no memory.
    let r = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    nix::errno::Errno::result(r)
        .map(drop)
        .map_err(|e| format!("prctl(PR_SET_CHILD_SUBREAPER): {e}"))
}

/// The parent and the session in a `/proc/<pid>/stat` line: "pid (comm) state ppid
/// pgrp session ..."; comm may hold spaces and parentheses.
fn parse_stat(stat: &str) -> Option<(i32, i32)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut f = rest.split_whitespace();
    let ppid = f.nth(1)?.parse().ok()?;
    let sid = f.nth(1)?.parse().ok()?;
    Some((ppid, sid))
}

/// The `gemu run`s of the tests now running (each leads its test's session).
static RUNNING: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// A test's `gemu run` started (`true`) or was reaped (`false`).
pub(super) fn running(leader: Pid, on: bool) {
    let mut r = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    r.retain(|&p| p != leader.as_raw());
    if on {
        r.push(leader.as_raw());
    }
}

/// (pid, parent, session) of every process, from /proc.
fn processes() -> Vec<(i32, i32, i32)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let pid: i32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let (ppid, sid) = parse_stat(&stat)?;
        Some((pid, ppid, sid))
    })
    .collect()
}

/// Processes in `procs` below this one that are not under a running test's `gemu
/// run`: orphans that left their test's session (`setsid`) and came to gemu as the
/// subreaper.
fn orphans_in(procs: &[(i32, i32, i32)]) -> Vec<Pid> {
    let live: HashSet<i32> = RUNNING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .copied()
        .collect();
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    for &(pid, ppid, _) in procs {
        children.entry(ppid).or_default().push(pid);
    }
    let me = std::process::id() as i32;
    let mut found = Vec::new();
    let mut todo: Vec<i32> = children
        .get(&me)
        .into_iter()
        .flatten()
        .copied()
        .filter(|p| !live.contains(p))
        .collect();
    while let Some(p) = todo.pop() {
        found.push(Pid::from_raw(p));
        todo.extend(children.get(&p).into_iter().flatten().copied());
    }
    found
}

/// The processes (zombies included) of `session` in `procs`.
fn members_in(procs: &[(i32, i32, i32)], session: Pid) -> Vec<Pid> {
    procs
        .iter()
        .filter(|&&(_, _, sid)| sid == session.as_raw())
        .map(|&(pid, _, _)| Pid::from_raw(pid))
        .collect()
}

/// Send `signal` to every process of `session`.
pub(super) fn signal_session(session: Pid, signal: Signal) {
    for p in members_in(&processes(), session) {
        let _ = kill(p, signal);
    }
}

/// Kill and reap whatever of `session` is still there once its test finished, and the
/// orphans no running test owns, so that they cannot disturb the next test or hold the
/// output pipes open. One look at /proc per round finds both.
pub(super) fn kill_session(session: Pid) {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let procs = processes();
        let mut left = members_in(&procs, session);
        for p in orphans_in(&procs) {
            if !left.contains(&p) {
                left.push(p);
            }
        }
        if left.is_empty() {
            return;
        }
        for &p in &left {
            let _ = kill(p, Signal::SIGKILL);
            // Orphans reparented to gemu are its children now; others' parents reap them.
            let _ = waitpid(p, Some(WaitPidFlag::WNOHANG));
        }
        if Instant::now() >= until {
            log::warn!("processes of a finished test are still there: {left:?}");
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields() {
        assert_eq!(
            parse_stat("12 (a b) c) S 1 13 14 0 -1 4194560"),
            Some((1, 14))
        );
        assert_eq!(parse_stat("12 (x) S 1 5"), None);
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn this_process_is_in_its_own_session() {
        let me = Pid::this();
        let sid = nix::unistd::getsid(None).unwrap();
        assert!(members_in(&processes(), sid).contains(&me));
    }
}
