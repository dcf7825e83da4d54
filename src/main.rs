//! The `operator` binary: parse arguments, call the library, map errors to exit codes
//! (0 success, 1 runtime failure, 2 invalid config or usage).

use std::process::ExitCode;

use clap::Parser;
use operator::cli::{self, Cli, Failure};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Config(e)) => {
            eprint!("{}", cli::format_config_error(&e));
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
