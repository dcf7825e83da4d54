//! Doctor's checks of the data Operator reads: each cache file exists, opens read-only with the
//! schema the readers expect, and was synced recently; Postgres connects and its tables
//! answer; the Oura token is accepted; the State files parse. A source the config does not
//! use (no database URL, no Oura token) is said so, not failed.

use chrono::{Duration, Utc};

use super::Check;
use crate::config::Config;
use crate::sources::FileRead;
use crate::sources::SourceError;
use crate::sources::block::block_on;
use crate::sources::fault::FaultKind;
use crate::sources::oura::OuraCache;
use crate::sources::oura::api::{Endpoint, OuraApi};
use crate::sources::state_files::StateFiles;
use crate::sources::workos::WorkosCache;
use crate::sources::workos::postgres::{self, Timeouts};

pub fn all(config: &Config, checks: &mut Vec<Check>) {
    oura_cache(config, checks);
    oura_api(config, checks);
    workos_cache(config, checks);
    workos_postgres(config, checks);
    state_files(config, checks);
}

fn ago(minutes: i64) -> String {
    match minutes {
        m if m < 120 => format!("{m} min ago"),
        m if m < 48 * 60 => format!("{} h ago", m / 60),
        m => format!("{} days ago", m / (24 * 60)),
    }
}

fn oura_cache(config: &Config, checks: &mut Vec<Check>) {
    let name = "oura cache";
    let path = &config.adapters.oura.cache_db_path;
    let api_fallback =
        config.adapters.oura.fallback_api && config.adapters.oura.access_token.is_some();
    let unusable = |detail: String, fix: &str| {
        if api_fallback || !config.monitors.health.enabled {
            Check::warn(
                name,
                format!("{detail} (the Oura API is used instead)"),
                fix,
            )
        } else {
            Check::fail(
                name,
                format!("{detail}: the health checks are skipped"),
                fix,
            )
        }
    };
    let cache = match OuraCache::open(path) {
        Ok(cache) => cache,
        Err(SourceError::Missing { .. }) => {
            checks.push(unusable(
                format!("{} does not exist", path.display()),
                "install and run the Oura MCP server (it writes this cache), or set adapters.oura.cache_db_path",
            ));
            return;
        }
        Err(e) => {
            checks.push(unusable(
                e.to_string(),
                "if the schema changed, update Operator; if the file is damaged, delete it and let the Oura MCP server sync again",
            ));
            return;
        }
    };
    let stale_after = config.monitors.health.thresholds.data_stale_hours;
    match cache.last_sync() {
        Ok(Some(at)) => {
            let minutes = (Utc::now() - at).num_minutes().max(0);
            if minutes as f64 > stale_after * 60.0 {
                checks.push(Check::warn(
                    name,
                    format!("{} opens; last synced {}", path.display(), ago(minutes)),
                    "open the Oura app on your phone so the ring syncs (data arrives only after a sync)",
                ));
            } else {
                checks.push(Check::ok(
                    name,
                    format!("{} opens; last synced {}", path.display(), ago(minutes)),
                ));
            }
        }
        Ok(None) => checks.push(Check::warn(
            name,
            format!("{} opens but has never synced", path.display()),
            "open the Oura app on your phone so the ring syncs",
        )),
        Err(e) => checks.push(unusable(e.to_string(), "check the file's permissions")),
    }
}

fn oura_api(config: &Config, checks: &mut Vec<Check>) {
    let name = "oura api";
    let oura = &config.adapters.oura;
    let Some(token) = &oura.access_token else {
        checks.push(Check::ok(
            name,
            "no token configured (optional: it adds stress data and a fallback when the cache fails)",
        ));
        return;
    };
    let today = Utc::now().with_timezone(&config.timezone).date_naive();
    let timeout = oura
        .api_timeout
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(10));
    let result = block_on(|| async {
        let api = OuraApi::new(
            &oura.api_base_url,
            token.clone(),
            config.redactor().clone(),
            timeout,
        )?;
        api.documents(Endpoint::DailyReadiness, today - Duration::days(1), today)
            .await
    });
    checks.push(match result {
        Ok(_) => Check::ok(name, "the token is accepted"),
        Err(f) if f.kind == FaultKind::Permanent => Check::fail(
            name,
            format!("the token is refused: {}", f.message),
            "create a new personal access token at cloud.ouraring.com and put it in .env as OURA_PERSONAL_ACCESS_TOKEN",
        ),
        Err(f) => Check::warn(
            name,
            format!("cannot check the token now: {}", f.message),
            "check the network, then run doctor again",
        ),
    });
}

fn workos_cache(config: &Config, checks: &mut Vec<Check>) {
    let name = "workos cache";
    let w = &config.adapters.workos;
    if !w.cache_enabled {
        checks.push(Check::ok(
            name,
            "off (adapters.workos.cache_enabled: false)",
        ));
        return;
    }
    let path = &w.cache_db_path;
    let fallback = if w.database_url.is_some() {
        " (WorkOS Postgres is used instead)"
    } else {
        ": the task checks see commitments only"
    };
    let cache = match WorkosCache::open(path) {
        Ok(cache) => cache,
        Err(SourceError::Missing { .. }) => {
            checks.push(Check::warn(
                name,
                format!("{} does not exist{fallback}", path.display()),
                "run the WorkOS MCP server (it writes this cache), or set WORKOS_DATABASE_URL",
            ));
            return;
        }
        Err(e) => {
            checks.push(Check::warn(
                name,
                format!("{e}{fallback}"),
                "if the file is damaged, delete it: the WorkOS MCP server writes it again",
            ));
            return;
        }
    };
    let ttl = w.cache_ttl.num_minutes().max(1);
    match cache.last_sync() {
        Ok(Some(at)) => {
            let minutes = (Utc::now() - at).num_minutes().max(0);
            if minutes > ttl {
                checks.push(Check::warn(
                    name,
                    format!(
                        "{} opens; last synced {} (stale after {ttl} min){fallback}",
                        path.display(),
                        ago(minutes)
                    ),
                    "the WorkOS MCP server syncs while it runs: start it, or rely on Postgres",
                ));
            } else {
                checks.push(Check::ok(
                    name,
                    format!("{} opens; last synced {}", path.display(), ago(minutes)),
                ));
            }
        }
        Ok(None) => checks.push(Check::warn(
            name,
            format!("{} has never synced{fallback}", path.display()),
            "start the WorkOS MCP server so it syncs",
        )),
        Err(e) => checks.push(Check::warn(
            name,
            format!("{e}{fallback}"),
            "check the file",
        )),
    }
}

fn workos_postgres(config: &Config, checks: &mut Vec<Check>) {
    let name = "workos postgres";
    let Some(url) = &config.adapters.workos.database_url else {
        checks.push(Check::ok(
            name,
            "not configured (optional: WORKOS_DATABASE_URL)",
        ));
        return;
    };
    let now = Utc::now();
    let result = block_on(|| {
        postgres::read(
            url,
            config.redactor(),
            now - Duration::days(1),
            now,
            Timeouts::default(),
        )
    });
    checks.push(match result {
        Ok(snapshot) => Check::ok(
            name,
            format!(
                "connects; the tasks, clients and daily_goals tables answer ({} task(s) open or recent)",
                snapshot.tasks.len()
            ),
        ),
        Err(f) if f.kind == FaultKind::Permanent => Check::fail(
            name,
            f.message.clone(),
            "check WORKOS_DATABASE_URL in .env (user, password, database name)",
        ),
        Err(f) if f.kind == FaultKind::Invalid => Check::fail(
            name,
            f.message.clone(),
            "the database does not have WorkOS's tables: check the database name in WORKOS_DATABASE_URL",
        ),
        Err(f) => Check::warn(
            name,
            f.message.clone(),
            "check the network and that the database is up, then run doctor again",
        ),
    });
}

fn state_files(config: &Config, checks: &mut Vec<Check>) {
    let name = "state files";
    let base = &config.adapters.state_files.base_path;
    if !base.is_dir() {
        checks.push(Check::warn(
            name,
            format!("{} does not exist: no commitments to check", base.display()),
            "set THANOS_ROOT (or adapters.state_files.base_path) to the folder that holds State/",
        ));
        return;
    }
    let snapshot = StateFiles::new(base).read();
    let mut found = Vec::new();
    let mut corrupt = Vec::new();
    for (file, read) in [
        ("CommitmentData.json", status_of(&snapshot.commitment_data)),
        ("Commitments.md", status_of(&snapshot.commitments_md)),
        ("brain_dumps.json", status_of(&snapshot.brain_dumps)),
    ] {
        match read {
            Some(Ok(())) => found.push(file),
            Some(Err(reason)) => corrupt.push(format!("{file}: {reason}")),
            None => {}
        }
    }
    if !corrupt.is_empty() {
        checks.push(Check::fail(
            name,
            format!("cannot parse {}", corrupt.join("; ")),
            "fix the file (its checks are skipped until then)",
        ));
    } else if found.is_empty() {
        checks.push(Check::warn(
            name,
            format!("{}: no commitment files yet", base.display()),
            "Operator reads CommitmentData.json and Commitments.md here",
        ));
    } else {
        checks.push(Check::ok(
            name,
            format!("{}: {} read", base.display(), found.join(", ")),
        ));
    }
}

fn status_of<T>(read: &FileRead<T>) -> Option<Result<(), String>> {
    match read {
        FileRead::Missing => None,
        FileRead::Corrupt(reason) => Some(Err(reason.clone())),
        FileRead::Ok(_) => Some(Ok(())),
    }
}
