//! The charts people see, as data for [`crate::chart`]: the 14-day health chart (readiness,
//! HRV, sleep hours, each with the person's normal as a band, today marked, days without data
//! left as gaps) for `/readiness` and the brief, and the 7-day week chart (readiness and sleep,
//! tasks done against tasks created) for `/week`. Rendering to PNG is `chart`'s.

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::chart::{self, Band, ChartError, HealthChart, Rgb, Series, WeekChart};
use crate::monitors::baseline::{self, Day, Normal};
use crate::sources::{OuraSnapshot, WorkosSnapshot};
use crate::zone::Zone;

/// Days on the health chart (today included).
pub const HEALTH_DAYS: u64 = 14;
/// Days on the week chart (today included).
pub const WEEK_DAYS: u64 = 7;

fn band(n: Normal) -> Band {
    Band {
        low: n.low,
        median: n.median,
        high: n.high,
    }
}

/// The health chart's PNG for the 14 days ending `today`.
pub fn health_png(oura: &OuraSnapshot, today: NaiveDate) -> Result<Vec<u8>, ChartError> {
    chart::render_health(&health_chart(oura, today))
}

/// The health chart for the 14 days ending `today`, normals from the 14 days before today.
pub fn health_chart(oura: &OuraSnapshot, today: NaiveDate) -> HealthChart {
    let first = today
        .checked_sub_days(Days::new(HEALTH_DAYS - 1))
        .unwrap_or(today);
    let normal_from = today
        .checked_sub_days(Days::new(baseline::NORMAL_DAYS))
        .unwrap_or(first);
    let rows = baseline::days(oura, normal_from.min(first), today);
    let shown: Vec<&Day> = rows.iter().filter(|d| d.day >= first).collect();
    let panel = |label: &str, unit: &str, accent: Rgb, measure: fn(&Day) -> Option<f64>| Series {
        normal: baseline::normal_before(&rows, today, measure).map(band),
        accent: Some(accent),
        ..Series::new(label, unit, shown.iter().map(|d| measure(d)).collect())
    };
    HealthChart {
        title: format!("Last {HEALTH_DAYS} days · {}", today.format("%a %-d %b")),
        days: shown.iter().map(|d| d.day).collect(),
        today: shown.iter().position(|d| d.day == today),
        panels: vec![
            Series {
                range: Some((0.0, 100.0)),
                ..panel("Readiness", "", Rgb::READINESS, |d| d.readiness)
            },
            panel("HRV", "ms", Rgb::HRV, |d| d.hrv),
            Series {
                decimals: 1,
                ..panel("Sleep", "h", Rgb::SLEEP, |d| d.sleep_hours)
            },
        ],
    }
}

/// What a week of work looked like: tasks done and created per day, oldest first.
pub fn tasks_per_day(
    workos: Option<&WorkosSnapshot>,
    days: &[NaiveDate],
    tz: &Zone,
) -> (Vec<u32>, Vec<u32>) {
    let mut done = vec![0u32; days.len()];
    let mut created = vec![0u32; days.len()];
    let local = |t: DateTime<Utc>| t.with_timezone(tz).date_naive();
    for task in workos.map(|w| w.tasks.as_slice()).unwrap_or_default() {
        let finished = task.completed_at.or(if task.is_done() {
            task.updated_at
        } else {
            None
        });
        if let Some(at) = finished
            && let Some(i) = days.iter().position(|d| *d == local(at))
        {
            done[i] = done[i].saturating_add(1);
        }
        if let Some(at) = task.created_at
            && let Some(i) = days.iter().position(|d| *d == local(at))
        {
            created[i] = created[i].saturating_add(1);
        }
    }
    (done, created)
}

/// The week chart for the 7 days ending `today`.
pub fn week_chart(
    oura: Option<&OuraSnapshot>,
    workos: Option<&WorkosSnapshot>,
    today: NaiveDate,
    tz: &Zone,
) -> WeekChart {
    let first = today
        .checked_sub_days(Days::new(WEEK_DAYS - 1))
        .unwrap_or(today);
    let normal_from = today
        .checked_sub_days(Days::new(baseline::NORMAL_DAYS))
        .unwrap_or(first);
    let empty = OuraSnapshot::default();
    let rows = baseline::days(oura.unwrap_or(&empty), normal_from, today);
    let shown: Vec<&Day> = rows.iter().filter(|d| d.day >= first).collect();
    let days: Vec<NaiveDate> = shown.iter().map(|d| d.day).collect();
    let (done, created) = tasks_per_day(workos, &days, tz);
    let panel = |label: &str, unit: &str, accent: Rgb, measure: fn(&Day) -> Option<f64>| Series {
        normal: baseline::normal_before(&rows, today, measure).map(band),
        accent: Some(accent),
        ..Series::new(label, unit, shown.iter().map(|d| measure(d)).collect())
    };
    WeekChart {
        title: format!("This week · {}", today.format("%a %-d %b")),
        today: days.iter().position(|d| *d == today),
        days,
        panels: vec![
            Series {
                range: Some((0.0, 100.0)),
                ..panel("Readiness", "", Rgb::READINESS, |d| d.readiness)
            },
            Series {
                decimals: 1,
                ..panel("Sleep", "h", Rgb::SLEEP, |d| d.sleep_hours)
            },
        ],
        done,
        created,
    }
}
