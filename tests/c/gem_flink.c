/*
 * GEM_FLINK / GEM_OPEN: global names across opens, same name for the same
 * object, lifetime of a name, and sharing of the memory behind it.
 * Kernel reference: drm_gem_flink_ioctl, drm_gem_open_ioctl,
 * drm_gem_object_handle_put_unlocked (drm_gem.c); IGT gem_flink_basic.
 */
#include "gemu_test.h"

static int flink(int fd, uint32_t handle, uint32_t *name)
{
	struct drm_gem_flink f = { .handle = handle };
	int r = do_ioctl(fd, DRM_IOCTL_GEM_FLINK, &f);

	*name = f.name;
	return r;
}

static int gem_open(int fd, uint32_t name, uint32_t *handle, uint64_t *size)
{
	struct drm_gem_open o = { .name = name };
	int r = do_ioctl(fd, DRM_IOCTL_GEM_OPEN, &o);

	*handle = o.handle;
	if (size)
		*size = o.size;
	return r;
}

static int open_master(void)
{
	return open_card_master();
}

/* A second card fd, authenticated by the master `master`. */
static int open_authenticated(int master)
{
	struct drm_auth a = { 0 };
	int fd = open_card();

	if (fd < 0)
		return fd;
	if (do_ioctl(fd, DRM_IOCTL_GET_MAGIC, &a) ||
	    do_ioctl(master, DRM_IOCTL_AUTH_MAGIC, &a)) {
		fprintf(stderr, "authenticating a second card fd failed\n");
		close(fd);
		return -EACCES;
	}
	return fd;
}

TEST(flink_basics)
{
	uint32_t h, h2, name = 0, name2 = 0, name3 = 0, oh;
	uint64_t size;
	int a = open_card();

	REQUIRE(a >= 0);
	h = gem_create(a, 8192);
	REQUIRE(h);

	/* drm_gem_flink_ioctl: a name, the same one each time */
	REQUIRE_OK(flink(a, h, &name));
	CHECK(name != 0);
	CHECK_OK(flink(a, h, &name2));
	CHECK_EQ(name2, name);
	/* another object, another name */
	h2 = gem_create(a, 4096);
	CHECK_OK(flink(a, h2, &name3));
	CHECK(name3 != name);

	/* drm_gem_open_ioctl: a new handle in the same file, with the size */
	CHECK_OK(gem_open(a, name, &oh, &size));
	CHECK(oh != h);
	CHECK(oh != h2);
	CHECK_EQ(size, 8192);
	/* flink through the second handle: still the same object, same name */
	CHECK_OK(flink(a, oh, &name2));
	CHECK_EQ(name2, name);

	/* drm_gem_flink_ioctl: no such handle -> ENOENT */
	CHECK_ERRNO(flink(a, 0x7ffffff0, &name2), ENOENT);
	CHECK_ERRNO(flink(a, 0, &name2), ENOENT);
	/* drm_gem_open_ioctl: no such name -> ENOENT */
	CHECK_ERRNO(gem_open(a, 0x7ffffff0, &oh, NULL), ENOENT);
	CHECK_ERRNO(gem_open(a, 0, &oh, NULL), ENOENT);

	gem_close(a, h2);
	/* drm_gem_object_handle_free: last handle gone -> name removed */
	CHECK_ERRNO(gem_open(a, name3, &oh, NULL), ENOENT);
	close(a);
}

TEST(names_are_global)
{
	uint32_t h, name = 0, hb, hb2, name_b = 0;
	uint64_t size = 0;
	uint8_t buf[64], got[64];
	int a = open_master(), b;

	REQUIRE(a >= 0);
	b = open_authenticated(a);
	REQUIRE(b >= 0);

	h = gem_create(a, 16384);
	REQUIRE(h);
	REQUIRE_OK(flink(a, h, &name));

	/* a name from one file opens in another */
	REQUIRE_OK(gem_open(b, name, &hb, &size));
	CHECK_EQ(size, 16384);
	/* each GEM_OPEN makes a new handle */
	CHECK_OK(gem_open(b, name, &hb2, NULL));
	CHECK(hb2 != hb);
	/* flink from the other file names the same object */
	CHECK_OK(flink(b, hb, &name_b));
	CHECK_EQ(name_b, name);

	/* the memory is shared: a writes, b reads, and back */
	memset(buf, 0xa5, sizeof(buf));
	CHECK_OK(gem_pwrite(a, h, 12000, buf, sizeof(buf)));
	memset(got, 0, sizeof(got));
	CHECK_OK(gem_pread(b, hb, 12000, got, sizeof(got)));
	CHECK(memcmp(buf, got, sizeof(buf)) == 0);
	memset(buf, 0x3c, sizeof(buf));
	CHECK_OK(gem_pwrite(b, hb2, 100, buf, sizeof(buf)));
	memset(got, 0, sizeof(got));
	CHECK_OK(gem_pread(a, h, 100, got, sizeof(got)));
	CHECK(memcmp(buf, got, sizeof(buf)) == 0);

	/* the name lives while any handle in any file does */
	CHECK_OK(gem_close(a, h));
	CHECK_OK(gem_open(a, name, &h, NULL));
	CHECK_OK(gem_close(a, h));
	CHECK_OK(gem_close(b, hb));
	memset(got, 0, sizeof(got));
	CHECK_OK(gem_pread(b, hb2, 100, got, sizeof(got)));
	CHECK(memcmp(buf, got, sizeof(buf)) == 0);
	CHECK_OK(gem_close(b, hb2));
	/* drm_gem_object_handle_free: no handles left -> ENOENT */
	CHECK_ERRNO(gem_open(a, name, &h, NULL), ENOENT);
	CHECK_ERRNO(gem_open(b, name, &h, NULL), ENOENT);

	close(b);
	close(a);
}

/*
 * gemu: FUSE delivers the release of a closed file in the background (DRM releases
 * synchronously), so a name that a closed file's handle kept alive goes a moment after
 * close() returns; allow it a bounded time (2 s: a TCG guest is slow). Returns the last
 * GEM_OPEN's result.
 */
static int open_until_gone(int fd, uint32_t name)
{
	uint32_t h;
	int r = 0, tries;

	for (tries = 0; tries < 2000; tries++) {
		r = gem_open(fd, name, &h, NULL);
		if (r == -ENOENT)
			break;
		if (r == 0)
			gem_close(fd, h);
		usleep(1000);
	}
	return r;
}

TEST(closing_the_file_drops_the_name)
{
	uint32_t h, name = 0, hb;
	int a = open_master(), b;

	REQUIRE(a >= 0);
	b = open_authenticated(a);
	REQUIRE(b >= 0);
	h = gem_create(b, 4096);
	REQUIRE_OK(flink(b, h, &name));
	CHECK_OK(gem_open(a, name, &hb, NULL));
	/* drm_gem_release on b's close: a's handle keeps the name alive */
	close(b);
	CHECK_OK(gem_close(a, hb));
	CHECK_ERRNO(open_until_gone(a, name), ENOENT);

	/* and with no other handle, closing the file frees the name */
	b = open_authenticated(a);
	REQUIRE(b >= 0);
	h = gem_create(b, 4096);
	REQUIRE_OK(flink(b, h, &name));
	close(b);
	CHECK_ERRNO(open_until_gone(a, name), ENOENT);
	close(a);
}

TEST(render_node_refuses_names)
{
	uint32_t h, name = 0, oh;
	int a = open_card(), r;

	REQUIRE(a >= 0);
	r = open_render();
	REQUIRE(r >= 0);
	h = gem_create(r, 4096);
	/* drm_ioctls[]: GEM_FLINK/GEM_OPEN lack DRM_RENDER_ALLOW -> EACCES */
	CHECK_ERRNO(flink(r, h, &name), EACCES);
	CHECK_ERRNO(flink(r, 0x7ffffff0, &name), EACCES);
	gem_close(r, h);
	h = gem_create(a, 4096);
	REQUIRE_OK(flink(a, h, &name));
	CHECK_ERRNO(gem_open(r, name, &oh, NULL), EACCES);
	gem_close(a, h);
	close(r);
	close(a);
}
