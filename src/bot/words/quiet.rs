//! The quiet-hours family: "quiet until 8", "quiet 23-7", "do not disturb for 2 hours", "quiet
//! off", "quiet hours?".

use super::*;

/// A verb before "quiet hours" / "dnd".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Switch {
    None,
    On,
    Off,
    /// "turn" / "switch" without on/off yet ("turn quiet hours off").
    Turn,
    Set,
    Show,
}

/// How the quiet command was named: "quiet (hours)" can stand alone as a question;
/// "do not disturb" / "be quiet" alone is a request without a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lead {
    Quiet,
    Dnd,
}

pub(super) fn switch_prefix<'a, 'b>(w: &'b [&'a str]) -> (Switch, &'b [&'a str]) {
    match w {
        ["turn" | "switch" | "put", "on", rest @ ..] => (Switch::On, rest),
        ["turn" | "switch", "off", rest @ ..] => (Switch::Off, rest),
        ["turn" | "switch", rest @ ..] => (Switch::Turn, rest),
        ["enable" | "activate", rest @ ..] => (Switch::On, rest),
        [
            "disable" | "deactivate" | "stop" | "end" | "cancel" | "exit" | "leave" | "clear",
            rest @ ..,
        ] => (Switch::Off, rest),
        ["set" | "change" | "make" | "update", rest @ ..] => (Switch::Set, rest),
        ["show" | "view" | "see" | "display" | "get", rest @ ..] => (Switch::Show, rest),
        _ => (Switch::None, w),
    }
}

pub(super) fn quiet_lead<'a, 'b>(w: &'b [&'a str]) -> Option<(Lead, &'b [&'a str])> {
    let (lead, rest) = match w {
        ["my", rest @ ..] => return quiet_lead(rest),
        [
            "quiet",
            "hours" | "hour" | "mode" | "time" | "period",
            rest @ ..,
        ] => (Lead::Quiet, rest),
        ["quiet", rest @ ..] => (Lead::Quiet, rest),
        ["dnd", "mode", rest @ ..] | ["dnd", rest @ ..] => (Lead::Dnd, rest),
        ["do", "not", "disturb", rest @ ..] | ["dont", "disturb", rest @ ..] => (Lead::Dnd, rest),
        ["be" | "go" | "stay" | "keep", "quiet", rest @ ..] | ["shut", "up", rest @ ..] => {
            (Lead::Dnd, rest)
        }
        _ => return None,
    };
    let rest = match rest {
        ["me" | "mode", rest @ ..] => rest,
        _ => rest,
    };
    Some((lead, rest))
}

/// Quiet-hours phrasings, and `Invalid`/`NotUnderstood` for a message that plainly starts
/// as one; `None` when the message is not about quiet hours.
pub(super) fn quiet_family<Tz: TimeZone>(w: &[&str], ctx: &Context<'_, Tz>) -> Option<Intent> {
    let (switch, after) = switch_prefix(w);
    let (lead, rest) = quiet_lead(after)?;
    let intent = match (switch, rest) {
        (Switch::None | Switch::Show, []) if lead == Lead::Quiet || switch == Switch::Show => {
            Intent::QuietShow
        }
        (Switch::None | Switch::Show, ["status" | "settings" | "info"]) => Intent::QuietShow,
        (Switch::On, [] | ["now"]) | (Switch::None | Switch::Turn | Switch::Set, ["on"]) => {
            Intent::QuietOn
        }
        (Switch::Off, [] | ["now"])
        | (Switch::None | Switch::Turn | Switch::Set, ["off" | "over"]) => Intent::QuietOff,
        (Switch::None | Switch::Set | Switch::On, _) => {
            match quiet_range(rest) {
                Some(Ok((start, end))) => {
                    return Some(Intent::QuietHours { start, end });
                }
                Some(Err(problem)) => return Some(invalid("quiet", problem)),
                _ => {}
            }
            let range_words = ["-", "to", "through", "thru", "from", "between"];
            match timespec(rest, 0, ctx) {
                Ok(Some((until, end))) if end == rest.len() => Intent::QuietUntil(until),
                // A range that did not parse ("22 to 7 on weekdays") is not a length.
                _ if rest.iter().any(|t| range_words.contains(t)) => not_understood("quiet"),
                Err(problem) => invalid("quiet", problem),
                _ => not_understood("quiet"),
            }
        }
        _ => not_understood("quiet"),
    };
    Some(intent)
}

/// Words that separate the two hours of a range.
pub(super) const RANGE_SEPARATORS: &[&str] =
    &["-", "to", "till", "until", "til", "and", "through", "thru"];

/// "22-7", "from 10pm to 7am", "between 23:00 and 06:00": `None` when `rest` is not shaped
/// as a range at all, `Some(Err)` for a range whose hours cannot be quiet hours.
pub(super) fn quiet_range(rest: &[&str]) -> Option<Result<(u8, u8), Problem>> {
    let glue = rest
        .iter()
        .take_while(|t| matches!(**t, "to" | "from" | "between" | "are" | "as" | "is" | "be"))
        .count();
    let rest = rest.get(glue..)?;
    let sep = rest
        .iter()
        .position(|t| RANGE_SEPARATORS.contains(t))
        .filter(|&p| p > 0)?;
    let (left, right) = (rest.get(..sep)?, rest.get(sep + 1..)?);
    let whole = |side: &[&str]| match clock_at(side, 0) {
        Ok(Some((c, n))) if n == side.len() => Some(Ok(c)),
        Ok(_) => None,
        Err(_) => Some(Err(Problem::BadHour)),
    };
    let (start, end) = (whole(left)?, whole(right)?);
    Some(range_hours(start, end))
}

pub(super) fn range_hours(
    start: Result<Clock, Problem>,
    end: Result<Clock, Problem>,
) -> Result<(u8, u8), Problem> {
    let (start, end) = (start?, end?);
    if start.minute != 0 || end.minute != 0 {
        return Err(Problem::WholeHours);
    }
    let (a, b) = (
        u8::try_from(start.hour).map_err(|_| Problem::BadHour)?,
        u8::try_from(end.hour).map_err(|_| Problem::BadHour)?,
    );
    if a > 23 || b > 23 {
        return Err(Problem::BadHour);
    }
    if a == b {
        return Err(Problem::SameHours);
    }
    let length = (u32::from(b) + 24 - u32::from(a)) % 24;
    if length > 12 && (start.bare || end.bare) {
        return Err(Problem::AmbiguousRange);
    }
    Ok((a, b))
}
