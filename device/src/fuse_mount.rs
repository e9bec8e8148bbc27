//! Mounting and unmounting the FUSE file system that holds the nodes.
//!
//! gemu mounts it itself (fuser's `Session::from_fd` then serves the connection) so that
//! it controls the mount's name (`fuse.gemu`, source `gemu`: easy to find in
//! mountinfo) and where it goes: `gemu run` mounts it in a private staging directory.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::mount::{mount, umount2, MntFlags, MsFlags};

/// The file system type and source gemu's mounts show in mountinfo.
pub const FS_TYPE: &str = "fuse.gemu";
pub const SOURCE: &str = "gemu";

/// A mounted gemu file system. Dropping it unmounts (lazily if clients still hold
/// nodes open).
#[derive(Debug)]
pub struct FuseMount {
    path: PathBuf,
    mounted: bool,
}

/// Mount a new FUSE connection on directory `dir`; returns the connection's
/// `/dev/fuse` descriptor, on which the kernel has already queued `FUSE_INIT`.
pub fn mount_at(dir: &Path) -> io::Result<(OwnedFd, FuseMount)> {
    // std opens with O_CLOEXEC: programs that `gemu run` starts must not hold the
    // connection open (that would keep a dead daemon's mount hanging instead of failing).
    let dev_fuse: File = OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/fuse")
        .map_err(|e| {
            let hint = if e.kind() == io::ErrorKind::PermissionDenied {
                " (without root, /dev/fuse must be open to every user: 0666, as the fuse3 \
                 package's udev rule makes it; devtmpfs alone leaves it 0600)"
            } else {
                ""
            };
            io::Error::other(format!("opening /dev/fuse: {e}{hint}"))
        })?;
    let options = format!(
        "fd={},rootmode={:o},user_id={},group_id={},allow_other,default_permissions",
        dev_fuse.as_raw_fd(),
        libc::S_IFDIR | 0o755,
        nix::unistd::getuid(),
        nix::unistd::getgid(),
    );
    // allow_other: any user's programs may open the nodes (their mode, 0666, decides,
    // which `default_permissions` makes the kernel check).
    mount(
        Some(SOURCE),
        dir,
        Some(FS_TYPE),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(options.as_str()),
    )
    .map_err(|e| {
        let hint = if e == Errno::EPERM {
            " (gemu mounts FUSE itself and needs root: CAP_SYS_ADMIN)"
        } else {
            ""
        };
        io::Error::other(format!("mounting FUSE at {}: {e}{hint}", dir.display()))
    })?;
    Ok((
        dev_fuse.into(),
        FuseMount {
            path: dir.to_path_buf(),
            mounted: true,
        },
    ))
}

impl FuseMount {
    /// Unmount. When clients still hold a node open the kernel refuses (EBUSY); the
    /// mount is then detached: it leaves the tree now and its open files fail with
    /// ENOTCONN once the daemon exits.
    pub fn unmount(&mut self) -> io::Result<()> {
        if !std::mem::take(&mut self.mounted) {
            return Ok(());
        }
        match umount2(&self.path, MntFlags::empty()) {
            Ok(()) => Ok(()),
            // Not a mount point any more: someone unmounted it already.
            Err(Errno::EINVAL) => {
                log::debug!("{} was already unmounted", self.path.display());
                Ok(())
            }
            Err(Errno::EBUSY) => {
                log::warn!(
                    "{} is still in use: detaching it (open nodes fail from now on)",
                    self.path.display()
                );
                umount2(&self.path, MntFlags::MNT_DETACH).map_err(io::Error::from)
            }
            Err(e) => Err(io::Error::other(format!(
                "unmounting {}: {e}",
                self.path.display()
            ))),
        }
    }
}

impl Drop for FuseMount {
    fn drop(&mut self) {
        if let Err(e) = self.unmount() {
            log::warn!("{e}");
        }
    }
}
