//! Fence tiling and the GTT view: what a CPU sees through a GTT mapping of an object.
//!
//! On a real part a GTT mapping goes through the mappable aperture, and a fence register
//! detiles it: an X- or Y-tiled object reads as rows of `stride` bytes. A page of that
//! linear view holds pieces of 8 (X) or 32 (Y) pages of the object, so no remapping of
//! the object's pages can build it, and a FUSE passthrough mapping never tells the daemon
//! about a fault. So a tiled object that is GTT-mapped gets a second aperture range, its
//! *view*, which holds the detiled copy, and the two are kept in step at the points where
//! i915's rules make GTT writes visible to others or others' writes visible to the GTT:
//!
//! - before the GPU runs (execbuf flushes the GTT write domain),
//! - when a request that used the object completes (before its fence signals, so whoever
//!   waits for it reads the GPU's result through the view),
//! - at SET_DOMAIN, before PREAD, after PWRITE, at MMAP_GTT and SET_TILING.
//!
//! Each sync is a three-way merge against a snapshot of what the view last showed: bytes
//! the client changed in the view since then are written to the object (a GTT write);
//! then the view and the snapshot are refreshed from the object. So a GTT write is never
//! lost to a refresh, and a write to the object (GPU, CPU mapping, pwrite) reaches the
//! view. An untiled object needs no view: its GTT mapping is its pages themselves.
//!
//! Deviation: bytes written through the view and, in the same interval between two sync
//! points, to the object by someone else end with the view's value; on hardware the later
//! write wins. i915 leaves such races undefined anyway.

use crate::aperture::Aperture;
use uapi::{I915_TILING_NONE, I915_TILING_X, I915_TILING_Y};

/// An object's fence tiling (`obj->tiling_and_stride`) and its GTT view.
#[derive(Debug, Default)]
pub struct GttState {
    /// `I915_TILING_*`.
    pub tiling: u32,
    /// Row pitch in bytes; 0 when untiled.
    pub stride: u32,
    view: Option<View>,
}

#[derive(Debug)]
struct View {
    /// The view's range in the aperture (as long as the object).
    offset: u64,
    /// The object's pages in the aperture.
    pages: u64,
    /// What the view showed after the last sync (as long as the object).
    snapshot: Vec<u8>,
}

/// One run of bytes that is contiguous in both the linear view and the tiled object.
#[derive(Clone, Copy)]
struct Span {
    linear: u64,
    tiled: u64,
    len: usize,
}

impl GttState {
    /// Whether the object is tiled.
    pub fn is_tiled(&self) -> bool {
        self.tiling != I915_TILING_NONE
    }

    /// The aperture offset of the view, if the object has one.
    pub fn view_offset(&self) -> Option<u64> {
        self.view.as_ref().map(|v| v.offset)
    }

    /// Give the object (`size` bytes at `pages` in the aperture) a view at `offset` (a
    /// freshly allocated range as long) and fill it from the object. `ENOMEM` when the
    /// daemon has no memory for the view's snapshot (a huge object): the daemon lives on.
    pub(crate) fn attach_view(
        &mut self,
        ap: &Aperture,
        pages: u64,
        size: u64,
        offset: u64,
    ) -> crate::Result<()> {
        debug_assert!(self.view.is_none());
        let mut snapshot = Vec::new();
        snapshot
            .try_reserve_exact(size as usize)
            .map_err(|_| crate::Errno::ENOMEM)?;
        snapshot.resize(size as usize, 0);
        self.view = Some(View {
            offset,
            pages,
            snapshot,
        });
        let spans = self.spans();
        self.refill(ap, &spans);
        Ok(())
    }

    /// Take the view away (the object is going): its aperture offset.
    pub(crate) fn detach_view(&mut self) -> Option<u64> {
        self.view.take().map(|v| v.offset)
    }

    /// Bring the view (if any) and the object in step: write what the client changed
    /// through the view into the object, then show the object's contents in the view.
    pub(crate) fn sync(&mut self, ap: &Aperture) {
        let spans = self.spans();
        self.flush(ap, &spans);
        self.refill(ap, &spans);
    }

    /// Change the layout: flush under the old one, refill under the new one (i915
    /// revokes GTT mappings here, and the next fault goes through the new fence).
    pub(crate) fn set_tiling(&mut self, ap: &Aperture, tiling: u32, stride: u32) {
        let spans = self.spans();
        self.flush(ap, &spans);
        self.tiling = tiling;
        self.stride = stride;
        let spans = self.spans();
        self.refill(ap, &spans);
    }

    /// Copy each byte that differs between the view and the snapshot into the object.
    fn flush(&mut self, ap: &Aperture, spans: &[Span]) {
        let Some(view) = self.view.as_mut() else {
            return;
        };
        let mut seen = [0u8; 512];
        for s in spans {
            let seen = &mut seen[..s.len];
            ap.read(view.offset + s.linear, seen);
            let snap = &view.snapshot[s.linear as usize..][..s.len];
            if seen == snap {
                continue;
            }
            let mut obj = [0u8; 512];
            let obj = &mut obj[..s.len];
            ap.read(view.pages + s.tiled, obj);
            for ((o, &v), &was) in obj.iter_mut().zip(seen.iter()).zip(snap) {
                if v != was {
                    *o = v;
                }
            }
            ap.write(view.pages + s.tiled, obj);
        }
    }

    /// Show the object's contents in the view and remember them as the snapshot.
    fn refill(&mut self, ap: &Aperture, spans: &[Span]) {
        let Some(view) = self.view.as_mut() else {
            return;
        };
        let mut seen = [0u8; 512];
        for s in spans {
            let snap = &mut view.snapshot[s.linear as usize..][..s.len];
            ap.read(view.pages + s.tiled, snap);
            let seen = &mut seen[..s.len];
            ap.read(view.offset + s.linear, seen);
            // Only what changed is written, so a client's concurrent write elsewhere in
            // the span is not undone.
            if seen != snap {
                ap.write(view.offset + s.linear, snap);
            }
        }
    }

    /// The view's bytes in linear order, as spans that are contiguous in the object
    /// too (none without a view). Bytes of the view whose tiled place lies beyond the
    /// object (a partial tile row at the end) are left out: the fence covers them, no
    /// page backs them.
    fn spans(&self) -> Vec<Span> {
        let Some(view) = &self.view else {
            return Vec::new();
        };
        let size = view.snapshot.len() as u64;
        let (layout, chunk) = match self.tiling {
            I915_TILING_X => (gpu_backend::Tiling::X, 512),
            I915_TILING_Y => (gpu_backend::Tiling::Y, 16),
            _ => (gpu_backend::Tiling::Linear, 512),
        };
        let stride = if self.is_tiled() {
            u64::from(self.stride)
        } else {
            size
        };
        let mut spans = Vec::with_capacity((size / chunk) as usize);
        let mut linear = 0;
        while linear < size {
            let (y, x) = (linear / stride, linear % stride);
            let tiled = layout.offset(stride, x, y);
            let len = chunk.min(size - linear);
            if tiled + len <= size {
                spans.push(Span {
                    linear,
                    tiled,
                    len: len as usize,
                });
            }
            linear += len;
        }
        spans
    }
}

/// `i915_tiling_ok` for Gen12: linear always; X and Y need a stride that is a
/// whole number of tile widths (512 bytes for X, 128 for Y) and fits the fence's pitch
/// field (`GEN7_FENCE_MAX_PITCH_VAL` 128-byte units).
pub(crate) fn tiling_ok(tiling: u32, stride: u32) -> bool {
    const GEN7_FENCE_MAX_PITCH_VAL: u32 = 0x800;
    let tile_width = match tiling {
        I915_TILING_NONE => return true,
        I915_TILING_X => 512,
        I915_TILING_Y => 128,
        _ => return false,
    };
    stride / 128 <= GEN7_FENCE_MAX_PITCH_VAL && stride != 0 && stride.is_multiple_of(tile_width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aperture::{FIRST_OFFSET, PAGE_SIZE};

    const SIZE: u64 = 8 * PAGE_SIZE;

    #[test]
    fn a_view_the_daemon_cannot_hold_is_enomem() {
        let ap = Aperture::anonymous(FIRST_OFFSET + 64 * PAGE_SIZE).unwrap();
        let mut g = GttState {
            tiling: I915_TILING_X,
            stride: 512,
            ..Default::default()
        };
        // More than any allocator can give: refused before anything is touched.
        let huge = u64::MAX / 2;
        assert_eq!(
            g.attach_view(&ap, FIRST_OFFSET, huge, FIRST_OFFSET),
            Err(crate::Errno::ENOMEM)
        );
        assert_eq!(g.view_offset(), None);
    }

    fn setup(tiling: u32, stride: u32) -> (Aperture, u64, GttState) {
        let ap = Aperture::anonymous(FIRST_OFFSET + 64 * PAGE_SIZE).unwrap();
        let obj = ap.alloc(SIZE).unwrap();
        let pattern: Vec<u8> = (0..SIZE).map(|i| (i * 7 % 251) as u8).collect();
        ap.write(obj, &pattern);
        let mut g = GttState {
            tiling,
            stride,
            ..Default::default()
        };
        let view = ap.alloc(SIZE).unwrap();
        g.attach_view(&ap, obj, SIZE, view).unwrap();
        (ap, obj, g)
    }

    fn byte(ap: &Aperture, at: u64) -> u8 {
        let mut b = [0];
        ap.read(at, &mut b);
        b[0]
    }

    #[test]
    fn the_view_detiles_x() {
        let stride = 1024;
        let (ap, obj, g) = setup(I915_TILING_X, stride);
        let view = g.view_offset().unwrap();
        for (x, y) in [
            (0, 0),
            (511, 0),
            (512, 0),
            (3, 1),
            (1000, 7),
            (5, 8),
            (1023, 31),
        ] {
            let linear = y * u64::from(stride) + x;
            let tiled = gpu_backend::Tiling::X.offset(u64::from(stride), x, y);
            assert_eq!(
                byte(&ap, view + linear),
                byte(&ap, obj + tiled),
                "({x},{y})"
            );
        }
    }

    #[test]
    fn a_view_write_reaches_the_object_and_an_object_write_the_view() {
        let stride = 512;
        let (ap, obj, mut g) = setup(I915_TILING_Y, stride);
        let view = g.view_offset().unwrap();
        // Row 1, byte 0 of a Y tile sits 16 bytes into the object.
        ap.write(view + 512, &[0xaa]);
        ap.write(obj + 17, &[0xbb]);
        g.sync(&ap);
        assert_eq!(byte(&ap, obj + 16), 0xaa);
        assert_eq!(byte(&ap, view + 513), 0xbb);
        // A second sync changes nothing.
        g.sync(&ap);
        assert_eq!(byte(&ap, obj + 16), 0xaa);
        assert_eq!(byte(&ap, view + 513), 0xbb);
    }

    #[test]
    fn untiling_shows_the_object_as_it_is() {
        let (ap, obj, mut g) = setup(I915_TILING_X, 512);
        g.set_tiling(&ap, I915_TILING_NONE, 0);
        let view = g.view_offset().unwrap();
        let (mut a, mut b) = (vec![0; SIZE as usize], vec![0; SIZE as usize]);
        ap.read(obj, &mut a);
        ap.read(view, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn tiling_rules() {
        assert!(tiling_ok(I915_TILING_NONE, 0));
        assert!(tiling_ok(I915_TILING_X, 512));
        assert!(!tiling_ok(I915_TILING_X, 128));
        assert!(tiling_ok(I915_TILING_Y, 128));
        assert!(!tiling_ok(I915_TILING_Y, 0));
        assert!(tiling_ok(I915_TILING_X, 256 * 1024));
        assert!(!tiling_ok(I915_TILING_X, 256 * 1024 + 512));
        assert!(!tiling_ok(3, 512));
    }
}
