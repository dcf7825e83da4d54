//! Monitors: pure functions of (data, now, thresholds) → [`Findings`].
//!
//! `health` reads Oura, `tasks` reads the commitment files and WorkOS, `patterns` reads all of
//! them plus the punt counts the store keeps. No IO, no clock: `now` is the user's local time,
//! passed in. A monitor whose source could not be read is simply not called.

pub mod health;
pub mod patterns;
pub mod tasks;

pub use crate::alert::Findings;

/// How often one item was punted inside the lookback window, as counted by the store from its
/// own snapshots (a commitment's `due_date` moved later, a WorkOS task leaving `active`
/// without being done).
#[derive(Debug, Clone, PartialEq)]
pub struct PuntCount {
    /// `commitment:<id>` or `task:<id>`.
    pub item_key: String,
    pub title: String,
    pub count: u32,
}
