//! Read-only data sources: the Oura cache and API, the WorkOS cache and Postgres, and the
//! State files; the fallback chains with their circuit breakers (`chain`, `breaker`).
//!
//! Each source turns another program's files into the typed snapshots below, reading only the
//! window the monitors need (queries are by indexed `day` / timestamps, never whole
//! histories). Sources never write what they read and never read Operator's own state
//! database. Errors say whether retrying can help ([`SourceError::is_transient`]).

pub mod block;
pub mod breaker;
pub mod chain;
pub mod fault;
pub mod oura;
pub mod services;
pub mod sqlite;
pub mod state_files;
pub mod workos;

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file or database does not exist (not an error for optional files).
    #[error("{what} not found at {path}")]
    Missing { what: &'static str, path: PathBuf },
    /// Busy, locked or otherwise temporarily unreadable: try again later.
    #[error("{what} temporarily unavailable: {reason}")]
    Transient { what: &'static str, reason: String },
    /// Corrupt, wrong schema, unreadable permissions: retrying will not help.
    #[error("{what} unusable: {reason}")]
    Permanent { what: &'static str, reason: String },
}

impl SourceError {
    pub fn is_transient(&self) -> bool {
        matches!(self, SourceError::Transient { .. })
    }
}

// ---------------------------------------------------------------------------------------------
// Oura

/// A `daily_readiness` document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Readiness {
    pub day: NaiveDate,
    pub score: Option<f64>,
    pub contributors: ReadinessContributors,
    pub temperature_deviation: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadinessContributors {
    pub activity_balance: Option<f64>,
    pub body_temperature: Option<f64>,
    pub hrv_balance: Option<f64>,
    pub previous_day_activity: Option<f64>,
    pub previous_night: Option<f64>,
    pub recovery_index: Option<f64>,
    pub resting_heart_rate: Option<f64>,
    pub sleep_balance: Option<f64>,
}

/// One night's sleep, chosen per `day`: the `long_sleep` period, else the longest period,
/// else a legacy `daily_sleep` document (score only, no durations).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SleepNight {
    pub day: NaiveDate,
    /// `long_sleep`, `sleep`, `late_nap`, `rest`, … or `daily_sleep` for legacy rows.
    pub kind: String,
    pub total_sleep_seconds: Option<f64>,
    pub time_in_bed_seconds: Option<f64>,
    pub efficiency: Option<f64>,
    pub average_hrv: Option<f64>,
    pub average_heart_rate: Option<f64>,
    pub lowest_heart_rate: Option<f64>,
    pub bedtime_start: Option<DateTime<FixedOffset>>,
    pub bedtime_end: Option<DateTime<FixedOffset>>,
    /// Legacy `daily_sleep` score (0-100); sleep periods have none.
    pub score: Option<f64>,
    /// Naps and rests recorded on the same day besides the chosen night.
    pub naps: u32,
}

impl SleepNight {
    pub fn total_sleep_hours(&self) -> Option<f64> {
        self.total_sleep_seconds.map(|s| s / 3600.0)
    }
}

/// A `daily_activity` document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activity {
    pub day: NaiveDate,
    pub score: Option<f64>,
    pub steps: Option<f64>,
    pub active_calories: Option<f64>,
}

/// A `daily_stress` document (API only; the cache has no stress table).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stress {
    pub day: NaiveDate,
    pub stress_high_seconds: Option<f64>,
    pub recovery_high_seconds: Option<f64>,
    pub day_summary: Option<String>,
}

/// What the Oura source returns for a window of days, each list ascending by `day`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OuraSnapshot {
    pub readiness: Vec<Readiness>,
    pub sleep: Vec<SleepNight>,
    pub activity: Vec<Activity>,
    pub stress: Vec<Stress>,
    /// `cache_meta.last_sync_time`: when the phone last synced into the cache.
    pub last_sync: Option<DateTime<Utc>>,
    /// Rows that could not be decoded (bad JSON): counted, skipped, never fatal.
    pub skipped_rows: u32,
}

// ---------------------------------------------------------------------------------------------
// WorkOS

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Task {
    pub id: i64,
    pub client_id: Option<i64>,
    pub title: String,
    /// `active` (on today's list), `queued`, `backlog` or `done`.
    pub status: String,
    pub category: Option<String>,
    pub value_tier: Option<String>,
    pub effort_estimate: Option<i64>,
    pub points_ai_guess: Option<i64>,
    pub points_final: Option<i64>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl Task {
    /// The task's points: `points_final`, else by value tier, else the AI guess, else the
    /// effort estimate, else 2.
    pub fn points(&self) -> i64 {
        if let Some(p) = self.points_final {
            return p;
        }
        let tier = match self.value_tier.as_deref() {
            Some("checkbox") => Some(1),
            Some("progress") => Some(2),
            Some("deliverable") => Some(4),
            Some("milestone") => Some(7),
            _ => None,
        };
        tier.or(self.points_ai_guess)
            .or(self.effort_estimate)
            .unwrap_or(2)
    }

    pub fn is_done(&self) -> bool {
        self.status == "done"
    }

    /// When the task was finished: `completed_at`, else `updated_at` for a done task whose
    /// `completed_at` was never set.
    pub fn finished_at(&self) -> Option<DateTime<Utc>> {
        if !self.is_done() {
            return None;
        }
        self.completed_at.or(self.updated_at)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Client {
    pub id: i64,
    pub name: String,
    /// `client` or `internal`.
    pub kind: String,
    pub is_active: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DailyGoal {
    pub date: NaiveDate,
    pub target_points: i64,
    pub earned_points: i64,
    pub task_count: i64,
    pub current_streak: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkosSnapshot {
    /// Every non-done task plus tasks created, updated or completed inside the window.
    pub tasks: Vec<Task>,
    pub clients: Vec<Client>,
    /// Daily goals inside the window, ascending by date.
    pub goals: Vec<DailyGoal>,
    /// `cache_meta.lastSyncAt`.
    pub last_sync: Option<DateTime<Utc>>,
}

// ---------------------------------------------------------------------------------------------
// State files

/// How a single State file read went. A missing file is normal; a corrupt one skips the
/// checks that need it.
#[derive(Debug, Clone, PartialEq)]
pub enum FileRead<T> {
    Missing,
    Corrupt(String),
    Ok(T),
}

impl<T> FileRead<T> {
    pub fn ok(&self) -> Option<&T> {
        match self {
            FileRead::Ok(v) => Some(v),
            _ => None,
        }
    }
}

/// Where a commitment came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitmentOrigin {
    /// `CommitmentData.json`.
    Json,
    /// A checkbox line of `Commitments.md`.
    Markdown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Commitment {
    /// The JSON `id`, or for a Markdown line a stable id derived from its section and text.
    pub id: String,
    pub title: String,
    /// `habit` / `goal` / `task` (JSON) or the `## Section` name (Markdown).
    pub kind: String,
    /// `pending`, `in_progress`, `completed`, `missed`, `cancelled`
    /// (Markdown: `pending` for `- [ ]`, `completed` for `- [x]`).
    pub status: String,
    pub due_date: Option<NaiveDate>,
    pub priority: Option<i64>,
    pub recurring: bool,
    pub origin: CommitmentOrigin,
    /// Set when `Commitments.md` holds the same commitment too (see
    /// `state_files::merge`): this is then the JSON record, with `status` done if either
    /// file says done.
    pub in_both: Option<InBoth>,
}

/// How each file has a commitment kept in both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InBoth {
    /// The status in `CommitmentData.json`.
    pub json_status: String,
    /// Whether its `Commitments.md` box is ticked.
    pub md_done: bool,
}

impl Commitment {
    /// Still owed: not completed or cancelled.
    pub fn is_open(&self) -> bool {
        status_is_open(&self.status)
    }

    /// When the two files disagree on whether it is done: how, in a few words ("done in
    /// Commitments.md, pending in CommitmentData.json"). The commitment counts as done.
    pub fn disagreement(&self) -> Option<String> {
        let both = self.in_both.as_ref()?;
        match (status_is_open(&both.json_status), both.md_done) {
            (true, true) => Some(format!(
                "done in Commitments.md, {} in CommitmentData.json",
                both.json_status
            )),
            (false, false) => Some(format!(
                "{} in CommitmentData.json, open in Commitments.md",
                both.json_status
            )),
            _ => None,
        }
    }
}

fn status_is_open(status: &str) -> bool {
    !matches!(status, "completed" | "cancelled")
}

#[derive(Debug, Clone, PartialEq)]
pub struct BrainDump {
    pub timestamp: Option<chrono::NaiveDateTime>,
    pub processed: bool,
    pub category: Option<String>,
    /// `parsed_action`: what the dump asks to be done ("book the dentist").
    pub action: Option<String>,
    /// `parsed_entities`: the people, clients or things it names.
    pub entities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StateSnapshot {
    pub commitment_data: FileRead<Vec<Commitment>>,
    /// The `Commitments.md` lines that are not also in `CommitmentData.json` (those are
    /// folded into their JSON record by `StateFiles::read`).
    pub commitments_md: FileRead<Vec<Commitment>>,
    /// Modification time of `CurrentFocus.md`.
    pub focus_modified: FileRead<DateTime<Utc>>,
    pub brain_dumps: FileRead<Vec<BrainDump>>,
}

impl StateSnapshot {
    /// Every commitment from the files that could be read. As `StateFiles::read` leaves
    /// them, one kept in both files is its JSON record alone (`state_files::fold`).
    pub fn commitments(&self) -> impl Iterator<Item = &Commitment> {
        self.commitment_data
            .ok()
            .into_iter()
            .flatten()
            .chain(self.commitments_md.ok().into_iter().flatten())
    }

    /// Whether the commitment files that exist could all be read.
    pub fn commitments_readable(&self) -> bool {
        !matches!(self.commitment_data, FileRead::Corrupt(_))
            && !matches!(self.commitments_md, FileRead::Corrupt(_))
    }
}
