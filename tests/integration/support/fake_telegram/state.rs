//! The fake's world: known and blocked chats, the messages in each chat, the
//! update queue, callback queries, bot commands, scripted faults and the log
//! of requests.
//!
//! Owns the data and its small invariants (message ids per chat, update ids,
//! offsets). Does not own the HTTP side or parameter validation.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::sync::Notify;
use tokio::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

use super::limits::{self, Limiter};
use super::methods::int_param;
use super::reply::ApiFailure;
use super::validate::Formatted;
use super::{Fault, Recorded, SentMessage};

/// The longest a `getUpdates` may hold a connection unless a test says otherwise.
pub const DEFAULT_MAX_POLL: Duration = Duration::from_secs(50);
/// Telegram's first update ids are large; starting above zero catches code
/// that treats offset 0 or 1 specially.
const FIRST_UPDATE_ID: i64 = 100_001;
const ANY_METHOD: &str = "*";

/// Everything the server's tasks share.
///
/// The state sits behind a std `Mutex`: every critical section is a few map
/// operations and none is held across an `.await`, so an async mutex would
/// only add cost. `Notify` wakes long polls and request waiters without polling.
pub struct Shared {
    pub token: String,
    pub bot_id: i64,
    state: Mutex<State>,
    pub updates_ready: Notify,
    pub requests_seen: Notify,
    pub shutdown: CancellationToken,
}

impl Shared {
    pub fn new(token: &str) -> Self {
        let bot_id = token
            .split(':')
            .next()
            .and_then(|id| id.parse().ok())
            .unwrap_or(1);
        Self {
            token: token.to_owned(),
            bot_id,
            state: Mutex::new(State::default()),
            updates_ready: Notify::new(),
            requests_seen: Notify::new(),
            shutdown: CancellationToken::new(),
        }
    }

    /// A poisoned lock only means a test panicked elsewhere; the data is still usable.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Logs a handled request and wakes whoever waits for requests.
    pub fn record(&self, method: &str, params: &Value, at: Instant, status: Option<u16>) -> usize {
        let index = {
            let mut state = self.lock();
            state.requests.push(Recorded {
                method: method.to_owned(),
                params: params.clone(),
                at,
                status,
            });
            state.requests.len() - 1
        };
        self.requests_seen.notify_waiters();
        index
    }
}

/// A message the bot sent.
#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub message_id: i32,
    pub date: i64,
    pub raw_text: String,
    pub parse_mode: Option<String>,
    pub formatted: Formatted,
    pub reply_markup: Option<Value>,
    pub edit_date: Option<i64>,
    /// The uploaded picture of a photo message (its caption in `raw_text`).
    pub photo: Option<Vec<u8>>,
}

impl StoredMessage {
    pub fn snapshot(&self) -> SentMessage {
        SentMessage {
            message_id: self.message_id,
            text: self.raw_text.clone(),
            plain_text: self.formatted.text.clone(),
            parse_mode: self.parse_mode.clone(),
            reply_markup: self.reply_markup.clone(),
            edited: self.edit_date.is_some(),
            photo: self.photo.clone(),
        }
    }
}

/// One chat's history. Message ids are shared by both sides, as in Telegram.
#[derive(Debug, Default)]
pub struct ChatLog {
    last_message_id: i32,
    pub sent: Vec<StoredMessage>,
    pub incoming: HashSet<i32>,
}

impl ChatLog {
    pub fn next_message_id(&mut self) -> i32 {
        self.last_message_id += 1;
        self.last_message_id
    }
}

#[derive(Debug)]
pub struct QueuedUpdate {
    pub id: i64,
    pub kind: &'static str,
    pub json: Value,
}

#[derive(Debug)]
pub struct State {
    pub known_chats: HashSet<i64>,
    pub blocked_chats: HashSet<i64>,
    pub chats: HashMap<i64, ChatLog>,
    pub updates: VecDeque<QueuedUpdate>,
    next_update_id: i64,
    pub confirmed_offset: i64,
    pub allowed_updates: Option<Vec<String>>,
    /// Bumped by each long poll that starts waiting; an older waiter that sees
    /// a newer generation was terminated by it (409), as in Telegram.
    pub poll_generation: u64,
    /// Issued callback query ids and whether each was answered.
    pub queries: HashMap<String, bool>,
    next_query: u64,
    pub callback_answers: Vec<(String, Option<String>)>,
    /// Command lists by scope key (see `methods::scope_key`).
    pub commands: HashMap<String, Vec<(String, String)>>,
    faults: HashMap<String, VecDeque<Fault>>,
    pub requests: Vec<Recorded>,
    pub max_poll: Duration,
    /// Telegram's flood limits, when a benchmark or test turns them on.
    pub limiter: Option<Limiter>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            known_chats: HashSet::new(),
            blocked_chats: HashSet::new(),
            chats: HashMap::new(),
            updates: VecDeque::new(),
            next_update_id: FIRST_UPDATE_ID,
            confirmed_offset: 0,
            allowed_updates: None,
            poll_generation: 0,
            queries: HashMap::new(),
            next_query: 4_000_000_000_000_000_001,
            callback_answers: Vec::new(),
            commands: HashMap::new(),
            faults: HashMap::new(),
            requests: Vec::new(),
            max_poll: DEFAULT_MAX_POLL,
            limiter: None,
        }
    }
}

impl State {
    /// May the bot write to this chat?
    pub fn check_chat(&self, chat_id: i64) -> Result<(), ApiFailure> {
        if self.blocked_chats.contains(&chat_id) {
            return Err(if chat_id < 0 {
                ApiFailure::new(403, "Forbidden: bot was kicked from the group chat")
            } else {
                ApiFailure::blocked()
            });
        }
        if !self.known_chats.contains(&chat_id) {
            return Err(ApiFailure::chat_not_found());
        }
        Ok(())
    }

    /// Applies the flood limits (when on) to a message-sending request arriving `at`.
    pub fn admit(&mut self, method: &str, params: &Value, at: Instant) -> Result<(), ApiFailure> {
        let (Some(limiter), true) = (self.limiter.as_mut(), limits::is_paced(method)) else {
            return Ok(());
        };
        match int_param(params, "chat_id") {
            Some(chat) => limiter.admit(chat, at),
            None => Ok(()),
        }
    }

    pub fn chat_mut(&mut self, chat_id: i64) -> &mut ChatLog {
        self.chats.entry(chat_id).or_default()
    }

    pub fn sent_message_mut(
        &mut self,
        chat_id: i64,
        message_id: i32,
    ) -> Option<&mut StoredMessage> {
        self.chats
            .get_mut(&chat_id)?
            .sent
            .iter_mut()
            .find(|m| m.message_id == message_id)
    }

    /// Queues an update built from its id; returns the id.
    pub fn push_update(&mut self, kind: &'static str, build: impl FnOnce(i64) -> Value) -> i64 {
        let id = self.next_update_id;
        self.next_update_id += 1;
        self.updates.push_back(QueuedUpdate {
            id,
            kind,
            json: build(id),
        });
        id
    }

    /// Telegram's offset rule: updates below `offset` are confirmed and
    /// forgotten; a negative offset keeps only the last `-offset` updates.
    pub fn confirm(&mut self, offset: i64) {
        if offset < 0 {
            let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
            let drop = self.updates.len().saturating_sub(keep);
            self.updates.drain(..drop);
            if let Some(first) = self.updates.front() {
                self.confirmed_offset = self.confirmed_offset.max(first.id);
            }
            return;
        }
        self.updates.retain(|update| update.id >= offset);
        self.confirmed_offset = self.confirmed_offset.max(offset);
    }

    /// Up to `limit` pending updates of the allowed kinds. Without `allowed_updates`, as in
    /// Telegram, every kind but `chat_member`, `message_reaction` and
    /// `message_reaction_count`, which a bot must ask for.
    pub fn batch(&self, limit: usize) -> Vec<Value> {
        let allowed = |kind: &str| match &self.allowed_updates {
            Some(list) => list.iter().any(|k| k == kind),
            None => !matches!(
                kind,
                "chat_member" | "message_reaction" | "message_reaction_count"
            ),
        };
        self.updates
            .iter()
            .filter(|u| allowed(u.kind))
            .take(limit)
            .map(|u| u.json.clone())
            .collect()
    }

    pub fn issue_query(&mut self) -> String {
        let id = self.next_query.to_string();
        self.next_query += 1;
        self.queries.insert(id.clone(), false);
        id
    }

    pub fn script(&mut self, method: Option<&str>, fault: Fault) {
        let key = method.map_or_else(|| ANY_METHOD.to_owned(), str::to_ascii_lowercase);
        self.faults.entry(key).or_default().push_back(fault);
    }

    pub fn clear_faults(&mut self) {
        self.faults.clear();
    }

    /// The next fault for `method`: its own queue first, then the any-method queue.
    pub fn take_fault(&mut self, method: &str) -> Option<Fault> {
        [method, ANY_METHOD]
            .into_iter()
            .find_map(|key| self.faults.get_mut(key)?.pop_front())
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
