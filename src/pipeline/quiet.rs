//! Quiet hours in the user's zone, wrapping midnight, correct across DST changes.
//!
//! Owns the local-time arithmetic of the pipeline: whether quiet hours are in force at an
//! instant, and the next instant a given local hour starts (the end of quiet hours, the
//! `Tomorrow` button's 9:00). Local time is always derived from the UTC instant through the
//! zone's rules ([`Zone`]), never the other way round, so a DST change cannot shift the answer.
//! Pure: `now` is a parameter; nothing here reads the clock.

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};

use crate::zone::Zone;

use crate::config::QuietHours;

/// Whether `now` falls inside quiet hours `q` in zone `tz`.
///
/// With `start < end` quiet hours are `start <= hour < end`; with `start > end` they wrap
/// midnight (`hour >= start || hour < end`); `start == end` or `!enabled` means never.
pub fn in_quiet_hours(q: &QuietHours, tz: &Zone, now: DateTime<Utc>) -> bool {
    if !q.enabled || q.start == q.end {
        return false;
    }
    let hour = now.with_timezone(tz).hour();
    let (start, end) = (u32::from(q.start), u32::from(q.end));
    if start < end {
        start <= hour && hour < end
    } else {
        hour >= start || hour < end
    }
}

/// The next instant after `now` at which quiet hours end (local `q.end`:00), if quiet hours
/// are enabled; used by the `Tomorrow` button and the digest.
///
/// `None` when quiet hours are disabled or `start == end` (they never begin, so never end).
pub fn quiet_hours_end_after(
    q: &QuietHours,
    tz: &Zone,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if !q.enabled || q.start == q.end {
        return None;
    }
    Some(next_local_hour_after(tz, now, q.end))
}

/// The first instant strictly after `now` at which the local time in `tz` is `hour`:00.
///
/// On a day when that local time does not exist (a DST gap), the first valid instant after
/// the gap counts; on a day when it occurs twice (DST fall back), only the earlier one counts.
/// Hours above 23 are treated as 23.
pub fn next_local_hour_after(tz: &Zone, now: DateTime<Utc>, hour: u8) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(u32::from(hour.min(23)), 0, 0).unwrap_or(NaiveTime::MIN);
    let today = now.with_timezone(tz).date_naive();
    // Start a day early: near midnight the local date and the wanted day may differ by one.
    // A week of candidates is far more than any real zone's skipped day needs.
    let first = today.pred_opt().unwrap_or(today);
    first
        .iter_days()
        .take(8)
        .filter_map(|date| resolve_local(tz, date.and_time(time)))
        .find(|instant| *instant > now)
        .unwrap_or_else(|| now.checked_add_signed(Duration::days(1)).unwrap_or(now))
}

/// Longest DST gap searched for a valid local time: a whole skipped day (Samoa, 2011).
const MAX_GAP_MINUTES: i64 = 2 * 24 * 60;

/// The instant a local wall-clock time denotes: the earlier one when it is ambiguous, the
/// first valid instant after the gap when it does not exist.
fn resolve_local(tz: &Zone, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => first_valid_after_gap(tz, local),
    }
}

/// Walks forward a minute at a time from a local time inside a DST gap to the first local
/// time that exists: the instant the gap ends (zone offsets are whole minutes).
fn first_valid_after_gap(tz: &Zone, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    (1..=MAX_GAP_MINUTES).find_map(|m| {
        let later = local.checked_add_signed(Duration::minutes(m))?;
        tz.from_local_datetime(&later)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn zone(name: &str) -> Zone {
        Zone::named(name).expect("the system has tzdata")
    }

    #[test]
    fn gap_resolves_to_end_of_gap() {
        // 2026-03-08 02:00 does not exist in New York; 03:00 EDT (07:00 UTC) is the first instant.
        let local = NaiveDate::from_ymd_opt(2026, 3, 8)
            .and_then(|d| d.and_hms_opt(2, 0, 0))
            .expect("valid date");
        let got = resolve_local(&zone("America/New_York"), local).expect("resolved");
        assert_eq!(got, Utc.with_ymd_and_hms(2026, 3, 8, 7, 0, 0).unwrap());
    }

    #[test]
    fn skipped_day_resolves_to_next_day() {
        // Samoa skipped 2011-12-30 entirely.
        let now = Utc.with_ymd_and_hms(2011, 12, 29, 20, 0, 0).unwrap(); // 29th, 10:00 local
        let apia = zone("Pacific/Apia");
        let next = next_local_hour_after(&apia, now, 9);
        let local = next.with_timezone(&apia);
        assert_eq!(
            local.date_naive(),
            NaiveDate::from_ymd_opt(2011, 12, 31).unwrap()
        );
    }
}
