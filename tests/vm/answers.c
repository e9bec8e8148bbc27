/*
 * answers: ask a gemu device a fixed list of questions and print every answer,
 * one line each, so that two front-ends can be compared with diff(1).
 *
 * The same binary runs against the FUSE node (on the host, under `gemu run`)
 * and the CUSE node (in the VM); tests/tests/cuse_vm.rs compares the two
 * transcripts. A line that may legitimately differ starts with "front-end:"
 * (what the kernel itself answers for the node: stat, mmap).
 *
 * Usage: answers [CARD [RENDER]]   (default /dev/dri/card0, /dev/dri/renderD128)
 */
#define _GNU_SOURCE /* strerrorname_np */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <xf86drm.h>
#include <i915_drm.h>

/* One ioctl(2), restarted on EINTR as libdrm does: 0 or -errno. */
static int call(int fd, unsigned long cmd, void *arg)
{
	int r;

	do
		r = ioctl(fd, cmd, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static const char *err(int r)
{
	static char buf[32];

	if (r >= 0) {
		snprintf(buf, sizeof(buf), "ok(%d)", r);
		return buf;
	}
	return strerrorname_np(-r) ? strerrorname_np(-r) : "E?";
}

static void version(int fd, const char *node)
{
	char name[32] = { 0 }, date[32] = { 0 }, desc[64] = { 0 };
	struct drm_version v = {
		.name_len = sizeof(name) - 1, .name = name,
		.date_len = sizeof(date) - 1, .date = date,
		.desc_len = sizeof(desc) - 1, .desc = desc,
	};
	int r = call(fd, DRM_IOCTL_VERSION, &v);

	printf("%s VERSION: %s %d.%d.%d name=%s/%zu date=%s/%zu desc=%s/%zu\n",
	       node, err(r), v.version_major, v.version_minor,
	       v.version_patchlevel, name, v.name_len, date, v.date_len, desc,
	       v.desc_len);
	/* A buffer too short: lengths still reported, strings cut. */
	memset(name, 0, sizeof(name));
	v = (struct drm_version){ .name_len = 2, .name = name };
	r = call(fd, DRM_IOCTL_VERSION, &v);
	printf("%s VERSION short: %s name=%s/%zu\n", node, err(r), name,
	       v.name_len);
	v = (struct drm_version){ .name_len = 8, .name = (char *)8 };
	printf("%s VERSION bad name pointer: %s\n", node,
	       err(call(fd, DRM_IOCTL_VERSION, &v)));
	printf("%s VERSION bad struct pointer: %s\n", node,
	       err(call(fd, DRM_IOCTL_VERSION, (void *)8)));
}

static void getparams(int fd, const char *node)
{
	static const int params[] = {
		I915_PARAM_CHIPSET_ID, I915_PARAM_REVISION,
		I915_PARAM_HAS_EXEC_SOFTPIN, I915_PARAM_HAS_ALIASING_PPGTT,
		I915_PARAM_MMAP_VERSION, I915_PARAM_MMAP_GTT_VERSION,
		I915_PARAM_CS_TIMESTAMP_FREQUENCY, I915_PARAM_EU_TOTAL,
		I915_PARAM_HAS_USERPTR_PROBE, 0, -1, 4096,
	};
	unsigned i;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		int v = -12345;
		struct drm_i915_getparam gp = { .param = params[i], .value = &v };
		int r = call(fd, DRM_IOCTL_I915_GETPARAM, &gp);

		printf("%s GETPARAM %d: %s value=%d\n", node, params[i], err(r),
		       v);
	}
	{
		struct drm_i915_getparam gp = {
			.param = I915_PARAM_CHIPSET_ID, .value = (int *)8,
		};
		printf("%s GETPARAM bad value pointer: %s\n", node,
		       err(call(fd, DRM_IOCTL_I915_GETPARAM, &gp)));
	}
}

static void gem_round_trip(int fd, const char *node)
{
	struct drm_i915_gem_create c = { .size = 8192 };
	char in[64], out[64] = { 0 };
	int r, i;

	for (i = 0; i < 64; i++)
		in[i] = (char)(i * 7 + 1);
	r = call(fd, DRM_IOCTL_I915_GEM_CREATE, &c);
	printf("%s GEM_CREATE 8192: %s handle=%u size=%llu\n", node, err(r),
	       c.handle, (unsigned long long)c.size);
	{
		struct drm_i915_gem_pwrite p = {
			.handle = c.handle, .offset = 100, .size = sizeof(in),
			.data_ptr = (uintptr_t)in,
		};
		printf("%s GEM_PWRITE: %s\n", node,
		       err(call(fd, DRM_IOCTL_I915_GEM_PWRITE, &p)));
		p.offset = 8192 - 10;
		printf("%s GEM_PWRITE past the end: %s\n", node,
		       err(call(fd, DRM_IOCTL_I915_GEM_PWRITE, &p)));
		p.offset = 0;
		p.data_ptr = 8;
		printf("%s GEM_PWRITE bad data pointer: %s\n", node,
		       err(call(fd, DRM_IOCTL_I915_GEM_PWRITE, &p)));
	}
	{
		struct drm_i915_gem_pread p = {
			.handle = c.handle, .offset = 100, .size = sizeof(out),
			.data_ptr = (uintptr_t)out,
		};
		r = call(fd, DRM_IOCTL_I915_GEM_PREAD, &p);
		printf("%s GEM_PREAD: %s same=%d\n", node, err(r),
		       memcmp(in, out, sizeof(in)) == 0);
		p.data_ptr = (uintptr_t)"read-only string literal.......";
		p.size = 16;
		printf("%s GEM_PREAD into read-only memory: %s\n", node,
		       err(call(fd, DRM_IOCTL_I915_GEM_PREAD, &p)));
		p.handle = 0x7ffffff0;
		printf("%s GEM_PREAD bad handle: %s\n", node,
		       err(call(fd, DRM_IOCTL_I915_GEM_PREAD, &p)));
	}
	{
		struct drm_i915_gem_mmap_offset m = {
			.handle = c.handle, .flags = I915_MMAP_OFFSET_WB,
		};
		void *p;

		r = call(fd, DRM_IOCTL_I915_GEM_MMAP_OFFSET, &m);
		printf("%s GEM_MMAP_OFFSET WB: %s\n", node, err(r));
		p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 m.offset);
		/* The kernel refuses mmap on a CUSE node: a known difference. */
		printf("front-end: %s mmap: %s\n", node,
		       p == MAP_FAILED ? strerrorname_np(errno) : "mapped");
		if (p != MAP_FAILED)
			munmap(p, 8192);
	}
	{
		struct drm_gem_close cl = { .handle = c.handle };
		printf("%s GEM_CLOSE: %s\n", node,
		       err(call(fd, DRM_IOCTL_GEM_CLOSE, &cl)));
		printf("%s GEM_CLOSE again: %s\n", node,
		       err(call(fd, DRM_IOCTL_GEM_CLOSE, &cl)));
	}
	c = (struct drm_i915_gem_create){ .size = 0 };
	printf("%s GEM_CREATE 0: %s\n", node,
	       err(call(fd, DRM_IOCTL_I915_GEM_CREATE, &c)));
}

static void query(int fd, const char *node)
{
	struct drm_i915_query_item items[3] = {
		{ .query_id = DRM_I915_QUERY_ENGINE_INFO },
		{ .query_id = DRM_I915_QUERY_MEMORY_REGIONS },
		{ .query_id = 0x7fff },
	};
	struct drm_i915_query q = {
		.num_items = 3, .items_ptr = (uintptr_t)items,
	};
	char buf[2][4096];
	int r = call(fd, DRM_IOCTL_I915_QUERY, &q), i;

	printf("%s QUERY sizes: %s %d %d %d\n", node, err(r), items[0].length,
	       items[1].length, items[2].length);
	for (i = 0; i < 2; i++) {
		if (items[i].length > 0 && items[i].length <= 4096)
			items[i].data_ptr = (uintptr_t)buf[i];
	}
	r = call(fd, DRM_IOCTL_I915_QUERY, &q);
	if (r == 0) {
		const struct drm_i915_query_engine_info *e = (void *)buf[0];

		printf("%s QUERY engines: %u:", node, e->num_engines);
		for (i = 0; i < (int)e->num_engines; i++)
			printf(" %u/%u", e->engines[i].engine.engine_class,
			       e->engines[i].engine.engine_instance);
		printf("\n");
	} else {
		printf("%s QUERY data: %s\n", node, err(r));
	}
	q.items_ptr = 8;
	printf("%s QUERY bad items pointer: %s\n", node,
	       err(call(fd, DRM_IOCTL_I915_QUERY, &q)));
}

static void flink(const char *card)
{
	int a = open(card, O_RDWR | O_CLOEXEC), b = open(card, O_RDWR | O_CLOEXEC);
	struct drm_i915_gem_create c = { .size = 4096 };
	struct drm_gem_flink f = { 0 };
	struct drm_gem_open o = { 0 };
	char data[8] = "flinked", got[8] = { 0 };
	int r;

	if (a < 0 || b < 0) {
		printf("flink: open: %s\n", strerrorname_np(errno));
		return;
	}
	call(a, DRM_IOCTL_I915_GEM_CREATE, &c);
	{
		struct drm_i915_gem_pwrite p = {
			.handle = c.handle, .size = 8, .data_ptr = (uintptr_t)data,
		};
		call(a, DRM_IOCTL_I915_GEM_PWRITE, &p);
	}
	f.handle = c.handle;
	r = call(a, DRM_IOCTL_GEM_FLINK, &f);
	printf("flink FLINK: %s name=%u\n", err(r), f.name);
	o.name = f.name;
	r = call(b, DRM_IOCTL_GEM_OPEN, &o);
	printf("flink GEM_OPEN in the second open: %s handle=%u size=%llu\n",
	       err(r), o.handle, (unsigned long long)o.size);
	{
		struct drm_i915_gem_pread p = {
			.handle = o.handle, .size = 8, .data_ptr = (uintptr_t)got,
		};
		r = call(b, DRM_IOCTL_I915_GEM_PREAD, &p);
		printf("flink PREAD through the second open: %s \"%s\"\n",
		       err(r), got);
	}
	o = (struct drm_gem_open){ .name = 0x7ffff };
	printf("flink GEM_OPEN unknown name: %s\n",
	       err(call(b, DRM_IOCTL_GEM_OPEN, &o)));
	close(a);
	close(b);
}

static void core(int fd, const char *node)
{
	drm_auth_t auth = { 0 };
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	char buf[64];
	int r;

	r = call(fd, DRM_IOCTL_GET_MAGIC, &auth);
	printf("%s GET_MAGIC: %s nonzero=%d\n", node, err(r), auth.magic != 0);
	r = poll(&p, 1, 0);
	printf("%s poll: %d revents=%#x\n", node, r, p.revents);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	r = read(fd, buf, sizeof(buf));
	printf("%s read O_NONBLOCK: %s\n", node,
	       r < 0 ? strerrorname_np(errno) : "data");
	r = write(fd, buf, 4);
	printf("%s write: %s\n", node, r < 0 ? strerrorname_np(errno) : "ok");
	/* Unknown DRM numbers, a foreign type, a driver number past the table. */
	printf("%s ioctl DRM 0xff: %s\n", node,
	       err(call(fd, DRM_IOWR(0xff, struct drm_version), buf)));
	printf("%s ioctl type 'x': %s\n", node,
	       err(call(fd, _IOWR('x', 1, int), buf)));
	printf("%s ioctl i915 0x5f: %s\n", node,
	       err(call(fd, DRM_IOWR(DRM_COMMAND_BASE + 0x5f, int), buf)));
	printf("%s ioctl _IO DROP_MASTER: %s\n", node,
	       err(call(fd, DRM_IOCTL_DROP_MASTER, NULL)));
}

static void node_type(int fd, const char *node)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		printf("front-end: %s fstat: %s\n", node, strerrorname_np(errno));
		return;
	}
	/* FUSE: a regular file (the shim reports a char device); CUSE: 226:N. */
	printf("front-end: %s fstat: %s %u:%u\n", node,
	       S_ISCHR(st.st_mode) ? "char" : "not-char", major(st.st_rdev),
	       minor(st.st_rdev));
}

int main(int argc, char **argv)
{
	const char *card = argc > 1 ? argv[1] : "/dev/dri/card0";
	const char *render = argc > 2 ? argv[2] : "/dev/dri/renderD128";
	const char *nodes[2] = { card, render };
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < 2; i++) {
		const char *node = i ? "render" : "card";
		int fd = open(nodes[i], O_RDWR | O_CLOEXEC);

		if (fd < 0) {
			printf("%s open %s: %s\n", node, nodes[i],
			       strerrorname_np(errno));
			return 1;
		}
		node_type(fd, node);
		version(fd, node);
		getparams(fd, node);
		gem_round_trip(fd, node);
		query(fd, node);
		core(fd, node);
		close(fd);
	}
	flink(card);
	printf("done\n");
	return 0;
}
