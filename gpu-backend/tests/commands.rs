//! Each command on synthetic batches, through a real engine thread.

mod common;
use common::*;
use gpu_backend::decode::{blt, mi};
use gpu_backend::{regs, HangReason, Outcome, Tiling};

fn batch(parts: &[&[u32]]) -> Vec<u32> {
    let mut v: Vec<u32> = parts.concat();
    v.push(BB_END);
    v
}

#[test]
fn empty_batch_completes() {
    let g = Gpu::rcs();
    assert_eq!(g.run(&[BB_END]), Outcome::Completed);
    assert_eq!(
        g.run(&[
            0,
            ARB_CHECK,
            mi::instr(mi::USER_INTERRUPT, 0),
            mi::instr(mi::ARB_ON_OFF, 1),
            BB_END
        ]),
        Outcome::Completed
    );
    g.wait_idle();
    assert_eq!(g.engine.stats().retired, 2);
}

#[test]
fn store_dword_qword_and_multi() {
    let g = Gpu::bcs();
    let multi = [
        mi::instr(mi::STORE_DATA_IMM, 4),
        lo(DATA + 0x40),
        0,
        1,
        2,
        3,
    ];
    assert_eq!(
        g.run(&batch(&[
            &store(DATA, 0xdead_beef),
            &store64(DATA + 8, 0x1122_3344_5566_7788),
            &multi
        ])),
        Outcome::Completed
    );
    assert_eq!(g.get(DATA), 0xdead_beef);
    assert_eq!(g.get64(DATA + 8), 0x1122_3344_5566_7788);
    assert_eq!(
        (g.get(DATA + 0x40), g.get(DATA + 0x44), g.get(DATA + 0x48)),
        (1, 2, 3)
    );
    // Canonical (sign-extended) addresses are accepted: bits 63:48 are ignored.
    assert_eq!(
        g.run(&batch(&[&store(0xffff_0000_0000_0000 | (DATA + 0x80), 5)])),
        Outcome::Completed
    );
    assert_eq!(g.get(DATA + 0x80), 5);
}

#[test]
fn store_data_index_goes_to_the_status_page() {
    let g = Gpu::rcs();
    let sdi = [mi::instr(mi::STORE_DATA_INDEX, 1), 0x40, 77];
    let sdi64 = [mi::instr(mi::STORE_DATA_INDEX, 2), 0x80, 1, 2];
    assert_eq!(g.run(&batch(&[&sdi, &sdi64])), Outcome::Completed);
    let page = g.ctx.lock().unwrap().status_page.clone();
    assert_eq!(
        (page.read(0x10), page.read(0x20), page.read(0x21)),
        (77, 1, 2)
    );
}

#[test]
fn registers_lri_lrm_lrr_srm() {
    let g = Gpu::rcs();
    g.put(DATA + 0x100, &[0x5555]);
    let b = batch(&[
        &lri(&[(0x2600, 0x1111), (0x2604, 0x2222), (0x7000, 9)]),
        &lrm(0x2608, DATA + 0x100),
        &lrr(0x2600, 0x2610),
        // "Add CS MMIO start offset": 0x618 relative to the engine base.
        &[mi::instr(mi::LOAD_REGISTER_IMM, 1 << 19 | 1), 0x618, 0x77],
        &srm(0x2604, DATA),
        &srm(0x2608, DATA + 4),
        &srm(0x2610, DATA + 8),
        &srm(0x7000, DATA + 12),
        &srm(0x2618, DATA + 16),
        // Byte write disable of byte 0.
        &[
            mi::instr(mi::LOAD_REGISTER_IMM, 1 << 8 | 1),
            0x2600,
            0xaabb_ccdd,
        ],
        &srm(0x2600, DATA + 20),
    ]);
    assert_eq!(g.run(&b), Outcome::Completed);
    assert_eq!(
        (
            g.get(DATA),
            g.get(DATA + 4),
            g.get(DATA + 8),
            g.get(DATA + 12)
        ),
        (0x2222, 0x5555, 0x1111, 9)
    );
    assert_eq!(g.get(DATA + 16), 0x77);
    assert_eq!(g.get(DATA + 20), 0xaabb_cc11);
    let ctx = g.ctx.lock().unwrap();
    assert_eq!(ctx.gpr[0], 0x2222_aabb_cc11);
    assert_eq!(ctx.gpr[3], 0x77);
    drop(ctx);
    // Register state persists across requests of the context.
    assert_eq!(
        g.run(&batch(&[&srm(0x2608, DATA + 24)])),
        Outcome::Completed
    );
    assert_eq!(g.get(DATA + 24), 0x5555);
}

#[test]
fn timestamp_register_ticks_at_19_2_mhz() {
    let g = Gpu::rcs();
    let b = batch(&[
        &srm(0x2358, DATA),
        &lrr(0x2358, 0x2600),
        &srm(0x2600, DATA + 4),
    ]);
    assert_eq!(g.run(&b), Outcome::Completed);
    let t0 = g.get(DATA);
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(g.run(&b), Outcome::Completed);
    let d = g.get(DATA).wrapping_sub(t0) as u64;
    assert!(
        (384_000 / 2..384_000 * 20).contains(&d),
        "{d} ticks in 20 ms"
    );
    assert!(
        g.get(DATA + 4).wrapping_sub(g.get(DATA)) < 19_200,
        "LRR copies the live value"
    );
}

#[test]
fn copy_mem_mem() {
    let g = Gpu::rcs();
    g.put(DATA, &[0x1234_5678]);
    let cmm = [mi::instr(mi::COPY_MEM_MEM, 3), lo(DATA + 8), 0, lo(DATA), 0];
    assert_eq!(g.run(&batch(&[&cmm])), Outcome::Completed);
    assert_eq!(g.get(DATA + 8), 0x1234_5678);
}

#[test]
fn mi_math_alu() {
    const LOAD: u32 = 0x080;
    const LOADINV: u32 = 0x480;
    const LOAD0: u32 = 0x081;
    const LOAD1: u32 = 0x481;
    const ADD: u32 = 0x100;
    const SUB: u32 = 0x101;
    const AND: u32 = 0x102;
    const OR: u32 = 0x103;
    const XOR: u32 = 0x104;
    const STORE: u32 = 0x180;
    const STOREINV: u32 = 0x580;
    const A: u32 = 0x20;
    const B: u32 = 0x21;
    const ACC: u32 = 0x31;
    const ZF: u32 = 0x32;
    const CF: u32 = 0x33;
    let g = Gpu::rcs();
    {
        let mut c = g.ctx.lock().unwrap();
        c.gpr[0] = 5;
        c.gpr[1] = 7;
        c.gpr[2] = u64::MAX;
    }
    let prog = [
        alu(LOAD, A, 0),
        alu(LOAD, B, 1),
        alu(ADD, 0, 0),
        alu(STORE, 3, ACC), // r3 = 12
        alu(LOAD, A, 0),
        alu(LOAD, B, 1),
        alu(SUB, 0, 0),
        alu(STORE, 4, ACC),
        alu(STORE, 5, CF), // 5-7, borrow
        alu(LOAD, A, 2),
        alu(LOAD1, B, 0),
        alu(ADD, 0, 0),
        alu(STORE, 6, CF),
        alu(STORE, 7, ZF), // ~0 + ~0
        alu(LOAD, A, 0),
        alu(LOAD, B, 0),
        alu(SUB, 0, 0),
        alu(STORE, 8, ZF),
        alu(STOREINV, 9, ZF), // 5 == 5
        alu(LOAD, A, 0),
        alu(LOAD, B, 1),
        alu(AND, 0, 0),
        alu(STORE, 10, ACC),
        alu(OR, 0, 0),
        alu(STORE, 11, ACC),
        alu(XOR, 0, 0),
        alu(STORE, 12, ACC),
        alu(LOADINV, A, 0),
        alu(LOAD0, B, 0),
        alu(OR, 0, 0),
        alu(STORE, 13, ACC),
        0, // NOOP
    ];
    assert_eq!(g.run(&batch(&[&math(&prog)])), Outcome::Completed);
    let c = g.ctx.lock().unwrap();
    assert_eq!(c.gpr[3], 12);
    assert_eq!(c.gpr[4], 5u64.wrapping_sub(7));
    assert_eq!(c.gpr[5], u64::MAX, "borrow stored as all ones");
    assert_eq!(c.gpr[6], u64::MAX, "carry out of ~0 + ~0");
    assert_eq!(c.gpr[7], 0, "~0 + ~0 is not zero");
    assert_eq!((c.gpr[8], c.gpr[9]), (u64::MAX, 0));
    assert_eq!((c.gpr[10], c.gpr[11], c.gpr[12]), (5 & 7, 5 | 7, 5 ^ 7));
    assert_eq!(c.gpr[13], !5);
    drop(c);
    // An ALU opcode Gen12 lacks (SHL) hangs.
    assert!(
        matches!(g.run(&batch(&[&math(&[alu(0x105, 0, 0)])])), Outcome::Hung(h) if matches!(h.reason, HangReason::Unsupported { .. }))
    );
}

#[test]
fn semaphore_wait_all_compare_ops() {
    let g = Gpu::rcs();
    // (op, memory, data, satisfied)
    for (op, mem, data, ok) in [
        (0, 5, 4, true),
        (0, 4, 4, false),
        (1, 4, 4, true),
        (1, 3, 4, false),
        (2, 3, 4, true),
        (2, 4, 4, false),
        (3, 4, 4, true),
        (3, 5, 4, false),
        (4, 4, 4, true),
        (4, 5, 4, false),
        (5, 5, 4, true),
        (5, 4, 4, false),
    ] {
        g.put(DATA, &[mem]);
        g.put(
            BATCH,
            &batch(&[&sem_wait(op, data, DATA), &store(DATA + 4, op + 100)]),
        );
        let (h, rx) = g.submit_at(BATCH);
        if ok {
            assert_eq!(
                rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap(),
                Outcome::Completed,
                "op {op}"
            );
            assert_eq!(g.get(DATA + 4), op + 100);
        } else {
            assert!(
                rx.recv_timeout(std::time::Duration::from_millis(20))
                    .is_err(),
                "op {op} must wait"
            );
            // Satisfy it from the CPU: the wait re-reads memory.
            let fix = match op {
                0 => 5,
                1 => 4,
                2 => 3,
                3 => 4,
                4 => 4,
                _ => 5,
            };
            g.put(DATA, &[fix]);
            assert_eq!(
                rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap(),
                Outcome::Completed,
                "op {op}"
            );
            assert!(h.is_complete());
        }
    }
}

#[test]
fn conditional_batch_end() {
    let g = Gpu::rcs();
    // memory (0x10) > data (5): continue; memory <= data: end.
    g.put(DATA, &[0x10, 0]);
    assert_eq!(
        g.run(&batch(&[&cond_end(5, DATA), &store(DATA + 8, 1)])),
        Outcome::Completed
    );
    assert_eq!(g.get(DATA + 8), 1);
    assert_eq!(
        g.run(&batch(&[&cond_end(0x10, DATA), &store(DATA + 8, 2)])),
        Outcome::Completed
    );
    assert_eq!(g.get(DATA + 8), 1, "ended before the store");
    // Without "compare semaphore" it never ends the batch.
    let no_cmp = [
        mi::instr(mi::COND_BATCH_BUFFER_END, 2),
        0xffff_ffff,
        lo(DATA),
        0,
    ];
    assert_eq!(
        g.run(&batch(&[&no_cmp, &store(DATA + 8, 3)])),
        Outcome::Completed
    );
    assert_eq!(g.get(DATA + 8), 3);
    // Mask mode: qword at the address is (mask, value); (0xf0 & 0x1f) = 0x10 > 0x0f.
    g.put(DATA + 0x10, &[0xf0, 0x1f]);
    let masked = [
        mi::instr(mi::COND_BATCH_BUFFER_END, 1 << 21 | 1 << 19 | 2),
        0x0f,
        lo(DATA + 0x10),
        0,
    ];
    assert_eq!(
        g.run(&batch(&[&masked, &store(DATA + 8, 4)])),
        Outcome::Completed
    );
    assert_eq!(g.get(DATA + 8), 4);
    let masked = [
        mi::instr(mi::COND_BATCH_BUFFER_END, 1 << 21 | 1 << 19 | 2),
        0x10,
        lo(DATA + 0x10),
        0,
    ];
    assert_eq!(
        g.run(&batch(&[&masked, &store(DATA + 8, 5)])),
        Outcome::Completed
    );
    assert_eq!(g.get(DATA + 8), 4);
    // From a second-level batch it ends the whole batch.
    g.put(
        BATCH + 0x800,
        &[cond_end(0x10, DATA)[0], 0x10, lo(DATA), 0, BB_END],
    );
    assert_eq!(
        g.run(&batch(&[&bb_call(BATCH + 0x800), &store(DATA + 8, 6)])),
        Outcome::Completed
    );
    assert_eq!(g.get(DATA + 8), 4);
}

#[test]
fn batch_buffer_start_chained_and_second_level() {
    let g = Gpu::rcs();
    // Second level: returns after the call.
    g.put(BATCH + 0x800, &batch(&[&store(DATA, 1)]));
    // Chained: never returns.
    g.put(BATCH + 0x900, &batch(&[&store(DATA + 4, 2)]));
    let b = batch(&[
        &bb_call(BATCH + 0x800),
        &store(DATA + 8, 3),
        &bb_start(BATCH + 0x900),
        &store(DATA + 12, 4),
    ]);
    assert_eq!(g.run(&b), Outcome::Completed);
    assert_eq!(
        (
            g.get(DATA),
            g.get(DATA + 4),
            g.get(DATA + 8),
            g.get(DATA + 12)
        ),
        (1, 2, 3, 0)
    );
    // A batch chained into an indirect (userptr-like) binding runs through read().
    g.space.bind_indirect(0x40_0000, 4096);
    g.put(0x40_0000, &batch(&[&store(DATA + 16, 5)]));
    assert_eq!(g.run(&batch(&[&bb_start(0x40_0000)])), Outcome::Completed);
    assert_eq!(g.get(DATA + 16), 5);
}

#[test]
fn flush_dw_and_pipe_control_post_sync() {
    let g = Gpu::bcs();
    let b = batch(&[
        &flush_dw(1, DATA, 0x77),
        &flush_dw(3, DATA + 8, 0),
        &flush_dw(0, DATA + 0x20, 0x99),
        &[
            mi::instr(mi::FLUSH_DW, 1 << 21 | 1 << 14 | 2),
            0x10,
            0,
            0x55,
        ],
    ]);
    assert_eq!(g.run(&b), Outcome::Completed);
    assert_eq!(g.get(DATA), 0x77);
    assert!(g.get64(DATA + 8) > 0, "timestamp written");
    assert_eq!(g.get(DATA + 0x20), 0);
    assert_eq!(g.ctx.lock().unwrap().status_page.read(4), 0x55);

    let r = Gpu::rcs();
    let b = batch(&[
        &pipe_control(1 << 14, DATA, 0x1_0000_0002),
        &pipe_control(3 << 14 | 1 << 20, DATA + 8, 0),
        &pipe_control(1 << 12 | 1 << 0, DATA + 0x20, 7), // flushes only: no write
        &pipe_control(1 << 23, 0x2600, 0x42),            // LRI post-sync
    ]);
    assert_eq!(r.run(&b), Outcome::Completed);
    assert_eq!(r.get64(DATA), 0x1_0000_0002);
    assert!(r.get64(DATA + 8) > 0);
    assert_eq!(r.get(DATA + 0x20), 0);
    assert_eq!(r.ctx.lock().unwrap().gpr[0], 0x42);
}

#[test]
fn engine_class_limits_commands() {
    let r = Gpu::rcs();
    assert!(matches!(
        r.run(&batch(&[&flush_dw(1, DATA, 1)])),
        Outcome::Hung(_)
    ));
    let copy = xy_src_copy(
        3 << 20,
        3 << 24 | 0xcc << 16 | 64,
        (0, 0, 1, 1),
        DATA,
        (0, 0),
        64,
        DATA + 64,
    );
    assert!(matches!(r.run(&batch(&[&copy])), Outcome::Hung(_)));
    let b = Gpu::bcs();
    assert!(matches!(
        b.run(&batch(&[&pipe_control(1 << 14, DATA, 1)])),
        Outcome::Hung(_)
    ));
    assert_eq!(b.run(&batch(&[&copy])), Outcome::Completed);
}

#[test]
fn unknown_and_invalid_commands_hang_with_address() {
    let g = Gpu::rcs();
    for bad in [
        0x0080_0000u32,
        0x2000_0000,
        0x7800_0000,
        0xffff_ffff,
        0x6905_0000,
    ] {
        match g.run(&[0, 0, bad, BB_END]) {
            Outcome::Hung(h) => {
                assert_eq!(h.reason, HangReason::UnknownCommand { header: bad });
                assert_eq!(h.addr, BATCH + 8);
            }
            o => panic!("{bad:#x}: {o:?}"),
        }
    }
    // A store to an unmapped address faults.
    match g.run(&batch(&[&store(0x7000_0000, 1)])) {
        Outcome::Hung(h) => assert_eq!(h.reason, HangReason::Fault { addr: 0x7000_0000 }),
        o => panic!("{o:?}"),
    }
    // A batch that runs off the end of its mapping faults (NOOPs up to the end).
    let space_end = AREA;
    let (_h, rx) = g.submit_at(space_end - 8);
    match rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap() {
        Outcome::Hung(h) => assert_eq!(h.reason, HangReason::Fault { addr: space_end }),
        o => panic!("{o:?}"),
    }
    // Jump into nowhere.
    assert!(
        matches!(g.run(&bb_start(0x9000_0000)), Outcome::Hung(h) if h.reason == HangReason::Fault { addr: 0x9000_0000 })
    );
}

#[test]
fn setup_clip_and_clipped_color_fill() {
    let g = Gpu::bcs();
    let pitch = 64u32;
    let clip = [blt::instr(blt::XY_SETUP_CLIP, 1), 1 << 16 | 2, 3 << 16 | 5];
    let fill = [
        blt::instr(blt::XY_COLOR, 3 << 20 | 5),
        1 << 30 | 3 << 24 | 0xf0 << 16 | pitch,
        0,
        8 << 16 | 8,
        lo(DATA),
        0,
        0xabcd_ef01,
    ];
    assert_eq!(g.run(&batch(&[&clip, &fill])), Outcome::Completed);
    assert_eq!(
        g.ctx.lock().unwrap().clip,
        gpu_backend::ClipRect {
            x1: 2,
            y1: 1,
            x2: 5,
            y2: 3
        }
    );
    for y in 0..8u64 {
        for x in 0..8u64 {
            let inside = (2..5).contains(&x) && (1..3).contains(&y);
            assert_eq!(
                g.get(DATA + y * pitch as u64 + 4 * x),
                if inside { 0xabcd_ef01 } else { 0 },
                "({x},{y})"
            );
        }
    }
    let _ = (regs::BCS_SWCTRL, Tiling::Linear);
}

#[test]
fn mi_atomic() {
    let g = Gpu::rcs();
    let atomic_inline = |op: u32, size: u32, ret: bool, addr: u64, a: u64, b: u64| -> Vec<u32> {
        vec![
            mi::instr(
                mi::ATOMIC,
                op << 8 | size << 19 | 1 << 18 | (ret as u32) << 16 | 9,
            ),
            lo(addr),
            hi(addr),
            a as u32,
            b as u32,
            (a >> 32) as u32,
            (b >> 32) as u32,
            0,
            0,
            0,
            0,
        ]
    };
    g.put(DATA, &[10, 0, 0xffff_fff0, 0xffff_ffff, 5, 0]);
    {
        let mut c = g.ctx.lock().unwrap();
        c.gpr[0] = 3;
        c.gpr[4] = 0xaaaa_aaaa_0000_0000;
    }
    let from_gprs = [mi::instr(mi::ATOMIC, 0x08 << 8 | 1), lo(DATA + 16), 0]; // SUB GPR0 from a dword
    let b = batch(&[
        &atomic_inline(0x07, 0, true, DATA, 7, 0), // ADD: 10 + 7, old value to GPR4
        &atomic_inline(0x2e, 1, false, DATA + 8, !15, 42), // CMP_WR8B: equal, so write 42
        &from_gprs,
        &atomic_inline(0x0a, 0, false, DATA + 20, 0xffff_ffff, 0), // IMAX(0, -1) = 0
    ]);
    assert_eq!(g.run(&b), Outcome::Completed);
    assert_eq!(g.get(DATA), 17);
    assert_eq!(
        g.ctx.lock().unwrap().gpr[4],
        0xaaaa_aaaa_0000_000a,
        "dword return keeps the high half"
    );
    assert_eq!(g.get64(DATA + 8), 42);
    assert_eq!(g.get(DATA + 16), 2);
    assert_eq!(g.get(DATA + 20), 0);
    // PREDEC and octword forms are not modelled: a hang, not a guess.
    assert!(matches!(
        g.run(&batch(&[&atomic_inline(0x0f, 0, false, DATA, 0, 0)])),
        Outcome::Hung(_)
    ));
    assert!(matches!(
        g.run(&batch(&[&atomic_inline(0x4e, 2, false, DATA, 0, 0)])),
        Outcome::Hung(_)
    ));
}
