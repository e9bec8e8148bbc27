//! `/proc/self/mountinfo`: which mounts exist, where, and of what type.

use std::io;
use std::path::{Path, PathBuf};

/// One line of mountinfo (the fields gemu looks at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountEntry {
    pub mount_point: PathBuf,
    /// `fuse.gemu`, `tmpfs`, `overlay`…
    pub fs_type: String,
    /// The mount source (`gemu` for gemu's own mounts).
    pub source: String,
    /// The file system's device number, as `(major, minor)`: what `stat` and
    /// `/proc/<pid>/maps` report for files on it.
    pub dev: (u32, u32),
}

impl MountEntry {
    pub fn is_fuse(&self) -> bool {
        self.fs_type == "fuse" || self.fs_type.starts_with("fuse.")
    }
}

/// The mounts of the calling process's mount namespace, in mount order.
pub fn read() -> io::Result<Vec<MountEntry>> {
    Ok(parse(&std::fs::read_to_string("/proc/self/mountinfo")?))
}

/// The top-most FUSE mount at exactly `dir`, if any.
pub fn fuse_mount_at(dir: &Path) -> io::Result<Option<MountEntry>> {
    Ok(read()?
        .into_iter()
        .rev()
        .find(|m| m.mount_point == dir && m.is_fuse()))
}

/// `36 35 98:0 /root /mnt/point rw,noatime master:1 - ext4 /dev/root rw`: the optional
/// fields end at the lone `-`, after which come the type and the source.
fn parse(text: &str) -> Vec<MountEntry> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let (major, minor) = fields.nth(2)?.split_once(':')?;
            let dev = (major.parse().ok()?, minor.parse().ok()?);
            let mount_point = fields.nth(1)?;
            let mut rest = fields.skip_while(|f| *f != "-").skip(1);
            let fs_type = rest.next()?;
            let source = rest.next()?;
            Some(MountEntry {
                mount_point: PathBuf::from(unescape(mount_point)),
                fs_type: unescape(fs_type),
                source: unescape(source),
                dev,
            })
        })
        .collect()
}

/// The kernel writes space, tab, newline and backslash in paths as `\ooo` octal.
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let octal = b
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match (b[i], octal) {
            (b'\\', Some(d)) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines() {
        let text = "24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,mode=755\n\
                    70 27 0:40 / /tmp/a\\040b rw,nosuid shared:5 master:1 - fuse.gemu gemu rw\n";
        let m = parse(text);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].mount_point, Path::new("/dev"));
        assert_eq!(m[0].fs_type, "devtmpfs");
        assert!(!m[0].is_fuse());
        assert_eq!(m[1].mount_point, Path::new("/tmp/a b"));
        assert_eq!(m[1].fs_type, "fuse.gemu");
        assert_eq!(m[1].source, "gemu");
        assert!(m[1].is_fuse());
    }
}
