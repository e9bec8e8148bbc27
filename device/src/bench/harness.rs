//! The benchmark harness: what a benchmark is, how it is timed, how its result is
//! compared with its floor, and the table and JSON it ends up in.
//!
//! A benchmark hands the harness one operation (a closure); the harness warms it up and
//! picks how many operations one sample times, so that a sample lasts long enough for
//! the clock. Samples are then taken in rounds, one sample of every benchmark per round:
//! on a shared machine the load changes from second to second, and a benchmark and its
//! floor sampled side by side see the same load. A ratio to a floor is the median of
//! the per-round ratios.

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
    /// Sampling stops after this long once [`MIN_ROUNDS`] rounds are in (operations that
    /// last a second, such as a dispatch over 16M floats, would take minutes otherwise).
    pub budget: Duration,
}

/// Rounds taken whatever the budget.
pub const MIN_ROUNDS: usize = 5;

impl Plan {
    pub const FULL: Plan = Plan {
        warmup: Duration::from_millis(200),
        samples: 60,
        // Short, so that rounds are close in time and the pairing means something.
        sample_time: Duration::from_millis(3),
        budget: Duration::from_secs(60),
    };
    pub const QUICK: Plan = Plan {
        warmup: Duration::from_millis(5),
        samples: 5,
        sample_time: Duration::from_millis(1),
        budget: Duration::from_secs(10),
    };
}

/// Warm `op` up; returns how many operations one sample should time.
pub fn warm_up(op: &mut Op<'_>, plan: &Plan) -> Fallible<u64> {
    let start = Instant::now();
    let mut ops = 0u64;
    while ops < 3 || start.elapsed() < plan.warmup {
        op()?;
        ops += 1;
    }
    let ns_per_op = start.elapsed().as_nanos() as f64 / ops as f64;
    Ok(((plan.sample_time.as_nanos() as f64 / ns_per_op) as u64).max(1))
}

/// One sample: the mean time of `ops` operations, in nanoseconds.
pub fn sample(op: &mut Op<'_>, ops: u64) -> Fallible<f64> {
    let t = Instant::now();
    for _ in 0..ops {
        op()?;
    }
    Ok(t.elapsed().as_nanos() as f64 / ops as f64)
}

/// The ratio of a benchmark to its floor, round by round (`ns` and `floor_ns` are the
/// samples of the same rounds), and its median: a multiple of the floor's time, or a
/// fraction of the floor's bandwidth.
pub fn paired_ratio(unit: Unit, ns: &[f64], floor_unit: Unit, floor_ns: &[f64], times: f64) -> f64 {
    let mut ratios: Vec<f64> = ns
        .iter()
        .zip(floor_ns)
        .map(|(&t, &f)| unit.value(t) / (times * floor_unit.value(f)))
        .collect();
    ratios.sort_by(f64::total_cmp);
    percentile(&ratios, 0.5)
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
    /// See [`paired_ratio`].
    pub ratio: Option<f64>,
    pub target: Option<Target>,
}

#[derive(Clone, Copy, Debug)]
pub struct FloorValue {
    pub of: Floor,
    /// The floor in the benchmark's unit.
    pub value: f64,
}

impl Outcome {
    /// Statistics of `ns_per_op`, the samples; the floor and ratio are left to the caller.
    pub fn new<R>(entry: &Entry<R>, ns_per_op: &[f64], ops_per_sample: u64) -> Outcome {
        let mut sorted = ns_per_op.to_vec();
        sorted.sort_by(f64::total_cmp);
        Outcome {
            name: entry.name,
            what: entry.what,
            unit: entry.unit,
            median: entry.unit.value(percentile(&sorted, 0.5)),
            p90: entry.unit.value(percentile(&sorted, 0.9)),
            best: entry.unit.value(sorted[0]),
            samples: sorted.len(),
            ops_per_sample,
            floor: None,
            ratio: None,
            target: entry.target,
        }
    }

    pub fn met(&self) -> Option<bool> {
        Some(self.target?.met(self.ratio?))
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
        let (target, verdict) = match (o.target, o.ratio) {
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
            o.ratio.map_or("-".into(), |r| ratio_text(o.unit, r)),
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

/// What the machine was doing during a run: numbers from a loaded machine mean less.
#[derive(Clone, Debug, Default)]
pub struct Conditions {
    pub quick: bool,
    pub cpus: usize,
    /// The one CPU the run was confined to, if any.
    pub cpu: Option<usize>,
    /// `/proc/loadavg`'s 1-minute figure before and after.
    pub load_before: String,
    pub load_after: String,
}

/// The results as a JSON document (written by hand: names are plain identifiers and
/// every number is finite).
pub fn json(outcomes: &[Outcome], c: &Conditions) -> String {
    let mut out = format!(
        "{{\n  \"quick\": {},\n  \"cpus\": {},\n  \"cpu\": {},\n  \"load_before\": \"{}\",\n  \
         \"load_after\": \"{}\",\n  \"benchmarks\": [",
        c.quick,
        c.cpus,
        c.cpu.map_or("null".to_string(), |n| n.to_string()),
        c.load_before,
        c.load_after,
    );
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
            opt(o.ratio),
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

    const NS: [f64; 5] = [5000.0, 1000.0, 2000.0, 4000.0, 3000.0];

    #[test]
    fn statistics() {
        let o = Outcome::new(&entry(Unit::MicrosPerOp, None), &NS, 10);
        assert_eq!((o.median, o.p90, o.best), (3.0, 5.0, 1.0));
        let bw = Unit::GigabytesPerSecond { bytes: 1 << 20 };
        let o = Outcome::new(&entry(bw, None), &NS, 10);
        // 1 MiB in 3 µs.
        assert!((o.median - 349.525).abs() < 0.01);
        // The slow end of the time is the low end of the bandwidth.
        assert!(o.p90 < o.median && o.best > o.median);
    }

    #[test]
    fn ratios_pair_the_rounds() {
        // The floor got slower as the benchmark did: round by round the ratio is 1.5.
        let floor = NS.map(|t| t / 1.5);
        let us = Unit::MicrosPerOp;
        assert!((paired_ratio(us, &NS, us, &floor, 1.0) - 1.5).abs() < 1e-9);
        assert!((paired_ratio(us, &NS, us, &floor, 2.0) - 0.75).abs() < 1e-9);
        // A bandwidth half the floor's.
        let bw = Unit::GigabytesPerSecond { bytes: 1 << 20 };
        let slow = NS.map(|t| t * 2.0);
        assert!((paired_ratio(bw, &slow, bw, &NS, 1.0) - 0.5).abs() < 1e-9);
        assert!(Target::AtLeast(0.6).met(0.6) && !Target::AtLeast(0.6).met(0.5));
        assert!(Target::AtMost(1.15).met(1.1) && !Target::AtMost(1.15).met(1.2));
    }

    #[test]
    fn table_and_json_name_every_entry() {
        let mut o = Outcome::new(
            &entry(Unit::MicrosPerOp, Some(Target::AtMost(1.15))),
            &[8000.0; 3],
            1,
        );
        o.floor = Some(FloorValue {
            of: Floor {
                entry: "floor",
                times: 1.0,
            },
            value: 4.0,
        });
        o.ratio = Some(2.0);
        let t = table(std::slice::from_ref(&o));
        let row = t.lines().nth(1).unwrap();
        assert!(row.starts_with("x ") && row.ends_with("MISS"), "{row}");
        let j = json(&[o], &Conditions::default());
        assert!(j.contains("\"name\": \"x\"") && j.contains("\"median\": 8.000000"));
        assert!(j.contains("\"met\": false"), "{j}");
    }

    #[test]
    fn warm_up_then_sample() {
        let mut calls = 0u64;
        let mut op: Op<'_> = Box::new(|| {
            calls += 1;
            Ok(())
        });
        let ops = warm_up(&mut op, &Plan::QUICK).unwrap();
        assert!(ops >= 1);
        assert!(sample(&mut op, 7).unwrap() >= 0.0);
        drop(op);
        assert!(calls >= 3 + 7);
    }
}
