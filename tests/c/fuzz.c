/*
 * Random bytes at every DRM and i915 ioctl number, on the card and the
 * render node. Each call must come back with 0 or an errno the kernel could
 * give, and the device must still answer VERSION afterwards.
 *
 * Deterministic: fixed seed, GEMU_FUZZ_CALLS calls (default 20000).
 * Pointers in the arguments either are garbage or point into a scratch
 * area fenced by PROT_NONE pages, so nothing the device writes can reach
 * this program's own memory.
 */
#include <signal.h>
#include <sys/time.h>

#include "gemu_test.h"

#define SCRATCH_SIZE (64 * 1024)
#define ARG_SIZE (16 * 1024) /* _IOC_SIZE is 14 bits */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint8_t *scratch;

/* SCRATCH_SIZE bytes with an inaccessible page on either side. */
static uint8_t *fenced_area(size_t size)
{
	uint8_t *p = mmap(NULL, size + 2 * 4096, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + 4096, size, PROT_READ | PROT_WRITE))
		return NULL;
	return p + 4096;
}

#define ENOTSUPP_KERNEL 524 /* kernel-internal ENOTSUPP, leaked by i915_perf */

/* Errnos DRM/i915 can return to userspace for ioctl number `nr`. */
static int plausible(unsigned int nr, int e)
{
	/* EIO: i915 reports a wedged GPU from throttle and execbuf only */
	if (e == EIO)
		return nr == 0x40 + DRM_I915_GEM_THROTTLE ||
		       nr == 0x40 + DRM_I915_GEM_EXECBUFFER2;
	/* i915_perf_*_ioctl without perf: -ENOTSUPP escapes as 524 */
	if (e == ENOTSUPP_KERNEL)
		return nr >= 0x40 + DRM_I915_PERF_OPEN &&
		       nr <= 0x40 + DRM_I915_PERF_REMOVE_CONFIG;
	switch (e) {
	case EPERM: case ENOENT: case ESRCH: case EINTR:
	case ENXIO: case E2BIG: case EBADF: case EAGAIN: case ENOMEM:
	case EACCES: case EFAULT: case EBUSY: case EEXIST: case ENODEV:
	case EINVAL: case ENFILE: case EMFILE: case ENOTTY: case EFBIG:
	case ENOSPC: case ERANGE: case EDEADLK: case EOVERFLOW:
	case ETIME: case ENOBUFS: case EOPNOTSUPP: case ETIMEDOUT:
	case EALREADY: case ECANCELED: case EMSGSIZE:
		return 1;
	default:
		/* ENOSYS (a stub), ENOTCONN (daemon gone), EPIPE... are not */
		return 0;
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Known argument sizes, so half the calls pass the size checks. */
static const struct {
	unsigned int nr;
	unsigned int size;
} known[] = {
	{ 0x00, sizeof(struct drm_version) },
	{ 0x01, sizeof(struct drm_unique) },
	{ 0x02, sizeof(struct drm_auth) },
	{ 0x05, sizeof(struct drm_client) },
	{ 0x06, sizeof(struct drm_stats) },
	{ 0x07, sizeof(struct drm_set_version) },
	{ 0x09, sizeof(struct drm_gem_close) },
	{ 0x0a, sizeof(struct drm_gem_flink) },
	{ 0x0b, sizeof(struct drm_gem_open) },
	{ 0x0c, sizeof(struct drm_get_cap) },
	{ 0x0d, sizeof(struct drm_set_client_cap) },
	{ 0x11, sizeof(struct drm_auth) },
	{ 0x1e, 0 }, /* SET_MASTER */
	{ 0x1f, 0 }, /* DROP_MASTER */
	{ 0x2d, sizeof(struct drm_prime_handle) },
	{ 0x2e, sizeof(struct drm_prime_handle) },
	{ 0xbf, sizeof(struct drm_syncobj_create) },
	{ 0xc0, sizeof(struct drm_syncobj_destroy) },
	{ 0xc1, sizeof(struct drm_syncobj_handle) },
	{ 0xc2, sizeof(struct drm_syncobj_handle) },
	{ 0xc4, sizeof(struct drm_syncobj_array) },
	{ 0xc5, sizeof(struct drm_syncobj_array) },
	{ 0x40 + DRM_I915_GETPARAM, sizeof(struct drm_i915_getparam) },
	{ 0x40 + DRM_I915_GEM_EXECBUFFER2, sizeof(struct drm_i915_gem_execbuffer2) },
	{ 0x40 + DRM_I915_GEM_BUSY, sizeof(struct drm_i915_gem_busy) },
	{ 0x40 + DRM_I915_GEM_SET_CACHING, sizeof(struct drm_i915_gem_caching) },
	{ 0x40 + DRM_I915_GEM_GET_CACHING, sizeof(struct drm_i915_gem_caching) },
	{ 0x40 + DRM_I915_GEM_THROTTLE, 0 },
	{ 0x40 + DRM_I915_GEM_CREATE, sizeof(struct drm_i915_gem_create) },
	{ 0x40 + DRM_I915_GEM_PREAD, sizeof(struct drm_i915_gem_pread) },
	{ 0x40 + DRM_I915_GEM_PWRITE, sizeof(struct drm_i915_gem_pwrite) },
	{ 0x40 + DRM_I915_GEM_MMAP, sizeof(struct drm_i915_gem_mmap) },
	{ 0x40 + DRM_I915_GEM_MMAP_GTT, sizeof(struct drm_i915_gem_mmap_offset) },
	{ 0x40 + DRM_I915_GEM_SET_DOMAIN, sizeof(struct drm_i915_gem_set_domain) },
	{ 0x40 + DRM_I915_GEM_SW_FINISH, sizeof(struct drm_i915_gem_sw_finish) },
	{ 0x40 + DRM_I915_GEM_SET_TILING, sizeof(struct drm_i915_gem_set_tiling) },
	{ 0x40 + DRM_I915_GEM_GET_TILING, sizeof(struct drm_i915_gem_get_tiling) },
	{ 0x40 + DRM_I915_GEM_GET_APERTURE, sizeof(struct drm_i915_gem_get_aperture) },
	{ 0x40 + DRM_I915_GEM_MADVISE, sizeof(struct drm_i915_gem_madvise) },
	{ 0x40 + DRM_I915_GEM_WAIT, sizeof(struct drm_i915_gem_wait) },
	{ 0x40 + DRM_I915_GEM_CONTEXT_CREATE, sizeof(struct drm_i915_gem_context_create_ext) },
	{ 0x40 + DRM_I915_GEM_CONTEXT_DESTROY, sizeof(struct drm_i915_gem_context_destroy) },
	{ 0x40 + DRM_I915_REG_READ, sizeof(struct drm_i915_reg_read) },
	{ 0x40 + DRM_I915_GET_RESET_STATS, sizeof(struct drm_i915_reset_stats) },
	{ 0x40 + DRM_I915_GEM_USERPTR, sizeof(struct drm_i915_gem_userptr) },
	{ 0x40 + DRM_I915_GEM_CONTEXT_GETPARAM, sizeof(struct drm_i915_gem_context_param) },
	{ 0x40 + DRM_I915_GEM_CONTEXT_SETPARAM, sizeof(struct drm_i915_gem_context_param) },
	{ 0x40 + DRM_I915_QUERY, sizeof(struct drm_i915_query) },
	{ 0x40 + DRM_I915_GEM_VM_CREATE, sizeof(struct drm_i915_gem_vm_control) },
	{ 0x40 + DRM_I915_GEM_VM_DESTROY, sizeof(struct drm_i915_gem_vm_control) },
	{ 0x40 + DRM_I915_GEM_CREATE_EXT, sizeof(struct drm_i915_gem_create_ext) },
};

/*
 * Calls that may legitimately block until a random timeout: syncobj waits
 * and vblank waits. They are still thrown, under a one-second alarm that
 * turns a long wait into EINTR.
 */
static int may_block(unsigned int nr)
{
	return nr == 0x3a || nr == 0xc3 || nr == 0xca || nr == 0x3c;
}

static void fill_arg(uint8_t *arg, unsigned int size)
{
	unsigned int i;
	uint64_t mode = rnd() % 4;

	for (i = 0; i < size; i += 8) {
		uint64_t v = rnd();

		memcpy(arg + i, &v, size - i < 8 ? size - i : 8);
	}
	if (mode == 0)
		return; /* pure noise */
	/* otherwise bias the words toward what handlers look at */
	for (i = 0; i + 8 <= size; i += 8) {
		uint64_t r = rnd(), v;

		switch (r % 8) {
		case 0: v = 0; break;
		case 1: v = r >> 61; break;                 /* small: handles, ids */
		case 2: v = ((r >> 40) & 0xffff) | ((r >> 20) & 7) << 32; break;
		case 3: v = (uintptr_t)scratch + (r >> 32) % SCRATCH_SIZE; break;
		case 4: v = 4096ull << ((r >> 8) % 12);   break; /* sizes */
		case 5: v = bad_ptr(); break;
		default: continue;
		}
		memcpy(arg + i, &v, 8);
	}
}

TEST(fuzz_every_ioctl)
{
	static const int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE,
				    _IOC_READ | _IOC_WRITE };
	const char *env = getenv("GEMU_FUZZ_CALLS");
	long calls = env ? atol(env) : 20000, i, bad = 0, ok = 0, intr = 0;
	long errs[1024] = { 0 };
	struct sigaction sa;
	uint8_t *arg;
	int fds[2], j;

	scratch = fenced_area(SCRATCH_SIZE);
	arg = fenced_area(ARG_SIZE);
	REQUIRE(scratch && arg);
	fds[0] = open_card();
	fds[1] = open_render();
	REQUIRE(fds[0] >= 0 && fds[1] >= 0);
	/* some objects so that small handles mean something */
	for (j = 0; j < 4; j++) {
		gem_create(fds[0], 4096 << j);
		gem_create(fds[1], 4096 << j);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);

	for (i = 0; i < calls; i++) {
		unsigned int nr, size, dir;
		unsigned long cmd;
		int fd = fds[rnd() & 1], r;
		struct itimerval it = { { 0, 0 }, { 1, 0 } };

		if (rnd() & 1) {
			j = rnd() % (sizeof(known) / sizeof(known[0]));
			nr = known[j].nr;
			size = known[j].size;
			dir = (rnd() % 4) ? (_IOC_READ | _IOC_WRITE)
					  : dirs[rnd() % 4];
		} else {
			nr = rnd() % 256;
			size = (rnd() % 8) ? rnd() % 257 : rnd() % ARG_SIZE;
			dir = dirs[rnd() % 4];
		}
		if (dir == _IOC_NONE)
			size = 0;
		cmd = _IOC(dir, DRM_IOCTL_BASE, nr, size);
		fill_arg(arg, size);

		if (may_block(nr))
			setitimer(ITIMER_REAL, &it, NULL);
		r = raw_ioctl(fd, cmd, size ? arg : NULL);
		if (may_block(nr)) {
			struct itimerval off = { { 0, 0 }, { 0, 0 } };

			setitimer(ITIMER_REAL, &off, NULL);
		}

		if (r >= 0) {
			ok++;
		} else if (r == -EINTR) {
			intr++;
		} else if (!plausible(nr, -r)) {
			if (bad++ < 20) {
				char s[64];

				fprintf(stderr,
					"FAIL call %ld: cmd 0x%08lx (nr 0x%02x dir %u size %u) -> %s\n",
					i, cmd, nr, dir, size,
					gemu_ret_str(r, s, sizeof(s)));
			}
		} else {
			errs[-r & 0x3ff]++;
		}

		if (i % 1000 == 999 && !device_answers_version(fds[1])) {
			CHECK(!"device answers VERSION during the fuzz");
			fprintf(stderr, "  ... stopped after call %ld\n", i);
			break;
		}
	}
	INFO("%ld calls: %ld succeeded, %ld EINTR, %ld implausible", i, ok,
	     intr, bad);
	for (j = 0; j < 1024; j++)
		if (errs[j])
			INFO("  %-10s %ld", gemu_errname(j), errs[j]);
	CHECK_EQ(bad, 0);

	/* the device still answers, on the old fds and on a new one */
	CHECK(device_answers_version(fds[0]));
	CHECK(device_answers_version(fds[1]));
	{
		int fresh = open_render();

		CHECK(fresh >= 0 && device_answers_version(fresh));
		if (fresh >= 0)
			close(fresh);
	}
	close(fds[0]);
	close(fds[1]);
}
