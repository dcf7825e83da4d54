//! `operator config show`: the effective configuration as YAML, secrets as `***`.
//!
//! A small hand-written emitter: every string is double-quoted and escaped, so the output is
//! valid YAML that `load_str` reads back to the same configuration (secrets aside, which
//! come back as the literal `***`). Set secrets print as `"***"`, unset ones as `""`.

use std::fmt::Write as _;
use std::path::Path;

use chrono::Duration;

use super::build::LEVELS;
use super::{Config, Secret};

pub fn render_effective(config: &Config) -> String {
    let mut y = Yaml::default();
    let source = config
        .source_path
        .display()
        .to_string()
        .replace(['\n', '\r'], " ");
    y.comment(&format!(
        "Effective Operator configuration loaded from {source}"
    ));
    y.comment("(after ${VAR} expansion and defaults; secrets are shown as \"***\")");
    y.str("version", &config.version);
    y.str("timezone", config.timezone.name());
    intervals_and_quiet(&mut y, config);
    dedup(&mut y, config);
    monitors(&mut y, config);
    adapters(&mut y, config);
    alerters(&mut y, config);
    rest(&mut y, config);
    y.out
}

fn intervals_and_quiet(y: &mut Yaml, c: &Config) {
    y.open("intervals");
    y.secs("health_check", c.intervals.health);
    y.secs("task_check", c.intervals.tasks);
    y.secs("pattern_check", c.intervals.patterns);
    y.close();
    y.open("quiet_hours");
    y.raw("enabled", c.quiet_hours.enabled);
    y.raw("start", c.quiet_hours.start);
    y.raw("end", c.quiet_hours.end);
    y.close();
}

fn dedup(y: &mut Yaml, c: &Config) {
    let d = &c.dedup;
    y.open("deduplication");
    y.secs("window_seconds", d.windows.system);
    y.raw("max_alerts_per_run", d.max_alerts_per_run);
    y.open("windows");
    y.secs("health_warning", d.windows.health_warning);
    y.secs("health_critical", d.windows.health_critical);
    y.secs("tasks", d.windows.tasks);
    y.secs("patterns", d.windows.patterns);
    y.secs("services", d.windows.services);
    y.close();
    y.close();
}

fn monitors(y: &mut Yaml, c: &Config) {
    let (h, t, p) = (&c.monitors.health, &c.monitors.tasks, &c.monitors.patterns);
    y.open("monitors");
    y.open("health");
    y.raw("enabled", h.enabled);
    y.open("thresholds");
    let th = &h.thresholds;
    y.str("mode", th.mode.as_str());
    y.float("readiness_critical", th.readiness_critical);
    y.float("readiness_warning", th.readiness_warning);
    y.float("hrv_critical_deviation", th.hrv_critical_deviation);
    y.float("hrv_warning_deviation", th.hrv_warning_deviation);
    y.float("sleep_hours_critical", th.sleep_hours_critical);
    y.float("sleep_hours_warning", th.sleep_hours_warning);
    y.float("stress_high", th.stress_high);
    y.float("stress_critical", th.stress_critical);
    y.float("recovery_index_warning", th.recovery_index_warning);
    y.float("recovery_index_critical", th.recovery_index_critical);
    y.float("data_stale_hours", th.data_stale_hours);
    y.float(
        "strain_temperature_deviation",
        th.strain_temperature_deviation,
    );
    y.float("strain_hrv_drop_percent", th.strain_hrv_drop_percent);
    y.float("strain_rhr_rise_bpm", th.strain_rhr_rise_bpm);
    y.float("strain_readiness", th.strain_readiness);
    y.raw("strain_signals", th.strain_signals);
    y.close();
    y.close();
    y.open("tasks");
    y.raw("enabled", t.enabled);
    let checks: Vec<String> = t.checks.iter().map(|c| quote(c.as_str())).collect();
    y.list("checks", &checks);
    let hours: Vec<String> = t.commitment_check_hours.iter().map(u8::to_string).collect();
    y.list("commitment_check_hours", &hours);
    y.raw("pile_up_threshold", t.pile_up_threshold);
    y.raw("pile_up_hour", t.pile_up_hour);
    y.raw("violation_days", t.violation_days);
    y.close();
    y.open("patterns");
    y.raw("enabled", p.enabled);
    y.raw("lookback_days", p.lookback_days);
    y.open("thresholds");
    let pt = &p.thresholds;
    y.raw("procrastination_count", pt.procrastination_count);
    y.float("energy_decline_percent", pt.energy_decline_percent);
    y.float("overcommitment_ratio", pt.overcommitment_ratio);
    y.float("sleep_debt_hours", pt.sleep_debt_hours);
    y.raw("sleep_debt_nights", pt.sleep_debt_nights);
    y.raw("context_switch_clients", pt.context_switch_clients);
    y.raw("stale_focus_days", pt.stale_focus_days);
    y.float("burnout_readiness_slope", pt.burnout_readiness_slope);
    y.raw("recurring_worry", pt.recurring_worry);
    y.raw("worry_volume", pt.worry_volume);
    y.close();
    y.close();
    let sv = &c.monitors.services;
    y.open("services");
    y.raw("enabled", sv.enabled);
    y.raw("interval_seconds", sv.interval.as_secs());
    if sv.checks.is_empty() {
        y.raw("checks", "[]");
    } else {
        y.open("checks");
        for s in &sv.checks {
            y.line(&format!("- {}", service_check(s)));
        }
        y.close();
    }
    y.close();
    y.close();
}

/// One services check as a flow mapping: `{name: "tmux", process: "tmux", …}`.
fn service_check(s: &super::ServiceCheck) -> String {
    use super::services::{Expect, Probe};
    let mut parts = vec![format!("name: {}", quote(&s.check.name))];
    match &s.check.probe {
        Probe::Command { argv, expect } => {
            let argv: Vec<String> = argv.iter().map(|a| quote(a)).collect();
            parts.push(format!("command: [{}]", argv.join(", ")));
            parts.push(match expect {
                Expect::ExitZero => "expect: exit_zero".to_owned(),
                Expect::OutputContains(text) => {
                    format!("expect: {{output_contains: {}}}", quote(text))
                }
            });
        }
        Probe::Tcp { addr } => parts.push(format!("tcp: {}", quote(addr))),
        Probe::Process { name } => parts.push(format!("process: {}", quote(name))),
    }
    parts.push(format!("timeout_seconds: {}", s.check.timeout.as_secs()));
    parts.push(format!("priority: {}", s.priority));
    format!("{{{}}}", parts.join(", "))
}

fn adapters(y: &mut Yaml, c: &Config) {
    let (o, w, s) = (
        &c.adapters.oura,
        &c.adapters.workos,
        &c.adapters.state_files,
    );
    y.open("adapters");
    y.open("oura");
    y.str("type", &o.kind);
    y.path("cache_db_path", &o.cache_db_path);
    y.raw("fallback_api", o.fallback_api);
    y.secs("api_timeout_seconds", o.api_timeout);
    y.secret("access_token", o.access_token.as_ref());
    y.str("api_base_url", &o.api_base_url);
    y.close();
    y.open("workos");
    y.str("type", &w.kind);
    y.secret("database_url", w.database_url.as_ref());
    y.raw("cache_enabled", w.cache_enabled);
    y.secs("cache_ttl_seconds", w.cache_ttl);
    y.path("cache_db_path", &w.cache_db_path);
    y.close();
    y.open("state_files");
    y.str("type", &s.kind);
    y.path("base_path", &s.base_path);
    let files: Vec<String> = s
        .files
        .iter()
        .map(|f| quote(&f.display().to_string()))
        .collect();
    y.list("files", &files);
    y.close();
    y.close();
}

fn alerters(y: &mut Yaml, c: &Config) {
    let (t, m, j) = (&c.alerters.telegram, &c.alerters.macos, &c.alerters.journal);
    let ids = |v: &[i64]| -> Vec<String> { v.iter().map(i64::to_string).collect() };
    y.open("alerters");
    y.open("telegram");
    y.raw("enabled", t.enabled);
    y.secret("token", t.token.as_ref());
    y.list("chat_id", &ids(&t.chat_ids));
    y.list("allowed_chat_ids", &ids(&t.allowed_chat_ids));
    y.list("allowed_user_ids", &ids(&t.allowed_user_ids));
    y.str("min_priority", t.min_priority.as_str());
    y.raw("retry_attempts", t.retry_attempts);
    y.secs("timeout_seconds", t.timeout);
    y.str("api_url", &t.api_url);
    y.secs("poll_timeout_seconds", t.poll_timeout);
    y.raw("notify_resolved", t.notify_resolved);
    y.close();
    y.open("macos");
    y.raw("enabled", m.enabled);
    y.str("min_priority", m.min_priority.as_str());
    y.str("sound", &m.sound);
    y.close();
    y.open("journal");
    y.raw("enabled", j.enabled);
    y.str("min_priority", j.min_priority.as_str());
    y.path("log_path", &j.log_path);
    y.close();
    y.close();
}

fn rest(y: &mut Yaml, c: &Config) {
    let cb = &c.circuit_breaker;
    y.open("circuit_breaker");
    y.raw("failure_threshold", cb.failure_threshold);
    y.secs("timeout_seconds", cb.timeout);
    y.raw("half_open_attempts", cb.half_open_attempts);
    y.close();
    y.open("logging");
    let level = LEVELS
        .iter()
        .find(|(_, filter)| *filter == c.logging.level)
        .map_or(c.logging.level.as_str(), |(design, _)| design);
    y.str("level", level);
    y.str("format", &c.logging.format);
    y.open("rotation");
    y.raw("max_bytes", c.logging.rotation.max_bytes);
    y.raw("backup_count", c.logging.rotation.backup_count);
    y.close();
    y.close();
    y.open("state");
    y.path("db_path", &c.state.db_path);
    y.close();
    y.open("health_endpoint");
    y.raw("enabled", c.health_endpoint.enabled);
    y.str("bind", &c.health_endpoint.bind);
    y.raw("allow_non_loopback", c.health_endpoint.allow_non_loopback);
    y.close();
    y.open("brief");
    y.raw("enabled", c.brief.enabled);
    y.str(
        "not_before",
        &c.brief.not_before.format("%H:%M").to_string(),
    );
    y.str(
        "fallback_time",
        &c.brief.fallback_time.format("%H:%M").to_string(),
    );
    y.close();
    y.open("review");
    y.raw("enabled", c.review.enabled);
    y.str(
        "weekly",
        &format!("{} {}", c.review.weekday, c.review.at.format("%H:%M")),
    );
    y.close();
    y.open("heartbeat");
    y.secret("url", c.heartbeat.url.as_ref());
    y.secs("timeout_seconds", c.heartbeat.timeout);
    y.close();
}

/// Block-style YAML, two spaces per level.
#[derive(Default)]
struct Yaml {
    out: String,
    depth: usize,
}

impl Yaml {
    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{:width$}{text}", "", width = self.depth * 2);
    }
    fn comment(&mut self, text: &str) {
        self.line(&format!("# {text}"));
    }
    fn open(&mut self, key: &str) {
        self.line(&format!("{key}:"));
        self.depth += 1;
    }
    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
    fn raw(&mut self, key: &str, value: impl std::fmt::Display) {
        self.line(&format!("{key}: {value}"));
    }
    fn float(&mut self, key: &str, value: f64) {
        self.line(&format!("{key}: {value:?}"));
    }
    fn secs(&mut self, key: &str, value: Duration) {
        self.raw(key, value.num_seconds());
    }
    fn str(&mut self, key: &str, value: &str) {
        self.raw(key, quote(value));
    }
    fn path(&mut self, key: &str, value: &Path) {
        self.str(key, &value.display().to_string());
    }
    fn secret(&mut self, key: &str, value: Option<&Secret>) {
        self.str(key, if value.is_some() { "***" } else { "" });
    }
    /// `items` are already YAML scalars.
    fn list(&mut self, key: &str, items: &[String]) {
        self.raw(key, format_args!("[{}]", items.join(", ")));
    }
}

/// A double-quoted YAML scalar.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_yaml_needs() {
        assert_eq!(quote("a \"b\" \\ c\n"), r#""a \"b\" \\ c\n""#);
        assert_eq!(quote("x: #y"), "\"x: #y\"");
        assert_eq!(quote("\u{1}"), "\"\\u0001\"");
    }
}
