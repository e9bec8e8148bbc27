//! What the machine costs without FUSE: the pieces gemu's ioctls are built from, timed
//! alone in this process.

use std::hint::black_box;

use emu::ClientMemory;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::waitpid;
use nix::unistd::{fork, ForkResult, Pid};

use super::gem::RW_BYTES;
use super::harness::Op;
use super::Rig;
use crate::client_memory::CallerMemory;
use crate::Fallible;

/// A 1 MiB copy between two heap buffers: the bandwidth PWRITE/PREAD are held to.
pub fn memcpy_op(_: &Rig) -> Fallible<Op<'_>> {
    // Both touched first: the copy must not pay for page faults.
    let src = vec![0x5au8; RW_BYTES];
    let mut dst = vec![0xa5u8; RW_BYTES];
    Ok(Box::new(move || {
        dst.copy_from_slice(black_box(&src));
        black_box(&mut dst);
        Ok(())
    }))
}

/// The 4-byte `process_vm_writev` that GETPARAM does to return its value, to this very
/// thread, through gemu's own [`CallerMemory`].
pub fn vm_write4_op(_: &Rig) -> Fallible<Op<'_>> {
    let me = CallerMemory::new(nix::unistd::gettid().as_raw() as u32);
    let mut target = Box::new(0u32);
    Ok(Box::new(move || {
        let addr = &mut *target as *mut u32 as u64;
        me.write(addr, &0x9a49u32.to_ne_bytes())
            .map_err(|e| format!("process_vm_writev: {e}"))
    }))
}

/// `process_vm_readv` of 1 MiB from this thread into a heap buffer: the copy PWRITE
/// makes, without FUSE and the model.
pub fn vm_read_1m_op(_: &Rig) -> Fallible<Op<'_>> {
    let me = CallerMemory::new(nix::unistd::gettid().as_raw() as u32);
    let src = vec![0x5au8; RW_BYTES];
    let mut dst = vec![0xa5u8; RW_BYTES];
    Ok(Box::new(move || {
        me.read(src.as_ptr() as u64, &mut dst)
            .map_err(|e| format!("process_vm_readv: {e}"))
    }))
}

/// `process_vm_writev` of 1 MiB from a heap buffer into this thread's memory: the copy
/// PREAD makes.
pub fn vm_write_1m_op(_: &Rig) -> Fallible<Op<'_>> {
    let me = CallerMemory::new(nix::unistd::gettid().as_raw() as u32);
    let src = vec![0x5au8; RW_BYTES];
    let mut dst = vec![0xa5u8; RW_BYTES];
    Ok(Box::new(move || {
        me.write(dst.as_mut_ptr() as u64, &src)
            .map_err(|e| format!("process_vm_writev: {e}"))
    }))
}

/// A forked child that only waits to be killed: its memory is a copy of ours at the
/// fork, so our addresses are valid in it.
struct IdleChild(Pid);

impl IdleChild {
    fn fork() -> Fallible<IdleChild> {
        let parent = nix::unistd::getpid();
        // SAFETY: the child runs only async-signal-safe calls (prctl, getppid,
        // close_range, pause, _exit) before it dies, as a fork of a multi-threaded
        // process must.
        match unsafe { fork() }.map_err(|e| format!("fork: {e}"))? {
            ForkResult::Child => {
                // SAFETY: plain system calls on no memory of ours.
                unsafe {
                    // Die with the bench, however it ends.
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    if libc::getppid() != parent.as_raw() {
                        libc::_exit(0);
                    }
                    // Keep no copy of the nodes or of /dev/fuse: a child dying with a node
                    // open after the bench is gone would wait for its FLUSH forever.
                    libc::syscall(libc::SYS_close_range, 0u32, u32::MAX, 0u32);
                    loop {
                        libc::pause();
                    }
                }
            }
            ForkResult::Parent { child } => Ok(IdleChild(child)),
        }
    }
}

impl Drop for IdleChild {
    fn drop(&mut self) {
        let _ = kill(self.0, Signal::SIGKILL);
        let _ = waitpid(self.0, None);
    }
}

/// The same 4-byte `process_vm_writev` into another process, as the daemon does for
/// every real client: the kernel then also checks that it may access that process
/// (ptrace rules), which it skips for a thread of its own.
pub fn vm_write4_child_op(_: &Rig) -> Fallible<Op<'_>> {
    let target = Box::new(0u32);
    let addr = &*target as *const u32 as u64;
    let child = IdleChild::fork()?;
    let mem = CallerMemory::new(child.0.as_raw() as u32);
    Ok(Box::new(move || {
        let _alive = (&child, &target);
        mem.write(addr, &0x9a49u32.to_ne_bytes())
            .map_err(|e| format!("process_vm_writev to child {}: {e}", child.0))
    }))
}

/// A shared page between this process and a forked child, and the child that answers
/// on it: what a shared-memory channel between the shim and the daemon could cost per
/// call at best (two futex wake-ups, as a FUSE round trip has two wake-ups).
struct Echo {
    page: *mut std::sync::atomic::AtomicU32,
    child: Pid,
}

impl Echo {
    fn request(&self) -> &std::sync::atomic::AtomicU32 {
        // SAFETY: the page is mapped (shared, zeroed) for the life of `self`.
        unsafe { &*self.page }
    }
    fn reply(&self) -> &std::sync::atomic::AtomicU32 {
        // SAFETY: as above, the next word of the page.
        unsafe { &*self.page.add(1) }
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        let _ = kill(self.child, Signal::SIGKILL);
        let _ = waitpid(self.child, None);
        // SAFETY: our own mapping, no longer used.
        unsafe { libc::munmap(self.page.cast(), 4096) };
    }
}

fn futex(word: &std::sync::atomic::AtomicU32, op: libc::c_int, val: u32) {
    // SAFETY: a futex call on a live word of a shared mapping.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            op,
            val,
            std::ptr::null::<libc::timespec>(),
        )
    };
}

/// One request and its answer through a shared page: a store and a futex wake each
/// way, the child echoing the request's number.
pub fn shm_round_trip_op(_: &Rig) -> Fallible<Op<'_>> {
    use std::sync::atomic::{AtomicU32, Ordering};
    // SAFETY: a new shared anonymous page.
    let page = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if page == libc::MAP_FAILED {
        return Err("mmap of the shared page failed".into());
    }
    let page = page.cast::<AtomicU32>();
    let parent = nix::unistd::getpid();
    // SAFETY: the child runs only atomics and raw system calls (prctl, getppid,
    // close_range, futex) before it dies, as a fork of a multi-threaded process must.
    match unsafe { fork() }.map_err(|e| format!("fork: {e}"))? {
        ForkResult::Child => {
            // SAFETY: the mapping is inherited; plain system calls.
            unsafe {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                if libc::getppid() != parent.as_raw() {
                    libc::_exit(0);
                }
                libc::syscall(libc::SYS_close_range, 0u32, u32::MAX, 0u32);
                let (request, reply) = (&*page, &*page.add(1));
                let mut last = 0;
                loop {
                    let now = request.load(Ordering::Acquire);
                    if now == last {
                        futex(request, libc::FUTEX_WAIT, last);
                        continue;
                    }
                    last = now;
                    reply.store(now, Ordering::Release);
                    futex(reply, libc::FUTEX_WAKE, 1);
                }
            }
        }
        ForkResult::Parent { child } => {
            let echo = Echo { page, child };
            Ok(Box::new(move || {
                let n = echo
                    .request()
                    .fetch_add(1, Ordering::AcqRel)
                    .wrapping_add(1);
                futex(echo.request(), libc::FUTEX_WAKE, 1);
                loop {
                    let r = echo.reply().load(Ordering::Acquire);
                    if r == n {
                        return Ok(());
                    }
                    futex(echo.reply(), libc::FUTEX_WAIT, r);
                }
            }))
        }
    }
}
