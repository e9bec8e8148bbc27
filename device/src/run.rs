//! `gemu run [--] PROGRAM ARGS...`: run a program that sees gemu's nodes as
//! `/dev/dri/card0` and `/dev/dri/renderD128`, in a mount namespace of its own.

use std::ffi::OsString;
use std::io::ErrorKind;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus};

use nix::errno::Errno;
use nix::sys::signal::{kill, SigSet, Signal};
use nix::unistd::Pid;

use crate::aperture_socket::ApertureSocket;
use crate::daemon::{Daemon, SESSION_ENDED};
use crate::namespace::{self, DriView};
use crate::{shim, sys_view, Fallible};

/// Signals gemu passes on to the program (it exits when the program does).
const FORWARDED: [Signal; 4] = [
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGHUP,
    Signal::SIGQUIT,
];

/// systemd's switch for sd-device's check that a device's directory is on sysfs
/// (`fstatfs` f_type), which libudev applies to every device it looks up.
const VERIFY_SYSFS_ENV: &str = "SYSTEMD_DEVICE_VERIFY_SYSFS";

/// Returns the program's exit code (128+N when signal N killed it). With `shim`, the
/// program runs with `libgemu_shim.so` preloaded. The caller has entered a private
/// mount namespace ([`namespace::enter_private`]) and no thread has started yet.
pub fn run(config: emu::DeviceConfig, shim: bool, program: Vec<OsString>) -> Fallible<u8> {
    // Found before anything is mounted, so that a missing library fails fast.
    let shim = if shim { Some(shim::library()?) } else { None };
    // Before any thread exists: every thread must inherit the blocked mask so that
    // these signals wait for the loop below. (The program must not inherit it: see
    // `unblock_signals`.)
    let mut signals = SigSet::empty();
    for s in FORWARDED
        .into_iter()
        .chain([Signal::SIGCHLD, SESSION_ENDED])
    {
        signals.add(s);
    }
    signals
        .thread_block()
        .map_err(|e| format!("blocking signals: {e}"))?;

    let mut view = DriView::prepare()?;
    let daemon = Daemon::start(&view.fuse_dir(), config).map_err(|e| e.to_string())?;
    view.publish()?;
    // The shim copies PREAD/PWRITE through the memfd, and without passthrough maps
    // objects from it too: it asks for it here.
    let aperture_socket = match (&shim, daemon.passthrough()) {
        (Some(_), _) => {
            let path = std::path::Path::new(namespace::APERTURE_SOCKET);
            let memfd = daemon
                .memfd()
                .map_err(|e| format!("the aperture memfd: {e}"))?;
            Some(
                ApertureSocket::listen(path, memfd, daemon.is_device_file())
                    .map_err(|e| format!("the aperture socket {}: {e}", path.display()))?,
            )
        }
        (None, true) => None,
        (None, false) => {
            log::warn!(
                "this kernel's FUSE has no passthrough and the shim is off: the program's \
                 mmaps of objects fail with ENODEV"
            );
            None
        }
    };
    sys_view::publish(
        &view.fuse_dir().join("debugfs"),
        &view.fuse_dir().join(uapi::GEMU_SW_SYNC_FILE),
        &view.fuse_dir().join("sysfs"),
    )?;

    let mut command = if program.is_empty() {
        // The built-in probe is gemu itself, as a separate client process of the device.
        let mut c = Command::new("/proc/self/exe");
        c.arg0("gemu").arg("probe");
        c
    } else {
        let mut c = Command::new(&program[0]);
        c.args(&program[1..]);
        c
    };
    // The program's /sys is a tmpfs; systemd's libudev (udevadm, intel_gpu_top -L, IGT's
    // --device filters) refuses device paths that are not on sysfs unless told not to
    // check. A value the user set wins.
    if std::env::var_os(VERIFY_SYSFS_ENV).is_none() {
        command.env(VERIFY_SYSFS_ENV, "0");
    }
    if let Some(library) = &shim {
        shim::preload(&mut command, library, &view.fuse_dir())?;
        if aperture_socket.is_some() {
            command.env(uapi::GEMU_RW_SOCKET_ENV, namespace::APERTURE_SOCKET);
        } else {
            command.env_remove(uapi::GEMU_RW_SOCKET_ENV);
        }
        if aperture_socket.is_some() && !daemon.passthrough() {
            command.env(uapi::GEMU_APERTURE_SOCKET_ENV, namespace::APERTURE_SOCKET);
        } else {
            // An outer `gemu run`'s socket is hidden in this namespace; the nodes map.
            command.env_remove(uapi::GEMU_APERTURE_SOCKET_ENV);
        }
    }
    unblock_signals(&mut command);
    let code = match command.spawn() {
        Ok(mut child) => {
            let pid = Pid::from_raw(child.id() as i32);
            loop {
                let (signal, from_process) =
                    wait_signal(&signals).map_err(|e| format!("sigwaitinfo: {e}"))?;
                if signal == SESSION_ENDED {
                    // The program's next call on a node fails with ENOTCONN; let it
                    // decide what to do about that.
                    log::error!("the device stopped serving while the program runs");
                } else if signal != Signal::SIGCHLD && from_process {
                    // Only what was sent to gemu alone: a terminal's ^C reaches the
                    // whole foreground process group, the program included, already.
                    log::info!("passing {signal} on to the program");
                    let _ = kill(pid, signal);
                }
                match child.try_wait() {
                    Ok(Some(status)) => break exit_code(status),
                    Ok(None) => {}
                    Err(e) => return Err(format!("waiting for the program: {e}")),
                }
            }
        }
        // As a shell does: 127 for a program that is not there, 126 for one that cannot
        // be executed.
        Err(e) => {
            eprintln!("gemu: {}: {e}", program[0].to_string_lossy());
            if e.kind() == ErrorKind::NotFound {
                127
            } else {
                126
            }
        }
    };

    drop(aperture_socket);
    view.unpublish();
    if let Err(e) = daemon.stop() {
        log::warn!("{e}");
    }
    Ok(code)
}

/// Wait for one of `signals`; also tells whether a process sent it (kill, sigqueue)
/// rather than the kernel (a terminal, a child's exit).
/// The program starts with no signal blocked, as from a shell: `Command` keeps the
/// mask of the thread that spawns it, and gemu's blocks the signals it forwards (a
/// test's helper process would then never see its SIGTERM).
fn unblock_signals(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: sigprocmask is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            SigSet::empty()
                .thread_set_mask()
                .map_err(std::io::Error::from)
        });
    }
}

fn wait_signal(signals: &SigSet) -> nix::Result<(Signal, bool)> {
    // SAFETY: siginfo_t is plain data, and all-zero is a valid value of it.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are valid for the call; the signals are blocked in every
        // thread, as sigwaitinfo requires.
        let r = unsafe { libc::sigwaitinfo(signals.as_ref(), &mut info) };
        match Errno::result(r) {
            Ok(signo) => return Ok((Signal::try_from(signo)?, info.si_code <= 0)),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

fn exit_code(status: ExitStatus) -> u8 {
    match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        (None, Some(signal)) => 128u8.wrapping_add(signal as u8),
        (None, None) => 255,
    }
}
