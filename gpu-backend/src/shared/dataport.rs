//! Data port messages on DC1: media block read/write on 2D surfaces, and untyped surface
//! read/write (per-channel dwords) on buffers, stateless memory and shared local memory.

use super::{Dataport, Payload};
use crate::eu::isa::{desc_mlen, desc_rlen, ex_desc_mlen, Inst, Message};
use crate::eu::thread::{Stop, Thread, GRF_BYTES};
use crate::eu::EuError;
use crate::mem::{read_mem, GPU_ADDR_MASK};
use crate::surface::{Surface, SurfaceType};

/// DC1 message types (descriptor bits 18:14).
mod msg {
    pub const UNTYPED_READ: u32 = 0x01;
    pub const UNTYPED_ATOMIC: u32 = 0x02;
    pub const A64_SCATTERED_READ: u32 = 0x10;
    pub const A64_UNTYPED_READ: u32 = 0x11;
    pub const A64_UNTYPED_ATOMIC: u32 = 0x12;
    pub const A64_UNTYPED_WRITE: u32 = 0x19;
    pub const A64_SCATTERED_WRITE: u32 = 0x1a;
    pub const A64_OWORD_BLOCK_READ: u32 = 0x14;
    pub const A64_OWORD_BLOCK_WRITE: u32 = 0x15;
    pub const UNTYPED_ATOMIC_FLOAT: u32 = 0x1b;
    pub const A64_UNTYPED_ATOMIC_FLOAT: u32 = 0x1d;
    pub const MEDIA_BLOCK_READ: u32 = 0x04;
    pub const TYPED_READ: u32 = 0x05;
    pub const TYPED_ATOMIC: u32 = 0x06;
    pub const TYPED_WRITE: u32 = 0x0d;
    pub const UNTYPED_WRITE: u32 = 0x09;
    pub const MEDIA_BLOCK_WRITE: u32 = 0x0a;
}

/// Binding table index of stateless (A32, relative to General State Base) accesses.
const BTI_STATELESS: u32 = 0xff;
/// Binding table index of shared local memory.
const BTI_SLM: u32 = 0xfe;
/// Binding table index of bindless surfaces (the surface state comes from the extended
/// descriptor).
const BTI_BINDLESS: u32 = 0xfc;
/// Binding table index of non-coherent stateless accesses.
const BTI_STATELESS_NC: u32 = 0xfd;

/// DC0 message types (descriptor bits 18:14).
mod dc0_msg {
    pub const OWORD_BLOCK_READ: u32 = 0x00;
    pub const UNALIGNED_OWORD_BLOCK_READ: u32 = 0x01;
    pub const DWORD_SCATTERED_READ: u32 = 0x03;
    pub const BYTE_SCATTERED_READ: u32 = 0x04;
    pub const MEMORY_FENCE: u32 = 0x07;
    pub const OWORD_BLOCK_WRITE: u32 = 0x08;
    pub const DWORD_SCATTERED_WRITE: u32 = 0x0b;
    pub const BYTE_SCATTERED_WRITE: u32 = 0x0c;
}

/// DC0 descriptor bit 18: the scratch block messages (bits 17:0 are their own fields).
const DC0_SCRATCH: u32 = 1 << 18;

/// Performs a DC0 message.
pub(super) fn dc0(
    dp: &mut Dataport<'_>,
    inst: &Inst,
    desc: u32,
    mask: u32,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    if desc & DC0_SCRATCH != 0 {
        return super::block::scratch(dp, inst, desc, mask, p, response);
    }
    match desc >> 14 & 0x1f {
        // Everything is already visible; the response (if any) only orders.
        dc0_msg::MEMORY_FENCE => Ok(()),
        t @ (dc0_msg::OWORD_BLOCK_READ
        | dc0_msg::UNALIGNED_OWORD_BLOCK_READ
        | dc0_msg::OWORD_BLOCK_WRITE) => super::block::oword_block(
            dp,
            desc,
            t == dc0_msg::OWORD_BLOCK_WRITE,
            t == dc0_msg::UNALIGNED_OWORD_BLOCK_READ,
            p,
            response,
        ),
        t @ (dc0_msg::BYTE_SCATTERED_READ
        | dc0_msg::BYTE_SCATTERED_WRITE
        | dc0_msg::DWORD_SCATTERED_READ
        | dc0_msg::DWORD_SCATTERED_WRITE) => {
            let simd = if desc >> 8 & 1 != 0 { 16 } else { 8 };
            let dwords = matches!(
                t,
                dc0_msg::DWORD_SCATTERED_READ | dc0_msg::DWORD_SCATTERED_WRITE
            );
            // Byte scattered: element size in bits 11:10, byte offsets. DWord scattered:
            // dwords at dword offsets.
            let (size, scale) = if dwords {
                (4, 4)
            } else {
                (element_bytes(desc >> 10 & 3)?, 1)
            };
            let write = matches!(
                t,
                dc0_msg::BYTE_SCATTERED_WRITE | dc0_msg::DWORD_SCATTERED_WRITE
            );
            let h = header(desc, p);
            if let Some(h) = h.filter(|h| h[2] != 0) {
                return Err(EuError::new(format!(
                    "scattered message with global offset {:#x} in its header",
                    h[2]
                )));
            }
            let first = if h.is_some() { 8 } else { 0 };
            p.need(first + simd * (1 + usize::from(write)), "scattered message")?;
            let target = target_with_header(dp, desc & 0xff, h.as_ref())?;
            for ch in (0..simd).filter(|c| mask >> c & 1 != 0) {
                let off = u64::from(p.ud(first + ch)) * scale;
                if write {
                    let v = p.ud(first + simd + ch).to_le_bytes();
                    store_bytes(dp, &target, off, &v[..size])?;
                } else {
                    let mut v = [0u8; 4];
                    load_bytes(dp, &target, off, &mut v[..size])?;
                    put_dword(response, ch, u32::from_le_bytes(v));
                }
            }
            Ok(())
        }
        t => Err(EuError::new(format!(
            "DC0 message type {t:#x} (descriptor {desc:#010x})"
        ))),
    }
}

/// Bytes per element of a scattered message's data size field.
pub(super) fn element_bytes(ds: u32) -> Result<usize, EuError> {
    match ds {
        0 => Ok(1),
        1 => Ok(2),
        2 => Ok(4),
        d => Err(EuError::new(format!("scattered data size {d}"))),
    }
}

pub(super) fn put_dword(response: &mut [u8], slot: usize, v: u32) {
    if let Some(o) = response.get_mut(4 * slot..4 * slot + 4) {
        o.copy_from_slice(&v.to_le_bytes());
    }
}

/// The 64-bit address of channel `ch` in an A64 payload (qwords, channel order).
fn a64_addr(p: &Payload, ch: usize) -> u64 {
    u64::from(p.ud(2 * ch)) | u64::from(p.ud(2 * ch + 1)) << 32
}

/// A64 messages: flat 64-bit GPU addresses per channel.
fn a64(
    dp: &mut Dataport<'_>,
    kind: u32,
    desc: u32,
    mask: u32,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let flat = Target::Memory {
        base: 0,
        limit: u64::MAX,
    };
    match kind {
        msg::A64_UNTYPED_READ | msg::A64_UNTYPED_WRITE => {
            let simd = match desc >> 12 & 3 {
                1 => 16,
                2 => 8,
                m => return Err(EuError::new(format!("A64 untyped SIMD mode {m}"))),
            };
            let (comps, ncomps) = components(desc);
            let comps = &comps[..ncomps];
            let data = 2 * simd;
            for ch in (0..simd).filter(|c| mask >> c & 1 != 0) {
                let addr = a64_addr(p, ch);
                for (k, &c) in comps.iter().enumerate() {
                    let slot = k * simd + ch;
                    if kind == msg::A64_UNTYPED_WRITE {
                        store_dword(dp, &flat, addr + 4 * c, p.ud(data + slot))?;
                    } else {
                        let v = load_dword(dp, &flat, addr + 4 * c)?;
                        put_dword(response, slot, v);
                    }
                }
            }
            Ok(())
        }
        msg::A64_SCATTERED_READ | msg::A64_SCATTERED_WRITE => {
            if desc >> 8 & 3 != 0 {
                return Err(EuError::new("A64 scattered message of dwords or qwords"));
            }
            let simd = if desc >> 12 & 1 != 0 { 16 } else { 8 };
            let size = element_bytes(desc >> 10 & 3)?;
            for ch in (0..simd).filter(|c| mask >> c & 1 != 0) {
                let addr = a64_addr(p, ch);
                if kind == msg::A64_SCATTERED_WRITE {
                    let v = p.ud(2 * simd + ch).to_le_bytes();
                    store_bytes(dp, &flat, addr, &v[..size])?;
                } else {
                    let mut v = [0u8; 4];
                    load_bytes(dp, &flat, addr, &mut v[..size])?;
                    put_dword(response, ch, u32::from_le_bytes(v));
                }
            }
            Ok(())
        }
        msg::A64_UNTYPED_ATOMIC if desc >> 12 & 1 != 0 => {
            // 64-bit: eight addresses, then eight qword operands (and eight more for
            // compare-and-write); the old qwords come back in two registers.
            let returns = desc >> 13 & 1 != 0;
            let op = desc >> 8 & 0xf;
            let n = atomic_operands(op, false);
            let q = |k: usize, i: usize| {
                u64::from(operand(p, n, k, 2 * i)) | u64::from(operand(p, n, k, 2 * i + 1)) << 32
            };
            // An operation that does not exist is refused before any memory moves.
            atomic_op64(op, 0, 0, 0)?;
            for ch in (0..8).filter(|c| mask >> c & 1 != 0) {
                let addr = a64_addr(p, ch);
                let mut b = [0u8; 8];
                load_bytes(dp, &flat, addr, &mut b)?;
                let old = u64::from_le_bytes(b);
                let new = atomic_op64(op, old, q(0, 8 + ch), q(1, 16 + ch))?;
                store_bytes(dp, &flat, addr, &new.to_le_bytes())?;
                if returns {
                    put_dword(response, 2 * ch, old as u32);
                    put_dword(response, 2 * ch + 1, (old >> 32) as u32);
                }
            }
            Ok(())
        }
        msg::A64_UNTYPED_ATOMIC | msg::A64_UNTYPED_ATOMIC_FLOAT => {
            let float = kind == msg::A64_UNTYPED_ATOMIC_FLOAT;
            let returns = desc >> 13 & 1 != 0;
            let op = desc >> 8 & if float { 3 } else { 0xf };
            dword_atomic(float, op, 0, 0, 0)?;
            let n = atomic_operands(op, float);
            // SIMD8: eight addresses (two registers), then the operands.
            for ch in (0..8).filter(|c| mask >> c & 1 != 0) {
                let addr = a64_addr(p, ch);
                let (a, b) = (operand(p, n, 0, 16 + ch), operand(p, n, 1, 24 + ch));
                let old = load_dword(dp, &flat, addr)?;
                store_dword(dp, &flat, addr, dword_atomic(float, op, old, a, b)?)?;
                if returns {
                    put_dword(response, ch, old);
                }
            }
            Ok(())
        }
        _ => unreachable!("a64() called with a non-A64 message"),
    }
}

/// Runs an atomic message's read-modify-writes as one step with respect to every other
/// atomic message: thread groups of one dispatch may run on several host threads.
fn atomically<R>(f: impl FnOnce() -> R) -> R {
    static ATOMICS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _held = ATOMICS.lock().unwrap_or_else(|p| p.into_inner());
    f()
}

/// The channels (0 = red … 3 = alpha) an untyped message moves, in order, and how many:
/// descriptor bits 11:8 mask them off.
fn components(desc: u32) -> ([u64; 4], usize) {
    let mut comps = [0u64; 4];
    let mut n = 0;
    for c in 0..4 {
        if desc >> (8 + c) & 1 == 0 {
            comps[n] = c;
            n += 1;
        }
    }
    (comps, n)
}

/// Performs a DC1 message.
pub(super) fn dc1(
    dp: &mut Dataport<'_>,
    desc: u32,
    mask: u32,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let kind = desc >> 14 & 0x1f;
    let bti = desc & 0xff;
    match kind {
        msg::MEDIA_BLOCK_WRITE | msg::MEDIA_BLOCK_READ => {
            if desc >> 19 & 1 == 0 {
                return Err(EuError::new("media block message without a header"));
            }
            let s = surface(dp, bti)?;
            media_block(dp, &s, kind == msg::MEDIA_BLOCK_WRITE, p, response)
        }
        msg::UNTYPED_ATOMIC | msg::UNTYPED_ATOMIC_FLOAT => atomically(|| {
            untyped_atomic(
                dp,
                desc,
                mask,
                kind == msg::UNTYPED_ATOMIC_FLOAT,
                p,
                response,
            )
        }),
        msg::TYPED_READ | msg::TYPED_WRITE => {
            super::typed::read_write(dp, desc, mask, kind == msg::TYPED_WRITE, p, response)
        }
        msg::TYPED_ATOMIC => atomically(|| super::typed::atomic(dp, desc, mask, p, response)),
        msg::A64_OWORD_BLOCK_READ | msg::A64_OWORD_BLOCK_WRITE => {
            super::block::a64_oword_block(dp, desc, kind == msg::A64_OWORD_BLOCK_WRITE, p, response)
        }
        msg::A64_UNTYPED_ATOMIC | msg::A64_UNTYPED_ATOMIC_FLOAT => {
            atomically(|| a64(dp, kind, desc, mask, p, response))
        }
        msg::A64_SCATTERED_READ
        | msg::A64_UNTYPED_READ
        | msg::A64_UNTYPED_WRITE
        | msg::A64_SCATTERED_WRITE => a64(dp, kind, desc, mask, p, response),
        msg::UNTYPED_READ | msg::UNTYPED_WRITE => {
            untyped(dp, desc, mask, kind == msg::UNTYPED_WRITE, p, response)
        }
        t => Err(EuError::new(format!(
            "DC1 message type {t:#x} (descriptor {desc:#010x})"
        ))),
    }
}

/// The surface behind binding table entry `bti`.
pub(super) fn surface(dp: &mut Dataport<'_>, bti: u32) -> Result<Surface, EuError> {
    surface_index(dp, bti).map(|i| dp.surfaces[i].1)
}

/// Where the surface behind `bti` is in the dispatch's decoded surfaces (decoding it on
/// first use); messages that need a few of its fields read them there, without a copy.
fn surface_index(dp: &mut Dataport<'_>, bti: u32) -> Result<usize, EuError> {
    let key = (bti, if bti == BTI_BINDLESS { dp.ex_desc } else { 0 });
    if let Some(i) = dp.surfaces.iter().position(|(k, _)| *k == key) {
        return Ok(i);
    }
    let s = load_surface(dp, bti)?;
    dp.surfaces.push((key, s));
    Ok(dp.surfaces.len() - 1)
}

/// Reads and decodes the surface state `bti` names.
fn load_surface(dp: &Dataport<'_>, bti: u32) -> Result<Surface, EuError> {
    if bti == BTI_BINDLESS {
        // Extended descriptor bits 31:12 are bits 25:6 of the surface state's offset
        // from the Bindless Surface State Base.
        let off = u64::from(dp.ex_desc >> 12) << 6;
        return Surface::load(
            dp.space,
            (dp.bindless_surface_base + off) & crate::mem::GPU_ADDR_MASK,
        );
    }
    if bti >= 0xf0 {
        return Err(EuError::new(format!(
            "binding table index {bti:#x} for a surface message"
        )));
    }
    let entry_addr = dp.binding_table + 4 * u64::from(bti);
    let mut b = [0u8; 4];
    read_mem(dp.space, entry_addr, &mut b)
        .map_err(|f| EuError::new(format!("binding table fault at {:#x}", f.addr)))?;
    let entry = u32::from_le_bytes(b) & !0x3f;
    Surface::load(dp.space, dp.surface_state_base + u64::from(entry))
}

/// Bytes a row of `width` bytes occupies in the registers of a media block message.
fn row_stride(width: u64) -> u64 {
    width.next_power_of_two().max(4)
}

/// Media block read/write: a rectangle of bytes at (X, Y) from the header; rows packed in
/// the registers at a power-of-two stride. The surface is `width` dwords wide; writes
/// outside it are dropped, reads outside it return the nearest edge byte.
fn media_block(
    dp: &mut Dataport<'_>,
    s: &Surface,
    write: bool,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let x0 = p.ud(0) as i32 as i64;
    let y0 = p.ud(1) as i32 as i64;
    let width = u64::from(p.ud(2) & 0x3f) + 1;
    let height = u64::from(p.ud(2) >> 16 & 0x3f) + 1;
    let stride = row_stride(width);
    // Media block messages take the surface width in dwords whatever the format (IGT's
    // R8 fill surfaces rely on it: their width field counts dwords).
    let row_bytes = i64::from(s.width) * 4;
    let rows = i64::from(s.height);
    if s.ty == SurfaceType::Null {
        return Ok(());
    }
    let mut row = [0u8; 64];
    for r in 0..height {
        let y = y0 + r as i64;
        let reg = (r * stride) as usize;
        if write {
            if y < 0 || y >= rows {
                continue;
            }
            let (lo, hi) = (x0.max(0), (x0 + width as i64).min(row_bytes));
            if lo >= hi {
                continue;
            }
            // The header is the first register; the rows follow it.
            for (k, b) in row[..(hi - lo) as usize].iter_mut().enumerate() {
                let at = reg + (lo - x0) as usize + k;
                *b = (p.ud(8 + at / 4) >> (8 * (at % 4))) as u8;
            }
            span(
                dp,
                s,
                lo as u64,
                y as u64,
                &mut row[..(hi - lo) as usize],
                true,
            )?;
        } else {
            // Outside the surface the nearest edge byte repeats: read the clamped run
            // once, then pick each byte from it.
            let yc = y.clamp(0, rows - 1) as u64;
            let (lo, hi) = (
                x0.clamp(0, row_bytes - 1),
                (x0 + width as i64 - 1).clamp(0, row_bytes - 1),
            );
            let run = &mut row[..(hi - lo + 1) as usize];
            span(dp, s, lo as u64, yc, run, false)?;
            for i in 0..width as i64 {
                let xc = (x0 + i).clamp(0, row_bytes - 1);
                if let Some(o) = response.get_mut(reg + i as usize) {
                    *o = run[(xc - lo) as usize];
                }
            }
        }
    }
    Ok(())
}

/// Writes (or reads into) `bytes` from byte `x` of row `y`, split where the layout
/// breaks runs.
fn span(
    dp: &mut Dataport<'_>,
    s: &Surface,
    x: u64,
    y: u64,
    bytes: &mut [u8],
    write: bool,
) -> Result<(), EuError> {
    let mut done = 0usize;
    while done < bytes.len() {
        let at = x + done as u64;
        let run = (s.tiling.run(at) as usize).min(bytes.len() - done);
        let part = &mut bytes[done..done + run];
        let r = if write {
            dp.write(s.addr(at, y), part)
        } else {
            dp.read(s.addr(at, y), part)
        };
        r.map_err(|f| EuError::new(format!("media block fault at {:#x}", f.addr)))?;
        done += run;
    }
    Ok(())
}

/// The buffer base of a stateless (A32) message with a header: bits 31:10 of its fifth
/// dword, an offset from General State Base (compilers put the thread's scratch pointer
/// from r0.5 there).
pub(super) fn header_base(header: Option<&[u32; 8]>) -> u64 {
    header.map_or(0, |h| u64::from(h[5] & 0xffff_fc00))
}

/// The first 8 dwords of a message with a header (descriptor bit 19), else `None`.
pub(super) fn header(desc: u32, p: &Payload) -> Option<[u32; 8]> {
    (desc >> 19 & 1 != 0).then(|| std::array::from_fn(|i| p.ud(i)))
}

/// The memory behind binding table index `bti`, for a message whose header (if any) is
/// `header`.
pub(super) fn target_with_header(
    dp: &mut Dataport<'_>,
    bti: u32,
    header: Option<&[u32; 8]>,
) -> Result<Target, EuError> {
    Ok(match bti {
        BTI_SLM => Target::Slm,
        BTI_STATELESS | BTI_STATELESS_NC => Target::Memory {
            base: dp.general_state_base + header_base(header),
            limit: u64::MAX,
        },
        _ => {
            let i = surface_index(dp, bti)?;
            let s = &dp.surfaces[i].1;
            if s.ty != SurfaceType::Buffer && s.ty != SurfaceType::Null {
                return Err(EuError::new(format!(
                    "untyped message on a {:?} surface (binding table index {bti})",
                    s.ty
                )));
            }
            let limit = if s.ty == SurfaceType::Null {
                0
            } else {
                u64::from(s.width) * u64::from(s.bpp)
            };
            Target::Memory {
                base: s.base,
                limit,
            }
        }
    })
}

/// Untyped atomic (integer, or float when `float`): per enabled channel, a
/// read-modify-write of the dword at its offset (operands follow the addresses); the old
/// values come back when asked for.
fn untyped_atomic(
    dp: &mut Dataport<'_>,
    desc: u32,
    mask: u32,
    float: bool,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let simd = if desc >> 12 & 1 != 0 { 8 } else { 16 };
    let returns = desc >> 13 & 1 != 0;
    let op = desc >> 8 & if float { 3 } else { 0xf };
    // An operation that does not exist is refused before any memory moves.
    dword_atomic(float, op, 0, 0, 0)?;
    let h = header(desc, p);
    let first = if h.is_some() { 8 } else { 0 };
    let t = target_with_header(dp, desc & 0xff, h.as_ref())?;
    for ch in 0..simd {
        if mask >> ch & 1 == 0 {
            continue;
        }
        let off = u64::from(p.ud(first + ch));
        let n = atomic_operands(op, float);
        let a = operand(p, n, 0, first + simd + ch);
        let b = operand(p, n, 1, first + 2 * simd + ch);
        let old = load_dword(dp, &t, off)?;
        let new = dword_atomic(float, op, old, a, b)?;
        store_dword(dp, &t, off, new)?;
        if returns {
            if let Some(o) = response.get_mut(4 * ch..4 * ch + 4) {
                o.copy_from_slice(&old.to_le_bytes());
            }
        }
    }
    Ok(())
}

/// The data port's atomic operations on a dword (`a`, `b` the message's operands).
/// How many operands an atomic operation reads from the payload: none for increment and
/// decrement, two for compare-and-write (integer 14, float 3), one otherwise.
pub(super) fn atomic_operands(op: u32, float: bool) -> usize {
    match (op, float) {
        (5 | 6 | 15, false) => 0,
        (14, false) | (3, true) => 2,
        _ => 1,
    }
}

/// Operand `k` (0 or 1) of an atomic reading `count` operands, at dword `at` of the
/// payload; operands the operation does not read are not in the payload either.
fn operand(p: &Payload, count: usize, k: usize, at: usize) -> u32 {
    if k < count {
        p.ud(at)
    } else {
        0
    }
}

/// A dword atomic operation, integer or float (`float`).
fn dword_atomic(float: bool, op: u32, old: u32, a: u32, b: u32) -> Result<u32, EuError> {
    if float {
        float_atomic_op(op, old, a, b)
    } else {
        atomic_op(op, old, a, b)
    }
}

pub(super) fn atomic_op(op: u32, old: u32, a: u32, b: u32) -> Result<u32, EuError> {
    Ok(match op {
        1 => old & a,
        2 => old | a,
        3 => old ^ a,
        4 => a,
        5 => old.wrapping_add(1),
        6 => old.wrapping_sub(1),
        7 => old.wrapping_add(a),
        8 => old.wrapping_sub(a),
        9 => a.wrapping_sub(old),
        10 => (old as i32).max(a as i32) as u32,
        11 => (old as i32).min(a as i32) as u32,
        12 => old.max(a),
        13 => old.min(a),
        // Compare and write: `a` is the value compared, `b` the one written.
        14 => {
            if old == a {
                b
            } else {
                old
            }
        }
        15 => old.wrapping_sub(1),
        o => return Err(EuError::new(format!("atomic operation {o}"))),
    })
}

/// The data port's atomic operations on a qword (the 64-bit A64 atomics).
fn atomic_op64(op: u32, old: u64, a: u64, b: u64) -> Result<u64, EuError> {
    Ok(match op {
        1 => old & a,
        2 => old | a,
        3 => old ^ a,
        4 => a,
        5 => old.wrapping_add(1),
        6 | 15 => old.wrapping_sub(1),
        7 => old.wrapping_add(a),
        8 => old.wrapping_sub(a),
        9 => a.wrapping_sub(old),
        10 => (old as i64).max(a as i64) as u64,
        11 => (old as i64).min(a as i64) as u64,
        12 => old.max(a),
        13 => old.min(a),
        14 => {
            if old == a {
                b
            } else {
                old
            }
        }
        o => return Err(EuError::new(format!("64-bit atomic operation {o}"))),
    })
}

/// The float atomics on a dword holding an f32: FMAX (1), FMIN (2), FCMPWR (3, writes `b`
/// when the old value equals `a` as floats). A NaN operand loses to a number; -0 is below +0.
fn float_atomic_op(op: u32, old: u32, a: u32, b: u32) -> Result<u32, EuError> {
    let (x, y) = (f32::from_bits(old), f32::from_bits(a));
    // Orders -0 below +0 and agrees with `<` elsewhere (NaNs are handled first).
    let less = |p: f32, q: f32| {
        p < q || (p == 0.0 && q == 0.0 && p.is_sign_negative() && !q.is_sign_negative())
    };
    Ok(match op {
        1 | 2 if x.is_nan() => a,
        1 | 2 if y.is_nan() => old,
        1 => {
            if less(x, y) {
                a
            } else {
                old
            }
        }
        2 => {
            if less(y, x) {
                a
            } else {
                old
            }
        }
        3 => {
            if x == y {
                b
            } else {
                old
            }
        }
        o => return Err(EuError::new(format!("float atomic operation {o}"))),
    })
}

/// Bytes of shared local memory a thread group can address (Gen12: 64 KiB).
pub(crate) const SLM_BYTES: usize = 64 * 1024;

/// The SLM byte an address names: only its low 16 bits (compilers tag SLM pointers in
/// the high bits, which the hardware ignores).
fn slm_offset(off: u64) -> usize {
    (off as usize) & (SLM_BYTES - 1)
}

/// Where the untyped message's dwords live.
pub(super) enum Target {
    /// GPU addresses from `base`, with accesses past `limit` bytes dropped (reads zero).
    Memory { base: u64, limit: u64 },
    /// Shared local memory of the thread group.
    Slm,
}

/// Untyped surface read/write: per enabled channel, up to four consecutive dwords (the
/// enabled components) at the channel's byte offset.
fn untyped(
    dp: &mut Dataport<'_>,
    desc: u32,
    mask: u32,
    write: bool,
    p: &Payload,
    response: &mut [u8],
) -> Result<(), EuError> {
    let simd = match desc >> 12 & 3 {
        1 => 16,
        2 => 8,
        m => return Err(EuError::new(format!("untyped message SIMD mode {m}"))),
    };
    // A header (stateless messages need one: it carries their buffer base) comes before
    // the addresses.
    let h = header(desc, p);
    let first = if h.is_some() { 8 } else { 0 };
    let (comps, ncomps) = components(desc);
    let comps = &comps[..ncomps];
    let target = target_with_header(dp, desc & 0xff, h.as_ref())?;
    let addr_regs = simd / 8;
    if let Some(done) = untyped_block(dp, &target, simd, first, mask, comps, write, p, response) {
        return done;
    }
    if let Target::Slm = target {
        // Shared local memory: the dwords of the group's own array, zero (reads) or
        // dropped (writes) past it, as the per-dword path does.
        for ch in (0..simd).filter(|ch| mask >> ch & 1 != 0) {
            let offset = u64::from(p.ud(first + ch));
            for (k, &c) in comps.iter().enumerate() {
                let slot = k * simd + ch;
                let o = slm_offset(offset + 4 * c);
                if write {
                    let v = p.ud(first + addr_regs * 8 + slot);
                    if let Some(b) = dp.slm.get_mut(o..o + 4) {
                        b.copy_from_slice(&v.to_le_bytes());
                    }
                } else if let Some(r) = response.get_mut(4 * slot..4 * slot + 4) {
                    let v = dp
                        .slm
                        .get(o..o + 4)
                        .map_or([0; 4], |b| b.try_into().unwrap());
                    r.copy_from_slice(&v);
                }
            }
        }
        return Ok(());
    }
    if let Target::Memory { base, limit } = target {
        // Only enabled channels' addresses are read (as the per-dword path does), straight
        // from the first payload part when it holds them all.
        let direct = p.src0.get(4 * first..4 * (first + simd));
        let offsets: [u64; 16] = std::array::from_fn(|ch| match direct {
            Some(a) if ch < simd => u64::from(u32::from_le_bytes(
                a[4 * ch..4 * ch + 4].try_into().unwrap(),
            )),
            _ if ch < simd && mask >> ch & 1 != 0 => u64::from(p.ud(first + ch)),
            _ => 0,
        });
        let span = channel_span(&offsets[..simd], mask, comps, limit)
            // Not across the end of the address space (addresses wrap there).
            .filter(|&(lo, hi)| ((base + lo) & GPU_ADDR_MASK) + (hi - lo) <= GPU_ADDR_MASK);
        if let Some(w) = span.and_then(|(lo, hi)| dp.window_for(base + lo, hi - lo)) {
            // Every access is in bounds and inside one direct range: no per-dword checks.
            let at = |off: u64| ((base + off) & GPU_ADDR_MASK) - w.gpu_addr();
            let all = if simd == 16 { 0xffff } else { 0xff };
            let consecutive = comps.len() == 1
                && mask & all == all
                && offsets[..simd]
                    .iter()
                    .enumerate()
                    .all(|(ch, &o)| o == offsets[0] + 4 * ch as u64);
            let bytes = 4 * simd;
            if consecutive && (write || response.len() >= bytes) {
                // The common buffer access: the channels' dwords are one block.
                let o = at(offsets[0] + 4 * comps[0]) as usize;
                if write {
                    // The data follows the addresses, in the first part or as the second.
                    let from = 4 * (first + addr_regs * 8);
                    let data = match p.src0.get(from..from + bytes) {
                        Some(d) => Some(d),
                        None if from == p.src0.len() => p.src1.get(..bytes),
                        None => None,
                    };
                    match data {
                        Some(d) => w.write(o, d),
                        None => {
                            let mut d = [0u8; 64];
                            for ch in 0..simd {
                                let v = p.ud(first + addr_regs * 8 + ch);
                                d[4 * ch..4 * ch + 4].copy_from_slice(&v.to_le_bytes());
                            }
                            w.write(o, &d[..bytes]);
                        }
                    }
                    dp.writes += simd as u64;
                } else {
                    w.read(o, &mut response[..bytes]);
                }
                return Ok(());
            }
            for (ch, &offset) in offsets.iter().enumerate().take(simd) {
                if mask >> ch & 1 == 0 {
                    continue;
                }
                for (k, &c) in comps.iter().enumerate() {
                    let slot = k * simd + ch;
                    let o = at(offset + 4 * c) as usize;
                    if write {
                        w.store_u32(o, p.ud(first + addr_regs * 8 + slot));
                        dp.writes += 1;
                    } else if let Some(r) = response.get_mut(4 * slot..4 * slot + 4) {
                        r.copy_from_slice(&w.load_u32(o).to_le_bytes());
                    }
                }
            }
            return Ok(());
        }
    }

    for ch in 0..simd {
        if mask >> ch & 1 == 0 {
            continue;
        }
        let offset = u64::from(p.ud(first + ch));
        for (k, &c) in comps.iter().enumerate() {
            let off = offset + 4 * c;
            let slot = k * simd + ch;
            if write {
                let v = p.ud(first + addr_regs * 8 + slot);
                store_dword(dp, &target, off, v)?;
            } else {
                let v = load_dword(dp, &target, off)?;
                if let Some(o) = response.get_mut(4 * slot..4 * slot + 4) {
                    o.copy_from_slice(&v.to_le_bytes());
                }
            }
        }
    }
    Ok(())
}

/// The common buffer access of an untyped message, checked first and in one pass: every
/// channel enabled, one component, consecutive dwords in bounds inside one direct range.
/// It moves them as one block, exactly as the general path below would; `None` when the
/// message is anything else (the general path then handles it).
#[allow(clippy::too_many_arguments)]
#[inline]
fn untyped_block(
    dp: &mut Dataport<'_>,
    target: &Target,
    simd: usize,
    first: usize,
    mask: u32,
    comps: &[u64],
    write: bool,
    p: &Payload,
    response: &mut [u8],
) -> Option<Result<(), EuError>> {
    let all = if simd == 16 { 0xffff } else { 0xff };
    if comps.len() != 1 || mask & all != all {
        return None;
    }
    let bytes = 4 * simd;
    let addrs = p.src0.get(4 * first..4 * first + bytes)?;
    let o0 = u32::from_le_bytes(addrs[..4].try_into().unwrap());
    // Offsets are dwords extended to 64 bits: consecutive means no wrap in 32 bits either.
    let mut diff = 0;
    for (ch, a) in addrs.chunks_exact(4).enumerate() {
        diff |= u32::from_le_bytes(a.try_into().unwrap()) ^ o0.wrapping_add(4 * ch as u32);
    }
    let consecutive = diff == 0 && o0.checked_add(4 * (simd as u32 - 1)).is_some();
    if !consecutive || (!write && response.len() < bytes) {
        return None;
    }
    let lo = u64::from(o0) + 4 * comps[0];
    let hi = lo + bytes as u64;
    // The data follows the addresses, in the first part or as the second.
    let data = if write {
        let from = 4 * (first + simd);
        Some(match p.src0.get(from..from + bytes) {
            Some(d) => d,
            None if from == p.src0.len() => p.src1.get(..bytes)?,
            None => return None,
        })
    } else {
        None
    };
    match *target {
        Target::Slm => {
            // Within the SLM's address space without wrapping around it (each dword's
            // offset is then the first one's plus its distance).
            let o = slm_offset(lo);
            if o + bytes > SLM_BYTES {
                return None;
            }
            let slm = dp.slm.get_mut(o..o + bytes)?;
            match data {
                Some(d) => slm.copy_from_slice(d),
                None => response[..bytes].copy_from_slice(slm),
            }
        }
        Target::Memory { base, limit } => {
            if hi > limit || ((base + lo) & GPU_ADDR_MASK) + (hi - lo) > GPU_ADDR_MASK {
                return None;
            }
            let w = dp.window_for(base + lo, hi - lo)?;
            let o = (((base + lo) & GPU_ADDR_MASK) - w.gpu_addr()) as usize;
            match data {
                Some(d) => {
                    w.write(o, d);
                    dp.writes += simd as u64;
                }
                None => w.read(o, &mut response[..bytes]),
            }
        }
    }
    Some(Ok(()))
}

/// An untyped read or write without a header, on one component, with immediate
/// descriptors, whose channels all access consecutive dwords: moved straight between
/// memory and the registers (no payload or response copies). `None` when the message is
/// anything else or would fail: nothing observable has changed then, and the general
/// path runs it (and reports its errors).
pub(super) fn untyped_quick(
    dp: &mut Dataport<'_>,
    thread: &mut Thread,
    m: &Message,
    mask: u32,
) -> Option<Result<Option<Stop>, EuError>> {
    let (desc, ex_desc) = (m.desc?, m.ex_desc?);
    let write = match desc >> 14 & 0x1f {
        msg::UNTYPED_READ => false,
        msg::UNTYPED_WRITE => true,
        _ => return None,
    };
    let simd = match desc >> 12 & 3 {
        1 => 16,
        2 => 8,
        _ => return None,
    };
    let (comps, ncomps) = components(desc);
    if desc >> 19 & 1 != 0 || ncomps != 1 {
        return None;
    }
    let bytes = 4 * simd;
    let (mlen, rlen) = (desc_mlen(desc) as usize, desc_rlen(desc) as usize);
    // A read fills the start of its response (the rest keeps the registers' contents);
    // a write has none.
    let dst = match (write, m.dst) {
        (true, _) if rlen == 0 => 0,
        (false, Some(d)) if rlen * 32 >= bytes && (d as usize + rlen) * 32 <= GRF_BYTES => {
            d as usize * 32
        }
        _ => return None,
    };
    dp.ex_desc = ex_desc;
    let target = target_with_header(dp, desc & 0xff, None).ok()?;
    let grf = thread.grf();
    let part = |r: u8, n: usize| grf.get(r as usize * 32..(r as usize + n) * 32);
    let p = Payload {
        src0: part(m.src0, mlen)?,
        src1: match m.src1 {
            Some(r) => part(r, ex_desc_mlen(ex_desc) as usize)?,
            None => &[],
        },
        short: std::cell::Cell::new(false),
    };
    let mut response = [0u8; 64];
    let r = &mut response[..if write { 0 } else { bytes }];
    if let Err(e) = untyped_block(dp, &target, simd, 0, mask, &comps[..1], write, &p, r)? {
        return Some(Err(e));
    }
    if !write {
        thread
            .grf_mut(dst..dst + bytes)
            .copy_from_slice(&response[..bytes]);
    }
    Some(Ok(None))
}

/// The byte range `[lo, hi)` of a buffer that an untyped message's enabled channels
/// touch, when all of it lies below `limit` (else the slow path bounds-checks each dword).
fn channel_span(offsets: &[u64], mask: u32, comps: &[u64], limit: u64) -> Option<(u64, u64)> {
    let last = *comps.last()?;
    let (mut lo, mut hi) = (u64::MAX, 0);
    for (ch, &o) in offsets.iter().enumerate() {
        if mask >> ch & 1 != 0 {
            lo = lo.min(o + 4 * comps[0]);
            hi = hi.max(o + 4 * last + 4);
        }
    }
    (lo < hi && hi <= limit).then_some((lo, hi))
}

pub(super) fn load_bytes(
    dp: &mut Dataport<'_>,
    t: &Target,
    off: u64,
    out: &mut [u8],
) -> Result<(), EuError> {
    match *t {
        Target::Slm => {
            let o = slm_offset(off);
            match dp.slm.get(o..o + out.len()) {
                Some(b) => out.copy_from_slice(b),
                None => out.fill(0),
            }
            Ok(())
        }
        Target::Memory { base, limit } => {
            if off.saturating_add(out.len() as u64) > limit {
                out.fill(0);
                return Ok(());
            }
            dp.read((base + off) & crate::mem::GPU_ADDR_MASK, out)
                .map_err(|f| EuError::new(format!("data port read fault at {:#x}", f.addr)))
        }
    }
}

pub(super) fn store_bytes(
    dp: &mut Dataport<'_>,
    t: &Target,
    off: u64,
    v: &[u8],
) -> Result<(), EuError> {
    match *t {
        Target::Slm => {
            let o = slm_offset(off);
            if let Some(b) = dp.slm.get_mut(o..o + v.len()) {
                b.copy_from_slice(v);
            }
            Ok(())
        }
        Target::Memory { base, limit } => {
            if off.saturating_add(v.len() as u64) > limit {
                return Ok(());
            }
            dp.write((base + off) & crate::mem::GPU_ADDR_MASK, v)
                .map_err(|f| EuError::new(format!("data port write fault at {:#x}", f.addr)))
        }
    }
}

pub(super) fn load_dword(dp: &mut Dataport<'_>, t: &Target, off: u64) -> Result<u32, EuError> {
    if let (Target::Memory { base, limit }, Some(w)) = (t, dp.window) {
        // The common case: an in-bounds dword in the range the last access went through.
        let addr = (base + off) & crate::mem::GPU_ADDR_MASK;
        if off.saturating_add(4) <= *limit && w.covers(addr, 4) {
            return Ok(w.load_u32((addr - w.gpu_addr()) as usize));
        }
    }
    let mut b = [0u8; 4];
    load_bytes(dp, t, off, &mut b)?;
    Ok(u32::from_le_bytes(b))
}

pub(super) fn store_dword(
    dp: &mut Dataport<'_>,
    t: &Target,
    off: u64,
    v: u32,
) -> Result<(), EuError> {
    if let (Target::Memory { base, limit }, Some(w)) = (t, dp.window) {
        let addr = (base + off) & crate::mem::GPU_ADDR_MASK;
        if off.saturating_add(4) <= *limit && w.covers(addr, 4) {
            dp.writes += 1;
            w.store_u32((addr - w.gpu_addr()) as usize, v);
            return Ok(());
        }
    }
    store_bytes(dp, t, off, &v.to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::AddressSpace;
    use crate::testing::{Rng, SparseSpace};

    fn port(space: &SparseSpace) -> Dataport<'_> {
        Dataport {
            space,
            surface_state_base: 0,
            binding_table: 0,
            general_state_base: 0,
            bindless_surface_base: 0,
            ex_desc: 0,
            slm: Vec::new(),
            writes: 0,
            window: None,
            surfaces: Vec::new(),
            pixel: None,
            urb: None,
            sampler_state: 0,
            dynamic_state_base: 0,
        }
    }

    /// Random data cache messages (mostly untyped reads and writes of every shape: SIMD
    /// modes, components, headers, payload and response lengths and registers up to r127,
    /// indirect descriptors, stateless, SLM and unknown binding table entries, consecutive
    /// or scattered offsets, partial masks): a thread's registers, memory, the SLM and the
    /// outcome are the same whether `send` may take its quick path or not.
    #[test]
    fn the_quick_untyped_send_matches_the_general_send() {
        use crate::eu::asm;
        use crate::eu::isa::decode;
        use crate::eu::SharedFunctions;
        const MEM: u64 = 0x10_0000;
        let mut r = Rng(0x0c0f_fee5_0b1c_2468);
        let mut quick = 0;
        for case in 0..3000 {
            let simd_bits = [1, 1, 2, 2, 0, 3][r.below(6) as usize];
            let simd = if simd_bits == 1 { 16 } else { 8 };
            let kind = [msg::UNTYPED_READ, msg::UNTYPED_WRITE, msg::UNTYPED_ATOMIC]
                [[0, 0, 1, 1, 2][r.below(5) as usize]];
            let write = kind == msg::UNTYPED_WRITE;
            let cmask = [0xe, 0xe, 0xe, 0xc, 0xd, 0x0, 0xb][r.below(7) as usize];
            let header = r.below(8) == 0;
            let bti = [0xff, 0xff, 0xfe, 0xfe, 0x05][r.below(5) as usize];
            let regs = simd / 8;
            let mlen = match r.below(6) {
                0 => r.below(9),
                _ => regs + u32::from(header) + if write { regs } else { 0 },
            };
            let rlen = match r.below(6) {
                0 => r.below(9),
                _ if write => 0,
                _ => regs,
            };
            let desc = mlen << 25
                | rlen << 20
                | u32::from(header) << 19
                | kind << 14
                | simd_bits << 12
                | cmask << 8
                | bti;
            let src0 = [2, 10, 124, 127][r.below(4) as usize];
            let dst = [20, 40, 126, 127][r.below(4) as usize];
            let w = asm::send(16, 12, Some(dst), src0, desc, false, asm::Ctl::default());
            let mut inst = decode(&w).expect("a SEND decodes");
            let m = inst.msg.as_mut().expect("a message");
            m.dst = (r.below(8) != 0).then_some(dst as u8);
            if r.below(4) == 0 {
                // The data as a second part.
                m.src1 = Some([30, 127][r.below(2) as usize]);
                m.ex_desc = Some((regs << 6) | 0xc);
            }
            if r.below(10) == 0 {
                m.desc = None;
            }
            // The registers: offsets (mostly consecutive dwords) wherever a payload may sit.
            let start = match r.below(4) {
                0 => (SLM_BYTES as u32).wrapping_sub(4 * r.below(8)),
                _ => r.below(0x700) * 4 + [0, 0, 0, 2][r.below(4) as usize],
            };
            let mut grf: Vec<u8> = (0..GRF_BYTES).map(|_| r.next_u32() as u8).collect();
            for reg in [2usize, 3, 10, 11, 124, 125, 126, 127] {
                for ch in 0..8 {
                    let lane = if reg % 2 == 0 { ch } else { ch + 8 };
                    let o = match r.below(64) {
                        0 => r.below(0x2000),
                        _ => start.wrapping_add(4 * lane as u32),
                    };
                    grf[reg * 32 + 4 * ch..reg * 32 + 4 * ch + 4].copy_from_slice(&o.to_le_bytes());
                }
            }
            let mask = match r.below(4) {
                0 => r.next_u32(),
                _ => u32::MAX,
            };
            let init: Vec<u8> = (0..0x2000).map(|_| r.next_u32() as u8).collect();
            let slm_init: Vec<u8> = (0..SLM_BYTES).map(|_| r.next_u32() as u8).collect();
            let run = |general: bool| {
                let space = SparseSpace::new();
                space.bind(MEM, 0x2000);
                space.write(MEM, &init).unwrap();
                let mut dp = port(&space);
                dp.general_state_base = MEM;
                dp.slm = slm_init.clone();
                let mut t = Thread::new(0xffff);
                t.grf_mut(0..GRF_BYTES).copy_from_slice(&grf);
                let out = if general {
                    dp.send_general(&mut t, &inst, mask)
                } else {
                    dp.send(&mut t, &inst, mask)
                };
                let mut mem = vec![0u8; 0x2000];
                space.read(MEM, &mut mem).unwrap();
                (out, t.grf().to_vec(), mem, dp.slm.clone(), dp.writes)
            };
            let a = run(false);
            let b = run(true);
            assert_eq!(a.0, b.0, "outcome, case {case}");
            assert!(a.1 == b.1, "registers differ, case {case}");
            assert!(a.2 == b.2, "memory differs, case {case}");
            assert!(a.3 == b.3, "SLM differs, case {case}");
            assert_eq!(a.4, b.4, "writes, case {case}");
            let m = inst.msg.unwrap();
            let space = SparseSpace::new();
            space.bind(MEM, 0x2000);
            let mut dp = port(&space);
            dp.general_state_base = MEM;
            dp.slm = slm_init.clone();
            let mut t = Thread::new(0xffff);
            t.grf_mut(0..GRF_BYTES).copy_from_slice(&grf);
            quick += usize::from(untyped_quick(&mut dp, &mut t, &m, mask).is_some());
        }
        assert!(quick > 120, "the quick path took {quick} messages");
    }

    /// The per-channel, per-dword reference for an untyped message on memory (what the
    /// general path does when no shortcut applies).
    #[allow(clippy::too_many_arguments)]
    fn per_dword(
        dp: &mut Dataport<'_>,
        target: &Target,
        simd: usize,
        first: usize,
        mask: u32,
        comps: &[u64],
        write: bool,
        p: &Payload,
        response: &mut [u8],
    ) {
        for ch in (0..simd).filter(|ch| mask >> ch & 1 != 0) {
            let offset = u64::from(p.ud(first + ch));
            for (k, &c) in comps.iter().enumerate() {
                let slot = k * simd + ch;
                if write {
                    let v = p.ud(first + simd + slot);
                    store_dword(dp, target, offset + 4 * c, v).unwrap();
                } else {
                    let v = load_dword(dp, target, offset + 4 * c).unwrap();
                    response[4 * slot..4 * slot + 4].copy_from_slice(&v.to_le_bytes());
                }
            }
        }
    }

    /// Random untyped reads and writes (mostly consecutive offsets, some not; full and
    /// partial masks; bounds that cut some off; one or more components; data in either
    /// payload part): whenever the block shortcut takes a message, memory and the
    /// response end as the per-dword path leaves them.
    #[test]
    fn the_untyped_block_shortcut_matches_the_per_dword_path() {
        const MEM: u64 = 0x10_0000;
        let mut r = Rng(0x5eed_0b10_c4a1_1234);
        let mut taken = 0;
        for _ in 0..3000 {
            let simd = [8usize, 16][r.below(2) as usize];
            let write = r.below(2) == 0;
            let first = [0usize, 8][r.below(2) as usize];
            let limit = match r.below(3) {
                0 => u64::from(r.below(0x1100)),
                _ => u64::MAX,
            };
            let base = MEM + [0, 4, 0x100][r.below(3) as usize];
            let slm = r.below(3) == 0;
            let target = if slm {
                Target::Slm
            } else {
                Target::Memory { base, limit }
            };
            // Some near the end of the SLM's address space (offsets wrap there).
            let start = match r.below(4) {
                0 if slm => (SLM_BYTES as u32 - 4 * r.below(20)).wrapping_add(r.below(3)),
                _ => r.below(0x400) * 4 + [0, 1, 2][r.below(3) as usize],
            };
            let offsets: Vec<u32> = (0..simd as u32)
                .map(|ch| match r.below(8) {
                    0 => r.below(0x1000),
                    _ => start.wrapping_add(4 * ch),
                })
                .collect();
            let mask = match r.below(3) {
                0 => r.next_u32(),
                _ => u32::MAX,
            };
            let comps: Vec<u64> = match r.below(4) {
                0 => vec![0, 1],
                1 => vec![r.below(4) as u64],
                _ => vec![0],
            };
            // Header, addresses, then the data: in one part, or the data as the second.
            let mut src0: Vec<u8> = vec![0; 4 * first];
            src0.extend(offsets.iter().flat_map(|o| o.to_le_bytes()));
            let data: Vec<u8> = (0..4 * simd * comps.len())
                .map(|_| r.next_u32() as u8)
                .collect();
            let split = r.below(2) == 0;
            let src1 = if split { data.clone() } else { Vec::new() };
            if !split {
                src0.extend(&data);
            }
            let p = Payload {
                src0: &src0,
                src1: &src1,
                short: std::cell::Cell::new(false),
            };
            let init: Vec<u8> = (0..0x2000).map(|_| r.next_u32() as u8).collect();
            // The SLM of a subslice, a smaller one (accesses past it drop) or a larger one
            // (offsets still wrap at the subslice's size).
            let slm_len = [SLM_BYTES, SLM_BYTES / 2, 2 * SLM_BYTES][r.below(3) as usize];
            let slm_init: Vec<u8> = (0..slm_len).map(|_| r.next_u32() as u8).collect();
            let before: Vec<u8> = (0..4 * simd * comps.len())
                .map(|_| r.next_u32() as u8)
                .collect();
            let run = |shortcut: bool| {
                let space = SparseSpace::new();
                space.bind(MEM, 0x2000);
                space.write(MEM, &init).unwrap();
                let mut dp = port(&space);
                dp.slm = slm_init.clone();
                let mut response = before.clone();
                let args = (simd, first, mask, &comps[..], write);
                let took = shortcut
                    && untyped_block(
                        &mut dp,
                        &target,
                        args.0,
                        args.1,
                        args.2,
                        args.3,
                        args.4,
                        &p,
                        &mut response,
                    )
                    .map(|r| r.unwrap())
                    .is_some();
                if !took {
                    per_dword(
                        &mut dp,
                        &target,
                        simd,
                        first,
                        mask,
                        &comps,
                        write,
                        &p,
                        &mut response,
                    );
                }
                let mut after = vec![0u8; 0x2000];
                space.read(MEM, &mut after).unwrap();
                after.extend(&dp.slm);
                (took, after, response, dp.writes)
            };
            let (took, mem1, resp1, writes1) = run(true);
            let (_, mem2, resp2, writes2) = run(false);
            taken += usize::from(took);
            assert!(
                mem1 == mem2,
                "memory differs: {offsets:x?} {mask:#x} {limit:#x}"
            );
            assert_eq!(resp1, resp2, "response differs: {offsets:x?} {mask:#x}");
            assert_eq!(writes1, writes2);
        }
        assert!(taken > 150, "the shortcut took only {taken} messages");
    }
}
