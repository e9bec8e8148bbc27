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

/// An object's contents as the live run left them once a submission completed: what
/// a replay of that submission should reproduce.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResultMeta {
    /// The submission's number in the trace (1 for the first).
    pub seq: u64,
    /// The object's GEM handle.
    pub handle: u32,
    /// Its GPU address.
    pub addr: u64,
    /// Its size in bytes.
    pub size: u64,
    /// [`fnv1a`] of its bytes.
    pub fnv: u64,
}

impl ResultMeta {
    /// The comment line that carries it.
    pub fn to_comment(&self) -> String {
        format!(
            "{RESULT} seq={} handle={} addr={:#x} size={:#x} fnv={:#018x}",
            self.seq, self.handle, self.addr, self.size, self.fnv
        )
    }
}

/// The 64-bit FNV-1a hash: results are compared by it so a trace need not carry
/// every object twice.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

const SUBMISSION: &str = "gemu-submission";
const OBJECT: &str = "gemu-object";
const RESULT: &str = "gemu-result";

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
    /// An object after a submission completed in the live run.
    Result(ResultMeta),
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
        RESULT => Some(Note::Result(ResultMeta {
            seq: num(field(&kv, "seq")?)?,
            handle: u32::try_from(num(field(&kv, "handle")?)?).ok()?,
            addr: num(field(&kv, "addr")?)?,
            size: num(field(&kv, "size")?)?,
            fnv: num(field(&kv, "fnv")?)?,
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_read_back_as_written() {
        let meta = SubmissionMeta {
            engine: "bcs0".into(),
            ctx: 7,
            vm: 0x5555_0000_1230,
            batch: 0x7fff_0000_0040,
            objects: vec![ObjectMeta {
                handle: 3,
                addr: 0x1_0000_0000,
                size: 0x2000,
                write: true,
            }],
        };
        let mut back = None;
        for line in meta.to_comments() {
            match parse_note(&line) {
                Some(Note::Submission(s)) => back = Some(s),
                Some(Note::Object(o)) => back.as_mut().unwrap().objects.push(o),
                other => panic!("{line}: {other:?}"),
            }
        }
        assert_eq!(back, Some(meta));
        let r = ResultMeta {
            seq: 9,
            handle: 3,
            addr: 0x1000,
            size: 0x1000,
            fnv: fnv1a(b"gemu"),
        };
        assert_eq!(parse_note(&r.to_comment()), Some(Note::Result(r)));
        assert_eq!(parse_note("a comment of someone else"), None);
        assert_eq!(parse_note("gemu-object handle=zz"), None);
    }

    #[test]
    fn fnv1a_matches_its_reference_values() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
