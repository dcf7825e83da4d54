//! `operator setup`: from a bot token to a test alert on the user's phone, with no file edited
//! by hand.
//!
//! The steps: read the token (`--token-file`, else stdin when it is not a terminal, else a
//! hidden prompt) → `getMe` (the bot's name, or exactly what is wrong) → wait for a `/start`
//! by long polling (unless `--chat-id`), show the chat and ask to confirm (`--yes` takes the
//! first) → write `<dir>/.env` (0600, merged with what is there) and `<dir>/operator.yaml`
//! (the commented template with the user's time zone; an existing config is kept unless
//! `--force`) → check the written config loads → send a test alert with the real buttons and
//! report the press → say what comes next (the LaunchAgent on macOS, a systemd unit on
//! Linux).
//!
//! Nothing is written before the chat is chosen, and the two files are written in one step
//! with no wait between them, each whole or not at all: Ctrl-C at any wait (or a timeout, or
//! a refused token) leaves the folder as it was. The token never appears in any output.

pub mod files;
mod prompt;
mod report;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use tokio::time::Instant;

use crate::bot::onboarding::{Onboarding, StartingChat, TelegramProblem};
use crate::config::{self, Redactor, Secret};
use crate::render::Text;
use crate::zone::Zone;
use files::EnvFile;
use prompt::Lines;
use report::{already_set_up, next_steps, report_data_paths};

pub use files::{EnvFile as DotEnv, TEMPLATE};

/// The Bot API when `--api-url` is not given.
pub const DEFAULT_API_URL: &str = "https://api.telegram.org";
/// How long setup waits for a press on the test alert (at most `--timeout`).
const PRESS_WAIT: Duration = Duration::from_secs(60);

/// What `operator setup` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub token_file: Option<PathBuf>,
    pub chat_id: Option<i64>,
    pub api_url: Option<String>,
    /// Where `operator.yaml` and `.env` go.
    pub dir: PathBuf,
    pub yes: bool,
    pub force: bool,
    /// How long to wait for a `/start`.
    pub timeout: Duration,
}

/// Why setup stopped without finishing.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// Bad usage: exit 2.
    #[error("{0}")]
    Usage(String),
    /// Telegram refused, could not be reached, no `/start` in time, interrupted: exit 1.
    #[error("{0}")]
    Failed(String),
}

impl From<anyhow::Error> for SetupError {
    fn from(e: anyhow::Error) -> SetupError {
        SetupError::Failed(format!("{e:#}"))
    }
}

impl From<TelegramProblem> for SetupError {
    fn from(p: TelegramProblem) -> SetupError {
        SetupError::Failed(format!("{p}; nothing was written"))
    }
}

/// Runs setup to the end, or until Ctrl-C (which leaves nothing half-written).
pub fn run(options: Options) -> Result<(), SetupError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(async {
        tokio::select! {
            result = setup(&options) => result,
            _ = tokio::signal::ctrl_c() => Err(SetupError::Failed(
                "setup interrupted: nothing half-written (files are only written once a chat is chosen, whole)".to_owned(),
            )),
        }
    });
    // A read of stdin may still be pending on its thread: do not wait for it.
    runtime.shutdown_background();
    result
}

async fn setup(options: &Options) -> Result<(), SetupError> {
    let started = Utc::now();
    let config_path = options.dir.join("operator.yaml");
    let env_path = options.dir.join(".env");
    let mut env = EnvFile::read(&env_path)?;
    let config_exists = config_path.exists();
    let mut lines = Lines::spawn();
    let interactive = prompt::stdin_is_terminal();

    let token = match read_token(options, &mut lines, interactive).await? {
        Some(token) => token,
        None => {
            return already_set_up(options, &env, &config_path, config_exists);
        }
    };
    let redactor = Redactor::new([&token]);
    let api_url = options.api_url.as_deref().unwrap_or(DEFAULT_API_URL);
    let mut telegram = Onboarding::new(&token, api_url, redactor.clone())
        .map_err(|e| SetupError::Usage(format!("--api-url: {e}")))?;

    let bot = telegram.identify().await?;
    say(&format!(
        "✓ Token accepted: this is @{} ({}).",
        bot.username, bot.name
    ));

    let chat = match options.chat_id {
        Some(id) => {
            let chat = telegram.chat(id).await.map_err(|p| {
                SetupError::Failed(format!(
                    "chat {id}: {p}; send /start to @{} from that chat first. Nothing was written",
                    bot.username
                ))
            })?;
            say(&format!(
                "✓ Chat: {} (id {}).",
                chat.description, chat.chat_id
            ));
            chat
        }
        None => wait_for_chat(&mut telegram, &bot.username, options, &mut lines, started).await?,
    };

    // Everything is known: write both files in one step (no await in between).
    let zone = Zone::system();
    let thanos_root = thanos_root(&options.dir);
    env.set("TELEGRAM_BOT_TOKEN", token.expose());
    env.set("TELEGRAM_CHAT_ID", &chat.chat_id.to_string());
    env.set("OPERATOR_TELEGRAM_ENABLED", "true");
    if std::env::var_os("THANOS_ROOT").is_none() {
        env.set("THANOS_ROOT", &thanos_root.display().to_string());
    }
    let config_text = if config_exists && !options.force {
        None
    } else {
        Some(files::personalised_config(
            zone.name(),
            options.api_url.as_deref(),
        )?)
    };
    files::write_private(&env_path, env.text())?;
    if let Some(text) = &config_text {
        files::write_private(&config_path, text)?;
    }
    say(&format!(
        "✓ Wrote {} (mode 600: the token, the chat id, THANOS_ROOT).",
        env_path.display()
    ));
    match &config_text {
        Some(_) => say(&format!(
            "✓ Wrote {} (the commented template; time zone {}).",
            config_path.display(),
            zone.name()
        )),
        None => say(&format!(
            "• Kept the existing {} (rerun with --force to replace it with a fresh template).",
            config_path.display()
        )),
    }
    match config::load_file(&config_path) {
        Ok(config) => {
            say(&format!(
                "✓ The config loads: time zone {}.",
                config.timezone.name()
            ));
            if config.timezone.name() != zone.name() {
                say(&format!(
                    "  (Your system's zone is {}; change `timezone` in the config if that is where you live.)",
                    zone.name()
                ));
            }
            report_data_paths(&config);
        }
        Err(e) => {
            // The loader never shows a secret's value.
            say("! The config does not load yet:");
            eprint!("{}", e.report());
        }
    }

    greet_and_test(&mut telegram, &chat, options).await?;
    telegram.acknowledge().await;
    next_steps(&config_path, options.yes);
    Ok(())
}

/// The token: from `--token-file`, else the first line of stdin when it is not a terminal,
/// else typed at a hidden prompt. `None` when there is none to read and setup was done
/// before (a second run shows what is set).
async fn read_token(
    options: &Options,
    lines: &mut Lines,
    interactive: bool,
) -> Result<Option<Secret>, SetupError> {
    let raw = if let Some(file) = &options.token_file {
        Some(
            std::fs::read_to_string(file)
                .map_err(|e| SetupError::Usage(format!("--token-file {}: {e}", file.display())))?,
        )
    } else if interactive {
        let env = EnvFile::read(&options.dir.join(".env"))?;
        if env.get("TELEGRAM_BOT_TOKEN").is_some() && !options.force {
            return Ok(None);
        }
        eprint!(
            "Paste your bot's token from @BotFather (it is not shown as you type), then Enter: "
        );
        lines.next_hidden().await
    } else {
        lines.next().await
    };
    let Some(raw) = raw else {
        let env = EnvFile::read(&options.dir.join(".env"))?;
        if env.get("TELEGRAM_BOT_TOKEN").is_some() && !options.force {
            return Ok(None);
        }
        return Err(SetupError::Usage(
            "no token: pass --token-file PATH, or pipe the token on stdin".to_owned(),
        ));
    };
    let token = raw.lines().next().unwrap_or("").trim().to_owned();
    if !looks_like_a_token(&token) {
        return Err(SetupError::Failed(
            "that is not a bot token (expected digits, a colon, then about 35 letters, digits, _ or -, like 123456789:AAF…); copy it again from @BotFather. Nothing was written".to_owned(),
        ));
    }
    Ok(Some(Secret::new(token)))
}

/// `<bot id>:<secret>` as BotFather hands it out.
fn looks_like_a_token(token: &str) -> bool {
    let Some((id, secret)) = token.split_once(':') else {
        return false;
    };
    !id.is_empty()
        && id.len() <= 20
        && id.bytes().all(|b| b.is_ascii_digit())
        && (20..=100).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Waits for a `/start` and, unless `--yes`, asks whether that chat is the one.
async fn wait_for_chat(
    telegram: &mut Onboarding,
    bot: &str,
    options: &Options,
    lines: &mut Lines,
    started: chrono::DateTime<Utc>,
) -> Result<StartingChat, SetupError> {
    say(&format!(
        "Now open Telegram and send /start to @{bot} (https://t.me/{bot}). Waiting up to {} s; Ctrl-C stops.",
        options.timeout.as_secs()
    ));
    let deadline = Instant::now() + options.timeout;
    loop {
        let Some(chat) = telegram.next_start(started, deadline).await? else {
            return Err(SetupError::Failed(format!(
                "no /start reached @{bot} within {} s; nothing was written. Run setup again and send /start to the bot",
                options.timeout.as_secs()
            )));
        };
        say(&format!(
            "Chat: {} (id {}).",
            chat.description, chat.chat_id
        ));
        if options.yes {
            return Ok(chat);
        }
        eprint!("Send alerts to this chat? [Y/n] ");
        let answer = lines.next().await.ok_or_else(|| {
            SetupError::Failed(
                "no answer (end of input); nothing was written. Pass --yes or --chat-id to run without questions".to_owned(),
            )
        })?;
        match prompt::yes_no(&answer, true) {
            Some(true) => return Ok(chat),
            Some(false) => say("Not that one: waiting for another chat to send /start."),
            None => say("Please answer y or n; waiting for the next /start meanwhile."),
        }
    }
}

/// Greets the chat, sends the test alert and reports the press.
async fn greet_and_test(
    telegram: &mut Onboarding,
    chat: &StartingChat,
    options: &Options,
) -> Result<(), SetupError> {
    let mut hello = Text::new();
    hello
        .bold("Operator is set up for this chat.")
        .newline()
        .text("Alerts will arrive here. A test alert follows; send /help to see what I answer.");
    telegram.say(chat.chat_id, &hello).await?;
    let message = telegram.send_test_alert(chat.chat_id).await?;
    let wait = PRESS_WAIT.min(options.timeout);
    say(&format!(
        "✓ Sent a test alert with its buttons. Press one on your phone (waiting up to {} s)…",
        wait.as_secs()
    ));
    match telegram
        .wait_press(chat.chat_id, message, Instant::now() + wait)
        .await?
    {
        Some(action) => say(&format!(
            "✓ You pressed \"{}\": the buttons work.",
            action.label()
        )),
        None => say(
            "• No press yet; that is fine: once `operator run` is going, the daemon answers the buttons.",
        ),
    }
    Ok(())
}

/// THANOS_ROOT: the environment's, else `~/Projects/Thanos` when it exists, else the setup
/// folder itself (so the state database and logs land beside the config).
fn thanos_root(dir: &Path) -> PathBuf {
    if let Some(root) = std::env::var_os("THANOS_ROOT").filter(|r| !r.is_empty()) {
        return PathBuf::from(root);
    }
    if let Some(home) = std::env::var_os("HOME") {
        let usual = Path::new(&home).join("Projects/Thanos");
        if usual.is_dir() {
            return usual;
        }
    }
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// One line for the person at the terminal (stdout; questions go to stderr).
pub(crate) fn say(line: &str) {
    println!("{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_look_like_botfathers() {
        assert!(looks_like_a_token(
            "123456789:AAF-x_1234567890abcdefghijklmnopqrstu"
        ));
        for bad in [
            "",
            "123456789",
            ":AAF1234567890abcdefghijklmnopqrst",
            "12a:AAF1234567890abcdefghijklmnopqrst",
            "123:short",
            "123:AAF1234567890abcdefghij klmnopqrst",
            "123:AAF1234567890abcdefghij/klmnopqrst",
        ] {
            assert!(!looks_like_a_token(bad), "{bad}");
        }
    }
}
