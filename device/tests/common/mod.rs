//! Helpers shared by the transport tests: a served mount, mountinfo, DRM_IOCTL_VERSION.
#![allow(dead_code)] // each test file uses a different part

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::mount::{umount2, MntFlags};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

pub const GEMU: &str = env!("CARGO_BIN_EXE_gemu");

/// Where tests make their directories; the host checks skip mounts under it.
pub const TEST_DIR_PREFIX: &str = "/tmp/gemu-test-";

/// A fresh directory under /tmp, removed (after a lazy unmount) on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = PathBuf::from(format!(
            "{TEST_DIR_PREFIX}{}-{n}-{name}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        while is_mounted(&self.0) {
            if umount2(&self.0, MntFlags::MNT_DETACH).is_err() {
                break;
            }
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One line of /proc/self/mountinfo: (mount point, fs type).
pub fn mounts() -> Vec<(PathBuf, String)> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let dash = f.iter().position(|x| *x == "-")?;
            Some((
                PathBuf::from(f[4].replace("\\040", " ")),
                f[dash + 1].to_string(),
            ))
        })
        .collect()
}

pub fn is_mounted(dir: &Path) -> bool {
    mounts().iter().any(|(p, _)| p == dir)
}

/// Poll `cond` every 20 ms for up to 10 s.
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Wait for a child for at most 10 s.
pub fn wait_child(child: &mut Child) -> ExitStatus {
    let mut status = None;
    wait_until("child exit", || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    status.unwrap()
}

/// `gemu serve --mount DIR` running in the background.
pub struct Served {
    pub child: Child,
    pub dir: TempDir,
}

impl Served {
    pub fn start(name: &str) -> Served {
        let dir = TempDir::new(name);
        let child = Command::new(GEMU)
            .args(["serve", "--memory", "1G", "--mount"])
            .arg(&dir.0)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut served = Served { child, dir };
        let card0 = served.node("card0");
        wait_until("the nodes appear", || {
            if let Some(status) = served.child.try_wait().unwrap() {
                panic!("gemu serve exited early: {status}");
            }
            card0.exists()
        });
        served
    }

    pub fn node(&self, name: &str) -> PathBuf {
        self.dir.0.join(name)
    }

    pub fn open(&self, name: &str) -> File {
        OpenOptions::new()
            .read(true)
            .write(true)
            .open(self.node(name))
            .unwrap()
    }

    pub fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), signal).unwrap();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if self.child.try_wait().unwrap().is_none() {
            self.signal(Signal::SIGTERM);
            wait_child(&mut self.child);
        }
    }
}

/// DRM_IOCTL_VERSION's name, or the errno. With `name_ptr`, the name is written there
/// (name_len 4) instead of into a buffer of our own.
pub fn drm_version_name(file: &File, name_ptr: Option<u64>) -> Result<String, Errno> {
    let mut name = [0u8; 16];
    let mut v = uapi::drm_version {
        name_len: if name_ptr.is_some() { 4 } else { 16 },
        name: name_ptr.unwrap_or(name.as_mut_ptr() as u64),
        ..Default::default()
    };
    // SAFETY: v is a drm_version (the command's size); its only non-null pointer is our
    // 16-byte buffer, or a bad address that the test wants the driver to refuse.
    let r = unsafe {
        libc::ioctl(
            file.as_raw_fd(),
            uapi::DRM_IOCTL_VERSION as libc::c_ulong,
            &mut v as *mut uapi::drm_version,
        )
    };
    Errno::result(r)?;
    let n = (v.name_len as usize).min(16);
    Ok(String::from_utf8_lossy(&name[..n]).into_owned())
}

/// `gemu run` and `gemu bench` preload `libgemu_shim.so` from beside the binary;
/// `cargo test -p device` does not build that crate by itself. Built in the profile of
/// the `gemu` under test.
pub fn build_shim() {
    static BUILT: std::sync::Once = std::sync::Once::new();
    BUILT.call_once(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "-p", "igt-shim"]);
        if Path::new(GEMU)
            .parent()
            .is_some_and(|p| p.ends_with("release"))
        {
            build.arg("--release");
        }
        let status = build
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "cargo build -p igt-shim failed");
    });
}
