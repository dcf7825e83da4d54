//! Incoming updates: what tests push (user texts, button presses) and how
//! `getUpdates` hands them out — offsets, `allowed_updates`, long polling and
//! Telegram's rule that a newer long poll terminates an older one (409).
//!
//! Owns the update side of the fake. Does not own HTTP or fault scripting.

use serde_json::{Value, json};
use tokio::time::{Duration, Instant};

use super::json;
use super::methods::int_param;
use super::reply::{ApiFailure, Reply};
use super::state::{Shared, unix_now};

const MAX_LIMIT: i64 = 100;

/// Queues a text message from `user_id` in `chat_id`; the chat becomes known.
pub fn push_text(shared: &Shared, chat_id: i64, user_id: i64, text: &str) -> i64 {
    let update_id = {
        let mut state = shared.lock();
        state.known_chats.insert(chat_id);
        let chat = state.chat_mut(chat_id);
        let message_id = chat.next_message_id();
        chat.incoming.insert(message_id);
        let message = json::user_message(chat_id, user_id, message_id, unix_now(), text);
        state.push_update(
            "message",
            |id| json!({ "update_id": id, "message": message }),
        )
    };
    shared.updates_ready.notify_waiters();
    update_id
}

/// Queues a press on a button of the bot's message `message_id`; returns the query id.
pub fn push_callback(
    shared: &Shared,
    chat_id: i64,
    user_id: i64,
    message_id: i32,
    data: &str,
) -> String {
    let query_id = {
        let mut state = shared.lock();
        state.known_chats.insert(chat_id);
        let message = state
            .chats
            .get(&chat_id)
            .and_then(|chat| chat.sent.iter().find(|m| m.message_id == message_id))
            .map_or_else(
                || json::inaccessible_message(chat_id, message_id),
                |m| json::bot_message(shared.bot_id, chat_id, m),
            );
        let query_id = state.issue_query();
        let query = json::callback_query(&query_id, user_id, chat_id, message, data);
        state.push_update(
            "callback_query",
            |id| json!({ "update_id": id, "callback_query": query }),
        );
        query_id
    };
    shared.updates_ready.notify_waiters();
    query_id
}

/// Queues a change of `user_id`'s reactions on message `message_id` in `chat_id` (emoji
/// before and after), as Telegram sends it to a bot that asked for `message_reaction`.
pub fn push_reaction(
    shared: &Shared,
    chat_id: i64,
    user_id: i64,
    message_id: i32,
    old: &[&str],
    new: &[&str],
) -> i64 {
    let emoji = |list: &[&str]| -> Value {
        list.iter()
            .map(|e| json!({ "type": "emoji", "emoji": e }))
            .collect()
    };
    let update_id = {
        let mut state = shared.lock();
        let reaction = json!({
            "chat": json::chat(chat_id),
            "message_id": message_id,
            "user": json::user(user_id),
            "date": unix_now(),
            "old_reaction": emoji(old),
            "new_reaction": emoji(new),
        });
        state.push_update(
            "message_reaction",
            |id| json!({ "update_id": id, "message_reaction": reaction }),
        )
    };
    shared.updates_ready.notify_waiters();
    update_id
}

/// `allowed_updates` as sent (JSON array, or a JSON string from a form).
fn allowed_updates(params: &Value) -> Option<Vec<String>> {
    let list = params.get("allowed_updates")?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

struct Poll {
    limit: usize,
    deadline: Instant,
    /// `Some` when this poll waits for updates (and so terminates an older waiter).
    generation: Option<u64>,
}

/// Confirms the offset, stores `allowed_updates` and decides whether to wait.
fn begin(shared: &Shared, params: &Value) -> Poll {
    let limit =
        usize::try_from(int_param(params, "limit").map_or(MAX_LIMIT, |l| l.clamp(1, MAX_LIMIT)))
            .unwrap_or(1);
    let timeout = u64::try_from(int_param(params, "timeout").unwrap_or(0)).unwrap_or(0);
    let mut state = shared.lock();
    if let Some(offset) = int_param(params, "offset") {
        state.confirm(offset);
    }
    if let Some(list) = allowed_updates(params) {
        state.allowed_updates = (!list.is_empty()).then_some(list);
    }
    let wait = Duration::from_secs(timeout).min(state.max_poll);
    let waits = !wait.is_zero() && state.batch(1).is_empty();
    let generation = waits.then(|| {
        state.poll_generation += 1;
        state.poll_generation
    });
    Poll {
        limit,
        deadline: Instant::now() + wait,
        generation,
    }
}

/// `getUpdates`: answers at once when updates are pending or `timeout` is 0,
/// otherwise waits (event-driven) until one arrives, the timeout (capped by
/// the fake's maximum) passes, a newer poll terminates this one, or the fake shuts down.
pub async fn get_updates(shared: &Shared, params: &Value, at: Instant) -> Reply {
    let poll = begin(shared, params);
    let record = shared.record("getupdates", params, at, Some(200));
    let Some(generation) = poll.generation else {
        return Reply::Ok(shared.lock().batch(poll.limit).into());
    };
    // Wake an older waiter so it sees it has been terminated.
    shared.updates_ready.notify_waiters();
    loop {
        let notified = shared.updates_ready.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut state = shared.lock();
            if state.poll_generation != generation {
                if let Some(recorded) = state.requests.get_mut(record) {
                    recorded.status = Some(409);
                }
                return Reply::Fail(ApiFailure::conflict());
            }
            let batch = state.batch(poll.limit);
            if !batch.is_empty()
                || Instant::now() >= poll.deadline
                || shared.shutdown.is_cancelled()
            {
                return Reply::Ok(batch.into());
            }
        }
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(poll.deadline) => {}
            () = shared.shutdown.cancelled() => {}
        }
    }
}
