//! The typed walk from the top of the tree: builds every section of [`Config`] with its
//! defaults (every key and default is in the commented `config/operator.yaml`) and range checks.
//! Monitors, adapters and alerters have their own files; this one holds the small sections.

use std::net::SocketAddr;
use std::path::Path;

use crate::zone::{Zone, ZoneError};

use super::build_adapters::adapters;
use super::build_alerters::alerters;
use super::build_monitors::monitors;
use super::reader::{Ctx, Section, did_you_mean};
use super::value::{Value, to_string};
use super::{
    BriefConfig, CircuitBreaker, Config, Dedup, DedupWindows, HealthEndpoint, HeartbeatConfig,
    Intervals, Logging, QuietHours, Redactor, ReviewConfig, Rotation, StateConfig,
};

/// Builds the whole [`Config`]; problems accumulate in `ctx`.
pub(super) fn config(ctx: &mut Ctx<'_>, tree: &Value, source_path: &Path) -> Config {
    let mut root = Section::root(tree);
    let version = root.string(ctx, "version", "1.0");
    let intervals = intervals(ctx, root.child("intervals"));
    let (quiet_hours, quiet_zone) = quiet_hours(ctx, root.child("quiet_hours"));
    let timezone = timezone(ctx, &mut root, quiet_zone);
    let mut config = Config {
        source_path: source_path.to_path_buf(),
        version,
        timezone,
        intervals,
        quiet_hours,
        dedup: dedup(ctx, root.child("deduplication")),
        monitors: monitors(ctx, root.child("monitors")),
        adapters: adapters(ctx, root.child("adapters")),
        alerters: alerters(ctx, root.child("alerters")),
        circuit_breaker: circuit_breaker(ctx, root.child("circuit_breaker")),
        logging: logging(ctx, root.child("logging")),
        state: state(ctx, root.child("state")),
        health_endpoint: health_endpoint(ctx, root.child("health_endpoint")),
        heartbeat: heartbeat(ctx, root.child("heartbeat")),
        brief: brief(ctx, root.child("brief")),
        review: review(ctx, root.child("review")),
        redactor: Redactor::default(),
    };
    config.refresh_redactor();
    root.finish(ctx);
    config
}

/// The design's allowed ranges, in seconds (section 6.1).
fn intervals(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> Intervals {
    let out = Intervals {
        health: s.seconds(ctx, "health_check", 900, 300, 3600),
        tasks: s.seconds(ctx, "task_check", 900, 300, 3600),
        patterns: s.seconds(ctx, "pattern_check", 1800, 900, 7200),
    };
    s.finish(ctx);
    out
}

/// Quiet hours, and the zone named by `quiet_hours.timezone` if any (with the text written).
fn quiet_hours(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> (QuietHours, Option<(Zone, String)>) {
    let out = QuietHours {
        enabled: s.bool(ctx, "enabled", true),
        start: s.hour(ctx, "start", 22),
        end: s.hour(ctx, "end", 7),
    };
    let zone = zone(ctx, &mut s, "timezone");
    s.finish(ctx);
    (out, zone)
}

/// `timezone`, else `quiet_hours.timezone`, else the system zone, else UTC. Two different
/// zones would make quiet hours and reminders disagree, so that is a problem.
fn timezone(ctx: &mut Ctx<'_>, root: &mut Section<'_>, quiet: Option<(Zone, String)>) -> Zone {
    let top = zone(ctx, root, "timezone");
    match (top, quiet) {
        (Some((top, _)), Some((q, _))) if top != q => {
            let message = format!(
                "`{}` differs from `timezone` ({}); Operator uses one zone for everything: \
                 remove one of them",
                q.name(),
                top.name()
            );
            ctx.problem("quiet_hours.timezone", message);
            top
        }
        (Some((top, _)), _) => top,
        (None, Some((q, _))) => q,
        (None, None) => Zone::system(),
    }
}

/// An IANA zone name under `key`, from the system's time zone database, with a suggestion
/// for near misses.
fn zone(ctx: &mut Ctx<'_>, s: &mut Section<'_>, key: &'static str) -> Option<(Zone, String)> {
    s.read(ctx, key, None, |v| {
        let name = to_string(v)?;
        match Zone::named(&name) {
            Ok(zone) => Ok(Some((zone, name))),
            Err(e @ ZoneError::BadName(_)) => Err(e.to_string()),
            Err(e @ ZoneError::Unknown { .. }) => {
                let known = Zone::known_names();
                let names: Vec<&str> = known.iter().map(String::as_str).collect();
                Err(match did_you_mean(name.trim(), &names) {
                    Some(close) => format!("unknown time zone {name:?}; did you mean `{close}`?"),
                    None if known.is_empty() => {
                        format!("{e}; install the time zone database (tzdata) or set TZDIR")
                    }
                    None => format!(
                        "unknown time zone {name:?} (expected an IANA name such as America/Chicago)"
                    ),
                })
            }
        }
    })
}

const MAX_WINDOW_SECONDS: i64 = 366 * 86_400;

fn dedup(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> Dedup {
    let system = s.seconds(ctx, "window_seconds", 3600, 0, MAX_WINDOW_SECONDS);
    let max_alerts_per_run = s.int(ctx, "max_alerts_per_run", 20, 1, 10_000);
    let mut w = s.child("windows");
    let windows = DedupWindows {
        health_warning: w.seconds(ctx, "health_warning", 14_400, 0, MAX_WINDOW_SECONDS),
        health_critical: w.seconds(ctx, "health_critical", 3600, 0, MAX_WINDOW_SECONDS),
        tasks: w.seconds(ctx, "tasks", 86_400, 0, MAX_WINDOW_SECONDS),
        patterns: w.seconds(ctx, "patterns", 604_800, 0, MAX_WINDOW_SECONDS),
        services: w.seconds(ctx, "services", 3600, 0, MAX_WINDOW_SECONDS),
        system,
    };
    w.finish(ctx);
    s.finish(ctx);
    Dedup {
        max_alerts_per_run: usize::try_from(max_alerts_per_run).unwrap_or(20),
        windows,
    }
}

fn circuit_breaker(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> CircuitBreaker {
    let out = CircuitBreaker {
        failure_threshold: s.u32(ctx, "failure_threshold", 3, 1, 1000),
        timeout: s.seconds(ctx, "timeout_seconds", 60, 1, 86_400),
        half_open_attempts: s.u32(ctx, "half_open_attempts", 1, 1, 1000),
    };
    s.finish(ctx);
    out
}

/// The design's level names → a tracing filter directive.
pub(super) const LEVELS: [(&str, &str); 6] = [
    ("DEBUG", "debug"),
    ("INFO", "info"),
    ("WARNING", "warn"),
    ("WARN", "warn"),
    ("ERROR", "error"),
    ("CRITICAL", "error"),
];

fn logging(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> Logging {
    let level = s.read(ctx, "level", "info".to_owned(), |v| {
        let name = to_string(v)?;
        LEVELS
            .iter()
            .find(|(design, _)| design.eq_ignore_ascii_case(name.trim()))
            .map(|(_, filter)| (*filter).to_owned())
            .ok_or_else(|| {
                format!(
                    "unknown log level {name:?} (expected DEBUG, INFO, WARNING, ERROR or CRITICAL)"
                )
            })
    });
    let format = s.string(ctx, "format", DEFAULT_LOG_FORMAT);
    let mut r = s.child("rotation");
    let max_bytes = r.int(ctx, "max_bytes", 10_485_760, 1, i64::MAX);
    let rotation = Rotation {
        max_bytes: u64::try_from(max_bytes).unwrap_or(10_485_760),
        backup_count: r.u32(ctx, "backup_count", 5, 0, 1000),
    };
    r.finish(ctx);
    s.finish(ctx);
    Logging {
        level,
        format,
        rotation,
    }
}

pub(super) const DEFAULT_LOG_FORMAT: &str = "%(asctime)s - %(name)s - %(levelname)s - %(message)s";

fn state(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> StateConfig {
    let out = StateConfig {
        db_path: s.path(ctx, "db_path", "${THANOS_ROOT}/State/operator.db"),
    };
    s.finish(ctx);
    out
}

/// `brief.*`: the morning brief's times, `not_before` no later than `fallback_time`.
fn brief(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> BriefConfig {
    let at = |h: u32, m: u32| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
    let enabled = s.bool(ctx, "enabled", true);
    let not_before = s.time_of_day(ctx, "not_before", at(6, 0));
    let fallback_time = s.time_of_day(ctx, "fallback_time", at(9, 30));
    if fallback_time < not_before {
        ctx.problem(
            s.key_path("fallback_time"),
            format!(
                "must not be earlier than brief.not_before ({})",
                not_before.format("%H:%M")
            ),
        );
    }
    s.finish(ctx);
    BriefConfig {
        enabled,
        not_before,
        fallback_time,
    }
}

/// `review.*`: the weekly review's push, `weekly` as `"Sun 18:00"` (an English weekday, its
/// first three letters or more, and a 24-hour time).
fn review(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> ReviewConfig {
    let enabled = s.bool(ctx, "enabled", true);
    let default = (
        chrono::Weekday::Sun,
        chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
    );
    let (weekday, at) = s.read(ctx, "weekly", default, |v| {
        let text = to_string(v)?;
        parse_weekly(&text).ok_or_else(|| {
            format!("expected a weekday and a 24-hour time like \"Sun 18:00\", got {text:?}")
        })
    });
    s.finish(ctx);
    ReviewConfig {
        enabled,
        weekday,
        at,
    }
}

/// `"Sun 18:00"` → (Sunday, 18:00).
pub fn parse_weekly(text: &str) -> Option<(chrono::Weekday, chrono::NaiveTime)> {
    let (day, time) = text.trim().split_once(char::is_whitespace)?;
    let day = day.to_ascii_lowercase();
    let weekday = [
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
        chrono::Weekday::Sun,
    ]
    .into_iter()
    .find(|w| {
        let full = match w {
            chrono::Weekday::Mon => "monday",
            chrono::Weekday::Tue => "tuesday",
            chrono::Weekday::Wed => "wednesday",
            chrono::Weekday::Thu => "thursday",
            chrono::Weekday::Fri => "friday",
            chrono::Weekday::Sat => "saturday",
            chrono::Weekday::Sun => "sunday",
        };
        day.len() >= 3 && full.starts_with(&day)
    })?;
    let at = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    Some((weekday, at))
}

/// `heartbeat.url`: an http(s) URL or empty (off); checked here so a typo is a config error,
/// not a silent outage. The URL is a secret: messages never show it.
fn heartbeat(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> HeartbeatConfig {
    let url = s.secret(ctx, "url", None);
    if let Some(url) = &url {
        let scheme_ok = url.expose().starts_with("http://") || url.expose().starts_with("https://");
        let parsed = reqwest::Url::parse(url.expose()).ok();
        if !scheme_ok
            || parsed
                .as_ref()
                .is_none_or(|u| u.host_str().is_none_or(str::is_empty))
        {
            ctx.problem(
                s.key_path("url"),
                "expected an http(s) URL such as https://hc-ping.com/<uuid> (or empty to turn it off)",
            );
        }
    }
    let timeout = s.seconds(ctx, "timeout_seconds", 10, 1, 60);
    s.finish(ctx);
    HeartbeatConfig { url, timeout }
}

/// The health endpoint stays on loopback (it has no authentication) unless
/// `allow_non_loopback: true` says, explicitly, that another address is meant.
fn health_endpoint(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> HealthEndpoint {
    let enabled = s.bool(ctx, "enabled", true);
    let allow_non_loopback = s.bool(ctx, "allow_non_loopback", false);
    let bind = s.read(ctx, "bind", "127.0.0.1:8765".to_owned(), |v| {
        let text = to_string(v)?;
        match text.trim().parse::<SocketAddr>() {
            Ok(addr) if addr.ip().is_loopback() || allow_non_loopback => Ok(addr.to_string()),
            Ok(_) => Err(format!(
                "{text:?} is not a loopback address; the health endpoint listens on 127.0.0.1 \
                 or [::1] unless health_endpoint.allow_non_loopback is true"
            )),
            Err(_) => Err(format!(
                "expected an address such as \"127.0.0.1:8765\", got {text:?}"
            )),
        }
    });
    s.finish(ctx);
    HealthEndpoint {
        enabled,
        bind,
        allow_non_loopback,
    }
}
