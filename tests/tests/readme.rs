//! The README's commands, run as a new user runs them: from the checkout, whatever
//! folder it lives in, with no terminal. CI runs `scripts/test`, which runs this.

use std::process::{Command, Stdio};

use tests::workspace_root;

/// The commands of the README's first code block, in order.
fn first_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the README has no sh block");
    block
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.trim().is_empty())
        .map(|l| l.split('#').next().unwrap().trim().to_string())
        .collect()
}

/// `scripts/run`: build gemu (and its shim, which `gemu run` preloads) in release, start
/// the emulated Tiger Lake and run the built-in probe against it.
#[test]
fn the_first_command_runs_the_probe() {
    assert_eq!(first_commands(), ["scripts/run", "scripts/test"]);
    // As on a fresh clone: no shim beside the release binary until scripts/run makes it.
    let shim = tests::target_dir().join("release/libgemu_shim.so");
    let _ = std::fs::remove_file(&shim);
    let out = Command::new("scripts/run")
        .current_dir(workspace_root())
        .env_remove("GEMU_SHIM")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "scripts/run failed:\n{report}");
    for expected in [
        "gemu probe: /dev/dri/card0",
        "version  i915 ",
        "chipset 0x9a49",
        "engines  rcs0 bcs0 vcs0 vecs0",
        "round trip of 8192 bytes checked",
    ] {
        assert!(report.contains(expected), "no {expected:?} in:\n{report}");
    }
    assert!(!report.contains("FAILED"), "{report}");
    assert!(
        shim.is_file(),
        "scripts/run did not build {}",
        shim.display()
    );
}

/// The build line of "Running a program" builds what `target/release/gemu run` needs.
#[test]
fn the_build_line_builds_the_shim_beside_gemu() {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let section = readme
        .split("## Running a program")
        .nth(1)
        .expect("no 'Running a program' section");
    let build = section
        .lines()
        .find(|l| l.starts_with("cargo build"))
        .expect("no cargo build line");
    for part in ["--release", "-p device", "-p igt-shim"] {
        assert!(build.contains(part), "{build:?} lacks {part}");
    }
    assert!(section.contains("target/release/gemu run"));
}

/// The README stands alone: what it points to is in the repository.
#[test]
fn the_readme_points_into_the_repository() {
    let root = workspace_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        !readme.contains("../"),
        "the README points outside the clone"
    );
    assert!(readme.contains("docs/ARCHITECTURE.md"));
    let arch = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    for section in [
        "## The path of one ioctl",
        "## Crates and their rules",
        "## The front-ends and what each gives",
        "## Locking contracts",
        "## Software GPU",
        "## Measured facts",
    ] {
        assert!(arch.contains(section), "ARCHITECTURE.md lacks {section:?}");
    }
}
