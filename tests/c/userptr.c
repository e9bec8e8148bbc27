/*
 * GEM_USERPTR end to end: the client's own memory as object pages, used in
 * place by the GPU only (i915_gem_userptr.c; IGT gem_userptr_blits).
 * Creation errnos, pread and pwrite refused, blits into and out of client
 * memory checked byte for byte, EFAULT once the memory is unmapped, a
 * second file of the creator using it and a forked child refused, threads
 * using the object while another unmaps, execbuf waiting for a
 * userfaultfd to serve a page it pins, and a write-only mapping the GPU
 * still reads.
 */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "gemu_test.h"

#define PAGE 4096
#define W 64 /* pixels per row, 32 bpp */
#define H 32
#define PITCH (W * 4)
#define SURFACE (PITCH * H)

static int userptr(int fd, void *ptr, uint64_t size, uint32_t flags, uint32_t *handle)
{
	struct drm_i915_gem_userptr u = {
		.user_ptr = (uintptr_t)ptr, .user_size = size, .flags = flags,
	};
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_USERPTR, &u);

	if (handle)
		*handle = u.handle;
	return r;
}

/* SET_DOMAIN pins a userptr object's pages to check them (iris asks so). */
static int set_domain(int fd, uint32_t h)
{
	struct drm_i915_gem_set_domain d = {
		.handle = h, .read_domains = I915_GEM_DOMAIN_CPU,
	};

	return do_ioctl(fd, DRM_IOCTL_I915_GEM_SET_DOMAIN, &d);
}

static void *pages(size_t n)
{
	void *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

TEST(creation_errnos)
{
	int fd = open_render(), v = 0;
	uint8_t *p = pages(4);
	uint32_t h;

	REQUIRE(fd >= 0 && p);
	/* i915_getparam: probe support is advertised */
	CHECK_OK(getparam(fd, I915_PARAM_HAS_USERPTR_PROBE, &v));
	CHECK_EQ(v, 1);
	/* i915_gem_userptr_ioctl, in order: flags, size, alignment, access_ok */
	CHECK_ERRNO(userptr(fd, p, PAGE, 0x10, &h), EINVAL);
	CHECK_ERRNO(userptr(fd, p, 0, 0, &h), EINVAL);
	CHECK_ERRNO(userptr(fd, p + 8, PAGE, 0, &h), EINVAL);
	CHECK_ERRNO(userptr(fd, p, PAGE + 8, 0, &h), EINVAL);
	CHECK_ERRNO(userptr(fd, (void *)0xffff888000000000ull, PAGE, 0, &h), EFAULT);
	/* no unsynchronized userptr since mmu notifiers are mandatory */
	CHECK_ERRNO(userptr(fd, p, PAGE, I915_USERPTR_UNSYNCHRONIZED, &h), ENODEV);
	/* gen8_ppgtt_create: Gen11/12 ppGTTs have no read-only PTEs */
	CHECK_ERRNO(userptr(fd, p, PAGE, I915_USERPTR_READ_ONLY, &h), ENODEV);
	/* probe_range: a hole in the range */
	munmap(p + 2 * PAGE, PAGE);
	CHECK_ERRNO(userptr(fd, p, 4 * PAGE, I915_USERPTR_PROBE, &h), EFAULT);
	CHECK_OK(userptr(fd, p, 2 * PAGE, I915_USERPTR_PROBE, &h));
	CHECK_OK(gem_close(fd, h));
	/* without PROBE the hole is only found at first use */
	CHECK_OK(userptr(fd, p, 4 * PAGE, 0, &h));
	CHECK_ERRNO(set_domain(fd, h), EFAULT);
	CHECK_OK(gem_close(fd, h));
	CHECK_OK(userptr(fd, p, 2 * PAGE, 0, &h));
	CHECK_OK(set_domain(fd, h));
	CHECK_OK(gem_close(fd, h));
	munmap(p, 4 * PAGE);
	close(fd);
}

TEST(probe_refuses_a_device_mapping)
{
	int fd = open_render();
	uint32_t bo, h;
	struct drm_i915_gem_mmap_offset mo = { .flags = I915_MMAP_OFFSET_WB };
	void *map;

	REQUIRE(fd >= 0);
	bo = gem_create(fd, PAGE);
	mo.handle = bo;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mo));
	map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, mo.offset);
	REQUIRE(map != MAP_FAILED);
	/* probe_range: an object mapping is VM_PFNMAP, not user memory */
	CHECK_ERRNO(userptr(fd, map, PAGE, I915_USERPTR_PROBE, &h), EFAULT);
	munmap(map, PAGE);
	close(fd);
}

/*
 * i915_gem_userptr_pread / _pwrite: the memory is the client's to copy, so
 * both are EINVAL (after the generic checks); __assign_mmap_offset: never
 * mmapped.
 */
TEST(pread_pwrite_refused_and_no_mmap)
{
	int fd = open_render();
	uint8_t *p = pages(1), buf[8];
	uint32_t h;
	struct drm_i915_gem_mmap_offset mo = { .flags = I915_MMAP_OFFSET_WB };

	REQUIRE(fd >= 0 && p);
	REQUIRE_OK(userptr(fd, p, PAGE, 0, &h));
	memcpy(p + 100, "client!!", 8);
	memset(buf, 0, sizeof(buf));
	CHECK_ERRNO(gem_pread(fd, h, 100, buf, 8), EINVAL);
	CHECK_EQ(buf[0], 0);
	CHECK_ERRNO(gem_pwrite(fd, h, 200, "via gem!", 8), EINVAL);
	CHECK(memcmp(p + 200, "via gem!", 8) != 0);
	CHECK_ERRNO(gem_pread(fd, h, PAGE, buf, 8), EINVAL); /* out of range */
	CHECK_ERRNO(gem_pread(fd, h + 1, 0, buf, 8), ENOENT);
	mo.handle = h;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &mo), ENODEV);
	CHECK_OK(gem_close(fd, h));
	munmap(p, PAGE);
	close(fd);
}

/* One XY_SRC_COPY_BLT of a W x H 32 bpp linear surface, softpinned. */
static int blit(int fd, uint32_t src, uint32_t dst, uint32_t batch)
{
	const uint64_t src_at = 0x100000, dst_at = 0x200000, bb_at = 0x300000;
	uint32_t b[16], i = 0;
	struct drm_i915_gem_exec_object2 obj[3] = {
		{ .handle = src, .offset = src_at, .flags = EXEC_OBJECT_PINNED },
		{ .handle = dst, .offset = dst_at,
		  .flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_WRITE },
		{ .handle = batch, .offset = bb_at, .flags = EXEC_OBJECT_PINNED },
	};
	struct drm_i915_gem_execbuffer2 eb = {
		.buffers_ptr = (uintptr_t)obj, .buffer_count = 3,
		.flags = I915_EXEC_BLT,
	};
	struct drm_i915_gem_wait w = { .bo_handle = dst, .timeout_ns = 5000000000ll };
	int r;

	b[i++] = (2u << 29) | (0x53u << 22) | (3u << 20) | 8; /* XY_SRC_COPY_BLT, 10 dw */
	b[i++] = (3u << 24) | (0xccu << 16) | PITCH;           /* 32 bpp, copy */
	b[i++] = 0;                                            /* dst y1, x1 */
	b[i++] = (H << 16) | W;                                /* dst y2, x2 */
	b[i++] = (uint32_t)dst_at;
	b[i++] = (uint32_t)(dst_at >> 32);
	b[i++] = 0;                                            /* src y1, x1 */
	b[i++] = PITCH;
	b[i++] = (uint32_t)src_at;
	b[i++] = (uint32_t)(src_at >> 32);
	b[i++] = 0x0A << 23;                                   /* MI_BATCH_BUFFER_END */
	b[i++] = 0;
	if ((r = gem_pwrite(fd, batch, 0, b, i * 4)))
		return r;
	if ((r = do_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2, &eb)))
		return r;
	return do_ioctl(fd, DRM_IOCTL_I915_GEM_WAIT, &w);
}

TEST(blits_into_and_out_of_client_memory)
{
	int fd = open_render(), i;
	uint8_t *mine = pages(SURFACE / PAGE), back[SURFACE];
	uint32_t up, bo, batch;

	REQUIRE(fd >= 0 && mine);
	REQUIRE_OK(userptr(fd, mine, SURFACE, 0, &up));
	bo = gem_create(fd, SURFACE);
	batch = gem_create(fd, PAGE);
	for (i = 0; i < SURFACE; i++)
		mine[i] = (uint8_t)(i * 13 + 7);
	/* client memory -> GEM object */
	CHECK_OK(blit(fd, up, bo, batch));
	CHECK_OK(gem_pread(fd, bo, 0, back, SURFACE));
	CHECK(memcmp(back, mine, SURFACE) == 0);
	/* GEM object -> client memory: it shows up with no copy step */
	for (i = 0; i < SURFACE; i++)
		back[i] = (uint8_t)(i * 31 + 1);
	CHECK_OK(gem_pwrite(fd, bo, 0, back, SURFACE));
	memset(mine, 0, SURFACE);
	CHECK_OK(blit(fd, bo, up, batch));
	CHECK(memcmp(mine, back, SURFACE) == 0);
	/* unmapped: EFAULT at the next execbuf and SET_DOMAIN (userptr_submit_init) */
	munmap(mine, SURFACE);
	CHECK_ERRNO(blit(fd, up, bo, batch), EFAULT);
	CHECK_ERRNO(set_domain(fd, up), EFAULT);
	CHECK(device_answers_version(fd));
	close(fd);
}

/*
 * Pages are pinned in the submitter's own memory, which must be the
 * creator's (userptr_submit_init: notifier.mm == current->mm): a second
 * file of the creator uses the object through a flink name, a forked child
 * gets EFAULT (IGT's forked_userptr() asks exactly this).
 */
TEST(whose_memory_flink_and_fork)
{
	int fd = open_card(), other = open_card();
	uint8_t *p = pages(SURFACE / PAGE), back[SURFACE];
	uint32_t h, bo, batch;
	struct drm_gem_flink fl = { 0 };
	struct drm_gem_open op = { 0 };
	pid_t child;
	int status;

	REQUIRE(fd >= 0 && other >= 0 && p);
	memcpy(p, "parent-1", 8);
	REQUIRE_OK(userptr(fd, p, SURFACE, 0, &h));
	fl.handle = h;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_GEM_FLINK, &fl));
	op.name = fl.name;
	CHECK_OK(do_ioctl(other, DRM_IOCTL_GEM_OPEN, &op));
	bo = gem_create(other, SURFACE);
	batch = gem_create(other, PAGE);
	CHECK_OK(blit(other, op.handle, bo, batch));
	CHECK_OK(gem_pread(other, bo, 0, back, 8));
	CHECK(memcmp(back, "parent-1", 8) == 0);
	child = fork();
	if (child == 0) {
		uint32_t cbo = gem_create(fd, SURFACE), cbatch = gem_create(fd, PAGE);

		if (blit(fd, h, cbo, cbatch) != -EFAULT)
			_exit(3);
		if (set_domain(fd, h) != -EFAULT)
			_exit(4);
		if (blit(other, op.handle, bo, batch) != -EFAULT)
			_exit(5);
		_exit(0);
	}
	waitpid(child, &status, 0);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	/* the parent still may */
	memcpy(p, "parent-2", 8);
	CHECK_OK(blit(fd, h, gem_create(fd, SURFACE), gem_create(fd, PAGE)));
	CHECK(device_answers_version(fd));
	close(fd);
	close(other);
}

struct racer {
	int fd;
	uint32_t handle;
	volatile int stop;
	long ok, efault, other;
};

static void *use_it(void *arg)
{
	struct racer *r = arg;

	while (!r->stop) {
		int e = set_domain(r->fd, r->handle);

		if (e == 0)
			r->ok++;
		else if (e == -EFAULT)
			r->efault++;
		else
			r->other++;
	}
	return NULL;
}

TEST(two_threads_use_it_while_a_third_unmaps)
{
	struct racer r = { .fd = open_render() };
	uint8_t *p = pages(16);
	pthread_t t[2];
	int i;

	REQUIRE(r.fd >= 0 && p);
	REQUIRE_OK(userptr(r.fd, p, 16 * PAGE, 0, &r.handle));
	for (i = 0; i < 2; i++)
		REQUIRE(pthread_create(&t[i], NULL, use_it, &r) == 0);
	usleep(20000);
	munmap(p, 16 * PAGE);
	usleep(20000);
	r.stop = 1;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	/* every answer is data or EFAULT; after the unmap only EFAULT */
	CHECK_EQ(r.other, 0);
	CHECK(r.efault > 0);
	CHECK(device_answers_version(r.fd));
	close(r.fd);
}

/*
 * The GPU ignores the CPU's protections: i915 pins a userptr range for
 * writing, so a write-only mapping (IGT's userptr spinners) is a fine
 * blit source.
 */
TEST(a_write_only_mapping_is_gpu_readable)
{
	int fd = open_render(), i;
	uint8_t *mine, back[SURFACE];
	uint32_t up, bo, batch;

	REQUIRE(fd >= 0);
	mine = mmap(NULL, SURFACE, PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	REQUIRE(mine != MAP_FAILED);
	for (i = 0; i < SURFACE; i++)
		mine[i] = (uint8_t)(i * 5 + 3);
	REQUIRE_OK(userptr(fd, mine, SURFACE, 0, &up));
	bo = gem_create(fd, SURFACE);
	batch = gem_create(fd, PAGE);
	CHECK_OK(blit(fd, up, bo, batch));
	CHECK_OK(gem_pread(fd, bo, 0, back, SURFACE));
	for (i = 0; i < SURFACE; i++)
		if (back[i] != (uint8_t)(i * 5 + 3))
			break;
	CHECK_EQ(i, SURFACE);
	gem_close(fd, batch);
	gem_close(fd, bo);
	gem_close(fd, up);
	munmap(mine, SURFACE);
	close(fd);
}

struct faulter {
	int fd;
	uint32_t handle;
	volatile int done;
	int ret;
};

static void *submit_userptr(void *arg)
{
	static const uint32_t bbe[2] = { MI_BATCH_BUFFER_END, MI_NOOP };
	struct faulter *f = arg;
	struct drm_i915_gem_exec_object2 o[2];
	struct drm_i915_gem_execbuffer2 eb;

	memset(o, 0, sizeof(o));
	o[0].handle = f->handle;
	o[1].handle = gem_create_with(f->fd, PAGE, bbe, sizeof(bbe));
	gemu_eb_init(&eb, o, 2, I915_EXEC_RENDER, 0);
	f->ret = gemu_execbuf(f->fd, &eb);
	f->done = 1;
	gem_wait_ns(f->fd, o[1].handle, 5000000000ll);
	gem_close(f->fd, o[1].handle);
	return NULL;
}

/*
 * userptr_submit_init pins every page at execbuf: a page a userfaultfd
 * watches is asked for, and execbuf waits until it is served (IGT
 * gem_userptr_blits@userfault). Through gemu the shim faults it in.
 */
TEST(a_userfault_holds_execbuf_until_served)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_copy copy;
	struct faulter f = { .fd = open_render() };
	struct uffd_msg msg;
	struct pollfd pfd;
	static uint8_t fill[PAGE];
	pthread_t t;
	uint8_t *p;
	int ufd;

	REQUIRE(f.fd >= 0);
	ufd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (ufd < 0 || ioctl(ufd, UFFDIO_API, &api))
		SKIP("no userfaultfd: %s", strerror(errno));
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	REQUIRE(p != MAP_FAILED);
	memset(&reg, 0, sizeof(reg));
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	reg.range.start = (uintptr_t)p;
	reg.range.len = PAGE;
	REQUIRE(ioctl(ufd, UFFDIO_REGISTER, &reg) == 0);
	REQUIRE_OK(userptr(f.fd, p, PAGE, 0, &f.handle));
	REQUIRE(pthread_create(&t, NULL, submit_userptr, &f) == 0);

	pfd.fd = ufd;
	pfd.events = POLLIN;
	CHECK_EQ(poll(&pfd, 1, 5000), 1);
	CHECK_EQ(read(ufd, &msg, sizeof(msg)), (long)sizeof(msg));
	CHECK_EQ(msg.event, UFFD_EVENT_PAGEFAULT);
	CHECK_EQ(msg.arg.pagefault.address & ~(uint64_t)(PAGE - 1),
		 (uintptr_t)p);
	usleep(50000);
	CHECK_EQ(f.done, 0); /* still pinning */

	memset(fill, 0xc5, sizeof(fill));
	memset(&copy, 0, sizeof(copy));
	copy.dst = (uintptr_t)p;
	copy.src = (uintptr_t)fill;
	copy.len = PAGE;
	CHECK(ioctl(ufd, UFFDIO_COPY, &copy) == 0);
	pthread_join(t, NULL);
	CHECK_OK(f.ret);
	gem_close(f.fd, f.handle);
	munmap(p, PAGE);
	close(ufd);
	close(f.fd);
}
