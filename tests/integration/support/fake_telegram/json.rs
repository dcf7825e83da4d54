//! Bot API objects as JSON: users, chats, messages and updates, shaped so
//! teloxide 0.17 (teloxide-core 0.13) deserializes them.
//!
//! Owns the object shapes only; no state, no validation.

use serde_json::{Value, json};

use super::state::StoredMessage;

pub const BOT_FIRST_NAME: &str = "Operator Fake";
pub const BOT_USERNAME: &str = "operator_fake_bot";

/// The bot as a `User`.
pub fn bot_user(bot_id: i64) -> Value {
    json!({ "id": bot_id, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME })
}

/// The result of `getMe`: a `User` with the bot-only fields.
pub fn me(bot_id: i64) -> Value {
    let mut me = bot_user(bot_id);
    if let Some(map) = me.as_object_mut() {
        for (key, value) in [
            ("can_join_groups", true),
            ("can_read_all_group_messages", false),
            ("supports_inline_queries", false),
            ("can_connect_to_business", false),
            ("has_main_web_app", false),
        ] {
            map.insert(key.to_owned(), value.into());
        }
    }
    me
}

/// A human user.
pub fn user(user_id: i64) -> Value {
    json!({ "id": user_id, "is_bot": false, "first_name": format!("User {user_id}"), "language_code": "en" })
}

/// A chat: private for positive ids, a group for negative ones (as in Telegram).
pub fn chat(chat_id: i64) -> Value {
    if chat_id < 0 {
        json!({ "id": chat_id, "type": "group", "title": format!("Group {}", -chat_id) })
    } else {
        json!({ "id": chat_id, "type": "private", "first_name": format!("User {chat_id}") })
    }
}

/// `getChat`'s `ChatFullInfo` for a chat: [`chat`] plus the fields Telegram always sends.
pub fn chat_full_info(chat_id: i64) -> Value {
    let mut value = chat(chat_id);
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "accepted_gift_types".to_owned(),
            json!({"unlimited_gifts": true, "limited_gifts": true, "unique_gifts": true, "premium_subscription": true}),
        );
        map.insert("max_reaction_count".to_owned(), json!(11));
        map.insert("accent_color_id".to_owned(), json!(0));
    }
    value
}

/// A message the bot sent, in its current (possibly edited) state.
pub fn bot_message(bot_id: i64, chat_id: i64, message: &StoredMessage) -> Value {
    let mut value = json!({
        "message_id": message.message_id,
        "from": bot_user(bot_id),
        "chat": chat(chat_id),
        "date": message.date,
    });
    if let Some(map) = value.as_object_mut() {
        let (text, entities) = match &message.photo {
            Some(png) => {
                map.insert("photo".to_owned(), photo_sizes(message.message_id, png));
                ("caption", "caption_entities")
            }
            None => ("text", "entities"),
        };
        if message.photo.is_none() || !message.formatted.text.is_empty() {
            map.insert(text.to_owned(), message.formatted.text.clone().into());
        }
        if !message.formatted.entities.is_empty() {
            map.insert(
                entities.to_owned(),
                message.formatted.entities.clone().into(),
            );
        }
        if let Some(markup) = &message.reply_markup {
            map.insert("reply_markup".to_owned(), markup.clone());
        }
        if let Some(edit_date) = message.edit_date {
            map.insert("edit_date".to_owned(), edit_date.into());
        }
    }
    value
}

/// A text message from a user, with `bot_command` entities as Telegram marks them.
pub fn user_message(chat_id: i64, user_id: i64, message_id: i32, date: i64, text: &str) -> Value {
    let mut value = json!({
        "message_id": message_id,
        "from": user(user_id),
        "chat": chat(chat_id),
        "date": date,
        "text": text,
    });
    let commands = bot_command_entities(text);
    if let (false, Some(map)) = (commands.is_empty(), value.as_object_mut()) {
        map.insert("entities".to_owned(), commands.into());
    }
    value
}

/// A message the callback's button no longer has access to (Telegram sends
/// this for old or unknown messages: `date` 0).
pub fn inaccessible_message(chat_id: i64, message_id: i32) -> Value {
    json!({ "chat": chat(chat_id), "message_id": message_id, "date": 0 })
}

/// A `callback_query` object.
pub fn callback_query(
    query_id: &str,
    user_id: i64,
    chat_id: i64,
    message: Value,
    data: &str,
) -> Value {
    json!({
        "id": query_id,
        "from": user(user_id),
        "message": message,
        "chat_instance": format!("{}", chat_id.unsigned_abs().wrapping_mul(7919) ^ 0x5eed),
        "data": data,
    })
}

/// `/command` and `/command@bot` at word starts, as tdlib's `match_bot_commands`.
pub fn bot_command_entities(text: &str) -> Vec<Value> {
    let chars: Vec<char> = text.chars().collect();
    let mut entities = Vec::new();
    let mut utf16 = 0;
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '/' && (i == 0 || !is_word_or_tag(chars[i - 1]));
        let len = if starts { command_len(&chars[i..]) } else { 0 };
        if len > 0 {
            let length: usize = chars[i..i + len].iter().map(|c| c.len_utf16()).sum();
            entities.push(json!({ "type": "bot_command", "offset": utf16, "length": length }));
            utf16 += length;
            i += len;
        } else {
            utf16 += chars[i].len_utf16();
            i += 1;
        }
    }
    entities
}

fn is_word_or_tag(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '/' | '<' | '>')
}

/// Length in chars of a command starting at `chars[0] == '/'`, or 0.
fn command_len(chars: &[char]) -> usize {
    let word = |from: usize| {
        chars
            .iter()
            .skip(from)
            .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
            .count()
    };
    let name = word(1);
    if !(1..=64).contains(&name) {
        return 0;
    }
    let mut end = 1 + name;
    if chars.get(end) == Some(&'@') {
        let mention = word(end + 1);
        if !(3..=32).contains(&mention) {
            return 0;
        }
        end += 1 + mention;
    }
    match chars.get(end) {
        Some(c) if is_word_or_tag(*c) => 0,
        _ => end,
    }
}

/// The sizes Telegram reports for an uploaded photo: one, the original's (from its PNG header).
fn photo_sizes(message_id: i32, png: &[u8]) -> Value {
    let dimension = |at: usize| {
        png.get(at..at + 4)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    json!([{
        "file_id": format!("photo-{message_id}"),
        "file_unique_id": format!("u{message_id}"),
        "width": dimension(16),
        "height": dimension(20),
        "file_size": png.len(),
    }])
}
