//! Vulkan on gemu against lavapipe (Mesa's CPU driver), the same program on both.
//!
//! Compute: the GLSL programs of `vk/shaders/` compiled to SPIR-V, run by
//! `vk/vk_compute.c` on anv (Mesa's Intel driver) under `gemu run`, and on lavapipe
//! outside it; both must print the same buffers. Integer results compare exactly; a
//! shader's `// compare: b2 ulp N` line allows N ULP on float buffer 2, where the drivers
//! may round differently within what Vulkan allows.
//!
//! Transfers: `vk/vk_transfer.c` clears, fills, copies and blits buffers and images, which
//! anv runs on Tiger Lake as BLORP rectangle draws through the 3D pipeline (fast clears
//! included); the bytes read back must be the same as lavapipe's, exactly (filtered blits:
//! within 2/255 per channel).
//!
//! Drawing: `vk/vk_draw.c` clears a colour attachment by its render pass and blends an
//! indexed, instanced draw over it (`vk/shaders/draw.vert`, `draw.frag`), with push
//! constants, or depth-tested against a cleared D32 attachment (whose depths are read
//! back through a copy too); pixels may differ from lavapipe's by the rounding Vulkan
//! allows in blending, depths by 1e-6. `draw_clip.vert` puts the same quads in
//! perspective across the near and far planes, so the clipper must cut them (depths of
//! the cut triangles within 1e-5). `draw_points.vert` draws the same vertices as a
//! POINT_LIST of 2- and 4-pixel points, and as lists and strips of 1-pixel lines (equal
//! but for the pixels at segment ends, which non-strict lines leave open).
//!
//! The scene: `vk/vk_scene.c` draws textured (bilinear, repeating), depth-tested,
//! alpha-blended quads and triangles from vertex, instance and 32-bit index buffers in a
//! render pass, with vkCmdClearAttachments between its two draws; colours within 3/255
//! of lavapipe's, depths within 1e-6; `scene_clip.vert` puts it in perspective across the
//! near and far planes (perspective-correct texture coordinates at the cut vertices).
//!
//! Every run also fails on any GPU hang in gemu's log, whatever the program printed.

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
    EXE.get_or_init(|| client("vk_compute"))
}

/// Compiles `vk/<name>.c` once into the scratch folder.
fn client(name: &str) -> PathBuf {
    let out = scratch();
    fs::create_dir_all(&out).unwrap();
    let exe = out.join(name);
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let r = Command::new(&cc)
        .args(["-std=gnu11", "-Wall", "-Werror", "-O1", "-g"])
        .arg(vk_dir().join(format!("{name}.c")))
        .arg("-o")
        .arg(&exe)
        .arg("-lvulkan")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cc:?}: {e}"));
    assert!(
        r.status.success(),
        "compiling {name}.c failed ({INSTALL_HINT}):\n{}",
        String::from_utf8_lossy(&r.stderr)
    );
    exe
}

/// `vk/vk_transfer.c`, compiled once.
fn transfer_client() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| client("vk_transfer"))
}

/// Runs `exe ARGS` on lavapipe and on anv under gemu; the printed words must be equal, or
/// each 8-bit channel within `tolerance` (rendering may round differently within what
/// Vulkan allows: blending and interpolation precision).
fn check_words(exe: &Path, args: &[&str], tag: &str, tolerance: u32) {
    check_words_with(exe, args, tag, &|a, b| {
        (0..4).all(|c| (a >> (8 * c) & 0xff).abs_diff(b >> (8 * c) & 0xff) <= tolerance)
    });
}

/// Runs `exe ARGS` on lavapipe and on anv under gemu (scratch folder `tag`); both must
/// finish and name their device, and gemu's log must show no GPU hang. Returns
/// lavapipe's output and gemu's run.
fn run_on_both(exe: &Path, args: &[&str], tag: &str) -> (String, tests::RunOutcome) {
    let lvp = Command::new(exe)
        .args(args)
        .env("VK_ICD_FILENAMES", icd("lvp"))
        .output()
        .expect("run on lavapipe");
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
        exe,
        args,
        &scratch().join(tag),
        Duration::from_secs(120),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        run.status.is_some_and(|s| s.success()) && run.stdout.contains("device Intel(R)"),
        "{tag} on anv under gemu failed\n{}",
        run.transcript()
    );
    assert!(
        !run.stderr.contains(" hung: "),
        "{tag}: the GPU hung behind a finished run\n{}",
        run.transcript()
    );
    (lvp_out, run)
}

/// As [`check_words`], with the words compared by `close`.
fn check_words_with(exe: &Path, args: &[&str], tag: &str, close: &dyn Fn(u32, u32) -> bool) {
    let (lvp_out, run) = run_on_both(exe, args, tag);
    let words = |out: &str| -> Vec<u32> {
        out.lines()
            .filter_map(|l| l.strip_prefix("w "))
            .filter_map(|l| l.split_whitespace().nth(1))
            .map(|h| u32::from_str_radix(h, 16).expect("a hex word"))
            .collect()
    };
    let (want, got) = (words(&lvp_out), words(&run.stdout));
    assert!(!want.is_empty(), "lavapipe printed no words");
    let diff: Vec<_> = want
        .iter()
        .zip(&got)
        .enumerate()
        .filter(|(_, (a, b))| !close(**a, **b))
        .map(|(i, (a, b))| format!("{i}: {a:08x} vs {b:08x}"))
        .take(8)
        .collect();
    assert!(
        want.len() == got.len() && diff.is_empty(),
        "{tag}: anv on gemu differs from lavapipe ({} vs {} words), first differences (lavapipe vs gemu): {diff:?}",
        want.len(),
        got.len()
    );
}

/// `vk_transfer ARGS` must give lavapipe's bytes exactly (filtered blits: within
/// `tolerance` per 8-bit channel).
fn check_transfer_within(args: &[&str], tolerance: u32) {
    check_words(
        transfer_client(),
        args,
        &format!("transfer-{}", args.join("-")),
        tolerance,
    );
}

fn check_transfer(args: &[&str]) {
    check_transfer_within(args, 0);
}

/// Compiles `vk/shaders/<file>` (a GLSL shader named with its stage's extension) to SPIR-V.
fn spirv(file: &str) -> PathBuf {
    let out = scratch().join(format!("{file}.spv"));
    fs::create_dir_all(scratch()).unwrap();
    let r = Command::new("glslangValidator")
        .args(["-V", "--target-env", "vulkan1.1", "-o"])
        .arg(&out)
        .arg(vk_dir().join("shaders").join(file))
        .output()
        .unwrap_or_else(|e| panic!("cannot run glslangValidator ({e}): {INSTALL_HINT}"));
    assert!(
        r.status.success(),
        "glslangValidator failed on {file}:\n{}",
        String::from_utf8_lossy(&r.stdout)
    );
    out
}

fn check(name: &str, groups: u32, words_per_buffer: u32, push: &[&str]) {
    let spv = spirv(&format!("{name}.comp"));
    let spv_arg = spv.to_string_lossy().into_owned();
    let (g, w) = (groups.to_string(), words_per_buffer.to_string());
    let mut args = vec![spv_arg.as_str(), g.as_str(), w.as_str()];
    args.extend_from_slice(push);

    let (lvp_out, run) = run_on_both(harness(), &args, name);

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

#[test]
fn clear_color_image_rgba8_with_an_uploaded_patch() {
    check_transfer(&["clear", "rgba8"]);
}

#[test]
fn clear_color_image_bgra8() {
    check_transfer(&["clear", "bgra8"]);
}

#[test]
fn clear_color_image_srgb() {
    check_transfer(&["clear", "srgb8"]);
}

#[test]
fn clear_color_image_rgba32_float() {
    check_transfer(&["clear", "rgba32f"]);
}

#[test]
fn clear_color_image_r32_uint() {
    check_transfer(&["clear", "r32ui"]);
}

#[test]
fn clear_color_image_layers_of_an_array() {
    check_transfer(&["layers", "rgba8"]);
}

#[test]
fn clear_color_image_layers_of_an_rgba32_float_array() {
    check_transfer(&["layers", "rgba32f"]);
}

#[test]
fn fill_buffer_and_copy_buffer() {
    check_transfer(&["fill"]);
}

#[test]
fn copy_image_rgba8() {
    check_transfer(&["copy", "rgba8"]);
}

#[test]
fn copy_image_rgba32_float() {
    check_transfer(&["copy", "rgba32f"]);
}

#[test]
fn copy_image_r32_uint() {
    check_transfer(&["copy", "r32ui"]);
}

// Bilinear weights round differently (lavapipe in 8-bit fixed point).
#[test]
fn blit_image_linear_and_nearest_mirrored_rgba8() {
    check_transfer_within(&["blit", "rgba8"], 2);
}

#[test]
fn blit_image_linear_and_nearest_mirrored_srgb() {
    check_transfer_within(&["blit", "srgb8"], 2);
}

/// `vk/vk_draw.c`, compiled once.
fn draw_client() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| client("vk_draw"))
}

#[test]
fn render_pass_clear_and_an_indexed_instanced_blended_draw() {
    let exe = draw_client();
    let (vs, fs) = (spirv("draw.vert"), spirv("draw.frag"));
    let (vs, fs) = (vs.to_string_lossy(), fs.to_string_lossy());
    // Blending rounds: lavapipe blends in 8-bit fixed point, gemu in float.
    check_words(exe, &[&vs, &fs], "draw", 2);
}

#[test]
fn a_draw_with_fragment_shader_push_constants() {
    let exe = draw_client();
    let (vs, fs) = (spirv("draw.vert"), spirv("draw_push.frag"));
    let (vs, fs) = (vs.to_string_lossy(), fs.to_string_lossy());
    check_words(exe, &[&vs, &fs, "push"], "draw-push", 2);
}

#[test]
fn a_depth_tested_draw_over_a_cleared_depth_attachment() {
    let (vs, fs) = (spirv("draw_depth.vert"), spirv("draw.frag"));
    let (vs, fs) = (vs.to_string_lossy(), fs.to_string_lossy());
    check_words(draw_client(), &[&vs, &fs, "depth"], "draw-depth", 2);
}

#[test]
fn depth_written_by_draws_reads_back_through_a_copy() {
    let (vs, fs) = (spirv("draw_depth.vert"), spirv("draw.frag"));
    let (vs, fs) = (vs.to_string_lossy(), fs.to_string_lossy());
    // D32 floats interpolated in a different order may differ in their last bits.
    let close = |a: u32, b: u32| (f32::from_bits(a) - f32::from_bits(b)).abs() <= 1e-6;
    check_words_with(
        draw_client(),
        &[&vs, &fs, "depthread"],
        "draw-depthread",
        &close,
    );
}

#[test]
fn triangles_crossing_the_near_and_far_planes_are_clipped() {
    let (vs, fs) = (spirv("draw_clip.vert"), spirv("draw.frag"));
    let (vs, fs) = (vs.to_string_lossy(), fs.to_string_lossy());
    // Perspective-correct colours at the cut vertices, blended: lavapipe's rounding.
    check_words(draw_client(), &[&vs, &fs, "depth"], "draw-clip", 2);
}

#[test]
fn depths_of_clipped_triangles_read_back() {
    let (vs, fs) = (spirv("draw_clip.vert"), spirv("draw.frag"));
    let (vs, fs) = (vs.to_string_lossy(), fs.to_string_lossy());
    // The cut vertices' depths are computed in another order than lavapipe's.
    let close = |a: u32, b: u32| (f32::from_bits(a) - f32::from_bits(b)).abs() <= 1e-5;
    check_words_with(
        draw_client(),
        &[&vs, &fs, "depthread"],
        "draw-clip-depthread",
        &close,
    );
}

/// `vk/vk_scene.c`, compiled once.
fn scene_client() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| client("vk_scene"))
}

#[test]
fn a_textured_depth_tested_blended_instanced_scene_with_clear_attachments() {
    let (vs, fs) = (spirv("scene.vert"), spirv("scene.frag"));
    let (vs, fs) = (vs.to_string_lossy(), fs.to_string_lossy());
    // Bilinear filtering and blending round differently within what Vulkan allows.
    check_words(scene_client(), &[&vs, &fs], "scene", 3);
}

#[test]
fn the_scene_depths_read_back() {
    let (vs, fs) = (spirv("scene.vert"), spirv("scene.frag"));
    let (vs, fs) = (vs.to_string_lossy(), fs.to_string_lossy());
    let close = |a: u32, b: u32| (f32::from_bits(a) - f32::from_bits(b)).abs() <= 1e-6;
    check_words_with(scene_client(), &[&vs, &fs, "depth"], "scene-depth", &close);
}

#[test]
fn an_indexed_instanced_point_list_with_point_sizes() {
    let (vs, fs) = (spirv("draw_points.vert"), spirv("draw.frag"));
    let (vs, fs) = (vs.to_string_lossy(), fs.to_string_lossy());
    check_words(draw_client(), &[&vs, &fs, "points"], "draw-points", 2);
}

#[test]
fn the_scene_in_perspective_cut_by_the_near_and_far_planes() {
    let (vs, fs) = (spirv("scene_clip.vert"), spirv("scene.frag"));
    let (vs, fs) = (vs.to_string_lossy(), fs.to_string_lossy());
    check_words(scene_client(), &[&vs, &fs], "scene-clip", 3);
}

/// Runs `vk_draw` with lines (`mode`) on both drivers: every pixel within 2/255 of
/// lavapipe's but at most `ends` of them, as many as the segments have ends. Vulkan's
/// non-strict lines leave the end pixels open: anv leaves the last pixel of each segment
/// unlit (3DSTATE_SF's Last Pixel Enable is off), lavapipe lights it.
fn check_lines(mode: &str, ends: usize) {
    let (vs, fs) = (spirv("draw.vert"), spirv("draw.frag"));
    let (vs, fs) = (vs.to_string_lossy(), fs.to_string_lossy());
    let tag = format!("draw-{mode}");
    let (lvp_out, run) = run_on_both(draw_client(), &[&vs, &fs, mode], &tag);
    let words = |out: &str| -> Vec<u32> {
        out.lines()
            .filter_map(|l| l.strip_prefix("w "))
            .filter_map(|l| l.split_whitespace().nth(1))
            .map(|h| u32::from_str_radix(h, 16).expect("a hex word"))
            .collect()
    };
    let (want, got) = (words(&lvp_out), words(&run.stdout));
    assert!(
        want.len() == got.len() && !want.is_empty(),
        "{tag}: word counts"
    );
    let close =
        |a: u32, b: u32| (0..4).all(|c| (a >> (8 * c) & 0xff).abs_diff(b >> (8 * c) & 0xff) <= 2);
    let lit = want.iter().filter(|&&w| w != want[0]).count();
    let diff: Vec<usize> = (0..want.len())
        .filter(|&i| !close(want[i], got[i]))
        .collect();
    assert!(
        lit > 4 * ends,
        "{tag}: lavapipe drew only {lit} line pixels"
    );
    assert!(
        diff.len() <= ends,
        "{tag}: {} of {lit} line pixels differ from lavapipe's (at most {ends} line ends may): {:?}",
        diff.len(),
        &diff[..diff.len().min(16)]
    );
}

#[test]
fn an_indexed_instanced_line_list() {
    // Indices 0 1 2 2 3 0: segments 0-1 and 3-0 (2-2 has no length), three instances.
    check_lines("lines", 2 * 2 * 3);
}

#[test]
fn an_indexed_instanced_line_strip() {
    // Four segments with length per instance, three instances.
    check_lines("linestrip", 2 * 4 * 3);
}
