//! One DRM client: the state behind one open of a node.

use std::sync::Arc;

use crate::client::ClientMemory;
use crate::device::{Credentials, Device, NodeKind};
use crate::Result;

/// A DRM file (`struct drm_file`): what one `open()` of a node holds.
pub struct File {
    pub(crate) device: Arc<Device>,
    pub(crate) id: u64,
    pub(crate) node: NodeKind,
    pub(crate) cred: Credentials,
}

impl File {
    pub(crate) fn new(device: Arc<Device>, id: u64, node: NodeKind, cred: Credentials) -> File {
        File {
            device,
            id,
            node,
            cred,
        }
    }

    /// The device this file was opened on.
    pub fn device(&self) -> &Arc<Device> {
        &self.device
    }

    /// The node this file was opened through.
    pub fn node(&self) -> NodeKind {
        self.node
    }

    /// A number unique among the device's files.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Answer one ioctl as the DRM core's `drm_ioctl` does.
    ///
    /// `arg` holds `_IOC_SIZE(cmd)` bytes: the caller's struct when the command copies
    /// in (`_IOC_WRITE`), zeroes otherwise. On success it holds the bytes to copy back
    /// when the command copies out (`_IOC_READ`). Nested pointers go through `caller`.
    pub fn ioctl(&self, cmd: u32, arg: &mut [u8], caller: &dyn ClientMemory) -> Result<()> {
        crate::ioctl::dispatch(self, cmd, arg, caller)
    }

    /// The last close of this file (`drm_release`): handles, contexts and the master
    /// role it held are dropped.
    pub fn close(&self) {}
}
