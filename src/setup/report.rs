//! What `operator setup` tells the person at the terminal beyond each step: on a second run,
//! what is already set; the data Operator found; how to keep it running (the LaunchAgent on
//! macOS, a systemd unit on Linux).

use std::path::{Path, PathBuf};

use super::files::EnvFile;
use super::{Options, SetupError, say};
use crate::config;

/// A second run: what is already set, and how to change it.
pub(super) fn already_set_up(
    options: &Options,
    env: &EnvFile,
    config_path: &Path,
    config_exists: bool,
) -> Result<(), SetupError> {
    say("Operator is already set up here:");
    say(&format!(
        "  bot token: set in {}",
        options.dir.join(".env").display()
    ));
    say(&format!(
        "  alert chat: {}",
        env.get("TELEGRAM_CHAT_ID")
            .unwrap_or_else(|| "not set".to_owned())
    ));
    if let Some(root) = env.get("THANOS_ROOT") {
        say(&format!("  THANOS_ROOT: {root}"));
    }
    if config_exists {
        match config::load_file(config_path) {
            Ok(config) => {
                say(&format!(
                    "  config: {} (valid; time zone {})",
                    config_path.display(),
                    config.timezone.name()
                ));
                report_data_paths(&config);
            }
            Err(e) => {
                say(&format!(
                    "  config: {} does not load:",
                    config_path.display()
                ));
                eprint!("{}", e.report());
            }
        }
    } else {
        say(&format!("  config: {} is missing", config_path.display()));
    }
    say(
        "To start over with another token or chat: operator setup --force. To check everything: operator doctor.",
    );
    Ok(())
}

/// Where the user's data should be, and which of it exists.
pub(super) fn report_data_paths(config: &config::Config) {
    let mark = |p: &Path| {
        if p.exists() {
            "✓ found"
        } else {
            "• not found yet"
        }
    };
    let a = &config.adapters;
    say("Data Operator reads:");
    for (what, path) in [
        ("Oura cache", &a.oura.cache_db_path),
        ("WorkOS cache", &a.workos.cache_db_path),
        ("State files", &a.state_files.base_path),
    ] {
        say(&format!("  {what}: {} ({})", path.display(), mark(path)));
    }
    say(&format!(
        "  WorkOS Postgres: {}",
        if a.workos.database_url.is_some() {
            "configured"
        } else {
            "not configured (WORKOS_DATABASE_URL in .env)"
        }
    ));
    say(&format!(
        "  Oura API token: {}",
        if a.oura.access_token.is_some() {
            "configured"
        } else {
            "not configured (OURA_PERSONAL_ACCESS_TOKEN in .env; optional)"
        }
    ));
}

/// How to keep Operator running: the LaunchAgent on macOS, a systemd unit on Linux.
pub(super) fn next_steps(config_path: &Path, yes: bool) {
    let config = std::path::absolute(config_path).unwrap_or_else(|_| config_path.to_path_buf());
    let binary = std::env::current_exe()
        .ok()
        .unwrap_or_else(|| PathBuf::from("operator"));
    say("");
    say("Next: keep Operator running.");
    if cfg!(target_os = "macos") {
        let command = format!(
            "{} --config {} launchd install",
            binary.display(),
            config.display()
        );
        if yes {
            say(&format!("  Start it at login: {command}"));
        } else {
            say(&format!(
                "  Start it at login (a LaunchAgent; it restarts after a crash): {command}"
            ));
        }
    } else {
        say("  As a systemd user service, save this as ~/.config/systemd/user/operator.service:");
        say("");
        say("[Unit]\nDescription=Operator\n[Service]");
        say(&format!(
            "ExecStart={} --config {} run",
            binary.display(),
            config.display()
        ));
        say("Restart=on-failure\nTimeoutStopSec=30\n[Install]\nWantedBy=default.target");
        say("");
        say("  then: systemctl --user enable --now operator");
    }
    say(&format!(
        "  Or run it now: {} --config {} run",
        binary.display(),
        config.display()
    ));
    say(&format!(
        "  Check everything: {} --config {} doctor",
        binary.display(),
        config.display()
    ));
}
