//! Unit tests of the circuit breaker: trips, half-open trials, doubling open periods, and
//! the same behaviour on every clock it is generic over.

use std::time::{Duration, Instant};

use super::*;

const POLICY: BreakerPolicy = BreakerPolicy {
    failure_threshold: 3,
    open_for: Duration::from_secs(60),
    half_open_attempts: 1,
};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn failed(b: &mut Breaker<Instant>, at: Instant, n: u32) -> Vec<Option<Transition>> {
    (0..n)
        .map(|_| b.on_failure(at, FailureWeight::Counted, &POLICY))
        .collect()
}

#[test]
fn trips_at_the_threshold_and_not_one_failure_before() {
    let t0 = Instant::now();
    let mut b = Breaker::default();
    assert_eq!(failed(&mut b, t0, 2), vec![None, None]);
    assert_eq!(
        b.state(t0),
        BreakerState::Closed,
        "2 of 3 failures: still closed"
    );
    assert_eq!(b.permit(t0), Permit::Call);
    assert_eq!(
        b.on_failure(t0, FailureWeight::Counted, &POLICY),
        Some(Transition::Tripped)
    );
    assert_eq!(b.state(t0), BreakerState::Open);
    assert_eq!(
        b.permit(t0),
        Permit::Rejected {
            until: t0 + secs(60)
        }
    );
}

#[test]
fn a_success_resets_the_count_so_scattered_failures_never_trip() {
    let t0 = Instant::now();
    let mut b = Breaker::default();
    for _ in 0..5 {
        failed(&mut b, t0, 2);
        assert_eq!(b.on_success(t0), None, "closed stays closed");
    }
    assert_eq!(b.state(t0), BreakerState::Closed);
    assert_eq!(b.failures, 0);
}

#[test]
fn open_until_the_timeout_then_half_open() {
    let t0 = Instant::now();
    let mut b = Breaker::default();
    failed(&mut b, t0, 3);
    let cases = [
        (secs(0), BreakerState::Open),
        (secs(59), BreakerState::Open),
        (Duration::from_millis(59_999), BreakerState::Open),
        (secs(60), BreakerState::HalfOpen),
        (secs(3600), BreakerState::HalfOpen),
    ];
    for (after, want) in cases {
        assert_eq!(b.state(t0 + after), want, "{after:?} after opening");
    }
    assert_eq!(b.permit(t0 + secs(60)), Permit::Trial);
}

#[test]
fn a_successful_trial_closes_it() {
    let t0 = Instant::now();
    let mut b = Breaker::default();
    failed(&mut b, t0, 3);
    let t1 = t0 + secs(61);
    assert_eq!(b.on_success(t1), Some(Transition::Recovered));
    assert_eq!(b.state(t1), BreakerState::Closed);
    assert_eq!(b.failures, 0);
    // Closed again: it takes the full threshold to trip once more.
    assert_eq!(failed(&mut b, t1, 2), vec![None, None]);
    assert_eq!(b.state(t1), BreakerState::Closed);
}

#[test]
fn a_failed_trial_reopens_for_twice_as_long_capped() {
    let t0 = Instant::now();
    let mut b = Breaker::default();
    failed(&mut b, t0, 3);
    let mut at = t0;
    let mut periods = Vec::new();
    for _ in 0..8 {
        at = match b.opening {
            Some(o) => o.until,
            None => panic!("open"),
        };
        assert_eq!(b.state(at), BreakerState::HalfOpen);
        assert_eq!(
            b.on_failure(at, FailureWeight::Counted, &POLICY),
            Some(Transition::Reopened)
        );
        periods.push(b.opening.map(|o| o.period.as_secs()).unwrap_or(0));
    }
    assert_eq!(periods, vec![120, 240, 480, 960, 1800, 1800, 1800, 1800]);
    assert_eq!(
        b.opening.map(|o| o.since),
        Some(t0),
        "the outage start is kept"
    );
    assert_eq!(b.state(at), BreakerState::Open);
}

#[test]
fn half_open_attempts_allow_that_many_trials() {
    let policy = BreakerPolicy {
        half_open_attempts: 2,
        ..POLICY
    };
    let t0 = Instant::now();
    let mut b = Breaker::default();
    for _ in 0..3 {
        b.on_failure(t0, FailureWeight::Counted, &policy);
    }
    let t1 = t0 + secs(60);
    assert_eq!(b.on_failure(t1, FailureWeight::Counted, &policy), None);
    assert_eq!(b.state(t1), BreakerState::HalfOpen, "one trial left");
    assert_eq!(b.permit(t1), Permit::Trial);
    assert_eq!(
        b.on_failure(t1, FailureWeight::Counted, &policy),
        Some(Transition::Reopened)
    );
    assert_eq!(b.state(t1), BreakerState::Open);
}

#[test]
fn a_permanent_failure_trips_at_once() {
    let t0 = Instant::now();
    let mut b = Breaker::default();
    assert_eq!(
        b.on_failure(t0, FailureWeight::Permanent, &POLICY),
        Some(Transition::Tripped)
    );
    assert_eq!(b.state(t0 + secs(30)), BreakerState::Open);
}

#[test]
fn retry_after_keeps_it_open_at_least_that_long() {
    let t0 = Instant::now();
    let mut b = Breaker::default();
    failed(&mut b, t0, 2);
    assert_eq!(
        b.on_failure(t0, FailureWeight::RetryAfter(secs(300)), &POLICY),
        Some(Transition::Tripped)
    );
    assert_eq!(b.state(t0 + secs(299)), BreakerState::Open);
    assert_eq!(b.state(t0 + secs(300)), BreakerState::HalfOpen);
    // A short Retry-After does not shorten the configured period.
    let mut c = Breaker::default();
    failed(&mut c, t0, 2);
    c.on_failure(t0, FailureWeight::RetryAfter(secs(5)), &POLICY);
    assert_eq!(c.state(t0 + secs(59)), BreakerState::Open);
}

#[test]
fn a_clock_that_went_backwards_does_not_hold_it_open() {
    let now = chrono::Utc::now();
    let mut b: Breaker<DateTime<Utc>> = Breaker::default();
    for _ in 0..3 {
        b.on_failure(now, FailureWeight::Counted, &POLICY);
    }
    assert_eq!(b.state(now), BreakerState::Open);
    assert_eq!(
        b.state(now - chrono::Duration::hours(2)),
        BreakerState::HalfOpen
    );
}

#[test]
fn config_values_become_the_policy() {
    let c = crate::config::CircuitBreaker {
        failure_threshold: 0,
        timeout: chrono::Duration::seconds(7200),
        half_open_attempts: 2,
    };
    let p = BreakerPolicy::from_config(&c);
    assert_eq!(p.failure_threshold, 1, "0 would never trip: read as 1");
    assert_eq!(p.open_for, secs(7200));
    assert_eq!(
        p.max_open(),
        secs(7200),
        "a longer configured period is the cap"
    );
}

#[tokio::test(start_paused = true)]
async fn runs_on_paused_tokio_time() {
    let mut b: Breaker<tokio::time::Instant> = Breaker::default();
    let now = tokio::time::Instant::now;
    for _ in 0..3 {
        b.on_failure(now(), FailureWeight::Counted, &POLICY);
    }
    assert_eq!(b.state(now()), BreakerState::Open);
    tokio::time::advance(secs(59)).await;
    assert_eq!(b.state(now()), BreakerState::Open);
    tokio::time::advance(secs(1)).await;
    assert_eq!(b.permit(now()), Permit::Trial);
    assert_eq!(b.on_success(now()), Some(Transition::Recovered));
    assert_eq!(b.state(now()), BreakerState::Closed);
}
