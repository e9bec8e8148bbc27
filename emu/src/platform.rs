//! The emulated platform as data: what GETPARAM and QUERY report.
//!
//! One table per platform; today Tiger Lake GT2. Parameters that describe a model
//! feature name that feature, and read as 0 until the model implements it: a parameter
//! that promises something gemu cannot do is a bug.

use crate::Errno;

/// A capability of the model that some parameters advertise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// `execbuffer2`, contexts and engines that run batches.
    Execbuf,
    /// `GEM_USERPTR`.
    Userptr,
    /// DRM syncobjs.
    Syncobj,
    /// PRIME (dma-buf) export and import.
    Prime,
    /// Fence fds on execbuf (`I915_EXEC_FENCE_IN/OUT/SUBMIT`).
    ExecFenceFd,
    /// i915-perf (OA).
    Perf,
}

/// The features the model implements today.
pub const IMPLEMENTED: &[Feature] = &[Feature::Syncobj, Feature::Execbuf, Feature::Userptr];

/// Whether the model implements `f`.
pub fn implemented(f: Feature) -> bool {
    IMPLEMENTED.contains(&f)
}

/// Where a GETPARAM answer comes from.
#[derive(Clone, Copy, Debug)]
pub enum Param {
    /// A fixed value.
    Value(i32),
    /// The value when the model implements the feature, 0 otherwise.
    Needs(Feature, i32),
    /// The ioctl fails with this errno, as i915 on this platform does.
    Fails(Errno),
}

/// An engine the platform exposes to user space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineId {
    /// `I915_ENGINE_CLASS_*`.
    pub class: u16,
    /// Instance within the class.
    pub instance: u16,
}

/// Slice / subslice / EU topology (`struct sseu_dev_info`).
#[derive(Clone, Copy, Debug)]
pub struct Topology {
    /// Bit per enabled slice.
    pub slice_mask: u8,
    /// Maximum slices.
    pub max_slices: u16,
    /// Maximum subslices per slice.
    pub max_subslices: u16,
    /// Maximum EUs per subslice.
    pub max_eus_per_subslice: u16,
    /// Enabled subslices of slice 0, one bit each.
    pub subslice_mask: u32,
    /// Enabled EUs of each enabled subslice, one bit each.
    pub eu_mask: u32,
}

impl Topology {
    /// Bytes per slice in the subslice mask array.
    pub fn ss_stride(&self) -> usize {
        (self.max_subslices as usize).div_ceil(8)
    }
    /// Bytes per subslice in the EU mask array.
    pub fn eu_stride(&self) -> usize {
        (self.max_eus_per_subslice as usize).div_ceil(8)
    }
    /// Enabled subslices in all.
    pub fn subslice_total(&self) -> u32 {
        self.slice_mask.count_ones() * self.subslice_mask.count_ones()
    }
    /// Enabled EUs in all.
    pub fn eu_total(&self) -> u32 {
        self.subslice_total() * self.eu_mask.count_ones()
    }
}

/// One emulated platform.
#[derive(Debug)]
pub struct Platform {
    /// Marketing name, for reports.
    pub name: &'static str,
    /// PCI device id (`I915_PARAM_CHIPSET_ID`).
    pub device_id: u16,
    /// PCI revision.
    pub revision: u8,
    /// Graphics IP version.
    pub graphics_ver: u32,
    /// The PCI address the device answers to (GET_UNIQUE after SET_VERSION 1.1).
    pub pci_slot: &'static str,
    /// Engines user space can submit to.
    pub engines: &'static [EngineId],
    /// EU topology.
    pub topology: Topology,
    /// Global GTT size (`GET_APERTURE`'s `aper_size`).
    pub ggtt_size: u64,
    /// GETPARAM answers.
    pub params: &'static [(i32, Param)],
}

impl Platform {
    /// The GETPARAM answer for `param`: `EINVAL` for a parameter i915 does not know.
    pub fn param(&self, param: i32) -> crate::Result<i32> {
        match self.params.iter().find(|(p, _)| *p == param) {
            None => Err(Errno::EINVAL),
            Some((_, Param::Value(v))) => Ok(*v),
            Some((_, Param::Needs(f, v))) => Ok(if implemented(*f) { *v } else { 0 }),
            Some((_, Param::Fails(e))) => Err(*e),
        }
    }

    /// Whether the platform has the engine `class:instance`.
    pub fn has_engine(&self, class: u16, instance: u16) -> bool {
        self.engines
            .iter()
            .any(|e| e.class == class && e.instance == instance)
    }
}

use uapi::*;
use Feature::*;
use Param::*;

const TGL_TOPOLOGY: Topology = Topology {
    slice_mask: 0x1,
    max_slices: 1,
    max_subslices: 6,
    max_eus_per_subslice: 16,
    subslice_mask: 0x3f,
    eu_mask: 0xffff,
};

/// Tiger Lake GT2 (0x9A49), execlists, LLC, full 48-bit ppGTT, a mappable aperture with
/// 32 fence registers (GTT mmaps detile; see `gtt_view`), no display (i915 then drops
/// DRIVER_MODESET).
pub static TIGERLAKE_GT2: Platform = Platform {
    name: "Tiger Lake GT2",
    device_id: 0x9A49,
    revision: 1,
    graphics_ver: 12,
    pci_slot: "0000:00:02.0",
    engines: &[
        EngineId {
            class: I915_ENGINE_CLASS_RENDER,
            instance: 0,
        },
        EngineId {
            class: I915_ENGINE_CLASS_COPY,
            instance: 0,
        },
        // The video engines run MI commands (stores, flushes, batch chaining); there is
        // no media pipeline behind them. One VDBOX, as on parts with the second fused off.
        EngineId {
            class: I915_ENGINE_CLASS_VIDEO,
            instance: 0,
        },
        EngineId {
            class: I915_ENGINE_CLASS_VIDEO_ENHANCE,
            instance: 0,
        },
    ],
    topology: TGL_TOPOLOGY,
    ggtt_size: 4 << 30,
    params: &[
        // Old UMS/DRI1 parameters are rejected outright.
        (I915_PARAM_IRQ_ACTIVE, Fails(Errno::ENODEV)),
        (I915_PARAM_ALLOW_BATCHBUFFER, Fails(Errno::ENODEV)),
        (I915_PARAM_LAST_DISPATCH, Fails(Errno::ENODEV)),
        (I915_PARAM_HAS_EXEC_CONSTANTS, Fails(Errno::ENODEV)),
        (I915_PARAM_CHIPSET_ID, Value(0x9A49)),
        (I915_PARAM_REVISION, Value(1)),
        // Gen7+ has 32 fence registers (intel_ggtt_init_fences).
        (I915_PARAM_NUM_FENCES_AVAIL, Value(32)),
        (I915_PARAM_HAS_OVERLAY, Value(0)),
        (I915_PARAM_HAS_BSD, Value(1)),
        (I915_PARAM_HAS_BLT, Value(1)),
        (I915_PARAM_HAS_VEBOX, Value(1)),
        (I915_PARAM_HAS_BSD2, Value(0)),
        (I915_PARAM_HAS_LLC, Value(1)),
        (I915_PARAM_HAS_WT, Value(0)),
        (I915_PARAM_HAS_ALIASING_PPGTT, Value(3)),
        (I915_PARAM_HAS_SEMAPHORES, Value(0)),
        (I915_PARAM_HAS_SECURE_BATCHES, Value(0)),
        (I915_PARAM_CMD_PARSER_VERSION, Value(0)),
        (I915_PARAM_SUBSLICE_TOTAL, Value(6)),
        (I915_PARAM_EU_TOTAL, Value(96)),
        (I915_PARAM_HAS_GPU_RESET, Needs(Execbuf, 2)),
        (I915_PARAM_HAS_RESOURCE_STREAMER, Value(0)),
        (I915_PARAM_HAS_POOLED_EU, Value(0)),
        (I915_PARAM_MIN_EU_IN_POOL, Value(0)),
        (I915_PARAM_HUC_STATUS, Fails(Errno::EOPNOTSUPP)),
        (I915_PARAM_MMAP_GTT_VERSION, Value(4)),
        (
            I915_PARAM_HAS_SCHEDULER,
            Needs(Execbuf, crate::context::SCHEDULER_CAPS),
        ),
        // Falls into the kernel's "always 1" list.
        (I915_PARAM_MMAP_VERSION, Value(1)),
        (I915_PARAM_HAS_GEM, Value(1)),
        (I915_PARAM_HAS_PAGEFLIPPING, Value(1)),
        (I915_PARAM_HAS_EXECBUF2, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_RELAXED_FENCING, Value(1)),
        (I915_PARAM_HAS_COHERENT_RINGS, Value(1)),
        (I915_PARAM_HAS_RELAXED_DELTA, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_GEN7_SOL_RESET, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_WAIT_TIMEOUT, Value(1)),
        (I915_PARAM_HAS_PRIME_VMAP_FLUSH, Needs(Prime, 1)),
        (I915_PARAM_HAS_PINNED_BATCHES, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_EXEC_NO_RELOC, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_EXEC_HANDLE_LUT, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_COHERENT_PHYS_GTT, Value(1)),
        (I915_PARAM_HAS_EXEC_SOFTPIN, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_EXEC_ASYNC, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_EXEC_FENCE, Needs(ExecFenceFd, 1)),
        (I915_PARAM_HAS_EXEC_CAPTURE, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_EXEC_BATCH_FIRST, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_EXEC_FENCE_ARRAY, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_EXEC_SUBMIT_FENCE, Needs(ExecFenceFd, 1)),
        (I915_PARAM_HAS_EXEC_TIMELINE_FENCES, Needs(Execbuf, 1)),
        (I915_PARAM_HAS_USERPTR_PROBE, Needs(Userptr, 1)),
        (I915_PARAM_HAS_CONTEXT_ISOLATION, Needs(Execbuf, 3)),
        (I915_PARAM_SLICE_MASK, Value(0x1)),
        (I915_PARAM_SUBSLICE_MASK, Value(0x3f)),
        (I915_PARAM_CS_TIMESTAMP_FREQUENCY, Value(19_200_000)),
        // GEN11_FEATURES: has_coherent_ggtt = false.
        (I915_PARAM_MMAP_GTT_COHERENT, Value(0)),
        (I915_PARAM_PERF_REVISION, Needs(Perf, 7)),
        (I915_PARAM_OA_TIMESTAMP_FREQUENCY, Needs(Perf, 19_200_000)),
        (I915_PARAM_PXP_STATUS, Fails(Errno::ENODEV)),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tgl_table_is_consistent_with_its_topology_and_engines() {
        let p = &TIGERLAKE_GT2;
        let t = &p.topology;
        assert_eq!(p.param(I915_PARAM_EU_TOTAL), Ok(t.eu_total() as i32));
        assert_eq!(
            p.param(I915_PARAM_SUBSLICE_TOTAL),
            Ok(t.subslice_total() as i32)
        );
        assert_eq!(p.param(I915_PARAM_SLICE_MASK), Ok(t.slice_mask as i32));
        assert_eq!(
            p.param(I915_PARAM_SUBSLICE_MASK),
            Ok(t.subslice_mask as i32)
        );
        assert_eq!(p.param(I915_PARAM_CHIPSET_ID), Ok(p.device_id as i32));
        assert_eq!(p.param(I915_PARAM_REVISION), Ok(p.revision as i32));
        let has = |c| p.has_engine(c, 0) as i32;
        assert_eq!(p.param(I915_PARAM_HAS_BLT), Ok(has(I915_ENGINE_CLASS_COPY)));
        assert_eq!(
            p.param(I915_PARAM_HAS_BSD),
            Ok(has(I915_ENGINE_CLASS_VIDEO))
        );
        assert_eq!(
            p.param(I915_PARAM_HAS_VEBOX),
            Ok(has(I915_ENGINE_CLASS_VIDEO_ENHANCE))
        );
        let mut seen = std::collections::HashSet::new();
        for (param, _) in p.params {
            assert!(seen.insert(param), "param {param} listed twice");
        }
    }

    #[test]
    fn unknown_and_rejected_params() {
        let p = &TIGERLAKE_GT2;
        assert_eq!(p.param(0), Err(Errno::EINVAL));
        assert_eq!(p.param(9999), Err(Errno::EINVAL));
        assert_eq!(p.param(I915_PARAM_IRQ_ACTIVE), Err(Errno::ENODEV));
        assert_eq!(p.param(I915_PARAM_HUC_STATUS), Err(Errno::EOPNOTSUPP));
    }

    #[test]
    fn unimplemented_features_read_as_zero() {
        for f in [Execbuf, Userptr, Prime, ExecFenceFd, Perf] {
            if !implemented(f) {
                for (param, src) in TIGERLAKE_GT2.params {
                    if let Needs(g, _) = src {
                        if *g == f {
                            assert_eq!(TIGERLAKE_GT2.param(*param), Ok(0));
                        }
                    }
                }
            }
        }
    }
}
