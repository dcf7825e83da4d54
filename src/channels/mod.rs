//! Output channels: the journal (always on), Telegram delivery (the outbox sender and the one
//! send path), desktop notifications, the outside heartbeat, and the rotating file the journal
//! and logs write through.

pub mod desktop;
pub mod heartbeat;
pub mod journal;
pub mod rotating;
pub mod telegram;
