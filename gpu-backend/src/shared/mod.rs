//! The shared functions EU threads send messages to: the data port (surfaces and memory),
//! the message gateway (barriers) and the thread spawner (end of thread).
//!
//! | SFID | unit | modelled messages |
//! |---|---|---|
//! | 2 | sampler | texel fetches (`ld`, `ld_lz`) and filtered samples (`sample`, `sample_lz`), see [`sampler`] |
//! | 3 | message gateway | barrier |
//! | 5 | render cache | render target writes with blending, see [`render_cache`] |
//! | 6 | URB | SIMD8 writes of vertex shader outputs, see [`urb`] |
//! | 7 | thread spawner | end of thread |
//! | 10 | data cache (DC0) | memory fence, byte scattered read/write (1, 2, 4 bytes), DWord scattered read/write, OWord block read/write and unaligned OWord block read, scratch block read/write (per-thread scratch space from r0.5) |
//! | 12 | data cache 1 (DC1) | media block read/write; untyped surface read/write and atomics (SIMD8/16; binding table, stateless A32 or shared local memory); typed surface read/write/atomics (SIMD8, format conversion, bounds checks); untyped float atomics; A64 untyped read/write, A64 OWord block read/write, A64 byte scattered read/write, A64 untyped atomics (32- and 64-bit, float) |
//!
//! Binding table index 252 is a bindless surface: the extended descriptor's bits 31:12
//! give its surface state's offset from Bindless Surface State Base in 64-byte units.
//!
//! Stateless (A32) messages with a header take their buffer base from its dword 5 (bits
//! 31:10, relative to General State Base), as compilers use r0.5 there.
//!
//! Any other message is an error naming its SFID and message type.

mod block;
mod dataport;
pub mod render_cache;
mod sampler;
mod sampler_state;
mod typed;
pub mod urb;

pub(crate) use dataport::SLM_BYTES;

use crate::eu::isa::{desc_mlen, desc_rlen, ex_desc_mlen, Inst};
use crate::eu::thread::{Stop, Thread};
use crate::eu::{EuError, SharedFunctions};
use crate::mem::AddressSpace;

/// Shared function ids (the SEND instruction's SFID field).
pub mod sfid {
    /// Sampler.
    pub const SAMPLER: u8 = 2;
    /// Render cache data port (render target writes).
    pub const RENDER_CACHE: u8 = 5;
    /// Unified return buffer (vertex data between stages).
    pub const URB: u8 = 6;
    /// Message gateway.
    pub const GATEWAY: u8 = 3;
    /// Thread spawner.
    pub const SPAWNER: u8 = 7;
    /// Data port data cache (DC0).
    pub const DC0: u8 = 10;
    /// Data port data cache 1 (DC1).
    pub const DC1: u8 = 12;
}

/// What the data port needs from the dispatching command: memory and the state bases.
pub struct Dataport<'a> {
    /// The request's address space.
    pub space: &'a dyn AddressSpace,
    /// Surface State Base Address (binding tables and surface states are relative to it).
    pub surface_state_base: u64,
    /// GPU address of the kernel's binding table (its entries are offsets from the
    /// surface state base).
    pub binding_table: u64,
    /// General State Base Address (stateless accesses are relative to it).
    pub general_state_base: u64,
    /// Bindless Surface State Base Address (binding table index 252 names a surface state
    /// at an offset from it carried by the extended descriptor).
    pub bindless_surface_base: u64,
    /// Extended descriptor of the message being performed.
    pub ex_desc: u32,
    /// Shared local memory of the running thread group.
    pub slm: Vec<u8>,
    /// Memory writes performed (for the command streamer's progress accounting).
    pub writes: u64,
    /// The direct range the last access went through (a lookup cache, never contents).
    pub window: Option<crate::mem::DirectRange>,
    /// Surfaces decoded during this dispatch, by binding table index and extended
    /// descriptor (the hardware caches surface state until a state-cache invalidation,
    /// which never falls inside a dispatch).
    pub surfaces: Vec<((u32, u32), crate::surface::Surface)>,
    /// The pixel shader thread running, when the pixel backend dispatched it (render
    /// target writes need its pixels and the output-merger state).
    pub pixel: Option<render_cache::PixelThread>,
    /// The output VUEs of the running vertex shader thread.
    pub urb: Option<urb::UrbOutputs>,
    /// GPU address of the dispatching stage's SAMPLER_STATE table (0: none).
    pub sampler_state: u64,
    /// Dynamic State Base Address (sampler border colours are relative to it).
    pub dynamic_state_base: u64,
}

impl Dataport<'_> {
    /// Reads `buf.len()` bytes at GPU address `addr`, through the cached direct range
    /// when it covers them.
    pub(crate) fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), crate::Fault> {
        let len = buf.len() as u64;
        if !self.window.is_some_and(|d| d.covers(addr, len)) {
            self.window = self.space.direct(addr, len).filter(|d| d.covers(addr, len));
        }
        match self.window {
            Some(d) => {
                d.read((addr - d.gpu_addr()) as usize, buf);
                Ok(())
            }
            None => self.space.read(addr, buf),
        }
    }

    /// The direct range covering `len` bytes at GPU address `addr` (the cached one when
    /// it covers them), if memory there is directly accessible.
    pub(crate) fn window_for(&mut self, addr: u64, len: u64) -> Option<crate::mem::DirectRange> {
        let addr = addr & crate::mem::GPU_ADDR_MASK;
        if !self.window.is_some_and(|d| d.covers(addr, len)) {
            let d = self
                .space
                .direct(addr, len)
                .filter(|d| d.covers(addr, len))?;
            self.window = Some(d);
        }
        self.window
    }

    /// Writes `data` at GPU address `addr`, through the cached direct range when it
    /// covers them.
    pub(crate) fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), crate::Fault> {
        let len = data.len() as u64;
        if !self.window.is_some_and(|d| d.covers(addr, len)) {
            self.window = self.space.direct(addr, len).filter(|d| d.covers(addr, len));
        }
        self.writes += 1;
        match self.window {
            Some(d) => {
                d.write((addr - d.gpu_addr()) as usize, data);
                Ok(())
            }
            None => self.space.write(addr, data),
        }
    }
}

/// The surface state of binding table entry `bti` of the running dispatch (render targets
/// are entries 0..n of the pixel shader's binding table).
pub(crate) fn render_target(
    dp: &mut Dataport<'_>,
    bti: u32,
) -> Result<crate::surface::Surface, EuError> {
    dataport::surface(dp, bti)
}

/// A message's payload gathered from the thread's registers.
pub(crate) struct Payload<'a> {
    /// First part (header and addresses), `mlen` registers.
    pub src0: &'a [u8],
    /// Second part (data), `ex_mlen` registers.
    pub src1: &'a [u8],
    /// Set when a message read a dword past both parts (it then saw 0 and must hang: its
    /// lengths do not cover what it reads).
    pub short: std::cell::Cell<bool>,
}

impl Payload<'_> {
    /// Checks that the payload holds at least `dwords` dwords (a shorter one would read
    /// zeros where the message expects data).
    pub fn need(&self, dwords: usize, what: &str) -> Result<(), EuError> {
        let have = (self.src0.len() + self.src1.len()) / 4;
        if have < dwords {
            return Err(EuError::new(format!(
                "{what} with a payload of {} registers (needs {})",
                have / 8,
                dwords.div_ceil(8)
            )));
        }
        Ok(())
    }

    /// Dword `i` across both parts, as if they were contiguous.
    pub fn ud(&self, i: usize) -> u32 {
        let o = 4 * i;
        let b = if o < self.src0.len() {
            &self.src0[o..o + 4]
        } else {
            let o = o - self.src0.len();
            match self.src1.get(o..o + 4) {
                Some(b) => b,
                None => {
                    self.short.set(true);
                    return 0;
                }
            }
        };
        u32::from_le_bytes(b.try_into().unwrap())
    }
}

fn grf_range(t: &Thread, first: u8, n: u8) -> Result<&[u8], EuError> {
    let (a, b) = (first as usize * 32, (first as usize + n as usize) * 32);
    t.grf()
        .get(a..b)
        .ok_or_else(|| EuError::new(format!("message payload r{first}+{n} past r127")))
}

impl SharedFunctions for Dataport<'_> {
    fn send(
        &mut self,
        thread: &mut Thread,
        inst: &Inst,
        mask: u32,
    ) -> Result<Option<Stop>, EuError> {
        let m = inst.msg.expect("SEND has a message");
        // The common untyped block message straight between memory and the registers;
        // anything else (or anything that would fail) goes the general way.
        if m.sfid == sfid::DC1 && !m.eot {
            if let Some(done) = dataport::untyped_quick(self, thread, &m, mask) {
                return done;
            }
        }
        self.send_general(thread, inst, mask)
    }
}

impl Dataport<'_> {
    /// Performs any message: the payload gathered from the registers, the response
    /// written back to them.
    fn send_general(
        &mut self,
        thread: &mut Thread,
        inst: &Inst,
        mask: u32,
    ) -> Result<Option<Stop>, EuError> {
        let m = inst.msg.expect("SEND has a message");
        let desc = m.desc.unwrap_or_else(|| thread.a0_ud(0));
        let ex_desc = m
            .ex_desc
            .unwrap_or_else(|| thread.a0_ud(m.ex_desc_reg as usize));
        let mlen = desc_mlen(desc);
        let ex_mlen = if m.src1.is_some() {
            ex_desc_mlen(ex_desc)
        } else {
            0
        };
        let payload = Payload {
            src0: grf_range(thread, m.src0, mlen)?,
            src1: match m.src1 {
                Some(r) => grf_range(thread, r, ex_mlen)?,
                None => &[],
            },
            short: std::cell::Cell::new(false),
        };
        self.ex_desc = ex_desc;
        let rlen = desc_rlen(desc);
        // The response starts as the destination's current contents: per-channel
        // messages write back only their enabled channels, as the hardware does.
        // Most responses are a few registers: only those bytes are prepared.
        // (Two sizes of buffer: clearing 256 bytes for every one-register read shows.)
        let mut two = [0u8; 2 * 32];
        let mut small;
        let mut large;
        let response: &mut [u8] = if rlen <= 2 {
            &mut two[..rlen as usize * 32]
        } else if rlen <= 8 {
            small = [0u8; 8 * 32];
            &mut small[..rlen as usize * 32]
        } else {
            large = vec![0u8; rlen as usize * 32];
            &mut large
        };
        if let (Some(d), true) = (m.dst, rlen > 0) {
            response.copy_from_slice(grf_range(thread, d, rlen)?);
        }
        let stop = match m.sfid {
            sfid::SPAWNER if m.eot => Some(Stop::Done),
            sfid::GATEWAY => match desc & 7 {
                // Barrier: the thread then waits (SYNC.BAR) until its group arrives.
                4 => None,
                f => return Err(EuError::new(format!("gateway message {f}"))),
            },
            sfid::SAMPLER => {
                sampler::message(self, desc, mask, &payload, response)?;
                None
            }
            sfid::RENDER_CACHE => {
                render_cache::message(self, inst, desc, mask, &payload)?;
                None
            }
            sfid::URB => {
                urb::message(self, desc, mask, &payload)?;
                None
            }
            sfid::DC0 => {
                dataport::dc0(self, inst, desc, mask, &payload, response)?;
                None
            }
            sfid::DC1 => {
                dataport::dc1(self, desc, mask, &payload, response)?;
                None
            }
            s => {
                return Err(EuError::new(format!(
                    "message to shared function {s} (descriptor {desc:#010x})"
                )))
            }
        };
        if payload.short.get() {
            return Err(EuError::new(format!(
                "message {desc:#010x} reads past its payload ({mlen} + {ex_mlen} registers)"
            )));
        }
        if let (Some(d), true) = (m.dst, rlen > 0) {
            let a = d as usize * 32;
            if a + response.len() > crate::eu::thread::GRF_BYTES {
                return Err(EuError::new("message response past r127"));
            }
            thread
                .grf_mut(a..a + response.len())
                .copy_from_slice(response);
        }
        if m.eot && stop.is_none() {
            return Ok(Some(Stop::Done));
        }
        Ok(stop)
    }
}
