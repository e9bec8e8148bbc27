/*
 * Fence fds under gemu run (the shim makes them): syncobj handle <-> fd in
 * both modes (opaque and sync_file), execbuf FENCE_OUT (poll says readable
 * once the batch completed), FENCE_IN awaited, SYNC_IOC_MERGE and
 * SYNC_IOC_FILE_INFO. IGT: syncobj_basic, gem_exec_fence@basic-*.
 */
#include "gemu_test.h"

#include <poll.h>
#include <linux/sync_file.h>

#define SEC 1000000000ll
#define SPIN_ADDR 0x100000000ull

static int syncobj_create(int fd, uint32_t flags, uint32_t *h)
{
	struct drm_syncobj_create c = { .flags = flags };
	int r = do_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	*h = c.handle;
	return r;
}

static int syncobj_to_fd(int fd, uint32_t h, uint32_t flags, int *out)
{
	struct drm_syncobj_handle a = { .handle = h, .flags = flags, .fd = -1 };
	int r = do_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a);

	*out = a.fd;
	return r;
}

static int fd_to_syncobj(int fd, int sfd, uint32_t flags, uint32_t *h)
{
	struct drm_syncobj_handle a = { .fd = sfd, .flags = flags, .handle = *h };
	int r = do_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &a);

	*h = a.handle;
	return r;
}

static int syncobj_wait0(int fd, uint32_t h)
{
	struct drm_syncobj_wait w = { .handles = (uintptr_t)&h, .count_handles = 1 };

	return do_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

static int readable(int sfd, int timeout_ms)
{
	struct pollfd p = { .fd = sfd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

TEST(params_say_exec_fence)
{
	int fd = open_card(), has = -1, submit = -1;

	REQUIRE(fd >= 0);
	CHECK_OK(getparam(fd, I915_PARAM_HAS_EXEC_FENCE, &has));
	CHECK_EQ(has, 1);
	CHECK_OK(getparam(fd, I915_PARAM_HAS_EXEC_SUBMIT_FENCE, &submit));
	CHECK_EQ(submit, 1);
	close(fd);
}

TEST(syncobj_opaque_fd)
{
	int fd = open_render(), other = open_render();
	struct drm_syncobj_array sig;
	uint32_t h, h2 = 0;
	int sfd;

	REQUIRE(fd >= 0 && other >= 0);
	REQUIRE_OK(syncobj_create(fd, 0, &h));
	REQUIRE_OK(syncobj_to_fd(fd, h, 0, &sfd));
	REQUIRE(sfd >= 0);
	CHECK(fcntl(sfd, F_GETFD) & FD_CLOEXEC);
	REQUIRE_OK(fd_to_syncobj(other, sfd, 0, &h2));
	/* The same syncobj: a signal through one handle shows through the other. */
	CHECK_ERRNO(syncobj_wait0(fd, h), EINVAL);
	memset(&sig, 0, sizeof(sig));
	sig.handles = (uintptr_t)&h2;
	sig.count_handles = 1;
	REQUIRE_OK(do_ioctl(other, DRM_IOCTL_SYNCOBJ_SIGNAL, &sig));
	CHECK_OK(syncobj_wait0(fd, h));
	/* An opaque fd is no sync_file and the other way round. */
	CHECK_ERRNO(fd_to_syncobj(fd, sfd, DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE, &h), EINVAL);
	close(sfd);
	close(other);
	close(fd);
}

TEST(syncobj_sync_file)
{
	int fd = open_render();
	uint32_t h, target;
	int sfd;

	REQUIRE(fd >= 0);
	/* No syncobj: ENOENT (the fence lookup's); no fence: no sync_file. */
	CHECK_ERRNO(syncobj_to_fd(fd, 0, DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, &sfd), ENOENT);
	CHECK_ERRNO(syncobj_to_fd(fd, 0, 0, &sfd), EINVAL);
	REQUIRE_OK(syncobj_create(fd, 0, &h));
	CHECK_ERRNO(syncobj_to_fd(fd, h, DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, &sfd), EINVAL);
	REQUIRE_OK(syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED, &h));
	REQUIRE_OK(syncobj_to_fd(fd, h, DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, &sfd));
	REQUIRE(sfd >= 0);
	CHECK(readable(sfd, 0));
	/* Import into an unsignalled syncobj: it takes the fence. */
	REQUIRE_OK(syncobj_create(fd, 0, &target));
	CHECK_ERRNO(syncobj_wait0(fd, target), EINVAL);
	REQUIRE_OK(fd_to_syncobj(fd, sfd, DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE, &target));
	CHECK_OK(syncobj_wait0(fd, target));
	/* A sync_file is no opaque syncobj fd. */
	{
		uint32_t x = 0;

		CHECK_ERRNO(fd_to_syncobj(fd, sfd, 0, &x), EINVAL);
	}
	/* Into a handle that does not exist: ENOENT. */
	{
		uint32_t bad = 999;

		CHECK_ERRNO(fd_to_syncobj(fd, sfd, DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE, &bad), ENOENT);
	}
	close(sfd);
	close(fd);
}

/* Submit the spinner with `flags` (FENCE_IN fd in_fd); out-fence in *out. */
static int submit_spin(int fd, struct gemu_spin *s, uint64_t flags, int in_fd, int *out)
{
	struct drm_i915_gem_exec_object2 o = {
		.handle = s->handle, .offset = canonical(s->addr),
		.flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_SUPPORTS_48B_ADDRESS,
	};
	struct drm_i915_gem_execbuffer2 eb;
	int r;

	gemu_eb_init(&eb, &o, 1, I915_EXEC_RENDER | flags, 0);
	eb.rsvd2 = in_fd >= 0 ? (uint32_t)in_fd : 0;
	r = gemu_execbuf(fd, &eb);
	*out = (flags & I915_EXEC_FENCE_OUT) ? (int)(eb.rsvd2 >> 32) : -1;
	return r;
}

/* A batch storing `value` into `target` (softpinned), with `flags`, `in_fd`. */
static int submit_store(int fd, uint32_t target, uint32_t value, uint64_t flags, int in_fd, int *out)
{
	uint32_t cmds[] = {
		MI_STORE_DWORD_IMM_GEN8, 0x200000, 0, value, MI_BATCH_BUFFER_END, 0,
	};
	struct drm_i915_gem_exec_object2 o[2] = {
		{ .handle = target, .offset = 0x200000,
		  .flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_WRITE },
		{ .handle = gem_create_with(fd, 4096, cmds, sizeof(cmds)), .offset = 0x300000,
		  .flags = EXEC_OBJECT_PINNED },
	};
	struct drm_i915_gem_execbuffer2 eb;
	int r;

	gemu_eb_init(&eb, o, 2, I915_EXEC_BLT | flags, 0);
	eb.rsvd2 = in_fd >= 0 ? (uint32_t)in_fd : 0;
	r = gemu_execbuf(fd, &eb);
	*out = (flags & I915_EXEC_FENCE_OUT) ? (int)(eb.rsvd2 >> 32) : -1;
	gem_close(fd, o[1].handle);
	return r;
}

TEST(fence_out_polls_signalled)
{
	struct sync_file_info info = { 0 };
	struct sync_fence_info fi[2];
	struct gemu_spin spin;
	int fd = open_card(), out = -1;

	REQUIRE(fd >= 0);
	REQUIRE_OK(gemu_spin_init(fd, &spin, SPIN_ADDR));
	REQUIRE_OK(submit_spin(fd, &spin, I915_EXEC_FENCE_OUT, -1, &out));
	REQUIRE(out >= 0);
	CHECK(fcntl(out, F_GETFD) & FD_CLOEXEC);
	CHECK(!readable(out, 50));
	REQUIRE_OK(raw_ioctl(out, SYNC_IOC_FILE_INFO, &info));
	CHECK_EQ(info.status, 0);
	CHECK_EQ(info.num_fences, 1);
	gemu_spin_end(&spin);
	/* poll sleeps until the fence signals (FUSE poll notification). */
	CHECK(readable(out, 5000));
	memset(&info, 0, sizeof(info));
	memset(fi, 0, sizeof(fi));
	info.num_fences = 2;
	info.sync_fence_info = (uintptr_t)fi;
	REQUIRE_OK(raw_ioctl(out, SYNC_IOC_FILE_INFO, &info));
	CHECK_EQ(info.status, 1);
	CHECK_EQ(info.num_fences, 1);
	CHECK(strcmp(fi[0].driver_name, "i915") == 0);
	CHECK_EQ(fi[0].status, 1);
	CHECK(fi[0].timestamp_ns > 0);
	/* sync_file_ioctl_fence_info: flags must be 0, room for every fence. */
	info.flags = 1;
	CHECK_ERRNO(raw_ioctl(out, SYNC_IOC_FILE_INFO, &info), EINVAL);
	close(out);
	gemu_spin_fini(fd, &spin);
	close(fd);
}

TEST(fence_in_is_awaited)
{
	struct gemu_spin spin;
	int fd = open_card(), out = -1, unused;
	uint32_t target;

	REQUIRE(fd >= 0);
	target = gem_create(fd, 4096);
	REQUIRE(target);
	REQUIRE_OK(gemu_spin_init(fd, &spin, SPIN_ADDR));
	REQUIRE_OK(submit_spin(fd, &spin, I915_EXEC_FENCE_OUT, -1, &out));
	/* On another engine, waiting for the spinner's fence only. */
	REQUIRE_OK(submit_store(fd, target, 0xc0ffee, I915_EXEC_FENCE_IN, out, &unused));
	/* Still busy: its batch waits (a pread would wait with it). */
	CHECK_ERRNO(gem_wait_ns(fd, target, 100000000), ETIME);
	CHECK(gem_busy_word(fd, target) != 0);
	gemu_spin_end(&spin);
	CHECK_OK(gem_wait_ns(fd, target, 5 * SEC));
	CHECK_EQ(gem_read32(fd, target, 0), 0xc0ffee);
	/* FENCE_IN with an fd that is no sync_file: EINVAL; with SUBMIT too. */
	CHECK_ERRNO(submit_store(fd, target, 1, I915_EXEC_FENCE_IN, fd, &unused), EINVAL);
	CHECK_ERRNO(submit_store(fd, target, 1, I915_EXEC_FENCE_IN | I915_EXEC_FENCE_SUBMIT, out, &unused), EINVAL);
	close(out);
	gemu_spin_fini(fd, &spin);
	gem_close(fd, target);
	close(fd);
}

/*
 * FENCE_SUBMIT (i915_request_await_execution): the batch may start once the
 * other request has reached its engine, not when it completes. A store
 * behind a running spinner runs while it spins; behind a spinner still
 * queued (it awaits the first one), it waits until that one starts.
 */
TEST(fence_submit_awaits_the_start)
{
	struct gemu_spin first, second;
	int fd = open_card(), out1 = -1, out2 = -1, unused;
	uint32_t target;

	REQUIRE(fd >= 0);
	target = gem_create(fd, 4096);
	REQUIRE(target);
	REQUIRE_OK(gemu_spin_init(fd, &first, SPIN_ADDR));
	REQUIRE_OK(gemu_spin_init(fd, &second, SPIN_ADDR + 0x100000));
	REQUIRE_OK(submit_spin(fd, &first, I915_EXEC_FENCE_OUT, -1, &out1));
	REQUIRE_OK(submit_store(fd, target, 0x5ab, I915_EXEC_FENCE_SUBMIT, out1, &unused));
	CHECK_OK(gem_wait_ns(fd, target, 5 * SEC));
	CHECK_EQ(gem_read32(fd, target, 0), 0x5ab);
	CHECK(!readable(out1, 0)); /* the spinner still spins */
	/* the second spinner waits for the first to complete */
	REQUIRE_OK(submit_spin(fd, &second, I915_EXEC_FENCE_IN | I915_EXEC_FENCE_OUT, out1, &out2));
	REQUIRE_OK(submit_store(fd, target, 0x5ac, I915_EXEC_FENCE_SUBMIT, out2, &unused));
	/* (a read would wait for the store, which waits for the second spinner) */
	CHECK_ERRNO(gem_wait_ns(fd, target, 100000000), ETIME);
	gemu_spin_end(&first);
	CHECK_OK(gem_wait_ns(fd, target, 5 * SEC));
	CHECK_EQ(gem_read32(fd, target, 0), 0x5ac);
	CHECK(!readable(out2, 0)); /* started, not done */
	gemu_spin_end(&second);
	CHECK(readable(out2, 5000));
	/* a sync_file it cannot read is EINVAL, as for FENCE_IN */
	CHECK_ERRNO(submit_store(fd, target, 1, I915_EXEC_FENCE_SUBMIT, fd, &unused), EINVAL);
	close(out1);
	close(out2);
	gemu_spin_fini(fd, &first);
	gemu_spin_fini(fd, &second);
	gem_close(fd, target);
	close(fd);
}

TEST(merge)
{
	struct sync_merge_data m = { .name = "merged" };
	struct sync_file_info info = { 0 };
	struct gemu_spin spin;
	int fd = open_card(), a = -1, b = -1;
	uint32_t target;

	REQUIRE(fd >= 0);
	target = gem_create(fd, 4096);
	REQUIRE(target);
	REQUIRE_OK(gemu_spin_init(fd, &spin, SPIN_ADDR));
	REQUIRE_OK(submit_spin(fd, &spin, I915_EXEC_FENCE_OUT, -1, &a));
	REQUIRE_OK(submit_store(fd, target, 7, I915_EXEC_FENCE_OUT, -1, &b));
	CHECK(readable(b, 5000));
	m.fd2 = b;
	REQUIRE_OK(raw_ioctl(a, SYNC_IOC_MERGE, &m));
	REQUIRE(m.fence >= 0);
	CHECK(m.fence != a && m.fence != b);
	REQUIRE_OK(raw_ioctl(m.fence, SYNC_IOC_FILE_INFO, &info));
	CHECK(strcmp(info.name, "merged") == 0);
	CHECK_EQ(info.num_fences, 2);
	CHECK_EQ(info.status, 0);
	CHECK(!readable(m.fence, 50));
	gemu_spin_end(&spin);
	CHECK(readable(m.fence, 5000));
	/* fd2 that is no sync_file: ENOENT. */
	m.fd2 = fd;
	CHECK_ERRNO(raw_ioctl(a, SYNC_IOC_MERGE, &m), ENOENT);
	close(m.fence);
	close(a);
	close(b);
	gemu_spin_fini(fd, &spin);
	gem_close(fd, target);
	close(fd);
}
