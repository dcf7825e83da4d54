//! Test support for the config editor's tests: an independent walk over a YAML text's
//! mappings (straight from the parser's events, not through the editor) listing every scalar
//! leaf and every block mapping by key path.

use granit_parser::{Event, Options, Parser, StructureStyle};

/// What a walk found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Walk {
    /// Key path and raw text (quotes included) of each scalar reached through mappings only.
    pub leaves: Vec<(Vec<String>, String)>,
    /// Key path of each block mapping reached through mappings only (the root is `[]`).
    pub maps: Vec<Vec<String>>,
}

/// Walks `text`; panics on what a test file should not contain.
pub fn walk(text: &str) -> Walk {
    let mut options = Options::default();
    options.set_emit_comments(false);
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut events = Vec::new();
    while let Some(next) = parser.next_event() {
        let (event, span) = next.expect("test YAML parses");
        let start = span.start.byte_offset().expect("byte offset");
        let end = span.end.byte_offset().expect("byte offset");
        events.push((event, start, end));
    }
    let mut out = Walk::default();
    let mut i = 0;
    while i < events.len() {
        if matches!(events[i].0, Event::DocumentStart(..)) {
            i = node(text, &events, i + 1, Some(Vec::new()), &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// Walks the node starting at event `i`; `path` is `None` inside sequences. Returns the index
/// of the event after the node.
fn node(
    text: &str,
    events: &[(Event<'_>, usize, usize)],
    mut i: usize,
    path: Option<Vec<String>>,
    out: &mut Walk,
) -> usize {
    let (event, start, end) = &events[i];
    match event {
        Event::Scalar(..) => {
            if let Some(path) = path {
                out.leaves.push((path, text[*start..*end].to_owned()));
            }
            i + 1
        }
        Event::MappingStart(style, ..) => {
            if let (Some(path), StructureStyle::Block) = (&path, style) {
                out.maps.push(path.clone());
            }
            i += 1;
            while !matches!(events[i].0, Event::MappingEnd) {
                let Event::Scalar(key, ..) = &events[i].0 else {
                    panic!("test YAML has scalar keys only")
                };
                let child = path.as_ref().map(|p| {
                    let mut p = p.clone();
                    p.push(key.to_string());
                    p
                });
                i = node(text, events, i + 1, child, out);
            }
            i + 1
        }
        Event::SequenceStart(..) => {
            i += 1;
            while !matches!(events[i].0, Event::SequenceEnd) {
                i = node(text, events, i, None, out);
            }
            i + 1
        }
        other => panic!("unexpected event {other:?}"),
    }
}
