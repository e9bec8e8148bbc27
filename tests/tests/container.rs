//! A real container: the image the repository's Containerfile builds, run with
//! `podman run --device /dev/fuse --cap-add SYS_ADMIN` as the README says. Ignored by
//! default (it needs podman, a release build and a local Debian 12 base image, and
//! takes minutes the first time); run it with
//!
//! ```sh
//! tests/container/base-image.sh                      # once: localhost/debian:12
//! cargo test -p tests --test container -- --ignored
//! ```
//!
//! `GEMU_TEST_BASE_IMAGE` names another base image.

use std::path::Path;
use std::process::{Command, Output};

const IMAGE: &str = "localhost/gemu-test";

fn run(command: &mut Command) -> Output {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?}: {}\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `podman run` options some machines need beyond the README's: the runtime's default
/// rlimits (nofile 1048576, nproc 4194304) are more than a caller without
/// CAP_SYS_RESOURCE may set, so ask for less, which is always allowed; and crun refuses
/// hybrid cgroup v1/v2 hosts, which runc serves.
fn host_options() -> Vec<String> {
    let mut options = vec![
        "--ulimit=nofile=1024:1024".to_string(),
        "--ulimit=nproc=4096:4096".to_string(),
    ];
    if Path::new("/sys/fs/cgroup/unified").is_dir() {
        options.push("--runtime=runc".into());
    }
    options
}

#[test]
#[ignore = "needs podman, a release build and a local base image: see the module doc"]
fn the_containerfile_image_runs_gemu_with_fuse_and_sys_admin() {
    let root = tests::workspace_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    run(Command::new(cargo).current_dir(&root).args([
        "build",
        "--release",
        "-p",
        "device",
        "-p",
        "igt-shim",
    ]));
    let base =
        std::env::var("GEMU_TEST_BASE_IMAGE").unwrap_or_else(|_| "localhost/debian:12".into());
    run(Command::new("podman")
        .current_dir(&root)
        .args(["build", "-f", "Containerfile", "-t", IMAGE])
        .arg(format!("--build-arg=BASE={base}")));

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("container");
    tests::compile_with_drm_headers(
        include_str!("../container/ipc_and_mmap.c"),
        &dir,
        "ipc_and_mmap",
    )
    .unwrap_or_else(|e| panic!("{e}"));

    // The README's line, with the program mounted in; first the built-in probe.
    let podman_run = |caps: &[&str], program: &[&str]| {
        let out = run(Command::new("podman")
            .args(["run", "--rm", "--network=none", "--device=/dev/fuse"])
            .args(caps)
            .args(host_options())
            .arg(format!("--volume={}:/clients:ro", dir.display()))
            .arg(IMAGE)
            .args(program));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let probed = "gem      create/pwrite/mmap/pread round trip of 8192 bytes checked";
    let probe = podman_run(&["--cap-add=SYS_ADMIN"], &[]);
    assert!(probe.contains(probed), "{probe}");
    let client = podman_run(
        &["--cap-add=SYS_ADMIN"],
        &["run", "--", "/clients/ipc_and_mmap"],
    );
    assert_eq!(client, "IPC_SET 1 MiB: ok\nmmap then pread: gemu\n");
    // Podman's default seccomp profile allows user namespaces: without SYS_ADMIN gemu
    // makes one, as for an ordinary user, and the device works. The container's
    // read-only /proc/sys is then locked (a user namespace cannot remount it), so the
    // IPC namespace keeps the default msgmnb: IGT needs SYS_ADMIN.
    let client = podman_run(&[], &["run", "--", "/clients/ipc_and_mmap"]);
    assert_eq!(
        client,
        "IPC_SET 1 MiB: Operation not permitted\nmmap then pread: gemu\n"
    );
}
