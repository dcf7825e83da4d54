//! The services monitor: one alert per configured check that is down (class `services`,
//! key `services:<name>`, the check's priority), from the outcomes `sources::services`
//! gathered. A check that passes again stops holding, so its alert resolves like any other.
//! Pure.

use chrono::{DateTime, Utc};

use crate::alert::{Alert, AlertClass, Findings};
use crate::config::ServiceCheck;
use crate::config::services::Probe;
use crate::sources::services::{Outcome, Verdict};

/// Alerts for the checks in `outcomes` that are down, in the order configured.
pub fn services(checks: &[ServiceCheck], outcomes: &[Outcome], at: DateTime<Utc>) -> Findings {
    let mut findings = Findings::default();
    for check in checks {
        let name = check.check.name.as_str();
        let Some(outcome) = outcomes.iter().find(|o| o.name == name) else {
            continue;
        };
        let Verdict::Down { reason } = &outcome.verdict else {
            continue;
        };
        let what = match &check.check.probe {
            Probe::Command { .. } => "its check failed",
            Probe::Tcp { .. } => "nothing answers",
            Probe::Process { .. } => "it is not running",
        };
        findings.push(
            // The key is `services:<name>`: the check's name is the alert's kind.
            Alert::new(
                AlertClass::Services,
                name,
                None,
                check.priority,
                format!("{name} is down"),
                format!("{name}: {what} ({reason}). You may not reach this Mac from your phone until it is back."),
                at,
            )
            .with_subject_label(name),
        );
    }
    findings
}

/// One line per check for `/status`: "tailscale ✓, web terminal ✗ (connection refused …)".
pub fn summary(outcomes: &[Outcome]) -> String {
    outcomes
        .iter()
        .map(|o| match &o.verdict {
            Verdict::Up => format!("{} ✓", o.name),
            Verdict::Down { reason } => format!("{} ✗ ({reason})", o.name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
