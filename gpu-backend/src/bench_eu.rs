//! EU benchmarks for `gemu bench`: a vector add of `n` floats run as a GPGPU_WALKER
//! dispatch (SIMD16 threads, untyped surface reads and writes through a binding table),
//! and the same work as a plain Rust loop, measured in the same run.

use crate::engine::{Engine, EngineConfig, Request};
use crate::eu::asm::{self, dst, imm, op, scalar, ty, vec8, Ctl};
use crate::mem::AddressSpace;
use crate::regs::ContextRegs;
use crate::testing::SparseSpace;
use crate::Outcome;
use std::sync::{Arc, Mutex};

/// Where the batch, kernel and state sit (one page each), and the arrays after them.
const BATCH: u64 = 0x1_0000;
const KERNEL: u64 = 0x1000;
const BINDING_TABLE: u64 = 0x2000;
const SURFACES: u64 = 0x2100;
const IDD: u64 = 0x3000;
const ARRAYS: u64 = 0x10_0000;

/// A prepared vector-add dispatch: `c[i] = a[i] + b[i]` over `n` floats.
pub struct VectorAdd {
    n: u32,
    space: Arc<SparseSpace>,
    engine: Engine,
    context: Arc<Mutex<ContextRegs>>,
}

fn kernel() -> Vec<u32> {
    let c = Ctl::default();
    let nm = Ctl { no_mask: true, ..c };
    let read = |bti: u32| 2 << 25 | 2 << 20 | 0x1 << 14 | 1 << 12 | 0xe << 8 | bti;
    let write = |bti: u32| 4 << 25 | 0x9 << 14 | 1 << 12 | 0xe << 8 | bti;
    let mut k = vec![
        asm::mov(8, dst(10, 0, ty::UW), imm(asm::ty::V, 0x7654_3210), nm),
        asm::alu(
            op::ADD,
            8,
            dst(10, 8, ty::UW),
            vec8(10, 0, ty::UW),
            Some(imm(ty::UW, 8)),
            nm,
        ),
        asm::alu(
            op::SHL,
            1,
            dst(2, 0, ty::UD),
            scalar(0, 1, ty::UD),
            Some(imm(ty::UD, 6)),
            nm,
        ),
        asm::mov(16, dst(12, 0, ty::UD), vec8(10, 0, ty::UW), c),
        asm::alu(
            op::SHL,
            16,
            dst(12, 0, ty::UD),
            vec8(12, 0, ty::UD),
            Some(imm(ty::UD, 2)),
            c,
        ),
        asm::alu(
            op::ADD,
            16,
            dst(12, 0, ty::UD),
            vec8(12, 0, ty::UD),
            Some(scalar(2, 0, ty::UD)),
            c,
        ),
        asm::send(16, 12, Some(14), 12, read(0), false, c),
        asm::send(16, 12, Some(16), 12, read(1), false, c),
        asm::mov(16, dst(18, 0, ty::UD), vec8(12, 0, ty::UD), c),
        asm::alu(
            op::ADD,
            16,
            dst(20, 0, ty::F),
            vec8(14, 0, ty::F),
            Some(vec8(16, 0, ty::F)),
            c,
        ),
        asm::send(16, 12, None, 18, write(2), false, c),
    ];
    k.extend(asm::eot());
    asm::flatten(&k)
}

fn buffer_state(base: u64, bytes: u32) -> [u32; 16] {
    let n = bytes - 1;
    let mut s = [0u32; 16];
    s[0] = 4 << 29 | 0x1ff << 18;
    s[2] = (n >> 7 & 0x3fff) << 16 | (n & 0x7f);
    s[3] = (n >> 21) << 21;
    s[8] = base as u32;
    s[9] = (base >> 32) as u32;
    s
}

impl VectorAdd {
    /// Lays out the dispatch for `n` floats (a multiple of 16) with inputs `a[i] = i` and
    /// `b[i] = 2i`.
    pub fn new(n: u32) -> Result<VectorAdd, String> {
        if n == 0 || !n.is_multiple_of(16) {
            return Err("the vector length must be a multiple of 16".into());
        }
        let bytes = u64::from(n) * 4;
        let space = Arc::new(SparseSpace::new());
        space.bind(BATCH, ARRAYS - BATCH);
        space.bind(ARRAYS, 3 * bytes);
        let put = |addr: u64, dw: &[u32]| -> Result<(), String> {
            let b: Vec<u8> = dw.iter().flat_map(|d| d.to_le_bytes()).collect();
            space.write(addr, &b).map_err(|f| f.to_string())
        };
        let (a, b, c) = (ARRAYS, ARRAYS + bytes, ARRAYS + 2 * bytes);
        let input: Vec<u32> = (0..n).map(|i| (i as f32).to_bits()).collect();
        put(a, &input)?;
        let input: Vec<u32> = (0..n).map(|i| (2.0 * i as f32).to_bits()).collect();
        put(b, &input)?;
        put(BATCH + KERNEL, &kernel())?;
        let entries: Vec<u32> = (0..3).map(|i| (SURFACES + 64 * i) as u32).collect();
        put(BATCH + BINDING_TABLE, &entries)?;
        for (i, base) in [a, b, c].into_iter().enumerate() {
            put(
                BATCH + SURFACES + 64 * i as u64,
                &buffer_state(base, bytes as u32),
            )?;
        }
        let mut idd = [0u32; 8];
        idd[0] = KERNEL as u32;
        idd[4] = BINDING_TABLE as u32;
        idd[6] = 1;
        put(BATCH + IDD, &idd)?;
        let sb = BATCH as u32 | 1;
        let mut batch = vec![0x6904_0302];
        batch.extend([0x6101_0000 | 17, 1, 0, 1, sb, 0, sb, 0, 0, 0, sb, 0]);
        batch.extend([0xffff_f001; 4]);
        batch.extend([1, 0, 0xffff_f000]);
        batch.extend([0x7000_0007, 0, 0, 8 << 16 | 2 << 8, 0, 2 << 16 | 2, 0, 0, 0]);
        batch.extend([0x7002_0002, 0, 32, IDD as u32]);
        batch.extend([0x7105_000d, 0, 0, 0, 1 << 30, 0, 0, n / 16, 0, 0, 1, 0, 1]);
        batch.extend([0xffff, 0xffff_ffff, 0x0500_0000]);
        put(BATCH, &batch)?;
        Ok(VectorAdd {
            n,
            space,
            engine: Engine::start(EngineConfig::rcs0()).map_err(|e| e.to_string())?,
            context: Arc::new(Mutex::new(ContextRegs::default())),
        })
    }

    /// Runs the dispatch once and waits for it.
    pub fn run(&self) -> Result<(), String> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        self.engine.submit(Request {
            space: self.space.clone(),
            batch: BATCH,
            context: self.context.clone(),
            on_complete: Box::new(move |o| {
                let _ = tx.send(o);
            }),
        });
        match rx.recv() {
            Ok(Outcome::Completed) => Ok(()),
            Ok(o) => Err(format!("vector add: {o:?}")),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Checks `c[i] = 3i` for every element.
    pub fn verify(&self) -> Result<(), String> {
        let bytes = u64::from(self.n) * 4;
        let mut c = vec![0u8; bytes as usize];
        self.space
            .read(ARRAYS + 2 * bytes, &mut c)
            .map_err(|f| f.to_string())?;
        for (i, w) in c.chunks_exact(4).enumerate() {
            let got = f32::from_le_bytes(w.try_into().unwrap());
            if got != 3.0 * i as f32 {
                return Err(format!("c[{i}] = {got}, want {}", 3 * i));
            }
        }
        Ok(())
    }

    /// Lane-instructions one run executes (the kernel's instructions × 16 lanes × threads).
    pub fn lane_instructions(&self) -> u64 {
        (kernel().len() as u64 / 4) * 16 * u64::from(self.n / 16)
    }
}

/// The same work as [`VectorAdd`] in a plain loop over host arrays.
pub fn native_vector_add(a: &[f32], b: &[f32], c: &mut [f32]) {
    for ((c, a), b) in c.iter_mut().zip(a).zip(b) {
        *c = a + b;
    }
}
