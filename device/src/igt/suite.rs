//! Whole suites and the reviewed exceptions.
//!
//! `--suite i915` is every binary of the build that tests i915 GEM and the DRM core
//! beneath it; a real Tiger Lake without a display is the reference for what should
//! pass. What it does not pass for a reason such a machine shares (no display, no local
//! memory, no OA unit modelled, another GPU needed, this machine's RAM), or a stated
//! non-goal, is listed once, with the reason, in an exceptions file; every other
//! non-pass is gemu's to fix.

use std::path::Path;

use glob::Pattern;

use super::entry::Entry;
use crate::Fallible;

/// The binary name prefixes of the i915 suite: GEM and i915 tests, dma-buf and sync
/// objects (which i915 serves), the DRM core calls, sw_sync and the i915 PMU.
const I915_PREFIXES: [&str; 9] = [
    "gem_", "i915_", "prime_", "syncobj_", "core_", "drm_", "sw_sync", "dmabuf", "perf_pmu",
];

/// Binaries of the suite's prefixes left out: gem_concurrent_all is the 428,400-subtest
/// cross product whose 57,120-subtest subset, gem_concurrent_blit, Intel's CI itself
/// blocklists; at a few seconds each it would take weeks here.
const NOT_IN_SUITE: [&str; 1] = ["gem_concurrent_all"];

/// The binaries of a named suite found in `tests_dir`, sorted by name.
pub(super) fn suite(tests_dir: &Path, name: &str) -> Fallible<Vec<Entry>> {
    let prefixes: &[&str] = match name {
        "i915" => &I915_PREFIXES,
        _ => return Err(format!("unknown suite {name:?} (known: i915)")),
    };
    let dir = std::fs::read_dir(tests_dir)
        .map_err(|e| format!("reading {}: {e}", tests_dir.display()))?;
    let mut names: Vec<String> = dir
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name().into_string().ok()?;
            let meta = e.metadata().ok()?;
            use std::os::unix::fs::PermissionsExt;
            (meta.is_file() && meta.permissions().mode() & 0o111 != 0).then_some(name)
        })
        .filter(|n| prefixes.iter().any(|p| n.starts_with(p)) && !n.contains('.'))
        .filter(|n| !NOT_IN_SUITE.contains(&n.as_str()))
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!(
            "no binary of suite {name} in {} (build IGT's tests first)",
            tests_dir.display()
        ));
    }
    names
        .into_iter()
        .map(|n| Entry::parse(&n))
        .collect::<Fallible<_>>()
}

/// Why a non-pass is expected on the reference machine too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Needs a display (KMS, a connector, vblanks).
    Display,
    /// Needs device-local memory (discrete GPUs).
    LocalMemory,
    /// Needs the OA unit / i915 perf streams.
    Perf,
    /// Needs another GPU or a second device (vgem, a second i915, nouveau...).
    OtherGpu,
    /// Needs more RAM, CPUs or time than the machines the suite runs on have.
    Machine,
    /// Needs the kernel itself: module reload, kernel selftests, kmsg, suspend, debugfs
    /// files only a kernel has.
    Kernel,
    /// A non-goal of the project, said in its documentation.
    NonGoal,
    /// The reference itself does not run it: a current i915 on Tiger Lake refuses or
    /// lacks what the test requires (a removed uAPI, another platform's feature).
    Reference,
}

impl Class {
    const ALL: [(Class, &'static str); 8] = [
        (Class::Display, "display"),
        (Class::LocalMemory, "local-memory"),
        (Class::Perf, "perf"),
        (Class::OtherGpu, "other-gpu"),
        (Class::Machine, "machine"),
        (Class::Kernel, "kernel"),
        (Class::NonGoal, "non-goal"),
        (Class::Reference, "reference"),
    ];

    /// The class's name in the exceptions file.
    pub fn as_str(self) -> &'static str {
        Class::ALL.iter().find(|(c, _)| *c == self).unwrap().1
    }

    fn parse(s: &str) -> Option<Class> {
        Class::ALL.iter().find(|(_, n)| *n == s).map(|(c, _)| *c)
    }
}

/// One reviewed exception: entries matching `pattern` may skip or fail for `why`.
#[derive(Debug, Clone)]
pub struct Exception {
    pattern: Pattern,
    /// The class of the reason.
    pub class: Class,
    /// The reason, in words.
    pub why: String,
}

/// The reviewed exceptions, in file order (the first match wins).
#[derive(Debug, Clone, Default)]
pub struct Exceptions(Vec<Exception>);

impl Exceptions {
    /// Parse an exceptions file: one `PATTERN CLASS REASON…` per line, `#` starts a
    /// comment; PATTERN is a glob over `binary@subtest[@dynamic]` (`*` matches `@` too).
    pub fn parse(text: &str) -> Fallible<Exceptions> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let bad = |why: String| format!("line {}: {why}", i + 1);
            let (pattern, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let rest = rest.trim_start();
            let (class, why) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let why = why.trim();
            let pattern =
                Pattern::new(pattern).map_err(|e| bad(format!("pattern {pattern:?}: {e}")))?;
            let class = Class::parse(class).ok_or_else(|| {
                bad(format!(
                    "class {class:?} is none of {}",
                    Class::ALL.map(|(_, n)| n).join(", ")
                ))
            })?;
            if why.is_empty() {
                return Err(bad("every exception needs its reason".into()));
            }
            out.push(Exception {
                pattern,
                class,
                why: why.to_owned(),
            });
        }
        Ok(Exceptions(out))
    }

    /// The exception that covers the entry named `name`, if any.
    pub fn find(&self, name: &str) -> Option<&Exception> {
        // A whole binary's entry also matches a pattern written for its subtests.
        let whole = format!("{name}@");
        self.0
            .iter()
            .find(|e| e.pattern.matches(name) || e.pattern.matches(&whole))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_file() {
        let ex = Exceptions::parse(
            "# header\n\
             kms_*            display   needs a connector\n\
             gem_lmem_*       local-memory  discrete only  # trailing\n\
             gem_exec_*@*-lmem local-memory no local memory on TGL\n",
        )
        .unwrap();
        assert_eq!(ex.find("kms_flip@basic").unwrap().class, Class::Display);
        assert_eq!(ex.find("gem_lmem_swapping").unwrap().why, "discrete only");
        assert_eq!(
            ex.find("gem_exec_fence@x-lmem").unwrap().class,
            Class::LocalMemory
        );
        assert!(ex.find("gem_exec_fence@basic").is_none());
    }

    #[test]
    fn bad_exceptions() {
        for (text, what) in [
            ("x display\n", "reason"),
            ("x colour why\n", "class"),
            ("[ display why\n", "pattern"),
        ] {
            let e = Exceptions::parse(text).unwrap_err();
            assert!(e.starts_with("line 1:") && e.contains(what), "{e}");
        }
    }

    #[test]
    fn suites() {
        let dir = std::env::temp_dir().join(format!("gemu-suite-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, mode) in [
            ("gem_basic", 0o755),
            ("kms_flip", 0o755),
            ("syncobj_wait", 0o755),
            ("gem_notes.txt", 0o755),
            ("gem_data", 0o644),
        ] {
            let p = dir.join(name);
            std::fs::write(&p, b"").unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        let names: Vec<String> = suite(&dir, "i915")
            .unwrap()
            .iter()
            .map(Entry::name)
            .collect();
        assert_eq!(names, ["gem_basic", "syncobj_wait"]);
        assert!(suite(&dir, "kms").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// IGT's own CI blocklist (`tests/intel-ci/i915.blocklist.txt` in its source): one
/// regular expression per line over `igt@binary@subtest[@dynamic]`, `#` comments. As
/// IGT's runner does, an expression blocks an entry when it matches anywhere in the
/// name; the expressions use lookahead, hence fancy-regex.
#[derive(Debug, Default)]
pub struct Blocklist(Vec<fancy_regex::Regex>);

impl Blocklist {
    /// Parse a blocklist file.
    pub fn parse(text: &str) -> Fallible<Blocklist> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            out.push(
                fancy_regex::Regex::new(line)
                    .map_err(|e| format!("line {}: {line:?}: {e}", i + 1))?,
            );
        }
        Ok(Blocklist(out))
    }

    /// Whether the entry named `name` (`binary@subtest...`) is blocked.
    pub fn blocks(&self, name: &str) -> bool {
        let full = format!("igt@{name}");
        self.0.iter().any(|r| r.is_match(&full).unwrap_or(false))
    }
}

#[cfg(test)]
mod blocklist_tests {
    use super::*;

    #[test]
    fn igt_blocklist_syntax() {
        let b = Blocklist::parse(
            "# comment\nigt@gem_exec_nop@(?!.*basic).*\nigt@gem_ctx_switch(@.*)?\n\n",
        )
        .unwrap();
        assert!(b.blocks("gem_exec_nop@headless"));
        assert!(!b.blocks("gem_exec_nop@basic-series"));
        assert!(b.blocks("gem_ctx_switch@legacy-rcs0"));
        assert!(b.blocks("gem_ctx_switch"));
        assert!(!b.blocks("gem_ctx_param@basic"));
        assert!(Blocklist::parse("ok\n(unclosed\n")
            .unwrap_err()
            .starts_with("line 2:"));
    }
}
