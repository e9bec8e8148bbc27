//! Thread dispatch of the media/GPGPU front end: GPGPU_WALKER walks thread groups and
//! starts each group's threads; MEDIA_OBJECT starts one thread with inline data.
//!
//! A thread's payload: r0 is the header (thread group ids in r0.1, r0.6, r0.7), then the
//! CURBE: the cross-thread constants, then this thread's own block of per-thread constants
//! (GPGPU), or the constants followed by the inline data (media).

use super::{Env, RenderState};
use crate::eu::thread::Thread;
use crate::eu::{run_group, EuError, Kernel};
use crate::mem::GPU_ADDR_MASK;
use crate::shared::Dataport;

/// Most threads one thread group may have (Gen12: 64 per dual subslice).
const MAX_GROUP_THREADS: u32 = 64;

/// The fields of an interface descriptor this model uses.
struct Descriptor {
    kernel: u64,
    binding_table: u64,
    /// Per-thread constant registers (Constant URB Entry Read Length).
    per_thread_regs: usize,
    /// Offset of the constants in the CURBE, in registers.
    read_offset: usize,
    /// Cross-thread constant registers.
    cross_thread_regs: usize,
    /// Shared local memory bytes.
    slm_bytes: usize,
    /// Sampler State Pointer (from Dynamic State Base).
    sampler_state: u32,
}

fn descriptor(state: &RenderState, index: u32, bt_18_8: bool) -> Result<Descriptor, EuError> {
    let d = state
        .descriptors
        .get(index as usize)
        .ok_or_else(|| EuError::new(format!("interface descriptor {index} was never loaded")))?;
    let slm_enc = d[6] >> 16 & 0x1f;
    let slm_bytes = match slm_enc {
        0 => 0,
        1..=7 => 1024 << (slm_enc - 1),
        e => {
            return Err(EuError::new(format!(
                "shared local memory size encoding {e}"
            )))
        }
    };
    Ok(Descriptor {
        kernel: (state.instruction_base
            + (u64::from(d[1] & 0xffff) << 32 | u64::from(d[0] & !0x3f)))
            & GPU_ADDR_MASK,
        binding_table: if bt_18_8 {
            u64::from(d[4] >> 5 & 0x7ff) << 8
        } else {
            u64::from(d[4] & 0xffe0)
        },
        per_thread_regs: (d[5] >> 16) as usize,
        read_offset: (d[5] & 0xffff) as usize,
        cross_thread_regs: (d[7] & 0xff) as usize,
        slm_bytes,
        sampler_state: d[3] & !0x1f,
    })
}

/// Copies `regs` registers of CURBE data starting at register `from` into the thread's
/// registers starting at `to`; data past the loaded CURBE reads as zero.
fn load_constants(
    t: &mut Thread,
    curbe: &[u8],
    from: usize,
    regs: usize,
    to: usize,
) -> Result<(), EuError> {
    if to + regs > 128 {
        return Err(EuError::new("thread payload larger than the register file"));
    }
    for r in 0..regs {
        let src = (from + r) * 32;
        let dst = (to + r) * 32;
        for i in 0..32 {
            t.grf[dst + i] = curbe.get(src + i).copied().unwrap_or(0);
        }
    }
    Ok(())
}

fn dataport<'a>(state: &RenderState, d: &Descriptor, env: &Env<'a>) -> Dataport<'a> {
    Dataport {
        space: env.space,
        surface_state_base: state.surface_state_base,
        // With a binding table pool, binding table pointers are relative to the pool.
        binding_table: state.binding_table_pool.unwrap_or(state.surface_state_base)
            + d.binding_table,
        general_state_base: state.general_state_base,
        bindless_surface_base: state.bindless_surface_base,
        ex_desc: 0,
        // The whole SLM of a subslice backs every group: an access past the group's
        // allocation reads what the hardware would (memory nobody else uses here).
        slm: vec![0; crate::shared::SLM_BYTES.max(d.slm_bytes)],
        writes: 0,
        window: None,
        surfaces: Vec::new(),
        pixel: None,
        urb: None,
        sampler_state: (state.dynamic_state_base + u64::from(d.sampler_state)) & GPU_ADDR_MASK,
        dynamic_state_base: state.dynamic_state_base,
    }
}

/// r0.5 of thread `slot`: its scratch space (bits 31:10, an offset from General State
/// Base: MEDIA_VFE_STATE's Scratch Space Base Pointer plus `slot` times Per Thread Scratch
/// Space, 1 KiB << the field) and its slot (bits 9:0). Groups run one at a time, so a
/// thread's index in its group is a slot no running thread shares.
fn scratch_pointer(state: &RenderState, slot: u32) -> u32 {
    let Some(v) = state.vfe.as_deref() else {
        return slot & 0x3ff;
    };
    let base = v.first().map_or(0, |d| d & !0x3ff);
    let per_thread = 1024u32 << v.first().map_or(0, |d| d & 0xf).min(11);
    base.wrapping_add(slot.wrapping_mul(per_thread)) & !0x3ff | slot & 0x3ff
}

/// GPGPU_WALKER: runs every thread group of the walk, one group at a time.
pub(super) fn walker(state: &RenderState, dw: &[u32], env: &mut Env<'_>) -> Result<(), EuError> {
    if dw.len() < 15 {
        return Err(EuError::new(format!(
            "GPGPU_WALKER with {} dwords",
            dw.len()
        )));
    }
    if dw[0] & (1 << 8) != 0 {
        return Err(EuError::new("predicated GPGPU_WALKER"));
    }
    if dw[0] & (1 << 10) != 0 {
        return Err(EuError::new("GPGPU_WALKER with indirect parameters"));
    }
    let d = descriptor(state, dw[1] & 0x3f, env.bt_pointer_18_8)?;
    // The constants come from the indirect data when the walker names some (laid out as
    // the CURBE is: cross-thread data, then each thread's block), else from the CURBE.
    let indirect_len = (dw[2] & 0x1ffff) as usize;
    let indirect;
    let constants: &[u8] = if indirect_len > 0 {
        let at = state.indirect_object_base + u64::from(dw[3] & !0x3f);
        indirect = super::read_bytes(env.space, at, indirect_len)?;
        &indirect
    } else {
        &state.curbe
    };
    let (tw, th, td) = (
        (dw[4] & 0x3f) + 1,
        (dw[4] >> 8 & 0x3f) + 1,
        (dw[4] >> 16 & 0x3f) + 1,
    );
    let simd_mask: u32 = match dw[4] >> 30 {
        0 => 0xff,
        1 => 0xffff,
        2 => u32::MAX,
        _ => return Err(EuError::new("GPGPU_WALKER SIMD size")),
    };
    let threads = tw * th * td;
    if threads > MAX_GROUP_THREADS {
        return Err(EuError::new(format!(
            "{threads} threads in one thread group"
        )));
    }
    let (x0, x1) = (dw[5], dw[7]);
    let (y0, y1) = (dw[8], dw[10]);
    let (z0, z1) = (dw[11], dw[12]);
    let (right, bottom) = (dw[13], dw[14]);
    let mut kernel = Kernel::new(env.space, d.kernel);
    let mut dp = dataport(state, &d, env);
    // One register file per thread of a group, reused group after group.
    let mut group: Vec<Thread> = (0..threads).map(|_| Thread::new(0)).collect();
    for z in z0..z1 {
        for y in y0..y1 {
            for x in x0..x1 {
                for t in 0..threads {
                    let (lx, ly) = (t % tw, t / tw % th);
                    let mut mask = simd_mask;
                    if lx == tw - 1 {
                        mask &= right;
                    }
                    if ly == th - 1 {
                        mask &= bottom;
                    }
                    let th_ = &mut group[t as usize];
                    th_.reset(mask);
                    th_.set_grf_ud(0, 1, x);
                    th_.set_grf_ud(0, 6, y);
                    th_.set_grf_ud(0, 7, z);
                    // r0.2 bits 7:0: the thread's index in its group (barrier bookkeeping).
                    th_.set_grf_ud(0, 2, t);
                    th_.set_grf_ud(0, 5, scratch_pointer(state, t));
                    // In memory the cross-thread data comes first, then one block per
                    // thread. In the registers, CURBE constants keep that order (Mesa's
                    // push constants, then its per-thread subgroup id), while a walker's
                    // indirect data puts the thread's own block first (IGC's local ids in
                    // r1.., its cross-thread arguments after them).
                    let per_from =
                        d.read_offset + d.cross_thread_regs + t as usize * d.per_thread_regs;
                    let (cross_to, per_to) = if indirect_len > 0 {
                        (1 + d.per_thread_regs, 1)
                    } else {
                        (1, 1 + d.cross_thread_regs)
                    };
                    load_constants(th_, constants, d.read_offset, d.cross_thread_regs, cross_to)?;
                    load_constants(th_, constants, per_from, d.per_thread_regs, per_to)?;
                }
                dp.slm.iter_mut().for_each(|b| *b = 0);
                run_group(&mut group, &mut kernel, &mut dp, &mut || (env.tick)(false))?;
                (env.tick)(true)?;
            }
        }
    }
    env.writes += dp.writes;
    Ok(())
}

/// MEDIA_OBJECT: one SIMD16 thread with the CURBE constants and the inline data.
pub(super) fn media_object(
    state: &RenderState,
    dw: &[u32],
    env: &mut Env<'_>,
) -> Result<(), EuError> {
    if dw.len() < 6 {
        return Err(EuError::new(format!(
            "MEDIA_OBJECT with {} dwords",
            dw.len()
        )));
    }
    if dw[2] & 0x1ffff != 0 {
        return Err(EuError::new("MEDIA_OBJECT with indirect data"));
    }
    if dw[2] >> 31 != 0 {
        return Err(EuError::new("MEDIA_OBJECT with child threads"));
    }
    let d = descriptor(state, dw[1] & 0x3f, env.bt_pointer_18_8)?;
    let mut t = Thread::new(0xffff);
    t.set_grf_ud(0, 5, scratch_pointer(state, 0));
    let consts = d.cross_thread_regs + d.per_thread_regs;
    load_constants(&mut t, &state.curbe, d.read_offset, consts, 1)?;
    let inline = &dw[6..];
    let first = 1 + consts;
    if first + inline.len().div_ceil(8) > 128 {
        return Err(EuError::new(
            "MEDIA_OBJECT inline data past the register file",
        ));
    }
    for (i, &v) in inline.iter().enumerate() {
        t.set_grf_ud(first + i / 8, i % 8, v);
    }
    let mut kernel = Kernel::new(env.space, d.kernel);
    let mut dp = dataport(state, &d, env);
    run_group(
        std::slice::from_mut(&mut t),
        &mut kernel,
        &mut dp,
        &mut || (env.tick)(false),
    )?;
    (env.tick)(true)?;
    env.writes += dp.writes;
    Ok(())
}
