//! The data sources against real files: SQLite caches built in the foreign schemas by
//! `sources::schema`, and State files written to temp directories.

mod oura;
mod state;
mod workos;

use chrono::{DateTime, NaiveDate, Utc};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test day")
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test instant")
        .to_utc()
}

/// Deterministic pseudo-random bytes (an LCG): "random" file content that is the same on
/// every run.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}
