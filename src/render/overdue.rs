//! The `/overdue` reply: overdue and due-today commitments with how late each is.

use chrono::NaiveDate;

use super::{MAX_TITLE_CHARS, Text, clip};
use crate::sources::{Commitment, FileRead, StateSnapshot};

fn late_text(days: i64) -> String {
    match days {
        1 => "1 day late".to_owned(),
        d => format!("{d} days late"),
    }
}

pub fn overdue(state: &StateSnapshot, today: NaiveDate) -> Text {
    let mut late: Vec<(&Commitment, NaiveDate)> = Vec::new();
    let mut due_today: Vec<&Commitment> = Vec::new();
    for c in state.commitments().filter(|c| c.is_open()) {
        match c.due_date {
            Some(d) if d < today => late.push((c, d)),
            Some(d) if d == today => due_today.push(c),
            _ => {}
        }
    }
    late.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.title.cmp(&b.0.title)));
    due_today.sort_by(|a, b| a.title.cmp(&b.title));

    let mut t = Text::new();
    if late.is_empty() && due_today.is_empty() {
        t.line("Nothing overdue or due today. 🎉");
    }
    if !late.is_empty() {
        t.heading(&format!("Overdue ({})", late.len()));
        for (c, due) in &late {
            let days = (today - *due).num_days();
            t.text("• ")
                .bold(&clip(&c.title, MAX_TITLE_CHARS))
                .line(&format!(
                    " — {} (due {})",
                    late_text(days),
                    due.format("%a %d %b")
                ));
        }
    }
    if !due_today.is_empty() {
        if !late.is_empty() {
            t.newline();
        }
        t.heading(&format!("Due today ({})", due_today.len()));
        for c in &due_today {
            t.text("• ")
                .bold(&clip(&c.title, MAX_TITLE_CHARS))
                .newline();
        }
    }
    let disagreeing: Vec<(&Commitment, String)> = state
        .commitments()
        .filter_map(|c| c.disagreement().map(|d| (c, d)))
        .collect();
    if !disagreeing.is_empty() {
        t.newline()
            .line("Counted as done (the two files disagree):");
        for (c, how) in &disagreeing {
            t.text("• ")
                .text(&clip(&c.title, MAX_TITLE_CHARS))
                .line(&format!(": {how}"));
        }
    }
    for (name, read) in [
        ("CommitmentData.json", &state.commitment_data),
        ("Commitments.md", &state.commitments_md),
    ] {
        if let FileRead::Corrupt(reason) = read {
            t.newline()
                .italic(&format!("{name} could not be read: {reason}"))
                .newline();
        }
    }
    t.trimmed()
}
