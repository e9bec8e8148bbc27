//! DRM_I915_QUERY: topology, engines and memory regions, with the length-probe
//! protocol (length 0 asks for the size; too small a buffer is `EINVAL` in the item).

use crate::client::{read_struct, write_struct, ClientMemory};
use crate::file::File;
use crate::{Errno, Result};
use uapi::*;

/// Size of `struct drm_i915_query_topology_info` without its data.
const TOPOLOGY_HDR: usize = 16;
/// `struct drm_i915_query_engine_info` header, and one `drm_i915_engine_info`.
const ENGINE_HDR: usize = 16;
const ENGINE_INFO: usize = 56;
/// `struct drm_i915_query_memory_regions` header, and one `drm_i915_memory_region_info`.
const REGIONS_HDR: usize = 16;
const REGION_INFO: usize = 88;

/// A little-endian byte builder for query answers: the item structs have unions and
/// flexible arrays, so they are written field by field at their ABI offsets.
struct Out(Vec<u8>);

impl Out {
    fn new(len: usize) -> Self {
        Out(vec![0; len])
    }
    fn u16(&mut self, at: usize, v: u16) {
        self.0[at..at + 2].copy_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, at: usize, v: u32) {
        self.0[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, at: usize, v: u64) {
        self.0[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }
}

/// `copy_query_item`: `Some(len)` answers a size probe or a too-short buffer
/// (as `-EINVAL`); otherwise the user's header bytes are read (checked by the caller).
fn copy_query_item(
    caller: &dyn ClientMemory,
    item: &drm_i915_query_item,
    hdr: &mut [u8],
    total: usize,
) -> Result<Option<i32>> {
    if item.length == 0 {
        return Ok(Some(total as i32));
    }
    // The kernel compares the signed length with an unsigned total: a negative length
    // reads as a huge buffer.
    if (item.length as u32) < total as u32 {
        return Err(Errno::EINVAL);
    }
    caller.read(item.data_ptr, hdr)?;
    Ok(None)
}

impl File {
    /// IOCTL: query: answer each item; a failing item reports `-errno` in its length
    /// while the ioctl itself succeeds.
    pub(crate) fn query(&self, q: &mut drm_i915_query, caller: &dyn ClientMemory) -> Result<()> {
        if q.flags != 0 {
            return Err(Errno::EINVAL);
        }
        let size = std::mem::size_of::<drm_i915_query_item>() as u64;
        for i in 0..q.num_items as u64 {
            let addr = q.items_ptr.wrapping_add(i * size);
            let item: drm_i915_query_item = read_struct(caller, addr)?;
            if item.query_id == 0 {
                return Err(Errno::EINVAL);
            }
            let ret = match self.query_item(&item, caller) {
                Ok(len) => len,
                Err(e) => -(e as i32),
            };
            if ret != item.length {
                // Only the length is written back (at offset 8).
                write_struct(caller, addr + 8, &ret)?;
            }
        }
        Ok(())
    }

    fn query_item(&self, item: &drm_i915_query_item, caller: &dyn ClientMemory) -> Result<i32> {
        match item.query_id {
            DRM_I915_QUERY_TOPOLOGY_INFO => self.query_topology(item, caller),
            DRM_I915_QUERY_ENGINE_INFO => self.query_engines(item, caller),
            DRM_I915_QUERY_PERF_CONFIG => {
                // Known flags (list / by uuid / by id) reach perf, which this model lacks.
                if (1..=3).contains(&item.flags) {
                    Err(Errno::ENODEV)
                } else {
                    Err(Errno::EINVAL)
                }
            }
            DRM_I915_QUERY_MEMORY_REGIONS => self.query_regions(item, caller),
            // No hwconfig table without GuC; geometry subslices are Xe_HP; GuC
            // submission is off on this platform.
            DRM_I915_QUERY_HWCONFIG_BLOB
            | DRM_I915_QUERY_GEOMETRY_SUBSLICES
            | DRM_I915_QUERY_GUC_SUBMISSION_VERSION => Err(Errno::ENODEV),
            _ => Err(Errno::EINVAL),
        }
    }

    fn query_topology(&self, item: &drm_i915_query_item, caller: &dyn ClientMemory) -> Result<i32> {
        if item.flags != 0 {
            return Err(Errno::EINVAL);
        }
        let t = &self.device.platform().topology;
        let slice_len = 1;
        let ss_len = t.max_slices as usize * t.ss_stride();
        let eu_len = t.max_slices as usize * t.max_subslices as usize * t.eu_stride();
        let total = TOPOLOGY_HDR + slice_len + ss_len + eu_len;
        if let Some(len) = copy_query_item(caller, item, &mut [0; TOPOLOGY_HDR], total)? {
            return Ok(len);
        }
        let mut o = Out::new(total);
        o.u16(2, t.max_slices);
        o.u16(4, t.max_subslices);
        o.u16(6, t.max_eus_per_subslice);
        o.u16(8, slice_len as u16);
        o.u16(10, t.ss_stride() as u16);
        o.u16(12, (slice_len + ss_len) as u16);
        o.u16(14, t.eu_stride() as u16);
        let mut at = TOPOLOGY_HDR;
        o.0[at] = t.slice_mask;
        at += slice_len;
        for s in 0..t.max_slices as usize {
            let mask = if t.slice_mask & (1 << s) != 0 {
                t.subslice_mask
            } else {
                0
            };
            o.0[at..at + t.ss_stride()].copy_from_slice(&mask.to_le_bytes()[..t.ss_stride()]);
            at += t.ss_stride();
        }
        for s in 0..t.max_slices as usize {
            for ss in 0..t.max_subslices as usize {
                let on = t.slice_mask & (1 << s) != 0 && t.subslice_mask & (1 << ss) != 0;
                let mask = if on { t.eu_mask } else { 0 };
                o.0[at..at + t.eu_stride()].copy_from_slice(&mask.to_le_bytes()[..t.eu_stride()]);
                at += t.eu_stride();
            }
        }
        caller.write(item.data_ptr, &o.0)?;
        Ok(total as i32)
    }

    fn query_engines(&self, item: &drm_i915_query_item, caller: &dyn ClientMemory) -> Result<i32> {
        if item.flags != 0 {
            return Err(Errno::EINVAL);
        }
        let engines = self.device.platform().engines;
        let total = ENGINE_HDR + ENGINE_INFO * engines.len();
        let mut hdr = [0u8; ENGINE_HDR];
        if let Some(len) = copy_query_item(caller, item, &mut hdr, total)? {
            return Ok(len);
        }
        // num_engines and rsvd must come in as zero.
        if hdr.iter().any(|&b| b != 0) {
            return Err(Errno::EINVAL);
        }
        let mut o = Out::new(total);
        o.u32(0, engines.len() as u32);
        for (i, e) in engines.iter().enumerate() {
            let at = ENGINE_HDR + i * ENGINE_INFO;
            o.u16(at, e.class);
            o.u16(at + 2, e.instance);
            o.u64(at + 8, I915_ENGINE_INFO_HAS_LOGICAL_INSTANCE);
            o.u16(at + 24, e.instance);
        }
        caller.write(item.data_ptr, &o.0)?;
        Ok(total as i32)
    }

    fn query_regions(&self, item: &drm_i915_query_item, caller: &dyn ClientMemory) -> Result<i32> {
        if item.flags != 0 {
            return Err(Errno::EINVAL);
        }
        let total = REGIONS_HDR + REGION_INFO;
        let mut hdr = [0u8; REGIONS_HDR];
        if let Some(len) = copy_query_item(caller, item, &mut hdr, total)? {
            return Ok(len);
        }
        if hdr.iter().any(|&b| b != 0) {
            return Err(Errno::EINVAL);
        }
        let size = self.device.config().memory;
        let mut o = Out::new(total);
        o.u32(0, 1);
        let at = REGIONS_HDR;
        o.u16(at, I915_MEMORY_CLASS_SYSTEM);
        o.u16(at + 2, 0);
        o.u64(at + 8, size); // probed_size
        o.u64(at + 16, size); // unallocated_size: system memory is not accounted
        o.u64(at + 24, size); // probed_cpu_visible_size
        o.u64(at + 32, size); // unallocated_cpu_visible_size
        caller.write(item.data_ptr, &o.0)?;
        Ok(total as i32)
    }
}
