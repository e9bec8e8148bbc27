//! Vertex fetch (VF): each vertex of a draw becomes a vertex URB entry (VUE) of 4-dword
//! slots, one slot per valid vertex element in order, from 3DSTATE_VERTEX_BUFFERS,
//! 3DSTATE_VERTEX_ELEMENTS, 3DSTATE_INDEX_BUFFER, 3DSTATE_VF_INSTANCING and
//! 3DSTATE_VF_SGVS (VertexID and InstanceID written into an element's component). An
//! index equal to 3DSTATE_VF's enabled cut index (primitive restart) ends a run of
//! vertices: strips and fans start again after it.
//!
//! With the vertex shader disabled the VUE goes on as it is: slot 0 is the VUE header,
//! slot 1 the position, and the rest are the attributes the SBE reads.

use super::state::State3d;
use super::Primitive;
use crate::eu::EuError;
use crate::mem::{read_mem, AddressSpace, GPU_ADDR_MASK};
use crate::surface::{ChannelKind, TexelFormat};

/// A vertex URB entry: 4-dword slots.
pub(crate) type Vue = Vec<[u32; 4]>;

/// Most vertex elements (VERTEX_ELEMENT_STATE entries) Gen12 fetches.
const MAX_ELEMENTS: usize = 34;

/// One VERTEX_ELEMENT_STATE.
#[derive(Clone, Copy, Debug)]
struct Element {
    buffer: u32,
    format: TexelFormat,
    /// The integers fetched become floats of the same value (the SSCALED/USCALED formats).
    scaled: bool,
    offset: u32,
    /// Component controls: 0 no store, 1 source, 2 zero, 3 1.0, 4 integer 1.
    control: [u32; 4],
    /// Per-instance data: (enabled, step rate).
    instancing: (bool, u32),
}

/// One VERTEX_BUFFER_STATE.
#[derive(Clone, Copy, Debug)]
struct Buffer {
    addr: u64,
    pitch: u64,
    size: u64,
}

/// The vertex formats the fetcher converts: the typed-message formats, the
/// three-channel 32-bit ones vertex buffers use, and the scaled integer formats (stored
/// as integers, fetched as their values in float: IGT's render copy gives positions as
/// R16G16_SSCALED). The flag says the format is scaled.
fn vertex_format(f: u32) -> Option<(TexelFormat, bool)> {
    let int = |channels, bits, kind| TexelFormat {
        channels,
        bits,
        kind,
        bgra: false,
        srgb: false,
    };
    Some(match f {
        0x040 => (int(3, 32, ChannelKind::Float), false),
        0x041 => (int(3, 32, ChannelKind::Sint), false),
        0x042 => (int(3, 32, ChannelKind::Uint), false),
        // R8G8B8A8, R16G16 and R32 SSCALED / USCALED.
        0x0f4 => (int(4, 8, ChannelKind::Sint), true),
        0x0f5 => (int(4, 8, ChannelKind::Uint), true),
        0x0f6 => (int(2, 16, ChannelKind::Sint), true),
        0x0f7 => (int(2, 16, ChannelKind::Uint), true),
        0x0f8 => (int(1, 32, ChannelKind::Sint), true),
        0x0f9 => (int(1, 32, ChannelKind::Uint), true),
        _ => (TexelFormat::of(f).filter(|t| !t.srgb)?, false),
    })
}

/// The vertex fetch state of one draw, decoded once.
pub(crate) struct Fetch<'a> {
    space: &'a dyn AddressSpace,
    elements: Vec<Element>,
    buffers: Vec<Option<Buffer>>,
    /// Index buffer: (address, bytes per index, size in bytes).
    index: Option<(u64, u64, u64)>,
    /// VertexID: (element, component).
    vertex_id: Option<(usize, usize)>,
    /// InstanceID: (element, component).
    instance_id: Option<(usize, usize)>,
    /// The index that cuts strips (primitive restart), when enabled.
    cut_index: Option<u32>,
}

impl<'a> Fetch<'a> {
    /// Decodes the vertex fetch state.
    pub fn new(s: &State3d<'_>, space: &'a dyn AddressSpace) -> Result<Fetch<'a>, EuError> {
        let ve = s.cmd("3DSTATE_VERTEX_ELEMENTS");
        let n =
            s.r.state_3d
                .get(&crate::render::commands::state_header("3DSTATE_VERTEX_ELEMENTS").unwrap())
                .map_or(0, |v| v.len() / 2)
                .min(MAX_ELEMENTS);
        let packing = s.cmd("3DSTATE_VF_COMPONENT_PACKING");
        if (1..=4).any(|i| packing.dw(i) != 0) {
            return Err(EuError::new(
                "3DSTATE_VF_COMPONENT_PACKING with packed components is not modelled",
            ));
        }
        let mut elements = Vec::new();
        for i in 0..n {
            let (d0, d1) = (ve.dw(1 + 2 * i), ve.dw(2 + 2 * i));
            if d0 >> 25 & 1 == 0 {
                // An invalid element stores nothing.
                continue;
            }
            let fmt_num = d0 >> 16 & 0x1ff;
            let control = [d1 >> 28 & 7, d1 >> 24 & 7, d1 >> 20 & 7, d1 >> 16 & 7];
            let sources = control.contains(&1);
            let (format, scaled) = match vertex_format(fmt_num) {
                Some(f) => f,
                // A format nobody reads (every component stored as a constant) is fine.
                None if !sources => (TexelFormat::of(0).unwrap(), false),
                None => {
                    return Err(EuError::new(format!(
                        "vertex element format {fmt_num:#x} is not modelled"
                    )))
                }
            };
            if let Some(c) = control.iter().find(|&&c| !matches!(c, 0..=4)) {
                return Err(EuError::new(format!(
                    "vertex component control {c} is not modelled"
                )));
            }
            let inst =
                s.r.vf_instancing
                    .get(&(i as u32))
                    .copied()
                    .unwrap_or([0, 0]);
            elements.push(Element {
                buffer: d0 >> 26,
                format,
                scaled,
                offset: d0 & 0xfff,
                control,
                instancing: (inst[0] >> 8 & 1 != 0, inst[1]),
            });
        }
        let buffers = (0..33)
            .map(|i| {
                s.r.vertex_buffers.get(&i).and_then(|b| {
                    // Bit 13: a null vertex buffer (its fetches read zeros).
                    (b[0] >> 13 & 1 == 0).then(|| Buffer {
                        addr: (u64::from(b[2]) << 32 | u64::from(b[1])) & GPU_ADDR_MASK,
                        pitch: u64::from(b[0] & 0xfff),
                        size: u64::from(b[3]),
                    })
                })
            })
            .collect();
        let ib = s.cmd("3DSTATE_INDEX_BUFFER");
        let index = {
            let bytes = match ib.bits(1, 9, 8) {
                0 => 1,
                1 => 2,
                2 => 4,
                f => return Err(EuError::new(format!("index format {f}"))),
            };
            let addr = (u64::from(ib.dw(3)) << 32 | u64::from(ib.dw(2))) & GPU_ADDR_MASK;
            Some((addr, bytes, u64::from(ib.dw(4))))
        };
        let sgvs = s.cmd("3DSTATE_VF_SGVS");
        let vertex_id = sgvs
            .bit(1, 15)
            .then(|| (sgvs.bits(1, 5, 0) as usize, sgvs.bits(1, 14, 13) as usize));
        let instance_id = sgvs
            .bit(1, 31)
            .then(|| (sgvs.bits(1, 21, 16) as usize, sgvs.bits(1, 30, 29) as usize));
        Ok(Fetch {
            space,
            elements,
            buffers,
            index,
            vertex_id,
            instance_id,
            cut_index: s.r.cut_index,
        })
    }

    /// Bytes one fetched vertex occupies: its VUE's slots and the vector holding them.
    pub fn vue_bytes(&self) -> u64 {
        (self.elements.len() * std::mem::size_of::<[u32; 4]>() + std::mem::size_of::<Vue>()) as u64
    }

    /// The VUEs of every vertex of instance `i` of the draw, in vertex order, in runs
    /// that the cut index (primitive restart) separates: each run is assembled on its own.
    pub fn instance(&self, p: &Primitive, i: u32) -> Result<Vec<Vec<Vue>>, EuError> {
        let mut runs = vec![Vec::new()];
        for k in 0..p.vertex_count {
            let n = p.start_vertex.wrapping_add(k);
            let vertex = if p.indexed {
                let idx = self.read_index(n)?;
                if let Some(cut) = self.cut_index {
                    let (_, bytes, _) = self.index.expect("an index buffer state");
                    let mask = (1u64 << (8 * bytes)) - 1;
                    if u64::from(idx) == u64::from(cut) & mask {
                        runs.push(Vec::new());
                        continue;
                    }
                }
                (idx as i64 + i64::from(p.base_vertex)) as u32
            } else {
                n
            };
            let vue = self.vertex(vertex, i, p.start_instance)?;
            runs.last_mut().expect("a run").push(vue);
        }
        runs.retain(|r| !r.is_empty());
        Ok(runs)
    }

    fn read_index(&self, n: u32) -> Result<u32, EuError> {
        let (addr, bytes, size) = self.index.expect("an index buffer state");
        let off = u64::from(n) * bytes;
        if off + bytes > size {
            // Past the index buffer the hardware fetches index 0.
            return Ok(0);
        }
        let mut b = [0u8; 4];
        read_mem(self.space, addr + off, &mut b[..bytes as usize])
            .map_err(|f| EuError::new(format!("index buffer fault at {:#x}", f.addr)))?;
        Ok(u32::from_le_bytes(b))
    }

    /// The VUE of vertex `vertex` (its index) of instance `instance`.
    fn vertex(&self, vertex: u32, instance: u32, start_instance: u32) -> Result<Vue, EuError> {
        let mut vue = Vec::with_capacity(self.elements.len());
        for (e_i, e) in self.elements.iter().enumerate() {
            let element = if e.instancing.0 {
                start_instance + instance.checked_div(e.instancing.1).unwrap_or(0)
            } else {
                vertex
            };
            let mut src = [0u32, 0, 0, e.format.default_channel(3)];
            if e.control.contains(&1) {
                if let Some(b) = self.buffers.get(e.buffer as usize).copied().flatten() {
                    let off = u64::from(element) * b.pitch + u64::from(e.offset);
                    let n = e.format.bytes() as u64;
                    // Out of the buffer's size, a fetch reads zeros.
                    if off + n <= b.size {
                        let mut t = [0u8; 16];
                        read_mem(
                            self.space,
                            (b.addr + off) & GPU_ADDR_MASK,
                            &mut t[..n as usize],
                        )
                        .map_err(|f| {
                            EuError::new(format!("vertex buffer fault at {:#x}", f.addr))
                        })?;
                        src = e.format.unpack(&t[..n as usize]);
                    } else {
                        src = [0; 4];
                    }
                } else {
                    src = [0; 4];
                }
            }
            if e.scaled {
                let signed = e.format.kind == ChannelKind::Sint;
                for v in &mut src {
                    *v = if signed {
                        (*v as i32 as f32).to_bits()
                    } else {
                        (*v as f32).to_bits()
                    };
                }
            }
            let mut slot = [0u32; 4];
            for c in 0..4 {
                slot[c] = match e.control[c] {
                    1 => src[c],
                    3 => 1f32.to_bits(),
                    4 => 1,
                    _ => 0,
                };
            }
            if self.vertex_id.is_some_and(|(el, _)| el == e_i) {
                slot[self.vertex_id.unwrap().1] = vertex;
            }
            if self.instance_id.is_some_and(|(el, _)| el == e_i) {
                slot[self.instance_id.unwrap().1] = instance;
            }
            vue.push(slot);
        }
        Ok(vue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{commands::state_header, RenderState};
    use crate::testing::SparseSpace;

    const VB: u64 = 0x1_0000;
    const IB: u64 = 0x2_0000;

    fn put(space: &SparseSpace, addr: u64, dwords: &[u32]) {
        let b: Vec<u8> = dwords.iter().flat_map(|d| d.to_le_bytes()).collect();
        crate::mem::write_mem(space, addr, &b).unwrap();
    }

    /// Two elements from one buffer of stride 12 (an RG32_FLOAT position and an
    /// RGBA8_UNORM colour), a third from a per-instance buffer; VertexID in element 0's Z,
    /// InstanceID in its W.
    fn state() -> RenderState {
        let mut r = RenderState::default();
        r.vertex_buffers.insert(0, [1 << 14 | 12, VB as u32, 0, 48]);
        r.vertex_buffers
            .insert(1, [1 << 26 | 1 << 14 | 4, (VB + 0x100) as u32, 0, 8]);
        let ve = vec![
            1 << 25 | 0x85 << 16,
            0x1100_0000,
            1 << 25 | 0xc7 << 16 | 8,
            0x1111_0000,
            1 << 26 | 1 << 25 | 0xd7 << 16,
            0x1234_0000,
        ];
        r.state_3d
            .insert(state_header("3DSTATE_VERTEX_ELEMENTS").unwrap(), ve);
        r.vf_instancing.insert(2, [2 | 1 << 8, 1]);
        r.state_3d.insert(
            state_header("3DSTATE_VF_SGVS").unwrap(),
            vec![1 << 31 | 3 << 29 | 1 << 15 | 2 << 13],
        );
        r.state_3d.insert(
            state_header("3DSTATE_INDEX_BUFFER").unwrap(),
            vec![1 << 8, IB as u32, 0, 8],
        );
        r
    }

    #[test]
    fn elements_formats_component_controls_and_system_values() {
        let space = SparseSpace::new();
        space.bind(0, 0x10_0000);
        let f = |v: f32| v.to_bits();
        put(
            &space,
            VB,
            &[f(1.5), f(-2.0), 0x80ff_4000, f(3.0), f(4.0), 0xffff_ffff],
        );
        put(&space, VB + 0x100, &[70, 71]);
        put(&space, IB, &[1, 3 | 1 << 16]);
        let r = state();
        let s = State3d::new(&r);
        let fetch = Fetch::new(&s, &space).unwrap();
        let p = Primitive {
            indexed: true,
            vertex_count: 3,
            start_vertex: 0,
            instance_count: 2,
            start_instance: 0,
            base_vertex: 0,
        };
        let vues = fetch.instance(&p, 1).unwrap().remove(0);
        // Index 1: the second vertex; VertexID 1 in Z, InstanceID 1 in W.
        assert_eq!(vues[0][0], [f(3.0), f(4.0), 1, 1]);
        assert_eq!(vues[0][1], [f(1.0), f(1.0), f(1.0), f(1.0)]);
        // Per-instance data, component controls (store source, 0, 1.0, 1) and R32_UINT.
        assert_eq!(vues[0][2], [71, 0, f(1.0), 1]);
        // Index 0: RGBA8_UNORM 0x80ff4000 is (0, 0.25, 1, 0.5).
        assert_eq!(
            vues[1][1],
            [f(0.0), f(64.0 / 255.0), f(1.0), f(128.0 / 255.0)]
        );
        // Index 3 is past the 48-byte buffer: zeros.
        assert_eq!(vues[2][0], [0, 0, 3, 1]);
    }

    #[test]
    fn the_cut_index_splits_runs() {
        let space = SparseSpace::new();
        space.bind(0, 0x10_0000);
        put(&space, IB, &[1 | 0xffff << 16, 2 | 3 << 16]);
        let mut r = state();
        r.cut_index = Some(0xffff_ffff);
        let s = State3d::new(&r);
        let fetch = Fetch::new(&s, &space).unwrap();
        let p = Primitive {
            indexed: true,
            vertex_count: 4,
            start_vertex: 0,
            instance_count: 1,
            start_instance: 0,
            base_vertex: 0,
        };
        let runs = fetch.instance(&p, 0).unwrap();
        // VertexID (element 0's Z) of each run's vertices.
        let ids: Vec<Vec<u32>> = runs
            .iter()
            .map(|r| r.iter().map(|v| v[0][2]).collect())
            .collect();
        assert_eq!(ids, vec![vec![1], vec![2, 3]]);
    }

    /// R16G16_SSCALED (IGT's render copy positions) and R8G8B8A8_USCALED give floats of
    /// the stored integers; a missing alpha is 1.0.
    #[test]
    fn scaled_formats_fetch_their_integers_as_floats() {
        let space = SparseSpace::new();
        space.bind(0, 0x10_0000);
        put(&space, VB, &[0x0007_fffd, 0x80ff_0203, 0]);
        let mut r = state();
        // No system values over element 0's Z and W.
        r.state_3d.remove(&state_header("3DSTATE_VF_SGVS").unwrap());
        r.state_3d.insert(
            state_header("3DSTATE_VERTEX_ELEMENTS").unwrap(),
            vec![
                1 << 25 | 0x0f6 << 16,
                0x1111_0000,
                1 << 25 | 0x0f5 << 16 | 4,
                0x1111_0000,
            ],
        );
        let s = State3d::new(&r);
        let fetch = Fetch::new(&s, &space).unwrap();
        let p = Primitive {
            indexed: false,
            vertex_count: 1,
            start_vertex: 0,
            instance_count: 1,
            start_instance: 0,
            base_vertex: 0,
        };
        let vue = fetch.instance(&p, 0).unwrap().remove(0).remove(0);
        let f = |v: f32| v.to_bits();
        assert_eq!(vue[0], [f(-3.0), f(7.0), f(0.0), f(1.0)]);
        assert_eq!(vue[1], [f(3.0), f(2.0), f(255.0), f(128.0)]);
    }

    #[test]
    fn unmodelled_vertex_formats_hang_naming_them() {
        let space = SparseSpace::new();
        let mut r = state();
        r.state_3d.insert(
            state_header("3DSTATE_VERTEX_ELEMENTS").unwrap(),
            // A format number the fetcher does not convert, read as a source.
            vec![1 << 25 | 0x0f3 << 16, 0x1100_0000],
        );
        let s = State3d::new(&r);
        let e = Fetch::new(&s, &space).err().unwrap();
        assert!(e.0.contains("vertex element format 0xf3"), "{e}");
    }
}
