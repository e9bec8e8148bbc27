//! The floor: a trivial FUSE file system whose ioctls cost nothing but the transport.
//!
//! It is served exactly as gemu's nodes are — same fuser, same session settings
//! ([`daemon::session_config`]: workers, cloned descriptors), passthrough to a memfd and
//! `FOPEN_DIRECT_IO` at open — so the difference between an ioctl here and one on
//! gemu's card0 is what gemu itself adds. Two files:
//! - `echo`: the ioctl replies with the bytes it was given;
//! - `echo_write`: the same after writing 4 bytes through the pointer at bytes 8..16 of
//!   the argument with `process_vm_writev` ([`CallerMemory`], as gemu does), which is what
//!   GETPARAM costs beyond the floor when the model itself is free.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::OnceLock;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use fuser::{
    BackingId, Errno, FileAttr, FileHandle, FileType, FopenFlags, Generation, INodeNo, InitFlags,
    IoctlFlags, KernelConfig, LockOwner, OpenFlags, ReplyAttr, ReplyEmpty, ReplyEntry, ReplyIoctl,
    ReplyOpen, Request, Session, SessionACL,
};
use nix::sys::memfd::{memfd_create, MFdFlags};

use crate::client_memory::CallerMemory;
use crate::daemon;
use crate::fuse_mount::{self, FuseMount};
use emu::ClientMemory;

const ECHO: INodeNo = INodeNo(2);
const ECHO_WRITE: INodeNo = INodeNo(3);
const FILES: [(INodeNo, &str); 2] = [(ECHO, "echo"), (ECHO_WRITE, "echo_write")];
const TTL: Duration = Duration::from_secs(3600);

struct FloorFs {
    memfd: File,
    backing: OnceLock<BackingId>,
    born: SystemTime,
}

impl FloorFs {
    fn attr(&self, ino: INodeNo) -> Option<FileAttr> {
        let (kind, perm) = if ino == INodeNo::ROOT {
            (FileType::Directory, 0o755)
        } else if FILES.iter().any(|(i, _)| *i == ino) {
            (FileType::RegularFile, 0o666)
        } else {
            return None;
        };
        Some(FileAttr {
            ino,
            size: 0,
            blocks: 0,
            atime: self.born,
            mtime: self.born,
            ctime: self.born,
            crtime: self.born,
            kind,
            perm,
            nlink: 1,
            uid: 0,
            gid: 0,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        })
    }
}

impl fuser::Filesystem for FloorFs {
    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> io::Result<()> {
        // As gemu's nodes (fuse_node.rs): passthrough opens.
        config
            .add_capabilities(InitFlags::FUSE_PASSTHROUGH)
            .map_err(|_| io::Error::other("this kernel's FUSE has no passthrough"))?;
        config
            .set_max_stack_depth(1)
            .map_err(|_| io::Error::other("FUSE refused max_stack_depth 1"))?;
        Ok(())
    }

    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        match FILES
            .iter()
            .find(|(_, n)| parent == INodeNo::ROOT && OsStr::new(n) == name)
            .and_then(|(ino, _)| self.attr(*ino))
        {
            Some(attr) => reply.entry(&TTL, &attr, Generation(0)),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match self.attr(ino) {
            Some(attr) => reply.attr(&TTL, &attr),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        if !FILES.iter().any(|(i, _)| *i == ino) {
            return reply.error(Errno::EISDIR);
        }
        let backing = match self.backing.get() {
            Some(b) => b,
            None => match reply.open_backing(&self.memfd) {
                Ok(fresh) => self.backing.get_or_init(|| fresh),
                Err(e) => {
                    log::error!("floor: registering the memfd for passthrough: {e}");
                    return reply.error(Errno::EIO);
                }
            },
        };
        reply.opened_passthrough(FileHandle(ino.0), FopenFlags::FOPEN_DIRECT_IO, backing);
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        reply.ok()
    }

    fn ioctl(
        &self,
        req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: IoctlFlags,
        _cmd: u32,
        in_data: &[u8],
        _out_size: u32,
        reply: ReplyIoctl,
    ) {
        if INodeNo(fh.0) == ECHO_WRITE {
            let Some(ptr) = in_data.get(8..16) else {
                return reply.error(Errno::EINVAL);
            };
            let ptr = u64::from_ne_bytes(ptr.try_into().unwrap());
            if let Err(e) = CallerMemory::new(req.pid()).write(ptr, &0x9a49u32.to_ne_bytes()) {
                return reply.error(Errno::from_i32(e as i32));
            }
        }
        reply.ioctl(0, in_data)
    }
}

/// The floor file system, mounted and served.
pub struct FloorMount {
    mount: FuseMount,
    session: Option<JoinHandle<io::Result<()>>>,
}

impl FloorMount {
    /// Serve `echo` and `echo_write` in directory `dir`.
    pub fn start(dir: &Path) -> io::Result<FloorMount> {
        let memfd = File::from(memfd_create(c"gemu-bench-floor", MFdFlags::MFD_CLOEXEC)?);
        memfd.set_len(4096)?;
        let fs = FloorFs {
            memfd,
            backing: OnceLock::new(),
            born: SystemTime::now(),
        };
        let (dev_fuse, mount) = fuse_mount::mount_at(dir)?;
        let session = Session::from_fd(fs, dev_fuse, SessionACL::All, daemon::session_config())?;
        let session = std::thread::Builder::new()
            .name("floor-session".into())
            .spawn(move || session.run())?;
        Ok(FloorMount {
            mount,
            session: Some(session),
        })
    }
}

impl Drop for FloorMount {
    fn drop(&mut self) {
        if let Err(e) = self.mount.unmount() {
            log::warn!("floor: {e}");
        }
        // Unmounted, the workers' reads fail with ENODEV and the session ends.
        if let Some(Ok(Err(e))) = self.session.take().map(JoinHandle::join) {
            log::warn!("floor: the FUSE session failed: {e}");
        }
    }
}

/// One ioctl on `echo`: GETPARAM's command and struct, so the kernel copies exactly the
/// bytes it copies for gemu's GETPARAM. Nothing is written through the pointer.
pub fn echo_op(rig: &super::Rig) -> crate::Fallible<super::harness::Op<'_>> {
    Ok(Box::new(|| {
        let mut gp = uapi::drm_i915_getparam::default();
        // SAFETY: the echo file writes through no pointer; `value` is 0 anyway.
        unsafe { crate::probe::drm_ioctl(&rig.echo, uapi::DRM_IOCTL_I915_GETPARAM, &mut gp) }
            .map_err(|e| format!("floor ioctl: {e}"))
    }))
}
