//! The C clients of `tests/c/`, each compiled against the system's libdrm
//! and run under `gemu run`. One test per client; `cargo test -p tests`
//! lists them by name. See tests/README.md.

use std::path::Path;

/// Scratch space cargo gives integration tests (`target/tmp`).
fn scratch() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

macro_rules! c_clients {
    ($($name:ident),* $(,)?) => {
        /// Every `c/*.c` file has a test below, and every test a file.
        const CLIENTS: &[&str] = &[$(stringify!($name)),*];

        $(
            #[test]
            fn $name() {
                tests::run_c_client(stringify!($name), scratch());
            }
        )*
    };
}

c_clients!(
    core_version,
    core_auth,
    i915_getparam,
    i915_query,
    gem_create,
    gem_flink,
    gem_rw,
    gem_mmap,
    gem_gtt,
    gem_state,
    signals,
    fuzz,
    syncobj,
    userptr,
    pressure,
    exec_params,
    exec_basic,
    exec_softpin,
    exec_ctx,
    exec_fence,
    exec_spin_hang,
    exec_blits,
    exec_lifetime,
    shim_stat,
    shim_off,
    drm_devices,
    igt_fixture,
    prime,
    legacy_mmap,
    fence_fds,
    sysfs_live,
    vgem,
    hostile,
    pmu,
);

/// A new `c/*.c` without a test here would never run: catch that.
#[test]
fn every_c_client_has_a_test() {
    let mut listed: Vec<&str> = CLIENTS.to_vec();
    listed.sort();
    let found = tests::c_client_names();
    assert_eq!(
        found, listed,
        "tests/c/*.c and the c_clients! list in tests/tests/c_clients.rs differ"
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
