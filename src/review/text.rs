//! The review as a message (the review's own wording, kept beside it: `render` sits below
//! `review` in the layers): the week in one line of figures, the two rates against the
//! design's goals, the rules worth a look, and at most a few suggestions (each with its
//! `Apply` button, labelled by `channels::telegram::keyboard::apply_label`). A quiet week is
//! one line.

use super::{MAX_FALSE_POSITIVE_RATE, MIN_ACTIONABLE_RATE, Review, RuleStats};
use crate::render::{Text, num};

/// Rules listed by name, at most.
const MAX_RULES: usize = 6;

fn percent(rate: f64) -> String {
    format!("{} %", num((rate * 100.0).round()))
}

/// The review message.
pub fn review(r: &Review) -> Text {
    let mut t = Text::new();
    let sum = |f: fn(&RuleStats) -> u32| r.rules.iter().map(f).sum::<u32>();
    let delivered = sum(|s| s.delivered);
    let span = if r.days == 7 {
        "this week".to_owned()
    } else {
        format!("the last {} days", r.days)
    };
    if delivered == 0 {
        let fired = sum(|s| s.fired);
        t.text("📊 ").text(&match fired {
            0 => format!("A quiet stretch: no alerts {span}."),
            n => format!(
                "A quiet stretch: {n} alert{} {span}, none of them pushed to you.",
                if n == 1 { "" } else { "s" }
            ),
        });
        return t;
    }
    t.text("📊 ")
        .bold(&format!("Your alerts, {span}"))
        .newline();
    t.line(&format!(
        "{delivered} delivered · {} acted on · {} not useful · {} resolved on their own · {} ignored",
        sum(|s| s.acted),
        sum(|s| s.not_useful),
        sum(|s| s.resolved),
        sum(|s| s.ignored),
    ));
    if let (Some(fp), Some(act)) = (r.false_positive_rate, r.actionable_rate) {
        let mark = |ok: bool| if ok { "✓" } else { "✗" };
        t.line(&format!(
            "False positives {} {} (goal under {}) · actionable {} {} (goal {} or more)",
            percent(fp),
            mark(fp < MAX_FALSE_POSITIVE_RATE),
            percent(MAX_FALSE_POSITIVE_RATE),
            percent(act),
            mark(act >= MIN_ACTIONABLE_RATE),
            percent(MIN_ACTIONABLE_RATE),
        ));
    }
    let mut rules: Vec<&RuleStats> = r.rules.iter().filter(|s| s.delivered > 0).collect();
    rules.sort_by_key(|s| std::cmp::Reverse(s.delivered));
    if !rules.is_empty() {
        t.newline().bold("By rule").newline();
        for s in rules.iter().take(MAX_RULES) {
            t.text("• ").code(&s.rule).line(&format!(
                ": {} delivered, {} acted on, {} not useful, {} resolved, {} ignored",
                s.delivered, s.acted, s.not_useful, s.resolved, s.ignored
            ));
        }
        if rules.len() > MAX_RULES {
            t.line(&format!(
                "… and {} more (operator review)",
                rules.len() - MAX_RULES
            ));
        }
    }
    for s in &r.suggestions {
        t.newline()
            .text(&format!("💡 {}: set ", s.reason))
            .code(&s.key)
            .text(&format!(" from {} to {}?", s.from, s.to))
            .newline();
    }
    t.trimmed()
}
