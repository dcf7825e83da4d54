//! Button presses: on an alert (`Snooze …`, `Got it`, `Undo`, see `buttons`), under a
//! settings change's confirmation (`Undo`, see `talk`), and under a review's suggestion
//! (`Apply`, see `review::apply`). Each is answered at once and its message edited in its turn.

use std::sync::Arc;

use teloxide::prelude::*;

use super::{HandlerResult, buttons, replies};
use crate::app::App;
use crate::channels::telegram::callback::Button;
use crate::channels::telegram::{OnRateLimit, Outgoing, Telegram, keyboard};
use crate::render::Text;

pub async fn on_press(bot: Bot, q: CallbackQuery, app: Arc<App>) -> HandlerResult {
    let (Some(message), Some(data)) = (q.regular_message().cloned(), q.data.clone()) else {
        bot.answer_callback_query(q.id)
            .text("This button is no longer valid.")
            .await?;
        return Ok(());
    };
    let chat_id = message.chat.id.0;
    let now = app.now();
    match Button::decode(&data) {
        Some(Button::UndoChange(id)) => {
            return undo_change(bot, q.id, message, app, id).await;
        }
        Some(Button::Apply(id)) => return apply(bot, q.id, message, app, id).await,
        Some(Button::Alert(_)) | None => {}
    }
    let a = Arc::clone(&app);
    let outcome = app
        .store(move |store| buttons::press(store, &a.config, chat_id, &data, now))
        .await;
    match outcome {
        Ok(buttons::Press::Done {
            answer,
            edited,
            keyboard,
        }) => {
            bot.answer_callback_query(q.id).text(answer).await?;
            let keyboard = match keyboard {
                buttons::Buttons::Undo(id) => keyboard::undo_keyboard(id),
                buttons::Buttons::Alert(id) => keyboard::alert_keyboard(id),
            };
            let edit = Telegram::new(bot, Arc::clone(&app))
                .edit(
                    chat_id,
                    i64::from(message.id.0),
                    Outgoing::text(&edited).with_keyboard(Some(&keyboard)),
                    OnRateLimit::GiveUp,
                )
                .await;
            if let Err(e) = edit {
                tracing::warn!(chat_id, error = %e, "could not edit the alert after a button press");
            }
        }
        Ok(buttons::Press::Refused {
            answer,
            remove_keyboard,
        }) => {
            bot.answer_callback_query(q.id).text(answer).await?;
            if remove_keyboard {
                let removed = Telegram::new(bot, Arc::clone(&app))
                    .remove_keyboard(chat_id, i64::from(message.id.0), OnRateLimit::GiveUp)
                    .await;
                if let Err(e) = removed {
                    tracing::warn!(chat_id, error = %e, "could not remove a stale keyboard");
                }
            }
        }
        Err(e) => {
            // A callback answer holds at most 200 characters.
            let cause: String = app
                .config
                .redactor()
                .redact(&format!("{e:#}"))
                .chars()
                .take(150)
                .collect();
            bot.answer_callback_query(q.id)
                .text(format!("Sorry, that was not saved: {cause}"))
                .await?;
            return Err(e);
        }
    }
    Ok(())
}

/// `Undo` under a settings change: the state before it comes back, the message says so.
async fn undo_change(
    bot: Bot,
    query: teloxide::types::CallbackQueryId,
    message: Message,
    app: Arc<App>,
    id: i64,
) -> HandlerResult {
    let chat_id = message.chat.id.0;
    let now = app.now();
    let undone = app
        .store(move |s| replies::undo(s, chat_id, id, now))
        .await?;
    match undone {
        replies::Undone::Done => {
            bot.answer_callback_query(query).text("Undone.").await?;
            let mut edited = Text::new();
            edited
                .text(message.text().unwrap_or_default())
                .newline()
                .italic("Undone: back to how it was.");
            edit(&bot, &app, chat_id, &message, &edited, None).await;
            super::recheck(&app);
        }
        replies::Undone::Refused(why) => {
            bot.answer_callback_query(query).text(why).await?;
        }
    }
    Ok(())
}

/// `Apply` under a review's suggestion: the one config value changed in place (see
/// `review::apply`), or the reason it was not.
async fn apply(
    bot: Bot,
    query: teloxide::types::CallbackQueryId,
    message: Message,
    app: Arc<App>,
    id: i64,
) -> HandlerResult {
    let chat_id = message.chat.id.0;
    let now = app.now();
    let suggestion = app.store(move |s| s.suggestion(id)).await?;
    let Some(suggestion) = suggestion.filter(|s| s.recipient == chat_id.to_string()) else {
        bot.answer_callback_query(query)
            .text("This suggestion is not there any more.")
            .await?;
        return Ok(());
    };
    if suggestion.applied_at.is_some() {
        bot.answer_callback_query(query)
            .text("Already applied.")
            .await?;
        return Ok(());
    }
    let path = app.config.source_path.clone();
    let (key, from, to) = (
        suggestion.key.clone(),
        suggestion.from.clone(),
        suggestion.to.clone(),
    );
    let applied = tokio::task::spawn_blocking(move || {
        crate::review::apply::apply(&path, &key, &from, &to, now)
    })
    .await?;
    let mut edited = Text::new();
    edited.text(message.text().unwrap_or_default()).newline();
    match applied {
        Ok(done) => {
            app.store(move |s| s.mark_suggestion_applied(id, now))
                .await?;
            // The edited file validated; its monitors' section is what the cycle uses now.
            let path = app.config.source_path.clone();
            let reread =
                tokio::task::spawn_blocking(move || crate::config::load_file(&path)).await?;
            let when = match reread {
                Ok(config) => {
                    app.retune(&config);
                    "It applies from the next check."
                }
                Err(e) => {
                    tracing::warn!(error = %app.config.redactor().redact(&e.to_string()), "the applied config could not be re-read; the change applies from the next start");
                    "Operator uses it from its next start."
                }
            };
            tracing::info!(key = %done.key, from = %done.from, to = %done.to, backup = %done.backup.display(), "applied a review suggestion to the config");
            bot.answer_callback_query(query).text("Applied.").await?;
            edited.italic(&format!(
                "✓ Set {} from {} to {} in {} (backup: {}). {when}",
                done.key,
                done.from,
                done.to,
                app.config.source_path.display(),
                done.backup.display()
            ));
        }
        Err(e) => {
            tracing::warn!(key = %suggestion.key, error = %e, "a review suggestion was not applied");
            let answer: String = format!("Not applied: {e}").chars().take(190).collect();
            bot.answer_callback_query(query).text(answer).await?;
            edited.italic(&format!("✗ {} was not changed: {e}.", suggestion.key));
        }
    }
    edit(&bot, &app, chat_id, &message, &edited, None).await;
    Ok(())
}

/// Edits `message` to `text` with `keyboard` (none: removed), in its turn; a failure is logged.
async fn edit(
    bot: &Bot,
    app: &Arc<App>,
    chat_id: i64,
    message: &Message,
    text: &Text,
    keyboard: Option<&teloxide::types::InlineKeyboardMarkup>,
) {
    let edited = Telegram::new(bot.clone(), Arc::clone(app))
        .edit(
            chat_id,
            i64::from(message.id.0),
            Outgoing::text(text).with_keyboard(keyboard),
            OnRateLimit::GiveUp,
        )
        .await;
    if let Err(e) = edited {
        tracing::warn!(chat_id, error = %e, "could not edit a message after a button press");
    }
}
