/*
 * The shim's stat answers: every stat entry point a program may bind says
 * gemu's nodes are DRM character devices (S_IFCHR | 0666, 226:0 and
 * 226:128), and every other file reads exactly what the kernel says.
 * Under gemu run with the shim (the default).
 */
#define _GNU_SOURCE
#include "gemu_test.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

static const struct {
	const char *path;
	unsigned minor;
} nodes[] = { { GEMU_CARD, 0 }, { GEMU_RENDER, 128 } };

static void check_node_stat(const struct stat *st, unsigned minor)
{
	CHECK(S_ISCHR(st->st_mode));
	CHECK_EQ(st->st_mode & 07777, 0666);
	CHECK_EQ(major(st->st_rdev), 226);
	CHECK_EQ(minor(st->st_rdev), minor);
}

TEST(stat_family_on_nodes)
{
	for (unsigned i = 0; i < 2; i++) {
		struct stat st;
		struct stat64 st64;
		struct statx stx;
		int fd = open_node(nodes[i].path);

		REQUIRE(fd >= 0);
		memset(&st, 0, sizeof(st));
		CHECK_OK(stat(nodes[i].path, &st) ? -errno : 0);
		check_node_stat(&st, nodes[i].minor);
		memset(&st, 0, sizeof(st));
		CHECK_OK(lstat(nodes[i].path, &st) ? -errno : 0);
		check_node_stat(&st, nodes[i].minor);
		memset(&st, 0, sizeof(st));
		CHECK_OK(fstat(fd, &st) ? -errno : 0);
		check_node_stat(&st, nodes[i].minor);
		memset(&st, 0, sizeof(st));
		CHECK_OK(fstatat(AT_FDCWD, nodes[i].path, &st, 0) ? -errno : 0);
		check_node_stat(&st, nodes[i].minor);
		memset(&st, 0, sizeof(st));
		CHECK_OK(fstatat(fd, "", &st, AT_EMPTY_PATH) ? -errno : 0);
		check_node_stat(&st, nodes[i].minor);

		memset(&st64, 0, sizeof(st64));
		CHECK_OK(stat64(nodes[i].path, &st64) ? -errno : 0);
		check_node_stat((struct stat *)&st64, nodes[i].minor);
		memset(&st64, 0, sizeof(st64));
		CHECK_OK(lstat64(nodes[i].path, &st64) ? -errno : 0);
		check_node_stat((struct stat *)&st64, nodes[i].minor);
		memset(&st64, 0, sizeof(st64));
		CHECK_OK(fstat64(fd, &st64) ? -errno : 0);
		check_node_stat((struct stat *)&st64, nodes[i].minor);
		memset(&st64, 0, sizeof(st64));
		CHECK_OK(fstatat64(AT_FDCWD, nodes[i].path, &st64, 0) ? -errno : 0);
		check_node_stat((struct stat *)&st64, nodes[i].minor);

		memset(&stx, 0, sizeof(stx));
		CHECK_OK(statx(AT_FDCWD, nodes[i].path, 0, STATX_BASIC_STATS, &stx) ? -errno : 0);
		CHECK(S_ISCHR(stx.stx_mode));
		CHECK_EQ(stx.stx_mode & 07777, 0666);
		CHECK_EQ(stx.stx_rdev_major, 226);
		CHECK_EQ(stx.stx_rdev_minor, nodes[i].minor);
		close(fd);
	}
}

/* Binaries built against glibc < 2.33 call __xstat & co.; glibc 2.36 keeps
 * them as compat symbols a new program cannot link to, so look them up. */
TEST(xstat_compat_symbols)
{
	typedef int (*xstat_fn)(int, const char *, struct stat *);
	typedef int (*fxstat_fn)(int, int, struct stat *);
	typedef int (*fxstatat_fn)(int, int, const char *, struct stat *, int);
	const char *path_fns[] = { "__xstat", "__xstat64", "__lxstat", "__lxstat64" };
	const char *fd_fns[] = { "__fxstat", "__fxstat64" };
	const char *at_fns[] = { "__fxstatat", "__fxstatat64" };
	int fd = open_render();

	REQUIRE(fd >= 0);
	for (unsigned i = 0; i < 4; i++) {
		xstat_fn f = (xstat_fn)dlsym(RTLD_DEFAULT, path_fns[i]);
		struct stat st = { 0 };

		REQUIRE(f != NULL);
		CHECK_OK(f(1, GEMU_RENDER, &st) ? -errno : 0);
		check_node_stat(&st, 128);
	}
	for (unsigned i = 0; i < 2; i++) {
		fxstat_fn f = (fxstat_fn)dlsym(RTLD_DEFAULT, fd_fns[i]);
		fxstatat_fn g = (fxstatat_fn)dlsym(RTLD_DEFAULT, at_fns[i]);
		struct stat st = { 0 };

		REQUIRE(f != NULL && g != NULL);
		CHECK_OK(f(1, fd, &st) ? -errno : 0);
		check_node_stat(&st, 128);
		memset(&st, 0, sizeof(st));
		CHECK_OK(g(1, AT_FDCWD, GEMU_CARD, &st, 0) ? -errno : 0);
		check_node_stat(&st, 0);
	}
	close(fd);
}

/* Other files: the answer is the kernel's, field for field. */
TEST(other_files_untouched)
{
	const char *paths[] = { "/dev/null", "/proc/self/exe", "/dev/dri", "/", "/sys/kernel/debug/dri/0/name" };

	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct stat mine, kernel;
		struct statx stx;

		REQUIRE(stat(paths[i], &mine) == 0);
		REQUIRE(syscall(SYS_newfstatat, AT_FDCWD, paths[i], &kernel, 0) == 0);
		CHECK(memcmp(&mine, &kernel, sizeof(mine)) == 0);
		REQUIRE(statx(AT_FDCWD, paths[i], 0, STATX_BASIC_STATS, &stx) == 0);
		CHECK_EQ(stx.stx_mode, kernel.st_mode);
		CHECK_EQ(stx.stx_ino, kernel.st_ino);
	}
	/* Errors pass through too. */
	errno = 0;
	CHECK(stat("/nonexistent/gemu", &(struct stat){ 0 }) == -1 && errno == ENOENT);
	errno = 0;
	CHECK(fstat(-1, &(struct stat){ 0 }) == -1 && errno == EBADF);
}

/* The kernel still sees a regular file: only library calls are answered. */
TEST(raw_syscall_sees_the_fuse_file)
{
	struct stat st;

	REQUIRE(syscall(SYS_newfstatat, AT_FDCWD, GEMU_CARD, &st, 0) == 0);
	CHECK(S_ISREG(st.st_mode));
}

/* drm_close_driver: the fd's path starts with /dev/dri/. */
TEST(proc_fd_link_names_dev_dri)
{
	char link[64], target[256];
	int fd = open_card();
	ssize_t n;

	REQUIRE(fd >= 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	REQUIRE(n > 0);
	target[n] = 0;
	CHECK(strncmp(target, "/dev/dri/", 9) == 0);
	close(fd);
}
