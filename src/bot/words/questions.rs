//! Questions: "how did I sleep", "what's overdue", "anything new?". Matched loosely (keywords,
//! one-letter typos): answering changes nothing.
//!
//! Why this file is long: the word lists are the vocabulary each question accepts; the
//! matcher is short.

use super::*;

pub(super) const HELP_WORDS: &[&str] = &[
    "help",
    "commands",
    "command",
    "menu",
    "usage",
    "instructions",
    "manual",
];
pub(super) const SNOOZE_KEYS: &[&str] = &[
    "snooze", "snoozes", "snoozed", "snoozing", "unsnooze", "mute", "muted", "muting", "unmute",
    "silence", "silenced", "pause", "paused", "hush",
];
pub(super) const SNOOZE_LIST_KEYS: &[&str] = &["snoozes", "snoozed", "muted", "silenced", "paused"];
pub(super) const QUIET_KEYS: &[&str] = &["quiet", "dnd", "disturb"];
pub(super) const OVERDUE_WORDS: &[&str] =
    &["overdue", "late", "behind", "missed", "pastdue", "slipped"];
pub(super) const READINESS_WORDS: &[&str] = &[
    "readiness",
    "sleep",
    "slept",
    "sleeping",
    "hrv",
    "recovery",
    "recovered",
    "rested",
    "oura",
    "rhr",
    "health",
    "energy",
    "tired",
];
pub(super) const WEEK_WORDS: &[&str] = &["week", "weekly", "weeks"];
pub(super) const REVIEW_WORDS: &[&str] = &[
    "review",
    "useful",
    "usefulness",
    "helpful",
    "feedback",
    "stats",
    "statistics",
    "noisy",
];
pub(super) const BRIEF_WORDS: &[&str] = &[
    "brief",
    "briefing",
    "summary",
    "digest",
    "rundown",
    "overview",
    "agenda",
    "summarize",
    "summarise",
    "recap",
];
pub(super) const STATUS_WORDS: &[&str] =
    &["status", "alive", "running", "uptime", "ping", "system"];
pub(super) const CHECK_WORDS: &[&str] = &[
    "check", "new", "news", "updates", "update", "refresh", "rerun", "scan", "changed",
];
pub(super) const TASK_WORDS: &[&str] = &[
    "tasks",
    "task",
    "todo",
    "todos",
    "commitments",
    "commitment",
    "deadlines",
    "deadline",
];
pub(super) const TODAY_WORDS: &[&str] = &["today", "todays", "morning", "day"];
pub(super) const OTHER_DAYS: &[&str] = &[
    "tomorrow",
    "tmrw",
    "yesterday",
    "week",
    "weekend",
    "next",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
/// Words that carry no meaning of their own in a question.
pub(super) const GLUE: &[&str] = &[
    "what",
    "whats",
    "how",
    "hows",
    "is",
    "isnt",
    "are",
    "arent",
    "am",
    "was",
    "were",
    "did",
    "didnt",
    "do",
    "does",
    "doing",
    "done",
    "i",
    "im",
    "ive",
    "my",
    "me",
    "you",
    "your",
    "u",
    "a",
    "an",
    "any",
    "anything",
    "there",
    "theres",
    "it",
    "its",
    "on",
    "of",
    "for",
    "to",
    "in",
    "this",
    "that",
    "last",
    "night",
    "now",
    "show",
    "tell",
    "give",
    "get",
    "got",
    "let",
    "know",
    "see",
    "look",
    "looking",
    "looks",
    "like",
    "go",
    "going",
    "all",
    "have",
    "has",
    "had",
    "can",
    "could",
    "would",
    "will",
    "about",
    "with",
    "so",
    "far",
    "and",
    "or",
    "at",
    "from",
    "yet",
    "right",
    "still",
    "here",
    "again",
    "lately",
    "recently",
    "good",
    "well",
    "much",
    "many",
    "more",
    "everything",
    "things",
    "thing",
    "up",
    "ok",
    "okay",
    "should",
    "quick",
    "run",
    "latest",
    "current",
    "currently",
    "when",
    "which",
    "why",
    "where",
    "been",
    "we",
    "feel",
    "feeling",
    "alerts",
    "alert",
    "were",
    "list",
    "active",
    "hours",
    "on",
    "off",
    "working",
    "awake",
    "sup",
    "be",
    "say",
    "ask",
    "use",
    "work",
    "end",
    "ends",
    "start",
    "starts",
    "begin",
    "begins",
    "set",
    "long",
    "count",
    "sent",
];

/// Every word the question matcher knows.
pub(super) const QUESTION_SETS: &[&[&str]] = &[
    HELP_WORDS,
    SNOOZE_KEYS,
    QUIET_KEYS,
    OVERDUE_WORDS,
    READINESS_WORDS,
    WEEK_WORDS,
    REVIEW_WORDS,
    BRIEF_WORDS,
    STATUS_WORDS,
    CHECK_WORDS,
    TASK_WORDS,
    TODAY_WORDS,
    OTHER_DAYS,
    GLUE,
    &["due"],
];

/// Keywords a misspelt word may be read as (one edit; two for long words).
pub(super) const FUZZY_TARGETS: &[&str] = &[
    "readiness",
    "overdue",
    "status",
    "brief",
    "briefing",
    "summary",
    "review",
    "weekly",
    "refresh",
    "recovery",
    "updates",
    "commands",
    "sleep",
    "anything",
];

/// Unknown words a question may carry when a keyword names it plainly.
pub(super) const MAX_UNKNOWN: usize = 3;

/// Unfamiliar words looked up by edit distance in one message (bounds the work; a message
/// with more misspellings than this is not a question).
pub(super) const MAX_FUZZY: usize = 6;

/// A question, or `SnoozeList` / `QuietShow`; `NotUnderstood` for snooze or quiet words
/// that are not a question; `None` when nothing matches.
pub(super) fn question(words: &[&str]) -> Option<Intent> {
    let (mut unknown, mut unfamiliar, mut misspelt_state) = (0, 0, false);
    let w: Vec<&str> = words
        .iter()
        .map(|&t| {
            if QUESTION_SETS.iter().any(|set| set.contains(&t)) {
                return t;
            }
            unfamiliar += 1;
            if unfamiliar <= MAX_FUZZY {
                misspelt_state |= misspelt_state_word(t);
                if let Some(fixed) = fuzzy(t) {
                    return fixed;
                }
            }
            unknown += 1;
            t
        })
        .collect();
    let has = |k: &str| w.contains(&k);
    let any = |set: &[&str]| w.iter().any(|t| set.contains(t));
    let ask = |q| Some(Intent::Ask(q));

    if any(HELP_WORDS)
        || has("how") && (has("to") || (has("do") || has("can")) && has("i"))
        || has("what") && has("can") && (has("you") || has("i"))
        || has("what") && has("do") && has("you")
        || has("how") && has("work")
    {
        return ask(Question::Help);
    }
    let snoozy = any(SNOOZE_KEYS);
    let timed = w
        .iter()
        .enumerate()
        .any(|(i, t)| timeish(t) || *t == "for" && i + 1 < w.len());
    if snoozy || any(QUIET_KEYS) {
        let family = if snoozy { "snooze" } else { "quiet" };
        if unknown > 0 || timed {
            return Some(not_understood(family));
        }
        if snoozy && any(SNOOZE_LIST_KEYS)
            || has("snooze") && any(&["list", "active", "any", "what", "whats", "which"])
        {
            return Some(Intent::SnoozeList);
        }
        if !snoozy {
            return Some(Intent::QuietShow);
        }
        return Some(not_understood(family));
    }
    // A misspelt snooze or quiet word ("snooz health 1h") is a failed request, not a
    // question: leave it to `closest`.
    // Nor is a question with a length or a time in it ("sleep 2h").
    let clocked = w
        .iter()
        .any(|t| UNTIL.contains(t) || t.starts_with(|c: char| c.is_ascii_digit()));
    if unknown > MAX_UNKNOWN || clocked || misspelt_state {
        return None;
    }
    if any(OVERDUE_WORDS) || has("past") && has("due") {
        return ask(Question::Overdue);
    }
    if has("due") {
        return if any(OTHER_DAYS) {
            None
        } else {
            ask(Question::DueToday)
        };
    }
    if any(READINESS_WORDS) || has("how") && has("am") && has("i") {
        return ask(Question::Readiness);
    }
    if any(WEEK_WORDS) {
        return ask(Question::Week);
    }
    if any(REVIEW_WORDS) {
        return ask(Question::Review);
    }
    if any(BRIEF_WORDS) {
        return ask(Question::Brief);
    }
    if any(STATUS_WORDS) || any(&["alerts", "alert"]) && any(&["many", "count", "sent"]) {
        return ask(Question::Status);
    }
    if any(CHECK_WORDS) {
        return ask(Question::Check);
    }
    // Weaker signals: only in a message made entirely of known words.
    if unknown > 0 {
        return None;
    }
    let greeting = has("you")
        && (any(&[
            "there", "ok", "okay", "up", "working", "alive", "awake", "doing",
        ]) || has("how") && has("are"))
        || has("up") && (has("whats") || has("what"))
        || has("sup")
        || any(&["everything", "things"]) && any(&["how", "hows", "ok", "okay", "going"]);
    if greeting {
        return ask(Question::Status);
    }
    if any(TASK_WORDS) {
        return ask(Question::DueToday);
    }
    if any(TODAY_WORDS) {
        return ask(Question::Brief);
    }
    None
}

/// Words that belong to a time expression: their presence makes snooze or quiet words a
/// request, not a question ("for" counts when something follows it).
pub(super) fn timeish(t: &str) -> bool {
    UNTIL.contains(&t)
        || matches!(t, "tomorrow" | "tonight" | "noon" | "midnight" | "-")
        || t.starts_with(|c: char| c.is_ascii_digit())
        || weekday(t).is_some()
        || number_words(&[t], 0).is_some()
}

/// Whether the unknown word `t` is one edit from a snooze or quiet word.
pub(super) fn misspelt_state_word(t: &str) -> bool {
    let len = t.chars().count();
    (4..=16).contains(&len)
        && SNOOZE_KEYS
            .iter()
            .chain(QUIET_KEYS)
            .filter(|k| k.len() >= 4)
            .any(|k| near(t, len, k, 1))
}

/// Whether `t` (of `len` characters) is within `allowed` edits of the ASCII keyword `k`.
/// Lengths are compared first, so most pairs cost nothing.
pub(super) fn near(t: &str, len: usize, k: &str, allowed: usize) -> bool {
    len.abs_diff(k.len()) <= allowed && strsim::osa_distance(t, k) <= allowed
}

/// The keyword `t` misspells, if it is a near miss of exactly one.
pub(super) fn fuzzy(t: &str) -> Option<&'static str> {
    let len = t.chars().count();
    if !(5..=16).contains(&len) {
        return None;
    }
    let allowed = if len >= 8 { 2 } else { 1 };
    let mut close = FUZZY_TARGETS.iter().filter(|k| near(t, len, k, allowed));
    match (close.next(), close.next()) {
        (Some(k), None) => Some(*k),
        _ => None,
    }
}
