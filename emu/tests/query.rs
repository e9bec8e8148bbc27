//! DRM_I915_QUERY: the length-probe protocol, each item's contents and errors.

use emu::testing::{self, ioctl, MockMemory};
use emu::{Errno, NodeKind};
use uapi::*;

fn run(
    items: &mut [drm_i915_query_item],
    flags: u32,
) -> (Result<(), Errno>, MockMemory, std::sync::Arc<emu::File>) {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    let bytes: Vec<u8> = items
        .iter()
        .flat_map(|i| bytemuck::bytes_of(i).to_vec())
        .collect();
    let ptr = mem.put_bytes(&bytes);
    let mut q = drm_i915_query {
        num_items: items.len() as u32,
        flags,
        items_ptr: ptr,
    };
    let r = ioctl(&f, DRM_IOCTL_I915_QUERY, &mut q, &mem);
    for (i, it) in items.iter_mut().enumerate() {
        *it = mem.get(ptr + 24 * i as u64);
    }
    (r, mem, f)
}

fn item(id: u64, length: i32, data_ptr: u64) -> drm_i915_query_item {
    drm_i915_query_item {
        query_id: id,
        length,
        flags: 0,
        data_ptr,
    }
}

#[test]
fn length_probe_then_data() {
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    for (id, expect) in [
        (DRM_I915_QUERY_TOPOLOGY_INFO, 16 + 1 + 1 + 12),
        (DRM_I915_QUERY_ENGINE_INFO, 16 + 4 * 56),
        (DRM_I915_QUERY_MEMORY_REGIONS, 16 + 88),
    ] {
        let ip = mem.put(&item(id, 0, 0));
        let mut q = drm_i915_query {
            num_items: 1,
            flags: 0,
            items_ptr: ip,
        };
        ioctl(&f, DRM_IOCTL_I915_QUERY, &mut q, &mem).unwrap();
        let it: drm_i915_query_item = mem.get(ip);
        assert_eq!(it.length, expect, "query {id}");
        // Too small: EINVAL in the item, the ioctl succeeds.
        let small = mem.alloc(expect as usize);
        mem.write_item(ip, &item(id, expect - 1, small));
        ioctl(&f, DRM_IOCTL_I915_QUERY, &mut q, &mem).unwrap();
        assert_eq!(
            mem.get::<drm_i915_query_item>(ip).length,
            -(Errno::EINVAL as i32)
        );
        // Right size: filled; a bigger buffer is fine too and the length says what was used.
        let buf = mem.alloc(expect as usize + 64);
        mem.write_item(ip, &item(id, expect + 64, buf));
        ioctl(&f, DRM_IOCTL_I915_QUERY, &mut q, &mem).unwrap();
        assert_eq!(mem.get::<drm_i915_query_item>(ip).length, expect);
        let data = mem.get_bytes(buf, expect as usize);
        match id {
            DRM_I915_QUERY_TOPOLOGY_INFO => {
                let h: Vec<u16> = data[..16]
                    .chunks(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                assert_eq!(h, [0, 1, 6, 16, 1, 1, 2, 2]);
                assert_eq!(data[16], 1, "slice mask");
                assert_eq!(data[17], 0x3f, "subslice mask");
                assert!(data[18..].iter().all(|&b| b == 0xff), "16 EUs per subslice");
            }
            DRM_I915_QUERY_ENGINE_INFO => {
                assert_eq!(u32::from_le_bytes(data[..4].try_into().unwrap()), 4);
                let class = |i: usize| u16::from_le_bytes([data[16 + 56 * i], data[17 + 56 * i]]);
                assert_eq!(
                    [class(0), class(1), class(2), class(3)],
                    [
                        I915_ENGINE_CLASS_RENDER,
                        I915_ENGINE_CLASS_COPY,
                        I915_ENGINE_CLASS_VIDEO,
                        I915_ENGINE_CLASS_VIDEO_ENHANCE
                    ]
                );
                assert_eq!(data[24], 1, "HAS_LOGICAL_INSTANCE");
            }
            _ => {
                assert_eq!(u32::from_le_bytes(data[..4].try_into().unwrap()), 1);
                let r: drm_i915_memory_region_info =
                    bytemuck::pod_read_unaligned(&data[16..16 + 88]);
                assert_eq!(r.region.memory_class, I915_MEMORY_CLASS_SYSTEM);
                assert_eq!(r.probed_size, 8 << 30);
                assert_eq!(r.probed_cpu_visible_size, 8 << 30);
            }
        }
    }
}

trait WriteItem {
    fn write_item(&self, at: u64, it: &drm_i915_query_item);
}
impl WriteItem for MockMemory {
    fn write_item(&self, at: u64, it: &drm_i915_query_item) {
        emu::ClientMemory::write(self, at, bytemuck::bytes_of(it)).unwrap();
    }
}

#[test]
fn item_errors_land_in_the_item() {
    let mem = MockMemory::new();
    let garbage = mem.put(&[1u32; 4]);
    let mut items = [
        item(99, 0, 0),                           // unknown
        item(DRM_I915_QUERY_PERF_CONFIG, 0, 0),   // flags 0: invalid
        item(DRM_I915_QUERY_HWCONFIG_BLOB, 0, 0), // none here
        item(DRM_I915_QUERY_GEOMETRY_SUBSLICES, 0, 0),
        item(DRM_I915_QUERY_ENGINE_INFO, 300, 0x20), // unmapped
        item(DRM_I915_QUERY_MEMORY_REGIONS, 200, garbage), // header not zero (unmapped tail)
    ];
    let (r, _mem, _f) = run(&mut items, 0);
    r.unwrap();
    let got: Vec<i32> = items.iter().map(|i| i.length).collect();
    assert_eq!(
        got,
        [
            -22,
            -22,
            -(Errno::ENODEV as i32),
            -(Errno::ENODEV as i32),
            -(Errno::EFAULT as i32),
            -22
        ]
    );
    let mut flagged = [item(DRM_I915_QUERY_TOPOLOGY_INFO, 0, 0)];
    flagged[0].flags = 1;
    let (r, _, _) = run(&mut flagged, 0);
    r.unwrap();
    assert_eq!(flagged[0].length, -22);
    let mut perf = [item(DRM_I915_QUERY_PERF_CONFIG, 0, 0)];
    perf[0].flags = DRM_I915_QUERY_PERF_CONFIG_LIST;
    run(&mut perf, 0).0.unwrap();
    assert_eq!(
        perf[0].length,
        -(Errno::ENODEV as i32),
        "no perf on this model"
    );
}

#[test]
fn ioctl_level_errors() {
    // Query id 0 fails the whole call; so do flags and an unreadable item array.
    let (r, _, _) = run(&mut [item(0, 0, 0)], 0);
    assert_eq!(r, Err(Errno::EINVAL));
    let (r, _, _) = run(&mut [item(1, 0, 0)], 1);
    assert_eq!(r, Err(Errno::EINVAL));
    let dev = testing::device();
    let f = testing::open(&dev, NodeKind::Render);
    let mem = MockMemory::new();
    let mut q = drm_i915_query {
        num_items: 1,
        flags: 0,
        items_ptr: 0x40,
    };
    assert_eq!(
        ioctl(&f, DRM_IOCTL_I915_QUERY, &mut q, &mem),
        Err(Errno::EFAULT)
    );
    q.num_items = 0;
    ioctl(&f, DRM_IOCTL_I915_QUERY, &mut q, &mem).unwrap();
}
