//! Property test of the config editor: small generated block-style documents with comments,
//! blank lines, trailing comments, quoted keys and values, lists, 2- or 4-space indentation,
//! LF or CRLF and with or without a final line break. Any one leaf is replaced, or a key (and
//! possibly a parent) is added; every old line must survive byte for byte and an independent
//! re-parse must find exactly the one change.

use operator::config::edit::{get_value, set_value};
use proptest::prelude::*;
use proptest::sample::Index;

use super::walk::walk;

#[derive(Debug, Clone)]
enum Value {
    /// Scalar text as written; empty for `key:` with no value.
    Leaf(String),
    /// A list of scalars, block (`- x`) or flow (`[x, y]`).
    List {
        flow: bool,
        items: Vec<String>,
    },
    Map(Vec<Entry>),
}

#[derive(Debug, Clone)]
struct Entry {
    quoted_key: bool,
    blank_before: bool,
    /// Comment lines before the entry: (indentation relative to the entry's, text).
    comments_before: Vec<(i8, String)>,
    /// Spaces after the value, then maybe a comment.
    trailing: Option<(usize, Option<String>)>,
    value: Value,
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1000i64..1000).prop_map(|n| n.to_string()),
        (0u32..100, 0u32..100).prop_map(|(a, b)| format!("{a}.{b}")),
        "w[a-z]{0,6}",
        "'[a-z #:]{0,8}'",
        "\"[a-z #:/]{0,8}\"",
        prop_oneof![Just("true".to_owned()), Just("false".to_owned())],
    ]
}

fn comment() -> impl Strategy<Value = String> {
    "[a-z ]{0,12}"
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        8 => scalar().prop_map(Value::Leaf),
        1 => Just(Value::Leaf(String::new())),
        1 => (any::<bool>(), prop::collection::vec(scalar(), 1..3))
            .prop_map(|(flow, items)| Value::List { flow, items }),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop::collection::vec(entry(inner), 1..5).prop_map(Value::Map)
    })
}

fn entry(value: impl Strategy<Value = Value>) -> impl Strategy<Value = Entry> {
    (
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop::collection::vec((-2i8..3, comment()), 0..3),
        prop::option::of((1usize..6, prop::option::weighted(0.8, comment()))),
        value,
    )
        .prop_map(
            |(quoted_key, blank_before, comments_before, trailing, value)| Entry {
                quoted_key,
                blank_before,
                comments_before,
                trailing,
                value,
            },
        )
}

/// A generated document and how to write it.
#[derive(Debug, Clone)]
struct Doc {
    header: Vec<String>,
    /// Starts with `---`.
    marker: bool,
    root: Vec<Entry>,
    step: usize,
    crlf: bool,
    final_break: bool,
}

fn doc() -> impl Strategy<Value = Doc> {
    (
        prop::collection::vec(comment(), 0..3),
        prop::bool::weighted(0.2),
        prop::collection::vec(entry(value()), 1..5),
        prop_oneof![Just(2usize), Just(4usize)],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(header, marker, root, step, crlf, final_break)| Doc {
            header,
            marker,
            root,
            step,
            crlf,
            final_break,
        })
}

/// Key names are unique per mapping: `k0`, `k1`, … (never `new…`).
fn key_name(i: usize) -> String {
    format!("k{i}")
}

impl Doc {
    fn render(&self) -> String {
        let mut lines: Vec<String> = self.header.iter().map(|c| format!("#{c}")).collect();
        if self.marker {
            lines.push("---".into());
        }
        render_map(&self.root, 0, self.step, &mut lines);
        let eol = if self.crlf { "\r\n" } else { "\n" };
        let mut text = lines.join(eol);
        if self.final_break {
            text.push_str(eol);
        }
        text
    }

    /// Key paths of every scalar leaf and of every mapping (the root is `[]`).
    fn paths(&self) -> Paths {
        let mut paths = Paths {
            leaves: Vec::new(),
            maps: vec![Vec::new()],
        };
        collect(&self.root, &[], &mut paths);
        paths
    }
}

fn render_map(entries: &[Entry], indent: usize, step: usize, lines: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    for (i, entry) in entries.iter().enumerate() {
        if entry.blank_before {
            lines.push(String::new());
        }
        for (shift, c) in &entry.comments_before {
            let at = (indent as isize + isize::from(*shift) * step as isize).max(0) as usize;
            lines.push(format!("{}#{c}", " ".repeat(at)));
        }
        let key = if entry.quoted_key {
            format!("\"{}\"", key_name(i))
        } else {
            key_name(i)
        };
        let trailing = entry
            .trailing
            .as_ref()
            .map(|(spaces, c)| {
                let c = c.as_ref().map(|c| format!("#{c}")).unwrap_or_default();
                format!("{}{c}", " ".repeat(*spaces))
            })
            .unwrap_or_default();
        match &entry.value {
            Value::Leaf(text) if text.is_empty() => lines.push(format!("{pad}{key}:{trailing}")),
            Value::Leaf(text) => lines.push(format!("{pad}{key}: {text}{trailing}")),
            Value::List { flow: true, items } => {
                lines.push(format!("{pad}{key}: [{}]{trailing}", items.join(", ")));
            }
            Value::List { flow: false, items } => {
                lines.push(format!("{pad}{key}:{trailing}"));
                for item in items {
                    lines.push(format!("{pad}{}- {item}", " ".repeat(step)));
                }
            }
            Value::Map(children) => {
                lines.push(format!("{pad}{key}:{trailing}"));
                render_map(children, indent + step, step, lines);
            }
        }
    }
}

/// The key paths of a generated document.
struct Paths {
    /// Each scalar leaf, and whether it is an empty `key:`.
    leaves: Vec<(Vec<String>, bool)>,
    maps: Vec<Vec<String>>,
}

fn collect(entries: &[Entry], prefix: &[String], out: &mut Paths) {
    for (i, entry) in entries.iter().enumerate() {
        let mut path = prefix.to_vec();
        path.push(key_name(i));
        match &entry.value {
            Value::Leaf(text) => out.leaves.push((path, text.is_empty())),
            Value::List { .. } => {}
            Value::Map(children) => {
                collect(children, &path, out);
                out.maps.push(path);
            }
        }
    }
}

/// What to change.
#[derive(Debug, Clone)]
enum Op {
    Replace(Index),
    /// Add `new_key` (under `new_section` when nested) to a mapping.
    Add {
        map: Index,
        nested: bool,
    },
    /// Give an empty `key:` a child.
    AddUnderEmpty(Index),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<Index>().prop_map(Op::Replace),
        2 => (any::<Index>(), any::<bool>()).prop_map(|(map, nested)| Op::Add { map, nested }),
        1 => any::<Index>().prop_map(Op::AddUnderEmpty),
    ]
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn one_edit_changes_one_thing(doc in doc(), op in op(), new_value in scalar()) {
        let text = doc.render();
        let Paths { leaves, maps } = doc.paths();
        let empties: Vec<&Vec<String>> =
            leaves.iter().filter(|(_, empty)| *empty).map(|(p, _)| p).collect();
        let (path, added): (Vec<String>, usize) = match &op {
            Op::Replace(i) if !leaves.is_empty() => (i.get(&leaves).0.clone(), 0),
            Op::AddUnderEmpty(i) if !empties.is_empty() => {
                let mut p = (*i.get(&empties)).clone();
                p.push("new_key".into());
                (p, 1)
            }
            Op::Replace(i) | Op::AddUnderEmpty(i) => {
                let mut p = i.get(&maps).clone();
                p.push("new_key".into());
                (p, 1)
            }
            Op::Add { map, nested } => {
                let mut p = map.get(&maps).clone();
                if *nested {
                    p.push("new_section".into());
                }
                p.push("new_key".into());
                (p, 1 + usize::from(*nested))
            }
        };
        let path_refs: Vec<&str> = path.iter().map(String::as_str).collect();
        let old_walk = walk(&text);
        let previous = get_value(&text, &path_refs).unwrap();
        prop_assert_eq!(previous.is_some(), added == 0);

        let edited = set_value(&text, &path_refs, &new_value);
        let edited = match edited {
            Ok(edited) => edited,
            Err(err) => return Err(TestCaseError::fail(format!("{err}\n{text}"))),
        };
        prop_assert_eq!(&edited.previous, &previous);
        let new = &edited.text;

        // Every old line survives byte for byte; only the edited line or the added lines differ.
        // (Lines are compared without their line breaks: a last line that had none gets one
        // when a line is added after it. The breaks themselves are checked below.)
        let old_lines: Vec<&str> = text.lines().collect();
        let new_lines: Vec<&str> = new.lines().collect();
        prop_assert_eq!(new_lines.len(), old_lines.len() + added);
        if added == 0 {
            let changed = (0..old_lines.len()).filter(|&i| old_lines[i] != new_lines[i]).count();
            prop_assert!(changed <= 1, "{} lines changed:\n{}", changed, new);
        } else {
            let at = (0..old_lines.len())
                .find(|&i| old_lines[i] != new_lines[i])
                .unwrap_or(old_lines.len());
            prop_assert_eq!(&old_lines[..at], &new_lines[..at]);
            prop_assert_eq!(&old_lines[at..], &new_lines[at + added..], "\n{}", new);
        }

        // Line endings and the final line break are the file's own (a file with no line break
        // gets `\n`).
        if doc.crlf && text.contains('\n') {
            prop_assert_eq!(new.matches('\n').count(), new.matches("\r\n").count());
        } else {
            prop_assert!(!new.contains('\r'));
        }
        prop_assert_eq!(new.ends_with('\n'), text.ends_with('\n'));

        // Re-parsed independently: the path holds the new value, every other leaf is unchanged.
        prop_assert_eq!(get_value(new, &path_refs).unwrap(), Some(new_value.clone()));
        let new_walk = walk(new);
        let mut expected = old_walk.leaves.clone();
        if added == 0 {
            for (p, t) in &mut expected {
                if *p == path {
                    *t = new_value.clone();
                }
            }
        } else {
            // An empty `key:` given a child is no longer a leaf.
            expected.retain(|(p, _)| p.as_slice() != &path[..path.len() - 1]);
            expected.push((path.clone(), new_value.clone()));
        }
        prop_assert_eq!(sorted(new_walk.leaves), sorted(expected));
    }
}
