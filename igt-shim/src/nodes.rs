//! Which files are gemu's nodes: the table `gemu run` hands over in [`NODES_ENV`].

use std::sync::OnceLock;

/// The environment variable that lists gemu's nodes: `DEV:INO:MINOR` entries separated
/// by commas, `DEV` being the raw `st_dev` (as `stat` reports it), `INO` the `st_ino`,
/// `MINOR` the DRM minor the node stands for (0 for `card0`, 128 for `renderD128`).
pub const NODES_ENV: &str = "GEMU_NODES";

/// The DRM character devices' major number.
pub const DRM_MAJOR: u32 = 226;

/// One of gemu's nodes, by identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    /// `st_dev` of the file (the FUSE mount's device number).
    pub dev: u64,
    /// `st_ino` of the file.
    pub ino: u64,
    /// The DRM minor it stands for.
    pub minor: u32,
}

impl Node {
    /// The entry of this node in [`NODES_ENV`].
    pub fn to_env(&self) -> String {
        format!("{}:{}:{}", self.dev, self.ino, self.minor)
    }
}

/// Parse the value of [`NODES_ENV`]; malformed entries are skipped.
pub fn parse(value: &str) -> Vec<Node> {
    value
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.trim().split(':').map(str::parse::<u64>);
            let (Some(Ok(dev)), Some(Ok(ino)), Some(Ok(minor)), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return None;
            };
            Some(Node {
                dev,
                ino,
                minor: u32::try_from(minor).ok()?,
            })
        })
        .collect()
}

/// The nodes of this process, read from the environment at first use. The environment
/// is read once: a program that clears its environment later keeps its nodes.
pub fn table() -> &'static [Node] {
    static TABLE: OnceLock<Vec<Node>> = OnceLock::new();
    TABLE.get_or_init(|| {
        std::env::var(NODES_ENV)
            .map(|v| parse(&v))
            .unwrap_or_default()
    })
}

/// The node with identity `(dev, ino)`, if it is one of gemu's.
pub fn find(dev: u64, ino: u64) -> Option<Node> {
    table()
        .iter()
        .copied()
        .find(|n| n.dev == dev && n.ino == ino)
}

/// Whether `dev` is the device number of gemu's mount (every node and every file the
/// daemon serves shares it).
pub fn is_gemu_dev(dev: u64) -> bool {
    table().iter().any(|n| n.dev == dev)
}

/// `fstat(2)` without going through any wrapper; `Err(errno)` on failure.
pub fn raw_fstat(fd: i32) -> Result<libc::stat, i32> {
    // SAFETY: all-zero is a valid `struct stat`, which the kernel overwrites.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is a valid, writable `struct stat` for the call.
    let r = unsafe { libc::syscall(libc::SYS_fstat, fd, &mut st as *mut libc::stat) };
    if r == 0 {
        Ok(st)
    } else {
        Err(errno())
    }
}

/// The node `fd` is an open of, if it is one of gemu's.
pub fn node_of_fd(fd: i32) -> Option<Node> {
    if table().is_empty() {
        return None;
    }
    let st = raw_fstat(fd).ok()?;
    find(st.st_dev, st.st_ino)
}

/// Whether `fd` is a node of a gemu device: one of `gemu run`'s (by identity) or a CUSE
/// node whose daemon has an aperture socket.
pub fn is_gemu_device(fd: i32) -> bool {
    node_of_fd(fd).is_some() || crate::aperture::cuse_socket(fd).is_some()
}

/// The calling thread's errno.
pub fn errno() -> i32 {
    // SAFETY: __errno_location always returns the calling thread's errno slot.
    unsafe { *libc::__errno_location() }
}

/// Set the calling thread's errno (and return -1, as a failed libc call does).
pub fn fail(e: i32) -> i32 {
    // SAFETY: as in `errno`.
    unsafe { *libc::__errno_location() = e };
    -1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let nodes = [
            Node {
                dev: 44,
                ino: 2,
                minor: 0,
            },
            Node {
                dev: 44,
                ino: 3,
                minor: 128,
            },
        ];
        let env: Vec<String> = nodes.iter().map(Node::to_env).collect();
        assert_eq!(parse(&env.join(",")), nodes);
    }

    #[test]
    fn malformed_entries_are_skipped() {
        assert_eq!(parse(""), vec![]);
        assert_eq!(parse("1:2"), vec![]);
        assert_eq!(parse("1:2:3:4,x:1:2"), vec![]);
        assert_eq!(
            parse("1:2:99999999999,5:6:7"),
            vec![Node {
                dev: 5,
                ino: 6,
                minor: 7
            }]
        );
    }
}
