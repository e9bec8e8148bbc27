//! What a sync_file fd (an open of `sync_file/<id>`, see `fd_files`) does: `poll`
//! says readable once every fence signalled, SYNC_IOC_FILE_INFO describes it (writing
//! the per-fence array into the caller's memory), and gemu's own merge (the shim's half
//! of SYNC_IOC_MERGE) makes a new sync_file.

use emu::{ClientMemory, Device, Errno};
use uapi::{sync_file_info, sync_merge_data, GEMU_SYNC_IOC_MERGE, SYNC_IOC_FILE_INFO};

/// `ioctl(2)` on sync_file `id`.
pub fn ioctl(
    device: &Device,
    id: u64,
    cmd: u32,
    data: &[u8],
    caller: &dyn ClientMemory,
) -> Result<Vec<u8>, Errno> {
    match cmd {
        SYNC_IOC_FILE_INFO => {
            let mut info: sync_file_info = read(data)?;
            device.sync_file_info(id, &mut info, caller)?;
            Ok(bytemuck::bytes_of(&info).to_vec())
        }
        GEMU_SYNC_IOC_MERGE => {
            let mut m: sync_merge_data = read(data)?;
            let other = u64::try_from(m.fd2).map_err(|_| Errno::ENOENT)?;
            let merged = device.sync_file_merge(id, other, &m.name)?;
            m.fence = i32::try_from(merged).map_err(|_| Errno::EMFILE)?;
            Ok(bytemuck::bytes_of(&m).to_vec())
        }
        // SYNC_IOC_MERGE itself makes an fd: only through the shim.
        _ => Err(Errno::ENOTTY),
    }
}

/// `poll(2)` on sync_file `id` (`sync_file_poll`): `POLLIN` once signalled. Returns the
/// events and whether it is signalled.
pub fn poll(device: &Device, id: u64) -> (u32, bool) {
    match device.sync_file(id) {
        Some(f) if f.status() != 0 => (libc::POLLIN as u32, true),
        Some(_) => (0, false),
        None => (libc::POLLERR as u32, true),
    }
}

/// The ioctl argument `T` at the start of `data` (`EFAULT` when it is short).
pub(crate) fn read<T: bytemuck::Pod>(data: &[u8]) -> Result<T, Errno> {
    let n = std::mem::size_of::<T>();
    Ok(bytemuck::pod_read_unaligned(
        data.get(..n).ok_or(Errno::EFAULT)?,
    ))
}
