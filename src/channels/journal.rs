//! The journal: one JSON object per line for every alert decided, per recipient, with its
//! outcome and channel (`kind: "alert"`, [`Entry`]), and one line for every brief or review
//! sent, however many Telegram messages it took ([`MessageEntry`]); the fields README lists
//! under "The journal and the health endpoint". Size-rotated (`operator.log` →
//! `operator.log.1` … `.N`), files mode 0600. Never holds a secret: it only ever receives
//! alert fields and outcomes, which come from the user's own data.

use std::io;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::rotating::RotatingFile;
use crate::alert::{Alert, AlertClass, Priority};
use crate::config::Rotation;

/// One journal line about an alert.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry<'a> {
    pub logged_at: String,
    /// Always `alert`.
    pub kind: &'static str,
    pub dedup_key: &'a str,
    pub class: AlertClass,
    pub priority: Priority,
    pub title: &'a str,
    pub message: &'a str,
    pub created_at: String,
    pub chat_id: Option<i64>,
    pub outcome: &'a str,
    pub channel: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
}

impl<'a> Entry<'a> {
    pub fn new(
        alert: &'a Alert,
        chat_id: Option<i64>,
        outcome: &'a str,
        channel: &'a str,
        now: DateTime<Utc>,
    ) -> Entry<'a> {
        Entry {
            logged_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            kind: "alert",
            dedup_key: &alert.dedup_key,
            class: alert.class,
            priority: alert.priority,
            title: &alert.title,
            message: &alert.message,
            created_at: alert.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            chat_id,
            outcome,
            channel,
            reason: None,
        }
    }

    pub fn with_reason(mut self, reason: &'a str) -> Entry<'a> {
        self.reason = Some(reason);
        self
    }
}

/// One journal line about a message that is not an alert: a brief or a review.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MessageEntry<'a> {
    pub logged_at: String,
    /// `brief` or `review`.
    pub kind: &'a str,
    /// Asked for (`/brief`, `/review`) rather than scheduled.
    pub on_demand: bool,
    pub chat_id: Option<i64>,
    pub outcome: &'a str,
    pub channel: &'a str,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
}

impl<'a> MessageEntry<'a> {
    pub fn new(
        kind: &'a str,
        on_demand: bool,
        chat_id: Option<i64>,
        outcome: &'a str,
        created_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> MessageEntry<'a> {
        MessageEntry {
            logged_at: now.to_rfc3339_opts(SecondsFormat::Secs, true),
            kind,
            on_demand,
            chat_id,
            outcome,
            channel: "telegram",
            created_at: created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            reason: None,
        }
    }

    pub fn with_reason(mut self, reason: &'a str) -> MessageEntry<'a> {
        self.reason = Some(reason);
        self
    }
}

/// The journal: JSON lines in a size-rotated file.
pub struct Journal {
    file: RotatingFile,
    /// Lines written while held ([`Journal::hold`]), waiting for [`Journal::release`].
    held: Option<Vec<Vec<u8>>>,
}

impl Journal {
    /// Opens (creating with mode 0600, and its directory) the journal at `path`.
    pub fn open(path: &Path, rotation: Rotation) -> io::Result<Journal> {
        Ok(Journal {
            file: RotatingFile::open(path, rotation)?,
            held: None,
        })
    }

    /// The journal `config` asks for: `None` when `alerters.journal.enabled` is false.
    pub fn open_configured(config: &crate::config::Config) -> io::Result<Option<Journal>> {
        let journal = &config.alerters.journal;
        if !journal.enabled {
            return Ok(None);
        }
        Journal::open(&journal.log_path, config.logging.rotation)
            .map(Some)
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("opening the journal {}: {e}", journal.log_path.display()),
                )
            })
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    pub fn write(&mut self, entry: &impl Serialize) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        match &mut self.held {
            Some(held) => {
                held.push(line);
                Ok(())
            }
            None => self.file.write_record(&line),
        }
    }

    /// Keeps the lines written from now on in memory until [`Journal::release`] writes them
    /// (or [`Journal::discard`] drops them): the cycle's lines wait for its state-database
    /// commit.
    pub fn hold(&mut self) {
        self.held = Some(Vec::new());
    }

    /// Writes the held lines, in order (one write when the file has room for all of them),
    /// and stops holding.
    pub fn release(&mut self) -> io::Result<()> {
        let held = self.held.take().unwrap_or_default();
        self.file.write_records(&held)?;
        self.file.flush()
    }

    /// Drops the held lines and stops holding.
    pub fn discard(&mut self) {
        self.held = None;
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::rotating::backup_path;
    use std::fs;

    fn alert() -> Alert {
        Alert::new(
            AlertClass::Health,
            "readiness",
            None,
            Priority::Medium,
            "Readiness 62",
            "Low",
            Utc::now(),
        )
    }

    #[test]
    fn writes_json_lines_and_rotates_keeping_backup_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs/operator.log");
        let mut j = Journal::open(
            &path,
            Rotation {
                max_bytes: 600,
                backup_count: 2,
            },
        )
        .unwrap();
        let a = alert();
        for _ in 0..40 {
            j.write(&Entry::new(&a, Some(42), "sent", "telegram", Utc::now()))
                .unwrap();
        }
        j.flush().unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["outcome"], "sent");
        assert_eq!(first["chat_id"], 42);
        assert_eq!(first["dedup_key"], "health:readiness");
        assert!(fs::metadata(&path).unwrap().len() <= 600);
        assert!(backup_path(&path, 1).exists() && backup_path(&path, 2).exists());
        assert!(!backup_path(&path, 3).exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for p in [path.clone(), backup_path(&path, 1)] {
                assert_eq!(
                    fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                    0o600
                );
            }
        }
    }
}
