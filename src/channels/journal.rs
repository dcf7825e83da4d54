//! The journal: one JSON object per line for every alert decided, per recipient, with its
//! outcome and channel (INTERFACE.md section 4). Size-rotated (`operator.log` →
//! `operator.log.1` … `.N`), files mode 0600. Never holds a secret: it only ever receives
//! alert fields, which come from the user's own data.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::alert::{Alert, AlertClass, Priority};
use crate::config::Rotation;

/// One journal line.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry<'a> {
    pub logged_at: String,
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

/// An append-only, size-rotated JSON-lines file.
pub struct Journal {
    path: PathBuf,
    rotation: Rotation,
    file: Option<File>,
    size: u64,
}

impl Journal {
    /// Opens (creating with mode 0600, and its directory) the journal at `path`.
    pub fn open(path: &Path, rotation: Rotation) -> io::Result<Journal> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let file = open_private_append(path)?;
        let size = file.metadata()?.len();
        Ok(Journal {
            path: path.to_owned(),
            rotation,
            file: Some(file),
            size,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write(&mut self, entry: &Entry<'_>) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        if self.size > 0 && self.size + line.len() as u64 > self.rotation.max_bytes {
            self.rotate()?;
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(open_private_append(&self.path)?),
        };
        file.write_all(&line)?;
        self.size += line.len() as u64;
        Ok(())
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }

    /// `log.(N-1)` → `log.N`, …, `log` → `log.1`; a backup count of 0 just truncates.
    fn rotate(&mut self) -> io::Result<()> {
        self.file = None;
        let n = self.rotation.backup_count;
        if n == 0 {
            fs::remove_file(&self.path)?;
        } else {
            let _ = fs::remove_file(backup_path(&self.path, n));
            for i in (1..n).rev() {
                let from = backup_path(&self.path, i);
                if from.exists() {
                    fs::rename(&from, backup_path(&self.path, i + 1))?;
                }
            }
            fs::rename(&self.path, backup_path(&self.path, 1))?;
        }
        self.file = Some(open_private_append(&self.path)?);
        self.size = 0;
        Ok(())
    }
}

pub fn backup_path(path: &Path, index: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{index}"));
    PathBuf::from(name)
}

/// Opens `path` for appending, creating it with mode 0600 (and tightening an existing file).
pub fn open_private_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

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
