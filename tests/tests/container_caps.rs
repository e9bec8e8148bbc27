//! `gemu run` as it runs in a container started with `--device /dev/fuse --cap-add
//! SYS_ADMIN`: root with Docker's default capability set plus CAP_SYS_ADMIN (no
//! CAP_SYS_RESOURCE), `/proc/sys` and `/sys` read-only, as Docker and Podman mount
//! them. Each run gets that in a private mount namespace (`unshare`, `setpriv`); the
//! host's mounts stay as they are. tests/container/ runs the same in a real container
//! where a runtime is installed.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// moby's default capabilities (oci/caps/defaults.go), plus SYS_ADMIN.
const DOCKER_CAPS: &str = "chown,dac_override,fsetid,fowner,mknod,net_raw,setgid,setuid,\
                           setfcap,setpcap,net_bind_service,sys_chroot,kill,audit_write,\
                           sys_admin";

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("container-caps")
}

fn gemu_in_docker_confinement() -> &'static Path {
    static SCRIPT: OnceLock<PathBuf> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        let gemu = tests::gemu_binary().unwrap_or_else(|e| panic!("{e}"));
        std::fs::create_dir_all(scratch()).unwrap();
        let script = scratch().join("gemu-docker-caps");
        let bounding: String = DOCKER_CAPS
            .split(',')
            .map(|c| format!(",+{}", c.trim()))
            .collect();
        let text = format!(
            r#"#!/bin/sh
# Runs `{gemu} "$@"` as root with Docker's capabilities plus SYS_ADMIN, /proc/sys and
# /sys read-only.
exec unshare --mount --propagation private sh -euc '
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys
mount -o remount,bind,ro /sys
exec setpriv --bounding-set=-all{bounding} --inh-caps=-all --no-new-privs "$@"
' sh {gemu} "$@"
"#,
            gemu = gemu.display(),
        );
        std::fs::write(&script, text).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        script
    })
}

/// IGT's message queue and one mapped object (libdrm's headers only).
const IPC_AND_MMAP: &str = include_str!("../container/ipc_and_mmap.c");

#[test]
fn igt_message_queue_and_mmap_work_with_docker_capabilities() {
    let dir = scratch().join("ipc_and_mmap");
    let exe = tests::compile_with_drm_headers(IPC_AND_MMAP, &dir, "ipc_and_mmap")
        .unwrap_or_else(|e| panic!("{e}"));
    let run = tests::run_under_gemu(
        gemu_in_docker_confinement(),
        &exe,
        &[],
        &dir,
        tests::CLIENT_TIMEOUT,
    )
    .unwrap();
    assert_eq!(
        run.stdout,
        "IPC_SET 1 MiB: ok\nmmap then pread: gemu\n",
        "{}",
        run.transcript()
    );
}

macro_rules! c_clients {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                tests::run_c_client_with(
                    stringify!($name),
                    &scratch(),
                    gemu_in_docker_confinement(),
                );
            }
        )*
    };
}

// A representative few: the mounts (/dev, /sys, debugfs), mmap, execution, fds.
c_clients!(
    gem_mmap,
    exec_basic,
    prime,
    fence_fds,
    drm_devices,
    sysfs_live,
    igt_fixture
);
