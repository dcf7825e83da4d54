//! `operator demo [--dir]`: writes the demo world ([`crate::fixtures::demo`]) to a folder,
//! runs a check cycle on it, and prints the alerts and the /status, /readiness, /overdue,
//! /brief, /week and /review replies exactly as the bot renders them, with the charts written
//! as PNGs beside the data, and what a few plain-word messages would do. No network, no
//! secrets.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use chrono::Utc;

use super::check::check;
use super::report::print_report;
use crate::config;
use crate::fixtures::demo::{DemoFiles, Scale, demo_now, generate, seed_punt_history};
use crate::render;
use crate::store::Store;

/// `operator demo [--dir]`.
pub fn run(dir: Option<&Path>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let dir = match dir {
        Some(d) => {
            fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            d.to_owned()
        }
        None => tempfile::Builder::new()
            .prefix("operator-demo-")
            .tempdir()?
            .keep(),
    };
    let files = DemoFiles::new(&dir);
    for stale in [&files.state_db, &files.journal] {
        let _ = fs::remove_file(stale);
    }
    let now = demo_now(Utc::now());
    generate(&files, now, Scale::ONE)?;
    let config = config::load_file(&files.config).map_err(|e| anyhow::anyhow!(e.report()))?;
    seed_punt_history(&config, now)?;

    let report = check(&config, false, now, "demo")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Operator demo: data written to {}", dir.display())?;
    writeln!(
        out,
        "(a check as of 09:05 today, America/New_York; no network, no secrets)\n"
    )?;
    print_report(&mut out, &config, &report, false)?;

    let store = Store::open(&config.state.db_path)?;
    let view = crate::status::gather(
        &config,
        &store,
        Some(crate::pipeline::Recipient::Journal),
        now,
    )?;
    let local_now = now.with_timezone(&config.timezone);
    writeln!(out, "\n═══ /status ═══\n{}", render::status(&view).plain())?;
    match report.snapshots.oura.data() {
        Some(oura) => writeln!(
            out,
            "\n═══ /readiness ═══\n{}",
            render::readiness(oura, local_now.clone()).plain()
        )?,
        None => writeln!(out, "\n═══ /readiness ═══\nOura data unavailable")?,
    }
    writeln!(
        out,
        "\n═══ /overdue ═══\n{}",
        render::overdue(&report.snapshots.state, local_now.date_naive()).plain()
    )?;
    let holding: std::collections::BTreeSet<String> =
        report.alerts.iter().map(|a| a.dedup_key.clone()).collect();
    let sources = crate::cycle::brief::BriefSources {
        oura: report.snapshots.oura.data(),
        state: &report.snapshots.state,
        holding: &holding,
        held_back: &[],
    };
    let brief = crate::cycle::brief::compose(&config, sources, &[], now);
    writeln!(
        out,
        "\n═══ /brief (the morning brief) ═══\n{}",
        brief.text.plain()
    )?;
    let week = render::charts::week_chart(
        report.snapshots.oura.data(),
        report.snapshots.workos.data(),
        local_now.date_naive(),
        &config.timezone,
    );
    writeln!(out, "\n═══ /week ═══\n{}", render::week(&week).plain())?;
    let facts = crate::review::gather::facts(&config, &store, None, now, 7)?;
    let review = crate::review::review(7, &facts, &config);
    writeln!(
        out,
        "\n═══ /review (the demo has no Telegram chat, so nothing was delivered to review) ═══\n{}",
        crate::review::text::review(&review).plain()
    )?;
    writeln!(
        out,
        "\n═══ Plain words (how they are read, in your time zone) ═══"
    )?;
    for said in PLAIN_WORDS {
        writeln!(out, "\"{said}\" → {}", understood(&config, said, now))?;
    }
    let charts = dir.join("charts");
    let mut written = Vec::new();
    for (name, png) in [
        (
            "readiness.png",
            brief
                .photo
                .ok_or_else(|| anyhow::anyhow!("no Oura data to chart")),
        ),
        (
            "week.png",
            crate::chart::render_week(&week).map_err(anyhow::Error::from),
        ),
    ] {
        let path = charts.join(name);
        crate::files::write_private(&path, png?)?;
        written.push(path.display().to_string());
    }
    writeln!(
        out,
        "\nCharts (as /readiness, the brief and /week send them): {}",
        written.join(", ")
    )?;
    writeln!(
        out,
        "\nDone in {} ms. Try: operator --config {} check --dry-run",
        started.elapsed().as_millis(),
        files.config.display()
    )?;
    Ok(())
}

/// Messages the demo reads as the bot would, one of each kind.
const PLAIN_WORDS: [&str; 8] = [
    "snooze health till 3pm",
    "mute tasks till tomorrow",
    "quiet until 8",
    "do not disturb for 2 hours",
    "how did I sleep?",
    "what's overdue",
    "snooze 30",
    "order pizza",
];

/// What `said` would do in a chat with the config's quiet hours, at `now`, in one line.
fn understood(config: &config::Config, said: &str, now: chrono::DateTime<Utc>) -> String {
    use crate::bot::words::{self, Context, Intent, Scope};
    let q = config.quiet_hours;
    let ctx = Context {
        now,
        tz: &config.timezone,
        quiet: (q.enabled && q.start != q.end).then_some(words::QuietHours {
            start: q.start,
            end: q.end,
        }),
    };
    let local = |t: chrono::DateTime<Utc>| {
        t.with_timezone(&config.timezone)
            .format("%a %H:%M")
            .to_string()
    };
    match words::understand(said, &ctx) {
        Intent::Snooze { scope, until } => {
            let what = match scope {
                Scope::All => "everything but critical".to_owned(),
                Scope::Class(c) => format!("{} alerts", c.as_str()),
            };
            format!("snooze {what} until {} (with Undo)", local(until))
        }
        Intent::SnoozeOff => "clear every snooze (with Undo)".to_owned(),
        Intent::SnoozeList => "list the snoozes (/snooze)".to_owned(),
        Intent::QuietUntil(until) => format!("quiet until {} (with Undo)", local(until)),
        Intent::QuietHours { start, end } => {
            format!("quiet hours {start:02}:00–{end:02}:00 every day (with Undo)")
        }
        Intent::QuietOn => "quiet hours on (with Undo)".to_owned(),
        Intent::QuietOff => "quiet hours off (with Undo)".to_owned(),
        Intent::QuietShow => "show the quiet hours (/quiet)".to_owned(),
        Intent::Ask(q) => format!("the /{} reply", q.command()),
        Intent::Invalid {
            problem, example, ..
        } => format!("nothing changed: {problem}; try \"{example}\""),
        Intent::NotUnderstood { closest, example } => {
            format!("not understood: closest is /{closest}, as in \"{example}\"")
        }
    }
}
