/*
 * GEM_CREATE, GEM_CREATE_EXT (memory regions and the extension chain),
 * GEM_CLOSE.
 * Kernel reference: i915_gem_create.c, i915_user_extensions.c, drm_gem.c.
 */
#include "gemu_test.h"

/* uAPI structs newer than some libdrm headers, spelled out here. */
struct ext_set_pat {
	struct i915_user_extension base;
	uint32_t pat_index;
	uint32_t rsvd;
};

struct ext_protected {
	struct i915_user_extension base;
	uint32_t flags;
};

#define EXT_MEMORY_REGIONS 0
#define EXT_PROTECTED_CONTENT 1
#define EXT_SET_PAT 2

static int fd = -1;

static void need_fd(void)
{
	if (fd < 0)
		fd = open_render();
}

static int create(int fd, uint64_t *size, uint32_t *handle)
{
	struct drm_i915_gem_create c = { .size = *size };
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &c);

	*size = c.size;
	*handle = c.handle;
	return r;
}

static int create_ext(int fd, uint64_t *size, uint32_t flags, void *ext,
		      uint32_t *handle)
{
	struct drm_i915_gem_create_ext c = {
		.size = *size,
		.flags = flags,
		.extensions = (uintptr_t)ext,
	};
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_CREATE_EXT, &c);

	*size = c.size;
	*handle = c.handle;
	if (r == 0)
		gem_close(fd, c.handle);
	return r;
}

TEST(create_sizes)
{
	uint64_t size;
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);

	/* __i915_gem_object_create_user_ext: round_up(size) == 0 -> EINVAL */
	size = 0;
	CHECK_ERRNO(create(fd, &size, &h), EINVAL);
	size = ~0ull;
	CHECK_ERRNO(create(fd, &size, &h), EINVAL);
	size = ~0ull - 4094;
	CHECK_ERRNO(create(fd, &size, &h), EINVAL);

	/* size rounded up to the page and written back */
	size = 1;
	REQUIRE_OK(create(fd, &size, &h));
	CHECK_EQ(size, 4096);
	CHECK(h != 0);
	CHECK_OK(gem_close(fd, h));
	size = 4097;
	REQUIRE_OK(create(fd, &size, &h));
	CHECK_EQ(size, 8192);
	CHECK_OK(gem_close(fd, h));
	size = 1 << 20;
	REQUIRE_OK(create(fd, &size, &h));
	CHECK_EQ(size, 1 << 20);
	CHECK_OK(gem_close(fd, h));

	/* __create_shmem: size > MAX_LFS_FILESIZE -> E2BIG */
	size = 1ull << 63;
	CHECK_ERRNO(create(fd, &size, &h), E2BIG);
	size = ~0ull - 4095;
	CHECK_ERRNO(create(fd, &size, &h), E2BIG);
	size = (1ull << 63) + 1;
	CHECK_ERRNO(create(fd, &size, &h), E2BIG);
}

TEST(handles)
{
	uint32_t h1, h2, h3;

	need_fd();
	REQUIRE(fd >= 0);
	h1 = gem_create(fd, 4096);
	h2 = gem_create(fd, 4096);
	CHECK(h1 != 0);
	CHECK(h2 != 0);
	CHECK(h1 != h2);
	/* drm_gem_handle_create_tail: idr_alloc from 1 -> lowest free id */
	CHECK_OK(gem_close(fd, h1));
	h3 = gem_create(fd, 4096);
	CHECK_EQ(h3, h1);
	CHECK_OK(gem_close(fd, h2));
	CHECK_OK(gem_close(fd, h3));

	/* handles are per open file: another fd does not see them */
	{
		int fd2 = open_render();
		uint32_t h = gem_create(fd, 4096);

		REQUIRE(fd2 >= 0);
		CHECK_ERRNO(gem_close(fd2, h), EINVAL);
		CHECK_OK(gem_close(fd, h));
		close(fd2);
	}
}

TEST(gem_close)
{
	struct drm_gem_close c;
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	/* drm_gem_handle_delete: no such handle -> EINVAL */
	CHECK_ERRNO(gem_close(fd, 0), EINVAL);
	CHECK_ERRNO(gem_close(fd, 0x7ffffff0), EINVAL);
	CHECK_ERRNO(gem_close(fd, 0xffffffff), EINVAL);
	h = gem_create(fd, 4096);
	CHECK_OK(gem_close(fd, h));
	CHECK_ERRNO(gem_close(fd, h), EINVAL);

	/* drm_gem_close_ioctl does not look at pad */
	h = gem_create(fd, 4096);
	c.handle = h;
	c.pad = 0xdeadbeef;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c));
	CHECK_ERRNO(gem_close(fd, h), EINVAL);
}

TEST(create_ext_plain)
{
	uint64_t size;
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	size = 100;
	CHECK_OK(create_ext(fd, &size, 0, NULL, &h));
	CHECK_EQ(size, 4096);
	size = 0;
	CHECK_ERRNO(create_ext(fd, &size, 0, NULL, &h), EINVAL);
	/* i915_gem_create_ext_ioctl: unknown flag -> EINVAL */
	size = 4096;
	CHECK_ERRNO(create_ext(fd, &size, 2, NULL, &h), EINVAL);
	size = 4096;
	CHECK_ERRNO(create_ext(fd, &size, 0x80000000u, NULL, &h), EINVAL);
	/* NEEDS_CPU_ACCESS with a single (default) placement -> EINVAL */
	size = 4096;
	CHECK_ERRNO(create_ext(fd, &size, I915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS,
			       NULL, &h), EINVAL);
	size = 1ull << 63;
	CHECK_ERRNO(create_ext(fd, &size, 0, NULL, &h), E2BIG);
}

TEST(create_ext_memory_regions)
{
	struct drm_i915_gem_memory_class_instance regions[3];
	struct drm_i915_gem_create_ext_memory_regions mr, mr2;
	uint64_t size;
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);

	memset(&mr, 0, sizeof(mr));
	memset(regions, 0, sizeof(regions));
	mr.base.name = EXT_MEMORY_REGIONS;
	mr.num_regions = 1;
	mr.regions = (uintptr_t)regions;
	regions[0].memory_class = I915_MEMORY_CLASS_SYSTEM;
	regions[0].memory_instance = 0;

	/* set_placements: the system region is valid */
	size = 5000;
	CHECK_OK(create_ext(fd, &size, 0, &mr, &h));
	CHECK_EQ(size, 8192);

	/* set_placements: pad != 0 -> EINVAL */
	mr.pad = 1;
	size = 4096;
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EINVAL);
	mr.pad = 0;
	/* set_placements: num_regions == 0 -> EINVAL */
	mr.num_regions = 0;
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EINVAL);
	/* set_placements: num_regions > ARRAY_SIZE(mm.regions) -> EINVAL */
	mr.num_regions = 1000;
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EINVAL);
	/* set_placements: device memory on an integrated part -> EINVAL */
	mr.num_regions = 1;
	regions[0].memory_class = I915_MEMORY_CLASS_DEVICE;
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EINVAL);
	regions[0].memory_class = 0xffff;
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EINVAL);
	regions[0].memory_class = I915_MEMORY_CLASS_SYSTEM;
	regions[0].memory_instance = 1;
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EINVAL);
	/* set_placements: duplicate placement -> EINVAL */
	regions[0].memory_instance = 0;
	regions[1] = regions[0];
	mr.num_regions = 2;
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EINVAL);
	/* set_placements: unreadable regions array -> EFAULT */
	mr.num_regions = 1;
	mr.regions = bad_ptr();
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EFAULT);
	mr.regions = (uintptr_t)regions;

	/* set_placements: a second MEMORY_REGIONS extension -> EINVAL */
	mr2 = mr;
	mr.base.next_extension = (uintptr_t)&mr2;
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EINVAL);
	mr.base.next_extension = 0;

	/* NEEDS_CPU_ACCESS with one placement -> EINVAL */
	CHECK_ERRNO(create_ext(fd, &size,
			       I915_GEM_CREATE_EXT_FLAG_NEEDS_CPU_ACCESS, &mr,
			       &h), EINVAL);
	/* still fine afterwards */
	CHECK_OK(create_ext(fd, &size, 0, &mr, &h));
}

TEST(create_ext_chain)
{
	struct drm_i915_gem_create_ext_memory_regions mr;
	struct drm_i915_gem_memory_class_instance sys = { 0, 0 };
	struct i915_user_extension ext;
	struct ext_set_pat pat;
	struct ext_protected prot;
	uint64_t size = 4096;
	uint32_t h, first_free;

	need_fd();
	REQUIRE(fd >= 0);
	first_free = gem_create(fd, 4096);
	gem_close(fd, first_free);

	/* i915_user_extensions: unknown name -> EINVAL */
	memset(&ext, 0, sizeof(ext));
	ext.name = 99;
	CHECK_ERRNO(create_ext(fd, &size, 0, &ext, &h), EINVAL);
	ext.name = 0xffffffff;
	CHECK_ERRNO(create_ext(fd, &size, 0, &ext, &h), EINVAL);
	/* i915_user_extensions: check_user_mbz(flags) -> EINVAL */
	memset(&mr, 0, sizeof(mr));
	mr.base.name = EXT_MEMORY_REGIONS;
	mr.num_regions = 1;
	mr.regions = (uintptr_t)&sys;
	mr.base.flags = 1;
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EINVAL);
	/* ... and every rsvd word */
	mr.base.flags = 0;
	mr.base.rsvd[3] = 1;
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EINVAL);
	mr.base.rsvd[3] = 0;
	/* i915_user_extensions: unreadable extension -> EFAULT */
	CHECK_ERRNO(create_ext(fd, &size, 0, (void *)(uintptr_t)bad_ptr(), &h),
		    EFAULT);
	CHECK_ERRNO(create_ext(fd, &size, 0, (void *)(uintptr_t)KERNEL_PTR, &h),
		    EFAULT);
	/* ... a bad next_extension after a good one -> EFAULT */
	mr.base.next_extension = bad_ptr();
	CHECK_ERRNO(create_ext(fd, &size, 0, &mr, &h), EFAULT);
	mr.base.next_extension = 0;
	CHECK_OK(create_ext(fd, &size, 0, &mr, &h));

	/* ext_set_pat: before IP 12.70 -> ENODEV */
	memset(&pat, 0, sizeof(pat));
	pat.base.name = EXT_SET_PAT;
	CHECK_ERRNO(create_ext(fd, &size, 0, &pat, &h), ENODEV);

	/* ext_set_protected: flags != 0 -> EINVAL (checked before PXP) */
	memset(&prot, 0, sizeof(prot));
	prot.base.name = EXT_PROTECTED_CONTENT;
	prot.flags = 1;
	CHECK_ERRNO(create_ext(fd, &size, 0, &prot, &h), EINVAL);

	/* the failures left no handle behind: the lowest free id is unchanged */
	h = gem_create(fd, 4096);
	CHECK_EQ(h, first_free);
	gem_close(fd, h);
}
