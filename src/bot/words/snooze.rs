//! The snooze family: "snooze 2h", "snooze health until 3pm", "mute tasks till tomorrow",
//! "unsnooze", "what's snoozed".

use super::*;

pub(super) const SNOOZE_VERBS: &[&str] = &["snooze", "mute", "silence", "pause", "hush"];
pub(super) const SNOOZE_NOUNS: &[&str] = &[
    "snooze",
    "snoozes",
    "snoozing",
    "mute",
    "muting",
    "silence",
    "silencing",
    "pause",
    "pausing",
];
pub(super) const UNSNOOZE: &[&str] = &["unsnooze", "unmute", "unpause", "unsilence"];
pub(super) const END_VERBS: &[&str] = &[
    "stop", "end", "cancel", "clear", "remove", "delete", "lift", "drop",
];
/// Words that name alerts in general ("stop health alerts until 3pm").
pub(super) const ALERT_NOUNS: &[&str] = &[
    "alerts",
    "alert",
    "notifications",
    "notification",
    "notifs",
    "pings",
    "messages",
    "reminders",
    "nudges",
];
/// Words allowed around a snooze's scope that do not change it.
pub(super) const SCOPE_NOISE: &[&str] = &[
    "all",
    "everything",
    "every",
    "stuff",
    "things",
    "them",
    "it",
    "me",
    "my",
    "of",
    "and",
    "class",
];

/// Snooze phrasings, and `Invalid`/`NotUnderstood` for a message that plainly starts as
/// one; `None` when the message is not about snoozing.
pub(super) fn snooze_family<Tz: TimeZone>(w: &[&str], ctx: &Context<'_, Tz>) -> Option<Intent> {
    let (&first, rest) = w.split_first()?;
    if UNSNOOZE.contains(&first) {
        return Some(snooze_off(rest.iter().copied()));
    }
    if let ["turn" | "switch", "off", rest @ ..] = w {
        if let Some(pos) = rest.iter().position(|t| SNOOZE_NOUNS.contains(t)) {
            return Some(snooze_off(without(rest, pos)));
        }
        if rest.iter().any(|t| ALERT_NOUNS.contains(t)) {
            return Some(snooze_set(rest, ctx));
        }
        return None;
    }
    if let ["turn" | "switch", middle @ .., "off"] = w
        && let Some(pos) = middle.iter().position(|t| SNOOZE_NOUNS.contains(t))
    {
        return Some(snooze_off(without(middle, pos)));
    }
    if END_VERBS.contains(&first)
        && let Some(pos) = rest.iter().position(|t| SNOOZE_NOUNS.contains(t))
    {
        return Some(snooze_off(without(rest, pos)));
    }
    // "stop health alerts until 3pm", "hold alerts for 2h", "no alerts till tomorrow".
    if (END_VERBS.contains(&first) || matches!(first, "hold" | "no" | "block"))
        && rest.iter().any(|t| ALERT_NOUNS.contains(t))
    {
        return Some(snooze_set(rest, ctx));
    }
    if first == "resume"
        && !rest.is_empty()
        && rest
            .iter()
            .all(|t| ALERT_NOUNS.contains(t) || SCOPE_NOISE.contains(t))
    {
        return Some(Intent::SnoozeOff);
    }
    if SNOOZE_VERBS.contains(&first) {
        return Some(match rest {
            ["list" | "status" | "active" | "current" | "settings"] => Intent::SnoozeList,
            [middle @ .., "off"] => snooze_off(middle.iter().copied()),
            _ => snooze_set(rest, ctx),
        });
    }
    None
}

/// The words of `w` but the one at `skip`.
pub(super) fn without<'a>(w: &[&'a str], skip: usize) -> impl Iterator<Item = &'a str> {
    w.iter()
        .enumerate()
        .filter(move |(i, _)| *i != skip)
        .map(|(_, t)| *t)
}

/// "snooze off" and its kin, given the words besides the verb and noun: clears every
/// snooze, so naming a class is refused rather than widened.
pub(super) fn snooze_off<'a>(rest: impl Iterator<Item = &'a str>) -> Intent {
    let mut class = false;
    for t in rest {
        if class_word(t).is_some() {
            class = true;
        } else if !(SCOPE_NOISE.contains(&t)
            || ALERT_NOUNS.contains(&t)
            || SNOOZE_NOUNS.contains(&t)
            || matches!(t, "now" | "for" | "snoozes"))
        {
            return not_understood("snooze");
        }
    }
    if class {
        invalid("snooze", Problem::OffClearsAll)
    } else {
        Intent::SnoozeOff
    }
}

pub(super) fn class_word(t: &str) -> Option<Class> {
    match t {
        "health" => Some(Class::Health),
        "tasks" | "task" | "todo" | "todos" | "commitments" | "commitment" => Some(Class::Tasks),
        "patterns" | "pattern" => Some(Class::Patterns),
        "services" | "service" => Some(Class::Services),
        _ => None,
    }
}

/// The scope words of a snooze, wherever they stand around its time.
#[derive(Default)]
pub(super) struct ScopeWords {
    class: Option<Class>,
    conflict: bool,
}

impl ScopeWords {
    /// Takes `t` if it is a scope word or noise around one.
    fn absorb(&mut self, t: &str) -> bool {
        if let Some(c) = class_word(t) {
            self.conflict |= self.class.is_some_and(|k| k != c);
            self.class = Some(c);
            return true;
        }
        SCOPE_NOISE.contains(&t) || ALERT_NOUNS.contains(&t)
    }

    fn scope(&self) -> Scope {
        self.class.map_or(Scope::All, Scope::Class)
    }
}

/// A snooze's arguments: scope words, one time expression, scope words.
pub(super) fn snooze_set<Tz: TimeZone>(rest: &[&str], ctx: &Context<'_, Tz>) -> Intent {
    let mut scope = ScopeWords::default();
    let start = rest.iter().take_while(|t| scope.absorb(t)).count();
    let (until, end) = match timespec(rest, start, ctx) {
        // "1-2 hours": a range of lengths, not a length without a unit.
        Err(Problem::NoUnit) if rest.contains(&"-") => return not_understood("snooze"),
        Err(problem) => return invalid("snooze", problem),
        Ok(None) => return not_understood("snooze"),
        Ok(Some(found)) => found,
    };
    // After the time, "for" may introduce the scope ("until 3pm for health alerts").
    let tail = rest.get(end..).unwrap_or_default();
    if !tail.iter().all(|t| *t == "for" || scope.absorb(t)) {
        return not_understood("snooze");
    }
    if scope.conflict {
        return invalid("snooze", Problem::OneClass);
    }
    Intent::Snooze {
        scope: scope.scope(),
        until,
    }
}
