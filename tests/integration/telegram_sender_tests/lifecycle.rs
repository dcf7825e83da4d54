//! The sender over time: waking on new rows, resuming after a restart without re-sending,
//! and never letting the bot token reach the logs, the journal or the database.

use std::sync::Arc;

use operator::alert::Priority;
use operator::channels::telegram::TelegramSender;
use operator::store::OutboxStatus;
use tokio::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

use super::{CHAT, OTHER_CHAT, TOKEN, World, open_app, shown};
use crate::support::LogCapture;
use crate::support::fake_telegram::Fault;

#[tokio::test(start_paused = true)]
async fn the_running_sender_wakes_for_new_rows_instead_of_waiting_for_its_tick() {
    let w = World::new(&[CHAT], 3);
    let cancel = CancellationToken::new();
    let running = tokio::spawn(w.sender().run(cancel.clone()));
    tokio::task::yield_now().await;
    tokio::time::advance(Duration::from_secs(5)).await;
    assert!(
        w.fake.requests_for("sendMessage").is_empty(),
        "nothing to send yet"
    );

    let queued_at = Instant::now();
    w.queue(CHAT, Priority::High, "fresh", &["now"]);
    w.app.outbox_wake.notify_one();
    let sends = w
        .fake
        .wait_for_requests("sendMessage", 1, Duration::from_secs(600))
        .await
        .unwrap();
    assert!(
        sends[0].at - queued_at < Duration::from_secs(1),
        "sent on the wake-up"
    );
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(60), running)
        .await
        .expect("the sender stops when cancelled")
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_restart_resumes_pending_rows_and_does_not_resend_delivered_ones() {
    let w = World::new(&[CHAT], 3);
    let done = w.queue(CHAT, Priority::High, "before the crash", &["1"]);
    assert_eq!(w.sender().deliver_due().await.delivered, 1);
    // Two rows queued, then the daemon dies before sending them.
    let pending = [
        w.queue(CHAT, Priority::Medium, "pending one", &["2"]),
        w.queue(CHAT, Priority::Low, "pending two", &["3"]),
    ];
    let config = w.app.config.clone();
    let World {
        dir: _dir,
        fake,
        app,
        notifier,
    } = w;
    drop(app);

    let app = open_app(config, &notifier);
    let bot = operator::channels::telegram::bot_for(&app.config)
        .unwrap()
        .unwrap();
    let stats = TelegramSender::new(Arc::clone(&app), bot)
        .drain(Duration::from_secs(60))
        .await;
    assert_eq!(stats.delivered, 2, "{stats:?}");
    let store = app.lock_store();
    assert_eq!(
        store.outbox_row(done).unwrap().unwrap().status,
        OutboxStatus::Delivered
    );
    for id in pending {
        assert_eq!(
            store.outbox_row(id).unwrap().unwrap().status,
            OutboxStatus::Delivered
        );
    }
    let titles: Vec<String> = shown(&fake, CHAT)
        .iter()
        .map(|t| t.lines().next().unwrap().to_owned())
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert_eq!(
        titles
            .iter()
            .filter(|t| t.contains("before the crash"))
            .count(),
        1
    );
}

/// A `tracing` writer into a shared buffer.
#[tokio::test(start_paused = true)]
async fn the_token_never_reaches_logs_journal_or_database() {
    let captured = LogCapture::default();
    let _guard = captured.install();

    let w = World::new(&[CHAT, OTHER_CHAT], 1);
    w.fake.block_chat(OTHER_CHAT);
    for fault in [Fault::Drop, Fault::ServerError(502), Fault::RetryAfter(2)] {
        w.fake.script(Some("sendMessage"), fault);
    }
    w.queue(CHAT, Priority::High, "one", &["1"]);
    w.queue(OTHER_CHAT, Priority::High, "blocked", &["2"]);
    let sender = w.sender();
    let mut delivered = 0;
    for _ in 0..10 {
        delivered += sender.drain(Duration::from_secs(60)).await.delivered;
        if delivered == 1 {
            break;
        }
        tokio::time::advance(Duration::from_secs(30)).await;
    }
    assert_eq!(delivered, 1);

    let logs = captured.text();
    assert!(
        logs.contains("Telegram send failed"),
        "the failures were logged:\n{logs}"
    );
    assert!(
        logs.contains(&format!(
            "Telegram chat {OTHER_CHAT}: the user blocked the bot"
        )) && logs.contains("/start it again"),
        "one clear line for the blocked chat:\n{logs}"
    );
    let secret = TOKEN.split_once(':').unwrap().1;
    assert!(
        !logs.contains(secret),
        "the token leaked into the logs:\n{logs}"
    );

    let journal = std::fs::read_to_string(w.journal_path()).unwrap();
    assert!(journal.contains("fallback_desktop") && !journal.contains(secret));
    let db_path = &w.config().state.db_path;
    for path in [db_path.clone(), db_path.with_extension("db-wal")] {
        if let Ok(bytes) = std::fs::read(&path) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(secret), "the token is in {}", path.display());
        }
    }
    let errors: Vec<String> = w
        .app
        .lock_store()
        .outbox_row(1)
        .unwrap()
        .and_then(|r| r.last_error)
        .into_iter()
        .collect();
    assert!(!errors.is_empty(), "the failures were recorded");
}
