/*
 * Contexts and VMs: CONTEXT_CREATE(_EXT) with setparam extensions and
 * engine maps, CONTEXT_DESTROY, GET/SETPARAM of every parameter as i915
 * answers on Tiger Lake (graphics version 12, execlists, full ppGTT),
 * VM_CREATE/DESTROY, GET_RESET_STATS, execbuf on user contexts and engine
 * maps, and address spaces that are really separate.
 * Kernel reference: gem/i915_gem_context.c (i915_gem_context_create_ioctl,
 * proto_context_create, create_setparam, set_proto_ctx_param,
 * set_proto_ctx_engines, set_proto_ctx_vm, ctx_setparam,
 * i915_gem_context_getparam_ioctl, get_sseu, set_sseu, validate_priority,
 * i915_gem_context_destroy_ioctl, i915_gem_vm_create_ioctl,
 * i915_gem_vm_destroy_ioctl, i915_gem_context_reset_stats_ioctl,
 * i915_gem_context_lookup: a TGL context stays a proto-context until
 * first used), i915_user_extensions.c; IGT gem_ctx_create, gem_ctx_param,
 * gem_ctx_engines, gem_vm_create, gem_ctx_exec.
 */
#include <sys/wait.h>

#include "gemu_test.h"

GEMU_WATCHDOG(50)

#define SEC 1000000000ll
#define ADDR 0x1000000ull

static int fd = -1;

static int setup(void)
{
	if (fd < 0)
		fd = open_render();
	return fd >= 0;
}

/*
 * validate_priority: without I915_SCHEDULER_CAP_PRIORITY (HAS_SCHEDULER)
 * every priority is ENODEV, after the size check. Tiger Lake's execlists
 * have the cap; a model without priority scheduling must not claim it.
 */
static int has_priority(void)
{
	int caps = 0;

	return getparam(fd, I915_PARAM_HAS_SCHEDULER, &caps) == 0 &&
	       (caps & I915_SCHEDULER_CAP_PRIORITY);
}

/* The errno validate_priority gives for `prio` (0 = accepted), as root. */
static int prio_errno(int64_t prio, int privileged)
{
	if (!has_priority())
		return ENODEV;
	if (prio > I915_CONTEXT_MAX_USER_PRIORITY ||
	    prio < I915_CONTEXT_MIN_USER_PRIORITY)
		return EINVAL;
	if (prio > I915_CONTEXT_DEFAULT_PRIORITY && !privileged)
		return EPERM;
	return 0;
}

static int getp(uint32_t ctx, uint64_t param, uint64_t *value)
{
	struct drm_i915_gem_context_param p = { .ctx_id = ctx, .param = param };
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &p);

	if (value)
		*value = p.value;
	return r;
}

static int setp(uint32_t ctx, uint64_t param, uint64_t value, uint32_t size)
{
	struct drm_i915_gem_context_param p = {
		.ctx_id = ctx, .param = param, .value = value, .size = size,
	};

	return do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM, &p);
}

/* CONTEXT_CREATE_EXT with a chain of setparam extensions. */
static int create_ext(uint32_t flags, uint64_t ext, uint32_t *id)
{
	struct drm_i915_gem_context_create_ext c = {
		.flags = flags, .extensions = ext,
	};
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_CREATE_EXT, &c);

	*id = c.ctx_id;
	return r;
}

/* One setparam extension, chained to `next`. */
static void sp(struct drm_i915_gem_context_create_ext_setparam *e,
	       uint64_t param, uint64_t value, uint32_t size, void *next)
{
	memset(e, 0, sizeof(*e));
	e->base.name = I915_CONTEXT_CREATE_EXT_SETPARAM;
	e->base.next_extension = (uintptr_t)next;
	e->param.param = param;
	e->param.value = value;
	e->param.size = size;
}

struct engines4 {
	uint64_t extensions;
	struct i915_engine_class_instance e[4];
} __attribute__((packed));

/* Run a store of `v` to ADDR of `t` in ctx/engine; 0 or -errno. */
static int store(uint32_t ctx, uint64_t ring, uint32_t t, uint32_t v)
{
	const uint32_t cmds[5] = { MI_STORE_DWORD_IMM_GEN8, (uint32_t)ADDR, 0,
				   v, MI_BATCH_BUFFER_END };
	struct gemu_pin p = { t, ADDR, EXEC_OBJECT_WRITE };

	return gemu_exec_cmds(fd, ctx, ring, cmds, sizeof(cmds), &p, 1);
}

TEST(create_and_destroy)
{
	struct drm_i915_gem_context_create c = { 0 };
	struct drm_i915_gem_context_destroy d = { 0 };
	uint32_t a, b;

	REQUIRE(setup());
	a = gem_ctx_create(fd);
	b = gem_ctx_create(fd);
	CHECK(a != 0 && b != 0 && a != b);
	/*
	 * The short CONTEXT_CREATE shares the ioctl with _EXT: its pad is
	 * the flags word. USE_EXTENSIONS with no chain is fine, an unknown
	 * flag is not (I915_CONTEXT_CREATE_FLAGS_UNKNOWN).
	 */
	c.pad = I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_CREATE, &c));
	CHECK_OK(gem_ctx_destroy(fd, c.ctx_id));
	c.pad = 1u << 2;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_CREATE, &c), EINVAL);
	/* i915_gem_context_destroy_ioctl: pad first, then id 0, unknown */
	d.pad = 1;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_DESTROY, &d),
		    EINVAL);
	d.ctx_id = a;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_DESTROY, &d),
		    EINVAL);
	CHECK_ERRNO(gem_ctx_destroy(fd, 0), ENOENT);
	CHECK_ERRNO(gem_ctx_destroy(fd, 0x7ffff), ENOENT);
	CHECK_OK(gem_ctx_destroy(fd, a));
	CHECK_ERRNO(gem_ctx_destroy(fd, a), ENOENT);
	/* a used (finalized) context is destroyed the same way */
	CHECK_OK(getp(b, I915_CONTEXT_PARAM_PRIORITY, NULL));
	CHECK_OK(gem_ctx_destroy(fd, b));
	CHECK_ERRNO(getp(b, I915_CONTEXT_PARAM_PRIORITY, NULL), ENOENT);
}

TEST(create_ext_chain)
{
	struct drm_i915_gem_context_create_ext_setparam e[3];
	struct i915_user_extension bad = { .name = 2 };
	uint64_t v;
	uint32_t id;

	REQUIRE(setup());
	/* i915_gem_context_create_ioctl: unknown flags */
	CHECK_ERRNO(create_ext(1u << 2, 0, &id), EINVAL);
	CHECK_ERRNO(create_ext(1u << 31, 0, &id), EINVAL);
	/* proto_context_create: SINGLE_TIMELINE needs execlists: TGL has */
	CHECK_OK(create_ext(I915_CONTEXT_CREATE_FLAGS_SINGLE_TIMELINE, 0, &id));
	CHECK_OK(gem_ctx_destroy(fd, id));
	/* extensions are read only with USE_EXTENSIONS */
	CHECK_OK(create_ext(0, bad_ptr(), &id));
	CHECK_OK(gem_ctx_destroy(fd, id));
	/* i915_user_extensions: unreadable -> EFAULT, unknown name -> EINVAL */
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       bad_ptr(), &id), EFAULT);
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)&bad, &id), EINVAL);
	/* create_extensions: CLONE (1) was removed: invalid_ext */
	bad.name = I915_CONTEXT_CREATE_EXT_CLONE;
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)&bad, &id), EINVAL);

	/* a chain of settings, all applied; one failing fails the call */
	sp(&e[0], I915_CONTEXT_PARAM_PRIORITY, (uint64_t)-10, 0, &e[1]);
	sp(&e[1], I915_CONTEXT_PARAM_RECOVERABLE, 0, 0, &e[2]);
	sp(&e[2], I915_CONTEXT_PARAM_PERSISTENCE, 0, 0, NULL);
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)e, &id), prio_errno(-10, 1));
	if (id && prio_errno(-10, 1) == 0)
		CHECK_OK(gem_ctx_destroy(fd, id));
	REQUIRE_OK(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			      (uintptr_t)&e[1], &id));
	CHECK_OK(getp(id, I915_CONTEXT_PARAM_PRIORITY, &v));
	CHECK_EQ((int64_t)v, 0);
	CHECK_OK(getp(id, I915_CONTEXT_PARAM_RECOVERABLE, &v));
	CHECK_EQ(v, 0);
	CHECK_OK(getp(id, I915_CONTEXT_PARAM_PERSISTENCE, &v));
	CHECK_EQ(v, 0);
	CHECK_OK(getp(id, I915_CONTEXT_PARAM_BANNABLE, &v));
	CHECK_EQ(v, 1);
	CHECK_OK(gem_ctx_destroy(fd, id));

	/* create_setparam: param.ctx_id must be 0 */
	sp(&e[0], I915_CONTEXT_PARAM_PRIORITY, 0, 0, NULL);
	e[0].param.ctx_id = 1;
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)e, &id), EINVAL);
	/* set_proto_ctx_param: not settable at creation -> EINVAL */
	{
		static const uint64_t no[] = {
			I915_CONTEXT_PARAM_NO_ZEROMAP,
			I915_CONTEXT_PARAM_BAN_PERIOD,
			I915_CONTEXT_PARAM_RINGSIZE,
			I915_CONTEXT_PARAM_GTT_SIZE, 0x7777,
		};
		unsigned int i;

		for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
			sp(&e[0], no[i], 0, 0, NULL);
			if (!CHECK_ERRNO(create_ext(
				I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
				(uintptr_t)e, &id), EINVAL))
				INFO("param 0x%" PRIx64, no[i]);
		}
	}
	/* set_proto_ctx_param: boolean params take no size */
	sp(&e[0], I915_CONTEXT_PARAM_BANNABLE, 1, 4, NULL);
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)e, &id), EINVAL);
	/* set_proto_ctx_sseu: graphics version 11 only -> ENODEV */
	{
		struct drm_i915_gem_context_param_sseu s = { 0 };

		sp(&e[0], I915_CONTEXT_PARAM_SSEU, (uintptr_t)&s, sizeof(s),
		   NULL);
		CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
				       (uintptr_t)e, &id), ENODEV);
		sp(&e[0], I915_CONTEXT_PARAM_SSEU, (uintptr_t)&s, 8, NULL);
		CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
				       (uintptr_t)e, &id), EINVAL);
	}
}

TEST(default_context_params)
{
	uint64_t v = 0;
	struct drm_i915_gem_context_param_sseu s = { 0 };
	struct drm_i915_gem_context_param p = {
		.param = I915_CONTEXT_PARAM_SSEU,
	};

	REQUIRE(setup());
	/* GTT_SIZE: vm->total of a 48-bit ppGTT */
	CHECK_OK(getp(0, I915_CONTEXT_PARAM_GTT_SIZE, &v));
	CHECK_EQ(v, 1ull << 48);
	/* proto_context_create: bannable, recoverable, persistent (hangcheck) */
	CHECK_OK(getp(0, I915_CONTEXT_PARAM_BANNABLE, &v));
	CHECK_EQ(v, 1);
	CHECK_OK(getp(0, I915_CONTEXT_PARAM_RECOVERABLE, &v));
	CHECK_EQ(v, 1);
	CHECK_OK(getp(0, I915_CONTEXT_PARAM_PERSISTENCE, &v));
	CHECK_EQ(v, 1);
	CHECK_OK(getp(0, I915_CONTEXT_PARAM_PRIORITY, &v));
	CHECK_EQ(v, 0);
	CHECK_OK(getp(0, I915_CONTEXT_PARAM_NO_ERROR_CAPTURE, &v));
	CHECK_EQ(v, 0);
	/* get_ppgtt: a new VM id for the context's VM */
	CHECK_OK(getp(0, I915_CONTEXT_PARAM_VM, &v));
	CHECK(v != 0);
	/* i915_gem_context_getparam_ioctl: no getter for these */
	CHECK_ERRNO(getp(0, I915_CONTEXT_PARAM_NO_ZEROMAP, NULL), EINVAL);
	CHECK_ERRNO(getp(0, I915_CONTEXT_PARAM_BAN_PERIOD, NULL), EINVAL);
	CHECK_ERRNO(getp(0, I915_CONTEXT_PARAM_RINGSIZE, NULL), EINVAL);
	CHECK_ERRNO(getp(0, I915_CONTEXT_PARAM_ENGINES, NULL), EINVAL);
	CHECK_ERRNO(getp(0, 0x7777, NULL), EINVAL);
	/* i915_gem_context_lookup: unknown context */
	CHECK_ERRNO(getp(0x7ffff, I915_CONTEXT_PARAM_GTT_SIZE, NULL), ENOENT);
	CHECK_ERRNO(setp(0x7ffff, I915_CONTEXT_PARAM_PRIORITY, 0, 0), ENOENT);

	/* get_sseu: size 0 reports the size */
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &p));
	CHECK_EQ(p.size, sizeof(s));
	p.size = 8;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &p),
		    EINVAL);
	p.size = sizeof(s);
	p.value = (uintptr_t)&s;
	s.engine.engine_class = I915_ENGINE_CLASS_RENDER;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &p));
	CHECK(s.slice_mask != 0);
	CHECK(s.subslice_mask != 0);
	CHECK(s.max_eus_per_subslice != 0);
	/* get_sseu: rsvd, unknown flags, an engine that does not exist */
	s.rsvd = 1;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &p),
		    EINVAL);
	s.rsvd = 0;
	s.flags = 2;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &p),
		    EINVAL);
	s.flags = I915_CONTEXT_SSEU_FLAG_ENGINE_INDEX; /* no engine map */
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &p),
		    EINVAL);
	s.flags = 0;
	s.engine.engine_class = I915_ENGINE_CLASS_VIDEO;
	s.engine.engine_instance = 1; /* one VDBOX here */
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &p),
		    EINVAL);
	s.engine.engine_instance = 0;
	p.value = bad_ptr();
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &p),
		    EFAULT);
}

TEST(setparam_rules)
{
	struct drm_i915_gem_context_param_sseu s = { 0 };
	uint64_t v;
	uint32_t ctx;

	REQUIRE(setup());
	ctx = gem_ctx_create(fd);
	REQUIRE(ctx);
	REQUIRE_OK(getp(ctx, I915_CONTEXT_PARAM_PRIORITY, NULL)); /* finalize */
	/* ctx_setparam: GTT_SIZE and the removed params cannot be set */
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_GTT_SIZE, 1ull << 32, 0),
		    EINVAL);
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_NO_ZEROMAP, 1, 0), EINVAL);
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_BAN_PERIOD, 1, 0), EINVAL);
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_RINGSIZE, 8192, 0), EINVAL);
	CHECK_ERRNO(setp(ctx, 0x7777, 0, 0), EINVAL);
	/* ctx_setparam: VM and ENGINES only before the context is used */
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_VM, 1, 0), EINVAL);
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_ENGINES, 0, 0), EINVAL);
	/* validate_priority: size first, then the cap, range, CAP_SYS_NICE */
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_PRIORITY, 1, 4), EINVAL);
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_PRIORITY, 1024, 0),
		    prio_errno(1024, 1));
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_PRIORITY, (uint64_t)-1024, 0),
		    prio_errno(-1024, 1));
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_PRIORITY, (uint64_t)-1023, 0),
		    prio_errno(-1023, 1));
	CHECK_OK(getp(ctx, I915_CONTEXT_PARAM_PRIORITY, &v));
	CHECK_EQ((int64_t)v, has_priority() ? -1023 : 0);
	/* above default needs CAP_SYS_NICE: root has it */
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_PRIORITY, 1023, 0),
		    prio_errno(1023, 1));
	CHECK_OK(getp(ctx, I915_CONTEXT_PARAM_PRIORITY, &v));
	CHECK_EQ(v, has_priority() ? 1023 : 0);
	if (!has_priority())
		INFO("HAS_SCHEDULER has no PRIORITY cap: every priority is"
		     " ENODEV (Tiger Lake's execlists have it)");
	/* booleans: size must be 0 */
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_BANNABLE, 1, 1), EINVAL);
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_RECOVERABLE, 1, 1), EINVAL);
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_PERSISTENCE, 1, 1), EINVAL);
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_NO_ERROR_CAPTURE, 1, 1),
		    EINVAL);
	/* ... and toggle; clearing BANNABLE needs CAP_SYS_ADMIN: root */
	CHECK_OK(setp(ctx, I915_CONTEXT_PARAM_BANNABLE, 0, 0));
	CHECK_OK(getp(ctx, I915_CONTEXT_PARAM_BANNABLE, &v));
	CHECK_EQ(v, 0);
	CHECK_OK(setp(ctx, I915_CONTEXT_PARAM_BANNABLE, 1, 0));
	CHECK_OK(setp(ctx, I915_CONTEXT_PARAM_RECOVERABLE, 0, 0));
	CHECK_OK(getp(ctx, I915_CONTEXT_PARAM_RECOVERABLE, &v));
	CHECK_EQ(v, 0);
	/* __context_set_persistence: off needs preemption + engine reset */
	CHECK_OK(setp(ctx, I915_CONTEXT_PARAM_PERSISTENCE, 0, 0));
	CHECK_OK(getp(ctx, I915_CONTEXT_PARAM_PERSISTENCE, &v));
	CHECK_EQ(v, 0);
	CHECK_OK(setp(ctx, I915_CONTEXT_PARAM_PERSISTENCE, 1, 0));
	CHECK_OK(setp(ctx, I915_CONTEXT_PARAM_NO_ERROR_CAPTURE, 1, 0));
	CHECK_OK(getp(ctx, I915_CONTEXT_PARAM_NO_ERROR_CAPTURE, &v));
	CHECK_EQ(v, 1);
	/* set_sseu: size first, then graphics version 11 only -> ENODEV */
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_SSEU, (uintptr_t)&s, 0),
		    EINVAL);
	s.engine.engine_class = I915_ENGINE_CLASS_RENDER;
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_SSEU, (uintptr_t)&s,
			 sizeof(s)), ENODEV);
	CHECK_OK(gem_ctx_destroy(fd, ctx));
}

TEST(unprivileged_rules)
{
	uint32_t ctx;
	pid_t pid;
	int status = -1;

	REQUIRE(setup());
	ctx = gem_ctx_create(fd);
	REQUIRE(ctx);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		int bad = 0;

		alarm(20);
		if (setgid(65534) || setuid(65534))
			/* EINVAL: a user namespace (rootless gemu run) maps no such id */
			_exit(errno == EINVAL ? 4 : 3);
		/* validate_priority: above default without CAP_SYS_NICE */
		bad |= setp(ctx, I915_CONTEXT_PARAM_PRIORITY, 1, 0) !=
		       -prio_errno(1, 0);
		bad |= (setp(ctx, I915_CONTEXT_PARAM_PRIORITY, 0, 0) !=
			-prio_errno(0, 0)) << 1;
		bad |= (setp(ctx, I915_CONTEXT_PARAM_PRIORITY,
			     (uint64_t)-1, 0) != -prio_errno(-1, 0)) << 2;
		/* ctx_setparam BANNABLE: clearing needs CAP_SYS_ADMIN */
		bad |= (setp(ctx, I915_CONTEXT_PARAM_BANNABLE, 0, 0) !=
			-EPERM) << 3;
		bad |= (setp(ctx, I915_CONTEXT_PARAM_BANNABLE, 1, 0) != 0) << 4;
		_exit(bad ? 100 + bad : 0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status));
	if (WEXITSTATUS(status) == 4) {
		gem_ctx_destroy(fd, ctx);
		SKIP("uid 65534 is not mapped in this user namespace");
	}
	/* 0: every rule held; 3: could not drop root; 100+: bit mask */
	CHECK_EQ(WEXITSTATUS(status), 0);
	CHECK_OK(gem_ctx_destroy(fd, ctx));
}

TEST(engine_maps)
{
	struct drm_i915_gem_context_create_ext_setparam e[2];
	struct engines4 map;
	uint32_t ctx, t;

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	REQUIRE(t);
	memset(&map, 0, sizeof(map));
	map.e[0].engine_class = I915_ENGINE_CLASS_RENDER;
	map.e[1].engine_class = I915_ENGINE_CLASS_COPY;
	map.e[2].engine_class = (uint16_t)I915_ENGINE_CLASS_INVALID;
	map.e[2].engine_instance = (uint16_t)I915_ENGINE_CLASS_INVALID_NONE;
	sp(&e[0], I915_CONTEXT_PARAM_ENGINES, (uintptr_t)&map, 8 + 3 * 4,
	   NULL);
	REQUIRE_OK(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			      (uintptr_t)e, &ctx));
	/* eb_select_engine: with a map, the ring bits index it */
	CHECK_OK(store(ctx, 0, t, 0xe0));
	CHECK_EQ(gem_read32(fd, t, 0), 0xe0);
	CHECK_OK(store(ctx, 1, t, 0xe1));
	CHECK_EQ(gem_read32(fd, t, 0), 0xe1);
	/* i915_gem_context_get_engine: a hole, past the end -> EINVAL */
	CHECK_ERRNO(store(ctx, 2, t, 0xe2), EINVAL);
	CHECK_ERRNO(store(ctx, 3, t, 0xe3), EINVAL);
	CHECK_ERRNO(store(ctx, I915_EXEC_RING_MASK, t, 0xe3), EINVAL);
	CHECK_EQ(gem_read32(fd, t, 0), 0xe1);
	/* get_sseu with ENGINE_INDEX on a map: the instance is an index */
	{
		struct drm_i915_gem_context_param_sseu s = { 0 };
		struct drm_i915_gem_context_param p = {
			.ctx_id = ctx, .param = I915_CONTEXT_PARAM_SSEU,
			.size = sizeof(s), .value = (uintptr_t)&s,
		};

		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM,
				     &p), EINVAL);
		s.flags = I915_CONTEXT_SSEU_FLAG_ENGINE_INDEX;
		CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &p));
	}
	CHECK_OK(gem_ctx_destroy(fd, ctx));

	/* set_proto_ctx_engines: an engine that does not exist -> ENOENT */
	map.e[2].engine_class = I915_ENGINE_CLASS_VIDEO;
	map.e[2].engine_instance = 1; /* one VDBOX here */
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)e, &ctx), ENOENT);
	map.e[2].engine_class = I915_ENGINE_CLASS_RENDER;
	map.e[2].engine_instance = 1;
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)e, &ctx), ENOENT);
	map.e[2].engine_class = 77;
	map.e[2].engine_instance = 0;
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)e, &ctx), ENOENT);
	/* set_proto_ctx_engines: size not 8 + n * 4 -> EINVAL */
	e[0].param.size = 8 + 2 * 4 + 2;
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)e, &ctx), EINVAL);
	e[0].param.size = 4;
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)e, &ctx), EINVAL);
	/* ... more than I915_EXEC_RING_MASK + 1 engines -> EINVAL */
	e[0].param.size = 8 + 65 * 4;
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)e, &ctx), EINVAL);
	/* set_proto_ctx_engines: the array is unreadable -> EFAULT */
	e[0].param.size = 8 + 2 * 4;
	e[0].param.value = bad_ptr();
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)e, &ctx), EFAULT);
	/* set_proto_ctx_engines: twice in one chain -> EINVAL */
	e[0].param.value = (uintptr_t)&map;
	e[0].base.next_extension = (uintptr_t)&e[1];
	sp(&e[1], I915_CONTEXT_PARAM_ENGINES, (uintptr_t)&map, 8 + 2 * 4,
	   NULL);
	CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			       (uintptr_t)e, &ctx), EINVAL);

	/* a TGL context is a proto-context until first used: SETPARAM works */
	ctx = gem_ctx_create(fd);
	REQUIRE(ctx);
	map.e[0].engine_class = I915_ENGINE_CLASS_COPY;
	CHECK_OK(setp(ctx, I915_CONTEXT_PARAM_ENGINES, (uintptr_t)&map,
		      8 + 1 * 4));
	CHECK_OK(store(ctx, 0, t, 0xb0));
	CHECK_EQ(gem_read32(fd, t, 0), 0xb0);
	CHECK_ERRNO(store(ctx, 1, t, 0xb1), EINVAL);
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_ENGINES, (uintptr_t)&map,
			 8 + 1 * 4), EINVAL);
	CHECK_OK(gem_ctx_destroy(fd, ctx));
	gem_close(fd, t);
}

struct balance2 {
	struct i915_context_engines_load_balance lb;
	struct i915_engine_class_instance sib[2];
} __attribute__((packed));

TEST(engines_load_balance)
{
	struct engines4 map;
	struct balance2 bal;
	uint32_t ctx, t;

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	REQUIRE(t);
	/* slot 0: rcs0; slot 1: empty, filled by a balancer of one sibling (vcs0) */
	memset(&map, 0, sizeof(map));
	map.extensions = (uintptr_t)&bal;
	map.e[0].engine_class = I915_ENGINE_CLASS_RENDER;
	map.e[1].engine_class = (uint16_t)I915_ENGINE_CLASS_INVALID;
	map.e[1].engine_instance = (uint16_t)I915_ENGINE_CLASS_INVALID_NONE;
	memset(&bal, 0, sizeof(bal));
	bal.lb.base.name = I915_CONTEXT_ENGINES_EXT_LOAD_BALANCE;
	bal.lb.engine_index = 1;
	bal.lb.num_siblings = 1;
	bal.sib[0].engine_class = I915_ENGINE_CLASS_VIDEO;

	/* set_proto_ctx_engines_balance: the slot must exist -> EINVAL */
	ctx = gem_ctx_create(fd);
	REQUIRE(ctx);
	bal.lb.engine_index = 2;
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_ENGINES, (uintptr_t)&map, 8 + 2 * 4), EINVAL);
	/* ... and be empty -> EEXIST */
	bal.lb.engine_index = 0;
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_ENGINES, (uintptr_t)&map, 8 + 2 * 4), EEXIST);
	/* flags must be zero; a sibling must exist -> EINVAL */
	bal.lb.engine_index = 1;
	bal.lb.flags = 1;
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_ENGINES, (uintptr_t)&map, 8 + 2 * 4), EINVAL);
	bal.lb.flags = 0;
	bal.sib[0].engine_instance = 7;
	CHECK_ERRNO(setp(ctx, I915_CONTEXT_PARAM_ENGINES, (uintptr_t)&map, 8 + 2 * 4), EINVAL);
	bal.sib[0].engine_instance = 0;
	/* one sibling: a plain engine in the slot; the store runs on vcs0 */
	CHECK_OK(setp(ctx, I915_CONTEXT_PARAM_ENGINES, (uintptr_t)&map, 8 + 2 * 4));
	CHECK_OK(store(ctx, 1, t, 0xba1));
	CHECK_EQ(gem_read32(fd, t, 0), 0xba1);
	CHECK_OK(gem_ctx_destroy(fd, ctx));
	gem_close(fd, t);
}

static int vm_ctl(unsigned long cmd, uint32_t *id, uint32_t flags,
		  uint64_t ext)
{
	struct drm_i915_gem_vm_control c = {
		.vm_id = *id, .flags = flags, .extensions = ext,
	};
	int r = do_ioctl(fd, cmd, &c);

	*id = c.vm_id;
	return r;
}

TEST(vm_create_destroy)
{
	struct i915_user_extension ext = { 0 };
	uint32_t id = 0, id2 = 0, x;

	REQUIRE(setup());
	/* i915_gem_vm_create_ioctl: flags must be 0 */
	CHECK_ERRNO(vm_ctl(DRM_IOCTL_I915_GEM_VM_CREATE, &id, 1, 0), EINVAL);
	/* no extension is defined: any is EINVAL, unreadable is EFAULT */
	id = 0;
	CHECK_ERRNO(vm_ctl(DRM_IOCTL_I915_GEM_VM_CREATE, &id, 0,
			   (uintptr_t)&ext), EINVAL);
	id = 0;
	CHECK_ERRNO(vm_ctl(DRM_IOCTL_I915_GEM_VM_CREATE, &id, 0, bad_ptr()),
		    EFAULT);
	id = 0;
	REQUIRE_OK(vm_ctl(DRM_IOCTL_I915_GEM_VM_CREATE, &id, 0, 0));
	CHECK(id != 0);
	REQUIRE_OK(vm_ctl(DRM_IOCTL_I915_GEM_VM_CREATE, &id2, 0, 0));
	CHECK(id2 != 0 && id2 != id);
	/* i915_gem_vm_destroy_ioctl: flags, extensions, unknown id */
	x = id;
	CHECK_ERRNO(vm_ctl(DRM_IOCTL_I915_GEM_VM_DESTROY, &x, 1, 0), EINVAL);
	CHECK_ERRNO(vm_ctl(DRM_IOCTL_I915_GEM_VM_DESTROY, &x, 0, 8), EINVAL);
	x = 0;
	CHECK_ERRNO(vm_ctl(DRM_IOCTL_I915_GEM_VM_DESTROY, &x, 0, 0), ENOENT);
	x = 0x7ffff;
	CHECK_ERRNO(vm_ctl(DRM_IOCTL_I915_GEM_VM_DESTROY, &x, 0, 0), ENOENT);
	x = id2;
	CHECK_OK(vm_ctl(DRM_IOCTL_I915_GEM_VM_DESTROY, &x, 0, 0));
	x = id2;
	CHECK_ERRNO(vm_ctl(DRM_IOCTL_I915_GEM_VM_DESTROY, &x, 0, 0), ENOENT);

	/* set_proto_ctx_vm: unknown id, upper bits, size -> ENOENT/EINVAL */
	{
		struct drm_i915_gem_context_create_ext_setparam e;
		uint32_t ctx;
		uint64_t v;

		sp(&e, I915_CONTEXT_PARAM_VM, id2, 0, NULL);
		CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
				       (uintptr_t)&e, &ctx), ENOENT);
		sp(&e, I915_CONTEXT_PARAM_VM, (1ull << 32) | id, 0, NULL);
		CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
				       (uintptr_t)&e, &ctx), ENOENT);
		sp(&e, I915_CONTEXT_PARAM_VM, id, 4, NULL);
		CHECK_ERRNO(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
				       (uintptr_t)&e, &ctx), EINVAL);
		sp(&e, I915_CONTEXT_PARAM_VM, id, 0, NULL);
		REQUIRE_OK(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
				      (uintptr_t)&e, &ctx));
		CHECK_OK(getp(ctx, I915_CONTEXT_PARAM_GTT_SIZE, &v));
		CHECK_EQ(v, 1ull << 48);
		/* the VM lives on in the context after its id is destroyed */
		x = id;
		CHECK_OK(vm_ctl(DRM_IOCTL_I915_GEM_VM_DESTROY, &x, 0, 0));
		CHECK_OK(getp(ctx, I915_CONTEXT_PARAM_VM, &v));
		CHECK(v != 0);
		x = (uint32_t)v;
		CHECK_OK(vm_ctl(DRM_IOCTL_I915_GEM_VM_DESTROY, &x, 0, 0));
		CHECK_OK(gem_ctx_destroy(fd, ctx));
	}
}

TEST(reset_stats_checks)
{
	struct drm_i915_reset_stats s = { 0 };
	uint32_t ctx;

	REQUIRE(setup());
	/* i915_gem_context_reset_stats_ioctl: flags and pad first */
	s.flags = 1;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GET_RESET_STATS, &s), EINVAL);
	s.flags = 0;
	s.pad = 1;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GET_RESET_STATS, &s), EINVAL);
	s.pad = 0;
	s.ctx_id = 0x7ffff;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GET_RESET_STATS, &s), ENOENT);
	ctx = gem_ctx_create(fd);
	REQUIRE(ctx);
	s.ctx_id = ctx;
	s.reset_count = s.batch_active = s.batch_pending = 99;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GET_RESET_STATS, &s));
	/* a fresh daemon (one per client) has had no reset yet */
	CHECK_EQ(s.reset_count, 0);
	CHECK_EQ(s.batch_active, 0);
	CHECK_EQ(s.batch_pending, 0);
	s.ctx_id = 0;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GET_RESET_STATS, &s));
	CHECK_OK(gem_ctx_destroy(fd, ctx));
}

TEST(address_spaces_are_separate)
{
	struct drm_i915_gem_context_create_ext_setparam e;
	uint32_t a, b, x, y, c;
	uint64_t vm = 0;

	REQUIRE(setup());
	a = gem_ctx_create(fd);
	b = gem_ctx_create(fd);
	x = gem_create(fd, 4096);
	y = gem_create(fd, 4096);
	REQUIRE(a && b && x && y);
	/* the same address in two VMs: two objects, both stay bound */
	CHECK_OK(store(a, I915_EXEC_RENDER, x, 0xaaaa));
	CHECK_OK(store(b, I915_EXEC_BLT, y, 0xbbbb));
	CHECK_OK(store(0, I915_EXEC_RENDER, y, 0xcccc));
	CHECK_EQ(gem_read32(fd, x, 0), 0xaaaa);
	CHECK_EQ(gem_read32(fd, y, 0), 0xcccc);
	CHECK_OK(store(a, I915_EXEC_BLT, x, 0xdddd));
	CHECK_EQ(gem_read32(fd, x, 0), 0xdddd);
	CHECK_EQ(gem_read32(fd, y, 0), 0xcccc);

	/* a context sharing a's VM: x is evicted (idle) to make room */
	REQUIRE_OK(getp(a, I915_CONTEXT_PARAM_VM, &vm));
	sp(&e, I915_CONTEXT_PARAM_VM, vm, 0, NULL);
	REQUIRE_OK(create_ext(I915_CONTEXT_CREATE_FLAGS_USE_EXTENSIONS,
			      (uintptr_t)&e, &c));
	CHECK_OK(store(c, I915_EXEC_RENDER, y, 0xeeee));
	CHECK_EQ(gem_read32(fd, y, 0), 0xeeee);
	CHECK_EQ(gem_read32(fd, x, 0), 0xdddd);
	/* execbuf on a context whose VM id was given back still works */
	{
		uint32_t id = (uint32_t)vm;

		CHECK_OK(vm_ctl(DRM_IOCTL_I915_GEM_VM_DESTROY, &id, 0, 0));
	}
	CHECK_OK(store(a, I915_EXEC_RENDER, x, 0xffff));
	CHECK_EQ(gem_read32(fd, x, 0), 0xffff);
	CHECK_OK(gem_ctx_destroy(fd, c));
	CHECK_OK(gem_ctx_destroy(fd, a));
	CHECK_OK(gem_ctx_destroy(fd, b));
	/* execbuf on a destroyed context */
	CHECK_ERRNO(store(a, I915_EXEC_RENDER, x, 1), ENOENT);
	gem_close(fd, x);
	gem_close(fd, y);
}
