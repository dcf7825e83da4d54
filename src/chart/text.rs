//! Text: the embedded DejaVu Sans subsets (regular and bold) and drawing
//! strings with them — measuring, shortening with "…", and filling glyph
//! outlines onto the canvas.
//!
//! The fonts live only as static bytes in the binary; `Fonts::load` parses
//! their table directory on each render (microseconds) and nothing is cached.
//! Characters outside the subset are drawn as '?'. No kerning or shaping:
//! chart labels are short Latin text.

use std::borrow::Cow;

use tiny_skia::PathBuilder;
use ttf_parser::{Face, GlyphId, OutlineBuilder};

use super::canvas::Canvas;
use super::{ChartError, Rgb};

/// The two faces charts are drawn with.
pub(crate) struct Fonts {
    regular: Face<'static>,
    bold: Face<'static>,
}

/// Which face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// Where `x` is relative to the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// Size, face, colour and alignment of a piece of text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub(crate) size: f32,
    pub(crate) weight: Weight,
    pub(crate) color: Rgb,
    pub(crate) align: Align,
}

impl Style {
    /// Left-aligned text.
    pub(crate) fn new(size: f32, weight: Weight, color: Rgb) -> Self {
        Style {
            size,
            weight,
            color,
            align: Align::Left,
        }
    }

    /// The same style with another alignment.
    pub(crate) fn align(self, align: Align) -> Self {
        Style { align, ..self }
    }
}

impl Fonts {
    /// Parses the embedded fonts.
    pub(crate) fn load() -> Result<Self, ChartError> {
        Ok(Fonts {
            regular: Face::parse(REGULAR, 0).map_err(|_| ChartError::Font)?,
            bold: Face::parse(BOLD, 0).map_err(|_| ChartError::Font)?,
        })
    }

    /// The advance width of `text` in pixels.
    pub(crate) fn width(&self, text: &str, size: f32, weight: Weight) -> f32 {
        let face = self.face(weight);
        let scale = size / units_per_em(face);
        text.chars().map(|c| advance(face, c)).sum::<f32>() * scale
    }

    /// `text`, shortened with "…" if it is wider than `max` pixels.
    pub(crate) fn fit<'t>(
        &self,
        text: &'t str,
        size: f32,
        weight: Weight,
        max: f32,
    ) -> Cow<'t, str> {
        if self.width(text, size, weight) <= max {
            return Cow::Borrowed(text);
        }
        let face = self.face(weight);
        let scale = size / units_per_em(face);
        let budget = max - advance(face, ELLIPSIS) * scale;
        let mut used = 0.0;
        let mut out = String::new();
        for c in text.chars() {
            used += advance(face, c) * scale;
            if used > budget {
                break;
            }
            out.push(c);
        }
        out.truncate(out.trim_end().len());
        out.push(ELLIPSIS);
        Cow::Owned(out)
    }

    /// Draws `text` with its baseline at `y`; returns its width.
    pub(crate) fn draw(
        &self,
        canvas: &mut Canvas,
        text: &str,
        x: f32,
        y: f32,
        style: Style,
    ) -> f32 {
        let face = self.face(style.weight);
        let scale = style.size / units_per_em(face);
        let width = self.width(text, style.size, style.weight);
        let mut pen_x = match style.align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        let mut builder = PathBuilder::new();
        for c in text.chars() {
            if let Some(id) = glyph(face, c) {
                let mut outline = Outline {
                    builder: &mut builder,
                    x: pen_x,
                    y,
                    scale,
                };
                // Spaces and the like have no outline: `None` is expected.
                let _ = face.outline_glyph(id, &mut outline);
                pen_x += f32::from(face.glyph_hor_advance(id).unwrap_or(0)) * scale;
            }
        }
        if let Some(path) = builder.finish() {
            canvas.fill_path(&path, style.color, 1.0);
        }
        width
    }

    fn face(&self, weight: Weight) -> &Face<'static> {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

/// DejaVu Sans 2.37, subset (see `fonts/README.md`).
static REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans-subset.ttf");
/// DejaVu Sans Bold 2.37, subset (see `fonts/README.md`).
static BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold-subset.ttf");

const ELLIPSIS: char = '\u{2026}';

/// Glyph for `c`: control characters become spaces, anything missing becomes '?'.
fn glyph(face: &Face<'_>, c: char) -> Option<GlyphId> {
    let c = if c.is_control() { ' ' } else { c };
    face.glyph_index(c).or_else(|| face.glyph_index('?'))
}

fn advance(face: &Face<'_>, c: char) -> f32 {
    glyph(face, c)
        .and_then(|id| face.glyph_hor_advance(id))
        .map_or(0.0, f32::from)
}

fn units_per_em(face: &Face<'_>) -> f32 {
    f32::from(face.units_per_em().max(1))
}

/// Feeds a glyph outline, in font units with y up, into a path in pixels with y down.
struct Outline<'b> {
    builder: &'b mut PathBuilder,
    x: f32,
    y: f32,
    scale: f32,
}

impl Outline<'_> {
    fn at(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.scale, self.y - y * self.scale)
    }
}

impl OutlineBuilder for Outline<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.builder.move_to(x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.builder.line_to(x, y);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x1, y1) = self.at(x1, y1);
        let (x, y) = self.at(x, y);
        self.builder.quad_to(x1, y1, x, y);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (x1, y1) = self.at(x1, y1);
        let (x2, y2) = self.at(x2, y2);
        let (x, y) = self.at(x, y);
        self.builder.cubic_to(x1, y1, x2, y2, x, y);
    }

    fn close(&mut self) {
        self.builder.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_promised_character_is_in_both_faces() {
        let fonts = Fonts::load().unwrap();
        let promised = (' '..='~').chain("·°–—…✓↺%\u{2212}".chars());
        for c in promised {
            for face in [&fonts.regular, &fonts.bold] {
                assert!(face.glyph_index(c).is_some(), "{c:?} missing");
            }
        }
    }

    #[test]
    fn fit_shortens_with_an_ellipsis() {
        let fonts = Fonts::load().unwrap();
        let long = "A very long panel label that cannot possibly fit";
        let short = fonts.fit(long, 20.0, Weight::Regular, 120.0);
        assert!(short.ends_with('…'));
        assert!(fonts.width(&short, 20.0, Weight::Regular) <= 120.0);
        assert_eq!(fonts.fit("HRV", 20.0, Weight::Regular, 120.0), "HRV");
        assert_eq!(fonts.fit("HRV", 20.0, Weight::Regular, 0.0), "…");
    }
}
