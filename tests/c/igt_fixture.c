/*
 * What IGT's drm_open_driver / drm_close_driver fixtures and its debugfs and
 * sysfs helpers do (lib/drmtest.c, lib/igt_debugfs.c, lib/igt_params.c,
 * lib/igt_sysfs.c), step by step, so a break shows here before IGT runs:
 * scan /dev/dri/card0..15 for a char device whose VERSION name is i915,
 * find its debugfs directory from fstat's minor, drop caches there, read the
 * module parameters, and on close check the fd's /proc/self/fd link.
 * The debugfs files answer from the live model.
 */
#include "gemu_test.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define DROP_ALL 0x3ff

/* __drm_open_driver: the first cardN that is an i915. */
static int drm_open_driver(void)
{
	for (int i = 0; i < 16; i++) {
		char path[32], name[16] = { 0 };
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
		struct stat st;
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		if (stat(path, &st) || !S_ISCHR(st.st_mode))
			continue;
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (ioctl(fd, DRM_IOCTL_VERSION, &v) == 0 && strcmp(name, "i915") == 0)
			return fd;
		close(fd);
	}
	return -1;
}

/* igt_debugfs_mount's is_mountpoint: a different device than its parent. */
static int is_mountpoint(const char *path)
{
	char parent[256];
	struct stat a, b;

	snprintf(parent, sizeof(parent), "%s/..", path);
	return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

/* igt_debugfs_path: /sys/kernel/debug/dri/<minor>, a render minor mapped to
 * the card whose `name` reads the same. */
static int debugfs_dir(int fd, char *out, size_t len)
{
	struct stat st;
	char path[128], name[128], cmp[128];
	int idx, f, n;

	if (!is_mountpoint("/sys/kernel/debug"))
		return -1;
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode))
		return -1;
	idx = minor(st.st_rdev);
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%d/name", idx);
	if (stat(path, &st))
		return -1;
	if (idx >= 64) {
		f = open(path, O_RDONLY);
		if (f < 0)
			return -1;
		n = read(f, name, sizeof(name));
		close(f);
		for (idx = 0; idx < 16; idx++) {
			int m;

			snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%d/name", idx);
			f = open(path, O_RDONLY);
			if (f < 0)
				continue;
			m = read(f, cmp, sizeof(cmp));
			close(f);
			if (m == n && memcmp(cmp, name, n) == 0)
				break;
		}
		if (idx == 16)
			return -1;
	}
	snprintf(out, len, "/sys/kernel/debug/dri/%d", idx);
	return 0;
}

static int read_file(int dir, const char *name, char *buf, size_t len)
{
	int f = openat(dir, name, O_RDONLY);
	ssize_t n;

	if (f < 0)
		return -errno;
	n = read(f, buf, len - 1);
	close(f);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

static int write_file(int dir, const char *name, const char *text)
{
	int f = openat(dir, name, O_WRONLY);
	ssize_t n;

	if (f < 0)
		return -errno;
	n = write(f, text, strlen(text));
	close(f);
	return n < 0 ? -errno : (int)n;
}

static int open_debugfs(int fd)
{
	char path[128];

	if (debugfs_dir(fd, path, sizeof(path)))
		return -1;
	return open(path, O_RDONLY | O_DIRECTORY);
}

TEST(open_driver_and_quiesce)
{
	char buf[256];
	int fd = drm_open_driver();
	int dir;

	REQUIRE(fd >= 0);
	dir = open_debugfs(fd);
	REQUIRE(dir >= 0);
	CHECK(read_file(dir, "name", buf, sizeof(buf)) > 0);
	CHECK(strncmp(buf, "i915 dev=0000:00:02.0", 21) == 0);
	/* igt_drop_caches_get: the flags it supports */
	CHECK(read_file(dir, "i915_gem_drop_caches", buf, sizeof(buf)) > 0);
	CHECK_EQ(strtoull(buf, NULL, 0), DROP_ALL);
	/* gem_quiescent_gpu -> igt_drop_caches_set */
	snprintf(buf, sizeof(buf), "0x%x", DROP_ALL);
	CHECK_EQ(write_file(dir, "i915_gem_drop_caches", buf), (int)strlen(buf));
	CHECK_EQ(write_file(dir, "i915_gem_drop_caches", "nonsense"), -EINVAL);
	close(dir);
	close(fd);
}

TEST(params_read_and_set)
{
	char buf[64];
	int fd = drm_open_driver();
	int dir, params;

	REQUIRE(fd >= 0);
	dir = open_debugfs(fd);
	REQUIRE(dir >= 0);
	params = openat(dir, "i915_params", O_RDONLY | O_DIRECTORY);
	REQUIRE(params >= 0);
	CHECK(read_file(params, "enable_guc", buf, sizeof(buf)) > 0);
	CHECK_EQ(atoi(buf), 0);
	CHECK(read_file(params, "enable_hangcheck", buf, sizeof(buf)) > 0);
	CHECK(buf[0] == 'Y');
	CHECK(read_file(params, "reset", buf, sizeof(buf)) > 0);
	CHECK_EQ(atoi(buf), 3);
	/* igt_params_set: written values read back */
	CHECK(write_file(params, "reset", "2147483647") > 0);
	CHECK(read_file(params, "reset", buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "2147483647\n") == 0);
	close(params);
	close(dir);
	close(fd);
}

/* The render node's debugfs directory resolves to the card's. */
TEST(render_node_finds_card_debugfs)
{
	char path[128];
	int fd = open_render();

	REQUIRE(fd >= 0);
	REQUIRE_OK(debugfs_dir(fd, path, sizeof(path)));
	CHECK(strcmp(path, "/sys/kernel/debug/dri/0") == 0);
	close(fd);
}

/* Dropping caches acts on the model: a DONTNEED object is purged. */
TEST(drop_caches_purges)
{
	struct drm_i915_gem_madvise m = { .madv = I915_MADV_DONTNEED };
	char buf[32];
	uint32_t h;
	int fd = drm_open_driver();
	int dir;

	REQUIRE(fd >= 0);
	dir = open_debugfs(fd);
	REQUIRE(dir >= 0);
	h = gem_create(fd, 4096);
	REQUIRE(h);
	REQUIRE_OK(gem_pwrite(fd, h, 0, "x", 1));
	/* A pwrite leaves an object without pages (shmem_pwrite); a read gives
	 * it some, so DONTNEED keeps it until the shrinker runs. */
	REQUIRE(gem_read32(fd, h, 0) != 0xdeadbeef);
	m.handle = h;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_MADVISE, &m));
	CHECK(m.retained);
	snprintf(buf, sizeof(buf), "0x%x", DROP_ALL);
	CHECK(write_file(dir, "i915_gem_drop_caches", buf) > 0);
	m.madv = I915_MADV_WILLNEED;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_MADVISE, &m));
	CHECK_EQ(m.retained, 0);
	gem_close(fd, h);
	close(dir);
	close(fd);
}

/* The read-only files reflect the live device. */
TEST(debugfs_files_follow_the_model)
{
	char buf[4096], me[32];
	int fd = drm_open_driver();
	int dir;
	uint32_t h;

	REQUIRE(fd >= 0);
	dir = open_debugfs(fd);
	REQUIRE(dir >= 0);
	h = gem_create(fd, 8192);
	REQUIRE(h);
	CHECK(read_file(dir, "i915_gem_objects", buf, sizeof(buf)) > 0);
	CHECK(strtoul(buf, NULL, 10) >= 1);
	CHECK(strstr(buf, "system: total:") != NULL);
	CHECK(read_file(dir, "i915_engine_info", buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "rcs0") != NULL);
	CHECK(strstr(buf, "bcs0") != NULL);
	CHECK(read_file(dir, "clients", buf, sizeof(buf)) > 0);
	snprintf(me, sizeof(me), " %d ", getpid());
	CHECK(strstr(buf, me) != NULL);
	CHECK(strstr(buf, "igt_fixture") != NULL);
	CHECK(read_file(dir, "i915_error_state", buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "No error state collected\n") == 0);
	/* core_debugfs@read-all-entries: every entry opens and reads. */
	{
		DIR *d = fdopendir(dup(dir));
		struct dirent *e;
		int files = 0;

		REQUIRE(d != NULL);
		while ((e = readdir(d))) {
			if (e->d_type != DT_REG)
				continue;
			CHECK(read_file(dir, e->d_name, buf, sizeof(buf)) >= 0);
			files++;
		}
		closedir(d);
		CHECK(files >= 6);
	}
	gem_close(fd, h);
	close(dir);
	close(fd);
}

/* igt_sysfs_open: /sys/dev/char/226:<minor> and the PCI ids behind it. */
TEST(sysfs_describes_the_device)
{
	char buf[256];
	int dir = open("/sys/dev/char/226:0", O_RDONLY | O_DIRECTORY);
	int dev;

	REQUIRE(dir >= 0);
	CHECK(read_file(dir, "dev", buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "226:0\n") == 0);
	dev = openat(dir, "device", O_RDONLY | O_DIRECTORY);
	REQUIRE(dev >= 0);
	CHECK(read_file(dev, "vendor", buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "0x8086\n") == 0);
	CHECK(read_file(dev, "device", buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "0x9a49\n") == 0);
	CHECK(read_file(dev, "uevent", buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "DRIVER=i915\n") != NULL);
	CHECK(strstr(buf, "PCI_SLOT_NAME=0000:00:02.0\n") != NULL);
	CHECK(readlinkat(dev, "driver", buf, sizeof(buf)) > 0);
	CHECK(faccessat(dev, "drm/renderD128", F_OK, 0) == 0);
	close(dev);
	close(dir);
	CHECK(access("/sys/class/drm/card0/dev", R_OK) == 0);
	CHECK(access("/sys/class/drm/renderD128/device/vendor", R_OK) == 0);
	CHECK(access("/sys/bus/pci/drivers/i915/0000:00:02.0/vendor", R_OK) == 0);
	/* The host's own entries are still there. */
	CHECK(access("/sys/devices/system/cpu/online", R_OK) == 0);
}

/* drm_close_driver: the fd must name a /dev/dri/ node. */
TEST(close_driver_checks_the_link)
{
	char link[64], target[256];
	int fd = drm_open_driver();
	ssize_t n;

	REQUIRE(fd >= 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	REQUIRE(n > 0);
	target[n] = 0;
	CHECK(strncmp(target, "/dev/dri/", 9) == 0);
	CHECK_OK(close(fd) ? -errno : 0);
}
