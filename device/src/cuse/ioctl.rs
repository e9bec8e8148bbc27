//! Unrestricted ioctls on a CUSE device: getting the caller's struct.
//!
//! A CUSE device that asked for unrestricted ioctls receives each ioctl first with no
//! data, only the command and the raw argument (for DRM, a pointer to the struct). The
//! struct is `_IOC_SIZE(cmd)` bytes at that pointer, copied in and out in the directions
//! `cmd`'s bits name — exactly what `drm_ioctl` copies, and what the kernel copies for
//! the FUSE node's restricted ioctls, so both front-ends hand the dispatch the same
//! bytes. Pointers nested in the struct are read through process_vm, as on FUSE.
//!
//! Two ways to get the struct, and gemu uses both:
//! - process_vm (the fast path): read it from the caller's memory at once and write the
//!   answer back before replying. One round trip per ioctl.
//! - FUSE_IOCTL_RETRY (the fallback): reply naming the ranges to copy in and out; the
//!   kernel copies them in the caller's own context and sends the ioctl again with the
//!   bytes, then copies the output back after the answer. Two round trips.
//!
//! Any failure of the fast read — a bad pointer, a caller in another pid namespace
//! (pid 0) or one gemu may not ptrace — falls back to the retry, where the kernel
//! treats the pointer exactly as `drm_ioctl` would (EFAULT before or after the call) and
//! calls without nested pointers work for any caller. A round trip costs ~8 µs on a
//! host and milliseconds under TCG; process_vm_readv costs ~1 µs.

use std::borrow::Cow;

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
    /// The caller's struct is in hand (empty for a command without input): answer it.
    Answer { in_data: Cow<'a, [u8]>, out: Out },
    /// Refuse the ioctl with this error.
    Refuse(Errno),
}

/// Where the ioctl's output struct goes.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Out {
    /// In the reply: the kernel copies it to the retry's output range.
    InReply,
    /// Written to the caller's memory at this address (process_vm) before the reply.
    WriteAt(u64),
}

/// Decide the next step for an ioctl request `req` whose data is `data`; `read_caller`
/// reads the caller's memory (false when it cannot).
pub fn step<'a>(
    req: &IoctlIn,
    data: &'a [u8],
    read_caller: impl FnOnce(u64, &mut [u8]) -> bool,
) -> Step<'a> {
    if req.flags & FUSE_IOCTL_COMPAT != 0 {
        // A 32-bit caller: its structs with pointers have other sizes and numbers, which
        // only i915's compat table would know. gemu models the 64-bit ABI.
        log::debug!("ioctl {:#x} from a 32-bit process: not supported", req.cmd);
        return Step::Refuse(Errno::ENOTTY);
    }
    let (need_in, need_out) = dispatch::ioctl_sizes(req.cmd);
    let (has_in, has_out) = (req.in_size as usize, req.out_size as usize);
    if has_in == need_in && has_out == need_out && data.len() >= need_in {
        // The second round of a retry, or a command without a struct.
        return Step::Answer {
            in_data: Cow::Borrowed(&data[..need_in]),
            out: Out::InReply,
        };
    }
    if has_in != 0 || has_out != 0 {
        // A second round that does not carry what the first asked for: the kernel would
        // not send it, so something is badly out of step.
        log::error!(
            "ioctl {:#x}: retry brought {has_in} in / {has_out} out bytes, wanted {need_in} / {need_out}",
            req.cmd
        );
        return Step::Refuse(Errno::EIO);
    }
    // The fast path. For a command that only copies out, reading the range first
    // checks that gemu can reach it before the call has any effect.
    let mut in_data = vec![0u8; need_in.max(need_out)];
    if read_caller(req.arg, &mut in_data) {
        in_data.truncate(need_in);
        return Step::Answer {
            in_data: Cow::Owned(in_data),
            out: Out::WriteAt(req.arg),
        };
    }
    let range = |len: usize| {
        (len > 0).then_some(IoctlIovec {
            base: req.arg,
            len: len as u64,
        })
    };
    Step::Retry {
        input: range(need_in).into_iter().collect(),
        output: range(need_out).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Set by the kernel on every ioctl of a device with unrestricted ioctls.
    const FUSE_IOCTL_UNRESTRICTED: u32 = 1 << 1;
    const VERSION: u32 = 0xc040_6400; // _IOWR('d', 0, 64 bytes)
    const GET_MAGIC: u32 = 0x8004_6402; // _IOR('d', 2, 4 bytes)
    const DROP_MASTER: u32 = 0x641f; // _IO('d', 0x1f)
    const ARG: u64 = 0x7000_1000;

    fn req(cmd: u32, in_size: u32, out_size: u32) -> IoctlIn {
        IoctlIn {
            fh: 1,
            flags: FUSE_IOCTL_UNRESTRICTED,
            cmd,
            arg: ARG,
            in_size,
            out_size,
        }
    }

    fn unreachable(_: u64, _: &mut [u8]) -> bool {
        false
    }

    fn reads_sevens(addr: u64, buf: &mut [u8]) -> bool {
        assert_eq!(addr, ARG);
        buf.fill(7);
        true
    }

    #[test]
    fn the_struct_is_read_from_the_caller_and_written_back() {
        assert_eq!(
            step(&req(VERSION, 0, 0), &[], reads_sevens),
            Step::Answer {
                in_data: Cow::Owned(vec![7; 64]),
                out: Out::WriteAt(ARG)
            }
        );
        // Nothing to copy in, but the output range is checked first.
        assert_eq!(
            step(&req(GET_MAGIC, 0, 0), &[], |_, b: &mut [u8]| b.len() == 4),
            Step::Answer {
                in_data: Cow::Owned(vec![]),
                out: Out::WriteAt(ARG)
            }
        );
    }

    #[test]
    fn an_unreachable_caller_gets_the_retry_both_ways() {
        let range = IoctlIovec { base: ARG, len: 64 };
        assert_eq!(
            step(&req(VERSION, 0, 0), &[], unreachable),
            Step::Retry {
                input: vec![range],
                output: vec![range]
            }
        );
        let out = IoctlIovec { base: ARG, len: 4 };
        assert_eq!(
            step(&req(GET_MAGIC, 0, 0), &[], unreachable),
            Step::Retry {
                input: vec![],
                output: vec![out]
            }
        );
    }

    #[test]
    fn the_second_round_answers_with_the_bytes_in_the_reply() {
        let data = [7u8; 64];
        assert_eq!(
            step(&req(VERSION, 64, 64), &data, unreachable),
            Step::Answer {
                in_data: Cow::Borrowed(&data[..]),
                out: Out::InReply
            }
        );
        assert_eq!(
            step(&req(GET_MAGIC, 0, 4), &[], unreachable),
            Step::Answer {
                in_data: Cow::Borrowed(&[][..]),
                out: Out::InReply
            }
        );
    }

    #[test]
    fn commands_without_a_struct_are_answered_at_once() {
        assert_eq!(
            step(&req(DROP_MASTER, 0, 0), &[], unreachable),
            Step::Answer {
                in_data: Cow::Borrowed(&[][..]),
                out: Out::InReply
            }
        );
    }

    #[test]
    fn out_of_step_rounds_and_compat_callers_are_refused() {
        assert_eq!(
            step(&req(VERSION, 8, 64), &[0; 8], unreachable),
            Step::Refuse(Errno::EIO)
        );
        let mut compat = req(VERSION, 0, 0);
        compat.flags |= FUSE_IOCTL_COMPAT;
        assert_eq!(
            step(&compat, &[], reads_sevens),
            Step::Refuse(Errno::ENOTTY)
        );
    }
}
