//! The health monitor over in-memory Oura snapshots.

use chrono::Duration;

use operator::alert::{AlertClass, Priority};
use operator::monitors::health::health;
use operator::sources::{OuraSnapshot, ReadinessContributors, SleepNight, Stress};

use super::*;

/// A snapshot synced an hour before the default "now", so `no_data` stays quiet.
fn synced() -> OuraSnapshot {
    OuraSnapshot {
        last_sync: Some(noon().with_timezone(&Utc) - Duration::hours(1)),
        ..OuraSnapshot::default()
    }
}

fn check(oura: &OuraSnapshot) -> Findings {
    health(oura, noon(), &health_thresholds())
}

#[test]
fn readiness_levels_and_boundaries() {
    let cases = [
        (
            48.0,
            Some(Priority::Critical),
            "Your readiness is 48 (Very Low). You're at risk of burnout. Rest today.",
        ),
        (
            62.0,
            Some(Priority::Medium),
            "Your readiness is 62 (Low). Consider lighter tasks today.",
        ),
        (
            50.0,
            Some(Priority::Medium),
            "Your readiness is 50 (Low). Consider lighter tasks today.",
        ),
        (65.0, None, ""),
    ];
    for (score, want, message) in cases {
        let mut oura = synced();
        oura.readiness = vec![readiness(nov(26), 30.0), readiness(nov(27), score)];
        let f = check(&oura);
        match want {
            Some(p) => {
                let a = fires(&f, "health:readiness", p);
                assert_eq!(a.message, message);
                assert_eq!(a.title, format!("Readiness {score}"));
                assert_eq!(a.class, AlertClass::Health);
            }
            None => silent(&f, "health:readiness"),
        }
    }
}

#[test]
fn yesterdays_readiness_does_not_alert_today() {
    let mut oura = synced();
    oura.readiness = vec![readiness(nov(26), 30.0)];
    assert!(check(&oura).alerts.is_empty());
}

/// Ten baseline nights at 52 ms, plus last night at `last`.
fn hrv_snapshot(last: f64, baseline_nights: u32) -> OuraSnapshot {
    let mut oura = synced();
    oura.sleep = (1..=baseline_nights)
        .map(|back| hrv_night(day_offset(noon(), -i64::from(back)), 52.0))
        .chain([hrv_night(nov(27), last)])
        .collect();
    oura.sleep.sort_by_key(|n| n.day);
    oura
}

fn hrv_night(day: NaiveDate, hrv: f64) -> SleepNight {
    SleepNight {
        average_hrv: Some(hrv),
        ..night(day, 7.5)
    }
}

#[test]
fn hrv_against_thirty_day_average() {
    let cases = [
        (
            38.0,
            Some(Priority::Critical),
            "HRV 38 ms is 27% below your 30-day average of 52 ms.",
        ),
        (
            44.0,
            Some(Priority::Medium),
            "HRV 44 ms is 15% below your 30-day average of 52 ms.",
        ),
        (44.5, None, ""),
        (60.0, None, ""),
    ];
    for (last, want, message) in cases {
        let f = check(&hrv_snapshot(last, 10));
        match want {
            Some(p) => assert_eq!(fires(&f, "health:hrv", p).message, message),
            None => silent(&f, "health:hrv"),
        }
    }
}

#[test]
fn hrv_needs_seven_baseline_nights_within_thirty_days() {
    silent(&check(&hrv_snapshot(30.0, 6)), "health:hrv");
    fires(
        &check(&hrv_snapshot(30.0, 7)),
        "health:hrv",
        Priority::Critical,
    );
    // Nights 31 days back or more are outside the baseline.
    let mut oura = hrv_snapshot(30.0, 0);
    oura.sleep
        .extend((31..40).map(|back| hrv_night(day_offset(noon(), -back), 52.0)));
    oura.sleep.sort_by_key(|n| n.day);
    silent(&check(&oura), "health:hrv");
}

#[test]
fn sleep_hours_levels_and_boundaries() {
    let cases = [
        (
            4.5,
            Some(Priority::High),
            "You slept 4.5 h last night, under 5 h. Go easy today and protect tonight's sleep.",
        ),
        (
            5.4,
            Some(Priority::Medium),
            "You slept 5.4 h last night, under 6 h. Go easy today and protect tonight's sleep.",
        ),
        (
            5.0,
            Some(Priority::Medium),
            "You slept 5.0 h last night, under 6 h. Go easy today and protect tonight's sleep.",
        ),
        (6.0, None, ""),
    ];
    for (hours, want, message) in cases {
        let mut oura = synced();
        oura.sleep = vec![night(nov(26), 3.0), night(nov(27), hours)];
        let f = check(&oura);
        match want {
            Some(p) => {
                let a = fires(&f, "health:sleep", p);
                assert_eq!(a.message, message);
                assert_eq!(a.title, format!("Sleep {hours:.1} h"));
            }
            None => silent(&f, "health:sleep"),
        }
    }
}

#[test]
fn legacy_daily_sleep_rows_have_no_hours_to_judge() {
    let mut oura = synced();
    oura.sleep = vec![SleepNight {
        day: nov(27),
        kind: "daily_sleep".to_string(),
        score: Some(40.0),
        ..SleepNight::default()
    }];
    assert!(check(&oura).alerts.is_empty());
}

fn stress(day: NaiveDate, high_h: f64, recovery_h: f64, summary: Option<&str>) -> Stress {
    Stress {
        day,
        stress_high_seconds: Some(high_h * 3600.0),
        recovery_high_seconds: Some(recovery_h * 3600.0),
        day_summary: summary.map(str::to_string),
    }
}

#[test]
fn stress_level_from_seconds_and_summary() {
    let cases = [
        // 3 h against 0.5 h: level 86.
        (
            stress(nov(27), 3.0, 0.5, None),
            Some(Priority::High),
            "Stress level 86 today: 3.0 h of high stress against 0.5 h of recovery. Plan a real break.",
        ),
        // 4 h against 1 h: level 80.
        (
            stress(nov(27), 4.0, 1.0, None),
            Some(Priority::Medium),
            "Stress level 80 today: 4.0 h of high stress against 1.0 h of recovery. Plan a real break.",
        ),
        // 3 h against 1 h: exactly 75 is not above the line.
        (stress(nov(27), 3.0, 1.0, Some("stressful")), None, ""),
        // Under 30 minutes in all: the seconds are unusable, Oura's verdict decides.
        (
            stress(nov(27), 0.4, 0.0, Some("stressful")),
            Some(Priority::Medium),
            "Stress level 76 today: Oura rated the day stressful. Plan a real break.",
        ),
        (stress(nov(27), 0.4, 0.0, Some("normal")), None, ""),
        // Today's document missing: yesterday's is used, the day before's is not.
        (
            stress(nov(26), 3.0, 0.5, None),
            Some(Priority::High),
            "Stress level 86 yesterday: 3.0 h of high stress against 0.5 h of recovery. Plan a real break.",
        ),
        (stress(nov(25), 3.0, 0.5, None), None, ""),
    ];
    for (doc, want, message) in cases {
        let mut oura = synced();
        oura.stress = vec![doc];
        let f = check(&oura);
        match want {
            Some(p) => assert_eq!(fires(&f, "health:stress", p).message, message),
            None => silent(&f, "health:stress"),
        }
    }
}

#[test]
fn recovery_index_levels_and_boundaries() {
    let cases = [
        (35.0, Some(Priority::High)),
        (40.0, Some(Priority::Medium)),
        (55.0, Some(Priority::Medium)),
        (60.0, None),
    ];
    for (index, want) in cases {
        let mut oura = synced();
        oura.readiness = vec![operator::sources::Readiness {
            contributors: ReadinessContributors {
                recovery_index: Some(index),
                ..ReadinessContributors::default()
            },
            ..readiness(nov(27), 80.0)
        }];
        let f = check(&oura);
        match want {
            Some(p) => {
                let a = fires(&f, "health:recovery_index", p);
                assert!(
                    a.message.contains(&format!("recovery index is {index}")),
                    "{}",
                    a.message
                );
            }
            None => silent(&f, "health:recovery_index"),
        }
    }
}

#[test]
fn no_new_data_after_the_stale_window() {
    let now = noon().with_timezone(&Utc);
    let mut oura = OuraSnapshot {
        last_sync: Some(now - Duration::hours(27)),
        ..OuraSnapshot::default()
    };
    let f = check(&oura);
    let a = fires(&f, "health:no_data", Priority::Low);
    assert_eq!(
        a.message,
        "No new Oura data for 27 hours — has the ring synced?"
    );

    oura.last_sync = Some(now - Duration::hours(24));
    silent(&check(&oura), "health:no_data");

    oura.last_sync = None;
    fires(&check(&oura), "health:no_data", Priority::Low);
}

#[test]
fn today_is_the_users_local_day_not_utc() {
    // 23:30 in New York on the 27th is already the 28th in UTC.
    let late = at(23, 30);
    assert_eq!(late.with_timezone(&Utc).date_naive(), nov(28));
    let oura = OuraSnapshot {
        readiness: vec![readiness(nov(27), 45.0)],
        sleep: vec![night(nov(27), 4.0)],
        last_sync: Some(late.with_timezone(&Utc)),
        ..OuraSnapshot::default()
    };
    let f = health(&oura, late.clone(), &health_thresholds());
    fires(&f, "health:readiness", Priority::Critical);
    fires(&f, "health:sleep", Priority::High);

    // The UTC date's rows (the 28th) are tomorrow for the user: nothing to say yet.
    let tomorrow = OuraSnapshot {
        readiness: vec![readiness(nov(28), 45.0)],
        sleep: vec![night(nov(28), 4.0)],
        ..oura
    };
    assert!(
        health(&tomorrow, late, &health_thresholds())
            .alerts
            .is_empty()
    );
}

#[test]
fn missing_fields_raise_nothing_and_do_not_panic() {
    let oura = OuraSnapshot {
        readiness: vec![operator::sources::Readiness {
            day: nov(27),
            ..Default::default()
        }],
        sleep: vec![SleepNight {
            day: nov(27),
            total_sleep_seconds: Some(f64::NAN),
            average_hrv: Some(f64::NAN),
            ..SleepNight::default()
        }],
        stress: vec![Stress {
            day: nov(27),
            ..Stress::default()
        }],
        ..synced()
    };
    assert!(check(&oura).alerts.is_empty());
}

#[test]
fn an_empty_snapshot_only_asks_whether_the_ring_synced() {
    // No rows and no recorded sync: the only thing to say is that no data has arrived.
    let f = check(&OuraSnapshot::default());
    assert_eq!(sent(&f), ["health:no_data"]);
}
