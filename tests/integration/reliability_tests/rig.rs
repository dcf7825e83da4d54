//! The fault-injection rig: one demo world, one fake Bot API that outlives every daemon
//! process, and the real `operator run` binary started, killed and restarted against them.
//! After a scenario, [`Rig::check_invariant`] reads the state DB's outbox, the journal and the
//! fake's recorded messages and says whether any alert was lost or duplicated too often.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use chrono::Utc;
use tokio::process::{Child, Command};

use crate::support::fake_telegram::FakeTelegram;
use crate::support::{DemoWorld, free_loopback_addr, operator_bin};

/// The bot token every scenario uses; the secret scan looks for its secret half.
pub const TOKEN: &str = "880001:RELIAB-bot-token-never-logged-zq9";
/// The secret part of [`TOKEN`] (after the colon).
pub const TOKEN_SECRET: &str = "RELIAB-bot-token-never-logged-zq9";
pub const WAIT: Duration = Duration::from_secs(30);

/// A world, a fake, and the daemon processes run against them.
pub struct Rig {
    pub world: DemoWorld,
    pub fake: FakeTelegram,
    /// Chats alerts are pushed to.
    pub chats: Vec<i64>,
    /// The health endpoint's address.
    pub health: String,
    /// Every daemon's stderr, one file per start, kept for the secret scan.
    pub stderr_files: Vec<PathBuf>,
    /// Environment for the daemons beyond (and overriding) the suite's secrets.
    pub env: Vec<(String, String)>,
    /// A wrapper the daemon is started under (e.g. `unshare` and a mount), argv before it.
    pub wrapper: Vec<String>,
    /// Where this process reads the daemon's state DB when it is not at the config's path
    /// as seen from here (a file system mounted in the daemon's own mount namespace).
    pub state_db_view: Option<PathBuf>,
    /// The loopback Oura API the daemons' token is used against (never the real one).
    _oura_api: wiremock::MockServer,
}

impl Rig {
    /// A rig pushing alerts of `min_priority` and above to `chats`; `extra_allowed` may send
    /// commands but gets no pushes. Must run inside a tokio runtime (the fake is a task).
    pub async fn new(chats: &[i64], extra_allowed: &[i64], min_priority: &str) -> Rig {
        let world = DemoWorld::new(Utc::now());
        let oura_api = crate::support::empty_oura_api().await;
        world.point_oura_api_at(&oura_api.uri());
        let fake = FakeTelegram::start(TOKEN);
        let mut allowed = chats.to_vec();
        allowed.extend_from_slice(extra_allowed);
        for chat in &allowed {
            fake.know_chat(*chat);
        }
        world.enable_telegram(&fake.api_url(), TOKEN, chats, &allowed);
        let text = std::fs::read_to_string(&world.files.config).unwrap();
        let text = text.replace(
            "    min_priority: \"high\"\n    retry_attempts",
            &format!("    min_priority: \"{min_priority}\"\n    retry_attempts"),
        );
        // The WorkOS URL (with its password) comes from the environment, as in production.
        let text = text.replace(
            "    database_url: \"\"\n",
            "    database_url: \"${WORKOS_DATABASE_URL}\"\n",
        );
        std::fs::write(&world.files.config, text).unwrap();
        let health = free_loopback_addr();
        world.enable_health(&health);
        Rig {
            world,
            fake,
            chats: chats.to_vec(),
            health,
            stderr_files: Vec::new(),
            env: Vec::new(),
            wrapper: Vec::new(),
            state_db_view: None,
            _oura_api: oura_api,
        }
    }

    /// Starts `operator run`; its stderr goes to a file kept for the secret scan.
    pub fn spawn(&mut self) -> Child {
        let path = self
            .world
            .dir
            .path()
            .join(format!("daemon-stderr-{}.log", self.stderr_files.len()));
        let file = std::fs::File::create(&path).unwrap();
        self.stderr_files.push(path);
        let mut argv: Vec<String> = self.wrapper.clone();
        argv.push(operator_bin().display().to_string());
        argv.extend(["--config".into(), self.world.config_arg(), "run".into()]);
        Command::new(&argv[0])
            .args(&argv[1..])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("RUST_LOG", "debug")
            .envs(super::secrets::secret_env())
            .envs(self.env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::from(file))
            .kill_on_drop(true)
            .spawn()
            .unwrap()
    }

    /// Sends `text` from `chat` and waits (bounded by [`WAIT`]) for the bot's next message
    /// there; returns its text and how long it took.
    pub async fn ask(&self, chat: i64, text: &str) -> (String, Duration) {
        let started = tokio::time::Instant::now();
        let before = self.fake.messages(chat).len();
        self.fake.push_text(chat, chat, text);
        loop {
            let messages = self.fake.messages(chat);
            if messages.len() > before {
                return (messages[before].plain_text.clone(), started.elapsed());
            }
            assert!(
                started.elapsed() < WAIT,
                "no reply to {text} in chat {chat}"
            );
            let seen = self.fake.requests_for("sendmessage").len();
            self.fake
                .wait_for_requests("sendmessage", seen + 1, Duration::from_secs(1))
                .await
                .ok();
        }
    }

    /// Appends top-level YAML to the world's config (keys the demo config does not set).
    pub fn append_config(&self, yaml: &str) {
        let mut text = std::fs::read_to_string(&self.world.files.config).unwrap();
        text.push_str(yaml);
        std::fs::write(&self.world.files.config, text).unwrap();
    }

    /// Replaces `from` with `to` in the world's config; the text must be there.
    pub fn edit_config(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(&self.world.files.config).unwrap();
        assert!(text.contains(from), "the config has no {from:?}");
        std::fs::write(&self.world.files.config, text.replace(from, to)).unwrap();
    }

    /// Number of cycles recorded in the state DB (0 before it exists).
    pub fn runs(&self) -> i64 {
        self.query_i64("SELECT COUNT(*) FROM runs")
    }

    /// Acknowledgements (`Got it`) recorded for `chat`.
    pub fn acks(&self, chat: i64) -> i64 {
        self.query_i64(&format!(
            "SELECT COUNT(*) FROM acks WHERE recipient = '{chat}'"
        ))
    }

    /// Outbox rows still pending.
    pub fn pending(&self) -> i64 {
        self.query_i64("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
    }

    fn query_i64(&self, sql: &str) -> i64 {
        let Ok(conn) = self.state_conn() else {
            return 0;
        };
        conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap_or(0)
    }

    fn state_conn(&self) -> rusqlite::Result<rusqlite::Connection> {
        let (path, flags) = match &self.state_db_view {
            None => (
                self.world.files.state_db.clone(),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            ),
            // SQLite resolves symbolic links in a database path, and `/proc/<pid>/root` is
            // one: opened in place, the path would lead back to this namespace. A copy of the
            // database and its WAL reads the same (the WAL index is rebuilt from the WAL).
            Some(view) => (
                self.copy_state_db(view),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE,
            ),
        };
        let conn = rusqlite::Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        Ok(conn)
    }

    /// Copies the daemon's state DB and WAL from `view` to a directory of the world.
    fn copy_state_db(&self, view: &std::path::Path) -> PathBuf {
        let dir = self.world.dir.path().join("state-db-copy");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let copy = dir.join("operator.db");
        std::fs::copy(view, &copy).expect("copying the state DB");
        let mut wal = view.as_os_str().to_owned();
        wal.push("-wal");
        let _ = std::fs::copy(wal, dir.join("operator.db-wal"));
        copy
    }

    /// The daemon's /health JSON, if it answers.
    pub async fn health(&self) -> Option<serde_json::Value> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .ok()?;
        let response = client
            .get(format!("http://{}/health", self.health))
            .send()
            .await
            .ok()?;
        response.json().await.ok()
    }

    /// Waits until a cycle beyond `runs_before` is recorded, the outbox is empty, and
    /// /health says healthy with a recent Telegram poll. Returns how long it took.
    pub async fn settle(&self, runs_before: i64) -> Result<Duration, String> {
        self.settle_within(runs_before, WAIT).await
    }

    pub async fn settle_within(
        &self,
        runs_before: i64,
        wait: Duration,
    ) -> Result<Duration, String> {
        let start = tokio::time::Instant::now();
        loop {
            let health = self.health().await;
            let healthy = health.as_ref().is_some_and(|h| {
                h["status"] == "healthy" && h["last_update_poll_age_seconds"].as_i64().is_some()
            });
            if healthy && self.runs() > runs_before && self.pending() == 0 {
                return Ok(start.elapsed());
            }
            if start.elapsed() > wait {
                return Err(format!(
                    "not settled after {wait:?}: runs {} (before {runs_before}), pending {}, health {health:?}",
                    self.runs(),
                    self.pending()
                ));
            }
            // Polling another process's state: a short pause between looks, bounded above.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The end of a scenario without crashes: the daemon settles, the invariant holds with
    /// no duplicate at all, SIGTERM stops it with exit 0, and no secret is in any file.
    pub async fn finish_without_crashes(&self, child: &mut Child) -> InvariantReport {
        self.settle(0).await.expect("the daemon settles");
        let report = self.check_invariant(0);
        assert!(report.problems.is_empty(), "{:#?}", report.problems);
        assert_eq!(report.duplicates, 0, "a message was sent twice");
        assert_eq!(term(child).await, Some(0));
        super::secrets::assert_no_secret_in(self);
        report
    }

    /// Every outbox row, as the invariant needs it.
    pub fn outbox(&self) -> Vec<OutboxFact> {
        let conn = self.state_conn().expect("the state DB opens");
        let mut stmt = conn
            .prepare(
                "SELECT id, recipient, status, message_id, alerts_json, last_error FROM outbox",
            )
            .unwrap();
        stmt.query_map([], |r| {
            let alerts: String = r.get(4)?;
            let keys = serde_json::from_str::<Vec<serde_json::Value>>(&alerts)
                .unwrap_or_default()
                .iter()
                .filter_map(|a| a["dedup_key"].as_str().map(str::to_owned))
                .collect();
            Ok(OutboxFact {
                id: r.get(0)?,
                chat: r.get::<_, String>(1)?.parse().unwrap_or(0),
                status: r.get(2)?,
                message_id: r.get(3)?,
                keys,
                last_error: r.get(5)?,
            })
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    /// Checks the no-lost-alert invariant after a scenario with `crashes` unclean stops.
    pub fn check_invariant(&self, crashes: usize) -> InvariantReport {
        let outbox = self.outbox();
        let journal = self.world.journal_lines_with_backups();
        let mut problems = Vec::new();
        let mut report = InvariantReport::default();
        for row in &outbox {
            match row.status.as_str() {
                "delivered" => {
                    let seen = self
                        .fake
                        .messages(row.chat)
                        .iter()
                        .any(|m| Some(i64::from(m.message_id)) == row.message_id);
                    if !seen {
                        problems.push(format!("row {} delivered but never seen: {row:?}", row.id));
                    }
                    report.delivered += 1;
                }
                "failed" | "expired" => {
                    let journaled = row.keys.iter().all(|k| {
                        journal.iter().any(|l| {
                            l["dedup_key"] == k.as_str()
                                && l["chat_id"] == row.chat
                                && l["outcome"] == row.status.as_str()
                        })
                    });
                    if !journaled || row.last_error.is_none() && row.status == "failed" {
                        problems.push(format!(
                            "row {} {} without a journaled reason",
                            row.id, row.status
                        ));
                    }
                    report.final_failures += 1;
                }
                other => problems.push(format!("row {} still {other}: {row:?}", row.id)),
            }
        }
        // Every alert the pipeline decided to push has a row (so a final outcome above).
        for line in journal.iter().filter(|l| {
            l["outcome"] == "queued" && l["channel"] == "telegram" && l["kind"] == "alert"
        }) {
            let (Some(key), Some(chat)) = (line["dedup_key"].as_str(), line["chat_id"].as_i64())
            else {
                problems.push(format!("malformed queued line {line}"));
                continue;
            };
            if !outbox
                .iter()
                .any(|r| r.chat == chat && r.keys.iter().any(|k| k == key))
            {
                problems.push(format!("{key} queued for {chat} but has no outbox row"));
            }
            report.decided += 1;
        }
        for chat in &self.chats {
            let mut seen: HashMap<String, usize> = HashMap::new();
            for m in self.fake.messages(*chat) {
                *seen.entry(m.text).or_default() += 1;
            }
            let duplicates: usize = seen.values().map(|n| n - 1).sum();
            report.duplicates += duplicates;
            report.messages += seen.values().sum::<usize>();
        }
        // The sender has one message in flight at a time: a crash re-sends at most that one.
        if report.duplicates > crashes {
            problems.push(format!(
                "{} duplicate messages after {crashes} crashes",
                report.duplicates
            ));
        }
        report.problems = problems;
        report
    }
}

/// One outbox row, reduced to what the invariant checks.
#[derive(Debug, Clone)]
pub struct OutboxFact {
    pub id: i64,
    pub chat: i64,
    pub status: String,
    pub message_id: Option<i64>,
    pub keys: Vec<String>,
    pub last_error: Option<String>,
}

/// What the invariant check found.
#[derive(Debug, Default)]
pub struct InvariantReport {
    /// Alerts journaled `queued` for Telegram.
    pub decided: usize,
    pub delivered: usize,
    pub final_failures: usize,
    pub messages: usize,
    pub duplicates: usize,
    pub problems: Vec<String>,
}

/// SIGKILLs `child` and reaps it.
pub async fn kill9(child: &mut Child) {
    child.start_kill().unwrap();
    let _ = tokio::time::timeout(WAIT, child.wait()).await;
}

/// SIGTERMs `child` and returns its exit code.
pub async fn term(child: &mut Child) -> Option<i32> {
    let pid = child.id()?.to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status().await;
    tokio::time::timeout(WAIT, child.wait())
        .await
        .ok()?
        .ok()?
        .code()
}
