//! The look in one place: colours, text sizes and the vertical layout in pixels.

use super::Rgb;

/// Page background.
pub(crate) const BG: Rgb = Rgb(0xFF, 0xFF, 0xFF);
/// Main text: title, labels, values.
pub(crate) const TEXT: Rgb = Rgb(0x1F, 0x24, 0x30);
/// Secondary text: units, day names, "usual …".
pub(crate) const MUTED: Rgb = Rgb(0x6B, 0x72, 0x80);
/// Tick labels.
pub(crate) const FAINT: Rgb = Rgb(0x9A, 0xA1, 0xAC);
/// Horizontal grid lines.
pub(crate) const GRID: Rgb = Rgb(0xEC, 0xEE, 0xF1);
/// The baseline under each plot.
pub(crate) const AXIS: Rgb = Rgb(0xCF, 0xD4, 0xDB);
/// Today's column.
pub(crate) const TODAY_BG: Rgb = Rgb(0xFF, 0xF3, 0xD9);
/// Opacity of today's column over the plot (the band shows through).
pub(crate) const TODAY_ALPHA: f32 = 0.7;
/// Today's day label.
pub(crate) const TODAY_TEXT: Rgb = Rgb(0x9A, 0x5B, 0x00);
/// A latest value below the usual range.
pub(crate) const ALERT: Rgb = Rgb(0xC4, 0x41, 0x0C);

/// Accents for panels that do not set their own, by position.
pub(crate) const PALETTE: [Rgb; 6] = [
    Rgb::READINESS,
    Rgb::HRV,
    Rgb::SLEEP,
    Rgb(0xD9, 0x7A, 0x1A),
    Rgb(0xC2, 0x4E, 0x7A),
    Rgb(0x4B, 0x5B, 0x73),
];

/// Opacity of the normal band's fill.
pub(crate) const BAND_ALPHA: f32 = 0.14;
/// Opacity of the median line.
pub(crate) const MEDIAN_ALPHA: f32 = 0.6;

/// Outer margin left and right.
pub(crate) const PAD_X: f32 = 36.0;
/// Room left of each plot for its tick labels.
pub(crate) const TICK_W: f32 = 62.0;
/// Height of the title row.
pub(crate) const TITLE_H: f32 = 86.0;
/// Height of a panel's header (label and value) above its plot.
pub(crate) const HEADER_H: f32 = 58.0;
/// Height of a plot.
pub(crate) const PLOT_H: f32 = 196.0;
/// Space below a plot before the next panel.
pub(crate) const PANEL_GAP: f32 = 30.0;
/// Height of the day labels under the last plot, with the bottom margin.
pub(crate) const AXIS_H: f32 = 74.0;

/// Title text size.
pub(crate) const TITLE_SIZE: f32 = 34.0;
/// Panel label size.
pub(crate) const LABEL_SIZE: f32 = 27.0;
/// Panel value size.
pub(crate) const VALUE_SIZE: f32 = 36.0;
/// Notes beside the value ("below usual", "usual 62–81").
pub(crate) const NOTE_SIZE: f32 = 22.0;
/// Tick and day label size.
pub(crate) const TICK_SIZE: f32 = 20.0;
/// Day number size.
pub(crate) const DAY_SIZE: f32 = 23.0;

/// Line width of the daily values.
pub(crate) const LINE_W: f32 = 3.5;
/// Radius of a day's point.
pub(crate) const POINT_R: f32 = 5.5;
/// Radius of today's point.
pub(crate) const TODAY_POINT_R: f32 = 9.0;
