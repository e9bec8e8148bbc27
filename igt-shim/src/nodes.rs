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
