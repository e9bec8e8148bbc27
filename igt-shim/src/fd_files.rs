//! The daemon's files that stand for dma-bufs, syncobj fds and sync_files: which one
//! an fd is (by the inode range of gemu's mount, `uapi::gemu`), and opening one by id.

use std::ffi::{c_int, CString};
use std::sync::OnceLock;

use uapi::{
    GEMU_DMABUF_INO_BASE, GEMU_FD_DIR_ENV, GEMU_FD_ID_LIMIT, GEMU_SYNCOBJ_INO_BASE,
    GEMU_SYNC_FILE_INO_BASE,
};

use crate::nodes::{self, fail, raw_fstat};

/// What an fd file stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    DmaBuf,
    Syncobj,
    SyncFile,
}

impl Kind {
    fn folder(self) -> &'static str {
        match self {
            Kind::DmaBuf => "dmabuf",
            Kind::Syncobj => "syncobj",
            Kind::SyncFile => "sync_file",
        }
    }
}

/// One of the daemon's fd files, as `fstat` describes it.
#[derive(Clone, Copy, Debug)]
pub struct FdFile {
    pub kind: Kind,
    pub id: u64,
    /// The file's size: a dma-buf's object size.
    pub size: u64,
}

/// Which fd file `fd` is, if any; `Err(errno)` when `fd` is no open file.
pub fn of_fd(fd: c_int) -> Result<Option<FdFile>, i32> {
    if nodes::table().is_empty() {
        return Ok(None);
    }
    let st = raw_fstat(fd)?;
    if !nodes::is_gemu_dev(st.st_dev) {
        return Ok(None);
    }
    let kinds = [
        (Kind::DmaBuf, GEMU_DMABUF_INO_BASE),
        (Kind::Syncobj, GEMU_SYNCOBJ_INO_BASE),
        (Kind::SyncFile, GEMU_SYNC_FILE_INO_BASE),
    ];
    Ok(kinds.into_iter().find_map(|(kind, base)| {
        let id = st.st_ino.checked_sub(base)?;
        (id < GEMU_FD_ID_LIMIT).then_some(FdFile {
            kind,
            id,
            size: st.st_size as u64,
        })
    }))
}

/// The id of `fd` if it is a `kind` file: `Err(errno)` for no open file, `Ok(None)` for
/// a file of another kind (or not gemu's).
pub fn id_of(fd: c_int, kind: Kind) -> Result<Option<u64>, i32> {
    Ok(of_fd(fd)?.filter(|f| f.kind == kind).map(|f| f.id))
}

/// Open export `id` of `kind` as a new fd with `flags`; -1 and errno on failure.
pub fn open(kind: Kind, id: u64, flags: c_int) -> c_int {
    static DIR: OnceLock<Option<String>> = OnceLock::new();
    let Some(dir) = DIR.get_or_init(|| std::env::var(GEMU_FD_DIR_ENV).ok()) else {
        return fail(libc::ENODEV);
    };
    let Ok(path) = CString::new(format!("{dir}/{}/{id}", kind.folder())) else {
        return fail(libc::EINVAL);
    };
    // SAFETY: `path` is a valid C string for the call.
    unsafe { libc::syscall(libc::SYS_openat, libc::AT_FDCWD, path.as_ptr(), flags, 0) as c_int }
}
