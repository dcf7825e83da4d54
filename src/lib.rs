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
//! - [`channels`]: the journal (and, later, Telegram and desktop delivery).
//! - [`render`]: the text of alerts and of the /status, /readiness and /overdue replies.
//! - [`cycle`]: one check cycle wired end to end.
//! - [`status`]: gathers the /status view from the state database.
//! - [`demo`]: realistic offline demo data in the real schemas.
//! - [`cli`]: the command line.

pub mod alert;
pub mod app;
pub mod bot;
pub mod channels;
pub mod cli;
pub mod clock;
pub mod config;
pub mod cycle;
pub mod demo;
pub mod monitors;
pub mod pipeline;
pub mod render;
pub mod sources;
pub mod status;
pub mod store;
