//! `operator doctor`, the real binary: a healthy world (demo data, the fake Bot API, a state
//! database from one `operator check`) passes; each broken part is named with its fix and
//! the exit code says whether something needed is broken. Doctor changes nothing: the files
//! it looked at are byte-for-byte the same afterwards.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Duration, Utc};
use serde_json::Value;

use crate::support::fake_telegram::{FakeTelegram, Fault};
use crate::support::postgres::PgServer;
use crate::support::{DemoWorld, operator_bin};

const TOKEN: &str = "6660001:DOCTOR-test-token-secret";
const CHAT: i64 = 5151;

struct World {
    world: DemoWorld,
    fake: FakeTelegram,
}

/// The demo world with Telegram on (the fake) and a state database from one real cycle.
async fn healthy() -> World {
    let world = DemoWorld::new(Utc::now());
    let fake = FakeTelegram::start(TOKEN);
    fake.know_chat(CHAT);
    world.enable_telegram(&fake.api_url(), TOKEN, &[CHAT], &[]);
    let config = world.config_arg();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(operator_bin())
            .args(["--config", &config, "check"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    World { world, fake }
}

/// `operator doctor --json` on the world: exit code and each check by name.
async fn doctor(w: &World) -> (i32, BTreeMap<String, Value>, String) {
    let config = w.world.config_arg();
    let home = w.world.dir.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(operator_bin())
            .args(["--config", &config, "doctor", "--json"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !text.contains(TOKEN) && !text.contains("DOCTOR-test"),
        "the token leaked: {text}"
    );
    let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let checks = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_owned(), c.clone()))
        .collect();
    (out.status.code().unwrap_or(-1), checks, text)
}

fn status<'a>(checks: &'a BTreeMap<String, Value>, name: &str) -> &'a str {
    checks
        .get(name)
        .and_then(|c| c["status"].as_str())
        .unwrap_or_else(|| panic!("no check {name:?} in {checks:#?}"))
}

fn fix<'a>(checks: &'a BTreeMap<String, Value>, name: &str) -> &'a str {
    checks[name]["fix"].as_str().unwrap_or_default()
}

/// Every file under `dir` with its bytes (to show doctor wrote nothing). SQLite's `-wal` and
/// `-shm` companions are left out: SQLite creates them for any reader of a WAL database,
/// read-only or not (the databases themselves must not change).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let name = p.display().to_string();
            if p.is_dir() {
                stack.push(p);
            } else if !(name.ends_with("-wal") || name.ends_with("-shm")) {
                out.insert(name, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_world_passes_and_doctor_changes_nothing() {
    let w = healthy().await;
    let before = snapshot(w.world.dir.path());
    let sends_before = w.fake.requests_for("sendMessage").len();
    let (code, checks, text) = doctor(&w).await;
    assert_eq!(code, 0, "{text}");
    for name in [
        "config",
        "time zone",
        "permissions",
        "state database",
        "oura cache",
        "workos cache",
        "state files",
        "telegram token",
        "telegram polling",
    ] {
        assert_eq!(status(&checks, name), "ok", "{name}: {text}");
    }
    assert_eq!(
        status(&checks, &format!("telegram chat {CHAT}")),
        "ok",
        "{text}"
    );
    assert_eq!(
        status(&checks, "daemon"),
        "warn",
        "not running is not a failure"
    );
    assert!(checks.values().all(|c| c["status"] != "fail"), "{text}");
    let after = snapshot(w.world.dir.path());
    let changed: Vec<&String> = after
        .keys()
        .chain(before.keys())
        .filter(|k| after.get(*k) != before.get(*k))
        .collect();
    assert!(
        changed.is_empty(),
        "doctor wrote nothing, but these changed: {changed:?}"
    );
    assert_eq!(
        w.fake.requests_for("sendMessage").len(),
        sends_before,
        "no message sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_broken_part_is_named_with_its_fix() {
    type Break = fn(&World);
    let cases: [(&str, Break, &str, &str, i32); 6] = [
        (
            "missing Oura cache",
            |w| std::fs::remove_file(&w.world.files.oura_db).unwrap(),
            "oura cache",
            "Oura MCP server",
            1,
        ),
        (
            "stale Oura sync",
            |w| {
                let conn = rusqlite::Connection::open(&w.world.files.oura_db).unwrap();
                operator::fixtures::set_oura_last_sync(&conn, Utc::now() - Duration::days(3))
                    .unwrap();
            },
            "oura cache",
            "Oura app",
            0,
        ),
        (
            "blocked chat",
            |w| w.fake.block_chat(CHAT),
            "telegram chat 5151",
            "unblock",
            1,
        ),
        (
            "world-readable .env",
            |w| {
                use std::os::unix::fs::PermissionsExt;
                let env = w.world.dir.path().join(".env");
                std::fs::write(&env, "SOME_KEY=value\n").unwrap();
                std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o644)).unwrap();
            },
            "permissions: .env",
            "chmod 600",
            1,
        ),
        (
            "corrupt state database",
            |w| {
                let db = &w.world.files.state_db;
                for sibling in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{sibling}", db.display()));
                }
                std::fs::write(db, vec![0x5a; 8192]).unwrap();
            },
            "state database",
            "move it aside",
            1,
        ),
        (
            "a second poller",
            |w| w.fake.script(Some("getUpdates"), Fault::Conflict),
            "telegram polling",
            "one token, one poller",
            1,
        ),
    ];
    for (case, break_it, check, fix_says, exit) in cases {
        let w = healthy().await;
        break_it(&w);
        let (code, checks, text) = doctor(&w).await;
        assert_eq!(code, exit, "{case}: {text}");
        let want = if exit == 0 { "warn" } else { "fail" };
        assert_eq!(status(&checks, check), want, "{case}: {text}");
        assert!(fix(&checks, check).contains(fix_says), "{case}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_fails_the_telegram_checks() {
    let w = healthy().await;
    let other = FakeTelegram::start("6660002:another-bot-token-entirely");
    other.know_chat(CHAT);
    let text = std::fs::read_to_string(&w.world.files.config).unwrap();
    std::fs::write(
        &w.world.files.config,
        text.replace(&w.fake.api_url(), &other.api_url()),
    )
    .unwrap();
    let (code, checks, text) = doctor(&w).await;
    assert_eq!(code, 1, "{text}");
    assert_eq!(status(&checks, "telegram token"), "fail", "{text}");
    assert!(
        fix(&checks, "telegram token").contains("@BotFather"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_postgres_password_is_named() {
    let Some(pg) = PgServer::start() else { return };
    let w = healthy().await;
    let url = pg.url_with("postgres", "not-the-password", "disable");
    let text = std::fs::read_to_string(&w.world.files.config).unwrap();
    let replaced = text.replace("database_url: \"\"", &format!("database_url: \"{url}\""));
    assert_ne!(
        replaced, text,
        "the demo config's database_url line changed shape"
    );
    std::fs::write(&w.world.files.config, replaced).unwrap();
    let (code, checks, text) = doctor(&w).await;
    assert_eq!(code, 1, "{text}");
    assert_eq!(status(&checks, "workos postgres"), "fail", "{text}");
    assert!(
        fix(&checks, "workos postgres").contains("password"),
        "{text}"
    );
    assert!(
        !text.contains("not-the-password"),
        "the password leaked: {text}"
    );
}
