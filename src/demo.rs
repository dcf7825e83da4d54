//! `operator demo`: writes a few weeks of realistic data in the real schemas (Oura cache,
//! WorkOS cache, State files) plus a config, runs a check cycle on it, and prints the alerts
//! and the /status, /readiness and /overdue replies exactly as the bot renders them.
//! No network, no secrets. The generator is deterministic and scalable (benchmarks reuse it).
//!
//! The story: readiness slumped this week and hit 48 today, the last three nights were
//! short, HRV is well below its baseline, two commitments are overdue and one was promised
//! three days ago, fourteen tasks sit on today's list, and one report has been pushed back
//! three times.

use std::fs;
use std::path::{Path, PathBuf};

use crate::zone::Zone;
use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, TimeZone, Utc};
use rusqlite::params;
use serde_json::json;

use crate::config::{self, Config};
use crate::render;
use crate::store::{ItemSnapshot, Store};

/// The zone the demo user lives in (UTC if the system has no time zone database; the demo
/// config names it, so `config validate` then says what is missing).
pub static DEMO_TZ: std::sync::LazyLock<Zone> =
    std::sync::LazyLock::new(|| Zone::named("America/New_York").unwrap_or_else(|_| Zone::utc()));

/// How much data to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// Days of Oura history.
    pub oura_days: u32,
    /// Extra WorkOS tasks beyond the story's (done, spread over the last 90 days).
    pub extra_tasks: u32,
    /// Extra commitments beyond the story's (completed or far in the future).
    pub extra_commitments: u32,
    /// Extra brain-dump entries.
    pub extra_brain_dumps: u32,
}

impl Scale {
    /// About the user's real data: 90 days of Oura, 300 tasks, 40 commitments.
    pub const ONE: Scale = Scale {
        oura_days: 90,
        extra_tasks: 265,
        extra_commitments: 30,
        extra_brain_dumps: 20,
    };

    pub fn times(self, n: u32) -> Scale {
        Scale {
            oura_days: self.oura_days * n,
            extra_tasks: (self.extra_tasks + 35) * n - 35,
            extra_commitments: (self.extra_commitments + 10) * n - 10,
            extra_brain_dumps: self.extra_brain_dumps * n,
        }
    }
}

/// Where the generated files are.
#[derive(Debug, Clone)]
pub struct DemoFiles {
    pub dir: PathBuf,
    pub config: PathBuf,
    pub oura_db: PathBuf,
    pub workos_db: PathBuf,
    pub state_dir: PathBuf,
    pub state_db: PathBuf,
    pub journal: PathBuf,
}

impl DemoFiles {
    pub fn new(dir: &Path) -> DemoFiles {
        DemoFiles {
            dir: dir.to_owned(),
            config: dir.join("operator.yaml"),
            oura_db: dir.join("oura-cache/oura-health.db"),
            workos_db: dir.join("workos-cache/cache.db"),
            state_dir: dir.join("State"),
            state_db: dir.join("State/operator.db"),
            journal: dir.join("logs/operator.log"),
        }
    }
}

/// The demo's "now": 09:05 local today, so the morning checks run.
pub fn demo_now(real_now: DateTime<Utc>) -> DateTime<Utc> {
    let day = real_now.with_timezone(&*DEMO_TZ).date_naive();
    DEMO_TZ
        .from_local_datetime(&day.and_hms_opt(9, 5, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(real_now)
}

/// A small deterministic generator (xorshift), so every run tells the same story.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in `[lo, hi]`.
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() % 10_000) as f64 / 10_000.0 * (hi - lo)
    }
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Writes every demo file under `files.dir` for a cycle at `now`.
pub fn generate(files: &DemoFiles, now: DateTime<Utc>, scale: Scale) -> anyhow::Result<()> {
    fs::create_dir_all(&files.state_dir)
        .with_context(|| format!("creating {}", files.state_dir.display()))?;
    let today = now.with_timezone(&*DEMO_TZ).date_naive();
    write_oura(&files.oura_db, now, today, scale).context("writing the Oura cache")?;
    write_workos(&files.workos_db, now, today, scale).context("writing the WorkOS cache")?;
    write_state_files(&files.state_dir, now, today, scale).context("writing the State files")?;
    write_config(files).context("writing the demo config")?;
    Ok(())
}

fn write_oura(
    path: &Path,
    now: DateTime<Utc>,
    today: NaiveDate,
    scale: Scale,
) -> anyhow::Result<()> {
    fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    let _ = fs::remove_file(path);
    let mut conn = crate::sources::schema::create_oura_cache(path)?;
    let tx = conn.transaction()?;
    let mut rng = Rng(0x5eed_0001);
    let cached = iso(now - Duration::hours(2));
    let expires = iso(now - Duration::hours(1));
    let days = scale.oura_days.max(35) as i64;
    {
        let mut readiness = tx.prepare("INSERT INTO readiness_data (id, day, data, cached_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        let mut sleep = tx.prepare("INSERT INTO sleep_data (id, day, data, cached_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        let mut activity = tx.prepare("INSERT INTO activity_data (id, day, data, cached_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        for back in (0..days).rev() {
            let day = today - Duration::days(back);
            let d = day.to_string();
            // Readiness: ~80 normally, a slump this week, 48 today.
            let score = match back {
                0 => 48.0,
                1..=6 => rng.range(58.0, 66.0),
                _ => rng.range(74.0, 86.0),
            }
            .round();
            let recovery = if back == 0 {
                55.0
            } else {
                rng.range(70.0, 95.0).round()
            };
            let doc = json!({
                "id": format!("r-{d}"), "day": d, "score": score,
                "contributors": {
                    "activity_balance": rng.range(60.0, 90.0).round(), "body_temperature": rng.range(80.0, 100.0).round(),
                    "hrv_balance": if back < 7 { 52.0 } else { rng.range(70.0, 90.0).round() },
                    "previous_day_activity": rng.range(60.0, 95.0).round(), "previous_night": if back < 3 { 41.0 } else { 78.0 },
                    "recovery_index": recovery, "resting_heart_rate": rng.range(60.0, 90.0).round(),
                    "sleep_balance": if back < 7 { 45.0 } else { 80.0 }
                },
                "temperature_deviation": (rng.range(-0.4, 0.4) * 10.0).round() / 10.0,
                "temperature_trend_deviation": null,
                "timestamp": format!("{d}T00:00:00.000-05:00"),
            });
            readiness.execute(params![
                format!("r-{d}"),
                d,
                doc.to_string(),
                cached,
                expires
            ])?;

            // Sleep: the oldest week as legacy daily_sleep documents, then sleep periods.
            if back >= days - 7 {
                let doc = json!({"id": format!("ds-{d}"), "day": d, "score": rng.range(70.0, 88.0).round(),
                    "contributors": {"deep_sleep": 80, "efficiency": 85, "latency": 70, "rem_sleep": 75, "restfulness": 72, "timing": 80, "total_sleep": 82},
                    "timestamp": format!("{d}T00:00:00.000-05:00")});
                sleep.execute(params![
                    format!("ds-{d}"),
                    d,
                    doc.to_string(),
                    cached,
                    expires
                ])?;
            } else {
                let hours = match back {
                    0 => 5.4,
                    1 => 6.2,
                    2 => 5.8,
                    _ => rng.range(7.1, 8.3),
                };
                let hrv = if back == 0 {
                    38.0
                } else {
                    rng.range(48.0, 56.0).round()
                };
                sleep.execute(params![
                    format!("s-{d}"),
                    d,
                    sleep_period(day, hours, hrv, "long_sleep", &mut rng).to_string(),
                    cached,
                    expires
                ])?;
                if back % 4 == 1 {
                    sleep.execute(params![
                        format!("n-{d}"),
                        d,
                        sleep_period(day, 0.4, 45.0, "late_nap", &mut rng).to_string(),
                        cached,
                        expires
                    ])?;
                }
            }
            let doc = json!({"id": format!("a-{d}"), "day": d, "score": rng.range(60.0, 95.0).round(),
                "steps": rng.range(3000.0, 12000.0).round(), "active_calories": rng.range(200.0, 700.0).round(),
                "total_calories": rng.range(2000.0, 2800.0).round(), "inactivity_alerts": 1, "non_wear_time": 1200,
                "contributors": {"meet_daily_targets": 60, "move_every_hour": 80, "recovery_time": 90, "stay_active": 70, "training_frequency": 80, "training_volume": 90}});
            activity.execute(params![
                format!("a-{d}"),
                d,
                doc.to_string(),
                cached,
                expires
            ])?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO cache_meta (key, value, updated_at) VALUES ('last_sync_time', ?1, ?1)",
            [iso(now - Duration::hours(2))],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// A `/v2/usercollection/sleep` period document for the night ending on `day`.
fn sleep_period(
    day: NaiveDate,
    hours: f64,
    hrv: f64,
    kind: &str,
    rng: &mut Rng,
) -> serde_json::Value {
    let total = (hours * 3600.0).round();
    let in_bed = total + rng.range(1200.0, 2400.0).round();
    let end = DEMO_TZ
        .from_local_datetime(
            &day.and_hms_opt(if kind == "long_sleep" { 6 } else { 18 }, 40, 0)
                .unwrap_or_default(),
        )
        .earliest()
        .map(|t| t.fixed_offset());
    let start = end.map(|e| e - Duration::seconds(in_bed as i64));
    json!({
        "id": format!("{kind}-{day}"), "day": day.to_string(), "type": kind,
        "bedtime_start": start.map(|t| t.to_rfc3339()), "bedtime_end": end.map(|t| t.to_rfc3339()),
        "total_sleep_duration": total, "time_in_bed": in_bed, "awake_time": in_bed - total,
        "light_sleep_duration": (total * 0.55).round(), "deep_sleep_duration": (total * 0.2).round(),
        "rem_sleep_duration": (total * 0.25).round(), "latency": 600,
        "efficiency": ((total / in_bed) * 100.0).round(), "average_heart_rate": rng.range(52.0, 60.0).round(),
        "lowest_heart_rate": rng.range(44.0, 50.0).round(), "average_hrv": hrv, "average_breath": 14.5
    })
}

const CLIENTS: &[(&str, &str)] = &[
    ("Memphis Health", "client"),
    ("Raleigh Partners", "client"),
    ("Orlando Care", "client"),
    ("Kentucky ScottCare", "client"),
    ("Nashville Clinic", "client"),
    ("Austin Labs", "client"),
    ("Thanos", "internal"),
];

fn write_workos(
    path: &Path,
    now: DateTime<Utc>,
    today: NaiveDate,
    scale: Scale,
) -> anyhow::Result<()> {
    fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
    let _ = fs::remove_file(path);
    let mut conn = crate::sources::schema::create_workos_cache(path)?;
    let tx = conn.transaction()?;
    let mut rng = Rng(0x5eed_0002);
    {
        let mut client = tx.prepare(
            "INSERT INTO cached_clients (id, name, type, color, is_active, created_at) VALUES (?1, ?2, ?3, '#4a90d9', 1, ?4)",
        )?;
        for (i, (name, kind)) in CLIENTS.iter().enumerate() {
            client.execute(params![
                i as i64 + 1,
                name,
                kind,
                iso(now - Duration::days(400))
            ])?;
        }
        let mut task = tx.prepare(
            "INSERT INTO cached_tasks (id, client_id, title, description, status, category, value_tier, effort_estimate,
                effort_actual, drain_type, sort_order, subtasks, created_at, updated_at, completed_at, backlog_entered_at,
                points_ai_guess, points_final, points_adjusted_at)
             VALUES (?1, ?2, ?3, NULL, ?4, 'work', ?5, ?6, NULL, 'deep', ?7, '[]', ?8, ?9, ?10, NULL, ?11, NULL, NULL)",
        )?;
        let tiers = ["checkbox", "progress", "deliverable", "milestone"];
        let mut id = 0i64;
        let mut add = |status: &str,
                       title: String,
                       client: i64,
                       created: DateTime<Utc>,
                       updated: DateTime<Utc>,
                       done: Option<DateTime<Utc>>,
                       rng: &mut Rng|
         -> rusqlite::Result<()> {
            id += 1;
            let tier = tiers[(rng.next() % 4) as usize];
            task.execute(params![
                id,
                client,
                title,
                status,
                tier,
                (rng.next() % 5 + 1) as i64,
                id,
                iso(created),
                iso(updated),
                done.map(iso),
                (rng.next() % 6 + 1) as i64
            ])
            .map(|_| ())
        };
        // Fourteen on today's list, five clients touched this morning.
        for i in 0..14 {
            let client = (i % 6) as i64 + 1;
            let touched = if i < 5 {
                now - Duration::minutes(20 + i as i64 * 7)
            } else {
                now - Duration::days(2)
            };
            add(
                "active",
                format!("{} deliverable #{}", CLIENTS[client as usize - 1].0, i + 1),
                client,
                now - Duration::days(i as i64 % 6),
                touched,
                None,
                &mut rng,
            )?;
        }
        for i in 0..6 {
            add(
                "queued",
                format!("Queued follow-up #{}", i + 1),
                (i % 6) + 1,
                now - Duration::days(10 + i),
                now - Duration::days(3),
                None,
                &mut rng,
            )?;
        }
        for i in 0..10 {
            add(
                "backlog",
                format!("Someday idea #{}", i + 1),
                7,
                now - Duration::days(30 + i),
                now - Duration::days(20),
                None,
                &mut rng,
            )?;
        }
        // Done this week: five (one done by a plain update, no completed_at).
        for i in 0..5 {
            let at = now - Duration::days(i + 1);
            let completed = if i == 4 { None } else { Some(at) };
            add(
                "done",
                format!("Shipped item #{}", i + 1),
                (i % 6) + 1,
                now - Duration::days(12),
                at,
                completed,
                &mut rng,
            )?;
        }
        // Older done work, spread over the cache's 90 days.
        for i in 0..scale.extra_tasks {
            let at = now - Duration::days(8 + (i as i64 % 82)) - Duration::minutes(i as i64);
            add(
                "done",
                format!("Archived task #{}", i + 1),
                (i % 7) as i64 + 1,
                at - Duration::days(3),
                at,
                Some(at),
                &mut rng,
            )?;
        }
        let mut goal = tx.prepare(
            "INSERT INTO cached_daily_goals (id, date, target_points, earned_points, task_count, current_streak, longest_streak,
                last_goal_hit_date, daily_debt, weekly_debt, pressure_level, updated_at)
             VALUES (?1, ?2, 18, ?3, ?4, ?5, 9, NULL, 0, 0, 'normal', ?6)",
        )?;
        for back in 0..14 {
            let day = today - Duration::days(back);
            let earned = if back == 0 {
                3
            } else {
                (rng.next() % 14 + 8) as i64
            };
            goal.execute(params![
                back + 1,
                day.to_string(),
                earned,
                earned / 3,
                (14 - back) % 5,
                iso(now)
            ])?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO cache_meta (key, value, updated_at) VALUES ('lastSyncAt', ?1, ?1)",
            [iso(now - Duration::minutes(4))],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The id of the commitment the user keeps pushing back.
pub const PUNTED_ID: &str = "7f1c2a9e-0b1d-4c2a-9a55-3f4d2b6c8e01";

fn write_state_files(
    dir: &Path,
    now: DateTime<Utc>,
    today: NaiveDate,
    scale: Scale,
) -> anyhow::Result<()> {
    let day = |offset: i64| (today + Duration::days(offset)).to_string();
    let commitment = |id: &str,
                      title: &str,
                      kind: &str,
                      status: &str,
                      due: Option<String>,
                      priority: i64| {
        json!({
            "id": id, "title": title, "type": kind, "status": status,
            "created_date": day(-20), "due_date": due, "recurrence_pattern": null, "streak_count": 0,
            "completion_history": [], "domain": if kind == "habit" { "health" } else { "work" }, "priority": priority,
            "tags": [], "notes": "", "follow_up_schedule": {"enabled": false}
        })
    };
    let mut list = vec![
        commitment(
            "c1e0a7d4-1111-4a3b-8c1d-000000000001",
            "Schedule date night with Ashley",
            "task",
            "pending",
            Some(day(-3)),
            1,
        ),
        commitment(
            "c1e0a7d4-1111-4a3b-8c1d-000000000002",
            "Memphis report",
            "task",
            "in_progress",
            Some(day(-1)),
            1,
        ),
        commitment(
            "c1e0a7d4-1111-4a3b-8c1d-000000000003",
            "Raleigh follow-up",
            "task",
            "pending",
            Some(day(-1)),
            2,
        ),
        commitment(
            "c1e0a7d4-1111-4a3b-8c1d-000000000004",
            "Kentucky ScottCare integration call notes",
            "task",
            "pending",
            Some(day(0)),
            2,
        ),
        commitment(
            PUNTED_ID,
            "Memphis optimization report",
            "task",
            "pending",
            Some(day(0)),
            1,
        ),
        commitment(
            "c1e0a7d4-1111-4a3b-8c1d-000000000006",
            "Orlando documentation",
            "task",
            "pending",
            Some(day(1)),
            3,
        ),
        commitment(
            "c1e0a7d4-1111-4a3b-8c1d-000000000007",
            "Quarterly taxes",
            "task",
            "completed",
            Some(day(-5)),
            1,
        ),
        commitment(
            "c1e0a7d4-1111-4a3b-8c1d-000000000008",
            "Morning walk",
            "habit",
            "in_progress",
            None,
            3,
        ),
    ];
    for i in 0..scale.extra_commitments {
        let due = if i % 2 == 0 {
            day(-30 - i as i64 % 300)
        } else {
            day(10 + i as i64 % 300)
        };
        let status = if i % 2 == 0 { "completed" } else { "pending" };
        list.push(commitment(
            &format!("00000000-0000-4000-8000-{:012}", i),
            &format!("Commitment #{}", i + 1),
            "goal",
            status,
            Some(due),
            3,
        ));
    }
    let data =
        json!({"version": "1.0", "updated_at": iso(now - Duration::hours(1)), "commitments": list});
    fs::write(
        dir.join("CommitmentData.json"),
        serde_json::to_string_pretty(&data)?,
    )?;

    let md = format!(
        "# Commitments\n\n## Work\n- [ ] Send Nashville proposal (due: {}) ⚡\n- [x] Austin kickoff deck (due: {})\n\n\
         ## Personal\n- [ ] Call mom [🔄 Daily]\n- [ ] Renew passport (due: {})\n\n## Learning\n- [ ] Finish Rust async chapter\n\n\
         ## Health\n- [ ] Book physio appointment\n",
        day(1),
        day(-2),
        day(30)
    );
    fs::write(dir.join("Commitments.md"), md)?;

    let focus = dir.join("CurrentFocus.md");
    fs::write(
        &focus,
        "# Current focus\n\n- Memphis optimization report\n- Raleigh renewal\n",
    )?;
    let stale = std::time::SystemTime::from(now - Duration::days(9));
    fs::File::options()
        .write(true)
        .open(&focus)?
        .set_modified(stale)?;

    let mut dumps = vec![
        json!({"timestamp": (now - Duration::hours(20)).with_timezone(&*DEMO_TZ).naive_local().format("%Y-%m-%dT%H:%M:%S").to_string(),
               "processed": false, "parsed_category": "worry", "parsed_action": null, "parsed_entities": ["Memphis"]}),
        json!({"timestamp": (now - Duration::hours(5)).with_timezone(&*DEMO_TZ).naive_local().format("%Y-%m-%dT%H:%M:%S").to_string(),
               "processed": true, "parsed_category": "task", "parsed_action": "email Raleigh", "parsed_entities": ["Raleigh"]}),
    ];
    for i in 0..scale.extra_brain_dumps {
        dumps.push(json!({"timestamp": (now - Duration::hours(30 + i as i64)).with_timezone(&*DEMO_TZ).naive_local().format("%Y-%m-%dT%H:%M:%S").to_string(),
            "processed": true, "parsed_category": "idea", "parsed_action": null, "parsed_entities": []}));
    }
    fs::write(
        dir.join("brain_dumps.json"),
        serde_json::to_string_pretty(&dumps)?,
    )?;
    Ok(())
}

fn write_config(files: &DemoFiles) -> anyhow::Result<()> {
    let q = |p: &Path| serde_json::to_string(&p.display().to_string()).unwrap_or_default();
    let yaml = format!(
        r#"# Operator demo configuration (written by `operator demo`; no secrets, no network).
version: "1.0"
timezone: "America/New_York"
intervals:
  health_check: 900
  task_check: 900
  pattern_check: 1800
quiet_hours:
  enabled: true
  start: 22
  end: 7
  timezone: "America/New_York"
deduplication:
  window_seconds: 3600
  max_alerts_per_run: 20
state:
  db_path: {state_db}
adapters:
  oura:
    type: "mcp_cache"
    cache_db_path: {oura}
    fallback_api: false
    api_timeout_seconds: 10
  workos:
    type: "mcp_postgres"
    database_url: ""
    cache_enabled: true
    cache_ttl_seconds: 300
    cache_db_path: {workos}
  state_files:
    type: "json"
    base_path: {state_dir}
    files: ["CurrentFocus.md"]
alerters:
  telegram:
    enabled: false
  macos:
    enabled: false
  journal:
    enabled: true
    min_priority: "info"
    log_path: {journal}
health_endpoint:
  enabled: false
logging:
  level: "WARNING"
"#,
        state_db = q(&files.state_db),
        oura = q(&files.oura_db),
        workos = q(&files.workos_db),
        state_dir = q(&files.state_dir),
        journal = q(&files.journal),
    );
    fs::write(&files.config, yaml)?;
    Ok(())
}

/// Records the punted commitment's history (three due-date moves this week) in Operator's
/// own snapshots, as earlier cycles would have (`operator demo` and the benchmarks).
pub fn seed_punt_history(config: &Config, now: DateTime<Utc>) -> anyhow::Result<()> {
    let mut store = Store::open(&config.state.db_path)?;
    let today = now.with_timezone(&*DEMO_TZ).date_naive();
    for (days_ago, due_offset) in [(6, -4), (4, -2), (2, -1), (1, 0)] {
        let snapshot = ItemSnapshot {
            item_key: format!("commitment:{PUNTED_ID}"),
            title: "Memphis optimization report".to_owned(),
            due_date: Some(today + Duration::days(due_offset)),
            status: "pending".to_owned(),
        };
        store.record_snapshots(&[snapshot], now - Duration::days(days_ago))?;
    }
    Ok(())
}

/// `operator demo [--dir]`.
pub fn run(dir: Option<&Path>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let dir = match dir {
        Some(d) => {
            fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            d.to_owned()
        }
        None => tempfile::Builder::new()
            .prefix("operator-demo-")
            .tempdir()?
            .keep(),
    };
    let files = DemoFiles::new(&dir);
    for stale in [&files.state_db, &files.journal] {
        let _ = fs::remove_file(stale);
    }
    let now = demo_now(Utc::now());
    generate(&files, now, Scale::ONE)?;
    let config = config::load_file(&files.config)
        .map_err(|e| anyhow::anyhow!(crate::cli::format_config_error(&e)))?;
    seed_punt_history(&config, now)?;

    let report = crate::cli::check(&config, false, now, "demo")?;
    let mut out = std::io::stdout().lock();
    use std::io::Write;
    writeln!(out, "Operator demo: data written to {}", dir.display())?;
    writeln!(
        out,
        "(a check as of 09:05 today, America/New_York; no network, no secrets)\n"
    )?;
    crate::cli::print_report(&mut out, &config, &report, false)?;

    let store = Store::open(&config.state.db_path)?;
    let view = crate::status::gather(
        &config,
        &store,
        Some(crate::pipeline::Recipient::Journal),
        now,
    )?;
    let local_now = now.with_timezone(&config.timezone);
    writeln!(out, "\n═══ /status ═══\n{}", render::status(&view).plain())?;
    match report.snapshots.oura.data() {
        Some(oura) => writeln!(
            out,
            "\n═══ /readiness ═══\n{}",
            render::readiness(oura, local_now.clone()).plain()
        )?,
        None => writeln!(out, "\n═══ /readiness ═══\nOura data unavailable")?,
    }
    writeln!(
        out,
        "\n═══ /overdue ═══\n{}",
        render::overdue(&report.snapshots.state, local_now.date_naive()).plain()
    )?;
    writeln!(
        out,
        "\nDone in {} ms. Try: operator --config {} check --dry-run",
        started.elapsed().as_millis(),
        files.config.display()
    )?;
    Ok(())
}
