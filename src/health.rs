//! The health endpoint (loopback only): `GET /health` as JSON and `GET /metrics` in
//! Prometheus text, both built from one [`Snapshot`] of the app and its state database.
//! Exposes no secrets: only counts, times and states.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::sources::breaker::BreakerState;
use crate::sources::chain::{Link, LinkView, link_views, source_state};
use crate::status::HeartbeatStatus;
use crate::store::{RunRecord, SourceState, SourceStatus};

/// The figures both endpoints report.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub now: DateTime<Utc>,
    pub stopping: bool,
    pub last_run: Option<RunRecord>,
    pub run_count: u64,
    pub sources: Vec<SourceStatus>,
    /// The circuit breaker of every source link that was ever used.
    pub breakers: Vec<LinkView>,
    pub outbox_pending: u64,
    pub alerts_today: Vec<(crate::alert::Priority, u64)>,
    pub last_poll: Option<DateTime<Utc>>,
    pub telegram_enabled: bool,
    pub poll_timeout_s: i64,
    pub monitors: [(&'static str, bool); 3],
    /// Cycles failing in a row (e.g. the state database cannot be written), if the last did.
    pub cycle_failure: Option<crate::status::CycleFailure>,
    /// The outside heartbeat's pings, when `heartbeat.url` is set.
    pub heartbeat: Option<HeartbeatStatus>,
}

impl Snapshot {
    pub async fn take(app: &Arc<App>, stopping: bool) -> anyhow::Result<Snapshot> {
        let now = app.now();
        let a = Arc::clone(app);
        let (last_run, run_count, sources, breakers, outbox_pending, alerts_today) = app
            .store(move |s| -> crate::store::Result<_> {
                let midnight = crate::status::local_midnight(&a.config, now);
                Ok((
                    s.last_run()?,
                    s.run_count()?,
                    s.source_statuses()?,
                    s.breakers()?,
                    s.outbox_pending()?,
                    s.alert_counts(midnight)?,
                ))
            })
            .await?;
        let m = &app.config.monitors;
        let tg = &app.config.alerters.telegram;
        Ok(Snapshot {
            now,
            stopping,
            last_run,
            run_count,
            sources,
            breakers: link_views(&breakers, now),
            outbox_pending,
            alerts_today,
            last_poll: app.last_poll(),
            telegram_enabled: tg.enabled && tg.token.is_some(),
            poll_timeout_s: tg.poll_timeout.num_seconds(),
            monitors: [
                ("health", m.health.enabled),
                ("tasks", m.tasks.enabled),
                ("patterns", m.patterns.enabled),
            ],
            cycle_failure: app.cycle_failure(),
            heartbeat: app.heartbeat.as_ref().map(|h| h.status()),
        })
    }

    pub fn poll_age_seconds(&self) -> Option<i64> {
        self.last_poll.map(|t| (self.now - t).num_seconds().max(0))
    }

    /// Telegram counts as down when no poll succeeded within three poll timeouts.
    fn telegram_state(&self) -> &'static str {
        match self.poll_age_seconds() {
            _ if !self.telegram_enabled => "closed",
            Some(age) if age <= 3 * self.poll_timeout_s + 30 => "closed",
            _ => "open",
        }
    }

    /// A source's adapter state: for Oura and WorkOS the worst breaker of its links; the
    /// State files have no breaker (local files), so `open` there means their last read failed.
    fn source_state(&self, name: &str) -> (&'static str, Option<DateTime<Utc>>) {
        let status = self.sources.iter().find(|s| s.source == name);
        let last_ok = status.and_then(|s| s.last_ok);
        if name == "state_files" {
            let failed = status.is_some_and(|s| s.state == SourceState::Failed);
            return (if failed { "open" } else { "closed" }, last_ok);
        }
        (source_state(&self.breakers, name).as_str(), last_ok)
    }

    /// Whether the source's last read gave data (through any link).
    fn source_up(&self, name: &str) -> bool {
        self.sources
            .iter()
            .find(|s| s.source == name)
            .is_some_and(|s| matches!(s.state, SourceState::Ok | SourceState::Stale))
    }

    fn links_json(&self, source: &str) -> serde_json::Value {
        let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let links: serde_json::Map<String, serde_json::Value> = self
            .breakers
            .iter()
            .filter(|v| v.link.source() == source)
            .map(|v| {
                let open_until = (v.state != BreakerState::Closed)
                    .then_some(v.open_until)
                    .flatten();
                (
                    v.link.via().to_owned(),
                    json!({
                        "state": v.state.as_str(),
                        "failures": v.failures,
                        "open_until": open_until.map(ts),
                        "last_ok": v.last_ok.map(ts),
                    }),
                )
            })
            .collect();
        serde_json::Value::Object(links)
    }

    pub fn status(&self) -> &'static str {
        if self.stopping {
            "stopped"
        } else if self.telegram_state() == "open"
            || self.cycle_failure.is_some()
            || self.sources.iter().any(|s| s.state == SourceState::Failed)
            || self
                .breakers
                .iter()
                .any(|b| b.state != BreakerState::Closed)
            || self.last_run.as_ref().is_some_and(|r| r.status != "ok")
        {
            "degraded"
        } else {
            "healthy"
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let adapter = |name: &str| {
            let (state, last_ok) = self.source_state(name);
            let status = self.sources.iter().find(|s| s.source == name);
            let mut value = json!({
                "state": state,
                "last_ok": last_ok.map(ts),
                "data": status.map(|s| s.state.as_str()),
                "data_as_of": status.and_then(|s| s.data_as_of).map(ts),
                "via": status.and_then(|s| s.via.clone()),
            });
            if name != "state_files" {
                value["links"] = self.links_json(name);
            }
            value
        };
        let monitors: serde_json::Map<String, serde_json::Value> = self
            .monitors
            .iter()
            .map(|(n, on)| ((*n).to_owned(), json!(on)))
            .collect();
        json!({
            "status": self.status(),
            "last_run": self.last_run.as_ref().map(|r| ts(r.started_at)),
            "last_run_duration_ms": self.last_run.as_ref().map(|r| r.duration_ms),
            "run_count": self.run_count,
            "monitors": monitors,
            "adapters": {
                "oura": adapter("oura"),
                "workos": adapter("workos"),
                "state_files": adapter("state_files"),
                "telegram": {"state": self.telegram_state(), "last_ok": self.last_poll.map(ts)},
            },
            "outbox_pending": self.outbox_pending,
            "last_update_poll_age_seconds": self.poll_age_seconds(),
            "last_cycle_error": self.cycle_failure.as_ref().map(|f| json!({
                "since": ts(f.since),
                "last_at": ts(f.last_at),
                "failed_cycles": f.consecutive,
                "error": f.error,
            })),
            "heartbeat": self.heartbeat.as_ref().map(|h| json!({
                "state": if h.failing_since.is_some() { "failing" } else { "ok" },
                "last_ok": h.last_ok.map(ts),
                "failing_since": h.failing_since.map(ts),
                "last_error": h.last_error,
            })),
        })
    }

    pub fn to_prometheus(&self) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, help: &str, kind: &str, lines: Vec<(String, String)>| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in lines {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        metric(
            "operator_up",
            "1 while the daemon is healthy, 0 when degraded or stopping.",
            "gauge",
            vec![(
                String::new(),
                u8::from(self.status() == "healthy").to_string(),
            )],
        );
        metric(
            "operator_cycles_failing",
            "Check cycles failed in a row (0 when the last one completed).",
            "gauge",
            vec![(
                String::new(),
                self.cycle_failure
                    .as_ref()
                    .map_or(0, |f| f.consecutive)
                    .to_string(),
            )],
        );
        metric(
            "operator_cycles_recorded",
            "Check cycles in the retained run history.",
            "gauge",
            vec![(String::new(), self.run_count.to_string())],
        );
        metric(
            "operator_last_cycle_duration_milliseconds",
            "Duration of the last check cycle.",
            "gauge",
            vec![(
                String::new(),
                self.last_run
                    .as_ref()
                    .map_or(0, |r| r.duration_ms)
                    .to_string(),
            )],
        );
        metric(
            "operator_last_cycle_timestamp_seconds",
            "When the last check cycle started (unix time).",
            "gauge",
            vec![(
                String::new(),
                self.last_run
                    .as_ref()
                    .map_or(0, |r| r.started_at.timestamp())
                    .to_string(),
            )],
        );
        metric(
            "operator_alerts_today",
            "Alerts delivered since local midnight, by priority.",
            "gauge",
            crate::alert::Priority::ALL
                .iter()
                .map(|p| {
                    let n = self
                        .alerts_today
                        .iter()
                        .find(|(q, _)| q == p)
                        .map_or(0, |(_, n)| *n);
                    (format!("{{priority=\"{p}\"}}"), n.to_string())
                })
                .collect(),
        );
        metric(
            "operator_outbox_pending",
            "Messages waiting for delivery.",
            "gauge",
            vec![(String::new(), self.outbox_pending.to_string())],
        );
        metric(
            "operator_update_poll_age_seconds",
            "Seconds since the last successful Telegram poll (-1: never).",
            "gauge",
            vec![(
                String::new(),
                self.poll_age_seconds().unwrap_or(-1).to_string(),
            )],
        );
        metric(
            "operator_source_up",
            "1 when the source's last read gave data (through any link).",
            "gauge",
            ["oura", "workos", "state_files"]
                .iter()
                .map(|s| {
                    (
                        format!("{{source=\"{s}\"}}"),
                        u8::from(self.source_up(s)).to_string(),
                    )
                })
                .collect(),
        );
        metric(
            "operator_breaker_state",
            "Circuit breaker of each source link: 0 closed, 1 half open, 2 open.",
            "gauge",
            Link::ALL
                .iter()
                .map(|link| {
                    let state = self
                        .breakers
                        .iter()
                        .find(|b| b.link == *link)
                        .map_or(BreakerState::Closed, |b| b.state);
                    (
                        format!("{{link=\"{}\"}}", link.name()),
                        state.severity().to_string(),
                    )
                })
                .collect(),
        );
        out
    }
}

#[derive(Clone)]
struct Shared {
    app: Arc<App>,
    cancel: CancellationToken,
}

async fn health(State(s): State<Shared>) -> Response {
    match Snapshot::take(&s.app, s.cancel.is_cancelled()).await {
        Ok(snap) => axum::Json(snap.to_json()).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({"status": "degraded", "error": format!("{e:#}")})),
        )
            .into_response(),
    }
}

async fn metrics(State(s): State<Shared>) -> Response {
    match Snapshot::take(&s.app, s.cancel.is_cancelled()).await {
        Ok(snap) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            snap.to_prometheus(),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("# state database unavailable: {e:#}\n"),
        )
            .into_response(),
    }
}

pub fn router(app: Arc<App>, cancel: CancellationToken) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .with_state(Shared { app, cancel })
}

/// Binds the endpoint (the config only accepts loopback addresses) and serves until `cancel`.
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}

pub async fn serve(listener: tokio::net::TcpListener, app: Arc<App>, cancel: CancellationToken) {
    let shutdown = cancel.clone();
    let router = router(app, cancel);
    if let Err(e) = axum::serve(listener, router)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
    {
        tracing::error!(error = %e, "the health endpoint stopped");
    }
}
