//! Which monitors run on what the sources gave: a monitor whose source is gone is skipped
//! (health without Oura), one that lost part of its input runs the rest and is `partial`
//! (tasks without WorkOS still checks commitments; patterns without Oura still checks
//! workload). Each skip is journaled with its reason and logged as a warning.

use crate::zone::Zone;
use chrono::{DateTime, Utc};

use super::{Options, Read, Snapshots};
use crate::alert::{Alert, AlertClass, Findings, Priority};
use crate::channels::journal::{Entry, Journal};
use crate::config::Config;
use crate::monitors::{self, PuntCount};
use crate::store::{MonitorRun, MonitorStatus};

/// Runs the selected, enabled monitors whose sources could be read. Returns the findings,
/// one result per monitor, and the classes whose every source was read (only their
/// acknowledgements may be cleared).
pub(super) fn run_monitors(
    config: &Config,
    s: &Snapshots,
    punts: &[PuntCount],
    now: DateTime<Zone>,
    options: &Options,
) -> (Findings, Vec<MonitorRun>, Vec<AlertClass>) {
    let at = now.to_utc();
    let mut findings = Findings::default();
    let mut runs = Vec::new();
    let mut evaluated = Vec::new();
    let mut record = |name: &str, status: MonitorStatus, alerts: usize, detail: String| {
        runs.push(MonitorRun {
            monitor: name.to_owned(),
            ran_at: at,
            status,
            alerts: alerts as u32,
            detail,
        });
    };
    let m = &config.monitors;

    if !(m.health.enabled && options.monitors.health) {
        record("health", MonitorStatus::Disabled, 0, "disabled".into());
    } else if let Some(oura) = s.oura.data() {
        let f = monitors::health::health(oura, now.clone(), &m.health.thresholds);
        let via = s.oura_served.via.map_or("", |l| l.via());
        record(
            "health",
            MonitorStatus::Ok,
            f.alerts.len(),
            format!("{} days of Oura data (via {via})", oura.readiness.len()),
        );
        findings.extend(f);
        evaluated.push(AlertClass::Health);
    } else {
        record(
            "health",
            MonitorStatus::Skipped,
            0,
            format!(
                "health checks skipped: Oura unavailable ({})",
                s.oura.error().unwrap_or_default()
            ),
        );
    }

    if !(m.tasks.enabled && options.monitors.tasks) {
        record("tasks", MonitorStatus::Disabled, 0, "disabled".into());
    } else {
        let f = monitors::tasks::tasks(&s.state, s.workos.data(), now.clone(), &m.tasks);
        let mut gaps = Vec::new();
        if !s.state.commitments_readable() {
            gaps.push("a commitment file is unreadable".to_owned());
        }
        if let Read::Failed(e) = &s.workos {
            gaps.push(format!(
                "WorkOS task checks skipped: WorkOS unavailable ({e})"
            ));
        }
        let mut checked = format!("{} commitments checked", s.state.commitments().count());
        // Said once, here (and so in /status): a commitment the two files disagree on.
        let disagreeing: Vec<String> = s
            .state
            .commitments()
            .filter_map(|c| {
                c.disagreement()
                    .map(|how| format!("'{}' {how}", crate::alert::clip(&c.title, 60)))
            })
            .collect();
        if !disagreeing.is_empty() {
            checked.push_str(&format!(" (counted as done: {})", disagreeing.join("; ")));
        }
        let (status, detail) = if gaps.is_empty() {
            (MonitorStatus::Ok, checked)
        } else {
            (
                MonitorStatus::Partial,
                format!("{checked}; {}", gaps.join("; ")),
            )
        };
        record("tasks", status, f.alerts.len(), detail);
        if gaps.is_empty() {
            evaluated.push(AlertClass::Tasks);
        }
        findings.extend(f);
    }

    if !(m.patterns.enabled && options.monitors.patterns) {
        record("patterns", MonitorStatus::Disabled, 0, "disabled".into());
    } else {
        let input = monitors::patterns::PatternInput {
            oura: s.oura.data(),
            workos: s.workos.data(),
            state: Some(&s.state),
            punts,
        };
        let f = monitors::patterns::patterns(&input, now, &m.patterns);
        let (status, detail, complete) = pattern_coverage(s);
        record("patterns", status, f.alerts.len(), detail);
        if complete {
            evaluated.push(AlertClass::Patterns);
        }
        findings.extend(f);
    }
    if !(m.services.enabled && options.monitors.services) {
        if !m.services.enabled {
            record("services", MonitorStatus::Disabled, 0, "disabled".into());
        }
    } else if let Some(read) = &s.services {
        let f = monitors::services::services(&m.services.checks, &read.outcomes, at);
        let down = f.alerts.len();
        record(
            "services",
            MonitorStatus::Ok,
            down,
            monitors::services::summary(&read.outcomes),
        );
        findings.extend(f);
        evaluated.push(AlertClass::Services);
    }
    (findings, runs, evaluated)
}

/// The patterns monitor's status and detail: `partial` when a source failed (a source that
/// is simply not configured is noted, not counted as a failure), and whether every input was
/// read.
fn pattern_coverage(s: &Snapshots) -> (MonitorStatus, String, bool) {
    let mut failed = Vec::new();
    let mut absent = Vec::new();
    let mut note = |name: &str, failure: Option<bool>| match failure {
        Some(true) => failed.push(name.to_owned()),
        Some(false) => absent.push(name.to_owned()),
        None => {}
    };
    note("Oura", read_failure(&s.oura));
    note("WorkOS", read_failure(&s.workos));
    note(
        "commitments",
        (!s.state.commitments_readable()).then_some(true),
    );
    let complete = failed.is_empty() && absent.is_empty();
    let mut parts = Vec::new();
    if !failed.is_empty() {
        parts.push(format!(
            "checks on {} skipped (unavailable)",
            failed.join(", ")
        ));
    }
    if !absent.is_empty() {
        parts.push(format!("{} not configured", absent.join(", ")));
    }
    let detail = if complete {
        "all sources read".to_owned()
    } else {
        parts.join("; ")
    };
    let status = if failed.is_empty() {
        MonitorStatus::Ok
    } else {
        MonitorStatus::Partial
    };
    (status, detail, complete)
}

/// `Some(true)` when the read failed, `Some(false)` when the source is missing.
fn read_failure<T>(read: &Read<T>) -> Option<bool> {
    match read {
        Read::Ok { .. } => None,
        Read::Failed(_) => Some(true),
        Read::Missing(_) => Some(false),
    }
}

/// One journal line (outcome `skipped`, channel `journal`) per monitor that was skipped or
/// ran without part of its input, saying why; and a warning in the log.
pub(super) fn journal_skips(
    journal: &mut Journal,
    runs: &[MonitorRun],
    now: DateTime<Utc>,
) -> std::io::Result<()> {
    for run in runs {
        let title = match run.status {
            MonitorStatus::Skipped => format!("{} checks skipped this cycle", run.monitor),
            MonitorStatus::Partial => format!("some {} checks skipped this cycle", run.monitor),
            _ => continue,
        };
        tracing::warn!(monitor = %run.monitor, detail = %run.detail, "checks skipped this cycle");
        let note = Alert::new(
            AlertClass::System,
            "checks_skipped",
            Some(&run.monitor),
            Priority::Info,
            title,
            run.detail.clone(),
            now,
        );
        journal
            .write(&Entry::new(&note, None, "skipped", "journal", now).with_reason(&run.detail))?;
    }
    Ok(())
}
