//! The configuration loader as users meet it: the design's sample and the shipped
//! `config/operator.yaml` load, every mistake is reported at its key path, secrets never leak,
//! and `config show` output loads back to the same configuration.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::Duration;
use operator::alert::Priority;
use operator::config::{Config, ConfigError, TaskCheck, load_file, load_str, render_effective};

const TOKEN: &str = "123456:SECRET-bot-token";
const DB_URL: &str = "postgres://me:hunter2pw@db.example/workos";
const OURA: &str = "OURA-secret-pat";

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> String {
    let path = manifest().join("tests/fixtures/config").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn design_env() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        ("TELEGRAM_BOT_TOKEN", TOKEN),
        ("TELEGRAM_CHAT_ID", "12345"),
        ("WORKOS_DATABASE_URL", DB_URL),
        ("THANOS_ROOT", "/thanos"),
        ("HOME", "/home/me"),
    ])
}

fn load_with(text: &str, env: &HashMap<&str, &str>) -> Result<Config, ConfigError> {
    let lookup = |name: &str| env.get(name).map(|v| (*v).to_owned());
    load_str(text, Path::new("/etc/operator/operator.yaml"), &lookup)
}

fn design() -> Config {
    load_with(&fixture("design_sample.yaml"), &design_env())
        .unwrap_or_else(|e| panic!("{e}: {:#?}", e.problems))
}

/// A config that is valid with `design_env()` and no other keys: telegram off.
const MINIMAL: &str = "alerters:\n  telegram:\n    enabled: false\n";

#[test]
fn design_sample_loads_unchanged_with_its_env_vars() {
    let c = design();
    assert_eq!(c.version, "1.0");
    assert_eq!(c.timezone.name(), "America/Chicago");
    assert_eq!(c.intervals.health, Duration::seconds(900));
    assert_eq!(c.intervals.patterns, Duration::seconds(1800));
    assert!(c.quiet_hours.enabled);
    assert_eq!((c.quiet_hours.start, c.quiet_hours.end), (22, 7));
    assert_eq!(c.dedup.windows.system, Duration::seconds(3600));
    assert_eq!(c.dedup.max_alerts_per_run, 20);
    let th = &c.monitors.health.thresholds;
    assert_eq!(th.readiness_critical, 50.0);
    assert_eq!(th.readiness_warning, 65.0);
    assert_eq!(th.hrv_critical_deviation, -25.0);
    assert_eq!(th.sleep_hours_critical, 5.0);
    assert_eq!(th.stress_critical, 85.0);
    assert_eq!(c.monitors.tasks.checks, TaskCheck::ALL.to_vec());
    assert_eq!(c.monitors.tasks.commitment_check_hours, vec![9, 14, 18]);
    assert_eq!(c.monitors.patterns.lookback_days, 7);
    assert_eq!(c.monitors.patterns.thresholds.overcommitment_ratio, 1.5);
    assert_eq!(
        c.adapters.oura.cache_db_path,
        PathBuf::from("/home/me/.oura-cache/oura-health.db")
    );
    assert_eq!(c.adapters.oura.api_timeout, Duration::seconds(10));
    assert_eq!(
        c.adapters.workos.database_url.as_ref().map(|s| s.expose()),
        Some(DB_URL)
    );
    assert_eq!(
        c.adapters.workos.cache_db_path,
        PathBuf::from("/home/me/.workos-cache/cache.db")
    );
    assert_eq!(
        c.adapters.state_files.base_path,
        PathBuf::from("/thanos/State")
    );
    assert_eq!(c.adapters.state_files.files.len(), 3);
    let t = &c.alerters.telegram;
    assert!(t.enabled);
    assert_eq!(t.token.as_ref().map(|s| s.expose()), Some(TOKEN));
    assert_eq!(t.chat_ids, vec![12345]);
    assert_eq!(t.allowed_chat_ids, vec![12345]);
    assert_eq!(t.min_priority, Priority::Medium);
    assert_eq!(t.api_url, "https://api.telegram.org");
    assert_eq!(t.poll_timeout, Duration::seconds(30));
    assert_eq!(c.alerters.macos.min_priority, Priority::High);
    assert_eq!(c.alerters.macos.sound, "Glass");
    assert_eq!(
        c.alerters.journal.log_path,
        PathBuf::from("/thanos/logs/operator.log")
    );
    assert_eq!(c.circuit_breaker.failure_threshold, 3);
    assert_eq!(c.logging.level, "info");
    assert_eq!(c.logging.rotation.max_bytes, 10_485_760);
    assert_eq!(c.state.db_path, PathBuf::from("/thanos/State/operator.db"));
    assert_eq!(c.health_endpoint.bind, "127.0.0.1:8765");
    assert_eq!(c.dedup.windows.health_warning, Duration::seconds(14_400));
    assert_eq!(c.dedup.windows.patterns, Duration::seconds(604_800));
}

#[test]
fn shipped_config_loads_with_only_home_and_thanos_root() {
    let text = std::fs::read_to_string(manifest().join("config/operator.yaml")).unwrap();
    let env = HashMap::from([("HOME", "/home/me"), ("THANOS_ROOT", "/thanos")]);
    let c = load_with(&text, &env).unwrap_or_else(|e| panic!("{:#?}", e.problems));
    assert_eq!(c.timezone.name(), "America/New_York");
    assert!(!c.alerters.telegram.enabled);
    assert!(c.alerters.telegram.token.is_none());
    assert!(c.adapters.workos.database_url.is_none());
    assert!(c.adapters.oura.access_token.is_none());
    assert_eq!(c.state.db_path, PathBuf::from("/thanos/State/operator.db"));
}

#[test]
fn shipped_config_turns_telegram_on_from_env() {
    let text = std::fs::read_to_string(manifest().join("config/operator.yaml")).unwrap();
    let env = HashMap::from([
        ("HOME", "/home/me"),
        ("THANOS_ROOT", "/thanos"),
        ("OPERATOR_TELEGRAM_ENABLED", "true"),
        ("TELEGRAM_BOT_TOKEN", TOKEN),
        ("TELEGRAM_CHAT_ID", "1, -1002"),
        ("TELEGRAM_ALLOWED_USERS", "77,78"),
    ]);
    let c = load_with(&text, &env).unwrap_or_else(|e| panic!("{:#?}", e.problems));
    let t = &c.alerters.telegram;
    assert!(t.enabled);
    assert_eq!(t.chat_ids, vec![1, -1002]);
    assert_eq!(t.allowed_chat_ids, vec![1, -1002]);
    assert_eq!(t.allowed_user_ids, vec![77, 78]);
}

#[test]
fn empty_file_takes_every_default_from_env() {
    let c = load_with("", &design_env()).unwrap_or_else(|e| panic!("{:#?}", e.problems));
    assert_eq!(c.alerters.telegram.chat_ids, vec![12345]);
    assert_eq!(c.monitors.tasks.pile_up_threshold, 10);
    assert_eq!(c.monitors.patterns.thresholds.sleep_debt_hours, 7.0);
    assert_eq!(c.monitors.health.thresholds.recovery_index_critical, 40.0);
}

#[test]
fn strings_from_env_stand_for_numbers_booleans_and_lists() {
    let yaml = r#"
intervals: { health_check: "${HC}" }
quiet_hours: { enabled: "${QE}", start: "${QS}" }
monitors: { health: { thresholds: { sleep_hours_warning: "${SW}" } } }
alerters:
  telegram:
    enabled: true
    chat_id: ["1", 2, "3"]
    allowed_chat_ids: "${ALLOWED}"
"#;
    let mut env = design_env();
    env.extend([
        ("HC", "600"),
        ("QE", "false"),
        ("QS", "23"),
        ("SW", "6.5"),
        ("ALLOWED", "5,6"),
    ]);
    let c = load_with(yaml, &env).unwrap_or_else(|e| panic!("{:#?}", e.problems));
    assert_eq!(c.intervals.health, Duration::seconds(600));
    assert!(!c.quiet_hours.enabled);
    assert_eq!(c.quiet_hours.start, 23);
    assert_eq!(c.monitors.health.thresholds.sleep_hours_warning, 6.5);
    assert_eq!(c.alerters.telegram.chat_ids, vec![1, 2, 3]);
    assert_eq!(c.alerters.telegram.allowed_chat_ids, vec![5, 6]);
}

#[test]
fn relative_and_tilde_paths_resolve() {
    let yaml =
        "state: { db_path: \"data/op.db\" }\nadapters: { oura: { cache_db_path: \"~/o.db\" } }\n";
    let yaml = format!("{yaml}{MINIMAL}");
    let c = load_with(&yaml, &design_env()).unwrap_or_else(|e| panic!("{:#?}", e.problems));
    assert_eq!(c.state.db_path, PathBuf::from("/etc/operator/data/op.db"));
    assert_eq!(
        c.adapters.oura.cache_db_path,
        PathBuf::from("/home/me/o.db")
    );
}

#[test]
fn lists_are_normalised() {
    let yaml = format!(
        "monitors: {{ tasks: {{ commitment_check_hours: [18, 9, 9, 14], checks: [due_today, due_today] }} }}\n{MINIMAL}"
    );
    let c = load_with(&yaml, &design_env()).unwrap_or_else(|e| panic!("{:#?}", e.problems));
    assert_eq!(c.monitors.tasks.commitment_check_hours, vec![9, 14, 18]);
    assert_eq!(c.monitors.tasks.checks, vec![TaskCheck::DueToday]);
}

/// Boundary values that are allowed ("not quite failing").
#[test]
fn range_boundaries_are_inclusive_where_documented() {
    let yaml = r#"
intervals: { health_check: 300, task_check: 3600, pattern_check: 7200 }
quiet_hours: { start: 0, end: 23 }
deduplication: { windows: { tasks: 0 } }
monitors:
  health: { thresholds: { readiness_critical: 64.9, readiness_warning: 65 } }
  patterns: { lookback_days: 90, thresholds: { energy_decline_percent: 99.9 } }
alerters: { telegram: { enabled: false, retry_attempts: 10, poll_timeout_seconds: 90 } }
logging: { level: warning, rotation: { backup_count: 0 } }
health_endpoint: { bind: "[::1]:0" }
"#;
    let c = load_with(yaml, &design_env()).unwrap_or_else(|e| panic!("{:#?}", e.problems));
    assert_eq!(c.dedup.windows.tasks, Duration::zero());
    assert_eq!(c.logging.level, "warn");
    assert_eq!(c.monitors.health.thresholds.readiness_critical, 64.9);
}

/// (name, yaml, the key path one problem must name, a word its message must contain)
const BAD: &[(&str, &str, &str, &str)] = &[
    (
        "syntax error",
        "intervals: [900\nquiet_hours: {}\n",
        "",
        "line",
    ),
    (
        "duplicate key",
        "version: \"1\"\nversion: \"2\"\n",
        "",
        "duplicate",
    ),
    ("top level is a list", "- 1\n- 2\n", "", "mapping"),
    (
        "section is a scalar",
        "monitors: 5\n",
        "monitors",
        "mapping",
    ),
    (
        "number is text",
        "monitors: { health: { thresholds: { readiness_critical: abc } } }",
        "monitors.health.thresholds.readiness_critical",
        "expected a number, got \"abc\"",
    ),
    (
        "whole number is fractional",
        "monitors: { patterns: { lookback_days: 7.5 } }",
        "monitors.patterns.lookback_days",
        "whole number",
    ),
    (
        "bool is text",
        "quiet_hours: { enabled: maybe }",
        "quiet_hours.enabled",
        "true or false",
    ),
    (
        "unknown zone",
        "timezone: America/Chicgo",
        "timezone",
        "America/Chicago",
    ),
    (
        "unknown quiet zone",
        "quiet_hours: { timezone: Mars/Base }",
        "quiet_hours.timezone",
        "time zone",
    ),
    (
        "zones disagree",
        "timezone: UTC\nquiet_hours: { timezone: Europe/Paris }",
        "quiet_hours.timezone",
        "differs",
    ),
    (
        "unset env var",
        "adapters: { workos: { database_url: \"${NOT_SET_ANYWHERE}\" } }",
        "adapters.workos.database_url",
        "NOT_SET_ANYWHERE",
    ),
    (
        "malformed reference",
        "version: \"${OOPS\"",
        "version",
        "closing",
    ),
    (
        "unknown top key",
        "monitor: {}",
        "monitor",
        "did you mean `monitors`",
    ),
    (
        "unknown nested key",
        "monitors: { health: { thresholds: { readines_critical: 40 } } }",
        "monitors.health.thresholds.readines_critical",
        "did you mean `readiness_critical`",
    ),
    (
        "interval too short",
        "intervals: { health_check: 299 }",
        "intervals.health_check",
        "between 300 and 3600",
    ),
    (
        "pattern interval too long",
        "intervals: { pattern_check: 7201 }",
        "intervals.pattern_check",
        "between 900 and 7200",
    ),
    (
        "inverted readiness",
        "monitors: { health: { thresholds: { readiness_critical: 70 } } }",
        "monitors.health.thresholds.readiness_critical",
        "less than `readiness_warning`",
    ),
    (
        "inverted hrv",
        "monitors: { health: { thresholds: { hrv_critical_deviation: -10 } } }",
        "monitors.health.thresholds.hrv_critical_deviation",
        "less than",
    ),
    (
        "positive hrv",
        "monitors: { health: { thresholds: { hrv_warning_deviation: 5 } } }",
        "monitors.health.thresholds.hrv_warning_deviation",
        "less than 0",
    ),
    (
        "inverted sleep",
        "monitors: { health: { thresholds: { sleep_hours_critical: 6.0 } } }",
        "monitors.health.thresholds.sleep_hours_critical",
        "less than",
    ),
    (
        "sleep over a day",
        "monitors: { health: { thresholds: { sleep_hours_warning: 25 } } }",
        "monitors.health.thresholds.sleep_hours_warning",
        "at most 24",
    ),
    (
        "inverted stress",
        "monitors: { health: { thresholds: { stress_high: 90 } } }",
        "monitors.health.thresholds.stress_high",
        "less than",
    ),
    (
        "score over 100",
        "monitors: { health: { thresholds: { stress_critical: 101 } } }",
        "monitors.health.thresholds.stress_critical",
        "between 0 and 100",
    ),
    (
        "inverted recovery",
        "monitors: { health: { thresholds: { recovery_index_critical: 60 } } }",
        "monitors.health.thresholds.recovery_index_critical",
        "less than",
    ),
    (
        "bad quiet hour",
        "quiet_hours: { start: 24 }",
        "quiet_hours.start",
        "between 0 and 23",
    ),
    (
        "bad check hour",
        "monitors: { tasks: { commitment_check_hours: [9, 25] } }",
        "monitors.tasks.commitment_check_hours[1]",
        "0 and 23",
    ),
    (
        "check hours not a list",
        "monitors: { tasks: { commitment_check_hours: nine } }",
        "monitors.tasks.commitment_check_hours",
        "list",
    ),
    (
        "bad check name",
        "monitors: { tasks: { checks: [overdue_tasks, due_todya] } }",
        "monitors.tasks.checks[1]",
        "did you mean `due_today`",
    ),
    (
        "bad priority",
        "alerters: { macos: { min_priority: urgent } }",
        "alerters.macos.min_priority",
        "unknown priority",
    ),
    (
        "bad log level",
        "logging: { level: VERBOSE }",
        "logging.level",
        "DEBUG",
    ),
    (
        "zero max_bytes",
        "logging: { rotation: { max_bytes: 0 } }",
        "logging.rotation.max_bytes",
        "at least 1",
    ),
    (
        "zero alerts per run",
        "deduplication: { max_alerts_per_run: 0 }",
        "deduplication.max_alerts_per_run",
        "between 1",
    ),
    (
        "negative dedup window",
        "deduplication: { windows: { health_warning: -1 } }",
        "deduplication.windows.health_warning",
        "between 0",
    ),
    (
        "zero breaker threshold",
        "circuit_breaker: { failure_threshold: 0 }",
        "circuit_breaker.failure_threshold",
        "between 1",
    ),
    (
        "too many retries",
        "alerters: { telegram: { retry_attempts: 11 } }",
        "alerters.telegram.retry_attempts",
        "between 0 and 10",
    ),
    (
        "poll timeout too long",
        "alerters: { telegram: { poll_timeout_seconds: 91 } }",
        "alerters.telegram.poll_timeout_seconds",
        "between 1 and 90",
    ),
    (
        "zero api timeout",
        "adapters: { oura: { api_timeout_seconds: 0 } }",
        "adapters.oura.api_timeout_seconds",
        "between 1",
    ),
    (
        "lookback too long",
        "monitors: { patterns: { lookback_days: 91 } }",
        "monitors.patterns.lookback_days",
        "between 1 and 90",
    ),
    (
        "zero procrastination",
        "monitors: { patterns: { thresholds: { procrastination_count: 0 } } }",
        "monitors.patterns.thresholds.procrastination_count",
        "between 1",
    ),
    (
        "zero overcommitment",
        "monitors: { patterns: { thresholds: { overcommitment_ratio: 0 } } }",
        "monitors.patterns.thresholds.overcommitment_ratio",
        "more than 0",
    ),
    (
        "decline of 100%",
        "monitors: { patterns: { thresholds: { energy_decline_percent: 100 } } }",
        "monitors.patterns.thresholds.energy_decline_percent",
        "less than 100",
    ),
    (
        "file escapes base_path",
        "adapters: { state_files: { files: [a.json, b.json, ../../etc/passwd] } }",
        "adapters.state_files.files[2]",
        "inside base_path",
    ),
    (
        "absolute state file",
        "adapters: { state_files: { files: [/etc/passwd] } }",
        "adapters.state_files.files[0]",
        "inside base_path",
    ),
    (
        "bad adapter type",
        "adapters: { oura: { type: rest_api } }",
        "adapters.oura.type",
        "mcp_cache",
    ),
    (
        "bad bind address",
        "health_endpoint: { bind: \"localhost-8765\" }",
        "health_endpoint.bind",
        "address",
    ),
    (
        "public bind address",
        "health_endpoint: { bind: \"0.0.0.0:8765\" }",
        "health_endpoint.bind",
        "loopback",
    ),
    (
        "bad api url",
        "alerters: { telegram: { api_url: \"ftp://x\" } }",
        "alerters.telegram.api_url",
        "http",
    ),
    (
        "bad chat id",
        "alerters: { telegram: { chat_id: \"12,abc\" } }",
        "alerters.telegram.chat_id",
        "\"abc\"",
    ),
    (
        "bad chat id in list",
        "alerters: { telegram: { chat_id: [1, x] } }",
        "alerters.telegram.chat_id[1]",
        "Telegram id",
    ),
];

#[test]
fn every_bad_config_names_its_key() {
    assert!(BAD.len() >= 25);
    for (name, yaml, path, needle) in BAD {
        // Each case rides on an otherwise valid config (design_env), so the listed problem is the cause.
        let err = match load_with(yaml, &design_env()) {
            Ok(_) => panic!("{name}: loaded"),
            Err(err) => err,
        };
        let hit = err.problems.iter().find(|p| p.path == *path);
        let hit =
            hit.unwrap_or_else(|| panic!("{name}: no problem at {path:?}: {:#?}", err.problems));
        assert!(
            hit.message.contains(needle),
            "{name}: {:?} lacks {needle:?}",
            hit.message
        );
        assert_eq!(err.file, PathBuf::from("/etc/operator/operator.yaml"));
    }
}

#[test]
fn a_non_loopback_health_bind_needs_an_explicit_allow() {
    let env = design_env();
    let public = "health_endpoint: { bind: \"0.0.0.0:8765\" }";
    assert!(load_with(public, &env).is_err(), "refused by default");
    let allowed = "health_endpoint: { bind: \"0.0.0.0:8765\", allow_non_loopback: true }";
    let config = load_with(allowed, &env).expect("allowed explicitly");
    assert_eq!(config.health_endpoint.bind, "0.0.0.0:8765");
    assert!(config.health_endpoint.allow_non_loopback);
    let loopback = load_with("health_endpoint: { bind: \"[::1]:9000\" }", &env).unwrap();
    assert!(!loopback.health_endpoint.allow_non_loopback);
}

#[test]
fn telegram_enabled_needs_a_token_then_a_chat() {
    let mut env = design_env();
    env.remove("TELEGRAM_BOT_TOKEN");
    let err = load_with(
        "alerters: { telegram: { enabled: true, token: \"\" } }",
        &env,
    )
    .unwrap_err();
    assert_eq!(paths(&err), vec!["alerters.telegram.token"]);

    let mut env = design_env();
    env.remove("TELEGRAM_CHAT_ID");
    let err = load_with("alerters: { telegram: { enabled: true } }", &env).unwrap_err();
    assert_eq!(paths(&err), vec!["alerters.telegram.chat_id"]);

    // Disabled: neither is needed.
    let env = HashMap::from([("HOME", "/h"), ("THANOS_ROOT", "/t")]);
    assert!(load_with(MINIMAL, &env).is_ok());
}

#[test]
fn missing_thanos_root_is_reported_at_each_key_that_needs_it() {
    let env = HashMap::from([("HOME", "/h")]);
    let err = load_with(MINIMAL, &env).unwrap_err();
    assert_eq!(
        paths(&err),
        vec![
            "adapters.state_files.base_path",
            "alerters.journal.log_path",
            "state.db_path"
        ]
    );
    let db = err
        .problems
        .iter()
        .find(|p| p.path == "state.db_path")
        .unwrap();
    assert!(
        db.message.contains("THANOS_ROOT") && db.message.contains("`state.db_path`"),
        "{}",
        db.message
    );
}

#[test]
fn several_problems_are_all_reported_at_once() {
    let yaml = r#"
intervals: { health_check: 10, task_check: fast }
quiet_hours: { start: 25 }
monitors:
  health: { thresholds: { readiness_critical: 90 } }
  tasks: { checks: [nope] }
alerters: { telegram: { enabled: false, token: "${UNSET_TOKEN_VAR}" } }
healthendpoint: {}
"#;
    let err = load_with(yaml, &design_env()).unwrap_err();
    assert_eq!(
        paths(&err),
        vec![
            "alerters.telegram.token",
            "healthendpoint",
            "intervals.health_check",
            "intervals.task_check",
            "monitors.health.thresholds.readiness_critical",
            "monitors.tasks.checks[0]",
            "quiet_hours.start",
        ]
    );
    assert!(err.to_string().contains("7 problem(s)"), "{err}");
}

fn paths(err: &ConfigError) -> Vec<&str> {
    let mut paths: Vec<&str> = err.problems.iter().map(|p| p.path.as_str()).collect();
    paths.sort_unstable();
    paths
}

#[test]
fn secrets_never_appear_in_problems() {
    let mut env = design_env();
    env.insert("OURA_PERSONAL_ACCESS_TOKEN", OURA);
    let cases = [
        // a malformed database URL
        format!("adapters: {{ workos: {{ database_url: \"mysql://me:{OURA}@x\" }} }}"),
        // a token of the wrong type
        format!("alerters: {{ telegram: {{ token: [\"{TOKEN}\"] }} }}"),
        format!("alerters: {{ telegram: {{ token: {{ a: \"{TOKEN}\" }} }} }}"),
        // a syntax error right after a literal secret
        format!("alerters:\n  telegram:\n    token: \"{TOKEN}\"\n   chat_id: : [\n"),
        // an env-provided secret that is malformed
        "adapters: { workos: { database_url: \"${BAD_URL}\" } }".to_owned(),
        // a secret pasted under a key whose messages show the value
        "alerters: { telegram: { chat_id: \"${TELEGRAM_BOT_TOKEN}\" } }".to_owned(),
        format!("alerters: {{ macos: {{ min_priority: \"{OURA}\" }} }}"),
    ];
    env.insert("BAD_URL", "mysql://user:hunter2pw@host");
    for yaml in cases {
        let err = load_with(&yaml, &env).unwrap_err();
        let all = format!("{err} {err:?}");
        for secret in [TOKEN, OURA, "hunter2pw", "SECRET"] {
            assert!(!all.contains(secret), "{secret} leaked for {yaml}: {all}");
        }
    }
}

#[test]
fn secrets_never_appear_in_debug_or_show() {
    let mut env = design_env();
    env.insert("OURA_PERSONAL_ACCESS_TOKEN", OURA);
    let c = load_with(&fixture("design_sample.yaml"), &env).unwrap();
    assert_eq!(
        c.adapters.oura.access_token.as_ref().map(|s| s.expose()),
        Some(OURA)
    );
    let shown = render_effective(&c);
    let debug = format!("{c:?}");
    for secret in [TOKEN, OURA, "hunter2pw"] {
        assert!(!shown.contains(secret), "{secret} in show output");
        assert!(!debug.contains(secret), "{secret} in Debug output");
    }
    assert!(shown.contains("token: \"***\""), "{shown}");
    assert!(shown.contains("database_url: \"***\""), "{shown}");
    assert!(shown.starts_with("# "), "{shown}");
    assert!(shown.contains("/etc/operator/operator.yaml"), "{shown}");
}

fn round_trip(c: &Config) -> Config {
    let shown = render_effective(c);
    // The shown config names its paths absolutely and needs no env var at all.
    load_str(&shown, Path::new("/elsewhere/shown.yaml"), &|_| None)
        .unwrap_or_else(|e| panic!("{:#?}\n{shown}", e.problems))
}

#[test]
fn show_output_loads_back_to_the_same_config() {
    let mut env = design_env();
    env.remove("WORKOS_DATABASE_URL"); // "***" is not a postgres URL, so leave it unset here
    let yaml = fixture("design_sample.yaml").replace("\"${WORKOS_DATABASE_URL}\"", "\"\"");
    let yaml = yaml.replace(
        "sound: \"Glass\"",
        "sound: \"Gl\\\"ass: #1 \\\\ $x $$ {y}\"",
    );
    let original = load_with(&yaml, &env).unwrap_or_else(|e| panic!("{:#?}", e.problems));
    assert_eq!(original.alerters.macos.sound, "Gl\"ass: #1 \\ $x $$ {y}");
    let again = round_trip(&original);
    assert_eq!(again.timezone, original.timezone);
    assert_eq!(again.intervals, original.intervals);
    assert_eq!(again.quiet_hours, original.quiet_hours);
    assert_eq!(again.dedup, original.dedup);
    assert_eq!(again.monitors, original.monitors);
    assert_eq!(again.circuit_breaker, original.circuit_breaker);
    assert_eq!(again.logging, original.logging);
    assert_eq!(
        again.alerters.telegram.chat_ids,
        original.alerters.telegram.chat_ids
    );
    assert_eq!(again.alerters.macos.sound, original.alerters.macos.sound);
    assert_eq!(
        again.alerters.journal.log_path,
        original.alerters.journal.log_path
    );
    assert_eq!(
        again.adapters.state_files.files,
        original.adapters.state_files.files
    );
    assert_eq!(again.state.db_path, original.state.db_path);
    // Everything else, secrets aside, through the rendering itself.
    let body = |c: &Config| {
        render_effective(c)
            .lines()
            .skip(2)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&again), body(&original));
}

#[test]
fn show_output_of_the_shipped_config_round_trips() {
    let text = std::fs::read_to_string(manifest().join("config/operator.yaml")).unwrap();
    let env = HashMap::from([
        ("HOME", "/home/me"),
        ("THANOS_ROOT", "/thanos"),
        ("TELEGRAM_ALLOWED_USERS", "9"),
    ]);
    let original = load_with(&text, &env).unwrap();
    let again = round_trip(&original);
    let body = |c: &Config| {
        render_effective(c)
            .lines()
            .skip(2)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&again), body(&original));
    assert_eq!(again.alerters.telegram.allowed_user_ids, vec![9]);
}

#[test]
fn load_file_reads_dotenv_beside_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("operator.yaml");
    let root = dir.path().display();
    let yaml = format!(
        "state: {{ db_path: state.db }}\n\
         adapters:\n  oura: {{ cache_db_path: o.db }}\n  workos: {{ cache_db_path: w.db }}\n  \
         state_files: {{ base_path: \"{root}\" }}\n\
         alerters:\n  telegram:\n    enabled: false\n    chat_id: \"${{OPERATOR_TEST_DOTENV_CHAT}}\"\n  \
         journal: {{ log_path: logs/j.log }}\n"
    );
    std::fs::write(&cfg, yaml).unwrap();
    std::fs::write(dir.path().join(".env"), "OPERATOR_TEST_DOTENV_CHAT=4242\n").unwrap();
    let c = load_file(&cfg).unwrap_or_else(|e| panic!("{:#?}", e.problems));
    assert_eq!(c.alerters.telegram.chat_ids, vec![4242]);
    assert_eq!(c.state.db_path, dir.path().join("state.db"));
    assert_eq!(c.source_path, cfg);
}

#[test]
fn load_file_reports_an_unreadable_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.yaml");
    let err = load_file(&missing).unwrap_err();
    assert_eq!(err.file, missing);
    assert_eq!(err.problems.len(), 1);
    assert!(
        err.problems[0].message.contains("cannot read"),
        "{:?}",
        err.problems
    );
}

#[test]
fn odd_inputs_are_problems_not_panics() {
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    let cases = [
        "quiet_hours: { start: 99999999999999999999999999999 }",
        "intervals: { health_check: 1e300 }",
        "intervals: { health_check: -9223372036854775808 }",
        "alerters: { telegram: { chat_id: 1e30 } }",
        "alerters: { telegram: { chat_id: 99999999999999999999 } }",
        "? [a]\n: b\n",
        "\u{0}",
        "monitors: { health: { thresholds: { readiness_critical: .nan } } }",
        deep.as_str(),
        "timezone: ''",
        "state: { db_path: '' }",
        "adapters: { state_files: { files: [''] } }",
        "&a [*a]",
        "é: 1",
        "logging: { rotation: { max_bytes: 18446744073709551615 } }",
        "deduplication: { windows: { tasks: 99999999999999 } }",
        "version: \"${}\"",
        "version: \"${ÄÖ}\"",
        "---\na: 1\n---\nb: 2\n",
    ];
    for yaml in cases {
        assert!(load_with(yaml, &design_env()).is_err(), "{yaml:?} loaded");
    }
}

#[test]
fn the_database_url_falls_back_to_database_url_when_the_key_is_absent() {
    let text = "alerters:\n  telegram:\n    enabled: false\n";
    let mut env = HashMap::from([("THANOS_ROOT", "/thanos"), ("HOME", "/home/me")]);
    let none = load_with(text, &env).unwrap();
    assert!(none.adapters.workos.database_url.is_none());
    env.insert("DATABASE_URL", "postgres://u:pw@db.example/x");
    let from_generic = load_with(text, &env).unwrap();
    assert_eq!(
        from_generic
            .adapters
            .workos
            .database_url
            .as_ref()
            .map(|s| s.expose()),
        Some("postgres://u:pw@db.example/x")
    );
    env.insert("WORKOS_DATABASE_URL", DB_URL);
    let preferred = load_with(text, &env).unwrap();
    assert_eq!(
        preferred
            .adapters
            .workos
            .database_url
            .as_ref()
            .map(|s| s.expose()),
        Some(DB_URL)
    );
}
