//! `gemu bench --quick`: every benchmark runs and is reported; the run cleans up after
//! itself. Speed is never asserted here (the machine is shared and noisy).

mod common;

use std::process::Command;

use common::*;

#[test]
fn quick_run_reports_every_benchmark_and_leaves_nothing_behind() {
    let dir = TempDir::new("bench");
    let json = dir.0.join("results.json");
    let before = mounts();
    build_shim();
    let out = Command::new(GEMU)
        .args(["bench", "--quick", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    // Nothing failed on the way, teardown included (fuser logs failed replies as ERROR).
    assert!(!stderr.contains("ERROR"), "{stderr}");
    let results = std::fs::read_to_string(&json).unwrap();
    for name in [
        "floor",
        "getparam_shim",
        "pwrite_1m_shim",
        "pread_1m_shim",
        "shm_round_trip",
        "vm_write4",
        "vm_write4_child",
        "floor_write4",
        "model_getparam",
        "getparam",
        "model_create_close",
        "create_close",
        "memcpy_1m",
        "vm_read_1m",
        "pwrite_1m",
        "vm_write_1m",
        "pread_1m",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(&format!("{name} "))),
            "{name} missing from the table:\n{stdout}"
        );
        assert!(
            results.contains(&format!("\"name\": \"{name}\"")),
            "{name} missing from the JSON:\n{results}"
        );
    }
    // The run's mounts were private to it (other tests may mount and unmount meanwhile:
    // only gemu's own and tmpfs mounts under /tmp would be the run's).
    let leaked: Vec<_> = mounts()
        .into_iter()
        .filter(|m| !before.contains(m))
        .filter(|(p, t)| p.starts_with("/tmp") && (t == "tmpfs" || t == "fuse.gemu"))
        .filter(|(p, _)| !p.to_string_lossy().starts_with(TEST_DIR_PREFIX))
        .collect();
    assert!(leaked.is_empty(), "mounts left behind: {leaked:?}");
}

#[test]
fn a_filter_runs_what_it_names_and_its_floor() {
    build_shim();
    let out = Command::new(GEMU)
        .args(["bench", "--quick", "--filter", "getparam"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let names: Vec<&str> = stdout
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        names,
        ["floor", "model_getparam", "getparam", "getparam_shim"],
        "{stdout}"
    );
    let out = Command::new(GEMU)
        .args(["bench", "--filter", "no-such-benchmark"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
