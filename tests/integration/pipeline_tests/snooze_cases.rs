//! Key snoozes that end: a snoozed alert that comes back at a higher priority ends its snooze
//! early and goes; one whose snooze ran out while it still holds goes again marked as back
//! from the snooze, even inside its dedup window; and neither happens when nothing changed.

use super::*;

fn key_snooze(key: &str, until: DateTime<Utc>, priority: Priority) -> Snooze {
    Snooze {
        scope: SnoozeScope::Key(key.to_owned()),
        until,
        priority: Some(priority),
    }
}

#[test]
fn a_higher_priority_ends_a_key_snooze_early() {
    let key = "health:readiness";
    let mut s = state()
        .sent(key, Priority::Medium, noon() - Duration::minutes(30))
        .0;
    s.snoozes.push(key_snooze(
        key,
        noon() + Duration::hours(3),
        Priority::Medium,
    ));

    let same = decide(&[al(key, Priority::Medium)], &s, noon(), &policy());
    assert!(
        same.deliver.is_empty(),
        "still snoozed at the same priority"
    );
    assert!(same.ended_snoozes.is_empty());

    let worse = decide(&[al(key, Priority::Critical)], &s, noon(), &policy());
    assert_eq!(worse.deliver.len(), 1, "escalated past the snooze: it goes");
    assert_eq!(worse.ended_snoozes, [key.to_owned()], "and the snooze ends");
}

#[test]
fn a_snooze_that_ran_out_while_the_alert_holds_brings_it_back_once() {
    let key = "tasks:commitment_violated:c1";
    let ended = noon() - Duration::minutes(5);
    let mut s = state()
        .sent(key, Priority::High, noon() - Duration::minutes(65))
        .0;
    s.snoozes.push(key_snooze(key, ended, Priority::High));

    let plan = decide(&[al(key, Priority::High)], &s, noon(), &policy());
    assert_eq!(plan.deliver.len(), 1, "back despite the dedup window");
    assert_eq!(plan.deliver[0].back_from_snooze, Some(ended));
    assert_eq!(plan.ended_snoozes, [key.to_owned()]);

    // Once it is back (sent after the snooze ended), dedup applies again.
    let mut after = s.clone();
    after.sent.insert(
        key.to_owned(),
        SentRecord {
            at: noon(),
            priority: Priority::High,
        },
    );
    after.snoozes.clear();
    let again = decide(
        &[al(key, Priority::High)],
        &after,
        noon() + Duration::minutes(20),
        &policy(),
    );
    assert!(again.deliver.is_empty(), "not back twice");
}
