//! What the machine costs without FUSE: the pieces gemu's ioctls are built from, timed
//! alone in this process.

use std::hint::black_box;

use emu::ClientMemory;

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
