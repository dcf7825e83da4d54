//! The one integration-test crate: real files, real SQLite, the real binary.

mod bot_tests;
mod cli_tests;
mod config_edit_tests;
mod config_tests;
mod daemon_tests;
mod day_tests;
mod doctor_tests;
mod fake_telegram_tests;
mod fuzz_tests;
mod heartbeat_tests;
mod launchd_tests;
mod monitor_tests;
mod parity_tests;
mod pipeline_tests;
mod reliability_tests;
mod resilience_tests;
mod setup_tests;
mod sources_tests;
mod store_tests;
mod support;
mod talk_tests;
mod telegram_sender_tests;
mod tidy;
