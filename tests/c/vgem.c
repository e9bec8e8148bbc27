/*
 * vgem beside i915 (/dev/dri/card1): dumb buffers, mmap through MAP_DUMB,
 * fences attached to a buffer and signalled by hand, and the way IGT's
 * cork uses them: a vgem buffer exported as a dma-buf and imported into
 * i915 holds back every request that reads it until its fence signals.
 * Kernel reference: drivers/gpu/drm/vgem/vgem_fence.c (attach: EINVAL
 * flags/pad, ENOENT, EBUSY on a conflicting fence; signal: EINVAL flags,
 * ENOENT, ETIMEDOUT once signalled), drm_dumb_buffers.c; IGT lib/igt_vgem.c,
 * lib/igt_dummyload.c (igt_cork), gem_ringfill.
 */
#include "gemu_test.h"

GEMU_WATCHDOG(30)

#define SEC 1000000000ll
#define VGEM_CARD "/dev/dri/card1"

struct vgem_fence_attach {
	uint32_t handle, flags, out_fence, pad;
};
struct vgem_fence_signal {
	uint32_t fence, flags;
};
#define VGEM_FENCE_WRITE 0x1
#define IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct vgem_fence_attach)
#define IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 0x2, struct vgem_fence_signal)

static int vgem = -1;

static int setup(void)
{
	if (vgem < 0)
		vgem = open(VGEM_CARD, O_RDWR | O_CLOEXEC);
	return vgem >= 0;
}

static int create_dumb(uint32_t w, uint32_t h, uint32_t bpp,
		       struct drm_mode_create_dumb *out)
{
	memset(out, 0, sizeof(*out));
	out->width = w;
	out->height = h;
	out->bpp = bpp;
	return do_ioctl(vgem, DRM_IOCTL_MODE_CREATE_DUMB, out);
}

static int attach(uint32_t handle, uint32_t flags, uint32_t *fence)
{
	struct vgem_fence_attach a = { .handle = handle, .flags = flags };
	int r = raw_ioctl(vgem, IOCTL_VGEM_FENCE_ATTACH, &a);

	*fence = a.out_fence;
	return r;
}

static int signal_fence(uint32_t fence, uint32_t flags)
{
	struct vgem_fence_signal s = { .fence = fence, .flags = flags };

	return raw_ioctl(vgem, IOCTL_VGEM_FENCE_SIGNAL, &s);
}

TEST(it_is_a_vgem_device)
{
	char name[16] = { 0 };
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
	struct drm_syncobj_create sc = { 0 };
	struct drm_i915_getparam gp = { .param = I915_PARAM_CHIPSET_ID };
	int id;

	gp.value = &id;
	REQUIRE(setup());
	CHECK_OK(do_ioctl(vgem, DRM_IOCTL_VERSION, &v));
	CHECK(strcmp(name, "vgem") == 0);
	/* not a DRIVER_SYNCOBJ driver; and i915's calls are not vgem's */
	CHECK_ERRNO(do_ioctl(vgem, DRM_IOCTL_SYNCOBJ_CREATE, &sc), EOPNOTSUPP);
	CHECK_ERRNO(do_ioctl(vgem, DRM_IOCTL_I915_GETPARAM, &gp), EINVAL);
}

TEST(dumb_buffers_map_and_keep_data)
{
	struct drm_mode_create_dumb d;
	struct drm_mode_map_dumb m = { 0 };
	struct drm_mode_destroy_dumb x = { 0 };
	uint32_t *p;

	REQUIRE(setup());
	CHECK_ERRNO(create_dumb(0, 16, 32, &d), EINVAL);
	CHECK_ERRNO(create_dumb(16, 16, 0, &d), EINVAL);
	REQUIRE_OK(create_dumb(100, 30, 24, &d));
	/* pitch = width * ceil(bpp / 8); size rounded up to pages */
	CHECK_EQ(d.pitch, 300);
	CHECK_EQ(d.size, 12288);
	m.handle = d.handle;
	REQUIRE_OK(do_ioctl(vgem, DRM_IOCTL_MODE_MAP_DUMB, &m));
	p = mmap(NULL, d.size, PROT_READ | PROT_WRITE, MAP_SHARED, vgem, m.offset);
	REQUIRE(p != MAP_FAILED);
	p[100] = 0xc0ffee;
	CHECK_EQ(p[100], 0xc0ffee);
	munmap(p, d.size);
	m.handle = 0xdead;
	CHECK_ERRNO(do_ioctl(vgem, DRM_IOCTL_MODE_MAP_DUMB, &m), ENOENT);
	x.handle = d.handle;
	CHECK_OK(do_ioctl(vgem, DRM_IOCTL_MODE_DESTROY_DUMB, &x));
	/* drm_gem_handle_delete: an unknown handle is EINVAL, as GEM_CLOSE */
	CHECK_ERRNO(do_ioctl(vgem, DRM_IOCTL_MODE_DESTROY_DUMB, &x), EINVAL);
}

TEST(fence_errors)
{
	struct drm_mode_create_dumb d;
	uint32_t f, g, refused;

	REQUIRE(setup());
	REQUIRE_OK(create_dumb(1, 1, 32, &d));
	/* igt's vgem_has_fences: signalling fence 0 is ENOENT */
	CHECK_ERRNO(signal_fence(0, 0), ENOENT);
	CHECK_ERRNO(attach(d.handle, 0x2, &f), EINVAL);
	CHECK_ERRNO(attach(0xdead, 0, &f), ENOENT);
	REQUIRE_OK(attach(d.handle, VGEM_FENCE_WRITE, &f));
	CHECK(f != 0);
	/* an unsignalled write fence conflicts with any other */
	CHECK_ERRNO(attach(d.handle, 0, &refused), EBUSY);
	CHECK_ERRNO(attach(d.handle, VGEM_FENCE_WRITE, &refused), EBUSY);
	CHECK_ERRNO(signal_fence(f, 1), EINVAL);
	CHECK_OK(signal_fence(f, 0));
	CHECK_ERRNO(signal_fence(f, 0), ENOENT);
	/* two readers may share the buffer; a writer may not join them */
	REQUIRE_OK(attach(d.handle, 0, &f));
	REQUIRE_OK(attach(d.handle, 0, &g));
	CHECK_ERRNO(attach(d.handle, VGEM_FENCE_WRITE, &refused), EBUSY);
	CHECK_OK(signal_fence(f, 0));
	CHECK_OK(signal_fence(g, 0));
	gem_close(vgem, d.handle);
}

/*
 * igt_cork's plug: a vgem buffer with a write fence, exported and imported
 * into i915, read by a batch submitted there. Returns the vgem fence and
 * fills o[0] (the import) and o[1] (the batch); 0 or -errno.
 */
static int corked_batch(int i915, struct drm_i915_gem_exec_object2 o[2],
			uint32_t *vgem_handle, uint32_t *fence)
{
	static const uint32_t bbe[2] = { MI_BATCH_BUFFER_END, 0 };
	struct drm_mode_create_dumb d;
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC, .fd = -1 };
	struct drm_prime_handle imp = { 0 };
	struct drm_i915_gem_execbuffer2 eb;
	int r;

	if ((r = create_dumb(1, 1, 32, &d)) || (r = attach(d.handle, VGEM_FENCE_WRITE, fence)))
		return r;
	*vgem_handle = d.handle;
	exp.handle = d.handle;
	if ((r = do_ioctl(vgem, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp)))
		return r;
	imp.fd = exp.fd;
	r = do_ioctl(i915, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp);
	close(exp.fd);
	if (r)
		return r;
	memset(o, 0, 2 * sizeof(*o));
	o[0].handle = imp.handle;
	o[1].handle = gem_create_with(i915, 4096, bbe, sizeof(bbe));
	if (!o[1].handle)
		return -ENOMEM;
	gemu_eb_init(&eb, o, 2, I915_EXEC_RENDER, 0);
	return gemu_execbuf(i915, &eb);
}

/* igt_cork: i915 work that reads a fenced vgem buffer waits for the fence. */
TEST(a_vgem_fence_corks_i915_work)
{
	struct drm_i915_gem_exec_object2 o[2];
	int i915 = open_card();
	uint32_t fence, bo;

	REQUIRE(setup() && i915 >= 0);
	REQUIRE_OK(corked_batch(i915, o, &bo, &fence));
	/* held back by the vgem write fence */
	CHECK_ERRNO(gem_wait_ns(i915, o[1].handle, 50000000ll), ETIME);
	CHECK_OK(signal_fence(fence, 0));
	CHECK_OK(gem_wait_ns(i915, o[1].handle, 5 * SEC));

	gem_close(i915, o[1].handle);
	gem_close(i915, o[0].handle);
	gem_close(vgem, bo);
	close(i915);
}

/* vgem_fence_close: closing the file signals what it left attached. */
TEST(closing_vgem_signals_its_fences)
{
	struct drm_i915_gem_exec_object2 o[2];
	int i915 = open_card();
	uint32_t fence, bo;

	REQUIRE(setup() && i915 >= 0);
	REQUIRE_OK(corked_batch(i915, o, &bo, &fence));
	CHECK_ERRNO(gem_wait_ns(i915, o[1].handle, 0), ETIME);
	close(vgem);
	vgem = -1;
	/* FUSE releases the file shortly after close() returns */
	CHECK_OK(gem_wait_ns(i915, o[1].handle, 5 * SEC));
	gem_close(i915, o[1].handle);
	gem_close(i915, o[0].handle);
	close(i915);
}
