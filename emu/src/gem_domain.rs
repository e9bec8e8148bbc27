//! CPU cache-domain and caching-mode bookkeeping: SET_DOMAIN, SW_FINISH,
//! GET/SET_CACHING.

use crate::client::ClientMemory;
use crate::file::File;
use crate::object::{CacheLevel, GemObject};
use crate::{Errno, Result};
use uapi::*;

/// The domains only the GPU may be in (`I915_GEM_GPU_DOMAINS`).
const GPU_DOMAINS: u32 = I915_GEM_DOMAIN_RENDER
    | I915_GEM_DOMAIN_SAMPLER
    | I915_GEM_DOMAIN_COMMAND
    | I915_GEM_DOMAIN_INSTRUCTION
    | I915_GEM_DOMAIN_VERTEX;

impl File {
    /// IOCTL: gem_set_domain: Move an object to a CPU domain, waiting for the GPU.
    pub(crate) fn gem_set_domain(
        &self,
        a: &mut drm_i915_gem_set_domain,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let (read, write) = (a.read_domains, a.write_domain);
        if (read | write) & GPU_DOMAINS != 0 {
            return Err(Errno::EINVAL);
        }
        // A write domain is also the one read domain.
        if write != 0 && read != write {
            return Err(Errno::EINVAL);
        }
        if read == 0 {
            return Ok(());
        }
        let obj = self.lookup(a.handle)?;
        obj.wait_idle_interruptible(caller)?;
        // Leaving or entering the GTT domain: the detiled view and the pages meet.
        obj.sync_gtt_view();
        if let Some(u) = &obj.userptr {
            // i915 pins the pages to check them (iris asks this way); domains mean
            // nothing for them.
            if !u.pinnable_by(caller.tgid()) {
                return Err(Errno::EFAULT);
            }
            return u.mem.probe(u.addr, obj.size);
        }
        let mut st = obj.lock();
        GemObject::pin_pages(&mut st)?;
        let domain = if read & I915_GEM_DOMAIN_WC != 0 {
            I915_GEM_DOMAIN_WC
        } else if read & I915_GEM_DOMAIN_GTT != 0 {
            I915_GEM_DOMAIN_GTT
        } else {
            I915_GEM_DOMAIN_CPU
        };
        st.read_domains |= domain;
        if write != 0 {
            st.read_domains = domain;
            st.write_domain = domain;
        }
        Ok(())
    }

    /// IOCTL: gem_sw_finish: CPU access finished; nothing to flush without scanout.
    pub(crate) fn gem_sw_finish(
        &self,
        a: &mut drm_i915_gem_sw_finish,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        self.lookup(a.handle).map(drop)
    }

    /// IOCTL: gem_get_caching: the object's caching mode.
    pub(crate) fn gem_get_caching(
        &self,
        a: &mut drm_i915_gem_caching,
        _: &dyn ClientMemory,
    ) -> Result<()> {
        let obj = self.lookup(a.handle)?;
        a.caching = match obj.lock().cache_level {
            CacheLevel::Llc => I915_CACHING_CACHED,
            CacheLevel::None => I915_CACHING_NONE,
        };
        Ok(())
    }

    /// IOCTL: gem_set_caching: change the caching mode (DISPLAY means uncached on a
    /// part without write-through).
    pub(crate) fn gem_set_caching(
        &self,
        a: &mut drm_i915_gem_caching,
        caller: &dyn ClientMemory,
    ) -> Result<()> {
        let level = match a.caching {
            I915_CACHING_NONE | I915_CACHING_DISPLAY => CacheLevel::None,
            I915_CACHING_CACHED => CacheLevel::Llc,
            _ => return Err(Errno::EINVAL),
        };
        let obj = self.lookup(a.handle)?;
        obj.wait_idle_interruptible(caller)?;
        obj.lock().cache_level = level;
        Ok(())
    }
}
