//! Typed reads of the 3D state a context keeps ([`RenderState::state_3d`]): a command never
//! programmed reads as zeros, the hardware's default context image.

use crate::eu::EuError;
use crate::mem::{read_mem, AddressSpace, GPU_ADDR_MASK};
use crate::render::{commands, RenderState};

/// One kept 3D state command, addressed by dword as in the command (dword 0 is the header,
/// which is not kept).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cmd<'a>(&'a [u32]);

impl Cmd<'_> {
    /// Dword `i` of the command (zero when the command was shorter or never sent).
    pub fn dw(&self, i: usize) -> u32 {
        i.checked_sub(1)
            .and_then(|i| self.0.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// Bits `hi:lo` of dword `i`.
    pub fn bits(&self, i: usize, hi: u32, lo: u32) -> u32 {
        let v = self.dw(i) >> lo;
        if hi - lo >= 31 {
            v
        } else {
            v & ((1 << (hi - lo + 1)) - 1)
        }
    }

    /// Bit `b` of dword `i`.
    pub fn bit(&self, i: usize, b: u32) -> bool {
        self.dw(i) >> b & 1 != 0
    }
}

/// Whether 3DSTATE_MULTISAMPLE asks for more than one sample per pixel (bits 3:1 hold
/// log2 of the count).
fn s_multisampled(s: &State3d<'_>) -> bool {
    s.cmd("3DSTATE_MULTISAMPLE").bits(1, 3, 1) != 0
}

/// The render state of a draw.
pub(crate) struct State3d<'a> {
    /// The context's render state.
    pub r: &'a RenderState,
}

impl<'a> State3d<'a> {
    /// The draw's state.
    pub fn new(r: &'a RenderState) -> State3d<'a> {
        State3d { r }
    }

    /// The command `name` as last programmed.
    pub fn cmd(&self, name: &str) -> Cmd<'a> {
        let header = commands::state_header(name).expect("a 3D state command of the table");
        Cmd(self
            .r
            .state_3d
            .get(&header)
            .map_or(&[][..], |v| v.as_slice()))
    }

    /// Checks that no stage the model lacks is enabled: each one enabled is a hang that
    /// names it.
    pub fn check_stages(&self) -> Result<(), EuError> {
        let on = [
            (
                "3DSTATE_HS",
                self.cmd("3DSTATE_HS").bit(2, 31),
                "hull shader",
            ),
            (
                "3DSTATE_TE",
                self.cmd("3DSTATE_TE").bit(1, 0),
                "tessellator",
            ),
            (
                "3DSTATE_DS",
                self.cmd("3DSTATE_DS").bit(7, 0),
                "domain shader",
            ),
            (
                "3DSTATE_GS",
                self.cmd("3DSTATE_GS").bit(7, 0),
                "geometry shader",
            ),
            (
                "3DSTATE_STREAMOUT",
                self.cmd("3DSTATE_STREAMOUT").bit(1, 31),
                "stream output",
            ),
        ];
        if self.cmd("3DSTATE_DEPTH_BOUNDS").bit(1, 0) {
            return Err(EuError::new(
                "3DPRIMITIVE with the depth bounds test (3DSTATE_DEPTH_BOUNDS): not modelled yet",
            ));
        }
        if s_multisampled(self) {
            return Err(EuError::new(
                "3DPRIMITIVE with multisampled rasterization (3DSTATE_MULTISAMPLE): not modelled yet",
            ));
        }
        for (cmd, enabled, what) in on {
            if enabled {
                return Err(EuError::new(format!(
                    "3DPRIMITIVE with the {what} enabled ({cmd}): not modelled yet"
                )));
            }
        }
        Ok(())
    }

    /// The push constants of shader stage `stage` (0 VS .. 4 PS): every buffer's
    /// registers in order.
    pub fn push_constants(
        &self,
        space: &dyn AddressSpace,
        stage: usize,
    ) -> Result<Vec<u8>, EuError> {
        let mut data = Vec::new();
        for &(addr, regs) in &self.r.push_constants[stage] {
            let at = data.len();
            data.resize(at + 32 * regs as usize, 0);
            read_mem(space, addr, &mut data[at..])
                .map_err(|f| EuError::new(format!("push constant fault at {:#x}", f.addr)))?;
        }
        Ok(data)
    }

    /// Reads `n` dwords of dynamic state at `offset` from Dynamic State Base Address.
    pub fn dynamic(
        &self,
        space: &dyn AddressSpace,
        offset: u32,
        n: usize,
        what: &str,
    ) -> Result<Vec<u32>, EuError> {
        let mut b = vec![0u8; 4 * n];
        let at = (self.r.dynamic_state_base + u64::from(offset)) & GPU_ADDR_MASK;
        read_mem(space, at, &mut b)
            .map_err(|f| EuError::new(format!("{what} fault at {:#x}", f.addr)))?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect())
    }
}
