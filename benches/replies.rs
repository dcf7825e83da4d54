//! The bot's reply to each command, built in-process exactly as the dispatcher builds it
//! (`bot::replies::reply`: state database reads, live source reads with their timeout, the
//! text as Telegram HTML and plain), at 1× and 100×; and rendering a 5,000-line `/overdue`.
//! The network send is not included; `scripts/bench.sh` measures that end to end. Also
//! `words/*`: reading plain words (a typical snooze, a question, a refusal, and the worst
//! inputs the fuzz tests feed: 4,096 characters of one letter, 600 × "snooze").
//!
//! Run: `cargo bench --bench replies`.

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use operator::app::App;
use operator::bot::{commands, replies, words};
use operator::clock::SystemClock;
use operator::cycle::Selection;
use operator::render;
use operator::sources::{Commitment, CommitmentOrigin, FileRead, StateSnapshot};

use support::{Setup, TempWorld, chat_ids};

const COMMANDS: [&str; 8] = [
    "/start",
    "/help",
    "/status",
    "/readiness",
    "/overdue",
    "/snooze",
    "/quiet",
    "/check",
];

fn command_replies(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime starts");
    let mut group = c.benchmark_group("reply");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for scale in [1, 100] {
        let chat = chat_ids(1000, 1)[0];
        let setup = Setup {
            chats: vec![chat],
            quiet_hours: false,
            ..Setup::default()
        };
        let w = TempWorld::new(Utc::now(), scale, &setup).expect("the bench world is written");
        let config = w.world.config().expect("config loads");
        let app = runtime.block_on(async {
            let app = App::open(config, Arc::new(SystemClock)).expect("app opens");
            app.run_cycle("bench", Selection::ALL)
                .await
                .expect("first cycle runs");
            app
        });
        for text in COMMANDS {
            let inv = commands::parse(text, None).expect("a command");
            let id = format!("{}/{scale}x", inv.name);
            group.bench_function(BenchmarkId::from_parameter(id), |b| {
                b.iter(|| runtime.block_on(replies::reply(&app, chat, black_box(&inv))))
            });
        }
    }
    group.finish();
}

/// A State snapshot with `n` open commitments, all overdue by 1 to 400 days.
fn overdue_state(n: usize, today: NaiveDate) -> StateSnapshot {
    let list = (0..n)
        .map(|i| Commitment {
            id: format!("c-{i}"),
            title: format!("Commitment <{i}> & its follow-up for client #{}", i % 40),
            kind: "task".to_owned(),
            status: "pending".to_owned(),
            due_date: Some(today - chrono::Duration::days(1 + (i as i64 % 400))),
            priority: Some(1 + i as i64 % 3),
            recurring: false,
            origin: CommitmentOrigin::Json,
            in_both: None,
        })
        .collect();
    StateSnapshot {
        commitment_data: FileRead::Ok(list),
        commitments_md: FileRead::Missing,
        focus_modified: FileRead::Missing,
        brain_dumps: FileRead::Missing,
    }
}

fn render_overdue(c: &mut Criterion) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
    let state = overdue_state(5000, today);
    let mut group = c.benchmark_group("render");
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group.bench_function("overdue_5000_lines", |b| {
        b.iter(|| render::overdue(black_box(&state), today))
    });
    group.finish();
}

fn plain_words(c: &mut Criterion) {
    let tz = operator::zone::Zone::named("America/New_York").expect("a bundled zone");
    let ctx = words::Context {
        now: Utc::now(),
        tz: &tz,
        quiet: Some(words::QuietHours { start: 22, end: 7 }),
    };
    let mut group = c.benchmark_group("words");
    group
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    let cases = [
        ("snooze", "Snooze health till 3pm, please".to_owned()),
        ("question", "how did I sleep?".to_owned()),
        (
            "refusal",
            "snooze the dog until it stops barking".to_owned(),
        ),
        ("worst_letters", "a".repeat(4096)),
        ("worst_snoozes", "snooze ".repeat(600)),
    ];
    for (name, text) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| words::understand(black_box(text), &ctx))
        });
    }
    group.finish();
}

criterion_group!(benches, command_replies, render_overdue, plain_words);
criterion_main!(benches);
