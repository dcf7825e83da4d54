//! The morning brief's step in a cycle, for one Telegram chat: whether it goes now (see
//! `pipeline::brief_due`), and if so the brief itself: text, chart, and the alerts quiet hours
//! held (taken out of the digest, which it replaces: one morning message, not two). Recorded
//! for the local day in the cycle's transaction, so it goes once a day whatever restarts.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::alert::{Alert, Priority};
use crate::config::Config;
use crate::pipeline::{ChatState, Notification, NotificationKind, Plan, brief_due};
use crate::render::Text;
use crate::render::brief::{self, BriefInput};
use crate::render::charts;
use crate::sources::{OuraSnapshot, StateSnapshot};

/// A brief ready to queue: its text, its chart, the local day it is for.
pub struct PreparedBrief {
    pub text: Text,
    pub photo: Option<Vec<u8>>,
    pub day: chrono::NaiveDate,
}

/// The sources and findings a brief reads.
#[derive(Clone, Copy)]
pub struct BriefSources<'a> {
    pub oura: Option<&'a OuraSnapshot>,
    pub state: &'a StateSnapshot,
    pub holding: &'a BTreeSet<String>,
    /// Nudges folded into the brief while a critical health alert holds.
    pub held_back: &'a [Alert],
}

/// Whether last night's sleep and today's readiness are in the Oura data.
pub fn data_in(oura: Option<&OuraSnapshot>, today: chrono::NaiveDate) -> bool {
    oura.is_some_and(|o| {
        o.readiness
            .iter()
            .any(|r| r.day == today && r.score.is_some())
            && o.sleep.iter().any(|n| n.day == today)
    })
}

/// When the brief is due for this chat now: takes the digest out of `plan` (its alerts go
/// in the brief) and puts the brief first. `already_queued` is today's record.
pub fn prepare(
    config: &Config,
    state: &ChatState,
    plan: &mut Plan,
    sources: BriefSources<'_>,
    already_queued: bool,
    now: DateTime<Utc>,
) -> Option<PreparedBrief> {
    let today = now.with_timezone(&config.timezone).date_naive();
    brief_due(
        &config.brief,
        &config.timezone,
        now,
        state.quiet_now(&config.timezone, now),
        already_queued,
        data_in(sources.oura, today),
    )?;
    let digest = plan
        .deliver
        .iter()
        .position(|n| n.kind == NotificationKind::Digest)
        .map(|i| plan.deliver.remove(i));
    let carried: Vec<Alert> = digest.map(|d| d.alerts).unwrap_or_default();
    let prepared = compose(config, sources, &carried, now);
    plan.deliver.insert(
        0,
        Notification {
            priority: carried
                .iter()
                .map(|a| a.priority)
                .max()
                .unwrap_or(Priority::Medium)
                .max(Priority::Medium),
            title: format!("Morning brief · {}", prepared.day.format("%a %-d %b")),
            lines: prepared
                .text
                .plain()
                .lines()
                .skip(1)
                .map(str::to_owned)
                .collect(),
            alerts: carried,
            kind: NotificationKind::Brief,
            back_from_snooze: None,
        },
    );
    Some(prepared)
}

/// The brief for `now` (the cycle's, and `/brief`'s on demand), carrying `held` alerts.
pub fn compose(
    config: &Config,
    sources: BriefSources<'_>,
    held: &[Alert],
    now: DateTime<Utc>,
) -> PreparedBrief {
    let held: Vec<(Alert, bool)> = held
        .iter()
        .map(|a| (a.clone(), sources.holding.contains(&a.dedup_key)))
        .collect();
    let input = BriefInput {
        oura: sources.oura,
        state: sources.state,
        held: &held,
        held_back: sources.held_back,
    };
    let view = brief::view(config, &input, now);
    let text = brief::brief(&view, &config.timezone);
    let photo = sources
        .oura
        .and_then(|o| match charts::health_png(o, view.today) {
            Ok(png) => Some(png),
            Err(e) => {
                tracing::warn!(error = %e, "the brief goes without its chart");
                None
            }
        });
    PreparedBrief {
        text,
        photo,
        day: view.today,
    }
}
