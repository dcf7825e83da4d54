//! A fake Telegram Bot API server for tests: real HTTP on 127.0.0.1, a random
//! port, and Telegram's strictness (HTML entity parsing, length limits,
//! callback data bytes, unknown chats, "message is not modified", one-shot
//! callback answers, `getUpdates` offsets, long polling and 409 conflicts),
//! plus scripted faults and a log of every request.
//!
//! Point a real teloxide `Bot` at it with `Bot::set_api_url(fake.api_url())`,
//! or take [`FakeTelegram::bot`]. Owns the fake and its test-facing API; the
//! server runs as a task on the test's tokio runtime, so paused time applies
//! to its timeouts and stalls.
//!
//! Where the fake is stricter than Telegram (a bare `&`, an unknown `&name;`,
//! `<a>` without `href`, text length counted in UTF-16 units) it says so in
//! `html` and `validate`; strictness there only ever rejects more. Telegram's flood limits
//! (1 message/s per chat, 30/s in all) are enforced only when asked (`limits`).

mod html;
mod json;
mod limits;
mod methods;
mod multipart;
mod reply;
mod server;
mod state;
mod updates;
mod validate;

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use tokio::task::JoinHandle;
use tokio::time::{Duration, Instant};

pub use html::parse as parse_html;
pub use limits::RateLimits;
use state::Shared;

/// A failure to inject, consumed by one matching request (FIFO per method,
/// then the any-method FIFO).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `parameters.retry_after`.
    RetryAfter(u32),
    /// This 5xx: 500 with a Bot API JSON body, others with nginx's HTML page.
    ServerError(u16),
    /// Run the method normally, then hold the answer back (tokio time).
    Stall(Duration),
    /// 403 "Forbidden: bot was blocked by the user".
    Blocked,
    /// 400 "Bad Request: chat not found".
    ChatNotFound,
    /// 409 "Conflict: terminated by other getUpdates request; …".
    Conflict,
    /// Close the connection without answering; the method does not run.
    Drop,
}

/// One request as the fake saw it. The token is never stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// Lowercased, e.g. `sendmessage`.
    pub method: String,
    /// Query, JSON and form parameters merged into one object.
    pub params: Value,
    /// When the request arrived.
    pub at: Instant,
    /// The HTTP status answered; `None` when the connection was cut.
    /// A `getUpdates` is recorded when it starts waiting (200), and becomes
    /// 409 if a newer poll terminates it.
    pub status: Option<u16>,
}

/// A message the bot sent, as it stands now (after edits).
#[derive(Debug, Clone, PartialEq)]
pub struct SentMessage {
    pub message_id: i32,
    /// The text as sent (HTML markup included).
    pub text: String,
    /// The text Telegram shows: tags stripped, entities decoded, trimmed.
    pub plain_text: String,
    pub parse_mode: Option<String>,
    /// The inline keyboard, if the message has one.
    pub reply_markup: Option<Value>,
    pub edited: bool,
    /// The picture of a `sendPhoto` (its caption is `text`).
    pub photo: Option<Vec<u8>>,
}

/// A running fake. Cheap to clone; all clones drive the same server.
#[derive(Clone)]
pub struct FakeTelegram {
    shared: Arc<Shared>,
    api_url: String,
    server: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl FakeTelegram {
    /// Starts a fake accepting `token` on a random loopback port.
    ///
    /// # Panics
    /// Outside a tokio runtime, or if no loopback port can be bound.
    pub fn start(token: &str) -> FakeTelegram {
        Self::try_start(token)
            .expect("the fake Telegram server binds 127.0.0.1:0 on a tokio runtime")
    }

    pub fn try_start(token: &str) -> std::io::Result<FakeTelegram> {
        Self::try_start_at(token, "127.0.0.1:0")
    }

    /// Starts a fake on a chosen loopback address (to bring Telegram "back" on a port a
    /// client has been failing to reach).
    pub fn try_start_at(token: &str, addr: &str) -> std::io::Result<FakeTelegram> {
        let listener = std::net::TcpListener::bind(addr)?;
        let api_url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared::new(token));
        let server = server::spawn(listener, Arc::clone(&shared))?;
        Ok(FakeTelegram {
            shared,
            api_url,
            server: Arc::new(Mutex::new(Some(server))),
        })
    }

    /// The base URL for `Bot::set_api_url` (no `/bot…` part, no trailing slash).
    pub fn api_url(&self) -> String {
        self.api_url.clone()
    }

    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// A teloxide `Bot` pointed at the fake, with an HTTP timeout long enough
    /// for long polls (teloxide's default client gives up after 17 s).
    pub fn bot(&self) -> teloxide::Bot {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap_or_default();
        let url = reqwest::Url::parse(&self.api_url).expect("the fake's own URL parses");
        teloxide::Bot::with_client(self.token(), client).set_api_url(url)
    }

    /// Queues a text message from `user_id` in `chat_id` (which becomes
    /// known); returns its update id.
    pub fn push_text(&self, chat_id: i64, user_id: i64, text: &str) -> i32 {
        let id = updates::push_text(&self.shared, chat_id, user_id, text);
        i32::try_from(id).unwrap_or(i32::MAX)
    }

    /// Queues a press on a button of the bot's message `message_id` with
    /// `data`; returns the callback query id the bot must answer.
    pub fn push_callback(&self, chat_id: i64, user_id: i64, message_id: i32, data: &str) -> String {
        updates::push_callback(&self.shared, chat_id, user_id, message_id, data)
    }

    /// Queues `user_id` changing their reactions on message `message_id` from `old` to `new`
    /// (emoji); delivered only to a bot whose `getUpdates` asked for `message_reaction`.
    pub fn push_reaction(
        &self,
        chat_id: i64,
        user_id: i64,
        message_id: i32,
        old: &[&str],
        new: &[&str],
    ) -> i64 {
        updates::push_reaction(&self.shared, chat_id, user_id, message_id, old, new)
    }

    /// Lets the bot write to `chat_id` (chats are unknown until known or pushed from).
    pub fn know_chat(&self, chat_id: i64) {
        self.shared.lock().known_chats.insert(chat_id);
    }

    /// The user blocked the bot: every write to `chat_id` gets 403.
    pub fn block_chat(&self, chat_id: i64) {
        let mut state = self.shared.lock();
        state.known_chats.insert(chat_id);
        state.blocked_chats.insert(chat_id);
    }

    /// Injects `fault` for the next request to `method` (any case), or to any method.
    pub fn script(&self, method: Option<&str>, fault: Fault) {
        self.shared.lock().script(method, fault);
    }

    /// Drops every scripted fault not consumed yet.
    pub fn clear_faults(&self) {
        self.shared.lock().clear_faults();
    }

    /// Enforces Telegram's flood limits from now on: a `sendMessage` or `editMessageText`
    /// over `limits` gets 429 with `retry_after` (counted by [`FakeTelegram::rate_limited`]).
    pub fn enforce_rate_limits(&self, limits: RateLimits) {
        self.shared.lock().limiter = Some(limits::Limiter::new(limits));
    }

    /// Messages refused with 429 by the flood limits, and messages they admitted.
    pub fn rate_limited(&self) -> (u64, u64) {
        self.shared
            .lock()
            .limiter
            .as_ref()
            .map_or((0, 0), |l| (l.refused, l.accepted))
    }

    /// Caps how long one `getUpdates` may wait, whatever its `timeout` (default 50 s).
    pub fn set_max_poll_timeout(&self, cap: Duration) {
        self.shared.lock().max_poll = cap;
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// Requests to `method`, matched case-insensitively.
    pub fn requests_for(&self, method: &str) -> Vec<Recorded> {
        let method = method.to_ascii_lowercase();
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| r.method == method)
            .cloned()
            .collect()
    }

    /// The bot's messages in `chat_id`, oldest first, as they stand now.
    pub fn messages(&self, chat_id: i64) -> Vec<SentMessage> {
        let state = self.shared.lock();
        state
            .chats
            .get(&chat_id)
            .map(|chat| chat.sent.iter().map(|m| m.snapshot()).collect())
            .unwrap_or_default()
    }

    /// Accepted `answerCallbackQuery` calls: `(query id, text)`.
    pub fn callback_answers(&self) -> Vec<(String, Option<String>)> {
        self.shared.lock().callback_answers.clone()
    }

    /// The default-scope command menu last set with `setMyCommands`.
    pub fn commands(&self) -> Vec<(String, String)> {
        self.shared
            .lock()
            .commands
            .get(methods::DEFAULT_SCOPE_KEY)
            .cloned()
            .unwrap_or_default()
    }

    /// The highest `getUpdates` offset acknowledged so far (0 before any).
    pub fn confirmed_offset(&self) -> i64 {
        self.shared.lock().confirmed_offset
    }

    /// Waits until at least `n` requests to `method` have been handled (their
    /// effects applied), returning them; `timeout` is only an upper bound.
    pub async fn wait_for_requests(
        &self,
        method: &str,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<Recorded>, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = self.shared.requests_seen.notified();
            tokio::pin!(seen);
            seen.as_mut().enable();
            let matching = self.requests_for(method);
            if matching.len() >= n {
                return Ok(matching);
            }
            if tokio::time::timeout_at(deadline, seen).await.is_err() {
                let all: Vec<String> = self.requests().into_iter().map(|r| r.method).collect();
                return Err(format!(
                    "waited {timeout:?} for {n} `{method}` request(s), saw {}; all requests: {all:?}",
                    matching.len()
                ));
            }
        }
    }

    /// Waits until `chat` holds at least `n` bot messages (text or photo), returning them;
    /// `timeout` is only an upper bound.
    pub async fn wait_for_messages(
        &self,
        chat: i64,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<SentMessage>, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let seen = self.shared.requests_seen.notified();
            tokio::pin!(seen);
            seen.as_mut().enable();
            let messages = self.messages(chat);
            if messages.len() >= n {
                return Ok(messages);
            }
            if tokio::time::timeout_at(deadline, seen).await.is_err() {
                return Err(format!(
                    "waited {timeout:?} for {n} message(s) in chat {chat}, saw {}",
                    messages.len()
                ));
            }
        }
    }

    /// Ends long polls, stops accepting connections and waits (at most 5 s)
    /// for the server task.
    pub async fn shutdown(&self) {
        self.shared.shutdown.cancel();
        let server = self
            .server
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(server) = server {
            // A connection still busy after 5 s (a long Stall) is simply abandoned.
            let _finished = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }
}
