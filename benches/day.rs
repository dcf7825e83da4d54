//! What a day's new messages cost to make, in process, on the demo world at 1×: the 14-day
//! health chart (readiness, HRV, sleep with their normal bands) as a PNG, the 7-day week chart,
//! and the whole morning brief (gathered, written and charted). The goal is ≤ 20 ms per chart.
//!
//! Run: `cargo bench --bench day`.

mod support;

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::Duration;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use operator::cycle::brief::{BriefSources, compose};
use operator::render::charts;
use operator::sources::oura::OuraCache;
use operator::sources::state_files::StateFiles;

use support::{Setup, TempWorld};

fn day(c: &mut Criterion) {
    let now = operator::fixtures::demo::demo_now(Utc::now());
    let w = TempWorld::new(now, 1, &Setup::default()).expect("the bench world is written");
    let config = w.world.config().expect("config loads");
    let today = now.with_timezone(&config.timezone).date_naive();
    let oura = OuraCache::open(&config.adapters.oura.cache_db_path)
        .and_then(|c| c.read(today - chrono::Duration::days(30), today))
        .expect("the demo Oura cache reads");
    let state = StateFiles::new(&config.adapters.state_files.base_path).read();
    let holding = BTreeSet::new();

    let mut group = c.benchmark_group("day");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("health_chart_png", |b| {
        b.iter(|| charts::health_png(black_box(&oura), today).expect("renders"))
    });
    let week = charts::week_chart(Some(&oura), None, today, &config.timezone);
    group.bench_function("week_chart_png", |b| {
        b.iter(|| operator::chart::render_week(black_box(&week)).expect("renders"))
    });
    group.bench_function("morning_brief_with_chart", |b| {
        b.iter(|| {
            let sources = BriefSources {
                oura: Some(&oura),
                state: &state,
                holding: &holding,
                held_back: &[],
            };
            compose(&config, black_box(sources), &[], now)
        })
    });
    group.finish();
}

criterion_group!(benches, day);
criterion_main!(benches);
