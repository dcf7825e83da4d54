//! The WorkOS chain: the cache when fresh → Postgres → the stale cache (marked stale) → skip.

use chrono::{DateTime, Utc};

use super::cache::WorkosCache;
use super::postgres;
use crate::sources::WorkosSnapshot;
use crate::sources::block::block_on;
use crate::sources::chain::{ChainState, Ctx, Link, Outcome, Read, Served};
use crate::sources::fault::Fault;

/// Reads WorkOS tasks (every open task plus those changed since `since`), clients and goals.
pub fn read_workos(
    state: &mut ChainState,
    ctx: &Ctx<'_>,
    since: DateTime<Utc>,
) -> (Read<WorkosSnapshot>, Served) {
    let cfg = &ctx.config.adapters.workos;
    let mut served = Served::default();
    let mut all_missing = true;

    let mut stale_cache = None;
    if cfg.cache_enabled {
        let cache = state.call(Link::WorkosCache, ctx, || {
            WorkosCache::open_with_timeout(&cfg.cache_db_path, ctx.env.cache_busy_timeout)
                .and_then(|cache| cache.read(since))
                .map_err(Fault::from)
        });
        match cache {
            Outcome::Ok(snapshot) if is_fresh(&snapshot, ctx) => {
                served.via = Some(Link::WorkosCache);
                return (
                    Read::Ok {
                        data: snapshot,
                        stale: false,
                    },
                    served,
                );
            }
            Outcome::Ok(snapshot) => {
                all_missing = false;
                served.notes.push(format!(
                    "WorkOS cache last synced {} (older than {} s)",
                    snapshot
                        .last_sync
                        .map(|t| t
                            .with_timezone(&ctx.config.timezone)
                            .format("%a %H:%M")
                            .to_string())
                        .unwrap_or_else(|| "never".to_owned()),
                    cfg.cache_ttl.num_seconds()
                ));
                stale_cache = Some(snapshot);
            }
            other => {
                all_missing &= matches!(other, Outcome::Missing(_));
                served.notes.push(other.reason(Link::WorkosCache, ctx));
            }
        }
    }

    match &cfg.database_url {
        Some(url) => {
            all_missing = false;
            let timeouts = ctx.env.postgres;
            let now = ctx.now;
            let db = state.call(Link::WorkosPostgres, ctx, || {
                block_on(|| postgres::read(url, ctx.config.redactor(), since, now, timeouts))
            });
            match db {
                Outcome::Ok(snapshot) => {
                    served.via = Some(Link::WorkosPostgres);
                    return (
                        Read::Ok {
                            data: snapshot,
                            stale: false,
                        },
                        served,
                    );
                }
                other => served.notes.push(other.reason(Link::WorkosPostgres, ctx)),
            }
        }
        None => served
            .notes
            .push("no WorkOS database_url configured".to_owned()),
    }

    let reason = served.notes.join("; ");
    match stale_cache {
        Some(snapshot) => {
            served.via = Some(Link::WorkosCache);
            (
                Read::Ok {
                    data: snapshot,
                    stale: true,
                },
                served,
            )
        }
        None if all_missing => (Read::Missing(reason), served),
        None => (Read::Failed(reason), served),
    }
}

/// Synced within `cache_ttl` (a sync in the future, from clock skew, is fresh).
fn is_fresh(snapshot: &WorkosSnapshot, ctx: &Ctx<'_>) -> bool {
    let ttl = ctx.config.adapters.workos.cache_ttl;
    snapshot
        .last_sync
        .is_some_and(|at| ctx.now.signed_duration_since(at) <= ttl)
}
