//! Tests of the config editor (`config::edit`): every scalar leaf and every mapping of the
//! real, commented `config/operator.yaml`, then one test per rule or refusal.

mod proptests;
mod walk;

use operator::config::edit::{EditError, Edited, get_value, set_value};
use walk::walk;

const OPERATOR_YAML: &str = include_str!("../../config/operator.yaml");

fn set(yaml: &str, path: &[&str], value: &str) -> Edited {
    match set_value(yaml, path, value) {
        Ok(edited) => edited,
        Err(err) => panic!("setting {path:?} to {value:?} failed: {err}"),
    }
}

fn set_err(yaml: &str, path: &[&str], value: &str) -> EditError {
    match set_value(yaml, path, value) {
        Ok(edited) => panic!("setting {path:?} succeeded:\n{}", edited.text),
        Err(err) => err,
    }
}

/// A different scalar of the same kind as `raw`.
fn different(raw: &str) -> String {
    if raw == "true" {
        "false".into()
    } else if raw == "false" {
        "true".into()
    } else if let Ok(n) = raw.parse::<i64>() {
        (n + 1).to_string()
    } else if let Ok(x) = raw.parse::<f64>() {
        format!("{:.2}", x + 0.25)
    } else if raw.starts_with('"') {
        "\"changed: value#1\"".into()
    } else if raw.starts_with('\'') {
        "'changed value'".into()
    } else {
        "changed".into()
    }
}

/// The variable named by the first `${...}` in `raw`.
fn var_in(raw: &str) -> String {
    let at = raw.find("${").expect("a reference");
    raw[at + 2..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The byte column of the trailing comment of `line`, if any (no value in the fixture, nor
/// any value [`different`] writes, holds ` #`).
fn comment_at(line: &str) -> Option<usize> {
    line.find(" #").map(|i| i + 1)
}

#[test]
fn every_scalar_leaf_of_the_real_config_can_be_set_and_nothing_else_moves() {
    let old_walk = walk(OPERATOR_YAML);
    let old_lines: Vec<&str> = OPERATOR_YAML.split('\n').collect();
    let (mut edited, mut refused) = (0, 0);
    assert!(
        old_walk.leaves.len() > 70,
        "{} leaves",
        old_walk.leaves.len()
    );
    for (path, raw) in &old_walk.leaves {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        assert_eq!(
            get_value(OPERATOR_YAML, &path).unwrap().as_deref(),
            Some(raw.as_str())
        );
        if raw.contains("${") {
            let err = set_err(OPERATOR_YAML, &path, "\"x\"");
            assert_eq!(err, EditError::FromEnvironment { var: var_in(raw) });
            refused += 1;
            continue;
        }
        let new = different(raw);
        let out = set(OPERATOR_YAML, &path, &new);
        assert_eq!(out.previous.as_deref(), Some(raw.as_str()));

        // Line by line: exactly one line differs.
        let new_lines: Vec<&str> = out.text.split('\n').collect();
        assert_eq!(new_lines.len(), old_lines.len(), "{path:?}");
        let changed: Vec<usize> = (0..old_lines.len())
            .filter(|&i| old_lines[i] != new_lines[i])
            .collect();
        assert_eq!(changed.len(), 1, "{path:?}: lines {changed:?} changed");
        let (old_line, new_line) = (old_lines[changed[0]], new_lines[changed[0]]);
        let value_at = old_line.find(raw.as_str()).expect("value on its line");
        assert_eq!(old_line[..value_at], new_line[..value_at], "{path:?}");
        assert!(
            new_line[value_at..].starts_with(&new),
            "{path:?}: {new_line}"
        );
        if let Some(col) = comment_at(old_line) {
            let new_col = comment_at(new_line).expect("comment kept");
            assert_eq!(old_line[col..], new_line[new_col..], "{path:?}");
            if new.len() <= raw.len() {
                assert_eq!(col, new_col, "{path:?}: comment column moved");
            }
        }

        // Re-parsed independently: the path holds the new text, every other leaf its old one.
        let new_walk = walk(&out.text);
        let mut expected = old_walk.clone();
        for (p, text) in &mut expected.leaves {
            if *p == path {
                *text = new.clone();
            }
        }
        assert_eq!(new_walk, expected, "{path:?}");
        assert_eq!(
            get_value(&out.text, &path).unwrap().as_deref(),
            Some(new.as_str())
        );
        edited += 1;
    }
    assert!(
        edited > 55 && refused >= 10,
        "{edited} edited, {refused} refused"
    );
}

#[test]
fn a_key_can_be_added_under_every_mapping_of_the_real_config() {
    let old_walk = walk(OPERATOR_YAML);
    let old_lines: Vec<&str> = OPERATOR_YAML.split('\n').collect();
    for map in &old_walk.maps {
        for added in [&["added_key"][..], &["added_section", "added_key"][..]] {
            let mut path: Vec<&str> = map.iter().map(String::as_str).collect();
            path.extend_from_slice(added);
            let out = set(OPERATOR_YAML, &path, "42");
            assert_eq!(out.previous, None);
            let new_lines: Vec<&str> = out.text.split('\n').collect();
            assert_eq!(new_lines.len(), old_lines.len() + added.len(), "{path:?}");
            let at = (0..old_lines.len())
                .find(|&i| old_lines[i] != new_lines[i])
                .expect("lines inserted before the end");
            // The old lines are all there, in order, around the inserted block.
            assert_eq!(old_lines[..at], new_lines[..at]);
            assert_eq!(old_lines[at..], new_lines[at + added.len()..], "{path:?}");
            // The inserted lines sit at the parent's children's indentation, then one step in.
            let indent = 2 * map.len();
            for (i, key) in added.iter().enumerate() {
                let pad = " ".repeat(indent + 2 * i);
                let want = if i + 1 == added.len() {
                    format!("{pad}{key}: 42")
                } else {
                    format!("{pad}{key}:")
                };
                assert_eq!(new_lines[at + i], want, "{path:?}");
            }
            // Right after the parent's last content line, not after a comment or blank line.
            let before = old_lines[at - 1].trim_start();
            assert!(!before.is_empty() && !before.starts_with('#'), "{path:?}");
            assert_eq!(get_value(&out.text, &path).unwrap().as_deref(), Some("42"));
        }
    }
}

#[test]
fn the_documented_example_keeps_its_comment() {
    let out = set(
        OPERATOR_YAML,
        &["monitors", "health", "thresholds", "sleep_hours_warning"],
        "5.5",
    );
    assert_eq!(out.previous.as_deref(), Some("6.0"));
    let want = OPERATOR_YAML.replace(
        "      sleep_hours_warning: 6.0     # total sleep",
        "      sleep_hours_warning: 5.5     # total sleep",
    );
    assert_ne!(want, OPERATOR_YAML);
    assert_eq!(out.text, want);
}

#[test]
fn trailing_comments_keep_their_column_or_one_space() {
    let yaml = "a: 6.0   # comment\nb: 1 # c\n";
    assert_eq!(
        set(yaml, &["a"], "5.5").text,
        "a: 5.5   # comment\nb: 1 # c\n"
    );
    assert_eq!(
        set(yaml, &["a"], "5").text,
        "a: 5     # comment\nb: 1 # c\n"
    );
    assert_eq!(
        set(yaml, &["a"], "12.25").text,
        "a: 12.25 # comment\nb: 1 # c\n"
    );
    assert_eq!(
        set(yaml, &["a"], "123456789").text,
        "a: 123456789 # comment\nb: 1 # c\n"
    );
    assert_eq!(
        set(yaml, &["b"], "100").text,
        "a: 6.0   # comment\nb: 100 # c\n"
    );
}

#[test]
fn quoted_values_are_replaced_quotes_and_all() {
    let yaml = "tz: \"America/New_York\"  # zone\nname: 'x # y'\nplain: word\n";
    let out = set(yaml, &["tz"], "\"Europe/Paris\"");
    assert_eq!(out.previous.as_deref(), Some("\"America/New_York\""));
    assert_eq!(
        out.text,
        "tz: \"Europe/Paris\"      # zone\nname: 'x # y'\nplain: word\n"
    );
    // Written exactly as given: unquoted stays unquoted.
    let out = set(yaml, &["tz"], "Europe/Paris");
    assert!(out.text.starts_with("tz: Europe/Paris        # zone\n"));
    let out = set(yaml, &["name"], "'it''s'");
    assert_eq!(out.previous.as_deref(), Some("'x # y'"));
    assert!(out.text.contains("\nname: 'it''s'\n"));
    assert_eq!(
        get_value(yaml, &["name"]).unwrap().as_deref(),
        Some("'x # y'")
    );
    // A time must be quoted to stay a string; both forms are accepted as given.
    let out = set(yaml, &["plain"], "\"09:30\"");
    assert!(out.text.ends_with("plain: \"09:30\"\n"));
}

#[test]
fn values_from_the_environment_are_refused_with_the_variable_name() {
    let yaml = "a: \"${HOME}/x\"\nb: \"${TOKEN:-}\"\nc: ${PLAIN_VAR:-false}\nd: 'x ${Y_2} ${Z}'\n";
    for (key, var) in [
        ("a", "HOME"),
        ("b", "TOKEN"),
        ("c", "PLAIN_VAR"),
        ("d", "Y_2"),
    ] {
        assert_eq!(
            set_err(yaml, &[key], "1"),
            EditError::FromEnvironment { var: var.into() },
            "{key}"
        );
    }
    // Reading is fine.
    assert_eq!(
        get_value(yaml, &["b"]).unwrap().as_deref(),
        Some("\"${TOKEN:-}\"")
    );
    // And a new value cannot introduce a reference either.
    assert!(matches!(
        set_err("a: 1\n", &["a"], "\"${X}\""),
        EditError::InvalidValue(_)
    ));
    let err = set_err(yaml, &["a"], "1");
    assert!(err.to_string().contains("`HOME`"), "{err}");
}

#[test]
fn an_absent_key_is_added_under_its_parent() {
    let yaml = "\
a:
  x: 1   # one
  y:
    - 1
    - 2
  # about b
b:
  z: 3
";
    let out = set(yaml, &["a", "w"], "true");
    assert_eq!(out.previous, None);
    assert_eq!(
        out.text,
        "a:\n  x: 1   # one\n  y:\n    - 1\n    - 2\n  w: true\n  # about b\nb:\n  z: 3\n"
    );
    // At the end of the file, and at the top level.
    assert_eq!(
        set(yaml, &["b", "v"], "'s'").text,
        format!("{yaml}  v: 's'\n")
    );
    assert_eq!(set(yaml, &["c"], "0").text, format!("{yaml}c: 0\n"));
}

#[test]
fn absent_parents_are_created() {
    let yaml = "a:\n  x: 1\n\n# tail comment\n";
    assert_eq!(
        set(yaml, &["a", "p", "q", "r"], "1.5").text,
        "a:\n  x: 1\n  p:\n    q:\n      r: 1.5\n\n# tail comment\n"
    );
    // At the top level too the new key follows the last entry; the file's closing comment
    // stays last.
    assert_eq!(
        set(yaml, &["s", "m"], "on").text,
        "a:\n  x: 1\ns:\n  m: on\n\n# tail comment\n"
    );
    // Keys that are not plain words are quoted.
    let out = set(yaml, &["a", "two words", "yes"], "1");
    assert!(
        out.text.contains("\n  \"two words\":\n    \"yes\": 1\n"),
        "{}",
        out.text
    );
    assert_eq!(
        get_value(&out.text, &["a", "two words", "yes"])
            .unwrap()
            .as_deref(),
        Some("1")
    );
}

#[test]
fn an_empty_key_gets_a_value_or_children() {
    let yaml = "a:\nb:   # note\nc: 1\n";
    assert_eq!(get_value(yaml, &["a"]).unwrap().as_deref(), Some(""));
    let out = set(yaml, &["a"], "5");
    assert_eq!(out.previous.as_deref(), Some(""));
    assert_eq!(out.text, "a: 5\nb:   # note\nc: 1\n");
    assert_eq!(set(yaml, &["b"], "5").text, "a:\nb: 5 # note\nc: 1\n");
    assert_eq!(get_value(yaml, &["a", "x"]).unwrap(), None);
    assert_eq!(
        set(yaml, &["b", "x", "z"], "5").text,
        "a:\nb:   # note\n  x:\n    z: 5\nc: 1\n"
    );
    // An explicit null is a value, not a place for keys.
    assert_eq!(
        set_err("a: null\n", &["a", "x"], "1"),
        EditError::NotAMapping { path: "a".into() }
    );
}

#[test]
fn paths_through_lists_are_refused() {
    let yaml = "\
rules:
  - name: a
    level: 1
  - name: b
tags: [x, y]
";
    assert_eq!(
        set_err(yaml, &["rules", "name"], "c"),
        EditError::NotAMapping {
            path: "rules".into()
        }
    );
    assert_eq!(
        set_err(yaml, &["rules"], "c"),
        EditError::NotAScalar {
            path: "rules".into()
        }
    );
    assert_eq!(
        set_err(yaml, &["tags", "x"], "c"),
        EditError::NotAMapping {
            path: "tags".into()
        }
    );
    assert_eq!(
        get_value(yaml, &["tags"]),
        Err(EditError::NotAScalar {
            path: "tags".into()
        })
    );
    assert_eq!(
        set_err("a: 1\n", &["a", "b"], "2"),
        EditError::NotAMapping { path: "a".into() }
    );
    assert_eq!(
        set_err("- 1\n", &["a"], "2"),
        EditError::NotAMapping {
            path: String::new()
        }
    );
}

#[test]
fn crlf_files_keep_crlf() {
    let yaml = "a: 1  # c\r\nb:\r\n  c: 2\r\n";
    let out = set(yaml, &["b", "c"], "3");
    assert_eq!(out.text, "a: 1  # c\r\nb:\r\n  c: 3\r\n");
    let out = set(yaml, &["b", "d", "e"], "4");
    assert_eq!(
        out.text,
        "a: 1  # c\r\nb:\r\n  c: 2\r\n  d:\r\n    e: 4\r\n"
    );
    let out = set(yaml, &["a"], "10");
    assert_eq!(out.text, "a: 10 # c\r\nb:\r\n  c: 2\r\n");
}

#[test]
fn a_missing_final_line_break_stays_missing() {
    let yaml = "a:\n  b: 1  # c";
    assert_eq!(set(yaml, &["a", "b"], "2").text, "a:\n  b: 2  # c");
    assert_eq!(set(yaml, &["a", "x"], "2").text, "a:\n  b: 1  # c\n  x: 2");
    assert_eq!(set(yaml, &["z"], "2").text, "a:\n  b: 1  # c\nz: 2");
    assert_eq!(
        set("a: 1\r\nb: 1", &["c"], "2").text,
        "a: 1\r\nb: 1\r\nc: 2"
    );
}

#[test]
fn duplicate_keys_are_refused() {
    let yaml = "a: 1\nb:\n  c: 1\n  c: 2\n";
    let want = EditError::DuplicateKey { path: "b.c".into() };
    assert_eq!(set_err(yaml, &["a"], "2"), want);
    assert_eq!(get_value(yaml, &["b", "c"]), Err(want));
    // Quoting does not make a key different.
    assert_eq!(
        set_err("a: 1\n\"a\": 2\n", &["a"], "3"),
        EditError::DuplicateKey { path: "a".into() }
    );
}

#[test]
fn empty_documents_and_flow_mappings() {
    assert_eq!(set("", &["a"], "1").text, "a: 1\n");
    assert_eq!(set("", &["a", "b"], "1").text, "a:\n  b: 1\n");
    assert_eq!(get_value("", &["a"]).unwrap(), None);
    assert_eq!(
        set("# only a comment\n\n", &["a"], "1").text,
        "# only a comment\n\na: 1\n"
    );
    assert_eq!(set("# no break", &["a"], "1").text, "# no break\na: 1");
    assert_eq!(set("---\n", &["a"], "1").text, "---\na: 1\n");

    // `{}` is a flow mapping: values in one can be replaced, keys not added.
    assert_eq!(get_value("{}\n", &["a"]).unwrap(), None);
    assert!(matches!(
        set_err("{}\n", &["a"], "1"),
        EditError::Unsupported(_)
    ));
    let yaml = "limits: {low: 1, high: 9}  # c\n";
    assert_eq!(
        set(yaml, &["limits", "high"], "10").text,
        "limits: {low: 1, high: 10}  # c\n"
    );
    assert!(matches!(
        set_err(yaml, &["limits", "mid"], "5"),
        EditError::Unsupported(_)
    ));
    assert!(matches!(
        set_err(yaml, &["limits", "low"], "a,b"),
        EditError::InvalidValue(_)
    ));
    assert_eq!(
        set(yaml, &["limits", "low"], "\"a,b\"").text,
        "limits: {low: \"a,b\", high: 9}  # c\n"
    );
}

#[test]
fn quoted_keys_are_found_by_their_value() {
    let yaml = "\"version\": \"1.0\"\n'other key': 2\n";
    assert_eq!(
        get_value(yaml, &["version"]).unwrap().as_deref(),
        Some("\"1.0\"")
    );
    assert_eq!(
        set(yaml, &["version"], "\"1.1\"").text,
        "\"version\": \"1.1\"\n'other key': 2\n"
    );
    assert_eq!(
        set(yaml, &["other key"], "3").text,
        "\"version\": \"1.0\"\n'other key': 3\n"
    );
}

#[test]
fn four_space_indentation_is_followed() {
    let yaml = "\
top:
    inner:
        value: 1    # c
    other: 2
";
    assert_eq!(
        set(yaml, &["top", "inner", "value"], "3").text,
        yaml.replace("value: 1 ", "value: 3 ")
    );
    assert_eq!(
        set(yaml, &["top", "inner", "new"], "3").text,
        "top:\n    inner:\n        value: 1    # c\n        new: 3\n    other: 2\n"
    );
    assert_eq!(
        set(yaml, &["top", "x", "z"], "3").text,
        "top:\n    inner:\n        value: 1    # c\n    other: 2\n    x:\n        z: 3\n"
    );
    assert_eq!(
        set(yaml, &["fresh", "z"], "3").text,
        format!("{yaml}fresh:\n    z: 3\n")
    );
}

#[test]
fn unsupported_constructs_are_refused() {
    let cases: &[(&str, &[&str])] = &[
        ("base: &b 1\nother: *b\n", &["base"]),
        ("a: 1\nb: *x\n", &["a"]),
        ("a: 1\n---\nb: 2\n", &["a"]),
        ("a:\n\tb: 1\n", &["a", "b"]),
        ("a:\n  \tb: 1\n", &["a", "b"]),
        ("text: |\n  line\n", &["text"]),
        ("text: >-\n  line\n", &["text"]),
        ("n: !!str 5\n", &["n"]),
        ("? [a, b]\n: 1\nc: 2\n", &["c"]),
    ];
    for (yaml, path) in cases {
        match set_value(yaml, path, "2") {
            Err(EditError::Unsupported(_) | EditError::Parse(_)) => {}
            other => panic!("{yaml:?}: {other:?}"),
        }
    }
    // A block scalar elsewhere is no obstacle.
    let yaml = "text: |\n  line\n\nn: 1\n";
    assert_eq!(set(yaml, &["n"], "2").text, "text: |\n  line\n\nn: 2\n");
    assert_eq!(
        set(yaml, &["m"], "2").text,
        "text: |\n  line\n\nn: 1\nm: 2\n"
    );
    let yaml = "n: 1\ntext: |\n  line\n\n# after\n";
    assert_eq!(
        set(yaml, &["m"], "2").text,
        "n: 1\ntext: |\n  line\nm: 2\n\n# after\n"
    );
    // Keys the loader reads as booleans (`n` is false) are still found as written, and a new
    // one is quoted so that it stays a word.
    let yaml = "n: 1\non: 2\n";
    assert_eq!(set(yaml, &["n"], "3").text, "n: 3\non: 2\n");
    assert_eq!(set(yaml, &["on"], "3").text, "n: 1\non: 3\n");
    assert_eq!(set(yaml, &["y"], "3").text, "n: 1\non: 2\n\"y\": 3\n");
    // A tab after the indentation is fine.
    assert_eq!(set("a:\t1\t# c\n", &["a"], "22").text, "a:\t22\t# c\n");
    // Syntax errors are parse errors.
    assert!(matches!(
        set_err("a: [1\nb: 2\n", &["b"], "3"),
        EditError::Parse(_)
    ));
}

#[test]
fn new_values_must_be_one_scalar() {
    let yaml = "a: 1\n";
    for bad in [
        "", " 1", "1 ", "a: b", "- x", "[1]", "{a: 1}", "x # y", "a\nb", "|", ">", "&a x", "*a",
        "!!str x", "\"open", "---", "#",
    ] {
        assert!(
            matches!(set_err(yaml, &["a"], bad), EditError::InvalidValue(_)),
            "{bad:?}"
        );
    }
    for good in [
        "null",
        "~",
        "\"\"",
        "''",
        "-5",
        "1e3",
        "a:b",
        "x#y",
        "\"a: b # c\"",
        "'q''s'",
        "yes",
        "über",
    ] {
        let out = set(yaml, &["a"], good);
        assert_eq!(out.text, format!("a: {good}\n"));
    }
    assert_eq!(set_err(yaml, &[], "1"), EditError::EmptyPath);
    assert_eq!(get_value(yaml, &[]), Err(EditError::EmptyPath));
}

#[test]
fn multi_line_scalars_are_replaced_whole() {
    let yaml = "a: first\n  second   # c\nb: \"x\n  y\"\nc: 1\n";
    assert_eq!(
        get_value(yaml, &["a"]).unwrap().as_deref(),
        Some("first\n  second")
    );
    assert_eq!(
        set(yaml, &["a"], "one").text,
        "a: one   # c\nb: \"x\n  y\"\nc: 1\n"
    );
    assert_eq!(
        set(yaml, &["b"], "'z'").text,
        "a: first\n  second   # c\nb: 'z'\nc: 1\n"
    );
}

#[test]
fn errors_name_paths_not_values() {
    let yaml = "token: sekrit-value\nlist: [1]\n";
    for err in [
        set_err(yaml, &["list"], "1"),
        set_err(yaml, &["token", "x"], "1"),
        set_err("token: sekrit-value\ntoken: 2\n", &["token"], "1"),
    ] {
        assert!(!err.to_string().contains("sekrit"), "{err}");
    }
}

#[test]
fn edge_cases_are_edited_or_refused_safely() {
    // A byte order mark stays, and root keys after it are still at column 0.
    assert_eq!(set("\u{feff}a: 1\n", &["a"], "2").text, "\u{feff}a: 2\n");
    assert_eq!(
        set("\u{feff}a: 1\n", &["b"], "2").text,
        "\u{feff}a: 1\nb: 2\n"
    );
    // A document end marker stays after the content.
    assert_eq!(
        set("a: 1\n...\n# c\n", &["b"], "2").text,
        "a: 1\nb: 2\n...\n# c\n"
    );
    // Lists as the last entry: the new key follows their last item.
    assert_eq!(
        set("a:\n- x\n- y\n", &["b"], "2").text,
        "a:\n- x\n- y\nb: 2\n"
    );
    // Trailing blank lines stay after the new key.
    assert_eq!(
        set("a:\n  b: 1\n\n\n", &["a", "c"], "2").text,
        "a:\n  b: 1\n  c: 2\n\n\n"
    );
    // Explicit keys (`? a`) can be replaced but give no indentation to add keys at.
    assert_eq!(set("? a\n: 1\n", &["a"], "2").text, "? a\n: 2\n");
    assert!(matches!(
        set_err("? a\n: 1\n", &["b"], "2"),
        EditError::Unsupported(_)
    ));
    // Where a splice would change another value, verification refuses: a `|+` block scalar
    // keeps its trailing blank lines, which the new key would cut off.
    assert!(matches!(
        set_err("a:\n  t: |+\n    x\n\n\nb: 1\n", &["a", "c"], "2"),
        EditError::Verification(_)
    ));
    // An explicit, empty document closed by `...`: appending would start a second document.
    assert!(matches!(
        set_err("--- # c\n...\n", &["b"], "2"),
        EditError::Verification(_)
    ));
    // A value elsewhere with a tag is no obstacle; the target having one is.
    assert_eq!(set("a: !!int 1\n", &["b"], "2").text, "a: !!int 1\nb: 2\n");
}
