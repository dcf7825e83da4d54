//! The facts a review counts: the alert decisions for Telegram chats in the journal (its
//! rotated backups included), and from the state database the alert messages delivered and
//! the feedback on them. Read-only.

use std::io::BufRead;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use super::Facts;
use crate::channels::rotating::backup_path;
use crate::config::Config;
use crate::pipeline::Recipient;
use crate::store::{Store, rule_of};

/// The most rotated journal files read.
const MAX_BACKUPS: u32 = 20;

/// Outcomes that mean "the pipeline decided this alert for this chat" (not a repeat inside its
/// dedup window, and not a later delivery line of the same alert).
const DECISIONS: [&str; 7] = [
    "queued",
    "snoozed",
    "acknowledged",
    "held_quiet",
    "held_for_brief",
    "storm_capped",
    "below_min_priority",
];

/// The facts for the `days` days up to `now`, for `recipient` (a chat) or every chat.
pub fn facts(
    config: &Config,
    store: &Store,
    recipient: Option<Recipient>,
    now: DateTime<Utc>,
    days: u32,
) -> anyhow::Result<Facts> {
    let since = now - Duration::days(i64::from(days));
    let chat = recipient.and_then(|r| r.chat_id());
    let fired = if config.alerters.journal.enabled {
        fired(&config.alerters.journal.log_path, chat, since)
    } else {
        Vec::new()
    };
    Ok(Facts {
        fired,
        delivered: store.delivered_alerts_since(recipient, since)?,
        feedback: store.feedback_since(recipient, since)?,
    })
}

/// The rule of every decision line for a Telegram chat (`chat`, or any) since `since`.
pub fn fired(journal: &Path, chat: Option<i64>, since: DateTime<Utc>) -> Vec<String> {
    let mut files: Vec<std::path::PathBuf> = (1..=MAX_BACKUPS)
        .rev()
        .map(|i| backup_path(journal, i))
        .collect();
    files.push(journal.to_owned());
    let mut out = Vec::new();
    for path in files {
        let Ok(file) = std::fs::File::open(&path) else {
            continue;
        };
        for line in std::io::BufReader::new(file).lines().map_while(Result::ok) {
            let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            let is_decision = entry["kind"] == "alert"
                && entry["channel"] == "telegram"
                && entry["outcome"]
                    .as_str()
                    .is_some_and(|o| DECISIONS.contains(&o));
            let in_chat = chat.is_none_or(|c| entry["chat_id"].as_i64() == Some(c));
            let recent = entry["logged_at"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .is_some_and(|t| t.with_timezone(&Utc) >= since);
            if is_decision
                && in_chat
                && recent
                && let Some(key) = entry["dedup_key"].as_str()
            {
                out.push(rule_of(key));
            }
        }
    }
    out
}
