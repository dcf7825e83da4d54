//! The State files reader on real directories.

use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use operator::sources::state_files::{
    MAX_FILE_BYTES, StateFiles, parse_commitments_md, resolve_inside,
};
use operator::sources::{CommitmentOrigin, FileRead};

use super::day;

const COMMITMENTS_MD: &str = "\
# Commitments

## Work
- [ ] Send Memphis report (due: 2026-01-20) ⚡
- [x] Raleigh follow-up
  - [ ] Orlando documentation (due: 2026-01-27)

## Personal
* [ ] Schedule date night with Ashley ⚡ (due: 2026-01-21)
- [X] Call mom
not a checkbox line

## Health
- [ ] Meditate 10 minutes [🔄 Daily]
- [ ] Walk ⚡️ [🔄 Daily] (due: 2026-01-25)
```
- [ ] inside a code fence
```
";

#[test]
fn commitments_md_with_every_marker() {
    let got = parse_commitments_md(COMMITMENTS_MD);
    let summary: Vec<_> = got
        .iter()
        .map(|c| {
            (
                c.kind.as_str(),
                c.title.as_str(),
                c.status.as_str(),
                c.due_date,
                c.recurring,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "Work",
                "Send Memphis report",
                "pending",
                Some(day("2026-01-20")),
                false
            ),
            ("Work", "Raleigh follow-up", "completed", None, false),
            (
                "Work",
                "Orlando documentation",
                "pending",
                Some(day("2026-01-27")),
                false
            ),
            (
                "Personal",
                "Schedule date night with Ashley",
                "pending",
                Some(day("2026-01-21")),
                false
            ),
            ("Personal", "Call mom", "completed", None, false),
            ("Health", "Meditate 10 minutes", "pending", None, true),
            ("Health", "Walk", "pending", Some(day("2026-01-25")), true),
        ]
    );
    assert!(
        got.iter()
            .all(|c| c.origin == CommitmentOrigin::Markdown && c.id.starts_with("md:"))
    );
    let mut ids: Vec<_> = got.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "ids are unique");
}

#[test]
fn markdown_ids_survive_reordering_ticking_and_marker_changes() {
    let before =
        parse_commitments_md("## Work\n- [ ] Send report (due: 2026-01-20)\n- [ ] Other\n");
    let after =
        parse_commitments_md("## Work\n- [ ] Other\n- [x] Send report ⚡ (due: 2026-01-22)\n");
    assert_eq!(before[0].id, after[1].id);
    assert_eq!(
        before[0].id, "md:efa296c9e062aa7e",
        "stable across runs and platforms"
    );
    let moved = parse_commitments_md("## Personal\n- [ ] Send report\n");
    assert_ne!(before[0].id, moved[0].id, "the section is part of the id");
    let twice = parse_commitments_md("## Work\n- [ ] Same\n- [ ] Same\n");
    assert_ne!(twice[0].id, twice[1].id);
}

fn write(base: &Path, name: &str, text: impl AsRef<[u8]>) {
    fs::write(base.join(name), text).expect("write state file");
}

#[test]
fn a_full_state_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path();
    write(
        base,
        "CommitmentData.json",
        r#"{"version": "1.0", "updated_at": "2026-01-24T08:00:00",
        "commitments": [{"id": "c1", "title": "Date night", "type": "habit", "status": "pending",
        "due_date": "2026-01-21", "priority": 1, "recurrence_pattern": null}]}"#,
    );
    write(base, "Commitments.md", COMMITMENTS_MD);
    write(base, "brain_dumps.json", "[]");
    write(base, "CurrentFocus.md", "# Focus\n");
    let modified = SystemTime::UNIX_EPOCH + Duration::from_secs(1_769_000_000);
    fs::File::options()
        .write(true)
        .open(base.join("CurrentFocus.md"))
        .and_then(|f| f.set_modified(modified))
        .expect("set mtime");

    let snap = StateFiles::new(base).read();
    let json = snap.commitment_data.ok().expect("json read");
    assert_eq!(
        (json[0].id.as_str(), json[0].due_date),
        ("c1", Some(day("2026-01-21")))
    );
    assert_eq!(snap.commitments_md.ok().map(Vec::len), Some(7));
    assert_eq!(snap.brain_dumps, FileRead::Ok(vec![]));
    assert_eq!(
        snap.focus_modified,
        FileRead::Ok(DateTime::<Utc>::from(modified))
    );
    assert_eq!(snap.commitments().count(), 8);
    assert!(snap.commitments_readable());
}

#[test]
fn missing_files_are_normal() {
    let dir = tempfile::tempdir().expect("tempdir");
    for base in [dir.path().to_path_buf(), dir.path().join("no-such-dir")] {
        let snap = StateFiles::new(&base).read();
        assert_eq!(snap.commitment_data, FileRead::Missing);
        assert_eq!(snap.commitments_md, FileRead::Missing);
        assert_eq!(snap.focus_modified, FileRead::Missing);
        assert_eq!(snap.brain_dumps, FileRead::Missing);
        assert!(snap.commitments_readable());
    }
}

#[test]
fn corrupt_files_say_why_and_do_not_hide_the_others() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path();
    write(
        base,
        "CommitmentData.json",
        r#"{"commitments": [ {"id": "c1", "#,
    );
    write(
        base,
        "Commitments.md",
        [0x2d, 0x20, 0x5b, 0x20, 0x5d, 0x20, 0xff, 0xfe],
    );
    write(base, "brain_dumps.json", r#"{"not": "an array"}"#);
    fs::create_dir(base.join("CurrentFocus.md")).expect("dir");

    let snap = StateFiles::new(base).read();
    assert!(
        reason(&snap.commitment_data).contains("invalid JSON"),
        "{:?}",
        snap.commitment_data
    );
    assert!(
        reason(&snap.commitments_md).contains("UTF-8"),
        "{:?}",
        snap.commitments_md
    );
    assert!(
        reason(&snap.brain_dumps).contains("array"),
        "{:?}",
        snap.brain_dumps
    );
    assert!(
        matches!(snap.focus_modified, FileRead::Corrupt(_)),
        "{:?}",
        snap.focus_modified
    );
    assert!(!snap.commitments_readable());
}

fn reason<T>(read: &FileRead<T>) -> String {
    match read {
        FileRead::Corrupt(why) => why.clone(),
        _ => String::new(),
    }
}

#[test]
fn oversized_files_are_refused_unread() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = fs::File::create(dir.path().join("brain_dumps.json")).expect("create");
    file.set_len(MAX_FILE_BYTES + 1).expect("sparse file");
    let exactly = fs::File::create(dir.path().join("Commitments.md")).expect("create");
    exactly.set_len(MAX_FILE_BYTES).expect("sparse file");

    let snap = StateFiles::new(dir.path()).read();
    assert!(matches!(&snap.brain_dumps, FileRead::Corrupt(why) if why.contains("too large")));
    assert_eq!(
        snap.commitments_md,
        FileRead::Ok(vec![]),
        "at the cap is still read"
    );
}

#[test]
fn path_escapes_are_refused() {
    let outer = tempfile::tempdir().expect("tempdir");
    let base = outer.path().join("State");
    fs::create_dir_all(base.join("inner")).expect("dirs");
    write(outer.path(), "secret.json", "[]");

    for name in ["../secret.json", "inner/../../secret.json", "/etc/passwd"] {
        assert!(
            resolve_inside(&base, Path::new(name)).is_err(),
            "{name} accepted"
        );
    }
    assert_eq!(
        resolve_inside(&base, Path::new("inner/../x.json")),
        Ok(base.join("x.json")),
        "a `..` that stays inside is fine"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(
            outer.path().join("secret.json"),
            base.join("brain_dumps.json"),
        )
        .expect("link");
        symlink(outer.path(), base.join("out")).expect("dir link");
        symlink(base.join("inner"), base.join("in")).expect("inside link");
        assert!(resolve_inside(&base, Path::new("out/secret.json")).is_err());
        assert!(resolve_inside(&base, Path::new("out/not-yet.json")).is_err());
        assert!(resolve_inside(&base, Path::new("in/file.json")).is_ok());
        let snap = StateFiles::new(&base).read();
        assert!(
            matches!(&snap.brain_dumps, FileRead::Corrupt(why) if why.contains("outside")),
            "{:?}",
            snap.brain_dumps
        );
    }
}
