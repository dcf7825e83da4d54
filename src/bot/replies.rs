//! What each command answers, as a [`Reply`]: its text, and for `/readiness`, `/brief` and
//! `/week` a chart. Replies read the same state and sources as the monitors; a slow or broken
//! source is answered from the last cycle's snapshot, or with what is unavailable, within
//! [`SOURCE_TIMEOUT`]. `/snooze off` and `/quiet` changes ask for a cycle once answered, so
//! what they release goes at once instead of at the next scheduled check.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};

use super::args::{QuietArgs, SnoozeArgs, parse_quiet, parse_snooze};
use super::commands::{self, COMMANDS, Command, Invocation};
use crate::app::App;
use crate::cycle::Selection;
use crate::pipeline::{Outcome, Recipient, SnoozeScope, in_quiet_hours};
use crate::render::{self, Text, quiet_hours_text, snooze_scope_text};
use crate::sources::StateSnapshot;
use crate::sources::state_files::StateFiles;
use day::{brief, readiness, week};

mod change;
mod day;
mod review;

pub use change::{Change, Undone, change, undo};

/// The longest a reply waits for a source before answering without it.
pub const SOURCE_TIMEOUT: StdDuration = StdDuration::from_secs(3);

/// What a command answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: Text,
    /// A PNG chart sent with it (`sendPhoto`; the text as its caption or right after).
    pub photo: Option<Vec<u8>>,
    /// Journaled once sent as an on-demand message of this kind (`brief`).
    pub journal_as: Option<&'static str>,
    /// A cycle runs once the reply is sent (a change that may release held alerts).
    pub recheck: bool,
    /// The settings change it confirms: an `Undo` button for it.
    pub undo: Option<i64>,
    /// A review's suggestions: one `Apply` button each (suggestion id, label).
    pub apply: Vec<(i64, String)>,
}

impl From<Text> for Reply {
    fn from(text: Text) -> Reply {
        Reply {
            text,
            photo: None,
            journal_as: None,
            recheck: false,
            undo: None,
            apply: Vec::new(),
        }
    }
}

/// The reply to an allowed chat's command.
pub async fn reply(app: &Arc<App>, chat_id: i64, inv: &Invocation<'_>) -> Reply {
    let Some(command) = inv.command else {
        return plain(&format!(
            "Unknown command /{}. Send /help for the list.",
            inv.name
        ))
        .into();
    };
    let result = match command {
        Command::Start => Ok(welcome().into()),
        Command::Help => Ok(help(inv.args).into()),
        Command::Status => status(app, chat_id).await.map(Reply::from),
        Command::Readiness => Ok(readiness(app).await),
        Command::Overdue => Ok(overdue(app).await.into()),
        Command::Brief => brief(app, chat_id).await,
        Command::Week => Ok(week(app).await),
        Command::Review => review::review(app, chat_id, inv.args).await,
        Command::Snooze => snooze(app, chat_id, inv.args).await,
        Command::Quiet => quiet(app, chat_id, inv.args).await,
        Command::Check => check(app, chat_id).await.map(Reply::from),
    };
    result.unwrap_or_else(|e| {
        let cause = app.config.redactor().redact(&format!("{e:#}"));
        tracing::error!(command = %inv.name, error = %cause, "command failed");
        plain(&format!(
            "Sorry, /{} failed on my side: {cause}. Nothing else was changed; commands that only read still work.",
            inv.name
        ))
        .into()
    })
}

/// The reply to a chat that is not allowed: only `/start` answers, with the chat's own id.
pub fn stranger_start(chat_id: i64) -> Text {
    let mut t = Text::new();
    t.line("This chat is not allowed to use this Operator bot yet.")
        .text("Its chat id is ")
        .code(&chat_id.to_string())
        .line(".")
        .text("To allow it, add that id to ")
        .code("alerters.telegram.allowed_chat_ids")
        .text(" (or ")
        .code("TELEGRAM_CHAT_ID")
        .line(" for alerts) in Operator's config, then restart Operator.");
    t.trimmed()
}

fn plain(s: &str) -> Text {
    let mut t = Text::new();
    t.text(s);
    t
}

fn usage_reply(name: &str, error: &str) -> Text {
    let mut t = Text::new();
    t.line(error).code(commands::usage(name));
    t
}

fn welcome() -> Text {
    let mut t = Text::new();
    t.heading("Operator is watching.")
        .line("I push alerts here when your health, commitments or patterns need you. Every alert has buttons to snooze it or mark it seen.")
        .newline();
    t.append(&help(""));
    t
}

fn help(args: &str) -> Text {
    let mut t = Text::new();
    let wanted = args.trim().trim_start_matches('/').to_ascii_lowercase();
    if let Some(c) = commands::find(&wanted) {
        t.bold(&format!("/{}", c.name))
            .newline()
            .text(c.help.trim_end());
        return t;
    }
    if !wanted.is_empty() {
        t.line(&format!("No command /{wanted}."));
    }
    t.heading("Commands");
    for c in COMMANDS {
        t.text(&format!("/{} ", c.name))
            .line(&format!("— {}", c.summary()));
    }
    let say: Vec<String> = ["snooze", "readiness", "overdue", "quiet"]
        .iter()
        .filter_map(|name| {
            commands::find(name)?
                .phrasings()
                .nth(1)
                .or_else(|| commands::find(name)?.phrasings().next())
        })
        .map(|p| format!("“{p}”"))
        .collect();
    t.newline().text(&format!(
        "Or just say it: {}. /help <command> shows more.",
        say.join(", ")
    ));
    t.trimmed()
}

async fn status(app: &Arc<App>, chat_id: i64) -> anyhow::Result<Text> {
    let now = app.now();
    let a = Arc::clone(app);
    let mut view = app
        .store(move |store| {
            crate::status::gather(&a.config, store, Some(Recipient::Chat(chat_id)), now)
        })
        .await?;
    view.uptime = Some(now - app.started_at());
    view.last_poll_age = app.last_poll().map(|t| now - t);
    view.next_cycle = app.next_cycle();
    view.cycle_failure = app.cycle_failure();
    view.heartbeat = app.heartbeat.as_ref().map(|h| h.status());
    Ok(render::status(&view))
}

/// Runs a blocking source read with [`SOURCE_TIMEOUT`]; `Err` says why it is unavailable.
async fn read_with_timeout<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    match tokio::time::timeout(SOURCE_TIMEOUT, tokio::task::spawn_blocking(f)).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(format!("read failed: {e}")),
        Err(_) => Err("it did not answer within 3 seconds".to_owned()),
    }
}

fn stale_note(t: &mut Text, at: DateTime<Utc>, why: &str) {
    t.newline().italic(&format!(
        "Live data unavailable ({why}); showing the last check's data from {}.",
        at.format("%H:%M UTC")
    ));
}

async fn overdue(app: &Arc<App>) -> Text {
    let now = app.now();
    let today = now.with_timezone(&app.config.timezone).date_naive();
    let base = app.config.adapters.state_files.base_path.clone();
    let live: Result<StateSnapshot, String> =
        read_with_timeout(move || Ok(StateFiles::new(base).read())).await;
    match live {
        Ok(state) => render::overdue(&state, today),
        Err(why) => match app.last_snapshots() {
            Some((at, s)) => {
                let mut t = render::overdue(&s.state, today);
                stale_note(&mut t, at, &why);
                t
            }
            None => plain(&format!("The commitment files are unavailable: {why}.")),
        },
    }
}

/// `15:40` today, `Sat 28 Nov 07:00` another day, in the user's zone.
pub(super) fn local_time(app: &App, t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&app.config.timezone);
    if local.date_naive() == app.now().with_timezone(&app.config.timezone).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%a %d %b %H:%M").to_string()
    }
}

async fn snooze(app: &Arc<App>, chat_id: i64, args: &str) -> anyhow::Result<Reply> {
    let parsed = match parse_snooze(args) {
        Ok(p) => p,
        Err(e) => return Ok(usage_reply("snooze", &e).into()),
    };
    let now = app.now();
    let chat = Recipient::Chat(chat_id);
    let (scope, until) = match parsed {
        SnoozeArgs::List => {
            let snoozes = app.store(move |s| s.snoozes(chat, now)).await?;
            let mut t = Text::new();
            if snoozes.is_empty() {
                t.text("No active snoozes in this chat.");
            }
            for s in &snoozes {
                t.line(&format!(
                    "• {} until {}",
                    snooze_scope_text(&s.scope),
                    local_time(app, s.until)
                ));
            }
            return Ok(t.trimmed().into());
        }
        SnoozeArgs::Off => return change::change(app, chat_id, Change::SnoozeOff).await,
        SnoozeArgs::All(d) => (SnoozeScope::All, now + d),
        SnoozeArgs::Class(c, d) => (SnoozeScope::Class(c), now + d),
    };
    change::change(app, chat_id, Change::Snooze { scope, until }).await
}

async fn quiet(app: &Arc<App>, chat_id: i64, args: &str) -> anyhow::Result<Reply> {
    let parsed = match parse_quiet(args) {
        Ok(p) => p,
        Err(e) => return Ok(usage_reply("quiet", &e).into()),
    };
    let now = app.now();
    let chat = Recipient::Chat(chat_id);
    let default = app.config.quiet_hours;
    let current = app
        .store(move |s| s.quiet_hours(chat))
        .await?
        .unwrap_or(default);
    let change = match parsed {
        QuietArgs::Show => None,
        QuietArgs::On => Some(Change::QuietOn),
        QuietArgs::Off => Some(Change::QuietOff),
        QuietArgs::Hours(start, end) => Some(Change::QuietHours { start, end }),
    };
    if let Some(change) = change {
        return change::change(app, chat_id, change).await;
    }
    let q = current;
    let in_force = in_quiet_hours(&q, &app.config.timezone, now);
    let until = app.store(move |s| s.quiet_until(chat)).await?;
    let mut t = Text::new();
    t.text("Quiet hours for this chat: ")
        .bold(&quiet_hours_text(&q))
        .text(&format!(" ({})", app.config.timezone.name()));
    if q.enabled && q.start != q.end {
        t.text(if in_force {
            " — in force now."
        } else {
            " — not in force now."
        });
    }
    if let Some(until) = until.filter(|u| *u > now) {
        t.text(&format!(
            " Quiet until {} as asked.",
            local_time(app, until)
        ));
    }
    Ok(t.into())
}

async fn check(app: &Arc<App>, chat_id: i64) -> anyhow::Result<Text> {
    let report = app.run_cycle("bot", Selection::ALL).await?;
    let mut t = Text::new();
    t.bold(&format!("Checked: {} alert(s)", report.alerts.len()))
        .text(&format!(" in {} ms", report.elapsed.as_millis()));
    t.newline();
    let mine = report
        .recipients
        .iter()
        .find(|r| r.recipient == Recipient::Chat(chat_id));
    if let Some(r) = mine {
        for (alert, outcome) in &r.decisions {
            let what = match outcome {
                Outcome::Send => "new, on its way",
                other => other.as_str(),
            };
            t.text(&format!("{} ", alert.priority.emoji()))
                .text(&alert.title)
                .line(&format!(" — {what}"));
        }
    } else {
        for alert in &report.alerts {
            t.text(&format!("{} ", alert.priority.emoji()))
                .line(&alert.title);
        }
    }
    if report.alerts.is_empty() {
        t.line("Nothing needs you right now.");
    }
    for m in report
        .monitors
        .iter()
        .filter(|m| m.status == crate::store::MonitorStatus::Skipped)
    {
        t.italic(&format!("{} skipped: {}", m.monitor, m.detail))
            .newline();
    }
    Ok(t.trimmed())
}
