//! Phase two of loading: a typed walk over the expanded [`Value`] tree.
//!
//! A [`Section`] is one mapping at a key path. Each getter registers its key as known, converts
//! the value (a string may stand for a number or boolean, since `${VAR}` always yields text),
//! checks its range and, on failure, records a [`Problem`] in [`Ctx`] and returns the default,
//! so that every problem in the file is found in one pass. [`Section::finish`] then reports
//! keys nobody asked for, with a "did you mean" when one is close.

use std::path::{Path, PathBuf};

use chrono::Duration;

use super::interp::{Env, ExpandError, expand, join};
use super::value::{Value, to_bool, to_f64, to_i64, to_string};
use super::{Problem, Secret};

/// Shared state of one load: the problems found so far and what paths resolve against.
pub(super) struct Ctx<'a> {
    pub problems: Vec<Problem>,
    pub env: Env<'a>,
    /// The config file's directory: relative paths resolve against it.
    pub base_dir: PathBuf,
}

impl Ctx<'_> {
    pub fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// Whether a problem was already recorded at `path` (cross-key checks skip such keys).
    pub fn has_problem_at(&self, path: &str) -> bool {
        self.problems.iter().any(|p| p.path == path)
    }

    /// Expands a built-in default such as `${THANOS_ROOT}/State`; an unset variable is a
    /// problem at `path` telling the user to set it or the key.
    pub fn default_text(&mut self, path: &str, template: &str) -> Option<String> {
        match expand(template, self.env) {
            Ok(text) => Some(text),
            Err(err) => {
                let vars = match err {
                    ExpandError::Unset(names) => names.join(", "),
                    ExpandError::Malformed(_) => "a variable".to_owned(),
                };
                let message = format!(
                    "{vars} is not set, and this key's default is `{template}`: set {vars} \
                     (e.g. in .env) or set `{path}`"
                );
                self.problem(path, message);
                None
            }
        }
    }

    /// `~` → `$HOME`, then a relative path is resolved against the config file's directory.
    pub fn resolve_path(&mut self, path: &str, text: &str) -> PathBuf {
        let expanded = match text.strip_prefix('~') {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => match (self.env)("HOME") {
                Some(home) => format!("{home}{rest}"),
                None => {
                    self.problem(path, "`~` needs HOME, which is not set");
                    return PathBuf::new();
                }
            },
            _ => text.to_owned(),
        };
        let p = Path::new(&expanded);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }
}

/// What a key holds.
pub(super) enum Slot<'v> {
    Absent,
    /// Its `${VAR}` expansion failed; the problem is already recorded.
    Invalid,
    Present(&'v Value),
}

/// One mapping of the tree at `path`, tracking which keys were read.
pub(super) struct Section<'v> {
    pub path: String,
    entries: &'v [(String, Value)],
    known: Vec<&'static str>,
    /// What stood here instead of a mapping (reported by [`Section::finish`]).
    wrong_kind: Option<&'static str>,
}

impl<'v> Section<'v> {
    /// The top level of the document.
    pub fn root(value: &'v Value) -> Section<'v> {
        Section::of(String::new(), Some(value))
    }

    /// A mapping inside a list (`monitors.services.checks[0]`).
    pub fn at(path: String, value: &'v Value) -> Section<'v> {
        Section::of(path, Some(value))
    }

    fn of(path: String, value: Option<&'v Value>) -> Section<'v> {
        let (entries, wrong_kind): (&'v [(String, Value)], _) = match value {
            Some(Value::Map(entries)) => (entries, None),
            None | Some(Value::Null | Value::Invalid) => (&[], None),
            Some(other) => (&[], Some(other.kind())),
        };
        Section {
            path,
            entries,
            known: Vec::new(),
            wrong_kind,
        }
    }

    pub fn key_path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The nested mapping under `key` (empty when absent).
    pub fn child(&mut self, key: &'static str) -> Section<'v> {
        let value = match self.slot(key) {
            Slot::Present(v) => Some(v),
            Slot::Absent | Slot::Invalid => None,
        };
        Section::of(self.key_path(key), value)
    }

    /// Registers `key` as known and says what it holds; `null` counts as absent.
    pub fn slot(&mut self, key: &'static str) -> Slot<'v> {
        if !self.known.contains(&key) {
            self.known.push(key);
        }
        match self.entries.iter().find(|(k, _)| k == key) {
            None | Some((_, Value::Null)) => Slot::Absent,
            Some((_, Value::Invalid)) => Slot::Invalid,
            Some((_, v)) => Slot::Present(v),
        }
    }

    /// Reads `key` with `convert`; absent, invalid or unconvertible → `default`.
    pub fn read<T>(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        default: T,
        convert: impl FnOnce(&Value) -> Result<T, String>,
    ) -> T {
        match self.slot(key) {
            Slot::Present(v) => convert(v).unwrap_or_else(|message| {
                ctx.problem(self.key_path(key), message);
                default
            }),
            Slot::Absent | Slot::Invalid => default,
        }
    }

    /// A local time of day, `"HH:MM"` (24-hour).
    pub fn time_of_day(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        default: chrono::NaiveTime,
    ) -> chrono::NaiveTime {
        self.read(ctx, key, default, |v| {
            let text = to_string(v)?;
            chrono::NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
                format!("expected a time of day like \"06:30\" (24-hour), got {text:?}")
            })
        })
    }

    pub fn bool(&mut self, ctx: &mut Ctx<'_>, key: &'static str, default: bool) -> bool {
        self.read(ctx, key, default, to_bool)
    }

    pub fn string(&mut self, ctx: &mut Ctx<'_>, key: &'static str, default: &str) -> String {
        self.read(ctx, key, default.to_owned(), to_string)
    }

    /// A whole number in `lo..=hi`.
    pub fn int(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        default: i64,
        lo: i64,
        hi: i64,
    ) -> i64 {
        self.read(ctx, key, default, |v| {
            let n = to_i64(v)?;
            in_range(n, lo, hi)
        })
    }

    pub fn u32(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        default: u32,
        lo: u32,
        hi: u32,
    ) -> u32 {
        let n = self.int(ctx, key, default.into(), lo.into(), hi.into());
        u32::try_from(n).unwrap_or(default)
    }

    /// An hour of the day, 0-23.
    pub fn hour(&mut self, ctx: &mut Ctx<'_>, key: &'static str, default: u8) -> u8 {
        let n = self.int(ctx, key, default.into(), 0, 23);
        u8::try_from(n).unwrap_or(default)
    }

    /// Whole seconds in `lo..=hi`, as a duration.
    pub fn seconds(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        default: i64,
        lo: i64,
        hi: i64,
    ) -> Duration {
        let n = self.int(ctx, key, default, lo, hi);
        Duration::try_seconds(n).unwrap_or_default()
    }

    /// A number that `check` accepts (it returns the complaint otherwise).
    pub fn float(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        default: f64,
        check: impl FnOnce(f64) -> Result<(), String>,
    ) -> f64 {
        self.read(ctx, key, default, |v| {
            let n = to_f64(v)?;
            check(n).map(|()| n)
        })
    }

    /// A secret string; empty → `None`. Messages about it never show the value.
    pub fn secret(
        &mut self,
        ctx: &mut Ctx<'_>,
        key: &'static str,
        default: Option<String>,
    ) -> Option<Secret> {
        let text = self.read(ctx, key, default, |v| match v {
            Value::Str(s) => Ok(Some(s.clone())),
            other => Err(format!("expected a string, got {}", other.kind())),
        });
        text.map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .map(Secret::new)
    }

    /// A filesystem path; `default` may name env vars (`${HOME}/...`).
    pub fn path(&mut self, ctx: &mut Ctx<'_>, key: &'static str, default: &str) -> PathBuf {
        let path = self.key_path(key);
        match self.slot(key) {
            Slot::Present(v) => match to_string(v) {
                Ok(text) if text.trim().is_empty() => {
                    ctx.problem(path, "expected a path, got an empty string");
                    PathBuf::new()
                }
                Ok(text) => ctx.resolve_path(&path, &text),
                Err(message) => {
                    ctx.problem(path, message);
                    PathBuf::new()
                }
            },
            Slot::Absent => match ctx.default_text(&path, default) {
                Some(text) => ctx.resolve_path(&path, &text),
                None => PathBuf::new(),
            },
            Slot::Invalid => PathBuf::new(),
        }
    }

    /// Reports a non-mapping in this section's place, and every key no getter asked for.
    pub fn finish(self, ctx: &mut Ctx<'_>) {
        if let Some(kind) = self.wrong_kind {
            let at = if self.path.is_empty() {
                "the top level"
            } else {
                "this key"
            };
            ctx.problem(
                &self.path,
                format!("expected a mapping at {at}, got {kind}"),
            );
        }
        for (key, _) in self.entries {
            if !self.known.iter().any(|k| k == key) {
                let message = match did_you_mean(key, &self.known) {
                    Some(close) => format!("unknown key `{key}`; did you mean `{close}`?"),
                    None => format!(
                        "unknown key `{key}` (known here: {})",
                        self.known.join(", ")
                    ),
                };
                ctx.problem(self.key_path(key), message);
            }
        }
    }
}

/// The known word closest to `word`, when it is close enough to be a likely typo.
pub(super) fn did_you_mean<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = word.to_ascii_lowercase();
    known
        .iter()
        .map(|k| {
            (
                strsim::damerau_levenshtein(&lower, &k.to_ascii_lowercase()),
                *k,
            )
        })
        .filter(|(distance, k)| *distance <= (k.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

fn in_range(n: i64, lo: i64, hi: i64) -> Result<i64, String> {
    if (lo..=hi).contains(&n) {
        Ok(n)
    } else if hi == i64::MAX {
        Err(format!("must be at least {lo}, got {n}"))
    } else {
        Err(format!("must be between {lo} and {hi}, got {n}"))
    }
}

/// The items of a list key, each with its `key[i]` path; a non-list is a problem.
pub(super) fn list_items<'v>(
    ctx: &mut Ctx<'_>,
    s: &mut Section<'v>,
    key: &'static str,
) -> Option<Vec<(String, &'v Value)>> {
    let path = s.key_path(key);
    match s.slot(key) {
        Slot::Present(Value::Seq(items)) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{path}[{i}]"), v))
                .collect(),
        ),
        Slot::Present(other) => {
            ctx.problem(path, format!("expected a list, got {}", other.kind()));
            None
        }
        Slot::Absent | Slot::Invalid => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_close_typos_only() {
        let known = ["health", "tasks", "patterns"];
        assert_eq!(did_you_mean("heath", &known), Some("health"));
        assert_eq!(did_you_mean("Tasks", &known), Some("tasks"));
        assert_eq!(did_you_mean("paterns", &known), Some("patterns"));
        assert_eq!(did_you_mean("weather", &known), None);
    }

    #[test]
    fn range_messages() {
        assert_eq!(in_range(5, 1, 10), Ok(5));
        assert_eq!(
            in_range(11, 1, 10),
            Err("must be between 1 and 10, got 11".into())
        );
        assert_eq!(
            in_range(0, 1, i64::MAX),
            Err("must be at least 1, got 0".into())
        );
    }
}
