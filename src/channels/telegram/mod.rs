//! Telegram delivery: everything Operator writes to Telegram, and the durable outbox sender.
//!
//! - [`transport`]: the one send path: pacing, splitting, plain-text re-sends, 429 pauses,
//!   error classes. Pushes, replies, edits and notices all go through it.
//! - [`sender`]: the outbox sender (priority order, backoff, expiry), with [`send`] (one row)
//!   and [`outcome`] (recording what happened, kept in memory while the database refuses);
//! - [`notice`]: telling the chats that check cycles keep failing;
//! - [`pacer`] (in memory) and [`pacing`] (kept in the state database): Telegram's limits;
//! - [`client`]: building the `Bot`; [`keyboard`] and its [`callback`] data, [`split`],
//!   [`errors`], [`stats`].
//!
//! The bot token is used only to build the `Bot`: every error text is redacted before it is
//! stored or logged, and the bot is never formatted with `{:?}` (its `Debug` prints the token).

pub mod callback;
pub mod client;
pub mod errors;
pub mod keyboard;
mod notice;
mod outcome;
pub mod pacer;
pub mod pacing;
mod send;
pub mod sender;
pub mod split;
pub mod stats;
pub mod transport;

pub use client::{ClientError, bot_for, bot_from, poll_bot_for};
pub use pacer::Pacer;
pub use pacing::{note_retry_after, restore_pacing};
pub use sender::{IDLE_TICK, TelegramSender};
pub use stats::{DeliveryStats, RowOutcome, RowResult};
pub use transport::{OnRateLimit, Outgoing, Sent, Telegram};

/// The outbox channel this sender serves.
pub const CHANNEL: &str = "telegram";
