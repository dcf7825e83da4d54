//! The pattern monitor over in-memory snapshots and punt counts.

use operator::alert::{AlertClass, Priority};
use operator::monitors::PuntCount;
use operator::monitors::patterns::{PatternInput, patterns};
use operator::sources::{Client, OuraSnapshot, Task, WorkosSnapshot};

use super::*;

fn input<'a>() -> PatternInput<'a> {
    PatternInput {
        oura: None,
        workos: None,
        state: None,
        punts: &[],
    }
}

fn check(input: &PatternInput) -> Findings {
    patterns(input, noon(), &pattern_cfg())
}

fn punt(key: &str, title: &str, count: u32) -> PuntCount {
    PuntCount {
        item_key: key.to_string(),
        title: title.to_string(),
        count,
    }
}

#[test]
fn procrastination_at_the_punt_threshold() {
    let punts = [
        punt("commitment:c1", "Memphis optimization report", 4),
        punt("task:42", "Raleigh follow-up", 3),
        punt("commitment:c2", "Orlando documentation", 2),
    ];
    let f = check(&PatternInput {
        punts: &punts,
        ..input()
    });
    let a = fires(
        &f,
        "patterns:procrastination:commitment:c1",
        Priority::Medium,
    );
    assert_eq!(
        a.message,
        "You've rescheduled 'Memphis optimization report' 4 times this week. Block time now?"
    );
    assert_eq!(
        a.subject_label.as_deref(),
        Some("Memphis optimization report")
    );
    assert_eq!(a.kind(), "procrastination");
    assert_eq!(a.class, AlertClass::Patterns);
    let b = fires(&f, "patterns:procrastination:task:42", Priority::Medium);
    assert_eq!(
        b.message,
        "You've pushed 'Raleigh follow-up' off today's list 3 times this week. Block time now?"
    );
    silent(&f, "patterns:procrastination:commitment:c2");
}

/// Readiness `earlier` for Nov 14-20 and `recent` for the first `recent_days` of Nov 21-27.
fn weeks(earlier: f64, recent: f64, recent_days: u32) -> OuraSnapshot {
    OuraSnapshot {
        readiness: (14..=20)
            .map(|d| readiness(nov(d), earlier))
            .chain((21..21 + recent_days).map(|d| readiness(nov(d), recent)))
            .collect(),
        ..OuraSnapshot::default()
    }
}

#[test]
fn energy_decline_week_over_week() {
    let oura = weeks(78.0, 62.0, 7);
    let f = check(&PatternInput {
        oura: Some(&oura),
        ..input()
    });
    let a = fires(&f, "patterns:energy_decline", Priority::High);
    assert_eq!(
        a.message,
        "Your average readiness dropped from 78 to 62 this week. Overcommitted?"
    );

    // A 19% drop is not quite enough.
    let oura = weeks(78.0, 63.0, 7);
    silent(
        &check(&PatternInput {
            oura: Some(&oura),
            ..input()
        }),
        "patterns:energy_decline",
    );
    // Three scores this week are too few to call a trend; four are enough.
    let oura = weeks(78.0, 50.0, 3);
    silent(
        &check(&PatternInput {
            oura: Some(&oura),
            ..input()
        }),
        "patterns:energy_decline",
    );
    let oura = weeks(78.0, 50.0, 4);
    fires(
        &check(&PatternInput {
            oura: Some(&oura),
            ..input()
        }),
        "patterns:energy_decline",
        Priority::High,
    );
}

/// `created` tasks created on Tuesday, the first `finished` of them done on Wednesday.
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

#[test]
fn overcommitment_ratio_of_created_to_completed() {
    let w = work(12, 5);
    let f = check(&PatternInput {
        workos: Some(&w),
        ..input()
    });
    let a = fires(&f, "patterns:overcommitment", Priority::Medium);
    assert_eq!(
        a.message,
        "You created 12 tasks and completed 5 this week. Ratio: 2.4 (healthy: <1.5)"
    );

    // Exactly the healthy ratio is fine.
    let w = work(6, 4);
    silent(
        &check(&PatternInput {
            workos: Some(&w),
            ..input()
        }),
        "patterns:overcommitment",
    );
    // Nothing finished: three created is a pattern, two is not.
    let w = work(4, 0);
    let f = check(&PatternInput {
        workos: Some(&w),
        ..input()
    });
    assert_eq!(
        fires(&f, "patterns:overcommitment", Priority::Medium).message,
        "You created 4 tasks and completed none this week. Overcommitted?"
    );
    let w = work(2, 0);
    silent(
        &check(&PatternInput {
            workos: Some(&w),
            ..input()
        }),
        "patterns:overcommitment",
    );
}

#[test]
fn overcommitment_counts_only_the_lookback_and_done_tasks_without_completed_at() {
    let mut w = work(3, 0);
    // Created 20 Nov: outside the 7 local days 21-27 Nov.
    w.tasks.extend((10..20).map(|id| Task {
        id,
        status: "active".to_string(),
        created_at: Some(utc(2025, 11, 20, 15, 0)),
        ..Task::default()
    }));
    // Done by a plain update: finished when last updated.
    w.tasks.push(Task {
        id: 50,
        status: "done".to_string(),
        created_at: Some(utc(2025, 11, 1, 15, 0)),
        updated_at: Some(utc(2025, 11, 26, 15, 0)),
        ..Task::default()
    });
    let f = check(&PatternInput {
        workos: Some(&w),
        ..input()
    });
    // 3 created, 1 finished: ratio 3.0.
    assert!(
        fires(&f, "patterns:overcommitment", Priority::Medium)
            .message
            .contains("created 3 tasks and completed 1")
    );
}

fn sleep(hours: &[(u32, f64)]) -> OuraSnapshot {
    OuraSnapshot {
        sleep: hours.iter().map(|&(d, h)| night(nov(d), h)).collect(),
        ..OuraSnapshot::default()
    }
}

#[test]
fn sleep_debt_over_consecutive_short_nights() {
    let oura = sleep(&[(24, 8.0), (25, 6.2), (26, 5.8), (27, 6.5)]);
    let f = check(&PatternInput {
        oura: Some(&oura),
        ..input()
    });
    let a = fires(&f, "patterns:sleep_debt", Priority::High);
    assert_eq!(
        a.message,
        "3 nights in a row under 7 h: 6.2 h, 5.8 h, 6.5 h. Plan an early night."
    );

    // Last night not synced yet: the run may end yesterday.
    let oura = sleep(&[(24, 6.0), (25, 6.2), (26, 5.8)]);
    fires(
        &check(&PatternInput {
            oura: Some(&oura),
            ..input()
        }),
        "patterns:sleep_debt",
        Priority::High,
    );

    let not_quite = [
        // 7.0 h is not under 7 h: the run is only two nights.
        vec![(25, 7.0), (26, 5.8), (27, 6.5)],
        // A missing night breaks the run.
        vec![(24, 6.0), (26, 5.8), (27, 6.5)],
        // A good night last night ends the debt.
        vec![(24, 6.0), (25, 6.0), (26, 6.0), (27, 8.0)],
        // The latest short nights are too old to be current.
        vec![(22, 5.0), (23, 5.0), (24, 5.0), (25, 5.0)],
    ];
    for nights in not_quite {
        let oura = sleep(&nights);
        silent(
            &check(&PatternInput {
                oura: Some(&oura),
                ..input()
            }),
            "patterns:sleep_debt",
        );
    }
}

fn client(id: i64, name: &str, kind: &str) -> Client {
    Client {
        id,
        name: name.to_string(),
        kind: kind.to_string(),
        is_active: true,
    }
}

/// One task per client id, last updated at `updated`.
fn touched(clients: Vec<Client>, ids: &[i64], updated: DateTime<Utc>) -> WorkosSnapshot {
    WorkosSnapshot {
        tasks: ids
            .iter()
            .map(|&id| Task {
                id: id * 10,
                client_id: Some(id),
                status: "active".to_string(),
                created_at: Some(utc(2025, 11, 1, 12, 0)),
                updated_at: Some(updated),
                ..Task::default()
            })
            .collect(),
        clients,
        ..WorkosSnapshot::default()
    }
}

fn five_clients() -> Vec<Client> {
    vec![
        client(1, "Memphis", "client"),
        client(2, "Raleigh", "client"),
        client(3, "Orlando", "client"),
        client(4, "Kentucky", "client"),
        client(5, "Austin", "client"),
        client(6, "Admin", "internal"),
    ]
}

#[test]
fn context_switching_across_clients_today() {
    let w = touched(five_clients(), &[1, 2, 3, 4, 5], utc(2025, 11, 27, 15, 0));
    let f = check(&PatternInput {
        workos: Some(&w),
        ..input()
    });
    let a = fires(&f, "patterns:context_switching", Priority::Low);
    assert_eq!(
        a.message,
        "You've worked across 5 clients today: Austin, Kentucky, Memphis, Orlando, Raleigh. Batch the rest for tomorrow?"
    );

    // Four clients plus an internal one (and a task with an unknown client) is not quite five.
    let mut w = touched(
        five_clients(),
        &[1, 2, 3, 4, 6, 77],
        utc(2025, 11, 27, 15, 0),
    );
    w.tasks.push(Task {
        id: 1,
        client_id: Some(1),
        ..Task::default()
    });
    silent(
        &check(&PatternInput {
            workos: Some(&w),
            ..input()
        }),
        "patterns:context_switching",
    );
}

#[test]
fn context_switching_uses_the_local_day() {
    // 03:30 UTC on the 28th is 22:30 on the 27th in New York: today.
    let w = touched(five_clients(), &[1, 2, 3, 4, 5], utc(2025, 11, 28, 3, 30));
    fires(
        &check(&PatternInput {
            workos: Some(&w),
            ..input()
        }),
        "patterns:context_switching",
        Priority::Low,
    );
    // 03:00 UTC on the 27th is 22:00 on the 26th in New York: yesterday.
    let w = touched(five_clients(), &[1, 2, 3, 4, 5], utc(2025, 11, 27, 3, 0));
    silent(
        &check(&PatternInput {
            workos: Some(&w),
            ..input()
        }),
        "patterns:context_switching",
    );
}

#[test]
fn stale_focus_file() {
    let now = noon().with_timezone(&Utc);
    let focus = |age: chrono::Duration| StateSnapshot {
        focus_modified: FileRead::Ok(now - age),
        ..empty_state()
    };
    let state = focus(chrono::Duration::days(9));
    let f = check(&PatternInput {
        state: Some(&state),
        ..input()
    });
    let a = fires(&f, "patterns:stale_focus", Priority::Low);
    assert!(
        a.message
            .starts_with("CurrentFocus.md hasn't been updated in 9 days"),
        "{}",
        a.message
    );

    let state = focus(chrono::Duration::days(7));
    silent(
        &check(&PatternInput {
            state: Some(&state),
            ..input()
        }),
        "patterns:stale_focus",
    );
    let state = empty_state();
    silent(
        &check(&PatternInput {
            state: Some(&state),
            ..input()
        }),
        "patterns:stale_focus",
    );
}

#[test]
fn missing_and_empty_sources_yield_nothing() {
    assert_eq!(check(&input()), Findings::default());
    let (oura, workos, state) = (
        OuraSnapshot::default(),
        WorkosSnapshot::default(),
        empty_state(),
    );
    let all = PatternInput {
        oura: Some(&oura),
        workos: Some(&workos),
        state: Some(&state),
        punts: &[],
    };
    assert_eq!(check(&all), Findings::default());
}
