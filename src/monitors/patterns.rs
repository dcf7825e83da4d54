//! The pattern monitor: slow trends across days, from every source plus the store's punt
//! counts. Each source is optional; a rule whose source is absent is skipped.
//!
//! Rules (class `patterns`; "today" is the user's local day):
//!
//! | key | fires when | priority |
//! |---|---|---|
//! | `patterns:procrastination:<item_key>` | an item punted ≥ `procrastination_count` times | medium |
//! | `patterns:energy_decline` | mean readiness of today−6..today fell ≥ `energy_decline_percent` below the 7 days before (≥ 4 scores in each) | high |
//! | `patterns:overcommitment` | WorkOS tasks created / finished in the lookback > `overcommitment_ratio` | medium |
//! | `patterns:sleep_debt` | ≥ `sleep_debt_nights` consecutive nights under `sleep_debt_hours` | high |
//! | `patterns:context_switching` | ≥ `context_switch_clients` distinct non-internal clients touched today | low |
//! | `patterns:stale_focus` | `CurrentFocus.md` untouched for more than `stale_focus_days` | low |
//! | `patterns:burnout_risk` | readiness falling (a fitted slope over 7 days at or below `burnout_readiness_slope`, ≥ 5 scores) while overcommitment and sleep debt both fire | high |
//! | `patterns:recurring_worry:<entity>` | ≥ `recurring_worry` unprocessed brain-dump worries in 7 days name one entity | medium |
//! | `patterns:worry_volume` | ≥ `worry_volume` unprocessed brain-dump worries in 7 days | medium |
//!
//! Procrastination counts two sources: the store's snapshots (a due date moved, a task taken
//! off today's list) and the same action written in `procrastination_count` or more
//! unprocessed brain dumps in 7 days. One alert per item whichever saw it: a repeated action
//! that names an open commitment or WorkOS task (compared like commitment titles) is that
//! item; one that names nothing known is keyed by the action (`dump:<action>`).
//!
//! Burnout risk is one message that names its three parts: when it fires, the overcommitment,
//! sleep-debt and energy-decline alerts are not pushed on their own (their conditions still
//! count as holding, so an acknowledgement of one of them is kept).
//!
//! The details of each rule (windows, minimum counts) are documented in the `trends`,
//! `workload` and `dumps` submodules.

mod dumps;
mod trends;
mod workload;

use crate::zone::Zone;
use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::PuntCount;
use super::health::text;
use crate::alert::{Alert, AlertClass, Findings, Priority};
use crate::config::PatternMonitor;
use crate::sources::state_files::title_key;
use crate::sources::{OuraSnapshot, StateSnapshot, WorkosSnapshot};

/// Everything the pattern rules look at; `None` for a source that could not be read.
#[derive(Debug, Clone, Copy)]
pub struct PatternInput<'a> {
    pub oura: Option<&'a OuraSnapshot>,
    pub workos: Option<&'a WorkosSnapshot>,
    pub state: Option<&'a StateSnapshot>,
    pub punts: &'a [PuntCount],
}

/// Evaluates every pattern rule for `now` (the user's local time).
pub fn patterns(input: &PatternInput, now: DateTime<Zone>, cfg: &PatternMonitor) -> Findings {
    let ctx = Ctx {
        cfg,
        today: now.date_naive(),
        at: now.with_timezone(&Utc),
        now,
    };
    let mut findings = Findings::default();
    for alert in procrastination(input, &ctx) {
        findings.push(alert);
    }
    if let Some(dumps) = input.state.and_then(|s| s.brain_dumps.ok()) {
        for alert in dumps::recurring_worries(dumps, &ctx) {
            findings.push(alert);
        }
        if let Some(alert) = dumps::worry_volume(dumps, &ctx) {
            findings.push(alert);
        }
    }
    let single = [
        input.oura.and_then(|o| trends::energy_decline(o, &ctx)),
        input.oura.and_then(|o| trends::sleep_debt(o, &ctx)),
        input.workos.and_then(|w| workload::overcommitment(w, &ctx)),
        input
            .workos
            .and_then(|w| workload::context_switching(w, &ctx)),
        input.state.and_then(|s| stale_focus(s, &ctx)),
    ];
    let mut single: Vec<Alert> = single.into_iter().flatten().collect();
    if let Some(burnout) = input.oura.and_then(|o| burnout_risk(o, &single, &ctx)) {
        let folded = ["overcommitment", "sleep_debt", "energy_decline"];
        single.retain(|a| {
            let part = folded
                .iter()
                .any(|k| a.dedup_key == format!("patterns:{k}"));
            if part {
                findings.hold(a.dedup_key.clone());
            }
            !part
        });
        single.push(burnout);
    }
    for alert in single {
        findings.push(alert);
    }
    findings
}

/// Readiness trending down while overcommitted and in sleep debt: one alert naming all three.
fn burnout_risk(oura: &OuraSnapshot, others: &[Alert], ctx: &Ctx) -> Option<Alert> {
    let find = |kind: &str| {
        others
            .iter()
            .find(|a| a.dedup_key == format!("patterns:{kind}"))
    };
    let overcommitted = find("overcommitment")?;
    let debt = find("sleep_debt")?;
    let slope = trends::readiness_slope(oura, ctx)?;
    if slope > ctx.cfg.thresholds.burnout_readiness_slope {
        return None;
    }
    let message = format!(
        "Three signs together: readiness falling about {} points a day this week; {}; {}. \
         This is how burnout starts: drop or move one commitment today and protect tonight's sleep.",
        text::num(-slope),
        first_sentence(&overcommitted.message),
        first_sentence(&debt.message),
    );
    Some(ctx.alert(
        "burnout_risk",
        None,
        Priority::High,
        "Burnout risk: falling readiness, too much on, too little sleep".to_owned(),
        message,
    ))
}

/// The first sentence of a message, without its final period, to go mid-sentence: its
/// first letter lowercased unless the word is an acronym ("HRV").
fn first_sentence(message: &str) -> String {
    let sentence = message
        .split(". ")
        .next()
        .unwrap_or(message)
        .trim_end_matches('.');
    let mut chars = sentence.chars();
    let acronym = sentence
        .split_whitespace()
        .next()
        .is_some_and(|w| w.len() > 1 && w.chars().all(|c| !c.is_lowercase()));
    match chars.next() {
        Some(first) if !acronym => first.to_lowercase().chain(chars).collect(),
        _ => sentence.to_owned(),
    }
}

/// What every rule needs besides its source.
struct Ctx<'a> {
    cfg: &'a PatternMonitor,
    now: DateTime<Zone>,
    today: NaiveDate,
    at: DateTime<Utc>,
}

impl Ctx<'_> {
    fn alert(
        &self,
        kind: &str,
        subject: Option<&str>,
        priority: Priority,
        title: String,
        message: String,
    ) -> Alert {
        Alert::new(
            AlertClass::Patterns,
            kind,
            subject,
            priority,
            title,
            message,
            self.at,
        )
    }

    /// "this week" for a 7-day lookback, else "in the last N days".
    fn lookback_phrase(&self) -> String {
        match self.cfg.lookback_days {
            7 => "this week".to_string(),
            1 => "today".to_string(),
            n => format!("in the last {n} days"),
        }
    }
}

/// One medium alert per item punted at least `procrastination_count` times, counted from
/// the snapshots or from brain dumps repeating the same action (one alert per item: the
/// snapshots' count when both saw it). Commitments are "rescheduled", WorkOS tasks "pushed
/// off today's list", brain-dump actions "written down".
fn procrastination(input: &PatternInput, ctx: &Ctx) -> Vec<Alert> {
    let min = ctx.cfg.thresholds.procrastination_count.max(1);
    let mut alerts = Vec::new();
    let mut alerted = std::collections::BTreeSet::new();
    for p in input.punts.iter().filter(|p| p.count >= min) {
        let name = crate::alert::clip(&p.title, crate::alert::MAX_TITLE_CHARS);
        let verb = if p.item_key.starts_with("task:") {
            format!("pushed '{name}' off today's list")
        } else {
            format!("rescheduled '{name}'")
        };
        let message = format!(
            "You've {verb} {} times {}. Block time now?",
            p.count,
            ctx.lookback_phrase()
        );
        alerted.insert(p.item_key.clone());
        let title = format!("Punted {} times: {name}", p.count);
        alerts.push(punt_alert(ctx, &p.item_key, &name, title, message));
    }
    let Some(dumps) = input.state.and_then(|s| s.brain_dumps.ok()) else {
        return alerts;
    };
    let repeats: Vec<_> = dumps::repeats(dumps, ctx)
        .into_iter()
        .filter(|r| r.count >= min)
        .collect();
    if repeats.is_empty() {
        return alerts;
    }
    let known = known_items(input);
    for r in repeats {
        let (item_key, title) = known
            .get(&r.key)
            .cloned()
            .unwrap_or_else(|| (format!("dump:{}", r.key), r.action.clone()));
        if !alerted.insert(item_key.clone()) {
            continue;
        }
        let name = crate::alert::clip(&title, crate::alert::MAX_TITLE_CHARS);
        let message = format!(
            "You've written down '{name}' in {} brain dumps {} and not done it yet. Block time now?",
            r.count,
            dumps::WINDOW_PHRASE
        );
        let title = format!("Written down {} times: {name}", r.count);
        alerts.push(punt_alert(ctx, &item_key, &name, title, message));
    }
    alerts
}

fn punt_alert(ctx: &Ctx, item_key: &str, name: &str, title: String, message: String) -> Alert {
    ctx.alert(
        "procrastination",
        Some(item_key),
        Priority::Medium,
        title,
        message,
    )
    .with_subject_label(name)
}

/// Open commitments and WorkOS tasks not done, by their compared title: (item key, title).
fn known_items(input: &PatternInput) -> std::collections::HashMap<String, (String, String)> {
    let mut known = std::collections::HashMap::new();
    if let Some(w) = input.workos {
        for t in w.tasks.iter().filter(|t| t.status != "done") {
            known.insert(
                title_key(&t.title),
                (format!("task:{}", t.id), t.title.clone()),
            );
        }
    }
    if let Some(state) = input.state {
        for c in state.commitments().filter(|c| c.is_open()) {
            known.insert(
                title_key(&c.title),
                (format!("commitment:{}", c.id), c.title.clone()),
            );
        }
    }
    known
}

/// `CurrentFocus.md` not modified for more than `stale_focus_days` whole days. A missing or
/// unreadable file says nothing.
fn stale_focus(state: &StateSnapshot, ctx: &Ctx) -> Option<Alert> {
    let modified = *state.focus_modified.ok()?;
    let limit = i64::from(ctx.cfg.thresholds.stale_focus_days);
    let age = ctx.at - modified;
    if age <= Duration::days(limit) {
        return None;
    }
    let days = age.num_days();
    let message =
        format!("CurrentFocus.md hasn't been updated in {days} days. Is it still your focus?");
    Some(ctx.alert(
        "stale_focus",
        None,
        Priority::Low,
        "Focus file is stale".to_string(),
        message,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookback_phrase_reads_naturally() {
        let cfg = |lookback_days| PatternMonitor {
            enabled: true,
            lookback_days,
            thresholds: crate::config::PatternThresholds {
                procrastination_count: 3,
                energy_decline_percent: 20.0,
                overcommitment_ratio: 1.5,
                sleep_debt_hours: 7.0,
                sleep_debt_nights: 3,
                context_switch_clients: 5,
                stale_focus_days: 7,
                burnout_readiness_slope: -1.0,
                recurring_worry: 3,
                worry_volume: 5,
            },
        };
        let new_york = crate::zone::Zone::named("America/New_York").expect("tzdata");
        let now = chrono::TimeZone::with_ymd_and_hms(&new_york, 2025, 11, 27, 12, 0, 0).unwrap();
        for (days, want) in [(7, "this week"), (1, "today"), (14, "in the last 14 days")] {
            let cfg = cfg(days);
            let ctx = Ctx {
                cfg: &cfg,
                today: now.date_naive(),
                at: now.with_timezone(&Utc),
                now: now.clone(),
            };
            assert_eq!(ctx.lookback_phrase(), want);
        }
    }
}
