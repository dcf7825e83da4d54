//! `operator setup`, the real binary against the strict fake Bot API: the `/start` arriving
//! late, a refused and a malformed token, a stranger writing first (answered on stdin),
//! Ctrl-C mid-way and a timeout (nothing written), an existing config kept, a second run
//! showing what is set. Every run's output is scanned for the token; `.env` is 0600.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::{Child, Command};

use crate::support::fake_telegram::FakeTelegram;
use crate::support::operator_bin;

const TOKEN: &str = "5550001:SETUP-test_token-abcdefghijklmnopqrstu";
const OTHER_TOKEN: &str = "5550002:SETUP-other_token-abcdefghijklmnopq";
const ME: i64 = 31337;
const STRANGER: i64 = 666;
const WAIT: Duration = Duration::from_secs(20);

/// Starts `operator setup` in `dir` (HOME too, so nothing outside it is found or written),
/// with `args` after the common ones; stdin piped.
fn spawn_setup(dir: &Path, fake: &FakeTelegram, args: &[&str]) -> Child {
    let token_file = dir.join("token.txt");
    if !token_file.exists() {
        std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    }
    Command::new(operator_bin())
        .arg("setup")
        .args(["--dir", &dir.join("cfg").display().to_string()])
        .args(["--api-url", &fake.api_url()])
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

fn token_arg(dir: &Path) -> String {
    dir.join("token.txt").display().to_string()
}

/// Waits (bounded) until `cond` holds.
async fn until(what: &str, cond: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Setup's output, both streams, after it exited; asserts the token never appears.
async fn finish(child: Child) -> (i32, String) {
    let out = tokio::time::timeout(WAIT, child.wait_with_output())
        .await
        .expect("setup exits")
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for secret in [TOKEN, "SETUP-test_token", OTHER_TOKEN] {
        assert!(
            !text.contains(secret),
            "the token leaked into the output:\n{text}"
        );
    }
    (out.status.code().unwrap_or(-1), text)
}

/// The message id of the last message in `chat` that has a keyboard.
fn keyboard_message(fake: &FakeTelegram, chat: i64) -> Option<(i32, String)> {
    fake.messages(chat).into_iter().rev().find_map(|m| {
        let data = m.reply_markup.as_ref()?["inline_keyboard"][0][0]["callback_data"]
            .as_str()?
            .to_owned();
        Some((m.message_id, data))
    })
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_start_then_a_press_sets_everything_up() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTelegram::start(TOKEN);
    let child = spawn_setup(
        dir.path(),
        &fake,
        &["--token-file", &token_arg(dir.path()), "--yes"],
    );
    // The /start comes only once setup is already waiting for it.
    until("setup's long poll", || {
        !fake.requests_for("getUpdates").is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    fake.push_text(ME, ME, "/start");
    until("the test alert", || keyboard_message(&fake, ME).is_some()).await;
    let (message_id, data) = keyboard_message(&fake, ME).unwrap();
    fake.push_callback(ME, ME, message_id, &data);
    let (code, out) = finish(child).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("@"), "names the bot: {out}");
    assert!(out.contains("buttons work"), "{out}");

    let cfg = dir.path().join("cfg");
    let env = std::fs::read_to_string(cfg.join(".env")).unwrap();
    assert!(
        env.contains(&format!("TELEGRAM_BOT_TOKEN={TOKEN}")),
        "{env}"
    );
    assert!(env.contains(&format!("TELEGRAM_CHAT_ID={ME}")), "{env}");
    assert!(env.contains("OPERATOR_TELEGRAM_ENABLED=true"), "{env}");
    assert_eq!(mode(&cfg.join(".env")), 0o600);
    assert_eq!(mode(&cfg.join("operator.yaml")), 0o600);

    // The written config validates in the environment setup ran in, with Telegram on.
    let out = std::process::Command::new(operator_bin())
        .args(["--config", &cfg.join("operator.yaml").display().to_string()])
        .args(["config", "validate"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("telegram to 1 chat(s)"), "{said}");

    // What the phone shows: a greeting, then the test alert, edited after the press.
    let shown: Vec<String> = fake
        .messages(ME)
        .into_iter()
        .map(|m| m.plain_text)
        .collect();
    assert!(
        shown[0].contains("Operator is set up for this chat"),
        "{shown:?}"
    );
    assert!(shown[1].contains("Buttons work"), "{shown:?}");
    assert_eq!(fake.callback_answers().len(), 1, "the press is answered");
    // Setup acknowledged what it read: the daemon will not answer the /start again.
    assert!(fake.confirmed_offset() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_writing_first_is_declined_on_stdin_and_the_right_chat_taken() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTelegram::start(TOKEN);
    let mut child = spawn_setup(dir.path(), &fake, &["--token-file", &token_arg(dir.path())]);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"n\ny\n").await.unwrap();
    until("setup's long poll", || {
        !fake.requests_for("getUpdates").is_empty()
    })
    .await;
    fake.push_text(STRANGER, STRANGER, "/start");
    tokio::time::sleep(Duration::from_millis(500)).await;
    fake.push_text(ME, ME, "/start");
    until("the test alert", || keyboard_message(&fake, ME).is_some()).await;
    let (message_id, data) = keyboard_message(&fake, ME).unwrap();
    fake.push_callback(ME, ME, message_id, &data);
    drop(stdin);
    let (code, out) = finish(child).await;
    assert_eq!(code, 0, "{out}");
    let env = std::fs::read_to_string(dir.path().join("cfg/.env")).unwrap();
    assert!(env.contains(&format!("TELEGRAM_CHAT_ID={ME}")), "{env}");
    assert!(
        fake.messages(STRANGER).is_empty(),
        "the stranger gets nothing"
    );
    assert!(out.contains("waiting for another chat"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_or_malformed_token_writes_nothing_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTelegram::start(TOKEN);
    std::fs::write(dir.path().join("token.txt"), OTHER_TOKEN).unwrap();
    let child = spawn_setup(
        dir.path(),
        &fake,
        &["--token-file", &token_arg(dir.path()), "--yes"],
    );
    let (code, out) = finish(child).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("refused this token"), "{out}");
    assert!(!dir.path().join("cfg").exists(), "nothing written");

    std::fs::write(dir.path().join("token.txt"), "not-a-token").unwrap();
    let child = spawn_setup(
        dir.path(),
        &fake,
        &["--token-file", &token_arg(dir.path()), "--yes"],
    );
    let (code, out) = finish(child).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not a bot token"), "{out}");
    assert!(!dir.path().join("cfg").exists());

    // A token file that is not there is a usage error.
    let child = spawn_setup(
        dir.path(),
        &fake,
        &["--token-file", "/nonexistent/t", "--yes"],
    );
    let (code, out) = finish(child).await;
    assert_eq!(code, 2, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_or_no_start_in_time_leaves_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTelegram::start(TOKEN);
    let child = spawn_setup(
        dir.path(),
        &fake,
        &["--token-file", &token_arg(dir.path()), "--yes"],
    );
    until("setup's long poll", || {
        !fake.requests_for("getUpdates").is_empty()
    })
    .await;
    let pid = child.id().unwrap().to_string();
    let killed = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let (code, out) = finish(child).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("interrupted"), "{out}");
    assert!(!dir.path().join("cfg").exists(), "nothing written");

    let child = spawn_setup(
        dir.path(),
        &fake,
        &[
            "--token-file",
            &token_arg(dir.path()),
            "--yes",
            "--timeout",
            "2",
        ],
    );
    let (code, out) = finish(child).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no /start reached"), "{out}");
    assert!(!dir.path().join("cfg").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_config_is_kept_and_a_second_run_shows_what_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeTelegram::start(TOKEN);
    fake.know_chat(ME);
    let cfg = dir.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    let mine = "# my own config\ntimezone: \"Europe/Berlin\"\nalerters:\n  telegram:\n    enabled: \"${OPERATOR_TELEGRAM_ENABLED:-false}\"\n    token: \"${TELEGRAM_BOT_TOKEN:-}\"\n    chat_id: \"${TELEGRAM_CHAT_ID:-}\"\n";
    std::fs::write(cfg.join("operator.yaml"), mine).unwrap();
    std::fs::write(
        cfg.join(".env"),
        "# keep me\nOURA_PERSONAL_ACCESS_TOKEN=oura-secret\n",
    )
    .unwrap();
    let me = ME.to_string();
    let child = spawn_setup(
        dir.path(),
        &fake,
        &[
            "--token-file",
            &token_arg(dir.path()),
            "--chat-id",
            &me,
            "--timeout",
            "2",
        ],
    );
    let (code, out) = finish(child).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Kept the existing"), "{out}");
    assert_eq!(
        std::fs::read_to_string(cfg.join("operator.yaml")).unwrap(),
        mine
    );
    let env = std::fs::read_to_string(cfg.join(".env")).unwrap();
    assert!(
        env.starts_with("# keep me\nOURA_PERSONAL_ACCESS_TOKEN=oura-secret\n"),
        "{env}"
    );
    assert!(env.contains(&format!("TELEGRAM_CHAT_ID={ME}")));
    assert!(!out.contains("oura-secret"));

    // Again, with nothing to read on stdin: it shows what is set and changes nothing.
    let before = std::fs::read_to_string(cfg.join(".env")).unwrap();
    let mut child = Command::new(operator_bin())
        .args(["setup", "--dir", &cfg.display().to_string()])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    drop(child.stdin.take());
    let (code, out) = finish(child).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("already set up"), "{out}");
    assert!(out.contains(&format!("alert chat: {ME}")), "{out}");
    assert_eq!(std::fs::read_to_string(cfg.join(".env")).unwrap(), before);
}
