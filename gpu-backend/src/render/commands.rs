//! GFXPIPE commands (command type 3) of the render engine: their lengths and typed forms.
//!
//! Header fields: bits 28:27 the pipeline (0 common, 1 single-dword, 2 media/GPGPU, 3 3D),
//! 26:24 the opcode, 23:16 the sub-opcode. PIPE_CONTROL (3/2/0) stays with the MI decoder.
//! 3D state commands are known by name so that an unknown one hangs naming its header.

/// What a GFXPIPE header announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gfx {
    /// PIPELINE_SELECT
    PipelineSelect,
    /// 3DSTATE_VF_STATISTICS
    VfStatistics,
    /// STATE_BASE_ADDRESS
    StateBaseAddress,
    /// STATE_SIP
    StateSip,
    /// MEDIA_VFE_STATE
    MediaVfeState,
    /// MEDIA_CURBE_LOAD
    MediaCurbeLoad,
    /// MEDIA_INTERFACE_DESCRIPTOR_LOAD
    MediaInterfaceDescriptorLoad,
    /// MEDIA_STATE_FLUSH
    MediaStateFlush,
    /// MEDIA_OBJECT
    MediaObject,
    /// GPGPU_WALKER
    GpgpuWalker,
    /// A state command the model keeps without acting on it: 3DSTATE_* for the 3D
    /// pipeline, and the compute-mode and CSR base state the compute runtime programs.
    State(&'static str),
    /// 3DPRIMITIVE
    Primitive,
}

/// The 3D state commands of Gen12: (opcode, sub-opcode, name, length-field bits).
const STATE_3D: &[(u32, u32, &str, u32)] = &[
    (0, 0x04, "3DSTATE_CLEAR_PARAMS", 8),
    (0, 0x05, "3DSTATE_DEPTH_BUFFER", 8),
    (0, 0x06, "3DSTATE_STENCIL_BUFFER", 8),
    (0, 0x07, "3DSTATE_HIER_DEPTH_BUFFER", 8),
    (0, 0x08, "3DSTATE_VERTEX_BUFFERS", 8),
    (0, 0x09, "3DSTATE_VERTEX_ELEMENTS", 8),
    (0, 0x0a, "3DSTATE_INDEX_BUFFER", 8),
    (0, 0x0c, "3DSTATE_VF", 8),
    (0, 0x0d, "3DSTATE_MULTISAMPLE", 8),
    (0, 0x0e, "3DSTATE_CC_STATE_POINTERS", 8),
    (0, 0x0f, "3DSTATE_SCISSOR_STATE_POINTERS", 8),
    (0, 0x10, "3DSTATE_VS", 8),
    (0, 0x11, "3DSTATE_GS", 8),
    (0, 0x12, "3DSTATE_CLIP", 8),
    (0, 0x13, "3DSTATE_SF", 8),
    (0, 0x14, "3DSTATE_WM", 8),
    (0, 0x15, "3DSTATE_CONSTANT_VS", 8),
    (0, 0x16, "3DSTATE_CONSTANT_GS", 8),
    (0, 0x17, "3DSTATE_CONSTANT_PS", 8),
    (0, 0x18, "3DSTATE_SAMPLE_MASK", 8),
    (0, 0x19, "3DSTATE_CONSTANT_HS", 8),
    (0, 0x1a, "3DSTATE_CONSTANT_DS", 8),
    (0, 0x1b, "3DSTATE_HS", 8),
    (0, 0x1c, "3DSTATE_TE", 8),
    (0, 0x1d, "3DSTATE_DS", 8),
    (0, 0x1e, "3DSTATE_STREAMOUT", 8),
    (0, 0x1f, "3DSTATE_SBE", 8),
    (0, 0x20, "3DSTATE_PS", 8),
    (0, 0x21, "3DSTATE_VIEWPORT_STATE_POINTERS_SF_CLIP", 8),
    (0, 0x22, "3DSTATE_CPS_POINTERS", 8),
    (0, 0x23, "3DSTATE_VIEWPORT_STATE_POINTERS_CC", 8),
    (0, 0x24, "3DSTATE_BLEND_STATE_POINTERS", 8),
    (0, 0x26, "3DSTATE_BINDING_TABLE_POINTERS_VS", 8),
    (0, 0x27, "3DSTATE_BINDING_TABLE_POINTERS_HS", 8),
    (0, 0x28, "3DSTATE_BINDING_TABLE_POINTERS_DS", 8),
    (0, 0x29, "3DSTATE_BINDING_TABLE_POINTERS_GS", 8),
    (0, 0x2a, "3DSTATE_BINDING_TABLE_POINTERS_PS", 8),
    (0, 0x2b, "3DSTATE_SAMPLER_STATE_POINTERS_VS", 8),
    (0, 0x2c, "3DSTATE_SAMPLER_STATE_POINTERS_HS", 8),
    (0, 0x2d, "3DSTATE_SAMPLER_STATE_POINTERS_DS", 8),
    (0, 0x2e, "3DSTATE_SAMPLER_STATE_POINTERS_GS", 8),
    (0, 0x2f, "3DSTATE_SAMPLER_STATE_POINTERS_PS", 8),
    (0, 0x30, "3DSTATE_URB_VS", 8),
    (0, 0x31, "3DSTATE_URB_HS", 8),
    (0, 0x32, "3DSTATE_URB_DS", 8),
    (0, 0x33, "3DSTATE_URB_GS", 8),
    (0, 0x34, "3DSTATE_GATHER_CONSTANT_VS", 8),
    (0, 0x35, "3DSTATE_GATHER_CONSTANT_GS", 8),
    (0, 0x36, "3DSTATE_GATHER_CONSTANT_HS", 8),
    (0, 0x37, "3DSTATE_GATHER_CONSTANT_DS", 8),
    (0, 0x38, "3DSTATE_GATHER_CONSTANT_PS", 8),
    (0, 0x43, "3DSTATE_BINDING_TABLE_EDIT_VS", 9),
    (0, 0x44, "3DSTATE_BINDING_TABLE_EDIT_GS", 9),
    (0, 0x45, "3DSTATE_BINDING_TABLE_EDIT_HS", 9),
    (0, 0x46, "3DSTATE_BINDING_TABLE_EDIT_DS", 9),
    (0, 0x47, "3DSTATE_BINDING_TABLE_EDIT_PS", 9),
    (0, 0x49, "3DSTATE_VF_INSTANCING", 8),
    (0, 0x4a, "3DSTATE_VF_SGVS", 8),
    (0, 0x4b, "3DSTATE_VF_TOPOLOGY", 8),
    (0, 0x4c, "3DSTATE_WM_CHROMAKEY", 8),
    (0, 0x4d, "3DSTATE_PS_BLEND", 8),
    (0, 0x4e, "3DSTATE_WM_DEPTH_STENCIL", 8),
    (0, 0x4f, "3DSTATE_PS_EXTRA", 8),
    (0, 0x50, "3DSTATE_RASTER", 8),
    (0, 0x51, "3DSTATE_SBE_SWIZ", 8),
    (0, 0x52, "3DSTATE_WM_HZ_OP", 8),
    (0, 0x54, "3DSTATE_RS_CONSTANT_POINTER", 8),
    (0, 0x55, "3DSTATE_VF_COMPONENT_PACKING", 8),
    (0, 0x56, "3DSTATE_VF_SGVS_2", 8),
    (0, 0x60, "3DSTATE_SO_BUFFER_INDEX_0", 8),
    (0, 0x61, "3DSTATE_SO_BUFFER_INDEX_1", 8),
    (0, 0x62, "3DSTATE_SO_BUFFER_INDEX_2", 8),
    (0, 0x63, "3DSTATE_SO_BUFFER_INDEX_3", 8),
    (0, 0x6c, "3DSTATE_PRIMITIVE_REPLICATION", 8),
    (0, 0x6d, "3DSTATE_CONSTANT_ALL", 8),
    (0, 0x71, "3DSTATE_DEPTH_BOUNDS", 8),
    (1, 0x00, "3DSTATE_DRAWING_RECTANGLE", 8),
    (1, 0x02, "3DSTATE_SAMPLER_PALETTE_LOAD0", 8),
    (1, 0x04, "3DSTATE_CHROMA_KEY", 8),
    (1, 0x06, "3DSTATE_POLY_STIPPLE_OFFSET", 8),
    (1, 0x07, "3DSTATE_POLY_STIPPLE_PATTERN", 8),
    (1, 0x08, "3DSTATE_LINE_STIPPLE", 8),
    (1, 0x0a, "3DSTATE_AA_LINE_PARAMETERS", 8),
    (1, 0x0c, "3DSTATE_SAMPLER_PALETTE_LOAD1", 8),
    (1, 0x11, "3DSTATE_MONOFILTER_SIZE", 8),
    (1, 0x12, "3DSTATE_PUSH_CONSTANT_ALLOC_VS", 8),
    (1, 0x13, "3DSTATE_PUSH_CONSTANT_ALLOC_HS", 8),
    (1, 0x14, "3DSTATE_PUSH_CONSTANT_ALLOC_DS", 8),
    (1, 0x15, "3DSTATE_PUSH_CONSTANT_ALLOC_GS", 8),
    (1, 0x16, "3DSTATE_PUSH_CONSTANT_ALLOC_PS", 8),
    (1, 0x17, "3DSTATE_SO_DECL_LIST", 9),
    (1, 0x18, "3DSTATE_SO_BUFFER", 8),
    (1, 0x19, "3DSTATE_BINDING_TABLE_POOL_ALLOC", 8),
    (1, 0x1a, "3DSTATE_GATHER_POOL_ALLOC", 8),
    (1, 0x1c, "3DSTATE_SAMPLE_PATTERN", 8),
    (1, 0x1d, "3DSTATE_URB_CLEAR", 8),
    (1, 0x1e, "3DSTATE_3D_MODE", 8),
    (1, 0x20, "3DSTATE_SLICE_TABLE_STATE_POINTERS", 8),
];

/// The header (without its length) of the 3D state command `name`, from the same table
/// the decoder uses; `None` for a name the table lacks.
pub fn state_header(name: &str) -> Option<u32> {
    let &(op, sub, _, _) = STATE_3D.iter().find(|e| e.2 == name)?;
    Some(0x7800_0000 | op << 24 | sub << 16)
}

/// Classifies a GFXPIPE `header` and returns its total length in dwords, or `None` when
/// the header is not a command the render engine knows.
pub fn classify(header: u32) -> Option<(Gfx, usize)> {
    let pipe = header >> 27 & 3;
    let op = header >> 24 & 7;
    let sub = header >> 16 & 0xff;
    let len = |bits: u32| (header & ((1 << bits) - 1)) as usize + 2;
    Some(match (pipe, op, sub) {
        (1, 1, 0x04) => (Gfx::PipelineSelect, 1),
        (1, 0, 0x0b) => (Gfx::VfStatistics, 1),
        (0, 1, 0x01) => (Gfx::StateBaseAddress, len(8)),
        (0, 1, 0x02) => (Gfx::StateSip, len(8)),
        // A prefetch hint: nothing to fetch ahead in a software cache.
        (0, 0, 0x03) => (Gfx::State("STATE_PREFETCH"), len(8)),
        (0, 1, 0x04) => (Gfx::State("GPGPU_CSR_BASE_ADDRESS"), len(8)),
        (0, 1, 0x05) => (Gfx::State("STATE_COMPUTE_MODE"), len(8)),
        (2, 0, 0x00) => (Gfx::MediaVfeState, len(16)),
        (2, 0, 0x01) => (Gfx::MediaCurbeLoad, len(16)),
        (2, 0, 0x02) => (Gfx::MediaInterfaceDescriptorLoad, len(16)),
        (2, 0, 0x04) => (Gfx::MediaStateFlush, len(16)),
        (2, 1, 0x00) => (Gfx::MediaObject, len(15)),
        (2, 1, 0x05) => (Gfx::GpgpuWalker, len(8)),
        (3, 3, 0x00) => (Gfx::Primitive, len(8)),
        (3, op @ (0 | 1), sub) => {
            let &(_, _, name, bits) = STATE_3D.iter().find(|e| e.0 == op && e.1 == sub)?;
            (Gfx::State(name), len(bits))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_from_mesa_and_igt_batches() {
        // PIPELINE_SELECT(3D) with its mask bits, as anv emits it first.
        assert_eq!(classify(0x6904_1310), Some((Gfx::PipelineSelect, 1)));
        // STATE_BASE_ADDRESS in IGT's 19-dword form and Gen12's 22-dword form.
        assert_eq!(classify(0x6101_0011), Some((Gfx::StateBaseAddress, 19)));
        assert_eq!(classify(0x6101_0014), Some((Gfx::StateBaseAddress, 22)));
        assert_eq!(classify(0x7000_0007), Some((Gfx::MediaVfeState, 9)));
        assert_eq!(classify(0x7105_000d), Some((Gfx::GpgpuWalker, 15)));
        assert_eq!(classify(0x7100_0006), Some((Gfx::MediaObject, 8)));
        assert_eq!(
            classify(0x780d_0000),
            Some((Gfx::State("3DSTATE_MULTISAMPLE"), 2))
        );
        assert_eq!(
            classify(0x7917_0000 | 0x1ff),
            Some((Gfx::State("3DSTATE_SO_DECL_LIST"), 0x201))
        );
        assert_eq!(classify(0x7b00_0005), Some((Gfx::Primitive, 7)));
        assert_eq!(
            classify(0x6003_0000),
            Some((Gfx::State("STATE_PREFETCH"), 2))
        );
        assert_eq!(
            classify(0x6105_0000),
            Some((Gfx::State("STATE_COMPUTE_MODE"), 2))
        );
    }

    #[test]
    fn state_headers_come_from_the_table() {
        assert_eq!(state_header("3DSTATE_PS"), Some(0x7820_0000));
        assert_eq!(state_header("3DSTATE_DRAWING_RECTANGLE"), Some(0x7900_0000));
        assert_eq!(state_header("3DSTATE_NOTHING"), None);
    }

    #[test]
    fn unknown_headers_are_none() {
        // An unused 3D sub-opcode, an unused media opcode, an unused single-dword command.
        assert_eq!(classify(0x78ff_0000), None);
        assert_eq!(classify(0x7300_0000), None);
        assert_eq!(classify(0x6905_0000), None);
        assert_eq!(classify(0x6100_0000), None);
    }
}
