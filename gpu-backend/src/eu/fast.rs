//! The fast path of the ALU: dword instructions on direct GRF operands (the bulk of what
//! compilers emit) run lane arrays through one monomorphic loop per opcode, instead of
//! the general path's per-lane values. It covers exactly what it can do bit-for-bit like
//! the general path (`Thread::alu`), and declines everything else, which then takes the
//! general path: the two are checked against each other in tests.

use super::isa::{Inst, Op, RegFile, Src, Ty};

/// An operand resolved for one execution: per-lane byte offsets into the GRF and the
/// element width (words are extended to 32 bits by their signedness), or an immediate
/// already extended.
enum Operand {
    Grf([u16; 32], Width),
    Imm(u32),
}

/// How an element is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Width {
    Dword,
    Word,
    SignedWord,
}

/// The domain of a fast instruction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Domain {
    /// Unsigned 32-bit integers.
    U32,
    /// Signed 32-bit integers.
    I32,
    /// IEEE single precision.
    F32,
}

fn domain(ty: Ty) -> Option<Domain> {
    match ty {
        Ty::Ud => Some(Domain::U32),
        Ty::D => Some(Domain::I32),
        Ty::F => Some(Domain::F32),
        _ => None,
    }
}

/// The domain and element width of a source type (words compute as 32-bit integers).
fn source_kind(ty: Ty) -> Option<(Domain, Width)> {
    match ty {
        Ty::Uw => Some((Domain::U32, Width::Word)),
        Ty::W => Some((Domain::I32, Width::SignedWord)),
        t => Some((domain(t)?, Width::Dword)),
    }
}

fn resolve(src: &Src, n: usize) -> Option<(Operand, Domain)> {
    match *src {
        Src::Imm { ty, bits } => {
            let (d, w) = source_kind(ty)?;
            let v = match w {
                Width::Dword => bits as u32,
                Width::Word => bits as u16 as u32,
                Width::SignedWord => bits as u16 as i16 as i32 as u32,
            };
            Some((Operand::Imm(v), d))
        }
        Src::Reg {
            file: RegFile::Grf(base),
            ty,
            vstride,
            width,
            hstride,
            neg: false,
            abs: false,
        } if vstride != super::isa::VXH => {
            let (d, w) = source_kind(ty)?;
            let size = ty.size();
            let mut off = [0u16; 32];
            for (i, o) in off.iter_mut().enumerate().take(n) {
                let (row, col) = (i / width as usize, i % width as usize);
                let e = row * vstride as usize + col * hstride as usize;
                let at = base as usize + size * e;
                if at + size > super::thread::GRF_BYTES {
                    return None;
                }
                *o = at as u16;
            }
            Some((Operand::Grf(off, w), d))
        }
        _ => None,
    }
}

#[inline(always)]
fn load(grf: &[u8], op: &Operand, i: usize) -> u32 {
    match op {
        Operand::Imm(v) => *v,
        Operand::Grf(off, w) => {
            let o = off[i] as usize;
            match w {
                Width::Dword => u32::from_le_bytes([grf[o], grf[o + 1], grf[o + 2], grf[o + 3]]),
                Width::Word => u16::from_le_bytes([grf[o], grf[o + 1]]) as u32,
                Width::SignedWord => i16::from_le_bytes([grf[o], grf[o + 1]]) as i32 as u32,
            }
        }
    }
}

/// Runs `inst` on the fast path if it qualifies; `None` when it does not (nothing was
/// touched). `lanes` has a bit per instruction channel that executes. Returns the flag
/// bits a CMP produced (instruction channels), if any.
pub(crate) fn try_alu(grf: &mut [u8], inst: &Inst, lanes: u32) -> Option<Option<u32>> {
    let n = inst.exec_size as usize;
    if inst.sat || inst.acc_wr {
        return None;
    }
    let dst = match inst.dst.file {
        RegFile::Grf(o) => o as usize,
        _ if inst.op == Op::Cmp && inst.dst.file == RegFile::Null => usize::MAX,
        _ => return None,
    };
    let ddom = domain(inst.dst.ty)?;
    if dst != usize::MAX && dst + 4 * inst.dst.hstride as usize * (n - 1) + 4 > grf.len() {
        return None;
    }
    if inst.op == Op::Mad {
        return mad(grf, inst, lanes, dst, ddom);
    }
    let binary = match inst.op {
        Op::Mov => false,
        Op::Add | Op::Mul | Op::And | Op::Or | Op::Xor | Op::Shl | Op::Shr | Op::Cmp => true,
        Op::Sel if inst.cond == 4 || inst.cond == 5 => true,
        _ => return None,
    };
    if inst.cond != 0 && !matches!(inst.op, Op::Cmp | Op::Sel) {
        return None;
    }
    let (a, adom) = resolve(&inst.srcs[0], n)?;
    let (b, bdom) = if binary {
        resolve(&inst.srcs[1], n)?
    } else {
        (Operand::Imm(0), adom)
    };
    let float = adom == Domain::F32 || bdom == Domain::F32;
    // Mixed float/integer sources and integer/float conversions stay on the general path.
    if float && (adom != bdom || (inst.op != Op::Cmp && ddom != Domain::F32)) {
        return None;
    }
    if !float && ddom == Domain::F32 && inst.op != Op::Mov {
        return None;
    }
    if float && matches!(inst.op, Op::And | Op::Or | Op::Xor | Op::Shl | Op::Shr) {
        return None;
    }
    // Integer comparisons of mixed signedness, and predicated min/max, stay general.
    if !float && adom != bdom && matches!(inst.op, Op::Cmp | Op::Sel) {
        return None;
    }
    if inst.op == Op::Sel && inst.pred != 0 {
        return None;
    }
    // SHR shifts its source's own bits: a word source stays general.
    if inst.op == Op::Shr && inst.srcs[0].ty().size() == 2 {
        return None;
    }
    let signed = adom == Domain::I32 || bdom == Domain::I32;
    let mut out = [0u32; 32];
    let mut flags = 0u32;
    macro_rules! each {
        ($f:expr) => {
            for i in 0..n {
                if lanes >> i & 1 != 0 {
                    out[i] = $f(load(grf, &a, i), load(grf, &b, i));
                }
            }
        };
    }
    let fl = f32::from_bits;
    match (inst.op, float) {
        (Op::Mov, false) if ddom == Domain::F32 => {
            if adom == Domain::I32 {
                each!(|x: u32, _| (x as i32 as f32).to_bits())
            } else {
                each!(|x: u32, _| (x as f32).to_bits())
            }
        }
        (Op::Mov, _) => each!(|x, _| x),
        (Op::Add, false) => each!(|x: u32, y: u32| x.wrapping_add(y)),
        (Op::Mul, false) => each!(|x: u32, y: u32| x.wrapping_mul(y)),
        (Op::And, _) => each!(|x, y| x & y),
        (Op::Or, _) => each!(|x, y| x | y),
        (Op::Xor, _) => each!(|x, y| x ^ y),
        (Op::Shl, _) => each!(|x: u32, y: u32| x << (y & 31)),
        (Op::Shr, _) => each!(|x: u32, y: u32| x >> (y & 31)),
        (Op::Add, true) => each!(|x, y| (fl(x) + fl(y)).to_bits()),
        (Op::Mul, true) => each!(|x, y| (fl(x) * fl(y)).to_bits()),
        (Op::Sel, false) => {
            let less = inst.cond == 5;
            if signed {
                each!(|x: u32, y: u32| if ((x as i32) < (y as i32)) == less {
                    x
                } else {
                    y
                })
            } else {
                each!(|x: u32, y: u32| if (x < y) == less { x } else { y })
            }
        }
        (Op::Sel, true) => {
            let less = inst.cond == 5;
            // A NaN operand yields the other one.
            each!(|x: u32, y: u32| {
                let (p, q) = (fl(x), fl(y));
                if !p.is_nan() && (q.is_nan() || (p < q) == less) {
                    x
                } else {
                    y
                }
            })
        }
        (Op::Cmp, _) => {
            for (i, o) in out.iter_mut().enumerate().take(n) {
                if lanes >> i & 1 == 0 {
                    continue;
                }
                let (x, y) = (load(grf, &a, i), load(grf, &b, i));
                let hit = if float {
                    let (p, q) = (fl(x), fl(y));
                    match inst.cond {
                        1 => p == q,
                        2 => p != q,
                        3 => p > q,
                        4 => p >= q,
                        5 => p < q,
                        6 => p <= q,
                        _ => return None,
                    }
                } else {
                    let (p, q) = if signed {
                        (x as i32 as i64, y as i32 as i64)
                    } else {
                        (x as i64, y as i64)
                    };
                    match inst.cond {
                        1 => p == q,
                        2 => p != q,
                        3 => p > q,
                        4 => p >= q,
                        5 => p < q,
                        6 => p <= q,
                        _ => return None,
                    }
                };
                if hit {
                    flags |= 1 << i;
                    *o = u32::MAX;
                }
            }
        }
        _ => return None,
    }
    if dst != usize::MAX {
        let stride = 4 * inst.dst.hstride as usize;
        for (i, v) in out.iter().enumerate().take(n) {
            if lanes >> i & 1 != 0 {
                let o = dst + i * stride;
                grf[o..o + 4].copy_from_slice(&v.to_le_bytes());
            }
        }
    }
    Some((inst.op == Op::Cmp).then_some(flags))
}

/// MAD on floats: `dst = src0 + src1 * src2` with one rounding to f32, as the general
/// path computes it (the product is exact in double precision).
fn mad(grf: &mut [u8], inst: &Inst, lanes: u32, dst: usize, ddom: Domain) -> Option<Option<u32>> {
    let n = inst.exec_size as usize;
    if inst.cond != 0 || ddom != Domain::F32 || dst == usize::MAX {
        return None;
    }
    let mut ops = Vec::with_capacity(3);
    for src in &inst.srcs {
        let (o, d) = resolve(src, n)?;
        if d != Domain::F32 {
            return None;
        }
        ops.push(o);
    }
    let f = |op: &Operand, i: usize| f64::from(f32::from_bits(load(grf, op, i)));
    let mut out = [0u32; 32];
    for (i, o) in out.iter_mut().enumerate().take(n) {
        if lanes >> i & 1 != 0 {
            *o = ((f(&ops[0], i) + f(&ops[1], i) * f(&ops[2], i)) as f32).to_bits();
        }
    }
    let stride = 4 * inst.dst.hstride as usize;
    for (i, v) in out.iter().enumerate().take(n) {
        if lanes >> i & 1 != 0 {
            let o = dst + i * stride;
            grf[o..o + 4].copy_from_slice(&v.to_le_bytes());
        }
    }
    Some(None)
}
