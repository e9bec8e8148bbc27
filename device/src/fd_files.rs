//! The files that stand for what the program holds as fds from the device: dma-bufs,
//! syncobj fds and sync_files (`uapi::gemu`). Each kind has a folder of the FUSE mount
//! (`dmabuf/`, `syncobj/`, `sync_file/`) where `<id>` is the export with that id;
//! inode numbers carry kind and id, and so do the file handles of their opens.

use emu::Device;
use uapi::GEMU_FD_ID_LIMIT;

/// What an fd file stands for: the table both ends share (`uapi::gemu::FdKind`).
pub use uapi::gemu::FdKind as Kind;

/// The daemon's side of the kinds: folder inodes, file handles, the model's exports.
pub trait KindExt: Sized {
    /// The folder's inode (below the live trees' first, `live_files::FIRST_INO`).
    fn dir_ino(self) -> u64;
    /// The file handle of an open of export `id`.
    fn fh(self, id: u64) -> u64;
    /// The kind whose folder has inode `ino`.
    fn of_dir(ino: u64) -> Option<Self>;
    /// Kind and id of an open with file handle `fh`.
    fn of_fh(fh: u64) -> Option<(Self, u64)>;
    /// The size the file reports if export `id` exists: the object's for a dma-buf
    /// (what `lseek(SEEK_END)` answers), 0 otherwise.
    fn size(self, device: &Device, id: u64) -> Option<u64>;
    /// The program opened export `id`'s file; false if there is no such export.
    fn open(self, device: &Device, id: u64) -> bool;
    /// An open of export `id`'s file was released.
    fn release(self, device: &Device, id: u64);
}

/// The bit that marks an open's file handle as this kind's (the model's DRM file ids
/// never reach it; debugfs uses bit 63).
fn fh_tag(kind: Kind) -> u64 {
    match kind {
        Kind::DmaBuf => 1 << 62,
        Kind::Syncobj => 1 << 61,
        Kind::SyncFile => 1 << 60,
    }
}

impl KindExt for Kind {
    fn dir_ino(self) -> u64 {
        match self {
            Kind::DmaBuf => 13,
            Kind::Syncobj => 14,
            Kind::SyncFile => 15,
        }
    }

    fn fh(self, id: u64) -> u64 {
        fh_tag(self) | id
    }

    fn of_dir(ino: u64) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.dir_ino() == ino)
    }

    fn of_fh(fh: u64) -> Option<(Kind, u64)> {
        if fh & (1 << 63) != 0 {
            return None;
        }
        Kind::ALL
            .into_iter()
            .find(|&k| fh & fh_tag(k) != 0)
            .map(|k| (k, fh & !fh_tag(k)))
    }

    fn size(self, device: &Device, id: u64) -> Option<u64> {
        match self {
            Kind::DmaBuf => device.dma_buf_size(id),
            Kind::Syncobj => device.syncobj_file_exists(id).then_some(0),
            Kind::SyncFile => device.sync_file(id).map(|_| 0),
        }
    }

    fn open(self, device: &Device, id: u64) -> bool {
        match self {
            Kind::DmaBuf => device.dma_buf_open(id),
            Kind::Syncobj => device.syncobj_file_open(id),
            Kind::SyncFile => device.sync_file_open(id),
        }
    }

    fn release(self, device: &Device, id: u64) {
        match self {
            Kind::DmaBuf => device.dma_buf_release(id),
            Kind::Syncobj => device.syncobj_file_release(id),
            Kind::SyncFile => device.sync_file_release(id),
        }
    }
}

/// The export a file name in `kind`'s folder names, if it exists.
pub fn lookup(device: &Device, kind: Kind, name: &[u8]) -> Option<u64> {
    let id: u64 = std::str::from_utf8(name).ok()?.parse().ok()?;
    (id < GEMU_FD_ID_LIMIT && kind.size(device, id).is_some()).then_some(id)
}
