//! Vulkan compute on gemu: the GLSL programs of `vk/shaders/` compiled to SPIR-V, run by
//! `vk/vk_compute.c` on anv (Mesa's Intel driver) under `gemu run`, and on lavapipe (Mesa's
//! CPU driver) outside it; both must print the same buffers. Integer results compare
//! exactly; a shader's `// compare: b2 ulp N` line allows N ULP on float buffer 2, where
//! the drivers may round differently within what Vulkan allows. The run also fails on any
//! GPU hang in gemu's log, whatever the program printed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

const INSTALL_HINT: &str =
    "apt-get install libvulkan-dev mesa-vulkan-drivers glslang-tools (scripts/bootstrap does)";

fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("vulkan")
}

fn vk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vk")
}

/// The ICD manifest of a Mesa driver (`intel` or `lvp`) for this machine.
fn icd(driver: &str) -> String {
    let dir = Path::new("/usr/share/vulkan/icd.d");
    let found = fs::read_dir(dir).ok().and_then(|d| {
        d.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{driver}_icd.")))
        })
    });
    match found {
        Some(p) => p.to_string_lossy().into_owned(),
        None => panic!(
            "no {driver} Vulkan driver in {}: {INSTALL_HINT}",
            dir.display()
        ),
    }
}

/// `vk/vk_compute.c`, compiled once.
fn harness() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let out = scratch();
        fs::create_dir_all(&out).unwrap();
        let exe = out.join("vk_compute");
        let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
        let r = Command::new(&cc)
            .args(["-std=gnu11", "-Wall", "-Werror", "-O1", "-g"])
            .arg(vk_dir().join("vk_compute.c"))
            .arg("-o")
            .arg(&exe)
            .arg("-lvulkan")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {cc:?}: {e}"));
        assert!(
            r.status.success(),
            "compiling vk_compute.c failed ({INSTALL_HINT}):\n{}",
            String::from_utf8_lossy(&r.stderr)
        );
        exe
    })
}

/// Compiles `vk/shaders/<name>.comp` to SPIR-V.
fn spirv(name: &str) -> PathBuf {
    let out = scratch().join(format!("{name}.spv"));
    fs::create_dir_all(scratch()).unwrap();
    let r = Command::new("glslangValidator")
        .args(["-V", "--target-env", "vulkan1.1", "-o"])
        .arg(&out)
        .arg(vk_dir().join("shaders").join(format!("{name}.comp")))
        .output()
        .unwrap_or_else(|e| panic!("cannot run glslangValidator ({e}): {INSTALL_HINT}"));
    assert!(
        r.status.success(),
        "glslangValidator failed on {name}:\n{}",
        String::from_utf8_lossy(&r.stdout)
    );
    out
}

fn check(name: &str, groups: u32, words_per_buffer: u32, push: &[&str]) {
    let spv = spirv(name);
    let spv_arg = spv.to_string_lossy().into_owned();
    let (g, w) = (groups.to_string(), words_per_buffer.to_string());
    let mut args = vec![spv_arg.as_str(), g.as_str(), w.as_str()];
    args.extend_from_slice(push);

    let lvp = Command::new(harness())
        .args(&args)
        .env("VK_ICD_FILENAMES", icd("lvp"))
        .output()
        .expect("run vk_compute on lavapipe");
    let lvp_out = String::from_utf8_lossy(&lvp.stdout).into_owned();
    assert!(
        lvp.status.success() && lvp_out.contains("device llvmpipe"),
        "lavapipe run failed: {}\n{}",
        lvp.status,
        String::from_utf8_lossy(&lvp.stderr)
    );

    let gemu = tests::gemu_binary().unwrap_or_else(|e| panic!("{e}"));
    let intel = icd("intel");
    let run = tests::run_under_gemu_env(
        &gemu,
        &[],
        &[
            ("VK_ICD_FILENAMES", intel.as_str()),
            ("RUST_LOG", "gpu_backend=info"),
            ("MESA_SHADER_CACHE_DISABLE", "true"),
        ],
        harness(),
        &args,
        &scratch().join(name),
        Duration::from_secs(120),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        run.status.is_some_and(|s| s.success()) && run.stdout.contains("device Intel(R)"),
        "{name} on anv under gemu failed\n{}",
        run.transcript()
    );
    assert!(
        !run.stderr.contains(" hung: "),
        "{name}: the GPU hung behind a finished run\n{}",
        run.transcript()
    );

    let src = vk_dir().join("shaders").join(format!("{name}.comp"));
    tests::buffers::assert_same(name, &lvp_out, &run.stdout, 2 * words_per_buffer, &src);
}

#[test]
fn integer_and_float_arithmetic_with_push_constants() {
    check("arith", 4, 256, &["3", "7"]);
}

#[test]
fn divergent_branches_and_loops() {
    check("branches", 16, 1024, &[]);
}

#[test]
fn shared_memory_barriers_and_atomics() {
    check("shared", 16, 1024, &[]);
}

#[test]
fn subgroup_operations() {
    check("subgroup", 16, 1024, &[]);
}
