/*
 * Memory pressure under a small budget.
 * gemu-run: --memory 64M
 * Creating past the budget first purges objects marked DONTNEED (their
 * madvise `retained` turns 0), never one still needed, then fails with ENOMEM.
 */
#include "gemu_test.h"

#define MIB (1024 * 1024)

static int madvise_bo(int fd, uint32_t h, uint32_t madv, uint32_t *retained)
{
	struct drm_i915_gem_madvise m = { .handle = h, .madv = madv };
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_MADVISE, &m);

	*retained = m.retained;
	return r;
}

TEST(budget_purges_then_refuses)
{
	int fd = open_render();
	uint32_t needed, spare[4], extra, ret, i;
	struct drm_i915_gem_create c = { .size = 4096 };
	static uint8_t chunk[MIB];

	REQUIRE(fd >= 0);
	memset(chunk, 0x5a, sizeof(chunk));
	needed = gem_create(fd, 32 * MIB);
	REQUIRE(needed);
	/* a pwrite alone leaves an object without pages; the pread gives it some */
	CHECK_OK(gem_pwrite(fd, needed, 0, chunk, MIB));
	CHECK_OK(gem_pread(fd, needed, 0, &ret, 4));
	for (i = 0; i < 4; i++) {
		spare[i] = gem_create(fd, 8 * MIB);
		REQUIRE(spare[i]);
		CHECK_OK(gem_pwrite(fd, spare[i], 0, chunk, MIB));
		CHECK_OK(gem_pread(fd, spare[i], 0, &ret, 4));
		CHECK_OK(madvise_bo(fd, spare[i], I915_MADV_DONTNEED, &ret));
		CHECK_EQ(ret, 1);
	}
	/* 64 MiB budget: 32 + 4 x 8 used; 16 more push out two spares */
	extra = gem_create(fd, 16 * MIB);
	CHECK(extra != 0);
	CHECK_OK(madvise_bo(fd, needed, I915_MADV_WILLNEED, &ret));
	CHECK_EQ(ret, 1);
	{
		int purged = 0;

		for (i = 0; i < 4; i++) {
			CHECK_OK(madvise_bo(fd, spare[i], I915_MADV_DONTNEED, &ret));
			purged += !ret;
		}
		CHECK(purged >= 2);
	}
	/* the needed object's contents survived */
	{
		static uint8_t back[MIB];

		CHECK_OK(gem_pread(fd, needed, 0, back, MIB));
		CHECK(memcmp(back, chunk, MIB) == 0);
	}
	/* nothing purgeable left for 64 MiB more: ENOMEM */
	c.size = 64 * MIB;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &c), ENOMEM);
	CHECK(device_answers_version(fd));
	close(fd);
}
