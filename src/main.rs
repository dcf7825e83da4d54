//! The `operator` binary: parse arguments, call the library, map errors to exit codes
//! (0 success, 1 runtime failure, 2 invalid config or usage).

use std::process::ExitCode;

use clap::Parser;
use operator::cli::{self, Cli, CommandError};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CommandError::Config(e)) => {
            eprint!("{}", e.report());
            ExitCode::from(2)
        }
        // The reader went away (`operator check | head`): nothing left to say.
        Err(CommandError::Runtime(e)) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(CommandError::Runtime(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
        Err(CommandError::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(CommandError::Exit(code)) => ExitCode::from(code),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
