//! The alert vocabulary shared by monitors, the pipeline and the channels:
//! [`Alert`], [`Priority`], [`AlertClass`] and [`Findings`]. No IO, no clock.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The most characters of an item's title (a commitment, a task) that an alert or reply
/// shows: titles come from files other programs (and people) write, and a 100 KB one would
/// otherwise fill dozens of messages.
pub const MAX_TITLE_CHARS: usize = 300;

/// `s` cut to at most `max` characters (on a character boundary), ending in "…" when cut.
pub fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(s),
        Some((end, _)) => {
            let keep = s[..end]
                .char_indices()
                .nth(max.saturating_sub(1))
                .map_or(end, |(i, _)| i);
            std::borrow::Cow::Owned(format!("{}…", &s[..keep]))
        }
    }
}

/// How urgent an alert is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Priority::Info,
        Priority::Low,
        Priority::Medium,
        Priority::High,
        Priority::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Info => "info",
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Critical => "critical",
        }
    }

    /// A one-character marker used in chat and terminal renderings.
    pub fn emoji(self) -> &'static str {
        match self {
            Priority::Info => "ℹ️",
            Priority::Low => "🔹",
            Priority::Medium => "🔸",
            Priority::High => "🟠",
            Priority::Critical => "🔴",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown priority {s:?} (expected info, low, medium, high or critical)")
            })
    }
}

/// The family an alert belongs to; it picks the dedup window and the `/snooze <class>` scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertClass {
    Health,
    Tasks,
    Patterns,
    /// `monitors.services`: the checks that the ways into this machine are alive.
    Services,
    System,
}

impl AlertClass {
    pub const ALL: [AlertClass; 5] = [
        AlertClass::Health,
        AlertClass::Tasks,
        AlertClass::Patterns,
        AlertClass::Services,
        AlertClass::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertClass::Health => "health",
            AlertClass::Tasks => "tasks",
            AlertClass::Patterns => "patterns",
            AlertClass::Services => "services",
            AlertClass::System => "system",
        }
    }
}

impl fmt::Display for AlertClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AlertClass {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AlertClass::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown alert class {s:?} (expected health, tasks, patterns, services or system)")
            })
    }
}

/// One thing worth telling the user.
///
/// `dedup_key` is `<class>:<kind>[:<subject>]`; the same condition always produces the same key,
/// so dedup, snoozes and acknowledgements can refer to it across runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub dedup_key: String,
    pub class: AlertClass,
    pub priority: Priority,
    pub title: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
    /// Caps the dedup window for scheduled reminders (for example "due today" at 9:00 and
    /// again at 14:00). `None` uses the class window.
    #[serde(skip)]
    pub renotify_after: Option<Duration>,
    /// The human name of the subject ("Memphis report"), used when several alerts of one kind
    /// are grouped into one message ("3 commitments overdue: A, B, C").
    #[serde(skip)]
    pub subject_label: Option<String>,
}

impl Alert {
    /// Builds an alert; `kind` and `subject` are joined into the dedup key after the class.
    pub fn new(
        class: AlertClass,
        kind: &str,
        subject: Option<&str>,
        priority: Priority,
        title: impl Into<String>,
        message: impl Into<String>,
        created_at: DateTime<Utc>,
    ) -> Alert {
        Alert {
            dedup_key: dedup_key(class, kind, subject),
            class,
            priority,
            title: title.into(),
            message: message.into(),
            created_at,
            renotify_after: None,
            subject_label: None,
        }
    }

    pub fn with_subject_label(mut self, label: impl Into<String>) -> Alert {
        self.subject_label = Some(label.into());
        self
    }

    pub fn with_renotify_after(mut self, after: Duration) -> Alert {
        self.renotify_after = Some(after);
        self
    }

    /// The `<kind>` part of the dedup key.
    pub fn kind(&self) -> &str {
        self.dedup_key.split(':').nth(1).unwrap_or("")
    }
}

/// The title of a message that groups several alerts of one kind, naming their subjects:
/// "3 commitments overdue: A, B, C".
pub fn group_title(kind: &str, labels: &[&str]) -> String {
    let n = labels.len();
    let list = labels.join(", ");
    match kind {
        "overdue" => format!("{n} commitments overdue: {list}"),
        "commitment_violated" => format!("{n} commitments violated: {list}"),
        "due_today" => format!("Due today: {list}"),
        "due_tomorrow" => format!("Due tomorrow: {list}"),
        "procrastination" => format!("{n} items keep getting punted: {list}"),
        "circuit_open" => format!("{n} data source links failing: {list}"),
        "circuit_closed" => format!("{n} data source links recovered: {list}"),
        _ => format!("{n} {} alerts: {list}", kind.replace('_', " ")),
    }
}

/// `<class>:<kind>[:<subject>]`.
pub fn dedup_key(class: AlertClass, kind: &str, subject: Option<&str>) -> String {
    match subject {
        Some(subject) => format!("{}:{kind}:{subject}", class.as_str()),
        None => format!("{}:{kind}", class.as_str()),
    }
}

/// What one monitor found in one evaluation.
///
/// `alerts` are the alerts to consider sending now. `holding` is the set of dedup keys whose
/// condition is currently true, including conditions that are only announced at certain hours;
/// an acknowledgement lasts while its key keeps holding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    pub alerts: Vec<Alert>,
    pub holding: BTreeSet<String>,
}

impl Findings {
    /// Adds an alert to send now; its condition holds.
    pub fn push(&mut self, alert: Alert) {
        self.holding.insert(alert.dedup_key.clone());
        self.alerts.push(alert);
    }

    /// Records that a condition holds without announcing it now.
    pub fn hold(&mut self, key: String) {
        self.holding.insert(key);
    }

    pub fn extend(&mut self, other: Findings) {
        self.alerts.extend(other.alerts);
        self.holding.extend(other.holding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_cuts_long_titles_on_a_character_boundary() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("exactly10!", 10), "exactly10!");
        assert_eq!(clip("eleven chars", 10), "eleven ch…");
        let hostile = "\u{202E}é🔥<&>".repeat(40_000);
        let cut = clip(&hostile, MAX_TITLE_CHARS);
        assert_eq!(cut.chars().count(), MAX_TITLE_CHARS);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn priorities_order_and_parse() {
        assert!(Priority::Info < Priority::Low && Priority::High < Priority::Critical);
        assert_eq!("HIGH".parse::<Priority>().unwrap(), Priority::High);
        assert!("urgent".parse::<Priority>().is_err());
    }

    #[test]
    fn dedup_key_shape() {
        assert_eq!(
            dedup_key(AlertClass::Health, "readiness", None),
            "health:readiness"
        );
        assert_eq!(
            dedup_key(AlertClass::Tasks, "overdue", Some("abc")),
            "tasks:overdue:abc"
        );
        let a = Alert::new(
            AlertClass::Tasks,
            "overdue",
            Some("x"),
            Priority::High,
            "t",
            "m",
            Utc::now(),
        );
        assert_eq!(a.kind(), "overdue");
    }
}
