//! When the morning brief goes: once a local day per alert chat, not before
//! `brief.not_before`, never during the chat's quiet hours, as soon as last night's sleep and
//! today's readiness have landed, else at `brief.fallback_time` (saying what is missing).
//! Pure: the caller says whether today's brief was already queued and whether the data is in.

use chrono::{DateTime, Utc};

use crate::config::BriefConfig;
use crate::zone::Zone;

/// Why the brief goes now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BriefDue {
    /// Last night's sleep and today's readiness are in.
    DataIn,
    /// The fallback time came without them: the brief says what is missing.
    Fallback,
}

/// Whether the brief goes at `now` for a chat that is quiet now or not (`quiet_now`: its
/// daily quiet hours or a one-off quiet period, see `ChatState::quiet_now`).
pub fn brief_due(
    cfg: &BriefConfig,
    tz: &Zone,
    now: DateTime<Utc>,
    quiet_now: bool,
    already_queued: bool,
    data_in: bool,
) -> Option<BriefDue> {
    if !cfg.enabled || already_queued {
        return None;
    }
    let time = now.with_timezone(tz).time();
    if time < cfg.not_before {
        return None;
    }
    if quiet_now {
        return None;
    }
    if data_in {
        Some(BriefDue::DataIn)
    } else if time >= cfg.fallback_time {
        Some(BriefDue::Fallback)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::QuietHours;
    use crate::pipeline::in_quiet_hours;
    use chrono::{NaiveTime, TimeZone};

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        let tz = Zone::named("America/New_York").expect("tzdata");
        tz.with_ymd_and_hms(2026, 12, 3, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn waits_for_data_quiet_hours_and_the_clock() {
        let tz = Zone::named("America/New_York").expect("tzdata");
        let cfg = BriefConfig {
            enabled: true,
            not_before: NaiveTime::from_hms_opt(6, 0, 0).unwrap(),
            fallback_time: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
        };
        let quiet = QuietHours {
            enabled: true,
            start: 22,
            end: 7,
        };
        let due = |h, m, q: Option<&QuietHours>, queued, data| {
            let quiet_now = q.is_some_and(|q| in_quiet_hours(q, &tz, at(h, m)));
            brief_due(&cfg, &tz, at(h, m), quiet_now, queued, data)
        };
        assert_eq!(due(5, 59, None, false, true), None, "not before 06:00");
        assert_eq!(due(6, 0, None, false, true), Some(BriefDue::DataIn));
        assert_eq!(due(6, 30, Some(&quiet), false, true), None, "quiet until 7");
        assert_eq!(
            due(7, 40, Some(&quiet), false, true),
            Some(BriefDue::DataIn)
        );
        assert_eq!(
            due(9, 29, Some(&quiet), false, false),
            None,
            "waits for data"
        );
        assert_eq!(
            due(9, 30, Some(&quiet), false, false),
            Some(BriefDue::Fallback)
        );
        assert_eq!(due(9, 30, Some(&quiet), true, false), None, "once a day");
        let off = BriefConfig {
            enabled: false,
            ..cfg
        };
        assert_eq!(brief_due(&off, &tz, at(8, 0), false, false, true), None);
    }
}
