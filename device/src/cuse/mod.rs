//! The CUSE front-end: gemu's nodes as real character devices (`/dev/dri/card0`, 226:0)
//! on a kernel with CUSE, spoken by gemu itself on `/dev/cuse` (the FUSE wire protocol
//! plus CUSE_INIT; no libfuse).
//!
//! Each node is one `/dev/cuse` connection with its own workers; the nodes of a device
//! share one table of open files and the model. Requests go through the same dispatch
//! as the FUSE node's. What a CUSE node cannot do: `mmap` (the kernel answers ENODEV
//! itself), so clients map objects through the aperture memfd with the igt-shim.

mod abi;
mod channel;
mod interrupts;
mod ioctl;
mod register;
mod session;
#[cfg(test)]
mod wire_tests;

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use emu::NodeKind;
use nix::unistd::{chown, Gid};

pub use register::DeviceName;

use crate::dispatch::OpenFiles;

/// Workers per node: several, so that one client's slow request does not stall the
/// others; blocking waits leave the workers entirely.
const WORKERS: usize = 4;

/// How long devtmpfs (or udev) may take to create the node before `--mode`/`--group`
/// give up on it; 50–250 ms is usual.
const NODE_APPEARS: Duration = Duration::from_secs(5);

/// Who may open a node: applied to its /dev entry once it appears.
#[derive(Clone, Copy, Debug, Default)]
pub struct Access {
    pub mode: Option<u32>,
    pub group: Option<Gid>,
}

/// A node being served.
pub struct CuseNode {
    /// Where the node is, e.g. `/dev/dri/card0`.
    pub path: PathBuf,
    pub major: u32,
    pub minor: u32,
}

/// Register `dev` as a node of kind `node` and start serving it. `ended` runs (in a
/// worker) when the kernel ends the connection.
pub fn serve_node(
    dev: &DeviceName,
    node: NodeKind,
    dynamic_fallback: bool,
    access: Access,
    files: Arc<OpenFiles>,
    ended: impl Fn() + Send + Sync + Clone + 'static,
) -> Result<CuseNode, String> {
    let registered = register::register(dev, dynamic_fallback)?;
    let (major, minor) = (registered.major, registered.minor);
    let session = session::Session::new(registered.channel, node, files);
    session
        .spawn_workers(&dev.sysfs_name(), WORKERS, ended)
        .map_err(|e| format!("starting the workers of {}: {e}", dev.name))?;
    let path = Path::new("/dev").join(&dev.name);
    if access.mode.is_some() || access.group.is_some() {
        set_access(&path, major, minor, access)?;
    }
    Ok(CuseNode { path, major, minor })
}

/// Wait for the node to appear with its number, then apply `access`. The kernel makes
/// CUSE nodes 0600 root; a udev rule is the durable way, this is for hosts without one.
fn set_access(path: &Path, major: u32, minor: u32, access: Access) -> Result<(), String> {
    let rdev = libc::makedev(major, minor);
    let start = Instant::now();
    loop {
        match std::fs::metadata(path) {
            Ok(m) if m.file_type().is_char_device() && m.rdev() == rdev => break,
            _ if start.elapsed() > NODE_APPEARS => {
                return Err(format!(
                    "{} did not appear as char device {major}:{minor} within {NODE_APPEARS:?} \
                     (is /dev a devtmpfs?): cannot apply --mode/--group",
                    path.display()
                ))
            }
            _ => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    if let Some(gid) = access.group {
        chown(path, None, Some(gid)).map_err(|e| format!("chgrp {}: {e}", path.display()))?;
    }
    if let Some(mode) = access.mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| format!("chmod {}: {e}", path.display()))?;
    }
    Ok(())
}
