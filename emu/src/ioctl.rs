//! The DRM core's ioctl entry (`drm_ioctl`): number → handler, permission checks, and
//! the size rules that let old and new user-space struct layouts meet.

use bytemuck::{Pod, Zeroable};

use crate::client::ClientMemory;
use crate::file::File;
use crate::{Errno, Result};

const IOC_NRBITS: u32 = 8;
const IOC_TYPEBITS: u32 = 8;
const IOC_SIZEBITS: u32 = 14;
const IOC_NRSHIFT: u32 = 0;
const IOC_TYPESHIFT: u32 = IOC_NRSHIFT + IOC_NRBITS;
const IOC_SIZESHIFT: u32 = IOC_TYPESHIFT + IOC_TYPEBITS;
const IOC_DIRSHIFT: u32 = IOC_SIZESHIFT + IOC_SIZEBITS;
/// `_IOC_WRITE`: user space writes the struct, the kernel copies it in.
pub const IOC_IN: u32 = 1 << IOC_DIRSHIFT;
/// `_IOC_READ`: the kernel copies the struct back out.
pub const IOC_OUT: u32 = 2 << IOC_DIRSHIFT;

/// `_IOC_NR(cmd)`.
pub fn ioc_nr(cmd: u32) -> u32 {
    (cmd >> IOC_NRSHIFT) & ((1 << IOC_NRBITS) - 1)
}
/// `_IOC_TYPE(cmd)`.
pub fn ioc_type(cmd: u32) -> u32 {
    (cmd >> IOC_TYPESHIFT) & ((1 << IOC_TYPEBITS) - 1)
}
/// `_IOC_SIZE(cmd)`.
pub fn ioc_size(cmd: u32) -> usize {
    ((cmd >> IOC_SIZESHIFT) & ((1 << IOC_SIZEBITS) - 1)) as usize
}

/// May this command block for long (a wait with a timeout)? The front-end answers such
/// commands off its request loop so other clients are never stalled behind them.
pub fn ioctl_may_block(cmd: u32) -> bool {
    let _ = cmd;
    false
}

type Handler = fn(&File, &mut [u8], &dyn ClientMemory) -> Result<()>;

/// Run a typed handler on the kernel copy of the argument.
fn typed<T: Pod + Zeroable>(
    kdata: &mut [u8],
    f: impl FnOnce(&mut T) -> Result<()>,
) -> Result<()> {
    let mut v: T = bytemuck::pod_read_unaligned(&kdata[..std::mem::size_of::<T>()]);
    f(&mut v)?;
    kdata[..std::mem::size_of::<T>()].copy_from_slice(bytemuck::bytes_of(&v));
    Ok(())
}

pub(crate) fn dispatch(
    file: &File,
    cmd: u32,
    arg: &mut [u8],
    caller: &dyn ClientMemory,
) -> Result<()> {
    let version: Handler = |f, k, c| typed(k, |v: &mut uapi::drm_version| f.version(v, c));
    if cmd == uapi::DRM_IOCTL_VERSION {
        let mut kdata = [0u8; 64];
        kdata[..arg.len().min(64)].copy_from_slice(&arg[..arg.len().min(64)]);
        version(file, &mut kdata, caller)?;
        let n = arg.len().min(64);
        arg[..n].copy_from_slice(&kdata[..n]);
        return Ok(());
    }
    Err(Errno::EINVAL)
}

impl File {
    /// IOCTL: version: the driver's name, date and description, with the two-call
    /// length protocol (lengths always set; strings copied up to the given lengths).
    pub(crate) fn version(
        &self,
        v: &mut uapi::drm_version,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        fn put(caller: &dyn ClientMemory, s: &str, len: &mut u64, ptr: u64) -> Result<()> {
            let n = (*len as usize).min(s.len());
            *len = s.len() as u64;
            if n > 0 {
                caller.write(ptr, &s.as_bytes()[..n])?;
            }
            Ok(())
        }
        v.version_major = 1;
        v.version_minor = 6;
        v.version_patchlevel = 0;
        put(caller, "i915", &mut v.name_len, v.name)?;
        put(caller, "20230929", &mut v.date_len, v.date)?;
        put(caller, "Intel Graphics", &mut v.desc_len, v.desc)?;
        Ok(())
    }
}
