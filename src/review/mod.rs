//! The review: how useful the alerts were, per rule, from what the user did with them, and
//! what to change when a rule misses the design's goals (fewer than 5 % false positives,
//! 90 % or more actionable).
//!
//! Per rule (the dedup key without its subject, `health:sleep`): *fired* (alerts decided for a
//! chat, from the journal), *delivered* (alert messages Telegram took), *acted* (a button or
//! 👍), *not_useful* (👎), *resolved* (the condition cleared with no action), *ignored* (none of
//! these). `false_positive_rate` = not useful ÷ delivered, `actionable_rate` = acted ÷
//! delivered, over every rule; `None` when nothing was delivered.
//!
//! [`review`] is pure: the facts come from [`gather`] (the state database and the journal);
//! the suggestions' table is [`suggest`]; applying one to the config file is [`apply`].

pub mod apply;
pub mod gather;
pub mod suggest;
pub mod text;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::config::Config;
use crate::store::{DeliveredAlert, Feedback, FeedbackKind};

/// What a review is computed from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The rule of every alert decided for a chat in the window (one per journal decision).
    pub fired: Vec<String>,
    pub delivered: Vec<DeliveredAlert>,
    pub feedback: Vec<Feedback>,
}

/// One rule's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RuleStats {
    pub rule: String,
    pub fired: u32,
    pub delivered: u32,
    pub acted: u32,
    pub not_useful: u32,
    pub resolved: u32,
    pub ignored: u32,
}

/// A config change the review proposes: `key` (dotted path) from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub key: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

/// The whole review, as `operator review --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub days: u32,
    pub rules: Vec<RuleStats>,
    pub false_positive_rate: Option<f64>,
    pub actionable_rate: Option<f64>,
    pub suggestions: Vec<Suggestion>,
}

/// The design's goals.
pub const MAX_FALSE_POSITIVE_RATE: f64 = 0.05;
pub const MIN_ACTIONABLE_RATE: f64 = 0.90;
/// At most this many suggestions a review.
pub const MAX_SUGGESTIONS: usize = 3;

/// The review of `facts` over `days` days, with suggestions for `config`'s current values.
pub fn review(days: u32, facts: &Facts, config: &Config) -> Review {
    let mut rules: BTreeMap<String, RuleStats> = BTreeMap::new();
    for rule in &facts.fired {
        entry(&mut rules, rule).fired += 1;
    }
    let mut by_message: BTreeMap<(i64, &str), BTreeSet<FeedbackKind>> = BTreeMap::new();
    for f in &facts.feedback {
        by_message
            .entry((f.outbox_id, f.rule.as_str()))
            .or_default()
            .insert(f.kind);
    }
    for message in &facts.delivered {
        for rule in &message.rules {
            let kinds = by_message.get(&(message.outbox_id, rule.as_str()));
            let has = |k: FeedbackKind| kinds.is_some_and(|set| set.contains(&k));
            let acted = kinds.is_some_and(|set| set.iter().any(|k| k.is_action()));
            let down = has(FeedbackKind::Down);
            let s = entry(&mut rules, rule);
            s.delivered += 1;
            if down {
                s.not_useful += 1;
            } else if acted {
                s.acted += 1;
            } else if message.resolved_at.is_some() || has(FeedbackKind::Resolved) {
                s.resolved += 1;
            } else {
                s.ignored += 1;
            }
        }
    }
    let rules: Vec<RuleStats> = rules.into_values().collect();
    let delivered: u32 = rules.iter().map(|r| r.delivered).sum();
    let rate = |n: u32| (delivered > 0).then(|| f64::from(n) / f64::from(delivered));
    let false_positive_rate = rate(rules.iter().map(|r| r.not_useful).sum());
    let actionable_rate = rate(rules.iter().map(|r| r.acted).sum());
    let mut suggestions: Vec<(f64, Suggestion)> = rules
        .iter()
        .filter_map(|r| suggest::suggest(r, config))
        .collect();
    suggestions.sort_by(|a, b| b.0.total_cmp(&a.0));
    suggestions.truncate(MAX_SUGGESTIONS);
    Review {
        days,
        rules,
        false_positive_rate,
        actionable_rate,
        suggestions: suggestions.into_iter().map(|(_, s)| s).collect(),
    }
}

fn entry<'a>(rules: &'a mut BTreeMap<String, RuleStats>, rule: &str) -> &'a mut RuleStats {
    rules.entry(rule.to_owned()).or_insert_with(|| RuleStats {
        rule: rule.to_owned(),
        ..RuleStats::default()
    })
}
