//! Lengths of time and where a time phrase starts: "for 2 hours", "90 minutes", "1h30m", "a
//! day", with their bounds (at least a minute, at most 30 days).

use super::*;

pub(super) const UNTIL: &[&str] = &["until", "till", "til", "untill", "untl", "unitl"];

/// A time expression at `w[i..]`: a length ("2h", "for an hour and a half", "for the next
/// hour") or a point ("until 3pm", "till tomorrow"). The instant it ends and the index after
/// it; `Ok(None)` when `w[i..]` does not start with one.
pub(super) fn timespec<Tz: TimeZone>(
    w: &[&str],
    i: usize,
    ctx: &Context<'_, Tz>,
) -> Result<Option<(DateTime<Utc>, usize)>, Problem> {
    let rest = w.get(i..).unwrap_or_default();
    match rest {
        [] => return Ok(None),
        ["forever" | "indefinitely" | "permanently", ..] => return Err(Problem::TooLong),
        ["for", "ever" | "good", ..] => return Err(Problem::TooLong),
        ["later" | "awhile", ..] | ["for", "now" | "awhile" | "later", ..] => {
            return Err(Problem::Vague);
        }
        [u, ..] if UNTIL.contains(u) => {
            return match point(w, i + 1, ctx)? {
                Some((t, end)) => Ok(Some((bounded(ctx, t)?, end))),
                None => Ok(None),
            };
        }
        ["for", "today" | "tonight" | "night" | "day", ..] => {
            return Ok(Some((bounded(ctx, wake(ctx)?)?, i + 2)));
        }
        ["for", "rest", "of", "day" | "today" | "night", ..] => {
            return Ok(Some((bounded(ctx, wake(ctx)?)?, i + 4)));
        }
        ["rest", "of", "day" | "today" | "night", ..] | ["overnight", ..] => {
            let skip = if rest.first() == Some(&"overnight") {
                1
            } else {
                3
            };
            return Ok(Some((bounded(ctx, wake(ctx)?)?, i + skip)));
        }
        _ => {}
    }
    let (j, next) = match rest {
        ["for", "next", ..] => (i + 2, true),
        ["next", ..] => (i + 1, true),
        ["for", ..] => (i + 1, false),
        _ => (i, false),
    };
    if next
        && let Some(Ok((secs, _))) = w.get(j).and_then(|t| unit(t))
        && w.get(j + 1).is_none_or(|t| *t != "and")
    {
        return Ok(Some((after(ctx, secs)?, j + 1)));
    }
    match duration(w, j)? {
        Some((secs, end)) => Ok(Some((after(ctx, secs)?, end))),
        None => Ok(None),
    }
}

/// `now` plus `secs`, within [`MIN_PERIOD`] and [`MAX_PERIOD`].
pub(super) fn after<Tz: TimeZone>(
    ctx: &Context<'_, Tz>,
    secs: i64,
) -> Result<DateTime<Utc>, Problem> {
    if secs < MIN_PERIOD.num_seconds() {
        return Err(Problem::TooShort);
    }
    if secs > MAX_PERIOD.num_seconds() {
        return Err(Problem::TooLong);
    }
    ctx.now
        .checked_add_signed(Duration::seconds(secs))
        .ok_or(Problem::TooLong)
}

/// `t` if it is at least [`MIN_PERIOD`] and at most [`MAX_PERIOD`] after `now`.
pub(super) fn bounded<Tz: TimeZone>(
    ctx: &Context<'_, Tz>,
    t: DateTime<Utc>,
) -> Result<DateTime<Utc>, Problem> {
    let length = t.signed_duration_since(ctx.now);
    if length < MIN_PERIOD {
        Err(Problem::TooShort)
    } else if length > MAX_PERIOD {
        Err(Problem::TooLong)
    } else {
        Ok(t)
    }
}

// Unit ranks: a length's parts go from larger units to smaller ("1h30m", not "30m1h").
pub(super) const RANK_MINUTE: u8 = 1;
pub(super) const RANK_HOUR: u8 = 2;

/// A unit word: its length in seconds and rank; `Err(TooLong)` for months and years.
pub(super) fn unit(t: &str) -> Option<Result<(i64, u8), Problem>> {
    Some(Ok(match t {
        "s" | "sec" | "secs" | "second" | "seconds" => (1, 0),
        "m" | "min" | "mins" | "minute" | "minutes" | "mn" => (60, RANK_MINUTE),
        "h" | "hr" | "hrs" | "hour" | "hours" => (3_600, RANK_HOUR),
        "d" | "day" | "days" => (86_400, 3),
        "w" | "wk" | "wks" | "week" | "weeks" => (604_800, 4),
        "mo" | "month" | "months" | "y" | "yr" | "yrs" | "year" | "years" => {
            return Some(Err(Problem::TooLong));
        }
        _ => return None,
    }))
}

/// A number written in digits ("90", "1.5"), in thousandths; `None` if `t` is not one,
/// `Err(TooLong)` when it is too big to be any allowed length.
pub(super) fn amount(t: &str) -> Option<Result<i64, Problem>> {
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 3 {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 7 {
        return Some(Err(Problem::TooLong));
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = format!("{frac:0<3}").parse().ok()?;
    Some(Ok(whole * 1000 + frac))
}

/// Number words for lengths and clock hours: "one" to "twenty", the tens, "forty five".
pub(super) fn number_words(w: &[&str], i: usize) -> Option<(i64, usize)> {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [(&str, i64); 8] = [
        ("twenty", 20),
        ("thirty", 30),
        ("forty", 40),
        ("fifty", 50),
        ("sixty", 60),
        ("seventy", 70),
        ("eighty", 80),
        ("ninety", 90),
    ];
    let t = *w.get(i)?;
    if let Some(n) = ONES.iter().position(|o| *o == t) {
        return Some((i64::try_from(n).ok()?, i + 1));
    }
    let tens = TENS.iter().find(|(word, _)| *word == t)?.1;
    match w.get(i + 1).and_then(|u| ONES.iter().position(|o| o == u)) {
        Some(n @ 1..=9) => Some((tens + i64::try_from(n).ok()?, i + 2)),
        _ => Some((tens, i + 1)),
    }
}

/// One part of a length and the index after it.
pub(super) struct Part {
    pub(super) secs: i64,
    /// The largest and smallest unit ranks in the part.
    pub(super) high: u8,
    pub(super) low: u8,
    pub(super) next: usize,
}

pub(super) const VAGUE: &[&str] = &[
    "few", "couple", "several", "some", "bit", "while", "moment", "little",
];

/// "2h", "1h30m", "90 minutes", "an hour", "half an hour", "an hour and a half",
/// "1 and a half hours", "quarter of an hour", "two days".
pub(super) fn part(w: &[&str], i: usize) -> Result<Option<Part>, Problem> {
    let Some(&t) = w.get(i) else {
        return Ok(None);
    };
    let next_is = |k: usize, set: &[&str]| w.get(k).is_some_and(|t| set.contains(t));
    if VAGUE.contains(&t) || (matches!(t, "a" | "an") && next_is(i + 1, VAGUE)) {
        return Err(Problem::Vague);
    }
    let whole = |secs: i64, rank: u8, next: usize| -> Result<Option<Part>, Problem> {
        Ok(Some(Part {
            secs,
            high: rank,
            low: rank,
            next,
        }))
    };
    if matches!(t, "a" | "an") && next_is(i + 1, &["half", "quarter"]) {
        return part(w, i + 1);
    }
    if t == "half" {
        let j = if next_is(i + 1, &["a", "an"]) {
            i + 2
        } else {
            i + 1
        };
        return match w.get(j).and_then(|u| unit(u)) {
            Some(u) => {
                let (secs, rank) = u?;
                whole(secs / 2, rank, j + 1)
            }
            None => Ok(None),
        };
    }
    if t == "quarter" {
        let mut j = i + 1;
        j += usize::from(next_is(j, &["of"]));
        j += usize::from(next_is(j, &["a", "an"]));
        return if next_is(j, &["hour"]) {
            whole(900, RANK_MINUTE, j + 1)
        } else {
            Ok(None)
        };
    }
    if let Some(found) = compact(t) {
        let (secs, high, low) = found?;
        return Ok(Some(Part {
            secs,
            high,
            low,
            next: i + 1,
        }));
    }
    let (n, j) = if let Some(n) = amount(t) {
        (n?, i + 1)
    } else if matches!(t, "a" | "an") {
        (1000, i + 1)
    } else if let Some((n, j)) = number_words(w, i) {
        (n * 1000, j)
    } else {
        return Ok(None);
    };
    let and_a_half = |k: usize| w.get(k..k + 3) == Some(&["and", "a", "half"][..]);
    let (n, j) = if and_a_half(j) && w.get(j + 3).is_some_and(|u| unit(u).is_some()) {
        (n + 500, j + 3)
    } else {
        (n, j)
    };
    match w.get(j).and_then(|u| unit(u)) {
        Some(u) => {
            let (unit_secs, rank) = u?;
            let mut secs = scale(n, unit_secs)?;
            let mut next = j + 1;
            if n % 1000 == 0 && and_a_half(next) {
                secs = secs.checked_add(unit_secs / 2).ok_or(Problem::TooLong)?;
                next += 3;
            }
            whole(secs, rank, next)
        }
        None if matches!(t, "a" | "an") => Ok(None),
        None => Err(Problem::NoUnit),
    }
}

/// `thousandths / 1000 * unit_secs`, rounded down to a second.
pub(super) fn scale(thousandths: i64, unit_secs: i64) -> Result<i64, Problem> {
    thousandths
        .checked_mul(unit_secs)
        .map(|v| v / 1000)
        .ok_or(Problem::TooLong)
}

/// "05" to "59": minutes written after hours without a unit ("1h30", "1 hour 45"). Two
/// digits only, so a stray digit ("2h!!1") is not read as minutes.
pub(super) fn two_digit_minutes(t: &str) -> bool {
    t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()) && t < "60" && t != "00"
}

/// One-word lengths: "2h", "90min", "1h30m", "1h30", "1.5h"; `(secs, high rank, low rank)`.
/// `None` unless `t` is digits followed by units (so "3pm" and "30" are not lengths).
pub(super) fn compact(t: &str) -> Option<Result<(i64, u8, u8), Problem>> {
    if !t.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut total: i64 = 0;
    let mut ranks: Option<(u8, u8)> = None;
    let mut rest = t;
    while !rest.is_empty() {
        let split = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(split);
        let split = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (word, tail) = tail.split_at(split);
        let n = match amount(number)? {
            Ok(n) => n,
            Err(e) => return Some(Err(e)),
        };
        let (unit_secs, rank) = if word.is_empty() {
            // "1h30": two digits of minutes after hours.
            if ranks.map(|r| r.1) != Some(RANK_HOUR) || !two_digit_minutes(number) {
                return None;
            }
            (60, RANK_MINUTE)
        } else {
            match unit(word)? {
                Ok(u) => u,
                Err(e) => return Some(Err(e)),
            }
        };
        if ranks.is_some_and(|(_, low)| rank >= low) {
            return None;
        }
        ranks = Some((ranks.map_or(rank, |r| r.0), rank));
        let secs = match scale(n, unit_secs) {
            Ok(s) => s,
            Err(e) => return Some(Err(e)),
        };
        total = match total.checked_add(secs) {
            Some(t) => t,
            None => return Some(Err(Problem::TooLong)),
        };
        rest = tail;
    }
    let (high, low) = ranks?;
    Some(Ok((total, high, low)))
}

/// A length made of parts, larger units first, optionally joined by "and": "1 hour and 30
/// minutes", "2h 15m", "1 hour 30". `(secs, index after it)`; `Ok(None)` if none starts at
/// `i`. Only the first part's problems are reported; a later part that does not parse ends
/// the length (and the words left over make the message not understood).
pub(super) fn duration(w: &[&str], i: usize) -> Result<Option<(i64, usize)>, Problem> {
    let Some(first) = part(w, i)? else {
        return Ok(None);
    };
    let mut total = first.secs;
    let mut low = first.low;
    let mut j = first.next;
    loop {
        // "1 hour 30": two digits of minutes after hours.
        if low == RANK_HOUR
            && let Some(&t) = w.get(j)
            && two_digit_minutes(t)
            && w.get(j + 1).is_none_or(|u| unit(u).is_none())
            && let Some(Ok(n)) = amount(t)
        {
            total = total.checked_add(n / 1000 * 60).ok_or(Problem::TooLong)?;
            j += 1;
            break;
        }
        let k = if w.get(j) == Some(&"and") { j + 1 } else { j };
        match part(w, k) {
            Ok(Some(p)) if p.high < low => {
                total = total.checked_add(p.secs).ok_or(Problem::TooLong)?;
                low = p.low;
                j = p.next;
            }
            _ => break,
        }
    }
    Ok(Some((total, j)))
}
