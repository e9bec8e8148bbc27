//! GEM_MADVISE: whether user space still needs an object's contents.

use crate::client::ClientMemory;
use crate::file::File;
use crate::object::Madvise;
use crate::{Errno, Result};
use uapi::*;

impl File {
    /// IOCTL: gem_madvise: mark an object needed or purgeable. A purgeable object that
    /// has no pages is purged at once; `retained` says whether the contents survive.
    pub(crate) fn gem_madvise(
        &self,
        a: &mut drm_i915_gem_madvise,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        let madv = match a.madv {
            I915_MADV_WILLNEED => Madvise::WillNeed,
            I915_MADV_DONTNEED => Madvise::DontNeed,
            _ => return Err(Errno::EINVAL),
        };
        let obj = self.lookup(a.handle)?;
        let mut st = obj.lock();
        if st.madv != Madvise::Purged {
            st.madv = madv;
        }
        if st.madv == Madvise::DontNeed {
            if obj.has_pages(&st) {
                if !std::mem::replace(&mut st.purge_listed, true) {
                    self.device.add_purgeable(&obj);
                }
            } else {
                obj.truncate(&mut st);
            }
        }
        a.retained = (st.madv != Madvise::Purged) as u32;
        Ok(())
    }
}
