//! The Oura chain: cache → API (with `fallback_api`) → skip. Whenever a token is set, stress
//! comes from the API (the cache has none).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde_json::Value;

use super::api::{self as oura_api, Endpoint, OuraApi};
use super::cache::OuraCache;
use crate::sources::OuraSnapshot;
use crate::sources::block::block_on;
use crate::sources::chain::{ChainState, Ctx, Link, Outcome, Read, Served};
use crate::sources::fault::Fault;

/// Days of Oura history a cycle reads: the 30-day HRV baseline plus today.
pub const WINDOW_DAYS: i64 = 35;

/// Reads Oura for the window ending today (in the configured zone).
pub fn read_oura(state: &mut ChainState, ctx: &Ctx<'_>) -> (Read<OuraSnapshot>, Served) {
    let cfg = &ctx.config.adapters.oura;
    let today = ctx.now.with_timezone(&ctx.config.timezone).date_naive();
    let from = today - Duration::days(WINDOW_DAYS);
    let mut served = Served::default();

    let cache = state.call(Link::OuraCache, ctx, || {
        OuraCache::open_with_timeout(&cfg.cache_db_path, ctx.env.cache_busy_timeout)
            .and_then(|cache| cache.read(from, today))
            .map_err(Fault::from)
    });
    let cache_missing = matches!(cache, Outcome::Missing(_));
    let has_token = cfg.access_token.is_some();
    let api_ready = cfg.fallback_api && has_token;

    if let Outcome::Ok(mut snapshot) = cache {
        served.via = Some(Link::OuraCache);
        if has_token {
            match fetch(state, ctx, &[Endpoint::DailyStress], from, today) {
                Ok(docs) => {
                    snapshot.stress = docs
                        .get(&Endpoint::DailyStress)
                        .map(|d| oura_api::stress_from_documents(d))
                        .unwrap_or_default();
                }
                Err(why) => served.notes.push(format!("stress unavailable: {why}")),
            }
        }
        let stale = is_stale(&snapshot, ctx);
        return (
            Read::Ok {
                data: snapshot,
                stale,
            },
            served,
        );
    }
    served.notes.push(cache.reason(Link::OuraCache, ctx));

    if !api_ready {
        let why = if !cfg.fallback_api {
            "Oura API fallback is off (adapters.oura.fallback_api)"
        } else {
            "no Oura API token (OURA_PERSONAL_ACCESS_TOKEN) for the fallback"
        };
        served.notes.push(why.to_owned());
        let reason = served.notes.join("; ");
        let read = if cache_missing {
            Read::Missing(reason)
        } else {
            Read::Failed(reason)
        };
        return (read, served);
    }

    match fetch(state, ctx, &Endpoint::ALL, from, today) {
        Ok(docs) => {
            let snapshot = oura_api::snapshot_from_documents(&docs);
            served.via = Some(Link::OuraApi);
            let stale = is_stale(&snapshot, ctx);
            (
                Read::Ok {
                    data: snapshot,
                    stale,
                },
                served,
            )
        }
        Err(why) => {
            served.notes.push(why);
            (Read::Failed(served.notes.join("; ")), served)
        }
    }
}

/// Whether the data's last sync is missing or older than `data_stale_hours`.
fn is_stale(snapshot: &OuraSnapshot, ctx: &Ctx<'_>) -> bool {
    let hours = ctx.config.monitors.health.thresholds.data_stale_hours;
    let stale_after = Duration::seconds((hours * 3600.0) as i64);
    snapshot.last_sync.is_none_or(|t| ctx.now - t > stale_after)
}

/// The cache key of one collection over one window.
fn key(endpoint: Endpoint, from: NaiveDate, to: NaiveDate) -> String {
    format!("oura:{}:{from}:{to}", endpoint.collection())
}

/// The documents of `endpoints`: cached responses first, then one API call through the
/// breaker for the rest (the retries fetch only what is still missing). `Err` is the reason
/// for the notes.
fn fetch(
    state: &mut ChainState,
    ctx: &Ctx<'_>,
    endpoints: &[Endpoint],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<Endpoint, Vec<Value>>, String> {
    let mut docs: BTreeMap<Endpoint, Vec<Value>> = BTreeMap::new();
    for &e in endpoints {
        let cached = state
            .response(&key(e, from, to))
            .and_then(|body| serde_json::from_str::<Vec<Value>>(body).ok());
        if let Some(cached) = cached {
            docs.insert(e, cached);
        }
    }
    let wanted: Vec<Endpoint> = endpoints
        .iter()
        .copied()
        .filter(|e| !docs.contains_key(e))
        .collect();
    if wanted.is_empty() {
        return Ok(docs);
    }
    let cfg = &ctx.config.adapters.oura;
    let Some(token) = cfg.access_token.clone() else {
        return Err("Oura API: no access token".to_owned());
    };
    let timeout = cfg
        .api_timeout
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(10));
    let mut fetched: BTreeMap<Endpoint, Vec<Value>> = BTreeMap::new();
    let outcome = state.call(Link::OuraApi, ctx, || {
        let todo: Vec<Endpoint> = wanted
            .iter()
            .copied()
            .filter(|e| !fetched.contains_key(e))
            .collect();
        let (got, result) = block_on(|| async {
            let api = OuraApi::new(
                &cfg.api_base_url,
                token.clone(),
                ctx.config.redactor().clone(),
                timeout,
            )?;
            let mut got = Vec::new();
            for e in todo {
                match api.documents(e, from, to).await {
                    Ok(d) => got.push((e, d)),
                    Err(f) => return Ok((got, Err(f))),
                }
            }
            Ok((got, Ok(())))
        })
        .unwrap_or_else(|f| (Vec::new(), Err(f)));
        fetched.extend(got);
        result
    });
    match outcome {
        Outcome::Ok(()) => {
            for (e, d) in fetched {
                state.keep_response(key(e, from, to), Value::Array(d.clone()).to_string());
                docs.insert(e, d);
            }
            Ok(docs)
        }
        other => Err(other.reason(Link::OuraApi, ctx)),
    }
}
