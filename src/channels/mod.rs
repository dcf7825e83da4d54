//! Output channels: the journal (always on), and desktop notifications.
//! Telegram delivery arrives with the bot; until then its notifications wait in the outbox.

pub mod desktop;
pub mod journal;
pub mod rotating;
