//! The execlist state an AUB trace describes, as Mesa's writer and decoder lay it
//! out: each engine's register block, the context descriptor, and the few dwords of
//! the logical ring context image a decoder reads (ring head, tail, start, control,
//! and the PML4 address).

use crate::EngineClass;

/// One page.
pub const PAGE: u64 = 4096;

/// Execlist submit port (pre-Gen11 form: four dword writes).
pub const ELSP: u32 = 0x230;
/// Execlist status (polled after a submission).
pub const EL_STATUS: u32 = 0x234;
/// Execlist submit queue, first element (Gen11+: low dword, then high dword).
pub const ELSQ: u32 = 0x510;
/// Execlist control: writing 1 loads the submit queue.
pub const EL_CONTROL: u32 = 0x550;
/// Hardware status page address.
pub const HWS_PGA: u32 = 0x80;
/// GFX_MODE: the trace enables execlists through it.
pub const GFX_MODE: u32 = 0x29c;
/// GFX_MODE's "execlist enable" (a masked bit: mask in the high half).
pub const GFX_MODE_EXECLIST: u32 = 0x8000_8000;

/// The descriptor's flags: valid, legacy 64-bit ppGTT context, privilege and
/// coherency bits as Mesa sets them.
pub const DESCRIPTOR_FLAGS: u64 = 0x339;

/// The register block of each engine class in a trace, and the class number the
/// descriptor carries. Render, blitter and video use the bases Mesa's reader keys
/// on (video at its pre-Gen11 base); video enhancement, which Mesa's tools do not
/// trace, at its Gen12 base.
const ENGINES: [(EngineClass, u32, u64); 4] = [
    (EngineClass::Render, 0x2000, 1),
    (EngineClass::Copy, 0x22000, 2),
    (EngineClass::Video, 0x12000, 3),
    (EngineClass::VideoEnhance, 0x1c8000, 4),
];

/// The register base and descriptor class of `class`, if a trace can carry it.
pub fn engine_regs(class: EngineClass) -> Option<(u32, u64)> {
    ENGINES
        .iter()
        .find(|e| e.0 == class)
        .map(|&(_, base, hw)| (base, hw))
}

/// The engine whose register block holds `reg`, and the register's offset in it.
pub fn engine_of_reg(reg: u32) -> Option<(EngineClass, u32)> {
    ENGINES
        .iter()
        .find(|e| reg >= e.1 && reg < e.1 + 0x1000)
        .map(|&(class, base, _)| (class, reg - base))
}

/// A hardware context in the GGTT: the ring, then the per-process status page,
/// then the register state page, contiguous. The descriptor points at the status
/// page; the state follows it one page later.
pub const RING_BYTES: u64 = PAGE;
/// GGTT bytes one hardware context takes.
pub const CONTEXT_BYTES: u64 = RING_BYTES + 2 * PAGE;

/// Dword indexes into the register state page.
pub mod state {
    /// RING_BUFFER_HEAD's value.
    pub const RING_HEAD: usize = 5;
    /// RING_BUFFER_TAIL's value.
    pub const RING_TAIL: usize = 7;
    /// RING_BUFFER_START's value (a GGTT address).
    pub const RING_START: usize = 9;
    /// RING_BUFFER_CONTROL's value (length in pages minus one at bits 20:12).
    pub const RING_CTL: usize = 11;
    /// PDP0's upper dword: with a 4-level table, the PML4's address bits 63:32.
    pub const PML4_HI: usize = 49;
    /// PDP0's lower dword: the PML4's address bits 31:0.
    pub const PML4_LO: usize = 51;
}

/// The register state image of a context whose ring is at `ring` (GGTT) and whose
/// page tables start at physical `pml4`: two MI_LOAD_REGISTER_IMM lists, as the
/// hardware's own image begins, with ring head 0 and tail `tail`.
pub fn context_image(mmio: u32, ring: u64, tail: u32, pml4: u64) -> Vec<u8> {
    const MI_LRI: u32 = 0x22 << 23;
    let mut dw = vec![0u32; (PAGE / 4) as usize];
    // First list: context control, ring registers, batch state (11 registers).
    dw[1] = MI_LRI | (2 * 11 - 1);
    let first = [
        0x244, 0x34, 0x30, 0x38, 0x3c, 0x168, 0x140, 0x110, 0x11c, 0x114, 0x118,
    ];
    for (i, r) in first.iter().enumerate() {
        dw[2 + 2 * i] = mmio + r;
    }
    // Second list: the timestamp and the four PDP pairs (9 registers).
    dw[33] = MI_LRI | (2 * 9 - 1);
    let second = [
        0x3a8, 0x28c, 0x288, 0x284, 0x280, 0x27c, 0x278, 0x274, 0x270,
    ];
    for (i, r) in second.iter().enumerate() {
        dw[34 + 2 * i] = mmio + r;
    }
    dw[state::RING_HEAD] = 0;
    dw[state::RING_TAIL] = tail;
    dw[state::RING_START] = ring as u32;
    dw[state::RING_CTL] = ((RING_BYTES / PAGE - 1) << 12) as u32 | 1;
    dw[state::PML4_HI] = (pml4 >> 32) as u32;
    dw[state::PML4_LO] = pml4 as u32;
    dw.iter().flat_map(|d| d.to_le_bytes()).collect()
}
