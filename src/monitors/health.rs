//! The health monitor: today's Oura numbers against the configured thresholds.
//!
//! "Today" is `now.date_naive()` in the user's zone; an Oura `day` is the local wake-up day,
//! so last night's sleep and this morning's readiness both carry today's date. Every rule
//! reads only rows for the day it judges: yesterday's readiness never raises today's alert.
//!
//! Rules and priorities (class `health`):
//!
//! | key | fires when | warning | critical |
//! |---|---|---|---|
//! | `health:readiness` | today's score < `readiness_warning` / `_critical` | medium | critical |
//! | `health:hrv` | last night's HRV vs the mean of the previous 30 nights (≥ 7 needed), deviation ≤ `hrv_warning_deviation` / `_critical` | medium | critical |
//! | `health:sleep` | last night's total sleep < `sleep_hours_warning` / `_critical` | medium | **high** |
//! | `health:stress` | stress level (below) > `stress_high` / `stress_critical` | medium | high |
//! | `health:recovery_index` | today's recovery-index contributor < `recovery_index_warning` / `_critical` | medium | high |
//! | `health:no_data` | no cache sync recorded, or the last one older than `data_stale_hours` | low | — |
//! | `health:strain` | at least `strain_signals` of four signals against the person's own normal (see `strain`) | high | — |
//!
//! **Personal thresholds** (`thresholds.mode: personal`): the readiness, HRV and sleep
//! *warnings* fire below the person's own 10th percentile of the 30 days before today (14 days
//! of data needed, else the absolute line applies), and the message names that line. The
//! critical levels stay absolute.
//!
//! Readiness and HRV at their critical level are critical. Sleep, stress and recovery index
//! stop at high: one short night or one tense day is worth a push, not an emergency.
//! Legacy `daily_sleep` rows carry no duration, so they never raise a sleep-hours alert.
//!
//! **Stress level (0-100).** Oura's `daily_stress` gives seconds of high stress and of high
//! recovery, not a level. The level is `100 × stress_high / (stress_high + recovery_high)`,
//! rounded to a whole number like Oura's own scores, and used only when the two add up to at
//! least 30 minutes (less is too little signal). When the
//! seconds are unusable but Oura's own `day_summary` is `stressful`, the level is taken as
//! `stress_high + 1`: just over the warning line, so Oura's verdict raises a medium alert and
//! never a high one. Today's document is used, else yesterday's.
//!
//! **No new data** is not an outage: data only arrives after the phone syncs the ring, so a
//! stale cache is a low-priority nudge. A snapshot with no sync time at all (the writer never
//! recorded one) counts as stale too.

mod strain;
pub(crate) mod text;

use crate::zone::Zone;
use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::alert::{Alert, AlertClass, Findings, Priority};
use crate::config::HealthThresholds;
use crate::sources::{OuraSnapshot, Stress};

/// How many earlier nights the HRV baseline looks back over.
const HRV_BASELINE_DAYS: u64 = 30;
/// The fewest baseline nights an HRV comparison needs.
const HRV_MIN_BASELINE_NIGHTS: usize = 7;
/// The least high-stress plus high-recovery time that yields a stress level.
const STRESS_MIN_SECONDS: f64 = 30.0 * 60.0;

/// Evaluates every health rule for `now` (the user's local time).
pub fn health(oura: &OuraSnapshot, now: DateTime<Zone>, t: &HealthThresholds) -> Findings {
    let ctx = Ctx {
        today: now.date_naive(),
        at: now.with_timezone(&Utc),
    };
    let mut findings = Findings::default();
    let rules = [
        readiness(oura, &ctx, t),
        hrv(oura, &ctx, t),
        sleep(oura, &ctx, t),
        stress(oura, &ctx, t),
        recovery_index(oura, &ctx, t),
        no_data(oura, &ctx, t),
        strain(oura, &ctx, t),
    ];
    for alert in rules.into_iter().flatten() {
        findings.push(alert);
    }
    findings
}

struct Ctx {
    today: NaiveDate,
    at: DateTime<Utc>,
}

impl Ctx {
    fn alert(&self, kind: &str, priority: Priority, title: String, message: String) -> Alert {
        Alert::new(
            AlertClass::Health,
            kind,
            None,
            priority,
            title,
            message,
            self.at,
        )
    }
}

fn strain(oura: &OuraSnapshot, ctx: &Ctx, t: &HealthThresholds) -> Option<Alert> {
    let from = ctx.today.checked_sub_days(Days::new(15))?;
    let rows = crate::monitors::baseline::days(oura, from, ctx.today);
    let signals = strain::signals(&rows, ctx.today, t);
    if signals.len() < t.strain_signals.max(1) as usize {
        return None;
    }
    let message = format!(
        "{} of the signs of strain at once: {}. Possible illness or overreach: go easy today, \
         drink water, sleep early.",
        signals.len(),
        signals.join("; ")
    );
    Some(ctx.alert(
        "strain",
        Priority::High,
        "Your body looks strained".to_owned(),
        message,
    ))
}

/// In `personal` mode, the person's own warning line for a measure (see
/// `baseline::personal_low`); `None` in `absolute` mode or without 14 days of data.
fn personal(
    oura: &OuraSnapshot,
    ctx: &Ctx,
    t: &HealthThresholds,
    measure: impl Fn(&crate::monitors::baseline::Day) -> Option<f64>,
) -> Option<f64> {
    (t.mode == crate::config::ThresholdMode::Personal)
        .then(|| crate::monitors::baseline::personal_low(oura, ctx.today, measure))
        .flatten()
}

fn readiness(oura: &OuraSnapshot, ctx: &Ctx, t: &HealthThresholds) -> Option<Alert> {
    let score = oura
        .readiness
        .iter()
        .rev()
        .filter(|r| r.day == ctx.today)
        .find_map(|r| r.score)?;
    let (priority, message) = if score < t.readiness_critical {
        (
            Priority::Critical,
            format!(
                "Your readiness is {} (Very Low). You're at risk of burnout. Rest today.",
                text::num(score)
            ),
        )
    } else if let Some(low) = personal(oura, ctx, t, |d| d.readiness) {
        if score >= low {
            return None;
        }
        (
            Priority::Medium,
            format!(
                "Your readiness is {}, below your usual low of {} (your 10th percentile over 30 days). Consider lighter tasks today.",
                text::num(score),
                text::num(low.round())
            ),
        )
    } else if score < t.readiness_warning {
        (
            Priority::Medium,
            format!(
                "Your readiness is {} (Low). Consider lighter tasks today.",
                text::num(score)
            ),
        )
    } else {
        return None;
    };
    Some(ctx.alert(
        "readiness",
        priority,
        format!("Readiness {}", text::num(score)),
        message,
    ))
}

fn hrv(oura: &OuraSnapshot, ctx: &Ctx, t: &HealthThresholds) -> Option<Alert> {
    let last_night = oura
        .sleep
        .iter()
        .rev()
        .filter(|n| n.day == ctx.today)
        .find_map(|n| n.average_hrv)?;
    let first = ctx.today.checked_sub_days(Days::new(HRV_BASELINE_DAYS))?;
    let baseline: Vec<f64> = oura
        .sleep
        .iter()
        .filter(|n| n.day >= first && n.day < ctx.today)
        .filter_map(|n| n.average_hrv)
        .filter(|v| v.is_finite())
        .collect();
    if baseline.len() < HRV_MIN_BASELINE_NIGHTS {
        return None;
    }
    let mean = baseline.iter().sum::<f64>() / baseline.len() as f64;
    if mean <= 0.0 {
        return None;
    }
    let deviation = (last_night - mean) / mean * 100.0;
    let low = personal(oura, ctx, t, |d| d.hrv);
    let priority = if deviation <= t.hrv_critical_deviation {
        Priority::Critical
    } else if match low {
        Some(low) => last_night < low && deviation < 0.0,
        None => deviation <= t.hrv_warning_deviation,
    } {
        Priority::Medium
    } else {
        return None;
    };
    let pct = text::percent(deviation);
    let message = match low.filter(|_| priority == Priority::Medium) {
        Some(low) => format!(
            "HRV {} ms is {pct} below your 30-day average of {} ms, under your usual low of {} ms (your 10th percentile over 30 days).",
            text::num(last_night),
            text::num(mean),
            text::num(low.round())
        ),
        None => format!(
            "HRV {} ms is {pct} below your 30-day average of {} ms.",
            text::num(last_night),
            text::num(mean)
        ),
    };
    Some(ctx.alert("hrv", priority, format!("HRV {pct} below average"), message))
}

fn sleep(oura: &OuraSnapshot, ctx: &Ctx, t: &HealthThresholds) -> Option<Alert> {
    let hours = oura
        .sleep
        .iter()
        .rev()
        .filter(|n| n.day == ctx.today)
        .find_map(|n| n.total_sleep_hours())?;
    let low = personal(oura, ctx, t, |d| d.sleep_hours);
    let (priority, limit) = if hours < t.sleep_hours_critical {
        (Priority::High, t.sleep_hours_critical)
    } else if let Some(low) = low {
        if hours >= low {
            return None;
        }
        (Priority::Medium, low)
    } else if hours < t.sleep_hours_warning {
        (Priority::Medium, t.sleep_hours_warning)
    } else {
        return None;
    };
    let shown = text::hours(hours);
    let message = match low.filter(|_| priority == Priority::Medium) {
        Some(low) => format!(
            "You slept {shown} last night, under your usual low of {} h (your 10th percentile over 30 days). Go easy today and protect tonight's sleep.",
            text::num(low)
        ),
        None => format!(
            "You slept {shown} last night, under {} h. Go easy today and protect tonight's sleep.",
            text::num(limit)
        ),
    };
    Some(ctx.alert("sleep", priority, format!("Sleep {shown}"), message))
}

fn stress(oura: &OuraSnapshot, ctx: &Ctx, t: &HealthThresholds) -> Option<Alert> {
    let yesterday = ctx.today.pred_opt()?;
    let (doc, when) = match latest_stress(oura, ctx.today) {
        Some(doc) => (doc, "today"),
        None => (latest_stress(oura, yesterday)?, "yesterday"),
    };
    let (level, detail) = stress_level(doc, t)?;
    let priority = if level > t.stress_critical {
        Priority::High
    } else if level > t.stress_high {
        Priority::Medium
    } else {
        return None;
    };
    let message = format!(
        "Stress level {} {when}: {detail}. Plan a real break.",
        text::num(level)
    );
    Some(ctx.alert(
        "stress",
        priority,
        format!("Stress {}", text::num(level)),
        message,
    ))
}

fn latest_stress(oura: &OuraSnapshot, day: NaiveDate) -> Option<&Stress> {
    oura.stress.iter().rev().find(|s| s.day == day)
}

/// The 0-100 level described in the module doc, with words explaining where it came from.
fn stress_level(doc: &Stress, t: &HealthThresholds) -> Option<(f64, String)> {
    let high = doc.stress_high_seconds.unwrap_or(0.0);
    let recovery = doc.recovery_high_seconds.unwrap_or(0.0);
    let total = high + recovery;
    if total.is_finite() && total >= STRESS_MIN_SECONDS && high >= 0.0 && recovery >= 0.0 {
        let detail = format!(
            "{} of high stress against {} of recovery",
            text::hours(high / 3600.0),
            text::hours(recovery / 3600.0)
        );
        return Some(((100.0 * high / total).round(), detail));
    }
    (doc.day_summary.as_deref() == Some("stressful")).then(|| {
        (
            t.stress_high + 1.0,
            "Oura rated the day stressful".to_string(),
        )
    })
}

fn recovery_index(oura: &OuraSnapshot, ctx: &Ctx, t: &HealthThresholds) -> Option<Alert> {
    let index = oura
        .readiness
        .iter()
        .rev()
        .filter(|r| r.day == ctx.today)
        .find_map(|r| r.contributors.recovery_index)?;
    let (priority, limit) = if index < t.recovery_index_critical {
        (Priority::High, t.recovery_index_critical)
    } else if index < t.recovery_index_warning {
        (Priority::Medium, t.recovery_index_warning)
    } else {
        return None;
    };
    let message = format!(
        "Your recovery index is {} (under {}): your body has not caught up with yesterday's load. Keep today light.",
        text::num(index),
        text::num(limit)
    );
    Some(ctx.alert(
        "recovery_index",
        priority,
        format!("Recovery index {}", text::num(index)),
        message,
    ))
}

fn no_data(oura: &OuraSnapshot, ctx: &Ctx, t: &HealthThresholds) -> Option<Alert> {
    let title = "No new Oura data".to_string();
    let Some(last) = oura.last_sync else {
        let message = "The Oura cache has no sync recorded — has the ring synced?".to_string();
        return Some(ctx.alert("no_data", Priority::Low, title, message));
    };
    let age_hours = (ctx.at - last).num_minutes() as f64 / 60.0;
    if age_hours <= t.data_stale_hours {
        return None;
    }
    let message = format!(
        "No new Oura data for {} hours — has the ring synced?",
        age_hours.floor() as i64
    );
    Some(ctx.alert("no_data", Priority::Low, title, message))
}
