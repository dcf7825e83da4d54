//! What is said when a message is not understood: the command it most resembles and one of its
//! phrasings.

use super::*;

/// Words that point at a command, for [`closest`].
pub(super) const KEYWORDS: &[(&str, &str)] = &[
    ("snooze", "snooze"),
    ("snoozes", "snooze"),
    ("snoozed", "snooze"),
    ("snoozing", "snooze"),
    ("unsnooze", "snooze"),
    ("mute", "snooze"),
    ("unmute", "snooze"),
    ("silence", "snooze"),
    ("pause", "snooze"),
    ("hush", "snooze"),
    ("until", "snooze"),
    ("till", "snooze"),
    ("later", "snooze"),
    ("quiet", "quiet"),
    ("dnd", "quiet"),
    ("disturb", "quiet"),
    ("status", "status"),
    ("alive", "status"),
    ("running", "status"),
    ("readiness", "readiness"),
    ("sleep", "readiness"),
    ("slept", "readiness"),
    ("hrv", "readiness"),
    ("recovery", "readiness"),
    ("oura", "readiness"),
    ("overdue", "overdue"),
    ("due", "overdue"),
    ("late", "overdue"),
    ("tasks", "overdue"),
    ("check", "check"),
    ("new", "check"),
    ("news", "check"),
    ("refresh", "check"),
    ("brief", "brief"),
    ("briefing", "brief"),
    ("summary", "brief"),
    ("morning", "brief"),
    ("week", "week"),
    ("weekly", "week"),
    ("review", "review"),
    ("useful", "review"),
    ("feedback", "review"),
    ("help", "help"),
    ("commands", "help"),
];

/// Words looked at when guessing the closest command by shared keywords.
pub(super) const CLOSEST_WORDS: usize = 16;

/// Distinct words looked at when guessing it by edit distance.
pub(super) const NEAREST_WORDS: usize = 8;

/// The command `words` most resemble: most keywords shared, then the nearest keyword by
/// edit distance; "help" when nothing is near.
pub(super) fn closest(words: &[&str]) -> &'static str {
    let words = words
        .get(..CLOSEST_WORDS.min(words.len()))
        .unwrap_or_default();
    let mut best: Option<(usize, usize, &'static str)> = None; // (count, -first, command)
    for &command in &COMMANDS {
        let hits: Vec<usize> = words
            .iter()
            .enumerate()
            .filter(|(_, t)| KEYWORDS.iter().any(|&(k, c)| k == **t && c == command))
            .map(|(i, _)| i)
            .collect();
        if let Some(&first) = hits.first() {
            let better = best.is_none_or(|(count, at, _)| {
                hits.len() > count || hits.len() == count && first < at
            });
            if better {
                best = Some((hits.len(), first, command));
            }
        }
    }
    if let Some((_, _, command)) = best {
        return command;
    }
    let mut nearest: Option<(usize, &'static str)> = None;
    let mut seen: Vec<&str> = Vec::with_capacity(NEAREST_WORDS);
    for &t in words {
        if seen.contains(&t) {
            continue;
        }
        if seen.len() == NEAREST_WORDS {
            break;
        }
        seen.push(t);
        let len = t.chars().count();
        if !(4..=16).contains(&len) {
            continue;
        }
        for (k, command) in KEYWORDS.iter().filter(|(k, _)| k.len() >= 4) {
            let allowed = if k.len() >= 7 { 2 } else { 1 };
            if !near(t, len, k, allowed) {
                continue;
            }
            let d = strsim::osa_distance(t, k);
            if nearest.is_none_or(|(best, _)| d < best) {
                nearest = Some((d, *command));
            }
        }
    }
    nearest.map_or("help", |(_, command)| command)
}

pub(super) fn not_understood(command: &'static str) -> Intent {
    Intent::NotUnderstood {
        closest: command,
        example: examples(command).first().copied().unwrap_or("help"),
    }
}

pub(super) fn invalid(command: &'static str, problem: Problem) -> Intent {
    let example = match (command, problem) {
        ("snooze", Problem::AmbiguousHour | Problem::AmbiguousDay) => "snooze until monday 9am",
        ("quiet", Problem::AmbiguousHour | Problem::AmbiguousDay) => "quiet until tomorrow 8am",
        (_, Problem::OneClass) => "snooze health 2h",
        (
            _,
            Problem::BadHour | Problem::WholeHours | Problem::SameHours | Problem::AmbiguousRange,
        ) => "quiet 22-7",
        _ => examples(command).first().copied().unwrap_or("help"),
    };
    Intent::Invalid {
        command,
        problem,
        example,
    }
}
