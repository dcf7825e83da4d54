//! A commitment kept in both `CommitmentData.json` and `Commitments.md` is alerted once,
//! read through the real State files reader from files in their real shapes.

use operator::alert::Priority;
use operator::monitors::tasks::tasks;
use operator::sources::state_files::StateFiles;

use crate::monitor_tests::{fires, noon, sent, task_cfg};

/// A State folder with these two files.
fn state(json: &str, md: &str) -> (tempfile::TempDir, operator::sources::StateSnapshot) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("CommitmentData.json"), json).unwrap();
    std::fs::write(dir.path().join("Commitments.md"), md).unwrap();
    let read = StateFiles::new(dir.path()).read();
    (dir, read)
}

/// Four days before the test's "today" (Thu 27 Nov 2025): past the 2-day violation line.
const DUE: &str = "2025-11-23";

fn json_with(title: &str, status: &str) -> String {
    format!(
        r#"{{"version": "1.0", "updated_at": "2025-11-27T08:00:00Z", "commitments": [
  {{"id": "9b3c6f0e-7d1a-4c55-a1f2-3e4d5c6b7a80", "title": "{title}", "type": "task",
    "status": "{status}", "created_date": "2025-11-20", "due_date": "{DUE}",
    "recurrence_pattern": null, "streak_count": 0, "completion_history": [],
    "domain": "work", "priority": 1, "tags": [], "notes": "", "follow_up_schedule": {{}}}}
]}}"#
    )
}

#[test]
fn the_same_commitment_in_both_files_is_violated_once() {
    let (_dir, state) = state(
        &json_with("Test command implementation", "pending"),
        &format!("# Commitments\n\n## Work\n- [ ] ⚡ test command implementation (due: {DUE})\n"),
    );
    let f = tasks(&state, None, noon(), &task_cfg());
    let violated: Vec<&str> = sent(&f)
        .into_iter()
        .filter(|k| k.starts_with("tasks:commitment_violated:"))
        .collect();
    assert_eq!(
        violated,
        ["tasks:commitment_violated:9b3c6f0e-7d1a-4c55-a1f2-3e4d5c6b7a80"],
        "the JSON record's key, once"
    );
    fires(
        &f,
        "tasks:commitment_violated:9b3c6f0e-7d1a-4c55-a1f2-3e4d5c6b7a80",
        Priority::Critical,
    );
}

#[test]
fn done_in_the_markdown_is_done_and_overdue_says_where() {
    let (_dir, state) = state(
        &json_with("Test command implementation", "pending"),
        &format!("## Work\n- [x] Test command implementation (due: {DUE})\n"),
    );
    let f = tasks(&state, None, noon(), &task_cfg());
    assert!(sent(&f).is_empty(), "{:?}", sent(&f));
    let reply = operator::render::overdue(&state, noon().date_naive());
    let text = reply.plain();
    assert!(text.contains("Nothing overdue"), "{text}");
    assert!(
        text.contains(
            "Test command implementation: done in Commitments.md, pending in CommitmentData.json"
        ),
        "{text}"
    );
}

#[test]
fn completed_in_the_json_with_the_box_unticked_is_done() {
    let (_dir, state) = state(
        &json_with("Test command implementation", "completed"),
        &format!("- [ ] Test command implementation [🔄 Daily] (due: {DUE})\n"),
    );
    assert!(sent(&tasks(&state, None, noon(), &task_cfg())).is_empty());
}

#[test]
fn a_different_due_date_is_a_different_commitment() {
    let (_dir, state) = state(
        &json_with("Test command implementation", "pending"),
        "- [ ] Test command implementation (due: 2025-11-22)\n",
    );
    let violated = sent(&tasks(&state, None, noon(), &task_cfg()))
        .into_iter()
        .filter(|k| k.starts_with("tasks:commitment_violated:"))
        .count();
    assert_eq!(violated, 2);
}
