//! The render engine's EU interpreter against the CPU (issue: the render engine, part 1):
//! a vector add of 64K floats as a GPGPU_WALKER dispatch on a private engine and address
//! space (no FUSE, no ioctl: the interpreter alone), against the same loop in Rust.
//! One operation is one whole vector add; the ratio is how many native loops one dispatch
//! costs.

use std::hint::black_box;

use gpu_backend::bench_eu::{native_vector_add, VectorAdd};

use super::harness::Op;
use super::Rig;
use crate::Fallible;

/// Floats per vector add.
pub const FLOATS: u32 = 1 << 16;

/// `c = a + b` over [`FLOATS`] floats in a plain loop.
pub fn native_vector_add_op(_: &Rig) -> Fallible<Op<'_>> {
    let a: Vec<f32> = (0..FLOATS).map(|i| i as f32).collect();
    let b: Vec<f32> = (0..FLOATS).map(|i| 2.0 * i as f32).collect();
    let mut c = vec![1.0f32; FLOATS as usize];
    Ok(Box::new(move || {
        native_vector_add(black_box(&a), black_box(&b), &mut c);
        black_box(&mut c);
        Ok(())
    }))
}

/// The same vector add as SIMD16 EU threads (untyped surface reads and writes).
pub fn eu_vector_add_op(_: &Rig) -> Fallible<Op<'_>> {
    let v = VectorAdd::new(FLOATS)?;
    v.run()?;
    v.verify()?;
    Ok(Box::new(move || v.run()))
}
