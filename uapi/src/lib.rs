//! The DRM / i915 / sync_file / dma-buf user-space ABI.
//!
//! PLACEHOLDER while the full ABI is written: names are the C names, exactly.
#![allow(non_camel_case_types)]

use bytemuck::{Pod, Zeroable};

macro_rules! structs {
    ($( $name:ident { $($f:ident : $t:ty),* $(,)? } )*) => {$(
        #[doc = concat!("`struct ", stringify!($name), "`.")]
        #[repr(C)]
        #[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
        pub struct $name { $(#[allow(missing_docs)] pub $f: $t),* }
    )*};
}

structs! {
    drm_version { version_major: i32, version_minor: i32, version_patchlevel: i32, _pad0: u32,
        name_len: u64, name: u64, date_len: u64, date: u64, desc_len: u64, desc: u64 }
    drm_unique { unique_len: u64, unique: u64 }
    drm_client { idx: i32, auth: i32, pid: u64, uid: u64, magic: u64, iocs: u64 }
    drm_stats { count: u64, data: [u64; 30] }
    drm_get_cap { capability: u64, value: u64 }
    drm_set_client_cap { capability: u64, value: u64 }
    drm_set_version { drm_di_major: i32, drm_di_minor: i32, drm_dd_major: i32, drm_dd_minor: i32 }
    drm_auth { magic: u32 }
    drm_set_client_name { name_len: u64, name: u64 }
    drm_gem_close { handle: u32, pad: u32 }
    drm_gem_flink { handle: u32, name: u32 }
    drm_gem_open { name: u32, handle: u32, size: u64 }
    drm_i915_getparam { param: i32, _pad0: u32, value: u64 }
    drm_i915_query { num_items: u32, flags: u32, items_ptr: u64 }
    drm_i915_query_item { query_id: u64, length: i32, flags: u32, data_ptr: u64 }
    drm_i915_gem_create { size: u64, handle: u32, pad: u32 }
    drm_i915_gem_create_ext { size: u64, handle: u32, flags: u32, extensions: u64 }
    i915_user_extension { next_extension: u64, name: u32, flags: u32, rsvd: [u32; 4] }
    drm_i915_gem_memory_class_instance { memory_class: u16, memory_instance: u16 }
    drm_i915_gem_create_ext_memory_regions { base: i915_user_extension, pad: u32, num_regions: u32, regions: u64 }
    drm_i915_gem_create_ext_protected_content { base: i915_user_extension, flags: u32, _pad0: u32 }
    drm_i915_gem_pread { handle: u32, pad: u32, offset: u64, size: u64, data_ptr: u64 }
    drm_i915_gem_pwrite { handle: u32, pad: u32, offset: u64, size: u64, data_ptr: u64 }
    drm_i915_gem_mmap { handle: u32, pad: u32, offset: u64, size: u64, addr_ptr: u64, flags: u64 }
    drm_i915_gem_mmap_gtt { handle: u32, pad: u32, offset: u64 }
    drm_i915_gem_mmap_offset { handle: u32, pad: u32, offset: u64, flags: u64, extensions: u64 }
    drm_i915_gem_set_domain { handle: u32, read_domains: u32, write_domain: u32 }
    drm_i915_gem_sw_finish { handle: u32 }
    drm_i915_gem_caching { handle: u32, caching: u32 }
    drm_i915_gem_set_tiling { handle: u32, tiling_mode: u32, stride: u32, swizzle_mode: u32 }
    drm_i915_gem_get_tiling { handle: u32, tiling_mode: u32, swizzle_mode: u32, phys_swizzle_mode: u32 }
    drm_i915_gem_get_aperture { aper_size: u64, aper_available_size: u64 }
    drm_i915_gem_madvise { handle: u32, madv: u32, retained: u32 }
    drm_i915_gem_busy { handle: u32, busy: u32 }
    drm_i915_gem_wait { bo_handle: u32, flags: u32, timeout_ns: i64 }
    i915_engine_class_instance { engine_class: u16, engine_instance: u16 }
}

/// `DRM_IOCTL_VERSION`.
pub const DRM_IOCTL_VERSION: u32 = 0xc040_6400;

macro_rules! consts {
    ($t:ty: $($name:ident = $v:expr),* $(,)?) => {$(
        #[allow(missing_docs)]
        pub const $name: $t = $v;
    )*};
}
consts!(u32: I915_GEM_DOMAIN_CPU = 0x1, I915_GEM_DOMAIN_RENDER = 0x2, I915_GEM_DOMAIN_SAMPLER = 0x4,
    I915_GEM_DOMAIN_COMMAND = 0x8, I915_GEM_DOMAIN_INSTRUCTION = 0x10, I915_GEM_DOMAIN_VERTEX = 0x20,
    I915_GEM_DOMAIN_GTT = 0x40, I915_GEM_DOMAIN_WC = 0x80,
    I915_CACHING_NONE = 0, I915_CACHING_CACHED = 1, I915_CACHING_DISPLAY = 2,
    I915_MADV_WILLNEED = 0, I915_MADV_DONTNEED = 1,
    I915_TILING_NONE = 0, I915_TILING_X = 1, I915_TILING_Y = 2,
    I915_GEM_CREATE_EXT_MEMORY_REGIONS = 0, I915_GEM_CREATE_EXT_PROTECTED_CONTENT = 1,
    I915_GEM_CREATE_EXT_SET_PAT = 2, I915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS = 1 << 0);
consts!(u16: I915_MEMORY_CLASS_SYSTEM = 0, I915_MEMORY_CLASS_DEVICE = 1,
    I915_ENGINE_CLASS_RENDER = 0, I915_ENGINE_CLASS_COPY = 1, I915_ENGINE_CLASS_VIDEO = 2,
    I915_ENGINE_CLASS_VIDEO_ENHANCE = 3, I915_ENGINE_CLASS_COMPUTE = 4);
consts!(u64: I915_MMAP_OFFSET_GTT = 0, I915_MMAP_OFFSET_WC = 1, I915_MMAP_OFFSET_WB = 2,
    I915_MMAP_OFFSET_UC = 3, I915_MMAP_OFFSET_FIXED = 4, I915_MMAP_WC = 1,
    DRM_CAP_DUMB_BUFFER = 0x1, DRM_CAP_TIMESTAMP_MONOTONIC = 0x6, DRM_CAP_PRIME = 0x5,
    DRM_PRIME_CAP_IMPORT = 0x1, DRM_PRIME_CAP_EXPORT = 0x2, DRM_CAP_SYNCOBJ = 0x13,
    DRM_CAP_SYNCOBJ_TIMELINE = 0x14,
    DRM_I915_QUERY_TOPOLOGY_INFO = 1, DRM_I915_QUERY_ENGINE_INFO = 2, DRM_I915_QUERY_PERF_CONFIG = 3,
    DRM_I915_QUERY_MEMORY_REGIONS = 4, DRM_I915_QUERY_HWCONFIG_BLOB = 5,
    DRM_I915_QUERY_GEOMETRY_SUBSLICES = 6, DRM_I915_QUERY_GUC_SUBMISSION_VERSION = 7,
    I915_ENGINE_INFO_HAS_LOGICAL_INSTANCE = 1 << 0);
consts!(i32: I915_PARAM_IRQ_ACTIVE = 1, I915_PARAM_ALLOW_BATCHBUFFER = 2, I915_PARAM_LAST_DISPATCH = 3,
    I915_PARAM_CHIPSET_ID = 4, I915_PARAM_HAS_GEM = 5, I915_PARAM_NUM_FENCES_AVAIL = 6,
    I915_PARAM_HAS_OVERLAY = 7, I915_PARAM_HAS_PAGEFLIPPING = 8, I915_PARAM_HAS_EXECBUF2 = 9,
    I915_PARAM_HAS_BSD = 10, I915_PARAM_HAS_BLT = 11, I915_PARAM_HAS_RELAXED_FENCING = 12,
    I915_PARAM_HAS_COHERENT_RINGS = 13, I915_PARAM_HAS_EXEC_CONSTANTS = 14,
    I915_PARAM_HAS_RELAXED_DELTA = 15, I915_PARAM_HAS_GEN7_SOL_RESET = 16, I915_PARAM_HAS_LLC = 17,
    I915_PARAM_HAS_ALIASING_PPGTT = 18, I915_PARAM_HAS_WAIT_TIMEOUT = 19,
    I915_PARAM_HAS_SEMAPHORES = 20, I915_PARAM_HAS_PRIME_VMAP_FLUSH = 21, I915_PARAM_HAS_VEBOX = 22,
    I915_PARAM_HAS_SECURE_BATCHES = 23, I915_PARAM_HAS_PINNED_BATCHES = 24,
    I915_PARAM_HAS_EXEC_NO_RELOC = 25, I915_PARAM_HAS_EXEC_HANDLE_LUT = 26, I915_PARAM_HAS_WT = 27,
    I915_PARAM_CMD_PARSER_VERSION = 28, I915_PARAM_HAS_COHERENT_PHYS_GTT = 29,
    I915_PARAM_MMAP_VERSION = 30, I915_PARAM_HAS_BSD2 = 31, I915_PARAM_REVISION = 32,
    I915_PARAM_SUBSLICE_TOTAL = 33, I915_PARAM_EU_TOTAL = 34, I915_PARAM_HAS_GPU_RESET = 35,
    I915_PARAM_HAS_RESOURCE_STREAMER = 36, I915_PARAM_HAS_EXEC_SOFTPIN = 37,
    I915_PARAM_HAS_POOLED_EU = 38, I915_PARAM_MIN_EU_IN_POOL = 39, I915_PARAM_MMAP_GTT_VERSION = 40,
    I915_PARAM_HAS_SCHEDULER = 41, I915_PARAM_HUC_STATUS = 42, I915_PARAM_HAS_EXEC_ASYNC = 43,
    I915_PARAM_HAS_EXEC_FENCE = 44, I915_PARAM_HAS_EXEC_CAPTURE = 45,
    I915_PARAM_SLICE_MASK = 46, I915_PARAM_SUBSLICE_MASK = 47, I915_PARAM_HAS_EXEC_BATCH_FIRST = 48,
    I915_PARAM_HAS_EXEC_FENCE_ARRAY = 49, I915_PARAM_HAS_CONTEXT_ISOLATION = 50,
    I915_PARAM_CS_TIMESTAMP_FREQUENCY = 51, I915_PARAM_MMAP_GTT_COHERENT = 52,
    I915_PARAM_HAS_EXEC_SUBMIT_FENCE = 53, I915_PARAM_PERF_REVISION = 54,
    I915_PARAM_HAS_EXEC_TIMELINE_FENCES = 55, I915_PARAM_HAS_USERPTR_PROBE = 56,
    I915_PARAM_OA_TIMESTAMP_FREQUENCY = 57, I915_PARAM_PXP_STATUS = 58);
