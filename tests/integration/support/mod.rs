//! Shared test support: run the real `operator` binary, and build demo data sets in temp dirs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, TimeZone, Utc};
use operator::demo::{self, DemoFiles, Scale};

pub mod fake_telegram;

/// The `operator` binary cargo built for these tests.
pub fn operator_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_operator"))
}

/// Runs `operator` with `args`, an empty environment except PATH and the given variables,
/// in `cwd`.
pub fn run_operator(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(operator_bin());
    cmd.args(args).current_dir(cwd).env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("running the operator binary")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fixed instant: 09:05 America/New_York on Friday 2026-11-27.
pub fn morning() -> DateTime<Utc> {
    chrono_tz::America::New_York
        .with_ymd_and_hms(2026, 11, 27, 9, 5, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// A demo data set (Oura cache, WorkOS cache, State files, config) for a cycle at `now`.
pub struct DemoWorld {
    pub dir: tempfile::TempDir,
    pub files: DemoFiles,
}

impl DemoWorld {
    pub fn new(now: DateTime<Utc>) -> DemoWorld {
        let dir = tempfile::tempdir().unwrap();
        let files = DemoFiles::new(dir.path());
        demo::generate(&files, now, Scale::ONE).unwrap();
        DemoWorld { dir, files }
    }

    pub fn config_arg(&self) -> String {
        self.files.config.display().to_string()
    }

    pub fn journal_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.files.journal)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("journal line is JSON"))
            .collect()
    }
}
