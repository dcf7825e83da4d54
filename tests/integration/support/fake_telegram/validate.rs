//! Telegram's input rules for message text, inline keyboards, callback
//! answers and bot commands, with Telegram's error descriptions.
//!
//! Owns: deciding whether a parameter is acceptable. Does not own: state
//! (unknown chats, missing messages) — see `methods`.

use serde_json::Value;

use super::html;
use super::reply::ApiFailure;

/// Telegram's limit on a text message, after entity parsing. Counted here in
/// UTF-16 code units, which is never more lenient than Telegram's own count.
pub const MAX_TEXT_LEN: usize = 4096;
/// Telegram's limit on a media caption, after entity parsing.
pub const MAX_CAPTION_LEN: usize = 1024;
/// Telegram's limit on an uploaded photo.
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_CALLBACK_DATA_BYTES: usize = 64;
pub const MAX_CALLBACK_ANSWER_CHARS: usize = 200;

/// Message text as Telegram stores it: plain text plus entities.
#[derive(Debug, Clone, PartialEq)]
pub struct Formatted {
    pub text: String,
    pub entities: Vec<Value>,
}

/// Validates `text` under `parse_mode` (case-insensitive, like Telegram).
/// Markdown modes are accepted without checking the markup.
pub fn message_text(text: Option<&str>, parse_mode: Option<&str>) -> Result<Formatted, ApiFailure> {
    let text = text.unwrap_or_default();
    let parsed = match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        Some("html") => html::parse(text)
            .map_err(|detail| ApiFailure::bad_request(format!("can't parse entities: {detail}")))?,
        None | Some("" | "markdown" | "markdownv2") => html::Parsed {
            text: text.to_owned(),
            entities: Vec::new(),
        },
        Some(_) => return Err(ApiFailure::bad_request("unsupported parse_mode")),
    };
    let formatted = trimmed(parsed);
    if formatted.text.is_empty() {
        return Err(ApiFailure::bad_request("message text is empty"));
    }
    if formatted.text.encode_utf16().count() > MAX_TEXT_LEN {
        return Err(ApiFailure::bad_request("message is too long"));
    }
    Ok(formatted)
}

/// Validates a photo's caption (optional, at most [`MAX_CAPTION_LEN`]) under `parse_mode`.
pub fn caption(text: Option<&str>, parse_mode: Option<&str>) -> Result<Formatted, ApiFailure> {
    let text = text.unwrap_or_default();
    let parsed = match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        Some("html") => html::parse(text)
            .map_err(|detail| ApiFailure::bad_request(format!("can't parse entities: {detail}")))?,
        None | Some("" | "markdown" | "markdownv2") => html::Parsed {
            text: text.to_owned(),
            entities: Vec::new(),
        },
        Some(_) => return Err(ApiFailure::bad_request("unsupported parse_mode")),
    };
    let formatted = trimmed(parsed);
    if formatted.text.encode_utf16().count() > MAX_CAPTION_LEN {
        return Err(ApiFailure::bad_request("message caption is too long"));
    }
    Ok(formatted)
}

/// Validates an uploaded photo: present, within 10 MB, an image Telegram can read (the fake
/// reads PNG only: the signature and a non-empty IHDR).
pub fn photo(bytes: Option<&[u8]>) -> Result<(), ApiFailure> {
    let Some(bytes) = bytes else {
        return Err(ApiFailure::bad_request("there is no photo in the request"));
    };
    if bytes.is_empty() {
        return Err(ApiFailure::bad_request("file must be non-empty"));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(ApiFailure::bad_request(
            "PHOTO_INVALID_DIMENSIONS: file is too big",
        ));
    }
    let dimension = |at: usize| {
        bytes
            .get(at..at + 4)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let png = bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR");
    if !png || dimension(16) == 0 || dimension(20) == 0 {
        return Err(ApiFailure::bad_request("IMAGE_PROCESS_FAILED"));
    }
    Ok(())
}

/// Telegram strips leading and trailing whitespace and clips entities to what is left.
fn trimmed(parsed: html::Parsed) -> Formatted {
    let start = parsed.text.len() - parsed.text.trim_start().len();
    let lead = parsed
        .text
        .get(..start)
        .unwrap_or_default()
        .encode_utf16()
        .count();
    let text = parsed.text.trim().to_owned();
    let len = text.encode_utf16().count();
    let entities = parsed
        .entities
        .into_iter()
        .filter_map(|mut entity| {
            let offset = entity.get("offset").and_then(Value::as_u64).unwrap_or(0) as usize;
            let length = entity.get("length").and_then(Value::as_u64).unwrap_or(0) as usize;
            let begin = offset.saturating_sub(lead).min(len);
            let end = (offset + length).saturating_sub(lead).min(len);
            let map = entity.as_object_mut()?;
            map.insert("offset".to_owned(), begin.into());
            map.insert("length".to_owned(), (end - begin).into());
            (end > begin).then_some(entity)
        })
        .collect();
    Formatted { text, entities }
}

/// Validates `reply_markup`; returns the inline keyboard Telegram would echo
/// back in the message (other keyboard kinds are accepted and not echoed).
pub fn reply_markup(markup: Option<&Value>) -> Result<Option<Value>, ApiFailure> {
    let Some(markup) = markup.filter(|m| !m.is_null()) else {
        return Ok(None);
    };
    let Some(object) = markup.as_object() else {
        return Err(ApiFailure::bad_request(
            "can't parse reply keyboard markup JSON object",
        ));
    };
    let Some(rows) = object.get("inline_keyboard") else {
        return Ok(None);
    };
    let rows = rows
        .as_array()
        .filter(|rows| rows.iter().all(Value::is_array))
        .ok_or_else(|| {
            ApiFailure::bad_request(
                "field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays",
            )
        })?;
    for button in rows.iter().filter_map(Value::as_array).flatten() {
        inline_button(button)?;
    }
    let empty = rows.iter().filter_map(Value::as_array).all(Vec::is_empty);
    Ok((!empty).then(|| markup.clone()))
}

const BUTTON_ACTIONS: [&str; 10] = [
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
];

fn inline_button(button: &Value) -> Result<(), ApiFailure> {
    let text = button.get("text").and_then(Value::as_str).ok_or_else(|| {
        ApiFailure::bad_request(
            "can't parse inline keyboard button: Field \"text\" must be of type String",
        )
    })?;
    if text.trim().is_empty() {
        return Err(ApiFailure::bad_request(
            "can't parse inline keyboard button: Text must be non-empty",
        ));
    }
    if !BUTTON_ACTIONS
        .iter()
        .any(|action| button.get(action).is_some())
    {
        return Err(ApiFailure::bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ));
    }
    if let Some(data) = button.get("callback_data") {
        let len = data.as_str().map_or(0, str::len);
        if !(1..=MAX_CALLBACK_DATA_BYTES).contains(&len) {
            return Err(ApiFailure::bad_request("BUTTON_DATA_INVALID"));
        }
    }
    let url = button
        .get("url")
        .map(|url| url.as_str().unwrap_or_default().trim());
    if url.is_some_and(str::is_empty) {
        return Err(ApiFailure::bad_request("BUTTON_URL_INVALID"));
    }
    Ok(())
}

/// The text of an `answerCallbackQuery` notification.
pub fn callback_answer_text(text: Option<&str>) -> Result<(), ApiFailure> {
    match text {
        Some(text) if text.chars().count() > MAX_CALLBACK_ANSWER_CHARS => {
            Err(ApiFailure::bad_request("MESSAGE_TOO_LONG"))
        }
        _ => Ok(()),
    }
}

/// The `commands` of `setMyCommands`: at most 100, each 1–32 of `[a-z0-9_]`
/// with a 1–256 character description.
pub fn bot_commands(commands: Option<&Value>) -> Result<Vec<(String, String)>, ApiFailure> {
    let list = commands
        .and_then(Value::as_array)
        .ok_or_else(|| ApiFailure::bad_request("can't parse commands JSON object"))?;
    if list.len() > 100 {
        return Err(ApiFailure::bad_request("BOT_COMMANDS_TOO_MUCH"));
    }
    list.iter().map(bot_command).collect()
}

fn bot_command(entry: &Value) -> Result<(String, String), ApiFailure> {
    let command = entry
        .get("command")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let description = entry
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let valid_name = (1..=32).contains(&command.len())
        && command
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !valid_name {
        return Err(ApiFailure::bad_request("BOT_COMMAND_INVALID"));
    }
    if !(1..=256).contains(&description.trim().chars().count()) {
        return Err(ApiFailure::bad_request("BOT_COMMAND_DESCRIPTION_INVALID"));
    }
    Ok((command.to_owned(), description.to_owned()))
}
