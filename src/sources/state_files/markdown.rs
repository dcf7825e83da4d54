//! The pure parser of `Commitments.md`: `## Section` headings and checkbox lines.
//!
//! A line `- [ ] text` / `- [x] text` (also `*` or `+` bullets, `[X]`, any indentation) is a
//! commitment of kind = the current section. From its text, `(due: YYYY-MM-DD)` becomes the
//! due date, a `[🔄 …]` tag (or a bare 🔄) marks it recurring, and the `⚡` marker is dropped;
//! all three are removed from the title. The id is `md:` + the FNV-1a 64-bit hash of section
//! and cleaned title, so it survives reordering and ticking the box; a repeated identical
//! line gets a `-2`, `-3`, … suffix. Fenced code blocks are ignored.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::sources::{Commitment, CommitmentOrigin};

/// The kind of checkbox lines that appear before any `## Section` heading.
pub const NO_SECTION: &str = "General";

/// Every checkbox commitment in the file, in file order.
pub fn parse_commitments_md(text: &str) -> Vec<Commitment> {
    let mut section = NO_SECTION.to_owned();
    let mut in_fence = false;
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(heading) = section_heading(line) {
            section = heading;
            continue;
        }
        let Some((done, rest)) = checkbox(line) else {
            continue;
        };
        let cleaned = clean_title(rest);
        if cleaned.title.is_empty() {
            continue;
        }
        let base_id = format!(
            "md:{:016x}",
            fnv1a64(&format!("{section}\n{}", cleaned.title))
        );
        let count = seen.entry(base_id.clone()).or_insert(0);
        *count += 1;
        let id = match *count {
            1 => base_id,
            n => format!("{base_id}-{n}"),
        };
        out.push(Commitment {
            id,
            title: cleaned.title,
            kind: section.clone(),
            status: if done { "completed" } else { "pending" }.to_owned(),
            due_date: cleaned.due_date,
            priority: None,
            recurring: cleaned.recurring,
            origin: CommitmentOrigin::Markdown,
            in_both: None,
        });
    }
    out
}

/// FNV-1a, 64-bit: a tiny stable hash (same value on every run and platform).
pub fn fnv1a64(text: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    text.bytes().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

/// `## Name` (exactly level two) → `Name`.
fn section_heading(line: &str) -> Option<String> {
    let name = line
        .strip_prefix("## ")?
        .trim()
        .trim_end_matches('#')
        .trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// `- [ ] rest` / `* [x] rest` / `+ [X] rest` (any indentation) → (done, rest).
fn checkbox(line: &str) -> Option<(bool, &str)> {
    let item = line.trim_start();
    let item = ["- ", "* ", "+ "]
        .iter()
        .find_map(|bullet| item.strip_prefix(bullet))?
        .trim_start();
    let (done, rest) = if let Some(rest) = item.strip_prefix("[ ]") {
        (false, rest)
    } else if let Some(rest) = item
        .strip_prefix("[x]")
        .or_else(|| item.strip_prefix("[X]"))
    {
        (true, rest)
    } else {
        return None;
    };
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some((done, rest.trim()))
}

struct Cleaned {
    title: String,
    due_date: Option<NaiveDate>,
    recurring: bool,
}

fn clean_title(text: &str) -> Cleaned {
    let (text, due_date) = take_due(text);
    let (text, tagged) = take_recurrence_tag(&text);
    let recurring = tagged || text.contains('🔄');
    let title = text
        .replace(['⚡', '🔄', '\u{fe0f}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Cleaned {
        title,
        due_date,
        recurring,
    }
}

/// Removes the first `(due: YYYY-MM-DD)` (any case, optional spaces) whose date is valid.
fn take_due(text: &str) -> (String, Option<NaiveDate>) {
    // ASCII lowercasing keeps byte offsets identical to `text`.
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower.get(from..).and_then(|rest| rest.find("(due:")) {
        let start = from + found;
        let inner_start = start + "(due:".len();
        let Some(close) = lower.get(inner_start..).and_then(|rest| rest.find(')')) else {
            break;
        };
        let end = inner_start + close;
        let date = text
            .get(inner_start..end)
            .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok());
        if let (Some(date), Some(before), Some(after)) =
            (date, text.get(..start), text.get(end + 1..))
        {
            return (format!("{before} {after}"), Some(date));
        }
        from = end + 1;
    }
    (text.to_owned(), None)
}

/// Removes a `[🔄 …]` recurrence tag; reports whether there was one.
fn take_recurrence_tag(text: &str) -> (String, bool) {
    let Some(start) = text.find("[🔄") else {
        return (text.to_owned(), false);
    };
    let Some(len) = text.get(start..).and_then(|rest| rest.find(']')) else {
        return (text.to_owned(), false);
    };
    match (text.get(..start), text.get(start + len + 1..)) {
        (Some(before), Some(after)) => (format!("{before} {after}"), true),
        _ => (text.to_owned(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn checkbox_forms() {
        let cases = [
            ("- [ ] a", Some((false, "a"))),
            ("  * [x] b", Some((true, "b"))),
            ("+ [X]   c  ", Some((true, "c"))),
            ("- [ ]", Some((false, ""))),
            ("- [x]done", None),
            ("- [-] d", None),
            ("[ ] e", None),
            ("- plain bullet", None),
        ];
        for (line, want) in cases {
            assert_eq!(checkbox(line), want, "{line:?}");
        }
    }

    #[test]
    fn title_cleaning() {
        let cases = [
            (
                "Ship it (due: 2026-01-20)",
                "Ship it",
                Some((2026, 1, 20)),
                false,
            ),
            (
                "(Due:2026-01-20) Ship it ⚡",
                "Ship it",
                Some((2026, 1, 20)),
                false,
            ),
            ("Meditate [🔄 Daily] ⚡️", "Meditate", None, true),
            ("Stretch 🔄", "Stretch", None, true),
            (
                "Pay (due: someday) rent",
                "Pay (due: someday) rent",
                None,
                false,
            ),
            (
                "Call (mom) (due: 2026-02-30) (due: 2026-02-03)",
                "Call (mom) (due: 2026-02-30)",
                Some((2026, 2, 3)),
                false,
            ),
            (
                "Unclosed (due: 2026-01-20",
                "Unclosed (due: 2026-01-20",
                None,
                false,
            ),
            ("[🔄 Weekly", "[ Weekly", None, true),
        ];
        for (input, title, due, recurring) in cases {
            let c = clean_title(input);
            let due = due.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d));
            assert_eq!(
                (c.title.as_str(), c.due_date, c.recurring),
                (title, due, recurring),
                "{input:?}"
            );
        }
    }
}
