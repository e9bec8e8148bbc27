//! The DRM core calls, through the ioctl entry: identity, caps, master/auth rules,
//! permissions per node, and the size rules of `drm_ioctl`.

use bytemuck::Zeroable;
use emu::testing::{self, ioctl, MockMemory, ROOT, USER};
use emu::{Errno, NodeKind};
use uapi::*;

#[test]
fn version_two_call_protocol() {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    let mut v = drm_version::default();
    ioctl(&f, DRM_IOCTL_VERSION, &mut v, &mem).unwrap();
    assert_eq!((v.version_major, v.version_minor), (1, 6));
    assert_eq!((v.name_len, v.date_len), (4, 1));
    assert!(v.desc_len > 0);
    // Second call with buffers of the reported sizes.
    v.name = mem.alloc(v.name_len as usize);
    v.date = mem.alloc(v.date_len as usize);
    v.desc = mem.alloc(v.desc_len as usize);
    ioctl(&f, DRM_IOCTL_VERSION, &mut v, &mem).unwrap();
    assert_eq!(mem.get_bytes(v.name, 4), b"i915");
    assert_eq!(mem.get_bytes(v.date, 1), b"0");
    // A short buffer gets a prefix and the full length back.
    let short = mem.alloc(2);
    let mut v2 = drm_version {
        name_len: 2,
        name: short,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_VERSION, &mut v2, &mem).unwrap();
    assert_eq!(mem.get_bytes(short, 2), b"i9");
    assert_eq!(v2.name_len, 4);
    // A length with a NULL buffer copies nothing and succeeds.
    let mut v3 = drm_version {
        name_len: 10,
        ..Default::default()
    };
    ioctl(&f, DRM_IOCTL_VERSION, &mut v3, &mem).unwrap();
    // A bad buffer faults.
    let mut v4 = drm_version {
        name_len: 4,
        name: 0xdead_0000,
        ..Default::default()
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_VERSION, &mut v4, &mem),
        Err(Errno::EFAULT)
    );
}

#[test]
fn unknown_numbers_and_foreign_types() {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Primary);
    let mem = MockMemory::new();
    let mut b = [0u8; 8];
    // Not a DRM ioctl at all.
    assert_eq!(f.ioctl(0x5401, &mut b, &mem), Err(Errno::ENOTTY));
    // DRM numbers with no entry.
    for nr in [0x03u32, 0x04, 0x14, 0x20, 0x9f, 0xff] {
        let cmd = DRM_IOWR(nr, 8);
        assert_eq!(f.ioctl(cmd, &mut b, &mem), Err(Errno::EINVAL), "nr {nr:#x}");
    }
    // i915 numbers past the table.
    assert_eq!(
        f.ioctl(DRM_IOWR(DRM_COMMAND_BASE + 0x50, 8), &mut b, &mem),
        Err(Errno::EINVAL)
    );
}

#[test]
fn short_struct_is_zero_extended_and_long_struct_truncated() {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    // GEM_CREATE with only the 8-byte size: handle/pad read as zero, nothing copied
    // beyond what the caller gave.
    let mut size = 4096u64;
    let cmd = DRM_IOWR(DRM_COMMAND_BASE + DRM_I915_GEM_CREATE, 8);
    ioctl(&f, cmd, &mut size, &mem).unwrap();
    assert_eq!(size, 4096);
    assert_eq!(f.handle_count(), 1);
    // A larger struct than the kernel's: the extra bytes are ignored and copied back.
    let mut big = [0u8; 24];
    big[..8].copy_from_slice(&4096u64.to_ne_bytes());
    big[16..].copy_from_slice(&[0xaa; 8]);
    let cmd = DRM_IOWR(DRM_COMMAND_BASE + DRM_I915_GEM_CREATE, 24);
    f.ioctl(cmd, &mut big, &mem).unwrap();
    assert_eq!(u32::from_ne_bytes(big[8..12].try_into().unwrap()), 2);
    assert_eq!(&big[16..], &[0xaa; 8]);
}

#[test]
fn caps_of_a_displayless_i915() {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    let cap = |c: u64| {
        let mut a = drm_get_cap {
            capability: c,
            value: 99,
        };
        ioctl(&f, DRM_IOCTL_GET_CAP, &mut a, &mem).map(|_| a.value)
    };
    assert_eq!(cap(DRM_CAP_TIMESTAMP_MONOTONIC), Ok(1));
    assert_eq!(cap(DRM_CAP_SYNCOBJ), Ok(1));
    assert_eq!(cap(DRM_CAP_SYNCOBJ_TIMELINE), Ok(1));
    // Not modelled yet: reported as absent.
    assert_eq!(cap(DRM_CAP_PRIME), Ok(0));
    // KMS caps need DRIVER_MODESET, which a display-less i915 drops.
    assert_eq!(cap(DRM_CAP_DUMB_BUFFER), Err(Errno::EOPNOTSUPP));
    assert_eq!(cap(0xffff), Err(Errno::EOPNOTSUPP));
    let mut cc = drm_set_client_cap {
        capability: DRM_CLIENT_CAP_ATOMIC,
        value: 1,
    };
    let p = testing::open(&dev, NodeKind::Primary);
    assert_eq!(
        ioctl(&p, DRM_IOCTL_SET_CLIENT_CAP, &mut cc, &mem),
        Err(Errno::EOPNOTSUPP)
    );
    // ... and the render node may not use SET_CLIENT_CAP at all.
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SET_CLIENT_CAP, &mut cc, &mem),
        Err(Errno::EACCES)
    );
}

#[test]
fn render_node_refuses_primary_only_calls() {
    let dev = testing::device();
    let r = testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    let mut auth = drm_auth::default();
    assert_eq!(
        ioctl(&r, DRM_IOCTL_GET_MAGIC, &mut auth, &mem),
        Err(Errno::EACCES)
    );
    let mut u = drm_unique::default();
    assert_eq!(
        ioctl(&r, DRM_IOCTL_GET_UNIQUE, &mut u, &mem),
        Err(Errno::EACCES)
    );
    let mut fl = drm_gem_flink::default();
    assert_eq!(
        ioctl(&r, DRM_IOCTL_GEM_FLINK, &mut fl, &mem),
        Err(Errno::EACCES)
    );
    let mut op = drm_gem_open::default();
    assert_eq!(
        ioctl(&r, DRM_IOCTL_GEM_OPEN, &mut op, &mem),
        Err(Errno::EACCES)
    );
    assert_eq!(
        ioctl(&r, DRM_IOCTL_SET_MASTER, &mut (), &mem),
        Err(Errno::EACCES)
    );
    let mut c = drm_client::default();
    assert_eq!(
        ioctl(&r, DRM_IOCTL_GET_CLIENT, &mut c, &mem),
        Err(Errno::EACCES)
    );
}

#[test]
fn first_opener_is_master_and_authenticates_others() {
    let dev = testing::device();
    let mem = MockMemory::new();
    let master = testing::open(&dev, NodeKind::Primary);
    let other = dev.open(NodeKind::Primary, USER);
    assert!(master.is_current_master());
    assert!(!other.is_current_master());
    assert!(!other.is_authenticated());
    // An unauthenticated client may not flink.
    let mut fl = drm_gem_flink::default();
    assert_eq!(
        ioctl(&other, DRM_IOCTL_GEM_FLINK, &mut fl, &mem),
        Err(Errno::EACCES)
    );
    let mut a = drm_auth::default();
    ioctl(&other, DRM_IOCTL_GET_MAGIC, &mut a, &mem).unwrap();
    assert_ne!(a.magic, 0);
    let mut again = drm_auth::default();
    ioctl(&other, DRM_IOCTL_GET_MAGIC, &mut again, &mem).unwrap();
    assert_eq!(again.magic, a.magic, "one magic per file");
    // Only the master may authenticate.
    assert_eq!(
        ioctl(&other, DRM_IOCTL_AUTH_MAGIC, &mut a, &mem),
        Err(Errno::EACCES)
    );
    ioctl(&master, DRM_IOCTL_AUTH_MAGIC, &mut a, &mem).unwrap();
    assert!(other.is_authenticated());
    // A magic is good once.
    assert_eq!(
        ioctl(&master, DRM_IOCTL_AUTH_MAGIC, &mut a, &mem),
        Err(Errno::EINVAL)
    );
    let mut bogus = drm_auth { magic: 12345 };
    assert_eq!(
        ioctl(&master, DRM_IOCTL_AUTH_MAGIC, &mut bogus, &mem),
        Err(Errno::EINVAL)
    );
    // GET_CLIENT reports it.
    let mut c = drm_client::default();
    ioctl(&other, DRM_IOCTL_GET_CLIENT, &mut c, &mem).unwrap();
    assert_eq!((c.auth, c.uid), (1, 65534));
    c.idx = 1;
    assert_eq!(
        ioctl(&other, DRM_IOCTL_GET_CLIENT, &mut c, &mem),
        Err(Errno::EINVAL)
    );
}

#[test]
fn set_and_drop_master() {
    let dev = testing::device();
    let mem = MockMemory::new();
    let a = testing::open(&dev, NodeKind::Primary);
    let b = dev.open(NodeKind::Primary, ROOT);
    let user = dev.open(NodeKind::Primary, USER);
    // Taken: EBUSY for another file; a no-op for the master itself.
    assert_eq!(
        ioctl(&b, DRM_IOCTL_SET_MASTER, &mut (), &mem),
        Err(Errno::EBUSY)
    );
    ioctl(&a, DRM_IOCTL_SET_MASTER, &mut (), &mem).unwrap();
    // Dropping needs to be master.
    assert_eq!(
        ioctl(&b, DRM_IOCTL_DROP_MASTER, &mut (), &mem),
        Err(Errno::EINVAL)
    );
    ioctl(&a, DRM_IOCTL_DROP_MASTER, &mut (), &mem).unwrap();
    assert!(!a.is_current_master());
    // An unprivileged caller whose file never was master may not take it, nor drop
    // it: the capability is checked per call, before anything else.
    let unpriv = MockMemory::new();
    unpriv
        .privileged
        .store(false, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        ioctl(&user, DRM_IOCTL_SET_MASTER, &mut (), &unpriv),
        Err(Errno::EACCES)
    );
    assert_eq!(
        ioctl(&user, DRM_IOCTL_DROP_MASTER, &mut (), &unpriv),
        Err(Errno::EACCES)
    );
    assert_eq!(
        ioctl(&b, DRM_IOCTL_SET_MASTER, &mut (), &unpriv),
        Err(Errno::EACCES)
    );
    // ... but a file that was master may take it back from its own process.
    ioctl(&a, DRM_IOCTL_SET_MASTER, &mut (), &unpriv).unwrap();
    ioctl(&a, DRM_IOCTL_DROP_MASTER, &mut (), &unpriv).unwrap();
    unpriv.tgid.store(99, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(
        ioctl(&a, DRM_IOCTL_SET_MASTER, &mut (), &unpriv),
        Err(Errno::EACCES),
        "another process"
    );
    ioctl(&b, DRM_IOCTL_SET_MASTER, &mut (), &mem).unwrap();
    assert!(b.is_current_master());
    // Closing the master frees the role.
    b.close();
    ioctl(&a, DRM_IOCTL_SET_MASTER, &mut (), &mem).unwrap();
    assert!(a.is_current_master());
}

#[test]
fn unique_is_empty_until_set_version() {
    let dev = testing::device();
    let mem = MockMemory::new();
    let f = testing::open(&dev, NodeKind::Primary);
    let mut u = drm_unique::default();
    ioctl(&f, DRM_IOCTL_GET_UNIQUE, &mut u, &mem).unwrap();
    assert_eq!(u.unique_len, 0);
    let mut sv = drm_set_version {
        drm_di_major: 1,
        drm_di_minor: 4,
        drm_dd_major: -1,
        drm_dd_minor: -1,
    };
    ioctl(&f, DRM_IOCTL_SET_VERSION, &mut sv, &mem).unwrap();
    assert_eq!(
        (
            sv.drm_di_major,
            sv.drm_di_minor,
            sv.drm_dd_major,
            sv.drm_dd_minor
        ),
        (1, 4, 1, 6)
    );
    ioctl(&f, DRM_IOCTL_GET_UNIQUE, &mut u, &mem).unwrap();
    assert_eq!(u.unique_len, 16);
    u.unique = mem.alloc(16);
    ioctl(&f, DRM_IOCTL_GET_UNIQUE, &mut u, &mem).unwrap();
    assert_eq!(mem.get_bytes(u.unique, 16), b"pci:0000:00:02.0");
    // Bad versions are EINVAL, and the versions in effect come back anyway.
    for (di, dimin, dd, ddmin) in [
        (2, 0, -1, -1),
        (1, 5, -1, -1),
        (1, -1, -1, -1),
        (-1, 0, 2, 0),
        (-1, 0, 1, 7),
    ] {
        let mut sv = drm_set_version {
            drm_di_major: di,
            drm_di_minor: dimin,
            drm_dd_major: dd,
            drm_dd_minor: ddmin,
        };
        assert_eq!(
            ioctl(&f, DRM_IOCTL_SET_VERSION, &mut sv, &mem),
            Err(Errno::EINVAL)
        );
        assert_eq!(sv.drm_dd_minor, 6);
    }
    // A bad unique buffer faults.
    u.unique = 0x10;
    assert_eq!(
        ioctl(&f, DRM_IOCTL_GET_UNIQUE, &mut u, &mem),
        Err(Errno::EFAULT)
    );
    // SET_VERSION is for the master only.
    let other = dev.open(NodeKind::Primary, ROOT);
    assert_eq!(
        ioctl(&other, DRM_IOCTL_SET_VERSION, &mut sv, &mem),
        Err(Errno::EACCES)
    );
}

#[test]
fn legacy_calls_answer_as_the_kernel_does() {
    let dev = testing::device();
    let mem = MockMemory::new();
    let f = testing::open(&dev, NodeKind::Primary);
    let user = dev.open(NodeKind::Primary, USER);
    let mut b = [0u8; 16];
    // drm_noop for the master-and-root DRI1 calls; EACCES for anyone else.
    f.ioctl(DRM_IOCTL_BLOCK, &mut b, &mem).unwrap();
    assert_eq!(
        user.ioctl(DRM_IOCTL_BLOCK, &mut b, &mem),
        Err(Errno::EACCES)
    );
    // Old execbuffer: drm_invalid_op. Pinning: rejected.
    assert_eq!(
        f.ioctl(DRM_IOCTL_I915_GEM_EXECBUFFER, &mut [0; 40], &mem),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        f.ioctl(DRM_IOCTL_I915_GEM_PIN, &mut [0; 24], &mem),
        Err(Errno::ENODEV)
    );
    let mut st = drm_stats::zeroed();
    st.count = 7;
    ioctl(&f, DRM_IOCTL_GET_STATS, &mut st, &mem).unwrap();
    assert_eq!(st.count, 0);
    // Mode setting without KMS.
    let mut res = drm_mode_card_res::default();
    assert_eq!(
        ioctl(&f, DRM_IOCTL_MODE_GETRESOURCES, &mut res, &mem),
        Err(Errno::EOPNOTSUPP)
    );
}

#[test]
fn client_name() {
    let dev = testing::device();
    let mem = MockMemory::new();
    let f = testing::open(&dev, NodeKind::Render);
    let name = mem.put_bytes(b"glxgears");
    let mut n = drm_set_client_name { name_len: 8, name };
    ioctl(&f, DRM_IOCTL_SET_CLIENT_NAME, &mut n, &mem).unwrap();
    let bad = mem.put_bytes(b"has space");
    n = drm_set_client_name {
        name_len: 9,
        name: bad,
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SET_CLIENT_NAME, &mut n, &mem),
        Err(Errno::EINVAL)
    );
    n = drm_set_client_name { name_len: 65, name };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SET_CLIENT_NAME, &mut n, &mem),
        Err(Errno::EINVAL)
    );
    n = drm_set_client_name {
        name_len: 8,
        name: 0x10,
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_SET_CLIENT_NAME, &mut n, &mem),
        Err(Errno::EFAULT)
    );
    n = drm_set_client_name {
        name_len: 0,
        name: 0,
    };
    ioctl(&f, DRM_IOCTL_SET_CLIENT_NAME, &mut n, &mem).unwrap();
}

#[test]
fn reg_read_gives_the_render_timestamp_only() {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    let read = |offset: u64| {
        let mut a = drm_i915_reg_read { offset, val: 0 };
        ioctl(&f, DRM_IOCTL_I915_REG_READ, &mut a, &mem).map(|_| a.val)
    };
    // RING_TIMESTAMP of rcs0, plainly and with I915_REG_READ_8B_WA: 19.2 MHz ticks that
    // never go back.
    let t0 = read(0x2358).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2));
    let t1 = read(0x2358 | 1).unwrap();
    assert!(t1 > t0, "{t0} then {t1}");
    // Everything else is outside the whitelist or a bad flag: EINVAL.
    assert_eq!(read(0x2358 | 2), Err(Errno::EINVAL));
    assert_eq!(read(0x235c), Err(Errno::EINVAL));
    assert_eq!(read(0x12358), Err(Errno::EINVAL));
    assert_eq!(read(0), Err(Errno::EINVAL));
}

/// GEMU_PARAMS: the fixed GETPARAM answers are exactly what GETPARAM answers, the live
/// ones are left to the device, and too little room writes nothing.
#[test]
fn gemu_params_are_getparam_answers() {
    let dev = emu::testing::device();
    let f = emu::testing::open(&dev, emu::NodeKind::Render);
    let mem = emu::testing::MockMemory::new();
    let mut a = uapi::gemu_params::default();
    emu::testing::ioctl(&f, uapi::DRM_IOCTL_GEMU_PARAMS, &mut a, &mem).unwrap();
    let n = a.count as usize;
    assert!(n > 40, "only {n} fixed answers");
    let size = n * std::mem::size_of::<uapi::gemu_param>();
    a.entries_ptr = mem.alloc(size);
    a.count -= 1;
    emu::testing::ioctl(&f, uapi::DRM_IOCTL_GEMU_PARAMS, &mut a, &mem).unwrap();
    assert_eq!(a.count as usize, n);
    assert!(mem.get_bytes(a.entries_ptr, size).iter().all(|&b| b == 0));
    emu::testing::ioctl(&f, uapi::DRM_IOCTL_GEMU_PARAMS, &mut a, &mem).unwrap();
    let entries: Vec<uapi::gemu_param> = mem
        .get_bytes(a.entries_ptr, size)
        .chunks(std::mem::size_of::<uapi::gemu_param>())
        .map(bytemuck::pod_read_unaligned)
        .collect();
    for e in &entries {
        let out = mem.alloc(4);
        let mut gp = uapi::drm_i915_getparam {
            param: e.param,
            value: out,
            ..Default::default()
        };
        let r = emu::testing::ioctl(&f, uapi::DRM_IOCTL_I915_GETPARAM, &mut gp, &mem);
        match r {
            Ok(()) => assert_eq!((e.error, e.value), (0, mem.get::<i32>(out)), "{}", e.param),
            Err(err) => assert_eq!(e.error, err as i32, "{}", e.param),
        }
    }
    assert!(entries
        .iter()
        .all(|e| e.param != uapi::I915_PARAM_HAS_GPU_RESET));
    assert!(entries
        .iter()
        .any(|e| e.param == uapi::I915_PARAM_CHIPSET_ID && e.value == 0x9a49));
    // Bad room pointer: EFAULT; a non-zero pad: EINVAL.
    a.entries_ptr = 0x1000;
    assert_eq!(
        emu::testing::ioctl(&f, uapi::DRM_IOCTL_GEMU_PARAMS, &mut a, &mem),
        Err(emu::Errno::EFAULT)
    );
    a.pad = 1;
    assert_eq!(
        emu::testing::ioctl(&f, uapi::DRM_IOCTL_GEMU_PARAMS, &mut a, &mem),
        Err(emu::Errno::EINVAL)
    );
}
