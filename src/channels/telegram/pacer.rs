//! Pacing sends within Telegram's limits: at most one message per second per chat, at most
//! 30 per second overall, and nothing at all until a 429's `retry_after` has passed.
//!
//! Built on `tokio::time::Instant`, so it follows tokio's paused clock in tests.

use std::collections::{HashMap, VecDeque};

use tokio::time::{Duration, Instant};

/// The gap between two messages to one chat.
pub const PER_CHAT_INTERVAL: Duration = Duration::from_secs(1);
/// Messages allowed in any one-second window, over all chats.
pub const GLOBAL_PER_SECOND: usize = 30;
const WINDOW: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct Pacer {
    last_by_chat: HashMap<i64, Instant>,
    /// Send times within the last second (at most [`GLOBAL_PER_SECOND`]).
    recent: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

impl Pacer {
    pub fn new() -> Pacer {
        Pacer::default()
    }

    /// The earliest instant a message to `chat` may be sent.
    pub fn ready_at(&self, chat: i64) -> Instant {
        let mut at = Instant::now();
        if let Some(last) = self.last_by_chat.get(&chat) {
            at = at.max(*last + PER_CHAT_INTERVAL);
        }
        if self.recent.len() >= GLOBAL_PER_SECOND
            && let Some(oldest) = self.recent.front()
        {
            at = at.max(*oldest + WINDOW);
        }
        if let Some(until) = self.paused_until {
            at = at.max(until);
        }
        at
    }

    /// Waits until a message to `chat` may be sent.
    pub async fn wait(&self, chat: i64) {
        tokio::time::sleep_until(self.ready_at(chat)).await;
    }

    /// Records a message sent to `chat` now.
    pub fn record(&mut self, chat: i64) {
        let now = Instant::now();
        self.last_by_chat.insert(chat, now);
        while self.recent.front().is_some_and(|t| *t + WINDOW <= now) {
            self.recent.pop_front();
        }
        while self.recent.len() >= GLOBAL_PER_SECOND {
            self.recent.pop_front();
        }
        self.recent.push_back(now);
    }

    /// Holds every send until `delay` from now (Telegram's `retry_after`).
    pub fn pause_for(&mut self, delay: Duration) {
        let until = Instant::now() + delay;
        self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
    }

    /// When a 429 pause ends, if one is in force now.
    pub fn paused_until(&self) -> Option<Instant> {
        self.paused_until.filter(|until| *until > Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn one_per_second_per_chat_others_unaffected() {
        let mut p = Pacer::new();
        let t0 = Instant::now();
        p.record(1);
        assert_eq!(p.ready_at(1), t0 + PER_CHAT_INTERVAL);
        assert_eq!(p.ready_at(2), t0, "another chat is not held back");
        tokio::time::advance(Duration::from_millis(999)).await;
        assert!(
            p.ready_at(1) > Instant::now(),
            "999 ms later is still too early"
        );
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(p.ready_at(1), Instant::now());
    }

    #[tokio::test(start_paused = true)]
    async fn thirty_per_second_overall() {
        let mut p = Pacer::new();
        let t0 = Instant::now();
        for chat in 0..29 {
            p.record(chat);
        }
        assert_eq!(p.ready_at(100), t0, "the 30th message may go now");
        p.record(29);
        assert_eq!(
            p.ready_at(100),
            t0 + WINDOW,
            "the 31st waits for the window"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pause_holds_every_chat() {
        let mut p = Pacer::new();
        let t0 = Instant::now();
        p.pause_for(Duration::from_secs(7));
        p.pause_for(Duration::from_secs(3));
        assert_eq!(
            p.ready_at(5),
            t0 + Duration::from_secs(7),
            "a shorter pause never shortens"
        );
        assert_eq!(p.paused_until(), Some(t0 + Duration::from_secs(7)));
        p.wait(5).await;
        assert_eq!(Instant::now(), t0 + Duration::from_secs(7));
        assert_eq!(p.paused_until(), None);
    }
}
