/*
 * sw_sync under gemu run: /sys/kernel/debug/sync/sw_sync, each open a
 * timeline. CREATE_FENCE gives a sync_file of a point (signalled at once
 * when the counter has reached it), INC signals the points it reaches in
 * order, closing the timeline signals its pending points with -ENOENT. The
 * fences go where other sync_files go: execbuf FENCE_IN, syncobj import,
 * SYNC_IOC_MERGE. Also poll() on dma-buf fds: POLLIN once the object's
 * writes are done, POLLOUT once all its work is. IGT: sw_sync,
 * syncobj_wait, prime_busy.
 */
#include "gemu_test.h"

#include <poll.h>
#include <pthread.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#define SW_SYNC_PATH "/sys/kernel/debug/sync/sw_sync"

/* The kernel's private ABI (drivers/dma-buf/sw_sync.c); no header has it. */
struct sw_sync_create_fence_data {
	uint32_t value;
	char name[32];
	int32_t fence;
};

#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW('W', 1, uint32_t)

#define TARGET_ADDR 0x200000ull

static int timeline_open(void)
{
	return open(SW_SYNC_PATH, O_RDWR);
}

/* A sync_file fd for point `value`, or -errno. */
static int point(int tl, uint32_t value)
{
	struct sw_sync_create_fence_data d = { .value = value, .fence = -1 };
	int r = raw_ioctl(tl, SW_SYNC_IOC_CREATE_FENCE, &d);

	return r ? r : d.fence;
}

static int inc(int tl, uint32_t n)
{
	return raw_ioctl(tl, SW_SYNC_IOC_INC, &n);
}

/* poll(2) for `events` with `timeout_ms`: the revents, or -errno. */
static int poll_events(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, timeout_ms);

	return r < 0 ? -errno : p.revents;
}

/* SYNC_IOC_FILE_INFO with room for one fence: the file's status. */
static int status_of(int sfd, struct sync_fence_info *fi)
{
	struct sync_file_info info = { .num_fences = 1,
				       .sync_fence_info = (uintptr_t)fi };
	int r = raw_ioctl(sfd, SYNC_IOC_FILE_INFO, &info);

	return r ? r : info.status;
}

TEST(points_signal_in_order_as_the_counter_reaches_them)
{
	struct sync_fence_info fi[3];
	int tl = timeline_open(), f[4], i;

	REQUIRE(tl >= 0);
	CHECK(fcntl(tl, F_GETFD) >= 0);
	/* Created out of order: 3, 1, 2; point 0 is reached already. */
	f[3] = point(tl, 3);
	f[1] = point(tl, 1);
	f[2] = point(tl, 2);
	f[0] = point(tl, 0);
	for (i = 0; i < 4; i++)
		REQUIRE(f[i] >= 0);
	CHECK(fcntl(f[1], F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(poll_events(f[0], POLLIN, 0), POLLIN);
	CHECK_EQ(status_of(f[0], &fi[0]), 1);
	CHECK(fi[0].timestamp_ns > 0);
	for (i = 1; i < 4; i++)
		CHECK_EQ(poll_events(f[i], POLLIN, 0), 0);
	CHECK_OK(inc(tl, 1));
	CHECK_EQ(poll_events(f[1], POLLIN, 0), POLLIN);
	CHECK_EQ(poll_events(f[2], POLLIN, 0), 0);
	CHECK_EQ(status_of(f[3], &fi[2]), 0);
	CHECK_EQ(fi[2].timestamp_ns, 0);
	CHECK_OK(inc(tl, 2));
	for (i = 1; i < 4; i++) {
		CHECK_EQ(status_of(f[i], &fi[i - 1]), 1);
		CHECK_EQ(fi[i - 1].status, 1);
	}
	/* Signalled in timeline order, each with its own timestamp. */
	CHECK(fi[0].timestamp_ns > 0);
	CHECK(fi[1].timestamp_ns >= fi[0].timestamp_ns);
	CHECK(fi[2].timestamp_ns >= fi[1].timestamp_ns);
	CHECK(strcmp(fi[0].driver_name, "sw_sync") == 0);
	/* The timeline is named after the opener's command. */
	CHECK(strcmp(fi[0].obj_name, "sw_sync") == 0);
	for (i = 0; i < 4; i++)
		close(f[i]);
	close(tl);
}

TEST(closing_the_timeline_signals_pending_points_with_enoent)
{
	struct sync_fence_info fi;
	int tl = timeline_open(), done, pending, merged;
	struct sync_merge_data m = { .name = "both" };

	REQUIRE(tl >= 0);
	done = point(tl, 1);
	pending = point(tl, 5);
	REQUIRE(done >= 0 && pending >= 0);
	CHECK_OK(inc(tl, 1));
	m.fd2 = pending;
	REQUIRE_OK(raw_ioctl(done, SYNC_IOC_MERGE, &m));
	merged = m.fence;
	CHECK_EQ(status_of(merged, &fi), 0);
	close(tl);
	/* The release is asynchronous on FUSE: wait for its effect. */
	CHECK_EQ(poll_events(pending, POLLIN, 5000), POLLIN);
	CHECK_EQ(status_of(pending, &fi), -ENOENT);
	CHECK_EQ(fi.status, -ENOENT);
	CHECK(fi.timestamp_ns > 0);
	CHECK_EQ(status_of(done, &fi), 1);
	CHECK_EQ(poll_events(merged, POLLIN, 0), POLLIN);
	{
		struct sync_file_info info = { 0 };

		REQUIRE_OK(raw_ioctl(merged, SYNC_IOC_FILE_INFO, &info));
		CHECK_EQ(info.status, -ENOENT);
		/* One timeline: the merge keeps its later point only. */
		CHECK_EQ(info.num_fences, 1);
	}
	close(merged);
	close(done);
	close(pending);
}

TEST(bad_calls_on_a_timeline)
{
	int tl = timeline_open(), f;
	uint32_t junk[16] = { 0 };

	REQUIRE(tl >= 0);
	CHECK_ERRNO(raw_ioctl(tl, _IOW('W', 7, uint32_t), junk), ENOTTY);
	CHECK_ERRNO(raw_ioctl(tl, DRM_IOCTL_VERSION, junk), ENOTTY);
	CHECK_ERRNO(raw_ioctl(tl, SW_SYNC_IOC_INC, (void *)bad_ptr()), EFAULT);
	CHECK_ERRNO(raw_ioctl(tl, SW_SYNC_IOC_CREATE_FENCE, (void *)bad_ptr()), EFAULT);
	/* No read method; poll gives the default mask. */
	CHECK_EQ(read(tl, junk, 4), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(poll_events(tl, POLLIN | POLLOUT, 0), POLLIN | POLLOUT);
	/* A timeline is no sync_file, and a sync_file no timeline. */
	f = point(tl, 1);
	REQUIRE(f >= 0);
	CHECK_ERRNO(raw_ioctl(f, SW_SYNC_IOC_INC, junk), ENOTTY);
	{
		struct sync_file_info info = { 0 };

		CHECK_ERRNO(raw_ioctl(tl, SYNC_IOC_FILE_INFO, &info), ENOTTY);
	}
	/* A second request for a pending point is the same fence. */
	{
		int g = point(tl, 1);
		struct sync_merge_data m = { .fd2 = g };
		struct sync_file_info info = { 0 };

		REQUIRE(g >= 0);
		REQUIRE_OK(raw_ioctl(f, SYNC_IOC_MERGE, &m));
		REQUIRE_OK(raw_ioctl(m.fence, SYNC_IOC_FILE_INFO, &info));
		CHECK_EQ(info.num_fences, 1);
		close(m.fence);
		close(g);
	}
	/* INC of more than INT_MAX still reaches every point before it. */
	CHECK_OK(inc(tl, 0x90000000u));
	CHECK_EQ(poll_events(f, POLLIN, 0), POLLIN);
	close(f);
	close(tl);
}

/* A store of `value` into `target` on bcs0 awaiting sync_file `in_fd`. */
static int store_after(int fd, uint32_t target, uint32_t value, int in_fd, uint32_t *batch)
{
	uint32_t cmds[] = {
		MI_STORE_DWORD_IMM_GEN8, (uint32_t)TARGET_ADDR, 0, value,
		MI_BATCH_BUFFER_END, 0,
	};
	struct drm_i915_gem_exec_object2 o[2] = {
		{ .handle = target, .offset = TARGET_ADDR,
		  .flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_WRITE },
		{ .offset = GEMU_BATCH_ADDR,
		  .flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_SUPPORTS_48B_ADDRESS },
	};
	struct drm_i915_gem_execbuffer2 eb;

	*batch = o[1].handle = gem_create_with(fd, 4096, cmds, sizeof(cmds));
	if (!*batch)
		return -ENOMEM;
	gemu_eb_init(&eb, o, 2, I915_EXEC_BLT | I915_EXEC_FENCE_IN, 0);
	eb.rsvd2 = (uint32_t)in_fd;
	return gemu_execbuf(fd, &eb);
}

TEST(a_point_holds_back_execbuf_and_syncobj_waits)
{
	int fd = open_card(), tl = timeline_open(), f;
	uint32_t target, batch, s = 0;
	struct drm_syncobj_create c = { 0 };

	REQUIRE(fd >= 0 && tl >= 0);
	target = gem_create(fd, 4096);
	REQUIRE(target);
	f = point(tl, 1);
	REQUIRE(f >= 0);
	REQUIRE_OK(store_after(fd, target, 0xc0ffee, f, &batch));
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c));
	{
		struct drm_syncobj_handle h = {
			.handle = c.handle, .fd = f,
			.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
		};

		REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h));
		s = c.handle;
	}
	CHECK_ERRNO(gem_wait_ns(fd, target, 50000000), ETIME);
	{
		struct drm_syncobj_wait w = { .handles = (uintptr_t)&s,
					      .count_handles = 1 };

		CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w), ETIME);
		CHECK_OK(inc(tl, 1));
		w.timeout_nsec = gemu_now_ns() + 5000000000ll;
		CHECK_OK(do_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w));
	}
	CHECK_OK(gem_wait_ns(fd, target, 5000000000ll));
	CHECK_EQ(gem_read32(fd, target, 0), 0xc0ffee);
	close(f);
	close(tl);
	gem_close(fd, batch);
	gem_close(fd, target);
	close(fd);
}

struct inc_later {
	int tl;
	int delay_ms;
};

static void *inc_later_thread(void *arg)
{
	struct inc_later *l = arg;

	usleep(l->delay_ms * 1000);
	inc(l->tl, 1);
	return NULL;
}

TEST(dma_buf_poll_reports_the_fences_behind_it)
{
	int fd = open_card(), tl = timeline_open(), f, dmabuf;
	uint32_t target, batch;
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct inc_later later;
	pthread_t t;

	REQUIRE(fd >= 0 && tl >= 0);
	target = gem_create(fd, 4096);
	REQUIRE(target);
	p.handle = target;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p));
	dmabuf = p.fd;
	/* Idle: readable and writable; events not asked for are not reported. */
	CHECK_EQ(poll_events(dmabuf, POLLIN | POLLOUT, 0), POLLIN | POLLOUT);
	CHECK_EQ(poll_events(dmabuf, POLLIN, 0), POLLIN);
	CHECK_EQ(poll_events(dmabuf, POLLPRI, 0), 0);
	/* A write held back by a sw_sync point: neither. */
	f = point(tl, 1);
	REQUIRE(f >= 0);
	REQUIRE_OK(store_after(fd, target, 0x5a5a, f, &batch));
	CHECK_EQ(poll_events(dmabuf, POLLIN | POLLOUT, 0), 0);
	/* poll sleeps until the write completes. */
	later.tl = tl;
	later.delay_ms = 100;
	REQUIRE(pthread_create(&t, NULL, inc_later_thread, &later) == 0);
	CHECK_EQ(poll_events(dmabuf, POLLOUT, 5000), POLLOUT);
	pthread_join(t, NULL);
	CHECK_EQ(poll_events(dmabuf, POLLIN | POLLOUT, 0), POLLIN | POLLOUT);
	CHECK_EQ(gem_read32(fd, target, 0), 0x5a5a);
	gem_close(fd, batch);
	close(f);

	/* A read held back: readable (no write pending), not writable. */
	{
		uint32_t cmds[] = { MI_BATCH_BUFFER_END, 0 };
		struct drm_i915_gem_exec_object2 o[2] = {
			{ .handle = target, .offset = TARGET_ADDR,
			  .flags = EXEC_OBJECT_PINNED },
			{ .offset = GEMU_BATCH_ADDR,
			  .flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_SUPPORTS_48B_ADDRESS },
		};
		struct drm_i915_gem_execbuffer2 eb;

		f = point(tl, 2);
		REQUIRE(f >= 0);
		batch = o[1].handle = gem_create_with(fd, 4096, cmds, sizeof(cmds));
		REQUIRE(batch);
		gemu_eb_init(&eb, o, 2, I915_EXEC_BLT | I915_EXEC_FENCE_IN, 0);
		eb.rsvd2 = (uint32_t)f;
		REQUIRE_OK(gemu_execbuf(fd, &eb));
		CHECK_EQ(poll_events(dmabuf, POLLIN | POLLOUT, 0), POLLIN);
		CHECK_OK(inc(tl, 1));
		CHECK_EQ(poll_events(dmabuf, POLLOUT, 5000), POLLOUT);
		gem_close(fd, batch);
		close(f);
	}
	close(dmabuf);
	close(tl);
	gem_close(fd, target);
	close(fd);
}

TEST(a_merge_is_pending_until_all_its_points_signalled_even_after_an_error)
{
	int a = timeline_open(), b = timeline_open(), fa, fb, merged;
	struct sync_merge_data m = { .name = "ab" };
	struct sync_file_info info = { 0 };

	REQUIRE(a >= 0 && b >= 0);
	fa = point(a, 1);
	fb = point(b, 1);
	REQUIRE(fa >= 0 && fb >= 0);
	m.fd2 = fb;
	REQUIRE_OK(raw_ioctl(fa, SYNC_IOC_MERGE, &m));
	merged = m.fence;
	REQUIRE_OK(raw_ioctl(merged, SYNC_IOC_FILE_INFO, &info));
	CHECK_EQ(info.num_fences, 2);
	/* One point fails (its timeline closes), the other is still pending. */
	close(a);
	CHECK_EQ(poll_events(fa, POLLIN, 5000), POLLIN);
	CHECK_EQ(poll_events(merged, POLLIN, 0), 0);
	/* num_fences 0: the status only (else the array is written). */
	memset(&info, 0, sizeof(info));
	CHECK_OK(raw_ioctl(merged, SYNC_IOC_FILE_INFO, &info));
	CHECK_EQ(info.status, 0);
	CHECK_OK(inc(b, 1));
	CHECK_EQ(poll_events(merged, POLLIN, 0), POLLIN);
	memset(&info, 0, sizeof(info));
	CHECK_OK(raw_ioctl(merged, SYNC_IOC_FILE_INFO, &info));
	CHECK_EQ(info.status, -ENOENT);
	close(merged);
	close(fa);
	close(fb);
	close(b);
}

TEST(dma_buf_sync_start_waits_for_the_gpu)
{
	int fd = open_card(), tl = timeline_open(), f, dmabuf;
	uint32_t target, batch, *map;
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	struct inc_later later = { .delay_ms = 100 };
	pthread_t t;
	int64_t t0;

	REQUIRE(fd >= 0 && tl >= 0);
	target = gem_create(fd, 4096);
	REQUIRE(target);
	p.handle = target;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p));
	dmabuf = p.fd;
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, dmabuf, 0);
	REQUIRE(map != MAP_FAILED);
	/* Flags are checked as the kernel does. */
	{
		struct dma_buf_sync bad = { .flags = DMA_BUF_SYNC_START };

		CHECK_ERRNO(raw_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &bad), EINVAL);
		bad.flags = DMA_BUF_SYNC_RW | 0x100;
		CHECK_ERRNO(raw_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &bad), EINVAL);
	}
	f = point(tl, 1);
	REQUIRE(f >= 0);
	REQUIRE_OK(store_after(fd, target, 0x600d, f, &batch));
	/* SYNC_END waits for nothing; SYNC_START for the held-back write. */
	{
		struct dma_buf_sync end = { .flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ };

		CHECK_OK(raw_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &end));
	}
	later.tl = tl;
	t0 = gemu_now_ns();
	REQUIRE(pthread_create(&t, NULL, inc_later_thread, &later) == 0);
	CHECK_OK(do_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync));
	CHECK(gemu_now_ns() - t0 >= 90000000);
	CHECK_EQ(map[0], 0x600d);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	CHECK_OK(raw_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync));
	pthread_join(t, NULL);
	munmap(map, 4096);
	close(f);
	close(dmabuf);
	close(tl);
	gem_close(fd, batch);
	gem_close(fd, target);
	close(fd);
}

TEST(dma_buf_sync_file_export_and_import)
{
	int fd = open_card(), tl = timeline_open(), f, dmabuf;
	uint32_t h;
	struct drm_prime_handle p = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_READ, .fd = -1 };
	struct dma_buf_import_sync_file im = { .flags = DMA_BUF_SYNC_WRITE };

	REQUIRE(fd >= 0 && tl >= 0);
	h = gem_create(fd, 4096);
	REQUIRE(h);
	p.handle = h;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p));
	dmabuf = p.fd;
	/* Idle: the export is a signalled sync_file. */
	REQUIRE_OK(raw_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex));
	CHECK(ex.fd >= 0);
	CHECK(fcntl(ex.fd, F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(poll_events(ex.fd, POLLIN, 0), POLLIN);
	close(ex.fd);
	/* A sw_sync point imported as a write holds reads and writes back. */
	f = point(tl, 1);
	REQUIRE(f >= 0);
	im.fd = f;
	CHECK_OK(raw_ioctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &im));
	CHECK_EQ(poll_events(dmabuf, POLLIN | POLLOUT, 0), 0);
	ex.fd = -1;
	REQUIRE_OK(raw_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex));
	CHECK_EQ(poll_events(ex.fd, POLLIN, 0), 0);
	CHECK_OK(inc(tl, 1));
	CHECK_EQ(poll_events(ex.fd, POLLIN, 0), POLLIN);
	CHECK_EQ(poll_events(dmabuf, POLLIN | POLLOUT, 0), POLLIN | POLLOUT);
	/* Errors: flags, an fd that is no sync_file. */
	{
		struct dma_buf_export_sync_file bad = { .flags = 0 };
		struct dma_buf_import_sync_file bad_im = { .flags = DMA_BUF_SYNC_RW, .fd = fd };

		CHECK_ERRNO(raw_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &bad), EINVAL);
		bad.flags = DMA_BUF_SYNC_RW | 4;
		CHECK_ERRNO(raw_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &bad), EINVAL);
		CHECK_ERRNO(raw_ioctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &bad_im), EINVAL);
	}
	close(ex.fd);
	close(f);
	close(dmabuf);
	close(tl);
	gem_close(fd, h);
	close(fd);
}

GEMU_WATCHDOG(60);
