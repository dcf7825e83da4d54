//! The weekly review's step in a cycle, for one Telegram chat: due from `review.weekly` (the
//! most recent such local weekday and time) for 12 hours, outside quiet hours, once per
//! occurrence whatever restarts (recorded in the cycle's transaction). The review covers the 7
//! days before; its suggestions are stored with the message, whose `Apply` buttons name them.

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::config::{Config, ReviewConfig};
use crate::pipeline::{ChatState, Notification, NotificationKind, Recipient};
use crate::store::Store;
use crate::zone::Zone;

/// How long after its time a missed review still goes (a Mac asleep on Sunday evening).
pub const LATE_BY_AT_MOST: Duration = Duration::hours(12);

/// The most recent local `cfg.weekday` at `cfg.at` at or before `now`: the occurrence a review
/// is for, as its local date and instant.
pub fn occurrence(
    cfg: &ReviewConfig,
    tz: &Zone,
    now: DateTime<Utc>,
) -> Option<(NaiveDate, DateTime<Utc>)> {
    let local = now.with_timezone(tz);
    let today = local.date_naive();
    let back =
        (7 + today.weekday().num_days_from_monday() - cfg.weekday.num_days_from_monday()) % 7;
    for extra in [0, 7] {
        let day = today - Duration::days(i64::from(back) + extra);
        let local = day.and_time(cfg.at);
        // A time inside a DST gap is the first instant after it.
        let at = tz
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| {
                tz.from_local_datetime(&(local + Duration::hours(1)))
                    .earliest()
            })?
            .with_timezone(&Utc);
        if at <= now {
            return Some((day, at));
        }
    }
    None
}

/// Queues this week's review for `recipient` when it is due; returns the outbox id.
pub fn push(
    config: &Config,
    store: &mut Store,
    recipient: Recipient,
    state: &ChatState,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<i64>> {
    let cfg = &config.review;
    if !cfg.enabled || state.quiet_now(&config.timezone, now) {
        return Ok(None);
    }
    let Some((day, at)) = occurrence(cfg, &config.timezone, now) else {
        return Ok(None);
    };
    let key = day.to_string();
    if now - at > LATE_BY_AT_MOST
        || store
            .review_recorded(recipient, &key)
            .context("reading this week's review")?
    {
        return Ok(None);
    }
    let facts = crate::review::gather::facts(config, store, Some(recipient), now, 7)?;
    let review = crate::review::review(7, &facts, config);
    let text = crate::review::text::review(&review);
    let n = Notification {
        priority: crate::alert::Priority::Low,
        title: format!("Weekly review · {}", day.format("%a %-d %b")),
        lines: text.plain().lines().skip(1).map(str::to_owned).collect(),
        alerts: Vec::new(),
        kind: NotificationKind::Review,
        back_from_snooze: None,
    };
    let id = super::queue_telegram(store, recipient, &n, &text, None, now)
        .context("queueing the weekly review")?;
    let mut ids = Vec::new();
    for s in &review.suggestions {
        ids.push(
            store
                .add_suggestion(recipient, &s.key, &s.from, &s.to, &s.reason, now)
                .context("keeping a suggestion")?,
        );
    }
    store
        .set_suggestions_message(&ids, id)
        .context("keeping the suggestions")?;
    store
        .record_review(recipient, &key, Some(id), now)
        .context("recording this week's review")?;
    Ok(Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, Weekday};

    #[test]
    fn the_occurrence_is_the_last_weekday_at_its_time() {
        let tz = Zone::named("America/New_York").expect("tzdata");
        let cfg = ReviewConfig {
            enabled: true,
            weekday: Weekday::Sun,
            at: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
        };
        let at = |d: u32, h: u32| {
            tz.with_ymd_and_hms(2026, 12, d, h, 0, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        // Sun 6 Dec 2026, 17:00: last week's Sunday; 18:00: today's.
        assert_eq!(
            occurrence(&cfg, &tz, at(6, 17))
                .map(|o| o.0.to_string())
                .as_deref(),
            Some("2026-11-29")
        );
        assert_eq!(
            occurrence(&cfg, &tz, at(6, 18))
                .map(|o| o.0.to_string())
                .as_deref(),
            Some("2026-12-06")
        );
        assert_eq!(
            occurrence(&cfg, &tz, at(9, 12))
                .map(|o| o.0.to_string())
                .as_deref(),
            Some("2026-12-06")
        );
    }
}
