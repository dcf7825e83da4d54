//! What to change when a rule misses the goals: each tunable rule's one config key, which way
//! makes it fire less, by how much, and how far it may go. A rule with at least 3 alerts
//! delivered gets a suggestion when 2 or more were marked not useful and that is over 5 %, or
//! when 3 or more (and at least half) were ignored. Rules without a threshold (a due date is a
//! due date) get none.

use super::{MAX_FALSE_POSITIVE_RATE, RuleStats, Suggestion};
use crate::config::Config;

/// One rule's knob.
struct Knob {
    rule: &'static str,
    /// Dotted config key.
    key: &'static str,
    /// The alerts, plural, as a person says it.
    what: &'static str,
    current: fn(&Config) -> f64,
    /// The change that makes the rule fire less.
    step: f64,
    /// How far the value may go (inclusive).
    limit: fn(&Config) -> f64,
    /// Decimals the value is written with (0: an integer).
    decimals: usize,
}

const KNOBS: &[Knob] = &[
    Knob {
        rule: "health:readiness",
        key: "monitors.health.thresholds.readiness_warning",
        what: "readiness warnings",
        current: |c| c.monitors.health.thresholds.readiness_warning,
        step: -5.0,
        limit: |c| c.monitors.health.thresholds.readiness_critical + 1.0,
        decimals: 0,
    },
    Knob {
        rule: "health:hrv",
        key: "monitors.health.thresholds.hrv_warning_deviation",
        what: "HRV warnings",
        current: |c| c.monitors.health.thresholds.hrv_warning_deviation,
        step: -5.0,
        limit: |c| c.monitors.health.thresholds.hrv_critical_deviation + 1.0,
        decimals: 0,
    },
    Knob {
        rule: "health:sleep",
        key: "monitors.health.thresholds.sleep_hours_warning",
        what: "sleep warnings",
        current: |c| c.monitors.health.thresholds.sleep_hours_warning,
        step: -0.5,
        limit: |c| c.monitors.health.thresholds.sleep_hours_critical + 0.5,
        decimals: 1,
    },
    Knob {
        rule: "health:stress",
        key: "monitors.health.thresholds.stress_high",
        what: "stress warnings",
        current: |c| c.monitors.health.thresholds.stress_high,
        step: 5.0,
        limit: |c| c.monitors.health.thresholds.stress_critical - 1.0,
        decimals: 0,
    },
    Knob {
        rule: "health:recovery_index",
        key: "monitors.health.thresholds.recovery_index_warning",
        what: "recovery warnings",
        current: |c| c.monitors.health.thresholds.recovery_index_warning,
        step: -5.0,
        limit: |c| c.monitors.health.thresholds.recovery_index_critical + 1.0,
        decimals: 0,
    },
    Knob {
        rule: "health:strain",
        key: "monitors.health.thresholds.strain_signals",
        what: "strain warnings",
        current: |c| f64::from(c.monitors.health.thresholds.strain_signals),
        step: 1.0,
        limit: |_| 4.0,
        decimals: 0,
    },
    Knob {
        rule: "tasks:pile_up",
        key: "monitors.tasks.pile_up_threshold",
        what: "pile-up nudges",
        current: |c| f64::from(c.monitors.tasks.pile_up_threshold),
        step: 5.0,
        limit: |_| 1000.0,
        decimals: 0,
    },
    Knob {
        rule: "patterns:procrastination",
        key: "monitors.patterns.thresholds.procrastination_count",
        what: "procrastination nudges",
        current: |c| f64::from(c.monitors.patterns.thresholds.procrastination_count),
        step: 1.0,
        limit: |_| 20.0,
        decimals: 0,
    },
    Knob {
        rule: "patterns:recurring_worry",
        key: "monitors.patterns.thresholds.recurring_worry",
        what: "recurring-worry alerts",
        current: |c| f64::from(c.monitors.patterns.thresholds.recurring_worry),
        step: 1.0,
        limit: |_| 20.0,
        decimals: 0,
    },
    Knob {
        rule: "patterns:worry_volume",
        key: "monitors.patterns.thresholds.worry_volume",
        what: "worry-volume alerts",
        current: |c| f64::from(c.monitors.patterns.thresholds.worry_volume),
        step: 2.0,
        limit: |_| 50.0,
        decimals: 0,
    },
    Knob {
        rule: "patterns:energy_decline",
        key: "monitors.patterns.thresholds.energy_decline_percent",
        what: "energy-decline warnings",
        current: |c| c.monitors.patterns.thresholds.energy_decline_percent,
        step: 5.0,
        limit: |_| 90.0,
        decimals: 0,
    },
    Knob {
        rule: "patterns:overcommitment",
        key: "monitors.patterns.thresholds.overcommitment_ratio",
        what: "overcommitment nudges",
        current: |c| c.monitors.patterns.thresholds.overcommitment_ratio,
        step: 0.5,
        limit: |_| 10.0,
        decimals: 1,
    },
    Knob {
        rule: "patterns:sleep_debt",
        key: "monitors.patterns.thresholds.sleep_debt_nights",
        what: "sleep-debt warnings",
        current: |c| f64::from(c.monitors.patterns.thresholds.sleep_debt_nights),
        step: 1.0,
        limit: |_| 14.0,
        decimals: 0,
    },
    Knob {
        rule: "patterns:context_switching",
        key: "monitors.patterns.thresholds.context_switch_clients",
        what: "context-switching nudges",
        current: |c| f64::from(c.monitors.patterns.thresholds.context_switch_clients),
        step: 2.0,
        limit: |_| 50.0,
        decimals: 0,
    },
    Knob {
        rule: "patterns:stale_focus",
        key: "monitors.patterns.thresholds.stale_focus_days",
        what: "stale-focus nudges",
        current: |c| f64::from(c.monitors.patterns.thresholds.stale_focus_days),
        step: 7.0,
        limit: |_| 90.0,
        decimals: 0,
    },
    Knob {
        rule: "patterns:burnout_risk",
        key: "monitors.patterns.thresholds.burnout_readiness_slope",
        what: "burnout warnings",
        current: |c| c.monitors.patterns.thresholds.burnout_readiness_slope,
        step: -0.5,
        limit: |_| -10.0,
        decimals: 1,
    },
];

/// The fewest delivered alerts a rule is judged on.
const MIN_DELIVERED: u32 = 3;

/// The suggestion for `stats`, with how badly the rule does (for ordering), if it misses the
/// goals and has a knob that can still move.
pub fn suggest(stats: &RuleStats, config: &Config) -> Option<(f64, Suggestion)> {
    if stats.delivered < MIN_DELIVERED {
        return None;
    }
    let knob = KNOBS.iter().find(|k| k.rule == stats.rule)?;
    let delivered = f64::from(stats.delivered);
    let down = f64::from(stats.not_useful) / delivered;
    let ignored = f64::from(stats.ignored) / delivered;
    let reason = if stats.not_useful >= 2 && down > MAX_FALSE_POSITIVE_RATE {
        format!(
            "{} of {} {} marked not useful",
            stats.not_useful, stats.delivered, knob.what
        )
    } else if stats.ignored >= 3 && ignored >= 0.5 {
        format!(
            "{} of {} {} went unanswered",
            stats.ignored, stats.delivered, knob.what
        )
    } else {
        return None;
    };
    let from = (knob.current)(config);
    let limit = (knob.limit)(config);
    let to = from + knob.step;
    let to = if knob.step < 0.0 {
        to.max(limit)
    } else {
        to.min(limit)
    };
    if (to - from).abs() < f64::EPSILON {
        return None;
    }
    let text = |v: f64| format!("{v:.*}", knob.decimals);
    Some((
        down.max(ignored),
        Suggestion {
            key: knob.key.to_owned(),
            from: text(from),
            to: text(to),
            reason,
        },
    ))
}

/// Whether `rule` has a knob (the review says so for the others).
pub fn tunable(rule: &str) -> bool {
    KNOBS.iter().any(|k| k.rule == rule)
}
