/*
 * EXECBUFFER2 argument validation, case by case and in i915's order: a
 * call with two faults must get the errno of the check the kernel makes
 * first. Kernel reference: i915_gem_execbuffer2_ioctl, check_buffer_count,
 * i915_gem_check_execbuffer, i915_gem_do_execbuffer, eb_select_context,
 * eb_select_engine / eb_select_legacy_ring, eb_lookup_vmas,
 * eb_validate_vma, eb_add_vma, eb_relocate_entry (gem/i915_gem_execbuffer.c)
 * and i915_user_extensions (i915_user_extensions.c); IGT gem_exec_params,
 * gem_exec_basic, gem_close (duplicates).
 */
#include "gemu_test.h"

GEMU_WATCHDOG(50)

static int fd = -1;
static uint32_t bb; /* 4 KiB: MI_BATCH_BUFFER_END at 0 and at 8 */

static int setup(void)
{
	static const uint32_t cmds[4] = { MI_BATCH_BUFFER_END, 0,
					  MI_BATCH_BUFFER_END, 0 };

	if (fd < 0) {
		fd = open_render();
		if (fd >= 0)
			bb = gem_create_with(fd, 4096, cmds, sizeof(cmds));
	}
	return fd >= 0 && bb;
}

/* One object (the batch), default context, render ring: EB1 sets it up. */
#define exec1(o, eb) ((void)(o), gemu_execbuf(fd, (eb)))

#define EB1(obj, eb)                                                      \
	struct drm_i915_gem_exec_object2 obj = { .handle = bb };          \
	struct drm_i915_gem_execbuffer2 eb;                               \
	gemu_eb_init(&eb, &obj, 1, I915_EXEC_RENDER, 0)

TEST(baseline_runs)
{
	REQUIRE(setup());
	EB1(o, eb);
	int v = 0;

	/* gemu must advertise execbuf2 before anything here can pass */
	CHECK_OK(getparam(fd, I915_PARAM_HAS_EXECBUF2, &v));
	CHECK_EQ(v, 1);
	REQUIRE_OK(exec1(&o, &eb));
	CHECK_OK(gem_wait_ns(fd, bb, 2000000000));
	/* the plain _IOW form runs the same handler */
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2, &eb));
	CHECK_OK(gem_wait_ns(fd, bb, 2000000000));
}

TEST(buffer_count)
{
	REQUIRE(setup());
	EB1(o, eb);

	/* check_buffer_count: count < 1 -> EINVAL, before any copy */
	eb.buffer_count = 0;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	eb.buffers_ptr = bad_ptr();
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	/* check_buffer_count: count > INT_MAX -> EINVAL */
	eb.buffer_count = 0x80000000u;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	eb.buffer_count = 0xffffffffu;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
}

TEST(illegal_flags)
{
	static const uint64_t bad[] = {
		I915_EXEC_CONSTANTS_ABSOLUTE, I915_EXEC_CONSTANTS_REL_SURFACE,
		I915_EXEC_CONSTANTS_MASK, I915_EXEC_RESOURCE_STREAMER,
		I915_EXEC_USE_EXTENSIONS << 1, 1ull << 31, 1ull << 32,
		1ull << 63,
	};
	unsigned int i;

	REQUIRE(setup());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EB1(o, eb);
		eb.flags |= bad[i];
		/* i915_gem_check_execbuffer: __I915_EXEC_ILLEGAL_FLAGS */
		if (!CHECK_ERRNO(exec1(&o, &eb), EINVAL))
			INFO("flag 0x%" PRIx64, bad[i]);
		/* ... checked before the object list is copied (EFAULT) */
		eb.buffers_ptr = bad_ptr();
		CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	}
	{
		EB1(o, eb);
		/* CONSTANTS_REL_GENERAL is the value 0: a no-op */
		eb.flags |= I915_EXEC_CONSTANTS_REL_GENERAL;
		CHECK_OK(exec1(&o, &eb));
	}
}

TEST(cliprects_and_dr)
{
	REQUIRE(setup());
	EB1(o, eb);

	/* i915_gem_check_execbuffer: cliprects only with FENCE_ARRAY/EXT */
	eb.num_cliprects = 1;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	eb.num_cliprects = 0;
	eb.cliprects_ptr = 1;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	eb.cliprects_ptr = 0;
	/* i915_gem_check_execbuffer: DR1 / DR4 must be zero */
	eb.DR1 = 1;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	eb.DR1 = 0;
	eb.DR4 = 1;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	/* i915_gem_check_execbuffer: DR4 == ~0 (old UXA) is fixed up to 0 */
	eb.DR4 = 0xffffffff;
	CHECK_OK(exec1(&o, &eb));
	eb.DR4 = 0;
	/* ... before the object list is copied */
	eb.DR1 = 1;
	eb.buffers_ptr = bad_ptr();
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
}

TEST(batch_start_and_len)
{
	REQUIRE(setup());
	EB1(o, eb);
	static const struct { uint32_t start, len; } bad[] = {
		{ 0, 0xffffffff }, { 0xffffffff, 0 }, { 0xffffffff, 0xffffffff },
		{ 0xfffffff8, 0 }, { 0, 0xfffffff8 }, { 4096, 0 },
		{ 4096, 4096 }, { 0, 4104 }, { 8, 4096 }, { 4, 0 }, { 0, 4 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		eb.batch_start_offset = bad[i].start;
		eb.batch_len = bad[i].len;
		/*
		 * i915_gem_check_execbuffer: (start | len) & 7 -> EINVAL;
		 * eb_add_vma: range_overflows(start, len, batch size) -> EINVAL
		 */
		if (!CHECK_ERRNO(exec1(&o, &eb), EINVAL))
			INFO("start %u len %u", bad[i].start, bad[i].len);
	}
	/* misalignment is found before the object list is copied */
	eb.batch_start_offset = 4;
	eb.batch_len = 0;
	eb.buffers_ptr = bad_ptr();
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	eb.buffers_ptr = (uintptr_t)&o;
	/* the batch at offset 8 holds another BB_END; len 0 = to the end */
	eb.batch_start_offset = 8;
	CHECK_OK(exec1(&o, &eb));
	eb.batch_len = 8;
	CHECK_OK(exec1(&o, &eb));
	/* the whole object, explicitly */
	eb.batch_start_offset = 0;
	eb.batch_len = 4096;
	CHECK_OK(exec1(&o, &eb));
	CHECK_OK(gem_wait_ns(fd, bb, 2000000000));
}

TEST(buffers_ptr)
{
	REQUIRE(setup());
	EB1(o, eb);

	/* i915_gem_execbuffer2_ioctl: copy_from_user of the list -> EFAULT */
	eb.buffers_ptr = bad_ptr();
	CHECK_ERRNO(exec1(&o, &eb), EFAULT);
	eb.buffers_ptr = KERNEL_PTR;
	CHECK_ERRNO(exec1(&o, &eb), EFAULT);
	eb.buffers_ptr = 0;
	CHECK_ERRNO(exec1(&o, &eb), EFAULT);
	/* the copy comes before the context lookup */
	eb.buffers_ptr = bad_ptr();
	eb.rsvd1 = 0x7ffff;
	CHECK_ERRNO(exec1(&o, &eb), EFAULT);
}

TEST(secure_batches)
{
	REQUIRE(setup());
	EB1(o, eb);

	/* i915_gem_do_execbuffer: I915_EXEC_SECURE on GRAPHICS_VER >= 11 */
	eb.flags |= I915_EXEC_SECURE;
	CHECK_ERRNO(exec1(&o, &eb), ENODEV);
	/* ... before the context is looked up */
	eb.rsvd1 = 0x7ffff;
	CHECK_ERRNO(exec1(&o, &eb), ENODEV);
	/* IS_PINNED only sets a dispatch flag */
	eb.flags = I915_EXEC_RENDER | I915_EXEC_IS_PINNED;
	eb.rsvd1 = 0;
	CHECK_OK(exec1(&o, &eb));
}

TEST(extensions)
{
	REQUIRE(setup());
	EB1(o, eb);
	struct i915_user_extension ext = { .name = 0x7fffffff };

	/* parse_execbuf2_extensions: FENCE_ARRAY shares cliprects_ptr */
	eb.flags |= I915_EXEC_USE_EXTENSIONS | I915_EXEC_FENCE_ARRAY;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	/* parse_execbuf2_extensions: num_cliprects must be 0 */
	eb.flags = I915_EXEC_RENDER | I915_EXEC_USE_EXTENSIONS;
	eb.num_cliprects = 1;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	eb.num_cliprects = 0;
	/* an empty chain is fine */
	CHECK_OK(exec1(&o, &eb));
	/* i915_user_extensions: unknown name -> EINVAL */
	eb.cliprects_ptr = (uintptr_t)&ext;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	/* i915_user_extensions: flags and rsvd must be zero */
	ext.name = DRM_I915_GEM_EXECBUFFER_EXT_TIMELINE_FENCES;
	ext.flags = 1;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	ext.flags = 0;
	ext.rsvd[1] = 1;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	/* i915_user_extensions: an unreadable extension -> EFAULT */
	eb.cliprects_ptr = bad_ptr();
	CHECK_ERRNO(exec1(&o, &eb), EFAULT);
	/* extensions are parsed before the context is looked up */
	eb.rsvd1 = 0x7ffff;
	CHECK_ERRNO(exec1(&o, &eb), EFAULT);
}

TEST(fence_fd_flags)
{
	REQUIRE(setup());
	EB1(o, eb);
	int has = -1;

	CHECK_OK(getparam(fd, I915_PARAM_HAS_EXEC_FENCE, &has));
	/*
	 * i915_gem_do_execbuffer: FENCE_IN and FENCE_SUBMIT together ->
	 * EINVAL; FENCE_IN with an fd that is no sync_file -> EINVAL. A
	 * driver without HAS_EXEC_FENCE does not know the flags: EINVAL too.
	 */
	eb.flags |= I915_EXEC_FENCE_IN | I915_EXEC_FENCE_SUBMIT;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	eb.flags = I915_EXEC_RENDER | I915_EXEC_FENCE_IN;
	eb.rsvd2 = (uint32_t)-1;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	eb.rsvd2 = fd;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	/*
	 * i915_gem_do_execbuffer reads rsvd2 only under FENCE_IN/SUBMIT:
	 * other bits of it are ignored. (IGT's "rsvd2-dirt" wants EINVAL
	 * but runs only when HAS_EXEC_FENCE is 0, i.e. on pre-4.10 kernels;
	 * 6.18 has no such check.)
	 */
	eb.flags = I915_EXEC_RENDER;
	eb.rsvd2 = 1;
	CHECK_OK(exec1(&o, &eb));
	eb.rsvd2 = ~0ull;
	CHECK_OK(exec1(&o, &eb));
	CHECK_OK(gem_wait_ns(fd, bb, 2000000000));
	INFO("HAS_EXEC_FENCE = %d", has);
}

TEST(contexts)
{
	REQUIRE(setup());
	EB1(o, eb);
	uint32_t ctx;

	/* eb_select_context -> i915_gem_context_lookup: unknown id */
	eb.rsvd1 = 0x7ffff;
	CHECK_ERRNO(exec1(&o, &eb), ENOENT);
	eb.rsvd1 = 0xffffffff;
	CHECK_ERRNO(exec1(&o, &eb), ENOENT);
	/* the context comes before the engine and the objects */
	eb.flags = 63;
	CHECK_ERRNO(exec1(&o, &eb), ENOENT);
	o.handle = 0x7ffffff0;
	CHECK_ERRNO(exec1(&o, &eb), ENOENT);
	o.handle = bb;
	eb.flags = I915_EXEC_RENDER;
	ctx = gem_ctx_create(fd);
	REQUIRE(ctx);
	eb.rsvd1 = ctx;
	CHECK_OK(exec1(&o, &eb));
	/* eb_select_context passes rsvd1 to a u32 id: the upper half drops */
	eb.rsvd1 = (1ull << 32) | ctx;
	CHECK_OK(exec1(&o, &eb));
	eb.rsvd1 = ctx;
	CHECK_OK(gem_ctx_destroy(fd, ctx));
	/* a destroyed context is gone */
	CHECK_ERRNO(exec1(&o, &eb), ENOENT);
}

TEST(rings)
{
	REQUIRE(setup());
	EB1(o, eb);
	/*
	 * eb_select_legacy_ring: with one VDBOX the BSD dispatch bits of a
	 * BSD submission are not looked at; on another ring they are EINVAL.
	 */
	static const uint64_t good[] = { I915_EXEC_DEFAULT, I915_EXEC_RENDER,
					 I915_EXEC_BLT, I915_EXEC_BSD,
					 I915_EXEC_VEBOX,
					 I915_EXEC_BSD | I915_EXEC_BSD_MASK,
					 I915_EXEC_BSD | I915_EXEC_BSD_RING1 };
	static const uint64_t bad[] = {
		I915_EXEC_VEBOX + 1, I915_EXEC_RING_MASK,
		I915_EXEC_RENDER | I915_EXEC_BSD_RING1,
		I915_EXEC_RENDER | I915_EXEC_BSD_RING2,
		I915_EXEC_BLT | I915_EXEC_BSD_RING1,
		I915_EXEC_BLT | I915_EXEC_BSD_RING2,
		I915_EXEC_DEFAULT | I915_EXEC_BSD_MASK,
	};
	unsigned int i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		eb.flags = good[i];
		if (!CHECK_OK(exec1(&o, &eb)))
			INFO("ring flags 0x%" PRIx64, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		eb.flags = bad[i];
		/*
		 * eb_select_legacy_ring / i915_gem_context_get_engine: no
		 * such ring, BSD bits on another ring
		 */
		if (!CHECK_ERRNO(exec1(&o, &eb), EINVAL))
			INFO("ring flags 0x%" PRIx64, bad[i]);
	}
	/* the engine is chosen before the objects are looked up */
	eb.flags = I915_EXEC_VEBOX + 1;
	o.handle = 0x7ffffff0;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	o.handle = bb;
	/* i915_reset_gen7_sol_offsets: SOL reset is gen7 only */
	eb.flags = I915_EXEC_RENDER | I915_EXEC_GEN7_SOL_RESET;
	CHECK_ERRNO(exec1(&o, &eb), EINVAL);
	CHECK_OK(gem_wait_ns(fd, bb, 2000000000));
}

TEST(object_lookup_and_flags)
{
	REQUIRE(setup());
	uint32_t t = gem_create(fd, 8192);
	struct drm_i915_gem_exec_object2 o[2] = { { .handle = t },
						  { .handle = bb } };
	struct drm_i915_gem_execbuffer2 eb;

	REQUIRE(t);
	gemu_eb_init(&eb, o, 2, I915_EXEC_RENDER, 0);
	CHECK_OK(gemu_execbuf(fd, &eb));
	/* eb_lookup_vma -> i915_gem_object_lookup: no such handle */
	o[0].handle = 0x7ffffff0;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), ENOENT);
	o[0].handle = 0;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), ENOENT);
	/* objects are looked up and validated one by one, in list order */
	o[1].flags = 1u << 8;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), ENOENT);
	o[0].handle = t;
	o[0].flags = 1u << 8;
	o[1].flags = 0;
	o[1].handle = 0x7ffffff0;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	o[1].handle = bb;
	/* eb_validate_vma: __EXEC_OBJECT_UNKNOWN_FLAGS */
	o[0].flags = 1u << 31;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	/* eb_select_context: NEEDS_GTT is invalid with full ppGTT */
	o[0].flags = EXEC_OBJECT_NEEDS_GTT;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	/* NEEDS_FENCE is dropped without fence registers; CAPTURE is fine */
	o[0].flags = EXEC_OBJECT_NEEDS_FENCE | EXEC_OBJECT_CAPTURE |
		     EXEC_OBJECT_ASYNC | EXEC_OBJECT_WRITE;
	CHECK_OK(gemu_execbuf(fd, &eb));
	/* eb_validate_vma: alignment not a power of two */
	o[0].flags = 0;
	o[0].alignment = 3;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	o[0].alignment = 4096 + 8192;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	o[0].alignment = 1 << 21;
	o[0].offset = 0;
	CHECK_OK(gemu_execbuf(fd, &eb));
	CHECK_EQ(o[0].offset & ((1 << 21) - 1), 0);
	o[0].alignment = 0;
	/* eb_validate_vma: pad_to_size must be page aligned (with the flag) */
	o[0].flags = EXEC_OBJECT_PAD_TO_SIZE;
	o[0].pad_to_size = 4095;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	o[0].pad_to_size = 1 << 20;
	CHECK_OK(gemu_execbuf(fd, &eb));
	/* ... and is ignored without it */
	o[0].flags = 0;
	o[0].pad_to_size = 4095;
	CHECK_OK(gemu_execbuf(fd, &eb));
	o[0].pad_to_size = 0;
	/* eb_add_vma: a batch marked WRITE (self-modifying) -> EINVAL */
	o[1].flags = EXEC_OBJECT_WRITE;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	o[1].flags = 0;
	CHECK_OK(gem_wait_ns(fd, bb, 2000000000));
	gem_close(fd, t);
}

TEST(duplicate_handles)
{
	REQUIRE(setup());
	uint32_t t = gem_create(fd, 4096);
	struct drm_i915_gem_exec_object2 o[3] = {
		{ .handle = t }, { .handle = t }, { .handle = bb } };
	struct drm_i915_gem_execbuffer2 eb;

	REQUIRE(t);
	gemu_eb_init(&eb, o, 3, I915_EXEC_RENDER, 0);
	/*
	 * 6.18 has no duplicate check: eb_lookup_vma finds the same vma,
	 * i915_gem_object_lock turns -EALREADY into 0 and eb_pin_vma finds
	 * it already bound. IGT gem_close accepts 0, EINVAL or EALREADY;
	 * this kernel gives 0.
	 */
	CHECK_OK(gemu_execbuf(fd, &eb));
	CHECK_EQ(o[0].offset, o[1].offset);
	CHECK_OK(gem_wait_ns(fd, bb, 2000000000));
	gem_close(fd, t);
}

TEST(relocation_checks)
{
	REQUIRE(setup());
	uint32_t t = gem_create(fd, 4096), b = gem_create(fd, 4096);
	struct drm_i915_gem_relocation_entry r = { 0 };
	struct drm_i915_gem_exec_object2 o[2] = {
		{ .handle = t },
		{ .handle = b, .relocs_ptr = (uintptr_t)&r,
		  .relocation_count = 1 },
	};
	struct drm_i915_gem_execbuffer2 eb;
	static const uint32_t cmds[4] = { MI_NOOP, MI_NOOP, MI_NOOP,
					  MI_BATCH_BUFFER_END };

	REQUIRE(t && b);
	gemu_eb_init(&eb, o, 2, I915_EXEC_RENDER, 0);
	/*
	 * The relocation probe (IGT gem_has_relocations): a relocation whose
	 * target is no object of the list. eb_relocate_entry -> eb_get_vma
	 * finds nothing: ENOENT means "relocations supported" (TGL is the
	 * last platform that has them, eb_validate_vma). The batch (zeros)
	 * never runs.
	 */
	r.target_handle = 0x7ffffff0;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), ENOENT);
	r.target_handle = 0;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), ENOENT);
	/* validation of every object comes before any relocation */
	o[0].flags = 1u << 9;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	o[0].flags = 0;
	/* HANDLE_LUT: target_handle is an index into the list */
	eb.flags |= I915_EXEC_HANDLE_LUT;
	r.target_handle = 2;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), ENOENT);
	r.target_handle = 0xffffffff;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), ENOENT);
	eb.flags &= ~(uint64_t)I915_EXEC_HANDLE_LUT;
	REQUIRE_OK(gem_pwrite(fd, b, 0, cmds, sizeof(cmds)));
	r.target_handle = t;
	r.presumed_offset = ~0ull; /* never right: always relocate */
	/* eb_relocate_entry: more than one write domain */
	r.read_domains = I915_GEM_DOMAIN_RENDER;
	r.write_domain = I915_GEM_DOMAIN_RENDER | I915_GEM_DOMAIN_SAMPLER;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	/* eb_relocate_entry: CPU or GTT domains are not GPU domains */
	r.write_domain = 0;
	r.read_domains = I915_GEM_DOMAIN_CPU;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	r.read_domains = I915_GEM_DOMAIN_GTT;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	r.read_domains = I915_GEM_DOMAIN_RENDER;
	/* eb_relocate_entry: beyond the object (8 bytes per 64-bit reloc) */
	r.offset = 4096 - 4;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	r.offset = 4096;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	/* eb_relocate_entry: not 4-byte aligned */
	r.offset = 2;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	/* a good one, past the batch's end (BB_END at 12) */
	r.offset = 16;
	r.presumed_offset = ~0ull;
	CHECK_OK(gemu_execbuf(fd, &eb));
	/* eb_relocate_vma: unreadable relocation array -> EFAULT */
	o[1].relocs_ptr = bad_ptr();
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EFAULT);
	o[1].relocs_ptr = (uintptr_t)&r;
	CHECK_OK(gem_wait_ns(fd, b, 2000000000));
	gem_close(fd, t);
	gem_close(fd, b);
}

TEST(batch_first)
{
	REQUIRE(setup());
	uint32_t t = gem_create(fd, 4096);
	struct drm_i915_gem_exec_object2 o[2] = {
		{ .handle = bb }, { .handle = t, .flags = EXEC_OBJECT_WRITE } };
	struct drm_i915_gem_execbuffer2 eb;

	REQUIRE(t);
	gemu_eb_init(&eb, o, 2, I915_EXEC_RENDER, 0);
	/*
	 * is_batch_buffer: the batch is the last object, or the first with
	 * BATCH_FIRST. eb_add_vma refuses a batch marked WRITE, which tells
	 * which object the kernel took as the batch.
	 */
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	eb.flags |= I915_EXEC_BATCH_FIRST;
	CHECK_OK(gemu_execbuf(fd, &eb));
	o[0].flags = EXEC_OBJECT_WRITE;
	o[1].flags = 0;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	CHECK_OK(gem_wait_ns(fd, bb, 2000000000));
	gem_close(fd, t);
}

TEST(legacy_execbuffer)
{
	REQUIRE(setup());
	struct drm_i915_gem_exec_object obj = { .handle = bb };
	struct drm_i915_gem_execbuffer eb = {
		.buffers_ptr = (uintptr_t)&obj, .buffer_count = 1,
	};

	int card;

	/* drm_ioctl_permit: no DRM_RENDER_ALLOW on a render node -> EACCES */
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER, &eb), EACCES);
	/* i915_ioctls: on the primary node it is drm_invalid_op -> EINVAL */
	card = open_card();
	REQUIRE(card >= 0);
	CHECK_ERRNO(do_ioctl(card, DRM_IOCTL_I915_GEM_EXECBUFFER, &eb), EINVAL);
	close(card);
}

TEST(offsets_written_back)
{
	REQUIRE(setup());
	EB1(o, eb);

	/*
	 * i915_gem_execbuffer2_ioctl writes the new offsets through
	 * buffers_ptr, for EXECBUFFER2 as for _WR; they are canonical
	 * and page aligned.
	 */
	o.offset = 0;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2, &eb));
	CHECK_EQ(o.offset & 4095, 0);
	CHECK_EQ(o.offset, canonical(o.offset));
	/* without 48B, below 4 GiB (PIN_ZONE_4G) */
	CHECK(o.offset < (1ull << 32));
	CHECK_OK(gem_wait_ns(fd, bb, 2000000000));
	/* _WR copies the arguments back: flags without internal bits */
	o.offset = 0;
	CHECK_OK(gemu_execbuf(fd, &eb));
	CHECK_EQ(eb.flags, I915_EXEC_RENDER);
	CHECK_EQ(eb.rsvd2, 0);
	CHECK_EQ(o.offset & 4095, 0);
	CHECK_OK(gem_wait_ns(fd, bb, 2000000000));
}

TEST(a_purged_batch_is_efault)
{
	static const uint32_t cmds[2] = { MI_BATCH_BUFFER_END, 0 };
	struct drm_i915_gem_madvise m = { .madv = I915_MADV_DONTNEED };
	uint32_t b;

	REQUIRE(setup());
	/*
	 * IGT gem_madvise dontneed-before-exec: a pwrite leaves the object
	 * without pages, DONTNEED then truncates it, and execbuf's
	 * __i915_gem_object_get_pages refuses a purged object: EFAULT.
	 */
	b = gem_create_with(fd, 4096, cmds, sizeof(cmds));
	REQUIRE(b);
	m.handle = b;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_MADVISE, &m));
	CHECK_EQ(m.retained, 0);
	CHECK_ERRNO(gemu_exec_pinned(fd, 0, I915_EXEC_RENDER, b, GEMU_BATCH_ADDR,
				     NULL, 0),
		    EFAULT);
	gem_close(fd, b);
}

/*
 * IGT gem_exec_params@mmapped: the arguments live in a PROT_WRITE-only
 * GEM mapping. x86 has no write-only pages, so copy_from_user reads them;
 * PROT_NONE memory still faults.
 */
TEST(arguments_in_a_write_only_mapping)
{
	struct drm_i915_gem_mmap_offset m = { .flags = I915_MMAP_OFFSET_WB };
	struct drm_i915_gem_execbuffer2 *eb;
	struct drm_i915_gem_exec_object2 *obj;
	uint32_t buf;

	REQUIRE(setup());
	buf = gem_create(fd, 4096);
	REQUIRE(buf);
	m.handle = buf;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m));
	eb = mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, fd, m.offset);
	REQUIRE(eb != MAP_FAILED);
	obj = (struct drm_i915_gem_exec_object2 *)(eb + 1);
	memset(obj, 0, sizeof(*obj));
	obj->handle = bb;
	gemu_eb_init(eb, obj, 1, I915_EXEC_RENDER, 0);
	CHECK_OK(gemu_execbuf(fd, eb));
	CHECK_OK(gem_wait_ns(fd, bb, 2000000000));
	/* the list moved into memory nobody may touch: EFAULT */
	CHECK(mprotect(eb, 4096, PROT_NONE) == 0);
	{
		struct drm_i915_gem_execbuffer2 e2;

		gemu_eb_init(&e2, obj, 1, I915_EXEC_RENDER, 0);
		CHECK_ERRNO(gemu_execbuf(fd, &e2), EFAULT);
	}
	munmap(eb, 4096);
	gem_close(fd, buf);
}
