//! Doctor's checks of what Operator talks to and runs as: Telegram (the token, each alert
//! chat, no other poller), the daemon (the instance lock held, `/health` answering), the
//! LaunchAgent on macOS, and the heartbeat service.

use std::fs::File;
use std::time::Duration;

use super::Check;
use crate::bot::probe::{self, Answer};
use crate::channels::telegram::bot_for;
use crate::config::Config;
use crate::daemon::InstanceLock;

/// How long doctor waits for the daemon's `/health` or the heartbeat's host.
const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn all(config: &Config, checks: &mut Vec<Check>) {
    let daemon = daemon(config, checks).await;
    telegram(config, daemon.is_some(), checks).await;
    launch_agent(checks);
    heartbeat(config, checks).await;
}

/// The daemon: its instance lock held (then its pid) and `/health` answering.
async fn daemon(config: &Config, checks: &mut Vec<Check>) -> Option<String> {
    let lock = InstanceLock::path_for(&config.state.db_path);
    let pid = running_pid(&lock);
    let Some(pid) = pid else {
        checks.push(Check::warn(
            "daemon",
            "not running",
            "start it: `operator run`, or `operator launchd install` on macOS",
        ));
        return None;
    };
    let endpoint = &config.health_endpoint;
    if !endpoint.enabled {
        checks.push(Check::ok(
            "daemon",
            format!("running (pid {pid}); health endpoint off"),
        ));
        return Some(pid);
    }
    let url = format!("http://{}/health", endpoint.bind);
    let answer = async {
        let client = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .build()
            .ok()?;
        let body: serde_json::Value = client.get(&url).send().await.ok()?.json().await.ok()?;
        body.get("status")?.as_str().map(str::to_owned)
    };
    checks.push(match answer.await {
        Some(status) if status == "healthy" => {
            Check::ok("daemon", format!("running (pid {pid}); {url} says healthy"))
        }
        Some(status) => Check::warn(
            "daemon",
            format!("running (pid {pid}); {url} says {status}"),
            "see `operator status` (or /status in Telegram) for what is degraded",
        ),
        None => Check::warn(
            "daemon",
            format!("running (pid {pid}), but {url} does not answer"),
            "check health_endpoint.bind, or look at the daemon's log",
        ),
    });
    Some(pid)
}

/// The pid of the daemon holding the instance lock beside the state database, if one does.
fn running_pid(lock: &std::path::Path) -> Option<String> {
    let file = File::open(lock).ok()?;
    match file.try_lock_shared() {
        // Nobody holds it: no daemon (our shared lock goes with the file).
        Ok(()) => None,
        Err(std::fs::TryLockError::WouldBlock) => {
            let pid = std::fs::read_to_string(lock).unwrap_or_default();
            Some(if pid.trim().is_empty() {
                "unknown".to_owned()
            } else {
                pid.trim().to_owned()
            })
        }
        Err(std::fs::TryLockError::Error(_)) => None,
    }
}

async fn telegram(config: &Config, daemon_running: bool, checks: &mut Vec<Check>) {
    let tg = &config.alerters.telegram;
    if !tg.enabled {
        checks.push(Check::warn(
            "telegram",
            "off: alerts go to the journal (and the desktop on macOS) only",
            "run `operator setup` to connect your phone",
        ));
        return;
    }
    let bot = match bot_for(config) {
        Ok(Some(bot)) => bot,
        Ok(None) => {
            checks.push(Check::fail(
                "telegram",
                "on, but no bot token",
                "run `operator setup` (it writes TELEGRAM_BOT_TOKEN to .env)",
            ));
            return;
        }
        Err(e) => {
            checks.push(Check::fail(
                "telegram",
                e.to_string(),
                "fix alerters.telegram.api_url",
            ));
            return;
        }
    };
    let redactor = config.redactor();
    match probe::bot_username(&bot, redactor).await {
        Answer::Ok(name) => checks.push(Check::ok("telegram token", format!("valid: @{name}"))),
        Answer::TokenRefused => {
            checks.push(Check::fail(
                "telegram token",
                "Telegram refuses the bot token (401): revoked or mistyped",
                "get the token again from @BotFather (/mybots → API Token) and run `operator setup --force`",
            ));
            return;
        }
        Answer::Network(e) => {
            checks.push(Check::fail(
                "telegram token",
                format!("cannot reach Telegram at {}: {e}", tg.api_url),
                "check the network (or alerters.telegram.api_url); alerts wait in the outbox meanwhile",
            ));
            return;
        }
        Answer::ChatUnreachable(e) | Answer::Conflict(e) | Answer::Other(e) => {
            checks.push(Check::fail(
                "telegram token",
                e,
                "run `operator setup --force`",
            ));
            return;
        }
    }
    if tg.chat_ids.is_empty() {
        checks.push(Check::fail(
            "telegram chats",
            "no alert chat (alerters.telegram.chat_id / TELEGRAM_CHAT_ID)",
            "run `operator setup`: it waits for your /start and writes the chat id",
        ));
    }
    for &chat in &tg.chat_ids {
        let name = format!("telegram chat {chat}");
        checks.push(match probe::chat_reachable(&bot, chat, redactor).await {
            Answer::Ok(title) => Check::ok(name, format!("reachable ({title})")),
            Answer::ChatUnreachable(e) => Check::fail(
                name,
                format!("cannot receive alerts: {e}"),
                "open the chat with the bot, unblock it if you blocked it, and send /start",
            ),
            Answer::TokenRefused => {
                Check::fail(name, "token refused", "run `operator setup --force`")
            }
            Answer::Network(e) | Answer::Conflict(e) | Answer::Other(e) => {
                Check::warn(name, format!("could not check: {e}"), "run doctor again")
            }
        });
    }
    if daemon_running {
        checks.push(Check::ok(
            "telegram polling",
            "the daemon polls this token (not asked again: a second poll would cut its own)",
        ));
        return;
    }
    checks.push(match probe::no_other_poller(&bot, redactor).await {
        Answer::Ok(()) => Check::ok("telegram polling", "no other program polls this token"),
        Answer::Conflict(e) => Check::fail(
            "telegram polling",
            format!("another program polls this bot token (409): {e}"),
            "stop the other poller (another `operator run`, or another bot using this token); one token, one poller",
        ),
        Answer::TokenRefused => Check::fail("telegram polling", "token refused", "run `operator setup --force`"),
        Answer::ChatUnreachable(e) | Answer::Network(e) | Answer::Other(e) => {
            Check::warn("telegram polling", format!("could not check: {e}"), "run doctor again")
        }
    });
}

fn launch_agent(checks: &mut Vec<Check>) {
    checks.push(match crate::launchd::loaded() {
        Ok(None) => Check::ok(
            "launch agent",
            "not macOS: run `operator run` under your service manager (`operator setup` prints a systemd unit)",
        ),
        Ok(Some(true)) => Check::ok("launch agent", format!("{} is loaded", crate::launchd::LABEL)),
        Ok(Some(false)) => Check::warn(
            "launch agent",
            format!("{} is not loaded: Operator does not start at login", crate::launchd::LABEL),
            "operator launchd install",
        ),
        Err(e) => Check::warn("launch agent", format!("cannot ask launchctl: {e:#}"), "run doctor again"),
    });
}

/// The heartbeat service's host answers (its origin is asked, so the check is not pinged).
async fn heartbeat(config: &Config, checks: &mut Vec<Check>) {
    let Some(url) = &config.heartbeat.url else {
        checks.push(Check::ok(
            "heartbeat",
            "off (optional: heartbeat.url, e.g. a healthchecks.io check, tells you when Operator stops)",
        ));
        return;
    };
    let origin = reqwest::Url::parse(url.expose())
        .ok()
        .map(|u| u.origin().ascii_serialization());
    let Some(origin) = origin else {
        checks.push(Check::fail(
            "heartbeat",
            "heartbeat.url is not a URL",
            "fix heartbeat.url",
        ));
        return;
    };
    let answered = async {
        let client = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .build()
            .ok()?;
        client.get(&origin).send().await.ok().map(|r| r.status())
    };
    checks.push(match answered.await {
        Some(status) => Check::ok(
            "heartbeat",
            format!("the service's host answers (HTTP {})", status.as_u16()),
        ),
        None => Check::warn(
            "heartbeat",
            "the service's host does not answer: pings are failing (alerts are not affected)",
            "check the network and heartbeat.url",
        ),
    });
}
