//! `gemu probe`: open a DRM node as an ordinary client would and report what it says.
//!
//! `gemu run` with no program runs this inside its namespace. The report is a list of
//! sections, each asking the device one thing; a section that fails is reported and the
//! rest still run.
//! Sections: driver identity (VERSION), platform (GETPARAM), engines and memory
//! regions (QUERY with the length probe), and a GEM round trip that checks its own
//! result (create, pwrite, mmap, pread, close).

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::Path;

use crate::Fallible;

/// One part of the report: a name and the question it asks the device.
struct Section {
    name: &'static str,
    run: fn(&File) -> Fallible<String>,
}

const SECTIONS: &[Section] = &[
    Section {
        name: "version",
        run: version,
    },
    Section {
        name: "platform",
        run: platform,
    },
    Section {
        name: "engines",
        run: engines,
    },
    Section {
        name: "memory",
        run: memory,
    },
    Section {
        name: "gem",
        run: gem_round_trip,
    },
];

/// Returns 0 when every section succeeded, 1 otherwise.
pub fn probe(node: &Path) -> Fallible<u8> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(node)
        .map_err(|e| format!("opening {}: {e}", node.display()))?;
    println!("gemu probe: {}", node.display());
    let mut failed = 0;
    for section in SECTIONS {
        match (section.run)(&file) {
            Ok(line) => println!("  {:<8} {line}", section.name),
            Err(e) => {
                failed += 1;
                println!("  {:<8} FAILED: {e}", section.name);
            }
        }
    }
    Ok(u8::from(failed > 0))
}

/// DRM_IOCTL_VERSION with the two-call protocol: lengths first, then the strings.
fn version(file: &File) -> Fallible<String> {
    let mut v = uapi::drm_version::default();
    // SAFETY: all string lengths are 0, so the driver writes no string.
    unsafe { drm_ioctl(file, uapi::DRM_IOCTL_VERSION, &mut v) }
        .map_err(|e| format!("DRM_IOCTL_VERSION (lengths): {e}"))?;
    let mut name = vec![0u8; v.name_len as usize];
    let mut date = vec![0u8; v.date_len as usize];
    let mut desc = vec![0u8; v.desc_len as usize];
    v.name = name.as_mut_ptr() as u64;
    v.date = date.as_mut_ptr() as u64;
    v.desc = desc.as_mut_ptr() as u64;
    // SAFETY: each pointer is a live buffer of exactly the length the struct gives.
    unsafe { drm_ioctl(file, uapi::DRM_IOCTL_VERSION, &mut v) }
        .map_err(|e| format!("DRM_IOCTL_VERSION (strings): {e}"))?;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Ok(format!(
        "{} {}.{}.{} ({}) \"{}\"",
        text(&name),
        v.version_major,
        v.version_minor,
        v.version_patchlevel,
        text(&date),
        text(&desc)
    ))
}

/// One GETPARAM.
fn getparam(file: &File, param: i32) -> Fallible<i32> {
    let mut value = 0i32;
    let mut gp = uapi::drm_i915_getparam {
        param,
        value: &mut value as *mut i32 as u64,
        ..Default::default()
    };
    // SAFETY: `value` is a live int the driver writes.
    unsafe { drm_ioctl(file, uapi::DRM_IOCTL_I915_GETPARAM, &mut gp) }
        .map_err(|e| format!("GETPARAM {param}: {e}"))?;
    Ok(value)
}

fn platform(file: &File) -> Fallible<String> {
    use uapi::*;
    let id = getparam(file, I915_PARAM_CHIPSET_ID)?;
    let rev = getparam(file, I915_PARAM_REVISION)?;
    let eus = getparam(file, I915_PARAM_EU_TOTAL)?;
    let ss = getparam(file, I915_PARAM_SUBSLICE_TOTAL)?;
    let freq = getparam(file, I915_PARAM_CS_TIMESTAMP_FREQUENCY)?;
    let ppgtt = getparam(file, I915_PARAM_HAS_ALIASING_PPGTT)?;
    let llc = getparam(file, I915_PARAM_HAS_LLC)?;
    let execbuf = getparam(file, I915_PARAM_HAS_EXECBUF2)?;
    Ok(format!(
        "chipset {id:#06x} rev {rev}, {eus} EUs in {ss} subslices, CS timestamp {} MHz, \
         ppgtt {ppgtt}, llc {llc}, execbuf {}",
        freq as f64 / 1e6,
        if execbuf != 0 { "yes" } else { "not yet" }
    ))
}

/// One QUERY item with the length probe: ask for the size, then for the data.
fn query(file: &File, id: u64) -> Fallible<Vec<u8>> {
    let mut item = uapi::drm_i915_query_item {
        query_id: id,
        ..Default::default()
    };
    let mut q = uapi::drm_i915_query {
        num_items: 1,
        items_ptr: &mut item as *mut _ as u64,
        ..Default::default()
    };
    // SAFETY: `item` is live; with length 0 the driver writes only `item.length`.
    unsafe { drm_ioctl(file, uapi::DRM_IOCTL_I915_QUERY, &mut q) }
        .map_err(|e| format!("QUERY {id} (length): {e}"))?;
    if item.length <= 0 {
        return Err(format!("QUERY {id}: length {}", item.length));
    }
    let mut data = vec![0u8; item.length as usize];
    item.data_ptr = data.as_mut_ptr() as u64;
    // SAFETY: `data` has the length the driver asked for.
    unsafe { drm_ioctl(file, uapi::DRM_IOCTL_I915_QUERY, &mut q) }
        .map_err(|e| format!("QUERY {id}: {e}"))?;
    if item.length < 0 {
        return Err(format!("QUERY {id}: item error {}", item.length));
    }
    Ok(data)
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

fn engines(file: &File) -> Fallible<String> {
    let data = query(file, uapi::DRM_I915_QUERY_ENGINE_INFO)?;
    let n = u32::from_le_bytes(data[..4].try_into().unwrap()) as usize;
    let name = |class| match class {
        uapi::I915_ENGINE_CLASS_RENDER => "rcs",
        uapi::I915_ENGINE_CLASS_COPY => "bcs",
        uapi::I915_ENGINE_CLASS_VIDEO => "vcs",
        uapi::I915_ENGINE_CLASS_VIDEO_ENHANCE => "vecs",
        uapi::I915_ENGINE_CLASS_COMPUTE => "ccs",
        _ => "?",
    };
    let list: Vec<String> = (0..n)
        .map(|i| {
            let at = 16 + 56 * i;
            format!("{}{}", name(le16(&data, at)), le16(&data, at + 2))
        })
        .collect();
    Ok(list.join(" "))
}

fn memory(file: &File) -> Fallible<String> {
    let data = query(file, uapi::DRM_I915_QUERY_MEMORY_REGIONS)?;
    let n = u32::from_le_bytes(data[..4].try_into().unwrap()) as usize;
    let list: Vec<String> = (0..n)
        .map(|i| {
            let at = 16 + 88 * i;
            let class = match le16(&data, at) {
                uapi::I915_MEMORY_CLASS_SYSTEM => "system",
                uapi::I915_MEMORY_CLASS_DEVICE => "device",
                _ => "?",
            };
            format!(
                "{class}{} {} MiB",
                le16(&data, at + 2),
                le64(&data, at + 8) >> 20
            )
        })
        .collect();
    Ok(list.join(", "))
}

/// Create an object, write it with PWRITE, read it through an mmap of the node and
/// with PREAD, write through the mapping and read that back with PREAD, close it.
fn gem_round_trip(file: &File) -> Fallible<String> {
    const SIZE: usize = 8192;
    let mut create = uapi::drm_i915_gem_create {
        size: SIZE as u64 - 100,
        ..Default::default()
    };
    // SAFETY: no pointers.
    unsafe { drm_ioctl(file, uapi::DRM_IOCTL_I915_GEM_CREATE, &mut create) }
        .map_err(|e| format!("GEM_CREATE: {e}"))?;
    let handle = create.handle;
    let result = (|| -> Fallible<String> {
        if create.size != SIZE as u64 {
            return Err(format!("GEM_CREATE rounded to {} bytes", create.size));
        }
        let pattern: Vec<u8> = (0..SIZE).map(|i| (i * 7 + 3) as u8).collect();
        let mut pw = uapi::drm_i915_gem_pwrite {
            handle,
            size: SIZE as u64,
            data_ptr: pattern.as_ptr() as u64,
            ..Default::default()
        };
        // SAFETY: `pattern` is SIZE readable bytes.
        unsafe { drm_ioctl(file, uapi::DRM_IOCTL_I915_GEM_PWRITE, &mut pw) }
            .map_err(|e| format!("PWRITE: {e}"))?;
        let mut mo = uapi::drm_i915_gem_mmap_offset {
            handle,
            flags: uapi::I915_MMAP_OFFSET_WB,
            ..Default::default()
        };
        // SAFETY: no pointers (extensions 0).
        unsafe { drm_ioctl(file, uapi::DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mut mo) }
            .map_err(|e| format!("MMAP_OFFSET: {e}"))?;
        // SAFETY: a shared mapping of the node at the offset the driver gave; the
        // object outlives the mapping, which is dropped before the handle is closed.
        let mut map = unsafe {
            memmap2::MmapOptions::new()
                .offset(mo.offset)
                .len(SIZE)
                .map_mut(file)
        }
        .map_err(|e| format!("mmap: {e}"))?;
        if map[..] != pattern[..] {
            return Err("mmap does not show what PWRITE wrote".into());
        }
        map[100..104].copy_from_slice(b"gemu");
        let mut back = vec![0u8; SIZE];
        let mut pr = uapi::drm_i915_gem_pread {
            handle,
            size: SIZE as u64,
            data_ptr: back.as_mut_ptr() as u64,
            ..Default::default()
        };
        // SAFETY: `back` is SIZE writable bytes.
        unsafe { drm_ioctl(file, uapi::DRM_IOCTL_I915_GEM_PREAD, &mut pr) }
            .map_err(|e| format!("PREAD: {e}"))?;
        let mut expect = pattern.clone();
        expect[100..104].copy_from_slice(b"gemu");
        if back != expect {
            return Err("PREAD does not show what the mapping wrote".into());
        }
        Ok(format!(
            "create/pwrite/mmap/pread round trip of {SIZE} bytes checked (handle {handle}, offset {:#x})",
            mo.offset
        ))
    })();
    let mut close = uapi::drm_gem_close {
        handle,
        ..Default::default()
    };
    // SAFETY: no pointers.
    unsafe { drm_ioctl(file, uapi::DRM_IOCTL_GEM_CLOSE, &mut close) }
        .map_err(|e| format!("GEM_CLOSE: {e}"))?;
    result
}

/// `ioctl(fd, cmd, arg)` for a command whose argument struct is `T`.
///
/// # Safety
/// Every user pointer inside `arg` must point to memory valid for the length and the
/// direction that the command gives it: the driver writes through them.
pub unsafe fn drm_ioctl<T>(file: &File, cmd: u32, arg: &mut T) -> nix::Result<()> {
    assert_eq!(
        emu::ioctl::ioc_size(cmd),
        std::mem::size_of::<T>(),
        "argument type does not match ioctl {cmd:#x}"
    );
    // SAFETY: `arg` is a valid, exclusive `T` of the size the command copies in and out;
    // what its pointers reach is the caller's promise.
    let r = unsafe { libc::ioctl(file.as_raw_fd(), cmd as libc::c_ulong, arg as *mut T) };
    nix::errno::Errno::result(r).map(drop)
}
