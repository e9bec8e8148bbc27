//! GETPARAM answered in the program's process: the answers fixed for the device's
//! lifetime are asked for once (`DRM_IOCTL_GEMU_PARAMS`) and kept per node. A node is
//! known by its identity and its modification time, which is the moment its daemon
//! started: a new daemon whose mount happens to get the same device number is asked
//! again, so an answer is never stale. Parameters not in the list (those that follow
//! live settings) go to the device.

use std::ffi::{c_int, c_ulong};
use std::sync::Mutex;

use uapi::gemu::{gemu_param, gemu_params, DRM_IOCTL_GEMU_PARAMS};

use crate::ioctl::raw_ioctl;

/// A node's identity: st_dev, st_ino, st_mtime, st_mtime_nsec.
type NodeId = (u64, u64, i64, i64);

/// The fixed answers of each node this process asked, sorted by parameter.
static TABLES: Mutex<Vec<(NodeId, Vec<gemu_param>)>> = Mutex::new(Vec::new());

/// The fixed answer for `param` on node `fd` (whose `fstat` is `st`): `Some(Ok(value))`, `Some(Err(errno))`, or
/// `None` when the device must answer (not gemu's node, a live parameter, or the list
/// cannot be had).
pub(crate) fn fixed(fd: c_int, st: &libc::stat, param: i32) -> Option<Result<i32, i32>> {
    let id = (st.st_dev, st.st_ino, st.st_mtime, st.st_mtime_nsec);
    let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
    let at = match tables.iter().position(|(n, _)| *n == id) {
        Some(i) => i,
        None => {
            tables.push((id, ask(fd)?));
            tables.len() - 1
        }
    };
    let table = &tables[at].1;
    let e = table
        .binary_search_by_key(&param, |e| e.param)
        .ok()
        .map(|i| table[i])?;
    Some(if e.error == 0 {
        Ok(e.value)
    } else {
        Err(e.error)
    })
}

/// The node's fixed answers, sorted by parameter.
fn ask(fd: c_int) -> Option<Vec<gemu_param>> {
    let mut room = 128;
    loop {
        let mut entries = vec![gemu_param::default(); room];
        let mut a = gemu_params {
            count: room as u32,
            pad: 0,
            entries_ptr: entries.as_mut_ptr() as u64,
        };
        // SAFETY: `a` and the `room` entries it points at are valid for the call.
        let r = unsafe { raw_ioctl(fd, DRM_IOCTL_GEMU_PARAMS as c_ulong, (&raw mut a).cast()) };
        if r < 0 {
            return None;
        }
        let n = a.count as usize;
        if n > room {
            room = n;
            continue;
        }
        entries.truncate(n);
        entries.sort_by_key(|e| e.param);
        return Some(entries);
    }
}
