/*
 * The mappable aperture: SET/GET_TILING, GTT mappings (MMAP_GTT) that
 * detile a tiled object as a fence register does, kept in step with the
 * GPU and the CPU mappings at i915's sync points; and who may mmap an
 * offset (EACCES for a file never given it, EINVAL for no object).
 * Kernel reference: i915_gem_tiling.c (i915_tiling_ok,
 * i915_gem_set_tiling_ioctl, i915_gem_get_tiling_ioctl), i915_gem_mman.c
 * (i915_gem_mmap_gtt_ioctl, i915_gem_mmap: drm_vma_node_is_allowed),
 * gt/intel_ggtt_fencing.c (32 fences, no bit-6 swizzle on Gen8+);
 * IGT gem_mmap_gtt@basic, gem_tiled_pread_basic, gem_tiled_fence_blits,
 * gem_mmap_offset@isolation.
 */
#include "gemu_test.h"

#include <sys/mman.h>

#define W 1024 /* bytes per row */
#define H 64
#define SIZE (W * H)
#define SRC_ADDR 0x100000ull
#define DST_ADDR 0x200000ull

static int fd = -1;

static int setup(void)
{
	if (fd < 0)
		fd = open_render();
	return fd >= 0;
}

static int set_tiling(int fd, uint32_t h, uint32_t mode, uint32_t stride,
		      struct drm_i915_gem_set_tiling *out)
{
	struct drm_i915_gem_set_tiling st = {
		.handle = h, .tiling_mode = mode, .stride = stride,
		.swizzle_mode = 0xdead,
	};
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_SET_TILING, &st);

	if (out)
		*out = st;
	return r;
}

static int mmap_gtt(int fd, uint32_t h, uint64_t *offset)
{
	struct drm_i915_gem_mmap_gtt m = { .handle = h };
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_GTT, &m);

	*offset = m.offset;
	return r;
}

static void *map_gtt(int fd, uint32_t h, size_t size)
{
	uint64_t off;
	void *p;

	if (!CHECK_OK(mmap_gtt(fd, h, &off)))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (!CHECK(p != MAP_FAILED))
		return NULL;
	return p;
}

/* Byte offset of byte x of row y in an X-tiled surface of pitch W. */
static uint32_t x_tiled(uint32_t x, uint32_t y)
{
	return (y / 8) * W * 8 + (x / 512) * 4096 + (y % 8) * 512 + x % 512;
}

/* XY_SRC_COPY_BLT of the whole W x H surface at 32 bpp. */
static int blit(uint32_t src, int src_tiled, uint32_t dst, int dst_tiled)
{
	uint32_t b[16], *cs = b;
	struct gemu_pin p[2] = {
		{ dst, DST_ADDR, EXEC_OBJECT_WRITE | EXEC_OBJECT_NEEDS_FENCE },
		{ src, SRC_ADDR, EXEC_OBJECT_NEEDS_FENCE },
	};

	*cs++ = (2u << 29) | (0x53u << 22) | (3u << 20) |
		(src_tiled ? 1u << 15 : 0) | (dst_tiled ? 1u << 11 : 0) | 8;
	*cs++ = (3u << 24) | (0xccu << 16) | (dst_tiled ? W / 4 : W);
	*cs++ = 0;
	*cs++ = (H << 16) | (W / 4);
	*cs++ = (uint32_t)DST_ADDR;
	*cs++ = 0;
	*cs++ = 0;
	*cs++ = src_tiled ? W / 4 : W;
	*cs++ = (uint32_t)SRC_ADDR;
	*cs++ = 0;
	*cs++ = MI_BATCH_BUFFER_END;
	*cs++ = MI_NOOP;
	return gemu_exec_cmds(fd, 0, I915_EXEC_BLT, b, (cs - b) * 4, p, 2);
}

TEST(tiling_calls)
{
	struct drm_i915_gem_set_tiling st;
	struct drm_i915_gem_get_tiling gt;
	int fences = 0;
	uint32_t h;

	REQUIRE(setup());
	REQUIRE_OK(getparam(fd, I915_PARAM_NUM_FENCES_AVAIL, &fences));
	CHECK_EQ(fences, 32);
	h = gem_create(fd, SIZE);
	REQUIRE(h);
	/* i915_gem_set_tiling_ioctl: lookup first -> ENOENT */
	CHECK_ERRNO(set_tiling(fd, 0x7ffffff0, 7, 0, NULL), ENOENT);
	/* i915_tiling_ok: bad mode, stride not a tile width multiple, too wide */
	CHECK_ERRNO(set_tiling(fd, h, 3, 512, NULL), EINVAL);
	CHECK_ERRNO(set_tiling(fd, h, I915_TILING_X, 0, NULL), EINVAL);
	CHECK_ERRNO(set_tiling(fd, h, I915_TILING_X, 640, NULL), EINVAL);
	CHECK_ERRNO(set_tiling(fd, h, I915_TILING_Y, 192, NULL), EINVAL);
	CHECK_ERRNO(set_tiling(fd, h, I915_TILING_X, 512 * 1024, NULL),
		    EINVAL);
	CHECK_OK(set_tiling(fd, h, I915_TILING_Y, 128, &st));
	CHECK_EQ(st.tiling_mode, I915_TILING_Y);
	CHECK_OK(set_tiling(fd, h, I915_TILING_X, W, &st));
	CHECK_EQ(st.tiling_mode, I915_TILING_X);
	CHECK_EQ(st.stride, W);
	CHECK_EQ(st.swizzle_mode, I915_BIT_6_SWIZZLE_NONE);
	memset(&gt, 0xff, sizeof(gt));
	gt.handle = h;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_GET_TILING, &gt));
	CHECK_EQ(gt.tiling_mode, I915_TILING_X);
	CHECK_EQ(gt.swizzle_mode, I915_BIT_6_SWIZZLE_NONE);
	CHECK_EQ(gt.phys_swizzle_mode, I915_BIT_6_SWIZZLE_NONE);
	/* back to linear: the stride answered is 0 */
	CHECK_OK(set_tiling(fd, h, I915_TILING_NONE, W, &st));
	CHECK_EQ(st.stride, 0);
	gt.handle = 0x7ffffff0;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_GET_TILING, &gt), ENOENT);
	gem_close(fd, h);
}

TEST(client_memory_is_never_tiled_or_gtt_mapped)
{
	struct drm_i915_gem_userptr u = { .user_size = 4096 };
	uint64_t off;
	void *mem;

	REQUIRE(setup());
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(mem != MAP_FAILED);
	u.user_ptr = (uintptr_t)mem;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_USERPTR, &u));
	/* a proxy object's tiling is not the caller's: ENXIO */
	CHECK_ERRNO(set_tiling(fd, u.handle, I915_TILING_X, 512, NULL), ENXIO);
	/* I915_GEM_OBJECT_NO_MMAP: ENODEV */
	CHECK_ERRNO(mmap_gtt(fd, u.handle, &off), ENODEV);
	gem_close(fd, u.handle);
	munmap(mem, 4096);
}

TEST(untiled_gtt_map_is_the_pages)
{
	uint32_t *gtt, *wb, h;

	REQUIRE(setup());
	h = gem_create(fd, 8192);
	REQUIRE(h);
	gtt = map_gtt(fd, h, 8192);
	wb = gem_mmap_type(fd, h, 8192, I915_MMAP_OFFSET_WB);
	REQUIRE(gtt && wb);
	gtt[5] = 0x12345678;
	CHECK_EQ(wb[5], 0x12345678);
	wb[2000] = 0xabcd;
	CHECK_EQ(gtt[2000], 0xabcd);
	munmap(gtt, 8192);
	munmap(wb, 8192);
	gem_close(fd, h);
}

/*
 * gem_tiled_pread_basic's pattern: write rows through a GTT map of an
 * X-tiled object; pread sees the tiled layout.
 */
TEST(gtt_writes_are_tiled_in_the_pages)
{
	static uint8_t raw[SIZE];
	uint8_t *gtt;
	uint32_t h, x, y, bad = 0;

	REQUIRE(setup());
	h = gem_create(fd, SIZE);
	REQUIRE(h);
	REQUIRE_OK(set_tiling(fd, h, I915_TILING_X, W, NULL));
	gtt = map_gtt(fd, h, SIZE);
	REQUIRE(gtt);
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++)
			gtt[y * W + x] = (uint8_t)(x * 3 + y * 7);
	munmap(gtt, SIZE);
	REQUIRE_OK(gem_pread(fd, h, 0, raw, SIZE));
	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++)
			bad += raw[x_tiled(x, y)] != (uint8_t)(x * 3 + y * 7);
	CHECK_EQ(bad, 0);
	gem_close(fd, h);
}

/*
 * gem_tiled_fence_blits' pattern: fill a tiled object through the GTT,
 * blit it (tiled) to a linear one and back into a second tiled one, read
 * that through its GTT map after only waiting.
 */
TEST(blits_and_gtt_maps_agree)
{
	uint32_t *gtt_a, *gtt_b, *lin, a, b, l, i, bad = 0;

	REQUIRE(setup());
	a = gem_create(fd, SIZE);
	b = gem_create(fd, SIZE);
	l = gem_create(fd, SIZE);
	REQUIRE(a && b && l);
	REQUIRE_OK(set_tiling(fd, a, I915_TILING_X, W, NULL));
	REQUIRE_OK(set_tiling(fd, b, I915_TILING_X, W, NULL));
	gtt_a = map_gtt(fd, a, SIZE);
	gtt_b = map_gtt(fd, b, SIZE);
	lin = gem_mmap_type(fd, l, SIZE, I915_MMAP_OFFSET_WB);
	REQUIRE(gtt_a && gtt_b && lin);
	/* no set_domain: execbuf flushes the GTT writes */
	for (i = 0; i < SIZE / 4; i++)
		gtt_a[i] = 0x5a000000 + i;
	REQUIRE_OK(blit(a, 1, l, 0));
	for (i = 0; i < SIZE / 4; i++)
		bad += lin[i] != 0x5a000000 + i;
	CHECK_EQ(bad, 0);
	REQUIRE_OK(blit(l, 0, b, 1));
	for (i = bad = 0; i < SIZE / 4; i++)
		bad += gtt_b[i] != 0x5a000000 + i;
	CHECK_EQ(bad, 0);
	/* a GPU write to `a` shows through its GTT map after a wait */
	REQUIRE_OK(blit(b, 1, a, 1));
	for (i = bad = 0; i < SIZE / 4; i++)
		bad += gtt_a[i] != 0x5a000000 + i;
	CHECK_EQ(bad, 0);
	munmap(gtt_a, SIZE);
	munmap(gtt_b, SIZE);
	munmap(lin, SIZE);
	gem_close(fd, a);
	gem_close(fd, b);
	gem_close(fd, l);
}

TEST(retiling_relays_the_gtt_map)
{
	static uint8_t raw[SIZE];
	uint8_t *gtt;
	uint32_t h, i, bad = 0;

	REQUIRE(setup());
	for (i = 0; i < SIZE; i++)
		raw[i] = (uint8_t)(i * 11);
	h = gem_create_with(fd, SIZE, raw, SIZE);
	REQUIRE(h);
	REQUIRE_OK(set_tiling(fd, h, I915_TILING_X, W, NULL));
	gtt = map_gtt(fd, h, SIZE);
	REQUIRE(gtt);
	CHECK_EQ(gtt[3 * W + 600], raw[x_tiled(600, 3)]);
	/* i915 revokes the mapping; the next access goes through no fence */
	REQUIRE_OK(set_tiling(fd, h, I915_TILING_NONE, 0, NULL));
	for (i = 0; i < SIZE; i++)
		bad += gtt[i] != raw[i];
	CHECK_EQ(bad, 0);
	munmap(gtt, SIZE);
	gem_close(fd, h);
}

/* gem_mmap_gtt@basic, gem_mmap_offset@isolation */
TEST(only_a_file_given_the_offset_maps_it)
{
	struct drm_gem_flink fl = { 0 };
	struct drm_gem_open op = { 0 };
	uint64_t off, off2;
	int card, card2;
	uint32_t h;
	void *p;

	card = open_card();
	card2 = open_card();
	REQUIRE(card >= 0 && card2 >= 0);
	h = gem_create(card, 8192);
	REQUIRE(h);
	REQUIRE_OK(mmap_gtt(card, h, &off));
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, card, off);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, 8192);
	/* drm_vma_node_is_allowed: another file -> EACCES */
	errno = 0;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, card2, off);
	CHECK(p == MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	/* past the object's end, or where nothing is: no node -> EINVAL */
	errno = 0;
	p = mmap(NULL, 3 * 4096, PROT_READ, MAP_SHARED, card, off);
	CHECK(p == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, card, 1ull << 44);
	CHECK(p == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	/* a handle alone is not enough: the file must ask for the offset */
	fl.handle = h;
	REQUIRE_OK(do_ioctl(card, DRM_IOCTL_GEM_FLINK, &fl));
	op.name = fl.name;
	REQUIRE_OK(do_ioctl(card2, DRM_IOCTL_GEM_OPEN, &op));
	errno = 0;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, card2, off);
	CHECK(p == MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	REQUIRE_OK(mmap_gtt(card2, op.handle, &off2));
	CHECK_EQ(off2, off);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, card2, off);
	CHECK(p != MAP_FAILED);
	if (p != MAP_FAILED)
		munmap(p, 4096);
	/* i915_gem_close_object revokes the file's access */
	gem_close(card, h);
	errno = 0;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, card, off);
	CHECK(p == MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	close(card2);
	close(card);
}
