//! One connection on `/dev/cuse`: reading requests and writing replies.
//!
//! The kernel hands each request to exactly one reader, whole, and takes each reply in
//! one `write`; any thread may read or reply, so workers share one descriptor.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsFd;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use super::abi::{InHeader, OutHeader};
use emu::Errno;

/// The largest ioctl data the kernel sends per direction (its default `max_pages`, 32
/// pages) plus room for the headers. A read buffer smaller than a pending request
/// fails that request, so every reader uses this size.
pub const REQUEST_BUFFER: usize = 128 * 1024 + 4096;

pub struct Channel {
    dev: File,
}

/// Why reading requests stopped.
#[derive(Debug)]
pub enum Ended {
    /// The kernel ended the connection (ENODEV): the device is gone.
    Disconnected,
    Failed(io::Error),
}

impl Channel {
    pub fn new(dev: File) -> Self {
        Channel { dev }
    }

    /// Read the next request into `buf`; returns its header and body.
    pub fn receive<'b>(&self, buf: &'b mut [u8]) -> Result<(InHeader, &'b [u8]), Ended> {
        loop {
            let n = match (&self.dev).read(buf) {
                // End-of-file never comes from /dev/cuse; it does from the socket that
                // stands in for it in the tests.
                Ok(0) => return Err(Ended::Disconnected),
                Ok(n) => n,
                // ENOENT: a request was withdrawn (its caller was killed) while it was
                // being handed over; EINTR/EAGAIN: nothing for us. Try again.
                Err(e)
                    if matches!(
                        e.raw_os_error().map(Errno::from_raw),
                        Some(Errno::ENOENT | Errno::EINTR | Errno::EAGAIN)
                    ) =>
                {
                    continue
                }
                // ENODEV: the kernel ended the connection.
                Err(e) if e.raw_os_error() == Some(libc::ENODEV) => {
                    return Err(Ended::Disconnected)
                }
                Err(e) => return Err(Ended::Failed(e)),
            };
            let Some((header, _)) = super::abi::split_body::<InHeader>(&buf[..n]) else {
                log::error!("a {n}-byte request is shorter than its header: dropped");
                continue;
            };
            let end = (header.len as usize).min(n);
            let body_start = std::mem::size_of::<InHeader>().min(end);
            return Ok((header, &buf[body_start..end]));
        }
    }

    /// Reply to request `unique`: `Ok(parts)` is a success whose body is the
    /// concatenation of `parts`, `Err(e)` an error with no body.
    pub fn reply(&self, unique: u64, answer: Result<&[&[u8]], Errno>) {
        let (error, parts): (i32, &[&[u8]]) = match answer {
            Ok(parts) => (0, parts),
            Err(e) => (-(e as i32), &[]),
        };
        let len = std::mem::size_of::<OutHeader>() + parts.iter().map(|p| p.len()).sum::<usize>();
        let mut msg = Vec::with_capacity(len);
        msg.extend_from_slice(bytemuck::bytes_of(&OutHeader {
            len: len as u32,
            error,
            unique,
        }));
        for p in parts {
            msg.extend_from_slice(p);
        }
        match (&self.dev).write(&msg) {
            Ok(_) => {}
            // The request is gone: its caller was killed, or (for an interrupt) the
            // original was answered meanwhile. Nobody is waiting for this reply.
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
                log::debug!("reply to request {unique:#x}: no longer waited for")
            }
            Err(e) => log::error!("reply to request {unique:#x} (error {error}): {e}"),
        }
    }

    /// Has the kernel ended this connection? After a CUSE_INIT reply it refused (the
    /// device number or name taken), it aborts the connection within that `write`, and
    /// the descriptor then polls as an error.
    pub fn is_aborted(&self) -> bool {
        let mut fds = [PollFd::new(self.dev.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::ZERO) {
            Ok(_) => fds[0]
                .revents()
                .is_some_and(|r| r.intersects(PollFlags::POLLERR | PollFlags::POLLHUP)),
            Err(_) => false,
        }
    }
}
