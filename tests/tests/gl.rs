//! OpenGL ES compute on gemu: `gl/gl_compute.c` (EGL surfaceless, GLES 3.1,
//! glDispatchCompute with SSBOs) on iris (Mesa's Intel GL driver) under `gemu run`, and on
//! llvmpipe (Mesa's CPU driver) outside it; both must print the same buffer, and gemu's
//! log must show no GPU hang.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const INSTALL_HINT: &str =
    "apt-get install libegl-dev libgles-dev libegl-mesa0 libgl1-mesa-dri (scripts/bootstrap does)";

#[test]
fn gles_compute_with_ssbos_matches_llvmpipe() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gl");
    fs::create_dir_all(&scratch).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("gl")
        .join("gl_compute.c");
    let exe = scratch.join("gl_compute");
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let r = Command::new(&cc)
        .args(["-std=gnu11", "-Wall", "-Werror", "-O1", "-g"])
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .args(["-lEGL", "-lGLESv2"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cc:?}: {e}"));
    assert!(
        r.status.success(),
        "compiling gl_compute.c failed ({INSTALL_HINT}):\n{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let args = ["8", "512"];

    let soft = Command::new(&exe)
        .args(args)
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .env("EGL_PLATFORM", "surfaceless")
        .output()
        .expect("run gl_compute on llvmpipe");
    let soft_out = String::from_utf8_lossy(&soft.stdout).into_owned();
    assert!(
        soft.status.success() && soft_out.contains("device llvmpipe"),
        "llvmpipe run failed ({INSTALL_HINT}): {}\n{}",
        soft.status,
        String::from_utf8_lossy(&soft.stderr)
    );

    let gemu = tests::gemu_binary().unwrap_or_else(|e| panic!("{e}"));
    let run = tests::run_under_gemu_env(
        &gemu,
        &[],
        &[
            ("RUST_LOG", "gpu_backend=info"),
            ("MESA_SHADER_CACHE_DISABLE", "true"),
        ],
        &exe,
        &args,
        &scratch.join("iris"),
        Duration::from_secs(120),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        run.status.is_some_and(|s| s.success()) && run.stdout.contains("Intel(R)"),
        "gl_compute on iris under gemu failed\n{}",
        run.transcript()
    );
    assert!(
        !run.stderr.contains(" hung: "),
        "the GPU hung behind a finished run\n{}",
        run.transcript()
    );
    tests::buffers::assert_same("gl_compute", &soft_out, &run.stdout, 512, &src);
}
