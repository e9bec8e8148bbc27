//! The aperture memfd in the program: where the kernel will not map a node (FUSE
//! without passthrough, before Linux 6.9; a CUSE node, always), the shim maps the
//! daemon's aperture memfd itself, at the same offsets. It gets the memfd from the
//! daemon's aperture socket (`uapi::gemu`'s protocol), sending the file being mapped as
//! proof that it may. `gemu run` names the socket in the environment; a CUSE daemon
//! listens at `/run/gemu/char-<major>:<minor>` for its node `major:minor`.
//!
//! The memfd is asked for once per process (and socket) and kept on a high descriptor,
//! close-on-exec.
//! A program may close every descriptor it does not know (daemons do); before each use
//! the shim checks that the number still holds the memfd, and asks again if not.

use std::ffi::{c_int, c_void, CString};
use std::sync::{Mutex, OnceLock};

use uapi::gemu::{gemu_aperture_reply, GEMU_APERTURE_REQUEST, GEMU_APERTURE_SOCKET_ENV};

use crate::nodes::{errno, raw_fstat};

/// Where the memfd is kept: at this number or the first free one above it, out of the
/// way of programs that expect the lowest free numbers from their own opens.
const HIGH_FD: c_int = 1000;

/// The memfd this process holds, and its identity.
struct Held {
    fd: c_int,
    dev: u64,
    ino: u64,
}

/// The memfds this process holds, by the socket they came from.
static HELD: Mutex<Vec<(CString, Held)>> = Mutex::new(Vec::new());

/// The socket `gemu run` named, read once: `None` when objects are mapped through the
/// nodes themselves.
fn socket_path() -> Option<&'static CString> {
    static PATH: OnceLock<Option<CString>> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::var_os(GEMU_APERTURE_SOCKET_ENV)
            .filter(|p| !p.is_empty())
            .and_then(|p| CString::new(p.into_encoded_bytes()).ok())
    })
    .as_ref()
}

/// Whether mappings of the device's files go through the memfd in this process.
pub(crate) fn in_use() -> bool {
    socket_path().is_some()
}

/// The aperture memfd, asked for with `proof` (an open file of the device) when this
/// process does not hold it yet. `Err(errno)` when the daemon refuses or cannot be
/// reached.
pub(crate) fn memfd(path: &CString, proof: c_int) -> Result<c_int, c_int> {
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(i) = held.iter().position(|(p, _)| p == path) {
        let h = &held[i].1;
        if raw_fstat(h.fd).is_ok_and(|st| st.st_dev == h.dev && st.st_ino == h.ino) {
            return Ok(h.fd);
        }
        // The number was closed (and maybe reused): it is not ours to close.
        held.swap_remove(i);
    }
    let fd = ask(path, proof)?;
    let fd = move_high(fd);
    let st = raw_fstat(fd).inspect_err(|_| close(fd))?;
    held.push((
        path.clone(),
        Held {
            fd,
            dev: st.st_dev,
            ino: st.st_ino,
        },
    ));
    Ok(fd)
}

/// The aperture socket of CUSE node `fd`, if a gemu daemon serves that device number.
pub(crate) fn cuse_socket(fd: c_int) -> Option<CString> {
    let st = raw_fstat(fd).ok()?;
    if st.st_mode & libc::S_IFMT != libc::S_IFCHR {
        return None;
    }
    let (major, minor) = (libc::major(st.st_rdev), libc::minor(st.st_rdev));
    let path = format!(
        "{}/char-{major}:{minor}",
        uapi::gemu::GEMU_APERTURE_SOCKET_DIR
    );
    let st = std::fs::symlink_metadata(&path).ok()?;
    use std::os::unix::fs::FileTypeExt;
    st.file_type()
        .is_socket()
        .then(|| CString::new(path).ok())?
}

/// Map `len` bytes of `gemu run`'s memfd at `offset` with the caller's address,
/// protection and flags.
///
/// # Safety
/// As `mmap(2)` with these arguments.
pub(crate) unsafe fn map(
    proof: c_int,
    addr: *mut c_void,
    len: usize,
    prot: c_int,
    flags: c_int,
    offset: i64,
) -> *mut c_void {
    let Some(path) = socket_path() else {
        crate::nodes::fail(libc::ENODEV);
        return libc::MAP_FAILED;
    };
    // SAFETY: forwarded.
    unsafe { map_from(path, proof, addr, len, prot, flags, offset) }
}

/// [`map`] with the memfd of the socket at `path`.
///
/// # Safety
/// As `mmap(2)` with these arguments.
pub(crate) unsafe fn map_from(
    path: &CString,
    proof: c_int,
    addr: *mut c_void,
    len: usize,
    prot: c_int,
    flags: c_int,
    offset: i64,
) -> *mut c_void {
    match memfd(path, proof) {
        Ok(fd) => {
            // SAFETY: the caller's arguments, with the memfd for the device's file.
            let r = unsafe { libc::syscall(libc::SYS_mmap, addr, len, prot, flags, fd, offset) };
            r as *mut c_void
        }
        Err(e) => {
            crate::nodes::fail(e);
            libc::MAP_FAILED
        }
    }
}

fn close(fd: c_int) {
    // SAFETY: a descriptor this module opened.
    unsafe { libc::syscall(libc::SYS_close, fd) };
}

/// `fd` moved to [`HIGH_FD`] or above (close-on-exec), or left where it is when the
/// limit on open files does not reach that high.
fn move_high(fd: c_int) -> c_int {
    // SAFETY: plain values.
    let high = unsafe { libc::syscall(libc::SYS_fcntl, fd, libc::F_DUPFD_CLOEXEC, HIGH_FD) };
    if high < 0 {
        return fd;
    }
    close(fd);
    high as c_int
}

/// One request on the aperture socket at `path`: the received memfd.
fn ask(path: &CString, proof: c_int) -> Result<c_int, c_int> {
    // SAFETY: plain values.
    let sock = unsafe {
        libc::syscall(
            libc::SYS_socket,
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_CLOEXEC,
            0,
        )
    } as c_int;
    if sock < 0 {
        return Err(errno());
    }
    let r = request(sock, path, proof);
    close(sock);
    r
}

fn request(sock: c_int, path: &CString, proof: c_int) -> Result<c_int, c_int> {
    // SAFETY: all-zero is a valid sockaddr_un.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let bytes = path.as_bytes();
    if bytes.len() >= addr.sun_path.len() {
        return Err(libc::ENAMETOOLONG);
    }
    for (d, s) in addr.sun_path.iter_mut().zip(bytes) {
        *d = *s as libc::c_char;
    }
    // SAFETY: a valid address of the size given.
    let r = unsafe {
        libc::syscall(
            libc::SYS_connect,
            sock,
            &addr as *const libc::sockaddr_un,
            std::mem::size_of::<libc::sockaddr_un>(),
        )
    };
    if r < 0 {
        return Err(errno());
    }

    // Control data for one descriptor, aligned as cmsghdr wants.
    #[repr(C)]
    struct Cmsg {
        hdr: libc::cmsghdr,
        fd: c_int,
        pad: c_int,
    }
    let mut byte = GEMU_APERTURE_REQUEST;
    let mut iov = libc::iovec {
        iov_base: (&raw mut byte).cast(),
        iov_len: 1,
    };
    // SAFETY: all-zero is a valid cmsghdr and msghdr.
    let mut cmsg: Cmsg = unsafe { std::mem::zeroed() };
    // SAFETY: CMSG_LEN is a pure computation.
    cmsg.hdr.cmsg_len = unsafe { libc::CMSG_LEN(std::mem::size_of::<c_int>() as u32) } as _;
    cmsg.hdr.cmsg_level = libc::SOL_SOCKET;
    cmsg.hdr.cmsg_type = libc::SCM_RIGHTS;
    cmsg.fd = proof;
    // SAFETY: as above.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = (&raw mut cmsg).cast();
    msg.msg_controllen = std::mem::size_of::<Cmsg>() as _;
    // SAFETY: msg points at live buffers of the sizes it gives.
    if unsafe { libc::syscall(libc::SYS_sendmsg, sock, &msg, libc::MSG_NOSIGNAL) } < 0 {
        return Err(errno());
    }

    let mut reply = gemu_aperture_reply::default();
    let mut iov = libc::iovec {
        iov_base: (&raw mut reply).cast(),
        iov_len: std::mem::size_of::<gemu_aperture_reply>(),
    };
    // SAFETY: as above.
    let mut cmsg: Cmsg = unsafe { std::mem::zeroed() };
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = (&raw mut cmsg).cast();
    msg.msg_controllen = std::mem::size_of::<Cmsg>() as _;
    // SAFETY: msg points at live buffers of the sizes it gives.
    let n = unsafe { libc::syscall(libc::SYS_recvmsg, sock, &mut msg, libc::MSG_CMSG_CLOEXEC) };
    if n < 0 {
        return Err(errno());
    }
    let got_fd = msg.msg_controllen as usize >= std::mem::size_of::<libc::cmsghdr>()
        && cmsg.hdr.cmsg_level == libc::SOL_SOCKET
        && cmsg.hdr.cmsg_type == libc::SCM_RIGHTS;
    if n as usize != std::mem::size_of::<gemu_aperture_reply>() || reply.error != 0 || !got_fd {
        if got_fd {
            close(cmsg.fd);
        }
        return Err(match reply.error {
            0 => libc::EIO,
            e => e as c_int,
        });
    }
    Ok(cmsg.fd)
}
