//! Vertex shader dispatch (3DSTATE_VS): SIMD8 threads of eight vertices each.
//!
//! A thread's payload: r0 the header (r0.5 the scratch space pointer), r1 each channel's
//! URB handle (the index of its output VUE), then from the Dispatch GRF Start Register
//! the input slots 3DSTATE_VS reads from the fetched VUE (Vertex URB Entry Read Offset
//! and Length, in pairs of slots): four registers per slot, X, Y, Z, W of the eight
//! vertices, after the push constants from r2 (3DSTATE_CONSTANT_ALL or _VS). The shader
//! writes its output VUE with URB writes ([`crate::shared::urb`]).

use super::state::State3d;
use super::vertex_fetch::Vue;
use crate::eu::thread::Thread;
use crate::eu::{run_group, EuError, Kernel};
use crate::mem::GPU_ADDR_MASK;
use crate::render::Env;
use crate::shared::urb::UrbOutputs;
use crate::shared::Dataport;

/// The vertex shader stage of a draw.
pub(crate) struct VertexShader<'a> {
    kernel: Kernel<'a>,
    dp: Dataport<'a>,
    thread: Thread,
    start_reg: usize,
    /// First input slot and number of input slots.
    read: (usize, usize),
    scratch: u32,
    /// Push constants, loaded from r2.
    push: Vec<u8>,
}

impl<'a> VertexShader<'a> {
    /// The vertex shader of the draw, or `None` when 3DSTATE_VS disables it.
    pub fn new(s: &State3d<'_>, env: &Env<'a>) -> Result<Option<VertexShader<'a>>, EuError> {
        let vs = s.cmd("3DSTATE_VS");
        if !vs.bit(7, 0) {
            return Ok(None);
        }
        if !vs.bit(7, 2) {
            return Err(EuError::new(
                "3DSTATE_VS without SIMD8 dispatch (SIMD4x2) is not modelled",
            ));
        }
        let start_reg = vs.bits(6, 24, 20) as usize;
        let push = s.push_constants(env.space, 0)?;
        if start_reg != 2 + push.len() / 32 {
            return Err(EuError::new(format!(
                "vertex shader URB data at r{start_reg} after {} registers of push constants",
                push.len() / 32
            )));
        }
        let read = (
            vs.bits(6, 9, 4) as usize * 2,
            vs.bits(6, 16, 11) as usize * 2,
        );
        if start_reg + 4 * read.1 > 128 {
            return Err(EuError::new("vertex shader inputs past the register file"));
        }
        let ksp = (u64::from(vs.dw(2)) << 32 | u64::from(vs.dw(1) & !0x3f)) & GPU_ADDR_MASK;
        Ok(Some(VertexShader {
            kernel: Kernel::new(env.space, (s.r.instruction_base + ksp) & GPU_ADDR_MASK),
            dp: super::stage_dataport(
                s,
                env,
                "3DSTATE_BINDING_TABLE_POINTERS_VS",
                "3DSTATE_SAMPLER_STATE_POINTERS_VS",
            ),
            thread: Thread::new(0),
            start_reg,
            read,
            scratch: vs.dw(4) & !0x3ff,
            push,
        }))
    }

    /// Runs the shader over `input` (fetched VUEs); returns the output VUEs in order.
    pub fn run(&mut self, input: &[Vue], env: &mut Env<'_>) -> Result<Vec<Vue>, EuError> {
        let mut out = Vec::with_capacity(input.len());
        for group in input.chunks(8) {
            let n = group.len();
            let t = &mut self.thread;
            t.reset((1u32 << n) - 1);
            t.set_grf_ud(0, 5, self.scratch);
            t.grf_mut(64..64 + self.push.len())
                .copy_from_slice(&self.push);
            for (i, vue) in group.iter().enumerate() {
                t.set_grf_ud(1, i, i as u32);
                for s in 0..self.read.1 {
                    let slot = vue.get(self.read.0 + s).copied().unwrap_or([0; 4]);
                    for (c, &v) in slot.iter().enumerate() {
                        t.set_grf_ud(self.start_reg + 4 * s + c, i, v);
                    }
                }
            }
            self.dp.urb = Some(UrbOutputs {
                vues: vec![Vec::new(); n],
            });
            run_group(
                std::slice::from_mut(&mut self.thread),
                &mut self.kernel,
                &mut self.dp,
                &mut || (env.tick)(false),
            )?;
            (env.tick)(true)?;
            out.extend(self.dp.urb.take().expect("the URB outputs").vues);
        }
        Ok(out)
    }

    /// Adds the memory writes to the streamer's progress accounting.
    pub fn finish(self, env: &mut Env<'_>) {
        env.writes += self.dp.writes;
    }
}
