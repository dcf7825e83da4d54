//! Step 1 of a cycle: read every source through its fallback chain for the windows the
//! monitors need, and (when the cycle writes) record what was read: each source's status,
//! the circuit breakers, and the item snapshots procrastination is counted from.
//!
//! [`read_sources`] does not touch the state database (the chain carries the breakers in and
//! out), so the daemon can read without holding the store while the network is slow.

use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};

use crate::config::Config;
use crate::sources::chain::{self, ChainState, Env, Read, Served};
use crate::sources::services::{self, Outcome};
use crate::sources::state_files::StateFiles;
use crate::sources::{FileRead, OuraSnapshot, StateSnapshot, WorkosSnapshot};
use crate::store::{ItemSnapshot, SourceState, SourceStatus, Store};

/// Everything the sources gave this cycle.
#[derive(Debug, Clone)]
pub struct Snapshots {
    pub oura: Read<OuraSnapshot>,
    pub workos: Read<WorkosSnapshot>,
    pub state: StateSnapshot,
    /// Which link served Oura and what failed on the way.
    pub oura_served: Served,
    pub workos_served: Served,
    /// The service checks' outcomes when this cycle evaluates them (`None`: not this cycle,
    /// or no checks configured).
    pub services: Option<ServicesRead>,
}

/// The outcomes of the configured service checks and when they were taken.
#[derive(Debug, Clone)]
pub struct ServicesRead {
    pub checked_at: DateTime<Utc>,
    pub outcomes: Vec<Outcome>,
}

/// Runs every configured service check now, all at once (blocking: at most the longest
/// timeout plus a second); `None` when the monitor is off or has no checks.
pub fn check_services(config: &Config, now: DateTime<Utc>) -> Option<ServicesRead> {
    let m = &config.monitors.services;
    if !m.enabled || m.checks.is_empty() {
        return None;
    }
    let checks: Vec<_> = m.checks.iter().map(|c| c.check.clone()).collect();
    Some(ServicesRead {
        checked_at: now,
        outcomes: services::run_checks(&checks),
    })
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
        services: None,
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

/// Every source's status at `now`, as the store and `status` show it.
pub(super) fn source_statuses(snapshots: &Snapshots, now: DateTime<Utc>) -> Vec<SourceStatus> {
    vec![
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
    ]
}

/// Records what was read: source statuses, the breakers, and the item snapshots.
pub(super) fn record_reads(
    config: &Config,
    store: &mut Store,
    sources: &[SourceStatus],
    chain: &ChainState,
    snapshots: &Snapshots,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    for s in sources {
        store.record_source(s).context("recording source status")?;
    }
    chain
        .save(store, now, config.intervals.health)
        .context("recording the circuit breakers")?;
    store
        .record_snapshots(&item_snapshots(snapshots), now)
        .context("recording item snapshots")?;
    Ok(())
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
