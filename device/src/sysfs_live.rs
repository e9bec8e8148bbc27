//! The attributes of `card0` in sysfs that read or change device state: `error` (the
//! GPU error state), `gt_*_freq_mhz` (RPS limits) and `engine/<name>/` (each engine's
//! identity and scheduling properties). `gemu run` binds them from the FUSE folder
//! `sysfs/` into the card's directory; the static rest of sysfs is in [`crate::sysfs`].
//!
//! Parsing is the kernel's (`kstrtou32`/`kstrtoull` with base 0); what a value means
//! and which values are refused is the model's.

use std::sync::Arc;

use emu::engine_props::EngineProp;
use emu::rps::Freq;
use emu::{Device, Errno};

use crate::live_files::{parse_u64, Builder, Content};

/// What one attribute is.
#[derive(Clone, Debug)]
pub enum Attr {
    /// `error`: the GPU error state; any write clears it.
    Error,
    /// `gt_<name>_freq_mhz`.
    Freq(Freq),
    /// `engine/<engine>/<prop>`.
    EngineProp { engine: String, prop: EngineProp },
    /// A fixed value (an engine's name, class, instance, MMIO base, capabilities).
    Text(String),
}

/// Add the attributes under `root`.
pub fn build(b: &mut Builder, root: u64, device: &Device) {
    b.file(root, "error", true, Content::Sysfs(Attr::Error));
    for (f, name) in Freq::ALL {
        let file = format!("gt_{name}_freq_mhz");
        b.file(root, &file, f.writable(), Content::Sysfs(Attr::Freq(f)));
    }
    let engine_dir = b.dir(root, "engine");
    for (name, id, mmio_base) in device.engines.identities() {
        let dir = b.dir(engine_dir, &name);
        let text = |s: String| Content::Sysfs(Attr::Text(s));
        b.file(dir, "name", false, text(format!("{name}\n")));
        b.file(dir, "class", false, text(format!("{}\n", id.class)));
        b.file(dir, "instance", false, text(format!("{}\n", id.instance)));
        b.file(dir, "mmio_base", false, text(format!("0x{mmio_base:x}\n")));
        // Render and copy engines have no capability bits (video ones would list
        // "hevc"/"sfc"); the kernel prints an empty attribute for none.
        b.file(dir, "capabilities", false, text(String::new()));
        b.file(dir, "known_capabilities", false, text(String::new()));
        for (prop, file) in EngineProp::ALL {
            let attr = Attr::EngineProp {
                engine: name.clone(),
                prop,
            };
            b.file(dir, file, true, Content::Sysfs(attr));
        }
    }
}

/// The live sysfs attributes of one device.
pub struct SysfsLive {
    device: Arc<Device>,
}

impl SysfsLive {
    pub fn new(device: Arc<Device>) -> SysfsLive {
        SysfsLive { device }
    }

    /// What reading `attr` gives now.
    pub fn read(&self, attr: &Attr) -> String {
        let engines = &self.device.engines;
        match attr {
            Attr::Error => engines.errors.report(),
            Attr::Freq(f) => format!("{}\n", engines.rps.get(*f, engines.busy())),
            Attr::EngineProp { engine, prop } => match engines.prop(engine, *prop) {
                Ok(v) => format!("{v}\n"),
                Err(_) => String::new(),
            },
            Attr::Text(t) => t.clone(),
        }
    }

    /// Write `data` to `attr`.
    pub fn write(&self, attr: &Attr, data: &[u8]) -> Result<(), Errno> {
        let engines = &self.device.engines;
        match attr {
            // error_state_write: whatever was written, the error state goes.
            Attr::Error => engines.errors.clear(),
            Attr::Freq(f) => {
                // kstrtou32(buf, 0, &val).
                let v = parse_u64(data)
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or(Errno::EINVAL)?;
                engines.rps.set(*f, v)?;
            }
            Attr::EngineProp { engine, prop } => {
                let v = parse_u64(data).ok_or(Errno::EINVAL)?;
                engines.set_prop(engine, *prop, v)?;
            }
            Attr::Text(_) => return Err(Errno::EACCES),
        }
        Ok(())
    }
}
