//! The files `operator setup` writes: `.env` (merged with what is there: the keys setup owns
//! replaced in place, every other line kept) and the config (the commented template with the
//! user's time zone and Bot API URL). Both are written whole or not at all (a temporary file
//! in the same folder, then a rename) and mode 0600: `.env` holds the bot token.

use std::fs;
use std::path::Path;

use anyhow::Context;

use crate::config::edit;

/// The commented default config, as shipped: what setup writes, personalised.
pub const TEMPLATE: &str = include_str!("../../config/operator.yaml");

/// `.env` as it is: `KEY=value` lines (comments and blank lines kept aside).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFile {
    lines: Vec<String>,
}

impl EnvFile {
    /// Reads `path`; a missing file is empty.
    pub fn read(path: &Path) -> anyhow::Result<EnvFile> {
        match fs::read_to_string(path) {
            Ok(text) => Ok(EnvFile::parse(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(EnvFile::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn parse(text: &str) -> EnvFile {
        EnvFile {
            lines: text.lines().map(str::to_owned).collect(),
        }
    }

    /// The value of `key` (the last assignment wins, as in a shell), unquoted.
    pub fn get(&self, key: &str) -> Option<String> {
        self.lines
            .iter()
            .rev()
            .filter_map(|l| assignment(l))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| unquote(v))
    }

    /// Sets `key` to `value`: the first assignment of `key` is replaced in place, later ones
    /// removed; a key not there yet is appended.
    pub fn set(&mut self, key: &str, value: &str) {
        let line = format!("{key}={}", quote(value));
        let mut placed = false;
        self.lines.retain_mut(|l| {
            if assignment(l).is_some_and(|(k, _)| k == key) {
                if placed {
                    return false;
                }
                *l = line.clone();
                placed = true;
            }
            true
        });
        if !placed {
            self.lines.push(line);
        }
    }

    pub fn text(&self) -> String {
        let mut out = self.lines.join("\n");
        out.push('\n');
        out
    }
}

/// `KEY=value` or `export KEY=value`, as (key, raw value).
fn assignment(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_start();
    if line.starts_with('#') {
        return None;
    }
    let line = line.strip_prefix("export ").unwrap_or(line);
    let (key, value) = line.split_once('=')?;
    let key = key.trim();
    let valid = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some((key, value.trim()))
}

/// A value as dotenv reads it back: bare when it is plain, else double-quoted and escaped.
fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:/@%+,".contains(c));
    if plain {
        return value.to_owned();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '$' => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The inverse of [`quote`] for the values setup reads back (and plain single quotes).
fn unquote(value: &str) -> String {
    if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        return inner.to_owned();
    }
    value.split(" #").next().unwrap_or(value).trim().to_owned()
}

/// The template with the user's values: `timezone` (and `quiet_hours.timezone`, which must
/// agree) and, when given, the Bot API URL.
pub fn personalised_config(timezone: &str, api_url: Option<&str>) -> anyhow::Result<String> {
    let zone = yaml_string(timezone);
    let mut text = TEMPLATE.to_owned();
    let mut set = |path: &[&str], value: &str| -> anyhow::Result<()> {
        text = edit::set_value(&text, path, value)
            .with_context(|| format!("setting {} in the config template", path.join(".")))?
            .text;
        Ok(())
    };
    set(&["timezone"], &zone)?;
    set(&["quiet_hours", "timezone"], &zone)?;
    if let Some(url) = api_url {
        set(&["alerters", "telegram", "api_url"], &yaml_string(url))?;
    }
    Ok(text)
}

/// A double-quoted YAML string.
fn yaml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub use crate::files::write_private;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_keys_are_replaced_in_place_and_the_rest_kept() {
        let mut env = EnvFile::parse(
            "# mine\nOURA_PERSONAL_ACCESS_TOKEN=abc\nexport TELEGRAM_BOT_TOKEN=old\n\nTELEGRAM_BOT_TOKEN=older\nX=1",
        );
        env.set("TELEGRAM_BOT_TOKEN", "123:new");
        env.set("TELEGRAM_CHAT_ID", "-100");
        assert_eq!(
            env.text(),
            "# mine\nOURA_PERSONAL_ACCESS_TOKEN=abc\nTELEGRAM_BOT_TOKEN=123:new\n\nX=1\nTELEGRAM_CHAT_ID=-100\n"
        );
        assert_eq!(env.get("TELEGRAM_BOT_TOKEN").as_deref(), Some("123:new"));
        assert_eq!(env.get("X").as_deref(), Some("1"));
        assert_eq!(env.get("missing"), None);
    }

    #[test]
    fn values_round_trip_through_quoting() {
        for value in [
            "/Users/ada/My Projects/Thanos",
            "a\"b",
            "back\\slash",
            "$HOME",
            "plain-1.2",
        ] {
            let mut env = EnvFile::default();
            env.set("K", value);
            assert_eq!(
                EnvFile::parse(&env.text()).get("K").as_deref(),
                Some(value),
                "{value}"
            );
            let parsed: Vec<(String, String)> = dotenvy::from_read_iter(env.text().as_bytes())
                .map(|r| r.expect("dotenv reads what setup writes"))
                .collect();
            assert_eq!(parsed, [("K".to_owned(), value.to_owned())], "{value}");
        }
    }

    #[test]
    fn the_template_is_personalised_without_losing_a_line() {
        let text = personalised_config("Europe/Berlin", Some("http://127.0.0.1:9/")).unwrap();
        assert!(text.contains("timezone: \"Europe/Berlin\""));
        assert!(text.contains("api_url: \"http://127.0.0.1:9/\""));
        assert_eq!(text.lines().count(), TEMPLATE.lines().count());
        let changed = text
            .lines()
            .zip(TEMPLATE.lines())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(changed, 3);
    }

    #[test]
    fn private_files_are_0600_and_replace_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/.env");
        write_private(&path, "A=1\n").unwrap();
        write_private(&path, "A=2\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "A=2\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let leftovers = fs::read_dir(dir.path().join("sub")).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
    }
}
