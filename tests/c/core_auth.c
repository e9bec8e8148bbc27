/*
 * DRM master and authentication: GET_MAGIC/AUTH_MAGIC, SET/DROP_MASTER,
 * what an unauthenticated card client and a render client may call.
 *
 * Every case closes all its fds, so the device has no master between
 * cases (drm_master_release drops it with the last master fd).
 */
#include <linux/capability.h>
#include <sys/syscall.h>

#include "gemu_test.h"

/*
 * drm_file_alloc: "for compatibility root is always authenticated" --
 * authenticated = capable(CAP_SYS_ADMIN) at open. To get an
 * unauthenticated client this test drops CAP_SYS_ADMIN from its effective
 * set around the open (and around calls that check it), then raises it
 * again.
 */
static int set_sys_admin(int on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (on)
		data[0].effective |= 1u << CAP_SYS_ADMIN;
	else
		data[0].effective &= ~(1u << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

static int open_card_unprivileged(void)
{
	int fd;

	if (geteuid() != 0)
		return open_card();
	if (set_sys_admin(0))
		return -EPERM;
	fd = open_card();
	set_sys_admin(1);
	return fd;
}

static int client_auth(int fd)
{
	struct drm_client c = { .idx = 0 };

	if (do_ioctl(fd, DRM_IOCTL_GET_CLIENT, &c))
		return -1;
	return c.auth;
}

static int get_magic(int fd, drm_magic_t *magic)
{
	struct drm_auth a = { 0 };
	int r = do_ioctl(fd, DRM_IOCTL_GET_MAGIC, &a);

	*magic = a.magic;
	return r;
}

static int auth_magic(int fd, drm_magic_t magic)
{
	struct drm_auth a = { .magic = magic };

	return do_ioctl(fd, DRM_IOCTL_AUTH_MAGIC, &a);
}

static int set_master(int fd)
{
	return do_ioctl(fd, DRM_IOCTL_SET_MASTER, NULL);
}

static int drop_master(int fd)
{
	return do_ioctl(fd, DRM_IOCTL_DROP_MASTER, NULL);
}

static int flink(int fd, uint32_t handle, uint32_t *name)
{
	struct drm_gem_flink f = { .handle = handle };
	int r = do_ioctl(fd, DRM_IOCTL_GEM_FLINK, &f);

	*name = f.name;
	return r;
}

TEST(render_open_does_not_take_master)
{
	int r, c;

	/* drm_open_helper: only primary nodes go through drm_master_open */
	r = open_render();
	REQUIRE(r >= 0);
	c = open_card();
	REQUIRE(c >= 0);
	CHECK_EQ(client_auth(c), 1);
	CHECK_OK(set_master(c)); /* already the current master: 0 */
	close(c);
	close(r);
}

TEST(first_opener_is_master)
{
	drm_magic_t m1 = 0, m1b = 0, m2 = 0;
	uint32_t h, name;
	int fd1, fd2;

	/* (the previous case's master may still be on its way out: see
	 * open_card_master) */
	fd1 = open_card_master();
	REQUIRE(fd1 >= 0);
	/* drm_master_open -> drm_new_set_master: is_master, authenticated */
	CHECK_EQ(client_auth(fd1), 1);

	/* drm_getmagic: a non-zero magic, stable across calls */
	CHECK_OK(get_magic(fd1, &m1));
	CHECK(m1 != 0);
	CHECK_OK(get_magic(fd1, &m1b));
	CHECK_EQ(m1b, m1);

	/* a second opener as root: not master, but authenticated (root) */
	{
		int fd3 = open_card();

		REQUIRE(fd3 >= 0);
		CHECK_EQ(client_auth(fd3), geteuid() == 0 ? 1 : 0);
		close(fd3);
	}

	fd2 = open_card_unprivileged();
	REQUIRE(fd2 >= 0);
	/* second opener without CAP_SYS_ADMIN: not authenticated */
	CHECK_EQ(client_auth(fd2), 0);
	CHECK_OK(get_magic(fd2, &m2));
	CHECK(m2 != 0);
	CHECK(m2 != m1);

	/* drm_ioctl_permit: GEM_FLINK/GEM_OPEN are DRM_AUTH -> EACCES */
	h = gem_create(fd2, 4096);
	CHECK_ERRNO(flink(fd2, h, &name), EACCES);
	{
		struct drm_gem_open o = { .name = 1 };

		CHECK_ERRNO(do_ioctl(fd2, DRM_IOCTL_GEM_OPEN, &o), EACCES);
	}
	/* drm_ioctl_permit: AUTH_MAGIC is DRM_MASTER -> EACCES */
	CHECK_ERRNO(auth_magic(fd2, m1), EACCES);
	/* i915 ioctls are DRM_RENDER_ALLOW without DRM_AUTH: allowed */
	{
		int v = 0;

		CHECK_OK(getparam(fd2, I915_PARAM_CHIPSET_ID, &v));
	}

	/* drm_authmagic: unknown magic -> EINVAL */
	CHECK_ERRNO(auth_magic(fd1, 0x7ffffff0), EINVAL);
	CHECK_ERRNO(auth_magic(fd1, 0), EINVAL);

	/* drm_authmagic: authenticates fd2, then forgets the magic */
	CHECK_OK(auth_magic(fd1, m2));
	CHECK_EQ(client_auth(fd2), 1);
	CHECK_ERRNO(auth_magic(fd1, m2), EINVAL);

	/* now fd2 may flink */
	CHECK_OK(flink(fd2, h, &name));
	CHECK(name != 0);
	CHECK_OK(gem_close(fd2, h));

	close(fd2);
	close(fd1);
}

/*
 * Open the card as its first opener, which drm_master_open makes master. The
 * previous case's files may still be open for a moment: FUSE releases a closed
 * file asynchronously, so try again for up to 2 s while another file is master.
 */
static int open_card_as_master(void)
{
	int i, fd;

	for (i = 0; i < 200; i++) {
		fd = open_card();
		/* drm_authmagic: a master gets EINVAL for magic 0, others EACCES */
		if (fd < 0 || auth_magic(fd, 0) != -EACCES)
			return fd;
		close(fd);
		usleep(10000);
	}
	return -1;
}

TEST(set_and_drop_master)
{
	drm_magic_t m3 = 0;
	int fd1, fd2, fd3, fd4;

	if (geteuid() != 0)
		SKIP("needs CAP_SYS_ADMIN for SET_MASTER on a never-master fd");

	fd1 = open_card_as_master();
	REQUIRE(fd1 >= 0);
	fd2 = open_card();
	REQUIRE(fd2 >= 0);

	/* drm_master_check_perm: never master and no CAP_SYS_ADMIN -> EACCES */
	REQUIRE_OK(set_sys_admin(0));
	CHECK_ERRNO(set_master(fd2), EACCES);
	CHECK_ERRNO(drop_master(fd2), EACCES);
	/* ... while fd1, which was master, may (same process) */
	CHECK_OK(set_master(fd1));
	REQUIRE_OK(set_sys_admin(1));

	/* drm_dropmaster_ioctl: caller is not the current master -> EINVAL */
	CHECK_ERRNO(drop_master(fd2), EINVAL);
	/* drm_setmaster_ioctl: another fd is master -> EBUSY */
	CHECK_ERRNO(set_master(fd2), EBUSY);
	/* drm_setmaster_ioctl: already current master -> 0 */
	CHECK_OK(set_master(fd1));

	/* drm_dropmaster_ioctl: current master drops; twice -> EINVAL */
	CHECK_OK(drop_master(fd1));
	CHECK_ERRNO(drop_master(fd1), EINVAL);
	/* drm_ioctl_permit: AUTH_MAGIC needs the *current* master */
	CHECK_ERRNO(auth_magic(fd1, 1), EACCES);

	/* no master: fd2 becomes one (drm_new_set_master), authenticated */
	CHECK_OK(set_master(fd2));
	CHECK_EQ(client_auth(fd2), 1);
	CHECK_ERRNO(set_master(fd1), EBUSY);

	/* a new opener joins fd2's master and fd2 can authenticate it */
	fd3 = open_card_unprivileged();
	REQUIRE(fd3 >= 0);
	CHECK_EQ(client_auth(fd3), 0);
	CHECK_OK(get_magic(fd3, &m3));
	CHECK_OK(auth_magic(fd2, m3));
	CHECK_EQ(client_auth(fd3), 1);

	/* fd1 (was master) may take it back once fd2 drops */
	CHECK_OK(drop_master(fd2));
	CHECK_OK(set_master(fd1));
	CHECK_OK(drop_master(fd1));

	/* drm_master_release: with no master, the next opener is master */
	fd4 = open_card();
	REQUIRE(fd4 >= 0);
	CHECK_EQ(client_auth(fd4), 1);
	CHECK_OK(set_master(fd4));
	CHECK_ERRNO(set_master(fd1), EBUSY);

	close(fd4);
	close(fd3);
	close(fd2);
	close(fd1);
}

TEST(master_close_frees_master)
{
	int fd1, fd2;

	/* The earlier tests' files may still be on their way out: over FUSE a file's
	 * release arrives after close() returns (see open_card_master). */
	fd1 = open_card_master();
	REQUIRE(fd1 >= 0);
	fd2 = open_card_unprivileged();
	REQUIRE(fd2 >= 0);
	CHECK_EQ(client_auth(fd2), 0);
	/* drm_master_release: closing the current master drops dev->master */
	close(fd1);
	fd1 = open_card_master();
	REQUIRE(fd1 >= 0);
	/* dev->master was NULL at this open -> new master */
	CHECK_EQ(client_auth(fd1), 1);
	CHECK_OK(set_master(fd1));
	close(fd1);
	close(fd2);
}

TEST(render_node_restrictions)
{
	drm_magic_t m;
	uint32_t h, name = 0;
	struct drm_unique u = { 0 };
	struct drm_set_version sv = { 1, 4, -1, -1 };
	struct drm_gem_open o = { .name = 1 };
	int r, v = 0;

	r = open_render();
	REQUIRE(r >= 0);

	/* drm_ioctl_permit: no DRM_RENDER_ALLOW -> EACCES */
	CHECK_ERRNO(get_magic(r, &m), EACCES);
	CHECK_ERRNO(auth_magic(r, 1), EACCES);
	CHECK_ERRNO(set_master(r), EACCES);
	CHECK_ERRNO(drop_master(r), EACCES);
	CHECK_ERRNO(do_ioctl(r, DRM_IOCTL_GET_UNIQUE, &u), EACCES);
	CHECK_ERRNO(do_ioctl(r, DRM_IOCTL_SET_VERSION, &sv), EACCES);
	CHECK_ERRNO(do_ioctl(r, DRM_IOCTL_GEM_OPEN, &o), EACCES);

	/* GEM_CREATE/GEM_CLOSE/GETPARAM are DRM_RENDER_ALLOW */
	h = gem_create(r, 4096);
	CHECK(h != 0);
	CHECK_ERRNO(flink(r, h, &name), EACCES);
	CHECK_OK(getparam(r, I915_PARAM_CHIPSET_ID, &v));
	CHECK_EQ(v, 0x9a49);
	CHECK_OK(gem_close(r, h));

	/* i915_ioctls[]: I915_INIT has no DRM_RENDER_ALLOW -> EACCES */
	{
		drm_i915_init_t init = { 0 };

		CHECK_ERRNO(do_ioctl(r, DRM_IOCTL_I915_INIT, &init), EACCES);
	}
	close(r);
}
