//! Step 4 of a cycle: record the run (its duration, trigger, counts and status), each
//! monitor's result, and prune history: outbox, runs and snapshots older than
//! [`HISTORY_DAYS`], dedup ledger rows older than the longest dedup window (plus a day).

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};

use super::deliver::RecipientReport;
use crate::config::Config;
use crate::store::{MonitorRun, MonitorStatus, RunRecord, SourceState, SourceStatus, Store};

/// How long the state database keeps a cycle's history.
pub const HISTORY_DAYS: i64 = 60;

/// What the run record is made of.
pub(super) struct RunSummary<'a> {
    pub started_at: DateTime<Utc>,
    pub duration: std::time::Duration,
    pub trigger: &'static str,
    pub alerts: usize,
    pub sources: &'a [SourceStatus],
    pub monitors: &'a [MonitorRun],
    pub recipients: &'a [RecipientReport],
}

/// Records the run and its monitors' results, then prunes old history.
pub(super) fn record_run(
    config: &Config,
    store: &mut Store,
    run: &RunSummary<'_>,
) -> anyhow::Result<()> {
    let now = run.started_at;
    let delivered: usize = run.recipients.iter().map(|r| r.delivered.len()).sum();
    let degraded = run.sources.iter().any(|s| s.state == SourceState::Failed)
        || run
            .monitors
            .iter()
            .any(|m| matches!(m.status, MonitorStatus::Skipped | MonitorStatus::Partial));
    let record = RunRecord {
        id: 0,
        started_at: now,
        duration_ms: run.duration.as_millis() as u64,
        trigger: run.trigger.to_owned(),
        alerts: run.alerts as u32,
        delivered: delivered as u32,
        status: if degraded { "degraded" } else { "ok" }.to_owned(),
        error: None,
    };
    let run_id = store.record_run(&record).context("recording the run")?;
    for m in run.monitors {
        store
            .record_monitor(run_id, m)
            .context("recording monitor results")?;
    }
    store
        .prune(
            now - Duration::days(HISTORY_DAYS),
            now - config.dedup.windows.longest() - Duration::days(1),
        )
        .context("pruning history")?;
    Ok(())
}
