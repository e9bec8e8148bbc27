//! The kernel's limits on arrays whose length user space gives, so the model refuses
//! what i915 refuses (with its errno) before allocating anything, and survives an
//! allocation that fails where the kernel would answer `ENOMEM`.
//!
//! `kmalloc_array` fails above `KMALLOC_MAX_SIZE` (an order-10 page block, 4 MiB on
//! x86-64) and `kvmalloc_array` above `INT_MAX` bytes (mm/util.c refuses larger sizes
//! outright). The model's own array may be smaller than the kernel's (the kernel's
//! element is given separately): the limit is the kernel's, the memory the model's.

use crate::{Errno, Result};

/// `KMALLOC_MAX_SIZE` on x86-64 (`MAX_PAGE_ORDER` 10, 4 KiB pages).
pub(crate) const KMALLOC_MAX_SIZE: u64 = 4 << 20;
/// The largest `kvmalloc` the kernel attempts.
pub(crate) const KVMALLOC_MAX_SIZE: u64 = i32::MAX as u64;

/// An empty vector with room for `n` elements, where the kernel would
/// `kmalloc_array(n, kernel_elem)`: `ENOMEM` past the kernel's limit or when this
/// process has no memory for it.
pub(crate) fn kmalloc_array<T>(n: u64, kernel_elem: u64) -> Result<Vec<T>> {
    reserve(n, kernel_elem, KMALLOC_MAX_SIZE)
}

/// The kernel's `kvmalloc_array(n, kernel_elem)` limit alone: `ENOMEM` past it. For an
/// array the model then grows as it reads the caller's memory, so a large count costs
/// memory only for what the caller really has.
pub(crate) fn check_kvmalloc_array(n: u64, kernel_elem: u64) -> Result<()> {
    check(n, kernel_elem, KVMALLOC_MAX_SIZE)
}

/// Room for `extra` more elements in `v`, where the kernel would `krealloc` its array
/// of `kernel_elem`-byte elements to `v.len() + extra`.
pub(crate) fn krealloc_array<T>(v: &mut Vec<T>, extra: u64, kernel_elem: u64) -> Result<()> {
    let n = (v.len() as u64).checked_add(extra).ok_or(Errno::ENOMEM)?;
    if n.checked_mul(kernel_elem)
        .is_none_or(|bytes| bytes > KMALLOC_MAX_SIZE)
    {
        log::debug!("reallocation to {n} x {kernel_elem} bytes refused");
        return Err(Errno::ENOMEM);
    }
    v.try_reserve_exact(extra as usize)
        .map_err(|_| Errno::ENOMEM)
}

fn check(n: u64, kernel_elem: u64, max: u64) -> Result<()> {
    if n.checked_mul(kernel_elem).is_none_or(|bytes| bytes > max) {
        log::debug!("allocation of {n} x {kernel_elem} bytes refused (kernel limit {max})");
        return Err(Errno::ENOMEM);
    }
    Ok(())
}

fn reserve<T>(n: u64, kernel_elem: u64, max: u64) -> Result<Vec<T>> {
    check(n, kernel_elem, max)?;
    let mut v = Vec::new();
    v.try_reserve_exact(usize::try_from(n).map_err(|_| Errno::ENOMEM)?)
        .map_err(|e| {
            log::debug!("allocation of {n} elements failed: {e}");
            Errno::ENOMEM
        })?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernels_limits_answer_enomem() {
        assert_eq!(
            kmalloc_array::<u32>(1 << 20, 4).unwrap().capacity(),
            1 << 20
        );
        assert_eq!(
            kmalloc_array::<u32>((1 << 20) + 1, 4).unwrap_err(),
            Errno::ENOMEM
        );
        assert_eq!(
            check_kvmalloc_array(u64::MAX, 2).unwrap_err(),
            Errno::ENOMEM
        );
        assert_eq!(check_kvmalloc_array(1 << 31, 1).unwrap_err(), Errno::ENOMEM);
        assert_eq!(check_kvmalloc_array((1 << 31) - 1, 1), Ok(()));
    }
}
