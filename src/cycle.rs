//! One check cycle, wired end to end: read the sources (windowed), record item snapshots,
//! run the monitors, decide per recipient through the pipeline, deliver or queue, journal
//! every decision, and record the run. `check`, `demo`, the bot's `/check` and the daemon's
//! scheduler all call [`run`].
//!
//! A failing source skips only the monitors that need it; the cycle carries on. With
//! `dry_run`, nothing is written anywhere: not the state database, the journal or the outbox.

use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};

use crate::alert::Alert;
use crate::channels::desktop::{self, Notifier};
use crate::channels::journal::{Entry, Journal};
use crate::config::Config;
use crate::pipeline::{self, DedupPolicy, Notification, Outcome, Plan, Policy, Recipient};
mod checks;

use crate::sources::chain::{self, ChainState, Env, alerts};
pub use crate::sources::chain::{Read, Served};
use crate::sources::state_files::StateFiles;
use crate::sources::{FileRead, OuraSnapshot, StateSnapshot, WorkosSnapshot};
use crate::store::{
    ItemSnapshot, MonitorRun, MonitorStatus, RunRecord, SourceState, SourceStatus, Store,
};
use checks::{journal_skips, run_monitors};

/// Undelivered Telegram messages older than this expire into the journal.
pub const OUTBOX_TTL: Duration = Duration::hours(24);

/// Cycles that failed in a row (the state database could not be written, say), as the
/// daemon keeps it for `/health`, `/status` and the Telegram notice. Cleared by a cycle that
/// completes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleFailure {
    /// When the first of these failures happened.
    pub since: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    /// The last failure, with its causes (secrets redacted).
    pub error: String,
    /// Failed cycles in a row.
    pub consecutive: u32,
}

/// Which monitors to run this cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub health: bool,
    pub tasks: bool,
    pub patterns: bool,
}

impl Selection {
    pub const ALL: Selection = Selection {
        health: true,
        tasks: true,
        patterns: true,
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

/// A source's read status for the store: its state, when it last worked, how fresh its data
/// is, what failed (even when another link served it) and which link served it.
fn source_status<T>(
    source: &str,
    read: &Read<T>,
    served: &Served,
    data_as_of: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> SourceStatus {
    let (state, last_ok) = match read {
        Read::Ok { stale: false, .. } => (SourceState::Ok, Some(now)),
        Read::Ok { stale: true, .. } => (SourceState::Stale, Some(now)),
        Read::Missing(_) => (SourceState::Missing, None),
        Read::Failed(_) => (SourceState::Failed, None),
    };
    let last_error = match read {
        Read::Ok { .. } => (!served.notes.is_empty()).then(|| served.notes.join("; ")),
        Read::Missing(e) | Read::Failed(e) => Some(e.clone()),
    };
    SourceStatus {
        source: source.to_owned(),
        state,
        last_ok,
        data_as_of,
        last_error,
        updated_at: now,
        via: served.via.map(|l| l.via().to_owned()),
    }
}

/// Everything the sources gave this cycle.
#[derive(Debug, Clone)]
pub struct Snapshots {
    pub oura: Read<OuraSnapshot>,
    pub workos: Read<WorkosSnapshot>,
    pub state: StateSnapshot,
    /// Which link served Oura and what failed on the way.
    pub oura_served: Served,
    pub workos_served: Served,
}

/// Reads every source through its fallback chain for the windows the monitors need at
/// `now`. Does not touch the state database: `chain` carries the breakers in and out (see
/// [`ChainState::load`] and [`ChainState::save`]), so callers can run this without holding
/// the store while the network is slow.
pub fn read_sources(
    config: &Config,
    chain: &mut ChainState,
    env: &Env<'_>,
    now: DateTime<Utc>,
) -> Snapshots {
    let ctx = chain::Ctx { config, now, env };
    let (oura, oura_served) = chain::read_oura(chain, &ctx);
    let lookback = i64::from(config.monitors.patterns.lookback_days.max(7)) + 1;
    let (workos, workos_served) = chain::read_workos(chain, &ctx, now - Duration::days(lookback));
    let state = StateFiles::new(&config.adapters.state_files.base_path).read();
    Snapshots {
        oura,
        workos,
        state,
        oura_served,
        workos_served,
    }
}

/// The sources read for one cycle, the breakers to save, and when the read began.
pub struct SourceReads {
    pub snapshots: Snapshots,
    pub chain: ChainState,
    pub started: Instant,
}

/// Loads the breakers from `store` and reads every source (the store is borrowed only for
/// the load).
pub fn read_for_cycle(
    config: &Config,
    store: &Store,
    env: &Env<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<SourceReads> {
    let started = Instant::now();
    let mut chain = ChainState::load(store, now).context("loading the circuit breakers")?;
    let snapshots = read_sources(config, &mut chain, env, now);
    Ok(SourceReads {
        snapshots,
        chain,
        started,
    })
}

/// What one recipient's part of the cycle came to.
#[derive(Debug, Clone)]
pub struct RecipientReport {
    pub recipient: Recipient,
    pub decisions: Vec<(Alert, Outcome)>,
    /// Messages delivered (or queued for Telegram), with the outcome journaled for them.
    pub delivered: Vec<(Notification, Delivery)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Shown on this channel now (desktop, journal).
    Sent,
    /// Written to the outbox for the Telegram sender.
    Queued,
    Failed(String),
    /// Dry run: would have been delivered.
    WouldSend,
}

impl Delivery {
    pub fn outcome(&self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Queued => "queued",
            Delivery::Failed(_) => "failed",
            Delivery::WouldSend => "would_send",
        }
    }
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

/// The recipients alerts are decided for: every Telegram chat, the desktop where it exists,
/// or the journal alone when nothing else is configured.
pub fn recipients(config: &Config) -> Vec<Recipient> {
    let mut out = Vec::new();
    let tg = &config.alerters.telegram;
    if tg.enabled && tg.token.is_some() {
        out.extend(tg.chat_ids.iter().map(|&id| Recipient::Chat(id)));
    }
    if config.alerters.macos.enabled && desktop::available() {
        out.push(Recipient::Desktop);
    }
    if out.is_empty() {
        out.push(Recipient::Journal);
    }
    out
}

pub fn policy_for(config: &Config, recipient: Recipient) -> Policy {
    let w = &config.dedup.windows;
    let min_priority = match recipient {
        Recipient::Chat(_) => config.alerters.telegram.min_priority,
        Recipient::Desktop => config.alerters.macos.min_priority,
        Recipient::Journal => config.alerters.journal.min_priority,
    };
    Policy {
        timezone: config.timezone.clone(),
        windows: DedupPolicy {
            health_warning: w.health_warning,
            health_critical: w.health_critical,
            tasks: w.tasks,
            patterns: w.patterns,
            system: config.dedup.default_window,
        },
        max_alerts_per_run: config.dedup.max_alerts_per_run,
        min_priority,
    }
}

/// Runs one cycle. `journal` is `None` when the journal is disabled.
pub fn run(
    config: &Config,
    store: &mut Store,
    journal: Option<&mut Journal>,
    notifier: Option<&dyn Notifier>,
    options: &Options,
) -> anyhow::Result<Report> {
    let reads = read_for_cycle(config, store, &Env::standard(), options.now)?;
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

/// The cycle itself (see [`run_with`], which wraps it in the transaction and the held
/// journal when it writes).
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
    let tz = &config.timezone;
    let write = !options.dry_run;

    let sources = vec![
        source_status(
            "oura",
            &snapshots.oura,
            &snapshots.oura_served,
            snapshots.oura.data().and_then(|s| s.last_sync),
            now,
        ),
        source_status(
            "workos",
            &snapshots.workos,
            &snapshots.workos_served,
            snapshots.workos.data().and_then(|s| s.last_sync),
            now,
        ),
        state_files_status(&snapshots.state, now),
    ];
    let breaker_alerts =
        alerts::transition_alerts(&mut chain, config, now, |source| match source {
            "oura" => snapshots.oura.data().is_some(),
            _ => snapshots.workos.data().is_some(),
        });

    if write {
        for s in &sources {
            store.record_source(s).context("recording source status")?;
        }
        chain
            .save(store, now, config.intervals.health)
            .context("recording the circuit breakers")?;
        store
            .record_snapshots(&item_snapshots(&snapshots), now)
            .context("recording item snapshots")?;
    }
    let lookback = Duration::days(i64::from(config.monitors.patterns.lookback_days));
    let punts = store
        .punt_counts(now - lookback)
        .context("reading punt counts")?;

    let (mut findings, monitor_runs, evaluated) =
        run_monitors(config, &snapshots, &punts, now.with_timezone(tz), options);
    for alert in breaker_alerts {
        findings.push(alert);
    }
    if write && let Some(j) = journal.as_deref_mut() {
        journal_skips(j, &monitor_runs, now).context("writing the journal")?;
    }
    if write {
        store
            .clear_stale_acks(&evaluated, &findings.holding)
            .context("clearing acknowledgements")?;
    }

    let mut recipient_reports = Vec::new();
    for recipient in recipients(config) {
        let report = decide_and_deliver(
            config,
            store,
            journal.as_deref_mut(),
            notifier,
            recipient,
            &findings.alerts,
            options,
        )?;
        recipient_reports.push(report);
    }

    if write {
        let delivered: usize = recipient_reports.iter().map(|r| r.delivered.len()).sum();
        let degraded = sources.iter().any(|s| s.state == SourceState::Failed)
            || monitor_runs
                .iter()
                .any(|m| matches!(m.status, MonitorStatus::Skipped | MonitorStatus::Partial));
        let run = RunRecord {
            id: 0,
            started_at: now,
            duration_ms: clock.elapsed().as_millis() as u64,
            trigger: options.trigger.to_owned(),
            alerts: findings.alerts.len() as u32,
            delivered: delivered as u32,
            status: if degraded { "degraded" } else { "ok" }.to_owned(),
            error: None,
        };
        let run_id = store.record_run(&run).context("recording the run")?;
        for m in &monitor_runs {
            store
                .record_monitor(run_id, m)
                .context("recording monitor results")?;
        }
        let w = &config.dedup.windows;
        let longest_window = [
            w.health_warning,
            w.health_critical,
            w.tasks,
            w.patterns,
            config.dedup.default_window,
        ]
        .into_iter()
        .max()
        .unwrap_or_default();
        store
            .prune(
                now - Duration::days(60),
                now - longest_window - Duration::days(1),
            )
            .context("pruning history")?;
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

fn state_files_status(state: &StateSnapshot, now: DateTime<Utc>) -> SourceStatus {
    let problems: Vec<String> = [
        (
            "CommitmentData.json",
            corrupt_reason(&state.commitment_data),
        ),
        ("Commitments.md", corrupt_reason(&state.commitments_md)),
        ("brain_dumps.json", corrupt_reason(&state.brain_dumps)),
    ]
    .into_iter()
    .filter_map(|(name, reason)| reason.map(|r| format!("{name}: {r}")))
    .collect();
    SourceStatus {
        source: "state_files".to_owned(),
        state: if problems.is_empty() {
            SourceState::Ok
        } else {
            SourceState::Failed
        },
        last_ok: problems.is_empty().then_some(now),
        data_as_of: state.focus_modified.ok().copied(),
        last_error: (!problems.is_empty()).then(|| problems.join("; ")),
        updated_at: now,
        via: None,
    }
}

fn corrupt_reason<T>(read: &FileRead<T>) -> Option<&str> {
    match read {
        FileRead::Corrupt(reason) => Some(reason),
        _ => None,
    }
}

/// The items procrastination is counted over: every commitment and every WorkOS task.
fn item_snapshots(s: &Snapshots) -> Vec<ItemSnapshot> {
    let mut items: Vec<ItemSnapshot> = s
        .state
        .commitments()
        .map(|c| ItemSnapshot {
            item_key: format!("commitment:{}", c.id),
            title: c.title.clone(),
            due_date: c.due_date,
            status: c.status.clone(),
        })
        .collect();
    if let Some(w) = s.workos.data() {
        items.extend(w.tasks.iter().map(|t| ItemSnapshot {
            item_key: format!("task:{}", t.id),
            title: t.title.clone(),
            due_date: None,
            status: t.status.clone(),
        }));
    }
    items
}

/// The pipeline for one recipient, then delivery and the journal.
fn decide_and_deliver(
    config: &Config,
    store: &mut Store,
    mut journal: Option<&mut Journal>,
    notifier: Option<&dyn Notifier>,
    recipient: Recipient,
    alerts: &[Alert],
    options: &Options,
) -> anyhow::Result<RecipientReport> {
    let now = options.now;
    let state = store
        .chat_state(recipient, config.quiet_hours, now)
        .context("loading chat state")?;
    let plan: Plan = pipeline::decide(alerts, &state, now, &policy_for(config, recipient));
    let mut report = RecipientReport {
        recipient,
        decisions: plan.decisions.clone(),
        delivered: Vec::new(),
    };
    if options.dry_run {
        report.delivered = plan
            .deliver
            .into_iter()
            .map(|n| (n, Delivery::WouldSend))
            .collect();
        return Ok(report);
    }

    let channel = recipient.channel();
    let chat_id = recipient.chat_id();
    if let Some(j) = journal.as_deref_mut() {
        for (alert, outcome) in &plan.decisions {
            if *outcome != Outcome::Send {
                j.write(&Entry::new(alert, chat_id, outcome.as_str(), channel, now))
                    .context("writing the journal")?;
            }
        }
    }
    store
        .hold(recipient, &plan.hold, now)
        .context("holding alerts for the digest")?;

    let mut digest_ok = true;
    for notification in plan.deliver {
        let delivery = deliver(store, notifier, recipient, &notification, now)?;
        if notification.kind == pipeline::NotificationKind::Digest
            && matches!(delivery, Delivery::Failed(_))
        {
            digest_ok = false;
        }
        if let Some(j) = journal.as_deref_mut() {
            let reason = match &delivery {
                Delivery::Failed(r) => Some(r.as_str()),
                _ => None,
            };
            for alert in &notification.alerts {
                let mut entry = Entry::new(alert, chat_id, delivery.outcome(), channel, now);
                if let Some(r) = reason {
                    entry = entry.with_reason(r);
                }
                j.write(&entry).context("writing the journal")?;
            }
        }
        report.delivered.push((notification, delivery));
    }
    if plan.release_held && digest_ok {
        store
            .clear_held(recipient)
            .context("clearing held alerts")?;
    }
    Ok(report)
}

fn deliver(
    store: &mut Store,
    notifier: Option<&dyn Notifier>,
    recipient: Recipient,
    notification: &Notification,
    now: DateTime<Utc>,
) -> anyhow::Result<Delivery> {
    Ok(match recipient {
        Recipient::Chat(_) => {
            store
                .enqueue(recipient, "telegram", notification, now, now + OUTBOX_TTL)
                .context("queueing a Telegram message")?;
            Delivery::Queued
        }
        Recipient::Desktop => match notifier.map(|n| n.notify(notification)) {
            Some(Ok(())) => {
                store
                    .record_sent(recipient, &notification.alerts, now)
                    .context("recording delivery")?;
                Delivery::Sent
            }
            Some(Err(e)) => Delivery::Failed(e),
            None => Delivery::Failed("no desktop notifier on this system".to_owned()),
        },
        Recipient::Journal => {
            store
                .record_sent(recipient, &notification.alerts, now)
                .context("recording delivery")?;
            Delivery::Sent
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{AlertClass, Priority};
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
