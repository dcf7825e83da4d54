//! Plain-English chat messages understood as what the bot should do: "snooze health till
//! 3pm", "quiet 23-7", "don't disturb me till tomorrow", "how did I sleep".
//!
//! Owns the words: normalising a message (case, punctuation, apostrophes, extra spaces,
//! politeness), the small grammar of snoozes, quiet hours and questions, and the wall-clock
//! arithmetic that turns "until 8", "tomorrow" or "fri 17:00" into
//! an instant in the user's zone, DST-correct like `pipeline::quiet` (an ambiguous local
//! time is its earlier instant, a local time inside a DST gap is the first instant after it).
//! Pure and deterministic: `now`, the zone and the chat's quiet hours come in through
//! [`Context`]; nothing here reads the clock, the store or the network.
//!
//! The example phrasings `/help` shows are the `Say:` lines of `commands/*.md` (the command
//! registry); a test holds them to what this module understands.
//!
//! Does not own: slash commands and their arguments (`bot::args`), carrying an intent out
//! (storing snoozes or quiet hours, running a check) or the wording of replies beyond the
//! one-line reasons of [`Problem`].
//!
//! Never a guess that changes state: a message that is not plainly a snooze or a quiet-hours
//! change comes back as [`Intent::NotUnderstood`] or [`Intent::Invalid`]. Questions change
//! nothing and are matched more loosely (keywords, one-letter typos).
//!
//! Bounded work: a message longer than [`MAX_CHARS`] characters or [`MAX_WORDS`] words is
//! not a command; every pass over the words is linear, with no backtracking.

use std::fmt;

use chrono::{
    DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike, Utc, Weekday,
};

mod clock;
mod closest;
mod lengths;
mod normalize;
mod questions;
mod quiet;
mod snooze;
#[cfg(test)]
mod tests;

use clock::*;
use closest::*;
use lengths::*;
use normalize::*;
use questions::*;
use quiet::*;
use snooze::*;

/// The shortest snooze or one-off quiet period.
pub const MIN_PERIOD: Duration = Duration::minutes(1);

/// The longest snooze or one-off quiet period.
pub const MAX_PERIOD: Duration = Duration::days(30);

/// Characters read from a message; a longer one is not a command ([`Intent::NotUnderstood`]).
pub const MAX_CHARS: usize = 280;

/// Words in a normalised message beyond which it is not a command.
pub const MAX_WORDS: usize = 32;

/// The bot's commands, in `/help` order: every [`Intent::command`] is one of these.
pub const COMMANDS: [&str; 10] = [
    "status",
    "readiness",
    "overdue",
    "snooze",
    "quiet",
    "check",
    "brief",
    "week",
    "review",
    "help",
];

/// A chat's quiet hours when they are enabled: local hours 0-23; `start > end` wraps
/// midnight (22-7). `start == end` counts as no quiet hours, as in `pipeline::quiet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: u8,
    pub end: u8,
}

/// What a message is read against: the instant it arrived, the user's zone and the chat's
/// quiet hours (`None` when disabled), which fix "tomorrow" and "tonight".
pub struct Context<'a, Tz: TimeZone> {
    pub now: DateTime<Utc>,
    pub tz: &'a Tz,
    pub quiet: Option<QuietHours>,
}

/// An alert class that can be snoozed on its own (system alerts cannot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Health,
    Tasks,
    Patterns,
    Services,
}

impl Class {
    /// The class's name as `AlertClass` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Health => "health",
            Class::Tasks => "tasks",
            Class::Patterns => "patterns",
            Class::Services => "services",
        }
    }
}

/// What a snooze holds: every non-critical alert, or one class's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    All,
    Class(Class),
}

/// A question: answering it changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Question {
    /// "status", "how are you", "are you running".
    Status,
    /// "how did I sleep", "readiness?", "hrv", "how am I".
    Readiness,
    /// "what's overdue", "anything late?".
    Overdue,
    /// "what's due today" (answered by `/overdue`, which lists due-today too).
    DueToday,
    /// "brief", "morning brief", "good morning".
    Brief,
    /// "week", "how was my week".
    Week,
    /// "anything new?", "check now".
    Check,
    /// "review", "how useful were the alerts".
    Review,
    /// "help", "what can you do", "how do I snooze".
    Help,
}

impl Question {
    /// The command that answers this question.
    pub fn command(self) -> &'static str {
        match self {
            Question::Status => "status",
            Question::Readiness => "readiness",
            Question::Overdue | Question::DueToday => "overdue",
            Question::Brief => "brief",
            Question::Week => "week",
            Question::Check => "check",
            Question::Review => "review",
            Question::Help => "help",
        }
    }
}

/// Why a message that names a command cannot be carried out; its `Display` is a short
/// reason for the reply ("it can last at most 30 days").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Problem {
    /// Shorter than [`MIN_PERIOD`] ("snooze 0m", "until" a time less than a minute away).
    TooShort,
    /// Longer than [`MAX_PERIOD`] ("snooze 45d", "for a month", "forever").
    TooLong,
    /// A number without a unit ("snooze 30").
    NoUnit,
    /// No exact length ("a few hours", "a while", "later", "until today").
    Vague,
    /// An hour that could be morning or evening on a named day ("until friday 5").
    AmbiguousHour,
    /// A day that could be read two ways ("next monday", "midnight tomorrow").
    AmbiguousDay,
    /// A time of today that has passed ("until 9am today" at 10:00).
    InPast,
    /// Not a time of day ("until 25:00", "until 13pm").
    BadTime,
    /// A quiet-hours bound outside 0-23.
    BadHour,
    /// Quiet hours start and end on the hour ("quiet 22:30-7").
    WholeHours,
    /// Quiet hours whose start and end are the same hour.
    SameHours,
    /// A quiet-hours range that reads as more than 12 hours only because an hour could be
    /// am or pm ("quiet 10-7": 10:00-07:00 is 21 hours; 22-7 was probably meant).
    AmbiguousRange,
    /// More than one class named ("snooze health and tasks 2h").
    OneClass,
    /// A class named for "snooze off", which clears every snooze.
    OffClearsAll,
    /// "tonight" while the night (quiet hours, or after 22:00) has already begun.
    NightStarted,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Problem::TooShort => "it has to last at least a minute",
            Problem::TooLong => "it can last at most 30 days",
            Problem::NoUnit => "a number needs a unit: m, h or d (like 30m or 2h)",
            Problem::Vague => "say exactly how long, or until when",
            Problem::AmbiguousHour => "say am or pm, or use a 24-hour time like 17:00",
            Problem::AmbiguousDay => "that day could be read two ways; name the weekday alone",
            Problem::InPast => "that time has already passed today",
            Problem::BadTime => "that is not a time of day",
            Problem::BadHour => "hours run from 0 to 23",
            Problem::WholeHours => "quiet hours start and end on the hour",
            Problem::SameHours => "start and end must differ (\"quiet off\" turns them off)",
            Problem::AmbiguousRange => {
                "that reads as more than 12 quiet hours: use 24-hour times or am/pm"
            }
            Problem::OneClass => {
                "snooze one class (health, tasks, patterns or services) or everything"
            }
            Problem::OffClearsAll => "snooze off clears every snooze, not one class",
            Problem::NightStarted => "the night has already begun; say a time instead",
        })
    }
}

/// What a message asks the bot to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intent {
    /// Hold non-critical alerts of `scope` until `until`.
    Snooze { scope: Scope, until: DateTime<Utc> },
    /// Clear every snooze ("unsnooze", "snooze off", "stop snoozing", "unmute").
    SnoozeOff,
    /// List the active snoozes ("what's snoozed", "snoozes").
    SnoozeList,
    /// A one-off quiet period from now until then ("quiet until 8", "dnd for 2 hours").
    QuietUntil(DateTime<Utc>),
    /// Set the daily quiet hours ("quiet 23-7", "quiet hours 22 to 6").
    QuietHours { start: u8, end: u8 },
    /// Turn the daily quiet hours on.
    QuietOn,
    /// Turn the daily quiet hours off; also ends a one-off quiet period.
    QuietOff,
    /// Show the quiet hours ("quiet hours?", "is dnd on").
    QuietShow,
    /// A question; answering it changes nothing.
    Ask(Question),
    /// Plainly meant for `command`, but it cannot be done as said: `problem` says why and
    /// `example` shows a phrasing that works.
    Invalid {
        command: &'static str,
        problem: Problem,
        example: &'static str,
    },
    /// Not understood: `closest` is the command it most resembles, `example` one of its
    /// phrasings ("Did you mean: snooze 2h?").
    NotUnderstood {
        closest: &'static str,
        example: &'static str,
    },
}

impl Intent {
    /// The command this intent belongs to (for `Invalid` and `NotUnderstood`, the one named
    /// or the closest); always one of [`COMMANDS`].
    pub fn command(&self) -> &'static str {
        match self {
            Intent::Snooze { .. } | Intent::SnoozeOff | Intent::SnoozeList => "snooze",
            Intent::QuietUntil(_)
            | Intent::QuietHours { .. }
            | Intent::QuietOn
            | Intent::QuietOff
            | Intent::QuietShow => "quiet",
            Intent::Ask(q) => q.command(),
            Intent::Invalid { command, .. } => command,
            Intent::NotUnderstood { closest, .. } => closest,
        }
    }

    /// Whether carrying the intent out changes the chat's state (snoozes or quiet hours).
    pub fn changes_state(&self) -> bool {
        matches!(
            self,
            Intent::Snooze { .. }
                | Intent::SnoozeOff
                | Intent::QuietUntil(_)
                | Intent::QuietHours { .. }
                | Intent::QuietOn
                | Intent::QuietOff
        )
    }
}

/// What `text` asks for, read at `ctx.now` in `ctx.tz` with the chat's quiet hours.
///
/// Case, punctuation, apostrophes, extra spaces and polite words ("please", "can you",
/// "for me", "hey") do not matter. Never panics; linear in the (capped) message length.
pub fn understand<Tz: TimeZone>(text: &str, ctx: &Context<'_, Tz>) -> Intent {
    let (normal, cut) = normalize(text);
    let tokens: Vec<&str> = normal.split_whitespace().collect();
    if cut || tokens.len() > MAX_WORDS {
        return not_understood(closest(&tokens));
    }
    let words = strip_politeness(&tokens);
    if words.is_empty() {
        return not_understood(closest(&tokens));
    }
    if let Some(intent) = snooze_family(&words, ctx) {
        return intent;
    }
    if let Some(intent) = quiet_family(&words, ctx) {
        return intent;
    }
    if let Some(intent) = question(&words) {
        return intent;
    }
    not_understood(closest(&words))
}

/// The example phrasings of `command` (one of [`COMMANDS`]), from the `Say:` line of its
/// help file in the command registry; empty for any other name.
pub fn examples(command: &str) -> Vec<&'static str> {
    super::commands::find(command)
        .map(|c| c.phrasings().collect())
        .unwrap_or_default()
}
