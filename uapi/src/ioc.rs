//! Linux ioctl number encoding (`<asm-generic/ioctl.h>`, as used on x86 and arm64).
//!
//! A number packs, from the low bits up: 8 bits `nr`, 8 bits `type`, 14 bits argument
//! size, 2 bits direction. `IOC_WRITE` means user space writes (the kernel reads the
//! argument); `IOC_READ` means the kernel writes it back.
#![allow(non_snake_case)]

/// No data transfer.
pub const IOC_NONE: u32 = 0;
/// User space → kernel (the argument is copied in).
pub const IOC_WRITE: u32 = 1;
/// Kernel → user space (the argument is copied out).
pub const IOC_READ: u32 = 2;

/// Width in bits of the `nr` field.
pub const IOC_NRBITS: u32 = 8;
/// Width in bits of the `type` field.
pub const IOC_TYPEBITS: u32 = 8;
/// Width in bits of the size field.
pub const IOC_SIZEBITS: u32 = 14;
/// Width in bits of the direction field.
pub const IOC_DIRBITS: u32 = 2;

/// Bit position of the `nr` field.
pub const IOC_NRSHIFT: u32 = 0;
/// Bit position of the `type` field.
pub const IOC_TYPESHIFT: u32 = IOC_NRSHIFT + IOC_NRBITS;
/// Bit position of the size field.
pub const IOC_SIZESHIFT: u32 = IOC_TYPESHIFT + IOC_TYPEBITS;
/// Bit position of the direction field.
pub const IOC_DIRSHIFT: u32 = IOC_SIZESHIFT + IOC_SIZEBITS;

/// `_IOC(dir, type, nr, size)`: builds an ioctl number. Panics (at compile time in a
/// `const`) if `size` does not fit in 14 bits.
pub const fn _IOC(dir: u32, ty: u32, nr: u32, size: usize) -> u32 {
    assert!(size < (1 << IOC_SIZEBITS), "ioctl argument too large");
    (dir << IOC_DIRSHIFT)
        | (ty << IOC_TYPESHIFT)
        | (nr << IOC_NRSHIFT)
        | ((size as u32) << IOC_SIZESHIFT)
}

/// `_IO(type, nr)`: an ioctl without argument.
pub const fn _IO(ty: u32, nr: u32) -> u32 {
    _IOC(IOC_NONE, ty, nr, 0)
}

/// `_IOR(type, nr, T)`: the kernel writes a `size`-byte argument back.
pub const fn _IOR(ty: u32, nr: u32, size: usize) -> u32 {
    _IOC(IOC_READ, ty, nr, size)
}

/// `_IOW(type, nr, T)`: the kernel reads a `size`-byte argument.
pub const fn _IOW(ty: u32, nr: u32, size: usize) -> u32 {
    _IOC(IOC_WRITE, ty, nr, size)
}

/// `_IOWR(type, nr, T)`: the argument is copied in and back out.
pub const fn _IOWR(ty: u32, nr: u32, size: usize) -> u32 {
    _IOC(IOC_READ | IOC_WRITE, ty, nr, size)
}

/// `_IOC_NR(cmd)`: the command number within its type.
pub const fn ioc_nr(cmd: u32) -> u32 {
    (cmd >> IOC_NRSHIFT) & ((1 << IOC_NRBITS) - 1)
}

/// `_IOC_TYPE(cmd)`: the type byte (`'d'` for DRM).
pub const fn ioc_type(cmd: u32) -> u32 {
    (cmd >> IOC_TYPESHIFT) & ((1 << IOC_TYPEBITS) - 1)
}

/// `_IOC_SIZE(cmd)`: the size of the argument in bytes.
pub const fn ioc_size(cmd: u32) -> usize {
    ((cmd >> IOC_SIZESHIFT) & ((1 << IOC_SIZEBITS) - 1)) as usize
}

/// `_IOC_DIR(cmd)`: a combination of [`IOC_READ`] and [`IOC_WRITE`].
pub const fn ioc_dir(cmd: u32) -> u32 {
    (cmd >> IOC_DIRSHIFT) & ((1 << IOC_DIRBITS) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode() {
        // DRM_IOCTL_VERSION = DRM_IOWR(0x00, struct drm_version), 64 bytes.
        let cmd = _IOWR(b'd' as u32, 0, 64);
        assert_eq!(cmd, 0xc040_6400);
        assert_eq!(ioc_nr(cmd), 0);
        assert_eq!(ioc_type(cmd), b'd' as u32);
        assert_eq!(ioc_size(cmd), 64);
        assert_eq!(ioc_dir(cmd), IOC_READ | IOC_WRITE);
        assert_eq!(_IO(b'd' as u32, 0x1e), 0x641e);
    }
}
