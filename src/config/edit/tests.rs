//! Unit tests of the editor's parts: the node tree, the splice, the verification.

use super::nodes::*;
use super::verify::*;
use super::write::*;
use super::*;

fn root(text: &str) -> Option<Node> {
    parse_nodes(text).unwrap()
}

#[test]
fn verification_rejects_a_change_elsewhere() {
    let old = "a: 1\nb: 2\n";
    let leaf = NewValue::parse("5").unwrap();
    let loaded = loader_tree(old).unwrap();
    let old_root = root(old);
    // The right edit passes.
    let path = (&["a"][..], &[0][..]);
    verify(old_root.as_ref(), &loaded, "a: 5\nb: 2\n", path, &leaf).unwrap();
    // A text that also changed `b`, or dropped it, or broke the YAML, does not.
    for bad in ["a: 5\nb: 3\n", "a: 5\n", "a: 5\nb: [\n", "a: 5\nb: '2'\n"] {
        let err = verify(old_root.as_ref(), &loaded, bad, path, &leaf).unwrap_err();
        assert!(matches!(err, EditError::Verification(_)), "{bad:?}: {err}");
    }
    // The path must hold the new value itself.
    let err = verify(old_root.as_ref(), &loaded, "a: 6\nb: 2\n", path, &leaf).unwrap_err();
    assert!(matches!(err, EditError::Verification(_)), "{err}");
}

#[test]
fn splice_keeps_the_comment_column_when_it_can() {
    let text = "a: 6.0     # c\n";
    assert_eq!(splice(text, 3, 6, "5.5").unwrap(), "a: 5.5     # c\n");
    assert_eq!(splice(text, 3, 6, "5").unwrap(), "a: 5       # c\n");
    assert_eq!(splice(text, 3, 6, "12345678").unwrap(), "a: 12345678 # c\n");
    assert_eq!(
        splice(text, 3, 6, "123456789").unwrap(),
        "a: 123456789 # c\n"
    );
    assert_eq!(splice("a: 1 # c", 3, 4, "1000").unwrap(), "a: 1000 # c");
    assert_eq!(splice("a: 1\t# c", 3, 4, "1000").unwrap(), "a: 1000\t# c");
    assert_eq!(splice("a: 1   \n", 3, 4, "22").unwrap(), "a: 22   \n");
}

#[test]
fn key_text_quotes_what_is_not_a_plain_word() {
    assert_eq!(key_text("sleep_hours"), "sleep_hours");
    assert_eq!(key_text("max-bytes2"), "max-bytes2");
    assert_eq!(key_text("on"), "\"on\"");
    assert_eq!(key_text("1st"), "\"1st\"");
    assert_eq!(key_text("a b"), "\"a b\"");
    assert_eq!(key_text("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
    assert_eq!(key_text(""), "\"\"");
}

#[test]
fn env_reference_names_the_first_variable() {
    assert_eq!(env_reference("${HOME}/x"), Some("HOME".into()));
    assert_eq!(env_reference("a ${B:-c} ${D}"), Some("B".into()));
    assert_eq!(env_reference("${"), Some(String::new()));
    assert_eq!(env_reference("$HOME"), None);
}

#[test]
fn indent_step_is_the_first_nested_mapping_s() {
    let text = "a: 1\nb:\n    c:\n        d: 1\n";
    assert_eq!(indent_step(text, root(text).as_ref().unwrap()), Some(4));
    let flat = "a: 1\nb: [1]\n";
    assert_eq!(indent_step(flat, root(flat).as_ref().unwrap()), None);
}

#[test]
fn line_break_follows_the_first_line() {
    assert_eq!(line_break("a: 1\r\nb: 2\n"), "\r\n");
    assert_eq!(line_break("a: 1\nb: 2\r\n"), "\n");
    assert_eq!(line_break("a: 1"), "\n");
}
