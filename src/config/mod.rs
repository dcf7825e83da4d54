//! Configuration: the validated [`Config`] every other module receives, built once from YAML.
//!
//! Loading happens in two phases (see `load.rs`): the YAML text becomes a raw value tree exactly
//! as written, `${VAR}` references in string values are expanded, then a typed reader walks
//! the tree, collects *every* problem with its key path, and produces this validated
//! structure with real types and no `Option`s left where a default exists.
//! This module does not read the clock or touch the state database.
//!
//! Why this file is long: it is the typed shape of every config key (one struct per section,
//! with its defaults documented where the field is), which reads best in one place.

mod build;
mod build_adapters;
mod build_alerters;
mod build_monitors;
pub mod edit;
mod interp;
mod load;
mod reader;
mod secret;
pub mod services;
mod show;
mod value;

pub use load::{ConfigError, Problem, load_file, load_str, resolve_config_path};
pub use secret::{Redactor, Secret};
pub use services::{ServiceCheck, ServicesMonitor};
pub use show::render_effective;

use std::path::PathBuf;

use crate::zone::Zone;
use chrono::Duration;

use crate::alert::{AlertClass, Priority};

/// The whole validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this configuration came from (used to resolve `.env` and relative paths).
    pub source_path: PathBuf,
    pub version: String,
    /// The zone every local-time decision uses (`timezone`, else `quiet_hours.timezone`,
    /// else the system zone).
    pub timezone: Zone,
    pub intervals: Intervals,
    pub quiet_hours: QuietHours,
    pub dedup: Dedup,
    pub monitors: Monitors,
    pub adapters: Adapters,
    pub alerters: Alerters,
    pub circuit_breaker: CircuitBreaker,
    pub logging: Logging,
    pub state: StateConfig,
    pub health_endpoint: HealthEndpoint,
    pub heartbeat: HeartbeatConfig,
    pub brief: BriefConfig,
    pub review: ReviewConfig,
    /// Every secret above, for [`Config::redactor`].
    redactor: Redactor,
}

/// Check intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct Intervals {
    pub health: Duration,
    pub tasks: Duration,
    pub patterns: Duration,
}

/// Default quiet hours for every chat (each chat may override them with `/quiet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub enabled: bool,
    /// Local hour (0-23) quiet hours begin.
    pub start: u8,
    /// Local hour (0-23) quiet hours end. `start > end` wraps midnight; `start == end` means
    /// no quiet hours even when enabled.
    pub end: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dedup {
    pub max_alerts_per_run: usize,
    pub windows: DedupWindows,
}

/// The dedup window of every alert class: the one place they are listed. A zero duration
/// means "no dedup" for that class.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupWindows {
    pub health_warning: Duration,
    pub health_critical: Duration,
    pub tasks: Duration,
    pub patterns: Duration,
    /// `services` (`deduplication.windows.services`): a service still down is said again
    /// after this long.
    pub services: Duration,
    /// The design's single window (`deduplication.window_seconds`), for the `system` class,
    /// which the per-class windows do not name.
    pub system: Duration,
}

impl DedupWindows {
    /// The window for an alert of `class` at `priority` (health: critical or not).
    pub fn window_for(&self, class: AlertClass, priority: Priority) -> Duration {
        match class {
            AlertClass::Health if priority >= Priority::Critical => self.health_critical,
            AlertClass::Health => self.health_warning,
            AlertClass::Tasks => self.tasks,
            AlertClass::Patterns => self.patterns,
            AlertClass::Services => self.services,
            AlertClass::System => self.system,
        }
    }

    /// The longest window: how long the dedup ledger must remember a delivery.
    pub fn longest(&self) -> Duration {
        [
            self.health_warning,
            self.health_critical,
            self.tasks,
            self.patterns,
            self.services,
            self.system,
        ]
        .into_iter()
        .max()
        .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Monitors {
    pub health: HealthMonitor,
    pub tasks: TaskMonitor,
    pub patterns: PatternMonitor,
    pub services: ServicesMonitor,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HealthMonitor {
    pub enabled: bool,
    pub thresholds: HealthThresholds,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HealthThresholds {
    /// `absolute` (the fixed lines below) or `personal`: the readiness, HRV and sleep
    /// warnings fire below the person's own 10th percentile of the last 30 days instead
    /// (critical stays absolute).
    pub mode: ThresholdMode,
    pub readiness_critical: f64,
    pub readiness_warning: f64,
    /// Percent below the 30-day average HRV, as a negative number (e.g. -25).
    pub hrv_critical_deviation: f64,
    pub hrv_warning_deviation: f64,
    pub sleep_hours_critical: f64,
    pub sleep_hours_warning: f64,
    pub stress_high: f64,
    pub stress_critical: f64,
    pub recovery_index_warning: f64,
    pub recovery_index_critical: f64,
    /// "No new Oura data" after this many hours since the cache's last sync.
    pub data_stale_hours: f64,
    /// Strain (possible illness or overreach): body temperature this many °C above normal…
    pub strain_temperature_deviation: f64,
    /// …HRV this many percent below its 7-day median…
    pub strain_hrv_drop_percent: f64,
    /// …the lowest resting heart rate this many bpm above its 14-day median…
    pub strain_rhr_rise_bpm: f64,
    /// …readiness below this; `strain_signals` of the four at once is strain.
    pub strain_readiness: f64,
    pub strain_signals: u32,
}

/// Deadline checks the task monitor runs (`monitors.tasks.checks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaskCheck {
    OverdueTasks,
    DueToday,
    DueTomorrow,
    CommitmentViolations,
}

impl TaskCheck {
    pub const ALL: [TaskCheck; 4] = [
        TaskCheck::OverdueTasks,
        TaskCheck::DueToday,
        TaskCheck::DueTomorrow,
        TaskCheck::CommitmentViolations,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskCheck::OverdueTasks => "overdue_tasks",
            TaskCheck::DueToday => "due_today",
            TaskCheck::DueTomorrow => "due_tomorrow",
            TaskCheck::CommitmentViolations => "commitment_violations",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskMonitor {
    pub enabled: bool,
    pub checks: Vec<TaskCheck>,
    /// Local hours at which scheduled reminders go out: "due today" at every listed hour
    /// before the last, "due tomorrow" at the last one (the design's 9, 14, 18).
    pub commitment_check_hours: Vec<u8>,
    /// Active WorkOS tasks that count as a pile-up (0 disables the check).
    pub pile_up_threshold: u32,
    /// Local hour of the daily pile-up check.
    pub pile_up_hour: u8,
    /// A commitment this many days past due is "violated" (critical).
    pub violation_days: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatternMonitor {
    pub enabled: bool,
    pub lookback_days: u32,
    pub thresholds: PatternThresholds,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatternThresholds {
    pub procrastination_count: u32,
    pub energy_decline_percent: f64,
    pub overcommitment_ratio: f64,
    pub sleep_debt_hours: f64,
    pub sleep_debt_nights: u32,
    pub context_switch_clients: u32,
    pub stale_focus_days: u32,
    /// Burnout risk: readiness falling by at least this many points a day over 7 days
    /// (a least-squares slope; negative), with overcommitment and sleep debt at once.
    pub burnout_readiness_slope: f64,
    /// Unprocessed brain-dump worries naming one entity, in 7 days, for a recurring worry.
    pub recurring_worry: u32,
    /// Unprocessed brain-dump worries in 7 days, for worry volume.
    pub worry_volume: u32,
}

#[derive(Debug, Clone)]
pub struct Adapters {
    pub oura: OuraAdapter,
    pub workos: WorkosAdapter,
    pub state_files: StateFilesAdapter,
}

#[derive(Debug, Clone)]
pub struct OuraAdapter {
    pub kind: String,
    pub cache_db_path: PathBuf,
    pub fallback_api: bool,
    pub api_timeout: Duration,
    pub access_token: Option<Secret>,
    pub api_base_url: String,
}

#[derive(Debug, Clone)]
pub struct WorkosAdapter {
    pub kind: String,
    pub database_url: Option<Secret>,
    pub cache_enabled: bool,
    pub cache_ttl: Duration,
    pub cache_db_path: PathBuf,
}

#[derive(Debug, Clone)]
pub struct StateFilesAdapter {
    pub kind: String,
    pub base_path: PathBuf,
    /// Extra files named by the config; each is checked to stay inside `base_path`.
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Alerters {
    pub telegram: TelegramAlerter,
    pub macos: DesktopAlerter,
    pub journal: JournalAlerter,
}

#[derive(Debug, Clone)]
pub struct TelegramAlerter {
    pub enabled: bool,
    pub token: Option<Secret>,
    pub chat_ids: Vec<i64>,
    pub allowed_chat_ids: Vec<i64>,
    /// User ids from `TELEGRAM_ALLOWED_USERS` that may talk to the bot from any chat.
    pub allowed_user_ids: Vec<i64>,
    pub min_priority: Priority,
    pub retry_attempts: u32,
    pub timeout: Duration,
    pub api_url: String,
    pub poll_timeout: Duration,
    /// Push a short message when an alert resolves (its message is always edited).
    pub notify_resolved: bool,
}

#[derive(Debug, Clone)]
pub struct DesktopAlerter {
    pub enabled: bool,
    pub min_priority: Priority,
    pub sound: String,
}

#[derive(Debug, Clone)]
pub struct JournalAlerter {
    pub enabled: bool,
    pub min_priority: Priority,
    pub log_path: PathBuf,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CircuitBreaker {
    pub failure_threshold: u32,
    pub timeout: Duration,
    pub half_open_attempts: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Logging {
    /// A tracing filter directive derived from the design's level names
    /// (`DEBUG`, `INFO`, `WARNING`, `ERROR`, `CRITICAL`).
    pub level: String,
    /// The design's Python format string; kept for compatibility, tracing formats the lines.
    pub format: String,
    pub rotation: Rotation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    pub max_bytes: u64,
    pub backup_count: u32,
}

#[derive(Debug, Clone)]
pub struct StateConfig {
    pub db_path: PathBuf,
}

/// The morning brief: once a day per alert chat, as soon as last night's sleep and today's
/// readiness are in (and quiet hours are over), not before `not_before`, at the latest at
/// `fallback_time` (local times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BriefConfig {
    pub enabled: bool,
    pub not_before: chrono::NaiveTime,
    pub fallback_time: chrono::NaiveTime,
}

/// The weekly review: pushed once a week per alert chat at `weekly` (local weekday and time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewConfig {
    pub enabled: bool,
    pub weekday: chrono::Weekday,
    pub at: chrono::NaiveTime,
}

/// How the readiness, HRV and sleep warnings draw their line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdMode {
    /// The configured numbers (the design's).
    Absolute,
    /// Below the person's own 10th percentile of the last 30 days.
    Personal,
}

impl ThresholdMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ThresholdMode::Absolute => "absolute",
            ThresholdMode::Personal => "personal",
        }
    }
}

/// The outside heartbeat (healthchecks.io style): pinged after every completed cycle,
/// `<url>/fail` after a failed one.
#[derive(Debug, Clone)]
pub struct HeartbeatConfig {
    /// The whole URL is a secret (it usually holds the check's key); `None` = off.
    pub url: Option<Secret>,
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
pub struct HealthEndpoint {
    pub enabled: bool,
    pub bind: String,
    /// `bind` may be a non-loopback address (off unless set: the endpoint has no auth).
    pub allow_non_loopback: bool,
}

impl Config {
    /// Removes every secret of this config (bot token, WorkOS database URL and password,
    /// Oura token) from a text: the one redactor every printing or logging path uses.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// Replaces the secrets the redactor knows (after building, or in tests that set them).
    pub fn refresh_redactor(&mut self) {
        self.redactor = Redactor::new(self.secrets());
    }

    /// Every secret this config holds.
    pub fn secrets(&self) -> impl Iterator<Item = &Secret> {
        [
            self.alerters.telegram.token.as_ref(),
            self.adapters.workos.database_url.as_ref(),
            self.adapters.oura.access_token.as_ref(),
            self.heartbeat.url.as_ref(),
        ]
        .into_iter()
        .flatten()
    }
}
