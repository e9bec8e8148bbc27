//! `gemu serve`: the nodes through a FUSE mount, driven by a Rust client.

mod common;

use std::num::NonZeroUsize;
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::mman::{mmap, munmap, MapFlags, ProtFlags};
use nix::sys::signal::Signal;

use common::*;

#[test]
fn version_through_the_mount_says_i915() {
    let served = Served::start("version");
    for node in ["card0", "renderD128"] {
        let file = served.open(node);
        assert_eq!(
            drm_version_name(&file, None).as_deref(),
            Ok("i915"),
            "{node}"
        );
    }
}

#[test]
fn mmap_of_two_opens_shares_pages() {
    let served = Served::start("mmap");
    let (a, b) = (served.open("card0"), served.open("renderD128"));
    let offset = (1i64 << 32) + 3 * 4096;
    let len = NonZeroUsize::new(2 * 4096).unwrap();
    let map = |f: &std::fs::File| {
        // SAFETY: a fresh shared mapping at an address of the kernel's choosing; nothing
        // else in the test aliases it.
        unsafe {
            mmap(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
                f.as_fd(),
                offset,
            )
        }
        .unwrap()
        .cast::<u8>()
    };
    let (pa, pb) = (map(&a), map(&b));
    // SAFETY: both mappings are 8 KiB, live until the munmap below, and only accessed
    // through these volatile byte reads and writes.
    unsafe {
        for i in 0..len.get() {
            pa.as_ptr().add(i).write_volatile((i % 251) as u8);
        }
        for i in 0..len.get() {
            assert_eq!(
                pb.as_ptr().add(i).read_volatile(),
                (i % 251) as u8,
                "byte {i}"
            );
        }
        pb.as_ptr().add(100).write_volatile(0xAB);
        assert_eq!(pa.as_ptr().add(100).read_volatile(), 0xAB);
        munmap(pa.cast::<std::ffi::c_void>(), len.get()).unwrap();
        munmap(pb.cast::<std::ffi::c_void>(), len.get()).unwrap();
    }
}

#[test]
fn bad_pointers_give_efault_and_the_daemon_survives() {
    let served = Served::start("efault");
    let file = served.open("card0");
    assert_eq!(drm_version_name(&file, Some(8)), Err(Errno::EFAULT));
    // Read-only memory (a string constant): the write into it must fail too.
    let rodata = "a constant".as_ptr() as u64;
    assert_eq!(drm_version_name(&file, Some(rodata)), Err(Errno::EFAULT));
    assert_eq!(drm_version_name(&file, None).as_deref(), Ok("i915"));
}

#[test]
fn poll_says_writable_and_reads_are_empty() {
    let served = Served::start("poll");
    let file = served.open("card0");
    let mut fds = [PollFd::new(
        file.as_fd(),
        PollFlags::POLLIN | PollFlags::POLLOUT,
    )];
    assert_eq!(poll(&mut fds, PollTimeout::ZERO), Ok(1));
    assert_eq!(fds[0].revents(), Some(PollFlags::POLLOUT));
    let mut buf = [0u8; 64];
    assert_eq!(nix::unistd::read(&file, &mut buf), Ok(0));
    let nonblocking = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(served.node("card0"))
        .unwrap();
    assert_eq!(
        nix::unistd::read(&nonblocking, &mut buf),
        Err(Errno::EAGAIN)
    );
}

#[test]
fn a_non_root_client_can_use_the_nodes() {
    let served = Served::start("nobody");
    let out = Command::new(GEMU)
        .arg("probe")
        .arg("--device")
        .arg(served.node("renderD128"))
        .uid(65534)
        .gid(65534)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("i915"), "{stdout}");
}
#[test]
fn a_second_serve_on_a_mounted_dir_fails_clearly() {
    let served = Served::start("busy");
    let out = Command::new(GEMU)
        .args(["serve", "--mount"])
        .arg(&served.dir.0)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("already a FUSE mount"), "{stderr}");
    // The first one still answers.
    assert_eq!(
        drm_version_name(&served.open("card0"), None).as_deref(),
        Ok("i915")
    );
}

#[test]
fn sigterm_and_sigint_unmount_and_exit_0() {
    for signal in [Signal::SIGTERM, Signal::SIGINT] {
        let mut served = Served::start("stop");
        assert!(is_mounted(&served.dir.0));
        served.signal(signal);
        let status = wait_child(&mut served.child);
        assert!(status.success(), "{signal}: {status}");
        assert!(!is_mounted(&served.dir.0), "{signal}: still mounted");
    }
}

#[test]
fn a_dead_daemon_gives_enotconn_not_a_hang() {
    let mut served = Served::start("killed");
    let file = served.open("card0");
    assert_eq!(drm_version_name(&file, None).as_deref(), Ok("i915"));
    served.signal(Signal::SIGKILL);
    wait_child(&mut served.child);
    assert_eq!(drm_version_name(&file, None), Err(Errno::ENOTCONN));
    let reopen = std::fs::File::open(served.node("card0")).map_err(|e| e.raw_os_error());
    assert_eq!(reopen.err(), Some(Some(libc::ENOTCONN)));
    // TempDir's drop unmounts the dead mount.
}

#[test]
fn an_unmount_from_outside_ends_serve() {
    let mut served = Served::start("external");
    nix::mount::umount2(&served.dir.0, nix::mount::MntFlags::empty()).unwrap();
    let status = wait_child(&mut served.child);
    assert!(status.success(), "{status}");
}

#[test]
fn many_clients_in_parallel() {
    let served = Served::start("parallel");
    std::thread::scope(|s| {
        for t in 0..6 {
            let served = &served;
            s.spawn(move || {
                let file = served.open(if t % 2 == 0 { "card0" } else { "renderD128" });
                for _ in 0..300 {
                    assert_eq!(drm_version_name(&file, None).as_deref(), Ok("i915"));
                }
            });
        }
    });
}
