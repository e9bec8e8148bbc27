//! i915's extension chains (`i915_user_extensions`): a linked list of
//! `struct i915_user_extension` headers in client memory, each naming an extension.

use crate::client::{read_struct, ClientMemory};
use crate::{Errno, Result};

/// How deep a chain may go before it is refused (it may loop).
const MAX_DEPTH: usize = 512;

/// Walk the chain starting at `ext`, calling `apply(name, address)` for each
/// extension. `apply` returns `None` for a name it does not know (`EINVAL`). Flags and
/// reserved words of every header must be zero (`EINVAL`); an unreadable header is
/// `EFAULT`; a chain longer than the kernel allows is `E2BIG`.
pub fn walk(
    caller: &dyn ClientMemory,
    mut ext: u64,
    mut apply: impl FnMut(u32, u64) -> Option<Result<()>>,
) -> Result<()> {
    let mut depth = MAX_DEPTH;
    while ext != 0 {
        if depth == 0 {
            return Err(Errno::E2BIG);
        }
        depth -= 1;
        let hdr: uapi::i915_user_extension = read_struct(caller, ext)?;
        if hdr.flags != 0 || hdr.rsvd.iter().any(|&r| r != 0) {
            log::debug!("user extension at {ext:#x}: flags/rsvd must be zero");
            return Err(Errno::EINVAL);
        }
        match apply(hdr.name, ext) {
            None => {
                log::debug!("unknown user extension {}", hdr.name);
                return Err(Errno::EINVAL);
            }
            Some(r) => r?,
        }
        ext = hdr.next_extension;
    }
    Ok(())
}
