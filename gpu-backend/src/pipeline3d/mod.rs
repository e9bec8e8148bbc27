//! The 3D pipeline: what a 3DPRIMITIVE runs, split as the hardware is.
//!
//! | file | hardware unit | what it does |
//! |---|---|---|
//! | [`state`] | — | typed reads of the 3DSTATE_* commands the context keeps |
//! | [`vertex_fetch`] | VF | vertex buffers and elements, index buffers, instancing, VertexID/InstanceID: one VUE per vertex |
//! | [`primitive`] | VF topology, clipper, SF setup | primitive assembly (RECTLIST, triangle lists, strips, fans), perspective divide, viewport transform, culling |
//! | [`raster`] | windower | coverage with the top-left rule inside the drawing rectangle and scissor; pixels grouped in 2×2 subspans |
//! | [`attributes`] | SBE | per-primitive attribute setup: constant (flat) or barycentric plane coefficients |
//! | [`pixel`] | PS dispatch, pixel backend | pixel shader threads (SIMD8/16/32) with their payload; render target fast clears and resolves |
//!
//! Render target writes and blending are the render cache's ([`crate::shared::render_cache`]),
//! texel fetches the sampler's ([`crate::shared`]).
//!
//! Whatever the model does not execute — a shader stage other than the pixel shader, a
//! topology, a vertex format, depth or stencil tests, a payload field — is an error that
//! names it, which the command streamer turns into a GPU hang. Never a wrong image.

mod attributes;
mod pixel;
mod primitive;
mod raster;
pub(crate) mod state;
mod vertex_fetch;

use crate::eu::EuError;
use crate::render::{Env, RenderState};

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
    let mut backend = pixel::Backend::new(&s, env)?;
    for i in 0..prim.instance_count {
        let vues = fetch.instance(&prim, i)?;
        let prims = primitive::assemble(&s, env.space, topology, &vues)?;
        for p in &prims {
            backend.draw(p, &vues, env)?;
        }
        (env.tick)(true)?;
    }
    backend.finish(env);
    Ok(())
}
