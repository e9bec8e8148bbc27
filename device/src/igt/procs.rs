//! The processes of one test: each test's `gemu run` leads a session of its own, and
//! everything it starts stays in that session (IGT's helpers leave the process group
//! with setpgid, never the session). So the session id finds a test's leftovers even
//! after they were orphaned, and tests that run side by side never touch each other's.

use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
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

/// The session id in a `/proc/<pid>/stat` line: "pid (comm) state ppid pgrp session
/// ..."; comm may hold spaces and parentheses.
fn session_of_stat(stat: &str) -> Option<i32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(3)?.parse().ok()
}

/// Every process (zombies included) of `session`.
pub(super) fn members(session: Pid) -> Vec<Pid> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let pid: i32 = e.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        (session_of_stat(&stat)? == session.as_raw()).then_some(Pid::from_raw(pid))
    })
    .collect()
}

/// Send `signal` to every process of `session`.
pub(super) fn signal_session(session: Pid, signal: Signal) {
    for p in members(session) {
        let _ = kill(p, signal);
    }
}

/// Kill and reap whatever of `session` is still there once its test finished, so that
/// it cannot disturb the next test or hold the output pipes open. Only the session's
/// own processes are reaped: other tests' `gemu run`s are children of this process too.
pub(super) fn kill_session(session: Pid) {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let left = members(session);
        if left.is_empty() {
            return;
        }
        for &p in &left {
            let _ = kill(p, Signal::SIGKILL);
            // Orphans reparented to gemu are its children now; others' parents reap them.
            match waitpid(p, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(_) | Ok(_) => {}
            }
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
    fn session_field() {
        assert_eq!(
            session_of_stat("12 (a b) c) S 1 12 12 0 -1 4194560"),
            Some(12)
        );
        assert_eq!(session_of_stat("12 (x) S 1 5"), None);
        assert_eq!(session_of_stat("garbage"), None);
    }

    #[test]
    fn this_process_is_in_its_own_session() {
        let me = Pid::this();
        let sid = nix::unistd::getsid(None).unwrap();
        assert!(members(sid).contains(&me));
    }
}
