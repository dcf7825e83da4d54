//! Pure decoders of Oura API v2 documents, shared by the cache reader and the API fallback.
//!
//! Every field may be null or missing: a missing number is `None`, never an error. A document
//! that is not a JSON object (or, for the public `parse_*` functions, has no valid `day`)
//! decodes to `None`. [`select_nights`] picks one night per day from sleep periods and legacy
//! `daily_sleep` documents.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::{Map, Value};

use crate::sources::{Activity, Readiness, ReadinessContributors, SleepNight, Stress};

/// The `kind` given to legacy `daily_sleep` documents.
pub const LEGACY_SLEEP_KIND: &str = "daily_sleep";

/// Decodes a `daily_readiness` document.
pub fn parse_readiness_doc(doc: &Value) -> Option<Readiness> {
    readiness_for_day(doc, doc_day(doc)?)
}

/// Decodes a sleep period document or a legacy `daily_sleep` document (kind `daily_sleep`).
pub fn parse_sleep_doc(doc: &Value) -> Option<SleepNight> {
    sleep_for_day(doc, doc_day(doc)?)
}

/// Decodes a `daily_activity` document.
pub fn parse_activity_doc(doc: &Value) -> Option<Activity> {
    activity_for_day(doc, doc_day(doc)?)
}

/// Decodes a `daily_stress` document (`stress_high` / `recovery_high` in seconds).
pub fn parse_stress_doc(doc: &Value) -> Option<Stress> {
    let obj = doc.as_object()?;
    Some(Stress {
        day: doc_day(doc)?,
        stress_high_seconds: number(obj, "stress_high"),
        recovery_high_seconds: number(obj, "recovery_high"),
        day_summary: obj
            .get("day_summary")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// One night per day, ascending: the `long_sleep` period, else the longest period by
/// `total_sleep_duration`, else a legacy `daily_sleep` document (the first with a score).
/// A period always wins over a legacy document of the same day; the other periods of the day
/// are counted in `naps`. Ties keep the earlier candidate.
pub fn select_nights(candidates: impl IntoIterator<Item = SleepNight>) -> Vec<SleepNight> {
    let mut by_day: BTreeMap<NaiveDate, Vec<SleepNight>> = BTreeMap::new();
    for night in candidates {
        by_day.entry(night.day).or_default().push(night);
    }
    by_day.into_values().filter_map(choose_night).collect()
}

fn choose_night(day: Vec<SleepNight>) -> Option<SleepNight> {
    let (periods, legacy): (Vec<_>, Vec<_>) =
        day.into_iter().partition(|n| n.kind != LEGACY_SLEEP_KIND);
    if periods.is_empty() {
        let with_score = legacy.iter().position(|n| n.score.is_some()).unwrap_or(0);
        return legacy.into_iter().nth(with_score);
    }
    let naps = u32::try_from(periods.len() - 1).unwrap_or(u32::MAX);
    let has_long = periods.iter().any(|n| n.kind == "long_sleep");
    let mut chosen = periods
        .into_iter()
        .filter(|n| !has_long || n.kind == "long_sleep")
        .reduce(|best, n| {
            if duration(&n) > duration(&best) {
                n
            } else {
                best
            }
        })?;
    chosen.naps = naps;
    Some(chosen)
}

fn duration(night: &SleepNight) -> f64 {
    night.total_sleep_seconds.unwrap_or(-1.0)
}

pub(crate) fn readiness_for_day(doc: &Value, day: NaiveDate) -> Option<Readiness> {
    let obj = doc.as_object()?;
    let empty = Map::new();
    let c = obj
        .get("contributors")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    Some(Readiness {
        day,
        score: number(obj, "score"),
        contributors: ReadinessContributors {
            activity_balance: number(c, "activity_balance"),
            body_temperature: number(c, "body_temperature"),
            hrv_balance: number(c, "hrv_balance"),
            previous_day_activity: number(c, "previous_day_activity"),
            previous_night: number(c, "previous_night"),
            recovery_index: number(c, "recovery_index"),
            resting_heart_rate: number(c, "resting_heart_rate"),
            sleep_balance: number(c, "sleep_balance"),
        },
        temperature_deviation: number(obj, "temperature_deviation"),
    })
}

/// A document with a string `type` is a sleep period of that kind; one without `type` but
/// with durations is a period of kind `sleep`; anything else is a legacy `daily_sleep`.
pub(crate) fn sleep_for_day(doc: &Value, day: NaiveDate) -> Option<SleepNight> {
    let obj = doc.as_object()?;
    let total = number(obj, "total_sleep_duration");
    let in_bed = number(obj, "time_in_bed");
    let kind = match obj.get("type").and_then(Value::as_str) {
        Some(kind) => kind.to_owned(),
        None if total.is_some() || in_bed.is_some() => "sleep".to_owned(),
        None => LEGACY_SLEEP_KIND.to_owned(),
    };
    let legacy = kind == LEGACY_SLEEP_KIND;
    Some(SleepNight {
        day,
        total_sleep_seconds: total,
        time_in_bed_seconds: in_bed,
        efficiency: number(obj, "efficiency"),
        average_hrv: number(obj, "average_hrv"),
        average_heart_rate: number(obj, "average_heart_rate"),
        lowest_heart_rate: number(obj, "lowest_heart_rate"),
        bedtime_start: instant(obj, "bedtime_start"),
        bedtime_end: instant(obj, "bedtime_end"),
        score: if legacy { number(obj, "score") } else { None },
        naps: 0,
        kind,
    })
}

pub(crate) fn activity_for_day(doc: &Value, day: NaiveDate) -> Option<Activity> {
    let obj = doc.as_object()?;
    Some(Activity {
        day,
        score: number(obj, "score"),
        steps: number(obj, "steps"),
        active_calories: number(obj, "active_calories"),
    })
}

/// `YYYY-MM-DD` (surrounding spaces tolerated).
pub(crate) fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

fn doc_day(doc: &Value) -> Option<NaiveDate> {
    doc.get("day").and_then(Value::as_str).and_then(parse_day)
}

fn number(obj: &Map<String, Value>, key: &str) -> Option<f64> {
    obj.get(key).and_then(Value::as_f64)
}

fn instant(obj: &Map<String, Value>, key: &str) -> Option<DateTime<FixedOffset>> {
    let text = obj.get(key).and_then(Value::as_str)?;
    DateTime::parse_from_rfc3339(text.trim()).ok()
}
