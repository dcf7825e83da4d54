//! The task monitor over in-memory commitments and WorkOS snapshots.

use chrono::Duration;

use operator::alert::{AlertClass, Priority};
use operator::monitors::tasks::tasks;
use operator::sources::{DailyGoal, Task, WorkosSnapshot};

use super::*;

fn one(due: NaiveDate) -> StateSnapshot {
    state_with(vec![commitment("c1", "Schedule date night", Some(due))])
}

#[test]
fn commitment_violated_after_violation_days() {
    let f = tasks(&one(nov(24)), None, noon(), &task_cfg());
    let a = fires(&f, "tasks:commitment_violated:c1", Priority::Critical);
    assert_eq!(
        a.message,
        "Commitment violated: 'Schedule date night' was due 3 days ago (Mon 24 Nov)."
    );
    assert_eq!(a.subject_label.as_deref(), Some("Schedule date night"));
    assert_eq!(a.class, AlertClass::Tasks);
    silent(&f, "tasks:overdue:c1");

    // Exactly two days late is already a violation.
    fires(
        &tasks(&one(nov(25)), None, noon(), &task_cfg()),
        "tasks:commitment_violated:c1",
        Priority::Critical,
    );
}

#[test]
fn one_day_late_is_overdue_not_violated() {
    let f = tasks(&one(nov(26)), None, noon(), &task_cfg());
    let a = fires(&f, "tasks:overdue:c1", Priority::High);
    assert_eq!(
        a.message,
        "'Schedule date night' was due yesterday (Wed 26 Nov)."
    );
    assert_eq!(a.subject_label.as_deref(), Some("Schedule date night"));
    silent(&f, "tasks:commitment_violated:c1");
}

#[test]
fn disabled_checks_stay_silent() {
    let mut cfg = task_cfg();
    cfg.checks = vec![TaskCheck::OverdueTasks];
    // A violation with the violations check off is still overdue.
    let f = tasks(&one(nov(20)), None, noon(), &cfg);
    assert_eq!(
        fires(&f, "tasks:overdue:c1", Priority::High).message,
        "'Schedule date night' was due 7 days ago (Thu 20 Nov)."
    );

    cfg.checks = vec![TaskCheck::DueToday, TaskCheck::DueTomorrow];
    let f = tasks(&one(nov(20)), None, noon(), &cfg);
    assert!(f.alerts.is_empty() && f.holding.is_empty());

    cfg.checks = vec![];
    let f = tasks(&one(nov(27)), None, at(9, 0), &cfg);
    assert!(f.alerts.is_empty() && f.holding.is_empty());
}

#[test]
fn closed_and_undated_commitments_are_ignored() {
    let mut done = commitment("done", "Done thing", Some(nov(20)));
    done.status = "completed".to_string();
    let mut cancelled = commitment("gone", "Dropped thing", Some(nov(20)));
    cancelled.status = "cancelled".to_string();
    let undated = commitment("daily", "Meditate [🔄 Daily]", None);
    let f = tasks(
        &state_with(vec![done, cancelled, undated]),
        None,
        at(9, 0),
        &task_cfg(),
    );
    assert!(
        f.alerts.is_empty() && f.holding.is_empty(),
        "{:?}",
        sent(&f)
    );
}

#[test]
fn due_today_announced_at_morning_and_afternoon_hours_only() {
    let state = one(nov(27));
    let key = "tasks:due_today:c1";
    for hour in [9, 14] {
        let f = tasks(&state, None, at(hour, 15), &task_cfg());
        let a = fires(&f, key, Priority::Medium);
        assert_eq!(a.message, "'Schedule date night' is due today.");
        assert_eq!(a.renotify_after, Some(Duration::hours(4)));
        assert_eq!(a.subject_label.as_deref(), Some("Schedule date night"));
    }
    // Between reminders, and at the evening hour, it holds so an acknowledgement persists.
    for hour in [8, 10, 13, 18, 23] {
        held(&tasks(&state, None, at(hour, 0), &task_cfg()), key);
    }
}

#[test]
fn due_tomorrow_announced_at_the_evening_hour_only() {
    let state = one(nov(28));
    let key = "tasks:due_tomorrow:c1";
    let f = tasks(&state, None, at(18, 0), &task_cfg());
    let a = fires(&f, key, Priority::Low);
    assert_eq!(
        a.message,
        "'Schedule date night' is due tomorrow (Fri 28 Nov)."
    );
    for hour in [9, 10, 17, 19] {
        held(&tasks(&state, None, at(hour, 0), &task_cfg()), key);
    }
    // Two days out is not "tomorrow".
    let f = tasks(&one(nov(29)), None, at(18, 0), &task_cfg());
    assert!(f.alerts.is_empty() && f.holding.is_empty());
}

#[test]
fn markdown_and_json_commitments_both_count() {
    let mut md = commitment("md-work-1", "Orlando documentation", Some(nov(26)));
    md.origin = operator::sources::CommitmentOrigin::Markdown;
    let state = StateSnapshot {
        commitments_md: FileRead::Ok(vec![md]),
        ..one(nov(26))
    };
    let f = tasks(&state, None, noon(), &task_cfg());
    assert_eq!(sent(&f), ["tasks:overdue:c1", "tasks:overdue:md-work-1"]);
}

#[test]
fn an_unreadable_commitment_file_contributes_nothing() {
    let state = StateSnapshot {
        commitment_data: FileRead::Corrupt("expected value at line 1".to_string()),
        ..empty_state()
    };
    let f = tasks(&state, None, noon(), &task_cfg());
    assert!(f.alerts.is_empty() && f.holding.is_empty());
}

fn active(n: usize) -> WorkosSnapshot {
    WorkosSnapshot {
        tasks: (0..n)
            .map(|i| Task {
                id: i as i64,
                title: format!("Task {i}"),
                status: "active".to_string(),
                ..Task::default()
            })
            .chain([Task {
                id: 99,
                title: "Queued".to_string(),
                status: "queued".to_string(),
                ..Task::default()
            }])
            .collect(),
        ..WorkosSnapshot::default()
    }
}

#[test]
fn pile_up_at_the_pile_up_hour() {
    let f = tasks(&empty_state(), Some(&active(12)), at(9, 0), &task_cfg());
    let a = fires(&f, "tasks:pile_up", Priority::Medium);
    assert_eq!(
        a.message,
        "12 active tasks on today's list (10+ is a pile-up): Task 0, Task 1, Task 2 and 9 more. Trim the list?"
    );
    assert_eq!(a.title, "12 active tasks");

    held(
        &tasks(&empty_state(), Some(&active(12)), at(10, 0), &task_cfg()),
        "tasks:pile_up",
    );
    fires(
        &tasks(&empty_state(), Some(&active(10)), at(9, 30), &task_cfg()),
        "tasks:pile_up",
        Priority::Medium,
    );
    silent(
        &tasks(&empty_state(), Some(&active(9)), at(9, 0), &task_cfg()),
        "tasks:pile_up",
    );

    let mut off = task_cfg();
    off.pile_up_threshold = 0;
    silent(
        &tasks(&empty_state(), Some(&active(30)), at(9, 0), &off),
        "tasks:pile_up",
    );
}

fn goal(earned: i64) -> WorkosSnapshot {
    WorkosSnapshot {
        goals: vec![DailyGoal {
            date: nov(27),
            target_points: 18,
            earned_points: earned,
            ..DailyGoal::default()
        }],
        ..WorkosSnapshot::default()
    }
}

#[test]
fn daily_pace_at_the_evening_hour() {
    let f = tasks(&empty_state(), Some(&goal(8)), at(18, 5), &task_cfg());
    let a = fires(&f, "tasks:daily_pace", Priority::Low);
    assert_eq!(a.title, "8 of 18 points earned today");

    silent(
        &tasks(&empty_state(), Some(&goal(9)), at(18, 5), &task_cfg()),
        "tasks:daily_pace",
    );
    silent(
        &tasks(&empty_state(), Some(&goal(2)), at(14, 0), &task_cfg()),
        "tasks:daily_pace",
    );
    // Yesterday's goal says nothing about today.
    let mut old = goal(0);
    old.goals[0].date = nov(26);
    silent(
        &tasks(&empty_state(), Some(&old), at(18, 0), &task_cfg()),
        "tasks:daily_pace",
    );
}

#[test]
fn local_day_decides_due_dates_in_a_non_utc_zone() {
    // 23:30 on Thursday in New York is Friday 04:30 UTC: a commitment due Thursday is due
    // today (held; 23:00 is no reminder hour), not overdue.
    let late = at(23, 30);
    assert_eq!(late.with_timezone(&Utc).date_naive(), nov(28));
    let f = tasks(&one(nov(27)), None, late, &task_cfg());
    held(&f, "tasks:due_today:c1");
    silent(&f, "tasks:overdue:c1");

    // 18:10 in New York is 23:10 UTC: the evening reminder follows the local hour.
    let f = tasks(&one(nov(28)), None, at(18, 10), &task_cfg());
    fires(&f, "tasks:due_tomorrow:c1", Priority::Low);

    // 09:00 in Tokyo is 00:00 UTC: the morning reminder follows Tokyo's clock.
    let tokyo = crate::support::zone("Asia/Tokyo")
        .with_ymd_and_hms(2025, 11, 27, 9, 0, 0)
        .unwrap();
    let f = tasks(&one(nov(27)), None, tokyo, &task_cfg());
    fires(&f, "tasks:due_today:c1", Priority::Medium);
}

#[test]
fn empty_sources_yield_nothing() {
    let f = tasks(&empty_state(), None, at(9, 0), &task_cfg());
    assert_eq!(f, Findings::default());
    let f = tasks(
        &empty_state(),
        Some(&WorkosSnapshot::default()),
        at(18, 0),
        &task_cfg(),
    );
    assert_eq!(f, Findings::default());
}
