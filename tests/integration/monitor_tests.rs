//! Monitor rules over in-memory snapshots: one firing and one not-quite-firing case per rule,
//! hour gating, local days in a non-UTC zone, and missing data.
//!
//! The shared builders below name real-looking data; each submodule covers one monitor.

mod health;
mod patterns;
mod tasks;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use operator::zone::Zone;

use operator::alert::{Alert, Findings, Priority};
use operator::config::{
    HealthThresholds, PatternMonitor, PatternThresholds, TaskCheck, TaskMonitor,
};
use operator::sources::{
    Commitment, CommitmentOrigin, FileRead, Readiness, SleepNight, StateSnapshot,
};

/// Thursday 27 Nov 2025 at `h:m` in New York.
pub fn at(h: u32, m: u32) -> DateTime<Zone> {
    crate::support::new_york()
        .with_ymd_and_hms(2025, 11, 27, h, m, 0)
        .unwrap()
}

/// The default test "now": Thursday 27 Nov 2025, 12:00 New York.
pub fn noon() -> DateTime<Zone> {
    at(12, 0)
}

/// A date in November 2025.
pub fn nov(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, day).unwrap()
}

/// `now`'s local date shifted by `offset` days.
pub fn day_offset(now: DateTime<Zone>, offset: i64) -> NaiveDate {
    now.date_naive() + chrono::Duration::days(offset)
}

pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// The design's thresholds (section 6.2) plus the recovery and staleness defaults.
pub fn health_thresholds() -> HealthThresholds {
    HealthThresholds {
        mode: operator::config::ThresholdMode::Absolute,
        readiness_critical: 50.0,
        readiness_warning: 65.0,
        hrv_critical_deviation: -25.0,
        hrv_warning_deviation: -15.0,
        sleep_hours_critical: 5.0,
        sleep_hours_warning: 6.0,
        stress_high: 75.0,
        stress_critical: 85.0,
        recovery_index_warning: 60.0,
        recovery_index_critical: 40.0,
        data_stale_hours: 24.0,
        strain_temperature_deviation: 0.3,
        strain_hrv_drop_percent: 15.0,
        strain_rhr_rise_bpm: 5.0,
        strain_readiness: 65.0,
        strain_signals: 2,
    }
}

/// The design's task checks: all four, reminders at 9, 14 and 18, pile-up of 10 at 9.
pub fn task_cfg() -> TaskMonitor {
    TaskMonitor {
        enabled: true,
        checks: TaskCheck::ALL.to_vec(),
        commitment_check_hours: vec![9, 14, 18],
        pile_up_threshold: 10,
        pile_up_hour: 9,
        violation_days: 2,
    }
}

/// The design's pattern thresholds (section 6.4), 7-day lookback.
pub fn pattern_cfg() -> PatternMonitor {
    PatternMonitor {
        enabled: true,
        lookback_days: 7,
        thresholds: PatternThresholds {
            procrastination_count: 3,
            energy_decline_percent: 20.0,
            overcommitment_ratio: 1.5,
            sleep_debt_hours: 7.0,
            sleep_debt_nights: 3,
            context_switch_clients: 5,
            stale_focus_days: 7,
            burnout_readiness_slope: -1.0,
            recurring_worry: 3,
            worry_volume: 5,
        },
    }
}

pub fn readiness(day: NaiveDate, score: f64) -> Readiness {
    Readiness {
        day,
        score: Some(score),
        ..Readiness::default()
    }
}

/// A `long_sleep` period of `hours` hours.
pub fn night(day: NaiveDate, hours: f64) -> SleepNight {
    SleepNight {
        day,
        kind: "long_sleep".to_string(),
        total_sleep_seconds: Some(hours * 3600.0),
        ..SleepNight::default()
    }
}

/// An open JSON commitment.
pub fn commitment(id: &str, title: &str, due: Option<NaiveDate>) -> Commitment {
    Commitment {
        id: id.to_string(),
        title: title.to_string(),
        kind: "task".to_string(),
        status: "pending".to_string(),
        due_date: due,
        priority: None,
        recurring: false,
        origin: CommitmentOrigin::Json,
        in_both: None,
    }
}

/// A State snapshot with these JSON commitments and nothing else.
pub fn state_with(commitments: Vec<Commitment>) -> StateSnapshot {
    StateSnapshot {
        commitment_data: FileRead::Ok(commitments),
        commitments_md: FileRead::Missing,
        focus_modified: FileRead::Missing,
        brain_dumps: FileRead::Missing,
    }
}

pub fn empty_state() -> StateSnapshot {
    StateSnapshot {
        commitment_data: FileRead::Missing,
        commitments_md: FileRead::Missing,
        focus_modified: FileRead::Missing,
        brain_dumps: FileRead::Missing,
    }
}

/// The dedup keys of the alerts to send now, in order.
pub fn sent(f: &Findings) -> Vec<&str> {
    f.alerts.iter().map(|a| a.dedup_key.as_str()).collect()
}

/// The one alert with `key`; panics with the keys found otherwise.
pub fn alert<'f>(f: &'f Findings, key: &str) -> &'f Alert {
    let found: Vec<&Alert> = f.alerts.iter().filter(|a| a.dedup_key == key).collect();
    assert_eq!(found.len(), 1, "expected one {key}, sent {:?}", sent(f));
    found[0]
}

/// Asserts `key` fires once with `priority` and returns it.
pub fn fires<'f>(f: &'f Findings, key: &str, priority: Priority) -> &'f Alert {
    let a = alert(f, key);
    assert_eq!(a.priority, priority, "{key}: {}", a.message);
    assert!(f.holding.contains(key), "{key} fired but does not hold");
    a
}

/// Asserts nothing with `key` is sent or held.
pub fn silent(f: &Findings, key: &str) {
    assert!(
        !f.alerts.iter().any(|a| a.dedup_key == key),
        "{key} fired: {:?}",
        f.alerts.iter().map(|a| &a.message).collect::<Vec<_>>()
    );
    assert!(!f.holding.contains(key), "{key} holds");
}

/// Asserts `key` holds without being announced now.
pub fn held(f: &Findings, key: &str) {
    assert!(
        f.holding.contains(key),
        "{key} does not hold; holding {:?}",
        f.holding
    );
    assert!(
        !f.alerts.iter().any(|a| a.dedup_key == key),
        "{key} was announced"
    );
}
