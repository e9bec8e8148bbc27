//! Shared test helpers: an engine over a SparseSpace and batch encoders.
#![allow(dead_code)]

#[allow(unused_imports)]
pub use gpu_backend::eu::asm as eu;
pub mod gpgpu;

use crossbeam_channel::{bounded, Receiver};
use gpu_backend::decode::{blt, mi, PIPE_CONTROL};
use gpu_backend::testing::SparseSpace;
use gpu_backend::{
    AddressSpace, ContextRegs, Engine, EngineConfig, Outcome, Request, RequestHandle,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where test batches live, and a data area after them.
pub const BATCH: u64 = 0x1_0000;
pub const DATA: u64 = 0x10_0000;
pub const AREA: u64 = 0x20_0000;

pub const BB_END: u32 = 0x0500_0000;
pub const ARB_CHECK: u32 = 0x0280_0000;

pub struct Gpu {
    pub space: Arc<SparseSpace>,
    pub engine: Engine,
    pub ctx: Arc<Mutex<ContextRegs>>,
}

impl Gpu {
    pub fn new(cfg: EngineConfig) -> Gpu {
        let space = Arc::new(SparseSpace::new());
        space.bind(BATCH, DATA - BATCH);
        space.bind(DATA, AREA - DATA);
        Gpu {
            space,
            engine: Engine::start(cfg).unwrap(),
            ctx: Arc::new(Mutex::new(ContextRegs::default())),
        }
    }

    pub fn rcs() -> Gpu {
        Gpu::new(EngineConfig::rcs0())
    }

    pub fn bcs() -> Gpu {
        Gpu::new(EngineConfig::bcs0())
    }

    pub fn put(&self, addr: u64, dwords: &[u32]) {
        let bytes: Vec<u8> = dwords.iter().flat_map(|d| d.to_le_bytes()).collect();
        self.space.write(addr, &bytes).unwrap();
    }

    pub fn get(&self, addr: u64) -> u32 {
        let mut b = [0u8; 4];
        self.space.read(addr, &mut b).unwrap();
        u32::from_le_bytes(b)
    }

    pub fn get64(&self, addr: u64) -> u64 {
        self.get(addr) as u64 | (self.get(addr + 4) as u64) << 32
    }

    pub fn submit_at(&self, addr: u64) -> (RequestHandle, Receiver<Outcome>) {
        let (tx, rx) = bounded(1);
        let h = self.engine.submit(Request {
            space: self.space.clone(),
            batch: addr,
            context: self.ctx.clone(),
            on_start: None,
            on_complete: Box::new(move |o| tx.send(o).unwrap()),
        });
        (h, rx)
    }

    /// Waits (briefly) until the engine has retired everything: `retired` counts after a
    /// completion callback returns, so it may trail the outcome a test received.
    pub fn wait_idle(&self) {
        let t = std::time::Instant::now();
        while self.engine.busy() && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(!self.engine.busy());
    }

    /// Waits until request `seqno` is running on the engine and returns its handle.
    pub fn wait_running(&self, seqno: u64) -> RequestHandle {
        let t = std::time::Instant::now();
        loop {
            match self.engine.running() {
                Some(h) if h.seqno() == seqno => return h,
                _ if t.elapsed() > Duration::from_secs(10) => {
                    panic!("request {seqno} never started")
                }
                _ => std::thread::sleep(Duration::from_millis(1)),
            }
        }
    }

    /// Writes `batch` at BATCH, runs it, waits for the outcome.
    pub fn run(&self, batch: &[u32]) -> Outcome {
        self.put(BATCH, batch);
        let (_h, rx) = self.submit_at(BATCH);
        rx.recv_timeout(Duration::from_secs(20))
            .expect("request never completed")
    }
}

pub fn lo(a: u64) -> u32 {
    a as u32
}

pub fn hi(a: u64) -> u32 {
    (a >> 32) as u32
}

pub fn store(addr: u64, v: u32) -> [u32; 4] {
    [mi::instr(mi::STORE_DATA_IMM, 2), lo(addr), hi(addr), v]
}

pub fn store64(addr: u64, v: u64) -> [u32; 5] {
    [
        mi::instr(mi::STORE_DATA_IMM, 1 << 21 | 3),
        lo(addr),
        hi(addr),
        v as u32,
        (v >> 32) as u32,
    ]
}

pub fn bb_start(addr: u64) -> [u32; 3] {
    [
        mi::instr(mi::BATCH_BUFFER_START, 1 << 8 | 1),
        lo(addr),
        hi(addr),
    ]
}

pub fn bb_call(addr: u64) -> [u32; 3] {
    [
        mi::instr(mi::BATCH_BUFFER_START, 1 << 22 | 1 << 8 | 1),
        lo(addr),
        hi(addr),
    ]
}

pub fn lri(pairs: &[(u32, u32)]) -> Vec<u32> {
    let mut v = vec![mi::instr(mi::LOAD_REGISTER_IMM, 2 * pairs.len() as u32 - 1)];
    for &(r, d) in pairs {
        v.extend([r, d]);
    }
    v
}

pub fn srm(reg: u32, addr: u64) -> [u32; 4] {
    [
        mi::instr(mi::STORE_REGISTER_MEM, 2),
        reg,
        lo(addr),
        hi(addr),
    ]
}

pub fn lrm(reg: u32, addr: u64) -> [u32; 4] {
    [mi::instr(mi::LOAD_REGISTER_MEM, 2), reg, lo(addr), hi(addr)]
}

pub fn lrr(src: u32, dst: u32) -> [u32; 3] {
    [mi::instr(mi::LOAD_REGISTER_REG, 1), src, dst]
}

pub fn cond_end(data: u32, addr: u64) -> [u32; 4] {
    [
        mi::instr(mi::COND_BATCH_BUFFER_END, 1 << 21 | 2),
        data,
        lo(addr),
        hi(addr),
    ]
}

/// MI_SEMAPHORE_WAIT, polling mode, compare op 0..5.
pub fn sem_wait(op: u32, data: u32, addr: u64) -> [u32; 4] {
    [
        mi::instr(mi::SEMAPHORE_WAIT, 1 << 15 | op << 12 | 2),
        data,
        lo(addr),
        hi(addr),
    ]
}

pub fn math(alu: &[u32]) -> Vec<u32> {
    let mut v = vec![mi::instr(mi::MATH, alu.len() as u32 - 1)];
    v.extend_from_slice(alu);
    v
}

pub fn alu(op: u32, a: u32, b: u32) -> u32 {
    op << 20 | a << 10 | b
}

pub fn pipe_control(flags: u32, addr: u64, data: u64) -> [u32; 6] {
    [
        PIPE_CONTROL | 4,
        flags,
        lo(addr),
        hi(addr),
        data as u32,
        (data >> 32) as u32,
    ]
}

pub fn flush_dw(op: u32, addr: u64, data: u32) -> [u32; 4] {
    [
        mi::instr(mi::FLUSH_DW, op << 14 | 2),
        lo(addr),
        hi(addr),
        data,
    ]
}

/// The IGT spinner (DESIGN §4) at `base`: 64 bytes of NOOPs, then a loop of MI_ARB_CHECK,
/// NOOPs, MI_COND_BATCH_BUFFER_END against base+4088 and a jump back to base+64. The
/// condition dword starts as 0xffffffff.
pub fn spinner(base: u64) -> Vec<u32> {
    let mut b = vec![0u32; 1024];
    let mut i = 16;
    b[i] = ARB_CHECK;
    i += 1 + 8; // NOOPs
    b[i..i + 4].copy_from_slice(&cond_end(BB_END, base + 4088));
    i += 4;
    b[i..i + 3].copy_from_slice(&bb_start(base + 64));
    b[1022] = 0xffff_ffff;
    b[1023] = 0xffff_ffff;
    b
}

pub fn xy_src_copy(
    flags: u32,
    br13: u32,
    dst: (u32, u32, u32, u32),
    dst_addr: u64,
    src_xy: (u32, u32),
    src_pitch: u32,
    src_addr: u64,
) -> [u32; 10] {
    [
        blt::instr(blt::XY_SRC_COPY, flags | 8),
        br13,
        dst.1 << 16 | dst.0,
        dst.3 << 16 | dst.2,
        lo(dst_addr),
        hi(dst_addr),
        src_xy.1 << 16 | src_xy.0,
        src_pitch,
        lo(src_addr),
        hi(src_addr),
    ]
}
