//! WorkOS workload patterns: overcommitment and context switching.
//!
//! - **Overcommitment** counts tasks created and tasks finished ([`Task::finished_at`]) whose
//!   local date falls in the lookback (today and the `lookback_days − 1` days before). It
//!   fires when created / finished > `overcommitment_ratio`. With nothing finished there is no
//!   ratio; it fires when at least 3 tasks were created ("none completed"). Fewer than 3
//!   created never fires either way: 2 created and 1 finished is not a pattern.
//! - **Context switching** counts distinct clients whose tasks were created, updated or
//!   completed today (local day). Clients of kind `internal` do not count, nor do tasks
//!   whose client is unknown.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::{Ctx, text};
use crate::alert::{Alert, Priority};
use crate::sources::WorkosSnapshot;

/// The fewest created tasks that can show overcommitment.
const MIN_CREATED: usize = 3;

pub(super) fn overcommitment(workos: &WorkosSnapshot, ctx: &Ctx) -> Option<Alert> {
    let span = u64::from(ctx.cfg.lookback_days.max(1)) - 1;
    let first = ctx.today.checked_sub_days(Days::new(span))?;
    let in_window = |ts: Option<DateTime<Utc>>| {
        ts.map(|ts| local_day(ts, ctx))
            .is_some_and(|d| d >= first && d <= ctx.today)
    };
    let created = workos
        .tasks
        .iter()
        .filter(|t| in_window(t.created_at))
        .count();
    let finished = workos
        .tasks
        .iter()
        .filter(|t| in_window(t.finished_at()))
        .count();
    if created < MIN_CREATED {
        return None;
    }
    let limit = ctx.cfg.thresholds.overcommitment_ratio;
    let when = ctx.lookback_phrase();
    let message = if finished == 0 {
        format!("You created {created} tasks and completed none {when}. Overcommitted?")
    } else {
        let ratio = created as f64 / finished as f64;
        if ratio <= limit {
            return None;
        }
        format!(
            "You created {created} tasks and completed {finished} {when}. Ratio: {} (healthy: <{})",
            ratio_text(ratio, limit),
            text::num(limit)
        )
    };
    let title = format!("{created} tasks created, {finished} completed");
    Some(ctx.alert("overcommitment", None, Priority::Medium, title, message))
}

/// One decimal, or two when one would read as the limit itself (1.52 against 1.5).
fn ratio_text(ratio: f64, limit: f64) -> String {
    let one = format!("{ratio:.1}");
    if one.parse::<f64>().is_ok_and(|r| r <= limit) {
        format!("{ratio:.2}")
    } else {
        one
    }
}

pub(super) fn context_switching(workos: &WorkosSnapshot, ctx: &Ctx) -> Option<Alert> {
    let min = ctx.cfg.thresholds.context_switch_clients.max(1) as usize;
    let clients: BTreeMap<i64, &str> = workos
        .clients
        .iter()
        .filter(|c| c.kind != "internal")
        .map(|c| (c.id, c.name.as_str()))
        .collect();
    let touched_today =
        |ts: Option<DateTime<Utc>>| ts.is_some_and(|ts| local_day(ts, ctx) == ctx.today);
    let names: BTreeSet<&str> = workos
        .tasks
        .iter()
        .filter(|t| {
            touched_today(t.created_at)
                || touched_today(t.updated_at)
                || touched_today(t.completed_at)
        })
        .filter_map(|t| t.client_id.and_then(|id| clients.get(&id).copied()))
        .collect();
    if names.len() < min {
        return None;
    }
    let n = names.len();
    let list = names.into_iter().collect::<Vec<_>>().join(", ");
    let message =
        format!("You've worked across {n} clients today: {list}. Batch the rest for tomorrow?");
    Some(ctx.alert(
        "context_switching",
        None,
        Priority::Low,
        format!("{n} clients today"),
        message,
    ))
}

/// The user's local date of a UTC instant.
fn local_day(ts: DateTime<Utc>, ctx: &Ctx) -> NaiveDate {
    ts.with_timezone(&ctx.now.timezone()).date_naive()
}

#[cfg(test)]
mod tests {
    use super::ratio_text;

    #[test]
    fn ratio_never_reads_as_the_limit() {
        assert_eq!(ratio_text(2.4, 1.5), "2.4");
        assert_eq!(ratio_text(1.52, 1.5), "1.52");
        assert_eq!(ratio_text(1.56, 1.5), "1.6");
    }
}
