/*
 * I915_GETPARAM: the Tiger Lake GT2 profile, the params every i915 answers
 * with 1, the retired ones, and the error paths.
 * Kernel reference: i915_getparam_ioctl (i915_getparam.c).
 */
#include "gemu_test.h"

static int fd = -1;

static void need_fd(void)
{
	if (fd < 0)
		fd = open_render();
}

TEST(identity)
{
	int v = -1;

	need_fd();
	REQUIRE(fd >= 0);
	/* i915_getparam_ioctl: CHIPSET_ID is the PCI device id */
	CHECK_OK(getparam(fd, I915_PARAM_CHIPSET_ID, &v));
	CHECK_EQ(v, 0x9a49);
	/* REVISION is the PCI revision: a byte */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_REVISION, &v));
	CHECK(v >= 0 && v <= 0xff);
}

struct param_name {
	int param;
	const char *name;
};

static void check_all_equal(const struct param_name *p, unsigned int n,
			    int want)
{
	unsigned int i;
	int v;

	for (i = 0; i < n; i++) {
		v = -1;
		if (!CHECK_OK(getparam(fd, p[i].param, &v)) || !CHECK_EQ(v, want))
			fprintf(stderr, "  ... param %s\n", p[i].name);
	}
}

#define P(x) { I915_PARAM_##x, #x }

TEST(always_one)
{
	/*
	 * i915_getparam_ioctl: "For the time being all of these are always
	 * true". The ones below depend on nothing gemu lacks.
	 */
	static const struct param_name ones[] = {
		P(HAS_GEM), P(HAS_PAGEFLIPPING), P(HAS_RELAXED_FENCING),
		P(HAS_COHERENT_RINGS), P(HAS_WAIT_TIMEOUT),
		P(HAS_COHERENT_PHYS_GTT),
		/* the same list holds MMAP_VERSION: it is 1, not a GTT version */
		P(MMAP_VERSION),
	};

	need_fd();
	REQUIRE(fd >= 0);
	check_all_equal(ones, sizeof(ones) / sizeof(ones[0]), 1);
}

TEST(execbuf_params_agree)
{
	/*
	 * Also always 1 in i915, but they promise execbuf features. DESIGN §5:
	 * a parameter that promises a feature gemu lacks is a bug, so gemu
	 * may say 0 until execbuf works -- then all of them together.
	 */
	static const struct param_name exec[] = {
		P(HAS_RELAXED_DELTA), P(HAS_GEN7_SOL_RESET),
		P(HAS_PINNED_BATCHES), P(HAS_EXEC_NO_RELOC),
		P(HAS_EXEC_HANDLE_LUT), P(HAS_EXEC_SOFTPIN), P(HAS_EXEC_ASYNC),
		P(HAS_EXEC_CAPTURE), P(HAS_EXEC_BATCH_FIRST),
		P(HAS_EXEC_FENCE_ARRAY), P(HAS_EXEC_TIMELINE_FENCES),
	};
	int execbuf2 = -1, v;

	need_fd();
	REQUIRE(fd >= 0);
	CHECK_OK(getparam(fd, I915_PARAM_HAS_EXECBUF2, &execbuf2));
	CHECK(execbuf2 == 0 || execbuf2 == 1);
	if (execbuf2 != 1)
		INFO("HAS_EXECBUF2 is %d (i915: 1); execbuf params follow it",
		     execbuf2);
	check_all_equal(exec, sizeof(exec) / sizeof(exec[0]), execbuf2);

	/* fence fds and userptr: 1 in i915, 0 or 1 here (DESIGN §5) */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_EXEC_FENCE, &v));
	CHECK(v == 0 || v == 1);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_EXEC_SUBMIT_FENCE, &v));
	CHECK(v == 0 || v == 1);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_USERPTR_PROBE, &v));
	CHECK(v == 0 || v == 1);
}

TEST(prime_param_agrees_with_cap)
{
	struct drm_get_cap cap = { .capability = DRM_CAP_PRIME };
	int v = -1;

	need_fd();
	REQUIRE(fd >= 0);
	/* HAS_PRIME_VMAP_FLUSH is 1 in i915, as is DRM_CAP_PRIME (3) */
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_GET_CAP, &cap));
	CHECK_OK(getparam(fd, I915_PARAM_HAS_PRIME_VMAP_FLUSH, &v));
	CHECK_EQ(v, cap.value ? 1 : 0);
}

TEST(platform_values)
{
	int v;

	need_fd();
	REQUIRE(fd >= 0);

	/* HAS_LLC(i915): Tiger Lake has an LLC */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_LLC, &v));
	CHECK_EQ(v, 1);
	/* HAS_WT is HAS_EDRAM: no eDRAM on TGL GT2 */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_WT, &v));
	CHECK_EQ(v, 0);
	/* INTEL_PPGTT: INTEL_PPGTT_FULL = 3 on gen12 */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_ALIASING_PPGTT, &v));
	CHECK_EQ(v, 3);
	/* HAS_SECURE_BATCHES: GRAPHICS_VER < 6 only */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_SECURE_BATCHES, &v));
	CHECK_EQ(v, 0);
	/* intel_overlay_available: gen2-4 only */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_OVERLAY, &v));
	CHECK_EQ(v, 0);
	/* HAS_RESOURCE_STREAMER: always 0 */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_RESOURCE_STREAMER, &v));
	CHECK_EQ(v, 0);
	/* HAS_POOLED_EU: Broxton only; MIN_EU_IN_POOL 0 elsewhere */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_POOLED_EU, &v));
	CHECK_EQ(v, 0);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_MIN_EU_IN_POOL, &v));
	CHECK_EQ(v, 0);

	/* i915_gem_mmap_gtt_version: 4 = MMAP_OFFSET (5 in newer kernels) */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_MMAP_GTT_VERSION, &v));
	CHECK(v >= 4);
	/* gt->clock_frequency: 19.2 MHz crystal on TGL */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_CS_TIMESTAMP_FREQUENCY, &v));
	CHECK_EQ(v, 19200000);

	/* sseu: non-zero or ENODEV; a TGL GT2 has EUs and subslices */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_EU_TOTAL, &v));
	CHECK(v > 0);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_SUBSLICE_TOTAL, &v));
	CHECK(v > 0);
	/* SLICE_MASK/SUBSLICE_MASK: answered below IP 12.55 */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_SLICE_MASK, &v));
	CHECK(v > 0);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_SUBSLICE_MASK, &v));
	CHECK(v > 0);
}

TEST(engines_agree_with_params)
{
	int v;

	need_fd();
	REQUIRE(fd >= 0);
	/* intel_engine_lookup_user(COPY, 0): gemu has bcs0 (DESIGN §5) */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_BLT, &v));
	CHECK_EQ(v, 1);
	/* BSD/VEBOX/BSD2: answered, 0 or 1 (checked against QUERY there) */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_BSD, &v));
	CHECK(v == 0 || v == 1);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_VEBOX, &v));
	CHECK(v == 0 || v == 1);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_BSD2, &v));
	CHECK(v == 0 || v == 1);
}

TEST(fences_and_tiling_agree)
{
	int v = -1;
	uint32_t h;
	struct drm_i915_gem_get_tiling gt = { 0 };

	need_fd();
	REQUIRE(fd >= 0);
	/* NUM_FENCES_AVAIL is ggtt->num_fences; 0 when there is no aperture */
	CHECK_OK(getparam(fd, I915_PARAM_NUM_FENCES_AVAIL, &v));
	CHECK(v >= 0 && v <= 32);
	h = gem_create(fd, 4096);
	gt.handle = h;
	/* i915_gem_get_tiling_ioctl: !num_fences -> EOPNOTSUPP */
	if (v == 0)
		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_GET_TILING, &gt),
			    EOPNOTSUPP);
	else
		CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_GET_TILING, &gt));
	gem_close(fd, h);
}

TEST(retired_and_unknown_params)
{
	int v = 0x5555;

	need_fd();
	REQUIRE(fd >= 0);
	/* i915_getparam_ioctl: "Reject all old ums/dri params" -> ENODEV */
	CHECK_ERRNO(getparam(fd, I915_PARAM_IRQ_ACTIVE, &v), ENODEV);
	CHECK_ERRNO(getparam(fd, I915_PARAM_ALLOW_BATCHBUFFER, &v), ENODEV);
	CHECK_ERRNO(getparam(fd, I915_PARAM_LAST_DISPATCH, &v), ENODEV);
	CHECK_ERRNO(getparam(fd, I915_PARAM_HAS_EXEC_CONSTANTS, &v), ENODEV);
	/* i915_getparam_ioctl: default -> EINVAL */
	CHECK_ERRNO(getparam(fd, 0, &v), EINVAL);
	CHECK_ERRNO(getparam(fd, 9999, &v), EINVAL);
	CHECK_ERRNO(getparam(fd, -1, &v), EINVAL);
	CHECK_ERRNO(getparam(fd, 0x7fffffff, &v), EINVAL);
	/* failed calls leave *value alone */
	CHECK_EQ(v, 0x5555);
}

TEST(bad_value_pointer)
{
	struct drm_i915_getparam gp;
	int *ro;

	need_fd();
	REQUIRE(fd >= 0);
	/* i915_getparam_ioctl: put_user fails -> EFAULT */
	gp.param = I915_PARAM_CHIPSET_ID;
	gp.value = (int *)(uintptr_t)bad_ptr();
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GETPARAM, &gp), EFAULT);
	gp.value = NULL;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GETPARAM, &gp), EFAULT);
	gp.value = (int *)(uintptr_t)KERNEL_PTR;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GETPARAM, &gp), EFAULT);
	/* a read-only int is no place for the answer either */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(ro != MAP_FAILED);
	gp.value = ro;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GETPARAM, &gp), EFAULT);
	CHECK_EQ(*ro, 0);
	munmap(ro, 4096);
	/* nor is the struct itself readable at a bad address */
	CHECK_ERRNO(raw_ioctl(fd, DRM_IOCTL_I915_GETPARAM,
			      (void *)(uintptr_t)bad_ptr()), EFAULT);
	/* a fixed error wins over a bad pointer, as in i915's switch */
	gp.param = I915_PARAM_IRQ_ACTIVE;
	gp.value = NULL;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GETPARAM, &gp), ENODEV);
	/* the unknown-param check comes first: EINVAL even with a bad pointer */
	gp.param = 9999;
	gp.value = NULL;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GETPARAM, &gp), EINVAL);
	/* the device still answers */
	CHECK(device_answers_version(fd));
}

TEST(card_node_answers_too)
{
	int c = open_card(), v = 0;

	REQUIRE(c >= 0);
	CHECK_OK(getparam(c, I915_PARAM_CHIPSET_ID, &v));
	CHECK_EQ(v, 0x9a49);
	close(c);
}
