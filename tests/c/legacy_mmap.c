/*
 * Legacy GEM_MMAP under gemu run with the shim: as on a real Tiger Lake,
 * the call maps the object (or a range of it) into the caller and returns
 * the address; the mapping is coherent with pread/pwrite. Errors as
 * i915_gem_mmap_ioctl: unknown flags and ranges outside the object EINVAL,
 * unknown handle ENOENT, userptr objects ENXIO. IGT: gem_mmap@basic.
 */
#include "gemu_test.h"

static int gem_mmap_legacy(int fd, uint32_t h, uint64_t offset, uint64_t size,
			   uint64_t flags, void **out)
{
	struct drm_i915_gem_mmap mm = {
		.handle = h, .offset = offset, .size = size, .flags = flags,
	};
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP, &mm);

	*out = (void *)(uintptr_t)mm.addr_ptr;
	return r;
}

TEST(maps_the_object)
{
	const uint64_t flags[] = { 0, I915_MMAP_WC };
	int fd = open_card();

	REQUIRE(fd >= 0);
	for (unsigned k = 0; k < 2; k++) {
		uint32_t h = gem_create(fd, 3 * 4096);
		uint32_t word = 0x12345678, back = 0;
		uint32_t *map;

		REQUIRE(h);
		REQUIRE_OK(gem_pwrite(fd, h, 4096 + 16, &word, 4));
		REQUIRE_OK(gem_mmap_legacy(fd, h, 0, 3 * 4096, flags[k], (void **)&map));
		REQUIRE(map != NULL);
		CHECK_EQ(map[1024 + 4], 0x12345678);
		map[2 * 1024] = 0xcafe0000 + k;
		CHECK_OK(gem_pread(fd, h, 2 * 4096, &back, 4));
		CHECK_EQ(back, 0xcafe0000 + k);
		munmap(map, 3 * 4096);
		/* A range: offset 4096, one page. */
		REQUIRE_OK(gem_mmap_legacy(fd, h, 4096, 4096, flags[k], (void **)&map));
		CHECK_EQ(map[4], 0x12345678);
		munmap(map, 4096);
		gem_close(fd, h);
	}
	close(fd);
}

TEST(errors)
{
	int fd = open_render();
	uint32_t h;
	void *map;

	REQUIRE(fd >= 0);
	h = gem_create(fd, 4096);
	REQUIRE(h);
	CHECK_ERRNO(gem_mmap_legacy(fd, h, 0, 4096, 0x2, &map), EINVAL);
	CHECK_ERRNO(gem_mmap_legacy(fd, h, 0, 8192, 0, &map), EINVAL);
	CHECK_ERRNO(gem_mmap_legacy(fd, h, 4096, 1, 0, &map), EINVAL);
	CHECK_ERRNO(gem_mmap_legacy(fd, h + 1, 0, 4096, 0, &map), ENOENT);
	{
		void *mem = aligned_alloc(4096, 4096);
		struct drm_i915_gem_userptr u = {
			.user_ptr = (uintptr_t)mem, .user_size = 4096,
		};

		REQUIRE(mem != NULL);
		REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_USERPTR, &u));
		CHECK_ERRNO(gem_mmap_legacy(fd, u.handle, 0, 4096, 0, &map), ENXIO);
		gem_close(fd, u.handle);
		free(mem);
	}
	gem_close(fd, h);
	close(fd);
}
