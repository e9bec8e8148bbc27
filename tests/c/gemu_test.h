/*
 * gemu_test.h - a tiny test framework for the C clients of gemu's
 * end-to-end suite.
 *
 * A client is one .c file that includes this header once and defines its
 * cases with TEST(name) { ... }.  The header supplies main(): it runs every
 * case in the order they appear in the file, prints each failing check with
 * file:line and both values, and ends with exactly one line
 *
 *     N passed, M failed
 *
 * counting checks.  Exit status follows IGT: 0 all passed, 98 something
 * failed, 77 every case skipped.
 *
 * Conventions:
 *   - do_ioctl() returns 0 or -errno, like the kernel's handlers, so an
 *     expectation reads CHECK_ERRNO(do_ioctl(fd, CMD, &arg), EINVAL).
 *   - do_ioctl() goes through libdrm's drmIoctl() (restarts on EINTR and
 *     EAGAIN, as real programs do); raw_ioctl() makes exactly one ioctl(2).
 *   - REQUIRE() stops the current case when a precondition fails; SKIP()
 *     stops it without failing.
 */
#ifndef GEMU_TEST_H
#define GEMU_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <i915_drm.h>

#define GEMU_CARD "/dev/dri/card0"
#define GEMU_RENDER "/dev/dri/renderD128"

/* ---- bookkeeping ---------------------------------------------------- */

struct gemu_case {
	const char *name;
	void (*fn)(void);
};

#define GEMU_MAX_CASES 256

static struct gemu_case gemu_cases[GEMU_MAX_CASES];
static int gemu_ncases;
static long gemu_checks_passed;
static long gemu_checks_failed;
static int gemu_case_failed;
static int gemu_case_skipped;
static const char *gemu_case_name = "(none)";

static void gemu_register(const char *name, void (*fn)(void))
{
	if (gemu_ncases >= GEMU_MAX_CASES) {
		fprintf(stderr, "gemu_test.h: too many TEST() cases\n");
		abort();
	}
	gemu_cases[gemu_ncases].name = name;
	gemu_cases[gemu_ncases].fn = fn;
	gemu_ncases++;
}

/*
 * TEST(name) { body } defines a case.  Cases register themselves through
 * a constructor; constructors of one file run in source order with GCC,
 * and main() keeps that order.
 */
#define TEST(name)                                                        \
	static void gemu_case_##name(void);                               \
	__attribute__((constructor)) static void gemu_reg_##name(void)    \
	{                                                                 \
		gemu_register(#name, gemu_case_##name);                   \
	}                                                                 \
	static void gemu_case_##name(void)

/* ---- errno names ---------------------------------------------------- */

static inline const char *gemu_errname(long e)
{
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOTTY: return "ENOTTY";
	case EFBIG: return "EFBIG";
	case ERANGE: return "ERANGE";
	case EDEADLK: return "EDEADLK";
	case ENOSYS: return "ENOSYS";
	case ETIME: return "ETIME";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOTCONN: return "ENOTCONN";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EALREADY: return "EALREADY";
	case ECANCELED: return "ECANCELED";
	default: return "E?";
	}
}

/* Render a "0 or -errno" result: "0", "-EINVAL (-22)", or a plain number. */
static inline const char *gemu_ret_str(long long r, char *buf, size_t len)
{
	if (r < 0 && r > -4096)
		snprintf(buf, len, "-%s (%lld)", gemu_errname((long)-r), r);
	else
		snprintf(buf, len, "%lld (0x%llx)", r, (unsigned long long)r);
	return buf;
}

/* ---- checks --------------------------------------------------------- */

static inline void gemu_fail_header(const char *file, int line)
{
	fprintf(stderr, "FAIL %s:%d [%s]: ", file, line, gemu_case_name);
	gemu_checks_failed++;
	gemu_case_failed = 1;
}

static inline int gemu_check(int ok, const char *file, int line,
			     const char *expr)
{
	if (ok) {
		gemu_checks_passed++;
		return 1;
	}
	gemu_fail_header(file, line);
	fprintf(stderr, "CHECK(%s)\n", expr);
	return 0;
}

static inline int gemu_check_eq(long long a, long long b, const char *file,
				int line, const char *ea, const char *eb)
{
	if (a == b) {
		gemu_checks_passed++;
		return 1;
	}
	gemu_fail_header(file, line);
	fprintf(stderr, "CHECK_EQ(%s, %s): %lld (0x%llx) != %lld (0x%llx)\n",
		ea, eb, a, (unsigned long long)a, b, (unsigned long long)b);
	return 0;
}

static inline int gemu_check_errno(long long r, int expected, const char *file,
				   int line, const char *expr)
{
	char got[64];

	if (r == -(long long)expected) {
		gemu_checks_passed++;
		return 1;
	}
	gemu_fail_header(file, line);
	fprintf(stderr, "CHECK_ERRNO(%s): got %s, want %s\n", expr,
		gemu_ret_str(r, got, sizeof(got)),
		expected ? gemu_errname(expected) : "0 (success)");
	return 0;
}

/* CHECK(cond): cond must be true. Evaluates to the outcome. */
#define CHECK(cond) gemu_check(!!(cond), __FILE__, __LINE__, #cond)

/* CHECK_EQ(a, b): integer equality, both values printed on failure. */
#define CHECK_EQ(a, b)                                                    \
	gemu_check_eq((long long)(a), (long long)(b), __FILE__, __LINE__, \
		      #a, #b)

/*
 * CHECK_ERRNO(expr, e): expr returns 0 or -errno; it must return -e
 * (CHECK_ERRNO(expr, 0) means "must succeed").
 */
#define CHECK_ERRNO(expr, e)                                              \
	gemu_check_errno((long long)(expr), (e), __FILE__, __LINE__, #expr)

/* CHECK_OK(expr): expr (0 or -errno) must succeed. */
#define CHECK_OK(expr) CHECK_ERRNO(expr, 0)

/* REQUIRE(cond): like CHECK, but ends the current case when it fails. */
#define REQUIRE(cond)                                                     \
	do {                                                              \
		if (!CHECK(cond))                                         \
			return;                                           \
	} while (0)

#define REQUIRE_OK(expr)                                                  \
	do {                                                              \
		if (!CHECK_OK(expr))                                      \
			return;                                           \
	} while (0)

/* SKIP(fmt, ...): end the current case as skipped. */
#define SKIP(...)                                                         \
	do {                                                              \
		fprintf(stderr, "SKIP [%s]: ", gemu_case_name);           \
		fprintf(stderr, __VA_ARGS__);                             \
		fprintf(stderr, "\n");                                    \
		gemu_case_skipped = 1;                                    \
		return;                                                   \
	} while (0)

/* INFO(fmt, ...): a line of context on stdout. */
#define INFO(...)                                                         \
	do {                                                              \
		printf("  info [%s]: ", gemu_case_name);                  \
		printf(__VA_ARGS__);                                      \
		printf("\n");                                             \
	} while (0)

/* ---- ioctl helpers -------------------------------------------------- */

/* One ioctl through libdrm (restarts on EINTR/EAGAIN): 0 or -errno. */
static inline int do_ioctl(int fd, unsigned long cmd, void *arg)
{
	if (drmIoctl(fd, cmd, arg) == 0)
		return 0;
	return -errno;
}

/* Exactly one ioctl(2), no restart: 0 (or the positive result) or -errno. */
static inline int raw_ioctl(int fd, unsigned long cmd, void *arg)
{
	int r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

/* Open a node O_RDWR|O_CLOEXEC; -errno on failure. */
static inline int open_node(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		fprintf(stderr, "open %s: %s\n", path, strerror(e));
		return -e;
	}
	return fd;
}

static inline int open_card(void)
{
	return open_node(GEMU_CARD);
}

static inline int open_render(void)
{
	return open_node(GEMU_RENDER);
}

/*
 * A card fd that is the current master. The previous case's master fd is
 * released a moment after its close() (FUSE RELEASE is asynchronous, DRM's
 * is not); until then a new card fd joins the old master's authentication
 * domain, and when the old master goes the next opener becomes master in a
 * new one. Wait, bounded (2 s: a TCG guest is slow), for the old master to be
 * gone. Returns the fd, or -errno.
 */
static inline int open_card_master(void)
{
	for (int tries = 0; tries < 400; tries++) {
		int fd = open_card();

		if (fd < 0 || drmIsMaster(fd))
			return fd;
		close(fd);
		usleep(5000);
	}
	return -EBUSY;
}

/* GEM_CREATE of `size` bytes; returns the handle, 0 on failure (reported). */
static inline uint32_t gem_create_checked(int fd, uint64_t size,
					  const char *file, int line)
{
	struct drm_i915_gem_create c = { .size = size };
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &c);

	if (!gemu_check_errno(r, 0, file, line, "GEM_CREATE (helper)"))
		return 0;
	return c.handle;
}
#define gem_create(fd, size) gem_create_checked((fd), (size), __FILE__, __LINE__)

static inline int gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return do_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

static inline int gem_pwrite(int fd, uint32_t handle, uint64_t offset,
			     const void *data, uint64_t size)
{
	struct drm_i915_gem_pwrite p = {
		.handle = handle,
		.offset = offset,
		.size = size,
		.data_ptr = (uintptr_t)data,
	};

	return do_ioctl(fd, DRM_IOCTL_I915_GEM_PWRITE, &p);
}

static inline int gem_pread(int fd, uint32_t handle, uint64_t offset,
			    void *data, uint64_t size)
{
	struct drm_i915_gem_pread p = {
		.handle = handle,
		.offset = offset,
		.size = size,
		.data_ptr = (uintptr_t)data,
	};

	return do_ioctl(fd, DRM_IOCTL_I915_GEM_PREAD, &p);
}

/* GETPARAM into *value; 0 or -errno. */
static inline int getparam(int fd, int param, int *value)
{
	struct drm_i915_getparam gp = { .param = param, .value = value };

	return do_ioctl(fd, DRM_IOCTL_I915_GETPARAM, &gp);
}

/* DRM_IOCTL_VERSION must answer "i915": the device is alive. */
static inline int device_answers_version(int fd)
{
	char name[16] = { 0 };
	struct drm_version v = { .name_len = sizeof(name) - 1, .name = name };

	if (do_ioctl(fd, DRM_IOCTL_VERSION, &v) != 0)
		return 0;
	return v.name_len == 4 && memcmp(name, "i915", 4) == 0;
}

/*
 * An address the caller cannot read or write: one PROT_NONE page reserved
 * for the life of the process, so nothing else is ever mapped there.
 */
static inline uint64_t bad_ptr(void)
{
	static void *page;

	if (!page) {
		page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		if (page == MAP_FAILED) {
			perror("mmap PROT_NONE");
			abort();
		}
	}
	return (uintptr_t)page;
}

/* An address in the kernel half: access_ok() refuses it before any copy. */
#define KERNEL_PTR ((uint64_t)0xffff888000000000ull)

/* ---- execbuf helpers (the exec_*.c clients) -------------------------- */

#include <pthread.h>
#include <signal.h>
#include <time.h>

/*
 * Gen8+ command encodings the exec_*.c clients emit (Bspec; the kernel's
 * gt/intel_gpu_commands.h names the same values).  MI_INSTR(op, len) puts
 * the opcode in bits 28:23 and "dwords - 2" in the low bits.
 */
#define GEMU_MI_INSTR(op, len) (((uint32_t)(op) << 23) | (len))
#define MI_NOOP 0u
#define MI_BATCH_BUFFER_END GEMU_MI_INSTR(0x0a, 0)
#define MI_ARB_CHECK GEMU_MI_INSTR(0x05, 0)
#define MI_STORE_DWORD_IMM_GEN8 GEMU_MI_INSTR(0x20, 2) /* addr lo, hi, value */
#define MI_STORE_QWORD_IMM_GEN8 (GEMU_MI_INSTR(0x20, 3) | (1u << 21))
#define MI_LOAD_REGISTER_IMM_1 GEMU_MI_INSTR(0x22, 1) /* reg, value */
#define MI_STORE_REGISTER_MEM_GEN8 GEMU_MI_INSTR(0x24, 2) /* reg, lo, hi */
#define MI_LOAD_REGISTER_MEM_GEN8 GEMU_MI_INSTR(0x29, 2) /* reg, lo, hi */
#define MI_COPY_MEM_MEM GEMU_MI_INSTR(0x2e, 3) /* dst lo, hi, src lo, hi */
#define MI_FLUSH_DW_GEN8 GEMU_MI_INSTR(0x26, 2) /* + 3 dwords */
#define MI_MATH(n) GEMU_MI_INSTR(0x1a, (n) - 1)
#define MI_MATH_ALU(op, a, b) (((uint32_t)(op) << 20) | ((a) << 10) | (b))
#define MI_BATCH_BUFFER_START_GEN8 (GEMU_MI_INSTR(0x31, 1) | (1u << 8))
#define MI_BBS_SECOND_LEVEL (1u << 22)
#define MI_COND_BATCH_BUFFER_END GEMU_MI_INSTR(0x36, 0)
#define MI_DO_COMPARE (1u << 21)

/* Engine MMIO bases on Gen12 and the command streamer GPRs (64-bit each). */
#define RCS_MMIO_BASE 0x2000u
#define BCS_MMIO_BASE 0x22000u
#define CS_GPR(base, n) ((base) + 0x600u + 8u * (n))

/* The canonical form of a 48-bit GPU address: bit 47 sign-extended. */
static inline uint64_t canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16);
}

static inline int64_t gemu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* EXECBUFFER2_WR (the form that copies rsvd2 back); 0 or -errno. */
static inline int gemu_execbuf(int fd, struct drm_i915_gem_execbuffer2 *eb)
{
	return do_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, eb);
}

/*
 * One batch object (the last in the list) and `n - 1` others: fill an
 * execbuffer2 for them, ring/engine `flags`, context `ctx`.
 */
static inline void gemu_eb_init(struct drm_i915_gem_execbuffer2 *eb,
				struct drm_i915_gem_exec_object2 *objs,
				unsigned int n, uint64_t flags, uint32_t ctx)
{
	memset(eb, 0, sizeof(*eb));
	eb->buffers_ptr = (uintptr_t)objs;
	eb->buffer_count = n;
	eb->flags = flags;
	eb->rsvd1 = ctx;
}

/* GEM_WAIT with a relative timeout: 0, -ETIME, or another -errno. */
static inline int gem_wait_ns(int fd, uint32_t h, int64_t timeout_ns)
{
	struct drm_i915_gem_wait w = { .bo_handle = h,
				       .timeout_ns = timeout_ns };

	return do_ioctl(fd, DRM_IOCTL_I915_GEM_WAIT, &w);
}

/* GEM_BUSY: the busy word, or 0xdeadbeef when the ioctl fails. */
static inline uint32_t gem_busy_word(int fd, uint32_t h)
{
	struct drm_i915_gem_busy b = { .handle = h };

	if (do_ioctl(fd, DRM_IOCTL_I915_GEM_BUSY, &b))
		return 0xdeadbeef;
	return b.busy;
}

/* A new object holding `len` bytes of `data` at offset 0; 0 on failure. */
static inline uint32_t gem_create_with(int fd, uint64_t size, const void *data,
				       uint64_t len)
{
	uint32_t h = gem_create(fd, size);

	if (h && len && gem_pwrite(fd, h, 0, data, len)) {
		gem_close(fd, h);
		return 0;
	}
	return h;
}

/* MMAP_OFFSET of `type` and mmap(2) of the device; NULL on failure. */
static inline void *gem_mmap_type(int fd, uint32_t h, uint64_t size,
				  uint32_t type)
{
	struct drm_i915_gem_mmap_offset m = { .handle = h, .flags = type };
	void *p;

	if (do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	return p == MAP_FAILED ? NULL : p;
}

/* CONTEXT_CREATE (no extensions): the id, 0 on failure. */
static inline uint32_t gem_ctx_create(int fd)
{
	struct drm_i915_gem_context_create c = { 0 };

	if (do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_CREATE, &c))
		return 0;
	return c.ctx_id;
}

static inline int gem_ctx_destroy(int fd, uint32_t id)
{
	struct drm_i915_gem_context_destroy d = { .ctx_id = id };

	return do_ioctl(fd, DRM_IOCTL_I915_GEM_CONTEXT_DESTROY, &d);
}

/* An object the batch uses, softpinned at `addr` (48-bit, canonical). */
struct gemu_pin {
	uint32_t handle;
	uint64_t addr;
	uint64_t flags; /* extra EXEC_OBJECT_* (WRITE, ASYNC...) */
};

/* Where gemu_exec_cmds() softpins its batch: above 4 GiB, out of the way. */
#define GEMU_BATCH_ADDR 0x7ff000000ull

/*
 * Execute `batch` (softpinned at batch_addr) with the `n` objects of `t`,
 * every object EXEC_OBJECT_PINNED | SUPPORTS_48B_ADDRESS, on ring/engine
 * `ring` of context `ctx`. 0 or -errno of the execbuf.
 */
static inline int gemu_exec_pinned(int fd, uint32_t ctx, uint64_t ring,
				   uint32_t batch, uint64_t batch_addr,
				   const struct gemu_pin *t, unsigned int n)
{
	struct drm_i915_gem_exec_object2 o[16];
	struct drm_i915_gem_execbuffer2 eb;
	unsigned int i;

	if (n > 15)
		return -E2BIG;
	memset(o, 0, sizeof(o));
	for (i = 0; i < n; i++) {
		o[i].handle = t[i].handle;
		o[i].offset = canonical(t[i].addr);
		o[i].flags = EXEC_OBJECT_PINNED |
			     EXEC_OBJECT_SUPPORTS_48B_ADDRESS | t[i].flags;
	}
	o[n].handle = batch;
	o[n].offset = canonical(batch_addr);
	o[n].flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_SUPPORTS_48B_ADDRESS;
	gemu_eb_init(&eb, o, n + 1, ring, ctx);
	return gemu_execbuf(fd, &eb);
}

/*
 * Write `len` bytes of commands into a new 4 KiB-multiple batch, run it
 * with gemu_exec_pinned() at GEMU_BATCH_ADDR, wait for it (5 s at most)
 * and close it. 0, the execbuf's -errno, or -ETIME.
 */
static inline int gemu_exec_cmds(int fd, uint32_t ctx, uint64_t ring,
				 const uint32_t *cmds, size_t len,
				 const struct gemu_pin *t, unsigned int n)
{
	uint64_t size = (len + 4095) & ~4095ull;
	uint32_t b = gem_create_with(fd, size ? size : 4096, cmds, len);
	int r;

	if (!b)
		return -ENOMEM;
	r = gemu_exec_pinned(fd, ctx, ring, b, GEMU_BATCH_ADDR, t, n);
	if (r == 0)
		r = gem_wait_ns(fd, b, 5000000000ll);
	gem_close(fd, b);
	return r;
}

/* A 32-bit value read back with pread; 0xdeadbeef when pread fails. */
static inline uint32_t gem_read32(int fd, uint32_t h, uint64_t off)
{
	uint32_t v;

	if (gem_pread(fd, h, off, &v, sizeof(v)))
		return 0xdeadbeef;
	return v;
}

/*
 * A spinning batch: at byte 64 a loop of MI_ARB_CHECK and
 * MI_BATCH_BUFFER_START back to byte 64, entered from byte 0; it runs
 * until gemu_spin_end() writes MI_BATCH_BUFFER_END over byte 64 through a
 * write-combined mapping. The batch is softpinned at `addr` by whoever
 * submits it (gemu_exec_pinned).
 */
struct gemu_spin {
	uint32_t handle;
	uint32_t *map;
	uint64_t addr;
};

static inline void gemu_spin_arm(struct gemu_spin *s)
{
	uint64_t loop = canonical(s->addr + 64);

	s->map[0] = MI_BATCH_BUFFER_START_GEN8;
	s->map[1] = (uint32_t)loop;
	s->map[2] = (uint32_t)(loop >> 32);
	s->map[16] = MI_ARB_CHECK;
	s->map[17] = MI_BATCH_BUFFER_START_GEN8;
	s->map[18] = (uint32_t)loop;
	s->map[19] = (uint32_t)(loop >> 32);
	__sync_synchronize();
}

static inline int gemu_spin_init(int fd, struct gemu_spin *s, uint64_t addr)
{
	memset(s, 0, sizeof(*s));
	s->addr = addr;
	s->handle = gem_create(fd, 4096);
	if (!s->handle)
		return -ENOMEM;
	s->map = gem_mmap_type(fd, s->handle, 4096, I915_MMAP_OFFSET_WC);
	if (!s->map) {
		gem_close(fd, s->handle);
		s->handle = 0;
		return -ENOMEM;
	}
	gemu_spin_arm(s);
	return 0;
}

static inline void gemu_spin_end(struct gemu_spin *s)
{
	if (s->map) {
		s->map[16] = MI_BATCH_BUFFER_END;
		__sync_synchronize();
	}
}

static inline void gemu_spin_fini(int fd, struct gemu_spin *s)
{
	gemu_spin_end(s);
	if (s->map)
		munmap(s->map, 4096);
	if (s->handle)
		gem_close(fd, s->handle);
	s->map = NULL;
	s->handle = 0;
}

/*
 * A watchdog for clients that wait on a GPU: after `secs` it reports the
 * case that was running, prints the summary line with one more failure and
 * exits 98.  It is a thread, not SIGALRM: a thread stuck in an ioctl that
 * never returns is killed by the process exit, where a signal handler
 * would never run.  Forked children use alarm() instead.
 */
static unsigned int gemu_watchdog_secs;

static void *gemu_watchdog_thread(void *arg)
{
	struct timespec deadline;

	(void)arg;
	/*
	 * Cases drive SIGALRM timers at the whole process; a plain sleep()
	 * here would end early when one lands on this thread. The thread
	 * blocks every signal (set before it was created) and sleeps to an
	 * absolute deadline.
	 */
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += gemu_watchdog_secs;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline,
			       NULL) == EINTR)
		;
	fprintf(stderr, "FAIL watchdog: case [%s] still running after %u s\n",
		gemu_case_name, gemu_watchdog_secs);
	printf("%ld passed, %ld failed\n", gemu_checks_passed,
	       gemu_checks_failed + 1);
	fflush(stdout);
	_exit(98);
	return NULL;
}

static inline void gemu_watchdog(unsigned int secs)
{
	pthread_t t;

	sigset_t all, old;

	gemu_watchdog_secs = secs;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&t, NULL, gemu_watchdog_thread, NULL) == 0)
		pthread_detach(t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* GEMU_WATCHDOG(secs) at file scope arms the watchdog before main(). */
#define GEMU_WATCHDOG(secs)                                               \
	__attribute__((constructor)) static void gemu_arm_watchdog(void)  \
	{                                                                 \
		gemu_watchdog(secs);                                      \
	}

/* ---- main ----------------------------------------------------------- */

int main(int argc, char **argv)
{
	int i, ran = 0, skipped = 0, failed_cases = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stderr, NULL, _IOLBF, 0);

	for (i = 0; i < gemu_ncases; i++) {
		if (only && strcmp(only, gemu_cases[i].name) != 0)
			continue;
		gemu_case_name = gemu_cases[i].name;
		gemu_case_failed = 0;
		gemu_case_skipped = 0;
		printf("[ RUN  ] %s\n", gemu_case_name);
		gemu_cases[i].fn();
		ran++;
		if (gemu_case_failed) {
			failed_cases++;
			printf("[ FAIL ] %s\n", gemu_case_name);
		} else if (gemu_case_skipped) {
			skipped++;
			printf("[ SKIP ] %s\n", gemu_case_name);
		} else {
			printf("[   OK ] %s\n", gemu_case_name);
		}
	}

	printf("%d cases: %d failed, %d skipped\n", ran, failed_cases, skipped);
	printf("%ld passed, %ld failed\n", gemu_checks_passed,
	       gemu_checks_failed);
	if (gemu_checks_failed)
		return 98;
	if (ran == 0 || skipped == ran)
		return 77;
	return 0;
}

#endif /* GEMU_TEST_H */
