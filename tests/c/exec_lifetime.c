/*
 * Clients that go away with work on the GPU, and many clients at once.
 * A file closed by process exit closes its contexts (context_close ->
 * kill_context): requests of non-persistent contexts are cancelled
 * (kill_engines revokes them); a persistent context's requests may run on,
 * as on i915 with hangcheck (IGT gem_ctx_persistence "processes"). Either
 * way the device keeps serving everyone else.
 * Kernel reference: gem/i915_gem_context.c (context_close, kill_context,
 * kill_engines, proto_context_set_persistence), i915_gem_execbuffer.c;
 * IGT gem_ctx_persistence, gem_exec_parallel, gem_ctx_exec.
 */
#include <signal.h>
#include <sys/wait.h>

#include "gemu_test.h"

GEMU_WATCHDOG(55)

#define SEC 1000000000ll
#define SPIN_ADDR 0x40000000ull
#define T_ADDR 0x100000ull

static int fd = -1;

static int setup(void)
{
	if (fd < 0)
		fd = open_render();
	return fd >= 0;
}

/* A store of v at T_ADDR of t, on `ring` of ctx, waited for. */
static int store(int f, uint32_t ctx, uint64_t ring, uint32_t t, uint32_t v)
{
	const uint32_t cmds[5] = { MI_STORE_DWORD_IMM_GEN8, (uint32_t)T_ADDR,
				   0, v, MI_BATCH_BUFFER_END };
	struct gemu_pin p = { t, T_ADDR, EXEC_OBJECT_WRITE };

	return gemu_exec_cmds(f, ctx, ring, cmds, sizeof(cmds), &p, 1);
}

/* The parent's view after a child went away: alive and running batches. */
static void still_serving(uint64_t ring)
{
	uint32_t t = gem_create(fd, 4096);
	int64_t t0 = gemu_now_ns();

	CHECK(device_answers_version(fd));
	REQUIRE(t);
	CHECK_OK(store(fd, 0, ring, t, 0x11fe));
	CHECK_EQ(gem_read32(fd, t, 0), 0x11fe);
	CHECK(gemu_now_ns() - t0 < 5 * SEC);
	gem_close(fd, t);
	/* and a brand-new client can start */
	{
		int f = open_render();

		CHECK(f >= 0);
		if (f >= 0) {
			CHECK(device_answers_version(f));
			close(f);
		}
	}
}

/*
 * Child: a spinner on `ring` of a context (non-persistent if asked), a
 * store queued behind it on the same context, then _exit() without ending
 * the spinner. Exit 0 when the spinner was seen running.
 */
static void orphan_child(uint64_t ring, int persistent)
{
	struct drm_i915_gem_context_param p = {
		.param = I915_CONTEXT_PARAM_PERSISTENCE, .value = persistent,
	};
	struct gemu_spin spin;
	struct gemu_pin tp;
	uint32_t ctx, t;
	int f;

	alarm(20);
	f = open_render();
	if (f < 0)
		_exit(2);
	ctx = gem_ctx_create(f);
	t = gem_create(f, 4096);
	if (!ctx || !t || gemu_spin_init(f, &spin, SPIN_ADDR))
		_exit(3);
	p.ctx_id = ctx;
	if (do_ioctl(f, DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM, &p))
		_exit(4);
	if (gemu_exec_pinned(f, ctx, ring, spin.handle, SPIN_ADDR, NULL, 0))
		_exit(5);
	tp = (struct gemu_pin){ t, T_ADDR, EXEC_OBJECT_WRITE };
	{
		const uint32_t cmds[5] = { MI_STORE_DWORD_IMM_GEN8,
					   (uint32_t)T_ADDR, 0, 1,
					   MI_BATCH_BUFFER_END };
		uint32_t b = gem_create_with(f, 4096, cmds, sizeof(cmds));

		if (!b || gemu_exec_pinned(f, ctx, ring, b, SPIN_ADDR + 0x10000,
					   &tp, 1))
			_exit(6);
	}
	usleep(20000);
	if (gem_busy_word(f, spin.handle) == 0)
		_exit(7);
	/* no munmap, no close, no end: the process just goes */
	_exit(0);
}

static int run_child(void (*fn)(uint64_t, int), uint64_t ring, int arg)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0)
		fn(ring, arg);
	if (pid < 0)
		return -1;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(non_persistent_work_of_a_dead_client_is_cancelled)
{
	REQUIRE(setup());
	/* proto_context_set_persistence(false): needs preemption + reset */
	CHECK_EQ(run_child(orphan_child, I915_EXEC_RENDER, 0), 0);
	/* kill_engines revoked the spinner: rcs0 is free for us at once */
	still_serving(I915_EXEC_RENDER);
}

static void submit_forever_child(uint64_t ring, int unused)
{
	const uint32_t cmds[5] = { MI_STORE_DWORD_IMM_GEN8, (uint32_t)T_ADDR,
				   0, 7, MI_BATCH_BUFFER_END };
	struct gemu_pin tp;
	uint32_t t, b;
	int f;

	(void)unused;
	alarm(20);
	f = open_render();
	if (f < 0)
		_exit(2);
	t = gem_create(f, 4096);
	b = gem_create_with(f, 4096, cmds, sizeof(cmds));
	if (!t || !b)
		_exit(3);
	tp = (struct gemu_pin){ t, T_ADDR, EXEC_OBJECT_WRITE };
	for (;;)
		if (gemu_exec_pinned(f, 0, ring, b, SPIN_ADDR, &tp, 1))
			_exit(4);
}

TEST(a_client_killed_while_submitting)
{
	int status = -1;
	pid_t pid;

	REQUIRE(setup());
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0)
		submit_forever_child(I915_EXEC_BLT, 0);
	usleep(300000);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	/* it was still submitting when killed (not an early exit) */
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	still_serving(I915_EXEC_BLT);
	still_serving(I915_EXEC_RENDER);
}

#define CHILDREN 4
#define CONTEXTS 4
#define STORES 50

/*
 * Child: CONTEXTS contexts, each with its own target object; STORES
 * batches per context (one batch object, one store per 64-byte slot,
 * picked with batch_start_offset), alternating engines; then every value
 * is checked. Exit status: the number of wrong values (capped), or 200+.
 */
static void busy_child(uint64_t unused, int id)
{
	uint32_t ctx[CONTEXTS], t[CONTEXTS], b, cmds[STORES * 16];
	int f, c, i, bad = 0;

	(void)unused;
	alarm(40);
	f = open_render();
	if (f < 0)
		_exit(200);
	memset(cmds, 0, sizeof(cmds));
	for (i = 0; i < STORES; i++) {
		uint32_t *cs = cmds + 16 * i;

		cs[0] = MI_STORE_DWORD_IMM_GEN8;
		cs[1] = (uint32_t)(T_ADDR + 4 * i);
		cs[2] = 0;
		cs[3] = 0; /* patched per context below */
		cs[4] = MI_BATCH_BUFFER_END;
	}
	for (c = 0; c < CONTEXTS; c++) {
		ctx[c] = gem_ctx_create(f);
		t[c] = gem_create(f, 4096);
		if (!ctx[c] || !t[c])
			_exit(201);
	}
	for (c = 0; c < CONTEXTS; c++) {
		struct drm_i915_gem_exec_object2 o[2];
		struct drm_i915_gem_execbuffer2 eb;

		for (i = 0; i < STORES; i++)
			cmds[16 * i + 3] = (id << 24) | (c << 16) | i;
		b = gem_create_with(f, sizeof(cmds), cmds, sizeof(cmds));
		if (!b)
			_exit(202);
		memset(o, 0, sizeof(o));
		o[0].handle = t[c];
		o[0].offset = T_ADDR;
		o[0].flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_WRITE;
		o[1].handle = b;
		for (i = 0; i < STORES; i++) {
			gemu_eb_init(&eb, o, 2,
				     (i + c) & 1 ? I915_EXEC_BLT :
						   I915_EXEC_RENDER,
				     ctx[c]);
			eb.batch_start_offset = 64 * i;
			if (gemu_execbuf(f, &eb))
				_exit(203);
		}
		gem_close(f, b); /* the requests keep it alive */
	}
	for (c = 0; c < CONTEXTS; c++) {
		if (gem_wait_ns(f, t[c], 20 * SEC))
			_exit(204);
		for (i = 0; i < STORES; i++)
			bad += gem_read32(f, t[c], 4 * i) !=
			       (uint32_t)((id << 24) | (c << 16) | i);
	}
	for (c = 0; c < CONTEXTS; c++)
		gem_ctx_destroy(f, ctx[c]);
	close(f);
	_exit(bad > 199 ? 199 : bad);
}

TEST(many_clients_times_contexts)
{
	pid_t pids[CHILDREN];
	int i, status;

	REQUIRE(setup());
	for (i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		REQUIRE(pids[i] >= 0);
		if (pids[i] == 0)
			busy_child(0, i + 1);
	}
	for (i = 0; i < CHILDREN; i++) {
		status = -1;
		waitpid(pids[i], &status, 0);
		/* 0 = every value right; 1..199 wrong values; 200+ a step */
		if (!CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			INFO("child %d: %s %d", i,
			     WIFEXITED(status) ? "exit" : "signal",
			     WIFEXITED(status) ? WEXITSTATUS(status)
					       : WTERMSIG(status));
	}
	still_serving(I915_EXEC_RENDER);
}

TEST(persistent_work_of_a_dead_client)
{
	REQUIRE(setup());
	/*
	 * A persistent context (the default) may keep its spinner running
	 * after its file is gone (kill_engines: no reset for persistent
	 * contexts while hangcheck is on). Whatever gemu does with it, the
	 * device goes on serving: the other engine at once.
	 */
	CHECK_EQ(run_child(orphan_child, I915_EXEC_BLT, 1), 0);
	still_serving(I915_EXEC_RENDER);
}
