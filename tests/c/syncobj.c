/*
 * DRM syncobjs end to end: creation and destruction, waits (all/any, absolute
 * CLOCK_MONOTONIC timeouts, WAIT_FOR_SUBMIT), reset/signal, timelines, query,
 * transfer, and the errno of every bad input (drm_syncobj.c; IGT syncobj_basic,
 * syncobj_wait, syncobj_timeline). A blocked wait must not stall other clients
 * and must end with EINTR on a signal.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>

#include "gemu_test.h"

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint32_t syncobj_create(int fd, uint32_t flags)
{
	struct drm_syncobj_create c = { .flags = flags };

	if (do_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c))
		return 0;
	return c.handle;
}

static int syncobj_wait(int fd, uint32_t *h, uint32_t n, int64_t timeout,
			uint32_t flags, uint32_t *first)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)h, .count_handles = n,
		.timeout_nsec = timeout, .flags = flags,
	};
	int r = do_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);

	if (first)
		*first = w.first_signaled;
	return r;
}

static int array_op(int fd, unsigned long cmd, uint32_t *h, uint32_t n,
		    uint32_t pad)
{
	struct drm_syncobj_array a = {
		.handles = (uintptr_t)h, .count_handles = n, .pad = pad,
	};

	return do_ioctl(fd, cmd, &a);
}

TEST(create_destroy)
{
	int fd = open_render();
	struct drm_syncobj_create c = { .flags = 0xdeadbeef };
	struct drm_syncobj_destroy d = { .handle = 0xdeadbeef };
	uint64_t cap = 0;

	REQUIRE(fd >= 0);
	/* drm_getcap: DRIVER_SYNCOBJ and DRIVER_SYNCOBJ_TIMELINE are set */
	CHECK_OK(drmGetCap(fd, DRM_CAP_SYNCOBJ, &cap) ? -errno : 0);
	CHECK_EQ(cap, 1);
	CHECK_OK(drmGetCap(fd, DRM_CAP_SYNCOBJ_TIMELINE, &cap) ? -errno : 0);
	CHECK_EQ(cap, 1);
	/* drm_syncobj_create_ioctl: unknown flags */
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c), EINVAL);
	/* drm_syncobj_destroy: no such handle */
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d), EINVAL);
	d.handle = syncobj_create(fd, 0);
	CHECK(d.handle != 0);
	/* drm_syncobj_destroy_ioctl: pad must be zero */
	d.pad = 1;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d), EINVAL);
	d.pad = 0;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d));
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d), EINVAL);
	close(fd);
}

TEST(fd_conversion_checks)
{
	int fd = open_render();
	struct drm_syncobj_handle h = { .handle = 0xdeadbeef };

	REQUIRE(fd >= 0);
	/* drm_syncobj_handle_to_fd: no such syncobj */
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h), EINVAL);
	memset(&h, 0, sizeof(h));
	h.flags = 0xdeadbeef;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h), EINVAL);
	memset(&h, 0, sizeof(h));
	h.pad = 0xdeadbeef;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h), EINVAL);
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h), EINVAL);
	memset(&h, 0, sizeof(h));
	h.flags = 0xdeadbeef;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h), EINVAL);
	/* drm_syncobj_fd_to_handle: -1 and a non-syncobj fd are refused */
	memset(&h, 0, sizeof(h));
	h.fd = -1;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h), EINVAL);
	h.fd = fd;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h), EINVAL);
	close(fd);
}

TEST(wait_rules)
{
	int fd = open_render();
	uint32_t s, e, h[2], first = 99;
	int64_t t0;

	REQUIRE(fd >= 0);
	s = syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	e = syncobj_create(fd, 0);
	REQUIRE(s && e);
	CHECK_OK(syncobj_wait(fd, &s, 1, 0, 0, NULL));
	/* zero handles: a wait that is over; unknown flags, unknown handles, bad pointer */
	CHECK_OK(syncobj_wait(fd, &s, 0, 0, 0, NULL));
	CHECK_ERRNO(syncobj_wait(fd, &s, 1, 0, 0xdeadbeef, NULL), EINVAL);
	h[0] = s;
	h[1] = 0x7fffffff;
	CHECK_ERRNO(syncobj_wait(fd, h, 2, 0, 0, NULL), ENOENT);
	CHECK_ERRNO(syncobj_wait(fd, (uint32_t *)8, 1, 0, 0, NULL), EFAULT);
	/* an empty syncobj without WAIT_FOR_SUBMIT is EINVAL */
	h[0] = e;
	h[1] = s;
	CHECK_ERRNO(syncobj_wait(fd, h, 2, 0, 0, NULL), EINVAL);
	/* with it: any returns the signalled one; all times out */
	CHECK_OK(syncobj_wait(fd, h, 2, 0,
			      DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, &first));
	CHECK_EQ(first, 1);
	t0 = now_ns();
	CHECK_ERRNO(syncobj_wait(fd, h, 2, t0 + 50000000,
				 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
				 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL),
		    ETIME);
	/* the timeout is absolute: not before it */
	CHECK(now_ns() - t0 >= 45000000);
	/* reset, signal, and their checks */
	CHECK_OK(array_op(fd, DRM_IOCTL_SYNCOBJ_RESET, &s, 1, 0));
	CHECK_ERRNO(syncobj_wait(fd, &s, 1, 0, 0, NULL), EINVAL);
	CHECK_OK(array_op(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, h, 2, 0));
	CHECK_OK(syncobj_wait(fd, h, 2, 0, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
			      NULL));
	CHECK_ERRNO(array_op(fd, DRM_IOCTL_SYNCOBJ_SIGNAL, h, 2, 1), EINVAL);
	CHECK_ERRNO(array_op(fd, DRM_IOCTL_SYNCOBJ_RESET, h, 0, 0), EINVAL);
	CHECK_ERRNO(array_op(fd, DRM_IOCTL_SYNCOBJ_RESET, (uint32_t *)8, 1, 0),
		    EFAULT);
	close(fd);
}

struct waiter {
	int fd;
	uint32_t handle;
	int result;
};

static void *wait_forever(void *arg)
{
	struct waiter *w = arg;

	w->result = syncobj_wait(w->fd, &w->handle, 1, INT64_MAX,
				 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, NULL);
	return NULL;
}

TEST(a_blocked_wait_stalls_nobody)
{
	struct waiter w = { .fd = open_render() };
	int other = open_render(), i, v;
	pthread_t t;
	int64_t t0;

	REQUIRE(w.fd >= 0 && other >= 0);
	w.handle = syncobj_create(w.fd, 0);
	REQUIRE(w.handle);
	REQUIRE(pthread_create(&t, NULL, wait_forever, &w) == 0);
	usleep(50000);
	/* other clients and other threads are served while it waits */
	t0 = now_ns();
	for (i = 0; i < 200; i++)
		CHECK_OK(getparam(other, I915_PARAM_CHIPSET_ID, &v));
	CHECK(now_ns() - t0 < 2000000000LL);
	/* signalling from this thread ends the wait */
	CHECK_OK(array_op(w.fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &w.handle, 1, 0));
	pthread_join(t, NULL);
	CHECK_EQ(w.result, 0);
	close(w.fd);
	close(other);
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST(a_signal_ends_a_wait_with_eintr)
{
	int fd = open_render();
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 100000 } };
	struct drm_syncobj_wait w = {
		.count_handles = 1, .timeout_nsec = INT64_MAX,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};
	uint32_t h;
	int64_t t0;

	REQUIRE(fd >= 0);
	h = syncobj_create(fd, 0);
	REQUIRE(h);
	w.handles = (uintptr_t)&h;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART */
	t0 = now_ns();
	setitimer(ITIMER_REAL, &it, NULL);
	/* -ERESTARTSYS without SA_RESTART reaches user space as EINTR */
	CHECK_ERRNO(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w), EINTR);
	CHECK(now_ns() - t0 < 2000000000LL);
	signal(SIGALRM, SIG_IGN);
	close(fd);
}

static int timeline(int fd, unsigned long cmd, uint32_t *h, uint64_t *p,
		    uint32_t n, uint32_t flags)
{
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)h, .points = (uintptr_t)p,
		.count_handles = n, .flags = flags,
	};

	return do_ioctl(fd, cmd, &a);
}

static int timeline_wait(int fd, uint32_t h, uint64_t point, uint32_t flags)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&h, .points = (uintptr_t)&point,
		.count_handles = 1, .flags = flags,
	};

	return do_ioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

TEST(timelines)
{
	int fd = open_render();
	uint32_t t, b, t2;
	uint64_t p;
	struct drm_syncobj_transfer x = { 0 };

	REQUIRE(fd >= 0);
	t = syncobj_create(fd, 0);
	b = syncobj_create(fd, 0);
	t2 = syncobj_create(fd, 0);
	REQUIRE(t && b && t2);
	p = 99;
	CHECK_OK(timeline(fd, DRM_IOCTL_SYNCOBJ_QUERY, &t, &p, 1, 0));
	CHECK_EQ(p, 0);
	p = 3;
	CHECK_OK(timeline(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &t, &p, 1, 0));
	p = 0;
	CHECK_OK(timeline(fd, DRM_IOCTL_SYNCOBJ_QUERY, &t, &p, 1, 0));
	CHECK_EQ(p, 3);
	/* flags and counts */
	CHECK_ERRNO(timeline(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &t, &p, 1, 1),
		    EINVAL);
	CHECK_ERRNO(timeline(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &t, &p, 0, 0),
		    EINVAL);
	CHECK_ERRNO(timeline(fd, DRM_IOCTL_SYNCOBJ_QUERY, &t, &p, 1, 2), EINVAL);
	/* points up to 3 are signalled; 5 is not submitted */
	CHECK_OK(timeline_wait(fd, t, 2, 0));
	CHECK_OK(timeline_wait(fd, t, 3, 0));
	CHECK_ERRNO(timeline_wait(fd, t, 5, 0), EINVAL);
	CHECK_ERRNO(timeline_wait(fd, t, 5, DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT),
		    ETIME);
	/* transfer point 3 to a binary syncobj and to point 7 of another */
	x.src_handle = t;
	x.src_point = 3;
	x.dst_handle = b;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &x));
	CHECK_OK(syncobj_wait(fd, &b, 1, 0, 0, NULL));
	x.dst_handle = t2;
	x.dst_point = 7;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &x));
	p = 0;
	CHECK_OK(timeline(fd, DRM_IOCTL_SYNCOBJ_QUERY, &t2, &p, 1,
			  DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED));
	CHECK_EQ(p, 7);
	x.pad = 1;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &x), EINVAL);
	x.pad = 0;
	x.src_handle = 0x7fffffff;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &x), ENOENT);
	close(fd);
}

TEST(syncobjs_are_per_file)
{
	int a = open_render(), b = open_render();
	uint32_t h;

	REQUIRE(a >= 0 && b >= 0);
	h = syncobj_create(a, DRM_SYNCOBJ_CREATE_SIGNALED);
	REQUIRE(h);
	CHECK_OK(syncobj_wait(a, &h, 1, 0, 0, NULL));
	CHECK_ERRNO(syncobj_wait(b, &h, 1, 0, 0, NULL), ENOENT);
	close(a);
	close(b);
}
