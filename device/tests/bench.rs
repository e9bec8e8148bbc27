//! `gemu bench --quick`: every benchmark runs and is reported; the run cleans up after
//! itself. Speed is never asserted here (the machine is shared and noisy).

mod common;

use std::process::{Command, Stdio};

use common::*;

#[test]
fn quick_run_reports_every_benchmark_and_leaves_nothing_behind() {
    let dir = TempDir::new("bench");
    let json = dir.0.join("results.json");
    let child = Command::new(GEMU)
        .args(["bench", "--quick", "--json"])
        .arg(&json)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let run_dir = std::env::temp_dir().join(format!("gemu-bench-{}", child.id()));
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    let results = std::fs::read_to_string(&json).unwrap();
    for name in [
        "floor",
        "vm_write4",
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
    // The run's mounts were private to it, and its directory is gone.
    assert!(!mounts().iter().any(|(p, _)| p.starts_with(&run_dir)));
    let leftovers = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("gemu-bench-"))
        .count();
    assert_eq!(
        leftovers, 0,
        "a gemu-bench-* directory was left in the temp dir"
    );
}

#[test]
fn a_filter_runs_what_it_names_and_its_floor() {
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
    assert_eq!(names, ["floor", "model_getparam", "getparam"], "{stdout}");
    let out = Command::new(GEMU)
        .args(["bench", "--filter", "no-such-benchmark"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
