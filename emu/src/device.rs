//! The device: state shared by every open file (global names, the DRM master, the
//! aperture, the platform).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::aperture::Aperture;
use crate::file::File;

/// Which node a file was opened through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// `/dev/dri/card0`: the primary node (master, authentication, flink).
    Primary,
    /// `/dev/dri/renderD128`: the render node (no master, no flink).
    Render,
}

impl NodeKind {
    /// The DRM minor number of the node (226:minor).
    pub fn minor(self) -> u32 {
        match self {
            NodeKind::Primary => 0,
            NodeKind::Render => 128,
        }
    }
}

/// Who opened a file: the front-end reads it from the open request.
#[derive(Clone, Copy, Debug)]
pub struct Credentials {
    /// Process id of the opener (in the daemon's pid namespace).
    pub pid: u32,
    /// Effective user id of the opener.
    pub uid: u32,
    /// The opener holds CAP_SYS_ADMIN: authenticated at open, may use ROOT_ONLY ioctls.
    pub privileged: bool,
}

/// Settings of one emulated device.
#[derive(Clone, Debug)]
pub struct DeviceConfig {
    /// Bytes of system memory the device may use for objects (the memory region's size).
    pub memory: u64,
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig { memory: 8 << 30 }
    }
}

/// One emulated i915 device.
pub struct Device {
    pub(crate) config: DeviceConfig,
    pub(crate) aperture: Aperture,
    next_file_id: AtomicU64,
    pub(crate) files: Mutex<Vec<std::sync::Weak<File>>>,
}

impl Device {
    /// A device whose objects live in `aperture`.
    pub fn new(config: DeviceConfig, aperture: Aperture) -> Arc<Device> {
        Arc::new(Device {
            config,
            aperture,
            next_file_id: AtomicU64::new(1),
            files: Mutex::new(Vec::new()),
        })
    }

    /// The device's settings.
    pub fn config(&self) -> &DeviceConfig {
        &self.config
    }

    /// Open the device through `node`: a new DRM file (`drm_open`).
    pub fn open(self: &Arc<Self>, node: NodeKind, cred: Credentials) -> Arc<File> {
        let id = self.next_file_id.fetch_add(1, Ordering::Relaxed);
        let file = Arc::new(File::new(self.clone(), id, node, cred));
        let mut files = self.files.lock().unwrap();
        files.retain(|f| f.strong_count() > 0);
        files.push(Arc::downgrade(&file));
        file
    }
}
