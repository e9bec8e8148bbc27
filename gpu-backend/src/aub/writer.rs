//! Writes submissions as an execlist-era AUB trace: the GGTT holds each hardware
//! context (ring, status page, register state) and each engine's status page; every
//! VM gets a 4-level page table written as physical memory, and each object's pages
//! are written, at submission time, to the physical pages its GPU addresses map to.
//! A submission is then a ring holding one MI_BATCH_BUFFER_START and a write of the
//! context's descriptor to the engine's execlist submit queue.

use std::collections::{HashMap, HashSet};

use super::format::{Block, Space, MAX_WRITE};
use super::layout::{self, PAGE};
use super::meta::{ResultMeta, SubmissionMeta};
use crate::EngineClass;

/// One submission to record: where it ran, what gemu knows of it, and the contents
/// of its objects (`contents[i]` belongs to `meta.objects[i]`, at most its size).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    /// The engine's class.
    pub class: EngineClass,
    /// Context, VM, batch address and objects.
    pub meta: SubmissionMeta,
    /// Each object's bytes when the batch started.
    pub contents: Vec<Vec<u8>>,
}

/// A page table tree of one VM.
struct Ppgtt {
    pml4: u64,
    /// (level of the table, GPU address bits above what it covers) → physical page.
    tables: HashMap<(u32, u64), u64>,
    /// GPU page number → physical page.
    pages: HashMap<u64, u64>,
}

/// Builds a trace in memory; the caller moves the bytes out with [`take`](Self::take)
/// as often as it likes (a file writer after each submission).
pub struct Writer {
    out: Vec<u8>,
    next_phys: u64,
    next_ggtt: u64,
    vms: HashMap<u64, Ppgtt>,
    /// (VM, context, engine) → GGTT address of its hardware context.
    contexts: HashMap<(u64, u32, u16), u64>,
    engines: HashSet<u16>,
    /// Submissions written so far.
    submitted: u64,
}

/// MI_BATCH_BUFFER_START, 48-bit, from a non-privileged ring as i915 emits it.
const MI_BBS: u32 = (0x31 << 23) | (1 << 8) | 1;

fn class_key(c: EngineClass) -> u16 {
    c.uapi_class()
}

impl Writer {
    /// A trace for PCI device `pci_id`, labelled `app` (decoders print it).
    pub fn new(pci_id: u16, app: &str) -> Writer {
        let mut w = Writer {
            out: Vec::new(),
            // Physical and GGTT page 0 stay unused: an address of 0 is never valid.
            next_phys: PAGE,
            next_ggtt: PAGE,
            vms: HashMap::new(),
            contexts: HashMap::new(),
            engines: HashSet::new(),
            submitted: 0,
        };
        w.put(Block::Version {
            device: 0,
            text: format!("PCI-ID={pci_id:#X} {app}"),
        });
        w
    }

    /// The bytes written since the last call.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    fn put(&mut self, b: Block<'_>) {
        b.encode(&mut self.out);
    }

    fn alloc_phys(&mut self) -> u64 {
        let p = self.next_phys;
        self.next_phys += PAGE;
        p
    }

    fn write_phys(&mut self, addr: u64, data: &[u8]) {
        for (i, chunk) in data.chunks(MAX_WRITE).enumerate() {
            self.put(Block::MemWrite {
                space: Space::Physical,
                addr: addr + (i * MAX_WRITE) as u64,
                data: chunk,
            });
        }
    }

    /// Maps `len` bytes of fresh GGTT space to fresh physical pages; returns the GGTT
    /// address.
    fn map_ggtt(&mut self, len: u64) -> u64 {
        let pages = len.div_ceil(PAGE);
        let at = self.next_ggtt;
        self.next_ggtt += pages * PAGE;
        let mut entries = Vec::with_capacity(pages as usize * 8);
        for _ in 0..pages {
            let phys = self.alloc_phys();
            entries.extend_from_slice(&(phys | 1).to_le_bytes());
        }
        self.put(Block::MemWrite {
            space: Space::GgttEntry,
            addr: (at / PAGE) * 8,
            data: &entries,
        });
        at
    }

    fn write_ggtt(&mut self, addr: u64, data: &[u8]) {
        // Page by page: each GGTT page may sit anywhere in physical memory.
        let mut done = 0;
        while done < data.len() {
            let a = addr + done as u64;
            let n = ((PAGE - a % PAGE) as usize).min(data.len() - done);
            self.put(Block::MemWrite {
                space: Space::Ggtt,
                addr: a,
                data: &data[done..done + n],
            });
            done += n;
        }
    }

    /// The physical page behind GPU page `gpu` of `vm`, made (with the tables on
    /// the way) when missing.
    fn ppgtt_page(&mut self, vm: u64, gpu: u64) -> u64 {
        if !self.vms.contains_key(&vm) {
            let pml4 = self.alloc_phys();
            self.vms.insert(
                vm,
                Ppgtt {
                    pml4,
                    tables: HashMap::new(),
                    pages: HashMap::new(),
                },
            );
        }
        let page = gpu / PAGE;
        if let Some(p) = self.vms[&vm].pages.get(&page) {
            return *p;
        }
        let mut table = self.vms[&vm].pml4;
        for level in (1..=4u32).rev() {
            let shift = 12 + 9 * (level - 1);
            let index = (gpu >> shift) & 0x1ff;
            let existing = if level == 1 {
                self.vms[&vm].pages.get(&page).copied()
            } else {
                self.vms[&vm]
                    .tables
                    .get(&(level - 1, gpu >> shift))
                    .copied()
            };
            let next = match existing {
                Some(p) => p,
                None => {
                    let p = self.alloc_phys();
                    let t = self.vms.get_mut(&vm).expect("made above");
                    if level == 1 {
                        t.pages.insert(page, p);
                    } else {
                        t.tables.insert((level - 1, gpu >> shift), p);
                    }
                    // Present and writable.
                    self.write_phys(table + index * 8, &(p | 3).to_le_bytes());
                    p
                }
            };
            table = next;
        }
        table
    }

    /// The hardware status page and execlist mode of an engine, the first time it
    /// is used.
    fn engine_setup(&mut self, class: EngineClass, mmio: u32) {
        if self.engines.insert(class_key(class)) {
            self.put(Block::RegWrite {
                reg: mmio + layout::GFX_MODE,
                value: layout::GFX_MODE_EXECLIST,
            });
            let hwsp = self.map_ggtt(PAGE);
            self.put(Block::RegWrite {
                reg: mmio + layout::HWS_PGA,
                value: hwsp as u32,
            });
        }
    }

    /// Notes what an object held once a submission completed (see [`ResultMeta`]).
    pub fn result(&mut self, r: &ResultMeta) {
        self.put(Block::Comment(r.to_comment()));
    }

    /// Records one submission and returns its number in the trace (1, 2, ...).
    /// Engines a trace cannot carry (none of gemu's today) are recorded as render
    /// submissions.
    pub fn submit(&mut self, s: &Submission) -> u64 {
        let (mmio, hw_class) = layout::engine_regs(s.class)
            .or_else(|| layout::engine_regs(EngineClass::Render))
            .expect("render is always in the table");
        self.engine_setup(s.class, mmio);
        for line in s.meta.to_comments() {
            self.put(Block::Comment(line));
        }
        let vm = s.meta.vm;
        // The VM's tables exist even for a submission without objects.
        let _ = self.ppgtt_page(vm, s.meta.batch & !(PAGE - 1));
        for (o, data) in s.meta.objects.iter().zip(&s.contents) {
            let data = &data[..data.len().min(o.size as usize)];
            let mut done = 0usize;
            while done < data.len() {
                let gpu = o.addr + done as u64;
                let n = ((PAGE - gpu % PAGE) as usize).min(data.len() - done);
                let phys = self.ppgtt_page(vm, gpu);
                self.write_phys(phys + gpu % PAGE, &data[done..done + n]);
                done += n;
            }
        }
        let key = (vm, s.meta.ctx, class_key(s.class));
        let base = match self.contexts.get(&key) {
            Some(b) => *b,
            None => {
                let base = self.map_ggtt(layout::CONTEXT_BYTES);
                let pml4 = self.vms[&vm].pml4;
                let image = layout::context_image(mmio, base, 16, pml4);
                self.write_ggtt(base + layout::RING_BYTES + PAGE, &image);
                self.contexts.insert(key, base);
                base
            }
        };
        let ring: Vec<u8> = [MI_BBS, s.meta.batch as u32, (s.meta.batch >> 32) as u32, 0]
            .iter()
            .flat_map(|d| d.to_le_bytes())
            .collect();
        self.write_ggtt(base, &ring);
        let descriptor = hw_class | (base + layout::RING_BYTES) | layout::DESCRIPTOR_FLAGS;
        self.put(Block::RegWrite {
            reg: mmio + layout::ELSQ,
            value: descriptor as u32,
        });
        self.put(Block::RegWrite {
            reg: mmio + layout::ELSQ + 4,
            value: (descriptor >> 32) as u32,
        });
        self.put(Block::RegWrite {
            reg: mmio + layout::EL_CONTROL,
            value: 1,
        });
        self.put(Block::RegPoll {
            reg: mmio + layout::EL_STATUS,
            mask: 1,
            value: 1,
        });
        self.submitted += 1;
        self.submitted
    }
}
