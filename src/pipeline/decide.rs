//! [`decide`]: the per-recipient pipeline.
//!
//! Runs each alert of a cycle through the stages in order, first match wins:
//! acknowledged → snoozed → dedup → quiet hours → storm cap → routing by `min_priority`.
//! What passes becomes [`Notification`](super::Notification)s (built in `notify`), and the
//! alerts held overnight are released as one digest (built in `digest`) once quiet hours end.
//! Pure: no IO, never reads the clock, records nothing as sent.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use super::{ChatState, Notification, Outcome, Plan, RecipientPolicy, digest, notify};
use crate::alert::{Alert, Priority};

/// Decides what happens to each of `alerts` for one recipient at `now`.
///
/// Every input alert gets an outcome in `plan.decisions`, in input order. Alerts held earlier
/// (`state.held`) are not re-decided: once quiet hours are over they are released as one
/// digest that goes first.
pub fn decide(
    alerts: &[Alert],
    state: &ChatState,
    now: DateTime<Utc>,
    policy: &RecipientPolicy,
) -> Plan {
    let quiet_now = quiet_in_force(state, policy, now);
    let winners = batch_winners(alerts);
    let screened: Vec<Option<Outcome>> = alerts
        .iter()
        .enumerate()
        .map(|(i, alert)| screen(i, alert, &winners, state, now, policy, quiet_now))
        .collect();
    let remaining: Vec<usize> = (0..alerts.len())
        .filter(|&i| screened[i].is_none())
        .collect();
    let (kept, capped) = storm_cap(alerts, remaining, policy.max_alerts_per_run);

    let send: Vec<usize> = kept
        .into_iter()
        .filter(|&i| alerts[i].priority >= policy.min_priority)
        .collect();
    let capped_set: BTreeSet<usize> = capped.iter().copied().collect();
    let decisions: Vec<(Alert, Outcome)> = alerts
        .iter()
        .zip(screened)
        .enumerate()
        .map(|(i, (alert, screened))| {
            let outcome = screened.unwrap_or(if capped_set.contains(&i) {
                Outcome::StormCapped
            } else if alert.priority < policy.min_priority {
                Outcome::BelowMinPriority
            } else {
                Outcome::Send
            });
            (alert.clone(), outcome)
        })
        .collect();

    let release_held = !state.held.is_empty() && !quiet_now;
    let mut deliver = deliveries(alerts, &send, &capped, state, now, policy, release_held);
    for n in &mut deliver {
        n.back_from_snooze = n
            .alerts
            .iter()
            .filter_map(|a| state.ended_snooze(a, now))
            .map(|s| s.until)
            .max();
    }
    Plan {
        hold: newly_held(&decisions, state),
        deliver,
        ended_snoozes: ended_snoozes(&decisions, state, now),
        decisions,
        release_held,
    }
}

/// Key snoozes this cycle ends: ended ones whose alert came back (sent or held for the
/// digest), and active ones an escalation went past.
fn ended_snoozes(
    decisions: &[(Alert, Outcome)],
    state: &ChatState,
    now: DateTime<Utc>,
) -> Vec<String> {
    let mut keys: Vec<String> = decisions
        .iter()
        .filter(|(alert, outcome)| {
            let back = matches!(outcome, Outcome::Send | Outcome::HeldQuiet)
                && state.ended_snooze(alert, now).is_some();
            back || state.escalated_snooze(alert, now).is_some()
        })
        .map(|(alert, _)| alert.dedup_key.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The messages, in delivery order: the digest (when held alerts are released), the alerts
/// sent, then the storm cap's "+N more" line for what the recipient would otherwise have got.
fn deliveries(
    alerts: &[Alert],
    send: &[usize],
    capped: &[usize],
    state: &ChatState,
    now: DateTime<Utc>,
    policy: &RecipientPolicy,
    release_held: bool,
) -> Vec<Notification> {
    let mut deliver = Vec::new();
    if release_held {
        // A held key that fires again this morning goes into the digest (in its fresh
        // version) instead of a message of its own: the night's alerts arrive as one message.
        let held: BTreeSet<&str> = state.held.iter().map(|a| a.dedup_key.as_str()).collect();
        let (folded, own): (Vec<usize>, Vec<usize>) = send
            .iter()
            .partition(|&&i| held.contains(alerts[i].dedup_key.as_str()));
        let fresh: Vec<&Alert> = folded.iter().map(|&i| &alerts[i]).collect();
        deliver.extend(digest::digest(state, now, policy, &fresh));
        deliver.extend(notify::notifications(alerts, &own));
    } else {
        deliver.extend(notify::notifications(alerts, send));
    }
    let overflow: Vec<&Alert> = capped
        .iter()
        .map(|&i| &alerts[i])
        .filter(|a| a.priority >= policy.min_priority)
        .collect();
    deliver.extend(notify::overflow(&overflow));
    deliver
}

/// Whether this recipient's quiet hours (or a one-off quiet period) are in force at `now`.
fn quiet_in_force(state: &ChatState, policy: &RecipientPolicy, now: DateTime<Utc>) -> bool {
    state.quiet_now(&policy.timezone, now)
}

/// Stages a–d (ack, snooze, dedup, quiet hours); `None` when the alert passes them all.
fn screen(
    index: usize,
    alert: &Alert,
    winners: &BTreeMap<&str, usize>,
    state: &ChatState,
    now: DateTime<Utc>,
    policy: &RecipientPolicy,
    quiet_now: bool,
) -> Option<Outcome> {
    if state.acks.contains(&alert.dedup_key) {
        Some(Outcome::Acknowledged)
    } else if state.is_snoozed(alert, now) {
        Some(Outcome::Snoozed)
    } else if winners.get(alert.dedup_key.as_str()) != Some(&index)
        || (recently_sent(alert, state, now, policy) && state.ended_snooze(alert, now).is_none())
    {
        Some(Outcome::Deduplicated)
    } else if quiet_now && alert.priority < Priority::Critical {
        Some(Outcome::HeldQuiet)
    } else {
        None
    }
}

/// Whether the key was delivered within its dedup window at the same or a higher priority
/// (an escalation passes). A zero window never dedups.
fn recently_sent(
    alert: &Alert,
    state: &ChatState,
    now: DateTime<Utc>,
    policy: &RecipientPolicy,
) -> bool {
    let window = policy.window_for(alert);
    if window <= Duration::zero() {
        return false;
    }
    state
        .sent
        .get(&alert.dedup_key)
        .is_some_and(|rec| now - rec.at < window && rec.priority >= alert.priority)
}

/// For each dedup key in the batch, the index of the alert that represents it: the highest
/// priority, the earliest on a tie. The others are duplicates within the batch.
fn batch_winners(alerts: &[Alert]) -> BTreeMap<&str, usize> {
    let mut winners: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, alert) in alerts.iter().enumerate() {
        let entry = winners.entry(alert.dedup_key.as_str()).or_insert(i);
        if alert.priority > alerts[*entry].priority {
            *entry = i;
        }
    }
    winners
}

/// Stage e: keeps the `cap` highest-priority alerts (ties by input order) and returns
/// `(kept, capped)`: the kept in input order, the capped by priority then input order.
fn storm_cap(alerts: &[Alert], mut remaining: Vec<usize>, cap: usize) -> (Vec<usize>, Vec<usize>) {
    // A stable sort: equal priorities keep input order.
    remaining.sort_by_key(|&i| std::cmp::Reverse(alerts[i].priority));
    let capped = remaining.split_off(cap.min(remaining.len()));
    let mut kept = remaining;
    kept.sort_unstable();
    (kept, capped)
}

/// Alerts held by quiet hours this cycle that the caller must keep: keys not held yet, and
/// escalations of held keys (the caller keeps one alert per key, the latest).
fn newly_held(decisions: &[(Alert, Outcome)], state: &ChatState) -> Vec<Alert> {
    decisions
        .iter()
        .filter(|(_, outcome)| *outcome == Outcome::HeldQuiet)
        .filter(|(alert, _)| {
            !state
                .held
                .iter()
                .any(|h| h.dedup_key == alert.dedup_key && h.priority >= alert.priority)
        })
        .map(|(alert, _)| alert.clone())
        .collect()
}
