//! The request loop of one CUSE device: worker threads that read requests from its
//! `/dev/cuse` connection and answer them through the shared dispatch.

use std::io;
use std::sync::Arc;
use std::thread::JoinHandle;

use emu::{ClientMemory, Errno, NodeKind};

use super::abi::*;
use super::channel::{Channel, Ended, REQUEST_BUFFER};
use super::interrupts::{InFlight, InterruptibleCaller, Registration, UNMATCHED};
use super::ioctl::{self, Out, Step};

use crate::client_memory::CallerMemory;
use crate::dispatch::{self, OpenFiles};

/// What the workers of one device share.
pub struct Session {
    channel: Channel,
    node: NodeKind,
    files: Arc<OpenFiles>,
    in_flight: Arc<InFlight>,
}

/// Whether a worker goes on reading.
enum Next {
    Continue,
    Stop,
}

impl Session {
    pub fn new(channel: Channel, node: NodeKind, files: Arc<OpenFiles>) -> Arc<Session> {
        Arc::new(Session {
            channel,
            node,
            files,
            in_flight: Arc::default(),
        })
    }

    /// Start `workers` threads on the connection; `ended` runs once per worker that
    /// stops because the connection ended.
    pub fn spawn_workers(
        self: &Arc<Self>,
        name: &str,
        workers: usize,
        ended: impl Fn() + Send + Sync + Clone + 'static,
    ) -> io::Result<Vec<JoinHandle<()>>> {
        (0..workers)
            .map(|i| {
                let session = Arc::clone(self);
                let ended = ended.clone();
                std::thread::Builder::new()
                    .name(format!("cuse-{name}-{i}"))
                    .spawn(move || {
                        session.work();
                        ended();
                    })
            })
            .collect()
    }

    /// Read and answer requests until the connection ends.
    fn work(self: &Arc<Self>) {
        let mut buf = vec![0u8; REQUEST_BUFFER];
        loop {
            let (h, body) = match self.channel.receive(&mut buf) {
                Ok(r) => r,
                Err(Ended::Disconnected) => {
                    log::info!("the CUSE connection of {:?} ended", self.node);
                    return;
                }
                Err(Ended::Failed(e)) => {
                    log::error!("reading from /dev/cuse: {e}");
                    return;
                }
            };
            if let Next::Stop = self.answer(&h, body) {
                return;
            }
        }
    }

    fn answer(self: &Arc<Self>, h: &InHeader, body: &[u8]) -> Next {
        let unique = h.unique;
        match h.opcode {
            FUSE_IOCTL => self.ioctl(h, body),
            FUSE_INTERRUPT => {
                if let Some((i, _)) = split_body::<InterruptIn>(body) {
                    let matched = self.in_flight.interrupt(i.unique);
                    log::debug!("interrupt of request {:#x}: matched {matched}", i.unique);
                    if !matched {
                        // Only an unmatched interrupt is answered (see interrupts.rs).
                        self.channel.reply(unique, Err(UNMATCHED));
                    }
                }
            }
            FUSE_OPEN => {
                let fh = self.files.open(self.node, h.pid, h.uid);
                let out = OpenOut {
                    fh,
                    ..Default::default()
                };
                self.channel.reply(unique, Ok(&[bytemuck::bytes_of(&out)]));
            }
            FUSE_RELEASE => {
                if let Some((r, _)) = split_body::<ReleaseIn>(body) {
                    self.files.release(r.fh);
                }
                self.channel.reply(unique, Ok(&[]));
            }
            FUSE_READ => {
                let nonblocking = split_body::<ReadIn>(body)
                    .is_some_and(|(r, _)| r.flags as i32 & libc::O_NONBLOCK != 0);
                match dispatch::read(nonblocking) {
                    Ok(data) => self.channel.reply(unique, Ok(&[&data])),
                    Err(e) => self.channel.reply(unique, Err(e)),
                }
            }
            FUSE_POLL => {
                let out = PollOut {
                    revents: dispatch::poll(),
                    padding: 0,
                };
                self.channel.reply(unique, Ok(&[bytemuck::bytes_of(&out)]));
            }
            // A DRM node has no write method (drm_fops has none: EINVAL).
            FUSE_WRITE => self.channel.reply(unique, Err(Errno::EINVAL)),
            // Nothing to write back. CUSE sends neither today; answer them anyway.
            FUSE_FLUSH | FUSE_FSYNC => self.channel.reply(unique, Ok(&[])),
            FUSE_DESTROY => {
                self.channel.reply(unique, Ok(&[]));
                return Next::Stop;
            }
            op => {
                log::debug!("CUSE opcode {op}: not implemented");
                self.channel.reply(unique, Err(Errno::ENOSYS));
            }
        }
        Next::Continue
    }

    fn ioctl(self: &Arc<Self>, h: &InHeader, body: &[u8]) {
        let unique = h.unique;
        let tid = h.pid;
        let Some((req, data)) = split_body::<IoctlIn>(body) else {
            return self.channel.reply(unique, Err(Errno::EIO));
        };
        let read_caller = |addr: u64, buf: &mut [u8]| {
            // pid 0: the caller is outside gemu's pid namespace; only the retry reaches it.
            tid != 0 && CallerMemory::new(tid).read(addr, buf).is_ok()
        };
        let (in_data, out) = match ioctl::step(&req, data, read_caller) {
            Step::Refuse(e) => return self.reply_ioctl_error(unique, e),
            Step::Retry { input, output } => {
                let head = IoctlOut {
                    result: 0,
                    flags: FUSE_IOCTL_RETRY,
                    in_iovs: input.len() as u32,
                    out_iovs: output.len() as u32,
                };
                let iovs: Vec<IoctlIovec> = input.into_iter().chain(output).collect();
                debug_assert!(iovs.len() <= FUSE_IOCTL_MAX_IOV);
                return self.channel.reply(
                    unique,
                    Ok(&[bytemuck::bytes_of(&head), bytemuck::cast_slice(&iovs)]),
                );
            }
            Step::Answer { in_data, out } => (in_data, out),
        };
        let Some(file) = self.files.get(req.fh) else {
            return self.reply_ioctl_error(unique, Errno::EBADF);
        };
        let registration = self.in_flight.enter(unique);
        let (out, registration) =
            if !emu::ioctl_may_block(req.cmd) && !emu::ioctl::may_throttle(req.cmd) {
                // On this worker, which must not sleep: a call that has to wait for
                // the GPU (a busy object's SET_DOMAIN or PREAD) comes back to be made
                // again from a thread of its own.
                match self.answer_ioctl(&file, tid, req.cmd, &in_data, out, registration, false) {
                    None => return,
                    Some(again) => again,
                }
            } else {
                (out, registration)
            };
        // A wait may last seconds (an execbuf waits for ring space when its context's
        // ring is full): answer it from its own thread so this worker goes back to
        // serving other clients (any thread may write a reply).
        let session = Arc::clone(self);
        let in_data = in_data.into_owned();
        let cmd = req.cmd;
        let spawned = std::thread::Builder::new()
            .name(format!("gemu-wait-{tid}"))
            .spawn(move || {
                session.answer_ioctl(&file, tid, cmd, &in_data, out, registration, true);
            });
        if let Err(e) = spawned {
            log::error!("ioctl {cmd:#x}: no thread for a blocking wait: {e}");
            self.reply_ioctl_error(unique, Errno::ENOMEM);
        }
    }

    /// Run the ioctl, deliver its output struct (`out`) and send the reply;
    /// `registration` keeps it interruptible until then. A call that would have to
    /// sleep where it `may_sleep` not is handed back, unanswered and unchanged.
    #[allow(clippy::too_many_arguments)]
    fn answer_ioctl(
        &self,
        file: &emu::File,
        tid: u32,
        cmd: u32,
        in_data: &[u8],
        out: Out,
        registration: Registration,
        may_sleep: bool,
    ) -> Option<(Out, Registration)> {
        let caller = InterruptibleCaller {
            memory: CallerMemory::new(tid),
            interrupted: registration.flag(),
            may_sleep,
        };
        let unique = registration.unique();
        let answer = dispatch::ioctl(file, cmd, in_data, &caller);
        if !may_sleep && answer == Err(Errno::EWOULDBLOCK) && emu::ioctl::may_wait_for_gpu(cmd) {
            return Some((out, registration));
        }
        match (answer, out) {
            (Ok(bytes), Out::InReply) => {
                let head = IoctlOut::default();
                self.channel
                    .reply(unique, Ok(&[bytemuck::bytes_of(&head), &bytes]));
            }
            (Ok(bytes), Out::WriteAt(addr)) => match caller.memory.write(addr, &bytes) {
                Ok(()) => self
                    .channel
                    .reply(unique, Ok(&[bytemuck::bytes_of(&IoctlOut::default())])),
                // As drm_ioctl's copy_to_user failing after the call: EFAULT.
                Err(e) => self.reply_ioctl_error(unique, e),
            },
            (Err(e), _) => self.reply_ioctl_error(unique, e),
        }
        drop(registration);
        None
    }

    /// Fail an ioctl: the errno travels as the ioctl's result (see `dispatch::ioctl_error`).
    fn reply_ioctl_error(&self, unique: u64, e: Errno) {
        let head = IoctlOut {
            result: dispatch::ioctl_error(e),
            ..Default::default()
        };
        self.channel.reply(unique, Ok(&[bytemuck::bytes_of(&head)]));
    }
}
