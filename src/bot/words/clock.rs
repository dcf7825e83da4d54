//! Instants named by words, in the user's zone and DST-correct: "until 3pm", "till tomorrow"
//! (the end of quiet hours, else 9:00), "tonight" (their start), "until fri 17:00". An
//! ambiguous local time is its earlier instant; one inside a DST gap, the first instant after
//! it.
//!
//! Why this file is long: reading a time of day ("3", "3pm", "15:00", "noon", "three thirty")
//! and resolving it against quiet hours, weekdays and DST are one piece of arithmetic; split,
//! each half would need the other's cases to be read.

use super::*;

/// A day named in a point in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Day {
    Today,
    Tonight,
    Tomorrow {
        morning: bool,
    },
    /// "the morning": the next wake-up, like "tomorrow".
    Morning,
    Weekday {
        day: Weekday,
        morning: bool,
    },
}

pub(super) const TOMORROW: &[&str] = &[
    "tomorrow",
    "tmrw",
    "tmr",
    "tmrow",
    "tomorow",
    "tommorow",
    "tommorrow",
    "2morrow",
];

pub(super) fn weekday(t: &str) -> Option<Weekday> {
    Some(match t {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tue" | "tues" => Weekday::Tue,
        "wednesday" | "wed" | "weds" => Weekday::Wed,
        "thursday" | "thu" | "thur" | "thurs" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" | "sat" => Weekday::Sat,
        "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    })
}

pub(super) fn day_at(w: &[&str], i: usize) -> Result<Option<(Day, usize)>, Problem> {
    let Some(&t) = w.get(i) else {
        return Ok(None);
    };
    let morning = w.get(i + 1) == Some(&"morning");
    let next = i + 1 + usize::from(morning);
    Ok(Some(match t {
        "today" => (Day::Today, i + 1),
        "tonight" | "tonite" => (Day::Tonight, i + 1),
        "morning" => (Day::Morning, i + 1),
        "next" => {
            return match w.get(i + 1) {
                Some(u) if weekday(u).is_some() || matches!(*u, "week" | "weekend") => {
                    Err(Problem::AmbiguousDay)
                }
                _ => Ok(None),
            };
        }
        t if TOMORROW.contains(&t) => (Day::Tomorrow { morning }, next),
        t => match weekday(t) {
            Some(day) => (Day::Weekday { day, morning }, next),
            None => return Ok(None),
        },
    }))
}

/// A time of day as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Clock {
    pub(super) hour: u32,
    pub(super) minute: u32,
    /// 1-12 without am/pm or a leading zero: could be morning or evening ("until 8").
    pub(super) bare: bool,
    pub(super) midnight: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meridiem {
    Am,
    Pm,
}

/// "8", "08:00", "3pm", "3:30", "3.30pm": hour, minute, zero-padded, am/pm.
pub(super) fn clock_token(t: &str) -> Option<(u32, u32, bool, Option<Meridiem>)> {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let hour: u32 = t.get(..digits)?.parse().ok()?;
    let padded = digits == 2 && t.starts_with('0');
    let mut rest = t.get(digits..)?;
    let mut minute = 0;
    if let Some(r) = rest.strip_prefix([':', '.']) {
        let m = r
            .get(..2)
            .filter(|m| m.bytes().all(|b| b.is_ascii_digit()))?;
        minute = m.parse().ok()?;
        rest = r.get(2..)?;
    }
    let meridiem = match rest {
        "" => None,
        "am" => Some(Meridiem::Am),
        "pm" => Some(Meridiem::Pm),
        _ => return None,
    };
    Some((hour, minute, padded, meridiem))
}

/// "seven", "seven thirty", "eleven fifteen", "six forty five".
pub(super) fn clock_words(w: &[&str], i: usize) -> Option<(u32, u32, usize)> {
    let (hour, j) = number_words(w, i).filter(|(h, j)| (1..=12).contains(h) && *j == i + 1)?;
    let hour = u32::try_from(hour).ok()?;
    match number_words(w, j) {
        Some((m @ (15 | 30 | 45), k)) => Some((hour, u32::try_from(m).ok()?, k)),
        _ => Some((hour, 0, j)),
    }
}

/// A time of day at `w[i..]` and the index after it: "noon", "midnight", "3pm", "15:00",
/// "3:30 pm", "8", "seven am", "7 in the morning", "11 at night", "3 o'clock".
pub(super) fn clock_at(w: &[&str], i: usize) -> Result<Option<(Clock, usize)>, Problem> {
    let Some(&t) = w.get(i) else {
        return Ok(None);
    };
    let named = |hour, midnight, next| {
        Ok(Some((
            Clock {
                hour,
                minute: 0,
                bare: false,
                midnight,
            },
            next,
        )))
    };
    match t {
        "noon" | "midday" => return named(12, false, i + 1),
        "midnight" => return named(0, true, i + 1),
        _ => {}
    }
    let (hour, minute, padded, mut meridiem, mut j) =
        if let Some((h, m, padded, mer)) = clock_token(t) {
            (h, m, padded, mer, i + 1)
        } else if let Some((h, m, j)) = clock_words(w, i) {
            (h, m, false, None, j)
        } else {
            return Ok(None);
        };
    if meridiem.is_none() {
        j += usize::from(w.get(j) == Some(&"oclock"));
        let (step, found) = match (w.get(j).copied(), w.get(j + 1).copied()) {
            (Some("am"), _) => (1, Some(Meridiem::Am)),
            (Some("pm"), _) => (1, Some(Meridiem::Pm)),
            (Some("a"), Some("m")) | (Some("in"), Some("morning")) => (2, Some(Meridiem::Am)),
            (Some("p"), Some("m"))
            | (Some("in"), Some("afternoon" | "evening"))
            | (Some("at"), Some("night")) => (2, Some(Meridiem::Pm)),
            (Some("noon"), _) if hour == 12 && minute == 0 => return named(12, false, j + 1),
            (Some("midnight"), _) if hour == 12 && minute == 0 => return named(0, true, j + 1),
            _ => (0, None),
        };
        meridiem = found;
        j += step;
    }
    if minute > 59 {
        return Err(Problem::BadTime);
    }
    let clock = match meridiem {
        Some(m) => {
            if !(1..=12).contains(&hour) {
                return Err(Problem::BadTime);
            }
            Clock {
                hour: hour % 12 + if m == Meridiem::Pm { 12 } else { 0 },
                minute,
                bare: false,
                midnight: false,
            }
        }
        None => {
            if hour > 23 {
                return Err(Problem::BadTime);
            }
            Clock {
                hour,
                minute,
                bare: !padded && (1..=12).contains(&hour),
                midnight: false,
            }
        }
    };
    Ok(Some((clock, j)))
}

/// A point in time after "until": a day, a time of day, or both in either order ("tomorrow
/// at 9am", "9am on monday", "fri 17:00"). Unbounded; `Ok(None)` if nothing parses.
pub(super) fn point<Tz: TimeZone>(
    w: &[&str],
    i: usize,
    ctx: &Context<'_, Tz>,
) -> Result<Option<(DateTime<Utc>, usize)>, Problem> {
    match w.get(i..).unwrap_or_default() {
        ["further", "notice", ..] | ["forever", ..] => return Err(Problem::TooLong),
        ["later" | "whenever" | "then", ..] | ["i", ..] => return Err(Problem::Vague),
        _ => {}
    }
    let (mut day, mut clock, mut j) = (None, None, i);
    loop {
        let k = j + usize::from(w.get(j).is_some_and(|t| matches!(*t, "at" | "on" | "this")));
        if day.is_none()
            && let Some((d, n)) = day_at(w, k)?
        {
            day = Some(d);
            j = n;
            continue;
        }
        if clock.is_none()
            && let Some((c, n)) = clock_at(w, k)?
        {
            clock = Some(c);
            j = n;
            continue;
        }
        break;
    }
    Ok(resolve(day, clock, ctx)?.map(|t| (t, j)))
}

/// The instant a day and/or time of day names, seen from `ctx.now`.
pub(super) fn resolve<Tz: TimeZone>(
    day: Option<Day>,
    clock: Option<Clock>,
    ctx: &Context<'_, Tz>,
) -> Result<Option<DateTime<Utc>>, Problem> {
    let nine = hm(9, 0)?;
    let t = match (day, clock) {
        (None, None) => return Ok(None),
        (Some(Day::Today), None) => return Err(Problem::Vague),
        (Some(Day::Tonight), None) => tonight(ctx)?,
        (Some(Day::Tomorrow { .. } | Day::Morning), None) => wake(ctx)?,
        (Some(Day::Weekday { day, .. }), None) => on_weekday(ctx, day, nine, false)?,
        (None, Some(c)) => next_clock(ctx, c)?,
        (Some(Day::Morning), Some(c)) => {
            if c.midnight {
                return Err(Problem::AmbiguousDay);
            }
            next_local(
                ctx,
                hm(if c.bare { c.hour % 12 } else { c.hour }, c.minute)?,
            )?
        }
        (Some(Day::Today), Some(c)) => today_clock(ctx, c)?,
        (Some(Day::Tonight), Some(c)) => {
            let hour = match c {
                Clock {
                    bare: true,
                    hour: 12,
                    ..
                } => 0,
                Clock { bare: true, .. } => c.hour % 12 + 12,
                _ => c.hour,
            };
            next_local(ctx, hm(hour, c.minute)?)?
        }
        (Some(Day::Tomorrow { morning }), Some(c)) => {
            let date = local_today(ctx)?
                .checked_add_days(Days::new(1))
                .ok_or(Problem::BadTime)?;
            let t = resolve_local(ctx.tz, date.and_time(dated_time(c, morning)?))
                .ok_or(Problem::BadTime)?;
            if t <= ctx.now {
                return Err(Problem::InPast);
            }
            t
        }
        (Some(Day::Weekday { day, morning }), Some(c)) => {
            on_weekday(ctx, day, dated_time(c, morning)?, true)?
        }
    };
    Ok(Some(t))
}

/// The time of a clock on a named day: a bare hour is ambiguous unless it is the morning.
pub(super) fn dated_time(c: Clock, morning: bool) -> Result<NaiveTime, Problem> {
    if c.midnight {
        return Err(Problem::AmbiguousDay);
    }
    match (c.bare, morning) {
        (true, true) => hm(c.hour % 12, c.minute),
        (true, false) => Err(Problem::AmbiguousHour),
        (false, _) => hm(c.hour, c.minute),
    }
}

pub(super) fn hm(hour: u32, minute: u32) -> Result<NaiveTime, Problem> {
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or(Problem::BadTime)
}

/// The times a clock may mean: both readings of a bare hour, else the one written.
pub(super) fn readings(c: Clock) -> Result<Vec<NaiveTime>, Problem> {
    if c.bare {
        Ok(vec![
            hm(c.hour % 12, c.minute)?,
            hm(c.hour % 12 + 12, c.minute)?,
        ])
    } else {
        Ok(vec![hm(c.hour, c.minute)?])
    }
}

/// The next instant a clock's time comes round (a bare hour: whichever reading is first).
pub(super) fn next_clock<Tz: TimeZone>(
    ctx: &Context<'_, Tz>,
    c: Clock,
) -> Result<DateTime<Utc>, Problem> {
    readings(c)?
        .into_iter()
        .filter_map(|t| next_local(ctx, t).ok())
        .min()
        .ok_or(Problem::BadTime)
}

/// A clock's time later today (a bare hour: the first reading still ahead).
pub(super) fn today_clock<Tz: TimeZone>(
    ctx: &Context<'_, Tz>,
    c: Clock,
) -> Result<DateTime<Utc>, Problem> {
    if c.midnight {
        return next_local(ctx, NaiveTime::MIN);
    }
    let today = local_today(ctx)?;
    readings(c)?
        .into_iter()
        .filter_map(|t| resolve_local(ctx.tz, today.and_time(t)))
        .filter(|t| *t > ctx.now)
        .min()
        .ok_or(Problem::InPast)
}

/// The chat's quiet hours if they can be in force (hours 0-23, start != end).
pub(super) fn quiet_hours<Tz: TimeZone>(ctx: &Context<'_, Tz>) -> Option<QuietHours> {
    ctx.quiet
        .filter(|q| q.start <= 23 && q.end <= 23 && q.start != q.end)
}

/// "tomorrow", "the morning": the next end of quiet hours, or the next 9:00 without them
/// (as the alert's `Tomorrow` button), at least [`MIN_PERIOD`] away (at 06:59:30 with
/// quiet hours ending at 7, tomorrow's 7:00).
pub(super) fn wake<Tz: TimeZone>(ctx: &Context<'_, Tz>) -> Result<DateTime<Utc>, Problem> {
    let hour = quiet_hours(ctx).map_or(9, |q| u32::from(q.end));
    next_local_from(ctx, hm(hour, 0)?, soon(ctx, MIN_PERIOD))
}

/// "tonight": the next start of quiet hours, or the next 22:00 without them; refused while
/// the night (quiet hours, or 22:00 to midnight) has already begun.
pub(super) fn tonight<Tz: TimeZone>(ctx: &Context<'_, Tz>) -> Result<DateTime<Utc>, Problem> {
    let hour = local_now(ctx).ok_or(Problem::BadTime)?.hour();
    let (start, started) = match quiet_hours(ctx) {
        Some(q) => {
            let (s, e) = (u32::from(q.start), u32::from(q.end));
            let inside = if s < e {
                s <= hour && hour < e
            } else {
                hour >= s || hour < e
            };
            (s, inside)
        }
        None => (22, hour >= 22),
    };
    if started {
        return Err(Problem::NightStarted);
    }
    next_local_from(ctx, hm(start, 0)?, soon(ctx, MIN_PERIOD))
}

/// `time` on the next day that is `day`: today only when `today_ok` and the time is still
/// ahead, else up to a week on.
pub(super) fn on_weekday<Tz: TimeZone>(
    ctx: &Context<'_, Tz>,
    day: Weekday,
    time: NaiveTime,
    today_ok: bool,
) -> Result<DateTime<Utc>, Problem> {
    let today = local_today(ctx)?;
    (0..=7u64)
        .filter_map(|offset| today.checked_add_days(Days::new(offset)))
        .filter(|date| date.weekday() == day && (today_ok || *date != today))
        .filter_map(|date| resolve_local(ctx.tz, date.and_time(time)))
        .find(|t| *t > ctx.now)
        .ok_or(Problem::BadTime)
}

pub(super) fn local_today<Tz: TimeZone>(ctx: &Context<'_, Tz>) -> Result<NaiveDate, Problem> {
    local_now(ctx).map(|t| t.date()).ok_or(Problem::BadTime)
}

/// The wall-clock time of `now` in the zone; `None` only at the ends of time, where chrono
/// cannot represent it (its `naive_local` would panic there).
pub(super) fn local_now<Tz: TimeZone>(ctx: &Context<'_, Tz>) -> Option<NaiveDateTime> {
    let utc = ctx.now.naive_utc();
    utc.checked_add_offset(ctx.tz.offset_from_utc_datetime(&utc).fix())
}

/// The first instant strictly after `now` at which the local time is `time` (as
/// `pipeline::quiet::next_local_hour_after`, for any time of day).
pub(super) fn next_local<Tz: TimeZone>(
    ctx: &Context<'_, Tz>,
    time: NaiveTime,
) -> Result<DateTime<Utc>, Problem> {
    next_local_from(ctx, time, soon(ctx, Duration::nanoseconds(1)))
}

/// `now` plus `d`, or `now` at the end of time.
pub(super) fn soon<Tz: TimeZone>(ctx: &Context<'_, Tz>, d: Duration) -> DateTime<Utc> {
    ctx.now.checked_add_signed(d).unwrap_or(ctx.now)
}

/// The first instant at or after `from` (at most a day past `now`) at which the local time
/// is `time`.
pub(super) fn next_local_from<Tz: TimeZone>(
    ctx: &Context<'_, Tz>,
    time: NaiveTime,
    from: DateTime<Utc>,
) -> Result<DateTime<Utc>, Problem> {
    let today = local_today(ctx)?;
    // A day early: near midnight the local date and the wanted day may differ by one.
    let first = today.pred_opt().unwrap_or(today);
    first
        .iter_days()
        .take(9)
        .filter_map(|date| resolve_local(ctx.tz, date.and_time(time)))
        .find(|t| *t >= from)
        .ok_or(Problem::BadTime)
}

/// Longest DST gap searched for a valid local time: a whole skipped day (Samoa, 2011).
pub(super) const MAX_GAP_MINUTES: i64 = 2 * 24 * 60;

/// The instant a local wall-clock time denotes: the earlier one when it is ambiguous, the
/// first valid instant after the gap when it does not exist (as `pipeline::quiet`).
pub(super) fn resolve_local<Tz: TimeZone>(tz: &Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.with_timezone(&Utc).min(b.with_timezone(&Utc))),
        LocalResult::None => (1..=MAX_GAP_MINUTES).find_map(|m| {
            let later = local.checked_add_signed(Duration::minutes(m))?;
            tz.from_local_datetime(&later)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
        }),
    }
}
