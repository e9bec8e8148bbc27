//! The DRM / i915 / sync_file / dma-buf user-space ABI.
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]

pub mod dma_buf;
pub mod drm;
pub mod drm_mode;
pub mod i915;
pub mod ioc;
pub mod layout;
pub mod sync_file;

pub use dma_buf::*;
pub use drm::*;
pub use drm_mode::*;
pub use i915::*;
pub use ioc::*;
pub use sync_file::*;
