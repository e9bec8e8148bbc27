//! `<drm/drm_mode.h>`: the kernel mode-setting ABI: resources, CRTCs, planes,
//! connectors, properties, framebuffers, dumb buffers, atomic commits and leases.
//! The ioctl numbers are in [`crate::drm`], where C defines them.

use bytemuck::{Pod, Zeroable};

/// `struct drm_mode_modeinfo` (drm_mode.h): one display mode (timings, flags, name).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_modeinfo {
    pub clock: u32,
    pub hdisplay: u16,
    pub hsync_start: u16,
    pub hsync_end: u16,
    pub htotal: u16,
    pub hskew: u16,
    pub vdisplay: u16,
    pub vsync_start: u16,
    pub vsync_end: u16,
    pub vtotal: u16,
    pub vscan: u16,
    pub vrefresh: u32,
    pub flags: u32,
    pub r#type: u32,
    pub name: [u8; 32],
}

/// `struct drm_mode_card_res` (drm_mode.h): DRM_IOCTL_MODE_GETRESOURCES: the framebuffers,
/// CRTCs, connectors and encoders of the device.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_card_res {
    pub fb_id_ptr: u64,
    pub crtc_id_ptr: u64,
    pub connector_id_ptr: u64,
    pub encoder_id_ptr: u64,
    pub count_fbs: u32,
    pub count_crtcs: u32,
    pub count_connectors: u32,
    pub count_encoders: u32,
    pub min_width: u32,
    pub max_width: u32,
    pub min_height: u32,
    pub max_height: u32,
}

/// `struct drm_mode_crtc` (drm_mode.h): DRM_IOCTL_MODE_GETCRTC / SETCRTC: a CRTC and its
/// mode.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_crtc {
    pub set_connectors_ptr: u64,
    pub count_connectors: u32,
    pub crtc_id: u32,
    pub fb_id: u32,
    pub x: u32,
    pub y: u32,
    pub gamma_size: u32,
    pub mode_valid: u32,
    pub mode: drm_mode_modeinfo,
}

/// `struct drm_mode_set_plane` (drm_mode.h): DRM_IOCTL_MODE_SETPLANE: show a framebuffer on
/// a plane.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_set_plane {
    pub plane_id: u32,
    pub crtc_id: u32,
    pub fb_id: u32,
    pub flags: u32,
    pub crtc_x: i32,
    pub crtc_y: i32,
    pub crtc_w: u32,
    pub crtc_h: u32,
    pub src_x: u32,
    pub src_y: u32,
    pub src_h: u32,
    pub src_w: u32,
}

/// `struct drm_mode_get_plane` (drm_mode.h): DRM_IOCTL_MODE_GETPLANE: one plane and its
/// formats.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_get_plane {
    pub plane_id: u32,
    pub crtc_id: u32,
    pub fb_id: u32,
    pub possible_crtcs: u32,
    pub gamma_size: u32,
    pub count_format_types: u32,
    pub format_type_ptr: u64,
}

/// `struct drm_mode_get_plane_res` (drm_mode.h): DRM_IOCTL_MODE_GETPLANERESOURCES: the
/// plane ids.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_get_plane_res {
    pub plane_id_ptr: u64,
    pub count_planes: u32,
    pub _pad0: u32,
}

/// `struct drm_mode_get_encoder` (drm_mode.h): DRM_IOCTL_MODE_GETENCODER: one encoder.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_get_encoder {
    pub encoder_id: u32,
    pub encoder_type: u32,
    pub crtc_id: u32,
    pub possible_crtcs: u32,
    pub possible_clones: u32,
}

/// `struct drm_mode_get_connector` (drm_mode.h): DRM_IOCTL_MODE_GETCONNECTOR: one
/// connector, its modes and properties.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_get_connector {
    pub encoders_ptr: u64,
    pub modes_ptr: u64,
    pub props_ptr: u64,
    pub prop_values_ptr: u64,
    pub count_modes: u32,
    pub count_props: u32,
    pub count_encoders: u32,
    pub encoder_id: u32,
    pub connector_id: u32,
    pub connector_type: u32,
    pub connector_type_id: u32,
    pub connection: u32,
    pub mm_width: u32,
    pub mm_height: u32,
    pub subpixel: u32,
    pub pad: u32,
}

/// `struct drm_mode_property_enum` (drm_mode.h): one named value of an enum or bitmask
/// property.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_property_enum {
    pub value: u64,
    pub name: [u8; 32],
}

/// `struct drm_mode_get_property` (drm_mode.h): DRM_IOCTL_MODE_GETPROPERTY: a property and
/// its values.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_get_property {
    pub values_ptr: u64,
    pub enum_blob_ptr: u64,
    pub prop_id: u32,
    pub flags: u32,
    pub name: [u8; 32],
    pub count_values: u32,
    pub count_enum_blobs: u32,
}

/// `struct drm_mode_connector_set_property` (drm_mode.h): DRM_IOCTL_MODE_SETPROPERTY: set a
/// connector property.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_connector_set_property {
    pub value: u64,
    pub prop_id: u32,
    pub connector_id: u32,
}

/// `struct drm_mode_obj_get_properties` (drm_mode.h): DRM_IOCTL_MODE_OBJ_GETPROPERTIES: the
/// properties of a mode object.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_obj_get_properties {
    pub props_ptr: u64,
    pub prop_values_ptr: u64,
    pub count_props: u32,
    pub obj_id: u32,
    pub obj_type: u32,
    pub _pad0: u32,
}

/// `struct drm_mode_obj_set_property` (drm_mode.h): DRM_IOCTL_MODE_OBJ_SETPROPERTY: set a
/// property of a mode object.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_obj_set_property {
    pub value: u64,
    pub prop_id: u32,
    pub obj_id: u32,
    pub obj_type: u32,
    pub _pad0: u32,
}

/// `struct drm_mode_get_blob` (drm_mode.h): DRM_IOCTL_MODE_GETPROPBLOB: read a property
/// blob.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_get_blob {
    pub blob_id: u32,
    pub length: u32,
    pub data: u64,
}

/// `struct drm_mode_fb_cmd` (drm_mode.h): DRM_IOCTL_MODE_ADDFB / GETFB: a single-plane
/// framebuffer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_fb_cmd {
    pub fb_id: u32,
    pub width: u32,
    pub height: u32,
    pub pitch: u32,
    pub bpp: u32,
    pub depth: u32,
    pub handle: u32,
}

/// `struct drm_mode_fb_cmd2` (drm_mode.h): DRM_IOCTL_MODE_ADDFB2 / GETFB2: a framebuffer
/// with a fourcc format, up to four planes and modifiers.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_fb_cmd2 {
    pub fb_id: u32,
    pub width: u32,
    pub height: u32,
    pub pixel_format: u32,
    pub flags: u32,
    pub handles: [u32; 4],
    pub pitches: [u32; 4],
    pub offsets: [u32; 4],
    pub _pad0: u32,
    pub modifier: [u64; 4],
}

/// `struct drm_mode_fb_dirty_cmd` (drm_mode.h): DRM_IOCTL_MODE_DIRTYFB: flush damaged
/// rectangles of a framebuffer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_fb_dirty_cmd {
    pub fb_id: u32,
    pub flags: u32,
    pub color: u32,
    pub num_clips: u32,
    pub clips_ptr: u64,
}

/// `struct drm_mode_mode_cmd` (drm_mode.h): DRM_IOCTL_MODE_ATTACHMODE / DETACHMODE (never
/// worked).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_mode_cmd {
    pub connector_id: u32,
    pub mode: drm_mode_modeinfo,
}

/// `struct drm_mode_cursor` (drm_mode.h): DRM_IOCTL_MODE_CURSOR: set or move the cursor of
/// a CRTC.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_cursor {
    pub flags: u32,
    pub crtc_id: u32,
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub handle: u32,
}

/// `struct drm_mode_cursor2` (drm_mode.h): DRM_IOCTL_MODE_CURSOR2: the cursor with a
/// hotspot.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_cursor2 {
    pub flags: u32,
    pub crtc_id: u32,
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub handle: u32,
    pub hot_x: i32,
    pub hot_y: i32,
}

/// `struct drm_mode_crtc_lut` (drm_mode.h): DRM_IOCTL_MODE_GETGAMMA / SETGAMMA: a CRTC
/// gamma table.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_crtc_lut {
    pub crtc_id: u32,
    pub gamma_size: u32,
    pub red: u64,
    pub green: u64,
    pub blue: u64,
}

/// `struct drm_color_ctm` (drm_mode.h): a 3x3 colour transformation matrix (S31.32
/// sign-magnitude).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_color_ctm {
    pub matrix: [u64; 9],
}

/// `struct drm_color_lut` (drm_mode.h): one entry of a colour lookup table.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_color_lut {
    pub red: u16,
    pub green: u16,
    pub blue: u16,
    pub reserved: u16,
}

/// `struct hdr_metadata_infoframe` (drm_mode.h): HDR static metadata as sent in the HDMI
/// infoframe.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct hdr_metadata_infoframe {
    pub eotf: u8,
    pub metadata_type: u8,
    pub display_primaries: [hdr_metadata_xy; 3],
    pub white_point: hdr_metadata_xy,
    pub max_display_mastering_luminance: u16,
    pub min_display_mastering_luminance: u16,
    pub max_cll: u16,
    pub max_fall: u16,
}

/// A chromaticity coordinate of [`hdr_metadata_infoframe`]; anonymous in C
/// (`struct { __u16 x, y; }`), named here.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct hdr_metadata_xy {
    pub x: u16,
    pub y: u16,
}

/// `struct hdr_output_metadata` (drm_mode.h): the HDR_OUTPUT_METADATA connector property
/// blob.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct hdr_output_metadata {
    pub metadata_type: u32,
    /// A one-member anonymous union in C.
    pub hdmi_metadata_type1: hdr_metadata_infoframe,
    pub _pad0: [u8; 2],
}

/// `struct drm_mode_crtc_page_flip` (drm_mode.h): DRM_IOCTL_MODE_PAGE_FLIP: flip a CRTC to
/// another framebuffer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_crtc_page_flip {
    pub crtc_id: u32,
    pub fb_id: u32,
    pub flags: u32,
    pub reserved: u32,
    pub user_data: u64,
}

/// `struct drm_mode_crtc_page_flip_target` (drm_mode.h): DRM_IOCTL_MODE_PAGE_FLIP with a
/// target vblank.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_crtc_page_flip_target {
    pub crtc_id: u32,
    pub fb_id: u32,
    pub flags: u32,
    pub sequence: u32,
    pub user_data: u64,
}

/// `struct drm_mode_create_dumb` (drm_mode.h): DRM_IOCTL_MODE_CREATE_DUMB: make a linear
/// scan-out buffer object.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_create_dumb {
    pub height: u32,
    pub width: u32,
    pub bpp: u32,
    pub flags: u32,
    pub handle: u32,
    pub pitch: u32,
    pub size: u64,
}

/// `struct drm_mode_map_dumb` (drm_mode.h): DRM_IOCTL_MODE_MAP_DUMB: the fake mmap offset
/// of a dumb buffer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_map_dumb {
    pub handle: u32,
    pub pad: u32,
    pub offset: u64,
}

/// `struct drm_mode_destroy_dumb` (drm_mode.h): DRM_IOCTL_MODE_DESTROY_DUMB: drop a dumb
/// buffer handle.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_destroy_dumb {
    pub handle: u32,
}

/// `struct drm_mode_atomic` (drm_mode.h): DRM_IOCTL_MODE_ATOMIC: an atomic mode-setting
/// commit.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_atomic {
    pub flags: u32,
    pub count_objs: u32,
    pub objs_ptr: u64,
    pub count_props_ptr: u64,
    pub props_ptr: u64,
    pub prop_values_ptr: u64,
    pub reserved: u64,
    pub user_data: u64,
}

/// `struct drm_format_modifier_blob` (drm_mode.h): the header of the IN_FORMATS plane
/// property blob.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_format_modifier_blob {
    pub version: u32,
    pub flags: u32,
    pub count_formats: u32,
    pub formats_offset: u32,
    pub count_modifiers: u32,
    pub modifiers_offset: u32,
}

/// `struct drm_format_modifier` (drm_mode.h): one modifier and the formats it applies to,
/// in an IN_FORMATS blob.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_format_modifier {
    pub formats: u64,
    pub offset: u32,
    pub pad: u32,
    pub modifier: u64,
}

/// `struct drm_mode_create_blob` (drm_mode.h): DRM_IOCTL_MODE_CREATEPROPBLOB: make a
/// property blob.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_create_blob {
    pub data: u64,
    pub length: u32,
    pub blob_id: u32,
}

/// `struct drm_mode_destroy_blob` (drm_mode.h): DRM_IOCTL_MODE_DESTROYPROPBLOB: drop a
/// property blob.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_destroy_blob {
    pub blob_id: u32,
}

/// `struct drm_mode_create_lease` (drm_mode.h): DRM_IOCTL_MODE_CREATE_LEASE: lease mode
/// objects to a new file.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_create_lease {
    pub object_ids: u64,
    pub object_count: u32,
    pub flags: u32,
    pub lessee_id: u32,
    pub fd: u32,
}

/// `struct drm_mode_list_lessees` (drm_mode.h): DRM_IOCTL_MODE_LIST_LESSEES: the lessees of
/// a master.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_list_lessees {
    pub count_lessees: u32,
    pub pad: u32,
    pub lessees_ptr: u64,
}

/// `struct drm_mode_get_lease` (drm_mode.h): DRM_IOCTL_MODE_GET_LEASE: the objects leased
/// to this file.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_get_lease {
    pub count_objects: u32,
    pub pad: u32,
    pub objects_ptr: u64,
}

/// `struct drm_mode_revoke_lease` (drm_mode.h): DRM_IOCTL_MODE_REVOKE_LEASE: end a lease.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_revoke_lease {
    pub lessee_id: u32,
}

/// `struct drm_mode_rect` (drm_mode.h): a rectangle, as in the FB_DAMAGE_CLIPS property
/// blob.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct drm_mode_rect {
    pub x1: i32,
    pub y1: i32,
    pub x2: i32,
    pub y2: i32,
}

pub const DRM_MODE_SUBCONNECTOR_Automatic: u32 = 0;
pub const DRM_MODE_SUBCONNECTOR_Unknown: u32 = 0;
pub const DRM_MODE_SUBCONNECTOR_VGA: u32 = 1;
pub const DRM_MODE_SUBCONNECTOR_DVID: u32 = 3;
pub const DRM_MODE_SUBCONNECTOR_DVIA: u32 = 4;
pub const DRM_MODE_SUBCONNECTOR_Composite: u32 = 5;
pub const DRM_MODE_SUBCONNECTOR_SVIDEO: u32 = 6;
pub const DRM_MODE_SUBCONNECTOR_Component: u32 = 8;
pub const DRM_MODE_SUBCONNECTOR_SCART: u32 = 9;
pub const DRM_MODE_SUBCONNECTOR_DisplayPort: u32 = 10;
pub const DRM_MODE_SUBCONNECTOR_HDMIA: u32 = 11;
pub const DRM_MODE_SUBCONNECTOR_Native: u32 = 15;
pub const DRM_MODE_SUBCONNECTOR_Wireless: u32 = 18;
pub const DRM_CONNECTOR_NAME_LEN: u32 = 32;
pub const DRM_DISPLAY_MODE_LEN: u32 = 32;
pub const DRM_PROP_NAME_LEN: u32 = 32;
pub const DRM_MODE_TYPE_BUILTIN: u32 = 1 << 0;
pub const DRM_MODE_TYPE_CLOCK_C: u32 = (1 << 1) | DRM_MODE_TYPE_BUILTIN;
pub const DRM_MODE_TYPE_CRTC_C: u32 = (1 << 2) | DRM_MODE_TYPE_BUILTIN;
pub const DRM_MODE_TYPE_PREFERRED: u32 = 1 << 3;
pub const DRM_MODE_TYPE_DEFAULT: u32 = 1 << 4;
pub const DRM_MODE_TYPE_USERDEF: u32 = 1 << 5;
pub const DRM_MODE_TYPE_DRIVER: u32 = 1 << 6;
pub const DRM_MODE_TYPE_ALL: u32 =
    DRM_MODE_TYPE_PREFERRED | DRM_MODE_TYPE_USERDEF | DRM_MODE_TYPE_DRIVER;
pub const DRM_MODE_FLAG_PHSYNC: u32 = 1 << 0;
pub const DRM_MODE_FLAG_NHSYNC: u32 = 1 << 1;
pub const DRM_MODE_FLAG_PVSYNC: u32 = 1 << 2;
pub const DRM_MODE_FLAG_NVSYNC: u32 = 1 << 3;
pub const DRM_MODE_FLAG_INTERLACE: u32 = 1 << 4;
pub const DRM_MODE_FLAG_DBLSCAN: u32 = 1 << 5;
pub const DRM_MODE_FLAG_CSYNC: u32 = 1 << 6;
pub const DRM_MODE_FLAG_PCSYNC: u32 = 1 << 7;
pub const DRM_MODE_FLAG_NCSYNC: u32 = 1 << 8;
pub const DRM_MODE_FLAG_HSKEW: u32 = 1 << 9;
pub const DRM_MODE_FLAG_BCAST: u32 = 1 << 10;
pub const DRM_MODE_FLAG_PIXMUX: u32 = 1 << 11;
pub const DRM_MODE_FLAG_DBLCLK: u32 = 1 << 12;
pub const DRM_MODE_FLAG_CLKDIV2: u32 = 1 << 13;
pub const DRM_MODE_FLAG_3D_MASK: u32 = 0x1f << 14;
pub const DRM_MODE_FLAG_3D_NONE: u32 = 0 << 14;
pub const DRM_MODE_FLAG_3D_FRAME_PACKING: u32 = 1 << 14;
pub const DRM_MODE_FLAG_3D_FIELD_ALTERNATIVE: u32 = 2 << 14;
pub const DRM_MODE_FLAG_3D_LINE_ALTERNATIVE: u32 = 3 << 14;
pub const DRM_MODE_FLAG_3D_SIDE_BY_SIDE_FULL: u32 = 4 << 14;
pub const DRM_MODE_FLAG_3D_L_DEPTH: u32 = 5 << 14;
pub const DRM_MODE_FLAG_3D_L_DEPTH_GFX_GFX_DEPTH: u32 = 6 << 14;
pub const DRM_MODE_FLAG_3D_TOP_AND_BOTTOM: u32 = 7 << 14;
pub const DRM_MODE_FLAG_3D_SIDE_BY_SIDE_HALF: u32 = 8 << 14;
pub const DRM_MODE_PICTURE_ASPECT_NONE: u32 = 0;
pub const DRM_MODE_PICTURE_ASPECT_4_3: u32 = 1;
pub const DRM_MODE_PICTURE_ASPECT_16_9: u32 = 2;
pub const DRM_MODE_PICTURE_ASPECT_64_27: u32 = 3;
pub const DRM_MODE_PICTURE_ASPECT_256_135: u32 = 4;
pub const DRM_MODE_CONTENT_TYPE_NO_DATA: u32 = 0;
pub const DRM_MODE_CONTENT_TYPE_GRAPHICS: u32 = 1;
pub const DRM_MODE_CONTENT_TYPE_PHOTO: u32 = 2;
pub const DRM_MODE_CONTENT_TYPE_CINEMA: u32 = 3;
pub const DRM_MODE_CONTENT_TYPE_GAME: u32 = 4;
pub const DRM_MODE_FLAG_PIC_AR_MASK: u32 = 0x0F << 19;
pub const DRM_MODE_FLAG_PIC_AR_NONE: u32 = DRM_MODE_PICTURE_ASPECT_NONE << 19;
pub const DRM_MODE_FLAG_PIC_AR_4_3: u32 = DRM_MODE_PICTURE_ASPECT_4_3 << 19;
pub const DRM_MODE_FLAG_PIC_AR_16_9: u32 = DRM_MODE_PICTURE_ASPECT_16_9 << 19;
pub const DRM_MODE_FLAG_PIC_AR_64_27: u32 = DRM_MODE_PICTURE_ASPECT_64_27 << 19;
pub const DRM_MODE_FLAG_PIC_AR_256_135: u32 = DRM_MODE_PICTURE_ASPECT_256_135 << 19;
pub const DRM_MODE_FLAG_ALL: u32 = DRM_MODE_FLAG_PHSYNC
    | DRM_MODE_FLAG_NHSYNC
    | DRM_MODE_FLAG_PVSYNC
    | DRM_MODE_FLAG_NVSYNC
    | DRM_MODE_FLAG_INTERLACE
    | DRM_MODE_FLAG_DBLSCAN
    | DRM_MODE_FLAG_CSYNC
    | DRM_MODE_FLAG_PCSYNC
    | DRM_MODE_FLAG_NCSYNC
    | DRM_MODE_FLAG_HSKEW
    | DRM_MODE_FLAG_DBLCLK
    | DRM_MODE_FLAG_CLKDIV2
    | DRM_MODE_FLAG_3D_MASK;
pub const DRM_MODE_DPMS_ON: u32 = 0;
pub const DRM_MODE_DPMS_STANDBY: u32 = 1;
pub const DRM_MODE_DPMS_SUSPEND: u32 = 2;
pub const DRM_MODE_DPMS_OFF: u32 = 3;
pub const DRM_MODE_SCALE_NONE: u32 = 0;
pub const DRM_MODE_SCALE_FULLSCREEN: u32 = 1;
pub const DRM_MODE_SCALE_CENTER: u32 = 2;
pub const DRM_MODE_SCALE_ASPECT: u32 = 3;
pub const DRM_MODE_DITHERING_OFF: u32 = 0;
pub const DRM_MODE_DITHERING_ON: u32 = 1;
pub const DRM_MODE_DITHERING_AUTO: u32 = 2;
pub const DRM_MODE_DIRTY_OFF: u32 = 0;
pub const DRM_MODE_DIRTY_ON: u32 = 1;
pub const DRM_MODE_DIRTY_ANNOTATE: u32 = 2;
pub const DRM_MODE_LINK_STATUS_GOOD: u32 = 0;
pub const DRM_MODE_LINK_STATUS_BAD: u32 = 1;
pub const DRM_MODE_ROTATE_0: u32 = 1 << 0;
pub const DRM_MODE_ROTATE_90: u32 = 1 << 1;
pub const DRM_MODE_ROTATE_180: u32 = 1 << 2;
pub const DRM_MODE_ROTATE_270: u32 = 1 << 3;
pub const DRM_MODE_ROTATE_MASK: u32 =
    DRM_MODE_ROTATE_0 | DRM_MODE_ROTATE_90 | DRM_MODE_ROTATE_180 | DRM_MODE_ROTATE_270;
pub const DRM_MODE_REFLECT_X: u32 = 1 << 4;
pub const DRM_MODE_REFLECT_Y: u32 = 1 << 5;
pub const DRM_MODE_REFLECT_MASK: u32 = DRM_MODE_REFLECT_X | DRM_MODE_REFLECT_Y;
pub const DRM_MODE_CONTENT_PROTECTION_UNDESIRED: u32 = 0;
pub const DRM_MODE_CONTENT_PROTECTION_DESIRED: u32 = 1;
pub const DRM_MODE_CONTENT_PROTECTION_ENABLED: u32 = 2;
pub const DRM_MODE_PRESENT_TOP_FIELD: u32 = 1 << 0;
pub const DRM_MODE_PRESENT_BOTTOM_FIELD: u32 = 1 << 1;
pub const DRM_MODE_ENCODER_NONE: u32 = 0;
pub const DRM_MODE_ENCODER_DAC: u32 = 1;
pub const DRM_MODE_ENCODER_TMDS: u32 = 2;
pub const DRM_MODE_ENCODER_LVDS: u32 = 3;
pub const DRM_MODE_ENCODER_TVDAC: u32 = 4;
pub const DRM_MODE_ENCODER_VIRTUAL: u32 = 5;
pub const DRM_MODE_ENCODER_DSI: u32 = 6;
pub const DRM_MODE_ENCODER_DPMST: u32 = 7;
pub const DRM_MODE_ENCODER_DPI: u32 = 8;
pub const DRM_MODE_CONNECTOR_Unknown: u32 = 0;
pub const DRM_MODE_CONNECTOR_VGA: u32 = 1;
pub const DRM_MODE_CONNECTOR_DVII: u32 = 2;
pub const DRM_MODE_CONNECTOR_DVID: u32 = 3;
pub const DRM_MODE_CONNECTOR_DVIA: u32 = 4;
pub const DRM_MODE_CONNECTOR_Composite: u32 = 5;
pub const DRM_MODE_CONNECTOR_SVIDEO: u32 = 6;
pub const DRM_MODE_CONNECTOR_LVDS: u32 = 7;
pub const DRM_MODE_CONNECTOR_Component: u32 = 8;
pub const DRM_MODE_CONNECTOR_9PinDIN: u32 = 9;
pub const DRM_MODE_CONNECTOR_DisplayPort: u32 = 10;
pub const DRM_MODE_CONNECTOR_HDMIA: u32 = 11;
pub const DRM_MODE_CONNECTOR_HDMIB: u32 = 12;
pub const DRM_MODE_CONNECTOR_TV: u32 = 13;
pub const DRM_MODE_CONNECTOR_eDP: u32 = 14;
pub const DRM_MODE_CONNECTOR_VIRTUAL: u32 = 15;
pub const DRM_MODE_CONNECTOR_DSI: u32 = 16;
pub const DRM_MODE_CONNECTOR_DPI: u32 = 17;
pub const DRM_MODE_CONNECTOR_WRITEBACK: u32 = 18;
pub const DRM_MODE_CONNECTOR_SPI: u32 = 19;
pub const DRM_MODE_CONNECTOR_USB: u32 = 20;
pub const DRM_MODE_PROP_PENDING: u32 = 1 << 0;
pub const DRM_MODE_PROP_RANGE: u32 = 1 << 1;
pub const DRM_MODE_PROP_IMMUTABLE: u32 = 1 << 2;
pub const DRM_MODE_PROP_ENUM: u32 = 1 << 3;
pub const DRM_MODE_PROP_BLOB: u32 = 1 << 4;
pub const DRM_MODE_PROP_BITMASK: u32 = 1 << 5;
pub const DRM_MODE_PROP_LEGACY_TYPE: u32 =
    DRM_MODE_PROP_RANGE | DRM_MODE_PROP_ENUM | DRM_MODE_PROP_BLOB | DRM_MODE_PROP_BITMASK;
pub const DRM_MODE_PROP_EXTENDED_TYPE: u32 = 0x0000ffc0;
/// `DRM_MODE_PROP_TYPE(n)`: an extended property type.
pub const fn DRM_MODE_PROP_TYPE(n: u32) -> u32 {
    n << 6
}
pub const DRM_MODE_PROP_OBJECT: u32 = DRM_MODE_PROP_TYPE(1);
pub const DRM_MODE_PROP_SIGNED_RANGE: u32 = DRM_MODE_PROP_TYPE(2);
pub const DRM_MODE_PROP_ATOMIC: u32 = 0x80000000;
pub const DRM_MODE_OBJECT_CRTC: u32 = 0xcccccccc;
pub const DRM_MODE_OBJECT_CONNECTOR: u32 = 0xc0c0c0c0;
pub const DRM_MODE_OBJECT_ENCODER: u32 = 0xe0e0e0e0;
pub const DRM_MODE_OBJECT_MODE: u32 = 0xdededede;
pub const DRM_MODE_OBJECT_PROPERTY: u32 = 0xb0b0b0b0;
pub const DRM_MODE_OBJECT_FB: u32 = 0xfbfbfbfb;
pub const DRM_MODE_OBJECT_BLOB: u32 = 0xbbbbbbbb;
pub const DRM_MODE_OBJECT_PLANE: u32 = 0xeeeeeeee;
pub const DRM_MODE_OBJECT_ANY: u32 = 0;
pub const DRM_MODE_FB_INTERLACED: u32 = 1 << 0;
pub const DRM_MODE_FB_MODIFIERS: u32 = 1 << 1;
pub const DRM_MODE_FB_DIRTY_ANNOTATE_COPY: u32 = 0x01;
pub const DRM_MODE_FB_DIRTY_ANNOTATE_FILL: u32 = 0x02;
pub const DRM_MODE_FB_DIRTY_FLAGS: u32 = 0x03;
pub const DRM_MODE_FB_DIRTY_MAX_CLIPS: u32 = 256;
pub const DRM_MODE_CURSOR_BO: u32 = 0x01;
pub const DRM_MODE_CURSOR_MOVE: u32 = 0x02;
pub const DRM_MODE_CURSOR_FLAGS: u32 = 0x03;
pub const DRM_MODE_PAGE_FLIP_EVENT: u32 = 0x01;
pub const DRM_MODE_PAGE_FLIP_ASYNC: u32 = 0x02;
pub const DRM_MODE_PAGE_FLIP_TARGET_ABSOLUTE: u32 = 0x4;
pub const DRM_MODE_PAGE_FLIP_TARGET_RELATIVE: u32 = 0x8;
pub const DRM_MODE_PAGE_FLIP_TARGET: u32 =
    DRM_MODE_PAGE_FLIP_TARGET_ABSOLUTE | DRM_MODE_PAGE_FLIP_TARGET_RELATIVE;
pub const DRM_MODE_PAGE_FLIP_FLAGS: u32 =
    DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_PAGE_FLIP_ASYNC | DRM_MODE_PAGE_FLIP_TARGET;
pub const DRM_MODE_ATOMIC_TEST_ONLY: u32 = 0x0100;
pub const DRM_MODE_ATOMIC_NONBLOCK: u32 = 0x0200;
pub const DRM_MODE_ATOMIC_ALLOW_MODESET: u32 = 0x0400;
pub const DRM_MODE_ATOMIC_FLAGS: u32 = DRM_MODE_PAGE_FLIP_EVENT
    | DRM_MODE_PAGE_FLIP_ASYNC
    | DRM_MODE_ATOMIC_TEST_ONLY
    | DRM_MODE_ATOMIC_NONBLOCK
    | DRM_MODE_ATOMIC_ALLOW_MODESET;
pub const FORMAT_BLOB_CURRENT: u32 = 1;
