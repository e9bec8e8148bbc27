//! Attribute setup (SBE): which VUE slots become the pixel shader's inputs and the plane
//! coefficients the shader interpolates them with.
//!
//! Attribute `i` comes from VUE slot `2 × read offset + i` (3DSTATE_SBE's Vertex URB Entry
//! Read Offset counts pairs of slots), or from the slot 3DSTATE_SBE_SWIZ names when the
//! swizzle is enabled. Each attribute takes two registers of setup data: components X and
//! Y in the first (dwords 0-3 and 4-7), Z and W in the second. Per component the four
//! dwords are P, Q, unused, R, so that the shader computes `R + P·b1 + Q·b2` from the
//! barycentric coordinates b1, b2 of vertices 1 and 2: P = a1 − a0, Q = a2 − a0, R = a0.
//! A constant-interpolated (flat) component has P = Q = 0 and R the provoking vertex's
//! value.

use super::primitive::Prim;
use super::state::State3d;
use super::vertex_fetch::Vue;
use crate::eu::EuError;

/// Registers of setup data per attribute.
pub(crate) const REGS_PER_ATTRIBUTE: usize = 2;

/// The attribute setup of a draw.
pub(crate) struct Sbe {
    /// The VUE slot of each attribute.
    slots: Vec<usize>,
    /// Attributes interpolated as constants (bit per attribute).
    flat: u32,
}

impl Sbe {
    /// Decodes 3DSTATE_SBE (and 3DSTATE_SBE_SWIZ).
    pub fn new(s: &State3d<'_>) -> Result<Sbe, EuError> {
        let sbe = s.cmd("3DSTATE_SBE");
        let n = sbe.bits(1, 27, 22) as usize;
        let read_offset = sbe.bits(1, 10, 5) as usize * 2;
        if sbe.bits(1, 19, 16) != 0 {
            return Err(EuError::new(
                "3DSTATE_SBE primitive ID override is not modelled",
            ));
        }
        if sbe.dw(2) != 0 {
            return Err(EuError::new(
                "3DSTATE_SBE point sprite coordinates are not modelled",
            ));
        }
        for i in 0..n {
            // Two bits per attribute: 3 is XYZW, the layout modelled here.
            let f = sbe.dw(4 + i / 16) >> (2 * (i % 16)) & 3;
            if f != 3 {
                return Err(EuError::new(format!(
                    "3DSTATE_SBE attribute {i} active component format {f} is not modelled"
                )));
            }
        }
        let swiz = s.cmd("3DSTATE_SBE_SWIZ");
        let mut slots = Vec::with_capacity(n);
        for i in 0..n {
            if !sbe.bit(1, 21) {
                slots.push(read_offset + i);
                continue;
            }
            if i >= 16 {
                return Err(EuError::new(format!(
                    "swizzled attribute {i}: only 16 have swizzle controls"
                )));
            }
            let e = swiz.dw(1 + i / 2) >> (16 * (i % 2)) & 0xffff;
            // Bits 4:0 the source attribute; 7:6 the select, 11 the control mode and
            // 15:12 the component overrides must be zero for a plain copy.
            if e & !0x1f != 0 {
                return Err(EuError::new(format!(
                    "3DSTATE_SBE_SWIZ attribute {i} control {e:#06x} is not modelled"
                )));
            }
            slots.push(read_offset + (e & 0x1f) as usize);
        }
        Ok(Sbe {
            slots,
            flat: sbe.dw(3),
        })
    }

    /// The setup data of primitive `p` (its VUEs in `vues`): 16 dwords per attribute.
    pub fn setup(&self, p: &Prim, vues: &[Vue]) -> Vec<[u32; 16]> {
        let slot = |v: usize, s: usize| -> [f32; 4] {
            vues.get(v)
                .and_then(|vue| vue.get(s))
                .copied()
                .unwrap_or([0; 4])
                .map(f32::from_bits)
        };
        self.slots
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let mut d = [0u32; 16];
                let flat = self.flat >> i & 1 != 0;
                let a = [slot(p.vue[0], s), slot(p.vue[1], s), slot(p.vue[2], s)];
                let pv = slot(p.provoking, s);
                for c in 0..4 {
                    let at = (c / 2) * 8 + (c % 2) * 4;
                    if flat {
                        // The provoking vertex's bits, unchanged (integers pass through).
                        d[at + 3] = pv[c].to_bits();
                    } else {
                        d[at] = (a[1][c] - a[0][c]).to_bits();
                        d[at + 1] = (a[2][c] - a[0][c]).to_bits();
                        d[at + 3] = a[0][c].to_bits();
                    }
                }
                d
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::primitive::{Prim, ScreenVertex};
    use super::*;
    use crate::render::{commands::state_header, RenderState};

    #[test]
    fn flat_and_barycentric_plane_coefficients() {
        let mut r = RenderState::default();
        // Two attributes from VUE slot 2 on (read offset 1), the second flat.
        r.state_3d.insert(
            state_header("3DSTATE_SBE").unwrap(),
            vec![2 << 22 | 1 << 11 | 1 << 5, 0, 0b10, u32::MAX, u32::MAX],
        );
        let s = State3d::new(&r);
        let sbe = Sbe::new(&s).unwrap();
        let f = |v: f32| v.to_bits();
        let vue = |a: f32, b: u32| vec![[0; 4], [0; 4], [f(a), f(2.0 * a), 0, 0], [b, 0, 0, 0]];
        let vues = vec![vue(1.0, 10), vue(4.0, 20), vue(9.0, 30)];
        let v = ScreenVertex {
            x: 0.0,
            y: 0.0,
            z: 0.0,
            inv_w: 1.0,
        };
        let p = Prim {
            v: [v; 3],
            vue: [0, 1, 2],
            provoking: 1,
            rect: false,
            line: false,
            front: true,
        };
        let d = sbe.setup(&p, &vues);
        // X: P = a1 - a0, Q = a2 - a0, R = a0; Y likewise at dwords 4-7.
        assert_eq!(&d[0][0..4], &[f(3.0), f(8.0), 0, f(1.0)]);
        assert_eq!(&d[0][4..8], &[f(6.0), f(16.0), 0, f(2.0)]);
        // Flat: only R, the provoking vertex's bits.
        assert_eq!(&d[1][0..4], &[0, 0, 0, 20]);
    }

    #[test]
    fn unmodelled_sbe_controls_hang_naming_them() {
        let mut r = RenderState::default();
        r.state_3d.insert(
            state_header("3DSTATE_SBE").unwrap(),
            vec![1 << 22, 0, 0, 0b01, 0],
        );
        let e = Sbe::new(&State3d::new(&r)).err().unwrap();
        assert!(e.0.contains("active component format"), "{e}");
    }
}
