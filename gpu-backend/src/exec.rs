//! The executor: runs one request's batch, command by command, on the engine thread.
//!
//! Every command is fetched from memory each time it executes (a cached [`DirectRange`]
//! only saves the address lookup, never the contents), so CPU writes into a running batch
//! take effect at once. Batch levels: the request's batch is the first level; a
//! MI_BATCH_BUFFER_START with "second level" from the first level calls a second-level
//! batch whose MI_BATCH_BUFFER_END returns after the call; any other MI_BATCH_BUFFER_START
//! (including a second-level one from the second level) chains, replacing the current
//! batch at the same level. MI_CONDITIONAL_BATCH_BUFFER_END ends every level.

use crate::decode::{self, AtomicOp, Command, PostSync};
use crate::engine::EngineClass;
use crate::mem::{read_mem, write_mem, AddressSpace, DirectRange, Fault, GPU_ADDR_MASK};
use crate::regs::{cs_timestamp, ClipRect, ContextRegs, RegFile, StatusPage};
use crate::watchdog::{Backoff, Watchdog};
use crate::{blit, Hang, HangReason, Outcome};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often (in commands) the watchdog's clock is read outside polling loops.
const WATCHDOG_EVERY: u64 = 64;

/// What the executor consults besides memory and registers.
pub(crate) struct Control<'a> {
    /// `Some(outcome)` when the request must stop now (cancel, reset, shutdown).
    pub stop: &'a dyn Fn() -> Option<Outcome>,
    /// Counts polling iterations (engine statistics).
    pub polls: &'a AtomicU64,
    /// Time without an arbitration point after which the batch hangs.
    pub hang_timeout: Duration,
}

/// Why execution stops early.
enum Halt {
    Hang(HangReason),
    Stop(Outcome),
}

impl From<HangReason> for Halt {
    fn from(r: HangReason) -> Halt {
        Halt::Hang(r)
    }
}

impl From<Fault> for Halt {
    fn from(f: Fault) -> Halt {
        Halt::Hang(HangReason::Fault { addr: f.addr })
    }
}

enum Flow {
    Next,
    End,
}

/// Runs the batch at `batch` to its end and returns the outcome.
pub(crate) fn run(
    space: &dyn AddressSpace,
    class: EngineClass,
    mmio_base: u32,
    regs: &mut ContextRegs,
    batch: u64,
    ctl: Control<'_>,
) -> Outcome {
    let status = regs.status_page.clone();
    let mut ex = Executor {
        space,
        class,
        regs: RegFile {
            regs,
            mmio_base,
            started: cs_timestamp(),
        },
        status: &status,
        watchdog: Watchdog::new(ctl.hang_timeout),
        ctl,
        backoff: Backoff::default(),
        ip: batch & GPU_ADDR_MASK,
        returns: None,
        fetch: None,
        writes: 0,
        writes_at_jump: 0,
        buf: Vec::with_capacity(16),
        count: 0,
    };
    let outcome = ex.run();
    let ran = cs_timestamp().saturating_sub(ex.regs.started);
    ex.regs.regs.runtime_ticks += ran;
    outcome
}

struct Executor<'a> {
    space: &'a dyn AddressSpace,
    class: EngineClass,
    regs: RegFile<'a>,
    status: &'a StatusPage,
    ctl: Control<'a>,
    watchdog: Watchdog,
    backoff: Backoff,
    /// Address of the next command.
    ip: u64,
    /// Return address of the running second-level batch.
    returns: Option<u64>,
    /// The direct range the last command came from (a lookup cache, never contents).
    fetch: Option<DirectRange>,
    /// Stores (memory writes or register changes) so far, and at the last backward jump.
    writes: u64,
    writes_at_jump: u64,
    buf: Vec<u32>,
    count: u64,
}

impl Executor<'_> {
    fn run(&mut self) -> Outcome {
        loop {
            let at = self.ip;
            let r = self.boundary().and_then(|()| self.step());
            match r {
                Ok(Flow::Next) => {}
                Ok(Flow::End) => return Outcome::Completed,
                Err(Halt::Stop(Outcome::Hung(h))) => return Outcome::Hung(Hang { addr: at, ..h }),
                Err(Halt::Stop(o)) => return o,
                Err(Halt::Hang(reason @ HangReason::UnknownCommand { .. }))
                    if !reason.may_be_model_gap() =>
                {
                    return self.stall(reason, at)
                }
                Err(Halt::Hang(reason)) => return Outcome::Hung(Hang { reason, addr: at }),
            }
        }
    }

    /// The engine met a dword that is no command at all (IGT's 0xdeadbeef): the
    /// hardware's command streamer stalls there, so the request stays busy until a
    /// reset or the hang check ends it, and then hangs naming that dword.
    fn stall(&mut self, reason: HangReason, at: u64) -> Outcome {
        loop {
            match self.poll(false) {
                Ok(()) => {}
                Err(Halt::Stop(Outcome::Hung(h))) => return Outcome::Hung(Hang { addr: at, ..h }),
                Err(Halt::Stop(o)) => return o,
                Err(Halt::Hang(_)) => return Outcome::Hung(Hang { reason, addr: at }),
            }
        }
    }

    /// Checks between commands: stop requests always, the watchdog every few commands.
    fn boundary(&mut self) -> Result<(), Halt> {
        if let Some(o) = (self.ctl.stop)() {
            return Err(Halt::Stop(o));
        }
        self.count += 1;
        if self.count.is_multiple_of(WATCHDOG_EVERY) {
            if let Some(elapsed) = self.watchdog.expired() {
                return Err(HangReason::NoProgress { elapsed }.into());
            }
        }
        Ok(())
    }

    /// One polling iteration: back off, then check stop requests and the watchdog.
    /// `arbitration`: the poll is itself an arbitration point (a semaphore wait), which
    /// counts as progress after the back-off, so a descheduled thread never looks hung.
    fn poll(&mut self, arbitration: bool) -> Result<(), Halt> {
        self.ctl.polls.fetch_add(1, Ordering::Relaxed);
        self.backoff.wait();
        if arbitration {
            self.watchdog.progress();
        }
        if let Some(o) = (self.ctl.stop)() {
            return Err(Halt::Stop(o));
        }
        if let Some(elapsed) = self.watchdog.expired() {
            return Err(HangReason::NoProgress { elapsed }.into());
        }
        Ok(())
    }

    fn read_dwords(&mut self, addr: u64, out: &mut [u32]) -> Result<(), Fault> {
        if out.is_empty() {
            return Ok(());
        }
        let bytes = out.len() as u64 * 4;
        if !self.fetch.is_some_and(|d| d.covers(addr, bytes)) {
            self.fetch = self
                .space
                .direct(addr, bytes)
                .filter(|d| d.covers(addr, bytes));
        }
        if let Some(d) = self.fetch {
            let off = (addr - d.gpu_addr()) as usize;
            for (i, o) in out.iter_mut().enumerate() {
                *o = d.load_u32(off + 4 * i);
            }
            return Ok(());
        }
        let mut tmp = vec![0u8; bytes as usize];
        self.space.read(addr, &mut tmp)?;
        for (o, b) in out.iter_mut().zip(tmp.chunks_exact(4)) {
            *o = u32::from_le_bytes(b.try_into().unwrap());
        }
        Ok(())
    }

    fn step(&mut self) -> Result<Flow, Halt> {
        let at = self.ip;
        let mut header = [0u32];
        self.read_dwords(at, &mut header)?;
        let (kind, len) = decode::length(header[0], self.class)?;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        buf.resize(len, 0);
        buf[0] = header[0];
        let r = match self.read_dwords(at + 4, &mut buf[1..]) {
            Ok(()) => decode::parse(kind, &buf)
                .map_err(Halt::from)
                .and_then(|cmd| {
                    self.ip = (at + 4 * len as u64) & GPU_ADDR_MASK;
                    self.exec(cmd, at)
                }),
            Err(f) => Err(f.into()),
        };
        self.buf = buf;
        r
    }

    fn read_u32(&self, addr: u64) -> Result<u32, Fault> {
        let mut b = [0u8; 4];
        read_mem(self.space, addr & GPU_ADDR_MASK, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), Fault> {
        self.writes += 1;
        write_mem(self.space, addr & GPU_ADDR_MASK, data)
    }

    fn write_reg(&mut self, reg: u32, v: u32) {
        if self.regs.write(reg, v) {
            self.writes += 1;
        }
    }

    fn write_status(&mut self, offset: u64, data: &[u32]) {
        for (i, &d) in data.iter().enumerate() {
            self.status.write((offset / 4) as usize + i, d);
        }
        self.writes += 1;
    }

    fn exec(&mut self, cmd: Command<'_>, at: u64) -> Result<Flow, Halt> {
        match cmd {
            Command::Noop | Command::UserInterrupt => {}
            Command::ArbCheck => self.watchdog.progress(),
            Command::BatchEnd => match self.returns.take() {
                Some(ret) => self.ip = ret,
                None => return Ok(Flow::End),
            },
            Command::BatchStart { addr, second_level } => {
                if second_level && self.returns.is_none() {
                    self.returns = Some(self.ip);
                }
                if addr <= at {
                    // A backward jump closes a loop iteration: polling if nothing was stored.
                    if self.writes == self.writes_at_jump {
                        self.poll(false)?;
                    } else {
                        self.backoff.reset();
                    }
                    self.writes_at_jump = self.writes;
                }
                self.ip = addr;
                self.fetch = None;
            }
            Command::CondBatchEnd {
                data,
                addr,
                mask_mode,
                compare,
            } => {
                if compare {
                    let value = if mask_mode {
                        self.read_u32(addr)? & self.read_u32(addr + 4)?
                    } else {
                        self.read_u32(addr)?
                    };
                    if value <= data {
                        return Ok(Flow::End);
                    }
                }
            }
            Command::StoreImm { addr, data } => {
                if let [d] = data {
                    self.write(addr, &d.to_le_bytes())?;
                } else {
                    let bytes: Vec<u8> = data.iter().flat_map(|d| d.to_le_bytes()).collect();
                    self.write(addr, &bytes)?;
                }
            }
            Command::StoreIndex { offset, data } => self.write_status(offset as u64, data),
            Command::LoadRegImm {
                cs_mmio,
                byte_disable,
                pairs,
            } => {
                let keep = (0..4)
                    .filter(|b| byte_disable >> b & 1 != 0)
                    .fold(0u32, |m, b| m | 0xff << (8 * b));
                for p in pairs.chunks_exact(2) {
                    let reg = self.regs.resolve(p[0], cs_mmio);
                    let v = (self.regs.read(reg) & keep) | (p[1] & !keep);
                    self.write_reg(reg, v);
                }
            }
            Command::LoadRegMem { reg, cs_mmio, addr } => {
                let v = self.read_u32(addr)?;
                let reg = self.regs.resolve(reg, cs_mmio);
                self.write_reg(reg, v);
            }
            Command::LoadRegReg {
                src,
                src_cs_mmio,
                dst,
                dst_cs_mmio,
            } => {
                let v = self.regs.read(self.regs.resolve(src, src_cs_mmio));
                let reg = self.regs.resolve(dst, dst_cs_mmio);
                self.write_reg(reg, v);
            }
            Command::StoreRegMem { reg, cs_mmio, addr } => {
                let v = self.regs.read(self.regs.resolve(reg, cs_mmio));
                self.write(addr, &v.to_le_bytes())?;
            }
            Command::CopyMemMem { dst, src } => {
                let v = self.read_u32(src)?;
                self.write(dst, &v.to_le_bytes())?;
            }
            Command::Atomic {
                op,
                qword,
                addr,
                inline,
                return_data,
            } => {
                let n = if qword { 8 } else { 4 };
                let mut buf = [0u8; 8];
                read_mem(self.space, addr, &mut buf[..n])?;
                let m = u64::from_le_bytes(buf);
                let (a, b) = inline.unwrap_or((self.regs.regs.gpr[0], self.regs.regs.gpr[2]));
                let (a, b) = if qword {
                    (a, b)
                } else {
                    (a & 0xffff_ffff, b & 0xffff_ffff)
                };
                // Signed comparisons at the operand width.
                let signed = |v: u64| {
                    if qword {
                        v as i64
                    } else {
                        v as u32 as i32 as i64
                    }
                };
                let new = match op {
                    AtomicOp::And => m & a,
                    AtomicOp::Or => m | a,
                    AtomicOp::Xor => m ^ a,
                    AtomicOp::Move => a,
                    AtomicOp::Inc => m.wrapping_add(1),
                    AtomicOp::Dec => m.wrapping_sub(1),
                    AtomicOp::Add => m.wrapping_add(a),
                    AtomicOp::Sub => m.wrapping_sub(a),
                    AtomicOp::Rsub => a.wrapping_sub(m),
                    AtomicOp::Imax => {
                        if signed(a) > signed(m) {
                            a
                        } else {
                            m
                        }
                    }
                    AtomicOp::Imin => {
                        if signed(a) < signed(m) {
                            a
                        } else {
                            m
                        }
                    }
                    AtomicOp::Umax => m.max(a),
                    AtomicOp::Umin => m.min(a),
                    AtomicOp::CmpWr => {
                        if m == a {
                            b
                        } else {
                            m
                        }
                    }
                };
                self.write(addr, &new.to_le_bytes()[..n])?;
                if return_data {
                    let g = &mut self.regs.regs.gpr[4];
                    *g = if qword { m } else { (*g & !0xffff_ffff) | m };
                }
            }
            Command::Math { alu } => self.math(alu)?,
            Command::SemaphoreWait { op, data, addr } => loop {
                if op.holds(self.read_u32(addr)?, data) {
                    break;
                }
                // A waiting semaphore is an arbitration point (preemptible).
                self.poll(true)?;
            },
            Command::PostSyncWrite {
                op,
                addr,
                store_index,
                data,
            } => {
                let value: Vec<u8> = match op {
                    PostSync::None => return Ok(Flow::Next),
                    PostSync::LoadRegister => {
                        self.write_reg((addr as u32) & 0x7f_fffc, data as u32);
                        return Ok(Flow::Next);
                    }
                    PostSync::Immediate { qword: false } => (data as u32).to_le_bytes().to_vec(),
                    PostSync::Immediate { qword: true } => data.to_le_bytes().to_vec(),
                    PostSync::DepthCount => 0u64.to_le_bytes().to_vec(),
                    PostSync::Timestamp => cs_timestamp().to_le_bytes().to_vec(),
                };
                if store_index {
                    let dwords: Vec<u32> = value
                        .chunks_exact(4)
                        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                        .collect();
                    self.write_status(addr & 0xffc, &dwords);
                } else {
                    self.write(addr, &value)?;
                }
            }
            Command::SetupClip {
                top_left,
                bottom_right,
            } => {
                let xy = |v: u32| (v as u16 as i16 as i32, (v >> 16) as u16 as i16 as i32);
                let ((x1, y1), (x2, y2)) = (xy(top_left), xy(bottom_right));
                self.regs.regs.clip = ClipRect { x1, y1, x2, y2 };
            }
            Command::Gfx { gfx, dw } => self.render(gfx, dw)?,
            Command::Blit { op, dw } => {
                self.writes += 1;
                blit::execute(
                    self.space,
                    op,
                    dw,
                    self.regs.regs.bcs_swctrl,
                    self.regs.regs.clip,
                )?;
            }
        }
        Ok(Flow::Next)
    }

    /// A render engine command. Kernels run on this thread; between thread groups and
    /// every few thousand EU instructions the executor checks stop requests and the
    /// watchdog, and a finished thread group counts as progress.
    fn render(&mut self, gfx: crate::render::Gfx, dw: &[u32]) -> Result<(), Halt> {
        let mut state = std::mem::take(&mut self.regs.regs.render);
        let stop = &self.ctl.stop;
        let watchdog = &mut self.watchdog;
        let mut halted: Option<Halt> = None;
        let mut tick = |group_done: bool| -> Result<(), crate::eu::EuError> {
            if group_done {
                watchdog.progress();
            }
            if let Some(o) = stop() {
                halted = Some(Halt::Stop(o));
                return Err(crate::eu::EuError::new("stopped"));
            }
            if let Some(elapsed) = watchdog.expired() {
                halted = Some(HangReason::NoProgress { elapsed }.into());
                return Err(crate::eu::EuError::new("watchdog"));
            }
            Ok(())
        };
        let gt_mode = self.regs.read(crate::regs::GT_MODE);
        let mut env = crate::render::Env {
            space: self.space,
            tick: &mut tick,
            writes: 0,
            bt_pointer_18_8: gt_mode & crate::regs::GT_MODE_BTP_18_8 != 0,
        };
        let r = state.execute(gfx, dw, &mut env);
        let writes = env.writes;
        self.regs.regs.render = state;
        self.writes += writes;
        match (r, halted) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(h)) => Err(h),
            (Err(e), None) => Err(HangReason::Render(e.0).into()),
        }
    }

    /// MI_MATH: the ALU on the 16 GPRs. STORE of ZF/CF gives all ones when set (LOAD of
    /// them too); LOAD1 loads all ones (it is LOAD0 with the invert bit).
    fn math(&mut self, alu: &[u32]) -> Result<(), HangReason> {
        const SRCA: u32 = 0x20;
        const SRCB: u32 = 0x21;
        const ACCU: u32 = 0x31;
        const ZF: u32 = 0x32;
        const CF: u32 = 0x33;
        let header = decode::mi::instr(decode::mi::MATH, alu.len() as u32 - 1);
        let bad = |what| HangReason::Unsupported { header, what };
        let (mut a, mut b, mut acc, mut zf, mut cf) = (0u64, 0u64, 0u64, false, false);
        let flag = |f: bool| if f { u64::MAX } else { 0 };
        for &ins in alu {
            let (op, o1, o2) = (ins >> 20, ins >> 10 & 0x3ff, ins & 0x3ff);
            let gpr = &mut self.regs.regs.gpr;
            let operand = |o: u32, gpr: &[u64; 16]| match o {
                0..=15 => Ok(gpr[o as usize]),
                SRCA => Ok(a),
                SRCB => Ok(b),
                ACCU => Ok(acc),
                ZF => Ok(flag(zf)),
                CF => Ok(flag(cf)),
                _ => Err(bad("MI_MATH operand")),
            };
            let value = match op {
                0x000 => continue,
                0x080 => operand(o2, gpr)?,
                0x480 => !operand(o2, gpr)?,
                0x081 => 0,
                0x481 => u64::MAX,
                0x100..=0x104 => {
                    (acc, cf) = match op {
                        0x100 => a.overflowing_add(b),
                        0x101 => a.overflowing_sub(b),
                        0x102 => (a & b, false),
                        0x103 => (a | b, false),
                        _ => (a ^ b, false),
                    };
                    zf = acc == 0;
                    continue;
                }
                0x180 | 0x580 => {
                    let v = operand(o2, gpr)?;
                    let v = if op == 0x580 { !v } else { v };
                    if o1 > 15 {
                        return Err(bad("MI_MATH STORE to a non-GPR"));
                    }
                    if gpr[o1 as usize] != v {
                        gpr[o1 as usize] = v;
                        self.writes += 1;
                    }
                    continue;
                }
                _ => return Err(bad("MI_MATH ALU opcode")),
            };
            match o1 {
                SRCA => a = value,
                SRCB => b = value,
                _ => return Err(bad("MI_MATH LOAD target")),
            }
        }
        Ok(())
    }
}
