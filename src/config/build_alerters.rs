//! `alerters.*`: Telegram (token, chats, allowed users), desktop notifications and the journal.
//! The bot token is read as a [`super::Secret`] and never echoed.

use std::str::FromStr;

use crate::alert::Priority;

use super::build_adapters::http_url;
use super::reader::{Ctx, Section, Slot};
use super::value::{Value, to_string};
use super::{Alerters, DesktopAlerter, JournalAlerter, TelegramAlerter};

pub(super) fn alerters(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> Alerters {
    let out = Alerters {
        telegram: telegram(ctx, s.child("telegram")),
        macos: macos(ctx, s.child("macos")),
        journal: journal(ctx, s.child("journal")),
    };
    s.finish(ctx);
    out
}

fn min_priority(ctx: &mut Ctx<'_>, s: &mut Section<'_>, default: Priority) -> Priority {
    s.read(ctx, "min_priority", default, |v| {
        Priority::from_str(&to_string(v)?)
    })
}

fn telegram(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> TelegramAlerter {
    let enabled = s.bool(ctx, "enabled", true);
    let token_path = s.key_path("token");
    let env_token = (ctx.env)("TELEGRAM_BOT_TOKEN");
    let token = s.secret(ctx, "token", env_token);
    let chat_path = s.key_path("chat_id");
    let env_chats = (ctx.env)("TELEGRAM_CHAT_ID");
    let chat_ids = ids(ctx, &mut s, "chat_id", env_chats, "TELEGRAM_CHAT_ID");
    let chat_ids = chat_ids.unwrap_or_default();
    let allowed_chat_ids =
        ids(ctx, &mut s, "allowed_chat_ids", None, "").unwrap_or_else(|| chat_ids.clone());
    let env_users = (ctx.env)("TELEGRAM_ALLOWED_USERS");
    let allowed_user_ids = ids(
        ctx,
        &mut s,
        "allowed_user_ids",
        env_users,
        "TELEGRAM_ALLOWED_USERS",
    )
    .unwrap_or_default();
    if enabled && token.is_none() && !ctx.has_problem_at(&token_path) {
        ctx.problem(
            &token_path,
            "telegram is enabled but the bot token is empty: set TELEGRAM_BOT_TOKEN or \
             `alerters.telegram.enabled: false`",
        );
    } else if enabled && token.is_some() && chat_ids.is_empty() && !ctx.has_problem_at(&chat_path) {
        ctx.problem(
            &chat_path,
            "telegram is enabled but no chat id is set: set TELEGRAM_CHAT_ID or this key \
             (one id or a list; /start tells a chat its id)",
        );
    }
    let out = TelegramAlerter {
        enabled,
        token,
        chat_ids,
        allowed_chat_ids,
        allowed_user_ids,
        min_priority: min_priority(ctx, &mut s, Priority::Medium),
        retry_attempts: s.u32(ctx, "retry_attempts", 3, 0, 10),
        timeout: s.seconds(ctx, "timeout_seconds", 10, 1, 300),
        api_url: http_url(ctx, &mut s, "api_url", "https://api.telegram.org"),
        poll_timeout: s.seconds(ctx, "poll_timeout_seconds", 30, 1, 90),
        notify_resolved: s.bool(ctx, "notify_resolved", false),
    };
    s.finish(ctx);
    out
}

/// A list of Telegram ids under `key`: one number, a comma-separated string, or a list of
/// numbers or strings. Absent → parsed from `env_default` (named `env_name` in messages), or
/// `None` when that is unset too. Repeats are dropped, order is kept.
fn ids(
    ctx: &mut Ctx<'_>,
    s: &mut Section<'_>,
    key: &'static str,
    env_default: Option<String>,
    env_name: &str,
) -> Option<Vec<i64>> {
    let path = s.key_path(key);
    let mut out = Vec::new();
    match s.slot(key) {
        Slot::Present(Value::Seq(items)) => {
            for (i, item) in items.iter().enumerate() {
                id_text(ctx, &format!("{path}[{i}]"), item, &mut out, "");
            }
        }
        Slot::Present(item) => id_text(ctx, &path, item, &mut out, ""),
        Slot::Invalid => {}
        Slot::Absent => {
            let text = env_default?;
            id_text(ctx, &path, &Value::Str(text), &mut out, env_name);
        }
    }
    let mut seen = Vec::with_capacity(out.len());
    out.retain(|id| {
        let first = !seen.contains(id);
        seen.push(*id);
        first
    });
    Some(out)
}

/// Parses one scalar holding one id or several separated by commas into `out`.
fn id_text(ctx: &mut Ctx<'_>, path: &str, item: &Value, out: &mut Vec<i64>, env_name: &str) {
    let text = match item {
        Value::Int(id) => {
            out.push(*id);
            return;
        }
        Value::Str(text) => text.clone(),
        Value::Float(_)
        | Value::Bool(_)
        | Value::Seq(_)
        | Value::Map(_)
        | Value::Null
        | Value::Invalid => {
            ctx.problem(
                path,
                format!(
                    "expected a Telegram id (a whole number), got {}",
                    item.describe()
                ),
            );
            return;
        }
    };
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<i64>() {
            Ok(id) => out.push(id),
            Err(_) => {
                let from = if env_name.is_empty() {
                    String::new()
                } else {
                    format!(" (from {env_name})")
                };
                ctx.problem(
                    path,
                    format!("expected a Telegram id (a whole number), got {part:?}{from}"),
                );
            }
        }
    }
}

fn macos(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> DesktopAlerter {
    let out = DesktopAlerter {
        enabled: s.bool(ctx, "enabled", true),
        min_priority: min_priority(ctx, &mut s, Priority::High),
        sound: s.string(ctx, "sound", "Glass"),
    };
    s.finish(ctx);
    out
}

fn journal(ctx: &mut Ctx<'_>, mut s: Section<'_>) -> JournalAlerter {
    let out = JournalAlerter {
        enabled: s.bool(ctx, "enabled", true),
        min_priority: min_priority(ctx, &mut s, Priority::Info),
        log_path: s.path(ctx, "log_path", "${THANOS_ROOT}/logs/operator.log"),
    };
    s.finish(ctx);
    out
}
