//! AUB traces: gemu's record of what was submitted (`gemu run --record`) and what
//! `gemu replay` runs again. The format is the execlist-era "memtrace" AUB that
//! Mesa's `aubinator` decodes: a version header, GGTT entries and memory writes that
//! build each context's ring and register state and each VM's 4-level page tables,
//! the objects' bytes written at their physical pages, and execlist submit-queue
//! register writes. gemu adds comment blocks naming each submission's context and
//! objects (see [`meta`]).
//!
//! Modules: [`format`] (blocks, encode and parse, errors with byte offsets),
//! [`layout`] (registers, descriptors, the context image), [`writer`], [`replay`]
//! (memory model, execlist following, execution on the command streamer). No I/O:
//! bytes in, bytes out.

pub mod format;
pub mod layout;
pub mod meta;
pub mod replay;
pub mod writer;

pub use format::{AubError, Block, Blocks, Space};
pub use meta::{fnv1a, ObjectMeta, ResultMeta, SubmissionMeta};
pub use replay::{replay, Memory, ReplayOptions, Submitted};
pub use writer::{Submission, Writer};
