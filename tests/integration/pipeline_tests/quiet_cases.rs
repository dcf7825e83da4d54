//! Quiet hours: in force or not across midnight and both New York DST changes of 2026, and
//! when they end (the `Tomorrow` button and the digest rely on it).

use operator::pipeline::{in_quiet_hours, next_local_hour_after, quiet_hours_end_after};

use super::*;

/// `<local time> quiet` or `<local time> not quiet`.
fn in_force(q: QuietHours, tz: &Zone, now: DateTime<Utc>) -> String {
    let verdict = if in_quiet_hours(&q, tz, now) {
        "quiet"
    } else {
        "not quiet"
    };
    format!("{} {verdict}", tz_time(now, tz))
}

/// `<local end> (+<elapsed>)` in New York, or `never`.
fn ends_at(end: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match end {
        Some(t) => {
            let m = (t - now).num_minutes();
            format!("{} (+{}h{:02}m)", tz_time(t, new_york()), m / 60, m % 60)
        }
        None => "never".to_owned(),
    }
}

const NIGHT: QuietHours = QuietHours {
    enabled: true,
    start: 22,
    end: 7,
};
const DAY: QuietHours = QuietHours {
    enabled: true,
    start: 9,
    end: 17,
};
const SAME: QuietHours = QuietHours {
    enabled: true,
    start: 7,
    end: 7,
};
const OFF: QuietHours = QuietHours {
    enabled: false,
    start: 22,
    end: 7,
};

#[test]
fn quiet_hours_in_force() {
    let kolkata = crate::support::zone("Asia/Kolkata");
    #[rustfmt::skip]
    let table = [
        ("before start",       NIGHT, new_york(), ny(2026, 1, 15, 21, 59), "2026-01-15 21:59 EST not quiet"),
        ("at start",           NIGHT, new_york(), ny(2026, 1, 15, 22, 0),  "2026-01-15 22:00 EST quiet"),
        ("before midnight",    NIGHT, new_york(), ny(2026, 1, 15, 23, 30), "2026-01-15 23:30 EST quiet"),
        ("after midnight",     NIGHT, new_york(), ny(2026, 1, 16, 0, 30),  "2026-01-16 00:30 EST quiet"),
        ("last minute",        NIGHT, new_york(), ny(2026, 1, 16, 6, 59),  "2026-01-16 06:59 EST quiet"),
        ("at end",             NIGHT, new_york(), ny(2026, 1, 16, 7, 0),   "2026-01-16 07:00 EST not quiet"),
        ("day span, before",   DAY,   new_york(), ny(2026, 1, 15, 8, 59),  "2026-01-15 08:59 EST not quiet"),
        ("day span, inside",   DAY,   new_york(), ny(2026, 1, 15, 16, 59), "2026-01-15 16:59 EST quiet"),
        ("day span, at end",   DAY,   new_york(), ny(2026, 1, 15, 17, 0),  "2026-01-15 17:00 EST not quiet"),
        ("start == end",       SAME,  new_york(), ny(2026, 1, 15, 7, 0),   "2026-01-15 07:00 EST not quiet"),
        ("start == end, 3am",  SAME,  new_york(), ny(2026, 1, 15, 3, 0),   "2026-01-15 03:00 EST not quiet"),
        ("disabled",           OFF,   new_york(), ny(2026, 1, 15, 23, 30), "2026-01-15 23:30 EST not quiet"),
        // Spring forward: 02:00 EST becomes 03:00 EDT on 2026-03-08.
        ("spring, 01:30 EST",  NIGHT, new_york(), utc(2026, 3, 8, 6, 30),  "2026-03-08 01:30 EST quiet"),
        ("spring, 03:30 EDT",  NIGHT, new_york(), utc(2026, 3, 8, 7, 30),  "2026-03-08 03:30 EDT quiet"),
        ("spring, 06:59 EDT",  NIGHT, new_york(), utc(2026, 3, 8, 10, 59), "2026-03-08 06:59 EDT quiet"),
        ("spring, 11:00 UTC",  NIGHT, new_york(), utc(2026, 3, 8, 11, 0),  "2026-03-08 07:00 EDT not quiet"),
        // Fall back: 02:00 EDT becomes 01:00 EST on 2026-11-01, so 01:30 happens twice.
        ("fall, 01:30 EDT",    NIGHT, new_york(), utc(2026, 11, 1, 5, 30), "2026-11-01 01:30 EDT quiet"),
        ("fall, 01:30 EST",    NIGHT, new_york(), utc(2026, 11, 1, 6, 30), "2026-11-01 01:30 EST quiet"),
        ("fall, 11:00 UTC",    NIGHT, new_york(), utc(2026, 11, 1, 11, 0), "2026-11-01 06:00 EST quiet"),
        ("fall, 07:00 EST",    NIGHT, new_york(), utc(2026, 11, 1, 12, 0), "2026-11-01 07:00 EST not quiet"),
        ("fall, 1-2, repeat",  quiet(1, 2), new_york(), utc(2026, 11, 1, 6, 30), "2026-11-01 01:30 EST quiet"),
        // A half-hour offset: 01:29 UTC is 06:59 IST, 01:30 UTC is 07:00 IST.
        ("+05:30, last minute", NIGHT, &kolkata, utc(2026, 1, 15, 1, 29), "2026-01-15 06:59 IST quiet"),
        ("+05:30, at end",      NIGHT, &kolkata, utc(2026, 1, 15, 1, 30), "2026-01-15 07:00 IST not quiet"),
    ];
    for (name, q, tz, now, expect) in table {
        check(name, &in_force(q, tz, now), expect);
    }
}

#[test]
fn quiet_hours_end() {
    #[rustfmt::skip]
    let table = [
        ("from 23:00",           NIGHT, ny(2026, 1, 15, 23, 0),  "2026-01-16 07:00 EST (+8h00m)"),
        ("from 06:59",           NIGHT, ny(2026, 1, 16, 6, 59),  "2026-01-16 07:00 EST (+0h01m)"),
        ("at the end itself",    NIGHT, ny(2026, 1, 16, 7, 0),   "2026-01-17 07:00 EST (+24h00m)"),
        ("before they start",    NIGHT, ny(2026, 1, 15, 21, 0),  "2026-01-16 07:00 EST (+10h00m)"),
        ("a daytime span",       DAY,   ny(2026, 1, 15, 10, 0),  "2026-01-15 17:00 EST (+7h00m)"),
        ("fall back: 8 + 1",     NIGHT, ny(2026, 10, 31, 23, 0), "2026-11-01 07:00 EST (+9h00m)"),
        ("spring forward: 8 - 1", NIGHT, ny(2026, 3, 7, 23, 0),  "2026-03-08 07:00 EDT (+7h00m)"),
        ("from 01:30 EST",       NIGHT, utc(2026, 11, 1, 6, 30), "2026-11-01 07:00 EST (+5h30m)"),
        ("disabled",             OFF,   ny(2026, 1, 15, 23, 0),  "never"),
        ("start == end",         SAME,  ny(2026, 1, 15, 23, 0),  "never"),
    ];
    for (name, q, now, expect) in table {
        check(
            name,
            &ends_at(quiet_hours_end_after(&q, new_york(), now), now),
            expect,
        );
    }
}

#[test]
fn next_local_hour() {
    #[rustfmt::skip]
    let table = [
        ("Tomorrow 9:00 from 14:00", 9, ny(2026, 1, 15, 14, 0),  "2026-01-16 09:00 EST (+19h00m)"),
        ("9:00 from 08:59",          9, ny(2026, 1, 15, 8, 59),  "2026-01-15 09:00 EST (+0h01m)"),
        ("02:00 skipped: gap's end", 2, ny(2026, 3, 8, 0, 0),    "2026-03-08 03:00 EDT (+2h00m)"),
        ("01:00 twice: the earlier", 1, ny(2026, 11, 1, 0, 0),   "2026-11-01 01:00 EDT (+1h00m)"),
        ("past the earlier 01:00",   1, utc(2026, 11, 1, 5, 30), "2026-11-02 01:00 EST (+24h30m)"),
        ("midnight from 23:59",      0, ny(2026, 1, 15, 23, 59), "2026-01-16 00:00 EST (+0h01m)"),
    ];
    for (name, hour, now, expect) in table {
        check(
            name,
            &ends_at(Some(next_local_hour_after(new_york(), now, hour)), now),
            expect,
        );
    }
}
