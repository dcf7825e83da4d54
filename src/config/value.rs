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

// Conversions used by the reader: after `${VAR}` expansion a number or boolean may arrive
// as text, so strings are parsed where a key needs another type.

pub(super) fn to_bool(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(format!("expected true or false, got {}", v.describe())),
        },
        other => Err(format!("expected true or false, got {}", other.describe())),
    }
}

pub(super) fn to_f64(v: &Value) -> Result<f64, String> {
    let parsed = match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Str(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    parsed
        .filter(|f| f.is_finite())
        .ok_or_else(|| format!("expected a number, got {}", v.describe()))
}

pub(super) fn to_i64(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Str(s) if s.trim().parse::<i64>().is_ok() => {
            s.trim().parse::<i64>().map_err(|e| e.to_string())
        }
        _ => {
            let f =
                to_f64(v).map_err(|_| format!("expected a whole number, got {}", v.describe()))?;
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                Ok(f as i64)
            } else {
                Err(format!("expected a whole number, got {}", v.describe()))
            }
        }
    }
}

/// Scalars become text (`sound: 123` is the string "123"); lists and mappings are errors.
pub(super) fn to_string(v: &Value) -> Result<String, String> {
    match v {
        Value::Str(s) => Ok(s.clone()),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) => Ok(v.describe()),
        other => Err(format!("expected a string, got {}", other.kind())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_accept_strings_from_env_expansion() {
        assert_eq!(to_i64(&Value::Str(" 42 ".into())), Ok(42));
        assert_eq!(to_i64(&Value::Float(900.0)), Ok(900));
        assert_eq!(to_f64(&Value::Str("5.5".into())), Ok(5.5));
        assert_eq!(to_bool(&Value::Str("False".into())), Ok(false));
        assert_eq!(to_string(&Value::Int(7)), Ok("7".into()));
    }

    #[test]
    fn conversions_explain_what_they_got() {
        assert_eq!(
            to_f64(&Value::Str("abc".into())),
            Err("expected a number, got \"abc\"".into())
        );
        assert_eq!(
            to_i64(&Value::Float(7.5)),
            Err("expected a whole number, got 7.5".into())
        );
        assert_eq!(
            to_i64(&Value::Seq(vec![])),
            Err("expected a whole number, got a list".into())
        );
        assert!(to_bool(&Value::Str("maybe".into())).is_err());
        assert!(to_string(&Value::Map(vec![])).is_err());
    }

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
