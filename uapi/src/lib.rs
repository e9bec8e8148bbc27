//! The DRM / i915 / sync_file / dma-buf user-space ABI as Rust types.
//!
//! One module per C header — [`drm`], [`drm_mode`], [`i915`], [`sync_file`],
//! [`dma_buf`] — plus [`ioc`] (ioctl number encoding); everything is re-exported at the
//! crate root, so `uapi::drm_version` and `uapi::DRM_IOCTL_VERSION` work.
//!
//! # Conventions
//!
//! - Types, fields and constants carry their exact C names. A field named after a Rust
//!   keyword is a raw identifier: `r#type`, `r#virtual`.
//! - Every struct is `#[repr(C)]`, `Pod` and `Zeroable` (`Default` where the derive
//!   allows it, i.e. no array longer than 32), so it can be read from and written to
//!   the ioctl bytes with `bytemuck`. Implicit C padding is an explicit `_pad0`,
//!   `_pad1`... field; keep it zero.
//! - Pointers and `size_t`/`unsigned long` are `u64` (the ABI of 64-bit Linux).
//! - Flexible array members (`engines[]`, `data[]`, `regions[]`) are left out: the
//!   struct is the fixed header and its size is C's `sizeof`; the elements follow it in
//!   user memory. Such a struct may be less aligned than in C, so read it with
//!   `bytemuck::pod_read_unaligned`.
//! - The four `i915_context_engines_*` / `i915_context_param_engines` structs are
//!   `packed` in C and here: copy fields out before borrowing them.
//! - C unions: `union drm_wait_vblank` is its larger member `reply`
//!   ([`drm_wait_vblank::request`] reads the other one); `drm_i915_gem_exec_object2`'s
//!   `rsvd1`/`pad_to_size` union is the field `pad_to_size`;
//!   `drm_i915_memory_region_info`'s `rsvd1[8]` union keeps the
//!   `probed_cpu_visible_size`/`unallocated_cpu_visible_size` form (`_pad0` is the rest
//!   of `rsvd1`); `drm_i915_query_perf_config`'s union is `n_configs` + `_pad0`
//!   (`config` is `n_configs`, [`drm_i915_query_perf_config::uuid`] reads the uuid).
//! - C typedefs of structs with an underscore tag keep the typedef name:
//!   `drm_i915_init_t`, `drm_i915_sarea_t`, `drm_i915_cmdbuffer_t`. Other typedefs
//!   (`drm_version_t`, `drm_i915_getparam_t`...) are not repeated; use the struct name.
//! - Constants take the Rust type of the field they are used with: `I915_PARAM_*` are
//!   `i32`, `I915_EXEC_*` and `EXEC_OBJECT_*` `u64`, `I915_GEM_DOMAIN_*` `u32`,
//!   `DRM_CAP_*` `u64`, `I915_ENGINE_CLASS_*` `u16` (so `I915_ENGINE_CLASS_INVALID` is
//!   `u16::MAX`, C's `-1`), ioctl numbers `u32`.
//!
//! # Checked against C
//!
//! [`layout`] lists every struct with its C fields and every constant; the
//! `tests/layout.rs` test compiles a C program against the system headers (Debian
//! libdrm-dev 2.4.114 and linux-libc-dev) and compares every size, offset and value.
//! A few items from newer kernels are listed in [`layout::NOT_IN_SYSTEM_HEADERS`] and
//! left out of that comparison.
//!
//! # Ioctl sizes change over time
//!
//! The size of an ioctl's struct is part of its number. Newer kernel headers append
//! fields to some structs (for example `deadline_nsec` to `drm_syncobj_wait` and
//! `drm_syncobj_timeline_wait`, Linux 6.5), so a client built against them sends a
//! different number for the same ioctl. Match ioctls on [`ioc_nr`] and accept any size
//! at least as large as the old one, zero-extending what is missing, as the kernel's
//! `drm_ioctl` does.
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]

pub mod dma_buf;
pub mod drm;
pub mod drm_mode;
pub mod gemu;
pub mod i915;
pub mod ioc;
pub mod layout;
pub mod sw_sync;
pub mod sync_file;
pub mod vgem;

pub use dma_buf::*;
pub use drm::*;
pub use drm_mode::*;
pub use gemu::*;
pub use i915::*;
pub use ioc::*;
pub use sw_sync::*;
pub use sync_file::*;
pub use vgem::*;
