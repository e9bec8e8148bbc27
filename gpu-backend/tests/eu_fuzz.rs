//! Random kernels (seeded, bounded): random native and compacted instructions, with the
//! opcodes weighted towards the ones the interpreter knows, dispatched by GPGPU_WALKER.
//! Every dispatch ends Completed or Hung (an unmodelled instruction, a fault, the
//! watchdog) within the hang timeout, and the interpreter never panics.

mod common;
use common::eu;
use common::gpgpu::*;
use common::*;
use gpu_backend::{EngineConfig, HangReason, Outcome};
use std::collections::BTreeMap;
use std::time::Duration;

use gpu_backend::testing::Rng;

/// Opcodes the interpreter executes, so random kernels get past their first instruction.
const KNOWN: &[u32] = &[
    0x61, 0x62, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6c, 0x70, 0x40, 0x41, 0x38, 0x5b, 0x72, 0x22,
    0x24, 0x25, 0x27, 0x28, 0x31, 0x01, 0x60, 0x4e, 0x49,
];

fn random_kernel(r: &mut Rng) -> Vec<u32> {
    let mut k = Vec::new();
    let n = 1 + r.next_u32() % 24;
    for _ in 0..n {
        let mut w = [r.next_u32(), r.next_u32(), r.next_u32(), r.next_u32()];
        if !r.next_u32().is_multiple_of(4) {
            w[0] = (w[0] & !0x7f) | KNOWN[(r.next_u32() as usize) % KNOWN.len()];
        }
        // Mostly native; a compacted instruction is the first 8 bytes.
        if r.next_u32().is_multiple_of(5) {
            w[0] |= 1 << 29;
            k.extend_from_slice(&w[..2]);
        } else {
            w[0] &= !(1 << 29);
            k.extend_from_slice(&w);
        }
    }
    k.extend(eu::flatten(&eu::eot()));
    k
}

#[test]
fn random_kernels_end_cleanly() {
    let gpu = Gpu::new(EngineConfig::rcs0().with_hang_timeout(Duration::from_millis(300)));
    let mut tally: BTreeMap<String, u32> = BTreeMap::new();
    let cases = 400;
    for seed in 0..cases {
        let mut r = Rng(0x2545_f491_4f6c_dd1d ^ (seed as u64 + 1).wrapping_mul(0x9e37_79b9));
        gpu.put(BASE + KERNEL as u64, &random_kernel(&mut r));
        let mut b = setup(
            &gpu,
            PIPELINE_SELECT_GPGPU,
            &[],
            surface_state(TARGET, 256, 4, 256, 0, r.next_u32().is_multiple_of(2)),
            &[
                r.next_u32(),
                r.next_u32(),
                r.next_u32(),
                r.next_u32(),
                0,
                0,
                0,
                0,
            ],
            idd(1, 1),
        );
        b.extend(walker(
            (0, 1 + r.next_u32() % 3),
            (0, 1),
            r.next_u32().is_multiple_of(2),
            r.next_u32(),
        ));
        b.push(BB_END);
        let key = match gpu.run(&b) {
            Outcome::Completed => "completed".to_string(),
            Outcome::Hung(h) => match h.reason {
                HangReason::Internal(msg) => {
                    panic!("seed {seed}: the EU interpreter panicked: {msg}")
                }
                HangReason::Render(why) => {
                    // Group by the kind of reason, not the instruction bits.
                    let kind: Vec<&str> = why.split_whitespace().take(2).collect();
                    format!("hung: {}", kind.join(" "))
                }
                other => format!(
                    "hung: {}",
                    other.to_string().split_whitespace().next().unwrap_or("")
                ),
            },
            Outcome::Cancelled => "cancelled".to_string(),
        };
        *tally.entry(key).or_default() += 1;
    }
    for (k, v) in &tally {
        eprintln!("{v:4} {k}");
    }
    assert!(tally.keys().any(|k| k.starts_with("hung")));
}
