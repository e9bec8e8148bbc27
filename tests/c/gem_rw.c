/*
 * GEM_PREAD / GEM_PWRITE: round trips, bounds, handles, user pointers.
 * Kernel reference: i915_gem_pread_ioctl, i915_gem_pwrite_ioctl
 * (i915_gem.c); IGT gem_readwrite.
 */
#include "gemu_test.h"

static int fd = -1;

static void need_fd(void)
{
	if (fd < 0)
		fd = open_render();
}

static int pwrite_raw(int fd, uint32_t h, uint64_t off, uint64_t ptr,
		      uint64_t size)
{
	struct drm_i915_gem_pwrite p = {
		.handle = h, .offset = off, .size = size, .data_ptr = ptr,
	};

	return do_ioctl(fd, DRM_IOCTL_I915_GEM_PWRITE, &p);
}

static int pread_raw(int fd, uint32_t h, uint64_t off, uint64_t ptr,
		     uint64_t size)
{
	struct drm_i915_gem_pread p = {
		.handle = h, .offset = off, .size = size, .data_ptr = ptr,
	};

	return do_ioctl(fd, DRM_IOCTL_I915_GEM_PREAD, &p);
}

TEST(new_object_reads_zero)
{
	static uint8_t buf[65536];
	uint32_t h;
	size_t i, nonzero = 0;

	need_fd();
	REQUIRE(fd >= 0);
	h = gem_create(fd, sizeof(buf));
	REQUIRE(h);
	memset(buf, 0xff, sizeof(buf));
	/* I915_BO_ALLOC_USER: cleared before any user access */
	REQUIRE_OK(gem_pread(fd, h, 0, buf, sizeof(buf)));
	for (i = 0; i < sizeof(buf); i++)
		nonzero += buf[i] != 0;
	CHECK_EQ(nonzero, 0);
	gem_close(fd, h);
}

TEST(round_trip)
{
	const size_t size = 1 << 20;
	uint8_t *src = malloc(size), *dst = malloc(size);
	uint32_t h, x = 12345;
	size_t i;

	need_fd();
	REQUIRE(fd >= 0);
	REQUIRE(src && dst);
	for (i = 0; i < size; i++) {
		x = x * 1103515245 + 12345;
		src[i] = x >> 16;
	}
	h = gem_create(fd, size);
	REQUIRE(h);
	CHECK_OK(gem_pwrite(fd, h, 0, src, size));
	memset(dst, 0, size);
	CHECK_OK(gem_pread(fd, h, 0, dst, size));
	CHECK(memcmp(src, dst, size) == 0);

	/* unaligned pieces across page boundaries */
	CHECK_OK(gem_pwrite(fd, h, 4095, "ab", 2));
	CHECK_OK(gem_pwrite(fd, h, size - 3, "xyz", 3));
	memset(dst, 0, 16);
	CHECK_OK(gem_pread(fd, h, 4094, dst, 4));
	CHECK_EQ(dst[0], src[4094]);
	CHECK_EQ(dst[1], 'a');
	CHECK_EQ(dst[2], 'b');
	CHECK_EQ(dst[3], src[4097]);
	CHECK_OK(gem_pread(fd, h, size - 3, dst, 3));
	CHECK(memcmp(dst, "xyz", 3) == 0);
	/* a read of the very last byte */
	CHECK_OK(gem_pread(fd, h, size - 1, dst, 1));
	CHECK_EQ(dst[0], 'z');
	gem_close(fd, h);
	free(src);
	free(dst);
}

TEST(zero_size_is_a_noop)
{
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	/* i915_gem_p{read,write}_ioctl: size == 0 returns before any lookup */
	CHECK_OK(pwrite_raw(fd, 0x7ffffff0, 0, 0, 0));
	CHECK_OK(pread_raw(fd, 0x7ffffff0, 0, 0, 0));
	CHECK_OK(pwrite_raw(fd, 0, ~0ull, KERNEL_PTR, 0));
	CHECK_OK(pread_raw(fd, 0, ~0ull, KERNEL_PTR, 0));
	h = gem_create(fd, 4096);
	CHECK_OK(pwrite_raw(fd, h, 8192, bad_ptr(), 0));
	CHECK_OK(pread_raw(fd, h, 8192, bad_ptr(), 0));
	gem_close(fd, h);
}

TEST(bounds)
{
	char buf[8192];
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	h = gem_create(fd, 4096);
	REQUIRE(h);
	/* range_overflows_t(offset, size, obj size) -> EINVAL */
	CHECK_ERRNO(gem_pwrite(fd, h, 0, buf, 4097), EINVAL);
	CHECK_ERRNO(gem_pread(fd, h, 0, buf, 4097), EINVAL);
	CHECK_ERRNO(gem_pwrite(fd, h, 4096, buf, 1), EINVAL);
	CHECK_ERRNO(gem_pread(fd, h, 4096, buf, 1), EINVAL);
	CHECK_ERRNO(gem_pwrite(fd, h, 4095, buf, 2), EINVAL);
	CHECK_ERRNO(gem_pread(fd, h, 4095, buf, 2), EINVAL);
	CHECK_ERRNO(gem_pwrite(fd, h, ~0ull, buf, 2), EINVAL);
	CHECK_ERRNO(gem_pread(fd, h, ~0ull, buf, 2), EINVAL);
	CHECK_ERRNO(gem_pwrite(fd, h, 1ull << 63, buf, 1), EINVAL);
	CHECK_ERRNO(gem_pread(fd, h, 1ull << 63, buf, 1), EINVAL);
	/* the whole object, exactly, is fine */
	CHECK_OK(gem_pwrite(fd, h, 0, buf, 4096));
	CHECK_OK(gem_pread(fd, h, 0, buf, 4096));
	CHECK_OK(gem_pread(fd, h, 4095, buf, 1));
	gem_close(fd, h);
}

TEST(bad_handles)
{
	char buf[16] = { 0 };
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	/* i915_gem_object_lookup fails -> ENOENT */
	CHECK_ERRNO(gem_pwrite(fd, 0, 0, buf, 1), ENOENT);
	CHECK_ERRNO(gem_pread(fd, 0, 0, buf, 1), ENOENT);
	CHECK_ERRNO(gem_pwrite(fd, 0x7ffffff0, 0, buf, 1), ENOENT);
	CHECK_ERRNO(gem_pread(fd, 0x7ffffff0, 0, buf, 1), ENOENT);
	/* the lookup precedes the bounds check */
	CHECK_ERRNO(gem_pwrite(fd, 0x7ffffff0, ~0ull, buf, 16), ENOENT);
	/* a closed handle */
	h = gem_create(fd, 4096);
	gem_close(fd, h);
	CHECK_ERRNO(gem_pwrite(fd, h, 0, buf, 1), ENOENT);
	CHECK_ERRNO(gem_pread(fd, h, 0, buf, 1), ENOENT);
}

TEST(bad_user_pointers)
{
	uint8_t *ro, *edge;
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	h = gem_create(fd, 8192);
	REQUIRE(h);

	/* copy from/to an inaccessible page -> EFAULT */
	CHECK_ERRNO(pwrite_raw(fd, h, 0, bad_ptr(), 16), EFAULT);
	CHECK_ERRNO(pread_raw(fd, h, 0, bad_ptr(), 16), EFAULT);
	CHECK_ERRNO(pwrite_raw(fd, h, 0, 0, 16), EFAULT);
	CHECK_ERRNO(pread_raw(fd, h, 0, 0, 16), EFAULT);
	/* access_ok fails first, even before the handle lookup -> EFAULT */
	CHECK_ERRNO(pwrite_raw(fd, h, 0, KERNEL_PTR, 16), EFAULT);
	CHECK_ERRNO(pread_raw(fd, h, 0, KERNEL_PTR, 16), EFAULT);
	CHECK_ERRNO(pwrite_raw(fd, 0x7ffffff0, 0, KERNEL_PTR, 16), EFAULT);
	CHECK_ERRNO(pread_raw(fd, 0x7ffffff0, 0, KERNEL_PTR, 16), EFAULT);

	/* a read-only page is a fine source and a bad destination */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(ro != MAP_FAILED);
	CHECK_OK(pwrite_raw(fd, h, 0, (uintptr_t)ro, 4096));
	CHECK_ERRNO(pread_raw(fd, h, 0, (uintptr_t)ro, 4096), EFAULT);
	munmap(ro, 4096);

	/* a range running off the end of a mapping -> EFAULT */
	edge = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(edge != MAP_FAILED);
	munmap(edge + 4096, 4096);
	CHECK_ERRNO(pwrite_raw(fd, h, 0, (uintptr_t)edge + 2048, 4096), EFAULT);
	CHECK_ERRNO(pread_raw(fd, h, 0, (uintptr_t)edge + 2048, 4096), EFAULT);
	CHECK_OK(pread_raw(fd, h, 0, (uintptr_t)edge, 4096));
	munmap(edge, 4096);

	/* the device is fine afterwards */
	CHECK(device_answers_version(fd));
	gem_close(fd, h);
}

TEST(card_node_too)
{
	char in[32] = "pread and pwrite on card0", out[32] = { 0 };
	int c = open_card();
	uint32_t h;

	REQUIRE(c >= 0);
	h = gem_create(c, 4096);
	CHECK_OK(gem_pwrite(c, h, 64, in, sizeof(in)));
	CHECK_OK(gem_pread(c, h, 64, out, sizeof(out)));
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	gem_close(c, h);
	close(c);
}

/*
 * A copy that runs into an unmapped page stops there: EFAULT, with the bytes
 * before the fault copied (i915's per-page __copy_{to,from}_user loops). Large
 * enough for the shim's own copy through the aperture.
 */
TEST(partial_copy_at_an_unmapped_page)
{
	const size_t size = 64 << 10;
	uint8_t *src = malloc(size), *edge;
	uint32_t h;
	size_t i, wrong = 0;

	need_fd();
	REQUIRE(fd >= 0);
	REQUIRE(src);
	for (i = 0; i < size; i++)
		src[i] = i * 13 + 5;
	h = gem_create(fd, size);
	REQUIRE(h);
	REQUIRE_OK(gem_pwrite(fd, h, 0, src, size));

	/* 8 KiB mapped, then a hole: a 16 KiB read faults after 6 KiB */
	edge = mmap(NULL, 16384, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(edge != MAP_FAILED);
	munmap(edge + 8192, 8192);
	memset(edge, 0, 8192);
	CHECK_ERRNO(pread_raw(fd, h, 0, (uintptr_t)edge + 2048, 16384), EFAULT);
	for (i = 0; i < 6144; i++)
		wrong += edge[2048 + i] != src[i];
	CHECK_EQ(wrong, 0);

	/* the same for a write: the object keeps the bytes before the fault */
	memset(edge, 0x77, 8192);
	CHECK_ERRNO(pwrite_raw(fd, h, 4096, (uintptr_t)edge + 2048, 16384),
		    EFAULT);
	memset(src, 0, size);
	REQUIRE_OK(gem_pread(fd, h, 0, src, size));
	wrong = 0;
	for (i = 0; i < 6144; i++)
		wrong += src[4096 + i] != 0x77;
	CHECK_EQ(wrong, 0);
	/* what lies before the write's range is untouched */
	CHECK_EQ(src[4095], (uint8_t)(4095 * 13 + 5));
	munmap(edge, 8192);

	/* a read-only destination in the middle of a large buffer */
	edge = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(edge != MAP_FAILED);
	REQUIRE(mprotect(edge + 4096, 4096, PROT_READ) == 0);
	CHECK_ERRNO(pread_raw(fd, h, 0, (uintptr_t)edge, 3 * 4096), EFAULT);
	CHECK_OK(pwrite_raw(fd, h, 0, (uintptr_t)edge, 3 * 4096));
	munmap(edge, 3 * 4096);
	CHECK(device_answers_version(fd));
	gem_close(fd, h);
	free(src);
}

/* A purged object has no pages to copy: EFAULT both ways (i915_gem_object_pin_pages). */
TEST(purged_object)
{
	struct drm_i915_gem_madvise m = { .madv = I915_MADV_DONTNEED };
	char buf[4096] = { 0 };
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	h = gem_create(fd, 1 << 20);
	REQUIRE(h);
	m.handle = h;
	/* never used: DONTNEED purges it at once */
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_MADVISE, &m));
	CHECK_EQ(m.retained, 0);
	CHECK_ERRNO(gem_pread(fd, h, 0, buf, sizeof(buf)), EFAULT);
	CHECK_ERRNO(gem_pwrite(fd, h, 0, buf, sizeof(buf)), EFAULT);
	gem_close(fd, h);
}

/* The buffer may be another object's mapping (copy_to_user faults it in). */
TEST(into_and_from_an_object_mapping)
{
	const size_t size = 256 << 10;
	uint32_t a, b;
	uint8_t *map, *back = malloc(size);
	size_t i, wrong = 0;

	need_fd();
	REQUIRE(fd >= 0);
	REQUIRE(back);
	a = gem_create(fd, size);
	b = gem_create(fd, size);
	REQUIRE(a && b);
	map = gem_mmap_type(fd, b, size, I915_MMAP_OFFSET_WB);
	REQUIRE(map);
	for (i = 0; i < size; i++)
		map[i] = i * 3;
	/* b's mapping -> a, then a -> b's mapping shifted by one page */
	CHECK_OK(gem_pwrite(fd, a, 0, map, size));
	CHECK_OK(gem_pread(fd, a, 0, map + 4096, size - 4096));
	CHECK_OK(gem_pread(fd, b, 0, back, size));
	for (i = 0; i < size - 4096; i++)
		wrong += back[4096 + i] != (uint8_t)(i * 3);
	CHECK_EQ(wrong, 0);
	munmap(map, size);
	gem_close(fd, a);
	gem_close(fd, b);
	free(back);
}
