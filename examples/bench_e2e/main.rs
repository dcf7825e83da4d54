//! The end-to-end benchmark driver behind `scripts/bench.sh`: it measures the release
//! `operator` binary as a user runs it, on the demo's data at 1×, 10× and 100×.
//!
//! - `check`: `operator check` as a whole process (first and steady cycles, `--dry-run`,
//!   peak RSS).
//! - `daemon`: `operator run` against the fake Telegram Bot API of the integration tests
//!   (compiled in here through `#[path]`, with Telegram's flood limits enforced): start-up to
//!   the first `getUpdates`, command latency, pushed-alert throughput over many chats with
//!   every 429 counted, and an idle daemon's RSS and CPU.
//!
//! Every figure is printed as text and as one `RESULT …` line for the script's summary.
//! Loopback only; every wait is bounded.

mod checks;
mod daemon;
mod procs;
mod stats;

#[path = "../../benches/support/mod.rs"]
mod support;

/// The integration tests' fake Bot API, shared as source (it lives in the test crate).
#[path = "../../tests/integration/support"]
#[allow(dead_code, unused_imports)]
mod test_support {
    pub mod fake_telegram;
}
use test_support::fake_telegram as fake;

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(about = "End-to-end benchmarks of the operator binary (see BENCHMARKS.md)")]
struct Args {
    /// The release binary to measure.
    #[arg(long, default_value = "target/release/operator")]
    bin: PathBuf,
    /// Where data sets, state and logs go (one sub-directory per scenario).
    #[arg(long)]
    dir: PathBuf,
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, Subcommand)]
enum What {
    /// `operator check` at one scale.
    Check {
        #[arg(long, default_value_t = 1)]
        scale: u32,
        /// Steady cycles to time.
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// `operator run` against the fake Bot API, at each of `scales`.
    Daemon {
        #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
        scales: Vec<u32>,
        /// Shorter waits: idle RSS after 20 s (not 5 min), CPU over 10 s (not 60 s).
        #[arg(long)]
        quick: bool,
        /// Chats the throughput run pushes to.
        #[arg(long, default_value_t = 60)]
        chats: usize,
    },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let bin = std::fs::canonicalize(&args.bin).map_err(|e| {
        anyhow::anyhow!(
            "{}: {e} (build it with cargo build --release)",
            args.bin.display()
        )
    })?;
    std::fs::create_dir_all(&args.dir)?;
    match args.what {
        What::Check { scale, runs } => {
            let dir = daemon::scenario_dir(&args.dir, &format!("check-{scale}x"))?;
            checks::run(&bin, &dir, scale, runs)
        }
        What::Daemon {
            scales,
            quick,
            chats,
        } => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            runtime.block_on(daemons(&bin, &args.dir, &scales, quick, chats))
        }
    }
}

async fn daemons(
    bin: &std::path::Path,
    root: &std::path::Path,
    scales: &[u32],
    quick: bool,
    chats: usize,
) -> anyhow::Result<()> {
    let (settle, window, rounds) = if quick {
        (Duration::from_secs(20), Duration::from_secs(10), 5)
    } else {
        (Duration::from_secs(300), Duration::from_secs(60), 20)
    };
    let mut running = Vec::new();
    for &scale in scales {
        let dir = daemon::scenario_dir(root, &format!("startup-{scale}x"))?;
        let start = daemon::startup(bin, &dir, scale, 5).await?;
        println!("== operator run at {scale}×");
        println!("start-up to the first getUpdates: {}", start.summary());

        let dir = daemon::scenario_dir(root, &format!("throughput-{scale}x"))?;
        let t = daemon::throughput(bin, &dir, scale, chats).await?;
        println!(
            "pushed alerts: {} messages to {} chats in {:.1} s = {:.1} msg/s (busiest second {}), 429s: {}",
            t.messages, t.chats, t.seconds, t.per_second, t.busiest_second, t.refused_429
        );

        let dir = daemon::scenario_dir(root, &format!("daemon-{scale}x"))?;
        let (d, replies) = daemon::commands(bin, &dir, scale, rounds).await?;
        let mut all = stats::Samples::default();
        for (command, samples) in &replies {
            println!("  {command:<11} update → reply: {}", samples.summary());
            println!(
                "RESULT command scale={scale} command={command} median_ms={:.2} p90_ms={:.2} max_ms={:.2}",
                samples.median(),
                samples.percentile(90.0),
                samples.max()
            );
            all.push_ms(samples.median());
        }
        println!(
            "RESULT daemon scale={scale} startup_ms={:.1} msgs={} chats={} msg_per_s={:.1} busiest_s={} refused_429={}",
            start.median(),
            t.messages,
            t.chats,
            t.per_second,
            t.busiest_second,
            t.refused_429
        );
        running.push(d);
    }
    println!(
        "== idle daemons: RSS once up {} s, CPU over {} s",
        settle.as_secs(),
        window.as_secs()
    );
    let idle = daemon::idle(&mut running, settle, window).await?;
    for (scale, i) in scales.iter().zip(idle) {
        let share = i.cpu_ms / (i.window_s * 1000.0) * 100.0;
        println!(
            "{scale}×: RSS {:.1} MiB (peak {}{}), CPU {:.0} ms in {:.0} s = {share:.3} % of a core",
            i.rss_mib,
            i.peak_mib
                .map_or("n/a".to_owned(), |p| format!("{p:.1} MiB")),
            i.split.map_or(String::new(), |(a, f)| format!(
                "; {a:.1} MiB private + {f:.1} MiB file-backed, mostly code"
            )),
            i.cpu_ms,
            i.window_s
        );
        println!(
            "RESULT idle scale={scale} settle_s={} rss_mib={:.1} peak_mib={} cpu_ms={:.0} window_s={:.0} cpu_pct={share:.3}",
            settle.as_secs(),
            i.rss_mib,
            i.peak_mib.map_or("n/a".to_owned(), |p| format!("{p:.1}")),
            i.cpu_ms,
            i.window_s
        );
    }
    Ok(())
}
