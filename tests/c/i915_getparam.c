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

TEST(always_one)
{
	/* i915_getparam_ioctl: "For the time being all of these are always true" */
	static const struct {
		int param;
		const char *name;
	} ones[] = {
		{ I915_PARAM_HAS_GEM, "HAS_GEM" },
		{ I915_PARAM_HAS_PAGEFLIPPING, "HAS_PAGEFLIPPING" },
		{ I915_PARAM_HAS_EXECBUF2, "HAS_EXECBUF2" },
		{ I915_PARAM_HAS_RELAXED_FENCING, "HAS_RELAXED_FENCING" },
		{ I915_PARAM_HAS_COHERENT_RINGS, "HAS_COHERENT_RINGS" },
		{ I915_PARAM_HAS_RELAXED_DELTA, "HAS_RELAXED_DELTA" },
		{ I915_PARAM_HAS_GEN7_SOL_RESET, "HAS_GEN7_SOL_RESET" },
		{ I915_PARAM_HAS_WAIT_TIMEOUT, "HAS_WAIT_TIMEOUT" },
		{ I915_PARAM_HAS_PRIME_VMAP_FLUSH, "HAS_PRIME_VMAP_FLUSH" },
		{ I915_PARAM_HAS_PINNED_BATCHES, "HAS_PINNED_BATCHES" },
		{ I915_PARAM_HAS_EXEC_NO_RELOC, "HAS_EXEC_NO_RELOC" },
		{ I915_PARAM_HAS_EXEC_HANDLE_LUT, "HAS_EXEC_HANDLE_LUT" },
		{ I915_PARAM_HAS_COHERENT_PHYS_GTT, "HAS_COHERENT_PHYS_GTT" },
		{ I915_PARAM_HAS_EXEC_SOFTPIN, "HAS_EXEC_SOFTPIN" },
		{ I915_PARAM_HAS_EXEC_ASYNC, "HAS_EXEC_ASYNC" },
		{ I915_PARAM_HAS_EXEC_CAPTURE, "HAS_EXEC_CAPTURE" },
		{ I915_PARAM_HAS_EXEC_BATCH_FIRST, "HAS_EXEC_BATCH_FIRST" },
		{ I915_PARAM_HAS_EXEC_FENCE_ARRAY, "HAS_EXEC_FENCE_ARRAY" },
		{ I915_PARAM_HAS_EXEC_TIMELINE_FENCES, "HAS_EXEC_TIMELINE_FENCES" },
		{ I915_PARAM_HAS_USERPTR_PROBE, "HAS_USERPTR_PROBE" },
		/* the same list holds MMAP_VERSION: it is 1, not a GTT version */
		{ I915_PARAM_MMAP_VERSION, "MMAP_VERSION" },
	};
	unsigned int i;
	int v;

	need_fd();
	REQUIRE(fd >= 0);
	for (i = 0; i < sizeof(ones) / sizeof(ones[0]); i++) {
		v = -1;
		if (!CHECK_OK(getparam(fd, ones[i].param, &v)) ||
		    !CHECK_EQ(v, 1))
			fprintf(stderr, "  ... param %s\n", ones[i].name);
	}

	/*
	 * HAS_EXEC_FENCE and HAS_EXEC_SUBMIT_FENCE are 1 in i915 too; DESIGN §5
	 * lets gemu say 0 until fence fds exist. They must still answer.
	 */
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_EXEC_FENCE, &v));
	CHECK(v == 0 || v == 1);
	v = -1;
	CHECK_OK(getparam(fd, I915_PARAM_HAS_EXEC_SUBMIT_FENCE, &v));
	CHECK(v == 0 || v == 1);
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
