//! gemu's own ioctls and conventions between `libgemu_shim.so` (in the program) and the
//! daemon: how a dma-buf fd is made for a program although a FUSE reply cannot carry
//! a file descriptor (DESIGN §3).
//!
//! The shim turns PRIME_HANDLE_TO_FD into [`DRM_IOCTL_GEMU_PRIME_EXPORT`] (the daemon
//! answers the dma-buf's id in `fd`) and opens the daemon's file `<id>` in the folder
//! named by [`GEMU_DMABUF_DIR_ENV`]; PRIME_FD_TO_HANDLE becomes
//! [`DRM_IOCTL_GEMU_PRIME_IMPORT`] with the id read from the fd's inode number. The
//! numbers sit at the top of the DRM driver range (0x40..0xa0), which i915 leaves
//! unused (its last command is 0x7c, GEM_CREATE_EXT).

use crate::drm::{drm_prime_handle, drm_syncobj_handle, DRM_IOWR};
use crate::i915::{drm_i915_gem_execbuffer2, drm_i915_gem_mmap};
use core::mem::size_of;

/// Export a GEM handle as a dma-buf: in `handle`, `flags`; out `fd` = the dma-buf id.
pub const DRM_IOCTL_GEMU_PRIME_EXPORT: u32 = DRM_IOWR(0x9e, size_of::<drm_prime_handle>());
/// Import the dma-buf with id `fd`: out `handle` (the file's existing handle for the
/// object, if it has one, as `drm_prime_fd_to_handle`).
pub const DRM_IOCTL_GEMU_PRIME_IMPORT: u32 = DRM_IOWR(0x9f, size_of::<drm_prime_handle>());

/// SYNCOBJ_HANDLE_TO_FD's half in the device: `fd` answers the id of a `syncobj/` file
/// (or, with EXPORT_SYNC_FILE, of a `sync_file/` file).
pub const DRM_IOCTL_GEMU_SYNCOBJ_EXPORT: u32 = DRM_IOWR(0x9a, size_of::<drm_syncobj_handle>());
/// SYNCOBJ_FD_TO_HANDLE's half: `fd` carries the id of a `syncobj/` file (or, with
/// IMPORT_SYNC_FILE, of a `sync_file/` file).
pub const DRM_IOCTL_GEMU_SYNCOBJ_IMPORT: u32 = DRM_IOWR(0x9b, size_of::<drm_syncobj_handle>());
/// EXECBUFFER2_WR whose fence "fds" are sync_file ids: FENCE_IN's in the low 32 bits of
/// `rsvd2`; FENCE_OUT answers the new sync_file's id in the high 32 bits.
pub const DRM_IOCTL_GEMU_EXECBUFFER2: u32 = DRM_IOWR(0x9c, size_of::<drm_i915_gem_execbuffer2>());
/// SYNC_IOC_MERGE's half, sent on the first sync_file's fd: `fd2` carries the second's
/// id, `fence` answers the new sync_file's id.
pub const GEMU_SYNC_IOC_MERGE: u32 = crate::ioc::_IOWR(
    crate::sync_file::SYNC_IOC_MAGIC,
    0xe0,
    size_of::<crate::sync_file::sync_merge_data>(),
);

/// DMA_BUF_IOCTL_EXPORT_SYNC_FILE's half, sent on the dma-buf's fd: `fd` answers the
/// new sync_file's id.
pub const GEMU_DMA_BUF_IOCTL_EXPORT_SYNC_FILE: u32 = crate::ioc::_IOWR(
    crate::dma_buf::DMA_BUF_BASE,
    0xe0,
    size_of::<crate::dma_buf::dma_buf_export_sync_file>(),
);
/// DMA_BUF_IOCTL_IMPORT_SYNC_FILE's half, sent on the dma-buf's fd: `fd` carries the
/// sync_file's id.
pub const GEMU_DMA_BUF_IOCTL_IMPORT_SYNC_FILE: u32 = crate::ioc::_IOW(
    crate::dma_buf::DMA_BUF_BASE,
    0xe1,
    size_of::<crate::dma_buf::dma_buf_import_sync_file>(),
);

/// SW_SYNC_IOC_CREATE_FENCE's half, sent on the timeline's fd: `fence` answers the new
/// sync_file's id.
pub const GEMU_SW_SYNC_IOC_CREATE_FENCE: u32 = crate::ioc::_IOWR(
    crate::sw_sync::SW_SYNC_IOC_MAGIC,
    0xe0,
    size_of::<crate::sw_sync::sw_sync_create_fence_data>(),
);

/// The daemon's sw_sync file (in the folder named by [`GEMU_FD_DIR_ENV`]; `gemu run`
/// binds it at `/sys/kernel/debug/sync/sw_sync`): each open is a timeline.
pub const GEMU_SW_SYNC_FILE: &str = "sw_sync";
/// Its inode, by which the shim knows a timeline's fd.
pub const GEMU_SW_SYNC_INO: u64 = 12;

/// Legacy GEM_MMAP's half in the device: validates as `i915_gem_mmap_ioctl` and
/// answers in `addr_ptr` the offset at which a mapping of the node shows
/// `offset` of the object; the shim then maps `size` bytes there and answers the address.
pub const DRM_IOCTL_GEMU_GEM_MMAP: u32 = DRM_IOWR(0x9d, size_of::<drm_i915_gem_mmap>());

/// `struct gemu_mmap_check`: a mapping of a node about to be made.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub struct gemu_mmap_check {
    /// The mapping's offset in the node.
    pub offset: u64,
    /// Its length in bytes.
    pub len: u64,
    /// Out: 1 when the object's pages were purged, so every access through the mapping
    /// must fault with SIGBUS (i915's fault handler cannot get the pages).
    pub purged: u32,
    /// Zero.
    pub pad: u32,
}

/// mmap's check in the device (`drm_gem_mmap` / `i915_gem_mmap` up to the fault
/// handler): a passthrough mmap never asks the daemon, so the shim asks before it maps.
/// `EINVAL` when no object's range holds the whole mapping, `EACCES` when the file was not
/// given the object's offset (or closed its handle since).
pub const DRM_IOCTL_GEMU_MMAP_CHECK: u32 = DRM_IOWR(0x99, size_of::<gemu_mmap_check>());

/// `struct gemu_rw`: GEM_PREAD or GEM_PWRITE about to be copied by the shim itself.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub struct gemu_rw {
    /// The object, as in `drm_i915_gem_pread`/`pwrite`.
    pub handle: u32,
    /// [`GEMU_RW_WRITE`] for a PWRITE, 0 for a PREAD.
    pub flags: u32,
    /// Offset in the object.
    pub offset: u64,
    /// Bytes to copy.
    pub size: u64,
    /// The caller's buffer (checked as i915 checks it; the copy is the shim's).
    pub data_ptr: u64,
    /// Out: where the bytes are in the aperture memfd, or 0 when the shim must make the
    /// ordinary call instead (the daemon then copies).
    pub aperture_offset: u64,
}

/// [`gemu_rw::flags`]: the call is a PWRITE.
pub const GEMU_RW_WRITE: u32 = 1;

/// PREAD/PWRITE's half in the device: every check of the call (the handle, the range,
/// a userptr object, the buffer's address range, a purged object), the wait for the GPU
/// and the domain flush, then the aperture offset of the bytes in `aperture_offset`. The
/// shim copies through the aperture memfd with `pread`/`pwrite`, whose partial copy at an
/// unmapped page is i915's EFAULT. The object stays referenced until the calling
/// thread's next ioctl on the file, so its range cannot be reused during the copy.
pub const DRM_IOCTL_GEMU_RW: u32 = DRM_IOWR(0x98, size_of::<gemu_rw>());

/// `struct gemu_params`: the GETPARAM answers that are fixed for the device's lifetime.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub struct gemu_params {
    /// In: room at `entries_ptr`, in entries. Out: the number of fixed answers; when
    /// it is more than the room, nothing was written (ask again with more).
    pub count: u32,
    /// Zero.
    pub pad: u32,
    /// An array of [`gemu_param`].
    pub entries_ptr: u64,
}

/// One fixed GETPARAM answer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct gemu_param {
    /// `I915_PARAM_*`.
    pub param: i32,
    /// 0, or the errno GETPARAM fails with.
    pub error: i32,
    /// The value GETPARAM writes when `error` is 0.
    pub value: i32,
    /// Zero.
    pub pad: i32,
}

/// The GETPARAM answers that never change while the device lives (every parameter the
/// platform knows but those that follow live settings), for the shim to answer GETPARAM
/// in the program's process. A parameter not in the list goes to the device.
pub const DRM_IOCTL_GEMU_PARAMS: u32 = DRM_IOWR(0x97, size_of::<gemu_params>());

/// The inode of the daemon's file for dma-buf `id` is `GEMU_DMABUF_INO_BASE + id`.
pub const GEMU_DMABUF_INO_BASE: u64 = 1 << 32;
/// The inode of the daemon's file for syncobj fd `id` (`syncobj/<id>`).
pub const GEMU_SYNCOBJ_INO_BASE: u64 = 2 << 32;
/// The inode of the daemon's file for sync_file `id` (`sync_file/<id>`).
pub const GEMU_SYNC_FILE_INO_BASE: u64 = 3 << 32;
/// Ids stay below this, so each kind keeps its inode range.
pub const GEMU_FD_ID_LIMIT: u64 = 1 << 32;
/// A dma-buf's id is its object's page index in the aperture: `id << GEMU_DMABUF_ID_SHIFT`
/// is the offset at which a mapping of a node (or of the dma-buf file) shows the object.
pub const GEMU_DMABUF_ID_SHIFT: u32 = 12;
/// What one of the daemon's fd files stands for. Each kind has a folder of the mount
/// (`<folder>/<id>` is export `id`) and an inode range (`ino_base + id`), which is how
/// the shim tells an fd's kind from its `fstat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdKind {
    /// A dma-buf (PRIME export).
    DmaBuf,
    /// An opaque syncobj fd.
    Syncobj,
    /// A sync_file.
    SyncFile,
}

impl FdKind {
    /// Every kind.
    pub const ALL: [FdKind; 3] = [FdKind::DmaBuf, FdKind::Syncobj, FdKind::SyncFile];

    /// The kind's folder, in the directory named by [`GEMU_FD_DIR_ENV`].
    pub const fn dir_name(self) -> &'static str {
        match self {
            FdKind::DmaBuf => "dmabuf",
            FdKind::Syncobj => "syncobj",
            FdKind::SyncFile => "sync_file",
        }
    }

    /// The inode of export 0's file.
    pub const fn ino_base(self) -> u64 {
        match self {
            FdKind::DmaBuf => GEMU_DMABUF_INO_BASE,
            FdKind::Syncobj => GEMU_SYNCOBJ_INO_BASE,
            FdKind::SyncFile => GEMU_SYNC_FILE_INO_BASE,
        }
    }

    /// The inode of export `id`'s file.
    pub const fn ino(self, id: u64) -> u64 {
        self.ino_base() + id
    }

    /// Kind and id of the file with inode `ino`, if it is an fd file.
    pub fn of_ino(ino: u64) -> Option<(FdKind, u64)> {
        FdKind::ALL.into_iter().find_map(|k| {
            let id = ino.checked_sub(k.ino_base())?;
            (id < GEMU_FD_ID_LIMIT).then_some((k, id))
        })
    }
}

/// The environment variable that names the daemon's folder (`gemu run` sets it), which
/// holds `dmabuf/`, `syncobj/` and `sync_file/`.
pub const GEMU_FD_DIR_ENV: &str = "GEMU_FD_DIR";

/// The environment variable that names the daemon's aperture socket, set by `gemu run`
/// when a mapping of a node cannot reach the aperture by itself (a kernel without FUSE
/// passthrough): the shim then maps the aperture memfd, which it gets there.
pub const GEMU_APERTURE_SOCKET_ENV: &str = "GEMU_APERTURE_SOCKET";

/// The environment variable that names the aperture socket from which the shim gets
/// the memfd it copies PREAD and PWRITE through ([`DRM_IOCTL_GEMU_RW`]), also where
/// mappings go through the nodes. Unset: the daemon copies.
pub const GEMU_RW_SOCKET_ENV: &str = "GEMU_RW_SOCKET";

/// Where a CUSE daemon listens for node `major:minor`: `/run/gemu/char-<major>:<minor>`.
pub const GEMU_APERTURE_SOCKET_DIR: &str = "/run/gemu";

/// The aperture socket's protocol (a Unix stream socket): the client sends one byte,
/// [`GEMU_APERTURE_REQUEST`], with an open file of the device (a node or a dma-buf) as
/// `SCM_RIGHTS`: whoever holds an open of the node may map its objects, so that file is
/// the proof. The daemon answers one [`gemu_aperture_reply`], with the aperture memfd
/// as `SCM_RIGHTS` when `error` is 0, and closes the connection. MMAP_OFFSET's offsets
/// (and a dma-buf's `id << GEMU_DMABUF_ID_SHIFT`) are offsets in that memfd.
pub const GEMU_APERTURE_REQUEST: u8 = b'A';

/// The daemon's answer on the aperture socket.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct gemu_aperture_reply {
    /// 0, or the errno of the refusal (`EACCES`: the file is not the device's;
    /// `EINVAL`: a malformed request).
    pub error: u32,
    /// Zero.
    pub pad: u32,
    /// The memfd's length in bytes.
    pub size: u64,
}

/// gemu's debugfs file (`/sys/kernel/debug/dri/<minor>/gemu_pmu`, `debugfs/gemu_pmu` in
/// the daemon's folder) with the counters of the i915 PMU: one `CONFIG VALUE` line per
/// counter, CONFIG (hex) as `perf_event_attr.config` names it. Engine busy counters are
/// nanoseconds, frequencies MHz now (a reader integrates them over time), interrupts a
/// count.
pub const GEMU_PMU_FILE: &str = "gemu_pmu";

/// The perf event type of gemu's i915 PMU (`/sys/bus/event_source/devices/i915/type`
/// under `gemu run`): "gemu" in ASCII, far above the types the kernel hands out (its
/// own fixed ones, then one per registered PMU), so no host PMU has it. The shim
/// answers `perf_event_open` for it.
pub const GEMU_PMU_TYPE: u32 = 0x6765_6d75;
