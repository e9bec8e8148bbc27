//! The C clients of `tests/c/`, each compiled against the system's libdrm
//! and run under `gemu run`. One test per client; `cargo test -p tests`
//! lists them by name. See tests/README.md.

use std::path::Path;

/// Scratch space cargo gives integration tests (`target/tmp`).
fn scratch() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

tests::every_c_client!(|name| tests::run_c_client(name, scratch()));

/// Hostile input, run in the plain configuration only.
#[test]
fn hostile() {
    tests::run_c_client("hostile", scratch());
}

/// A new `c/*.c` without a test here would never run: catch that.
#[test]
fn every_c_client_has_a_test() {
    let mut listed: Vec<&str> = CLIENTS.to_vec();
    listed.push("hostile");
    listed.sort();
    let found = tests::c_client_names();
    assert_eq!(
        found, listed,
        "tests/c/*.c and the every_c_client! list in tests/src/lib.rs (plus hostile) differ"
    );
}

/// The clients compile with -Wall -Werror, whether or not gemu runs.
#[test]
fn every_c_client_compiles() {
    let dir = scratch().join("gemu-e2e-compile");
    let failures: Vec<String> = tests::c_client_names()
        .iter()
        .filter_map(|name| tests::compile_client(name, &dir).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
