//! `--record FILE`: the recorder the device calls as each batch starts. It reads the
//! submission's objects from its VM, has gpu-backend's AUB writer encode them, and
//! appends the bytes to FILE (flushed per submission, so a trace of a program that
//! crashes the daemon still ends at a whole submission).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;

use gpu_backend::aub::{fnv1a, ResultMeta, Submission, SubmissionMeta, Writer};
use gpu_backend::{AddressSpace, EngineClass};

/// The trace being written.
pub struct AubRecorder {
    state: Mutex<State>,
}

struct State {
    writer: Writer,
    file: BufWriter<File>,
    /// A write failed: the trace stops there (one warning, not one per batch).
    failed: bool,
}

impl std::fmt::Debug for AubRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AubRecorder")
    }
}

impl AubRecorder {
    /// Creates (or truncates) `path` and writes the trace's header for device `pci_id`.
    pub fn create(path: &Path, pci_id: u16) -> std::io::Result<AubRecorder> {
        let mut file = BufWriter::new(File::create(path)?);
        let mut writer = Writer::new(pci_id, "gemu");
        file.write_all(&writer.take())?;
        file.flush()?;
        Ok(AubRecorder {
            state: Mutex::new(State {
                writer,
                file,
                failed: false,
            }),
        })
    }
}

impl emu::recorder::SubmitRecorder for AubRecorder {
    fn record(&self, class: EngineClass, meta: &SubmissionMeta, space: &dyn AddressSpace) -> u64 {
        let sub = Submission {
            class,
            meta: meta.clone(),
            contents: contents(meta, space),
        };
        self.write(|w| w.submit(&sub))
    }

    fn finished(&self, seq: u64, meta: &SubmissionMeta, space: &dyn AddressSpace) {
        let results: Vec<ResultMeta> = meta
            .objects
            .iter()
            .zip(contents(meta, space))
            .map(|(o, bytes)| ResultMeta {
                seq,
                handle: o.handle,
                addr: o.addr,
                size: o.size,
                fnv: fnv1a(&bytes),
            })
            .collect();
        self.write(|w| results.iter().for_each(|r| w.result(r)));
    }
}

impl AubRecorder {
    /// Runs `f` on the writer and appends what it wrote to the file; 0 once the file
    /// failed.
    fn write<T: Default>(&self, f: impl FnOnce(&mut Writer) -> T) -> T {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.failed {
            return T::default();
        }
        let r = f(&mut st.writer);
        let bytes = st.writer.take();
        if let Err(e) = st.file.write_all(&bytes).and_then(|()| st.file.flush()) {
            log::error!("record: writing the trace failed, it ends here: {e}");
            st.failed = true;
        }
        r
    }
}

/// Each object's bytes, read from the submission's VM.
fn contents(meta: &SubmissionMeta, space: &dyn AddressSpace) -> Vec<Vec<u8>> {
    meta.objects
        .iter()
        .map(|o| {
            let mut b = vec![0u8; o.size as usize];
            if let Err(f) = space.read(o.addr, &mut b) {
                // Bound since execbuf ran; a fault here is a model bug, and the trace
                // then holds zeros for it.
                log::warn!("record: handle {} at {:#x}: {f}", o.handle, o.addr);
            }
            b
        })
        .collect()
}
