//! Phase one of loading: YAML text → [`Value`], a tree exactly as written (key order kept).
//!
//! The tree knows nothing of Operator's keys; `reader.rs` gives it meaning. Duplicate keys,
//! YAML syntax errors and non-finite floats are rejected here as one whole-file problem.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A YAML node as written. `Invalid` marks a string whose `${VAR}` expansion already failed
/// (the problem is recorded once; readers then fall back silently).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Value>),
    Map(Vec<(String, Value)>),
    Invalid,
}

/// Parses YAML text into a [`Value`]; an empty document is an empty mapping.
/// The error message has the line and column when the parser knows them.
pub(super) fn parse(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Map(Vec::new()));
    }
    let mut options = serde_saphyr::Options::default();
    // A snippet would quote the file's text, which may hold a literal secret.
    options.with_snippet = false;
    match serde_saphyr::from_str_with_options::<Value>(text, options) {
        Ok(Value::Null) => Ok(Value::Map(Vec::new())),
        Ok(value) => Ok(value),
        Err(err) => {
            let text = err.without_snippet().to_string();
            // Advice meant for the crate's programmer, not for someone editing a config file.
            let text = text.replace(", set DuplicateKeyPolicy in Options if acceptable", "");
            Err(format!("invalid YAML: {text}"))
        }
    }
}

impl Value {
    /// What kind of node this is, for messages that must not echo the value.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing (null)",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
            Value::Invalid => "an invalid value",
        }
    }

    /// A short rendering for messages: scalars are shown (strings quoted and truncated),
    /// lists and mappings only by kind.
    pub(super) fn describe(&self) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) => format!("{:?}", truncate(s, 40)),
            other => other.kind().to_owned(),
        }
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_owned()
    } else {
        let head: String = s.chars().take(max_chars).collect();
        format!("{head}…")
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        if v.is_finite() {
            Ok(Value::Float(v))
        } else {
            Err(E::custom("infinite or NaN numbers are not allowed"))
        }
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<Value>()? {
            let key = match key {
                Value::Str(s) => s,
                Value::Bool(_) | Value::Int(_) | Value::Float(_) => key.describe(),
                Value::Null => "null".to_owned(),
                other => {
                    let msg = format!("mapping keys must be plain words, not {}", other.kind());
                    return Err(de::Error::custom(msg));
                }
            };
            let value = map.next_value::<Value>()?;
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_keep_their_yaml_types() {
        let v = parse("a: 1\nb: 5.0\nc: \"12\"\nd: true\ne:\nf: [1, x]\n").unwrap();
        let Value::Map(entries) = v else {
            panic!("not a map")
        };
        let got: Vec<_> = entries
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", Value::Int(1)),
                ("b", Value::Float(5.0)),
                ("c", Value::Str("12".into())),
                ("d", Value::Bool(true)),
                ("e", Value::Null),
                ("f", Value::Seq(vec![Value::Int(1), Value::Str("x".into())])),
            ]
        );
    }

    #[test]
    fn empty_document_is_an_empty_mapping() {
        assert_eq!(parse("").unwrap(), Value::Map(vec![]));
        assert_eq!(parse("# only a comment\n").unwrap(), Value::Map(vec![]));
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert!(err.contains("uplicate"), "{err}");
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.contains("line"), "{err}");
    }

    #[test]
    fn syntax_errors_do_not_quote_the_text() {
        let err = parse("token: sekrit-value\n  bad: : [\n").unwrap_err();
        assert!(!err.contains("sekrit-value"), "{err}");
    }

    #[test]
    fn non_finite_numbers_are_rejected() {
        assert!(parse("a: .inf\n").is_err());
    }
}
