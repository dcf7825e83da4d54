//! The long-polling update listener. Our own (rather than teloxide's `Polling`) so that every
//! successful `getUpdates`, empty or not, is recorded for `/status` and the health endpoint,
//! a 409 conflict (another poller on this token) is reported in words, and errors back off
//! with a cap instead of spinning. On stop it sends one last `getUpdates` so Telegram knows
//! the offset was processed.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Update};
use teloxide::update_listeners::{StatefulListener, UpdateListener};

use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::config::Redactor;

/// Delay before retrying a failed poll: 1 s, 2 s, 4 s, … capped at 60 s.
pub fn backoff(errors: u32) -> Duration {
    Duration::from_secs(1u64 << errors.min(6)).min(Duration::from_secs(60))
}

pub struct PollState {
    bot: Bot,
    app: Arc<App>,
    cancel: CancellationToken,
    timeout_secs: u32,
    token: StopToken,
    flag: Option<StopFlag>,
}

/// Describes a polling error for the log, its text passed through the config's redactor.
pub fn describe(e: &RequestError, redactor: &Redactor) -> String {
    match e {
        RequestError::Api(teloxide::ApiError::TerminatedByOtherGetUpdates) => {
            "409 conflict: another process is polling this bot token (is a second `operator run` running, or another bot using the same token?)".to_owned()
        }
        RequestError::Api(teloxide::ApiError::InvalidToken) => {
            "Telegram rejected the bot token (check alerters.telegram.token / TELEGRAM_BOT_TOKEN)".to_owned()
        }
        RequestError::RetryAfter(s) => format!("rate limited by Telegram for {} s", s.seconds()),
        other => redactor.redact(&other.to_string()),
    }
}

/// A listener polling with `bot` every `timeout_secs` (long poll). It ends when the
/// dispatcher stops it or when `cancel` fires: watching `cancel` itself closes a race in
/// which a shutdown requested while the dispatcher is busy with an update goes unseen.
pub fn listener(
    bot: Bot,
    app: Arc<App>,
    timeout_secs: u32,
    cancel: CancellationToken,
) -> impl UpdateListener<Err = RequestError> {
    let (token, flag) = mk_stop_token();
    let state = PollState {
        bot,
        app,
        cancel,
        timeout_secs,
        token,
        flag: Some(flag),
    };
    StatefulListener::new(state, stream, |st: &mut PollState| st.token.clone())
}

struct Cursor {
    bot: Bot,
    app: Arc<App>,
    cancel: CancellationToken,
    timeout_secs: u32,
    flag: Option<StopFlag>,
    offset: i32,
    errors: u32,
    buffer: VecDeque<Update>,
    done: bool,
}

fn stream(st: &mut PollState) -> impl Stream<Item = Result<Update, RequestError>> + Send + '_ {
    let cursor = Cursor {
        bot: st.bot.clone(),
        app: Arc::clone(&st.app),
        cancel: st.cancel.clone(),
        timeout_secs: st.timeout_secs,
        flag: st.flag.take(),
        offset: 0,
        errors: 0,
        buffer: VecDeque::new(),
        done: false,
    };
    futures::stream::unfold(cursor, |mut c| async move {
        loop {
            if let Some(update) = c.buffer.pop_front() {
                return Some((Ok(update), c));
            }
            if c.done {
                return None;
            }
            let request = c
                .bot
                .get_updates()
                .offset(c.offset)
                .timeout(c.timeout_secs)
                .allowed_updates(vec![
                    AllowedUpdate::Message,
                    AllowedUpdate::CallbackQuery,
                    AllowedUpdate::MessageReaction,
                ])
                .send();
            let flag = c.flag.as_mut()?;
            let cancel = c.cancel.clone();
            let result = tokio::select! {
                () = flag => None,
                () = cancel.cancelled() => None,
                r = request => Some(r),
            };
            let Some(result) = result else {
                acknowledge(&c.bot, c.app.config.redactor(), c.offset).await;
                c.done = true;
                continue;
            };
            match result {
                Ok(updates) => {
                    c.errors = 0;
                    c.app.mark_poll(c.app.now());
                    if let Some(last) = updates.last() {
                        c.offset = last.id.as_offset();
                    }
                    c.buffer.extend(updates);
                }
                Err(e) => {
                    let delay = match &e {
                        RequestError::RetryAfter(s) => s.duration(),
                        _ => backoff(c.errors),
                    };
                    c.errors = c.errors.saturating_add(1);
                    tracing::warn!(error = %describe(&e, c.app.config.redactor()), retry_in_s = delay.as_secs(), "polling Telegram failed");
                    let flag = c.flag.as_mut()?;
                    let cancel = c.cancel.clone();
                    tokio::select! {
                        () = flag => c.done = true,
                        () = cancel.cancelled() => c.done = true,
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    })
}

/// Confirms the updates handled so far, so a restart does not see them again.
async fn acknowledge(bot: &Bot, redactor: &Redactor, offset: i32) {
    if offset == 0 {
        return;
    }
    let result = bot
        .get_updates()
        .offset(offset)
        .timeout(0)
        .limit(1)
        .send()
        .await;
    if let Err(e) = result {
        tracing::warn!(error = %describe(&e, redactor), "could not acknowledge the last updates on shutdown");
    }
}
