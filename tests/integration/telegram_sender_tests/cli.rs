//! `operator check` delivers the Telegram outbox after its cycle (real binary, real time,
//! the fake on a multi-threaded runtime).

use crate::support::{self, DemoWorld, morning};

use super::{CHAT, TOKEN};
use crate::support::fake_telegram::FakeTelegram;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_delivers_queued_alerts_to_telegram_and_reports_each() {
    let fake = FakeTelegram::start(TOKEN);
    fake.know_chat(CHAT);
    let world = DemoWorld::new(morning());
    let config = std::fs::read_to_string(&world.files.config).unwrap();
    let telegram = format!(
        "  telegram:\n    enabled: true\n    token: \"${{TELEGRAM_BOT_TOKEN}}\"\n    chat_id: {CHAT}\n    min_priority: \"high\"\n    api_url: \"{}\"\n",
        fake.api_url()
    );
    let patched = config.replace("  telegram:\n    enabled: false\n", &telegram);
    assert_ne!(
        patched, config,
        "the demo config has a telegram section to patch"
    );
    std::fs::write(&world.files.config, patched).unwrap();

    let cwd = world.dir.path().to_owned();
    let config_arg = world.config_arg();
    let now = morning().to_rfc3339();
    let output = tokio::task::spawn_blocking(move || {
        support::run_operator(
            &cwd,
            &["--config", &config_arg, "check", "--now", &now],
            &[("TELEGRAM_BOT_TOKEN", TOKEN)],
        )
    })
    .await
    .unwrap();
    let stdout = support::stdout(&output);
    let stderr = support::stderr(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");

    let messages = fake.messages(CHAT);
    assert!(
        !messages.is_empty(),
        "the demo has high-priority alerts:\n{stdout}"
    );
    assert!(stdout.contains("── Telegram delivery ──"), "{stdout}");
    let delivered = stdout
        .lines()
        .filter(|l| l.starts_with(&format!("chat {CHAT} · ")) && l.contains(": delivered"))
        .count();
    assert_eq!(
        delivered,
        fake.requests_for("sendMessage").len(),
        "one line per row:\n{stdout}"
    );
    assert!(messages.iter().all(|m| m.reply_markup.is_some()));
    let secret = TOKEN.split_once(':').unwrap().1;
    assert!(!stdout.contains(secret) && !stderr.contains(secret));
    let sent = world
        .journal_lines()
        .into_iter()
        .filter(|l| l["channel"] == "telegram" && l["outcome"] == "sent")
        .count();
    assert!(
        sent >= messages.len(),
        "each delivered alert is journaled sent"
    );
    fake.shutdown().await;
}
