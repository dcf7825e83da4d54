//! The `/readiness` reply: today's readiness with contributors, HRV against its 30-day
//! baseline, last night's sleep, and a 14-day trend sparkline.

use crate::zone::Zone;
use chrono::{DateTime, Duration, NaiveDate};

use super::{Text, human_duration, num};
use crate::sources::{OuraSnapshot, Readiness};

/// `▁▂▃▄▅▆▇█` scaled between the series' min and max; gaps (no data) as `·`.
pub fn sparkline(values: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let (min, max) = present
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    values
        .iter()
        .map(|v| match v {
            None => '·',
            Some(_) if (max - min).abs() < f64::EPSILON => BARS[3],
            Some(v) => BARS[(((v - min) / (max - min)) * 7.0).round().clamp(0.0, 7.0) as usize],
        })
        .collect()
}

fn label(score: f64) -> &'static str {
    match score {
        s if s >= 85.0 => "Optimal",
        s if s >= 70.0 => "Good",
        s if s >= 60.0 => "Fair",
        s if s >= 50.0 => "Low",
        _ => "Very Low",
    }
}

/// Readiness's contributors that have a score, by name, in Oura's order (also the brief's
/// "why" line).
pub(super) fn contributors(r: &Readiness) -> Vec<(&'static str, f64)> {
    let c = &r.contributors;
    [
        ("sleep balance", c.sleep_balance),
        ("previous night", c.previous_night),
        ("HRV balance", c.hrv_balance),
        ("recovery index", c.recovery_index),
        ("resting heart rate", c.resting_heart_rate),
        ("body temperature", c.body_temperature),
        ("activity balance", c.activity_balance),
        ("previous day activity", c.previous_day_activity),
    ]
    .into_iter()
    .filter_map(|(name, v)| v.map(|v| (name, v)))
    .collect()
}

pub fn readiness(oura: &OuraSnapshot, now: DateTime<Zone>) -> Text {
    let today = now.date_naive();
    let mut t = Text::new();
    match oura
        .readiness
        .iter()
        .rev()
        .find(|r| r.day == today && r.score.is_some())
    {
        Some(r) => {
            let score = r.score.unwrap_or_default();
            t.text("Readiness today: ")
                .bold(&num(score))
                .line(&format!(" ({})", label(score)));
            let mut parts = contributors(r);
            parts.sort_by(|a, b| a.1.total_cmp(&b.1));
            if !parts.is_empty() {
                let list: Vec<String> = parts
                    .iter()
                    .map(|(n, v)| format!("{n} {}", num(*v)))
                    .collect();
                t.line(&format!(
                    "Contributors (weakest first): {}",
                    list.join(", ")
                ));
            }
            if let Some(dev) = r.temperature_deviation {
                t.line(&format!("Temperature deviation: {dev:+.1} °C"));
            }
        }
        None => {
            t.bold("No readiness for today yet.");
            if let Some(last) = oura.readiness.iter().rev().find(|r| r.score.is_some()) {
                t.text(&format!(
                    " Latest: {} on {}.",
                    num(last.score.unwrap_or_default()),
                    last.day.format("%a %d %b")
                ));
            }
            t.newline();
        }
    }

    let last_night = oura.sleep.iter().rev().find(|s| s.day == today);
    let baseline: Vec<f64> = oura
        .sleep
        .iter()
        .filter(|s| s.day < today && s.day >= today - Duration::days(30))
        .filter_map(|s| s.average_hrv)
        .collect();
    match (last_night.and_then(|s| s.average_hrv), baseline.len()) {
        (Some(hrv), n) if n > 0 => {
            let avg = baseline.iter().sum::<f64>() / n as f64;
            let dev = (hrv - avg) / avg * 100.0;
            t.line(&format!(
                "HRV: {} ms, {dev:+.0}% vs the 30-day average of {} ms ({n} nights)",
                num(hrv),
                num(avg)
            ));
        }
        (Some(hrv), _) => {
            t.line(&format!("HRV: {} ms (no 30-day baseline yet)", num(hrv)));
        }
        (None, _) => {
            t.line("HRV: no reading for last night");
        }
    }

    match last_night {
        Some(s) => {
            let mut parts = Vec::new();
            if let Some(h) = s.total_sleep_hours() {
                parts.push(format!("{} h asleep", num(h)));
            }
            if let Some(e) = s.efficiency {
                parts.push(format!("efficiency {}%", num(e)));
            }
            if let Some(hr) = s.lowest_heart_rate {
                parts.push(format!("lowest HR {} bpm", num(hr)));
            }
            if let Some(score) = s.score {
                parts.push(format!("sleep score {}", num(score)));
            }
            if let (Some(a), Some(b)) = (s.bedtime_start, s.bedtime_end) {
                parts.push(format!("{}–{}", a.format("%H:%M"), b.format("%H:%M")));
            }
            if s.naps > 0 {
                parts.push(format!("{} nap(s)", s.naps));
            }
            t.line(&format!(
                "Last night: {}",
                if parts.is_empty() {
                    "recorded, no details".into()
                } else {
                    parts.join(", ")
                }
            ));
        }
        None => {
            t.line("Last night: no sleep recorded yet");
        }
    }

    let days: Vec<NaiveDate> = (0..14).rev().map(|i| today - Duration::days(i)).collect();
    let series: Vec<Option<f64>> = days
        .iter()
        .map(|d| {
            oura.readiness
                .iter()
                .find(|r| r.day == *d)
                .and_then(|r| r.score)
        })
        .collect();
    let present: Vec<f64> = series.iter().flatten().copied().collect();
    if present.is_empty() {
        t.line("14-day trend: no data");
    } else {
        let lo = present.iter().copied().fold(f64::MAX, f64::min);
        let hi = present.iter().copied().fold(f64::MIN, f64::max);
        t.text("14-day trend: ")
            .code(&sparkline(&series))
            .line(&format!(" ({}–{})", num(lo), num(hi)));
    }
    if let Some(sync) = oura.last_sync {
        t.line(&format!(
            "Oura data synced {} ago",
            human_duration(now.to_utc() - sync)
        ));
    }
    t.trimmed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_and_marks_gaps() {
        assert_eq!(
            sparkline(&[Some(50.0), None, Some(100.0), Some(75.0)]),
            "▁·█▅"
        );
        assert_eq!(sparkline(&[Some(70.0), Some(70.0)]), "▄▄");
        assert_eq!(sparkline(&[None, None]), "··");
    }
}
