//! GEM_USERPTR: an object whose pages are a range of the caller's own memory, used in
//! place at every access (DESIGN §7 rule 6).

use std::sync::Arc;

use crate::aperture::PAGE_SIZE;
use crate::client::{access_ok, ClientMemory};
use crate::file::File;
use crate::object::{GemObject, Userptr};
use crate::{Errno, Result};
use uapi::*;

impl File {
    /// IOCTL: gem_userptr: Wrap a page-aligned range of the caller's memory.
    pub(crate) fn gem_userptr(
        &self,
        a: &mut drm_i915_gem_userptr,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        if a.flags & !(I915_USERPTR_READ_ONLY | I915_USERPTR_UNSYNCHRONIZED | I915_USERPTR_PROBE)
            != 0
        {
            return Err(Errno::EINVAL);
        }
        if a.user_size == 0 || (a.user_ptr | a.user_size) & (PAGE_SIZE - 1) != 0 {
            return Err(Errno::EINVAL);
        }
        if !access_ok(a.user_ptr, a.user_size) {
            return Err(Errno::EFAULT);
        }
        if a.flags & I915_USERPTR_UNSYNCHRONIZED != 0 {
            // Not offered to anyone since mmu notifiers became mandatory.
            return Err(Errno::ENODEV);
        }
        if a.flags & I915_USERPTR_READ_ONLY != 0 {
            // Gen11/12 ppGTTs cannot map pages read-only (vm->has_read_only is false).
            return Err(Errno::ENODEV);
        }
        if a.flags & I915_USERPTR_PROBE != 0 {
            caller.probe(a.user_ptr, a.user_size)?;
        }
        let mem = caller.process().ok_or_else(|| {
            log::debug!("userptr: the front-end cannot reach this caller's memory later");
            Errno::ENODEV
        })?;
        let obj = GemObject::new_userptr(
            self.device.clone(),
            a.user_size,
            Userptr {
                mem,
                addr: a.user_ptr,
                owner: caller.tgid(),
            },
        );
        a.handle = self.handle_create(Arc::new(obj));
        Ok(())
    }
}
