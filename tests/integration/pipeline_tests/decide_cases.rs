//! `decide`'s later stages: quiet hours, the storm cap, routing by `min_priority`, and
//! grouping into notifications.

use super::*;

#[test]
fn quiet_hours_hold() {
    let late = ny(2026, 1, 15, 23, 30);
    let night = || state().quiet(quiet(22, 7));
    check_cases(vec![
        Case::new(
            "non-critical is held, critical passes",
            late,
            vec![
                al("tasks:overdue:a", Medium),
                al("health:readiness", Critical),
            ],
            r#"
            held_quiet: tasks:overdue:a
            sent: health:readiness
            => alert critical "health:readiness"
            hold: tasks:overdue:a"#,
        )
        .state(night()),
        Case::new(
            "a key already held is not held twice",
            late,
            vec![al("tasks:overdue:a", Medium)],
            "held_quiet: tasks:overdue:a",
        )
        .state(night().held(al("tasks:overdue:a", Medium))),
        Case::new(
            "an escalation of a held key is held in its new version",
            late,
            vec![al("tasks:overdue:a", High)],
            "held_quiet: tasks:overdue:a\nhold: tasks:overdue:a",
        )
        .state(night().held(al("tasks:overdue:a", Medium))),
        Case::new(
            "deduplicated before held",
            late,
            vec![al("tasks:overdue:a", Medium)],
            "deduplicated: tasks:overdue:a",
        )
        .state(night().sent("tasks:overdue:a", Medium, late - hours(1))),
        Case::new(
            "disabled quiet hours hold nothing",
            late,
            vec![al("tasks:overdue:a", Medium)],
            r#"
            sent: tasks:overdue:a
            => alert medium "tasks:overdue:a""#,
        )
        .state(state().quiet(QuietHours {
            enabled: false,
            start: 22,
            end: 7,
        })),
        Case::new(
            "at 07:00 they are over",
            ny(2026, 1, 16, 7, 0),
            vec![al("tasks:overdue:a", Medium)],
            r#"
            sent: tasks:overdue:a
            => alert medium "tasks:overdue:a""#,
        )
        .state(night()),
    ]);
}

/// 25 alerts named by priority and order of appearance (`c1` is the first critical).
fn storm() -> Vec<Alert> {
    "m1 h1 l1 m2 c1 m3 i1 h2 m4 m5 h3 l2 m6 m7 h4 m8 c2 m9 m10 h5 l3 m11 h6 m12 m13"
        .split_whitespace()
        .map(|name| {
            let priority = match &name[..1] {
                "c" => Critical,
                "h" => High,
                "m" => Medium,
                "l" => Low,
                _ => Info,
            };
            al(&format!("tasks:{name}"), priority)
        })
        .collect()
}

#[test]
fn storm_cap_and_routing() {
    check_cases(vec![
        Case::new(
            "25 alerts, cap 20: the 20 highest, stable",
            noon(),
            storm(),
            r#"
            sent: tasks:m1 tasks:h1 tasks:m2 tasks:c1 tasks:m3 tasks:h2 tasks:m4 tasks:m5 tasks:h3 tasks:m6 tasks:m7 tasks:h4 tasks:m8 tasks:c2 tasks:m9 tasks:m10 tasks:h5 tasks:m11 tasks:h6 tasks:m12
            storm_capped: tasks:l1 tasks:i1 tasks:l2 tasks:l3 tasks:m13
            => alert critical "tasks:c1"
            => alert critical "tasks:c2"
            => alert high "tasks:h1"
            => alert high "tasks:h2"
            => alert high "tasks:h3"
            => alert high "tasks:h4"
            => alert high "tasks:h5"
            => alert high "tasks:h6"
            => alert medium "tasks:m1"
            => alert medium "tasks:m2"
            => alert medium "tasks:m3"
            => alert medium "tasks:m4"
            => alert medium "tasks:m5"
            => alert medium "tasks:m6"
            => alert medium "tasks:m7"
            => alert medium "tasks:m8"
            => alert medium "tasks:m9"
            => alert medium "tasks:m10"
            => alert medium "tasks:m11"
            => alert medium "tasks:m12"
            => overflow medium "+5 more alerts"
            | tasks:m13
            | tasks:l1
            | tasks:l2
            | tasks:l3
            | tasks:i1
            keys:"#,
        ),
        Case::new(
            "20 alerts, cap 20: nothing capped",
            noon(),
            storm().into_iter().take(20).collect(),
            r#"
            sent: tasks:m1 tasks:h1 tasks:l1 tasks:m2 tasks:c1 tasks:m3 tasks:i1 tasks:h2 tasks:m4 tasks:m5 tasks:h3 tasks:l2 tasks:m6 tasks:m7 tasks:h4 tasks:m8 tasks:c2 tasks:m9 tasks:m10 tasks:h5
            => alert critical "tasks:c1"
            => alert critical "tasks:c2"
            => alert high "tasks:h1"
            => alert high "tasks:h2"
            => alert high "tasks:h3"
            => alert high "tasks:h4"
            => alert high "tasks:h5"
            => alert medium "tasks:m1"
            => alert medium "tasks:m2"
            => alert medium "tasks:m3"
            => alert medium "tasks:m4"
            => alert medium "tasks:m5"
            => alert medium "tasks:m6"
            => alert medium "tasks:m7"
            => alert medium "tasks:m8"
            => alert medium "tasks:m9"
            => alert medium "tasks:m10"
            => alert low "tasks:l1"
            => alert low "tasks:l2"
            => alert info "tasks:i1""#,
        ),
        Case::new(
            "deduplicated alerts do not count against the cap",
            noon(),
            vec![al("tasks:h1", High), al("tasks:h2", High)],
            r#"
            deduplicated: tasks:h1
            sent: tasks:h2
            => alert high "tasks:h2""#,
        )
        .state(state().sent("tasks:h1", High, noon() - hours(1)))
        .policy(|p| p.max_alerts_per_run = 1),
        Case::new(
            "the overflow line counts only what the recipient would get",
            noon(),
            vec![
                al("tasks:h1", High),
                al("tasks:l1", Low),
                al("tasks:m1", Medium),
                al("tasks:h2", High),
            ],
            r#"
            sent: tasks:h1 tasks:h2
            storm_capped: tasks:l1 tasks:m1
            => alert high "tasks:h1"
            => alert high "tasks:h2"
            => overflow medium "+1 more alert"
            | tasks:m1
            keys:"#,
        )
        .policy(|p| {
            p.max_alerts_per_run = 2;
            p.min_priority = Medium;
        }),
        Case::new(
            "min_priority routes the rest away",
            noon(),
            vec![
                al("tasks:m1", Medium),
                al("tasks:h1", High),
                al("health:hrv", Critical),
                al("tasks:i1", Info),
            ],
            r#"
            below_min_priority: tasks:m1 tasks:i1
            sent: tasks:h1 health:hrv
            => alert critical "health:hrv"
            => alert high "tasks:h1""#,
        )
        .policy(|p| p.min_priority = High),
    ]);
}

fn labelled(key: &str, priority: Priority, label: &str, message: &str) -> Alert {
    Alert {
        message: message.to_owned(),
        ..al(key, priority).with_subject_label(label)
    }
}

#[test]
fn grouping() {
    check_cases(vec![
        Case::new(
            "3 overdue with labels: one message",
            noon(),
            vec![
                labelled("tasks:overdue:a", High, "A", "due 3 days ago"),
                labelled("tasks:overdue:b", Critical, "B", "due 9 days ago"),
                labelled("tasks:overdue:c", High, "C", "due yesterday"),
            ],
            r#"
            sent: tasks:overdue:a tasks:overdue:b tasks:overdue:c
            => alert critical "3 commitments overdue: A, B, C"
            | due 3 days ago
            | due 9 days ago
            | due yesterday
            keys: tasks:overdue:a tasks:overdue:b tasks:overdue:c"#,
        ),
        Case::new(
            "one without a label: one message each",
            noon(),
            vec![
                labelled("tasks:overdue:a", High, "A", "due 3 days ago"),
                al("tasks:overdue:b", Critical),
            ],
            r#"
            sent: tasks:overdue:a tasks:overdue:b
            => alert critical "tasks:overdue:b"
            => alert high "tasks:overdue:a"
            | due 3 days ago"#,
        ),
        Case::new(
            "two kinds: two groups, by priority",
            noon(),
            vec![
                labelled("tasks:overdue:a", Medium, "A", "late"),
                labelled("tasks:due_today:x", High, "X", "today"),
                labelled("tasks:overdue:b", Medium, "B", "late"),
                labelled("tasks:due_today:y", High, "Y", "today"),
                al("health:hrv", Critical),
            ],
            r#"
            sent: tasks:overdue:a tasks:due_today:x tasks:overdue:b tasks:due_today:y health:hrv
            => alert critical "health:hrv"
            => alert high "Due today: X, Y"
            | today
            | today
            keys: tasks:due_today:x tasks:due_today:y
            => alert medium "2 commitments overdue: A, B"
            | late
            | late
            keys: tasks:overdue:a tasks:overdue:b"#,
        ),
        Case::new(
            "a lone labelled alert keeps its title; lines split",
            noon(),
            vec![labelled(
                "tasks:overdue:a",
                High,
                "A",
                "due 3 days ago\nclient: Memphis",
            )],
            r#"
            sent: tasks:overdue:a
            => alert high "tasks:overdue:a"
            | due 3 days ago
            | client: Memphis"#,
        ),
        Case::new(
            "only sent alerts are grouped",
            noon(),
            vec![
                labelled("tasks:overdue:a", High, "A", "late"),
                labelled("tasks:overdue:b", High, "B", "late"),
                labelled("tasks:overdue:c", High, "C", "late"),
            ],
            r#"
            sent: tasks:overdue:a tasks:overdue:c
            acknowledged: tasks:overdue:b
            => alert high "2 commitments overdue: A, C"
            | late
            | late
            keys: tasks:overdue:a tasks:overdue:c"#,
        )
        .state(state().ack("tasks:overdue:b")),
    ]);
}
