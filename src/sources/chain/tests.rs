//! Unit tests of the fallback chains: retries, breakers opening and recovering, missing
//! versus failed sources, and the trip and recovery alerts.

use std::cell::Cell;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::alerts::{RECOVERED, TRIPPED, transition_alerts};
use super::*;
use crate::alert::Priority;
use crate::config::load_str;
use crate::sources::breaker::BreakerState;
use crate::store::Store;

pub(crate) fn test_config(dir: &Path) -> Config {
    let d = dir.display();
    let yaml = format!(
        r#"
version: "1.0"
timezone: "America/New_York"
state:
  db_path: "{d}/state.db"
adapters:
  oura:
    cache_db_path: "{d}/oura.db"
  workos:
    cache_db_path: "{d}/workos.db"
  state_files:
    base_path: "{d}/State"
alerters:
  telegram:
    enabled: false
  macos:
    enabled: false
  journal:
    log_path: "{d}/operator.log"
circuit_breaker:
  failure_threshold: 3
  timeout_seconds: 60
  half_open_attempts: 1
"#
    );
    match load_str(&yaml, &dir.join("operator.yaml"), &|_| None) {
        Ok(c) => c,
        Err(e) => panic!("test config: {e:?}"),
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 14, 0, 0)
        .single()
        .unwrap_or_default()
}

struct Harness {
    _dir: tempfile::TempDir,
    config: Config,
    slept: Mutex<Vec<Duration>>,
}

impl Harness {
    fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let config = test_config(dir.path());
        Harness {
            _dir: dir,
            config,
            slept: Mutex::new(Vec::new()),
        }
    }

    /// Calls `link` at `now` with an op that returns the scripted results in turn; returns
    /// the outcome, how many times the op ran and the sleeps in between.
    fn call(
        &self,
        state: &mut ChainState,
        now: DateTime<Utc>,
        script: &[Result<u8, Fault>],
    ) -> (Outcome<u8>, usize, Vec<Duration>) {
        self.slept.lock().unwrap().clear();
        let sleep = |d: Duration| self.slept.lock().unwrap().push(d);
        let env = Env {
            retry: Retry::STANDARD,
            sleep: &sleep,
            postgres: postgres::Timeouts::default(),
            cache_busy_timeout: Duration::from_millis(50),
        };
        let ctx = Ctx {
            config: &self.config,
            now,
            env: &env,
        };
        let calls = Cell::new(0usize);
        let outcome = state.call(Link::OuraApi, &ctx, || {
            let i = calls.get();
            calls.set(i + 1);
            script
                .get(i.min(script.len().saturating_sub(1)))
                .cloned()
                .unwrap_or(Ok(0))
        });
        let slept = self.slept.lock().unwrap().clone();
        (outcome, calls.get(), slept)
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn transient() -> Result<u8, Fault> {
    Err(Fault::transient("HTTP 500"))
}

#[test]
fn transient_failures_are_retried_with_exponential_backoff() {
    let h = Harness::new();
    let mut state = ChainState::default();
    let (outcome, calls, slept) = h.call(&mut state, t0(), &[transient(), transient(), Ok(7)]);
    assert!(matches!(outcome, Outcome::Ok(7)));
    assert_eq!((calls, slept), (3, vec![ms(500), ms(1000)]));
    let r = state.record(Link::OuraApi);
    assert_eq!(r.breaker.failures, 0);
    assert_eq!(r.last_ok, Some(t0()));
}

#[test]
fn three_failed_calls_open_the_breaker_then_calls_are_rejected() {
    let h = Harness::new();
    let mut state = ChainState::default();
    for n in 1..=3 {
        let (outcome, calls, _) = h.call(&mut state, t0(), &[transient()]);
        assert!(matches!(outcome, Outcome::Failed(_)));
        assert_eq!(calls, 3, "3 attempts per call");
        assert_eq!(state.record(Link::OuraApi).breaker.failures, n);
    }
    assert_eq!(state.record(Link::OuraApi).state(t0()), BreakerState::Open);
    let (outcome, calls, _) = h.call(&mut state, t0() + chrono::Duration::seconds(59), &[Ok(1)]);
    assert!(matches!(outcome, Outcome::Rejected(_)));
    assert_eq!(calls, 0, "an open breaker calls nothing");
}

#[test]
fn half_open_allows_one_attempt_and_a_success_closes() {
    let h = Harness::new();
    let mut state = ChainState::default();
    for _ in 0..3 {
        h.call(&mut state, t0(), &[transient()]);
    }
    let later = t0() + chrono::Duration::seconds(60);
    let (outcome, calls, slept) = h.call(&mut state, later, &[transient()]);
    assert!(matches!(outcome, Outcome::Failed(_)));
    assert_eq!((calls, slept.len()), (1, 0), "a trial is not retried");
    assert_eq!(state.record(Link::OuraApi).state(later), BreakerState::Open);
    let after = later + chrono::Duration::seconds(120);
    let (outcome, calls, _) = h.call(&mut state, after, &[Ok(3)]);
    assert!(matches!(outcome, Outcome::Ok(3)));
    assert_eq!(calls, 1);
    assert_eq!(
        state.record(Link::OuraApi).state(after),
        BreakerState::Closed
    );
}

#[test]
fn permanent_invalid_and_missing_are_not_retried() {
    let h = Harness::new();
    let cases = [
        (Fault::permanent("HTTP 401"), BreakerState::Open, 1),
        (Fault::invalid("malformed JSON"), BreakerState::Closed, 1),
        (
            Fault::new(FaultKind::Missing, "no file"),
            BreakerState::Closed,
            0,
        ),
    ];
    for (fault, want_state, want_failures) in cases {
        let mut state = ChainState::default();
        let (_, calls, slept) = h.call(&mut state, t0(), &[Err(fault.clone())]);
        assert_eq!((calls, slept.len()), (1, 0), "{fault:?}");
        let r = state.record(Link::OuraApi);
        assert_eq!(r.state(t0()), want_state, "{fault:?}");
        assert_eq!(r.breaker.failures, want_failures, "{fault:?}");
        assert_eq!(
            r.touched,
            want_failures > 0,
            "missing leaves the breaker alone"
        );
    }
}

#[test]
fn a_short_retry_after_is_waited_out_a_long_one_holds_the_breaker_open() {
    let h = Harness::new();
    let limited = |s: u64| {
        Err(Fault::new(
            FaultKind::RateLimited(Some(Duration::from_secs(s))),
            "HTTP 429",
        ))
    };
    let mut state = ChainState::default();
    let (outcome, _, slept) = h.call(&mut state, t0(), &[limited(5), Ok(1)]);
    assert!(matches!(outcome, Outcome::Ok(1)));
    assert_eq!(slept, vec![Duration::from_secs(5)]);

    let mut state = ChainState::default();
    for _ in 0..3 {
        let (_, calls, slept) = h.call(&mut state, t0(), &[limited(600)]);
        assert_eq!(
            (calls, slept.len()),
            (1, 0),
            "10 minutes is not waited in a cycle"
        );
    }
    let r = state.record(Link::OuraApi);
    assert_eq!(
        r.state(t0() + chrono::Duration::seconds(599)),
        BreakerState::Open
    );
    assert_eq!(
        r.state(t0() + chrono::Duration::seconds(600)),
        BreakerState::HalfOpen
    );
}

#[test]
fn a_trip_and_a_recovery_each_alert_once() {
    let h = Harness::new();
    let mut state = ChainState::default();
    let alerts_at =
        |state: &mut ChainState, now, served| transition_alerts(state, &h.config, now, |_| served);
    for _ in 0..2 {
        h.call(&mut state, t0(), &[transient()]);
        assert!(
            alerts_at(&mut state, t0(), false).is_empty(),
            "not tripped yet"
        );
    }
    h.call(&mut state, t0(), &[transient()]);
    let trip = alerts_at(&mut state, t0(), false);
    assert_eq!(trip.len(), 1);
    assert_eq!(trip[0].dedup_key, format!("system:{TRIPPED}:oura.api"));
    assert_eq!(trip[0].priority, Priority::High, "Oura had no data at all");
    assert!(trip[0].message.contains("HTTP 500"), "{}", trip[0].message);
    assert!(trip[0].message.contains("Health checks are skipped"));

    // Open, half open, a failed trial: no more alerts.
    let mut now = t0();
    for _ in 0..3 {
        now += chrono::Duration::seconds(900);
        h.call(&mut state, now, &[transient()]);
        assert!(alerts_at(&mut state, now, false).is_empty());
    }
    now += chrono::Duration::seconds(900);
    h.call(&mut state, now, &[Ok(1)]);
    let recovery = alerts_at(&mut state, now, true);
    assert_eq!(recovery.len(), 1);
    assert_eq!(
        recovery[0].dedup_key,
        format!("system:{RECOVERED}:oura.api")
    );
    assert!(alerts_at(&mut state, now, true).is_empty(), "once");
}

#[test]
fn state_survives_the_store_and_only_touched_links_are_written() {
    let h = Harness::new();
    let mut store = Store::open_in_memory().unwrap();
    let mut state = ChainState::load(&store, t0()).unwrap();
    for _ in 0..3 {
        h.call(&mut state, t0(), &[transient()]);
    }
    state.keep_response("oura:daily_stress:a:b".into(), "[]".into());
    state
        .save(&mut store, t0(), chrono::Duration::minutes(15))
        .unwrap();
    let rows = store.breakers().unwrap();
    assert_eq!(rows.len(), 1, "only the link that was called");
    let loaded = ChainState::load(&store, t0()).unwrap();
    let r = loaded.record(Link::OuraApi);
    assert_eq!(r.state(t0()), BreakerState::Open);
    assert_eq!(r.breaker.failures, 3);
    assert_eq!(r.last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(loaded.response("oura:daily_stress:a:b"), Some("[]"));
    let expired = ChainState::load(&store, t0() + chrono::Duration::minutes(15)).unwrap();
    assert_eq!(
        expired.response("oura:daily_stress:a:b"),
        None,
        "kept one interval"
    );
}

#[test]
fn backoff_delays_double_and_are_capped() {
    let r = Retry::STANDARD;
    let delays: Vec<_> = (1..=5)
        .filter_map(|a| r.delay(a, FaultKind::Transient))
        .collect();
    assert_eq!(
        delays,
        vec![ms(500), ms(1000), ms(2000), ms(4000), ms(4000)]
    );
    assert_eq!(r.delay(1, FaultKind::Invalid), None);
    assert_eq!(r.delay(1, FaultKind::Permanent), None);
    assert_eq!(r.delay(1, FaultKind::RateLimited(None)), Some(ms(500)));
}

#[test]
fn nothing_configured_or_present_reads_as_missing_not_failed() {
    let h = Harness::new();
    let sleep = |_: Duration| {};
    let env = Env {
        retry: Retry::STANDARD,
        sleep: &sleep,
        postgres: postgres::Timeouts::default(),
        cache_busy_timeout: Duration::from_millis(50),
    };
    let ctx = Ctx {
        config: &h.config,
        now: t0(),
        env: &env,
    };
    let mut state = ChainState::default();
    let (oura, served) = read_oura(&mut state, &ctx);
    assert!(matches!(oura, Read::Missing(_)), "{oura:?}");
    assert_eq!(served.via, None);
    let why = oura.error().unwrap_or_default();
    assert!(why.contains("not found") && why.contains("token"), "{why}");
    let (workos, _) = read_workos(&mut state, &ctx, t0());
    assert!(matches!(workos, Read::Missing(_)), "{workos:?}");
    assert!(workos.error().unwrap_or_default().contains("database_url"));
    assert_eq!(state.records().count(), 0, "missing files touch no breaker");
}
