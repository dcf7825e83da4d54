//! The real dispatcher against the fake Bot API: every command and every button, for an
//! allowed chat and for a stranger (who gets no data and changes no state).

use std::sync::Arc;
use std::time::Duration;

use operator::app::App;
use operator::channels::telegram::TelegramSender;
use operator::clock::TokioClock;
use operator::cycle::Selection;
use operator::pipeline::{Recipient, SnoozeScope};
use tokio_util::sync::CancellationToken;

use crate::support::fake_telegram::FakeTelegram;
use crate::support::{DemoWorld, morning};

const TOKEN: &str = "424242:BOT-test-token-never-logged";
const CHAT: i64 = 1001;
const OTHER: i64 = 1002;
const STRANGER: i64 = 666;
const WAIT: Duration = Duration::from_secs(10);

struct Harness {
    _world: DemoWorld,
    fake: FakeTelegram,
    app: Arc<App>,
    cancel: CancellationToken,
    bot_task: tokio::task::JoinHandle<()>,
}

impl Harness {
    async fn start() -> Harness {
        let world = DemoWorld::new(morning());
        let fake = FakeTelegram::start(TOKEN);
        fake.know_chat(CHAT);
        fake.know_chat(OTHER);
        world.enable_telegram(&fake.api_url(), TOKEN, &[CHAT, OTHER], &[]);
        let app = App::open(world.config(), Arc::new(TokioClock::starting_at(morning()))).unwrap();
        let cancel = CancellationToken::new();
        let bot_task = tokio::spawn(operator::bot::run(
            fake.bot(),
            Arc::clone(&app),
            cancel.clone(),
        ));
        fake.wait_for_requests("setmycommands", 1, WAIT)
            .await
            .unwrap();
        Harness {
            _world: world,
            fake,
            app,
            cancel,
            bot_task,
        }
    }

    /// Sends `text` from `chat` and returns the text of the reply.
    async fn ask(&self, chat: i64, text: &str) -> String {
        let before = self.fake.messages(chat).len();
        self.fake.push_text(chat, chat, text);
        self.wait_messages(chat, before + 1).await;
        self.fake.messages(chat)[before].plain_text.clone()
    }

    /// Waits (bounded) until `chat` has `n` messages, text or photo.
    async fn wait_messages(&self, chat: i64, n: usize) {
        self.fake.wait_for_messages(chat, n, WAIT).await.unwrap();
    }

    async fn stop(self) {
        self.cancel.cancel();
        tokio::time::timeout(WAIT, self.bot_task)
            .await
            .expect("the bot stops")
            .unwrap();
        self.fake.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_answers_an_allowed_chat() {
    let h = Harness::start().await;
    let menu: Vec<String> = h.fake.commands().into_iter().map(|(c, _)| c).collect();
    for c in [
        "status",
        "readiness",
        "overdue",
        "brief",
        "week",
        "snooze",
        "quiet",
        "check",
        "help",
        "start",
    ] {
        assert!(menu.contains(&c.to_owned()), "menu lacks {c}: {menu:?}");
    }

    let cases: &[(&str, &[&str])] = &[
        ("/start", &["Operator is watching", "/status"]),
        ("/help", &["/readiness", "/quiet"]),
        ("/help snooze", &["Usage: /snooze"]),
        (
            "/status",
            &[
                "Operator status",
                "Sources",
                "This chat",
                "Quiet hours: 22:00–07:00",
            ],
        ),
        (
            "/readiness",
            &["Readiness today: 48", "HRV", "14-day trend"],
        ),
        (
            "/overdue",
            &[
                "Overdue (3)",
                "Schedule date night with Ashley",
                "3 days late",
            ],
        ),
        ("/snooze", &["No active snoozes"]),
        ("/snooze 2h", &["Snoozed all non-critical alerts until"]),
        ("/snooze health 1d", &["Snoozed health alerts until"]),
        (
            "/snooze",
            &["all non-critical alerts until", "health alerts until"],
        ),
        ("/snooze off", &["Cleared 2 snoozes"]),
        ("/snooze 5x", &["Usage: /snooze"]),
        ("/quiet", &["22:00–07:00", "not in force now"]),
        ("/quiet 23-6", &["now 23:00–06:00"]),
        ("/quiet off", &["now off"]),
        ("/quiet 25-3", &["Usage: /quiet"]),
        ("/check", &["Checked:", "Readiness 48"]),
        ("/frobnicate", &["Unknown command /frobnicate"]),
        ("hello", &["/help"]),
    ];
    for (ask, expected) in cases {
        let reply = h.ask(CHAT, ask).await;
        for e in *expected {
            assert!(reply.contains(e), "{ask}: reply lacks {e:?}:\n{reply}");
        }
    }

    // The chat's settings are in the state database, per chat.
    let quiet = h
        .app
        .store(|s| s.quiet_hours(Recipient::Chat(CHAT)))
        .await
        .unwrap();
    assert_eq!(quiet.map(|q| q.enabled), Some(false));
    let other = h
        .app
        .store(|s| s.quiet_hours(Recipient::Chat(OTHER)))
        .await
        .unwrap();
    assert_eq!(other, None);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_gets_its_chat_id_and_nothing_else() {
    let h = Harness::start().await;
    for text in [
        "/status",
        "/readiness",
        "/overdue",
        "/snooze 1d",
        "/quiet off",
        "/check",
        "/help",
    ] {
        h.fake.push_text(STRANGER, STRANGER, text);
    }
    // Updates of one chat are handled in order: once /start is answered, all of the above were.
    let reply = h.ask(STRANGER, "/start").await;
    assert!(
        reply.contains(&STRANGER.to_string()) && reply.contains("allowed_chat_ids"),
        "{reply}"
    );
    assert_eq!(
        h.fake.messages(STRANGER).len(),
        1,
        "the stranger got more than its chat id"
    );
    let snoozes = h
        .app
        .store(move |s| s.snoozes(Recipient::Chat(STRANGER), morning()))
        .await
        .unwrap();
    assert!(snoozes.is_empty());
    h.stop().await;
}

/// Runs a cycle and delivers its messages; returns the alert messages in `chat` with buttons.
async fn deliver_alerts(h: &Harness, chat: i64) -> Vec<(i32, Vec<String>)> {
    h.app.run_cycle("test", Selection::ALL).await.unwrap();
    let sender = TelegramSender::new(Arc::clone(&h.app), h.fake.bot());
    while h.app.store(|s| s.outbox_pending()).await.unwrap() > 0 {
        sender.deliver_due().await;
    }
    h.fake
        .messages(chat)
        .into_iter()
        .filter_map(|m| {
            let keyboard = m.reply_markup?;
            let data: Vec<String> = keyboard["inline_keyboard"]
                .as_array()?
                .iter()
                .flat_map(|row| row.as_array().cloned().unwrap_or_default())
                .map(|b| b["callback_data"].as_str().unwrap_or_default().to_owned())
                .collect();
            Some((m.message_id, data))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buttons_snooze_acknowledge_and_edit_the_message() {
    let h = Harness::start().await;
    let alerts = deliver_alerts(&h, CHAT).await;
    assert!(alerts.len() >= 4, "{alerts:?}");
    let labels = ["Snooze 1h", "Snooze 4h", "Tomorrow", "Got it"];
    let msg = h
        .fake
        .messages(CHAT)
        .into_iter()
        .find(|m| m.reply_markup.is_some())
        .unwrap();
    let shown: Vec<String> = msg.reply_markup.unwrap()["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|b| b["text"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(shown, labels);

    let expectations = [
        "Snoozed until 10:05",
        "Snoozed until 13:05",
        "Snoozed until Sat 07:00",
        "Got it",
    ];
    for (i, expected) in expectations.iter().enumerate() {
        let (message_id, data) = &alerts[i];
        let answers_before = h.fake.callback_answers().len();
        h.fake.push_callback(CHAT, CHAT, *message_id, &data[i]);
        h.fake
            .wait_for_requests("answercallbackquery", answers_before + 1, WAIT)
            .await
            .unwrap();
        h.fake
            .wait_for_requests("editmessagetext", i + 1, WAIT)
            .await
            .unwrap();
        let answer = h
            .fake
            .callback_answers()
            .last()
            .cloned()
            .unwrap()
            .1
            .unwrap_or_default();
        assert!(answer.contains(expected), "button {i}: {answer}");
        let edited = h
            .fake
            .messages(CHAT)
            .into_iter()
            .find(|m| m.message_id == *message_id)
            .unwrap();
        assert!(
            edited.edited && edited.plain_text.contains(expected),
            "{}",
            edited.plain_text
        );
    }
    let state = h
        .app
        .store(|s| {
            s.chat_state(
                Recipient::Chat(CHAT),
                operator::config::QuietHours {
                    enabled: true,
                    start: 22,
                    end: 7,
                },
                morning(),
            )
        })
        .await
        .unwrap();
    let key_snoozes = state
        .snoozes
        .iter()
        .filter(|s| matches!(s.scope, SnoozeScope::Key(_)))
        .count();
    assert!(key_snoozes >= 3, "{:?}", state.snoozes);
    assert!(!state.acks.is_empty());
    // The other chat's state is untouched.
    let other = h
        .app
        .store(move |s| s.snoozes(Recipient::Chat(OTHER), morning()))
        .await
        .unwrap();
    assert!(other.is_empty());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_old_and_stranger_presses_change_nothing() {
    let h = Harness::start().await;
    let alerts = deliver_alerts(&h, CHAT).await;
    let (_, data) = &alerts[0];
    let other_msg = h.fake.messages(OTHER)[0].message_id;

    // Another allowed chat pressing a button of CHAT's alert (forwarded or forged).
    h.fake.push_callback(OTHER, OTHER, other_msg, &data[0]);
    // An unknown alert id, and garbage.
    h.fake
        .push_callback(CHAT, CHAT, alerts[0].0, "o1:s1:987654321");
    h.fake.push_callback(CHAT, CHAT, alerts[0].0, "not-ours");
    h.fake
        .wait_for_requests("answercallbackquery", 3, WAIT)
        .await
        .unwrap();
    let answers: Vec<String> = h
        .fake
        .callback_answers()
        .into_iter()
        .filter_map(|(_, t)| t)
        .collect();
    assert!(
        answers.iter().any(|a| a.contains("another chat")),
        "{answers:?}"
    );
    assert!(answers.iter().any(|a| a.contains("too old")), "{answers:?}");
    assert!(
        answers.iter().any(|a| a.contains("no longer valid")),
        "{answers:?}"
    );

    // A stranger pressing a forwarded button: not even answered.
    h.fake.push_callback(STRANGER, STRANGER, 1, &data[0]);
    let reply = h.ask(STRANGER, "/start").await;
    assert!(reply.contains("not allowed"));
    assert_eq!(h.fake.callback_answers().len(), 3);
    assert_eq!(h.fake.requests_for("editmessagetext").len(), 0);
    for chat in [CHAT, OTHER, STRANGER] {
        let snoozes = h
            .app
            .store(move |s| s.snoozes(Recipient::Chat(chat), morning()))
            .await
            .unwrap();
        assert!(snoozes.is_empty(), "chat {chat}: {snoozes:?}");
    }
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_acknowledges_the_update_offset() {
    let h = Harness::start().await;
    let id = h.fake.push_text(CHAT, CHAT, "/help");
    h.wait_messages(CHAT, 1).await;
    let fake = h.fake.clone();
    h.stop().await;
    assert!(
        fake.confirmed_offset() > i64::from(id),
        "offset {} not past update {id}",
        fake.confirmed_offset()
    );
}

/// A current-thread runtime so every task's logs reach the capture.
#[tokio::test]
async fn starts_without_network_reports_conflicts_and_never_logs_the_token() {
    let logs = crate::support::LogCapture::default();
    let _guard = logs.install();
    let world = DemoWorld::new(morning());
    let fake = FakeTelegram::start(TOKEN);
    fake.know_chat(CHAT);
    world.enable_telegram(&fake.api_url(), TOKEN, &[CHAT], &[]);
    // Telegram unreachable at start: the connection is cut twice, then it answers.
    fake.script(Some("getMe"), crate::support::fake_telegram::Fault::Drop);
    fake.script(Some("getMe"), crate::support::fake_telegram::Fault::Drop);
    // Later another poller takes the token for one round.
    fake.script(
        Some("getUpdates"),
        crate::support::fake_telegram::Fault::Conflict,
    );
    let app = App::open(world.config(), Arc::new(TokioClock::starting_at(morning()))).unwrap();
    let cancel = CancellationToken::new();
    let bot = tokio::spawn(operator::bot::run(
        fake.bot(),
        Arc::clone(&app),
        cancel.clone(),
    ));

    fake.wait_for_requests("setmycommands", 1, Duration::from_secs(20))
        .await
        .unwrap();
    fake.push_text(CHAT, CHAT, "/status");
    fake.push_text(CHAT, CHAT, "/readiness");
    fake.wait_for_requests("sendmessage", 1, Duration::from_secs(20))
        .await
        .unwrap();
    fake.wait_for_requests("sendphoto", 1, Duration::from_secs(20))
        .await
        .unwrap();
    cancel.cancel();
    tokio::time::timeout(WAIT, bot)
        .await
        .expect("the bot stops")
        .unwrap();
    fake.shutdown().await;

    let text = logs.text();
    assert!(text.contains("cannot reach Telegram yet"), "{text}");
    assert!(
        text.contains("409 conflict: another process is polling this bot token"),
        "{text}"
    );
    let secret = TOKEN.split_once(':').unwrap().1;
    assert!(
        !text.contains(secret),
        "the token leaked into the logs:\n{text}"
    );
    let journal = std::fs::read_to_string(&world.files.journal).unwrap_or_default();
    assert!(!journal.contains(secret));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_reply_waits_out_retry_after_and_arrives() {
    let h = Harness::start().await;
    h.fake.script(
        Some("sendMessage"),
        crate::support::fake_telegram::Fault::RetryAfter(1),
    );
    let started = tokio::time::Instant::now();
    let reply = h.ask(CHAT, "/help").await;
    assert!(reply.contains("/status"), "{reply}");
    let sends = h.fake.requests_for("sendmessage");
    assert_eq!(
        sends.iter().filter(|r| r.status == Some(429)).count(),
        1,
        "{sends:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retry_after was not honoured"
    );
    h.stop().await;
}
