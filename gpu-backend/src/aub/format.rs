//! The AUB "memtrace" block encoding: one block is a header dword (type 7, opcode
//! 0x2e, a sub-opcode and a length in dwords minus one) followed by its payload,
//! little-endian, dword aligned. [`Block::encode`] writes one, [`Blocks`] reads a file's
//! blocks one by one and says at which byte a bad one starts.

use thiserror::Error;

/// Bits 31:29 of every AUB header dword.
const TYPE_AUB: u32 = 7;
/// The memtrace opcode (bits 28:23) of the execlist-era blocks.
const OP_MEMTRACE: u32 = 0x2e;
/// The opcode of the pre-execlist blocks; their length field excludes two dwords.
const OP_LEGACY: u32 = 0x01;

const SUB_REG_POLL: u32 = 0x02;
const SUB_REG_WRITE: u32 = 0x03;
const SUB_MEM_POLL: u32 = 0x05;
const SUB_MEM_WRITE: u32 = 0x06;
const SUB_COMMENT: u32 = 0x08;
const SUB_VERSION: u32 = 0x0e;

/// Legacy sub-opcodes a trace may carry that need no model: the old file header
/// and a bitmap dump.
const LEGACY_HEADER: u32 = 0x05;
const LEGACY_BMP: u32 = 0x1e;
/// The legacy data/ring block, which carries its own data length.
const LEGACY_BLOCK: u32 = 0x41;

/// "One dword, MMIO space" in a register block's size/space dword.
const REG_DWORD_MMIO: u32 = 2 << 16;

/// Where a memory write lands (bits 31:28 of its fourth dword).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    /// A global GTT address: translated through the GGTT entries written so far.
    Ggtt,
    /// Local memory (discrete parts); gemu's traces never use it.
    Local,
    /// A physical address: page tables and the pages they map.
    Physical,
    /// The GGTT's own entries: byte `8 * n` is the entry of GGTT page `n`.
    GgttEntry,
}

impl Space {
    fn code(self) -> u32 {
        match self {
            Space::Ggtt => 0,
            Space::Local => 1,
            Space::Physical => 2,
            Space::GgttEntry => 4,
        }
    }

    fn from_code(c: u32) -> Option<Space> {
        Some(match c {
            0 => Space::Ggtt,
            1 => Space::Local,
            2 => Space::Physical,
            4 => Space::GgttEntry,
            _ => return None,
        })
    }
}

/// One decoded block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block<'a> {
    /// The file header: the simulator's device id and a text that starts with
    /// `PCI-ID=0x....` (what decoders pick the platform from).
    Version {
        /// The device field (bits 15:8 of the third dword).
        device: u8,
        /// The text, without its NUL padding.
        text: String,
    },
    /// A dword written to an MMIO register.
    RegWrite {
        /// Register offset.
        reg: u32,
        /// Value.
        value: u32,
    },
    /// Wait until `(reg & mask) == value` (a simulator's cue; replay ignores it).
    RegPoll {
        /// Register offset.
        reg: u32,
        /// Bits compared.
        mask: u32,
        /// Expected value.
        value: u32,
    },
    /// Bytes written to memory.
    MemWrite {
        /// The address space of `addr`.
        space: Space,
        /// First byte's address (48 bits).
        addr: u64,
        /// The bytes (without the block's padding).
        data: &'a [u8],
    },
    /// A free-form note; gemu puts its submission metadata in these.
    Comment(String),
    /// A block read and skipped (memory polls, legacy headers, bitmaps).
    Skipped,
}

/// Why a trace could not be read. Every variant names the byte offset of the block
/// at fault.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum AubError {
    /// The file ends inside a block.
    #[error(
        "truncated AUB block at byte {offset}: it needs {need} bytes, the file has {have} left"
    )]
    Truncated {
        /// Offset of the block.
        offset: usize,
        /// Bytes the block needs.
        need: usize,
        /// Bytes left from `offset`.
        have: usize,
    },
    /// The header dword is not an AUB block this reader knows.
    #[error("unknown AUB block header {header:#010x} at byte {offset}")]
    UnknownBlock {
        /// Offset of the block.
        offset: usize,
        /// Its header dword.
        header: u32,
    },
    /// A block whose fields contradict each other or the trace so far.
    #[error("bad AUB block at byte {offset}: {what}")]
    Invalid {
        /// Offset of the block.
        offset: usize,
        /// What is wrong.
        what: String,
    },
}

fn dword(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn header(sub: u32, total_dwords: usize) -> u32 {
    (TYPE_AUB << 29) | (OP_MEMTRACE << 23) | (sub << 16) | (total_dwords as u32 - 1)
}

/// Text padded with NULs to a whole number of dwords (at least one NUL, so readers
/// that take it as a C string stop).
fn padded_text(text: &str) -> Vec<u8> {
    let mut b = text.as_bytes().to_vec();
    b.push(0);
    b.resize(b.len().next_multiple_of(4), 0);
    b
}

fn text_of(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// The most data one memory-write block can carry: its 16-bit length field counts
/// dwords, five of them header.
pub const MAX_WRITE: usize = (0xffff + 1 - 5) * 4;

impl Block<'_> {
    /// Appends the block's encoding to `out`. A [`Block::MemWrite`] longer than
    /// [`MAX_WRITE`] bytes must be split by the caller; [`Block::Skipped`] writes
    /// nothing.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut put = |v: u32| out.extend_from_slice(&v.to_le_bytes());
        match self {
            Block::Version { device, text } => {
                let t = padded_text(text);
                put(header(SUB_VERSION, 5 + t.len() / 4));
                put(1); // file version
                put(u32::from(*device) << 8);
                put(0);
                put(0);
                out.extend_from_slice(&t);
            }
            Block::RegWrite { reg, value } => {
                put(header(SUB_REG_WRITE, 6));
                put(*reg);
                put(REG_DWORD_MMIO);
                put(0xffff_ffff);
                put(0);
                put(*value);
            }
            Block::RegPoll { reg, mask, value } => {
                put(header(SUB_REG_POLL, 6));
                put(*reg);
                put(REG_DWORD_MMIO);
                put(*mask);
                put(0);
                put(*value);
            }
            Block::MemWrite { space, addr, data } => {
                assert!(data.len() <= MAX_WRITE, "memory write block too long");
                let padded = data.len().next_multiple_of(4);
                put(header(SUB_MEM_WRITE, 5 + padded / 4));
                put(*addr as u32);
                put((*addr >> 32) as u32);
                put(space.code() << 28);
                put(data.len() as u32);
                out.extend_from_slice(data);
                out.resize(out.len() + (padded - data.len()), 0);
            }
            Block::Comment(text) => {
                let t = padded_text(text);
                put(header(SUB_COMMENT, 2 + t.len() / 4));
                put(0);
                out.extend_from_slice(&t);
            }
            Block::Skipped => {}
        }
    }
}

/// The blocks of a trace, in file order, each with its byte offset. After the first
/// error the iterator ends.
pub struct Blocks<'a> {
    bytes: &'a [u8],
    at: usize,
    failed: bool,
}

impl<'a> Blocks<'a> {
    /// Reads `bytes` from the start.
    pub fn new(bytes: &'a [u8]) -> Blocks<'a> {
        Blocks {
            bytes,
            at: 0,
            failed: false,
        }
    }

    fn need(&self, offset: usize, need: usize) -> Result<(), AubError> {
        let have = self.bytes.len() - offset;
        if need > have {
            return Err(AubError::Truncated { offset, need, have });
        }
        Ok(())
    }

    fn next_block(&mut self) -> Result<(usize, Block<'a>), AubError> {
        let offset = self.at;
        self.need(offset, 4)?;
        let h = dword(self.bytes, offset);
        let (ty, op, sub) = (h >> 29, (h >> 23) & 0x3f, (h >> 16) & 0x7f);
        let unknown = AubError::UnknownBlock { offset, header: h };
        if ty != TYPE_AUB {
            return Err(unknown);
        }
        let bias = match op {
            OP_MEMTRACE => 1,
            OP_LEGACY => 2,
            _ => return Err(unknown),
        };
        let len = ((h & 0xffff) as usize + bias) * 4;
        self.need(offset, len)?;
        let b = &self.bytes[offset..offset + len];
        let d = |i: usize| dword(b, i * 4);
        let invalid = |what: String| AubError::Invalid { offset, what };
        let block = match (op, sub) {
            (OP_MEMTRACE, SUB_VERSION) => {
                if len < 20 {
                    return Err(invalid(format!("a version block of {len} bytes")));
                }
                Block::Version {
                    device: (d(2) >> 8) as u8,
                    text: text_of(&b[20..]),
                }
            }
            (OP_MEMTRACE, SUB_REG_WRITE | SUB_REG_POLL) => {
                if len < 24 {
                    return Err(invalid(format!("a register block of {len} bytes")));
                }
                if d(2) & 0x000f_0000 != REG_DWORD_MMIO {
                    return Err(invalid(format!(
                        "register access size/space {:#x}: only dword MMIO is modelled",
                        d(2)
                    )));
                }
                if sub == SUB_REG_WRITE {
                    Block::RegWrite {
                        reg: d(1),
                        value: d(5),
                    }
                } else {
                    Block::RegPoll {
                        reg: d(1),
                        mask: d(3),
                        value: d(5),
                    }
                }
            }
            (OP_MEMTRACE, SUB_MEM_WRITE) => {
                if len < 20 {
                    return Err(invalid(format!("a memory write block of {len} bytes")));
                }
                let size = d(4) as usize;
                if size > len - 20 {
                    return Err(invalid(format!(
                        "a memory write of {size} bytes in a block of {} payload bytes",
                        len - 20
                    )));
                }
                let space = Space::from_code(d(3) >> 28)
                    .ok_or_else(|| invalid(format!("address space {}", d(3) >> 28)))?;
                Block::MemWrite {
                    space,
                    addr: (u64::from(d(2)) << 32 | u64::from(d(1))) & crate::mem::GPU_ADDR_MASK,
                    data: &b[20..20 + size],
                }
            }
            (OP_MEMTRACE, SUB_COMMENT) => Block::Comment(text_of(b.get(8..).unwrap_or(&[]))),
            (OP_MEMTRACE, SUB_MEM_POLL) | (OP_LEGACY, LEGACY_HEADER | LEGACY_BMP) => Block::Skipped,
            (OP_LEGACY, LEGACY_BLOCK) => {
                return Err(invalid(
                    "a legacy trace block (the ring-buffer AUB form of Gen7 and older), \
                     which gemu does not replay"
                        .into(),
                ))
            }
            _ => return Err(unknown),
        };
        self.at = offset + len;
        Ok((offset, block))
    }
}

impl<'a> Iterator for Blocks<'a> {
    type Item = Result<(usize, Block<'a>), AubError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.at >= self.bytes.len() {
            return None;
        }
        let r = self.next_block();
        self.failed = r.is_err();
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_block_reads_back_as_written() {
        let blocks = [
            Block::Version {
                device: 0x12,
                text: "PCI-ID=0x9a49 gemu".into(),
            },
            Block::RegWrite {
                reg: 0x2510,
                value: 0xdead_beef,
            },
            Block::RegPoll {
                reg: 0x2234,
                mask: 1,
                value: 1,
            },
            Block::MemWrite {
                space: Space::Physical,
                addr: 0x1234_5678_9000,
                data: &[1, 2, 3, 4, 5],
            },
            Block::Comment("gemu hello".into()),
        ];
        let mut out = Vec::new();
        for b in &blocks {
            b.encode(&mut out);
        }
        assert_eq!(out.len() % 4, 0);
        let back: Vec<Block> = Blocks::new(&out).map(|r| r.unwrap().1).collect();
        assert_eq!(back, blocks);
    }

    #[test]
    fn a_cut_block_names_its_offset() {
        let mut out = Vec::new();
        Block::RegWrite { reg: 1, value: 2 }.encode(&mut out);
        let first = out.len();
        Block::MemWrite {
            space: Space::Ggtt,
            addr: 0x1000,
            data: &[7; 64],
        }
        .encode(&mut out);
        let cut = &out[..out.len() - 3];
        let err = Blocks::new(cut).find_map(|r| r.err()).unwrap();
        assert_eq!(
            err,
            AubError::Truncated {
                offset: first,
                need: 84,
                have: 81
            }
        );
        assert!(err.to_string().contains(&format!("byte {first}")));
    }

    #[test]
    fn garbage_is_an_unknown_block() {
        let err = Blocks::new(&[0xff; 8]).next().unwrap().unwrap_err();
        assert!(matches!(err, AubError::UnknownBlock { offset: 0, .. }));
    }
}
