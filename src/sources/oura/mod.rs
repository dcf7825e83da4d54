//! Oura: the ring's data as the Oura MCP server caches it, and the Oura API v2 behind it.
//!
//! - [`cache`]: the cache file (SQLite, opened read-only), windowed by the indexed `day`;
//! - [`api`]: the API client, the fallback when the cache is unusable and the only source of
//!   `daily_stress`;
//! - [`parse`]: the document decoders both share (JSON text or value → the fields the rules
//!   read) and the choice of each day's night;
//! - [`chain`]: the fallback chain over the two, behind their circuit breakers.
//!
//! Never writes what it reads; the fixtures that write these shapes live in `src/fixtures/`.

pub mod api;
pub mod cache;
pub(crate) mod chain;
pub mod parse;

pub use cache::OuraCache;
pub use chain::{WINDOW_DAYS, read_oura};
pub use parse::{
    LEGACY_SLEEP_KIND, parse_activity_doc, parse_readiness_doc, parse_sleep_doc, parse_stress_doc,
    select_nights,
};

#[cfg(test)]
mod tests;
