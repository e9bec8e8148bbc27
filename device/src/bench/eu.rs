//! The render engine's EU interpreter against the CPU (issue: the render engine, part 1):
//! a vector add and a reduction through shared local memory, as GPGPU_WALKER dispatches
//! on a private engine and address space (no FUSE, no ioctl: the interpreter alone),
//! against the same loops in Rust. One operation is one whole dispatch; the ratio is how
//! many native loops one dispatch costs. Two sizes: 16M floats (the measure, where
//! the native loop streams from memory) and 64K floats (cache-resident, where the native
//! loop runs at vector-unit speed: the interpreter's own overhead shows most).

use std::hint::black_box;

use gpu_backend::bench_eu::{native_vector_add, VectorAdd};

use super::harness::Op;
use super::Rig;
use crate::Fallible;

/// Floats of the large runs.
pub const LARGE: u32 = 1 << 24;
/// Floats of the cache-resident runs.
pub const SMALL: u32 = 1 << 16;

/// The floats a benchmark sized `floats` works on: a `--quick` run is a smoke test and
/// stays at the small size (a debug build would take minutes over 16M floats).
fn size(rig: &Rig, floats: u32) -> u32 {
    if rig.quick {
        floats.min(SMALL)
    } else {
        floats
    }
}

/// `c = a + b` over `FLOATS` floats in a plain loop.
pub fn native_vector_add_op<const FLOATS: u32>(rig: &Rig) -> Fallible<Op<'_>> {
    let n = size(rig, FLOATS);
    let a: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let b: Vec<f32> = (0..n).map(|i| 2.0 * i as f32).collect();
    let mut c = vec![1.0f32; n as usize];
    Ok(Box::new(move || {
        native_vector_add(black_box(&a), black_box(&b), &mut c);
        black_box(&mut c);
        Ok(())
    }))
}

/// The same vector add as SIMD16 EU threads (untyped surface reads and writes).
pub fn eu_vector_add_op<const FLOATS: u32>(rig: &Rig) -> Fallible<Op<'_>> {
    let v = VectorAdd::new(size(rig, FLOATS))?;
    v.run()?;
    v.verify()?;
    Ok(Box::new(move || v.run()))
}

/// One sum per 64 floats over `FLOATS` floats in a plain loop.
pub fn native_reduce_op<const FLOATS: u32>(rig: &Rig) -> Fallible<Op<'_>> {
    let n = size(rig, FLOATS);
    let a: Vec<f32> = (0..n).map(|i| (i % 7) as f32).collect();
    let mut c = vec![0.0f32; n as usize / 64];
    Ok(Box::new(move || {
        gpu_backend::bench_eu::native_reduce(black_box(&a), &mut c);
        black_box(&mut c);
        Ok(())
    }))
}

/// The same sums as groups of four SIMD16 EU threads meeting in shared local memory.
pub fn eu_reduce_op<const FLOATS: u32>(rig: &Rig) -> Fallible<Op<'_>> {
    let r = gpu_backend::bench_eu::SlmReduce::new(size(rig, FLOATS))?;
    r.run()?;
    r.verify()?;
    Ok(Box::new(move || r.run()))
}

/// Lane-instructions one operation of the EU benchmark `name` executes (in a `quick`
/// run, at the small size).
pub fn lane_instructions(name: &str, quick: bool) -> Option<u64> {
    let (kind, size) = name.rsplit_once('_')?;
    let n = match size {
        "16m" if !quick => LARGE,
        "16m" | "64k" => SMALL,
        _ => return None,
    };
    match kind {
        "eu_vector_add" => Some(VectorAdd::lane_instructions(n)),
        "eu_reduce" => Some(gpu_backend::bench_eu::SlmReduce::lane_instructions(n)),
        _ => None,
    }
}
