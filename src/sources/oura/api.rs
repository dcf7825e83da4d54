//! The Oura API v2 client: the fallback when the Oura cache is unusable, and the only source
//! of `daily_stress` (the cache has no stress table).
//!
//! `GET {base}/v2/usercollection/{endpoint}?start_date=…&end_date=…` with
//! `Authorization: Bearer <token>`, following `next_token` until it is null. Each request has
//! the configured timeout. Failures are classified ([`Fault`]): 401/403 and other 4xx are
//! permanent, 429 is rate-limited with its `Retry-After`, 5xx/timeouts/connection errors are
//! transient, a body that is not `{"data": [...]}` JSON is invalid. The token never appears
//! in a message. Documents decode with the same parsers as the cache ([`super::parse`]).

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::Value;

use super::parse::{
    parse_activity_doc, parse_readiness_doc, parse_sleep_doc, parse_stress_doc, select_nights,
};
use crate::config::{Redactor, Secret};
use crate::sources::fault::{Fault, FaultKind};
use crate::sources::{OuraSnapshot, SleepNight};

/// A guard against a server that hands out `next_token`s forever.
pub const MAX_PAGES: usize = 100;

/// The longest `Retry-After` taken at face value (longer values are capped).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The collections Operator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    DailyReadiness,
    Sleep,
    DailySleep,
    DailyActivity,
    DailyStress,
}

impl Endpoint {
    /// Everything the health monitor needs when the cache is unusable.
    pub const ALL: [Endpoint; 5] = [
        Endpoint::DailyReadiness,
        Endpoint::Sleep,
        Endpoint::DailySleep,
        Endpoint::DailyActivity,
        Endpoint::DailyStress,
    ];

    /// The collection's name in the URL.
    pub fn collection(self) -> &'static str {
        match self {
            Endpoint::DailyReadiness => "daily_readiness",
            Endpoint::Sleep => "sleep",
            Endpoint::DailySleep => "daily_sleep",
            Endpoint::DailyActivity => "daily_activity",
            Endpoint::DailyStress => "daily_stress",
        }
    }
}

/// An Oura API client for one read.
pub struct OuraApi {
    client: reqwest::Client,
    base_url: String,
    token: Secret,
    /// The config's redactor: every error text passes through it.
    redactor: Redactor,
    timeout: Duration,
}

impl OuraApi {
    /// A client for `base_url` (e.g. `https://api.ouraring.com`) with a per-request timeout;
    /// its error texts pass through `redactor`.
    pub fn new(
        base_url: &str,
        token: Secret,
        redactor: Redactor,
        timeout: Duration,
    ) -> Result<OuraApi, Fault> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("operator/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Fault::permanent(format!("cannot build the HTTP client: {e}")))?;
        Ok(OuraApi {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token,
            redactor,
            timeout,
        })
    }

    /// Every document of `endpoint` for the days `from..=to`, across all pages.
    pub async fn documents(
        &self,
        endpoint: Endpoint,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Value>, Fault> {
        let mut docs = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.page(endpoint, from, to, next.as_deref()).await?;
            docs.extend(page.data);
            match page.next_token {
                Some(token) if Some(&token) == next.as_ref() => {
                    return Err(self.fault(
                        endpoint,
                        FaultKind::Invalid,
                        "the same next_token came back twice",
                    ));
                }
                Some(token) => next = Some(token),
                None => return Ok(docs),
            }
        }
        Err(self.fault(
            endpoint,
            FaultKind::Invalid,
            &format!("more than {MAX_PAGES} pages"),
        ))
    }

    async fn page(
        &self,
        endpoint: Endpoint,
        from: NaiveDate,
        to: NaiveDate,
        next: Option<&str>,
    ) -> Result<Page, Fault> {
        let url = format!(
            "{}/v2/usercollection/{}",
            self.base_url,
            endpoint.collection()
        );
        let mut query = vec![
            ("start_date", from.format("%Y-%m-%d").to_string()),
            ("end_date", to.format("%Y-%m-%d").to_string()),
        ];
        if let Some(token) = next {
            query.push(("next_token", token.to_owned()));
        }
        let response = self
            .client
            .get(&url)
            .bearer_auth(self.token.expose())
            .query(&query)
            .send()
            .await
            .map_err(|e| self.request_fault(endpoint, &e))?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let (kind, what) = classify_status(status, retry_after);
            return Err(self.fault(endpoint, kind, &what));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| self.request_fault(endpoint, &e))?;
        parse_page(&body).map_err(|why| self.fault(endpoint, FaultKind::Invalid, &why))
    }

    fn request_fault(&self, endpoint: Endpoint, e: &reqwest::Error) -> Fault {
        let what = if e.is_timeout() {
            format!("timed out after {} s", self.timeout.as_secs_f64())
        } else if e.is_connect() {
            format!("cannot connect: {}", root_cause(e))
        } else {
            format!("request failed: {}", root_cause(e))
        };
        self.fault(endpoint, FaultKind::Transient, &what)
    }

    fn fault(&self, endpoint: Endpoint, kind: FaultKind, what: &str) -> Fault {
        let message = format!("Oura API {}: {what}", endpoint.collection());
        Fault::new(kind, self.redactor.redact(&message))
    }
}

/// One page of a collection.
#[derive(Debug, PartialEq)]
struct Page {
    data: Vec<Value>,
    next_token: Option<String>,
}

/// `{"data": [...], "next_token": string|null}`; an empty `next_token` ends the list too.
fn parse_page(body: &[u8]) -> Result<Page, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("malformed JSON ({e})"))?;
    let data = match value.get("data") {
        Some(Value::Array(items)) => items.clone(),
        _ => return Err("the response has no \"data\" list".to_owned()),
    };
    let next_token = value
        .get("next_token")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .map(str::to_owned);
    Ok(Page { data, next_token })
}

/// The fault class and description of a non-2xx status.
fn classify_status(status: StatusCode, retry_after: Option<Duration>) -> (FaultKind, String) {
    let code = status.as_u16();
    match code {
        401 => (
            FaultKind::Permanent,
            "HTTP 401: the access token was rejected (check OURA_PERSONAL_ACCESS_TOKEN)".to_owned(),
        ),
        403 => (
            FaultKind::Permanent,
            "HTTP 403: the access token may not read this collection".to_owned(),
        ),
        429 => (
            FaultKind::RateLimited(retry_after),
            match retry_after {
                Some(d) => format!("HTTP 429: rate limited, retry after {} s", d.as_secs()),
                None => "HTTP 429: rate limited".to_owned(),
            },
        ),
        500..=599 => (FaultKind::Transient, format!("HTTP {code}")),
        _ => (FaultKind::Permanent, format!("HTTP {code}")),
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by Oura and reads as `None`).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: u64 = value.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// The innermost error's text (e.g. "Connection refused"), which names no URL.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &(dyn std::error::Error + 'static) = e;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

/// Builds a snapshot from the documents of each collection fetched: one readiness and one
/// activity per day (the last), one night per day from `sleep` and `daily_sleep` together,
/// stress per day. `last_sync` is the end of the latest sleep period (the API has no sync
/// time; the ring has synced at least that far). Undecodable documents are counted.
pub fn snapshot_from_documents(docs: &BTreeMap<Endpoint, Vec<Value>>) -> OuraSnapshot {
    let empty = Vec::new();
    let of = |e: Endpoint| docs.get(&e).unwrap_or(&empty);
    let mut skipped = 0u32;
    let mut decode = |e: Endpoint, parse: &dyn Fn(&Value) -> bool| {
        let bad = of(e).iter().filter(|d| !parse(d)).count();
        skipped = skipped.saturating_add(u32::try_from(bad).unwrap_or(u32::MAX));
    };
    decode(Endpoint::DailyReadiness, &|d| {
        parse_readiness_doc(d).is_some()
    });
    decode(Endpoint::Sleep, &|d| parse_sleep_doc(d).is_some());
    decode(Endpoint::DailySleep, &|d| parse_sleep_doc(d).is_some());
    decode(Endpoint::DailyActivity, &|d| {
        parse_activity_doc(d).is_some()
    });
    decode(Endpoint::DailyStress, &|d| parse_stress_doc(d).is_some());

    let sleep: Vec<SleepNight> = select_nights(
        of(Endpoint::Sleep)
            .iter()
            .chain(of(Endpoint::DailySleep))
            .filter_map(parse_sleep_doc),
    );
    let last_sync = sleep
        .iter()
        .filter_map(|n| n.bedtime_end)
        .map(|t| t.to_utc())
        .max();
    OuraSnapshot {
        readiness: last_per_day(
            of(Endpoint::DailyReadiness)
                .iter()
                .filter_map(parse_readiness_doc),
            |r| r.day,
        ),
        sleep,
        activity: last_per_day(
            of(Endpoint::DailyActivity)
                .iter()
                .filter_map(parse_activity_doc),
            |a| a.day,
        ),
        stress: stress_from_documents(of(Endpoint::DailyStress)),
        last_sync,
        skipped_rows: skipped,
    }
}

/// `daily_stress` documents, one per day, ascending.
pub fn stress_from_documents(docs: &[Value]) -> Vec<crate::sources::Stress> {
    last_per_day(docs.iter().filter_map(parse_stress_doc), |s| s.day)
}

/// Sorted by day (stable), keeping the last item of each day.
fn last_per_day<T>(items: impl Iterator<Item = T>, day: impl Fn(&T) -> NaiveDate) -> Vec<T> {
    let mut sorted: Vec<T> = items.collect();
    sorted.sort_by_key(|item| day(item));
    let mut out: Vec<T> = Vec::with_capacity(sorted.len());
    for item in sorted {
        match out.last_mut() {
            Some(prev) if day(prev) == day(&item) => *prev = item,
            _ => out.push(item),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pages_parse_and_end_on_null_or_empty_tokens() {
        type Want = Result<(usize, Option<&'static str>), ()>;
        let cases: [(&str, Want); 6] = [
            (
                r#"{"data": [{"day": "2026-01-01"}], "next_token": "abc"}"#,
                Ok((1, Some("abc"))),
            ),
            (r#"{"data": [], "next_token": null}"#, Ok((0, None))),
            (r#"{"data": [1, 2]}"#, Ok((2, None))),
            (r#"{"data": [], "next_token": "  "}"#, Ok((0, None))),
            (r#"{"data": {"day": 1}}"#, Err(())),
            (r#"{"data": [1, "#, Err(())),
        ];
        for (body, want) in cases {
            let got = parse_page(body.as_bytes())
                .map(|p| (p.data.len(), p.next_token))
                .map_err(|_| ());
            let want = want.map(|(n, t)| (n, t.map(str::to_owned)));
            assert_eq!(got, want, "{body}");
        }
    }

    #[test]
    fn statuses_are_classified() {
        let secs = Duration::from_secs;
        let cases = [
            (401, None, FaultKind::Permanent),
            (403, None, FaultKind::Permanent),
            (404, None, FaultKind::Permanent),
            (429, Some(secs(30)), FaultKind::RateLimited(Some(secs(30)))),
            (429, None, FaultKind::RateLimited(None)),
            (500, None, FaultKind::Transient),
            (503, None, FaultKind::Transient),
        ];
        for (code, retry, want) in cases {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT);
            assert_eq!(classify_status(status, retry).0, want, "{code}");
        }
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("30"), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("99999999"), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-5"), None);
    }

    #[test]
    fn documents_become_a_snapshot() {
        let mut docs = BTreeMap::new();
        docs.insert(
            Endpoint::DailyReadiness,
            vec![
                json!({"day": "2026-01-02", "score": 70}),
                json!({"day": "2026-01-01", "score": 60}),
                json!({"day": "2026-01-02", "score": 72}),
                json!("not an object"),
            ],
        );
        docs.insert(
            Endpoint::Sleep,
            vec![
                json!({"day": "2026-01-02", "type": "long_sleep", "total_sleep_duration": 25200,
                "bedtime_end": "2026-01-02T07:00:00-05:00"}),
            ],
        );
        docs.insert(
            Endpoint::DailySleep,
            vec![json!({"day": "2026-01-01", "score": 80})],
        );
        docs.insert(
            Endpoint::DailyStress,
            vec![
                json!({"day": "2026-01-02", "stress_high": 3600, "recovery_high": 1800,
                "day_summary": "stressful"}),
            ],
        );
        let s = snapshot_from_documents(&docs);
        let scores: Vec<_> = s.readiness.iter().map(|r| r.score).collect();
        assert_eq!(
            scores,
            vec![Some(60.0), Some(72.0)],
            "ascending, last per day"
        );
        assert_eq!(s.sleep.len(), 2, "a period and a legacy night");
        assert_eq!(s.stress.len(), 1);
        assert_eq!(s.stress[0].stress_high_seconds, Some(3600.0));
        assert_eq!(
            s.last_sync.map(|t| t.to_rfc3339()),
            Some("2026-01-02T12:00:00+00:00".to_owned())
        );
        assert_eq!(s.skipped_rows, 1);
        assert!(s.activity.is_empty());
    }
}
