//! The state database: per-recipient state across reopen (restart), the outbox.

use chrono::Duration;
use operator::alert::{Alert, AlertClass, Priority};
use operator::config::QuietHours;
use operator::pipeline::{Notification, NotificationKind, Recipient, SnoozeScope};
use operator::store::Store;

use crate::support::{morning, queued};

fn alert(key_subject: &str, priority: Priority) -> Alert {
    Alert::new(
        AlertClass::Tasks,
        "overdue",
        Some(key_subject),
        priority,
        "Overdue",
        "m",
        morning(),
    )
}

const DEFAULT_QUIET: QuietHours = QuietHours {
    enabled: true,
    start: 22,
    end: 7,
};

#[test]
fn per_chat_state_survives_a_reopen_and_stays_per_chat() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("operator.db");
    let now = morning();
    let (a, b) = (Recipient::Chat(1), Recipient::Chat(2));
    {
        let mut store = Store::open(&path).unwrap();
        store
            .record_sent(a, &[alert("x", Priority::High)], now)
            .unwrap();
        store
            .snooze(
                a,
                &SnoozeScope::Class(AlertClass::Health),
                now + Duration::hours(2),
                now,
            )
            .unwrap();
        store
            .snooze(
                a,
                &SnoozeScope::Key("tasks:overdue:y".into()),
                now - Duration::minutes(1),
                now - Duration::hours(1),
            )
            .unwrap();
        store.acknowledge(a, "tasks:overdue:z", now).unwrap();
        store
            .set_quiet_hours(
                a,
                QuietHours {
                    enabled: true,
                    start: 23,
                    end: 6,
                },
                now,
            )
            .unwrap();
        store.hold(a, &[alert("h", Priority::Medium)], now).unwrap();
    }
    let store = Store::open(&path).unwrap();
    let s = store.chat_state(a, DEFAULT_QUIET, now).unwrap();
    assert_eq!(s.sent["tasks:overdue:x"].priority, Priority::High);
    let active: Vec<_> = s.snoozes.iter().filter(|z| z.until > now).collect();
    assert_eq!(active.len(), 1, "an expired snooze is not in force");
    assert_eq!(active[0].scope, SnoozeScope::Class(AlertClass::Health));
    assert!(s.acks.contains("tasks:overdue:z"));
    assert_eq!(
        s.quiet,
        Some(QuietHours {
            enabled: true,
            start: 23,
            end: 6
        })
    );
    assert_eq!(s.held.len(), 1);
    assert_eq!(s.held[0].dedup_key, "tasks:overdue:h");

    let other = store.chat_state(b, DEFAULT_QUIET, now).unwrap();
    assert!(
        other.sent.is_empty()
            && other.snoozes.is_empty()
            && other.acks.is_empty()
            && other.held.is_empty()
    );
    assert_eq!(other.quiet, Some(DEFAULT_QUIET));
}

#[test]
fn outbox_rows_count_as_in_flight_until_delivered_and_expire_when_old() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("operator.db")).unwrap();
    let now = morning();
    let chat = Recipient::Chat(7);
    let n = Notification {
        priority: Priority::High,
        title: "t".into(),
        lines: vec!["l".into()],
        alerts: vec![alert("a", Priority::High)],
        kind: NotificationKind::Alert,
        back_from_snooze: None,
    };
    let id = store
        .enqueue(
            chat,
            "telegram",
            queued(&n).get(),
            now,
            now + Duration::hours(24),
        )
        .unwrap();
    assert_eq!(store.outbox_pending().unwrap(), 1);
    let state = store.chat_state(chat, DEFAULT_QUIET, now).unwrap();
    assert!(
        state.sent.contains_key("tasks:overdue:a"),
        "a queued key is in flight"
    );

    let due = store.due_outbox("telegram", now, 10).unwrap();
    assert_eq!(due.len(), 1);
    store.mark_delivered(&due[0], Some(555), now).unwrap();
    assert_eq!(store.outbox_pending().unwrap(), 0);
    assert_eq!(store.outbox_row(id).unwrap().unwrap().message_id, Some(555));

    let id2 = store
        .enqueue(
            chat,
            "telegram",
            queued(&n).get(),
            now,
            now + Duration::hours(1),
        )
        .unwrap();
    assert!(
        store
            .expire_outbox(now + Duration::minutes(59))
            .unwrap()
            .is_empty()
    );
    let expired = store.expire_outbox(now + Duration::hours(1)).unwrap();
    assert_eq!(expired.iter().map(|r| r.id).collect::<Vec<_>>(), vec![id2]);
    assert_eq!(store.outbox_pending().unwrap(), 0);
}

#[test]
fn stale_acks_clear_only_for_evaluated_classes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("operator.db")).unwrap();
    let now = morning();
    let chat = Recipient::Chat(1);
    store.acknowledge(chat, "tasks:overdue:gone", now).unwrap();
    store.acknowledge(chat, "tasks:overdue:still", now).unwrap();
    store.acknowledge(chat, "health:readiness", now).unwrap();
    let holding = ["tasks:overdue:still".to_owned()].into_iter().collect();
    assert_eq!(
        store
            .clear_stale_acks(&[AlertClass::Tasks], &holding)
            .unwrap(),
        1
    );
    let acks = store.acks(chat).unwrap();
    assert!(acks.contains("tasks:overdue:still") && acks.contains("health:readiness"));
    assert!(!acks.contains("tasks:overdue:gone"));
}
