//! Health and week charts as PNG bytes for Telegram `sendPhoto`: the public
//! data types and the two render entry points.
//!
//! Plain data in, PNG bytes out. Everything is drawn in-process with
//! `tiny-skia`; text uses a DejaVu Sans subset embedded in the binary
//! (see `fonts/README.md`), so no system font is ever looked up. Nothing is
//! cached between renders: the font is parsed from its static bytes on each
//! call and every buffer is dropped before the call returns.
//!
//! Bad input never panics: it is either rejected with a [`ChartError`] that
//! says what is wrong, or drawn sensibly (a panel whose values are all
//! missing is drawn with a "no data" note).
//!
//! ```
//! use operator::chart::{Band, HealthChart, Series, render_health};
//! use chrono::NaiveDate;
//!
//! let first = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
//! let readiness = vec![Some(72.0), Some(78.0), None, Some(69.0), Some(48.0)];
//! let chart = HealthChart {
//!     title: "Last 5 days · Tue 24 Nov".into(),
//!     days: first.iter_days().take(5).collect(),
//!     today: Some(4),
//!     panels: vec![Series {
//!         normal: Some(Band { low: 64.0, median: 75.0, high: 84.0 }),
//!         range: Some((0.0, 100.0)),
//!         ..Series::new("Readiness", "", readiness)
//!     }],
//! };
//! let png: Vec<u8> = render_health(&chart)?; // ready for sendPhoto
//! assert!(png.starts_with(b"\x89PNG"));
//! # Ok::<(), operator::chart::ChartError>(())
//! ```

mod canvas;
mod encode;
mod error;
mod render;
mod scale;
mod style;
mod text;
mod validate;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;

pub use error::ChartError;

/// Width in pixels of every chart. The height follows from the number of panels.
pub const WIDTH: u32 = 1080;

/// The most days one chart accepts (day labels thin out past about 14).
pub const MAX_DAYS: usize = 62;

/// The most line panels one chart accepts.
pub const MAX_PANELS: usize = 6;

/// The largest magnitude a value, band bound or fixed range bound may have.
pub const MAX_ABS_VALUE: f64 = 1e12;

/// A person's normal for one measure: their usual range and its median.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Bottom of the usual range.
    pub low: f64,
    /// The median, drawn as a thin dashed line inside the band.
    pub median: f64,
    /// Top of the usual range.
    pub high: f64,
}

/// A colour as 8-bit sRGB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Accent for readiness (calm blue).
    pub const READINESS: Rgb = Rgb(0x2F, 0x6F, 0xDB);
    /// Accent for heart-rate variability (violet).
    pub const HRV: Rgb = Rgb(0x7C, 0x4D, 0xD1);
    /// Accent for sleep (teal).
    pub const SLEEP: Rgb = Rgb(0x12, 0x8C, 0x7E);
    /// Bar colour for tasks done (green).
    pub const DONE: Rgb = Rgb(0x2E, 0x9E, 0x5B);
    /// Bar colour for tasks created (muted blue-grey).
    pub const CREATED: Rgb = Rgb(0xA3, 0xB1, 0xC6);
}

/// One panel of daily values: a line with points, gaps where a value is missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// Panel label written at the top-left, e.g. "Readiness".
    pub label: String,
    /// Unit written after the value, e.g. "ms" or "h"; empty for none.
    pub unit: String,
    /// One value per day, `None` where the day has no data. Must be as long as the chart's days.
    pub values: Vec<Option<f64>>,
    /// The person's usual range, drawn as a shaded band with its median.
    pub normal: Option<Band>,
    /// Decimals shown for values (clamped to 0..=3).
    pub decimals: u8,
    /// A fixed y range, e.g. `Some((0.0, 100.0))`; `None` fits the values and the band.
    /// Values outside a fixed range are drawn at its edge.
    pub range: Option<(f64, f64)>,
    /// Line colour; `None` picks one from a palette by panel position.
    pub accent: Option<Rgb>,
}

/// The 14-day health chart: stacked line panels sharing one axis of days.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HealthChart {
    /// Title line on top, e.g. "Last 14 days · Thu 3 Dec".
    pub title: String,
    /// The days, oldest first; one x position each.
    pub days: Vec<NaiveDate>,
    /// Index into `days` of today, highlighted as a column.
    pub today: Option<usize>,
    /// The panels, top to bottom (readiness, HRV, sleep).
    pub panels: Vec<Series>,
}

/// The week chart: line panels as in [`HealthChart`] plus a bar panel of tasks done vs created.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WeekChart {
    /// Title line on top, e.g. "Week 49 · 27 Nov – 3 Dec".
    pub title: String,
    /// The days, oldest first.
    pub days: Vec<NaiveDate>,
    /// Index into `days` of today, highlighted as a column.
    pub today: Option<usize>,
    /// The line panels, top to bottom (readiness, sleep); may be empty.
    pub panels: Vec<Series>,
    /// Tasks done per day; as long as `days`.
    pub done: Vec<u32>,
    /// Tasks created per day; as long as `days`.
    pub created: Vec<u32>,
}

impl Series {
    /// A series with the given label, unit and values, no band, auto range and default colour.
    pub fn new(
        label: impl Into<String>,
        unit: impl Into<String>,
        values: Vec<Option<f64>>,
    ) -> Self {
        Series {
            label: label.into(),
            unit: unit.into(),
            values,
            ..Series::default()
        }
    }
}

/// Renders the health chart to PNG bytes.
///
/// # Errors
/// A [`ChartError`] for input that cannot be drawn: no days, too many days or
/// panels, a series whose length differs from the days, a NaN or infinite
/// value, a value beyond [`MAX_ABS_VALUE`], a band with `low > high` or a
/// median outside it, an empty or inverted fixed range, or `today` past the end.
pub fn render_health(chart: &HealthChart) -> Result<Vec<u8>, ChartError> {
    render::health(chart)
}

/// Renders the week chart to PNG bytes.
///
/// # Errors
/// As [`render_health`], plus `done` or `created` not as long as `days`.
/// A week chart with no line panels is allowed (only the tasks panel is drawn).
pub fn render_week(chart: &WeekChart) -> Result<Vec<u8>, ChartError> {
    render::week(chart)
}
