//! `operator check` as a whole process, at one scale: the first cycle on a fresh state
//! database, then many steady cycles (alerts already delivered, so deduplicated), each timed
//! from spawn to exit, with the cycle time the binary reports itself; and its peak RSS.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{SecondsFormat, Utc};

use crate::procs;
use crate::stats::Samples;
use crate::support::{Setup, World};

/// One whole `check` run: wall time and the "in N ms" its report prints.
fn run_check(bin: &Path, config: &Path, now: &str, extra: &[&str]) -> anyhow::Result<(f64, f64)> {
    let mut args = vec!["check", "--now", now];
    args.extend_from_slice(extra);
    let started = Instant::now();
    let out = procs::operator(bin, config, &args)
        .output()
        .context("running operator check")?;
    let wall = started.elapsed().as_secs_f64() * 1000.0;
    if !out.status.success() {
        bail!(
            "operator check failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let cycle = text
        .lines()
        .next()
        .and_then(|l| l.rsplit_once(" in "))
        .and_then(|(_, ms)| ms.trim_end_matches(" ms").trim().parse::<f64>().ok())
        .context("the check report's first line has no `in N ms`")?;
    Ok((wall, cycle))
}

pub fn run(bin: &Path, dir: &Path, scale: u32, runs: usize) -> anyhow::Result<()> {
    let now = operator::fixtures::demo::demo_now(Utc::now());
    let world = World::create(dir, now, scale, &Setup::default())?;
    let config = world.config_path();
    let at = now.to_rfc3339_opts(SecondsFormat::Secs, true);

    let (first_wall, first_cycle) = run_check(bin, &config, &at, &[])?;
    let (mut wall, mut cycle) = (Samples::default(), Samples::default());
    for _ in 0..runs {
        let (w, c) = run_check(bin, &config, &at, &[])?;
        wall.push_ms(w);
        cycle.push_ms(c);
    }
    let mut dry = Samples::default();
    for _ in 0..runs.min(20) {
        dry.push_ms(run_check(bin, &config, &at, &["--dry-run"])?.0);
    }
    let mut peak = None;
    for _ in 0..5 {
        let cmd = procs::operator(bin, &config, &["check", "--now", &at]);
        peak = peak.max(procs::peak_rss_of(&cmd)?);
    }

    println!("== operator check at {scale}× ({})", dir.display());
    println!("first cycle (fresh state): process {first_wall:.2} ms, cycle {first_cycle:.2} ms");
    println!("steady cycle, whole process: {}", wall.summary());
    println!(
        "steady cycle, in-process (as reported): {}",
        cycle.summary()
    );
    println!("check --dry-run, whole process: {}", dry.summary());
    match peak {
        Some(kib) => println!("peak RSS of operator check: {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak RSS of operator check: n/a (no /usr/bin/time)"),
    }
    println!(
        "RESULT check scale={scale} process_ms={:.2} cycle_ms={:.2} dry_run_ms={:.2} first_process_ms={first_wall:.2} peak_rss_mib={}",
        wall.median(),
        cycle.median(),
        dry.median(),
        peak.map_or("n/a".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0)),
    );
    Ok(())
}
