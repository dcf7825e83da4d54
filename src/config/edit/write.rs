//! Writing the change: the new value checked, a scalar's text replaced, or a missing key
//! (and its parents) added at the right indentation.

use granit_parser::ScalarStyle;

use super::nodes::{Kind, Node, Parent};
use super::verify::NewValue;
use super::{EditError, dotted, slice};

// ---------------------------------------------------------------------------------------------
// Replacing a value.

/// Replaces the scalar `node` (the value of `key`); returns the new text and the old scalar text.
pub(super) fn replace_scalar(
    text: &str,
    key: Option<&Node>,
    node: &Node,
    leaf: &NewValue<'_>,
    in_flow: bool,
    path: &[&str],
) -> Result<(String, String), EditError> {
    let Kind::Scalar { value, style } = &node.kind else {
        return Err(EditError::NotAScalar { path: dotted(path) });
    };
    if let Some(var) = env_reference(value) {
        return Err(EditError::FromEnvironment { var });
    }
    if is_block(*style) {
        return Err(unsupported_block(path));
    }
    if node.tag.is_some() {
        return Err(EditError::Unsupported(format!(
            "`{}` has a tag (`!...`)",
            dotted(path)
        )));
    }
    if in_flow && leaf.plain && leaf.text.contains([',', '[', ']', '{', '}']) {
        return Err(EditError::InvalidValue(
            "inside a flow collection (`{...}`, `[...]`) a value with `,[]{}` must be quoted"
                .to_owned(),
        ));
    }
    if node.is_empty_null() {
        let key = key.ok_or_else(|| EditError::NotAMapping {
            path: String::new(),
        })?;
        let colon = colon_after(text, key.end).ok_or_else(|| {
            EditError::Unsupported(format!("cannot find the `:` after `{}`", dotted(path)))
        })?;
        let text = splice(text, colon + 1, colon + 1, &format!(" {}", leaf.text))?;
        return Ok((text, String::new()));
    }
    let previous = slice(text, node.start, node.end)?.to_owned();
    Ok((splice(text, node.start, node.end, leaf.text)?, previous))
}

/// The first variable named by a `${...}` in `value`, if any (possibly empty when malformed).
pub(super) fn env_reference(value: &str) -> Option<String> {
    let at = value.find("${")?;
    let rest = value.get(at + 2..).unwrap_or_default();
    Some(
        rest.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect(),
    )
}

pub(super) fn is_block(style: ScalarStyle) -> bool {
    matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
}

pub(super) fn unsupported_block(path: &[&str]) -> EditError {
    EditError::Unsupported(format!("`{}` is a block scalar (`|` or `>`)", dotted(path)))
}

/// The offset of the `:` that follows a key ending at `key_end` on the same line.
pub(super) fn colon_after(text: &str, key_end: usize) -> Option<usize> {
    let rest = text.get(key_end..)?;
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    rest[skipped..]
        .starts_with(':')
        .then_some(key_end + skipped)
}

/// `text` with `start..end` replaced by `new`. When a comment follows on the same line, its
/// column is kept if `new` fits before it with a space to spare, else one space separates them;
/// a tab before the comment, or an old value spanning lines, keeps the gap as it was.
pub(super) fn splice(text: &str, start: usize, end: usize, new: &str) -> Result<String, EditError> {
    let before = slice(text, 0, start)?;
    let old = slice(text, start, end)?;
    let after = slice(text, end, text.len())?;
    let line_rest = after.split('\n').next().unwrap_or_default();
    let gap = line_rest.len() - line_rest.trim_start_matches([' ', '\t']).len();
    let comment_follows = gap > 0 && line_rest[gap..].starts_with('#');
    let mut out = String::with_capacity(text.len() + new.len());
    out.push_str(before);
    out.push_str(new);
    if comment_follows && !line_rest[..gap].contains('\t') && !old.contains('\n') {
        let room = old.chars().count() + gap;
        let width = new.chars().count();
        let spaces = if width < room { room - width } else { 1 };
        out.extend(std::iter::repeat_n(' ', spaces));
        out.push_str(&after[gap..]);
    } else {
        out.push_str(after);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Adding a key.

/// Where a missing key goes: `path[depth..]` is created under `parent`.
pub(super) struct Insert<'n> {
    pub(super) depth: usize,
    pub(super) parent: Parent<'n>,
    pub(super) in_flow: bool,
}

impl Insert<'_> {
    pub(super) fn apply(
        &self,
        text: &str,
        root: Option<&Node>,
        path: &[&str],
        leaf: &NewValue<'_>,
    ) -> Result<String, EditError> {
        let parent_path = dotted(path.get(..self.depth).unwrap_or_default());
        let parent = if parent_path.is_empty() {
            "the top level".to_owned()
        } else {
            format!("`{parent_path}`")
        };
        let flow_refusal = || {
            EditError::Unsupported(format!(
                "{parent} is a flow mapping (`{{...}}`): adding keys to it is not supported; \
                 rewrite it in block style"
            ))
        };
        if self.in_flow {
            return Err(flow_refusal());
        }
        let not_at_line_start = || {
            EditError::Unsupported(format!(
                "the keys of {parent} do not start their lines, so the indentation of a new \
                 key is unclear"
            ))
        };
        let step = root.and_then(|r| indent_step(text, r)).unwrap_or(2);
        let (at, base) = match self.parent {
            Parent::Root => (text.len(), 0),
            Parent::EmptyValue { key } => {
                let indent = line_indent(text, key.start).ok_or_else(not_at_line_start)?;
                (line_end(text, key.end), indent + step)
            }
            Parent::Map(map) => {
                let Kind::Map { flow, entries } = &map.kind else {
                    return Err(EditError::NotAMapping { path: parent_path });
                };
                if *flow {
                    return Err(flow_refusal());
                }
                let Some((first, _)) = entries.first() else {
                    return Err(flow_refusal());
                };
                let indent = line_indent(text, first.start).ok_or_else(not_at_line_start)?;
                (line_end(text, content_end(text, map)), indent)
            }
        };
        let segments = path.get(self.depth..).unwrap_or_default();
        let mut lines = Vec::with_capacity(segments.len());
        for (i, segment) in segments.iter().enumerate() {
            let pad = " ".repeat(base + i * step);
            let key = key_text(segment);
            if i + 1 == segments.len() {
                lines.push(format!("{pad}{key}: {}", leaf.text));
            } else {
                lines.push(format!("{pad}{key}:"));
            }
        }
        let eol = line_break(text);
        let mut block = String::new();
        if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
            // The last line has no line break: neither will the new last line.
            block.push_str(eol);
            block.push_str(&lines.join(eol));
        } else {
            for line in &lines {
                block.push_str(line);
                block.push_str(eol);
            }
        }
        let mut out = String::with_capacity(text.len() + block.len());
        out.push_str(slice(text, 0, at)?);
        out.push_str(&block);
        out.push_str(slice(text, at, text.len())?);
        Ok(out)
    }
}

/// Where the last content of `node` ends (trailing blank lines of a block scalar excluded).
pub(super) fn content_end(text: &str, node: &Node) -> usize {
    match &node.kind {
        Kind::Scalar { .. } => {
            let span = text.get(node.start..node.end).unwrap_or_default();
            node.start + span.trim_end().len()
        }
        Kind::Map { flow: true, .. } | Kind::Seq { flow: true, .. } => node.end,
        Kind::Map { entries, .. } => entries.last().map_or(node.start, |(k, v)| {
            content_end(text, k).max(content_end(text, v))
        }),
        Kind::Seq { items, .. } => items
            .last()
            .map_or(node.start, |item| content_end(text, item)),
    }
}

/// The offset just past the line break of the line holding `pos` (the text's end if none).
pub(super) fn line_end(text: &str, pos: usize) -> usize {
    text.get(pos..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| pos + i + 1)
}

/// The indentation of the line holding `pos`, if only spaces (after a byte order mark on the
/// first line) precede `pos` on it.
pub(super) fn line_indent(text: &str, pos: usize) -> Option<usize> {
    let before = text.get(..pos)?;
    let line = match before.rfind('\n') {
        Some(i) => &before[i + 1..],
        None => before.strip_prefix('\u{feff}').unwrap_or(before),
    };
    line.bytes().all(|b| b == b' ').then_some(line.len())
}

/// The document's indentation step: how much deeper the first nested block mapping's keys sit.
pub(super) fn indent_step(text: &str, node: &Node) -> Option<usize> {
    match &node.kind {
        Kind::Map {
            flow: false,
            entries,
        } => entries.iter().find_map(|(key, value)| {
            if let Kind::Map {
                flow: false,
                entries: inner,
            } = &value.kind
            {
                let outer = line_indent(text, key.start);
                let inner = inner.first().and_then(|(k, _)| line_indent(text, k.start));
                if let (Some(outer), Some(inner)) = (outer, inner)
                    && inner > outer
                {
                    return Some(inner - outer);
                }
            }
            indent_step(text, value)
        }),
        Kind::Seq { items, .. } => items.iter().find_map(|item| indent_step(text, item)),
        Kind::Map { .. } | Kind::Scalar { .. } => None,
    }
}

/// The file's line break: `\r\n` when its first line break is, else `\n`.
pub(super) fn line_break(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// A new key as written: plain for a simple word that YAML reads as that string, else quoted.
pub(super) fn key_text(key: &str) -> String {
    const RESERVED: [&str; 11] = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    ];
    let simple = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !RESERVED.contains(&key.to_ascii_lowercase().as_str());
    if simple {
        return key.to_owned();
    }
    let mut out = String::with_capacity(key.len() + 2);
    out.push('"');
    for c in key.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
