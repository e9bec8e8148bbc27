//! OpenGL ES on gemu: programs through EGL surfaceless on iris (Mesa's Intel GL driver)
//! under `gemu run`, and on llvmpipe (Mesa's CPU driver) outside it; both must print the
//! same data, and gemu's log must show no GPU hang.
//!
//! - `gl/gl_compute.c`: GLES 3.1 glDispatchCompute with SSBOs.
//! - `gl/gl_draw.c`: GLES 3.0 offscreen rendering read back with glReadPixels: glClear
//!   (iris's fast clear) and a scissored clear, glBlitFramebuffer, a vertex-coloured
//!   triangle (vertex shader, interpolated varyings, the rasterizer's coverage rule), two
//!   crossing in depth over a 24-bit depth buffer, a stencil mask written by one and
//!   tested by another, strips split by primitive restart, two in perspective cut by the
//!   near and far planes, lines (a list and a strip) and points of two sizes, one cut by a
//!   small viewport, a textured quad (glTexImage2D, bilinear filtering, repeat;
//!   within 2/255 per channel), textureGather of two components, and glGenerateMipmap with minified, explicit-level and
//!   size queries (textureLod, textureSize; within 3/255).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

const INSTALL_HINT: &str =
    "apt-get install libegl-dev libgles-dev libegl-mesa0 libgl1-mesa-dri (scripts/bootstrap does)";

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("gl")
}

/// Compiles `gl/<name>.c` into the scratch folder.
fn client(name: &str) -> (PathBuf, PathBuf) {
    fs::create_dir_all(scratch()).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("gl")
        .join(format!("{name}.c"));
    let exe = scratch().join(name);
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
        "compiling {name}.c failed ({INSTALL_HINT}):\n{}",
        String::from_utf8_lossy(&r.stderr)
    );
    (src, exe)
}

/// Runs `exe args` on llvmpipe and on iris under gemu; returns both outputs.
fn run_both(exe: &Path, args: &[&str], tag: &str) -> (String, String) {
    let soft = Command::new(exe)
        .args(args)
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .env("EGL_PLATFORM", "surfaceless")
        .output()
        .expect("run on llvmpipe");
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
        exe,
        args,
        &scratch().join(tag),
        Duration::from_secs(120),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        run.status.is_some_and(|s| s.success()) && run.stdout.contains("Intel(R)"),
        "{tag} on iris under gemu failed\n{}",
        run.transcript()
    );
    assert!(
        !run.stderr.contains(" hung: "),
        "{tag}: the GPU hung behind a finished run\n{}",
        run.transcript()
    );
    (soft_out, run.stdout)
}

#[test]
fn gles_compute_with_ssbos_matches_llvmpipe() {
    let (src, exe) = client("gl_compute");
    let (soft, iris) = run_both(&exe, &["8", "512"], "iris");
    tests::buffers::assert_same("gl_compute", &soft, &iris, 512, &src);
}

/// `gl_draw MODE` prints every pixel; iris on gemu must give llvmpipe's, exactly or within
/// `tolerance` per 8-bit channel where filtering may round differently.
fn check_draw_within(mode: &str, tolerance: u32) {
    // Compiled once: the tests run in parallel and would race on the same file.
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    let exe = EXE.get_or_init(|| client("gl_draw").1);
    let (soft, iris) = run_both(exe, &[mode], &format!("draw-{mode}"));
    let words = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.starts_with("w "))
            .map(str::to_owned)
            .collect()
    };
    let (want, got) = (words(&soft), words(&iris));
    assert!(!want.is_empty(), "llvmpipe printed no pixels");
    let value = |l: &str| -> u32 {
        let hex = l.split_whitespace().nth(2).expect("a pixel word");
        u32::from_str_radix(hex, 16).expect("a hex word")
    };
    let close = |a: &String, b: &String| {
        let (a, b) = (value(a), value(b));
        (0..4).all(|c| (a >> (8 * c) & 0xff).abs_diff(b >> (8 * c) & 0xff) <= tolerance)
    };
    let diff: Vec<_> = want
        .iter()
        .zip(&got)
        .filter(|(a, b)| !close(a, b))
        .take(8)
        .collect();
    assert!(
        want.len() == got.len() && diff.is_empty(),
        "gl_draw {mode}: iris on gemu differs from llvmpipe ({} vs {} pixels), first differences (llvmpipe, gemu): {diff:?}",
        want.len(),
        got.len()
    );
}

fn check_draw(mode: &str) {
    check_draw_within(mode, 0);
}

#[test]
fn gles_depth_test_on_a_24_bit_depth_renderbuffer() {
    check_draw("depth");
}

#[test]
fn gles_stencil_marks_and_tests_on_a_depth_stencil_renderbuffer() {
    check_draw("stencil");
}

#[test]
fn gles_primitive_restart_splits_triangle_strips() {
    check_draw("restart");
}

#[test]
fn gles_viewport_clips_a_triangle_reaching_past_it() {
    // Interpolating from vertices far outside the viewport may round one step apart.
    check_draw_within("viewport", 2);
}

#[test]
fn gles_triangles_crossing_the_near_and_far_planes_are_clipped() {
    // Colours interpolated at the cut vertices may round one step apart.
    check_draw_within("clip", 2);
}

#[test]
fn gles_line_list_and_strip_match_llvmpipe() {
    check_draw_within("lines", 2);
}

#[test]
fn gles_points_of_two_sizes_match_llvmpipe() {
    check_draw_within("points", 2);
}

#[test]
fn gles_textured_quad_with_bilinear_filtering_and_repeat() {
    check_draw_within("texture", 2);
}

#[test]
fn gles_texture_gather_of_two_components() {
    check_draw_within("gather", 2);
}

#[test]
fn gles_generated_mipmaps_sampled_minified_at_a_level_and_sized() {
    // glGenerateMipmap's downsampling and the sampling each round by up to one step.
    check_draw_within("mipmap", 3);
}

#[test]
fn gles_clear_and_scissored_clear_match_llvmpipe() {
    check_draw("clear");
}

#[test]
fn gles_blit_framebuffer_matches_llvmpipe() {
    check_draw("blit");
}

#[test]
fn gles_vertex_coloured_triangle_matches_llvmpipe() {
    check_draw("triangle");
}
