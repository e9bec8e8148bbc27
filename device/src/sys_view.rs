//! The program's `/sys` under `gemu run`: the host's sysfs as it is, plus gemu's GPU
//! ([`crate::sysfs`]) and its debugfs directory at `/sys/kernel/debug/dri/<minor>`.
//!
//! sysfs cannot be written to, so a tmpfs replaces `/sys` in the private namespace and
//! the host's entries come back into it: each directory bind-mounted (recursively, so
//! cgroup and tracing mounts stay), each symlink copied. The directories that gain an
//! entry (`class`, `dev/char`, `devices/pci0000:00`, `bus/pci/…`, `kernel`) are
//! rebuilt the same way one level further down. Only the namespace sees any of it; the
//! host's `/sys` and `/sys/kernel/debug` are untouched.

use std::fs::{self, File};
use std::os::unix::fs::symlink;
use std::path::Path;

use nix::mount::{mount, MsFlags};

use crate::namespace::{fd_path, make_dir, mount_tmpfs, open_path};
use crate::sysfs;
use crate::Fallible;

const SYS: &str = "/sys";

/// Replace `/sys` with the host's plus gemu's device; bind `debugfs` (the FUSE folder
/// of the device's debugfs files) at `/sys/kernel/debug/dri/0` and `…/128`, `sw_sync`
/// (the daemon's sw_sync file) at `/sys/kernel/debug/sync/sw_sync`, and each entry of
/// `live_sysfs` (the FUSE folder of the card's live attributes) into `card0`.
pub fn publish(debugfs: &Path, sw_sync: &Path, live_sysfs: &Path) -> Fallible<()> {
    let old = open_path(Path::new(SYS))?;
    let old_root = fd_path(&old);
    mount_tmpfs(Path::new(SYS), MsFlags::MS_NODEV)?;
    let sys = Path::new(SYS);
    let rebuilt = ["class", "dev", "devices", "bus", "kernel"];
    graft(&old_root, sys, &rebuilt)?;
    for d in rebuilt {
        make_dir(&sys.join(d))?;
    }

    graft(&old_root.join("class"), &sys.join("class"), &["drm"])?;
    make_dir(&sys.join("class/drm"))?;
    sysfs::write_class_drm(&sys.join("class/drm"))?;

    graft(&old_root.join("dev"), &sys.join("dev"), &["char"])?;
    make_dir(&sys.join("dev/char"))?;
    graft(
        &old_root.join("dev/char"),
        &sys.join("dev/char"),
        &["226:0", "226:128", "226:1"],
    )?;
    sysfs::write_dev_char(&sys.join("dev/char"))?;

    graft(
        &old_root.join("devices"),
        &sys.join("devices"),
        &["pci0000:00", "platform", "i915"],
    )?;
    // The i915 PMU, whose events are the counters the daemon serves.
    let counters = fs::read_to_string(debugfs.join(uapi::GEMU_PMU_FILE))
        .map_err(|e| format!("reading the PMU counters: {e}"))?;
    sysfs::write_pmu(sys, &counters)?;
    make_dir(&sys.join("devices/platform"))?;
    // A host vgem, if loaded, is hidden: gemu's card1 is vgem.
    graft(
        &old_root.join("devices/platform"),
        &sys.join("devices/platform"),
        &["vgem"],
    )?;
    sysfs::write_vgem(sys)?;
    make_dir(&sys.join("devices/pci0000:00"))?;
    // The host's own device at 00:02.0, if any, is hidden: gemu's GPU sits there.
    graft(
        &old_root.join("devices/pci0000:00"),
        &sys.join("devices/pci0000:00"),
        &["0000:00:02.0"],
    )?;
    sysfs::write_device(sys)?;
    let card0 = sys.join(sysfs::DEVICE_DIR).join("drm/card0");
    graft(live_sysfs, &card0, &[])?;

    let pci = Path::new("bus/pci");
    graft(
        &old_root.join("bus"),
        &sys.join("bus"),
        &["pci", "event_source"],
    )?;
    let sources = sys.join("bus/event_source/devices");
    make_dir(&sys.join("bus/event_source"))?;
    graft(
        &old_root.join("bus/event_source"),
        &sys.join("bus/event_source"),
        &["devices"],
    )?;
    make_dir(&sources)?;
    graft(
        &old_root.join("bus/event_source/devices"),
        &sources,
        &["i915"],
    )?;
    symlink("../../../devices/i915", sources.join("i915"))
        .map_err(|e| format!("linking the i915 PMU: {e}"))?;
    make_dir(&sys.join(pci))?;
    graft(&old_root.join(pci), &sys.join(pci), &["devices", "drivers"])?;
    for (d, hidden) in [("devices", "0000:00:02.0"), ("drivers", "i915")] {
        make_dir(&sys.join(pci).join(d))?;
        graft(
            &old_root.join(pci).join(d),
            &sys.join(pci).join(d),
            &[hidden],
        )?;
    }
    sysfs::write_bus_device(&sys.join("bus/pci/devices"))?;
    sysfs::write_driver(&sys.join("bus/pci/drivers"))?;

    graft(&old_root.join("kernel"), &sys.join("kernel"), &["debug"])?;
    // A mount of its own: IGT checks that /sys/kernel/debug is a mount point (else it
    // tries to mount debugfs there, which would hide gemu's files).
    let debug = sys.join("kernel/debug");
    make_dir(&debug)?;
    mount_tmpfs(&debug, MsFlags::MS_NODEV)?;
    make_dir(&debug.join("dri"))?;
    for minor in ["0", "128"] {
        let target = debug.join("dri").join(minor);
        make_dir(&target)?;
        mount(
            Some(debugfs),
            &target,
            None::<&str>,
            MsFlags::MS_BIND,
            None::<&str>,
        )
        .map_err(|e| format!("binding debugfs onto {}: {e}", target.display()))?;
    }
    // Intel's CI kernels have sw_sync, which IGT uses to hold work back.
    make_dir(&debug.join("sync"))?;
    let target = debug.join("sync/sw_sync");
    File::create(&target).map_err(|e| format!("creating {}: {e}", target.display()))?;
    mount(
        Some(sw_sync),
        &target,
        None::<&str>,
        MsFlags::MS_BIND,
        None::<&str>,
    )
    .map_err(|e| format!("binding sw_sync onto {}: {e}", target.display()))?;
    // Nothing more is written: the program sees a read-only tree, as sysfs is to it.
    Ok(())
}

/// Bring the entries of the host's directory `from` into `to` (a directory of the
/// tmpfs), except `skip`: directories are bind-mounted, symlinks copied, files
/// bind-mounted onto empty files.
pub(crate) fn graft(from: &Path, to: &Path, skip: &[&str]) -> Fallible<()> {
    let entries = match fs::read_dir(from) {
        Ok(e) => e,
        // The host lacks this directory (no PCI bus, say): nothing to bring.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("reading {}: {e}", from.display())),
    };
    for entry in entries {
        let entry = entry.map_err(|e| format!("reading {}: {e}", from.display()))?;
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let kind = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", src.display()))?;
        if kind.is_symlink() {
            let target = fs::read_link(&src).map_err(|e| format!("{}: {e}", src.display()))?;
            symlink(&target, &dst).map_err(|e| format!("{}: {e}", dst.display()))?;
            continue;
        }
        if kind.is_dir() {
            make_dir(&dst)?;
        } else {
            File::create(&dst).map_err(|e| format!("{}: {e}", dst.display()))?;
        }
        mount(
            Some(&src),
            &dst,
            None::<&str>,
            MsFlags::MS_BIND | MsFlags::MS_REC,
            None::<&str>,
        )
        .map_err(|e| format!("binding {} onto {}: {e}", src.display(), dst.display()))?;
    }
    Ok(())
}
