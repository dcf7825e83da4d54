//! Ninety days of a user's life with Operator, simulated on an injected clock
//! (`scripts/soak.sh` runs it in release): the demo world regenerated each morning, a check
//! cycle every 15 minutes, the morning brief, button presses (a snooze, `Got it`, an `Undo`),
//! a commitment done at noon so its alert resolves, and every queued message "delivered"
//! (marked so in the store, as the sender would after Telegram's answer). Each simulated
//! week it prints the state database's size and rows per table, and this process's resident
//! memory: both must stay flat once the pruning windows are full.
//!
//! Usage: `cargo run --release --example soak_90_days [-- DAYS]` (default 90).

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Duration, TimeZone, Utc};
use operator::app::App;
use operator::bot::buttons::{self, Press};
use operator::clock::ManualClock;
use operator::cycle::Selection;
use operator::fixtures::demo::{DemoFiles, Scale, generate};

const CHAT: i64 = 7001;
const CYCLE_EVERY: i64 = 15;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn file_kib(path: &std::path::Path) -> u64 {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    [path.to_path_buf(), wal.into()]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len() / 1024)
        .sum()
}

/// The demo world for `now`, with Telegram on for one chat (never contacted: delivery is
/// simulated in the store).
fn world(files: &DemoFiles, now: DateTime<Utc>) -> anyhow::Result<()> {
    generate(files, now, Scale::ONE)?;
    let text = std::fs::read_to_string(&files.config)?;
    let text = text.replace(
        "  telegram:\n    enabled: false\n",
        &format!(
            "  telegram:\n    enabled: true\n    token: \"1:soak-token\"\n    chat_id: {CHAT}\n    min_priority: \"medium\"\n"
        ),
    );
    std::fs::write(&files.config, text)?;
    Ok(())
}

/// Marks every due row delivered, as the sender does after Telegram's answer.
fn deliver(app: &App, now: DateTime<Utc>, next_message_id: &mut i64) -> anyhow::Result<usize> {
    let mut store = app.lock_store();
    let rows = store.due_outbox("telegram", now, 1000)?;
    for row in &rows {
        let id = match row.edit_of {
            Some(_) => None,
            None => {
                *next_message_id += 1;
                Some(*next_message_id)
            }
        };
        store.mark_delivered(row, id, now)?;
    }
    Ok(rows.len())
}

fn complete(files: &DemoFiles, title: &str) -> anyhow::Result<()> {
    let path = files.state_dir.join("CommitmentData.json");
    let mut data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    if let Some(list) = data["commitments"].as_array_mut() {
        for c in list {
            if c["title"] == title {
                c["status"] = "completed".into();
            }
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&data)?)?;
    Ok(())
}

/// Presses `code` on the newest delivered alert row of today; returns whether it was applied.
fn press(app: &App, code: &str, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let mut store = app.lock_store();
    let rows = store.unresolved_alert_rows(
        operator::pipeline::Recipient::Chat(CHAT),
        now - Duration::hours(12),
    )?;
    let Some(row) = rows.last() else {
        return Ok(false);
    };
    let data = format!("o1:{code}:{}", row.id);
    let pressed = buttons::press(&mut store, &app.config, CHAT, &data, now)?;
    Ok(matches!(pressed, Press::Done { .. }))
}

#[derive(Default)]
struct Tally {
    cycles: u64,
    delivered: usize,
    presses: usize,
    cycle_ms_max: f64,
}

fn main() -> anyhow::Result<()> {
    let days: i64 = std::env::args()
        .nth(1)
        .map(|d| d.parse())
        .transpose()
        .context("DAYS must be a number")?
        .unwrap_or(90);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // `SOAK_KEEP=1` keeps the folder (its path is printed) to look at the state database.
    let dir = tempfile::tempdir()?;
    let dir_path = if std::env::var_os("SOAK_KEEP").is_some() {
        let kept = dir.keep();
        println!("world kept in {}", kept.display());
        kept
    } else {
        dir.path().to_path_buf()
    };
    let files = DemoFiles::new(&dir_path);
    let tz = operator::zone::Zone::named("America/New_York").context("tzdata")?;
    let start = tz
        .with_ymd_and_hms(2026, 1, 5, 0, 0, 0)
        .single()
        .context("start")?
        .with_timezone(&Utc);
    world(&files, start + Duration::hours(6))?;
    let clock = ManualClock::at(start);
    let config =
        operator::config::load_file(&files.config).map_err(|e| anyhow::anyhow!(e.report()))?;
    let app = App::open(config, Arc::new(clock.clone()))?;
    let mut tally = Tally::default();
    let mut message_id = 0;
    println!(
        "day | state DB KiB | outbox | ledger | snoozes | briefs | runs | RSS KiB | cycle max ms"
    );
    let started = std::time::Instant::now();
    let first_day = start.with_timezone(&tz).date_naive();
    // Local midnight of the simulation's `day`, whatever the offset that day (the US changes
    // to summer time on the simulated 8 March): a fixed 24-hour step would make the world's
    // "today" an hour late from then on, and each day's first hour would have no data.
    let local_midnight = |day: i64| {
        tz.from_local_datetime(&(first_day + Duration::days(day)).and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .context("local midnight")
    };
    for day in 0..days {
        let midnight = local_midnight(day)?;
        let next_midnight = local_midnight(day + 1)?;
        // The ring syncs and the lists change overnight: the world as of this morning.
        world(&files, midnight + Duration::hours(6))?;
        for slot in 0.. {
            let now = midnight + Duration::minutes(slot * CYCLE_EVERY);
            if now >= next_midnight {
                break;
            }
            clock.set(now);
            let minute = slot * CYCLE_EVERY;
            if minute == 12 * 60 {
                complete(&files, "Schedule date night with Ashley")?;
            }
            let began = std::time::Instant::now();
            runtime.block_on(app.run_cycle("soak", Selection::ALL))?;
            tally.cycle_ms_max = tally
                .cycle_ms_max
                .max(began.elapsed().as_secs_f64() * 1000.0);
            tally.cycles += 1;
            tally.delivered += deliver(&app, now, &mut message_id)?;
            let code = match minute {
                m if m == 10 * 60 => Some("s1"),
                m if m == 10 * 60 + 15 => Some("un"),
                m if m == 15 * 60 => Some("ok"),
                _ => None,
            };
            if let Some(code) = code
                && press(&app, code, now)?
            {
                tally.presses += 1;
            }
        }
        app.release_caches();
        if (day + 1) % 7 == 0 || day + 1 == days {
            let store = app.lock_store();
            let count = |table: &str| store.row_count(table).unwrap_or(0);
            println!(
                "{:>3} | {:>12} | {:>6} | {:>6} | {:>7} | {:>6} | {:>4} | {:>7} | {:>5.1}",
                day + 1,
                file_kib(&files.state_db),
                count("outbox"),
                count("dedup_ledger"),
                count("snoozes"),
                count("briefs"),
                count("runs"),
                rss_kib(),
                tally.cycle_ms_max,
            );
            tally.cycle_ms_max = 0.0;
        }
    }
    println!(
        "\n{days} days: {} cycles, {} messages delivered, {} presses applied, in {:.1} s",
        tally.cycles,
        tally.delivered,
        tally.presses,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
