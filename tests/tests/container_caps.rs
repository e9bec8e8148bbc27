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

/// What IGT's allocator does first: make a message queue and raise its size to 1 MiB,
/// which the host's default `msgmnb` (16 KiB) allows only with CAP_SYS_RESOURCE. Then
/// one object, mapped and written, to show the device is there.
const IPC_AND_MMAP: &str = r#"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <unistd.h>
#include <i915_drm.h>

int main(void)
{
	struct msqid_ds ds;
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (q < 0 || msgctl(q, IPC_STAT, &ds)) { perror("msgget"); return 2; }
	ds.msg_qbytes = 1 << 20;
	printf("IPC_SET 1 MiB: %s\n", msgctl(q, IPC_SET, &ds) ? strerror(errno) : "ok");
	msgctl(q, IPC_RMID, NULL);

	int fd = open("/dev/dri/card0", O_RDWR);
	struct drm_i915_gem_create c = { .size = 4096 };
	if (fd < 0 || ioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &c)) { perror("create"); return 2; }
	struct drm_i915_gem_mmap_offset m = { .handle = c.handle, .flags = I915_MMAP_OFFSET_WB };
	if (ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m)) { perror("mmap_offset"); return 2; }
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	if (p == MAP_FAILED) { perror("mmap"); return 2; }
	strcpy(p, "gemu");
	char back[5] = { 0 };
	struct drm_i915_gem_pread r = { .handle = c.handle, .size = 4, .data_ptr = (unsigned long)back };
	if (ioctl(fd, DRM_IOCTL_I915_GEM_PREAD, &r)) { perror("pread"); return 2; }
	printf("mmap then pread: %s\n", back);
	return 0;
}
"#;

#[test]
fn igt_message_queue_and_mmap_work_with_docker_capabilities() {
    let dir = scratch().join("ipc_and_mmap");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("ipc_and_mmap.c");
    std::fs::write(&src, IPC_AND_MMAP).unwrap();
    let exe = dir.join("ipc_and_mmap");
    let cc = std::process::Command::new(std::env::var_os("CC").unwrap_or_else(|| "cc".into()))
        .args(["-std=gnu11", "-Wall", "-Werror"])
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .args(tests::libdrm_flags().unwrap_or_else(|e| panic!("{e}")))
        .output()
        .unwrap();
    assert!(
        cc.status.success(),
        "{}",
        String::from_utf8_lossy(&cc.stderr)
    );
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
