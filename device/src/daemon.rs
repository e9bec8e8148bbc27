//! One emulated device served at a mount point: the model, its aperture memfd, the
//! FUSE mount and the worker threads that answer it.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;

use fuser::{Config, Session, SessionACL};
use nix::sys::signal::{kill, Signal};
use nix::unistd::getpid;

use crate::aperture_memfd::{self, APERTURE_LEN};
use crate::fuse_mount::{self, FuseMount};
use crate::fuse_node::{DeviceNodes, NODE_INODES};
use crate::mapping_probe::ProcMaps;

/// FUSE worker threads. Several, so that one client's slow request (a big pwrite, a
/// fault on its memory) does not stall every other client; blocking waits leave the
/// workers entirely (see `DeviceNodes::ioctl`).
const WORKERS: usize = 4;

/// Raised on the daemon's process when the FUSE session ends by itself (the mount was
/// unmounted from outside, or the connection failed). Callers block it and wait for it
/// next to their exit signals.
pub const SESSION_ENDED: Signal = Signal::SIGUSR1;

/// The model of one device and the aperture memfd that backs its objects.
pub fn new_device(config: emu::DeviceConfig) -> io::Result<(File, Arc<emu::Device>)> {
    let len = APERTURE_LEN.max(emu::aperture::FIRST_OFFSET + config.memory);
    let (memfd, aperture) = aperture_memfd::create(len)
        .map_err(|e| io::Error::other(format!("creating the {len:#x}-byte aperture: {e}")))?;
    Ok((memfd, emu::Device::new(config, aperture)))
}

/// How gemu's FUSE sessions are served. `gemu bench` serves its floor file system with
/// the same settings, so that the floor it measures is the transport gemu really gets.
pub fn session_config() -> Config {
    let mut cfg = Config::default();
    cfg.n_threads = Some(WORKERS);
    // One cloned /dev/fuse descriptor per worker: each gets its own list of requests in
    // flight in the kernel, so replies from different workers do not contend on one lock.
    cfg.clone_fd = true;
    cfg
}

/// A running device.
pub struct Daemon {
    mount: FuseMount,
    session: Option<JoinHandle<io::Result<()>>>,
    device: Arc<emu::Device>,
}

impl Daemon {
    /// Create the device and serve `card0` and `renderD128` in directory `dir`.
    pub fn start(dir: &Path, config: emu::DeviceConfig) -> io::Result<Daemon> {
        let (memfd, device) = new_device(config)?;
        let nodes = DeviceNodes::new(device.clone(), memfd);
        let model = device.clone();

        let (dev_fuse, mount) = fuse_mount::mount_at(dir)?;
        let cfg = session_config();
        // The handshake (FUSE_INIT, where passthrough is negotiated) happens here; on
        // failure `mount` drops and unmounts. SessionACL::All: the mount has allow_other,
        // and fuser must not refuse requests from other users either.
        let session = Session::from_fd(nodes, dev_fuse, SessionACL::All, cfg)?;
        let session = std::thread::Builder::new()
            .name("fuse-session".into())
            .spawn(move || {
                let r = session.run();
                let _ = kill(getpid(), SESSION_ENDED);
                r
            })?;
        // Clients' mappings keep freed objects' pages alive; they are found under this
        // mount's device number (asked now that the session answers).
        match std::fs::metadata(dir) {
            Ok(md) => {
                use std::os::unix::fs::MetadataExt;
                let dev = (libc::major(md.dev()), libc::minor(md.dev()));
                device.set_mapping_probe(Box::new(ProcMaps::new(dev, &NODE_INODES)));
                let _ = crate::client_memory::NODE_MAPPINGS
                    .set((format!("{:02x}:{:02x}", dev.0, dev.1), NODE_INODES.to_vec()));
            }
            Err(e) => log::warn!(
                "stat {}: {e}; freed objects are released at once even when mapped",
                dir.display()
            ),
        }
        Ok(Daemon {
            mount,
            session: Some(session),
            device: model,
        })
    }

    /// The model the daemon serves.
    pub fn device(&self) -> &Arc<emu::Device> {
        &self.device
    }

    /// Unmount and stop serving. Clients that still hold a node open (the unmount then
    /// detaches it) are not waited for: the process exit closes the connection and their
    /// next call gets ENOTCONN.
    pub fn stop(mut self) -> io::Result<()> {
        self.mount.unmount()
    }

    /// The result of a session that ended by itself (after [`SESSION_ENDED`]).
    pub fn session_result(&mut self) -> io::Result<()> {
        match self.session.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(io::Error::other("the FUSE session panicked")),
            None => Ok(()),
        }
    }
}
