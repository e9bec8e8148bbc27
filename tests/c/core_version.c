/*
 * DRM core identity calls: VERSION, GET_UNIQUE/SET_VERSION, GET_CAP,
 * SET_CLIENT_CAP, GET_CLIENT, and ioctl numbers nobody answers.
 */
#include "gemu_test.h"

TEST(version_two_call_protocol)
{
	struct drm_version v = { 0 };
	char name[64], date[64], desc[128];
	int fd = open_card();

	REQUIRE(fd >= 0);

	/* drm_version/drm_copy_field: NULL buffers, lengths 0 -> only lengths. */
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_VERSION, &v));
	CHECK_EQ(v.name_len, 4);
	CHECK(v.date_len >= 1); /* drm_version: date is deprecated, "0" now */
	CHECK(v.desc_len >= 1);
	CHECK(v.desc_len < sizeof(desc));
	CHECK(v.date_len < sizeof(date));
	/* i915_driver.c: DRIVER_MAJOR 1, DRIVER_MINOR 6, DRIVER_PATCHLEVEL 0 */
	CHECK_EQ(v.version_major, 1);
	CHECK_EQ(v.version_minor, 6);
	CHECK_EQ(v.version_patchlevel, 0);

	memset(name, 0x55, sizeof(name));
	memset(date, 0x55, sizeof(date));
	memset(desc, 0x55, sizeof(desc));
	v.name = name;
	v.date = date;
	v.desc = desc;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_VERSION, &v));
	CHECK_EQ(v.name_len, 4);
	CHECK(memcmp(name, "i915", 4) == 0);
	/* drm_copy_field copies exactly strlen bytes, no terminator */
	CHECK_EQ((unsigned char)name[4], 0x55);
	if (v.desc_len < sizeof(desc)) {
		desc[v.desc_len] = 0;
		/* i915_driver.c: DRIVER_DESC "Intel Graphics" */
		CHECK(strcmp(desc, "Intel Graphics") == 0);
	}
	close(fd);
}

TEST(version_short_and_null_buffers)
{
	char name[8];
	struct drm_version v = { 0 };
	int fd = open_card();

	REQUIRE(fd >= 0);

	/* drm_copy_field: copy min(len, strlen), report the full length */
	memset(name, 0x55, sizeof(name));
	v.name_len = 2;
	v.name = name;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_VERSION, &v));
	CHECK_EQ(v.name_len, 4);
	CHECK(memcmp(name, "i9", 2) == 0);
	CHECK_EQ((unsigned char)name[2], 0x55);

	/* drm_copy_field: a NULL buffer with a length is not written */
	memset(&v, 0, sizeof(v));
	v.name_len = 100;
	v.name = NULL;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_VERSION, &v));
	CHECK_EQ(v.name_len, 4);

	/* drm_copy_field: copy_to_user fails -> EFAULT */
	memset(&v, 0, sizeof(v));
	v.name_len = 4;
	v.name = (char *)(uintptr_t)bad_ptr();
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_VERSION, &v), EFAULT);

	/* the render node answers VERSION too (DRM_RENDER_ALLOW) */
	close(fd);
	fd = open_render();
	REQUIRE(fd >= 0);
	CHECK(device_answers_version(fd));
	close(fd);
}

TEST(get_unique_and_set_version)
{
	char buf[64];
	struct drm_unique u = { 0 };
	struct drm_set_version sv;
	int fd = open_card();

	REQUIRE(fd >= 0);

	/*
	 * drm_getunique: the master's unique is empty until SET_VERSION 1.1+
	 * (the "getunique and setversion story" in drm_ioctl.c).
	 */
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_GET_UNIQUE, &u));
	CHECK_EQ(u.unique_len, 0);

	/* drm_setversion: interface 1.4, driver -1 (don't care) */
	sv.drm_di_major = 1;
	sv.drm_di_minor = 4;
	sv.drm_dd_major = -1;
	sv.drm_dd_minor = -1;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_SET_VERSION, &sv));
	CHECK_EQ(sv.drm_di_major, 1); /* DRM_IF_MAJOR */
	CHECK_EQ(sv.drm_di_minor, 4); /* DRM_IF_MINOR */
	CHECK_EQ(sv.drm_dd_major, 1);
	CHECK_EQ(sv.drm_dd_minor, 6);

	/* drm_setversion: wrong interface major -> EINVAL (still filled in) */
	sv.drm_di_major = 2;
	sv.drm_di_minor = 0;
	sv.drm_dd_major = -1;
	sv.drm_dd_minor = -1;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SET_VERSION, &sv), EINVAL);
	/* drm_setversion: driver minor above DRIVER_MINOR -> EINVAL */
	sv.drm_di_major = -1;
	sv.drm_dd_major = 1;
	sv.drm_dd_minor = 7;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SET_VERSION, &sv), EINVAL);

	/* drm_set_busid -> drm_pci_set_busid: "pci:DDDD:BB:SS.F" */
	memset(&u, 0, sizeof(u));
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_GET_UNIQUE, &u));
	CHECK_EQ(u.unique_len, 16);

	/* drm_getunique: too short -> nothing copied, length reported */
	memset(buf, 0x55, sizeof(buf));
	u.unique_len = 4;
	u.unique = buf;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_GET_UNIQUE, &u));
	CHECK_EQ(u.unique_len, 16);
	CHECK_EQ((unsigned char)buf[0], 0x55);

	u.unique_len = sizeof(buf);
	u.unique = buf;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_GET_UNIQUE, &u));
	CHECK_EQ(u.unique_len, 16);
	CHECK(memcmp(buf, "pci:", 4) == 0);

	/* drm_getunique: copy_to_user fails -> EFAULT */
	u.unique_len = sizeof(buf);
	u.unique = (char *)(uintptr_t)bad_ptr();
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_GET_UNIQUE, &u), EFAULT);
	close(fd);
}

static int get_cap(int fd, uint64_t cap, uint64_t *value)
{
	struct drm_get_cap c = { .capability = cap, .value = 0xdeadbeef };
	int r = do_ioctl(fd, DRM_IOCTL_GET_CAP, &c);

	*value = c.value;
	return r;
}

static int set_client_cap(int fd, uint64_t cap, uint64_t value)
{
	struct drm_set_client_cap c = { .capability = cap, .value = value };

	return do_ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, &c);
}

/*
 * drm_getcap answers four caps for every driver; the rest only when the
 * driver has DRIVER_MODESET (a KMS i915 has it; i915 without display
 * drops it). DUMB_BUFFER tells which of the two the device is, and every
 * other answer must agree with it.
 */
static int device_is_kms(int fd)
{
	uint64_t v;

	return get_cap(fd, DRM_CAP_DUMB_BUFFER, &v) == 0;
}

TEST(get_cap)
{
	uint64_t v;
	int r, kms, fd = open_card();

	REQUIRE(fd >= 0);

	/* drm_getcap: answered for all drivers */
	CHECK_OK(get_cap(fd, DRM_CAP_TIMESTAMP_MONOTONIC, &v));
	CHECK_EQ(v, 1);

	/*
	 * drm_getcap: PRIME is IMPORT|EXPORT for every driver, SYNCOBJ and
	 * SYNCOBJ_TIMELINE are 1 for i915 (DRIVER_SYNCOBJ[_TIMELINE]). DESIGN
	 * §5 lets gemu say 0 while it cannot hand out fds or run syncobjs; the
	 * answer must then be all or nothing and match what the calls do.
	 */
	CHECK_OK(get_cap(fd, DRM_CAP_PRIME, &v));
	CHECK(v == 0 || v == (DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT));
	if (v == 0)
		INFO("DRM_CAP_PRIME is 0 (i915: 3)");
	{
		uint64_t so = 9, tl = 9;
		struct drm_syncobj_create c = { 0 };
		int r;

		CHECK_OK(get_cap(fd, DRM_CAP_SYNCOBJ, &so));
		CHECK_OK(get_cap(fd, DRM_CAP_SYNCOBJ_TIMELINE, &tl));
		CHECK(so == 0 || so == 1);
		CHECK_EQ(tl, so);
		r = do_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);
		if (so) {
			struct drm_syncobj_destroy d = { .handle = c.handle };

			CHECK_OK(r);
			CHECK_OK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d));
		} else {
			INFO("DRM_CAP_SYNCOBJ is 0 (i915: 1)");
			/* drm_syncobj_create_ioctl: !DRIVER_SYNCOBJ -> EOPNOTSUPP */
			CHECK_ERRNO(r, EOPNOTSUPP);
		}
	}

	kms = device_is_kms(fd);
	INFO("device answers as %s", kms ? "KMS" : "render-only");
	if (kms) {
		CHECK_OK(get_cap(fd, DRM_CAP_DUMB_BUFFER, &v));
		CHECK_EQ(v, 1); /* i915 has dumb_create */
		CHECK_OK(get_cap(fd, DRM_CAP_VBLANK_HIGH_CRTC, &v));
		CHECK_EQ(v, 1);
		CHECK_OK(get_cap(fd, DRM_CAP_CRTC_IN_VBLANK_EVENT, &v));
		CHECK_EQ(v, 1);
		/* drm_getcap: unknown cap -> EINVAL */
		CHECK_ERRNO(get_cap(fd, 0xdead, &v), EINVAL);
		CHECK_ERRNO(get_cap(fd, 0, &v), EINVAL);
	} else {
		/* drm_getcap: !DRIVER_MODESET -> EOPNOTSUPP for the rest */
		r = get_cap(fd, DRM_CAP_DUMB_BUFFER, &v);
		CHECK_ERRNO(r, EOPNOTSUPP);
		CHECK_ERRNO(get_cap(fd, DRM_CAP_CURSOR_WIDTH, &v), EOPNOTSUPP);
		CHECK_ERRNO(get_cap(fd, 0xdead, &v), EOPNOTSUPP);
	}

	/* drm_ioctls[]: GET_CAP is DRM_RENDER_ALLOW */
	close(fd);
	fd = open_render();
	REQUIRE(fd >= 0);
	CHECK_OK(get_cap(fd, DRM_CAP_TIMESTAMP_MONOTONIC, &v));
	CHECK_EQ(v, 1);
	close(fd);
}

TEST(set_client_cap)
{
	int fd = open_card();

	REQUIRE(fd >= 0);

	if (device_is_kms(fd)) {
		/* drm_setclientcap: booleans accept 0 and 1 */
		CHECK_OK(set_client_cap(fd, DRM_CLIENT_CAP_STEREO_3D, 1));
		CHECK_OK(set_client_cap(fd, DRM_CLIENT_CAP_STEREO_3D, 0));
		CHECK_ERRNO(set_client_cap(fd, DRM_CLIENT_CAP_STEREO_3D, 2),
			    EINVAL);
		CHECK_OK(set_client_cap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1));
		CHECK_ERRNO(set_client_cap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES,
					   2), EINVAL);
		CHECK_OK(set_client_cap(fd, DRM_CLIENT_CAP_ASPECT_RATIO, 1));
		CHECK_ERRNO(set_client_cap(fd, DRM_CLIENT_CAP_ASPECT_RATIO, 2),
			    EINVAL);
		/* WRITEBACK_CONNECTORS needs ATOMIC first -> EINVAL */
		CHECK_ERRNO(set_client_cap(fd,
					   DRM_CLIENT_CAP_WRITEBACK_CONNECTORS,
					   1), EINVAL);
		/* ATOMIC: 0..2 (i915 has DRIVER_ATOMIC); 3 -> EINVAL */
		CHECK_ERRNO(set_client_cap(fd, DRM_CLIENT_CAP_ATOMIC, 3), EINVAL);
		CHECK_OK(set_client_cap(fd, DRM_CLIENT_CAP_ATOMIC, 1));
		CHECK_OK(set_client_cap(fd, DRM_CLIENT_CAP_WRITEBACK_CONNECTORS,
					1));
		/* unknown capability -> EINVAL */
		CHECK_ERRNO(set_client_cap(fd, 0xdead, 0), EINVAL);
		CHECK_ERRNO(set_client_cap(fd, 0, 0), EINVAL);
	} else {
		/* drm_setclientcap: !DRIVER_MODESET -> EOPNOTSUPP for all */
		CHECK_ERRNO(set_client_cap(fd, DRM_CLIENT_CAP_STEREO_3D, 1),
			    EOPNOTSUPP);
		CHECK_ERRNO(set_client_cap(fd, DRM_CLIENT_CAP_ATOMIC, 1),
			    EOPNOTSUPP);
		CHECK_ERRNO(set_client_cap(fd, 0xdead, 0), EOPNOTSUPP);
	}
	close(fd);

	/* drm_ioctls[]: SET_CLIENT_CAP has no DRM_RENDER_ALLOW -> EACCES */
	fd = open_render();
	REQUIRE(fd >= 0);
	CHECK_ERRNO(set_client_cap(fd, DRM_CLIENT_CAP_STEREO_3D, 1), EACCES);
	close(fd);
}

TEST(get_client)
{
	struct drm_client c;
	int fd = open_card();

	REQUIRE(fd >= 0);

	/* drm_getclient: idx 0 describes the caller */
	memset(&c, 0x55, sizeof(c));
	c.idx = 0;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_GET_CLIENT, &c));
	CHECK_EQ(c.auth, 1); /* first opener: master, hence authenticated */
	CHECK_EQ(c.pid, getpid()); /* task_pid_vnr(current) */
	CHECK_EQ(c.uid, 65534); /* overflowuid */
	CHECK_EQ(c.magic, 0);
	CHECK_EQ(c.iocs, 0);

	/* drm_getclient: any other index -> EINVAL */
	c.idx = 1;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_GET_CLIENT, &c), EINVAL);
	c.idx = -1;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_GET_CLIENT, &c), EINVAL);
	close(fd);

	/* drm_ioctls[]: GET_CLIENT flags 0 -> EACCES on the render node */
	fd = open_render();
	REQUIRE(fd >= 0);
	memset(&c, 0, sizeof(c));
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_GET_CLIENT, &c), EACCES);
	close(fd);
}

TEST(unknown_ioctl_numbers)
{
	char buf[256] = { 0 };
	int fd = open_card();

	REQUIRE(fd >= 0);

	/* drm_ioctl: type other than 'd' -> ENOTTY */
	CHECK_ERRNO(raw_ioctl(fd, _IOWR('x', 1, uint64_t), buf), ENOTTY);
	/* drm_ioctl: core nr past drm_ioctls[] -> EINVAL */
	CHECK_ERRNO(raw_ioctl(fd, DRM_IO(0xfe), NULL), EINVAL);
	CHECK_ERRNO(raw_ioctl(fd, DRM_IOWR(0xfd, struct drm_version), buf),
		    EINVAL);
	/* drm_ioctl: driver nr past i915_ioctls[] -> EINVAL */
	CHECK_ERRNO(raw_ioctl(fd, DRM_IO(DRM_COMMAND_BASE + 0x50), NULL),
		    EINVAL);
	CHECK_ERRNO(raw_ioctl(fd, DRM_IOWR(DRM_COMMAND_BASE + 0x5f,
					   struct drm_i915_getparam), buf),
		    EINVAL);
	/* i915_ioctls[]: legacy GEM_EXECBUFFER is drm_invalid_op -> EINVAL */
	{
		struct drm_i915_gem_execbuffer eb = { 0 };

		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER, &eb),
			    EINVAL);
	}
	/* i915_ioctls[]: GEM_PIN is i915_gem_reject_pin_ioctl -> ENODEV (root) */
	if (geteuid() == 0) {
		struct drm_i915_gem_pin pin = { 0 };

		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_PIN, &pin), ENODEV);
	}
	/* still answering */
	CHECK(device_answers_version(fd));
	close(fd);
}
