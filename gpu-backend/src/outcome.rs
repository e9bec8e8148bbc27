//! How a request ended.

use std::fmt;
use std::time::Duration;

/// The result of one request, passed once to its completion callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The batch reached its end (MI_BATCH_BUFFER_END at the first level, or a
    /// MI_CONDITIONAL_BATCH_BUFFER_END that fired).
    Completed,
    /// The batch was stopped as a GPU hang: `emu` signals the fence with -EIO and counts
    /// it against the context (reset stats, ban).
    Hung(Hang),
    /// The request was cancelled ([`RequestHandle::cancel`](crate::RequestHandle::cancel)
    /// or engine shutdown): it never ran, or was stopped at a command boundary.
    Cancelled,
}

/// Where and why a batch hung.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hang {
    /// Why.
    pub reason: HangReason,
    /// GPU address of the command being executed (the batch start for resets before it
    /// ran).
    pub addr: u64,
}

/// Why a batch hung.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HangReason {
    /// The header dword is not a command this engine knows.
    UnknownCommand {
        /// The header dword.
        header: u32,
    },
    /// A known command with a length, mode or field value this model does not implement
    /// (or that the engine does not support).
    Unsupported {
        /// The header dword.
        header: u32,
        /// What is unsupported.
        what: &'static str,
    },
    /// A GPU page fault: an access to an unmapped address (including running off the end
    /// of the batch's mapping).
    Fault {
        /// The faulting GPU address.
        addr: u64,
    },
    /// No arbitration point for longer than the engine's hang timeout (see `watchdog`).
    NoProgress {
        /// Time since the last arbitration point.
        elapsed: Duration,
    },
    /// `emu` reset the request ([`RequestHandle::reset`](crate::RequestHandle::reset)),
    /// e.g. a failed heartbeat of a non-persistent context.
    Reset(String),
    /// The render engine cannot go on: an EU thread met an instruction or message this
    /// model does not execute, a dispatch's state is invalid, or the 3D pipeline was asked
    /// to draw. The text names the command or instruction.
    Render(String),
    /// A bug in the command streamer (a panic while executing), contained to this request.
    Internal(String),
}

impl HangReason {
    /// Whether the hang may be this model's own gap rather than the batch's doing: a
    /// command of a real command type (MI, 2D, GFX pipe) that the model does not know, a
    /// known command or instruction it does not implement, or an internal error. A batch
    /// that simply did not end (no progress, a reset by `emu`), a fault, or a dword that
    /// is no command at all (IGT's 0xdeadbeef: type 6) is what real hardware hangs on
    /// too. A client that did not inject a hang should never see the first kind.
    pub fn may_be_model_gap(&self) -> bool {
        match self {
            HangReason::UnknownCommand { header } => matches!(header >> 29, 0 | 2 | 3),
            HangReason::Unsupported { .. } | HangReason::Render(_) | HangReason::Internal(_) => {
                true
            }
            HangReason::NoProgress { .. } | HangReason::Reset(_) | HangReason::Fault { .. } => {
                false
            }
        }
    }
}

impl fmt::Display for HangReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HangReason::UnknownCommand { header } => write!(f, "unknown command {header:#010x}"),
            HangReason::Unsupported { header, what } => {
                write!(f, "unsupported: {what} ({header:#010x})")
            }
            HangReason::Fault { addr } => write!(f, "GPU page fault at {addr:#x}"),
            HangReason::NoProgress { elapsed } => write!(f, "no progress for {elapsed:?}"),
            HangReason::Reset(why) => write!(f, "reset: {why}"),
            HangReason::Render(why) => write!(f, "render engine: {why}"),
            HangReason::Internal(why) => write!(f, "internal error: {why}"),
        }
    }
}

impl fmt::Display for Hang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {:#x}", self.reason, self.addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_gaps_are_told_from_broken_batches() {
        let unknown = |header| HangReason::UnknownCommand { header };
        assert!(unknown(0x6904_1310).may_be_model_gap()); // a GFX-pipe command
        assert!(unknown(0x1880_0000).may_be_model_gap()); // an MI command
        assert!(!unknown(0xdead_beef).may_be_model_gap()); // no command type
        assert!(HangReason::Render("x".into()).may_be_model_gap());
        assert!(!HangReason::Fault { addr: 0 }.may_be_model_gap());
        assert!(!HangReason::Reset("heartbeat".into()).may_be_model_gap());
    }
}
