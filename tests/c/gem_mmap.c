/*
 * MMAP_OFFSET and mmap(2) of the device: offsets per type, the error
 * paths, coherence with pwrite/pread both ways, mappings that outlive
 * their handle, legacy GEM_MMAP and MMAP_GTT.
 * Kernel reference: i915_gem_mmap_offset_ioctl, __assign_mmap_offset,
 * i915_gem_mmap_ioctl, vm_open/vm_close (i915_gem_mman.c);
 * IGT gem_mmap_offset.
 */
#include "gemu_test.h"

#include <signal.h>

static int fd = -1;

static void need_fd(void)
{
	if (fd < 0)
		fd = open_render();
}

static int mmap_offset(int fd, uint32_t h, uint64_t flags, uint64_t *offset)
{
	struct drm_i915_gem_mmap_offset m = { .handle = h, .flags = flags };
	int r = do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m);

	*offset = m.offset;
	return r;
}

static void *map(int fd, uint32_t h, uint64_t flags, size_t size)
{
	uint64_t off = 0;
	void *p;

	if (!CHECK_OK(mmap_offset(fd, h, flags, &off)))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (!CHECK(p != MAP_FAILED)) {
		fprintf(stderr, "  mmap(offset 0x%" PRIx64 "): %s\n", off,
			strerror(errno));
		return NULL;
	}
	return p;
}

TEST(offsets)
{
	uint64_t wb = 0, wb2 = 0, wc = 0, uc = 0, other = 0;
	uint32_t h, h2;

	need_fd();
	REQUIRE(fd >= 0);
	h = gem_create(fd, 8192);
	h2 = gem_create(fd, 8192);
	REQUIRE(h && h2);

	CHECK_OK(mmap_offset(fd, h, I915_MMAP_OFFSET_WB, &wb));
	CHECK(wb != 0);
	CHECK_EQ(wb & 4095, 0);
	/* lookup_mmo: one offset per (object, type), stable */
	CHECK_OK(mmap_offset(fd, h, I915_MMAP_OFFSET_WB, &wb2));
	CHECK_EQ(wb2, wb);
	/* WC and UC need x86 PAT (pat_enabled()), which a host has */
	CHECK_OK(mmap_offset(fd, h, I915_MMAP_OFFSET_WC, &wc));
	CHECK_OK(mmap_offset(fd, h, I915_MMAP_OFFSET_UC, &uc));
	/*
	 * mmap_offset_attach: i915 gives each (object, type) its own node, so
	 * the three offsets differ. gemu maps objects straight from one memfd
	 * (DESIGN §3, passthrough), where a page has a single offset: it may
	 * answer one offset for all types. Mixed answers are wrong either way.
	 */
	if (wc == wb && uc == wb)
		INFO("one offset for WB, WC and UC (i915: three)");
	else
		CHECK(wc != wb && uc != wb && uc != wc);
	CHECK_EQ(wc & 4095, 0);
	CHECK_EQ(uc & 4095, 0);
	/* different objects never share an offset */
	CHECK_OK(mmap_offset(fd, h2, I915_MMAP_OFFSET_WB, &other));
	CHECK(other != wb);
	/* ... and their ranges do not overlap */
	CHECK(other >= wb + 8192 || other + 8192 <= wb);
	gem_close(fd, h2);
	gem_close(fd, h);
}

TEST(offset_errors)
{
	struct drm_i915_gem_mmap_offset m;
	struct i915_user_extension ext;
	uint64_t off;
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	h = gem_create(fd, 4096);
	REQUIRE(h);

	/* i915_gem_mmap_offset_ioctl: unknown type -> EINVAL */
	CHECK_ERRNO(mmap_offset(fd, h, 5, &off), EINVAL);
	CHECK_ERRNO(mmap_offset(fd, h, 0xff, &off), EINVAL);
	CHECK_ERRNO(mmap_offset(fd, h, 1ull << 32, &off), EINVAL);
	/* the type is checked before the handle */
	CHECK_ERRNO(mmap_offset(fd, 0x7ffffff0, 5, &off), EINVAL);
	/* __assign_mmap_offset_handle: no such handle -> ENOENT */
	CHECK_ERRNO(mmap_offset(fd, 0x7ffffff0, I915_MMAP_OFFSET_WB, &off),
		    ENOENT);
	CHECK_ERRNO(mmap_offset(fd, 0, I915_MMAP_OFFSET_WC, &off), ENOENT);
	/* __assign_mmap_offset: FIXED without obj->ops->mmap_offset (no
	 * local memory, shmem objects) -> ENODEV */
	CHECK_ERRNO(mmap_offset(fd, h, I915_MMAP_OFFSET_FIXED, &off), ENODEV);
	/* GTT: TGL has a mappable aperture (the GTT maps are in gem_gtt.c) */
	CHECK_OK(mmap_offset(fd, h, I915_MMAP_OFFSET_GTT, &off));
	CHECK_ERRNO(mmap_offset(fd, 0x7ffffff0, I915_MMAP_OFFSET_GTT, &off),
		    ENOENT);

	/* "if (args->pad) return -EINVAL; is verboten!": pad is ignored */
	memset(&m, 0, sizeof(m));
	m.handle = h;
	m.pad = 0xdeadbeef;
	m.flags = I915_MMAP_OFFSET_WB;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m));
	/* ... and so is the incoming offset */
	m.pad = 0;
	m.offset = 0x1234;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m));
	CHECK(m.offset != 0x1234);

	/* i915_user_extensions with an empty table: any extension -> EINVAL */
	memset(&ext, 0, sizeof(ext));
	memset(&m, 0, sizeof(m));
	m.handle = h;
	m.flags = I915_MMAP_OFFSET_WB;
	m.extensions = (uintptr_t)&ext;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m), EINVAL);
	ext.flags = 1;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m), EINVAL);
	/* unreadable extension -> EFAULT (before the type and the handle) */
	m.extensions = bad_ptr();
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m), EFAULT);
	m.handle = 0x7ffffff0;
	m.flags = 77;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m), EFAULT);
	gem_close(fd, h);
}

TEST(legacy_mmap_calls)
{
	struct drm_i915_gem_mmap_gtt gtt;
	uint32_t h;

	need_fd();
	REQUIRE(fd >= 0);
	h = gem_create(fd, 4096);
	REQUIRE(h);
	/*
	 * Legacy GEM_MMAP: through the shim it maps (legacy_mmap.c), without
	 * it EOPNOTSUPP (shim_off.c).
	 */
	/* MMAP_GTT is MMAP_OFFSET with flags GTT (the 16-byte struct) */
	memset(&gtt, 0, sizeof(gtt));
	gtt.handle = h;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_GTT, &gtt));
	CHECK(gtt.offset != 0);
	gtt.handle = 0x7ffffff0;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_MMAP_GTT, &gtt), ENOENT);
	gem_close(fd, h);
}

TEST(coherent_both_ways)
{
	static const uint64_t types[] = {
		I915_MMAP_OFFSET_WB, I915_MMAP_OFFSET_WC, I915_MMAP_OFFSET_UC,
	};
	const size_t size = 3 * 4096;
	unsigned int t;

	need_fd();
	REQUIRE(fd >= 0);
	for (t = 0; t < 3; t++) {
		uint32_t h = gem_create(fd, size);
		uint8_t *p, buf[256];
		size_t i;

		REQUIRE(h);
		p = map(fd, h, types[t], size);
		if (!p) {
			gem_close(fd, h);
			continue;
		}
		/* fresh object is zero through the map */
		CHECK_EQ(p[0] | p[4096] | p[size - 1], 0);
		/* pwrite -> visible in the map */
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = i ^ (t * 0x11);
		CHECK_OK(gem_pwrite(fd, h, 4096 - 100, buf, sizeof(buf)));
		CHECK(memcmp(p + 4096 - 100, buf, sizeof(buf)) == 0);
		/* map -> visible to pread */
		for (i = 0; i < size; i += 512)
			p[i] = (uint8_t)(i >> 9) + 1;
		for (i = 0; i < size; i += 512) {
			uint8_t b = 0;

			CHECK_OK(gem_pread(fd, h, i, &b, 1));
			if (!CHECK_EQ(b, (uint8_t)(i >> 9) + 1))
				break;
		}
		munmap(p, size);
		gem_close(fd, h);
	}
}

TEST(two_maps_and_partial_map)
{
	const size_t size = 4 * 4096;
	uint64_t off = 0;
	uint32_t h;
	uint8_t *a, *b, *part;

	need_fd();
	REQUIRE(fd >= 0);
	h = gem_create(fd, size);
	REQUIRE(h);
	REQUIRE_OK(mmap_offset(fd, h, I915_MMAP_OFFSET_WB, &off));
	a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	REQUIRE(a != MAP_FAILED && b != MAP_FAILED);
	a[5000] = 0x42;
	CHECK_EQ(b[5000], 0x42);
	/* a map of the second page alone (vm_pgoff past the node start) */
	part = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    off + 4096);
	REQUIRE(part != MAP_FAILED);
	CHECK_EQ(part[5000 - 4096], 0x42);
	part[0] = 0x77;
	CHECK_EQ(a[4096], 0x77);
	munmap(part, 4096);
	munmap(b, size);
	munmap(a, size);
	gem_close(fd, h);
}

TEST(mapping_outlives_handle_and_fd)
{
	const size_t size = 8192;
	uint8_t *p;
	uint32_t h;
	int f = open_render();

	REQUIRE(f >= 0);
	h = gem_create(f, size);
	REQUIRE(h);
	p = map(f, h, I915_MMAP_OFFSET_WB, size);
	REQUIRE(p);
	CHECK_OK(gem_pwrite(f, h, 100, "before", 6));
	/* vm_open holds an object reference: the map survives GEM_CLOSE */
	CHECK_OK(gem_close(f, h));
	CHECK(memcmp(p + 100, "before", 6) == 0);
	memcpy(p + 6000, "after", 5);
	CHECK(memcmp(p + 6000, "after", 5) == 0);
	/* the old object's pages are not handed to a new object */
	{
		uint32_t h2 = gem_create(f, size);
		uint8_t b[8] = { 1 };

		memcpy(p + 200, "stale", 5);
		CHECK_OK(gem_pread(f, h2, 200, b, 5));
		CHECK(memcmp(b, "\0\0\0\0\0", 5) == 0);
		CHECK_OK(gem_pwrite(f, h2, 300, "fresh", 5));
		CHECK(memcmp(p + 300, "fresh", 5) != 0);
		gem_close(f, h2);
	}
	/* ... and the close of the fd */
	close(f);
	memcpy(p + 7000, "closed", 6);
	CHECK(memcmp(p + 100, "before", 6) == 0);
	CHECK(memcmp(p + 7000, "closed", 6) == 0);
	munmap(p, size);
}

TEST(flinked_object_maps_in_both_files)
{
	struct drm_auth auth = { 0 };
	struct drm_gem_flink fl = { 0 };
	struct drm_gem_open op = { 0 };
	uint8_t *pa, *pb;
	uint32_t h;
	int a = open_card(), b;

	REQUIRE(a >= 0);
	b = open_card();
	REQUIRE(b >= 0);
	REQUIRE_OK(do_ioctl(b, DRM_IOCTL_GET_MAGIC, &auth));
	REQUIRE_OK(do_ioctl(a, DRM_IOCTL_AUTH_MAGIC, &auth));
	h = gem_create(a, 4096);
	fl.handle = h;
	REQUIRE_OK(do_ioctl(a, DRM_IOCTL_GEM_FLINK, &fl));
	op.name = fl.name;
	REQUIRE_OK(do_ioctl(b, DRM_IOCTL_GEM_OPEN, &op));
	pa = map(a, h, I915_MMAP_OFFSET_WB, 4096);
	pb = map(b, op.handle, I915_MMAP_OFFSET_WB, 4096);
	REQUIRE(pa && pb);
	pa[10] = 0x5a;
	CHECK_EQ(pb[10], 0x5a);
	pb[20] = 0xa5;
	CHECK_EQ(pa[20], 0xa5);
	{
		uint8_t x = 0;

		CHECK_OK(gem_pwrite(b, op.handle, 30, "\x11", 1));
		CHECK_EQ(pa[30], 0x11);
		CHECK_OK(gem_pread(a, h, 20, &x, 1));
		CHECK_EQ(x, 0xa5);
	}
	munmap(pa, 4096);
	munmap(pb, 4096);
	close(b);
	close(a);
}

static sigjmp_buf purged_jmp;

static void on_purged_access(int sig)
{
	siglongjmp(purged_jmp, sig);
}

/* Touch *p: the signal it raises, 0 when none. */
static int touch(volatile uint8_t *p)
{
	struct sigaction sa = { .sa_handler = on_purged_access }, old_bus, old_segv;
	int sig;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(purged_jmp, 1);
	if (sig == 0)
		*p = 1;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

static int madvise_obj(int fd, uint32_t h, uint32_t madv)
{
	struct drm_i915_gem_madvise m = { .handle = h, .madv = madv };

	if (do_ioctl(fd, DRM_IOCTL_I915_GEM_MADVISE, &m))
		return -1;
	return m.retained;
}

/*
 * IGT gem_madvise@dontneed-{before,after}-mmap: an object marked DONTNEED
 * while it has no pages is purged at once, and a mapping of it, made
 * before or after, raises SIGBUS (i915's fault handler cannot get pages).
 * A mapping whose pages were touched keeps them.
 */
TEST(a_purged_objects_mapping_raises_sigbus)
{
	uint8_t *before, *after, *kept;
	uint32_t a, b, c;

	need_fd();
	REQUIRE(fd >= 0);
	a = gem_create(fd, 4096);
	b = gem_create(fd, 4096);
	c = gem_create(fd, 4096);
	REQUIRE(a && b && c);
	/* mapped first, never touched: DONTNEED purges, the mapping faults */
	after = map(fd, a, I915_MMAP_OFFSET_WC, 4096);
	kept = map(fd, c, I915_MMAP_OFFSET_WB, 4096);
	REQUIRE(after && kept);
	kept[0] = 7;
	CHECK_EQ(madvise_obj(fd, a, I915_MADV_DONTNEED), 0);
	CHECK_EQ(touch(after), SIGBUS);
	/* purged first, mapped after */
	CHECK_EQ(madvise_obj(fd, b, I915_MADV_DONTNEED), 0);
	before = map(fd, b, I915_MMAP_OFFSET_WB, 4096);
	REQUIRE(before);
	CHECK_EQ(touch(before), SIGBUS);
	/* touched through its mapping: it has pages, DONTNEED keeps them */
	CHECK_EQ(madvise_obj(fd, c, I915_MADV_DONTNEED), 1);
	CHECK_EQ(touch(kept), 0);
	CHECK_EQ(kept[0], 1);
	munmap(after, 4096);
	munmap(before, 4096);
	munmap(kept, 4096);
	gem_close(fd, a);
	gem_close(fd, b);
	gem_close(fd, c);
}

/*
 * /proc/self/mem over an object's mapping: i915's vm_access takes the rest
 * of each chunk at once and refuses a range past the object, so a read
 * across the end copies nothing (EIO), while one inside reads the object
 * and a write lands in it (IGT gem_mmap_offset@oob-read).
 */
TEST(proc_self_mem_stops_at_the_objects_end)
{
	uint32_t h, got = 0, v = 0xfeedf00d;
	uint8_t buf[8];
	uint8_t *p;
	int mem;

	need_fd();
	h = gem_create(fd, 4096);
	REQUIRE(h);
	p = map(fd, h, I915_MMAP_OFFSET_WB, 4096);
	REQUIRE(p);
	memcpy(p + 4088, "insideXY", 8);
	mem = open("/proc/self/mem", O_RDWR);
	REQUIRE(mem >= 0);
	CHECK_EQ(lseek(mem, (uintptr_t)p + 4092, SEEK_SET), (long long)(uintptr_t)p + 4092);
	errno = 0;
	CHECK_EQ(read(mem, buf, 8), -1);
	CHECK_EQ(errno, EIO);
	/* the position did not move: a read inside from there works */
	CHECK_EQ(read(mem, buf, 4), 4);
	CHECK(memcmp(buf, "deXY", 4) == 0);
	CHECK_EQ(pread(mem, buf, 8, (uintptr_t)p + 4088), 8);
	CHECK(memcmp(buf, "insideXY", 8) == 0);
	errno = 0;
	CHECK_EQ(pread(mem, buf, 8, (uintptr_t)p + 4090), -1);
	CHECK_EQ(errno, EIO);
	/* writes the same way: inside lands in the object, across is refused */
	CHECK_EQ(pwrite(mem, &v, 4, (uintptr_t)p + 64), 4);
	CHECK_OK(gem_pread(fd, h, 64, &got, 4));
	CHECK_EQ(got, v);
	errno = 0;
	CHECK_EQ(pwrite(mem, &v, 4, (uintptr_t)p + 4094), -1);
	CHECK_EQ(errno, EIO);
	/* ordinary memory still reads page by page through the kernel */
	CHECK_EQ(pread(mem, buf, 8, (uintptr_t)&v), 8);
	CHECK(memcmp(buf, &v, 4) == 0);
	close(mem);
	munmap(p, 4096);
	gem_close(fd, h);
}
