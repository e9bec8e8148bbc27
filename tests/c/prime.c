/*
 * PRIME under gemu run (the shim makes the fds): export a GEM object as a
 * dma-buf fd and import it back, in the same and in another file; llseek
 * gives the size; mmap of the fd maps the object; DMA_BUF_IOCTL_SYNC; a
 * handle imported twice is one handle (drm_prime_fd_to_handle); the
 * dma-buf keeps its object alive after the last handle is gone; a userptr
 * object is never exported.
 * IGT: prime_self_import, prime_mmap, gem_userptr_blits@dmabuf-sync.
 */
#include "gemu_test.h"

#include <linux/dma-buf.h>

#define SIZE 8192

static int export_fd(int fd, uint32_t handle, uint32_t flags, int *out)
{
	struct drm_prime_handle p = { .handle = handle, .flags = flags, .fd = -1 };
	int r = do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	*out = p.fd;
	return r;
}

static int import_fd(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle p = { .fd = dmabuf };
	int r = do_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	*handle = p.handle;
	return r;
}

static uint32_t flink(int fd, uint32_t handle)
{
	struct drm_gem_flink f = { .handle = handle };

	return do_ioctl(fd, DRM_IOCTL_GEM_FLINK, &f) ? 0 : f.name;
}

static uint32_t object_with_pattern(int fd, uint32_t seed)
{
	uint32_t data[SIZE / 4];
	uint32_t h = gem_create(fd, SIZE);

	for (unsigned i = 0; i < SIZE / 4; i++)
		data[i] = seed + i;
	if (h && gem_pwrite(fd, h, 0, data, SIZE))
		return 0;
	return h;
}

TEST(cap_says_prime)
{
	struct drm_get_cap c = { .capability = DRM_CAP_PRIME };
	int fd = open_card();

	REQUIRE(fd >= 0);
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_GET_CAP, &c));
	CHECK_EQ(c.value, DRM_PRIME_CAP_IMPORT | DRM_PRIME_CAP_EXPORT);
	close(fd);
}

TEST(export_import_round_trip)
{
	int fd = open_card(), other = open_card();
	uint32_t h, h1, h2, h3;
	uint32_t word = 0;
	int dmabuf;

	REQUIRE(fd >= 0 && other >= 0);
	h = object_with_pattern(fd, 0x1000);
	REQUIRE(h);
	REQUIRE_OK(export_fd(fd, h, DRM_CLOEXEC | DRM_RDWR, &dmabuf));
	REQUIRE(dmabuf >= 0);
	CHECK(fcntl(dmabuf, F_GETFD) & FD_CLOEXEC);
	/* The exporter's own file gets its handle back, every time. */
	REQUIRE_OK(import_fd(fd, dmabuf, &h1));
	CHECK_EQ(h1, h);
	REQUIRE_OK(import_fd(fd, dmabuf, &h1));
	CHECK_EQ(h1, h);
	/* Another file: a new handle for the same object, also stable. */
	REQUIRE_OK(import_fd(other, dmabuf, &h2));
	REQUIRE_OK(import_fd(other, dmabuf, &h3));
	CHECK_EQ(h2, h3);
	CHECK_OK(gem_pread(other, h2, 4 * 7, &word, 4));
	CHECK_EQ(word, 0x1000 + 7);
	CHECK_EQ(flink(fd, h), flink(other, h2));
	/* Exporting again gives another fd for the same dma-buf. */
	{
		int again;

		REQUIRE_OK(export_fd(fd, h, DRM_CLOEXEC, &again));
		CHECK(again >= 0 && again != dmabuf);
		REQUIRE_OK(import_fd(other, again, &h3));
		CHECK_EQ(h3, h2);
		close(again);
	}
	close(dmabuf);
	close(other);
	close(fd);
}

TEST(dup_imports_to_the_same_handle)
{
	int fd = open_card(), other = open_render();
	uint32_t h, a, b;
	int dmabuf, copy;

	REQUIRE(fd >= 0 && other >= 0);
	h = object_with_pattern(fd, 0);
	REQUIRE(h);
	REQUIRE_OK(export_fd(fd, h, DRM_CLOEXEC, &dmabuf));
	copy = dup(dmabuf);
	REQUIRE(copy >= 0);
	REQUIRE_OK(import_fd(other, dmabuf, &a));
	REQUIRE_OK(import_fd(other, copy, &b));
	CHECK_EQ(a, b);
	close(copy);
	close(dmabuf);
	close(other);
	close(fd);
}

TEST(llseek)
{
	int fd = open_card();
	uint32_t h;
	int dmabuf;

	REQUIRE(fd >= 0);
	h = object_with_pattern(fd, 0);
	REQUIRE(h);
	REQUIRE_OK(export_fd(fd, h, DRM_CLOEXEC, &dmabuf));
	CHECK_EQ(lseek(dmabuf, 0, SEEK_END), SIZE);
	CHECK_EQ(lseek(dmabuf, 0, SEEK_SET), 0);
	/* dma_buf_llseek: anything else is EINVAL */
	CHECK_ERRNO(lseek(dmabuf, 1, SEEK_SET) < 0 ? -errno : 0, EINVAL);
	CHECK_ERRNO(lseek(dmabuf, -1, SEEK_END) < 0 ? -errno : 0, EINVAL);
	CHECK_ERRNO(lseek(dmabuf, 0, SEEK_CUR) < 0 ? -errno : 0, EINVAL);
	close(dmabuf);
	close(fd);
}

TEST(mmap_maps_the_object)
{
	int fd = open_card();
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	uint32_t h, word = 0;
	uint32_t *map;
	int dmabuf;

	REQUIRE(fd >= 0);
	h = object_with_pattern(fd, 0x5000);
	REQUIRE(h);
	REQUIRE_OK(export_fd(fd, h, DRM_CLOEXEC | DRM_RDWR, &dmabuf));
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	REQUIRE(map != MAP_FAILED);
	CHECK_OK(raw_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync));
	CHECK_EQ(map[0], 0x5000);
	CHECK_EQ(map[SIZE / 4 - 1], 0x5000 + SIZE / 4 - 1);
	map[3] = 0xdeadbeef;
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	CHECK_OK(raw_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync));
	CHECK_OK(gem_pread(fd, h, 12, &word, 4));
	CHECK_EQ(word, 0xdeadbeef);
	munmap(map, SIZE);
	/* The second page alone, at offset 4096 of the dma-buf. */
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, dmabuf, 4096);
	REQUIRE(map != MAP_FAILED);
	CHECK_EQ(map[0], 0x5000 + 1024);
	munmap(map, 4096);
	/* Past the end: EINVAL. */
	CHECK(mmap(NULL, 2 * SIZE, PROT_READ, MAP_SHARED, dmabuf, 0) == MAP_FAILED && errno == EINVAL);
	sync.flags = 0;
	CHECK_ERRNO(raw_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync), EINVAL);
	sync.flags = 0x100 | DMA_BUF_SYNC_READ;
	CHECK_ERRNO(raw_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &sync), EINVAL);
	close(dmabuf);
	close(fd);
}

/* The dma-buf holds its object: all handles closed, it still imports. */
TEST(dma_buf_keeps_the_object)
{
	int fd = open_card(), later;
	uint32_t h, h2, word = 0;
	int dmabuf;

	REQUIRE(fd >= 0);
	h = object_with_pattern(fd, 0x9000);
	REQUIRE(h);
	REQUIRE_OK(export_fd(fd, h, DRM_CLOEXEC, &dmabuf));
	close(fd);
	later = open_card();
	REQUIRE(later >= 0);
	REQUIRE_OK(import_fd(later, dmabuf, &h2));
	CHECK_OK(gem_pread(later, h2, 8, &word, 4));
	CHECK_EQ(word, 0x9000 + 2);
	close(dmabuf);
	/* Still alive through the handle. */
	CHECK_OK(gem_pread(later, h2, 8, &word, 4));
	close(later);
}

TEST(errors)
{
	int fd = open_card(), null = open("/dev/null", O_RDONLY);
	uint32_t h, out;
	int dmabuf;

	REQUIRE(fd >= 0 && null >= 0);
	h = gem_create(fd, 4096);
	REQUIRE(h);
	CHECK_ERRNO(export_fd(fd, h + 100, DRM_CLOEXEC, &dmabuf), ENOENT);
	CHECK_ERRNO(export_fd(fd, h, 0x1, &dmabuf), EINVAL);
	CHECK_ERRNO(import_fd(fd, null, &out), EINVAL);
	CHECK_ERRNO(import_fd(fd, -1, &out), EBADF);
	CHECK_ERRNO(import_fd(fd, 999, &out), EBADF);
	/* A node fd is not a dma-buf. */
	CHECK_ERRNO(import_fd(fd, fd, &out), EINVAL);
	close(null);
	close(fd);
}

/*
 * i915_gem_userptr_dmabuf_export: exporting client memory is no longer
 * allowed (EINVAL), also with every page there; flags and the handle are
 * checked first. IGT's gem_userptr_blits@dmabuf-sync skips on this.
 */
TEST(userptr_is_never_exported)
{
	struct drm_i915_gem_userptr u = { .user_size = SIZE };
	uint32_t *mem;
	int fd = open_card(), dmabuf = -1;

	REQUIRE(fd >= 0);
	mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(mem != MAP_FAILED);
	mem[0] = 1;
	u.user_ptr = (uintptr_t)mem;
	REQUIRE_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_USERPTR, &u));
	CHECK_ERRNO(export_fd(fd, u.handle, DRM_CLOEXEC, &dmabuf), EINVAL);
	CHECK_EQ(dmabuf, -1);
	CHECK_ERRNO(export_fd(fd, u.handle, 1u << 4, &dmabuf), EINVAL);
	CHECK_ERRNO(export_fd(fd, u.handle + 1, DRM_CLOEXEC, &dmabuf), ENOENT);
	gem_close(fd, u.handle);
	close(fd);
	munmap(mem, SIZE);
}
