//! The drawing surface: a `tiny-skia` pixmap with the few primitives the
//! charts use (rectangles, polylines, circles, filled paths) and PNG encoding.
//!
//! Coordinates are pixels as `f32`; anything non-finite or degenerate is
//! skipped rather than drawn, so a primitive never fails.

use tiny_skia::{
    Color, FillRule, IntSize, LineCap, LineJoin, Paint, Path, PathBuilder, Pixmap, Rect, Stroke,
    StrokeDash, Transform,
};

use super::{ChartError, Rgb, encode};

/// The most pixels a canvas may have (64 Mpx, 256 MB): far past any chart, short of
/// what a bad size could make the daemon allocate.
const MAX_PIXELS: usize = 1 << 26;

/// An opaque RGB image being drawn on.
pub(crate) struct Canvas {
    pixmap: Pixmap,
}

/// How a line is stroked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pen {
    pub(crate) color: Rgb,
    pub(crate) alpha: f32,
    pub(crate) width: f32,
    /// Dash and gap lengths, or `None` for a solid line.
    pub(crate) dash: Option<(f32, f32)>,
}

impl Canvas {
    /// A `width` × `height` canvas filled with `bg`.
    pub(crate) fn new(width: u32, height: u32, bg: Rgb) -> Result<Self, ChartError> {
        let too_big = || ChartError::Canvas { width, height };
        let size = IntSize::from_wh(width, height).ok_or_else(too_big)?;
        let pixels = usize::try_from(u64::from(width) * u64::from(height)).ok();
        // Written once in the background colour (not zeroed, then filled: one pass fewer over
        // the 4 MB). An opaque colour is the same premultiplied or not.
        let data = pixels
            .filter(|&n| n <= MAX_PIXELS)
            .map(|n| [bg.0, bg.1, bg.2, 0xFF].repeat(n))
            .ok_or_else(too_big)?;
        let pixmap = Pixmap::from_vec(data, size).ok_or_else(too_big)?;
        Ok(Canvas { pixmap })
    }

    /// Fills an axis-aligned rectangle.
    pub(crate) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Rgb, alpha: f32) {
        if let Some(r) = Rect::from_xywh(x, y, w, h) {
            self.pixmap
                .fill_rect(r, &paint(fill, alpha), Transform::identity(), None);
        }
    }

    /// Fills a rectangle with rounded corners of radius `r`.
    pub(crate) fn round_rect(&mut self, x: f32, y: f32, w: f32, h: f32, r: f32, fill: Rgb) {
        let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
        let mut pb = PathBuilder::new();
        pb.move_to(x + r, y);
        pb.line_to(x + w - r, y);
        pb.quad_to(x + w, y, x + w, y + r);
        pb.line_to(x + w, y + h - r);
        pb.quad_to(x + w, y + h, x + w - r, y + h);
        pb.line_to(x + r, y + h);
        pb.quad_to(x, y + h, x, y + h - r);
        pb.line_to(x, y + r);
        pb.quad_to(x, y, x + r, y);
        pb.close();
        if let Some(path) = pb.finish() {
            self.fill_path(&path, fill, 1.0);
        }
    }

    /// Fills a bar standing on `y + h` with its top corners rounded by `r`.
    pub(crate) fn bar(&mut self, x: f32, y: f32, w: f32, h: f32, r: f32, fill: Rgb) {
        let r = r.min(w / 2.0).min(h).max(0.0);
        let mut pb = PathBuilder::new();
        pb.move_to(x, y + h);
        pb.line_to(x, y + r);
        pb.quad_to(x, y, x + r, y);
        pb.line_to(x + w - r, y);
        pb.quad_to(x + w, y, x + w, y + r);
        pb.line_to(x + w, y + h);
        pb.close();
        if let Some(path) = pb.finish() {
            self.fill_path(&path, fill, 1.0);
        }
    }

    /// Strokes a polyline through `points` (nothing for fewer than two).
    pub(crate) fn polyline(&mut self, points: &[(f32, f32)], pen: Pen) {
        let mut pb = PathBuilder::new();
        let mut it = points.iter();
        let Some(&(x, y)) = it.next() else { return };
        pb.move_to(x, y);
        for &(x, y) in it {
            pb.line_to(x, y);
        }
        let Some(path) = pb.finish() else { return };
        let stroke = Stroke {
            width: pen.width,
            line_cap: if pen.dash.is_some() {
                LineCap::Butt
            } else {
                LineCap::Round
            },
            line_join: LineJoin::Round,
            dash: pen
                .dash
                .and_then(|(on, off)| StrokeDash::new(vec![on, off], 0.0)),
            ..Stroke::default()
        };
        self.pixmap.stroke_path(
            &path,
            &paint(pen.color, pen.alpha),
            &stroke,
            Transform::identity(),
            None,
        );
    }

    /// Strokes one straight line.
    pub(crate) fn line(&mut self, from: (f32, f32), to: (f32, f32), pen: Pen) {
        self.polyline(&[from, to], pen);
    }

    /// Fills a circle.
    pub(crate) fn circle(&mut self, cx: f32, cy: f32, r: f32, fill: Rgb) {
        if let Some(path) = PathBuilder::from_circle(cx, cy, r) {
            self.fill_path(&path, fill, 1.0);
        }
    }

    /// Fills a path with the non-zero rule (used for glyph outlines).
    pub(crate) fn fill_path(&mut self, path: &Path, fill: Rgb, alpha: f32) {
        self.pixmap.fill_path(
            path,
            &paint(fill, alpha),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }

    /// Encodes the canvas as an indexed PNG, consuming it.
    ///
    /// The canvas starts opaque and is only ever drawn on with source-over, so
    /// every pixel stays opaque and its premultiplied RGB is its straight RGB.
    pub(crate) fn into_png(self) -> Result<Vec<u8>, ChartError> {
        encode::indexed_png(
            self.pixmap.width(),
            self.pixmap.height(),
            self.pixmap.pixels(),
        )
    }
}

fn color(c: Rgb, alpha: f32) -> Color {
    let a = if alpha.is_finite() {
        alpha.clamp(0.0, 1.0)
    } else {
        1.0
    };
    Color::from_rgba8(c.0, c.1, c.2, (a * 255.0).round() as u8)
}

fn paint(c: Rgb, alpha: f32) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color(color(c, alpha));
    p.anti_alias = true;
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_canvas_is_its_background_and_an_absurd_size_is_refused() {
        let cv = Canvas::new(3, 2, Rgb(1, 2, 3)).unwrap();
        assert_eq!(cv.pixmap.pixels().len(), 6);
        for p in cv.pixmap.pixels() {
            assert_eq!((p.red(), p.green(), p.blue(), p.alpha()), (1, 2, 3, 255));
        }
        let refused = |w, h| Canvas::new(w, h, Rgb(0, 0, 0)).err();
        let absurd = ChartError::Canvas {
            width: 100_000,
            height: 100_000,
        };
        assert_eq!(refused(100_000, 100_000), Some(absurd));
        assert!(refused(0, 5).is_some());
    }
}
