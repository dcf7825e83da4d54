//! The Bot API methods the fake answers at once (everything but
//! `getUpdates`): their parameters, their effect on the state, their result.
//!
//! Owns the per-method rules (which chat, which message, "not modified").
//! Does not own HTTP, faults or long polling.

use serde_json::{Value, json};

use super::json;
use super::reply::ApiFailure;
use super::server::Files;
use super::state::{State, StoredMessage, unix_now};
use super::validate;

type MethodResult = Result<Value, ApiFailure>;

/// Runs `method` (lowercased) against the state; `None` for a method the fake does not know.
pub fn handle(
    state: &mut State,
    bot_id: i64,
    method: &str,
    params: &Value,
    files: &Files,
) -> Option<MethodResult> {
    let result = match method {
        "getme" => Ok(json::me(bot_id)),
        "deletewebhook" => delete_webhook(state, params),
        "getwebhookinfo" => Ok(
            json!({ "url": "", "has_custom_certificate": false, "pending_update_count": state.updates.len() }),
        ),
        "sendmessage" => send_message(state, bot_id, params),
        "sendphoto" => send_photo(state, bot_id, params, files),
        "getchat" => get_chat(state, params),
        "sendchataction" => send_chat_action(state, params),
        "editmessagetext" => edit_message_text(state, bot_id, params),
        "editmessagereplymarkup" => edit_message_reply_markup(state, bot_id, params),
        "answercallbackquery" => answer_callback_query(state, params),
        "setmycommands" => set_my_commands(state, params),
        "getmycommands" => Ok(get_my_commands(state, params)),
        "deletemycommands" => {
            state.commands.remove(&scope_key(params));
            Ok(Value::Bool(true))
        }
        _ => return None,
    };
    Some(result)
}

/// An integer parameter, sent as a JSON number or (form encoding) a string.
pub fn int_param(params: &Value, key: &str) -> Option<i64> {
    match params.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub fn str_param<'a>(params: &'a Value, key: &str) -> Option<&'a str> {
    params.get(key).and_then(Value::as_str)
}

fn chat_id(params: &Value) -> Result<i64, ApiFailure> {
    match params.get("chat_id") {
        None | Some(Value::Null) => Err(ApiFailure::bad_request("chat_id is empty")),
        // "@username" or garbage: no such chat in the fake.
        Some(_) => int_param(params, "chat_id").ok_or_else(ApiFailure::chat_not_found),
    }
}

/// `getChat`: a chat the bot knows (blocked or not: Telegram still describes it).
fn get_chat(state: &State, params: &Value) -> MethodResult {
    let chat_id = chat_id(params)?;
    if !state.known_chats.contains(&chat_id) {
        return Err(ApiFailure::chat_not_found());
    }
    Ok(json::chat_full_info(chat_id))
}

/// `sendChatAction`: "typing…" in a chat the bot may write to (403 when blocked).
fn send_chat_action(state: &State, params: &Value) -> MethodResult {
    let chat_id = chat_id(params)?;
    state.check_chat(chat_id)?;
    match str_param(params, "action") {
        Some("typing" | "upload_photo" | "upload_document") => Ok(Value::Bool(true)),
        _ => Err(ApiFailure::bad_request("wrong parameter action in request")),
    }
}

fn delete_webhook(state: &mut State, params: &Value) -> MethodResult {
    if params.get("drop_pending_updates").and_then(Value::as_bool) == Some(true) {
        state.updates.clear();
    }
    Ok(Value::Bool(true))
}

fn send_message(state: &mut State, bot_id: i64, params: &Value) -> MethodResult {
    let chat_id = chat_id(params)?;
    state.check_chat(chat_id)?;
    let parse_mode = str_param(params, "parse_mode").map(str::to_owned);
    let text = str_param(params, "text").unwrap_or_default();
    let formatted = validate::message_text(Some(text), parse_mode.as_deref())?;
    let reply_markup = validate::reply_markup(params.get("reply_markup"))?;
    let chat = state.chat_mut(chat_id);
    let message = StoredMessage {
        message_id: chat.next_message_id(),
        date: unix_now(),
        raw_text: text.to_owned(),
        parse_mode,
        formatted,
        reply_markup,
        edit_date: None,
        photo: None,
    };
    let result = json::bot_message(bot_id, chat_id, &message);
    chat.sent.push(message);
    Ok(result)
}

/// `sendPhoto` with an upload (multipart, the file in the `photo` field or named by
/// `attach://<field>`); a file id or URL is refused, as the fake stores no files.
fn send_photo(state: &mut State, bot_id: i64, params: &Value, files: &Files) -> MethodResult {
    let chat_id = chat_id(params)?;
    state.check_chat(chat_id)?;
    let upload = match str_param(params, "photo") {
        Some(named) => match named.strip_prefix("attach://") {
            Some(field) => files.get(field),
            None => {
                return Err(ApiFailure::bad_request(
                    "wrong remote file identifier specified",
                ));
            }
        },
        None => files.get("photo"),
    };
    validate::photo(upload.map(Vec::as_slice))?;
    let parse_mode = str_param(params, "parse_mode").map(str::to_owned);
    let caption = str_param(params, "caption");
    let formatted = validate::caption(caption, parse_mode.as_deref())?;
    let reply_markup = validate::reply_markup(params.get("reply_markup"))?;
    let chat = state.chat_mut(chat_id);
    let message = StoredMessage {
        message_id: chat.next_message_id(),
        date: unix_now(),
        raw_text: caption.unwrap_or_default().to_owned(),
        parse_mode,
        formatted,
        reply_markup,
        edit_date: None,
        photo: upload.cloned(),
    };
    let result = json::bot_message(bot_id, chat_id, &message);
    chat.sent.push(message);
    Ok(result)
}

/// The bot's message an edit names, after Telegram's checks.
fn edit_target<'a>(
    state: &'a mut State,
    params: &Value,
) -> Result<(i64, &'a mut StoredMessage), ApiFailure> {
    if params.get("inline_message_id").is_some() {
        return Err(ApiFailure::bad_request("MESSAGE_ID_INVALID"));
    }
    let chat_id = chat_id(params)?;
    state.check_chat(chat_id)?;
    let message_id = int_param(params, "message_id")
        .ok_or_else(|| ApiFailure::bad_request("message identifier is not specified"))?;
    let message_id = i32::try_from(message_id)
        .map_err(|_| ApiFailure::bad_request("message to edit not found"))?;
    if state
        .chats
        .get(&chat_id)
        .is_some_and(|chat| chat.incoming.contains(&message_id))
    {
        return Err(ApiFailure::bad_request("message can't be edited"));
    }
    let message = state
        .sent_message_mut(chat_id, message_id)
        .ok_or_else(|| ApiFailure::bad_request("message to edit not found"))?;
    Ok((chat_id, message))
}

fn not_modified() -> ApiFailure {
    ApiFailure::bad_request(
        "message is not modified: specified new message content and reply markup are exactly the same as a current \
         content and reply markup of the message",
    )
}

/// Telegram drops the inline keyboard when `editMessageText` comes without one.
fn edit_message_text(state: &mut State, bot_id: i64, params: &Value) -> MethodResult {
    let parse_mode = str_param(params, "parse_mode").map(str::to_owned);
    let text = str_param(params, "text").unwrap_or_default();
    let formatted = validate::message_text(Some(text), parse_mode.as_deref())?;
    let reply_markup = validate::reply_markup(params.get("reply_markup"))?;
    let (chat_id, message) = edit_target(state, params)?;
    if message.photo.is_some() {
        return Err(ApiFailure::bad_request(
            "there is no text in the message to edit",
        ));
    }
    if message.formatted == formatted && message.reply_markup == reply_markup {
        return Err(not_modified());
    }
    message.raw_text = text.to_owned();
    message.parse_mode = parse_mode;
    message.formatted = formatted;
    message.reply_markup = reply_markup;
    message.edit_date = Some(unix_now());
    Ok(json::bot_message(bot_id, chat_id, message))
}

fn edit_message_reply_markup(state: &mut State, bot_id: i64, params: &Value) -> MethodResult {
    let reply_markup = validate::reply_markup(params.get("reply_markup"))?;
    let (chat_id, message) = edit_target(state, params)?;
    if message.reply_markup == reply_markup {
        return Err(not_modified());
    }
    message.reply_markup = reply_markup;
    message.edit_date = Some(unix_now());
    Ok(json::bot_message(bot_id, chat_id, message))
}

fn answer_callback_query(state: &mut State, params: &Value) -> MethodResult {
    let text = str_param(params, "text");
    validate::callback_answer_text(text)?;
    let id = str_param(params, "callback_query_id").unwrap_or_default();
    match state.queries.get_mut(id) {
        Some(answered @ false) => *answered = true,
        _ => {
            return Err(ApiFailure::bad_request(
                "query is too old and response timeout expired or query ID is invalid",
            ));
        }
    }
    state
        .callback_answers
        .push((id.to_owned(), text.map(str::to_owned)));
    Ok(Value::Bool(true))
}

/// Command lists are kept per scope and language, as Telegram does.
pub fn scope_key(params: &Value) -> String {
    let scope = params
        .get("scope")
        .filter(|s| s.get("type").and_then(Value::as_str) != Some("default"));
    let scope = scope.map_or_else(|| "default".to_owned(), Value::to_string);
    format!(
        "{scope}|{}",
        str_param(params, "language_code").unwrap_or_default()
    )
}

pub const DEFAULT_SCOPE_KEY: &str = "default|";

fn set_my_commands(state: &mut State, params: &Value) -> MethodResult {
    let commands = validate::bot_commands(params.get("commands"))?;
    state.commands.insert(scope_key(params), commands);
    Ok(Value::Bool(true))
}

fn get_my_commands(state: &State, params: &Value) -> Value {
    let commands = state
        .commands
        .get(&scope_key(params))
        .map(Vec::as_slice)
        .unwrap_or_default();
    commands
        .iter()
        .map(|(command, description)| json!({ "command": command, "description": description }))
        .collect()
}
