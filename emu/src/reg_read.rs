//! REG_READ: the one register i915 lets user space read on Gen12, the render engine's
//! 64-bit timestamp (`i915_reg_read_ioctl`'s whitelist: RING_TIMESTAMP of the render
//! ring, 8 bytes, generations 4 to 12). Mesa and the compute runtime read it to correlate
//! GPU timestamps with the CPU clock.

use uapi::drm_i915_reg_read;

use crate::client::ClientMemory;
use crate::file::File;
use crate::{Errno, Result};

/// RING_TIMESTAMP of the render engine (lower dword; the upper is at +4).
pub const RENDER_RING_TIMESTAMP: u64 = 0x2358;
/// `I915_REG_READ_8B_WA`: read the 64-bit register as two 32-bit halves.
pub const REG_READ_8B_WA: u64 = 1;

impl File {
    /// IOCTL: reg_read: Read a whitelisted register: only the render timestamp, in CS
    /// timestamp ticks (19.2 MHz), either way of reading it; any other offset or flag is
    /// EINVAL.
    pub(crate) fn reg_read(&self, a: &mut drm_i915_reg_read, _: &dyn ClientMemory) -> Result<()> {
        // The entry matches when the offset, less its flag bits, is the register.
        if a.offset & !7 != RENDER_RING_TIMESTAMP {
            log::debug!("reg_read: {:#x} is not whitelisted", a.offset);
            return Err(Errno::EINVAL);
        }
        match a.offset & 7 {
            0 | REG_READ_8B_WA => {
                a.val = gpu_backend::regs::cs_timestamp();
                Ok(())
            }
            f => {
                log::debug!("reg_read: flags {f:#x} for an 8-byte register");
                Err(Errno::EINVAL)
            }
        }
    }
}
