//! `gemu run` as an ordinary user: gemu makes a user namespace of its own (the kernel
//! allows unprivileged ones here) and runs there as its root, so the C clients must pass
//! as they do under root. The test runs as root and starts each `gemu run` as `nobody`
//! (`setpriv`), with no capability left.
//!
//! Hosts without udev leave `/dev/fuse` at devtmpfs's 0600 (Debian's fuse3 makes it
//! 0666): each run gets a 0666 `/dev/fuse` of its own in a private mount namespace,
//! so the host's stays as it is.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rootless")
}

/// A script that takes gemu's arguments and runs the real gemu with them as `nobody`.
/// `prelude` runs as root first, inside the private mount namespace.
fn as_nobody(name: &str, prelude: &str) -> PathBuf {
    let gemu = tests::gemu_binary().unwrap_or_else(|e| panic!("{e}"));
    let dir = scratch();
    let fuse_dir = dir.join(format!("{name}-dev"));
    std::fs::create_dir_all(&fuse_dir).unwrap();
    let script = dir.join(name);
    let text = format!(
        r#"#!/bin/sh
# Runs `{gemu} "$@"` as nobody, in a mount namespace with a 0666 /dev/fuse.
exec unshare --mount --propagation private sh -euc '
mount -t tmpfs gemu-test {fuse_dir}
mknod -m 666 {fuse_dir}/fuse c 10 229
mount --bind {fuse_dir}/fuse /dev/fuse
{prelude}
exec setpriv --reuid nobody --regid nogroup --clear-groups --inh-caps=-all "$@"
' sh {gemu} "$@"
"#,
        gemu = gemu.display(),
        fuse_dir = fuse_dir.display(),
    );
    std::fs::write(&script, text).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

fn gemu_as_nobody() -> &'static Path {
    static SCRIPT: OnceLock<PathBuf> = OnceLock::new();
    SCRIPT.get_or_init(|| as_nobody("gemu-as-nobody", ""))
}

// Every client: the user namespace changes the mounts, the IPC namespace, passthrough
// (none: the shim maps the memfd) and the program's credentials, which any of them sees.
tests::every_c_client!(|name| tests::run_c_client_with(name, &scratch(), gemu_as_nobody()));

/// Where the kernel refuses the user namespace, gemu says so and names the setting:
/// here `user.max_user_namespaces` is 0 in a user namespace around gemu (the limit is
/// per namespace, so the host's is untouched), and gemu runs without capabilities.
#[test]
fn a_refused_user_namespace_is_named() {
    let gemu = tests::gemu_binary().unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-euc"])
        .arg(
            r#"echo 0 > /proc/sys/user/max_user_namespaces
exec setpriv --inh-caps=-all --bounding-set=-all --securebits=+noroot,+noroot_locked "$0" run -- true"#,
        )
        .arg(&gemu)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the kernel refused one: unshare(CLONE_NEWUSER): ENOSPC")
            && stderr.contains("user.max_user_namespaces is 0"),
        "{stderr}"
    );
}

/// A host whose /dev/fuse is root's alone (devtmpfs's 0600, no udev): gemu says what
/// to change.
#[test]
fn a_closed_dev_fuse_is_named() {
    let gemu = as_nobody("gemu-closed-fuse", "chmod 600 /dev/fuse");
    let out = Command::new(gemu)
        .args(["run", "--", "true"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("opening /dev/fuse: Permission denied")
            && stderr.contains("must be open to every user: 0666"),
        "{stderr}"
    );
}

/// Where `/proc/sys` is read-only (a container's), a user namespace cannot make it
/// writable: the program runs, and gemu says why IGT's queue stays small.
#[test]
fn a_locked_read_only_proc_sys_is_named() {
    let gemu = as_nobody(
        "gemu-ro-proc-sys",
        "mount --bind /proc/sys /proc/sys; mount -o remount,bind,ro /proc/sys",
    );
    let out = Command::new(gemu)
        .args(["run", "--", "true"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("remounting /proc/sys: EPERM")
            && stderr.contains("give gemu CAP_SYS_ADMIN"),
        "{stderr}"
    );
}
