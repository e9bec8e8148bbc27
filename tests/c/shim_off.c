/*
 * gemu run --no-shim: nothing is preloaded, so gemu's nodes stat as what
 * they are (regular FUSE files) while the device works as before.
 *
 * gemu-run: --no-shim
 */
#include "gemu_test.h"

#include <sys/stat.h>

TEST(nodes_are_regular_files)
{
	struct stat st;
	int fd = open_card();

	REQUIRE(fd >= 0);
	CHECK(getenv("GEMU_NODES") == NULL);
	CHECK(stat(GEMU_CARD, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
	CHECK(device_answers_version(fd));
	close(fd);
}

/* The daemon cannot hand out fds: without the shim the calls fail. */
TEST(fd_returning_calls_fail)
{
	struct drm_get_cap c = { .capability = DRM_CAP_PRIME };
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC, .fd = -1 };
	int fd = open_card();

	REQUIRE(fd >= 0);
	p.handle = gem_create(fd, 4096);
	REQUIRE(p.handle);
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p), EOPNOTSUPP);
	CHECK_EQ(p.fd, -1);
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p), EOPNOTSUPP);
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_GET_CAP, &c));
	CHECK_EQ(c.value, 0);
	/* Syncobj fds and exec fences: refused, never a fake fd. */
	{
		struct drm_syncobj_create c = { .flags = DRM_SYNCOBJ_CREATE_SIGNALED };
		struct drm_syncobj_handle h = { .fd = -1 };
		int has = -1;

		REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c));
		h.handle = c.handle;
		CHECK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h) < 0);
		CHECK_EQ(h.fd, -1);
		CHECK_OK(getparam(fd, I915_PARAM_HAS_EXEC_FENCE, &has));
		CHECK_EQ(has, 0);
	}
	/* Legacy GEM_MMAP maps in the caller: only the shim can. */
	{
		struct drm_i915_gem_mmap mm = { .handle = p.handle, .size = 4096 };

		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP, &mm), EOPNOTSUPP);
		CHECK_EQ(mm.addr_ptr, 0);
	}
	close(fd);
}
