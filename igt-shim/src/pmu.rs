//! The i915 PMU (`perf_event_open` with `/sys/bus/event_source/devices/i915/type`), as
//! IGT's `intel_gpu_top` and `perf_pmu` use it. There is no kernel PMU behind gemu's
//! device: `gemu run` gives the program a sysfs entry with gemu's own type
//! ([`uapi::GEMU_PMU_TYPE`]), and the shim answers `perf_event_open` for that type with
//! an open of the daemon's counter file (`debugfs/gemu_pmu`). A `read` of such an fd
//! gives the counters in perf's read format, counted from the open as perf counts.
//!
//! Programs reach `perf_event_open` through glibc's `syscall(2)` (glibc has no wrapper),
//! so the shim defines `syscall`; every other number goes to the kernel unchanged.
//!
//! What i915's `i915_pmu_event_init` checks is checked here with its errnos: a config
//! gemu does not count (`ENOENT`: RC6 residency, wait and semaphore time), sampling
//! (`EOPNOTSUPP`), a per-task event (`EINVAL`: the PMU counts for the whole device, on a
//! CPU). Read formats beyond `TOTAL_TIME_ENABLED`, `TOTAL_TIME_RUNNING` and `GROUP` are
//! refused (`EINVAL`), and a group leader must be one of these events (`EINVAL`).

use std::collections::HashMap;
use std::ffi::{c_int, c_long, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use crate::nodes::{fail, raw_fstat};

const FORMAT_TOTAL_TIME_ENABLED: u64 = 1 << 0;
const FORMAT_TOTAL_TIME_RUNNING: u64 = 1 << 1;
const FORMAT_GROUP: u64 = 1 << 3;
/// `PERF_FLAG_FD_CLOEXEC`.
const FLAG_FD_CLOEXEC: c_long = 1 << 3;

/// The fields of `struct perf_event_attr` the PMU looks at (the first 48 bytes, which
/// every version of the struct has).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct AttrHead {
    type_: u32,
    size: u32,
    config: u64,
    sample_period: u64,
    sample_type: u64,
    read_format: u64,
    flags: u64,
}

/// One open event.
struct Event {
    config: u64,
    read_format: u64,
    /// The counter file's identity, to tell a reused fd number from this event.
    file: (u64, u64),
    /// The group it reads with (itself when it leads one), and when it was opened.
    leader: c_int,
    opened: Instant,
    counter: Counter,
}

/// A counter as perf presents it: the value since the open.
struct Counter {
    /// The daemon's value at the open (busy time, interrupts).
    base: u64,
    /// A frequency integrated over time in MHz·s (i915 adds MHz × period), and when it
    /// was last sampled.
    integral: f64,
    sampled: Instant,
}

/// Events by fd; [`ANY`] spares `read` the lock while there are none.
static EVENTS: Mutex<Option<HashMap<c_int, Event>>> = Mutex::new(None);
static ANY: AtomicBool = AtomicBool::new(false);

fn is_frequency(config: u64) -> bool {
    config == uapi::I915_PMU_ACTUAL_FREQUENCY || config == uapi::I915_PMU_REQUESTED_FREQUENCY
}

/// `syscall(2)`: `perf_event_open` for gemu's PMU is the shim's; everything else is
/// the kernel's. glibc's is variadic; on x86-64 its callers pass the number and six
/// arguments in registers and on the stack exactly as for this signature (an argument
/// the caller did not pass reads as garbage that the kernel ignores).
///
/// # Safety
/// As libc's.
#[no_mangle]
pub unsafe extern "C" fn syscall(
    number: c_long,
    a1: c_long,
    a2: c_long,
    a3: c_long,
    a4: c_long,
    a5: c_long,
    a6: c_long,
) -> c_long {
    if number == libc::SYS_perf_event_open && a1 != 0 {
        let mut head = AttrHead::default();
        // SAFETY: the caller's attr is a perf_event_attr, which is at least as long as
        // its first version (64 bytes) and so holds these 48 bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(a1 as *const AttrHead, &mut head, 1);
        }
        if head.type_ == uapi::GEMU_PMU_TYPE {
            return open(&head, a2 as c_int, a3 as c_int, a4 as c_int, a5) as c_long;
        }
    }
    // SAFETY: the caller's arguments, passed on as glibc's syscall() does.
    let r = unsafe { raw_syscall(number, [a1, a2, a3, a4, a5, a6]) };
    if (-4095..0).contains(&r) {
        fail(-r as i32) as c_long
    } else {
        r
    }
}

/// The `syscall` instruction: the kernel's result, -errno on failure.
///
/// # Safety
/// The arguments must be valid for system call `number`.
unsafe fn raw_syscall(number: c_long, a: [c_long; 6]) -> c_long {
    let r: c_long;
    // SAFETY: the x86-64 Linux system call convention: number in rax, arguments in
    // rdi, rsi, rdx, r10, r8, r9; the kernel clobbers rcx and r11.
    unsafe {
        std::arch::asm!(
            "syscall",
            inlateout("rax") number => r,
            in("rdi") a[0],
            in("rsi") a[1],
            in("rdx") a[2],
            in("r10") a[3],
            in("r8") a[4],
            in("r9") a[5],
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    r
}

/// The daemon's counter file, named by `gemu run` through `GEMU_FD_DIR`.
fn counter_path() -> Option<&'static CString> {
    static PATH: OnceLock<Option<CString>> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::var(uapi::GEMU_FD_DIR_ENV).ok()?;
        CString::new(format!("{dir}/debugfs/{}", uapi::GEMU_PMU_FILE)).ok()
    })
    .as_ref()
}

/// `perf_event_open` of gemu's PMU: a new fd, or -1 and errno.
fn open(attr: &AttrHead, pid: c_int, cpu: c_int, group: c_int, flags: c_long) -> c_int {
    if attr.sample_period != 0 {
        return fail(libc::EOPNOTSUPP);
    }
    if pid != -1 || cpu < 0 {
        return fail(libc::EINVAL);
    }
    let allowed = FORMAT_TOTAL_TIME_ENABLED | FORMAT_TOTAL_TIME_RUNNING | FORMAT_GROUP;
    if attr.read_format & !allowed != 0 {
        return fail(libc::EINVAL);
    }
    let Some(path) = counter_path() else {
        return fail(libc::ENODEV);
    };
    let cloexec = if flags & FLAG_FD_CLOEXEC != 0 {
        libc::O_CLOEXEC
    } else {
        0
    };
    // SAFETY: `path` is a valid C string.
    let fd = unsafe {
        raw_syscall(
            libc::SYS_openat,
            [
                libc::AT_FDCWD as c_long,
                path.as_ptr() as c_long,
                (libc::O_RDONLY | cloexec) as c_long,
                0,
                0,
                0,
            ],
        )
    };
    if fd < 0 {
        return fail(-fd as i32);
    }
    let fd = fd as c_int;
    let close = |e| {
        // SAFETY: the fd opened above.
        unsafe { raw_syscall(libc::SYS_close, [fd as c_long, 0, 0, 0, 0, 0]) };
        fail(e)
    };
    let values = match read_counters(fd) {
        Ok(v) => v,
        Err(e) => return close(e),
    };
    let Some(&base) = values.get(&attr.config) else {
        return close(libc::ENOENT);
    };
    let file = match raw_fstat(fd) {
        Ok(st) => (st.st_dev, st.st_ino),
        Err(e) => return close(e),
    };
    let mut events = EVENTS.lock().unwrap_or_else(|e| e.into_inner());
    let events = events.get_or_insert_with(HashMap::new);
    let leader = if group == -1 {
        fd
    } else if events.get(&group).is_some_and(|g| g.leader == group) {
        group
    } else {
        return close(libc::EINVAL);
    };
    let now = Instant::now();
    events.insert(
        fd,
        Event {
            config: attr.config,
            read_format: attr.read_format,
            file,
            leader,
            opened: now,
            counter: Counter {
                base: if is_frequency(attr.config) { 0 } else { base },
                integral: 0.0,
                sampled: now,
            },
        },
    );
    ANY.store(true, Ordering::Release);
    fd
}

/// The daemon's counters now, by config.
fn read_counters(fd: c_int) -> Result<HashMap<u64, u64>, i32> {
    let mut buf = [0u8; 4096];
    // SAFETY: `buf` is writable for its length.
    let n = unsafe {
        raw_syscall(
            libc::SYS_pread64,
            [
                fd as c_long,
                buf.as_mut_ptr() as c_long,
                buf.len() as c_long,
                0,
                0,
                0,
            ],
        )
    };
    if n < 0 {
        return Err(-n as i32);
    }
    let text = std::str::from_utf8(&buf[..n as usize]).map_err(|_| libc::EIO)?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let (config, value) = l.split_once(' ')?;
            let config = u64::from_str_radix(config.trim_start_matches("0x"), 16).ok()?;
            Some((config, value.trim().parse().ok()?))
        })
        .collect())
}

/// `read` of `fd`: `Some` (bytes or -1 with errno) when it is one of these events.
pub(crate) fn read(fd: c_int, buf: *mut u8, count: usize) -> Option<isize> {
    if !ANY.load(Ordering::Acquire) {
        return None;
    }
    let mut guard = EVENTS.lock().unwrap_or_else(|e| e.into_inner());
    let events = guard.as_mut()?;
    let event = events.get(&fd)?;
    // The fd number may have been closed and reused since: then it is not ours.
    match raw_fstat(fd) {
        Ok(st) if (st.st_dev, st.st_ino) == event.file => {}
        _ => {
            events.remove(&fd);
            return None;
        }
    }
    let (format, leader) = (event.read_format, event.leader);
    let members: Vec<c_int> = if format & FORMAT_GROUP != 0 {
        let mut m: Vec<c_int> = events
            .iter()
            .filter(|(_, e)| e.leader == leader)
            .map(|(fd, _)| *fd)
            .collect();
        // Leader first, then the members in the order they were opened (fd order, as
        // the lowest free number is taken each time).
        m.sort_by_key(|f| (*f != leader, *f));
        m
    } else {
        vec![fd]
    };
    let values = match read_counters(fd) {
        Ok(v) => v,
        Err(e) => return Some(fail(e) as isize),
    };
    let now = Instant::now();
    let mut words: Vec<u64> = Vec::new();
    if format & FORMAT_GROUP != 0 {
        words.push(members.len() as u64);
    }
    let times = |words: &mut Vec<u64>, opened: Instant| {
        let enabled = now.duration_since(opened).as_nanos() as u64;
        if format & FORMAT_TOTAL_TIME_ENABLED != 0 {
            words.push(enabled);
        }
        if format & FORMAT_TOTAL_TIME_RUNNING != 0 {
            words.push(enabled);
        }
    };
    // A closed leader leaves its members on their own (perf promotes them), so the
    // group's times are then the member's own.
    let opened = events.get(&leader).unwrap_or(event).opened;
    if format & FORMAT_GROUP != 0 {
        times(&mut words, opened);
    }
    for m in &members {
        let Some(e) = events.get_mut(m) else { continue };
        let now_value = values.get(&e.config).copied().unwrap_or(0);
        let c = &mut e.counter;
        let value = if is_frequency(e.config) {
            c.integral += now_value as f64 * now.duration_since(c.sampled).as_secs_f64();
            c.sampled = now;
            c.integral as u64
        } else {
            now_value.saturating_sub(c.base)
        };
        words.push(value);
    }
    if format & FORMAT_GROUP == 0 {
        times(&mut words, events[&fd].opened);
    }
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    if count < bytes.len() {
        return Some(fail(libc::ENOSPC) as isize);
    }
    // SAFETY: the caller's buffer holds `count` >= bytes.len() bytes.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf, bytes.len()) };
    Some(bytes.len() as isize)
}
