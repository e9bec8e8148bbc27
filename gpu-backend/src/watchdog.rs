//! Hang detection and polling back-off.
//!
//! **Progress.** A request makes progress when it reaches an *arbitration point*: the start
//! of the batch, MI_ARB_CHECK, each poll of an unsatisfied MI_SEMAPHORE_WAIT, or the end of
//! the batch. Those are the points where real hardware lets a heartbeat request preempt
//! the context, so i915 never resets a batch that keeps reaching them (a spinner with
//! MI_ARB_CHECK in its loop runs until someone ends it). A request that goes longer than
//! the engine's hang timeout without an arbitration point is stopped and reported
//! [`HangReason::NoProgress`](crate::HangReason::NoProgress): a tight loop without
//! MI_ARB_CHECK (IGT's `IGT_SPIN_NO_PREEMPTION`), which i915 resets after its heartbeat
//! fails to preempt it. Heartbeat rules for preemptible work (non-persistent contexts,
//! closed files, bans) are `emu`'s: it stops such requests with
//! [`RequestHandle::reset`](crate::RequestHandle::reset) or
//! [`RequestHandle::cancel`](crate::RequestHandle::cancel).
//!
//! **Polling.** An iteration of a loop is *polling* when it wrote no memory and changed no
//! register since the previous iteration: a backward MI_BATCH_BUFFER_START reached with no
//! store since the last one, or a re-check of an unsatisfied MI_SEMAPHORE_WAIT. Polling
//! iterations back off: spin a few times, then `yield_now`, then sleep with doubling
//! intervals capped at [`MAX_SLEEP`], so an idle spinner costs well under 1% of a core
//! and still notices a CPU write within about a millisecond. Any iteration that stores
//! resets the back-off: a batch that is not polling never sleeps.

use std::time::{Duration, Instant};

/// Default time without progress after which a request is declared hung.
pub const DEFAULT_HANG_TIMEOUT: Duration = Duration::from_secs(2);

/// Longest sleep of a polling loop (bounds how late a CPU write is noticed).
pub const MAX_SLEEP: Duration = Duration::from_millis(1);

const SPIN_POLLS: u32 = 32;
const YIELD_POLLS: u32 = 64;
const FIRST_SLEEP_US: u64 = 8;
const POLLS_PER_STEP: u32 = 8;

/// Tracks time since the last arbitration point.
pub(crate) struct Watchdog {
    timeout: Duration,
    last: Instant,
}

impl Watchdog {
    pub fn new(timeout: Duration) -> Watchdog {
        Watchdog {
            timeout,
            last: Instant::now(),
        }
    }

    /// The batch reached an arbitration point.
    pub fn progress(&mut self) {
        self.last = Instant::now();
    }

    /// `Some(elapsed)` when the timeout has passed without progress.
    pub fn expired(&self) -> Option<Duration> {
        let e = self.last.elapsed();
        (e > self.timeout).then_some(e)
    }
}

/// The back-off state of a polling loop.
#[derive(Default)]
pub(crate) struct Backoff {
    polls: u32,
}

impl Backoff {
    /// The loop did real work: run at full speed again.
    pub fn reset(&mut self) {
        self.polls = 0;
    }

    /// Waits before the next poll, longer the longer the loop has been polling. Returns
    /// whether it slept.
    pub fn wait(&mut self) -> bool {
        let n = self.polls;
        self.polls = self.polls.saturating_add(1);
        if n < SPIN_POLLS {
            std::hint::spin_loop();
            false
        } else if n < YIELD_POLLS {
            std::thread::yield_now();
            false
        } else {
            std::thread::sleep(Self::sleep_for(n - YIELD_POLLS));
            true
        }
    }

    fn sleep_for(k: u32) -> Duration {
        let step = (k / POLLS_PER_STEP).min(16);
        Duration::from_micros(FIRST_SLEEP_US << step).min(MAX_SLEEP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_ramps_to_the_cap() {
        assert_eq!(Backoff::sleep_for(0), Duration::from_micros(8));
        assert_eq!(Backoff::sleep_for(8), Duration::from_micros(16));
        assert_eq!(Backoff::sleep_for(1000), MAX_SLEEP);
        let mut b = Backoff::default();
        for _ in 0..YIELD_POLLS {
            assert!(!b.wait());
        }
        assert!(b.wait());
        b.reset();
        assert!(!b.wait());
    }

    #[test]
    fn watchdog_expires_without_progress() {
        let mut w = Watchdog::new(Duration::from_millis(100));
        assert!(w.expired().is_none());
        std::thread::sleep(Duration::from_millis(120));
        assert!(w.expired().is_some());
        w.progress();
        assert!(w.expired().is_none());
    }
}
