//! Output channels: the journal (always on), and desktop notifications.
//! Telegram delivery (`telegram`) sends the outbox.

pub mod desktop;
pub mod journal;
pub mod telegram;
