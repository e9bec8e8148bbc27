/*
 * Blitter commands on bcs0: XY_SRC_COPY_BLT, XY_COLOR_BLT and
 * XY_FAST_COPY_BLT between linear, X-tiled and Y-tiled surfaces at 8, 16
 * and 32 bpp, odd rectangles that cross tile boundaries, softpinned and
 * relocated surfaces. Every result is compared byte for byte, over the
 * whole destination object (so writes outside the rectangle show), with a
 * CPU model of the tiling written here:
 *
 *   X tile: 4 KiB = 8 rows of 512 bytes, row-major inside the tile;
 *   Y tile (legacy "Y-major"): 4 KiB = 8 columns of 16 bytes x 32 rows,
 *     each column (512 bytes) stored before the next;
 *   tiles are laid out row-major, pitch / tile-width tiles per row;
 *   no bit-6 swizzling (Gen12).
 *
 * Encodings (Bspec, Gen8+ forms with 64-bit addresses; IGT lib/intel_reg.h
 * and lib/intel_batchbuffer.c use the same): XY_SRC_COPY_BLT 0x53 with
 * src/dst tiled bits 15/11, pitch in dwords when tiled, Y-major chosen by
 * BCS_SWCTRL (0x22200: bit 0 source Y, bit 1 destination Y, mask in the
 * high half, loaded with MI_LOAD_REGISTER_IMM); XY_COLOR_BLT 0x50;
 * XY_FAST_COPY_BLT 0x42 with tiling fields 21:20 (source) and 14:13
 * (destination): 1 = X, 2 = Y. On Gen9 to Gen12.0 dword 1 bits 31 (source)
 * and 30 (destination) turn mode 2 into TileYf (they mean Tile-4 only from
 * Gen12.5, DG2, which Tiger Lake is not). A Yf tile is 4 KiB whose shape
 * follows the bytes per pixel; offset bits 11:0 hold, lowest first, 4 bits
 * of the byte column, then row bits and byte-column bits as follows:
 *   1 B:     x0-3 y0-3 y4 x4 y5 x5      (64 B x 64 rows)
 *   2, 4 B:  x0-3 y0-2 x4 y3 x5 y4 x6   (128 B x 32 rows)
 *   8, 16 B: x0-3 y0-1 x4 x5 y2 x6 y3 x7 (256 B x 16 rows)
 */
#include "gemu_test.h"

GEMU_WATCHDOG(55)

#define SEC 1000000000ll
#define PITCH 2048u /* bytes: a multiple of 512 (X) and 128 (Y) */
#define ROWS 64u    /* a multiple of 8 (X) and 32 (Y) */
#define SURF (PITCH * ROWS)
#define SRC_ADDR 0x1000000ull
#define DST_ADDR 0x2000000ull
#define BCS_SWCTRL 0x22200u

enum tiling { LINEAR, TILE_X, TILE_Y, TILE_YF };
static const char *const tname[] = { "linear", "X", "Y", "Yf" };

static int fd = -1;
static uint8_t src_mem[SURF], dst_mem[SURF], want[SURF], got[SURF];

static int setup(void)
{
	if (fd < 0)
		fd = open_render();
	return fd >= 0;
}

/* Spread the low bits of v over the set bits of mask (lowest first). */
static uint32_t deposit(uint32_t v, uint32_t mask)
{
	uint32_t out = 0, bit;

	for (bit = 0; bit < 12; bit++)
		if (mask >> bit & 1) {
			out |= (v & 1) << bit;
			v >>= 1;
		}
	return out;
}

/* Byte offset of byte column xb of row y in a surface of `t`, cpp bytes/px. */
static uint32_t tile_offset(enum tiling t, int cpp, uint32_t xb, uint32_t y)
{
	uint32_t ymask, tw, th;

	switch (t) {
	case TILE_YF:
		/* which offset bits take the row's bits, per the table above */
		ymask = cpp == 1 ? 0x5f0 : cpp <= 4 ? 0x570 : 0x530;
		th = 1u << __builtin_popcount(ymask);
		tw = 4096 / th;
		return ((y / th) * (PITCH / tw) + xb / tw) * 4096 +
		       deposit(xb % tw, 0xfff & ~ymask) + deposit(y % th, ymask);
	case TILE_X:
		return ((y / 8) * (PITCH / 512) + xb / 512) * 4096 +
		       (y % 8) * 512 + xb % 512;
	case TILE_Y:
		return ((y / 32) * (PITCH / 128) + xb / 128) * 4096 +
		       ((xb % 128) / 16) * 512 + (y % 32) * 16 + xb % 16;
	default:
		return y * PITCH + xb;
	}
}

static void fill_random(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = seed >> 16;
	}
}

struct rect {
	uint32_t sx, sy, dx, dy, w, h; /* pixels */
};

static const struct rect rects[] = {
	/* odd: crosses X (512 B at 32 bpp) and Y (32 rows, 128 B) tiles */
	{ 3, 10, 130, 27, 141, 29 },
	{ 0, 0, 1, 63, 1, 1 },
	/* many tile columns, odd width, all rows but one */
	{ 17, 1, 5, 0, 250, 63 },
};

static uint32_t depth_bits(int cpp)
{
	return cpp == 1 ? 0 : cpp == 2 ? 1u << 24 : 3u << 24;
}

/* Append BCS_SWCTRL = Y-major bits (mask in the high half). */
static uint32_t *emit_swctrl(uint32_t *cs, int src_y, int dst_y)
{
	*cs++ = MI_LOAD_REGISTER_IMM_1;
	*cs++ = BCS_SWCTRL;
	*cs++ = (3u << 16) | (src_y ? 1 : 0) | (dst_y ? 2 : 0);
	return cs;
}

static uint32_t *emit_flush(uint32_t *cs)
{
	*cs++ = MI_FLUSH_DW_GEN8;
	*cs++ = 0;
	*cs++ = 0;
	*cs++ = 0;
	return cs;
}

static uint32_t pitch_field(enum tiling t)
{
	return t == LINEAR ? PITCH : PITCH / 4;
}

enum blit { SRC_COPY, FAST_COPY, COLOR };
static const char *const bname[] = { "XY_SRC_COPY", "XY_FAST_COPY",
				     "XY_COLOR" };

/*
 * The batch for one blit from src (at sa) to dst (at da); *reloc_dw gets
 * the dword indexes of the dst and src addresses.
 */
static size_t build(uint32_t *b, enum blit k, enum tiling st, enum tiling dt,
		    int cpp, const struct rect *r, uint64_t sa, uint64_t da,
		    uint32_t color, uint32_t reloc_dw[2])
{
	uint32_t *cs = b;
	int swctrl = k != FAST_COPY &&
		     (dt == TILE_Y || (k == SRC_COPY && st == TILE_Y));

	if (swctrl)
		cs = emit_swctrl(cs, k == SRC_COPY && st == TILE_Y,
				 dt == TILE_Y);
	if (k == COLOR) {
		*cs++ = (2u << 29) | (0x50u << 22) |
			(cpp == 4 ? 3u << 20 : 0) |
			(dt != LINEAR ? 1u << 11 : 0) | 5;
		*cs++ = depth_bits(cpp) | (0xf0u << 16) | pitch_field(dt);
	} else if (k == SRC_COPY) {
		*cs++ = (2u << 29) | (0x53u << 22) |
			(cpp == 4 ? 3u << 20 : 0) |
			(st != LINEAR ? 1u << 15 : 0) |
			(dt != LINEAR ? 1u << 11 : 0) | 8;
		*cs++ = depth_bits(cpp) | (0xccu << 16) | pitch_field(dt);
	} else {
		uint32_t sm = st == TILE_YF ? 2 : st, dm = dt == TILE_YF ? 2 : dt;

		*cs++ = (2u << 29) | (0x42u << 22) | (sm << 20) | (dm << 13) |
			8;
		*cs++ = (st == TILE_YF ? 1u << 31 : 0) |
			(dt == TILE_YF ? 1u << 30 : 0) | depth_bits(cpp) |
			pitch_field(dt);
	}
	*cs++ = (r->dy << 16) | r->dx;
	*cs++ = ((r->dy + r->h) << 16) | (r->dx + r->w);
	reloc_dw[0] = cs - b;
	*cs++ = (uint32_t)da;
	*cs++ = (uint32_t)(da >> 32);
	if (k == COLOR) {
		*cs++ = color;
	} else {
		*cs++ = (r->sy << 16) | r->sx;
		*cs++ = pitch_field(st);
		reloc_dw[1] = cs - b;
		*cs++ = (uint32_t)sa;
		*cs++ = (uint32_t)(sa >> 32);
	}
	if (swctrl) {
		cs = emit_flush(cs);
		cs = emit_swctrl(cs, 0, 0);
	}
	*cs++ = MI_BATCH_BUFFER_END;
	*cs++ = MI_NOOP;
	return (cs - b) * 4;
}

/* The CPU's answer: want = dst_mem with the rectangle blitted. */
static void reference(enum blit k, enum tiling st, enum tiling dt, int cpp,
		      const struct rect *r, uint32_t color)
{
	uint32_t x, y;
	int c;

	memcpy(want, dst_mem, SURF);
	for (y = 0; y < r->h; y++)
		for (x = 0; x < r->w; x++)
			for (c = 0; c < cpp; c++) {
				uint32_t d = tile_offset(dt, cpp,
							 (r->dx + x) * cpp + c,
							 r->dy + y);

				if (k == COLOR)
					want[d] = (uint8_t)(color >> (8 * c));
				else
					want[d] = src_mem[tile_offset(
						st, cpp, (r->sx + x) * cpp + c,
						r->sy + y)];
			}
}

/* Run one blit (softpinned or relocated) and compare; 1 when it matched. */
static int one_blit(enum blit k, enum tiling st, enum tiling dt, int cpp,
		    const struct rect *r, int relocated, uint32_t seed)
{
	uint32_t batch[64], reloc_dw[2] = { 0, 0 }, src, dst, color;
	size_t len, i;
	int ok = 1, ret;

	color = 0x80402010u ^ seed;
	fill_random(src_mem, SURF, seed);
	fill_random(dst_mem, SURF, ~seed);
	src = gem_create_with(fd, SURF, src_mem, SURF);
	dst = gem_create_with(fd, SURF, dst_mem, SURF);
	if (!CHECK(src && dst))
		return 0;
	len = build(batch, k, st, dt, cpp, r, SRC_ADDR, DST_ADDR, color,
		    reloc_dw);
	if (!relocated) {
		struct gemu_pin p[2] = { { dst, DST_ADDR, EXEC_OBJECT_WRITE },
					 { src, SRC_ADDR, 0 } };

		ret = gemu_exec_cmds(fd, 0, I915_EXEC_BLT, batch, len, p,
				     k == COLOR ? 1 : 2);
	} else {
		struct drm_i915_gem_relocation_entry rel[2];
		struct drm_i915_gem_exec_object2 o[3];
		struct drm_i915_gem_execbuffer2 eb;
		uint32_t b = gem_create_with(fd, 4096, batch, len);
		unsigned int nr = k == COLOR ? 1 : 2;

		memset(rel, 0, sizeof(rel));
		memset(o, 0, sizeof(o));
		rel[0].target_handle = dst;
		rel[0].offset = reloc_dw[0] * 4;
		rel[0].presumed_offset = ~0ull;
		rel[0].read_domains = I915_GEM_DOMAIN_RENDER;
		rel[0].write_domain = I915_GEM_DOMAIN_RENDER;
		rel[1].target_handle = src;
		rel[1].offset = reloc_dw[1] * 4;
		rel[1].presumed_offset = ~0ull;
		rel[1].read_domains = I915_GEM_DOMAIN_RENDER;
		o[0].handle = dst;
		o[1].handle = src;
		o[nr].handle = b;
		o[nr].relocs_ptr = (uintptr_t)rel;
		o[nr].relocation_count = nr;
		gemu_eb_init(&eb, o, nr + 1, I915_EXEC_BLT, 0);
		ret = b ? gemu_execbuf(fd, &eb) : -ENOMEM;
		if (ret == 0)
			ret = gem_wait_ns(fd, dst, 5 * SEC);
		if (b)
			gem_close(fd, b);
	}
	if (!CHECK_OK(ret)) {
		ok = 0;
		goto out;
	}
	reference(k, st, dt, cpp, r, color);
	if (!CHECK_OK(gem_pread(fd, dst, 0, got, SURF))) {
		ok = 0;
		goto out;
	}
	for (i = 0; i < SURF; i++)
		if (got[i] != want[i])
			break;
	if (!CHECK(i == SURF)) {
		ok = 0;
		INFO("%s %s->%s %d bpp rect %ux%u @(%u,%u)->(%u,%u)%s: first"
		     " difference at byte %zu: got 0x%02x want 0x%02x",
		     bname[k], tname[st], tname[dt], cpp * 8, r->w, r->h,
		     r->sx, r->sy, r->dx, r->dy, relocated ? " relocated" : "",
		     i, got[i], want[i]);
	}
	/* the source is untouched */
	if (k != COLOR) {
		CHECK_OK(gem_pread(fd, src, 0, got, SURF));
		CHECK(memcmp(got, src_mem, SURF) == 0);
	}
out:
	gem_close(fd, src);
	gem_close(fd, dst);
	return ok;
}

static void all_layouts(enum blit k)
{
	static const int cpps[] = { 1, 2, 4 };
	unsigned int s, d, c, r, bad = 0, n = 0;

	for (s = LINEAR; s <= TILE_Y; s++)
		for (d = LINEAR; d <= TILE_Y; d++) {
			if (k == COLOR && s != LINEAR)
				continue;
			for (c = 0; c < 3; c++)
				for (r = 0; r < 3; r++) {
					n++;
					bad += !one_blit(k, s, d, cpps[c],
							 &rects[r], 0,
							 n * 7919);
				}
		}
	INFO("%s: %u of %u blits matched the CPU reference", bname[k], n - bad,
	     n);
}

TEST(tiling_model_sanity)
{
	/* the model itself: spots from the layouts described above */
	CHECK_EQ(tile_offset(LINEAR, 4, 5, 3), 3 * PITCH + 5);
	CHECK_EQ(tile_offset(TILE_X, 4, 511, 7), 7 * 512 + 511);
	CHECK_EQ(tile_offset(TILE_X, 4, 512, 0), 4096);
	CHECK_EQ(tile_offset(TILE_X, 4, 0, 8), (PITCH / 512) * 4096);
	CHECK_EQ(tile_offset(TILE_Y, 4, 15, 0), 15);
	CHECK_EQ(tile_offset(TILE_Y, 4, 0, 1), 16);
	CHECK_EQ(tile_offset(TILE_Y, 4, 16, 0), 512);
	CHECK_EQ(tile_offset(TILE_Y, 4, 127, 31), 4095);
	CHECK_EQ(tile_offset(TILE_Y, 4, 128, 0), 4096);
	CHECK_EQ(tile_offset(TILE_Y, 4, 0, 32), (PITCH / 128) * 4096);
	/* Yf at 4 B: 16 B x 8 rows fill 128 B; x bit 4 comes next */
	CHECK_EQ(tile_offset(TILE_YF, 4, 15, 7), 7 * 16 + 15);
	CHECK_EQ(tile_offset(TILE_YF, 4, 16, 0), 128);
	CHECK_EQ(tile_offset(TILE_YF, 4, 0, 8), 256);
	CHECK_EQ(tile_offset(TILE_YF, 4, 127, 31), 4095);
	CHECK_EQ(tile_offset(TILE_YF, 4, 128, 0), 4096);
	/* Yf at 1 B: 64 rows per tile; 8 B: 16 rows */
	CHECK_EQ(tile_offset(TILE_YF, 1, 0, 16), 256);
	CHECK_EQ(tile_offset(TILE_YF, 1, 0, 64), (PITCH / 64) * 4096);
	CHECK_EQ(tile_offset(TILE_YF, 8, 0, 4), 256);
	CHECK_EQ(tile_offset(TILE_YF, 8, 0, 16), (PITCH / 256) * 4096);
}

TEST(xy_src_copy_blt)
{
	REQUIRE(setup());
	all_layouts(SRC_COPY);
}

TEST(xy_color_blt)
{
	REQUIRE(setup());
	all_layouts(COLOR);
}

TEST(xy_fast_copy_blt)
{
	REQUIRE(setup());
	all_layouts(FAST_COPY);
}

TEST(relocated_surfaces)
{
	REQUIRE(setup());
	CHECK(one_blit(SRC_COPY, LINEAR, TILE_X, 4, &rects[0], 1, 11));
	CHECK(one_blit(SRC_COPY, TILE_Y, LINEAR, 2, &rects[2], 1, 12));
	CHECK(one_blit(FAST_COPY, TILE_X, TILE_Y, 1, &rects[0], 1, 13));
	CHECK(one_blit(COLOR, LINEAR, TILE_Y, 4, &rects[0], 1, 14));
}

TEST(fast_copy_tile_yf)
{
	static const enum tiling pairs[][2] = {
		{ LINEAR, TILE_YF }, { TILE_YF, LINEAR }, { TILE_Y, TILE_YF },
		{ TILE_YF, TILE_X }, { TILE_YF, TILE_YF },
	};
	static const int cpps[] = { 1, 2, 4 };
	unsigned int p, c, r, bad = 0, n = 0;

	REQUIRE(setup());
	for (p = 0; p < 5; p++)
		for (c = 0; c < 3; c++)
			for (r = 0; r < 3; r++) {
				n++;
				bad += !one_blit(FAST_COPY, pairs[p][0],
						 pairs[p][1], cpps[c], &rects[r],
						 0, n * 104729);
			}
	INFO("XY_FAST_COPY with Yf: %u of %u blits matched", n - bad, n);
}
