//! Kernels decoded once: a dispatch runs its kernel from a [`Kernel`], whose instructions
//! are decoded on first use into [`Decoded`] form (the instruction, plus its lane-array
//! form when the fast ALU path takes it) and kept in a process-wide cache across
//! dispatches, as the hardware's instruction cache keeps kernels across walkers.
//!
//! A cached kernel is keyed by its GPU address and checked against memory before each
//! use: the bytes it was decoded from are compared with what memory holds now, so a
//! kernel rewritten in place (or another VM's kernel at the same address) is decoded
//! anew, never run stale. The cache holds at most [`CACHE_KERNELS`] kernels and drops
//! the least recently used first.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;

use super::fast::Compiled;
use super::isa::{self, Inst, Op};
use super::EuError;
use crate::mem::{read_mem, AddressSpace, GPU_ADDR_MASK};

/// Kernels the cache keeps.
pub const CACHE_KERNELS: usize = 256;

/// Kernel bytes whose decoded instructions are kept (larger kernels decode past it on
/// every fetch).
const CACHED_KERNEL_BYTES: u64 = 1 << 20;

/// An instruction in the form the interpreter runs.
#[derive(Clone, Debug)]
pub struct Decoded {
    /// The instruction.
    pub inst: Inst,
    /// Its lane-array form, when the fast ALU path executes it.
    pub(crate) fast: Option<Compiled>,
    /// For BREAK: the byte offset after the WHILE its UIP names, where breaking channels
    /// resume (`None` when that WHILE does not decode: the BREAK then hangs if run).
    pub(crate) after_loop: Option<u64>,
}

/// The decoded instructions of one kernel and the bytes they came from.
#[derive(Clone, Default)]
struct Code {
    /// The kernel's bytes from its start up to the end of the last decoded instruction.
    bytes: Vec<u8>,
    /// Decoded instructions by byte offset / 8.
    insts: Vec<Option<Decoded>>,
}

/// What the cache has done since the process started (debugfs shows it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Kernels held now.
    pub kernels: usize,
    /// Kernel bytes they were decoded from.
    pub bytes: usize,
    /// Dispatches that found their kernel cached and unchanged.
    pub hits: u64,
    /// Dispatches that decoded their kernel anew (not cached, or changed in memory).
    pub misses: u64,
    /// Kernels dropped to make room.
    pub evictions: u64,
}

struct Cache {
    kernels: LruCache<u64, Arc<Code>>,
    stats: CacheStats,
}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

fn with_cache<R>(f: impl FnOnce(&mut Cache) -> R) -> R {
    let mut g = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    let c = g.get_or_insert_with(|| Cache {
        kernels: LruCache::new(NonZeroUsize::new(CACHE_KERNELS).expect("nonzero")),
        stats: CacheStats::default(),
    });
    f(c)
}

/// The decoded-kernel cache's size and hit counts.
pub fn cache_stats() -> CacheStats {
    with_cache(|c| CacheStats {
        kernels: c.kernels.len(),
        bytes: c.kernels.iter().map(|(_, k)| k.bytes.len()).sum(),
        ..c.stats
    })
}

/// A kernel in GPU memory for the duration of one dispatch command (its memory does not
/// change while its threads run). The decoded instructions are shared with the cache
/// (and the other host threads of the dispatch) until one is decoded anew, which takes a
/// copy; dropping it returns the most complete decoding to the cache.
pub struct Kernel<'a> {
    space: &'a dyn AddressSpace,
    /// GPU address of the first instruction.
    pub base: u64,
    code: Arc<Code>,
    /// The last instruction fetched past the cached range.
    spare: Option<Decoded>,
}

impl<'a> Kernel<'a> {
    /// The kernel starting at GPU address `base`, with what the cache holds of it when
    /// memory still has the same bytes there.
    pub fn new(space: &'a dyn AddressSpace, base: u64) -> Kernel<'a> {
        let base = base & GPU_ADDR_MASK;
        let cached = with_cache(|c| c.kernels.get(&base).cloned());
        let code = match cached {
            Some(code) if unchanged(space, base, &code.bytes) => {
                with_cache(|c| c.stats.hits += 1);
                code
            }
            _ => {
                with_cache(|c| c.stats.misses += 1);
                Arc::default()
            }
        };
        Kernel {
            space,
            base,
            code,
            spare: None,
        }
    }

    /// The instruction at byte offset `off`.
    pub fn fetch(&mut self, off: u64) -> Result<&Decoded, EuError> {
        if !off.is_multiple_of(8) {
            return Err(EuError::new(format!(
                "instruction fetch at kernel offset {off:#x}, not a multiple of 8"
            )));
        }
        if off >= CACHED_KERNEL_BYTES {
            let d = self.decode(off)?;
            return Ok(self.spare.insert(d));
        }
        let slot = (off / 8) as usize;
        if !matches!(self.code.insts.get(slot), Some(Some(_))) {
            let d = self.decode(off)?;
            let code = Arc::make_mut(&mut self.code);
            if code.insts.len() <= slot {
                code.insts.resize(slot + 1, None);
            }
            return Ok(code.insts[slot].insert(d));
        }
        Ok(self.code.insts[slot].as_ref().expect("checked above"))
    }

    /// The instruction at byte offset `off` when it is already decoded in the cached
    /// range (the interpreter's quick path; [`Kernel::fetch`] does the rest).
    #[inline]
    pub(crate) fn cached(&self, off: u64) -> Option<&Decoded> {
        if !off.is_multiple_of(8) || off >= CACHED_KERNEL_BYTES {
            return None;
        }
        self.code.insts.get((off / 8) as usize)?.as_ref()
    }

    /// Reads and decodes the instruction at `off`, recording its bytes.
    fn decode(&mut self, off: u64) -> Result<Decoded, EuError> {
        let inst = self.decode_inst(off)?;
        let fast = super::fast::compile(&inst);
        let after_loop = if inst.op == Op::Break {
            let w = off.wrapping_add(inst.uip as i64 as u64);
            self.decode_inst(w)
                .ok()
                .map(|i| w.wrapping_add(u64::from(i.size)))
        } else {
            None
        };
        Ok(Decoded {
            inst,
            fast,
            after_loop,
        })
    }

    fn decode_inst(&mut self, off: u64) -> Result<Inst, EuError> {
        let addr = (self.base + off) & GPU_ADDR_MASK;
        let mut b = [0u8; 16];
        let fault = |f: crate::mem::Fault| {
            EuError::new(format!("instruction fetch fault at {:#x}", f.addr))
        };
        // A compacted instruction may be the last 8 bytes of the kernel's mapping.
        read_mem(self.space, addr, &mut b[..8]).map_err(fault)?;
        let len = if b[3] >> 5 & 1 == 0 {
            read_mem(self.space, addr + 8, &mut b[8..]).map_err(fault)?;
            16
        } else {
            8
        };
        let inst = isa::decode_bytes(&b)
            .map_err(|e| EuError::new(format!("{e} at kernel offset {off:#x}")))?;
        self.record(off, &b[..len])?;
        Ok(inst)
    }

    /// Extends the recorded bytes to cover `[off, off + bytes.len())`, so that the cache
    /// can tell later whether memory still holds what was decoded.
    fn record(&mut self, off: u64, bytes: &[u8]) -> Result<(), EuError> {
        let end = off + bytes.len() as u64;
        if end > CACHED_KERNEL_BYTES {
            return Ok(());
        }
        let have = self.code.bytes.len() as u64;
        if end <= have {
            return Ok(());
        }
        if off > have {
            // Fill the gap from memory so the recorded range stays contiguous.
            let mut gap = vec![0u8; (off - have) as usize];
            read_mem(self.space, (self.base + have) & GPU_ADDR_MASK, &mut gap)
                .map_err(|f| EuError::new(format!("instruction fetch fault at {:#x}", f.addr)))?;
            Arc::make_mut(&mut self.code).bytes.extend_from_slice(&gap);
        }
        let from = (self.code.bytes.len() as u64 - off) as usize;
        Arc::make_mut(&mut self.code)
            .bytes
            .extend_from_slice(&bytes[from..]);
        Ok(())
    }
}

/// Whether memory at `base` still holds `bytes`.
fn unchanged(space: &dyn AddressSpace, base: u64, bytes: &[u8]) -> bool {
    let mut now = vec![0u8; bytes.len()];
    read_mem(space, base, &mut now).is_ok() && now == bytes
}

impl Drop for Kernel<'_> {
    fn drop(&mut self) {
        let code = std::mem::take(&mut self.code);
        if code.bytes.is_empty() {
            return;
        }
        with_cache(|c| {
            // Another host thread of the dispatch may have returned a decoding that
            // covers more of the kernel: keep that one.
            if c.kernels
                .peek(&self.base)
                .is_some_and(|k| k.bytes.len() > code.bytes.len())
            {
                return;
            }
            if let Some((old, _)) = c.kernels.push(self.base, code) {
                if old != self.base {
                    c.stats.evictions += 1;
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eu::asm;
    use crate::testing::SparseSpace;

    fn put(space: &SparseSpace, addr: u64, words: &[[u32; 4]]) {
        let b: Vec<u8> = asm::flatten(words)
            .iter()
            .flat_map(|d| d.to_le_bytes())
            .collect();
        space.write(addr, &b).unwrap();
    }

    /// A kernel found again is a hit; rewritten in place, it is decoded anew and runs the
    /// new instructions.
    #[test]
    fn a_rewritten_kernel_is_decoded_anew() {
        let space = SparseSpace::new();
        // An address no other test uses: the cache is shared by the whole process.
        let base = 0x7_1234_0000;
        space.bind(base, 0x1000);
        put(&space, base, &asm::eot());
        let op0 = {
            let mut k = Kernel::new(&space, base);
            k.fetch(0).unwrap().inst.op
        };
        let before = cache_stats();
        {
            let mut k = Kernel::new(&space, base);
            assert_eq!(k.fetch(0).unwrap().inst.op, op0);
        }
        let after = cache_stats();
        assert!(after.hits > before.hits, "{before:?} -> {after:?}");
        let mut words = vec![asm::sync(0)];
        words.extend(asm::eot());
        put(&space, base, &words);
        let before = cache_stats();
        let mut k = Kernel::new(&space, base);
        assert_eq!(k.fetch(0).unwrap().inst.op, Op::Sync);
        assert!(cache_stats().misses > before.misses);
    }

    /// An instruction that does not decode is an error naming its offset, and is not
    /// cached.
    #[test]
    fn an_invalid_instruction_is_named() {
        let space = SparseSpace::new();
        let base = 0x7_1235_0000;
        space.bind(base, 0x1000);
        space.write(base, &[0xffu8; 16]).unwrap();
        let mut k = Kernel::new(&space, base);
        let e = k.fetch(0).unwrap_err();
        assert!(e.0.contains("kernel offset 0x0"), "{e}");
        // An unmapped kernel faults.
        let mut k = Kernel::new(&space, 0x7_2000_0000);
        let e = k.fetch(0).unwrap_err();
        assert!(e.0.contains("fetch fault"), "{e}");
    }
}
