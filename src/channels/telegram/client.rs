//! Building the [`Bot`] from the config: the Bot API base URL checked, an HTTP client with
//! the configured timeout (and a longer one for long polling, which would otherwise be cut
//! short by teloxide's 17-second default). The token goes only into the `Bot`; a `Bot` is
//! never formatted with `{:?}` (its `Debug` prints the token).

use std::time::Duration;

use teloxide::Bot;

use crate::config::{Config, Redactor, Secret};

/// Connecting to the Bot API never waits longer than this.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a [`Bot`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("alerters.telegram.api_url {url:?} is not a usable http(s) URL: {reason}")]
    ApiUrl { url: String, reason: String },
    #[error("cannot build the HTTP client for Telegram: {0}")]
    Client(String),
}

/// The bot for `config`: `None` when Telegram is disabled or has no token. Requests time out
/// after `alerters.telegram.timeout`; `api_url` must be an http(s) URL.
pub fn bot_for(config: &Config) -> Result<Option<Bot>, ClientError> {
    let timeout = config
        .alerters
        .telegram
        .timeout
        .to_std()
        .unwrap_or(Duration::from_secs(10));
    bot_with_timeout(config, timeout)
}

/// The bot for long polling: its HTTP timeout outlasts `poll_timeout_seconds` (teloxide's
/// default client gives up after 17 s, which would cut every 30 s long poll short).
pub fn poll_bot_for(config: &Config) -> Result<Option<Bot>, ClientError> {
    let poll = config
        .alerters
        .telegram
        .poll_timeout
        .to_std()
        .unwrap_or(Duration::from_secs(30));
    bot_with_timeout(config, poll + Duration::from_secs(15))
}

fn bot_with_timeout(config: &Config, timeout: Duration) -> Result<Option<Bot>, ClientError> {
    let tg = &config.alerters.telegram;
    let Some(token) = tg
        .token
        .as_ref()
        .filter(|t| tg.enabled && !t.expose().is_empty())
    else {
        return Ok(None);
    };
    bot_from(token, &tg.api_url, timeout, config.redactor()).map(Some)
}

/// A bot for `token` at `api_url` (for `operator setup`, which has no config yet, and the
/// two builders above). Requests time out after `timeout`.
pub fn bot_from(
    token: &Secret,
    api_url: &str,
    timeout: Duration,
    redactor: &Redactor,
) -> Result<Bot, ClientError> {
    let url = parse_api_url(api_url)?;
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .tcp_nodelay(true)
        .build()
        .map_err(|e| ClientError::Client(redactor.redact(&e.to_string())))?;
    Ok(Bot::with_client(token.expose(), client).set_api_url(url))
}

/// Parses the Bot API base URL; teloxide appends `/bot<token>/<method>` to its path.
fn parse_api_url(raw: &str) -> Result<reqwest::Url, ClientError> {
    let bad = |reason: &str| ClientError::ApiUrl {
        url: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let url =
        reqwest::Url::parse(raw.trim().trim_end_matches('/')).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("the scheme must be http or https"));
    }
    if url.cannot_be_a_base() || url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it needs a host"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_urls_are_checked_not_panicked_on() {
        for good in [
            "https://api.telegram.org",
            "http://127.0.0.1:8081/",
            "http://h/tg/",
        ] {
            assert!(parse_api_url(good).is_ok(), "{good}");
        }
        assert_eq!(
            parse_api_url("http://h/tg/")
                .map(|u| u.path().to_owned())
                .ok(),
            Some("/tg".to_owned())
        );
        for bad in [
            "",
            "api.telegram.org",
            "mailto:me@example.com",
            "ftp://h",
            "data:text/plain,x",
            "http://",
        ] {
            assert!(parse_api_url(bad).is_err(), "{bad}");
        }
    }
}
