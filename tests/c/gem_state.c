/*
 * Object state calls: SET_DOMAIN, GET/SET_CACHING, GET/SET_TILING,
 * MADVISE, GET_APERTURE, THROTTLE, SW_FINISH, BUSY and WAIT on idle
 * objects.
 * Kernel reference: i915_gem_domain.c, i915_gem_tiling.c, i915_gem.c,
 * i915_gem_busy.c, i915_gem_wait.c, i915_gem_throttle.c; IGT gem_madvise.
 */
#include "gemu_test.h"

static int fd = -1;

static void need_fd(void)
{
	if (fd < 0)
		fd = open_render();
}

static int set_domain(int fd, uint32_t h, uint32_t read, uint32_t write)
{
	struct drm_i915_gem_set_domain d = {
		.handle = h, .read_domains = read, .write_domain = write,
	};

	return do_ioctl(fd, DRM_IOCTL_I915_GEM_SET_DOMAIN, &d);
}

static int get_caching(int fd, uint32_t h, uint32_t *caching)
{
	struct drm_i915_gem_caching c = { .handle = h, .caching = 0x5555 };
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_GET_CACHING, &c);

	*caching = c.caching;
	return r;
}

static int set_caching(int fd, uint32_t h, uint32_t caching)
{
	struct drm_i915_gem_caching c = { .handle = h, .caching = caching };

	return do_ioctl(fd, DRM_IOCTL_I915_GEM_SET_CACHING, &c);
}

static int gem_madvise(int fd, uint32_t h, uint32_t madv, uint32_t *retained)
{
	struct drm_i915_gem_madvise m = { .handle = h, .madv = madv,
					  .retained = 0x5555 };
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_MADVISE, &m);

	*retained = m.retained;
	return r;
}

static int gem_wait(int fd, uint32_t h, uint32_t flags, int64_t *timeout)
{
	struct drm_i915_gem_wait w = {
		.bo_handle = h, .flags = flags, .timeout_ns = *timeout,
	};
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_WAIT, &w);

	*timeout = w.timeout_ns;
	return r;
}

TEST(set_domain)
{
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	h = gem_create(fd, 4096);
	REQUIRE(h);

	CHECK_OK(set_domain(fd, h, I915_GEM_DOMAIN_CPU, I915_GEM_DOMAIN_CPU));
	CHECK_OK(set_domain(fd, h, I915_GEM_DOMAIN_CPU, 0));
	CHECK_OK(set_domain(fd, h, I915_GEM_DOMAIN_GTT, I915_GEM_DOMAIN_GTT));
	CHECK_OK(set_domain(fd, h, I915_GEM_DOMAIN_GTT, 0));
	CHECK_OK(set_domain(fd, h, I915_GEM_DOMAIN_WC, I915_GEM_DOMAIN_WC));
	CHECK_OK(set_domain(fd, h, I915_GEM_DOMAIN_CPU | I915_GEM_DOMAIN_GTT,
			    0));

	/* i915_gem_set_domain_ioctl: GPU domains -> EINVAL */
	CHECK_ERRNO(set_domain(fd, h, I915_GEM_DOMAIN_RENDER, 0), EINVAL);
	CHECK_ERRNO(set_domain(fd, h, I915_GEM_DOMAIN_RENDER,
			       I915_GEM_DOMAIN_RENDER), EINVAL);
	CHECK_ERRNO(set_domain(fd, h, I915_GEM_DOMAIN_SAMPLER, 0), EINVAL);
	CHECK_ERRNO(set_domain(fd, h, I915_GEM_DOMAIN_COMMAND, 0), EINVAL);
	CHECK_ERRNO(set_domain(fd, h, I915_GEM_DOMAIN_INSTRUCTION, 0), EINVAL);
	CHECK_ERRNO(set_domain(fd, h, I915_GEM_DOMAIN_VERTEX, 0), EINVAL);
	CHECK_ERRNO(set_domain(fd, h, I915_GEM_DOMAIN_CPU,
			       I915_GEM_DOMAIN_RENDER), EINVAL);
	/* write domain must equal the read domains -> EINVAL */
	CHECK_ERRNO(set_domain(fd, h, I915_GEM_DOMAIN_GTT,
			       I915_GEM_DOMAIN_CPU), EINVAL);
	CHECK_ERRNO(set_domain(fd, h, I915_GEM_DOMAIN_GTT | I915_GEM_DOMAIN_CPU,
			       I915_GEM_DOMAIN_GTT), EINVAL);
	CHECK_ERRNO(set_domain(fd, h, 0, I915_GEM_DOMAIN_CPU), EINVAL);
	/* both checks come before the lookup */
	CHECK_ERRNO(set_domain(fd, 0x7ffffff0, I915_GEM_DOMAIN_RENDER, 0),
		    EINVAL);
	/* no read domains: returns 0 before the lookup */
	CHECK_OK(set_domain(fd, 0x7ffffff0, 0, 0));
	/* no such handle -> ENOENT */
	CHECK_ERRNO(set_domain(fd, 0x7ffffff0, I915_GEM_DOMAIN_CPU, 0), ENOENT);
	CHECK_ERRNO(set_domain(fd, 0, I915_GEM_DOMAIN_GTT, I915_GEM_DOMAIN_GTT),
		    ENOENT);
	gem_close(fd, h);
}

TEST(caching)
{
	uint32_t h, c = 0;

	need_fd();
	REQUIRE(fd >= 0);
	h = gem_create(fd, 4096);
	REQUIRE(h);

	/* shmem objects on an LLC platform start I915_CACHE_LLC -> CACHED */
	CHECK_OK(get_caching(fd, h, &c));
	CHECK_EQ(c, I915_CACHING_CACHED);

	CHECK_OK(set_caching(fd, h, I915_CACHING_NONE));
	CHECK_OK(get_caching(fd, h, &c));
	CHECK_EQ(c, I915_CACHING_NONE);
	CHECK_OK(set_caching(fd, h, I915_CACHING_CACHED));
	CHECK_OK(get_caching(fd, h, &c));
	CHECK_EQ(c, I915_CACHING_CACHED);
	/* DISPLAY is WT where HAS_WT, else NONE; TGL has no WT */
	CHECK_OK(set_caching(fd, h, I915_CACHING_DISPLAY));
	CHECK_OK(get_caching(fd, h, &c));
	CHECK_EQ(c, I915_CACHING_NONE);

	/* i915_gem_set_caching_ioctl: unknown level -> EINVAL, before lookup */
	CHECK_ERRNO(set_caching(fd, h, 3), EINVAL);
	CHECK_ERRNO(set_caching(fd, h, 0xffffffff), EINVAL);
	CHECK_ERRNO(set_caching(fd, 0x7ffffff0, 3), EINVAL);
	/* no such handle -> ENOENT */
	CHECK_ERRNO(set_caching(fd, 0x7ffffff0, I915_CACHING_CACHED), ENOENT);
	CHECK_ERRNO(get_caching(fd, 0x7ffffff0, &c), ENOENT);
	CHECK_ERRNO(get_caching(fd, 0, &c), ENOENT);
	gem_close(fd, h);
}

TEST(tiling)
{
	struct drm_i915_gem_set_tiling st;
	struct drm_i915_gem_get_tiling gt;
	int fences = -1;
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	REQUIRE_OK(getparam(fd, I915_PARAM_NUM_FENCES_AVAIL, &fences));
	h = gem_create(fd, 1 << 20);
	REQUIRE(h);

	memset(&st, 0, sizeof(st));
	memset(&gt, 0, sizeof(gt));
	st.handle = h;
	st.tiling_mode = I915_TILING_X;
	st.stride = 512;
	gt.handle = h;
	if (fences == 0) {
		/*
		 * i915_gem_{set,get}_tiling_ioctl: !ggtt->num_fences (no
		 * mappable aperture, i915_ggtt_init_fences) -> EOPNOTSUPP,
		 * before the handle lookup.
		 */
		INFO("no fences: tiling ioctls refused");
		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_SET_TILING, &st),
			    EOPNOTSUPP);
		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_GET_TILING, &gt),
			    EOPNOTSUPP);
		st.handle = 0x7ffffff0;
		gt.handle = 0x7ffffff0;
		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_SET_TILING, &st),
			    EOPNOTSUPP);
		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_GET_TILING, &gt),
			    EOPNOTSUPP);
	} else {
		/* fences exist: the calls work on handles */
		CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_GET_TILING, &gt));
		CHECK_EQ(gt.tiling_mode, I915_TILING_NONE);
		CHECK_EQ(gt.swizzle_mode, I915_BIT_6_SWIZZLE_NONE);
		CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_SET_TILING, &st));
		CHECK_EQ(st.tiling_mode, I915_TILING_X);
		CHECK_EQ(st.stride, 512);
		CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_GET_TILING, &gt));
		CHECK_EQ(gt.tiling_mode, I915_TILING_X);
		/* i915_tiling_ok: unknown mode -> EINVAL */
		st.tiling_mode = 7;
		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_SET_TILING, &st),
			    EINVAL);
		gt.handle = 0x7ffffff0;
		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_GET_TILING, &gt),
			    ENOENT);
	}
	gem_close(fd, h);
}

TEST(madvise)
{
	uint32_t h, retained;
	char buf[64] = "some data";

	need_fd();
	REQUIRE(fd >= 0);

	/* i915_gem_madvise_ioctl: madv other than WILLNEED/DONTNEED -> EINVAL */
	h = gem_create(fd, 4096);
	REQUIRE(h);
	CHECK_ERRNO(gem_madvise(fd, h, 2, &retained), EINVAL);
	CHECK_ERRNO(gem_madvise(fd, h, 0xffffffff, &retained), EINVAL);
	CHECK_ERRNO(gem_madvise(fd, 0x7ffffff0, 2, &retained), EINVAL);
	/* no such handle -> ENOENT */
	CHECK_ERRNO(gem_madvise(fd, 0x7ffffff0, I915_MADV_WILLNEED, &retained),
		    ENOENT);

	/*
	 * Only pwritten: shmem_pwrite writes the page cache and the object still
	 * has no pages, so DONTNEED purges it (IGT gem_madvise
	 * dontneed-before-exec).
	 */
	CHECK_OK(gem_pwrite(fd, h, 0, buf, sizeof(buf)));
	CHECK_OK(gem_madvise(fd, h, I915_MADV_DONTNEED, &retained));
	CHECK_EQ(retained, 0);
	gem_close(fd, h);

	/* an object with pages (a pread gets them): DONTNEED keeps them */
	h = gem_create(fd, 4096);
	REQUIRE(h);
	CHECK_OK(gem_pwrite(fd, h, 0, buf, sizeof(buf)));
	CHECK_OK(gem_pread(fd, h, 0, buf, sizeof(buf)));
	CHECK_OK(gem_madvise(fd, h, I915_MADV_DONTNEED, &retained));
	CHECK_EQ(retained, 1);
	CHECK_OK(gem_madvise(fd, h, I915_MADV_WILLNEED, &retained));
	CHECK_EQ(retained, 1);
	CHECK_OK(gem_madvise(fd, h, I915_MADV_WILLNEED, &retained));
	CHECK_EQ(retained, 1);
	gem_close(fd, h);

	/*
	 * An object without pages is truncated at once by DONTNEED
	 * (i915_gem_object_truncate -> __I915_MADV_PURGED): not retained,
	 * purged for good, and a pwrite fails with EFAULT
	 * (IGT gem_madvise dontneed-before-pwrite).
	 */
	h = gem_create(fd, 4096);
	REQUIRE(h);
	CHECK_OK(gem_madvise(fd, h, I915_MADV_DONTNEED, &retained));
	CHECK_EQ(retained, 0);
	CHECK_OK(gem_madvise(fd, h, I915_MADV_WILLNEED, &retained));
	CHECK_EQ(retained, 0);
	CHECK_ERRNO(gem_pwrite(fd, h, 0, buf, 4), EFAULT);
	gem_close(fd, h);
}

TEST(aperture_throttle_sw_finish)
{
	struct drm_i915_gem_get_aperture ap;
	struct drm_i915_gem_sw_finish sf;
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	/* i915_gem_get_aperture_ioctl: GGTT total, minus what is pinned */
	memset(&ap, 0, sizeof(ap));
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_GET_APERTURE, &ap));
	CHECK(ap.aper_size > 0);
	CHECK(ap.aper_available_size > 0);
	CHECK(ap.aper_available_size <= ap.aper_size);
	INFO("aperture %" PRIu64 " MiB, available %" PRIu64 " MiB",
	     (uint64_t)ap.aper_size >> 20,
	     (uint64_t)ap.aper_available_size >> 20);

	/* i915_gem_throttle_ioctl: nothing outstanding -> 0 */
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_THROTTLE, NULL));

	/* i915_gem_sw_finish_ioctl: lookup, flush if scanout, 0 */
	h = gem_create(fd, 4096);
	sf.handle = h;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_SW_FINISH, &sf));
	sf.handle = 0x7ffffff0;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_SW_FINISH, &sf), ENOENT);
	gem_close(fd, h);
}

TEST(busy_and_wait_idle)
{
	struct drm_i915_gem_busy b;
	int64_t t;
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	h = gem_create(fd, 4096);
	REQUIRE(h);
	CHECK_OK(gem_pwrite(fd, h, 0, "x", 1));

	/* i915_gem_busy_ioctl: no fences -> busy 0 */
	memset(&b, 0, sizeof(b));
	b.handle = h;
	b.busy = 0xffffffff;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_BUSY, &b));
	CHECK_EQ(b.busy, 0);
	b.handle = 0x7ffffff0;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_BUSY, &b), ENOENT);

	/* i915_gem_wait_ioctl: flags != 0 -> EINVAL, before the lookup */
	t = 0;
	CHECK_ERRNO(gem_wait(fd, h, 1, &t), EINVAL);
	CHECK_ERRNO(gem_wait(fd, 0x7ffffff0, 0x80000000u, &t), EINVAL);
	/* no such handle -> ENOENT */
	CHECK_ERRNO(gem_wait(fd, 0x7ffffff0, 0, &t), ENOENT);

	/* idle, timeout 0: a busy query that says idle */
	t = 0;
	CHECK_OK(gem_wait(fd, h, 0, &t));
	CHECK_EQ(t, 0);
	/* idle, positive timeout: returns at once, remaining time written */
	t = 1000000000;
	CHECK_OK(gem_wait(fd, h, 0, &t));
	CHECK(t > 0 && t <= 1000000000);
	/* negative timeout means forever; left untouched */
	t = -1;
	CHECK_OK(gem_wait(fd, h, 0, &t));
	CHECK_EQ(t, -1);
	gem_close(fd, h);
}
