//! Creating the character device: opening `/dev/cuse` and the CUSE_INIT handshake, in
//! which gemu names the device (`DEVNAME=dri/card0`) and its number (226:0).
//!
//! The kernel answers a refused device (its number or its name taken) by aborting the
//! connection inside the reply's `write`; gemu checks for that at once, explains what
//! holds the number, and asks for a dynamic major instead only when allowed to.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::abi::*;
use super::channel::{Channel, REQUEST_BUFFER};

/// The CUSE control device; the `cuse` module creates it (10:203).
pub const DEV_CUSE: &str = "/dev/cuse";

/// What to register.
#[derive(Clone, Debug)]
pub struct DeviceName {
    /// Path under /dev, e.g. `dri/card0`.
    pub name: String,
    /// 0 asks the kernel for a free major.
    pub major: u32,
    pub minor: u32,
}

impl DeviceName {
    /// The device's name in sysfs (`/sys/class/cuse/<name>`): '/' becomes '!'.
    pub fn sysfs_name(&self) -> String {
        self.name.replace('/', "!")
    }
}

/// A registered device: its connection and the number the kernel gave it.
pub struct Registered {
    pub channel: Channel,
    pub major: u32,
    pub minor: u32,
}

/// Register `dev`; when its number is refused and `dynamic_fallback` is set, register it
/// again with a major the kernel picks.
pub fn register(dev: &DeviceName, dynamic_fallback: bool) -> Result<Registered, String> {
    match handshake(dev)? {
        Some(r) => Ok(r),
        None => {
            let why = refusal_reason(dev);
            if dynamic_fallback && dev.major != 0 {
                log::warn!(
                    "{}: {why}; --dynamic-major-fallback: asking for a free major",
                    dev.name
                );
                let dynamic = DeviceName {
                    major: 0,
                    ..dev.clone()
                };
                return handshake(&dynamic)?.ok_or_else(|| {
                    format!(
                        "the kernel refused the CUSE device {} even with a dynamic major: {}",
                        dev.name,
                        refusal_reason(&dynamic)
                    )
                });
            }
            Err(format!(
                "the kernel refused the CUSE device {} ({}:{}): {why}{}",
                dev.name,
                dev.major,
                dev.minor,
                if dev.major != 0 {
                    "; pass --dynamic-major-fallback to take a free major instead"
                } else {
                    ""
                }
            ))
        }
    }
}

/// Open `/dev/cuse` and answer its CUSE_INIT. `Ok(None)` when the kernel refused the
/// device (number or name in use).
fn handshake(dev: &DeviceName) -> Result<Option<Registered>, String> {
    let file = open_dev_cuse()?;
    let channel = Channel::new(file);
    let mut buf = vec![0u8; REQUEST_BUFFER];
    let (h, body) = channel
        .receive(&mut buf)
        .map_err(|e| format!("reading CUSE_INIT from {DEV_CUSE}: {e:?}"))?;
    let Some((init, _)) = split_body::<CuseInitIn>(body).filter(|_| h.opcode == CUSE_INIT) else {
        return Err(format!(
            "{DEV_CUSE} sent opcode {} first, not CUSE_INIT",
            h.opcode
        ));
    };
    if init.major != KERNEL_VERSION || init.minor < MIN_MINOR_VERSION {
        channel.reply(h.unique, Err(emu::Errno::EPROTO));
        return Err(format!(
            "{DEV_CUSE} speaks FUSE {}.{}; gemu needs {KERNEL_VERSION}.{MIN_MINOR_VERSION} or newer",
            init.major, init.minor
        ));
    }
    if init.flags & CUSE_UNRESTRICTED_IOCTL == 0 {
        channel.reply(h.unique, Err(emu::Errno::EPROTO));
        return Err(format!(
            "{DEV_CUSE} does not offer unrestricted ioctls, which DRM's nested pointers need"
        ));
    }
    let out = CuseInitOut {
        major: KERNEL_VERSION,
        minor: init.minor.min(KERNEL_MINOR_VERSION),
        flags: CUSE_UNRESTRICTED_IOCTL,
        max_read: (REQUEST_BUFFER - 4096) as u32,
        // A DRM node takes no writes; the kernel still wants a size.
        max_write: 4096,
        dev_major: dev.major,
        dev_minor: dev.minor,
        ..Default::default()
    };
    let info = format!("DEVNAME={}\0", dev.name);
    channel.reply(h.unique, Ok(&[bytemuck::bytes_of(&out), info.as_bytes()]));
    if channel.is_aborted() {
        return Ok(None);
    }
    let (major, minor) = registered_number(dev).unwrap_or((dev.major, dev.minor));
    Ok(Some(Registered {
        channel,
        major,
        minor,
    }))
}

fn open_dev_cuse() -> Result<File, String> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_CLOEXEC)
        .open(DEV_CUSE)
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => format!(
                "{DEV_CUSE} does not exist: this kernel has no CUSE loaded \
                 (`modprobe cuse`, CONFIG_CUSE), or {DEV_CUSE} was not passed into this \
                 container (--device {DEV_CUSE})"
            ),
            io::ErrorKind::PermissionDenied => {
                format!("opening {DEV_CUSE}: permission denied (CUSE needs root)")
            }
            _ => format!("opening {DEV_CUSE}: {e}"),
        })
}

/// The number the kernel gave the device, from `/sys/class/cuse/<name>/dev` ("M:m").
fn registered_number(dev: &DeviceName) -> Option<(u32, u32)> {
    let path = Path::new("/sys/class/cuse")
        .join(dev.sysfs_name())
        .join("dev");
    let s = std::fs::read_to_string(path).ok()?;
    let (ma, mi) = s.trim().split_once(':')?;
    Some((ma.parse().ok()?, mi.parse().ok()?))
}

/// Why the kernel most likely refused `dev`: who holds its number or its name.
fn refusal_reason(dev: &DeviceName) -> String {
    let mut reasons = Vec::new();
    if dev.major != 0 {
        let number = format!("{}:{}", dev.major, dev.minor);
        if let Ok(target) = std::fs::read_link(format!("/sys/dev/char/{number}")) {
            let holder = target.file_name().map(|n| n.to_string_lossy().into_owned());
            reasons.push(format!(
                "char device {number} is taken (by {})",
                holder.unwrap_or_default()
            ));
        } else if let Some(owner) = major_owner(dev.major) {
            reasons.push(format!(
                "char major {} is registered to {owner:?} (/proc/devices){}",
                dev.major,
                if owner == "drm" {
                    ": the DRM core is loaded"
                } else {
                    ""
                }
            ));
        }
    }
    if Path::new("/sys/class/cuse").join(dev.sysfs_name()).exists() {
        reasons.push(format!("a CUSE device named {} already exists", dev.name));
    }
    if reasons.is_empty() {
        "its number or name is in use (see dmesg)".into()
    } else {
        reasons.join("; ")
    }
}

/// The name a char major is registered under in /proc/devices, if any.
fn major_owner(major: u32) -> Option<String> {
    let devices = std::fs::read_to_string("/proc/devices").ok()?;
    devices
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .find_map(|l| {
            let (m, name) = l.trim().split_once(' ')?;
            (m.parse() == Ok(major)).then(|| name.to_string())
        })
}
