//! Pacing every message the bot writes within Telegram's limits: at most one message per
//! second in a chat, at most 30 per second in all, and nothing at all until a 429's
//! `retry_after` has passed.
//!
//! One [`Pacer`] serves the whole process (it lives in the app): the outbox sender's pushed
//! alerts, the replies to commands and the edits after button presses all take their turn
//! from it, so a burst of commands from many chats and a cycle's alerts together stay inside
//! the limits instead of each staying inside them on its own.
//!
//! A turn is a *reservation*: [`Pacing::reserve`] books the earliest instant that keeps both
//! limits, counting the turns already booked by others, and the caller sleeps until then. The
//! overall limit is kept as a spacing of [`GLOBAL_SPACING`] between any two turns, which
//! holds "30 in any one-second window" for every window, however the turns interleave.
//! Reservations are handed out first come, first served.
//!
//! Both limits carry a margin (1.1 s per chat, 28 per second in all): a turn is when a
//! request *starts*, and network and scheduling jitter move its arrival at Telegram by tens
//! of milliseconds; Telegram answers a bot that rides its limits exactly with 429s. (1.05 s
//! and 29 a second were too thin: on a loaded two-core machine one reply in the 2,000 of the
//! load scenario arrived late enough to be refused.)
//!
//! A booked turn is kept only if it is taken on time. A caller that wakes more than
//! [`LATE_TOLERANCE`] after its turn (a machine starved of CPU: a debug build drawing charts
//! beside a load of sends) has its booking moved to when it really goes, or to the next free
//! instant from then; otherwise every late caller of a stalled second would go at once, and
//! together with those on time they could pass thirty in a second.
//!
//! Built on `tokio::time::Instant`, so it follows tokio's paused clock in tests.

use std::collections::{BTreeSet, HashMap};
use std::ops::Bound::Excluded;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::time::{Duration, Instant};

/// The gap between two messages to one chat (Telegram: about one per second).
pub const PER_CHAT_INTERVAL: Duration = Duration::from_millis(1100);
/// Telegram's limit on messages in any one-second window, over all chats.
pub const GLOBAL_PER_SECOND: u32 = 30;
/// The least time between any two turns: 28 a second, so thirty turns always span more than
/// a second with 35 ms to spare, and thirty-one with 71 ms.
pub const GLOBAL_SPACING: Duration = Duration::from_micros(35_715);

/// How late a caller may take its booked turn before the booking is moved to when it goes.
pub const LATE_TOLERANCE: Duration = Duration::from_millis(5);

/// The pacing state: who was (or is booked to be) written to when, and any 429 pause.
#[derive(Debug, Default)]
pub struct Pacing {
    /// Each chat's latest turn (possibly booked in the future).
    last_by_chat: HashMap<i64, Instant>,
    /// Every turn booked from [`GLOBAL_SPACING`] ago onwards.
    turns: BTreeSet<Instant>,
    paused_until: Option<Instant>,
}

impl Pacing {
    /// The earliest instant a message to `chat` could go, without booking it.
    pub fn ready_at(&self, chat: i64) -> Instant {
        let mut at = Instant::now();
        if let Some(last) = self.last_by_chat.get(&chat) {
            at = at.max(*last + PER_CHAT_INTERVAL);
        }
        if let Some(until) = self.paused_until {
            at = at.max(until);
        }
        self.free_turn_from(at)
    }

    /// Books the earliest turn for a message to `chat` and returns it.
    pub fn reserve(&mut self, chat: i64) -> Instant {
        self.prune();
        let at = self.ready_at(chat);
        self.turns.insert(at);
        self.last_by_chat.insert(chat, at);
        at
    }

    /// The turn a caller booked for `at` and takes now: `at` itself when on time (within
    /// [`LATE_TOLERANCE`]); else the booking moves to now, or to the first instant from now
    /// that keeps the spacing (to wait for again).
    pub fn retake(&mut self, chat: i64, at: Instant) -> Instant {
        let now = Instant::now();
        if now <= at + LATE_TOLERANCE {
            return at;
        }
        self.turns.remove(&at);
        let turn = self.free_turn_from(now);
        self.turns.insert(turn);
        let last = self.last_by_chat.entry(chat).or_insert(turn);
        *last = (*last).max(turn);
        turn
    }

    /// The first instant at or after `at` that is [`GLOBAL_SPACING`] away from every booked turn.
    fn free_turn_from(&self, mut at: Instant) -> Instant {
        loop {
            let low = at.checked_sub(GLOBAL_SPACING).unwrap_or(at);
            let high = at + GLOBAL_SPACING;
            let clash = if low == at {
                self.turns.range(at..high).next_back()
            } else {
                self.turns
                    .range((Excluded(low), Excluded(high)))
                    .next_back()
            };
            match clash {
                Some(turn) => at = *turn + GLOBAL_SPACING,
                None => return at,
            }
        }
    }

    /// Forgets turns too old to constrain a new one, and chats last written to over a
    /// second ago (they are free again), so the maps stay as small as the traffic.
    fn prune(&mut self) {
        let now = Instant::now();
        if let Some(horizon) = now.checked_sub(GLOBAL_SPACING) {
            self.turns = self.turns.split_off(&horizon);
        }
        if self.last_by_chat.len() > 64 {
            self.last_by_chat
                .retain(|_, last| *last + PER_CHAT_INTERVAL > now);
        }
    }

    /// Holds every turn until `delay` from now (Telegram's `retry_after`).
    pub fn pause_for(&mut self, delay: Duration) {
        self.pause_until(Instant::now() + delay);
    }

    /// Holds every turn until `until`; a shorter pause never shortens a longer one.
    pub fn pause_until(&mut self, until: Instant) {
        self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
    }

    /// When a 429 pause ends, if one is in force now.
    pub fn paused_until(&self) -> Option<Instant> {
        self.paused_until.filter(|until| *until > Instant::now())
    }

    /// Treats `chat` as written to at `at` (a previous process's last message to it).
    pub fn written_at(&mut self, chat: i64, at: Instant) {
        let last = self.last_by_chat.entry(chat).or_insert(at);
        *last = (*last).max(at);
    }
}

/// The process-wide pacer: [`Pacing`] behind a lock that is only held to book or look, never
/// across an `.await` (a std mutex: the critical sections are a few map operations).
#[derive(Debug, Default)]
pub struct Pacer {
    pacing: Mutex<Pacing>,
}

impl Pacer {
    pub fn new() -> Pacer {
        Pacer::default()
    }

    /// The pacing state, for looking (`ready_at`, `paused_until`) or booking.
    pub fn lock(&self) -> MutexGuard<'_, Pacing> {
        self.pacing.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for this caller's turn to write to `chat`: books one, sleeps until it, and books
    /// again if a 429 pause began meanwhile.
    pub async fn wait_turn(&self, chat: i64) {
        loop {
            let mut at = self.lock().reserve(chat);
            loop {
                // A turn that is now goes at once: tokio's timer works in whole milliseconds,
                // so even a sleep until now would wait for the next tick (up to 1 ms each).
                if at > Instant::now() {
                    tokio::time::sleep_until(at).await;
                }
                let taken = self.lock().retake(chat, at);
                if taken == at || taken <= Instant::now() {
                    break;
                }
                at = taken;
            }
            if self.lock().paused_until().is_none() {
                return;
            }
        }
    }

    /// See [`Pacing::pause_for`].
    pub fn pause_for(&self, delay: Duration) {
        self.lock().pause_for(delay);
    }

    /// See [`Pacing::paused_until`].
    pub fn paused_until(&self) -> Option<Instant> {
        self.lock().paused_until()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn one_per_second_per_chat_others_unaffected() {
        let mut p = Pacing::default();
        let t0 = Instant::now();
        assert_eq!(p.reserve(1), t0);
        assert_eq!(p.ready_at(1), t0 + PER_CHAT_INTERVAL);
        assert_eq!(
            p.ready_at(2),
            t0 + GLOBAL_SPACING,
            "another chat waits only the spacing"
        );
        tokio::time::advance(PER_CHAT_INTERVAL - Duration::from_millis(1)).await;
        assert!(
            p.ready_at(1) > Instant::now(),
            "a millisecond early is still too early"
        );
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(p.ready_at(1), Instant::now());
    }

    #[tokio::test(start_paused = true)]
    async fn a_late_caller_goes_when_it_really_can_not_in_a_bunch() {
        let mut p = Pacing::default();
        let t0 = Instant::now();
        let first = p.reserve(1);
        let second = p.reserve(2);
        assert_eq!(second, t0 + GLOBAL_SPACING);
        // Both callers were starved for 100 ms: the first goes now, and the second, booked
        // for a time long past, does not go in the same instant.
        tokio::time::advance(Duration::from_millis(100)).await;
        let now = Instant::now();
        assert_eq!(p.retake(1, first), now, "moved to when it really goes");
        assert_eq!(p.retake(2, second), now + GLOBAL_SPACING, "spaced from it");
        // On time (within the tolerance) a turn stands.
        let third = p.reserve(3);
        tokio::time::advance(third - Instant::now() + LATE_TOLERANCE).await;
        assert_eq!(p.retake(3, third), third);
    }

    #[tokio::test(start_paused = true)]
    async fn thirty_per_second_overall_in_every_window() {
        let mut p = Pacing::default();
        let t0 = Instant::now();
        let turns: Vec<Instant> = (0..90).map(|chat| p.reserve(chat)).collect();
        for (i, turn) in turns.iter().enumerate() {
            let in_window = turns[i..]
                .iter()
                .take_while(|t| **t < *turn + Duration::from_secs(1))
                .count();
            assert!(
                in_window <= 30,
                "{in_window} turns in the second from turn {i}"
            );
        }
        assert_eq!(turns[0], t0);
        assert!(turns[30] >= t0 + Duration::from_secs(1));
        assert_eq!(
            turns[89] - t0,
            GLOBAL_SPACING * 89,
            "the budget is used: each turn as soon as the spacing allows"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn booked_turns_are_kept_clear_of_each_other() {
        let mut p = Pacing::default();
        let t0 = Instant::now();
        // Chat 1 twice: its second turn is a second out. Others fill in before it.
        assert_eq!(p.reserve(1), t0);
        assert_eq!(p.reserve(1), t0 + PER_CHAT_INTERVAL);
        let others: Vec<Instant> = (2..40).map(|chat| p.reserve(chat)).collect();
        let mut all: Vec<Instant> = others.clone();
        all.extend([t0, t0 + PER_CHAT_INTERVAL]);
        all.sort();
        for pair in all.windows(2) {
            assert!(pair[1] - pair[0] >= GLOBAL_SPACING, "{pair:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pause_holds_every_chat_and_waiters_rebook() {
        let p = Pacer::new();
        let t0 = Instant::now();
        p.pause_for(Duration::from_secs(7));
        p.pause_for(Duration::from_secs(3));
        assert_eq!(
            p.lock().ready_at(5),
            t0 + Duration::from_secs(7),
            "a shorter pause never shortens"
        );
        assert_eq!(p.paused_until(), Some(t0 + Duration::from_secs(7)));
        p.wait_turn(5).await;
        assert_eq!(Instant::now(), t0 + Duration::from_secs(7));
        assert_eq!(p.paused_until(), None);

        // A pause that starts while a turn is booked moves that turn past the pause.
        let p = std::sync::Arc::new(p);
        let waiter = tokio::spawn({
            let p = std::sync::Arc::clone(&p);
            async move {
                p.wait_turn(6).await;
                Instant::now()
            }
        });
        tokio::task::yield_now().await;
        assert!(
            p.lock().ready_at(6) > Instant::now(),
            "the waiter booked its turn"
        );
        p.pause_for(Duration::from_secs(5));
        let finished = waiter.await.unwrap();
        assert_eq!(finished, t0 + Duration::from_secs(12));
    }

    #[tokio::test(start_paused = true)]
    async fn a_previous_process_last_message_counts_for_its_chat() {
        let mut p = Pacing::default();
        let now = Instant::now();
        p.written_at(9, now);
        assert_eq!(p.ready_at(9), now + PER_CHAT_INTERVAL);
        assert_eq!(p.ready_at(10), now);
    }
}
