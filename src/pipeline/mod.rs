//! The alert pipeline: for one recipient (a Telegram chat or the desktop), decide what happens
//! to each alert of a cycle, in this order:
//! acknowledged → snoozed → dedup → quiet hours → storm cap → routing by `min_priority`.
//!
//! Pure: no IO and no clock. The caller loads the recipient's [`ChatState`] from the store,
//! passes `now`, and applies the returned [`Plan`] (journal every decision, deliver the
//! notifications, record what was actually delivered, keep what was held for the digest).
//! Nothing here marks anything as sent.

mod brief;
mod decide;
mod digest;
mod notify;
mod quiet;

pub use brief::{BriefDue, brief_due};
pub use decide::decide;
pub use quiet::{in_quiet_hours, next_local_hour_after, quiet_hours_end_after};

use std::collections::{BTreeMap, BTreeSet};

use crate::zone::Zone;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::alert::{Alert, AlertClass, Priority};
use crate::config::{DedupWindows, QuietHours};

/// Who an alert is decided for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    /// A Telegram chat id.
    Chat(i64),
    /// The desktop notifier (no chat).
    Desktop,
    /// The journal alone, when no other channel is configured: its line is the delivery.
    Journal,
}

impl Recipient {
    /// The key the store files this recipient's state under.
    pub fn key(self) -> String {
        match self {
            Recipient::Chat(id) => id.to_string(),
            Recipient::Desktop => "desktop".to_owned(),
            Recipient::Journal => "journal".to_owned(),
        }
    }

    pub fn chat_id(self) -> Option<i64> {
        match self {
            Recipient::Chat(id) => Some(id),
            Recipient::Desktop | Recipient::Journal => None,
        }
    }

    /// The journal's `channel` for this recipient.
    pub fn channel(self) -> &'static str {
        match self {
            Recipient::Chat(_) => "telegram",
            Recipient::Desktop => "desktop",
            Recipient::Journal => "journal",
        }
    }

    /// The inverse of [`Recipient::key`].
    pub fn from_key(key: &str) -> Option<Recipient> {
        match key {
            "desktop" => Some(Recipient::Desktop),
            "journal" => Some(Recipient::Journal),
            other => other.parse().ok().map(Recipient::Chat),
        }
    }
}

/// The last time an alert key was delivered (or is in flight) to a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentRecord {
    pub at: DateTime<Utc>,
    pub priority: Priority,
}

/// What a snooze covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SnoozeScope {
    /// Every non-critical alert (`/snooze 2h`).
    All,
    /// One class (`/snooze health 2h`); critical alerts of that class still pass.
    Class(AlertClass),
    /// One dedup key (a button press); holds even critical alerts, since the user chose it.
    Key(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snooze {
    pub scope: SnoozeScope,
    pub until: DateTime<Utc>,
    /// For a key snooze: the alert's priority when it was snoozed. The same key at a higher
    /// priority ends the snooze early.
    pub priority: Option<Priority>,
}

/// Everything the store knows about one recipient that the decision needs.
#[derive(Debug, Clone, Default)]
pub struct ChatState {
    /// Dedup ledger: last delivery per dedup key (plus keys still waiting in the outbox).
    pub sent: BTreeMap<String, SentRecord>,
    /// Snoozes; expired ones may be present and are ignored.
    pub snoozes: Vec<Snooze>,
    /// Acknowledged dedup keys (cleared by the caller when their condition stops holding).
    pub acks: BTreeSet<String>,
    /// The quiet hours in force for this recipient (config default or its `/quiet` override).
    pub quiet: Option<QuietHours>,
    /// A one-off quiet period ("quiet until 8", "do not disturb for 2 hours"): quiet until
    /// then, whatever the daily hours say.
    pub quiet_until: Option<DateTime<Utc>>,
    /// Alerts held by quiet hours and not yet delivered, oldest first.
    pub held: Vec<Alert>,
}

impl ChatState {
    /// Whether this recipient is quiet at `now`: inside its daily quiet hours (in `tz`) or a
    /// one-off quiet period.
    pub fn quiet_now(&self, tz: &crate::zone::Zone, now: DateTime<Utc>) -> bool {
        self.quiet_until.is_some_and(|until| now < until)
            || self.quiet.is_some_and(|q| in_quiet_hours(&q, tz, now))
    }

    /// Whether an unexpired snooze covers `alert`: a key snooze covers it at any priority up
    /// to the one it was snoozed at (a higher one ends it early), a class or global snooze only
    /// below critical. A snooze whose `until` is `now` has expired.
    pub fn is_snoozed(&self, alert: &Alert, now: DateTime<Utc>) -> bool {
        let below_critical = alert.priority < Priority::Critical;
        self.snoozes
            .iter()
            .filter(|s| s.until > now)
            .any(|s| match &s.scope {
                SnoozeScope::Key(key) => {
                    *key == alert.dedup_key && s.priority.is_none_or(|p| alert.priority <= p)
                }
                SnoozeScope::Class(class) => *class == alert.class && below_critical,
                SnoozeScope::All => below_critical,
            })
    }

    /// The key snooze of `alert` that an escalation ends now: active, snoozed at a lower
    /// priority than the alert has.
    pub fn escalated_snooze(&self, alert: &Alert, now: DateTime<Utc>) -> Option<&Snooze> {
        self.snoozes.iter().find(|s| {
            s.until > now
                && s.scope == SnoozeScope::Key(alert.dedup_key.clone())
                && s.priority.is_some_and(|p| alert.priority > p)
        })
    }

    /// The key snooze of `alert` that ended while its condition held and that it has not come
    /// back from yet (no delivery since the snooze ended): the alert comes back now, marked.
    pub fn ended_snooze(&self, alert: &Alert, now: DateTime<Utc>) -> Option<&Snooze> {
        self.snoozes.iter().find(|s| {
            s.until <= now
                && s.scope == SnoozeScope::Key(alert.dedup_key.clone())
                && self
                    .sent
                    .get(&alert.dedup_key)
                    .is_none_or(|rec| rec.at < s.until)
        })
    }
}

/// Settings for one recipient's decisions.
#[derive(Debug, Clone)]
pub struct RecipientPolicy {
    pub timezone: Zone,
    pub windows: DedupWindows,
    pub max_alerts_per_run: usize,
    pub min_priority: Priority,
}

impl RecipientPolicy {
    /// The dedup window for an alert: its class's (health: by priority), capped by the
    /// alert's own `renotify_after`.
    pub fn window_for(&self, alert: &Alert) -> Duration {
        let base = self.windows.window_for(alert.class, alert.priority);
        match alert.renotify_after {
            Some(cap) if cap < base => cap,
            _ => base,
        }
    }
}

/// What happened to one alert for one recipient (the journal's `outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Passed every stage: to be delivered (the caller journals `sent` only once it is).
    Send,
    Acknowledged,
    Snoozed,
    Deduplicated,
    HeldQuiet,
    StormCapped,
    BelowMinPriority,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Send => "sent",
            Outcome::Acknowledged => "acknowledged",
            Outcome::Snoozed => "snoozed",
            Outcome::Deduplicated => "deduplicated",
            Outcome::HeldQuiet => "held_quiet",
            Outcome::StormCapped => "storm_capped",
            Outcome::BelowMinPriority => "below_min_priority",
        }
    }
}

/// One message to deliver: a single alert, several alerts of one kind grouped, the morning
/// digest, or the storm cap's "+N more" line.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub priority: Priority,
    pub title: String,
    /// Body lines (already plain text; channels escape them).
    pub lines: Vec<String>,
    /// The alerts this message delivers; when it is delivered, each one's key is recorded as
    /// sent. Empty for the "+N more" line.
    pub alerts: Vec<Alert>,
    pub kind: NotificationKind,
    /// When a snooze of this alert ended while it still held: it comes back marked ↺.
    pub back_from_snooze: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    Alert,
    Digest,
    Overflow,
    /// The morning brief (it may carry the alerts quiet hours held).
    Brief,
    /// The weekly review (its suggestions carry `Apply` buttons).
    Review,
}

impl Notification {
    pub fn dedup_keys(&self) -> impl Iterator<Item = &str> {
        self.alerts.iter().map(|a| a.dedup_key.as_str())
    }
}

/// The decision for one recipient in one cycle.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    /// Every input alert with its outcome, in input order.
    pub decisions: Vec<(Alert, Outcome)>,
    /// Messages to deliver, highest priority first (digest first, overflow line last).
    pub deliver: Vec<Notification>,
    /// Alerts newly held by quiet hours: the caller keeps them for the digest.
    pub hold: Vec<Alert>,
    /// True when the previously held alerts were released (into the digest, or dropped because
    /// they are now acknowledged or snoozed): the caller clears them once delivery is done.
    pub release_held: bool,
    /// Key snoozes that are over: an alert came back from them (↺) or escalated past them.
    /// The caller deletes them.
    pub ended_snoozes: Vec<String>,
}
