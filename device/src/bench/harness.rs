//! The benchmark harness: what a benchmark is, how it is timed, how its result is
//! compared with its floor, and the table and JSON it ends up in.
//!
//! A benchmark hands the harness one operation (a closure); the harness warms it up,
//! picks how many operations one sample times so that a sample lasts long enough for the
//! clock, takes the samples and keeps the time per operation of each. Statistics are
//! over those per-sample means.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use crate::Fallible;

/// One timed operation, called again and again. It owns what it needs (objects, buffers)
/// and frees it when dropped.
pub type Op<'a> = Box<dyn FnMut() -> Fallible<()> + 'a>;

/// What a benchmark reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unit {
    /// Microseconds per operation: lower is better.
    MicrosPerOp,
    /// Bytes moved per second, each operation moving `bytes` bytes: higher is better.
    GigabytesPerSecond { bytes: u64 },
}

impl Unit {
    fn label(self) -> &'static str {
        match self {
            Unit::MicrosPerOp => "µs/op",
            Unit::GigabytesPerSecond { .. } => "GB/s",
        }
    }

    /// A time per operation in this unit.
    fn value(self, ns_per_op: f64) -> f64 {
        match self {
            Unit::MicrosPerOp => ns_per_op / 1e3,
            // bytes per ns is GB/s.
            Unit::GigabytesPerSecond { bytes } => bytes as f64 / ns_per_op,
        }
    }
}

/// What a benchmark is compared against: `times` × the median of benchmark `entry`,
/// measured in the same run (the floors move with the machine's load; a number written
/// down once would not).
#[derive(Clone, Copy, Debug)]
pub struct Floor {
    pub entry: &'static str,
    pub times: f64,
}

/// The goal for the ratio to the floor, from the issue that set it. Informational: a
/// miss is printed, never an error.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// Time: at most this many floors.
    AtMost(f64),
    /// Bandwidth: at least this fraction of the floor's.
    AtLeast(f64),
}

impl Target {
    fn met(self, ratio: f64) -> bool {
        match self {
            Target::AtMost(t) => ratio <= t,
            Target::AtLeast(t) => ratio >= t,
        }
    }
}

/// One benchmark.
pub struct Entry<R> {
    pub name: &'static str,
    /// One line on what one operation is.
    pub what: &'static str,
    pub unit: Unit,
    pub floor: Option<Floor>,
    pub target: Option<Target>,
    /// Set up and return the operation to time.
    pub op: for<'a> fn(&'a R) -> Fallible<Op<'a>>,
}

/// How long to measure.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Run the operation this long before timing it (caches, page faults, lazy setup,
    /// the FUSE workers' first wake-ups).
    pub warmup: Duration,
    pub samples: usize,
    /// Roughly how long one sample lasts; the operations per sample follow from it.
    pub sample_time: Duration,
}

impl Plan {
    pub const FULL: Plan = Plan {
        warmup: Duration::from_millis(200),
        samples: 30,
        sample_time: Duration::from_millis(10),
    };
    pub const QUICK: Plan = Plan {
        warmup: Duration::from_millis(5),
        samples: 5,
        sample_time: Duration::from_millis(1),
    };
}

/// Time per operation of each sample, in nanoseconds.
#[derive(Clone, Debug)]
pub struct Samples {
    pub ns_per_op: Vec<f64>,
    pub ops_per_sample: u64,
}

/// Warm `op` up, then time `plan.samples` batches of it.
pub fn measure(op: &mut Op<'_>, plan: &Plan) -> Fallible<Samples> {
    let start = Instant::now();
    let mut warm_ops = 0u64;
    while warm_ops < 3 || start.elapsed() < plan.warmup {
        op()?;
        warm_ops += 1;
    }
    let ns_per_op = start.elapsed().as_nanos() as f64 / warm_ops as f64;
    let ops_per_sample = ((plan.sample_time.as_nanos() as f64 / ns_per_op) as u64).max(1);
    let mut samples = Vec::with_capacity(plan.samples);
    for _ in 0..plan.samples {
        let t = Instant::now();
        for _ in 0..ops_per_sample {
            op()?;
        }
        samples.push(t.elapsed().as_nanos() as f64 / ops_per_sample as f64);
    }
    Ok(Samples {
        ns_per_op: samples,
        ops_per_sample,
    })
}

/// Nearest-rank percentile `q` (0..=1) of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// A benchmark's measured result, in its unit.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub name: &'static str,
    pub what: &'static str,
    pub unit: Unit,
    pub median: f64,
    /// At the slow end: the 90th percentile of time per operation (so, for a bandwidth,
    /// the bandwidth that 90% of samples beat).
    pub p90: f64,
    /// The fastest sample.
    pub best: f64,
    pub samples: usize,
    pub ops_per_sample: u64,
    pub floor: Option<FloorValue>,
    pub target: Option<Target>,
}

#[derive(Clone, Copy, Debug)]
pub struct FloorValue {
    pub of: Floor,
    /// The floor in the benchmark's unit.
    pub value: f64,
}

impl Outcome {
    pub fn new<R>(entry: &Entry<R>, samples: &Samples) -> Outcome {
        let mut sorted = samples.ns_per_op.clone();
        sorted.sort_by(f64::total_cmp);
        Outcome {
            name: entry.name,
            what: entry.what,
            unit: entry.unit,
            median: entry.unit.value(percentile(&sorted, 0.5)),
            p90: entry.unit.value(percentile(&sorted, 0.9)),
            best: entry.unit.value(sorted[0]),
            samples: sorted.len(),
            ops_per_sample: samples.ops_per_sample,
            floor: None,
            target: entry.target,
        }
    }

    /// Median over floor: a multiple of the floor's time, or a fraction of its bandwidth.
    pub fn ratio(&self) -> Option<f64> {
        self.floor.map(|f| self.median / f.value)
    }

    pub fn met(&self) -> Option<bool> {
        Some(self.target?.met(self.ratio()?))
    }
}

fn number(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn ratio_text(unit: Unit, r: f64) -> String {
    match unit {
        Unit::MicrosPerOp => format!("{r:.2}×"),
        Unit::GigabytesPerSecond { .. } => format!("{:.0}%", r * 100.0),
    }
}

/// The results as a table for a terminal.
pub fn table(outcomes: &[Outcome]) -> String {
    let header = [
        "benchmark",
        "unit",
        "median",
        "p90",
        "best",
        "floor",
        "ratio",
        "target",
        "",
    ];
    let mut rows: Vec<[String; 9]> = vec![header.map(String::from)];
    for o in outcomes {
        let floor = match o.floor {
            Some(f) if f.of.times != 1.0 => {
                format!("{} ({}×{})", number(f.value), f.of.times, f.of.entry)
            }
            Some(f) => format!("{} ({})", number(f.value), f.of.entry),
            None => "-".into(),
        };
        let (target, verdict) = match (o.target, o.ratio()) {
            (Some(t), Some(r)) => {
                let t_text = match t {
                    Target::AtMost(x) => format!("≤ {}", ratio_text(o.unit, x)),
                    Target::AtLeast(x) => format!("≥ {}", ratio_text(o.unit, x)),
                };
                let verdict = if t.met(r) { "PASS" } else { "MISS" };
                (t_text, verdict.to_string())
            }
            _ => ("-".into(), String::new()),
        };
        rows.push([
            o.name.to_string(),
            o.unit.label().to_string(),
            number(o.median),
            number(o.p90),
            number(o.best),
            floor,
            o.ratio().map_or("-".into(), |r| ratio_text(o.unit, r)),
            target,
            verdict,
        ]);
    }
    let mut widths = [0usize; 9];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            let pad = w - cell.chars().count();
            // Names left, numbers right.
            if i == 0 || i == 1 || i == 5 {
                let _ = write!(line, "{cell}{}  ", " ".repeat(pad));
            } else {
                let _ = write!(line, "{}{cell}  ", " ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The results as a JSON document (written by hand: names are plain identifiers and
/// every number is finite).
pub fn json(outcomes: &[Outcome], quick: bool) -> String {
    let mut out = format!("{{\n  \"quick\": {quick},\n  \"benchmarks\": [");
    for (i, o) in outcomes.iter().enumerate() {
        let opt = |v: Option<f64>| v.map_or("null".to_string(), |v| format!("{v:.6}"));
        let (target_kind, target) = match o.target {
            Some(Target::AtMost(t)) => ("\"at_most\"".to_string(), format!("{t}")),
            Some(Target::AtLeast(t)) => ("\"at_least\"".to_string(), format!("{t}")),
            None => ("null".to_string(), "null".to_string()),
        };
        let _ = write!(
            out,
            "{}\n    {{\"name\": \"{}\", \"what\": \"{}\", \"unit\": \"{}\", \
             \"median\": {:.6}, \"p90\": {:.6}, \"best\": {:.6}, \"samples\": {}, \
             \"ops_per_sample\": {}, \"floor\": {}, \"floor_entry\": {}, \
             \"floor_times\": {}, \"ratio\": {}, \"target_kind\": {target_kind}, \
             \"target\": {target}, \"met\": {}}}",
            if i == 0 { "" } else { "," },
            o.name,
            o.what,
            match o.unit {
                Unit::MicrosPerOp => "us/op",
                Unit::GigabytesPerSecond { .. } => "GB/s",
            },
            o.median,
            o.p90,
            o.best,
            o.samples,
            o.ops_per_sample,
            opt(o.floor.map(|f| f.value)),
            o.floor
                .map_or("null".to_string(), |f| format!("\"{}\"", f.of.entry)),
            opt(o.floor.map(|f| f.of.times)),
            opt(o.ratio()),
            o.met().map_or("null".to_string(), |m| m.to_string()),
        );
    }
    out.push_str("\n  ]\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(unit: Unit, target: Option<Target>) -> Entry<()> {
        Entry {
            name: "x",
            what: "x",
            unit,
            floor: None,
            target,
            op: |_| Ok(Box::new(|| Ok(()))),
        }
    }

    #[test]
    fn statistics_and_ratios() {
        let samples = Samples {
            ns_per_op: vec![5000.0, 1000.0, 2000.0, 4000.0, 3000.0],
            ops_per_sample: 10,
        };
        let mut o = Outcome::new(
            &entry(Unit::MicrosPerOp, Some(Target::AtMost(1.15))),
            &samples,
        );
        assert_eq!((o.median, o.p90, o.best), (3.0, 5.0, 1.0));
        assert_eq!(o.ratio(), None);
        o.floor = Some(FloorValue {
            of: Floor {
                entry: "floor",
                times: 1.0,
            },
            value: 2.0,
        });
        assert_eq!(o.ratio(), Some(1.5));
        assert_eq!(o.met(), Some(false));

        let bw = Unit::GigabytesPerSecond { bytes: 1 << 20 };
        let o = Outcome::new(&entry(bw, Some(Target::AtLeast(0.6))), &samples);
        // 1 MiB in 3 µs.
        assert!((o.median - 349.525).abs() < 0.01);
        // The slow end of the time is the low end of the bandwidth.
        assert!(o.p90 < o.median && o.best > o.median);
    }

    #[test]
    fn table_and_json_name_every_entry() {
        let samples = Samples {
            ns_per_op: vec![8000.0; 3],
            ops_per_sample: 1,
        };
        let outs = [Outcome::new(&entry(Unit::MicrosPerOp, None), &samples)];
        assert!(table(&outs).lines().nth(1).unwrap().starts_with("x "));
        let j = json(&outs, true);
        assert!(j.contains("\"name\": \"x\"") && j.contains("\"median\": 8.000000"));
    }

    #[test]
    fn measure_times_every_sample() {
        let mut calls = 0u64;
        let mut op: Op<'_> = Box::new(|| {
            calls += 1;
            Ok(())
        });
        let s = measure(&mut op, &Plan::QUICK).unwrap();
        drop(op);
        assert_eq!(s.ns_per_op.len(), Plan::QUICK.samples);
        assert!(calls >= 3 + s.ops_per_sample * Plan::QUICK.samples as u64);
    }
}
