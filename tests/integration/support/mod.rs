//! Shared test support: run the real `operator` binary, build demo data sets in temp dirs,
//! and the fake Telegram Bot API server.

pub mod fake_telegram;
pub mod postgres;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use operator::fixtures::demo::{self, DemoFiles, Scale};

/// The `operator` binary cargo built for these tests.
pub fn operator_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_operator"))
}

/// Runs `operator` with `args`, an empty environment except PATH and the given variables,
/// in `cwd`.
pub fn run_operator(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(operator_bin());
    cmd.args(args).current_dir(cwd).env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("running the operator binary")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A zone from the system's time zone database (the tests need tzdata, as Operator does).
pub fn zone(name: &str) -> operator::zone::Zone {
    operator::zone::Zone::named(name)
        .unwrap_or_else(|e| panic!("{e}: the tests need the system's time zone database"))
}

/// America/New_York, read once.
pub fn new_york() -> &'static operator::zone::Zone {
    static ZONE: std::sync::LazyLock<operator::zone::Zone> =
        std::sync::LazyLock::new(|| zone("America/New_York"));
    &ZONE
}

/// A fixed instant: 09:05 America/New_York on Friday 2026-11-27.
pub fn morning() -> DateTime<Utc> {
    new_york()
        .with_ymd_and_hms(2026, 11, 27, 9, 5, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// A demo data set (Oura cache, WorkOS cache, State files, config) for a cycle at `now`.
pub struct DemoWorld {
    pub dir: tempfile::TempDir,
    pub files: DemoFiles,
}

impl DemoWorld {
    pub fn new(now: DateTime<Utc>) -> DemoWorld {
        let dir = tempfile::tempdir().unwrap();
        let files = DemoFiles::new(dir.path());
        demo::generate(&files, now, Scale::ONE).unwrap();
        let world = DemoWorld { dir, files };
        // Never the real Oura API: a test that sets a token talks to loopback only.
        world.point_oura_api_at("http://127.0.0.1:9");
        // The alert tests count messages; the brief tests turn it back on.
        world.set_brief(false);
        world
    }

    /// Turns the morning brief on or off in the demo config.
    pub fn set_brief(&self, on: bool) {
        let text = std::fs::read_to_string(&self.files.config).unwrap();
        let [from, to] = ["true", "false"].map(|b| format!("brief:\n  enabled: {b}\n"));
        let (from, to) = if on { (to, from) } else { (from, to) };
        let replaced = text.replace(&from, &to);
        assert!(
            replaced.contains(&to),
            "the demo config's brief block changed shape"
        );
        std::fs::write(&self.files.config, replaced).unwrap();
    }

    /// Adds `monitors.services` with these checks (YAML list items, each starting `- `).
    pub fn set_services(&self, checks: &[&str]) {
        let mut text = std::fs::read_to_string(&self.files.config).unwrap();
        assert!(
            !text.contains("\nmonitors:"),
            "the demo config has its own monitors block now"
        );
        text.push_str("monitors:\n  services:\n    interval_seconds: 60\n    checks:\n");
        for check in checks {
            text.push_str(&format!("      {check}\n"));
        }
        std::fs::write(&self.files.config, text).unwrap();
    }

    pub fn config_arg(&self) -> String {
        self.files.config.display().to_string()
    }

    /// Turns Telegram on in the demo config: the fake's URL and token, pushes to `chats`,
    /// commands allowed from `allowed` (defaults to `chats` when empty).
    pub fn enable_telegram(&self, api_url: &str, token: &str, chats: &[i64], allowed: &[i64]) {
        let text = std::fs::read_to_string(&self.files.config).unwrap();
        let list = |ids: &[i64]| {
            format!(
                "[{}]",
                ids.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let allowed_line = if allowed.is_empty() {
            String::new()
        } else {
            format!("    allowed_chat_ids: {}\n", list(allowed))
        };
        let block = format!(
            "  telegram:\n    enabled: true\n    token: \"{token}\"\n    chat_id: {}\n{allowed_line}    api_url: \"{api_url}\"\n    min_priority: \"high\"\n    retry_attempts: 3\n    timeout_seconds: 10\n    poll_timeout_seconds: 1\n",
            list(chats)
        );
        let replaced = text.replace("  telegram:\n    enabled: false\n", &block);
        assert_ne!(
            replaced, text,
            "the demo config's telegram block changed shape"
        );
        std::fs::write(&self.files.config, replaced).unwrap();
    }

    /// Sets `adapters.oura.api_base_url` (the API fallback and `daily_stress`).
    pub fn point_oura_api_at(&self, url: &str) {
        let text = std::fs::read_to_string(&self.files.config).unwrap();
        let line = format!("    api_base_url: \"{url}\"");
        let mut found = false;
        let mut out: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with("    api_base_url: ") {
                    found = true;
                    line.clone()
                } else {
                    l.to_owned()
                }
            })
            .collect();
        if !found {
            let at = out
                .iter()
                .position(|l| l == "    type: \"mcp_cache\"")
                .expect("the demo config's oura block");
            out.insert(at + 1, line);
        }
        std::fs::write(&self.files.config, out.join("\n") + "\n").unwrap();
    }

    /// Turns the health endpoint on at `bind`.
    pub fn enable_health(&self, bind: &str) {
        let text = std::fs::read_to_string(&self.files.config).unwrap();
        let replaced = text.replace(
            "health_endpoint:\n  enabled: false\n",
            &format!("health_endpoint:\n  enabled: true\n  bind: \"{bind}\"\n"),
        );
        assert_ne!(
            replaced, text,
            "the demo config's health_endpoint block changed shape"
        );
        std::fs::write(&self.files.config, replaced).unwrap();
    }

    /// Turns the default quiet hours off, so what is pushed does not depend on the hour the
    /// test runs at.
    pub fn no_quiet_hours(&self) {
        let text = std::fs::read_to_string(&self.files.config).unwrap();
        let replaced = text.replace(
            "quiet_hours:\n  enabled: true\n",
            "quiet_hours:\n  enabled: false\n",
        );
        assert_ne!(
            replaced, text,
            "the demo config's quiet_hours block changed shape"
        );
        std::fs::write(&self.files.config, replaced).unwrap();
    }

    pub fn config(&self) -> operator::config::Config {
        operator::config::load_file(&self.files.config).expect("the world's config loads")
    }

    /// The journal's lines, oldest first, its rotated backups (`operator.log.N` … `.1`)
    /// included.
    pub fn journal_lines_with_backups(&self) -> Vec<serde_json::Value> {
        let mut lines = Vec::new();
        for index in (1..=20).rev() {
            let path = operator::channels::rotating::backup_path(&self.files.journal, index);
            if let Ok(text) = std::fs::read_to_string(path) {
                lines.extend(
                    text.lines()
                        .map(|l| serde_json::from_str(l).expect("journal line is JSON")),
                );
            }
        }
        lines.extend(self.journal_lines());
        lines
    }

    pub fn journal_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.files.journal)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("journal line is JSON"))
            .collect()
    }
}

/// Captures every tracing line written on this thread while its guard lives (tests on a
/// current-thread runtime see their spawned tasks' logs too).
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogCapture {
    /// Starts capturing at TRACE level; capture stops when the guard drops.
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A loopback address with a port nothing listens on right now.
pub fn free_loopback_addr() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// A loopback Oura API that answers every collection with no documents.
pub async fn empty_oura_api() -> wiremock::MockServer {
    use wiremock::matchers::method;
    use wiremock::{Mock, ResponseTemplate};
    let server = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"data": [], "next_token": null})),
        )
        .mount(&server)
        .await;
    server
}

/// A notification rendered as the cycle renders it, ready for `Store::enqueue`:
/// `store.enqueue(chat, "telegram", queued(&n).get(), now, expires)`.
pub struct Queued<'a> {
    notification: &'a operator::pipeline::Notification,
    text: operator::render::Text,
}

impl Queued<'_> {
    pub fn get(&self) -> operator::store::QueuedMessage<'_> {
        operator::store::QueuedMessage {
            notification: self.notification,
            html: self.text.html(),
            plain: self.text.plain(),
            photo: None,
        }
    }
}

pub fn queued(notification: &operator::pipeline::Notification) -> Queued<'_> {
    Queued {
        notification,
        text: operator::render::notification(notification),
    }
}
