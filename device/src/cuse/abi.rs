//! The part of the FUSE wire protocol (`include/uapi/linux/fuse.h`) that a CUSE device
//! speaks on `/dev/cuse`: the request and reply headers, CUSE_INIT, and the bodies of
//! the file operations a character device receives.
//!
//! Every message is a header followed by an opcode-specific body; all fields are in the
//! host's byte order. Layouts are the kernel's, checked by size in the tests below.

use bytemuck::{Pod, Zeroable};

/// The protocol's major version; the kernel refuses any other in the CUSE_INIT reply.
pub const KERNEL_VERSION: u32 = 7;
/// The minor version gemu speaks: every structure below has its 7.31 layout.
pub const KERNEL_MINOR_VERSION: u32 = 31;
/// The kernel refuses a CUSE_INIT reply older than this (`cuse_process_init_reply`).
pub const MIN_MINOR_VERSION: u32 = 11;

// Opcodes (`enum fuse_opcode`) a character device can receive.
pub const FUSE_OPEN: u32 = 14;
pub const FUSE_READ: u32 = 15;
pub const FUSE_WRITE: u32 = 16;
pub const FUSE_RELEASE: u32 = 18;
pub const FUSE_FSYNC: u32 = 20;
pub const FUSE_FLUSH: u32 = 25;
pub const FUSE_INTERRUPT: u32 = 36;
pub const FUSE_DESTROY: u32 = 38;
pub const FUSE_IOCTL: u32 = 39;
pub const FUSE_POLL: u32 = 40;
pub const CUSE_INIT: u32 = 4096;

/// CUSE_INIT flag: ioctls are unrestricted (the daemon names what to copy: retry).
pub const CUSE_UNRESTRICTED_IOCTL: u32 = 1 << 0;

// `fuse_ioctl_in.flags` / `fuse_ioctl_out.flags`.
/// The caller is a 32-bit process on a 64-bit kernel.
pub const FUSE_IOCTL_COMPAT: u32 = 1 << 0;
/// Reply flag: copy these ranges of the caller's memory and send the ioctl again.
pub const FUSE_IOCTL_RETRY: u32 = 1 << 2;
/// At most this many ranges per direction in a retry.
pub const FUSE_IOCTL_MAX_IOV: usize = 256;

/// Every request starts with this.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct InHeader {
    /// Length of the whole request, header included.
    pub len: u32,
    pub opcode: u32,
    /// The request's id; the reply carries it back.
    pub unique: u64,
    pub nodeid: u64,
    pub uid: u32,
    pub gid: u32,
    /// The calling thread's id in the daemon's pid namespace (0: not visible there).
    pub pid: u32,
    pub total_extlen: u16,
    pub padding: u16,
}

/// Every reply starts with this; `error` is 0 or a negative errno.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct OutHeader {
    pub len: u32,
    pub error: i32,
    pub unique: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct CuseInitIn {
    pub major: u32,
    pub minor: u32,
    pub unused: u32,
    pub flags: u32,
}

/// The CUSE_INIT reply; the device's info strings (`DEVNAME=...\0`) follow it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct CuseInitOut {
    pub major: u32,
    pub minor: u32,
    pub unused: u32,
    pub flags: u32,
    pub max_read: u32,
    pub max_write: u32,
    /// The device number asked for; major 0 lets the kernel pick a free major.
    pub dev_major: u32,
    pub dev_minor: u32,
    pub spare: [u32; 10],
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct OpenIn {
    /// The `open(2)` flags.
    pub flags: u32,
    pub open_flags: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct OpenOut {
    /// The file handle later requests name.
    pub fh: u64,
    pub open_flags: u32,
    pub backing_id: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct ReleaseIn {
    pub fh: u64,
    pub flags: u32,
    pub release_flags: u32,
    pub lock_owner: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct ReadIn {
    pub fh: u64,
    pub offset: u64,
    pub size: u32,
    pub read_flags: u32,
    pub lock_owner: u64,
    /// The file's `f_flags` (O_NONBLOCK).
    pub flags: u32,
    pub padding: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct InterruptIn {
    /// The `unique` of the request whose caller got a signal.
    pub unique: u64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct IoctlIn {
    pub fh: u64,
    pub flags: u32,
    pub cmd: u32,
    /// The ioctl's argument as the caller passed it: for DRM, a pointer to the struct.
    pub arg: u64,
    /// Bytes of the caller's memory that follow (the retry's input ranges, in order).
    pub in_size: u32,
    /// Bytes the kernel will copy back into the retry's output ranges, at most.
    pub out_size: u32,
}

/// A range of the caller's memory, in a retry reply.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct IoctlIovec {
    pub base: u64,
    pub len: u64,
}

/// The ioctl reply; with FUSE_IOCTL_RETRY, `in_iovs` then `out_iovs` [`IoctlIovec`]s
/// follow, otherwise the output bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct IoctlOut {
    /// The ioctl's return value when the header's error is 0.
    pub result: i32,
    pub flags: u32,
    pub in_iovs: u32,
    pub out_iovs: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct PollIn {
    pub fh: u64,
    pub kh: u64,
    pub flags: u32,
    pub events: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct PollOut {
    pub revents: u32,
    pub padding: u32,
}

/// The body of a request, split off its header: a typed prefix and what follows it.
pub fn split_body<T: Pod>(body: &[u8]) -> Option<(T, &[u8])> {
    let n = std::mem::size_of::<T>();
    (body.len() >= n).then(|| (bytemuck::pod_read_unaligned(&body[..n]), &body[n..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    #[test]
    fn layouts_are_the_kernels() {
        assert_eq!(size_of::<InHeader>(), 40);
        assert_eq!(size_of::<OutHeader>(), 16);
        assert_eq!(size_of::<CuseInitIn>(), 16);
        assert_eq!(size_of::<CuseInitOut>(), 72);
        assert_eq!(size_of::<OpenIn>(), 8);
        assert_eq!(size_of::<OpenOut>(), 16);
        assert_eq!(size_of::<ReleaseIn>(), 24);
        assert_eq!(size_of::<ReadIn>(), 40);
        assert_eq!(size_of::<InterruptIn>(), 8);
        assert_eq!(size_of::<IoctlIn>(), 32);
        assert_eq!(size_of::<IoctlIovec>(), 16);
        assert_eq!(size_of::<IoctlOut>(), 16);
        assert_eq!(size_of::<PollIn>(), 24);
        assert_eq!(size_of::<PollOut>(), 8);
    }

    #[test]
    fn bodies_split_at_their_prefix() {
        let mut body = bytemuck::bytes_of(&InterruptIn { unique: 42 }).to_vec();
        body.extend_from_slice(b"rest");
        let (i, rest) = split_body::<InterruptIn>(&body).unwrap();
        assert_eq!((i.unique, rest), (42, &b"rest"[..]));
        assert!(split_body::<IoctlIn>(&body).is_none());
    }
}
