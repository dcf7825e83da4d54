//! Doctor's checks of Operator's own setup: the config loads, the time zone is the one meant,
//! the files that hold secrets or history are private (0600), and the state database is
//! sound.

use std::path::{Path, PathBuf};

use super::Check;
use crate::config::{self, Config};
use crate::store::Store;

/// The config at `path`: `None` (after a failing check) when it does not load.
pub fn config(path: &Path, checks: &mut Vec<Check>) -> Option<Config> {
    match config::load_file(path) {
        Ok(c) => {
            checks.push(Check::ok(
                "config",
                format!("{} is valid", c.source_path.display()),
            ));
            Some(c)
        }
        Err(e) if !path.exists() => {
            checks.push(Check::fail(
                "config",
                format!("{} does not exist", e.file.display()),
                "run `operator setup` (or pass --config PATH / set OPERATOR_CONFIG)",
            ));
            None
        }
        Err(e) => {
            let problems: Vec<String> = e
                .problems
                .iter()
                .map(|p| {
                    if p.path.is_empty() {
                        p.message.clone()
                    } else {
                        format!("{}: {}", p.path, p.message)
                    }
                })
                .collect();
            checks.push(Check::fail(
                "config",
                format!(
                    "{} has {} problem(s): {}",
                    e.file.display(),
                    problems.len(),
                    problems.join("; ")
                ),
                "fix each key named (`operator config validate` lists them), then run doctor again",
            ));
            None
        }
    }
}

/// The zone: named in the config and found in the tz database (the loader checks that), or
/// the system's; UTC because no zone could be found is a warning.
pub fn zone(config: &Config, checks: &mut Vec<Check>) {
    let name = config.timezone.name();
    if name == "UTC" {
        checks.push(Check::warn(
            "time zone",
            "UTC: no zone in the config and the system's could not be read",
            "set `timezone` to your IANA zone (e.g. America/New_York); quiet hours and \"today\" follow it",
        ));
    } else {
        checks.push(Check::ok(
            "time zone",
            format!("{name}, from the system's time zone database"),
        ));
    }
}

/// The files holding secrets (`.env`) or history (state DB, journal, daemon log) are 0600.
pub fn permissions(config: &Config, checks: &mut Vec<Check>) {
    let mut envs: Vec<PathBuf> = config
        .source_path
        .parent()
        .map(|d| d.join(".env"))
        .into_iter()
        .collect();
    if let Some(root) = std::env::var_os("THANOS_ROOT").filter(|r| !r.is_empty()) {
        let other = Path::new(&root).join(".env");
        if !envs.contains(&other) {
            envs.push(other);
        }
    }
    let journal = &config.alerters.journal.log_path;
    let files = envs.iter().map(|p| (".env", p.clone())).chain([
        ("state database", config.state.db_path.clone()),
        ("journal", journal.clone()),
        ("daemon log", crate::logging::daemon_log_path(config)),
    ]);
    let mut open = Vec::new();
    let mut seen = 0;
    for (what, path) in files {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        seen += 1;
        if let Some(mode) = loose_mode(&meta) {
            open.push((what, path, mode));
        }
    }
    if open.is_empty() {
        checks.push(Check::ok(
            "permissions",
            format!("{seen} file(s) holding secrets or history are private (0600)"),
        ));
        return;
    }
    for (what, path, mode) in open {
        let severity = if what == ".env" {
            Check::fail
        } else {
            Check::warn
        };
        checks.push(severity(
            format!("permissions: {what}"),
            format!(
                "{} is mode {mode:o}: other users can read it",
                path.display()
            ),
            format!("chmod 600 {}", path.display()),
        ));
    }
}

/// The mode bits when group or others may read or write the file.
#[cfg(unix)]
fn loose_mode(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn loose_mode(_meta: &std::fs::Metadata) -> Option<u32> {
    None
}

/// The state database passes `PRAGMA quick_check` (opened read-only).
pub fn state_db(config: &Config, checks: &mut Vec<Check>) {
    let path = &config.state.db_path;
    if !path.exists() {
        checks.push(Check::warn(
            "state database",
            format!("{} does not exist yet", path.display()),
            "it is created by the first `operator check` or `operator run`",
        ));
        return;
    }
    match Store::integrity(path) {
        Ok(None) => checks.push(Check::ok(
            "state database",
            format!("{} passes its integrity check", path.display()),
        )),
        Ok(Some(problem)) => checks.push(corrupt(path, &problem)),
        Err(e) => checks.push(corrupt(path, &e.to_string())),
    }
}

fn corrupt(path: &Path, problem: &str) -> Check {
    Check::fail(
        "state database",
        format!("{} is damaged: {problem}", path.display()),
        format!(
            "stop Operator, move it aside (mv {0} {0}.damaged) and start again: a new one is created (snoozes, quiet-hour settings and history start over)",
            path.display()
        ),
    )
}
