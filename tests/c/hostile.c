/*
 * Hostile and dying clients (issue 19): no client can freeze or kill the
 * daemon.
 *
 * - A batch queued behind a spinner (it lists the spinner's object for
 *   writing) is softpinned at X on another context and its object closed;
 *   a second batch at X must wait for the first (i915 unbinds what sits
 *   there first). That wait is interruptible: a signal ends it with EINTR,
 *   and a client killed in it exits (its file is released, its spinner
 *   cancelled) while other clients are served meanwhile.
 * - EXECBUFFER2 with buffer_count 0x7fffffff: i915's exec list allocation
 *   fails, ENOMEM; the daemon lives on.
 */
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "gemu_test.h"

GEMU_WATCHDOG(55)

#define X 0x200000ull
#define SPIN_ADDR 0x100000ull

static void on_alarm(int sig)
{
	(void)sig;
}

/* One SIGALRM after `usec`, no SA_RESTART: a blocked ioctl returns EINTR. */
/*
 * SIGALRM in `usec`, then every `usec` until disarmed: a slow machine (the TCG guest)
 * may still be setting up when a single alarm fires, and the call it was meant for
 * would then wait for ever.
 */
static void alarm_in(long usec)
{
	struct sigaction sa;
	struct itimerval it = { { 0, usec }, { 0, usec } };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static uint32_t end_batch(int fd)
{
	static const uint32_t end[] = { MI_BATCH_BUFFER_END };

	return gem_create_with(fd, 4096, end, sizeof(end));
}

/*
 * Set up the blocked case on `fd`: a spinner on the default context; on a
 * new context, a batch at X that waits for it, closed. Then a second
 * execbuf at X blocks: its result (raw, no restart). Without a pipe to
 * report readiness on, SIGALRM interrupts it (every 200 ms from just before
 * the call).
 */
static int blocked_softpin(int fd, struct gemu_spin *spin, int ready_pipe)
{
	struct gemu_pin on_spinner = {
		.handle = 0, .addr = SPIN_ADDR, .flags = EXEC_OBJECT_WRITE,
	};
	struct drm_i915_gem_exec_object2 o;
	struct drm_i915_gem_execbuffer2 eb;
	uint32_t ctx = gem_ctx_create(fd), first, second;
	int r;

	if (!ctx || gemu_spin_init(fd, spin, SPIN_ADDR))
		return -ENOMEM;
	r = gemu_exec_pinned(fd, 0, I915_EXEC_RENDER, spin->handle, SPIN_ADDR,
			     NULL, 0);
	if (r)
		return r;
	on_spinner.handle = spin->handle;
	first = end_batch(fd);
	r = gemu_exec_pinned(fd, ctx, I915_EXEC_BLT, first, X, &on_spinner, 1);
	if (r)
		return r;
	gem_close(fd, first);
	second = end_batch(fd);
	memset(&o, 0, sizeof(o));
	o.handle = second;
	o.offset = X;
	o.flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_SUPPORTS_48B_ADDRESS;
	gemu_eb_init(&eb, &o, 1, I915_EXEC_BLT, ctx);
	if (ready_pipe >= 0) {
		if (write(ready_pipe, "r", 1) != 1)
			return -EIO;
	} else {
		/* Interrupted from now on, whatever the setup took. */
		alarm_in(200000);
	}
	r = raw_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &eb);
	if (ready_pipe < 0) {
		struct itimerval off = { { 0, 0 }, { 0, 0 } };

		setitimer(ITIMER_REAL, &off, NULL);
	}
	return r;
}

TEST(a_softpin_behind_a_spinner_is_interruptible)
{
	struct gemu_spin spin;
	int fd = open_render();

	REQUIRE(fd >= 0);
	CHECK_ERRNO(blocked_softpin(fd, &spin, -1), EINTR);
	/* Once the spinner ends, the same call goes through. */
	gemu_spin_end(&spin);
	CHECK_OK(gem_wait_ns(fd, spin.handle, 5000000000ll));
	CHECK(device_answers_version(fd));
	gemu_spin_fini(fd, &spin);
	close(fd);
}

TEST(a_client_killed_while_blocked_is_released)
{
	int p[2], i, status = 0;
	pid_t kids[6];
	char c;

	/* More blocked clients than the daemon has FUSE workers. */
	for (i = 0; i < 6; i++) {
		REQUIRE(pipe(p) == 0);
		kids[i] = fork();
		REQUIRE(kids[i] >= 0);
		if (kids[i] == 0) {
			struct gemu_spin spin;
			int fd = open_render();

			close(p[0]);
			alarm(50); /* never outlive the test */
			blocked_softpin(fd, &spin, p[1]);
			_exit(1);
		}
		close(p[1]);
		CHECK_EQ(read(p[0], &c, 1), 1);
		close(p[0]);
	}
	usleep(200000);
	/* Every child is blocked in execbuf; others are still served. */
	{
		int fd = open_render();
		uint32_t h;

		REQUIRE(fd >= 0);
		CHECK(device_answers_version(fd));
		h = gem_create(fd, 4096);
		CHECK(h != 0);
		gem_close(fd, h);
		close(fd);
	}
	for (i = 0; i < 6; i++)
		kill(kids[i], SIGKILL);
	for (i = 0; i < 6; i++) {
		CHECK_EQ(waitpid(kids[i], &status, 0), kids[i]);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
}

TEST(a_huge_buffer_count_is_enomem)
{
	struct drm_i915_gem_exec_object2 o;
	struct drm_i915_gem_execbuffer2 eb;
	int fd = open_render();

	REQUIRE(fd >= 0);
	memset(&o, 0, sizeof(o));
	o.handle = end_batch(fd);
	gemu_eb_init(&eb, &o, 1, I915_EXEC_RENDER, 0);
	eb.buffer_count = 0x7fffffff;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &eb),
		    ENOMEM);
	eb.buffer_count = 1;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &eb));
	CHECK_OK(gem_wait_ns(fd, o.handle, 5000000000ll));
	gem_close(fd, o.handle);
	close(fd);
}
