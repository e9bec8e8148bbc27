/*
 * I915_QUERY: ENGINE_INFO, MEMORY_REGIONS, TOPOLOGY_INFO with the length
 * probe protocol, per-item errors as negative lengths, ioctl-level errors.
 * Kernel reference: i915_query_ioctl and its query_* functions
 * (i915_query.c).
 */
#include "gemu_test.h"

static int fd = -1;

static void need_fd(void)
{
	if (fd < 0)
		fd = open_render();
}

static int query(int fd, struct drm_i915_query_item *items, uint32_t n)
{
	struct drm_i915_query q = {
		.num_items = n,
		.items_ptr = (uintptr_t)items,
	};

	return do_ioctl(fd, DRM_IOCTL_I915_QUERY, &q);
}

/* One item: probe the length, then fetch into a fresh buffer. */
static void *query_blob(int fd, uint64_t id, int32_t *len)
{
	struct drm_i915_query_item item = { .query_id = id };
	void *buf;

	*len = 0;
	if (!CHECK_OK(query(fd, &item, 1)) || !CHECK(item.length > 0))
		return NULL;
	*len = item.length;
	buf = calloc(1, item.length);
	item.data_ptr = (uintptr_t)buf;
	if (!CHECK_OK(query(fd, &item, 1)) || !CHECK_EQ(item.length, *len)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int popcount8(const uint8_t *p, size_t n)
{
	int c = 0;

	while (n--)
		c += __builtin_popcount(*p++);
	return c;
}

TEST(ioctl_level_errors)
{
	struct drm_i915_query q = { 0 };
	struct drm_i915_query_item item = { .query_id = DRM_I915_QUERY_ENGINE_INFO };

	need_fd();
	REQUIRE(fd >= 0);
	/* i915_query_ioctl: num_items 0 -> nothing to do */
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_QUERY, &q));
	q.items_ptr = bad_ptr();
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_QUERY, &q));
	/* i915_query_ioctl: flags != 0 -> EINVAL */
	q.flags = 1;
	q.num_items = 1;
	q.items_ptr = (uintptr_t)&item;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_QUERY, &q), EINVAL);
	/* i915_query_ioctl: copy_from_user of an item fails -> EFAULT */
	q.flags = 0;
	q.items_ptr = bad_ptr();
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_QUERY, &q), EFAULT);
	q.items_ptr = 0;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_QUERY, &q), EFAULT);
	/* i915_query_ioctl: query_id 0 -> the ioctl fails with EINVAL */
	item.query_id = 0;
	item.length = 0;
	CHECK_ERRNO(query(fd, &item, 1), EINVAL);
}

TEST(unknown_items_fail_alone)
{
	struct drm_i915_query_item items[6];

	need_fd();
	REQUIRE(fd >= 0);
	memset(items, 0, sizeof(items));
	items[0].query_id = DRM_I915_QUERY_ENGINE_INFO;
	items[1].query_id = 0x7fff;            /* unknown */
	items[2].query_id = 1ull << 40;        /* unknown */
	items[3].query_id = DRM_I915_QUERY_MEMORY_REGIONS;
	items[4].query_id = 8;                 /* one past the table */
	items[5].query_id = DRM_I915_QUERY_TOPOLOGY_INFO;
	/* i915_query_ioctl: per-item errors go to item.length, ioctl is 0 */
	CHECK_OK(query(fd, items, 6));
	CHECK(items[0].length > 0);
	CHECK_EQ(items[1].length, -EINVAL);
	CHECK_EQ(items[2].length, -EINVAL);
	CHECK(items[3].length > 0);
	CHECK_EQ(items[4].length, -EINVAL);
	CHECK(items[5].length > 0);
}

TEST(items_this_platform_lacks)
{
	struct drm_i915_query_item items[3];

	need_fd();
	REQUIRE(fd >= 0);
	memset(items, 0, sizeof(items));
	/* query_hwconfig_blob: no GuC hwconfig on TGL -> -ENODEV */
	items[0].query_id = DRM_I915_QUERY_HWCONFIG_BLOB;
	/* query_geometry_subslices: IP < 12.55 -> -ENODEV */
	items[1].query_id = DRM_I915_QUERY_GEOMETRY_SUBSLICES;
	/* query_guc_submission_version (id 7): execlists -> -ENODEV */
	items[2].query_id = 7;
	CHECK_OK(query(fd, items, 3));
	CHECK_EQ(items[0].length, -ENODEV);
	CHECK_EQ(items[1].length, -ENODEV);
	CHECK_EQ(items[2].length, -ENODEV);
}

TEST(engine_info)
{
	struct drm_i915_query_engine_info *info;
	struct drm_i915_query_item item;
	int32_t len;
	unsigned int i;
	int has_rcs = 0, has_bcs = 0, has_vcs0 = 0, has_vcs1 = 0, has_vecs = 0;
	int v;

	need_fd();
	REQUIRE(fd >= 0);
	info = query_blob(fd, DRM_I915_QUERY_ENGINE_INFO, &len);
	REQUIRE(info);
	/* query_engine_info: struct_size(query, engines, n) */
	CHECK_EQ(len, sizeof(*info) + info->num_engines *
		 sizeof(struct drm_i915_engine_info));
	CHECK(info->num_engines >= 2);
	CHECK_EQ(info->rsvd[0], 0);
	for (i = 0; i < info->num_engines; i++) {
		struct drm_i915_engine_info *e = &info->engines[i];

		CHECK(e->flags & I915_ENGINE_INFO_HAS_LOGICAL_INSTANCE);
		if (e->engine.engine_class == I915_ENGINE_CLASS_RENDER &&
		    e->engine.engine_instance == 0)
			has_rcs = 1;
		if (e->engine.engine_class == I915_ENGINE_CLASS_COPY &&
		    e->engine.engine_instance == 0)
			has_bcs = 1;
		if (e->engine.engine_class == I915_ENGINE_CLASS_VIDEO &&
		    e->engine.engine_instance == 0)
			has_vcs0 = 1;
		if (e->engine.engine_class == I915_ENGINE_CLASS_VIDEO &&
		    e->engine.engine_instance == 1)
			has_vcs1 = 1;
		if (e->engine.engine_class == I915_ENGINE_CLASS_VIDEO_ENHANCE &&
		    e->engine.engine_instance == 0)
			has_vecs = 1;
	}
	CHECK(has_rcs);
	CHECK(has_bcs);
	/* i915_getparam_ioctl: HAS_BSD/BSD2/VEBOX/BLT are engine lookups */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_BSD, &v));
	CHECK_EQ(v, has_vcs0);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_BSD2, &v));
	CHECK_EQ(v, has_vcs1);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_VEBOX, &v));
	CHECK_EQ(v, has_vecs);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_BLT, &v));
	CHECK_EQ(v, has_bcs);

	/* copy_query_item: too short -> -EINVAL in item.length */
	memset(info, 0, len);
	memset(&item, 0, sizeof(item));
	item.query_id = DRM_I915_QUERY_ENGINE_INFO;
	item.length = len - 1;
	item.data_ptr = (uintptr_t)info;
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EINVAL);
	/* query_engine_info: a non-zero num_engines going in -> -EINVAL */
	info->num_engines = 1;
	item.length = len;
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EINVAL);
	/* ... or a non-zero rsvd */
	info->num_engines = 0;
	info->rsvd[2] = 1;
	item.length = len;
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EINVAL);
	/* query_engine_info: item.flags != 0 -> -EINVAL */
	info->rsvd[2] = 0;
	item.length = len;
	item.flags = 1;
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EINVAL);
	/* copy_query_item: unreadable data_ptr -> -EFAULT */
	item.flags = 0;
	item.length = len;
	item.data_ptr = bad_ptr();
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EFAULT);
	/* a longer buffer is fine: length written back as the real size */
	item.length = len + 64;
	item.data_ptr = (uintptr_t)calloc(1, len + 64);
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, len);
	free((void *)(uintptr_t)item.data_ptr);
	free(info);
}

TEST(memory_regions)
{
	struct drm_i915_query_memory_regions *mr;
	struct drm_i915_query_item item;
	int32_t len;

	need_fd();
	REQUIRE(fd >= 0);
	mr = query_blob(fd, DRM_I915_QUERY_MEMORY_REGIONS, &len);
	REQUIRE(mr);
	/* query_memregion_info: header + one info per public region */
	CHECK_EQ(len, sizeof(*mr) + mr->num_regions *
		 sizeof(struct drm_i915_memory_region_info));
	/* integrated TGL: exactly one region, system memory */
	CHECK_EQ(mr->num_regions, 1);
	if (mr->num_regions >= 1) {
		struct drm_i915_memory_region_info *r = &mr->regions[0];

		CHECK_EQ(r->region.memory_class, I915_MEMORY_CLASS_SYSTEM);
		CHECK_EQ(r->region.memory_instance, 0);
		CHECK(r->probed_size > 0);
		CHECK(r->unallocated_size <= r->probed_size);
		/* system memory: cpu-visible size is mr->total */
		CHECK_EQ(r->probed_cpu_visible_size, r->probed_size);
		/* i915_gem_shmem_setup: the region is totalram_pages() */
		CHECK_EQ(r->probed_size, (uint64_t)sysconf(_SC_PHYS_PAGES) *
			 (uint64_t)sysconf(_SC_PAGESIZE));
	}

	memset(&item, 0, sizeof(item));
	item.query_id = DRM_I915_QUERY_MEMORY_REGIONS;
	item.data_ptr = (uintptr_t)mr;
	/* copy_query_item: short -> -EINVAL */
	memset(mr, 0, len);
	item.length = len - 1;
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EINVAL);
	/* query_memregion_info: num_regions going in -> -EINVAL */
	mr->num_regions = 3;
	item.length = len;
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EINVAL);
	/* ... rsvd going in -> -EINVAL */
	mr->num_regions = 0;
	mr->rsvd[1] = 1;
	item.length = len;
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EINVAL);
	/* ... item.flags -> -EINVAL */
	mr->rsvd[1] = 0;
	item.length = len;
	item.flags = 1;
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EINVAL);
	free(mr);
}

TEST(topology_info)
{
	struct drm_i915_query_topology_info *topo;
	struct drm_i915_query_item item;
	int32_t len;
	int ss_stride, eu_stride, eus, subslices, v;

	need_fd();
	REQUIRE(fd >= 0);
	topo = query_blob(fd, DRM_I915_QUERY_TOPOLOGY_INFO, &len);
	REQUIRE(topo);
	CHECK(topo->max_slices >= 1);
	CHECK(topo->max_subslices >= 1);
	CHECK(topo->max_eus_per_subslice >= 1);
	/* fill_topology_info: layout of the masks after the header */
	ss_stride = (topo->max_subslices + 7) / 8;
	eu_stride = (topo->max_eus_per_subslice + 7) / 8;
	CHECK_EQ(topo->subslice_offset, 1);
	CHECK_EQ(topo->subslice_stride, ss_stride);
	CHECK_EQ(topo->eu_offset, 1 + topo->max_slices * ss_stride);
	CHECK_EQ(topo->eu_stride, eu_stride);
	CHECK_EQ(len, sizeof(*topo) + 1 + topo->max_slices * ss_stride +
		 topo->max_slices * topo->max_subslices * eu_stride);

	/* the masks agree with the GETPARAM totals */
	subslices = popcount8(topo->data + topo->subslice_offset,
			      topo->max_slices * ss_stride);
	eus = popcount8(topo->data + topo->eu_offset,
			topo->max_slices * topo->max_subslices * eu_stride);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_EU_TOTAL, &v));
	CHECK_EQ(eus, v);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_SUBSLICE_TOTAL, &v));
	CHECK_EQ(subslices, v);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_SLICE_MASK, &v));
	CHECK_EQ(topo->data[0], v);
	INFO("slices 0x%x, %d subslices, %d EUs", topo->data[0], subslices,
	     eus);

	memset(&item, 0, sizeof(item));
	item.query_id = DRM_I915_QUERY_TOPOLOGY_INFO;
	item.data_ptr = (uintptr_t)topo;
	/* copy_query_item: short -> -EINVAL */
	item.length = len - 1;
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EINVAL);
	/* query_topology_info: flags != 0 -> -EINVAL */
	item.length = len;
	item.flags = 1;
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EINVAL);
	/*
	 * copy_query_item compares the s32 length with a u32 total: a negative
	 * length converts to a huge one and the query succeeds.
	 */
	item.flags = 0;
	item.length = -5;
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, len);
	/* copy_query_item: bad data_ptr -> -EFAULT */
	item.length = len;
	item.data_ptr = bad_ptr();
	CHECK_OK(query(fd, &item, 1));
	CHECK_EQ(item.length, -EFAULT);
	free(topo);
}

TEST(card_node_answers_too)
{
	struct drm_i915_query_item item = { .query_id = DRM_I915_QUERY_ENGINE_INFO };
	int c = open_card();

	REQUIRE(c >= 0);
	CHECK_OK(query(c, &item, 1));
	CHECK(item.length > 0);
	close(c);
}
