//! `gemu probe`: open a DRM node as an ordinary client would and report what it says.
//!
//! `gemu run` with no program runs this inside its namespace. The report is a list of
//! sections, each asking the device one thing; a section that fails is reported and the
//! rest still run.
//!
//! TODO(probe): add sections as emu and uapi grow the ioctls:
//! - GETPARAM: CHIPSET_ID, REVISION, and the platform parameters of DESIGN §5;
//! - QUERY: engine info (rcs0, bcs0) and memory regions;
//! - GEM round trip: GEM_CREATE, PWRITE, MMAP_OFFSET + mmap, PREAD, GEM_CLOSE.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::Path;

use crate::Fallible;

/// One part of the report: a name and the question it asks the device.
struct Section {
    name: &'static str,
    run: fn(&File) -> Fallible<String>,
}

const SECTIONS: &[Section] = &[Section {
    name: "version",
    run: version,
}];

/// Returns 0 when every section succeeded, 1 otherwise.
pub fn probe(node: &Path) -> Fallible<u8> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(node)
        .map_err(|e| format!("opening {}: {e}", node.display()))?;
    println!("gemu probe: {}", node.display());
    let mut failed = 0;
    for section in SECTIONS {
        match (section.run)(&file) {
            Ok(line) => println!("  {:<8} {line}", section.name),
            Err(e) => {
                failed += 1;
                println!("  {:<8} FAILED: {e}", section.name);
            }
        }
    }
    Ok(u8::from(failed > 0))
}

/// DRM_IOCTL_VERSION with the two-call protocol: lengths first, then the strings.
fn version(file: &File) -> Fallible<String> {
    let mut v = uapi::drm_version::default();
    // SAFETY: all string lengths are 0, so the driver writes no string.
    unsafe { drm_ioctl(file, uapi::DRM_IOCTL_VERSION, &mut v) }
        .map_err(|e| format!("DRM_IOCTL_VERSION (lengths): {e}"))?;
    let mut name = vec![0u8; v.name_len as usize];
    let mut date = vec![0u8; v.date_len as usize];
    let mut desc = vec![0u8; v.desc_len as usize];
    v.name = name.as_mut_ptr() as u64;
    v.date = date.as_mut_ptr() as u64;
    v.desc = desc.as_mut_ptr() as u64;
    // SAFETY: each pointer is a live buffer of exactly the length the struct gives.
    unsafe { drm_ioctl(file, uapi::DRM_IOCTL_VERSION, &mut v) }
        .map_err(|e| format!("DRM_IOCTL_VERSION (strings): {e}"))?;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Ok(format!(
        "{} {}.{}.{} ({}) \"{}\"",
        text(&name),
        v.version_major,
        v.version_minor,
        v.version_patchlevel,
        text(&date),
        text(&desc)
    ))
}

/// `ioctl(fd, cmd, arg)` for a command whose argument struct is `T`.
///
/// # Safety
/// Every user pointer inside `arg` must point to memory valid for the length and the
/// direction that the command gives it: the driver writes through them.
unsafe fn drm_ioctl<T>(file: &File, cmd: u32, arg: &mut T) -> nix::Result<()> {
    assert_eq!(
        emu::ioctl::ioc_size(cmd),
        std::mem::size_of::<T>(),
        "argument type does not match ioctl {cmd:#x}"
    );
    // SAFETY: `arg` is a valid, exclusive `T` of the size the command copies in and out;
    // what its pointers reach is the caller's promise.
    let r = unsafe { libc::ioctl(file.as_raw_fd(), cmd as libc::c_ulong, arg as *mut T) };
    nix::errno::Errno::result(r).map(drop)
}
