//! The replies that read the ring and draw: `/readiness` (text and the 14-day chart),
//! `/brief` (the morning brief on demand) and `/week` (7 days of health and tasks), with the
//! live source reads they share. Charts are drawn off the async workers.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Reply, plain, read_with_timeout, stale_note};
use crate::app::App;
use crate::cycle::Read;
use crate::cycle::brief::BriefSources;
use crate::pipeline::Recipient;
use crate::render::{self, charts};
use crate::sources::chain::{self, ChainState, Ctx, Env};
use crate::sources::state_files::StateFiles;
use crate::sources::{FileRead, OuraSnapshot, StateSnapshot, WorkosSnapshot};

pub(super) async fn readiness(app: &Arc<App>) -> Reply {
    let now = app.now();
    let local = now.with_timezone(&app.config.timezone);
    let (oura, stale) = match live_oura(app, now).await {
        Ok(oura) => (oura, None),
        Err(why) => match app
            .last_snapshots()
            .and_then(|(at, s)| s.oura.data().cloned().map(|o| (at, o)))
        {
            Some((at, oura)) => (oura, Some((at, why))),
            None => return plain(&format!("Oura data is unavailable: {why}.")).into(),
        },
    };
    let mut text = render::readiness(&oura, local.clone());
    if let Some((at, why)) = stale {
        stale_note(&mut text, at, &why);
    }
    let day = local.date_naive();
    Reply {
        photo: drawn(move || charts::health_png(&oura, day)).await,
        ..text.into()
    }
}

/// Oura now, within [`SOURCE_TIMEOUT`].
async fn live_oura(app: &Arc<App>, now: DateTime<Utc>) -> Result<OuraSnapshot, String> {
    let a = Arc::clone(app);
    read_with_timeout(move || read_oura(&a, now)).await
}

/// A chart drawn off the async workers (drawing is CPU work: on them it would hold up the
/// paced sends of every other chat), or `None` (logged) when it could not be drawn: the text
/// goes alone.
async fn drawn(
    draw: impl FnOnce() -> Result<Vec<u8>, crate::chart::ChartError> + Send + 'static,
) -> Option<Vec<u8>> {
    match tokio::task::spawn_blocking(draw).await {
        Ok(Ok(png)) => Some(png),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "a chart could not be drawn; the text goes alone");
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "drawing a chart failed; the text goes alone");
            None
        }
    }
}

/// `/brief`: the morning brief now, with what quiet hours are holding for this chat.
pub(super) async fn brief(app: &Arc<App>, chat_id: i64) -> anyhow::Result<Reply> {
    let now = app.now();
    let oura = live_oura(app, now).await.ok().or_else(|| {
        app.last_snapshots()
            .and_then(|(_, s)| s.oura.data().cloned())
    });
    let base = app.config.adapters.state_files.base_path.clone();
    let state = read_with_timeout(move || Ok(StateFiles::new(base).read()))
        .await
        .ok()
        .or_else(|| app.last_snapshots().map(|(_, s)| s.state))
        .unwrap_or_else(|| StateSnapshot {
            commitment_data: FileRead::Corrupt("did not answer in time".to_owned()),
            commitments_md: FileRead::Missing,
            focus_modified: FileRead::Missing,
            brain_dumps: FileRead::Missing,
        });
    let chat = Recipient::Chat(chat_id);
    let default_quiet = app.config.quiet_hours;
    let held = app
        .store(move |s| s.chat_state(chat, default_quiet, now).map(|c| c.held))
        .await?;
    let holding: BTreeSet<String> = held.iter().map(|a| a.dedup_key.clone()).collect();
    // Composed off the async workers: it draws the chart.
    let a = Arc::clone(app);
    let prepared = tokio::task::spawn_blocking(move || {
        let sources = BriefSources {
            oura: oura.as_ref(),
            state: &state,
            holding: &holding,
            held_back: &[],
        };
        crate::cycle::brief::compose(&a.config, sources, &held, now)
    })
    .await?;
    Ok(Reply {
        text: prepared.text,
        photo: prepared.photo,
        journal_as: Some("brief"),
        ..Reply::from(render::Text::new())
    })
}

/// `/week`: the last 7 days of health and tasks, as a chart and a summary.
pub(super) async fn week(app: &Arc<App>) -> Reply {
    let now = app.now();
    let today = now.with_timezone(&app.config.timezone).date_naive();
    let oura = live_oura(app, now).await.ok().or_else(|| {
        app.last_snapshots()
            .and_then(|(_, s)| s.oura.data().cloned())
    });
    let a = Arc::clone(app);
    let workos = read_with_timeout(move || read_workos(&a, now))
        .await
        .ok()
        .or_else(|| {
            app.last_snapshots()
                .and_then(|(_, s)| s.workos.data().cloned())
        });
    let data = charts::week_chart(oura.as_ref(), workos.as_ref(), today, &app.config.timezone);
    let mut text = render::week(&data);
    if workos.is_none() {
        text.newline()
            .italic("WorkOS is unavailable, so tasks show as none.");
    }
    Reply {
        photo: drawn(move || crate::chart::render_week(&data)).await,
        ..text.into()
    }
}

/// Oura through its chain (cache, then the API responses the state database keeps for the
/// health interval, then the API itself), with the breakers shared with the cycles.
fn read_oura(app: &App, now: DateTime<Utc>) -> Result<OuraSnapshot, String> {
    let mut chain = ChainState::load(&app.lock_store(), now).map_err(|e| e.to_string())?;
    let env = Env::standard();
    let ctx = Ctx {
        config: &app.config,
        now,
        env: &env,
    };
    let (read, _) = chain::read_oura(&mut chain, &ctx);
    if let Err(e) = chain.save(&mut app.lock_store(), now, app.config.intervals.health) {
        tracing::warn!(error = %e, "cannot record the Oura read's breaker state");
    }
    match read {
        Read::Ok { data, .. } => Ok(data),
        other => Err(other.error().unwrap_or("unavailable").to_owned()),
    }
}

/// WorkOS through its chain for the last 8 days, like a cycle's read.
fn read_workos(app: &App, now: DateTime<Utc>) -> Result<WorkosSnapshot, String> {
    let mut chain = ChainState::load(&app.lock_store(), now).map_err(|e| e.to_string())?;
    let env = Env::standard();
    let ctx = Ctx {
        config: &app.config,
        now,
        env: &env,
    };
    let (read, _) = chain::read_workos(&mut chain, &ctx, now - chrono::Duration::days(8));
    if let Err(e) = chain.save(&mut app.lock_store(), now, app.config.intervals.tasks) {
        tracing::warn!(error = %e, "cannot record the WorkOS read's breaker state");
    }
    match read {
        Read::Ok { data, .. } => Ok(data),
        other => Err(other.error().unwrap_or("unavailable").to_owned()),
    }
}
