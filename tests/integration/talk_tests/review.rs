//! The review on a history built for the purpose (numbers worked out by hand below), the same
//! figures from `operator review --json`, `/review` with its `Apply` button, the weekly push
//! (once), and personal thresholds.

use chrono::{DateTime, Duration, Utc};
use operator::alert::{Alert, AlertClass, Priority};
use operator::channels::journal::{Entry, Journal};
use operator::pipeline::{Notification, NotificationKind, Recipient};
use operator::store::{FeedbackKind, QueuedMessage, Store};

use crate::day_tests::harness::{CHAT, Day, at, buttons};
use crate::support::{DemoWorld, run_operator, stdout};

fn alert(class: AlertClass, kind: &str, subject: Option<&str>, at: DateTime<Utc>) -> Alert {
    Alert::new(class, kind, subject, Priority::High, "t", "m", at)
}

/// Queues and delivers one alert message; returns its row id.
fn delivered(store: &mut Store, a: &Alert, now: DateTime<Utc>, message_id: i64) -> i64 {
    let n = Notification {
        priority: a.priority,
        title: a.title.clone(),
        lines: vec![a.message.clone()],
        alerts: vec![a.clone()],
        kind: NotificationKind::Alert,
        back_from_snooze: None,
    };
    let id = store
        .enqueue(
            Recipient::Chat(CHAT),
            "telegram",
            QueuedMessage {
                notification: &n,
                html: "m",
                plain: "m",
                photo: None,
            },
            now,
            now + Duration::hours(24),
        )
        .unwrap();
    let row = store.outbox_row(id).unwrap().unwrap();
    store.mark_delivered(&row, Some(message_id), now).unwrap();
    id
}

/// The history: 6 sleep warnings (5 marked 👎) plus 2 snoozed ones; 4 overdue alerts (2 Got
/// it, 1 resolved on its own, 1 ignored); 1 stale-focus nudge (👍); and, outside the window or
/// not counted, an 8-day-old line and a repeat inside its dedup window.
fn history(world: &DemoWorld, now: DateTime<Utc>) {
    let config = world.config();
    let mut store = Store::open(&config.state.db_path).unwrap();
    let mut journal =
        Journal::open(&config.alerters.journal.log_path, config.logging.rotation).unwrap();
    let mut line = |a: &Alert, outcome: &str, at: DateTime<Utc>| {
        journal
            .write(&Entry::new(a, Some(CHAT), outcome, "telegram", at))
            .unwrap();
    };
    let mut msg = 100;
    let mut next = || {
        msg += 1;
        msg
    };
    for i in 0..6 {
        let a = alert(AlertClass::Health, "sleep", None, now - Duration::hours(i));
        line(&a, "queued", now - Duration::hours(i));
        let id = delivered(&mut store, &a, now - Duration::hours(i), next());
        let row = store.outbox_row(id).unwrap().unwrap();
        if i < 5 {
            store
                .record_feedback(&row, FeedbackKind::Down, now, None)
                .unwrap();
        }
    }
    for i in 0..2 {
        let a = alert(AlertClass::Health, "sleep", None, now);
        line(&a, "snoozed", now - Duration::hours(i));
        line(&a, "deduplicated", now - Duration::hours(i));
    }
    let old = alert(AlertClass::Health, "sleep", None, now - Duration::days(8));
    line(&old, "queued", now - Duration::days(8));
    for i in 0..4 {
        let subject = format!("c{i}");
        let a = alert(AlertClass::Tasks, "overdue", Some(&subject), now);
        line(&a, "queued", now);
        let id = delivered(&mut store, &a, now, next());
        let row = store.outbox_row(id).unwrap().unwrap();
        match i {
            0 | 1 => store
                .record_feedback(&row, FeedbackKind::GotIt, now, None)
                .unwrap(),
            2 => {
                store.mark_resolved(id, now).unwrap();
                store
                    .record_feedback(&row, FeedbackKind::Resolved, now, Some(40))
                    .unwrap();
            }
            _ => {}
        }
    }
    let a = alert(AlertClass::Patterns, "stale_focus", None, now);
    line(&a, "queued", now);
    let id = delivered(&mut store, &a, now, next());
    let row = store.outbox_row(id).unwrap().unwrap();
    store
        .record_feedback(&row, FeedbackKind::Up, now, None)
        .unwrap();
    journal.flush().unwrap();
}

fn rule<'a>(review: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    review["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == name)
        .unwrap_or_else(|| panic!("no rule {name}: {review:#}"))
}

#[test]
fn the_figures_are_what_was_done_and_the_json_says_the_same() {
    let now = Utc::now();
    let world = DemoWorld::new(now);
    history(&world, now);
    let out = run_operator(
        world.dir.path(),
        &["--config", &world.config_arg(), "review", "--json"],
        &[],
    );
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["days"], 7);
    let sleep = rule(&r, "health:sleep");
    // 6 queued + 2 snoozed decisions in the window; the repeats and the old line do not count.
    assert_eq!(sleep["fired"], 8);
    assert_eq!(sleep["delivered"], 6);
    assert_eq!(sleep["not_useful"], 5);
    assert_eq!(sleep["acted"], 0);
    assert_eq!(sleep["ignored"], 1);
    let overdue = rule(&r, "tasks:overdue");
    assert_eq!(
        [
            &overdue["fired"],
            &overdue["delivered"],
            &overdue["acted"],
            &overdue["resolved"],
            &overdue["ignored"]
        ],
        [4, 4, 2, 1, 1]
    );
    let focus = rule(&r, "patterns:stale_focus");
    assert_eq!(focus["acted"], 1);
    // 11 delivered: 5 not useful, 3 acted on.
    let fp = r["false_positive_rate"].as_f64().unwrap();
    let act = r["actionable_rate"].as_f64().unwrap();
    assert!((fp - 5.0 / 11.0).abs() < 1e-9, "{fp}");
    assert!((act - 3.0 / 11.0).abs() < 1e-9, "{act}");
    let suggestions = r["suggestions"].as_array().unwrap();
    assert_eq!(suggestions.len(), 1, "{suggestions:#?}");
    assert_eq!(
        suggestions[0]["key"],
        "monitors.health.thresholds.sleep_hours_warning"
    );
    assert_eq!(suggestions[0]["from"], "6.0");
    assert_eq!(suggestions[0]["to"], "5.5");
    assert_eq!(
        suggestions[0]["reason"],
        "5 of 6 sleep warnings marked not useful"
    );

    let text = run_operator(
        world.dir.path(),
        &["--config", &world.config_arg(), "review"],
        &[],
    );
    let text = stdout(&text);
    assert!(
        text.contains("11 delivered · 3 acted on · 5 not useful"),
        "{text}"
    );
    assert!(text.contains("False positives 45 % ✗"), "{text}");
}

#[test]
fn no_history_is_an_empty_review_not_an_error() {
    let world = DemoWorld::new(Utc::now());
    let out = run_operator(
        world.dir.path(),
        &[
            "--config",
            &world.config_arg(),
            "review",
            "--json",
            "--days",
            "30",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["days"], 30);
    assert_eq!(r["rules"], serde_json::json!([]));
    assert!(r["false_positive_rate"].is_null() && r["actionable_rate"].is_null());
    let bad = run_operator(
        world.dir.path(),
        &["--config", &world.config_arg(), "review", "--days", "0"],
        &[],
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_in_the_chat_applies_a_suggestion_with_one_tap() {
    let day = Day::start(at(10, 0), at(10, 0), false).await;
    history(&day.world, at(10, 0));
    let reply = day.ask("/review", 1).await.remove(0);
    assert!(
        reply
            .plain_text
            .contains("5 of 6 sleep warnings marked not useful"),
        "{}",
        reply.plain_text
    );
    let apply = buttons(&reply);
    assert_eq!(apply.len(), 1, "{apply:?}");
    assert_eq!(apply[0].0, "Apply: sleep_hours_warning → 5.5");
    let before = std::fs::read_to_string(&day.world.files.config).unwrap();
    let answer = day.press_data(reply.message_id, &apply[0].1).await;
    assert_eq!(answer, "Applied.");
    let after = std::fs::read_to_string(&day.world.files.config).unwrap();
    assert_ne!(before, after);
    let config = day.world.config();
    assert!((config.monitors.health.thresholds.sleep_hours_warning - 5.5).abs() < 1e-9);
    let edited = day.message(reply.message_id);
    assert!(
        edited
            .plain_text
            .contains("Set monitors.health.thresholds.sleep_hours_warning from"),
        "{}",
        edited.plain_text
    );
    assert!(
        edited
            .plain_text
            .contains("It applies from the next check."),
        "{}",
        edited.plain_text
    );
    let again = day.press_data(reply.message_id, &apply[0].1).await;
    assert_eq!(again, "Already applied.");
    // The running daemon uses the new value at once: the next review starts from 5.5.
    let next = day.ask("/review", 1).await.remove(0);
    assert!(
        !next.plain_text.contains("from 6.0 to 5.5"),
        "{}",
        next.plain_text
    );
    let journaled = day
        .world
        .journal_lines()
        .into_iter()
        .any(|l| l["kind"] == "review" && l["on_demand"] == true);
    assert!(journaled, "the on-demand review is journaled");
    day.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sunday_evening_brings_the_review_once() {
    let sunday = |h, m| at(h, m) + Duration::days(2);
    let mut day = Day::start(sunday(17, 0), sunday(17, 0), false).await;
    day.cycle_at(sunday(17, 50)).await;
    let reviews = |d: &Day| {
        d.messages()
            .into_iter()
            .filter(|m| m.plain_text.starts_with("📊"))
            .count()
    };
    assert_eq!(reviews(&day), 0, "not before 18:00");
    day.cycle_at(sunday(18, 5)).await;
    assert_eq!(reviews(&day), 1);
    day.cycle_at(sunday(18, 20)).await;
    day.restart().await;
    day.cycle_at(sunday(19, 0)).await;
    assert_eq!(reviews(&day), 1, "once, across a restart");
    let lines: Vec<_> = day
        .world
        .journal_lines()
        .into_iter()
        .filter(|l| l["kind"] == "review")
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["on_demand"], false);
    day.stop().await;
}
