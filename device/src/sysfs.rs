//! The device's sysfs entries as `gemu run` shows them: the PCI device of the GPU,
//! its DRM minors, and the links to them from `/sys/class/drm`, `/sys/dev/char`,
//! `/sys/bus/pci`. Enough for libdrm's `drmGetDevices2` (which reads `uevent`,
//! `vendor`/`device`/`subsystem_*`/`revision`, the `subsystem` link and checks
//! `device/drm`) and for programs that read the PCI ids or the driver's name.
//!
//! Everything here is a fact that does not change while the device runs, so the tree
//! is written once into a tmpfs of the private namespace (see `sys_view`); the live
//! attributes (`gt_*_freq_mhz`, `error`, `engine/`) are bound over it from the daemon's
//! tree (`sysfs_live`). The PCI `resource` file lists the BARs, so libpciaccess (IGT's
//! `gem_mappable_aperture_size`) finds the 256 MiB aperture; the `resource<N>` files that
//! would map them are left out: there are no registers or aperture behind them to map.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;

use crate::debugfs::PCI_SLOT;
use crate::namespace::make_dir;
use crate::Fallible;

/// Intel's PCI vendor id and Tiger Lake GT2's device id.
const VENDOR: u16 = 0x8086;
const DEVICE: u16 = 0x9a49;
/// A Tiger Lake GT2 stepping as shipped (revision 1).
const REVISION: u8 = 0x01;
/// VGA-compatible display controller.
const CLASS: u32 = 0x030000;

/// Where the PCI device lives, relative to the sysfs root.
pub const DEVICE_DIR: &str = "devices/pci0000:00/0000:00:02.0";

/// The DRM minors: name and minor number.
const MINORS: [(&str, u32); 2] = [("card0", 0), ("renderD128", 128)];

/// Where the vgem device lives, relative to the sysfs root (a platform device).
pub const VGEM_DIR: &str = "devices/platform/vgem";
/// vgem's one minor.
const VGEM_MINOR: (&str, u32) = ("card1", 1);

/// Write the GPU's PCI device directory (with its DRM minors) under `sys` (the new
/// `/sys`): `sys/DEVICE_DIR` must not exist yet, its parent must.
pub fn write_device(sys: &Path) -> Fallible<()> {
    let dev = sys.join(DEVICE_DIR);
    make_dir(&dev)?;
    let hex = |v: u32, w: usize| format!("0x{v:0w$x}\n");
    let files: [(&str, String); 9] = [
        ("vendor", hex(VENDOR.into(), 4)),
        ("device", hex(DEVICE.into(), 4)),
        ("subsystem_vendor", hex(VENDOR.into(), 4)),
        ("subsystem_device", hex(DEVICE.into(), 4)),
        ("revision", hex(REVISION.into(), 2)),
        ("class", hex(CLASS, 6)),
        ("enable", "1\n".into()),
        ("boot_vga", "1\n".into()),
        ("uevent", pci_uevent()),
    ];
    for (name, text) in files {
        write_file(&dev.join(name), text.as_bytes())?;
    }
    write_file(&dev.join("config"), &config_space())?;
    write_file(&dev.join("resource"), resource_table().as_bytes())?;
    // From DEVICE_DIR, three levels up is the sysfs root.
    link("../../../bus/pci/drivers/i915", &dev.join("driver"))?;
    link("../../../bus/pci", &dev.join("subsystem"))?;

    let drm = dev.join("drm");
    make_dir(&drm)?;
    for (name, minor) in MINORS {
        let d = drm.join(name);
        make_dir(&d)?;
        write_file(&d.join("dev"), format!("226:{minor}\n").as_bytes())?;
        write_file(
            &d.join("uevent"),
            format!("MAJOR=226\nMINOR={minor}\nDEVNAME=dri/{name}\nDEVTYPE=drm_minor\n").as_bytes(),
        )?;
        link("../../../0000:00:02.0", &d.join("device"))?;
        link("../../../../../class/drm", &d.join("subsystem"))?;
    }
    Ok(())
}

/// The vgem platform device's directory (with its DRM minor) under `sys`:
/// `sys/VGEM_DIR` must not exist yet, its parent must.
pub fn write_vgem(sys: &Path) -> Fallible<()> {
    let dev = sys.join(VGEM_DIR);
    make_dir(&dev)?;
    write_file(
        &dev.join("uevent"),
        b"DRIVER=vgem\nMODALIAS=platform:vgem\n",
    )?;
    write_file(&dev.join("modalias"), b"platform:vgem\n")?;
    // From VGEM_DIR, three levels up is the sysfs root.
    link("../../../bus/platform", &dev.join("subsystem"))?;
    let drm = dev.join("drm");
    make_dir(&drm)?;
    let (name, minor) = VGEM_MINOR;
    let d = drm.join(name);
    make_dir(&d)?;
    write_file(&d.join("dev"), format!("226:{minor}\n").as_bytes())?;
    write_file(
        &d.join("uevent"),
        format!("MAJOR=226\nMINOR={minor}\nDEVNAME=dri/{name}\nDEVTYPE=drm_minor\n").as_bytes(),
    )?;
    link("../../../vgem", &d.join("device"))?;
    link("../../../../../class/drm", &d.join("subsystem"))
}

/// The entries of `/sys/class/drm` (written into `class_drm`, an empty directory).
pub fn write_class_drm(class_drm: &Path) -> Fallible<()> {
    for (name, _) in MINORS {
        link(
            &format!("../../{DEVICE_DIR}/drm/{name}"),
            &class_drm.join(name),
        )?;
    }
    let (vgem, _) = VGEM_MINOR;
    link(
        &format!("../../{VGEM_DIR}/drm/{vgem}"),
        &class_drm.join(vgem),
    )?;
    // drm_sysfs: the core's version attribute.
    write_file(&class_drm.join("version"), b"drm 1.1.0 20060810\n")
}

/// The entries for the minors in `/sys/dev/char` (`dev_char` exists).
pub fn write_dev_char(dev_char: &Path) -> Fallible<()> {
    for (name, minor) in MINORS {
        link(
            &format!("../../{DEVICE_DIR}/drm/{name}"),
            &dev_char.join(format!("226:{minor}")),
        )?;
    }
    let (vgem, minor) = VGEM_MINOR;
    link(
        &format!("../../{VGEM_DIR}/drm/{vgem}"),
        &dev_char.join(format!("226:{minor}")),
    )
}

/// The device's entry in `/sys/bus/pci/devices` (`devices` exists).
pub fn write_bus_device(devices: &Path) -> Fallible<()> {
    link(&format!("../../../{DEVICE_DIR}"), &devices.join(PCI_SLOT))
}

/// The i915 driver's directory in `/sys/bus/pci/drivers` (`drivers` exists).
pub fn write_driver(drivers: &Path) -> Fallible<()> {
    let i915 = drivers.join("i915");
    make_dir(&i915)?;
    link(&format!("../../../../{DEVICE_DIR}"), &i915.join(PCI_SLOT))
}

/// The device's `uevent`, as the PCI core writes it for a bound device.
fn pci_uevent() -> String {
    format!(
        "DRIVER=i915\nPCI_CLASS={CLASS:X}\nPCI_ID={VENDOR:04X}:{DEVICE:04X}\n\
         PCI_SUBSYS_ID={VENDOR:04X}:{DEVICE:04X}\nPCI_SLOT_NAME={PCI_SLOT}\n\
         MODALIAS=pci:v0000{VENDOR:04X}d0000{DEVICE:04X}sv0000{VENDOR:04X}sd0000{DEVICE:04X}\
         bc03sc00i00\n"
    )
}

/// The BARs of Tiger Lake's GPU as `pci_dev` shows them: (BAR index, start, length,
/// `IORESOURCE_*` flags). BAR0 GTTMMADR (registers and GGTT, 16 MiB, 64-bit memory),
/// BAR2 GMADR (the mappable aperture, 256 MiB, 64-bit prefetchable), BAR4 a 64-byte I/O
/// window. Addresses are where firmware typically puts them.
const BARS: [(usize, u64, u64, u64); 3] = [
    (0, 0xa000_0000, 16 << 20, 0x0014_0204),
    (2, 0x9000_0000, 256 << 20, 0x0014_220c),
    (4, 0x4000, 64, 0x0004_0101),
];

/// The `resource` attribute: one `start end flags` line per resource, 6 BARs, the ROM and
/// the 6 SR-IOV BARs (all zero but the three above), as `resource_show` prints them.
fn resource_table() -> String {
    let mut lines = [(0u64, 0u64, 0u64); 13];
    for (bar, start, len, flags) in BARS {
        lines[bar] = (start, start + len - 1, flags);
    }
    lines
        .iter()
        .map(|(s, e, f)| format!("0x{s:016x} 0x{e:016x} 0x{f:016x}\n"))
        .collect()
}

/// The first 256 bytes of PCI configuration space (what an unprivileged read of
/// `config` gives): ids, class, revision, header type 0, subsystem ids.
fn config_space() -> Vec<u8> {
    let mut c = vec![0u8; 256];
    c[0..2].copy_from_slice(&VENDOR.to_le_bytes());
    c[2..4].copy_from_slice(&DEVICE.to_le_bytes());
    // Command: I/O, memory, bus master enabled.
    c[4..6].copy_from_slice(&0x0007u16.to_le_bytes());
    c[8] = REVISION;
    // BARs: memory BARs are 64-bit (type 2, bits 2:1), BAR2 prefetchable (bit 3);
    // the I/O BAR has bit 0 set.
    for (bar, start, _, flags) in BARS {
        let at = 0x10 + 4 * bar;
        let low = if flags & 0x100 != 0 {
            start as u32 | 1
        } else {
            start as u32 | 0x4 | if flags & 0x2000 != 0 { 0x8 } else { 0 }
        };
        c[at..at + 4].copy_from_slice(&low.to_le_bytes());
    }
    c[9..12].copy_from_slice(&CLASS.to_le_bytes()[..3]);
    c[0x2c..0x2e].copy_from_slice(&VENDOR.to_le_bytes());
    c[0x2e..0x30].copy_from_slice(&DEVICE.to_le_bytes());
    c
}

/// Where the i915 PMU lives, relative to the sysfs root; `bus/event_source/devices/i915`
/// links to it.
pub const PMU_DIR: &str = "devices/i915";

/// Write the i915 PMU's directory under `sys`: its perf event `type` (gemu's, which the
/// shim answers), `cpumask`, `format/event` and one `events/` file per counter in
/// `counters` (the text of the daemon's `gemu_pmu` file), with its `.unit`, as i915
/// names them (`rcs0-busy` is `event=0x...`, in ns).
pub fn write_pmu(sys: &Path, counters: &str) -> Fallible<()> {
    let dir = sys.join(PMU_DIR);
    make_dir(&dir)?;
    write_file(
        &dir.join("type"),
        format!("{}\n", uapi::GEMU_PMU_TYPE).as_bytes(),
    )?;
    // An uncore PMU: counted on one CPU for the whole device.
    write_file(&dir.join("cpumask"), b"0\n")?;
    write_file(&dir.join("uevent"), b"")?;
    link("../../bus/event_source", &dir.join("subsystem"))?;
    make_dir(&dir.join("format"))?;
    write_file(&dir.join("format/event"), b"config:0-20\n")?;
    let events = dir.join("events");
    make_dir(&events)?;
    for line in counters.lines() {
        let Some(config) = line
            .split_whitespace()
            .next()
            .and_then(|c| u64::from_str_radix(c.trim_start_matches("0x"), 16).ok())
        else {
            continue;
        };
        let Some((name, unit)) = pmu_event_name(config) else {
            continue;
        };
        write_file(
            &events.join(&name),
            format!("event={config:#06x}\n").as_bytes(),
        )?;
        if !unit.is_empty() {
            write_file(
                &events.join(format!("{name}.unit")),
                format!("{unit}\n").as_bytes(),
            )?;
        }
    }
    Ok(())
}

/// i915's name of PMU counter `config` (`i915_pmu_register`'s attributes) and its unit.
fn pmu_event_name(config: u64) -> Option<(String, &'static str)> {
    match config {
        uapi::I915_PMU_ACTUAL_FREQUENCY => Some(("actual-frequency".into(), "M")),
        uapi::I915_PMU_REQUESTED_FREQUENCY => Some(("requested-frequency".into(), "M")),
        uapi::I915_PMU_INTERRUPTS => Some(("interrupts".into(), "")),
        c if c < uapi::__I915_PMU_OTHER(0) => {
            let class = c >> uapi::I915_PMU_CLASS_SHIFT;
            let instance = (c >> uapi::I915_PMU_SAMPLE_BITS) & 0xff;
            let sample = match c & uapi::I915_PMU_SAMPLE_MASK {
                s if s == u64::from(uapi::I915_SAMPLE_BUSY) => "busy",
                s if s == u64::from(uapi::I915_SAMPLE_WAIT) => "wait",
                s if s == u64::from(uapi::I915_SAMPLE_SEMA) => "sema",
                _ => return None,
            };
            let prefix = emu::debug_info::engine_class_name(u16::try_from(class).ok()?)?;
            Some((format!("{prefix}{instance}-{sample}"), "ns"))
        }
        _ => None,
    }
}

/// A read-only (0444) file, as sysfs attributes are.
fn write_file(path: &Path, data: &[u8]) -> Fallible<()> {
    fs::write(path, data)
        .and_then(|()| fs::set_permissions(path, fs::Permissions::from_mode(0o444)))
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

fn link(target: &str, path: &Path) -> Fallible<()> {
    symlink(target, path).map_err(|e| format!("linking {} -> {target}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_space_header() {
        let c = config_space();
        assert_eq!(&c[0..4], &[0x86, 0x80, 0x49, 0x9a]);
        assert_eq!(&c[8..12], &[0x01, 0x00, 0x00, 0x03]);
    }

    #[test]
    fn pmu_events_have_i915s_names() {
        let busy = uapi::I915_PMU_ENGINE_BUSY(2, 0);
        assert_eq!(pmu_event_name(busy), Some(("vcs0-busy".into(), "ns")));
        assert_eq!(
            pmu_event_name(uapi::I915_PMU_ACTUAL_FREQUENCY),
            Some(("actual-frequency".into(), "M"))
        );
        // RC6 residency is not modelled; an unknown class or sample has no name.
        assert_eq!(pmu_event_name(uapi::I915_PMU_RC6_RESIDENCY), None);
        assert_eq!(pmu_event_name(uapi::__I915_PMU_ENGINE(9, 0, 0)), None);
        assert_eq!(pmu_event_name(uapi::__I915_PMU_ENGINE(0, 0, 7)), None);
    }

    #[test]
    fn uevent_names_the_driver_and_slot() {
        let u = pci_uevent();
        assert!(u.contains("DRIVER=i915\n"));
        assert!(u.contains("PCI_ID=8086:9A49\n"));
        assert!(u.contains("PCI_SLOT_NAME=0000:00:02.0\n"));
    }
}
