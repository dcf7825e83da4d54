//! Logging: tracing to stderr for every command, and for the daemon also to a size-rotated
//! `operator-daemon.log` beside the journal (0600). Verbosity follows `logging.level`,
//! overridden by `RUST_LOG`; HTTP client internals stay at warn whatever it says (their debug
//! lines carry request URLs, and a Bot API URL contains the bot token).

use std::path::PathBuf;

use anyhow::Context;

use crate::config::Config;

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
