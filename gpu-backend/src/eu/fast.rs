//! The fast path of the ALU: dword instructions on direct GRF operands (the bulk of what
//! compilers emit) are compiled once, when their kernel is decoded, into a [`Compiled`]
//! form whose operands are already resolved to per-lane GRF offsets. Running one gathers
//! each source into a lane array, computes the whole array in one monomorphic loop and
//! writes the enabled lanes back, instead of the general path's per-lane values. It covers
//! exactly what it can do bit-for-bit like the general path (`Thread::alu`), and declines
//! everything else, which then takes the general path: the two are checked against each
//! other in tests.

use super::isa::{Inst, Op, RegFile, Src, Ty};

/// A source resolved at decode time: per-lane byte offsets into the GRF and the element
/// width (words are extended to 32 bits by their signedness), or an immediate already
/// extended.
#[derive(Clone, Debug)]
enum Operand {
    /// Any direct region: each lane's byte offset.
    Grf([u16; 32], Width),
    /// Consecutive dwords from a byte offset (the `<8;8,1>` and `<16;16,1>` regions).
    Dwords(usize),
    /// Consecutive words from a byte offset (`Word` or `SignedWord`).
    Words(usize, Width),
    /// One element for every lane (a `<0;1,0>` region).
    Scalar(usize, Width),
    Imm(u32),
    /// A value per lane (vector immediates).
    Lanes([u32; 32]),
}

/// How an element is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
        Src::Imm {
            ty: ty @ (Ty::V | Ty::Uv),
            bits,
        } => {
            // A vector immediate: eight 4-bit integers, repeated across the lanes.
            let lane = |i: usize| {
                let nib = (bits >> (4 * (i % 8))) as u32 & 0xf;
                if ty == Ty::V {
                    ((nib as i32) << 28 >> 28) as u32
                } else {
                    nib
                }
            };
            let d = if ty == Ty::V {
                Domain::I32
            } else {
                Domain::U32
            };
            Some((Operand::Lanes(std::array::from_fn(lane)), d))
        }
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
            let dwords = w == Width::Dword
                && off[..n]
                    .iter()
                    .enumerate()
                    .all(|(i, &o)| o == off[0] + 4 * i as u16);
            let words = w != Width::Dword
                && off[..n]
                    .iter()
                    .enumerate()
                    .all(|(i, &o)| o == off[0] + 2 * i as u16);
            let scalar = off[..n].iter().all(|&o| o == off[0]);
            let op = if n > 1 && scalar {
                Operand::Scalar(off[0] as usize, w)
            } else if dwords {
                Operand::Dwords(off[0] as usize)
            } else if words {
                Operand::Words(off[0] as usize, w)
            } else {
                Operand::Grf(off, w)
            };
            Some((op, d))
        }
        _ => None,
    }
}

#[inline(always)]
fn element(grf: &[u8], o: usize, w: Width) -> u32 {
    match w {
        Width::Dword => u32::from_le_bytes(grf[o..o + 4].try_into().unwrap()),
        Width::Word => u16::from_le_bytes(grf[o..o + 2].try_into().unwrap()) as u32,
        Width::SignedWord => i16::from_le_bytes(grf[o..o + 2].try_into().unwrap()) as i32 as u32,
    }
}

#[inline(always)]
fn gather<const N: usize>(grf: &[u8], op: &Operand) -> [u32; N] {
    match *op {
        Operand::Imm(x) => [x; N],
        Operand::Lanes(l) => std::array::from_fn(|i| l[i]),
        Operand::Scalar(o, w) => [element(grf, o, w); N],
        Operand::Dwords(o) => {
            let src = &grf[o..o + 4 * N];
            std::array::from_fn(|i| u32::from_le_bytes(src[4 * i..4 * i + 4].try_into().unwrap()))
        }
        Operand::Words(o, w) => {
            let src = &grf[o..o + 2 * N];
            let word = |i: usize| u16::from_le_bytes(src[2 * i..2 * i + 2].try_into().unwrap());
            if w == Width::SignedWord {
                std::array::from_fn(|i| word(i) as i16 as i32 as u32)
            } else {
                std::array::from_fn(|i| u32::from(word(i)))
            }
        }
        // The width is matched once, not per lane.
        Operand::Grf(ref off, Width::Dword) => {
            std::array::from_fn(|i| element(grf, off[i] as usize, Width::Dword))
        }
        Operand::Grf(ref off, Width::Word) => {
            std::array::from_fn(|i| element(grf, off[i] as usize, Width::Word))
        }
        Operand::Grf(ref off, Width::SignedWord) => {
            std::array::from_fn(|i| element(grf, off[i] as usize, Width::SignedWord))
        }
    }
}

/// What a compiled instruction computes per lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Raw 32-bit move.
    Mov,
    /// Signed integer to float.
    MovIToF,
    /// Unsigned integer to float.
    MovUToF,
    AddI,
    MulI,
    And,
    Or,
    Xor,
    Shl,
    Shr,
    AddF,
    MulF,
    /// Signed min (`less`) or max.
    SelI(bool),
    /// Unsigned min or max.
    SelU(bool),
    /// Float min or max (a NaN operand yields the other one).
    SelF(bool),
    /// Comparisons with the conditional modifier's code (1..=6).
    CmpI(u8),
    CmpU(u8),
    CmpF(u8),
    /// `src0 + src1 * src2` on floats, rounded once.
    MadF,
}

/// An ALU instruction in lane-array form (see the module documentation).
#[derive(Clone, Debug)]
pub(crate) struct Compiled {
    kind: Kind,
    /// Destination byte offset, byte stride and element size (4, or 2 for word types,
    /// which keep the low half of the 32-bit result) (`None`: a CMP to the null register).
    dst: Option<(usize, usize, usize)>,
    /// A bit per register `dst` covers.
    dst_regs: u128,
    srcs: [Operand; 3],
    /// `run_n` for the instruction's width, chosen once here rather than per run.
    run: RunFn,
}

type RunFn = fn(&Compiled, &mut [u8], u32) -> Option<u32>;

/// The lane loop for `n` channels.
fn run_fn(n: usize) -> RunFn {
    match n {
        1 => Compiled::run_n::<1>,
        2 => Compiled::run_n::<2>,
        4 => Compiled::run_n::<4>,
        8 => Compiled::run_n::<8>,
        16 => Compiled::run_n::<16>,
        _ => Compiled::run_n::<32>,
    }
}

/// The lane-array form of `inst`, when the fast path computes it exactly as the general
/// path does; `None` otherwise.
pub(crate) fn compile(inst: &Inst) -> Option<Compiled> {
    let n = inst.exec_size as usize;
    if inst.sat
        || inst.acc_wr
        || !matches!(
            inst.op,
            Op::Mov
                | Op::Add
                | Op::Mul
                | Op::And
                | Op::Or
                | Op::Xor
                | Op::Shl
                | Op::Shr
                | Op::Cmp
                | Op::Sel
                | Op::Mad
        )
    {
        return None;
    }
    let (ddom, size) = match inst.dst.ty {
        Ty::Uw => (Domain::U32, 2),
        Ty::W => (Domain::I32, 2),
        t => (domain(t)?, 4),
    };
    let dst = match inst.dst.file {
        RegFile::Grf(o) => Some((o as usize, size * inst.dst.hstride as usize, size)),
        RegFile::Null if inst.op == Op::Cmp => None,
        _ => return None,
    };
    if let Some((o, stride, size)) = dst {
        if o + stride * (n - 1) + size > super::thread::GRF_BYTES {
            return None;
        }
    }
    if inst.op == Op::Mad {
        if inst.cond != 0 || ddom != Domain::F32 || dst.is_none() {
            return None;
        }
        let mut srcs = [Operand::Imm(0), Operand::Imm(0), Operand::Imm(0)];
        for (o, src) in srcs.iter_mut().zip(&inst.srcs) {
            let (op, d) = resolve(src, n)?;
            if d != Domain::F32 {
                return None;
            }
            *o = op;
        }
        return Some(Compiled {
            kind: Kind::MadF,
            dst,
            dst_regs: regs_of(dst, n),
            srcs,
            run: run_fn(n),
        });
    }
    let binary = match inst.op {
        Op::Mov => false,
        Op::Sel if inst.cond == 4 || inst.cond == 5 => true,
        Op::Sel => return None,
        _ => true,
    };
    if inst.cond != 0 && !matches!(inst.op, Op::Cmp | Op::Sel) {
        return None;
    }
    if inst.op == Op::Cmp && !(1..=6).contains(&inst.cond) {
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
    let less = inst.cond == 5;
    let kind = match (inst.op, float) {
        (Op::Mov, false) if ddom == Domain::F32 && adom == Domain::I32 => Kind::MovIToF,
        (Op::Mov, false) if ddom == Domain::F32 => Kind::MovUToF,
        (Op::Mov, _) => Kind::Mov,
        (Op::Add, false) => Kind::AddI,
        (Op::Mul, false) => Kind::MulI,
        (Op::And, _) => Kind::And,
        (Op::Or, _) => Kind::Or,
        (Op::Xor, _) => Kind::Xor,
        (Op::Shl, _) => Kind::Shl,
        (Op::Shr, _) => Kind::Shr,
        (Op::Add, true) => Kind::AddF,
        (Op::Mul, true) => Kind::MulF,
        (Op::Sel, false) if signed => Kind::SelI(less),
        (Op::Sel, false) => Kind::SelU(less),
        (Op::Sel, true) => Kind::SelF(less),
        (Op::Cmp, true) => Kind::CmpF(inst.cond),
        (Op::Cmp, false) if signed => Kind::CmpI(inst.cond),
        (Op::Cmp, false) => Kind::CmpU(inst.cond),
        _ => return None,
    };
    Some(Compiled {
        kind,
        dst,
        dst_regs: regs_of(dst, n),
        srcs: [a, b, Operand::Imm(0)],
        run: run_fn(n),
    })
}

/// A bit per register that `n` elements at `dst` (offset, stride, size) touch.
fn regs_of(dst: Option<(usize, usize, usize)>, n: usize) -> u128 {
    dst.map_or(0, |(base, stride, size)| {
        super::thread::register_bits(base, base + stride * (n - 1) + size)
    })
}

fn holds<T: PartialOrd>(cond: u8, p: T, q: T) -> bool {
    match cond {
        1 => p == q,
        2 => p != q,
        3 => p > q,
        4 => p >= q,
        5 => p < q,
        _ => p <= q,
    }
}

impl Compiled {
    /// A bit for each register the instruction may write.
    pub(crate) fn dst_regs(&self) -> u128 {
        self.dst_regs
    }

    /// Runs the instruction on the lanes set in `lanes` (bit 0 = its first channel).
    /// Returns the flag bits a CMP produced (instruction channels).
    #[inline]
    pub(crate) fn run(&self, grf: &mut [u8], lanes: u32) -> Option<u32> {
        // One loop per SIMD width, so that each is unrolled and vectorised for its size.
        (self.run)(self, grf, lanes)
    }

    fn run_n<const N: usize>(&self, grf: &mut [u8], lanes: u32) -> Option<u32> {
        let n = N;
        let full = if N >= 32 { u32::MAX } else { (1u32 << N) - 1 };
        let a: [u32; N] = gather(grf, &self.srcs[0]);
        let b: [u32; N] = gather(grf, &self.srcs[1]);
        let mut out = [0u32; N];
        let fl = f32::from_bits;
        macro_rules! each {
            ($f:expr) => {
                for ((o, &x), &y) in out.iter_mut().zip(&a).zip(&b) {
                    *o = $f(x, y);
                }
            };
        }
        let mut flags = None;
        match self.kind {
            Kind::Mov => out = a,
            Kind::MovIToF => each!(|x: u32, _| (x as i32 as f32).to_bits()),
            Kind::MovUToF => each!(|x: u32, _| (x as f32).to_bits()),
            Kind::AddI => each!(|x: u32, y: u32| x.wrapping_add(y)),
            Kind::MulI => each!(|x: u32, y: u32| x.wrapping_mul(y)),
            Kind::And => each!(|x: u32, y: u32| x & y),
            Kind::Or => each!(|x: u32, y: u32| x | y),
            Kind::Xor => each!(|x: u32, y: u32| x ^ y),
            Kind::Shl => each!(|x: u32, y: u32| x << (y & 31)),
            Kind::Shr => each!(|x: u32, y: u32| x >> (y & 31)),
            Kind::AddF => each!(|x, y| (fl(x) + fl(y)).to_bits()),
            Kind::MulF => each!(|x, y| (fl(x) * fl(y)).to_bits()),
            Kind::SelI(less) => {
                each!(|x: u32, y: u32| if ((x as i32) < (y as i32)) == less {
                    x
                } else {
                    y
                })
            }
            Kind::SelU(less) => each!(|x: u32, y: u32| if (x < y) == less { x } else { y }),
            Kind::SelF(less) => each!(|x: u32, y: u32| {
                let (p, q) = (fl(x), fl(y));
                if !p.is_nan() && (q.is_nan() || (p < q) == less) {
                    x
                } else {
                    y
                }
            }),
            Kind::CmpI(c) | Kind::CmpU(c) | Kind::CmpF(c) => {
                let mut bits = 0u32;
                for (i, o) in out.iter_mut().enumerate() {
                    let (x, y) = (a[i], b[i]);
                    let hit = match self.kind {
                        Kind::CmpF(_) => holds(c, fl(x), fl(y)),
                        Kind::CmpI(_) => holds(c, x as i32, y as i32),
                        _ => holds(c, x, y),
                    };
                    if hit {
                        bits |= 1 << i;
                        *o = u32::MAX;
                    }
                }
                flags = Some(bits & lanes);
            }
            Kind::MadF => {
                let c: [u32; N] = gather(grf, &self.srcs[2]);
                let f = |x: u32| f64::from(fl(x));
                for i in 0..n {
                    out[i] = ((f(a[i]) + f(b[i]) * f(c[i])) as f32).to_bits();
                }
            }
        }
        match self.dst {
            Some((base, 4, 4)) if lanes & full == full => {
                // Every lane: one copy.
                let dst = &mut grf[base..base + 4 * n];
                for (d, v) in dst.chunks_exact_mut(4).zip(&out) {
                    d.copy_from_slice(&v.to_le_bytes());
                }
            }
            Some((base, 4, 4)) => {
                let dst = &mut grf[base..base + 4 * n];
                for (i, (d, v)) in dst.chunks_exact_mut(4).zip(&out).enumerate() {
                    if lanes >> i & 1 != 0 {
                        d.copy_from_slice(&v.to_le_bytes());
                    }
                }
            }
            Some((base, 2, 2)) if lanes & full == full => {
                let dst = &mut grf[base..base + 2 * n];
                for (d, v) in dst.chunks_exact_mut(2).zip(&out) {
                    d.copy_from_slice(&(*v as u16).to_le_bytes());
                }
            }
            Some((base, 2, 2)) => {
                // Packed words (a fixed size: no copy of a run-time length).
                for (i, v) in out.iter().enumerate() {
                    if lanes >> i & 1 != 0 {
                        let o = base + 2 * i;
                        grf[o..o + 2].copy_from_slice(&(*v as u16).to_le_bytes());
                    }
                }
            }
            Some((base, stride, size)) => {
                for (i, v) in out.iter().enumerate() {
                    if lanes >> i & 1 != 0 {
                        let o = base + i * stride;
                        grf[o..o + size].copy_from_slice(&v.to_le_bytes()[..size]);
                    }
                }
            }
            None => {}
        }
        flags
    }
}
