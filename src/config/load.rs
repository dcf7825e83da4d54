//! Loading: YAML text → raw value tree → `${VAR}` expansion → typed, validated [`Config`].
//!
//! This file owns the entry points and `.env` handling; `value.rs` parses, `interp.rs`
//! expands, `reader.rs` and the `build*.rs` files walk the tree. Every problem is collected
//! with its key path before giving up. `.env` files are read into a lookup table, never into
//! the process environment, and real environment variables win over them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::build;
use super::interp::expand_tree;
use super::reader::Ctx;
use super::value::parse;
use super::{Config, Redactor, Secret};

/// One problem in a configuration file, named by its key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key path, e.g. `monitors.health.thresholds.readiness_critical` (empty for
    /// whole-file problems such as a YAML syntax error).
    pub path: String,
    pub message: String,
}

/// Why a configuration could not be used: every problem found, not just the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration {file}: {} problem(s)", problems.len())]
pub struct ConfigError {
    pub file: PathBuf,
    pub problems: Vec<Problem>,
}

impl ConfigError {
    /// Every problem on a line of its own, each naming its key path (what `config validate`
    /// and every command print before exiting 2).
    pub fn report(&self) -> String {
        let mut out = format!(
            "error: invalid configuration {} ({} problem(s)):\n",
            self.file.display(),
            self.problems.len()
        );
        for p in &self.problems {
            if p.path.is_empty() {
                out.push_str(&format!("  - {}\n", p.message));
            } else {
                out.push_str(&format!("  - {}: {}\n", p.path, p.message));
            }
        }
        out
    }
}

/// The config path from `--config`, else `$OPERATOR_CONFIG`, else `config/operator.yaml`.
pub fn resolve_config_path(flag: Option<&Path>) -> PathBuf {
    resolve_with(flag, std::env::var_os("OPERATOR_CONFIG").map(PathBuf::from))
}

fn resolve_with(flag: Option<&Path>, from_env: Option<PathBuf>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .or(from_env.filter(|p| !p.as_os_str().is_empty()))
        .unwrap_or_else(|| PathBuf::from("config/operator.yaml"))
}

/// Reads, interpolates (after loading `.env` beside the file and under `$THANOS_ROOT`) and
/// validates a configuration file.
pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let text = std::fs::read_to_string(&path).map_err(|err| ConfigError {
        file: path.clone(),
        problems: vec![Problem {
            path: String::new(),
            message: format!("cannot read the file: {err}"),
        }],
    })?;
    let real_env = |name: &str| std::env::var(name).ok();
    let (dotenv, mut problems) = dotenv_files(&path, &real_env);
    let env = |name: &str| real_env(name).or_else(|| dotenv.get(name).cloned());
    match load_str(&text, &path, &env) {
        Ok(config) if problems.is_empty() => Ok(config),
        Ok(_) => Err(ConfigError {
            file: path,
            problems,
        }),
        Err(mut err) => {
            problems.append(&mut err.problems);
            err.problems = problems;
            Err(err)
        }
    }
}

/// Variables from `.env` beside the config file, then from `$THANOS_ROOT/.env` (the first
/// file wins over the second; `THANOS_ROOT` itself may come from the first).
fn dotenv_files(
    config_path: &Path,
    real_env: &dyn Fn(&str) -> Option<String>,
) -> (HashMap<String, String>, Vec<Problem>) {
    let mut vars = HashMap::new();
    let mut problems = Vec::new();
    if let Some(dir) = config_path.parent() {
        read_dotenv(&dir.join(".env"), &mut vars, &mut problems);
    }
    let root = real_env("THANOS_ROOT").or_else(|| vars.get("THANOS_ROOT").cloned());
    if let Some(root) = root.filter(|r| !r.is_empty()) {
        read_dotenv(&Path::new(&root).join(".env"), &mut vars, &mut problems);
    }
    (vars, problems)
}

/// Adds the variables of one `.env` file that are not yet known. A missing file is fine; an
/// unreadable one is a problem whose message never quotes the file's lines (they hold secrets).
fn read_dotenv(file: &Path, vars: &mut HashMap<String, String>, problems: &mut Vec<Problem>) {
    let iter = match dotenvy::from_path_iter(file) {
        Ok(iter) => iter,
        Err(err) if err.not_found() => return,
        Err(_) => {
            problems.push(Problem {
                path: String::new(),
                message: format!("cannot read {}", file.display()),
            });
            return;
        }
    };
    for item in iter {
        match item {
            Ok((name, value)) => {
                vars.entry(name).or_insert(value);
            }
            Err(err) => {
                let at = match err {
                    dotenvy::Error::LineParse(_, index) => format!(" near character {index}"),
                    _ => String::new(),
                };
                let message = format!(
                    "{} is not a valid .env file{at} (its text is not shown: it may hold secrets)",
                    file.display()
                );
                problems.push(Problem {
                    path: String::new(),
                    message,
                });
                return;
            }
        }
    }
}

/// Validates YAML text; `env` answers `${VAR}` lookups (tests pass a map).
pub fn load_str(
    text: &str,
    source_path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let fail = |problems| ConfigError {
        file: source_path.to_path_buf(),
        problems,
    };
    let mut tree = parse(text).map_err(|message| {
        fail(vec![Problem {
            path: String::new(),
            message,
        }])
    })?;
    let mut problems = Vec::new();
    expand_tree(&mut tree, "", env, &mut problems);
    let base_dir = source_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut ctx = Ctx {
        problems,
        env,
        base_dir,
    };
    let config = build::config(&mut ctx, &tree, source_path);
    if ctx.problems.is_empty() {
        return Ok(config);
    }
    let mut problems = ctx.problems;
    redact_secrets(&mut problems, &config, env);
    Err(fail(problems))
}

/// Env vars that hold secrets even when the config does not name them.
const SECRET_VARS: [&str; 4] = [
    "TELEGRAM_BOT_TOKEN",
    "WORKOS_DATABASE_URL",
    "OURA_PERSONAL_ACCESS_TOKEN",
    "OURA_ACCESS_TOKEN",
];

/// Defence in depth: a secret pasted under the wrong key (a token in `chat_id`) would be
/// echoed by that key's message, so every known secret value is masked in every message.
fn redact_secrets(problems: &mut [Problem], config: &Config, env: &dyn Fn(&str) -> Option<String>) {
    let from_env: Vec<Secret> = SECRET_VARS
        .iter()
        .filter_map(|name| env(name))
        .filter(|value| value.trim().len() >= 4)
        .map(Secret::new)
        .collect();
    let redactor = Redactor::new(config.secrets().chain(&from_env));
    for problem in problems {
        problem.message = redactor.redact(&problem.message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_path_precedence() {
        let flag = Path::new("/a/flag.yaml");
        let envp = PathBuf::from("/b/env.yaml");
        assert_eq!(
            resolve_with(Some(flag), Some(envp.clone())),
            PathBuf::from("/a/flag.yaml")
        );
        assert_eq!(resolve_with(None, Some(envp)), PathBuf::from("/b/env.yaml"));
        assert_eq!(
            resolve_with(None, Some(PathBuf::new())),
            PathBuf::from("config/operator.yaml")
        );
        assert_eq!(
            resolve_with(None, None),
            PathBuf::from("config/operator.yaml")
        );
    }

    #[test]
    fn dotenv_beside_config_and_under_thanos_root_with_real_env_winning() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("thanos");
        std::fs::create_dir_all(&root).unwrap();
        let cfg = dir.path().join("operator.yaml");
        std::fs::write(
            dir.path().join(".env"),
            format!("THANOS_ROOT={}\nA=beside\n", root.display()),
        )
        .unwrap();
        std::fs::write(root.join(".env"), "A=root\nB=root\n").unwrap();
        let (vars, problems) = dotenv_files(&cfg, &|_| None);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(vars.get("A").map(String::as_str), Some("beside"));
        assert_eq!(vars.get("B").map(String::as_str), Some("root"));
    }

    #[test]
    fn bad_dotenv_is_a_problem_that_does_not_quote_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "GOOD=1\nBAD LINE sekrit=\"x\n").unwrap();
        let (_, problems) = dotenv_files(&dir.path().join("operator.yaml"), &|_| None);
        assert_eq!(problems.len(), 1);
        assert!(
            !problems[0].message.contains("sekrit"),
            "{}",
            problems[0].message
        );
    }
}
