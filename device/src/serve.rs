//! `gemu serve`: serve the nodes until SIGINT or SIGTERM, as files in a FUSE mount
//! (`--mount DIR`) or as character devices through CUSE (`--cuse`).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use nix::sys::signal::{kill, SigSet, Signal};
use nix::unistd::{getpid, Gid, Group};

use crate::aperture_socket::ApertureSocket;
use crate::cli::CuseArgs;
use crate::cuse::{self, Access, DeviceName};
use crate::daemon::{self, Daemon, SESSION_ENDED};
use crate::dispatch::OpenFiles;
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

    let signals = block_signals()?;
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

/// `gemu serve --cuse`: the primary and render nodes as character devices. They live
/// as long as this process: its exit closes their `/dev/cuse` connections, the kernel
/// removes the nodes, and clients' next calls fail (ENODEV or ENOTCONN).
pub fn serve_cuse(args: &CuseArgs, config: emu::DeviceConfig) -> Fallible<()> {
    let access = Access {
        mode: args.mode,
        group: args.group.as_deref().map(group_id).transpose()?,
    };
    let signals = block_signals()?;
    // The memfd backs every object; the CUSE nodes cannot pass mmap through to it (the
    // kernel refuses mmap on CUSE): the shim maps it, got from the aperture sockets.
    let (memfd, device) = daemon::new_device(config).map_err(|e| e.to_string())?;
    daemon::probe_memfd_mappings(&device, &memfd)
        .map_err(|e| format!("the aperture memfd: {e}"))?;
    let files = Arc::new(OpenFiles::new(device));
    let ended = || {
        let _ = kill(getpid(), SESSION_ENDED);
    };
    let primary = DeviceName {
        name: args.name.clone(),
        major: args.major,
        minor: args.minor,
    };
    let render = DeviceName {
        name: args
            .render_name
            .clone()
            .unwrap_or_else(|| render_name(&args.name, args.minor)),
        major: args.major,
        minor: args.minor + 128,
    };
    let mut served = Vec::new();
    let mut sockets = Vec::new();
    for (dev, kind) in [
        (&primary, emu::NodeKind::Primary),
        (&render, emu::NodeKind::Render),
    ] {
        let node = cuse::serve_node(
            dev,
            kind,
            args.dynamic_major_fallback,
            access,
            Arc::clone(&files),
            ended,
        )?;
        served.push(format!(
            "{} ({}:{})",
            node.path.display(),
            node.major,
            node.minor
        ));
        // Without the socket the node still serves; only the shim's mmap is lost.
        match aperture_socket(&memfd, node.major, node.minor) {
            Ok(s) => sockets.push(s),
            Err(e) => log::warn!(
                "{e}: programs cannot map objects of {}",
                node.path.display()
            ),
        }
    }
    eprintln!(
        "gemu: serving {} through CUSE (SIGINT or SIGTERM stops)",
        served.join(" and ")
    );
    let signal = signals.wait().map_err(|e| format!("sigwait: {e}"))?;
    if signal == SESSION_ENDED {
        return Err("the kernel ended a CUSE connection: the device is gone".into());
    }
    log::info!("{signal}: removing the CUSE nodes");
    Ok(())
}

/// The aperture socket of node `major:minor`, for the shim to map objects with
/// (`uapi::GEMU_APERTURE_SOCKET_DIR`): a client proves it may by sending an open of
/// that very node.
fn aperture_socket(memfd: &File, major: u32, minor: u32) -> Fallible<ApertureSocket> {
    let dir = Path::new(uapi::GEMU_APERTURE_SOCKET_DIR);
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let path = dir.join(format!("char-{major}:{minor}"));
    let rdev = libc::makedev(major, minor);
    let memfd = memfd
        .try_clone()
        .map_err(|e| format!("the aperture memfd: {e}"))?;
    ApertureSocket::listen(
        &path,
        memfd,
        Box::new(move |st| st.st_mode & libc::S_IFMT == libc::S_IFCHR && st.st_rdev == rdev),
    )
    .map_err(|e| format!("the aperture socket {}: {e}", path.display()))
}

/// The render node's name next to the primary's: `dri/card0` → `dri/renderD128`.
fn render_name(primary: &str, minor: u32) -> String {
    let leaf = format!("renderD{}", 128 + minor);
    match primary.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/{leaf}"),
        None => leaf,
    }
}

fn group_id(group: &str) -> Fallible<Gid> {
    if let Ok(n) = group.parse::<u32>() {
        return Ok(Gid::from_raw(n));
    }
    match Group::from_name(group) {
        Ok(Some(g)) => Ok(g.gid),
        Ok(None) => Err(format!("no group named {group:?}")),
        Err(e) => Err(format!("looking up group {group:?}: {e}")),
    }
}

/// Block the exit signals (and [`SESSION_ENDED`]) before any thread exists, so every
/// thread inherits the mask and the signals wait for `sigwait` instead of killing the
/// process mid-request.
fn block_signals() -> Fallible<SigSet> {
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
    Ok(signals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_node_names() {
        assert_eq!(render_name("dri/card0", 0), "dri/renderD128");
        assert_eq!(render_name("dri/card1", 1), "dri/renderD129");
        assert_eq!(render_name("card0", 0), "renderD128");
    }
}
