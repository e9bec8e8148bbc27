//! The device's debugfs directory (`/sys/kernel/debug/dri/<minor>/` under `gemu run`):
//! the files IGT opens at start-up and reads in its tests, each answered from the live
//! model as i915 would.
//!
//! The tree is served as a folder of the FUSE file system (see `fuse_node`); this
//! module only knows its entries and what reading and writing them does. A read sees a
//! snapshot taken at open, as the kernel's `seq_file`s do.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use emu::shrinker::DROP_ALL;
use emu::{Device, Errno};

/// The PCI address of the emulated GPU (integrated Intel graphics sit at 00:02.0).
pub const PCI_SLOT: &str = "0000:00:02.0";

/// First inode of the tree; the FUSE file system keeps lower numbers for itself.
pub const FIRST_INO: u64 = 16;
/// The tree's top directory, `debugfs/` in the FUSE mount.
pub const ROOT: u64 = FIRST_INO;
const PARAMS: u64 = FIRST_INO + 1;

/// What an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dir,
    /// A file; writable or not (mode 0644 or 0444).
    File {
        writable: bool,
    },
}

/// What reading or writing a file does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Content {
    None,
    Name,
    DropCaches,
    Param(&'static str),
    GemObjects,
    EngineInfo,
    Clients,
    ErrorState,
}

/// One entry of the tree.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    pub ino: u64,
    pub parent: u64,
    pub name: &'static str,
    pub kind: Kind,
    content: Content,
}

const fn dir(ino: u64, parent: u64, name: &'static str) -> Entry {
    Entry {
        ino,
        parent,
        name,
        kind: Kind::Dir,
        content: Content::None,
    }
}

const fn file(ino: u64, parent: u64, name: &'static str, writable: bool, c: Content) -> Entry {
    Entry {
        ino,
        parent,
        name,
        kind: Kind::File { writable },
        content: c,
    }
}

/// i915 module parameters IGT reads or sets through `i915_params/`, with the values
/// this platform runs with (`enable_guc` 0: execlists, DESIGN §5). Writes are kept and
/// read back but change nothing in the model: it has one reset method and always
/// detects hangs.
const PARAM_DEFAULTS: [(&str, &str); 3] = [
    ("reset", "3"),
    ("enable_hangcheck", "Y"),
    ("enable_guc", "0"),
];

/// The whole tree, parents before children.
const ENTRIES: [Entry; 11] = [
    dir(ROOT, 0, "debugfs"),
    dir(PARAMS, ROOT, "i915_params"),
    file(FIRST_INO + 2, ROOT, "name", false, Content::Name),
    file(
        FIRST_INO + 3,
        ROOT,
        "i915_gem_drop_caches",
        true,
        Content::DropCaches,
    ),
    file(
        FIRST_INO + 4,
        ROOT,
        "i915_gem_objects",
        false,
        Content::GemObjects,
    ),
    file(
        FIRST_INO + 5,
        ROOT,
        "i915_engine_info",
        false,
        Content::EngineInfo,
    ),
    file(FIRST_INO + 6, ROOT, "clients", false, Content::Clients),
    file(
        FIRST_INO + 7,
        ROOT,
        "i915_error_state",
        true,
        Content::ErrorState,
    ),
    file(
        FIRST_INO + 8,
        PARAMS,
        "reset",
        true,
        Content::Param("reset"),
    ),
    file(
        FIRST_INO + 9,
        PARAMS,
        "enable_hangcheck",
        true,
        Content::Param("enable_hangcheck"),
    ),
    file(
        FIRST_INO + 10,
        PARAMS,
        "enable_guc",
        true,
        Content::Param("enable_guc"),
    ),
];

/// The debugfs directory of one device.
pub struct DebugFs {
    device: Arc<Device>,
    /// Current values of `i915_params/*`.
    params: Mutex<HashMap<&'static str, String>>,
}

impl DebugFs {
    pub fn new(device: Arc<Device>) -> DebugFs {
        let params = PARAM_DEFAULTS
            .iter()
            .map(|(k, v)| (*k, format!("{v}\n")))
            .collect();
        DebugFs {
            device,
            params: Mutex::new(params),
        }
    }

    /// The entry with inode `ino`.
    pub fn entry(ino: u64) -> Option<&'static Entry> {
        ENTRIES.iter().find(|e| e.ino == ino)
    }

    /// The entry `name` in directory `parent`.
    pub fn lookup(parent: u64, name: &[u8]) -> Option<&'static Entry> {
        ENTRIES
            .iter()
            .find(|e| e.parent == parent && e.name.as_bytes() == name)
    }

    /// The entries of directory `ino`.
    pub fn children(ino: u64) -> impl Iterator<Item = &'static Entry> {
        ENTRIES.iter().filter(move |e| e.parent == ino)
    }

    /// What reading file `ino` gives now.
    pub fn read(&self, ino: u64) -> Result<Vec<u8>, Errno> {
        let entry = Self::entry(ino).ok_or(Errno::ENOENT)?;
        let text = match entry.content {
            Content::None => return Err(Errno::EISDIR),
            // drm_name_info: driver, parent device, master's unique, device's unique.
            Content::Name => format!("i915 dev={PCI_SLOT} unique={PCI_SLOT}\n"),
            // i915_drop_caches_get: DEFINE_SIMPLE_ATTRIBUTE "0x%08llx\n" of DROP_ALL.
            Content::DropCaches => format!("0x{DROP_ALL:08x}\n"),
            Content::Param(p) => self.params.lock().unwrap()[p].clone(),
            Content::GemObjects => self.gem_objects(),
            Content::EngineInfo => self.engine_info(),
            Content::Clients => self.clients(),
            // The model keeps no error capture (i915_gpu_coredump): what i915 prints
            // when none was collected.
            Content::ErrorState => "No error state collected\n".to_string(),
        };
        Ok(text.into_bytes())
    }

    /// Write `data` to file `ino`; returns the bytes taken.
    pub fn write(&self, ino: u64, data: &[u8]) -> Result<usize, Errno> {
        let entry = Self::entry(ino).ok_or(Errno::ENOENT)?;
        match entry.content {
            Content::DropCaches => {
                // simple_attr_write: kstrtoull(…, 0): decimal, 0x hex or 0 octal.
                let flags = parse_u64(data).ok_or(Errno::EINVAL)?;
                log::debug!("debugfs: drop caches {flags:#x}");
                self.device.drop_caches(flags)?;
            }
            Content::Param(p) => {
                let text = std::str::from_utf8(data).map_err(|_| Errno::EINVAL)?;
                let value = format!("{}\n", text.trim());
                self.params.lock().unwrap().insert(p, value);
            }
            // Any write clears the (always empty) error state, as i915_error_state_write.
            Content::ErrorState => {}
            _ => return Err(Errno::EACCES),
        }
        Ok(data.len())
    }

    /// `i915_gem_objects` (i915_gem_object_info): objects, bytes, then each memory
    /// region's total and what is left.
    fn gem_objects(&self) -> String {
        let (objects, bytes) = self.device.object_summary();
        let total = self.device.config().memory;
        let available = total.saturating_sub(self.device.resident());
        format!(
            "{objects} shrinkable [0 free] objects, {bytes} bytes\n\
             system: total:{total:#018x}, available:{available:#018x} bytes\n"
        )
    }

    /// `i915_engine_info`: whether the GT is awake, then each engine.
    fn engine_info(&self) -> String {
        let engines = self.device.engines.states();
        let awake = engines.iter().any(|e| e.busy);
        let mut s = format!(
            "GT awake? {}\nCS timestamp frequency: 19200 kHz\nResets: {}\n",
            yes_no(awake),
            self.device.engines.reset_count()
        );
        for e in engines {
            s += &format!("{}\n\tAwake? {}\n", e.name, u8::from(e.busy));
        }
        s
    }

    /// `clients` (drm_clients_info): one line per open file.
    fn clients(&self) -> String {
        let mut s = format!(
            "{:>20} {:>5} {:>3} master a {:>5} {:>10}\n",
            "command", "tgid", "dev", "uid", "magic"
        );
        for f in self.device.files() {
            let cred = f.credentials();
            let command = std::fs::read_to_string(format!("/proc/{}/comm", cred.pid))
                .map(|c| c.trim_end().to_string())
                .unwrap_or_else(|_| "<unknown>".into());
            s += &format!(
                "{:>20} {:>5} {:>3}   {}    {} {:>5} {:>10}\n",
                command,
                cred.pid,
                f.node().minor(),
                if f.is_current_master() { 'y' } else { 'n' },
                if f.is_authenticated() { 'y' } else { 'n' },
                cred.uid,
                0
            );
        }
        s
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// `kstrtoull(s, 0)`: a number in C notation (0x hex, leading 0 octal, else decimal),
/// surrounding white space ignored.
fn parse_u64(data: &[u8]) -> Option<u64> {
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
    }

    #[test]
    fn every_parent_is_a_directory_listed_first() {
        for (i, e) in ENTRIES.iter().enumerate() {
            if e.ino == ROOT {
                continue;
            }
            let p = ENTRIES[..i].iter().find(|p| p.ino == e.parent);
            assert!(matches!(p, Some(p) if p.kind == Kind::Dir), "{}", e.name);
        }
    }
}
