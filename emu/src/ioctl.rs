//! The DRM core's ioctl entry (`drm_ioctl`): number → handler, permission checks, and
//! the size rules that let older and newer user-space struct layouts meet.
//!
//! Every ioctl number i915 answers has an entry here, with the kernel's permission
//! flags; handlers are `File` methods on typed arguments (`uapi` structs).

use std::mem::size_of;

use bytemuck::Pod;
use uapi::*;

use crate::client::ClientMemory;
use crate::file::File;
use crate::{Errno, Result};

const IOC_NRBITS: u32 = 8;
const IOC_TYPEBITS: u32 = 8;
const IOC_SIZEBITS: u32 = 14;
const IOC_TYPESHIFT: u32 = IOC_NRBITS;
const IOC_SIZESHIFT: u32 = IOC_TYPESHIFT + IOC_TYPEBITS;
const IOC_DIRSHIFT: u32 = IOC_SIZESHIFT + IOC_SIZEBITS;
/// `_IOC_WRITE` as placed in a command: user space hands the struct in.
pub const IOC_IN: u32 = 1 << IOC_DIRSHIFT;
/// `_IOC_READ` as placed in a command: the struct is copied back out.
pub const IOC_OUT: u32 = 2 << IOC_DIRSHIFT;
const IOC_INOUT: u32 = IOC_IN | IOC_OUT;
const DRM_IOCTL_BASE: u32 = b'd' as u32;
const DRM_COMMAND_BASE: u32 = 0x40;
const DRM_COMMAND_END: u32 = 0xA0;

/// `_IOC_NR(cmd)`.
pub fn ioc_nr(cmd: u32) -> u32 {
    cmd & ((1 << IOC_NRBITS) - 1)
}
/// `_IOC_TYPE(cmd)`.
pub fn ioc_type(cmd: u32) -> u32 {
    (cmd >> IOC_TYPESHIFT) & ((1 << IOC_TYPEBITS) - 1)
}
/// `_IOC_SIZE(cmd)`.
pub fn ioc_size(cmd: u32) -> usize {
    ((cmd >> IOC_SIZESHIFT) & ((1 << IOC_SIZEBITS) - 1)) as usize
}
const fn ioc(dir: u32, nr: u32, size: usize) -> u32 {
    dir | ((size as u32) << IOC_SIZESHIFT) | (DRM_IOCTL_BASE << IOC_TYPESHIFT) | nr
}

// Permission flags of an entry (`enum drm_ioctl_flags`).
const AUTH: u32 = 0x1;
const MASTER: u32 = 0x2;
const ROOT_ONLY: u32 = 0x4;
const RENDER_ALLOW: u32 = 0x20;
const AMR: u32 = AUTH | MASTER | ROOT_ONLY;

type Handler = fn(&File, &mut [u8], &dyn ClientMemory) -> Result<()>;

/// One entry of the ioctl table (`struct drm_ioctl_desc`).
#[derive(Clone, Copy)]
struct Desc {
    /// The kernel's own command: its size and direction bits decide what is copied.
    cmd: u32,
    flags: u32,
    name: &'static str,
    func: Handler,
}

/// Run a typed handler on the kernel copy of the argument.
fn typed<T: Pod>(kdata: &mut [u8], f: impl FnOnce(&mut T) -> Result<()>) -> Result<()> {
    let n = size_of::<T>();
    let mut v: T = bytemuck::pod_read_unaligned(&kdata[..n]);
    let r = f(&mut v);
    // The kernel copies the struct back even when the handler failed.
    kdata[..n].copy_from_slice(bytemuck::bytes_of(&v));
    r
}

/// An entry whose handler is a `File` method on a typed argument.
macro_rules! op {
    ($dir:expr, $nr:expr, $t:ty, $flags:expr, $method:ident) => {
        Desc {
            cmd: ioc($dir, $nr, size_of::<$t>()),
            flags: $flags,
            name: stringify!($method),
            func: |f, k, c| typed(k, |a: &mut $t| File::$method(f, a, c)),
        }
    };
}

/// An entry whose handler ignores its argument.
macro_rules! fixed {
    ($nr:expr, $flags:expr, $name:expr, $ret:expr) => {
        Desc {
            cmd: ioc(IOC_INOUT, $nr, 0),
            flags: $flags,
            name: $name,
            func: |_, _, _| $ret,
        }
    };
}

/// `drm_noop`: accepted and ignored (old DRI1 calls whose users check the result).
macro_rules! noop {
    ($nr:expr, $flags:expr) => {
        fixed!($nr, $flags, "noop", Ok(()))
    };
}

/// A call the kernel answers for a display-less i915 (no DRIVER_MODESET).
macro_rules! no_modeset {
    ($nr:expr, $flags:expr) => {
        fixed!($nr, $flags, "modeset", Err(Errno::EOPNOTSUPP))
    };
}

/// A call i915 implements and gemu does not model yet: refused, and said so in the log.
macro_rules! later {
    ($nr:expr, $flags:expr, $name:expr) => {
        fixed!($nr, $flags, $name, {
            log::debug!("{} is not modelled by gemu yet", $name);
            Err(Errno::EOPNOTSUPP)
        })
    };
}

fn core_ioctl(nr: u32) -> Option<Desc> {
    const R: u32 = IOC_OUT;
    const W: u32 = IOC_IN;
    const RW: u32 = IOC_INOUT;
    Some(match nr {
        0x00 => op!(RW, 0x00, drm_version, RENDER_ALLOW, version),
        0x01 => op!(RW, 0x01, drm_unique, 0, get_unique),
        0x02 => op!(R, 0x02, drm_auth, 0, get_magic_ioctl),
        0x05 => op!(RW, 0x05, drm_client, 0, get_client),
        0x06 => op!(R, 0x06, drm_stats, 0, get_stats),
        0x07 => op!(RW, 0x07, drm_set_version, MASTER, set_version),
        0x09 => op!(W, 0x09, drm_gem_close, RENDER_ALLOW, gem_close),
        0x0a => op!(RW, 0x0a, drm_gem_flink, AUTH, gem_flink),
        0x0b => op!(RW, 0x0b, drm_gem_open, AUTH, gem_open),
        0x0c => op!(RW, 0x0c, drm_get_cap, RENDER_ALLOW, get_cap),
        0x0d => op!(W, 0x0d, drm_set_client_cap, 0, set_client_cap),
        0x10 => fixed!(0x10, AMR, "set_unique", Err(Errno::EINVAL)),
        0x11 => op!(W, 0x11, drm_auth, MASTER, auth_magic_ioctl),
        0x12 | 0x13 => noop!(nr, AMR),
        0x1e => op!(0, 0x1e, (), 0, set_master_ioctl),
        0x1f => op!(0, 0x1f, (), 0, drop_master_ioctl),
        0x27 | 0x28 | 0x3f => noop!(nr, AMR),
        0x2c => noop!(nr, AUTH),
        // A daemon cannot put a file descriptor into the caller (DESIGN §3): these work
        // only through the shim, which sends gemu's own export/import instead.
        0x2d => fixed!(
            nr,
            RENDER_ALLOW,
            "prime_handle_to_fd",
            Err(Errno::EOPNOTSUPP)
        ),
        0x2e => fixed!(
            nr,
            RENDER_ALLOW,
            "prime_fd_to_handle",
            Err(Errno::EOPNOTSUPP)
        ),
        0x3a..=0x3c => no_modeset!(nr, 0),
        // Mode setting (drm_mode_*): every call is refused without DRIVER_MODESET, after
        // the permission check of its entry.
        0xA0
        | 0xA1
        | 0xA4
        | 0xA6
        | 0xA7
        | 0xAA
        | 0xAC..=0xAF
        | 0xB5
        | 0xB6
        | 0xB8
        | 0xB9
        | 0xBD
        | 0xBE
        | 0xCE
        | 0xD0 => no_modeset!(nr, 0),
        0xA2 | 0xA3 | 0xA5 | 0xAB | 0xB0 | 0xB1 | 0xB7 | 0xBA..=0xBC | 0xC6..=0xC9 => {
            no_modeset!(nr, MASTER)
        }
        0xA8 | 0xA9 => noop!(nr, MASTER),
        0xB2 => later!(nr, 0, "mode_create_dumb"),
        0xB3 => later!(nr, 0, "mode_map_dumb"),
        0xB4 => later!(nr, 0, "mode_destroy_dumb"),
        0xBF => op!(RW, 0xBF, drm_syncobj_create, RENDER_ALLOW, syncobj_create),
        0xC0 => op!(RW, 0xC0, drm_syncobj_destroy, RENDER_ALLOW, syncobj_destroy),
        0xC1 => op!(
            RW,
            0xC1,
            drm_syncobj_handle,
            RENDER_ALLOW,
            syncobj_handle_to_fd
        ),
        0xC2 => op!(
            RW,
            0xC2,
            drm_syncobj_handle,
            RENDER_ALLOW,
            syncobj_fd_to_handle
        ),
        0xC3 => op!(RW, 0xC3, drm_syncobj_wait, RENDER_ALLOW, syncobj_wait),
        0xC4 => op!(RW, 0xC4, drm_syncobj_array, RENDER_ALLOW, syncobj_reset),
        0xC5 => op!(RW, 0xC5, drm_syncobj_array, RENDER_ALLOW, syncobj_signal),
        0xCA => op!(
            RW,
            0xCA,
            drm_syncobj_timeline_wait,
            RENDER_ALLOW,
            syncobj_timeline_wait
        ),
        0xCB => op!(
            RW,
            0xCB,
            drm_syncobj_timeline_array,
            RENDER_ALLOW,
            syncobj_query
        ),
        0xCC => op!(
            RW,
            0xCC,
            drm_syncobj_transfer,
            RENDER_ALLOW,
            syncobj_transfer
        ),
        0xCD => op!(
            RW,
            0xCD,
            drm_syncobj_timeline_array,
            RENDER_ALLOW,
            syncobj_timeline_signal
        ),
        // The eventfd would have to be taken from the caller's process.
        0xCF => later!(nr, RENDER_ALLOW, "syncobj_eventfd"),
        0xD1 => op!(RW, 0xD1, drm_set_client_name, RENDER_ALLOW, set_client_name),
        _ => return None,
    })
}

fn i915_ioctl(index: u32) -> Option<Desc> {
    const R: u32 = IOC_OUT;
    const W: u32 = IOC_IN;
    const RW: u32 = IOC_INOUT;
    let nr = DRM_COMMAND_BASE + index;
    Some(match index {
        0x00 | 0x07 | 0x0a | 0x0c | 0x0d | 0x11 | 0x13 | 0x19 | 0x1a => noop!(nr, AMR),
        0x01..=0x05 | 0x08 | 0x09 | 0x0b | 0x0e | 0x0f => noop!(nr, AUTH),
        0x06 => op!(RW, nr, drm_i915_getparam, RENDER_ALLOW, getparam),
        0x14 => fixed!(nr, AUTH, "gem_execbuffer", Err(Errno::EINVAL)),
        // i915_gem_reject_pin_ioctl
        0x15 | 0x16 => fixed!(nr, AUTH | ROOT_ONLY, "gem_pin", Err(Errno::ENODEV)),
        0x17 => op!(RW, nr, drm_i915_gem_busy, RENDER_ALLOW, gem_busy),
        0x18 => op!(0, nr, (), RENDER_ALLOW, gem_throttle),
        0x1b => op!(RW, nr, drm_i915_gem_create, RENDER_ALLOW, gem_create),
        0x1c => op!(W, nr, drm_i915_gem_pread, RENDER_ALLOW, gem_pread),
        0x1d => op!(W, nr, drm_i915_gem_pwrite, RENDER_ALLOW, gem_pwrite),
        0x1e => op!(RW, nr, drm_i915_gem_mmap, RENDER_ALLOW, gem_mmap),
        0x1f => op!(W, nr, drm_i915_gem_set_domain, RENDER_ALLOW, gem_set_domain),
        0x20 => op!(W, nr, drm_i915_gem_sw_finish, RENDER_ALLOW, gem_sw_finish),
        0x21 => op!(
            RW,
            nr,
            drm_i915_gem_set_tiling,
            RENDER_ALLOW,
            gem_set_tiling
        ),
        0x22 => op!(
            RW,
            nr,
            drm_i915_gem_get_tiling,
            RENDER_ALLOW,
            gem_get_tiling
        ),
        0x23 => op!(
            R,
            nr,
            drm_i915_gem_get_aperture,
            RENDER_ALLOW,
            gem_get_aperture
        ),
        // MMAP_GTT and MMAP_OFFSET share a number; the old, shorter struct arrives
        // zero-extended, i.e. as an MMAP_OFFSET of type GTT.
        0x24 => op!(
            RW,
            nr,
            drm_i915_gem_mmap_offset,
            RENDER_ALLOW,
            gem_mmap_offset
        ),
        0x25 => fixed!(nr, 0, "get_pipe_from_crtc_id", Err(Errno::ENOENT)),
        0x26 => op!(RW, nr, drm_i915_gem_madvise, RENDER_ALLOW, gem_madvise),
        // No overlay on this platform (intel_overlay_*_ioctl).
        0x27 | 0x28 => fixed!(nr, MASTER, "overlay", Err(Errno::ENODEV)),
        0x29 => op!(
            RW,
            nr,
            drm_i915_gem_execbuffer2,
            RENDER_ALLOW,
            gem_execbuffer2
        ),
        0x2a => noop!(nr, MASTER),
        0x2b => fixed!(nr, MASTER, "set_sprite_colorkey", Err(Errno::ENODEV)),
        0x2c => op!(RW, nr, drm_i915_gem_wait, RENDER_ALLOW, gem_wait),
        0x2d => op!(
            RW,
            nr,
            drm_i915_gem_context_create_ext,
            RENDER_ALLOW,
            gem_context_create
        ),
        0x2e => op!(
            W,
            nr,
            drm_i915_gem_context_destroy,
            RENDER_ALLOW,
            gem_context_destroy
        ),
        0x2f => op!(W, nr, drm_i915_gem_caching, RENDER_ALLOW, gem_set_caching),
        0x30 => op!(RW, nr, drm_i915_gem_caching, RENDER_ALLOW, gem_get_caching),
        0x31 => op!(RW, nr, drm_i915_reg_read, RENDER_ALLOW, reg_read),
        0x32 => op!(RW, nr, drm_i915_reset_stats, RENDER_ALLOW, get_reset_stats),
        0x33 => op!(RW, nr, drm_i915_gem_userptr, RENDER_ALLOW, gem_userptr),
        0x34 => op!(
            RW,
            nr,
            drm_i915_gem_context_param,
            RENDER_ALLOW,
            gem_context_getparam
        ),
        0x35 => op!(
            RW,
            nr,
            drm_i915_gem_context_param,
            RENDER_ALLOW,
            gem_context_setparam
        ),
        // i915_perf_*_ioctl without perf leak the kernel-internal ENOTSUPP (524), which
        // no front-end can carry to user space (FUSE turns it into EIO): EOPNOTSUPP is
        // its user-space spelling.
        0x36..=0x38 => fixed!(nr, RENDER_ALLOW, "perf", Err(Errno::EOPNOTSUPP)),
        0x39 => op!(RW, nr, drm_i915_query, RENDER_ALLOW, query),
        0x3a => op!(RW, nr, drm_i915_gem_vm_control, RENDER_ALLOW, gem_vm_create),
        0x3b => op!(W, nr, drm_i915_gem_vm_control, RENDER_ALLOW, gem_vm_destroy),
        0x3c => op!(
            RW,
            nr,
            drm_i915_gem_create_ext,
            RENDER_ALLOW,
            gem_create_ext
        ),
        // gemu's own (uapi::gemu): what the shim turns the calls that take or make fds
        // (syncobj fds, execbuf fence fds, PRIME) and legacy GEM_MMAP into. Flags as the calls they stand for.
        0x5a => op!(
            RW,
            nr,
            drm_syncobj_handle,
            RENDER_ALLOW,
            gemu_syncobj_export
        ),
        0x5b => op!(
            RW,
            nr,
            drm_syncobj_handle,
            RENDER_ALLOW,
            gemu_syncobj_import
        ),
        0x59 => op!(
            RW,
            nr,
            uapi::gemu::gemu_mmap_check,
            RENDER_ALLOW,
            gemu_mmap_check
        ),
        0x5c => op!(
            RW,
            nr,
            drm_i915_gem_execbuffer2,
            RENDER_ALLOW,
            gemu_execbuffer2
        ),
        0x5d => op!(RW, nr, drm_i915_gem_mmap, RENDER_ALLOW, gemu_gem_mmap),
        0x58 => op!(RW, nr, uapi::gemu::gemu_rw, RENDER_ALLOW, gemu_rw),
        0x57 => op!(RW, nr, uapi::gemu::gemu_params, RENDER_ALLOW, gemu_params),
        0x5e => op!(RW, nr, drm_prime_handle, RENDER_ALLOW, gemu_prime_export),
        0x5f => op!(RW, nr, drm_prime_handle, RENDER_ALLOW, gemu_prime_import),
        _ => return None,
    })
}

/// The full command (size and direction bits) the DRM and i915 table knows for ioctl
/// number `nr`, if any: what a well-formed caller passes.
pub fn command_of(nr: u32) -> Option<u32> {
    let desc = if (DRM_COMMAND_BASE..DRM_COMMAND_END).contains(&nr) {
        i915_ioctl(nr - DRM_COMMAND_BASE)
    } else {
        core_ioctl(nr)
    };
    desc.map(|d| d.cmd)
}

/// May this command block for long (a wait with a timeout)? The front-end answers such
/// commands off its request loop so other clients are never stalled behind them.
pub fn ioctl_may_block(cmd: u32) -> bool {
    ioc_type(cmd) == DRM_IOCTL_BASE
        && matches!(
            ioc_nr(cmd),
            // GEM_WAIT, SYNCOBJ_WAIT, SYNCOBJ_TIMELINE_WAIT: waits with a timeout.
            0x6c | 0xC3 | 0xCA
        )
}

/// The vgem device's table: the core's GEM and PRIME calls, dumb buffers, its two
/// fence calls, and gemu's PRIME halves (for the shim); no syncobjs (vgem is not a
/// DRIVER_SYNCOBJ driver: EOPNOTSUPP), and any other driver number is EINVAL.
fn vgem_ioctl(nr: u32) -> Option<Desc> {
    const W: u32 = IOC_IN;
    const RW: u32 = IOC_INOUT;
    const ATTACH: u32 = DRM_COMMAND_BASE + DRM_VGEM_FENCE_ATTACH;
    const SIGNAL: u32 = DRM_COMMAND_BASE + DRM_VGEM_FENCE_SIGNAL;
    Some(match nr {
        0xB2 => op!(RW, 0xB2, drm_mode_create_dumb, 0, vgem_create_dumb),
        0xB3 => op!(RW, 0xB3, drm_mode_map_dumb, 0, vgem_map_dumb),
        0xB4 => op!(RW, 0xB4, drm_mode_destroy_dumb, 0, vgem_destroy_dumb),
        0xBF..=0xCD => fixed!(nr, RENDER_ALLOW, "syncobj", Err(Errno::EOPNOTSUPP)),
        ATTACH => op!(
            RW,
            ATTACH,
            drm_vgem_fence_attach,
            RENDER_ALLOW,
            vgem_fence_attach
        ),
        SIGNAL => op!(
            W,
            SIGNAL,
            drm_vgem_fence_signal,
            RENDER_ALLOW,
            vgem_fence_signal
        ),
        0x99 | 0x9e | 0x9f => i915_ioctl(nr - DRM_COMMAND_BASE)?,
        DRM_COMMAND_BASE..DRM_COMMAND_END => return None,
        _ => core_ioctl(nr)?,
    })
}

/// Whether `cmd` is an execbuf, which may have to wait for ring space: asked of a
/// caller that may not sleep it answers EWOULDBLOCK with nothing changed, so the
/// front-end can make the call again from a thread of its own.
pub fn may_throttle(cmd: u32) -> bool {
    cmd == uapi::DRM_IOCTL_I915_GEM_EXECBUFFER2
        || cmd == uapi::DRM_IOCTL_I915_GEM_EXECBUFFER2_WR
        || cmd == uapi::gemu::DRM_IOCTL_GEMU_EXECBUFFER2
}

/// Whether `cmd` may have to wait for the GPU: an execbuf (ring space, a busy binding,
/// a busy batch to relocate) or a call that waits for its object to idle first
/// (SET_DOMAIN, SET_CACHING, PREAD, PWRITE). Asked of a caller that may not sleep it
/// answers EWOULDBLOCK before it changes anything, and the front-end makes the call
/// again from a thread of its own.
pub fn may_wait_for_gpu(cmd: u32) -> bool {
    may_throttle(cmd)
        || [
            uapi::DRM_IOCTL_I915_GEM_SET_DOMAIN,
            uapi::DRM_IOCTL_I915_GEM_SET_CACHING,
            uapi::DRM_IOCTL_I915_GEM_PREAD,
            uapi::DRM_IOCTL_I915_GEM_PWRITE,
            uapi::gemu::DRM_IOCTL_GEMU_RW,
        ]
        .contains(&cmd)
}

/// `drm_ioctl_permit`.
fn permit(flags: u32, file: &File, caller: &dyn ClientMemory) -> Result<()> {
    let render = file.is_render_client();
    if flags & ROOT_ONLY != 0 && !caller.has_cap_sys_admin() {
        return Err(Errno::EACCES);
    }
    if flags & AUTH != 0 && !render && !file.is_authenticated() {
        return Err(Errno::EACCES);
    }
    if flags & MASTER != 0 && !file.is_current_master() {
        return Err(Errno::EACCES);
    }
    if flags & RENDER_ALLOW == 0 && render {
        return Err(Errno::EACCES);
    }
    Ok(())
}

pub(crate) fn dispatch(
    file: &File,
    cmd: u32,
    arg: &mut [u8],
    caller: &dyn ClientMemory,
) -> Result<()> {
    if ioc_type(cmd) != DRM_IOCTL_BASE {
        return Err(Errno::ENOTTY);
    }
    let nr = ioc_nr(cmd);
    let desc = if file.node == crate::NodeKind::Vgem {
        vgem_ioctl(nr)
    } else if (DRM_COMMAND_BASE..DRM_COMMAND_END).contains(&nr) {
        i915_ioctl(nr - DRM_COMMAND_BASE)
    } else {
        core_ioctl(nr)
    };
    let Some(desc) = desc else {
        log::debug!("invalid ioctl: cmd={cmd:#x} nr={nr:#x}");
        return Err(Errno::EINVAL);
    };
    let user_size = ioc_size(cmd).min(arg.len());
    let in_size = if cmd & desc.cmd & IOC_IN != 0 {
        user_size
    } else {
        0
    };
    let out_size = if cmd & desc.cmd & IOC_OUT != 0 {
        user_size
    } else {
        0
    };
    let ksize = in_size.max(out_size).max(ioc_size(desc.cmd));
    // Most structs fit on the stack, as in the kernel.
    let mut stack = [0u8; 128];
    let mut heap;
    let kdata: &mut [u8] = if ksize <= stack.len() {
        &mut stack[..ksize]
    } else {
        heap = vec![0u8; ksize];
        &mut heap
    };
    kdata[..in_size].copy_from_slice(&arg[..in_size]);
    permit(desc.flags, file, caller)
        .inspect_err(|_| log::debug!("{}: permission denied", desc.name))?;
    let r = (desc.func)(file, kdata, caller);
    if let Err(e) = r {
        log::debug!("file {}: {} -> {e}", file.id, desc.name);
    }
    arg[..out_size].copy_from_slice(&kdata[..out_size]);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table's own commands (size and direction included) are the ABI's.
    #[test]
    fn typed_entries_match_the_abi() {
        let abi = [
            DRM_IOCTL_VERSION,
            DRM_IOCTL_GET_UNIQUE,
            DRM_IOCTL_GET_MAGIC,
            DRM_IOCTL_GET_CLIENT,
            DRM_IOCTL_GET_STATS,
            DRM_IOCTL_SET_VERSION,
            DRM_IOCTL_GEM_CLOSE,
            DRM_IOCTL_GEM_FLINK,
            DRM_IOCTL_GEM_OPEN,
            DRM_IOCTL_GET_CAP,
            DRM_IOCTL_SET_CLIENT_CAP,
            DRM_IOCTL_AUTH_MAGIC,
            DRM_IOCTL_SET_MASTER,
            DRM_IOCTL_DROP_MASTER,
            DRM_IOCTL_SET_CLIENT_NAME,
            DRM_IOCTL_I915_GETPARAM,
            DRM_IOCTL_I915_GEM_BUSY,
            DRM_IOCTL_I915_GEM_THROTTLE,
            DRM_IOCTL_I915_GEM_CREATE,
            DRM_IOCTL_I915_GEM_PREAD,
            DRM_IOCTL_I915_GEM_PWRITE,
            DRM_IOCTL_I915_GEM_MMAP,
            DRM_IOCTL_I915_GEM_SET_DOMAIN,
            DRM_IOCTL_I915_GEM_SW_FINISH,
            DRM_IOCTL_I915_GEM_SET_TILING,
            DRM_IOCTL_I915_GEM_GET_TILING,
            DRM_IOCTL_I915_GEM_GET_APERTURE,
            DRM_IOCTL_I915_GEM_MMAP_OFFSET,
            DRM_IOCTL_I915_GEM_MADVISE,
            DRM_IOCTL_I915_GEM_WAIT,
            DRM_IOCTL_I915_GEM_SET_CACHING,
            DRM_IOCTL_I915_GEM_GET_CACHING,
            DRM_IOCTL_I915_QUERY,
            DRM_IOCTL_I915_GEM_CREATE_EXT,
            DRM_IOCTL_SYNCOBJ_CREATE,
            DRM_IOCTL_SYNCOBJ_DESTROY,
            DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
            DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE,
            DRM_IOCTL_SYNCOBJ_WAIT,
            DRM_IOCTL_SYNCOBJ_RESET,
            DRM_IOCTL_SYNCOBJ_SIGNAL,
            DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT,
            DRM_IOCTL_SYNCOBJ_QUERY,
            DRM_IOCTL_SYNCOBJ_TRANSFER,
            DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL,
        ];
        for cmd in abi {
            let nr = ioc_nr(cmd);
            let d = if (DRM_COMMAND_BASE..DRM_COMMAND_END).contains(&nr) {
                i915_ioctl(nr - DRM_COMMAND_BASE)
            } else {
                core_ioctl(nr)
            }
            .unwrap();
            assert_eq!(d.cmd, cmd, "{}", d.name);
        }
    }

    #[test]
    fn entries_carry_their_own_number() {
        for nr in 0..=0xff {
            if let Some(d) = core_ioctl(nr) {
                assert_eq!(ioc_nr(d.cmd), nr, "{}", d.name);
            }
        }
        for i in 0..0x60 {
            if let Some(d) = i915_ioctl(i) {
                assert_eq!(ioc_nr(d.cmd), DRM_COMMAND_BASE + i, "{}", d.name);
            }
        }
    }
}
