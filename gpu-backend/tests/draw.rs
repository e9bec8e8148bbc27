//! The 3D pipeline end to end in-process: a BLORP-style RECTLIST draw (vertex shader off,
//! a flat attribute, a SIMD16 pixel shader writing it with a replicated-data render target
//! write), the depth test against a Y-tiled D32 buffer, and the hangs that name what the
//! model lacks.

mod common;

use common::eu::{self, dst, region, ty, Ctl};
use common::gpgpu::{sba, BASE, TARGET};
use common::*;
use gpu_backend::{HangReason, Outcome};

const PS_KERNEL: u32 = 0x0;
const BT: u32 = 0x800;
const RT_STATE: u32 = 0x840;
const VB_POS: u64 = BASE + 0x1000;
const VB_FLAT: u64 = BASE + 0x1100;
const W: u32 = 16;
const H: u32 = 8;
const BACKGROUND: u32 = 0x1111_1111;

/// RENDER_SURFACE_STATE of a linear 2D render target of `format`, W×H, 4 bytes a pixel.
fn rt_state(format: u32) -> [u32; 16] {
    let mut s = [0u32; 16];
    s[0] = 1 << 29 | format << 18;
    s[2] = (H - 1) << 16 | (W - 1);
    s[3] = W * 4 - 1;
    s[8] = TARGET as u32;
    s[9] = (TARGET >> 32) as u32;
    s
}

/// The pixel shader: the flat attribute's X, Y, Z, W (setup data at r2-r3, constant in
/// dword 3 of each component) replicated to every pixel, then the render target write.
fn ps_kernel() -> Vec<[u32; 4]> {
    let nm = Ctl {
        no_mask: true,
        ..Ctl::default()
    };
    let desc = 1 << 25 | 12 << 14 | 1 << 12 | 1 << 8;
    vec![
        eu::mov(4, dst(114, 0, ty::UD), region(2, 3, ty::UD, 8, 2, 4), nm),
        eu::send(16, 5, None, 114, desc, true, Ctl::default()),
    ]
}

fn f(v: f32) -> u32 {
    v.to_bits()
}

/// Lays out a rectangle [2, 12) × [1, 6) of colour (0.25, 0.5, 0.75, 1.0) and returns the
/// batch up to (not including) the 3DPRIMITIVE; `extra` commands come last.
fn setup(gpu: &Gpu, rt_format: u32, topology: u32, extra: &[u32]) -> Vec<u32> {
    gpu.put(BASE + u64::from(PS_KERNEL), &eu::flatten(&ps_kernel()));
    gpu.put(BASE + u64::from(BT), &[RT_STATE]);
    gpu.put(BASE + u64::from(RT_STATE), &rt_state(rt_format));
    // BLORP's corners: (x1, y1), (x0, y1), (x0, y0).
    gpu.put(
        VB_POS,
        &[f(12.0), f(6.0), 0, f(2.0), f(6.0), 0, f(2.0), f(1.0), 0],
    );
    gpu.put(VB_FLAT, &[0, 0, 0, 0, f(0.25), f(0.5), f(0.75), f(1.0)]);
    gpu.put(TARGET, &vec![BACKGROUND; (W * H) as usize]);
    let mut b = vec![0x6904_0300];
    b.extend(sba());
    b.extend([0x7900_0002, 0, 0xffff_ffff, 0]);
    b.extend([
        0x7808_0007,
        1 << 14 | 12,
        lo(VB_POS),
        hi(VB_POS),
        36,
        1 << 26 | 1 << 14,
        lo(VB_FLAT),
        hi(VB_FLAT),
        32,
    ]);
    b.extend([
        0x7809_0005,
        1 << 26 | 1 << 25,
        0x1222_0000,
        1 << 25 | 0x40 << 16,
        0x1113_0000,
        1 << 26 | 1 << 25 | 16,
        0x1111_0000,
    ]);
    b.extend([0x784b_0000, topology]);
    b.extend([
        0x781f_0004,
        1 << 29 | 1 << 28 | 1 << 22 | 1 << 11 | 1 << 5,
        0,
        1,
        0xffff_ffff,
        0xffff_ffff,
    ]);
    b.extend([
        0x7820_000a,
        PS_KERNEL,
        0,
        1 << 18,
        0,
        0,
        63 << 23 | 1 << 1,
        2 << 16,
        0,
        0,
        0,
        0,
    ]);
    b.extend([0x784f_0000, 1 << 31 | 1 << 8]);
    b.extend([0x782a_0000, BT]);
    b.extend_from_slice(extra);
    b
}

const DRAW: [u32; 7] = [0x7b00_0005, 0, 3, 0, 1, 0, 0];

fn hang_reason(o: Outcome) -> String {
    match o {
        Outcome::Hung(h) => match h.reason {
            HangReason::Render(why) => why,
            r => panic!("unexpected hang reason {r}"),
        },
        o => panic!("expected a hang, got {o:?}"),
    }
}

#[test]
fn a_rectangle_takes_its_flat_colour_and_nothing_else_changes() {
    let gpu = Gpu::rcs();
    let mut b = setup(&gpu, 0xc7, 0xf, &[]);
    b.extend(DRAW);
    b.push(BB_END);
    let o = gpu.run(&b);
    assert!(matches!(o, Outcome::Completed), "{o:?}");
    for y in 0..H {
        for x in 0..W {
            let got = gpu.get(TARGET + u64::from(4 * (y * W + x)));
            let inside = (2..12).contains(&x) && (1..6).contains(&y);
            // 0.25, 0.5, 0.75, 1.0 as UNORM8, rounded to nearest even.
            let want = if inside { 0xffbf_8040 } else { BACKGROUND };
            assert_eq!(got, want, "pixel ({x}, {y})");
        }
    }
}

#[test]
fn bgra_targets_swap_red_and_blue() {
    let gpu = Gpu::rcs();
    let mut b = setup(&gpu, 0xc0, 0xf, &[]);
    b.extend(DRAW);
    b.push(BB_END);
    assert!(matches!(gpu.run(&b), Outcome::Completed));
    assert_eq!(gpu.get(TARGET + u64::from(4 * (W + 2))), 0xff40_80bf);
}

#[test]
fn what_the_pipeline_lacks_hangs_naming_it() {
    let cases: [(&str, u32, u32, Vec<u32>); 6] = [
        ("geometry shader", 0xc7, 0xf, {
            let mut gs = vec![0x7811_0008, 0, 0, 0, 0, 0, 0, 1, 0, 0];
            gs.truncate(10);
            gs
        }),
        ("QUADLIST", 0xc7, 7, vec![]),
        // A depth test with no depth buffer programmed (the default state's 1D surface).
        (
            "depth buffer of surface type 0",
            0xc7,
            0xf,
            vec![0x784e_0002, 0x3, 0, 0],
        ),
        // A stencil test with no stencil buffer programmed.
        (
            "stencil buffer of surface type 0",
            0xc7,
            0xf,
            vec![0x784e_0002, 0x8, 0, 0],
        ),
        ("render target format 0xd3", 0xd3, 0xf, vec![]),
        (
            "fast clear of a rectangle",
            0xc7,
            0xf,
            vec![
                0x7820_000a,
                PS_KERNEL,
                0,
                1 << 18,
                0,
                0,
                63 << 23 | 1 << 8 | 1 << 1,
                2 << 16,
                0,
                0,
                0,
                0,
            ],
        ),
    ];
    for (what, format, topology, extra) in cases {
        let gpu = Gpu::rcs();
        let mut b = setup(&gpu, format, topology, &extra);
        b.extend(DRAW);
        b.push(BB_END);
        let why = hang_reason(gpu.run(&b));
        assert!(why.contains(what), "{what}: hung with {why:?}");
        // Nothing was written before the hang.
        assert_eq!(
            gpu.get(TARGET + u64::from(4 * (W + 2))),
            BACKGROUND,
            "{what}"
        );
    }
}

#[test]
fn a_draw_with_a_bad_vertex_count_or_pointer_does_not_crash() {
    // Vertices far out of the vertex buffer read as zeros: a degenerate rectangle.
    let gpu = Gpu::rcs();
    let mut b = setup(&gpu, 0xc7, 0xf, &[]);
    b.extend([0x7b00_0005, 0, 3, 1000, 1, 0, 0]);
    b.push(BB_END);
    assert!(matches!(gpu.run(&b), Outcome::Completed));
    assert_eq!(gpu.get(TARGET), BACKGROUND);
    // A runaway vertex count hangs naming it.
    let gpu = Gpu::rcs();
    let mut b = setup(&gpu, 0xc7, 0xf, &[]);
    b.extend([0x7b00_0005, 0, u32::MAX, 0, u32::MAX, 0, 0]);
    b.push(BB_END);
    assert!(hang_reason(gpu.run(&b)).contains("3DPRIMITIVE of"));
    // Within the vertex limit, but an instance whose three-element entries would take
    // more than the model holds at once.
    let gpu = Gpu::rcs();
    let mut b = setup(&gpu, 0xc7, 0xf, &[]);
    b.extend([0x7b00_0005, 0, 1 << 24, 0, 1, 0, 0]);
    b.push(BB_END);
    let why = hang_reason(gpu.run(&b));
    assert!(
        why.contains("bytes of vertex entries per instance"),
        "{why}"
    );
}

#[test]
fn the_depth_test_keeps_nearer_pixels_and_writes_their_depth() {
    const DEPTH: u64 = TARGET + 0x1_0000;
    // A Y-tiled D32_FLOAT buffer of one tile (32 × 32 pixels, 128-byte rows), holding 0.5
    // in its left half and 0.1 in its right half: the rectangle at z = 0.3 passes LESS
    // only on the left.
    let gpu = Gpu::rcs();
    let tile: Vec<u32> = (0..1024u32)
        .map(|i| {
            // Y tiles are 16-byte columns of 32 rows: column c holds pixels 4c..4c+3.
            let x = (i / 128) * 4 + i % 4;
            f(if x < 8 { 0.5 } else { 0.1 })
        })
        .collect();
    gpu.put(DEPTH, &tile);
    let depth_buffer = [
        0x7805_0006,
        1 << 29 | 1 << 28 | 1 << 24 | (128 - 1),
        lo(DEPTH),
        hi(DEPTH),
        (32 - 1) << 17 | (32 - 1) << 1,
        0,
        0,
        0,
    ];
    // Depth write and test, LESS; then a stencil-only update (Gen12's modify-disable bits
    // 12:9 set) that must leave the depth state alone, as iris sends it.
    let ds = [0x784e_0002, 2 << 5 | 0x3, 0, 0];
    let stencil_ref_only = [0x784e_1e02, 0, 0, 0x0000_0505];
    let mut extra = depth_buffer.to_vec();
    extra.extend(ds);
    extra.extend(stencil_ref_only);
    let mut b = setup(&gpu, 0xc7, 0xf, &extra);
    // The rectangle's corners at z = 0.3.
    gpu.put(
        VB_POS,
        &[
            f(12.0),
            f(6.0),
            f(0.3),
            f(2.0),
            f(6.0),
            f(0.3),
            f(2.0),
            f(1.0),
            f(0.3),
        ],
    );
    b.extend(DRAW);
    b.push(BB_END);
    assert!(matches!(gpu.run(&b), Outcome::Completed));
    let depth_at = |x: u64, y: u64| gpu.get(DEPTH + (x / 4) * 512 + y * 16 + (x % 4) * 4);
    for x in 2..12u32 {
        let colour = gpu.get(TARGET + u64::from(4 * (3 * W + x)));
        let z = f32::from_bits(depth_at(u64::from(x), 3));
        if x < 8 {
            assert_eq!((colour, z), (0xffbf_8040, 0.3), "x = {x}");
        } else {
            assert_eq!((colour, z), (BACKGROUND, 0.1), "x = {x}");
        }
    }
}

/// A TileYf render target (Y-major with Tiled Resource Mode 4 KB, as IGT's render copy
/// programs it) takes the rectangle in the Yf layout, not the legacy Y one; a TileYs
/// target hangs naming it.
#[test]
fn a_tile_yf_target_is_written_in_the_yf_layout() {
    let yf_state = |trmode: u32| {
        let mut s = rt_state(0xc7);
        s[0] |= 3 << 12; // Y-major
        s[3] = 128 - 1; // one tile wide
        s[5] = trmode << 18 | 1 << 8; // Tiled Resource Mode; Mip Tail Start LOD 1
        s
    };
    let gpu = Gpu::rcs();
    let mut b = setup(&gpu, 0xc7, 0xf, &[]);
    gpu.put(BASE + u64::from(RT_STATE), &yf_state(1));
    gpu.put(TARGET, &[BACKGROUND; 1024]);
    b.extend(DRAW);
    b.push(BB_END);
    let o = gpu.run(&b);
    assert!(matches!(o, Outcome::Completed), "{o:?}");
    for y in 0..H {
        for x in 0..W {
            // Inside a 4 KiB Yf tile of 4-byte pixels: byte bits 3:0, then row bits 2:0,
            // then byte bit 4, row bit 3, byte bit 5 (rows here stay below 8).
            let bx = u64::from(4 * x);
            let off = (bx & 15) | u64::from(y & 7) << 4 | (bx >> 4 & 1) << 7 | (bx >> 5 & 1) << 9;
            let inside = (2..12).contains(&x) && (1..6).contains(&y);
            let want = if inside { 0xffbf_8040 } else { BACKGROUND };
            assert_eq!(gpu.get(TARGET + off), want, "pixel ({x}, {y})");
        }
    }
    let gpu = Gpu::rcs();
    let mut b = setup(&gpu, 0xc7, 0xf, &[]);
    gpu.put(BASE + u64::from(RT_STATE), &yf_state(2));
    b.extend(DRAW);
    b.push(BB_END);
    let why = hang_reason(gpu.run(&b));
    assert!(why.contains("TileYs"), "{why}");
}
