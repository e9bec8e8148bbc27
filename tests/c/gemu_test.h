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
