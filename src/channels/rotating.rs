//! A size-rotated, append-only file (`name` → `name.1` … `name.N`), mode 0600: the journal
//! and the daemon's log file both write through it. A record is never split across files.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::config::Rotation;

pub struct RotatingFile {
    path: PathBuf,
    rotation: Rotation,
    file: Option<File>,
    size: u64,
}

impl RotatingFile {
    /// Opens (creating with mode 0600, and its directory) the file at `path`.
    pub fn open(path: &Path, rotation: Rotation) -> io::Result<RotatingFile> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        let file = open_private_append(path)?;
        let size = file.metadata()?.len();
        Ok(RotatingFile {
            path: path.to_owned(),
            rotation,
            file: Some(file),
            size,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one whole record, rotating first if it would not fit.
    pub fn write_record(&mut self, record: &[u8]) -> io::Result<()> {
        if self.size > 0 && self.size + record.len() as u64 > self.rotation.max_bytes {
            self.rotate()?;
        }
        let file = match &mut self.file {
            Some(f) => f,
            None => self.file.insert(open_private_append(&self.path)?),
        };
        file.write_all(record)?;
        self.size += record.len() as u64;
        Ok(())
    }

    /// Appends `records` in order: as one write when they fit before the next rotation,
    /// else one by one (rotating between them as [`RotatingFile::write_record`] does).
    pub fn write_records(&mut self, records: &[Vec<u8>]) -> io::Result<()> {
        let total: u64 = records.iter().map(|r| r.len() as u64).sum();
        if records.len() > 1 && self.size + total <= self.rotation.max_bytes {
            return self.write_record(&records.concat());
        }
        records.iter().try_for_each(|r| self.write_record(r))
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }

    /// `name.(N-1)` → `name.N`, …, `name` → `name.1`; a backup count of 0 just starts over.
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

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_record(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        RotatingFile::flush(self)
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

    #[test]
    fn the_designs_10_mb_by_5_keeps_five_backups_of_whole_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("logs/operator.log");
        let rotation = Rotation {
            max_bytes: 10 * 1024 * 1024,
            backup_count: 5,
        };
        let mut file = RotatingFile::open(&path, rotation).unwrap();
        let record = [b'x'; 1023]
            .iter()
            .copied()
            .chain(std::iter::once(b'\n'))
            .collect::<Vec<u8>>();
        for _ in 0..(65 * 1024) {
            file.write_record(&record).unwrap();
        }
        file.flush().unwrap();
        for i in 1..=5 {
            let backup = backup_path(&path, i);
            let len = fs::metadata(&backup).unwrap().len();
            assert!(
                len <= rotation.max_bytes && len.is_multiple_of(1024),
                "{}: {len}",
                backup.display()
            );
        }
        assert!(!backup_path(&path, 6).exists());
        assert!(fs::metadata(&path).unwrap().len() <= rotation.max_bytes);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for p in [path.clone(), backup_path(&path, 5)] {
                assert_eq!(
                    fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                    0o600
                );
            }
        }
    }
}
