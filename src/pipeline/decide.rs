//! [`decide`]: the per-recipient pipeline.

use chrono::{DateTime, Utc};

use super::{ChatState, Plan, Policy};
use crate::alert::Alert;

pub fn decide(alerts: &[Alert], state: &ChatState, now: DateTime<Utc>, policy: &Policy) -> Plan {
    todo!("{alerts:?} {state:?} {now} {policy:?}")
}
