//! `operator check` delivers the Telegram outbox after its cycle (real binary, real time,
//! the fake on a multi-threaded runtime).

use std::process::Output;

use crate::support::{self, DemoWorld, morning};

use super::{CHAT, TOKEN};
use crate::support::fake_telegram::FakeTelegram;

/// `operator check --now <morning>` on `world`, off the runtime's workers.
async fn check_at_morning(world: &DemoWorld, env: &[(&'static str, &'static str)]) -> Output {
    let cwd = world.dir.path().to_owned();
    let config_arg = world.config_arg();
    let now = morning().to_rfc3339();
    let env = env.to_vec();
    tokio::task::spawn_blocking(move || {
        support::run_operator(
            &cwd,
            &["--config", &config_arg, "check", "--now", &now],
            &env,
        )
    })
    .await
    .unwrap()
}

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

    let output = check_at_morning(&world, &[("TELEGRAM_BOT_TOKEN", TOKEN)]).await;
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

/// A commitment whose title is 100 KB of every HTML special, right-to-left and zero-width
/// marks, emoji and quotes, due yesterday: the alert arrives as one message Telegram
/// accepts, the title shown escaped and clipped, and the journal keeps the alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_kb_hostile_title_arrives_clipped_escaped_and_accepted() {
    use operator::channels::telegram::split::utf16_len;
    let fake = FakeTelegram::start(TOKEN);
    fake.know_chat(CHAT);
    let world = DemoWorld::new(morning());
    world.enable_telegram(&fake.api_url(), TOKEN, &[CHAT], &[]);
    let atom = "<b>&amp;</b> & \"q\" 'a' \u{202E}rtl\u{202C} \u{200B}zw\u{200D} \u{FEFF}🔥 ";
    let title = atom.repeat(100 * 1024 / atom.len() + 1);
    assert!(title.len() >= 100 * 1024);
    let path = world.files.state_dir.join("CommitmentData.json");
    let mut data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let list = data["commitments"].as_array_mut().unwrap();
    let mut hostile = list[0].clone();
    hostile["id"] = "hostile-title".into();
    hostile["title"] = title.clone().into();
    hostile["due_date"] = "2026-11-26".into();
    hostile["status"] = "pending".into();
    list.push(hostile);
    std::fs::write(&path, serde_json::to_string(&data).unwrap()).unwrap();

    let output = check_at_morning(&world, &[]).await;
    let stdout = support::stdout(&output);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        support::stderr(&output)
    );
    let sends = fake.requests_for("sendMessage");
    assert!(
        sends.iter().all(|r| r.status == Some(200)),
        "the strict fake refused a message"
    );
    let messages = fake.messages(CHAT);
    assert!(messages.iter().all(|m| utf16_len(&m.text) <= 4096));
    let shown: Vec<&str> = messages
        .iter()
        .map(|m| m.plain_text.as_str())
        .filter(|t| t.contains("rtl"))
        .collect();
    assert_eq!(
        shown.len(),
        1,
        "one message, not dozens: {}",
        messages.len()
    );
    let first_atom = "<b>&amp;</b> & \"q\" 'a' \u{202E}rtl";
    assert!(
        shown[0].contains(first_atom),
        "shown as written: {}",
        shown[0]
    );
    assert!(shown[0].contains('…'), "clipped: {}", shown[0].len());
    assert!(shown[0].len() < 4 * 1024, "{}", shown[0].len());
    let journaled = world
        .journal_lines()
        .into_iter()
        .any(|l| l["dedup_key"] == "tasks:overdue:hostile-title");
    assert!(journaled);
    fake.shutdown().await;
}
