//! The morning digest: what quiet hours held, released once they end, minus what no longer
//! needs saying, delivered first.

use super::*;

/// An alert created (and held) at `hour`:00 New York time on 2026-01-`day`.
fn held_at(
    key: &str,
    priority: Priority,
    day: u32,
    hour: u32,
    title: &str,
    message: &str,
) -> Alert {
    Alert {
        title: title.to_owned(),
        message: message.to_owned(),
        ..alert_at(key, priority, ny(2026, 1, day, hour, 0))
    }
}

/// The night's held alerts: two worth saying, one low, one acknowledged since, one snoozed
/// since, and one whose key comes back fresh in the morning.
fn overnight() -> State {
    state()
        .quiet(quiet(22, 7))
        .held(held_at(
            "tasks:due_today:x",
            Medium,
            15,
            23,
            "Due today: X",
            "invoice for Memphis",
        ))
        .held(held_at(
            "health:readiness",
            High,
            16,
            2,
            "Readiness 52",
            "well below your 70 average\nrest",
        ))
        .held(held_at(
            "patterns:procrastination",
            Low,
            15,
            22,
            "Punted again",
            "",
        ))
        .held(held_at(
            "tasks:overdue:y",
            High,
            15,
            23,
            "Y overdue",
            "2 days",
        ))
        .ack("tasks:overdue:y")
        .held(held_at(
            "health:sleep",
            Medium,
            15,
            23,
            "Short sleep",
            "5h 10m",
        ))
        .snooze(
            SnoozeScope::Key("health:sleep".to_owned()),
            ny(2026, 1, 16, 9, 0),
        )
        .held(held_at(
            "tasks:overdue:z",
            Medium,
            15,
            23,
            "Z overdue",
            "1 day",
        ))
}

#[test]
fn digest() {
    let seven = ny(2026, 1, 16, 7, 0);
    let morning = || vec![al("tasks:overdue:z", High), al("health:hrv", Critical)];
    check_cases(vec![
        Case::new(
            "released at 07:00, first, minus acked and snoozed; a held key firing again joins it",
            seven,
            morning(),
            r#"
            sent: tasks:overdue:z health:hrv
            => digest high "While you were in quiet hours: 4 alerts"
            | • tasks:overdue:z
            | • Readiness 52: well below your 70 average
            | • Due today: X: invoice for Memphis
            | • Punted again
            keys: tasks:overdue:z health:readiness tasks:due_today:x patterns:procrastination
            => alert critical "health:hrv"
            release held"#,
        )
        .state(overnight()),
        Case::new(
            "still quiet at 06:59: nothing released",
            ny(2026, 1, 16, 6, 59),
            vec![al("tasks:overdue:w", Medium)],
            r#"
            held_quiet: tasks:overdue:w
            hold: tasks:overdue:w"#,
        )
        .state(overnight()),
        Case::new(
            "min_priority applies to the digest",
            seven,
            vec![],
            r#"
            => digest high "While you were in quiet hours: 3 alerts"
            | • Readiness 52: well below your 70 average
            | • Due today: X: invoice for Memphis
            | • Z overdue: 1 day
            keys: health:readiness tasks:due_today:x tasks:overdue:z
            release held"#,
        )
        .state(overnight())
        .policy(|p| p.min_priority = Medium),
        Case::new(
            "nothing left to say: released, no digest",
            seven,
            vec![],
            "release held",
        )
        .state(
            state()
                .quiet(quiet(22, 7))
                .held(al("tasks:overdue:y", High))
                .ack("tasks:overdue:y"),
        ),
        Case::new(
            "quiet hours switched off: released at once",
            ny(2026, 1, 15, 23, 30),
            vec![],
            r#"
            => digest medium "While you were in quiet hours: 1 alert"
            | • Due today: X: invoice for Memphis
            keys: tasks:due_today:x
            release held"#,
        )
        .state(state().held(held_at(
            "tasks:due_today:x",
            Medium,
            15,
            23,
            "Due today: X",
            "invoice for Memphis",
        ))),
        Case::new(
            "a critical escalation sent overnight drops the held warning",
            seven,
            vec![],
            "release held",
        )
        .state(
            state()
                .quiet(quiet(22, 7))
                .held(held_at("health:readiness", High, 16, 2, "Readiness 52", ""))
                .sent("health:readiness", Critical, ny(2026, 1, 16, 3, 0)),
        ),
        Case::new(
            "a delivery from before it was held does not",
            seven,
            vec![],
            r#"
            => digest high "While you were in quiet hours: 1 alert"
            | • Readiness 52
            keys: health:readiness
            release held"#,
        )
        .state(
            state()
                .quiet(quiet(22, 7))
                .held(held_at("health:readiness", High, 16, 2, "Readiness 52", ""))
                .sent("health:readiness", Medium, ny(2026, 1, 15, 20, 0)),
        ),
        Case::new(
            "the storm cap leaves the digest alone",
            seven,
            vec![al("tasks:h1", High), al("tasks:m1", Medium)],
            r#"
            sent: tasks:h1
            storm_capped: tasks:m1
            => digest high "While you were in quiet hours: 3 alerts"
            | • Readiness 52: well below your 70 average
            | • Due today: X: invoice for Memphis
            | • Z overdue: 1 day
            keys: health:readiness tasks:due_today:x tasks:overdue:z
            => alert high "tasks:h1"
            => overflow medium "+1 more alert"
            | tasks:m1
            keys:
            release held"#,
        )
        .state(overnight().ack("patterns:procrastination"))
        .policy(|p| p.max_alerts_per_run = 1),
        Case::new(
            "a key held twice: one line, the higher priority",
            seven,
            vec![],
            r#"
            => digest high "While you were in quiet hours: 1 alert"
            | • Readiness 52
            keys: health:readiness
            release held"#,
        )
        .state(
            state()
                .held(held_at(
                    "health:readiness",
                    Medium,
                    15,
                    23,
                    "Readiness 61",
                    "",
                ))
                .held(held_at("health:readiness", High, 16, 2, "Readiness 52", "")),
        ),
    ]);
}
