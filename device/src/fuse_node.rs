//! The FUSE file system that serves the device nodes: a root directory holding
//! `card0` (primary node) and `renderD128` (render node).
//!
//! Every open is one DRM client ([`emu::File`]); its ioctls go to the model with the
//! caller's memory behind a [`CallerMemory`]. Opens pass `mmap` through to the aperture
//! memfd (FUSE passthrough), so object pages are shared, not copied; `read` and `poll`
//! still come here (`FOPEN_DIRECT_IO`), where DRM events will be delivered.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use fuser::{
    BackingId, Errno, FileAttr, FileHandle, FileType, FopenFlags, Generation, INodeNo, InitFlags,
    IoctlFlags, KernelConfig, LockOwner, OpenFlags, PollEvents, PollFlags, PollNotifier, ReplyAttr,
    ReplyData, ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyIoctl, ReplyOpen, ReplyPoll,
    ReplyWrite, ReplyXattr, Request, WriteFlags,
};

use emu::{Device, NodeKind};

use crate::client_memory::CallerMemory;
use crate::dispatch::{self, OpenFiles};

const CARD0: INodeNo = INodeNo(2);
const RENDER_D128: INodeNo = INodeNo(3);

/// The inode numbers of the nodes (what `/proc/<pid>/maps` shows for their mappings).
pub const NODE_INODES: [u64; 2] = [CARD0.0, RENDER_D128.0];

/// The nodes and their names, in directory order.
const NODES: [(INodeNo, &str, NodeKind); 2] = [
    (CARD0, "card0", NodeKind::Primary),
    (RENDER_D128, "renderD128", NodeKind::Render),
];

/// Nothing here ever changes: let the kernel cache names and attributes for long.
const TTL: Duration = Duration::from_secs(3600);

/// The FUSE file system of one emulated device.
pub struct DeviceNodes {
    files: OpenFiles,
    /// The aperture memfd that opens pass through to.
    memfd: File,
    /// The kernel's handle on `memfd`, registered at the first open and shared by every
    /// open after it. Dropping it would unregister it: it lives as long as the session.
    backing: OnceLock<BackingId>,
    /// Timestamps of the nodes: when the device came up.
    born: SystemTime,
}

impl DeviceNodes {
    pub fn new(device: Arc<Device>, memfd: File) -> Self {
        DeviceNodes {
            files: OpenFiles::new(device),
            memfd,
            backing: OnceLock::new(),
            born: SystemTime::now(),
        }
    }

    fn attr(&self, ino: INodeNo) -> Option<FileAttr> {
        let (kind, perm, nlink) = if ino == INodeNo::ROOT {
            (FileType::Directory, 0o755, 2)
        } else if NODES.iter().any(|(i, ..)| *i == ino) {
            // A FUSE node must be a regular file: S_IFCHR would make the kernel open a
            // real device number instead of asking us (DESIGN §3).
            (FileType::RegularFile, 0o666, 1)
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
            nlink,
            uid: 0,
            gid: 0,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        })
    }

    /// The backing id of the memfd, registering it on first use.
    fn backing(&self, reply: &ReplyOpen) -> io::Result<&BackingId> {
        if let Some(b) = self.backing.get() {
            return Ok(b);
        }
        let fresh = reply.open_backing(&self.memfd)?;
        // Two first opens may race: the loser's id is dropped (unregistered) unused.
        Ok(self.backing.get_or_init(|| fresh))
    }
}

/// Run one ioctl on `file` for thread `tid` and send the reply.
fn answer_ioctl(file: &emu::File, tid: u32, cmd: u32, in_data: &[u8], reply: ReplyIoctl) {
    dispatch::ioctl_with(file, cmd, in_data, &CallerMemory::new(tid), |r| match r {
        Ok(out) => reply.ioctl(0, out),
        Err(e) => reply.ioctl(dispatch::ioctl_error(e), &[]),
    })
}

impl fuser::Filesystem for DeviceNodes {
    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> io::Result<()> {
        // Without passthrough a client's MAP_SHARED mapping goes through the page cache
        // and is not coherent with the model: refuse to run rather than corrupt silently.
        config
            .add_capabilities(InitFlags::FUSE_PASSTHROUGH)
            .map_err(|_| {
                io::Error::other(
                    "this kernel's FUSE has no passthrough (needs Linux >= 6.9 with \
                     CONFIG_FUSE_PASSTHROUGH=y): client mmaps could not be coherent",
                )
            })?;
        config
            .set_max_stack_depth(1)
            .map_err(|_| io::Error::other("FUSE refused max_stack_depth 1"))?;
        Ok(())
    }

    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let found = NODES
            .iter()
            .find(|(_, n, _)| parent == INodeNo::ROOT && OsStr::new(n) == name)
            .and_then(|(ino, ..)| self.attr(*ino));
        match found {
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

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        if ino != INodeNo::ROOT {
            return reply.error(Errno::ENOTDIR);
        }
        let entries = [
            (INodeNo::ROOT, FileType::Directory, "."),
            (INodeNo::ROOT, FileType::Directory, ".."),
        ]
        .into_iter()
        .chain(
            NODES
                .iter()
                .map(|(i, n, _)| (*i, FileType::RegularFile, *n)),
        );
        // An entry's offset is the offset of the one after it.
        for (i, (ino, kind, name)) in entries.enumerate().skip(offset as usize) {
            if reply.add(ino, i as u64 + 1, kind, name) {
                break;
            }
        }
        reply.ok();
    }

    fn open(&self, req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        let Some(&(_, name, node)) = NODES.iter().find(|(i, ..)| *i == ino) else {
            return reply.error(if ino == INodeNo::ROOT {
                Errno::EISDIR
            } else {
                Errno::ENOENT
            });
        };
        let backing = match self.backing(&reply) {
            Ok(b) => b,
            Err(e) => {
                log::error!("open {name}: registering the aperture memfd for passthrough: {e}");
                return reply.error(Errno::EIO);
            }
        };
        let fh = self.files.open(node, req.pid(), req.uid());
        reply.opened_passthrough(FileHandle(fh), FopenFlags::FOPEN_DIRECT_IO, backing);
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        // Every close() sends a flush; a DRM file has nothing to write back.
        reply.ok()
    }

    fn getxattr(&self, _req: &Request, _ino: INodeNo, _name: &OsStr, _size: u32, r: ReplyXattr) {
        // ENOSYS: the kernel stops asking (ls, SELinux probes) and reports "unsupported".
        r.error(Errno::ENOSYS)
    }

    fn listxattr(&self, _req: &Request, _ino: INodeNo, _size: u32, reply: ReplyXattr) {
        reply.error(Errno::ENOSYS)
    }

    fn release(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        // FUSE sends release once, after the last close of the open file description.
        self.files.release(fh.0);
        reply.ok();
    }

    fn ioctl(
        &self,
        req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: IoctlFlags,
        cmd: u32,
        in_data: &[u8],
        _out_size: u32,
        reply: ReplyIoctl,
    ) {
        // Only the nodes' opens are files; the root directory has no ioctls.
        let Some(file) = self.files.get(fh.0) else {
            return reply.error(Errno::ENOTTY);
        };
        let tid = req.pid();
        if !emu::ioctl_may_block(cmd) {
            return answer_ioctl(&file, tid, cmd, in_data, reply);
        }
        // A wait may last seconds: answer it from its own thread so this worker goes
        // back to serving other clients (replies may be sent from any thread).
        let in_data = in_data.to_vec();
        let spawned = std::thread::Builder::new()
            .name(format!("gemu-wait-{tid}"))
            .spawn(move || answer_ioctl(&file, tid, cmd, &in_data, reply));
        if let Err(e) = spawned {
            // The closure (and the reply inside it) is gone; fuser answers EIO for an
            // unsent reply when it drops, so the caller is not left waiting.
            log::error!("ioctl {cmd:#x}: no thread for a blocking wait: {e}");
        }
    }

    fn read(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _offset: u64,
        _size: u32,
        flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        match dispatch::read(flags.0 & libc::O_NONBLOCK != 0) {
            Ok(data) => reply.data(&data),
            Err(e) => reply.error(Errno::from_i32(e as i32)),
        }
    }

    fn write(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _offset: u64,
        _data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        // A DRM node has no write method.
        reply.error(Errno::EINVAL)
    }

    fn poll(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _ph: PollNotifier,
        _events: PollEvents,
        _flags: PollFlags,
        reply: ReplyPoll,
    ) {
        reply.poll(PollEvents::from_bits_truncate(dispatch::poll()))
    }
}
