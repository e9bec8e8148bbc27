/*
 * Explicit and implicit synchronisation of execbuf: fence arrays and the
 * timeline-fences extension on syncobjs (wait, signal, their errors), the
 * request's fence seen through SYNCOBJ_WAIT, implicit ordering of a read
 * after a write across contexts and engines, EXEC_OBJECT_ASYNC, and the
 * fence-fd flags on a driver that reports no HAS_EXEC_FENCE.
 * Kernel reference: add_fence_array, add_timeline_fence_array,
 * parse_execbuf2_extensions, await_fence_array, signal_fence_array,
 * eb_move_to_gpu (i915_request_await_object unless EXEC_OBJECT_ASYNC),
 * i915_gem_do_execbuffer (gem/i915_gem_execbuffer.c); drm_syncobj.c;
 * IGT gem_exec_fence (syncobj-*, timeline), gem_exec_async,
 * gem_exec_params (invalid-fence-in).
 */
#include "gemu_test.h"

GEMU_WATCHDOG(50)

#define SEC 1000000000ll
#define SPIN_ADDR 0x10000000ull
#define OBJ_ADDR 0x20000000ull
#define RES_ADDR 0x30000000ull

static int fd = -1;

static int setup(void)
{
	if (fd < 0)
		fd = open_render();
	return fd >= 0;
}

static uint32_t syncobj(uint32_t flags)
{
	struct drm_syncobj_create c = { .flags = flags };

	return do_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c) ? 0 : c.handle;
}

static void syncobj_destroy(uint32_t h)
{
	struct drm_syncobj_destroy d = { .handle = h };

	do_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

/* SYNCOBJ_WAIT on one binary syncobj, `rel_ns` from now. */
static int sync_wait(uint32_t h, int64_t rel_ns, uint32_t flags)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&h, .count_handles = 1,
		.timeout_nsec = gemu_now_ns() + rel_ns, .flags = flags,
	};

	return do_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

/* SYNCOBJ_TIMELINE_WAIT on one point, `rel_ns` from now. */
static int point_wait(uint32_t h, uint64_t point, int64_t rel_ns,
		      uint32_t flags)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&h, .points = (uintptr_t)&point,
		.count_handles = 1, .timeout_nsec = gemu_now_ns() + rel_ns,
		.flags = flags,
	};

	return do_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

/*
 * A batch softpinned at baddr with objects `p`, plus either a fence array
 * (fences, nf: FENCE_ARRAY) or an extension chain (ext).
 */
static int submit(uint32_t ctx, uint64_t ring, uint32_t batch, uint64_t baddr,
		  const struct gemu_pin *p, unsigned int n,
		  struct drm_i915_gem_exec_fence *fences, unsigned int nf,
		  void *ext)
{
	struct drm_i915_gem_exec_object2 o[8];
	struct drm_i915_gem_execbuffer2 eb;
	unsigned int i;

	memset(o, 0, sizeof(o));
	for (i = 0; i < n; i++) {
		o[i].handle = p[i].handle;
		o[i].offset = p[i].addr;
		o[i].flags = EXEC_OBJECT_PINNED |
			     EXEC_OBJECT_SUPPORTS_48B_ADDRESS | p[i].flags;
	}
	o[n].handle = batch;
	o[n].offset = baddr;
	o[n].flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_SUPPORTS_48B_ADDRESS;
	gemu_eb_init(&eb, o, n + 1, ring, ctx);
	if (fences) {
		eb.flags |= I915_EXEC_FENCE_ARRAY;
		eb.num_cliprects = nf;
		eb.cliprects_ptr = (uintptr_t)fences;
	}
	if (ext) {
		eb.flags |= I915_EXEC_USE_EXTENSIONS;
		eb.cliprects_ptr = (uintptr_t)ext;
	}
	return gemu_execbuf(fd, &eb);
}

/* A batch that stores v at RES_ADDR (the object pinned there). */
static uint32_t store_batch(uint32_t v)
{
	const uint32_t cmds[6] = { MI_STORE_DWORD_IMM_GEN8, (uint32_t)RES_ADDR,
				   0, v, MI_BATCH_BUFFER_END, 0 };

	return gem_create_with(fd, 4096, cmds, sizeof(cmds));
}

/* A batch that only ends. */
static uint32_t bbe_batch(void)
{
	const uint32_t cmds[2] = { MI_BATCH_BUFFER_END, 0 };

	return gem_create_with(fd, 4096, cmds, sizeof(cmds));
}

TEST(fence_array_errors)
{
	struct drm_i915_gem_exec_fence f[2];
	uint32_t b, s, empty;

	REQUIRE(setup());
	b = bbe_batch();
	s = syncobj(DRM_SYNCOBJ_CREATE_SIGNALED);
	empty = syncobj(0);
	REQUIRE(b && s && empty);
	memset(f, 0, sizeof(f));
	f[0].handle = s;
	f[0].flags = I915_EXEC_FENCE_WAIT;
	CHECK_OK(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, f, 1,
			NULL));
	/* add_fence_array: unknown flags (__I915_EXEC_FENCE_UNKNOWN_FLAGS) */
	f[0].flags = 1u << 2;
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, f, 1,
			   NULL), EINVAL);
	/* add_fence_array: drm_syncobj_find fails -> ENOENT */
	f[0].flags = I915_EXEC_FENCE_WAIT;
	f[0].handle = 0x7ffff;
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, f, 1,
			   NULL), ENOENT);
	f[0].flags = 0;
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, f, 1,
			   NULL), ENOENT);
	/* add_fence_array: WAIT on a syncobj without a fence -> EINVAL */
	f[0].handle = empty;
	f[0].flags = I915_EXEC_FENCE_WAIT;
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, f, 1,
			   NULL), EINVAL);
	/* ... a later bad entry fails the whole call */
	f[0].handle = s;
	f[1].handle = empty;
	f[1].flags = I915_EXEC_FENCE_WAIT;
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, f, 2,
			   NULL), EINVAL);
	/* the failed call signalled nothing: empty is still empty */
	CHECK_ERRNO(sync_wait(empty, 0, 0), EINVAL);
	/* add_fence_array: the array is unreadable -> EFAULT */
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0,
			   (void *)(uintptr_t)bad_ptr(), 1, NULL), EFAULT);
	/* fences are read before the context is looked up */
	f[0].flags = 1u << 5;
	CHECK_ERRNO(submit(0x7ffff, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, f,
			   1, NULL), EINVAL);
	/* FENCE_ARRAY with zero fences is a plain execbuf */
	CHECK_OK(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, f, 0,
			NULL));
	CHECK_OK(gem_wait_ns(fd, b, 5 * SEC));
	syncobj_destroy(s);
	syncobj_destroy(empty);
	gem_close(fd, b);
}

TEST(signal_and_wait_through_syncobjs)
{
	struct drm_i915_gem_exec_fence f[2];
	struct gemu_spin spin;
	struct gemu_pin res;
	uint32_t out, r, b;

	REQUIRE(setup());
	REQUIRE_OK(gemu_spin_init(fd, &spin, SPIN_ADDR));
	out = syncobj(0);
	r = gem_create(fd, 4096);
	b = store_batch(0x5150);
	REQUIRE(out && r && b);
	memset(f, 0, sizeof(f));
	/* the spinner signals `out` (signal_fence_array replaces its fence) */
	f[0].handle = out;
	f[0].flags = I915_EXEC_FENCE_SIGNAL;
	REQUIRE_OK(submit(0, I915_EXEC_RENDER, spin.handle, SPIN_ADDR, NULL, 0,
			  f, 1, NULL));
	/*
	 * the fence is there (WAIT_AVAILABLE: only TIMELINE_WAIT takes it,
	 * drm_syncobj_wait_ioctl's possible_flags do not) but not signalled
	 */
	CHECK_OK(point_wait(out, 0, 0, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE));
	CHECK_ERRNO(sync_wait(out, 50000000, 0), ETIME);
	/* a batch on another context and engine waits for it */
	f[0].flags = I915_EXEC_FENCE_WAIT;
	res = (struct gemu_pin){ r, RES_ADDR, EXEC_OBJECT_WRITE };
	{
		uint32_t ctx = gem_ctx_create(fd);

		REQUIRE(ctx);
		REQUIRE_OK(submit(ctx, I915_EXEC_BLT, b, SPIN_ADDR + 0x100000,
				  &res, 1, f, 1, NULL));
		/*
		 * await_fence_array: not run while the spinner spins (pread
		 * would wait for it: ask GEM_WAIT instead)
		 */
		CHECK_ERRNO(gem_wait_ns(fd, r, 100000000), ETIME);
		CHECK(gem_busy_word(fd, r) != 0);
		gemu_spin_end(&spin);
		CHECK_OK(sync_wait(out, 5 * SEC, 0));
		CHECK_OK(gem_wait_ns(fd, r, 5 * SEC));
		CHECK_EQ(gem_read32(fd, r, 0), 0x5150);
		CHECK_OK(gem_ctx_destroy(fd, ctx));
	}
	/* WAIT | SIGNAL on one binary syncobj: waits on the old, then new */
	f[0].flags = I915_EXEC_FENCE_WAIT | I915_EXEC_FENCE_SIGNAL;
	CHECK_OK(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR + 0x100000, &res, 1,
			f, 1, NULL));
	CHECK_OK(sync_wait(out, 5 * SEC, 0));
	gemu_spin_fini(fd, &spin);
	syncobj_destroy(out);
	gem_close(fd, b);
	gem_close(fd, r);
}

TEST(timeline_fences)
{
	struct drm_i915_gem_execbuffer_ext_timeline_fences tf;
	struct drm_i915_gem_exec_fence f[2];
	uint64_t v[2], q = 0;
	struct drm_syncobj_timeline_array qa;
	uint32_t t, b, empty;

	REQUIRE(setup());
	t = syncobj(0);
	empty = syncobj(0);
	b = bbe_batch();
	REQUIRE(t && b && empty);
	memset(&tf, 0, sizeof(tf));
	memset(f, 0, sizeof(f));
	tf.base.name = DRM_I915_GEM_EXECBUFFER_EXT_TIMELINE_FENCES;
	tf.handles_ptr = (uintptr_t)f;
	tf.values_ptr = (uintptr_t)v;
	/* fence_count 0: nothing to do */
	CHECK_OK(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, NULL, 0,
			&tf));
	/* signal point 3 */
	tf.fence_count = 1;
	f[0].handle = t;
	f[0].flags = I915_EXEC_FENCE_SIGNAL;
	v[0] = 3;
	REQUIRE_OK(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, NULL, 0,
			  &tf));
	CHECK_OK(point_wait(t, 3, 5 * SEC, 0));
	qa = (struct drm_syncobj_timeline_array){
		.handles = (uintptr_t)&t, .points = (uintptr_t)&q,
		.count_handles = 1,
	};
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &qa));
	CHECK_EQ(q, 3);
	/* wait on point 3, signal point 5 */
	f[0].flags = I915_EXEC_FENCE_WAIT;
	v[0] = 3;
	f[1].handle = t;
	f[1].flags = I915_EXEC_FENCE_SIGNAL;
	v[1] = 5;
	tf.fence_count = 2;
	CHECK_OK(submit(0, I915_EXEC_BLT, b, SPIN_ADDR, NULL, 0, NULL, 0, &tf));
	CHECK_OK(point_wait(t, 5, 5 * SEC, 0));
	tf.fence_count = 1;

	/* add_timeline_fence_array: WAIT and SIGNAL of one point != 0 */
	f[0].flags = I915_EXEC_FENCE_WAIT | I915_EXEC_FENCE_SIGNAL;
	v[0] = 9;
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, NULL, 0,
			   &tf), EINVAL);
	/* ... a point that is not there yet (dma_fence_chain_find_seqno) */
	f[0].flags = I915_EXEC_FENCE_WAIT;
	v[0] = 9;
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, NULL, 0,
			   &tf), EINVAL);
	/* ... unknown flags, unknown handle, a syncobj with no fence */
	f[0].flags = 1u << 2;
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, NULL, 0,
			   &tf), EINVAL);
	f[0].flags = I915_EXEC_FENCE_WAIT;
	f[0].handle = 0x7ffff;
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, NULL, 0,
			   &tf), ENOENT);
	f[0].handle = empty;
	v[0] = 0;
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, NULL, 0,
			   &tf), EINVAL);
	/* ... unreadable handles or values -> EFAULT */
	f[0].handle = t;
	tf.handles_ptr = bad_ptr();
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, NULL, 0,
			   &tf), EFAULT);
	tf.handles_ptr = (uintptr_t)f;
	tf.values_ptr = bad_ptr();
	CHECK_ERRNO(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, NULL, 0,
			   &tf), EFAULT);
	tf.values_ptr = (uintptr_t)v;
	/* signalling point 0 of a syncobj replaces its fence (binary use) */
	f[0].handle = empty;
	f[0].flags = I915_EXEC_FENCE_SIGNAL;
	v[0] = 0;
	CHECK_OK(submit(0, I915_EXEC_RENDER, b, SPIN_ADDR, NULL, 0, NULL, 0,
			&tf));
	CHECK_OK(sync_wait(empty, 5 * SEC, 0));
	CHECK_OK(gem_wait_ns(fd, b, 5 * SEC));
	syncobj_destroy(t);
	syncobj_destroy(empty);
	gem_close(fd, b);
}

/*
 * A spinner on rcs0 (context a) uses `obj` with `spin_flags`; a store on
 * bcs0 (context b) that lists `obj` with `flags` writes 1 into a result
 * object. Returns 1 when the store completed within 100 ms, while the
 * spinner still spins, 0 when it did not (GEM_WAIT: a pread would wait
 * for it); then everything is ended and waited for.
 */
static uint32_t store_while_spinning(uint64_t spin_flags, uint64_t flags)
{
	struct gemu_spin spin;
	uint32_t a = gem_ctx_create(fd), bctx = gem_ctx_create(fd);
	uint32_t obj = gem_create(fd, 4096), r = gem_create(fd, 4096);
	uint32_t b = store_batch(1), seen = 0xdead;
	struct gemu_pin sp[1] = { { obj, OBJ_ADDR, spin_flags } };
	struct gemu_pin p[2] = { { obj, OBJ_ADDR, flags },
				 { r, RES_ADDR, EXEC_OBJECT_WRITE } };

	if (!a || !bctx || !obj || !r || !b ||
	    gemu_spin_init(fd, &spin, SPIN_ADDR))
		return 0xbad;
	if (submit(a, I915_EXEC_RENDER, spin.handle, SPIN_ADDR, sp, 1, NULL, 0,
		   NULL) == 0 &&
	    submit(bctx, I915_EXEC_BLT, b, SPIN_ADDR + 0x100000, p, 2, NULL, 0,
		   NULL) == 0) {
		int w = gem_wait_ns(fd, r, 100000000);

		seen = w == 0 ? 1 : w == -ETIME ? 0 : 0xbad;
	}
	gemu_spin_end(&spin);
	CHECK_OK(gem_wait_ns(fd, spin.handle, 5 * SEC));
	CHECK_OK(gem_wait_ns(fd, r, 5 * SEC));
	/* in every case the store ran in the end */
	CHECK_EQ(gem_read32(fd, r, 0), 1);
	gemu_spin_fini(fd, &spin);
	gem_ctx_destroy(fd, a);
	gem_ctx_destroy(fd, bctx);
	gem_close(fd, obj);
	gem_close(fd, r);
	gem_close(fd, b);
	return seen;
}

TEST(implicit_sync)
{
	REQUIRE(setup());
	/*
	 * eb_move_to_gpu -> i915_request_await_object: a reader waits for
	 * the last writer, a writer waits for everyone; readers do not
	 * wait for readers. EXEC_OBJECT_ASYNC skips the wait.
	 */
	CHECK_EQ(store_while_spinning(EXEC_OBJECT_WRITE, 0), 0);
	CHECK_EQ(store_while_spinning(EXEC_OBJECT_WRITE, EXEC_OBJECT_WRITE), 0);
	CHECK_EQ(store_while_spinning(0, EXEC_OBJECT_WRITE), 0);
	CHECK_EQ(store_while_spinning(0, 0), 1);
	CHECK_EQ(store_while_spinning(EXEC_OBJECT_WRITE, EXEC_OBJECT_ASYNC), 1);
	CHECK_EQ(store_while_spinning(EXEC_OBJECT_WRITE,
				      EXEC_OBJECT_ASYNC | EXEC_OBJECT_WRITE),
		 1);
}

TEST(fence_fd_flags)
{
	struct drm_i915_gem_exec_object2 o = { 0 };
	struct drm_i915_gem_execbuffer2 eb;
	int has = -1, has_submit = -1;

	REQUIRE(setup());
	CHECK_OK(getparam(fd, I915_PARAM_HAS_EXEC_FENCE, &has));
	CHECK_OK(getparam(fd, I915_PARAM_HAS_EXEC_SUBMIT_FENCE, &has_submit));
	if (has != 0)
		SKIP("HAS_EXEC_FENCE is %d: fence fds need fd passing (a later"
		     " issue); their cases belong there", has);
	/* DESIGN §5: HAS_EXEC_FENCE only where fence fds can be made */
	CHECK_EQ(has_submit, 0);
	o.handle = bbe_batch();
	REQUIRE(o.handle);
	/*
	 * A driver without exec fences does not know FENCE_IN/OUT/SUBMIT:
	 * unknown flags -> EINVAL (as i915 before v4.10, and what IGT's
	 * gem_has_exec_fence() probes), and no fd is made.
	 */
	gemu_eb_init(&eb, &o, 1, I915_EXEC_RENDER | I915_EXEC_FENCE_OUT, 0);
	eb.rsvd2 = 0;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	CHECK_EQ(eb.rsvd2 >> 32, 0);
	gemu_eb_init(&eb, &o, 1, I915_EXEC_RENDER | I915_EXEC_FENCE_IN, 0);
	eb.rsvd2 = (uint32_t)-1;
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	gemu_eb_init(&eb, &o, 1, I915_EXEC_RENDER | I915_EXEC_FENCE_SUBMIT, 0);
	CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	/* the flags next to them (FENCE_ARRAY, extensions) stay usable */
	gemu_eb_init(&eb, &o, 1, I915_EXEC_RENDER | I915_EXEC_FENCE_ARRAY, 0);
	CHECK_OK(gemu_execbuf(fd, &eb));
	CHECK_OK(gem_wait_ns(fd, o.handle, 5 * SEC));
	gem_close(fd, o.handle);
}
