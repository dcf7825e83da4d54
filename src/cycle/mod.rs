//! One check cycle, wired end to end: read the sources (windowed), record item snapshots,
//! run the monitors, decide per recipient through the pipeline, deliver or queue, journal
//! every decision, and record the run. `check`, `demo`, the bot's `/check` and the daemon's
//! scheduler all call [`run`].
//!
//! A failing source skips only the monitors that need it; the cycle carries on. With
//! `dry_run`, nothing is written anywhere: not the state database, the journal or the outbox.

pub mod brief;
mod checks;
mod deliver;
pub mod living;
mod read;
mod record;
mod review;

pub use crate::sources::chain::{Read, Served};
pub use deliver::{Delivery, RecipientReport, policy_for, recipients};
pub use read::{
    ServicesRead, Snapshots, SourceReads, check_services, read_for_cycle, read_sources,
};
pub use record::HISTORY_DAYS;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};

use crate::alert::{Alert, AlertClass, Priority};
use crate::channels::desktop::Notifier;
use crate::channels::journal::Entry;
use crate::channels::journal::Journal;
use crate::config::Config;
use crate::sources::chain::{Env, alerts};
use crate::store::{MonitorRun, SourceStatus, Store};
use checks::{journal_skips, run_monitors};

/// Undelivered Telegram messages older than this expire into the journal.
pub const OUTBOX_TTL: Duration = Duration::hours(24);

/// Queues `notification` for `recipient`'s Telegram chat as `text` (with `photo`), to go
/// within [`OUTBOX_TTL`]; its outbox id. The one way the cycle queues a new message.
fn queue_telegram(
    store: &mut Store,
    recipient: crate::pipeline::Recipient,
    notification: &crate::pipeline::Notification,
    text: &crate::render::Text,
    photo: Option<&[u8]>,
    now: DateTime<Utc>,
) -> crate::store::Result<i64> {
    let message = crate::store::QueuedMessage {
        notification,
        html: text.html(),
        plain: text.plain(),
        photo,
    };
    store.enqueue(recipient, "telegram", message, now, now + OUTBOX_TTL)
}

/// Which monitors to run this cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub health: bool,
    pub tasks: bool,
    pub patterns: bool,
    /// The service checks (the daemon runs them on their own schedule, outside the cycle,
    /// and hands their outcomes in; `operator check` runs them inline).
    pub services: bool,
}

impl Selection {
    pub const ALL: Selection = Selection {
        health: true,
        tasks: true,
        patterns: true,
        services: true,
    };

    /// Only the service checks' outcomes.
    pub const SERVICES: Selection = Selection {
        health: false,
        tasks: false,
        patterns: false,
        services: true,
    };
}

#[derive(Debug, Clone)]
pub struct Options {
    pub now: DateTime<Utc>,
    pub dry_run: bool,
    /// `check`, `schedule`, `bot`, `demo`: recorded with the run.
    pub trigger: &'static str,
    pub monitors: Selection,
}

/// Runs one cycle. `journal` is `None` when the journal is disabled.
pub fn run(
    config: &Config,
    store: &mut Store,
    journal: Option<&mut Journal>,
    notifier: Option<&dyn Notifier>,
    options: &Options,
) -> anyhow::Result<Report> {
    let mut reads = read_for_cycle(config, store, &Env::standard(), options.now)?;
    if options.monitors.services {
        reads.snapshots.services = check_services(config, options.now);
    }
    run_with(config, store, journal, notifier, options, reads)
}

/// Runs one cycle on sources already read (see [`read_for_cycle`]): the daemon reads them
/// without holding the store, then calls this with it.
///
/// Everything the cycle writes to the state database is one transaction, and its journal
/// lines are held until that transaction commits: a cycle that fails part-way (a full disk)
/// leaves neither rows nor journal lines behind, so the journal never reports an alert queued
/// that was not, and the next cycle decides it again.
pub fn run_with(
    config: &Config,
    store: &mut Store,
    journal: Option<&mut Journal>,
    notifier: Option<&dyn Notifier>,
    options: &Options,
    reads: SourceReads,
) -> anyhow::Result<Report> {
    if options.dry_run {
        return cycle_body(config, store, journal, notifier, options, reads);
    }
    let mut held = HeldJournal::new(journal);
    let report =
        store.batch(|store| cycle_body(config, store, held.get(), notifier, options, reads));
    if report.is_ok() {
        held.release().context("writing the journal")?;
    }
    report
}

/// The journal holding a cycle's lines until its commit: [`HeldJournal::release`] writes
/// them; dropped without it (the cycle failed or panicked), they are discarded, so no line
/// outlives a rolled-back cycle and the journal is never left holding.
struct HeldJournal<'a>(Option<&'a mut Journal>);

impl<'a> HeldJournal<'a> {
    fn new(mut journal: Option<&'a mut Journal>) -> HeldJournal<'a> {
        if let Some(j) = journal.as_deref_mut() {
            j.hold();
        }
        HeldJournal(journal)
    }

    fn get(&mut self) -> Option<&mut Journal> {
        self.0.as_deref_mut()
    }

    fn release(&mut self) -> std::io::Result<()> {
        self.0.as_deref_mut().map_or(Ok(()), Journal::release)
    }
}

impl Drop for HeldJournal<'_> {
    fn drop(&mut self) {
        if let Some(j) = self.0.as_deref_mut() {
            j.discard();
        }
    }
}

/// The nudges a critical health alert holds back (pile-up, overcommitment): taken out of
/// `alerts` (their conditions still hold) and returned for the brief, which says so. Like an
/// inhibition rule, but visible.
fn fold_nudges(alerts: &mut Vec<Alert>) -> Vec<Alert> {
    const FOLDED: [&str; 2] = ["tasks:pile_up", "patterns:overcommitment"];
    let critical = alerts
        .iter()
        .any(|a| a.class == AlertClass::Health && a.priority == Priority::Critical);
    if !critical {
        return Vec::new();
    }
    let (folded, kept): (Vec<Alert>, Vec<Alert>) = std::mem::take(alerts)
        .into_iter()
        .partition(|a| FOLDED.contains(&a.dedup_key.as_str()));
    *alerts = kept;
    folded
}

/// The result of one cycle.
#[derive(Debug, Clone)]
pub struct Report {
    pub started_at: DateTime<Utc>,
    pub elapsed: std::time::Duration,
    pub alerts: Vec<Alert>,
    pub monitors: Vec<MonitorRun>,
    pub sources: Vec<SourceStatus>,
    pub recipients: Vec<RecipientReport>,
    pub snapshots: Snapshots,
}

/// The cycle itself (see [`run_with`], which wraps it in the transaction and the held
/// journal when it writes): read → evaluate → deliver → record.
fn cycle_body(
    config: &Config,
    store: &mut Store,
    mut journal: Option<&mut Journal>,
    notifier: Option<&dyn Notifier>,
    options: &Options,
    reads: SourceReads,
) -> anyhow::Result<Report> {
    let SourceReads {
        snapshots,
        mut chain,
        started: clock,
    } = reads;
    let now = options.now;
    let write = !options.dry_run;

    let sources = read::source_statuses(&snapshots, now);
    let breaker_alerts =
        alerts::transition_alerts(&mut chain, config, now, |source| match source {
            "oura" => snapshots.oura.data().is_some(),
            _ => snapshots.workos.data().is_some(),
        });
    if write {
        read::record_reads(config, store, &sources, &chain, &snapshots, now)?;
    }

    let lookback = Duration::days(i64::from(config.monitors.patterns.lookback_days));
    let punts = store
        .punt_counts(now - lookback)
        .context("reading punt counts")?;
    let (mut findings, monitor_runs, evaluated) = run_monitors(
        config,
        &snapshots,
        &punts,
        now.with_timezone(&config.timezone),
        options,
    );
    for alert in breaker_alerts {
        findings.push(alert);
    }
    let held_back = fold_nudges(&mut findings.alerts);
    if write {
        if let Some(j) = journal.as_deref_mut() {
            journal_skips(j, &monitor_runs, now).context("writing the journal")?;
        }
        store
            .clear_stale_acks(&evaluated, &findings.holding)
            .context("clearing acknowledgements")?;
    }

    let ctx = deliver::CycleContext {
        alerts: &findings.alerts,
        sources: brief::BriefSources {
            oura: snapshots.oura.data(),
            state: &snapshots.state,
            holding: &findings.holding,
            held_back: &held_back,
        },
        seen: living::Seen {
            holding: &findings.holding,
            evaluated: &evaluated,
        },
    };
    let mut recipient_reports = Vec::new();
    for recipient in recipients(config) {
        if write && let (Some(j), Some(chat)) = (journal.as_deref_mut(), recipient.chat_id()) {
            for alert in &held_back {
                j.write(&Entry::new(
                    alert,
                    Some(chat),
                    "held_for_brief",
                    "telegram",
                    now,
                ))
                .context("writing the journal")?;
            }
        }
        recipient_reports.push(deliver::decide_and_deliver(
            config,
            store,
            journal.as_deref_mut(),
            notifier,
            recipient,
            options,
            ctx,
        )?);
    }

    if write {
        let run = record::RunSummary {
            started_at: now,
            duration: clock.elapsed(),
            trigger: options.trigger,
            alerts: findings.alerts.len(),
            sources: &sources,
            monitors: &monitor_runs,
            recipients: &recipient_reports,
        };
        record::record_run(config, store, &run)?;
    }

    Ok(Report {
        started_at: now,
        elapsed: clock.elapsed(),
        alerts: findings.alerts,
        monitors: monitor_runs,
        sources,
        recipients: recipient_reports,
        snapshots,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{AlertClass, Priority};
    use crate::channels::journal::Entry;
    use crate::config::Rotation;

    #[test]
    fn a_held_journal_dropped_unreleased_writes_nothing_and_holds_no_more() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("operator.log");
        let rotation = Rotation {
            max_bytes: 1 << 20,
            backup_count: 1,
        };
        let mut journal = Journal::open(&path, rotation).unwrap();
        let now = Utc::now();
        let alert = Alert::new(
            AlertClass::Tasks,
            "overdue",
            None,
            Priority::Medium,
            "T",
            "m",
            now,
        );
        let line = |outcome| Entry::new(&alert, Some(1), outcome, "telegram", now);
        {
            let mut held = HeldJournal::new(Some(&mut journal));
            held.get().unwrap().write(&line("queued")).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "",
            "a failed cycle's line"
        );
        journal.write(&line("sent")).unwrap();
        {
            let mut held = HeldJournal::new(Some(&mut journal));
            held.get().unwrap().write(&line("deduplicated")).unwrap();
            held.release().unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let outcomes: Vec<String> = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["outcome"].to_string())
            .collect();
        assert_eq!(outcomes, ["\"sent\"", "\"deduplicated\""]);
    }
}
