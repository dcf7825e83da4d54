//! The check cycle in-process, at 1×, 10× and 100× the user's data: the whole cycle (every
//! monitor, the pipeline per recipient, the outbox, the journal and the run record) for one
//! chat and for ten, each source read, and each monitor alone.
//!
//! `steady` is the daemon's usual cycle: the store and journal stay open between cycles and
//! the alerts were already sent, so they are deduplicated (and journaled as such). `first`
//! is a cycle on a fresh state database: every alert is new and queued for Telegram.
//!
//! Run: `cargo bench --bench cycle` (figures in BENCHMARKS.md); CI runs `-- --test`.

mod support;

use std::hint::black_box;
use std::time::Duration;

use chrono::{Duration as Days, Utc};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use operator::channels::journal::Journal;
use operator::cycle::{self, Options, Selection};
use operator::monitors;
use operator::sources::oura::OuraCache;
use operator::sources::state_files::StateFiles;
use operator::sources::workos::WorkosCache;
use operator::store::Store;

use support::{SCALES, Setup, TempWorld, chat_ids};

fn world(scale: u32, chats: usize) -> TempWorld {
    let setup = Setup {
        chats: chat_ids(1000, chats),
        quiet_hours: false,
        ..Setup::default()
    };
    TempWorld::new(demo_now(), scale, &setup).expect("the bench world is written")
}

fn demo_now() -> chrono::DateTime<Utc> {
    operator::fixtures::demo::demo_now(Utc::now())
}

fn options(now: chrono::DateTime<Utc>) -> Options {
    Options {
        now,
        dry_run: false,
        trigger: "bench",
        monitors: Selection::ALL,
    }
}

fn full_cycle(c: &mut Criterion) {
    let mut group = c.benchmark_group("cycle");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for scale in SCALES {
        for chats in [1, 10] {
            let w = world(scale, chats);
            let config = w.world.config().expect("config loads");
            let now = w.world.now;
            let id = format!("{scale}x/{chats}chat");

            let mut store = Store::open(&config.state.db_path).expect("store opens");
            let mut journal =
                Journal::open(&config.alerters.journal.log_path, config.logging.rotation)
                    .expect("journal opens");
            group.bench_function(BenchmarkId::new("steady", &id), |b| {
                b.iter(|| {
                    cycle::run(&config, &mut store, Some(&mut journal), None, &options(now))
                        .expect("cycle runs")
                })
            });

            let dir = w.world.files.dir.clone();
            let mut n = 0u64;
            group.bench_function(BenchmarkId::new("first", &id), |b| {
                b.iter_batched(
                    || {
                        n += 1;
                        let path = dir.join(format!("State/fresh-{n}.db"));
                        let _ = std::fs::remove_file(&path);
                        Store::open(&path).expect("fresh store opens")
                    },
                    |mut fresh| {
                        let report = cycle::run(
                            &config,
                            &mut fresh,
                            Some(&mut journal),
                            None,
                            &options(now),
                        )
                        .expect("cycle runs");
                        (report, fresh)
                    },
                    BatchSize::PerIteration,
                )
            });
        }
    }
    group.finish();
}

fn sources_and_monitors(c: &mut Criterion) {
    let mut group = c.benchmark_group("parts");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for scale in SCALES {
        let w = world(scale, 1);
        let config = w.world.config().expect("config loads");
        let now = w.world.now;
        let local = now.with_timezone(&config.timezone);
        let today = local.date_naive();
        let s = format!("{scale}x");

        let oura_path = config.adapters.oura.cache_db_path.clone();
        group.bench_function(BenchmarkId::new("read_oura", &s), |b| {
            b.iter(|| {
                OuraCache::open(&oura_path)
                    .and_then(|c| c.read(today - Days::days(35), today))
                    .expect("oura reads")
            })
        });
        let workos_path = config.adapters.workos.cache_db_path.clone();
        group.bench_function(BenchmarkId::new("read_workos", &s), |b| {
            b.iter(|| {
                WorkosCache::open(&workos_path)
                    .and_then(|c| c.read(now - Days::days(8)))
                    .expect("workos reads")
            })
        });
        let state = StateFiles::new(&config.adapters.state_files.base_path);
        group.bench_function(BenchmarkId::new("read_state_files", &s), |b| {
            b.iter(|| state.read())
        });
        let store = Store::open(&config.state.db_path).expect("store opens");
        let env = operator::sources::chain::Env::standard();
        let mut chain =
            operator::sources::chain::ChainState::load(&store, now).expect("breakers load");
        group.bench_function(BenchmarkId::new("read_sources", &s), |b| {
            b.iter(|| cycle::read_sources(&config, &mut chain, &env, now))
        });

        let snap = cycle::read_sources(&config, &mut chain, &env, now);
        let oura = snap.oura.data().expect("oura data").clone();
        let workos = snap.workos.data().cloned();
        let punts = store.punt_counts(now - Days::days(7)).expect("punts read");
        let m = &config.monitors;
        group.bench_function(BenchmarkId::new("monitor_health", &s), |b| {
            b.iter(|| {
                monitors::health::health(black_box(&oura), local.clone(), &m.health.thresholds)
            })
        });
        group.bench_function(BenchmarkId::new("monitor_tasks", &s), |b| {
            b.iter(|| {
                monitors::tasks::tasks(
                    black_box(&snap.state),
                    workos.as_ref(),
                    local.clone(),
                    &m.tasks,
                )
            })
        });
        let input = monitors::patterns::PatternInput {
            oura: Some(&oura),
            workos: workos.as_ref(),
            state: Some(&snap.state),
            punts: &punts,
        };
        group.bench_function(BenchmarkId::new("monitor_patterns", &s), |b| {
            b.iter(|| monitors::patterns::patterns(black_box(&input), local.clone(), &m.patterns))
        });
    }
    group.finish();
}

criterion_group!(benches, full_cycle, sources_and_monitors);
criterion_main!(benches);
