//! Operator's own state database when its disk fails it, with real file-system errors:
//!
//! - **Disk full while running.** The state directory is a 4 MiB tmpfs mounted in the
//!   daemon's own mount namespace (`unshare --mount`, so nothing leaks when it exits); the
//!   test fills it from outside through `/proc/<pid>/root` while a push is in flight. Every
//!   write then fails with SQLite's "database or disk is full" (ENOSPC).
//! - **Read-only at start-up.** The state directory is a read-only bind mount.
//!
//! Expected: deliveries already in flight are not sent twice although they cannot be
//! recorded; cycles fail and say why (`/check`, `/status`, `/health`, one Telegram notice);
//! commands that only read still answer and those that write say what failed; once there
//! is space the outcomes kept in memory are recorded, a cycle completes, the recovery is
//! announced and the invariant holds. A read-only start is one clear error, exit 1.
//!
//! Mount namespaces need CAP_SYS_ADMIN (root, as CI runs) or unprivileged user namespaces.
//! Where neither works the scenario says so; under `CI=true` it fails instead of skipping.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use super::rig::{Rig, WAIT, term};
use crate::support::fake_telegram::Fault;
use crate::support::{DemoWorld, operator_bin, run_operator};

const PUSH: i64 = 601;
const ASKER: i64 = 602;
const WATCHER: i64 = 603;

/// The argv prefix that runs a command in a private mount namespace, as root or in a user
/// namespace; `None` (after saying why) when neither is allowed here.
fn unshare_prefix() -> Option<Vec<String>> {
    let candidates: [&[&str]; 2] = [
        &["unshare", "--mount", "--propagation", "private"],
        &["unshare", "--user", "--map-root-user", "--mount"],
    ];
    for prefix in candidates {
        let ok = std::process::Command::new(prefix[0])
            .args(&prefix[1..])
            .args(["sh", "-c", "mount -t tmpfs -o size=1m probe /mnt"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(prefix.iter().map(|s| (*s).to_owned()).collect());
        }
    }
    let why = "cannot mount a tmpfs in a private mount namespace (needs root or user namespaces)";
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and {why}");
    }
    eprintln!("SKIPPING a state DB disk fault test: {why}");
    None
}

/// Points the world's `state.db_path` at `db`.
fn move_state_db(rig: &Rig, db: &Path) {
    let text = std::fs::read_to_string(&rig.world.files.config).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("  db_path: "))
        .expect("the demo config names db_path")
        .to_owned();
    rig.edit_config(&line, &format!("  db_path: \"{}\"", db.display()));
}

/// Writes zeros to `path` until the file system says it is full.
fn fill(path: &Path) -> u64 {
    let mut file = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(n) => written += n as u64,
            Err(e) if e.raw_os_error() == Some(28) => break,
            Err(e) => panic!("filling {}: {e}", path.display()),
        }
    }
    let _ = file.sync_all();
    written
}

/// Waits (bounded) until a message in `chat` contains `needle`.
async fn wait_for_message(rig: &Rig, chat: i64, needle: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if rig
            .fake
            .messages(chat)
            .iter()
            .any(|m| m.plain_text.contains(needle))
        {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no message with {needle:?} in chat {chat}: {:#?}",
            rig.fake.messages(chat)
        );
        let seen = rig.fake.requests_for("sendmessage").len();
        rig.fake
            .wait_for_requests("sendmessage", seen + 1, Duration::from_secs(1))
            .await
            .ok();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_under_the_state_db_holds_alerts_answers_and_recovers() {
    let Some(unshare) = unshare_prefix() else {
        return;
    };
    let mut rig = Rig::new(&[PUSH], &[ASKER, WATCHER], "low").await;
    rig.world.no_quiet_hours();
    let dir = rig.world.dir.path().join("statedb");
    std::fs::create_dir(&dir).unwrap();
    move_state_db(&rig, &dir.join("operator.db"));
    rig.wrapper = unshare;
    rig.wrapper.extend([
        "sh".to_owned(),
        "-c".to_owned(),
        "mount -t tmpfs -o size=4m,mode=0700 operator-state \"$0\" && exec \"$@\"".to_owned(),
        dir.display().to_string(),
    ]);
    // The first push stalls at Telegram for 2 s: the disk fills while it is in flight.
    rig.fake
        .script(Some("sendMessage"), Fault::Stall(Duration::from_secs(2)));
    let mut child = rig.spawn();
    let pid = child.id().expect("the daemon runs");
    let view = PathBuf::from(format!("/proc/{pid}/root{}", dir.display()));
    rig.state_db_view = Some(view.join("operator.db"));
    rig.fake
        .wait_for_requests("sendmessage", 1, WAIT)
        .await
        .expect("a first push");
    let filled = fill(&view.join("filler"));
    let queued = rig.outbox().len();
    assert!(queued > 1, "the first cycle queued alerts: {queued}");

    // Pushes in flight go out once each although none can be recorded.
    let deadline = tokio::time::Instant::now() + WAIT;
    while rig.fake.messages(PUSH).len() < queued {
        assert!(tokio::time::Instant::now() < deadline, "pushes stopped");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        rig.pending() > 0,
        "deliveries were recorded on a full disk?"
    );

    // Cycles fail and say why; commands that read answer, one that writes says it failed.
    let (first, _) = rig.ask(ASKER, "/check").await;
    assert!(
        first.contains("/check failed") && first.contains("full"),
        "{first}"
    );
    rig.ask(ASKER, "/check").await;
    let (snooze, _) = rig.ask(ASKER, "/snooze 1h").await;
    assert!(
        snooze.contains("/snooze failed") && snooze.contains("full"),
        "{snooze}"
    );
    let (status, took) = rig.ask(WATCHER, "/status").await;
    assert!(
        status.contains("Check cycles are failing") && status.contains("full"),
        "{status}"
    );
    assert!(took < Duration::from_secs(5), "/status took {took:?}");
    let (quiet, _) = rig.ask(WATCHER, "/quiet").await;
    assert!(quiet.contains("Quiet hours"), "{quiet}");
    let health = rig.health().await.expect("/health answers");
    assert_eq!(health["status"], "degraded", "{health:#}");
    let error = health["last_cycle_error"]["error"].as_str().unwrap_or("");
    assert!(error.contains("full"), "{health:#}");
    assert!(health["last_cycle_error"]["failed_cycles"].as_u64() >= Some(2));
    wait_for_message(&rig, PUSH, "check cycles are failing").await;
    let pushed_while_full = rig.fake.messages(PUSH).len();

    // Space again: the kept outcomes are recorded, a cycle completes, and it is announced.
    std::fs::remove_file(view.join("filler")).unwrap();
    let runs_before = rig.runs();
    let (reply, _) = rig.ask(ASKER, "/check").await;
    assert!(reply.starts_with("Checked"), "{reply}");
    let took = rig
        .settle(runs_before)
        .await
        .expect("settles once there is space");
    wait_for_message(&rig, PUSH, "complete again").await;
    let report = rig.check_invariant(0);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(report.duplicates, 0, "a delivery was sent twice");
    let (snooze, _) = rig.ask(ASKER, "/snooze 1h").await;
    assert!(snooze.starts_with("Snoozed"), "{snooze}");
    let state_db = std::fs::read(view.join("operator.db")).unwrap_or_default();
    assert!(super::secrets::hits(&state_db).is_empty());
    assert_eq!(term(&mut child).await, Some(0));
    super::secrets::assert_no_secret_in(&rig);
    println!(
        "reliability: state DB disk full: {filled} bytes of filler, {queued} pushes in flight delivered once each, {pushed_while_full} messages while full, healthy {took:?} after space returned; 0 lost"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_state_directory_at_start_up_is_one_clear_error() {
    let Some(unshare) = unshare_prefix() else {
        return;
    };
    let world = DemoWorld::new(chrono::Utc::now());
    // The state DB exists (a first check made it); then its directory is mounted read-only.
    let first = run_operator(
        world.dir.path(),
        &["--config", &world.config_arg(), "check"],
        &[],
    );
    assert!(first.status.success(), "{first:?}");
    let state_dir = world.files.state_db.parent().unwrap().to_owned();
    for command in ["run", "check"] {
        let mut argv = unshare.clone();
        argv.extend([
            "sh".to_owned(),
            "-c".to_owned(),
            "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && exec \"$@\""
                .to_owned(),
            state_dir.display().to_string(),
            operator_bin().display().to_string(),
            "--config".to_owned(),
            world.config_arg(),
            command.to_owned(),
        ]);
        let child = Command::new(&argv[0])
            .args(&argv[1..])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let out = tokio::time::timeout(WAIT, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("`operator {command}` kept running on a read-only state"))
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        assert!(
            stderr.contains("Read-only file system")
                && stderr.contains(&*state_dir.to_string_lossy()),
            "{command}: {stderr}"
        );
        assert_eq!(
            stderr.matches("Read-only file system").count(),
            1,
            "{command}: the cause once: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
