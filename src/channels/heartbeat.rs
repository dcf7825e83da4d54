//! The outside heartbeat: a dead man's switch that `/health` cannot be. After every completed
//! check cycle (the scheduler's, `/check`'s, or `operator check`) Operator sends `GET <url>`;
//! after a failed cycle, `GET <url>/fail` (`/fail` appended to the path, before any query).
//! A service such as healthchecks.io then tells the user when the pings stop: the Mac asleep,
//! Operator crashed or never started.
//!
//! A ping never affects alerts or exit codes: it is bounded by `heartbeat.timeout_seconds`,
//! and its failures are logged once per outage (and once when it recovers) and shown in
//! `/status` and `/health`. The URL is a secret (it holds the check's key): it never appears
//! in a log or a status; error texts pass through the config's redactor.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::{Config, Redactor, Secret};
pub use crate::status::HeartbeatStatus;

/// The configured heartbeat and what its pings came to.
pub struct Heartbeat {
    url: Secret,
    timeout: Duration,
    redactor: Redactor,
    client: Option<reqwest::Client>,
    status: Mutex<HeartbeatStatus>,
}

impl Heartbeat {
    /// The heartbeat of `config`, or `None` when `heartbeat.url` is empty.
    pub fn from_config(config: &Config) -> Option<Heartbeat> {
        let url = config.heartbeat.url.clone()?;
        let timeout = config
            .heartbeat
            .timeout
            .to_std()
            .unwrap_or(Duration::from_secs(10));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("operator/", env!("CARGO_PKG_VERSION")))
            .build();
        if let Err(e) = &client {
            tracing::warn!(error = %config.redactor().redact(&e.to_string()),
                "cannot build the heartbeat's HTTP client; no heartbeat");
        }
        Some(Heartbeat {
            url,
            timeout,
            redactor: config.redactor().clone(),
            client: client.ok(),
            status: Mutex::new(HeartbeatStatus::default()),
        })
    }

    /// Pings after a cycle: `completed` → the URL, else `<url>/fail`. Never fails: the result
    /// is recorded, and logged when the service stops or starts answering.
    pub async fn ping(&self, completed: bool, now: DateTime<Utc>) {
        let target = if completed {
            self.url.expose().to_owned()
        } else {
            fail_url(self.url.expose())
        };
        let result = match &self.client {
            Some(client) => send(client, &target, self.timeout).await,
            None => Err("no HTTP client".to_owned()),
        };
        let result = result.map_err(|e| self.redactor.redact(&e));
        self.record(result, now);
    }

    /// [`Heartbeat::ping`] for code with no runtime (`operator check`): runs it on a small
    /// runtime of its own.
    pub fn ping_blocking(&self, completed: bool, now: DateTime<Utc>) {
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(self.ping(completed, now)),
            Err(e) => self.record(Err(format!("cannot start a runtime: {e}")), now),
        }
    }

    pub fn status(&self) -> HeartbeatStatus {
        self.lock().clone()
    }

    fn record(&self, result: Result<(), String>, now: DateTime<Utc>) {
        let mut status = self.lock();
        match result {
            Ok(()) => {
                if let Some(since) = status.failing_since.take() {
                    tracing::info!(%since, "the heartbeat service answers again");
                }
                status.last_ok = Some(now);
                status.last_error = None;
            }
            Err(error) => {
                if status.failing_since.is_none() {
                    tracing::warn!(error = %error,
                        "heartbeat ping failed (alerts are not affected; logged once until it answers again)");
                    status.failing_since = Some(now);
                }
                status.last_error = Some(error);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HeartbeatStatus> {
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// One `GET`; a 2xx answer is a success.
async fn send(client: &reqwest::Client, url: &str, timeout: Duration) -> Result<(), String> {
    let response = tokio::time::timeout(timeout, client.get(url).send())
        .await
        .map_err(|_| format!("no answer within {} s", timeout.as_secs()))?
        .map_err(|e| describe(&e))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the service answered HTTP {status}"))
    }
}

/// A short cause for a failed request (reqwest's text names the URL; the caller redacts).
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        format!("cannot connect: {e}")
    } else {
        e.to_string()
    }
}

/// `url` with `/fail` appended to its path, before any query or fragment.
pub fn fail_url(url: &str) -> String {
    let split = url.find(['?', '#']).unwrap_or(url.len());
    let (head, tail) = url.split_at(split);
    format!("{}/fail{tail}", head.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_goes_on_the_path_before_the_query() {
        let cases = [
            ("https://hc-ping.com/abc", "https://hc-ping.com/abc/fail"),
            ("https://hc-ping.com/abc/", "https://hc-ping.com/abc/fail"),
            ("http://h/p?k=v&x=1", "http://h/p/fail?k=v&x=1"),
            ("http://h/p#frag", "http://h/p/fail#frag"),
            ("http://h", "http://h/fail"),
        ];
        for (url, want) in cases {
            assert_eq!(fail_url(url), want, "{url}");
        }
    }
}
