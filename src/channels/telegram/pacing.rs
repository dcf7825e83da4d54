//! Telegram's pacing kept across restarts, beside [`super::pacer`] (which keeps it in
//! memory): a 429 `retry_after` pauses every send and is written to the state database, and
//! at start the pause still in force and the chats written to in the last two seconds are
//! restored into the app's pacer, so a restart (or an `operator check` beside the daemon)
//! never writes into a pause or a chat's second.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use crate::app::App;

/// Restores what the state database remembers of Telegram's pacing into the app's pacer: a
/// 429 pause still in force (so a restart inside it does not write into it) and the chats
/// written to in the last two seconds (so their next message keeps its second). Failures to
/// read are logged; pacing then starts from nothing, as it would on a first start.
pub async fn restore_pacing(app: &Arc<App>) {
    let now = app.now();
    let since = now - chrono::Duration::seconds(2);
    let read = app
        .store(move |s| Ok((s.telegram_pause(now)?, s.recent_telegram_deliveries(since)?)))
        .await;
    let (pause, recent) = match read {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"),
                "cannot read Telegram's pacing from the state database");
            return;
        }
    };
    let instant_now = Instant::now();
    let mut pacing = app.telegram_pacer.lock();
    if let Some(until) = pause {
        let at = wall_to_instant(until, now, instant_now);
        tracing::info!(
            paused_for_ms = (at - instant_now).as_millis() as u64,
            "Telegram asked to slow down before the restart: every send waits out the pause"
        );
        pacing.pause_until(at);
    }
    for (recipient, at) in recent {
        if let Ok(chat) = recipient.parse::<i64>() {
            // Delivery times are whole seconds (rounded down): count the end of that second.
            let at = at + chrono::Duration::seconds(1);
            pacing.written_at(chat, wall_to_instant(at, now, instant_now));
        }
    }
}

/// `t` on tokio's clock, given that `now` (wall) is `instant_now`; clamped to what the
/// clock can represent.
fn wall_to_instant(t: DateTime<Utc>, now: DateTime<Utc>, instant_now: Instant) -> Instant {
    match (t - now).to_std() {
        Ok(ahead) => instant_now + ahead,
        Err(_) => {
            let behind = (now - t).to_std().unwrap_or_default();
            instant_now.checked_sub(behind).unwrap_or(instant_now)
        }
    }
}

/// Telegram answered 429 with `retry_after = delay`: every send and reply waits it out, and
/// the pause is recorded so a restart inside it waits too.
pub async fn note_retry_after(app: &Arc<App>, delay: Duration) {
    app.telegram_pacer.pause_for(delay);
    let now = app.now();
    let until = now + chrono::Duration::from_std(delay).unwrap_or_default();
    let saved = app.store(move |s| s.set_telegram_pause(until, now)).await;
    if let Err(e) = saved {
        tracing::warn!(error = %format!("{e:#}"),
            "cannot record Telegram's 429 pause; a restart inside it may write into it");
    }
}
