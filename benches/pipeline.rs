//! Pipeline decisions per second (`pipeline::decide`, pure): the demo cycle's alerts for a
//! recipient that has seen none of them, the same alerts all deduplicated, and 1,000 alerts
//! mixing every outcome (acknowledged, snoozed, deduplicated, storm-capped, below the
//! channel's minimum, sent). Criterion reports elements (alerts decided) per second.
//!
//! Run: `cargo bench --bench pipeline`.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;
use std::time::Duration;

use chrono::Utc;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use operator::alert::{Alert, AlertClass, Priority};
use operator::cycle::{self, Options, Selection};
use operator::pipeline::{self, ChatState, Recipient, SentRecord, Snooze, SnoozeScope};
use operator::store::Store;

use support::{Setup, TempWorld};

/// The alerts a 1× demo cycle raises.
fn demo_alerts() -> (Vec<Alert>, operator::config::Config, chrono::DateTime<Utc>) {
    let now = operator::fixtures::demo::demo_now(Utc::now());
    let w = TempWorld::new(now, 1, &Setup::default()).expect("the bench world is written");
    let config = w.world.config().expect("config loads");
    let mut store = Store::open_in_memory().expect("store opens");
    let options = Options {
        now,
        dry_run: true,
        trigger: "bench",
        monitors: Selection::ALL,
    };
    let report = cycle::run(&config, &mut store, None, None, &options).expect("cycle runs");
    (report.alerts, config, now)
}

/// `n` alerts over every class and priority; a quarter each acknowledged, snoozed (by key),
/// already sent (deduplicated), and new.
fn mixed(n: usize, now: chrono::DateTime<Utc>) -> (Vec<Alert>, ChatState) {
    let classes = [AlertClass::Health, AlertClass::Tasks, AlertClass::Patterns];
    let mut state = ChatState::default();
    let alerts: Vec<Alert> = (0..n)
        .map(|i| {
            let subject = format!("item-{i}");
            let alert = Alert::new(
                classes[i % 3],
                &format!("kind{}", i % 7),
                Some(&subject),
                Priority::ALL[i % 5],
                format!("Alert {i}"),
                format!("Something about item {i} needs attention"),
                now,
            )
            .with_subject_label(subject);
            match i % 4 {
                0 => {
                    state.acks.insert(alert.dedup_key.clone());
                }
                1 => state.snoozes.push(Snooze {
                    scope: SnoozeScope::Key(alert.dedup_key.clone()),
                    until: now + chrono::Duration::hours(1),
                    priority: Some(alert.priority),
                }),
                2 => {
                    state.sent.insert(
                        alert.dedup_key.clone(),
                        SentRecord {
                            at: now - chrono::Duration::minutes(5),
                            priority: alert.priority,
                        },
                    );
                }
                _ => {}
            }
            alert
        })
        .collect();
    (alerts, state)
}

fn decide(c: &mut Criterion) {
    let (alerts, config, now) = demo_alerts();
    let policy = cycle::policy_for(&config, Recipient::Chat(1));
    let mut group = c.benchmark_group("pipeline");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));

    group.throughput(Throughput::Elements(alerts.len() as u64));
    let fresh = ChatState::default();
    group.bench_function(BenchmarkId::new("decide", "demo_new"), |b| {
        b.iter(|| pipeline::decide(black_box(&alerts), &fresh, now, &policy))
    });
    let seen = ChatState {
        quiet_until: None,
        sent: alerts
            .iter()
            .map(|a| {
                let record = SentRecord {
                    at: now - chrono::Duration::minutes(5),
                    priority: a.priority,
                };
                (a.dedup_key.clone(), record)
            })
            .collect::<BTreeMap<_, _>>(),
        acks: BTreeSet::new(),
        ..ChatState::default()
    };
    group.bench_function(BenchmarkId::new("decide", "demo_deduplicated"), |b| {
        b.iter(|| pipeline::decide(black_box(&alerts), &seen, now, &policy))
    });

    let (many, state) = mixed(1000, now);
    group.throughput(Throughput::Elements(many.len() as u64));
    group.bench_function(BenchmarkId::new("decide", "1000_mixed"), |b| {
        b.iter(|| pipeline::decide(black_box(&many), &state, now, &policy))
    });
    group.finish();
}

criterion_group!(benches, decide);
criterion_main!(benches);
