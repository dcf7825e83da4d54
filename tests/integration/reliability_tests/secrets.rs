//! Secrets: every file a scenario leaves behind (journal and backups, daemon log, state DB
//! and WAL, each daemon's stderr) and every CLI output is scanned for the bot token, the
//! WorkOS DB password and the Oura token: zero hits. Written files are mode 0600.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;

use super::rig::{Rig, TOKEN, TOKEN_SECRET};
use crate::support::{DemoWorld, run_operator, stderr, stdout};

pub const DB_PASSWORD: &str = "DBPASS-never-logged-k7";
pub const OURA_TOKEN: &str = "OURA-token-never-logged-m3";

/// Bytes and files scanned by this test binary so far (reported by the counting test).
pub static SCANNED_FILES: AtomicUsize = AtomicUsize::new(0);
pub static SCANNED_BYTES: AtomicUsize = AtomicUsize::new(0);

/// The environment every daemon of the suite gets: the secrets it must never print.
pub fn secret_env() -> Vec<(&'static str, String)> {
    vec![
        (
            "WORKOS_DATABASE_URL",
            format!("postgres://operator:{DB_PASSWORD}@127.0.0.1:1/workos"),
        ),
        ("OURA_PERSONAL_ACCESS_TOKEN", OURA_TOKEN.to_owned()),
    ]
}

/// Where each secret occurs in `text`, by name.
pub fn hits(bytes: &[u8]) -> Vec<&'static str> {
    // The standard library's substring search (built optimised, unlike this test crate):
    // the load scenario's journals hold tens of megabytes. Secrets are ASCII, so a lossy
    // decoding of the bytes keeps every occurrence.
    let text = String::from_utf8_lossy(bytes);
    let url_token = TOKEN.replace(':', "%3A");
    [
        ("bot token", TOKEN_SECRET),
        ("bot token (URL-encoded)", url_token.as_str()),
        ("DB password", DB_PASSWORD),
        ("test Postgres password", crate::support::postgres::PASSWORD),
        ("Oura token", OURA_TOKEN),
    ]
    .into_iter()
    .filter(|(_, s)| text.contains(*s))
    .map(|(name, _)| name)
    .collect()
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Scans every file of the rig's world except the config it was given (which holds the
/// token as input); asserts zero hits and 0600 modes on what Operator wrote.
pub fn assert_no_secret_in(rig: &Rig) {
    let mut files = Vec::new();
    files_under(rig.world.dir.path(), &mut files);
    for path in files
        .iter()
        .filter(|p| p.file_name() != Some("operator.yaml".as_ref()))
    {
        let bytes = std::fs::read(path).unwrap_or_default();
        SCANNED_FILES.fetch_add(1, Ordering::Relaxed);
        SCANNED_BYTES.fetch_add(bytes.len(), Ordering::Relaxed);
        let found = hits(&bytes);
        assert!(found.is_empty(), "{found:?} in {}", path.display());
    }
    assert_private(&rig.world);
}

/// The state DB, the journal and the daemon log are readable by the user only.
pub fn assert_private(world: &DemoWorld) {
    use std::os::unix::fs::PermissionsExt;
    for path in [
        world.files.state_db.clone(),
        world.files.journal.clone(),
        world.files.journal.with_file_name("operator-daemon.log"),
    ] {
        if let Ok(meta) = std::fs::metadata(&path) {
            let mode = meta.permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", path.display());
        }
    }
}

#[test]
fn cli_outputs_and_config_errors_never_show_a_secret() {
    let world = DemoWorld::new(Utc::now());
    let text = std::fs::read_to_string(&world.files.config).unwrap();
    let text = text
        .replace("    database_url: \"\"\n", "    database_url: \"${WORKOS_DATABASE_URL}\"\n")
        .replace(
            "  telegram:\n    enabled: false\n",
            "  telegram:\n    enabled: true\n    token: \"${TELEGRAM_BOT_TOKEN}\"\n    chat_id: [5]\n    api_url: \"http://127.0.0.1:1\"\n",
        );
    std::fs::write(&world.files.config, text).unwrap();
    let mut env: Vec<(&str, String)> = secret_env();
    env.push(("TELEGRAM_BOT_TOKEN", TOKEN.to_owned()));
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let config = world.config_arg();
    let mut outputs = 0;
    for args in [
        vec!["config", "show"],
        vec!["config", "validate"],
        vec!["check", "--json"],
        vec!["check", "--dry-run"],
        vec!["status"],
        vec!["status", "--json"],
    ] {
        let mut full = vec!["--config", config.as_str()];
        full.extend(args.iter().copied());
        let out = run_operator(world.dir.path(), &full, &env_ref);
        for text in [stdout(&out), stderr(&out)] {
            assert!(hits(text.as_bytes()).is_empty(), "{args:?}:\n{text}");
            outputs += 1;
        }
    }
    // A malformed URL holding a password is refused without echoing it.
    let bad: Vec<(&str, &str)> = vec![
        (
            "WORKOS_DATABASE_URL",
            "mysql://operator:DBPASS-never-logged-k7@h/db",
        ),
        ("TELEGRAM_BOT_TOKEN", TOKEN),
    ];
    let out = run_operator(
        world.dir.path(),
        &["--config", &config, "config", "validate"],
        &bad,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(hits(stderr(&out).as_bytes()).is_empty(), "{}", stderr(&out));
    outputs += 2;
    let mut files = Vec::new();
    files_under(world.dir.path(), &mut files);
    for path in files
        .iter()
        .filter(|p| p.file_name() != Some("operator.yaml".as_ref()))
    {
        let bytes = std::fs::read(path).unwrap_or_default();
        assert!(hits(&bytes).is_empty(), "{}", path.display());
    }
    assert_private(&world);
    println!(
        "reliability: secrets scanned in {outputs} CLI outputs and {} files, 0 hits",
        files.len()
    );
}
