//! AUB traces: what the writer records reads back as the same submissions, the
//! replay runs them, and damaged traces are errors naming a byte offset.

use gpu_backend::aub::{self, AubError, ObjectMeta, ReplayOptions, Submission, SubmissionMeta};
use gpu_backend::testing::Rng;
use gpu_backend::{EngineClass, Outcome};
use proptest::prelude::*;

const MI_STORE_DATA_IMM: u32 = (0x20 << 23) | (1 << 22) | 2;
const MI_BATCH_BUFFER_END: u32 = 0xa << 23;

fn dwords(d: &[u32], size: usize) -> Vec<u8> {
    let mut v: Vec<u8> = d.iter().flat_map(|x| x.to_le_bytes()).collect();
    v.resize(size, 0);
    v
}

/// A submission on `class` in `vm` whose batch (at `batch`) stores `value` at
/// `target + 8`; the target object starts with random bytes.
fn store(
    rng: &mut Rng,
    class: EngineClass,
    vm: u64,
    batch: u64,
    target: u64,
    value: u32,
) -> Submission {
    let dst = target + 8;
    let cmds = [
        MI_STORE_DATA_IMM,
        dst as u32,
        (dst >> 32) as u32,
        value,
        MI_BATCH_BUFFER_END,
    ];
    let noise: Vec<u8> = (0..8192).map(|_| rng.next_u32() as u8).collect();
    Submission {
        class,
        meta: SubmissionMeta {
            engine: "rcs0".into(),
            ctx: (vm & 0xff) as u32,
            vm,
            batch,
            objects: vec![
                ObjectMeta {
                    handle: 1,
                    addr: target,
                    size: 8192,
                    write: true,
                },
                ObjectMeta {
                    handle: 2,
                    addr: batch,
                    size: 4096,
                    write: false,
                },
            ],
        },
        contents: vec![noise, dwords(&cmds, 4096)],
    }
}

fn sample() -> Vec<Submission> {
    let mut rng = Rng(0x5eed);
    vec![
        store(
            &mut rng,
            EngineClass::Render,
            1,
            0x10_0000,
            0x20_0000,
            0xc0de_0001,
        ),
        // The same addresses in another VM: different pages.
        store(
            &mut rng,
            EngineClass::Copy,
            2,
            0x10_0000,
            0x20_0000,
            0xc0de_0002,
        ),
        // High addresses (four table levels all used) and a second engine class.
        store(
            &mut rng,
            EngineClass::Video,
            1,
            0x7fff_ffff_0000,
            0x1_0000_0000,
            0xc0de_0003,
        ),
        store(
            &mut rng,
            EngineClass::Render,
            1,
            0x10_0000,
            0x20_0000,
            0xc0de_0004,
        ),
    ]
}

fn record(subs: &[Submission]) -> Vec<u8> {
    let mut w = aub::Writer::new(0x9a49, "test");
    for s in subs {
        w.submit(s);
    }
    w.take()
}

#[test]
fn recorded_submissions_read_back_unchanged() {
    let subs = sample();
    let bytes = record(&subs);
    let mut seen = Vec::new();
    let opts = ReplayOptions {
        execute: false,
        ..Default::default()
    };
    let n = aub::replay(&bytes, &opts, |s, space| {
        let meta = s.meta.clone().expect("gemu's notes");
        let contents = meta
            .objects
            .iter()
            .map(|o| {
                let mut b = vec![0u8; o.size as usize];
                space.read(o.addr, &mut b).expect("object mapped");
                b
            })
            .collect();
        assert_eq!(s.batch, meta.batch);
        seen.push(Submission {
            class: s.class,
            meta,
            contents,
        });
    })
    .unwrap();
    assert_eq!(n, subs.len());
    assert_eq!(seen, subs);
}

#[test]
fn replay_runs_each_batch_in_its_own_vm() {
    let subs = sample();
    let bytes = record(&subs);
    let mut results = Vec::new();
    aub::replay(&bytes, &ReplayOptions::default(), |s, space| {
        let meta = s.meta.as_ref().unwrap();
        let t = meta.objects[0];
        let mut after = vec![0u8; t.size as usize];
        space.read(t.addr, &mut after).unwrap();
        results.push((s.outcome.clone(), after));
    })
    .unwrap();
    for (sub, (outcome, after)) in subs.iter().zip(results) {
        assert_eq!(outcome, Some(Outcome::Completed), "{:?}", sub.meta);
        // The CPU's model of the batch: its one store, applied to the recorded bytes.
        let batch = &sub.contents[1];
        let word = |i: usize| u32::from_le_bytes(batch[i * 4..i * 4 + 4].try_into().unwrap());
        assert_eq!(word(0), MI_STORE_DATA_IMM);
        let dst = u64::from(word(1)) | u64::from(word(2)) << 32;
        let mut expect = sub.contents[0].clone();
        let at = (dst - sub.meta.objects[0].addr) as usize;
        expect[at..at + 4].copy_from_slice(&word(3).to_le_bytes());
        assert!(expect != sub.contents[0], "the store changes the object");
        assert!(after == expect, "replayed object differs from the model");
    }
}

#[test]
fn truncation_anywhere_is_an_error_with_an_offset_inside_the_file() {
    let bytes = record(&sample()[..1]);
    let opts = ReplayOptions {
        execute: false,
        ..Default::default()
    };
    for cut in (1..bytes.len()).step_by(7) {
        match aub::replay(&bytes[..cut], &opts, |_, _| {}) {
            Ok(_) => {}
            Err(AubError::Truncated { offset, need, have }) => {
                assert!(offset < cut && have < need && offset + have == cut);
            }
            Err(e) => panic!("cut at {cut}: {e}"),
        }
    }
    // A cut inside the last block always shows.
    let err = aub::replay(&bytes[..bytes.len() - 2], &opts, |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("byte"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random bytes: an error or a replay, never a panic.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let opts = ReplayOptions { execute: false, ..Default::default() };
        let _ = aub::replay(&bytes, &opts, |_, _| {});
    }

    /// A real trace with a few bytes changed: an error that names an offset inside the
    /// file, or a replay (running the batches too), never a panic.
    #[test]
    fn garbled_traces_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
        let mut bytes = record(&sample()[..2]);
        let len = bytes.len();
        for (at, v) in edits {
            bytes[at % len] = v;
        }
        let opts = ReplayOptions {
            execute: true,
            hang_timeout: std::time::Duration::from_millis(50),
            batch_limit: std::time::Duration::from_millis(50),
        };
        if let Err(e) = aub::replay(&bytes, &opts, |_, _| {}) {
            let offset = match e {
                AubError::Truncated { offset, .. }
                | AubError::UnknownBlock { offset, .. }
                | AubError::Invalid { offset, .. } => offset,
            };
            prop_assert!(offset < len);
        }
    }
}

/// A trace without gemu's notes (as another tool writes them) still replays; its
/// objects are known only as the runs of pages the VM maps.
#[test]
fn a_trace_without_notes_replays_and_names_its_mapped_runs() {
    let subs = sample();
    let mut bare = Vec::new();
    for r in aub::Blocks::new(&record(&subs)) {
        let (_, b) = r.unwrap();
        if !matches!(b, aub::Block::Comment(_)) {
            b.encode(&mut bare);
        }
    }
    let mut runs = Vec::new();
    let n = aub::replay(&bare, &ReplayOptions::default(), |s, _| {
        assert!(s.meta.is_none() && s.expected.is_empty());
        assert_eq!(s.outcome, Some(Outcome::Completed));
        runs.push(s.mapped.clone());
    })
    .unwrap();
    assert_eq!(n, subs.len());
    // The first submission's VM maps its batch page and the two target pages (the
    // batch object is a page; the target two, far from it).
    assert_eq!(runs[0], vec![(0x10_0000, 0x1000), (0x20_0000, 0x2000)]);
}

/// Random submissions: engines, VMs, contexts, 48-bit addresses, object sizes that
/// are not whole pages, contents.
fn arb_submissions() -> impl Strategy<Value = Vec<Submission>> {
    // Pages of a 1 GiB slot, leaving room for the largest object before the next.
    let object = (0u64..(1 << 18) - 3, 1usize..9000, any::<u8>());
    let sub = (
        0usize..4,
        1u64..4,
        0u32..3,
        0u64..1 << 36,
        proptest::collection::vec(object, 1..4),
    );
    proptest::collection::vec(sub, 1..6).prop_map(|subs| {
        subs.into_iter()
            .map(|(e, vm, ctx, batch_page, objs)| {
                let class = [
                    EngineClass::Render,
                    EngineClass::Copy,
                    EngineClass::Video,
                    EngineClass::VideoEnhance,
                ][e];
                // Each object in its own 1 GiB slot: no two overlap.
                let (objects, contents) = objs
                    .iter()
                    .enumerate()
                    .map(|(i, &(page, size, seed))| {
                        let addr = ((i as u64 + 1) << 30) | (page << 12);
                        let bytes = (0..size).map(|k| seed.wrapping_add(k as u8)).collect();
                        let meta = ObjectMeta {
                            handle: i as u32 + 1,
                            addr,
                            size: size as u64,
                            write: i == 0,
                        };
                        (meta, bytes)
                    })
                    .unzip();
                Submission {
                    class,
                    meta: SubmissionMeta {
                        engine: format!("e{e}"),
                        ctx,
                        vm,
                        batch: batch_page << 12,
                        objects,
                    },
                    contents,
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever is recorded reads back as the same submissions, in order.
    #[test]
    fn any_recording_reads_back(subs in arb_submissions()) {
        let bytes = record(&subs);
        let mut seen = Vec::new();
        let opts = ReplayOptions { execute: false, ..Default::default() };
        aub::replay(&bytes, &opts, |s, space| {
            let meta = s.meta.clone().unwrap();
            let contents = meta
                .objects
                .iter()
                .map(|o| {
                    let mut b = vec![0u8; o.size as usize];
                    space.read(o.addr, &mut b).unwrap();
                    b
                })
                .collect();
            seen.push(Submission { class: s.class, meta, contents });
        })
        .unwrap();
        prop_assert_eq!(seen, subs);
    }
}

/// Re-encodes a trace, letting `edit` change each comment.
fn edit_comments(bytes: &[u8], edit: impl Fn(&str) -> String) -> Vec<u8> {
    let mut out = Vec::new();
    for r in aub::Blocks::new(bytes) {
        match r.unwrap().1 {
            aub::Block::Comment(t) => aub::Block::Comment(edit(&t)).encode(&mut out),
            b => b.encode(&mut out),
        }
    }
    out
}

/// A note may claim any size: an object the trace does not map in full is an error
/// at the submission, not a huge allocation.
#[test]
fn a_note_claiming_unmapped_memory_is_an_error() {
    let bytes = edit_comments(&record(&sample()[..1]), |t| {
        if t.starts_with("gemu-object handle=1") {
            t.replace("size=0x2000", "size=0xffffffffff")
        } else {
            t.to_owned()
        }
    });
    let opts = ReplayOptions::default();
    let err = aub::replay(&bytes, &opts, |_, _| panic!("replayed")).unwrap_err();
    assert!(
        matches!(&err, AubError::Invalid { what, .. } if what.contains("spans more pages")),
        "{err}"
    );
}

/// Page tables that point at themselves map 2^36 pages: naming a foreign trace's
/// mapped runs stops with an error instead of enumerating them.
#[test]
fn aliased_page_tables_are_an_error() {
    let subs = sample();
    let mut w = aub::Writer::new(0x9a49, "test");
    w.submit(&subs[0]);
    let first = w.take();
    let opts = ReplayOptions {
        execute: false,
        ..Default::default()
    };
    let mut pml4 = 0;
    aub::replay(&first, &opts, |s, _| pml4 = s.pml4).unwrap();
    // Every PML4 entry points back at the PML4, then the same context submits again.
    let mut bytes = first;
    let table: Vec<u8> = (0..512).flat_map(|_| (pml4 | 3).to_le_bytes()).collect();
    aub::Block::MemWrite {
        space: aub::Space::Physical,
        addr: pml4,
        data: &table,
    }
    .encode(&mut bytes);
    w.submit(&subs[3]);
    bytes.extend(w.take());
    let bare = edit_comments(&bytes, |_| String::new());
    let err = aub::replay(&bare, &opts, |_, _| {}).unwrap_err();
    assert!(
        matches!(&err, AubError::Invalid { what, .. } if what.contains("aliased")),
        "{err}"
    );
}
