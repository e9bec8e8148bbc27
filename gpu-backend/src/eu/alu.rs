//! What each ALU opcode computes on one channel. Integers are computed exactly and wrapped
//! or saturated when written to the destination type; floats are computed in double
//! precision and rounded once to the destination type (exact for f32 add, mul and the
//! conversions, as double has more than twice f32's precision).

use super::isa::{Inst, Op, Ty};
use super::thread::Val;
use super::EuError;

/// Bit width of an integer operation (shift counts and rotates wrap at it).
fn int_width(inst: &Inst) -> u32 {
    let wide = inst.dst.ty.size() == 8
        || inst.srcs[..inst.nsrc as usize]
            .iter()
            .any(|s| s.ty().size() == 8);
    if wide {
        64
    } else {
        32
    }
}

/// Raw unsigned bits of an integer value of source type `ty`.
fn unsigned_of(v: i128, ty: Ty) -> i128 {
    match ty.size() {
        1 => v & 0xff,
        2 => v & 0xffff,
        4 => v & 0xffff_ffff,
        _ => v & 0xffff_ffff_ffff_ffff,
    }
}

/// Computes one channel's result. `p` is the channel's predicate (SEL without a
/// conditional modifier chooses by it).
pub(crate) fn compute(
    inst: &Inst,
    [a, b, c]: [Val; 3],
    float: bool,
    p: bool,
) -> Result<Val, EuError> {
    let unsupported = |what: &str| EuError::new(format!("{what} of {:?}", inst.op));
    let v = match inst.op {
        Op::Mov => a,
        Op::Sel => {
            if inst.cond == 0 {
                if p {
                    a
                } else {
                    b
                }
            } else {
                // sel.l is min, sel.ge max; a NaN operand yields the other one.
                let take_a = match (float, a, b) {
                    (true, _, _) if a.f().is_nan() => false,
                    (true, _, _) if b.f().is_nan() => true,
                    _ => compare(inst.cond, a, b, float)?,
                };
                if take_a {
                    a
                } else {
                    b
                }
            }
        }
        Op::Cmp => a,
        Op::Add if float => Val::F(a.f() + b.f()),
        Op::Add => Val::I(a.i().wrapping_add(b.i())),
        Op::Mul if float => Val::F(a.f() * b.f()),
        Op::Mul => Val::I(a.i().wrapping_mul(b.i())),
        Op::Avg if !float => Val::I((a.i() + b.i() + 1) >> 1),
        Op::And if !float => Val::I(a.i() & b.i()),
        Op::Or if !float => Val::I(a.i() | b.i()),
        Op::Xor if !float => Val::I(a.i() ^ b.i()),
        Op::Not if !float => Val::I(!a.i()),
        Op::Shl | Op::Shr | Op::Asr | Op::Ror | Op::Rol if !float => {
            let w = int_width(inst);
            let n = (b.i() as u32) & (w - 1);
            let t0 = inst.srcs[0].ty();
            let mask: i128 = if w == 64 {
                0xffff_ffff_ffff_ffff
            } else {
                0xffff_ffff
            };
            match inst.op {
                Op::Shl => Val::I(a.i() << n),
                Op::Shr => Val::I(unsigned_of(a.i(), t0) >> n),
                Op::Asr => Val::I(a.i() >> n),
                Op::Ror => {
                    let x = a.i() & mask;
                    Val::I(((x >> n) | (x << ((w - n) % w))) & mask)
                }
                _ => {
                    let x = a.i() & mask;
                    Val::I(((x << n) | (x >> ((w - n) % w))) & mask)
                }
            }
        }
        Op::Bfrev if !float => Val::I((a.i() as u32).reverse_bits() as i128),
        Op::Cbit if !float => Val::I((a.i() as u32).count_ones() as i128),
        Op::Lzd if !float => Val::I((a.i() as u32).leading_zeros() as i128),
        Op::Fbl if !float => {
            let x = a.i() as u32;
            Val::I(if x == 0 {
                0xffff_ffff
            } else {
                x.trailing_zeros() as i128
            })
        }
        Op::Fbh if !float => {
            // Signed sources: the first bit (from the top) that differs from the sign bit.
            let mut x = a.i() as u32;
            if inst.srcs[0].ty().is_signed() && x >> 31 != 0 {
                x = !x;
            }
            Val::I(if x == 0 {
                0xffff_ffff
            } else {
                x.leading_zeros() as i128
            })
        }
        Op::Frc if float => Val::F(a.f() - a.f().floor()),
        Op::Rndd if float => Val::F(a.f().floor()),
        Op::Rndu if float => Val::F(a.f().ceil()),
        Op::Rndz if float => Val::F(a.f().trunc()),
        Op::Rnde if float => Val::F(a.f().round_ties_even()),
        Op::Math => math(inst, a, b, float)?,
        Op::Mad if float => Val::F(a.f() + b.f() * c.f()),
        Op::Mad => Val::I(a.i().wrapping_add(b.i().wrapping_mul(c.i()))),
        Op::Lrp if float => Val::F(a.f() * b.f() + (1.0 - a.f()) * c.f()),
        Op::Csel => {
            let fl = inst.srcs[2].ty().is_float();
            if compare(inst.cond, c, Val::I(0), fl)? {
                a
            } else {
                b
            }
        }
        Op::Bfe if !float => {
            let (width, offset) = ((a.i() as u32) & 31, (b.i() as u32) & 31);
            let x = c.i() as u32;
            if width == 0 {
                Val::I(0)
            } else if width + offset < 32 {
                let field = (x >> offset) & ((1u32 << width) - 1);
                if inst.dst.ty.is_signed() && field >> (width - 1) & 1 != 0 {
                    Val::I((field | !((1u32 << width) - 1)) as i32 as i128)
                } else {
                    Val::I(field as i128)
                }
            } else if inst.dst.ty.is_signed() {
                Val::I(((x as i32) >> offset) as i128)
            } else {
                Val::I((x >> offset) as i128)
            }
        }
        Op::Bfi1 if !float => {
            let (width, offset) = ((a.i() as u32) & 31, (b.i() as u32) & 31);
            Val::I((((1u64 << width) - 1) << offset) as u32 as i128)
        }
        Op::Bfi2 if !float => Val::I((a.i() & b.i()) | (!a.i() & c.i())),
        // The compilers pair MACH with a MUL into the accumulator: with AccWrEn the
        // pair yields the high half of the 64-bit product (Mesa's and IGC's mul-high),
        // without it the low half (IGC's 32x32 multiply).
        // The carry or borrow goes to the accumulator (see `Thread::alu`).
        Op::Addc if !float => Val::I((a.i() + b.i()) & 0xffff_ffff),
        Op::Subb if !float => Val::I((a.i() - b.i()) & 0xffff_ffff),
        Op::Mach if !float && inst.acc_wr => Val::I((a.i() * b.i()) >> 32),
        Op::Mach if !float => Val::I(a.i().wrapping_mul(b.i())),
        _ => {
            return Err(unsupported(if float {
                "float operands"
            } else {
                "integer operands"
            }))
        }
    };
    Ok(v)
}

/// The extended math functions (the MATH instruction's function field).
fn math(inst: &Inst, a: Val, b: Val, float: bool) -> Result<Val, EuError> {
    let f = inst.cond;
    Ok(match (f, float) {
        (1, true) => Val::F(1.0 / a.f()),
        (2, true) => Val::F(a.f().log2()),
        (3, true) => Val::F(a.f().exp2()),
        (4, true) => Val::F(a.f().sqrt()),
        (5, true) => Val::F(1.0 / a.f().sqrt()),
        (6, true) => Val::F(a.f().sin()),
        (7, true) => Val::F(a.f().cos()),
        (9, true) => Val::F(a.f() / b.f()),
        (10, true) => Val::F(a.f().powf(b.f())),
        // Integer quotient and remainder; division by zero gives all ones (quotient) and
        // the dividend (remainder), as the hardware's unsigned divider does.
        (12, false) => Val::I(if b.i() == 0 { -1 } else { a.i() / b.i() }),
        (13, false) => Val::I(if b.i() == 0 { a.i() } else { a.i() % b.i() }),
        _ => return Err(EuError::new(format!("math function {f}"))),
    })
}

/// Evaluates conditional modifier `cond` on `a` against `b`.
pub(crate) fn compare(cond: u8, a: Val, b: Val, float: bool) -> Result<bool, EuError> {
    if float {
        let (x, y) = (a.f(), b.f());
        return Ok(match cond {
            1 => x == y,
            2 => x != y,
            3 => x > y,
            4 => x >= y,
            5 => x < y,
            6 => x <= y,
            8 => x.is_infinite(),
            9 => x.is_nan() || y.is_nan(),
            _ => return Err(EuError::new(format!("conditional modifier {cond}"))),
        });
    }
    let (x, y) = (a.i(), b.i());
    Ok(match cond {
        1 => x == y,
        2 => x != y,
        3 => x > y,
        4 => x >= y,
        5 => x < y,
        6 => x <= y,
        _ => return Err(EuError::new(format!("conditional modifier {cond}"))),
    })
}
