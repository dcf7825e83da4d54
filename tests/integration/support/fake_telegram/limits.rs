//! Telegram's flood limits, enforced only when asked for
//! ([`FakeTelegram::enforce_rate_limits`](super::FakeTelegram::enforce_rate_limits)): at most
//! one message per second in a chat and 30 per second in all, else 429 with `retry_after`,
//! as Telegram answers a bot that floods. Benchmarks use it to show the sender stays inside
//! the limits; by default the fake answers 429 only when a test scripts it.
//!
//! Owns the windows and the count of refusals. Only `sendMessage` and `editMessageText`
//! count: they are the writes Telegram paces.

use std::collections::{HashMap, VecDeque};

use tokio::time::{Duration, Instant};

use super::reply::ApiFailure;

/// The limits, and how much timing jitter to forgive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// The least time between two messages to one chat.
    pub per_chat: Duration,
    /// Messages accepted in any one-second window, over all chats.
    pub per_second: usize,
    /// Forgiven on both windows: the sender stamps a message when it starts the request,
    /// the fake when the request arrives, and loopback scheduling moves the two apart.
    pub tolerance: Duration,
    /// The `retry_after` seconds a refusal carries.
    pub retry_after: u32,
}

impl RateLimits {
    /// Telegram's documented limits for bots, with 10 ms of jitter forgiven.
    pub const TELEGRAM: RateLimits = RateLimits {
        per_chat: Duration::from_secs(1),
        per_second: 30,
        tolerance: Duration::from_millis(10),
        retry_after: 1,
    };
}

const WINDOW: Duration = Duration::from_secs(1);

/// Methods that count as a message sent.
pub fn is_paced(method: &str) -> bool {
    matches!(method, "sendmessage" | "sendphoto" | "editmessagetext")
}

/// The accepted messages still inside a window, and what was refused.
#[derive(Debug)]
pub struct Limiter {
    limits: RateLimits,
    last_by_chat: HashMap<i64, Instant>,
    recent: VecDeque<Instant>,
    pub accepted: u64,
    pub refused: u64,
}

impl Limiter {
    pub fn new(limits: RateLimits) -> Limiter {
        Limiter {
            limits,
            last_by_chat: HashMap::new(),
            recent: VecDeque::new(),
            accepted: 0,
            refused: 0,
        }
    }

    /// Admits a message to `chat` arriving `at`, or refuses it with a 429.
    pub fn admit(&mut self, chat: i64, at: Instant) -> Result<(), ApiFailure> {
        let slack = self.limits.tolerance;
        let window_start = at.checked_sub(WINDOW.saturating_sub(slack));
        while let (Some(front), Some(start)) = (self.recent.front(), window_start) {
            if *front > start {
                break;
            }
            self.recent.pop_front();
        }
        let chat_too_soon = self
            .last_by_chat
            .get(&chat)
            .is_some_and(|last| at.saturating_duration_since(*last) + slack < self.limits.per_chat);
        if chat_too_soon || self.recent.len() >= self.limits.per_second {
            self.refused += 1;
            return Err(ApiFailure::retry_after(self.limits.retry_after));
        }
        self.accepted += 1;
        self.last_by_chat.insert(chat, at);
        self.recent.push_back(at);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_per_chat_per_second_and_thirty_in_all() {
        let mut limiter = Limiter::new(RateLimits::TELEGRAM);
        let t0 = Instant::now();
        assert!(limiter.admit(1, t0).is_ok());
        // Same chat 995 ms later: inside the 10 ms tolerance, admitted; 900 ms is not.
        assert!(limiter.admit(2, t0).is_ok());
        assert!(limiter.admit(2, t0 + Duration::from_millis(900)).is_err());
        assert!(limiter.admit(1, t0 + Duration::from_millis(995)).is_ok());
        // Thirty chats at once fill the second; the 31st is refused.
        let mut limiter = Limiter::new(RateLimits::TELEGRAM);
        for chat in 0..30 {
            assert!(limiter.admit(chat, t0).is_ok());
        }
        assert_eq!(
            limiter
                .admit(99, t0 + Duration::from_millis(500))
                .map_err(|e| e.status),
            Err(429)
        );
        assert!(limiter.admit(99, t0 + Duration::from_millis(995)).is_ok());
        assert_eq!((limiter.accepted, limiter.refused), (31, 1));
    }
}
