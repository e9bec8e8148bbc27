//! The sw_sync file (`uapi::GEMU_SW_SYNC_FILE`, bound at
//! `/sys/kernel/debug/sync/sw_sync` by `gemu run`): each open is one of the model's
//! sw_sync timelines (`emu::sw_sync`). SW_SYNC_IOC_INC reaches it as it is;
//! SW_SYNC_IOC_CREATE_FENCE makes an fd, so only the shim's half of it does
//! (gemu's own CREATE_FENCE, answering the sync_file's id).

use emu::{Device, Errno};
use uapi::{
    sw_sync_create_fence_data, GEMU_SW_SYNC_IOC_CREATE_FENCE, SW_SYNC_IOC_CREATE_FENCE,
    SW_SYNC_IOC_INC,
};

use crate::sync_file_node::read;

/// File handles of the sw_sync file's opens carry this bit (the other fd files use
/// bits 60 to 62, debugfs bit 63); the rest is the timeline's id.
pub const FH_TAG: u64 = 1 << 59;

/// What `poll(2)` says of a timeline's fd: the file has no poll method, so the kernel
/// answers its default mask (`DEFAULT_POLLMASK`).
pub const POLL_MASK: u32 =
    (libc::POLLIN | libc::POLLOUT | libc::POLLRDNORM | libc::POLLWRNORM) as u32;

/// An open by thread `tid`: a new timeline named after its command, as the kernel
/// names it after the opener's; the open's file handle.
pub fn open(device: &Device, tid: u32) -> u64 {
    let comm = crate::client_memory::command_of(tid).unwrap_or_default();
    FH_TAG | device.sw_sync_open(&comm)
}

/// The timeline of an open with file handle `fh`, if it is one of this file's.
pub fn of_fh(fh: u64) -> Option<u64> {
    (fh & (1 << 63) == 0 && fh & FH_TAG != 0 && fh & (7 << 60) == 0).then_some(fh & !FH_TAG)
}

/// `ioctl(2)` on timeline `id` (`sw_sync_ioctl`); the reply's bytes.
pub fn ioctl(device: &Device, id: u64, cmd: u32, data: &[u8]) -> Result<Vec<u8>, Errno> {
    match cmd {
        SW_SYNC_IOC_INC => {
            let n: u32 = read(data)?;
            device.sw_sync_inc(id, n)?;
            Ok(Vec::new())
        }
        GEMU_SW_SYNC_IOC_CREATE_FENCE => {
            let mut d: sw_sync_create_fence_data = read(data)?;
            let sync_file = device.sw_sync_create_fence(id, d.value)?;
            d.fence = i32::try_from(sync_file).map_err(|_| Errno::EMFILE)?;
            Ok(bytemuck::bytes_of(&d).to_vec())
        }
        // The fd it answers can only be made in the program: through the shim.
        SW_SYNC_IOC_CREATE_FENCE => {
            log::debug!("SW_SYNC_IOC_CREATE_FENCE without the shim: no fd can be made");
            Err(Errno::ENOTTY)
        }
        _ => Err(Errno::ENOTTY),
    }
}

/// The open with file handle `fh` was released: the timeline's pending points signal
/// with `ENOENT`.
pub fn release(device: &Device, id: u64) {
    device.sw_sync_release(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_handles_do_not_collide_with_other_fd_files() {
        assert_eq!(of_fh(FH_TAG | 7), Some(7));
        assert_eq!(of_fh(7), None);
        assert_eq!(of_fh((1 << 60) | FH_TAG | 7), None);
        assert_eq!(of_fh((1 << 63) | FH_TAG), None);
    }
}
