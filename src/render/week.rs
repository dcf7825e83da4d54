//! The `/week` reply's text (the chart goes with it): the last 7 days' readiness and sleep
//! against the person's normal, the best and the hardest day, and tasks done against tasks
//! created. Days the ring has no data for are counted as missing, never as bad.

use chrono::NaiveDate;

use super::{Text, num};
use crate::chart::WeekChart;

fn mean(values: &[Option<f64>]) -> Option<(f64, usize)> {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    (!present.is_empty()).then(|| {
        (
            present.iter().sum::<f64>() / present.len() as f64,
            present.len(),
        )
    })
}

/// The summary of `chart` (the week chart's data, so text and picture always agree).
pub fn week(chart: &WeekChart) -> Text {
    let mut t = Text::new();
    let (Some(first), Some(last)) = (chart.days.first(), chart.days.last()) else {
        t.text("No days to show.");
        return t;
    };
    t.text("📅 ")
        .bold(&format!("Your week · {} – {}", short(*first), short(*last)))
        .newline();
    for panel in &chart.panels {
        let Some((avg, n)) = mean(&panel.values) else {
            t.line(&format!("{}: no data this week", panel.label));
            continue;
        };
        let unit = if panel.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", panel.unit)
        };
        let shown = if panel.decimals > 0 {
            format!("{avg:.1}")
        } else {
            num(avg.round())
        };
        let mut line = format!("{} averaged {shown}{unit}", panel.label);
        if let Some(band) = panel.normal {
            let against = if avg < band.low {
                "below your usual"
            } else if avg > band.high {
                "above your usual"
            } else {
                "within your usual"
            };
            let (low, high) = if panel.decimals > 0 {
                (format!("{:.1}", band.low), format!("{:.1}", band.high))
            } else {
                (num(band.low.round()), num(band.high.round()))
            };
            line.push_str(&format!(" ({against} {low}–{high})"));
        }
        if n < chart.days.len() {
            let missing = chart.days.len() - n;
            line.push_str(&format!(
                " · {missing} day{} without data",
                if missing == 1 { "" } else { "s" }
            ));
        }
        t.line(&line);
    }
    if let Some(readiness) = chart.panels.first() {
        let scored: Vec<(NaiveDate, f64)> = chart
            .days
            .iter()
            .zip(&readiness.values)
            .filter_map(|(d, v)| v.map(|v| (*d, v)))
            .collect();
        let best = scored.iter().max_by(|a, b| a.1.total_cmp(&b.1));
        let worst = scored.iter().min_by(|a, b| a.1.total_cmp(&b.1));
        if let (Some(best), Some(worst)) = (best, worst)
            && scored.len() > 1
            && best.0 != worst.0
        {
            t.line(&format!(
                "Best day {} ({}), hardest {} ({})",
                best.0.format("%a"),
                num(best.1),
                worst.0.format("%a"),
                num(worst.1)
            ));
        }
    }
    let done: u32 = chart.done.iter().sum();
    let created: u32 = chart.created.iter().sum();
    t.newline().bold("Tasks").newline();
    let balance = if done >= created {
        "the list got shorter".to_owned()
    } else {
        format!("the list grew by {}", created - done)
    };
    t.text(&format!("{done} done, {created} created: {balance}."));
    t
}

fn short(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}
