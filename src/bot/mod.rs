//! The Telegram bot's pure parts: callback data for the alert buttons and command arguments.

pub mod args;
pub mod callback;
