//! `operator check`: one cycle with the real store, journal and desktop notifier (all
//! untouched in a dry run), then the Telegram outbox delivered until nothing is due.

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::report;
use crate::app::App;
use crate::channels::desktop;
use crate::channels::heartbeat::Heartbeat;
use crate::channels::journal::Journal;
use crate::channels::telegram::{self, DeliveryStats, TelegramSender};
use crate::clock::ShiftedClock;
use crate::config::Config;
use crate::cycle::{self, Options, Selection};
use crate::store::Store;

/// `operator check`: the cycle, its report (human or `--json`), the heartbeat ping (unless a
/// dry run), then Telegram delivery. Once the cycle ran, delivery problems leave undelivered
/// rows queued for the daemon and the exit code at 0.
pub fn command(
    config: &Config,
    dry_run: bool,
    json: bool,
    now: Option<DateTime<Utc>>,
) -> anyhow::Result<()> {
    let at = now.unwrap_or_else(Utc::now);
    let heartbeat = (!dry_run).then(|| Heartbeat::from_config(config)).flatten();
    let (report, store, journal) = match check_cycle(config, dry_run, at, "check") {
        Ok(done) => done,
        Err(e) => {
            if let Some(h) = &heartbeat {
                h.ping_blocking(false, Utc::now());
            }
            return Err(e);
        }
    };
    if let Some(h) = &heartbeat {
        h.ping_blocking(true, Utc::now());
    }
    {
        let mut out = std::io::stdout().lock();
        if json {
            report::print_report_json(&mut out, &report)?;
        } else {
            report::print_report(&mut out, config, &report, dry_run)?;
        }
    }
    if dry_run {
        return Ok(());
    }
    let shift = now.map(|t| t - Utc::now()).unwrap_or_default();
    match deliver_telegram(config, store, journal, shift) {
        Ok(Some(stats)) if json => {
            report::print_delivery(&mut std::io::stderr().lock(), config, &stats)?;
        }
        Ok(Some(stats)) => report::print_delivery(&mut std::io::stdout().lock(), config, &stats)?,
        Ok(None) => {}
        Err(e) => eprintln!("Telegram delivery skipped: {e:#}"),
    }
    Ok(())
}

/// `operator check` ends before anyone could press a desktop notification's button: the
/// presses go nowhere (the daemon applies them).
fn ignore_presses() -> desktop::PressHandler {
    std::sync::Arc::new(|_| {})
}

/// One cycle with the real store, journal and desktop notifier (all untouched in a dry run).
pub fn check(
    config: &Config,
    dry_run: bool,
    now: DateTime<Utc>,
    trigger: &'static str,
) -> anyhow::Result<cycle::Report> {
    check_cycle(config, dry_run, now, trigger).map(|(report, _, _)| report)
}

/// [`check`], handing back the store and journal for the Telegram delivery that follows.
fn check_cycle(
    config: &Config,
    dry_run: bool,
    now: DateTime<Utc>,
    trigger: &'static str,
) -> anyhow::Result<(cycle::Report, Store, Option<Journal>)> {
    let mut store = if dry_run {
        match Store::open_existing(&config.state.db_path)? {
            Some(store) => store,
            None => Store::open_in_memory()?,
        }
    } else {
        Store::open(&config.state.db_path)?
    };
    let mut journal = if dry_run {
        None
    } else {
        Journal::open_configured(config)?
    };
    let notifier = desktop::notifier_for(config, ignore_presses());
    let options = Options {
        now,
        dry_run,
        trigger,
        monitors: Selection::ALL,
    };
    let report = cycle::run(
        config,
        &mut store,
        journal.as_mut(),
        notifier.as_deref(),
        &options,
    )?;
    Ok((report, store, journal))
}

/// How long `check` keeps delivering the Telegram outbox after its cycle.
const CHECK_DELIVERY_MAX: std::time::Duration = std::time::Duration::from_secs(20);

/// After a real cycle: delivers the Telegram outbox until nothing is due now (or
/// [`CHECK_DELIVERY_MAX`] passes). `None` when Telegram is not configured.
fn deliver_telegram(
    config: &Config,
    store: Store,
    journal: Option<Journal>,
    shift: chrono::Duration,
) -> anyhow::Result<Option<DeliveryStats>> {
    let tg = &config.alerters.telegram;
    if !tg.enabled || tg.chat_ids.is_empty() {
        return Ok(None);
    }
    let Some(bot) = telegram::bot_for(config)? else {
        return Ok(None);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let notifier = desktop::notifier_for(config, ignore_presses());
    let app = App::new(
        config.clone(),
        store,
        journal,
        Arc::new(ShiftedClock(shift)),
        notifier,
    );
    let sender = TelegramSender::new(app, bot);
    Ok(Some(runtime.block_on(sender.drain(CHECK_DELIVERY_MAX))))
}
