//! The morning digest: once quiet hours are over, the alerts they held become one message,
//! minus what no longer needs saying (acknowledged, snoozed, sent since, or below the
//! recipient's `min_priority`). A held key that fires again this cycle is included in its
//! fresh version. Not subject to the storm cap.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::notify::plural;
use super::{ChatState, Notification, NotificationKind, RecipientPolicy};
use crate::alert::Alert;

/// The digest of `state.held` at `now`, or `None` when nothing held still needs saying.
///
/// `fresh` are this cycle's alerts (already through the pipeline) whose keys were held: they
/// replace their held versions. Members are ordered by priority (highest first), then oldest
/// first; one per dedup key.
pub(super) fn digest(
    state: &ChatState,
    now: DateTime<Utc>,
    policy: &RecipientPolicy,
    fresh: &[&Alert],
) -> Option<Notification> {
    let mut members: Vec<&Alert> = fresh.to_vec();
    members.extend(state.held.iter().filter(|a| {
        !fresh.iter().any(|f| f.dedup_key == a.dedup_key)
            && still_worth_saying(a, state, now, policy)
    }));
    // A stable sort: equal priorities stay oldest first.
    members.sort_by_key(|a| Reverse(a.priority));
    let mut seen = BTreeSet::new();
    members.retain(|a| seen.insert(a.dedup_key.as_str()));

    let priority = members.iter().map(|a| a.priority).max()?;
    Some(Notification {
        priority,
        title: format!(
            "While you were in quiet hours: {} {}",
            members.len(),
            plural(members.len(), "alert")
        ),
        lines: members.iter().map(|a| digest_line(a)).collect(),
        alerts: members.into_iter().cloned().collect(),
        kind: NotificationKind::Digest,
        back_from_snooze: None,
    })
}

fn still_worth_saying(
    alert: &Alert,
    state: &ChatState,
    now: DateTime<Utc>,
    policy: &RecipientPolicy,
) -> bool {
    alert.priority >= policy.min_priority
        && !state.acks.contains(&alert.dedup_key)
        && !state.is_snoozed(alert, now)
        && !delivered_since_held(alert, state)
}

/// Whether the key was delivered at the same or a higher priority after this alert was held
/// (a critical escalation passes quiet hours; the morning need not repeat the warning).
fn delivered_since_held(alert: &Alert, state: &ChatState) -> bool {
    state
        .sent
        .get(&alert.dedup_key)
        .is_some_and(|rec| rec.at >= alert.created_at && rec.priority >= alert.priority)
}

/// "• <title>: <first line of the message>".
fn digest_line(alert: &Alert) -> String {
    match alert
        .message
        .lines()
        .next()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        Some(first) => format!("• {}: {first}", alert.title),
        None => format!("• {}", alert.title),
    }
}
