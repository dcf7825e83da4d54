//! Output channels: the journal (always on), Telegram delivery (the outbox sender), desktop
//! notifications, and the rotating file the journal and logs write through.

pub mod desktop;
pub mod journal;
pub mod rotating;
pub mod telegram;
