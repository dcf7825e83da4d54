//! Plain words from an allowed chat (`bot::words`) carried out: a change goes through
//! `replies::change` (confirmed with until when and an `Undo` button), a question gets the
//! matching command's reply, anything unclear a short answer naming the closest command.
//! Nothing here guesses a change.

use std::sync::Arc;

use super::commands::{self, Invocation};
use super::replies::{self, Change, Reply, change};
use super::words::{self, Context, Intent, Scope};
use crate::alert::AlertClass;
use crate::app::App;
use crate::pipeline::{Recipient, SnoozeScope};
use crate::render::Text;

/// The reply to plain words from an allowed chat.
pub async fn plain_words(app: &Arc<App>, chat_id: i64, text: &str) -> Reply {
    let now = app.now();
    let chat = Recipient::Chat(chat_id);
    let default_quiet = app.config.quiet_hours;
    let quiet = app
        .store(move |s| s.quiet_hours(chat))
        .await
        .ok()
        .flatten()
        .unwrap_or(default_quiet);
    let ctx = Context {
        now,
        tz: &app.config.timezone,
        quiet: (quiet.enabled && quiet.start != quiet.end).then_some(words::QuietHours {
            start: quiet.start,
            end: quiet.end,
        }),
    };
    let intent = words::understand(text, &ctx);
    tracing::info!(chat_id, intent = intent.command(), "plain words");
    let result = match intent {
        Intent::Snooze { scope, until } => {
            let scope = match scope {
                Scope::All => SnoozeScope::All,
                Scope::Class(c) => SnoozeScope::Class(match c {
                    words::Class::Health => AlertClass::Health,
                    words::Class::Tasks => AlertClass::Tasks,
                    words::Class::Patterns => AlertClass::Patterns,
                    words::Class::Services => AlertClass::Services,
                }),
            };
            change(app, chat_id, Change::Snooze { scope, until }).await
        }
        Intent::SnoozeOff => change(app, chat_id, Change::SnoozeOff).await,
        Intent::QuietUntil(until) => change(app, chat_id, Change::QuietUntil(until)).await,
        Intent::QuietHours { start, end } => {
            change(app, chat_id, Change::QuietHours { start, end }).await
        }
        Intent::QuietOn => change(app, chat_id, Change::QuietOn).await,
        Intent::QuietOff => change(app, chat_id, Change::QuietOff).await,
        Intent::SnoozeList | Intent::QuietShow | Intent::Ask(_) => {
            let name = intent.command();
            let invocation = Invocation {
                name: name.to_owned(),
                command: commands::find(name).map(|c| c.command),
                args: "",
            };
            return replies::reply(app, chat_id, &invocation).await;
        }
        Intent::Invalid {
            command,
            problem,
            example,
        } => {
            let mut t = Text::new();
            t.text(&format!("I can't do that as said: {problem}. Try "))
                .code(example)
                .text(&format!(" (or /help {command})."));
            Ok(t.into())
        }
        Intent::NotUnderstood { closest, example } => {
            let mut t = Text::new();
            t.text(&format!("I didn't catch that. Closest: /{closest}, as in "))
                .code(example)
                .text(". /help lists everything I understand.");
            Ok(t.into())
        }
    };
    result.unwrap_or_else(|e| {
        let cause = app.config.redactor().redact(&format!("{e:#}"));
        tracing::error!(error = %cause, "a plain-word change failed");
        let mut t = Text::new();
        t.text(&format!(
            "Sorry, that was not saved: {cause}. Nothing was changed."
        ));
        t.into()
    })
}
