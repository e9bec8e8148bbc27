/*
 * Softpin (EXEC_OBJECT_PINNED) and relocations: which addresses are
 * accepted, what is written back to the object list and the relocation
 * entries, and NO_RELOC.
 * Kernel reference: eb_validate_vma (canonical, page aligned), eb_pin_vma,
 * eb_reserve, eb_relocate_entry / relocate_entry / eb_relocate_vma,
 * i915_gem_execbuffer2_ioctl's write-back (gem/i915_gem_execbuffer.c);
 * i915_vma_insert (PIN_ZONE_4G, fixed offsets: i915_vma.c),
 * i915_gem_evict_for_node (i915_gem_evict.c); IGT gem_softpin,
 * gem_exec_reloc.
 */
#include "gemu_test.h"

GEMU_WATCHDOG(50)

#define SEC 1000000000ll
#define MiB (1ull << 20)

static int fd = -1;
static uint32_t bbe; /* 8 KiB batch: MI_BATCH_BUFFER_END */

/*
 * Every case gets a file of its own: a gemu bug that hangs batches (and
 * bans the default context after three) stays in the case that found it.
 */
static int setup(void)
{
	static const uint32_t cmd[2] = { MI_BATCH_BUFFER_END, MI_NOOP };
	static const char *opened_for;

	if (opened_for != gemu_case_name) {
		if (fd >= 0)
			close(fd);
		fd = open_render();
		bbe = fd >= 0 ? gem_create_with(fd, 8192, cmd, sizeof(cmd)) : 0;
		opened_for = gemu_case_name;
	}
	return fd >= 0 && bbe;
}

/* The default context has not been found guilty of a hang. */
static void no_hang_so_far(void)
{
	struct drm_i915_reset_stats rs = { 0 };

	CHECK_OK(do_ioctl(fd, DRM_IOCTL_I915_GET_RESET_STATS, &rs));
	CHECK_EQ(rs.batch_active, 0);
}

/* Execute the BB_END batch alone, pinned at `offset` with `flags`. */
static int pin_at(uint64_t offset, uint64_t flags, uint64_t alignment)
{
	struct drm_i915_gem_exec_object2 o = {
		.handle = bbe, .offset = offset, .alignment = alignment,
		.flags = EXEC_OBJECT_PINNED | flags,
	};
	struct drm_i915_gem_execbuffer2 eb;
	int r;

	gemu_eb_init(&eb, &o, 1, I915_EXEC_RENDER, 0);
	r = gemu_execbuf(fd, &eb);
	/* one at a time here; moving a busy object is its own case */
	CHECK_OK(gem_wait_ns(fd, bbe, 2 * SEC));
	if (r == 0 && o.offset != offset) {
		CHECK_EQ(o.offset, offset); /* a pinned offset stays put */
		return -EBADE;
	}
	return r;
}

TEST(accepted_and_refused_offsets)
{
	const uint64_t b48 = EXEC_OBJECT_SUPPORTS_48B_ADDRESS;

	REQUIRE(setup());
	/* address 0 is an address like any other */
	CHECK_OK(pin_at(0, b48, 0));
	CHECK_OK(pin_at(0, 0, 0));
	CHECK_OK(pin_at(64 * MiB, b48, 0));
	/* eb_validate_vma: offset != canonical(offset & PAGE_MASK) */
	CHECK_ERRNO(pin_at(4096 + 8, b48, 0), EINVAL);
	CHECK_ERRNO(pin_at(4096 + 1, b48, 0), EINVAL);
	CHECK_ERRNO(pin_at(1ull << 47, b48, 0), EINVAL);
	CHECK_ERRNO(pin_at(0x0000ffff00000000ull, b48, 0), EINVAL);
	CHECK_ERRNO(pin_at(0x8000000000000000ull, b48, 0), EINVAL);
	/* ... the same addresses in canonical form are fine */
	CHECK_OK(pin_at(canonical(1ull << 47), b48, 0));
	CHECK_OK(pin_at(canonical(0x0000ffff00000000ull), b48, 0));
	/* i915_vma_insert: a fixed offset past the end of the VM (2^48) */
	CHECK_ERRNO(pin_at(canonical((1ull << 48) - 4096), b48, 0), EINVAL);
	CHECK_ERRNO(pin_at(-4096ull, b48, 0), EINVAL);
	CHECK_OK(pin_at(canonical((1ull << 48) - 8192), b48, 0));
	/*
	 * i915_vma_insert: without SUPPORTS_48B_ADDRESS (PIN_ZONE_4G) the
	 * object must end below 4 GiB - 4 KiB
	 */
	CHECK_ERRNO(pin_at(1ull << 32, 0, 0), EINVAL);
	CHECK_ERRNO(pin_at((1ull << 32) - 8192, 0, 0), EINVAL);
	CHECK_OK(pin_at((1ull << 32) - 12288, 0, 0));
	CHECK_OK(pin_at(1ull << 32, b48, 0));
	/* i915_vma_insert: a fixed offset that breaks the alignment */
	CHECK_ERRNO(pin_at(4096, b48, 65536), EINVAL);
	CHECK_OK(pin_at(65536, b48, 65536));
	no_hang_so_far();
}

TEST(moving_a_busy_object)
{
	struct gemu_spin spin;
	uint32_t t, b[4];
	int i;

	REQUIRE(setup());
	REQUIRE_OK(gemu_spin_init(fd, &spin, 0x80000000ull));
	t = gem_create(fd, 4096);
	REQUIRE(t);
	/*
	 * Behind a spinner on the same context and engine, four stores into
	 * t, each execbuf pinning t somewhere else: t is busy every time it
	 * moves. i915 unbinds the old placement only once the requests using
	 * it are done (eb_validate_vmas -> i915_vma_unbind waits for the
	 * vma's activity), so each queued store still lands in t.
	 */
	REQUIRE_OK(gemu_exec_pinned(fd, 0, I915_EXEC_RENDER, spin.handle,
				    0x80000000ull, NULL, 0));
	for (i = 0; i < 4; i++) {
		uint64_t at = (uint64_t)(16 + 4 * i) * MiB;
		const uint32_t cmds[6] = {
			MI_STORE_DWORD_IMM_GEN8, (uint32_t)(at + 4 * i), 0,
			0x3000 + i, MI_BATCH_BUFFER_END, 0,
		};
		struct gemu_pin p = { t, at, EXEC_OBJECT_WRITE };

		b[i] = gem_create_with(fd, 4096, cmds, sizeof(cmds));
		REQUIRE(b[i]);
		CHECK_OK(gemu_exec_pinned(fd, 0, I915_EXEC_RENDER, b[i],
					  (uint64_t)(64 + 4 * i) * MiB, &p, 1));
	}
	usleep(50000);
	CHECK(gem_busy_word(fd, t) != 0);
	gemu_spin_end(&spin);
	CHECK_OK(gem_wait_ns(fd, spin.handle, 5 * SEC));
	CHECK_OK(gem_wait_ns(fd, t, 5 * SEC));
	for (i = 0; i < 4; i++) {
		CHECK_EQ(gem_read32(fd, t, 4 * i), 0x3000 + i);
		gem_close(fd, b[i]);
	}
	no_hang_so_far();
	gemu_spin_fini(fd, &spin);
	gem_close(fd, t);
}

/* Two 1 MiB objects pinned at a and b, with a batch: the execbuf result. */
static int pair_at(uint32_t x, uint64_t a, uint64_t pad, uint32_t y,
		   uint64_t b)
{
	struct drm_i915_gem_exec_object2 o[3] = {
		{ .handle = x, .offset = a,
		  .flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_SUPPORTS_48B_ADDRESS |
			   (pad ? EXEC_OBJECT_PAD_TO_SIZE : 0),
		  .pad_to_size = pad },
		{ .handle = y, .offset = b,
		  .flags = EXEC_OBJECT_PINNED |
			   EXEC_OBJECT_SUPPORTS_48B_ADDRESS },
		{ .handle = bbe, .offset = 512 * MiB,
		  .flags = EXEC_OBJECT_PINNED |
			   EXEC_OBJECT_SUPPORTS_48B_ADDRESS },
	};
	struct drm_i915_gem_execbuffer2 eb;

	gemu_eb_init(&eb, o, 3, I915_EXEC_RENDER, 0);
	return gemu_execbuf(fd, &eb);
}

TEST(overlaps)
{
	const uint64_t X = 256 * MiB;
	static const uint64_t bad[] = { 4096, 128 * 4096, MiB - 4096, 0 };
	uint32_t a, b;
	unsigned int i;

	REQUIRE(setup());
	a = gem_create(fd, MiB);
	b = gem_create(fd, MiB);
	REQUIRE(a && b);
	/* touching is fine, on either side */
	CHECK_OK(pair_at(a, X, 0, b, X + MiB));
	CHECK_OK(pair_at(a, X, 0, b, X - MiB));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/*
		 * eb_reserve: the second fixed node collides with the
		 * first, which this execbuf holds: i915_gem_evict_for_node
		 * cannot evict it -> ENOSPC after every pass (IGT
		 * gem_softpin "overlap" accepts EINVAL or ENOSPC)
		 */
		if (!CHECK_ERRNO(pair_at(a, X, 0, b, X + bad[i]), ENOSPC))
			INFO("overlap at +0x%" PRIx64, bad[i]);
		if (bad[i] && !CHECK_ERRNO(pair_at(a, X, 0, b, X - bad[i]),
					   ENOSPC))
			INFO("overlap at -0x%" PRIx64, bad[i]);
	}
	/* pad_to_size grows the node: 2 MiB of address space for a */
	CHECK_ERRNO(pair_at(a, X, 2 * MiB, b, X + MiB), ENOSPC);
	CHECK_OK(pair_at(a, X, 2 * MiB, b, X + 2 * MiB));
	/* one after the other, the same address for two objects is fine */
	CHECK_OK(gem_wait_ns(fd, bbe, 2 * SEC));
	CHECK_OK(pair_at(a, X, 0, b, X + 4 * MiB));
	CHECK_OK(pair_at(b, X, 0, a, X + 4 * MiB));
	CHECK_OK(gem_wait_ns(fd, bbe, 2 * SEC));
	gem_close(fd, a);
	gem_close(fd, b);
}

TEST(offsets_written_back)
{
	struct drm_i915_gem_exec_object2 o[2];
	struct drm_i915_gem_execbuffer2 eb;
	uint32_t t;

	REQUIRE(setup());
	t = gem_create(fd, 2 * MiB);
	REQUIRE(t);
	memset(o, 0, sizeof(o));
	o[0].handle = t;
	o[0].flags = EXEC_OBJECT_SUPPORTS_48B_ADDRESS;
	o[1].handle = bbe;
	o[1].offset = canonical(1ull << 47);
	o[1].flags = EXEC_OBJECT_PINNED | EXEC_OBJECT_SUPPORTS_48B_ADDRESS;
	gemu_eb_init(&eb, o, 2, I915_EXEC_RENDER, 0);
	REQUIRE_OK(gemu_execbuf(fd, &eb));
	/* the pinned one keeps its (canonical) offset */
	CHECK_EQ(o[1].offset, canonical(1ull << 47));
	/* the other gets where it was put: canonical, page aligned */
	CHECK_EQ(o[0].offset & 4095, 0);
	CHECK_EQ(o[0].offset, canonical(o[0].offset));
	/* and no overlap with the pinned batch */
	CHECK(o[0].offset + 2 * MiB <= canonical(1ull << 47) ||
	      o[0].offset >= canonical(1ull << 47) + 8192);
	/* the next execbuf keeps an object where it is (eb_pin_vma) */
	{
		uint64_t was = o[0].offset;

		o[0].offset = 0;
		REQUIRE_OK(gemu_execbuf(fd, &eb));
		CHECK_EQ(o[0].offset, was);
	}
	CHECK_OK(gem_wait_ns(fd, bbe, 2 * SEC));
	gem_close(fd, t);
}

/* A batch: MI_STORE_DWORD_IMM of v to (a relocation at byte 4) + delta. */
static uint32_t store_batch(uint64_t addr, uint32_t v)
{
	const uint32_t cmds[8] = {
		MI_STORE_DWORD_IMM_GEN8, (uint32_t)addr, (uint32_t)(addr >> 32),
		v, MI_BATCH_BUFFER_END, MI_NOOP,
	};

	return gem_create_with(fd, 4096, cmds, sizeof(cmds));
}

TEST(relocations_written_back)
{
	static const uint64_t places[] = { 0, 8 * MiB, 1ull << 40,
					   1ull << 47 };
	unsigned int i;

	REQUIRE(setup());
	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		uint32_t t = gem_create(fd, 4096), b = store_batch(0, 0x7e10 + i);
		struct drm_i915_gem_relocation_entry r = {
			.target_handle = t, .delta = 64, .offset = 4,
			.presumed_offset = ~0ull,
			.read_domains = I915_GEM_DOMAIN_RENDER,
			.write_domain = I915_GEM_DOMAIN_RENDER,
		};
		struct drm_i915_gem_exec_object2 o[2] = {
			{ .handle = t, .offset = canonical(places[i]),
			  .flags = EXEC_OBJECT_PINNED |
				   EXEC_OBJECT_SUPPORTS_48B_ADDRESS },
			{ .handle = b, .relocs_ptr = (uintptr_t)&r,
			  .relocation_count = 1,
			  .flags = EXEC_OBJECT_SUPPORTS_48B_ADDRESS },
		};
		struct drm_i915_gem_execbuffer2 eb;
		uint64_t want = canonical(places[i] + 64);

		REQUIRE(t && b);
		gemu_eb_init(&eb, o, 2, I915_EXEC_RENDER, 0);
		if (!CHECK_OK(gemu_execbuf(fd, &eb)))
			INFO("target at 0x%" PRIx64, places[i]);
		CHECK_OK(gem_wait_ns(fd, t, 5 * SEC));
		CHECK_EQ(gem_read32(fd, t, 64), 0x7e10 + i);
		/*
		 * relocate_entry: the canonical address of target + delta,
		 * 64 bits (use_64bit_reloc), at the relocation's offset
		 */
		CHECK_EQ(gem_read32(fd, b, 4), (uint32_t)want);
		CHECK_EQ(gem_read32(fd, b, 8), (uint32_t)(want >> 32));
		/* eb_relocate_vma: presumed_offset = the target's address */
		CHECK_EQ(r.presumed_offset, canonical(places[i]));
		/* the batch (not pinned, relocations) sits above 256 KiB */
		CHECK(o[1].offset >= 256 * 1024);
		gem_close(fd, b);
		gem_close(fd, t);
	}
}

TEST(no_reloc)
{
	uint32_t t, b;
	struct drm_i915_gem_relocation_entry r;
	struct drm_i915_gem_exec_object2 o[2];
	struct drm_i915_gem_execbuffer2 eb;
	uint64_t tgt;
	uint32_t wrong[2];

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	b = store_batch(0, 0x1);
	REQUIRE(t && b);
	memset(&r, 0, sizeof(r));
	r.target_handle = t;
	r.offset = 4;
	r.presumed_offset = ~0ull;
	r.read_domains = r.write_domain = I915_GEM_DOMAIN_RENDER;
	memset(o, 0, sizeof(o));
	o[0].handle = t;
	o[0].flags = EXEC_OBJECT_WRITE;
	o[1].handle = b;
	o[1].relocs_ptr = (uintptr_t)&r;
	o[1].relocation_count = 1;
	gemu_eb_init(&eb, o, 2, I915_EXEC_RENDER, 0);
	REQUIRE_OK(gemu_execbuf(fd, &eb));
	REQUIRE_OK(gem_wait_ns(fd, t, 5 * SEC));
	CHECK_EQ(gem_read32(fd, t, 0), 1);
	tgt = o[0].offset;
	CHECK_EQ(r.presumed_offset, tgt);

	/*
	 * Aim the store 128 bytes further by hand and lie in the relocation
	 * (presumed_offset wrong). With NO_RELOC and every object where
	 * execobject.offset says, __EXEC_HAS_RELOC is never set: the kernel
	 * trusts the batch and does not relocate.
	 */
	wrong[0] = (uint32_t)(tgt + 128);
	wrong[1] = (uint32_t)((tgt + 128) >> 32);
	REQUIRE_OK(gem_pwrite(fd, b, 4, wrong, 8));
	r.presumed_offset = ~0ull;
	eb.flags |= I915_EXEC_NO_RELOC;
	REQUIRE_OK(gemu_execbuf(fd, &eb));
	REQUIRE_OK(gem_wait_ns(fd, t, 5 * SEC));
	CHECK_EQ(gem_read32(fd, t, 128), 1);
	CHECK_EQ(r.presumed_offset, ~0ull);
	CHECK_EQ(o[0].offset, tgt);

	/* without NO_RELOC the wrong presumed_offset makes it relocate */
	eb.flags &= ~(uint64_t)I915_EXEC_NO_RELOC;
	REQUIRE_OK(gem_pwrite(fd, t, 0, "\0\0\0\0", 4));
	REQUIRE_OK(gemu_execbuf(fd, &eb));
	REQUIRE_OK(gem_wait_ns(fd, t, 5 * SEC));
	CHECK_EQ(gem_read32(fd, t, 0), 1);
	CHECK_EQ(gem_read32(fd, b, 4), (uint32_t)tgt);
	CHECK_EQ(r.presumed_offset, tgt);

	/*
	 * NO_RELOC with a stale execobject.offset: the object is not where
	 * the list says, so eb_validate_vmas sets __EXEC_HAS_RELOC and the
	 * relocation is applied after all
	 */
	o[0].offset = tgt + 64 * MiB;
	r.presumed_offset = tgt + 64 * MiB;
	REQUIRE_OK(gem_pwrite(fd, b, 4, wrong, 8));
	REQUIRE_OK(gem_pwrite(fd, t, 0, "\0\0\0\0", 4));
	eb.flags |= I915_EXEC_NO_RELOC;
	REQUIRE_OK(gemu_execbuf(fd, &eb));
	REQUIRE_OK(gem_wait_ns(fd, t, 5 * SEC));
	CHECK_EQ(o[0].offset, tgt);
	CHECK_EQ(gem_read32(fd, t, 0), 1);
	gem_close(fd, b);
	gem_close(fd, t);
}

TEST(moving_a_pinned_object_keeps_its_data)
{
	static const uint64_t where[] = { 16 * MiB, 1ull << 33, 1ull << 45,
					  16 * MiB };
	uint32_t t, cmds[8], *cs;
	unsigned int i;

	REQUIRE(setup());
	t = gem_create(fd, 4096);
	REQUIRE(t);
	for (i = 0; i < 4; i++) {
		struct gemu_pin p = { t, where[i], EXEC_OBJECT_WRITE };

		cs = cmds;
		*cs++ = MI_STORE_DWORD_IMM_GEN8;
		*cs++ = (uint32_t)(where[i] + 4 * i);
		*cs++ = (uint32_t)(where[i] >> 32);
		*cs++ = 0x100 + i;
		*cs++ = MI_BATCH_BUFFER_END;
		CHECK_OK(gemu_exec_cmds(fd, 0, I915_EXEC_BLT, cmds,
					(cs - cmds) * 4, &p, 1));
	}
	for (i = 0; i < 4; i++)
		CHECK_EQ(gem_read32(fd, t, 4 * i), 0x100 + i);
	gem_close(fd, t);
}
