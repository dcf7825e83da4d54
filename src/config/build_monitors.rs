//! `monitors.*`: health thresholds, task checks and pattern thresholds (the services
//! checks are read by `services.rs`), with the design's
//! defaults (sections 4 and 6) and the checks that keep warning and critical levels in order.

use super::reader::{Ctx, Section, did_you_mean, list_items};
use super::value::{to_i64, to_string};
use super::{
    HealthMonitor, HealthThresholds, Monitors, PatternMonitor, PatternThresholds, TaskCheck,
    TaskMonitor, ThresholdMode,
};

pub(super) fn monitors(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> Monitors {
    let out = Monitors {
        health: health(ctx, s.child("health")),
        tasks: tasks(ctx, s.child("tasks")),
        patterns: patterns(ctx, s.child("patterns")),
        services: super::services::services(ctx, s.child("services")),
    };
    s.finish(ctx);
    out
}

/// `lo <= x <= hi`.
fn within(lo: f64, hi: f64) -> impl FnOnce(f64) -> Result<(), String> {
    move |x| {
        if (lo..=hi).contains(&x) {
            Ok(())
        } else {
            Err(format!("must be between {lo} and {hi}, got {x}"))
        }
    }
}

/// `lo < x <= hi`.
fn above(lo: f64, hi: f64) -> impl FnOnce(f64) -> Result<(), String> {
    move |x| {
        if x > lo && x <= hi {
            Ok(())
        } else {
            Err(format!("must be more than {lo} and at most {hi}, got {x}"))
        }
    }
}

/// `lo < x < hi`.
fn strictly(lo: f64, hi: f64) -> impl FnOnce(f64) -> Result<(), String> {
    move |x| {
        if x > lo && x < hi {
            Ok(())
        } else {
            Err(format!(
                "must be more than {lo} and less than {hi}, got {x}"
            ))
        }
    }
}

fn health(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> HealthMonitor {
    let enabled = s.bool(ctx, "enabled", true);
    let mut t = s.child("thresholds");
    let mode = t.read(ctx, "mode", ThresholdMode::Absolute, |v| {
        match to_string(v)?.trim() {
            "absolute" => Ok(ThresholdMode::Absolute),
            "personal" => Ok(ThresholdMode::Personal),
            other => Err(format!(
                "expected \"absolute\" or \"personal\", got {other:?}"
            )),
        }
    });
    let thresholds = HealthThresholds {
        mode,
        readiness_critical: t.float(ctx, "readiness_critical", 50.0, within(0.0, 100.0)),
        readiness_warning: t.float(ctx, "readiness_warning", 65.0, within(0.0, 100.0)),
        hrv_critical_deviation: t.float(
            ctx,
            "hrv_critical_deviation",
            -25.0,
            strictly(-100.0, 0.0),
        ),
        hrv_warning_deviation: t.float(ctx, "hrv_warning_deviation", -15.0, strictly(-100.0, 0.0)),
        sleep_hours_critical: t.float(ctx, "sleep_hours_critical", 5.0, above(0.0, 24.0)),
        sleep_hours_warning: t.float(ctx, "sleep_hours_warning", 6.0, above(0.0, 24.0)),
        stress_high: t.float(ctx, "stress_high", 75.0, within(0.0, 100.0)),
        stress_critical: t.float(ctx, "stress_critical", 85.0, within(0.0, 100.0)),
        recovery_index_warning: t.float(ctx, "recovery_index_warning", 60.0, within(0.0, 100.0)),
        recovery_index_critical: t.float(ctx, "recovery_index_critical", 40.0, within(0.0, 100.0)),
        data_stale_hours: t.float(ctx, "data_stale_hours", 24.0, above(0.0, 24.0 * 30.0)),
        strain_temperature_deviation: t.float(
            ctx,
            "strain_temperature_deviation",
            0.3,
            above(0.0, 5.0),
        ),
        strain_hrv_drop_percent: t.float(ctx, "strain_hrv_drop_percent", 15.0, above(0.0, 100.0)),
        strain_rhr_rise_bpm: t.float(ctx, "strain_rhr_rise_bpm", 5.0, above(0.0, 60.0)),
        strain_readiness: t.float(ctx, "strain_readiness", 65.0, within(0.0, 100.0)),
        strain_signals: t.u32(ctx, "strain_signals", 2, 1, 4),
    };
    let th = &thresholds;
    let path = t.path.clone();
    let pairs = [
        (
            "readiness_critical",
            th.readiness_critical,
            "readiness_warning",
            th.readiness_warning,
        ),
        (
            "hrv_critical_deviation",
            th.hrv_critical_deviation,
            "hrv_warning_deviation",
            th.hrv_warning_deviation,
        ),
        (
            "sleep_hours_critical",
            th.sleep_hours_critical,
            "sleep_hours_warning",
            th.sleep_hours_warning,
        ),
        (
            "stress_high",
            th.stress_high,
            "stress_critical",
            th.stress_critical,
        ),
        (
            "recovery_index_critical",
            th.recovery_index_critical,
            "recovery_index_warning",
            th.recovery_index_warning,
        ),
    ];
    for (low_key, low, high_key, high) in pairs {
        ordered(ctx, &path, (low_key, low), (high_key, high));
    }
    t.finish(ctx);
    s.finish(ctx);
    HealthMonitor {
        enabled,
        thresholds,
    }
}

/// Requires `low < high`; reported at `low_key` unless either key already has a problem.
fn ordered(
    ctx: &mut Ctx<'_>,
    path: &str,
    (low_key, low): (&str, f64),
    (high_key, high): (&str, f64),
) {
    let low_path = format!("{path}.{low_key}");
    let high_path = format!("{path}.{high_key}");
    if low < high || ctx.has_problem_at(&low_path) || ctx.has_problem_at(&high_path) {
        return;
    }
    ctx.problem(
        low_path,
        format!("must be less than `{high_key}` ({high}), got {low}"),
    );
}

fn tasks(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> TaskMonitor {
    let enabled = s.bool(ctx, "enabled", true);
    let checks = checks(ctx, &mut s);
    let commitment_check_hours = hours(ctx, &mut s);
    let out = TaskMonitor {
        enabled,
        checks,
        commitment_check_hours,
        pile_up_threshold: s.u32(ctx, "pile_up_threshold", 10, 0, 100_000),
        pile_up_hour: s.hour(ctx, "pile_up_hour", 9),
        violation_days: s.u32(ctx, "violation_days", 2, 0, 365),
    };
    s.finish(ctx);
    out
}

fn checks(ctx: &mut Ctx<'_>, s: &mut Section<'_>) -> Vec<TaskCheck> {
    let Some(items) = list_items(ctx, s, "checks") else {
        return TaskCheck::ALL.to_vec();
    };
    let names: Vec<&str> = TaskCheck::ALL.iter().map(|c| c.as_str()).collect();
    let mut out = Vec::new();
    for (path, item) in items {
        let parsed = to_string(item).and_then(|name| {
            TaskCheck::ALL
                .into_iter()
                .find(|c| c.as_str() == name.trim())
                .ok_or_else(|| match did_you_mean(name.trim(), &names) {
                    Some(close) => format!("unknown check {name:?}; did you mean `{close}`?"),
                    None => format!("unknown check {name:?} (known: {})", names.join(", ")),
                })
        });
        match parsed {
            Ok(check) if !out.contains(&check) => out.push(check),
            Ok(_) => {}
            Err(message) => ctx.problem(path, message),
        }
    }
    out
}

/// `commitment_check_hours`: local hours 0-23, sorted and without repeats.
fn hours(ctx: &mut Ctx<'_>, s: &mut Section<'_>) -> Vec<u8> {
    let Some(items) = list_items(ctx, s, "commitment_check_hours") else {
        return vec![9, 14, 18];
    };
    let mut out = Vec::new();
    for (path, item) in items {
        match to_i64(item).map(u8::try_from) {
            Ok(Ok(hour)) if hour <= 23 => out.push(hour),
            Ok(_) => ctx.problem(
                path,
                format!("must be an hour between 0 and 23, got {}", item.describe()),
            ),
            Err(message) => ctx.problem(path, message),
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn patterns(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> PatternMonitor {
    let enabled = s.bool(ctx, "enabled", true);
    let lookback_days = s.u32(ctx, "lookback_days", 7, 1, 90);
    let mut t = s.child("thresholds");
    let thresholds = PatternThresholds {
        procrastination_count: t.u32(ctx, "procrastination_count", 3, 1, 1000),
        energy_decline_percent: t.float(ctx, "energy_decline_percent", 20.0, strictly(0.0, 100.0)),
        overcommitment_ratio: t.float(ctx, "overcommitment_ratio", 1.5, above(0.0, 1000.0)),
        sleep_debt_hours: t.float(ctx, "sleep_debt_hours", 7.0, above(0.0, 24.0)),
        sleep_debt_nights: t.u32(ctx, "sleep_debt_nights", 3, 1, 90),
        context_switch_clients: t.u32(ctx, "context_switch_clients", 5, 1, 1000),
        stale_focus_days: t.u32(ctx, "stale_focus_days", 7, 1, 365),
        burnout_readiness_slope: t.float(
            ctx,
            "burnout_readiness_slope",
            -1.0,
            strictly(-100.0, 0.0),
        ),
        recurring_worry: t.u32(ctx, "recurring_worry", 3, 1, 1000),
        worry_volume: t.u32(ctx, "worry_volume", 5, 1, 1000),
    };
    t.finish(ctx);
    s.finish(ctx);
    PatternMonitor {
        enabled,
        lookback_days,
        thresholds,
    }
}
