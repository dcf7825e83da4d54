//! `/review [days]`: this chat's review on demand, its suggestions stored so that their
//! `Apply` buttons can name them, journaled as an on-demand review.

use std::sync::Arc;

use super::{Reply, usage_reply};
use crate::app::App;
use crate::pipeline::Recipient;

/// The longest window: feedback is kept 60 days.
pub const MAX_DAYS: u32 = 60;

pub(super) async fn review(app: &Arc<App>, chat_id: i64, args: &str) -> anyhow::Result<Reply> {
    let days = match args.trim() {
        "" => 7,
        n => match n.parse::<u32>() {
            Ok(d) if (1..=MAX_DAYS).contains(&d) => d,
            _ => {
                return Ok(usage_reply(
                    "review",
                    &format!("The number of days runs from 1 to {MAX_DAYS}."),
                )
                .into());
            }
        },
    };
    let now = app.now();
    let chat = Recipient::Chat(chat_id);
    let a = Arc::clone(app);
    let (review, apply) = tokio::task::spawn_blocking(move || {
        let config = a.live_config();
        let mut store = a.lock_store();
        let store = &mut *store;
        let facts = crate::review::gather::facts(&config, store, Some(chat), now, days)?;
        let review = crate::review::review(days, &facts, &config);
        let mut apply = Vec::new();
        for s in &review.suggestions {
            let id = store.add_suggestion(chat, &s.key, &s.from, &s.to, &s.reason, now)?;
            apply.push((
                id,
                crate::channels::telegram::keyboard::apply_label(&s.key, &s.to),
            ));
        }
        anyhow::Ok((review, apply))
    })
    .await??;
    Ok(Reply {
        apply,
        journal_as: Some("review"),
        ..crate::review::text::review(&review).into()
    })
}
