//! The Gen12 (Xe-LP) EU instruction encoding, decoded once into typed values.
//!
//! A native instruction is 128 bits (bit 29, "compact", clear). The field positions are
//! those of the Tiger Lake EU ISA; this module is the only place that knows them. Decoding
//! never guesses: an encoding this model does not execute (an unknown opcode, register or
//! type, a field combination it has no meaning for) is an [`IsaError`] that names it, and
//! the thread that meets it hangs.

use std::fmt;

/// Size of a native instruction in bytes.
pub const INST_BYTES: u64 = 16;

/// Register types (Gen12 hardware type field: bit 3 float, bit 2 signed, bits 1:0 log2 size).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// Unsigned byte.
    Ub,
    /// Signed byte.
    B,
    /// Unsigned word.
    Uw,
    /// Signed word.
    W,
    /// Unsigned dword.
    Ud,
    /// Signed dword.
    D,
    /// Unsigned qword.
    Uq,
    /// Signed qword.
    Q,
    /// Half float.
    Hf,
    /// Float.
    F,
    /// Double.
    Df,
    /// Immediate vector of eight signed 4-bit integers.
    V,
    /// Immediate vector of eight unsigned 4-bit integers.
    Uv,
    /// Immediate vector of four 8-bit restricted floats.
    Vf,
    /// Native float: the accumulator's own precision, named only by three-source
    /// instructions and only on `acc` operands. Kept as a double per channel, so a MAD
    /// chain through the accumulator rounds once, when it leaves as a narrower type.
    Nf,
}

impl Ty {
    fn from_hw(bits: u32, imm: bool) -> Option<Ty> {
        Some(match (bits, imm) {
            (0x0, false) => Ty::Ub,
            (0x4, false) => Ty::B,
            (0x0, true) => Ty::Uv,
            (0x4, true) => Ty::V,
            (0x8, true) => Ty::Vf,
            (0x1, _) => Ty::Uw,
            (0x5, _) => Ty::W,
            (0x2, _) => Ty::Ud,
            (0x6, _) => Ty::D,
            (0x3, _) => Ty::Uq,
            (0x7, _) => Ty::Q,
            (0x9, _) => Ty::Hf,
            (0xa, _) => Ty::F,
            (0xb, _) => Ty::Df,
            _ => return None,
        })
    }

    /// Size of one element in bytes (the vector immediates count as their whole dword).
    pub fn size(self) -> usize {
        match self {
            Ty::Ub | Ty::B => 1,
            Ty::Uw | Ty::W | Ty::Hf => 2,
            Ty::Ud | Ty::D | Ty::F | Ty::V | Ty::Uv | Ty::Vf => 4,
            Ty::Uq | Ty::Q | Ty::Df | Ty::Nf => 8,
        }
    }

    /// Whether values of this type are floating point.
    pub fn is_float(self) -> bool {
        matches!(self, Ty::Hf | Ty::F | Ty::Df | Ty::Vf | Ty::Nf)
    }

    /// Whether integer values of this type are signed.
    pub fn is_signed(self) -> bool {
        matches!(self, Ty::B | Ty::W | Ty::D | Ty::Q | Ty::V)
    }
}

/// Opcodes this model decodes (Gen12 numbering).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Op {
    Sync,
    Mov,
    Sel,
    Not,
    And,
    Or,
    Xor,
    Shr,
    Shl,
    Asr,
    Ror,
    Rol,
    Cmp,
    Bfrev,
    Bfe,
    Bfi1,
    Bfi2,
    Csel,
    Mad,
    Lrp,
    Mach,
    Addc,
    Subb,
    Jmpi,
    If,
    Else,
    Endif,
    While,
    Break,
    Cont,
    Halt,
    Send,
    Sendc,
    Math,
    Add,
    Mul,
    Avg,
    Frc,
    Rndu,
    Rndd,
    Rnde,
    Rndz,
    Lzd,
    Fbh,
    Fbl,
    Cbit,
    Nop,
}

impl Op {
    fn from_hw(op: u32) -> Option<Op> {
        Some(match op {
            0x01 => Op::Sync,
            0x61 => Op::Mov,
            0x62 => Op::Sel,
            0x64 => Op::Not,
            0x65 => Op::And,
            0x66 => Op::Or,
            0x67 => Op::Xor,
            0x68 => Op::Shr,
            0x69 => Op::Shl,
            0x6c => Op::Asr,
            0x6e => Op::Ror,
            0x6f => Op::Rol,
            0x70 => Op::Cmp,
            0x77 => Op::Bfrev,
            0x78 => Op::Bfe,
            0x79 => Op::Bfi1,
            0x7a => Op::Bfi2,
            0x72 => Op::Csel,
            0x5b => Op::Mad,
            0x5c => Op::Lrp,
            0x49 => Op::Mach,
            0x4e => Op::Addc,
            0x4f => Op::Subb,
            0x20 => Op::Jmpi,
            0x22 => Op::If,
            0x24 => Op::Else,
            0x25 => Op::Endif,
            0x27 => Op::While,
            0x28 => Op::Break,
            0x29 => Op::Cont,
            0x2a => Op::Halt,
            0x31 => Op::Send,
            0x32 => Op::Sendc,
            0x38 => Op::Math,
            0x40 => Op::Add,
            0x41 => Op::Mul,
            0x42 => Op::Avg,
            0x43 => Op::Frc,
            0x44 => Op::Rndu,
            0x45 => Op::Rndd,
            0x46 => Op::Rnde,
            0x47 => Op::Rndz,
            0x4a => Op::Lzd,
            0x4b => Op::Fbh,
            0x4c => Op::Fbl,
            0x4d => Op::Cbit,
            0x60 => Op::Nop,
            _ => return None,
        })
    }

    /// Number of register sources of the ALU form (0 for flow control and sends).
    fn sources(self) -> usize {
        match self {
            Op::Mov
            | Op::Not
            | Op::Bfrev
            | Op::Frc
            | Op::Rndu
            | Op::Rndd
            | Op::Rnde
            | Op::Rndz
            | Op::Lzd
            | Op::Fbh
            | Op::Fbl
            | Op::Cbit => 1,
            Op::Sel
            | Op::And
            | Op::Or
            | Op::Xor
            | Op::Shr
            | Op::Shl
            | Op::Asr
            | Op::Ror
            | Op::Rol
            | Op::Cmp
            | Op::Add
            | Op::Mul
            | Op::Avg
            | Op::Math
            | Op::Mach
            | Op::Addc
            | Op::Subb
            | Op::Bfi1 => 2,
            Op::Bfe | Op::Bfi2 | Op::Csel | Op::Mad | Op::Lrp => 3,
            _ => 0,
        }
    }

    /// Whether this is a structured flow-control instruction (JIP/UIP in the instruction).
    pub fn is_branch(self) -> bool {
        matches!(
            self,
            Op::If | Op::Else | Op::Endif | Op::While | Op::Break | Op::Cont | Op::Halt | Op::Jmpi
        )
    }
}

/// A register file location: GRF bytes, or an architecture register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegFile {
    /// General register file: byte offset (register × 32 + subregister).
    Grf(u16),
    /// The null register: reads zero, writes vanish.
    Null,
    /// Accumulator `acc{n}`, byte offset inside it.
    Acc(u8, u8),
    /// Flag register `f{n}`, byte offset inside it.
    Flag(u8, u8),
    /// Address register `a0`, byte offset inside it.
    Addr(u8),
    /// State register `sr0`, byte offset.
    State(u8),
    /// Control register `cr0`, byte offset.
    Control(u8),
    /// GRF bytes addressed by address subregister `a0.{sub}` (a 16-bit byte offset into
    /// the GRF) plus `imm`; with a [`VXH`] region each row reads its own subregister.
    Indirect {
        /// First address subregister (16-bit units).
        sub: u8,
        /// Signed byte offset added to the address.
        imm: i16,
    },
}

/// A source operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// A register region `<vstride;width,hstride>` (in elements).
    Reg {
        /// Where the region starts.
        file: RegFile,
        /// Element type.
        ty: Ty,
        /// Vertical stride in elements.
        vstride: u8,
        /// Row width in elements.
        width: u8,
        /// Horizontal stride in elements.
        hstride: u8,
        /// Negate (integer: two's complement; logic ops: bitwise not).
        neg: bool,
        /// Absolute value.
        abs: bool,
    },
    /// An immediate (the raw bits, 32 or 64 wide).
    Imm {
        /// Element type.
        ty: Ty,
        /// Raw bits.
        bits: u64,
    },
}

impl Src {
    /// The type of the operand.
    pub fn ty(&self) -> Ty {
        match *self {
            Src::Reg { ty, .. } | Src::Imm { ty, .. } => ty,
        }
    }
}

/// A destination operand: `file` then elements every `hstride` elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dst {
    /// Where the destination starts.
    pub file: RegFile,
    /// Element type.
    pub ty: Ty,
    /// Horizontal stride in elements (1, 2 or 4).
    pub hstride: u8,
}

/// A message to a shared function (SEND / SENDC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    /// Shared function id.
    pub sfid: u8,
    /// Descriptor, or `None` when it comes from `a0.{n}` (`desc_reg` then names the dword).
    pub desc: Option<u32>,
    /// Extended descriptor, or `None` when it comes from `a0.{ex_desc_reg}`.
    pub ex_desc: Option<u32>,
    /// Dword of a0 holding the extended descriptor when it is indirect.
    pub ex_desc_reg: u8,
    /// First GRF of the first payload part.
    pub src0: u8,
    /// First GRF of the second payload part (`None`: null).
    pub src1: Option<u8>,
    /// First GRF of the response (`None`: null).
    pub dst: Option<u8>,
    /// End of thread.
    pub eot: bool,
}

/// A decoded instruction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Inst {
    /// Opcode.
    pub op: Op,
    /// Number of channels (1..32).
    pub exec_size: u8,
    /// First channel of the thread this instruction's channel 0 maps to (quarter/nibble
    /// control).
    pub chan_off: u8,
    /// `NoMask`: execute on every channel regardless of the execution mask.
    pub no_mask: bool,
    /// Predicate control (0: none, 1: per channel, 2..: any/all groups) and inversion.
    pub pred: u8,
    /// Inverted predicate.
    pub pred_inv: bool,
    /// Flag register used by the predicate and the conditional modifier (f{n}.{sub}).
    pub flag: (u8, u8),
    /// Conditional modifier (0: none; 1 z, 2 nz, 3 g, 4 ge, 5 l, 6 le, 8 o, 9 u), or the
    /// math function for [`Op::Math`].
    pub cond: u8,
    /// Saturate the result to the destination range ([0, 1] for floats).
    pub sat: bool,
    /// AccWrEn: the accumulator also receives the result (MACH then returns the high
    /// half of its product).
    pub acc_wr: bool,
    /// Destination (ALU forms).
    pub dst: Dst,
    /// Sources (ALU forms; `srcs[..nsrc]`).
    pub srcs: [Src; 3],
    /// Number of sources used.
    pub nsrc: u8,
    /// Jump targets in bytes relative to this instruction (flow control).
    pub jip: i32,
    /// Second jump target (flow control).
    pub uip: i32,
    /// The message of a SEND.
    pub msg: Option<Message>,
    /// Encoded size in bytes (8 when compacted, else 16).
    pub size: u8,
}

/// An encoding this model does not execute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IsaError(pub String);

impl fmt::Display for IsaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn bits(w: &[u32; 4], hi: u32, lo: u32) -> u32 {
    let v =
        u128::from(w[0]) | u128::from(w[1]) << 32 | u128::from(w[2]) << 64 | u128::from(w[3]) << 96;
    ((v >> lo) & ((1u128 << (hi - lo + 1)) - 1)) as u32
}

fn bit(w: &[u32; 4], b: u32) -> bool {
    bits(w, b, b) != 0
}

fn err(w: &[u32; 4], what: &str) -> IsaError {
    IsaError(format!(
        "{what} (instruction {:08x} {:08x} {:08x} {:08x})",
        w[0], w[1], w[2], w[3]
    ))
}

/// Decodes the architecture register number `nr` (its high nibble is the register kind)
/// with byte subregister `sub`.
fn arf(w: &[u32; 4], nr: u32, sub: u32) -> Result<RegFile, IsaError> {
    let sub = sub as u8;
    Ok(match nr >> 4 {
        0x0 => RegFile::Null,
        0x1 if nr & 0xf == 0 => RegFile::Addr(sub),
        0x2 if nr & 0xf < 2 => RegFile::Acc(nr as u8 & 0xf, sub),
        0x3 if nr & 0xf < 2 => RegFile::Flag(nr as u8 & 0xf, sub),
        0x7 if nr & 0xf == 0 => RegFile::State(sub),
        0x8 if nr & 0xf == 0 => RegFile::Control(sub),
        _ => return Err(err(w, &format!("architecture register {nr:#04x}"))),
    })
}

/// Vertical stride [`VXH`] of an indirect region: every row has its own address.
pub const VXH: u8 = u8::MAX;

fn vstride(w: &[u32; 4], enc: u32, indirect: bool) -> Result<u8, IsaError> {
    match enc {
        0 => Ok(0),
        1..=6 => Ok(1 << (enc - 1)),
        0xf if indirect => Ok(VXH),
        _ => Err(err(w, "source vertical stride")),
    }
}

/// Sign-extends the 10-bit immediate of an indirect address.
fn sext10(v: u32) -> i16 {
    ((v << 6) as i16) >> 6
}

fn stride(enc: u32) -> u8 {
    match enc {
        0 => 0,
        e => 1 << (e - 1),
    }
}

/// Decodes one native instruction (four little-endian dwords).
pub fn decode(w: &[u32; 4]) -> Result<Inst, IsaError> {
    if bit(w, 29) {
        return Err(err(w, "compacted instruction"));
    }
    let hw_op = bits(w, 6, 0);
    let op = Op::from_hw(hw_op).ok_or_else(|| err(w, &format!("opcode {hw_op:#04x}")))?;
    let exec_size = 1u8 << bits(w, 18, 16);
    if exec_size > 32 {
        return Err(err(w, "execution size"));
    }
    let chan_off = (bits(w, 21, 20) * 8 + bits(w, 19, 19) * 4) as u8;
    if u32::from(exec_size) + u32::from(chan_off) > 32 {
        return Err(err(w, "channels past the thread's 32"));
    }
    let mut inst = Inst {
        op,
        exec_size,
        chan_off,
        no_mask: bit(w, 31),
        pred: bits(w, 27, 24) as u8,
        pred_inv: bit(w, 28),
        flag: (bits(w, 23, 23) as u8, bits(w, 22, 22) as u8),
        cond: 0,
        sat: false,
        acc_wr: false,
        dst: Dst {
            file: RegFile::Null,
            ty: Ty::Ud,
            hstride: 1,
        },
        srcs: [Src::Imm {
            ty: Ty::Ud,
            bits: 0,
        }; 3],
        nsrc: 0,
        jip: 0,
        uip: 0,
        msg: None,
        size: 16,
    };
    match op {
        Op::Send | Op::Sendc => {
            inst.msg = Some(decode_send(w)?);
            return Ok(inst);
        }
        Op::Sync | Op::Nop => {
            // SYNC's function (nop, allrd, allwr, bar, host) sits where ALU
            // instructions keep their conditional modifier.
            inst.cond = bits(w, 95, 92) as u8;
            return Ok(inst);
        }
        _ if op.is_branch() => {
            if op == Op::Jmpi {
                return Err(err(w, "jmpi"));
            }
            inst.jip = bits(w, 127, 96) as i32;
            inst.uip = bits(w, 95, 64) as i32;
            return Ok(inst);
        }
        _ => {}
    }
    inst.cond = bits(w, 95, 92) as u8;
    inst.sat = bit(w, 34);
    inst.acc_wr = bit(w, 33);
    if op.sources() == 3 {
        decode_three_source(w, &mut inst)?;
        return Ok(inst);
    }
    let dty = Ty::from_hw(bits(w, 39, 36), false).ok_or_else(|| err(w, "destination type"))?;
    let dnr = bits(w, 63, 56);
    let dsub = bits(w, 55, 51);
    inst.dst = Dst {
        file: if bit(w, 35) {
            RegFile::Indirect {
                sub: bits(w, 63, 60) as u8,
                imm: sext10(bits(w, 59, 50)),
            }
        } else if bit(w, 50) {
            RegFile::Grf((dnr * 32 + dsub) as u16)
        } else {
            arf(w, dnr, dsub)?
        },
        ty: dty,
        hstride: stride(bits(w, 49, 48)).max(1),
    };
    let n = op.sources();
    inst.nsrc = n as u8;
    inst.srcs[0] = decode_src(w, &SRC0)?;
    if n == 2 {
        inst.srcs[1] = decode_src(w, &SRC1)?;
    }
    if n == 0 {
        return Err(err(w, "instruction form"));
    }
    Ok(inst)
}

/// Where a two-source instruction keeps one source's fields (bit numbers in the 128-bit
/// native form).
struct SrcFields {
    name: &'static str,
    imm: u32,
    ty: (u32, u32),
    /// Immediate bits of a 64-bit immediate (only source 0 has one).
    imm64: bool,
    file: u32,
    nr: (u32, u32),
    sub: (u32, u32),
    indirect: u32,
    ia_sub: (u32, u32),
    ia_imm: (u32, u32),
    vstride: (u32, u32),
    width: (u32, u32),
    hstride: (u32, u32),
    neg: u32,
    abs: u32,
}

const SRC0: SrcFields = SrcFields {
    name: "source 0",
    imm: 46,
    ty: (43, 40),
    imm64: true,
    file: 66,
    nr: (79, 72),
    sub: (71, 67),
    indirect: 80,
    ia_sub: (79, 76),
    ia_imm: (75, 66),
    vstride: (87, 84),
    width: (83, 81),
    hstride: (65, 64),
    neg: 45,
    abs: 44,
};

const SRC1: SrcFields = SrcFields {
    name: "source 1",
    imm: 47,
    ty: (91, 88),
    imm64: false,
    file: 98,
    nr: (111, 104),
    sub: (103, 99),
    indirect: 112,
    ia_sub: (111, 108),
    ia_imm: (107, 98),
    vstride: (119, 116),
    width: (115, 113),
    hstride: (97, 96),
    neg: 121,
    abs: 120,
};

/// Decodes one source of a two-source instruction.
fn decode_src(w: &[u32; 4], f: &SrcFields) -> Result<Src, IsaError> {
    let f_bits = |(hi, lo): (u32, u32)| bits(w, hi, lo);
    let is_imm = bit(w, f.imm);
    let ty =
        Ty::from_hw(f_bits(f.ty), is_imm).ok_or_else(|| err(w, &format!("{} type", f.name)))?;
    if is_imm {
        let raw = match (ty.size(), f.imm64) {
            (8, true) => u64::from(bits(w, 127, 96)) << 32 | u64::from(bits(w, 95, 64)),
            (8, false) => return Err(err(w, &format!("64-bit immediate in {}", f.name))),
            _ => u64::from(bits(w, 127, 96)),
        };
        return Ok(Src::Imm { ty, bits: raw });
    }
    let indirect = bit(w, f.indirect);
    let (nr, sub) = (f_bits(f.nr), f_bits(f.sub));
    Ok(Src::Reg {
        file: if indirect {
            RegFile::Indirect {
                sub: f_bits(f.ia_sub) as u8,
                imm: sext10(f_bits(f.ia_imm)),
            }
        } else if bit(w, f.file) {
            RegFile::Grf((nr * 32 + sub) as u16)
        } else {
            arf(w, nr, sub)?
        },
        ty,
        vstride: vstride(w, f_bits(f.vstride), indirect)?,
        width: 1 << f_bits(f.width),
        hstride: stride(f_bits(f.hstride)),
        neg: bit(w, f.neg),
        abs: bit(w, f.abs),
    })
}

/// Decodes the instruction at the start of `bytes` (8 bytes suffice for a compacted one).
pub fn decode_bytes(bytes: &[u8]) -> Result<Inst, IsaError> {
    let dw = |i: usize| u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap());
    if dw(0) >> 29 & 1 != 0 {
        let c = u64::from(dw(0)) | u64::from(dw(1)) << 32;
        let mut inst = decode(&super::compact::expand(c))?;
        inst.size = 8;
        return Ok(inst);
    }
    decode(&[dw(0), dw(1), dw(2), dw(3)])
}

/// The three-source (align1) form: mad, lrp, csel, bfe, bfi2.
fn decode_three_source(w: &[u32; 4], inst: &mut Inst) -> Result<(), IsaError> {
    let float = bit(w, 39);
    let ty3 = |enc: u32| -> Result<Ty, IsaError> {
        Ok(match (float, enc) {
            (true, 1) => Ty::Hf,
            (true, 2) => Ty::F,
            (true, 3) => Ty::Df,
            // 0b111 with the float execution type is the accumulator's native float
            // (IGT's gen12_render_copy.asm writes `acc0.0<1>:nf` as this encoding).
            (true, 7) => Ty::Nf,
            (false, 0) => Ty::Ub,
            (false, 1) => Ty::Uw,
            (false, 2) => Ty::Ud,
            (false, 4) => Ty::B,
            (false, 5) => Ty::W,
            (false, 6) => Ty::D,
            _ => return Err(err(w, "three-source operand type")),
        })
    };
    let vs3 = |enc: u32| -> u8 {
        match enc {
            0 => 0,
            1 => 1,
            2 => 4,
            _ => 8,
        }
    };
    // The width is implied: the vertical stride over the horizontal one (or the
    // vertical stride itself when the horizontal stride is 0).
    let region = |vs: u8, hs: u8| -> u8 { vs.checked_div(hs).unwrap_or(vs).max(1) };
    inst.dst = Dst {
        file: if bit(w, 50) {
            RegFile::Grf((bits(w, 63, 56) * 32 + bits(w, 55, 54) * 8) as u16)
        } else {
            arf(w, bits(w, 63, 56), bits(w, 55, 54) * 8)?
        },
        ty: ty3(bits(w, 38, 36))?,
        hstride: if bit(w, 48) { 2 } else { 1 },
    };
    // src0
    let t0 = ty3(bits(w, 42, 40))?;
    inst.srcs[0] = if bit(w, 46) {
        Src::Imm {
            ty: t0,
            bits: u64::from(bits(w, 79, 64)),
        }
    } else {
        let vs = vs3(bits(w, 43, 43) << 1 | bits(w, 35, 35));
        let hs = stride(bits(w, 65, 64));
        Src::Reg {
            // The file bit clear names an architecture register (the accumulator).
            file: if bit(w, 66) {
                RegFile::Grf((bits(w, 79, 72) * 32 + bits(w, 71, 67)) as u16)
            } else {
                arf(w, bits(w, 79, 72), bits(w, 71, 67))?
            },
            ty: t0,
            vstride: vs,
            width: region(vs, hs),
            hstride: hs,
            neg: bit(w, 45),
            abs: bit(w, 44),
        }
    };
    // src1 (never an immediate; the accumulator when its file bit is clear)
    let vs = vs3(bits(w, 91, 91) << 1 | bits(w, 83, 83));
    let hs = stride(bits(w, 97, 96));
    inst.srcs[1] = Src::Reg {
        file: if bit(w, 98) {
            RegFile::Grf((bits(w, 111, 104) * 32 + bits(w, 103, 99)) as u16)
        } else {
            arf(w, bits(w, 111, 104), bits(w, 103, 99))?
        },
        ty: ty3(bits(w, 90, 88))?,
        vstride: vs,
        width: region(vs, hs),
        hstride: hs,
        neg: bit(w, 87),
        abs: bit(w, 86),
    };
    // src2: a linear region of its horizontal stride.
    let t2 = ty3(bits(w, 82, 80))?;
    inst.srcs[2] = if bit(w, 47) {
        Src::Imm {
            ty: t2,
            bits: u64::from(bits(w, 127, 112)),
        }
    } else {
        Src::Reg {
            file: if bit(w, 114) {
                RegFile::Grf((bits(w, 127, 120) * 32 + bits(w, 119, 115)) as u16)
            } else {
                arf(w, bits(w, 127, 120), bits(w, 119, 115))?
            },
            ty: t2,
            vstride: stride(bits(w, 113, 112)),
            width: 1,
            hstride: 0,
            neg: bit(w, 85),
            abs: bit(w, 84),
        }
    };
    for s in &inst.srcs {
        if let Src::Imm { ty, .. } = s {
            if ty.size() > 2 {
                return Err(err(w, "32-bit immediate in a three-source instruction"));
            }
        }
    }
    // Native float exists only inside the accumulator: anywhere else it has no layout.
    let nf_outside_acc = |file: RegFile, ty: Ty| ty == Ty::Nf && !matches!(file, RegFile::Acc(..));
    let bad_src = inst.srcs.iter().any(|s| match *s {
        Src::Reg { file, ty, .. } => nf_outside_acc(file, ty),
        Src::Imm { ty, .. } => ty == Ty::Nf,
    });
    if bad_src || nf_outside_acc(inst.dst.file, inst.dst.ty) {
        return Err(err(w, "native-float operand outside the accumulator"));
    }
    inst.nsrc = 3;
    Ok(())
}

fn decode_send(w: &[u32; 4]) -> Result<Message, IsaError> {
    let desc = (bits(w, 123, 122) << 30)
        | (bits(w, 71, 67) << 25)
        | (bits(w, 55, 51) << 20)
        | (bits(w, 121, 113) << 11)
        | bits(w, 91, 81);
    let ex_desc = (bits(w, 127, 124) << 28)
        | (bits(w, 97, 96) << 26)
        | (bits(w, 65, 64) << 24)
        | (bits(w, 47, 35) << 11)
        | (bits(w, 103, 99) << 6);
    if !bit(w, 66) {
        return Err(err(w, "send payload outside the GRF"));
    }
    let dst = bit(w, 50).then_some(bits(w, 63, 56) as u8);
    if !bit(w, 50) && bits(w, 63, 56) != 0 {
        return Err(err(w, "send response to an architecture register"));
    }
    let src1 = bit(w, 98).then_some(bits(w, 111, 104) as u8);
    Ok(Message {
        sfid: bits(w, 95, 92) as u8,
        desc: (!bit(w, 48)).then_some(desc),
        ex_desc: (!bit(w, 49)).then_some(ex_desc),
        ex_desc_reg: bits(w, 42, 40) as u8,
        src0: bits(w, 79, 72) as u8,
        src1,
        dst,
        eot: bit(w, 34),
    })
}

/// Message length (payload GRFs of the first part) of a descriptor.
pub fn desc_mlen(desc: u32) -> u8 {
    (desc >> 25 & 0xf) as u8
}

/// Response length in GRFs of a descriptor.
pub fn desc_rlen(desc: u32) -> u8 {
    (desc >> 20 & 0x1f) as u8
}

/// Length of the second payload part in GRFs, from the extended descriptor.
pub fn ex_desc_mlen(ex_desc: u32) -> u8 {
    (ex_desc >> 6 & 0x1f) as u8
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ty::Ub => "ub",
            Ty::B => "b",
            Ty::Uw => "uw",
            Ty::W => "w",
            Ty::Ud => "ud",
            Ty::D => "d",
            Ty::Uq => "uq",
            Ty::Q => "q",
            Ty::Hf => "hf",
            Ty::F => "f",
            Ty::Df => "df",
            Ty::V => "v",
            Ty::Uv => "uv",
            Ty::Vf => "vf",
            Ty::Nf => "nf",
        })
    }
}

/// Writes a register location: `r12.4` (byte 4 shown in elements of `ty`), `acc0`, `f0.1`,
/// `a0.2`, `sr0`, `cr0`, `null`, `r[a0.3, 16]`.
fn write_file(f: &mut fmt::Formatter<'_>, file: RegFile, ty: Ty) -> fmt::Result {
    let sub = |b: u8| b as usize / ty.size().max(1);
    match file {
        RegFile::Grf(o) => write!(f, "r{}.{}", o / 32, sub((o % 32) as u8)),
        RegFile::Null => f.write_str("null"),
        RegFile::Acc(n, o) => write!(f, "acc{n}.{}", sub(o)),
        RegFile::Flag(n, o) => write!(f, "f{n}.{}", sub(o)),
        RegFile::Addr(o) => write!(f, "a0.{}", sub(o)),
        RegFile::State(o) => write!(f, "sr0.{}", sub(o)),
        RegFile::Control(o) => write!(f, "cr0.{}", sub(o)),
        RegFile::Indirect { sub, imm } => write!(f, "r[a0.{sub}, {imm}]"),
    }
}

impl fmt::Display for Src {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Src::Imm { ty, bits } => write!(f, "{bits:#x}:{ty}"),
            Src::Reg {
                file,
                ty,
                vstride,
                width,
                hstride,
                neg,
                abs,
            } => {
                if neg {
                    f.write_str("-")?;
                }
                if abs {
                    f.write_str("(abs)")?;
                }
                write_file(f, file, ty)?;
                if vstride == VXH {
                    write!(f, "<VxH;{width},{hstride}>:{ty}")
                } else {
                    write!(f, "<{vstride};{width},{hstride}>:{ty}")
                }
            }
        }
    }
}

impl fmt::Display for Inst {
    /// An assembly-like line: predicate, opcode and modifiers, execution size and first
    /// channel, destination, sources; a SEND shows its shared function and descriptors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pred != 0 {
            write!(
                f,
                "({}f{}.{}) ",
                if self.pred_inv { "-" } else { "+" },
                self.flag.0,
                self.flag.1
            )?;
        }
        let name = format!("{:?}", self.op).to_lowercase();
        f.write_str(&name)?;
        if self.sat {
            f.write_str(".sat")?;
        }
        if self.cond != 0 && !matches!(self.op, Op::Send | Op::Sendc) {
            let c = match (self.op, self.cond) {
                (Op::Math, n) | (Op::Sync, n) => format!(".fn{n}"),
                (_, 1) => ".z".into(),
                (_, 2) => ".nz".into(),
                (_, 3) => ".g".into(),
                (_, 4) => ".ge".into(),
                (_, 5) => ".l".into(),
                (_, 6) => ".le".into(),
                (_, n) => format!(".cond{n}"),
            };
            f.write_str(&c)?;
        }
        write!(f, " ({}|M{})", self.exec_size, self.chan_off)?;
        if self.no_mask {
            f.write_str(" NoMask")?;
        }
        if let Some(m) = self.msg {
            write!(f, " sfid {}", m.sfid)?;
            match m.dst {
                Some(d) => write!(f, " r{d}")?,
                None => f.write_str(" null")?,
            }
            write!(f, " r{}", m.src0)?;
            match m.src1 {
                Some(s) => write!(f, " r{s}")?,
                None => f.write_str(" null")?,
            }
            match m.desc {
                Some(d) => write!(f, " desc {d:#010x}")?,
                None => f.write_str(" desc a0.0")?,
            }
            match m.ex_desc {
                Some(d) => write!(f, " exdesc {d:#010x}")?,
                None => write!(f, " exdesc a0.{}", m.ex_desc_reg)?,
            }
            if m.eot {
                f.write_str(" EOT")?;
            }
            return Ok(());
        }
        if self.op.is_branch() {
            return write!(f, " JIP {:+} UIP {:+}", self.jip, self.uip);
        }
        if self.nsrc == 0 {
            return Ok(());
        }
        f.write_str(" ")?;
        write_file(f, self.dst.file, self.dst.ty)?;
        write!(f, "<{}>:{}", self.dst.hstride, self.dst.ty)?;
        for s in &self.srcs[..self.nsrc as usize] {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod disasm_tests {
    use super::*;

    #[test]
    fn instructions_print_as_assembly() {
        // shl (1) r2.0<1>:ud r0.1<0;1,0>:ud 0x4:ud
        let i = decode(&[0x0000_0069, 0x0205_8220, 0x0200_0024, 0x0000_0004]).unwrap();
        assert_eq!(i.to_string(), "shl (1|M0) r2.0<1>:ud r0.1<0;1,0>:ud 0x4:ud");
        // send (16) null r112 null ... EOT
        let i = decode(&[0x0004_0131, 0x0000_0004, 0x7020_700c, 0x1000_0000]).unwrap();
        assert!(i
            .to_string()
            .starts_with("send (16|M0) sfid 7 null r112 null desc 0x02000010"));
        assert!(i.to_string().ends_with("EOT"));
    }

    /// IGT's Gen12 render-copy pixel shader interpolates through the accumulator in
    /// native float: `mad acc0:nf r6.3:f r2:f r6.0:f`, then `mad r113:f acc0:nf r3:f r6.1:f`.
    #[test]
    fn three_source_native_float_accumulator_operands_decode() {
        let i = decode(&[0x8003_005b, 0x2000_02f0, 0x0a0a_0664, 0x0604_0205]).unwrap();
        assert_eq!((i.op, i.exec_size, i.nsrc), (Op::Mad, 8, 3));
        assert_eq!((i.dst.file, i.dst.ty), (RegFile::Acc(0, 0), Ty::Nf));
        assert_eq!(
            i.to_string(),
            "mad (8|M0) NoMask acc0.0<1>:nf r6.3<0;1,0>:f r2.0<8;8,1>:f r6.0<0;1,0>:f"
        );
        let i = decode(&[0x8003_005b, 0x7104_0fa8, 0x0a0a_2001, 0x0624_0305]).unwrap();
        assert_eq!((i.dst.file, i.dst.ty), (RegFile::Grf(113 * 32), Ty::F));
        match i.srcs[0] {
            Src::Reg { file, ty, .. } => assert_eq!((file, ty), (RegFile::Acc(0, 0), Ty::Nf)),
            s => panic!("source 0 is {s}"),
        }
        assert_eq!(
            i.to_string(),
            "mad (8|M0) NoMask r113.0<1>:f acc0.0<8;8,1>:nf r3.0<8;8,1>:f r6.1<0;1,0>:f"
        );
    }

    /// Native float anywhere but the accumulator, and the 0b111 type with the integer
    /// execution type, are encodings the model refuses by name.
    #[test]
    fn three_source_native_float_outside_the_accumulator_is_refused() {
        // The first MAD with its destination's file bit set: `r32:nf`.
        let e = decode(&[0x8003_005b, 0x2004_02f0, 0x0a0a_0664, 0x0604_0205]).unwrap_err();
        assert!(
            e.0.contains("native-float operand outside the accumulator"),
            "{e:?}"
        );
        // The same with the execution type bit clear: type 7 then means nothing on Gen12.
        let e = decode(&[0x8003_005b, 0x2000_0270, 0x0a0a_0664, 0x0604_0205]).unwrap_err();
        assert!(e.0.contains("three-source operand type"), "{e:?}");
    }
}
