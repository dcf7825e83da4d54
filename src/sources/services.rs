//! The services checks (`monitors.services`, modelled and validated in
//! `config::services`): that the remote-access tools on this machine (the web terminal
//! ttyd, Tailscale, a tmux session, …) are alive.
//!
//! Owns running checks to a [`Verdict`], one at a time ([`run_check`]) or all at once on
//! threads ([`run_checks`]). The probes live in their own files: `command`
//! (a program run without a shell, in a scrubbed environment, in its own process group,
//! killed at the deadline), `tcp` (resolve `host:port` and connect) and `process` (is a
//! process with that exact name running).
//!
//! Every check is bounded: [`run_check`] returns within the check's timeout plus [`GRACE`],
//! whatever the probe does, and one check never affects another. Blocking (callers in async
//! code use `spawn_blocking`); never panics on configuration or on what a probe observes.
//! Reasons in [`Verdict::Down`] are short and human; they never include the child's
//! environment nor, except for the expected text itself, anything the child printed.
//! Unix only (process groups, `waitid`).

mod command;
mod process;
mod tcp;

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::config::services::clip;
pub use crate::config::services::{Check, CheckError, Expect, MAX_TIMEOUT, Probe};

/// How much longer than its timeout a check may take to return: killing and reaping a
/// timed-out program. [`run_checks`] waits at most the longest timeout plus this.
pub const GRACE: Duration = Duration::from_secs(1);

/// The parent's environment variables a `command` check's program gets (when set); nothing
/// else is passed on, so no token or database URL of the daemon reaches it.
pub const PASSED_ENV: [&str; 4] = ["PATH", "HOME", "LANG", "TZ"];

/// A check's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Up,
    Down { reason: String },
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub name: String,
    pub verdict: Verdict,
    pub elapsed: Duration,
}

impl Verdict {
    pub fn is_up(&self) -> bool {
        matches!(self, Verdict::Up)
    }

    /// Why the check is down; `None` when it is up.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Verdict::Up => None,
            Verdict::Down { reason } => Some(reason),
        }
    }

    fn down(reason: impl Into<String>) -> Self {
        Verdict::Down {
            reason: reason.into(),
        }
    }
}

/// Runs one check, blocking until it has a verdict: at most the check's timeout (clamped to
/// [`MAX_TIMEOUT`]) plus [`GRACE`].
pub fn run_check(check: &Check) -> Outcome {
    let start = Instant::now();
    let verdict = match check.validate() {
        Err(CheckError::TimeoutTooLong) | Ok(()) => {
            let timeout = check.timeout.min(MAX_TIMEOUT);
            probe(&check.probe, start + timeout, timeout)
        }
        Err(problem) => Verdict::down(format!("invalid check: {problem}")),
    };
    Outcome {
        name: check.name.clone(),
        verdict,
        elapsed: start.elapsed(),
    }
}

/// Runs all the checks at once, one thread each, and returns their outcomes in input order
/// after at most the longest timeout plus [`GRACE`]. A check that has not answered by then (it
/// cannot happen unless a probe breaks its bound) or whose thread could not start or died is
/// `Down` with a reason saying so; its thread, if any, is left to finish on its own.
pub fn run_checks(checks: &[Check]) -> Vec<Outcome> {
    let start = Instant::now();
    let longest = checks
        .iter()
        .map(|c| c.timeout.min(MAX_TIMEOUT))
        .max()
        .unwrap_or_default();
    let deadline = start + longest + GRACE;

    let (tx, rx) = mpsc::channel();
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(checks.len());
    for (index, check) in checks.iter().enumerate() {
        let tx = tx.clone();
        let owned = check.clone();
        let spawned = thread::Builder::new()
            .name("services-check".to_owned())
            .spawn(move || {
                // The receiver is gone only if the caller stopped waiting; nothing to do then.
                let _ = tx.send((index, run_check(&owned)));
            });
        outcomes.push(match spawned {
            Ok(_) => None,
            Err(e) => Some(Outcome {
                name: check.name.clone(),
                verdict: Verdict::down(format!("cannot start a thread for the check: {e}")),
                elapsed: Duration::ZERO,
            }),
        });
    }
    drop(tx);

    while outcomes.iter().any(Option::is_none) {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((index, outcome)) => {
                if let Some(slot) = outcomes.get_mut(index) {
                    *slot = Some(outcome);
                }
            }
            // Timeout: past the bound. Disconnected: every thread has ended, so the
            // missing ones panicked.
            Err(_) => break,
        }
    }

    let overdue = Instant::now() >= deadline;
    outcomes
        .into_iter()
        .zip(checks)
        .map(|(outcome, check)| {
            outcome.unwrap_or_else(|| Outcome {
                name: check.name.clone(),
                verdict: Verdict::down(if overdue {
                    "the check did not finish in time"
                } else {
                    "the check stopped unexpectedly"
                }),
                elapsed: start.elapsed(),
            })
        })
        .collect()
}

/// Runs a valid probe against `deadline` (`timeout` is only for the reasons' wording).
fn probe(probe: &Probe, deadline: Instant, timeout: Duration) -> Verdict {
    match probe {
        Probe::Command { argv, expect } => command_verdict(argv, expect, deadline, timeout),
        Probe::Tcp { addr } => match tcp::connect(addr, deadline, timeout) {
            Ok(()) => Verdict::Up,
            Err(reason) => Verdict::down(reason),
        },
        Probe::Process { name } => match process::running(name, deadline, timeout) {
            Ok(true) => Verdict::Up,
            Ok(false) => Verdict::down(format!("no process named {}", backticked(name))),
            Err(reason) => Verdict::down(reason),
        },
    }
}

fn command_verdict(
    argv: &[String],
    expect: &Expect,
    deadline: Instant,
    timeout: Duration,
) -> Verdict {
    let capture = match expect {
        Expect::ExitZero => command::Capture::Nothing,
        Expect::OutputContains(text) => command::Capture::Search(text.as_bytes().to_vec()),
    };
    let run = match command::run(argv, capture, deadline) {
        Ok(run) => run,
        Err(reason) => return Verdict::down(reason),
    };
    if run.found {
        return Verdict::Up;
    }
    match (expect, run.ending) {
        (_, command::Ending::Stopped { killed: true }) => {
            Verdict::down(format!("timed out after {} (killed)", human(timeout)))
        }
        (_, command::Ending::Stopped { killed: false }) => Verdict::down(format!(
            "timed out after {} (could not kill it)",
            human(timeout)
        )),
        (Expect::ExitZero, command::Ending::Exited(exit)) if exit.success() => Verdict::Up,
        (Expect::ExitZero, command::Ending::Exited(exit)) => Verdict::down(exit.to_string()),
        (Expect::OutputContains(text), command::Ending::Exited(exit)) => {
            let mut reason = format!("output did not contain {:?}", clip(text));
            if !exit.success() {
                reason.push_str(&format!(" ({exit})"));
            }
            Verdict::down(reason)
        }
    }
}

/// Why [`on_thread`] has no answer.
enum Late {
    /// The deadline passed first; the thread is left to finish on its own.
    TimedOut,
    /// The thread could not start, or panicked; the text says which.
    Failed(String),
}

/// Runs `work` on its own thread and waits for its answer until `deadline`, so that a call
/// that can block without a bound of its own (a DNS lookup, a read of `/proc`) cannot hold
/// the check past its timeout.
fn on_thread<T: Send + 'static>(
    deadline: Instant,
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Late> {
    let (tx, rx) = mpsc::sync_channel(1);
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(|e| Late::Failed(format!("cannot start a thread: {e}")))?;
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(answer) => Ok(answer),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Late::TimedOut),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err(Late::Failed("the probe stopped unexpectedly".to_owned()))
        }
    }
}

/// `text` clipped and in backticks, for names in reasons: `` `tailscale` ``.
fn backticked(text: &str) -> String {
    format!("`{}`", clip(text))
}

/// A duration for people: `5 s`, `1.5 s`, `250 ms`.
fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests;
