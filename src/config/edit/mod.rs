//! Editing one scalar of the commented YAML config file in place: the only way Operator
//! changes its own configuration.
//!
//! [`set_value`] replaces the text of one scalar at a key path (or adds a missing key) and
//! keeps every other byte of the file as it was: comments, blank lines, indentation, key order,
//! quoting, line endings and the presence or absence of a final line break. [`get_value`]
//! reads the scalar's text at a path (the "from" of a suggested change).
//!
//! # Approach
//! The text is parsed with `granit-parser`, the event parser under `serde-saphyr`, whose events
//! carry byte spans. A small tree of nodes with spans is built from them, and an edit is a splice
//! of the source text at those spans, never a re-serialisation. The parser, not a hand-written
//! scanner, decides what is a key, a value, a quote or a comment, so `#` inside quotes, quoted
//! keys, multi-line scalars and flow collections are located exactly.
//!
//! Every result is checked before it is returned: the new text is parsed again, both as events
//! (the style and text of every scalar) and as the loader reads it (`serde-saphyr` into a value
//! tree), and each tree must equal the old one with only the edited path changed. If not, the
//! edit is refused with [`EditError::Verification`] and the text is never returned.
//!
//! # Rules
//! - The path names mapping keys from the document's top level; a key matches by its value as
//!   written, so `"version": 1` is found by `version` (and `on:`, which the loader reads as the
//!   key `true`, by `on`).
//! - Replacing: the new scalar text replaces the old scalar text exactly, quotes included: the
//!   caller writes `"09:30"` or `09:30`, and that is what appears. A trailing comment stays; its
//!   column is kept when the new value fits before it with at least one space, otherwise one
//!   space separates them. A key written with no value (`key:`) gets ` value` after its colon.
//! - A current value containing `${` comes from the environment: [`EditError::FromEnvironment`]
//!   names the variable. A new value may not contain `${` either.
//! - Adding: a missing key goes under its parent mapping, at the column of the parent's other
//!   keys, on the line right after the last line of the parent's last entry (its value and any
//!   nested lines, with their trailing comment). Comment and blank lines that follow that entry
//!   stay below the new key, so a comment block that introduces the next section keeps its
//!   place. Missing parent mappings are created as `key:` lines, each one indentation step deeper;
//!   the step is the one the document already uses (the first nested mapping's), else 2. Under
//!   an empty `key:` the new key goes on the next line, one step in; into an empty document
//!   (or one with only comments) it goes at the end. New keys are written plain when they are
//!   simple words that stay strings (not `on`, `yes`, `n`, ...), else double-quoted.
//! - Line endings: inserted lines end with `\r\n` when the file's first line break is `\r\n`.
//!   A file without a final line break still has none; an empty file gets one.
//! - Refused with a clear error rather than guessed: a path through a list
//!   ([`EditError::NotAMapping`]); a target that is a mapping or a list
//!   ([`EditError::NotAScalar`]); keys that appear twice ([`EditError::DuplicateKey`]); and, as
//!   [`EditError::Unsupported`], anchors and aliases anywhere (an edit could reach other keys
//!   through them), more than one document, a tab in a line's indentation, mapping keys that
//!   are not scalars, a block scalar (`|`, `>`) or tagged scalar as the target, and adding a key
//!   to a flow mapping (`{a: 1}`; replacing a value inside one is supported). Rarer cases that
//!   the rules above would get wrong, such as adding after a `|+` block scalar whose kept blank
//!   lines the new key would cut off, end in [`EditError::Verification`]. Error messages name
//!   key paths, never values, since a config file may hold a literal secret.
//!
//! The code is split by step: [`nodes`] (the parser's events as a tree with spans, and finding
//! a path), [`write`] (checking the new value, replacing a scalar, adding a key) and
//! [`verify`] (the edited text parsed again must be the old document with one change).

mod nodes;
mod verify;
mod write;

use std::fmt;

use nodes::{Kind, Lookup, lookup, parse_nodes};
use verify::{NewValue, loader_tree, verify};
use write::{Insert, is_block, replace_scalar, unsupported_block};

/// A successful edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    /// The whole file with the one change applied.
    pub text: String,
    /// The old scalar text as written (quotes included; `""` for `key:` with no value),
    /// or `None` when the key was added.
    pub previous: Option<String>,
}

/// Why a value could not be read or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The key path has no segments.
    EmptyPath,
    /// The current value is or contains `${VAR}` (or `${VAR:-default}`): it lives in the
    /// environment, so the file is not the place to change it.
    FromEnvironment {
        /// The first variable the value names.
        var: String,
    },
    /// The value at this path is a mapping or a list.
    NotAScalar {
        /// Dotted key path.
        path: String,
    },
    /// A parent on the path is a scalar or a list, so it has no keys (empty `path`: the
    /// document's top level).
    NotAMapping {
        /// Dotted key path of the parent.
        path: String,
    },
    /// A key appears twice in one mapping; the loader rejects such a file.
    DuplicateKey {
        /// Dotted key path of the repeated key.
        path: String,
    },
    /// The new value is not one single-line YAML scalar.
    InvalidValue(String),
    /// The file uses a construct this module does not edit safely.
    Unsupported(String),
    /// The file is not valid YAML.
    Parse(String),
    /// The edited text did not re-parse to the old document with only this path changed; the
    /// edit was not applied.
    Verification(String),
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::EmptyPath => f.write_str("no key path given"),
            EditError::FromEnvironment { var } => write!(
                f,
                "the value comes from the environment variable `{var}`: change it there \
                 (e.g. in .env), not in the config file"
            ),
            EditError::NotAScalar { path } => {
                write!(f, "`{path}` holds a mapping or a list, not a single value")
            }
            EditError::NotAMapping { path } if path.is_empty() => {
                f.write_str("the top level of the document is not a mapping")
            }
            EditError::NotAMapping { path } => {
                write!(f, "`{path}` holds a single value or a list, not a mapping")
            }
            EditError::DuplicateKey { path } => write!(
                f,
                "`{path}` appears more than once in its mapping; fix the file by hand first"
            ),
            EditError::InvalidValue(why) => write!(f, "invalid new value: {why}"),
            EditError::Unsupported(why) => write!(f, "cannot edit this file safely: {why}"),
            EditError::Parse(why) => write!(f, "invalid YAML: {why}"),
            EditError::Verification(why) => write!(f, "the edit was not applied: {why}"),
        }
    }
}

impl std::error::Error for EditError {}

/// The scalar text at `path` exactly as written (quotes included, `""` for `key:` with no
/// value), or `None` when the key is absent (or a parent is an empty `key:`).
pub fn get_value(yaml: &str, path: &[&str]) -> Result<Option<String>, EditError> {
    if path.is_empty() {
        return Err(EditError::EmptyPath);
    }
    let root = parse_nodes(yaml)?;
    match lookup(root.as_ref(), path)? {
        Lookup::Missing { .. } => Ok(None),
        Lookup::Found { node, .. } => {
            let Kind::Scalar { style, .. } = &node.kind else {
                return Err(EditError::NotAScalar { path: dotted(path) });
            };
            if is_block(*style) {
                return Err(unsupported_block(path));
            }
            slice(yaml, node.start, node.end).map(|s| Some(s.to_owned()))
        }
    }
}

/// Sets the scalar at `path` to `new_value` (YAML scalar text such as `5.5`, `true` or
/// `"09:30"`, written exactly as given), adding the key and missing parent mappings when
/// absent. See the module documentation for the rules.
pub fn set_value(yaml: &str, path: &[&str], new_value: &str) -> Result<Edited, EditError> {
    if path.is_empty() {
        return Err(EditError::EmptyPath);
    }
    let leaf = NewValue::parse(new_value)?;
    let root = parse_nodes(yaml)?;
    let old_loaded = loader_tree(yaml).map_err(EditError::Parse)?;
    let (text, previous, indices) = match lookup(root.as_ref(), path)? {
        Lookup::Found {
            key,
            node,
            in_flow,
            indices,
        } => {
            let (text, previous) = replace_scalar(yaml, key, node, &leaf, in_flow, path)?;
            (text, Some(previous), indices)
        }
        Lookup::Missing {
            depth,
            parent,
            in_flow,
            indices,
        } => {
            let insert = Insert {
                depth,
                parent,
                in_flow,
            };
            (
                insert.apply(yaml, root.as_ref(), path, &leaf)?,
                None,
                indices,
            )
        }
    };
    verify(root.as_ref(), &old_loaded, &text, (path, &indices), &leaf)?;
    Ok(Edited { text, previous })
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/// `text[start..end]`, or an error instead of a panic if the offsets are not usable.
fn slice(text: &str, start: usize, end: usize) -> Result<&str, EditError> {
    text.get(start..end)
        .ok_or_else(|| EditError::Parse("a parser offset is outside the text".to_owned()))
}

fn dotted(path: &[&str]) -> String {
    path.join(".")
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

#[cfg(test)]
mod tests;
