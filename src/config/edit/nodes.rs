//! The parser's events as a tree of nodes with byte spans into the source text, and finding
//! a key path in it.

use granit_parser::{Event, Options, Parser, ScalarStyle, Span, StrInput, StructureStyle};

use super::{EditError, dotted, join};

// ---------------------------------------------------------------------------------------------
// The node tree: what the parser saw, with byte spans into the source text.

/// One YAML node. `start..end` are byte offsets: a scalar's text (quotes included; an empty
/// `key:` value has an empty span next to its key), a collection from its first token to the
/// end of its last event (for block collections that end is wherever the parser noticed it).
#[derive(Debug)]
pub(super) struct Node {
    pub(super) start: usize,
    pub(super) end: usize,
    /// The tag as written (`!!str`), if any.
    pub(super) tag: Option<String>,
    pub(super) kind: Kind,
}

#[derive(Debug)]
pub(super) enum Kind {
    Scalar {
        value: String,
        style: ScalarStyle,
    },
    Map {
        flow: bool,
        entries: Vec<(Node, Node)>,
    },
    Seq {
        flow: bool,
        items: Vec<Node>,
    },
}

impl Node {
    /// The value of a scalar node (used for keys).
    pub(super) fn scalar_value(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            Kind::Map { .. } | Kind::Seq { .. } => None,
        }
    }

    /// `key:` with nothing after it: a plain scalar with no text.
    pub(super) fn is_empty_null(&self) -> bool {
        matches!(
            self.kind,
            Kind::Scalar {
                style: ScalarStyle::Plain,
                ..
            }
        ) && self.start == self.end
            && self.tag.is_none()
    }
}

/// Parses `text` into nodes: `None` for a stream with no document. Refuses what this module
/// does not edit (see the module documentation).
pub(super) fn parse_nodes(text: &str) -> Result<Option<Node>, EditError> {
    check_indentation_tabs(text)?;
    let mut options = Options::default();
    options.set_emit_comments(false);
    let mut events = Events {
        parser: Parser::new_from_str_with_options(text, options),
    };
    let mut root = None;
    let mut documents = 0;
    while let Some((event, _)) = events.next()? {
        match event {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Err(EditError::Unsupported(
                        "the file holds more than one YAML document".to_owned(),
                    ));
                }
                let (event, span) = events.require()?;
                root = Some(events.node(event, &span, "")?);
            }
            _ => return Err(unexpected_event()),
        }
    }
    Ok(root)
}

pub(super) struct Events<'t> {
    pub(super) parser: Parser<'t, StrInput<'t>>,
}

impl<'t> Events<'t> {
    pub(super) fn next(&mut self) -> Result<Option<(Event<'t>, Span)>, EditError> {
        match self.parser.next_event() {
            None => Ok(None),
            Some(Ok(pair)) => Ok(Some(pair)),
            Some(Err(err)) => Err(EditError::Parse(err.to_string())),
        }
    }

    pub(super) fn require(&mut self) -> Result<(Event<'t>, Span), EditError> {
        self.next()?
            .ok_or_else(|| EditError::Parse("the document ends too early".to_owned()))
    }

    /// The node that `event` starts; `path` (dotted) is its place, for messages.
    pub(super) fn node(
        &mut self,
        event: Event<'t>,
        span: &Span,
        path: &str,
    ) -> Result<Node, EditError> {
        let start = byte_offset(span.start.byte_offset())?;
        let end = byte_offset(span.end.byte_offset())?;
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                refuse_anchor(anchor, path)?;
                Ok(Node {
                    start,
                    end,
                    tag: tag.map(|t| t.original()),
                    kind: Kind::Scalar {
                        value: value.into_owned(),
                        style,
                    },
                })
            }
            Event::MappingStart(style, anchor, tag) => {
                refuse_anchor(anchor, path)?;
                let mut entries: Vec<(Node, Node)> = Vec::new();
                let end = loop {
                    let (event, span) = self.require()?;
                    if matches!(event, Event::MappingEnd) {
                        break byte_offset(span.end.byte_offset())?;
                    }
                    let key = self.node(event, &span, path)?;
                    let Some(name) = key.scalar_value() else {
                        return Err(EditError::Unsupported(format!(
                            "a key {} is a mapping or a list",
                            place(path)
                        )));
                    };
                    let child = join(path, name);
                    if entries.iter().any(|(k, _)| k.scalar_value() == Some(name)) {
                        return Err(EditError::DuplicateKey { path: child });
                    }
                    let (event, span) = self.require()?;
                    let value = self.node(event, &span, &child)?;
                    entries.push((key, value));
                };
                Ok(Node {
                    start,
                    end,
                    tag: tag.map(|t| t.original()),
                    kind: Kind::Map {
                        flow: style == StructureStyle::Flow,
                        entries,
                    },
                })
            }
            Event::SequenceStart(style, anchor, tag) => {
                refuse_anchor(anchor, path)?;
                let mut items = Vec::new();
                let end = loop {
                    let (event, span) = self.require()?;
                    if matches!(event, Event::SequenceEnd) {
                        break byte_offset(span.end.byte_offset())?;
                    }
                    let item_path = format!("{path}[{}]", items.len());
                    items.push(self.node(event, &span, &item_path)?);
                };
                Ok(Node {
                    start,
                    end,
                    tag: tag.map(|t| t.original()),
                    kind: Kind::Seq {
                        flow: style == StructureStyle::Flow,
                        items,
                    },
                })
            }
            Event::Alias(_) | Event::UnresolvedAlias(_) => Err(EditError::Unsupported(format!(
                "an alias (`*name`) {}: anchors and aliases are not edited",
                place(path)
            ))),
            _ => Err(unexpected_event()),
        }
    }
}

pub(super) fn byte_offset(offset: Option<usize>) -> Result<usize, EditError> {
    offset.ok_or_else(|| EditError::Parse("the parser gave no byte offset".to_owned()))
}

pub(super) fn refuse_anchor(anchor: usize, path: &str) -> Result<(), EditError> {
    if anchor == 0 {
        Ok(())
    } else {
        Err(EditError::Unsupported(format!(
            "an anchor (`&name`) {}: anchors and aliases are not edited",
            place(path)
        )))
    }
}

pub(super) fn unexpected_event() -> EditError {
    EditError::Unsupported("a YAML construct this editor does not know".to_owned())
}

/// "at `a.b`", or "at the top level".
pub(super) fn place(path: &str) -> String {
    if path.is_empty() {
        "at the top level".to_owned()
    } else {
        format!("at `{path}`")
    }
}

/// YAML forbids tabs in indentation; a tab there means the file is not what it seems.
pub(super) fn check_indentation_tabs(text: &str) -> Result<(), EditError> {
    for (index, line) in text.split('\n').enumerate() {
        let content = line.trim_start_matches([' ', '\t']);
        if content.trim_end_matches('\r').is_empty() {
            continue;
        }
        let indent = &line[..line.len() - content.len()];
        if indent.contains('\t') {
            return Err(EditError::Unsupported(format!(
                "line {} is indented with a tab",
                index + 1
            )));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Finding a path.

pub(super) enum Lookup<'n> {
    /// The node at the full path, with its key and whether it sits inside a flow collection.
    Found {
        key: Option<&'n Node>,
        node: &'n Node,
        in_flow: bool,
        /// The position of each path segment in its mapping.
        indices: Vec<usize>,
    },
    /// `path[..depth]` exists and is `parent`; `path[depth]` does not.
    Missing {
        depth: usize,
        parent: Parent<'n>,
        in_flow: bool,
        /// The position of each of `path[..depth]` in its mapping.
        indices: Vec<usize>,
    },
}

pub(super) enum Parent<'n> {
    /// The document is empty (or holds only comments).
    Root,
    /// `key:` with no value.
    EmptyValue { key: &'n Node },
    /// A mapping without the next key.
    Map(&'n Node),
}

pub(super) fn lookup<'n>(root: Option<&'n Node>, path: &[&str]) -> Result<Lookup<'n>, EditError> {
    let mut indices = Vec::with_capacity(path.len());
    let Some(mut node) = root else {
        return Ok(Lookup::Missing {
            depth: 0,
            parent: Parent::Root,
            in_flow: false,
            indices,
        });
    };
    let mut key: Option<&Node> = None;
    let mut in_flow = false;
    for (depth, segment) in path.iter().enumerate() {
        if let Kind::Map { flow, entries } = &node.kind {
            in_flow |= *flow;
            match entries
                .iter()
                .position(|(k, _)| k.scalar_value() == Some(segment))
                .and_then(|i| Some((i, entries.get(i)?)))
            {
                Some((i, (k, v))) => {
                    indices.push(i);
                    key = Some(k);
                    node = v;
                }
                None => {
                    return Ok(Lookup::Missing {
                        depth,
                        parent: Parent::Map(node),
                        in_flow,
                        indices,
                    });
                }
            }
        } else if node.is_empty_null() {
            let parent = key.map_or(Parent::Root, |key| Parent::EmptyValue { key });
            return Ok(Lookup::Missing {
                depth,
                parent,
                in_flow,
                indices,
            });
        } else {
            return Err(EditError::NotAMapping {
                path: dotted(&path[..depth]),
            });
        }
    }
    Ok(Lookup::Found {
        key,
        node,
        in_flow,
        indices,
    })
}
