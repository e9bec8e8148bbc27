//! The URB (SFID 6) as vertex shaders reach it: SIMD8 writes of their output VUEs.
//!
//! A thread's header register holds each channel's URB handle; the 3D pipeline hands out
//! handles that index [`UrbOutputs::vues`]. The data registers that follow hold one
//! component of eight vertices each, from the slot the global offset names (X, Y, Z, W of
//! that slot, then of the next). Per-slot offsets, channel masks and reads are errors
//! naming them.

use super::{Dataport, Payload};
use crate::eu::EuError;

/// URB message opcode of a SIMD8 write (descriptor bits 3:0).
const SIMD8_WRITE: u32 = 7;

/// The output VUEs of the running vertex shader thread, by URB handle.
#[derive(Clone, Debug, Default)]
pub struct UrbOutputs {
    /// Slots (four dwords) of each output VUE.
    pub vues: Vec<Vec<[u32; 4]>>,
}

/// Most slots of a VUE the model accepts (a bad offset would otherwise grow it without
/// bound).
const MAX_SLOTS: usize = 64;

/// Performs a URB message.
pub(super) fn message(
    dp: &mut Dataport<'_>,
    desc: u32,
    mask: u32,
    p: &Payload,
) -> Result<(), EuError> {
    let op = desc & 0xf;
    if op != SIMD8_WRITE {
        return Err(EuError::new(format!(
            "URB message opcode {op} is not modelled"
        )));
    }
    if desc >> 17 & 1 != 0 || desc >> 15 & 1 != 0 {
        return Err(EuError::new(
            "URB write with per-slot offsets or a channel mask is not modelled",
        ));
    }
    let Some(urb) = dp.urb.as_mut() else {
        return Err(EuError::new(
            "URB write from a thread the pipeline did not dispatch",
        ));
    };
    let offset = (desc >> 4 & 0x7ff) as usize;
    let data_regs = (p.src0.len() + p.src1.len()) / 32 - 1;
    for ch in 0..8 {
        if mask >> ch & 1 == 0 {
            continue;
        }
        let handle = p.ud(ch) as usize;
        let vue = urb
            .vues
            .get_mut(handle)
            .ok_or_else(|| EuError::new(format!("URB write to handle {handle:#x}")))?;
        for k in 0..data_regs {
            let slot = offset + k / 4;
            if slot >= MAX_SLOTS {
                return Err(EuError::new(format!("URB write to VUE slot {slot}")));
            }
            if vue.len() <= slot {
                vue.resize(slot + 1, [0; 4]);
            }
            vue[slot][k % 4] = p.ud(8 * (k + 1) + ch);
        }
    }
    Ok(())
}
