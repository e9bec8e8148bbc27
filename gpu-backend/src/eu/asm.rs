//! A small assembler for Gen12 EU code: native (uncompacted) instructions with direct
//! register regions and immediates, encoded field by field from the same layout
//! [`super::isa`] decodes. Tests and benchmarks build their kernels with it.

/// Hardware type encodings (bit 3 float, bit 2 signed, bits 1:0 log2 size).
pub mod ty {
    /// Unsigned byte.
    pub const UB: u32 = 0x0;
    /// Unsigned word.
    pub const UW: u32 = 0x1;
    /// Unsigned dword.
    pub const UD: u32 = 0x2;
    /// Signed word.
    pub const W: u32 = 0x5;
    /// Signed dword.
    pub const D: u32 = 0x6;
    /// Float.
    pub const F: u32 = 0xa;
    /// In an immediate: eight signed nibbles.
    pub const V: u32 = 0x4;
    /// In an immediate: eight unsigned nibbles.
    pub const UV: u32 = 0x0;
}

/// Opcodes (Gen12 numbering).
#[allow(missing_docs)]
pub mod op {
    pub const SYNC: u32 = 0x01;
    pub const IF: u32 = 0x22;
    pub const ELSE: u32 = 0x24;
    pub const ENDIF: u32 = 0x25;
    pub const WHILE: u32 = 0x27;
    pub const BREAK: u32 = 0x28;
    pub const SEND: u32 = 0x31;
    pub const MATH: u32 = 0x38;
    pub const ADD: u32 = 0x40;
    pub const MUL: u32 = 0x41;
    pub const MOV: u32 = 0x61;
    pub const SEL: u32 = 0x62;
    pub const AND: u32 = 0x65;
    pub const OR: u32 = 0x66;
    pub const XOR: u32 = 0x67;
    pub const SHR: u32 = 0x68;
    pub const SHL: u32 = 0x69;
    pub const CMP: u32 = 0x70;
}

fn set(w: &mut [u32; 4], hi: u32, lo: u32, v: u32) {
    for b in lo..=hi {
        let bit = (v >> (b - lo)) & 1;
        let (d, s) = ((b / 32) as usize, b % 32);
        w[d] = (w[d] & !(1 << s)) | (bit << s);
    }
}

fn log2(n: u32) -> u32 {
    n.trailing_zeros()
}

fn stride_enc(s: u32) -> u32 {
    if s == 0 {
        0
    } else {
        log2(s) + 1
    }
}

/// A source operand.
#[derive(Clone, Copy)]
pub enum S {
    /// GRF `r{nr}.{sub}` (sub in elements) with region `<vs;w,hs>`.
    R {
        /// Register number (an ARF number when patched into the ARF).
        nr: u32,
        /// Subregister in elements.
        sub: u32,
        /// Hardware type.
        ty: u32,
        /// Vertical stride in elements.
        vs: u32,
        /// Width in elements.
        w: u32,
        /// Horizontal stride in elements.
        hs: u32,
    },
    /// Immediate.
    #[allow(missing_docs)]
    Imm { ty: u32, v: u32 },
    /// The null register.
    Null,
}

fn size_of(ty: u32) -> u32 {
    1 << (ty & 3)
}

/// `r{nr}.{sub}<0;1,0>` (scalar).
pub fn scalar(nr: u32, sub: u32, ty: u32) -> S {
    S::R {
        nr,
        sub,
        ty,
        vs: 0,
        w: 1,
        hs: 0,
    }
}

/// `r{nr}.{sub}<vs;w,hs>` of type `ty`.
pub fn region(nr: u32, sub: u32, ty: u32, vs: u32, w: u32, hs: u32) -> S {
    S::R {
        nr,
        sub,
        ty,
        vs,
        w,
        hs,
    }
}

/// `r{nr}.{sub}<8;8,1>` (a packed vector).
pub fn vec8(nr: u32, sub: u32, ty: u32) -> S {
    S::R {
        nr,
        sub,
        ty,
        vs: 8,
        w: 8,
        hs: 1,
    }
}

/// An immediate of hardware type `ty`.
pub fn imm(ty: u32, v: u32) -> S {
    S::Imm { ty, v }
}

/// A destination `r{nr}.{sub}<hs>`.
#[derive(Clone, Copy)]
pub struct D {
    /// Register number.
    pub nr: u32,
    /// Subregister in elements.
    pub sub: u32,
    /// Hardware type.
    pub ty: u32,
    /// Horizontal stride in elements.
    pub hs: u32,
    /// Null destination.
    pub null: bool,
}

/// `r{nr}.{sub}<1>` of type `ty`.
pub fn dst(nr: u32, sub: u32, ty: u32) -> D {
    D {
        nr,
        sub,
        ty,
        hs: 1,
        null: false,
    }
}

/// The null destination.
pub fn null_dst(ty: u32) -> D {
    D {
        nr: 0,
        sub: 0,
        ty,
        hs: 1,
        null: true,
    }
}

/// Optional controls of an instruction.
#[derive(Clone, Copy, Default)]
pub struct Ctl {
    /// NoMask (WE_all).
    pub no_mask: bool,
    /// 0 none, 1 normal, ...
    pub pred: u32,
    /// Inverted predicate.
    pub pred_inv: bool,
    /// Conditional modifier (or the math function of MATH).
    pub cond: u32,
    /// Saturate.
    pub sat: bool,
    /// f0 or f1.
    pub flag: u32,
}

fn src_fields(w: &mut [u32; 4], s: S, idx: u32) {
    match s {
        S::R {
            nr,
            sub,
            ty: t,
            vs,
            w: wd,
            hs,
        } => {
            let sub_b = sub * size_of(t);
            if idx == 0 {
                set(w, 43, 40, t);
                set(w, 66, 66, 1);
                set(w, 79, 72, nr);
                set(w, 71, 67, sub_b);
                set(w, 87, 84, stride_enc(vs));
                set(w, 83, 81, log2(wd));
                set(w, 65, 64, stride_enc(hs));
            } else {
                set(w, 91, 88, t);
                set(w, 98, 98, 1);
                set(w, 111, 104, nr);
                set(w, 103, 99, sub_b);
                set(w, 119, 116, stride_enc(vs));
                set(w, 115, 113, log2(wd));
                set(w, 97, 96, stride_enc(hs));
            }
        }
        S::Imm { ty: t, v } => {
            if idx == 0 {
                set(w, 43, 40, t);
                set(w, 46, 46, 1);
            } else {
                set(w, 91, 88, t);
                set(w, 47, 47, 1);
            }
            w[3] = v;
        }
        S::Null => {
            if idx == 0 {
                set(w, 43, 40, ty::UD);
            } else {
                set(w, 91, 88, ty::UD);
                set(w, 115, 113, 0);
            }
        }
    }
}

fn header(w: &mut [u32; 4], opcode: u32, exec: u32, c: Ctl) {
    set(w, 6, 0, opcode);
    set(w, 18, 16, log2(exec));
    set(w, 31, 31, c.no_mask as u32);
    set(w, 27, 24, c.pred);
    set(w, 28, 28, c.pred_inv as u32);
    set(w, 23, 23, c.flag);
}

/// A one- or two-source ALU instruction.
pub fn alu(opcode: u32, exec: u32, d: D, s0: S, s1: Option<S>, c: Ctl) -> [u32; 4] {
    let mut w = [0u32; 4];
    header(&mut w, opcode, exec, c);
    set(&mut w, 95, 92, c.cond);
    set(&mut w, 34, 34, c.sat as u32);
    set(&mut w, 39, 36, d.ty);
    if !d.null {
        set(&mut w, 50, 50, 1);
        set(&mut w, 63, 56, d.nr);
        set(&mut w, 55, 51, d.sub * size_of(d.ty));
    }
    set(&mut w, 49, 48, stride_enc(d.hs));
    src_fields(&mut w, s0, 0);
    if let Some(s1) = s1 {
        src_fields(&mut w, s1, 1);
    }
    w
}

/// A two-source ALU instruction without predication or modifiers.
pub fn op2(opcode: u32, exec: u32, d: D, s0: S, s1: S) -> [u32; 4] {
    alu(opcode, exec, d, s0, Some(s1), Ctl::default())
}

/// MOV.
pub fn mov(exec: u32, d: D, s: S, c: Ctl) -> [u32; 4] {
    alu(op::MOV, exec, d, s, None, c)
}

/// SEND with the payload at r{src0} (mlen in the descriptor), no second part.
pub fn send(
    exec: u32,
    sfid: u32,
    dst_reg: Option<u32>,
    src0: u32,
    desc: u32,
    eot: bool,
    c: Ctl,
) -> [u32; 4] {
    let mut w = [0u32; 4];
    header(&mut w, op::SEND, exec, c);
    set(&mut w, 95, 92, sfid);
    set(&mut w, 66, 66, 1);
    set(&mut w, 79, 72, src0);
    if let Some(d) = dst_reg {
        set(&mut w, 50, 50, 1);
        set(&mut w, 63, 56, d);
    }
    set(&mut w, 34, 34, eot as u32);
    set(&mut w, 123, 122, desc >> 30);
    set(&mut w, 71, 67, desc >> 25);
    set(&mut w, 55, 51, desc >> 20);
    set(&mut w, 121, 113, desc >> 11);
    set(&mut w, 91, 81, desc);
    w
}

/// A flow-control instruction with JIP/UIP in instructions (converted to bytes).
pub fn branch(opcode: u32, exec: u32, jip: i32, uip: i32, c: Ctl) -> [u32; 4] {
    let mut w = [0u32; 4];
    header(&mut w, opcode, exec, c);
    w[3] = (jip * 16) as u32;
    w[2] = (uip * 16) as u32;
    w
}

/// SYNC with function `f` (0xe: wait for the barrier).
pub fn sync(f: u32) -> [u32; 4] {
    let mut w = [0u32; 4];
    header(
        &mut w,
        op::SYNC,
        1,
        Ctl {
            no_mask: true,
            ..Ctl::default()
        },
    );
    set(&mut w, 95, 92, f);
    w
}

/// End of thread: copy r0 to r112 and send it to the thread spawner.
pub fn eot() -> Vec<[u32; 4]> {
    let nm = Ctl {
        no_mask: true,
        ..Ctl::default()
    };
    vec![
        mov(8, dst(112, 0, ty::UD), vec8(0, 0, ty::UD), nm),
        send(16, 7, None, 112, 1 << 25 | 0x10, true, nm),
    ]
}

/// The dwords of a kernel.
pub fn flatten(k: &[[u32; 4]]) -> Vec<u32> {
    k.iter().flat_map(|w| w.iter().copied()).collect()
}

/// A float MAD (`dst = s0 + s1 * s2`) in the three-source form: each source is a GRF
/// register `r{nr}.{sub}` (sub in floats), a packed vector (`true`) or a scalar.
pub fn mad_f(exec: u32, d: u32, srcs: [(u32, u32, bool); 3], c: Ctl) -> [u32; 4] {
    let mut w = [0u32; 4];
    header(&mut w, 0x5b, exec, c);
    set(&mut w, 39, 39, 1); // float execution
    set(&mut w, 50, 50, 1);
    set(&mut w, 63, 56, d);
    set(&mut w, 38, 36, 2);
    let (nr, sub, v) = srcs[0];
    set(&mut w, 66, 66, 1);
    set(&mut w, 79, 72, nr);
    set(&mut w, 71, 67, sub * 4);
    set(&mut w, 42, 40, 2);
    if v {
        set(&mut w, 65, 64, 1);
        set(&mut w, 43, 43, 1); // vertical stride 8 (encoding 3)
        set(&mut w, 35, 35, 1);
    }
    let (nr, sub, v) = srcs[1];
    set(&mut w, 98, 98, 1);
    set(&mut w, 111, 104, nr);
    set(&mut w, 103, 99, sub * 4);
    set(&mut w, 90, 88, 2);
    if v {
        set(&mut w, 97, 96, 1);
        set(&mut w, 91, 91, 1);
        set(&mut w, 83, 83, 1);
    }
    let (nr, sub, v) = srcs[2];
    set(&mut w, 114, 114, 1);
    set(&mut w, 127, 120, nr);
    set(&mut w, 119, 115, sub * 4);
    set(&mut w, 82, 80, 2);
    if v {
        set(&mut w, 113, 112, 1);
    }
    w
}
