//! Reads a trace back: rebuilds the memory its blocks describe (GGTT entries,
//! physical pages, page tables), follows each execlist submission to its context,
//! ring and batch, and optionally runs the batch on the software command streamer
//! against that memory. Anything the trace does not say, or says inconsistently, is
//! an [`AubError`] naming the byte offset of the block at fault.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::format::{AubError, Block, Blocks, Space};
use super::layout::{self, state, PAGE};
use super::meta::{parse_note, Note, ResultMeta, SubmissionMeta};
use crate::exec::{self, Control};
use crate::mem::{AddressSpace, Fault, GPU_ADDR_MASK};
use crate::{ContextRegs, EngineClass, EngineConfig, Hang, HangReason, Outcome};

/// Bits of a page-table or GGTT entry that hold the physical page address.
const ENTRY_ADDR: u64 = 0x000f_ffff_ffff_f000;

/// The memory a trace has described so far.
#[derive(Default)]
pub struct Memory {
    /// GGTT page number → entry (physical address | valid).
    ggtt: HashMap<u64, u64>,
    /// Physical page number → contents; pages never written read as zeros.
    phys: HashMap<u64, Box<[u8]>>,
}

impl Memory {
    fn phys_page(&mut self, page: u64) -> &mut [u8] {
        self.phys
            .entry(page)
            .or_insert_with(|| vec![0u8; PAGE as usize].into_boxed_slice())
    }

    /// Writes physical memory.
    pub fn write_phys(&mut self, addr: u64, data: &[u8]) {
        let mut done = 0;
        while done < data.len() {
            let a = addr + done as u64;
            let off = (a % PAGE) as usize;
            let n = (PAGE as usize - off).min(data.len() - done);
            self.phys_page(a / PAGE)[off..off + n].copy_from_slice(&data[done..done + n]);
            done += n;
        }
    }

    /// Reads physical memory.
    pub fn read_phys(&self, addr: u64, buf: &mut [u8]) {
        let mut done = 0;
        while done < buf.len() {
            let a = addr + done as u64;
            let off = (a % PAGE) as usize;
            let n = (PAGE as usize - off).min(buf.len() - done);
            match self.phys.get(&(a / PAGE)) {
                Some(p) => buf[done..done + n].copy_from_slice(&p[off..off + n]),
                None => buf[done..done + n].fill(0),
            }
            done += n;
        }
    }

    fn read_u64(&self, addr: u64) -> u64 {
        let mut b = [0u8; 8];
        self.read_phys(addr, &mut b);
        u64::from_le_bytes(b)
    }

    /// The physical address of GGTT address `addr`, if its entry is valid.
    pub fn ggtt_to_phys(&self, addr: u64) -> Option<u64> {
        let e = self.ggtt.get(&(addr / PAGE))?;
        (e & 1 != 0).then(|| (e & ENTRY_ADDR) + addr % PAGE)
    }

    /// The physical address of `addr` in the 4-level tables at `pml4`, if mapped.
    pub fn ppgtt_to_phys(&self, pml4: u64, addr: u64) -> Option<u64> {
        let mut table = pml4 & ENTRY_ADDR;
        for level in (1..=4u32).rev() {
            let index = (addr >> (12 + 9 * (level - 1))) & 0x1ff;
            let e = self.read_u64(table + index * 8);
            if e & 1 == 0 {
                return None;
            }
            table = e & ENTRY_ADDR;
        }
        Some(table + addr % PAGE)
    }

    /// Every mapped GPU page of the tables at `pml4`, as maximal runs of consecutive
    /// pages `(start, length)`: what a trace without gemu's notes can be dumped as.
    /// Tables that point at each other can map far more pages than the trace holds
    /// (one page of self-references maps 2^36): past that it is an error.
    pub fn ppgtt_runs(&self, pml4: u64) -> Result<Vec<(u64, u64)>, String> {
        let mut pages = Vec::new();
        let limit = 4 * self.phys.len();
        if !self.walk(pml4 & ENTRY_ADDR, 4, 0, &mut pages, limit) {
            return Err(format!(
                "the page tables at {pml4:#x} map more than {limit} pages (aliased tables)"
            ));
        }
        pages.sort_unstable();
        let mut runs: Vec<(u64, u64)> = Vec::new();
        for p in pages {
            match runs.last_mut() {
                Some((s, l)) if *s + *l == p => *l += PAGE,
                _ => runs.push((p, PAGE)),
            }
        }
        Ok(runs)
    }

    /// Appends the mapped pages under `table`; false once more than `limit`.
    fn walk(&self, table: u64, level: u32, base: u64, out: &mut Vec<u64>, limit: usize) -> bool {
        // Tables are only ever in pages the trace wrote; an unwritten one is empty.
        if !self.phys.contains_key(&(table / PAGE)) {
            return true;
        }
        for index in 0..512u64 {
            let e = self.read_u64(table + index * 8);
            if e & 1 == 0 {
                continue;
            }
            let addr = base | index << (12 + 9 * (level - 1));
            if level == 1 {
                out.push(addr);
                if out.len() > limit {
                    return false;
                }
            } else if !self.walk(e & ENTRY_ADDR, level - 1, addr, out, limit) {
                return false;
            }
        }
        true
    }

    /// Checks that `[addr, addr + size)` is mapped page by page in the tables at
    /// `pml4`, so that reading it stays within what the trace holds (a note could
    /// claim any size).
    fn check_mapped(&self, pml4: u64, addr: u64, size: u64) -> Result<(), String> {
        let end = addr
            .checked_add(size)
            .filter(|&e| e <= GPU_ADDR_MASK + 1)
            .ok_or_else(|| format!("an object of {size:#x} bytes at {addr:#x} passes 2^48"))?;
        let pages = end.div_ceil(PAGE) - addr / PAGE;
        if pages > self.phys.len() as u64 {
            return Err(format!(
                "an object of {size:#x} bytes at {addr:#x} spans more pages than the trace holds"
            ));
        }
        for p in addr / PAGE..end.div_ceil(PAGE) {
            if self.ppgtt_to_phys(pml4, p * PAGE).is_none() {
                return Err(format!(
                    "the object at {addr:#x} is not mapped at {:#x}",
                    p * PAGE
                ));
            }
        }
        Ok(())
    }

    fn read_ggtt(&self, addr: u64, buf: &mut [u8]) -> Result<(), u64> {
        let mut done = 0;
        while done < buf.len() {
            let a = addr + done as u64;
            let n = ((PAGE - a % PAGE) as usize).min(buf.len() - done);
            let p = self.ggtt_to_phys(a).ok_or(a)?;
            self.read_phys(p, &mut buf[done..done + n]);
            done += n;
        }
        Ok(())
    }
}

/// A VM of the trace: the tables at `pml4` in the trace's memory, as the command
/// streamer's [`AddressSpace`]. Like i915's ppGTT, whose unused entries point at a
/// scratch page, an unmapped address reads as zeros and takes writes that vanish:
/// nothing faults.
pub struct PpgttSpace<'a> {
    mem: &'a Mutex<Memory>,
    pml4: u64,
}

impl PpgttSpace<'_> {
    /// Calls `f(physical address or None for scratch, offset in the range, length)`
    /// page by page.
    fn each(
        &self,
        mem: &Memory,
        addr: u64,
        len: usize,
        mut f: impl FnMut(Option<u64>, usize, usize),
    ) {
        let mut done = 0;
        while done < len {
            let a = (addr + done as u64) & GPU_ADDR_MASK;
            let n = ((PAGE - a % PAGE) as usize).min(len - done);
            f(mem.ppgtt_to_phys(self.pml4, a), done, n);
            done += n;
        }
    }
}

impl AddressSpace for PpgttSpace<'_> {
    fn read(&self, gpu_addr: u64, buf: &mut [u8]) -> Result<(), Fault> {
        let mem = self.mem.lock().unwrap_or_else(|p| p.into_inner());
        let mut pieces = Vec::new();
        self.each(&mem, gpu_addr, buf.len(), |p, at, n| {
            pieces.push((p, at, n))
        });
        for (p, at, n) in pieces {
            match p {
                Some(p) => mem.read_phys(p, &mut buf[at..at + n]),
                None => buf[at..at + n].fill(0),
            }
        }
        Ok(())
    }

    fn write(&self, gpu_addr: u64, data: &[u8]) -> Result<(), Fault> {
        let mut mem = self.mem.lock().unwrap_or_else(|p| p.into_inner());
        let mut pieces = Vec::new();
        self.each(&mem, gpu_addr, data.len(), |p, at, n| {
            pieces.push((p, at, n))
        });
        for (p, at, n) in pieces {
            if let Some(p) = p {
                mem.write_phys(p, &data[at..at + n]);
            }
        }
        Ok(())
    }
}

/// One submission found in a trace.
#[derive(Clone, Debug)]
pub struct Submitted {
    /// Byte offset of the register write that submitted it.
    pub offset: usize,
    /// The engine class of the register block written.
    pub class: EngineClass,
    /// The context descriptor.
    pub descriptor: u64,
    /// Physical address of the context's PML4.
    pub pml4: u64,
    /// GPU address of the batch (from the ring's MI_BATCH_BUFFER_START).
    pub batch: u64,
    /// gemu's notes on it, when the trace is gemu's. Every object they name is
    /// mapped in the submission's VM, page by page (else the replay is an error).
    pub meta: Option<SubmissionMeta>,
    /// How the batch ended, when the replay ran it.
    pub outcome: Option<Outcome>,
    /// Its number in the trace (1 for the first).
    pub seq: u64,
    /// What the live run's objects held after it completed (gemu's traces).
    pub expected: Vec<ResultMeta>,
    /// Without gemu's notes: the VM's mapped pages as runs `(address, length)`, the
    /// closest a foreign trace comes to naming objects. Empty with notes.
    pub mapped: Vec<(u64, u64)>,
}

/// How to replay.
#[derive(Clone, Debug)]
pub struct ReplayOptions {
    /// Run each batch (else only rebuild memory and report the submissions).
    pub execute: bool,
    /// Time without an arbitration point after which a batch counts as hung.
    pub hang_timeout: Duration,
    /// The longest a batch may run in all. A batch that spins until the CPU ends it
    /// (writing MI_BATCH_BUFFER_END into it, as i915's tests do) would otherwise spin
    /// for ever: the trace holds the batch as it was when it started.
    pub batch_limit: Duration,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            execute: true,
            hang_timeout: crate::watchdog::DEFAULT_HANG_TIMEOUT,
            batch_limit: Duration::from_secs(2),
        }
    }
}

fn mmio_base(class: EngineClass) -> u32 {
    match class {
        EngineClass::Render => EngineConfig::rcs0().mmio_base,
        EngineClass::Copy => EngineConfig::bcs0().mmio_base,
        EngineClass::Video => EngineConfig::vcs0().mmio_base,
        EngineClass::VideoEnhance => EngineConfig::vecs0().mmio_base,
        EngineClass::Compute => EngineConfig::rcs0().mmio_base,
    }
}

/// Replays `bytes`: for each submission, in trace order, `each(submission, its VM)`
/// after the batch ran (or, without `execute`, with memory as the trace left it at
/// that point). Returns the number of submissions.
pub fn replay(
    bytes: &[u8],
    opts: &ReplayOptions,
    mut each: impl FnMut(&Submitted, &dyn AddressSpace),
) -> Result<usize, AubError> {
    // Results are noted when the live submission completed, which may be after later
    // submissions started: gather them first. A damaged block ends this pass early;
    // the main pass reports it.
    let mut results: HashMap<u64, Vec<ResultMeta>> = HashMap::new();
    for (_, block) in Blocks::new(bytes).map_while(Result::ok) {
        if let Block::Comment(text) = block {
            if let Some(Note::Result(r)) = parse_note(&text) {
                results.entry(r.seq).or_default().push(r);
            }
        }
    }
    let mem = Mutex::new(Memory::default());
    // Per engine: the execlist port's four dwords, and how many were written.
    let mut ports: HashMap<u16, ([u32; 4], usize)> = HashMap::new();
    let mut regs: HashMap<(u16, u64), ContextRegs> = HashMap::new();
    let mut meta: Option<SubmissionMeta> = None;
    let mut count = 0;
    let polls = AtomicU64::new(0);
    for r in Blocks::new(bytes) {
        let (offset, block) = r?;
        let invalid = |what: String| AubError::Invalid { offset, what };
        match block {
            Block::MemWrite { space, addr, data } => {
                let mut m = mem.lock().unwrap_or_else(|p| p.into_inner());
                match space {
                    Space::Physical => m.write_phys(addr, data),
                    Space::GgttEntry => {
                        if addr % 8 != 0 || data.len() % 8 != 0 {
                            return Err(invalid(format!(
                                "GGTT entry write of {} bytes at {addr:#x}",
                                data.len()
                            )));
                        }
                        for (i, e) in data.chunks_exact(8).enumerate() {
                            let e = u64::from_le_bytes(e.try_into().expect("8 bytes"));
                            m.ggtt.insert(addr / 8 + i as u64, e);
                        }
                    }
                    Space::Ggtt => {
                        let mut done = 0;
                        while done < data.len() {
                            let a = addr + done as u64;
                            let n = ((PAGE - a % PAGE) as usize).min(data.len() - done);
                            let p = m.ggtt_to_phys(a).ok_or_else(|| {
                                invalid(format!("GGTT write to {a:#x}, which no entry maps"))
                            })?;
                            m.write_phys(p, &data[done..done + n]);
                            done += n;
                        }
                    }
                    Space::Local => {
                        return Err(invalid("a write to local memory (discrete GPUs)".into()))
                    }
                }
            }
            Block::Comment(text) => match parse_note(&text) {
                Some(Note::Submission(s)) => meta = Some(s),
                Some(Note::Result(_)) => {}
                Some(Note::Object(o)) => {
                    if let Some(s) = meta.as_mut() {
                        s.objects.push(o)
                    }
                }
                None => {}
            },
            Block::RegWrite { reg, value } => {
                let Some((class, off)) = layout::engine_of_reg(reg) else {
                    continue;
                };
                let port = ports.entry(class.uapi_class()).or_default();
                let submit = match off {
                    layout::ELSQ => {
                        port.0[3] = value;
                        false
                    }
                    o if o == layout::ELSQ + 4 => {
                        port.0[2] = value;
                        false
                    }
                    layout::EL_CONTROL => true,
                    layout::ELSP => {
                        port.0[port.1] = value;
                        port.1 += 1;
                        let full = port.1 == 4;
                        if full {
                            port.1 = 0;
                        }
                        full
                    }
                    _ => false,
                };
                if !submit {
                    continue;
                }
                let descriptor = u64::from(port.0[2]) << 32 | u64::from(port.0[3]);
                let m = mem.lock().unwrap_or_else(|p| p.into_inner());
                let (pml4, batch) = follow(&m, descriptor).map_err(invalid)?;
                let meta = meta.take();
                let expected = results.remove(&(count as u64 + 1)).unwrap_or_default();
                let noted = meta
                    .iter()
                    .flat_map(|s| s.objects.iter().map(|o| (o.addr, o.size)));
                for (addr, size) in noted.chain(expected.iter().map(|r| (r.addr, r.size))) {
                    m.check_mapped(pml4, addr, size).map_err(invalid)?;
                }
                let mapped = if meta.is_none() {
                    m.ppgtt_runs(pml4).map_err(invalid)?
                } else {
                    Vec::new()
                };
                drop(m);
                let mut sub = Submitted {
                    offset,
                    class,
                    descriptor,
                    pml4,
                    batch,
                    meta,
                    outcome: None,
                    seq: count as u64 + 1,
                    expected,
                    mapped,
                };
                let space = PpgttSpace { mem: &mem, pml4 };
                if opts.execute {
                    let ctx = regs
                        .entry((class.uapi_class(), descriptor & !0xfff))
                        .or_default();
                    let started = Instant::now();
                    let stop = || {
                        (started.elapsed() > opts.batch_limit).then(|| {
                            Outcome::Hung(Hang {
                                reason: HangReason::Reset("replay time limit".into()),
                                addr: batch,
                            })
                        })
                    };
                    let ctl = Control {
                        stop: &stop,
                        polls: &polls,
                        hang_timeout: opts.hang_timeout,
                    };
                    sub.outcome = Some(exec::run(&space, class, mmio_base(class), ctx, batch, ctl));
                }
                each(&sub, &space);
                count += 1;
            }
            Block::Version { .. } | Block::RegPoll { .. } | Block::Skipped => {}
        }
    }
    Ok(count)
}

/// From a context descriptor to the context's PML4 and the batch its ring starts.
fn follow(m: &Memory, descriptor: u64) -> Result<(u64, u64), String> {
    let pphwsp = descriptor & 0xffff_f000;
    let mut image = [0u8; 52 * 4];
    m.read_ggtt(pphwsp + PAGE, &mut image)
        .map_err(|a| format!("the context state at GGTT {a:#x} is not mapped"))?;
    let dw = |i: usize| u32::from_le_bytes(image[i * 4..i * 4 + 4].try_into().expect("4"));
    let (head, tail, start) = (
        dw(state::RING_HEAD),
        dw(state::RING_TAIL),
        dw(state::RING_START),
    );
    let ring_len = (dw(state::RING_CTL) & 0x1f_f000) + 4096;
    let pml4 = u64::from(dw(state::PML4_HI)) << 32 | u64::from(dw(state::PML4_LO));
    if tail < head || tail - head > ring_len {
        return Err(format!(
            "ring head {head:#x} and tail {tail:#x} (ring of {ring_len:#x} bytes)"
        ));
    }
    let mut ring = vec![0u8; (tail - head) as usize];
    m.read_ggtt(u64::from(start) + u64::from(head), &mut ring)
        .map_err(|a| format!("the ring at GGTT {a:#x} is not mapped"))?;
    let dws: Vec<u32> = ring
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4")))
        .collect();
    let mut i = 0;
    while i < dws.len() {
        let h = dws[i];
        let opcode = (h >> 23) & 0x3f;
        if h >> 29 != 0 {
            return Err(format!("ring command {h:#010x} is not an MI command"));
        }
        if opcode == 0x31 {
            let lo = u64::from(*dws.get(i + 1).ok_or("MI_BATCH_BUFFER_START cut short")?);
            let hi = u64::from(*dws.get(i + 2).unwrap_or(&0));
            return Ok((pml4, (hi << 32 | lo) & GPU_ADDR_MASK & !3));
        }
        // MI commands below 0x10 are one dword; the others carry a length.
        i += if opcode < 0x10 {
            1
        } else {
            (h & 0xff) as usize + 2
        };
    }
    Err("the ring holds no MI_BATCH_BUFFER_START".into())
}
