//! What a failed send means for the row: wait out a 429, re-send as plain text, give up for
//! good (bot blocked, chat gone), or retry later with exponential backoff and jitter.

use std::time::Duration;

use teloxide::{ApiError, RequestError};

use crate::config::Redactor;

/// The first retry delay; it doubles with every failed attempt.
pub const BACKOFF_BASE: Duration = Duration::from_secs(2);
/// The longest delay between two attempts.
pub const BACKOFF_CAP: Duration = Duration::from_secs(300);
/// Jitter: each delay is scaled by a random factor in `1 ± JITTER`.
pub const JITTER: f64 = 0.2;
/// Stored and logged error texts are cut to this many characters.
const MAX_ERROR_CHARS: usize = 300;

/// How one failed send is handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// 429: pause every send for this long; not counted as a failed attempt.
    RetryAfter(Duration),
    /// Telegram could not parse the HTML: re-send the plain text.
    CantParse(String),
    /// Never retried: the chat cannot receive messages from this bot.
    Permanent {
        reason: String,
        /// What the user should do about it.
        advice: String,
    },
    /// Telegram as a whole is failing (network, a server error, an invalid token): retry
    /// with backoff, and the rest of the pass would fail the same way.
    Outage(String),
    /// This message was refused for a reason of its own: retry it with backoff.
    Transient(String),
}

impl std::fmt::Display for SendFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendFailure::RetryAfter(delay) => {
                write!(f, "Telegram asked to wait {} s (429)", delay.as_secs())
            }
            SendFailure::Permanent { reason, advice } => write!(f, "{reason}: {advice}"),
            SendFailure::CantParse(text)
            | SendFailure::Outage(text)
            | SendFailure::Transient(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for SendFailure {}

/// Classifies a teloxide error; `redactor` removes the bot token from any text.
pub fn classify(error: &RequestError, redactor: &Redactor) -> SendFailure {
    let text = short(&redactor.redact(&error.to_string()));
    match error {
        RequestError::RetryAfter(seconds) => SendFailure::RetryAfter(seconds.duration()),
        RequestError::MigrateToChatId(new_id) => SendFailure::Permanent {
            reason: format!("the group became a supergroup with chat id {}", new_id.0),
            advice: format!(
                "put {} in alerters.telegram.chat_id instead of the old id",
                new_id.0
            ),
        },
        RequestError::Api(api) => classify_api(api, text),
        RequestError::Network(_) | RequestError::InvalidJson { .. } | RequestError::Io(_) => {
            SendFailure::Outage(text)
        }
    }
}

fn classify_api(api: &ApiError, text: String) -> SendFailure {
    let permanent = |reason: &str, advice: &str| SendFailure::Permanent {
        reason: reason.to_owned(),
        advice: advice.to_owned(),
    };
    match api {
        ApiError::CantParseEntities(_) => SendFailure::CantParse(text),
        ApiError::BotBlocked => permanent(
            "the user blocked the bot",
            "open the chat with the bot and /start it again",
        ),
        ApiError::ChatNotFound => permanent(
            "chat not found",
            "check alerters.telegram.chat_id and send /start to the bot from that chat",
        ),
        ApiError::UserDeactivated => permanent(
            "the user's account is deactivated",
            "remove this chat from alerters.telegram.chat_id",
        ),
        ApiError::BotKicked
        | ApiError::BotKickedFromSupergroup
        | ApiError::BotKickedFromChannel => permanent(
            "the bot was removed from the chat",
            "add the bot to the chat again",
        ),
        ApiError::CantInitiateConversation => permanent(
            "the user never started the bot",
            "open the chat with the bot and press Start",
        ),
        ApiError::CantTalkWithBots => permanent(
            "the chat is another bot",
            "use a person's or a group's chat id in alerters.telegram.chat_id",
        ),
        ApiError::GroupDeactivated => permanent(
            "the group is deactivated",
            "remove this chat from alerters.telegram.chat_id",
        ),
        ApiError::NotEnoughRightsToPostMessages => permanent(
            "the bot may not post in this channel",
            "make the bot an administrator of the channel",
        ),
        // An invalid token or a server error may be fixed without us (a corrected .env and a
        // restart, Telegram recovering): keep retrying until expiry.
        ApiError::InvalidToken => SendFailure::Outage(text),
        ApiError::Unknown(description) if !is_client_error(description) => {
            SendFailure::Outage(text)
        }
        _ => SendFailure::Transient(text),
    }
}

/// Whether an API error description blames the request (Telegram's 4xx prefixes) rather
/// than the server.
fn is_client_error(description: &str) -> bool {
    [
        "Bad Request",
        "Forbidden",
        "Unauthorized",
        "Not Found",
        "Conflict",
    ]
    .iter()
    .any(|prefix| description.starts_with(prefix))
}

/// The delay before the next attempt after `attempts` failed ones: 2 s × 2^attempts, capped
/// at 5 minutes, scaled by `1 + jitter` (`jitter` is clamped to ±[`JITTER`]).
pub fn backoff(attempts: u32, jitter: f64) -> Duration {
    let exp = BACKOFF_BASE.saturating_mul(2u32.saturating_pow(attempts.min(16)));
    let base = exp.min(BACKOFF_CAP);
    base.mul_f64(1.0 + jitter.clamp(-JITTER, JITTER))
}

/// A random jitter in ±[`JITTER`].
pub fn random_jitter() -> f64 {
    use rand::Rng;
    rand::rng().random_range(-JITTER..=JITTER)
}

/// Cuts an error text to a sensible length for the database and the logs.
fn short(text: &str) -> String {
    if text.chars().count() <= MAX_ERROR_CHARS {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(MAX_ERROR_CHARS).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::types::{ChatId, Seconds};

    fn no_redact() -> Redactor {
        Redactor::default()
    }

    #[test]
    fn classifies_telegram_errors() {
        let retry = RequestError::RetryAfter(Seconds::from_seconds(7));
        assert_eq!(
            classify(&retry, &no_redact()),
            SendFailure::RetryAfter(Duration::from_secs(7))
        );
        for permanent in [
            RequestError::Api(ApiError::BotBlocked),
            RequestError::Api(ApiError::ChatNotFound),
            RequestError::Api(ApiError::UserDeactivated),
            RequestError::Api(ApiError::BotKickedFromSupergroup),
            RequestError::MigrateToChatId(ChatId(-100123)),
        ] {
            assert!(
                matches!(
                    classify(&permanent, &no_redact()),
                    SendFailure::Permanent { .. }
                ),
                "{permanent}"
            );
        }
        let parse = RequestError::Api(ApiError::CantParseEntities(
            "Bad Request: can't parse entities: x".into(),
        ));
        assert!(matches!(
            classify(&parse, &no_redact()),
            SendFailure::CantParse(_)
        ));
        for outage in [
            RequestError::Api(ApiError::Unknown("Internal Server Error".into())),
            RequestError::Api(ApiError::InvalidToken),
            RequestError::Io(std::sync::Arc::new(std::io::Error::other("reset"))),
        ] {
            assert!(
                matches!(classify(&outage, &no_redact()), SendFailure::Outage(_)),
                "{outage}"
            );
        }
        for own in [
            RequestError::Api(ApiError::MessageIsTooLong),
            RequestError::Api(ApiError::Unknown("Bad Request: something new".into())),
        ] {
            assert!(
                matches!(classify(&own, &no_redact()), SendFailure::Transient(_)),
                "{own}"
            );
        }
    }

    #[test]
    fn migrate_names_the_new_chat_id() {
        let SendFailure::Permanent { reason, advice } = classify(
            &RequestError::MigrateToChatId(ChatId(-100777)),
            &no_redact(),
        ) else {
            panic!("not permanent");
        };
        assert!(reason.contains("-100777") && advice.contains("-100777"));
    }

    #[test]
    fn error_text_is_redacted_and_short() {
        let e = RequestError::Api(ApiError::Unknown(format!(
            "bad 123:SECRET {}",
            "x".repeat(500)
        )));
        let redactor = Redactor::new([&crate::config::Secret::new("123:SECRET")]);
        let SendFailure::Outage(text) = classify(&e, &redactor) else {
            panic!("not an outage");
        };
        assert!(!text.contains("SECRET") && text.contains("***"));
        assert!(text.chars().count() <= MAX_ERROR_CHARS + 1);
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_within_bounds() {
        let table = [
            (0, 2),
            (1, 4),
            (2, 8),
            (6, 128),
            (7, 256),
            (8, 300),
            (40, 300),
        ];
        for (attempts, secs) in table {
            assert_eq!(
                backoff(attempts, 0.0),
                Duration::from_secs(secs),
                "{attempts}"
            );
        }
        assert_eq!(backoff(0, 0.2), Duration::from_millis(2400));
        assert_eq!(
            backoff(0, -0.9),
            Duration::from_millis(1600),
            "jitter is clamped"
        );
        for _ in 0..100 {
            let d = backoff(3, random_jitter());
            assert!(d >= Duration::from_millis(12_800) && d <= Duration::from_millis(19_200));
        }
    }
}
