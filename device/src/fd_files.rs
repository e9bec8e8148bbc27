//! The files that stand for what the program holds as fds from the device: dma-bufs,
//! syncobj fds and sync_files (`uapi::gemu`). Each kind has a folder of the FUSE mount
//! (`dmabuf/`, `syncobj/`, `sync_file/`) where `<id>` is the export with that id;
//! inode numbers carry kind and id, and so do the file handles of their opens.

use emu::Device;
use uapi::{
    GEMU_DMABUF_INO_BASE, GEMU_FD_ID_LIMIT, GEMU_SYNCOBJ_INO_BASE, GEMU_SYNC_FILE_INO_BASE,
};

/// What an fd file stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    DmaBuf,
    Syncobj,
    SyncFile,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::DmaBuf, Kind::Syncobj, Kind::SyncFile];

    /// The folder's inode (below the live trees' first, `live_files::FIRST_INO`).
    pub fn dir_ino(self) -> u64 {
        match self {
            Kind::DmaBuf => 13,
            Kind::Syncobj => 14,
            Kind::SyncFile => 15,
        }
    }

    pub fn dir_name(self) -> &'static str {
        match self {
            Kind::DmaBuf => "dmabuf",
            Kind::Syncobj => "syncobj",
            Kind::SyncFile => "sync_file",
        }
    }

    fn ino_base(self) -> u64 {
        match self {
            Kind::DmaBuf => GEMU_DMABUF_INO_BASE,
            Kind::Syncobj => GEMU_SYNCOBJ_INO_BASE,
            Kind::SyncFile => GEMU_SYNC_FILE_INO_BASE,
        }
    }

    /// The bit that marks an open's file handle as this kind's (the model's DRM file
    /// ids never reach it; debugfs uses bit 63).
    fn fh_tag(self) -> u64 {
        match self {
            Kind::DmaBuf => 1 << 62,
            Kind::Syncobj => 1 << 61,
            Kind::SyncFile => 1 << 60,
        }
    }

    pub fn ino(self, id: u64) -> u64 {
        self.ino_base() + id
    }

    pub fn fh(self, id: u64) -> u64 {
        self.fh_tag() | id
    }

    /// The kind whose folder has inode `ino`.
    pub fn of_dir(ino: u64) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.dir_ino() == ino)
    }

    /// Kind and id of the file with inode `ino`.
    pub fn of_ino(ino: u64) -> Option<(Kind, u64)> {
        Kind::ALL.into_iter().find_map(|k| {
            let id = ino.checked_sub(k.ino_base())?;
            (id < GEMU_FD_ID_LIMIT).then_some((k, id))
        })
    }

    /// Kind and id of an open with file handle `fh`.
    pub fn of_fh(fh: u64) -> Option<(Kind, u64)> {
        if fh & (1 << 63) != 0 {
            return None;
        }
        Kind::ALL
            .into_iter()
            .find(|k| fh & k.fh_tag() != 0)
            .map(|k| (k, fh & !k.fh_tag()))
    }

    /// The size the file reports if export `id` exists: the object's for a dma-buf
    /// (what `lseek(SEEK_END)` answers), 0 otherwise.
    pub fn size(self, device: &Device, id: u64) -> Option<u64> {
        match self {
            Kind::DmaBuf => device.dma_buf_size(id),
            Kind::Syncobj => device.syncobj_file_exists(id).then_some(0),
            Kind::SyncFile => device.sync_file(id).map(|_| 0),
        }
    }

    /// The program opened export `id`'s file; false if there is no such export.
    pub fn open(self, device: &Device, id: u64) -> bool {
        match self {
            Kind::DmaBuf => device.dma_buf_open(id),
            Kind::Syncobj => device.syncobj_file_open(id),
            Kind::SyncFile => device.sync_file_open(id),
        }
    }

    /// An open of export `id`'s file was released.
    pub fn release(self, device: &Device, id: u64) {
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
