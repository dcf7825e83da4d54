//! Parsers for command arguments: durations (`30m`, `2h`, `1d`, `1h30m`), `/snooze` and
//! `/quiet`. Pure; every error is a short message the bot sends back with the usage line.

use chrono::Duration;

use crate::alert::AlertClass;

/// The longest snooze accepted.
pub const MAX_SNOOZE: Duration = Duration::days(30);

/// `30m`, `2h`, `1d`, `1h30m`, `90m`: at least a minute, at most 30 days.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim().to_ascii_lowercase();
    if s.is_empty() || s.len() > 16 {
        return Err(format!("{s:?} is not a duration like 30m, 2h or 1d"));
    }
    let mut total = Duration::zero();
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits
            .parse()
            .map_err(|_| format!("{s:?} is not a duration like 30m, 2h or 1d"))?;
        digits.clear();
        let part = match c {
            'm' => Duration::try_minutes(n),
            'h' => Duration::try_hours(n),
            'd' => Duration::try_days(n),
            _ => None,
        }
        .ok_or_else(|| format!("{s:?} is not a duration like 30m, 2h or 1d"))?;
        total = total
            .checked_add(&part)
            .ok_or_else(|| format!("{s:?} is too long"))?;
    }
    if !digits.is_empty() {
        return Err(format!("{s:?} needs a unit: m, h or d (e.g. {digits}h)"));
    }
    if total < Duration::minutes(1) {
        return Err("a snooze must last at least a minute".to_owned());
    }
    if total > MAX_SNOOZE {
        return Err("a snooze can last at most 30 days".to_owned());
    }
    Ok(total)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnoozeArgs {
    List,
    Off,
    All(Duration),
    Class(AlertClass, Duration),
}

pub fn parse_snooze(args: &str) -> Result<SnoozeArgs, String> {
    let words: Vec<&str> = args.split_whitespace().collect();
    match words.as_slice() {
        [] => Ok(SnoozeArgs::List),
        [w] if w.eq_ignore_ascii_case("off") || w.eq_ignore_ascii_case("clear") => {
            Ok(SnoozeArgs::Off)
        }
        [d] => parse_duration(d).map(SnoozeArgs::All),
        [class, d] => {
            let class: AlertClass = class.parse().map_err(|_| {
                format!("unknown class {class:?}: use health, tasks, patterns or services")
            })?;
            if class == AlertClass::System {
                return Err("system alerts cannot be snoozed by class".to_owned());
            }
            parse_duration(d).map(|d| SnoozeArgs::Class(class, d))
        }
        _ => Err("too many arguments".to_owned()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuietArgs {
    Show,
    On,
    Off,
    Hours(u8, u8),
}

pub fn parse_quiet(args: &str) -> Result<QuietArgs, String> {
    let words: Vec<&str> = args.split_whitespace().collect();
    match words.as_slice() {
        [] => Ok(QuietArgs::Show),
        [w] if w.eq_ignore_ascii_case("on") => Ok(QuietArgs::On),
        [w] if w.eq_ignore_ascii_case("off") => Ok(QuietArgs::Off),
        [range] => {
            let (a, b) = range
                .split_once(['-', '–'])
                .ok_or_else(|| format!("{range:?} is not a range like 22-7"))?;
            let hour = |s: &str| -> Result<u8, String> {
                let s = s.trim().trim_end_matches(":00");
                s.parse::<u8>()
                    .ok()
                    .filter(|h| *h <= 23)
                    .ok_or_else(|| format!("{s:?} is not an hour from 0 to 23"))
            };
            let (start, end) = (hour(a)?, hour(b)?);
            if start == end {
                return Err(
                    "start and end must differ (use /quiet off to turn quiet hours off)".to_owned(),
                );
            }
            Ok(QuietArgs::Hours(start, end))
        }
        _ => Err("too many arguments".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let ok = [
            ("30m", 30),
            ("2h", 120),
            ("1d", 1440),
            ("1h30m", 90),
            (" 90M ", 90),
        ];
        for (s, mins) in ok {
            assert_eq!(parse_duration(s), Ok(Duration::minutes(mins)), "{s}");
        }
        for bad in [
            "",
            "0m",
            "h",
            "5",
            "2x",
            "31d",
            "-1h",
            "1.5h",
            "99999999999999999d",
            "１h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn snooze_args() {
        assert_eq!(parse_snooze(""), Ok(SnoozeArgs::List));
        assert_eq!(parse_snooze("off"), Ok(SnoozeArgs::Off));
        assert_eq!(parse_snooze("2h"), Ok(SnoozeArgs::All(Duration::hours(2))));
        assert_eq!(
            parse_snooze("Health 1d"),
            Ok(SnoozeArgs::Class(AlertClass::Health, Duration::days(1)))
        );
        for bad in ["weird 1h", "system 1h", "1h 2h 3h", "tasks"] {
            assert!(parse_snooze(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quiet_args() {
        assert_eq!(parse_quiet(""), Ok(QuietArgs::Show));
        assert_eq!(parse_quiet("ON"), Ok(QuietArgs::On));
        assert_eq!(parse_quiet("off"), Ok(QuietArgs::Off));
        assert_eq!(parse_quiet("22-7"), Ok(QuietArgs::Hours(22, 7)));
        assert_eq!(parse_quiet("23:00-06:00"), Ok(QuietArgs::Hours(23, 6)));
        for bad in ["24-7", "7-7", "22", "a-b", "22-7 extra", "-1-5"] {
            assert!(parse_quiet(bad).is_err(), "{bad}");
        }
    }
}
