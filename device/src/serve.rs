//! `gemu serve --mount DIR`: serve the nodes under DIR until SIGINT or SIGTERM.

use std::path::Path;

use nix::sys::signal::{SigSet, Signal};

use crate::daemon::{Daemon, SESSION_ENDED};
use crate::{mountinfo, Fallible};

pub fn serve(dir: &Path, config: emu::DeviceConfig) -> Fallible<()> {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    // Mounting again would stack a second device over the first one, hiding it from
    // new opens while its clients keep talking to the old one.
    let busy = mountinfo::fuse_mount_at(&dir).map_err(|e| format!("reading mountinfo: {e}"))?;
    if let Some(m) = busy {
        return Err(format!(
            "{} is already a FUSE mount ({} from {:?}): is another `gemu serve` using it? \
             Stop it, or `umount {}` if its daemon is gone",
            dir.display(),
            m.fs_type,
            m.source,
            dir.display()
        ));
    }

    // Blocked before any thread exists, so every thread inherits the mask and the
    // signals wait here for `sigwait` instead of killing the process mid-request.
    let mut signals = SigSet::empty();
    for s in [
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
        SESSION_ENDED,
    ] {
        signals.add(s);
    }
    signals
        .thread_block()
        .map_err(|e| format!("blocking signals: {e}"))?;

    let mut daemon = Daemon::start(&dir, config).map_err(|e| e.to_string())?;
    eprintln!(
        "gemu: serving {0}/card0 and {0}/renderD128 (SIGINT or SIGTERM stops)",
        dir.display()
    );
    let signal = signals.wait().map_err(|e| format!("sigwait: {e}"))?;
    if signal == SESSION_ENDED {
        // Someone else unmounted DIR (or the connection broke): nothing left to serve.
        eprintln!("gemu: {} is no longer served", dir.display());
        return daemon
            .session_result()
            .map_err(|e| format!("the FUSE session failed: {e}"))
            .and_then(|()| daemon.stop().map_err(|e| e.to_string()));
    }
    log::info!("{signal}: unmounting {}", dir.display());
    daemon.stop().map_err(|e| e.to_string())
}
