//! `<drm/drm.h>`: the DRM core ABI shared by every driver — version, auth, GEM
//! handles and names, capabilities, PRIME, sync objects, events — plus the legacy DRI1
//! structs and ioctl numbers, and the numbers of the mode-setting ioctls (whose
//! argument structs live in [`crate::drm_mode`]).

use crate::drm_mode::*;
use crate::ioc::*;
use bytemuck::{Pod, Zeroable};
use core::mem::size_of;

/// `struct drm_clip_rect` (drm.h): a clip rectangle in screen coordinates (legacy DRI1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_clip_rect {
    pub x1: u16,
    pub y1: u16,
    pub x2: u16,
    pub y2: u16,
}

/// `struct drm_drawable_info` (drm.h): the clip rectangles of a drawable (legacy DRI1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_drawable_info {
    pub num_rects: u32,
    pub _pad0: u32,
    pub rects: u64,
}

/// `struct drm_tex_region` (drm.h): one texture region in the legacy shared area.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_tex_region {
    pub next: u8,
    pub prev: u8,
    pub in_use: u8,
    pub padding: u8,
    pub age: u32,
}

/// `struct drm_hw_lock` (drm.h): the legacy hardware lock word, cache-line sized.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct drm_hw_lock {
    pub lock: u32,
    pub padding: [u8; 60],
}

/// `struct drm_version` (drm.h): DRM_IOCTL_VERSION: driver name, date, description and
/// version; the caller gives the buffers and their lengths.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_version {
    pub version_major: i32,
    pub version_minor: i32,
    pub version_patchlevel: i32,
    pub _pad0: u32,
    pub name_len: u64,
    pub name: u64,
    pub date_len: u64,
    pub date: u64,
    pub desc_len: u64,
    pub desc: u64,
}

/// `struct drm_unique` (drm.h): DRM_IOCTL_GET_UNIQUE / SET_UNIQUE: the bus id string of the
/// device.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_unique {
    pub unique_len: u64,
    pub unique: u64,
}

/// `struct drm_list` (drm.h): a legacy version-list entry (unused by DRM_IOCTL_*).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_list {
    pub count: i32,
    pub _pad0: u32,
    pub version: u64,
}

/// `struct drm_block` (drm.h): DRM_IOCTL_BLOCK / UNBLOCK argument (legacy, unused).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_block {
    pub unused: i32,
}

/// `struct drm_control` (drm.h): DRM_IOCTL_CONTROL: install or remove a legacy IRQ handler.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_control {
    pub func: u32,
    pub irq: i32,
}

/// `struct drm_ctx_priv_map` (drm.h): DRM_IOCTL_SET/GET_SAREA_CTX: a legacy context-private
/// shared area.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_ctx_priv_map {
    pub ctx_id: u32,
    pub _pad0: u32,
    pub handle: u64,
}

/// `struct drm_map` (drm.h): DRM_IOCTL_GET_MAP / ADD_MAP / RM_MAP: a legacy memory map.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_map {
    pub offset: u64,
    pub size: u64,
    pub r#type: u32,
    pub flags: u32,
    pub handle: u64,
    pub mtrr: i32,
    pub _pad0: u32,
}

/// `struct drm_client` (drm.h): DRM_IOCTL_GET_CLIENT: information on one open file of the
/// device.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_client {
    pub idx: i32,
    pub auth: i32,
    pub pid: u64,
    pub uid: u64,
    pub magic: u64,
    pub iocs: u64,
}

/// `struct drm_stats` (drm.h): DRM_IOCTL_GET_STATS: legacy driver counters.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_stats {
    pub count: u64,
    pub data: [drm_stats_data; 15],
}

/// One counter of [`drm_stats`]; anonymous in C (`struct { unsigned long value; enum
/// drm_stat_type type; }`), named here.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_stats_data {
    pub value: u64,
    pub r#type: u32,
    pub _pad0: u32,
}

/// `struct drm_lock` (drm.h): DRM_IOCTL_LOCK / UNLOCK / FINISH: the legacy hardware lock.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_lock {
    pub context: i32,
    pub flags: u32,
}

/// `struct drm_buf_desc` (drm.h): DRM_IOCTL_ADD_BUFS / MARK_BUFS: a legacy DMA buffer pool
/// request.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_buf_desc {
    pub count: i32,
    pub size: i32,
    pub low_mark: i32,
    pub high_mark: i32,
    pub flags: u32,
    pub _pad0: u32,
    pub agp_start: u64,
}

/// `struct drm_buf_info` (drm.h): DRM_IOCTL_INFO_BUFS: the legacy DMA buffer pools.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_buf_info {
    pub count: i32,
    pub _pad0: u32,
    pub list: u64,
}

/// `struct drm_buf_free` (drm.h): DRM_IOCTL_FREE_BUFS: legacy DMA buffers to release.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_buf_free {
    pub count: i32,
    pub _pad0: u32,
    pub list: u64,
}

/// `struct drm_buf_pub` (drm.h): one legacy DMA buffer as mapped by DRM_IOCTL_MAP_BUFS.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_buf_pub {
    pub idx: i32,
    pub total: i32,
    pub used: i32,
    pub _pad0: u32,
    pub address: u64,
}

/// `struct drm_buf_map` (drm.h): DRM_IOCTL_MAP_BUFS: map all legacy DMA buffers.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_buf_map {
    pub count: i32,
    pub _pad0: u32,
    /// `virtual` in C (`c_virtual` when compiled as C++).
    pub r#virtual: u64,
    pub list: u64,
}

/// `struct drm_dma` (drm.h): DRM_IOCTL_DMA: send and request legacy DMA buffers.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_dma {
    pub context: i32,
    pub send_count: i32,
    pub send_indices: u64,
    pub send_sizes: u64,
    pub flags: u32,
    pub request_count: i32,
    pub request_size: i32,
    pub _pad0: u32,
    pub request_indices: u64,
    pub request_sizes: u64,
    pub granted_count: i32,
    pub _pad1: u32,
}

/// `struct drm_ctx` (drm.h): DRM_IOCTL_*_CTX: a legacy hardware context.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_ctx {
    pub handle: u32,
    pub flags: u32,
}

/// `struct drm_ctx_res` (drm.h): DRM_IOCTL_RES_CTX: reserve legacy contexts.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_ctx_res {
    pub count: i32,
    pub _pad0: u32,
    pub contexts: u64,
}

/// `struct drm_draw` (drm.h): DRM_IOCTL_ADD_DRAW / RM_DRAW: a legacy drawable handle.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_draw {
    pub handle: u32,
}

/// `struct drm_update_draw` (drm.h): DRM_IOCTL_UPDATE_DRAW: update a legacy drawable.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_update_draw {
    pub handle: u32,
    pub r#type: u32,
    pub num: u32,
    pub _pad0: u32,
    pub data: u64,
}

/// `struct drm_auth` (drm.h): DRM_IOCTL_GET_MAGIC / AUTH_MAGIC: the authentication token of
/// a primary-node client.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_auth {
    pub magic: u32,
}

/// `struct drm_irq_busid` (drm.h): DRM_IOCTL_IRQ_BUSID: the IRQ of a PCI device (legacy).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_irq_busid {
    pub irq: i32,
    pub busnum: i32,
    pub devnum: i32,
    pub funcnum: i32,
}

/// `struct drm_wait_vblank_request` (drm.h): the request half of `union drm_wait_vblank`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_wait_vblank_request {
    pub r#type: u32,
    pub sequence: u32,
    pub signal: u64,
}

/// `struct drm_wait_vblank_reply` (drm.h): the reply half of `union drm_wait_vblank`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_wait_vblank_reply {
    pub r#type: u32,
    pub sequence: u32,
    pub tval_sec: i64,
    pub tval_usec: i64,
}

/// `union drm_wait_vblank` (drm.h). A C union, represented here by its larger member
/// `reply`; the `request` form overlays its first 16 bytes ([`Self::request`]).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_wait_vblank {
    pub reply: drm_wait_vblank_reply,
}

impl drm_wait_vblank {
    /// The union read as its `request` member.
    pub fn request(&self) -> drm_wait_vblank_request {
        bytemuck::pod_read_unaligned(
            &bytemuck::bytes_of(self)[..size_of::<drm_wait_vblank_request>()],
        )
    }

    /// A union holding `request` (the rest zeroed).
    pub fn from_request(request: drm_wait_vblank_request) -> Self {
        let mut out = Self::default();
        bytemuck::bytes_of_mut(&mut out)[..size_of::<drm_wait_vblank_request>()]
            .copy_from_slice(bytemuck::bytes_of(&request));
        out
    }
}

/// `struct drm_modeset_ctl` (drm.h): DRM_IOCTL_MODESET_CTL: legacy vblank bookkeeping
/// around a mode set.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_modeset_ctl {
    pub crtc: u32,
    pub cmd: u32,
}

/// `struct drm_agp_mode` (drm.h): DRM_IOCTL_AGP_ENABLE: the AGP mode to enable.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_agp_mode {
    pub mode: u64,
}

/// `struct drm_agp_buffer` (drm.h): DRM_IOCTL_AGP_ALLOC / FREE: an AGP memory allocation.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_agp_buffer {
    pub size: u64,
    pub handle: u64,
    pub r#type: u64,
    pub physical: u64,
}

/// `struct drm_agp_binding` (drm.h): DRM_IOCTL_AGP_BIND / UNBIND: bind AGP memory at an
/// aperture offset.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_agp_binding {
    pub handle: u64,
    pub offset: u64,
}

/// `struct drm_agp_info` (drm.h): DRM_IOCTL_AGP_INFO: the AGP bridge.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_agp_info {
    pub agp_version_major: i32,
    pub agp_version_minor: i32,
    pub mode: u64,
    pub aperture_base: u64,
    pub aperture_size: u64,
    pub memory_allowed: u64,
    pub memory_used: u64,
    pub id_vendor: u16,
    pub id_device: u16,
    pub _pad0: u32,
}

/// `struct drm_scatter_gather` (drm.h): DRM_IOCTL_SG_ALLOC / SG_FREE: legacy scatter/gather
/// memory.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_scatter_gather {
    pub size: u64,
    pub handle: u64,
}

/// `struct drm_set_version` (drm.h): DRM_IOCTL_SET_VERSION: ask for an interface version
/// (-1 fields only query).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_set_version {
    pub drm_di_major: i32,
    pub drm_di_minor: i32,
    pub drm_dd_major: i32,
    pub drm_dd_minor: i32,
}

/// `struct drm_gem_close` (drm.h): DRM_IOCTL_GEM_CLOSE: drop a GEM handle of this file.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_gem_close {
    pub handle: u32,
    pub pad: u32,
}

/// `struct drm_gem_flink` (drm.h): DRM_IOCTL_GEM_FLINK: give a GEM object a global name.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_gem_flink {
    pub handle: u32,
    pub name: u32,
}

/// `struct drm_gem_open` (drm.h): DRM_IOCTL_GEM_OPEN: open a GEM object by its global name.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_gem_open {
    pub name: u32,
    pub handle: u32,
    pub size: u64,
}

/// `struct drm_get_cap` (drm.h): DRM_IOCTL_GET_CAP: query one DRM_CAP_* capability of the
/// device.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_get_cap {
    pub capability: u64,
    pub value: u64,
}

/// `struct drm_set_client_cap` (drm.h): DRM_IOCTL_SET_CLIENT_CAP: opt in to one
/// DRM_CLIENT_CAP_* behaviour.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_set_client_cap {
    pub capability: u64,
    pub value: u64,
}

/// `struct drm_prime_handle` (drm.h): DRM_IOCTL_PRIME_HANDLE_TO_FD / FD_TO_HANDLE: export
/// or import a GEM object as a dma-buf fd.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_prime_handle {
    pub handle: u32,
    pub flags: u32,
    pub fd: i32,
}

/// `struct drm_syncobj_create` (drm.h): DRM_IOCTL_SYNCOBJ_CREATE: make a sync object,
/// optionally already signalled.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_syncobj_create {
    pub handle: u32,
    pub flags: u32,
}

/// `struct drm_syncobj_destroy` (drm.h): DRM_IOCTL_SYNCOBJ_DESTROY: drop a sync object
/// handle.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_syncobj_destroy {
    pub handle: u32,
    pub pad: u32,
}

/// `struct drm_syncobj_handle` (drm.h): DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD / FD_TO_HANDLE: a
/// sync object as an fd, or its fence as a sync_file.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_syncobj_handle {
    pub handle: u32,
    pub flags: u32,
    pub fd: i32,
    pub pad: u32,
}

/// `struct drm_syncobj_transfer` (drm.h): DRM_IOCTL_SYNCOBJ_TRANSFER: copy a fence from one
/// sync object point to another.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_syncobj_transfer {
    pub src_handle: u32,
    pub dst_handle: u32,
    pub src_point: u64,
    pub dst_point: u64,
    pub flags: u32,
    pub pad: u32,
}

/// `struct drm_syncobj_wait` (drm.h): DRM_IOCTL_SYNCOBJ_WAIT: wait for all or any of binary
/// sync objects.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_syncobj_wait {
    pub handles: u64,
    pub timeout_nsec: i64,
    pub count_handles: u32,
    pub flags: u32,
    pub first_signaled: u32,
    pub pad: u32,
}

/// `struct drm_syncobj_timeline_wait` (drm.h): DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT: wait for
/// points of timeline sync objects.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_syncobj_timeline_wait {
    pub handles: u64,
    pub points: u64,
    pub timeout_nsec: i64,
    pub count_handles: u32,
    pub flags: u32,
    pub first_signaled: u32,
    pub pad: u32,
}

/// `struct drm_syncobj_array` (drm.h): DRM_IOCTL_SYNCOBJ_RESET / SIGNAL: an array of sync
/// object handles.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_syncobj_array {
    pub handles: u64,
    pub count_handles: u32,
    pub pad: u32,
}

/// `struct drm_syncobj_timeline_array` (drm.h): DRM_IOCTL_SYNCOBJ_QUERY / TIMELINE_SIGNAL:
/// sync object handles with timeline points.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_syncobj_timeline_array {
    pub handles: u64,
    pub points: u64,
    pub count_handles: u32,
    pub flags: u32,
}

/// `struct drm_syncobj_eventfd` (drm.h, Linux 6.6; newer than libdrm 2.4.114):
/// DRM_IOCTL_SYNCOBJ_EVENTFD: signal an eventfd when a sync object point gets (or
/// could get) a fence.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_syncobj_eventfd {
    pub handle: u32,
    pub flags: u32,
    pub point: u64,
    pub fd: i32,
    pub pad: u32,
}

/// `struct drm_set_client_name` (drm.h, Linux 6.13; newer than libdrm 2.4.114):
/// DRM_IOCTL_SET_CLIENT_NAME: a printable name for the client, shown in debugfs.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_set_client_name {
    pub name_len: u64,
    pub name: u64,
}

/// `struct drm_crtc_get_sequence` (drm.h): DRM_IOCTL_CRTC_GET_SEQUENCE: the current vblank
/// count and time of a CRTC.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_crtc_get_sequence {
    pub crtc_id: u32,
    pub active: u32,
    pub sequence: u64,
    pub sequence_ns: i64,
}

/// `struct drm_crtc_queue_sequence` (drm.h): DRM_IOCTL_CRTC_QUEUE_SEQUENCE: ask for an
/// event at a vblank count.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_crtc_queue_sequence {
    pub crtc_id: u32,
    pub flags: u32,
    pub sequence: u64,
    pub user_data: u64,
}

/// `struct drm_event` (drm.h): the header of every event read() from a DRM file.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_event {
    pub r#type: u32,
    pub length: u32,
}

/// `struct drm_event_vblank` (drm.h): a vblank or page-flip-complete event.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_event_vblank {
    pub base: drm_event,
    pub user_data: u64,
    pub tv_sec: u32,
    pub tv_usec: u32,
    pub sequence: u32,
    pub crtc_id: u32,
}

/// `struct drm_event_crtc_sequence` (drm.h): the event asked for with
/// DRM_IOCTL_CRTC_QUEUE_SEQUENCE.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_event_crtc_sequence {
    pub base: drm_event,
    pub user_data: u64,
    pub time_ns: i64,
    pub sequence: u64,
}

pub const DRM_ADD_COMMAND: u32 = 0;
pub const DRM_RM_COMMAND: u32 = 1;
pub const DRM_INST_HANDLER: u32 = 2;
pub const DRM_UNINST_HANDLER: u32 = 3;
pub const _DRM_FRAME_BUFFER: u32 = 0;
pub const _DRM_REGISTERS: u32 = 1;
pub const _DRM_SHM: u32 = 2;
pub const _DRM_AGP: u32 = 3;
pub const _DRM_SCATTER_GATHER: u32 = 4;
pub const _DRM_CONSISTENT: u32 = 5;
pub const _DRM_RESTRICTED: u32 = 0x01;
pub const _DRM_READ_ONLY: u32 = 0x02;
pub const _DRM_LOCKED: u32 = 0x04;
pub const _DRM_KERNEL: u32 = 0x08;
pub const _DRM_WRITE_COMBINING: u32 = 0x10;
pub const _DRM_CONTAINS_LOCK: u32 = 0x20;
pub const _DRM_REMOVABLE: u32 = 0x40;
pub const _DRM_DRIVER: u32 = 0x80;
pub const _DRM_STAT_LOCK: u32 = 0;
pub const _DRM_STAT_OPENS: u32 = 1;
pub const _DRM_STAT_CLOSES: u32 = 2;
pub const _DRM_STAT_IOCTLS: u32 = 3;
pub const _DRM_STAT_LOCKS: u32 = 4;
pub const _DRM_STAT_UNLOCKS: u32 = 5;
pub const _DRM_STAT_VALUE: u32 = 6;
pub const _DRM_STAT_BYTE: u32 = 7;
pub const _DRM_STAT_COUNT: u32 = 8;
pub const _DRM_STAT_IRQ: u32 = 9;
pub const _DRM_STAT_PRIMARY: u32 = 10;
pub const _DRM_STAT_SECONDARY: u32 = 11;
pub const _DRM_STAT_DMA: u32 = 12;
pub const _DRM_STAT_SPECIAL: u32 = 13;
pub const _DRM_STAT_MISSED: u32 = 14;
pub const _DRM_LOCK_READY: u32 = 0x01;
pub const _DRM_LOCK_QUIESCENT: u32 = 0x02;
pub const _DRM_LOCK_FLUSH: u32 = 0x04;
pub const _DRM_LOCK_FLUSH_ALL: u32 = 0x08;
pub const _DRM_HALT_ALL_QUEUES: u32 = 0x10;
pub const _DRM_HALT_CUR_QUEUES: u32 = 0x20;
pub const _DRM_DMA_BLOCK: u32 = 0x01;
pub const _DRM_DMA_WHILE_LOCKED: u32 = 0x02;
pub const _DRM_DMA_PRIORITY: u32 = 0x04;
pub const _DRM_DMA_WAIT: u32 = 0x10;
pub const _DRM_DMA_SMALLER_OK: u32 = 0x20;
pub const _DRM_DMA_LARGER_OK: u32 = 0x40;
pub const _DRM_PAGE_ALIGN: u32 = 0x01;
pub const _DRM_AGP_BUFFER: u32 = 0x02;
pub const _DRM_SG_BUFFER: u32 = 0x04;
pub const _DRM_FB_BUFFER: u32 = 0x08;
pub const _DRM_PCI_BUFFER_RO: u32 = 0x10;
pub const _DRM_CONTEXT_PRESERVED: u32 = 0x01;
pub const _DRM_CONTEXT_2DONLY: u32 = 0x02;
pub const DRM_DRAWABLE_CLIPRECTS: u32 = 0;
pub const _DRM_VBLANK_ABSOLUTE: u32 = 0x0;
pub const _DRM_VBLANK_RELATIVE: u32 = 0x1;
pub const _DRM_VBLANK_HIGH_CRTC_MASK: u32 = 0x0000003e;
pub const _DRM_VBLANK_EVENT: u32 = 0x4000000;
pub const _DRM_VBLANK_FLIP: u32 = 0x8000000;
pub const _DRM_VBLANK_NEXTONMISS: u32 = 0x10000000;
pub const _DRM_VBLANK_SECONDARY: u32 = 0x20000000;
pub const _DRM_VBLANK_SIGNAL: u32 = 0x40000000;
pub const DRM_NAME: &str = "drm";
pub const DRM_MIN_ORDER: u32 = 5;
pub const DRM_MAX_ORDER: u32 = 22;
pub const DRM_RAM_PERCENT: u32 = 10;
pub const _DRM_LOCK_HELD: u32 = 0x80000000;
pub const _DRM_LOCK_CONT: u32 = 0x40000000;
pub const _DRM_VBLANK_HIGH_CRTC_SHIFT: u32 = 1;
pub const _DRM_VBLANK_TYPES_MASK: u32 = _DRM_VBLANK_ABSOLUTE | _DRM_VBLANK_RELATIVE;
pub const _DRM_VBLANK_FLAGS_MASK: u32 =
    _DRM_VBLANK_EVENT | _DRM_VBLANK_SIGNAL | _DRM_VBLANK_SECONDARY | _DRM_VBLANK_NEXTONMISS;
pub const _DRM_PRE_MODESET: u32 = 1;
pub const _DRM_POST_MODESET: u32 = 2;
pub const DRM_CAP_DUMB_BUFFER: u64 = 0x1;
pub const DRM_CAP_VBLANK_HIGH_CRTC: u64 = 0x2;
pub const DRM_CAP_DUMB_PREFERRED_DEPTH: u64 = 0x3;
pub const DRM_CAP_DUMB_PREFER_SHADOW: u64 = 0x4;
pub const DRM_CAP_PRIME: u64 = 0x5;
pub const DRM_PRIME_CAP_IMPORT: u64 = 0x1;
pub const DRM_PRIME_CAP_EXPORT: u64 = 0x2;
pub const DRM_CAP_TIMESTAMP_MONOTONIC: u64 = 0x6;
pub const DRM_CAP_ASYNC_PAGE_FLIP: u64 = 0x7;
pub const DRM_CAP_CURSOR_WIDTH: u64 = 0x8;
pub const DRM_CAP_CURSOR_HEIGHT: u64 = 0x9;
pub const DRM_CAP_ADDFB2_MODIFIERS: u64 = 0x10;
pub const DRM_CAP_PAGE_FLIP_TARGET: u64 = 0x11;
pub const DRM_CAP_CRTC_IN_VBLANK_EVENT: u64 = 0x12;
pub const DRM_CAP_SYNCOBJ: u64 = 0x13;
pub const DRM_CAP_SYNCOBJ_TIMELINE: u64 = 0x14;
pub const DRM_CLIENT_CAP_STEREO_3D: u64 = 1;
pub const DRM_CLIENT_CAP_UNIVERSAL_PLANES: u64 = 2;
pub const DRM_CLIENT_CAP_ATOMIC: u64 = 3;
pub const DRM_CLIENT_CAP_ASPECT_RATIO: u64 = 4;
pub const DRM_CLIENT_CAP_WRITEBACK_CONNECTORS: u64 = 5;
pub const DRM_RDWR: u32 = 0o2;
pub const DRM_CLOEXEC: u32 = 0o2000000;
pub const DRM_SYNCOBJ_CREATE_SIGNALED: u32 = 1 << 0;
pub const DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE: u32 = 1 << 0;
pub const DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE: u32 = 1 << 0;
pub const DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL: u32 = 1 << 0;
pub const DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT: u32 = 1 << 1;
pub const DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE: u32 = 1 << 2;
/// Linux 6.5; newer than libdrm 2.4.114. Needs the `deadline_nsec` field that newer
/// headers append to `drm_syncobj_wait` / `drm_syncobj_timeline_wait` (see the crate docs).
pub const DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE: u32 = 1 << 3;
pub const DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED: u32 = 1 << 0;
pub const DRM_CRTC_SEQUENCE_RELATIVE: u32 = 0x00000001;
pub const DRM_CRTC_SEQUENCE_NEXT_ON_MISS: u32 = 0x00000002;
pub const DRM_IOCTL_BASE: u32 = b'd' as u32;

/// `DRM_IO(nr)`: a DRM ioctl without argument.
pub const fn DRM_IO(nr: u32) -> u32 {
    _IO(DRM_IOCTL_BASE, nr)
}

/// `DRM_IOR(nr, type)`: a DRM ioctl whose argument the kernel writes.
pub const fn DRM_IOR(nr: u32, size: usize) -> u32 {
    _IOR(DRM_IOCTL_BASE, nr, size)
}

/// `DRM_IOW(nr, type)`: a DRM ioctl whose argument the kernel reads.
pub const fn DRM_IOW(nr: u32, size: usize) -> u32 {
    _IOW(DRM_IOCTL_BASE, nr, size)
}

/// `DRM_IOWR(nr, type)`: a DRM ioctl whose argument is copied in and out.
pub const fn DRM_IOWR(nr: u32, size: usize) -> u32 {
    _IOWR(DRM_IOCTL_BASE, nr, size)
}
pub const DRM_IOCTL_VERSION: u32 = DRM_IOWR(0x00, size_of::<drm_version>());
pub const DRM_IOCTL_GET_UNIQUE: u32 = DRM_IOWR(0x01, size_of::<drm_unique>());
pub const DRM_IOCTL_GET_MAGIC: u32 = DRM_IOR(0x02, size_of::<drm_auth>());
pub const DRM_IOCTL_IRQ_BUSID: u32 = DRM_IOWR(0x03, size_of::<drm_irq_busid>());
pub const DRM_IOCTL_GET_MAP: u32 = DRM_IOWR(0x04, size_of::<drm_map>());
pub const DRM_IOCTL_GET_CLIENT: u32 = DRM_IOWR(0x05, size_of::<drm_client>());
pub const DRM_IOCTL_GET_STATS: u32 = DRM_IOR(0x06, size_of::<drm_stats>());
pub const DRM_IOCTL_SET_VERSION: u32 = DRM_IOWR(0x07, size_of::<drm_set_version>());
pub const DRM_IOCTL_MODESET_CTL: u32 = DRM_IOW(0x08, size_of::<drm_modeset_ctl>());
pub const DRM_IOCTL_GEM_CLOSE: u32 = DRM_IOW(0x09, size_of::<drm_gem_close>());
pub const DRM_IOCTL_GEM_FLINK: u32 = DRM_IOWR(0x0a, size_of::<drm_gem_flink>());
pub const DRM_IOCTL_GEM_OPEN: u32 = DRM_IOWR(0x0b, size_of::<drm_gem_open>());
pub const DRM_IOCTL_GET_CAP: u32 = DRM_IOWR(0x0c, size_of::<drm_get_cap>());
pub const DRM_IOCTL_SET_CLIENT_CAP: u32 = DRM_IOW(0x0d, size_of::<drm_set_client_cap>());
pub const DRM_IOCTL_SET_UNIQUE: u32 = DRM_IOW(0x10, size_of::<drm_unique>());
pub const DRM_IOCTL_AUTH_MAGIC: u32 = DRM_IOW(0x11, size_of::<drm_auth>());
pub const DRM_IOCTL_BLOCK: u32 = DRM_IOWR(0x12, size_of::<drm_block>());
pub const DRM_IOCTL_UNBLOCK: u32 = DRM_IOWR(0x13, size_of::<drm_block>());
pub const DRM_IOCTL_CONTROL: u32 = DRM_IOW(0x14, size_of::<drm_control>());
pub const DRM_IOCTL_ADD_MAP: u32 = DRM_IOWR(0x15, size_of::<drm_map>());
pub const DRM_IOCTL_ADD_BUFS: u32 = DRM_IOWR(0x16, size_of::<drm_buf_desc>());
pub const DRM_IOCTL_MARK_BUFS: u32 = DRM_IOW(0x17, size_of::<drm_buf_desc>());
pub const DRM_IOCTL_INFO_BUFS: u32 = DRM_IOWR(0x18, size_of::<drm_buf_info>());
pub const DRM_IOCTL_MAP_BUFS: u32 = DRM_IOWR(0x19, size_of::<drm_buf_map>());
pub const DRM_IOCTL_FREE_BUFS: u32 = DRM_IOW(0x1a, size_of::<drm_buf_free>());
pub const DRM_IOCTL_RM_MAP: u32 = DRM_IOW(0x1b, size_of::<drm_map>());
pub const DRM_IOCTL_SET_SAREA_CTX: u32 = DRM_IOW(0x1c, size_of::<drm_ctx_priv_map>());
pub const DRM_IOCTL_GET_SAREA_CTX: u32 = DRM_IOWR(0x1d, size_of::<drm_ctx_priv_map>());
pub const DRM_IOCTL_SET_MASTER: u32 = DRM_IO(0x1e);
pub const DRM_IOCTL_DROP_MASTER: u32 = DRM_IO(0x1f);
pub const DRM_IOCTL_ADD_CTX: u32 = DRM_IOWR(0x20, size_of::<drm_ctx>());
pub const DRM_IOCTL_RM_CTX: u32 = DRM_IOWR(0x21, size_of::<drm_ctx>());
pub const DRM_IOCTL_MOD_CTX: u32 = DRM_IOW(0x22, size_of::<drm_ctx>());
pub const DRM_IOCTL_GET_CTX: u32 = DRM_IOWR(0x23, size_of::<drm_ctx>());
pub const DRM_IOCTL_SWITCH_CTX: u32 = DRM_IOW(0x24, size_of::<drm_ctx>());
pub const DRM_IOCTL_NEW_CTX: u32 = DRM_IOW(0x25, size_of::<drm_ctx>());
pub const DRM_IOCTL_RES_CTX: u32 = DRM_IOWR(0x26, size_of::<drm_ctx_res>());
pub const DRM_IOCTL_ADD_DRAW: u32 = DRM_IOWR(0x27, size_of::<drm_draw>());
pub const DRM_IOCTL_RM_DRAW: u32 = DRM_IOWR(0x28, size_of::<drm_draw>());
pub const DRM_IOCTL_DMA: u32 = DRM_IOWR(0x29, size_of::<drm_dma>());
pub const DRM_IOCTL_LOCK: u32 = DRM_IOW(0x2a, size_of::<drm_lock>());
pub const DRM_IOCTL_UNLOCK: u32 = DRM_IOW(0x2b, size_of::<drm_lock>());
pub const DRM_IOCTL_FINISH: u32 = DRM_IOW(0x2c, size_of::<drm_lock>());
pub const DRM_IOCTL_PRIME_HANDLE_TO_FD: u32 = DRM_IOWR(0x2d, size_of::<drm_prime_handle>());
pub const DRM_IOCTL_PRIME_FD_TO_HANDLE: u32 = DRM_IOWR(0x2e, size_of::<drm_prime_handle>());
pub const DRM_IOCTL_AGP_ACQUIRE: u32 = DRM_IO(0x30);
pub const DRM_IOCTL_AGP_RELEASE: u32 = DRM_IO(0x31);
pub const DRM_IOCTL_AGP_ENABLE: u32 = DRM_IOW(0x32, size_of::<drm_agp_mode>());
pub const DRM_IOCTL_AGP_INFO: u32 = DRM_IOR(0x33, size_of::<drm_agp_info>());
pub const DRM_IOCTL_AGP_ALLOC: u32 = DRM_IOWR(0x34, size_of::<drm_agp_buffer>());
pub const DRM_IOCTL_AGP_FREE: u32 = DRM_IOW(0x35, size_of::<drm_agp_buffer>());
pub const DRM_IOCTL_AGP_BIND: u32 = DRM_IOW(0x36, size_of::<drm_agp_binding>());
pub const DRM_IOCTL_AGP_UNBIND: u32 = DRM_IOW(0x37, size_of::<drm_agp_binding>());
pub const DRM_IOCTL_SG_ALLOC: u32 = DRM_IOWR(0x38, size_of::<drm_scatter_gather>());
pub const DRM_IOCTL_SG_FREE: u32 = DRM_IOW(0x39, size_of::<drm_scatter_gather>());
pub const DRM_IOCTL_WAIT_VBLANK: u32 = DRM_IOWR(0x3a, size_of::<drm_wait_vblank>());
pub const DRM_IOCTL_CRTC_GET_SEQUENCE: u32 = DRM_IOWR(0x3b, size_of::<drm_crtc_get_sequence>());
pub const DRM_IOCTL_CRTC_QUEUE_SEQUENCE: u32 = DRM_IOWR(0x3c, size_of::<drm_crtc_queue_sequence>());
pub const DRM_IOCTL_UPDATE_DRAW: u32 = DRM_IOW(0x3f, size_of::<drm_update_draw>());
pub const DRM_IOCTL_MODE_GETRESOURCES: u32 = DRM_IOWR(0xA0, size_of::<drm_mode_card_res>());
pub const DRM_IOCTL_MODE_GETCRTC: u32 = DRM_IOWR(0xA1, size_of::<drm_mode_crtc>());
pub const DRM_IOCTL_MODE_SETCRTC: u32 = DRM_IOWR(0xA2, size_of::<drm_mode_crtc>());
pub const DRM_IOCTL_MODE_CURSOR: u32 = DRM_IOWR(0xA3, size_of::<drm_mode_cursor>());
pub const DRM_IOCTL_MODE_GETGAMMA: u32 = DRM_IOWR(0xA4, size_of::<drm_mode_crtc_lut>());
pub const DRM_IOCTL_MODE_SETGAMMA: u32 = DRM_IOWR(0xA5, size_of::<drm_mode_crtc_lut>());
pub const DRM_IOCTL_MODE_GETENCODER: u32 = DRM_IOWR(0xA6, size_of::<drm_mode_get_encoder>());
pub const DRM_IOCTL_MODE_GETCONNECTOR: u32 = DRM_IOWR(0xA7, size_of::<drm_mode_get_connector>());
pub const DRM_IOCTL_MODE_ATTACHMODE: u32 = DRM_IOWR(0xA8, size_of::<drm_mode_mode_cmd>());
pub const DRM_IOCTL_MODE_DETACHMODE: u32 = DRM_IOWR(0xA9, size_of::<drm_mode_mode_cmd>());
pub const DRM_IOCTL_MODE_GETPROPERTY: u32 = DRM_IOWR(0xAA, size_of::<drm_mode_get_property>());
pub const DRM_IOCTL_MODE_SETPROPERTY: u32 =
    DRM_IOWR(0xAB, size_of::<drm_mode_connector_set_property>());
pub const DRM_IOCTL_MODE_GETPROPBLOB: u32 = DRM_IOWR(0xAC, size_of::<drm_mode_get_blob>());
pub const DRM_IOCTL_MODE_GETFB: u32 = DRM_IOWR(0xAD, size_of::<drm_mode_fb_cmd>());
pub const DRM_IOCTL_MODE_ADDFB: u32 = DRM_IOWR(0xAE, size_of::<drm_mode_fb_cmd>());
pub const DRM_IOCTL_MODE_RMFB: u32 = DRM_IOWR(0xAF, size_of::<u32>());
pub const DRM_IOCTL_MODE_PAGE_FLIP: u32 = DRM_IOWR(0xB0, size_of::<drm_mode_crtc_page_flip>());
pub const DRM_IOCTL_MODE_DIRTYFB: u32 = DRM_IOWR(0xB1, size_of::<drm_mode_fb_dirty_cmd>());
pub const DRM_IOCTL_MODE_CREATE_DUMB: u32 = DRM_IOWR(0xB2, size_of::<drm_mode_create_dumb>());
pub const DRM_IOCTL_MODE_MAP_DUMB: u32 = DRM_IOWR(0xB3, size_of::<drm_mode_map_dumb>());
pub const DRM_IOCTL_MODE_DESTROY_DUMB: u32 = DRM_IOWR(0xB4, size_of::<drm_mode_destroy_dumb>());
pub const DRM_IOCTL_MODE_GETPLANERESOURCES: u32 =
    DRM_IOWR(0xB5, size_of::<drm_mode_get_plane_res>());
pub const DRM_IOCTL_MODE_GETPLANE: u32 = DRM_IOWR(0xB6, size_of::<drm_mode_get_plane>());
pub const DRM_IOCTL_MODE_SETPLANE: u32 = DRM_IOWR(0xB7, size_of::<drm_mode_set_plane>());
pub const DRM_IOCTL_MODE_ADDFB2: u32 = DRM_IOWR(0xB8, size_of::<drm_mode_fb_cmd2>());
pub const DRM_IOCTL_MODE_OBJ_GETPROPERTIES: u32 =
    DRM_IOWR(0xB9, size_of::<drm_mode_obj_get_properties>());
pub const DRM_IOCTL_MODE_OBJ_SETPROPERTY: u32 =
    DRM_IOWR(0xBA, size_of::<drm_mode_obj_set_property>());
pub const DRM_IOCTL_MODE_CURSOR2: u32 = DRM_IOWR(0xBB, size_of::<drm_mode_cursor2>());
pub const DRM_IOCTL_MODE_ATOMIC: u32 = DRM_IOWR(0xBC, size_of::<drm_mode_atomic>());
pub const DRM_IOCTL_MODE_CREATEPROPBLOB: u32 = DRM_IOWR(0xBD, size_of::<drm_mode_create_blob>());
pub const DRM_IOCTL_MODE_DESTROYPROPBLOB: u32 = DRM_IOWR(0xBE, size_of::<drm_mode_destroy_blob>());
pub const DRM_IOCTL_SYNCOBJ_CREATE: u32 = DRM_IOWR(0xBF, size_of::<drm_syncobj_create>());
pub const DRM_IOCTL_SYNCOBJ_DESTROY: u32 = DRM_IOWR(0xC0, size_of::<drm_syncobj_destroy>());
pub const DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD: u32 = DRM_IOWR(0xC1, size_of::<drm_syncobj_handle>());
pub const DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE: u32 = DRM_IOWR(0xC2, size_of::<drm_syncobj_handle>());
pub const DRM_IOCTL_SYNCOBJ_WAIT: u32 = DRM_IOWR(0xC3, size_of::<drm_syncobj_wait>());
pub const DRM_IOCTL_SYNCOBJ_RESET: u32 = DRM_IOWR(0xC4, size_of::<drm_syncobj_array>());
pub const DRM_IOCTL_SYNCOBJ_SIGNAL: u32 = DRM_IOWR(0xC5, size_of::<drm_syncobj_array>());
pub const DRM_IOCTL_MODE_CREATE_LEASE: u32 = DRM_IOWR(0xC6, size_of::<drm_mode_create_lease>());
pub const DRM_IOCTL_MODE_LIST_LESSEES: u32 = DRM_IOWR(0xC7, size_of::<drm_mode_list_lessees>());
pub const DRM_IOCTL_MODE_GET_LEASE: u32 = DRM_IOWR(0xC8, size_of::<drm_mode_get_lease>());
pub const DRM_IOCTL_MODE_REVOKE_LEASE: u32 = DRM_IOWR(0xC9, size_of::<drm_mode_revoke_lease>());
pub const DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT: u32 =
    DRM_IOWR(0xCA, size_of::<drm_syncobj_timeline_wait>());
pub const DRM_IOCTL_SYNCOBJ_QUERY: u32 = DRM_IOWR(0xCB, size_of::<drm_syncobj_timeline_array>());
pub const DRM_IOCTL_SYNCOBJ_TRANSFER: u32 = DRM_IOWR(0xCC, size_of::<drm_syncobj_transfer>());
pub const DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL: u32 =
    DRM_IOWR(0xCD, size_of::<drm_syncobj_timeline_array>());
pub const DRM_IOCTL_MODE_GETFB2: u32 = DRM_IOWR(0xCE, size_of::<drm_mode_fb_cmd2>());
/// Linux 6.6; newer than libdrm 2.4.114.
pub const DRM_IOCTL_SYNCOBJ_EVENTFD: u32 = DRM_IOWR(0xCF, size_of::<drm_syncobj_eventfd>());
pub const DRM_IOCTL_SET_CLIENT_NAME: u32 = DRM_IOWR(0xD1, size_of::<drm_set_client_name>());
pub const DRM_COMMAND_BASE: u32 = 0x40;
pub const DRM_COMMAND_END: u32 = 0xA0;
pub const DRM_EVENT_VBLANK: u32 = 0x01;
pub const DRM_EVENT_FLIP_COMPLETE: u32 = 0x02;
pub const DRM_EVENT_CRTC_SEQUENCE: u32 = 0x03;
