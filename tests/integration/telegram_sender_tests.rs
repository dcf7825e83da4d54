//! The Telegram outbox sender against the fake Bot API server, on tokio's paused clock:
//! escaping and splitting, the keyboard, outages with backoff and the desktop fallback,
//! 429 pauses, permanent errors, plain-text re-sends, expiry, pacing, restarts, and the
//! token staying out of logs, the journal and the database.
//!
//! The harness below builds a real `App` (state DB and journal in a temp dir, a
//! `TokioClock`, a recording desktop notifier) and the sender's bot from the config.

mod cli;
mod delivery;
mod faults;
mod lifecycle;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use operator::alert::{Alert, AlertClass, Priority};
use operator::app::App;
use operator::channels::desktop::Notifier;
use operator::channels::journal::Journal;
use operator::channels::telegram::{TelegramSender, bot_for};
use operator::clock::TokioClock;
use operator::config::{Config, Secret, load_str};
use operator::cycle::OUTBOX_TTL;
use operator::pipeline::{Notification, NotificationKind, Recipient};
use operator::store::{OutboxRow, Store};

use crate::support::fake_telegram::FakeTelegram;
use crate::support::queued;

const TOKEN: &str = "424242:SENDER-test_secret-token";
const CHAT: i64 = 111;
const OTHER_CHAT: i64 = 222;

/// 14:00 UTC on a weekday: the start of every paused clock.
fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 14, 0, 0).unwrap()
}

/// A desktop notifier that records the titles it was asked to show.
#[derive(Clone, Default)]
struct RecordingNotifier(Arc<Mutex<Vec<String>>>);

impl Notifier for RecordingNotifier {
    fn notify(&self, n: &Notification) -> Result<(), String> {
        self.0.lock().unwrap().push(n.title.clone());
        Ok(())
    }
}

impl RecordingNotifier {
    fn titles(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// A config for a temp dir: Telegram on for `chats`, pointed at the fake; no macOS alerter.
fn config(root: &Path, api_url: &str, chats: &[i64], retry_attempts: u32) -> Config {
    let root_text = root.display().to_string();
    let env = move |name: &str| match name {
        "THANOS_ROOT" | "HOME" => Some(root_text.clone()),
        _ => None,
    };
    let yaml = "alerters:\n  telegram:\n    enabled: false\n  macos:\n    enabled: false\n";
    let mut config = load_str(yaml, &root.join("operator.yaml"), &env).expect("test config");
    let tg = &mut config.alerters.telegram;
    tg.enabled = true;
    tg.token = Some(Secret::new(TOKEN));
    tg.chat_ids = chats.to_vec();
    tg.api_url = api_url.to_owned();
    tg.retry_attempts = retry_attempts;
    config.refresh_redactor();
    config
}

/// Everything one test needs; dropping it ends the fake.
struct World {
    dir: tempfile::TempDir,
    fake: FakeTelegram,
    app: Arc<App>,
    notifier: RecordingNotifier,
}

impl World {
    /// A fake that knows `chats`, and an app over a fresh state DB. Call on a paused runtime.
    fn new(chats: &[i64], retry_attempts: u32) -> World {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeTelegram::start(TOKEN);
        for &chat in chats {
            fake.know_chat(chat);
        }
        let config = config(dir.path(), &fake.api_url(), chats, retry_attempts);
        let notifier = RecordingNotifier::default();
        let app = open_app(config, &notifier);
        World {
            dir,
            fake,
            app,
            notifier,
        }
    }

    fn config(&self) -> &Config {
        &self.app.config
    }

    /// A sender whose bot is built by `bot_for` from the config, as the daemon does.
    fn sender(&self) -> TelegramSender {
        let bot = bot_for(self.config())
            .expect("valid api_url")
            .expect("telegram on");
        TelegramSender::new(Arc::clone(&self.app), bot)
    }

    /// Queues one alert for `chat` as the cycle does; returns the outbox id.
    fn queue(&self, chat: i64, priority: Priority, title: &str, lines: &[&str]) -> i64 {
        let alert = Alert::new(
            AlertClass::Tasks,
            "overdue",
            Some(title),
            priority,
            title,
            lines.join(" "),
            self.app.now(),
        );
        self.queue_notification(
            chat,
            &notification(priority, title, lines, vec![alert], NotificationKind::Alert),
            OUTBOX_TTL,
        )
    }

    fn queue_notification(&self, chat: i64, n: &Notification, ttl: chrono::Duration) -> i64 {
        let now = self.app.now();
        self.app
            .lock_store()
            .enqueue(
                Recipient::Chat(chat),
                "telegram",
                queued(n).get(),
                now,
                now + ttl,
            )
            .unwrap()
    }

    fn row(&self, id: i64) -> OutboxRow {
        self.app
            .lock_store()
            .outbox_row(id)
            .unwrap()
            .expect("row exists")
    }

    fn journal_path(&self) -> PathBuf {
        self.config().alerters.journal.log_path.clone()
    }

    fn journal(&self) -> Vec<Value> {
        std::fs::read_to_string(self.journal_path())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("journal line is JSON"))
            .collect()
    }

    /// Journal lines with this outcome.
    fn journal_outcomes(&self, outcome: &str) -> Vec<Value> {
        self.journal()
            .into_iter()
            .filter(|l| l["outcome"] == outcome)
            .collect()
    }
}

fn open_app(config: Config, notifier: &RecordingNotifier) -> Arc<App> {
    let store = Store::open(&config.state.db_path).unwrap();
    let journal =
        Journal::open(&config.alerters.journal.log_path, config.logging.rotation).unwrap();
    let clock = Arc::new(TokioClock::starting_at(start_time()));
    App::new(
        config,
        store,
        Some(journal),
        clock,
        Some(Box::new(notifier.clone())),
    )
}

fn notification(
    priority: Priority,
    title: &str,
    lines: &[&str],
    alerts: Vec<Alert>,
    kind: NotificationKind,
) -> Notification {
    Notification {
        priority,
        title: title.to_owned(),
        lines: lines.iter().map(|l| (*l).to_owned()).collect(),
        alerts,
        kind,
        back_from_snooze: None,
    }
}

/// The text Telegram shows for the messages in `chat`, oldest first.
fn shown(fake: &FakeTelegram, chat: i64) -> Vec<String> {
    fake.messages(chat)
        .into_iter()
        .map(|m| m.plain_text)
        .collect()
}
