//! What the device tells about itself outside the ioctls: the facts i915's debugfs
//! files (`i915_engine_info`, `i915_gem_objects`, `i915_error_state`) print. The
//! front-end formats them; these are read-only snapshots of the live model.

use std::sync::atomic::Ordering;

use crate::device::Device;
use crate::engines::Engines;

/// One engine as `i915_engine_info` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineState {
    /// The engine's name as i915 gives it (`rcs0`, `bcs0`, `vcs0`, `vecs0`).
    pub name: String,
    /// Whether it is executing or has work queued.
    pub busy: bool,
    /// Its uapi class and instance.
    pub class: u16,
    /// (see `class`)
    pub instance: u16,
    /// Time spent executing requests since the device started (the PMU's busy counter).
    pub busy_time: std::time::Duration,
    /// Requests it has completed (each raises one user interrupt on i915).
    pub retired: u64,
}

impl Engines {
    /// Every engine of the device, in the platform's order.
    pub fn states(&self) -> Vec<EngineState> {
        self.engines
            .iter()
            .map(|(id, engine)| {
                let stats = engine.stats();
                EngineState {
                    name: engine_name(id.class, id.instance),
                    busy: engine.busy(),
                    class: id.class,
                    instance: id.instance,
                    busy_time: stats.busy,
                    retired: stats.retired,
                }
            })
            .collect()
    }

    /// Requests reset because they hung, since the device started.
    pub fn reset_count(&self) -> u32 {
        self.resets.load(Ordering::Relaxed)
    }
}

/// i915's engine name: class prefix (`intel_engine_class_repr`) and instance.
fn engine_name(class: u16, instance: u16) -> String {
    format!("{}{instance}", engine_class_name(class).unwrap_or("xxx"))
}

/// i915's short name of an engine class (`rcs`, `bcs`, `vcs`, `vecs`, `ccs`), as its
/// engine names and PMU events spell it.
pub fn engine_class_name(class: u16) -> Option<&'static str> {
    Some(match class {
        uapi::I915_ENGINE_CLASS_RENDER => "rcs",
        uapi::I915_ENGINE_CLASS_COPY => "bcs",
        uapi::I915_ENGINE_CLASS_VIDEO => "vcs",
        uapi::I915_ENGINE_CLASS_VIDEO_ENHANCE => "vecs",
        uapi::I915_ENGINE_CLASS_COMPUTE => "ccs",
        _ => return None,
    })
}

impl Device {
    /// Objects alive on the device (every file's handles, counted once per handle:
    /// a shared object shows once per file holding it) and bytes allocated.
    pub fn object_summary(&self) -> (usize, u64) {
        let handles = self.files().iter().map(|f| f.handle_count()).sum();
        (handles, self.allocated())
    }
}
