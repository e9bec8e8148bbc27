//! What `gemu igt` reports: the table on stdout, the JSON results file, and the
//! Markdown summary of a whole-suite run (one row per binary, every non-pass with its
//! class).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use super::entry::Entry;
use super::suite::Exceptions;
use super::{Outcome, TestResult};
use crate::Fallible;

/// Bytes of each stream kept in the JSON results (the end, where the failure is).
const KEPT_OUTPUT: usize = 64 << 10;

/// How a run went, besides its results.
pub(super) struct RunInfo<'a> {
    pub build: &'a Path,
    pub interrupted: bool,
    pub jobs: usize,
    pub seconds: f64,
    pub timeout: u64,
}

pub(super) fn row(r: &TestResult, width: usize) -> String {
    format!(
        "{:<width$}  {:<7}  {:>6.1}s  {}",
        r.entry.name(),
        r.outcome.as_str(),
        r.seconds,
        r.reason.as_deref().unwrap_or("")
    )
}

pub(super) fn count(results: &[TestResult], o: Outcome) -> usize {
    results.iter().filter(|r| r.outcome == o).count()
}

pub(super) fn totals_line(results: &[TestResult]) -> String {
    let mut s = format!("total {}:", results.len());
    for o in Outcome::ALL {
        let _ = write!(s, " {} {}", o.as_str(), count(results, o));
    }
    s
}

/// The IGT version the tests printed.
fn igt_version(results: &[TestResult]) -> Option<String> {
    results.iter().find_map(|r| {
        r.stdout
            .lines()
            .find_map(|l| l.strip_prefix("IGT-Version: "))
            .map(str::to_owned)
    })
}

/// The end of a stream, cut at a character boundary.
fn tail(s: &str) -> &str {
    if s.len() <= KEPT_OUTPUT {
        return s;
    }
    let mut start = s.len() - KEPT_OUTPUT;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// The results file: one object per test (on one line each, so that a grep finds a
/// test with its result), the totals, and the IGT version the tests printed.
pub(super) fn results_json(info: &RunInfo, results: &[TestResult]) -> String {
    let mut totals = serde_json::Map::new();
    totals.insert("total".into(), json!(results.len()));
    for o in Outcome::ALL {
        totals.insert(o.as_str().into(), json!(count(results, o)));
    }
    let head = json!({
        "igt_build": info.build.display().to_string(),
        "igt_version": igt_version(results),
        "interrupted": info.interrupted,
        "jobs": info.jobs,
        "timeout": info.timeout,
        "seconds": (info.seconds * 1000.0).round() / 1000.0,
        "totals": totals,
    });
    let mut s = String::from("{\n");
    for (k, v) in head.as_object().unwrap() {
        let _ = writeln!(s, "  {}: {},", json!(k), v);
    }
    s.push_str("  \"results\": [\n");
    for (i, r) in results.iter().enumerate() {
        let one = json!({
            "test": r.entry.name(),
            "binary": r.entry.binary,
            "subtest": r.entry.subtest,
            "dynamic": r.entry.dynamic,
            "result": r.outcome.as_str(),
            "exit": r.code,
            "seconds": (r.seconds * 1000.0).round() / 1000.0,
            "reason": r.reason,
            "unexpected_hang": r.unexpected_hang,
            "command": r.command,
            "stdout": tail(&r.stdout),
            "stderr": tail(&r.stderr),
        });
        let _ = write!(s, "    {one}");
        s.push_str(if i + 1 < results.len() { ",\n" } else { "\n" });
    }
    s.push_str("  ]\n}\n");
    s
}

/// The results and the run's figures back from a results file this command wrote, so
/// that a summary can be written again (say, after the exceptions were reviewed)
/// without running the tests again. `timeout` stands in for files that predate it.
pub(super) fn from_json(
    text: &str,
    timeout: u64,
) -> Fallible<(Vec<TestResult>, bool, usize, f64, u64)> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not a results file: {e}"))?;
    let s = |r: &serde_json::Value, k: &str| r[k].as_str().map(str::to_owned);
    let mut results = Vec::new();
    for (i, r) in v["results"]
        .as_array()
        .ok_or("not a results file: no results")?
        .iter()
        .enumerate()
    {
        let bad = |what: &str| format!("result {i}: {what}");
        let name = s(r, "test").ok_or_else(|| bad("no test name"))?;
        let outcome = r["result"]
            .as_str()
            .and_then(|o| Outcome::ALL.into_iter().find(|x| x.as_str() == o))
            .ok_or_else(|| bad("no known result"))?;
        results.push(TestResult {
            entry: Entry::parse(&name)?,
            outcome,
            code: r["exit"].as_i64().and_then(|c| i32::try_from(c).ok()),
            seconds: r["seconds"].as_f64().unwrap_or(0.0),
            reason: s(r, "reason"),
            unexpected_hang: s(r, "unexpected_hang"),
            command: s(r, "command").unwrap_or_default(),
            stdout: s(r, "stdout").unwrap_or_default(),
            stderr: s(r, "stderr").unwrap_or_default(),
        });
    }
    Ok((
        results,
        v["interrupted"].as_bool().unwrap_or(false),
        v["jobs"].as_u64().unwrap_or(1) as usize,
        v["seconds"].as_f64().unwrap_or(0.0),
        v["timeout"].as_u64().unwrap_or(timeout),
    ))
}

/// Per binary: how many of each outcome, the non-passes no exception explains, seconds.
#[derive(Default)]
struct BinaryRow {
    counts: [usize; 5],
    unexplained: usize,
    seconds: f64,
}

/// The Markdown summary (`tests/igt/RESULTS.md`): what ran, per binary counts and
/// times, then every non-pass with its class — an exception's, or "gemu" when nothing
/// explains it and gemu has to be fixed.
pub(super) fn markdown(
    info: &RunInfo,
    results: &[TestResult],
    exceptions: &Exceptions,
    date: &str,
) -> String {
    let mut s = String::from("# IGT against gemu: the last whole-suite run\n\n");
    let _ = writeln!(
        s,
        "IGT {}, run {date} with `gemu igt` ({} job{} side by side, {} s per subtest at \
         most){}.\n",
        igt_version(results)
            .as_deref()
            .unwrap_or("(version unknown)"),
        info.jobs,
        if info.jobs == 1 { "" } else { "s" },
        info.timeout,
        if info.interrupted {
            "; **interrupted before the end**"
        } else {
            ""
        }
    );
    let _ = writeln!(
        s,
        "{}; {:.0} min in all. \"Unexplained\" counts the non-passes that no entry of \
         `tests/igt/exceptions.list` covers: those are gemu's to fix.\n",
        totals_line(results),
        info.seconds / 60.0
    );
    let mut per: BTreeMap<&str, BinaryRow> = BTreeMap::new();
    for r in results {
        let row = per.entry(r.entry.binary.as_str()).or_default();
        let i = Outcome::ALL.iter().position(|o| *o == r.outcome).unwrap();
        row.counts[i] += 1;
        row.seconds += r.seconds;
        if r.outcome != Outcome::Pass && exceptions.find(&r.entry.name()).is_none() {
            row.unexplained += 1;
        }
    }
    s.push_str("| binary | pass | skip | fail | crash | timeout | unexplained | seconds |\n");
    s.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (b, row) in &per {
        let _ = write!(s, "| {b} |");
        for c in row.counts {
            let _ = write!(s, " {c} |");
        }
        let _ = writeln!(s, " {} | {:.0} |", row.unexplained, row.seconds);
    }
    s.push_str("\n## Every subtest that did not pass\n\n");
    s.push_str("| subtest | result | class | reason |\n|---|---|---|---|\n");
    for r in results.iter().filter(|r| r.outcome != Outcome::Pass) {
        let (class, why) = match exceptions.find(&r.entry.name()) {
            Some(e) => (e.class.as_str(), e.why.clone()),
            None => ("gemu", r.reason.clone().unwrap_or_default()),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {class} | {} |",
            r.entry.name(),
            r.outcome.as_str(),
            why.replace('|', "\\|").replace('\n', " ")
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, outcome: Outcome, reason: Option<&str>) -> TestResult {
        TestResult {
            entry: Entry::parse(name).unwrap(),
            outcome,
            code: Some(0),
            seconds: 1.5,
            reason: reason.map(str::to_owned),
            unexpected_hang: None,
            command: "gemu run -- x".into(),
            stdout: "IGT-Version: 2.2-test (x86_64)\n".into(),
            stderr: "a \"quoted\"\nline\u{1}".into(),
        }
    }

    fn info() -> RunInfo<'static> {
        RunInfo {
            build: Path::new("/igt/build"),
            interrupted: false,
            jobs: 2,
            seconds: 120.0,
            timeout: 60,
        }
    }

    #[test]
    fn json_results_parse_back() {
        let results = [
            result("gem_basic@bad-close", Outcome::Pass, None),
            result("kms_flip@a", Outcome::Skip, Some("no display")),
        ];
        let text = results_json(&info(), &results);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["igt_version"], "2.2-test (x86_64)");
        assert_eq!(v["totals"]["skip"], 1);
        assert_eq!(v["results"][1]["reason"], "no display");
        assert_eq!(v["results"][0]["stderr"], "a \"quoted\"\nline\u{1}");
        // One line per test, so that a grep finds it with its result.
        assert_eq!(text.lines().filter(|l| l.contains("\"test\"")).count(), 2);
    }

    #[test]
    fn a_results_file_reads_back() {
        let results = [
            result("gem_basic@bad-close", Outcome::Pass, None),
            result("kms_flip@a", Outcome::Skip, Some("no display")),
        ];
        let text = results_json(&info(), &results);
        let (back, interrupted, jobs, seconds, timeout) = from_json(&text, 1).unwrap();
        assert_eq!((interrupted, jobs, seconds, timeout), (false, 2, 120.0, 60));
        assert_eq!(back.len(), 2);
        assert_eq!(back[1].entry.name(), "kms_flip@a");
        assert_eq!(back[1].outcome, Outcome::Skip);
        assert_eq!(back[1].reason.as_deref(), Some("no display"));
        assert_eq!(back[0].stderr, results[0].stderr);
        assert_eq!(results_json(&info(), &back), text);
        assert!(from_json("{}", 1).is_err());
        let e = from_json(r#"{"results": [{"test": "x"}]}"#, 1).err();
        assert!(e.is_some_and(|e| e.contains("result 0")));
    }

    #[test]
    fn markdown_classes() {
        let ex = Exceptions::parse("kms_* display needs a connector\n").unwrap();
        let results = [
            result("gem_basic@bad-close", Outcome::Pass, None),
            result("gem_basic@create-fd", Outcome::Fail, Some("a | b")),
            result("kms_flip@a", Outcome::Skip, Some("no display")),
        ];
        let md = markdown(&info(), &results, &ex, "2026-12-07");
        assert!(
            md.contains("| gem_basic | 1 | 0 | 1 | 0 | 0 | 1 | 3 |"),
            "{md}"
        );
        assert!(
            md.contains("| kms_flip | 0 | 1 | 0 | 0 | 0 | 0 | 2 |"),
            "{md}"
        );
        assert!(
            md.contains("| gem_basic@create-fd | fail | gemu | a \\| b |"),
            "{md}"
        );
        assert!(md.contains("| kms_flip@a | skip | display | needs a connector |"));
        assert!(md.contains("IGT 2.2-test (x86_64), run 2026-12-07"));
    }
}
