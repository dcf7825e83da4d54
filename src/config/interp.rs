//! `${VAR}` and `${VAR:-default}` expansion in string values of a parsed [`Value`] tree.
//!
//! Expansion happens after parsing, never on the raw text, so a `:` or `#` inside a secret
//! cannot change the YAML structure. `$$`, and a `$` not followed by `{`, are left as written.
//! `${VAR:-default}` takes the default when `VAR` is unset or empty, as a shell does.
//! Values themselves are never placed in messages; only variable names are.

use super::Problem;
use super::value::Value;

/// An env lookup: `Some` when the variable is set (possibly to "").
pub(super) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Why a string could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ExpandError {
    /// These variables are referenced without a default and are not set.
    Unset(Vec<String>),
    /// The text has a `${` that is not a well-formed reference.
    Malformed(&'static str),
}

impl ExpandError {
    pub(super) fn message(&self) -> String {
        match self {
            ExpandError::Unset(names) => {
                let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                let first = names.first().map_or("VAR", String::as_str);
                format!(
                    "environment variable {} is not set (set it, e.g. in .env, or write \
                     `${{{first}:-default}}`)",
                    list.join(", ")
                )
            }
            ExpandError::Malformed(why) => format!("invalid `${{...}}` reference: {why}"),
        }
    }
}

/// Expands every `${...}` in `text`.
pub(super) fn expand(text: &str, env: Env<'_>) -> Result<String, ExpandError> {
    let mut out = String::with_capacity(text.len());
    let mut unset = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(after) = tail.strip_prefix("$$") {
            out.push_str("$$");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("${") {
            let end = after
                .find('}')
                .ok_or(ExpandError::Malformed("`${` has no closing `}`"))?;
            let inner = &after[..end];
            match resolve(inner, env)? {
                Some(value) => out.push_str(&value),
                None => unset.push(inner.to_owned()),
            }
            rest = &after[end + 1..];
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    if unset.is_empty() {
        Ok(out)
    } else {
        Err(ExpandError::Unset(unset))
    }
}

/// The value of one reference body (`NAME` or `NAME:-default`); `None` when unset with no default.
fn resolve(inner: &str, env: Env<'_>) -> Result<Option<String>, ExpandError> {
    let (name, default) = match inner.split_once(":-") {
        Some((name, default)) => (name, Some(default)),
        None => (inner, None),
    };
    if !is_var_name(name) {
        return Err(ExpandError::Malformed(
            "a variable name is letters, digits and `_`, not starting with a digit \
             (write `${NAME}` or `${NAME:-default}`)",
        ));
    }
    let value = env(name);
    Ok(match default {
        Some(default) => Some(
            value
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_owned()),
        ),
        None => value,
    })
}

fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Expands every string value in the tree in place. A string that cannot be expanded becomes
/// [`Value::Invalid`] and one problem is recorded at its key path.
pub(super) fn expand_tree(
    value: &mut Value,
    path: &str,
    env: Env<'_>,
    problems: &mut Vec<Problem>,
) {
    match value {
        Value::Str(text) => match expand(text, env) {
            Ok(expanded) => *text = expanded,
            Err(err) => {
                problems.push(Problem {
                    path: path.to_owned(),
                    message: err.message(),
                });
                *value = Value::Invalid;
            }
        },
        Value::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                expand_tree(item, &format!("{path}[{i}]"), env, problems);
            }
        }
        Value::Map(entries) => {
            for (key, item) in entries.iter_mut() {
                expand_tree(item, &join(path, key), env, problems);
            }
        }
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Invalid => {}
    }
}

/// `parent.key`, or `key` at the top level.
pub(super) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/u".into()),
            "EMPTY" => Some(String::new()),
            "TOKEN" => Some("12:ab#c: d".into()),
            _ => None,
        }
    }

    #[test]
    fn expansion_table() {
        let cases: &[(&str, Result<&str, ExpandError>)] = &[
            ("${HOME}/x", Ok("/home/u/x")),
            ("a${HOME}b${HOME}", Ok("a/home/ub/home/u")),
            ("${MISSING:-fallback}", Ok("fallback")),
            ("${MISSING:-}", Ok("")),
            ("${EMPTY:-d}", Ok("d")),
            ("${EMPTY}", Ok("")),
            ("${TOKEN}", Ok("12:ab#c: d")),
            ("$HOME and $$ and 5$", Ok("$HOME and $$ and 5$")),
            ("$${HOME}", Ok("$${HOME}")),
            ("no refs", Ok("no refs")),
            (
                "${MISSING}",
                Err(ExpandError::Unset(vec!["MISSING".into()])),
            ),
            (
                "${A}${B}",
                Err(ExpandError::Unset(vec!["A".into(), "B".into()])),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                &expand(input, &env),
                &want.clone().map(str::to_owned),
                "{input}"
            );
        }
    }

    #[test]
    fn malformed_references_are_errors() {
        for input in ["${HOME", "${}", "${1X}", "${A-B}", "${a b}"] {
            assert!(
                matches!(expand(input, &env), Err(ExpandError::Malformed(_))),
                "{input}"
            );
        }
    }

    #[test]
    fn tree_expansion_names_key_paths_and_marks_invalid() {
        let mut tree = Value::Map(vec![
            ("a".into(), Value::Str("${HOME}".into())),
            (
                "b".into(),
                Value::Seq(vec![Value::Int(1), Value::Str("${NOPE}".into())]),
            ),
        ]);
        let mut problems = Vec::new();
        expand_tree(&mut tree, "", &env, &mut problems);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "b[1]");
        assert!(
            problems[0].message.contains("`NOPE`"),
            "{}",
            problems[0].message
        );
        let Value::Map(entries) = tree else { panic!() };
        assert_eq!(entries[0].1, Value::Str("/home/u".into()));
        assert_eq!(
            entries[1].1,
            Value::Seq(vec![Value::Int(1), Value::Invalid])
        );
    }
}
