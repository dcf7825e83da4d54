//! The person's own normal: their Oura numbers as one row per calendar day (a day with no data
//! is a gap, never a zero), and the robust statistics the brief, the charts and the early
//! warnings compare today with: the median and the usual range (the middle half: 25th to 75th
//! percentile) of recent days, and a fitted slope for trends. Pure.

use chrono::{Days, NaiveDate};

use crate::sources::OuraSnapshot;

/// The fewest days a normal is computed from (fewer: no normal, nothing compared).
pub const MIN_SAMPLES: usize = 5;
/// How many days before today a normal looks back over.
pub const NORMAL_DAYS: u64 = 14;

/// One calendar day's numbers; `None` where the ring gave nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Day {
    pub day: NaiveDate,
    pub readiness: Option<f64>,
    /// Last night's average HRV (ms).
    pub hrv: Option<f64>,
    /// Last night's total sleep (hours); legacy `daily_sleep` rows have none.
    pub sleep_hours: Option<f64>,
    /// Last night's lowest heart rate (bpm).
    pub lowest_hr: Option<f64>,
    /// Body temperature deviation from the ring's baseline (°C).
    pub temperature_deviation: Option<f64>,
}

/// Every day from `from` to `to` (both included), in order, gaps included.
pub fn days(oura: &OuraSnapshot, from: NaiveDate, to: NaiveDate) -> Vec<Day> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let readiness = oura.readiness.iter().rev().find(|r| r.day == day);
        let night = oura.sleep.iter().rev().find(|s| s.day == day);
        out.push(Day {
            day,
            readiness: readiness.and_then(|r| r.score).filter(|v| v.is_finite()),
            hrv: night
                .and_then(|n| n.average_hrv)
                .filter(|v| v.is_finite() && *v > 0.0),
            sleep_hours: night
                .and_then(|n| n.total_sleep_hours())
                .filter(|v| v.is_finite() && *v > 0.0),
            lowest_hr: night
                .and_then(|n| n.lowest_heart_rate)
                .filter(|v| v.is_finite() && *v > 0.0),
            temperature_deviation: readiness
                .and_then(|r| r.temperature_deviation)
                .filter(|v| v.is_finite()),
        });
        match day.checked_add_days(Days::new(1)) {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

/// A person's normal for one measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normal {
    pub median: f64,
    /// The usual range: the middle half of the days (25th to 75th percentile).
    pub low: f64,
    pub high: f64,
    pub samples: usize,
}

/// The normal of `values` (non-finite ones dropped), or `None` with fewer than
/// [`MIN_SAMPLES`].
pub fn normal(values: impl IntoIterator<Item = f64>) -> Option<Normal> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.len() < MIN_SAMPLES {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(Normal {
        median: percentile(&v, 0.5),
        low: percentile(&v, 0.25),
        high: percentile(&v, 0.75),
        samples: v.len(),
    })
}

/// The median of `values`, with at least `min` of them.
pub fn median(values: impl IntoIterator<Item = f64>, min: usize) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.len() < min.max(1) {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(percentile(&v, 0.5))
}

/// The `q` quantile (0–1) of sorted, non-empty `v`, interpolated between neighbours.
fn percentile(v: &[f64], q: f64) -> f64 {
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let (a, b) = (v[lo.min(v.len() - 1)], v[hi.min(v.len() - 1)]);
    a + (b - a) * (pos - lo as f64)
}

/// The least-squares slope of `(x, y)` points (y per unit of x), with at least `min` points
/// spread over more than one x.
pub fn slope(points: &[(f64, f64)], min: usize) -> Option<f64> {
    let pts: Vec<&(f64, f64)> = points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    if pts.len() < min.max(2) {
        return None;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|(x, _)| x).sum::<f64>() / n;
    let my = pts.iter().map(|(_, y)| y).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    if sxx <= f64::EPSILON {
        return None;
    }
    let sxy: f64 = pts.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    Some(sxy / sxx)
}

/// The normal of one measure over the [`NORMAL_DAYS`] before `today` (today excluded, so a
/// bad night does not pull its own yardstick down).
pub fn normal_before(
    rows: &[Day],
    today: NaiveDate,
    measure: impl Fn(&Day) -> Option<f64>,
) -> Option<Normal> {
    let start = today.checked_sub_days(Days::new(NORMAL_DAYS))?;
    normal(
        rows.iter()
            .filter(|d| d.day >= start && d.day < today)
            .filter_map(measure),
    )
}

/// Days a personal warning line looks back over, and the fewest it needs.
pub const PERSONAL_DAYS: u64 = 30;
pub const PERSONAL_MIN: usize = 14;

/// The person's own low line for one measure: the 10th percentile of the [`PERSONAL_DAYS`]
/// before `today` (today excluded), with at least [`PERSONAL_MIN`] days of data; `None`
/// otherwise (the absolute threshold applies then).
pub fn personal_low(
    oura: &OuraSnapshot,
    today: NaiveDate,
    measure: impl Fn(&Day) -> Option<f64>,
) -> Option<f64> {
    let start = today.checked_sub_days(Days::new(PERSONAL_DAYS))?;
    let end = today.pred_opt()?;
    let mut v: Vec<f64> = days(oura, start, end)
        .iter()
        .filter_map(measure)
        .filter(|x| x.is_finite())
        .collect();
    if v.len() < PERSONAL_MIN {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(percentile(&v, 0.10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{Readiness, SleepNight};

    fn d(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, n).unwrap_or_default()
    }

    #[test]
    fn a_day_without_data_is_a_gap_not_a_zero() {
        let oura = OuraSnapshot {
            readiness: vec![Readiness {
                day: d(2),
                score: Some(70.0),
                temperature_deviation: Some(0.4),
                ..Readiness::default()
            }],
            sleep: vec![SleepNight {
                day: d(3),
                kind: "long_sleep".into(),
                total_sleep_seconds: Some(7.5 * 3600.0),
                average_hrv: Some(44.0),
                lowest_heart_rate: Some(51.0),
                ..SleepNight::default()
            }],
            ..OuraSnapshot::default()
        };
        let rows = days(&oura, d(1), d(3));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].readiness, None);
        assert_eq!(rows[0].sleep_hours, None);
        assert_eq!(rows[1].readiness, Some(70.0));
        assert_eq!(rows[1].temperature_deviation, Some(0.4));
        assert_eq!(rows[2].sleep_hours, Some(7.5));
        assert_eq!(rows[2].hrv, Some(44.0));
    }

    #[test]
    fn normals_need_five_days_and_ignore_today() {
        assert_eq!(normal([1.0, 2.0, 3.0, 4.0]), None);
        let n = normal([10.0, 20.0, 30.0, 40.0, 50.0]).unwrap();
        assert_eq!((n.low, n.median, n.high), (20.0, 30.0, 40.0));
        assert_eq!(median([5.0, 1.0, f64::NAN, 3.0], 3), Some(3.0));
        assert_eq!(median([5.0, 1.0], 3), None);
        let rows: Vec<Day> = (1..=20)
            .map(|n| Day {
                day: d(n),
                readiness: Some(if n == 20 { 0.0 } else { 80.0 }),
                ..Day::default()
            })
            .collect();
        let n = normal_before(&rows, d(20), |r| r.readiness).unwrap();
        assert_eq!(n.median, 80.0, "today's 0 is not part of its own normal");
        assert_eq!(n.samples, 14);
    }

    #[test]
    fn slopes_fit_a_line() {
        let pts: Vec<(f64, f64)> = (0..7).map(|i| (i as f64, 80.0 - 2.0 * i as f64)).collect();
        assert!((slope(&pts, 5).unwrap() + 2.0).abs() < 1e-9);
        assert_eq!(slope(&pts[..3], 5), None);
        assert_eq!(slope(&[(1.0, 1.0), (1.0, 5.0)], 2), None, "one x only");
    }
}
