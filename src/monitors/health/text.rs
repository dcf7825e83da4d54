//! Number and date wording shared by the three monitors' messages, so every alert formats
//! figures the same way: whole numbers without a trailing `.0`, measured hours with one
//! decimal, percentages whole. Pure functions, no IO.

use chrono::NaiveDate;

/// A threshold or score: `62`, `6`, `6.5` (one decimal only when the value has a fraction).
pub(crate) fn num(x: f64) -> String {
    if !x.is_finite() {
        return "?".to_string();
    }
    let tenths = (x * 10.0).round() / 10.0;
    if (tenths - tenths.round()).abs() < 1e-9 {
        format!("{}", tenths.round() as i64)
    } else {
        format!("{tenths:.1}")
    }
}

/// Measured hours with one decimal, truncated rather than rounded so a value just under a
/// limit never reads as the limit itself (5.97 h shows as "5.9 h" under a 6 h warning).
pub(crate) fn hours(h: f64) -> String {
    if !h.is_finite() {
        return "? h".to_string();
    }
    // The small nudge keeps 5.4 (stored as 5.3999…) from truncating to 5.3.
    let tenths = (h * 10.0 + 1e-6).floor() / 10.0;
    format!("{tenths:.1} h")
}

/// A whole percentage of a magnitude: `27%`.
pub(crate) fn percent(p: f64) -> String {
    if !p.is_finite() {
        return "?%".to_string();
    }
    format!("{}%", p.abs().round() as i64)
}

/// A calendar date as people say it: `Mon 24 Nov`.
pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}

/// "yesterday", "3 days ago".
pub(crate) fn days_ago(days: i64) -> String {
    match days {
        1 => "yesterday".to_string(),
        n => format!("{n} days ago"),
    }
}

/// The first `max` items joined with commas, then "and N more".
pub(crate) fn list_some(items: &[&str], max: usize) -> String {
    let shown = items
        .iter()
        .take(max)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    match items.len().saturating_sub(max) {
        0 => shown,
        rest => format!("{shown} and {rest} more"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_without_noise() {
        let cases = [
            (62.0, "62"),
            (6.5, "6.5"),
            (61.96, "62"),
            (-25.0, "-25"),
            (f64::NAN, "?"),
        ];
        for (x, want) in cases {
            assert_eq!(num(x), want, "num({x})");
        }
    }

    #[test]
    fn hours_truncate_to_one_decimal() {
        let cases = [
            (5.4, "5.4 h"),
            (19_440.0 / 3600.0, "5.4 h"),
            (5.97, "5.9 h"),
            (7.0, "7.0 h"),
        ];
        for (h, want) in cases {
            assert_eq!(hours(h), want, "hours({h})");
        }
    }

    #[test]
    fn lists_and_dates() {
        assert_eq!(list_some(&["a", "b", "c"], 2), "a, b and 1 more");
        assert_eq!(list_some(&["a"], 2), "a");
        let d = NaiveDate::from_ymd_opt(2025, 11, 24).unwrap();
        assert_eq!(day(d), "Mon 24 Nov");
        assert_eq!(days_ago(1), "yesterday");
        assert_eq!(days_ago(3), "3 days ago");
        assert_eq!(percent(-26.9), "27%");
    }
}
