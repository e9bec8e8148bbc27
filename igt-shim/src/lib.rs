//! `libgemu_shim.so`: the LD_PRELOAD library that `gemu run` loads into the program.
//!
//! A FUSE file is a regular file to `stat` (DESIGN §3); programs that check for a DRM
//! character device (libdrm's device scan, IGT's debugfs lookup) need it to be one.
//! The shim wraps the `stat` family and, for gemu's nodes only, reports what the kernel
//! would for a DRM node: `S_IFCHR | 0666`, `st_rdev` 226:minor.
//!
//! The nodes are recognised by what they are, never by their path: `gemu run` puts the
//! `(st_dev, st_ino)` of each node, with its minor, in [`NODES_ENV`]; every answer whose
//! identity is not in that list passes through untouched.
//!
//! The fd-returning ioctls (PRIME_HANDLE_TO_FD and friends) work the same way from
//! the other side: the daemon cannot put a file descriptor into this process, so the
//! shim asks it for the object's id with a gemu-private ioctl and opens the daemon's
//! file for that id itself (`uapi::gemu`); `lseek` and `mmap` on such an fd behave as
//! on a dma-buf.
//!
//! The wrappers call no wrapped function: they make the system call themselves
//! (`libc::syscall`), so they never recurse and never depend on which libc symbol
//! the program happened to bind.

mod aperture;
mod dma_buf;
mod fd_files;
mod fences;
mod ioctl;
mod mmap;
pub mod nodes;
mod params;
mod pmu;
mod proc_mem;
mod rw;
mod stat;
mod sw_sync;
mod userptr;

pub use nodes::{Node, NODES_ENV};
