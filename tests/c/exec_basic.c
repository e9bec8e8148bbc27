/*
 * Batches that run: MI_BATCH_BUFFER_END on every engine, stores, copies,
 * registers and MI_MATH, batch_start_offset, chained and second-level
 * batches, and GEM_BUSY's engine bits while a batch runs.
 * Kernel reference: i915_gem_do_execbuffer (gem/i915_gem_execbuffer.c),
 * i915_gem_busy_ioctl / busy_check_writer / busy_check_reader
 * (gem/i915_gem_busy.c), i915_gem_wait_ioctl (gem/i915_gem_wait.c),
 * command encodings in gt/intel_gpu_commands.h (Bspec MI commands);
 * IGT gem_exec_basic, gem_exec_store, gem_exec_nop, gem_busy.
 * A full ring: eb_throttle / eb_pin_engine; IGT gem_measure_ring_inflight.
 */
#include "gemu_test.h"

#include <signal.h>
#include <sys/time.h>

GEMU_WATCHDOG(50)

#define SEC 1000000000ll
#define TARGET 0x400000ull /* where the target objects are softpinned */

static int fd = -1;

static int setup(void)
{
	if (fd < 0)
		fd = open_render();
	return fd >= 0;
}

static uint32_t bbe_object(void)
{
	static const uint32_t cmd[2] = { MI_BATCH_BUFFER_END, MI_NOOP };

	return gem_create_with(fd, 4096, cmd, sizeof(cmd));
}

TEST(bb_end_on_every_engine)
{
	static const uint64_t rings[] = { I915_EXEC_DEFAULT, I915_EXEC_RENDER,
					  I915_EXEC_BLT, I915_EXEC_BSD,
					  I915_EXEC_VEBOX };
	unsigned int i;
	uint32_t b;

	REQUIRE(setup());
	b = bbe_object();
	REQUIRE(b);
	for (i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		struct drm_i915_gem_exec_object2 o = { .handle = b };
		struct drm_i915_gem_execbuffer2 eb;

		gemu_eb_init(&eb, &o, 1, rings[i], 0);
		if (!CHECK_OK(gemu_execbuf(fd, &eb)))
			INFO("ring %" PRIu64, rings[i]);
		CHECK_OK(gem_wait_ns(fd, b, 2 * SEC));
		/* i915_gem_busy_ioctl: idle once the request completed */
		CHECK_EQ(gem_busy_word(fd, b), 0);
	}
	{
		struct drm_i915_gem_exec_object2 o = { .handle = b };
		struct drm_i915_gem_execbuffer2 eb;

		/* eb_select_legacy_ring: no ring 5 (user_ring_map) */
		gemu_eb_init(&eb, &o, 1, I915_EXEC_VEBOX + 1, 0);
		CHECK_ERRNO(gemu_execbuf(fd, &eb), EINVAL);
	}
	gem_close(fd, b);
}

TEST(many_in_a_row)
{
	struct drm_i915_gem_exec_object2 o = { 0 };
	struct drm_i915_gem_execbuffer2 eb;
	int i, failed = 0;
	int64_t t0;

	REQUIRE(setup());
	o.handle = bbe_object();
	REQUIRE(o.handle);
	t0 = gemu_now_ns();
	for (i = 0; i < 1000; i++) {
		gemu_eb_init(&eb, &o, 1,
			     (i & 1) ? I915_EXEC_BLT : I915_EXEC_RENDER, 0);
		failed += gemu_execbuf(fd, &eb) != 0;
	}
	CHECK_EQ(failed, 0);
	CHECK_OK(gem_wait_ns(fd, o.handle, 10 * SEC));
	CHECK_EQ(gem_busy_word(fd, o.handle), 0);
	INFO("1000 empty batches in %.1f ms",
	     (gemu_now_ns() - t0) / 1e6);
	gem_close(fd, o.handle);
}

/* MI_STORE_DWORD_IMM (Gen8: 64-bit address) of `v` to `addr`. */
static uint32_t *emit_sdi(uint32_t *cs, uint64_t addr, uint32_t v)
{
	*cs++ = MI_STORE_DWORD_IMM_GEN8;
	*cs++ = (uint32_t)addr;
	*cs++ = (uint32_t)(addr >> 32);
	*cs++ = v;
	return cs;
}

TEST(store_dword_relocated)
{
	uint32_t cmds[64], *cs = cmds, t, b, *map;
	struct drm_i915_gem_relocation_entry r[4];
	struct drm_i915_gem_exec_object2 o[2];
	struct drm_i915_gem_execbuffer2 eb;
	int i;

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	REQUIRE(t);
	memset(r, 0, sizeof(r));
	for (i = 0; i < 4; i++) {
		r[i].offset = (cs - cmds + 1) * 4;
		r[i].target_handle = t;
		r[i].delta = 16 * i + 4;
		r[i].presumed_offset = ~0ull;
		r[i].read_domains = I915_GEM_DOMAIN_INSTRUCTION;
		r[i].write_domain = I915_GEM_DOMAIN_INSTRUCTION;
		cs = emit_sdi(cs, 0, 0xc0de0000 + i);
	}
	*cs++ = MI_BATCH_BUFFER_END;
	b = gem_create_with(fd, 4096, cmds, (cs - cmds) * 4);
	REQUIRE(b);
	memset(o, 0, sizeof(o));
	o[0].handle = t;
	o[1].handle = b;
	o[1].relocs_ptr = (uintptr_t)r;
	o[1].relocation_count = 4;
	gemu_eb_init(&eb, o, 2, I915_EXEC_RENDER, 0);
	REQUIRE_OK(gemu_execbuf(fd, &eb));
	/* a relocated write marks the target written: BUSY or idle */
	CHECK_OK(gem_wait_ns(fd, t, 5 * SEC));
	for (i = 0; i < 4; i++)
		CHECK_EQ(gem_read32(fd, t, 16 * i + 4), 0xc0de0000 + i);
	CHECK_EQ(gem_read32(fd, t, 0), 0);
	/* eb_relocate_vma writes the target's address back, canonical */
	CHECK_EQ(r[0].presumed_offset, o[0].offset);
	/* the same result through a CPU mapping (LLC: WB is coherent) */
	map = gem_mmap_type(fd, t, 4096, I915_MMAP_OFFSET_WB);
	CHECK(map != NULL);
	if (map) {
		CHECK_EQ(map[1], 0xc0de0000);
		CHECK_EQ(map[13], 0xc0de0003);
		munmap(map, 4096);
	}
	gem_close(fd, b);
	gem_close(fd, t);
}

TEST(store_dword_softpinned)
{
	static const uint64_t addrs[] = { TARGET, 1ull << 32, 1ull << 40,
					  (1ull << 47) - 8192,
					  /* the upper half: canonical form */
					  1ull << 47, (1ull << 48) - 4096 };
	uint32_t cmds[16], *cs, t, *map;
	unsigned int i;

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	REQUIRE(t);
	map = gem_mmap_type(fd, t, 4096, I915_MMAP_OFFSET_WC);
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		struct gemu_pin p = { t, addrs[i], EXEC_OBJECT_WRITE };

		cs = emit_sdi(cmds, canonical(addrs[i]) + 8 * i, 0xabc00 + i);
		*cs++ = MI_BATCH_BUFFER_END;
		if (!CHECK_OK(gemu_exec_cmds(fd, 0, I915_EXEC_RENDER, cmds,
					     (cs - cmds) * 4, &p, 1)))
			INFO("target at 0x%" PRIx64, addrs[i]);
		CHECK_EQ(gem_read32(fd, t, 8 * i), 0xabc00 + i);
		if (map)
			CHECK_EQ(map[2 * i], 0xabc00 + i);
	}
	/* the qword form (bit 21, one more dword) on the blitter */
	{
		struct gemu_pin p = { t, TARGET, EXEC_OBJECT_WRITE };

		cs = cmds;
		*cs++ = MI_STORE_QWORD_IMM_GEN8;
		*cs++ = (uint32_t)(TARGET + 256);
		*cs++ = 0;
		*cs++ = 0x11223344;
		*cs++ = 0x55667788;
		*cs++ = MI_BATCH_BUFFER_END;
		CHECK_OK(gemu_exec_cmds(fd, 0, I915_EXEC_BLT, cmds,
					(cs - cmds) * 4, &p, 1));
		CHECK_EQ(gem_read32(fd, t, 256), 0x11223344);
		CHECK_EQ(gem_read32(fd, t, 260), 0x55667788);
	}
	if (map)
		munmap(map, 4096);
	gem_close(fd, t);
}

TEST(unbound_addresses_hit_the_scratch_page)
{
	uint32_t cmds[16], *cs = cmds, t;
	struct gemu_pin p;
	struct drm_i915_reset_stats rs = { 0 };

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	REQUIRE(t);
	p = (struct gemu_pin){ t, TARGET, EXEC_OBJECT_WRITE };
	/*
	 * gen8_init_scratch: every PTE of a ppGTT with nothing bound points
	 * at a scratch page, so a stray store or read completes (the store
	 * is lost) instead of faulting: no hang, nothing counted.
	 */
	cs = emit_sdi(cs, 0x3ff00000000ull, 0xdead);
	*cs++ = MI_COPY_MEM_MEM;
	*cs++ = (uint32_t)(TARGET + 64);
	*cs++ = 0;
	*cs++ = 0x00000000;
	*cs++ = 0x3ff;
	cs = emit_sdi(cs, TARGET, 0x600d);
	*cs++ = MI_BATCH_BUFFER_END;
	CHECK_OK(gemu_exec_cmds(fd, 0, I915_EXEC_RENDER, cmds, (cs - cmds) * 4,
				&p, 1));
	CHECK_EQ(gem_read32(fd, t, 0), 0x600d);
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GET_RESET_STATS, &rs));
	CHECK_EQ(rs.batch_active, 0);
	gem_close(fd, t);
}

TEST(post_sync_writes)
{
	uint32_t cmds[32], *cs = cmds, t;
	struct gemu_pin p;
	uint64_t ts0, ts1;

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	REQUIRE(t);
	p = (struct gemu_pin){ t, TARGET, EXEC_OBJECT_WRITE };
	/* MI_FLUSH_DW, post-sync op "store dword" (bit 14), ppGTT address */
	*cs++ = MI_FLUSH_DW_GEN8 | (1u << 14);
	*cs++ = (uint32_t)(TARGET + 0);
	*cs++ = 0;
	*cs++ = 0xf1a5;
	*cs++ = MI_BATCH_BUFFER_END;
	CHECK_OK(gemu_exec_cmds(fd, 0, I915_EXEC_BLT, cmds, (cs - cmds) * 4,
				&p, 1));
	CHECK_EQ(gem_read32(fd, t, 0), 0xf1a5);

	/*
	 * PIPE_CONTROL (6 dwords) with CS stall: post-sync "write immediate"
	 * (qword), then two "write timestamp" a store apart
	 */
	cs = cmds;
	*cs++ = (3u << 29) | (3u << 27) | (2u << 24) | 4;
	*cs++ = (1u << 20) | (1u << 14);
	*cs++ = (uint32_t)(TARGET + 64);
	*cs++ = 0;
	*cs++ = 0x12345678;
	*cs++ = 0x9abcdef0;
	*cs++ = (3u << 29) | (3u << 27) | (2u << 24) | 4;
	*cs++ = (1u << 20) | (3u << 14);
	*cs++ = (uint32_t)(TARGET + 128);
	*cs++ = 0;
	*cs++ = 0;
	*cs++ = 0;
	cs = emit_sdi(cs, TARGET + 256, 1);
	*cs++ = (3u << 29) | (3u << 27) | (2u << 24) | 4;
	*cs++ = (1u << 20) | (3u << 14);
	*cs++ = (uint32_t)(TARGET + 136);
	*cs++ = 0;
	*cs++ = 0;
	*cs++ = 0;
	*cs++ = MI_BATCH_BUFFER_END;
	CHECK_OK(gemu_exec_cmds(fd, 0, I915_EXEC_RENDER, cmds, (cs - cmds) * 4,
				&p, 1));
	CHECK_EQ(gem_read32(fd, t, 64), 0x12345678);
	CHECK_EQ(gem_read32(fd, t, 68), 0x9abcdef0);
	ts0 = gem_read32(fd, t, 128) | (uint64_t)gem_read32(fd, t, 132) << 32;
	ts1 = gem_read32(fd, t, 136) | (uint64_t)gem_read32(fd, t, 140) << 32;
	/* the CS timestamp runs (19.2 MHz on TGL) and does not go back */
	CHECK(ts0 != 0);
	CHECK(ts1 >= ts0);
	gem_close(fd, t);
}

struct ender {
	uint32_t *word;
	useconds_t after;
};

static void *end_later(void *arg)
{
	struct ender *e = arg;

	usleep(e->after);
	*e->word = MI_BATCH_BUFFER_END;
	__sync_synchronize();
	return NULL;
}

TEST(cpu_access_waits_for_the_gpu)
{
	struct gemu_spin spin;
	struct gemu_pin p;
	struct drm_i915_gem_set_domain sd = { 0 };
	struct ender e;
	pthread_t th;
	uint32_t t, cmds[8], *cs = cmds, v = 0;
	int64_t t0;

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	REQUIRE(t);
	REQUIRE_OK(gemu_spin_init(fd, &spin, GEMU_BATCH_ADDR + 0x200000));
	/* a spinner, then (same context and engine) a store into t */
	REQUIRE_OK(gemu_exec_pinned(fd, 0, I915_EXEC_RENDER, spin.handle,
				    spin.addr, NULL, 0));
	p = (struct gemu_pin){ t, TARGET, EXEC_OBJECT_WRITE };
	cs = emit_sdi(cs, TARGET, 0x5e7);
	*cs++ = MI_BATCH_BUFFER_END;
	{
		uint32_t b = gem_create_with(fd, 4096, cmds, (cs - cmds) * 4);

		REQUIRE(b);
		REQUIRE_OK(gemu_exec_pinned(fd, 0, I915_EXEC_RENDER, b,
					    GEMU_BATCH_ADDR, &p, 1));
		gem_close(fd, b);
	}
	/*
	 * i915_gem_set_domain_ioctl and i915_gem_pread_ioctl wait for the
	 * pending GPU write (i915_gem_object_wait) before touching pages
	 */
	e = (struct ender){ &spin.map[16], 200000 };
	REQUIRE(pthread_create(&th, NULL, end_later, &e) == 0);
	t0 = gemu_now_ns();
	sd.handle = t;
	sd.read_domains = I915_GEM_DOMAIN_CPU;
	sd.write_domain = I915_GEM_DOMAIN_CPU;
	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GEM_SET_DOMAIN, &sd));
	CHECK(gemu_now_ns() - t0 >= 150000000);
	pthread_join(th, NULL);
	CHECK_EQ(gem_read32(fd, t, 0), 0x5e7);

	/* pread alone, too */
	gemu_spin_arm(&spin);
	REQUIRE_OK(gemu_exec_pinned(fd, 0, I915_EXEC_RENDER, spin.handle,
				    spin.addr, NULL, 0));
	cmds[3] = 0x5e8;
	{
		uint32_t b = gem_create_with(fd, 4096, cmds, (cs - cmds) * 4);

		REQUIRE(b);
		REQUIRE_OK(gemu_exec_pinned(fd, 0, I915_EXEC_RENDER, b,
					    GEMU_BATCH_ADDR, &p, 1));
		gem_close(fd, b);
	}
	REQUIRE(pthread_create(&th, NULL, end_later, &e) == 0);
	t0 = gemu_now_ns();
	CHECK_OK(gem_pread(fd, t, 0, &v, 4));
	CHECK(gemu_now_ns() - t0 >= 150000000);
	CHECK_EQ(v, 0x5e8);
	pthread_join(th, NULL);
	gemu_spin_fini(fd, &spin);
	gem_close(fd, t);
}

TEST(store_data_index)
{
	/*
	 * MI_STORE_DATA_INDEX writes into the engine's hardware status page,
	 * which no uAPI exposes to user space (the kernel uses it for its
	 * own breadcrumbs): nothing a client could check.
	 */
	SKIP("MI_STORE_DATA_INDEX targets the HWSP, not visible to clients");
}

TEST(copy_mem_mem)
{
	uint32_t cmds[16], *cs = cmds, t;
	const uint32_t src[2] = { 0x600df00d, 0x12345678 };
	struct gemu_pin p;

	REQUIRE(setup());
	t = gem_create_with(fd, 8192, src, sizeof(src));
	REQUIRE(t);
	p = (struct gemu_pin){ t, TARGET, EXEC_OBJECT_WRITE };
	/* MI_COPY_MEM_MEM: destination first, then source (ppGTT, no bit 22) */
	*cs++ = MI_COPY_MEM_MEM;
	*cs++ = (uint32_t)(TARGET + 4096);
	*cs++ = 0;
	*cs++ = (uint32_t)TARGET;
	*cs++ = 0;
	*cs++ = MI_COPY_MEM_MEM;
	*cs++ = (uint32_t)(TARGET + 4100);
	*cs++ = 0;
	*cs++ = (uint32_t)(TARGET + 4);
	*cs++ = 0;
	*cs++ = MI_BATCH_BUFFER_END;
	CHECK_OK(gemu_exec_cmds(fd, 0, I915_EXEC_RENDER, cmds, (cs - cmds) * 4,
				&p, 1));
	CHECK_EQ(gem_read32(fd, t, 4096), 0x600df00d);
	CHECK_EQ(gem_read32(fd, t, 4100), 0x12345678);
	gem_close(fd, t);
}

static uint32_t *emit_lri(uint32_t *cs, uint32_t reg, uint32_t v)
{
	*cs++ = MI_LOAD_REGISTER_IMM_1;
	*cs++ = reg;
	*cs++ = v;
	return cs;
}

static uint32_t *emit_srm(uint32_t *cs, uint32_t reg, uint64_t addr)
{
	*cs++ = MI_STORE_REGISTER_MEM_GEN8;
	*cs++ = reg;
	*cs++ = (uint32_t)addr;
	*cs++ = (uint32_t)(addr >> 32);
	return cs;
}

TEST(registers_lri_lrm_srm)
{
	static const struct { uint64_t ring; uint32_t base; } e[] = {
		{ I915_EXEC_RENDER, RCS_MMIO_BASE },
		{ I915_EXEC_BLT, BCS_MMIO_BASE },
	};
	unsigned int i;
	uint32_t t;

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	REQUIRE(t);
	for (i = 0; i < 2; i++) {
		uint32_t cmds[64], *cs = cmds, in = 0x5eed0000 + i;
		struct gemu_pin p = { t, TARGET, EXEC_OBJECT_WRITE };
		uint32_t gpr0 = CS_GPR(e[i].base, 0), gpr3 = CS_GPR(e[i].base, 3);

		REQUIRE_OK(gem_pwrite(fd, t, 512, &in, 4));
		cs = emit_lri(cs, gpr0, 0x12345678);
		cs = emit_lri(cs, gpr0 + 4, 0x9abcdef0);
		cs = emit_srm(cs, gpr0, TARGET + 0);
		cs = emit_srm(cs, gpr0 + 4, TARGET + 4);
		/* MI_LOAD_REGISTER_MEM: GPR3 low from memory, back out */
		*cs++ = MI_LOAD_REGISTER_MEM_GEN8;
		*cs++ = gpr3;
		*cs++ = (uint32_t)(TARGET + 512);
		*cs++ = 0;
		cs = emit_srm(cs, gpr3, TARGET + 8);
		*cs++ = MI_BATCH_BUFFER_END;
		if (!CHECK_OK(gemu_exec_cmds(fd, 0, e[i].ring, cmds,
					     (cs - cmds) * 4, &p, 1)))
			INFO("ring %" PRIu64, e[i].ring);
		CHECK_EQ(gem_read32(fd, t, 0), 0x12345678);
		CHECK_EQ(gem_read32(fd, t, 4), 0x9abcdef0);
		CHECK_EQ(gem_read32(fd, t, 8), in);
	}
	gem_close(fd, t);
}

TEST(mi_math_add)
{
	const uint32_t base = RCS_MMIO_BASE;
	uint32_t cmds[64], *cs = cmds, t;
	struct gemu_pin p;

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	REQUIRE(t);
	p = (struct gemu_pin){ t, TARGET, EXEC_OBJECT_WRITE };
	/* R0 = 0x00000001_ffffffff, R1 = 0x00000002_00000003 */
	cs = emit_lri(cs, CS_GPR(base, 0), 0xffffffff);
	cs = emit_lri(cs, CS_GPR(base, 0) + 4, 0x00000001);
	cs = emit_lri(cs, CS_GPR(base, 1), 0x00000003);
	cs = emit_lri(cs, CS_GPR(base, 1) + 4, 0x00000002);
	/* R2 = R0 + R1 (64-bit, carry out of the low half); R4 = R0 - R1 */
	*cs++ = MI_MATH(8);
	*cs++ = MI_MATH_ALU(0x080, 0x20, 0);    /* LOAD SRCA, R0 */
	*cs++ = MI_MATH_ALU(0x080, 0x21, 1);    /* LOAD SRCB, R1 */
	*cs++ = MI_MATH_ALU(0x100, 0, 0);       /* ADD */
	*cs++ = MI_MATH_ALU(0x180, 2, 0x31);    /* STORE R2, ACCU */
	*cs++ = MI_MATH_ALU(0x080, 0x20, 0);    /* LOAD SRCA, R0 */
	*cs++ = MI_MATH_ALU(0x080, 0x21, 1);    /* LOAD SRCB, R1 */
	*cs++ = MI_MATH_ALU(0x101, 0, 0);       /* SUB */
	*cs++ = MI_MATH_ALU(0x180, 4, 0x31);    /* STORE R4, ACCU */
	cs = emit_srm(cs, CS_GPR(base, 2), TARGET + 0);
	cs = emit_srm(cs, CS_GPR(base, 2) + 4, TARGET + 4);
	cs = emit_srm(cs, CS_GPR(base, 4), TARGET + 8);
	cs = emit_srm(cs, CS_GPR(base, 4) + 4, TARGET + 12);
	*cs++ = MI_BATCH_BUFFER_END;
	CHECK_OK(gemu_exec_cmds(fd, 0, I915_EXEC_RENDER, cmds, (cs - cmds) * 4,
				&p, 1));
	/* 0x1_ffffffff + 0x2_00000003 = 0x4_00000002 */
	CHECK_EQ(gem_read32(fd, t, 0), 0x00000002);
	CHECK_EQ(gem_read32(fd, t, 4), 0x00000004);
	/* 0x1_ffffffff - 0x2_00000003 = 0xffffffff_fffffffc */
	CHECK_EQ(gem_read32(fd, t, 8), 0xfffffffc);
	CHECK_EQ(gem_read32(fd, t, 12), 0xffffffff);
	gem_close(fd, t);
}

TEST(batch_start_offset)
{
	uint32_t cmds[32] = { 0 }, t, b;
	struct gemu_pin p;
	struct drm_i915_gem_exec_object2 o[2];
	struct drm_i915_gem_execbuffer2 eb;

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	REQUIRE(t);
	p = (struct gemu_pin){ t, TARGET, EXEC_OBJECT_WRITE };
	emit_sdi(cmds, TARGET, 0xaaaa);
	cmds[4] = MI_BATCH_BUFFER_END;
	emit_sdi(cmds + 16, TARGET + 4, 0xbbbb);
	cmds[20] = MI_BATCH_BUFFER_END;
	b = gem_create_with(fd, 4096, cmds, sizeof(cmds));
	REQUIRE(b);
	memset(o, 0, sizeof(o));
	o[0].handle = t;
	o[0].offset = TARGET;
	o[0].flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_WRITE;
	o[1].handle = b;
	gemu_eb_init(&eb, o, 2, I915_EXEC_RENDER, 0);
	/* emit_bb_start: the batch starts at vma offset + batch_start_offset */
	eb.batch_start_offset = 64;
	REQUIRE_OK(gemu_execbuf(fd, &eb));
	CHECK_OK(gem_wait_ns(fd, t, 5 * SEC));
	CHECK_EQ(gem_read32(fd, t, 0), 0);
	CHECK_EQ(gem_read32(fd, t, 4), 0xbbbb);
	(void)p;
	gem_close(fd, b);
	gem_close(fd, t);
}

TEST(chained_and_second_level)
{
	const uint64_t second = GEMU_BATCH_ADDR + 0x100000;
	uint32_t cmds[32], sub[16], *cs, t, s;
	struct gemu_pin p[2];

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	cs = emit_sdi(sub, TARGET + 0, 0x5ec0);
	*cs++ = MI_BATCH_BUFFER_END;
	s = gem_create_with(fd, 4096, sub, (cs - sub) * 4);
	REQUIRE(t && s);
	p[0] = (struct gemu_pin){ t, TARGET, EXEC_OBJECT_WRITE };
	p[1] = (struct gemu_pin){ s, second, 0 };

	/* second level: the sub-batch's BB_END returns after the call */
	cs = cmds;
	*cs++ = MI_BATCH_BUFFER_START_GEN8 | MI_BBS_SECOND_LEVEL;
	*cs++ = (uint32_t)second;
	*cs++ = (uint32_t)(second >> 32);
	cs = emit_sdi(cs, TARGET + 4, 0xf1257);
	*cs++ = MI_BATCH_BUFFER_END;
	CHECK_OK(gemu_exec_cmds(fd, 0, I915_EXEC_RENDER, cmds, (cs - cmds) * 4,
				p, 2));
	CHECK_EQ(gem_read32(fd, t, 0), 0x5ec0);
	CHECK_EQ(gem_read32(fd, t, 4), 0xf1257);

	/* chained (first level): its BB_END ends the whole batch */
	REQUIRE_OK(gem_pwrite(fd, t, 0, "\0\0\0\0\0\0\0\0", 8));
	cs = cmds;
	*cs++ = MI_BATCH_BUFFER_START_GEN8;
	*cs++ = (uint32_t)second;
	*cs++ = (uint32_t)(second >> 32);
	cs = emit_sdi(cs, TARGET + 4, 0xbad);
	*cs++ = MI_BATCH_BUFFER_END;
	CHECK_OK(gemu_exec_cmds(fd, 0, I915_EXEC_BLT, cmds, (cs - cmds) * 4,
				p, 2));
	CHECK_EQ(gem_read32(fd, t, 0), 0x5ec0);
	CHECK_EQ(gem_read32(fd, t, 4), 0);
	gem_close(fd, s);
	gem_close(fd, t);
}

/*
 * A batch that loops at byte 64 (MI_ARB_CHECK; MI_BATCH_BUFFER_START back
 * to 64) until the CPU writes MI_BATCH_BUFFER_END at 64 through `*map`.
 */
static uint32_t loop_batch(uint64_t addr, uint32_t **map)
{
	uint32_t b = gem_create(fd, 4096), *m;

	if (!b)
		return 0;
	m = gem_mmap_type(fd, b, 4096, I915_MMAP_OFFSET_WC);
	if (!m) {
		gem_close(fd, b);
		return 0;
	}
	m[16] = MI_ARB_CHECK;
	m[17] = MI_BATCH_BUFFER_START_GEN8;
	m[18] = (uint32_t)(addr + 64);
	m[19] = (uint32_t)((addr + 64) >> 32);
	m[0] = MI_BATCH_BUFFER_START_GEN8; /* jump into the loop */
	m[1] = (uint32_t)(addr + 64);
	m[2] = (uint32_t)((addr + 64) >> 32);
	*map = m;
	return b;
}

TEST(busy_engine_bits)
{
	const uint64_t ra = GEMU_BATCH_ADDR, ba = GEMU_BATCH_ADDR + 0x10000;
	uint32_t *rmap = NULL, *bmap = NULL, rb, bb, w, shared;
	struct gemu_pin rp[2], bp[2];

	REQUIRE(setup());
	rb = loop_batch(ra, &rmap);
	bb = loop_batch(ba, &bmap);
	w = gem_create(fd, 4096);
	shared = gem_create(fd, 4096);
	REQUIRE(rb && bb && w && shared);
	rp[0] = (struct gemu_pin){ w, TARGET, EXEC_OBJECT_WRITE };
	rp[1] = (struct gemu_pin){ shared, TARGET + 0x10000, 0 };
	bp[0] = (struct gemu_pin){ shared, TARGET + 0x10000, 0 };

	REQUIRE_OK(gemu_exec_pinned(fd, 0, I915_EXEC_RENDER, rb, ra, rp, 2));
	REQUIRE_OK(gemu_exec_pinned(fd, 0, I915_EXEC_BLT, bb, ba, bp, 1));
	usleep(20000);
	/*
	 * i915_gem_busy_ioctl: a reader sets 0x10000 << uabi class in the
	 * high half; a writer also puts class + 1 in the low half.
	 * rcs0 is class 0, bcs0 class 1.
	 */
	CHECK_EQ(gem_busy_word(fd, rb), 0x10000);
	CHECK_EQ(gem_busy_word(fd, bb), 0x20000);
	CHECK_EQ(gem_busy_word(fd, w), 0x10001);
	CHECK_EQ(gem_busy_word(fd, shared), 0x30000);
	/* i915_gem_wait_ioctl: a zero timeout on a busy object -> ETIME */
	CHECK_ERRNO(gem_wait_ns(fd, w, 0), ETIME);
	CHECK_ERRNO(gem_wait_ns(fd, shared, 10000000), ETIME);

	/* end both loops from the CPU; the engines re-read the batch */
	rmap[16] = MI_BATCH_BUFFER_END;
	bmap[16] = MI_BATCH_BUFFER_END;
	__sync_synchronize();
	CHECK_OK(gem_wait_ns(fd, rb, 5 * SEC));
	CHECK_OK(gem_wait_ns(fd, bb, 5 * SEC));
	CHECK_EQ(gem_busy_word(fd, shared), 0);
	CHECK_EQ(gem_busy_word(fd, w), 0);

	/* a writer on the blitter: class 1 + 1 in the low half */
	bmap[16] = MI_ARB_CHECK;
	bp[0].flags = EXEC_OBJECT_WRITE;
	REQUIRE_OK(gemu_exec_pinned(fd, 0, I915_EXEC_BLT, bb, ba, bp, 1));
	usleep(20000);
	CHECK_EQ(gem_busy_word(fd, shared), 0x20002);
	bmap[16] = MI_BATCH_BUFFER_END;
	__sync_synchronize();
	CHECK_OK(gem_wait_ns(fd, shared, 5 * SEC));
	CHECK_EQ(gem_busy_word(fd, shared), 0);

	munmap(rmap, 4096);
	munmap(bmap, 4096);
	gem_close(fd, rb);
	gem_close(fd, bb);
	gem_close(fd, w);
	gem_close(fd, shared);
}

TEST(a_timed_out_wait_reads_zero_time_left)
{
	struct gemu_spin spin;
	struct drm_i915_gem_wait w = { 0 };

	REQUIRE(setup());
	REQUIRE_OK(gemu_spin_init(fd, &spin, GEMU_BATCH_ADDR + 0x200000));
	REQUIRE_OK(gemu_exec_pinned(fd, 0, I915_EXEC_RENDER, spin.handle,
				    spin.addr, NULL, 0));
	/*
	 * drm_ioctl copies the struct back also when the handler fails:
	 * i915_gem_wait_ioctl's ETIME leaves timeout_ns at 0 (IGT gem_wait
	 * checks it). Through the shim, as IGT runs.
	 */
	w.bo_handle = spin.handle;
	w.timeout_ns = 20000000;
	CHECK_ERRNO(do_ioctl(fd, DRM_IOCTL_I915_GEM_WAIT, &w), ETIME);
	CHECK_EQ(w.timeout_ns, 0);
	gemu_spin_end(&spin);
	CHECK_OK(gem_wait_ns(fd, spin.handle, 5000000000ll));
	gemu_spin_fini(fd, &spin);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Requests stuck behind a spinner fill the context's 16 KiB ring; the next
 * execbuf then sleeps for space, interruptibly: a signal ends it with
 * EINTR (gem_measure_ring_inflight's way of finding the ring size).
 */
TEST(a_full_ring_blocks_execbuf_until_a_signal)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval itv = { .it_interval = { 0, 1000 },
				 .it_value = { 0, 10000 } };
	struct gemu_spin s;
	int count = 0, err = 0;
	uint32_t ctx, b;

	REQUIRE(setup());
	ctx = gem_ctx_create(fd);
	b = bbe_object();
	REQUIRE(ctx && b);
	REQUIRE_OK(gemu_spin_init(fd, &s, GEMU_BATCH_ADDR));
	REQUIRE_OK(gemu_exec_pinned(fd, ctx, I915_EXEC_RENDER, s.handle,
				    GEMU_BATCH_ADDR, NULL, 0));
	sigaction(SIGALRM, &sa, &old);
	setitimer(ITIMER_REAL, &itv, NULL);
	while (count < 10000) {
		struct drm_i915_gem_exec_object2 o = { .handle = b };
		struct drm_i915_gem_execbuffer2 eb;

		gemu_eb_init(&eb, &o, 1, I915_EXEC_RENDER, ctx);
		err = raw_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &eb);
		if (err)
			break;
		count++;
	}
	memset(&itv, 0, sizeof(itv));
	setitimer(ITIMER_REAL, &itv, NULL);
	sigaction(SIGALRM, &old, NULL);
	CHECK_EQ(err, -EINTR);
	INFO("%d requests fit behind the spinner", count);
	CHECK(count > 2 && count < 200);

	gemu_spin_end(&s);
	CHECK_OK(gem_wait_ns(fd, b, 5 * SEC));
	/* with the ring drained, execbuf goes through at once */
	{
		struct drm_i915_gem_exec_object2 o = { .handle = b };
		struct drm_i915_gem_execbuffer2 eb;

		gemu_eb_init(&eb, &o, 1, I915_EXEC_RENDER, ctx);
		CHECK_OK(raw_ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2_WR, &eb));
		CHECK_OK(gem_wait_ns(fd, b, 5 * SEC));
	}
	gemu_spin_fini(fd, &s);
	gem_close(fd, b);
	CHECK_OK(gem_ctx_destroy(fd, ctx));
}
