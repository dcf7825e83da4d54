//! The fallback chains (ARCHITECTURE.md, "Fallback chains and circuit breakers"): each source is read through an ordered list
//! of links, each link behind its own circuit breaker, with retries inside a closed breaker.
//!
//! - **Oura**: the cache file → the Oura API (when `fallback_api` and a token) → skip the
//!   health checks. With a token, `daily_stress` always comes from the API (the cache has
//!   none), whatever `fallback_api` says. API responses are kept in the state database for
//!   the health interval, so the bot's `/readiness` and back-to-back cycles do not call the
//!   API each time.
//! - **WorkOS**: the cache file when fresh (synced within `cache_ttl`) → Postgres (when a
//!   `database_url` is set; it has personal tasks too) → the stale cache, marked stale → skip
//!   the WorkOS task checks.
//!
//! A link's call is retried on transient failures with exponential backoff (3 attempts; a
//! short `Retry-After` is waited out), once only while half open, and not at all while open.
//! Missing files do not count against a breaker. Breaker state lives in [`ChainState`], loaded
//! from and saved to the state database around the (slow, network) reads so the store is not
//! held meanwhile, and shared by every process. [`alerts`] turns a trip and a recovery into
//! one `system` alert each.

pub mod alerts;
mod state;
mod view;

pub use super::oura::read_oura;
pub use super::workos::read_workos;
pub use state::{ChainState, LinkRecord};
pub use view::{LinkView, link_views, source_state};

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::breaker::{BreakerPolicy, FailureWeight, Permit};
use super::fault::{Fault, FaultKind};
use super::workos::postgres;
use crate::config::Config;

/// One link of a chain; each has its own breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Link {
    OuraCache,
    OuraApi,
    WorkosCache,
    WorkosPostgres,
}

impl Link {
    pub const ALL: [Link; 4] = [
        Link::OuraCache,
        Link::OuraApi,
        Link::WorkosCache,
        Link::WorkosPostgres,
    ];

    /// The breaker's name in the state database and in `status`.
    pub fn name(self) -> &'static str {
        match self {
            Link::OuraCache => "oura.cache",
            Link::OuraApi => "oura.api",
            Link::WorkosCache => "workos.cache",
            Link::WorkosPostgres => "workos.postgres",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Link::OuraCache => "Oura cache",
            Link::OuraApi => "Oura API",
            Link::WorkosCache => "WorkOS cache",
            Link::WorkosPostgres => "WorkOS Postgres",
        }
    }

    /// The source the link belongs to (`oura`, `workos`).
    pub fn source(self) -> &'static str {
        match self {
            Link::OuraCache | Link::OuraApi => "oura",
            Link::WorkosCache | Link::WorkosPostgres => "workos",
        }
    }

    /// The link's kind as recorded in `source_status.via`.
    pub fn via(self) -> &'static str {
        match self {
            Link::OuraCache | Link::WorkosCache => "cache",
            Link::OuraApi => "api",
            Link::WorkosPostgres => "postgres",
        }
    }

    pub fn from_name(name: &str) -> Option<Link> {
        Link::ALL.into_iter().find(|l| l.name() == name)
    }
}

/// A source read: the data (and whether it is stale), or why there is none.
#[derive(Debug, Clone)]
pub enum Read<T> {
    Ok {
        data: T,
        stale: bool,
    },
    /// Nothing configured or present (no cache file, no API token, no database URL).
    Missing(String),
    Failed(String),
}

impl<T> Read<T> {
    pub fn data(&self) -> Option<&T> {
        match self {
            Read::Ok { data, .. } => Some(data),
            _ => None,
        }
    }

    pub fn error(&self) -> Option<&str> {
        match self {
            Read::Ok { .. } => None,
            Read::Missing(e) | Read::Failed(e) => Some(e),
        }
    }
}

/// How a source was served: the link that gave the data, and what failed on the way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Served {
    pub via: Option<Link>,
    pub notes: Vec<String>,
}

/// Retries inside a closed breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts per call while closed (the design's 3).
    pub attempts: u32,
    /// The first backoff; each next one doubles.
    pub base: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` up to this long is waited out; a longer one fails the call.
    pub max_retry_after: Duration,
}

impl Retry {
    pub const STANDARD: Retry = Retry {
        attempts: 3,
        base: Duration::from_millis(500),
        max_delay: Duration::from_secs(4),
        max_retry_after: Duration::from_secs(10),
    };

    /// The wait before attempt `attempt + 1` after a failure of `kind`, or `None` when that
    /// failure is not retried.
    pub fn delay(&self, attempt: u32, kind: FaultKind) -> Option<Duration> {
        let backoff = || {
            let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
            self.base.saturating_mul(factor).min(self.max_delay)
        };
        match kind {
            FaultKind::Transient | FaultKind::RateLimited(None) => Some(backoff()),
            FaultKind::RateLimited(Some(d)) if d <= self.max_retry_after => Some(d),
            _ => None,
        }
    }
}

fn real_sleep(d: Duration) {
    std::thread::sleep(d);
}

static REAL_SLEEP: fn(Duration) = real_sleep;

/// What the chains need from the outside world besides the config: how to wait between
/// attempts (tests record instead of sleeping), the retry policy, Postgres timeouts.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub retry: Retry,
    pub sleep: &'a (dyn Fn(Duration) + Sync),
    pub postgres: postgres::Timeouts,
    /// How long a cache open waits for a writer's lock before failing (transiently).
    pub cache_busy_timeout: Duration,
}

impl Env<'static> {
    /// Real sleeps, [`Retry::STANDARD`], default Postgres timeouts, a 2 s busy timeout.
    pub fn standard() -> Env<'static> {
        Env {
            retry: Retry::STANDARD,
            sleep: &REAL_SLEEP,
            postgres: postgres::Timeouts::default(),
            cache_busy_timeout: Duration::from_secs(2),
        }
    }
}

/// Everything one read needs.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub now: DateTime<Utc>,
    pub env: &'a Env<'a>,
}

impl Ctx<'_> {
    fn policy(&self) -> BreakerPolicy {
        BreakerPolicy::from_config(&self.config.circuit_breaker)
    }
}

/// What calling one link came to.
#[derive(Debug)]
pub(crate) enum Outcome<T> {
    Ok(T),
    /// Not there (the breaker is untouched).
    Missing(String),
    Failed(Fault),
    /// The breaker is open until then; nothing was called.
    Rejected(DateTime<Utc>),
}

impl<T> Outcome<T> {
    /// Why `link` gave no data, for notes and skip reasons. Failure messages already name
    /// their link ("Oura cache unusable: …", "WorkOS Postgres: …").
    pub(crate) fn reason(&self, link: Link, ctx: &Ctx<'_>) -> String {
        match self {
            Outcome::Ok(_) => format!("{}: ok", link.label()),
            Outcome::Missing(m) => m.clone(),
            Outcome::Failed(f) => f.message.clone(),
            Outcome::Rejected(until) => format!(
                "{}: circuit open after repeated failures, next try at {}",
                link.label(),
                until.with_timezone(&ctx.config.timezone).format("%H:%M:%S")
            ),
        }
    }
}

impl ChainState {
    /// Calls `op` through `link`'s breaker: rejected while open, one trial while half open,
    /// up to `retry.attempts` with backoff while closed. Records the outcome on the breaker.
    pub(crate) fn call<T>(
        &mut self,
        link: Link,
        ctx: &Ctx<'_>,
        mut op: impl FnMut() -> Result<T, Fault>,
    ) -> Outcome<T> {
        let now = ctx.now;
        let policy = ctx.policy();
        let attempts = match self.record(link).breaker.permit(now) {
            Permit::Rejected { until } => return Outcome::Rejected(until),
            Permit::Trial => 1,
            Permit::Call => ctx.env.retry.attempts.max(1),
        };
        let mut attempt = 1;
        loop {
            match op() {
                Ok(value) => {
                    self.record_mut(link).succeeded(now);
                    return Outcome::Ok(value);
                }
                Err(fault) if fault.kind == FaultKind::Missing => {
                    return Outcome::Missing(fault.message);
                }
                Err(fault) => {
                    let delay = (attempt < attempts)
                        .then(|| ctx.env.retry.delay(attempt, fault.kind))
                        .flatten();
                    if let Some(delay) = delay {
                        tracing::debug!(link = link.name(), attempt, error = %fault, "retrying");
                        (ctx.env.sleep)(delay);
                        attempt += 1;
                        continue;
                    }
                    tracing::warn!(link = link.name(), kind = fault.kind.as_str(), error = %fault, "source link failed");
                    let failure = match fault.kind {
                        FaultKind::Permanent => FailureWeight::Permanent,
                        FaultKind::RateLimited(Some(d)) => FailureWeight::RetryAfter(d),
                        _ => FailureWeight::Counted,
                    };
                    self.record_mut(link)
                        .failed(now, failure, &policy, &fault.message);
                    return Outcome::Failed(fault);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
