//! Why an IGT test did not pass, read from what it printed: IGT's assertion,
//! requirement and skip messages, its crash handler's stack trace, or the last thing it
//! said.

use std::fmt::Write as _;

/// A log line without IGT's `(prog:pid) [thread:N] domain-LEVEL: ` prefix and without
/// terminal colour codes.
pub(super) fn clean(line: &str) -> String {
    let mut s = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ params final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            s.push(c);
        }
    }
    let mut rest = s.trim_end();
    if rest.starts_with('(') {
        if let Some(i) = rest.find(") ") {
            rest = &rest[i + 2..];
        }
        if rest.starts_with("[thread:") {
            if let Some(i) = rest.find("] ") {
                rest = &rest[i + 2..];
            }
        }
        if let Some(i) = rest.find(": ") {
            let tag = &rest[..i];
            if !tag.contains(' ')
                && ["DEBUG", "INFO", "WARNING", "CRITICAL"]
                    .iter()
                    .any(|l| tag.ends_with(l))
            {
                rest = &rest[i + 2..];
            }
        }
    }
    rest.to_owned()
}

/// IGT prints a source path relative to its build directory (`../tests/x.c`).
fn source(path: &str) -> &str {
    path.trim_start_matches("../")
}

/// The most useful line about why a test did not pass, from what IGT printed:
/// a failed assertion (stderr), an unmet requirement (stdout), an abort, a fatal
/// signal, an explicit skip message; otherwise the last thing it said.
pub fn reason(stdout: &str, stderr: &str) -> Option<String> {
    let err: Vec<String> = stderr.lines().map(clean).collect();
    let out: Vec<String> = stdout.lines().map(clean).collect();

    // "Test assertion failure function F, file FILE:LINE:" / "Failed assertion: X" /
    // "Last errno: N, S" / the test's own message; the same for aborts.
    for (head, kind) in [
        ("Test assertion failure function ", "Failed assertion: "),
        ("Test abort in function ", "abort condition: "),
    ] {
        if let Some(i) = err.iter().position(|l| l.starts_with(head)) {
            return Some(explain(&err[i..], head, kind));
        }
    }
    // IGT runs every fixture, also those of other subtest groups, so an unmet
    // requirement printed before the subtest started may not be what skipped it: the
    // subtest's own comes first.
    let started = out
        .iter()
        .rposition(|l| l.starts_with("Starting subtest: "))
        .unwrap_or(0);
    for lines in [&out[started..], &out[..], &err[..]] {
        let head = "Test requirement not met in function ";
        if let Some(i) = lines.iter().position(|l| l.starts_with(head)) {
            return Some(explain(&lines[i..], head, "Test requirement: "));
        }
    }
    // A C assert() in IGT's library: "prog: file:line: func: Assertion `x' failed."
    if let Some(l) = err.iter().find(|l| l.contains(": Assertion `")) {
        return Some(l.clone());
    }
    if let Some(i) = err.iter().position(|l| l.starts_with("Received signal ")) {
        let signal = err[i]
            .trim_start_matches("Received signal ")
            .trim_end_matches('.');
        // The first frame outside the signal delivery and IGT's own crash handling
        // says where it happened.
        const HANDLING: [&str; 10] = [
            "fatal_sig_handler",
            "igt_core.c",
            "__sigaction",
            "pthread_key_delete",
            "pthread_kill",
            "gsignal",
            "raise",
            "abort",
            "__assert_fail",
            "<unknown>",
        ];
        let frame = err[i + 1..]
            .iter()
            .take_while(|l| !l.starts_with("Subtest "))
            .map(|l| l.trim())
            .find(|l| l.starts_with('#') && !HANDLING.iter().any(|h| l.contains(h)));
        return Some(match frame {
            Some(f) => format!("{signal} at {f}"),
            None => signal.to_owned(),
        });
    }
    // igt_skip("message") prints the message just before "Subtest X: SKIP".
    if let Some(i) = out
        .iter()
        .position(|l| l.starts_with("Subtest ") && l.contains(": SKIP"))
    {
        if let Some(msg) = out[..i]
            .iter()
            .rev()
            .find(|l| !l.is_empty() && !l.starts_with("Starting subtest"))
        {
            if !msg.starts_with("IGT-Version") && !msg.starts_with("Using IGT_SRANDOM") {
                return Some(msg.clone());
            }
        }
    }
    let noise = |l: &&String| {
        !l.is_empty()
            && !l.starts_with("Subtest ")
            && !l.starts_with("Starting subtest")
            && !l.starts_with("IGT-Version")
            && !l.starts_with("Using IGT_SRANDOM")
            && !l.starts_with("Stack trace")
            && !l.starts_with('#')
            && !l.starts_with("****")
            && !is_gemu_log(l)
    };
    err.iter()
        .rev()
        .find(noise)
        .or_else(|| out.iter().rev().find(noise))
        .cloned()
}

/// One line from an IGT failure block: `<kind> X (FILE:LINE F()); message; errno N (S)`.
fn explain(block: &[String], head: &str, kind: &str) -> String {
    // "... function F, file FILE:LINE:"
    let place = block[0][head.len()..].trim_end_matches(':');
    let (func, file) = place.split_once(", file ").unwrap_or((place, ""));
    let mut what = String::new();
    let mut extra = Vec::new();
    for l in &block[1..] {
        if let Some(x) = l.strip_prefix(kind) {
            what = x.to_owned();
        } else if let Some(e) = l.strip_prefix("Last errno: ") {
            extra.push(format!("errno {e}"));
        } else if l.is_empty()
            || is_result(l)
            || l.starts_with("Stack trace")
            || l.starts_with("Subtest ")
            || l.starts_with("Test ")
            || l.starts_with("****")
            || l.starts_with('#')
        {
            break;
        } else if extra.len() < 2 {
            extra.push(l.clone());
        }
    }
    let mut s = format!("{kind}{what} ({} {func}())", source(file));
    for e in extra {
        let _ = write!(s, "; {e}");
    }
    s
}

/// A line of gemu's own log (env_logger: `[2026-01-01T00:00:00Z ERROR target] ...`),
/// which shares the test's stderr: the daemon's complaints when a killed test leaves
/// replies undeliverable say nothing about the test.
pub(super) fn is_gemu_log(line: &str) -> bool {
    line.starts_with('[')
        && line
            .get(1..5)
            .is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()))
        && line.contains("Z ")
}

/// IGT's closing line of a test without subtests: `SKIP (0.000s)`, `FAIL (1.2s)`.
fn is_result(line: &str) -> bool {
    ["SUCCESS (", "SKIP (", "FAIL (", "CRASH (", "TIMEOUT ("]
        .iter()
        .any(|r| line.starts_with(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_of_a_failed_assertion() {
        let stderr = "\
(gem_basic:77) igt_core-CRITICAL: Test assertion failure function test_bad_close, file ../tests/intel/gem_basic.c:95:
(gem_basic:77) igt_core-CRITICAL: Failed assertion: __gem_close(fd, 0x7fffffff) == -EINVAL
(gem_basic:77) igt_core-CRITICAL: Last errno: 2, No such file or directory
(gem_basic:77) igt_core-CRITICAL: error: -2 != -22
(gem_basic:77) igt_core-INFO: Stack trace:
Subtest bad-close: FAIL (0.001s)
";
        assert_eq!(
            reason("", stderr).unwrap(),
            "Failed assertion: __gem_close(fd, 0x7fffffff) == -EINVAL \
             (tests/intel/gem_basic.c:95 test_bad_close()); \
             errno 2, No such file or directory; error: -2 != -22"
        );
    }

    #[test]
    fn reason_of_an_unmet_requirement() {
        let stdout = "\
IGT-Version: 2.2-gb3d809d53 (x86_64) (Linux: 6.18.0 x86_64)
Test requirement not met in function drm_open_driver, file ../lib/drmtest.c:800:
Test requirement: !(fd<0)
No known gpu found for chipset flags 0x1 (intel)
Last errno: 2, No such file or directory
Subtest basic: SKIP
";
        assert_eq!(
            reason(stdout, "").unwrap(),
            "Test requirement: !(fd<0) (lib/drmtest.c:800 drm_open_driver()); \
             No known gpu found for chipset flags 0x1 (intel); \
             errno 2, No such file or directory"
        );
    }

    #[test]
    fn reason_of_a_signal_and_of_a_plain_skip() {
        let stderr = "Received signal SIGSEGV.\nStack trace: \n #0 [fatal_sig_handler+0x17b]\n \
                      #1 [__sigaction+0x40]\n #2 [intel_engine_list_for_ctx_cfg+0x22]\n\
                      Subtest x: CRASH (0.1s)\n";
        assert_eq!(
            reason("", stderr).unwrap(),
            "SIGSEGV at #2 [intel_engine_list_for_ctx_cfg+0x22]"
        );
        let stderr = "gem_wait: ../lib/igt_core.c:2584: igt_stop_helper: Assertion `x' failed.\n\
                      Received signal SIGABRT.\n";
        assert_eq!(
            reason("", stderr).unwrap(),
            "gem_wait: ../lib/igt_core.c:2584: igt_stop_helper: Assertion `x' failed."
        );
        let simple = "Test requirement not met in function main, file ../tests/x.c:1:\n\
                      Test requirement: fences > 0\nSKIP (0.000s)\n";
        let other_group = "Test requirement not met in function main, file ../t.c:9:\n\
                           Test requirement: has_userptr(fd)\n\
                           Starting subtest: coherency-sync\n\
                           Test requirement not met in function igt_require_memory, \
                           file ../lib/igt_os.c:452:\n\
                           Test requirement: sufficient_memory\n\
                           Subtest coherency-sync: SKIP (0.021s)\n";
        assert_eq!(
            reason(other_group, "").unwrap(),
            "Test requirement: sufficient_memory (lib/igt_os.c:452 igt_require_memory())"
        );
        assert_eq!(
            reason(simple, "").unwrap(),
            "Test requirement: fences > 0 (tests/x.c:1 main())"
        );
        let stdout = "Starting subtest: x\nNo engines to test\nSubtest x: SKIP (0.0s)\n";
        assert_eq!(reason(stdout, "").unwrap(), "No engines to test");
        assert_eq!(
            reason("", "gemu: cannot mount\n").unwrap(),
            "gemu: cannot mount"
        );
        let stderr = "Starting dynamic subtest: basic\n\
                      [2026-11-21T12:17:44Z ERROR fuser::reply] Failed to send FUSE reply\n";
        assert_eq!(
            reason("", stderr).unwrap(),
            "Starting dynamic subtest: basic"
        );
    }
}
