//! Random batches (seeded, bounded): every one ends Completed or Hung in bounded time —
//! with emu's heartbeat (a reset) for the ones that legitimately poll forever — and the
//! command streamer never panics.

mod common;
use common::*;
use gpu_backend::decode::{blt, mi, PIPE_CONTROL};
use gpu_backend::testing::SparseSpace;
use gpu_backend::{AddressSpace, ContextRegs, Engine, EngineConfig, HangReason, Outcome, Request};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FB: u64 = 0x1_0000; // batch page
const FD: u64 = 0x2_0000; // 64 KiB of data

use gpu_backend::testing::Rng;

/// Random picks of the batch fuzzer.
trait Picks {
    fn addr(&mut self) -> u64;
    fn reg(&mut self) -> u32;
}

impl Picks for Rng {
    fn addr(&mut self) -> u64 {
        match self.below(10) {
            0 => self.next_u32() as u64 | (self.below(4) as u64) << 32,
            1..=3 => FB + (self.below(1024) * 4) as u64,
            _ => FD + (self.below(16384) * 4) as u64,
        }
    }
    fn reg(&mut self) -> u32 {
        match self.below(4) {
            0 => 0x2600 + 4 * self.below(32),
            1 => 0x22600 + 4 * self.below(32),
            2 => [0x2358, 0x235c, 0x23a8, 0x22200, 0x22358][self.below(5) as usize],
            _ => self.next_u32() & 0x7f_fffc,
        }
    }
}

fn random_command(r: &mut Rng, out: &mut Vec<u32>) {
    let a = r.addr();
    match r.below(21) {
        0 => out.push(r.next_u32()),
        1 => out.push(0),
        2 => out.push(ARB_CHECK),
        3 => out.extend(store(a, r.next_u32())),
        4 => out.extend(store64(a, r.next_u32() as u64)),
        5 => out.extend(lri(&[(r.reg(), r.next_u32()), (r.reg(), r.next_u32())])),
        6 => out.extend(srm(r.reg(), a)),
        7 => out.extend(lrm(r.reg(), a)),
        8 => out.extend(lrr(r.reg(), r.reg())),
        9 => {
            let ops = [
                0x000, 0x080, 0x480, 0x081, 0x481, 0x100, 0x101, 0x102, 0x103, 0x104, 0x180, 0x580,
                0x105,
            ];
            let alus: Vec<u32> = (0..1 + r.below(6))
                .map(|_| {
                    alu(
                        ops[r.below(ops.len() as u32) as usize],
                        [0, 3, 15, 0x20, 0x21, 0x31][r.below(6) as usize],
                        [0, 7, 0x31, 0x32, 0x33, 0x40][r.below(6) as usize],
                    )
                })
                .collect();
            out.extend(math(&alus));
        }
        10 => {
            let target = FB + 4 * r.below(64) as u64;
            out.extend(if r.below(2) == 0 {
                bb_start(target)
            } else {
                bb_call(target)
            });
        }
        11 => out.extend(cond_end(r.next_u32(), a & !7)),
        12 => out.extend(sem_wait(r.below(7), r.next_u32() % 4, a)),
        13 => out.extend(flush_dw(r.below(4), a & !7, r.next_u32())),
        14 => out.extend(pipe_control(
            r.next_u32() & 0x00ff_ffff,
            a,
            r.next_u32() as u64,
        )),
        15 => out.extend([
            mi::instr(mi::STORE_DATA_INDEX, 1),
            r.next_u32(),
            r.next_u32(),
        ]),
        16 | 17 => {
            let op = [
                blt::XY_SRC_COPY,
                blt::XY_FAST_COPY,
                blt::XY_COLOR,
                blt::XY_SETUP_CLIP,
            ][r.below(4) as usize];
            let len = match op {
                blt::XY_COLOR => 7,
                blt::XY_SETUP_CLIP => 3,
                _ => 10,
            };
            let flags = r.next_u32() & 0x0033_f800;
            out.push(blt::instr(op, flags | (len - 2)));
            let xy = |r: &mut Rng| r.below(40) | r.below(40) << 16;
            let pitch = [64u32, 128, 512, 1024, 100, 0][r.below(6) as usize];
            out.push((r.next_u32() & 0xc7ff_0000) | pitch);
            out.push(xy(r));
            out.push(xy(r) + (1 | 1 << 16));
            for _ in 4..len {
                out.push(match r.below(3) {
                    0 => xy(r),
                    1 => pitch,
                    _ => lo(FD + (r.below(8) as u64) * 0x1000),
                });
            }
        }
        18 => out.push(PIPE_CONTROL | r.below(8)),
        19 => {
            let inline = r.below(2);
            out.push(mi::instr(
                mi::ATOMIC,
                (r.next_u32() & 0x3b_ff00) | inline << 18 | if inline == 1 { 9 } else { 1 },
            ));
            out.extend([lo(a), hi(a)]);
            if inline == 1 {
                out.extend((0..8).map(|_| r.next_u32()));
            }
        }
        _ => out.push(BB_END),
    }
}

#[test]
fn random_batches_end_cleanly() {
    let cases = 600;
    let mut tally: BTreeMap<String, u32> = BTreeMap::new();
    let started = Instant::now();
    let engines = [
        Engine::start(EngineConfig::rcs0().with_hang_timeout(Duration::from_millis(40))).unwrap(),
        Engine::start(EngineConfig::bcs0().with_hang_timeout(Duration::from_millis(40))).unwrap(),
    ];
    for seed in 0..cases {
        let mut r =
            Rng(0x9e37_79b9_7f4a_7c15 ^ (seed as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
        let space = Arc::new(SparseSpace::new());
        space.bind(FB, 4096);
        space.bind(FD, 0x1_0000);
        let mut batch = Vec::new();
        while batch.len() < 200 {
            random_command(&mut r, &mut batch);
        }
        batch.truncate(1024);
        let bytes: Vec<u8> = batch.iter().flat_map(|d| d.to_le_bytes()).collect();
        space.write(FB, &bytes).unwrap();
        let (tx, rx) = crossbeam_channel::bounded(1);
        let engine = &engines[seed % 2];
        let h = engine.submit(Request {
            space: space.clone(),
            batch: FB,
            context: Arc::new(Mutex::new(ContextRegs::default())),
            on_start: None,
            on_complete: Box::new(move |o| tx.send(o).unwrap()),
        });
        // emu's heartbeat: a request still running after a while is reset.
        let outcome = match rx.recv_timeout(Duration::from_millis(150)) {
            Ok(o) => o,
            Err(_) => {
                h.reset("fuzz heartbeat");
                rx.recv_timeout(Duration::from_millis(500))
                    .unwrap_or_else(|_| panic!("seed {seed}: did not stop after reset"))
            }
        };
        let key = match &outcome {
            Outcome::Completed => "completed".to_string(),
            Outcome::Cancelled => "cancelled".to_string(),
            Outcome::Hung(h) => match &h.reason {
                HangReason::Internal(msg) => {
                    panic!("seed {seed}: command streamer panicked: {msg}")
                }
                HangReason::UnknownCommand { .. } => "hung: unknown command".into(),
                HangReason::Unsupported { what, .. } => format!("hung: unsupported {what}"),
                HangReason::Fault { .. } => "hung: fault".into(),
                HangReason::NoProgress { .. } => "hung: no progress".into(),
                HangReason::Reset(_) => "hung: reset by heartbeat".into(),
                HangReason::Render(_) => "hung: render engine".into(),
            },
        };
        *tally.entry(key).or_default() += 1;
    }
    eprintln!("{cases} random batches in {:?}:", started.elapsed());
    for (k, v) in &tally {
        eprintln!("  {v:4} {k}");
    }
    assert!(tally.get("completed").copied().unwrap_or(0) > 0);
}
