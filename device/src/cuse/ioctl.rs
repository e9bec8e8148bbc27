//! Unrestricted ioctls on a CUSE device: getting the caller's struct with the retry
//! protocol.
//!
//! A CUSE device that asked for unrestricted ioctls receives each ioctl first with no
//! data, only the command and the raw argument (for DRM, a pointer to the struct). It
//! answers FUSE_IOCTL_RETRY naming the ranges of the caller's memory to copy in and
//! out; the kernel copies them in with the caller's own `copy_from_user` and sends the
//! ioctl again with the bytes, and after the answer copies the output ranges back.
//!
//! gemu names one range per direction: `_IOC_SIZE(cmd)` bytes at `arg`, in the
//! directions `cmd`'s bits name — exactly what `drm_ioctl` copies, and what the
//! kernel copies for the FUSE node's restricted ioctls. The second round then looks like
//! a FUSE node's ioctl and goes through the same dispatch. Pointers nested in the struct
//! are read through process_vm, as on the FUSE node.
//!
//! Why the retry rather than reading the struct with process_vm_readv: the kernel does
//! the top-level copy in the caller's context, so a bad struct pointer fails with the
//! kernel's EFAULT before gemu is involved, and calls without nested pointers (GEM_CREATE,
//! GEM_CLOSE, SET_DOMAIN, ...) work even for a caller gemu cannot reach with process_vm
//! (another pid namespace, no ptrace rights). The cost is one more round trip per ioctl
//! that has a struct.

use super::abi::{IoctlIn, IoctlIovec, FUSE_IOCTL_COMPAT};
use crate::dispatch;
use emu::Errno;

/// What to do with one FUSE_IOCTL request.
#[derive(Debug, PartialEq, Eq)]
pub enum Step<'a> {
    /// Ask the kernel to copy these ranges and send the ioctl again.
    Retry {
        input: Vec<IoctlIovec>,
        output: Vec<IoctlIovec>,
    },
    /// The caller's struct has arrived (empty for a command without input): answer it.
    Answer { in_data: &'a [u8] },
    /// Refuse the ioctl with this error.
    Refuse(Errno),
}

/// Decide the next step for an ioctl request `req` whose data is `data`.
pub fn step<'a>(req: &IoctlIn, data: &'a [u8]) -> Step<'a> {
    if req.flags & FUSE_IOCTL_COMPAT != 0 {
        // A 32-bit caller: its structs with pointers have other sizes and numbers, which
        // only i915's compat table would know. gemu models the 64-bit ABI.
        log::debug!("ioctl {:#x} from a 32-bit process: not supported", req.cmd);
        return Step::Refuse(Errno::ENOTTY);
    }
    let (need_in, need_out) = dispatch::ioctl_sizes(req.cmd);
    let (has_in, has_out) = (req.in_size as usize, req.out_size as usize);
    if has_in == need_in && has_out == need_out && data.len() >= need_in {
        return Step::Answer {
            in_data: &data[..need_in],
        };
    }
    if has_in == 0 && has_out == 0 {
        let range = |len: usize| {
            (len > 0).then_some(IoctlIovec {
                base: req.arg,
                len: len as u64,
            })
        };
        return Step::Retry {
            input: range(need_in).into_iter().collect(),
            output: range(need_out).into_iter().collect(),
        };
    }
    // A second round that does not carry what the first asked for: the kernel would not
    // send it, so something is badly out of step.
    log::error!(
        "ioctl {:#x}: retry brought {has_in} in / {has_out} out bytes, wanted {need_in} / {need_out}",
        req.cmd
    );
    Step::Refuse(Errno::EIO)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Set by the kernel on every ioctl of a device with unrestricted ioctls.
    const FUSE_IOCTL_UNRESTRICTED: u32 = 1 << 1;

    const VERSION: u32 = 0xc040_6400; // _IOWR('d', 0, 64 bytes)
    const GET_MAGIC: u32 = 0x8004_6402; // _IOR('d', 2, 4 bytes)
    const DROP_MASTER: u32 = 0x641f; // _IO('d', 0x1f)

    fn req(cmd: u32, in_size: u32, out_size: u32) -> IoctlIn {
        IoctlIn {
            fh: 1,
            flags: FUSE_IOCTL_UNRESTRICTED,
            cmd,
            arg: 0x7000_1000,
            in_size,
            out_size,
        }
    }

    #[test]
    fn first_round_asks_for_the_struct_both_ways() {
        let range = IoctlIovec {
            base: 0x7000_1000,
            len: 64,
        };
        assert_eq!(
            step(&req(VERSION, 0, 0), &[]),
            Step::Retry {
                input: vec![range],
                output: vec![range]
            }
        );
    }

    #[test]
    fn read_only_commands_copy_nothing_in() {
        let out = IoctlIovec {
            base: 0x7000_1000,
            len: 4,
        };
        assert_eq!(
            step(&req(GET_MAGIC, 0, 0), &[]),
            Step::Retry {
                input: vec![],
                output: vec![out]
            }
        );
        assert_eq!(
            step(&req(GET_MAGIC, 0, 4), &[]),
            Step::Answer { in_data: &[] }
        );
    }

    #[test]
    fn second_round_answers_with_the_bytes() {
        let data = [7u8; 64];
        assert_eq!(
            step(&req(VERSION, 64, 64), &data),
            Step::Answer { in_data: &data }
        );
    }

    #[test]
    fn commands_without_a_struct_are_answered_at_once() {
        assert_eq!(
            step(&req(DROP_MASTER, 0, 0), &[]),
            Step::Answer { in_data: &[] }
        );
    }

    #[test]
    fn out_of_step_rounds_and_compat_callers_are_refused() {
        assert_eq!(
            step(&req(VERSION, 8, 64), &[0; 8]),
            Step::Refuse(Errno::EIO)
        );
        let mut compat = req(VERSION, 0, 0);
        compat.flags |= FUSE_IOCTL_COMPAT;
        assert_eq!(step(&compat, &[]), Step::Refuse(Errno::ENOTTY));
    }
}
