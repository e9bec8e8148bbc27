//! The device's debugfs directory (`/sys/kernel/debug/dri/<minor>/` under `gemu run`):
//! the files IGT opens at start-up and reads in its tests, each answered from the live
//! model as i915 would.
//!
//! The tree is served as a folder of the FUSE file system (see `live_files`); this
//! module only knows its entries and what reading and writing them means.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use emu::rps::Freq;
use emu::shrinker::DROP_ALL;
use emu::{Device, Errno};

use crate::live_files::{parse_u64, Builder, Content as LiveContent};

/// The PCI address of the emulated GPU (integrated Intel graphics sit at 00:02.0).
pub const PCI_SLOT: &str = "0000:00:02.0";

/// What reading or writing a debugfs file does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    Name,
    DropCaches,
    Param(&'static str),
    GemObjects,
    EngineInfo,
    Clients,
    ErrorState,
    Wedged,
    /// `gemu_pmu`: gemu's own file, the counters the shim's i915 PMU reads.
    Pmu,
    /// `gemu_eu_kernel_cache`: gemu's own file, the decoded-kernel cache of the EU.
    EuKernels,
}

/// i915 module parameters IGT reads or sets through `i915_params/`, with the values
/// this platform runs with (`enable_guc` 0: execlists, DESIGN §5). `enable_hangcheck`
/// is live (`Device::set_enable_hangcheck`), and so is `reset`: 0 makes a hang or a
/// manual reset wedge the GT (`Engines::set_reset_param`); the model has one reset
/// method, so the other levels all mean "reset". Writes to `enable_guc` are kept and
/// read back but change nothing.
const PARAM_DEFAULTS: [(&str, &str); 3] = [("reset", "3"), (HANGCHECK, "Y"), ("enable_guc", "0")];

/// The one live parameter: its value is the model's (`Device::enable_hangcheck`).
const HANGCHECK: &str = "enable_hangcheck";

/// Add the debugfs entries under `root`.
pub fn build(b: &mut Builder, root: u64) {
    let f = |c| LiveContent::Debugfs(c);
    b.file(root, "name", false, f(Content::Name));
    b.file(root, "i915_gem_drop_caches", true, f(Content::DropCaches));
    b.file(root, "i915_gem_objects", false, f(Content::GemObjects));
    b.file(root, "i915_engine_info", false, f(Content::EngineInfo));
    b.file(root, "clients", false, f(Content::Clients));
    b.file(root, "i915_error_state", true, f(Content::ErrorState));
    b.file(root, "i915_wedged", true, f(Content::Wedged));
    b.file(root, uapi::GEMU_PMU_FILE, false, f(Content::Pmu));
    b.file(root, "gemu_eu_kernel_cache", false, f(Content::EuKernels));
    let params = b.dir(root, "i915_params");
    for (p, _) in PARAM_DEFAULTS {
        b.file(params, p, true, f(Content::Param(p)));
    }
}

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
            .filter(|(k, _)| *k != HANGCHECK)
            .map(|(k, v)| (*k, format!("{v}\n")))
            .collect();
        DebugFs {
            device,
            params: Mutex::new(params),
        }
    }

    /// What reading a file with `content` gives now.
    pub fn read(&self, content: &Content) -> String {
        match *content {
            // drm_name_info: driver, parent device, master's unique, device's unique.
            Content::Name => format!("i915 dev={PCI_SLOT} unique={PCI_SLOT}\n"),
            // i915_drop_caches_get: DEFINE_SIMPLE_ATTRIBUTE "0x%08llx\n" of DROP_ALL.
            Content::DropCaches => format!("0x{DROP_ALL:08x}\n"),
            // A bool parameter reads back as Y/N; the model holds its value.
            Content::Param(HANGCHECK) => format!(
                "{}\n",
                if self.device.enable_hangcheck() {
                    "Y"
                } else {
                    "N"
                }
            ),
            Content::Param(p) => self.params.lock().unwrap()[p].clone(),
            Content::GemObjects => self.gem_objects(),
            Content::EngineInfo => self.engine_info(),
            Content::Clients => self.clients(),
            Content::ErrorState => self.device.engines.errors.report(),
            // i915_wedged_get: 1 while the GT is wedged.
            Content::Wedged => format!("{}\n", u8::from(self.device.engines.is_wedged())),
            Content::Pmu => self.pmu(),
            Content::EuKernels => eu_kernel_cache(gpu_backend::eu::cache_stats()),
        }
    }

    /// Write `data` to a file with `content`.
    /// A wait (DROP_IDLE) ends with EINTR when `caller` gets a signal.
    pub fn write(
        &self,
        content: &Content,
        data: &[u8],
        caller: &dyn emu::ClientMemory,
    ) -> Result<(), Errno> {
        match *content {
            Content::DropCaches => {
                // simple_attr_write: kstrtoull(…, 0): decimal, 0x hex or 0 octal.
                let flags = parse_u64(data).ok_or(Errno::EINVAL)?;
                log::debug!("debugfs: drop caches {flags:#x}");
                self.device.drop_caches_for(flags, caller)?;
            }
            Content::Param(p) => {
                let text = std::str::from_utf8(data).map_err(|_| Errno::EINVAL)?.trim();
                if p == HANGCHECK {
                    // param_set_bool: kstrtobool's spellings.
                    let on = parse_bool(text).ok_or(Errno::EINVAL)?;
                    self.device.set_enable_hangcheck(on);
                } else {
                    if p == "reset" {
                        // param_set_int: kstrtoint's spellings.
                        let level: i32 = text.parse().map_err(|_| Errno::EINVAL)?;
                        self.device.engines.set_reset_param(level.into());
                    }
                    self.params.lock().unwrap().insert(p, format!("{text}\n"));
                }
            }
            // Any write clears the error state, as i915_error_state_write.
            Content::ErrorState => self.device.engines.errors.clear(),
            // i915_wedged_set: the value is a mask of engines to reset after capturing
            // the error state.
            Content::Wedged => {
                let mask = parse_u64(data).ok_or(Errno::EINVAL)?;
                log::info!("debugfs: manual reset of engine mask {mask:#x}");
                self.device.engines.handle_error(mask);
            }
            _ => return Err(Errno::EACCES),
        }
        Ok(())
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

    /// `gemu_pmu`: one `CONFIG VALUE` line per counter of the i915 PMU that gemu has,
    /// CONFIG as `perf_event_attr.config` names it: each engine's busy time in ns, the
    /// actual and requested frequency in MHz now (the shim integrates them over time,
    /// as i915 does), and the interrupts so far (one per completed request).
    fn pmu(&self) -> String {
        let engines = self.device.engines.states();
        let rps = &self.device.engines.rps;
        let awake = engines.iter().any(|e| e.busy);
        let mut s = String::new();
        for e in &engines {
            let config = uapi::I915_PMU_ENGINE_BUSY(e.class.into(), e.instance.into());
            s += &format!("{config:#x} {}\n", e.busy_time.as_nanos());
        }
        let interrupts: u64 = engines.iter().map(|e| e.retired).sum();
        for (config, value) in [
            (
                uapi::I915_PMU_ACTUAL_FREQUENCY,
                u64::from(rps.get(Freq::Act, awake)),
            ),
            (
                uapi::I915_PMU_REQUESTED_FREQUENCY,
                u64::from(rps.get(Freq::Cur, awake)),
            ),
            (uapi::I915_PMU_INTERRUPTS, interrupts),
        ] {
            s += &format!("{config:#x} {value}\n");
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
            let command =
                crate::client_memory::command_of(cred.pid).unwrap_or_else(|| "<unknown>".into());
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

/// `kstrtobool`'s spellings: y/Y/1/on for true, n/N/0/off for false.
fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "y" | "yes" | "1" | "on" => Some(true),
        "n" | "no" | "0" | "off" => Some(false),
        _ => None,
    }
}

/// `gemu_eu_kernel_cache`: how many kernels the EU keeps decoded, and how often a
/// dispatch found its kernel there.
fn eu_kernel_cache(s: gpu_backend::eu::CacheStats) -> String {
    let looked = s.hits + s.misses;
    let rate = if looked == 0 {
        0.0
    } else {
        100.0 * s.hits as f64 / looked as f64
    };
    format!(
        "kernels: {} (at most {})\nbytes: {}\nhits: {}\nmisses: {}\nhit rate: {rate:.1}%\n\
         evictions: {}\n",
        s.kernels,
        gpu_backend::eu::CACHE_KERNELS,
        s.bytes,
        s.hits,
        s.misses,
        s.evictions
    )
}

#[cfg(test)]
mod eu_kernel_cache_tests {
    use super::*;

    #[test]
    fn the_kernel_cache_file_shows_size_and_hit_rate() {
        let s = gpu_backend::eu::CacheStats {
            kernels: 3,
            bytes: 4096,
            hits: 9,
            misses: 3,
            evictions: 1,
        };
        let text = eu_kernel_cache(s);
        assert!(text.contains("kernels: 3 (at most 256)\n"), "{text}");
        assert!(text.contains("hit rate: 75.0%\n"), "{text}");
        assert!(eu_kernel_cache(Default::default()).contains("hit rate: 0.0%"));
    }
}
