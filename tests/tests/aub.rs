//! `gemu run --record` and `gemu replay` end to end: C clients of `tests/c` recorded
//! as AUB traces, the traces replayed on the software GPU, and what the replay leaves
//! compared with what the recorded run left and with a CPU model of the batches.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gpu_backend::aub::{self, ReplayOptions};

fn scratch(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("gemu-aub")
        .join(name)
}

fn gemu() -> PathBuf {
    tests::gemu_binary().unwrap_or_else(|e| panic!("no gemu binary: {e}"))
}

/// Runs `client` (one `case`, or all) under `gemu run --record` in `dir`; returns the
/// trace. The client must pass.
fn record(client: &str, case: Option<&str>, dir: &Path) -> PathBuf {
    let exe = tests::compile_client(client, dir).unwrap_or_else(|e| panic!("{e}"));
    let trace = dir.join(format!("{client}.aub"));
    let args = vec!["--record".to_owned(), trace.display().to_string()];
    let case: Vec<&str> = case.into_iter().collect();
    let run = tests::run_under_gemu_with(&gemu(), &args, &exe, &case, dir, tests::CLIENT_TIMEOUT)
        .unwrap_or_else(|e| panic!("{client}: {e}"));
    let summary = tests::client_summary(&run.stdout);
    assert!(
        run.status.is_some_and(|s| s.success()) && summary.is_some_and(|(p, f)| p > 0 && f == 0),
        "{client} under --record\n{}",
        run.transcript()
    );
    trace
}

fn replay(trace: &Path, dump: Option<&Path>) -> Output {
    let mut cmd = Command::new(gemu());
    cmd.arg("replay").arg(trace);
    if let Some(d) = dump {
        cmd.arg("--dump").arg(d);
    }
    cmd.output().expect("run gemu replay")
}

fn text(o: &Output) -> String {
    format!(
        "status {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The replay's closing line: (submissions, not completed, objects matching, checked).
fn summary(o: &Output) -> (usize, usize, usize, usize) {
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out.lines().last().unwrap_or_default();
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    match nums[..] {
        [n, hung, ok, of] => (n, hung, ok, of),
        _ => panic!("no summary line\n{}", text(o)),
    }
}

/// Submissions in a trace, counted by the library rather than by `gemu replay`.
fn submissions(trace: &Path) -> usize {
    let bytes = std::fs::read(trace).unwrap();
    let opts = ReplayOptions {
        execute: false,
        ..Default::default()
    };
    aub::replay(&bytes, &opts, |_, _| {}).unwrap()
}

/// Every blit of exec_blits (linear, X and Y tiled, 8 to 32 bpp, three commands)
/// replays to the same bytes the recorded run left in every object.
#[test]
fn blits_replay_to_what_the_recorded_run_left() {
    let dir = scratch("blits");
    let trace = record("exec_blits", None, &dir);
    let out = replay(&trace, None);
    assert!(out.status.success(), "{}", text(&out));
    let (n, hung, ok, checked) = summary(&out);
    assert_eq!(n, submissions(&trace), "{}", text(&out));
    assert!(n > 10 && hung == 0, "{}", text(&out));
    assert!(checked >= n && ok == checked, "{}", text(&out));
}

/// A CPU model of the store commands (MI_STORE_DATA_IMM, dword and qword forms) a
/// batch holds, applied to `objects` (address, bytes); `None` on any other command
/// but MI_NOOP and MI_BATCH_BUFFER_END.
fn model_stores(batch: &[u8], objects: &mut [(u64, Vec<u8>)]) -> Option<usize> {
    let dw = |i: usize| {
        batch
            .get(i * 4..i * 4 + 4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
    };
    let mut i = 0;
    let mut stores = 0;
    loop {
        let h = dw(i)?;
        match h >> 23 {
            0 => i += 1,
            0x0a => return Some(stores),
            0x20 => {
                let len = (h & 0x3ff) as usize + 2;
                let addr = (u64::from(dw(i + 1)?) | u64::from(dw(i + 2)?) << 32) & ((1 << 48) - 1);
                let data: Vec<u8> = (3..len)
                    .flat_map(|k| dw(i + k).unwrap_or(0).to_le_bytes())
                    .collect();
                let (base, bytes) = objects
                    .iter_mut()
                    .find(|(a, b)| addr >= *a && addr + data.len() as u64 <= *a + b.len() as u64)?;
                let at = (addr - *base) as usize;
                bytes[at..at + data.len()].copy_from_slice(&data);
                stores += 1;
                i += len;
            }
            _ => return None,
        }
    }
}

/// exec_basic's softpinned stores (low, 4 GiB, 1 TiB and top-of-range canonical
/// addresses, on rcs0 and bcs0): each object `gemu replay --dump` writes equals a CPU
/// model of the batch applied to the object as the trace recorded it.
#[test]
fn dumped_objects_match_a_cpu_model_of_the_stores() {
    let dir = scratch("stores");
    let trace = record("exec_basic", Some("store_dword_softpinned"), &dir);
    let dump = dir.join("dump");
    let _ = std::fs::remove_dir_all(&dump);
    let out = replay(&trace, Some(&dump));
    assert!(out.status.success(), "{}", text(&out));

    let bytes = std::fs::read(&trace).unwrap();
    let opts = ReplayOptions {
        execute: false,
        ..Default::default()
    };
    let mut compared = 0;
    let mut stores = 0;
    aub::replay(&bytes, &opts, |s, space| {
        let meta = s.meta.as_ref().expect("gemu's notes");
        let mut objects: Vec<(u64, Vec<u8>)> = meta
            .objects
            .iter()
            .map(|o| {
                let mut b = vec![0u8; o.size as usize];
                space.read(o.addr, &mut b).unwrap();
                (o.addr, b)
            })
            .collect();
        let batch_obj = objects
            .iter()
            .find(|(a, b)| s.batch >= *a && s.batch < *a + b.len() as u64)
            .expect("the batch is one of the objects");
        let batch = batch_obj.1[(s.batch - batch_obj.0) as usize..].to_vec();
        stores += model_stores(&batch, &mut objects).expect("only stores in these batches");
        for (o, (_, want)) in meta.objects.iter().zip(&objects) {
            let name = format!(
                "{:04}-{}-h{}-{:#x}.bin",
                s.seq, meta.engine, o.handle, o.addr
            );
            let got = std::fs::read(dump.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(&got == want, "{name} differs from the CPU model");
            compared += 1;
        }
    })
    .unwrap();
    assert!(
        stores >= 7 && compared >= 14,
        "{stores} stores, {compared} objects"
    );
}

/// The comparison with the recorded run can fail: a trace whose noted result is
/// altered replays as "differs" and exits 1.
#[test]
fn a_result_that_differs_from_the_recording_is_reported() {
    let dir = scratch("altered");
    let trace = record("exec_basic", Some("store_dword_relocated"), &dir);
    let mut bytes = std::fs::read(&trace).unwrap();
    let key = b"fnv=0x";
    let at = bytes
        .windows(key.len())
        .position(|w| w == key)
        .expect("a result note")
        + key.len();
    // Another hex digit, same length: the note still parses.
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    let altered = dir.join("altered.aub");
    std::fs::write(&altered, &bytes).unwrap();
    let out = replay(&altered, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("differs"),
        "{}",
        text(&out)
    );
    let (_, _, ok, checked) = summary(&out);
    assert_eq!(ok + 1, checked, "{}", text(&out));
}

/// A trace cut inside a block is an error that names the byte where the block starts,
/// not a panic.
#[test]
fn a_truncated_trace_is_an_error_naming_the_byte() {
    let dir = scratch("truncated");
    let trace = record("exec_basic", Some("store_dword_relocated"), &dir);
    let bytes = std::fs::read(&trace).unwrap();
    let cut = dir.join("cut.aub");
    std::fs::write(&cut, &bytes[..bytes.len() - 6]).unwrap();
    let out = replay(&cut, None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        err.contains("truncated AUB block at byte"),
        "{}",
        text(&out)
    );
    assert!(!err.contains("panicked"), "{}", text(&out));
}

/// Mesa's decoder reads gemu's traces. Debian packages no aubinator (Mesa builds it
/// only with `-Dtools=intel`), so without one on PATH this says so and checks nothing.
#[test]
fn aubinator_decodes_a_recorded_trace() {
    let Some(aubinator) = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("aubinator"))
            .find(|f| f.is_file())
    }) else {
        eprintln!(
            "SKIP aubinator_decodes_a_recorded_trace: no aubinator on PATH (Debian ships \
             none; build Mesa with -Dtools=intel to run this check)"
        );
        return;
    };
    let dir = scratch("aubinator");
    let trace = record("exec_basic", Some("store_dword_relocated"), &dir);
    let out = Command::new(aubinator)
        .args(["--no-pager", "--color=never"])
        .arg(&trace)
        .output()
        .expect("run aubinator");
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    assert!(s.contains("MI_BATCH_BUFFER_START"), "{}", text(&out));
    assert!(s.contains("MI_STORE_DATA_IMM"), "{}", text(&out));
}
