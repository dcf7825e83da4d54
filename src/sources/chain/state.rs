//! [`ChainState`]: the breakers of every link and the cached API responses, loaded from the
//! state database before a read and saved after it (only what the read changed).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Link;
use crate::sources::breaker::{
    Breaker, BreakerPolicy, BreakerState, FailureWeight, Opening, Transition,
};
use crate::store::{self, BreakerRow, Store};

/// One link's breaker and its bookkeeping.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkRecord {
    pub breaker: Breaker<DateTime<Utc>>,
    pub last_ok: Option<DateTime<Utc>>,
    pub last_failure: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// The trip was announced; the recovery will be too.
    pub alerted_open: bool,
    /// Changed by this read: saved afterwards.
    pub(crate) touched: bool,
}

impl LinkRecord {
    pub fn state(&self, now: DateTime<Utc>) -> BreakerState {
        self.breaker.state(now)
    }

    pub(crate) fn succeeded(&mut self, now: DateTime<Utc>) -> Option<Transition> {
        self.touched = true;
        self.last_ok = Some(now);
        self.breaker.on_success(now)
    }

    pub(crate) fn failed(
        &mut self,
        now: DateTime<Utc>,
        failure: FailureWeight,
        policy: &BreakerPolicy,
        error: &str,
    ) -> Option<Transition> {
        self.touched = true;
        self.last_failure = Some(now);
        self.last_error = Some(error.to_owned());
        self.breaker.on_failure(now, failure, policy)
    }

    pub fn from_row(row: &BreakerRow) -> LinkRecord {
        let opening = match (row.opened_at, row.open_until) {
            (Some(since), Some(until)) => Some(Opening {
                since,
                until,
                period: Duration::from_secs(row.open_period_s),
                trial_failures: row.trial_failures,
            }),
            _ => None,
        };
        LinkRecord {
            breaker: Breaker {
                failures: row.failures,
                opening,
            },
            last_ok: row.last_ok,
            last_failure: row.last_failure,
            last_error: row.last_error.clone(),
            alerted_open: row.alerted_open,
            touched: false,
        }
    }

    pub fn to_row(&self, link: Link, now: DateTime<Utc>) -> BreakerRow {
        let o = self.breaker.opening;
        BreakerRow {
            name: link.name().to_owned(),
            failures: self.breaker.failures,
            opened_at: o.map(|o| o.since),
            open_until: o.map(|o| o.until),
            open_period_s: o.map_or(0, |o| o.period.as_secs()),
            trial_failures: o.map_or(0, |o| o.trial_failures),
            last_ok: self.last_ok,
            last_failure: self.last_failure,
            last_error: self.last_error.clone(),
            alerted_open: self.alerted_open,
            updated_at: now,
        }
    }
}

/// Breakers by link and API responses by key.
#[derive(Debug, Clone, Default)]
pub struct ChainState {
    links: BTreeMap<Link, LinkRecord>,
    responses: BTreeMap<String, String>,
    fetched: Vec<(String, String)>,
}

impl ChainState {
    /// The breakers and the unexpired API responses from the state database.
    pub fn load(store: &Store, now: DateTime<Utc>) -> store::Result<ChainState> {
        let mut state = ChainState::default();
        for row in store.breakers()? {
            if let Some(link) = Link::from_name(&row.name) {
                state.links.insert(link, LinkRecord::from_row(&row));
            }
        }
        for (key, body, _) in store.api_cache(now)? {
            state.responses.insert(key, body);
        }
        Ok(state)
    }

    /// Saves the breakers this read changed and the responses it fetched (kept for
    /// `response_ttl`), and drops expired responses.
    pub fn save(
        &self,
        store: &mut Store,
        now: DateTime<Utc>,
        response_ttl: chrono::Duration,
    ) -> store::Result<()> {
        for (link, record) in &self.links {
            if record.touched {
                store.save_breaker(&record.to_row(*link, now))?;
            }
        }
        for (key, body) in &self.fetched {
            store.put_api_cache(key, body, now, now + response_ttl)?;
        }
        store.prune_api_cache(now)?;
        Ok(())
    }

    /// The link's record (a closed breaker when it was never used).
    pub fn record(&self, link: Link) -> LinkRecord {
        self.links.get(&link).cloned().unwrap_or_default()
    }

    pub(crate) fn record_mut(&mut self, link: Link) -> &mut LinkRecord {
        self.links.entry(link).or_default()
    }

    /// Every link with a record, in [`Link::ALL`] order.
    pub fn records(&self) -> impl Iterator<Item = (Link, &LinkRecord)> {
        self.links.iter().map(|(l, r)| (*l, r))
    }

    /// A cached response body.
    pub(crate) fn response(&self, key: &str) -> Option<&str> {
        self.responses.get(key).map(String::as_str)
    }

    /// Keeps a fetched response for this read and for the next ones (after [`save`]).
    ///
    /// [`save`]: ChainState::save
    pub(crate) fn keep_response(&mut self, key: String, body: String) {
        self.responses.insert(key.clone(), body.clone());
        self.fetched.push((key, body));
    }
}
