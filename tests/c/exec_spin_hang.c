/*
 * The IGT spinner and GPU hangs.
 *
 * Spinner (DESIGN §4, IGT lib/igt_dummyload.c): a 4 KiB batch mapped WC;
 * from byte 64 a loop of MI_ARB_CHECK, 960 MI_NOOPs, MI_COND_BATCH_BUFFER_END
 * (compare mode: the batch goes on while the dword at batch+4088 is greater
 * than the inline data MI_BATCH_BUFFER_END) and MI_BATCH_BUFFER_START back
 * to byte 64; both addresses are relocations of the batch into itself, as
 * IGT emits them. The CPU ends it by writing MI_BATCH_BUFFER_END at 4088.
 *
 * Hangs: a batch with a command the engine does not know. The execbuf
 * succeeds; the engine is reset within bounded time, the request's fence
 * signals (with -EIO), GET_RESET_STATS counts it against the context, and
 * a bannable context hanging three times within 120 s is banned
 * (eb_pin_engine: intel_context_is_banned -> EIO) while other contexts
 * keep running. Kernel reference: gt/intel_reset.c (mark_guilty: 3 hangs
 * within CONTEXT_FAST_HANG_JIFFIES, or one when not recoverable;
 * client_mark_guilty), i915_gem_context_reset_stats_ioctl,
 * eb_pin_engine; IGT gem_ctx_exec, i915_hangman, gem_reset_stats.
 */
#include "gemu_test.h"

GEMU_WATCHDOG(55)

#define SEC 1000000000ll
#define COND_DW (4088 / 4)

static int fd = -1;

static int setup(void)
{
	if (fd < 0)
		fd = open_render();
	return fd >= 0;
}

struct spinner {
	uint32_t handle;
	uint32_t *map;
	struct drm_i915_gem_relocation_entry r[2];
	struct drm_i915_gem_exec_object2 obj;
};

/* Build the IGT-style spinner (not yet submitted). */
static int spinner_init(struct spinner *s)
{
	uint32_t *cs;

	memset(s, 0, sizeof(*s));
	s->handle = gem_create(fd, 4096);
	if (!s->handle)
		return -ENOMEM;
	s->map = gem_mmap_type(fd, s->handle, 4096, I915_MMAP_OFFSET_WC);
	if (!s->map)
		return -ENOMEM;
	/* byte 0: jump into the loop (a relocation too) */
	s->map[0] = MI_NOOP;
	cs = s->map + 16;
	*cs++ = MI_ARB_CHECK;
	cs += 960; /* MI_NOOPs: a new object reads zero */
	s->r[0].offset = (cs + 2 - s->map) * 4;
	s->r[0].delta = 4088;
	*cs++ = MI_COND_BATCH_BUFFER_END | MI_DO_COMPARE | 2;
	*cs++ = MI_BATCH_BUFFER_END; /* inline compare data */
	*cs++ = 0;                   /* address of batch+4088, relocated */
	*cs++ = 0;
	s->r[1].offset = (cs + 1 - s->map) * 4;
	s->r[1].delta = 64;
	*cs++ = MI_BATCH_BUFFER_START_GEN8;
	*cs++ = 0;
	*cs++ = 0;
	s->map[COND_DW] = 0xffffffff;
	s->map[COND_DW + 1] = 0xffffffff;
	/* byte 0 falls through NOOPs to the loop at 64 */
	__sync_synchronize();
	for (int i = 0; i < 2; i++) {
		s->r[i].target_handle = s->handle;
		s->r[i].presumed_offset = ~0ull;
		s->r[i].read_domains = I915_GEM_DOMAIN_COMMAND;
	}
	s->obj.handle = s->handle;
	s->obj.relocs_ptr = (uintptr_t)s->r;
	s->obj.relocation_count = 2;
	return 0;
}

static int spinner_submit(struct spinner *s, uint32_t ctx, uint64_t ring,
			  struct drm_i915_gem_exec_fence *f)
{
	struct drm_i915_gem_execbuffer2 eb;

	gemu_eb_init(&eb, &s->obj, 1, ring, ctx);
	if (f) {
		eb.flags |= I915_EXEC_FENCE_ARRAY;
		eb.num_cliprects = 1;
		eb.cliprects_ptr = (uintptr_t)f;
	}
	return gemu_execbuf(fd, &eb);
}

static void spinner_end(struct spinner *s)
{
	s->map[COND_DW] = MI_BATCH_BUFFER_END;
	__sync_synchronize();
}

static void spinner_fini(struct spinner *s)
{
	if (s->map) {
		spinner_end(s);
		munmap(s->map, 4096);
	}
	if (s->handle)
		gem_close(fd, s->handle);
	memset(s, 0, sizeof(*s));
}

/* utime + stime of gemu (this client's parent: `gemu run` hosts the daemon). */
static long long parent_cpu_ticks(void)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)getppid());
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')'); /* the name may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
				"%llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

TEST(spinner_spins_until_the_cpu_ends_it)
{
	struct spinner s;
	long long c0, c1;
	int64_t t0, t;

	REQUIRE(setup());
	REQUIRE_OK(spinner_init(&s));
	REQUIRE_OK(spinner_submit(&s, 0, I915_EXEC_RENDER, NULL));
	usleep(20000);
	/* i915_gem_busy_ioctl: read by rcs0 (class 0) */
	CHECK_EQ(gem_busy_word(fd, s.handle), 0x10000);
	/* i915_gem_wait_ioctl: still spinning after the timeout -> ETIME */
	t0 = gemu_now_ns();
	CHECK_ERRNO(gem_wait_ns(fd, s.handle, 100000000), ETIME);
	t = gemu_now_ns() - t0;
	CHECK(t >= 90000000);
	CHECK(t < 2 * SEC);
	/* the kernel relocated both self-references */
	CHECK_EQ(s.r[0].presumed_offset, s.obj.offset);
	CHECK_EQ(s.map[16 + 1 + 960 + 2],
		 (uint32_t)(s.obj.offset + 4088));

	/*
	 * A spinning engine must poll, not burn a core (DESIGN §4: re-read
	 * memory every iteration and back off, 2 cores shared): gemu's CPU
	 * time (utime + stime of this client's parent, `gemu run`, which
	 * hosts the daemon's threads) over 300 ms of spinning stays under
	 * 40% of one core.
	 */
	c0 = parent_cpu_ticks();
	t0 = gemu_now_ns();
	usleep(300000);
	c1 = parent_cpu_ticks();
	t = gemu_now_ns() - t0;
	CHECK(c0 >= 0 && c1 >= 0);
	if (c0 >= 0 && c1 >= 0) {
		double share = (double)(c1 - c0) / sysconf(_SC_CLK_TCK) /
			       ((double)t / 1e9);

		INFO("gemu used %.0f%% of a core while the spinner spun",
		     share * 100);
		CHECK(share < 0.40);
	}
	CHECK_EQ(gem_busy_word(fd, s.handle), 0x10000);

	/* the CPU ends it: the engine notices at once */
	spinner_end(&s);
	t0 = gemu_now_ns();
	CHECK_OK(gem_wait_ns(fd, s.handle, 5 * SEC));
	t = gemu_now_ns() - t0;
	INFO("ended %.2f ms after the write", t / 1e6);
	CHECK(t < 500000000);
	CHECK_EQ(gem_busy_word(fd, s.handle), 0);
	spinner_fini(&s);
}

TEST(spinners_on_both_engines_and_contexts)
{
	struct spinner a, b;
	uint32_t ctx;
	struct drm_i915_reset_stats rs = { 0 };

	REQUIRE(setup());
	ctx = gem_ctx_create(fd);
	REQUIRE(ctx);
	REQUIRE_OK(spinner_init(&a));
	REQUIRE_OK(spinner_init(&b));
	REQUIRE_OK(spinner_submit(&a, ctx, I915_EXEC_RENDER, NULL));
	REQUIRE_OK(spinner_submit(&b, 0, I915_EXEC_BLT, NULL));
	usleep(20000);
	CHECK_EQ(gem_busy_word(fd, a.handle), 0x10000);
	CHECK_EQ(gem_busy_word(fd, b.handle), 0x20000);
	/*
	 * A spinner with MI_ARB_CHECK is preemptible: the heartbeat finds
	 * the engine responsive, so 2.5 s of spinning is not a hang.
	 */
	usleep(2500000);
	CHECK_EQ(gem_busy_word(fd, a.handle), 0x10000);
	spinner_end(&b);
	CHECK_OK(gem_wait_ns(fd, b.handle, 5 * SEC));
	CHECK_EQ(gem_busy_word(fd, a.handle), 0x10000);
	spinner_end(&a);
	CHECK_OK(gem_wait_ns(fd, a.handle, 5 * SEC));
	rs.ctx_id = ctx;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GET_RESET_STATS, &rs));
	CHECK_EQ(rs.batch_active, 0);
	CHECK_EQ(rs.reset_count, 0);
	spinner_fini(&a);
	spinner_fini(&b);
	CHECK_OK(gem_ctx_destroy(fd, ctx));
}

/*
 * Submit a batch whose first command is unknown to the engine (0xdeadbeef
 * is no MI/2D/3D command) on `ctx`, signalling syncobj `out`; returns the
 * execbuf result, then waits (10 s at most) for the hang to be handled.
 */
static int hang(int f, uint32_t ctx, uint32_t out, int64_t *took)
{
	const uint32_t cmds[4] = { 0xdeadbeef, MI_BATCH_BUFFER_END, 0, 0 };
	struct drm_i915_gem_exec_fence fence = {
		.handle = out, .flags = I915_EXEC_FENCE_SIGNAL,
	};
	struct drm_i915_gem_exec_object2 o = { 0 };
	struct drm_i915_gem_execbuffer2 eb;
	int64_t t0 = gemu_now_ns();
	int r;

	o.handle = gem_create_with(f, 4096, cmds, sizeof(cmds));
	if (!o.handle)
		return -ENOMEM;
	gemu_eb_init(&eb, &o, 1, I915_EXEC_RENDER, ctx);
	if (out) {
		eb.flags |= I915_EXEC_FENCE_ARRAY;
		eb.num_cliprects = 1;
		eb.cliprects_ptr = (uintptr_t)&fence;
	}
	r = gemu_execbuf(f, &eb);
	if (r == 0) {
		/* i915_gem_wait_ioctl reports 0 for a fence with an error */
		CHECK_OK(gem_wait_ns(f, o.handle, 10 * SEC));
		if (took)
			*took = gemu_now_ns() - t0;
	}
	gem_close(f, o.handle);
	return r;
}

static struct drm_i915_reset_stats stats(int f, uint32_t ctx)
{
	struct drm_i915_reset_stats rs = { .ctx_id = ctx };

	if (do_ioctl(f, DRM_IOCTL_I915_GET_RESET_STATS, &rs))
		rs.batch_active = rs.batch_pending = rs.reset_count = 0xdead;
	return rs;
}

/* A store of v at 0x100000 (softpinned t) on ctx; 0 or -errno. */
static int store(int f, uint32_t ctx, uint32_t t, uint32_t v)
{
	const uint32_t cmds[5] = { MI_STORE_DWORD_IMM_GEN8, 0x100000, 0, v,
				   MI_BATCH_BUFFER_END };
	struct gemu_pin p = { t, 0x100000, EXEC_OBJECT_WRITE };

	return gemu_exec_cmds(f, ctx, I915_EXEC_RENDER, cmds, sizeof(cmds), &p,
			      1);
}

TEST(a_hang_is_reset_and_counted)
{
	struct drm_syncobj_create sc = { 0 };
	struct drm_syncobj_wait w = { 0 };
	uint32_t ctx, other, t;
	int64_t took = -1;

	REQUIRE(setup());
	ctx = gem_ctx_create(fd);
	other = gem_ctx_create(fd);
	t = gem_create(fd, 4096);
	REQUIRE(ctx && other && t);
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc));
	/* the execbuf itself succeeds: nothing checks the commands */
	CHECK_OK(hang(fd, ctx, sc.handle, &took));
	INFO("hang handled in %.1f ms", took / 1e6);
	CHECK(took >= 0 && took < 10 * SEC);
	/* the request's fence signalled (with an error) in the syncobj */
	w.handles = (uintptr_t)&sc.handle;
	w.count_handles = 1;
	w.timeout_nsec = gemu_now_ns() + SEC;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w));
	/* mark_guilty: guilty_count -> batch_active; a reset happened */
	CHECK_EQ(stats(fd, ctx).batch_active, 1);
	CHECK_EQ(stats(fd, ctx).batch_pending, 0);
	CHECK(stats(fd, ctx).reset_count >= 1);
	CHECK_EQ(stats(fd, other).batch_active, 0);
	/* one hang bans nothing: the context still runs work */
	CHECK_OK(store(fd, ctx, t, 0x600d));
	CHECK_EQ(gem_read32(fd, t, 0), 0x600d);
	CHECK_OK(store(fd, other, t, 0x0001));
	CHECK_EQ(gem_read32(fd, t, 0), 1);
	{
		struct drm_syncobj_destroy d = { .handle = sc.handle };

		do_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
	}
	gem_close(fd, t);
	gem_ctx_destroy(fd, ctx);
	gem_ctx_destroy(fd, other);
}

TEST(a_context_that_keeps_hanging_is_banned)
{
	/* a file of its own: ban scores are per file (client_mark_guilty) */
	int f = open_render();
	struct drm_i915_gem_context_param p = {
		.param = I915_CONTEXT_PARAM_RECOVERABLE, .value = 0,
	};
	uint32_t ctx, other, nr, t;
	int i;

	REQUIRE(f >= 0);
	ctx = gem_ctx_create(f);
	other = gem_ctx_create(f);
	nr = gem_ctx_create(f);
	t = gem_create(f, 4096);
	REQUIRE(ctx && other && nr && t);
	/* mark_guilty: the third hang within 120 s bans a bannable context */
	for (i = 0; i < 3; i++) {
		if (!CHECK_OK(hang(f, ctx, 0, NULL)))
			break;
		CHECK_EQ(stats(f, ctx).batch_active, i + 1);
	}
	/* eb_pin_engine: intel_context_is_banned -> EIO */
	CHECK_ERRNO(store(f, ctx, t, 1), EIO);
	CHECK_ERRNO(store(f, ctx, t, 2), EIO);
	/* other contexts of the same file keep working */
	CHECK_OK(store(f, other, t, 0xa11));
	CHECK_EQ(gem_read32(f, t, 0), 0xa11);
	/* ... and so does the default context of another file */
	CHECK_OK(store(fd, 0, gem_create(fd, 4096), 3));

	/* mark_guilty: a non-recoverable context is banned at its first */
	p.ctx_id = nr;
	CHECK_OK(do_ioctl(f, DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM, &p));
	CHECK_OK(hang(f, nr, 0, NULL));
	CHECK_EQ(stats(f, nr).batch_active, 1);
	CHECK_ERRNO(store(f, nr, t, 4), EIO);
	CHECK_OK(store(f, other, t, 0xb22));
	CHECK_EQ(gem_read32(f, t, 0), 0xb22);
	/*
	 * client_mark_guilty: each ban adds 3 to the file's score, each hang
	 * within 60 s of the previous one 1 more: 0 + 1 + 4 + 4 >= 9, so
	 * the file may not create contexts any more (client_is_banned)
	 */
	{
		struct drm_i915_gem_context_create c = { 0 };

		CHECK_ERRNO(do_ioctl(f, DRM_IOCTL_I915_GEM_CONTEXT_CREATE, &c),
			    EIO);
		c.ctx_id = 0;
		CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_CREATE, &c));
		gem_ctx_destroy(fd, c.ctx_id);
	}
	/* the banned contexts can still be queried and destroyed */
	CHECK_EQ(stats(f, ctx).batch_active, 3);
	CHECK_OK(gem_ctx_destroy(f, ctx));
	CHECK_OK(gem_ctx_destroy(f, nr));
	gem_close(f, t);
	close(f);
}
