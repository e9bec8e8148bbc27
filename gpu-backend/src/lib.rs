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
//! Outcomes map to i915 behaviour as `emu` chooses: typically `Completed` signals the
//! fence, `Hung` sets -EIO on it and counts a hang against the context (reset stats,
//! banning), `Cancelled` sets -EIO (banned/closed context) without counting. A hang stops
//! only the guilty request: requests queued behind it run normally (i915 replays innocent
//! requests after an engine reset). Completion callbacks may submit new requests, to this
//! engine or another (the queue is unbounded).
//!
//! The memory contract ([`AddressSpace`], [`DirectRange::new`]): the host memory behind a
//! direct range stays mapped until the request's callback has run; its contents may change
//! at any time. Everything a batch touches is re-read from memory when executed.
//!
//! # Commands (Gen12 encodings)
//!
//! | command | engines | model |
//! |---|---|---|
//! | MI_NOOP, MI_USER_INTERRUPT, MI_ARB_ON_OFF | all | no-ops (MI_ARB_CHECK: an arbitration point, see [`watchdog`]) |
//! | MI_BATCH_BUFFER_END | all | ends the batch, or returns from a second-level one |
//! | MI_BATCH_BUFFER_START | all | 48-bit, chained or second level; predication refused |
//! | MI_CONDITIONAL_BATCH_BUFFER_END | all | ends all levels when memory ≤ data (with "compare semaphore"); mask mode ANDs the qword's two dwords |
//! | MI_STORE_DATA_IMM | all | dword, qword, and longer forms (10-bit length) |
//! | MI_STORE_DATA_INDEX | all | into the context's [`StatusPage`] |
//! | MI_LOAD_REGISTER_IMM / _MEM / _REG, MI_STORE_REGISTER_MEM | all | any register; byte-write disables; "add CS MMIO start offset" |
//! | MI_COPY_MEM_MEM | all | dword copy |
//! | MI_ATOMIC | all | dword and qword AND, OR, XOR, MOVE, INC, DEC, ADD, SUB, RSUB, IMAX, IMIN, UMAX, UMIN, CMP_WR; inline or GPR operands; return data to GPR4 (PREDEC and octword forms refused) |
//! | MI_MATH | all | LOAD, LOADINV, LOAD0, LOAD1, ADD, SUB, AND, OR, XOR, STORE, STOREINV on the 16 GPRs, SRCA, SRCB, ACCU, ZF, CF |
//! | MI_SEMAPHORE_WAIT | all | memory polling, all six compare ops; signal mode treated as polling |
//! | MI_FLUSH_DW | bcs, vcs, vecs | post-sync immediate (dword/qword) or timestamp, to memory or the status page |
//! | PIPE_CONTROL | rcs, ccs | post-sync immediate, timestamp, PS depth count (0), LRI; flush bits are no-ops |
//! | XY_SETUP_CLIP_BLT, XY_SRC_COPY_BLT, XY_COLOR_BLT, XY_FAST_COPY_BLT, XY_BLOCK_COPY_BLT | bcs | see `blit`: linear, X, Y, Yf; 8–128 bpp; ROP3 |
//!
//! Everything else is a hang ([`HangReason::UnknownCommand`]): MI_PREDICATE /
//! MI_SET_PREDICATE, MI_SEMAPHORE_SIGNAL, MI_REPORT_PERF_COUNT, MI_DISPLAY_FLIP, the other
//! 2D commands (XY_SETUP_BLT, XY_PAT_BLT, XY_FAST_COLOR_BLT), and all 3D,
//! GPGPU and media state (PIPELINE_SELECT, STATE_BASE_ADDRESS, 3DSTATE_*, ...), so Mesa's
//! render/compute batches hang rather than half-run. Known commands with fields this model
//! does not implement hang with [`HangReason::Unsupported`] (predication, register-poll
//! semaphores, MI_MATH shifts, which are Gen12.5, Tile64, pattern ROPs in XY_SRC_COPY). The
//! "use global GTT" bits are ignored: a user batch's accesses go through its ppGTT, as i915
//! runs them non-privileged. There is no bit-6 swizzling (Gen12 has none).
//!
//! Modules: [`decode`] (opcodes, lengths, typed commands), `exec` (the executor), [`regs`]
//! (registers and context state), `blit` + [`tiling`] (the 2D blitter and surface
//! layouts), [`watchdog`] (hang detection and polling back-off), [`engine`] (threads,
//! requests), [`bench`](mod@bench) (benchmarks for `gemu bench`), [`testing`] (an in-memory address
//! space).

#![warn(missing_docs)]

pub mod aub;
pub mod batch_decode;
pub mod bench;
pub mod bench_eu;
mod blit;
pub mod decode;
pub mod engine;
pub mod eu;
mod exec;
pub mod mem;
mod outcome;
pub mod pipeline3d;
pub mod regs;
pub mod render;
pub mod shared;
pub mod surface;
pub mod testing;
pub mod tiling;
pub mod watchdog;

pub use engine::{
    Completion, Engine, EngineClass, EngineConfig, EngineStats, Request, RequestHandle, StartHook,
};
pub use mem::{AddressSpace, DirectRange, Fault};
pub use outcome::{Hang, HangReason, Outcome};
pub use regs::{ClipRect, ContextRegs, StatusPage};
pub use tiling::Tiling;
