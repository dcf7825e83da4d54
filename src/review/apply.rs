//! Applying a review's suggestion: the only way Operator ever changes its own config. One value
//! of the YAML file is edited in place (comments and layout kept, `config::edit`), after the
//! file validates as it is and while the value is still what the review saw; a backup is
//! written beside it first, and the edited file must validate again or the backup goes back.
//! A value that comes from an environment variable (`${VAR}`) is never touched: the refusal
//! says where to change it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::config::{self, edit};
use crate::files::write_private;

/// A suggestion applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub key: String,
    pub from: String,
    pub to: String,
    /// The file as it was.
    pub backup: PathBuf,
}

/// Why a suggestion was not applied; its `Display` is the sentence the user reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyError {
    /// The config file does not validate now: nothing is changed on top of a broken file.
    InvalidBefore(String),
    /// The value was changed since the review suggested it.
    Changed {
        now: String,
    },
    /// The value comes from an environment variable.
    FromEnvironment {
        var: String,
    },
    /// The editor refused (a construct it does not edit safely, a missing key …).
    Edit(String),
    /// The edited file did not validate; the backup was put back.
    InvalidAfter(String),
    Io(String),
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyError::InvalidBefore(why) => {
                write!(
                    f,
                    "the config file does not validate as it is ({why}); fix it first"
                )
            }
            ApplyError::Changed { now } => {
                write!(
                    f,
                    "the value was changed since the review (it is {now} now)"
                )
            }
            ApplyError::FromEnvironment { var } => write!(
                f,
                "the value comes from the environment variable `{var}`: change it there (e.g. in .env)"
            ),
            ApplyError::Edit(why) => write!(f, "the file could not be edited safely: {why}"),
            ApplyError::InvalidAfter(why) => write!(
                f,
                "the edited file did not validate ({why}); it was put back as it was"
            ),
            ApplyError::Io(why) => write!(f, "the file could not be written: {why}"),
        }
    }
}

impl std::error::Error for ApplyError {}

/// Sets `key` (dotted) from `from` to `to` in the config file at `path`, checking the file
/// with `config::load_file` before and after.
pub fn apply(
    path: &Path,
    key: &str,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<Applied, ApplyError> {
    apply_checked(path, key, from, to, now, &|p| {
        config::load_file(p)
            .map(drop)
            .map_err(|e| first_problem(&e))
    })
}

/// [`apply`] with the check given (tests load the file with their own environment).
pub fn apply_checked(
    path: &Path,
    key: &str,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
    validate: &dyn Fn(&Path) -> Result<(), String>,
) -> Result<Applied, ApplyError> {
    let io = |e: std::io::Error| ApplyError::Io(e.to_string());
    let text = std::fs::read_to_string(path).map_err(io)?;
    validate(path).map_err(ApplyError::InvalidBefore)?;
    let keys: Vec<&str> = key.split('.').collect();
    let current = edit::get_value(&text, &keys).map_err(edit_error)?;
    if let Some(current) = &current {
        if current.contains("${") {
            let var = current
                .split("${")
                .nth(1)
                .and_then(|v| v.split(['}', ':']).next())
                .unwrap_or_default()
                .to_owned();
            return Err(ApplyError::FromEnvironment { var });
        }
        let same = match (current.trim().parse::<f64>(), from.parse::<f64>()) {
            (Ok(a), Ok(b)) => (a - b).abs() < 1e-9,
            _ => current.trim() == from,
        };
        if !same {
            return Err(ApplyError::Changed {
                now: current.trim().to_owned(),
            });
        }
    }
    let edited = edit::set_value(&text, &keys, to).map_err(edit_error)?;
    let backup = backup_path(path, now);
    write_private(&backup, &text).map_err(|e| ApplyError::Io(format!("{e:#}")))?;
    write_private(path, &edited.text).map_err(|e| ApplyError::Io(format!("{e:#}")))?;
    if let Err(why) = validate(path) {
        write_private(path, &text).map_err(|e| ApplyError::Io(format!("{e:#}")))?;
        return Err(ApplyError::InvalidAfter(why));
    }
    Ok(Applied {
        key: key.to_owned(),
        from: current.unwrap_or_else(|| from.to_owned()),
        to: to.to_owned(),
        backup,
    })
}

/// `operator.yaml` → `operator.yaml.bak-20261203-181500`.
pub fn backup_path(path: &Path, now: DateTime<Utc>) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".bak-{}", now.format("%Y%m%d-%H%M%S")));
    path.with_file_name(name)
}

fn edit_error(e: edit::EditError) -> ApplyError {
    match e {
        edit::EditError::FromEnvironment { var } => ApplyError::FromEnvironment { var },
        other => ApplyError::Edit(other.to_string()),
    }
}

fn first_problem(e: &config::ConfigError) -> String {
    e.report().lines().next().unwrap_or_default().to_owned()
}
