/*
 * The live sysfs attributes of card0 and debugfs i915_wedged, as
 * i915_hangman and i915_pm_rps use them: the GPU error state (sysfs
 * `error`, filled by a hang or a manual reset, cleared by any write), the
 * GT frequency limits (gt_*_freq_mhz: i915's ordering rules, EINVAL out of
 * range, 50/3 MHz rounding, a rewind sees the new value), and the engines'
 * properties (engine/<name>/heartbeat_interval_ms sets how soon a batch
 * that never reaches an arbitration point is declared hung).
 * Kernel reference: i915_sysfs.c (error_state_read/write),
 * gt/intel_gt_sysfs_pm.c + intel_rps.c (set_min_freq, set_max_freq),
 * gt/sysfs_engines.c, i915_debugfs.c (i915_wedged_set), i915_gem_context.c
 * (enable_hangcheck and persistence).
 */
#include "gemu_test.h"

#include <dirent.h>

#define CARD "/sys/class/drm/card0"
#define DEBUGFS "/sys/kernel/debug/dri/0"
#define SEC 1000000000ll

static int read_at(const char *path, char *buf, size_t len)
{
	int f = open(path, O_RDONLY);
	ssize_t n;

	if (f < 0)
		return -errno;
	n = read(f, buf, len - 1);
	close(f);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

/* Writes exactly `len` bytes of `data` in one write(2); 0 or -errno. */
static int write_at(const char *path, const void *data, size_t len)
{
	int f = open(path, O_WRONLY);
	ssize_t n;

	if (f < 0)
		return -errno;
	n = write(f, data, len);
	close(f);
	return n < 0 ? -errno : 0;
}

static int write_str(const char *path, const char *s)
{
	return write_at(path, s, strlen(s));
}

static long read_num(const char *path)
{
	char buf[64];

	if (read_at(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 0);
}

static long freq(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), CARD "/gt_%s_freq_mhz", name);
	return read_num(path);
}

static int set_freq(const char *name, long mhz)
{
	char path[128], text[32];

	snprintf(path, sizeof(path), CARD "/gt_%s_freq_mhz", name);
	snprintf(text, sizeof(text), "%ld", mhz);
	return write_str(path, text);
}

/* igt's clear_error_state: one NUL byte. */
static int clear_error_state(void)
{
	return write_at(CARD "/error", "", 1);
}

static int error_state_clear(void)
{
	char buf[4096];

	return read_at(CARD "/error", buf, sizeof(buf)) > 0 &&
	       strcasecmp(buf, "no error state collected\n") == 0;
}

TEST(error_state_follows_manual_resets_and_clears)
{
	char buf[4096];

	CHECK_OK(clear_error_state());
	CHECK(error_state_clear());
	CHECK(read_at(DEBUGFS "/i915_wedged", buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "0\n") == 0);
	/* simple_attr_write: kstrtoull refuses a sign */
	CHECK_ERRNO(write_str(DEBUGFS "/i915_wedged", "-1"), EINVAL);
	CHECK(error_state_clear());

	CHECK_OK(write_str(DEBUGFS "/i915_wedged", "1\n"));
	CHECK(!error_state_clear());
	CHECK(read_at(CARD "/error", buf, sizeof(buf)) > 0);
	CHECK(strncmp(buf, "Manually reset engine mask to 1\n", 32) == 0);
	CHECK(strstr(buf, "rcs0") != NULL);
	/* the first error is kept until cleared */
	CHECK_OK(write_str(DEBUGFS "/i915_wedged", "2"));
	CHECK(read_at(DEBUGFS "/i915_error_state", buf, sizeof(buf)) > 0);
	CHECK(strncmp(buf, "Manually reset engine mask to 1\n", 32) == 0);

	CHECK_OK(clear_error_state());
	CHECK(error_state_clear());
}

TEST(a_manual_reset_stops_the_running_batch)
{
	struct gemu_spin s;
	struct drm_i915_reset_stats rs = { 0 };
	int fd = open(GEMU_CARD, O_RDWR);
	uint32_t ctx;

	REQUIRE(fd >= 0);
	ctx = gem_ctx_create(fd);
	REQUIRE(ctx);
	REQUIRE_OK(gemu_spin_init(fd, &s, GEMU_BATCH_ADDR));
	REQUIRE_OK(gemu_exec_pinned(fd, ctx, I915_EXEC_RENDER, s.handle,
				    GEMU_BATCH_ADDR, NULL, 0));
	/* a spinner with MI_ARB_CHECK is never reset by itself */
	CHECK_ERRNO(gem_wait_ns(fd, s.handle, 100000000ll), ETIME);
	/* while it runs, the GT runs at its soft maximum */
	CHECK_EQ(freq("cur"), freq("max"));
	CHECK_EQ(freq("act"), freq("max"));

	CHECK_OK(write_str(DEBUGFS "/i915_wedged", "1"));
	CHECK_OK(gem_wait_ns(fd, s.handle, 5 * SEC));
	rs.ctx_id = ctx;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GET_RESET_STATS, &rs));
	CHECK_EQ(rs.batch_active, 1);
	CHECK(!error_state_clear());
	CHECK_OK(clear_error_state());

	gemu_spin_fini(fd, &s);
	close(fd);
}

TEST(frequencies_keep_i915s_rules)
{
	long rpn = freq("RPn"), rp1 = freq("RP1"), rp0 = freq("RP0");
	long min = freq("min"), max = freq("max");
	char buf[32];
	int f;

	REQUIRE(rpn > 0 && rp0 > 0);
	CHECK(rpn <= rp1 && rp1 <= rp0);
	CHECK(rpn <= min && min <= max && max <= rp0);
	CHECK(freq("boost") >= rpn && freq("boost") <= rp0);
	/* idle: parked at the minimum, in RC6 (the last case's work may take a
	 * moment to retire: poll as i915_pm_rps's idle_check does) */
	for (int i = 0; i < 100 && freq("act") != 0; i++)
		usleep(10000);
	CHECK_EQ(freq("act"), 0);
	CHECK_EQ(freq("cur"), min);

	CHECK_ERRNO(set_freq("min", rp0 + 1000), EINVAL);
	CHECK_ERRNO(set_freq("min", 0), EINVAL);
	CHECK_ERRNO(set_freq("max", 0), EINVAL);
	CHECK_ERRNO(set_freq("max", rp0 + 1000), EINVAL);
	CHECK_ERRNO(set_freq("boost", rp0 + 1000), EINVAL);
	CHECK_ERRNO(write_str(CARD "/gt_min_freq_mhz", "fast"), EINVAL);

	/* i915_pm_rps keeps each file open: rewind, write, rewind, read */
	f = open(CARD "/gt_min_freq_mhz", O_RDWR);
	REQUIRE(f >= 0);
	CHECK_EQ(pwrite(f, "710", 3, 0), 3);
	memset(buf, 0, sizeof(buf));
	CHECK(pread(f, buf, sizeof(buf) - 1, 0) > 0);
	/* 710 MHz is 42.6 units of 50/3 MHz: the closest step is 716.67 */
	CHECK(strcmp(buf, "717\n") == 0);
	close(f);

	/* the minimum may not pass the maximum, nor the maximum the minimum */
	CHECK_OK(set_freq("min", rp0));
	CHECK_ERRNO(set_freq("max", rpn), EINVAL);
	CHECK_OK(set_freq("min", rpn));
	CHECK_OK(set_freq("max", rpn));
	CHECK_ERRNO(set_freq("min", rp0), EINVAL);
	CHECK_OK(set_freq("max", max));
	CHECK_OK(set_freq("min", min));
	CHECK_EQ(freq("min"), min);
	CHECK_EQ(freq("max"), max);

	/* fused limits and the measured ones are read-only */
	CHECK_ERRNO(write_str(CARD "/gt_RP0_freq_mhz", "500"), EACCES);
	CHECK_ERRNO(write_str(CARD "/gt_act_freq_mhz", "500"), EACCES);
}

TEST(engine_directories_describe_the_engines)
{
	char buf[64];

	CHECK(read_at(CARD "/engine/rcs0/name", buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "rcs0\n") == 0);
	CHECK_EQ(read_num(CARD "/engine/rcs0/class"), I915_ENGINE_CLASS_RENDER);
	CHECK_EQ(read_num(CARD "/engine/bcs0/class"), I915_ENGINE_CLASS_COPY);
	CHECK_EQ(read_num(CARD "/engine/bcs0/instance"), 0);
	CHECK_EQ(read_num(CARD "/engine/rcs0/mmio_base"), 0x2000);
	CHECK(read_num(CARD "/engine/rcs0/preempt_timeout_ms") > 0);

	CHECK_OK(write_str(CARD "/engine/bcs0/preempt_timeout_ms", "500"));
	CHECK_EQ(read_num(CARD "/engine/bcs0/preempt_timeout_ms"), 500);
	/* intel_clamp_*: above jiffies_to_msecs(MAX_SCHEDULE_TIMEOUT) */
	CHECK_ERRNO(write_str(CARD "/engine/bcs0/preempt_timeout_ms",
			      "4294967293"), EINVAL);
	CHECK_ERRNO(write_str(CARD "/engine/bcs0/max_busywait_duration_ns",
			      "8000001"), EINVAL);
	CHECK_ERRNO(write_str(CARD "/engine/bcs0/name", "x"), EACCES);
}

/*
 * A batch that loops without MI_ARB_CHECK never lets the heartbeat in:
 * it is declared hung one heartbeat interval after it started.
 */
TEST(the_heartbeat_interval_sets_hang_detection)
{
	const char *hb = CARD "/engine/rcs0/heartbeat_interval_ms";
	uint64_t loop = canonical(GEMU_BATCH_ADDR);
	const uint32_t cmds[4] = { MI_BATCH_BUFFER_START_GEN8, (uint32_t)loop,
				   (uint32_t)(loop >> 32), 0 };
	int fd = open(GEMU_CARD, O_RDWR);
	long saved = read_num(hb);
	char buf[4096];
	uint32_t ctx, b;
	int64_t t0;

	REQUIRE(fd >= 0);
	REQUIRE(saved > 0);
	CHECK_ERRNO(write_str(hb, "4294967293"), EINVAL);
	CHECK_OK(write_str(hb, "200"));
	CHECK_EQ(read_num(hb), 200);
	CHECK_OK(clear_error_state());

	ctx = gem_ctx_create(fd);
	b = gem_create_with(fd, 4096, cmds, sizeof(cmds));
	REQUIRE(ctx && b);
	t0 = gemu_now_ns();
	REQUIRE_OK(gemu_exec_pinned(fd, ctx, I915_EXEC_RENDER, b,
				    GEMU_BATCH_ADDR, NULL, 0));
	CHECK_OK(gem_wait_ns(fd, b, 10 * SEC));
	INFO("hang declared after %.0f ms", (gemu_now_ns() - t0) / 1e6);
	/* well before the default interval */
	CHECK(gemu_now_ns() - t0 < (int64_t)saved * 1000000);
	CHECK(read_at(CARD "/error", buf, sizeof(buf)) > 0);
	CHECK(strncmp(buf, "GPU HANG", 8) == 0);

	snprintf(buf, sizeof(buf), "%ld", saved);
	CHECK_OK(write_str(hb, buf));
	CHECK_OK(clear_error_state());
	gem_close(fd, b);
	close(fd);
}

static int ctx_param(int fd, uint32_t ctx, uint64_t param, uint64_t *value,
		     int set)
{
	struct drm_i915_gem_context_param p = {
		.ctx_id = ctx, .param = param, .value = *value,
	};
	int r = do_ioctl(fd, set ? DRM_IOCTL_I915_GEM_CONTEXT_SETPARAM :
				   DRM_IOCTL_I915_GEM_CONTEXT_GETPARAM, &p);

	*value = p.value;
	return r;
}

/*
 * i915_params/enable_hangcheck off: no context may outlive its close
 * (proto contexts start non-persistent, persistence is EINVAL, and
 * kill_engines cancels even a persistent context's work), and
 * HAS_GPU_RESET says 0 (gem_userptr_blits@nohangcheck).
 */
TEST(without_hangcheck_no_context_outlives_its_close)
{
	const char *param = DEBUGFS "/i915_params/enable_hangcheck";
	struct gemu_spin s;
	uint64_t v = 0;
	int fd = open(GEMU_CARD, O_RDWR), reset = -1;
	uint32_t ctx, ctx2;
	char buf[16];

	REQUIRE(fd >= 0);
	ctx = gem_ctx_create(fd);
	REQUIRE(ctx);
	CHECK_OK(ctx_param(fd, ctx, I915_CONTEXT_PARAM_PERSISTENCE, &v, 0));
	CHECK_EQ(v, 1);
	REQUIRE_OK(gemu_spin_init(fd, &s, GEMU_BATCH_ADDR));
	REQUIRE_OK(gemu_exec_pinned(fd, ctx, I915_EXEC_RENDER, s.handle,
				    GEMU_BATCH_ADDR, NULL, 0));

	CHECK_ERRNO(write_str(param, "maybe"), EINVAL);
	CHECK_OK(write_str(param, "0"));
	CHECK(read_at(param, buf, sizeof(buf)) > 0 && buf[0] == 'N');
	CHECK_OK(getparam(fd, I915_PARAM_HAS_GPU_RESET, &reset));
	CHECK_EQ(reset, 0);
	ctx2 = gem_ctx_create(fd);
	REQUIRE(ctx2);
	v = 1;
	CHECK_OK(ctx_param(fd, ctx2, I915_CONTEXT_PARAM_PERSISTENCE, &v, 0));
	CHECK_EQ(v, 0);
	v = 1;
	CHECK_ERRNO(ctx_param(fd, ctx2, I915_CONTEXT_PARAM_PERSISTENCE, &v, 1),
		    EINVAL);
	/* the persistent context's spinner stops when the context goes */
	CHECK_ERRNO(gem_wait_ns(fd, s.handle, 50000000ll), ETIME);
	CHECK_OK(gem_ctx_destroy(fd, ctx));
	CHECK_OK(gem_wait_ns(fd, s.handle, 2 * SEC));

	CHECK_OK(write_str(param, "Y"));
	CHECK(read_at(param, buf, sizeof(buf)) > 0 && buf[0] == 'Y');
	CHECK_OK(getparam(fd, I915_PARAM_HAS_GPU_RESET, &reset));
	CHECK_EQ(reset, 2);
	gem_ctx_destroy(fd, ctx2);
	gemu_spin_fini(fd, &s);
	clear_error_state();
	close(fd);
}
