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
//! The wrappers call no wrapped function: they make the system call themselves
//! (`libc::syscall`), so they never recurse and never depend on which libc symbol
//! the program happened to bind.

pub mod nodes;
mod stat;

pub use nodes::{Node, NODES_ENV};
