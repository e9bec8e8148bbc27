//! `gemu replay FILE [--dump DIR]`: runs an AUB trace on the software GPU and writes
//! each submission's objects, as the batch left them, to DIR.

use std::path::{Path, PathBuf};

use gpu_backend::aub::{self, ReplayOptions, Submitted};
use gpu_backend::AddressSpace;

use crate::Fallible;

/// Replays `file`; with `dump`, writes `NNNN-ENGINE-hHANDLE-ADDR.bin` per object of
/// each submission (gemu's traces), or `NNNN-ENGINE-ADDR.bin` per run of mapped pages
/// (traces without gemu's notes). Prints one line per submission, and compares each
/// object with what the recorded run left (gemu's traces note a hash of it): exits 1
/// when a batch did not complete or an object differs.
pub fn replay(file: &Path, dump: Option<&Path>) -> Fallible<u8> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if let Some(dir) = dump {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut index = 0usize;
    let mut failure: Option<String> = None;
    let mut hung = 0usize;
    // Objects compared with what the recorded run left, and how many differ.
    let (mut checked, mut differ) = (0usize, 0usize);
    let n = aub::replay(&bytes, &ReplayOptions::default(), |s, space| {
        index += 1;
        let engine = s
            .meta
            .as_ref()
            .map(|m| m.engine.clone())
            .unwrap_or_else(|| format!("{:?}", s.class).to_lowercase());
        let outcome = match &s.outcome {
            Some(gpu_backend::Outcome::Hung(h)) => format!("hung: {h}"),
            Some(o) => format!("{o:?}").to_lowercase(),
            None => String::new(),
        };
        if !matches!(s.outcome, Some(gpu_backend::Outcome::Completed)) {
            hung += 1;
        }
        println!(
            "{index:4} {engine:5} batch {:#014x} at byte {}: {outcome}",
            s.batch, s.offset
        );
        for r in &s.expected {
            checked += 1;
            let mut buf = vec![0u8; r.size as usize];
            let same = space.read(r.addr, &mut buf).is_ok() && aub::fnv1a(&buf) == r.fnv;
            if !same {
                differ += 1;
                println!(
                    "     handle {} at {:#x}: differs from the recorded run",
                    r.handle, r.addr
                );
            }
        }
        if let (Some(dir), None) = (dump, &failure) {
            if let Err(e) = dump_submission(dir, index, &engine, s, space) {
                failure = Some(e);
            }
        }
    })
    .map_err(|e| format!("{}: {e}", file.display()))?;
    if let Some(e) = failure {
        return Err(e);
    }
    println!(
        "{n} submissions replayed, {hung} did not complete; {} of {checked} objects \
         match the recorded run",
        checked - differ
    );
    Ok(if hung == 0 && differ == 0 { 0 } else { 1 })
}

fn dump_submission(
    dir: &Path,
    index: usize,
    engine: &str,
    s: &Submitted,
    space: &dyn AddressSpace,
) -> Fallible<()> {
    let ranges: Vec<(Option<u32>, u64, u64)> = match &s.meta {
        Some(m) => m
            .objects
            .iter()
            .map(|o| (Some(o.handle), o.addr, o.size))
            .collect(),
        None => s.mapped.iter().map(|&(a, l)| (None, a, l)).collect(),
    };
    for (handle, addr, size) in ranges {
        let mut buf = vec![0u8; size as usize];
        space
            .read(addr, &mut buf)
            .map_err(|f| format!("submission {index}: {f}"))?;
        let name = match handle {
            Some(h) => format!("{index:04}-{engine}-h{h}-{addr:#x}.bin"),
            None => format!("{index:04}-{engine}-{addr:#x}.bin"),
        };
        let path: PathBuf = dir.join(name);
        std::fs::write(&path, &buf).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
