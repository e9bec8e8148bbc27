//! Executes submitted batches. The software command streamer lands with execbuf
//! (issue 4); this crate holds the seam `emu` submits through.

/// An engine class as i915 numbers them (`I915_ENGINE_CLASS_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EngineClass {
    /// The render engine (rcs).
    Render,
    /// The blitter/copy engine (bcs).
    Copy,
}
