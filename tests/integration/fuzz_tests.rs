//! Hostile input, fuzzed with proptest: the config loader, button callback data (and presses
//! of forged data from the wrong chat), the /snooze and /quiet argument parsers, command
//! parsing, the Commitments.md and JSON State-file parsers, and Oura JSON documents read
//! through the real cache reader. Every target: no panic, an answer within a time bound, the
//! process's peak memory under a bound.
//!
//! `OPERATOR_FUZZ_CASES` sets the cases per target (CI default 512); the long run in
//! RELIABILITY.md uses 200000.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use operator::bot::args::{parse_duration, parse_quiet, parse_snooze};
use operator::channels::telegram::callback::CallbackData;
use operator::fixtures::{OuraTable, create_oura_cache, insert_oura_raw};
use operator::sources::oura::OuraCache;
use operator::sources::state_files::{
    parse_brain_dumps, parse_commitment_data, parse_commitments_md,
};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use serde_json::Value;

/// No single input may take longer than this (debug build, loaded CI machine).
const BOUND: Duration = Duration::from_secs(2);

fn cases() -> u32 {
    std::env::var("OPERATOR_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

/// Runs `check` over `strategy` for [`cases`] inputs, timing each one.
fn fuzz<S: Strategy>(name: &str, strategy: S, check: impl Fn(S::Value))
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(RunnerConfig {
        cases: cases(),
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let result = runner.run(&strategy, |input| {
        let started = Instant::now();
        check(input);
        let took = started.elapsed();
        prop_assert!(took < BOUND, "{name}: one input took {took:?}");
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    // Memory stays bounded: inputs are small, and a parser that allocated without bound on
    // one of them would show in the process's peak (all tests of this binary share it).
    let peak = peak_rss_mib();
    assert!(peak < MEMORY_BOUND_MIB, "{name}: peak RSS {peak} MiB");
    println!(
        "reliability: fuzz {name}: {} inputs, no panic, test process peak RSS {peak} MiB",
        cases()
    );
}

/// The test process's peak resident memory may not pass this while fuzzing.
const MEMORY_BOUND_MIB: u64 = 1024;

/// `VmHWM` of this process in MiB (0 where /proc is not there).
fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

/// Text mixing what breaks parsers: markup, RTL marks, zero-width, NUL, emoji, digits, signs.
fn hostile_text(max: usize) -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("<".to_owned()),
        Just(">".to_owned()),
        Just("&".to_owned()),
        Just("&amp;".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("\u{202E}".to_owned()),
        Just("\u{200B}".to_owned()),
        Just("\u{200F}".to_owned()),
        Just("\u{FEFF}".to_owned()),
        Just("\0".to_owned()),
        Just("\n".to_owned()),
        Just("- [ ] ".to_owned()),
        Just("## ".to_owned()),
        Just("📅".to_owned()),
        Just("2026-11-27".to_owned()),
        Just("9999999999999999999999".to_owned()),
        Just("-".to_owned()),
        Just(":".to_owned()),
        Just("${HOME}".to_owned()),
        "[a-z0-9 ]{0,8}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(atoms, 0..max).prop_map(|v| v.concat())
}

/// Arbitrary JSON, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        hostile_text(6).prop_map(Value::String),
        Just(Value::String("2026-11-27".into())),
        Just(Value::String("2026-11-26T23:10:00-05:00".into())),
    ];
    leaf.prop_recursive(3, 48, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((field_name(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Field names the real parsers look for, and others.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "id",
            "day",
            "score",
            "contributors",
            "hrv_balance",
            "resting_heart_rate",
            "temperature_deviation",
            "type",
            "bedtime_start",
            "bedtime_end",
            "total_sleep_duration",
            "average_hrv",
            "efficiency",
            "steps",
            "active_calories",
            "stress_high",
            "recovery_high",
            "day_summary",
            "commitments",
            "title",
            "due_date",
            "status",
            "created_at",
            "content",
            "category",
            "recovery_index",
            "timestamp",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,10}",
    ]
}

#[test]
fn the_config_loader_never_panics_on_hostile_yaml() {
    let base = include_str!("../../config/operator.yaml");
    let lines: Vec<&str> = base.lines().collect();
    let n = lines.len();
    // Real config lines spliced, dropped and mangled, plus free text.
    let strategy = (
        proptest::collection::vec((0..n, hostile_text(4), 0u8..4), 0..12),
        hostile_text(16),
    );
    let env = |name: &str| (name == "HOME").then(|| "/home/op".to_owned());
    fuzz("config", strategy, |(edits, tail)| {
        let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        for (at, text, how) in edits {
            match how {
                0 => out[at] = text,
                1 => out[at].push_str(&text),
                2 => out[at] = out[at].replacen(':', &text, 1),
                _ => out[at].clear(),
            }
        }
        out.push(tail);
        let _ = operator::config::load_str(&out.join("\n"), Path::new("fuzz.yaml"), &env);
    });
    // Pure garbage too.
    fuzz("config-garbage", hostile_text(64), |text| {
        let _ = operator::config::load_str(&text, Path::new("fuzz.yaml"), &env);
    });
}

#[test]
fn callback_data_decodes_only_what_encode_makes() {
    let tricky = prop_oneof![
        hostile_text(12),
        ("[a-z]{0,3}", any::<i64>()).prop_map(|(c, id)| format!("o1:{c}:{id}")),
        (any::<i64>(), "[ +0-9]{0,24}").prop_map(|(_, id)| format!("o1:a:{id}")),
        ".{0,64}",
    ];
    fuzz("callback", tricky, |data| {
        if let Some(decoded) = CallbackData::decode(&data) {
            assert_eq!(
                decoded.encode(),
                data,
                "decode accepted a non-canonical form"
            );
        }
    });
}

#[test]
fn snooze_quiet_and_duration_arguments_never_panic() {
    let args = prop_oneof![
        hostile_text(10),
        ("[a-zA-Z]{0,8}", any::<i64>(), "[smhdwy]{0,2}")
            .prop_map(|(c, n, u)| format!("{c} {n}{u}")),
        (any::<i64>(), any::<i64>()).prop_map(|(a, b)| format!("{a}-{b}")),
        (0u32..30, 0u32..70, 0u32..30).prop_map(|(a, m, b)| format!("{a}:{m}-{b}:00")),
        "[0-9]{1,30}[smhd]",
    ];
    fuzz("snooze/quiet", args, |text| {
        let _ = parse_snooze(&text);
        if let Ok(operator::bot::args::QuietArgs::Hours(start, end)) = parse_quiet(&text) {
            assert!(start < 24 && end < 24 && start != end, "{text:?}");
        }
        if let Ok(d) = parse_duration(&text) {
            assert!(d > chrono::Duration::zero(), "{text:?} parsed to {d}");
        }
        let _ = operator::bot::commands::parse(&text, Some("operator_bot"));
        let _ = operator::bot::commands::parse(&format!("/{text}"), None);
    });
}

#[test]
fn state_file_parsers_never_panic() {
    let markdown = prop_oneof![
        hostile_text(40),
        proptest::collection::vec(
            (
                hostile_text(6),
                "[0-9]{4}-[0-9]{2}-[0-9]{2}|tomorrow|",
                any::<bool>()
            ),
            0..20
        )
        .prop_map(|items| {
            items
                .into_iter()
                .map(|(t, d, done)| format!("- [{}] {t} 📅 {d}\n", if done { "x" } else { " " }))
                .collect::<String>()
        }),
    ];
    fuzz("Commitments.md", markdown, |text| {
        let _ = parse_commitments_md(&text);
    });
    fuzz("state JSON", json_value(), |value| {
        let text = value.to_string();
        let _ = parse_commitment_data(&text);
        let _ = parse_brain_dumps(&text);
        let wrapped = serde_json::json!({ "commitments": [value.clone()] }).to_string();
        let _ = parse_commitment_data(&wrapped);
        let _ = parse_brain_dumps(&format!("[{text}]"));
    });
    fuzz("state JSON text", hostile_text(40), |text| {
        let _ = parse_commitment_data(&text);
        let _ = parse_brain_dumps(&text);
    });
}

#[test]
fn oura_documents_of_any_shape_are_read_without_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oura-health.db");
    let conn = create_oura_cache(&path).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 14, 0, 0).unwrap();
    let from = NaiveDate::from_ymd_opt(2026, 10, 23).unwrap();
    let to = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let tables = [
        OuraTable::Readiness,
        OuraTable::Sleep,
        OuraTable::Activity,
        OuraTable::HeartRate,
    ];
    let docs = proptest::collection::vec(
        (
            0..tables.len(),
            prop_oneof![json_value().prop_map(|v| v.to_string()), hostile_text(12)],
            prop_oneof![
                Just("2026-11-27".to_owned()),
                Just("2026-11-26".to_owned()),
                hostile_text(4)
            ],
        ),
        1..6,
    );
    fuzz("oura docs", docs, |docs| {
        for table in tables {
            conn.execute(&format!("DELETE FROM {}", table.table_name()), [])
                .unwrap();
        }
        for (i, (t, data, day)) in docs.iter().enumerate() {
            insert_oura_raw(&conn, tables[*t], &format!("d{i}"), day, data, now).unwrap();
        }
        let cache = OuraCache::open(&path).unwrap();
        let _ = cache.read(from, to);
        let _ = cache.last_sync();
    });
}

/// What a chat's presses can change: its snoozes and acknowledgements.
fn chat_state(
    store: &operator::store::Store,
    chat: i64,
    now: chrono::DateTime<Utc>,
) -> (String, String) {
    let recipient = operator::pipeline::Recipient::Chat(chat);
    let snoozes = store.snoozes(recipient, now).expect("snoozes read");
    let acks = store.acks(recipient).expect("acks read");
    (format!("{snoozes:?}"), format!("{acks:?}"))
}

#[test]
fn forged_button_presses_act_only_in_the_chat_that_owns_the_alert() {
    use operator::alert::{Alert, AlertClass, Priority};
    use operator::bot::buttons::{Press, press};
    use operator::channels::telegram::callback::Action;
    use operator::pipeline::{Notification, NotificationKind, Recipient};

    const OWNER: i64 = 1001;
    const OTHER: i64 = 1002;
    const STRANGER: i64 = -100_777;
    let world = crate::support::DemoWorld::new(crate::support::morning());
    let config = world.config();
    let now = crate::support::morning();
    let dir = tempfile::tempdir().unwrap();
    let store = std::cell::RefCell::new(
        operator::store::Store::open(&dir.path().join("operator.db")).unwrap(),
    );
    let mut rows: Vec<(i64, i64)> = Vec::new();
    for (chat, n) in [(OWNER, 3), (OTHER, 2)] {
        for i in 0..n {
            let alert = Alert::new(
                AlertClass::Tasks,
                "overdue",
                Some(&format!("c{chat}-{i}")),
                Priority::High,
                "Overdue",
                "late",
                now,
            );
            let notification = Notification {
                priority: Priority::High,
                title: "Overdue".into(),
                lines: vec!["late".into()],
                alerts: vec![alert],
                kind: NotificationKind::Alert,
                back_from_snooze: None,
            };
            let id = store
                .borrow_mut()
                .enqueue(
                    Recipient::Chat(chat),
                    "telegram",
                    crate::support::queued(&notification).get(),
                    now,
                    now + chrono::Duration::hours(24),
                )
                .unwrap();
            rows.push((id, chat));
        }
    }
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    let presser = prop_oneof![Just(OWNER), Just(OTHER), Just(STRANGER), any::<i64>()];
    let data = prop_oneof![
        (0..Action::ALL.len(), prop::sample::select(ids)).prop_map(|(a, id)| {
            operator::channels::telegram::callback::CallbackData {
                action: Action::ALL[a],
                outbox_id: id,
            }
            .encode()
        }),
        (0..Action::ALL.len(), any::<i64>()).prop_map(|(a, id)| {
            operator::channels::telegram::callback::CallbackData {
                action: Action::ALL[a],
                outbox_id: id,
            }
            .encode()
        }),
        hostile_text(8),
        ".{0,80}",
    ];
    let chats = [OWNER, OTHER, STRANGER];
    fuzz("button presses", (presser, data), |(chat, data)| {
        let mut store = store.borrow_mut();
        let before: Vec<_> = chats.iter().map(|c| chat_state(&store, *c, now)).collect();
        let outcome = press(&mut store, &config, chat, &data, now).expect("a press never errors");
        let decoded = operator::channels::telegram::callback::CallbackData::decode(&data);
        let owner = decoded
            .and_then(|cb| rows.iter().find(|(id, _)| *id == cb.outbox_id))
            .map(|(_, owner)| *owner);
        let after: Vec<_> = chats.iter().map(|c| chat_state(&store, *c, now)).collect();
        let undo = decoded.is_some_and(|cb| cb.action == Action::Undo);
        if owner == Some(chat) && !undo {
            assert!(matches!(outcome, Press::Done { .. }), "{outcome:?}");
        } else if owner == Some(chat) {
            // Undo restores what a press did: done after one, refused before any.
        } else {
            assert!(
                matches!(outcome, Press::Refused { .. }),
                "chat {chat} pressed {data:?}: {outcome:?}"
            );
        }
        for (i, c) in chats.iter().enumerate() {
            if owner != Some(chat) || *c != chat {
                assert_eq!(
                    before[i], after[i],
                    "chat {chat} pressing {data:?} changed chat {c}"
                );
            }
        }
    });
}
