//! The command line: clap definitions and one function per command. Every command returns a
//! [`CommandError`] on error so `main` can map it to the contract's exit codes
//! (0 success, 1 runtime failure, 2 invalid config or usage). The longer commands have files
//! of their own: [`check`] (with [`report`], its printing) and [`demo`].

pub mod check;
mod demo;
pub mod report;

pub use check::check;
pub use report::{print_report, print_report_json};

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use crate::config::{self, Config, ConfigError};
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
    /// Guided first run: bot token, your chat, .env and config written, a test alert sent.
    Setup {
        /// Read the bot token from this file [default: stdin when it is not a terminal, else a hidden prompt]
        #[arg(long, value_name = "PATH")]
        token_file: Option<PathBuf>,
        /// Send alerts to this chat instead of waiting for a /start.
        #[arg(long, value_name = "ID", allow_negative_numbers = true)]
        chat_id: Option<i64>,
        /// The Bot API base URL (a local Bot API server, or a test server) [default: https://api.telegram.org]
        #[arg(long, value_name = "URL")]
        api_url: Option<String>,
        /// Where operator.yaml and .env go [default: the folder of --config, else config/]
        #[arg(long, value_name = "PATH")]
        dir: Option<PathBuf>,
        /// Take the first chat that sends /start without asking.
        #[arg(long)]
        yes: bool,
        /// Replace an existing config with a fresh template (and ask for a token again).
        #[arg(long)]
        force: bool,
        /// Seconds to wait for a /start.
        #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        timeout: u64,
    },
    /// How useful the alerts were, per rule, with suggestions for the thresholds (read-only).
    Review {
        /// Days to look back (feedback is kept 60 days).
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=60))]
        days: u32,
        /// Print {"days", "rules", "false_positive_rate", "actionable_rate", "suggestions"}.
        #[arg(long)]
        json: bool,
    },
    /// Check everything Operator needs, read-only: one line per check, with the fix.
    Doctor {
        /// Print {"checks": [{"name", "status", "detail", "fix"}]}.
        #[arg(long)]
        json: bool,
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
pub enum CommandError {
    /// Exit 2.
    Config(ConfigError),
    /// Exit 1.
    Runtime(anyhow::Error),
    /// Exit 2: the command's arguments cannot work (e.g. a `--token-file` that is missing).
    Usage(String),
    /// Exit with this code; everything was already said (`doctor` found a failing check).
    Exit(u8),
}

impl From<anyhow::Error> for CommandError {
    fn from(e: anyhow::Error) -> CommandError {
        CommandError::Runtime(e)
    }
}

impl From<ConfigError> for CommandError {
    fn from(e: ConfigError) -> CommandError {
        CommandError::Config(e)
    }
}

pub fn load_config(flag: Option<&Path>) -> Result<Config, ConfigError> {
    config::load_file(&config::resolve_config_path(flag))
}

pub fn run(cli: Cli) -> Result<(), CommandError> {
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
            crate::logging::init_logging(&config.logging.level);
            check::command(&config, dry_run, json, now).map_err(CommandError::Runtime)
        }
        Command::Status { json } => {
            let config = load_config(flag)?;
            crate::logging::init_logging(&config.logging.level);
            status_command(&config, json)
        }
        Command::Review { days, json } => {
            let config = load_config(flag)?;
            crate::logging::init_logging(&config.logging.level);
            review_command(&config, days, json)
        }
        Command::Run => {
            // Signals first: from here on a SIGTERM is a clean stop, even during start-up.
            let runtime = crate::daemon::runtime().map_err(CommandError::Runtime)?;
            let signals = {
                let _context = runtime.enter();
                crate::daemon::Signals::install().map_err(CommandError::Runtime)?
            };
            let config = load_config(flag)?;
            crate::logging::init_daemon_logging(&config)?;
            crate::daemon::run(&runtime, signals, config).map_err(CommandError::Runtime)
        }
        Command::Launchd { action } => {
            let config = load_config(flag)?;
            crate::logging::init_logging(&config.logging.level);
            launchd_command(&config, action).map_err(CommandError::Runtime)
        }
        Command::Setup {
            token_file,
            chat_id,
            api_url,
            dir,
            yes,
            force,
            timeout,
        } => {
            crate::logging::init_logging("warn");
            let dir = dir.unwrap_or_else(|| match flag {
                Some(config) => config
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
                None => PathBuf::from("config"),
            });
            let options = crate::setup::Options {
                token_file,
                chat_id,
                api_url,
                dir,
                yes,
                force,
                timeout: std::time::Duration::from_secs(timeout),
            };
            crate::setup::run(options).map_err(|e| match e {
                crate::setup::SetupError::Usage(m) => CommandError::Usage(m),
                crate::setup::SetupError::Failed(m) => CommandError::Runtime(anyhow::anyhow!(m)),
            })
        }
        Command::Doctor { json } => {
            crate::logging::init_logging("error");
            let path = config::resolve_config_path(flag);
            let report = crate::doctor::run(&path);
            {
                let mut out = std::io::stdout().lock();
                if json {
                    crate::doctor::print_json(&mut out, &report).map_err(anyhow::Error::from)?;
                } else {
                    crate::doctor::print(&mut out, &report).map_err(anyhow::Error::from)?;
                }
            }
            if report.failed() {
                Err(CommandError::Exit(1))
            } else {
                Ok(())
            }
        }
        Command::Demo { dir } => {
            crate::logging::init_logging("warn");
            demo::run(dir.as_deref()).map_err(CommandError::Runtime)
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

fn status_command(config: &Config, json: bool) -> Result<(), CommandError> {
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

fn review_command(config: &Config, days: u32, json: bool) -> Result<(), CommandError> {
    let now = Utc::now();
    let facts = match Store::open_existing(&config.state.db_path).map_err(anyhow::Error::from)? {
        Some(store) => crate::review::gather::facts(config, &store, None, now, days)?,
        None => crate::review::Facts::default(),
    };
    let review = crate::review::review(days, &facts, config);
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&review).map_err(anyhow::Error::from)?
        );
    } else {
        outln!("{}", crate::review::text::review(&review).plain());
        if !review.suggestions.is_empty() {
            outln!(
                "\nEach suggestion has an Apply button in Telegram (/review), which edits that one value of {} in place.",
                config.source_path.display()
            );
        }
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
                crate::logging::daemon_log_path(config).display(),
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
