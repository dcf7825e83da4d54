//! The user's time zone, read from the system's time zone database (the TZif files under
//! `$TZDIR`, `/usr/share/zoneinfo` or `/etc/zoneinfo`, which macOS and Linux keep current)
//! and used through chrono as [`Zone`].
//!
//! Why not a compiled-in database (chrono-tz): its tables are about a megabyte of pointers
//! that a position-independent binary must relocate at every start, so they stay resident as
//! dirty memory in an idle daemon (BENCHMARKS.md, idle memory), and the rules in a binary
//! age: a country changing its DST rules is fixed by the next OS update, not by rebuilding
//! Operator. The TZif format carries every transition plus a rule for the years after the
//! last one; `tz-rs` reads both.
//!
//! No IO after [`Zone::named`]: conversions are lookups in the parsed file.

use std::fmt;
use std::sync::Arc;

use chrono::{FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone};

/// A named time zone (`America/New_York`). Cheap to clone (shared); compares by name.
#[derive(Clone)]
pub struct Zone(Arc<Inner>);

struct Inner {
    name: String,
    tz: tz::TimeZone,
}

/// Why a zone name was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    #[error("{0:?} is not a time zone name (expected an IANA name such as \"America/New_York\")")]
    BadName(String),
    #[error("unknown time zone {name:?}: no such zone in the system's time zone database ({dirs})")]
    Unknown { name: String, dirs: String },
}

/// Where the system keeps its TZif files: `$TZDIR` first, then the usual places.
fn directories() -> Vec<String> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("TZDIR").filter(|d| !d.is_empty()) {
        dirs.push(dir.to_string_lossy().into_owned());
    }
    dirs.extend(
        tz::TimeZoneSettings::DEFAULT_DIRECTORIES
            .iter()
            .map(|d| (*d).to_owned()),
    );
    dirs
}

/// Whether `name` looks like a zone name (no path tricks: it is joined to a directory).
fn plausible(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('/')
        && !name
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'))
}

impl Zone {
    /// UTC.
    pub fn utc() -> Zone {
        Zone(Arc::new(Inner {
            name: "UTC".to_owned(),
            tz: tz::TimeZone::utc(),
        }))
    }

    /// The zone `name` from the system's time zone database. "UTC" always works.
    /// The system's zone (by its IANA name, from the tz database), else UTC.
    pub fn system() -> Zone {
        iana_time_zone::get_timezone()
            .ok()
            .and_then(|name| Zone::named(&name).ok())
            .unwrap_or_else(Zone::utc)
    }

    pub fn named(name: &str) -> Result<Zone, ZoneError> {
        let name = name.trim();
        if !plausible(name) {
            return Err(ZoneError::BadName(name.to_owned()));
        }
        if matches!(name, "UTC" | "Etc/UTC" | "Zulu" | "Etc/Zulu") {
            let mut zone = Zone::utc();
            if let Some(inner) = Arc::get_mut(&mut zone.0) {
                inner.name = name.to_owned();
            }
            return Ok(zone);
        }
        let dirs = directories();
        for dir in &dirs {
            let path = std::path::Path::new(dir).join(name);
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            if let Ok(tz) = tz::TimeZone::from_tz_data(&bytes) {
                return Ok(Zone(Arc::new(Inner {
                    name: name.to_owned(),
                    tz,
                })));
            }
        }
        Err(ZoneError::Unknown {
            name: name.to_owned(),
            dirs: dirs.join(", "),
        })
    }

    /// Every zone name in the system database (for "did you mean"); empty if unreadable.
    pub fn known_names() -> Vec<String> {
        fn walk(base: &std::path::Path, dir: &std::path::Path, depth: u8, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    if depth < 3 {
                        walk(base, &path, depth + 1, out);
                    }
                } else if let Ok(rel) = path.strip_prefix(base) {
                    let name = rel.to_string_lossy().into_owned();
                    if name.starts_with(|c: char| c.is_ascii_uppercase()) && plausible(&name) {
                        out.push(name);
                    }
                }
            }
        }
        let mut names = Vec::new();
        if let Some(dir) = directories()
            .into_iter()
            .find(|d| std::path::Path::new(d).is_dir())
        {
            let base = std::path::PathBuf::from(dir);
            walk(&base, &base, 0, &mut names);
        }
        names.sort();
        names.dedup();
        names
    }

    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The UTC offset in seconds in force at `unix_time` (0 for a time the file cannot place,
    /// which a valid file never leaves).
    fn seconds_at(&self, unix_time: i64) -> i64 {
        self.0
            .tz
            .as_ref()
            .find_local_time_type(unix_time)
            .map_or(0, |t| i64::from(t.ut_offset()))
    }

    /// The offset in force at `unix_time` (UTC for a time the file cannot place, which a
    /// valid file never leaves).
    fn offset_at(&self, unix_time: i64) -> ZoneOffset {
        let found = self.0.tz.as_ref().find_local_time_type(unix_time).ok();
        let seconds = found.map_or(0, tz::LocalTimeType::ut_offset);
        ZoneOffset {
            zone: self.clone(),
            fixed: FixedOffset::east_opt(seconds).unwrap_or_else(|| chrono::Utc.fix()),
            abbreviation: Abbreviation::new(
                found.map_or("UTC", tz::LocalTimeType::time_zone_designation),
            ),
        }
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A zone's abbreviation ("EST"), inline (TZif abbreviations are at most a few bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Abbreviation([u8; 8], u8);

impl Abbreviation {
    fn new(text: &str) -> Abbreviation {
        let mut bytes = [0u8; 8];
        let mut len = 0;
        for (slot, b) in bytes.iter_mut().zip(text.bytes()) {
            *slot = b;
            len += 1;
        }
        Abbreviation(bytes, len)
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0[..usize::from(self.1)]).unwrap_or("")
    }
}

/// The offset of a [`Zone`] at one instant: chrono's `Offset` for `DateTime<Zone>`.
#[derive(Clone, PartialEq, Eq)]
pub struct ZoneOffset {
    zone: Zone,
    fixed: FixedOffset,
    abbreviation: Abbreviation,
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl fmt::Debug for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.abbreviation.as_str(), self.fixed)
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.abbreviation.as_str())
    }
}

impl TimeZone for Zone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Zone {
        offset.zone.clone()
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<ZoneOffset> {
        match local.and_hms_opt(0, 0, 0) {
            Some(midnight) => self.offset_from_local_datetime(&midnight),
            None => LocalResult::None,
        }
    }

    /// The offsets `local` can mean: one, two when clocks go back (earliest first), none
    /// in the hour skipped when clocks go forward.
    ///
    /// Every offset in force within a day and a half of `local` (read as UTC) is a
    /// candidate, sampled every three hours (no zone keeps an offset for less); a candidate
    /// `o` is an answer when the offset in force at `local - o` is `o` itself. A few
    /// binary searches, where walking the zone's transitions would be hundreds of steps.
    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<ZoneOffset> {
        const STEP: i64 = 3 * 3600;
        let wall = local.and_utc().timestamp();
        let mut candidates: Vec<i64> = Vec::with_capacity(4);
        for k in -12..=12 {
            let seconds = self.seconds_at(wall + k * STEP);
            if !candidates.contains(&seconds) {
                candidates.push(seconds);
            }
        }
        let mut instants: Vec<i64> = candidates
            .into_iter()
            .map(|seconds| wall - seconds)
            .filter(|t| wall - t == self.seconds_at(*t))
            .collect();
        instants.sort_unstable();
        match instants.as_slice() {
            [] => LocalResult::None,
            [t] => LocalResult::Single(self.offset_at(*t)),
            [first, .., last] => {
                LocalResult::Ambiguous(self.offset_at(*first), self.offset_at(*last))
            }
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        match utc.and_hms_opt(0, 0, 0) {
            Some(midnight) => self.offset_from_utc_datetime(&midnight),
            None => self.offset_at(0),
        }
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        self.offset_at(utc.and_utc().timestamp())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;

    fn new_york() -> Zone {
        Zone::named("America/New_York").expect("the system has tzdata")
    }

    #[test]
    fn offsets_follow_dst_in_both_directions() {
        let ny = new_york();
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(
            winter.with_timezone(&ny).offset().fix().local_minus_utc(),
            -5 * 3600
        );
        assert_eq!(
            summer.with_timezone(&ny).offset().fix().local_minus_utc(),
            -4 * 3600
        );
        assert_eq!(winter.with_timezone(&ny).offset().to_string(), "EST");
        // Far beyond the file's last transition: the footer's rule still applies.
        let later = Utc.with_ymd_and_hms(2090, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(
            later.with_timezone(&ny).offset().fix().local_minus_utc(),
            -4 * 3600
        );
    }

    #[test]
    fn local_times_in_the_gap_and_the_overlap() {
        let ny = new_york();
        // 2026-03-08 02:30 does not exist in New York; 2026-11-01 01:30 happens twice.
        let gap = NaiveDate::from_ymd_opt(2026, 3, 8)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert!(matches!(ny.from_local_datetime(&gap), LocalResult::None));
        let overlap = NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        match ny.from_local_datetime(&overlap) {
            LocalResult::Ambiguous(early, late) => {
                assert_eq!(late.signed_duration_since(&early), Duration::hours(1));
                assert_eq!(early.offset().to_string(), "EDT");
            }
            other => panic!("{other:?}"),
        }
        let plain = NaiveDate::from_ymd_opt(2026, 11, 27)
            .unwrap()
            .and_hms_opt(9, 5, 0)
            .unwrap();
        let at = ny.from_local_datetime(&plain).single().unwrap();
        assert_eq!(
            at.with_timezone(&Utc),
            Utc.with_ymd_and_hms(2026, 11, 27, 14, 5, 0).unwrap()
        );
    }

    /// Every instant of two years, every 15 minutes, read back from its local time, in zones
    /// with a skipped day (Apia 2011), half-hour DST (Lord Howe), odd offsets (Chatham,
    /// Kolkata) and none (Tokyo): the local time always leads back to the instant.
    #[test]
    fn every_local_time_maps_back_to_its_instant() {
        for name in [
            "America/New_York",
            "Pacific/Apia",
            "Australia/Lord_Howe",
            "Pacific/Chatham",
            "Asia/Kolkata",
            "Asia/Tokyo",
            "Europe/London",
        ] {
            let zone = Zone::named(name).unwrap();
            let start = Utc.with_ymd_and_hms(2011, 6, 1, 0, 0, 0).unwrap();
            let mut ambiguous = 0;
            for step in 0..(2 * 365 * 96) {
                let t = start + Duration::minutes(15 * step);
                let local = t.with_timezone(&zone).naive_local();
                match zone.from_local_datetime(&local) {
                    LocalResult::Single(back) => assert_eq!(back, t, "{name} {local}"),
                    LocalResult::Ambiguous(early, late) => {
                        assert!(early == t || late == t, "{name} {local}");
                        assert!(early < late);
                        ambiguous += 1;
                    }
                    LocalResult::None => panic!("{name}: {local} (from {t}) does not exist"),
                }
            }
            assert!(
                ambiguous <= 32,
                "{name}: {ambiguous} ambiguous quarter hours"
            );
        }
    }

    #[test]
    fn names_are_checked_before_any_file_is_read() {
        for bad in [
            "",
            "../../etc/passwd",
            "/etc/localtime",
            "America//New_York",
            "a b",
            "Europe/..",
        ] {
            assert!(
                matches!(Zone::named(bad), Err(ZoneError::BadName(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            Zone::named("Mars/Olympus_Mons"),
            Err(ZoneError::Unknown { .. })
        ));
        assert_eq!(Zone::named("UTC").unwrap().name(), "UTC");
        assert_eq!(Zone::named(" America/New_York ").unwrap(), new_york());
        assert!(Zone::known_names().iter().any(|n| n == "America/Chicago"));
    }
}
