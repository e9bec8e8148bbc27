//! The hook `--record` uses: a recorder the front-end installs in the device's
//! configuration, told about each submission as its batch starts, with the VM to
//! read the objects from. The model only describes; writing a trace is the
//! recorder's business (the front-end's, which does the I/O).

use gpu_backend::aub::SubmissionMeta;
use gpu_backend::{AddressSpace, EngineClass};

/// Something that keeps a record of submissions.
pub trait SubmitRecorder: Send + Sync + std::fmt::Debug {
    /// Submission `meta` on an engine of `class` is about to run: `space` is its VM,
    /// where every object of `meta.objects` is bound. Called on the engine thread,
    /// after the requests ahead of it completed and before the batch runs; it must not
    /// block on anything a fence waiter may hold.
    /// Returns a number the recorder gives the submission, handed back to
    /// [`finished`](Self::finished).
    fn record(&self, class: EngineClass, meta: &SubmissionMeta, space: &dyn AddressSpace) -> u64;

    /// Submission `seq` completed (it did not hang and was not cancelled): `space`
    /// holds what it left in its objects. Called on the engine thread before the
    /// request's fence signals, so no client has touched the objects since.
    fn finished(&self, seq: u64, meta: &SubmissionMeta, space: &dyn AddressSpace);
}
