//! The list the layout test checks against the system's C headers.
//!
//! [`structs`] gives, for every ABI struct, its Rust size and alignment and the offset
//! and size of each C field; [`consts`] gives the value of every constant and ioctl
//! number. `uapi/tests/layout.rs` turns the same list into a C program built against
//! `<drm.h>`, `<i915_drm.h>`, `<drm_mode.h>`, `<linux/sync_file.h>` and
//! `<linux/dma-buf.h>` and compares every number.
//!
//! Explicit padding fields (`_pad0`, `_pad1`, ...) are not C fields and are not
//! listed. A C field that is another member of an anonymous union is listed as
//! `c_name = rust_field`: its offset is checked, not its size.
#![allow(clippy::eq_op)]

use crate::*;
use bytemuck::Zeroable;
use core::mem::{align_of, offset_of, size_of, size_of_val};

/// One struct (or union) of the ABI as Rust lays it out.
#[derive(Clone, Debug)]
pub struct StructLayout {
    /// The C type name without `struct`; Rust's name is the same.
    pub name: &'static str,
    pub size: usize,
    pub align: usize,
    pub fields: Vec<FieldLayout>,
}

/// One C field of a [`StructLayout`].
#[derive(Clone, Debug)]
pub struct FieldLayout {
    /// The C field name (a Rust raw identifier `r#type` is listed as `type`).
    pub name: &'static str,
    pub offset: usize,
    /// `None` for a union member that shares another member's Rust field.
    pub size: Option<usize>,
}

/// One constant or ioctl number.
#[derive(Clone, Debug)]
pub struct ConstValue {
    pub name: &'static str,
    /// The value, exact (sign-extended from a signed type).
    pub value: i128,
    /// Width of the Rust type in bits.
    pub bits: u32,
}

/// C types that are unions (`union name` in C); all others are `struct name`, except
/// names ending in `_t`, which are C typedefs of untagged-in-Rust structs.
pub const C_UNIONS: &[&str] = &["drm_wait_vblank"];

/// Items newer than the headers of libdrm 2.4.114 (Debian 12): listed so that their
/// values are written down, left out of the comparison with the system headers.
pub const NOT_IN_SYSTEM_HEADERS: &[&str] = &[
    "drm_syncobj_eventfd",
    "drm_set_client_name",
    "DRM_IOCTL_SET_CLIENT_NAME",
    "DRM_IOCTL_SYNCOBJ_EVENTFD",
    "DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE",
    "I915_PARAM_OA_TIMESTAMP_FREQUENCY",
    "I915_PARAM_PXP_STATUS",
    "I915_CONTEXT_PARAM_LOW_LATENCY",
    "DRM_I915_QUERY_GUC_SUBMISSION_VERSION",
    "drm_i915_query_guc_submission_version",
    "I915_GEM_CREATE_EXT_SET_PAT",
    "drm_i915_gem_create_ext_set_pat",
];

/// Structs whose C definition ends in a flexible array member, which Rust omits: the
/// size is the same as C's, the alignment may be smaller (the array's element type
/// can be more aligned than the rest), so alignment is not compared.
pub const FLEXIBLE_ARRAY_OMITTED: &[&str] = &[
    "i915_context_engines_load_balance",
    "i915_context_engines_bond",
    "i915_context_engines_parallel_submit",
    "i915_context_param_engines",
    "drm_i915_query_topology_info",
    "drm_i915_query_engine_info",
    "drm_i915_query_perf_config",
    "drm_i915_query_memory_regions",
];

/// Structs defined in Rust for a C anonymous struct: not C types of their own (their
/// layout is checked through the struct that contains them).
pub const RUST_ONLY_STRUCTS: &[&str] = &["drm_stats_data", "hdr_metadata_xy"];

fn c_name(stringified: &'static str) -> &'static str {
    stringified.strip_prefix("r#").unwrap_or(stringified)
}

macro_rules! layout_field {
    ($s:ident, $f:ident) => {
        FieldLayout {
            name: c_name(stringify!($f)),
            offset: offset_of!($s, $f),
            size: Some({
                let v = <$s as Zeroable>::zeroed();
                // Copied out first: a field of a packed struct cannot be borrowed.
                let f = v.$f;
                size_of_val(&f)
            }),
        }
    };
    ($s:ident, $f:ident = $rf:ident) => {
        FieldLayout {
            name: c_name(stringify!($f)),
            offset: offset_of!($s, $rf),
            size: None,
        }
    };
}

macro_rules! layout_table {
    (
        structs { $( $s:ident { $( $f:ident $(= $rf:ident)? ),* $(,)? } )* }
        consts { $( $c:ident ),* $(,)? }
    ) => {
        /// Every ABI struct with its C fields, in header order.
        pub fn structs() -> Vec<StructLayout> {
            vec![$(
                StructLayout {
                    name: stringify!($s),
                    size: size_of::<$s>(),
                    align: align_of::<$s>(),
                    fields: vec![$( layout_field!($s, $f $(= $rf)?) ),*],
                }
            ),*]
        }

        /// Every constant and ioctl number, in header order.
        pub fn consts() -> Vec<ConstValue> {
            vec![$(
                ConstValue {
                    name: stringify!($c),
                    value: $c as i128,
                    bits: (size_of_val(&$c) * 8) as u32,
                }
            ),*]
        }
    };
}

layout_table! {
    structs {
        // drm
        drm_clip_rect { x1, y1, x2, y2 }
        drm_drawable_info { num_rects, rects }
        drm_tex_region { next, prev, in_use, padding, age }
        drm_hw_lock { lock, padding }
        drm_version {
            version_major, version_minor, version_patchlevel, name_len, name, date_len, date,
            desc_len, desc
        }
        drm_unique { unique_len, unique }
        drm_list { count, version }
        drm_block { unused }
        drm_control { func, irq }
        drm_ctx_priv_map { ctx_id, handle }
        drm_map { offset, size, r#type, flags, handle, mtrr }
        drm_client { idx, auth, pid, uid, magic, iocs }
        drm_stats { count, data }
        drm_lock { context, flags }
        drm_buf_desc { count, size, low_mark, high_mark, flags, agp_start }
        drm_buf_info { count, list }
        drm_buf_free { count, list }
        drm_buf_pub { idx, total, used, address }
        drm_buf_map { count, r#virtual, list }
        drm_dma {
            context, send_count, send_indices, send_sizes, flags, request_count, request_size,
            request_indices, request_sizes, granted_count
        }
        drm_ctx { handle, flags }
        drm_ctx_res { count, contexts }
        drm_draw { handle }
        drm_update_draw { handle, r#type, num, data }
        drm_auth { magic }
        drm_irq_busid { irq, busnum, devnum, funcnum }
        drm_wait_vblank_request { r#type, sequence, signal }
        drm_wait_vblank_reply { r#type, sequence, tval_sec, tval_usec }
        drm_wait_vblank { reply, request = reply }
        drm_modeset_ctl { crtc, cmd }
        drm_agp_mode { mode }
        drm_agp_buffer { size, handle, r#type, physical }
        drm_agp_binding { handle, offset }
        drm_agp_info {
            agp_version_major, agp_version_minor, mode, aperture_base, aperture_size,
            memory_allowed, memory_used, id_vendor, id_device
        }
        drm_scatter_gather { size, handle }
        drm_set_version { drm_di_major, drm_di_minor, drm_dd_major, drm_dd_minor }
        drm_gem_close { handle, pad }
        drm_gem_flink { handle, name }
        drm_gem_open { name, handle, size }
        drm_get_cap { capability, value }
        drm_set_client_cap { capability, value }
        drm_prime_handle { handle, flags, fd }
        drm_syncobj_create { handle, flags }
        drm_syncobj_destroy { handle, pad }
        drm_syncobj_handle { handle, flags, fd, pad }
        drm_syncobj_transfer { src_handle, dst_handle, src_point, dst_point, flags, pad }
        drm_syncobj_wait { handles, timeout_nsec, count_handles, flags, first_signaled, pad }
        drm_syncobj_timeline_wait {
            handles, points, timeout_nsec, count_handles, flags, first_signaled, pad
        }
        drm_syncobj_array { handles, count_handles, pad }
        drm_syncobj_timeline_array { handles, points, count_handles, flags }
        drm_syncobj_eventfd { handle, flags, point, fd, pad }
        drm_set_client_name { name_len, name }
        drm_crtc_get_sequence { crtc_id, active, sequence, sequence_ns }
        drm_crtc_queue_sequence { crtc_id, flags, sequence, user_data }
        drm_event { r#type, length }
        drm_event_vblank { base, user_data, tv_sec, tv_usec, sequence, crtc_id }
        drm_event_crtc_sequence { base, user_data, time_ns, sequence }
        // drm_mode
        drm_mode_modeinfo {
            clock, hdisplay, hsync_start, hsync_end, htotal, hskew, vdisplay, vsync_start,
            vsync_end, vtotal, vscan, vrefresh, flags, r#type, name
        }
        drm_mode_card_res {
            fb_id_ptr, crtc_id_ptr, connector_id_ptr, encoder_id_ptr, count_fbs, count_crtcs,
            count_connectors, count_encoders, min_width, max_width, min_height, max_height
        }
        drm_mode_crtc {
            set_connectors_ptr, count_connectors, crtc_id, fb_id, x, y, gamma_size, mode_valid,
            mode
        }
        drm_mode_set_plane {
            plane_id, crtc_id, fb_id, flags, crtc_x, crtc_y, crtc_w, crtc_h, src_x, src_y,
            src_h, src_w
        }
        drm_mode_get_plane {
            plane_id, crtc_id, fb_id, possible_crtcs, gamma_size, count_format_types,
            format_type_ptr
        }
        drm_mode_get_plane_res { plane_id_ptr, count_planes }
        drm_mode_get_encoder { encoder_id, encoder_type, crtc_id, possible_crtcs, possible_clones }
        drm_mode_get_connector {
            encoders_ptr, modes_ptr, props_ptr, prop_values_ptr, count_modes, count_props,
            count_encoders, encoder_id, connector_id, connector_type, connector_type_id,
            connection, mm_width, mm_height, subpixel, pad
        }
        drm_mode_property_enum { value, name }
        drm_mode_get_property {
            values_ptr, enum_blob_ptr, prop_id, flags, name, count_values, count_enum_blobs
        }
        drm_mode_connector_set_property { value, prop_id, connector_id }
        drm_mode_obj_get_properties { props_ptr, prop_values_ptr, count_props, obj_id, obj_type }
        drm_mode_obj_set_property { value, prop_id, obj_id, obj_type }
        drm_mode_get_blob { blob_id, length, data }
        drm_mode_fb_cmd { fb_id, width, height, pitch, bpp, depth, handle }
        drm_mode_fb_cmd2 {
            fb_id, width, height, pixel_format, flags, handles, pitches, offsets, modifier
        }
        drm_mode_fb_dirty_cmd { fb_id, flags, color, num_clips, clips_ptr }
        drm_mode_mode_cmd { connector_id, mode }
        drm_mode_cursor { flags, crtc_id, x, y, width, height, handle }
        drm_mode_cursor2 { flags, crtc_id, x, y, width, height, handle, hot_x, hot_y }
        drm_mode_crtc_lut { crtc_id, gamma_size, red, green, blue }
        drm_color_ctm { matrix }
        drm_color_lut { red, green, blue, reserved }
        hdr_metadata_infoframe {
            eotf, metadata_type, display_primaries, white_point,
            max_display_mastering_luminance, min_display_mastering_luminance, max_cll, max_fall
        }
        hdr_output_metadata { metadata_type, hdmi_metadata_type1 }
        drm_mode_crtc_page_flip { crtc_id, fb_id, flags, reserved, user_data }
        drm_mode_crtc_page_flip_target { crtc_id, fb_id, flags, sequence, user_data }
        drm_mode_create_dumb { height, width, bpp, flags, handle, pitch, size }
        drm_mode_map_dumb { handle, pad, offset }
        drm_mode_destroy_dumb { handle }
        drm_mode_atomic {
            flags, count_objs, objs_ptr, count_props_ptr, props_ptr, prop_values_ptr, reserved,
            user_data
        }
        drm_format_modifier_blob {
            version, flags, count_formats, formats_offset, count_modifiers, modifiers_offset
        }
        drm_format_modifier { formats, offset, pad, modifier }
        drm_mode_create_blob { data, length, blob_id }
        drm_mode_destroy_blob { blob_id }
        drm_mode_create_lease { object_ids, object_count, flags, lessee_id, fd }
        drm_mode_list_lessees { count_lessees, pad, lessees_ptr }
        drm_mode_get_lease { count_objects, pad, objects_ptr }
        drm_mode_revoke_lease { lessee_id }
        drm_mode_rect { x1, y1, x2, y2 }
        // i915
        i915_user_extension { next_extension, name, flags, rsvd }
        i915_engine_class_instance { engine_class, engine_instance }
        drm_i915_init_t {
            func, mmio_offset, sarea_priv_offset, ring_start, ring_end, ring_size, front_offset,
            back_offset, depth_offset, w, h, pitch, pitch_bits, back_pitch, depth_pitch, cpp,
            chipset
        }
        drm_i915_sarea_t {
            texList, last_upload, last_enqueue, last_dispatch, ctxOwner, texAge, pf_enabled,
            pf_active, pf_current_page, perf_boxes, width, height, front_handle, front_offset,
            front_size, back_handle, back_offset, back_size, depth_handle, depth_offset,
            depth_size, tex_handle, tex_offset, tex_size, log_tex_granularity, pitch, rotation,
            rotated_offset, rotated_size, rotated_pitch, virtualX, virtualY, front_tiled,
            back_tiled, depth_tiled, rotated_tiled, rotated2_tiled, pipeA_x, pipeA_y, pipeA_w,
            pipeA_h, pipeB_x, pipeB_y, pipeB_w, pipeB_h, unused_handle, unused1, unused2,
            unused3, front_bo_handle, back_bo_handle, unused_bo_handle, depth_bo_handle
        }
        drm_i915_batchbuffer { start, used, DR1, DR4, num_cliprects, cliprects }
        drm_i915_cmdbuffer_t { buf, sz, DR1, DR4, num_cliprects, cliprects }
        drm_i915_irq_emit { irq_seq }
        drm_i915_irq_wait { irq_seq }
        drm_i915_getparam { param, value }
        drm_i915_setparam { param, value }
        drm_i915_mem_alloc { region, alignment, size, region_offset }
        drm_i915_mem_free { region, region_offset }
        drm_i915_mem_init_heap { region, size, start }
        drm_i915_mem_destroy_heap { region }
        drm_i915_vblank_pipe { pipe }
        drm_i915_vblank_swap { drawable, seqtype, sequence }
        drm_i915_hws_addr { addr }
        drm_i915_gem_init { gtt_start, gtt_end }
        drm_i915_gem_create { size, handle, pad }
        drm_i915_gem_pread { handle, pad, offset, size, data_ptr }
        drm_i915_gem_pwrite { handle, pad, offset, size, data_ptr }
        drm_i915_gem_mmap { handle, pad, offset, size, addr_ptr, flags }
        drm_i915_gem_mmap_gtt { handle, pad, offset }
        drm_i915_gem_mmap_offset { handle, pad, offset, flags, extensions }
        drm_i915_gem_set_domain { handle, read_domains, write_domain }
        drm_i915_gem_sw_finish { handle }
        drm_i915_gem_relocation_entry {
            target_handle, delta, offset, presumed_offset, read_domains, write_domain
        }
        drm_i915_gem_exec_object { handle, relocation_count, relocs_ptr, alignment, offset }
        drm_i915_gem_execbuffer {
            buffers_ptr, buffer_count, batch_start_offset, batch_len, DR1, DR4, num_cliprects,
            cliprects_ptr
        }
        drm_i915_gem_exec_object2 {
            handle, relocation_count, relocs_ptr, alignment, offset, flags, pad_to_size, rsvd1 =
            pad_to_size, rsvd2
        }
        drm_i915_gem_exec_fence { handle, flags }
        drm_i915_gem_execbuffer_ext_timeline_fences { base, fence_count, handles_ptr, values_ptr }
        drm_i915_gem_execbuffer2 {
            buffers_ptr, buffer_count, batch_start_offset, batch_len, DR1, DR4, num_cliprects,
            cliprects_ptr, flags, rsvd1, rsvd2
        }
        drm_i915_gem_pin { handle, pad, alignment, offset }
        drm_i915_gem_unpin { handle, pad }
        drm_i915_gem_busy { handle, busy }
        drm_i915_gem_caching { handle, caching }
        drm_i915_gem_set_tiling { handle, tiling_mode, stride, swizzle_mode }
        drm_i915_gem_get_tiling { handle, tiling_mode, swizzle_mode, phys_swizzle_mode }
        drm_i915_gem_get_aperture { aper_size, aper_available_size }
        drm_i915_get_pipe_from_crtc_id { crtc_id, pipe }
        drm_i915_gem_madvise { handle, madv, retained }
        drm_intel_overlay_put_image {
            flags, bo_handle, stride_Y, stride_UV, offset_Y, offset_U, offset_V, src_width,
            src_height, src_scan_width, src_scan_height, crtc_id, dst_x, dst_y, dst_width,
            dst_height
        }
        drm_intel_overlay_attrs {
            flags, color_key, brightness, contrast, saturation, gamma0, gamma1, gamma2, gamma3,
            gamma4, gamma5
        }
        drm_intel_sprite_colorkey { plane_id, min_value, channel_mask, max_value, flags }
        drm_i915_gem_wait { bo_handle, flags, timeout_ns }
        drm_i915_gem_context_create { ctx_id, pad }
        drm_i915_gem_context_create_ext { ctx_id, flags, extensions }
        drm_i915_gem_context_param { ctx_id, size, param, value }
        drm_i915_gem_context_param_sseu {
            engine, flags, slice_mask, subslice_mask, min_eus_per_subslice,
            max_eus_per_subslice, rsvd
        }
        i915_context_engines_load_balance { base, engine_index, num_siblings, flags, mbz64 }
        i915_context_engines_bond { base, master, virtual_index, num_bonds, flags, mbz64 }
        i915_context_engines_parallel_submit {
            base, engine_index, width, num_siblings, mbz16, flags, mbz64
        }
        i915_context_param_engines { extensions }
        drm_i915_gem_context_create_ext_setparam { base, param }
        drm_i915_gem_context_destroy { ctx_id, pad }
        drm_i915_gem_vm_control { extensions, flags, vm_id }
        drm_i915_reg_read { offset, val }
        drm_i915_reset_stats { ctx_id, flags, reset_count, batch_active, batch_pending, pad }
        drm_i915_gem_userptr { user_ptr, user_size, flags, handle }
        drm_i915_perf_open_param { flags, num_properties, properties_ptr }
        drm_i915_perf_record_header { r#type, pad, size }
        drm_i915_perf_oa_config {
            uuid, n_mux_regs, n_boolean_regs, n_flex_regs, mux_regs_ptr, boolean_regs_ptr,
            flex_regs_ptr
        }
        drm_i915_query_item { query_id, length, flags, data_ptr }
        drm_i915_query { num_items, flags, items_ptr }
        drm_i915_query_topology_info {
            flags, max_slices, max_subslices, max_eus_per_subslice, subslice_offset,
            subslice_stride, eu_offset, eu_stride
        }
        drm_i915_engine_info { engine, rsvd0, flags, capabilities, logical_instance, rsvd1, rsvd2 }
        drm_i915_query_engine_info { num_engines, rsvd }
        drm_i915_query_perf_config { n_configs, config = n_configs, uuid = n_configs, flags }
        drm_i915_gem_memory_class_instance { memory_class, memory_instance }
        drm_i915_memory_region_info {
            region, rsvd0, probed_size, unallocated_size, probed_cpu_visible_size,
            unallocated_cpu_visible_size, rsvd1 = probed_cpu_visible_size
        }
        drm_i915_query_memory_regions { num_regions, rsvd }
        drm_i915_query_guc_submission_version { branch, major, minor, patch }
        drm_i915_gem_create_ext { size, handle, flags, extensions }
        drm_i915_gem_create_ext_memory_regions { base, pad, num_regions, regions }
        drm_i915_gem_create_ext_protected_content { base, flags }
        drm_i915_gem_create_ext_set_pat { base, pat_index, rsvd }
        // sync_file
        sync_merge_data { name, fd2, fence, flags, pad }
        sync_fence_info { obj_name, driver_name, status, flags, timestamp_ns }
        sync_file_info { name, status, flags, num_fences, pad, sync_fence_info }
        // dma_buf
        dma_buf_sync { flags }
        dma_buf_export_sync_file { flags, fd }
        dma_buf_import_sync_file { flags, fd }
    }
    consts {
        // drm
        DRM_ADD_COMMAND,
        DRM_RM_COMMAND,
        DRM_INST_HANDLER,
        DRM_UNINST_HANDLER,
        _DRM_FRAME_BUFFER,
        _DRM_REGISTERS,
        _DRM_SHM,
        _DRM_AGP,
        _DRM_SCATTER_GATHER,
        _DRM_CONSISTENT,
        _DRM_RESTRICTED,
        _DRM_READ_ONLY,
        _DRM_LOCKED,
        _DRM_KERNEL,
        _DRM_WRITE_COMBINING,
        _DRM_CONTAINS_LOCK,
        _DRM_REMOVABLE,
        _DRM_DRIVER,
        _DRM_STAT_LOCK,
        _DRM_STAT_OPENS,
        _DRM_STAT_CLOSES,
        _DRM_STAT_IOCTLS,
        _DRM_STAT_LOCKS,
        _DRM_STAT_UNLOCKS,
        _DRM_STAT_VALUE,
        _DRM_STAT_BYTE,
        _DRM_STAT_COUNT,
        _DRM_STAT_IRQ,
        _DRM_STAT_PRIMARY,
        _DRM_STAT_SECONDARY,
        _DRM_STAT_DMA,
        _DRM_STAT_SPECIAL,
        _DRM_STAT_MISSED,
        _DRM_LOCK_READY,
        _DRM_LOCK_QUIESCENT,
        _DRM_LOCK_FLUSH,
        _DRM_LOCK_FLUSH_ALL,
        _DRM_HALT_ALL_QUEUES,
        _DRM_HALT_CUR_QUEUES,
        _DRM_DMA_BLOCK,
        _DRM_DMA_WHILE_LOCKED,
        _DRM_DMA_PRIORITY,
        _DRM_DMA_WAIT,
        _DRM_DMA_SMALLER_OK,
        _DRM_DMA_LARGER_OK,
        _DRM_PAGE_ALIGN,
        _DRM_AGP_BUFFER,
        _DRM_SG_BUFFER,
        _DRM_FB_BUFFER,
        _DRM_PCI_BUFFER_RO,
        _DRM_CONTEXT_PRESERVED,
        _DRM_CONTEXT_2DONLY,
        DRM_DRAWABLE_CLIPRECTS,
        _DRM_VBLANK_ABSOLUTE,
        _DRM_VBLANK_RELATIVE,
        _DRM_VBLANK_HIGH_CRTC_MASK,
        _DRM_VBLANK_EVENT,
        _DRM_VBLANK_FLIP,
        _DRM_VBLANK_NEXTONMISS,
        _DRM_VBLANK_SECONDARY,
        _DRM_VBLANK_SIGNAL,
        DRM_MIN_ORDER,
        DRM_MAX_ORDER,
        DRM_RAM_PERCENT,
        _DRM_LOCK_HELD,
        _DRM_LOCK_CONT,
        _DRM_VBLANK_HIGH_CRTC_SHIFT,
        _DRM_VBLANK_TYPES_MASK,
        _DRM_VBLANK_FLAGS_MASK,
        _DRM_PRE_MODESET,
        _DRM_POST_MODESET,
        DRM_CAP_DUMB_BUFFER,
        DRM_CAP_VBLANK_HIGH_CRTC,
        DRM_CAP_DUMB_PREFERRED_DEPTH,
        DRM_CAP_DUMB_PREFER_SHADOW,
        DRM_CAP_PRIME,
        DRM_PRIME_CAP_IMPORT,
        DRM_PRIME_CAP_EXPORT,
        DRM_CAP_TIMESTAMP_MONOTONIC,
        DRM_CAP_ASYNC_PAGE_FLIP,
        DRM_CAP_CURSOR_WIDTH,
        DRM_CAP_CURSOR_HEIGHT,
        DRM_CAP_ADDFB2_MODIFIERS,
        DRM_CAP_PAGE_FLIP_TARGET,
        DRM_CAP_CRTC_IN_VBLANK_EVENT,
        DRM_CAP_SYNCOBJ,
        DRM_CAP_SYNCOBJ_TIMELINE,
        DRM_CLIENT_CAP_STEREO_3D,
        DRM_CLIENT_CAP_UNIVERSAL_PLANES,
        DRM_CLIENT_CAP_ATOMIC,
        DRM_CLIENT_CAP_ASPECT_RATIO,
        DRM_CLIENT_CAP_WRITEBACK_CONNECTORS,
        DRM_RDWR,
        DRM_CLOEXEC,
        DRM_SYNCOBJ_CREATE_SIGNALED,
        DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
        DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
        DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
        DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
        DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
        DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE,
        DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED,
        DRM_CRTC_SEQUENCE_RELATIVE,
        DRM_CRTC_SEQUENCE_NEXT_ON_MISS,
        DRM_IOCTL_BASE,
        DRM_IOCTL_VERSION,
        DRM_IOCTL_GET_UNIQUE,
        DRM_IOCTL_GET_MAGIC,
        DRM_IOCTL_IRQ_BUSID,
        DRM_IOCTL_GET_MAP,
        DRM_IOCTL_GET_CLIENT,
        DRM_IOCTL_GET_STATS,
        DRM_IOCTL_SET_VERSION,
        DRM_IOCTL_MODESET_CTL,
        DRM_IOCTL_GEM_CLOSE,
        DRM_IOCTL_GEM_FLINK,
        DRM_IOCTL_GEM_OPEN,
        DRM_IOCTL_GET_CAP,
        DRM_IOCTL_SET_CLIENT_CAP,
        DRM_IOCTL_SET_UNIQUE,
        DRM_IOCTL_AUTH_MAGIC,
        DRM_IOCTL_BLOCK,
        DRM_IOCTL_UNBLOCK,
        DRM_IOCTL_CONTROL,
        DRM_IOCTL_ADD_MAP,
        DRM_IOCTL_ADD_BUFS,
        DRM_IOCTL_MARK_BUFS,
        DRM_IOCTL_INFO_BUFS,
        DRM_IOCTL_MAP_BUFS,
        DRM_IOCTL_FREE_BUFS,
        DRM_IOCTL_RM_MAP,
        DRM_IOCTL_SET_SAREA_CTX,
        DRM_IOCTL_GET_SAREA_CTX,
        DRM_IOCTL_SET_MASTER,
        DRM_IOCTL_DROP_MASTER,
        DRM_IOCTL_ADD_CTX,
        DRM_IOCTL_RM_CTX,
        DRM_IOCTL_MOD_CTX,
        DRM_IOCTL_GET_CTX,
        DRM_IOCTL_SWITCH_CTX,
        DRM_IOCTL_NEW_CTX,
        DRM_IOCTL_RES_CTX,
        DRM_IOCTL_ADD_DRAW,
        DRM_IOCTL_RM_DRAW,
        DRM_IOCTL_DMA,
        DRM_IOCTL_LOCK,
        DRM_IOCTL_UNLOCK,
        DRM_IOCTL_FINISH,
        DRM_IOCTL_PRIME_HANDLE_TO_FD,
        DRM_IOCTL_PRIME_FD_TO_HANDLE,
        DRM_IOCTL_AGP_ACQUIRE,
        DRM_IOCTL_AGP_RELEASE,
        DRM_IOCTL_AGP_ENABLE,
        DRM_IOCTL_AGP_INFO,
        DRM_IOCTL_AGP_ALLOC,
        DRM_IOCTL_AGP_FREE,
        DRM_IOCTL_AGP_BIND,
        DRM_IOCTL_AGP_UNBIND,
        DRM_IOCTL_SG_ALLOC,
        DRM_IOCTL_SG_FREE,
        DRM_IOCTL_WAIT_VBLANK,
        DRM_IOCTL_CRTC_GET_SEQUENCE,
        DRM_IOCTL_CRTC_QUEUE_SEQUENCE,
        DRM_IOCTL_UPDATE_DRAW,
        DRM_IOCTL_MODE_GETRESOURCES,
        DRM_IOCTL_MODE_GETCRTC,
        DRM_IOCTL_MODE_SETCRTC,
        DRM_IOCTL_MODE_CURSOR,
        DRM_IOCTL_MODE_GETGAMMA,
        DRM_IOCTL_MODE_SETGAMMA,
        DRM_IOCTL_MODE_GETENCODER,
        DRM_IOCTL_MODE_GETCONNECTOR,
        DRM_IOCTL_MODE_ATTACHMODE,
        DRM_IOCTL_MODE_DETACHMODE,
        DRM_IOCTL_MODE_GETPROPERTY,
        DRM_IOCTL_MODE_SETPROPERTY,
        DRM_IOCTL_MODE_GETPROPBLOB,
        DRM_IOCTL_MODE_GETFB,
        DRM_IOCTL_MODE_ADDFB,
        DRM_IOCTL_MODE_RMFB,
        DRM_IOCTL_MODE_PAGE_FLIP,
        DRM_IOCTL_MODE_DIRTYFB,
        DRM_IOCTL_MODE_CREATE_DUMB,
        DRM_IOCTL_MODE_MAP_DUMB,
        DRM_IOCTL_MODE_DESTROY_DUMB,
        DRM_IOCTL_MODE_GETPLANERESOURCES,
        DRM_IOCTL_MODE_GETPLANE,
        DRM_IOCTL_MODE_SETPLANE,
        DRM_IOCTL_MODE_ADDFB2,
        DRM_IOCTL_MODE_OBJ_GETPROPERTIES,
        DRM_IOCTL_MODE_OBJ_SETPROPERTY,
        DRM_IOCTL_MODE_CURSOR2,
        DRM_IOCTL_MODE_ATOMIC,
        DRM_IOCTL_MODE_CREATEPROPBLOB,
        DRM_IOCTL_MODE_DESTROYPROPBLOB,
        DRM_IOCTL_SYNCOBJ_CREATE,
        DRM_IOCTL_SYNCOBJ_DESTROY,
        DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
        DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
        DRM_IOCTL_SYNCOBJ_WAIT,
        DRM_IOCTL_SYNCOBJ_RESET,
        DRM_IOCTL_SYNCOBJ_SIGNAL,
        DRM_IOCTL_MODE_CREATE_LEASE,
        DRM_IOCTL_MODE_LIST_LESSEES,
        DRM_IOCTL_MODE_GET_LEASE,
        DRM_IOCTL_MODE_REVOKE_LEASE,
        DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT,
        DRM_IOCTL_SYNCOBJ_QUERY,
        DRM_IOCTL_SYNCOBJ_TRANSFER,
        DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL,
        DRM_IOCTL_MODE_GETFB2,
        DRM_IOCTL_SYNCOBJ_EVENTFD,
        DRM_IOCTL_SET_CLIENT_NAME,
        DRM_COMMAND_BASE,
        DRM_COMMAND_END,
        DRM_EVENT_VBLANK,
        DRM_EVENT_FLIP_COMPLETE,
        DRM_EVENT_CRTC_SEQUENCE,
        // drm_mode
        DRM_MODE_SUBCONNECTOR_Automatic,
        DRM_MODE_SUBCONNECTOR_Unknown,
        DRM_MODE_SUBCONNECTOR_VGA,
        DRM_MODE_SUBCONNECTOR_DVID,
        DRM_MODE_SUBCONNECTOR_DVIA,
        DRM_MODE_SUBCONNECTOR_Composite,
        DRM_MODE_SUBCONNECTOR_SVIDEO,
        DRM_MODE_SUBCONNECTOR_Component,
        DRM_MODE_SUBCONNECTOR_SCART,
        DRM_MODE_SUBCONNECTOR_DisplayPort,
        DRM_MODE_SUBCONNECTOR_HDMIA,
        DRM_MODE_SUBCONNECTOR_Native,
        DRM_MODE_SUBCONNECTOR_Wireless,
        DRM_CONNECTOR_NAME_LEN,
        DRM_DISPLAY_MODE_LEN,
        DRM_PROP_NAME_LEN,
        DRM_MODE_TYPE_BUILTIN,
        DRM_MODE_TYPE_CLOCK_C,
        DRM_MODE_TYPE_CRTC_C,
        DRM_MODE_TYPE_PREFERRED,
        DRM_MODE_TYPE_DEFAULT,
        DRM_MODE_TYPE_USERDEF,
        DRM_MODE_TYPE_DRIVER,
        DRM_MODE_TYPE_ALL,
        DRM_MODE_FLAG_PHSYNC,
        DRM_MODE_FLAG_NHSYNC,
        DRM_MODE_FLAG_PVSYNC,
        DRM_MODE_FLAG_NVSYNC,
        DRM_MODE_FLAG_INTERLACE,
        DRM_MODE_FLAG_DBLSCAN,
        DRM_MODE_FLAG_CSYNC,
        DRM_MODE_FLAG_PCSYNC,
        DRM_MODE_FLAG_NCSYNC,
        DRM_MODE_FLAG_HSKEW,
        DRM_MODE_FLAG_BCAST,
        DRM_MODE_FLAG_PIXMUX,
        DRM_MODE_FLAG_DBLCLK,
        DRM_MODE_FLAG_CLKDIV2,
        DRM_MODE_FLAG_3D_MASK,
        DRM_MODE_FLAG_3D_NONE,
        DRM_MODE_FLAG_3D_FRAME_PACKING,
        DRM_MODE_FLAG_3D_FIELD_ALTERNATIVE,
        DRM_MODE_FLAG_3D_LINE_ALTERNATIVE,
        DRM_MODE_FLAG_3D_SIDE_BY_SIDE_FULL,
        DRM_MODE_FLAG_3D_L_DEPTH,
        DRM_MODE_FLAG_3D_L_DEPTH_GFX_GFX_DEPTH,
        DRM_MODE_FLAG_3D_TOP_AND_BOTTOM,
        DRM_MODE_FLAG_3D_SIDE_BY_SIDE_HALF,
        DRM_MODE_PICTURE_ASPECT_NONE,
        DRM_MODE_PICTURE_ASPECT_4_3,
        DRM_MODE_PICTURE_ASPECT_16_9,
        DRM_MODE_PICTURE_ASPECT_64_27,
        DRM_MODE_PICTURE_ASPECT_256_135,
        DRM_MODE_CONTENT_TYPE_NO_DATA,
        DRM_MODE_CONTENT_TYPE_GRAPHICS,
        DRM_MODE_CONTENT_TYPE_PHOTO,
        DRM_MODE_CONTENT_TYPE_CINEMA,
        DRM_MODE_CONTENT_TYPE_GAME,
        DRM_MODE_FLAG_PIC_AR_MASK,
        DRM_MODE_FLAG_PIC_AR_NONE,
        DRM_MODE_FLAG_PIC_AR_4_3,
        DRM_MODE_FLAG_PIC_AR_16_9,
        DRM_MODE_FLAG_PIC_AR_64_27,
        DRM_MODE_FLAG_PIC_AR_256_135,
        DRM_MODE_FLAG_ALL,
        DRM_MODE_DPMS_ON,
        DRM_MODE_DPMS_STANDBY,
        DRM_MODE_DPMS_SUSPEND,
        DRM_MODE_DPMS_OFF,
        DRM_MODE_SCALE_NONE,
        DRM_MODE_SCALE_FULLSCREEN,
        DRM_MODE_SCALE_CENTER,
        DRM_MODE_SCALE_ASPECT,
        DRM_MODE_DITHERING_OFF,
        DRM_MODE_DITHERING_ON,
        DRM_MODE_DITHERING_AUTO,
        DRM_MODE_DIRTY_OFF,
        DRM_MODE_DIRTY_ON,
        DRM_MODE_DIRTY_ANNOTATE,
        DRM_MODE_LINK_STATUS_GOOD,
        DRM_MODE_LINK_STATUS_BAD,
        DRM_MODE_ROTATE_0,
        DRM_MODE_ROTATE_90,
        DRM_MODE_ROTATE_180,
        DRM_MODE_ROTATE_270,
        DRM_MODE_ROTATE_MASK,
        DRM_MODE_REFLECT_X,
        DRM_MODE_REFLECT_Y,
        DRM_MODE_REFLECT_MASK,
        DRM_MODE_CONTENT_PROTECTION_UNDESIRED,
        DRM_MODE_CONTENT_PROTECTION_DESIRED,
        DRM_MODE_CONTENT_PROTECTION_ENABLED,
        DRM_MODE_PRESENT_TOP_FIELD,
        DRM_MODE_PRESENT_BOTTOM_FIELD,
        DRM_MODE_ENCODER_NONE,
        DRM_MODE_ENCODER_DAC,
        DRM_MODE_ENCODER_TMDS,
        DRM_MODE_ENCODER_LVDS,
        DRM_MODE_ENCODER_TVDAC,
        DRM_MODE_ENCODER_VIRTUAL,
        DRM_MODE_ENCODER_DSI,
        DRM_MODE_ENCODER_DPMST,
        DRM_MODE_ENCODER_DPI,
        DRM_MODE_CONNECTOR_Unknown,
        DRM_MODE_CONNECTOR_VGA,
        DRM_MODE_CONNECTOR_DVII,
        DRM_MODE_CONNECTOR_DVID,
        DRM_MODE_CONNECTOR_DVIA,
        DRM_MODE_CONNECTOR_Composite,
        DRM_MODE_CONNECTOR_SVIDEO,
        DRM_MODE_CONNECTOR_LVDS,
        DRM_MODE_CONNECTOR_Component,
        DRM_MODE_CONNECTOR_9PinDIN,
        DRM_MODE_CONNECTOR_DisplayPort,
        DRM_MODE_CONNECTOR_HDMIA,
        DRM_MODE_CONNECTOR_HDMIB,
        DRM_MODE_CONNECTOR_TV,
        DRM_MODE_CONNECTOR_eDP,
        DRM_MODE_CONNECTOR_VIRTUAL,
        DRM_MODE_CONNECTOR_DSI,
        DRM_MODE_CONNECTOR_DPI,
        DRM_MODE_CONNECTOR_WRITEBACK,
        DRM_MODE_CONNECTOR_SPI,
        DRM_MODE_CONNECTOR_USB,
        DRM_MODE_PROP_PENDING,
        DRM_MODE_PROP_RANGE,
        DRM_MODE_PROP_IMMUTABLE,
        DRM_MODE_PROP_ENUM,
        DRM_MODE_PROP_BLOB,
        DRM_MODE_PROP_BITMASK,
        DRM_MODE_PROP_LEGACY_TYPE,
        DRM_MODE_PROP_EXTENDED_TYPE,
        DRM_MODE_PROP_OBJECT,
        DRM_MODE_PROP_SIGNED_RANGE,
        DRM_MODE_PROP_ATOMIC,
        DRM_MODE_OBJECT_CRTC,
        DRM_MODE_OBJECT_CONNECTOR,
        DRM_MODE_OBJECT_ENCODER,
        DRM_MODE_OBJECT_MODE,
        DRM_MODE_OBJECT_PROPERTY,
        DRM_MODE_OBJECT_FB,
        DRM_MODE_OBJECT_BLOB,
        DRM_MODE_OBJECT_PLANE,
        DRM_MODE_OBJECT_ANY,
        DRM_MODE_FB_INTERLACED,
        DRM_MODE_FB_MODIFIERS,
        DRM_MODE_FB_DIRTY_ANNOTATE_COPY,
        DRM_MODE_FB_DIRTY_ANNOTATE_FILL,
        DRM_MODE_FB_DIRTY_FLAGS,
        DRM_MODE_FB_DIRTY_MAX_CLIPS,
        DRM_MODE_CURSOR_BO,
        DRM_MODE_CURSOR_MOVE,
        DRM_MODE_CURSOR_FLAGS,
        DRM_MODE_PAGE_FLIP_EVENT,
        DRM_MODE_PAGE_FLIP_ASYNC,
        DRM_MODE_PAGE_FLIP_TARGET_ABSOLUTE,
        DRM_MODE_PAGE_FLIP_TARGET_RELATIVE,
        DRM_MODE_PAGE_FLIP_TARGET,
        DRM_MODE_PAGE_FLIP_FLAGS,
        DRM_MODE_ATOMIC_TEST_ONLY,
        DRM_MODE_ATOMIC_NONBLOCK,
        DRM_MODE_ATOMIC_ALLOW_MODESET,
        DRM_MODE_ATOMIC_FLAGS,
        FORMAT_BLOB_CURRENT,
        // i915
        I915_MOCS_UNCACHED,
        I915_MOCS_PTE,
        I915_MOCS_CACHED,
        I915_ENGINE_CLASS_RENDER,
        I915_ENGINE_CLASS_COPY,
        I915_ENGINE_CLASS_VIDEO,
        I915_ENGINE_CLASS_VIDEO_ENHANCE,
        I915_ENGINE_CLASS_COMPUTE,
        I915_ENGINE_CLASS_INVALID,
        I915_SAMPLE_BUSY,
        I915_SAMPLE_WAIT,
        I915_SAMPLE_SEMA,
        I915_INIT_DMA,
        I915_CLEANUP_DMA,
        I915_RESUME_DMA,
        I915_OA_FORMAT_A13,
        I915_OA_FORMAT_A29,
        I915_OA_FORMAT_A13_B8_C8,
        I915_OA_FORMAT_B4_C8,
        I915_OA_FORMAT_A45_B8_C8,
        I915_OA_FORMAT_B4_C8_A16,
        I915_OA_FORMAT_C4_B8,
        I915_OA_FORMAT_A12,
        I915_OA_FORMAT_A12_B8_C8,
        I915_OA_FORMAT_A32u40_A4u32_B8_C8,
        I915_OA_FORMAT_MAX,
        DRM_I915_PERF_PROP_CTX_HANDLE,
        DRM_I915_PERF_PROP_SAMPLE_OA,
        DRM_I915_PERF_PROP_OA_METRICS_SET,
        DRM_I915_PERF_PROP_OA_FORMAT,
        DRM_I915_PERF_PROP_OA_EXPONENT,
        DRM_I915_PERF_PROP_HOLD_PREEMPTION,
        DRM_I915_PERF_PROP_GLOBAL_SSEU,
        DRM_I915_PERF_PROP_POLL_OA_PERIOD,
        DRM_I915_PERF_PROP_MAX,
        DRM_I915_PERF_RECORD_SAMPLE,
        DRM_I915_PERF_RECORD_OA_REPORT_LOST,
        DRM_I915_PERF_RECORD_OA_BUFFER_LOST,
        DRM_I915_PERF_RECORD_MAX,
        I915_MEMORY_CLASS_SYSTEM,
        I915_MEMORY_CLASS_DEVICE,
        I915_ENGINE_CLASS_INVALID_NONE,
        I915_ENGINE_CLASS_INVALID_VIRTUAL,
        I915_PMU_SAMPLE_BITS,
        I915_PMU_SAMPLE_MASK,
        I915_PMU_SAMPLE_INSTANCE_BITS,
        I915_PMU_CLASS_SHIFT,
        I915_PMU_ACTUAL_FREQUENCY,
        I915_PMU_REQUESTED_FREQUENCY,
        I915_PMU_INTERRUPTS,
        I915_PMU_RC6_RESIDENCY,
        I915_PMU_SOFTWARE_GT_AWAKE_TIME,
        I915_PMU_LAST,
        I915_NR_TEX_REGIONS,
        I915_LOG_MIN_TEX_REGION_SIZE,
        I915_BOX_RING_EMPTY,
        I915_BOX_FLIP,
        I915_BOX_WAIT,
        I915_BOX_TEXTURE_LOAD,
        I915_BOX_LOST_CONTEXT,
        DRM_I915_INIT,
        DRM_I915_FLUSH,
        DRM_I915_FLIP,
        DRM_I915_BATCHBUFFER,
        DRM_I915_IRQ_EMIT,
        DRM_I915_IRQ_WAIT,
        DRM_I915_GETPARAM,
        DRM_I915_SETPARAM,
        DRM_I915_ALLOC,
        DRM_I915_FREE,
        DRM_I915_INIT_HEAP,
        DRM_I915_CMDBUFFER,
        DRM_I915_DESTROY_HEAP,
        DRM_I915_SET_VBLANK_PIPE,
        DRM_I915_GET_VBLANK_PIPE,
        DRM_I915_VBLANK_SWAP,
        DRM_I915_HWS_ADDR,
        DRM_I915_GEM_INIT,
        DRM_I915_GEM_EXECBUFFER,
        DRM_I915_GEM_PIN,
        DRM_I915_GEM_UNPIN,
        DRM_I915_GEM_BUSY,
        DRM_I915_GEM_THROTTLE,
        DRM_I915_GEM_ENTERVT,
        DRM_I915_GEM_LEAVEVT,
        DRM_I915_GEM_CREATE,
        DRM_I915_GEM_PREAD,
        DRM_I915_GEM_PWRITE,
        DRM_I915_GEM_MMAP,
        DRM_I915_GEM_SET_DOMAIN,
        DRM_I915_GEM_SW_FINISH,
        DRM_I915_GEM_SET_TILING,
        DRM_I915_GEM_GET_TILING,
        DRM_I915_GEM_GET_APERTURE,
        DRM_I915_GEM_MMAP_GTT,
        DRM_I915_GET_PIPE_FROM_CRTC_ID,
        DRM_I915_GEM_MADVISE,
        DRM_I915_OVERLAY_PUT_IMAGE,
        DRM_I915_OVERLAY_ATTRS,
        DRM_I915_GEM_EXECBUFFER2,
        DRM_I915_GEM_EXECBUFFER2_WR,
        DRM_I915_GET_SPRITE_COLORKEY,
        DRM_I915_SET_SPRITE_COLORKEY,
        DRM_I915_GEM_WAIT,
        DRM_I915_GEM_CONTEXT_CREATE,
        DRM_I915_GEM_CONTEXT_DESTROY,
        DRM_I915_GEM_SET_CACHING,
        DRM_I915_GEM_GET_CACHING,
        DRM_I915_REG_READ,
        DRM_I915_GET_RESET_STATS,
        DRM_I915_GEM_USERPTR,
        DRM_I915_GEM_CONTEXT_GETPARAM,
        DRM_I915_GEM_CONTEXT_SETPARAM,
        DRM_I915_PERF_OPEN,
        DRM_I915_PERF_ADD_CONFIG,
        DRM_I915_PERF_REMOVE_CONFIG,
        DRM_I915_QUERY,
        DRM_I915_GEM_VM_CREATE,
        DRM_I915_GEM_VM_DESTROY,
        DRM_I915_GEM_CREATE_EXT,
        DRM_IOCTL_I915_INIT,
        DRM_IOCTL_I915_FLUSH,
        DRM_IOCTL_I915_FLIP,
        DRM_IOCTL_I915_BATCHBUFFER,
        DRM_IOCTL_I915_IRQ_EMIT,
        DRM_IOCTL_I915_IRQ_WAIT,
        DRM_IOCTL_I915_GETPARAM,
        DRM_IOCTL_I915_SETPARAM,
        DRM_IOCTL_I915_ALLOC,
        DRM_IOCTL_I915_FREE,
        DRM_IOCTL_I915_INIT_HEAP,
        DRM_IOCTL_I915_CMDBUFFER,
        DRM_IOCTL_I915_DESTROY_HEAP,
        DRM_IOCTL_I915_SET_VBLANK_PIPE,
        DRM_IOCTL_I915_GET_VBLANK_PIPE,
        DRM_IOCTL_I915_VBLANK_SWAP,
        DRM_IOCTL_I915_HWS_ADDR,
        DRM_IOCTL_I915_GEM_INIT,
        DRM_IOCTL_I915_GEM_EXECBUFFER,
        DRM_IOCTL_I915_GEM_EXECBUFFER2,
        DRM_IOCTL_I915_GEM_EXECBUFFER2_WR,
        DRM_IOCTL_I915_GEM_PIN,
        DRM_IOCTL_I915_GEM_UNPIN,
        DRM_IOCTL_I915_GEM_BUSY,
        DRM_IOCTL_I915_GEM_SET_CACHING,
        DRM_IOCTL_I915_GEM_GET_CACHING,
        DRM_IOCTL_I915_GEM_THROTTLE,
        DRM_IOCTL_I915_GEM_ENTERVT,
        DRM_IOCTL_I915_GEM_LEAVEVT,
        DRM_IOCTL_I915_GEM_CREATE,
        DRM_IOCTL_I915_GEM_CREATE_EXT,
        DRM_IOCTL_I915_GEM_PREAD,
        DRM_IOCTL_I915_GEM_PWRITE,
        DRM_IOCTL_I915_GEM_MMAP,
        DRM_IOCTL_I915_GEM_MMAP_GTT,
        DRM_IOCTL_I915_GEM_MMAP_OFFSET,
        DRM_IOCTL_I915_GEM_SET_DOMAIN,
        DRM_IOCTL_I915_GEM_SW_FINISH,
        DRM_IOCTL_I915_GEM_SET_TILING,
        DRM_IOCTL_I915_GEM_GET_TILING,
        DRM_IOCTL_I915_GEM_GET_APERTURE,
        DRM_IOCTL_I915_GET_PIPE_FROM_CRTC_ID,
        DRM_IOCTL_I915_GEM_MADVISE,
        DRM_IOCTL_I915_OVERLAY_PUT_IMAGE,
        DRM_IOCTL_I915_OVERLAY_ATTRS,
        DRM_IOCTL_I915_SET_SPRITE_COLORKEY,
        DRM_IOCTL_I915_GET_SPRITE_COLORKEY,
        DRM_IOCTL_I915_GEM_WAIT,
        DRM_IOCTL_I915_GEM_CONTEXT_CREATE,
        DRM_IOCTL_I915_GEM_CONTEXT_CREATE_EXT,
        DRM_IOCTL_I915_GEM_CONTEXT_DESTROY,
        DRM_IOCTL_I915_REG_READ,
        DRM_IOCTL_I915_GET_RESET_STATS,
        DRM_IOCTL_I915_GEM_USERPTR,
        DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM,
        DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM,
        DRM_IOCTL_I915_PERF_OPEN,
        DRM_IOCTL_I915_PERF_ADD_CONFIG,
        DRM_IOCTL_I915_PERF_REMOVE_CONFIG,
        DRM_IOCTL_I915_QUERY,
        DRM_IOCTL_I915_GEM_VM_CREATE,
        DRM_IOCTL_I915_GEM_VM_DESTROY,
        I915_GEM_PPGTT_NONE,
        I915_GEM_PPGTT_ALIASING,
        I915_GEM_PPGTT_FULL,
        I915_PARAM_IRQ_ACTIVE,
        I915_PARAM_ALLOW_BATCHBUFFER,
        I915_PARAM_LAST_DISPATCH,
        I915_PARAM_CHIPSET_ID,
        I915_PARAM_HAS_GEM,
        I915_PARAM_NUM_FENCES_AVAIL,
        I915_PARAM_HAS_OVERLAY,
        I915_PARAM_HAS_PAGEFLIPPING,
        I915_PARAM_HAS_EXECBUF2,
        I915_PARAM_HAS_BSD,
        I915_PARAM_HAS_BLT,
        I915_PARAM_HAS_RELAXED_FENCING,
        I915_PARAM_HAS_COHERENT_RINGS,
        I915_PARAM_HAS_EXEC_CONSTANTS,
        I915_PARAM_HAS_RELAXED_DELTA,
        I915_PARAM_HAS_GEN7_SOL_RESET,
        I915_PARAM_HAS_LLC,
        I915_PARAM_HAS_ALIASING_PPGTT,
        I915_PARAM_HAS_WAIT_TIMEOUT,
        I915_PARAM_HAS_SEMAPHORES,
        I915_PARAM_HAS_PRIME_VMAP_FLUSH,
        I915_PARAM_HAS_VEBOX,
        I915_PARAM_HAS_SECURE_BATCHES,
        I915_PARAM_HAS_PINNED_BATCHES,
        I915_PARAM_HAS_EXEC_NO_RELOC,
        I915_PARAM_HAS_EXEC_HANDLE_LUT,
        I915_PARAM_HAS_WT,
        I915_PARAM_CMD_PARSER_VERSION,
        I915_PARAM_HAS_COHERENT_PHYS_GTT,
        I915_PARAM_MMAP_VERSION,
        I915_PARAM_HAS_BSD2,
        I915_PARAM_REVISION,
        I915_PARAM_SUBSLICE_TOTAL,
        I915_PARAM_EU_TOTAL,
        I915_PARAM_HAS_GPU_RESET,
        I915_PARAM_HAS_RESOURCE_STREAMER,
        I915_PARAM_HAS_EXEC_SOFTPIN,
        I915_PARAM_HAS_POOLED_EU,
        I915_PARAM_MIN_EU_IN_POOL,
        I915_PARAM_MMAP_GTT_VERSION,
        I915_PARAM_HAS_SCHEDULER,
        I915_SCHEDULER_CAP_ENABLED,
        I915_SCHEDULER_CAP_PRIORITY,
        I915_SCHEDULER_CAP_PREEMPTION,
        I915_SCHEDULER_CAP_SEMAPHORES,
        I915_SCHEDULER_CAP_ENGINE_BUSY_STATS,
        I915_SCHEDULER_CAP_STATIC_PRIORITY_MAP,
        I915_PARAM_HUC_STATUS,
        I915_PARAM_HAS_EXEC_ASYNC,
        I915_PARAM_HAS_EXEC_FENCE,
        I915_PARAM_HAS_EXEC_CAPTURE,
        I915_PARAM_SLICE_MASK,
        I915_PARAM_SUBSLICE_MASK,
        I915_PARAM_HAS_EXEC_BATCH_FIRST,
        I915_PARAM_HAS_EXEC_FENCE_ARRAY,
        I915_PARAM_HAS_CONTEXT_ISOLATION,
        I915_PARAM_CS_TIMESTAMP_FREQUENCY,
        I915_PARAM_MMAP_GTT_COHERENT,
        I915_PARAM_HAS_EXEC_SUBMIT_FENCE,
        I915_PARAM_PERF_REVISION,
        I915_PARAM_HAS_EXEC_TIMELINE_FENCES,
        I915_PARAM_HAS_USERPTR_PROBE,
        I915_PARAM_OA_TIMESTAMP_FREQUENCY,
        I915_PARAM_PXP_STATUS,
        I915_SETPARAM_USE_MI_BATCHBUFFER_START,
        I915_SETPARAM_TEX_LRU_LOG_GRANULARITY,
        I915_SETPARAM_ALLOW_BATCHBUFFER,
        I915_SETPARAM_NUM_USED_FENCES,
        I915_MEM_REGION_AGP,
        DRM_I915_VBLANK_PIPE_A,
        DRM_I915_VBLANK_PIPE_B,
        I915_MMAP_WC,
        I915_MMAP_OFFSET_GTT,
        I915_MMAP_OFFSET_WC,
        I915_MMAP_OFFSET_WB,
        I915_MMAP_OFFSET_UC,
        I915_MMAP_OFFSET_FIXED,
        I915_GEM_DOMAIN_CPU,
        I915_GEM_DOMAIN_RENDER,
        I915_GEM_DOMAIN_SAMPLER,
        I915_GEM_DOMAIN_COMMAND,
        I915_GEM_DOMAIN_INSTRUCTION,
        I915_GEM_DOMAIN_VERTEX,
        I915_GEM_DOMAIN_GTT,
        I915_GEM_DOMAIN_WC,
        EXEC_OBJECT_NEEDS_FENCE,
        EXEC_OBJECT_NEEDS_GTT,
        EXEC_OBJECT_WRITE,
        EXEC_OBJECT_SUPPORTS_48B_ADDRESS,
        EXEC_OBJECT_PINNED,
        EXEC_OBJECT_PAD_TO_SIZE,
        EXEC_OBJECT_ASYNC,
        EXEC_OBJECT_CAPTURE,
        __EXEC_OBJECT_UNKNOWN_FLAGS,
        I915_EXEC_FENCE_WAIT,
        I915_EXEC_FENCE_SIGNAL,
        __I915_EXEC_FENCE_UNKNOWN_FLAGS,
        DRM_I915_GEM_EXECBUFFER_EXT_TIMELINE_FENCES,
        I915_EXEC_RING_MASK,
        I915_EXEC_DEFAULT,
        I915_EXEC_RENDER,
        I915_EXEC_BSD,
        I915_EXEC_BLT,
        I915_EXEC_VEBOX,
        I915_EXEC_CONSTANTS_MASK,
        I915_EXEC_CONSTANTS_REL_GENERAL,
        I915_EXEC_CONSTANTS_ABSOLUTE,
        I915_EXEC_CONSTANTS_REL_SURFACE,
        I915_EXEC_GEN7_SOL_RESET,
        I915_EXEC_SECURE,
        I915_EXEC_IS_PINNED,
        I915_EXEC_NO_RELOC,
        I915_EXEC_HANDLE_LUT,
        I915_EXEC_BSD_SHIFT,
        I915_EXEC_BSD_MASK,
        I915_EXEC_BSD_DEFAULT,
        I915_EXEC_BSD_RING1,
        I915_EXEC_BSD_RING2,
        I915_EXEC_RESOURCE_STREAMER,
        I915_EXEC_FENCE_IN,
        I915_EXEC_FENCE_OUT,
        I915_EXEC_BATCH_FIRST,
        I915_EXEC_FENCE_ARRAY,
        I915_EXEC_FENCE_SUBMIT,
        I915_EXEC_USE_EXTENSIONS,
        __I915_EXEC_UNKNOWN_FLAGS,
        I915_EXEC_CONTEXT_ID_MASK,
        I915_CACHING_NONE,
        I915_CACHING_CACHED,
        I915_CACHING_DISPLAY,
        I915_TILING_NONE,
        I915_TILING_X,
        I915_TILING_Y,
        I915_TILING_LAST,
        I915_BIT_6_SWIZZLE_NONE,
        I915_BIT_6_SWIZZLE_9,
        I915_BIT_6_SWIZZLE_9_10,
        I915_BIT_6_SWIZZLE_9_11,
        I915_BIT_6_SWIZZLE_9_10_11,
        I915_BIT_6_SWIZZLE_UNKNOWN,
        I915_BIT_6_SWIZZLE_9_17,
        I915_BIT_6_SWIZZLE_9_10_17,
        I915_MADV_WILLNEED,
        I915_MADV_DONTNEED,
        __I915_MADV_PURGED,
        I915_OVERLAY_TYPE_MASK,
        I915_OVERLAY_YUV_PLANAR,
        I915_OVERLAY_YUV_PACKED,
        I915_OVERLAY_RGB,
        I915_OVERLAY_DEPTH_MASK,
        I915_OVERLAY_RGB24,
        I915_OVERLAY_RGB16,
        I915_OVERLAY_RGB15,
        I915_OVERLAY_YUV422,
        I915_OVERLAY_YUV411,
        I915_OVERLAY_YUV420,
        I915_OVERLAY_YUV410,
        I915_OVERLAY_SWAP_MASK,
        I915_OVERLAY_NO_SWAP,
        I915_OVERLAY_UV_SWAP,
        I915_OVERLAY_Y_SWAP,
        I915_OVERLAY_Y_AND_UV_SWAP,
        I915_OVERLAY_FLAGS_MASK,
        I915_OVERLAY_ENABLE,
        I915_OVERLAY_UPDATE_ATTRS,
        I915_OVERLAY_UPDATE_GAMMA,
        I915_OVERLAY_DISABLE_DEST_COLORKEY,
        I915_SET_COLORKEY_NONE,
        I915_SET_COLORKEY_DESTINATION,
        I915_SET_COLORKEY_SOURCE,
        I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
        I915_CONTEXT_CREATE_FLAGS_SINGLE_TIMELINE,
        I915_CONTEXT_CREATE_FLAGS_UNKNOWN,
        I915_CONTEXT_CREATE_EXT_SETPARAM,
        I915_CONTEXT_CREATE_EXT_CLONE,
        I915_CONTEXT_PARAM_BAN_PERIOD,
        I915_CONTEXT_PARAM_NO_ZEROMAP,
        I915_CONTEXT_PARAM_GTT_SIZE,
        I915_CONTEXT_PARAM_NO_ERROR_CAPTURE,
        I915_CONTEXT_PARAM_BANNABLE,
        I915_CONTEXT_PARAM_PRIORITY,
        I915_CONTEXT_MAX_USER_PRIORITY,
        I915_CONTEXT_DEFAULT_PRIORITY,
        I915_CONTEXT_MIN_USER_PRIORITY,
        I915_CONTEXT_PARAM_SSEU,
        I915_CONTEXT_PARAM_RECOVERABLE,
        I915_CONTEXT_PARAM_VM,
        I915_CONTEXT_PARAM_ENGINES,
        I915_CONTEXT_PARAM_PERSISTENCE,
        I915_CONTEXT_PARAM_RINGSIZE,
        I915_CONTEXT_PARAM_PROTECTED_CONTENT,
        I915_CONTEXT_PARAM_LOW_LATENCY,
        I915_CONTEXT_SSEU_FLAG_ENGINE_INDEX,
        I915_CONTEXT_ENGINES_EXT_LOAD_BALANCE,
        I915_CONTEXT_ENGINES_EXT_BOND,
        I915_CONTEXT_ENGINES_EXT_PARALLEL_SUBMIT,
        I915_REG_READ_8B_WA,
        I915_USERPTR_READ_ONLY,
        I915_USERPTR_PROBE,
        I915_USERPTR_UNSYNCHRONIZED,
        I915_PERF_FLAG_FD_CLOEXEC,
        I915_PERF_FLAG_FD_NONBLOCK,
        I915_PERF_FLAG_DISABLED,
        I915_PERF_IOCTL_ENABLE,
        I915_PERF_IOCTL_DISABLE,
        I915_PERF_IOCTL_CONFIG,
        DRM_I915_QUERY_TOPOLOGY_INFO,
        DRM_I915_QUERY_ENGINE_INFO,
        DRM_I915_QUERY_PERF_CONFIG,
        DRM_I915_QUERY_MEMORY_REGIONS,
        DRM_I915_QUERY_GUC_SUBMISSION_VERSION,
        DRM_I915_QUERY_HWCONFIG_BLOB,
        DRM_I915_QUERY_GEOMETRY_SUBSLICES,
        DRM_I915_QUERY_PERF_CONFIG_LIST,
        DRM_I915_QUERY_PERF_CONFIG_DATA_FOR_UUID,
        DRM_I915_QUERY_PERF_CONFIG_DATA_FOR_ID,
        I915_ENGINE_INFO_HAS_LOGICAL_INSTANCE,
        I915_VIDEO_CLASS_CAPABILITY_HEVC,
        I915_VIDEO_AND_ENHANCE_CLASS_CAPABILITY_SFC,
        I915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS,
        I915_GEM_CREATE_EXT_MEMORY_REGIONS,
        I915_GEM_CREATE_EXT_PROTECTED_CONTENT,
        I915_GEM_CREATE_EXT_SET_PAT,
        I915_PROTECTED_CONTENT_DEFAULT_SESSION,
        // sync_file
        SYNC_IOC_MAGIC,
        SYNC_IOC_MERGE,
        SYNC_IOC_FILE_INFO,
        // dma_buf
        DMA_BUF_SYNC_READ,
        DMA_BUF_SYNC_WRITE,
        DMA_BUF_SYNC_RW,
        DMA_BUF_SYNC_START,
        DMA_BUF_SYNC_END,
        DMA_BUF_SYNC_VALID_FLAGS_MASK,
        DMA_BUF_NAME_LEN,
        DMA_BUF_BASE,
        DMA_BUF_IOCTL_SYNC,
        DMA_BUF_SET_NAME,
        DMA_BUF_SET_NAME_A,
        DMA_BUF_SET_NAME_B,
        DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
        DMA_BUF_IOCTL_IMPORT_SYNC_FILE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCES: &[&str] = &[
        include_str!("drm.rs"),
        include_str!("drm_mode.rs"),
        include_str!("i915.rs"),
        include_str!("sync_file.rs"),
        include_str!("dma_buf.rs"),
    ];

    /// Names declared at the start of a line as `pub <keyword> NAME` in the sources.
    fn declared(keyword: &str) -> Vec<(String, String)> {
        let prefix = format!("pub {keyword} ");
        let mut out = Vec::new();
        for src in SOURCES {
            for line in src.lines() {
                if let Some(rest) = line.strip_prefix(&prefix) {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    out.push((name, rest.to_string()));
                }
            }
        }
        out
    }

    #[test]
    fn every_struct_is_in_the_table() {
        let listed: Vec<&str> = structs().iter().map(|s| s.name).collect();
        for (name, _) in declared("struct") {
            assert!(
                listed.contains(&name.as_str()) || RUST_ONLY_STRUCTS.contains(&name.as_str()),
                "struct {name} is not in layout_table!"
            );
        }
    }

    #[test]
    fn every_integer_constant_is_in_the_table() {
        let listed: Vec<&str> = consts().iter().map(|c| c.name).collect();
        for (name, decl) in declared("const") {
            if name == "fn" || decl.contains(": &str") {
                continue;
            }
            assert!(
                listed.contains(&name.as_str()),
                "const {name} is not in layout_table!"
            );
        }
    }

    #[test]
    fn newer_items_exist_and_match_the_kernel() {
        let structs = structs();
        let consts = consts();
        for name in NOT_IN_SYSTEM_HEADERS {
            assert!(
                structs.iter().any(|s| s.name == *name) || consts.iter().any(|c| c.name == *name),
                "{name} is marked newer but not listed"
            );
        }
        // Sizes and numbers as in the kernel's current headers.
        assert_eq!(size_of::<drm_syncobj_eventfd>(), 24);
        assert_eq!(DRM_IOCTL_SYNCOBJ_EVENTFD, 0xc018_64cf);
        assert_eq!(DRM_IOCTL_SET_CLIENT_NAME, 0xc010_64d1);
        assert_eq!(DRM_I915_QUERY_GUC_SUBMISSION_VERSION, 7);
        assert_eq!(size_of::<drm_i915_gem_create_ext_set_pat>(), 40);
        assert_eq!(size_of::<drm_i915_query_guc_submission_version>(), 16);
    }
}
