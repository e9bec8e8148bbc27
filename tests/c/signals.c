/*
 * Signals arriving during ioctls. A raw ioctl(2) may come back with EINTR
 * (the kernel's -ERESTARTSYS without SA_RESTART) and must otherwise give
 * its normal answer; libdrm's drmIoctl restarts, so through it every call
 * succeeds. Afterwards the device still answers.
 */
#include <signal.h>
#include <sys/time.h>

#include "gemu_test.h"

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void start_timer(long usec)
{
	struct sigaction sa;
	struct itimerval it = {
		.it_interval = { 0, usec },
		.it_value = { 0, usec },
	};

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: interrupted calls return EINTR */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void stop_timer(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_IGN);
}

TEST(raw_ioctls_under_signals)
{
	long eintr = 0, ok = 0, wrong = 0;
	int fd = open_render(), i, r, v;
	uint32_t h;

	REQUIRE(fd >= 0);
	h = gem_create(fd, 4096);
	REQUIRE(h);
	start_timer(300);
	for (i = 0; i < 20000; i++) {
		struct drm_i915_getparam gp = {
			.param = I915_PARAM_CHIPSET_ID, .value = &v,
		};
		struct drm_i915_gem_wait w = { .bo_handle = h, .timeout_ns = -1 };

		v = 0;
		r = raw_ioctl(fd, (i & 1) ? DRM_IOCTL_I915_GETPARAM
					  : DRM_IOCTL_I915_GEM_WAIT,
			      (i & 1) ? (void *)&gp : (void *)&w);
		if (r == -EINTR) {
			eintr++;
		} else if (r == 0 && (!(i & 1) || v == 0x9a49)) {
			ok++;
		} else {
			if (wrong++ < 5)
				CHECK_ERRNO(r, 0);
		}
	}
	stop_timer();
	INFO("%ld alarms, %ld calls answered, %ld EINTR", (long)alarms, ok,
	     eintr);
	CHECK_EQ(wrong, 0);
	CHECK(ok > 0);
	CHECK(device_answers_version(fd));
	gem_close(fd, h);
	close(fd);
}

TEST(libdrm_restarts)
{
	long failures = 0;
	int fd = open_render(), i, v;

	REQUIRE(fd >= 0);
	start_timer(300);
	for (i = 0; i < 5000; i++) {
		struct drm_i915_gem_create c = { .size = 4096 };

		v = 0;
		if (getparam(fd, I915_PARAM_CHIPSET_ID, &v) || v != 0x9a49)
			failures++;
		if (do_ioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &c) ||
		    gem_close(fd, c.handle))
			failures++;
	}
	stop_timer();
	CHECK_EQ(failures, 0);
	/* no handle leaked by an interrupted-and-restarted create */
	{
		uint32_t a = gem_create(fd, 4096);

		CHECK_EQ(a, 1);
		gem_close(fd, a);
	}
	CHECK(device_answers_version(fd));
	close(fd);
}
