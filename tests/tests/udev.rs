//! libudev under `gemu run`: the program's `/sys` is a tmpfs, which systemd's sd-device
//! refuses unless `SYSTEMD_DEVICE_VERIFY_SYSFS=0`, which gemu sets for the program.
//! udevadm and intel_gpu_top (Debian's `udev` and `intel-gpu-tools`, which
//! scripts/bootstrap installs) find the card by lookup and by enumeration.

use std::path::{Path, PathBuf};

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("udev")
}

/// `gemu run -- PROGRAM ARGS` with `envs` in its own folder `name`; its stdout, or a
/// panic with the transcript when it does not exit with `code`.
fn run(name: &str, envs: &[(&str, &str)], program: &str, args: &[&str], code: i32) -> String {
    let gemu = tests::gemu_binary().unwrap_or_else(|e| panic!("{e}"));
    let run = tests::run_under_gemu_env(
        &gemu,
        &[],
        envs,
        Path::new(program),
        args,
        &scratch().join(name),
        tests::CLIENT_TIMEOUT,
    )
    .unwrap();
    assert_eq!(
        run.status.and_then(|s| s.code()),
        Some(code),
        "{}",
        run.transcript()
    );
    run.stdout
}

#[test]
fn udevadm_finds_the_card_by_its_node() {
    let out = run(
        "by_node",
        &[],
        "udevadm",
        &["info", "--query=property", "/dev/dri/card0"],
        0,
    );
    for line in [
        "DEVPATH=/devices/pci0000:00/0000:00:02.0/drm/card0",
        "DEVNAME=/dev/dri/card0",
        "SUBSYSTEM=drm",
        "MAJOR=226",
        "MINOR=0",
    ] {
        assert!(out.lines().any(|l| l == line), "no {line} in:\n{out}");
    }
}

#[test]
fn libudev_enumeration_lists_the_drm_devices() {
    // `trigger --dry-run` enumerates with sd-device and prints what it found.
    let out = run(
        "enumeration",
        &[],
        "udevadm",
        &["trigger", "--dry-run", "--verbose", "--subsystem-match=drm"],
        0,
    );
    let mut found: Vec<&str> = out.lines().collect();
    found.sort();
    assert_eq!(
        found,
        [
            "/sys/devices/pci0000:00/0000:00:02.0/drm/card0",
            "/sys/devices/pci0000:00/0000:00:02.0/drm/renderD128",
            "/sys/devices/platform/vgem/drm/card1",
        ]
    );
}

#[test]
fn intel_gpu_top_lists_the_gpu() {
    let out = run("intel_gpu_top", &[], "intel_gpu_top", &["-L"], 0);
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("card0")
            && first.contains("Intel Tigerlake (Gen12)")
            && first.contains("pci:vendor=8086,device=9A49,card=0"),
        "{out}"
    );
    assert!(out.contains("renderD128"), "{out}");
}

/// A value the user set is kept: with the check on, sd-device refuses the tmpfs.
#[test]
fn the_users_own_verify_setting_wins() {
    let out = run(
        "verify_on",
        &[("SYSTEMD_DEVICE_VERIFY_SYSFS", "1")],
        "udevadm",
        &["info", "--query=property", "/dev/dri/card0"],
        1,
    );
    assert_eq!(out, "");
}
