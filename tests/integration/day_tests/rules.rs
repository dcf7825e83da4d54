//! The early warnings against the person's own normal, as table tests on nights written in
//! the Oura cache's real document shapes and read back through the cache reader: strain
//! (two of four signals), burnout risk (three patterns as one message), and days the ring
//! missed, which never count as bad ones.

use chrono::{Duration, NaiveDate};

use operator::alert::{Findings, Priority};
use operator::fixtures::{
    OuraTable, create_oura_cache, insert_oura_doc, readiness_doc, sleep_period_doc,
};
use operator::monitors::health::health;
use operator::monitors::patterns::{PatternInput, patterns};
use operator::sources::oura::OuraCache;
use operator::sources::{OuraSnapshot, Readiness, SleepNight, Task, WorkosSnapshot};

use crate::monitor_tests::{fires, health_thresholds, noon, nov, pattern_cfg, silent, utc};

/// One day of ring data: readiness, temperature deviation, last night's HRV, lowest heart
/// rate and hours of sleep; `None` where the ring has nothing.
#[derive(Debug, Clone, Copy, Default)]
struct Night {
    readiness: Option<f64>,
    temperature: Option<f64>,
    hrv: Option<f64>,
    lowest_hr: Option<f64>,
    hours: Option<f64>,
}

const NORMAL: Night = Night {
    readiness: Some(80.0),
    temperature: Some(0.0),
    hrv: Some(50.0),
    lowest_hr: Some(52.0),
    hours: Some(7.5),
};

/// Writes `days` (oldest first, ending today, 27 Nov) into a real cache and reads it back.
fn read(days: &[Option<Night>]) -> OuraSnapshot {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oura-health.db");
    let conn = create_oura_cache(&path).unwrap();
    let today = nov(27);
    let first = today - Duration::days(days.len() as i64 - 1);
    for (i, night) in days.iter().enumerate() {
        let Some(n) = night else { continue };
        let day = first + Duration::days(i as i64);
        if n.readiness.is_some() || n.temperature.is_some() {
            let r = Readiness {
                day,
                score: n.readiness,
                temperature_deviation: n.temperature,
                ..Readiness::default()
            };
            let id = format!("readiness-{day}");
            insert_oura_doc(
                &conn,
                OuraTable::Readiness,
                &id,
                &day.to_string(),
                &readiness_doc(&r),
                utc(2025, 11, 27, 13, 0),
            )
            .unwrap();
        }
        if n.hrv.is_some() || n.hours.is_some() {
            let s = SleepNight {
                day,
                kind: "long_sleep".to_owned(),
                total_sleep_seconds: n.hours.map(|h| h * 3600.0),
                time_in_bed_seconds: n.hours.map(|h| h * 3600.0 + 1800.0),
                average_hrv: n.hrv,
                lowest_heart_rate: n.lowest_hr,
                bedtime_start: Some(
                    chrono::DateTime::parse_from_rfc3339(&format!(
                        "{}T23:00:00-05:00",
                        day - Duration::days(1)
                    ))
                    .unwrap(),
                ),
                ..SleepNight::default()
            };
            let id = format!("sleep-{day}");
            insert_oura_doc(
                &conn,
                OuraTable::Sleep,
                &id,
                &day.to_string(),
                &sleep_period_doc(&s),
                utc(2025, 11, 27, 13, 0),
            )
            .unwrap();
        }
    }
    drop(conn);
    let mut oura = OuraCache::open(&path).unwrap().read(first, today).unwrap();
    oura.last_sync = Some(utc(2025, 11, 27, 16, 0));
    oura
}

fn strain(days: &[Option<Night>]) -> Findings {
    health(&read(days), noon(), &health_thresholds())
}

/// 14 normal nights, then `today`.
fn fortnight_then(today: Night) -> Vec<Option<Night>> {
    let mut days = vec![Some(NORMAL); 14];
    days.push(Some(today));
    days
}

#[test]
fn strain_needs_two_signals_against_the_persons_own_normal() {
    let cases: [(&str, Night, Option<&[&str]>); 7] = [
        (
            "temperature and HRV",
            Night {
                temperature: Some(0.5),
                hrv: Some(40.0),
                ..NORMAL
            },
            Some(&[
                "body temperature +0.5 °C",
                "HRV 40 ms, 20% below your 7-day median of 50",
            ]),
        ),
        (
            "resting heart rate and readiness",
            Night {
                lowest_hr: Some(58.0),
                readiness: Some(60.0),
                ..NORMAL
            },
            Some(&[
                "resting heart rate 58 bpm, 6 above your 14-day median of 52",
                "readiness 60",
            ]),
        ),
        (
            "readiness alone",
            Night {
                readiness: Some(60.0),
                ..NORMAL
            },
            None,
        ),
        (
            "temperature at the line is not above it",
            Night {
                temperature: Some(0.3),
                hrv: Some(40.0),
                ..NORMAL
            },
            None,
        ),
        (
            "HRV 14 % down is within normal",
            Night {
                temperature: Some(0.5),
                hrv: Some(43.0),
                ..NORMAL
            },
            None,
        ),
        (
            "heart rate 4 bpm up is within normal",
            Night {
                lowest_hr: Some(56.0),
                readiness: Some(60.0),
                ..NORMAL
            },
            None,
        ),
        ("a normal day", NORMAL, None),
    ];
    for (name, today, want) in cases {
        let f = strain(&fortnight_then(today));
        match want {
            Some(parts) => {
                let a = fires(&f, "health:strain", Priority::High);
                for p in parts {
                    assert!(a.message.contains(p), "{name}: lacks {p:?}: {}", a.message);
                }
            }
            None => silent(&f, "health:strain"),
        }
    }
}

#[test]
fn a_missed_night_is_not_a_bad_night() {
    // Last night missing: HRV and heart rate cannot count; readiness and temperature can.
    let today = Night {
        hrv: None,
        lowest_hr: None,
        hours: None,
        readiness: Some(60.0),
        temperature: Some(0.4),
    };
    let a = fires(
        &strain(&fortnight_then(today)),
        "health:strain",
        Priority::High,
    )
    .message
    .clone();
    assert!(!a.contains("HRV") && !a.contains("heart rate"), "{a}");
    let today = Night {
        hrv: None,
        lowest_hr: None,
        hours: None,
        readiness: Some(60.0),
        ..NORMAL
    };
    silent(&strain(&fortnight_then(today)), "health:strain");

    // The week before has only 3 nights of HRV (4 missed): no HRV median, so no HRV signal.
    let mut days = vec![Some(NORMAL); 7];
    days.extend([
        None,
        None,
        Some(NORMAL),
        None,
        None,
        Some(NORMAL),
        Some(NORMAL),
    ]);
    days.push(Some(Night {
        hrv: Some(30.0),
        temperature: Some(0.5),
        ..NORMAL
    }));
    let f = strain(&days);
    silent(&f, "health:strain");

    // No data today at all: nothing.
    silent(
        &strain(&{
            let mut d = vec![Some(NORMAL); 14];
            d.push(None);
            d
        }),
        "health:strain",
    );
}

fn work(created: usize, finished: usize) -> WorkosSnapshot {
    WorkosSnapshot {
        tasks: (0..created)
            .map(|i| Task {
                id: i as i64,
                title: format!("Task {i}"),
                status: if i < finished { "done" } else { "active" }.to_string(),
                created_at: Some(utc(2025, 11, 25, 15, 0)),
                completed_at: (i < finished).then(|| utc(2025, 11, 26, 15, 0)),
                ..Task::default()
            })
            .collect(),
        ..WorkosSnapshot::default()
    }
}

/// Seven days of falling readiness and short nights (oldest first), some days possibly missed.
fn slide(readiness: [Option<f64>; 7], hours: f64) -> Vec<Option<Night>> {
    let mut days = vec![Some(NORMAL); 7];
    days.extend(readiness.iter().map(|r| {
        Some(Night {
            readiness: *r,
            hours: Some(hours),
            ..NORMAL
        })
    }));
    days
}

fn pattern_findings(days: &[Option<Night>], w: &WorkosSnapshot) -> Findings {
    let oura = read(days);
    patterns(
        &PatternInput {
            oura: Some(&oura),
            workos: Some(w),
            state: None,
            punts: &[],
        },
        noon(),
        &pattern_cfg(),
    )
}

#[test]
fn burnout_risk_is_one_message_naming_all_three() {
    let falling = [
        Some(82.0),
        Some(78.0),
        Some(75.0),
        Some(71.0),
        Some(68.0),
        Some(64.0),
        Some(60.0),
    ];
    let f = pattern_findings(&slide(falling, 5.8), &work(14, 5));
    let a = fires(&f, "patterns:burnout_risk", Priority::High);
    for part in [
        "readiness falling about",
        "created 14 tasks and completed 5",
        "nights in a row under 7 h",
    ] {
        assert!(a.message.contains(part), "lacks {part:?}: {}", a.message);
    }
    for folded in [
        "patterns:overcommitment",
        "patterns:sleep_debt",
        "patterns:energy_decline",
    ] {
        assert!(
            !f.alerts.iter().any(|x| x.dedup_key == folded),
            "{folded} pushed on its own too"
        );
    }
    assert!(
        f.holding.contains("patterns:overcommitment"),
        "a folded part still holds"
    );

    // Two missed days leave 5 scores: still a trend.
    let gappy = [
        Some(82.0),
        None,
        Some(75.0),
        Some(71.0),
        None,
        Some(64.0),
        Some(60.0),
    ];
    fires(
        &pattern_findings(&slide(gappy, 5.8), &work(14, 5)),
        "patterns:burnout_risk",
        Priority::High,
    );

    // Three missed days leave 4: no trend, and the parts go on their own.
    let sparse = [
        Some(82.0),
        None,
        None,
        Some(71.0),
        None,
        Some(64.0),
        Some(60.0),
    ];
    let f = pattern_findings(&slide(sparse, 5.8), &work(14, 5));
    silent(&f, "patterns:burnout_risk");
    fires(&f, "patterns:overcommitment", Priority::Medium);

    // Flat readiness, or enough sleep, or a light week: no burnout risk.
    let flat = [Some(70.0); 7];
    silent(
        &pattern_findings(&slide(flat, 5.8), &work(14, 5)),
        "patterns:burnout_risk",
    );
    silent(
        &pattern_findings(&slide(falling, 7.5), &work(14, 5)),
        "patterns:burnout_risk",
    );
    silent(
        &pattern_findings(&slide(falling, 5.8), &work(5, 5)),
        "patterns:burnout_risk",
    );
}

#[test]
fn the_days_read_back_are_the_days_written() {
    // The fixture path itself: a missing day stays missing through the reader.
    let days = [Some(NORMAL), None, Some(NORMAL)];
    let oura = read(&days);
    let days_seen: Vec<NaiveDate> = oura.readiness.iter().map(|r| r.day).collect();
    assert_eq!(days_seen, [nov(25), nov(27)]);
}
