//! The State files reader: commitments, focus and brain dumps under one base directory.
//!
//! Owns reading `CommitmentData.json`, `Commitments.md`, `CurrentFocus.md` (its modification
//! time only) and `brain_dumps.json` into a [`StateSnapshot`], the confinement of every path
//! to the base directory ([`resolve_inside`]) and a size cap on reads. Each file is judged
//! on its own: a missing file is [`FileRead::Missing`], an unreadable, oversized, escaping or
//! invalid one is [`FileRead::Corrupt`] with the reason. The text parsers are pure and live
//! in `json` and `markdown`; `memo` reuses the last parse of a JSON file whose text has not
//! changed; `merge` makes one commitment of one kept in both commitment files. Never writes
//! anything and never panics on file content.

mod json;
mod markdown;
mod memo;
mod merge;

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{FileRead, StateSnapshot};

pub use json::{parse_brain_dumps, parse_commitment_data};
pub use markdown::{fnv1a64, parse_commitments_md};
pub use merge::{fold, title_key};

pub const COMMITMENT_DATA_FILE: &str = "CommitmentData.json";
pub const COMMITMENTS_MD_FILE: &str = "Commitments.md";
pub const CURRENT_FOCUS_FILE: &str = "CurrentFocus.md";
pub const BRAIN_DUMPS_FILE: &str = "brain_dumps.json";

/// Files larger than this are refused as `Corrupt("… too large …")` rather than read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The State directory (`adapters.state_files.base_path`).
#[derive(Debug, Clone)]
pub struct StateFiles {
    base: PathBuf,
}

impl StateFiles {
    pub fn new(base_path: impl Into<PathBuf>) -> StateFiles {
        StateFiles {
            base: base_path.into(),
        }
    }

    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Reads all four files; never fails as a whole. A commitment kept in both commitment
    /// files is folded into its JSON record ([`merge::fold`]).
    pub fn read(&self) -> StateSnapshot {
        let mut snapshot = StateSnapshot {
            commitment_data: self
                .read_text(COMMITMENT_DATA_FILE)
                .and_then_parse(|t| memo::COMMITMENT_DATA.parse(t, parse_commitment_data)),
            commitments_md: self
                .read_text(COMMITMENTS_MD_FILE)
                .and_then_parse(|t| Ok(parse_commitments_md(t))),
            focus_modified: self.modified(CURRENT_FOCUS_FILE),
            brain_dumps: self
                .read_text(BRAIN_DUMPS_FILE)
                .and_then_parse(|t| memo::BRAIN_DUMPS.parse(t, parse_brain_dumps)),
        };
        if let (FileRead::Ok(json), FileRead::Ok(md)) =
            (&mut snapshot.commitment_data, &mut snapshot.commitments_md)
        {
            merge::fold(json, md);
        }
        snapshot
    }

    /// The file's text, confined to the base directory and capped at [`MAX_FILE_BYTES`].
    fn read_text(&self, name: &str) -> FileRead<String> {
        let path = match resolve_inside(&self.base, Path::new(name)) {
            Ok(path) => path,
            Err(reason) => return FileRead::Corrupt(reason),
        };
        match read_capped(&path, MAX_FILE_BYTES) {
            Ok(Some(text)) => FileRead::Ok(text),
            Ok(None) => FileRead::Missing,
            Err(reason) => FileRead::Corrupt(format!("{name}: {reason}")),
        }
    }

    fn modified(&self, name: &str) -> FileRead<DateTime<Utc>> {
        let path = match resolve_inside(&self.base, Path::new(name)) {
            Ok(path) => path,
            Err(reason) => return FileRead::Corrupt(reason),
        };
        match std::fs::metadata(&path) {
            Err(e) if e.kind() == ErrorKind::NotFound => FileRead::Missing,
            Err(e) => FileRead::Corrupt(format!("{name}: {e}")),
            Ok(meta) if !meta.is_file() => FileRead::Corrupt(format!("{name}: not a file")),
            Ok(meta) => match meta.modified() {
                Ok(time) => FileRead::Ok(DateTime::<Utc>::from(time)),
                Err(e) => FileRead::Corrupt(format!("{name}: no modification time: {e}")),
            },
        }
    }
}

trait ParseRead {
    fn and_then_parse<T>(self, parse: impl FnOnce(&str) -> Result<T, String>) -> FileRead<T>;
}

impl ParseRead for FileRead<String> {
    fn and_then_parse<T>(self, parse: impl FnOnce(&str) -> Result<T, String>) -> FileRead<T> {
        match self {
            FileRead::Missing => FileRead::Missing,
            FileRead::Corrupt(reason) => FileRead::Corrupt(reason),
            FileRead::Ok(text) => match parse(&text) {
                Ok(value) => FileRead::Ok(value),
                Err(reason) => FileRead::Corrupt(reason),
            },
        }
    }
}

/// `base/name`, refusing names that are absolute or climb out with `..`, and — for the part
/// of the path that exists — symlinks that lead outside `base` once canonicalized.
pub fn resolve_inside(base: &Path, name: &Path) -> Result<PathBuf, String> {
    let shown = name.display();
    let mut inside = PathBuf::new();
    for component in name.components() {
        match component {
            Component::Normal(part) => inside.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !inside.pop() {
                    return Err(format!("{shown}: refers outside the State directory"));
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!("{shown}: absolute paths are not allowed"));
            }
        }
    }
    if inside.as_os_str().is_empty() {
        return Err(format!("{shown:?}: names no file"));
    }
    let joined = base.join(&inside);
    check_no_symlink_escape(base, &joined).map_err(|why| format!("{shown}: {why}"))?;
    Ok(joined)
}

/// Canonicalizes the deepest existing ancestor of `joined` and checks it is under `base`.
fn check_no_symlink_escape(base: &Path, joined: &Path) -> Result<(), String> {
    let Ok(real_base) = base.canonicalize() else {
        return Ok(()); // no base directory: nothing exists to escape through
    };
    let Some(existing) = joined.ancestors().find(|p| p.exists()) else {
        return Ok(());
    };
    match existing.canonicalize() {
        Ok(real) if real.starts_with(&real_base) => Ok(()),
        Ok(_) => Err("leads outside the State directory (symlink)".to_owned()),
        Err(e) => Err(format!("cannot resolve: {e}")),
    }
}

/// The whole file as UTF-8, `None` when it does not exist, an error for anything else
/// (not a regular file, larger than `cap` bytes, unreadable, not UTF-8).
fn read_capped(path: &Path, cap: u64) -> Result<Option<String>, String> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot open: {e}")),
    };
    let meta = file.metadata().map_err(|e| format!("cannot stat: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file".to_owned());
    }
    let too_large = || format!("too large (over {cap} bytes)");
    if meta.len() > cap {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > cap {
        return Err(too_large()); // grew while being read
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|e| format!("not UTF-8 text: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_confinement() {
        let base = Path::new("/nonexistent-operator-base");
        let ok = [
            ("a.json", "a.json"),
            ("./sub/a.md", "sub/a.md"),
            ("sub/../a.md", "a.md"),
        ];
        for (name, want) in ok {
            assert_eq!(
                resolve_inside(base, Path::new(name)),
                Ok(base.join(want)),
                "{name}"
            );
        }
        for name in ["../x", "sub/../../x", "/etc/passwd", "", ".", "a/.."] {
            assert!(
                resolve_inside(base, Path::new(name)).is_err(),
                "{name:?} accepted"
            );
        }
    }

    #[test]
    fn capped_reads_refuse_files_over_the_cap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.json");
        std::fs::write(&path, "12345").expect("write");
        assert_eq!(read_capped(&path, 5), Ok(Some("12345".to_owned())));
        assert!(read_capped(&path, 4).is_err_and(|e| e.contains("too large")));
        assert_eq!(read_capped(&dir.path().join("nope"), 5), Ok(None));
    }
}
