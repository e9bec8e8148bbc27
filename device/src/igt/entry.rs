//! What `gemu igt` runs: entries named as IGT's runner names them, and list files of
//! them.

use crate::Fallible;

/// One thing to run: a whole binary, a subtest, or a dynamic subtest of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub binary: String,
    pub subtest: Option<String>,
    pub dynamic: Option<String>,
}

impl Entry {
    /// `binary`, `binary@subtest` or `binary@subtest@dynamic`, as IGT's runner names them.
    pub fn parse(s: &str) -> Fallible<Entry> {
        let mut parts = s.split('@');
        let binary = parts.next().unwrap_or_default();
        let subtest = parts.next().map(str::to_owned);
        let dynamic = parts.next().map(str::to_owned);
        let bad = |why: &str| Err(format!("{s:?}: {why}"));
        if binary.is_empty() || binary.contains('/') || binary.starts_with('.') {
            return bad("the binary must be a plain name under <build>/tests");
        }
        if parts.next().is_some()
            || subtest.as_deref() == Some("")
            || dynamic.as_deref() == Some("")
        {
            return bad("expected binary, binary@subtest or binary@subtest@dynamic");
        }
        Ok(Entry {
            binary: binary.to_owned(),
            subtest,
            dynamic,
        })
    }

    pub fn name(&self) -> String {
        let mut s = self.binary.clone();
        for part in [&self.subtest, &self.dynamic].into_iter().flatten() {
            s.push('@');
            s.push_str(part);
        }
        s
    }

    /// The arguments IGT takes to run just this entry.
    pub(super) fn igt_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(s) = &self.subtest {
            args.extend(["--run-subtest".to_owned(), s.clone()]);
        }
        if let Some(d) = &self.dynamic {
            args.extend(["--dynamic-subtest".to_owned(), d.clone()]);
        }
        args
    }
}

/// The entries of a list file: one per line, blank lines and `#` comments ignored.
pub fn parse_list(text: &str) -> Fallible<Vec<Entry>> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.split('#').next().unwrap_or_default().trim();
            (!line.is_empty())
                .then(|| Entry::parse(line).map_err(|e| format!("line {}: {e}", i + 1)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries() {
        let e = Entry::parse("gem_basic@bad-close").unwrap();
        assert_eq!(e.binary, "gem_basic");
        assert_eq!(e.subtest.as_deref(), Some("bad-close"));
        assert_eq!(e.igt_args(), ["--run-subtest", "bad-close"]);
        assert_eq!(Entry::parse("i915_pciid").unwrap().name(), "i915_pciid");
        let d = Entry::parse("gem_exec_basic@basic@rcs0").unwrap();
        assert_eq!(d.name(), "gem_exec_basic@basic@rcs0");
        assert_eq!(
            d.igt_args(),
            ["--run-subtest", "basic", "--dynamic-subtest", "rcs0"]
        );
        for bad in ["", "@x", "a@", "a@b@", "a@b@c@d", "../x", "dir/x"] {
            assert!(Entry::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn list_files() {
        let list = parse_list("# BAT\n\ngem_basic@bad-close  # why\n  gem_create\n").unwrap();
        assert_eq!(
            list.iter().map(Entry::name).collect::<Vec<_>>(),
            ["gem_basic@bad-close", "gem_create"]
        );
        let err = parse_list("ok\nbad@\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }
}
