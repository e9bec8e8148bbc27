//! The private mount namespace of `gemu run`: gemu's nodes appear at
//! `/dev/dri/card0` and `/dev/dri/renderD128` there, and nowhere else.
//!
//! Two steps around the daemon's start:
//! 1. [`DriView::prepare`] makes a staging tmpfs with an empty directory for the FUSE
//!    mount ([`DriView::fuse_dir`]) and covers it with the view the program sees, so the
//!    staging area is hidden;
//! 2. [`DriView::publish`] bind-mounts the two FUSE files into the view.
//!
//! If the host has a `/dev/dri`, a tmpfs replaces it. If not, gemu must not create it in
//! the host's `/dev`: an overlay goes over `/dev` instead, with the original `/dev` as
//! its lower layer (so every device node stays) and the submounts (`/dev/pts`,
//! `/dev/shm`, `/dev/mqueue`…) bound back in, and `dri/` is created in its upper layer.
//!
//! The staging tmpfs is reached through an `O_PATH` descriptor (`/proc/self/fd/N/…`)
//! once it is covered; paths through it keep working for the daemon's own unmount.

use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{unshare, CloneFlags};

use crate::{fuse_mount, mountinfo, Fallible};

const DEV: &str = "/dev";
const DRI: &str = "/dev/dri";
/// The nodes, by their name in the FUSE mount and in `/dev/dri` (card1 is vgem's).
const NODES: [&str; 3] = ["card0", "renderD128", "card1"];
/// Where the daemon's folder is bound for the shim to open the files that stand for
/// dma-bufs, syncobj fds and sync_files (`dmabuf/`, `syncobj/`, `sync_file/`).
pub const FD_DIR: &str = "/dev/dri/.gemu";
/// The aperture socket (`aperture_socket`), made when the kernel cannot pass mmap through.
pub const APERTURE_SOCKET: &str = "/dev/dri/.gemu-aperture";

/// Without CAP_SYS_ADMIN (an ordinary user), enter a new user namespace in which this
/// process is root and holds every capability, so that the mounts and namespaces
/// `gemu run` makes are its own to make. With CAP_SYS_ADMIN, nothing changes.
/// Must run before the process has threads (a multi-threaded process cannot
/// unshare(CLONE_NEWUSER)).
pub fn enter_user_namespace_unless_privileged() -> Fallible<()> {
    let me = nix::unistd::gettid().as_raw() as u32;
    if crate::client_memory::has_cap_sys_admin(me) {
        return Ok(());
    }
    let (uid, gid) = (nix::unistd::geteuid(), nix::unistd::getegid());
    // Root of the namespace, as `unshare -r` and rootless containers do: the IPC
    // namespace's sysctls (msgmnb) answer only to its uid 0, and the program then runs
    // as root would (IGT asks for uid 0), holding no more than the user's own rights on
    // the host.
    unshare(CloneFlags::CLONE_NEWUSER).map_err(user_namespace_refused)?;
    // An unprivileged writer may map only its own ids, and the group map only once
    // setgroups(2) is denied in the namespace.
    let write = |file: &str, text: String| {
        fs::write(format!("/proc/self/{file}"), &text)
            .map_err(|e| format!("writing /proc/self/{file} ({}): {e}", text.trim()))
    };
    write("setgroups", "deny".to_string())?;
    write("uid_map", format!("0 {uid} 1\n"))?;
    write("gid_map", format!("0 {gid} 1\n"))?;
    log::info!(
        "no CAP_SYS_ADMIN: gemu and the program run as root of a user namespace of their \
         own (uid 0 there is {uid} on the host, gid 0 is {gid})"
    );
    Ok(())
}

/// Whether this process is in the initial user namespace, where capabilities are the
/// host's: its uid map is the identity over every id.
pub fn in_initial_user_ns() -> bool {
    fs::read_to_string("/proc/self/uid_map")
        .is_ok_and(|m| m.split_whitespace().collect::<Vec<_>>() == ["0", "0", "4294967295"])
}

/// What to tell a user whose kernel refused an unprivileged user namespace: the errno,
/// and the setting that says no where one does.
fn user_namespace_refused(e: Errno) -> String {
    let read = |path: &str| fs::read_to_string(path).ok().map(|s| s.trim().to_string());
    let mut why = Vec::new();
    if read("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        why.push("kernel.unprivileged_userns_clone is 0".to_string());
    }
    if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
        why.push("kernel.apparmor_restrict_unprivileged_userns is 1 (AppArmor)".to_string());
    }
    if let Some(max) = read("/proc/sys/user/max_user_namespaces").filter(|m| m == "0") {
        why.push(format!("user.max_user_namespaces is {max}"));
    }
    if why.is_empty() && e == Errno::EPERM {
        why.push("no sysctl forbids it: a seccomp filter (a container's) or an LSM does".into());
    }
    format!(
        "gemu run without CAP_SYS_ADMIN needs an unprivileged user namespace, and the \
         kernel refused one: unshare(CLONE_NEWUSER): {e}{}; run gemu as root, or allow \
         unprivileged user namespaces",
        if why.is_empty() {
            String::new()
        } else {
            format!(" ({})", why.join("; "))
        }
    )
}

/// Give this process its own mount namespace whose mounts never propagate back to the
/// host's. Must run before the process has threads (unshare(CLONE_NEWNS) implies
/// CLONE_FS, which a multi-threaded process cannot unshare), and after
/// [`enter_user_namespace_unless_privileged`].
pub fn enter_private() -> Fallible<()> {
    unshare(CloneFlags::CLONE_NEWNS).map_err(|e| match e {
        Errno::EPERM => "gemu run needs CAP_SYS_ADMIN (root) or an unprivileged user \
                         namespace to make a private mount namespace"
            .to_string(),
        e => format!("unshare(CLONE_NEWNS): {e}"),
    })?;
    // The new namespace starts with the host's propagation: a shared / would carry every
    // mount below back to the host.
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .map_err(|e| format!("making / private: {e}"))
}

/// `msgmnb` of a private IPC namespace made for IGT: room for its allocator's queue.
pub const IGT_MSGMNB: u64 = 1 << 20;

/// For a program that cannot raise a message queue's limit itself (no CAP_SYS_RESOURCE,
/// as in Docker's default set): a private IPC namespace with room for IGT's queue, as
/// `--private-ipc` gives. Best effort: where it cannot be made, the program runs in the
/// host's (IGT's allocator then fails as it would without gemu).
pub fn private_ipc_unless_privileged() {
    let me = nix::unistd::gettid().as_raw() as u32;
    // In a user namespace of gemu's own, the capability is not the host IPC
    // namespace's.
    if crate::client_memory::has_cap_sys_resource(me) && in_initial_user_ns() {
        return;
    }
    match enter_private_ipc(IGT_MSGMNB) {
        Ok(()) => log::info!(
            "no CAP_SYS_RESOURCE: the program gets a private IPC namespace (msgmnb \
             {IGT_MSGMNB}); --host-ipc keeps the host's"
        ),
        Err(e) => log::warn!("no CAP_SYS_RESOURCE, and no private IPC namespace: {e}"),
    }
}

/// A private SysV IPC namespace whose message queues may grow to `msgmnb` bytes.
/// In a new IPC namespace the limits are the namespace's own, so raising them here
/// touches nothing of the host's.
pub fn enter_private_ipc(msgmnb: u64) -> Fallible<()> {
    unshare(CloneFlags::CLONE_NEWIPC).map_err(|e| format!("unshare(CLONE_NEWIPC): {e}"))?;
    let write = || std::fs::write(MSGMNB, msgmnb.to_string());
    match write() {
        // Containers (Docker, Podman) mount /proc/sys read-only. This process is in a
        // private mount namespace: a writable view of it there changes only the
        // namespace's own sysctls, the new IPC namespace's among them.
        Err(e) if e.raw_os_error() == Some(libc::EROFS) => {
            mount(
                None::<&str>,
                "/proc/sys",
                None::<&str>,
                MsFlags::MS_REMOUNT | MsFlags::MS_BIND,
                None::<&str>,
            )
            .map_err(|e| {
                let why = if in_initial_user_ns() {
                    ""
                } else {
                    " (a user namespace cannot make its parent's read-only mount \
                     writable: give gemu CAP_SYS_ADMIN, e.g. --cap-add SYS_ADMIN)"
                };
                format!("{MSGMNB} is read-only, and remounting /proc/sys: {e}{why}")
            })?;
            let written = write();
            // Read-only again: the program gets the container's /proc/sys as it was.
            if let Err(e) = mount(
                None::<&str>,
                "/proc/sys",
                None::<&str>,
                MsFlags::MS_REMOUNT | MsFlags::MS_BIND | MsFlags::MS_RDONLY,
                None::<&str>,
            ) {
                log::warn!("making /proc/sys read-only again: {e}");
            }
            written
        }
        r => r,
    }
    .map_err(|e| format!("raising msgmnb in the private IPC namespace: {e}"))
}

const MSGMNB: &str = "/proc/sys/kernel/msgmnb";

/// How the program's `/dev/dri` is made.
enum Layout {
    /// The host has /dev/dri: a tmpfs replaces it.
    TmpfsOnDri,
    /// The host has none: an overlay over /dev, with `old_dev` (the host's /dev, held
    /// open) as the lower layer and `submounts` (mount points below /dev) bound back.
    OverlayOnDev {
        old_dev: File,
        submounts: Vec<PathBuf>,
    },
    /// The host has none and gemu is in a user namespace of its own, where an overlay's
    /// device nodes would not open (its mounts are nodev): a tmpfs on /dev with each
    /// entry of `old_dev` (held open) bind-mounted back into it.
    GraftOnDev { old_dev: File },
}

/// The program's `/dev/dri`, while it is being built and while it is in use.
pub struct DriView {
    layout: Layout,
    /// Root of the staging tmpfs (covered once published).
    staging: File,
    /// Bind mounts of the nodes, for teardown.
    published: Vec<PathBuf>,
}

impl DriView {
    /// Mount the staging tmpfs (over /dev/dri or /dev) with an empty `nodes/` directory,
    /// and cover it with the program's view, still without the nodes.
    pub fn prepare() -> Fallible<DriView> {
        let (layout, target) = match fs::metadata(DRI) {
            Ok(m) if m.is_dir() => (Layout::TmpfsOnDri, DRI),
            Ok(_) => return Err(format!("{DRI} exists and is not a directory")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let old_dev = open_path(Path::new(DEV))?;
                if in_initial_user_ns() {
                    let submounts = submounts_of(Path::new(DEV))?;
                    (Layout::OverlayOnDev { old_dev, submounts }, DEV)
                } else {
                    (Layout::GraftOnDev { old_dev }, DEV)
                }
            }
            Err(e) => return Err(format!("{DRI}: {e}")),
        };
        mount_tmpfs(Path::new(target), MsFlags::empty())?;
        let mut dirs = vec!["nodes"];
        if matches!(layout, Layout::OverlayOnDev { .. }) {
            dirs.extend(["upper", "work"]);
        }
        for d in dirs {
            make_dir(&Path::new(target).join(d))?;
        }
        let view = DriView {
            layout,
            staging: open_path(Path::new(target))?,
            published: Vec::new(),
        };
        view.cover()?;
        Ok(view)
    }

    /// Where the daemon mounts the FUSE file system.
    pub fn fuse_dir(&self) -> PathBuf {
        fd_path(&self.staging).join("nodes")
    }

    /// Cover the staging tmpfs with the program's view of /dev/dri (empty).
    fn cover(&self) -> Fallible<()> {
        match &self.layout {
            Layout::TmpfsOnDri => mount_tmpfs(Path::new(DRI), MsFlags::empty()),
            Layout::GraftOnDev { old_dev } => {
                mount_tmpfs(Path::new(DEV), MsFlags::empty())?;
                crate::sys_view::graft(&fd_path(old_dev), Path::new(DEV), &[])?;
                make_dir(Path::new(DRI))
            }
            Layout::OverlayOnDev { old_dev, submounts } => {
                let staging = fd_path(&self.staging);
                let options = format!(
                    "lowerdir={},upperdir={},workdir={}",
                    fd_path(old_dev).display(),
                    staging.join("upper").display(),
                    staging.join("work").display(),
                );
                mount(
                    Some(fuse_mount::SOURCE),
                    DEV,
                    Some("overlay"),
                    MsFlags::empty(),
                    Some(options.as_str()),
                )
                .map_err(|e| format!("mounting an overlay on {DEV} ({options}): {e}"))?;
                // The overlay shows the host /dev's own files only; put each submount
                // tree back where it was. The source path goes through the old /dev
                // (not through the overlay, which now answers for /dev).
                for point in submounts {
                    let rel = point.strip_prefix(DEV).expect("below /dev");
                    let source = fd_path(old_dev).join(rel);
                    mount(
                        Some(&source),
                        point,
                        None::<&str>,
                        MsFlags::MS_BIND | MsFlags::MS_REC,
                        None::<&str>,
                    )
                    .map_err(|e| format!("binding {} back: {e}", point.display()))?;
                }
                make_dir(Path::new(DRI))
            }
        }
    }

    /// Bind the daemon's nodes into the view.
    pub fn publish(&mut self) -> Fallible<()> {
        let fuse_dir = self.fuse_dir();
        for node in NODES {
            let target = Path::new(DRI).join(node);
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o666)
                .open(&target)
                .map_err(|e| format!("creating {}: {e}", target.display()))?;
            mount(
                Some(&fuse_dir.join(node)),
                &target,
                None::<&str>,
                MsFlags::MS_BIND,
                None::<&str>,
            )
            .map_err(|e| format!("binding the node onto {}: {e}", target.display()))?;
            self.published.push(target);
        }
        let target = Path::new(FD_DIR);
        make_dir(target)?;
        mount(
            Some(&fuse_dir),
            target,
            None::<&str>,
            MsFlags::MS_BIND,
            None::<&str>,
        )
        .map_err(|e| format!("binding the device's folder onto {FD_DIR}: {e}"))?;
        self.published.push(target.to_path_buf());
        Ok(())
    }

    /// Unmount the nodes from the view. The tmpfs and overlay scaffolding stay: they are
    /// private to the namespace, which goes away with its last process, and a leftover
    /// background process of the program keeps a working /dev meanwhile.
    pub fn unpublish(&mut self) {
        for target in self.published.drain(..) {
            if let Err(e) = umount2(&target, MntFlags::MNT_DETACH) {
                log::warn!("unmounting {}: {e}", target.display());
            }
        }
    }
}

/// `/proc/self/fd/N`: a path that reaches what `file` refers to even when it is covered
/// by another mount.
pub(crate) fn fd_path(file: &File) -> PathBuf {
    use std::os::fd::AsRawFd;
    PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()))
}

/// An `O_PATH` handle on directory `path`.
pub(crate) fn open_path(path: &Path) -> Fallible<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_DIRECTORY)
        .open(path)
        .map_err(|e| format!("opening {}: {e}", path.display()))
}

/// `mkdir` with mode 0755.
pub(crate) fn make_dir(path: &Path) -> Fallible<()> {
    fs::DirBuilder::new()
        .mode(0o755)
        .create(path)
        .map_err(|e| format!("creating {}: {e}", path.display()))
}

/// A 0755 tmpfs on `target`, nosuid plus `flags`.
pub(crate) fn mount_tmpfs(target: &Path, flags: MsFlags) -> Fallible<()> {
    mount(
        Some(fuse_mount::SOURCE),
        target,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | flags,
        Some("mode=755"),
    )
    .map_err(|e| format!("mounting a tmpfs on {}: {e}", target.display()))
}

/// The outermost mount points strictly below `dir` (a deeper one comes back with its
/// ancestor's recursive bind).
fn submounts_of(dir: &Path) -> Fallible<Vec<PathBuf>> {
    let mounts = mountinfo::read().map_err(|e| format!("reading mountinfo: {e}"))?;
    let mut points: Vec<PathBuf> = mounts
        .into_iter()
        .map(|m| m.mount_point)
        .filter(|p| p.starts_with(dir) && p != dir)
        .collect();
    points.sort();
    points.dedup();
    let mut outermost: Vec<PathBuf> = Vec::new();
    for p in points {
        if !outermost.iter().any(|o| p.starts_with(o)) {
            outermost.push(p);
        }
    }
    Ok(outermost)
}
