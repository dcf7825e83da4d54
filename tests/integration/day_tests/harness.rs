//! One app on a hand-set clock: a demo world with Telegram pointed at the fake, the bot's
//! dispatcher running, cycles and deliveries driven by the test.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use operator::app::App;
use operator::channels::telegram::TelegramSender;
use operator::clock::ManualClock;
use operator::cycle::Selection;
use tokio_util::sync::CancellationToken;

use crate::support::fake_telegram::{FakeTelegram, SentMessage};
use crate::support::{DemoWorld, new_york};

pub const TOKEN: &str = "424242:BOT-day-token-never-logged";
pub const CHAT: i64 = 2001;
/// Allowed to use the bot, gets no pushes.
pub const OTHER: i64 = 2002;
/// Not allowed.
pub const STRANGER: i64 = 6666;
pub const WAIT: Duration = Duration::from_secs(10);

/// Local New York time on the demo's day (Fri 27 Nov 2026).
pub fn at(h: u32, m: u32) -> DateTime<Utc> {
    new_york()
        .with_ymd_and_hms(2026, 11, 27, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

pub struct Day {
    pub world: DemoWorld,
    pub fake: FakeTelegram,
    pub clock: ManualClock,
    pub app: Arc<App>,
    cancel: CancellationToken,
    bot_task: Option<tokio::task::JoinHandle<()>>,
}

impl Day {
    /// The demo world as of `data_at`, the clock at `now`, the brief on or off.
    pub async fn start(data_at: DateTime<Utc>, now: DateTime<Utc>, brief: bool) -> Day {
        Day::start_with(data_at, now, brief, |_| {}).await
    }

    /// As [`Day::start`], with `edit` applied to the world (its config) before the app opens.
    pub async fn start_with(
        data_at: DateTime<Utc>,
        now: DateTime<Utc>,
        brief: bool,
        edit: impl FnOnce(&DemoWorld),
    ) -> Day {
        let world = DemoWorld::new(data_at);
        let fake = FakeTelegram::start(TOKEN);
        fake.know_chat(CHAT);
        fake.know_chat(OTHER);
        world.enable_telegram(&fake.api_url(), TOKEN, &[CHAT], &[CHAT, OTHER]);
        world.set_brief(brief);
        edit(&world);
        let clock = ManualClock::at(now);
        let app = App::open(world.config(), Arc::new(clock.clone())).unwrap();
        let mut day = Day {
            world,
            fake,
            clock,
            app,
            cancel: CancellationToken::new(),
            bot_task: None,
        };
        day.start_bot().await;
        day
    }

    async fn start_bot(&mut self) {
        let polls = self.fake.requests_for("setmycommands").len();
        self.cancel = CancellationToken::new();
        self.bot_task = Some(tokio::spawn(operator::bot::run(
            self.fake.bot(),
            Arc::clone(&self.app),
            self.cancel.clone(),
        )));
        self.fake
            .wait_for_requests("setmycommands", polls + 1, WAIT)
            .await
            .unwrap();
    }

    /// Stops the bot and opens a new app on the same files (a restart).
    pub async fn restart(&mut self) {
        self.stop_bot().await;
        self.app = App::open(self.world.config(), Arc::new(self.clock.clone())).unwrap();
        self.start_bot().await;
    }

    async fn stop_bot(&mut self) {
        self.cancel.cancel();
        if let Some(task) = self.bot_task.take() {
            tokio::time::timeout(WAIT, task)
                .await
                .expect("the bot stops")
                .unwrap();
        }
    }

    /// Sets the clock, runs a cycle and delivers everything it queued.
    pub async fn cycle_at(&self, now: DateTime<Utc>) -> operator::cycle::Report {
        self.clock.set(now);
        let report = self.app.run_cycle("test", Selection::ALL).await.unwrap();
        self.deliver().await;
        report
    }

    pub async fn deliver(&self) {
        let sender = TelegramSender::new(Arc::clone(&self.app), self.fake.bot());
        while self.app.store(|s| s.outbox_pending()).await.unwrap() > 0 {
            sender.deliver_due().await;
        }
    }

    pub fn messages(&self) -> Vec<SentMessage> {
        self.fake.messages(CHAT)
    }

    /// The photo messages with `needle` in their caption (or the text right before them).
    pub fn briefs(&self) -> Vec<SentMessage> {
        self.messages()
            .into_iter()
            .filter(|m| m.plain_text.contains("Good morning"))
            .collect()
    }

    /// Sends `text` from the chat and waits for `n` more bot messages; returns them.
    pub async fn ask(&self, text: &str, n: usize) -> Vec<SentMessage> {
        let before = self.messages().len();
        self.fake.push_text(CHAT, CHAT, text);
        self.fake
            .wait_for_messages(CHAT, before + n, WAIT)
            .await
            .unwrap_or_else(|e| panic!("no reply to {text}: {e}"));
        self.messages()[before..].to_vec()
    }

    /// Presses the button labelled `label` on message `message_id`; returns the answer.
    pub async fn press(&self, message_id: i32, label: &str) -> String {
        let message = self
            .messages()
            .into_iter()
            .find(|m| m.message_id == message_id)
            .expect("the message exists");
        let data = buttons(&message)
            .into_iter()
            .find(|(l, _)| l == label)
            .unwrap_or_else(|| panic!("no {label} button on {message:?}"))
            .1;
        self.press_data(message_id, &data).await
    }

    /// Presses a button with callback `data` on message `message_id`; returns the answer.
    pub async fn press_data(&self, message_id: i32, data: &str) -> String {
        let answered = self.fake.requests_for("answercallbackquery").len();
        let edits = self.edits();
        self.fake.push_callback(CHAT, CHAT, message_id, data);
        self.fake
            .wait_for_requests("answercallbackquery", answered + 1, WAIT)
            .await
            .unwrap();
        // The edit (or keyboard removal) follows the answer: wait for it to land.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
        while self.edits() == edits && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.fake
            .callback_answers()
            .last()
            .and_then(|(_, t)| t.clone())
            .unwrap_or_default()
    }

    fn edits(&self) -> usize {
        self.fake.requests_for("editmessagetext").len()
            + self.fake.requests_for("editmessagereplymarkup").len()
    }

    pub fn message(&self, message_id: i32) -> SentMessage {
        self.messages()
            .into_iter()
            .find(|m| m.message_id == message_id)
            .unwrap()
    }

    pub async fn stop(mut self) {
        self.stop_bot().await;
        self.fake.shutdown().await;
    }
}

/// The (label, callback data) of a message's buttons.
pub fn buttons(message: &SentMessage) -> Vec<(String, String)> {
    let Some(markup) = &message.reply_markup else {
        return Vec::new();
    };
    markup["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .map(|b| {
            (
                b["text"].as_str().unwrap_or_default().to_owned(),
                b["callback_data"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Oura rows of `day` taken out of the cache (the ring has not synced yet); put back with
/// [`Withheld::land`].
pub struct Withheld {
    path: std::path::PathBuf,
    rows: Vec<(String, String, String, String, String, String)>,
}

pub fn withhold_oura_day(world: &DemoWorld, day: NaiveDate) -> Withheld {
    let conn = rusqlite::Connection::open(&world.files.oura_db).unwrap();
    let day = day.to_string();
    let mut rows = Vec::new();
    for table in ["readiness_data", "sleep_data"] {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT id, day, data, cached_at, expires_at FROM {table} WHERE day = ?1"
            ))
            .unwrap();
        let found = stmt
            .query_map([&day], |r| {
                Ok((
                    table.to_owned(),
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })
            .unwrap();
        rows.extend(found.map(Result::unwrap));
        conn.execute(&format!("DELETE FROM {table} WHERE day = ?1"), [&day])
            .unwrap();
    }
    assert!(!rows.is_empty(), "the demo has data for {day}");
    Withheld {
        path: world.files.oura_db.clone(),
        rows,
    }
}

impl Withheld {
    /// The ring syncs: the rows are back.
    pub fn land(self) {
        let conn = rusqlite::Connection::open(&self.path).unwrap();
        for (table, id, day, data, cached, expires) in self.rows {
            conn.execute(
                &format!(
                    "INSERT INTO {table} (id, day, data, cached_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)"
                ),
                [id, day, data, cached, expires],
            )
            .unwrap();
        }
    }
}

/// Marks the commitments titled `titles` completed in `CommitmentData.json`.
pub fn complete_commitments(world: &DemoWorld, titles: &[&str]) {
    let path = world.files.state_dir.join("CommitmentData.json");
    let mut data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut done = 0;
    for c in data["commitments"].as_array_mut().unwrap() {
        if titles.contains(&c["title"].as_str().unwrap_or_default()) {
            c["status"] = "completed".into();
            done += 1;
        }
    }
    assert_eq!(done, titles.len(), "the demo has {titles:?}");
    std::fs::write(&path, serde_json::to_string_pretty(&data).unwrap()).unwrap();
}
