//! Strain: early warning of possible illness or overreach, against the person's own normal
//! rather than a fixed line. Four signals, each from last night or this morning:
//!
//! - body temperature: today's readiness `temperature_deviation` above
//!   `strain_temperature_deviation` (°C);
//! - HRV: last night's average HRV at least `strain_hrv_drop_percent` below the median of the
//!   7 nights before (4 of them needed);
//! - resting heart rate: last night's lowest heart rate at least `strain_rhr_rise_bpm` above
//!   the median of the 14 nights before (5 needed);
//! - readiness: today's score below `strain_readiness`.
//!
//! `strain_signals` of them at once (default 2) raise `health:strain` at high priority, the
//! message naming each signal with its numbers. A signal without data is not counted: a
//! night the ring missed is never read as a bad one.

use chrono::{Days, NaiveDate};

use super::text;
use crate::config::HealthThresholds;
use crate::monitors::baseline::{self, Day};

/// Nights of HRV the comparison looks back over, and the fewest it needs.
const HRV_DAYS: u64 = 7;
const HRV_MIN: usize = 4;
/// Nights of lowest heart rate the comparison looks back over, and the fewest it needs.
const RHR_DAYS: u64 = 14;
const RHR_MIN: usize = 5;

/// The strain signals present today, each as a short phrase with its numbers.
pub fn signals(rows: &[Day], today: NaiveDate, t: &HealthThresholds) -> Vec<String> {
    let Some(now) = rows.iter().find(|d| d.day == today) else {
        return Vec::new();
    };
    let before = |days: u64| {
        let start = today.checked_sub_days(Days::new(days)).unwrap_or(today);
        rows.iter().filter(move |d| d.day >= start && d.day < today)
    };
    let mut out = Vec::new();
    if let Some(dev) = now.temperature_deviation
        && dev > t.strain_temperature_deviation
    {
        out.push(format!("body temperature +{dev:.1} °C above your normal"));
    }
    if let (Some(hrv), Some(median)) = (
        now.hrv,
        baseline::median(before(HRV_DAYS).filter_map(|d| d.hrv), HRV_MIN),
    ) && median > 0.0
    {
        let drop = (median - hrv) / median * 100.0;
        if drop >= t.strain_hrv_drop_percent {
            out.push(format!(
                "HRV {} ms, {}% below your 7-day median of {}",
                text::num(hrv),
                text::num(drop),
                text::num(median)
            ));
        }
    }
    if let (Some(rhr), Some(median)) = (
        now.lowest_hr,
        baseline::median(before(RHR_DAYS).filter_map(|d| d.lowest_hr), RHR_MIN),
    ) && rhr - median >= t.strain_rhr_rise_bpm
    {
        out.push(format!(
            "resting heart rate {} bpm, {} above your 14-day median of {}",
            text::num(rhr),
            text::num(rhr - median),
            text::num(median)
        ));
    }
    if let Some(score) = now.readiness
        && score < t.strain_readiness
    {
        out.push(format!("readiness {}", text::num(score)));
    }
    out
}
