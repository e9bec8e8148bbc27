//! The device's files whose content comes from the live model: its debugfs directory
//! ([`crate::debugfs`]) and the sysfs attributes that read or change device state
//! ([`crate::sysfs_live`]). Each is a folder of the FUSE file system (`debugfs/`,
//! `sysfs/`) that `gemu run` binds into its `/sys`; this module holds their tree and
//! sends reads and writes to the module that knows what a file means.
//!
//! A read at offset 0 takes a fresh snapshot of the content and later offsets read
//! from it, as seq_file-backed debugfs and sysfs files behave (`rewind` then read
//! sees the value of now).

use std::sync::Arc;

use emu::{Device, Errno};

use crate::debugfs::{self, DebugFs};
use crate::sysfs_live::{self, SysfsLive};

/// First inode of the trees; the FUSE file system keeps lower numbers for itself.
pub const FIRST_INO: u64 = 16;
/// The debugfs folder, `debugfs/` in the FUSE mount.
pub const DEBUGFS_ROOT: u64 = FIRST_INO;
/// The live sysfs attributes of `card0`, `sysfs/` in the FUSE mount.
pub const SYSFS_ROOT: u64 = FIRST_INO + 1;

/// What an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dir,
    /// A file; writable or not (mode 0644 or 0444).
    File {
        writable: bool,
    },
}

/// What reading or writing a file does, by the tree it belongs to.
#[derive(Clone, Debug)]
pub enum Content {
    None,
    Debugfs(debugfs::Content),
    Sysfs(sysfs_live::Attr),
}

/// One entry of a tree.
#[derive(Clone, Debug)]
pub struct Entry {
    pub ino: u64,
    /// 0 for the two roots (their parent is the FUSE mount's root).
    pub parent: u64,
    pub name: String,
    pub kind: Kind,
    pub content: Content,
}

/// Adds entries to the trees, numbering them in order.
pub struct Builder {
    entries: Vec<Entry>,
}

impl Builder {
    /// A directory `name` in `parent`; returns its inode.
    pub fn dir(&mut self, parent: u64, name: &str) -> u64 {
        self.push(parent, name, Kind::Dir, Content::None)
    }

    /// A file `name` in `parent`; returns its inode.
    pub fn file(&mut self, parent: u64, name: &str, writable: bool, content: Content) -> u64 {
        self.push(parent, name, Kind::File { writable }, content)
    }

    fn push(&mut self, parent: u64, name: &str, kind: Kind, content: Content) -> u64 {
        let ino = FIRST_INO + self.entries.len() as u64;
        self.entries.push(Entry {
            ino,
            parent,
            name: name.to_string(),
            kind,
            content,
        });
        ino
    }
}

/// The debugfs and live sysfs trees of one device.
pub struct LiveFiles {
    entries: Vec<Entry>,
    debugfs: DebugFs,
    sysfs: SysfsLive,
}

impl LiveFiles {
    pub fn new(device: Arc<Device>) -> LiveFiles {
        let mut b = Builder {
            entries: Vec::new(),
        };
        let debugfs_root = b.dir(0, "debugfs");
        let sysfs_root = b.dir(0, "sysfs");
        debug_assert_eq!((debugfs_root, sysfs_root), (DEBUGFS_ROOT, SYSFS_ROOT));
        debugfs::build(&mut b, debugfs_root);
        sysfs_live::build(&mut b, sysfs_root, &device);
        LiveFiles {
            entries: b.entries,
            debugfs: DebugFs::new(device.clone()),
            sysfs: SysfsLive::new(device),
        }
    }

    /// The entry with inode `ino`.
    pub fn entry(&self, ino: u64) -> Option<&Entry> {
        let i = ino.checked_sub(FIRST_INO)?;
        self.entries.get(usize::try_from(i).ok()?)
    }

    /// The entry `name` in directory `parent`.
    pub fn lookup(&self, parent: u64, name: &[u8]) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.parent == parent && e.name.as_bytes() == name)
    }

    /// The entries of directory `ino`.
    pub fn children(&self, ino: u64) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.parent == ino)
    }

    /// What reading file `ino` gives now.
    pub fn read(&self, ino: u64) -> Result<Vec<u8>, Errno> {
        let entry = self.entry(ino).ok_or(Errno::ENOENT)?;
        let text = match &entry.content {
            Content::None => return Err(Errno::EISDIR),
            Content::Debugfs(c) => self.debugfs.read(c),
            Content::Sysfs(a) => self.sysfs.read(a),
        };
        Ok(text.into_bytes())
    }

    /// Write `data` to file `ino` for `caller`; returns the bytes taken.
    pub fn write(
        &self,
        ino: u64,
        data: &[u8],
        caller: &dyn emu::ClientMemory,
    ) -> Result<usize, Errno> {
        let entry = self.entry(ino).ok_or(Errno::ENOENT)?;
        if entry.kind != (Kind::File { writable: true }) {
            return Err(Errno::EACCES);
        }
        match &entry.content {
            Content::None => Err(Errno::EISDIR),
            Content::Debugfs(c) => self.debugfs.write(c, data, caller),
            Content::Sysfs(a) => self.sysfs.write(a, data),
        }?;
        Ok(data.len())
    }
}

/// `kstrtoull(s, 0)`: a number in C notation (0x hex, leading 0 octal, else decimal),
/// surrounding white space ignored.
pub fn parse_u64(data: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(data).ok()?.trim();
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_c_notation() {
        assert_eq!(parse_u64(b"0x3ff\n"), Some(0x3ff));
        assert_eq!(parse_u64(b"0"), Some(0));
        assert_eq!(parse_u64(b"017"), Some(15));
        assert_eq!(parse_u64(b" 42 "), Some(42));
        assert_eq!(parse_u64(b"x"), None);
        assert_eq!(parse_u64(b"-1"), None);
    }

    #[test]
    fn every_parent_is_a_directory_listed_first() {
        let device = emu::testing::device();
        let files = LiveFiles::new(device);
        for (i, e) in files.entries.iter().enumerate() {
            if e.parent == 0 {
                continue;
            }
            let p = files.entries[..i].iter().find(|p| p.ino == e.parent);
            assert!(matches!(p, Some(p) if p.kind == Kind::Dir), "{}", e.name);
            assert_eq!(files.entry(e.ino).map(|x| x.ino), Some(e.ino));
        }
        assert!(files.lookup(SYSFS_ROOT, b"error").is_some());
        assert!(files.lookup(DEBUGFS_ROOT, b"i915_wedged").is_some());
    }
}
