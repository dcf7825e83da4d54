//! The breakers as `status`, `/status` and the health endpoint show them.

use chrono::{DateTime, Utc};

use super::{Link, LinkRecord};
use crate::sources::breaker::BreakerState;
use crate::store::BreakerRow;

/// One link's breaker at a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkView {
    pub link: Link,
    pub state: BreakerState,
    /// Failures in a row.
    pub failures: u32,
    /// When the outage began (while open or half open).
    pub since: Option<DateTime<Utc>>,
    /// Open until then; half open after.
    pub open_until: Option<DateTime<Utc>>,
    pub last_ok: Option<DateTime<Utc>>,
    pub last_failure: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The stored breakers at `now`, in link order (unknown names are ignored).
pub fn link_views(rows: &[BreakerRow], now: DateTime<Utc>) -> Vec<LinkView> {
    let mut views: Vec<LinkView> = rows
        .iter()
        .filter_map(|row| {
            let link = Link::from_name(&row.name)?;
            let r = LinkRecord::from_row(row);
            Some(LinkView {
                link,
                state: r.state(now),
                failures: r.breaker.failures,
                since: r.breaker.opening.map(|o| o.since),
                open_until: r.breaker.opening.map(|o| o.until),
                last_ok: r.last_ok,
                last_failure: r.last_failure,
                last_error: r.last_error,
            })
        })
        .collect();
    views.sort_by_key(|v| v.link);
    views
}

/// A source's breaker state: the worst of its links' (closed when none was ever used).
pub fn source_state(views: &[LinkView], source: &str) -> BreakerState {
    views
        .iter()
        .filter(|v| v.link.source() == source)
        .map(|v| v.state)
        .max_by_key(|s| s.severity())
        .unwrap_or(BreakerState::Closed)
}
