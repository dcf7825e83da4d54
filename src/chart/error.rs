//! `ChartError`: every reason a chart is refused, each saying what to fix.

use std::fmt;

/// Why a chart could not be rendered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChartError {
    /// The chart has no days.
    NoDays,
    /// More days than [`MAX_DAYS`](super::MAX_DAYS).
    TooManyDays { got: usize, max: usize },
    /// A health chart without panels.
    NoPanels,
    /// More line panels than [`MAX_PANELS`](super::MAX_PANELS).
    TooManyPanels { got: usize, max: usize },
    /// A per-day list whose length differs from the number of days.
    LengthMismatch {
        what: String,
        expected: usize,
        got: usize,
    },
    /// `today` points past the last day.
    TodayOutOfRange { today: usize, days: usize },
    /// A NaN or infinite number (`index` is the day, when it is a daily value).
    NotFinite { what: String, index: Option<usize> },
    /// A number beyond [`super::MAX_ABS_VALUE`] in magnitude.
    TooLarge {
        what: String,
        index: Option<usize>,
        value: f64,
    },
    /// A band with `low > high`, or a median outside `low..=high`.
    BadBand { panel: String, reason: &'static str },
    /// A fixed y range that is empty or inverted.
    BadRange { panel: String, low: f64, high: f64 },
    /// The image buffer could not be made.
    Canvas { width: u32, height: u32 },
    /// The embedded font did not parse (a build problem, not an input one).
    Font,
    /// PNG encoding failed.
    Encode(String),
}

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChartError::NoDays => write!(f, "chart has no days"),
            ChartError::TooManyDays { got, max } => {
                write!(f, "chart has {got} days; at most {max} are drawn")
            }
            ChartError::NoPanels => write!(f, "chart has no panels"),
            ChartError::TooManyPanels { got, max } => {
                write!(f, "chart has {got} panels; at most {max} are drawn")
            }
            ChartError::LengthMismatch {
                what,
                expected,
                got,
            } => write!(
                f,
                "{what} has {got} entries but the chart has {expected} days"
            ),
            ChartError::TodayOutOfRange { today, days } => {
                write!(f, "today is day {today} but the chart has only {days} days")
            }
            ChartError::NotFinite { what, index } => match index {
                Some(i) => write!(f, "{what}: value for day {i} is NaN or infinite"),
                None => write!(f, "{what} is NaN or infinite"),
            },
            ChartError::TooLarge { what, index, value } => match index {
                Some(i) => write!(
                    f,
                    "{what}: value {value:e} for day {i} is beyond ±{:e}",
                    super::MAX_ABS_VALUE
                ),
                None => write!(f, "{what} {value:e} is beyond ±{:e}", super::MAX_ABS_VALUE),
            },
            ChartError::BadBand { panel, reason } => {
                write!(f, "panel {panel:?}: normal band {reason}")
            }
            ChartError::BadRange { panel, low, high } => write!(
                f,
                "panel {panel:?}: fixed range {low}..{high} is empty or inverted"
            ),
            ChartError::Canvas { width, height } => {
                write!(f, "could not allocate a {width}×{height} image")
            }
            ChartError::Font => write!(f, "the embedded font did not parse"),
            ChartError::Encode(e) => write!(f, "PNG encoding failed: {e}"),
        }
    }
}

impl std::error::Error for ChartError {}
