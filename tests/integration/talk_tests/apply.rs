//! Applying a suggestion to a copy of the shipped, commented `config/operator.yaml`: one value
//! changes, every other byte stays, a 0600 backup holds the file as it was; a value from
//! `${VAR}`, a value changed since the review, or a file that does not validate are refused
//! with the reason and nothing written.

use std::collections::HashMap;
use std::path::Path;

use operator::review::apply::{ApplyError, apply_checked};

fn shipped() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/operator.yaml"))
        .unwrap()
}

/// The check `apply` runs, with the environment of a user's machine.
fn validate(path: &Path) -> Result<(), String> {
    let env = HashMap::from([("HOME", "/home/me"), ("THANOS_ROOT", "/thanos")]);
    let lookup = |name: &str| env.get(name).map(|v| (*v).to_owned());
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    operator::config::load_str(&text, path, &lookup)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-12-06T23:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc)
}

#[test]
fn one_value_changes_and_every_other_byte_stays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("operator.yaml");
    let original = shipped();
    std::fs::write(&path, &original).unwrap();
    let key = "monitors.health.thresholds.sleep_hours_warning";
    let applied = apply_checked(&path, key, "6.0", "5.5", now(), &validate).unwrap();
    assert_eq!(applied.to, "5.5");

    let edited = std::fs::read_to_string(&path).unwrap();
    let (old, new): (Vec<&str>, Vec<&str>) = (original.lines().collect(), edited.lines().collect());
    assert_eq!(old.len(), new.len(), "no line added or removed");
    let changed: Vec<(usize, &str, &str)> = old
        .iter()
        .zip(&new)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| (i, *a, *b))
        .collect();
    assert_eq!(changed.len(), 1, "{changed:#?}");
    assert!(
        changed[0]
            .1
            .trim_start()
            .starts_with("sleep_hours_warning: 6")
    );
    assert!(
        changed[0]
            .2
            .trim_start()
            .starts_with("sleep_hours_warning: 5.5")
    );
    assert_eq!(
        changed[0].1.split_once('#').map(|c| c.1),
        changed[0].2.split_once('#').map(|c| c.1),
        "the line's comment stays"
    );
    assert_eq!(original.ends_with('\n'), edited.ends_with('\n'));

    let backup = std::fs::read_to_string(&applied.backup).unwrap();
    assert_eq!(backup, original, "the backup is the file as it was");
    use std::os::unix::fs::PermissionsExt;
    for p in [&path, &applied.backup] {
        let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
    let loaded = validate(&path);
    assert!(loaded.is_ok(), "{loaded:?}");
}

#[test]
fn a_value_from_the_environment_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("operator.yaml");
    let text = shipped().replacen(
        "sleep_hours_warning: 6.0",
        "sleep_hours_warning: \"${SLEEP_WARN:-6}\"",
        1,
    );
    assert!(text.contains("SLEEP_WARN"));
    std::fs::write(&path, &text).unwrap();
    let err = apply_checked(
        &path,
        "monitors.health.thresholds.sleep_hours_warning",
        "6.0",
        "5.5",
        now(),
        &validate,
    )
    .unwrap_err();
    assert!(
        matches!(err, ApplyError::FromEnvironment { ref var } if var.starts_with("SLEEP_WARN")),
        "{err:?}"
    );
    assert!(err.to_string().contains("environment variable"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "nothing written"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no backup either"
    );
}

#[test]
fn a_value_changed_since_the_review_or_a_broken_file_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("operator.yaml");
    let text = shipped().replacen("sleep_hours_warning: 6.0", "sleep_hours_warning: 5.8", 1);
    std::fs::write(&path, &text).unwrap();
    let key = "monitors.health.thresholds.sleep_hours_warning";
    let err = apply_checked(&path, key, "6.0", "5.5", now(), &validate).unwrap_err();
    assert_eq!(err, ApplyError::Changed { now: "5.8".into() });

    let broken = shipped().replacen("readiness_critical: 50", "readiness_critical: lots", 1);
    std::fs::write(&path, &broken).unwrap();
    let err = apply_checked(&path, key, "6.0", "5.5", now(), &validate).unwrap_err();
    assert!(matches!(err, ApplyError::InvalidBefore(_)), "{err:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
}
