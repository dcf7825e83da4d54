//! Quiet hours in the user's zone, wrapping midnight, correct across DST changes.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::QuietHours;

/// Whether `now` falls inside quiet hours `q` in zone `tz`.
pub fn in_quiet_hours(q: &QuietHours, tz: Tz, now: DateTime<Utc>) -> bool {
    todo!("{q:?} {tz} {now}")
}

/// The next instant after `now` at which quiet hours end (local `q.end`:00), if quiet hours
/// are enabled; used by the `Tomorrow` button and the digest.
pub fn quiet_hours_end_after(q: &QuietHours, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    todo!("{q:?} {tz} {now}")
}
