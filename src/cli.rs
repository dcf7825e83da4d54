//! The command line: clap definitions and one function per command. Every command returns a
//! [`Failure`] on error so `main` can map it to the contract's exit codes
//! (0 success, 1 runtime failure, 2 invalid config or usage).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use crate::app::App;
use crate::channels::desktop;
use crate::channels::journal::Journal;
use crate::channels::telegram::{self, DeliveryStats, RowOutcome, TelegramSender};
use crate::clock::Clock;
use crate::config::{self, Config, ConfigError};
use crate::cycle::{self, Delivery, Options, Selection};
use crate::pipeline::Outcome;
use crate::render;
use crate::status;
use crate::store::Store;

/// `println!`/`print!` to stdout that return an error instead of panicking when the reader
/// has gone away (`operator status | head`).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(anyhow::Error::from)?
    }};
}

macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*).map_err(anyhow::Error::from)?
    }};
}

#[derive(Debug, Parser)]
#[command(
    name = "operator",
    version,
    about = "Keeps one busy person out of trouble: health, tasks and patterns, pushed as well-judged alerts."
)]
pub struct Cli {
    /// Configuration file [default: $OPERATOR_CONFIG, else config/operator.yaml]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one full check cycle now, through the same pipeline and state as the daemon.
    Check {
        /// Decide and print, but neither deliver nor record anything.
        #[arg(long)]
        dry_run: bool,
        /// Print one JSON object per alert decision.
        #[arg(long)]
        json: bool,
        /// Run as if the clock said this time (RFC 3339, e.g. 2026-11-27T09:00:00-05:00).
        #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
        now: Option<DateTime<Utc>>,
    },
    /// Write realistic demo data, run a check cycle on it, and print what the user would see.
    Demo {
        /// Where to write the demo data [default: a new temporary directory, kept]
        #[arg(long, value_name = "PATH")]
        dir: Option<PathBuf>,
    },
    /// Validate or show the configuration.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// What /status says, read from the state database.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// The daemon: Telegram bot, outbox sender, scheduler and health endpoint, until SIGTERM/SIGINT.
    Run,
    /// The macOS LaunchAgent for this binary and config.
    Launchd {
        #[command(subcommand)]
        action: LaunchdAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum LaunchdAction {
    /// Print the rendered plist.
    Print,
    /// Write it to ~/Library/LaunchAgents and load it (launchctl bootstrap gui/<uid>).
    Install,
    /// Unload it (launchctl bootout) and remove it.
    Uninstall,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Check the configuration: exit 0 with a summary, or 2 with every problem found.
    Validate,
    /// Print the effective configuration (interpolated, defaults filled, secrets as ***).
    Show,
}

fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 time ({e}); example: 2026-11-27T09:00:00-05:00"))
}

/// Why a command failed, and so which exit code it gets.
#[derive(Debug)]
pub enum Failure {
    /// Exit 2.
    Config(ConfigError),
    /// Exit 1.
    Runtime(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Runtime(e)
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Failure {
        Failure::Config(e)
    }
}

/// Formats a configuration error: one line per problem, each naming its key path.
pub fn format_config_error(e: &ConfigError) -> String {
    let mut out = format!(
        "error: invalid configuration {} ({} problem(s)):\n",
        e.file.display(),
        e.problems.len()
    );
    for p in &e.problems {
        if p.path.is_empty() {
            out.push_str(&format!("  - {}\n", p.message));
        } else {
            out.push_str(&format!("  - {}: {}\n", p.path, p.message));
        }
    }
    out
}

pub fn load_config(flag: Option<&Path>) -> Result<Config, ConfigError> {
    config::load_file(&config::resolve_config_path(flag))
}

/// HTTP client internals stay at warn whatever `RUST_LOG` says: their debug lines carry
/// request URLs, and a Bot API URL contains the bot token.
const QUIET_HTTP: [&str; 6] = [
    "hyper=warn",
    "hyper_util=warn",
    "reqwest=warn",
    "h2=warn",
    "rustls=warn",
    "teloxide=warn",
];

/// The log filter: `RUST_LOG` when it parses (`debug`, `operator=debug,warn`: targets and
/// levels, as most programs take it), else `logging.level`; the HTTP crates held at warn.
/// A [`Targets`] filter rather than `EnvFilter`: the same directives without span and field
/// matching, and without the regex engine in the binary (see BENCHMARKS.md, idle memory).
///
/// [`Targets`]: tracing_subscriber::filter::Targets
fn log_filter(level: &str) -> tracing_subscriber::filter::Targets {
    use tracing_subscriber::filter::Targets;
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| v.parse::<Targets>().ok());
    let mut filter = from_env.unwrap_or_else(|| level.parse().unwrap_or_default());
    for directive in QUIET_HTTP {
        if let Some((target, level)) = directive.split_once('=')
            && let Ok(level) = level.parse::<tracing::Level>()
        {
            filter = filter.with_target(target, level);
        }
    }
    filter
}

/// Sets up logging to stderr from `logging.level`, overridden by `RUST_LOG`.
pub fn init_logging(level: &str) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_writer(std::io::stderr);
    let _ = tracing_subscriber::registry()
        .with(log_filter(level))
        .with(stderr_layer)
        .try_init();
}

/// The daemon's log file: beside the journal, size-rotated per `logging.rotation`, 0600.
pub fn daemon_log_path(config: &Config) -> PathBuf {
    let journal = &config.alerters.journal.log_path;
    journal.with_file_name("operator-daemon.log")
}

/// Logging for `operator run`: stderr (launchd's StandardErrorPath) and the rotated file.
pub fn init_daemon_logging(config: &Config) -> anyhow::Result<()> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let path = daemon_log_path(config);
    let file = crate::channels::rotating::RotatingFile::open(&path, config.logging.rotation)
        .with_context(|| format!("opening the log file {}", path.display()))?;
    let file_layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_target(false)
        .with_writer(std::sync::Mutex::new(file));
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_writer(std::io::stderr);
    let _ = tracing_subscriber::registry()
        .with(log_filter(&config.logging.level))
        .with(stderr_layer)
        .with(file_layer)
        .try_init();
    Ok(())
}

pub fn run(cli: Cli) -> Result<(), Failure> {
    let flag = cli.config.as_deref();
    match cli.command {
        Command::Config {
            action: ConfigAction::Validate,
        } => {
            let config = load_config(flag)?;
            outln!("{}", config_summary(&config));
            Ok(())
        }
        Command::Config {
            action: ConfigAction::Show,
        } => {
            let config = load_config(flag)?;
            out!("{}", config::render_effective(&config));
            Ok(())
        }
        Command::Check { dry_run, json, now } => {
            let config = load_config(flag)?;
            init_logging(&config.logging.level);
            let at = now.unwrap_or_else(Utc::now);
            let (report, store, journal) = check_cycle(&config, dry_run, at, "check")?;
            {
                let mut out = std::io::stdout().lock();
                if json {
                    print_report_json(&mut out, &report)?;
                } else {
                    print_report(&mut out, &config, &report, dry_run)?;
                }
            }
            if !dry_run {
                // The cycle ran: whatever happens to delivery, undelivered rows stay queued
                // for the daemon and the exit code stays 0.
                let shift = now.map(|t| t - Utc::now()).unwrap_or_default();
                match deliver_telegram(&config, store, journal, shift) {
                    Ok(Some(stats)) if json => {
                        print_delivery(&mut std::io::stderr().lock(), &config, &stats)?
                    }
                    Ok(Some(stats)) => {
                        print_delivery(&mut std::io::stdout().lock(), &config, &stats)?
                    }
                    Ok(None) => {}
                    Err(e) => eprintln!("Telegram delivery skipped: {e:#}"),
                }
            }
            Ok(())
        }
        Command::Status { json } => {
            let config = load_config(flag)?;
            init_logging(&config.logging.level);
            status_command(&config, json)
        }
        Command::Run => {
            // Signals first: from here on a SIGTERM is a clean stop, even during start-up.
            let runtime = crate::daemon::runtime().map_err(Failure::Runtime)?;
            let signals = {
                let _context = runtime.enter();
                crate::daemon::Signals::install().map_err(Failure::Runtime)?
            };
            let config = load_config(flag)?;
            init_daemon_logging(&config)?;
            crate::daemon::run(&runtime, signals, config).map_err(Failure::Runtime)
        }
        Command::Launchd { action } => {
            let config = load_config(flag)?;
            init_logging(&config.logging.level);
            launchd_command(&config, action).map_err(Failure::Runtime)
        }
        Command::Demo { dir } => {
            init_logging("warn");
            crate::demo::run(dir.as_deref()).map_err(Failure::Runtime)
        }
    }
}

fn config_summary(c: &Config) -> String {
    let tg = &c.alerters.telegram;
    let telegram = if tg.enabled {
        format!("telegram to {} chat(s)", tg.chat_ids.len())
    } else {
        "telegram off".into()
    };
    format!(
        "{}: valid (timezone {}, quiet hours {}, checks every {}/{}/{} s, {telegram}, state {})",
        c.source_path.display(),
        c.timezone.name(),
        render::quiet_hours_text(&c.quiet_hours),
        c.intervals.health.num_seconds(),
        c.intervals.tasks.num_seconds(),
        c.intervals.patterns.num_seconds(),
        c.state.db_path.display()
    )
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
    let notifier = desktop::notifier_for(config);
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

/// The wall clock moved by `--now`'s offset, so rows queued "at" that time are judged by it.
struct ShiftedClock(chrono::Duration);

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

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
    let notifier = desktop::notifier_for(config);
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

/// One line per outbox row handled: delivered, will retry, failed or expired.
fn print_delivery(
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

/// `check --json`: one JSON object per alert decision per recipient (INTERFACE.md section 4).
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

fn status_command(config: &Config, json: bool) -> Result<(), Failure> {
    let now = Utc::now();
    let Some(store) = Store::open_existing(&config.state.db_path).map_err(anyhow::Error::from)?
    else {
        if json {
            outln!(
                "{}",
                serde_json::json!({"state_db": config.state.db_path, "run_count": 0, "last_run": null})
            );
        } else {
            outln!(
                "No state yet at {}: run `operator check` (or start the daemon) first.",
                config.state.db_path.display()
            );
        }
        return Ok(());
    };
    let view = status::gather(config, &store, None, now).map_err(anyhow::Error::from)?;
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&render::status_json(&view))
                .map_err(anyhow::Error::from)?
        );
    } else {
        outln!("{}", render::status(&view).plain());
    }
    Ok(())
}

fn launchd_command(config: &Config, action: LaunchdAction) -> anyhow::Result<()> {
    match action {
        LaunchdAction::Print => {
            out!(
                "{}",
                crate::launchd::render(&crate::launchd::PlistValues::for_config(config)?)
            );
        }
        LaunchdAction::Install => {
            let path = crate::launchd::install(config)?;
            outln!(
                "Installed and loaded {} ({}).",
                crate::launchd::LABEL,
                path.display()
            );
            outln!(
                "Logs: {} and {}",
                daemon_log_path(config).display(),
                config.alerters.journal.log_path.display()
            );
            outln!("Stop it with: operator launchd uninstall");
        }
        LaunchdAction::Uninstall => {
            let path = crate::launchd::uninstall()?;
            outln!(
                "Unloaded {} and removed {}.",
                crate::launchd::LABEL,
                path.display()
            );
        }
    }
    Ok(())
}
