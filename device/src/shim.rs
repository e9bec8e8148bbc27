//! Loading `libgemu_shim.so` (the `igt-shim` crate) into the program `gemu run` starts:
//! where the library is, and the environment that tells it which files are gemu's nodes.

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Fallible;

/// The shim's table of nodes (`igt-shim/src/nodes.rs`): `DEV:INO:MINOR` entries, comma
/// separated, with the raw `st_dev` and `st_ino` of each node. Written here rather than
/// linked from the shim's crate: linking it would put its `stat` wrappers into gemu.
const NODES_ENV: &str = "GEMU_NODES";

/// The library's file name; cargo puts it next to the `gemu` binary.
const LIBRARY: &str = "libgemu_shim.so";
/// Names another library file to preload instead.
const LIBRARY_ENV: &str = "GEMU_SHIM";

/// The shim to preload: `$GEMU_SHIM`, else `libgemu_shim.so` beside this executable.
pub fn library() -> Fallible<PathBuf> {
    let path = match std::env::var_os(LIBRARY_ENV) {
        Some(p) => PathBuf::from(p),
        None => std::env::current_exe()
            .map_err(|e| format!("finding gemu's own path: {e}"))?
            .with_file_name(LIBRARY),
    };
    if !path.is_file() {
        return Err(format!(
            "the shim {} is missing (build it with `{}`, name another with \
             {LIBRARY_ENV}=FILE, or run without it: --no-shim)",
            path.display(),
            build_hint(&path)
        ));
    }
    // The dynamic loader resolves LD_PRELOAD relative to the program's directory.
    path.canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The cargo command that puts the shim at `path`: cargo's profile folders are
/// `target/debug` and `target/release`, and a release `gemu` looks beside itself.
fn build_hint(path: &Path) -> &'static str {
    let profile = path.parent().and_then(Path::file_name);
    if profile.is_some_and(|p| p == "release") {
        "cargo build --release -p igt-shim"
    } else {
        "cargo build -p igt-shim"
    }
}

/// Set up `command` to preload `library` (after any LD_PRELOAD already set) with the
/// identities of the nodes served in `fuse_dir`.
pub fn preload(command: &mut Command, library: &Path, fuse_dir: &Path) -> Fallible<()> {
    let mut nodes = Vec::new();
    for (name, minor) in [("card0", 0), ("renderD128", 128), ("card1", 1)] {
        let path = fuse_dir.join(name);
        let md = std::fs::metadata(&path).map_err(|e| format!("stat {}: {e}", path.display()))?;
        nodes.push(format!("{}:{}:{minor}", md.dev(), md.ino()));
    }
    command.env(NODES_ENV, nodes.join(","));
    command.env(uapi::GEMU_FD_DIR_ENV, crate::namespace::FD_DIR);
    let mut preload: OsString = library.into();
    if let Some(existing) = std::env::var_os("LD_PRELOAD").filter(|v| !v.is_empty()) {
        // Theirs first: the program's own interposers keep precedence over ours.
        let mut both = existing;
        both.push(" ");
        both.push(&preload);
        preload = both;
    }
    command.env("LD_PRELOAD", preload);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_builds_the_profile_gemu_looks_in() {
        assert_eq!(
            build_hint(Path::new("/c/target/release/libgemu_shim.so")),
            "cargo build --release -p igt-shim"
        );
        assert_eq!(
            build_hint(Path::new("/c/target/debug/libgemu_shim.so")),
            "cargo build -p igt-shim"
        );
    }
}
