//! What a DRM node does with a request, whichever front-end carried it: the FUSE file
//! node and the CUSE character device both hand their requests here, so an ioctl (or a
//! change to how one is transported) is written once.
//!
//! This layer moves bytes and keeps the table of open files; every decision about GEM
//! semantics is the model's ([`emu::File::ioctl`]).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use emu::{ClientMemory, Credentials, Device, Errno, NodeKind};

use crate::client_memory::{has_cap_sys_admin, tgid_of};

/// The open files of one device, by the file handle the front-end gives the kernel.
pub struct OpenFiles {
    device: Arc<Device>,
    files: RwLock<HashMap<u64, Arc<emu::File>>>,
}

impl OpenFiles {
    pub fn new(device: Arc<Device>) -> Self {
        OpenFiles {
            device,
            files: RwLock::new(HashMap::new()),
        }
    }

    /// A new DRM client for an open of `node` by thread `tid` (in the daemon's pid
    /// namespace; 0 when the opener is outside it) running as `uid`. Returns its handle.
    pub fn open(&self, node: NodeKind, tid: u32, uid: u32) -> u64 {
        if tid == 0 {
            // The kernel sends pid 0 for a caller outside the daemon's pid namespace:
            // its memory cannot be reached, so every nested pointer will fault.
            log::warn!("open of {node:?} by a process gemu cannot see (another pid namespace)");
        }
        let cred = Credentials {
            pid: tgid_of(tid),
            uid,
            privileged: has_cap_sys_admin(tid),
        };
        let file = self.device.open(node, cred);
        let fh = file.id();
        log::debug!("open {node:?} by {cred:?}: file {fh}");
        self.files.write().unwrap().insert(fh, file);
        fh
    }

    pub fn get(&self, fh: u64) -> Option<Arc<emu::File>> {
        self.files.read().unwrap().get(&fh).cloned()
    }

    /// The last close of open file `fh` (both front-ends send one release per open).
    pub fn release(&self, fh: u64) {
        let file = self.files.write().unwrap().remove(&fh);
        if let Some(file) = file {
            log::debug!("release file {fh}");
            file.close();
        }
    }
}

/// How many bytes of the caller's struct an ioctl copies in and out: `_IOC_SIZE(cmd)`
/// in each direction that `cmd`'s direction bits name, as the DRM core copies them.
pub fn ioctl_sizes(cmd: u32) -> (usize, usize) {
    let size = emu::ioctl::ioc_size(cmd);
    let dir = |bit: u32| if cmd & bit != 0 { size } else { 0 };
    (dir(emu::ioctl::IOC_IN), dir(emu::ioctl::IOC_OUT))
}

/// Answer one ioctl: `in_data` is the caller's struct as the kernel copied it in (at
/// most `_IOC_SIZE(cmd)` bytes; shorter is zero-filled), nested pointers go through
/// `caller`. On success, the bytes to copy back (empty unless `cmd` copies out).
///
/// On failure nothing is copied back. `drm_ioctl` copies the struct out even on error
/// (GEM_WAIT's `timeout_ns` after ETIME), and both front-ends could carry it (the
/// error travels in the ioctl's result, beside the data), but [`emu::File::ioctl`]
/// defines the bytes only on success.
pub fn ioctl(
    file: &emu::File,
    cmd: u32,
    in_data: &[u8],
    caller: &dyn ClientMemory,
) -> Result<Vec<u8>, Errno> {
    ioctl_with(file, cmd, in_data, caller, |r| r.map(<[u8]>::to_vec))
}

/// Argument structs up to this size are handled on the stack: every i915 ioctl's struct
/// fits, and a per-call allocation is measurable next to a ~5 µs round trip.
const STACK_ARG: usize = 256;

/// [`ioctl`], handing the reply bytes to `reply` without allocating for them.
pub fn ioctl_with<R>(
    file: &emu::File,
    cmd: u32,
    in_data: &[u8],
    caller: &dyn ClientMemory,
    reply: impl FnOnce(Result<&[u8], Errno>) -> R,
) -> R {
    let size = emu::ioctl::ioc_size(cmd);
    let mut stack = [0u8; STACK_ARG];
    let mut heap;
    let arg: &mut [u8] = if size <= STACK_ARG {
        &mut stack[..size]
    } else {
        heap = vec![0u8; size];
        &mut heap
    };
    let n = in_data.len().min(arg.len());
    arg[..n].copy_from_slice(&in_data[..n]);
    match file.ioctl(cmd, arg, caller) {
        Ok(()) => {
            let (_, out) = ioctl_sizes(cmd);
            reply(Ok(&arg[..out]))
        }
        Err(e) => reply(Err(e)),
    }
}

/// The ioctl reply's `result` for a failed ioctl: the negative errno.
///
/// Front-ends send an ioctl's error there, not in the reply header: the kernel refuses a
/// reply whose header error is not in -511..=0 before it even looks up the request
/// (`fuse_dev_do_write`), which then waits until the daemon dies; and i915 does return
/// such a number: ENOTSUPP (524) from the perf ioctls. `result` reaches the caller as
/// it is.
pub fn ioctl_error(e: Errno) -> i32 {
    if e == Errno::UnknownErrno {
        // nix's Errno has no variant for kernel-internal numbers such as ENOTSUPP: the
        // model's 524 arrives here as UnknownErrno (0), which would read as success.
        log::warn!("the model failed an ioctl with an errno nix cannot name: answering EIO");
        return -(Errno::EIO as i32);
    }
    -(e as i32)
}

/// `read(2)` on a node: DRM events (vblank, flip) are read here; gemu sends none yet, so
/// a blocking read finds end-of-file and a non-blocking one `EAGAIN`.
// TODO(events): queue DRM events per file and return them here.
pub fn read(nonblocking: bool) -> Result<Vec<u8>, Errno> {
    if nonblocking {
        Err(Errno::EAGAIN)
    } else {
        Ok(Vec::new())
    }
}

/// `poll(2)` on a node, as `drm_poll`: always writable, readable once an event is queued
/// (none yet). The `POLL*` bits of the answer.
pub fn poll() -> u32 {
    (libc::POLLOUT | libc::POLLWRNORM) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_the_direction_bits() {
        // DRM_IOCTL_VERSION: _IOWR('d', 0x00, struct drm_version), 64 bytes.
        let version = 0xc040_6400;
        assert_eq!(ioctl_sizes(version), (64, 64));
        // DRM_IOCTL_GEM_CLOSE: _IOW('d', 0x09, struct drm_gem_close), 8 bytes.
        assert_eq!(ioctl_sizes(0x4008_6409), (8, 0));
        // DRM_IOCTL_GET_MAGIC: _IOR('d', 0x02, drm_auth_t), 4 bytes.
        assert_eq!(ioctl_sizes(0x8004_6402), (0, 4));
        // DRM_IOCTL_DROP_MASTER: _IO('d', 0x1f).
        assert_eq!(ioctl_sizes(0x641f), (0, 0));
    }
}
