//! The morning brief: one short message, in this order: readiness, sleep and HRV against the
//! person's own normal (the median and usual range of the 14 days before) with one "why"
//! line from the weakest contributors; today's due and overdue commitments; what quiet hours
//! held overnight (cleared ones marked); nudges held back while health is critical; one
//! suggestion when the numbers call for it. A night the ring has no data for is said so, never
//! read as a bad night. [`view`] gathers it (pure), [`brief`] writes it.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::{MAX_TITLE_CHARS, Text, clip, num};
use crate::alert::{Alert, Priority};
use crate::config::Config;
use crate::monitors::baseline::{self, Normal};
use crate::sources::{OuraSnapshot, StateSnapshot};

/// One measure today against its normal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    pub value: f64,
    pub normal: Option<Normal>,
}

/// An alert the brief lists: held overnight (cleared since, or not), or held back.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub title: String,
    pub detail: String,
    pub priority: Priority,
    /// Its condition no longer holds.
    pub cleared: bool,
}

/// Everything the brief says, gathered.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefView {
    pub today: NaiveDate,
    pub readiness: Option<Measure>,
    pub sleep_hours: Option<Measure>,
    pub hrv: Option<Measure>,
    /// The weakest readiness contributors (name, score), at most two, when below 70.
    pub why: Vec<(&'static str, f64)>,
    /// Set when last night or this morning has no data: when the ring last synced.
    pub missing_since: Option<Option<DateTime<Utc>>>,
    pub due_today: Vec<String>,
    /// Overdue commitments with how many days late, most overdue first.
    pub overdue: Vec<(String, i64)>,
    pub held: Vec<Listed>,
    /// Nudges not pushed because a critical health alert holds.
    pub held_back: Vec<Listed>,
    pub suggestion: Option<String>,
}

/// What the brief needs besides the sources.
#[derive(Debug, Clone, Copy)]
pub struct BriefInput<'a> {
    pub oura: Option<&'a OuraSnapshot>,
    pub state: &'a StateSnapshot,
    /// Alerts quiet hours held, and whether each still holds.
    pub held: &'a [(Alert, bool)],
    /// Nudges folded into the brief while health is critical.
    pub held_back: &'a [Alert],
}

/// Gathers the brief for `now`.
pub fn view(config: &Config, input: &BriefInput<'_>, now: DateTime<Utc>) -> BriefView {
    let today = now.with_timezone(&config.timezone).date_naive();
    let (readiness, sleep_hours, hrv, why, missing_since) = match input.oura {
        Some(oura) => health(oura, today),
        None => (None, None, None, Vec::new(), Some(None)),
    };
    let mut due_today = Vec::new();
    let mut overdue = Vec::new();
    for c in input.state.commitments().filter(|c| c.is_open()) {
        match c.due_date {
            Some(d) if d == today => due_today.push(clip(&c.title, MAX_TITLE_CHARS).into_owned()),
            Some(d) if d < today => {
                overdue.push((
                    clip(&c.title, MAX_TITLE_CHARS).into_owned(),
                    (today - d).num_days(),
                ));
            }
            _ => {}
        }
    }
    due_today.sort();
    due_today.dedup();
    overdue.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    overdue.dedup();
    let listed = |a: &Alert, cleared: bool| Listed {
        title: clip(&a.title, MAX_TITLE_CHARS).into_owned(),
        detail: a.message.lines().next().unwrap_or_default().to_owned(),
        priority: a.priority,
        cleared,
    };
    let held = input
        .held
        .iter()
        .map(|(a, holds)| listed(a, !holds))
        .collect();
    let held_back = input.held_back.iter().map(|a| listed(a, false)).collect();
    let suggestion = suggestion(config, readiness, sleep_hours, &due_today);
    BriefView {
        today,
        readiness,
        sleep_hours,
        hrv,
        why,
        missing_since,
        due_today,
        overdue,
        held,
        held_back,
        suggestion,
    }
}

type Health = (
    Option<Measure>,
    Option<Measure>,
    Option<Measure>,
    Vec<(&'static str, f64)>,
    Option<Option<DateTime<Utc>>>,
);

fn health(oura: &OuraSnapshot, today: NaiveDate) -> Health {
    let from = today
        .checked_sub_days(Days::new(baseline::NORMAL_DAYS))
        .unwrap_or(today);
    let rows = baseline::days(oura, from, today);
    let now_row = rows
        .iter()
        .find(|d| d.day == today)
        .copied()
        .unwrap_or_default();
    let measure = |value: Option<f64>, m: fn(&baseline::Day) -> Option<f64>| {
        value.map(|value| Measure {
            value,
            normal: baseline::normal_before(&rows, today, m),
        })
    };
    let readiness = measure(now_row.readiness, |d| d.readiness);
    let sleep = measure(now_row.sleep_hours, |d| d.sleep_hours);
    let hrv = measure(now_row.hrv, |d| d.hrv);
    let has_night = oura.sleep.iter().any(|n| n.day == today);
    let missing = (readiness.is_none() || !has_night).then_some(oura.last_sync);
    let mut why: Vec<(&'static str, f64)> = oura
        .readiness
        .iter()
        .rev()
        .find(|r| r.day == today)
        .map(|r| {
            super::readiness::contributors(r)
                .into_iter()
                .filter(|(_, v)| *v < 70.0)
                .collect()
        })
        .unwrap_or_default();
    why.sort_by(|a, b| a.1.total_cmp(&b.1));
    why.truncate(2);
    (readiness, sleep, hrv, why, missing)
}

/// One suggestion when the numbers call for it: low readiness (or a short night) with
/// something due today → move the first item.
fn suggestion(
    config: &Config,
    readiness: Option<Measure>,
    sleep: Option<Measure>,
    due_today: &[String],
) -> Option<String> {
    let t = &config.monitors.health.thresholds;
    let first = due_today.first()?;
    if let Some(r) = readiness.filter(|r| r.value < t.readiness_warning) {
        return Some(format!(
            "Readiness {}: move '{first}' to tomorrow?",
            num(r.value)
        ));
    }
    sleep.filter(|s| s.value < t.sleep_hours_warning).map(|s| {
        format!(
            "Only {} h of sleep: keep '{first}' short, or move it?",
            num(s.value)
        )
    })
}

/// " · usual 64–84" from a normal, whole numbers (readiness, HRV) or with one decimal
/// (hours of sleep).
fn usual(n: Option<Normal>, decimal: bool) -> String {
    let show = |v: f64| if decimal { num(v) } else { num(v.round()) };
    n.map(|n| format!(" · usual {}–{}", show(n.low), show(n.high)))
        .unwrap_or_default()
}

/// The brief as Telegram HTML and plain text. `tz` formats the last sync time.
pub fn brief(v: &BriefView, tz: &crate::zone::Zone) -> Text {
    let mut t = Text::new();
    t.text("☀️ ")
        .bold(&format!("Good morning · {}", v.today.format("%a %-d %b")))
        .newline();
    if let Some(r) = v.readiness {
        t.bold(&format!("Readiness {}", num(r.value)));
        let below = r.normal.is_some_and(|n| r.value < n.low);
        t.text(&usual(r.normal, false));
        if below {
            t.text(" (below your usual)");
        }
        t.newline();
    }
    let mut night = Vec::new();
    if let Some(s) = v.sleep_hours {
        night.push(format!("Sleep {} h{}", num(s.value), usual(s.normal, true)));
    }
    if let Some(h) = v.hrv {
        night.push(format!("HRV {} ms{}", num(h.value), usual(h.normal, false)));
    }
    if !night.is_empty() {
        t.line(&night.join(" · "));
    }
    if !v.why.is_empty() {
        let parts: Vec<String> = v
            .why
            .iter()
            .map(|(n, s)| format!("{n} {}", num(*s)))
            .collect();
        t.italic(&format!("Why: weakest today are {}.", parts.join(" and ")))
            .newline();
    }
    if let Some(since) = v.missing_since {
        let when = since.map_or_else(
            || "a while".to_owned(),
            |at| {
                let local = at.with_timezone(tz);
                if local.date_naive() == v.today {
                    local.format("%H:%M").to_string()
                } else if v.today.pred_opt() == Some(local.date_naive()) {
                    local.format("%H:%M yesterday").to_string()
                } else {
                    local.format("%a %-d %b %H:%M").to_string()
                }
            },
        );
        t.text(&format!(
            "No data from your ring since {when}: open the Oura app to sync. (A missing night is not a bad night.)"
        ))
        .newline();
    }

    if !v.due_today.is_empty() || !v.overdue.is_empty() {
        t.newline().bold("Today").newline();
        if !v.due_today.is_empty() {
            t.line(&format!("• Due: {}", v.due_today.join(", ")));
        }
        if !v.overdue.is_empty() {
            let list: Vec<String> = v
                .overdue
                .iter()
                .map(|(title, days)| match days {
                    1 => format!("{title} (1 day)"),
                    d => format!("{title} ({d} days)"),
                })
                .collect();
            t.line(&format!("• Overdue: {}", list.join(", ")));
        }
    }
    if !v.held.is_empty() {
        t.newline()
            .bold(&format!("Overnight ({} held by quiet hours)", v.held.len()))
            .newline();
        for item in &v.held {
            if item.cleared {
                t.text("✓ ").text(&item.title).italic(" (cleared since)");
            } else {
                t.text(&format!("{} ", item.priority.emoji()))
                    .text(&item.title);
                if !item.detail.is_empty() {
                    t.text(&format!(": {}", item.detail));
                }
            }
            t.newline();
        }
    }
    if !v.held_back.is_empty() {
        let titles: Vec<&str> = v.held_back.iter().map(|i| i.title.as_str()).collect();
        t.newline()
            .italic(&format!(
                "Held back while your health needs you first: {}.",
                titles.join("; ")
            ))
            .newline();
    }
    if let Some(s) = &v.suggestion {
        t.newline().text(&format!("💡 {s}")).newline();
    }
    if v.readiness.is_none()
        && v.due_today.is_empty()
        && v.overdue.is_empty()
        && v.held.is_empty()
        && v.missing_since.is_none()
    {
        t.line("Nothing needs you this morning.");
    }
    t.trimmed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{Readiness, ReadinessContributors};

    #[test]
    fn the_why_line_names_the_two_weakest_of_every_contributor() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let oura = OuraSnapshot {
            readiness: vec![Readiness {
                day: today,
                score: Some(58.0),
                contributors: ReadinessContributors {
                    sleep_balance: Some(61.0),
                    hrv_balance: Some(75.0),
                    body_temperature: Some(69.0),
                    // Listed last by Oura, and the weakest here.
                    previous_day_activity: Some(40.0),
                    ..ReadinessContributors::default()
                },
                temperature_deviation: None,
            }],
            ..OuraSnapshot::default()
        };
        let (_, _, _, why, _) = health(&oura, today);
        assert_eq!(
            why,
            vec![("previous day activity", 40.0), ("sleep balance", 61.0)]
        );
    }
}
