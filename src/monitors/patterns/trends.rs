//! Oura trends: energy decline (weekly readiness) and sleep debt (a run of short nights).
//!
//! - **Energy decline** compares the mean readiness score of the last 7 local days
//!   (today−6..today) with the 7 days before (today−13..today−7). Each week needs at least
//!   4 scores, so a few missing days do not fake a trend. It fires when the drop is at least
//!   `energy_decline_percent` of the earlier mean.
//! - **Sleep debt** counts consecutive nights, ending with the most recent night dated today
//!   or yesterday, whose total sleep is under `sleep_debt_hours`. A missing night, or a legacy
//!   `daily_sleep` row without a duration, ends the run. A good night ends it too.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::{Ctx, text};
use crate::alert::{Alert, Priority};
use crate::sources::OuraSnapshot;

/// Days in each of the two weeks energy decline compares.
const WEEK: u64 = 7;
/// The fewest readiness scores each week needs.
const MIN_SCORES_PER_WEEK: usize = 4;

pub(super) fn energy_decline(oura: &OuraSnapshot, ctx: &Ctx) -> Option<Alert> {
    let this_start = ctx.today.checked_sub_days(Days::new(WEEK - 1))?;
    let prev_start = ctx.today.checked_sub_days(Days::new(2 * WEEK - 1))?;
    let recent = mean_score(oura, this_start, ctx.today)?;
    let earlier = mean_score(oura, prev_start, this_start.pred_opt()?)?;
    if earlier <= 0.0 {
        return None;
    }
    let drop = (earlier - recent) / earlier * 100.0;
    if drop < ctx.cfg.thresholds.energy_decline_percent || drop <= 0.0 {
        return None;
    }
    let message = format!(
        "Your average readiness dropped from {} to {} this week. Overcommitted?",
        text::num(earlier.round()),
        text::num(recent.round())
    );
    let title = format!("Readiness down {} this week", text::percent(drop));
    Some(ctx.alert("energy_decline", None, Priority::High, title, message))
}

/// The mean of one score per day in `first..=last`, if enough days have one.
fn mean_score(oura: &OuraSnapshot, first: NaiveDate, last: NaiveDate) -> Option<f64> {
    let by_day: BTreeMap<NaiveDate, f64> = oura
        .readiness
        .iter()
        .filter(|r| r.day >= first && r.day <= last)
        .filter_map(|r| r.score.filter(|s| s.is_finite()).map(|s| (r.day, s)))
        .collect();
    if by_day.len() < MIN_SCORES_PER_WEEK {
        return None;
    }
    Some(by_day.values().sum::<f64>() / by_day.len() as f64)
}

pub(super) fn sleep_debt(oura: &OuraSnapshot, ctx: &Ctx) -> Option<Alert> {
    let t = &ctx.cfg.thresholds;
    let nights = t.sleep_debt_nights.max(1) as usize;
    let hours: BTreeMap<NaiveDate, f64> = oura
        .sleep
        .iter()
        .filter(|n| n.day <= ctx.today)
        .filter_map(|n| n.total_sleep_hours().map(|h| (n.day, h)))
        .collect();
    let yesterday = ctx.today.pred_opt()?;
    let mut day = [ctx.today, yesterday]
        .into_iter()
        .find(|d| hours.contains_key(d))?;
    let mut run = Vec::new();
    while let Some(&h) = hours.get(&day).filter(|&&h| h < t.sleep_debt_hours) {
        run.push(h);
        let Some(prev) = day.pred_opt() else { break };
        day = prev;
    }
    if run.len() < nights {
        return None;
    }
    run.reverse();
    let listed = run
        .iter()
        .map(|&h| text::hours(h))
        .collect::<Vec<_>>()
        .join(", ");
    let n = run.len();
    let message = format!(
        "{n} nights in a row under {} h: {listed}. Plan an early night.",
        text::num(t.sleep_debt_hours)
    );
    Some(ctx.alert(
        "sleep_debt",
        None,
        Priority::High,
        format!("Sleep debt: {n} short nights"),
        message,
    ))
}

/// Readiness's fitted slope (points a day) over today−6..today, with at least 5 scores.
pub(super) fn readiness_slope(oura: &OuraSnapshot, ctx: &Ctx) -> Option<f64> {
    let first = ctx.today.checked_sub_days(Days::new(WEEK - 1))?;
    let points: Vec<(f64, f64)> = oura
        .readiness
        .iter()
        .filter(|r| r.day >= first && r.day <= ctx.today)
        .filter_map(|r| {
            let x = (r.day - first).num_days() as f64;
            r.score.filter(|s| s.is_finite()).map(|s| (x, s))
        })
        .collect();
    crate::monitors::baseline::slope(&points, 5)
}
