//! Command decoding: from a header dword to a command kind and its length, and from the
//! command's dwords to a typed `Command`. Pure functions, no memory access. Encodings are
//! Gen12 (Tiger Lake): MI commands are type 0 with the opcode in bits 28:23, 2D blitter
//! commands type 2 with the opcode in bits 28:22, PIPE_CONTROL type 3 / subtype 3 / opcode 2.
//! Anything else — or a known command with a length or mode this model does not implement —
//! is a [`HangReason`], never a guess.

use crate::engine::EngineClass;
use crate::HangReason;

/// MI opcodes (bits 28:23 of the header).
pub mod mi {
    /// MI_NOOP
    pub const NOOP: u32 = 0x00;
    /// MI_USER_INTERRUPT
    pub const USER_INTERRUPT: u32 = 0x02;
    /// MI_ARB_CHECK
    pub const ARB_CHECK: u32 = 0x05;
    /// MI_ARB_ON_OFF
    pub const ARB_ON_OFF: u32 = 0x08;
    /// MI_BATCH_BUFFER_END
    pub const BATCH_BUFFER_END: u32 = 0x0a;
    /// MI_MATH
    pub const MATH: u32 = 0x1a;
    /// MI_SEMAPHORE_WAIT
    pub const SEMAPHORE_WAIT: u32 = 0x1c;
    /// MI_STORE_DATA_IMM (MI_STORE_DWORD_IMM)
    pub const STORE_DATA_IMM: u32 = 0x20;
    /// MI_STORE_DATA_INDEX
    pub const STORE_DATA_INDEX: u32 = 0x21;
    /// MI_LOAD_REGISTER_IMM
    pub const LOAD_REGISTER_IMM: u32 = 0x22;
    /// MI_STORE_REGISTER_MEM
    pub const STORE_REGISTER_MEM: u32 = 0x24;
    /// MI_FLUSH_DW
    pub const FLUSH_DW: u32 = 0x26;
    /// MI_LOAD_REGISTER_MEM
    pub const LOAD_REGISTER_MEM: u32 = 0x29;
    /// MI_LOAD_REGISTER_REG
    pub const LOAD_REGISTER_REG: u32 = 0x2a;
    /// MI_COPY_MEM_MEM
    pub const COPY_MEM_MEM: u32 = 0x2e;
    /// MI_ATOMIC
    pub const ATOMIC: u32 = 0x2f;
    /// MI_BATCH_BUFFER_START
    pub const BATCH_BUFFER_START: u32 = 0x31;
    /// MI_CONDITIONAL_BATCH_BUFFER_END
    pub const COND_BATCH_BUFFER_END: u32 = 0x36;

    /// The header of MI command `op` with `flags` (incl. the length field) in bits 22:0.
    pub const fn instr(op: u32, flags: u32) -> u32 {
        op << 23 | flags
    }
}

/// 2D blitter opcodes (bits 28:22 of a type-2 header).
pub mod blt {
    /// XY_SETUP_CLIP_BLT
    pub const XY_SETUP_CLIP: u32 = 0x03;
    /// XY_BLOCK_COPY_BLT (Gen12)
    pub const XY_BLOCK_COPY: u32 = 0x41;
    /// XY_FAST_COPY_BLT
    pub const XY_FAST_COPY: u32 = 0x42;
    /// XY_COLOR_BLT
    pub const XY_COLOR: u32 = 0x50;
    /// XY_SRC_COPY_BLT
    pub const XY_SRC_COPY: u32 = 0x53;

    /// The header of 2D command `op` with `flags` (incl. the length field) in bits 21:0.
    pub const fn instr(op: u32, flags: u32) -> u32 {
        2 << 29 | op << 22 | flags
    }
}

/// The header of PIPE_CONTROL without its length field.
pub const PIPE_CONTROL: u32 = 3 << 29 | 3 << 27 | 2 << 24;

/// What a header dword announces, before the body is fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Mi(u32),
    Blt(u32),
    PipeControl,
    /// A render engine GFXPIPE command.
    Gfx(crate::render::Gfx),
}

/// Compare operations of MI_SEMAPHORE_WAIT (memory value `sad` against data `sdd`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CompareOp {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl CompareOp {
    pub fn holds(self, sad: u32, sdd: u32) -> bool {
        match self {
            CompareOp::Gt => sad > sdd,
            CompareOp::Ge => sad >= sdd,
            CompareOp::Lt => sad < sdd,
            CompareOp::Le => sad <= sdd,
            CompareOp::Eq => sad == sdd,
            CompareOp::Ne => sad != sdd,
        }
    }
}

/// MI_ATOMIC operations (memory `m`, operands `a`, `b`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AtomicOp {
    And,
    Or,
    Xor,
    Move,
    Inc,
    Dec,
    Add,
    Sub,
    /// `m = a - m`
    Rsub,
    Imax,
    Imin,
    Umax,
    Umin,
    /// `if m == a { m = b }`
    CmpWr,
}

/// Post-sync operation of MI_FLUSH_DW and PIPE_CONTROL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PostSync {
    None,
    /// Write the immediate data (a dword or a qword, by command length).
    Immediate {
        qword: bool,
    },
    /// Write PS_DEPTH_COUNT (always 0: nothing is ever rendered).
    DepthCount,
    /// Write the 64-bit CS timestamp.
    Timestamp,
    /// PIPE_CONTROL "LRI post-sync": write the immediate dword to the register at `addr`.
    LoadRegister,
}

/// A decoded command; slices borrow the fetched dwords.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command<'a> {
    Noop,
    ArbCheck,
    UserInterrupt,
    BatchEnd,
    BatchStart {
        addr: u64,
        second_level: bool,
    },
    CondBatchEnd {
        data: u32,
        addr: u64,
        mask_mode: bool,
        compare: bool,
    },
    StoreImm {
        addr: u64,
        data: &'a [u32],
    },
    StoreIndex {
        offset: u32,
        data: &'a [u32],
    },
    LoadRegImm {
        cs_mmio: bool,
        byte_disable: u32,
        pairs: &'a [u32],
    },
    LoadRegMem {
        reg: u32,
        cs_mmio: bool,
        addr: u64,
    },
    LoadRegReg {
        src: u32,
        src_cs_mmio: bool,
        dst: u32,
        dst_cs_mmio: bool,
    },
    StoreRegMem {
        reg: u32,
        cs_mmio: bool,
        addr: u64,
    },
    CopyMemMem {
        dst: u64,
        src: u64,
    },
    /// MI_ATOMIC on a dword or qword; operands inline or from GPR0 / GPR2.
    Atomic {
        op: AtomicOp,
        qword: bool,
        addr: u64,
        /// Inline (operand 1, operand 2); `None`: GPR0 and GPR2.
        inline: Option<(u64, u64)>,
        /// Return the old memory value in GPR4.
        return_data: bool,
    },
    Math {
        alu: &'a [u32],
    },
    SemaphoreWait {
        op: CompareOp,
        data: u32,
        addr: u64,
    },
    /// MI_FLUSH_DW or PIPE_CONTROL: only the post-sync write has an effect here.
    PostSyncWrite {
        op: PostSync,
        addr: u64,
        store_index: bool,
        data: u64,
    },
    SetupClip {
        top_left: u32,
        bottom_right: u32,
    },
    /// A render engine command (pipeline, state, dispatch): the whole command, executed by
    /// `render`.
    Gfx {
        gfx: crate::render::Gfx,
        dw: &'a [u32],
    },
    /// XY_SRC_COPY_BLT, XY_COLOR_BLT, XY_FAST_COPY_BLT: the whole command, decoded by `blit`.
    Blit {
        op: u32,
        dw: &'a [u32],
    },
}

fn unsupported(header: u32, what: &'static str) -> HangReason {
    HangReason::Unsupported { header, what }
}

fn addr64(lo: u32, hi: u32, align_mask: u32) -> u64 {
    ((hi as u64) << 32 | (lo & !align_mask) as u64) & crate::mem::GPU_ADDR_MASK
}

/// Classifies `header` and returns the command's total length in dwords.
pub(crate) fn length(header: u32, class: EngineClass) -> Result<(Kind, usize), HangReason> {
    let unknown = HangReason::UnknownCommand { header };
    match header >> 29 {
        0 => {
            let op = (header >> 23) & 0x3f;
            let len8 = (header & 0xff) as usize + 2;
            let len = match op {
                mi::NOOP
                | mi::USER_INTERRUPT
                | mi::ARB_CHECK
                | mi::ARB_ON_OFF
                | mi::BATCH_BUFFER_END => 1,
                mi::STORE_DATA_IMM => (header & 0x3ff) as usize + 2,
                mi::FLUSH_DW => {
                    if class.is_render() {
                        return Err(unsupported(header, "MI_FLUSH_DW on the render engine"));
                    }
                    (header & 0x3f) as usize + 2
                }
                mi::MATH
                | mi::SEMAPHORE_WAIT
                | mi::STORE_DATA_INDEX
                | mi::LOAD_REGISTER_IMM
                | mi::STORE_REGISTER_MEM
                | mi::LOAD_REGISTER_MEM
                | mi::LOAD_REGISTER_REG
                | mi::COPY_MEM_MEM
                | mi::ATOMIC
                | mi::BATCH_BUFFER_START
                | mi::COND_BATCH_BUFFER_END => len8,
                _ => return Err(unknown),
            };
            Ok((Kind::Mi(op), len))
        }
        2 => {
            if !class.runs_blits() {
                return Err(unsupported(
                    header,
                    "2D blitter command on an engine without a blitter",
                ));
            }
            let op = (header >> 22) & 0x7f;
            match op {
                blt::XY_SETUP_CLIP
                | blt::XY_BLOCK_COPY
                | blt::XY_FAST_COPY
                | blt::XY_COLOR
                | blt::XY_SRC_COPY => Ok((Kind::Blt(op), (header & 0xff) as usize + 2)),
                _ => Err(unknown),
            }
        }
        3 if header & 0xffff_0000 == PIPE_CONTROL => {
            if !class.is_render() {
                return Err(unsupported(
                    header,
                    "PIPE_CONTROL outside the render engine",
                ));
            }
            Ok((Kind::PipeControl, (header & 0xff) as usize + 2))
        }
        3 if class.is_render() => match crate::render::commands::classify(header) {
            Some((gfx, len)) => Ok((Kind::Gfx(gfx), len)),
            None => Err(unknown),
        },
        _ => Err(unknown),
    }
}

/// Decodes a fetched command (`dw[0]` is the header, `dw.len()` the length from
/// [`length`]).
pub(crate) fn parse(kind: Kind, dw: &[u32]) -> Result<Command<'_>, HangReason> {
    let h = dw[0];
    let n = dw.len();
    let need = |ok: bool, what| {
        if ok {
            Ok(())
        } else {
            Err(unsupported(h, what))
        }
    };
    let bit = |b: u32| h & (1 << b) != 0;
    match kind {
        Kind::Mi(op) => match op {
            mi::NOOP | mi::ARB_ON_OFF => Ok(Command::Noop),
            mi::ARB_CHECK => Ok(Command::ArbCheck),
            mi::USER_INTERRUPT => Ok(Command::UserInterrupt),
            mi::BATCH_BUFFER_END => Ok(Command::BatchEnd),
            mi::BATCH_BUFFER_START => {
                need(n == 3, "MI_BATCH_BUFFER_START length")?;
                need(!bit(15), "predicated MI_BATCH_BUFFER_START")?;
                Ok(Command::BatchStart {
                    addr: addr64(dw[1], dw[2], 3),
                    second_level: bit(22),
                })
            }
            mi::COND_BATCH_BUFFER_END => {
                need(n == 4, "MI_CONDITIONAL_BATCH_BUFFER_END length")?;
                Ok(Command::CondBatchEnd {
                    data: dw[1],
                    addr: addr64(dw[2], dw[3], 7),
                    mask_mode: bit(19),
                    compare: bit(21),
                })
            }
            mi::STORE_DATA_IMM => {
                need(n >= 4, "MI_STORE_DATA_IMM without data")?;
                Ok(Command::StoreImm {
                    addr: addr64(dw[1], dw[2], 3),
                    data: &dw[3..],
                })
            }
            mi::STORE_DATA_INDEX => {
                need(n == 3 || n == 4, "MI_STORE_DATA_INDEX length")?;
                Ok(Command::StoreIndex {
                    offset: dw[1] & 0xffc,
                    data: &dw[2..],
                })
            }
            mi::LOAD_REGISTER_IMM => {
                need(n >= 3 && n % 2 == 1, "MI_LOAD_REGISTER_IMM length")?;
                Ok(Command::LoadRegImm {
                    cs_mmio: bit(19),
                    byte_disable: (h >> 8) & 0xf,
                    pairs: &dw[1..],
                })
            }
            mi::LOAD_REGISTER_MEM => {
                need(n == 4, "MI_LOAD_REGISTER_MEM length")?;
                need(!bit(20), "MI_LOAD_REGISTER_MEM add-loop-variable")?;
                Ok(Command::LoadRegMem {
                    reg: dw[1],
                    cs_mmio: bit(19),
                    addr: addr64(dw[2], dw[3], 3),
                })
            }
            mi::LOAD_REGISTER_REG => {
                need(n == 3, "MI_LOAD_REGISTER_REG length")?;
                Ok(Command::LoadRegReg {
                    src: dw[1],
                    src_cs_mmio: bit(18),
                    dst: dw[2],
                    dst_cs_mmio: bit(19),
                })
            }
            mi::STORE_REGISTER_MEM => {
                need(n == 4, "MI_STORE_REGISTER_MEM length")?;
                need(!bit(21), "predicated MI_STORE_REGISTER_MEM")?;
                Ok(Command::StoreRegMem {
                    reg: dw[1],
                    cs_mmio: bit(19),
                    addr: addr64(dw[2], dw[3], 3),
                })
            }
            mi::COPY_MEM_MEM => {
                need(n == 5, "MI_COPY_MEM_MEM length")?;
                Ok(Command::CopyMemMem {
                    dst: addr64(dw[1], dw[2], 3),
                    src: addr64(dw[3], dw[4], 3),
                })
            }
            mi::ATOMIC => {
                let size = h >> 19 & 3;
                let code = h >> 8 & 0xff;
                need(size < 2 && code & 0x20 == size << 5, "MI_ATOMIC data size")?;
                let op = match code & 0x1f {
                    0x01 => AtomicOp::And,
                    0x02 => AtomicOp::Or,
                    0x03 => AtomicOp::Xor,
                    0x04 => AtomicOp::Move,
                    0x05 => AtomicOp::Inc,
                    0x06 => AtomicOp::Dec,
                    0x07 => AtomicOp::Add,
                    0x08 => AtomicOp::Sub,
                    0x09 => AtomicOp::Rsub,
                    0x0a => AtomicOp::Imax,
                    0x0b => AtomicOp::Imin,
                    0x0c => AtomicOp::Umax,
                    0x0d => AtomicOp::Umin,
                    0x0e => AtomicOp::CmpWr,
                    _ => return Err(unsupported(h, "MI_ATOMIC operation")),
                };
                let inline = if bit(18) {
                    need(n == 11, "MI_ATOMIC inline length")?;
                    Some((
                        dw[3] as u64 | (dw[5] as u64) << 32,
                        dw[4] as u64 | (dw[6] as u64) << 32,
                    ))
                } else {
                    need(n == 3, "MI_ATOMIC length")?;
                    None
                };
                Ok(Command::Atomic {
                    op,
                    qword: size == 1,
                    addr: addr64(dw[1], dw[2], 3),
                    inline,
                    return_data: bit(16),
                })
            }
            mi::MATH => Ok(Command::Math { alu: &dw[1..] }),
            mi::SEMAPHORE_WAIT => {
                need(n == 4 || n == 5, "MI_SEMAPHORE_WAIT length")?;
                need(!bit(16), "MI_SEMAPHORE_WAIT register poll mode")?;
                let op = match (h >> 12) & 7 {
                    0 => CompareOp::Gt,
                    1 => CompareOp::Ge,
                    2 => CompareOp::Lt,
                    3 => CompareOp::Le,
                    4 => CompareOp::Eq,
                    5 => CompareOp::Ne,
                    _ => return Err(unsupported(h, "MI_SEMAPHORE_WAIT compare operation")),
                };
                Ok(Command::SemaphoreWait {
                    op,
                    data: dw[1],
                    addr: addr64(dw[2], dw[3], 3),
                })
            }
            mi::FLUSH_DW => {
                need(n == 4 || n == 5, "MI_FLUSH_DW length")?;
                let op = match (h >> 14) & 3 {
                    0 => PostSync::None,
                    1 => PostSync::Immediate { qword: n == 5 },
                    3 => PostSync::Timestamp,
                    _ => return Err(unsupported(h, "MI_FLUSH_DW post-sync operation 2")),
                };
                let data = dw[3] as u64 | dw.get(4).map_or(0, |&d| (d as u64) << 32);
                Ok(Command::PostSyncWrite {
                    op,
                    addr: addr64(dw[1], dw[2], 7),
                    store_index: bit(21),
                    data,
                })
            }
            _ => unreachable!("length() accepted an MI opcode parse() does not know"),
        },
        Kind::Gfx(gfx) => Ok(Command::Gfx { gfx, dw }),
        Kind::PipeControl => {
            need(n == 5 || n == 6, "PIPE_CONTROL length")?;
            let f = dw[1];
            let op = if f & (1 << 23) != 0 {
                PostSync::LoadRegister
            } else {
                match (f >> 14) & 3 {
                    0 => PostSync::None,
                    1 => PostSync::Immediate { qword: n == 6 },
                    2 => PostSync::DepthCount,
                    _ => PostSync::Timestamp,
                }
            };
            let data = dw[4] as u64 | dw.get(5).map_or(0, |&d| (d as u64) << 32);
            Ok(Command::PostSyncWrite {
                op,
                addr: addr64(dw[2], dw[3], 3),
                store_index: f & (1 << 21) != 0,
                data,
            })
        }
        Kind::Blt(blt::XY_SETUP_CLIP) => {
            need(n == 3, "XY_SETUP_CLIP_BLT length")?;
            Ok(Command::SetupClip {
                top_left: dw[1],
                bottom_right: dw[2],
            })
        }
        Kind::Blt(op) => Ok(Command::Blit { op, dw }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineClass::{Copy, Render};

    fn decode(dw: &[u32], class: EngineClass) -> Result<Command<'_>, HangReason> {
        let (kind, len) = length(dw[0], class)?;
        assert_eq!(len, dw.len(), "length of {:#x}", dw[0]);
        parse(kind, dw)
    }

    #[test]
    fn mi_commands() {
        assert_eq!(decode(&[0], Render), Ok(Command::Noop));
        assert_eq!(decode(&[0x0500_0000], Render), Ok(Command::BatchEnd));
        assert_eq!(decode(&[0x0280_0000], Render), Ok(Command::ArbCheck));
        // IGT's spinner jump: MI_BATCH_BUFFER_START | 1 << 8 | 1.
        assert_eq!(
            decode(&[0x1880_0101, 0x1000_0040, 0xffff], Render),
            Ok(Command::BatchStart {
                addr: 0xffff_1000_0040,
                second_level: false
            })
        );
        // The spinner's MI_COND_BATCH_BUFFER_END | MI_DO_COMPARE | 2.
        assert_eq!(
            decode(&[0x1b20_0002, 0x0500_0000, 0x1ff8, 0], Render),
            Ok(Command::CondBatchEnd {
                data: 0x0500_0000,
                addr: 0x1ff8,
                mask_mode: false,
                compare: true
            })
        );
        // MI_STORE_DWORD_IMM (gen8+: length 2) and the qword form (length 3, bit 21).
        assert_eq!(
            decode(&[0x1000_0002, 0x1004, 0, 7], Render),
            Ok(Command::StoreImm {
                addr: 0x1004,
                data: &[7]
            })
        );
        assert_eq!(
            decode(&[0x1020_0003, 0x1008, 0, 7, 8], Copy),
            Ok(Command::StoreImm {
                addr: 0x1008,
                data: &[7, 8]
            })
        );
        assert!(matches!(
            decode(&[0x1080_0001, 0x44, 9], Render),
            Ok(Command::StoreIndex { offset: 0x44, .. })
        ));
        assert!(matches!(
            decode(&[0x1100_0003, 0x2600, 1, 0x2604, 2], Render),
            Ok(Command::LoadRegImm {
                pairs: &[0x2600, 1, 0x2604, 2],
                ..
            })
        ));
        assert!(matches!(
            decode(&[0x0e00_8002, 5, 0x100, 0], Render),
            Ok(Command::SemaphoreWait {
                op: CompareOp::Gt,
                ..
            })
        ));
        assert!(matches!(
            decode(&[0x0e00_9003, 5, 0x100, 0, 0], Render),
            Ok(Command::SemaphoreWait {
                op: CompareOp::Ge,
                ..
            })
        ));
        assert!(matches!(
            decode(&[0x1300_4002, 0x100, 0, 5], Copy),
            Ok(Command::PostSyncWrite {
                op: PostSync::Immediate { qword: false },
                addr: 0x100,
                ..
            })
        ));
        assert!(matches!(
            decode(&[0x7a00_0004, 3 << 14, 0x100, 0, 0, 0], Render),
            Ok(Command::PostSyncWrite {
                op: PostSync::Timestamp,
                ..
            })
        ));
    }

    #[test]
    fn invalid_commands_hang() {
        // Unknown MI opcode, unknown type, unknown render commands (3D sub-opcode 0,
        // common opcode 0), blitter on render, PIPE_CONTROL on bcs.
        for h in [
            0x0080_0000u32,
            0x2000_0000,
            0x6100_0000,
            0x7800_0000,
            0xe000_0000,
        ] {
            assert_eq!(
                length(h, Render),
                Err(HangReason::UnknownCommand { header: h }),
                "{h:#x}"
            );
        }
        assert!(matches!(
            length(0x54f0_0008, Render),
            Err(HangReason::Unsupported { .. })
        ));
        assert!(matches!(
            length(0x7a00_0004, Copy),
            Err(HangReason::Unsupported { .. })
        ));
        // Render commands are unknown to the other engines.
        for class in [Copy, EngineClass::Video] {
            assert_eq!(
                length(0x6101_0014, class),
                Err(HangReason::UnknownCommand {
                    header: 0x6101_0014
                })
            );
        }
        assert!(matches!(
            length(0x1300_4002, Render),
            Err(HangReason::Unsupported { .. })
        ));
        // Wrong lengths of known commands.
        assert!(matches!(
            decode(&[0x1880_0100, 0], Render),
            Err(HangReason::Unsupported { .. })
        ));
        assert!(matches!(
            decode(&[0x1100_0002, 0, 0, 0], Render),
            Err(HangReason::Unsupported { .. })
        ));
    }
}
