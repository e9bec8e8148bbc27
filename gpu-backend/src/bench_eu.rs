//! EU benchmarks for `gemu bench`: a vector add of `n` floats run as a GPGPU_WALKER
//! dispatch (SIMD16 threads, untyped surface reads and writes through a binding table),
//! a reduction through shared local memory (four SIMD16 threads per group meet at a
//! barrier), and the same work as plain Rust loops, measured in the same run.

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

/// A prepared reduction: `c[g]` = the sum of the 64 floats `a[64g..64g + 64]`, each group's
/// four SIMD16 threads storing their values in SLM, meeting at a barrier, and thread 0
/// adding them up (four SLM reads, then a tree over its 16 lanes).
pub struct SlmReduce {
    inner: VectorAdd,
}

/// Untyped SIMD16 read of the red channel on `bti` (two address registers in, two out).
fn read16(bti: u32) -> u32 {
    2 << 25 | 2 << 20 | 0x1 << 14 | 1 << 12 | 0xe << 8 | bti
}

/// Untyped SIMD16 write of the red channel on `bti` (two address and two data registers).
fn write16(bti: u32) -> u32 {
    4 << 25 | 0x9 << 14 | 1 << 12 | 0xe << 8 | bti
}

/// r12-r13 = each lane's byte offset (lane × 4) in a SIMD16 thread.
fn lane_offsets() -> Vec<[u32; 4]> {
    let nm = Ctl {
        no_mask: true,
        ..Ctl::default()
    };
    vec![
        asm::mov(8, dst(10, 0, ty::UW), imm(asm::ty::V, 0x7654_3210), nm),
        asm::alu(
            op::ADD,
            8,
            dst(10, 8, ty::UW),
            vec8(10, 0, ty::UW),
            Some(imm(ty::UW, 8)),
            nm,
        ),
        asm::mov(16, dst(12, 0, ty::UD), vec8(10, 0, ty::UW), Ctl::default()),
        asm::op2(
            op::SHL,
            16,
            dst(12, 0, ty::UD),
            vec8(12, 0, ty::UD),
            imm(ty::UD, 2),
        ),
    ]
}

fn reduce_kernel() -> Vec<u32> {
    let c = Ctl::default();
    let nm = Ctl { no_mask: true, ..c };
    let write8 = |bti: u32| 2 << 25 | 0x9 << 14 | 2 << 12 | 0xe << 8 | bti;
    let f = |nr, sub| vec8(nr, sub, ty::F);
    let half = |nr, sub, n| asm::region(nr, sub, ty::F, n, n, 1);
    let mut k = lane_offsets();
    k.extend([
        // r2.0 = thread * 64 (its SLM slots), r2.1 = group * 256 + thread * 64 (its floats)
        asm::alu(
            op::SHL,
            1,
            dst(2, 0, ty::UD),
            scalar(0, 2, ty::UD),
            Some(imm(ty::UD, 6)),
            nm,
        ),
        asm::alu(
            op::SHL,
            1,
            dst(2, 1, ty::UD),
            scalar(0, 1, ty::UD),
            Some(imm(ty::UD, 8)),
            nm,
        ),
        asm::alu(
            op::ADD,
            1,
            dst(2, 1, ty::UD),
            scalar(2, 1, ty::UD),
            Some(scalar(2, 0, ty::UD)),
            nm,
        ),
        // load the thread's 16 floats into r16-17 and store them in SLM
        asm::op2(
            op::ADD,
            16,
            dst(14, 0, ty::UD),
            vec8(12, 0, ty::UD),
            scalar(2, 1, ty::UD),
        ),
        asm::send(16, 12, Some(16), 14, read16(0), false, c),
        asm::op2(
            op::ADD,
            16,
            dst(14, 0, ty::UD),
            vec8(12, 0, ty::UD),
            scalar(2, 0, ty::UD),
        ),
        asm::send(16, 12, None, 14, write16(0xfe), false, c),
        // barrier
        asm::mov(8, dst(20, 0, ty::UD), vec8(0, 0, ty::UD), nm),
        asm::send(1, 3, None, 20, 1 << 25 | 4, false, nm),
        asm::sync(0xe),
        asm::mov(16, dst(22, 0, ty::UD), imm(ty::UD, 0), c),
    ]);
    // Every thread sums the four threads' slots (only thread 0 writes the result).
    for t in 0..4u32 {
        k.push(asm::op2(
            op::ADD,
            16,
            dst(14, 0, ty::UD),
            vec8(12, 0, ty::UD),
            imm(ty::UD, 64 * t),
        ));
        k.push(asm::send(16, 12, Some(24), 14, read16(0xfe), false, c));
        k.push(asm::op2(op::ADD, 16, dst(22, 0, ty::F), f(22, 0), f(24, 0)));
    }
    k.extend([
        // a tree over the 16 lanes: 16 -> 8 -> 4 -> 2 -> 1
        asm::alu(op::ADD, 8, dst(26, 0, ty::F), f(22, 0), Some(f(23, 0)), nm),
        asm::alu(
            op::ADD,
            4,
            dst(27, 0, ty::F),
            half(26, 0, 4),
            Some(half(26, 4, 4)),
            nm,
        ),
        asm::alu(
            op::ADD,
            2,
            dst(28, 0, ty::F),
            half(27, 0, 2),
            Some(half(27, 2, 2)),
            nm,
        ),
        asm::alu(
            op::ADD,
            1,
            dst(31, 0, ty::F),
            scalar(28, 0, ty::F),
            Some(scalar(28, 1, ty::F)),
            nm,
        ),
        // thread 0 writes c[group] (one channel of a SIMD8 write)
        asm::alu(
            op::SHL,
            1,
            dst(30, 0, ty::UD),
            scalar(0, 1, ty::UD),
            Some(imm(ty::UD, 2)),
            nm,
        ),
        asm::alu(
            op::CMP,
            1,
            asm::null_dst(ty::UD),
            scalar(0, 2, ty::UD),
            Some(imm(ty::UD, 0)),
            Ctl { cond: 1, ..nm },
        ),
        asm::send(1, 12, None, 30, write8(2), false, Ctl { pred: 1, ..nm }),
    ]);
    k.extend(asm::eot());
    asm::flatten(&k)
}

impl SlmReduce {
    /// Lays out the reduction of `n` floats (a multiple of 64), `a[i] = i % 7`.
    pub fn new(n: u32) -> Result<SlmReduce, String> {
        if n == 0 || !n.is_multiple_of(64) {
            return Err("the reduction length must be a multiple of 64".into());
        }
        let inner = VectorAdd::with_kernel(n, &reduce_kernel(), Layout::Reduce)?;
        Ok(SlmReduce { inner })
    }

    /// Runs the dispatch once and waits for it.
    pub fn run(&self) -> Result<(), String> {
        self.inner.run()
    }

    /// Lane-instructions a reduction of `n` floats executes (see
    /// [`VectorAdd::lane_instructions`]).
    pub fn lane_instructions(n: u32) -> u64 {
        lanes_per_thread(&reduce_kernel()) * u64::from(n / 16)
    }

    /// Checks every group's sum.
    pub fn verify(&self) -> Result<(), String> {
        let n = self.inner.n;
        let bytes = u64::from(n) * 4;
        let mut c = vec![0u8; (n / 64) as usize * 4];
        self.inner
            .space
            .read(ARRAYS + 2 * bytes, &mut c)
            .map_err(|f| f.to_string())?;
        for (g, w) in c.chunks_exact(4).enumerate() {
            let got = f32::from_le_bytes(w.try_into().unwrap());
            let want: f32 = (0..64).map(|i| ((64 * g + i) % 7) as f32).sum();
            if got != want {
                return Err(format!("sum of group {g} = {got}, want {want}"));
            }
        }
        Ok(())
    }
}

/// The same work as [`SlmReduce`] in a plain loop: one sum per 64 floats.
pub fn native_reduce(a: &[f32], c: &mut [f32]) {
    for (c, chunk) in c.iter_mut().zip(a.chunks_exact(64)) {
        *c = chunk.iter().sum();
    }
}

/// Which dispatch [`VectorAdd::with_kernel`] lays out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    Add,
    Reduce,
}

fn kernel() -> Vec<u32> {
    let c = Ctl::default();
    let nm = Ctl { no_mask: true, ..c };
    let mut k = lane_offsets();
    k.extend([
        // r12-13 += group * 64 bytes; a -> r14-15, b -> r16-17, c = a + b
        asm::alu(
            op::SHL,
            1,
            dst(2, 0, ty::UD),
            scalar(0, 1, ty::UD),
            Some(imm(ty::UD, 6)),
            nm,
        ),
        asm::op2(
            op::ADD,
            16,
            dst(12, 0, ty::UD),
            vec8(12, 0, ty::UD),
            scalar(2, 0, ty::UD),
        ),
        asm::send(16, 12, Some(14), 12, read16(0), false, c),
        asm::send(16, 12, Some(16), 12, read16(1), false, c),
        asm::mov(16, dst(18, 0, ty::UD), vec8(12, 0, ty::UD), c),
        asm::op2(
            op::ADD,
            16,
            dst(20, 0, ty::F),
            vec8(14, 0, ty::F),
            vec8(16, 0, ty::F),
        ),
        asm::send(16, 12, None, 18, write16(2), false, c),
    ]);
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
        VectorAdd::with_kernel(n, &kernel(), Layout::Add)
    }

    fn with_kernel(n: u32, kernel: &[u32], layout: Layout) -> Result<VectorAdd, String> {
        let bytes = u64::from(n) * 4;
        let space = Arc::new(SparseSpace::new());
        space.bind(BATCH, ARRAYS - BATCH);
        space.bind(ARRAYS, 3 * bytes);
        let put = |addr: u64, dw: &[u32]| -> Result<(), String> {
            let b: Vec<u8> = dw.iter().flat_map(|d| d.to_le_bytes()).collect();
            space.write(addr, &b).map_err(|f| f.to_string())
        };
        let (a, b, c) = (ARRAYS, ARRAYS + bytes, ARRAYS + 2 * bytes);
        let input: Vec<u32> = match layout {
            Layout::Add => (0..n).map(|i| (i as f32).to_bits()).collect(),
            Layout::Reduce => (0..n).map(|i| ((i % 7) as f32).to_bits()).collect(),
        };
        put(a, &input)?;
        let input: Vec<u32> = (0..n).map(|i| (2.0 * i as f32).to_bits()).collect();
        put(b, &input)?;
        put(BATCH + KERNEL, kernel)?;
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
        // Threads per group, and 1 KiB of SLM for the reduction.
        idd[6] = match layout {
            Layout::Add => 1,
            Layout::Reduce => 4 | 1 << 16,
        };
        put(BATCH + IDD, &idd)?;
        let sb = BATCH as u32 | 1;
        let mut batch = vec![0x6904_0302];
        batch.extend([0x6101_0000 | 17, 1, 0, 1, sb, 0, sb, 0, 0, 0, sb, 0]);
        batch.extend([0xffff_f001; 4]);
        batch.extend([1, 0, 0xffff_f000]);
        batch.extend([0x7000_0007, 0, 0, 8 << 16 | 2 << 8, 0, 2 << 16 | 2, 0, 0, 0]);
        batch.extend([0x7002_0002, 0, 32, IDD as u32]);
        match layout {
            Layout::Add => {
                batch.extend([0x7105_000d, 0, 0, 0, 1 << 30, 0, 0, n / 16, 0, 0, 1, 0, 1])
            }
            Layout::Reduce => batch.extend([
                0x7105_000d,
                0,
                0,
                0,
                1 << 30 | 3,
                0,
                0,
                n / 64,
                0,
                0,
                1,
                0,
                1,
            ]),
        }
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
            on_start: None,
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

    /// Lane-instructions a run over `n` floats executes: every thread runs each
    /// instruction once (the kernel has no branches), on as many lanes as its execution
    /// size.
    pub fn lane_instructions(n: u32) -> u64 {
        lanes_per_thread(&kernel()) * u64::from(n / 16)
    }
}

/// The sum of the execution sizes of a straight-line kernel's instructions.
fn lanes_per_thread(kernel: &[u32]) -> u64 {
    kernel
        .chunks_exact(4)
        .filter_map(|w| crate::eu::isa::decode(&[w[0], w[1], w[2], w[3]]).ok())
        .map(|i| u64::from(i.exec_size))
        .sum()
}

/// The same work as [`VectorAdd`] in a plain loop over host arrays.
pub fn native_vector_add(a: &[f32], b: &[f32], c: &mut [f32]) {
    for ((c, a), b) in c.iter_mut().zip(a).zip(b) {
        *c = a + b;
    }
}
