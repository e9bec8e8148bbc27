//! `gemu igt`: the runner against a fake IGT build whose "test binaries" are shell
//! scripts that answer `--list-subtests` / `--run-subtest` the way IGT's do.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::*;

/// A test binary with seven subtests, one per way a test can end. `sees-card` passes
/// only where gemu's node is at /dev/dri/card0, that is under `gemu run`.
const FAKE_A: &str = r#"#!/bin/sh
case "$1" in
--list-subtests)
    printf 'ok\nskipped\nfailed\ncrashed\nhangs\nsees-card\nescapes\n'
    exit 0 ;;
--run-subtest) ;;
*) exit 79 ;;
esac
echo "IGT-Version: 9.9-fake (x86_64)"
echo "Starting subtest: $2"
case "$2" in
ok)
    echo "Subtest ok: SUCCESS (0.000s)"; exit 0 ;;
skipped)
    echo "Test requirement not met in function drm_open_driver, file ../lib/drmtest.c:800:"
    echo "Test requirement: !(fd<0)"
    echo "No known gpu found for chipset flags 0x1 (intel)"
    echo "Subtest skipped: SKIP (0.000s)"
    exit 77 ;;
failed)
    echo "(fake_a:1) igt_core-CRITICAL: Test assertion failure function check, file ../tests/fake.c:9:" >&2
    echo "(fake_a:1) igt_core-CRITICAL: Failed assertion: x == 1" >&2
    echo "Subtest failed: FAIL (0.000s)"
    exit 98 ;;
crashed)
    kill -SEGV $$ ;;
hangs)
    sleep 1000; exit 0 ;;
escapes)
    # As IGT's signal helper does: leave the process group (here, the session too)
    # and outlive the test.
    setsid sleep 987654 &
    exit 0 ;;
sees-card)
    if [ -e /dev/dri/card0 ] && grep -q ' /dev/dri/card0 .* - fuse.gemu ' /proc/self/mountinfo; then
        exit 0
    fi
    echo "no gemu card0 here" >&2
    exit 98 ;;
esac
exit 79
"#;

/// A test without subtests (igt_simple_main): IGT answers the listing with 79.
const FAKE_SIMPLE: &str = r#"#!/bin/sh
[ "$1" = "--list-subtests" ] && exit 79
[ -z "$1" ] || exit 79
echo "simple ran"
exit 0
"#;

struct FakeBuild {
    dir: TempDir,
}

impl FakeBuild {
    fn new(name: &str) -> FakeBuild {
        let dir = TempDir::new(name);
        let tests = dir.0.join("tests");
        std::fs::create_dir_all(&tests).unwrap();
        for (name, text) in [("fake_a", FAKE_A), ("fake_simple", FAKE_SIMPLE)] {
            let path = tests.join(name);
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        FakeBuild { dir }
    }

    fn path(&self) -> &Path {
        &self.dir.0
    }

    fn igt(&self, args: &[&str]) -> (Output, String) {
        let results = self.path().join("results.json");
        let out = Command::new(GEMU)
            .arg("igt")
            .arg("--igt-build")
            .arg(self.path())
            .arg("--results")
            .arg(&results)
            .args(args)
            .output()
            .unwrap();
        let json = std::fs::read_to_string(&results).unwrap_or_default();
        (out, json)
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The table row of `test`.
fn row<'a>(table: &'a str, test: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(test))
        .unwrap_or_else(|| panic!("no row for {test} in:\n{table}"))
}

/// The JSON object of `test`, which the runner writes on a line of its own (so that a
/// grep finds a test with its result).
fn json_of(json: &str, test: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(json).expect("the results parse");
    let one = v["results"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["test"] == test).cloned())
        .unwrap_or_else(|| panic!("no result for {test} in:\n{json}"));
    assert!(
        json.lines()
            .any(|l| l.contains(&format!("\"test\":\"{test}\"")) && l.contains("\"result\"")),
        "{test} is not on one line with its result:\n{json}"
    );
    one
}

#[test]
fn a_whole_binary_runs_each_subtest_and_classifies_it() {
    let build = FakeBuild::new("igt-classify");
    let list = build.path().join("some.list");
    std::fs::write(&list, "# comment\n\nfake_a   # every subtest\n").unwrap();
    let started = Instant::now();
    let (out, json) = build.igt(&[
        "--timeout",
        "3",
        "--list",
        list.to_str().unwrap(),
        "fake_simple",
    ]);
    let table = stdout(&out);
    // A failure among the results: the runner says so with its status.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{table}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The hanging subtest is stopped at its deadline (3 s, then SIGTERM), not after 1000 s.
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );

    for (test, result, reason) in [
        ("fake_a@ok", "pass", ""),
        (
            "fake_a@skipped",
            "skip",
            "Test requirement: !(fd<0) (lib/drmtest.c:800 drm_open_driver()); \
             No known gpu found for chipset flags 0x1 (intel)",
        ),
        (
            "fake_a@failed",
            "fail",
            "Failed assertion: x == 1 (tests/fake.c:9 check())",
        ),
        ("fake_a@crashed", "crash", "SIGSEGV"),
        ("fake_a@hangs", "timeout", "timed out after 3s"),
        ("fake_a@sees-card", "pass", ""),
        ("fake_a@escapes", "pass", ""),
        ("fake_simple", "pass", ""),
    ] {
        let r = row(&table, test);
        let words: Vec<&str> = r.split_whitespace().collect();
        assert_eq!(words[1], result, "{r}");
        assert!(
            r.ends_with(reason) || r.contains(reason),
            "{r}\nwanted: {reason}"
        );

        let j = json_of(&json, test);
        assert_eq!(j["result"], result, "{j}");
        if result == "pass" {
            assert!(j["reason"].is_null(), "{j}");
        } else {
            assert!(
                j["reason"].as_str().is_some_and(|r| r.starts_with(reason)),
                "{j}"
            );
        }
    }
    assert!(
        table.contains("total 8: pass 4 skip 1 fail 1 crash 1 timeout 1"),
        "{table}"
    );
    for (exit, want) in [
        (77, "fake_a@skipped"),
        (98, "fake_a@failed"),
        (139, "fake_a@crashed"),
    ] {
        assert_eq!(json_of(&json, want)["exit"], exit, "{want}");
    }
    let all: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(all["igt_version"], "9.9-fake (x86_64)", "{json}");
    assert_eq!(
        all["totals"],
        serde_json::json!({"total": 8, "pass": 4, "skip": 1, "fail": 1, "crash": 1, "timeout": 1}),
        "{json}"
    );
    // Every test ran in a gemu run: the command says so and can be pasted to rerun it.
    let command = json_of(&json, "fake_a@ok")["command"].to_string();
    assert!(
        command.contains(" run --private-ipc -- ") && command.contains("--run-subtest ok"),
        "{json}"
    );
    // No process of the hanging test survives its timeout, and nothing a test left
    // behind survives the test, even outside its process group.
    for pattern in [
        format!("{}/tests/fake_a", build.path().display()),
        "sleep 987654".to_string(),
    ] {
        let leftovers = Command::new("pgrep")
            .args(["-f", &pattern])
            .output()
            .unwrap();
        assert!(
            leftovers.stdout.is_empty(),
            "left running: {}",
            stdout(&leftovers)
        );
    }
}

#[test]
fn all_passing_exits_zero_and_preload_reaches_the_test_only() {
    let build = FakeBuild::new("igt-pass");
    // A preload path that does not exist: the dynamic loader only warns, so a test that
    // sees it in its environment proves it was passed; gemu itself must not get it.
    let script = build.path().join("tests/env_check");
    std::fs::write(
        &script,
        "#!/bin/sh\n[ \"$1\" = --list-subtests ] && exit 79\n\
         if tr '\\0' '\\n' < /proc/$PPID/environ | grep -q shim.so; then\n\
             echo \"gemu run got the preload too\"; exit 98\n\
         fi\n\
         case \"$LD_PRELOAD\" in *nonexistent/shim.so*) exit 0 ;; esac\n\
         echo \"LD_PRELOAD=$LD_PRELOAD\"; exit 98\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (out, json) = build.igt(&[
        "--preload",
        "/nonexistent/shim.so",
        "fake_a@ok",
        "fake_a@sees-card",
        "env_check",
    ]);
    let table = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{table}");
    assert!(
        table.contains("total 3: pass 3 skip 0 fail 0 crash 0 timeout 0"),
        "{table}"
    );
    assert_eq!(json_of(&json, "env_check")["result"], "pass", "{json}");
}

#[test]
fn bad_input_is_refused_before_anything_runs() {
    let build = FakeBuild::new("igt-bad");
    let (out, _) = build.igt(&["no_such_test"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no such test binary"), "{err}");

    let (out, _) = build.igt(&[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to run"));

    let out = Command::new(GEMU)
        .args(["igt", "--igt-build", "/nonexistent", "x"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an IGT build directory"));
}
