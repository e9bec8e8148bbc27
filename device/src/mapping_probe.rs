//! Which aperture ranges do clients still map? Read from `/proc/<pid>/maps`.
//!
//! Passthrough mmaps never reach the daemon, but the kernel lists them in every
//! process's maps under the FUSE node that was mapped (its device number and inode),
//! at the mmap offset — which is the aperture offset. The shim's mappings of the
//! aperture memfd itself (without passthrough) are listed under the memfd's identity,
//! at the same offsets. The model asks only when it has freed objects that were given an
//! mmap offset, in batches.
//!
//! A mapping at offset 0 is the shim's copy window (`igt-shim/src/rw.rs`: the whole
//! memfd, for PREAD/PWRITE): no object lives below `emu::aperture::FIRST_OFFSET`, so no
//! object mapping starts there, and the window keeps nothing alive (the shim touches it
//! only while the daemon holds the object it copies).

use std::fs;

/// Files whose mappings show the aperture: (device number, inodes) pairs.
#[derive(Clone, Debug, Default)]
pub struct ApertureFiles(Vec<(String, Vec<u64>)>);

impl ApertureFiles {
    /// Add the files `inodes` of device `st_dev` (as `stat` gives it).
    pub fn add(&mut self, st_dev: u64, inodes: &[u64]) {
        let (major, minor) = (libc::major(st_dev), libc::minor(st_dev));
        // As `/proc/<pid>/maps` prints it: `major:minor`, hex.
        self.0
            .push((format!("{major:02x}:{minor:02x}"), inodes.to_vec()));
    }

    /// Whether a maps line's `dev` and `inode` fields name one of the files.
    pub fn contains(&self, dev: &str, inode: &str) -> bool {
        self.0
            .iter()
            .any(|(d, inos)| d == dev && inode.parse().is_ok_and(|i: u64| inos.contains(&i)))
    }
}

/// Finds mappings of the aperture in every process.
pub struct ProcMaps {
    files: ApertureFiles,
}

impl ProcMaps {
    pub fn new(files: ApertureFiles) -> Self {
        ProcMaps { files }
    }

    /// The `(offset, len)` ranges of one maps file that map our nodes.
    fn ranges_in(&self, maps: &str, out: &mut Vec<(u64, u64)>) {
        for line in maps.lines() {
            // start-end perms offset dev inode path
            let mut f = line.split_ascii_whitespace();
            let (Some(range), Some(_), Some(offset), Some(dev), Some(inode)) =
                (f.next(), f.next(), f.next(), f.next(), f.next())
            else {
                continue;
            };
            if !self.files.contains(dev, inode) {
                continue;
            }
            let parsed = range.split_once('-').and_then(|(s, e)| {
                let s = u64::from_str_radix(s, 16).ok()?;
                let e = u64::from_str_radix(e, 16).ok()?;
                Some((u64::from_str_radix(offset, 16).ok()?, e.checked_sub(s)?))
            });
            if let Some(r) = parsed.filter(|&(offset, _)| offset != 0) {
                out.push(r);
            }
        }
    }
}

impl emu::aperture::MappingProbe for ProcMaps {
    fn mapped_ranges(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let Ok(dir) = fs::read_dir("/proc") else {
            return out;
        };
        for entry in dir.flatten() {
            let name = entry.file_name();
            if !name.as_encoded_bytes().iter().all(u8::is_ascii_digit) {
                continue;
            }
            // A process that exits meanwhile simply has no mappings any more.
            if let Ok(maps) = fs::read_to_string(entry.path().join("maps")) {
                self.ranges_in(&maps, &mut out);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_our_node_mappings_only() {
        let maps = "\
55e3d9645000-55e3d9646000 r--p 00000000 fe:00 10011093                   /tmp/x
7f5d28b1f000-7f5d28b21000 rw-s 100000000 00:2c 2                         /dev/dri/card0
7f5d28b21000-7f5d28b23000 rw-p 00000000 00:00 0
7f5d28c00000-7f5d28c10000 rw-s 100004000 00:2c 3                         /dev/dri/renderD128
7f5d28d00000-7f5d28d01000 rw-s 100008000 00:2d 2                         /other/card0
7f5d28e00000-7f5d28e02000 rw-s 100010000 00:01 1027                       /memfd:gemu-aperture (deleted)
7f5d28f00000-7f5d28f01000 rw-s 00000000 00:01 1028                        /memfd:other (deleted)
7e5d28f00000-7f5d28f00000 rw-s 00000000 00:01 1027                        /memfd:gemu-aperture (deleted)
";
        let mut files = ApertureFiles::default();
        files.add(libc::makedev(0, 0x2c), &[2, 3]);
        files.add(libc::makedev(0, 1), &[1027]);
        let p = ProcMaps::new(files);
        let mut out = Vec::new();
        p.ranges_in(maps, &mut out);
        assert_eq!(
            out,
            [
                (0x1_0000_0000, 0x2000),
                (0x1_0000_4000, 0x10000),
                (0x1_0001_0000, 0x2000)
            ]
        );
    }
}
