//! `operator demo [--dir]`: writes the demo world ([`crate::fixtures::demo`]) to a folder,
//! runs a check cycle on it, and prints the alerts and the /status, /readiness, /overdue,
//! /brief and /week replies exactly as the bot renders them, with the charts written as PNGs
//! beside the data. No network, no secrets.

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
        crate::setup::files::write_private(&path, png?)?;
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
