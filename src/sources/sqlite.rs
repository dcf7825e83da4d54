//! Read-only access to another program's SQLite file, shared by the Oura and WorkOS readers.
//!
//! Owns the open flags (`READ_ONLY | NO_MUTEX`), the busy timeout, the up-front schema check
//! (every query the reader will run is prepared once at open, so drift shows at open) and the
//! mapping of SQLite errors to [`SourceError`]: busy/locked/IO → transient; not a database,
//! corrupt, schema drift, permissions → permanent; no file → missing.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::sources::SourceError;

/// The default busy timeout: long enough to ride out a writer's commit, short enough not to
/// stall a check cycle.
pub(crate) const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(2);

/// Opens `path` read-only and prepares every statement in `queries` (cached for later use),
/// so a missing table or column is reported now as schema drift.
pub(crate) fn open_read_only(
    what: &'static str,
    path: &Path,
    busy_timeout: Duration,
    queries: &[&str],
) -> Result<Connection, SourceError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Err(permanent(what, format!("{} is not a file", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SourceError::Missing {
                what,
                path: path.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(permanent(
                what,
                format!("cannot stat {}: {e}", path.display()),
            ));
        }
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| map_error(what, e))?;
    conn.busy_timeout(busy_timeout)
        .map_err(|e| map_error(what, e))?;
    for sql in queries {
        conn.prepare_cached(sql).map_err(|e| map_error(what, e))?;
    }
    Ok(conn)
}

/// Classifies a rusqlite error for a caller deciding whether to retry.
pub(crate) fn map_error(what: &'static str, err: rusqlite::Error) -> SourceError {
    let (code, detail) = match &err {
        rusqlite::Error::SqliteFailure(failure, message) => (
            failure.code,
            message.clone().unwrap_or_else(|| failure.to_string()),
        ),
        // A statement that fails to prepare (e.g. a missing column) comes with its SQL.
        rusqlite::Error::SqlInputError { error, msg, .. } => (error.code, msg.clone()),
        _ => return permanent(what, err.to_string()),
    };
    match code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => SourceError::Transient {
            what,
            reason: format!("database is busy or locked ({detail})"),
        },
        // I/O hiccups and a WAL that needs recovery by its writer can clear up by themselves.
        ErrorCode::SystemIoFailure | ErrorCode::ReadOnly => SourceError::Transient {
            what,
            reason: detail,
        },
        ErrorCode::NotADatabase => permanent(what, format!("not a SQLite database ({detail})")),
        ErrorCode::DatabaseCorrupt => permanent(what, format!("database is corrupt ({detail})")),
        _ if detail.contains("no such table") || detail.contains("no such column") => {
            permanent(what, format!("schema drift: {detail}"))
        }
        _ => permanent(what, detail),
    }
}

fn permanent(what: &'static str, reason: String) -> SourceError {
    SourceError::Permanent { what, reason }
}

/// Parses a UTC timestamp as the caches write it: RFC 3339 with `Z` or an offset, optional
/// fractional seconds; a naive `YYYY-MM-DD[T ]HH:MM:SS[.fff]` is taken as UTC. Anything
/// else (including empty text) is `None`.
pub fn parse_utc_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim().trim_matches('"');
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|fmt| NaiveDateTime::parse_from_str(text, fmt).ok())
        .map(|naive| naive.and_utc())
}

/// A column as text, whatever SQLite stored (UTF-8 text or blob); numbers and null → `None`.
pub(crate) fn text_of(value: ValueRef<'_>) -> Option<String> {
    str_of(value).map(str::to_owned)
}

/// [`text_of`], borrowed from the row.
pub(crate) fn str_of(value: ValueRef<'_>) -> Option<&str> {
    match value {
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => std::str::from_utf8(bytes).ok(),
        ValueRef::Null | ValueRef::Integer(_) | ValueRef::Real(_) => None,
    }
}

/// A column as an integer: integers, whole reals and numeric text; anything else → `None`.
pub(crate) fn int_of(value: ValueRef<'_>) -> Option<i64> {
    match value {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Real(r) if r.fract() == 0.0 && r.abs() < 9.0e15 => Some(r as i64),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).ok()?.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_timestamps_in_every_shape_the_caches_write() {
        let cases = [
            ("2026-01-24T16:11:52.123Z", Some("2026-01-24T16:11:52.123Z")),
            ("2026-01-24T16:11:52Z", Some("2026-01-24T16:11:52Z")),
            ("2026-01-24T11:11:52-05:00", Some("2026-01-24T16:11:52Z")),
            (
                "2026-01-24T16:11:52.5+00:00",
                Some("2026-01-24T16:11:52.500Z"),
            ),
            ("2026-01-24 16:11:52", Some("2026-01-24T16:11:52Z")),
            ("\"2026-01-24T16:11:52Z\"", Some("2026-01-24T16:11:52Z")),
            ("", None),
            ("yesterday", None),
            ("2026-13-24T16:11:52Z", None),
        ];
        for (input, want) in cases {
            let want = want.map(|w| DateTime::parse_from_rfc3339(w).map(|t| t.to_utc()));
            let got = parse_utc_timestamp(input);
            assert_eq!(got, want.and_then(Result::ok), "input {input:?}");
        }
    }

    #[test]
    fn column_values_are_converted_leniently() {
        assert_eq!(int_of(ValueRef::Integer(7)), Some(7));
        assert_eq!(int_of(ValueRef::Real(7.0)), Some(7));
        assert_eq!(int_of(ValueRef::Real(7.5)), None);
        assert_eq!(int_of(ValueRef::Text(b" 12 ")), Some(12));
        assert_eq!(int_of(ValueRef::Text(b"x")), None);
        assert_eq!(int_of(ValueRef::Null), None);
        assert_eq!(text_of(ValueRef::Text(b"a")), Some("a".to_owned()));
        assert_eq!(text_of(ValueRef::Blob(&[0xff])), None);
        assert_eq!(text_of(ValueRef::Integer(1)), None);
    }
}
