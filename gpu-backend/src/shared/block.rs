//! Block messages on DC0: OWord block read/write (aligned and unaligned reads), which
//! compilers use for constant buffers, and the scratch block messages that spill registers
//! to the thread's scratch space.

use super::dataport::{header, load_bytes, store_bytes, target_with_header};
use super::{Dataport, Payload};
use crate::eu::isa::Inst;
use crate::eu::EuError;

/// OWords (16 bytes) of an OWord block message's block size field (descriptor bits 10:8),
/// and the byte of the register where a single OWord sits (the low or high half).
fn oword_block_size(bs: u32) -> Result<(usize, usize), EuError> {
    Ok(match bs {
        0 => (1, 0),
        1 => (1, 16),
        2 => (2, 0),
        3 => (4, 0),
        4 => (8, 0),
        b => return Err(EuError::new(format!("OWord block size {b}"))),
    })
}

/// OWord block read/write: a block of 1 to 8 OWords at the header's global offset (dword 2,
/// in OWords; in bytes, dword aligned, for the unaligned read). Not per channel: the whole
/// block moves. Reads past a buffer's end return zeros, writes there are dropped (per dword).
pub(super) fn oword_block(
    dp: &mut Dataport<'_>,
    desc: u32,
    write: bool,
    unaligned: bool,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let Some(h) = header(desc, p) else {
        return Err(EuError::new("OWord block message without a header"));
    };
    let (owords, at) = oword_block_size(desc >> 8 & 7)?;
    if write {
        p.need(8 + owords * 4, "OWord block write")?;
    }
    let target = target_with_header(dp, desc & 0xff, Some(&h))?;
    let offset = if unaligned {
        u64::from(h[2] & !3)
    } else {
        u64::from(h[2]) * 16
    };
    for d in 0..owords * 4 {
        let off = offset + 4 * d as u64;
        // The data sits where it sits in the registers: after the header for writes, at
        // the start of the response for reads (a single high OWord in the upper half).
        let slot = at / 4 + d;
        if write {
            let v = p.ud(8 + slot).to_le_bytes();
            store_bytes(dp, &target, off, &v)?;
        } else {
            let mut v = [0u8; 4];
            load_bytes(dp, &target, off, &mut v)?;
            if let Some(o) = response.get_mut(4 * slot..4 * slot + 4) {
                o.copy_from_slice(&v);
            }
        }
    }
    Ok(())
}

/// A64 OWord block read/write (DC1 0x14 / 0x15): 1 to 8 OWords at the 64-bit address in
/// the header's first qword; descriptor bits 10:8 the block size as for DC0, bits 12:11
/// non-zero for a dword-aligned (unaligned) read, else the address is OWord aligned.
pub(super) fn a64_oword_block(
    dp: &mut Dataport<'_>,
    desc: u32,
    write: bool,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let Some(h) = header(desc, p) else {
        return Err(EuError::new("A64 OWord block message without a header"));
    };
    let (owords, at) = oword_block_size(desc >> 8 & 7)?;
    if write {
        p.need(8 + owords * 4, "A64 OWord block write")?;
    }
    let align = if desc >> 11 & 3 != 0 { 3 } else { 15 };
    let addr = (u64::from(h[0]) | u64::from(h[1]) << 32) & !align;
    let flat = super::dataport::Target::Memory {
        base: 0,
        limit: u64::MAX,
    };
    for d in 0..owords * 4 {
        let off = addr + 4 * d as u64;
        let slot = at / 4 + d;
        if write {
            let v = p.ud(8 + slot).to_le_bytes();
            store_bytes(dp, &flat, off, &v)?;
        } else {
            let mut v = [0u8; 4];
            load_bytes(dp, &flat, off, &mut v)?;
            if let Some(o) = response.get_mut(4 * slot..4 * slot + 4) {
                o.copy_from_slice(&v);
            }
        }
    }
    Ok(())
}

/// Scratch block read/write (descriptor bit 18 set; bit 17 write; bits 13:12 log2 of the
/// registers moved; bits 11:0 the offset in 32-byte units). The block sits in the thread's
/// scratch space, whose start the header carries in dword 5 bits 31:10 (from r0.5, relative
/// to General State Base). A write stores dword `i` of the data only when channel `i` (modulo
/// the execution size) is enabled, as register spills rely on.
pub(super) fn scratch(
    dp: &mut Dataport<'_>,
    inst: &Inst,
    desc: u32,
    mask: u32,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let Some(h) = header(desc, p) else {
        return Err(EuError::new("scratch block message without a header"));
    };
    let write = desc >> 17 & 1 != 0;
    let regs = 1usize << (desc >> 12 & 3);
    if write {
        p.need(8 * (1 + regs), "scratch block write")?;
    }
    let base = dp.general_state_base + u64::from(h[5] & 0xffff_fc00) + u64::from(desc & 0xfff) * 32;
    let exec = usize::from(inst.exec_size).max(1);
    let flat = super::dataport::Target::Memory {
        base,
        limit: u64::MAX,
    };
    for d in 0..regs * 8 {
        let off = 4 * d as u64;
        if write {
            if mask >> (d % exec) & 1 == 0 {
                continue;
            }
            let v = p.ud(8 + d).to_le_bytes();
            store_bytes(dp, &flat, off, &v)?;
        } else {
            let mut v = [0u8; 4];
            load_bytes(dp, &flat, off, &mut v)?;
            if let Some(o) = response.get_mut(4 * d..4 * d + 4) {
                o.copy_from_slice(&v);
            }
        }
    }
    Ok(())
}
