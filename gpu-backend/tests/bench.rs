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
        Scenario::SrcCopy {
            src: Tiling::Linear,
            dst: Tiling::Y,
            width: 64,
            height: 40,
        },
        Scenario::FastCopy {
            src: Tiling::Tile4,
            dst: Tiling::X,
            width: 64,
            height: 40,
        },
        Scenario::ColorFill {
            dst: Tiling::X,
            width: 64,
            height: 40,
        },
    ] {
        let r = run(space_for(&s), BASE, &s, 2).unwrap();
        assert_eq!(r.iterations, 2, "{}", r.name);
    }
    let s = Scenario::SrcCopy {
        src: Tiling::Tile4,
        dst: Tiling::Linear,
        width: 8,
        height: 8,
    };
    assert!(
        run(space_for(&s), BASE, &s, 1).is_err(),
        "XY_SRC_COPY cannot express Tile4"
    );
}

#[test]
#[ignore]
fn bench() {
    let (w, h) = (4096, 4096); // 64 MiB at 32 bpp, pitch 16 KiB
    let mut scenarios = vec![Scenario::Empty, Scenario::StoreDwords { count: 1000 }];
    for (src, dst) in [
        (Tiling::Linear, Tiling::Linear),
        (Tiling::X, Tiling::X),
        (Tiling::Y, Tiling::Y),
        (Tiling::Linear, Tiling::X),
        (Tiling::Linear, Tiling::Y),
        (Tiling::Y, Tiling::Linear),
    ] {
        scenarios.push(Scenario::SrcCopy {
            src,
            dst,
            width: w,
            height: h,
        });
    }
    for (src, dst) in [
        (Tiling::Linear, Tiling::Linear),
        (Tiling::Y, Tiling::Y),
        (Tiling::Tile4, Tiling::Tile4),
        (Tiling::Linear, Tiling::Tile4),
        (Tiling::Tile4, Tiling::Linear),
    ] {
        scenarios.push(Scenario::FastCopy {
            src,
            dst,
            width: w,
            height: h,
        });
    }
    // Sub-rectangles (pitch wider than the copy): the row-by-row and per-span paths.
    for (src, dst) in [
        (Tiling::Linear, Tiling::Linear),
        (Tiling::Linear, Tiling::Y),
        (Tiling::X, Tiling::X),
    ] {
        scenarios.push(Scenario::SrcCopy {
            src,
            dst,
            width: w - 96,
            height: h,
        });
    }
    scenarios.push(Scenario::ColorFill {
        dst: Tiling::Linear,
        width: w,
        height: h,
    });
    scenarios.push(Scenario::ColorFill {
        dst: Tiling::Y,
        width: w,
        height: h,
    });
    println!(
        "{:<36} {:>6} {:>11} {:>11} {:>9} {:>9} {:>13}",
        "scenario", "iters", "mean", "best", "GB/s mean", "GB/s best", "best/memcpy"
    );
    for s in &scenarios {
        let iters = match s {
            Scenario::Empty => 10_000,
            Scenario::StoreDwords { .. } => 1000,
            _ => 10,
        };
        // memcpy measured right before each blit: the machine is shared and noisy.
        let memcpy = s.bytes_per_iteration() > 0;
        let base = memcpy.then(|| memcpy_baseline(64 << 20, 5));
        let r = run(space_for(s), BASE, s, iters).unwrap();
        for r in base.iter().chain([&r]) {
            let f = |g: Option<f64>| g.map_or("-".to_string(), |g| format!("{g:.2}"));
            let ratio = match (&base, r.best_gb_per_s()) {
                (Some(b), Some(g)) if !r.name.starts_with("memcpy") => {
                    format!("{:.0}%", 100.0 * g / b.best_gb_per_s().unwrap())
                }
                _ => "-".into(),
            };
            println!(
                "{:<36} {:>6} {:>11.3?} {:>11.3?} {:>9} {:>9} {:>13}",
                r.name,
                r.iterations,
                r.per_iteration(),
                r.best,
                f(r.gb_per_s()),
                f(r.best_gb_per_s()),
                ratio
            );
        }
    }
}

#[test]
fn the_eu_vector_add_benchmark_computes_the_sum() {
    let v = gpu_backend::bench_eu::VectorAdd::new(4096).unwrap();
    v.run().unwrap();
    v.verify().unwrap();
    assert!(gpu_backend::bench_eu::VectorAdd::new(15).is_err());
}

#[test]
fn the_eu_slm_reduction_benchmark_computes_the_sums() {
    let r = gpu_backend::bench_eu::SlmReduce::new(4096).unwrap();
    r.run().unwrap();
    r.verify().unwrap();
    assert!(gpu_backend::bench_eu::SlmReduce::new(100).is_err());
}
