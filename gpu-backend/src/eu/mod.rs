//! The execution unit (EU): Gen12 instructions decoded once per dispatch ([`isa`]), run
//! by an interpreter over SIMD channels ([`thread`]), with messages to the shared
//! functions handed to the caller.
//!
//! A thread group's threads run interleaved on the engine thread: each runs until it ends
//! or waits at a barrier; when every live thread of the group waits, the barrier opens.
//! Anything the interpreter does not implement is an [`EuError`] naming the instruction,
//! which the command streamer turns into a GPU hang.

mod alu;
pub mod asm;
mod compact;
mod fast;
pub mod isa;
mod kernel;
pub mod thread;

use std::fmt;

use isa::Inst;
pub use kernel::{cache_stats, CacheStats, Decoded, Kernel, CACHE_KERNELS};
use thread::{Stop, Thread};

/// Why an EU thread cannot go on (the request hangs with this reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EuError(pub String);

impl EuError {
    /// An error with this description.
    pub fn new(what: impl Into<String>) -> EuError {
        EuError(what.into())
    }
}

impl fmt::Display for EuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<isa::IsaError> for EuError {
    fn from(e: isa::IsaError) -> EuError {
        EuError(e.0)
    }
}

/// Executes messages for threads (the shared functions: data port, gateway, spawner).
pub trait SharedFunctions {
    /// Performs the SEND `inst` of `thread` for its enabled channels `mask` (bit 0 = the
    /// instruction's first channel).
    fn send(
        &mut self,
        thread: &mut Thread,
        inst: &Inst,
        mask: u32,
    ) -> Result<Option<Stop>, EuError>;
}

/// How often (in instructions) the group runner calls its `tick` callback.
pub const TICK_EVERY: u64 = 4096;

/// Runs the threads of one thread group to their ends. `tick` is called every
/// [`TICK_EVERY`] instructions and may stop the group (a reset, the watchdog).
pub fn run_group(
    threads: &mut [Thread],
    kernel: &mut Kernel<'_>,
    shared: &mut dyn SharedFunctions,
    tick: &mut dyn FnMut() -> Result<(), EuError>,
) -> Result<u64, EuError> {
    // Groups have at most 64 threads on Gen12: no allocation for them.
    let mut small = [false; 64];
    let mut large;
    let done: &mut [bool] = if threads.len() <= small.len() {
        &mut small[..threads.len()]
    } else {
        large = vec![false; threads.len()];
        &mut large
    };
    let mut executed = 0u64;
    loop {
        let mut waiting = 0;
        let mut live = 0;
        for (t, finished) in threads.iter_mut().zip(done.iter_mut()) {
            if *finished {
                continue;
            }
            live += 1;
            loop {
                executed += 1;
                if executed.is_multiple_of(TICK_EVERY) {
                    tick()?;
                }
                let mut send = |th: &mut Thread, inst: &Inst, mask| shared.send(th, inst, mask);
                let r = match t.step_fast(kernel, &mut send) {
                    Some(Ok(None)) => continue,
                    Some(r) => r,
                    None => t.step(kernel, &mut send),
                };
                let at = t.ip();
                let r = r.map_err(|e| {
                    // Name the instruction when it decodes (the error came from running it).
                    match kernel.fetch(at) {
                        Ok(d) => EuError::new(format!("{e} in `{}` (thread ip {at:#x})", d.inst)),
                        Err(_) => EuError::new(format!("{e} (thread ip {at:#x})")),
                    }
                });
                match r? {
                    None => {}
                    Some(Stop::Done) => {
                        *finished = true;
                        break;
                    }
                    Some(Stop::Barrier) => {
                        waiting += 1;
                        break;
                    }
                }
            }
        }
        if live == 0 || done.iter().all(|d| *d) {
            return Ok(executed);
        }
        if waiting > 0 {
            let remaining = done.iter().filter(|d| !**d).count();
            if waiting < remaining {
                continue;
            }
            if remaining < threads.len() {
                return Err(EuError::new(
                    "barrier waits for threads of its group that have ended",
                ));
            }
            for (t, d) in threads.iter_mut().zip(done.iter()) {
                if !d {
                    t.notified = true;
                }
            }
        }
    }
}
