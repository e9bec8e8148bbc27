//! The request loop against a stand-in for `/dev/cuse`: one end of a SOCK_SEQPACKET
//! pair (which keeps message boundaries, as the device does) is the daemon's channel,
//! the test writes the kernel's requests on the other and reads the replies.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::sync::Arc;

use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
use uapi::*;

use super::abi::*;
use super::channel::Channel;
use super::session::Session;
use crate::aperture_memfd;
use crate::dispatch::OpenFiles;

/// The kernel's side of the connection.
struct Kernel {
    dev: File,
    next_unique: u64,
}

/// A reply: its header's error, then the body.
type Reply = (i32, Vec<u8>);

impl Kernel {
    /// A device whose render node is served by one worker on the other end.
    fn start() -> Kernel {
        let (ours, theirs): (OwnedFd, OwnedFd) = socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .unwrap();
        let memory = 64 << 20;
        let (memfd, aperture) =
            aperture_memfd::create(emu::aperture::FIRST_OFFSET + memory).unwrap();
        drop(memfd); // the aperture's mapping keeps the pages
        let config = emu::DeviceConfig {
            memory,
            ..Default::default()
        };
        let files = Arc::new(OpenFiles::new(emu::Device::new(config, aperture)));
        let session = Session::new(
            Channel::new(File::from(theirs)),
            emu::NodeKind::Render,
            files,
        );
        session.spawn_workers("test", 1, || {}).unwrap();
        Kernel {
            dev: File::from(ours),
            next_unique: 2,
        }
    }

    /// Send a request from thread `pid` and wait for its reply.
    fn call(&mut self, opcode: u32, pid: u32, body: &[&[u8]]) -> Reply {
        self.next_unique += 2;
        let unique = self.next_unique;
        self.send(unique, opcode, pid, body);
        self.receive(unique)
    }

    fn send(&mut self, unique: u64, opcode: u32, pid: u32, body: &[&[u8]]) {
        let len = std::mem::size_of::<InHeader>() + body.iter().map(|b| b.len()).sum::<usize>();
        let mut msg = bytemuck::bytes_of(&InHeader {
            len: len as u32,
            opcode,
            unique,
            pid,
            ..Default::default()
        })
        .to_vec();
        body.iter().for_each(|b| msg.extend_from_slice(b));
        self.dev.write_all(&msg).unwrap();
    }

    fn receive(&mut self, unique: u64) -> Reply {
        let mut buf = vec![0u8; 1 << 16];
        let n = self.dev.read(&mut buf).unwrap();
        let (h, body) = split_body::<OutHeader>(&buf[..n]).unwrap();
        assert_eq!((h.unique, h.len as usize), (unique, n));
        (h.error, body.to_vec())
    }

    fn open(&mut self) -> u64 {
        let (error, body) = self.call(FUSE_OPEN, 0, &[bytemuck::bytes_of(&OpenIn::default())]);
        assert_eq!(error, 0);
        split_body::<OpenOut>(&body).unwrap().0.fh
    }

    /// An ioctl round: the ioctl's result and what follows the ioctl header.
    fn ioctl(
        &mut self,
        pid: u32,
        fh: u64,
        cmd: u32,
        arg: u64,
        data: &[u8],
        out: u32,
    ) -> (IoctlOut, Vec<u8>) {
        let req = IoctlIn {
            fh,
            flags: 1 << 1, // FUSE_IOCTL_UNRESTRICTED
            cmd,
            arg,
            in_size: data.len() as u32,
            out_size: out,
        };
        let (error, body) = self.call(FUSE_IOCTL, pid, &[bytemuck::bytes_of(&req), data]);
        assert_eq!(error, 0, "ioctl errors travel in the result");
        let (head, rest) = split_body::<IoctlOut>(&body).unwrap();
        (head, rest.to_vec())
    }
}

fn own_tid() -> u32 {
    nix::unistd::gettid().as_raw() as u32
}

#[test]
fn a_visible_caller_is_served_in_one_round() {
    let mut k = Kernel::start();
    let fh = k.open();
    let mut value = 0i32;
    let mut gp = drm_i915_getparam {
        param: I915_PARAM_CHIPSET_ID,
        value: &mut value as *mut i32 as u64,
        ..Default::default()
    };
    let arg = &mut gp as *mut drm_i915_getparam as u64;
    let (head, rest) = k.ioctl(own_tid(), fh, DRM_IOCTL_I915_GETPARAM, arg, &[], 0);
    assert_eq!((head.result, head.flags, rest.len()), (0, 0, 0));
    assert_eq!(value, 0x9a49);

    // GEM_CREATE writes its struct back into the caller's memory.
    let mut create = drm_i915_gem_create {
        size: 4096,
        ..Default::default()
    };
    let arg = &mut create as *mut drm_i915_gem_create as u64;
    let (head, _) = k.ioctl(own_tid(), fh, DRM_IOCTL_I915_GEM_CREATE, arg, &[], 0);
    assert_eq!(head.result, 0);
    assert_eq!(create.handle, 1);
}

#[test]
fn an_unseen_caller_gets_the_retry_and_an_error_in_the_result() {
    let mut k = Kernel::start();
    let fh = k.open();
    let arg = 0x7000_0000;
    // pid 0: gemu cannot reach the caller, so it asks the kernel for the struct.
    let (head, rest) = k.ioctl(0, fh, DRM_IOCTL_I915_GEM_CREATE, arg, &[], 0);
    assert_eq!(head.flags, FUSE_IOCTL_RETRY);
    assert_eq!((head.in_iovs, head.out_iovs), (1, 1));
    let iovs: &[IoctlIovec] = bytemuck::cast_slice(&rest);
    let range = IoctlIovec { base: arg, len: 16 };
    assert_eq!(iovs, [range, range]);

    let create = drm_i915_gem_create {
        size: 4096,
        ..Default::default()
    };
    let (head, rest) = k.ioctl(
        0,
        fh,
        DRM_IOCTL_I915_GEM_CREATE,
        arg,
        bytemuck::bytes_of(&create),
        16,
    );
    assert_eq!(head.result, 0);
    let created: drm_i915_gem_create = bytemuck::pod_read_unaligned(&rest);
    assert_eq!((created.size, created.handle), (4096, 1));

    // GETPARAM's value pointer is nested: unreachable, EFAULT, as the ioctl's result.
    let gp = drm_i915_getparam {
        param: I915_PARAM_CHIPSET_ID,
        value: 0x7000_1000,
        ..Default::default()
    };
    let (head, rest) = k.ioctl(
        0,
        fh,
        DRM_IOCTL_I915_GETPARAM,
        arg,
        bytemuck::bytes_of(&gp),
        16,
    );
    assert_eq!((head.result, rest.len()), (-(libc::EFAULT), 0));
}

#[test]
fn interrupts_release_and_unknown_opcodes() {
    let mut k = Kernel::start();
    let fh = k.open();
    // An interrupt for a request gemu is not answering: EAGAIN, under its own unique.
    let unique = 0x1001;
    k.send(
        unique,
        FUSE_INTERRUPT,
        0,
        &[bytemuck::bytes_of(&InterruptIn { unique: 0x1000 })],
    );
    assert_eq!(k.receive(unique), (-libc::EAGAIN, vec![]));

    let (error, body) = k.call(
        FUSE_POLL,
        0,
        &[bytemuck::bytes_of(&PollIn {
            fh,
            ..Default::default()
        })],
    );
    let (poll, _) = split_body::<PollOut>(&body).unwrap();
    assert_eq!(
        (error, poll.revents),
        (0, (libc::POLLOUT | libc::POLLWRNORM) as u32)
    );

    let release = ReleaseIn {
        fh,
        ..Default::default()
    };
    assert_eq!(
        k.call(FUSE_RELEASE, 0, &[bytemuck::bytes_of(&release)]),
        (0, vec![])
    );
    // The file is gone: its ioctls answer EBADF.
    let (head, _) = k.ioctl(0, fh, DRM_IOCTL_I915_GEM_CREATE, 0, &[0; 16], 16);
    assert_eq!(head.result, -libc::EBADF);

    assert_eq!(k.call(9999, 0, &[]), (-libc::ENOSYS, vec![]));
}
