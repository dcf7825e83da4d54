//! Tests of `words`: table tests of phrasings at fixed instants in America/New_York
//! (including both 2026 DST nights), the table of messages that must be refused, the `/help`
//! examples, spelling variants of every accepted phrasing, and a proptest fuzz that no input
//! panics or takes long. Owns no parsing logic.
//!
//! The zone is the daemon's own (`crate::zone::Zone`, from the system's tz database).
//!
//! Why this file is long: the phrasings are the specification, a few hundred of them in
//! tables, each with the instant it must mean; split up they would hide which cases exist.

// Fixtures below are literals, not input: unwrapping them is the clearest failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use proptest::prelude::*;

use super::*;

// ---------------------------------------------------------------------------------------
// Helpers

/// The user's zone in these tests.
fn new_york() -> &'static crate::zone::Zone {
    static ZONE: std::sync::OnceLock<crate::zone::Zone> = std::sync::OnceLock::new();
    ZONE.get_or_init(|| crate::zone::Zone::named("America/New_York").expect("tzdata"))
}

/// A New York wall-clock time "YYYY-MM-DD HH:MM[:SS]" (the earlier instant if ambiguous).
fn ny(local: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S"))
        .unwrap_or_else(|e| panic!("bad fixture {local:?}: {e}"));
    new_york()
        .from_local_datetime(&naive)
        .earliest()
        .unwrap_or_else(|| panic!("{local} does not exist in New York"))
        .with_timezone(&Utc)
}

/// A UTC time "YYYY-MM-DD HH:MM".
fn utc(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .unwrap_or_else(|e| panic!("bad fixture {s:?}: {e}"))
        .and_utc()
}

fn qh(start: u8, end: u8) -> Option<QuietHours> {
    Some(QuietHours { start, end })
}

fn all(local: &str) -> Intent {
    Intent::Snooze {
        scope: Scope::All,
        until: ny(local),
    }
}

fn class(c: Class, local: &str) -> Intent {
    Intent::Snooze {
        scope: Scope::Class(c),
        until: ny(local),
    }
}

fn health(local: &str) -> Intent {
    class(Class::Health, local)
}

fn tasks(local: &str) -> Intent {
    class(Class::Tasks, local)
}

fn patterns(local: &str) -> Intent {
    class(Class::Patterns, local)
}

fn all_utc(t: DateTime<Utc>) -> Intent {
    Intent::Snooze {
        scope: Scope::All,
        until: t,
    }
}

fn quiet_until(local: &str) -> Intent {
    Intent::QuietUntil(ny(local))
}

fn hours(start: u8, end: u8) -> Intent {
    Intent::QuietHours { start, end }
}

fn ask(q: Question) -> Intent {
    Intent::Ask(q)
}

fn nu(command: &'static str) -> Intent {
    not_understood(command)
}

fn bad(command: &'static str, problem: Problem) -> Intent {
    invalid(command, problem)
}

/// Parses `text` at `now` (UTC) in New York with `quiet`.
fn parse_at(text: &str, now: DateTime<Utc>, quiet: Option<QuietHours>) -> Intent {
    let ctx = Context {
        now,
        tz: new_york(),
        quiet,
    };
    understand(text, &ctx)
}

/// Checks every case at local time `now` with `quiet`, reporting all mismatches at once.
fn check(now: &str, quiet: Option<QuietHours>, cases: &[(&str, Intent)]) {
    check_utc(ny(now), quiet, cases);
}

fn check_utc(now: DateTime<Utc>, quiet: Option<QuietHours>, cases: &[(&str, Intent)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(text, want)| {
            let got = parse_at(text, now, quiet);
            (got != *want).then(|| format!("  {text:?}\n    want {want:?}\n    got  {got:?}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases at {now} (quiet {quiet:?}) failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// The tables. Unless said otherwise: Wednesday 2026-06-10 10:00 in New York (EDT).

const WED: &str = "2026-06-10 10:00";

fn snooze_lengths() -> Vec<(&'static str, Intent)> {
    vec![
        ("snooze 2h", all("2026-06-10 12:00")),
        ("snooze 30m", all("2026-06-10 10:30")),
        ("snooze 1d", all("2026-06-11 10:00")),
        ("snooze 1h30m", all("2026-06-10 11:30")),
        ("snooze 90 minutes", all("2026-06-10 11:30")),
        ("snooze 2 hours", all("2026-06-10 12:00")),
        ("snooze an hour", all("2026-06-10 11:00")),
        ("snooze half an hour", all("2026-06-10 10:30")),
        ("snooze a half hour", all("2026-06-10 10:30")),
        ("snooze a day", all("2026-06-11 10:00")),
        ("snooze for 45 min", all("2026-06-10 10:45")),
        ("snooze everything for 90 minutes", all("2026-06-10 11:30")),
        ("snooze patterns 1d", patterns("2026-06-11 10:00")),
        ("silence health for an hour", health("2026-06-10 11:00")),
        ("snooze for an hour and a half", all("2026-06-10 11:30")),
        ("snooze 1 and a half hours", all("2026-06-10 11:30")),
        ("snooze one and a half hours", all("2026-06-10 11:30")),
        ("snooze 1.5h", all("2026-06-10 11:30")),
        ("snooze 1.5 hours", all("2026-06-10 11:30")),
        ("snooze 2.5h", all("2026-06-10 12:30")),
        ("snooze 0.5h", all("2026-06-10 10:30")),
        ("snooze for the next hour", all("2026-06-10 11:00")),
        ("snooze for the next 2 hours", all("2026-06-10 12:00")),
        ("snooze next 3 hours", all("2026-06-10 13:00")),
        ("snooze 1 hour and 30 minutes", all("2026-06-10 11:30")),
        ("snooze 1 hour 30 minutes", all("2026-06-10 11:30")),
        ("snooze 1h 30m", all("2026-06-10 11:30")),
        ("snooze 1h30", all("2026-06-10 11:30")),
        ("snooze 1 hour 30", all("2026-06-10 11:30")),
        ("snooze 2h 30", all("2026-06-10 12:30")),
        ("snooze 2 hrs", all("2026-06-10 12:00")),
        ("snooze 2hrs", all("2026-06-10 12:00")),
        ("snooze 2hr", all("2026-06-10 12:00")),
        ("snooze 2 h", all("2026-06-10 12:00")),
        ("snooze 20 mins", all("2026-06-10 10:20")),
        ("snooze 20min", all("2026-06-10 10:20")),
        ("snooze 20 m", all("2026-06-10 10:20")),
        ("snooze 15 minutes", all("2026-06-10 10:15")),
        ("snooze 1 minute", all("2026-06-10 10:01")),
        ("snooze 60s", all("2026-06-10 10:01")),
        ("snooze 90 seconds", all("2026-06-10 10:01:30")),
        ("snooze ten minutes", all("2026-06-10 10:10")),
        ("snooze two hours", all("2026-06-10 12:00")),
        ("snooze forty five minutes", all("2026-06-10 10:45")),
        ("snooze forty-five minutes", all("2026-06-10 10:45")),
        ("snooze twenty five minutes", all("2026-06-10 10:25")),
        ("snooze quarter of an hour", all("2026-06-10 10:15")),
        ("snooze a quarter of an hour", all("2026-06-10 10:15")),
        ("snooze half a day", all("2026-06-10 22:00")),
        ("snooze 1w", all("2026-06-17 10:00")),
        ("snooze a week", all("2026-06-17 10:00")),
        ("snooze 2 weeks", all("2026-06-24 10:00")),
        ("snooze 3 days", all("2026-06-13 10:00")),
        ("snooze 30d", all("2026-07-10 10:00")),
        ("snooze 43200m", all("2026-07-10 10:00")),
        ("snooze 720h", all("2026-07-10 10:00")),
        ("snooze 1d 2h", all("2026-06-11 12:00")),
        ("snooze 1d2h", all("2026-06-11 12:00")),
        ("snooze 2 days and 3 hours", all("2026-06-12 13:00")),
        (
            "snooze 1 day, 2 hours and 15 minutes",
            all("2026-06-11 12:15"),
        ),
        ("snooze 002h", all("2026-06-10 12:00")),
        ("snooze 1 hr 15", all("2026-06-10 11:15")),
        ("snooze 1h05", all("2026-06-10 11:05")),
        ("snooze 2 h 30 m", all("2026-06-10 12:30")),
        ("snooze 2 hours and a half", all("2026-06-10 12:30")),
        ("snooze two and a half hours", all("2026-06-10 12:30")),
        ("snooze half hour", all("2026-06-10 10:30")),
        ("snooze for an hr", all("2026-06-10 11:00")),
    ]
}

fn snooze_scopes() -> Vec<(&'static str, Intent)> {
    vec![
        ("snooze health 2h", health("2026-06-10 12:00")),
        ("snooze tasks 2h", tasks("2026-06-10 12:00")),
        ("snooze patterns 2h", patterns("2026-06-10 12:00")),
        ("snooze task 2h", tasks("2026-06-10 12:00")),
        ("snooze todos 2h", tasks("2026-06-10 12:00")),
        ("snooze commitments 2h", tasks("2026-06-10 12:00")),
        ("snooze pattern alerts 1d", patterns("2026-06-11 10:00")),
        ("snooze health alerts 2h", health("2026-06-10 12:00")),
        (
            "snooze my health alerts for 2 hours",
            health("2026-06-10 12:00"),
        ),
        (
            "snooze all health alerts for 2h",
            health("2026-06-10 12:00"),
        ),
        ("snooze 2h health", health("2026-06-10 12:00")),
        ("snooze 2h health alerts", health("2026-06-10 12:00")),
        ("snooze for 2 hours health", health("2026-06-10 12:00")),
        ("snooze health class for 2h", health("2026-06-10 12:00")),
        ("snooze all 2h", all("2026-06-10 12:00")),
        ("snooze all alerts for 2h", all("2026-06-10 12:00")),
        ("snooze everything 2h", all("2026-06-10 12:00")),
        ("snooze alerts for 2h", all("2026-06-10 12:00")),
        ("snooze notifications for 2 hours", all("2026-06-10 12:00")),
        ("snooze them all for an hour", all("2026-06-10 11:00")),
        ("mute 2h", all("2026-06-10 12:00")),
        ("mute health for 2h", health("2026-06-10 12:00")),
        ("mute everything for an hour", all("2026-06-10 11:00")),
        (
            "mute all notifications for 45 minutes",
            all("2026-06-10 10:45"),
        ),
        ("silence 30m", all("2026-06-10 10:30")),
        ("silence tasks for a day", tasks("2026-06-11 10:00")),
        ("pause alerts for 2h", all("2026-06-10 12:00")),
        ("pause tasks 1d", tasks("2026-06-11 10:00")),
        ("hush 1h", all("2026-06-10 11:00")),
        ("stop alerts for 2h", all("2026-06-10 12:00")),
        ("stop health alerts for an hour", health("2026-06-10 11:00")),
        ("turn off alerts for 2 hours", all("2026-06-10 12:00")),
        (
            "turn off task notifications for 2h",
            tasks("2026-06-10 12:00"),
        ),
        ("no alerts for 2h", all("2026-06-10 12:00")),
        ("hold alerts until 3pm", all("2026-06-10 15:00")),
        (
            "block pattern alerts till tomorrow",
            patterns("2026-06-11 09:00"),
        ),
    ]
}

fn snooze_politeness() -> Vec<(&'static str, Intent)> {
    vec![
        ("please snooze 2h", all("2026-06-10 12:00")),
        ("snooze 2h please", all("2026-06-10 12:00")),
        ("snooze 2h pls", all("2026-06-10 12:00")),
        (
            "can you snooze health for an hour",
            health("2026-06-10 11:00"),
        ),
        (
            "could you please mute tasks for 2 hours",
            tasks("2026-06-10 12:00"),
        ),
        ("would you snooze 2h", all("2026-06-10 12:00")),
        ("hey snooze 2h", all("2026-06-10 12:00")),
        ("hey, snooze 2h thanks", all("2026-06-10 12:00")),
        ("hi bot, snooze 2h", all("2026-06-10 12:00")),
        ("snooze 2h for me", all("2026-06-10 12:00")),
        (
            "snooze health for me for 2 hours",
            health("2026-06-10 12:00"),
        ),
        ("ok snooze 2h", all("2026-06-10 12:00")),
        ("okay, snooze 2h", all("2026-06-10 12:00")),
        ("i want to snooze 2h", all("2026-06-10 12:00")),
        ("i'd like to snooze 2h", all("2026-06-10 12:00")),
        ("id like to snooze 2h", all("2026-06-10 12:00")),
        ("i need to snooze 2h", all("2026-06-10 12:00")),
        ("just snooze 2h", all("2026-06-10 12:00")),
        ("snooze 2h, thank you", all("2026-06-10 12:00")),
        ("kindly snooze 2h", all("2026-06-10 12:00")),
        ("Snooze 2H", all("2026-06-10 12:00")),
        ("SNOOZE 2 HOURS!!!", all("2026-06-10 12:00")),
        ("  snooze   2h  ", all("2026-06-10 12:00")),
        ("snooze\t2h\n", all("2026-06-10 12:00")),
        ("snooze 2h 😴", all("2026-06-10 12:00")),
        ("😴 snooze 2h", all("2026-06-10 12:00")),
        ("/snooze 2h", all("2026-06-10 12:00")),
        (
            "snooze the health alerts for 2h",
            health("2026-06-10 12:00"),
        ),
        ("Snooze health till 3pm!", health("2026-06-10 15:00")),
        ("snooze... health... till 3pm?", health("2026-06-10 15:00")),
        ("snooze: health, until 3pm.", health("2026-06-10 15:00")),
        ("\"snooze 2h\"", all("2026-06-10 12:00")),
        ("snooze 2h thanks bye", all("2026-06-10 12:00")),
        ("snooze for 2h, thanks a lot", all("2026-06-10 12:00")),
        ("snooze 2h, thank you very much", all("2026-06-10 12:00")),
        ("snooze 2h :)", all("2026-06-10 12:00")),
        ("snooze health: 2h", health("2026-06-10 12:00")),
        ("snooze health=2h", health("2026-06-10 12:00")),
        ("snooze for 2h health", health("2026-06-10 12:00")),
        ("snooze (health) 2h", health("2026-06-10 12:00")),
    ]
}

fn snooze_points() -> Vec<(&'static str, Intent)> {
    vec![
        ("snooze health until 3pm", health("2026-06-10 15:00")),
        ("snooze until 15:00", all("2026-06-10 15:00")),
        ("snooze till 3:30 pm", all("2026-06-10 15:30")),
        ("snooze until 3:30pm", all("2026-06-10 15:30")),
        ("snooze until 3.30pm", all("2026-06-10 15:30")),
        ("snooze until 3 p.m.", all("2026-06-10 15:00")),
        ("snooze until 3 PM", all("2026-06-10 15:00")),
        ("snooze til 3pm", all("2026-06-10 15:00")),
        ("snooze 'til 3pm", all("2026-06-10 15:00")),
        ("snooze untill 3pm", all("2026-06-10 15:00")),
        ("snooze until 8", all("2026-06-10 20:00")),
        ("snooze until 11", all("2026-06-10 11:00")),
        ("snooze until 9", all("2026-06-10 21:00")),
        ("snooze until 12", all("2026-06-10 12:00")),
        ("snooze until 12:30", all("2026-06-10 12:30")),
        ("snooze until 8:15", all("2026-06-10 20:15")),
        ("snooze until noon", all("2026-06-10 12:00")),
        ("snooze until midday", all("2026-06-10 12:00")),
        ("snooze until 12 noon", all("2026-06-10 12:00")),
        ("snooze until midnight", all("2026-06-11 00:00")),
        ("snooze until 12am", all("2026-06-11 00:00")),
        ("snooze until 12pm", all("2026-06-10 12:00")),
        ("snooze until 9am", all("2026-06-11 09:00")),
        ("snooze until 09:00", all("2026-06-11 09:00")),
        ("snooze until 10am", all("2026-06-11 10:00")),
        ("snooze until 10:01", all("2026-06-10 10:01")),
        ("snooze until 20:00", all("2026-06-10 20:00")),
        ("snooze until 0:30", all("2026-06-11 00:30")),
        ("snooze until 8 in the morning", all("2026-06-11 08:00")),
        ("snooze until 8 at night", all("2026-06-10 20:00")),
        ("snooze until 5 in the afternoon", all("2026-06-10 17:00")),
        ("snooze until 7 in the evening", all("2026-06-10 19:00")),
        ("snooze until seven", all("2026-06-10 19:00")),
        ("snooze until seven am", all("2026-06-11 07:00")),
        ("snooze until seven thirty pm", all("2026-06-10 19:30")),
        ("snooze until eleven fifteen", all("2026-06-10 11:15")),
        ("snooze until 3 o'clock", all("2026-06-10 15:00")),
        ("snooze until 3 o'clock pm", all("2026-06-10 15:00")),
        ("snooze until 6 a.m.", all("2026-06-11 06:00")),
        ("mute tasks till tomorrow", tasks("2026-06-11 09:00")),
        ("snooze until tomorrow", all("2026-06-11 09:00")),
        ("snooze health until tmrw", health("2026-06-11 09:00")),
        ("snooze until tommorow", all("2026-06-11 09:00")),
        ("snooze until the morning", all("2026-06-11 09:00")),
        ("snooze until morning", all("2026-06-11 09:00")),
        ("snooze until tomorrow morning", all("2026-06-11 09:00")),
        ("snooze until tomorrow at 3pm", all("2026-06-11 15:00")),
        ("snooze until 3pm tomorrow", all("2026-06-11 15:00")),
        ("snooze until tomorrow 8am", all("2026-06-11 08:00")),
        ("snooze until tomorrow at noon", all("2026-06-11 12:00")),
        ("snooze until tomorrow 17:30", all("2026-06-11 17:30")),
        ("snooze until 8 tomorrow morning", all("2026-06-11 08:00")),
        (
            "snooze until tomorrow morning at 7",
            all("2026-06-11 07:00"),
        ),
        ("snooze until tonight", all("2026-06-10 22:00")),
        ("snooze until 11 tonight", all("2026-06-10 23:00")),
        ("snooze until tonight at 11:30", all("2026-06-10 23:30")),
        ("snooze until tonight at 12", all("2026-06-11 00:00")),
        ("snooze until 1am tonight", all("2026-06-11 01:00")),
        ("snooze until 5pm today", all("2026-06-10 17:00")),
        ("snooze until today at 5pm", all("2026-06-10 17:00")),
        ("snooze until 5 today", all("2026-06-10 17:00")),
        ("snooze until 11 today", all("2026-06-10 11:00")),
        ("snooze until midnight today", all("2026-06-11 00:00")),
        ("snooze for today", all("2026-06-11 09:00")),
        ("snooze for the day", all("2026-06-11 09:00")),
        ("snooze for the rest of the day", all("2026-06-11 09:00")),
        ("snooze rest of the day", all("2026-06-11 09:00")),
        ("snooze for tonight", all("2026-06-11 09:00")),
        ("snooze for the night", all("2026-06-11 09:00")),
        ("snooze overnight", all("2026-06-11 09:00")),
        ("snooze until monday", all("2026-06-15 09:00")),
        ("snooze until monday 9am", all("2026-06-15 09:00")),
        ("snooze until monday at 9am", all("2026-06-15 09:00")),
        ("snooze until 9am monday", all("2026-06-15 09:00")),
        ("snooze until 9am on monday", all("2026-06-15 09:00")),
        ("snooze until mon 14:00", all("2026-06-15 14:00")),
        ("snooze till fri 17:00", all("2026-06-12 17:00")),
        ("snooze until friday 5pm", all("2026-06-12 17:00")),
        ("snooze until friday morning", all("2026-06-12 09:00")),
        ("snooze until friday morning 8", all("2026-06-12 08:00")),
        ("snooze until this friday", all("2026-06-12 09:00")),
        ("snooze until on friday", all("2026-06-12 09:00")),
        ("snooze until wednesday", all("2026-06-17 09:00")),
        ("snooze until wednesday 5pm", all("2026-06-10 17:00")),
        ("snooze until wed 9am", all("2026-06-17 09:00")),
        ("snooze until thursday", all("2026-06-11 09:00")),
        ("snooze until thurs 14:00", all("2026-06-11 14:00")),
        ("snooze until sat", all("2026-06-13 09:00")),
        ("snooze until sunday noon", all("2026-06-14 12:00")),
        ("snooze until tues", all("2026-06-16 09:00")),
        (
            "snooze health until tuesday 08:00",
            health("2026-06-16 08:00"),
        ),
        ("mute tasks until saturday", tasks("2026-06-13 09:00")),
        (
            "snooze patterns till sunday 6pm",
            patterns("2026-06-14 18:00"),
        ),
        ("snooze until 3pm health", health("2026-06-10 15:00")),
        (
            "snooze until 3pm for health alerts",
            health("2026-06-10 15:00"),
        ),
    ]
}

fn snooze_off_and_list() -> Vec<(&'static str, Intent)> {
    let off = [
        "unsnooze",
        "snooze off",
        "stop snoozing",
        "unmute",
        "unmute everything",
        "unsnooze all",
        "unsnooze now",
        "cancel snooze",
        "cancel the snooze",
        "cancel all snoozes",
        "cancel my snoozes",
        "clear snoozes",
        "clear my snoozes",
        "remove snoozes",
        "delete all snoozes",
        "end snooze",
        "end the snooze",
        "turn off snooze",
        "turn snooze off",
        "turn off snoozes",
        "switch snoozing off",
        "snooze off please",
        "snooze all off",
        "mute off",
        "resume alerts",
        "resume notifications",
        "resume all alerts",
        "unpause",
        "stop muting",
        "Unsnooze!",
        "please unmute",
        "lift the snooze",
    ];
    let list = [
        "what's snoozed",
        "whats snoozed",
        "what's snoozed?",
        "snoozes",
        "my snoozes",
        "show snoozes",
        "show me my snoozes",
        "list snoozes",
        "snooze list",
        "snooze status",
        "what is muted",
        "is anything snoozed",
        "any snoozes?",
        "active snoozes",
        "what's muted right now",
        "am i snoozed",
        "is health snoozed",
        "what have i snoozed",
        "anything paused?",
        "how long am i snoozed for",
        "what did i snooze",
        "snooze settings",
    ];
    off.iter()
        .map(|t| (*t, Intent::SnoozeOff))
        .chain(list.iter().map(|t| (*t, Intent::SnoozeList)))
        .collect()
}

fn quiet_cases() -> Vec<(&'static str, Intent)> {
    let mut cases = vec![
        ("quiet until 8", quiet_until("2026-06-10 20:00")),
        ("quiet until 8am", quiet_until("2026-06-11 08:00")),
        ("quiet till 3pm", quiet_until("2026-06-10 15:00")),
        ("quiet for 2 hours", quiet_until("2026-06-10 12:00")),
        ("quiet 2h", quiet_until("2026-06-10 12:00")),
        ("quiet for an hour", quiet_until("2026-06-10 11:00")),
        ("quiet hours until 7am", quiet_until("2026-06-11 07:00")),
        ("quiet mode for 30 minutes", quiet_until("2026-06-10 10:30")),
        (
            "do not disturb for 2 hours",
            quiet_until("2026-06-10 12:00"),
        ),
        ("do not disturb until 3pm", quiet_until("2026-06-10 15:00")),
        ("dnd until 7am", quiet_until("2026-06-11 07:00")),
        ("dnd till tomorrow", quiet_until("2026-06-11 09:00")),
        ("dnd 1h", quiet_until("2026-06-10 11:00")),
        ("dnd for 90 minutes", quiet_until("2026-06-10 11:30")),
        ("DND for 90 minutes please", quiet_until("2026-06-10 11:30")),
        (
            "don't disturb me till tomorrow",
            quiet_until("2026-06-11 09:00"),
        ),
        (
            "dont disturb me for an hour",
            quiet_until("2026-06-10 11:00"),
        ),
        (
            "don’t disturb me until noon",
            quiet_until("2026-06-10 12:00"),
        ),
        (
            "do-not-disturb for 2 hours",
            quiet_until("2026-06-10 12:00"),
        ),
        (
            "please do not disturb me until 5pm",
            quiet_until("2026-06-10 17:00"),
        ),
        ("go quiet until 3pm", quiet_until("2026-06-10 15:00")),
        ("be quiet for 30 minutes", quiet_until("2026-06-10 10:30")),
        ("stay quiet till tomorrow", quiet_until("2026-06-11 09:00")),
        ("keep quiet for an hour", quiet_until("2026-06-10 11:00")),
        ("shut up for an hour", quiet_until("2026-06-10 11:00")),
        ("turn on dnd for 2 hours", quiet_until("2026-06-10 12:00")),
        ("set dnd until 8pm", quiet_until("2026-06-10 20:00")),
        ("quiet until monday", quiet_until("2026-06-15 09:00")),
        ("quiet until tonight", quiet_until("2026-06-10 22:00")),
        ("quiet until fri 17:00", quiet_until("2026-06-12 17:00")),
        (
            "quiet for the rest of the day",
            quiet_until("2026-06-11 09:00"),
        ),
        (
            "can you be quiet until 2pm",
            quiet_until("2026-06-10 14:00"),
        ),
        (
            "do not disturb until tonight",
            quiet_until("2026-06-10 22:00"),
        ),
        (
            "please don't disturb me for the next hour",
            quiet_until("2026-06-10 11:00"),
        ),
        ("dnd for the next hour", quiet_until("2026-06-10 11:00")),
        ("quiet 22-7 please", hours(22, 7)),
        ("quiet hours 22 - 7", hours(22, 7)),
        ("quiet hours 10pm - 7am", hours(22, 7)),
        ("quiet 23-7", hours(23, 7)),
        ("quiet 22-6", hours(22, 6)),
        ("quiet hours 22 to 6", hours(22, 6)),
        ("quiet hours 22-6", hours(22, 6)),
        ("quiet hours from 22 to 6", hours(22, 6)),
        ("quiet from 10pm to 7am", hours(22, 7)),
        ("quiet hours between 11pm and 6am", hours(23, 6)),
        ("quiet 23:00-07:00", hours(23, 7)),
        ("quiet 23:00 - 07:00", hours(23, 7)),
        ("quiet hours 23–7", hours(23, 7)),
        ("set quiet hours to 22-7", hours(22, 7)),
        ("set quiet hours 22-7", hours(22, 7)),
        ("change quiet hours to 23 to 6", hours(23, 6)),
        ("quiet hours are 22 to 7", hours(22, 7)),
        ("my quiet hours are 22-7", hours(22, 7)),
        ("quiet 0-8", hours(0, 8)),
        ("quiet 1-9", hours(1, 9)),
        ("quiet 9-17", hours(9, 17)),
        ("quiet 21-9", hours(21, 9)),
        ("dnd 22-7", hours(22, 7)),
        ("quiet 10pm-7am", hours(22, 7)),
        ("quiet 10 pm to 7 am", hours(22, 7)),
        ("quiet midnight to 8am", hours(0, 8)),
        ("quiet 22 until 7", hours(22, 7)),
        ("quiet hours 8am-6am", hours(8, 6)),
        ("Quiet 23-7!", hours(23, 7)),
        ("turn on quiet hours 22-7", hours(22, 7)),
    ];
    let off = [
        "quiet off",
        "quiet hours off",
        "turn off quiet hours",
        "turn quiet hours off",
        "disable quiet hours",
        "dnd off",
        "stop dnd",
        "end quiet hours",
        "cancel do not disturb",
        "quiet mode off",
        "switch off quiet hours",
        "quiet over",
        "turn off dnd",
        "cancel quiet hours",
        "quiet off please",
    ];
    let on = [
        "quiet on",
        "quiet hours on",
        "turn on quiet hours",
        "enable quiet hours",
        "dnd on",
        "turn quiet hours on",
        "switch on quiet mode",
        "activate dnd",
        "enable do not disturb",
        "set quiet hours on",
    ];
    let show = [
        "quiet hours?",
        "quiet hours",
        "quiet",
        "quiet?",
        "quiet status",
        "show quiet hours",
        "show dnd",
        "what are my quiet hours",
        "when are my quiet hours",
        "are quiet hours on",
        "is dnd on",
        "am i on dnd",
        "my quiet hours",
        "when do quiet hours start",
        "when does quiet end",
        "check quiet hours",
        "how long is quiet on",
        "is quiet on",
        "when does dnd end",
        "quiet settings",
    ];
    cases.extend(off.iter().map(|t| (*t, Intent::QuietOff)));
    cases.extend(on.iter().map(|t| (*t, Intent::QuietOn)));
    cases.extend(show.iter().map(|t| (*t, Intent::QuietShow)));
    cases
}

fn questions() -> Vec<(&'static str, Intent)> {
    use Question::*;
    let groups: [(Question, &[&str]); 9] = [
        (
            Readiness,
            &[
                "how did I sleep",
                "how did i sleep?",
                "How did I sleep last night",
                "readiness?",
                "readiness",
                "my readiness",
                "what's my readiness",
                "readiness score",
                "hrv",
                "what's my hrv",
                "how's my hrv",
                "how am I",
                "how am i doing",
                "how am i today",
                "sleep",
                "how was my sleep",
                "sleep score",
                "am i recovered",
                "how's my recovery",
                "oura",
                "how rested am i",
                "how's my health",
                "readines",
                "redainess?",
            ],
        ),
        (
            Status,
            &[
                "status",
                "status?",
                "what's the status",
                "system status",
                "are you alive",
                "are you there",
                "are you running",
                "how are you",
                "you ok?",
                "whats up",
                "how is everything",
                "how are things",
                "ping",
                "uptime",
                "how many alerts today",
                "staus",
                "statsu report now please bot",
            ],
        ),
        (
            Overdue,
            &[
                "what's overdue",
                "whats overdue",
                "what is overdue",
                "anything overdue?",
                "overdue",
                "overdue tasks",
                "what's late",
                "anything late?",
                "what am i behind on",
                "am i behind",
                "overdeu",
                "what's past due",
            ],
        ),
        (
            DueToday,
            &[
                "what's due today",
                "whats due today",
                "due today",
                "anything due today?",
                "what's due",
                "what is due today",
                "tasks due today",
                "my tasks",
                "what are my tasks",
                "todo list",
                "what do i have due today",
            ],
        ),
        (
            Brief,
            &[
                "brief",
                "morning brief",
                "brief me",
                "give me the brief",
                "daily brief",
                "briefing",
                "my briefing",
                "summary",
                "daily summary",
                "good morning",
                "morning",
                "what does my day look like",
                "whats on today",
                "agenda",
                "breif",
                "breifing tmrw pls",
            ],
        ),
        (
            Week,
            &[
                "week",
                "how was my week",
                "weekly",
                "weekly summary",
                "weekly review",
                "this week",
                "how did this week go",
                "my week",
            ],
        ),
        (
            Check,
            &[
                "anything new?",
                "anything new",
                "check now",
                "check",
                "check please",
                "what's new",
                "any news",
                "any updates",
                "refresh",
                "run a check",
                "check again",
            ],
        ),
        (
            Review,
            &[
                "review",
                "how useful were the alerts",
                "were the alerts useful",
                "alert review",
                "feedback",
                "alert stats",
                "how helpful were the alerts",
                "are the alerts noisy",
            ],
        ),
        (
            Help,
            &[
                "help",
                "help me",
                "help!",
                "/help",
                "what can you do",
                "what do you do",
                "commands",
                "menu",
                "how do i snooze",
                "how to use this",
                "how does this work",
                "what can i say",
                "help snooze",
                "hey, can you help",
            ],
        ),
    ];
    groups
        .iter()
        .flat_map(|(q, texts)| texts.iter().map(move |t| (*t, ask(*q))))
        .collect()
}

/// Every positive table at [`WED`] without quiet hours.
fn positive_wed() -> Vec<(&'static str, Intent)> {
    let mut cases = snooze_lengths();
    cases.extend(snooze_scopes());
    cases.extend(snooze_politeness());
    cases.extend(snooze_points());
    cases.extend(snooze_off_and_list());
    cases.extend(quiet_cases());
    cases.extend(questions());
    cases
}

#[test]
fn snooze_lengths_table() {
    check(WED, None, &snooze_lengths());
}

#[test]
fn snooze_scopes_table() {
    check(WED, None, &snooze_scopes());
}

#[test]
fn snooze_politeness_table() {
    check(WED, None, &snooze_politeness());
}

#[test]
fn snooze_points_table() {
    check(WED, None, &snooze_points());
}

#[test]
fn snooze_off_and_list_table() {
    check(WED, None, &snooze_off_and_list());
}

#[test]
fn quiet_table() {
    check(WED, None, &quiet_cases());
}

#[test]
fn questions_table() {
    check(WED, None, &questions());
}

// ---------------------------------------------------------------------------------------
// "tomorrow" and "tonight", with quiet hours and without

#[test]
fn tomorrow_and_tonight_follow_quiet_hours() {
    // 15:00 with quiet hours 22-7: tomorrow is 7:00, tonight 22:00.
    check(
        "2026-06-10 15:00",
        qh(22, 7),
        &[
            ("snooze until tomorrow", all("2026-06-11 07:00")),
            ("mute tasks till tomorrow", tasks("2026-06-11 07:00")),
            ("quiet until tomorrow", quiet_until("2026-06-11 07:00")),
            ("dnd till tomorrow", quiet_until("2026-06-11 07:00")),
            ("snooze until the morning", all("2026-06-11 07:00")),
            ("snooze until tomorrow morning", all("2026-06-11 07:00")),
            ("snooze for the night", all("2026-06-11 07:00")),
            ("snooze for today", all("2026-06-11 07:00")),
            ("snooze until tonight", all("2026-06-10 22:00")),
            ("quiet until tonight", quiet_until("2026-06-10 22:00")),
            // Explicit times and weekdays ignore quiet hours.
            ("snooze until tomorrow 9am", all("2026-06-11 09:00")),
            ("snooze until monday", all("2026-06-15 09:00")),
            ("snooze until 11 tonight", all("2026-06-10 23:00")),
        ],
    );
    // Quiet hours 23-6:30 cannot be; 21-8: tomorrow 8:00, tonight 21:00.
    check(
        "2026-06-10 15:00",
        qh(21, 8),
        &[
            ("snooze until tomorrow", all("2026-06-11 08:00")),
            ("snooze until tonight", all("2026-06-10 21:00")),
        ],
    );
    // Without quiet hours: 9:00 and 22:00.
    check(
        "2026-06-10 15:00",
        None,
        &[
            ("snooze until tomorrow", all("2026-06-11 09:00")),
            ("snooze until tonight", all("2026-06-10 22:00")),
        ],
    );
    // Quiet hours that are disabled in effect (start == end) count as none.
    check(
        "2026-06-10 15:00",
        qh(7, 7),
        &[
            ("snooze until tomorrow", all("2026-06-11 09:00")),
            ("snooze until tonight", all("2026-06-10 22:00")),
        ],
    );
}

#[test]
fn tomorrow_and_tonight_in_the_small_hours() {
    // 01:00, inside quiet hours 22-7: "tomorrow" is the end of this night (next 7:00, as the
    // alert's Tomorrow button); "tonight" has already begun.
    check(
        "2026-06-11 01:00",
        qh(22, 7),
        &[
            ("snooze until tomorrow", all("2026-06-11 07:00")),
            ("quiet until tomorrow", quiet_until("2026-06-11 07:00")),
            ("snooze until tonight", bad("snooze", Problem::NightStarted)),
            ("quiet until tonight", bad("quiet", Problem::NightStarted)),
            // An explicit "tomorrow 9am" is the next calendar day.
            ("snooze until tomorrow 9am", all("2026-06-12 09:00")),
        ],
    );
    // 01:00 without quiet hours: the next 9:00.
    check(
        "2026-06-11 01:00",
        None,
        &[
            ("snooze until tomorrow", all("2026-06-11 09:00")),
            ("snooze until tonight", all("2026-06-11 22:00")),
        ],
    );
    // 23:00 without quiet hours: the night has begun at 22:00.
    check(
        "2026-06-10 23:00",
        None,
        &[
            ("snooze until tomorrow", all("2026-06-11 09:00")),
            ("snooze until tonight", bad("snooze", Problem::NightStarted)),
            ("snooze until midnight", all("2026-06-11 00:00")),
            ("snooze until 1am tonight", all("2026-06-11 01:00")),
        ],
    );
    // Less than a minute before quiet hours end, "tomorrow" is the next morning's end.
    check(
        "2026-06-11 06:59:30",
        qh(22, 7),
        &[
            ("snooze until tomorrow", all("2026-06-12 07:00")),
            ("snooze until 7am", bad("snooze", Problem::TooShort)),
        ],
    );
    // Quiet hours 1-8 that do not wrap midnight: at 23:30 tonight is 1:00.
    check(
        "2026-06-10 23:30",
        qh(1, 8),
        &[
            ("snooze until tonight", all("2026-06-11 01:00")),
            ("snooze until tomorrow", all("2026-06-11 08:00")),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Times just past, weekdays, limits

#[test]
fn times_just_past_mean_tomorrow() {
    check(
        "2026-06-10 15:05",
        None,
        &[
            ("snooze until 3pm", all("2026-06-11 15:00")),
            ("snooze until 15:00", all("2026-06-11 15:00")),
            ("snooze until 3", all("2026-06-11 03:00")),
            ("snooze until 3:06pm", all("2026-06-10 15:06")),
            ("snooze until 3:05pm", all("2026-06-11 15:05")),
            ("snooze until 5pm today", all("2026-06-10 17:00")),
            ("snooze until 3pm today", bad("snooze", Problem::InPast)),
            ("snooze until 3 today", bad("snooze", Problem::InPast)),
            ("quiet until 3pm", quiet_until("2026-06-11 15:00")),
            ("quiet until 4", quiet_until("2026-06-10 16:00")),
            ("snooze until noon", all("2026-06-11 12:00")),
        ],
    );
    // Seconds count: at 15:05:30, 15:06 is 30 s away.
    check(
        "2026-06-10 15:05:30",
        None,
        &[
            ("snooze until 15:06", bad("snooze", Problem::TooShort)),
            ("snooze until 15:07", all("2026-06-10 15:07")),
        ],
    );
}

#[test]
fn weekdays() {
    // Monday 2026-06-15 10:00.
    check(
        "2026-06-15 10:00",
        None,
        &[
            ("snooze until monday", all("2026-06-22 09:00")),
            ("snooze until monday 5pm", all("2026-06-15 17:00")),
            ("snooze until monday 9am", all("2026-06-22 09:00")),
            ("snooze until monday 10am", all("2026-06-22 10:00")),
            ("snooze until mon 10:30am", all("2026-06-15 10:30")),
            ("snooze until mon 22:30", all("2026-06-15 22:30")),
            // On a named day a bare hour could be morning or evening.
            (
                "snooze until monday 10:00",
                bad("snooze", Problem::AmbiguousHour),
            ),
            ("snooze until tuesday", all("2026-06-16 09:00")),
            ("snooze until sunday", all("2026-06-21 09:00")),
            ("snooze until sunday 23:59", all("2026-06-21 23:59")),
            (
                "quiet until monday morning",
                quiet_until("2026-06-22 09:00"),
            ),
        ],
    );
    // Sunday 23:30: "monday" is in half an hour's day, at 9:00.
    check(
        "2026-06-14 23:30",
        None,
        &[
            ("snooze until monday", all("2026-06-15 09:00")),
            ("snooze until sunday", all("2026-06-21 09:00")),
        ],
    );
}

#[test]
fn limits() {
    check(
        WED,
        None,
        &[
            ("snooze 30d", all("2026-07-10 10:00")),
            ("snooze 30d 1m", bad("snooze", Problem::TooLong)),
            ("snooze 43201m", bad("snooze", Problem::TooLong)),
            ("snooze 59s", bad("snooze", Problem::TooShort)),
            ("snooze 60s", all("2026-06-10 10:01")),
            ("quiet for 30 days", quiet_until("2026-07-10 10:00")),
            ("quiet for 31 days", bad("quiet", Problem::TooLong)),
            // A clock time is never more than a day away: at 10:00, "10:00" is 22:00
            // (a bare hour) and "10am" tomorrow's.
            ("snooze until 10:00", all("2026-06-10 22:00")),
            ("snooze until 10am", all("2026-06-11 10:00")),
        ],
    );
}

// ---------------------------------------------------------------------------------------
// DST: 2026-03-08 02:00 EST jumps to 03:00 EDT; 2026-11-01 02:00 EDT falls back to 01:00 EST.

#[test]
fn spring_forward_gap() {
    // 01:00 EST = 06:00 UTC on the night the clocks go forward.
    check_utc(
        utc("2026-03-08 06:00"),
        None,
        &[
            // 02:30 does not exist: the first instant after the gap, 03:00 EDT.
            ("snooze until 2:30am", all_utc(utc("2026-03-08 07:00"))),
            ("snooze until 2am", all_utc(utc("2026-03-08 07:00"))),
            ("snooze until 3am", all_utc(utc("2026-03-08 07:00"))),
            (
                "quiet until 2:30am",
                Intent::QuietUntil(utc("2026-03-08 07:00")),
            ),
            ("snooze until 4am", all_utc(utc("2026-03-08 08:00"))),
            // A length is real time: two hours later the wall clock says 04:00.
            ("snooze 2h", all_utc(utc("2026-03-08 08:00"))),
            ("snooze until 9am", all_utc(utc("2026-03-08 13:00"))),
            ("snooze until tomorrow", all_utc(utc("2026-03-08 13:00"))),
        ],
    );
    // Quiet hours ending at 2 on that night: "tomorrow" is the end of the gap.
    check_utc(
        utc("2026-03-08 04:00"), // 23:00 EST on the 7th
        qh(22, 2),
        &[("snooze until tomorrow", all_utc(utc("2026-03-08 07:00")))],
    );
    // 12:00 EST on the 7th: "1d" is 24 hours of real time (13:00 EDT on the wall clock), while
    // "tomorrow at noon" is 23 hours away.
    check(
        "2026-03-07 12:00",
        None,
        &[
            ("snooze 1d", all_utc(utc("2026-03-08 17:00"))),
            ("snooze 24 hours", all_utc(utc("2026-03-08 17:00"))),
            (
                "snooze until tomorrow at noon",
                all_utc(utc("2026-03-08 16:00")),
            ),
            ("snooze until tomorrow", all_utc(utc("2026-03-08 13:00"))),
            ("snooze until sunday 12pm", all_utc(utc("2026-03-08 16:00"))),
            (
                "snooze until sunday 12:00",
                bad("snooze", Problem::AmbiguousHour),
            ),
        ],
    );
    // With quiet hours 22-7 at 23:00 EST: tomorrow is 07:00 EDT = 11:00 UTC.
    check(
        "2026-03-07 23:00",
        qh(22, 7),
        &[(
            "dnd till tomorrow",
            Intent::QuietUntil(utc("2026-03-08 11:00")),
        )],
    );
}

#[test]
fn fall_back_overlap() {
    // 00:30 EDT = 04:30 UTC: 01:30 happens twice; the earlier (EDT) one counts.
    check_utc(
        utc("2026-11-01 04:30"),
        None,
        &[
            ("snooze until 1:30am", all_utc(utc("2026-11-01 05:30"))),
            (
                "quiet until 1:30",
                Intent::QuietUntil(utc("2026-11-01 05:30")),
            ),
            ("snooze until 3am", all_utc(utc("2026-11-01 08:00"))),
            ("snooze 2h", all_utc(utc("2026-11-01 06:30"))),
        ],
    );
    // 01:45 EDT (first pass): 01:30's earlier instant has passed, so it means tomorrow's.
    check_utc(
        utc("2026-11-01 05:45"),
        None,
        &[
            ("snooze until 1:30am", all_utc(utc("2026-11-02 06:30"))),
            ("snooze until 2am", all_utc(utc("2026-11-01 07:00"))),
        ],
    );
    // 01:30 EST (second pass): 02:00 EST is half an hour away.
    check_utc(
        utc("2026-11-01 06:30"),
        None,
        &[("snooze until 2am", all_utc(utc("2026-11-01 07:00")))],
    );
    // 12:00 EDT on the 31st: "1d" is 24 hours of real time (11:00 EST); "tomorrow" 09:00 EST.
    check(
        "2026-10-31 12:00",
        None,
        &[
            ("snooze 1d", all_utc(utc("2026-11-01 16:00"))),
            ("snooze until tomorrow", all_utc(utc("2026-11-01 14:00"))),
            (
                "snooze until tomorrow noon",
                all_utc(utc("2026-11-01 17:00")),
            ),
        ],
    );
    // Quiet hours 22-1 on the fall-back night: the end is the first 01:00 (EDT).
    check(
        "2026-10-31 23:00",
        qh(22, 1),
        &[("snooze until tomorrow", all_utc(utc("2026-11-01 05:00")))],
    );
}

// ---------------------------------------------------------------------------------------
// Refusals

/// Messages that must be refused, with the exact refusal.
fn refusals() -> Vec<(String, Intent)> {
    let cases: Vec<(&str, Intent)> = vec![
        ("snooze", nu("snooze")),
        ("snooze?", nu("snooze")),
        ("snooze banana", nu("snooze")),
        ("snooze 0m", bad("snooze", Problem::TooShort)),
        ("snooze 0 minutes", bad("snooze", Problem::TooShort)),
        ("snooze 30s", bad("snooze", Problem::TooShort)),
        ("snooze 45d", bad("snooze", Problem::TooLong)),
        ("snooze 31 days", bad("snooze", Problem::TooLong)),
        ("snooze 5 weeks", bad("snooze", Problem::TooLong)),
        (
            "snooze 99999999999999999999h",
            bad("snooze", Problem::TooLong),
        ),
        (
            "snooze 99999999999999999999 hours",
            bad("snooze", Problem::TooLong),
        ),
        ("snooze 1 month", bad("snooze", Problem::TooLong)),
        ("snooze a year", bad("snooze", Problem::TooLong)),
        ("snooze forever", bad("snooze", Problem::TooLong)),
        (
            "snooze until further notice",
            bad("snooze", Problem::TooLong),
        ),
        ("snooze 30", bad("snooze", Problem::NoUnit)),
        ("snooze for 2", bad("snooze", Problem::NoUnit)),
        ("snooze health 90", bad("snooze", Problem::NoUnit)),
        ("snooze a few hours", bad("snooze", Problem::Vague)),
        (
            "snooze for a couple of hours",
            bad("snooze", Problem::Vague),
        ),
        ("snooze for a while", bad("snooze", Problem::Vague)),
        ("snooze for some time", bad("snooze", Problem::Vague)),
        ("snooze for now", bad("snooze", Problem::Vague)),
        ("snooze later", bad("snooze", Problem::Vague)),
        ("snooze until later", bad("snooze", Problem::Vague)),
        ("snooze until today", bad("snooze", Problem::Vague)),
        ("snooze health", nu("snooze")),
        ("snooze health alerts", nu("snooze")),
        (
            "snooze health and tasks 2h",
            bad("snooze", Problem::OneClass),
        ),
        ("snooze health 2h tasks", bad("snooze", Problem::OneClass)),
        ("snooze 2h 3h", nu("snooze")),
        ("snooze 30m 1h", nu("snooze")),
        ("snooze 2h or 3h", nu("snooze")),
        ("snooze -1h", nu("snooze")),
        ("snooze 1.5.5h", nu("snooze")),
        ("snooze 1,5h", bad("snooze", Problem::NoUnit)),
        ("snooze until 25:00", bad("snooze", Problem::BadTime)),
        ("snooze until 13pm", bad("snooze", Problem::BadTime)),
        ("snooze until 0am", bad("snooze", Problem::BadTime)),
        ("snooze until 3:75", bad("snooze", Problem::BadTime)),
        (
            "snooze until next monday",
            bad("snooze", Problem::AmbiguousDay),
        ),
        (
            "snooze until next week",
            bad("snooze", Problem::AmbiguousDay),
        ),
        (
            "snooze until friday 5",
            bad("snooze", Problem::AmbiguousHour),
        ),
        (
            "snooze until tomorrow 8",
            bad("snooze", Problem::AmbiguousHour),
        ),
        (
            "snooze tasks till tomorrow at 9",
            bad("snooze", Problem::AmbiguousHour),
        ),
        (
            "snooze until midnight tomorrow",
            bad("snooze", Problem::AmbiguousDay),
        ),
        ("snooze until 9am today", bad("snooze", Problem::InPast)),
        ("snooze in 2 hours", nu("snooze")),
        ("snooze health until", nu("snooze")),
        ("snooze until banana", nu("snooze")),
        ("snooze until 3pm not", nu("snooze")),
        ("snooze until 3pm and 4pm", nu("snooze")),
        ("snooze until the evening", nu("snooze")),
        ("snooze until 1530", nu("snooze")),
        ("snooze 2h later", nu("snooze")),
        ("snooze １h", nu("snooze")),
        ("mute", nu("snooze")),
        ("mute?", nu("snooze")),
        ("pause", nu("snooze")),
        ("silence", nu("snooze")),
        ("snoze 2h", nu("snooze")),
        ("snooz health 1h", nu("snooze")),
        ("snozze for an hour", nu("snooze")),
        ("unsnooze health", bad("snooze", Problem::OffClearsAll)),
        ("stop snoozing tasks", bad("snooze", Problem::OffClearsAll)),
        ("snooze health off", bad("snooze", Problem::OffClearsAll)),
        ("unmute patterns", bad("snooze", Problem::OffClearsAll)),
        ("unsnooze banana", nu("snooze")),
        ("unsnooze in 2h", nu("snooze")),
        ("don't snooze", nu("snooze")),
        ("do not snooze health", nu("snooze")),
        ("never mute tasks", nu("snooze")),
        ("health snooze 2h", nu("snooze")),
        ("2h snooze", nu("snooze")),
        ("can i snooze for 2h", nu("snooze")),
        ("stop alerts", nu("snooze")),
        ("turn off health alerts", nu("snooze")),
        ("quiet 25-7", bad("quiet", Problem::BadHour)),
        ("quiet 24-7", bad("quiet", Problem::BadHour)),
        ("quiet 22-13pm", bad("quiet", Problem::BadHour)),
        ("quiet 7-7", bad("quiet", Problem::SameHours)),
        ("quiet 7am-7", bad("quiet", Problem::SameHours)),
        ("quiet 22:30-7", bad("quiet", Problem::WholeHours)),
        ("quiet 10-7", bad("quiet", Problem::AmbiguousRange)),
        ("quiet 10 to 7am", bad("quiet", Problem::AmbiguousRange)),
        ("quiet 12-8", bad("quiet", Problem::AmbiguousRange)),
        ("quiet 8", bad("quiet", Problem::NoUnit)),
        ("quiet banana", nu("quiet")),
        ("quiet now", nu("quiet")),
        ("quiet on 22-7", nu("quiet")),
        ("do not disturb", nu("quiet")),
        ("dnd", nu("quiet")),
        ("be quiet", nu("quiet")),
        ("set quiet hours", nu("quiet")),
        ("quiet for 45 days", bad("quiet", Problem::TooLong)),
        ("dnd 0m", bad("quiet", Problem::TooShort)),
        (
            "quiet until 7 tomorrow",
            bad("quiet", Problem::AmbiguousHour),
        ),
        (
            "quiet until next friday",
            bad("quiet", Problem::AmbiguousDay),
        ),
        ("turn off quiet until 8", nu("quiet")),
        ("quite 23-7", nu("quiet")),
        ("quiet 23-7 and 1-5", nu("quiet")),
        ("don't be quiet", nu("quiet")),
        ("quiet hours 22-7 tomorrow", nu("quiet")),
        ("what's due tomorrow", nu("overdue")),
        ("due tomorrow", nu("overdue")),
        ("anything due friday", nu("overdue")),
        ("snooze 2h!!1", nu("snooze")),
        ("snooze 1-2 hours", nu("snooze")),
        ("snooze 2-3h", nu("snooze")),
        ("snooze 2h 1", nu("snooze")),
        ("quiet hours 22 to 7 on weekdays", nu("quiet")),
        ("sleep 2h", nu("readiness")),
        ("hrv 2h", nu("readiness")),
        ("later", nu("snooze")),
        ("snooze health for 2 hours but not tasks", nu("snooze")),
        ("don't snooze health for 2 hours", nu("snooze")),
        ("snooze health for 2 hours? no wait", nu("snooze")),
        ("snooze 2h or not", nu("snooze")),
        ("snooze until i wake up", bad("snooze", Problem::Vague)),
        ("snooze until 3 or 4", nu("snooze")),
        ("snooze until 3pm maybe", nu("snooze")),
        ("maybe snooze 2h", nu("snooze")),
        ("should i snooze 2h", nu("snooze")),
        ("snooze for 2 hours from 3pm", nu("snooze")),
        ("snooze from 3pm to 5pm", nu("snooze")),
        ("snooze between 3 and 5", nu("snooze")),
        ("snooze at 3pm", nu("snooze")),
        ("snooze tomorrow", nu("snooze")),
        ("snooze monday", nu("snooze")),
        ("snooze 3pm", nu("snooze")),
        ("snooze everything except health 2h", nu("snooze")),
        ("snooze non critical alerts 2h", nu("snooze")),
        ("snooze critical alerts 2h", nu("snooze")),
        ("snooze system alerts 2h", nu("snooze")),
        ("snooze sleep alerts 2h", nu("snooze")),
        ("snooze for health 2h", nu("snooze")),
        ("snooze an hour or two", nu("snooze")),
        ("snooze hour", nu("snooze")),
        ("snooze off for 2 hours", nu("snooze")),
        ("unsnooze in an hour", nu("snooze")),
        ("no more snoozes", nu("snooze")),
        ("did you snooze health", nu("snooze")),
        ("mute the chat", nu("snooze")),
        ("mute yourself", nu("snooze")),
        ("shush for an hour", nu("snooze")),
        ("leave me alone until tomorrow", nu("snooze")),
        ("until 3pm", nu("snooze")),
        ("for 2 hours", nu("help")),
        ("2h", nu("help")),
        ("remind me in 2 hours", nu("help")),
        ("quiet until 8 not 9", nu("quiet")),
        ("quiet every night 22-7", nu("quiet")),
        ("quiet tonight", nu("quiet")),
        ("no quiet hours", nu("quiet")),
        ("i don't want quiet hours", nu("quiet")),
        ("quiet hours off tomorrow", nu("quiet")),
        ("do not disturb tonight", nu("quiet")),
        ("don't disturb me", nu("quiet")),
        ("turn off quiet hours for tonight", nu("quiet")),
        ("delete everything", nu("help")),
        ("", nu("help")),
        ("   ", nu("help")),
        ("?", nu("help")),
        ("!!!???", nu("help")),
        ("😀😀😀", nu("help")),
        ("👍", nu("help")),
        ("thanks", nu("help")),
        ("thank you!", nu("help")),
        ("asdfghjkl", nu("help")),
        ("сон 2ч", nu("help")),
        ("ｓｎｏｏｚｅ ２ｈ", nu("help")),
        ("i love pizza and long walks on the beach", nu("help")),
        ("stop", nu("help")),
        ("yes", nu("help")),
        ("no", nu("help")),
        ("what's the weather", nu("help")),
    ];
    let mut owned: Vec<(String, Intent)> =
        cases.into_iter().map(|(t, i)| (t.to_owned(), i)).collect();
    // Too long to be a command, whatever it says.
    owned.push(("lorem ipsum dolor sit amet ".repeat(150), nu("help")));
    owned.push(("snooze 2h ".repeat(400), nu("snooze")));
    owned.push((format!("snooze 2h{}", " ".repeat(4000)), nu("snooze")));
    owned.push(("x".repeat(4000), nu("help")));
    owned.push((["snooze"; 40].join(" "), nu("snooze")));
    owned
}

#[test]
fn refusals_table() {
    let now = ny(WED);
    let failures: Vec<String> = refusals()
        .iter()
        .filter_map(|(text, want)| {
            let got = parse_at(text, now, None);
            let shown: String = text.chars().take(60).collect();
            (got != *want || got.changes_state())
                .then(|| format!("  {shown:?}\n    want {want:?}\n    got  {got:?}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "refusals failed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn refusals_never_change_state_with_quiet_hours_either() {
    for (text, _) in refusals() {
        for quiet in [None, qh(22, 7), qh(0, 8)] {
            let got = parse_at(&text, ny(WED), quiet);
            assert!(!got.changes_state(), "{text:?} with {quiet:?}: {got:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Spelling variants, examples, the API's small promises

/// The same message as a person might type it differently.
fn variants(text: &str) -> Vec<String> {
    vec![
        text.to_uppercase(),
        format!("please {text}"),
        format!("{text} please"),
        format!("{text}!"),
        format!("{text}?!."),
        format!("  {}  ", text.replace(' ', "   ")),
        format!("hey, {text}"),
        format!("{text}, thanks"),
        format!("{text} 🙏"),
    ]
}

#[test]
fn variants_parse_alike() {
    let now = ny(WED);
    let mut failures = Vec::new();
    for (text, want) in positive_wed() {
        for variant in variants(text) {
            let got = parse_at(&variant, now, None);
            if got != want {
                failures.push(format!(
                    "  {variant:?}\n    want {want:?}\n    got  {got:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} variants failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every word of a state change counts: an unknown word anywhere in one makes it refused,
/// never ignored.
#[test]
fn an_unknown_word_anywhere_refuses_a_state_change() {
    let now = ny(WED);
    let mut failures = Vec::new();
    let mut tried = 0;
    for (text, want) in positive_wed() {
        if !want.changes_state() {
            continue;
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        for at in 0..=words.len() {
            let mut changed = words.clone();
            changed.insert(at, "zork");
            let changed = changed.join(" ");
            tried += 1;
            let got = parse_at(&changed, now, None);
            if got.changes_state() {
                failures.push(format!("  {changed:?} gave {got:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {tried} accepted:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn apostrophes_are_optional() {
    let now = ny(WED);
    for (with, without) in [
        ("what's overdue", "whats overdue"),
        ("what’s due today", "whats due today"),
        (
            "don't disturb me till tomorrow",
            "dont disturb me till tomorrow",
        ),
        ("how's my hrv", "hows my hrv"),
        ("what's snoozed", "whats snoozed"),
    ] {
        assert_eq!(
            parse_at(with, now, None),
            parse_at(without, now, None),
            "{with}"
        );
    }
}

#[test]
fn every_example_parses_to_its_command() {
    let nows = [
        ny(WED),
        ny("2026-06-10 23:30"),
        ny("2026-06-11 03:00"),
        utc("2026-03-08 06:30"),
        utc("2026-11-01 05:45"),
    ];
    for command in COMMANDS {
        let list = examples(command);
        assert!(!list.is_empty(), "{command} has no examples");
        for example in list {
            for now in nows {
                for quiet in [None, qh(22, 7)] {
                    let got = parse_at(example, now, quiet);
                    assert!(
                        got.command() == command
                            && !matches!(
                                got,
                                Intent::Invalid { .. } | Intent::NotUnderstood { .. }
                            ),
                        "{command}: example {example:?} at {now} ({quiet:?}) gave {got:?}"
                    );
                }
            }
        }
    }
    assert!(examples("nonsense").is_empty());
}

#[test]
fn refusals_name_a_command_and_a_working_example() {
    let now = ny(WED);
    for (text, _) in refusals() {
        let (command, example) = match parse_at(&text, now, None) {
            Intent::Invalid {
                command, example, ..
            } => (command, example),
            Intent::NotUnderstood { closest, example } => (closest, example),
            other => panic!("{text:?} was not refused: {other:?}"),
        };
        assert!(COMMANDS.contains(&command), "{text:?}: {command}");
        let parsed = parse_at(example, now, None);
        assert_eq!(parsed.command(), command, "{text:?}: example {example:?}");
        assert!(
            !matches!(
                parsed,
                Intent::Invalid { .. } | Intent::NotUnderstood { .. }
            ),
            "{text:?}: example {example:?} gave {parsed:?}"
        );
    }
}

#[test]
fn problems_explain_themselves() {
    let all = [
        Problem::TooShort,
        Problem::TooLong,
        Problem::NoUnit,
        Problem::Vague,
        Problem::AmbiguousHour,
        Problem::AmbiguousDay,
        Problem::InPast,
        Problem::BadTime,
        Problem::BadHour,
        Problem::WholeHours,
        Problem::SameHours,
        Problem::AmbiguousRange,
        Problem::OneClass,
        Problem::OffClearsAll,
        Problem::NightStarted,
    ];
    for p in all {
        let text = p.to_string();
        assert!(text.len() > 10 && text.len() < 80, "{p:?}: {text}");
    }
    assert_eq!(Problem::TooLong.to_string(), "it can last at most 30 days");
}

#[test]
fn intents_know_their_command() {
    assert_eq!(Intent::SnoozeOff.command(), "snooze");
    assert_eq!(Intent::QuietShow.command(), "quiet");
    assert_eq!(Intent::Ask(Question::DueToday).command(), "overdue");
    assert_eq!(Intent::Ask(Question::Week).command(), "week");
    assert!(Intent::QuietOn.changes_state());
    assert!(!Intent::SnoozeList.changes_state());
    assert!(!Intent::QuietShow.changes_state());
    assert_eq!(Class::Patterns.as_str(), "patterns");
}

/// The number of phrasings in the tables (reported by `cargo test -- --nocapture`).
#[test]
fn table_size() {
    let (positive, refused) = (positive_wed().len(), refusals().len());
    let tables = positive + refused;
    println!(
        "table cases: {tables} ({positive} accepted, {refused} refused; \
         + DST, quiet-hours, weekday and limit groups)"
    );
    assert!(tables >= 300, "{tables}");
}

// ---------------------------------------------------------------------------------------
// Fuzz

/// The time budget of one parse. Measured as the best of three runs so that a test thread
/// descheduled on a busy 2-core machine does not fail the bound.
/// Parses `text` at `now`: the fuzz and worst-case tests check what comes back; how long it
/// takes is bounded by construction ([`MAX_CHARS`], [`MAX_WORDS`], linear passes) and
/// measured in `benches/replies.rs` (`words/*`), not timed here.
fn parsed(text: &str, now: DateTime<Utc>, quiet: Option<QuietHours>) -> Intent {
    parse_at(text, now, quiet)
}

/// What any result must satisfy.
fn sane(text: &str, now: DateTime<Utc>, got: &Intent) {
    match *got {
        Intent::Snooze { until, .. } | Intent::QuietUntil(until) => {
            let length = until - now;
            assert!(
                length >= MIN_PERIOD && length <= MAX_PERIOD,
                "{text:?}: {length}"
            );
        }
        Intent::QuietHours { start, end } => {
            assert!(start <= 23 && end <= 23 && start != end, "{text:?}");
        }
        _ => {}
    }
    assert!(COMMANDS.contains(&got.command()), "{text:?}: {got:?}");
    if got.changes_state() {
        assert!(text.chars().count() <= MAX_CHARS, "{text:?}");
    }
}

/// Words, numbers and punctuation the parser knows, mixed with noise.
fn wordy() -> impl Strategy<Value = String> {
    let vocab = prop::sample::select(vec![
        "snooze", "mute", "unsnooze", "quiet", "hours", "dnd", "do", "not", "disturb", "until",
        "till", "for", "next", "a", "an", "half", "and", "hour", "hours", "h", "m", "d", "min",
        "day", "week", "tomorrow", "tonight", "today", "morning", "monday", "fri", "at", "on",
        "am", "pm", "noon", "midnight", "health", "tasks", "patterns", "all", "off", "on", "-",
        "to", "from", "between", "please", "can", "you", "what", "whats", "due", "overdue", "how",
        "did", "i", "sleep", "brief", "week", "check", "new", "help", "status", "few", "in", "the",
        "oclock", "3pm", "15:00", "3:30", "1h30m", "2.5h", "12am", "0:00", "99", "23-7", "seven",
        "thirty", "forty", "five", "1.5.5", "9am", "next", "stop", "turn",
    ]);
    let number = prop_oneof![
        (0u64..100).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        "[0-9]{10,40}".prop_map(|s| s),
        ("[0-9]{1,30}", "[hmdws]").prop_map(|(n, u)| format!("{n}{u}")),
        ("[0-9]{1,3}", "[:.]", "[0-9]{1,3}", "(am|pm)?")
            .prop_map(|(a, s, b, m)| format!("{a}{s}{b}{m}")),
    ];
    let junk = "[^a-z0-9 ]{1,3}";
    let token = prop_oneof![
        6 => vocab.prop_map(str::to_owned),
        3 => number,
        1 => junk.prop_map(|s| s),
    ];
    let sep = prop::sample::select(vec![" ", "  ", ", ", "-", "!", "\t", "’", ":", "."]);
    prop::collection::vec((token, sep), 0..48).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(t, s)| format!("{t}{s}"))
            .collect::<String>()
    })
}

/// Mostly an instant from 1971 to 2100, sometimes any instant chrono can hold (the ends of
/// time included); any quiet hours, nonsense ones included.
fn context() -> impl Strategy<Value = (DateTime<Utc>, Option<QuietHours>)> {
    let at = |s: i64| DateTime::from_timestamp(s, 0).unwrap_or_default();
    let now = prop_oneof![
        8 => (31_536_000i64..4_102_444_800).prop_map(at),
        1 => any::<i64>().prop_map(move |s| at(s % 8_200_000_000_000)),
        1 => prop::sample::select(vec![DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC]),
    ];
    let quiet =
        prop::option::of((0u8..=30, 0u8..=30).prop_map(|(start, end)| QuietHours { start, end }));
    (now, quiet)
}

/// Cases per fuzz test: `cases` in the test suite, `OPERATOR_FUZZ_CASES` for the long runs of
/// `scripts/fuzz.sh`.
fn fuzz_cases(cases: u32) -> u32 {
    std::env::var("OPERATOR_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(512), ..ProptestConfig::default() })]

    /// Arbitrary unicode up to 4096 characters: no panic, sane results.
    #[test]
    fn fuzz_arbitrary_text(text in "(?s).{0,4096}") {
        let now = ny(WED);
        let got = parsed(&text, now, qh(22, 7));
        sane(&text, now, &got);
    }

    /// Short arbitrary text at arbitrary instants and quiet hours.
    #[test]
    fn fuzz_short_text_any_time(text in "(?s).{0,64}", (now, quiet) in context()) {
        let got = parsed(&text, now, quiet);
        sane(&text, now, &got);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(4096), ..ProptestConfig::default() })]

    /// Messages made of the parser's own words and numbers (huge ones included), at any
    /// instant: no panic, sane results, and case and punctuation never
    /// change a state-changing answer.
    #[test]
    fn fuzz_known_words((text, (now, quiet)) in (wordy(), context())) {
        let got = parsed(&text, now, quiet);
        sane(&text, now, &got);
        if got.changes_state() {
            let shouted = format!("{}!", text.to_uppercase());
            prop_assert_eq!(parse_at(&shouted, now, quiet), got, "{:?}", shouted);
        }
    }

    /// Any length in digits with any unit: refused or within the limits, never a panic.
    #[test]
    fn fuzz_huge_numbers(n in "[0-9]{1,60}", unit in "(h|m|d|w|s| hours| minutes| days)") {
        let text = format!("snooze {n}{unit}");
        let now = ny(WED);
        let got = parsed(&text, now, None);
        sane(&text, now, &got);
    }
}

#[test]
fn worst_case_inputs_are_refused_without_a_change() {
    let now = ny(WED);
    let cases = [
        "a".repeat(4096),
        "snooze ".repeat(600),
        "1".repeat(4096),
        "1h".repeat(2048),
        "9".repeat(4000) + "h",
        "- ".repeat(2048),
        ": ".repeat(2048),
        "é".repeat(4096),
        "İ".repeat(4096),
        "😀".repeat(4096),
        format!("snooze {}", "and a half ".repeat(20)),
        format!("snooze until {}", "next ".repeat(20)),
        ["readinesz"; 30].join(" "),
        ["abcdefghijklmnop"; 16].join(" "),
    ];
    for text in cases {
        let got = parsed(&text, now, qh(22, 7));
        sane(&text, now, &got);
        assert!(!got.changes_state(), "{got:?}");
    }
}

#[test]
fn the_ends_of_time_do_not_panic() {
    let texts = [
        "snooze 2h",
        "snooze 30d",
        "snooze until tomorrow",
        "snooze until tonight",
        "snooze until 3pm",
        "snooze until 8",
        "snooze until monday 9am",
        "snooze until midnight today",
        "quiet until 2:30am",
        "quiet 23-7",
        "snooze until tomorrow 9am",
    ];
    for now in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
        for text in texts {
            for quiet in [None, qh(22, 7)] {
                let got = parse_at(text, now, quiet);
                sane(text, now, &got);
            }
        }
    }
}

#[test]
fn durations_are_real_time_at_any_instant() {
    // "snooze 1d" is always exactly 24 hours, whatever the wall clock does.
    for local in [
        "2026-03-07 02:30",
        "2026-03-07 12:00",
        "2026-10-31 01:30",
        "2026-12-31 23:59",
    ] {
        let now = ny(local);
        assert_eq!(
            parse_at("snooze 1d", now, None),
            all_utc(now + Duration::hours(24)),
            "{local}"
        );
    }
}
