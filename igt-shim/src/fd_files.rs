//! The daemon's files that stand for dma-bufs, syncobj fds and sync_files: which one
//! an fd is (by the inode range of gemu's mount, `uapi::gemu`), and opening one by id.

use std::ffi::{c_int, CString};
use std::sync::OnceLock;

use uapi::GEMU_FD_DIR_ENV;

use crate::nodes::{self, fail, raw_fstat};

/// What an fd file stands for (the table the daemon shares).
pub use uapi::gemu::FdKind as Kind;

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
    Ok(Kind::of_ino(st.st_ino).map(|(kind, id)| FdFile {
        kind,
        id,
        size: st.st_size as u64,
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
    let Ok(path) = CString::new(format!("{dir}/{}/{id}", kind.dir_name())) else {
        return fail(libc::EINVAL);
    };
    // The export already happened (a request is queued, say): a signal that interrupts
    // the open must not turn the call into a failure, so the open is made again.
    loop {
        // SAFETY: `path` is a valid C string for the call.
        let fd = unsafe {
            libc::syscall(libc::SYS_openat, libc::AT_FDCWD, path.as_ptr(), flags, 0) as c_int
        };
        if fd >= 0 || nodes::errno() != libc::EINTR {
            return fd;
        }
    }
}
