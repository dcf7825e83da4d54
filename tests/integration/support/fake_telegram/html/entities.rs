//! The entity side of Telegram's HTML: decoding `&…;` references and turning
//! a closed tag into a Bot API `MessageEntity` (tdlib's rules for `pre`/`code`,
//! links, custom emoji and ordering).

use serde_json::{Value, json};

use super::{Open, Parser};

/// Decodes one HTML entity at byte `at` (which holds `&`) as tdlib does:
/// `&lt; &gt; &amp; &quot;`, `&#NN;` and `&#xHH;`, the `;` being optional.
/// Returns the character and the byte length consumed.
pub fn decode_entity(src: &str, at: usize) -> Option<(char, usize)> {
    let bytes = src.as_bytes();
    let mut end = at + 1;
    let code = if bytes.get(end) == Some(&b'#') {
        end += 1;
        let hex = bytes.get(end) == Some(&b'x');
        if hex {
            end += 1;
        }
        let digits_start = end;
        let radix = if hex { 16 } else { 10 };
        while bytes
            .get(end)
            .is_some_and(|b| char::from(*b).is_digit(radix))
        {
            end += 1;
        }
        let value = u32::from_str_radix(src.get(digits_start..end)?, radix).ok()?;
        if value == 0 || value >= 0x10_ffff || end - at >= 10 {
            return None;
        }
        char::from_u32(value)?
    } else {
        while bytes.get(end).is_some_and(u8::is_ascii_alphabetic) {
            end += 1;
        }
        match src.get(at + 1..end)? {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            _ => return None,
        }
    };
    if bytes.get(end) == Some(&b';') {
        end += 1;
    }
    Some((code, end - at))
}

pub(super) struct Entity {
    kind: &'static str,
    offset: usize,
    length: usize,
    extra: Option<(&'static str, Value)>,
}

/// Telegram's final pass: a language only means something on `pre`, and
/// entities come sorted by offset, longer first, then by tdlib's priority.
pub(super) fn finish(mut entities: Vec<Entity>) -> Vec<Value> {
    for entity in entities.iter_mut().filter(|e| e.kind == "code") {
        entity.extra = None;
    }
    entities.sort_by_key(|e| (e.offset, std::cmp::Reverse(e.length), priority(e.kind)));
    entities.into_iter().map(Entity::into_json).collect()
}

impl Entity {
    fn into_json(self) -> Value {
        let mut value = json!({ "type": self.kind, "offset": self.offset, "length": self.length });
        if let (Some((key, extra)), Some(map)) = (self.extra, value.as_object_mut()) {
            map.insert(key.to_owned(), extra);
        }
        value
    }
}

impl Parser<'_> {
    pub(super) fn close(&mut self, open: Open) -> Result<(), String> {
        let (offset, length) = (open.offset, self.utf16 - open.offset);
        let simple = |kind| {
            Some(Entity {
                kind,
                offset,
                length,
                extra: None,
            })
        };
        let entity = match open.tag.as_str() {
            "i" | "em" => simple("italic"),
            "b" | "strong" => simple("bold"),
            "s" | "strike" | "del" => simple("strikethrough"),
            "u" | "ins" => simple("underline"),
            "tg-spoiler" | "span" => simple("spoiler"),
            "blockquote" if open.argument == "expandable" => simple("expandable_blockquote"),
            "blockquote" => simple("blockquote"),
            "tg-emoji" => match open.argument.parse::<i64>() {
                Ok(id) if id != 0 => Some(Entity {
                    kind: "custom_emoji",
                    offset,
                    length,
                    extra: Some(("custom_emoji_id", json!(id.to_string()))),
                }),
                _ => return Err("Invalid custom emoji identifier specified".to_owned()),
            },
            "a" => checked_link(
                &open.argument,
                self.text.get(open.begin..).unwrap_or_default(),
            )
            .map(|url| Entity {
                kind: "text_link",
                offset,
                length,
                extra: Some(("url", json!(url))),
            }),
            "pre" => Some(self.pre(offset, length)),
            _ => self.code(offset, length, open.argument),
        };
        self.entities.extend(entity);
        Ok(())
    }

    /// `<pre>` directly around a `<code class="language-x">` becomes one `pre` with a language.
    fn pre(&mut self, offset: usize, length: usize) -> Entity {
        let inner = self.entities.pop_if(|e| {
            e.kind == "code" && e.offset == offset && e.length == length && e.extra.is_some()
        });
        let language = inner
            .and_then(|code| code.extra)
            .map(|(_, language)| ("language", language));
        Entity {
            kind: "pre",
            offset,
            length,
            extra: language,
        }
    }

    fn code(&mut self, offset: usize, length: usize, language: String) -> Option<Entity> {
        if let Some(pre) = self
            .entities
            .last_mut()
            .filter(|e| e.kind == "pre" && e.offset == offset && e.length == length)
        {
            if !language.is_empty() {
                pre.extra = Some(("language", json!(language)));
            }
            return None;
        }
        let extra = (!language.is_empty()).then(|| ("language", json!(language)));
        Some(Entity {
            kind: "code",
            offset,
            length,
            extra,
        })
    }
}

/// tdlib's order for entities at the same place (`MessageEntity::get_type_priority`).
fn priority(kind: &str) -> u8 {
    match kind {
        "blockquote" | "expandable_blockquote" => 0,
        "pre" => 11,
        "code" => 20,
        "text_link" => 49,
        "bold" => 90,
        "italic" => 91,
        "underline" => 92,
        "strikethrough" => 93,
        "spoiler" => 94,
        _ => 99,
    }
}

/// Telegram drops a link it cannot check rather than failing; an empty href
/// links to the text itself. Scheme-less hosts get `http://`.
fn checked_link(href: &str, inner_text: &str) -> Option<String> {
    let url = if href.is_empty() {
        inner_text.trim()
    } else {
        href.trim()
    };
    let lower = url.to_ascii_lowercase();
    let has_scheme = ["http://", "https://", "tg://", "ton://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s));
    if has_scheme {
        return (url.len() > lower.find(':').map_or(0, |i| i + 1)).then(|| url.to_owned());
    }
    let host_like = url.contains('.') && !url.contains(char::is_whitespace) && !url.contains("://");
    host_like.then(|| format!("http://{url}"))
}
