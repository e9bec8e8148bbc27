//! Surface layouts (linear, X, legacy Y, Tile4) and the rectangle kernels the blitter runs
//! on host memory: copy by whole tile rows or contiguous spans, fill, and a per-pixel ROP3
//! path for everything else.
//!
//! Tile geometry (4 KiB tiles, no bit-6 swizzle on Gen12):
//! - X: 512 bytes × 8 rows, row-major inside the tile.
//! - Y (legacy): 128 bytes × 32 rows, as 8 columns of 16-byte OWords, each column 32 rows
//!   (512 bytes) deep.
//! - Tile4: 128 bytes × 32 rows, built from 64-byte blocks of 16 bytes × 4 rows; inside the
//!   tile, offset bits 11:0 are `y4 y3 x6 y2 x5 x4 y1 y0 x3 x2 x1 x0` (x in bytes).
//! - TileYf (Tiled Resource Mode 4 KB over legacy Y, Gen9 to Gen12): the tile's shape
//!   depends on the element size, and offset bits 11:0 are, by bytes per element,
//!   1: `x5 y5 x4 y4 y3 y2 y1 y0 x3 x2 x1 x0` (64 B × 64 rows);
//!   2 and 4: `x6 y4 x5 y3 x4 y2 y1 y0 x3 x2 x1 x0` (128 B × 32 rows);
//!   8 and 16: `x7 y3 x6 y2 x5 x4 y1 y0 x3 x2 x1 x0` (256 B × 16 rows).
//!
//! Tiles are laid out row-major across the surface; a tiled pitch is a whole number of tiles.

use std::marker::PhantomData;

/// A surface layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tiling {
    /// Rows of `pitch` bytes.
    Linear,
    /// X-major tiles, 512 B × 8 rows.
    X,
    /// Legacy Y-major tiles, 128 B × 32 rows.
    Y,
    /// Tile4 (Gen12.5 "4" / F tiles), 128 B × 32 rows.
    Tile4,
    /// TileYf, the 4 KB standard tiling of 2D single-sampled surfaces, whose shape
    /// follows log2 of the bytes per element (0 to 4).
    Yf(u8),
}

impl Tiling {
    /// Tile width in bytes and height in rows (`None` for linear).
    pub const fn tile(self) -> Option<(u64, u64)> {
        match self {
            Tiling::Linear => None,
            Tiling::X => Some((512, 8)),
            Tiling::Y | Tiling::Tile4 => Some((128, 32)),
            Tiling::Yf(0) => Some((64, 64)),
            Tiling::Yf(1 | 2) => Some((128, 32)),
            Tiling::Yf(_) => Some((256, 16)),
        }
    }

    /// Byte offset from the surface base of byte `x` of row `y`.
    pub fn offset(self, pitch: u64, x: u64, y: u64) -> u64 {
        match self {
            Tiling::Linear => y * pitch + x,
            Tiling::X => (y / 8) * pitch * 8 + (x / 512) * 4096 + (y % 8) * 512 + x % 512,
            Tiling::Y => {
                let (tx, ty) = (x % 128, y % 32);
                (y / 32) * pitch * 32 + (x / 128) * 4096 + (tx / 16) * 512 + ty * 16 + tx % 16
            }
            Tiling::Tile4 => {
                let (tx, ty) = (x % 128, y % 32);
                let inner = (tx & 15)
                    | (ty & 3) << 4
                    | (tx >> 4 & 3) << 6
                    | (ty >> 2 & 1) << 8
                    | (tx >> 6 & 1) << 9
                    | (ty >> 3 & 3) << 10;
                (y / 32) * pitch * 32 + (x / 128) * 4096 + inner
            }
            Tiling::Yf(_) => {
                let (tw, th) = self.tile().unwrap_or((128, 32));
                let (tx, ty) = (x % tw, y % th);
                // Each 64-byte block is 16 bytes × 4 rows (× 2 more rows for bytes);
                // above it x and y bits alternate, x first in bit 11.
                let inner = match self {
                    Tiling::Yf(0) => {
                        (tx & 15)
                            | (ty & 31) << 4
                            | (tx >> 4 & 1) << 9
                            | (ty >> 5 & 1) << 10
                            | (tx >> 5 & 1) << 11
                    }
                    Tiling::Yf(1 | 2) => {
                        (tx & 15)
                            | (ty & 7) << 4
                            | (tx >> 4 & 1) << 7
                            | (ty >> 3 & 1) << 8
                            | (tx >> 5 & 1) << 9
                            | (ty >> 4 & 1) << 10
                            | (tx >> 6 & 1) << 11
                    }
                    _ => {
                        (tx & 15)
                            | (ty & 3) << 4
                            | (tx >> 4 & 3) << 6
                            | (ty >> 2 & 1) << 8
                            | (tx >> 6 & 1) << 9
                            | (ty >> 3 & 1) << 10
                            | (tx >> 7 & 1) << 11
                    }
                };
                (y / th) * pitch * th + (x / tw) * 4096 + inner
            }
        }
    }

    /// How many bytes starting at byte `x` of a row are contiguous in memory.
    pub fn run(self, x: u64) -> u64 {
        match self {
            Tiling::Linear => u64::MAX,
            Tiling::X => 512 - x % 512,
            Tiling::Y | Tiling::Tile4 | Tiling::Yf(_) => 16 - x % 16,
        }
    }

    /// The byte range `[start, end)` relative to the base that holds bytes `x0..x1` of rows
    /// `y0..y1` (non-empty rectangle; for tiled layouts whole tiles).
    pub fn extent(self, pitch: u64, x0: u64, x1: u64, y0: u64, y1: u64) -> (u64, u64) {
        match self.tile() {
            None => (y0 * pitch + x0, (y1 - 1) * pitch + x1),
            Some((tw, th)) => {
                let row = |y: u64| (y / th) * pitch * th;
                (
                    row(y0) + (x0 / tw) * 4096,
                    row(y1 - 1) + (x1 - 1) / tw * 4096 + 4096,
                )
            }
        }
    }
}

/// Host memory holding a surface's extent: `ptr` is the byte at offset `origin` from the
/// surface base, `len` bytes are valid.
pub(crate) struct View<'a> {
    ptr: *mut u8,
    len: usize,
    origin: u64,
    pub tiling: Tiling,
    pub pitch: u64,
    _mem: PhantomData<&'a mut [u8]>,
}

impl<'a> View<'a> {
    /// # Safety
    /// `ptr..ptr + len` must be valid host memory (readable, writable, no Rust references
    /// to it) for the lifetime `'a`.
    pub unsafe fn new(
        ptr: *mut u8,
        len: usize,
        origin: u64,
        tiling: Tiling,
        pitch: u64,
    ) -> View<'a> {
        View {
            ptr,
            len,
            origin,
            tiling,
            pitch,
            _mem: PhantomData,
        }
    }

    /// A view of a host buffer.
    pub fn of_vec(buf: &'a mut [u8], origin: u64, tiling: Tiling, pitch: u64) -> View<'a> {
        // SAFETY: the slice is valid and exclusively borrowed for 'a.
        unsafe { View::new(buf.as_mut_ptr(), buf.len(), origin, tiling, pitch) }
    }

    /// Pointer to `n` bytes at byte `x` of row `y`; panics if outside the view (a bug in
    /// the extent computation, never a batch error).
    fn span(&self, x: u64, y: u64, n: u64) -> *mut u8 {
        let off = self
            .tiling
            .offset(self.pitch, x, y)
            .checked_sub(self.origin);
        let off = off
            .filter(|o| o + n <= self.len as u64)
            .expect("blit span outside its surface view");
        // SAFETY: off + n <= len: inside the memory promised by `new`.
        unsafe { self.ptr.add(off as usize) }
    }
}

/// Calls `f(offset_from_surface_base, len)` for each contiguous span of bytes `x..x + w`
/// of rows `y..y + h` of a surface.
pub(crate) fn spans(
    tiling: Tiling,
    pitch: u64,
    x: u64,
    y: u64,
    w: u64,
    h: u64,
    mut f: impl FnMut(u64, u64),
) {
    for row in y..y + h {
        let mut i = 0;
        while i < w {
            let n = tiling.run(x + i).min(w - i);
            f(tiling.offset(pitch, x + i, row), n);
            i += n;
        }
    }
}

/// Copies bytes `sx..sx + w` of rows `sy..sy + h` of `src` to `(dx, dy)` of `dst`.
/// The two views must not overlap.
#[allow(clippy::too_many_arguments)]
pub(crate) fn copy_rect(
    dst: &View,
    dx: u64,
    dy: u64,
    src: &View,
    sx: u64,
    sy: u64,
    w: u64,
    h: u64,
) {
    // Big blits write through streaming stores (as memcpy does for big copies): no
    // read-for-ownership of destination lines, and the cache is left to the CPU clients.
    let stream = w * h >= STREAM_THRESHOLD;
    copy_rect_inner(dst, (dx, dy), src, (sx, sy), (w, h), stream);
    if stream {
        store_fence();
    }
}

/// Blits of at least this many bytes use streaming stores.
const STREAM_THRESHOLD: u64 = 1 << 20;

/// Copies `n` bytes from `src` to `dst`; with `stream`, through non-temporal stores.
///
/// # Safety
/// As `ptr::copy_nonoverlapping`; after streaming copies the caller runs [`store_fence`]
/// before the result may be observed by another thread.
#[inline]
unsafe fn copy_bytes(src: *const u8, dst: *mut u8, n: usize, stream: bool) {
    #[cfg(target_arch = "x86_64")]
    if stream && n >= 16 {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_stream_si128};
        let head = dst.align_offset(16).min(n);
        // SAFETY (all below): in bounds of the caller's ranges; the stream stores go to
        // 16-byte aligned addresses (after `head`); SSE2 is part of the x86-64 baseline.
        std::ptr::copy_nonoverlapping(src, dst, head);
        let mut i = head;
        while i + 16 <= n {
            let v = _mm_loadu_si128(src.add(i) as *const __m128i);
            _mm_stream_si128(dst.add(i) as *mut __m128i, v);
            i += 16;
        }
        std::ptr::copy_nonoverlapping(src.add(i), dst.add(i), n - i);
        return;
    }
    let _ = stream;
    // SAFETY: the caller's contract.
    std::ptr::copy_nonoverlapping(src, dst, n)
}

/// Orders earlier streaming stores before everything after (the completion signal).
fn store_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86-64 baseline; sfence has no other requirement.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
    std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
}

fn copy_rect_inner(
    dst: &View,
    (dx, dy): (u64, u64),
    src: &View,
    (sx, sy): (u64, u64),
    (w, h): (u64, u64),
    stream: bool,
) {
    // Both rectangles are whole, identical surfaces rows (full pitch, whole tile rows):
    // one contiguous copy, which lets memcpy use streaming stores.
    let full = |v: &View, x: u64, y: u64| {
        let th = v.tiling.tile().map_or(1, |t| t.1);
        v.tiling == dst.tiling
            && x == 0
            && w == v.pitch
            && y.is_multiple_of(th)
            && h.is_multiple_of(th)
    };
    if full(dst, dx, dy) && full(src, sx, sy) && h > 0 {
        let bytes = w * h;
        let th = dst.tiling.tile().map_or(1, |t| t.1);
        let (d, s) = (dst.span(0, dy, w * th), src.span(0, sy, w * th));
        dst.span(0, dy + h - th, w * th);
        src.span(0, sy + h - th, w * th);
        // SAFETY: the first and last (tile) rows are bounds-checked whole; with a full pitch
        // the rows in between are the contiguous bytes between them; no overlap (caller).
        unsafe { std::ptr::copy_nonoverlapping(s, d, bytes as usize) };
        return;
    }
    // Whole tile rows: identical tiling, both rectangles tile-aligned.
    if let Some((tw, th)) = dst.tiling.tile() {
        let aligned = |v: &View, x: u64, y: u64| {
            v.tiling == dst.tiling && x.is_multiple_of(tw) && y.is_multiple_of(th)
        };
        if aligned(dst, dx, dy)
            && aligned(src, sx, sy)
            && w.is_multiple_of(tw)
            && h.is_multiple_of(th)
        {
            let bytes = w * th;
            for r in (0..h).step_by(th as usize) {
                let d = dst.span(dx, dy + r, bytes);
                let s = src.span(sx, sy + r, bytes);
                // SAFETY: both spans are bounds-checked by `span` (a tile row of whole tiles is
                // contiguous); the views do not overlap (caller's contract).
                unsafe { copy_bytes(s, d, bytes as usize, stream) };
            }
            return;
        }
    }
    // Linear to or from whole Y/Tile4 tiles: walk each tile in memory order, 16 bytes at
    // a time, so the tiled side is written (or read) sequentially.
    let oword = |t: Tiling| matches!(t, Tiling::Y | Tiling::Tile4);
    let whole = |v: &View, x: u64, y: u64| {
        x.is_multiple_of(128)
            && y.is_multiple_of(32)
            && w.is_multiple_of(128)
            && h.is_multiple_of(32)
            && oword(v.tiling)
    };
    if whole(dst, dx, dy) && src.tiling == Tiling::Linear {
        return copy_tiles(dst, (dx, dy), src, (sx, sy), (w, h), true);
    }
    if whole(src, sx, sy) && dst.tiling == Tiling::Linear {
        return copy_tiles(src, (sx, sy), dst, (dx, dy), (w, h), false);
    }
    for row in 0..h {
        let mut i = 0;
        while i < w {
            let n = dst
                .tiling
                .run(dx + i)
                .min(src.tiling.run(sx + i))
                .min(w - i);
            let d = dst.span(dx + i, dy + row, n);
            let s = src.span(sx + i, sy + row, n);
            // SAFETY: bounds-checked by `span`; the views do not overlap.
            unsafe { copy_bytes(s, d, n as usize, stream && n >= 64) };
            i += n;
        }
    }
}

/// Copies whole 128 B x 32 row tiles between a tiled view (Y or Tile4) and a linear one;
/// `to_tiled` gives the direction. Positions and sizes are in bytes and rows.
/// (Regular stores: 16-byte streaming stores measured 3x slower here.)
fn copy_tiles(
    tiled: &View,
    (tx, ty): (u64, u64),
    linear: &View,
    (lx, ly): (u64, u64),
    (w, h): (u64, u64),
    to_tiled: bool,
) {
    // (tile offset, linear offset relative to the tile's top-left byte) of each 16-byte
    // chunk, in the destination's memory order so that writes are sequential.
    let mut order = [(0usize, 0usize); 256];
    for y in 0..32 {
        for x in (0..128).step_by(16) {
            let t = tiled.tiling.offset(128, x, y) as usize;
            let l = (y * linear.pitch + x) as usize;
            let k = if to_tiled {
                t / 16
            } else {
                (y * 8 + x / 16) as usize
            };
            order[k] = (t, l);
        }
    }
    for band in (0..h).step_by(32) {
        for col in (0..w).step_by(128) {
            let tile = tiled.span(tx + col, ty + band, 4096);
            let lin = linear.span(lx + col, ly + band, 128);
            linear.span(lx + col, ly + band + 31, 128);
            for &(t, l) in &order {
                // SAFETY: `tile` spans the whole 4 KiB tile and `t` + 16 <= 4096; the linear
                // rows first..first+31 (128 bytes each) were bounds-checked above and `l`
                // addresses 16 bytes inside them; the views do not overlap.
                unsafe {
                    let (t, l) = (tile.add(t), lin.add(l));
                    if to_tiled {
                        std::ptr::copy_nonoverlapping(l as *const [u8; 16], t as *mut [u8; 16], 1);
                    } else {
                        std::ptr::copy_nonoverlapping(t as *const [u8; 16], l as *mut [u8; 16], 1);
                    }
                }
            }
        }
    }
}

/// Fills bytes `x..x + w` of rows `y..y + h` with `pixel` repeated (`x` and `w` are whole
/// pixels; `pixel.len()` is 1, 2, 4, 8 or 16).
pub(crate) fn fill_rect(dst: &View, x: u64, y: u64, w: u64, h: u64, pixel: &[u8]) {
    let mut pattern = [0u8; 512];
    for (i, b) in pattern.iter_mut().enumerate() {
        *b = pixel[i % pixel.len()];
    }
    // Whole tiles: every 16-byte chunk holds whole pixels, so a band of tiles is one
    // contiguous run of the pattern.
    if let Some((tw, th)) = dst.tiling.tile() {
        if x.is_multiple_of(tw)
            && y.is_multiple_of(th)
            && w.is_multiple_of(tw)
            && h.is_multiple_of(th)
        {
            for band in (0..h).step_by(th as usize) {
                let d = dst.span(x, y + band, w * th);
                for off in (0..w * th).step_by(512) {
                    let n = (w * th - off).min(512) as usize;
                    // SAFETY: `d` spans w * th bytes (checked by `span`) and off + n stays inside.
                    unsafe {
                        std::ptr::copy_nonoverlapping(pattern.as_ptr(), d.add(off as usize), n)
                    };
                }
            }
            return;
        }
    }
    for row in 0..h {
        let mut i = 0;
        while i < w {
            let n = dst.tiling.run(x + i).min(w - i).min(512);
            let d = dst.span(x + i, y + row, n);
            // SAFETY: bounds-checked by `span`; the pattern is a local array of >= n bytes.
            unsafe { std::ptr::copy_nonoverlapping(pattern.as_ptr(), d, n as usize) };
            i += n;
        }
    }
}

/// Evaluates ROP3 `rop` bitwise on pattern, source and destination bytes.
pub(crate) fn rop3(rop: u8, p: u8, s: u8, d: u8) -> u8 {
    let mut r = 0u8;
    for i in 0..8 {
        if rop >> i & 1 != 0 {
            let pick = |bit: u8, v: u8| if i & bit != 0 { v } else { !v };
            r |= pick(4, p) & pick(2, s) & pick(1, d);
        }
    }
    r
}

/// The per-pixel path: `dst = rop(pattern, src, dst)` on `w`×`h` pixels of `cpp` bytes
/// (positions in pixels),
/// writing only the bytes whose bit is set in `byte_mask` (bit i = byte i of a pixel).
#[allow(clippy::too_many_arguments)]
pub(crate) fn rop_rect(
    dst: &View,
    (dx, dy): (u64, u64),
    src: Option<(&View, u64, u64)>,
    (w, h): (u64, u64),
    cpp: u64,
    rop: u8,
    pattern: &[u8],
    byte_mask: u32,
) {
    let n = cpp as usize;
    for row in 0..h {
        for px in 0..w {
            let d = dst.span((dx + px) * cpp, dy + row, cpp);
            let mut dv = [0u8; 16];
            let mut sv = [0u8; 16];
            // SAFETY: `d` is bounds-checked for cpp (<= 16) bytes.
            unsafe { std::ptr::copy_nonoverlapping(d, dv.as_mut_ptr(), n) };
            if let Some((s, sx, sy)) = src {
                let sp = s.span((sx + px) * cpp, sy + row, cpp);
                // SAFETY: bounds-checked for cpp (<= 16) bytes.
                unsafe { std::ptr::copy_nonoverlapping(sp, sv.as_mut_ptr(), n) };
            }
            for i in 0..n {
                if byte_mask >> i & 1 != 0 {
                    dv[i] = rop3(rop, pattern[i % pattern.len()], sv[i], dv[i]);
                }
            }
            // SAFETY: as above.
            unsafe { std::ptr::copy_nonoverlapping(dv.as_ptr(), d, n) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn layouts_are_bijections_within_a_tile() {
        let yf = (0..5).map(Tiling::Yf);
        for t in [Tiling::X, Tiling::Y, Tiling::Tile4].into_iter().chain(yf) {
            let (tw, th) = t.tile().unwrap();
            let offs: HashSet<u64> = (0..th)
                .flat_map(|y| (0..tw).map(move |x| t.offset(tw, x, y)))
                .collect();
            assert_eq!(offs.len(), 4096, "{t:?}");
            assert!(offs.iter().all(|&o| o < 4096));
            // Runs are really contiguous.
            for y in 0..th {
                let mut x = 0;
                while x < tw {
                    let n = t.run(x);
                    assert_eq!(t.offset(tw, x + n - 1, y), t.offset(tw, x, y) + n - 1);
                    x += n;
                }
            }
        }
    }

    #[test]
    fn known_offsets() {
        // Y: the second OWord column starts 512 bytes in; row 1 is 16 bytes in.
        assert_eq!(Tiling::Y.offset(256, 16, 0), 512);
        assert_eq!(Tiling::Y.offset(256, 0, 1), 16);
        assert_eq!(Tiling::Y.offset(256, 128, 0), 4096);
        assert_eq!(Tiling::Y.offset(256, 0, 32), 8192);
        // X: row 1 is 512 bytes in, the next tile 4096.
        assert_eq!(Tiling::X.offset(1024, 0, 1), 512);
        assert_eq!(Tiling::X.offset(1024, 512, 0), 4096);
        assert_eq!(Tiling::X.offset(1024, 0, 8), 8192);
        // Tile4: 16 B x 4 row blocks; block (x 64, y 0) is the 9th 64-byte block.
        assert_eq!(Tiling::Tile4.offset(128, 16, 0), 64);
        assert_eq!(Tiling::Tile4.offset(128, 0, 4), 256);
        assert_eq!(Tiling::Tile4.offset(128, 64, 0), 512);
        assert_eq!(Tiling::Tile4.offset(128, 0, 8), 1024);
        // Yf, 4 bytes per element: 16 B × 8 row halves of a 256-byte block, then x, y, x.
        let yf = Tiling::Yf(2);
        assert_eq!(yf.tile(), Some((128, 32)));
        assert_eq!(yf.offset(256, 0, 4), 64);
        assert_eq!(yf.offset(256, 16, 0), 128);
        assert_eq!(yf.offset(256, 0, 8), 256);
        assert_eq!(yf.offset(256, 32, 0), 512);
        assert_eq!(yf.offset(256, 0, 16), 1024);
        assert_eq!(yf.offset(256, 64, 0), 2048);
        assert_eq!(yf.offset(256, 128, 0), 4096);
        assert_eq!(yf.offset(256, 0, 32), 8192);
        // Yf, 1 byte per element: 64 B × 64 rows.
        let yf = Tiling::Yf(0);
        assert_eq!(yf.tile(), Some((64, 64)));
        assert_eq!(yf.offset(128, 0, 16), 256);
        assert_eq!(yf.offset(128, 16, 0), 512);
        assert_eq!(yf.offset(128, 0, 32), 1024);
        assert_eq!(yf.offset(128, 32, 0), 2048);
        assert_eq!(yf.offset(128, 0, 64), 8192);
        // Yf, 8 and 16 bytes per element: 256 B × 16 rows.
        let yf = Tiling::Yf(4);
        assert_eq!(yf.tile(), Some((256, 16)));
        assert_eq!(yf.offset(512, 16, 0), 64);
        assert_eq!(yf.offset(512, 0, 4), 256);
        assert_eq!(yf.offset(512, 64, 0), 512);
        assert_eq!(yf.offset(512, 0, 8), 1024);
        assert_eq!(yf.offset(512, 128, 0), 2048);
        assert_eq!(yf.offset(512, 256, 0), 4096);
        assert_eq!(yf.offset(512, 0, 16), 8192);
    }

    #[test]
    fn rop3_basics() {
        assert_eq!(rop3(0xcc, 0x12, 0x34, 0x56), 0x34);
        assert_eq!(rop3(0xf0, 0x12, 0x34, 0x56), 0x12);
        assert_eq!(rop3(0xaa, 0x12, 0x34, 0x56), 0x56);
        assert_eq!(rop3(0x66, 0, 0x34, 0x56), 0x34 ^ 0x56);
        assert_eq!(rop3(0x00, 1, 2, 3), 0);
        assert_eq!(rop3(0xff, 1, 2, 3), 0xff);
    }
}
