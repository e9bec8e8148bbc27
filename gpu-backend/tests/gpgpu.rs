//! The render engine's GPGPU and media front ends running EU kernels: IGT's fill
//! algorithm (media block writes through a binding table), a SIMD16 kernel with divergent
//! flow control checked against a CPU model, and the hangs that name what is missing.

mod common;

use common::eu::{self, dst, imm, null_dst, op, scalar, ty, vec8, Ctl};
use common::gpgpu::*;
use common::*;
use gpu_backend::{HangReason, Outcome};

/// The tail both fill kernels share: the media block write header from r0 with (X, Y) from
/// r2.0/r2.1 and a 16x1 (or 16x16) block, the colour replicated from r1.0, then EOT.
fn block_write_tail(height: u32) -> Vec<[u32; 4]> {
    let c = Ctl::default();
    let rows = height.div_ceil(2); // two 16-byte rows per register
    let mut k = vec![
        eu::mov(4, dst(1, 0, ty::UB), scalar(1, 0, ty::UB), c),
        eu::mov(8, dst(4, 0, ty::UD), vec8(0, 0, ty::UD), c),
        eu::mov(2, dst(4, 0, ty::UD), eu::region(2, 0, ty::UD, 2, 2, 1), c),
        eu::mov(
            1,
            dst(4, 2, ty::UD),
            imm(ty::UD, (height - 1) << 16 | 0xf),
            c,
        ),
    ];
    for r in 0..rows.max(1) {
        k.push(eu::mov(8, dst(5 + r, 0, ty::UD), scalar(1, 0, ty::UD), c));
    }
    let mlen = 1 + rows.max(1);
    k.push(eu::send(
        16,
        12,
        None,
        4,
        mlen << 25 | 1 << 19 | 0xa << 14,
        false,
        c,
    ));
    k.extend(eu::eot());
    k
}

/// IGT's fill algorithm as a kernel: each thread writes 16 bytes of the colour in r1.0 at
/// x = group id X × 16, y = group id Y (MEDIA BLOCK WRITE on binding table entry 0).
fn fill_kernel() -> Vec<[u32; 4]> {
    let c = Ctl::default();
    let mut k = vec![
        eu::op2(
            op::SHL,
            1,
            dst(2, 0, ty::UD),
            scalar(0, 1, ty::UD),
            imm(ty::UD, 4),
        ),
        eu::mov(1, dst(2, 1, ty::UD), scalar(0, 6, ty::UD), c),
    ];
    k.extend(block_write_tail(1));
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
    let k = block_write_tail(1);
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
        eu::op2(
            op::ADD,
            8,
            dst(10, 8, ty::UW),
            vec8(10, 0, ty::UW),
            imm(ty::UW, 8),
        ),
        eu::mov(16, dst(12, 0, ty::UD), vec8(10, 0, ty::UW), c),
        eu::op2(
            op::SHL,
            16,
            dst(14, 0, ty::UD),
            vec8(12, 0, ty::UD),
            imm(ty::UD, 2),
        ),
        eu::op2(
            op::MUL,
            16,
            dst(16, 0, ty::UD),
            vec8(12, 0, ty::UD),
            vec8(12, 0, ty::UD),
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
    k.push(eu::op2(
        op::ADD,
        16,
        dst(16, 0, ty::UD),
        vec8(16, 0, ty::UD),
        imm(ty::UD, 1000),
    ));
    k.push(eu::branch(op::ELSE, 16, 2, 2, c));
    k.push(eu::op2(
        op::ADD,
        16,
        dst(16, 0, ty::UD),
        vec8(16, 0, ty::UD),
        imm(ty::UD, 2000),
    ));
    k.push(eu::branch(op::ENDIF, 16, 1, 1, c));
    k.push(eu::mov(16, dst(18, 0, ty::UD), imm(ty::UD, 0), c));
    let i_loop = k.len() as i32;
    k.push(eu::op2(
        op::ADD,
        16,
        dst(18, 0, ty::UD),
        vec8(18, 0, ty::UD),
        imm(ty::UD, 1),
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
    k.push(eu::op2(
        op::ADD,
        16,
        dst(16, 0, ty::UD),
        vec8(16, 0, ty::UD),
        vec8(18, 0, ty::UD),
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
    k.push(eu::op2(
        op::MUL,
        16,
        dst(20, 0, ty::F),
        vec8(20, 0, ty::F),
        imm(ty::F, 0.5f32.to_bits()),
    ));
    k.push(eu::alu(
        op::MATH,
        16,
        dst(20, 0, ty::F),
        vec8(20, 0, ty::F),
        Some(eu::S::Null),
        Ctl { cond: 4, ..c },
    ));
    k.push(eu::op2(
        op::ADD,
        16,
        dst(24, 0, ty::UD),
        vec8(14, 0, ty::UD),
        imm(ty::UD, 64),
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
    assert!(hang_reason(gpu.run(&b)).contains("sampler"));

    // A media block write whose message length covers the header but not the data.
    let gpu = Gpu::rcs();
    let mut k = fill_kernel();
    let at = k.iter().position(|w| w[0] & 0x7f == 0x31).unwrap();
    k[at] = eu::send(
        16,
        12,
        None,
        4,
        1 << 25 | 1 << 19 | 0xa << 14,
        false,
        Ctl::default(),
    );
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
    assert!(hang_reason(gpu.run(&b)).contains("reads past its payload"));
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

    // A draw with the default state (no topology programmed).
    let gpu = Gpu::rcs();
    let b = vec![0x6904_0300, 0x7b00_0005, 0x0000_000f, 3, 0, 1, 0, 0, BB_END];
    let why = hang_reason(gpu.run(&b));
    assert!(why.contains("3DPRIMITIVE"), "{why}");

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

/// The instruction with its source 0 taken from the architecture register file (acc0
/// when its register number is 0x20).
fn from_acc0(mut w: [u32; 4]) -> [u32; 4] {
    w[2] &= !(1 << 2);
    w
}

/// Untyped SIMD8 message descriptors on binding table index `bti`: write / read of the red
/// channel (mlen 1 address register plus 1 data register, or 1 and rlen 1).
fn untyped_write8(bti: u32) -> u32 {
    2 << 25 | 0x9 << 14 | 2 << 12 | 0xe << 8 | bti
}
fn untyped_read8(bti: u32) -> u32 {
    1 << 25 | 1 << 20 | 0x1 << 14 | 2 << 12 | 0xe << 8 | bti
}

#[test]
fn a_barrier_orders_shared_local_memory_between_threads() {
    // Two SIMD8 threads: each stores (thread, lane) in SLM, waits at the barrier, then
    // reads the other thread's slot for its lane and writes it to the buffer.
    let gpu = Gpu::rcs();
    let c = Ctl::default();
    let nm = Ctl { no_mask: true, ..c };
    let mut k = vec![
        // r10 = lane ids (uw) -> r11 = lane (ud)
        eu::mov(8, dst(10, 0, ty::UW), imm(ty::V, 0x7654_3210), c),
        eu::mov(8, dst(11, 0, ty::UD), vec8(10, 0, ty::UW), c),
        // r12 = thread index (r0.2) * 8 + lane; r13 = r12 * 4 (byte offset)
        eu::op2(
            op::SHL,
            8,
            dst(12, 0, ty::UD),
            scalar(0, 2, ty::UD),
            imm(ty::UD, 3),
        ),
        eu::op2(
            op::ADD,
            8,
            dst(12, 0, ty::UD),
            vec8(12, 0, ty::UD),
            vec8(11, 0, ty::UD),
        ),
        eu::op2(
            op::SHL,
            8,
            dst(13, 0, ty::UD),
            vec8(12, 0, ty::UD),
            imm(ty::UD, 2),
        ),
        // value = 100 + global slot
        eu::op2(
            op::ADD,
            8,
            dst(14, 0, ty::UD),
            vec8(12, 0, ty::UD),
            imm(ty::UD, 100),
        ),
        eu::send(8, 12, None, 13, untyped_write8(0xfe), false, c),
        // barrier: gateway message, then wait
        eu::mov(8, dst(20, 0, ty::UD), vec8(0, 0, ty::UD), nm),
        eu::send(1, 3, None, 20, 1 << 25 | 4, false, nm),
        eu::sync(0xe),
    ];
    k.extend([
        // r15 = (8 - 8t) + lane, as a byte offset in r16
        eu::op2(
            op::MUL,
            8,
            dst(15, 0, ty::D),
            scalar(0, 2, ty::D),
            imm(ty::D, (-8i32) as u32),
        ),
        eu::op2(
            op::ADD,
            8,
            dst(15, 0, ty::D),
            vec8(15, 0, ty::D),
            imm(ty::D, 8),
        ),
        eu::op2(
            op::ADD,
            8,
            dst(15, 0, ty::D),
            vec8(15, 0, ty::D),
            vec8(11, 0, ty::D),
        ),
        eu::op2(
            op::SHL,
            8,
            dst(16, 0, ty::UD),
            vec8(15, 0, ty::UD),
            imm(ty::UD, 2),
        ),
        eu::send(8, 12, Some(17), 16, untyped_read8(0xfe), false, c),
        // out[slot] = the other thread's value
        eu::mov(8, dst(14, 0, ty::UD), vec8(17, 0, ty::UD), c),
        eu::send(8, 12, None, 13, untyped_write8(0), false, c),
    ]);
    k.extend(eu::eot());
    let mut d = idd(0, 2);
    d[6] |= 1 << 16; // 1 KiB of SLM
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &k,
        surface_state(TARGET, 64, 1, 64, 0, true),
        &[0; 8],
        d,
    );
    let mut w = walker((0, 1), (0, 1), false, 0xff);
    w[4] |= 1; // two threads per group
    b.extend(w);
    b.push(BB_END);
    assert_eq!(gpu.run(&b), Outcome::Completed);
    for slot in 0..16u32 {
        let other = (slot + 8) % 16;
        assert_eq!(
            gpu.get(TARGET + 4 * slot as u64),
            100 + other,
            "slot {slot}"
        );
    }
}

#[test]
fn carries_high_products_indirect_reads_and_breaks_match_a_cpu_model() {
    // SIMD8, lane l: x = l * 0x9000_0001; addc/add for a 64-bit sum, mul+mach for the
    // high product, a VxH indirect read of lane (l + 1) % 8, and a loop that breaks out
    // at l iterations.
    let gpu = Gpu::rcs();
    let c = Ctl::default();
    let nm = Ctl { no_mask: true, ..c };
    let pred = Ctl { pred: 1, ..c };
    let mut k = vec![
        eu::mov(8, dst(10, 0, ty::UW), imm(ty::V, 0x7654_3210), c),
        eu::mov(8, dst(11, 0, ty::UD), vec8(10, 0, ty::UW), c),
        eu::op2(
            op::MUL,
            8,
            dst(12, 0, ty::UD),
            vec8(11, 0, ty::UD),
            imm(ty::UD, 0x9000_0001),
        ),
        // r13 = low(x + x), acc0 = carry; r14 = high = carry + 0
        eu::op2(
            0x4e,
            8,
            dst(13, 0, ty::UD),
            vec8(12, 0, ty::UD),
            vec8(12, 0, ty::UD),
        ),
        from_acc0(eu::mov(8, dst(14, 0, ty::UD), vec8(0x20, 0, ty::UD), c)),
        // r15 = high 32 bits of x * 0x7000_0003 (MACH with AccWrEn)
        eu::op2(
            op::MUL,
            8,
            dst(16, 0, ty::UD),
            vec8(12, 0, ty::UD),
            imm(ty::UD, 3),
        ),
    ];
    // mach with AccWrEn (bit 33)
    let mut mach = eu::op2(
        0x49,
        8,
        dst(15, 0, ty::UD),
        vec8(12, 0, ty::UD),
        imm(ty::UD, 0x7000_0003),
    );
    mach[1] |= 1 << 1;
    k.push(mach);
    // Indirect: a0.l = (r11 + 1) % 8 * 4 + 12 * 32 (the byte of r12's element)
    k.push(eu::op2(
        op::ADD,
        8,
        dst(17, 0, ty::UD),
        vec8(11, 0, ty::UD),
        imm(ty::UD, 1),
    ));
    k.push(eu::op2(
        op::AND,
        8,
        dst(17, 0, ty::UD),
        vec8(17, 0, ty::UD),
        imm(ty::UD, 7),
    ));
    k.push(eu::op2(
        op::SHL,
        8,
        dst(17, 0, ty::UD),
        vec8(17, 0, ty::UD),
        imm(ty::UD, 2),
    ));
    k.push(eu::op2(
        op::ADD,
        8,
        dst(17, 0, ty::UD),
        vec8(17, 0, ty::UD),
        imm(ty::UD, 12 * 32),
    ));
    // a0 is ARF 0x10; write its words from r17 (uw view, stride 2)
    let mut to_a0 = eu::mov(
        8,
        dst(0, 0, ty::UW),
        eu::S::R {
            nr: 17,
            sub: 0,
            ty: ty::UW,
            vs: 16,
            w: 8,
            hs: 2,
        },
        nm,
    );
    to_a0[1] = (to_a0[1] & !(0xff << 24) & !(1 << 18)) | 0x10 << 24; // dst = a0 (ARF)
    k.push(to_a0);
    // mov (8) r18:ud g[a0.0]<VxH,1,0>:ud
    // (source 0: address mode bit 80, a0.0, immediate 0, vertical stride VxH, width 1)
    let mut ind = eu::mov(8, dst(18, 0, ty::UD), vec8(0, 0, ty::UD), c);
    ind[2] = 1 << 16 | 0xf << 20;
    k.push(ind);
    // loop: r19 = 0; do { if (r19 == l) break; r19 += 1 } while (1)
    k.push(eu::mov(8, dst(19, 0, ty::UD), imm(ty::UD, 0), c));
    let top = k.len() as i32;
    k.push(eu::alu(
        op::CMP,
        8,
        eu::null_dst(ty::UD),
        vec8(19, 0, ty::UD),
        Some(vec8(11, 0, ty::UD)),
        Ctl { cond: 1, ..c },
    ));
    let brk = k.len() as i32;
    k.push(eu::branch(op::BREAK, 8, 0, 0, pred));
    k.push(eu::op2(
        op::ADD,
        8,
        dst(19, 0, ty::UD),
        vec8(19, 0, ty::UD),
        imm(ty::UD, 1),
    ));
    let wh = k.len() as i32;
    k.push(eu::branch(op::WHILE, 8, top - wh, 0, c));
    // patch the break: JIP and UIP name the WHILE
    k[brk as usize] = eu::branch(op::BREAK, 8, wh - brk, wh - brk, pred);
    // out[l] = r13, out[8+l] = r14, out[16+l] = r15, out[24+l] = r18, out[32+l] = r19
    k.push(eu::op2(
        op::SHL,
        8,
        dst(20, 0, ty::UD),
        vec8(11, 0, ty::UD),
        imm(ty::UD, 2),
    ));
    for (n, reg) in [13u32, 14, 15, 18, 19].iter().enumerate() {
        k.push(eu::op2(
            op::ADD,
            8,
            dst(30, 0, ty::UD),
            vec8(20, 0, ty::UD),
            imm(ty::UD, 32 * n as u32),
        ));
        k.push(eu::mov(8, dst(31, 0, ty::UD), vec8(*reg, 0, ty::UD), c));
        k.push(eu::send(8, 12, None, 30, untyped_write8(0), false, c));
    }
    k.extend(eu::eot());
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &k,
        surface_state(TARGET, 256, 1, 256, 0, true),
        &[0; 8],
        idd(0, 1),
    );
    b.extend(walker((0, 1), (0, 1), false, 0xff));
    b.push(BB_END);
    assert_eq!(gpu.run(&b), Outcome::Completed);
    for l in 0..8u64 {
        let x = (l * 0x9000_0001) & 0xffff_ffff;
        let at = |n: u64| gpu.get(TARGET + 32 * n + 4 * l) as u64;
        assert_eq!(at(0), (2 * x) & 0xffff_ffff, "addc low, lane {l}");
        assert_eq!(at(1), (2 * x) >> 32, "addc carry, lane {l}");
        assert_eq!(at(2), (x * 0x7000_0003) >> 32, "mach high, lane {l}");
        assert_eq!(
            at(3),
            ((l + 1) % 8 * 0x9000_0001) & 0xffff_ffff,
            "indirect, lane {l}"
        );
        assert_eq!(at(4), l, "loop with break, lane {l}");
    }
}

#[test]
fn binding_tables_come_from_the_pool_in_256_byte_units_when_gt_mode_says_so() {
    // As iris programs Tiger Lake: GT_MODE's Binding Table Alignment (bits 18:8) and a
    // binding table pool; the interface descriptor's pointer field 1 means pool + 0x100.
    let gpu = Gpu::rcs();
    let (w, h) = (64u32, 1u32);
    let pool = BASE + 0x4000;
    let mut d = idd(1, 1);
    d[4] = 1 << 5;
    let mut b = setup(
        &gpu,
        PIPELINE_SELECT_GPGPU,
        &fill_kernel(),
        surface_state(TARGET, w, h, w, 0, false),
        &[0x3c, 0, 0, 0, 0, 0, 0, 0],
        d,
    );
    gpu.put(pool + 0x100, &[SURFACE_STATE]);
    let mut batch = lri(&[(0x7008, 0x0400_0400)]);
    batch.extend([
        0x7919_0002,
        pool as u32 | 1 << 11,
        (pool >> 32) as u32,
        0x0008_0000,
    ]);
    batch.append(&mut b);
    batch.extend(walker((0, w / 16), (0, h), true, 0xffff));
    batch.push(BB_END);
    assert_eq!(gpu.run(&batch), Outcome::Completed);
    assert!(read_bytes(&gpu, TARGET, w as usize)
        .iter()
        .all(|&v| v == 0x3c));
}

/// A kernel for a walk of many groups: every lane atomically increments the dword at
/// offset 0, and the group writes its X id at offset 4 + 4 × X. When `fail_at` names a
/// group, that group sends a message to a shared function that does not exist.
fn many_groups_kernel(fail_at: Option<u32>) -> Vec<[u32; 4]> {
    let c = Ctl::default();
    let nm = Ctl { no_mask: true, ..c };
    // Untyped atomic INC, SIMD8, no return, on binding table entry 0.
    let inc = 1 << 25 | 0x2 << 14 | 1 << 12 | 5 << 8;
    let mut k = vec![
        eu::mov(8, dst(20, 0, ty::UD), imm(ty::UD, 0), c),
        eu::send(8, 12, None, 20, inc, false, c),
        eu::op2(
            op::SHL,
            1,
            dst(21, 0, ty::UD),
            scalar(0, 1, ty::UD),
            imm(ty::UD, 2),
        ),
        eu::op2(
            op::ADD,
            1,
            dst(21, 0, ty::UD),
            scalar(21, 0, ty::UD),
            imm(ty::UD, 4),
        ),
        eu::mov(8, dst(22, 0, ty::UD), scalar(21, 0, ty::UD), c),
        eu::mov(8, dst(23, 0, ty::UD), scalar(0, 1, ty::UD), c),
        eu::send(8, 12, None, 22, untyped_write8(0), false, c),
    ];
    if let Some(x) = fail_at {
        k.push(eu::alu(
            op::CMP,
            1,
            null_dst(ty::UD),
            scalar(0, 1, ty::UD),
            Some(imm(ty::UD, x)),
            Ctl { cond: 1, ..nm },
        ));
        k.push(eu::send(
            1,
            15,
            None,
            20,
            1 << 25,
            false,
            Ctl { pred: 1, ..nm },
        ));
    }
    k.extend(eu::eot());
    k
}

fn many_groups(gpu: &Gpu, groups: u32, fail_at: Option<u32>) -> Outcome {
    let mut b = setup(
        gpu,
        PIPELINE_SELECT_GPGPU,
        &many_groups_kernel(fail_at),
        surface_state(TARGET, 4096, 1, 0, 0, true),
        &[0; 8],
        idd(0, 1),
    );
    b.extend(walker((0, groups), (0, 1), false, 0xff));
    b.push(BB_END);
    gpu.run(&b)
}

#[test]
fn a_walk_of_many_groups_runs_each_group_once_with_atomic_atomics() {
    // Enough groups to be split across host threads where the machine has several.
    let gpu = Gpu::rcs();
    let groups = 900;
    assert_eq!(many_groups(&gpu, groups, None), Outcome::Completed);
    assert_eq!(gpu.get(TARGET), 8 * groups, "every lane's increment counts");
    for x in 0..groups {
        assert_eq!(gpu.get(TARGET + 4 + 4 * u64::from(x)), x, "group {x}");
    }
}

#[test]
fn a_failing_group_of_a_large_walk_hangs_naming_its_instruction() {
    let gpu = Gpu::rcs();
    let why = hang_reason(many_groups(&gpu, 900, Some(700)));
    assert!(why.contains("shared function 15"), "{why}");
}
