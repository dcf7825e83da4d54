//! Pure parsers of the JSON State files: `CommitmentData.json` and `brain_dumps.json`.
//!
//! Whole-file problems (not JSON, wrong top-level shape) are errors; a single bad entry is
//! skipped (a commitment without an id or title, a brain dump that is not an object) and
//! optional fields are tolerated when missing, null or of the wrong type.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::{Map, Value};

use crate::sources::{BrainDump, Commitment, CommitmentOrigin};

/// Parses `{"version", "updated_at", "commitments": [...]}` (a bare array is accepted too).
/// No `commitments` key means no commitments.
pub fn parse_commitment_data(text: &str) -> Result<Vec<Commitment>, String> {
    let value = parse_json(text)?;
    let list = match &value {
        Value::Array(items) => items,
        Value::Object(obj) => match obj.get("commitments") {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(_) => return Err("`commitments` is not an array".to_owned()),
        },
        _ => return Err("expected an object with a `commitments` array".to_owned()),
    };
    Ok(list
        .iter()
        .filter_map(Value::as_object)
        .filter_map(commitment_from_json)
        .collect())
}

/// Parses the brain dump array (`[]` is fine). Entries that are not objects are skipped.
pub fn parse_brain_dumps(text: &str) -> Result<Vec<BrainDump>, String> {
    let Value::Array(items) = parse_json(text)? else {
        return Err("expected a JSON array of brain dumps".to_owned());
    };
    Ok(items
        .iter()
        .filter_map(Value::as_object)
        .map(|entry| BrainDump {
            timestamp: entry
                .get("timestamp")
                .and_then(Value::as_str)
                .and_then(parse_local_timestamp),
            processed: flag(entry.get("processed")),
            category: non_empty_str(entry, "parsed_category"),
            action: non_empty_str(entry, "parsed_action"),
            entities: entities(entry.get("parsed_entities")),
        })
        .collect())
}

fn parse_json(text: &str) -> Result<Value, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))
}

fn commitment_from_json(obj: &Map<String, Value>) -> Option<Commitment> {
    let id = match obj.get("id")? {
        Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let title = non_empty_str(obj, "title")?;
    Some(Commitment {
        id,
        title,
        kind: non_empty_str(obj, "type").unwrap_or_else(|| "task".to_owned()),
        status: non_empty_str(obj, "status")
            .map(|s| s.to_lowercase())
            .unwrap_or_else(|| "pending".to_owned()),
        due_date: obj
            .get("due_date")
            .and_then(Value::as_str)
            .and_then(parse_date_prefix),
        priority: obj.get("priority").and_then(integer),
        recurring: is_recurring(obj.get("recurrence_pattern")),
        origin: CommitmentOrigin::Json,
        in_both: None,
    })
}

/// A recurrence pattern other than null, empty, `none` or `once` (text, object or `true`).
fn is_recurring(pattern: Option<&Value>) -> bool {
    match pattern {
        Some(Value::String(s)) => {
            let s = s.trim().to_ascii_lowercase();
            !matches!(s.as_str(), "" | "none" | "once" | "null")
        }
        Some(Value::Object(obj)) => !obj.is_empty(),
        Some(Value::Bool(b)) => *b,
        _ => false,
    }
}

/// `YYYY-MM-DD`, or the date part of a longer ISO timestamp.
fn parse_date_prefix(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d").ok()
}

/// A naive local ISO timestamp; one with an offset keeps its local wall time.
fn parse_local_timestamp(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.naive_local());
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|fmt| NaiveDateTime::parse_from_str(text, fmt).ok())
}

fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn flag(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => false,
    }
}

/// `parsed_entities`: the non-empty strings of the array (an entity written as an object
/// counts by its `name` or `text`); anything else is no entities.
fn entities(value: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(items)) = value else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Value::String(s) => Some(s.trim()),
            Value::Object(o) => o
                .get("name")
                .or_else(|| o.get("text"))
                .and_then(Value::as_str)
                .map(str::trim),
            _ => None,
        })
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn non_empty_str(obj: &Map<String, Value>, key: &str) -> Option<String> {
    let text = obj.get(key)?.as_str()?.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitments_tolerate_missing_and_odd_fields() {
        let text = r#"{"version": "1.0", "updated_at": "2026-01-24T09:00:00", "commitments": [
            {"id": "a1", "title": "Schedule date night", "type": "habit", "status": "Pending",
             "created_date": "2026-01-01", "due_date": "2026-01-20", "priority": 1,
             "recurrence_pattern": "weekly", "streak_count": 3, "completion_history": [],
             "tags": ["family"], "follow_up_schedule": {}},
            {"id": "a2", "title": "Read", "due_date": null, "priority": "2",
             "recurrence_pattern": "none"},
            {"id": "a3", "title": "Odd due", "due_date": "2026-01-21T00:00:00Z",
             "priority": 2.5},
            {"title": "no id"},
            {"id": "a4", "title": "   "},
            {"id": "", "title": "empty id"},
            "not an object"
        ]}"#;
        let got = parse_commitment_data(text).expect("parses");
        let ids: Vec<_> = got.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a1", "a2", "a3"]);
        assert_eq!(got[0].status, "pending");
        assert_eq!(got[0].due_date, NaiveDate::from_ymd_opt(2026, 1, 20));
        assert!(got[0].recurring);
        assert_eq!(
            (got[1].kind.as_str(), got[1].status.as_str()),
            ("task", "pending")
        );
        assert_eq!(
            (got[1].due_date, got[1].priority, got[1].recurring),
            (None, Some(2), false)
        );
        assert_eq!(
            (got[2].due_date, got[2].priority),
            (NaiveDate::from_ymd_opt(2026, 1, 21), None)
        );
    }

    #[test]
    fn whole_file_problems_are_errors() {
        for text in ["", "{", "42", r#"{"commitments": {}}"#] {
            assert!(parse_commitment_data(text).is_err(), "{text:?} accepted");
        }
        assert_eq!(parse_commitment_data(r#"{"version": "1.0"}"#), Ok(vec![]));
        assert_eq!(parse_commitment_data("\u{feff}[]"), Ok(vec![]));
    }

    #[test]
    fn brain_dump_actions_and_entities() {
        let text = r#"[
            {"timestamp": "2026-01-23T22:15:03", "processed": false, "parsed_category": "task",
             "parsed_action": " call Ashley ", "parsed_entities": ["Ashley", "", 4, {"name": "Memphis"}, null]},
            {"timestamp": "2026-01-23T22:16:00", "processed": false, "parsed_entities": "Ashley"}
        ]"#;
        let got = parse_brain_dumps(text).expect("parses");
        assert_eq!(got[0].action.as_deref(), Some("call Ashley"));
        assert_eq!(got[0].entities, ["Ashley", "Memphis"]);
        assert_eq!((got[1].action.clone(), got[1].entities.len()), (None, 0));
    }

    #[test]
    fn brain_dumps_with_naive_local_timestamps() {
        assert_eq!(parse_brain_dumps("[]"), Ok(vec![]));
        assert!(parse_brain_dumps(r#"{"entries": []}"#).is_err());
        let text = r#"[
            {"timestamp": "2026-01-23T22:15:03.120456", "processed": false,
             "parsed_category": "worry", "parsed_action": null, "parsed_entities": []},
            {"timestamp": "whenever", "processed": true},
            {"timestamp": "2026-01-23T22:15:00-05:00", "processed": 1, "parsed_category": ""},
            7
        ]"#;
        let got = parse_brain_dumps(text).expect("parses");
        assert_eq!(got.len(), 3);
        let first =
            NaiveDateTime::parse_from_str("2026-01-23 22:15:03.120456", "%Y-%m-%d %H:%M:%S%.f");
        assert_eq!(got[0].timestamp, first.ok());
        assert_eq!(
            (got[0].processed, got[0].category.as_deref()),
            (false, Some("worry"))
        );
        assert_eq!((got[0].action.clone(), got[0].entities.len()), (None, 0));
        assert_eq!((got[1].timestamp, got[1].processed), (None, true));
        let third = NaiveDateTime::parse_from_str("2026-01-23 22:15:00", "%Y-%m-%d %H:%M:%S");
        assert_eq!(
            (got[2].timestamp, got[2].processed, got[2].category.clone()),
            (third.ok(), true, None)
        );
    }
}
