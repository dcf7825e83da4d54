//! Operator: a personal operator daemon.
//!
//! Data flows one way: config → sources → monitors → pipeline → channels.
//!
//! - [`config`]: YAML → validated [`config::Config`], every problem named by key path.
//! - [`sources`]: read-only readers of the Oura cache, WorkOS cache and State files.
//! - [`monitors`]: pure rules over source snapshots → alerts.
//! - [`alert`]: the alert vocabulary (no IO).
//! - [`pipeline`]: pure per-recipient decisions: ack, snooze, dedup, quiet hours, storm cap, routing.
//! - [`store`]: Operator's own SQLite state; the only writer of it.
//! - [`channels`]: delivery: the journal, Telegram (the outbox sender), desktop notifications.
//! - [`render`]: the text of alerts and of the /status, /readiness and /overdue replies.
//! - [`chart`]: the health and week charts as PNG, with an embedded font.
//! - [`cycle`]: one check cycle wired end to end.
//! - [`status`]: gathers the /status view from the state database.
//! - [`review`]: how useful the alerts were, per rule, and the suggested threshold changes.
//! - [`app`]: the running app's shared state (config, store, journal, clock).
//! - [`bot`]: the Telegram bot: handler tree, commands, buttons, long polling.
//! - [`scheduler`]: monitors on their own intervals.
//! - [`health`]: the `/health` and `/metrics` endpoint.
//! - [`daemon`]: `operator run`: everything above on one runtime, with a clean shutdown.
//! - [`launchd`]: the LaunchAgent plist and its install.
//! - [`setup`]: `operator setup`, the guided first run.
//! - [`doctor`]: `operator doctor`, read-only checks of everything Operator needs.
//! - [`memory`]: giving freed heap back to the system after bursts (the one `unsafe` call).
//! - [`clock`]: the injectable clock.
//! - [`zone`]: the user's time zone, from the system's time zone database.
//! - [`fixtures`]: writers of the foreign schemas (the demo world, test and bench data).
//! - [`logging`]: tracing to stderr and the daemon's rotated log file.
//! - [`cli`]: the command line.

pub mod alert;
pub mod app;
pub mod bot;
pub mod channels;
pub mod chart;
pub mod cli;
pub mod clock;
pub mod config;
pub mod cycle;
pub mod daemon;
pub mod doctor;
pub mod files;
pub mod fixtures;
pub mod health;
pub mod launchd;
pub mod logging;
pub mod memory;
pub mod monitors;
pub mod pipeline;
pub mod render;
pub mod review;
pub mod scheduler;
pub mod setup;
pub mod sources;
pub mod status;
pub mod store;
pub mod zone;
