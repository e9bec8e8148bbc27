//! The C clients on a kernel without FUSE passthrough (Linux < 6.9, Debian 12's 6.1),
//! forced here with `GEMU_NO_PASSTHROUGH`: the nodes are opened direct-I/O only and the
//! shim maps objects from the aperture memfd it gets over the aperture socket. Every
//! client runs, mmap cases included, and must pass as with passthrough.

use std::path::PathBuf;
use std::sync::Once;

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no-passthrough")
}

/// Every `gemu run` of this binary serves without passthrough. Set once, before any
/// test thread starts a process.
fn without_passthrough() {
    static SET: Once = Once::new();
    SET.call_once(|| std::env::set_var("GEMU_NO_PASSTHROUGH", "1"));
}

tests::every_c_client!(|name| {
    without_passthrough();
    tests::run_c_client(name, &scratch())
});

/// A program without the shim cannot be helped: a shared mapping of an object is the
/// kernel's `ENODEV`, and a private one faults (SIGBUS) rather than show a copy that
/// the GPU's writes never reach.
const NO_SHIM_MMAP: &str = r#"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <i915_drm.h>

int main(void)
{
	int fd = open("/dev/dri/card0", O_RDWR);
	struct drm_i915_gem_create c = { .size = 4096 };
	if (fd < 0 || ioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &c)) { perror("create"); return 2; }
	struct drm_i915_gem_mmap_offset m = { .handle = c.handle, .flags = I915_MMAP_OFFSET_WB };
	if (ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m)) { perror("mmap_offset"); return 2; }
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	printf("shared: %s\n", p == MAP_FAILED ? (errno == ENODEV ? "ENODEV" : "other error") : "mapped");
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, m.offset);
	if (p == MAP_FAILED) { printf("private: error %d\n", errno); return 0; }
	pid_t child = fork();
	if (child == 0) { volatile char x = *(volatile char *)p; (void)x; _exit(0); }
	int status;
	waitpid(child, &status, 0);
	printf("private: %s\n", WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS ? "SIGBUS" : "readable");
	return 0;
}
"#;

#[test]
fn without_the_shim_mmap_is_an_errno_never_a_copy() {
    without_passthrough();
    let dir = scratch().join("no_shim_mmap");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("no_shim_mmap.c");
    std::fs::write(&src, NO_SHIM_MMAP).unwrap();
    let exe = dir.join("no_shim_mmap");
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
    let gemu = tests::gemu_binary().unwrap_or_else(|e| panic!("{e}"));
    let run = tests::run_under_gemu_with(
        &gemu,
        &["--no-shim".to_string()],
        &exe,
        &[],
        &dir,
        tests::CLIENT_TIMEOUT,
    )
    .unwrap();
    assert_eq!(
        run.stdout,
        "shared: ENODEV\nprivate: SIGBUS\n",
        "{}",
        run.transcript()
    );
}
