//! Builders of Oura API v2 documents, as stored in the cache's `data` column.
//!
//! Each builder renders one of the source's snapshot structs back into the full document
//! shape of `DATA_SOURCES.md` §1–2 (the inverse of the parsers in
//! [`oura`](crate::sources::oura)): `None` becomes JSON `null`, whole numbers are written as
//! integers like the API does, and fields Operator does not read are filled with plausible
//! values so fixtures look like real data. To test missing fields, remove keys from the
//! returned object (`value.as_object_mut()`).

use serde_json::{Value, json};

use crate::sources::{Activity, Readiness, SleepNight, Stress};

/// A `daily_readiness` document for `r`.
pub fn readiness_doc(r: &Readiness) -> Value {
    let c = &r.contributors;
    json!({
        "id": format!("readiness-{}", r.day),
        "day": r.day.to_string(),
        "score": num(r.score),
        "contributors": {
            "activity_balance": num(c.activity_balance),
            "body_temperature": num(c.body_temperature),
            "hrv_balance": num(c.hrv_balance),
            "previous_day_activity": num(c.previous_day_activity),
            "previous_night": num(c.previous_night),
            "recovery_index": num(c.recovery_index),
            "resting_heart_rate": num(c.resting_heart_rate),
            "sleep_balance": num(c.sleep_balance),
        },
        "temperature_deviation": num(r.temperature_deviation),
        "temperature_trend_deviation": num(r.temperature_deviation.map(|t| t / 2.0)),
        "timestamp": format!("{}T00:00:00.000-05:00", r.day),
    })
}

/// A sleep period document (`/v2/usercollection/sleep`) for `night`: `type` is
/// `night.kind`, there is no `score`; light/deep/REM split the total 55/20/25 %.
/// `night.score` and `night.naps` are not part of a period document and are ignored.
pub fn sleep_period_doc(night: &SleepNight) -> Value {
    let total = night.total_sleep_seconds;
    let part = |share: f64| num(total.map(|t| (t * share).round()));
    let awake = match (night.time_in_bed_seconds, total) {
        (Some(bed), Some(t)) => Some((bed - t).max(0.0)),
        _ => None,
    };
    json!({
        "id": format!("sleep-{}-{}-{}", night.day, night.kind, night.bedtime_start.map(|b| b.timestamp()).unwrap_or(0)),
        "day": night.day.to_string(),
        "type": night.kind,
        "bedtime_start": night.bedtime_start.map(|b| b.to_rfc3339()),
        "bedtime_end": night.bedtime_end.map(|b| b.to_rfc3339()),
        "total_sleep_duration": num(total),
        "time_in_bed": num(night.time_in_bed_seconds),
        "awake_time": num(awake),
        "light_sleep_duration": part(0.55),
        "deep_sleep_duration": part(0.20),
        "rem_sleep_duration": part(0.25),
        "latency": 540,
        "efficiency": num(night.efficiency),
        "average_heart_rate": num(night.average_heart_rate),
        "lowest_heart_rate": num(night.lowest_heart_rate),
        "average_hrv": num(night.average_hrv),
        "average_breath": 14.75,
        "readiness_score_delta": null,
    })
}

/// A legacy `daily_sleep` document: `score` plus `contributors`, no durations, no `type`.
pub fn legacy_daily_sleep_doc(day: chrono::NaiveDate, score: Option<f64>) -> Value {
    let contributor = num(score);
    json!({
        "id": format!("daily-sleep-{day}"),
        "day": day.to_string(),
        "score": num(score),
        "contributors": {
            "deep_sleep": contributor,
            "efficiency": contributor,
            "latency": contributor,
            "rem_sleep": contributor,
            "restfulness": contributor,
            "timing": contributor,
            "total_sleep": contributor,
        },
        "timestamp": format!("{day}T00:00:00.000-05:00"),
    })
}

/// A `daily_activity` document for `a`.
pub fn activity_doc(a: &Activity) -> Value {
    json!({
        "id": format!("activity-{}", a.day),
        "day": a.day.to_string(),
        "score": num(a.score),
        "steps": num(a.steps),
        "active_calories": num(a.active_calories),
        "total_calories": num(a.active_calories.map(|c| c + 1800.0)),
        "inactivity_alerts": 0,
        "non_wear_time": 1200,
        "contributors": {
            "meet_daily_targets": 60,
            "move_every_hour": 95,
            "recovery_time": 90,
            "stay_active": 70,
            "training_frequency": 80,
            "training_volume": 85,
        },
    })
}

/// A `daily_stress` document (API only) for `s`: `stress_high` / `recovery_high` in seconds.
pub fn stress_doc(s: &Stress) -> Value {
    json!({
        "id": format!("stress-{}", s.day),
        "day": s.day.to_string(),
        "stress_high": num(s.stress_high_seconds),
        "recovery_high": num(s.recovery_high_seconds),
        "day_summary": s.day_summary,
    })
}

/// A JSON number, written as an integer when whole (as the Oura API does), `null` for `None`.
fn num(value: Option<f64>) -> Value {
    match value {
        None => Value::Null,
        Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => json!(v as i64),
        Some(v) => serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
    }
}
