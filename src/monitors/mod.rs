//! Monitors: pure functions of (data, now, thresholds) → [`Findings`].
//!
//! `health` reads Oura, `tasks` reads the commitment files and WorkOS, `patterns` reads all of
//! them plus the punt counts the store keeps, `services` the outcomes of the configured
//! service checks. No IO, no clock: `now` is the user's local time,
//! passed in. A monitor whose source could not be read is simply not called.

pub mod baseline;
pub mod health;
pub mod patterns;
pub mod services;
pub mod tasks;

pub use crate::alert::Findings;
/// The punt counts `patterns` reads (counted by the store from its own snapshots).
pub use crate::store::PuntCount;
