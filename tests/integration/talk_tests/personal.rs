//! Personal thresholds: with `mode: personal` the readiness and sleep warnings fire below the
//! person's own 10th percentile of 30 days (and say so); `absolute` keeps the design's lines;
//! critical stays absolute; too little history falls back to the absolute line.

use operator::alert::Priority;
use operator::config::ThresholdMode;
use operator::monitors::health::health;
use operator::sources::OuraSnapshot;

use crate::monitor_tests::{fires, health_thresholds, night, noon, nov, readiness, silent, utc};

/// 30 days before today (27 Nov 2025) of readiness 78–87 and 7.4–8.3 h of sleep, then today.
fn month_then(score: f64, hours: f64, days: u32) -> OuraSnapshot {
    let mut oura = OuraSnapshot {
        last_sync: Some(utc(2025, 11, 27, 16, 0)),
        ..OuraSnapshot::default()
    };
    let today = nov(27);
    for i in 1..=days {
        let day = today - chrono::Duration::days(i64::from(i));
        oura.readiness
            .push(readiness(day, 78.0 + f64::from(i % 10)));
        oura.sleep.push(night(day, 7.4 + f64::from(i % 10) / 10.0));
    }
    oura.readiness.push(readiness(today, score));
    oura.sleep.push(night(today, hours));
    oura.readiness.sort_by_key(|r| r.day);
    oura.sleep.sort_by_key(|n| n.day);
    oura
}

#[test]
fn warnings_follow_the_persons_own_low_line() {
    let mut personal = health_thresholds();
    personal.mode = ThresholdMode::Personal;
    let absolute = health_thresholds();

    // Readiness 70 and 7.0 h: fine by the design's lines (65, 6 h), low for this person.
    let oura = month_then(70.0, 7.0, 30);
    let f = health(&oura, noon(), &personal);
    let r = fires(&f, "health:readiness", Priority::Medium);
    assert!(
        r.message.contains("below your usual low of 79"),
        "{}",
        r.message
    );
    let s = fires(&f, "health:sleep", Priority::Medium);
    assert!(
        s.message.contains("under your usual low of 7.5 h"),
        "{}",
        s.message
    );
    let f = health(&oura, noon(), &absolute);
    silent(&f, "health:readiness");
    silent(&f, "health:sleep");

    // Within the person's range: nothing in either mode.
    let f = health(&month_then(84.0, 7.9, 30), noon(), &personal);
    silent(&f, "health:readiness");
    silent(&f, "health:sleep");

    // Critical stays absolute.
    let f = health(&month_then(45.0, 4.0, 30), noon(), &personal);
    fires(&f, "health:readiness", Priority::Critical);
    fires(&f, "health:sleep", Priority::High);

    // Ten days of history is too little: the absolute line applies.
    let f = health(&month_then(70.0, 7.0, 10), noon(), &personal);
    silent(&f, "health:readiness");
    let f = health(&month_then(60.0, 5.5, 10), noon(), &personal);
    let r = fires(&f, "health:readiness", Priority::Medium);
    assert!(r.message.contains("(Low)"), "{}", r.message);
}
