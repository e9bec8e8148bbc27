//! Per-engine scheduling properties (`engine->props`), read and set through sysfs
//! `engine/<name>/*` as on i915.
//!
//! `heartbeat_interval_ms` is live: it is how long a batch may run without reaching an
//! arbitration point before the engine declares it hung and resets it (0 turns hang
//! detection off, as disabling the heartbeat does). The others are kept and read back
//! for the programs that save and restore them; the model has no timeslicing between
//! contexts, no preemption timer and no busy-wait before sleeping, so they change
//! nothing else.

use std::sync::Mutex;
use std::time::Duration;

use crate::engines::Engines;
use crate::platform::EngineId;
use crate::Errno;

/// An engine property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineProp {
    /// `heartbeat_interval_ms`.
    HeartbeatInterval,
    /// `preempt_timeout_ms`.
    PreemptTimeout,
    /// `timeslice_duration_ms`.
    TimesliceDuration,
    /// `stop_timeout_ms`.
    StopTimeout,
    /// `max_busywait_duration_ns`.
    MaxBusywait,
}

impl EngineProp {
    /// Every property with its sysfs name.
    pub const ALL: [(EngineProp, &'static str); 5] = [
        (EngineProp::HeartbeatInterval, "heartbeat_interval_ms"),
        (EngineProp::PreemptTimeout, "preempt_timeout_ms"),
        (EngineProp::TimesliceDuration, "timeslice_duration_ms"),
        (EngineProp::StopTimeout, "stop_timeout_ms"),
        (EngineProp::MaxBusywait, "max_busywait_duration_ns"),
    ];

    /// The largest value i915 takes (`intel_clamp_*`): `jiffies_to_msecs(
    /// MAX_SCHEDULE_TIMEOUT)` for the millisecond ones at HZ=250, two jiffies for the
    /// busy-wait.
    fn max(self) -> u64 {
        match self {
            EngineProp::MaxBusywait => 8_000_000,
            _ => 0xffff_fffc,
        }
    }
}

/// The stored (non-live) properties of one engine, i915's defaults at start.
#[derive(Clone, Copy, Debug)]
struct Stored {
    preempt_timeout_ms: u64,
    timeslice_duration_ms: u64,
    stop_timeout_ms: u64,
    max_busywait_ns: u64,
}

impl Default for Stored {
    fn default() -> Self {
        // CONFIG_DRM_I915_{PREEMPT_TIMEOUT,TIMESLICE_DURATION,STOP_TIMEOUT,SPIN_REQUEST}.
        Stored {
            preempt_timeout_ms: 640,
            timeslice_duration_ms: 1,
            stop_timeout_ms: 100,
            max_busywait_ns: 8000,
        }
    }
}

/// The properties of every engine, by engine index.
#[derive(Debug)]
pub(crate) struct EngineProps {
    stored: Vec<Mutex<Stored>>,
}

impl EngineProps {
    pub(crate) fn new(engines: usize) -> EngineProps {
        EngineProps {
            stored: (0..engines)
                .map(|_| Mutex::new(Stored::default()))
                .collect(),
        }
    }
}

impl Engines {
    /// Name (`rcs0`…), uAPI class and instance, and MMIO base of each engine.
    pub fn identities(&self) -> Vec<(String, EngineId, u32)> {
        self.engines
            .iter()
            .map(|(id, e)| (e.config().name.clone(), *id, e.config().mmio_base))
            .collect()
    }

    /// Property `p` of the engine called `name`.
    pub fn prop(&self, name: &str, p: EngineProp) -> Result<u64, Errno> {
        let i = self.index_by_name(name)?;
        let s = *self.props.stored[i].lock().unwrap();
        Ok(match p {
            EngineProp::HeartbeatInterval => self.engines[i]
                .1
                .hang_timeout()
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            EngineProp::PreemptTimeout => s.preempt_timeout_ms,
            EngineProp::TimesliceDuration => s.timeslice_duration_ms,
            EngineProp::StopTimeout => s.stop_timeout_ms,
            EngineProp::MaxBusywait => s.max_busywait_ns,
        })
    }

    /// Set property `p` of engine `name`: EINVAL above i915's clamp.
    pub fn set_prop(&self, name: &str, p: EngineProp, value: u64) -> Result<(), Errno> {
        let i = self.index_by_name(name)?;
        if value > p.max() {
            return Err(Errno::EINVAL);
        }
        let mut s = self.props.stored[i].lock().unwrap();
        match p {
            EngineProp::HeartbeatInterval => {
                let t = (value != 0).then(|| Duration::from_millis(value));
                self.engines[i].1.set_hang_timeout(t);
            }
            EngineProp::PreemptTimeout => s.preempt_timeout_ms = value,
            EngineProp::TimesliceDuration => s.timeslice_duration_ms = value,
            EngineProp::StopTimeout => s.stop_timeout_ms = value,
            EngineProp::MaxBusywait => s.max_busywait_ns = value,
        }
        Ok(())
    }

    fn index_by_name(&self, name: &str) -> Result<usize, Errno> {
        self.engines
            .iter()
            .position(|(_, e)| e.config().name == name)
            .ok_or(Errno::ENOENT)
    }
}
