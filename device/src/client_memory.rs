//! The calling thread of a FUSE request, seen from the daemon: its memory (through
//! `process_vm_readv`/`writev`) and what `/proc/<tid>/status` says about it.
//!
//! FUSE hands the daemon only the struct that the ioctl number's size covers; every
//! pointer nested in it (a name buffer, an array of exec objects) is read or written
//! here, in the caller's address space, as the kernel's `copy_{from,to}_user` would.

use std::io::{IoSlice, IoSliceMut};

use nix::sys::uio::{process_vm_readv, process_vm_writev, RemoteIoVec};
use nix::unistd::Pid;

use emu::{ClientMemory, Errno};

/// The memory of the thread that sent a request (`Request::pid()` is its thread id in
/// the daemon's pid namespace).
pub struct CallerMemory {
    tid: Pid,
    may_sleep: bool,
}

impl CallerMemory {
    pub fn new(tid: u32) -> Self {
        CallerMemory {
            tid: Pid::from_raw(tid as i32),
            may_sleep: true,
        }
    }

    /// The caller as seen from a thread that serves every client: the model must not
    /// put it to sleep (see [`ClientMemory::may_sleep`]).
    pub fn on_shared_thread(tid: u32) -> Self {
        CallerMemory {
            may_sleep: false,
            ..CallerMemory::new(tid)
        }
    }
}

impl ClientMemory for CallerMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> emu::Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        let len = buf.len();
        // One call, straight into the destination: the kernel walks the caller's pages
        // itself, so a large transfer needs no bounce buffer here.
        let remote = [RemoteIoVec {
            base: addr as usize,
            len,
        }];
        let r = process_vm_readv(self.tid, &mut [IoSliceMut::new(buf)], &remote);
        match self.check("read", addr, len, r) {
            Err(Errno::EFAULT) => read_write_only(self.tid, addr, buf),
            r => r,
        }
    }

    fn write(&self, addr: u64, data: &[u8]) -> emu::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let remote = [RemoteIoVec {
            base: addr as usize,
            len: data.len(),
        }];
        let r = process_vm_writev(self.tid, &[IoSlice::new(data)], &remote);
        self.check("write", addr, data.len(), r)
    }

    fn may_sleep(&self) -> bool {
        self.may_sleep
    }

    fn signal_pending(&self) -> bool {
        // fuser answers FUSE_INTERRUPT with ENOSYS, after which the kernel never sends
        // one again: the only way to learn that the caller got a signal while it waits
        // in the ioctl is to look at its pending set.
        match status_fields(self.tid, &["SigPnd", "ShdPnd", "SigBlk"]) {
            Some([pending, shared, blocked]) => (pending | shared) & !blocked != 0,
            // The thread is gone: nobody waits for the answer any more.
            None => true,
        }
    }

    fn has_cap_sys_admin(&self) -> bool {
        has_cap_sys_admin(self.tid.as_raw() as u32)
    }

    fn has_cap_sys_nice(&self) -> bool {
        has_cap(self.tid.as_raw() as u32, CAP_SYS_NICE)
    }

    fn tid(&self) -> u32 {
        self.tid.as_raw() as u32
    }

    fn tgid(&self) -> u32 {
        tgid_of(self.tid.as_raw() as u32)
    }

    fn process(&self) -> Option<std::sync::Arc<dyn ClientMemory + Send + Sync>> {
        let tgid = tgid_of(self.tid.as_raw() as u32);
        (tgid != 0).then(|| std::sync::Arc::new(ProcessMemory(Pid::from_raw(tgid as i32))) as _)
    }

    fn probe(&self, addr: u64, len: u64) -> emu::Result<()> {
        probe_ranges(self.tid, &[(addr, len)])
    }

    fn probe_ranges(&self, ranges: &[(u64, u64)]) -> emu::Result<()> {
        probe_ranges(self.tid, ranges)
    }
}

/// A client process's memory, reached later and from any thread (a userptr object's
/// pages). Once the process is gone every access is `EFAULT`. (The GPU does not care
/// about the CPU's protections either: i915 pins a userptr range for writing, so a
/// write-only mapping, as IGT's userptr spinners use, reads as `CallerMemory` reads it.)
pub struct ProcessMemory(Pid);

impl ClientMemory for ProcessMemory {
    fn read(&self, addr: u64, buf: &mut [u8]) -> emu::Result<()> {
        CallerMemory::new(self.0.as_raw() as u32).read(addr, buf)
    }
    fn write(&self, addr: u64, data: &[u8]) -> emu::Result<()> {
        CallerMemory::new(self.0.as_raw() as u32).write(addr, data)
    }
    fn probe(&self, addr: u64, len: u64) -> emu::Result<()> {
        probe_ranges(self.0, &[(addr, len)])
    }

    fn probe_ranges(&self, ranges: &[(u64, u64)]) -> emu::Result<()> {
        probe_ranges(self.0, ranges)
    }
}

/// The device number and inodes of gemu's own nodes, set when the mount is up: a
/// mapping of them is device memory to `probe_range` (i915's VM_PFNMAP).
pub static NODE_MAPPINGS: std::sync::OnceLock<crate::mapping_probe::ApertureFiles> =
    std::sync::OnceLock::new();

/// What a line of `/proc/<pid>/maps` says that the checks here need.
struct Vma {
    start: u64,
    end: u64,
    /// Mapped readable or writable (not PROT_NONE).
    accessible: bool,
    /// A mapping of one of gemu's nodes (i915's VM_PFNMAP device memory).
    node: bool,
}

/// The mappings of `pid`, in address order; `None` when the process is gone.
fn read_maps(pid: Pid) -> Option<Vec<Vma>> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).ok()?;
    let node = |dev: &str, inode: &str| {
        NODE_MAPPINGS
            .get()
            .is_some_and(|files| files.contains(dev, inode))
    };
    let vmas = maps
        .lines()
        .filter_map(|line| {
            let mut f = line.split_ascii_whitespace();
            let (range, perms, _, dev, inode) =
                (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
            let (s, e) = range.split_once('-')?;
            Some(Vma {
                start: u64::from_str_radix(s, 16).ok()?,
                end: u64::from_str_radix(e, 16).ok()?,
                accessible: perms.starts_with('r') || perms.as_bytes().get(1) == Some(&b'w'),
                node: node(dev, inode),
            })
        })
        .collect();
    Some(vmas)
}

/// Whether `[addr, addr + len)` is covered by `vmas` with no hole, each accepted by `ok`.
fn covered(vmas: &[Vma], addr: u64, len: u64, ok: impl Fn(&Vma) -> bool) -> bool {
    let Some(end) = addr.checked_add(len) else {
        return false;
    };
    let mut i = vmas.partition_point(|v| v.end <= addr);
    let mut at = addr;
    while at < end {
        match vmas.get(i) {
            Some(v) if v.start <= at && ok(v) => at = v.end,
            _ => return false,
        }
        i += 1;
    }
    true
}

/// i915's `probe_range` over `/proc/<pid>/maps`, for each range: covered by mappings
/// with no hole, none of them a mapping of gemu's nodes. The map is read once.
fn probe_ranges(pid: Pid, ranges: &[(u64, u64)]) -> emu::Result<()> {
    let vmas = read_maps(pid).ok_or(Errno::EFAULT)?;
    if ranges
        .iter()
        .all(|&(addr, len)| covered(&vmas, addr, len, |v| !v.node))
    {
        Ok(())
    } else {
        Err(Errno::EFAULT)
    }
}

/// x86 has no write-only pages: the kernel's `copy_from_user` reads a PROT_WRITE
/// mapping, but `process_vm_readv` refuses one (its VMA lacks VM_READ). Such a read
/// goes through `/proc/<pid>/mem` once the range is known to be mapped writable (or
/// readable); PROT_NONE stays a fault, as on hardware.
fn read_write_only(pid: Pid, addr: u64, buf: &mut [u8]) -> emu::Result<()> {
    use std::os::unix::fs::FileExt;
    let vmas = read_maps(pid).ok_or(Errno::EFAULT)?;
    if !covered(&vmas, addr, buf.len() as u64, |v| v.accessible) {
        return Err(Errno::EFAULT);
    }
    let mem = std::fs::File::open(format!("/proc/{pid}/mem")).map_err(|_| Errno::EFAULT)?;
    mem.read_exact_at(buf, addr).map_err(|_| Errno::EFAULT)
}

impl CallerMemory {
    /// A short count (the range runs into an unmapped page) is a fault like any other:
    /// the kernel's copy_{from,to}_user gives EFAULT for a partial copy too.
    fn check(&self, what: &str, addr: u64, len: usize, r: nix::Result<usize>) -> emu::Result<()> {
        match r {
            Ok(n) if n == len => Ok(()),
            Ok(n) => {
                log::debug!(
                    "{what} {addr:#x}+{len:#x} of tid {}: only {n} bytes",
                    self.tid
                );
                Err(Errno::EFAULT)
            }
            Err(e) => {
                log::debug!("{what} {addr:#x}+{len:#x} of tid {}: {e}", self.tid);
                Err(Errno::EFAULT)
            }
        }
    }
}

/// CAP_SYS_ADMIN, bit 21 of the capability sets.
const CAP_SYS_ADMIN: u64 = 1 << 21;
/// CAP_SYS_NICE, bit 23.
const CAP_SYS_NICE: u64 = 1 << 23;

/// CAP_SYS_RESOURCE, bit 24.
const CAP_SYS_RESOURCE: u64 = 1 << 24;

/// Does thread `tid` hold CAP_SYS_RESOURCE (what raising a message queue's limit past
/// `msgmnb` needs)?
pub fn has_cap_sys_resource(tid: u32) -> bool {
    has_cap(tid, CAP_SYS_RESOURCE)
}

/// Does thread `tid` hold capability `bit` (a mask) in its effective set?
fn has_cap(tid: u32, bit: u64) -> bool {
    status_fields(Pid::from_raw(tid as i32), &["CapEff"]).is_some_and(|[eff]| eff & bit != 0)
}

/// Does thread `tid` hold CAP_SYS_ADMIN in its effective set? That is what the DRM core
/// asks (`capable(CAP_SYS_ADMIN)`) to authenticate an opener and allow ROOT_ONLY ioctls.
pub fn has_cap_sys_admin(tid: u32) -> bool {
    has_cap(tid, CAP_SYS_ADMIN)
}

/// The process (thread group) that thread `tid` belongs to, 0 when it is gone.
pub fn tgid_of(tid: u32) -> u32 {
    std::fs::read_to_string(format!("/proc/{tid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Tgid:"))
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The command name of thread `tid` (`/proc/<tid>/comm`), `None` when it is gone.
pub fn command_of(tid: u32) -> Option<String> {
    let c = std::fs::read_to_string(format!("/proc/{tid}/comm")).ok()?;
    Some(c.trim_end_matches('\n').to_string())
}

/// The hexadecimal fields `names` of `/proc/<tid>/status`, in that order; `None` when
/// the thread is gone or a field is missing.
fn status_fields<const N: usize>(tid: Pid, names: &[&str; N]) -> Option<[u64; N]> {
    let status = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    parse_status_fields(&status, names)
}

fn parse_status_fields<const N: usize>(status: &str, names: &[&str; N]) -> Option<[u64; N]> {
    let mut out = [None; N];
    for line in status.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if let Some(i) = names.iter().position(|n| *n == key) {
            out[i] = u64::from_str_radix(value.trim(), 16).ok();
        }
    }
    let mut values = [0; N];
    for (v, o) in values.iter_mut().zip(out) {
        *v = o?;
    }
    Some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_parsing() {
        let s = "Name:\tx\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000004000\n\
                 SigBlk:\t0000000000000000\nCapEff:\t000001ffffffffff\n";
        assert_eq!(
            parse_status_fields(s, &["SigPnd", "ShdPnd", "SigBlk"]),
            Some([0, 0x4000, 0])
        );
        assert_eq!(parse_status_fields(s, &["CapEff"]), Some([0x1ff_ffff_ffff]));
        assert_eq!(parse_status_fields(s, &["Nope"]), None);
    }

    #[test]
    fn own_memory_round_trip_and_faults() {
        let me = CallerMemory::new(nix::unistd::gettid().as_raw() as u32);
        let src = *b"through process_vm";
        let mut dst = [0u8; 18];
        me.read(src.as_ptr() as u64, &mut dst).unwrap();
        assert_eq!(dst, src);
        let mut target = [0u8; 4];
        me.write(target.as_mut_ptr() as u64, b"i915").unwrap();
        assert_eq!(&target, b"i915");
        assert_eq!(me.read(8, &mut dst), Err(Errno::EFAULT));
        assert_eq!(me.write(8, b"x"), Err(Errno::EFAULT));
        assert!(!me.signal_pending());
    }

    #[test]
    fn a_pending_unblocked_signal_is_seen() {
        use nix::sys::signal::{kill, Signal};
        use std::process::Command;
        // A stopped process keeps what it is sent pending (and unblocked): as a caller
        // that waits in an ioctl does.
        let mut child = Command::new("sleep").arg("10").spawn().unwrap();
        let pid = Pid::from_raw(child.id() as i32);
        let caller = CallerMemory::new(child.id());
        kill(pid, Signal::SIGSTOP).unwrap();
        while !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap()
            .contains(") T ")
        {
            std::thread::yield_now();
        }
        assert!(!caller.signal_pending());
        kill(pid, Signal::SIGUSR1).unwrap();
        assert!(caller.signal_pending());
        kill(pid, Signal::SIGKILL).unwrap();
        child.wait().unwrap();
    }
}
