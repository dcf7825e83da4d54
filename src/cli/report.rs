//! How a cycle and a delivery are printed: the human-readable report, `check --json` (one
//! object per alert decision, the journal's fields), and one line per outbox row handled.

use std::io::Write;

use crate::channels::telegram::{DeliveryStats, RowOutcome};
use crate::config::Config;
use crate::cycle::{self, Delivery};
use crate::pipeline::Outcome;
use crate::render;

/// One line per outbox row handled: delivered, will retry, failed or expired.
pub(super) fn print_delivery(
    out: &mut impl Write,
    config: &Config,
    stats: &DeliveryStats,
) -> anyhow::Result<()> {
    let results = stats.final_results();
    if results.is_empty() {
        return Ok(());
    }
    writeln!(out, "── Telegram delivery ──")?;
    for r in results {
        let chat = r
            .chat_id
            .map_or_else(|| "?".to_owned(), |id| id.to_string());
        let what = match &r.outcome {
            RowOutcome::Delivered {
                message_id,
                as_plain: false,
            } => format!("delivered (message {message_id})"),
            RowOutcome::Delivered {
                message_id,
                as_plain: true,
            } => format!("delivered as plain text (message {message_id})"),
            RowOutcome::WillRetry { at, error } => format!(
                "will retry at {} ({error}); it stays queued for the daemon",
                at.with_timezone(&config.timezone).format("%H:%M:%S")
            ),
            RowOutcome::Failed(reason) => format!("failed: {reason}"),
            RowOutcome::Expired => "expired undelivered".to_owned(),
        };
        writeln!(out, "chat {chat} · {}: {what}", r.title)?;
    }
    Ok(())
}

/// The human-readable report of a cycle.
pub fn print_report(
    out: &mut impl Write,
    config: &Config,
    report: &cycle::Report,
    dry_run: bool,
) -> anyhow::Result<()> {
    let local = report.started_at.with_timezone(&config.timezone);
    writeln!(
        out,
        "Check at {} ({}){}: {} alert(s) in {:.1} ms",
        local.format("%a %d %b %Y %H:%M"),
        config.timezone.name(),
        if dry_run {
            " [dry run: nothing delivered or recorded]"
        } else {
            ""
        },
        report.alerts.len(),
        report.elapsed.as_secs_f64() * 1000.0
    )?;
    let sources: Vec<String> = report
        .sources
        .iter()
        .map(|s| format!("{} {}", s.source, s.state.as_str()))
        .collect();
    writeln!(out, "Sources: {}", sources.join(" · "))?;
    for s in report.sources.iter().filter(|s| s.last_error.is_some()) {
        writeln!(
            out,
            "  {}: {}",
            s.source,
            s.last_error.as_deref().unwrap_or_default()
        )?;
    }
    let monitors: Vec<String> = report
        .monitors
        .iter()
        .map(|m| format!("{} {} ({})", m.monitor, m.status.as_str(), m.alerts))
        .collect();
    writeln!(out, "Monitors: {}", monitors.join(" · "))?;
    for m in report
        .monitors
        .iter()
        .filter(|m| m.status == crate::store::MonitorStatus::Skipped)
    {
        writeln!(out, "  {} skipped: {}", m.monitor, m.detail)?;
    }
    for r in &report.recipients {
        let who = match r.recipient {
            crate::pipeline::Recipient::Chat(id) => format!("Telegram chat {id}"),
            crate::pipeline::Recipient::Desktop => "desktop notifications".to_owned(),
            crate::pipeline::Recipient::Journal => {
                "journal (no other channel configured)".to_owned()
            }
        };
        writeln!(out, "\n── {who} ──")?;
        if r.delivered.is_empty() {
            writeln!(out, "(nothing to deliver)")?;
        }
        for (n, delivery) in &r.delivered {
            writeln!(out, "{}", render::notification(n).plain())?;
            match delivery {
                Delivery::Queued => writeln!(out, "  [queued for Telegram]")?,
                Delivery::Failed(e) => writeln!(out, "  [delivery failed: {e}]")?,
                _ => {}
            }
            writeln!(out)?;
        }
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for (_, outcome) in &r.decisions {
            let name = if *outcome == Outcome::Send {
                "to deliver"
            } else {
                outcome.as_str()
            };
            match counts.iter_mut().find(|(n, _)| *n == name) {
                Some((_, c)) => *c += 1,
                None => counts.push((name, 1)),
            }
        }
        let summary: Vec<String> = counts.iter().map(|(n, c)| format!("{c} {n}")).collect();
        if !summary.is_empty() {
            writeln!(out, "Decisions: {}", summary.join(", "))?;
        }
    }
    Ok(())
}

/// `check --json`: one JSON object per alert decision per recipient (the journal's fields).
pub fn print_report_json(out: &mut impl Write, report: &cycle::Report) -> anyhow::Result<()> {
    for r in &report.recipients {
        for (alert, outcome) in &r.decisions {
            let outcome = if *outcome == Outcome::Send {
                r.delivered
                    .iter()
                    .find(|(n, _)| n.alerts.iter().any(|a| a.dedup_key == alert.dedup_key))
                    .map(|(_, d)| d.outcome())
                    .unwrap_or("sent")
            } else {
                outcome.as_str()
            };
            let mut value = serde_json::to_value(alert)?;
            value["chat_id"] = serde_json::json!(r.recipient.chat_id());
            value["outcome"] = serde_json::json!(outcome);
            value["channel"] = serde_json::json!(r.recipient.channel());
            writeln!(out, "{}", serde_json::to_string(&value)?)?;
        }
    }
    Ok(())
}
