//! The `/status` reply (and `operator status`).

use crate::zone::Zone;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::{Text, human_duration};
use crate::config::QuietHours;
use crate::pipeline::SnoozeScope;
use crate::sources::breaker::BreakerState;
use crate::sources::chain::LinkView;
use crate::status::HeartbeatStatus;
use crate::status::StatusView;

fn ago(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    if t > now {
        format!("in {}", human_duration(t - now))
    } else {
        format!("{} ago", human_duration(now - t))
    }
}

fn local(t: DateTime<Utc>, tz: &Zone) -> String {
    t.with_timezone(tz).format("%a %d %b %H:%M").to_string()
}

pub fn quiet_hours_text(q: &QuietHours) -> String {
    if !q.enabled || q.start == q.end {
        "off".to_owned()
    } else {
        format!("{:02}:00–{:02}:00", q.start, q.end)
    }
}

pub fn snooze_scope_text(scope: &SnoozeScope) -> String {
    match scope {
        SnoozeScope::All => "all non-critical alerts".to_owned(),
        SnoozeScope::Class(c) => format!("{c} alerts"),
        SnoozeScope::Key(k) => k.clone(),
    }
}

/// "Oura API breaker: open until Fri 10:05 (3 failures since Fri 09:45; last: HTTP 500)".
pub fn breaker_line(b: &LinkView, now: DateTime<Utc>, tz: &Zone) -> String {
    let mut line = format!(
        "{} breaker: {}",
        b.link.label(),
        breaker_state_text(b.state)
    );
    match b.state {
        BreakerState::Closed if b.failures == 0 => {
            if let Some(ok) = b.last_ok {
                line.push_str(&format!(", last ok {}", ago(now, ok)));
            }
            return line;
        }
        BreakerState::Closed => {}
        BreakerState::Open => {
            if let Some(until) = b.open_until {
                line.push_str(&format!(" until {}", local(until, tz)));
            }
        }
        BreakerState::HalfOpen => line.push_str(" (next read is a trial)"),
    }
    let since = b
        .since
        .map(|t| format!(" since {}", local(t, tz)))
        .unwrap_or_default();
    line.push_str(&format!(" — {} failure(s) in a row{since}", b.failures));
    if let Some(err) = &b.last_error {
        line.push_str(&format!("; last: {err}"));
    }
    line
}

fn breaker_state_text(s: BreakerState) -> &'static str {
    match s {
        BreakerState::Closed => "closed",
        BreakerState::Open => "open",
        BreakerState::HalfOpen => "half open",
    }
}

pub fn status(v: &StatusView) -> Text {
    let mut t = Text::new();
    t.heading("Operator status");
    if let Some(f) = &v.cycle_failure {
        t.bold(&format!(
            "⚠️ Check cycles are failing: {} in a row since {}",
            f.consecutive,
            local(f.since, &v.timezone)
        ))
        .newline()
        .line(&f.error)
        .line("Alerts are on hold until a cycle completes; commands still work.")
        .newline();
    }
    if let Some(up) = v.uptime {
        t.line(&format!("Up {}", human_duration(up)));
    }
    match &v.last_run {
        Some(run) => {
            t.line(&format!(
                "Last cycle: {} ({}, {} ms, {} alert(s), {})",
                ago(v.now, run.started_at),
                local(run.started_at, &v.timezone),
                run.duration_ms,
                run.alerts,
                run.status
            ));
        }
        None => {
            t.line("Last cycle: none yet");
        }
    }
    if let Some(next) = v.next_cycle {
        t.line(&format!("Next cycle: {}", ago(v.now, next)));
    }
    t.line(&format!("Cycles recorded: {}", v.run_count));

    t.newline().heading("Monitors");
    if v.monitors.is_empty() {
        t.line("no results yet");
    }
    for m in &v.monitors {
        t.text(&format!("{}: ", m.monitor)).bold(m.status.as_str());
        t.line(&format!(
            " — {} alert(s), {} ({})",
            m.alerts,
            m.detail,
            ago(v.now, m.ran_at)
        ));
    }

    t.newline().heading("Sources");
    if v.sources.is_empty() {
        t.line("no reads yet");
    }
    for s in &v.sources {
        t.text(&format!("{}: ", s.source)).bold(s.state.as_str());
        if let Some(via) = &s.via {
            t.text(&format!(" via {via}"));
        }
        let fresh = s
            .data_as_of
            .map(|d| format!(", data {}", ago(v.now, d)))
            .unwrap_or_default();
        let last_ok = s
            .last_ok
            .map(|d| format!(", last read ok {}", ago(v.now, d)))
            .unwrap_or_default();
        t.text(&format!("{fresh}{last_ok}"));
        if let Some(err) = &s.last_error {
            t.text(" — ").italic(err);
        }
        t.newline();
        for b in v.breakers.iter().filter(|b| b.link.source() == s.source) {
            t.line(&format!("  {}", breaker_line(b, v.now, &v.timezone)));
        }
    }

    t.newline().heading("Alerts today");
    if v.alerts_today.is_empty() {
        t.line("none delivered");
    } else {
        let parts: Vec<String> = v
            .alerts_today
            .iter()
            .map(|(p, n)| format!("{n} {p}"))
            .collect();
        t.line(&parts.join(", "));
    }
    t.line(&format!("Outbox pending: {}", v.outbox_pending));
    if let Some(h) = &v.heartbeat {
        t.line(&heartbeat_line(h, v.now, &v.timezone));
    }
    if let Some(age) = v.last_poll_age {
        t.line(&format!(
            "Last successful poll: {} ago",
            human_duration(age)
        ));
    }

    if let Some(chat) = &v.chat {
        t.newline().heading("This chat");
        let state = if chat.quiet_in_force {
            " (in force now)"
        } else {
            ""
        };
        t.line(&format!(
            "Quiet hours: {}{state}",
            quiet_hours_text(&chat.quiet)
        ));
        if chat.snoozes.is_empty() {
            t.line("Snoozes: none");
        }
        for s in &chat.snoozes {
            t.line(&format!(
                "Snoozed: {} until {}",
                snooze_scope_text(&s.scope),
                local(s.until, &v.timezone)
            ));
        }
    }
    t.trimmed()
}

/// The outside heartbeat in one line: when it last answered, or since when it has not.
fn heartbeat_line(h: &HeartbeatStatus, now: DateTime<Utc>, tz: &Zone) -> String {
    match (h.failing_since, &h.last_error, h.last_ok) {
        (Some(since), error, _) => format!(
            "Heartbeat: failing since {} ({}); alerts are not affected",
            local(since, tz),
            error.as_deref().unwrap_or("no answer")
        ),
        (None, _, Some(ok)) => format!("Heartbeat: last ping answered {}", ago(now, ok)),
        (None, _, None) => "Heartbeat: on (no ping yet from this process)".to_owned(),
    }
}

/// `operator status --json`.
pub fn status_json(v: &StatusView) -> serde_json::Value {
    #[derive(Serialize)]
    struct Monitor<'a> {
        status: &'a str,
        alerts: u32,
        detail: &'a str,
        ran_at: String,
    }
    let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let monitors: serde_json::Map<String, serde_json::Value> = v
        .monitors
        .iter()
        .map(|m| {
            let value = Monitor {
                status: m.status.as_str(),
                alerts: m.alerts,
                detail: &m.detail,
                ran_at: ts(m.ran_at),
            };
            (
                m.monitor.clone(),
                serde_json::to_value(value).unwrap_or_default(),
            )
        })
        .collect();
    let sources: serde_json::Map<String, serde_json::Value> = v
        .sources
        .iter()
        .map(|s| {
            (
                s.source.clone(),
                serde_json::json!({
                    "state": s.state.as_str(),
                    "via": s.via,
                    "last_ok": s.last_ok.map(ts),
                    "data_as_of": s.data_as_of.map(ts),
                    "last_error": s.last_error,
                }),
            )
        })
        .collect();
    let breakers: serde_json::Map<String, serde_json::Value> = v
        .breakers
        .iter()
        .map(|b| {
            (
                b.link.name().to_owned(),
                serde_json::json!({
                    "state": b.state.as_str(),
                    "failures": b.failures,
                    "since": b.since.map(ts),
                    "open_until": b.open_until.map(ts),
                    "last_ok": b.last_ok.map(ts),
                    "last_failure": b.last_failure.map(ts),
                    "last_error": b.last_error,
                }),
            )
        })
        .collect();
    let alerts_today: serde_json::Map<String, serde_json::Value> = v
        .alerts_today
        .iter()
        .map(|(p, n)| (p.to_string(), serde_json::json!(n)))
        .collect();
    serde_json::json!({
        "now": ts(v.now),
        "timezone": v.timezone.name(),
        "last_run": v.last_run.as_ref().map(|r| serde_json::json!({
            "started_at": ts(r.started_at),
            "duration_ms": r.duration_ms,
            "trigger": r.trigger,
            "alerts": r.alerts,
            "delivered": r.delivered,
            "status": r.status,
        })),
        "run_count": v.run_count,
        "monitors": monitors,
        "sources": sources,
        "breakers": breakers,
        "alerts_today": alerts_today,
        "outbox_pending": v.outbox_pending,
        "heartbeat": v.heartbeat.as_ref().map(|h| serde_json::json!({
            "last_ok": h.last_ok.map(ts),
            "failing_since": h.failing_since.map(ts),
            "last_error": h.last_error,
        })),
    })
}
