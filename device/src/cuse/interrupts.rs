//! FUSE_INTERRUPT: a caller waiting in a request got a signal.
//!
//! A CUSE caller that gets a signal while its request is with the daemon stays in the
//! kernel until the daemon answers; the kernel tells the daemon with an INTERRUPT
//! naming the request. gemu raises that request's flag, which the model sees as the
//! caller's `signal_pending()`: a blocking wait then ends with EINTR, and libdrm's
//! `drmIoctl` restarts it as it would on i915. Quick requests simply finish.
//!
//! An INTERRUPT can arrive before the worker that read its request has registered it
//! (two workers, two reads). gemu answers EAGAIN to an interrupt for a request it does
//! not know; the kernel then sends it again while the request is unanswered, and drops
//! it (the reply fails with ENOENT) once the request is done.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use emu::{ClientMemory, Errno};

use crate::client_memory::CallerMemory;

/// The requests in flight that a signal may interrupt, by `unique`.
#[derive(Default)]
pub struct InFlight {
    requests: Mutex<HashMap<u64, Arc<AtomicBool>>>,
}

impl InFlight {
    /// Register request `unique` until the returned guard drops (after its reply).
    pub fn enter(self: &Arc<Self>, unique: u64) -> Registration {
        let flag = Arc::new(AtomicBool::new(false));
        self.requests
            .lock()
            .unwrap()
            .insert(unique, Arc::clone(&flag));
        Registration {
            table: Arc::clone(self),
            unique,
            flag,
        }
    }

    /// An INTERRUPT for request `unique`: true when the request was found and flagged.
    pub fn interrupt(&self, unique: u64) -> bool {
        match self.requests.lock().unwrap().get(&unique) {
            Some(flag) => {
                flag.store(true, Ordering::Release);
                true
            }
            None => false,
        }
    }
}

/// A registered request; dropping it forgets the request.
pub struct Registration {
    table: Arc<InFlight>,
    unique: u64,
    flag: Arc<AtomicBool>,
}

impl Registration {
    /// The request's `unique`.
    pub fn unique(&self) -> u64 {
        self.unique
    }

    /// The flag that INTERRUPT raises, for a request answered on another thread.
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.flag)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.table.requests.lock().unwrap().remove(&self.unique);
    }
}

/// The caller of a CUSE request: its memory through process_vm, its signals through
/// FUSE_INTERRUPT.
pub struct InterruptibleCaller {
    pub memory: CallerMemory,
    pub interrupted: Arc<AtomicBool>,
    /// False on a worker that serves every client (see [`ClientMemory::may_sleep`]).
    pub may_sleep: bool,
}

impl ClientMemory for InterruptibleCaller {
    fn read(&self, addr: u64, buf: &mut [u8]) -> emu::Result<()> {
        self.memory.read(addr, buf)
    }

    fn write(&self, addr: u64, data: &[u8]) -> emu::Result<()> {
        self.memory.write(addr, data)
    }

    fn signal_pending(&self) -> bool {
        // The kernel's word, not /proc/<tid>/status: with CUSE it always tells us.
        self.interrupted.load(Ordering::Acquire)
    }

    fn may_sleep(&self) -> bool {
        self.may_sleep
    }

    // The rest is the caller's, as on the FUSE node.
    fn has_cap_sys_admin(&self) -> bool {
        self.memory.has_cap_sys_admin()
    }

    fn has_cap_sys_nice(&self) -> bool {
        self.memory.has_cap_sys_nice()
    }

    fn tid(&self) -> u32 {
        self.memory.tid()
    }

    fn tgid(&self) -> u32 {
        self.memory.tgid()
    }

    fn process(&self) -> Option<Arc<dyn ClientMemory + Send + Sync>> {
        self.memory.process()
    }

    fn probe(&self, addr: u64, len: u64) -> emu::Result<()> {
        self.memory.probe(addr, len)
    }
}

/// The reply to an INTERRUPT the daemon could not match: ask the kernel to send it again.
pub const UNMATCHED: Errno = Errno::EAGAIN;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupt_flags_its_request_only_while_it_is_in_flight() {
        let table = Arc::new(InFlight::default());
        assert!(!table.interrupt(8));
        let reg = table.enter(8);
        let other = table.enter(10);
        let caller = InterruptibleCaller {
            memory: CallerMemory::new(0),
            interrupted: reg.flag(),
            may_sleep: true,
        };
        assert!(!caller.signal_pending());
        assert!(table.interrupt(8));
        assert!(caller.signal_pending());
        assert!(!other.flag().load(Ordering::Acquire));
        drop(reg);
        assert!(!table.interrupt(8));
    }
}
