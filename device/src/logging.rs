//! gemu's log: env_logger (`RUST_LOG`, default `warn`), with one of fuser's errors
//! demoted to what it means here.
//!
//! fuser logs every reply the kernel refused at ERROR. The kernel refuses with ENOENT
//! a reply to a request nobody waits for any more: the client was killed (or
//! interrupted) in the call. That is an ordinary event for a device, so it is logged at
//! debug; other refused replies stay errors.

use log::{Level, Log, Metadata, Record};

/// The target of fuser's reply log, and its message for a refused reply.
const FUSER_REPLY: &str = "fuser::reply";
const REFUSED: &str = "Failed to send FUSE reply";
/// How `std::io::Error` prints ENOENT.
const GONE: &str = "(os error 2)";

struct Logger(env_logger::Logger);

/// Whether fuser's record says a reply found its client gone.
fn client_gone(target: &str, level: Level, text: &str) -> bool {
    target == FUSER_REPLY
        && level == Level::Error
        && text.starts_with(REFUSED)
        && text.ends_with(GONE)
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        self.0.enabled(metadata)
    }

    fn log(&self, record: &Record) {
        if record.target() == FUSER_REPLY && record.level() == Level::Error {
            let text = record.args().to_string();
            if client_gone(record.target(), record.level(), &text) {
                // One statement: the formatted arguments live until its end.
                return self.0.log(
                    &Record::builder()
                        .args(format_args!("{text} (the client is gone)"))
                        .level(Level::Debug)
                        .target(record.target())
                        .module_path(record.module_path())
                        .file(record.file())
                        .line(record.line())
                        .build(),
                );
            }
        }
        self.0.log(record)
    }

    fn flush(&self) {
        self.0.flush()
    }
}

/// Install the log for this process. The fuser library stays at `warn` unless RUST_LOG
/// names it (its debug output is a line per FUSE request).
pub fn init() {
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"));
    if !names_fuser(std::env::var("RUST_LOG").ok().as_deref()) {
        builder.filter_module("fuser", log::LevelFilter::Warn);
    }
    let inner = builder.build();
    let max = inner.filter();
    if log::set_boxed_logger(Box::new(Logger(inner))).is_ok() {
        log::set_max_level(max);
    }
}

/// Whether a RUST_LOG value has a directive for the fuser crate.
pub(crate) fn names_fuser(rust_log: Option<&str>) -> bool {
    rust_log.is_some_and(|spec| {
        // Directives come before an optional `/regex`.
        let directives = spec.split('/').next().unwrap_or_default();
        directives.split(',').any(|d| {
            d.trim()
                .split('=')
                .next()
                .is_some_and(|m| m == "fuser" || m.starts_with("fuser::"))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_to_a_dead_client_is_not_an_error() {
        let gone = "Failed to send FUSE reply: No such file or directory (os error 2)";
        assert!(client_gone(FUSER_REPLY, Level::Error, gone));
        let other = "Failed to send FUSE reply: Bad file descriptor (os error 9)";
        assert!(!client_gone(FUSER_REPLY, Level::Error, other));
        assert!(!client_gone("gemu", Level::Error, gone));
    }
}
