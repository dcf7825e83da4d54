//! `decide`'s first stages: every dedup window, snoozes and acknowledgements, in order.

use super::*;

#[test]
fn dedup_windows() {
    let k = "health:readiness";
    let sent_ago = |p: Priority, ago: Duration| state().sent(k, p, noon() - ago);
    let zero_tasks = |p: &mut RecipientPolicy| p.windows.tasks = Duration::zero();
    check_cases(vec![
        Case::new(
            "health warning 3h59m after",
            noon(),
            vec![al(k, High)],
            "deduplicated: health:readiness",
        )
        .state(sent_ago(High, hours(4) - mins(1))),
        Case::new(
            "health warning 4h after",
            noon(),
            vec![al(k, High)],
            r#"
            sent: health:readiness
            => alert high "health:readiness""#,
        )
        .state(sent_ago(High, hours(4))),
        Case::new(
            "health critical 59m after",
            noon(),
            vec![al(k, Critical)],
            "deduplicated: health:readiness",
        )
        .state(sent_ago(Critical, mins(59))),
        Case::new(
            "health critical 1h after",
            noon(),
            vec![al(k, Critical)],
            r#"
            sent: health:readiness
            => alert critical "health:readiness""#,
        )
        .state(sent_ago(Critical, hours(1))),
        Case::new(
            "tasks 23h59m after",
            noon(),
            vec![al("tasks:overdue:a", High)],
            "deduplicated: tasks:overdue:a",
        )
        .state(state().sent("tasks:overdue:a", High, noon() - hours(24) + mins(1))),
        Case::new(
            "tasks 24h after",
            noon(),
            vec![al("tasks:overdue:a", High)],
            r#"
            sent: tasks:overdue:a
            => alert high "tasks:overdue:a""#,
        )
        .state(state().sent("tasks:overdue:a", High, noon() - hours(24))),
        Case::new(
            "patterns 6d23h59m after",
            noon(),
            vec![al("patterns:stale_focus", Medium)],
            "deduplicated: patterns:stale_focus",
        )
        .state(state().sent(
            "patterns:stale_focus",
            Medium,
            noon() - Duration::days(7) + mins(1),
        )),
        Case::new(
            "patterns 7d after",
            noon(),
            vec![al("patterns:stale_focus", Medium)],
            r#"
            sent: patterns:stale_focus
            => alert medium "patterns:stale_focus""#,
        )
        .state(state().sent("patterns:stale_focus", Medium, noon() - Duration::days(7))),
        Case::new(
            "system 59m after",
            noon(),
            vec![al("system:source_down:oura", High)],
            "deduplicated: system:source_down:oura",
        )
        .state(state().sent("system:source_down:oura", High, noon() - mins(59))),
        Case::new(
            "system 1h after",
            noon(),
            vec![al("system:source_down:oura", High)],
            r#"
            sent: system:source_down:oura
            => alert high "system:source_down:oura""#,
        )
        .state(state().sent("system:source_down:oura", High, noon() - hours(1))),
        Case::new(
            "zero window never dedups",
            noon(),
            vec![al("tasks:overdue:a", High)],
            r#"
            sent: tasks:overdue:a
            => alert high "tasks:overdue:a""#,
        )
        .state(state().sent("tasks:overdue:a", High, noon()))
        .policy(zero_tasks),
        Case::new(
            "escalation passes",
            noon(),
            vec![al(k, High)],
            r#"
            sent: health:readiness
            => alert high "health:readiness""#,
        )
        .state(sent_ago(Medium, hours(1))),
        Case::new(
            "a lower priority stays deduplicated",
            noon(),
            vec![al(k, Medium)],
            "deduplicated: health:readiness",
        )
        .state(sent_ago(High, hours(1))),
        Case::new(
            "renotify_after caps the window: at the cap",
            noon(),
            vec![al("tasks:due_today:a", Medium).with_renotify_after(hours(5))],
            r#"
            sent: tasks:due_today:a
            => alert medium "tasks:due_today:a""#,
        )
        .state(state().sent("tasks:due_today:a", Medium, noon() - hours(5))),
        Case::new(
            "renotify_after caps the window: just under",
            noon(),
            vec![al("tasks:due_today:a", Medium).with_renotify_after(hours(5))],
            "deduplicated: tasks:due_today:a",
        )
        .state(state().sent("tasks:due_today:a", Medium, noon() - hours(5) + mins(1))),
        Case::new(
            "renotify_after never lengthens the window",
            noon(),
            vec![al("tasks:due_today:a", Medium).with_renotify_after(hours(48))],
            r#"
            sent: tasks:due_today:a
            => alert medium "tasks:due_today:a""#,
        )
        .state(state().sent("tasks:due_today:a", Medium, noon() - hours(24))),
        Case::new(
            "same key twice in a batch: the higher wins",
            noon(),
            vec![al("tasks:overdue:a", Medium), al("tasks:overdue:a", High)],
            r#"
            deduplicated: tasks:overdue:a
            sent: tasks:overdue:a
            => alert high "tasks:overdue:a""#,
        ),
        Case::new(
            "same key twice at one priority: the first wins",
            noon(),
            vec![al("tasks:overdue:a", High), al("tasks:overdue:a", High)],
            r#"
            sent: tasks:overdue:a
            deduplicated: tasks:overdue:a
            => alert high "tasks:overdue:a""#,
        ),
    ]);
}

#[test]
fn snoozes_and_acks() {
    let k = "health:readiness";
    let key = || SnoozeScope::Key(k.to_owned());
    let health = SnoozeScope::Class(AlertClass::Health);
    check_cases(vec![
        Case::new(
            "a snooze until now has expired",
            noon(),
            vec![al(k, High)],
            r#"
            sent: health:readiness
            => alert high "health:readiness""#,
        )
        .state(state().snooze(key(), noon())),
        Case::new(
            "a snooze with a minute left holds",
            noon(),
            vec![al(k, High)],
            "snoozed: health:readiness",
        )
        .state(state().snooze(key(), noon() + mins(1))),
        Case::new(
            "a key snooze holds even critical",
            noon(),
            vec![al(k, Critical)],
            "snoozed: health:readiness",
        )
        .state(state().snooze(key(), noon() + hours(1))),
        Case::new(
            "a class snooze holds its class",
            noon(),
            vec![al(k, High)],
            "snoozed: health:readiness",
        )
        .state(state().snooze(health.clone(), noon() + hours(1))),
        Case::new(
            "a class snooze lets critical through",
            noon(),
            vec![al(k, Critical)],
            r#"
            sent: health:readiness
            => alert critical "health:readiness""#,
        )
        .state(state().snooze(health.clone(), noon() + hours(1))),
        Case::new(
            "a class snooze leaves other classes",
            noon(),
            vec![al("tasks:overdue:a", High)],
            r#"
            sent: tasks:overdue:a
            => alert high "tasks:overdue:a""#,
        )
        .state(state().snooze(health.clone(), noon() + hours(1))),
        Case::new(
            "snooze all holds everything but critical",
            noon(),
            vec![
                al(k, High),
                al("tasks:overdue:a", Low),
                al("health:hrv", Critical),
            ],
            r#"
            snoozed: health:readiness tasks:overdue:a
            sent: health:hrv
            => alert critical "health:hrv""#,
        )
        .state(state().snooze(SnoozeScope::All, noon() + hours(2))),
        Case::new(
            "an expired snooze all",
            noon(),
            vec![al(k, Low)],
            r#"
            sent: health:readiness
            => alert low "health:readiness""#,
        )
        .state(state().snooze(SnoozeScope::All, noon() - mins(1))),
        Case::new(
            "acknowledged, even critical",
            noon(),
            vec![al(k, Critical)],
            "acknowledged: health:readiness",
        )
        .state(state().ack(k)),
        Case::new(
            "acknowledged comes before snoozed",
            noon(),
            vec![al(k, High)],
            "acknowledged: health:readiness",
        )
        .state(state().ack(k).snooze(key(), noon() + hours(1))),
        Case::new(
            "snoozed comes before deduplicated",
            noon(),
            vec![al(k, High)],
            "snoozed: health:readiness",
        )
        .state(
            state()
                .snooze(key(), noon() + hours(1))
                .sent(k, High, noon() - mins(5)),
        ),
        Case::new(
            "an ack of another key",
            noon(),
            vec![al(k, High)],
            r#"
            sent: health:readiness
            => alert high "health:readiness""#,
        )
        .state(state().ack("health:hrv")),
    ]);
}
