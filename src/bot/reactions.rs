//! Reactions on alert messages, in allowed chats: 👍 is `Got it` (the alert acknowledged, the
//! message saying so with `Undo`), 👎 marks the alert "not useful" for the weekly review (the
//! message saying so); taking the reaction back undoes it. Reactions from strangers, on a
//! message that is not an alert, or on another chat's alert change nothing.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use teloxide::prelude::*;
use teloxide::types::{MessageReactionUpdated, ReactionType};

use super::{HandlerResult, buttons, is_allowed};
use crate::app::App;
use crate::channels::telegram::callback::Action;
use crate::channels::telegram::{OnRateLimit, Outgoing, Telegram, keyboard};
use crate::pipeline::Recipient;
use crate::render::Text;
use crate::store::{FeedbackKind, OutboxRow, Store};

const UP: &str = "👍";
const DOWN: &str = "👎";
const NOT_USEFUL: &str = "👎 Noted: not useful. It counts in the weekly review.";

/// Whether the reacting chat (and user) may use the bot.
pub fn allowed(r: MessageReactionUpdated, app: Arc<App>) -> bool {
    let user = r.user().map(|u| u.id.0);
    let ok = is_allowed(&app, r.chat.id.0, user);
    if !ok {
        tracing::info!(
            chat_id = r.chat.id.0,
            "ignoring a reaction from a chat that is not allowed"
        );
    }
    ok
}

fn has(list: &[ReactionType], emoji: &str) -> bool {
    list.iter()
        .any(|r| matches!(r, ReactionType::Emoji { emoji: e } if e == emoji))
}

/// What a reaction change means for one alert message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Added(FeedbackKind),
    Removed(FeedbackKind),
}

fn changes(r: &MessageReactionUpdated) -> Vec<Change> {
    let mut out = Vec::new();
    for (emoji, kind) in [(UP, FeedbackKind::Up), (DOWN, FeedbackKind::Down)] {
        match (has(&r.old_reaction, emoji), has(&r.new_reaction, emoji)) {
            (false, true) => out.push(Change::Added(kind)),
            (true, false) => out.push(Change::Removed(kind)),
            _ => {}
        }
    }
    out
}

pub async fn on_reaction(bot: Bot, r: MessageReactionUpdated, app: Arc<App>) -> HandlerResult {
    let changes = changes(&r);
    if changes.is_empty() {
        return Ok(());
    }
    let chat = r.chat.id.0;
    let message_id = i64::from(r.message_id.0);
    let now = app.now();
    let a = Arc::clone(&app);
    let edited = app
        .store(move |store| react(store, &a.config, chat, message_id, &changes, now))
        .await?;
    let Some((text, keyboard)) = edited else {
        return Ok(());
    };
    let sent = Telegram::new(bot, Arc::clone(&app))
        .edit(
            chat,
            message_id,
            Outgoing::text(&text).with_keyboard(keyboard.as_ref()),
            OnRateLimit::GiveUp,
        )
        .await;
    if let Err(e) = sent {
        tracing::warn!(chat_id = chat, error = %e, "could not edit an alert after a reaction");
    }
    Ok(())
}

/// Applies reaction `changes` on message `message_id` of `chat` (blocking); returns the
/// message's new text and buttons, or `None` when it is not one of this chat's live alerts.
fn react(
    store: &mut Store,
    config: &crate::config::Config,
    chat: i64,
    message_id: i64,
    changes: &[Change],
    now: DateTime<Utc>,
) -> crate::store::Result<Option<(Text, Option<teloxide::types::InlineKeyboardMarkup>)>> {
    let Some(row) = store.alert_row_by_message(chat, message_id)? else {
        return Ok(None);
    };
    if row.resolved_at.is_some() || row.alerts.is_empty() {
        return Ok(None);
    }
    let recipient = Recipient::Chat(chat);
    let alerts: Vec<(String, Option<crate::alert::Priority>)> = row
        .alerts
        .iter()
        .map(|a| (a.dedup_key.clone(), Some(a.priority)))
        .collect();
    let mut press_state = row.press_state.clone();
    for change in changes {
        match *change {
            Change::Added(FeedbackKind::Up) => {
                let status = buttons::apply(store, config, recipient, &alerts, Action::GotIt, now)?;
                store.record_feedback(&row, FeedbackKind::Up, now, None)?;
                let status = format!("👍 {status}");
                store.set_press_state(row.id, Some(&status))?;
                press_state = Some(status);
            }
            Change::Removed(FeedbackKind::Up) => {
                buttons::apply(store, config, recipient, &alerts, Action::Undo, now)?;
                store.remove_feedback(row.id, FeedbackKind::Up)?;
                store.set_press_state(row.id, None)?;
                press_state = None;
            }
            Change::Added(FeedbackKind::Down) => {
                store.record_feedback(&row, FeedbackKind::Down, now, None)?;
            }
            Change::Removed(FeedbackKind::Down) => {
                store.remove_feedback(row.id, FeedbackKind::Down)?;
            }
            Change::Added(_) | Change::Removed(_) => {}
        }
    }
    tracing::info!(
        chat_id = chat,
        outbox_id = row.id,
        ?changes,
        "reaction on an alert"
    );
    let down = store.has_feedback(row.id, FeedbackKind::Down)?;
    Ok(Some(message(&row, press_state.as_deref(), down)))
}

/// The alert message as it reads now: its text, the state a press or 👍 left, the 👎 note;
/// `Undo` while pressed, else the four buttons.
fn message(
    row: &OutboxRow,
    press_state: Option<&str>,
    not_useful: bool,
) -> (Text, Option<teloxide::types::InlineKeyboardMarkup>) {
    let mut text = Text::rendered(row.html.clone(), row.plain.clone());
    if let Some(state) = press_state {
        text.newline().newline().italic(state);
    }
    if not_useful {
        text.newline().newline().italic(NOT_USEFUL);
    }
    let keyboard = match press_state {
        Some(_) => keyboard::undo_keyboard(row.id),
        None => keyboard::alert_keyboard(row.id),
    };
    (text, Some(keyboard))
}
