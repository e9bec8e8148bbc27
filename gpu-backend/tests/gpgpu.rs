//! The render engine's GPGPU and media front ends running EU kernels: IGT's fill
//! algorithm (media block writes through a binding table), a SIMD16 kernel with divergent
//! flow control checked against a CPU model, and the hangs that name what is missing.

mod common;

use common::eu::{self, dst, imm, null_dst, op, scalar, ty, vec8, Ctl};
use common::*;
use gpu_backend::{HangReason, Outcome};

/// State base used for surface state, dynamic state and instructions.
const BASE: u64 = DATA;
const KERNEL: u32 = 0x0;
const BINDING_TABLE: u32 = 0x800;
const SURFACE_STATE: u32 = 0x840;
const CURBE: u32 = 0x900;
const IDD: u32 = 0x940;
const TARGET: u64 = DATA + 0x8000;

const PIPELINE_SELECT_GPGPU: u32 = 0x6904_0302;
const PIPELINE_SELECT_MEDIA: u32 = 0x6904_0301;

fn sba() -> Vec<u32> {
    let b = BASE as u32 | 1;
    vec![
        0x6101_0000 | (19 - 2),
        1,
        0,
        1,
        b,
        0,
        b,
        0,
        0,
        0,
        b,
        0,
        0xffff_f001,
        0xffff_f001,
        0xffff_f001,
        0xffff_f001,
        1,
        0,
        0xffff_f000,
    ]
}

fn vfe() -> Vec<u32> {
    vec![0x7000_0007, 0, 0, 1 << 16 | 2 << 8, 0, 2 << 16 | 2, 0, 0, 0]
}

fn walker(x: (u32, u32), y: (u32, u32), simd16: bool, right: u32) -> Vec<u32> {
    vec![
        0x7105_000d,
        0,
        0,
        0,
        if simd16 { 1 << 30 } else { 0 },
        x.0,
        0,
        x.1,
        y.0,
        0,
        y.1,
        0,
        1,
        right,
        0xffff_ffff,
    ]
}

/// A 2D R8_UNORM surface `w` bytes wide (its width field in dwords, as media block
/// messages read it), or a RAW buffer of `w` bytes when `buffer`.
fn surface_state(base: u64, w: u32, h: u32, pitch: u32, tile: u32, buffer: bool) -> [u32; 16] {
    let mut s = [0u32; 16];
    if buffer {
        let n = w - 1;
        s[0] = 4 << 29 | 0x1ff << 18;
        s[2] = (n >> 7 & 0x3fff) << 16 | (n & 0x7f);
        s[3] = (n >> 21) << 21;
    } else {
        s[0] = 1 << 29 | 0x140 << 18 | tile << 12;
        s[2] = (h - 1) << 16 | (w / 4 - 1);
        s[3] = pitch - 1;
    }
    s[8] = base as u32;
    s[9] = (base >> 32) as u32;
    s
}

/// Interface descriptor: kernel at KERNEL, binding table at BINDING_TABLE, `per_thread`
/// constant registers, `threads` threads per group.
fn idd(per_thread: u32, threads: u32) -> [u32; 8] {
    let mut d = [0u32; 8];
    d[0] = KERNEL;
    d[4] = BINDING_TABLE;
    d[5] = per_thread << 16;
    d[6] = threads;
    d
}

/// Lays out the state and the kernel, and returns the batch up to the dispatch.
fn setup(
    gpu: &Gpu,
    pipeline: u32,
    kernel: &[[u32; 4]],
    surf: [u32; 16],
    curbe: &[u32],
    idd: [u32; 8],
) -> Vec<u32> {
    gpu.put(BASE + KERNEL as u64, &eu::flatten(kernel));
    gpu.put(BASE + BINDING_TABLE as u64, &[SURFACE_STATE]);
    gpu.put(BASE + SURFACE_STATE as u64, &surf);
    gpu.put(BASE + CURBE as u64, curbe);
    gpu.put(BASE + IDD as u64, &idd);
    let mut b = vec![pipeline];
    b.extend(sba());
    b.extend(vfe());
    b.extend([0x7001_0002, 0, (curbe.len() * 4) as u32, CURBE]);
    b.extend([0x7002_0002, 0, 32, IDD]);
    b
}

/// IGT's fill algorithm as a kernel: each thread writes 16 bytes of the colour in r1.0 at
/// x = group id X × 16, y = group id Y (MEDIA BLOCK WRITE on binding table entry 0).
fn fill_kernel() -> Vec<[u32; 4]> {
    let c = Ctl::default();
    let mut k = vec![
        eu::mov(4, dst(1, 0, ty::UB), scalar(1, 0, ty::UB), c),
        eu::alu(
            op::SHL,
            1,
            dst(2, 0, ty::UD),
            scalar(0, 1, ty::UD),
            Some(imm(ty::UD, 4)),
            c,
        ),
        eu::mov(1, dst(2, 1, ty::UD), scalar(0, 6, ty::UD), c),
        eu::mov(8, dst(4, 0, ty::UD), vec8(0, 0, ty::UD), c),
        eu::mov(
            2,
            dst(4, 0, ty::UD),
            eu::S::R {
                nr: 2,
                sub: 0,
                ty: ty::UD,
                vs: 2,
                w: 2,
                hs: 1,
            },
            c,
        ),
        eu::mov(1, dst(4, 2, ty::UD), imm(ty::UD, 0xf), c),
        eu::mov(16, dst(5, 0, ty::UD), scalar(1, 0, ty::UD), c),
        eu::send(16, 12, None, 4, 2 << 25 | 1 << 19 | 0xa << 14, false, c),
    ];
    k.extend(eu::eot());
    k
}

fn read_bytes(gpu: &Gpu, addr: u64, n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (gpu.get(addr + (i as u64 & !3)) >> (8 * (i % 4))) as u8)
        .collect()
}

#[test]
fn gpgpu_walker_fills_a_linear_surface_like_igt() {
    let gpu = Gpu::rcs();
    let (w, h) = (64u32, 4u32);
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &fill_kernel(),
        surface_state(TARGET, w, h, w, 0, false),
        &[0x5a, 0, 0, 0, 0, 0, 0, 0],
        idd(1, 1),
    );
    // Fill columns 16..63 of rows 1..3 only.
    b.extend(walker((1, w / 16), (1, h), true, 0xffff));
    b.push(BB_END);
    assert_eq!(gpu.run(&b), Outcome::Completed);
    let got = read_bytes(&gpu, TARGET, (w * h) as usize);
    for y in 0..h {
        for x in 0..w {
            let want = if y >= 1 && x >= 16 { 0x5a } else { 0 };
            assert_eq!(got[(y * w + x) as usize], want, "byte ({x}, {y})");
        }
    }
}

#[test]
fn gpgpu_walker_fills_an_x_tiled_surface_through_its_layout() {
    let gpu = Gpu::rcs();
    let (w, h, pitch) = (512u32, 8u32, 512u32);
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &fill_kernel(),
        surface_state(TARGET, w, h, pitch, 2, false),
        &[0xc3, 0, 0, 0, 0, 0, 0, 0],
        idd(1, 1),
    );
    b.extend(walker((2, 3), (5, 6), true, 0xffff));
    b.push(BB_END);
    assert_eq!(gpu.run(&b), Outcome::Completed);
    // X tiles are 512 bytes × 8 rows: row 5 of the only tile starts at byte 5 × 512.
    let got = read_bytes(&gpu, TARGET, 4096);
    for (i, &v) in got.iter().enumerate() {
        let want = if (5 * 512 + 32..5 * 512 + 48).contains(&i) {
            0xc3
        } else {
            0
        };
        assert_eq!(v, want, "byte {i}");
    }
}

#[test]
fn media_object_runs_its_kernel_with_inline_data() {
    let gpu = Gpu::rcs();
    let (w, h) = (32u32, 2u32);
    // Like IGT's media fill: the header's X/Y come from the inline data in r2.
    let c = Ctl::default();
    let mut k = vec![
        eu::mov(4, dst(1, 0, ty::UB), scalar(1, 0, ty::UB), c),
        eu::mov(8, dst(4, 0, ty::UD), vec8(0, 0, ty::UD), c),
        eu::mov(
            2,
            dst(4, 0, ty::UD),
            eu::S::R {
                nr: 2,
                sub: 0,
                ty: ty::UD,
                vs: 2,
                w: 2,
                hs: 1,
            },
            c,
        ),
        eu::mov(1, dst(4, 2, ty::UD), imm(ty::UD, 0xf), c),
        eu::mov(16, dst(5, 0, ty::UD), scalar(1, 0, ty::UD), c),
        eu::send(16, 12, None, 4, 2 << 25 | 1 << 19 | 0xa << 14, false, c),
    ];
    k.extend(eu::eot());
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_MEDIA,
        &k,
        surface_state(TARGET, w, h, w, 0, false),
        &[0x11, 0, 0, 0, 0, 0, 0, 0],
        idd(1, 1),
    );
    b.extend([0x7100_0007, 0, 0, 0, 0, 0, 16, 1]);
    b.extend([0x7004_0000, 0]);
    b.push(BB_END);
    assert_eq!(gpu.run(&b), Outcome::Completed);
    let got = read_bytes(&gpu, TARGET, (w * h) as usize);
    for (i, &v) in got.iter().enumerate() {
        let want = if i >= 48 { 0x11 } else { 0 };
        assert_eq!(v, want, "byte {i}");
    }
}

/// The CPU model of `alu_kernel`'s result for lane `l`.
fn alu_model(l: u32) -> u32 {
    l * l + if l < 8 { 1000 } else { 2000 } + l.max(1)
}

/// A SIMD16 kernel: lane ids from a vector immediate, integer ALU, a divergent if/else,
/// a do-while loop whose trip count differs per lane, a float sqrt; results written with
/// untyped surface writes.
fn alu_kernel() -> Vec<[u32; 4]> {
    let c = Ctl::default();
    let f0 = |cond| Ctl {
        cond,
        ..Ctl::default()
    };
    let pred = Ctl {
        pred: 1,
        ..Ctl::default()
    };
    let mut k = vec![
        eu::mov(8, dst(10, 0, ty::UW), imm(ty::V, 0x7654_3210), c),
        eu::alu(
            op::ADD,
            8,
            dst(10, 8, ty::UW),
            vec8(10, 0, ty::UW),
            Some(imm(ty::UW, 8)),
            c,
        ),
        eu::mov(16, dst(12, 0, ty::UD), vec8(10, 0, ty::UW), c),
        eu::alu(
            op::SHL,
            16,
            dst(14, 0, ty::UD),
            vec8(12, 0, ty::UD),
            Some(imm(ty::UD, 2)),
            c,
        ),
        eu::alu(
            op::MUL,
            16,
            dst(16, 0, ty::UD),
            vec8(12, 0, ty::UD),
            Some(vec8(12, 0, ty::UD)),
            c,
        ),
        // cmp.l f0: lane < 8
        eu::alu(
            op::CMP,
            16,
            null_dst(ty::UD),
            vec8(12, 0, ty::UD),
            Some(imm(ty::UD, 8)),
            f0(5),
        ),
    ];
    let i_if = k.len() as i32;
    // if (index 6), add (7), else (8), add (9), endif (10)
    k.push(eu::branch(
        op::IF,
        16,
        (i_if + 3) - i_if,
        (i_if + 4) - i_if,
        pred,
    ));
    k.push(eu::alu(
        op::ADD,
        16,
        dst(16, 0, ty::UD),
        vec8(16, 0, ty::UD),
        Some(imm(ty::UD, 1000)),
        c,
    ));
    k.push(eu::branch(op::ELSE, 16, 2, 2, c));
    k.push(eu::alu(
        op::ADD,
        16,
        dst(16, 0, ty::UD),
        vec8(16, 0, ty::UD),
        Some(imm(ty::UD, 2000)),
        c,
    ));
    k.push(eu::branch(op::ENDIF, 16, 1, 1, c));
    k.push(eu::mov(16, dst(18, 0, ty::UD), imm(ty::UD, 0), c));
    let i_loop = k.len() as i32;
    k.push(eu::alu(
        op::ADD,
        16,
        dst(18, 0, ty::UD),
        vec8(18, 0, ty::UD),
        Some(imm(ty::UD, 1)),
        c,
    ));
    k.push(eu::alu(
        op::CMP,
        16,
        null_dst(ty::UD),
        vec8(18, 0, ty::UD),
        Some(vec8(12, 0, ty::UD)),
        f0(5),
    ));
    let i_while = k.len() as i32;
    k.push(eu::branch(op::WHILE, 16, i_loop - i_while, 0, pred));
    k.push(eu::alu(
        op::ADD,
        16,
        dst(16, 0, ty::UD),
        vec8(16, 0, ty::UD),
        Some(vec8(18, 0, ty::UD)),
        c,
    ));
    // Untyped write, SIMD16, red channel only: addresses r14-15, data r16-17.
    let write = |payload: u32| {
        eu::send(
            16,
            12,
            None,
            payload,
            4 << 25 | 0x9 << 14 | 1 << 12 | 0xe << 8,
            false,
            c,
        )
    };
    k.push(write(14));
    // Floats: r20 = sqrt(lane × 0.5), written at byte 64 + lane × 4.
    k.push(eu::mov(16, dst(20, 0, ty::F), vec8(12, 0, ty::UD), c));
    k.push(eu::alu(
        op::MUL,
        16,
        dst(20, 0, ty::F),
        vec8(20, 0, ty::F),
        Some(imm(ty::F, 0.5f32.to_bits())),
        c,
    ));
    k.push(eu::alu(
        op::MATH,
        16,
        dst(20, 0, ty::F),
        vec8(20, 0, ty::F),
        Some(eu::S::Null),
        Ctl { cond: 4, ..c },
    ));
    k.push(eu::alu(
        op::ADD,
        16,
        dst(24, 0, ty::UD),
        vec8(14, 0, ty::UD),
        Some(imm(ty::UD, 64)),
        c,
    ));
    k.push(eu::mov(16, dst(26, 0, ty::UD), vec8(20, 0, ty::UD), c));
    k.push(write(24));
    k.extend(eu::eot());
    k
}

#[test]
fn simd16_kernel_matches_the_cpu_model() {
    let gpu = Gpu::rcs();
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &alu_kernel(),
        surface_state(TARGET, 128, 1, 128, 0, true),
        &[0; 8],
        idd(0, 1),
    );
    b.extend(walker((0, 1), (0, 1), true, 0xffff));
    b.push(BB_END);
    assert_eq!(gpu.run(&b), Outcome::Completed);
    for l in 0..16u32 {
        assert_eq!(gpu.get(TARGET + 4 * l as u64), alu_model(l), "lane {l}");
        let want = ((l as f32) * 0.5).sqrt();
        assert_eq!(
            f32::from_bits(gpu.get(TARGET + 64 + 4 * l as u64)),
            want,
            "lane {l}"
        );
    }
}

#[test]
fn right_execution_mask_disables_the_last_lanes() {
    let gpu = Gpu::rcs();
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &alu_kernel(),
        surface_state(TARGET, 128, 1, 128, 0, true),
        &[0; 8],
        idd(0, 1),
    );
    gpu.put(TARGET, &[0xdead_beef; 32]);
    b.extend(walker((0, 1), (0, 1), true, 0x3ff));
    b.push(BB_END);
    assert_eq!(gpu.run(&b), Outcome::Completed);
    for l in 0..16u32 {
        let want = if l < 10 { alu_model(l) } else { 0xdead_beef };
        assert_eq!(gpu.get(TARGET + 4 * l as u64), want, "lane {l}");
    }
}

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
fn an_unknown_instruction_hangs_naming_it() {
    let gpu = Gpu::rcs();
    let mut k = fill_kernel();
    // Opcode 0x7f does not exist.
    k[1][0] = k[1][0] & !0x7f | 0x7f;
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &k,
        surface_state(TARGET, 64, 1, 64, 0, false),
        &[0; 8],
        idd(1, 1),
    );
    b.extend(walker((0, 1), (0, 1), true, 0xffff));
    b.push(BB_END);
    let why = hang_reason(gpu.run(&b));
    assert!(
        why.contains("opcode 0x7f") && why.contains("kernel offset 0x10"),
        "{why}"
    );
}

#[test]
fn compacted_instructions_run_like_their_native_forms() {
    // The fill kernel with `mov (16) r5:ud r1.0<0;1,0>:ud` compacted (control index 0:
    // (16|M0); datatype 12: grf:ud; src0 index 1: <0;1,0>), so the kernel's later
    // instructions sit 8 bytes earlier.
    let gpu = Gpu::rcs();
    let (w, h) = (32u32, 1u32);
    let native = fill_kernel();
    let compact: u64 = 0x61 | 1 << 29 | 12 << 30 | 5 << 16 | 1 << 40 | 1 << 48;
    let mut bytes: Vec<u32> = eu::flatten(&native[..6]);
    bytes.extend([compact as u32, (compact >> 32) as u32]);
    bytes.extend(eu::flatten(&native[7..]));
    gpu.put(BASE + KERNEL as u64, &bytes);
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &[],
        surface_state(TARGET, w, h, w, 0, false),
        &[0x77, 0, 0, 0, 0, 0, 0, 0],
        idd(1, 1),
    );
    b.extend(walker((0, 2), (0, 1), true, 0xffff));
    b.push(BB_END);
    assert_eq!(gpu.run(&b), Outcome::Completed);
    assert!(read_bytes(&gpu, TARGET, 32).iter().all(|&v| v == 0x77));
}

#[test]
fn unknown_opcodes_and_messages_hang() {
    let gpu = Gpu::rcs();
    let mut k = fill_kernel();
    // A compacted instruction with an opcode that does not exist.
    k[0] = [0x7f | 1 << 29, 0, 0, 0];
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &k,
        surface_state(TARGET, 64, 1, 64, 0, false),
        &[0; 8],
        idd(1, 1),
    );
    b.extend(walker((0, 1), (0, 1), true, 0xffff));
    b.push(BB_END);
    assert!(hang_reason(gpu.run(&b)).contains("opcode 0x7f"));

    let gpu = Gpu::rcs();
    let mut k = fill_kernel();
    // The sampler (SFID 2) is not modelled yet.
    k[7] = eu::send(16, 2, None, 4, 2 << 25, false, Ctl::default());
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &k,
        surface_state(TARGET, 64, 1, 64, 0, false),
        &[0; 8],
        idd(1, 1),
    );
    b.extend(walker((0, 1), (0, 1), true, 0xffff));
    b.push(BB_END);
    assert!(hang_reason(gpu.run(&b)).contains("shared function 2"));
}

#[test]
fn dispatch_errors_hang() {
    // A walker before any interface descriptor was loaded.
    let gpu = Gpu::rcs();
    let mut b = vec![PIPELINE_SELECT_GPGPU];
    b.extend(walker((0, 1), (0, 1), true, 0xffff));
    b.push(BB_END);
    assert!(hang_reason(gpu.run(&b)).contains("never loaded"));

    // A walker whose thread group is larger than a dual subslice holds.
    let gpu = Gpu::rcs();
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &fill_kernel(),
        surface_state(TARGET, 64, 1, 64, 0, false),
        &[0; 8],
        idd(1, 1),
    );
    let mut w = walker((0, 1), (0, 1), true, 0xffff);
    w[4] |= 0x3f | 0x3f << 8;
    b.extend(w);
    b.push(BB_END);
    assert!(hang_reason(gpu.run(&b)).contains("threads in one thread group"));

    // A draw.
    let gpu = Gpu::rcs();
    let b = vec![0x6904_0300, 0x7b00_0005, 0x0000_000f, 3, 0, 1, 0, 0, BB_END];
    assert!(hang_reason(gpu.run(&b)).contains("3DPRIMITIVE"));

    // A kernel that never ends is stopped by the watchdog (a loop jumping to itself).
    let gpu = Gpu::new(
        gpu_backend::EngineConfig::rcs0().with_hang_timeout(std::time::Duration::from_millis(200)),
    );
    let k = vec![eu::branch(op::WHILE, 16, 0, 0, Ctl::default())];
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &k,
        surface_state(TARGET, 64, 1, 64, 0, false),
        &[0; 8],
        idd(1, 1),
    );
    b.extend(walker((0, 1), (0, 1), true, 0xffff));
    b.push(BB_END);
    match gpu.run(&b) {
        Outcome::Hung(h) => assert!(matches!(h.reason, HangReason::NoProgress { .. }), "{h}"),
        o => panic!("{o:?}"),
    }
}

#[test]
fn render_state_commands_of_a_vulkan_device_init_batch_run() {
    // The shape of anv's first batch: PIPELINE_SELECT(3D), 3D state, STATE_BASE_ADDRESS
    // (22 dwords), MI_BATCH_BUFFER_END.
    let gpu = Gpu::rcs();
    let mut b = vec![
        0x6904_1310,
        0x780a_0001,
        0,
        0, // 3DSTATE_AA_LINE_PARAMETERS
        0x7900_0002,
        0,
        0,
        0, // 3DSTATE_DRAWING_RECTANGLE
        0x784c_0000,
        0, // 3DSTATE_WM_CHROMAKEY
        0x7850_0003,
        0,
        0,
        0,
        0, // 3DSTATE_RASTER
        0x780d_0000,
        0, // 3DSTATE_MULTISAMPLE
        0x7852_0003,
        0,
        0,
        0,
        0, // 3DSTATE_WM_HZ_OP
        0x791c_0007,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0, // 3DSTATE_SAMPLE_PATTERN
    ];
    let mut s = vec![0x6101_0014];
    s.extend([0u32; 21]);
    s[4] = DATA as u32 | 1;
    b.extend(s);
    b.push(BB_END);
    assert_eq!(gpu.run(&b), Outcome::Completed);
    let st = gpu.ctx.lock().unwrap().render.clone();
    assert_eq!(st.pipeline, gpu_backend::render::Pipeline::ThreeD);
    assert_eq!(st.surface_state_base, DATA);
    assert_eq!(st.state_3d.get(&0x780d_0000), Some(&vec![0]));
    assert_eq!(st.state_3d.len(), 7);

    // An unknown 3D state command still hangs, naming its header.
    let gpu = Gpu::rcs();
    match gpu.run(&[0x78ff_0000, 0, BB_END]) {
        Outcome::Hung(h) => assert_eq!(
            h.reason,
            HangReason::UnknownCommand {
                header: 0x78ff_0000
            }
        ),
        o => panic!("{o:?}"),
    }
}
