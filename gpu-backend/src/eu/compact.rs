//! Gen12 instruction compaction: a 64-bit compacted instruction names entries of fixed
//! tables that hold the fields of its native form. Expanding it yields the same 128 bits
//! the compiler compacted, which [`super::isa::decode`] then reads.
//!
//! The tables are the Tiger Lake hardware's (the EU ISA's compaction tables).

const CONTROL_INDEX_TABLE: [u32; 32] = [
    0x4, 0x3, 0x2000, 0x2004, 0x2003, 0x80004, 0x24, 0xa0004, 0x0, 0x10004, 0x13, 0x60004, 0x20004,
    0x22004, 0x40004, 0x104, 0xa0003, 0x184, 0x2001, 0x144, 0x1c4, 0x82004, 0x23, 0x33, 0xa2004,
    0x80003, 0x22000, 0x10003, 0xa0084, 0x20003, 0x8003, 0x2024,
];
const DATATYPE_TABLE: [u32; 32] = [
    0xd6954, 0x6954, 0x2b54, 0x56d54, 0xd4954, 0xd2954, 0x54d54, 0x800, 0xd0954, 0x2eccc, 0xb68cc,
    0x52d54, 0x96844, 0x50d54, 0x36ccc, 0x16c44, 0x7154, 0x2cccc, 0x822, 0x2844, 0x26c2a, 0xec22,
    0x97044, 0x694c, 0x8c8cc, 0x6854, 0x2ec4c, 0x2822, 0x6834, 0x6814, 0x68d4, 0x2954,
];
const SUBREG_TABLE: [u16; 32] = [
    0x0, 0x4000, 0x1000, 0x3000, 0x80, 0x2000, 0x5000, 0x8, 0x100, 0x6000, 0x7000, 0x200, 0x4,
    0x300, 0x280, 0x180, 0x380, 0x1c, 0x10, 0xc, 0x18, 0x14, 0x2, 0x140, 0x40, 0x84, 0x5c, 0x42,
    0x18c, 0x20, 0x60, 0x6300,
];
const SRC0_INDEX_TABLE: [u16; 16] = [
    0x464, 0x0, 0x466, 0x465, 0x2, 0x200, 0x240, 0x340, 0x224, 0x300, 0x226, 0x344, 0x467, 0x100,
    0x1, 0xf10,
];
const SRC1_INDEX_TABLE: [u16; 16] = [
    0x119, 0x0, 0x919, 0x800, 0x519, 0x8d0, 0x80, 0x89, 0x889, 0xd0, 0xd1, 0xc0, 0xd19, 0x400,
    0xc00, 0x8d1,
];
const THREE_SRC_CONTROL_INDEX_TABLE: [u64; 32] = [
    0x4a540004, 0x4a540003, 0x48540003, 0x4a542003, 0x48542003, 0x48540013, 0x4a540013, 0x48542013,
    0x4a542013, 0x4a542004, 0x48540004, 0x4a550004, 0x4a540024, 0x48542004, 0x4a542000, 0x4a550003,
    0x48542033, 0x48542023, 0x4a542033, 0x4a542023, 0x48540023, 0x48540033, 0x4a540023, 0x4a540033,
    0x48550004, 0x4a552004, 0x4a542024, 0x4a442000, 0x48540024, 0x4a550024, 0x4a542002, 0x48550003,
];
const THREE_SRC_SOURCE_INDEX_TABLE: [u32; 32] = [
    0x12c300, 0x12c242, 0x16c343, 0x12c343, 0x160143, 0x16c34b, 0x14c343, 0x10c300, 0x16c300,
    0x16cb43, 0x16e343, 0x160100, 0x10c343, 0x12e300, 0x12e343, 0x12c34b, 0x120143, 0x12c308,
    0x120100, 0x16e300, 0x12cb00, 0x14c300, 0x12cb43, 0x16cb4b, 0x14c34b, 0x16e34b, 0x162143,
    0x160943, 0x16c308, 0x16cb00, 0x120943, 0x14cb43,
];
const THREE_SRC_SUBREG_TABLE: [u32; 32] = [
    0x0, 0x20000, 0x180, 0xa0000, 0x80380, 0x60000, 0x40000, 0x2000, 0x1000, 0xc0000, 0x80000,
    0xe0000, 0x6000, 0x80, 0x4000, 0x3000, 0x5000, 0x7000, 0x100, 0x200, 0x300, 0x280, 0x380,
    0xc0380, 0x20100, 0x20180, 0x40180, 0x80300, 0x80280, 0x60080, 0xa0380, 0x40080,
];

fn get(v: u64, hi: u32, lo: u32) -> u64 {
    (v >> lo) & ((1u64 << (hi - lo + 1)) - 1)
}

fn set(w: &mut [u32; 4], hi: u32, lo: u32, v: u64) {
    for b in lo..=hi {
        let bit = ((v >> (b - lo)) & 1) as u32;
        let (d, s) = ((b / 32) as usize, b % 32);
        w[d] = (w[d] & !(1 << s)) | (bit << s);
    }
}

/// Whether a (hardware) opcode is a three-source instruction.
pub fn is_three_source(opcode: u32) -> bool {
    matches!(opcode, 0x5b | 0x5c | 0x5d | 0x72 | 0x78 | 0x7a)
}

/// Expands the compacted instruction `c` (its 8 bytes, little-endian) to native form.
pub fn expand(c: u64) -> [u32; 4] {
    let mut w = [0u32; 4];
    let opcode = get(c, 6, 0);
    set(&mut w, 6, 0, opcode);
    set(&mut w, 7, 7, get(c, 7, 7));
    set(&mut w, 15, 8, get(c, 15, 8));
    if is_three_source(opcode as u32) {
        let ctl = THREE_SRC_CONTROL_INDEX_TABLE[get(c, 28, 24) as usize];
        for (hi, lo, from, width) in [
            (95, 92, 32, 4),
            (90, 88, 29, 3),
            (82, 80, 26, 3),
            (50, 50, 25, 1),
            (48, 48, 24, 1),
            (42, 40, 21, 3),
            (39, 39, 20, 1),
            (38, 36, 17, 3),
            (34, 34, 16, 1),
            (33, 33, 15, 1),
            (32, 32, 14, 1),
            (31, 31, 13, 1),
            (28, 28, 12, 1),
            (27, 24, 8, 4),
            (23, 23, 7, 1),
            (22, 22, 6, 1),
            (21, 19, 3, 3),
            (18, 16, 0, 3),
        ] {
            set(&mut w, hi, lo, get(ctl, from + width - 1, from));
        }
        let src = u64::from(THREE_SRC_SOURCE_INDEX_TABLE[get(c, 34, 30) as usize]);
        for (hi, lo, from, width) in [
            (114, 114, 20, 1),
            (113, 112, 18, 2),
            (98, 98, 17, 1),
            (97, 96, 15, 2),
            (91, 91, 14, 1),
            (87, 86, 12, 2),
            (85, 84, 10, 2),
            (83, 83, 9, 1),
            (66, 66, 8, 1),
            (65, 64, 6, 2),
            (47, 47, 5, 1),
            (46, 46, 4, 1),
            (45, 44, 2, 2),
            (43, 43, 1, 1),
            (35, 35, 0, 1),
        ] {
            set(&mut w, hi, lo, get(src, from + width - 1, from));
        }
        let sub = u64::from(THREE_SRC_SUBREG_TABLE[get(c, 39, 35) as usize]);
        set(&mut w, 119, 115, get(sub, 19, 15));
        set(&mut w, 103, 99, get(sub, 14, 10));
        set(&mut w, 71, 67, get(sub, 9, 5));
        set(&mut w, 55, 51, get(sub, 4, 0));
        set(&mut w, 63, 56, get(c, 23, 16));
        set(&mut w, 79, 72, get(c, 47, 40));
        set(&mut w, 127, 120, get(c, 55, 48));
        set(&mut w, 111, 104, get(c, 63, 56));
        return w;
    }
    let ctl = u64::from(CONTROL_INDEX_TABLE[get(c, 28, 24) as usize]);
    set(&mut w, 95, 92, get(ctl, 20, 17));
    set(&mut w, 34, 34, get(ctl, 16, 16));
    set(&mut w, 33, 33, get(ctl, 15, 15));
    set(&mut w, 32, 32, get(ctl, 14, 14));
    set(&mut w, 31, 31, get(ctl, 13, 13));
    set(&mut w, 28, 28, get(ctl, 12, 12));
    set(&mut w, 27, 24, get(ctl, 11, 8));
    set(&mut w, 23, 22, get(ctl, 7, 6));
    set(&mut w, 21, 19, get(ctl, 5, 3));
    set(&mut w, 18, 16, get(ctl, 2, 0));
    let dt = u64::from(DATATYPE_TABLE[get(c, 34, 30) as usize]);
    set(&mut w, 98, 98, get(dt, 19, 19));
    set(&mut w, 91, 88, get(dt, 18, 15));
    set(&mut w, 66, 66, get(dt, 14, 14));
    set(&mut w, 50, 50, get(dt, 13, 13));
    set(&mut w, 49, 48, get(dt, 12, 11));
    set(&mut w, 47, 47, get(dt, 10, 10));
    set(&mut w, 46, 46, get(dt, 9, 9));
    set(&mut w, 43, 40, get(dt, 8, 5));
    set(&mut w, 39, 36, get(dt, 4, 1));
    set(&mut w, 35, 35, get(dt, 0, 0));
    let sub = u64::from(SUBREG_TABLE[get(c, 39, 35) as usize]);
    set(&mut w, 103, 99, get(sub, 14, 10));
    set(&mut w, 71, 67, get(sub, 9, 5));
    set(&mut w, 55, 51, get(sub, 4, 0));
    let s0 = u64::from(SRC0_INDEX_TABLE[get(c, 51, 48) as usize]);
    set(&mut w, 87, 84, get(s0, 11, 8));
    set(&mut w, 83, 81, get(s0, 7, 5));
    set(&mut w, 80, 80, get(s0, 4, 4));
    set(&mut w, 65, 64, get(s0, 3, 2));
    set(&mut w, 45, 44, get(s0, 1, 0));
    let imm0 = get(dt, 9, 9) != 0;
    let imm1 = get(dt, 10, 10) != 0;
    if imm0 || imm1 {
        // A 12-bit immediate, widened by the type of the immediate source.
        let ty = if imm0 { get(dt, 8, 5) } else { get(dt, 18, 15) };
        let v = get(c, 63, 52) as u32;
        let imm = match ty {
            0xa => v << 20,                         // F
            0x9 => (v << 20) | (v << 4),            // HF
            0x1 => (v << 16) | v,                   // UW
            0x6 => ((v << 20) as i32 >> 20) as u32, // D
            0x5 => {
                // W: sign-extend 12 bits to 16, replicated in both halves.
                let h = (((v << 4) as u16 as i16) >> 4) as u16 as u32;
                (h << 16) | h
            }
            _ => v, // UD, V, UV, VF
        };
        w[3] = imm;
    } else {
        let s1 = u64::from(SRC1_INDEX_TABLE[get(c, 55, 52) as usize]);
        set(&mut w, 121, 120, get(s1, 11, 10));
        set(&mut w, 119, 116, get(s1, 9, 6));
        set(&mut w, 115, 113, get(s1, 5, 3));
        set(&mut w, 112, 112, get(s1, 2, 2));
        set(&mut w, 97, 96, get(s1, 1, 0));
        set(&mut w, 111, 104, get(c, 63, 56));
    }
    set(&mut w, 63, 56, get(c, 23, 16));
    set(&mut w, 79, 72, get(c, 47, 40));
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compacted_mov_expands_to_its_native_form() {
        // Control index 0 (16|M0), datatype 12 (grf<1>:ud grf:ud grf:ud), subregs .0,
        // src0 index 0 (<8;8,1>): mov (16) r10:ud r20<8;8,1>:ud.
        let c: u64 = 0x61 | 1 << 29 | 12 << 30 | 10 << 16 | 20 << 40;
        let w = expand(c);
        let i = crate::eu::isa::decode(&w).unwrap();
        assert_eq!(i.exec_size, 16);
        assert_eq!(i.dst.file, crate::eu::isa::RegFile::Grf(320));
        assert_eq!(
            i.srcs[0],
            crate::eu::isa::Src::Reg {
                file: crate::eu::isa::RegFile::Grf(640),
                ty: crate::eu::isa::Ty::Ud,
                vstride: 8,
                width: 8,
                hstride: 1,
                neg: false,
                abs: false
            }
        );
    }

    #[test]
    fn compacted_immediates_widen_by_type() {
        // add (16) r4:d r4:d -1:d  — datatype 14 (grf:d grf:d imm:d).
        let c: u64 = 0x40 | 1 << 29 | 14 << 30 | 4 << 16 | 4 << 40 | 0xfff << 52;
        let w = expand(c);
        assert_eq!(w[3], 0xffff_ffff);
        // imm:w (datatype 9) replicates the sign-extended word.
        let c: u64 = 0x40 | 1 << 29 | 9 << 30 | 0x801 << 52;
        assert_eq!(expand(c)[3], 0xf801_f801);
    }
}
