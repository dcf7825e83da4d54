//! A small circuit breaker (closed → open → half open; ARCHITECTURE.md, "Fallback chains"),
//! pure and generic over time.
//!
//! **Closed**: calls go through (with retries); `failure_threshold` failures in a row open it.
//! **Open**: calls are rejected until the open period ends. **Half open**: up to
//! `half_open_attempts` trial calls (no retries); a success closes it, that many failed trials
//! open it again for twice as long (capped at [`MAX_OPEN`], or the configured period when
//! that is longer). A permanent failure (wrong password) opens it at once; a `Retry-After`
//! keeps it open at least that long.
//!
//! The breaker never reads a clock: every method takes `now`. It works on any [`Moment`]:
//! `std::time::Instant`, `tokio::time::Instant` (so tests can run on paused time) and
//! `DateTime<Utc>`, which is what the chains persist in the state database so that the daemon
//! and `operator check` processes share one breaker per link.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The longest a breaker stays open after repeated failed trials (unless the configured
/// period is longer).
pub const MAX_OPEN: Duration = Duration::from_secs(30 * 60);

/// A point in time the breaker can compare and add to.
pub trait Moment: Copy + Ord {
    /// `self + d`, saturating instead of overflowing.
    fn plus(self, d: Duration) -> Self;
}

impl Moment for std::time::Instant {
    fn plus(self, d: Duration) -> Self {
        self.checked_add(d).unwrap_or(self)
    }
}

impl Moment for tokio::time::Instant {
    fn plus(self, d: Duration) -> Self {
        self.checked_add(d).unwrap_or(self)
    }
}

impl Moment for DateTime<Utc> {
    fn plus(self, d: Duration) -> Self {
        chrono::Duration::from_std(d)
            .ok()
            .and_then(|d| self.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }

    /// How bad the state is, for "the worst breaker of a source": closed < half open < open.
    pub fn severity(self) -> u8 {
        match self {
            BreakerState::Closed => 0,
            BreakerState::HalfOpen => 1,
            BreakerState::Open => 2,
        }
    }
}

/// The configuration: `circuit_breaker.*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    pub failure_threshold: u32,
    pub open_for: Duration,
    pub half_open_attempts: u32,
}

impl BreakerPolicy {
    pub fn from_config(c: &crate::config::CircuitBreaker) -> BreakerPolicy {
        BreakerPolicy {
            failure_threshold: c.failure_threshold.max(1),
            open_for: c.timeout.to_std().unwrap_or(Duration::from_secs(60)),
            half_open_attempts: c.half_open_attempts.max(1),
        }
    }

    fn max_open(&self) -> Duration {
        self.open_for.max(MAX_OPEN)
    }
}

/// How much a failure weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureWeight {
    /// One failure in a row.
    Counted,
    /// Opens the breaker at once.
    Permanent,
    /// One failure; when the breaker opens, it stays open at least this long.
    RetryAfter(Duration),
}

/// What the breaker allows now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit<T> {
    /// Closed: call, retrying transient failures.
    Call,
    /// Half open: one trial call, no retries.
    Trial,
    /// Open until the given time.
    Rejected { until: T },
}

/// A state change worth telling someone about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Closed → open.
    Tripped,
    /// Half open → open after failed trials.
    Reopened,
    /// Open or half open → closed.
    Recovered,
}

/// While open or half open: since when, until when calls are rejected, and how the trials
/// went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening<T> {
    /// When it first opened (kept across reopenings: the start of the outage).
    pub since: T,
    /// Calls are rejected before this; at or after it the breaker is half open.
    pub until: T,
    /// The current open period (doubles on every reopening).
    pub period: Duration,
    /// Failed trials in the current half-open window.
    pub trial_failures: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breaker<T> {
    /// Failures in a row (reset by a success).
    pub failures: u32,
    pub opening: Option<Opening<T>>,
}

impl<T> Default for Breaker<T> {
    fn default() -> Self {
        Breaker {
            failures: 0,
            opening: None,
        }
    }
}

impl<T: Moment> Breaker<T> {
    pub fn state(&self, now: T) -> BreakerState {
        match &self.opening {
            None => BreakerState::Closed,
            // A clock that went backwards never keeps a breaker open.
            Some(o) if now < o.until && now >= o.since => BreakerState::Open,
            Some(_) => BreakerState::HalfOpen,
        }
    }

    pub fn permit(&self, now: T) -> Permit<T> {
        match (self.state(now), &self.opening) {
            (BreakerState::Open, Some(o)) => Permit::Rejected { until: o.until },
            (BreakerState::HalfOpen, _) => Permit::Trial,
            _ => Permit::Call,
        }
    }

    /// Records a successful call.
    pub fn on_success(&mut self, _now: T) -> Option<Transition> {
        self.failures = 0;
        self.opening.take().map(|_| Transition::Recovered)
    }

    /// Records a failed call (after its retries).
    pub fn on_failure(
        &mut self,
        now: T,
        failure: FailureWeight,
        policy: &BreakerPolicy,
    ) -> Option<Transition> {
        self.failures = self.failures.saturating_add(1);
        let state = self.state(now);
        match (state, self.opening.as_mut()) {
            (BreakerState::Closed, _) => {
                let trip = failure == FailureWeight::Permanent
                    || self.failures >= policy.failure_threshold.max(1);
                if !trip {
                    return None;
                }
                let period = hold(policy.open_for, failure);
                self.opening = Some(Opening {
                    since: now,
                    until: now.plus(period),
                    period,
                    trial_failures: 0,
                });
                Some(Transition::Tripped)
            }
            (BreakerState::HalfOpen, Some(o)) => {
                o.trial_failures = o.trial_failures.saturating_add(1);
                if o.trial_failures < policy.half_open_attempts.max(1)
                    && failure != FailureWeight::Permanent
                {
                    return None;
                }
                let doubled = o.period.saturating_mul(2).min(policy.max_open());
                let period = hold(doubled, failure);
                o.until = now.plus(period);
                o.period = period;
                o.trial_failures = 0;
                if now < o.since {
                    o.since = now;
                }
                Some(Transition::Reopened)
            }
            // A call that raced past an open breaker: counted, nothing changes.
            _ => None,
        }
    }
}

/// The open period for `failure`: at least `Retry-After`.
fn hold(period: Duration, failure: FailureWeight) -> Duration {
    match failure {
        FailureWeight::RetryAfter(d) => period.max(d),
        _ => period,
    }
}

#[cfg(test)]
mod tests;
