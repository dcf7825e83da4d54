//! One commitment from two files: a commitment kept in both `CommitmentData.json` and
//! `Commitments.md` (the same normalised title and the same due date) is one commitment.
//!
//! The title is compared case-folded, with whitespace collapsed, the `⚡` marker and any
//! `[🔄 …]` recurrence tag (or a bare 🔄) removed, and punctuation trimmed from both ends. The
//! JSON record is kept (it has the id, status and history); done in either file (completed or
//! cancelled) means done, and the record says when the two files disagree ([`InBoth`]).
//! Pure; a Markdown line pairs with at most one JSON record and the other way round.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::sources::{Commitment, InBoth};

/// Folds each Markdown line kept in the JSON too into its JSON record and removes it from
/// `md`: what is left in `md` are the lines the JSON does not have. Both lists keep their
/// order. Cheap when nothing pairs: a JSON record's title is only compared when its due date
/// is one some Markdown line has.
pub fn fold(json: &mut [Commitment], md: &mut Vec<Commitment>) {
    if md.is_empty() || json.is_empty() {
        return;
    }
    let md_dates: HashSet<Option<NaiveDate>> = md.iter().map(|m| m.due_date).collect();
    let mut unpaired: HashMap<(String, Option<NaiveDate>), Vec<usize>> = HashMap::new();
    for (i, m) in md.iter().enumerate().rev() {
        unpaired
            .entry((title_key(&m.title), m.due_date))
            .or_default()
            .push(i);
    }
    let mut paired = vec![false; md.len()];
    for j in json.iter_mut().filter(|j| md_dates.contains(&j.due_date)) {
        let twin = unpaired
            .get_mut(&(title_key(&j.title), j.due_date))
            .and_then(Vec::pop);
        if let Some(i) = twin {
            paired[i] = true;
            *j = merge(j, &md[i]);
        }
    }
    let mut index = 0;
    md.retain(|_| {
        index += 1;
        !paired[index - 1]
    });
}

/// The JSON record `j`, with its Markdown twin `m`'s say: done in either means done.
fn merge(j: &Commitment, m: &Commitment) -> Commitment {
    let mut c = j.clone();
    if j.is_open() && !m.is_open() {
        c.status = m.status.clone();
    }
    c.recurring |= m.recurring;
    c.in_both = Some(InBoth {
        json_status: j.status.clone(),
        md_done: !m.is_open(),
    });
    c
}

/// A title as the merge compares it: `"⚡ Test command implementation [🔄 Daily]."` and
/// `"test  command implementation"` have the same key.
pub fn title_key(title: &str) -> String {
    let mut kept = String::with_capacity(title.len());
    let mut rest = title;
    while let Some(open) = rest.find('[') {
        let close = rest[open..].find(']').map(|c| open + c);
        match close {
            Some(close) if rest[open..close].contains('🔄') => {
                kept.push_str(&rest[..open]);
                kept.push(' ');
                rest = &rest[close + 1..];
            }
            _ => {
                kept.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    kept.push_str(rest);
    let words: Vec<String> = kept
        .split(|c: char| c.is_whitespace() || c == '⚡' || c == '🔄' || c == '\u{fe0f}')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::CommitmentOrigin;

    /// Both lists folded, as `StateSnapshot::commitments` then reads them.
    fn merged(json: &[Commitment], md: &[Commitment]) -> Vec<Commitment> {
        let (mut json, mut md) = (json.to_vec(), md.to_vec());
        fold(&mut json, &mut md);
        json.into_iter().chain(md).collect()
    }

    fn d(day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, 12, day)
    }

    fn json(id: &str, title: &str, due: Option<NaiveDate>, status: &str) -> Commitment {
        Commitment {
            id: id.to_owned(),
            title: title.to_owned(),
            kind: "task".to_owned(),
            status: status.to_owned(),
            due_date: due,
            priority: Some(2),
            recurring: false,
            origin: CommitmentOrigin::Json,
            in_both: None,
        }
    }

    fn md(title: &str, due: Option<NaiveDate>, done: bool) -> Commitment {
        Commitment {
            id: format!("md:{title}"),
            title: title.to_owned(),
            kind: "Work".to_owned(),
            status: if done { "completed" } else { "pending" }.to_owned(),
            due_date: due,
            priority: None,
            recurring: false,
            origin: CommitmentOrigin::Markdown,
            in_both: None,
        }
    }

    #[test]
    fn titles_compare_without_case_space_markers_or_edge_punctuation() {
        let cases = [
            ("Test command implementation", "test command implementation"),
            (
                "⚡ Test command implementation",
                "test command implementation",
            ),
            (
                "⚡️Test  command\timplementation.",
                "test command implementation",
            ),
            (
                "Test command implementation [🔄 Daily]",
                "test command implementation",
            ),
            ("[🔄 Weekly] Review inbox!", "review inbox"),
            ("🔄 Stretch", "stretch"),
            (
                "Call Zoë about the Ünïcode spec",
                "call zoë about the ünïcode spec",
            ),
            ("ÉCOLE — inscription", "école — inscription"),
            ("Fix [bug] in parser", "fix [bug] in parser"),
            ("\"Ship it\"", "ship it"),
            ("⚡", ""),
            ("", ""),
        ];
        for (title, key) in cases {
            assert_eq!(title_key(title), key, "{title:?}");
        }
    }

    #[test]
    fn the_same_commitment_in_both_files_is_one_json_record() {
        let j = [json("u-1", "Test command implementation", d(2), "pending")];
        let m = [md("⚡ test command implementation", d(2), false)];
        let all = merged(&j, &m);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].id, "u-1");
        assert_eq!(all[0].origin, CommitmentOrigin::Json);
        assert!(all[0].is_open());
        assert_eq!(all[0].disagreement(), None);
    }

    #[test]
    fn different_due_dates_are_different_commitments() {
        let j = [json("u-1", "Memphis report", d(2), "pending")];
        let m = [
            md("Memphis report", d(9), false),
            md("Memphis report", None, false),
        ];
        let all = merged(&j, &m);
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(all.iter().all(|c| c.in_both.is_none()));
    }

    #[test]
    fn done_in_either_file_is_done_and_says_so() {
        // Ticked in the Markdown, still pending in the JSON.
        let all = merged(
            &[json("u-1", "Raleigh follow-up", d(1), "pending")],
            &[md("Raleigh follow-up", d(1), true)],
        );
        assert_eq!(all.len(), 1);
        assert!(!all[0].is_open());
        assert_eq!(
            all[0].disagreement().as_deref(),
            Some("done in Commitments.md, pending in CommitmentData.json")
        );
        // Completed in the JSON, the box not ticked.
        let all = merged(
            &[json("u-1", "Raleigh follow-up", d(1), "completed")],
            &[md("Raleigh follow-up", d(1), false)],
        );
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].status, "completed");
        assert_eq!(
            all[0].disagreement().as_deref(),
            Some("completed in CommitmentData.json, open in Commitments.md")
        );
        // Cancelled in the JSON counts as done too.
        let all = merged(
            &[json("u-1", "Old plan", d(1), "cancelled")],
            &[md("Old plan", d(1), false)],
        );
        assert!(!all[0].is_open());
        // Both done: nothing to say.
        let all = merged(
            &[json("u-1", "Old plan", d(1), "completed")],
            &[md("Old plan", d(1), true)],
        );
        assert_eq!(all[0].disagreement(), None);
    }

    #[test]
    fn each_line_pairs_once_and_order_is_kept() {
        let j = [
            json("u-1", "Stretch [🔄 Daily]", None, "pending"),
            json("u-2", "Stretch", None, "pending"),
            json("u-3", "Write", d(3), "pending"),
        ];
        let m = [
            md("Stretch", None, false),
            md("Read", d(3), false),
            md("stretch", None, true),
            md("Stretch", None, false),
        ];
        let all = merged(&j, &m);
        let ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["u-1", "u-2", "u-3", "md:Read", "md:Stretch"]);
        assert!(all[0].in_both.is_some() && all[1].in_both.is_some());
        assert!(all[0].is_open(), "u-1 paired with the first Markdown line");
        assert!(!all[1].is_open(), "u-2 with the second, which is ticked");
    }

    #[test]
    fn unicode_titles_match_across_files() {
        let all = merged(
            &[json("u-1", "Rendez-vous chez l'ÉCOLE", d(4), "pending")],
            &[md("rendez-vous chez l'école", d(4), false)],
        );
        assert_eq!(all.len(), 1, "{all:?}");
    }
}
