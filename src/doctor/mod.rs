//! `operator doctor`: everything Operator needs, checked read-only, one line per check with
//! what to do about it. `ok` (✓), `warn` (!: works, but not as well as it could), `fail` (✗:
//! something needed is broken). The exit code is 1 when any check fails.
//!
//! Read-only: the state database is opened read-only (SQLite may create the empty `-wal` and
//! `-shm` companions any reader of a WAL database needs), sources as in a cycle (read-only
//! files, a read-only Postgres transaction, GETs), Telegram only asked questions (see
//! `bot::probe`), and the heartbeat service's host is reached without pinging the check.
//!
//! The checks live by subject: [`setup`] (the config, the zone, file permissions, the state
//! database), [`sources`] (Oura, WorkOS, the State files), [`services`] (Telegram, the daemon,
//! the LaunchAgent, the heartbeat).

mod services;
mod setup;
mod sources;

use std::io::Write;
use std::path::Path;

use serde::Serialize;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    fn mark(self) -> &'static str {
        match self {
            Status::Ok => "✓",
            Status::Warn => "!",
            Status::Fail => "✗",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub status: Status,
    pub detail: String,
    /// What to do about it (`None` when there is nothing to do).
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(name: impl Into<String>, detail: impl Into<String>) -> Check {
        Check {
            name: name.into(),
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    pub fn warn(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            name: name.into(),
            status: Status::Warn,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn fail(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Check {
        Check {
            name: name.into(),
            status: Status::Fail,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Every check, in the order they ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether something needed is broken (the exit code is then 1).
    pub fn failed(&self) -> bool {
        self.checks.iter().any(|c| c.status == Status::Fail)
    }
}

/// Runs every check against the config at `config_path`.
pub fn run(config_path: &Path) -> Report {
    let mut checks = Vec::new();
    let Some(config) = setup::config(config_path, &mut checks) else {
        return Report { checks };
    };
    setup::zone(&config, &mut checks);
    setup::permissions(&config, &mut checks);
    setup::state_db(&config, &mut checks);
    sources::all(&config, &mut checks);
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(services::all(&config, &mut checks)),
        Err(e) => checks.push(Check::fail(
            "runtime",
            format!("cannot start the async runtime: {e}"),
            "this is a bug: please report it",
        )),
    }
    Report { checks }
}

/// One line per check: `✓ name: detail`, and `  → fix` under the others.
pub fn print(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    for c in &report.checks {
        writeln!(out, "{} {}: {}", c.status.mark(), c.name, c.detail)?;
        if let Some(fix) = &c.fix {
            writeln!(out, "    → {fix}")?;
        }
    }
    let count = |s: Status| report.checks.iter().filter(|c| c.status == s).count();
    writeln!(
        out,
        "\n{} ok, {} warning(s), {} failed.",
        count(Status::Ok),
        count(Status::Warn),
        count(Status::Fail)
    )
}

/// `doctor --json`: `{"checks": [{"name", "status", "detail", "fix"}]}`.
pub fn print_json(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(report).map_err(std::io::Error::other)?;
    writeln!(out, "{text}")
}
