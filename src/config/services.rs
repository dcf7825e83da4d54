//! `monitors.services`: the checks that the tools for reaching this machine from a phone (the
//! web terminal ttyd, Tailscale, a tmux session, …) are alive. Owns the check model
//! ([`Check`], [`Probe`], [`Expect`]) and its validation ([`Check::validate`]), which the
//! loader runs on every entry so a bad one is reported with its key path at start-up;
//! `sources::services` runs them.
//!
//! ```yaml
//! services:
//!   enabled: true
//!   interval_seconds: 300          # 60-3600
//!   checks:
//!     - name: tailscale
//!       command: ["tailscale", "status", "--json"]
//!       expect: {output_contains: '"BackendState": "Running"'}
//!       timeout_seconds: 10
//!       priority: high
//!     - {name: web terminal, tcp: "127.0.0.1:7681"}
//!     - {name: tmux, process: tmux, priority: medium}
//! ```

use std::collections::BTreeSet;
use std::time::Duration;

use super::reader::{Ctx, Section, list_items};
use super::value::{Value, to_string};
use crate::alert::Priority;

/// The longest `timeout_seconds`.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(600);

/// `monitors.services`, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicesMonitor {
    pub enabled: bool,
    /// `interval_seconds` (300; 60-3600).
    pub interval: Duration,
    pub checks: Vec<ServiceCheck>,
}

/// One configured check and the priority of its alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCheck {
    pub check: Check,
    /// `priority` (`high` unless set).
    pub priority: Priority,
}

/// One check: what it looks at and how long it may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub probe: Probe,
    /// `timeout_seconds` (10; 1-600): past it the check is down (a program is killed).
    pub timeout: Duration,
}

/// What a check looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Runs `argv` without a shell (`argv[0]` looked up on `PATH`) and judges it by `expect`.
    Command { argv: Vec<String>, expect: Expect },
    /// Connects to `host:port` (`[v6]:port` for an IPv6 literal).
    Tcp { addr: String },
    /// Looks for a running process with exactly this name.
    Process { name: String },
}

impl Probe {
    /// `command`, `tcp` or `process`, for `/status`.
    pub fn kind(&self) -> &'static str {
        match self {
            Probe::Command { .. } => "command",
            Probe::Tcp { .. } => "tcp",
            Probe::Process { .. } => "process",
        }
    }
}

/// When a `command` check passes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Expect {
    /// The program exits with status 0 (its output is not read at all).
    #[default]
    ExitZero,
    /// The text appears in its stdout or its stderr (each searched on its own, in full). The
    /// exit status does not matter: the check passes as soon as the text is seen (the program
    /// is then killed if still running); a failure's reason mentions a non-zero status.
    OutputContains(String),
}

/// Why a [`Check`] cannot run as configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("the check has no name")]
    NoName,
    #[error("the timeout must be more than zero")]
    ZeroTimeout,
    #[error("the timeout must be at most {} s", MAX_TIMEOUT.as_secs())]
    TimeoutTooLong,
    #[error("`command` is empty")]
    EmptyCommand,
    #[error("`command` starts with an empty program name")]
    EmptyProgram,
    #[error("`output_contains` is empty")]
    EmptyExpectedText,
    #[error("`tcp` must be host:port (a port from 1 to 65535), got {0:?}")]
    BadAddress(String),
    #[error("`process` must be a bare program name (not empty, no `/`), got {0:?}")]
    BadProcessName(String),
}

impl Check {
    /// Whether the check can run as configured.
    pub fn validate(&self) -> Result<(), CheckError> {
        if self.name.trim().is_empty() {
            return Err(CheckError::NoName);
        }
        match &self.probe {
            Probe::Command { argv, expect } => {
                let program = argv.first().ok_or(CheckError::EmptyCommand)?;
                if program.is_empty() {
                    return Err(CheckError::EmptyProgram);
                }
                if matches!(expect, Expect::OutputContains(text) if text.is_empty()) {
                    return Err(CheckError::EmptyExpectedText);
                }
            }
            Probe::Tcp { addr } => {
                if split_host_port(addr).is_none() {
                    return Err(CheckError::BadAddress(clip(addr)));
                }
            }
            Probe::Process { name } => {
                if !valid_process_name(name) {
                    return Err(CheckError::BadProcessName(clip(name)));
                }
            }
        }
        // Last, so that `TimeoutTooLong` means everything else is fine.
        if self.timeout.is_zero() {
            return Err(CheckError::ZeroTimeout);
        }
        if self.timeout > MAX_TIMEOUT {
            return Err(CheckError::TimeoutTooLong);
        }
        Ok(())
    }
}

/// `host` and `port` of `host:port`, `[v6 literal]:port` for IPv6; `None` if it is not that
/// shape (no port, port 0, an unbracketed IPv6 literal, an empty host).
pub fn split_host_port(addr: &str) -> Option<(&str, u16)> {
    let (host, port) = addr.rsplit_once(':')?;
    let port = port.parse::<u16>().ok().filter(|&port| port != 0)?;
    let host = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.strip_suffix(']')?,
        None if host.contains(':') => return None,
        None => host,
    };
    (!host.is_empty() && !host.contains(['[', ']'])).then_some((host, port))
}

/// Whether `name` can name a process: not empty, no `/` (a path is not a name), no NUL.
pub fn valid_process_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', '\0'])
}

/// At most this many characters of configured text go into a reason.
const CLIP_CHARS: usize = 120;

/// `text`'s first line, at most [`CLIP_CHARS`] characters (`…` when cut).
pub fn clip(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut clipped: String = line.chars().take(CLIP_CHARS).collect();
    if clipped.len() < text.trim_end().len() {
        clipped.push('…');
    }
    clipped
}

/// Reads `monitors.services`.
pub(super) fn services(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> ServicesMonitor {
    let enabled = s.bool(ctx, "enabled", true);
    let interval = s.int(ctx, "interval_seconds", 300, 60, 3600);
    let mut checks = Vec::new();
    if let Some(items) = list_items(ctx, &mut s, "checks") {
        let mut names = BTreeSet::new();
        for (at, item) in items {
            if let Some(check) = one(ctx, at.clone(), item) {
                if !names.insert(check.check.name.to_lowercase()) {
                    ctx.problem(
                        &at,
                        format!(
                            "a second check named `{}`: names key the alerts, so each must be different",
                            check.check.name
                        ),
                    );
                    continue;
                }
                checks.push(check);
            }
        }
    }
    s.finish(ctx);
    ServicesMonitor {
        enabled,
        interval: Duration::from_secs(u64::try_from(interval).unwrap_or(300)),
        checks,
    }
}

/// One `checks[]` entry; `None` (with the problems recorded) when it cannot run.
fn one(ctx: &mut Ctx<'_>, at: String, item: &Value) -> Option<ServiceCheck> {
    let mut c = Section::at(at.clone(), item);
    let name = c.string(ctx, "name", "");
    let timeout = c.int(ctx, "timeout_seconds", 10, 1, 600);
    let priority = c.read(ctx, "priority", Priority::High, |v| {
        to_string(v)?.parse::<Priority>()
    });
    let command = c.read(ctx, "command", None, |v| match v {
        Value::Seq(items) => items
            .iter()
            .map(to_string)
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
            .map_err(|_| {
                "must be a list of strings (the program, then its arguments; no shell)".to_owned()
            }),
        Value::Str(_) => {
            Err("must be a list: [\"program\", \"arg\", …] (it runs without a shell)".to_owned())
        }
        other => Err(format!("must be a list of strings, got {}", other.kind())),
    });
    let tcp = c.read(ctx, "tcp", None, |v| to_string(v).map(Some));
    let process = c.read(ctx, "process", None, |v| to_string(v).map(Some));
    let expect = c.read(ctx, "expect", None, |v| match v {
        Value::Str(s) if s == "exit_zero" => Ok(Some(Expect::ExitZero)),
        Value::Map(entries) => match entries.as_slice() {
            [(key, text)] if key == "output_contains" => {
                to_string(text).map(|t| Some(Expect::OutputContains(t)))
            }
            _ => Err("must be exit_zero or {output_contains: text}".to_owned()),
        },
        _ => Err("must be exit_zero or {output_contains: text}".to_owned()),
    });
    c.finish(ctx);
    if expect.is_some() && command.is_none() {
        ctx.problem(&at, "`expect` applies to a `command` check only");
    }
    let probe = match (command, tcp, process) {
        (Some(argv), None, None) => Probe::Command {
            argv,
            expect: expect.unwrap_or_default(),
        },
        (None, Some(addr), None) => Probe::Tcp { addr },
        (None, None, Some(name)) => Probe::Process { name },
        (None, None, None) => {
            if !ctx.has_problem_at(&at) {
                ctx.problem(&at, "needs one of `command`, `tcp` or `process`");
            }
            return None;
        }
        _ => {
            ctx.problem(
                &at,
                "has more than one of `command`, `tcp` and `process`: give one",
            );
            return None;
        }
    };
    let check = Check {
        name: name.trim().to_owned(),
        probe,
        timeout: Duration::from_secs(u64::try_from(timeout).unwrap_or(10)),
    };
    if let Err(problem) = check.validate() {
        ctx.problem(&at, problem.to_string());
        return None;
    }
    Some(ServiceCheck { check, priority })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_host_and_port() {
        assert_eq!(split_host_port("127.0.0.1:7681"), Some(("127.0.0.1", 7681)));
        assert_eq!(split_host_port("[::1]:22"), Some(("::1", 22)));
        assert_eq!(split_host_port("mac.local:22"), Some(("mac.local", 22)));
        for bad in [
            "7681",
            ":22",
            "host:0",
            "host:99999",
            "::1:22",
            "[::1:22",
            "host:",
        ] {
            assert_eq!(split_host_port(bad), None, "{bad}");
        }
    }

    #[test]
    fn process_names_are_bare() {
        assert!(valid_process_name("ttyd"));
        assert!(!valid_process_name("/usr/bin/ttyd"));
        assert!(!valid_process_name(""));
    }
}
