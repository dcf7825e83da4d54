//! What passes over the outbox did, row by row: delivered (with Telegram's message id),
//! to be retried, failed for good, or expired. `operator check` prints it; tests read it.

use chrono::{DateTime, Utc};

use crate::store::OutboxRow;

/// What one or more passes over the outbox did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryStats {
    pub delivered: u32,
    /// Rows that stay pending for a later attempt (transient failure, 429, outage).
    pub retried: u32,
    /// Rows failed for good (bot blocked, chat not found).
    pub failed: u32,
    pub expired: u32,
    /// Rows shown through the desktop fallback in this pass.
    pub fallbacks: u32,
    /// One entry per row handled, in order.
    pub results: Vec<RowResult>,
}

impl DeliveryStats {
    pub(super) fn push(&mut self, row: &OutboxRow, outcome: RowOutcome) {
        match &outcome {
            RowOutcome::Delivered { .. } => self.delivered += 1,
            RowOutcome::WillRetry { .. } => self.retried += 1,
            RowOutcome::Failed(_) => self.failed += 1,
            RowOutcome::Expired => self.expired += 1,
        }
        self.results.push(RowResult {
            outbox_id: row.id,
            chat_id: row.chat_id(),
            title: row.title.clone(),
            outcome,
        });
    }

    /// Rows a send was attempted (or deferred) for, expiries aside.
    pub fn attempted(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome != RowOutcome::Expired)
            .count()
    }

    pub fn merge(&mut self, other: DeliveryStats) {
        self.delivered += other.delivered;
        self.retried += other.retried;
        self.failed += other.failed;
        self.expired += other.expired;
        self.fallbacks += other.fallbacks;
        self.results.extend(other.results);
    }

    /// The last result for each row, in the order rows were first handled.
    pub fn final_results(&self) -> Vec<&RowResult> {
        let mut out: Vec<&RowResult> = Vec::new();
        for r in &self.results {
            match out.iter_mut().find(|o| o.outbox_id == r.outbox_id) {
                Some(slot) => *slot = r,
                None => out.push(r),
            }
        }
        out
    }
}

/// What happened to one row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowResult {
    pub outbox_id: i64,
    pub chat_id: Option<i64>,
    pub title: String,
    pub outcome: RowOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    Delivered {
        message_id: i64,
        as_plain: bool,
    },
    /// Still pending; the next attempt is at `at` (or after a 429 pause).
    WillRetry {
        at: DateTime<Utc>,
        error: String,
    },
    Failed(String),
    Expired,
}
