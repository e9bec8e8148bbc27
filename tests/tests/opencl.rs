//! OpenCL on gemu: the kernels of `cl/kernels/` run by `cl/cl_run.c` on Intel's compute
//! runtime (Debian's intel-opencl-icd, which compiles them with IGC) under `gemu run`, and
//! on pocl (a CPU runtime) outside it; both must print the same buffers. The program also
//! exercises clEnqueueFillBuffer, WriteBuffer, CopyBuffer and ReadBuffer. A run fails on
//! any GPU hang in gemu's log, whatever the program printed: the runtime does not always
//! report one.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

const INSTALL_HINT: &str = "apt-get install ocl-icd-opencl-dev opencl-c-headers \
     intel-opencl-icd pocl-opencl-icd (scripts/bootstrap does)";

fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("opencl")
}

fn cl_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cl")
}

/// `cl/cl_run.c`, compiled once.
fn harness() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        fs::create_dir_all(scratch()).unwrap();
        let exe = scratch().join("cl_run");
        let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
        let r = Command::new(&cc)
            .args(["-std=gnu11", "-Wall", "-Werror", "-O1", "-g"])
            .arg(cl_dir().join("cl_run.c"))
            .arg("-o")
            .arg(&exe)
            .arg("-lOpenCL")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {cc:?}: {e}"));
        assert!(
            r.status.success(),
            "compiling cl_run.c failed ({INSTALL_HINT}):\n{}",
            String::from_utf8_lossy(&r.stderr)
        );
        exe
    })
}

fn check(name: &str, global: u32, local: u32, words: u32, args: &[&str]) {
    let kernel = cl_dir().join("kernels").join(format!("{name}.cl"));
    let kernel_arg = kernel.to_string_lossy().into_owned();
    let (g, l, w) = (global.to_string(), local.to_string(), words.to_string());
    let run_args = |platform: &'static str| {
        let mut v = vec![
            platform,
            kernel_arg.as_str(),
            g.as_str(),
            l.as_str(),
            w.as_str(),
        ];
        v.extend_from_slice(args);
        v
    };

    let pocl = Command::new(harness())
        .args(run_args("Portable"))
        .output()
        .expect("run cl_run on pocl");
    let pocl_out = String::from_utf8_lossy(&pocl.stdout).into_owned();
    assert!(
        pocl.status.success(),
        "pocl run failed ({INSTALL_HINT}): {}\n{}",
        pocl.status,
        String::from_utf8_lossy(&pocl.stderr)
    );

    let gemu = tests::gemu_binary().unwrap_or_else(|e| panic!("{e}"));
    let run = tests::run_under_gemu_env(
        &gemu,
        &[],
        &[("RUST_LOG", "gpu_backend=info")],
        harness(),
        &run_args("Intel"),
        &scratch().join(name),
        Duration::from_secs(120),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        run.status.is_some_and(|s| s.success()) && run.stdout.contains("device Intel(R)"),
        "{name} on Intel's runtime under gemu failed\n{}",
        run.transcript()
    );
    assert!(
        !run.stderr.contains(" hung: "),
        "{name}: the GPU hung behind a finished run\n{}",
        run.transcript()
    );
    tests::buffers::assert_same(name, &pocl_out, &run.stdout, 2 * words, &kernel);
}

#[test]
fn integer_arithmetic_and_math_builtins() {
    check("arith", 256, 64, 256, &["3", "5"]);
}

#[test]
fn local_memory_barriers_and_atomics() {
    check("local", 512, 64, 1024, &[]);
}

#[test]
fn sixty_four_bit_integers_division_and_remainder() {
    check("int64", 256, 64, 256, &[]);
}
