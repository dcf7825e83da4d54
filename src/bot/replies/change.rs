//! Changing a chat's settings, from a slash command or plain words (`bot::talk`), and taking
//! it back: every change (a snooze, snoozes cleared, quiet hours, a one-off quiet period) is
//! recorded with the state it replaced, confirmed in words that say until when, and carries
//! an `Undo` button that puts that state back.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Reply, local_time};
use crate::app::App;
use crate::config::QuietHours;
use crate::pipeline::{Recipient, SnoozeScope, in_quiet_hours};
use crate::render::{Text, quiet_hours_text, snooze_scope_text};
use crate::store::Store;

/// A change of a chat's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Snooze {
        scope: SnoozeScope,
        until: DateTime<Utc>,
    },
    SnoozeOff,
    /// Quiet from now until then, whatever the daily hours say.
    QuietUntil(DateTime<Utc>),
    QuietHours {
        start: u8,
        end: u8,
    },
    QuietOn,
    /// Daily quiet hours off, and any one-off quiet period ended.
    QuietOff,
}

/// What a change replaced, kept (as JSON) for its `Undo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Before {
    /// Every active snooze: (scope, until, priority).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    snoozes: Option<Vec<(String, i64, Option<String>)>>,
    /// The chat's own quiet hours (`None` inside: it had none, the config's applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quiet: Option<Option<(bool, u8, u8)>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quiet_until: Option<Option<i64>>,
}

impl Change {
    fn touches_snoozes(&self) -> bool {
        matches!(self, Change::Snooze { .. } | Change::SnoozeOff)
    }
}

/// Takes what `change` will replace.
fn snapshot(
    store: &Store,
    chat: Recipient,
    change: &Change,
    now: DateTime<Utc>,
) -> crate::store::Result<Before> {
    if change.touches_snoozes() {
        let snoozes = store
            .snoozes(chat, now)?
            .into_iter()
            .map(|s| {
                (
                    s.scope.encode(),
                    s.until.timestamp(),
                    s.priority.map(|p| p.as_str().to_owned()),
                )
            })
            .collect();
        return Ok(Before {
            snoozes: Some(snoozes),
            ..Before::default()
        });
    }
    Ok(Before {
        quiet: Some(
            store
                .quiet_hours(chat)?
                .map(|q| (q.enabled, q.start, q.end)),
        ),
        quiet_until: Some(
            store
                .quiet_until(chat)?
                .filter(|u| *u > now)
                .map(|u| u.timestamp()),
        ),
        ..Before::default()
    })
}

/// Puts `before` back.
fn restore(
    store: &mut Store,
    chat: Recipient,
    before: &Before,
    now: DateTime<Utc>,
) -> crate::store::Result<()> {
    if let Some(snoozes) = &before.snoozes {
        store.clear_snoozes(chat)?;
        for (scope, until, priority) in snoozes {
            let until = DateTime::from_timestamp(*until, 0).unwrap_or_default();
            if let Some(scope) = SnoozeScope::decode(scope)
                && until > now
            {
                let priority = priority.as_deref().and_then(|p| p.parse().ok());
                store.snooze_at(chat, &scope, until, priority, now)?;
            }
        }
    }
    if let Some(quiet) = before.quiet {
        match quiet {
            Some((enabled, start, end)) => store.set_quiet_hours(
                chat,
                QuietHours {
                    enabled,
                    start,
                    end,
                },
                now,
            )?,
            None => store.clear_quiet_hours(chat)?,
        }
    }
    if let Some(until) = before.quiet_until {
        store.set_quiet_until(chat, until.and_then(|u| DateTime::from_timestamp(u, 0)))?;
    }
    Ok(())
}

/// What a change came to, for its confirmation.
enum Done {
    Snoozed {
        scope: SnoozeScope,
        until: DateTime<Utc>,
    },
    Cleared(usize),
    QuietUntil(DateTime<Utc>),
    Quiet(QuietHours),
}

/// Applies `change` for `chat` (blocking, on the store's thread); returns the change's id
/// (for `Undo`) and what it came to.
fn apply(
    store: &mut Store,
    default_quiet: QuietHours,
    chat: Recipient,
    change: &Change,
    now: DateTime<Utc>,
) -> crate::store::Result<(i64, Done)> {
    let before = snapshot(store, chat, change, now)?;
    let done = match change {
        Change::Snooze { scope, until } => {
            store.snooze(chat, scope, *until, now)?;
            Done::Snoozed {
                scope: scope.clone(),
                until: *until,
            }
        }
        Change::SnoozeOff => Done::Cleared(store.clear_snoozes(chat)?),
        Change::QuietUntil(until) => {
            store.set_quiet_until(chat, Some(*until))?;
            Done::QuietUntil(*until)
        }
        Change::QuietHours { start, end } => {
            let q = QuietHours {
                enabled: true,
                start: *start,
                end: *end,
            };
            store.set_quiet_hours(chat, q, now)?;
            Done::Quiet(q)
        }
        Change::QuietOn | Change::QuietOff => {
            let current = store.quiet_hours(chat)?.unwrap_or(default_quiet);
            let q = QuietHours {
                enabled: *change == Change::QuietOn,
                ..current
            };
            store.set_quiet_hours(chat, q, now)?;
            if *change == Change::QuietOff {
                store.set_quiet_until(chat, None)?;
            }
            Done::Quiet(q)
        }
    };
    let before = serde_json::to_string(&before).unwrap_or_default();
    let what = match change {
        Change::Snooze { .. } | Change::SnoozeOff => "snooze",
        _ => "quiet",
    };
    let id = store.record_change(chat, what, &before, now)?;
    Ok((id, done))
}

/// Carries out `change` for `chat` and confirms it, with `Undo`; a change that may release
/// held alerts asks for a cycle once answered.
pub async fn change(app: &Arc<App>, chat_id: i64, change: Change) -> anyhow::Result<Reply> {
    let now = app.now();
    let chat = Recipient::Chat(chat_id);
    let default_quiet = app.config.quiet_hours;
    let releases = matches!(
        change,
        Change::SnoozeOff | Change::QuietHours { .. } | Change::QuietOn | Change::QuietOff
    );
    let (id, done) = app
        .store(move |s| apply(s, default_quiet, chat, &change, now))
        .await?;
    let tz = &app.config.timezone;
    let mut t = Text::new();
    match done {
        Done::Snoozed { scope, until } => {
            t.text(&format!(
                "Snoozed {} until {}. Critical alerts still come through. /snooze off to undo.",
                snooze_scope_text(&scope),
                local_time(app, until)
            ));
        }
        Done::Cleared(n) => {
            t.text(&match n {
                0 => "Nothing was snoozed; alerts flow as usual.".to_owned(),
                1 => "Cleared 1 snooze. Alerts flow again.".to_owned(),
                n => format!("Cleared {n} snoozes. Alerts flow again."),
            });
        }
        Done::QuietUntil(until) => {
            t.text(&format!(
                "Quiet until {}: alerts that are not critical wait and come as one message then.",
                local_time(app, until)
            ));
        }
        Done::Quiet(q) => {
            t.text("Quiet hours for this chat are now ")
                .bold(&quiet_hours_text(&q))
                .text(&format!(" ({})", tz.name()));
            if q.enabled && q.start != q.end {
                t.text(if in_quiet_hours(&q, tz, now) {
                    " — in force now."
                } else {
                    " — not in force now."
                });
            }
        }
    }
    Ok(Reply {
        undo: Some(id),
        recheck: releases,
        ..t.into()
    })
}

/// What an `Undo` on a change came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undone {
    Done,
    /// Not applied; says why.
    Refused(&'static str),
}

/// Undoes change `id` pressed in `chat_id` (blocking).
pub fn undo(
    store: &mut Store,
    chat_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> crate::store::Result<Undone> {
    let Some(change) = store.change(id)? else {
        return Ok(Undone::Refused("That change is too old to undo."));
    };
    if change.recipient != chat_id.to_string() {
        return Ok(Undone::Refused("This button belongs to another chat."));
    }
    if change.undone {
        return Ok(Undone::Refused("Already undone."));
    }
    let Ok(before) = serde_json::from_str::<Before>(&change.before) else {
        return Ok(Undone::Refused("That change cannot be undone."));
    };
    restore(store, Recipient::Chat(chat_id), &before, now)?;
    store.mark_change_undone(id, now)?;
    Ok(Undone::Done)
}
