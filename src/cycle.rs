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
use chrono_tz::Tz;

use crate::alert::{Alert, AlertClass, Findings};
use crate::channels::desktop::{self, Notifier};
use crate::channels::journal::{Entry, Journal};
use crate::config::Config;
use crate::monitors::{self, PuntCount};
use crate::pipeline::{self, DedupPolicy, Notification, Outcome, Plan, Policy, Recipient};
use crate::sources::oura::OuraCache;
use crate::sources::state_files::StateFiles;
use crate::sources::workos::{self, WorkosCache};
use crate::sources::{FileRead, OuraSnapshot, SourceError, StateSnapshot, WorkosSnapshot};
use crate::store::{
    ItemSnapshot, MonitorRun, MonitorStatus, RunRecord, SourceState, SourceStatus, Store,
};

/// Undelivered Telegram messages older than this expire into the journal.
pub const OUTBOX_TTL: Duration = Duration::hours(24);

/// Days of Oura history a cycle reads: the 30-day HRV baseline plus today.
const OURA_WINDOW_DAYS: i64 = 35;

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

/// A source read: the data (and whether it is stale), or why there is none.
#[derive(Debug, Clone)]
pub enum Read<T> {
    Ok { data: T, stale: bool },
    Missing(String),
    Failed(String),
}

impl<T> Read<T> {
    pub fn data(&self) -> Option<&T> {
        match self {
            Read::Ok { data, .. } => Some(data),
            _ => None,
        }
    }

    fn from_result(result: Result<(T, bool), SourceError>) -> Read<T> {
        match result {
            Ok((data, stale)) => Read::Ok { data, stale },
            Err(e @ SourceError::Missing { .. }) => Read::Missing(e.to_string()),
            Err(e) => Read::Failed(e.to_string()),
        }
    }

    fn status(
        &self,
        source: &str,
        data_as_of: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> SourceStatus {
        let (state, last_ok, last_error) = match self {
            Read::Ok { stale: false, .. } => (SourceState::Ok, Some(now), None),
            Read::Ok { stale: true, .. } => (SourceState::Stale, Some(now), None),
            Read::Missing(e) => (SourceState::Missing, None, Some(e.clone())),
            Read::Failed(e) => (SourceState::Failed, None, Some(e.clone())),
        };
        SourceStatus {
            source: source.to_owned(),
            state,
            last_ok,
            data_as_of,
            last_error,
            updated_at: now,
        }
    }
}

/// Everything the sources gave this cycle.
#[derive(Debug, Clone)]
pub struct Snapshots {
    pub oura: Read<OuraSnapshot>,
    pub workos: Read<WorkosSnapshot>,
    pub state: StateSnapshot,
}

/// Reads every source for the windows the monitors need at `now`.
pub fn read_sources(config: &Config, now: DateTime<Utc>) -> Snapshots {
    let tz = config.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let oura_cfg = &config.adapters.oura;
    let stale_after =
        Duration::seconds((config.monitors.health.thresholds.data_stale_hours * 3600.0) as i64);
    let oura = Read::from_result(OuraCache::open(&oura_cfg.cache_db_path).and_then(|cache| {
        let snapshot = cache.read(today - Duration::days(OURA_WINDOW_DAYS), today)?;
        let stale = snapshot.last_sync.is_none_or(|t| now - t > stale_after);
        Ok((snapshot, stale))
    }));

    let lookback = i64::from(config.monitors.patterns.lookback_days.max(7)) + 1;
    let workos = Read::from_result(
        WorkosCache::open(&config.adapters.workos.cache_db_path).and_then(|cache| {
            let snapshot = cache.read(now - Duration::days(lookback))?;
            let stale = workos::is_stale(snapshot.last_sync, now);
            Ok((snapshot, stale))
        }),
    );

    let state = StateFiles::new(&config.adapters.state_files.base_path).read();
    Snapshots {
        oura,
        workos,
        state,
    }
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
        timezone: config.timezone,
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
    mut journal: Option<&mut Journal>,
    notifier: Option<&dyn Notifier>,
    options: &Options,
) -> anyhow::Result<Report> {
    let clock = Instant::now();
    let now = options.now;
    let tz = config.timezone;
    let snapshots = read_sources(config, now);
    let write = !options.dry_run;

    let sources = vec![
        snapshots
            .oura
            .status("oura", snapshots.oura.data().and_then(|s| s.last_sync), now),
        snapshots.workos.status(
            "workos",
            snapshots.workos.data().and_then(|s| s.last_sync),
            now,
        ),
        state_files_status(&snapshots.state, now),
    ];

    if write {
        for s in &sources {
            store.record_source(s).context("recording source status")?;
        }
        store
            .record_snapshots(&item_snapshots(&snapshots), now)
            .context("recording item snapshots")?;
    }
    let lookback = Duration::days(i64::from(config.monitors.patterns.lookback_days));
    let punts = store
        .punt_counts(now - lookback)
        .context("reading punt counts")?;

    let (findings, monitor_runs, evaluated) =
        run_monitors(config, &snapshots, &punts, now.with_timezone(&tz), options);
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
                .any(|m| m.status == MonitorStatus::Skipped);
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
        if let Some(j) = journal {
            j.flush().context("flushing the journal")?;
        }
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

/// Runs the selected, enabled monitors whose sources could be read. Returns the findings,
/// one result per monitor, and the classes whose every source was read (only their
/// acknowledgements may be cleared).
fn run_monitors(
    config: &Config,
    s: &Snapshots,
    punts: &[PuntCount],
    now: DateTime<Tz>,
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
        let f = monitors::health::health(oura, now, &m.health.thresholds);
        record(
            "health",
            MonitorStatus::Ok,
            f.alerts.len(),
            format!("{} days of Oura data", oura.readiness.len()),
        );
        findings.extend(f);
        evaluated.push(AlertClass::Health);
    } else {
        record(
            "health",
            MonitorStatus::Skipped,
            0,
            format!("Oura unavailable: {}", read_error(&s.oura)),
        );
    }

    if !(m.tasks.enabled && options.monitors.tasks) {
        record("tasks", MonitorStatus::Disabled, 0, "disabled".into());
    } else {
        let f = monitors::tasks::tasks(&s.state, s.workos.data(), now, &m.tasks);
        let mut gaps = Vec::new();
        if !s.state.commitments_readable() {
            gaps.push("a commitment file is unreadable".to_owned());
        }
        if let Read::Failed(e) = &s.workos {
            gaps.push(format!("WorkOS unavailable: {e}"));
        }
        let n = s.state.commitments().count();
        let detail = if gaps.is_empty() {
            format!("{n} commitments checked")
        } else {
            format!("{n} commitments checked; {}", gaps.join("; "))
        };
        record("tasks", MonitorStatus::Ok, f.alerts.len(), detail);
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
        let complete =
            s.oura.data().is_some() && s.workos.data().is_some() && s.state.commitments_readable();
        let detail = if complete {
            "all sources read".to_owned()
        } else {
            "some sources unavailable".to_owned()
        };
        record("patterns", MonitorStatus::Ok, f.alerts.len(), detail);
        if complete {
            evaluated.push(AlertClass::Patterns);
        }
        findings.extend(f);
    }
    (findings, runs, evaluated)
}

fn read_error<T>(read: &Read<T>) -> &str {
    match read {
        Read::Ok { .. } => "",
        Read::Missing(e) | Read::Failed(e) => e,
    }
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
