//! The 3D pipeline: what a 3DPRIMITIVE runs, split as the hardware is.
//!
//! | file | hardware unit | what it does |
//! |---|---|---|
//! | [`state`] | — | typed reads of the 3DSTATE_* commands the context keeps |
//! | [`vertex_fetch`] | VF | vertex buffers and elements, index buffers, instancing, VertexID/InstanceID: one VUE per vertex |
//! | [`vertex_shader`] | VS dispatch | SIMD8 vertex shader threads, inputs from the VUE, outputs by URB writes |
//! | [`primitive`] | VF topology, clipper, SF setup | primitive assembly (RECTLIST, triangle lists, strips, fans, points, thin lines), clipping to the near, far, w and guard-band planes, perspective divide, viewport transform, culling |
//! | [`raster`] | windower | coverage with the top-left rule inside the drawing rectangle and scissor; pixels grouped in 2×2 subspans |
//! | [`attributes`] | SBE | per-primitive attribute setup: constant (flat) or barycentric plane coefficients |
//! | [`depth`] | depth test, HiZ operations | the depth test before shading, depth writes, depth clears (3DSTATE_WM_HZ_OP) |
//! | [`pixel`] | PS dispatch, pixel backend | pixel shader threads (SIMD8/16/32) with their payload; render target fast clears and resolves |
//!
//! Render target writes and blending are the render cache's ([`crate::shared::render_cache`]),
//! texel fetches the sampler's ([`crate::shared`]).
//!
//! Whatever the model does not execute — a shader stage other than the pixel shader, a
//! topology, a vertex format, depth or stencil tests, a payload field — is an error that
//! names it, which the command streamer turns into a GPU hang. Never a wrong image.

mod attributes;
mod depth;
mod pixel;
mod primitive;
mod raster;
pub(crate) mod state;
mod vertex_fetch;
mod vertex_shader;

use crate::eu::EuError;
use crate::mem::GPU_ADDR_MASK;
use crate::render::{Env, RenderState};
use crate::shared::Dataport;

/// A data port for a shader stage whose binding table 3DSTATE_BINDING_TABLE_POINTERS_xx
/// (`bt_cmd`) and sampler states 3DSTATE_SAMPLER_STATE_POINTERS_xx (`sampler_cmd`) name.
fn stage_dataport<'a>(
    s: &state::State3d<'_>,
    env: &Env<'a>,
    bt_cmd: &str,
    sampler_cmd: &str,
) -> Dataport<'a> {
    let bt = s.cmd(bt_cmd).dw(1);
    // With GT_MODE's 18:8 alignment the pointer field (bits 15:5) holds address bits
    // 18:8; else bits 20:5 are the offset itself.
    let bt_off = if env.bt_pointer_18_8 {
        (bt >> 5 & 0x7ff) << 8
    } else {
        bt & 0x001f_ffe0
    };
    let bt_base = s.r.binding_table_pool.unwrap_or(s.r.surface_state_base);
    Dataport {
        space: env.space,
        surface_state_base: s.r.surface_state_base,
        binding_table: (bt_base + u64::from(bt_off)) & GPU_ADDR_MASK,
        general_state_base: s.r.general_state_base,
        bindless_surface_base: s.r.bindless_surface_base,
        ex_desc: 0,
        slm: Vec::new(),
        writes: 0,
        window: None,
        surfaces: Vec::new(),
        pixel: None,
        urb: None,
        sampler_state: (s.r.dynamic_state_base + u64::from(s.cmd(sampler_cmd).dw(1) & !0x1f))
            & GPU_ADDR_MASK,
        dynamic_state_base: s.r.dynamic_state_base,
    }
}

/// 3DPRIMITIVE as the command carries it (Gen12, 7 dwords).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Primitive {
    /// Indexed (random) access through the index buffer.
    pub indexed: bool,
    /// Vertices per instance.
    pub vertex_count: u32,
    /// First vertex (sequential) or first index (random).
    pub start_vertex: u32,
    /// Instances to draw.
    pub instance_count: u32,
    /// First instance.
    pub start_instance: u32,
    /// Added to every index (random access).
    pub base_vertex: i32,
}

impl Primitive {
    /// Decodes a 3DPRIMITIVE (`dw[0]` is its header).
    pub fn decode(dw: &[u32]) -> Result<Primitive, EuError> {
        if dw.len() < 7 {
            return Err(EuError::new(format!(
                "3DPRIMITIVE with {} dwords",
                dw.len()
            )));
        }
        if dw[0] >> 10 & 1 != 0 {
            return Err(EuError::new(
                "3DPRIMITIVE with indirect parameters is not modelled",
            ));
        }
        if dw[0] >> 8 & 1 != 0 {
            return Err(EuError::new("predicated 3DPRIMITIVE is not modelled"));
        }
        if dw[1] >> 9 & 1 != 0 {
            return Err(EuError::new(
                "3DPRIMITIVE with an end offset is not modelled",
            ));
        }
        Ok(Primitive {
            indexed: dw[1] >> 8 & 1 != 0,
            vertex_count: dw[2],
            start_vertex: dw[3],
            instance_count: dw[4],
            start_instance: dw[5],
            base_vertex: dw[6] as i32,
        })
    }
}

/// Most vertices one draw may fetch (a guard against a runaway count in a bad batch: the
/// whole draw would otherwise hold the engine for hours).
const MAX_DRAW_VERTICES: u64 = 1 << 24;

/// Most bytes of vertex entries one instance of a draw may hold (the model fetches an
/// instance's vertices before it assembles them).
const MAX_INSTANCE_BYTES: u64 = 1 << 30;

/// Executes 3DSTATE_WM_HZ_OP (a depth clear or resolve) with the context's 3D state.
pub(crate) fn hz_op(state: &RenderState, dw: &[u32], env: &mut Env<'_>) -> Result<(), EuError> {
    depth::hz_op(&state::State3d::new(state), dw, env.space, env.tick)
}

/// Executes a 3DPRIMITIVE with the context's 3D state.
pub(crate) fn draw(state: &RenderState, dw: &[u32], env: &mut Env<'_>) -> Result<(), EuError> {
    let prim = Primitive::decode(dw)?;
    let s = state::State3d::new(state);
    s.check_stages()?;
    if u64::from(prim.vertex_count) * u64::from(prim.instance_count) > MAX_DRAW_VERTICES {
        return Err(EuError::new(format!(
            "3DPRIMITIVE of {} vertices × {} instances",
            prim.vertex_count, prim.instance_count
        )));
    }
    let topology = s.cmd("3DSTATE_VF_TOPOLOGY").dw(1) & 0x3f;
    let fetch = vertex_fetch::Fetch::new(&s, env.space)?;
    // An instance's vertices are fetched together: a count whose entries would not fit
    // in memory hangs naming itself instead of exhausting the daemon.
    let instance_bytes = u64::from(prim.vertex_count) * fetch.vue_bytes();
    if instance_bytes > MAX_INSTANCE_BYTES {
        return Err(EuError::new(format!(
            "3DPRIMITIVE of {} vertices: {instance_bytes} bytes of vertex entries per instance",
            prim.vertex_count
        )));
    }
    let mut backend = pixel::Backend::new(&s, env)?;
    let mut vs = vertex_shader::VertexShader::new(&s, env)?;
    for i in 0..prim.instance_count {
        for mut vues in fetch.instance(&prim, i)? {
            if let Some(vs) = vs.as_mut() {
                vues = vs.run(&vues, env)?;
            }
            let prims = primitive::assemble(&s, env.space, topology, &mut vues)?;
            for p in &prims {
                backend.draw(p, &vues, env)?;
            }
        }
        (env.tick)(true)?;
    }
    backend.finish(env);
    if let Some(vs) = vs {
        vs.finish(env);
    }
    Ok(())
}
