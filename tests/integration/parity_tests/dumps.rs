//! Brain-dump patterns on `brain_dumps.json` in its real shape (the Telegram capture inbox):
//! recurring worries, worry volume, and repeated actions counted as punts.

use operator::alert::Priority;
use operator::monitors::PuntCount;
use operator::monitors::patterns::{PatternInput, patterns};
use operator::sources::state_files::parse_brain_dumps;
use operator::sources::{FileRead, StateSnapshot, Task, WorkosSnapshot};

use crate::monitor_tests::{commitment, fires, noon, nov, pattern_cfg, sent, silent};

/// One entry as the capture bot writes it; `hours_ago` before the test's noon (naive local).
fn entry(
    hours_ago: i64,
    processed: bool,
    category: &str,
    action: Option<&str>,
    entities: &[&str],
) -> String {
    let at = noon().naive_local() - chrono::Duration::hours(hours_ago);
    serde_json::json!({
        "id": format!("bd-{hours_ago}"),
        "timestamp": at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        "raw_text": "private words that must never reach an alert",
        "source": "telegram",
        "processed": processed,
        "parsed_category": category,
        "parsed_action": action,
        "parsed_entities": entities,
    })
    .to_string()
}

fn state(entries: &[String]) -> StateSnapshot {
    let text = format!("[{}]", entries.join(",\n"));
    StateSnapshot {
        commitment_data: FileRead::Missing,
        commitments_md: FileRead::Missing,
        focus_modified: FileRead::Missing,
        brain_dumps: FileRead::Ok(parse_brain_dumps(&text).unwrap()),
    }
}

fn check(
    state: &StateSnapshot,
    workos: Option<&WorkosSnapshot>,
    punts: &[PuntCount],
) -> operator::alert::Findings {
    let input = PatternInput {
        oura: None,
        workos,
        state: Some(state),
        punts,
    };
    patterns(&input, noon(), &pattern_cfg())
}

/// The Python version's own example: five worries, three of them naming Ashley.
fn python_example() -> Vec<String> {
    vec![
        entry(2, false, "worry", None, &["Ashley"]),
        entry(20, false, "worry", None, &["ashley", "Memphis"]),
        entry(50, false, "worry", None, &["ASHLEY "]),
        entry(70, false, "worry", None, &["Memphis"]),
        entry(90, false, "worry", None, &[]),
        // Not counted: processed, too old, not a worry, no timestamp.
        entry(5, true, "worry", None, &["Ashley"]),
        entry(24 * 8, false, "worry", None, &["Ashley"]),
        entry(3, false, "idea", None, &["Ashley"]),
        r#"{"processed": false, "parsed_category": "worry", "parsed_entities": ["Ashley"]}"#
            .to_owned(),
    ]
}

#[test]
fn three_worries_naming_one_person_are_a_recurring_worry() {
    let f = check(&state(&python_example()), None, &[]);
    let a = fires(&f, "patterns:recurring_worry:ashley", Priority::Medium);
    assert_eq!(a.title, "Recurring worry: Ashley (3 times)");
    assert!(
        a.message.contains("a worry about Ashley 3 times this week"),
        "{}",
        a.message
    );
    assert!(!a.message.contains("private"), "{}", a.message);
    silent(&f, "patterns:recurring_worry:memphis");
    let v = fires(&f, "patterns:worry_volume", Priority::Medium);
    assert!(
        v.message.starts_with("5 worries written down this week"),
        "{}",
        v.message
    );
}

#[test]
fn four_worries_are_not_yet_volume_and_thresholds_are_config() {
    let mut entries = python_example();
    entries.remove(4);
    let f = check(&state(&entries), None, &[]);
    silent(&f, "patterns:worry_volume");
    let mut cfg = pattern_cfg();
    cfg.thresholds.worry_volume = 4;
    cfg.thresholds.recurring_worry = 4;
    let input = PatternInput {
        oura: None,
        workos: None,
        state: Some(&state(&entries)),
        punts: &[],
    };
    let f = patterns(&input, noon(), &cfg);
    fires(&f, "patterns:worry_volume", Priority::Medium);
    silent(&f, "patterns:recurring_worry:ashley");
}

fn dentist() -> Vec<String> {
    vec![
        entry(4, false, "task", Some("Book the dentist"), &[]),
        entry(30, false, "task", Some("book the dentist."), &[]),
        entry(100, false, "task", Some("  BOOK THE DENTIST "), &[]),
        entry(6, true, "task", Some("book the dentist"), &[]),
    ]
}

#[test]
fn an_action_in_three_dumps_is_procrastination() {
    let f = check(&state(&dentist()), None, &[]);
    let key = "patterns:procrastination:dump:book the dentist";
    let a = fires(&f, key, Priority::Medium);
    assert_eq!(a.title, "Written down 3 times: Book the dentist");
    assert_eq!(
        a.message,
        "You've written down 'Book the dentist' in 3 brain dumps this week and not done it yet. Block time now?"
    );
    // Two are not enough.
    let f = check(&state(&dentist()[1..]), None, &[]);
    assert!(sent(&f).is_empty(), "{:?}", sent(&f));
}

#[test]
fn a_repeated_action_naming_a_task_is_that_task_one_alert_whichever_source_saw_it() {
    let workos = WorkosSnapshot {
        tasks: vec![Task {
            id: 42,
            title: "Book the dentist".to_owned(),
            status: "queued".to_owned(),
            ..Task::default()
        }],
        ..WorkosSnapshot::default()
    };
    // Only the dumps saw it: the task's key.
    let f = check(&state(&dentist()), Some(&workos), &[]);
    fires(&f, "patterns:procrastination:task:42", Priority::Medium);
    silent(&f, "patterns:procrastination:dump:book the dentist");
    // The snapshots saw it too: one alert, the snapshots' wording.
    let punts = [PuntCount {
        item_key: "task:42".to_owned(),
        title: "Book the dentist".to_owned(),
        count: 3,
    }];
    let f = check(&state(&dentist()), Some(&workos), &punts);
    let keys: Vec<&str> = sent(&f)
        .into_iter()
        .filter(|k| k.starts_with("patterns:procrastination:"))
        .collect();
    assert_eq!(keys, ["patterns:procrastination:task:42"]);
    assert!(
        fires(&f, keys[0], Priority::Medium)
            .message
            .contains("off today's list")
    );
}

#[test]
fn a_repeated_action_naming_an_open_commitment_is_that_commitment() {
    let mut s = state(&dentist());
    s.commitment_data = FileRead::Ok(vec![commitment(
        "c-9",
        "⚡ Book the dentist",
        Some(nov(30)),
    )]);
    let f = check(&s, None, &[]);
    fires(
        &f,
        "patterns:procrastination:commitment:c-9",
        Priority::Medium,
    );
}
