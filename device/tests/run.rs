//! `gemu run`: a program in a private mount namespace sees the nodes in /dev/dri; the
//! host does not.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::*;

fn gemu_run(args: &[&str]) -> Output {
    build_shim();
    Command::new(GEMU).arg("run").args(args).output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What a `gemu run` must leave as it found: the host's /dev/dri and every mount
/// outside the test directories (which concurrent serve tests use).
fn host_snapshot() -> (Option<Vec<String>>, Vec<(PathBuf, String)>) {
    let dri = std::fs::read_dir("/dev/dri").ok().map(|d| {
        let mut names: Vec<String> = d
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    });
    let mut mounts: Vec<_> = mounts()
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().starts_with(TEST_DIR_PREFIX))
        .collect();
    mounts.sort();
    (dri, mounts)
}

#[test]
fn exit_status_is_the_programs() {
    assert_eq!(gemu_run(&["--", "true"]).status.code(), Some(0));
    assert_eq!(
        gemu_run(&["--", "sh", "-c", "exit 3"]).status.code(),
        Some(3)
    );
    assert_eq!(
        gemu_run(&["sh", "-c", "kill -9 $$"]).status.code(),
        Some(128 + 9)
    );
    let missing = gemu_run(&["--", "/nonexistent/program"]);
    assert_eq!(missing.status.code(), Some(127), "{}", text(&missing));
}

/// As from a shell: no signal blocked, whatever gemu blocks for itself.
#[test]
fn the_program_starts_with_no_signal_blocked() {
    let out = gemu_run(&["--", "grep", "SigBlk", "/proc/self/status"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("SigBlk:\t0000000000000000"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_program_sees_both_nodes_and_the_host_does_not_change() {
    let before = host_snapshot();
    // With the shim (the default) the nodes stat as DRM character devices; without it
    // as what they are, FUSE files.
    for (args, mode) in [
        (&["--", "ls", "-l", "/dev/dri"][..], "crw-rw-rw-"),
        (
            &["--no-shim", "--", "ls", "-l", "/dev/dri"][..],
            "-rw-rw-rw-",
        ),
    ] {
        let out = gemu_run(args);
        let listing = text(&out);
        assert!(out.status.success(), "{listing}");
        for node in ["card0", "renderD128"] {
            let line = listing
                .lines()
                .find(|l| l.ends_with(node))
                .unwrap_or_else(|| panic!("no {node} in:\n{listing}"));
            assert!(line.starts_with(mode), "{line}");
        }
    }
    assert_eq!(
        host_snapshot(),
        before,
        "the host's /dev/dri or mounts changed"
    );
    assert!(
        !mounts()
            .iter()
            .any(|(p, t)| t == "fuse.gemu" && p.starts_with("/dev")),
        "a gemu mount leaked to the host"
    );
}

#[test]
fn without_a_program_the_probe_runs() {
    let out = gemu_run(&[]);
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("/dev/dri/card0"), "{report}");
    assert!(report.contains("i915"), "{report}");
}

#[test]
fn the_rest_of_dev_still_works() {
    let script = "set -e; echo x > /dev/null; test -c /dev/null; test -c /dev/ptmx; \
                  ls /dev/pts > /dev/null; f=/dev/shm/gemu-run-test-$$; \
                  echo y > $f; test \"$(cat $f)\" = y; rm $f";
    let out = gemu_run(&["--", "sh", "-c", script]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_nested_run_replaces_an_existing_dev_dri() {
    // The outer run makes a /dev/dri; the inner one finds it and puts a tmpfs over it,
    // with its own device's nodes (and its folder and aperture socket for the shim) and
    // nothing else visible.
    let out = gemu_run(&["--", GEMU, "run", "--", "sh", "-c", "ls -A /dev/dri"]);
    let listing = text(&out);
    assert!(out.status.success(), "{listing}");
    assert_eq!(
        listing.split_whitespace().collect::<Vec<_>>(),
        [".gemu", ".gemu-aperture", "card0", "card1", "renderD128"]
    );
    let probe = gemu_run(&["--", GEMU, "run"]);
    assert!(
        probe.status.success() && text(&probe).contains("i915"),
        "{}",
        text(&probe)
    );
}

#[test]
fn the_program_does_not_hang_when_the_daemon_dies() {
    let dir = TempDir::new("orphan");
    let result = dir.0.join("result");
    // The program kills gemu (its parent), then probes: the open must fail, not hang.
    let script = format!(
        "kill -9 $PPID; sleep 0.2; {GEMU} probe > {0}.tmp 2>&1; echo \"exit $?\" >> {0}.tmp; \
         mv {0}.tmp {0}",
        result.display()
    );
    let out = gemu_run(&["--", "sh", "-c", &script]);
    assert_eq!(out.status.code(), None, "gemu was killed");
    wait_until("the orphaned program finishes", || result.exists());
    let report = std::fs::read_to_string(&result).unwrap();
    assert!(
        report.contains("Transport endpoint is not connected"),
        "{report}"
    );
    assert!(report.contains("exit 1"), "{report}");
}

/// --private-ipc: the program's message queues may grow, the host's limit stays.
#[test]
fn private_ipc_raises_msgmnb_inside_only() {
    let host = std::fs::read_to_string("/proc/sys/kernel/msgmnb").unwrap();
    let out = gemu_run(&["--private-ipc", "--", "cat", "/proc/sys/kernel/msgmnb"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1048576",
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string("/proc/sys/kernel/msgmnb").unwrap(),
        host
    );
}

/// `RUST_LOG=debug` shows gemu's reasons, not the FUSE library's request log; naming
/// the library brings it back.
#[test]
fn rust_log_debug_leaves_the_fuse_library_at_warn() {
    build_shim();
    let logs = |spec: &str| {
        let out = Command::new(GEMU)
            .args(["run", "--", "true"])
            .env("RUST_LOG", spec)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let debug = logs("debug");
    assert!(!debug.contains(" fuser"), "{debug}");
    assert!(logs("debug,fuser=debug").contains(" fuser"));
}

/// Docker's default capability set lacks CAP_SYS_RESOURCE, without which IGT's allocator
/// cannot raise its queue's limit: gemu run then gives the program a private IPC
/// namespace with room for it by itself. `--host-ipc` keeps the host's.
#[test]
fn without_cap_sys_resource_the_program_gets_a_private_ipc_namespace() {
    build_shim();
    let host_ns = std::fs::read_link("/proc/self/ns/ipc").unwrap();
    let host_msgmnb = std::fs::read_to_string("/proc/sys/kernel/msgmnb").unwrap();
    let run = |extra: &[&str]| {
        // As root, the effective set after exec is the bounding set: drop the cap there.
        let out = Command::new("setpriv")
            .args([
                "--bounding-set=-sys_resource",
                "--inh-caps=-sys_resource",
                "--",
            ])
            .arg(GEMU)
            .arg("run")
            .args(extra)
            .args([
                "--",
                "sh",
                "-c",
                "readlink /proc/self/ns/ipc; cat /proc/sys/kernel/msgmnb",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let (ns, msgmnb) = stdout.split_once('\n').unwrap();
        (ns.to_string(), msgmnb.to_string())
    };
    let (ns, msgmnb) = run(&[]);
    assert_ne!(ns, host_ns.to_string_lossy());
    assert_eq!(msgmnb.trim(), "1048576");
    let (ns, msgmnb) = run(&["--host-ipc"]);
    assert_eq!(ns, host_ns.to_string_lossy());
    assert_eq!(msgmnb, host_msgmnb);
}
