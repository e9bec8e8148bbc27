//! A batch decoder for people: each command of a batch as its offset, header, name and
//! dwords, from the same tables the command streamer executes by (`decode` for MI, blitter
//! and PIPE_CONTROL, `render::commands` for the render engine). `gemu decode` prints it.

use crate::decode::{self, Kind};
use crate::engine::EngineClass;
use crate::render::Gfx;

/// One decoded command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Byte offset of the command in the batch.
    pub offset: usize,
    /// The command's name, or why it cannot be decoded.
    pub name: String,
    /// The command's dwords (the header first).
    pub dwords: Vec<u32>,
}

fn mi_name(op: u32) -> &'static str {
    use decode::mi::*;
    match op {
        NOOP => "MI_NOOP",
        USER_INTERRUPT => "MI_USER_INTERRUPT",
        ARB_CHECK => "MI_ARB_CHECK",
        ARB_ON_OFF => "MI_ARB_ON_OFF",
        BATCH_BUFFER_END => "MI_BATCH_BUFFER_END",
        MATH => "MI_MATH",
        SEMAPHORE_WAIT => "MI_SEMAPHORE_WAIT",
        STORE_DATA_IMM => "MI_STORE_DATA_IMM",
        STORE_DATA_INDEX => "MI_STORE_DATA_INDEX",
        LOAD_REGISTER_IMM => "MI_LOAD_REGISTER_IMM",
        STORE_REGISTER_MEM => "MI_STORE_REGISTER_MEM",
        FLUSH_DW => "MI_FLUSH_DW",
        LOAD_REGISTER_MEM => "MI_LOAD_REGISTER_MEM",
        LOAD_REGISTER_REG => "MI_LOAD_REGISTER_REG",
        COPY_MEM_MEM => "MI_COPY_MEM_MEM",
        ATOMIC => "MI_ATOMIC",
        BATCH_BUFFER_START => "MI_BATCH_BUFFER_START",
        COND_BATCH_BUFFER_END => "MI_CONDITIONAL_BATCH_BUFFER_END",
        _ => "MI_?",
    }
}

fn blt_name(op: u32) -> &'static str {
    use decode::blt::*;
    match op {
        XY_SETUP_CLIP => "XY_SETUP_CLIP_BLT",
        XY_FAST_COPY => "XY_FAST_COPY_BLT",
        XY_COLOR => "XY_COLOR_BLT",
        XY_SRC_COPY => "XY_SRC_COPY_BLT",
        _ => "XY_?",
    }
}

fn gfx_name(g: Gfx) -> String {
    match g {
        Gfx::State(name) => name.to_string(),
        Gfx::PipelineSelect => "PIPELINE_SELECT".into(),
        Gfx::VfStatistics => "3DSTATE_VF_STATISTICS".into(),
        Gfx::StateBaseAddress => "STATE_BASE_ADDRESS".into(),
        Gfx::StateSip => "STATE_SIP".into(),
        Gfx::MediaVfeState => "MEDIA_VFE_STATE".into(),
        Gfx::MediaCurbeLoad => "MEDIA_CURBE_LOAD".into(),
        Gfx::MediaInterfaceDescriptorLoad => "MEDIA_INTERFACE_DESCRIPTOR_LOAD".into(),
        Gfx::MediaStateFlush => "MEDIA_STATE_FLUSH".into(),
        Gfx::MediaObject => "MEDIA_OBJECT".into(),
        Gfx::GpgpuWalker => "GPGPU_WALKER".into(),
        Gfx::Primitive => "3DPRIMITIVE".into(),
    }
}

/// Decodes `batch` (dwords) as `class` runs it, up to MI_BATCH_BUFFER_END or the first
/// header this model does not know (reported as a line naming the reason; decoding stops
/// there, as execution would).
pub fn decode_batch(batch: &[u32], class: EngineClass) -> Vec<Line> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < batch.len() {
        let header = batch[at];
        match decode::length(header, class) {
            Ok((kind, len)) => {
                let end = (at + len).min(batch.len());
                let name = match kind {
                    Kind::Mi(op) => mi_name(op).to_string(),
                    Kind::Blt(op) => blt_name(op).to_string(),
                    Kind::PipeControl => "PIPE_CONTROL".to_string(),
                    Kind::Gfx(g) => gfx_name(g),
                };
                let truncated = at + len > batch.len();
                out.push(Line {
                    offset: at * 4,
                    name: if truncated {
                        format!("{name} (truncated: {len} dwords announced)")
                    } else {
                        name
                    },
                    dwords: batch[at..end].to_vec(),
                });
                if kind == Kind::Mi(decode::mi::BATCH_BUFFER_END) || truncated {
                    break;
                }
                at = end;
            }
            Err(reason) => {
                out.push(Line {
                    offset: at * 4,
                    name: format!("({reason})"),
                    dwords: vec![header],
                });
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compute_batch_decodes_by_name() {
        let b = [
            0x6904_0302,
            0x7000_0007,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0x1100_0001,
            0x7008,
            0x0400_0400,
            0x0500_0000,
        ];
        let names: Vec<String> = decode_batch(&b, EngineClass::Render)
            .into_iter()
            .map(|l| l.name)
            .collect();
        assert_eq!(
            names,
            [
                "PIPELINE_SELECT",
                "MEDIA_VFE_STATE",
                "MI_LOAD_REGISTER_IMM",
                "MI_BATCH_BUFFER_END"
            ]
        );
    }

    #[test]
    fn unknown_and_truncated_commands_stop_the_decoder() {
        let l = decode_batch(&[0, 0x78ff_0000, 0], EngineClass::Render);
        assert_eq!(l.len(), 2);
        assert!(
            l[1].name.contains("unknown command 0x78ff0000"),
            "{:?}",
            l[1]
        );
        let l = decode_batch(&[0x6101_0014, 0, 0], EngineClass::Render);
        assert!(l[0].name.contains("truncated"));
        // Render commands are unknown to the blitter.
        let l = decode_batch(&[0x6904_0302], EngineClass::Copy);
        assert!(l[0].name.contains("unknown"));
    }
}
