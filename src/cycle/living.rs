//! Alert messages that live: after a cycle has read an alert's sources, a message whose
//! every alert has stopped holding is edited to say `✓ Resolved HH:MM` with its buttons
//! removed (and, with `alerters.telegram.notify_resolved`, a short push says so); key snoozes
//! that are over (the alert came back ↺, or escalated past them, or no longer holds) are
//! removed. Edits are queued in the outbox and sent in their turn like any message.

use std::collections::BTreeSet;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};

use super::OUTBOX_TTL;
use crate::alert::{Alert, AlertClass, Priority};
use crate::config::Config;
use crate::pipeline::{ChatState, Notification, NotificationKind, Plan, Recipient, SnoozeScope};
use crate::render::Text;
use crate::store::{OutboxRow, Store};

/// How far back a message can still be resolved.
pub const RESOLVE_WITHIN: Duration = Duration::days(7);

/// What this chat's messages and snoozes came to this cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Living {
    /// Outbox ids of the alert messages marked resolved.
    pub resolved: Vec<i64>,
}

/// What this cycle saw of the conditions: which alert keys hold, and which classes had every
/// source read (only their messages can resolve).
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    pub holding: &'a BTreeSet<String>,
    pub evaluated: &'a [AlertClass],
}

/// Marks resolved messages and ends finished snoozes for `recipient`.
pub fn update(
    config: &Config,
    store: &mut Store,
    recipient: Recipient,
    state: &ChatState,
    plan: &Plan,
    seen: Seen<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<Living> {
    let Seen { holding, evaluated } = seen;
    let mut ended = plan.ended_snoozes.clone();
    ended.extend(state.snoozes.iter().filter_map(|s| match &s.scope {
        SnoozeScope::Key(key) if s.until <= now && !still_holds(key, holding, evaluated) => {
            Some(key.clone())
        }
        _ => None,
    }));
    if !ended.is_empty() {
        store
            .end_key_snoozes(recipient, &ended)
            .context("ending snoozes")?;
    }

    let mut living = Living::default();
    let rows = store
        .unresolved_alert_rows(recipient, now - RESOLVE_WITHIN)
        .context("reading alert messages")?;
    for row in rows {
        if row.alerts.is_empty()
            || row
                .alerts
                .iter()
                .any(|a| still_holds(&a.dedup_key, holding, evaluated))
        {
            continue;
        }
        resolve(config, store, &row, now)?;
        living.resolved.push(row.id);
    }
    Ok(living)
}

/// Whether `key`'s condition may still hold: it was seen holding, or its class's sources
/// were not all read this cycle (then nothing is known).
fn still_holds(key: &str, holding: &BTreeSet<String>, evaluated: &[AlertClass]) -> bool {
    let class = key
        .split(':')
        .next()
        .and_then(|c| c.parse::<AlertClass>().ok());
    holding.contains(key) || class.is_none_or(|c| !evaluated.contains(&c))
}

fn resolve(
    config: &Config,
    store: &mut Store,
    row: &OutboxRow,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let at = now
        .with_timezone(&config.timezone)
        .format("%H:%M")
        .to_string();
    let mut edited = Text::rendered(row.html.clone(), row.plain.clone());
    edited
        .newline()
        .newline()
        .italic(&format!("✓ Resolved {at}"));
    store
        .mark_resolved(row.id, now)
        .context("marking resolved")?;
    let minutes = (now - row.created_at).num_minutes();
    store
        .record_feedback(
            row,
            crate::store::FeedbackKind::Resolved,
            now,
            Some(minutes),
        )
        .context("recording the resolution")?;
    store
        .enqueue_edit(row, edited.html(), edited.plain(), now, now + OUTBOX_TTL)
        .context("queueing a resolved edit")?;
    if config.alerters.telegram.notify_resolved
        && let Some(recipient) = Recipient::from_key(&row.recipient)
    {
        let n = Notification {
            priority: Priority::Low,
            title: format!("Resolved: {}", row.title),
            lines: vec![format!("Cleared at {at}.")],
            alerts: Vec::<Alert>::new(),
            kind: NotificationKind::Alert,
            back_from_snooze: None,
        };
        let mut text = Text::new();
        text.text("✓ ").bold(&n.title).newline().text(&n.lines[0]);
        super::queue_telegram(store, recipient, &n, &text, None, now)
            .context("queueing a resolved message")?;
    }
    Ok(())
}
