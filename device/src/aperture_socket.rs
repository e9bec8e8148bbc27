//! The aperture socket: how a client maps objects where the kernel will not map the
//! node for it — a FUSE node without passthrough (Linux < 6.9), a CUSE node (always
//! `ENODEV`).
//!
//! The shim connects, sends an open file of the device as `SCM_RIGHTS` (the proof that
//! it may map objects: whoever may open the node may map the aperture) and gets the
//! aperture memfd back (`uapi::gemu`'s protocol). It then maps the memfd at the offset
//! the program passed, which is coherent with the model as a passthrough mapping is.
//! Anything else on the socket — garbage, no file, a file of something else — is
//! answered with an errno and the connection closed; the daemon goes on.

use std::fs::File;
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use nix::sys::socket::{recvmsg, sendmsg, ControlMessage, ControlMessageOwned, MsgFlags};
use uapi::gemu::{gemu_aperture_reply, GEMU_APERTURE_REQUEST};

/// How long one client may take to send its request: the socket is served by one thread.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);

/// Whether an open file (by its `fstat`) is one of the device's.
pub type IsDeviceFile = Box<dyn Fn(&libc::stat) -> bool + Send>;

/// A listening aperture socket and the thread that answers it. Dropping it stops the
/// thread and removes the socket file.
pub struct ApertureSocket {
    path: PathBuf,
    listener: UnixListener,
    thread: Option<JoinHandle<()>>,
}

impl ApertureSocket {
    /// Listen at `path` (mode 0666: the file sent is what is checked) and answer every
    /// client that proves, with `is_device_file`, that it holds a file of the device.
    pub fn listen(
        path: &Path,
        memfd: File,
        is_device_file: IsDeviceFile,
    ) -> std::io::Result<ApertureSocket> {
        let _ = std::fs::remove_file(path);
        let listener = UnixListener::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))?;
        let size = memfd.metadata()?.len();
        let accepting = listener.try_clone()?;
        let thread = std::thread::Builder::new()
            .name("gemu-aperture".into())
            .spawn(move || {
                for stream in accepting.incoming() {
                    match stream {
                        Ok(s) => answer(s, &memfd, size, &is_device_file),
                        // Shut down by `drop`.
                        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => break,
                        Err(e) => log::debug!("aperture socket: accept: {e}"),
                    }
                }
            })?;
        Ok(ApertureSocket {
            path: path.to_path_buf(),
            listener,
            thread: Some(thread),
        })
    }
}

impl Drop for ApertureSocket {
    fn drop(&mut self) {
        // SAFETY: shutdown on our own listening socket; accept() then fails with EINVAL.
        unsafe { libc::shutdown(self.listener.as_raw_fd(), libc::SHUT_RDWR) };
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Answer one connection: the memfd for a file of the device, else an errno.
fn answer(stream: UnixStream, memfd: &File, size: u64, is_device_file: &IsDeviceFile) {
    let _ = stream.set_read_timeout(Some(REQUEST_TIMEOUT));
    let _ = stream.set_write_timeout(Some(REQUEST_TIMEOUT));
    let reply = |error: i32, fd: Option<RawFd>| {
        let r = gemu_aperture_reply {
            error: error as u32,
            pad: 0,
            size: if fd.is_some() { size } else { 0 },
        };
        let fds = fd.map(|f| [f]);
        let cmsgs: Vec<ControlMessage> = fds.iter().map(|f| ControlMessage::ScmRights(f)).collect();
        let iov = [IoSlice::new(bytemuck::bytes_of(&r))];
        if let Err(e) = sendmsg::<()>(
            stream.as_raw_fd(),
            &iov,
            &cmsgs,
            MsgFlags::MSG_NOSIGNAL,
            None,
        ) {
            log::debug!("aperture socket: reply: {e}");
        }
    };
    match request_file(&stream) {
        Ok(file) => match fstat(&file) {
            Some(st) if is_device_file(&st) => reply(0, Some(memfd.as_raw_fd())),
            _ => {
                log::debug!("aperture socket: refused: the file sent is not the device's");
                reply(libc::EACCES, None)
            }
        },
        Err(e) => {
            log::debug!("aperture socket: refused: {e}");
            reply(libc::EINVAL, None)
        }
    }
}

/// Read the request: exactly [`GEMU_APERTURE_REQUEST`] with exactly one file.
fn request_file(stream: &UnixStream) -> Result<OwnedFd, String> {
    let mut byte = [0u8; 1];
    let mut iov = [IoSliceMut::new(&mut byte)];
    // Room for a few files: any sent beyond the one wanted are received, then closed.
    let mut space = nix::cmsg_space!([RawFd; 4]);
    let msg = recvmsg::<()>(
        stream.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )
    .map_err(|e| format!("recvmsg: {e}"))?;
    let mut files = Vec::new();
    for c in msg.cmsgs().map_err(|e| format!("control data: {e}"))? {
        if let ControlMessageOwned::ScmRights(fds) = c {
            // SAFETY: the kernel just installed these descriptors for us; each is owned
            // once, here.
            files.extend(
                fds.into_iter()
                    .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
            );
        }
    }
    let n = msg.bytes;
    if n != 1 || byte[0] != GEMU_APERTURE_REQUEST {
        return Err(format!(
            "a request of {n} bytes, not {GEMU_APERTURE_REQUEST:#x}"
        ));
    }
    if files.len() != 1 {
        return Err(format!("{} files sent, not one", files.len()));
    }
    Ok(files.pop().expect("one file"))
}

fn fstat(fd: &OwnedFd) -> Option<libc::stat> {
    nix::sys::stat::fstat(fd).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::FileExt;
    use std::os::unix::fs::MetadataExt;

    fn ask(
        path: &Path,
        send: &[u8],
        file: Option<&File>,
    ) -> (gemu_aperture_reply, Option<OwnedFd>) {
        let s = UnixStream::connect(path).unwrap();
        let fds = file.map(|f| [f.as_raw_fd()]);
        let cmsgs: Vec<ControlMessage> = fds.iter().map(|f| ControlMessage::ScmRights(f)).collect();
        sendmsg::<()>(
            s.as_raw_fd(),
            &[IoSlice::new(send)],
            &cmsgs,
            MsgFlags::empty(),
            None,
        )
        .unwrap();
        let mut r = gemu_aperture_reply::default();
        let mut iov = [IoSliceMut::new(bytemuck::bytes_of_mut(&mut r))];
        let mut space = nix::cmsg_space!([RawFd; 1]);
        let msg = recvmsg::<()>(
            s.as_raw_fd(),
            &mut iov,
            Some(&mut space),
            MsgFlags::MSG_CMSG_CLOEXEC,
        )
        .unwrap();
        let mut got = None;
        for c in msg.cmsgs().unwrap() {
            if let ControlMessageOwned::ScmRights(fds) = c {
                // SAFETY: just received.
                got = fds.first().map(|fd| unsafe { OwnedFd::from_raw_fd(*fd) });
            }
        }
        (r, got)
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("gemu-aperture-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A memfd with a marker, and a "device file" (a temp file, known by its inode).
    fn fixture(name: &str) -> (PathBuf, ApertureSocket, File, File) {
        let dir = scratch(name);
        let mut memfd = File::from(
            nix::sys::memfd::memfd_create(c"test-aperture", nix::sys::memfd::MFdFlags::MFD_CLOEXEC)
                .unwrap(),
        );
        memfd.write_all(b"aperture").unwrap();
        let node = File::create(dir.join("node")).unwrap();
        let ino = node.metadata().unwrap().ino();
        let sock = ApertureSocket::listen(
            &dir.join("socket"),
            memfd.try_clone().unwrap(),
            Box::new(move |st| st.st_ino == ino),
        )
        .unwrap();
        let other = File::create(dir.join("other")).unwrap();
        (dir, sock, node, other)
    }

    #[test]
    fn a_device_file_gets_the_memfd() {
        let (dir, _sock, node, _) = fixture("ok");
        let (r, fd) = ask(&dir.join("socket"), &[GEMU_APERTURE_REQUEST], Some(&node));
        assert_eq!((r.error, r.size), (0, 8));
        let mut text = [0u8; 8];
        // The same open file as the daemon's: its position is past the marker.
        File::from(fd.expect("the memfd"))
            .read_exact_at(&mut text, 0)
            .unwrap();
        assert_eq!(&text, b"aperture");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn anything_else_is_refused_and_the_socket_goes_on() {
        let (dir, sock, node, other) = fixture("bad");
        let path = dir.join("socket");
        for (send, file, errno) in [
            (&[GEMU_APERTURE_REQUEST][..], Some(&other), libc::EACCES),
            (&[GEMU_APERTURE_REQUEST][..], None, libc::EINVAL),
            (&b"garbage"[..], Some(&node), libc::EINVAL),
            (&[0u8][..], Some(&node), libc::EINVAL),
        ] {
            let (r, fd) = ask(&path, send, file);
            assert_eq!(r.error, errno as u32, "{send:?}");
            assert!(fd.is_none());
        }
        // A client that connects and says nothing, or hangs up at once.
        drop(UnixStream::connect(&path).unwrap());
        let silent = UnixStream::connect(&path).unwrap();
        let (r, fd) = ask(&path, &[GEMU_APERTURE_REQUEST], Some(&node));
        assert_eq!(r.error, 0);
        assert!(fd.is_some());
        drop(silent);
        drop(sock);
        assert!(!path.exists(), "the socket file outlived the daemon");
        let _ = std::fs::remove_dir_all(dir);
    }
}
