//! Resilient sources against real components: a real PostgreSQL server (started by the
//! tests), a wiremock fake of the Oura API, and broken cache files; cycles run end to end
//! on the demo world with the breakers persisted in a real state database.

mod atomic_cycle;
mod caches;
mod oura_api;
mod postgres;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use operator::channels::journal::Journal;
use operator::config::Config;
use operator::cycle::{self, Options, Report, Selection, SourceReads};
use operator::sources::chain::{ChainState, Env, Retry};
use operator::store::Store;

use crate::support::DemoWorld;

fn no_sleep(_: Duration) {}

static NO_SLEEP: fn(Duration) = no_sleep;

/// The standard retry policy without the waiting, short timeouts.
pub fn fast_env() -> Env<'static> {
    Env {
        retry: Retry::STANDARD,
        sleep: &NO_SLEEP,
        postgres: operator::sources::workos::postgres::Timeouts {
            connect: Duration::from_secs(3),
            statement: Duration::from_secs(5),
        },
        cache_busy_timeout: Duration::from_millis(50),
    }
}

/// Edits the demo world's config: each `(from, to)` must match once.
pub fn patch_config(world: &DemoWorld, edits: &[(&str, &str)]) {
    let mut text = std::fs::read_to_string(&world.files.config).expect("config");
    for (from, to) in edits {
        assert!(text.contains(from), "the demo config has no {from:?}");
        text = text.replacen(from, to, 1);
    }
    std::fs::write(&world.files.config, text).expect("config written");
}

/// The demo world's config with the WorkOS database URL set and the cache TTL given.
pub fn with_database(world: &DemoWorld, url: &str, cache_ttl: u32) {
    patch_config(
        world,
        &[
            ("database_url: \"\"", &format!("database_url: \"{url}\"")),
            (
                "cache_ttl_seconds: 300",
                &format!("cache_ttl_seconds: {cache_ttl}"),
            ),
        ],
    );
}

/// The demo world's config with the Oura API fallback on, pointing at `base`.
pub fn with_oura_api(world: &DemoWorld, base: &str, token: &str) {
    patch_config(
        world,
        &[(
            "    fallback_api: false\n    api_timeout_seconds: 10\n",
            &format!(
                "    fallback_api: true\n    api_timeout_seconds: 1\n    access_token: \"{token}\"\n"
            ),
        )],
    );
    world.point_oura_api_at(base);
}

/// The state database and journal of a world, kept open across cycles.
pub struct Runner {
    pub config: Config,
    pub store: Store,
    pub journal: Journal,
}

impl Runner {
    pub fn new(world: &DemoWorld) -> Runner {
        let config = world.config();
        let store = Store::open(&config.state.db_path).expect("state db");
        let journal = Journal::open(&config.alerters.journal.log_path, config.logging.rotation)
            .expect("journal");
        Runner {
            config,
            store,
            journal,
        }
    }

    /// One full cycle at `now` (sources read through the chains with `env`).
    pub fn cycle(&mut self, now: DateTime<Utc>, env: &Env<'_>) -> Report {
        let started = Instant::now();
        let mut chain = ChainState::load(&self.store, now).expect("breakers");
        let snapshots = cycle::read_sources(&self.config, &mut chain, env, now);
        let options = Options {
            now,
            dry_run: false,
            trigger: "test",
            monitors: Selection::ALL,
        };
        let reads = SourceReads {
            snapshots,
            chain,
            started,
        };
        cycle::run_with(
            &self.config,
            &mut self.store,
            Some(&mut self.journal),
            None,
            &options,
            reads,
        )
        .expect("the cycle completes")
    }
}

/// The dedup keys of the `system` alerts a cycle raised.
pub fn system_alerts(report: &Report) -> Vec<String> {
    report
        .alerts
        .iter()
        .filter(|a| a.dedup_key.starts_with("system:"))
        .map(|a| a.dedup_key.clone())
        .collect()
}

pub fn source<'a>(report: &'a Report, name: &str) -> &'a operator::store::SourceStatus {
    report
        .sources
        .iter()
        .find(|s| s.source == name)
        .unwrap_or_else(|| panic!("no {name} status"))
}

pub fn monitor<'a>(report: &'a Report, name: &str) -> &'a operator::store::MonitorRun {
    report
        .monitors
        .iter()
        .find(|m| m.monitor == name)
        .unwrap_or_else(|| panic!("no {name} result"))
}
