//! Telegram's HTML parse mode, transcribed from tdlib's `parse_html`
//! (`td/telegram/MessageEntity.cpp`), which the Bot API server runs.
//!
//! Owns: turning an HTML message into the plain text Telegram stores plus its
//! entities (UTF-16 offsets), or the exact error Telegram gives. Error texts
//! are tdlib's, except where the fake is deliberately stricter than Telegram
//! (tdlib silently keeps a bare `&`, an unknown `&name;` and an `<a>` without
//! `href`; the fake rejects them, so code that passes here passes there).
//! Does not own: length limits or trimming (see `validate`).

mod entities;

use serde_json::Value;

use entities::Entity;
pub use entities::decode_entity;

/// The outcome of parsing: what the user sees and how it is formatted.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub text: String,
    /// Bot API `MessageEntity` objects, sorted by offset.
    pub entities: Vec<Value>,
}

/// Parses `input` as Telegram HTML. The error is the part Telegram puts after
/// "Bad Request: can't parse entities: ".
pub fn parse(input: &str) -> Result<Parsed, String> {
    let mut parser = Parser {
        src: input,
        pos: 0,
        text: String::new(),
        utf16: 0,
        open: Vec::new(),
        entities: Vec::new(),
    };
    parser.run()?;
    Ok(Parsed {
        text: parser.text,
        entities: entities::finish(parser.entities),
    })
}

const TAGS: [&str; 16] = [
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
];

struct Open {
    tag: String,
    argument: String,
    offset: usize,
    begin: usize,
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    text: String,
    utf16: usize,
    open: Vec<Open>,
    entities: Vec<Entity>,
}

fn is_space(byte: Option<u8>) -> bool {
    matches!(byte, None | Some(b' ' | b'\t' | b'\r' | b'\n' | 0x0b))
}

impl Parser<'_> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.src.as_bytes().get(at).copied()
    }

    fn push_char(&mut self, ch: char) {
        self.text.push(ch);
        self.utf16 += ch.len_utf16();
    }

    fn run(&mut self) -> Result<(), String> {
        while self.pos < self.src.len() {
            match self.byte(self.pos) {
                Some(b'&') => self.ampersand()?,
                Some(b'<') if self.byte(self.pos + 1) == Some(b'/') => self.end_tag()?,
                Some(b'<') => self.start_tag()?,
                _ => self.plain_run(),
            }
        }
        match self.open.last() {
            Some(open) => Err(format!(
                "Can't find end tag corresponding to start tag {}",
                open.tag
            )),
            None => Ok(()),
        }
    }

    fn plain_run(&mut self) {
        let rest = self.src.get(self.pos..).unwrap_or_default();
        let len = rest.find(['&', '<']).unwrap_or(rest.len());
        let run = rest.get(..len).unwrap_or_default();
        self.text.push_str(run);
        self.utf16 += run.encode_utf16().count();
        self.pos += len;
    }

    fn ampersand(&mut self) -> Result<(), String> {
        let at = self.pos;
        if let Some((ch, len)) = decode_entity(self.src, at) {
            self.push_char(ch);
            self.pos += len;
            return Ok(());
        }
        let name_len = self
            .src
            .get(at + 1..)
            .unwrap_or_default()
            .bytes()
            .take_while(u8::is_ascii_alphanumeric)
            .count();
        let name = self.src.get(at..at + 1 + name_len).unwrap_or("&");
        if name_len > 0 && self.byte(at + 1 + name_len) == Some(b';') {
            Err(format!(
                "Unsupported HTML entity \"{name};\" at byte offset {at}"
            ))
        } else {
            Err(format!(
                "Character \"&\" at byte offset {at} must be escaped as \"&amp;\""
            ))
        }
    }

    fn skip_spaces(&mut self) {
        while self.pos < self.src.len() && is_space(self.byte(self.pos)) {
            self.pos += 1;
        }
    }

    fn start_tag(&mut self) -> Result<(), String> {
        let begin = self.pos;
        self.pos += 1;
        while !is_space(self.byte(self.pos)) && self.byte(self.pos) != Some(b'>') {
            self.pos += 1;
        }
        if self.pos >= self.src.len() {
            return Err(format!("Unclosed start tag at byte offset {begin}"));
        }
        let tag = self
            .src
            .get(begin + 1..self.pos)
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !TAGS.contains(&tag.as_str()) {
            return Err(format!(
                "Unsupported start tag \"{tag}\" at byte offset {begin}"
            ));
        }
        let (argument, has_href) = self.attributes(&tag, begin)?;
        self.pos += 1; // the closing '>'
        if tag == "span" && argument != "spoiler" {
            return Err(format!(
                "Tag \"span\" must have class \"tg-spoiler\" at byte offset {begin}"
            ));
        }
        if tag == "a" && !has_href {
            return Err(format!(
                "Tag \"a\" must have attribute \"href\" at byte offset {begin}"
            ));
        }
        self.open.push(Open {
            tag,
            argument,
            offset: self.utf16,
            begin: self.text.len(),
        });
        Ok(())
    }

    /// Reads attributes up to (not past) the closing `>`; returns the tag's
    /// argument (href, language, spoiler, emoji id, "expandable") and whether
    /// an `href` was present.
    fn attributes(&mut self, tag: &str, begin: usize) -> Result<(String, bool), String> {
        let mut argument = String::new();
        let mut has_href = false;
        while self.byte(self.pos) != Some(b'>') {
            self.skip_spaces();
            if self.byte(self.pos) == Some(b'>') {
                break;
            }
            let name_start = self.pos;
            while !is_space(self.byte(self.pos))
                && !matches!(self.byte(self.pos), Some(b'=' | b'>'))
            {
                self.pos += 1;
            }
            let name = self
                .src
                .get(name_start..self.pos)
                .unwrap_or_default()
                .to_owned();
            if name.is_empty() {
                return Err(format!(
                    "Empty attribute name in the tag \"{tag}\" at byte offset {begin}"
                ));
            }
            self.skip_spaces();
            if tag == "blockquote" && name == "expandable" && self.byte(self.pos) != Some(b'=') {
                argument = name;
                continue;
            }
            if self.byte(self.pos) != Some(b'=') {
                return Err(format!(
                    "Expected equal sign in declaration of an attribute of the tag \"{tag}\" at byte offset {begin}"
                ));
            }
            self.pos += 1;
            self.skip_spaces();
            if self.pos >= self.src.len() {
                return Err(format!(
                    "Unclosed start tag \"{tag}\" at byte offset {begin}"
                ));
            }
            let value = self.attribute_value()?;
            if self.pos >= self.src.len() {
                return Err(format!("Unclosed start tag at byte offset {begin}"));
            }
            match (tag, name.as_str()) {
                ("a", "href") => {
                    has_href = true;
                    argument = value;
                }
                ("code", "class") if value.starts_with("language-") => {
                    argument = value.trim_start_matches("language-").to_owned();
                }
                ("span", "class") if value.starts_with("tg-") => {
                    argument = value.trim_start_matches("tg-").to_owned()
                }
                ("tg-emoji", "emoji-id") => argument = value,
                _ => {}
            }
        }
        Ok((argument, has_href))
    }

    fn attribute_value(&mut self) -> Result<String, String> {
        let quote = match self.byte(self.pos) {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return self.name_token(),
        };
        self.pos += 1;
        let mut value = String::new();
        while self.pos < self.src.len() && self.byte(self.pos) != Some(quote) {
            let entity = (self.byte(self.pos) == Some(b'&'))
                .then(|| decode_entity(self.src, self.pos))
                .flatten();
            if let Some((ch, len)) = entity {
                value.push(ch);
                self.pos += len;
                continue;
            }
            let ch = self
                .src
                .get(self.pos..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or('\u{fffd}');
            value.push(ch);
            self.pos += ch.len_utf8().max(1);
        }
        if self.byte(self.pos) == Some(quote) {
            self.pos += 1;
        }
        Ok(value)
    }

    fn name_token(&mut self) -> Result<String, String> {
        let start = self.pos;
        while self
            .byte(self.pos)
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            self.pos += 1;
        }
        if !is_space(self.byte(self.pos)) && self.byte(self.pos) != Some(b'>') {
            return Err(format!(
                "Unexpected end of name token at byte offset {start}"
            ));
        }
        Ok(self
            .src
            .get(start..self.pos)
            .unwrap_or_default()
            .to_ascii_lowercase())
    }

    fn end_tag(&mut self) -> Result<(), String> {
        let begin = self.pos;
        if self.open.is_empty() {
            return Err(format!("Unexpected end tag at byte offset {begin}"));
        }
        self.pos += 2;
        while !is_space(self.byte(self.pos)) && self.byte(self.pos) != Some(b'>') {
            self.pos += 1;
        }
        let name = self
            .src
            .get(begin + 2..self.pos)
            .unwrap_or_default()
            .to_ascii_lowercase();
        self.skip_spaces();
        if self.byte(self.pos) != Some(b'>') {
            return Err(format!("Unclosed end tag at byte offset {begin}"));
        }
        self.pos += 1;
        let Some(open) = self.open.pop() else {
            return Err(format!("Unexpected end tag at byte offset {begin}"));
        };
        if !name.is_empty() && name != open.tag {
            return Err(format!(
                "Unmatched end tag at byte offset {begin}, expected \"</{}>\", found \"</{name}>\"",
                open.tag
            ));
        }
        if self.utf16 > open.offset {
            self.close(open)?;
        }
        Ok(())
    }
}
