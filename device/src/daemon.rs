//! One emulated device served at a mount point: the model, its aperture memfd, the
//! FUSE mount and the worker threads that answer it.

use std::fs::File;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use fuser::{Config, Session, SessionACL};
use nix::sys::signal::{kill, Signal};
use nix::unistd::getpid;

use crate::aperture_memfd::{self, APERTURE_LEN};
use crate::aperture_socket::IsDeviceFile;
use crate::fd_files::Kind;
use crate::fuse_mount::{self, FuseMount};
use crate::fuse_node::{DeviceNodes, NODE_INODES};
use crate::mapping_probe::{ApertureFiles, ProcMaps};

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

/// Keep freed objects' ranges while a process maps them through the memfd itself (the
/// shim, where the kernel cannot map the nodes): the model asks `/proc/<pid>/maps`.
pub fn probe_memfd_mappings(device: &emu::Device, memfd: &File) -> io::Result<()> {
    let md = memfd.metadata()?;
    let mut files = ApertureFiles::default();
    files.add(md.dev(), &[md.ino()]);
    device.set_mapping_probe(Box::new(ProcMaps::new(files.clone())));
    let _ = crate::client_memory::NODE_MAPPINGS.set(files);
    Ok(())
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
    /// Whether the kernel passes mmap of the nodes through to the memfd.
    passthrough: bool,
    /// The aperture memfd, for the aperture socket.
    memfd: File,
    /// The mount's device number (`st_dev` of every file it serves).
    dev: Option<u64>,
    device: Arc<emu::Device>,
}

impl Daemon {
    /// Create the device and serve `card0` and `renderD128` in directory `dir`.
    pub fn start(dir: &Path, config: emu::DeviceConfig) -> io::Result<Daemon> {
        let (memfd, device) = new_device(config)?;
        let own_memfd = memfd.try_clone()?;
        let passthrough = Arc::new(AtomicBool::new(false));
        let nodes = DeviceNodes::new(device.clone(), memfd, passthrough.clone());
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
        // mount's device number (asked now that the session answers) or, made by the
        // shim without passthrough, under the memfd's.
        let dev = match std::fs::metadata(dir) {
            Ok(md) => Some(md.dev()),
            Err(e) => {
                log::warn!(
                    "stat {}: {e}; freed objects are released at once even when mapped",
                    dir.display()
                );
                None
            }
        };
        if let Some(dev) = dev {
            let mut files = ApertureFiles::default();
            files.add(dev, &NODE_INODES);
            let md = own_memfd.metadata()?;
            files.add(md.dev(), &[md.ino()]);
            device.set_mapping_probe(Box::new(ProcMaps::new(files.clone())));
            let _ = crate::client_memory::NODE_MAPPINGS.set(files);
        }
        Ok(Daemon {
            mount,
            session: Some(session),
            passthrough: passthrough.load(Ordering::Relaxed),
            memfd: own_memfd,
            dev,
            device: model,
        })
    }

    /// Whether clients' mmaps of the nodes reach the aperture by themselves (FUSE
    /// passthrough); if not, the shim needs the aperture socket.
    pub fn passthrough(&self) -> bool {
        self.passthrough
    }

    /// The aperture memfd (another descriptor of it).
    pub fn memfd(&self) -> io::Result<File> {
        self.memfd.try_clone()
    }

    /// Which files may ask the aperture socket for the memfd: the nodes and the dma-buf
    /// files of this mount.
    pub fn is_device_file(&self) -> IsDeviceFile {
        let dev = self.dev;
        Box::new(move |st| {
            Some(st.st_dev) == dev
                && (NODE_INODES.contains(&st.st_ino)
                    || matches!(Kind::of_ino(st.st_ino), Some((Kind::DmaBuf, _))))
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
