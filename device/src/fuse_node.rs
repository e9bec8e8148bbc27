//! The FUSE file system that serves the device nodes: a root directory holding
//! `card0` (primary node) and `renderD128` (render node).
//!
//! Every open is one DRM client ([`emu::File`]); its ioctls go to the model with the
//! caller's memory behind a [`CallerMemory`]. Opens pass `mmap` through to the aperture
//! memfd (FUSE passthrough), so object pages are shared, not copied; `read` and `poll`
//! still come here (`FOPEN_DIRECT_IO`), where DRM events will be delivered.
//!
//! `debugfs/` and `sysfs/` folders beside the nodes hold the device's debugfs files and
//! live sysfs attributes ([`LiveFiles`]); `gemu run` binds them at
//! `/sys/kernel/debug/dri/<minor>` and into `card0`'s sysfs directory.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use fuser::{
    BackingId, Errno, FileAttr, FileHandle, FileType, FopenFlags, Generation, INodeNo, InitFlags,
    IoctlFlags, KernelConfig, LockOwner, OpenFlags, PollEvents, PollFlags, PollNotifier, ReplyAttr,
    ReplyData, ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyIoctl, ReplyOpen, ReplyPoll,
    ReplyWrite, ReplyXattr, Request, TimeOrNow, WriteFlags,
};

use emu::{Device, NodeKind};

use crate::client_memory::CallerMemory;
use crate::dispatch::{self, OpenFiles};
use crate::fd_files::{self, Kind, KindExt};
use crate::live_files::{self, LiveFiles};
use crate::sw_sync_node;
use crate::sync_file_node;

const CARD0: INodeNo = INodeNo(2);
const RENDER_D128: INodeNo = INodeNo(3);
const CARD1: INodeNo = INodeNo(4);

/// The sw_sync file: each open is a timeline.
const SW_SYNC: INodeNo = INodeNo(uapi::GEMU_SW_SYNC_INO);

/// The inode numbers of the nodes (what `/proc/<pid>/maps` shows for their mappings).
pub const NODE_INODES: [u64; 3] = [CARD0.0, RENDER_D128.0, CARD1.0];

/// The nodes and their names, in directory order: i915's two, then vgem's card1.
const NODES: [(INodeNo, &str, NodeKind); 3] = [
    (CARD0, "card0", NodeKind::Primary),
    (RENDER_D128, "renderD128", NodeKind::Render),
    (CARD1, "card1", NodeKind::Vgem),
];

/// Nothing here ever changes: let the kernel cache names and attributes for long.
const TTL: Duration = Duration::from_secs(3600);

/// How long the kernel may keep `ino`'s name and attributes: a dma-buf file comes and
/// goes with its export, and its id may name another object's export later.
fn ttl(ino: INodeNo) -> Duration {
    if Kind::of_ino(ino.0).is_some() {
        Duration::ZERO
    } else {
        TTL
    }
}

/// Set (to anything) to serve without FUSE passthrough even where the kernel has it: the
/// path of kernels older than 6.9, for tests.
pub const NO_PASSTHROUGH_ENV: &str = "GEMU_NO_PASSTHROUGH";

/// File handles of open debugfs files carry this bit; DRM files' handles (the model's
/// file ids, counted from 1) never reach it.
const DEBUGFS_FH: u64 = 1 << 63;

/// The FUSE file system of one emulated device.
pub struct DeviceNodes {
    files: OpenFiles,
    /// The aperture memfd that opens pass through to.
    memfd: File,
    /// The kernel's handle on `memfd`, registered at the first open and shared by every
    /// open after it. Dropping it would unregister it: it lives as long as the session.
    backing: OnceLock<BackingId>,
    /// Whether opens pass mmap through to the memfd (negotiated in `init`). Without it, a
    /// shared mapping of a node is `ENODEV` (FOPEN_DIRECT_IO) and the shim maps the memfd
    /// it gets from the aperture socket instead.
    passthrough: Arc<AtomicBool>,
    /// Timestamps of the nodes: when the device came up.
    born: SystemTime,
    device: Arc<Device>,
    live: Arc<LiveFiles>,
    /// What each open debugfs or sysfs file reads: the snapshot taken by its first read
    /// and again by each read at offset 0, by file handle.
    snapshots: Mutex<HashMap<u64, Vec<u8>>>,
    next_snapshot: AtomicU64,
}

impl DeviceNodes {
    /// `passthrough` is set once the kernel agrees to pass mmap through.
    pub fn new(device: Arc<Device>, memfd: File, passthrough: Arc<AtomicBool>) -> Self {
        DeviceNodes {
            files: OpenFiles::new(device.clone()),
            memfd,
            backing: OnceLock::new(),
            passthrough,
            born: SystemTime::now(),
            live: Arc::new(LiveFiles::new(device.clone())),
            device,
            snapshots: Mutex::new(HashMap::new()),
            next_snapshot: AtomicU64::new(DEBUGFS_FH),
        }
    }

    fn attr(&self, ino: INodeNo) -> Option<FileAttr> {
        let mut size = 0;
        let (kind, perm, nlink) = if ino == INodeNo::ROOT || Kind::of_dir(ino.0).is_some() {
            (FileType::Directory, 0o755, 2)
        } else if let Some((k, id)) = Kind::of_ino(ino.0) {
            size = k.size(&self.device, id)?;
            (FileType::RegularFile, 0o666, 1)
        } else if ino == SW_SYNC || NODES.iter().any(|(i, ..)| *i == ino) {
            // A FUSE node must be a regular file: S_IFCHR would make the kernel open a
            // real device number instead of asking us (DESIGN §3).
            (FileType::RegularFile, 0o666, 1)
        } else {
            match self.live.entry(ino.0)?.kind {
                live_files::Kind::Dir => (FileType::Directory, 0o755, 2),
                live_files::Kind::File { writable: true } => (FileType::RegularFile, 0o644, 1),
                live_files::Kind::File { writable: false } => (FileType::RegularFile, 0o444, 1),
            }
        };
        Some(FileAttr {
            ino,
            size,
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

    /// The backing id of the memfd, registering it on first use; `None` without
    /// passthrough.
    fn backing(&self, reply: &ReplyOpen) -> io::Result<Option<&BackingId>> {
        if !self.passthrough.load(Ordering::Relaxed) {
            return Ok(None);
        }
        if let Some(b) = self.backing.get() {
            return Ok(Some(b));
        }
        let fresh = reply.open_backing(&self.memfd)?;
        // Two first opens may race: the loser's id is dropped (unregistered) unused.
        Ok(Some(self.backing.get_or_init(|| fresh)))
    }
}

impl DeviceNodes {
    /// Open export `id`'s file: a dma-buf's mappings pass through to the aperture like
    /// the nodes'; the others are never mapped.
    fn open_fd_file(&self, kind: Kind, id: u64, reply: ReplyOpen) {
        let fh = FileHandle(kind.fh(id));
        if kind != Kind::DmaBuf {
            if !kind.open(&self.device, id) {
                return reply.error(Errno::ENOENT);
            }
            return reply.opened(fh, FopenFlags::FOPEN_DIRECT_IO);
        }
        let backing = match self.backing(&reply) {
            Ok(b) => b,
            Err(e) => {
                log::error!("open dma-buf {id}: registering the aperture memfd: {e}");
                return reply.error(Errno::EIO);
            }
        };
        if !kind.open(&self.device, id) {
            return reply.error(Errno::ENOENT);
        }
        match backing {
            Some(b) => reply.opened_passthrough(fh, FopenFlags::FOPEN_DIRECT_IO, b),
            None => reply.opened(fh, FopenFlags::FOPEN_DIRECT_IO),
        }
    }

    /// Open a debugfs or sysfs entry. Nothing is read yet: the first read takes the
    /// snapshot (a write-only open never needs one).
    fn open_live(&self, entry: &live_files::Entry, reply: ReplyOpen) {
        if entry.kind == live_files::Kind::Dir {
            return reply.error(Errno::EISDIR);
        }
        let fh = self.next_snapshot.fetch_add(1, Ordering::Relaxed);
        // Direct I/O: the size attribute (0, as debugfs says) does not cut reads short.
        reply.opened(FileHandle(fh), FopenFlags::FOPEN_DIRECT_IO);
    }
}

/// Run one ioctl on `file` for thread `tid` and send the reply.
fn answer_ioctl(file: &emu::File, tid: u32, cmd: u32, in_data: &[u8], reply: ReplyIoctl) {
    dispatch::ioctl_with(file, cmd, in_data, &CallerMemory::new(tid), |r| match r {
        Ok(out) => reply.ioctl(0, out),
        Err(e) => reply.ioctl(dispatch::ioctl_error(e), &[]),
    })
}

/// Run one ioctl on a worker thread of the session, where it must not sleep; a call
/// that has to wait for the GPU (an execbuf's ring space or busy bindings, a busy
/// object's SET_DOMAIN or PREAD) is made again from a thread of its own.
fn answer_ioctl_shared(
    file: Arc<emu::File>,
    tid: u32,
    cmd: u32,
    in_data: &[u8],
    reply: ReplyIoctl,
) {
    let caller = CallerMemory::on_shared_thread(tid);
    let mut retry = None;
    dispatch::ioctl_with(&file, cmd, in_data, &caller, |r| match r {
        Ok(out) => reply.ioctl(0, out),
        Err(emu::Errno::EWOULDBLOCK) if emu::ioctl::may_wait_for_gpu(cmd) => retry = Some(reply),
        Err(e) => reply.ioctl(dispatch::ioctl_error(e), &[]),
    });
    if let Some(reply) = retry {
        spawn_answer(file, tid, cmd, in_data.to_vec(), reply);
    }
}

/// Answer an ioctl that may block from a thread of its own (see [`off_workers`]).
fn spawn_answer(file: Arc<emu::File>, tid: u32, cmd: u32, in_data: Vec<u8>, reply: ReplyIoctl) {
    off_workers(&format!("gemu-wait-{tid}"), move || {
        answer_ioctl(&file, tid, cmd, &in_data, reply)
    });
}

/// Runs `answer`, a call that may block (it waits for the GPU, interruptibly), on a thread
/// named `name`, so the session's workers go on serving other clients; replies may be
/// sent from any thread.
fn off_workers(name: &str, answer: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name(name.into()).spawn(answer) {
        // The closure (and the reply inside it) is gone; fuser answers EIO for an
        // unsent reply when it drops, so the caller is not left waiting.
        log::error!("{name}: no thread for a blocking call: {e}");
    }
}

impl fuser::Filesystem for DeviceNodes {
    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> io::Result<()> {
        // Without passthrough a MAP_SHARED mapping of a FUSE file would go through the
        // page cache, not coherent with the model: the nodes are then opened direct-I/O
        // only (the kernel refuses shared mappings) and the shim maps the memfd itself.
        // Registering a backing file takes CAP_SYS_ADMIN in the initial user namespace:
        // a daemon in a user namespace (rootless, or a rootless container) cannot.
        let initial_ns = crate::namespace::in_initial_user_ns();
        let wanted = std::env::var_os(NO_PASSTHROUGH_ENV).is_none() && initial_ns;
        if wanted && config.add_capabilities(InitFlags::FUSE_PASSTHROUGH).is_ok() {
            config
                .set_max_stack_depth(1)
                .map_err(|_| io::Error::other("FUSE refused max_stack_depth 1"))?;
            self.passthrough.store(true, Ordering::Relaxed);
        } else {
            log::info!(
                "serving without FUSE passthrough ({}): objects are mapped through the \
                 aperture socket",
                if wanted {
                    "the kernel has none; Linux >= 6.9 with CONFIG_FUSE_PASSTHROUGH=y has it"
                } else if !initial_ns {
                    "in a user namespace: passthrough needs the host's CAP_SYS_ADMIN"
                } else {
                    "GEMU_NO_PASSTHROUGH is set"
                }
            );
        }
        Ok(())
    }

    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let found = if parent == INodeNo::ROOT {
            NODES
                .iter()
                .find(|(_, n, _)| OsStr::new(n) == name)
                .map(|(ino, ..)| *ino)
                .or_else(|| (name == "debugfs").then_some(INodeNo(live_files::DEBUGFS_ROOT)))
                .or_else(|| (name == "sysfs").then_some(INodeNo(live_files::SYSFS_ROOT)))
                .or_else(|| (name == uapi::GEMU_SW_SYNC_FILE).then_some(SW_SYNC))
                .or_else(|| {
                    Kind::ALL
                        .into_iter()
                        .find(|k| name == k.dir_name())
                        .map(|k| INodeNo(k.dir_ino()))
                })
        } else if let Some(kind) = Kind::of_dir(parent.0) {
            fd_files::lookup(&self.device, kind, name.as_bytes()).map(|id| INodeNo(kind.ino(id)))
        } else {
            self.live
                .lookup(parent.0, name.as_bytes())
                .map(|e| INodeNo(e.ino))
        }
        .and_then(|ino| self.attr(ino));
        match found {
            Some(attr) => reply.entry(&ttl(attr.ino), &attr, Generation(0)),
            None => reply.error(Errno::ENOENT),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match self.attr(ino) {
            Some(attr) => reply.attr(&ttl(ino), &attr),
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
        let entries: Vec<(INodeNo, FileType, &str)> = if ino == INodeNo::ROOT {
            [
                (INodeNo::ROOT, FileType::Directory, "."),
                (INodeNo::ROOT, FileType::Directory, ".."),
                (
                    INodeNo(live_files::DEBUGFS_ROOT),
                    FileType::Directory,
                    "debugfs",
                ),
                (
                    INodeNo(live_files::SYSFS_ROOT),
                    FileType::Directory,
                    "sysfs",
                ),
                (SW_SYNC, FileType::RegularFile, uapi::GEMU_SW_SYNC_FILE),
            ]
            .into_iter()
            .chain(
                Kind::ALL
                    .into_iter()
                    .map(|k| (INodeNo(k.dir_ino()), FileType::Directory, k.dir_name())),
            )
            .chain(
                NODES
                    .iter()
                    .map(|(i, n, _)| (*i, FileType::RegularFile, *n)),
            )
            .collect()
        } else if Kind::of_dir(ino.0).is_some() {
            // Exports are reached by id only; the listing is empty, as for a
            // directory that only serves lookups.
            vec![
                (ino, FileType::Directory, "."),
                (INodeNo::ROOT, FileType::Directory, ".."),
            ]
        } else {
            match self.live.entry(ino.0) {
                Some(dir) if dir.kind == live_files::Kind::Dir => {
                    let parent = if dir.parent == 0 {
                        INodeNo::ROOT
                    } else {
                        INodeNo(dir.parent)
                    };
                    [
                        (ino, FileType::Directory, "."),
                        (parent, FileType::Directory, ".."),
                    ]
                    .into_iter()
                    .chain(self.live.children(ino.0).map(|e| {
                        let kind = if e.kind == live_files::Kind::Dir {
                            FileType::Directory
                        } else {
                            FileType::RegularFile
                        };
                        (INodeNo(e.ino), kind, e.name.as_str())
                    }))
                    .collect()
                }
                Some(_) => return reply.error(Errno::ENOTDIR),
                None => return reply.error(Errno::ENOENT),
            }
        };
        // An entry's offset is the offset of the one after it.
        for (i, (ino, kind, name)) in entries.into_iter().enumerate().skip(offset as usize) {
            if reply.add(ino, i as u64 + 1, kind, name) {
                break;
            }
        }
        reply.ok();
    }

    fn open(&self, req: &Request, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        if let Some(entry) = self.live.entry(ino.0) {
            // kernfs_fop_open: a file without a store method cannot be opened to write.
            let writes = flags.0 & libc::O_ACCMODE != libc::O_RDONLY;
            if writes && entry.kind == (live_files::Kind::File { writable: false }) {
                return reply.error(Errno::EACCES);
            }
            return self.open_live(entry, reply);
        }
        if let Some((kind, id)) = Kind::of_ino(ino.0) {
            return self.open_fd_file(kind, id, reply);
        }
        if ino == SW_SYNC {
            let fh = sw_sync_node::open(&self.device, req.pid());
            return reply.opened(FileHandle(fh), FopenFlags::FOPEN_DIRECT_IO);
        }
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
        let fh = FileHandle(self.files.open(node, req.pid(), req.uid()));
        match backing {
            Some(b) => reply.opened_passthrough(fh, FopenFlags::FOPEN_DIRECT_IO, b),
            // Direct I/O without passthrough: the kernel refuses MAP_SHARED (ENODEV)
            // rather than build a page-cache mapping that is not coherent.
            None => reply.opened(fh, FopenFlags::FOPEN_DIRECT_IO),
        }
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        _mode: Option<u32>,
        _uid: Option<u32>,
        _gid: Option<u32>,
        _size: Option<u64>,
        _atime: Option<TimeOrNow>,
        _mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        // `open(O_TRUNC)` of a debugfs file (shell redirection) truncates first; as on
        // debugfs, that changes nothing. The attributes stay what they are.
        match self.attr(ino) {
            Some(attr) => reply.attr(&TTL, &attr),
            None => reply.error(Errno::ENOENT),
        }
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
        if fh.0 & DEBUGFS_FH != 0 {
            self.snapshots.lock().unwrap().remove(&fh.0);
        } else if let Some(id) = sw_sync_node::of_fh(fh.0) {
            sw_sync_node::release(&self.device, id);
        } else if let Some((kind, id)) = Kind::of_fh(fh.0) {
            kind.release(&self.device, id);
        } else {
            self.files.release(fh.0);
        }
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
        if let Some(id) = sw_sync_node::of_fh(fh.0) {
            return match sw_sync_node::ioctl(&self.device, id, cmd, in_data) {
                Ok(out) => reply.ioctl(0, &out),
                Err(e) => reply.ioctl(dispatch::ioctl_error(e), &[]),
            };
        }
        if let Some((Kind::DmaBuf, id)) = Kind::of_fh(fh.0) {
            let (device, tid, data) = (self.device.clone(), req.pid(), in_data.to_vec());
            let answer = move || match device.dma_buf_ioctl(id, cmd, &data, &CallerMemory::new(tid))
            {
                Ok(out) => reply.ioctl(0, &out),
                Err(e) => reply.ioctl(dispatch::ioctl_error(e), &[]),
            };
            if !emu::prime::dma_buf_ioctl_may_block(cmd) {
                return answer();
            }
            // SYNC_START may wait for the GPU.
            return off_workers(&format!("gemu-dmabuf-{tid}"), answer);
        }
        if let Some((kind, id)) = Kind::of_fh(fh.0) {
            // A syncobj fd has no ioctls of its own.
            let r = match kind {
                Kind::SyncFile => sync_file_node::ioctl(
                    &self.device,
                    id,
                    cmd,
                    in_data,
                    &CallerMemory::new(req.pid()),
                ),
                _ => Err(emu::Errno::ENOTTY),
            };
            return match r {
                Ok(out) => reply.ioctl(0, &out),
                Err(e) => reply.ioctl(dispatch::ioctl_error(e), &[]),
            };
        }
        // Only the nodes' opens are files; the root directory has no ioctls.
        let Some(file) = self.files.get(fh.0) else {
            return reply.error(Errno::ENOTTY);
        };
        let tid = req.pid();
        if !emu::ioctl_may_block(cmd) {
            return answer_ioctl_shared(file, tid, cmd, in_data, reply);
        }
        // A wait may last seconds.
        spawn_answer(file, tid, cmd, in_data.to_vec(), reply);
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        size: u32,
        flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        if fh.0 & DEBUGFS_FH != 0 {
            let mut snapshots = self.snapshots.lock().unwrap();
            if offset == 0 || !snapshots.contains_key(&fh.0) {
                // A read from the start sees the value of now (seq_file after lseek 0).
                match self.live.read(ino.0) {
                    Ok(fresh) => {
                        snapshots.insert(fh.0, fresh);
                    }
                    Err(e) => return reply.error(Errno::from_i32(e as i32)),
                }
            }
            let data = snapshots.get(&fh.0).map(Vec::as_slice).unwrap_or_default();
            let start = (offset as usize).min(data.len());
            let end = start.saturating_add(size as usize).min(data.len());
            return reply.data(&data[start..end]);
        }
        if offset >= emu::aperture::FIRST_OFFSET && NODES.iter().any(|(i, ..)| *i == ino) {
            // The page cache filling a private mapping of an object (no passthrough):
            // a copy would not be coherent, so the mapping faults (SIGBUS) instead.
            return reply.error(Errno::EIO);
        }
        if sw_sync_node::of_fh(fh.0).is_some() {
            // sw_sync's file has no read method.
            return reply.error(Errno::EINVAL);
        }
        match dispatch::read(flags.0 & libc::O_NONBLOCK != 0) {
            Ok(data) => reply.data(&data),
            Err(e) => reply.error(Errno::from_i32(e as i32)),
        }
    }

    fn write(
        &self,
        req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        _offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        if fh.0 & DEBUGFS_FH != 0 {
            // A write may wait for the engines (drop_caches' DROP_IDLE): off the
            // session's workers, so other clients are served meanwhile; the writer's
            // signals end the wait.
            let (live, data, tid) = (self.live.clone(), data.to_vec(), req.pid());
            return off_workers(&format!("gemu-write-{tid}"), move || {
                match live.write(ino.0, &data, &CallerMemory::new(tid)) {
                    Ok(n) => reply.written(n as u32),
                    Err(e) => reply.error(Errno::from_i32(e as i32)),
                }
            });
        }
        // A DRM node has no write method.
        reply.error(Errno::EINVAL)
    }

    fn poll(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        ph: PollNotifier,
        events: PollEvents,
        flags: PollFlags,
        reply: ReplyPoll,
    ) {
        if sw_sync_node::of_fh(fh.0).is_some() {
            // No poll method: the kernel's default mask.
            return reply.poll(PollEvents::from_bits_truncate(sw_sync_node::POLL_MASK));
        }
        if let Some((Kind::DmaBuf, id)) = Kind::of_fh(fh.0) {
            let Some((ready, pending)) = self.device.dma_buf_poll(id, events.bits()) else {
                return reply.poll(PollEvents::POLLERR);
            };
            if !pending.is_empty() && flags.contains(PollFlags::FUSE_POLL_SCHEDULE_NOTIFY) {
                notify_when_any_signals(&pending, ph);
            }
            return reply.poll(PollEvents::from_bits_truncate(ready));
        }
        if let Some((Kind::SyncFile, id)) = Kind::of_fh(fh.0) {
            let (events, signalled) = sync_file_node::poll(&self.device, id);
            if !signalled && flags.contains(PollFlags::FUSE_POLL_SCHEDULE_NOTIFY) {
                // The kernel's poll sleeps until told: tell it when the fences signal.
                if let Some(file) = self.device.sync_file(id) {
                    file.on_signaled(Box::new(move || {
                        if let Err(e) = ph.notify() {
                            log::debug!("sync_file poll notify: {e}");
                        }
                    }));
                }
            }
            return reply.poll(PollEvents::from_bits_truncate(events));
        }
        reply.poll(PollEvents::from_bits_truncate(dispatch::poll()))
    }
}

/// Tell the kernel to poll again once any of `fences` has signalled (now, if one has).
fn notify_when_any_signals(fences: &[Arc<emu::sync::DmaFence>], ph: PollNotifier) {
    let slot = Arc::new(Mutex::new(Some(ph)));
    let notify = move |slot: &Mutex<Option<PollNotifier>>| {
        if let Some(ph) = slot.lock().unwrap().take() {
            if let Err(e) = ph.notify() {
                log::debug!("poll notify: {e}");
            }
        }
    };
    for f in fences {
        let s = slot.clone();
        if f.add_callback(Box::new(move |_| notify(&s))).is_err() {
            notify(&slot);
            return;
        }
    }
}
