//! A GPGPU dispatch laid out in test memory: state at DATA (surface state, dynamic state
//! and instructions share one base), a binding table with one surface, CURBE data and one
//! interface descriptor; batches select the pipeline, program the state and walk.
#![allow(dead_code)]

use super::{Gpu, DATA};
use gpu_backend::eu::asm as eu;

/// State base used for surface state, dynamic state and instructions.
pub const BASE: u64 = DATA;
pub const KERNEL: u32 = 0x0;
pub const BINDING_TABLE: u32 = 0x800;
pub const SURFACE_STATE: u32 = 0x840;
pub const CURBE: u32 = 0x900;
pub const IDD: u32 = 0x940;
pub const TARGET: u64 = DATA + 0x8000;

pub const PIPELINE_SELECT_GPGPU: u32 = 0x6904_0302;
pub const PIPELINE_SELECT_MEDIA: u32 = 0x6904_0301;

pub fn sba() -> Vec<u32> {
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

pub fn vfe() -> Vec<u32> {
    vec![0x7000_0007, 0, 0, 1 << 16 | 2 << 8, 0, 2 << 16 | 2, 0, 0, 0]
}

pub fn walker(x: (u32, u32), y: (u32, u32), simd16: bool, right: u32) -> Vec<u32> {
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
pub fn surface_state(base: u64, w: u32, h: u32, pitch: u32, tile: u32, buffer: bool) -> [u32; 16] {
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
pub fn idd(per_thread: u32, threads: u32) -> [u32; 8] {
    let mut d = [0u32; 8];
    d[0] = KERNEL;
    d[4] = BINDING_TABLE;
    d[5] = per_thread << 16;
    d[6] = threads;
    d
}

/// Lays out the state and the kernel, and returns the batch up to the dispatch.
pub fn setup(
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
