//! One `system` alert when a link's breaker trips and one when it recovers, not one per
//! cycle: each link's record carries whether its trip was announced, so a breaker that flips
//! between open and half open says nothing more, and whichever process (daemon, `check`,
//! `/readiness`) moved the breaker, the next cycle announces it exactly once. The dedup
//! window of the `system` class then also catches a source flapping within it.

use chrono::{DateTime, Utc};

use super::{ChainState, Link};
use crate::alert::{Alert, AlertClass, Priority};
use crate::config::Config;
use crate::sources::breaker::BreakerState;

/// The dedup `<kind>` of a trip and of a recovery.
pub const TRIPPED: &str = "circuit_open";
pub const RECOVERED: &str = "circuit_closed";

/// The alerts for breakers that tripped or recovered since the last announcement; marks them
/// announced. `served(source)` tells whether that source still had data this cycle.
pub fn transition_alerts(
    state: &mut ChainState,
    config: &Config,
    now: DateTime<Utc>,
    served: impl Fn(&str) -> bool,
) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for link in Link::ALL {
        let record = state.record(link);
        let open = record.state(now) != BreakerState::Closed;
        if open == record.alerted_open {
            continue;
        }
        let alert = if open {
            tripped(link, &record, config, now, served(link.source()))
        } else {
            recovered(link, &record, config, now)
        };
        alerts.push(alert);
        let r = state.record_mut(link);
        r.alerted_open = open;
        r.touched = true;
    }
    alerts
}

fn local(config: &Config, t: DateTime<Utc>) -> String {
    t.with_timezone(&config.timezone)
        .format("%a %H:%M")
        .to_string()
}

fn tripped(
    link: Link,
    record: &super::LinkRecord,
    config: &Config,
    now: DateTime<Utc>,
    still_served: bool,
) -> Alert {
    let until = record
        .breaker
        .opening
        .map(|o| local(config, o.until))
        .unwrap_or_else(|| "later".to_owned());
    let last = record.last_error.as_deref().unwrap_or("unknown error");
    let consequence = match (link.source(), still_served) {
        (_, true) => format!(
            "{} data comes from its other link meanwhile.",
            source_label(link)
        ),
        ("oura", false) => "Health checks are skipped until Oura can be read again.".to_owned(),
        _ => "WorkOS task checks are skipped until WorkOS can be read again.".to_owned(),
    };
    let message = format!(
        "{} failure(s) in a row; last: {last}.\nOperator stops calling it until {until}, then tries again.\n{consequence}",
        record.breaker.failures
    );
    Alert::new(
        AlertClass::System,
        TRIPPED,
        Some(link.name()),
        if still_served {
            Priority::Medium
        } else {
            Priority::High
        },
        format!("{} failing: circuit open", link.label()),
        message,
        now,
    )
    .with_subject_label(link.label())
}

fn recovered(link: Link, record: &super::LinkRecord, config: &Config, now: DateTime<Utc>) -> Alert {
    let message = match record.last_failure {
        Some(at) => format!(
            "Reads work again (last failure {}: {}).",
            local(config, at),
            record.last_error.as_deref().unwrap_or("unknown error")
        ),
        None => "Reads work again.".to_owned(),
    };
    Alert::new(
        AlertClass::System,
        RECOVERED,
        Some(link.name()),
        Priority::Medium,
        format!("{} recovered", link.label()),
        message,
        now,
    )
    .with_subject_label(link.label())
}

fn source_label(link: Link) -> &'static str {
    match link.source() {
        "oura" => "Oura",
        _ => "WorkOS",
    }
}
