/*
 * The i915 PMU as intel_gpu_top and IGT's perf_pmu open it: the type from
 * /sys/bus/event_source/devices/i915/type, each counter's config from
 * events/<name> ("event=0x..."), perf_event_open through glibc's syscall()
 * with pid -1 on a CPU, a group read with PERF_FORMAT_GROUP |
 * PERF_FORMAT_TOTAL_TIME_ENABLED (nr, time enabled, one value per member).
 * An engine's busy counter grows while a spinner runs on it and not while
 * it is idle; another engine's stays 0. Refusals as i915_pmu_event_init and
 * perf's read: an unknown config ENOENT, sampling EOPNOTSUPP, a per-task
 * event EINVAL, a short buffer ENOSPC.
 * Kernel reference: i915_pmu.c (i915_pmu_event_init, engine_event_init,
 * i915_pmu_event_read), kernel/events/core.c (perf_read_group).
 */
#include "gemu_test.h"

#include <linux/perf_event.h>
#include <sys/syscall.h>

#define PMU "/sys/bus/event_source/devices/i915"

static int fd = -1;

static int setup(void)
{
	if (fd < 0)
		fd = open_render();
	return fd >= 0;
}

static uint64_t sysfs_u64(const char *path, const char *prefix)
{
	char buf[64] = { 0 };
	int f = open(path, O_RDONLY);
	ssize_t n;

	if (f < 0)
		return ~0ull;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0 || strncmp(buf, prefix, strlen(prefix)))
		return ~0ull;
	return strtoull(buf + strlen(prefix), NULL, 0);
}

static uint64_t pmu_type(void)
{
	return sysfs_u64(PMU "/type", "");
}

static uint64_t event_config(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), PMU "/events/%s", name);
	return sysfs_u64(path, "event=");
}

/* perf_event_open as igt_perf.c makes it; the fd or -errno. */
static int perf_open(uint64_t config, int group, uint64_t format, int pid,
		     int cpu, uint64_t period)
{
	struct perf_event_attr attr;
	int r;

	memset(&attr, 0, sizeof(attr));
	attr.type = pmu_type();
	attr.size = sizeof(attr);
	attr.config = config;
	attr.read_format = format;
	attr.sample_period = period;
	r = syscall(__NR_perf_event_open, &attr, pid, cpu, group, 0);
	return r < 0 ? -errno : r;
}

static int open_counter(uint64_t config, int group)
{
	uint64_t format = PERF_FORMAT_TOTAL_TIME_ENABLED;

	if (group < 0)
		format |= PERF_FORMAT_GROUP;
	return perf_open(config, group, format, -1, 0, 0);
}

/* A group read of `n` counters: values into v, time enabled returned. */
static uint64_t read_group(int leader, unsigned int n, uint64_t *v)
{
	uint64_t buf[2 + 8];
	ssize_t len = read(leader, buf, (2 + n) * sizeof(uint64_t));

	if (len != (ssize_t)((2 + n) * sizeof(uint64_t)) || buf[0] != n)
		return 0;
	memcpy(v, buf + 2, n * sizeof(uint64_t));
	return buf[1];
}

TEST(the_pmu_is_in_sysfs)
{
	CHECK(pmu_type() != ~0ull && pmu_type() != 0);
	CHECK_EQ(event_config("rcs0-busy"), I915_PMU_ENGINE_BUSY(0, 0));
	CHECK_EQ(event_config("bcs0-busy"), I915_PMU_ENGINE_BUSY(1, 0));
	CHECK_EQ(event_config("vecs0-busy"), I915_PMU_ENGINE_BUSY(3, 0));
	CHECK_EQ(event_config("actual-frequency"), I915_PMU_ACTUAL_FREQUENCY);
	CHECK_EQ(event_config("interrupts"), I915_PMU_INTERRUPTS);
	CHECK_EQ(sysfs_u64("/sys/devices/i915/cpumask", ""), 0);
}

TEST(what_the_pmu_refuses)
{
	uint64_t busy = I915_PMU_ENGINE_BUSY(0, 0);
	uint64_t small;
	int e;

	/* a counter gemu does not keep, or no counter at all */
	CHECK_EQ(perf_open(I915_PMU_RC6_RESIDENCY, -1, 0, -1, 0, 0), -ENOENT);
	CHECK_EQ(perf_open(I915_PMU_ENGINE_BUSY(9, 0), -1, 0, -1, 0, 0), -ENOENT);
	/* sampling, per-task events, a read format perf_read_group has not here */
	CHECK_EQ(perf_open(busy, -1, 0, -1, 0, 1000), -EOPNOTSUPP);
	CHECK_EQ(perf_open(busy, -1, 0, 0, -1, 0), -EINVAL);
	CHECK_EQ(perf_open(busy, -1, PERF_FORMAT_ID, -1, 0, 0), -EINVAL);
	/* a group leader that is not one of the PMU's events */
	CHECK_EQ(perf_open(busy, 0, 0, -1, 0, 0), -EINVAL);

	e = perf_open(busy, -1, PERF_FORMAT_TOTAL_TIME_ENABLED, -1, 0, 0);
	CHECK(e >= 0);
	if (e < 0)
		return;
	/* value and time enabled: 16 bytes, 8 are too few */
	CHECK_EQ(read(e, &small, sizeof(small)), -1);
	CHECK_EQ(errno, ENOSPC);
	close(e);
	/* the number reused by another file reads that file, not the PMU */
	CHECK_EQ(open("/dev/null", O_RDONLY), e);
	CHECK_EQ(read(e, &small, sizeof(small)), 0);
	close(e);
}

TEST(busy_grows_while_the_engine_runs)
{
	struct gemu_spin s;
	uint64_t v[3], w[3], t0, t1;
	int leader, i;

	REQUIRE(setup());
	leader = open_counter(I915_PMU_ENGINE_BUSY(0, 0), -1);
	REQUIRE(leader >= 0);
	CHECK(open_counter(I915_PMU_ENGINE_BUSY(1, 0), leader) >= 0);
	CHECK(open_counter(I915_PMU_INTERRUPTS, leader) >= 0);
	t0 = read_group(leader, 3, v);
	CHECK(t0 > 0);

	REQUIRE_OK(gemu_spin_init(fd, &s, GEMU_BATCH_ADDR));
	REQUIRE_OK(gemu_exec_pinned(fd, 0, I915_EXEC_RENDER, s.handle,
				    GEMU_BATCH_ADDR, NULL, 0));
	/* the spinner starts soon; the watchdog bounds the wait */
	for (i = 0; i < 500; i++) {
		t1 = read_group(leader, 3, w);
		if (w[0] > v[0])
			break;
		usleep(10000);
	}
	CHECK(w[0] > v[0]);
	/* busy time cannot exceed the time counted */
	CHECK(w[0] <= t1);
	CHECK_EQ(w[1], 0);

	gemu_spin_end(&s);
	CHECK_OK(gem_wait_ns(fd, s.handle, 5 * 1000000000ll));
	t0 = read_group(leader, 3, v);
	usleep(20000);
	t1 = read_group(leader, 3, w);
	INFO("rcs0 busy %.1f ms of %.1f ms", v[0] / 1e6, t0 / 1e6);
	/* idle: busy stands still; the request's completion is one interrupt */
	CHECK(t1 > t0);
	CHECK_EQ(w[0], v[0]);
	CHECK(w[2] >= 1);
	gemu_spin_fini(fd, &s);
	close(leader);
}

TEST(a_lone_counter_reads_value_then_time)
{
	uint64_t buf[2];
	int e = perf_open(I915_PMU_REQUESTED_FREQUENCY, -1,
			  PERF_FORMAT_TOTAL_TIME_ENABLED, -1, 0, 0);

	REQUIRE(e >= 0);
	usleep(1000);
	CHECK_EQ(read(e, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	/* MHz integrated over the time enabled: at most RP0 (1300 MHz) each s */
	CHECK(buf[1] > 0);
	CHECK(buf[0] <= 1300 * (buf[1] / 1000000000 + 1));
	close(e);
}
