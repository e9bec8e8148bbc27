//! Benchmarks. `cargo test --release -p gpu-backend --test bench -- --ignored --nocapture`
//! prints the table; the small test keeps the entry point working in every run.

use gpu_backend::bench::{memcpy_baseline, run, Scenario};
use gpu_backend::testing::SparseSpace;
use gpu_backend::Tiling;
use std::sync::Arc;

const BASE: u64 = 0x1_0000_0000;

fn space_for(s: &Scenario) -> Arc<SparseSpace> {
    let space = Arc::new(SparseSpace::new());
    space.bind(BASE, s.memory_needed());
    space
}

#[test]
fn bench_entry_point_smoke() {
    for s in [
        Scenario::Empty,
        Scenario::StoreDwords { count: 10 },
        Scenario::SrcCopy { src: Tiling::Linear, dst: Tiling::Y, width: 64, height: 40 },
        Scenario::FastCopy { src: Tiling::Tile4, dst: Tiling::X, width: 64, height: 40 },
        Scenario::ColorFill { dst: Tiling::X, width: 64, height: 40 },
    ] {
        let r = run(space_for(&s), BASE, &s, 2).unwrap();
        assert_eq!(r.iterations, 2, "{}", r.name);
    }
    let s = Scenario::SrcCopy { src: Tiling::Tile4, dst: Tiling::Linear, width: 8, height: 8 };
    assert!(run(space_for(&s), BASE, &s, 1).is_err(), "XY_SRC_COPY cannot express Tile4");
}

#[test]
#[ignore]
fn bench() {
    let (w, h) = (4096, 4096); // 64 MiB at 32 bpp, pitch 16 KiB
    let mut rows = vec![];
    let mem = memcpy_baseline(64 << 20, 10);
    let memcpy = mem.gb_per_s().unwrap();
    rows.push(mem);
    let mut scenarios = vec![Scenario::Empty, Scenario::StoreDwords { count: 1000 }];
    for (src, dst) in [
        (Tiling::Linear, Tiling::Linear),
        (Tiling::X, Tiling::X),
        (Tiling::Y, Tiling::Y),
        (Tiling::Linear, Tiling::X),
        (Tiling::Linear, Tiling::Y),
        (Tiling::Y, Tiling::Linear),
    ] {
        scenarios.push(Scenario::SrcCopy { src, dst, width: w, height: h });
    }
    for (src, dst) in [
        (Tiling::Linear, Tiling::Linear),
        (Tiling::Y, Tiling::Y),
        (Tiling::Tile4, Tiling::Tile4),
        (Tiling::Linear, Tiling::Tile4),
        (Tiling::Tile4, Tiling::Linear),
    ] {
        scenarios.push(Scenario::FastCopy { src, dst, width: w, height: h });
    }
    scenarios.push(Scenario::ColorFill { dst: Tiling::Linear, width: w, height: h });
    scenarios.push(Scenario::ColorFill { dst: Tiling::Y, width: w, height: h });
    for s in &scenarios {
        let iters = match s {
            Scenario::Empty => 10_000,
            Scenario::StoreDwords { .. } => 1000,
            _ => 10,
        };
        rows.push(run(space_for(s), BASE, s, iters).unwrap());
    }
    rows.push(memcpy_baseline(64 << 20, 10));
    println!("{:<36} {:>8} {:>12} {:>8} {:>9}", "scenario", "iters", "per iter", "GB/s", "% memcpy");
    for r in &rows {
        let gbps = r.gb_per_s();
        println!(
            "{:<36} {:>8} {:>12.3?} {:>8} {:>9}",
            r.name,
            r.iterations,
            r.per_iteration(),
            gbps.map_or("-".into(), |g| format!("{g:.2}")),
            gbps.map_or("-".into(), |g| format!("{:.0}%", 100.0 * g / memcpy)),
        );
    }
}
