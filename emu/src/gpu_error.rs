//! GPU error capture (`i915_gpu_coredump`): when a request hangs, or when asked to
//! through debugfs `i915_wedged`, the device records what the engines were doing. Only
//! the first error is kept until userspace clears it by writing to sysfs `error` or
//! debugfs `i915_error_state`, as i915 does.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// What a reader of the error state sees when none was collected.
pub const NO_ERROR_STATE: &str = "No error state collected\n";

/// One engine as the capture saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineSnapshot {
    /// The engine's name (`rcs0`…).
    pub name: String,
    /// Seqno of the request it was running, if any.
    pub running: Option<u64>,
    /// Requests submitted to it so far.
    pub submitted: u64,
    /// Requests it has finished.
    pub retired: u64,
}

/// A captured error.
#[derive(Clone, Debug)]
struct Capture {
    message: String,
    time: SystemTime,
    reset_count: u32,
    engines: Vec<EngineSnapshot>,
}

/// The device's error-state slot (`gt->i915->gpu_error.first_error`).
#[derive(Debug, Default)]
pub struct GpuErrors {
    first: Mutex<Option<Capture>>,
}

impl GpuErrors {
    /// Record an error unless one is already held (the first error wins).
    pub fn capture(&self, message: String, reset_count: u32, engines: Vec<EngineSnapshot>) {
        let mut first = self.first.lock().unwrap();
        if first.is_none() {
            *first = Some(Capture {
                message,
                time: SystemTime::now(),
                reset_count,
                engines,
            });
        }
    }

    /// Drop the held error (a write to `error` / `i915_error_state`).
    pub fn clear(&self) {
        self.first.lock().unwrap().take();
    }

    /// Whether an error is held.
    pub fn collected(&self) -> bool {
        self.first.lock().unwrap().is_some()
    }

    /// The error state as the `error` file prints it.
    pub fn report(&self) -> String {
        let Some(c) = self.first.lock().unwrap().clone() else {
            return NO_ERROR_STATE.to_string();
        };
        let t = c.time.duration_since(UNIX_EPOCH).unwrap_or_default();
        let mut s = format!(
            "{}\nKernel: gemu {}\nTime: {} s {} us\nReset count: {}\n\
             PCI ID: 0x9a49\nPCI Revision: 0x01\nPlatform: TIGERLAKE\n",
            c.message,
            env!("CARGO_PKG_VERSION"),
            t.as_secs(),
            t.subsec_micros(),
            c.reset_count,
        );
        for e in &c.engines {
            s += &format!(
                "{} command stream:\n  IDLE? {}\n  Submitted: {}\n  Retired: {}\n",
                e.name,
                if e.running.is_some() { "no" } else { "yes" },
                e.submitted,
                e.retired,
            );
            if let Some(seqno) = e.running {
                s += &format!("  Active request: seqno {seqno}\n");
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_error_is_kept_until_cleared() {
        let e = GpuErrors::default();
        assert_eq!(e.report(), NO_ERROR_STATE);
        e.capture("first".into(), 1, vec![]);
        e.capture("second".into(), 2, vec![]);
        assert!(e.report().starts_with("first\n"));
        assert!(e.collected());
        e.clear();
        assert_eq!(e.report(), NO_ERROR_STATE);
        e.capture("third".into(), 3, vec![]);
        assert!(e.report().starts_with("third\n"));
    }
}
