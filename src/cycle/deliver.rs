//! Step 3 of a cycle: for each recipient, the pipeline's decision, then delivery (the
//! desktop and the journal at once, Telegram through the outbox) and one journal line per
//! decision. Nothing is recorded as sent unless it was delivered; a queued Telegram row
//! counts as in flight for dedup.

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::Options;
use super::brief::{self, BriefSources, PreparedBrief};
use super::living;
use crate::alert::Alert;
use crate::channels::desktop::{self, Notifier};
use crate::channels::journal::{Entry, Journal};
use crate::config::Config;
use crate::pipeline::{
    self, Notification, NotificationKind, Outcome, Plan, Recipient, RecipientPolicy,
};
use crate::store::Store;

/// What one recipient's part of the cycle came to.
#[derive(Debug, Clone)]
pub struct RecipientReport {
    pub recipient: Recipient,
    pub decisions: Vec<(Alert, Outcome)>,
    /// Messages delivered (or queued for Telegram), with the outcome journaled for them.
    pub delivered: Vec<(Notification, Delivery)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Shown on this channel now (desktop, journal).
    Sent,
    /// Written to the outbox for the Telegram sender.
    Queued,
    Failed(String),
    /// Dry run: would have been delivered.
    WouldSend,
}

impl Delivery {
    pub fn outcome(&self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Queued => "queued",
            Delivery::Failed(_) => "failed",
            Delivery::WouldSend => "would_send",
        }
    }
}

/// The recipients alerts are decided for: every Telegram chat, the desktop where it exists,
/// or the journal alone when nothing else is configured.
pub fn recipients(config: &Config) -> Vec<Recipient> {
    let mut out = Vec::new();
    let tg = &config.alerters.telegram;
    if tg.enabled && tg.token.is_some() {
        out.extend(tg.chat_ids.iter().map(|&id| Recipient::Chat(id)));
    }
    if config.alerters.macos.enabled && desktop::available_once() {
        out.push(Recipient::Desktop);
    }
    if out.is_empty() {
        out.push(Recipient::Journal);
    }
    out
}

/// The decision settings for one recipient.
pub fn policy_for(config: &Config, recipient: Recipient) -> RecipientPolicy {
    let min_priority = match recipient {
        Recipient::Chat(_) => config.alerters.telegram.min_priority,
        Recipient::Desktop => config.alerters.macos.min_priority,
        Recipient::Journal => config.alerters.journal.min_priority,
    };
    RecipientPolicy {
        timezone: config.timezone.clone(),
        windows: config.dedup.windows.clone(),
        max_alerts_per_run: config.dedup.max_alerts_per_run,
        min_priority,
    }
}

/// What the cycle knows beyond the alerts, for the brief and the living messages.
#[derive(Clone, Copy)]
pub(super) struct CycleContext<'a> {
    /// This cycle's alerts, decided for each recipient.
    pub alerts: &'a [Alert],
    pub sources: BriefSources<'a>,
    pub seen: living::Seen<'a>,
}

/// The pipeline for one recipient, then delivery and the journal; for a Telegram chat also
/// the morning brief and the living messages.
pub(super) fn decide_and_deliver(
    config: &Config,
    store: &mut Store,
    mut journal: Option<&mut Journal>,
    notifier: Option<&dyn Notifier>,
    recipient: Recipient,
    options: &Options,
    ctx: CycleContext<'_>,
) -> anyhow::Result<RecipientReport> {
    let now = options.now;
    let alerts = ctx.alerts;
    let state = store
        .chat_state(recipient, config.quiet_hours, now)
        .context("loading chat state")?;
    let mut plan: Plan = pipeline::decide(alerts, &state, now, &policy_for(config, recipient));
    let brief = match recipient {
        Recipient::Chat(_) => {
            let today = now.with_timezone(&config.timezone).date_naive();
            let queued = store
                .brief_recorded(recipient, today)
                .context("reading today's brief")?;
            brief::prepare(config, &state, &mut plan, ctx.sources, queued, now)
        }
        Recipient::Desktop | Recipient::Journal => None,
    };
    let mut report = RecipientReport {
        recipient,
        decisions: plan.decisions.clone(),
        delivered: Vec::new(),
    };
    if options.dry_run {
        report.delivered = plan
            .deliver
            .into_iter()
            .map(|n| (n, Delivery::WouldSend))
            .collect();
        return Ok(report);
    }

    let channel = recipient.channel();
    let chat_id = recipient.chat_id();
    if let Some(j) = journal.as_deref_mut() {
        for (alert, outcome) in &plan.decisions {
            if *outcome != Outcome::Send {
                j.write(&Entry::new(alert, chat_id, outcome.as_str(), channel, now))
                    .context("writing the journal")?;
            }
        }
    }
    store
        .hold(recipient, &plan.hold, now)
        .context("holding alerts for the digest")?;
    if let Recipient::Chat(_) = recipient {
        living::update(config, store, recipient, &state, &plan, ctx.seen, now)?;
        if !options.dry_run {
            super::review::push(config, store, recipient, &state, now)?;
        }
    }

    let mut digest_ok = true;
    for notification in std::mem::take(&mut plan.deliver) {
        let prepared = brief
            .as_ref()
            .filter(|_| notification.kind == NotificationKind::Brief);
        let (delivery, queued) = deliver(store, notifier, recipient, &notification, prepared, now)?;
        if let (Some(b), Some(id)) = (prepared, queued) {
            // Journaled once, with its delivery's outcome (`channels::telegram::outcome`).
            store
                .record_brief(recipient, b.day, Some(id), now)
                .context("recording today's brief")?;
        }
        if matches!(
            notification.kind,
            NotificationKind::Digest | NotificationKind::Brief
        ) && matches!(delivery, Delivery::Failed(_))
        {
            digest_ok = false;
        }
        if let Some(j) = journal.as_deref_mut() {
            let reason = match &delivery {
                Delivery::Failed(r) => Some(r.as_str()),
                _ => None,
            };
            for alert in &notification.alerts {
                let mut entry = Entry::new(alert, chat_id, delivery.outcome(), channel, now);
                if let Some(r) = reason {
                    entry = entry.with_reason(r);
                }
                j.write(&entry).context("writing the journal")?;
            }
        }
        report.delivered.push((notification, delivery));
    }
    if plan.release_held && digest_ok {
        store
            .clear_held(recipient)
            .context("clearing held alerts")?;
    }
    Ok(report)
}

/// Delivers one message; for a Telegram chat it is queued, and its outbox id returned.
fn deliver(
    store: &mut Store,
    notifier: Option<&dyn Notifier>,
    recipient: Recipient,
    notification: &Notification,
    brief: Option<&PreparedBrief>,
    now: DateTime<Utc>,
) -> anyhow::Result<(Delivery, Option<i64>)> {
    Ok(match recipient {
        Recipient::Chat(_) => {
            let text = match brief {
                Some(b) => b.text.clone(),
                None => crate::render::notification(notification),
            };
            let photo = brief.and_then(|b| b.photo.as_deref());
            let id = super::queue_telegram(store, recipient, notification, &text, photo, now)
                .context("queueing a Telegram message")?;
            (Delivery::Queued, Some(id))
        }
        Recipient::Desktop => match notifier.map(|n| n.notify(notification)) {
            Some(Ok(())) => {
                store
                    .record_sent(recipient, &notification.alerts, now)
                    .context("recording delivery")?;
                (Delivery::Sent, None)
            }
            Some(Err(e)) => (Delivery::Failed(e), None),
            None => (
                Delivery::Failed("no desktop notifier on this system".to_owned()),
                None,
            ),
        },
        Recipient::Journal => {
            store
                .record_sent(recipient, &notification.alerts, now)
                .context("recording delivery")?;
            (Delivery::Sent, None)
        }
    })
}
