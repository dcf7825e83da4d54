//! Benchmark worlds: the demo's deterministic data (`operator::fixtures::demo::generate`) at a chosen
//! scale, in the real schemas, with a config edited for the measurement (Telegram chats,
//! quiet hours, the health endpoint). Shared by the criterion benches (`mod support;`) and
//! the end-to-end driver (`examples/bench_e2e`, through `#[path]`).
//!
//! Scales: 1× is about the user's real data (90 days of Oura, 300 tasks, 40 commitments);
//! n× multiplies every history (100×: 9,000 Oura days ≈ 25 years, 30,000 tasks, 4,000
//! commitments, 2,000 brain dumps).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use operator::config::{self, Config};
use operator::fixtures::demo::{self, DemoFiles, Scale};

/// The scales every benchmark reports.
pub const SCALES: [u32; 3] = [1, 10, 100];

/// A bot token the fake accepts; never a real one.
pub const TOKEN: &str = "100200:BENCH-fake-token";

/// How a world's config differs from the demo's.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// Telegram chats that get alerts (empty: Telegram off, the journal is the recipient).
    pub chats: Vec<i64>,
    /// Chats allowed to send commands besides `chats`.
    pub extra_allowed: Vec<i64>,
    /// The Bot API base URL (a fake on loopback); only used when `chats` is not empty.
    pub api_url: Option<String>,
    /// `alerters.telegram.min_priority` (default: the config's `medium`).
    pub min_priority: Option<&'static str>,
    /// `alerters.telegram.poll_timeout_seconds` (default 30).
    pub poll_timeout_s: Option<u32>,
    /// Quiet hours on (the demo's 22–7) or off, so a run at night still pushes.
    pub quiet_hours: bool,
    /// `health_endpoint.bind`, to turn it on.
    pub health_bind: Option<String>,
}

/// A generated data set and its config file.
pub struct World {
    pub files: DemoFiles,
    pub now: DateTime<Utc>,
    pub scale: u32,
}

impl World {
    /// Writes the demo data at `scale`× under `dir` for a cycle at `now`, edits the config
    /// per `setup`, and seeds the punted commitment's history in a fresh state database.
    pub fn create(
        dir: &Path,
        now: DateTime<Utc>,
        scale: u32,
        setup: &Setup,
    ) -> anyhow::Result<World> {
        let files = DemoFiles::new(dir);
        for stale in [&files.state_db, &files.journal] {
            let _ = std::fs::remove_file(stale);
        }
        demo::generate(&files, now, Scale::ONE.times(scale.max(1)))?;
        edit_config(&files.config, setup)?;
        let world = World { files, now, scale };
        demo::seed_punt_history(&world.config()?, now)?;
        Ok(world)
    }

    pub fn config(&self) -> anyhow::Result<Config> {
        config::load_file(&self.files.config).map_err(|e| anyhow::anyhow!(e.report()))
    }

    pub fn config_path(&self) -> PathBuf {
        self.files.config.clone()
    }
}

/// A scaled world in a fresh temporary directory (kept until the value drops).
pub struct TempWorld {
    pub world: World,
    _dir: tempfile::TempDir,
}

impl TempWorld {
    pub fn new(now: DateTime<Utc>, scale: u32, setup: &Setup) -> anyhow::Result<TempWorld> {
        let dir = tempfile::Builder::new()
            .prefix("operator-bench-")
            .tempdir()?;
        let world = World::create(dir.path(), now, scale, setup)?;
        Ok(TempWorld { world, _dir: dir })
    }
}

/// Chat ids `base+1 ..= base+n`.
pub fn chat_ids(base: i64, n: usize) -> Vec<i64> {
    (1..=n as i64).map(|i| base + i).collect()
}

fn list(ids: &[i64]) -> String {
    let items: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn replace_once(text: &str, from: &str, to: &str) -> anyhow::Result<String> {
    anyhow::ensure!(
        text.contains(from),
        "the demo config changed shape: {from:?} not found"
    );
    Ok(text.replacen(from, to, 1))
}

fn edit_config(path: &Path, setup: &Setup) -> anyhow::Result<()> {
    let mut text = std::fs::read_to_string(path).context("reading the demo config")?;
    if !setup.chats.is_empty() {
        let url = setup.api_url.as_deref().unwrap_or("http://127.0.0.1:9");
        let mut allowed = setup.chats.clone();
        allowed.extend(&setup.extra_allowed);
        let block = format!(
            "  telegram:\n    enabled: true\n    token: \"{TOKEN}\"\n    chat_id: {}\n    allowed_chat_ids: {}\n    api_url: \"{url}\"\n    min_priority: \"{}\"\n    retry_attempts: 3\n    timeout_seconds: 10\n    poll_timeout_seconds: {}\n",
            list(&setup.chats),
            list(&allowed),
            setup.min_priority.unwrap_or("medium"),
            setup.poll_timeout_s.unwrap_or(30),
        );
        text = replace_once(&text, "  telegram:\n    enabled: false\n", &block)?;
    }
    if !setup.quiet_hours {
        text = replace_once(
            &text,
            "quiet_hours:\n  enabled: true\n",
            "quiet_hours:\n  enabled: false\n",
        )?;
    }
    // The morning brief goes at an hour that depends on when the bench runs; the benches
    // measure it on its own (`benches/day.rs`, `/brief` in the command latencies).
    text = replace_once(
        &text,
        "brief:\n  enabled: true\n",
        "brief:\n  enabled: false\n",
    )?;
    if let Some(bind) = &setup.health_bind {
        text = replace_once(
            &text,
            "health_endpoint:\n  enabled: false\n",
            &format!("health_endpoint:\n  enabled: true\n  bind: \"{bind}\"\n"),
        )?;
    }
    std::fs::write(path, text).context("writing the bench config")?;
    Ok(())
}
