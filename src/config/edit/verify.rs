//! Verification: the edited text, parsed again (as events and as the config loader reads
//! it), must be the old document with only the edited path changed.

use std::fmt;

use granit_parser::ScalarStyle;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::nodes::{Kind, Node, parse_nodes};
use super::{EditError, dotted};

// ---------------------------------------------------------------------------------------------
// The new value.

/// The new value, checked, with what each re-parse must find at the path (it is verified as
/// a document of its own before the edit is made).
pub(super) struct NewValue<'v> {
    pub(super) text: &'v str,
    pub(super) plain: bool,
    /// As [`event_tree`] renders it.
    pub(super) event: Tree,
    /// As [`loader_tree`] renders it.
    pub(super) loaded: Tree,
}

impl<'v> NewValue<'v> {
    pub(super) fn parse(text: &'v str) -> Result<NewValue<'v>, EditError> {
        let invalid = |why: &str| Err(EditError::InvalidValue(why.to_owned()));
        if text.is_empty() {
            return invalid("it is empty (write null, ~ or \"\")");
        }
        if text.contains(['\n', '\r']) {
            return invalid("it must be on one line");
        }
        if text.trim() != text {
            return invalid("it starts or ends with white space");
        }
        if text.contains("${") {
            return invalid("it contains `${`: values from the environment are set there");
        }
        let not_scalar = "it is not one YAML scalar (a number, true/false, a word or a quoted \
                          string, with no comment)";
        let Ok(Some(node)) = parse_nodes(text) else {
            return invalid(not_scalar);
        };
        let plain = match &node.kind {
            Kind::Scalar { style, .. } => match style {
                ScalarStyle::Plain => true,
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => false,
                ScalarStyle::Literal | ScalarStyle::Folded => {
                    return invalid("block scalars (`|`, `>`) are not supported");
                }
            },
            Kind::Map { .. } | Kind::Seq { .. } => return invalid(not_scalar),
        };
        if node.start != 0 || node.end != text.len() || node.tag.is_some() {
            return invalid(not_scalar);
        }
        let loaded = match loader_tree(text) {
            Ok(tree) => tree,
            Err(_) => return invalid("the config loader does not accept it"),
        };
        Ok(NewValue {
            text,
            plain,
            event: event_tree(Some(&node)),
            loaded,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Verification: the edited text, parsed again, must be the old document with one change.

/// A document's content for comparison, without positions.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tree {
    Null,
    Leaf(String),
    Seq(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

/// One step of the edited path: an existing key, by its position in its mapping (the loader
/// may name a key differently: it reads `on:` as `true`), or a key the edit adds (appended).
#[derive(Debug, Clone, Copy)]
pub(super) enum Step<'p> {
    Index(usize),
    New(&'p str),
}

/// Checks that `new_text` parses (as events and as the loader reads it) to the old document
/// with only the edited path set to the new value. `path` comes with the position of each of
/// its existing keys in their mappings (from [`lookup`]); the rest of the path was added.
pub(super) fn verify(
    old_root: Option<&Node>,
    old_loaded: &Tree,
    new_text: &str,
    (path, indices): (&[&str], &[usize]),
    leaf: &NewValue<'_>,
) -> Result<(), EditError> {
    let at = dotted(path);
    let steps: Vec<Step<'_>> = path
        .iter()
        .enumerate()
        .map(|(i, segment)| {
            indices
                .get(i)
                .map_or(Step::New(segment), |&i| Step::Index(i))
        })
        .collect();
    let path = steps.as_slice();
    let new_root = parse_nodes(new_text).map_err(|err| {
        EditError::Verification(format!(
            "after setting `{at}` the file does not parse: {err}"
        ))
    })?;
    let mut expected = event_tree(old_root);
    let set = set_in(&mut expected, path, leaf.event.clone());
    if !set || expected != event_tree(new_root.as_ref()) {
        return Err(EditError::Verification(format!(
            "setting `{at}` would change more than that value"
        )));
    }
    let new_loaded = loader_tree(new_text).map_err(|err| {
        EditError::Verification(format!("after setting `{at}` the loader fails: {err}"))
    })?;
    let mut expected = old_loaded.clone();
    let set = set_in(&mut expected, path, leaf.loaded.clone());
    if !set || expected != new_loaded {
        return Err(EditError::Verification(format!(
            "setting `{at}` would change more than that value, as the loader reads it"
        )));
    }
    Ok(())
}

/// Sets `path` in `tree` to `leaf`, appending new keys (a null becomes a mapping for them);
/// false when the path does not fit the tree.
pub(super) fn set_in(tree: &mut Tree, path: &[Step<'_>], leaf: Tree) -> bool {
    let Some((first, rest)) = path.split_first() else {
        *tree = leaf;
        return true;
    };
    if *tree == Tree::Null && matches!(first, Step::New(_)) {
        *tree = Tree::Map(Vec::new());
    }
    let Tree::Map(entries) = tree else {
        return false;
    };
    let index = match first {
        Step::Index(index) => *index,
        Step::New(name) => {
            entries.push(((*name).to_owned(), Tree::Null));
            entries.len() - 1
        }
    };
    entries
        .get_mut(index)
        .is_some_and(|(_, child)| set_in(child, rest, leaf))
}

/// The node tree without positions: every scalar's tag, style and text.
pub(super) fn event_tree(node: Option<&Node>) -> Tree {
    let Some(node) = node else {
        return Tree::Null;
    };
    match &node.kind {
        Kind::Scalar { .. } if node.is_empty_null() => Tree::Null,
        Kind::Scalar { value, style } => {
            let tag = node.tag.as_deref().unwrap_or_default();
            Tree::Leaf(format!("{tag}{style:?}:{value}"))
        }
        Kind::Map { entries, .. } => Tree::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = k.scalar_value().unwrap_or_default().to_owned();
                    (key, event_tree(Some(v)))
                })
                .collect(),
        ),
        Kind::Seq { items, .. } => {
            Tree::Seq(items.iter().map(|item| event_tree(Some(item))).collect())
        }
    }
}

/// The document as the config loader reads it: serde-saphyr into typed values, with the
/// loader's rules (keys become text, duplicate keys and non-finite numbers are errors).
pub(super) fn loader_tree(text: &str) -> Result<Tree, String> {
    if text.trim().is_empty() {
        return Ok(Tree::Null);
    }
    let mut options = serde_saphyr::Options::default();
    // A snippet would quote the file's text, which may hold a literal secret.
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<Loaded>(text, options)
        .map(|Loaded(tree)| tree)
        .map_err(|err| err.without_snippet().to_string())
}

/// A [`Tree`] deserialised by serde-saphyr.
pub(super) struct Loaded(Tree);

impl<'de> Deserialize<'de> for Loaded {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Loaded, D::Error> {
        deserializer.deserialize_any(LoadedVisitor).map(Loaded)
    }
}

pub(super) struct LoadedVisitor;

impl<'de> Visitor<'de> for LoadedVisitor {
    type Value = Tree;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Leaf(format!("bool:{v}")))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Leaf(format!("int:{v}")))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Tree, E> {
        Ok(Tree::Leaf(format!("int:{v}")))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Tree, E> {
        Ok(Tree::Leaf(format!("int:{v}")))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Tree, E> {
        Ok(Tree::Leaf(format!("int:{v}")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tree, E> {
        if v.is_finite() {
            Ok(Tree::Leaf(format!("float:{v:?}")))
        } else {
            Err(E::custom("infinite or NaN numbers are not allowed"))
        }
    }

    fn visit_str<E>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Leaf(format!("str:{v}")))
    }

    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }

    fn visit_none<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        Loaded::deserialize(d).map(|Loaded(tree)| tree)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(Loaded(item)) = seq.next_element::<Loaded>()? {
            items.push(item);
        }
        Ok(Tree::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut entries: Vec<(String, Tree)> = Vec::new();
        while let Some(LoadedKey(key)) = map.next_key::<LoadedKey>()? {
            let Loaded(value) = map.next_value::<Loaded>()?;
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            entries.push((key, value));
        }
        Ok(Tree::Map(entries))
    }
}

/// A mapping key as the loader names it: scalars become text, `null` is "null".
pub(super) struct LoadedKey(String);

impl<'de> Deserialize<'de> for LoadedKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<LoadedKey, D::Error> {
        deserializer.deserialize_any(KeyVisitor).map(LoadedKey)
    }
}

pub(super) struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a plain mapping key")
    }

    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_unit<E>(self) -> Result<String, E> {
        Ok("null".to_owned())
    }

    fn visit_none<E>(self) -> Result<String, E> {
        Ok("null".to_owned())
    }
}
