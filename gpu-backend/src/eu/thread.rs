//! One EU hardware thread: its registers, its channels' program counters, and the
//! interpreter that executes decoded instructions on them.
//!
//! Divergent flow control follows the per-channel program counter model: every channel has
//! its own PC; the thread executes the lowest PC among its live channels, on exactly the
//! channels sitting there. Channels that branch forward wait until the thread reaches
//! them, so structured code (if/else/endif, loops with break and continue, halt) reconverges
//! where the hardware reconverges, and an instruction is skipped when no channel is there,
//! as the hardware jumps when every channel is disabled.

use super::isa::{Dst, Inst, Op, RegFile, Src, Ty};
use super::kernel::{Decoded, Kernel};
use super::EuError;

/// Bytes in the general register file (128 registers of 32 bytes).
pub const GRF_BYTES: usize = 128 * 32;

/// Performs a message for a thread (see [`Thread::step`]).
pub(crate) type SendFn<'a> =
    dyn FnMut(&mut Thread, &Inst, u32) -> Result<Option<Stop>, EuError> + 'a;

/// SYNC function that waits for the barrier notification.
const SYNC_BAR: u8 = 0xe;

/// Where a thread stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// The thread sent its end-of-thread message.
    Done,
    /// The thread waits at a barrier (`wait` on the notification register).
    Barrier,
}

/// A value in an execution domain: integers exactly (wide enough for every type and its
/// sign), floats as doubles (exact for every f32 operation this model performs once).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Val {
    I(i128),
    F(f64),
}

impl Val {
    pub(crate) fn f(self) -> f64 {
        match self {
            Val::I(i) => i as f64,
            Val::F(f) => f,
        }
    }

    pub(crate) fn i(self) -> i128 {
        match self {
            Val::I(i) => i,
            Val::F(f) => f as i128,
        }
    }
}

/// The state of one hardware thread.
pub struct Thread {
    /// General registers r0..r127 (written only through methods that keep `dirty`).
    grf: Vec<u8>,
    /// A bit per register written since the last reset (only those are cleared: a
    /// thread writes a few registers, and clearing all 4 KiB per thread would cost more
    /// than a small kernel's instructions).
    dirty: u128,
    acc: [u8; 64],
    /// The accumulator was last written in native float, which this model keeps as a
    /// double per channel: a read in another type (or an NF read of another type's
    /// bits) would reinterpret bytes the hardware converts, so it is refused instead.
    acc_nf: bool,
    flag: [u8; 8],
    a0: [u8; 32],
    sr0: [u8; 16],
    cr0: [u8; 16],
    /// Channels dispatched with the thread.
    pub dispatch_mask: u32,
    /// Per-channel program counter (byte offset from the kernel start).
    pc: [u64; 32],
    /// The next instruction the thread executes when no channel is live (byte offset).
    ip: u64,
    /// A barrier notification is pending (the gateway signalled the barrier).
    pub(crate) notified: bool,
    /// Every dispatched channel's PC, when they are all equal (the common case: it spares
    /// the search for the lowest PC).
    converged: Option<u64>,
}

impl Thread {
    /// A thread about to execute its kernel's first instruction with `dispatch_mask`.
    pub fn new(dispatch_mask: u32) -> Thread {
        Thread {
            grf: vec![0; GRF_BYTES],
            dirty: 0,
            acc: [0; 64],
            acc_nf: false,
            flag: [0; 8],
            a0: [0; 32],
            sr0: [0; 16],
            cr0: [0; 16],
            dispatch_mask,
            pc: [0; 32],
            ip: 0,
            notified: false,
            converged: Some(0),
        }
    }

    /// Makes this thread a new one (as [`Thread::new`]) without a new register file: the
    /// registers are cleared, as a fresh thread's are.
    pub fn reset(&mut self, dispatch_mask: u32) {
        let mut d = std::mem::take(&mut self.dirty);
        while d != 0 {
            let r = d.trailing_zeros() as usize;
            d &= d - 1;
            // A fixed-size store (a slice fill calls memset for 32 bytes).
            let reg: &mut [u8; 32] = (&mut self.grf[r * 32..r * 32 + 32]).try_into().unwrap();
            *reg = [0; 32];
        }
        self.acc = [0; 64];
        self.acc_nf = false;
        self.flag = [0; 8];
        self.a0 = [0; 32];
        self.sr0 = [0; 16];
        self.cr0 = [0; 16];
        self.dispatch_mask = dispatch_mask;
        if self.converged.is_none() {
            // Channel PCs are kept only while the channels diverge.
            self.pc = [0; 32];
        }
        self.ip = 0;
        self.notified = false;
        self.converged = Some(0);
    }

    /// The byte offset of the next instruction to execute.
    pub fn ip(&self) -> u64 {
        self.ip
    }

    /// Reads dword `n` of register `reg`.
    pub fn grf_ud(&self, reg: usize, n: usize) -> u32 {
        let o = reg * 32 + n * 4;
        u32::from_le_bytes(self.grf[o..o + 4].try_into().unwrap())
    }

    /// Reads dword `n` of the address register a0.
    pub fn a0_ud(&self, n: usize) -> u32 {
        let o = (n * 4).min(28);
        u32::from_le_bytes(self.a0[o..o + 4].try_into().unwrap())
    }

    /// Writes dword `n` of register `reg`.
    pub fn set_grf_ud(&mut self, reg: usize, n: usize, v: u32) {
        let o = reg * 32 + n * 4;
        self.grf_mut(o..o + 4).copy_from_slice(&v.to_le_bytes());
    }

    /// The general register file.
    pub fn grf(&self) -> &[u8] {
        &self.grf
    }

    /// GRF bytes `range` to write (panics past r127, as slicing does).
    pub fn grf_mut(&mut self, range: std::ops::Range<usize>) -> &mut [u8] {
        self.mark(range.start, range.end);
        &mut self.grf[range]
    }

    /// Records that GRF bytes `start..end` may have been written.
    fn mark(&mut self, start: usize, end: usize) {
        self.dirty |= register_bits(start, end);
    }

    /// The live channels at the thread's instruction pointer; moves `ip` to the lowest
    /// channel PC first. With no channel dispatched, the thread runs straight through.
    fn active(&mut self) -> u32 {
        if let Some(at) = self.converged {
            self.ip = at;
            return self.dispatch_mask;
        }
        let mut mask = self.dispatch_mask;
        if mask == 0 {
            return 0;
        }
        let mut low = u64::MAX;
        while mask != 0 {
            let c = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            low = low.min(self.pc[c]);
        }
        self.ip = low;
        let mut act = 0;
        let mut mask = self.dispatch_mask;
        while mask != 0 {
            let c = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if self.pc[c] == low {
                act |= 1 << c;
            }
        }
        act
    }

    /// Moves the channels in `mask` to `to` (a byte offset).
    fn jump(&mut self, mask: u32, to: u64) {
        if let Some(at) = self.converged.take() {
            // The channels' PCs were not kept while they moved together.
            let mut m = self.dispatch_mask;
            while m != 0 {
                self.pc[m.trailing_zeros() as usize] = at;
                m &= m - 1;
            }
        }
        let mut m = mask;
        while m != 0 {
            self.pc[m.trailing_zeros() as usize] = to;
            m &= m - 1;
        }
    }

    /// Executes the next instruction of `kernel` when the thread is converged and it is
    /// an already decoded instruction of the fast ALU path or a message: exactly what
    /// [`Thread::step`] would do with it, without the flow-control bookkeeping. Returns
    /// `step`'s result when it did, `None` when `step` must run the instruction.
    #[inline]
    pub(crate) fn step_fast(
        &mut self,
        kernel: &Kernel<'_>,
        send: &mut SendFn<'_>,
    ) -> Option<Result<Option<Stop>, EuError>> {
        let at = self.converged?;
        if self.dispatch_mask == 0 {
            return None;
        }
        let d = kernel.cached(at)?;
        let inst = &d.inst;
        let fast = match &d.fast {
            Some(f) => Some(f),
            None if matches!(inst.op, Op::Send | Op::Sendc) => None,
            None => return None,
        };
        self.ip = at;
        let window = chan_window(inst);
        let exec = if inst.no_mask {
            window
        } else {
            self.dispatch_mask & window
        };
        let pred = if inst.pred == 0 {
            u32::MAX
        } else {
            self.predicate(inst, exec)
        };
        let stop = match fast {
            Some(fast) => {
                let lanes = (exec & pred) >> inst.chan_off;
                self.dirty |= fast.dst_regs();
                if let Some(f) = fast.run(&mut self.grf, lanes) {
                    self.set_flag_bits(inst.flag, lanes << inst.chan_off, f << inst.chan_off);
                }
                None
            }
            None if exec & pred != 0 => match send(self, inst, (exec & pred) >> inst.chan_off) {
                Ok(stop) => stop,
                // As in `step`: the thread stays at the instruction that failed.
                Err(e) => return Some(Err(e)),
            },
            None => None,
        };
        self.converged = Some(at + u64::from(inst.size));
        Some(Ok(stop))
    }

    /// Executes one instruction of `kernel`; `send` performs a message for the
    /// instruction's enabled channels (bit 0 = its first channel). Returns `Some(stop)`
    /// when the thread stops.
    pub(crate) fn step(
        &mut self,
        kernel: &mut Kernel<'_>,
        send: &mut SendFn<'_>,
    ) -> Result<Option<Stop>, EuError> {
        let live = self.active();
        let at = self.ip;
        let d = kernel.fetch(at)?;
        let inst = &d.inst;
        if inst.op == Op::Sync && inst.cond == SYNC_BAR {
            // Wait for the gateway's barrier notification; the thread stays here until
            // its group releases it.
            if !self.notified {
                return Ok(Some(Stop::Barrier));
            }
            self.notified = false;
        }
        if inst.op == Op::Sync && !matches!(inst.cond, 0 | 2 | 3 | SYNC_BAR) {
            return Err(EuError::new(format!("sync function {:#x}", inst.cond)));
        }
        let next = at + u64::from(inst.size);
        let window = chan_window(inst);
        let exec = if inst.no_mask { window } else { live & window };
        let pred = self.predicate(inst, exec);
        let target = |off: i32| at.wrapping_add(off as i64 as u64);
        // Channels of the thread that are not covered by this instruction's window keep
        // their place; the ones covered move on unless a branch sends them elsewhere.
        let mut moved = live;
        let result = match inst.op {
            Op::Sync | Op::Nop => Ok(None),
            Op::If => {
                self.jump(live & window & !pred, target(inst.jip));
                moved &= !(window & !pred);
                Ok(None)
            }
            Op::Else => {
                self.jump(live & window, target(inst.jip));
                moved &= !window;
                Ok(None)
            }
            Op::Endif => Ok(None),
            Op::While => {
                self.jump(live & window & pred, target(inst.jip));
                moved &= !(window & pred);
                Ok(None)
            }
            Op::Break => {
                // UIP names the loop's WHILE; a channel that breaks resumes after it,
                // once the channels still looping leave the loop.
                let after = d
                    .after_loop
                    .ok_or_else(|| EuError::new("BREAK whose WHILE does not decode"))?;
                self.jump(live & window & pred, after);
                moved &= !(window & pred);
                Ok(None)
            }
            Op::Halt => {
                self.jump(live & window & pred, target(inst.uip));
                moved &= !(window & pred);
                Ok(None)
            }
            Op::Cont => {
                // A continuing channel goes to the WHILE, which decides whether it loops.
                self.jump(live & window & pred, target(inst.uip));
                moved &= !(window & pred);
                Ok(None)
            }
            Op::Send | Op::Sendc if exec & pred != 0 => {
                send(self, inst, (exec & pred) >> inst.chan_off)
            }
            Op::Send | Op::Sendc => Ok(None),
            _ => self.alu(d, exec, pred).map(|()| None),
        };
        let stop = result?;
        if self.dispatch_mask == 0 {
            self.ip = next;
        } else if live == self.dispatch_mask && moved == live {
            // Every channel was here and none branched away: they are all at `next`.
            self.converged = Some(next);
        } else {
            self.jump(moved, next);
        }
        Ok(stop)
    }

    /// The predicate mask over the thread's channels (all ones without predication).
    fn predicate(&self, inst: &Inst, exec: u32) -> u32 {
        if inst.pred == 0 {
            return u32::MAX;
        }
        let f = self.flag_bits(inst.flag);
        let per = match inst.pred {
            1 => f,
            p => {
                // anyNh / allNh over aligned groups of N channels.
                let n = match p {
                    2 | 3 => 2,
                    4 | 5 => 4,
                    6 | 7 => 8,
                    8 | 9 => 16,
                    _ => 32,
                };
                let any = p % 2 == 0;
                let mut out = 0u32;
                let mut g = 0;
                while g < 32 {
                    let gm = if n == 32 {
                        u32::MAX
                    } else {
                        ((1u32 << n) - 1) << g
                    };
                    let sel = f & gm & exec;
                    let hit = if any { sel != 0 } else { sel == gm & exec };
                    if hit {
                        out |= gm;
                    }
                    g += n;
                }
                out
            }
        };
        if inst.pred_inv {
            !per
        } else {
            per
        }
    }

    /// The 32 flag bits starting at flag subregister `(n, sub)` (`f{n}.{sub}`).
    fn flag_bits(&self, (n, sub): (u8, u8)) -> u32 {
        let base = n as usize * 4 + sub as usize * 2;
        let mut v = 0u32;
        for i in 0..4 {
            let b = self.flag.get(base + i).copied().unwrap_or(0);
            v |= u32::from(b) << (8 * i);
        }
        v
    }

    fn set_flag_bits(&mut self, (n, sub): (u8, u8), mask: u32, value: u32) {
        let cur = self.flag_bits((n, sub));
        let v = (cur & !mask) | (value & mask);
        let base = n as usize * 4 + sub as usize * 2;
        for i in 0..4 {
            if let Some(b) = self.flag.get_mut(base + i) {
                *b = (v >> (8 * i)) as u8;
            }
        }
    }

    /// The bytes of a register file starting at `file`, and the offset of `file` in them.
    fn area(&mut self, file: RegFile) -> Option<(&mut [u8], usize)> {
        Some(match file {
            RegFile::Grf(o) => (&mut self.grf[..], o as usize),
            RegFile::Acc(n, o) => (&mut self.acc[..], n as usize * 32 + o as usize),
            RegFile::Flag(n, o) => (&mut self.flag[..], n as usize * 4 + o as usize),
            RegFile::Addr(o) => (&mut self.a0[..], o as usize),
            RegFile::State(o) => (&mut self.sr0[..], o as usize),
            RegFile::Control(o) => (&mut self.cr0[..], o as usize),
            RegFile::Null | RegFile::Indirect { .. } => return None,
        })
    }

    /// Resolves an indirect operand to the GRF byte its address register points at (row
    /// `row` of a VxH region reads the row'th subregister).
    fn indirect(&self, file: RegFile, row: usize) -> Result<RegFile, EuError> {
        let RegFile::Indirect { sub, imm } = file else {
            return Ok(file);
        };
        let i = (sub as usize + row) * 2;
        let addr = u16::from_le_bytes(
            self.a0
                .get(i..i + 2)
                .ok_or_else(|| EuError::new("indirect address past a0"))?
                .try_into()
                .unwrap(),
        );
        let at = i32::from(addr) + i32::from(imm);
        if !(0..GRF_BYTES as i32).contains(&at) {
            return Err(EuError::new(format!(
                "indirect address {at:#x} outside the GRF"
            )));
        }
        Ok(RegFile::Grf(at as u16))
    }

    /// Raw bits of an element `off` bytes past `file`.
    fn load(&mut self, file: RegFile, off: usize, size: usize) -> Result<u64, EuError> {
        let Some((area, base)) = self.area(file) else {
            return Ok(0);
        };
        let at = base + off;
        let bytes = area.get(at..at + size).ok_or_else(|| {
            EuError::new(format!("register read past the file at {file:?}+{off}"))
        })?;
        let mut b = [0u8; 8];
        b[..size].copy_from_slice(bytes);
        Ok(u64::from_le_bytes(b))
    }

    fn store(&mut self, file: RegFile, off: usize, size: usize, v: u64) -> Result<(), EuError> {
        if matches!(file, RegFile::Acc(..)) {
            // `write_dst` marks a native-float write again after storing it.
            self.acc_nf = false;
        }
        if let RegFile::Grf(o) = file {
            self.mark(o as usize + off, o as usize + off + size);
        }
        let Some((area, base)) = self.area(file) else {
            return Ok(());
        };
        let at = base + off;
        let bytes = area.get_mut(at..at + size).ok_or_else(|| {
            EuError::new(format!("register write past the file at {file:?}+{off}"))
        })?;
        bytes.copy_from_slice(&v.to_le_bytes()[..size]);
        Ok(())
    }

    /// Reads channel `i` of a source as a value of its own type.
    /// Raw bits of element `i` of the region `(vstride, width, hstride)` of type `ty` at
    /// `file` (a VxH region takes each row's address from its own a0 subregister).
    fn load_element(
        &mut self,
        file: RegFile,
        ty: Ty,
        (vstride, width, hstride): (u8, u8, u8),
        i: usize,
    ) -> Result<u64, EuError> {
        let (row, col) = (i / width as usize, i % width as usize);
        let (file, elems) = if vstride == super::isa::VXH {
            (self.indirect(file, row)?, col * hstride as usize)
        } else {
            (
                self.indirect(file, 0)?,
                row * vstride as usize + col * hstride as usize,
            )
        };
        if matches!(file, RegFile::Acc(..)) && (ty == Ty::Nf) != self.acc_nf {
            return Err(EuError::new(format!(
                "accumulator read as :{ty} after a write {} native float",
                if self.acc_nf { "in" } else { "not in" }
            )));
        }
        self.load(file, elems * ty.size(), ty.size())
    }

    fn read_src(&mut self, src: &Src, i: usize, logic: bool) -> Result<Val, EuError> {
        match *src {
            Src::Imm { ty, bits } => Ok(imm_elem(ty, bits, i)),
            Src::Reg {
                file,
                ty,
                vstride,
                width,
                hstride,
                neg,
                abs,
            } => {
                let raw = self.load_element(file, ty, (vstride, width, hstride), i)?;
                let mut v = from_bits(ty, raw);
                if abs {
                    v = match v {
                        Val::I(x) => Val::I(x.abs()),
                        Val::F(x) => Val::F(x.abs()),
                    };
                }
                if neg {
                    v = match v {
                        Val::I(x) if logic => Val::I(!x),
                        Val::I(x) => Val::I(-x),
                        Val::F(x) => Val::F(-x),
                    };
                }
                Ok(v)
            }
        }
    }

    fn write_dst(&mut self, dst: &Dst, i: usize, raw: u64) -> Result<(), EuError> {
        let size = dst.ty.size();
        let file = self.indirect(dst.file, 0)?;
        self.store(file, i * dst.hstride as usize * size, size, raw)?;
        if dst.ty == Ty::Nf {
            self.acc_nf = true;
        }
        Ok(())
    }

    /// Executes an ALU instruction on the channels in `exec` whose predicate holds.
    fn alu(&mut self, d: &Decoded, exec: u32, pred: u32) -> Result<(), EuError> {
        let inst = &d.inst;
        // `exec` already lies inside the instruction's channels (see `step`).
        let lanes = (exec & pred) >> inst.chan_off;
        if let Some(fast) = &d.fast {
            self.dirty |= fast.dst_regs();
            if let Some(f) = fast.run(&mut self.grf, lanes) {
                self.set_flag_bits(inst.flag, lanes << inst.chan_off, f << inst.chan_off);
            }
            return Ok(());
        }
        self.alu_general(inst, exec, pred)
    }

    /// The reference ALU: every instruction form, one channel at a time.
    fn alu_general(&mut self, inst: &Inst, exec: u32, pred: u32) -> Result<(), EuError> {
        let n = inst.exec_size as usize;
        if let Src::Reg {
            file,
            ty,
            vstride,
            width,
            hstride,
            neg: false,
            abs: false,
        } = inst.srcs[0]
        {
            // A MOV between equal types without modifiers is a raw move: the bits go
            // unchanged (a float NaN keeps its payload).
            if inst.op == Op::Mov && ty == inst.dst.ty && !inst.sat && inst.cond == 0 {
                // Every source element is read before any is written (regions may overlap).
                let mut raws = [None; 32];
                for (i, slot) in raws.iter_mut().enumerate().take(n) {
                    let ch = inst.chan_off as usize + i;
                    if exec >> ch & pred >> ch & 1 == 0 {
                        continue;
                    }
                    *slot = Some(self.load_element(file, ty, (vstride, width, hstride), i)?);
                }
                for (i, raw) in raws.iter().enumerate().take(n) {
                    if let Some(raw) = *raw {
                        self.write_dst(&inst.dst, i, raw)?;
                    }
                }
                return Ok(());
            }
        }
        let logic = matches!(inst.op, Op::And | Op::Or | Op::Xor | Op::Not);
        let float = inst.srcs[..inst.nsrc as usize]
            .iter()
            .any(|s| s.ty().is_float());
        let mut results: [Option<Val>; 32] = [None; 32];
        let mut flags_set = 0u32;
        let mut flags_val = 0u32;
        for (i, slot) in results.iter_mut().enumerate().take(n) {
            let ch = inst.chan_off as usize + i;
            if exec >> ch & 1 == 0 {
                continue;
            }
            let a = self.read_src(&inst.srcs[0], i, logic)?;
            let b = if inst.nsrc > 1 {
                self.read_src(&inst.srcs[1], i, logic)?
            } else {
                Val::I(0)
            };
            let c = if inst.nsrc > 2 {
                self.read_src(&inst.srcs[2], i, logic)?
            } else {
                Val::I(0)
            };
            let p = pred >> ch & 1 != 0;
            // A predicated SEL picks its source by the predicate; every other
            // predicated instruction leaves the channel untouched.
            if inst.op != Op::Sel && !p {
                continue;
            }
            let v = super::alu::compute(inst, [a, b, c], float, p)?;
            if inst.op == Op::Mach && inst.acc_wr {
                // MACH with AccWrEn leaves the low half of the product in acc0 (IGC
                // reads it back for 64-bit multiplies).
                let low = a.i().wrapping_mul(b.i()) & 0xffff_ffff;
                self.store(RegFile::Acc(0, 0), 4 * i, 4, low as u64)?;
            }
            if matches!(inst.op, Op::Addc | Op::Subb) {
                // acc0 receives each channel's carry (ADDC) or borrow (SUBB).
                let (x, y) = (a.i() & 0xffff_ffff, b.i() & 0xffff_ffff);
                let flag = if inst.op == Op::Addc {
                    x + y > 0xffff_ffff
                } else {
                    x < y
                };
                self.store(RegFile::Acc(0, 0), 4 * i, 4, u64::from(flag))?;
            }
            // SEL and CSEL use the conditional modifier to choose, MATH's field is its
            // function: none of them writes flags.
            if inst.cond != 0 && !matches!(inst.op, Op::Sel | Op::Csel | Op::Math) {
                let hit = if inst.op == Op::Cmp {
                    super::alu::compare(inst.cond, a, b, float)?
                } else {
                    // The flag tests the result as written to the destination type.
                    let written = from_bits(inst.dst.ty, to_bits(inst.dst.ty, v, inst.sat)?);
                    let fl = matches!(written, Val::F(_));
                    super::alu::compare(inst.cond, written, Val::I(0), fl)?
                };
                flags_set |= 1 << ch;
                if hit {
                    flags_val |= 1 << ch;
                }
                if inst.op == Op::Cmp {
                    *slot = Some(Val::I(if hit { -1 } else { 0 }));
                    continue;
                }
            }
            *slot = Some(v);
        }
        for (i, r) in results.iter().enumerate().take(n) {
            if let Some(v) = *r {
                let raw = if inst.op == Op::Cmp {
                    // All ones or zero in the destination's width, whatever its type.
                    if v.i() != 0 {
                        u64::MAX
                    } else {
                        0
                    }
                } else {
                    to_bits(inst.dst.ty, v, inst.sat)?
                };
                self.write_dst(&inst.dst, i, raw)?;
            }
        }
        if flags_set != 0 {
            self.set_flag_bits(inst.flag, flags_set, flags_val);
        }
        Ok(())
    }
}

/// A bit for each register that GRF bytes `start..end` touch.
pub(crate) fn register_bits(start: usize, end: usize) -> u128 {
    // Past the file nothing is written (the access itself fails).
    if end <= start || start >= GRF_BYTES {
        return 0;
    }
    let (first, last) = (start / 32, (end - 1).min(GRF_BYTES - 1) / 32);
    let upto = if last >= 127 {
        u128::MAX
    } else {
        (1u128 << (last + 1)) - 1
    };
    upto & !((1u128 << first) - 1)
}

/// The channels of the thread an instruction covers.
fn chan_window(inst: &Inst) -> u32 {
    let n = inst.exec_size as u32;
    let m = if n >= 32 { u32::MAX } else { (1u32 << n) - 1 };
    m << inst.chan_off
}

/// Element `i` of an immediate.
fn imm_elem(ty: Ty, bits: u64, i: usize) -> Val {
    match ty {
        Ty::V => {
            let nib = (bits >> (4 * (i % 8))) & 0xf;
            Val::I(((nib as i8) << 4 >> 4) as i128)
        }
        Ty::Uv => Val::I(((bits >> (4 * (i % 8))) & 0xf) as i128),
        Ty::Vf => {
            let b = (bits >> (8 * (i % 4))) as u8;
            Val::F(vf_to_f64(b))
        }
        // Word immediates are replicated in both halves of the dword; take the low one.
        _ => from_bits(ty, bits),
    }
}

/// The 8-bit restricted float of VF immediates: sign, 3-bit exponent (bias 3), 4-bit
/// mantissa; exponent 0 with mantissa 0 is zero.
fn vf_to_f64(b: u8) -> f64 {
    let sign = if b & 0x80 != 0 { -1.0 } else { 1.0 };
    let e = (b >> 4 & 7) as i32;
    let m = (b & 0xf) as f64;
    if e == 0 && m == 0.0 {
        return 0.0 * sign;
    }
    sign * (1.0 + m / 16.0) * 2f64.powi(e - 3)
}

/// Interprets raw element bits as a value of type `ty`.
pub(crate) fn from_bits(ty: Ty, raw: u64) -> Val {
    match ty {
        Ty::Ub => Val::I((raw as u8) as i128),
        Ty::B => Val::I((raw as u8 as i8) as i128),
        Ty::Uw => Val::I((raw as u16) as i128),
        Ty::W => Val::I((raw as u16 as i16) as i128),
        Ty::Ud | Ty::V | Ty::Uv => Val::I((raw as u32) as i128),
        Ty::D => Val::I((raw as u32 as i32) as i128),
        Ty::Uq => Val::I(raw as i128),
        Ty::Q => Val::I((raw as i64) as i128),
        Ty::Hf => Val::F(half::f16::from_bits(raw as u16).to_f64()),
        Ty::F | Ty::Vf => Val::F(f32::from_bits(raw as u32) as f64),
        Ty::Df | Ty::Nf => Val::F(f64::from_bits(raw)),
    }
}

/// Converts a value to the raw bits of type `ty`, saturating when `sat` (and always for
/// float-to-integer conversions, which round toward zero).
pub(crate) fn to_bits(ty: Ty, v: Val, sat: bool) -> Result<u64, EuError> {
    let int_range = |ty: Ty| -> (i128, i128) {
        match ty {
            Ty::Ub => (0, u8::MAX as i128),
            Ty::B => (i8::MIN as i128, i8::MAX as i128),
            Ty::Uw => (0, u16::MAX as i128),
            Ty::W => (i16::MIN as i128, i16::MAX as i128),
            Ty::Ud => (0, u32::MAX as i128),
            Ty::D => (i32::MIN as i128, i32::MAX as i128),
            Ty::Uq => (0, u64::MAX as i128),
            _ => (i64::MIN as i128, i64::MAX as i128),
        }
    };
    Ok(match ty {
        Ty::Hf | Ty::F | Ty::Df | Ty::Nf => {
            let mut f = v.f();
            if sat {
                f = if f.is_nan() { 0.0 } else { f.clamp(0.0, 1.0) };
            }
            match ty {
                Ty::Hf => half::f16::from_f64(f).to_bits() as u64,
                Ty::F => (f as f32).to_bits() as u64,
                _ => f.to_bits(),
            }
        }
        Ty::V | Ty::Uv | Ty::Vf => return Err(EuError::new("vector immediate destination")),
        _ => {
            let (lo, hi) = int_range(ty);
            let i = match v {
                Val::I(i) if sat => i.clamp(lo, hi),
                Val::I(i) => i,
                Val::F(f) if f.is_nan() => 0,
                Val::F(f) => (f.trunc().clamp(lo as f64, hi as f64)) as i128,
            };
            i as u64
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eu::asm::{self, dst, imm, op, scalar, ty, vec8, Ctl, S};
    use crate::eu::isa::decode;

    use crate::testing::Rng;

    fn decoded(inst: Inst) -> Decoded {
        Decoded {
            fast: super::super::fast::compile(&inst),
            inst,
            after_loop: None,
        }
    }

    /// The registers a byte range touches, at the file's edges too.
    #[test]
    fn register_bits_cover_the_registers_touched() {
        assert_eq!(register_bits(0, 0), 0);
        assert_eq!(register_bits(0, 1), 1);
        assert_eq!(register_bits(31, 33), 0b11);
        assert_eq!(register_bits(0, GRF_BYTES), u128::MAX);
        assert_eq!(register_bits(GRF_BYTES - 1, GRF_BYTES + 4), 1 << 127);
        assert_eq!(register_bits(GRF_BYTES, GRF_BYTES + 4), 0);
    }

    /// IGT's pair of MADs through `acc0:nf` computes `r6.3 + r2 * r6.0 + r3 * r6.1` per
    /// channel, rounding to single precision once, when the sum leaves the accumulator.
    #[test]
    fn a_native_float_mad_chain_rounds_once() {
        let first = decode(&[0x8003_005b, 0x2000_02f0, 0x0a0a_0664, 0x0604_0205]).unwrap();
        let second = decode(&[0x8003_005b, 0x7104_0fa8, 0x0a0a_2001, 0x0624_0305]).unwrap();
        let mut t = Thread::new(0xff);
        // 1 + 2^-24 is not a float: a first MAD rounded to F would lose the 2^-24 and the
        // sum would come out as 1 - 2^-24 instead of 1.
        let tiny = 2f32.powi(-24);
        t.set_grf_ud(6, 3, 1f32.to_bits()); // r6.3: the constant term
        t.set_grf_ud(6, 0, tiny.to_bits()); // r6.0: the x coefficient
        t.set_grf_ud(6, 1, (-tiny).to_bits()); // r6.1: the y coefficient
        for ch in 0..8 {
            t.set_grf_ud(2, ch, 1f32.to_bits()); // x
            t.set_grf_ud(3, ch, (ch as f32).to_bits()); // y
        }
        for inst in [first, second] {
            let d = decoded(inst);
            assert!(
                d.fast.is_none(),
                "accumulator operands take the general path"
            );
            t.alu(&d, 0xff, u32::MAX).unwrap();
        }
        for ch in 0..8 {
            let want = (1.0 + f64::from(tiny) - ch as f64 * f64::from(tiny)) as f32;
            let got = f32::from_bits(t.grf_ud(113, ch));
            assert_eq!(got, want, "channel {ch}");
        }
        // Channel 2: 1 + 2^-24 - 2 * 2^-24 = 1 - 2^-24, which is a float.
        assert_eq!(f32::from_bits(t.grf_ud(113, 2)), 1.0 - tiny);
        // Channel 1: exactly 1 (rounding after the first MAD would give 1 - 2^-24).
        assert_eq!(f32::from_bits(t.grf_ud(113, 1)), 1.0);
    }

    /// The accumulator's native-float and single-float layouts differ in this model, so
    /// reading one as the other hangs instead of reinterpreting bytes.
    #[test]
    fn the_accumulator_is_not_read_across_native_float_and_float() {
        let first = decode(&[0x8003_005b, 0x2000_02f0, 0x0a0a_0664, 0x0604_0205]).unwrap();
        let second = decode(&[0x8003_005b, 0x7104_0fa8, 0x0a0a_2001, 0x0624_0305]).unwrap();
        // `mov (8) r20:f acc0:f`: r32 (0x20) with the source's file bit (66) cleared.
        let mut w = asm::mov(8, dst(20, 0, ty::F), vec8(0x20, 0, ty::F), Ctl::default());
        w[2] &= !(1 << 2);
        let mov = decode(&w).unwrap();
        assert!(matches!(
            mov.srcs[0],
            Src::Reg {
                file: RegFile::Acc(0, 0),
                ..
            }
        ));
        let mut t = Thread::new(0xff);
        // An NF read before any NF write.
        let e = t.alu(&decoded(second), 0xff, u32::MAX).unwrap_err();
        assert!(e.0.contains("accumulator read as :nf"), "{e:?}");
        // An F read after an NF write.
        t.alu(&decoded(first), 0xff, u32::MAX).unwrap();
        let e = t.alu(&decoded(mov), 0xff, u32::MAX).unwrap_err();
        assert!(e.0.contains("accumulator read as :f"), "{e:?}");
        // After the NF write, the NF read is fine.
        t.alu(&decoded(second), 0xff, u32::MAX).unwrap();
    }

    /// Random straight-line kernels of ALU instructions, most of them on the fast path
    /// (predicated or not, NoMask, CMPs writing either flag register, partial dispatch
    /// masks), end with the same registers and flags whether the quick step runs the
    /// instructions it can or `step` runs every one.
    #[test]
    fn the_quick_step_matches_step() {
        use crate::mem::AddressSpace;
        const BASE: u64 = 0x4_0000;
        let space = crate::testing::SparseSpace::new();
        space.bind(BASE, 0x1_0000);
        let mut r = Rng(0x7a11_5eed_0dd5_1357);
        let ops = [
            op::MOV,
            op::ADD,
            op::MUL,
            op::AND,
            op::OR,
            op::XOR,
            op::SHL,
            op::SHR,
            op::CMP,
            op::SEL,
        ];
        let tys = [ty::UD, ty::D, ty::F, ty::UW, ty::W];
        let mut quick = 0;
        for case in 0..300u64 {
            let mut k = Vec::new();
            for _ in 0..1 + r.below(12) {
                let o = ops[r.below(ops.len() as u32) as usize];
                let exec = [1, 8, 16][r.below(3) as usize];
                let t = |r: &mut Rng| tys[r.below(5) as usize];
                let src = |r: &mut Rng, t: u32| -> S {
                    match r.below(4) {
                        0 => imm(t, r.next_u32()),
                        1 => imm([asm::ty::V, asm::ty::UV][r.below(2) as usize], r.next_u32()),
                        2 => scalar(10 + r.below(4), r.below(8), t),
                        _ => vec8(10 + r.below(4), 0, t),
                    }
                };
                let (ta, tb, td) = (t(&mut r), t(&mut r), t(&mut r));
                let (a, b) = (src(&mut r, ta), src(&mut r, tb));
                let ctl = Ctl {
                    cond: match o {
                        op::CMP => 1 + r.below(6),
                        op::SEL => [4, 5][r.below(2) as usize],
                        _ => 0,
                    },
                    pred: u32::from(r.below(3) == 0),
                    pred_inv: r.below(2) == 0,
                    no_mask: r.below(4) == 0,
                    flag: r.below(2),
                    ..Ctl::default()
                };
                let w = if r.below(6) == 0 {
                    // A message, maybe predicated or failing.
                    let desc = [1 << 25, 1 << 25, 0x1ff][r.below(3) as usize];
                    asm::send(exec, 12, None, 10, desc, false, ctl)
                } else {
                    let d = dst(10 + r.below(4), 0, td);
                    asm::alu(o, exec, d, a, (o != op::MOV).then_some(b), ctl)
                };
                if decode(&w).is_ok() {
                    k.push(w);
                }
            }
            k.extend(asm::eot());
            // Kernels at a few addresses, rewritten in place: the cache must notice.
            let at = BASE + 0x1000 * (case % 4);
            let bytes: Vec<u8> = asm::flatten(&k)
                .iter()
                .flat_map(|d| d.to_le_bytes())
                .collect();
            space.write(at, &bytes).unwrap();
            let mask = [0xffff, 0xff, r.next_u32() & 0xffff | 1][r.below(3) as usize];
            let grf: Vec<u8> = (0..GRF_BYTES).map(|_| r.next_u32() as u8).collect();
            let flag: [u8; 8] = std::array::from_fn(|_| r.next_u32() as u8);
            let fresh = || {
                let mut t = Thread::new(mask);
                t.grf_mut(0..GRF_BYTES).copy_from_slice(&grf);
                t.flag = flag;
                t
            };
            // A message leaves its channel mask in r31 (so that a message sent on the
            // wrong channels shows), fails on its descriptor 0x1ff, or ends the thread.
            let mut send = |t: &mut Thread, inst: &Inst, mask: u32| {
                let m = inst.msg.expect("a SEND");
                if m.desc == Some(0x1ff) {
                    return Err(EuError::new("a failing message"));
                }
                let n = t.grf_ud(31, 0);
                t.set_grf_ud(31, 0, n.rotate_left(5) ^ mask);
                Ok(m.eot.then_some(Stop::Done))
            };
            // Every instruction decoded once, as a kernel run by an earlier thread is.
            let mut kernel = Kernel::new(&space, at);
            let run = |t: &mut Thread, kernel: &mut Kernel<'_>, send: &mut SendFn<'_>, q: bool| {
                let mut quick = 0;
                for _ in 0..64 {
                    let r = match q.then(|| t.step_fast(kernel, send)).flatten() {
                        Some(r) => {
                            quick += 1;
                            r
                        }
                        None => t.step(kernel, send),
                    };
                    match r {
                        Ok(Some(_)) => return (true, quick),
                        Ok(None) => {}
                        Err(_) => return (false, quick),
                    }
                }
                panic!("a straight-line kernel did not end");
            };
            run(&mut fresh(), &mut kernel, &mut send, false);
            let (mut t1, mut t2) = (fresh(), fresh());
            let (ok1, q) = run(&mut t1, &mut kernel, &mut send, true);
            let (ok2, _) = run(&mut t2, &mut kernel, &mut send, false);
            quick += q;
            assert_eq!(ok1, ok2, "case {case}");
            assert!(t1.grf == t2.grf, "registers differ in case {case}");
            assert_eq!(t1.flag, t2.flag, "flags differ in case {case}");
            assert_eq!(t1.ip, t2.ip);
        }
        assert!(quick > 200, "the quick step ran {quick} instructions");
    }

    /// Random float MADs give the same registers on both paths.
    #[test]
    fn the_fast_mad_matches_the_general_path() {
        let mut r = Rng(0x0bad_cafe_1234_5677);
        let mut taken = 0;
        for _ in 0..2000 {
            let exec = [1, 8, 16][r.below(3) as usize];
            let mut src = || (10 + r.below(6), r.below(8), r.below(2) == 0);
            let srcs = [src(), src(), src()];
            let w = asm::mad_f(exec, 20, srcs, Ctl::default());
            let inst = decode(&w).expect("a MAD decodes");
            let mut t1 = Thread::new(0xffff);
            for (i, byte) in t1.grf_mut(0..GRF_BYTES).iter_mut().enumerate() {
                // Mostly ordinary floats, some special values.
                *byte = if i % 4 == 3 {
                    0x3f + (r.below(4) as u8)
                } else {
                    r.next_u32() as u8
                };
            }
            let mut t2 = Thread::new(0xffff);
            t2.grf_mut(0..GRF_BYTES).copy_from_slice(t1.grf());
            let exec_mask = r.next_u32() | 1;
            let d = decoded(inst);
            if d.fast.is_some() {
                taken += 1;
            }
            t1.alu(&d, exec_mask, u32::MAX).unwrap();
            t2.alu_general(&inst, exec_mask, u32::MAX).unwrap();
            assert!(t1.grf == t2.grf, "registers differ after `{inst}`");
        }
        assert!(taken > 1000, "the fast path ran {taken} times");
    }

    /// Random dword instructions run on the fast path and on the reference path give the
    /// same registers and flags.
    #[test]
    fn the_fast_path_matches_the_general_path() {
        let mut r = Rng(0x1234_5678_9abc_def1);
        let ops = [
            op::MOV,
            op::ADD,
            op::MUL,
            op::AND,
            op::OR,
            op::XOR,
            op::SHL,
            op::SHR,
            op::CMP,
            op::SEL,
        ];
        let tys = [ty::UD, ty::D, ty::F, ty::UW, ty::W];
        let mut fast_taken = 0;
        for _ in 0..4000 {
            let o = ops[(r.next_u32() % ops.len() as u32) as usize];
            let exec = [1, 8, 16][(r.next_u32() % 3) as usize];
            let (ta, tb, td) = (
                tys[(r.next_u32() % 5) as usize],
                tys[(r.next_u32() % 5) as usize],
                tys[(r.next_u32() % 5) as usize],
            );
            let src = |r: &mut Rng, t: u32| -> S {
                match r.next_u32() % 4 {
                    0 => imm(t, r.next_u32()),
                    1 => imm([asm::ty::V, asm::ty::UV][r.below(2) as usize], r.next_u32()),
                    2 => scalar(10 + r.next_u32() % 4, r.next_u32() % 8, t),
                    _ => vec8(10 + r.next_u32() % 4, 0, t),
                }
            };
            let a = src(&mut r, ta);
            let b = src(&mut r, tb);
            let cond = match o {
                op::CMP => 1 + r.next_u32() % 6,
                op::SEL => [4, 5][(r.next_u32() % 2) as usize],
                _ => 0,
            };
            let ctl = Ctl {
                cond,
                ..Ctl::default()
            };
            let two = o != op::MOV;
            let w = asm::alu(o, exec, dst(20, 0, td), a, two.then_some(b), ctl);
            let Ok(inst) = decode(&w) else { continue };
            let mut t1 = Thread::new(0xffff);
            for byte in t1.grf_mut(0..GRF_BYTES).iter_mut() {
                *byte = r.next_u32() as u8;
            }
            t1.flag = [0; 8];
            let mut t2 = Thread::new(0xffff);
            t2.grf_mut(0..GRF_BYTES).copy_from_slice(t1.grf());
            let exec_mask = r.next_u32() | 1;
            let d = decoded(inst);
            let g1 = t1.alu(&d, exec_mask, u32::MAX);
            let g2 = t2.alu_general(&inst, exec_mask, u32::MAX);
            if d.fast.is_some() {
                fast_taken += 1;
            }
            assert_eq!(g1.is_ok(), g2.is_ok(), "{inst}");
            assert!(t1.grf == t2.grf, "registers differ after `{inst}`");
            assert_eq!(t1.flag, t2.flag, "flags differ after `{inst}`");
        }
        assert!(
            fast_taken > 500,
            "the fast path ran only {fast_taken} times"
        );
    }
}
