//! The software command streamer: executes the batches `emu` submits on behalf of
//! `execbuffer2`, one worker thread per engine.
//!
//! # How `emu` uses this crate
//!
//! 1. At device creation, start one [`Engine`] per engine in the platform profile
//!    (`Engine::start(EngineConfig::rcs0())`, `EngineConfig::bcs0()`; classes are data, so
//!    `vcs0`/`vecs0` are one line each).
//! 2. Per VM, implement [`AddressSpace`] over the VM's bindings (48-bit addresses, already
//!    stripped of canonical sign extension): `read`/`write` for any binding, and `direct`
//!    for bindings of contiguous host memory (GEM objects in the aperture memfd). Userptr
//!    bindings return `None` from `direct` and are accessed through `read`/`write`.
//! 3. Per (context, engine) pair, keep an `Arc<Mutex<`[`ContextRegs`]`>>` (GPRs,
//!    `BCS_SWCTRL`, clip rectangle, runtime, other registers, hardware status page).
//! 4. At the end of execbuf's acquire phase, [`Engine::submit`] a [`Request`] with the
//!    address space, the batch address (`batch object offset + batch_start_offset`), the
//!    context registers and a completion callback that signals the request's fence (an
//!    error on [`Outcome::Hung`] / [`Outcome::Cancelled`]). The callback runs exactly once
//!    on the engine thread; keep it short and non-blocking.
//! 5. Keep the returned [`RequestHandle`]: `cancel()` when the context is banned or its
//!    file closed, `reset(reason)` to apply i915's heartbeat rules (non-persistent
//!    contexts, closed files). Requests that stop polling for too long without an
//!    arbitration point are reset by the engine itself (see [`watchdog`]).
//! 6. BUSY: [`Engine::busy`] / [`Engine::stats`] give the engine-level view; per-object
//!    busyness comes from the fences in each object's dma_resv.
//! 7. Dropping an `Engine` cancels its queued and running requests and joins its thread.
//!
//! The memory contract ([`AddressSpace`], [`DirectRange::new`]): the host memory behind a
//! direct range stays mapped until the request's callback has run; its contents may change
//! at any time. Everything a batch touches is re-read from memory when executed.
//!
//! Modules: [`decode`] (opcodes, lengths, typed commands), `exec` (the executor), [`regs`]
//! (registers and context state), `blit` + [`tiling`] (the 2D blitter and surface
//! layouts), [`watchdog`] (hang detection and polling back-off), [`engine`] (threads,
//! requests), [`bench`] (benchmarks for `gemu bench`), [`testing`] (an in-memory address
//! space).

#![warn(missing_docs)]

pub mod bench;
mod blit;
pub mod decode;
pub mod engine;
mod exec;
pub mod mem;
mod outcome;
pub mod regs;
pub mod testing;
pub mod tiling;
pub mod watchdog;

pub use engine::{
    Completion, Engine, EngineClass, EngineConfig, EngineStats, Request, RequestHandle,
};
pub use mem::{AddressSpace, DirectRange, Fault};
pub use outcome::{Hang, HangReason, Outcome};
pub use regs::{ClipRect, ContextRegs, StatusPage};
pub use tiling::Tiling;
