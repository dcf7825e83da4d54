//! The binary as a user meets it: `check`, `demo`, `config`, `status`, exit codes.

use std::fs;

use crate::support::{DemoWorld, morning, run_operator, stderr, stdout};

#[test]
fn demo_runs_offline_and_shows_alerts_and_replies() {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("demo");
    let out = run_operator(
        dir.path(),
        &["demo", "--dir", demo_dir.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "Readiness 48",
        "commitments overdue",
        "Commitment violated",
        "Memphis optimization report",
        "═══ /status ═══",
        "═══ /readiness ═══",
        "14-day trend",
        "═══ /overdue ═══",
        "3 days late",
    ] {
        assert!(
            text.contains(needle),
            "demo output lacks {needle:?}:\n{text}"
        );
    }
    assert!(demo_dir.join("State/operator.db").exists());
    assert!(demo_dir.join("logs/operator.log").exists());
}

#[test]
fn check_json_prints_one_object_per_decision_with_the_journal_fields() {
    let world = DemoWorld::new(morning());
    let now = "2026-11-27T09:05:00-05:00";
    let out = run_operator(
        world.dir.path(),
        &[
            "--config",
            &world.config_arg(),
            "check",
            "--json",
            "--now",
            now,
        ],
        &[],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 10, "{lines:?}");
    for l in &lines {
        for field in [
            "dedup_key",
            "class",
            "priority",
            "title",
            "message",
            "created_at",
            "chat_id",
            "outcome",
            "channel",
        ] {
            assert!(l.get(field).is_some(), "{field} missing in {l}");
        }
    }
    assert!(lines.iter().any(|l| l["dedup_key"] == "health:readiness"
        && l["priority"] == "critical"
        && l["outcome"] == "sent"));

    // The same cycle again: everything is deduplicated now, and the journal says so.
    let again = run_operator(
        world.dir.path(),
        &[
            "--config",
            &world.config_arg(),
            "check",
            "--json",
            "--now",
            now,
        ],
        &[],
    );
    let lines: Vec<serde_json::Value> = stdout(&again)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines.iter().all(|l| l["outcome"] == "deduplicated"),
        "{lines:?}"
    );
    let journal = world.journal_lines();
    assert!(journal.iter().any(|l| l["outcome"] == "sent"));
    assert!(journal.iter().any(|l| l["outcome"] == "deduplicated"));
}

#[test]
fn dry_run_records_nothing() {
    let world = DemoWorld::new(morning());
    let out = run_operator(
        world.dir.path(),
        &[
            "--config",
            &world.config_arg(),
            "check",
            "--dry-run",
            "--now",
            "2026-11-27T09:05:00-05:00",
        ],
        &[],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert!(stdout(&out).contains("dry run"));
    assert!(
        !world.files.state_db.exists(),
        "dry run created the state database"
    );
    assert!(!world.files.journal.exists(), "dry run wrote the journal");
}

#[test]
fn quiet_hours_hold_alerts_then_the_morning_digest_delivers_them() {
    let world = DemoWorld::new(morning());
    let cfg = world.config_arg();
    // 23:30 local the night before: non-critical alerts are held, critical ones go out.
    let night = run_operator(
        world.dir.path(),
        &[
            "--config",
            &cfg,
            "check",
            "--json",
            "--now",
            "2026-11-26T23:30:00-05:00",
        ],
        &[],
    );
    assert!(night.status.success(), "{}", stderr(&night));
    let lines: Vec<serde_json::Value> = stdout(&night)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.iter().any(|l| l["outcome"] == "held_quiet"));
    assert!(
        lines
            .iter()
            .filter(|l| l["outcome"] == "sent")
            .all(|l| l["priority"] == "critical")
    );

    let morning = run_operator(
        world.dir.path(),
        &[
            "--config",
            &cfg,
            "check",
            "--now",
            "2026-11-27T07:10:00-05:00",
        ],
        &[],
    );
    assert!(morning.status.success(), "{}", stderr(&morning));
    assert!(
        stdout(&morning).contains("While you were in quiet hours"),
        "{}",
        stdout(&morning)
    );
}

#[test]
fn status_reports_last_run_monitors_and_sources() {
    let world = DemoWorld::new(morning());
    let cfg = world.config_arg();
    let before = run_operator(world.dir.path(), &["--config", &cfg, "status"], &[]);
    assert!(before.status.success());
    assert!(stdout(&before).contains("No state yet"));
    run_operator(
        world.dir.path(),
        &[
            "--config",
            &cfg,
            "check",
            "--now",
            "2026-11-27T09:05:00-05:00",
        ],
        &[],
    );
    let out = run_operator(
        world.dir.path(),
        &["--config", &cfg, "status", "--json"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["run_count"], 1);
    assert_eq!(v["monitors"]["health"]["status"], "ok");
    assert_eq!(v["sources"]["oura"]["state"], "ok");
    assert_eq!(v["sources"]["workos"]["state"], "ok");
}

#[test]
fn a_corrupt_source_skips_its_checks_and_the_cycle_completes() {
    let world = DemoWorld::new(morning());
    fs::write(
        &world.files.oura_db,
        b"this is not a database at all, not even close....",
    )
    .unwrap();
    fs::write(
        world.files.state_dir.join("CommitmentData.json"),
        b"{ not json",
    )
    .unwrap();
    let out = run_operator(
        world.dir.path(),
        &[
            "--config",
            &world.config_arg(),
            "check",
            "--now",
            "2026-11-27T09:05:00-05:00",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("health skipped"), "{text}");
    assert!(text.contains("oura failed"), "{text}");
    assert!(text.contains("CommitmentData.json"), "{text}");
}

#[test]
fn invalid_config_exits_2_naming_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    fs::write(
        &path,
        "quiet_hours:\n  start: 25\nmonitors:\n  health:\n    thresholdz: {}\n",
    )
    .unwrap();
    for args in [
        vec!["config", "validate"],
        vec!["check"],
        vec!["status"],
        vec!["config", "show"],
    ] {
        let mut full = vec!["--config", path.to_str().unwrap()];
        full.extend(args.iter());
        let out = run_operator(
            dir.path(),
            &full,
            &[("HOME", "/home/u"), ("THANOS_ROOT", "/t")],
        );
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("quiet_hours.start"), "{err}");
        assert!(err.contains("monitors.health.thresholdz"), "{err}");
    }
}

#[test]
fn usage_errors_exit_2_and_a_missing_config_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_operator(dir.path(), &["check", "--now", "yesterday"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("RFC 3339"));
    let out = run_operator(dir.path(), &["config", "validate"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("operator.yaml"), "{}", stderr(&out));
}

#[test]
fn secrets_never_reach_config_show_or_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("operator.yaml");
    fs::write(
        &path,
        "alerters:\n  telegram:\n    enabled: true\n    token: \"${TELEGRAM_BOT_TOKEN}\"\n    chat_id: \"${TELEGRAM_CHAT_ID}\"\n\
         adapters:\n  workos:\n    database_url: \"postgres://u:hunter2pw@db.example/x\"\n",
    )
    .unwrap();
    let env = [
        ("HOME", "/home/u"),
        ("THANOS_ROOT", "/t"),
        ("TELEGRAM_BOT_TOKEN", "123456:SECRETTOKENvalue"),
        ("TELEGRAM_CHAT_ID", "42"),
    ];
    let out = run_operator(
        dir.path(),
        &["--config", path.to_str().unwrap(), "config", "show"],
        &env,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        !all.contains("SECRETTOKENvalue") && !all.contains("hunter2pw"),
        "{all}"
    );
    assert!(all.contains("***"));

    // A type error on the token must not echo it either.
    fs::write(
        &path,
        "alerters:\n  telegram:\n    token: [\"123456:SECRETTOKENvalue\"]\n",
    )
    .unwrap();
    let out = run_operator(
        dir.path(),
        &["--config", path.to_str().unwrap(), "config", "validate"],
        &env,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !stderr(&out).contains("SECRETTOKENvalue"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let world = DemoWorld::new(morning());
    let cfg = world.config_arg();
    run_operator(
        world.dir.path(),
        &[
            "--config",
            &cfg,
            "check",
            "--now",
            "2026-11-27T09:05:00-05:00",
        ],
        &[],
    );
    for args in [
        vec!["status"],
        vec!["status", "--json"],
        vec!["config", "show"],
        vec!["check", "--dry-run"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(crate::support::operator_bin())
            .args(["--config", &cfg])
            .args(&args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}
