//! The render engine's own commands: pipeline selection, state base addresses, the media /
//! GPGPU front end (VFE state, CURBE and interface descriptor loads, MEDIA_OBJECT and
//! GPGPU_WALKER, which run kernels on the EU), and the 3D state, which is kept per context
//! for the 3D pipeline.
//!
//! The state lives in [`RenderState`], part of the context's registers, so it persists
//! across batches of one context as the hardware's context image keeps it. A 3DPRIMITIVE
//! runs the 3D pipeline ([`crate::pipeline3d`]) with that state.

pub mod commands;
mod gpgpu;

use std::collections::BTreeMap;

use crate::eu::EuError;
use crate::mem::{read_mem, AddressSpace, GPU_ADDR_MASK};
pub use commands::Gfx;

/// Which pipeline PIPELINE_SELECT chose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pipeline {
    /// The 3D pipeline (the power-on default).
    #[default]
    ThreeD,
    /// The media pipeline (MEDIA_OBJECT).
    Media,
    /// The GPGPU pipeline (GPGPU_WALKER).
    Gpgpu,
}

/// The render engine's state of one context.
#[derive(Clone, Debug, Default)]
pub struct RenderState {
    /// The selected pipeline.
    pub pipeline: Pipeline,
    /// General State Base Address (stateless data port accesses).
    pub general_state_base: u64,
    /// Surface State Base Address (binding tables, surface states).
    pub surface_state_base: u64,
    /// Dynamic State Base Address (CURBE data, interface descriptors, samplers).
    pub dynamic_state_base: u64,
    /// Indirect Object Base Address.
    pub indirect_object_base: u64,
    /// Instruction Base Address (kernel start pointers).
    pub instruction_base: u64,
    /// Bindless Surface State Base Address.
    pub bindless_surface_base: u64,
    /// System instruction pointer (STATE_SIP).
    pub sip: u64,
    /// Binding Table Pool Base Address when 3DSTATE_BINDING_TABLE_POOL_ALLOC enabled a
    /// pool (binding table pointers are then relative to it, not to surface state).
    pub binding_table_pool: Option<u64>,
    /// MEDIA_VFE_STATE as last programmed (dwords after the header).
    pub vfe: Option<Vec<u32>>,
    /// Constant data loaded by MEDIA_CURBE_LOAD.
    pub curbe: Vec<u8>,
    /// Interface descriptors loaded by MEDIA_INTERFACE_DESCRIPTOR_LOAD (8 dwords each).
    pub descriptors: Vec<[u32; 8]>,
    /// The last value of every 3D state command (header without its length → dwords).
    pub state_3d: BTreeMap<u32, Vec<u32>>,
    /// VERTEX_BUFFER_STATE of each vertex buffer index (3DSTATE_VERTEX_BUFFERS updates the
    /// buffers it names and keeps the others).
    pub vertex_buffers: BTreeMap<u32, [u32; 4]>,
    /// 3DSTATE_VF_INSTANCING of each vertex element (dwords 1-2).
    pub vf_instancing: BTreeMap<u32, [u32; 2]>,
    /// 3DSTATE_VF's cut index, when its header enables it for indexed draws.
    pub cut_index: Option<u32>,
    /// Push constant buffers of each shader stage (VS, HS, DS, GS, PS), as
    /// 3DSTATE_CONSTANT_ALL or 3DSTATE_CONSTANT_XS last set them: (GPU address, 32-byte
    /// registers) in the order they are pushed.
    pub push_constants: [Vec<(u64, u32)>; 5],
}

/// What the command streamer lends the render engine for one command.
pub(crate) struct Env<'a> {
    pub space: &'a dyn AddressSpace,
    /// Called between thread groups and every few thousand EU instructions: stops the
    /// command (reset, watchdog) or records progress.
    pub tick: &'a mut dyn FnMut(bool) -> Result<(), EuError>,
    /// Memory writes performed (progress accounting of the streamer).
    pub writes: u64,
    /// GT_MODE's Binding Table Alignment: binding table pointers address bits 18:8.
    pub bt_pointer_18_8: bool,
}

/// Largest CURBE or interface descriptor load accepted (the hardware's CURBE is 64 KiB).
const MAX_LOAD: usize = 64 * 1024;

fn addr48(lo: u32, hi: u32) -> u64 {
    (u64::from(hi) << 32 | u64::from(lo & !0xfff)) & GPU_ADDR_MASK
}

/// A 64-bit address of 32-byte units in bits 63:5 of two dwords.
fn addr64(lo: u32, hi: u32) -> u64 {
    (u64::from(hi) << 32 | u64::from(lo & !0x1f)) & GPU_ADDR_MASK
}

fn read_bytes(space: &dyn AddressSpace, addr: u64, len: usize) -> Result<Vec<u8>, EuError> {
    let mut v = vec![0u8; len];
    read_mem(space, addr & GPU_ADDR_MASK, &mut v)
        .map_err(|f| EuError::new(format!("state load fault at {:#x}", f.addr)))?;
    Ok(v)
}

impl RenderState {
    /// Executes one GFXPIPE command (`dw[0]` is its header).
    pub(crate) fn execute(
        &mut self,
        gfx: Gfx,
        dw: &[u32],
        env: &mut Env<'_>,
    ) -> Result<(), EuError> {
        let need = |n: usize, what: &str| {
            if dw.len() >= n {
                Ok(())
            } else {
                Err(EuError::new(format!("{what} with {} dwords", dw.len())))
            }
        };
        match gfx {
            Gfx::PipelineSelect => {
                // Bits 9:8 are the write mask of the two pipeline-select bits.
                let mask = dw[0] >> 8 & 3;
                let sel = (self.pipeline_bits() & !mask) | (dw[0] & mask);
                self.pipeline = match sel {
                    0 => Pipeline::ThreeD,
                    1 => Pipeline::Media,
                    2 => Pipeline::Gpgpu,
                    _ => return Err(EuError::new("PIPELINE_SELECT of a reserved pipeline")),
                };
            }
            Gfx::VfStatistics | Gfx::MediaStateFlush => {}
            Gfx::StateBaseAddress => self.state_base_address(dw)?,
            Gfx::StateSip => {
                need(3, "STATE_SIP")?;
                self.sip = (u64::from(dw[2]) << 32 | u64::from(dw[1] & !0xf)) & GPU_ADDR_MASK;
            }
            Gfx::MediaVfeState => {
                need(9, "MEDIA_VFE_STATE")?;
                self.vfe = Some(dw[1..].to_vec());
            }
            Gfx::MediaCurbeLoad => {
                need(4, "MEDIA_CURBE_LOAD")?;
                let len = (dw[2] & 0x1ffff) as usize;
                if len > MAX_LOAD {
                    return Err(EuError::new("MEDIA_CURBE_LOAD larger than the CURBE"));
                }
                self.curbe =
                    read_bytes(env.space, self.dynamic_state_base + u64::from(dw[3]), len)?;
            }
            Gfx::MediaInterfaceDescriptorLoad => {
                need(4, "MEDIA_INTERFACE_DESCRIPTOR_LOAD")?;
                let len = (dw[2] & 0x1ffff) as usize;
                if len > MAX_LOAD || !len.is_multiple_of(32) {
                    return Err(EuError::new("MEDIA_INTERFACE_DESCRIPTOR_LOAD length"));
                }
                let at = self.dynamic_state_base + u64::from(dw[3] & !0x3f);
                let b = read_bytes(env.space, at, len)?;
                self.descriptors = b
                    .chunks_exact(32)
                    .map(|c| {
                        std::array::from_fn(|i| {
                            u32::from_le_bytes(c[4 * i..4 * i + 4].try_into().unwrap())
                        })
                    })
                    .collect();
            }
            // The dispatch commands go to the media/GPGPU front end whichever pipeline
            // PIPELINE_SELECT last chose: IGT's Tiger Lake compute batch selects with an
            // empty mask (no change) and its walker runs on the hardware.
            Gfx::MediaObject => gpgpu::media_object(self, dw, env)?,
            Gfx::GpgpuWalker => gpgpu::walker(self, dw, env)?,
            Gfx::State("3DSTATE_BINDING_TABLE_POOL_ALLOC") => {
                need(4, "3DSTATE_BINDING_TABLE_POOL_ALLOC")?;
                self.binding_table_pool = (dw[1] >> 11 & 1 != 0).then(|| addr48(dw[1], dw[2]));
                self.state_3d.insert(dw[0] & 0xffff_0000, dw[1..].to_vec());
            }
            Gfx::State("3DSTATE_VERTEX_BUFFERS") => {
                for b in dw[1..].chunks_exact(4) {
                    self.vertex_buffers
                        .insert(b[0] >> 26, [b[0], b[1], b[2], b[3]]);
                }
            }
            Gfx::State("3DSTATE_VF_INSTANCING") => {
                need(3, "3DSTATE_VF_INSTANCING")?;
                self.vf_instancing.insert(dw[1] & 0x3f, [dw[1], dw[2]]);
            }
            Gfx::State("3DSTATE_CONSTANT_ALL") => {
                need(2, "3DSTATE_CONSTANT_ALL")?;
                // Dword 1 bits 19:16: which buffer slots follow, two dwords each (read
                // length in registers in bits 4:0, the address in bits 63:5).
                let mask = dw[1] >> 16 & 0xf;
                let mut buffers = Vec::new();
                let mut at = 2;
                for _ in 0..mask.count_ones() {
                    need(at + 2, "3DSTATE_CONSTANT_ALL")?;
                    let len = dw[at] & 0x1f;
                    if len > 0 {
                        buffers.push((addr64(dw[at], dw[at + 1]), len));
                    }
                    at += 2;
                }
                for stage in 0..5 {
                    if dw[0] >> (8 + stage) & 1 != 0 {
                        self.push_constants[stage].clone_from(&buffers);
                    }
                }
            }
            Gfx::State(
                name @ ("3DSTATE_CONSTANT_VS"
                | "3DSTATE_CONSTANT_HS"
                | "3DSTATE_CONSTANT_DS"
                | "3DSTATE_CONSTANT_GS"
                | "3DSTATE_CONSTANT_PS"),
            ) => {
                need(11, name)?;
                let stage = ["VS", "HS", "DS", "GS", "PS"]
                    .iter()
                    .position(|s| name.ends_with(s))
                    .unwrap();
                // Read lengths in dwords 1-2 (16 bits each), addresses in dwords 3-10.
                // The addresses are taken as absolute: Mesa disables the constant buffer
                // address offset (INSTPM) on Gen9+.
                self.push_constants[stage] = (0..4)
                    .filter_map(|i| {
                        let len = dw[1 + i / 2] >> (16 * (i % 2)) & 0xffff;
                        (len > 0).then(|| (addr64(dw[3 + 2 * i], dw[4 + 2 * i]), len))
                    })
                    .collect();
            }
            Gfx::State("3DSTATE_WM_DEPTH_STENCIL") => {
                need(4, "3DSTATE_WM_DEPTH_STENCIL")?;
                // Gen12's modify-disable bits (header bits 12:8) keep parts of the old
                // state: (disable bit, dword, the bits it covers).
                const PARTS: [(u32, usize, u32); 5] = [
                    (8, 3, 0x0000_ffff),  // stencil reference values
                    (9, 2, 0xff00_ff00),  // stencil test masks
                    (10, 2, 0x00ff_00ff), // stencil write masks
                    (11, 1, 0xffff_ff1c), // stencil state
                    (12, 1, 0x0000_00e3), // depth state
                ];
                let key = dw[0] & 0xffff_0000;
                let mut v = self
                    .state_3d
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| vec![0; 3]);
                v.resize(3, 0);
                for (bit, i, mask) in PARTS {
                    if dw[0] >> bit & 1 == 0 {
                        v[i - 1] = v[i - 1] & !mask | dw[i] & mask;
                    }
                }
                self.state_3d.insert(key, v);
            }
            Gfx::State("3DSTATE_VF") => {
                need(2, "3DSTATE_VF")?;
                // Header bit 8: Indexed Draw Cut Index Enable.
                self.cut_index = (dw[0] >> 8 & 1 != 0).then_some(dw[1]);
                self.state_3d.insert(dw[0] & 0xffff_0000, dw[1..].to_vec());
            }
            Gfx::State("3DSTATE_WM_HZ_OP") => {
                self.state_3d.insert(dw[0] & 0xffff_0000, dw[1..].to_vec());
                crate::pipeline3d::hz_op(self, dw, env)?;
            }
            Gfx::State(_) => {
                self.state_3d.insert(dw[0] & 0xffff_0000, dw[1..].to_vec());
            }
            Gfx::Primitive => crate::pipeline3d::draw(self, dw, env)?,
        }
        Ok(())
    }

    fn pipeline_bits(&self) -> u32 {
        match self.pipeline {
            Pipeline::ThreeD => 0,
            Pipeline::Media => 1,
            Pipeline::Gpgpu => 2,
        }
    }

    /// STATE_BASE_ADDRESS: each base changes only when its modify-enable bit is set. The
    /// command may be shorter than Gen12's 22 dwords (older layouts end earlier).
    fn state_base_address(&mut self, dw: &[u32]) -> Result<(), EuError> {
        let pair = |i: usize| -> Option<u64> {
            let (lo, hi) = (*dw.get(i)?, *dw.get(i + 1)?);
            (lo & 1 != 0).then(|| addr48(lo, hi))
        };
        if dw.len() < 16 {
            return Err(EuError::new(format!(
                "STATE_BASE_ADDRESS with {} dwords",
                dw.len()
            )));
        }
        if let Some(a) = pair(1) {
            self.general_state_base = a;
        }
        if let Some(a) = pair(4) {
            self.surface_state_base = a;
        }
        if let Some(a) = pair(6) {
            self.dynamic_state_base = a;
        }
        if let Some(a) = pair(8) {
            self.indirect_object_base = a;
        }
        if let Some(a) = pair(10) {
            self.instruction_base = a;
        }
        if let Some(a) = pair(16) {
            self.bindless_surface_base = a;
        }
        Ok(())
    }
}
