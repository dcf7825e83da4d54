//! Rules over `State/brain_dumps.json`, the Telegram capture inbox: what the person keeps
//! writing down and not dealing with. Only unprocessed entries of the last [`WINDOW_DAYS`]
//! days count (by their naive local `timestamp`; an entry without one is not counted).
//!
//! | key | fires when | priority |
//! |---|---|---|
//! | `patterns:recurring_worry:<entity>` | ≥ `recurring_worry` worries name one entity (compared case-insensitively) | medium |
//! | `patterns:worry_volume` | ≥ `worry_volume` worries | medium |
//!
//! and [`repeats`]: the same `parsed_action` (compared like commitment titles) in several
//! entries, which the procrastination rule counts as punts beside the store's snapshots.
//! Messages name the entity or the action and how often, never the rest of a dump's text.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};

use super::Ctx;
use crate::alert::{Alert, MAX_TITLE_CHARS, Priority, clip};
use crate::sources::BrainDump;
use crate::sources::state_files::title_key;

/// The window of every brain-dump rule, as the Python Operator had it.
pub const WINDOW_DAYS: i64 = 7;

/// [`WINDOW_DAYS`] in a message.
pub(super) const WINDOW_PHRASE: &str = "this week";

/// Entries that count: unprocessed, stamped inside the window ending now (local).
fn recent<'a>(dumps: &'a [BrainDump], ctx: &Ctx) -> impl Iterator<Item = &'a BrainDump> {
    let now = ctx.now.naive_local();
    let since = now - Duration::days(WINDOW_DAYS);
    dumps.iter().filter(move |d| {
        !d.processed
            && d.timestamp
                .is_some_and(|t: NaiveDateTime| t >= since && t <= now)
    })
}

fn is_worry(d: &BrainDump) -> bool {
    d.category
        .as_deref()
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("worry"))
}

/// An entity as compared and keyed: case-folded, whitespace collapsed.
fn entity_key(entity: &str) -> String {
    entity
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One medium alert per entity named in at least `recurring_worry` worries, most named first.
pub(super) fn recurring_worries(dumps: &[BrainDump], ctx: &Ctx) -> Vec<Alert> {
    let min = ctx.cfg.thresholds.recurring_worry.max(1);
    // key → (first spelling seen, worries naming it)
    let mut named: BTreeMap<String, (String, u32)> = BTreeMap::new();
    for d in recent(dumps, ctx).filter(|d| is_worry(d)) {
        let mut once: Vec<String> = d.entities.iter().map(|e| entity_key(e)).collect();
        once.sort();
        once.dedup();
        for key in once.into_iter().filter(|k| !k.is_empty()) {
            let spelling = d
                .entities
                .iter()
                .find(|e| entity_key(e) == key)
                .map_or_else(|| key.clone(), |e| e.trim().to_owned());
            named.entry(key).or_insert((spelling, 0)).1 += 1;
        }
    }
    let mut over: Vec<(String, String, u32)> = named
        .into_iter()
        .filter(|(_, (_, n))| *n >= min)
        .map(|(key, (spelling, n))| (key, spelling, n))
        .collect();
    over.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    over.into_iter()
        .map(|(key, spelling, n)| {
            let name = clip(&spelling, MAX_TITLE_CHARS);
            let subject = clip(&key, MAX_TITLE_CHARS);
            ctx.alert(
                "recurring_worry",
                Some(&subject),
                Priority::Medium,
                format!("Recurring worry: {name} ({n} times)"),
                format!(
                    "You've written down a worry about {name} {n} times {}, none of them processed yet. \
                     Ten minutes to decide one next step, or to let it go?",
                    WINDOW_PHRASE
                ),
            )
            .with_subject_label(&*name)
        })
        .collect()
}

/// A medium alert when at least `worry_volume` worries wait unprocessed.
pub(super) fn worry_volume(dumps: &[BrainDump], ctx: &Ctx) -> Option<Alert> {
    let n = recent(dumps, ctx).filter(|d| is_worry(d)).count();
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    if n < ctx.cfg.thresholds.worry_volume.max(1) {
        return None;
    }
    Some(ctx.alert(
        "worry_volume",
        None,
        Priority::Medium,
        format!("{n} worries waiting"),
        format!(
            "{n} worries written down {} and none processed yet. Go through them once: each gets a next step or gets let go.",
            WINDOW_PHRASE
        ),
    ))
}

/// An action written down in several unprocessed dumps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Repeat {
    /// The action compared like a commitment title (`title_key`).
    pub key: String,
    /// As first written.
    pub action: String,
    pub count: u32,
}

/// Every action named in at least two recent unprocessed dumps, most repeated first (the
/// procrastination rule applies its own threshold).
pub(super) fn repeats(dumps: &[BrainDump], ctx: &Ctx) -> Vec<Repeat> {
    let mut seen: BTreeMap<String, Repeat> = BTreeMap::new();
    for d in recent(dumps, ctx) {
        let Some(action) = d.action.as_deref() else {
            continue;
        };
        let key = title_key(action);
        if key.is_empty() {
            continue;
        }
        seen.entry(key.clone())
            .or_insert_with(|| Repeat {
                key,
                action: action.trim().to_owned(),
                count: 0,
            })
            .count += 1;
    }
    let mut out: Vec<Repeat> = seen.into_values().filter(|r| r.count >= 2).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}
