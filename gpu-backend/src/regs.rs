//! Per-context register state (what a logical ring context image saves and restores) and
//! the MMIO register map the MI_LOAD/STORE_REGISTER commands address.
//!
//! `emu` creates one [`ContextRegs`] per (GEM context, engine) — i915's `intel_context` —
//! and passes the same `Arc<Mutex<ContextRegs>>` with every request of that pair. The engine
//! loads the state when a request starts and saves it back when it ends (like a context
//! switch), so `emu` may lock it between requests without blocking a running spinner.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

/// Frequency of the command streamer timestamp (`RING_TIMESTAMP`, post-sync timestamp
/// writes), as Tiger Lake reports it in `I915_PARAM_CS_TIMESTAMP_FREQUENCY`.
pub const CS_TIMESTAMP_HZ: u64 = 19_200_000;

/// Number of command streamer general purpose registers (64-bit each).
pub const GPR_COUNT: usize = 16;

/// Offset of `CS_GPR(0)` from the engine's MMIO base (render: 0x2600).
pub const GPR_OFFSET: u32 = 0x600;
/// Offset of `RING_TIMESTAMP` (low dword) from the engine's MMIO base; `+4` is the upper dword.
pub const TIMESTAMP_OFFSET: u32 = 0x358;
/// Offset of `RING_CTX_TIMESTAMP` from the engine's MMIO base.
pub const CTX_TIMESTAMP_OFFSET: u32 = 0x3a8;
/// `BCS_SWCTRL`: a masked register; bit 0 makes XY_SRC_COPY's tiled source Y-major, bit 1
/// its tiled destination (and XY_COLOR_BLT's) Y-major. Upper 16 bits are the write mask.
pub const BCS_SWCTRL: u32 = 0x22200;
/// `GT_MODE`: a masked register; bit 10 (Binding Table Alignment) makes binding table
/// pointers address bits 18:8 instead of 15:5.
pub const GT_MODE: u32 = 0x7008;
/// `GT_MODE` bit: binding table pointers are in 256-byte units.
pub const GT_MODE_BTP_18_8: u32 = 1 << 10;
/// `CS_CHICKEN1`: a masked register (its bits are accepted and kept).
pub const CS_CHICKEN1: u32 = 0x2580;

/// `BCS_SWCTRL` bit: tiled source is Y-major.
pub const BCS_SRC_Y: u32 = 1 << 0;
/// `BCS_SWCTRL` bit: tiled destination is Y-major.
pub const BCS_DST_Y: u32 = 1 << 1;

/// The command streamer timestamp now: 19.2 MHz ticks since the first call in this process.
pub fn cs_timestamp() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let ns = EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64;
    // 19.2 MHz = 12 ticks per 625 ns.
    ns / 625 * 12 + (ns % 625) * 12 / 625
}

/// The per-context hardware status page (one 4 KiB page, dword addressed) that
/// MI_STORE_DATA_INDEX and the store-index forms of MI_FLUSH_DW / PIPE_CONTROL write.
/// Shared by reference so `emu` may read it while a request runs.
#[derive(Debug)]
pub struct StatusPage([AtomicU32; 1024]);

impl Default for StatusPage {
    fn default() -> Self {
        StatusPage(std::array::from_fn(|_| AtomicU32::new(0)))
    }
}

impl StatusPage {
    /// Dword `index` (0..1024) of the page.
    pub fn read(&self, index: usize) -> u32 {
        self.0[index % 1024].load(Ordering::Relaxed)
    }

    /// Sets dword `index` (0..1024) of the page.
    pub fn write(&self, index: usize, v: u32) {
        self.0[index % 1024].store(v, Ordering::Relaxed)
    }
}

/// The blitter clip rectangle set by XY_SETUP_CLIP_BLT (pixels; top-left inclusive,
/// bottom-right exclusive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClipRect {
    /// Left edge.
    pub x1: i32,
    /// Top edge.
    pub y1: i32,
    /// Right edge (exclusive).
    pub x2: i32,
    /// Bottom edge (exclusive).
    pub y2: i32,
}

/// Register state of one logical context on one engine.
#[derive(Clone, Debug, Default)]
pub struct ContextRegs {
    /// `CS_GPR0..15`, 64-bit each (low dword at `base + 0x600 + 8n`, high at `+4`).
    pub gpr: [u64; GPR_COUNT],
    /// `BCS_SWCTRL` value (low 16 bits).
    pub bcs_swctrl: u32,
    /// Blitter clip rectangle.
    pub clip: ClipRect,
    /// Time this context has spent running on the engine, in CS timestamp ticks
    /// (`RING_CTX_TIMESTAMP` reads its low dword); updated when each request ends.
    pub runtime_ticks: u64,
    /// Every other register a batch wrote (offset → value), read back by SRM/LRR.
    /// Registers nobody wrote read as 0.
    pub other: HashMap<u32, u32>,
    /// The hardware status page.
    pub status_page: std::sync::Arc<StatusPage>,
    /// Render engine state (pipeline, base addresses, media/GPGPU and 3D state).
    pub render: crate::render::RenderState,
}

/// Register access for one running request: the context's registers plus the engine's
/// MMIO base, which locates the engine-relative registers.
pub(crate) struct RegFile<'a> {
    pub regs: &'a mut ContextRegs,
    pub mmio_base: u32,
    /// CS timestamp when the request started running (for `RING_CTX_TIMESTAMP`).
    pub started: u64,
}

impl RegFile<'_> {
    /// Resolves a register offset from a command: bits 22:2 of the dword; with "Add CS MMIO
    /// Start Offset" the offset is relative to the engine's MMIO base.
    pub fn resolve(&self, raw: u32, cs_mmio: bool) -> u32 {
        let off = raw & 0x7f_fffc;
        if cs_mmio {
            self.mmio_base + (off & 0xfff)
        } else {
            off
        }
    }

    fn gpr_slot(&self, off: u32) -> Option<(usize, bool)> {
        let rel = off.checked_sub(self.mmio_base + GPR_OFFSET)?;
        (rel < 8 * GPR_COUNT as u32).then_some(((rel / 8) as usize, rel % 8 == 4))
    }

    /// Reads the 32-bit register at `off`.
    pub fn read(&self, off: u32) -> u32 {
        if let Some((n, high)) = self.gpr_slot(off) {
            let v = self.regs.gpr[n];
            return if high { (v >> 32) as u32 } else { v as u32 };
        }
        let base = self.mmio_base;
        match off {
            o if o == base + TIMESTAMP_OFFSET => cs_timestamp() as u32,
            o if o == base + TIMESTAMP_OFFSET + 4 => (cs_timestamp() >> 32) as u32,
            o if o == base + CTX_TIMESTAMP_OFFSET => {
                (self.regs.runtime_ticks + cs_timestamp().saturating_sub(self.started)) as u32
            }
            BCS_SWCTRL => self.regs.bcs_swctrl,
            o => self.regs.other.get(&o).copied().unwrap_or(0),
        }
    }

    /// Writes the 32-bit register at `off`; returns whether the stored state changed.
    /// Timestamps are read-only; `BCS_SWCTRL` is a masked register.
    pub fn write(&mut self, off: u32, v: u32) -> bool {
        if let Some((n, high)) = self.gpr_slot(off) {
            let old = self.regs.gpr[n];
            let new = if high {
                (old & 0xffff_ffff) | (v as u64) << 32
            } else {
                (old & !0xffff_ffff) | v as u64
            };
            self.regs.gpr[n] = new;
            return new != old;
        }
        let base = self.mmio_base;
        match off {
            o if o == base + TIMESTAMP_OFFSET || o == base + TIMESTAMP_OFFSET + 4 => false,
            o if o == base + CTX_TIMESTAMP_OFFSET => false,
            BCS_SWCTRL => {
                let mask = v >> 16;
                let old = self.regs.bcs_swctrl;
                self.regs.bcs_swctrl = (old & !mask) | (v & mask);
                old != self.regs.bcs_swctrl
            }
            GT_MODE | CS_CHICKEN1 => {
                // Masked: the upper 16 bits say which of the lower 16 change.
                let mask = v >> 16;
                let old = self.regs.other.get(&off).copied().unwrap_or(0);
                let new = (old & !mask) | (v & mask & 0xffff);
                self.regs.other.insert(off, new);
                old != new
            }
            o => self.regs.other.insert(o, v) != Some(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gt_mode_is_masked() {
        let mut regs = ContextRegs::default();
        let mut f = RegFile {
            regs: &mut regs,
            mmio_base: 0x2000,
            started: 0,
        };
        f.write(GT_MODE, 0x0400_0400);
        assert_eq!(f.read(GT_MODE), GT_MODE_BTP_18_8);
        f.write(GT_MODE, 0x0000_0000);
        assert_eq!(f.read(GT_MODE), GT_MODE_BTP_18_8, "no mask bit: no change");
        f.write(GT_MODE, 0x0400_0000);
        assert_eq!(f.read(GT_MODE), 0);
    }

    #[test]
    fn gprs_timestamps_and_masked_swctrl() {
        let mut regs = ContextRegs::default();
        let mut f = RegFile {
            regs: &mut regs,
            mmio_base: 0x2000,
            started: cs_timestamp(),
        };
        assert!(f.write(0x2608, 0xdead_beef));
        assert!(f.write(0x260c, 0x1234));
        assert_eq!(f.regs.gpr[1], 0x1234_dead_beef);
        assert_eq!(f.read(0x260c), 0x1234);
        assert_eq!(f.resolve(0x608, true), 0x2608);
        let t0 = f.read(0x2358);
        std::thread::sleep(std::time::Duration::from_millis(2));
        let t1 = f.read(0x2358);
        let d = t1.wrapping_sub(t0) as u64;
        assert!(
            (30_000..2_000_000).contains(&d),
            "19.2 MHz ticks over 2 ms: {d}"
        );
        assert!(!f.write(0x2358, 5), "timestamp is read-only");
        f.write(BCS_SWCTRL, (BCS_SRC_Y | BCS_DST_Y) << 16 | BCS_DST_Y);
        assert_eq!(f.read(BCS_SWCTRL), BCS_DST_Y);
        f.write(BCS_SWCTRL, BCS_SRC_Y << 16 | BCS_SRC_Y);
        assert_eq!(f.read(BCS_SWCTRL), BCS_SRC_Y | BCS_DST_Y);
        f.write(0x1234, 7);
        assert_eq!(f.read(0x1234), 7);
        assert_eq!(f.read(0x1238), 0);
    }
}
