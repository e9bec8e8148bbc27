//! gemu's own notes in a trace: AUB comment blocks that name each submission's
//! context and the GEM objects it used (handle, address, size), so a replay can
//! dump memory object by object. Other decoders print them as comments.

/// What gemu knows about a submission beyond what the execlist state says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubmissionMeta {
    /// The engine's name (`rcs0`, `bcs0`, ...).
    pub engine: String,
    /// The GEM context id the client submitted on.
    pub ctx: u32,
    /// Which address space (VM) it ran in; equal values are the same VM.
    pub vm: u64,
    /// The batch's GPU address.
    pub batch: u64,
    /// The objects of the submission, in execbuf order.
    pub objects: Vec<ObjectMeta>,
}

/// One object of a submission.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The client's GEM handle.
    pub handle: u32,
    /// Its GPU address in the submission's VM.
    pub addr: u64,
    /// Its size in bytes.
    pub size: u64,
    /// Whether the client declared it written (EXEC_OBJECT_WRITE).
    pub write: bool,
}

const SUBMISSION: &str = "gemu-submission";
const OBJECT: &str = "gemu-object";

impl SubmissionMeta {
    /// The comment lines that describe the submission (one, then one per object).
    pub fn to_comments(&self) -> Vec<String> {
        let mut v = vec![format!(
            "{SUBMISSION} engine={} ctx={} vm={:#x} batch={:#x}",
            self.engine, self.ctx, self.vm, self.batch
        )];
        v.extend(self.objects.iter().map(|o| {
            format!(
                "{OBJECT} handle={} addr={:#x} size={:#x} write={}",
                o.handle, o.addr, o.size, o.write as u8
            )
        }));
        v
    }
}

/// A parsed gemu comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// Starts the metadata of the next submission.
    Submission(SubmissionMeta),
    /// An object of the submission the last [`Note::Submission`] started.
    Object(ObjectMeta),
}

fn field<'a>(words: &[(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    words.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn num(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Parses a comment; `None` for one that is not gemu's or does not parse (a
/// foreign comment is no error).
pub fn parse_note(text: &str) -> Option<Note> {
    let mut words = text.split_whitespace();
    let kind = words.next()?;
    let kv: Vec<(&str, &str)> = words.filter_map(|w| w.split_once('=')).collect();
    match kind {
        SUBMISSION => Some(Note::Submission(SubmissionMeta {
            engine: field(&kv, "engine")?.to_owned(),
            ctx: u32::try_from(num(field(&kv, "ctx")?)?).ok()?,
            vm: num(field(&kv, "vm")?)?,
            batch: num(field(&kv, "batch")?)?,
            objects: Vec::new(),
        })),
        OBJECT => Some(Note::Object(ObjectMeta {
            handle: u32::try_from(num(field(&kv, "handle")?)?).ok()?,
            addr: num(field(&kv, "addr")?)?,
            size: num(field(&kv, "size")?)?,
            write: num(field(&kv, "write")?)? != 0,
        })),
        _ => None,
    }
}
