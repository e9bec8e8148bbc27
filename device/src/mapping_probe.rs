//! Which aperture ranges do clients still map? Read from `/proc/<pid>/maps`.
//!
//! Passthrough mmaps never reach the daemon, but the kernel lists them in every
//! process's maps under the FUSE node that was mapped (its device number and inode),
//! at the mmap offset — which is the aperture offset. The model asks only when it has
//! freed objects that were given an mmap offset, in batches.

use std::fs;

/// Finds mappings of the nodes of one FUSE mount.
pub struct ProcMaps {
    /// The mount's device number, as `/proc/<pid>/maps` prints it (`major:minor`, hex).
    dev: String,
    /// The inodes of the nodes that map the aperture.
    inodes: Vec<u64>,
}

impl ProcMaps {
    pub fn new((major, minor): (u32, u32), inodes: &[u64]) -> Self {
        ProcMaps {
            dev: format!("{major:02x}:{minor:02x}"),
            inodes: inodes.to_vec(),
        }
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
            if dev != self.dev || !inode.parse().is_ok_and(|i| self.inodes.contains(&i)) {
                continue;
            }
            let parsed = range.split_once('-').and_then(|(s, e)| {
                let s = u64::from_str_radix(s, 16).ok()?;
                let e = u64::from_str_radix(e, 16).ok()?;
                Some((u64::from_str_radix(offset, 16).ok()?, e.checked_sub(s)?))
            });
            if let Some(r) = parsed {
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
";
        let p = ProcMaps::new((0, 0x2c), &[2, 3]);
        let mut out = Vec::new();
        p.ranges_in(maps, &mut out);
        assert_eq!(out, [(0x1_0000_0000, 0x2000), (0x1_0000_4000, 0x10000)]);
    }
}
