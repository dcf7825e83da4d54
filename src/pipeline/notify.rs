//! Turns the alerts a cycle sends into [`Notification`]s: several alerts of one kind that
//! name their subjects become one grouped message, the rest go one per alert, and alerts cut
//! by the storm cap become one "+N more alerts" line. Ordering only; no filtering here.

use std::cmp::Reverse;

use super::{Notification, NotificationKind};
use crate::alert::{Alert, group_title};

/// The messages for the alerts at `send` (indexes into `alerts`, in input order), highest
/// priority first, then in input order.
///
/// Alerts of the same class and kind form one message when there are two or more of them and
/// every one has a subject label ("3 commitments overdue: A, B, C").
pub(super) fn notifications(alerts: &[Alert], send: &[usize]) -> Vec<Notification> {
    let mut positioned: Vec<(usize, Notification)> = Vec::new();
    for group in groups_by_kind(alerts, send) {
        let members: Vec<&Alert> = group.iter().map(|&i| &alerts[i]).collect();
        match grouped(&members) {
            Some(notification) => positioned.push((group[0], notification)),
            None => positioned.extend(group.iter().map(|&i| (i, single(&alerts[i])))),
        }
    }
    positioned.sort_by_key(|(position, n)| (Reverse(n.priority), *position));
    positioned.into_iter().map(|(_, n)| n).collect()
}

/// The storm cap's one line for the alerts it cut (given highest priority first), or `None`
/// when nothing was cut.
pub(super) fn overflow(capped: &[&Alert]) -> Option<Notification> {
    let priority = capped.iter().map(|a| a.priority).max()?;
    Some(Notification {
        priority,
        title: format!("+{} more {}", capped.len(), plural(capped.len(), "alert")),
        lines: capped.iter().map(|a| a.title.clone()).collect(),
        alerts: Vec::new(),
        kind: NotificationKind::Overflow,
        back_from_snooze: None,
    })
}

/// `noun` for one, `noun` + "s" otherwise ("alert", "alerts").
pub(super) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}

/// Indexes of `send` grouped by (class, kind), groups in order of first appearance, members
/// in input order.
fn groups_by_kind(alerts: &[Alert], send: &[usize]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &i in send {
        let alert = &alerts[i];
        let same = |g: &Vec<usize>| {
            let first = &alerts[g[0]];
            first.class == alert.class && first.kind() == alert.kind()
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(group) => group.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
}

/// One message for several labelled alerts of one kind; `None` unless there are at least two
/// and every one has a subject label.
fn grouped(members: &[&Alert]) -> Option<Notification> {
    if members.len() < 2 {
        return None;
    }
    let labels: Vec<&str> = members
        .iter()
        .map(|a| a.subject_label.as_deref())
        .collect::<Option<_>>()?;
    let priority = members.iter().map(|a| a.priority).max()?;
    Some(Notification {
        priority,
        title: group_title(members[0].kind(), &labels),
        lines: members.iter().map(|a| a.message.clone()).collect(),
        alerts: members.iter().map(|&a| a.clone()).collect(),
        kind: NotificationKind::Alert,
        back_from_snooze: None,
    })
}

/// One message for one alert: its title, and its message line by line.
fn single(alert: &Alert) -> Notification {
    Notification {
        priority: alert.priority,
        title: alert.title.clone(),
        lines: alert.message.lines().map(str::to_owned).collect(),
        alerts: vec![alert.clone()],
        kind: NotificationKind::Alert,
        back_from_snooze: None,
    }
}
